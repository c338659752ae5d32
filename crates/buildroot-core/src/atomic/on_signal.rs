//! What a run is building is removed when SIGINT (Ctrl-C), SIGTERM or
//! SIGHUP (the terminal or ssh session gone) ends it: the staging directories and temp files of [`super`] (and the old
//! tree its two-rename swap moves aside, until removed), and the temp
//! files downloads write into the cache (`rpmmd::http`, and the checked
//! copies taken from another mirror's directory or a local repo), are
//! registered while they exist, and on any of these signals a watcher thread removes them,
//! then lets the signal end the process as it would have without us (same
//! exit status). Each is made under the watcher's lock and registered in
//! the same hold ([`register_made`], [`register_made_at`]), and moved into
//! place under it too ([`Registered::rename`]): a signal finds it made and
//! registered, or not yet made; whole where it was, or whole in place. An
//! owner about to move its path into place after the signal came does not:
//! what was interrupted is not swapped in. A SIGKILL leaves them, and the
//! next run into the same output removes them (`remove_stale`).
//!
//! The handler itself only writes the signal's number into a pipe (about
//! all a signal handler may safely do); the thread reading it may lock,
//! allocate and walk directories. Installed with the first registration, so
//! a tool that writes nothing keeps the default dispositions; a signal the
//! process ignores (`nohup`, a background job's SIGINT) stays ignored.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

/// The calling thread's errno location.
#[cfg(any(target_os = "linux", target_os = "android"))]
use libc::__errno_location as errno_location;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
use libc::__error as errno_location;

/// The paths being built now.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The pipe's write end, for the handler.
static PIPE: AtomicI32 = AtomicI32::new(-1);

/// Set by the handler: a signal came, the watcher is ending the process.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A registered path; dropping it unregisters the path (the owner removed
/// it or renamed it into place).
#[derive(Debug)]
pub(crate) struct Registered(PathBuf);

/// Makes `path` with `create` and registers it, under the lock the watcher
/// holds while it removes what is registered: a signal finds the path made
/// and registered, or ends the run before it is made (this thread then
/// waits for the lock until the process ends). Made first and registered
/// after, a signal in between left it. Nothing is registered when `create`
/// fails.
pub(super) fn register_made<R>(
    path: &Path,
    create: impl FnOnce() -> std::io::Result<R>,
) -> std::io::Result<(R, Registered)> {
    register_made_at(create, |_| path.to_path_buf())
}

/// [`register_made`] of a path `create` chooses (a temp directory's random
/// name), which `path_of` reads off what it made. Only the making is
/// under the lock: `create` must be quick (a mkdir, an open), since a
/// signal's cleanup waits for it.
pub(super) fn register_made_at<R>(
    create: impl FnOnce() -> std::io::Result<R>,
    path_of: impl FnOnce(&R) -> PathBuf,
) -> std::io::Result<(R, Registered)> {
    install();
    let mut live = live();
    let made = create()?;
    let path = path_of(&made);
    live.push(path.clone());
    Ok((made, Registered(path)))
}

impl Registered {
    /// Moves the registered path with `rename` (a rename into place, or an
    /// exchange with what is there) under the watcher's lock, so that the
    /// watcher never removes a tree while it moves: std's `remove_dir_all`
    /// works through descriptors and would go on removing the tree at its
    /// new name. After a signal, this thread waits instead, for the watcher
    /// to remove the path and end the process. The path stays registered:
    /// after an exchange it holds the old tree, which a signal removes too.
    pub(super) fn rename<T>(&self, rename: impl FnOnce() -> T) -> T {
        self.rename_leaving(rename, |_| None).0
    }

    /// [`Registered::rename`] of a move that leaves another path to remove
    /// (a two-rename swap's old tree, moved aside): `left` reads it off
    /// what `rename` returned, and it is registered in the same hold of the
    /// lock, so that a signal right after the move removes it too, rather
    /// than leaving it to the next run's sweep.
    pub(super) fn rename_leaving<T>(
        &self,
        rename: impl FnOnce() -> T,
        left: impl FnOnce(&T) -> Option<PathBuf>,
    ) -> (T, Option<Registered>) {
        let mut live = live();
        if INTERRUPTED.load(Ordering::SeqCst) {
            drop(live);
            park_forever();
        }
        let moved = rename();
        let left = left(&moved).map(|p| {
            live.push(p.clone());
            Registered(p)
        });
        drop(live);
        (moved, left)
    }
}

/// Whether `path` is registered now (for tests of when a path is).
#[cfg(test)]
pub(super) fn is_registered(path: &Path) -> bool {
    live().iter().any(|p| p == path)
}

/// After a signal, the calling thread writes nothing more into what the
/// watcher is removing: it waits for the watcher to end the process.
pub(crate) fn wait_if_interrupted() {
    if INTERRUPTED.load(Ordering::SeqCst) {
        park_forever();
    }
}

/// Waits for the watcher to end the process.
fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut live = live();
        if let Some(i) = live.iter().position(|p| *p == self.0) {
            live.swap_remove(i);
        }
    }
}

/// The list, even if a thread panicked holding it (it stays consistent:
/// every change is one push or remove).
fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

extern "C" fn on_signal(sig: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
    notify(PIPE.load(Ordering::Relaxed), sig);
}

/// Writes `sig`'s number into `fd` as a signal handler may: errno is left
/// as it was. The handler runs between any two instructions of the
/// interrupted thread, which may be about to read errno after a failed
/// call of its own; a write that fails (a full pipe) or even succeeds may
/// change it.
fn notify(fd: libc::c_int, sig: libc::c_int) {
    let b = sig as u8;
    // SAFETY: errno is thread-local; the location is the calling thread's,
    // valid for the thread's life.
    let errno = unsafe { errno_location() };
    // SAFETY: as above; reading and writing an int.
    let saved = unsafe { *errno };
    // SAFETY: write(2) is async-signal-safe; `b` lives for the call.
    unsafe { libc::write(fd, (&b as *const u8).cast(), 1) };
    // SAFETY: as above.
    unsafe { *errno = saved };
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return; // No cleanup on signals then; the next run's sweep remains.
        }
        PIPE.store(fds[1], Ordering::Relaxed);
        let watcher = std::thread::Builder::new()
            .name("on-signal".into())
            .spawn(move || watch(fds[0]));
        if watcher.is_err() {
            return;
        }
        // SIGHUP too: a tool run by hand over ssh whose session drops ends
        // by it, and would leave its stage for the next run to sweep.
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            handle(sig);
        }
    });
}

/// Sets [`on_signal`] as `sig`'s handler, unless the signal is ignored.
fn handle(sig: libc::c_int) {
    // SAFETY: sigaction with valid (zeroed, then filled) structs; the
    // handler is an `extern "C" fn(c_int)`, as sa_sigaction without
    // SA_SIGINFO expects.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
            || old.sa_sigaction == libc::SIG_IGN
        {
            return;
        }
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = libc::SA_RESTART;
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Waits for a signal's number on the pipe, removes what is registered, and
/// ends the process by that signal.
fn watch(fd: libc::c_int) {
    let mut b = 0u8;
    loop {
        // SAFETY: reads one byte into `b`.
        match unsafe { libc::read(fd, (&mut b as *mut u8).cast(), 1) } {
            1 => break,
            -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => return,
        }
    }
    // Held to the end: an owner that finishes meanwhile waits here, and does
    // not swap in a tree this removes.
    let live = live();
    for p in live.iter() {
        remove(p);
    }
    // SAFETY: back to the default action, which ends the process, as the
    // signal would have had we not handled it.
    unsafe {
        libc::signal(b.into(), libc::SIG_DFL);
        libc::raise(b.into());
    }
}

/// Removes a directory tree or a file; a few tries, since the run's other
/// threads may still be adding files to a tree.
fn remove(p: &Path) {
    for _ in 0..5 {
        let r = match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
            Ok(_) => std::fs::remove_file(p),
            Err(_) => return,
        };
        if r.is_ok() {
            return;
        }
        // A writer that checked before the signal may be finishing one
        // file; the next one it starts waits (`wait_if_interrupted`).
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::names;
    use std::time::Duration;

    /// While the watcher holds its lock (as it does from a signal until
    /// the process ends), neither an atomic write's temp file nor a
    /// download's nor an output directory's stage is made: a signal finds
    /// one registered, or ends the run before it exists. The atomic writes
    /// and the stages were made first and registered after, so a signal in
    /// between left them behind.
    #[test]
    fn no_temp_file_or_stage_is_made_while_the_watcher_holds_its_lock() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out.txt");
        let held = live();
        let (dir, out2, out_dir) = (t.path().to_path_buf(), out.clone(), t.path().join("dir"));
        let write = std::thread::spawn(move || crate::atomic::write_file(&out2, b"x"));
        let download = std::thread::spawn(move || {
            let made = crate::atomic::temp_removed_on_signal(&dir, crate::rpmmd::new_file_0644);
            made.map(|(tmp, registered)| {
                drop(tmp);
                drop(registered);
            })
        });
        let stage = std::thread::spawn(move || {
            let s = crate::atomic::StagedDir::new(&out_dir)?;
            s.write("f", b"y")?;
            s.commit()
        });
        std::thread::sleep(Duration::from_millis(300));
        let early = names(t.path());
        drop(held);
        write.join().unwrap().unwrap();
        download.join().unwrap().unwrap();
        stage.join().unwrap().unwrap();
        assert_eq!(early, Vec::<String>::new(), "made before it was registered");
        assert_eq!(names(t.path()), ["dir", "out.txt"]);
        assert_eq!(std::fs::read(&out).unwrap(), b"x");
        assert_eq!(std::fs::read(t.path().join("dir/f")).unwrap(), b"y");
    }

    /// The handler's write leaves errno as the interrupted code had it,
    /// even when the write fails (here: no such descriptor, EBADF).
    #[test]
    fn the_handlers_write_leaves_errno_as_it_was() {
        let errno = || std::io::Error::last_os_error().raw_os_error();
        // SAFETY: the calling thread's errno.
        unsafe { *errno_location() = libc::EAGAIN };
        notify(-1, libc::SIGTERM);
        assert_eq!(errno(), Some(libc::EAGAIN), "a failed write changed errno");
        let (r, w) = {
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for the two descriptors.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            (fds[0], fds[1])
        };
        // SAFETY: the calling thread's errno.
        unsafe { *errno_location() = libc::EINTR };
        notify(w, libc::SIGINT);
        assert_eq!(errno(), Some(libc::EINTR), "a write changed errno");
        let mut b = 0u8;
        // SAFETY: reads one byte into `b`; closes the two descriptors made above.
        unsafe {
            assert_eq!(libc::read(r, (&mut b as *mut u8).cast(), 1), 1);
            libc::close(r);
            libc::close(w);
        }
        assert_eq!(i32::from(b), libc::SIGINT);
    }

    /// A stage is swapped in under the watcher's lock, and stays
    /// registered until then: a signal's cleanup never removes a tree
    /// while it moves, and finds it at the stage's name or whole in place.
    #[test]
    fn a_stage_is_not_swapped_in_while_the_watcher_holds_its_lock() {
        let t = tempfile::tempdir().unwrap();
        let out_dir = t.path().join("dir");
        let s = crate::atomic::StagedDir::new(&out_dir).unwrap();
        s.write("f", b"y").unwrap();
        let stage = s.path().to_path_buf();
        assert!(live().contains(&stage), "a stage is registered");
        let held = live();
        let commit = std::thread::spawn(move || s.commit());
        std::thread::sleep(Duration::from_millis(300));
        let early = names(t.path());
        drop(held);
        commit.join().unwrap().unwrap();
        assert!(!early.contains(&"dir".to_string()), "swapped in: {early:?}");
        assert_eq!(names(t.path()), ["dir"]);
        assert!(!live().contains(&stage), "let go after the swap");
    }
}
