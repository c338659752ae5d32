//! One download of a cached file at a time, across the runs sharing a
//! cache (the workflow's four arches, all reading the one source repo; a
//! run by hand beside the nightly one). dnf serialises its runs on a
//! cachedir for the same reason (`dnf.lock.build_metadata_lock` and
//! `build_download_lock`: a pid file whose holder a second dnf waits for
//! as long as that process lives): without it, four runs that
//! start together on a repo whose repomd.xml changed could each download
//! the same primary and filelists (on the fixture, 30 rounds of four runs
//! on a fresh cache asked for 97 primaries and 106 filelists where 90 of
//! each serve; with the lock, 90 and 90). Nothing here guards correctness: every
//! download is already written beside its place, checked and renamed in,
//! so two at once leave one good file. The lock only lets the second run
//! find the first one's copy instead of fetching its own. The SRPM cache
//! of the archful tools takes the same lock per SRPM (`archful::cache`:
//! two runs on a cold cache fetch each SRPM once), and per update of its
//! record of uses (`archful::cache_uses`, [`Task::Update`]), where the
//! lock keeps two runs' merges from losing each other's entries.
//!
//! The lock is a byte of `DIR/.download-lock`, chosen by the name of the
//! file being fetched, taken with an open-file-description lock
//! (`F_OFD_SETLK`): unlike `flock` on the whole file, two files of one
//! directory (a run's macro packages, fetched in parallel) do not wait for
//! each other, and unlike a classic `fcntl` lock, two threads of one run
//! fetching the same file do wait (each opens the file anew). The kernel
//! drops the lock when the process ends however it ends, so a killed run
//! never leaves it held. The file itself stays (an empty file, never
//! pruned by name: `prune.rs` judges only `HEX-NAME` copies and temp
//! names; with its directory, once unused for a month).
//!
//! A wait is asked without blocking, every 50 ms: after [`SAY_AFTER`] a
//! note says what is waited for, and after [`WAIT_AT_MOST`] the run
//! downloads the file itself, as it would have without a lock (a run
//! stopped with Ctrl-Z, or a crawling mirror, holds it that long; failing,
//! or waiting as long as dnf waits for its lock's holder, would turn a lost
//! optimisation into a lost run). Both lines go through the tool's warning
//! handler (`skip::say`). Each thread holds at most one such lock and
//! takes it holding none, so two names that share a byte cost a wait,
//! never a deadlock. Where the filesystem has no such locks (some network
//! filesystems), where the lock file cannot be opened for writing (another
//! user's, in a shared cache), or outside Linux, no lock is taken.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// The lock file's name in a cache directory.
pub(super) const LOCK_FILE: &str = ".download-lock";

/// How long a run waits before it says so on stderr.
const SAY_AFTER: Duration = Duration::from_secs(5);

/// How long a run waits for another's download before it downloads the
/// file itself: as long as a reader of the SRPM cache waits (its hold).
const WAIT_AT_MOST: Duration = Duration::from_secs(120);

/// A held lock on the download of one file; released when dropped.
#[derive(Debug)]
pub(crate) struct DownloadLock {
    _file: Option<File>,
    /// Not held because another run held it for the whole wait (not
    /// because no lock can be had here).
    gave_up: bool,
    /// The lock's place in [`HELD_HERE`], while this run holds it.
    here: Option<(PathBuf, i64)>,
}

/// The locks this run holds (a lock file and its byte, with how many
/// holders: two names may share a byte). A transfer that finds a file's
/// lock taken tells by it whether another thread of this run holds it
/// (then it may need a slot to end its download) or another run does
/// (which needs none of ours): `rpmmd/fetch.rs` lends its slot
/// accordingly.
static HELD_HERE: Mutex<Vec<((PathBuf, i64), usize)>> = Mutex::new(Vec::new());

fn held_here() -> std::sync::MutexGuard<'static, Vec<((PathBuf, i64), usize)>> {
    HELD_HERE.lock().unwrap_or_else(|e| e.into_inner())
}

impl Drop for DownloadLock {
    fn drop(&mut self) {
        if let Some(key) = self.here.take() {
            let mut held = held_here();
            if let Some(at) = held.iter().position(|(k, _)| *k == key) {
                held[at].1 -= 1;
                if held[at].1 == 0 {
                    held.swap_remove(at);
                }
            }
        }
    }
}

/// What the holder of a [`DownloadLock`] does to its file, for the lines
/// of a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// Downloads (or copies) the file into the cache.
    Download,
    /// Reads the file, changes it and writes it back (the SRPM cache's
    /// record of uses, `archful::cache_uses`).
    Update,
    /// As `Update`, deleting the SRPMs the record lets go; given up on,
    /// it deletes nothing (`DownloadLock::gave_up`).
    Prune,
}

impl Task {
    /// (present participle, infinitive, preposition before the
    /// directory, what this run does when it gives up waiting) of the
    /// task, for the lines.
    fn verbs(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Task::Download => ("downloading", "download", "into", "downloading it here too"),
            Task::Update => ("updating", "update", "in", "updating it here too"),
            Task::Prune => ("updating", "update", "in", "deleting no SRPMs this run"),
        }
    }
}

impl DownloadLock {
    /// Waits until no other run (or thread) downloads `dest`, then keeps
    /// any from starting until this is dropped. `url` names the download
    /// in the waiting line. Never fails: a lock that cannot be had is none.
    pub(crate) fn take(dest: &Path, url: &str) -> DownloadLock {
        Self::take_for(dest, url, Task::Download)
    }

    /// [`DownloadLock::take`] for `task` (the lines of a wait name it).
    pub(crate) fn take_for(dest: &Path, url: &str, task: Task) -> DownloadLock {
        Self::take_for_within(dest, url, task, WAIT_AT_MOST)
    }

    /// [`DownloadLock::take_for`], giving up after `limit` (a test's).
    pub(crate) fn take_for_within(
        dest: &Path,
        url: &str,
        task: Task,
        limit: Duration,
    ) -> DownloadLock {
        Self::take_within(dest, url, task, SAY_AFTER, limit)
    }

    /// Whether another run held the lock for the whole wait, so this one
    /// goes on without it (a task that is safe only under the lock, as
    /// deleting by a record another run may be rewriting, does not).
    pub(crate) fn gave_up(&self) -> bool {
        self.gave_up
    }

    /// The lock on `dest`'s download if it can be had without waiting
    /// (`Some`: held, or none where no lock can be had here); `None` while
    /// another run (or thread) holds it. A load takes it so before it
    /// lends its download slot for a wait (`rpmmd/fetch.rs`): lent for a
    /// lock that was free, the slot went to a later repo's transfer,
    /// whose stall then kept an earlier repo's error back.
    pub(crate) fn take_if_free(dest: &Path) -> Option<DownloadLock> {
        let Some((file, byte)) = lock_file_of(dest) else {
            return Some(DownloadLock::none());
        };
        loop {
            match try_lock(&file, byte) {
                Ok(()) => return Some(DownloadLock::held(file, dest, byte)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return None,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Some(DownloadLock::none()),
            }
        }
    }

    /// No lock (none can be had here).
    fn none() -> DownloadLock {
        DownloadLock {
            _file: None,
            gave_up: false,
            here: None,
        }
    }

    /// The lock on byte `byte` of `file` (`dest`'s lock file), just taken:
    /// recorded as this run's.
    fn held(file: File, dest: &Path, byte: i64) -> DownloadLock {
        let key = (lock_path(dest), byte);
        let mut held = held_here();
        match held.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => held.push((key.clone(), 1)),
        }
        DownloadLock {
            _file: Some(file),
            gave_up: false,
            here: Some(key),
        }
    }

    /// Whether a thread of this run holds the lock on `dest`'s download.
    pub(crate) fn held_in_this_run(dest: &Path) -> bool {
        let (Some(name), path) = (dest.file_name(), lock_path(dest)) else {
            return false;
        };
        let key = (path, byte_of(&name.to_string_lossy()));
        held_here().iter().any(|(k, _)| *k == key)
    }

    /// [`DownloadLock::take`] while the lock is held by another run: `None`
    /// as soon as a thread of this run holds it instead (the caller waits
    /// for that one otherwise, `rpmmd/fetch.rs`).
    pub(crate) fn take_from_another_run(dest: &Path, url: &str) -> Option<DownloadLock> {
        let give_way = || Self::held_in_this_run(dest);
        Self::take_until(
            dest,
            url,
            Task::Download,
            SAY_AFTER,
            WAIT_AT_MOST,
            &give_way,
        )
    }

    fn take_within(
        dest: &Path,
        url: &str,
        task: Task,
        say: Duration,
        limit: Duration,
    ) -> DownloadLock {
        Self::take_until(dest, url, task, say, limit, &|| false).unwrap_or_else(DownloadLock::none)
    }

    /// [`DownloadLock::take_within`], or `None` once `give_way` holds.
    fn take_until(
        dest: &Path,
        url: &str,
        task: Task,
        say: Duration,
        limit: Duration,
        give_way: &dyn Fn() -> bool,
    ) -> Option<DownloadLock> {
        let (doing, to_do, into, instead) = task.verbs();
        let none = Some(DownloadLock::none());
        let Some((file, byte)) = lock_file_of(dest) else {
            return none;
        };
        let dir = dest.parent().unwrap_or(dest);
        let start = Instant::now();
        let mut said = false;
        loop {
            match try_lock(&file, byte) {
                Ok(()) => return Some(DownloadLock::held(file, dest, byte)),
                // The load this download is for already failed
                // (`cancel.rs`): the download will not be made.
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        && super::cancel::is_cancelled() =>
                {
                    return none
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && give_way() => return None,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let waited = start.elapsed();
                    // Through the tool's handler: above its progress
                    // bars, and not at all under `--quiet`.
                    if waited >= limit {
                        let msg = format!(
                            "{url}: another run sharing the cache has been {doing} it {into} \
                             {} for {} s; {instead}",
                            dir.display(),
                            limit.as_secs()
                        );
                        super::skip::say("warning", &msg);
                        return Some(DownloadLock {
                            _file: None,
                            gave_up: true,
                            here: None,
                        });
                    }
                    if waited >= say && !said {
                        let msg = format!(
                            "{url}: waiting for another run sharing the cache to {to_do} it {into} {}",
                            dir.display()
                        );
                        super::skip::say("note", &msg);
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // No such locks here (EINVAL, ENOLCK, ...): unprotected,
                // as before the lock, rather than failing for want of one.
                Err(_) => return none,
            }
        }
    }
}

/// The lock file of `dest`'s directory, opened (created if need be), and
/// the byte of it that stands for `dest`; `None` where it cannot be
/// opened for writing (no lock is taken then).
fn lock_file_of(dest: &Path) -> Option<(File, i64)> {
    let (dir, name) = (dest.parent()?, dest.file_name()?);
    let path = lock_path(dest);
    let file = std::fs::create_dir_all(dir)
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
        })
        .ok()?;
    Some((file, byte_of(&name.to_string_lossy())))
}

/// The lock file of `dest`'s directory.
fn lock_path(dest: &Path) -> PathBuf {
    dest.parent().unwrap_or(dest).join(LOCK_FILE)
}

/// The byte of the lock file that stands for the file `name`: spread over
/// 2^40 offsets by its hash, so two names share one only by a chance that
/// costs a wait, never a wrong file.
fn byte_of(name: &str) -> i64 {
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 8];
    b[3..].copy_from_slice(&h[..5]);
    i64::from_be_bytes(b)
}

/// Takes the write lock on byte `at` of `f` without waiting.
fn try_lock(f: &File, at: i64) -> std::io::Result<()> {
    byte_lock(f, libc::F_WRLCK, at)
}

/// One `F_OFD_SETLK` of byte `at` of `f`, of `kind` (`F_RDLCK`, `F_WRLCK`,
/// `F_UNLCK`), without waiting: a lock held elsewhere is `WouldBlock`. The
/// kind of lock the download lock and the SRPM cache's record lock
/// (`archful::cache_sums`) take: owned by the open file, so two opens in
/// one process exclude each other, and dropped when the file is closed.
#[cfg(target_os = "linux")]
pub(crate) fn byte_lock(f: &File, kind: libc::c_int, at: i64) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a zeroed `flock` is a valid value; the fields are set below.
    let mut l: libc::flock = unsafe { std::mem::zeroed() };
    l.l_type = kind as libc::c_short;
    l.l_whence = libc::SEEK_SET as libc::c_short;
    l.l_start = at;
    l.l_len = 1;
    // SAFETY: `f` is open for the call; `l` is a valid `flock` (l_pid 0,
    // as F_OFD_SETLK requires).
    match unsafe { libc::fcntl(f.as_raw_fd(), libc::F_OFD_SETLK, &l) } {
        -1 => {
            let e = std::io::Error::last_os_error();
            // A lock held elsewhere reads EAGAIN or EACCES, per fcntl(2).
            if e.raw_os_error() == Some(libc::EACCES) {
                return Err(std::io::ErrorKind::WouldBlock.into());
            }
            Err(e)
        }
        _ => Ok(()),
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn byte_lock(_: &File, _: libc::c_int, _: i64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The lock on `dest`'s download held as another run would hold it: the
/// kernel's lock, not recorded as this run's (for tests).
#[cfg(test)]
pub(crate) fn held_by_another_run(dest: &Path) -> DownloadLock {
    let (file, byte) = lock_file_of(dest).expect("a lock file");
    try_lock(&file, byte).expect("the lock free");
    DownloadLock {
        _file: Some(file),
        gave_up: false,
        here: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two takers of one file wait for each other (each opens the lock
    /// file anew, as two runs do), two files of one directory do not, and
    /// a holder that never lets go is waited for only so long.
    #[test]
    fn one_download_of_a_file_at_a_time() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("aaaa-primary.xml.gz");
        let b = t.path().join("bbbb-filelists.xml.gz");
        let held = DownloadLock::take(&a, "http://m/a");
        assert!(held._file.is_some());
        let other =
            DownloadLock::take_within(&b, "u", Task::Download, Duration::MAX, Duration::ZERO);
        assert!(other._file.is_some(), "another file's lock is free");
        let start = Instant::now();
        let same = DownloadLock::take_within(
            &a,
            "u",
            Task::Download,
            Duration::MAX,
            Duration::from_millis(200),
        );
        assert!(same._file.is_none(), "given up on after the wait");
        assert!(start.elapsed() >= Duration::from_millis(200));
        let a2 = a.clone();
        let waiting = std::thread::spawn(move || {
            DownloadLock::take_within(
                &a2,
                "u",
                Task::Download,
                Duration::MAX,
                Duration::from_secs(30),
            )
        });
        std::thread::sleep(Duration::from_millis(100));
        assert!(!waiting.is_finished());
        drop(held);
        assert!(waiting.join().unwrap()._file.is_some());
    }

    /// The note of a wait and the warning of giving up on it go through
    /// the tool's warning handler, as repository loading's warnings do: a
    /// tool drops them under `--quiet` and prints them above its progress
    /// bars, rather than have them written across the bars.
    #[test]
    fn the_wait_is_told_through_the_tools_handler() {
        // The handler is process-wide and stays set (`skip::captured`,
        // shared by the tests that look at it): the lines naming this
        // test's own URL are its.
        let told = super::super::skip::captured();
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("cccc-primary.xml.gz");
        let _held = DownloadLock::take(&a, "http://m/held");
        let url = "http://m/told/primary.xml.gz";
        let lock = DownloadLock::take_within(
            &a,
            url,
            Task::Download,
            Duration::ZERO,
            Duration::from_millis(100),
        );
        assert!(lock._file.is_none());
        let dir = t.path().display();
        let ours: Vec<String> = told
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains(url))
            .cloned()
            .collect();
        assert_eq!(
            ours,
            [
                format!(
                    "note: {url}: waiting for another run sharing the cache to download it into \
                     {dir}"
                ),
                format!(
                    "warning: {url}: another run sharing the cache has been downloading it into \
                     {dir} for 0 s; downloading it here too"
                ),
            ]
        );
    }
}
