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

/// Takes the lock on `f`, shared or `exclusive`, waiting while another
/// open file holds it in a conflicting mode. False when it is not held:
/// no such lock here, or held elsewhere for [`WAIT_AT_MOST`].
pub(super) fn lock(f: &File, exclusive: bool) -> bool {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    let mut told = false;
    loop {
        let kind = if exclusive {
            libc::F_WRLCK
        } else {
            libc::F_RDLCK
        };
        match set(f, kind) {
            Ok(()) => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !told {
                    told = true;
                    #[cfg(test)]
                    ON_WAIT.with(|h| h.take().map(|f| f()));
                }
                if start.elapsed() >= WAIT_AT_MOST {
                    return false;
                }
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(_) => return false,
        }
    }
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
