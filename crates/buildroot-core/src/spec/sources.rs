//! Where a spec's own files come from: `%include`, `%{load:}`, `%{exists:}`
//! and Lua's `io.open` read the sources next to the spec (a directory, or
//! an SRPM's payload, as `rpmbuild --rebuild` has `rpmInstallSource`
//! unpack it into `%{_sourcedir}` and `%{_specdir}`), looked up by base
//! name so nothing else of the machine is readable to a spec; [`Host`]
//! is what an evaluation reaches outside itself.
//!
//! Separate from the evaluation ([`super`]): the tools pick a
//! [`SourceFiles`] (a directory, an SRPM), the evaluation only reads it.

use std::path::{Path, PathBuf};

use super::{builderdirs, shell};

/// Where `%include`, `%{load:}` and Lua's `io.open` find the spec's own
/// files: the sources next to the spec (a directory, or an SRPM's payload).
/// Files are looked up by base name, so nothing else of the machine is
/// readable to a spec.
pub trait SourceFiles: Send + Sync {
    /// The contents of the source file `name` (a base name), if there is one.
    fn read(&self, name: &str) -> Option<Vec<u8>>;

    /// The size of the source file `name`, [`Self::read`]'s answer's
    /// length: what `%{exists:}`, `posix.stat` and `posix.access` ask, which
    /// a source that knows it answers without reading a tarball's bytes.
    fn size(&self, name: &str) -> Option<u64> {
        self.read(name).map(|d| d.len() as u64)
    }

    /// The spec's own path, as rpm was given it: rpm 6's `%{__file_name}`
    /// while the spec is read (undefined when unknown).
    fn spec_path(&self) -> Option<String> {
        None
    }

    /// The spec's file name when it is read from `%{_specdir}`, as
    /// `rpmbuild --rebuild` reads an SRPM's spec (rpm's `rpmInstallSource`
    /// puts it there): `%{__file_name}` is then `%{_specdir}/NAME`. Asked
    /// only when [`Self::spec_path`] is `None`.
    fn spec_in_specdir(&self) -> Option<String> {
        None
    }
}

/// `sources`, for the spec at `path` (rpm 6's `%{__file_name}`).
pub struct NamedSpec<'a> {
    /// The spec's path.
    pub path: String,
    /// Its source files.
    pub sources: &'a dyn SourceFiles,
}

impl SourceFiles for NamedSpec<'_> {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        self.sources.read(name)
    }

    fn size(&self, name: &str) -> Option<u64> {
        self.sources.size(name)
    }

    fn spec_path(&self) -> Option<String> {
        Some(self.path.clone())
    }
}

/// No source files.
pub struct NoSources;

impl SourceFiles for NoSources {
    fn read(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The files of a directory (a spec's `SOURCES`, or the spec's own).
pub struct DirSources(pub PathBuf);

impl SourceFiles for DirSources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return None;
        }
        std::fs::read(self.0.join(name)).ok()
    }
}

/// The payload files of an SRPM, read on first use and streamed, the
/// small ones kept ([`crate::srpm::PayloadSources`]).
pub struct SrpmSources {
    payload: crate::srpm::PayloadSources,
    spec_name: String,
}

impl SrpmSources {
    /// The payload of the SRPM at `path` (read when a file is first asked
    /// for), whose spec is the file `spec_name` (`srpm::SpecFile::name`).
    pub fn new(path: &Path, spec_name: &str) -> SrpmSources {
        SrpmSources {
            payload: crate::srpm::PayloadSources::new(path),
            spec_name: spec_name.to_string(),
        }
    }
}

impl SourceFiles for SrpmSources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        self.payload.read(name)
    }

    fn size(&self, name: &str) -> Option<u64> {
        self.payload.size(name)
    }

    fn spec_in_specdir(&self) -> Option<String> {
        Some(self.spec_name.clone())
    }
}

/// What an evaluation reaches outside itself.
pub(crate) struct Host<'a> {
    /// The target arch (Lua's `posix.uname('%m')` is its builder's machine).
    pub arch: &'a str,
    pub lua_dirs: &'a [PathBuf],
    pub shell: &'a shell::Shell,
    pub sources: &'a dyn SourceFiles,
}

impl Host<'_> {
    fn base_name(path: &str) -> &str {
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(path)
    }

    /// A spec's file by path: found among its sources by base name; of
    /// the machine, only what Fedora's build-constraint macros read (the
    /// memory and CPU counts). A relative path is none: rpm opens it from
    /// its working directory, `/` where mock runs rpmbuild, which holds
    /// none of the spec's files (`%include x.inc` fails there).
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        if matches!(path, "/proc/meminfo" | "/proc/cpuinfo") {
            return std::fs::read(path).ok();
        }
        if !path.starts_with('/') {
            return None;
        }
        self.sources.read(Self::base_name(path))
    }

    /// The size of the file [`Self::read_file`] would read, without
    /// reading it where the sources know sizes (a tarball in an SRPM).
    pub fn file_size(&self, path: &str) -> Option<u64> {
        if matches!(path, "/proc/meminfo" | "/proc/cpuinfo") {
            return std::fs::read(path).ok().map(|d| d.len() as u64);
        }
        if !path.starts_with('/') {
            return None;
        }
        self.sources.size(Self::base_name(path))
    }

    /// Whether `path` is a directory on the builder, so that `%{load:}`
    /// and `rpm.load` open it and read no line (`spec::builderdirs`).
    pub fn is_builder_dir(path: &str) -> bool {
        builderdirs::is_builder_dir(path)
    }

    /// `%{exists:}`: a source file, or an absolute path that exists.
    pub fn file_exists(&self, path: &str) -> bool {
        self.file_size(path).is_some() || (path.starts_with('/') && Path::new(path).exists())
    }
}
