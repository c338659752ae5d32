//! The lock that keeps the record's rewrite from losing an append: every
//! run appends its lines holding it shared, identify-archful-srpms holds it
//! exclusive from its last read of the record until its new file is
//! renamed into place. Without it, a line appended in the moment between
//! that read and the rename went into the file the rename threw away (and
//! a run whose appender was opened before the rename kept writing into
//! that unlinked file for the rest of its life). An appender that gets the
//! lock after a rename finds the name pointing at another file than the
//! one it has open, and opens the new one.
//!
//! No upstream counterpart: createrepo_c and dnf keep no such record. The
//! lock is the kind the download lock takes (`rpmmd::DownloadLock`): an
//! open-file-description `fcntl` lock on one byte of the cache's
//! `.download-lock`, dropped by the kernel when the process ends however
//! it ends; here one fixed byte past the 2^40 that the download lock
//! spreads file names over, taken shared or exclusive. A wait is asked
//! without blocking, as there, and never without bound: after
//! [`WAIT_AT_MOST`] (a run stopped with Ctrl-Z while it rewrites) the run
//! goes on without it, as where no such lock can be had (some network
//! file systems): an append lost then costs a hash, never a wrong checksum.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

/// The lock file (the download lock's, `rpmmd::DownloadLock`).
const LOCK_FILE: &str = ".download-lock";

/// The byte: past every byte the download lock's hash of a name gives.
const BYTE: i64 = 1 << 41;

/// How long a run waits for the lock before it goes on without it.
const WAIT_AT_MOST: Duration = Duration::from_secs(120);

/// The cache's lock file, opened for the lock (created if need be); `None`
/// where it cannot be (another user's cache: no lock is taken then).
pub(super) fn open(cache: &Path) -> Option<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(cache.join(LOCK_FILE))
        .ok()
}

/// Takes the lock on `f` (the lock file of the cache `cache`), shared or
/// `exclusive`, waiting while another open file holds it in a conflicting
/// mode. False when it is not held: no such lock here, or held elsewhere
/// for [`WAIT_AT_MOST`], which is said once (as the download lock says
/// its give-up): what goes on without it may cost a hash or one refusal.
pub(super) fn lock(f: &File, cache: &Path, exclusive: bool) -> bool {
    lock_for(f, cache, exclusive, WAIT_AT_MOST)
}

/// [`lock`], waiting at most `wait` (a test's).
fn lock_for(f: &File, cache: &Path, exclusive: bool, wait: Duration) -> bool {
    match lock_within(f, exclusive, wait) {
        Taken::Held => true,
        Taken::NoLock => false,
        Taken::GaveUp => {
            // Not `warn_once`, which a `without_warnings` section (a load
            // whose repos a later load warns about again) silences: this
            // wait is not seen again by any later load, so a quiet section
            // around it would lose the line for good. None reaches here
            // today (the sections load macro packages, which keep no
            // record); said as the download lock says its own give-up.
            crate::rpmmd::say_once("warning", gave_up(cache));
            false
        }
    }
}

/// What a wait for the lock came to.
#[derive(Debug, PartialEq, Eq)]
enum Taken {
    /// The lock is held.
    Held,
    /// No such lock can be had here (the file system refuses it).
    NoLock,
    /// Another open file held it for the whole wait.
    GaveUp,
}

/// [`lock`]'s wait, of at most `wait`.
fn lock_within(f: &File, exclusive: bool, wait: Duration) -> Taken {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    let mut told = false;
    let kind = if exclusive {
        libc::F_WRLCK
    } else {
        libc::F_RDLCK
    };
    loop {
        match set(f, kind) {
            Ok(()) => return Taken::Held,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !told {
                    told = true;
                    #[cfg(test)]
                    ON_WAIT.with(|h| h.take().map(|f| f()));
                }
                if start.elapsed() >= wait {
                    return Taken::GaveUp;
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(_) => return Taken::NoLock,
        }
    }
}

/// The warning of a run that gave up waiting for the lock of `cache`.
fn gave_up(cache: &Path) -> String {
    format!(
        "{}: another run has held the SRPM cache's record lock for {} s (a run stopped with \
         Ctrl-Z?); going on without it: a checksum line written meanwhile may be lost (hashed \
         again later, or one refusal that the next identify-archful-srpms mends)",
        cache.join(LOCK_FILE).display(),
        WAIT_AT_MOST.as_secs()
    )
}

/// Lets go of the lock on `f` (closing the file does too).
pub(super) fn unlock(f: &File) {
    let _ = set(f, libc::F_UNLCK);
}

/// One lock of [`BYTE`] of `f`, of `kind`, without waiting.
fn set(f: &File, kind: libc::c_int) -> std::io::Result<()> {
    crate::rpmmd::byte_lock(f, kind, BYTE)
}

#[cfg(test)]
thread_local! {
    /// Run the first time this thread finds the lock held elsewhere: a
    /// test's sign that an append waits for a rewrite.
    pub(crate) static ON_WAIT: std::cell::Cell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::Cell::new(None) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lock another open file holds exclusive is waited for, then given
    /// up on (said by [`lock`] as [`gave_up`]'s warning, naming the file);
    /// once free, it is taken; two shared holds do not exclude each other.
    #[test]
    fn a_held_lock_is_given_up_on_after_the_wait() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (open(t.path()).unwrap(), open(t.path()).unwrap());
        assert_eq!(lock_within(&a, true, Duration::ZERO), Taken::Held);
        let wait = Duration::from_millis(50);
        assert_eq!(lock_within(&b, false, wait), Taken::GaveUp);
        unlock(&a);
        assert_eq!(lock_within(&b, false, wait), Taken::Held);
        assert_eq!(lock_within(&a, false, wait), Taken::Held);
        let said = gave_up(t.path());
        let file = t.path().join(LOCK_FILE);
        assert!(
            said.starts_with(&format!("{}: another run has held", file.display())),
            "{said}"
        );
    }

    /// The give-up is said even inside a `without_warnings` section (which
    /// silenced it when it went through `warn_once`), once per cache.
    #[test]
    fn the_give_up_is_said_inside_a_quiet_section() {
        let told = crate::rpmmd::captured();
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (open(t.path()).unwrap(), open(t.path()).unwrap());
        assert_eq!(lock_within(&a, true, Duration::ZERO), Taken::Held);
        let wait = Duration::from_millis(20);
        let held = crate::rpmmd::without_warnings(|| {
            [
                lock_for(&b, t.path(), false, wait),
                lock_for(&b, t.path(), false, wait),
            ]
        });
        assert_eq!(held, [false, false]);
        let file = t.path().join(LOCK_FILE).display().to_string();
        let ours: Vec<String> = told
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains(&file))
            .cloned()
            .collect();
        assert_eq!(ours, [format!("warning: {}", gave_up(t.path()))]);
    }
}
