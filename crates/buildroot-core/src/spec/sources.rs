//! Where a spec's own files come from: `%include`, `%{load:}`, `%{exists:}`
//! and Lua's `io.open` read the sources next to the spec (a directory, or
//! an SRPM's payload, as `rpmbuild --rebuild` has `rpmInstallSource`
//! unpack it into `%{_sourcedir}` and `%{_specdir}`), looked up by base
//! name so nothing else of the machine is readable to a spec; [`Host`]
//! is what an evaluation reaches outside itself.
//!
//! Separate from the evaluation ([`super`]): the tools pick a
//! [`SourceFiles`] (a directory, an SRPM), the evaluation only reads it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{builderdirs, shell};

/// Where `%include`, `%{load:}` and Lua's `io.open` find the spec's own
/// files: the sources next to the spec (a directory, or an SRPM's payload).
/// Files are looked up by base name, so nothing else of the machine is
/// readable to a spec.
pub trait SourceFiles: Send + Sync {
    /// The contents of the source file `name` (a base name), if there is one.
    fn read(&self, name: &str) -> Option<Vec<u8>>;

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

/// The payload files of an SRPM, read on first use.
pub struct SrpmSources {
    path: PathBuf,
    spec_name: String,
    files: OnceLock<HashMap<String, Vec<u8>>>,
}

impl SrpmSources {
    /// The payload of the SRPM at `path` (read when a file is first asked
    /// for), whose spec is the file `spec_name` (`srpm::SpecFile::name`).
    pub fn new(path: &Path, spec_name: &str) -> SrpmSources {
        SrpmSources {
            path: path.to_path_buf(),
            spec_name: spec_name.to_string(),
            files: OnceLock::new(),
        }
    }
}

impl SourceFiles for SrpmSources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        let files = self.files.get_or_init(|| {
            crate::srpm::read_payload_files(&self.path)
                .map(|v| {
                    // A source `NoSource:` leaves out is listed, not there:
                    // opening it fails, as it does for rpm.
                    v.into_iter()
                        .filter(|f| f.in_payload)
                        .map(|f| (f.base_name().to_string(), f.data))
                        .collect()
                })
                .unwrap_or_default()
        });
        files.get(name).cloned()
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

    /// Whether `path` is a directory on the builder, so that `%{load:}`
    /// and `rpm.load` open it and read no line (`spec::builderdirs`).
    pub fn is_builder_dir(path: &str) -> bool {
        builderdirs::is_builder_dir(path)
    }

    /// `%{exists:}`: a source file, or an absolute path that exists.
    pub fn file_exists(&self, path: &str) -> bool {
        self.read_file(path).is_some() || (path.starts_with('/') && Path::new(path).exists())
    }
}
