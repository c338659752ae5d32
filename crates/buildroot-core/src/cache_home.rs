//! Where a tool caches when it is given no `--cache-dir`: the user's cache
//! home of the XDG base directory rules (`$XDG_CACHE_HOME`, else
//! `$HOME/.cache`), and a directory of the user's own in the temp directory
//! when there is no home to put it in. The fallback mirrors dnf 4's
//! `misc.getCacheDir` (`dnf/yum/misc.py`), which gives a user who is not
//! root a `dnf-USER-*` directory in `/var/tmp`.
//!
//! `$XDG_CACHE_HOME` counts only when it is an absolute path: the XDG base
//! directory specification calls a relative one invalid, to be ignored (it
//! would name a different cache in every working directory).
//!
//! A home that does not exist is not created: Debian's `nobody` has
//! `HOME=/nonexistent`, as have many systemd services, and a tool run as
//! root there would otherwise make `/nonexistent/.cache/...`.
//!
//! The fallback is `rpm-buildroot-UID` in the temp directory, created with
//! mode 0700. It is used only when it is private: a directory (not a
//! symlink: it is opened with `O_NOFOLLOW` and checked through that open
//! descriptor) owned by this user, of mode 0700 (no one else may read,
//! write or enter it).
//! A cache someone else controls could hand the tools another repository's
//! metadata or pools. When the name is taken by something else (on a shared
//! `/tmp`, anyone may create it first), the first private
//! `rpm-buildroot-UID-*` directory in name order is used, and when there is
//! none a new one is made with `mkdtemp` (a random suffix, created
//! exclusively with mode 0700): dnf reuses its `dnf-USER-*` directories and
//! makes a new one the same way. So a squatter costs a cache of a new name,
//! never an error and never a cache the squatter can write.
//!
//! The path is checked once and then used by name: the temp directory's
//! sticky bit (`/tmp`, `/var/tmp`) is what keeps others from renaming or
//! replacing a directory of this user's afterwards.
//!
//! A cache home that cannot be written is passed over for the next one. A
//! home's `.cache` is passed over in silence (a read-only home is how CI
//! containers and systemd units run, and the user chose nothing), but an
//! `$XDG_CACHE_HOME` was set on purpose: passing it over is said in one
//! note, naming it and the directory used instead, once per process and
//! not under `--quiet`, as pip warns once that it cannot write its cache
//! directory. A `--cache-dir` is never passed over (`cli::given_cache_dir`):
//! it is the user's word for this run.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The name of the tools' directory in a cache home.
const NAME: &str = "rpm-buildroot";

/// `$XDG_CACHE_HOME/rpm-buildroot` when that variable is an absolute path,
/// else `$HOME/.cache/rpm-buildroot` when `$HOME` is an existing directory,
/// else a private directory of this user's in the temp directory (`$TMPDIR`,
/// else `/tmp`): `rpm-buildroot-UID`, or `rpm-buildroot-UID-XXXXXX` when
/// that name is not a private directory of this user's. An error only when
/// no directory can be created in the temp directory.
///
/// An `$XDG_CACHE_HOME` passed over because the cache cannot be written
/// there is said in a note (once per process, through the repositories'
/// warning handler, so `--quiet` drops it).
pub fn default_cache_dir() -> Result<PathBuf> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let chosen = choose(
        std::env::var_os("XDG_CACHE_HOME"),
        std::env::var_os("HOME"),
        &std::env::temp_dir(),
        uid,
    )?;
    if let Some(note) = chosen.note() {
        crate::rpmmd::say_once("note", note);
    }
    Ok(chosen.dir)
}

/// The cache directory [`choose`] found, and the `$XDG_CACHE_HOME` it
/// passed over on the way, with why.
#[derive(Debug, PartialEq)]
struct Chosen {
    dir: PathBuf,
    /// `$XDG_CACHE_HOME`, when it was an absolute path in which the cache
    /// cannot be written, and the reason ([`write_problem`]).
    passed_over: Option<(PathBuf, String)>,
}

impl Chosen {
    /// The note saying that the user's `$XDG_CACHE_HOME` was passed over,
    /// if it was.
    fn note(&self) -> Option<String> {
        let (xdg, why) = self.passed_over.as_ref()?;
        Some(format!(
            "XDG_CACHE_HOME={}: the cache cannot be written there ({why}); caching in {} \
             instead",
            xdg.display(),
            self.dir.display()
        ))
    }
}

/// [`default_cache_dir`] for these values of the variables, temp directory
/// and effective user id.
fn choose(
    xdg_cache_home: Option<OsString>,
    home: Option<OsString>,
    temp: &Path,
    uid: u32,
) -> Result<Chosen> {
    let mut passed_over = None;
    if let Some(x) = xdg_cache_home.filter(|v| Path::new(v).is_absolute()) {
        let x = PathBuf::from(x);
        let dir = x.join(NAME);
        match write_problem(&dir) {
            None => return Ok(Chosen { dir, passed_over }),
            Some(why) => passed_over = Some((x, why)),
        }
    }
    let home = home.filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(h) = home.as_ref().filter(|h| h.is_dir()) {
        let dir = h.join(".cache").join(NAME);
        if write_problem(&dir).is_none() {
            return Ok(Chosen { dir, passed_over });
        }
    }
    let dir = private_dir(temp, uid)?;
    Ok(Chosen { dir, passed_over })
}

/// Why this user may not write in `dir` or create it, `None` when they
/// may: the nearest of it and its parents that exists must be a directory
/// this user may write and enter (`access(2)`, which also refuses a
/// read-only mount). Nothing is created. A cache home that cannot be
/// written (a read-only home in a CI container or a systemd unit, a
/// `.cache` that is a file) is passed over like a missing one: a tool with
/// HTTP repos would otherwise fail on its first download, and
/// identify-archful-srpms and create-srpm-repos, which once cached in their
/// `--cache` alone, would fail where they worked.
fn write_problem(dir: &Path) -> Option<String> {
    let Some(existing) = dir
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a).is_ok())
    else {
        return Some(format!("{}: nothing of it exists", dir.display()));
    };
    if !existing.is_dir() {
        return Some(format!("{} is not a directory", existing.display()));
    }
    let Ok(c) = CString::new(existing.as_os_str().as_bytes()) else {
        return Some(format!("{}: a path with a NUL byte", existing.display()));
    };
    // SAFETY: c is a NUL-terminated path that outlives the call.
    match unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } {
        0 => None,
        _ => Some(format!(
            "{}: {}",
            existing.display(),
            crate::error::io_message(&std::io::Error::last_os_error())
        )),
    }
}

/// `TEMP/rpm-buildroot-UID`, created with mode 0700 when missing and used
/// when private; else the first private `TEMP/rpm-buildroot-UID-*` in name
/// order; else a new `TEMP/rpm-buildroot-UID-XXXXXX` from `mkdtemp`.
fn private_dir(temp: &Path, uid: u32) -> Result<PathBuf> {
    let stem = format!("{NAME}-{uid}");
    let fixed = temp.join(&stem);
    match std::fs::DirBuilder::new().mode(0o700).create(&fixed) {
        Ok(()) => return Ok(fixed),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io(fixed, e)),
    }
    if is_private(&fixed, uid) {
        return Ok(fixed);
    }
    let prefix = format!("{stem}-");
    // A temp directory that cannot be listed (mode 1733) has none to reuse.
    let mut ours: Vec<OsString> = std::fs::read_dir(temp)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| n.as_bytes().starts_with(prefix.as_bytes()))
        .collect();
    ours.sort();
    if let Some(dir) = ours
        .iter()
        .map(|n| temp.join(n))
        .find(|d| is_private(d, uid))
    {
        return Ok(dir);
    }
    mkdtemp(&temp.join(format!("{prefix}XXXXXX")))
}

/// Whether `dir` itself (a symlink is not followed) is a directory owned by
/// `uid` of mode 0700: the user may read, write and enter it, no one else
/// may do any of that (dnf asks the same of its own directories). The
/// checks are made on the descriptor that was opened, so what is checked is
/// what the name held at that moment.
fn is_private(dir: &Path, uid: u32) -> bool {
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(dir);
    let Ok(meta) = opened.and_then(|f| f.metadata()) else {
        return false;
    };
    meta.is_dir() && meta.uid() == uid && meta.mode() & 0o777 == 0o700
}

/// A new directory from `template` (ending in `XXXXXX`), made by
/// `mkdtemp(3)`: a random name, created exclusively, mode 0700.
fn mkdtemp(template: &Path) -> Result<PathBuf> {
    let parent = template.parent().unwrap_or(Path::new("."));
    let c = CString::new(template.as_os_str().as_bytes())
        .map_err(|_| Error::format(parent.display(), "a temp directory with a NUL byte"))?;
    let mut buf = c.into_bytes_with_nul();
    // SAFETY: buf is a NUL-terminated, writable buffer that outlives the
    // call; mkdtemp only rewrites its trailing XXXXXX in place.
    let made = unsafe { libc::mkdtemp(buf.as_mut_ptr().cast()) };
    if made.is_null() {
        return Err(Error::io(parent, std::io::Error::last_os_error()));
    }
    buf.pop();
    Ok(PathBuf::from(OsString::from_vec(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::names;
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
            choose(os(&xdg), os(&home), temp, uid()).unwrap().dir,
            xdg.join("rpm-buildroot")
        );
        let empty = Some(OsString::new());
        assert_eq!(
            choose(empty, os(&home), temp, uid()).unwrap().dir,
            home.join(".cache/rpm-buildroot")
        );
        assert_eq!(names(t.path()), ["home"]);
    }

    /// A relative XDG_CACHE_HOME is invalid by the XDG rules and ignored:
    /// the home's .cache, or without a home the fallback, is used.
    #[test]
    fn a_relative_xdg_cache_home_is_ignored() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("home");
        std::fs::create_dir(&home).unwrap();
        for rel in ["cache", "./cache", "../x", "~/.cache"] {
            let rel = Some(OsString::from(rel));
            assert_eq!(
                choose(rel.clone(), os(&home), t.path(), uid()).unwrap().dir,
                home.join(".cache/rpm-buildroot")
            );
            assert_eq!(
                choose(rel, None, t.path(), uid()).unwrap().dir,
                t.path().join(format!("rpm-buildroot-{}", uid()))
            );
        }
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
            assert_eq!(choose(None, home, &temp, uid()).unwrap().dir, want);
        }
        assert!(!t.path().join("nonexistent").exists());
        let meta = std::fs::symlink_metadata(&want).unwrap();
        assert!(meta.is_dir());
        assert_eq!(meta.mode() & 0o777, 0o700);
        assert_eq!(names(t.path()), ["file", "tmp"]);
    }

    /// A cache home in which the cache cannot be made (here a `.cache` that
    /// is a file, or an XDG_CACHE_HOME under one; a read-only mount is
    /// refused the same way, by `access`) is passed over as a missing one
    /// is: the next candidate, else the private directory in temp.
    #[test]
    fn a_cache_home_that_cannot_be_written_is_passed_over() {
        let t = tempfile::tempdir().unwrap();
        let temp = t.path().join("tmp");
        std::fs::create_dir(&temp).unwrap();
        let home = t.path().join("home");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join(".cache"), "").unwrap();
        let good = t.path().join("good");
        std::fs::create_dir(&good).unwrap();
        let want = temp.join(format!("rpm-buildroot-{}", uid()));
        assert_eq!(choose(None, os(&home), &temp, uid()).unwrap().dir, want);
        let bad_xdg = home.join(".cache/xdg");
        assert_eq!(
            choose(os(&bad_xdg), os(&home), &temp, uid()).unwrap().dir,
            want
        );
        assert_eq!(
            choose(os(&bad_xdg), os(&good), &temp, uid()).unwrap().dir,
            good.join(".cache/rpm-buildroot")
        );
        assert!(!good.join(".cache").exists(), "nothing is created");
    }

    /// Of the cache homes passed over, only an `XDG_CACHE_HOME` (set on
    /// purpose) gets a note, naming it, why, and the directory used
    /// instead; a home's `.cache` that cannot be written is passed over in
    /// silence, and a usable XDG_CACHE_HOME says nothing.
    #[test]
    fn only_a_passed_over_xdg_cache_home_is_said() {
        let t = tempfile::tempdir().unwrap();
        let temp = t.path().join("tmp");
        std::fs::create_dir(&temp).unwrap();
        let home = t.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let file = t.path().join("file");
        std::fs::write(&file, "").unwrap();
        let bad_xdg = file.join("xdg");
        let chosen = choose(os(&bad_xdg), os(&home), &temp, uid()).unwrap();
        assert_eq!(
            chosen.note().unwrap(),
            format!(
                "XDG_CACHE_HOME={}: the cache cannot be written there ({} is not a \
                 directory); caching in {} instead",
                bad_xdg.display(),
                file.display(),
                home.join(".cache/rpm-buildroot").display()
            )
        );
        // Without a home: the private directory in temp is named.
        let chosen = choose(os(&bad_xdg), None, &temp, uid()).unwrap();
        let fallback = temp.join(format!("rpm-buildroot-{}", uid()));
        assert!(chosen
            .note()
            .unwrap()
            .ends_with(&format!("caching in {} instead", fallback.display())));
        // A home's .cache that is a file: passed over, not said.
        let ro_home = t.path().join("ro-home");
        std::fs::create_dir(&ro_home).unwrap();
        std::fs::write(ro_home.join(".cache"), "").unwrap();
        let chosen = choose(None, os(&ro_home), &temp, uid()).unwrap();
        assert_eq!((chosen.note(), chosen.dir), (None, fallback));
        let good = choose(os(&t.path().join("x")), os(&home), &temp, uid()).unwrap();
        assert_eq!(good.note(), None);
    }

    /// The fallback's name taken by what is not a private directory of this
    /// user's (others may write it, or read it, a symlink, a file, another
    /// user's): a new `rpm-buildroot-UID-XXXXXX` of mode 0700, which the
    /// next run reuses; the squatter's entry is left alone.
    #[test]
    fn a_taken_name_means_a_new_private_directory() {
        let u = uid();
        let stem = format!("rpm-buildroot-{u}");
        let squat: [(&str, Squat); 5] = [
            ("0777", |d| mkdir_mode(d, 0o777)),
            ("0755", |d| mkdir_mode(d, 0o755)),
            ("symlink", |d| {
                let target = d.with_file_name("target");
                mkdir_mode(&target, 0o700);
                std::os::unix::fs::symlink(&target, d).unwrap();
            }),
            ("file", |d| std::fs::write(d, "").unwrap()),
            ("fifo", |d| {
                let c = CString::new(d.as_os_str().as_bytes()).unwrap();
                // SAFETY: a NUL-terminated path that outlives the call.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            }),
        ];
        for (what, make) in squat {
            let t = tempfile::tempdir().unwrap();
            let fixed = t.path().join(&stem);
            make(&fixed);
            let before = std::fs::symlink_metadata(&fixed).unwrap();
            let got = choose(None, None, t.path(), u).unwrap().dir;
            let name = file_name(&got).to_string_lossy().into_owned();
            assert!(
                name.len() == stem.len() + 7 && name.starts_with(&format!("{stem}-")),
                "{what}: {name}"
            );
            let meta = std::fs::symlink_metadata(&got).unwrap();
            assert!(meta.is_dir() && meta.uid() == u, "{what}");
            assert_eq!(meta.mode() & 0o777, 0o700, "{what}");
            assert_eq!(choose(None, None, t.path(), u).unwrap().dir, got, "{what}");
            let after = std::fs::symlink_metadata(&fixed).unwrap();
            assert_eq!(
                (after.ino(), after.mode()),
                (before.ino(), before.mode()),
                "{what}"
            );
        }
        // Another user's name (here: this user's, asked for by another uid).
        let t = tempfile::tempdir().unwrap();
        let other = u + 1;
        mkdir_mode(&t.path().join(format!("rpm-buildroot-{other}")), 0o700);
        let got = choose(None, None, t.path(), other).unwrap().dir;
        assert!(file_name(&got)
            .to_string_lossy()
            .starts_with(&format!("rpm-buildroot-{other}-")));
    }

    /// Of the `rpm-buildroot-UID-*` entries, the first private directory of
    /// this user's in name order is reused, as dnf reuses its own; entries
    /// that are not (a symlink to a private directory, one others may
    /// enter, one of mode 0500) are passed over, and `rpm-buildroot-UID0` is
    /// no entry of user UID's.
    #[test]
    fn the_first_private_random_directory_is_reused() {
        let t = tempfile::tempdir().unwrap();
        let u = uid();
        let p = |s: &str| t.path().join(format!("rpm-buildroot-{u}{s}"));
        mkdir_mode(&p(""), 0o711);
        mkdir_mode(&p("0"), 0o700);
        mkdir_mode(&p("-c"), 0o700);
        mkdir_mode(&p("-b"), 0o700);
        mkdir_mode(&p("-a1"), 0o701);
        mkdir_mode(&p("-a2"), 0o500);
        std::os::unix::fs::symlink(p("-c"), p("-a0")).unwrap();
        assert_eq!(choose(None, None, t.path(), u).unwrap().dir, p("-b"));
    }

    /// A temp directory where nothing can be made is an error naming it.
    #[test]
    fn no_directory_can_be_made() {
        let t = tempfile::tempdir().unwrap();
        let missing = t.path().join("missing");
        let e = choose(None, None, &missing, uid()).unwrap_err().to_string();
        let fixed = missing.join(format!("rpm-buildroot-{}", uid()));
        assert!(e.starts_with(&format!("{}: ", fixed.display())), "{e}");
    }

    /// Makes a squatter's entry at the fallback's name.
    type Squat = fn(&Path);

    fn file_name(p: &Path) -> &std::ffi::OsStr {
        p.file_name().unwrap_or_default()
    }

    fn mkdir_mode(d: &Path, mode: u32) {
        std::fs::create_dir(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}
