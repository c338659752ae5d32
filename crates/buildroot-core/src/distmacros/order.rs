//! rpm 4.18's macro file load order (`setDefaults` in lib/rpmrc.c, the
//! default `macrofiles` path, read by `rpmInitMacros` in rpmio/macro.c):
//!
//! 1. `%{_rpmconfigdir}/macros`
//! 2. `%{_rpmconfigdir}/macros.d/macros.*`
//! 3. `%{_rpmconfigdir}/platform/%{_target}/macros`
//! 4. `%{_rpmconfigdir}/fileattrs/*.attr`
//! 5. `%{_rpmconfigdir}/<vendor>/macros` (`redhat` in Fedora's rpm)
//! 6. `/etc/rpm/macros.*`, `/etc/rpm/macros`, `/etc/rpm/%{_target}/macros`
//! 7. `~/.rpmmacros`
//!
//! Each element is a glob, expanded in byte order (rpm globs with the C
//! collation); `*.rpmnew`, `*.rpmsave` and `*.rpmorig` are skipped; a later
//! definition of a name wins. We load 1, 2, 3 and 5 from the buildroot's
//! packages. 4 only defines the file classifiers of rpmbuild's dependency
//! generators, never used by a preamble; 6 and 7 are the local
//! administrator's and user's, empty in a koji buildroot. `%{_target}` is
//! `ARCH-linux` for `--target ARCH`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// `RPMCANONVENDOR` of Fedora's and RHEL's rpm: the vendor macro directory.
pub const VENDOR: &str = "redhat";

/// Backup files rpm does not load.
fn skipped(name: &str) -> bool {
    [".rpmnew", ".rpmsave", ".rpmorig"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// The files of `dir` whose names start with `prefix`, in byte order.
fn glob_prefix(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && !skipped(n))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

/// The platform macro file of `arch` under a directory playing `/usr/lib/rpm`.
pub fn platform_file(confdir: &Path, arch: &str) -> PathBuf {
    confdir
        .join("platform")
        .join(format!("{arch}-linux"))
        .join("macros")
}

/// The macro files of `confdir` (a directory playing `/usr/lib/rpm`) for
/// target `arch`, in rpm's load order; missing ones are left out.
pub fn load_order(confdir: &Path, arch: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let base = confdir.join("macros");
    if base.is_file() {
        out.push(base);
    }
    out.extend(glob_prefix(&confdir.join("macros.d"), "macros."));
    let platform = platform_file(confdir, arch);
    if platform.is_file() {
        out.push(platform);
    }
    let vendor = confdir.join(VENDOR).join("macros");
    if vendor.is_file() {
        out.push(vendor);
    }
    out
}

/// What `--macros DIR` loads: the files `macros` and `macros.*` of `DIR`,
/// in byte order (as rpm globs `macros.d/macros.*`). A file is itself.
pub fn dir_macro_files(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        if !path.exists() {
            return Err(Error::format(
                path.display(),
                "no such macro file or directory",
            ));
        }
        return Ok(vec![path.to_path_buf()]);
    }
    let files = glob_prefix(path, "macros");
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|p| {
            let n = p.file_name().unwrap_or_default().to_string_lossy();
            n == "macros" || n.starts_with("macros.")
        })
        .collect();
    if files.is_empty() {
        return Err(Error::format(
            path.display(),
            "no macro files (named 'macros' or 'macros.*') in this directory",
        ));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_load_order() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for f in [
            "redhat/macros",
            "macros.d/macros.zz",
            "macros.d/macros.Aa",
            "macros.d/macros.b.rpmnew",
            "macros.d/README",
            "platform/aarch64-linux/macros",
            "platform/x86_64-linux/macros",
            "macros",
        ] {
            std::fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
            std::fs::write(d.join(f), "%x 1\n").unwrap();
        }
        let got: Vec<String> = load_order(d, "x86_64")
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(
            got,
            [
                "macros",
                "macros.d/macros.Aa",
                "macros.d/macros.zz",
                "platform/x86_64-linux/macros",
                "redhat/macros"
            ]
        );
        let dir: Vec<String> = dir_macro_files(&d.join("macros.d"))
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(dir, ["macros.Aa", "macros.zz"]);
        assert!(dir_macro_files(&d.join("platform")).is_err());
        assert!(dir_macro_files(&d.join("nope")).is_err());
    }
}
