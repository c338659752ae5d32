//! Runs sharing one SRPM cache (cron and a release engineer by hand, both
//! given the same `--cache`): a refresh deletes the SRPMs its own list
//! does not name, and another run may be reading exactly those (its list
//! differs, or its metadata is older or newer). So every run that reads
//! the cache's SRPMs holds a shared `flock` on the cache directory while
//! it does ([`CacheHold::shared`]; asked without blocking, for at most two
//! minutes, so a holder that never lets go fails the run in one line
//! instead of hanging it), and a refresh deletes only when it can
//! take that lock exclusively at once ([`CacheHold::exclusive_now`]): with
//! another run inside, it deletes nothing and leaves the extra SRPMs to the
//! next run that has the cache to itself. An extra SRPM costs disk space;
//! a deleted one fails the run reading it (or, in create-srpm-repos, drops
//! a source from the repo it writes).
//!
//! dnf's counterpart is coarser: `dnf.lock` serialises whole downloads
//! (and metadata loads) into one cachedir, and only `dnf clean`, which
//! takes those locks too, deletes its packages. The
//! lock is the kernel's, released when the process ends however it ends,
//! so a killed run never leaves the cache locked. A source repo
//! create-srpm-repos writes is locked the same way, exclusively, for the
//! whole run ([`lock_repo_dir`]): its journal's backups and temp files
//! have fixed names, and a run removes the ones it finds as a killed run's
//! leftovers, so two runs into one repo would take each other's. Where the filesystem
//! has no `flock` (some network filesystems), runs are not protected from
//! each other, as before these locks existed.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a reader waits for a run deleting SRPMs to let go of the
/// cache. Deleting holds the lock for a directory listing and some
/// unlinks (a second here, seconds on a slow network filesystem): a lock
/// held far longer is a stopped or stuck process, which waiting on would
/// only hide.
const HOLD_WAIT: Duration = Duration::from_secs(120);

/// A run's lock on an SRPM cache directory, held until dropped.
#[derive(Debug)]
pub struct CacheHold {
    /// The open directory that holds the lock (None: no `flock` there).
    _dir: Option<File>,
}

impl CacheHold {
    /// Waits until no run is deleting SRPMs from `cache`, then keeps any
    /// from starting until this is dropped. Other readers share it. The
    /// wait is bounded (120 s): an error naming `cache` after it.
    pub fn shared(cache: &Path) -> Result<CacheHold> {
        Self::shared_within(cache, HOLD_WAIT)
    }

    /// [`CacheHold::shared`], giving up after `limit`. Asked without
    /// blocking, again and again: a blocking `flock` would wait as long as
    /// the holder lives, and a deleting run stopped by Ctrl-Z (or an
    /// unrelated `flock -x` on the directory) would then hang every run.
    fn shared_within(cache: &Path, limit: Duration) -> Result<CacheHold> {
        let dir = File::open(cache).map_err(|e| Error::io(cache, e))?;
        let start = Instant::now();
        loop {
            match flock(&dir, libc::LOCK_SH | libc::LOCK_NB) {
                Ok(()) => return Ok(CacheHold { _dir: Some(dir) }),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if start.elapsed() >= limit {
                        return Err(Error::format(
                            cache.display(),
                            format!(
                                "another run has held this SRPM cache's lock (to delete \
                                 SRPMs) for {} s; try again once it is done",
                                limit.as_secs()
                            ),
                        ));
                    }
                    // Deleting takes a moment: a short nap is no cost.
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // No `flock` here, or none to be had (ENOLCK; EBADF from
                // a network filesystem that locks only files open for
                // writing): the run goes on unprotected, as before locks,
                // rather than failing for want of one.
                Err(_) => return Ok(CacheHold { _dir: None }),
            }
        }
    }

    /// The lock that allows deleting SRPMs from `cache`, if no other run
    /// holds any lock on it now. None when one does, or when it cannot be
    /// told (a failure other than a missing `flock`): deleting then could
    /// take a file from under a reader, and not deleting costs only space.
    pub(super) fn exclusive_now(cache: &Path) -> Option<CacheHold> {
        let dir = File::open(cache).ok()?;
        match flock(&dir, libc::LOCK_EX | libc::LOCK_NB) {
            Ok(()) => Some(CacheHold { _dir: Some(dir) }),
            Err(e) if unsupported(&e) => Some(CacheHold { _dir: None }),
            Err(_) => None,
        }
    }
}

/// The lock of a create-srpm-repos output directory `out`, held until
/// dropped; an error naming `out` when another run holds it (that run's
/// files are left alone). None where no `flock` can be had.
pub(super) fn lock_repo_dir(out: &Path) -> Result<Option<File>> {
    let dir = File::open(out).map_err(|e| Error::io(out, e))?;
    match flock(&dir, libc::LOCK_EX | libc::LOCK_NB) {
        Ok(()) => Ok(Some(dir)),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Err(Error::format(
            out.display(),
            "another create-srpm-repos run is writing this repository; try again once it is done",
        )),
        // No lock to be had here (see `CacheHold::shared`): unprotected.
        Err(_) => Ok(None),
    }
}

fn flock(f: &File, op: libc::c_int) -> std::io::Result<()> {
    // SAFETY: `f` is an open descriptor for the call's duration.
    match unsafe { libc::flock(f.as_raw_fd(), op) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// The filesystem has no `flock` (as `atomic::stage_lock` reads it), or
/// has it only for files open for writing (EBADF, some NFS setups).
fn unsupported(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EOPNOTSUPP | libc::ENOSYS | libc::EINVAL | libc::EBADF)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Readers share the lock; deleting waits for none of them but is
    /// refused while any holds it, and is allowed again once all are gone.
    /// Each hold opens the directory anew, so two holds of one process
    /// meet as two processes' would (flock is per open file).
    #[test]
    fn readers_share_and_keep_deleting_out() {
        let t = tempfile::tempdir().unwrap();
        let a = CacheHold::shared(t.path()).unwrap();
        let b = CacheHold::shared(t.path()).unwrap();
        assert!(CacheHold::exclusive_now(t.path()).is_none());
        drop(a);
        assert!(CacheHold::exclusive_now(t.path()).is_none());
        drop(b);
        let ex = CacheHold::exclusive_now(t.path()).unwrap();
        assert!(CacheHold::exclusive_now(t.path()).is_none());
        drop(ex);
        assert!(CacheHold::exclusive_now(t.path()).is_some());
    }

    /// A deleting run that never lets go (stopped, stuck) does not hang a
    /// reader: after the wait, an error naming the directory; a lock let
    /// go of within the wait is taken.
    #[test]
    fn a_reader_does_not_wait_without_bound() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().to_path_buf();
        let ex = CacheHold::exclusive_now(&dir).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let d = dir.clone();
        std::thread::spawn(move || {
            let _ = tx.send(CacheHold::shared_within(&d, Duration::from_millis(200)));
        });
        let got = rx.recv_timeout(Duration::from_secs(30));
        let err = got
            .expect("the reader still waits")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!("{}: ", dir.display())), "{err}");
        assert!(err.contains("another run has held"), "{err}");
        let d = dir.clone();
        let waiting =
            std::thread::spawn(move || CacheHold::shared_within(&d, Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(100));
        drop(ex);
        assert!(waiting.join().unwrap().unwrap()._dir.is_some());
    }
}
