//! Regenerating an SRPM with `rpmbuild -bs --target ARCH` in a private
//! topdir, with the macros the spec evaluator uses ([`RpmMacros`]: the
//! distribution's macro packages or ELN's built-in `%dist`, `%rhel`,
//! `%eln`, then `--macros`/`--define`), so `Release: 1%{?dist}` and
//! `%if 0%{?eln}` mean the same to both. The result must have the cached
//! SRPM's name and EVR: a repo whose file names and headers disagree
//! would mislead every later step.

use std::path::Path;

use super::options::ArchTarget;
use super::rpmargs::RpmMacros;
use crate::error::{Error, Result};
use crate::srpm;

/// The SRPM `orig` rebuilt by rpmbuild for `t.arch`.
pub(super) fn rpmbuild(orig: &Path, t: &ArchTarget) -> Result<Vec<u8>> {
    let top = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let spec_path = unpack(orig, top.path())?;
    let macros = RpmMacros::of(t)?;
    let mut cmd = macros.command("rpmbuild");
    cmd.arg("-bs").arg("--target").arg(&t.arch);
    cmd.arg("--define")
        .arg(format!("_topdir {}", top.path().display()));
    macros.finish(&mut cmd);
    let out = cmd
        .arg(&spec_path)
        .output()
        .map_err(|e| Error::MissingProgram {
            program: "rpmbuild",
            reason: crate::error::io_message(&e),
            package: "rpm-build",
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Error::format(
            orig.display(),
            format!("rpmbuild -bs failed: {}", reason(&err)),
        ));
    }
    let srpms = top.path().join("SRPMS");
    let built = std::fs::read_dir(&srpms)
        .map_err(|e| Error::io(&srpms, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| super::cache::is_srpm_file(&p.to_string_lossy()))
        .ok_or_else(|| Error::format(orig.display(), "rpmbuild -bs produced no SRPM"))?;
    same_nevr(orig, &built)?;
    std::fs::read(&built).map_err(|e| Error::io(&built, e))
}

/// rpm's reason in its standard error `err`: its first `error:` line. The
/// last line was taken, which is the failing line's context (`0<
/// (%error)`, the spec's line) or a warning of the configuration rpm reads
/// again after a failed target, not the error.
fn reason(err: &str) -> &str {
    let all: Vec<&str> = err
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    all.iter()
        .find(|l| l.starts_with("error: "))
        .or(all.last())
        .copied()
        .unwrap_or("")
}

/// Writes the spec to `top/SPECS` and the other payload files to
/// `top/SOURCES`; returns the spec's path.
pub(super) fn unpack(orig: &Path, top: &Path) -> Result<std::path::PathBuf> {
    let (sources, specs) = (top.join("SOURCES"), top.join("SPECS"));
    for d in [&sources, &specs] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let mut spec_path = None;
    for file in srpm::read_payload_files(orig)? {
        let base = file.base_name().to_string();
        let p = if file.is_spec || (spec_path.is_none() && base.ends_with(".spec")) {
            let p = specs.join(&base);
            spec_path = Some(p.clone());
            p
        } else {
            sources.join(&base)
        };
        std::fs::write(&p, file.data).map_err(|e| Error::io(&p, e))?;
    }
    spec_path.ok_or_else(|| Error::NoSpecFile {
        path: orig.to_path_buf(),
    })
}

/// An error naming `orig` unless `built` has its name, epoch, version and release.
fn same_nevr(orig: &Path, built: &Path) -> Result<()> {
    let (a, b) = (srpm::read_header(orig)?, srpm::read_header(built)?);
    if a.name == b.name && a.evr == b.evr {
        return Ok(());
    }
    Err(Error::RebuiltNevrDiffers {
        path: orig.to_path_buf(),
        built: format!("{}-{}", b.name, b.evr),
        original: format!("{}-{}", a.name, a.evr),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reason named is rpm's error, not the context lines or the
    /// warnings after it (rpmbuild 4.18 on a spec with `%{error:boom}`).
    #[test]
    fn the_reason_is_rpms_error_line() {
        let err = "warning: warn.macros: line 1: Macro %warnme needs whitespace before body\n\
            error: boom\n  0<  (%error)\nBuildRequires: \n\
            warning: warn.macros: line 1: Macro %warnme needs whitespace before body\n";
        assert_eq!(reason(err), "error: boom");
        assert_eq!(reason("only this\n"), "only this");
        assert_eq!(reason(""), "");
    }
}
