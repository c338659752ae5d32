//! Stopping the transfers of a load that has already failed. libdnf
//! loads its repos one after the other and raises at once when a repo
//! without `skip_if_unavailable` fails (`Repo::Impl::load`, through
//! `Base.fill_sack`); librepo, told to fail fast, ends the other
//! transfers of its download (`lr_download`'s `failfast`). Our load
//! downloads several repos' files at once (`load.rs`, `early_fetch.rs`,
//! `opened_repos.rs`), so once the error it will report is known, the
//! others' transfers are useless: waiting for them (a stalled
//! filelists.xml, a retry's backoff) only delayed the error by their
//! timeouts.
//!
//! A [`Cancel`] is set once that error is known. The threads doing the
//! useless work run under it ([`Cancel::within`]: a thread-local, as the
//! held slot of `download_slots.rs` is), and every wait of a transfer
//! looks at it: a transfer waiting for a slot leaves the queue, a
//! retry's backoff ends early and no next attempt starts
//! (`http/attempts.rs`), an attempt under way is abandoned as a stalled
//! one is (its thread may stay blocked in a read, but writes nothing
//! more, and its temp file is removed), a wait for another run's
//! download lock ends. Such a transfer ends with [`Error::Cancelled`],
//! which counts for no mirror and is never reported: the caller already
//! has its error.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use super::download_slots::{keeping_failed, DownloadSlots};
use crate::error::{Error, Result};

/// A flag the transfers of one piece of work look at; clones share it.
#[derive(Clone, Debug, Default)]
pub(super) struct Cancel(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    set: AtomicBool,
    /// The slots its transfers wait in, woken when it is set; and the
    /// lock its sleeps wait under.
    slots: Mutex<Vec<Weak<DownloadSlots>>>,
    wake: Condvar,
}

thread_local! {
    /// The [`Cancel`] this thread's transfers run under, if any.
    static CURRENT: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

impl Cancel {
    /// A flag not set.
    pub(super) fn new() -> Cancel {
        Cancel::default()
    }

    /// Sets the flag and wakes every transfer of it that waits.
    pub(super) fn cancel(&self) {
        self.0.set.store(true, Ordering::SeqCst);
        let slots: Vec<_> = {
            let held = self.0.slots.lock().unwrap_or_else(|e| e.into_inner());
            self.0.wake.notify_all();
            held.iter().filter_map(Weak::upgrade).collect()
        };
        for s in slots {
            s.wake_all();
        }
    }

    /// Whether the flag is set.
    pub(super) fn is_set(&self) -> bool {
        self.0.set.load(Ordering::SeqCst)
    }

    /// Runs `f` with this flag as this thread's (the previous one back
    /// after it).
    pub(super) fn within<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Cancel>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                CURRENT.with(|c| *c.borrow_mut() = before);
            }
        }
        let before = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        let _restore = Restore(before);
        f()
    }

    /// Wakes the waiters of `slots` when the flag is set: called by a
    /// transfer before it waits there, so that [`Cancel::cancel`] finds
    /// it (or it finds the flag set, under the slots' lock).
    pub(super) fn watch(&self, slots: &Arc<DownloadSlots>) {
        let mut held = self.0.slots.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|w| w.strong_count() > 0);
        if !held
            .iter()
            .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(slots)))
        {
            held.push(Arc::downgrade(slots));
        }
    }
}

/// This thread's [`Cancel`], if it runs under one.
pub(super) fn current() -> Option<Cancel> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Whether this thread's [`Cancel`] is set.
pub(super) fn is_cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Cancel::is_set))
}

/// [`Error::Cancelled`] when this thread's [`Cancel`] is set.
pub(super) fn check() -> Result<()> {
    match is_cancelled() {
        true => Err(Error::Cancelled),
        false => Ok(()),
    }
}

/// Sleeps `d`, or less when this thread's [`Cancel`] is set meanwhile.
pub(super) fn sleep(d: Duration) {
    let Some(c) = current() else {
        std::thread::sleep(d);
        return;
    };
    let until = Instant::now() + d;
    let mut held = c.0.slots.lock().unwrap_or_else(|e| e.into_inner());
    while !c.is_set() {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            return;
        };
        held =
            c.0.wake
                .wait_timeout(held, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
    }
}

/// `each` of every index below `n`, each on a thread of its own under a
/// [`Cancel`] of its own (a load's repos opened at once), in index order.
/// Once index `i` ends with an error `fatal` says ends the work (the
/// caller reports the first such error by index), those after `i` are
/// cancelled: whatever they give, the error said is `i`'s or an earlier
/// one's, which are still waited for. A thread that panicked: the panic
/// goes on here.
pub(super) fn each_until_fatal<T: Send>(
    n: usize,
    each: impl Fn(usize) -> Result<T> + Sync,
    fatal: impl Fn(usize, &Error) -> bool + Sync,
) -> Vec<Result<T>> {
    let cancels: Vec<Cancel> = (0..n).map(|_| Cancel::new()).collect();
    let cancels = &cancels;
    std::thread::scope(|scope| {
        let threads: Vec<_> = cancels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (each, fatal) = (&each, &fatal);
                scope.spawn(move || {
                    // The later ones are cancelled here, before the slot
                    // of a file that failed for good is given back
                    // (`download_slots::keeping_failed`): given back
                    // first, it went to a later one's waiting transfer.
                    let stop_later = |got: &Result<T>| {
                        if got.as_ref().is_err_and(|e| fatal(i, e)) {
                            cancels[i + 1..].iter().for_each(Cancel::cancel);
                        }
                    };
                    keeping_failed(|| c.within(|| each(i)), stop_later)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backoff under a flag set meanwhile ends at once; the flag is the
    /// thread's only while `within` runs.
    #[test]
    fn a_sleep_ends_when_its_flag_is_set() {
        let c = Cancel::new();
        let setter = c.clone();
        let t = std::thread::spawn(move || {
            c.within(|| {
                let start = Instant::now();
                sleep(Duration::from_secs(60));
                (start.elapsed(), is_cancelled(), check().is_err())
            })
        });
        // Set before or during the sleep: either way it ends.
        setter.cancel();
        let (took, cancelled, err) = t.join().unwrap();
        assert!(took < Duration::from_secs(30), "{took:?}");
        assert!(cancelled && err);
        assert!(!is_cancelled(), "not this thread's");
        let other = Cancel::new();
        setter.within(|| other.within(|| assert!(!is_cancelled())));
        assert!(current().is_none());
    }
}
