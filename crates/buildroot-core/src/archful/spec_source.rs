//! A spec file as the source package `rpmbuild -bs --target ARCH` would make
//! of it: Name, EVR and the BuildRequires of the SRPM's header, read by the
//! built-in evaluator with one arch's macros ([`ArchTarget`]). What
//! buildroot-generator's `--spec` what-if builds in place of the repos'
//! source of that name, without rpmbuild and right for every arch (an SRPM
//! holds the BuildRequires of the arch it was made on).

use std::path::Path;

use crate::error::{Error, Result};
use crate::evr::Evr;
use crate::package::{Package, Requirement};
use crate::spec::{self, DirSources};

use super::cache::excluded;
use super::ArchTarget;

/// A spec evaluated for one arch, as a source package.
#[derive(Clone, Debug)]
pub struct SpecSource {
    /// Arch `src`; requires are the BuildRequires, conflicts the
    /// BuildConflicts (recorded; like dnf builddep, the generator installs
    /// the requires only), `location` the spec's file name.
    pub package: Package,
    /// `%generate_buildrequires`: more BuildRequires appear at build time
    /// only, so the package holds the static ones.
    pub dynamic_build_requires: bool,
    /// ExclusiveArch/ExcludeArch keep the target arch from building it.
    pub not_buildable: bool,
}

/// The text of the spec at `path`: errors say "no such file", "a
/// directory" or "not UTF-8" (an RPM given as a spec, say) in one line.
pub fn read_spec(path: &Path) -> Result<String> {
    if path.is_dir() {
        return Err(Error::format(
            path.display(),
            "a directory, not a spec file",
        ));
    }
    let text = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::io(path, std::io::Error::new(e.kind(), "no such file"))
        }
        _ => Error::io(path, e),
    })?;
    String::from_utf8(text).map_err(|_| Error::format(path.display(), "the spec is not UTF-8"))
}

/// Evaluates `text`, the spec at `path` ([`read_spec`]), for `target`;
/// `%include`d files are read from the spec's directory. A spec the
/// evaluator cannot read as rpm would is an error naming the first problem
/// (its line included).
pub fn spec_source(path: &Path, text: &str, target: &ArchTarget) -> Result<SpecSource> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let sources = DirSources(dir.unwrap_or(Path::new(".")).to_path_buf());
    let named = spec::NamedSpec {
        path: path.display().to_string(),
        sources: &sources,
    };
    let ev = spec::evaluate_with(text, &target.ctx, &named)
        .map_err(|e| Error::format(path.display(), e.to_string()))?;
    if let Some(p) = ev.problems.first() {
        return Err(Error::format(path.display(), p.clone()));
    }
    if ev.name.is_empty() || ev.version.is_empty() {
        return Err(Error::format(path.display(), "no Name: or Version: tag"));
    }
    let package = Package {
        name: ev.name.clone(),
        arch: "src".into(),
        evr: Evr::new(ev.epoch.unwrap_or(0), &ev.version, Some(&ev.release)),
        requires: ev
            .build_requires
            .iter()
            .map(|d| Requirement {
                dep: d.clone(),
                pre: false,
            })
            .collect(),
        conflicts: ev.build_conflicts.clone(),
        location: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(SpecSource {
        package,
        dynamic_build_requires: ev.dynamic_build_requires,
        not_buildable: excluded(&target.arch, &ev.exclusive_arch, &ev.exclude_arch),
    })
}
