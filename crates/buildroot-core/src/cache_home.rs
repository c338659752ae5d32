//! Where a tool caches when it is given no `--cache-dir`: the user's cache
//! home of the XDG base directory rules (`$XDG_CACHE_HOME`, else
//! `$HOME/.cache`), and a directory of the user's own in the temp directory
//! when there is no home to put it in (dnf's `misc.getCacheDir` plays this
//! part for a user who is not root: a `dnf-USER-*` directory in `/var/tmp`
//! that the user owns).
//!
//! A home that does not exist is not created: Debian's `nobody` has
//! `HOME=/nonexistent`, as have many systemd services, and a tool run as
//! root there would otherwise make `/nonexistent/.cache/...`. The fallback
//! is created private (mode 0700) and used only when it is a directory of
//! this user's that no one else may write: a cache someone else controls
//! could hand the tools another repository's metadata or pools.

use std::ffi::OsString;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The name of the tools' directory in a cache home.
const NAME: &str = "rpm-buildroot";

/// `$XDG_CACHE_HOME/rpm-buildroot`, else `$HOME/.cache/rpm-buildroot` when
/// `$HOME` is an existing directory, else `rpm-buildroot-UID` in the temp
/// directory (`$TMPDIR`, else `/tmp`), created private if missing. An error
/// when that fallback is not a private directory of this user's.
pub fn default_cache_dir() -> Result<PathBuf> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    choose(
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
        &std::env::temp_dir(),
        uid,
    )
}

/// [`default_cache_dir`] for these values of the variables, temp directory
/// and effective user id.
fn choose(
    xdg_cache_home: Option<OsString>,
    home: Option<OsString>,
    temp: &Path,
    uid: u32,
) -> Result<PathBuf> {
    if let Some(x) = xdg_cache_home.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join(NAME));
    }
    let home = home.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(h) = home.as_ref().filter(|h| h.is_dir()) {
        return Ok(h.join(".cache").join(NAME));
    }
    let why = match &home {
        Some(h) => format!("HOME {} is no directory", h.display()),
        None => "HOME is not set".to_string(),
    };
    private_dir(&temp.join(format!("{NAME}-{uid}")), uid, &why)
}

/// `dir`, created with mode 0700 when missing; an error naming it when it
/// is not a directory (a symlink is not one) owned by `uid` that neither
/// its group nor others may write. `why` says why the cache goes there.
fn private_dir(dir: &Path, uid: u32, why: &str) -> Result<PathBuf> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => return Ok(dir.to_path_buf()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(dir, e)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
    if meta.is_dir() && meta.uid() == uid && meta.mode() & 0o022 == 0 {
        return Ok(dir.to_path_buf());
    }
    Err(Error::format(
        dir.display(),
        format!(
            "the cache would go here ({why}), but this is not a directory of this user's that \
             only the user may write; set XDG_CACHE_HOME or give --cache-dir"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn os(s: &Path) -> Option<OsString> {
        Some(s.as_os_str().to_owned())
    }

    fn uid() -> u32 {
        // SAFETY: as in default_cache_dir.
        unsafe { libc::geteuid() }
    }

    /// XDG_CACHE_HOME first, then an existing HOME's .cache; nothing is
    /// created for either (the tools create what they write).
    #[test]
    fn xdg_then_an_existing_home() {
        let t = tempfile::tempdir().unwrap();
        let (xdg, home, temp) = (t.path().join("xdg"), t.path().join("home"), t.path());
        std::fs::create_dir(&home).unwrap();
        assert_eq!(
            choose(os(&xdg), os(&home), temp, uid()).unwrap(),
            xdg.join("rpm-buildroot")
        );
        let empty = Some(OsString::new());
        assert_eq!(
            choose(empty, os(&home), temp, uid()).unwrap(),
            home.join(".cache/rpm-buildroot")
        );
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    }

    /// A HOME that does not exist (or is a file, or is unset) is not
    /// created: the cache is the user's private directory in the temp
    /// directory, made once and then reused.
    #[test]
    fn no_home_means_a_private_directory_in_temp() {
        let t = tempfile::tempdir().unwrap();
        let temp = t.path().join("tmp");
        std::fs::create_dir(&temp).unwrap();
        let missing = t.path().join("nonexistent/x");
        let file = t.path().join("file");
        std::fs::write(&file, "").unwrap();
        let want = temp.join(format!("rpm-buildroot-{}", uid()));
        for home in [os(&missing), os(&file), None, Some(OsString::new())] {
            assert_eq!(choose(None, home, &temp, uid()).unwrap(), want);
        }
        assert!(!t.path().join("nonexistent").exists());
        let meta = std::fs::symlink_metadata(&want).unwrap();
        assert!(meta.is_dir());
        assert_eq!(meta.mode() & 0o777, 0o700);
        let mut names: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["file", "tmp"]);
    }

    /// A fallback someone else could write (or a symlink, or a file) is
    /// refused with the line that says what to do.
    #[test]
    fn a_fallback_not_private_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join(format!("rpm-buildroot-{}", uid()));
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = choose(None, None, t.path(), uid()).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: the cache would go here (HOME is not set), but this is not a directory of \
                 this user's that only the user may write; set XDG_CACHE_HOME or give \
                 --cache-dir",
                dir.display()
            )
        );
        // Private, but made by another user (this one) for the user asking.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(choose(None, None, t.path(), uid()).is_ok());
        let other = uid() + 1;
        std::fs::create_dir(t.path().join(format!("rpm-buildroot-{other}"))).unwrap();
        assert!(choose(None, None, t.path(), other).is_err());
        std::fs::remove_dir(&dir).unwrap();
        std::os::unix::fs::symlink(t.path(), &dir).unwrap();
        assert!(choose(None, None, t.path(), uid()).is_err());
    }
}
