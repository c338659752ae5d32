//! Who owns a directory beside an output: the `flock` a live run holds on
//! its `.NAME.new-*` stage (and on the `.NAME.old-*` tree a two-rename
//! swap moves aside), and the sweep that removes what killed runs left
//! there.
//!
//! The sweep removes an entry only while it holds the entry's lock itself,
//! and a run takes the lock of the stage it just created before using it,
//! then checks the stage is still there. So whichever of the two locks
//! first wins: a sweep that finds the lock taken leaves the stage alone,
//! and a run that finds it taken (or finds the directory gone once it has
//! the lock) lost it to a sweep and creates another. Without the check, a
//! sweep landing between a stage's creation and its lock removed a live
//! stage, and the run failed writing into it.
//!
//! Where the filesystem has no `flock`, nothing is protected, as before
//! locks were used: a concurrent run into the same output may remove a
//! live stage.

use std::fs;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::on_signal::{register_made_at, Registered};
use crate::error::{Error, Result};

/// What trying a directory's lock found.
pub(super) enum Lock {
    /// This process holds it while the file is open (the kernel drops it
    /// when the process ends, even by SIGKILL).
    Held(fs::File),
    /// Another open file holds it: a live run's stage.
    Busy,
    /// The filesystem has no `flock`.
    Unsupported,
}

/// Tries to take an exclusive lock on the directory `dir` without waiting.
/// An error: the directory could not be opened (gone, or not ours), or
/// `flock` failed for another reason than a lock held or not supported.
pub(super) fn try_lock(dir: &Path) -> std::io::Result<Lock> {
    let f = fs::File::open(dir)?;
    // SAFETY: `f` is an open descriptor for the call's duration.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(Lock::Held(f));
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(Lock::Busy),
        Some(libc::EOPNOTSUPP | libc::ENOSYS | libc::EINVAL) => Ok(Lock::Unsupported),
        // ENOLCK (an NFS server out of locks), EINTR...: whether a live run
        // holds it is unknown, which callers must treat as held.
        _ => Err(e),
    }
}

/// Locks the directory at `path` where it is now: the lock is held on the
/// very directory `path` names once it is taken, so that a rename of that
/// directory (the lock follows it) keeps it protected. None where locks are
/// unsupported or busy, or the name moved meanwhile.
pub(super) fn lock_in_place(path: &Path) -> Option<fs::File> {
    match try_lock(path) {
        Ok(Lock::Held(f)) if names(path, &f) => Some(f),
        _ => None,
    }
}

/// Whether `path` names the directory `f` has open.
fn names(path: &Path, f: &fs::File) -> bool {
    match (fs::symlink_metadata(path), f.metadata()) {
        (Ok(p), Ok(m)) => (p.dev(), p.ino()) == (m.dev(), m.ino()),
        _ => false,
    }
}

/// How many stages a run creates before it gives up on a sweep taking each
/// one: a sweep takes one only in the moment between its creation and its
/// lock, so more than a couple in a row does not happen.
const ATTEMPTS: usize = 100;

/// Creates a stage `.NAME.new-*` in `parent`, registered with the signal
/// watcher as it is made (`on_signal::register_made_at`: only the mkdir is
/// under the watcher's lock, not this lock), and locks it. The lock is
/// None where the filesystem has no locks.
pub(super) fn create_locked(
    parent: &Path,
    name: &str,
) -> Result<(tempfile::TempDir, Option<fs::File>, Registered)> {
    let prefix = format!(".{name}.new-");
    for _ in 0..ATTEMPTS {
        let (tmp, registered) = register_made_at(
            || tempfile::Builder::new().prefix(&prefix).tempdir_in(parent),
            |tmp| tmp.path().to_path_buf(),
        )
        .map_err(|e| Error::io(parent, e))?;
        match try_lock(tmp.path()) {
            Ok(Lock::Held(f)) if names(tmp.path(), &f) => return Ok((tmp, Some(f), registered)),
            Ok(Lock::Unsupported) => return Ok((tmp, None, registered)),
            // Our own stage could not be opened or locked (out of file
            // descriptors, out of locks): the run's error, not a sweep's
            // doing. Removed, then let go.
            Err(e) if tmp.path().is_dir() => {
                let e = Error::io(tmp.path(), e);
                drop(tmp);
                drop(registered);
                return Err(e);
            }
            // A sweep holds it, or has removed it: it is the sweep's now.
            // Not removed here, lest a later directory of the same name go.
            _ => {
                drop(tmp.keep());
                drop(registered);
            }
        }
    }
    let e = std::io::Error::other("every new stage was removed by a concurrent run's sweep");
    Err(Error::io(parent, e))
}

/// Removes what a killed run left beside `name`: half-built `.NAME.new-*`
/// directories and `.NAME.old-*` ones a swap did not get to delete. Only
/// runs into this same output leave such names (another output's have its
/// own name), so each output sweeps its own. A stage a live run is building
/// holds its lock and is left alone.
pub(super) fn remove_stale(parent: &Path, name: &str) {
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let f = e.file_name().to_string_lossy().into_owned();
        if f.starts_with(&new) || f.starts_with(&old) {
            remove_unless_live(&e.path());
        }
    }
}

/// Removes `dir` unless a live run holds its lock. The lock is held while
/// the tree is removed: a run that created `dir` a moment ago and tries to
/// lock it now finds it busy (or, after, gone) and creates another.
fn remove_unless_live(dir: &Path) {
    // Only what is known not to be live: its lock taken here, or a
    // filesystem without locks (where nothing is protected). A lock that
    // could not be tried (open failed, ENOLCK) may be a live run's.
    let lock = match try_lock(dir) {
        Ok(l @ (Lock::Held(_) | Lock::Unsupported)) => l,
        Ok(Lock::Busy) | Err(_) => return,
    };
    let _ = fs::remove_dir_all(dir);
    drop(lock);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_stage_survives_a_sweep_and_a_reused_name_is_not_locked() {
        let t = tempfile::tempdir().unwrap();
        let (tmp, lock, _registered) = create_locked(t.path(), "out").unwrap();
        assert!(lock.is_some(), "this test needs a filesystem with flock");
        // What a sweep finds: the lock taken, the stage left alone.
        assert!(matches!(try_lock(tmp.path()), Ok(Lock::Busy)));
        remove_stale(t.path(), "out");
        assert!(tmp.path().is_dir());
        // A name the lock no longer names (the sweep removed it and the
        // name came back) is not taken as locked.
        drop(lock);
        let f = fs::File::open(tmp.path()).unwrap();
        fs::remove_dir(tmp.path()).unwrap();
        fs::create_dir(tmp.path()).unwrap();
        assert!(!names(tmp.path(), &f));
        assert!(lock_in_place(tmp.path()).is_some());
    }
}
