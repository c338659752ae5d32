//! Regenerating an SRPM with `rpmbuild -bs --target ARCH` in a private
//! topdir, with the macros the spec evaluator uses ([`RpmMacros`]: the
//! distribution's macro packages or ELN's built-in `%dist`, `%rhel`,
//! `%eln`, then `--macros`/`--define`), so `Release: 1%{?dist}` and
//! `%if 0%{?eln}` mean the same to both. The result must have the cached
//! SRPM's name and EVR: a repo whose file names and headers disagree
//! would mislead every later step.

use std::io::Write;
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
/// `top/SOURCES` (by base name, as rpm installs a source package), one file
/// at a time (an SRPM can hold gigabytes of tarballs); returns the spec's
/// path. A payload path with no file name (`a/..`, `.`) is an error naming
/// `orig`, as nothing is written outside `top`.
pub(super) fn unpack(orig: &Path, top: &Path) -> Result<std::path::PathBuf> {
    let (sources, specs) = (top.join("SOURCES"), top.join("SPECS"));
    for d in [&sources, &specs] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let mut spec_path = None;
    srpm::for_each_payload_file(orig, |path, is_spec, contents| {
        let base = path.rsplit('/').next().unwrap_or(path);
        if matches!(base, "" | "." | "..") {
            return Err(Error::format(
                orig.display(),
                format!("payload file {path:?} has no file name"),
            ));
        }
        let p = if is_spec || (spec_path.is_none() && base.ends_with(".spec")) {
            let p = specs.join(base);
            spec_path = Some(p.clone());
            p
        } else {
            sources.join(base)
        };
        let mut out = std::fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
        if let Some(r) = contents {
            // Reading fails on a broken payload, writing on the disk.
            let mut buf = vec![0; 1 << 16];
            loop {
                let n = r
                    .read(&mut buf)
                    .map_err(|e| srpm::broken_payload(orig, rpm::Error::Io(e)))?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n]).map_err(|e| Error::io(&p, e))?;
            }
        }
        Ok(())
    })?;
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

    fn srpm_with(dir: &Path, sources: &[(&str, &[u8])]) -> std::path::PathBuf {
        let spec = srpm::SrpmSpec {
            name: "u".into(),
            version: "1".into(),
            release: "1".into(),
            license: "MIT".into(),
            summary: "s".into(),
            spec_name: "u.spec".into(),
            spec_text: "Name: u\n".into(),
            sources: sources
                .iter()
                .map(|(n, d)| srpm::SourceFile {
                    name: n.to_string(),
                    data: d.to_vec(),
                })
                .collect(),
            build_time: 1,
            ..Default::default()
        };
        let path = dir.join("u-1-1.src.rpm");
        std::fs::write(&path, srpm::build_srpm(&spec).unwrap()).unwrap();
        path
    }

    /// The payload is written file by file under `top`, by base name; a
    /// payload that breaks part way is one line naming the SRPM. (A path
    /// with no file name, `x/..`, cannot be built with the rpm crate; it
    /// is refused naming the SRPM, where it was written to `top` itself.)
    #[test]
    fn unpacking_stays_in_top_and_names_the_srpm() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("top");
        let good = srpm_with(dir.path(), &[("a.tar", b"tar"), ("b.inc", b"inc")]);
        let spec = unpack(&good, &top).unwrap();
        assert_eq!(spec, top.join("SPECS/u.spec"));
        assert_eq!(std::fs::read(top.join("SOURCES/a.tar")).unwrap(), b"tar");
        assert_eq!(std::fs::read(top.join("SOURCES/b.inc")).unwrap(), b"inc");

        let big = vec![7u8; 1 << 20];
        let whole = std::fs::read(srpm_with(dir.path(), &[("big.bin", &big)])).unwrap();
        let cut = dir.path().join("u-1-1.src.rpm");
        std::fs::write(&cut, &whole[..whole.len() - 64]).unwrap();
        let err = unpack(&cut, &dir.path().join("top2"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&cut.display().to_string()), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["top", "top2", "u-1-1.src.rpm"]);
    }
}
