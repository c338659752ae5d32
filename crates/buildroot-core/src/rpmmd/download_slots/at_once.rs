//! A batch's fetches run together ([`at_once`]), on enough threads of
//! their own to fill its slots. librepo runs every transfer of a download
//! in one curl multi handle (`lr_download`); a thread here stands for one
//! of its easy handles, and at most `max_parallel_downloads` of them hold a
//! slot at once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Sets its flag when dropped: forgotten after a fetch that returns, it
/// is dropped only when the fetch panics.
struct StopOnPanic<'a>(&'a AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// `fetch` of every item, `threads` at a time (fewer for fewer items), in
/// the items' order; the first error, in that order, of the fetches made:
/// once one fails or panics, no further one is started (those under way
/// finish; a panic goes on then).
/// Threads of their own rather than rayon's: a batch's downloads must
/// fill their slots on a machine of 2 cores too, and a thread waiting for
/// a slot must not hold one of rayon's.
pub fn at_once<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    fetch: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    at_once_past(items, threads, fetch, |_| false)
        .into_iter()
        .collect()
}

/// [`at_once`], going on past a failed fetch whose error `go_on` accepts
/// (an SRPM no mirror has: the others are still fetched); another error
/// stops the batch as in `at_once`. The answer of each fetch made, in the
/// items' order (those never started are left out).
pub fn at_once_past<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    fetch: impl Fn(&T) -> Result<R> + Sync,
    go_on: impl Fn(&Error) -> bool + Sync,
) -> Vec<Result<R>> {
    let stops = |got: &Result<R>| got.as_ref().is_err_and(|e| !go_on(e));
    let threads = threads.min(items.len());
    if threads <= 1 {
        let mut done = Vec::with_capacity(items.len());
        for item in items {
            let got = fetch(item);
            let stop = stops(&got);
            done.push(got);
            if stop {
                break;
            }
        }
        return done;
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let done: Mutex<Vec<(usize, Result<R>)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    // A fetch that panics stops the batch as an error
                    // does (the panic goes on once the others are done).
                    let stop = StopOnPanic(&failed);
                    let got = fetch(item);
                    std::mem::forget(stop);
                    if stops(&got) {
                        failed.store(true, Ordering::Relaxed);
                    }
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((i, got));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, got)| got).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn at_once_keeps_the_order_and_stops_after_an_error() {
        let items: Vec<usize> = (0..50).collect();
        let got = at_once(&items, 7, |&i| Ok(i * 2)).unwrap();
        assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let started = AtomicUsize::new(0);
        let e = at_once(&items, 1, |&i| {
            started.fetch_add(1, Ordering::SeqCst);
            match i {
                3 => Err(crate::error::Error::Usage(format!("item {i}"))),
                _ => Ok(i),
            }
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "item 3");
        assert_eq!(started.load(Ordering::SeqCst), 4);
    }

    /// A fetch that panics stops the batch as an error does: no further
    /// file is started, and the panic goes on.
    #[test]
    fn at_once_starts_nothing_more_after_a_panic() {
        let items: Vec<usize> = (0..400).collect();
        let started = AtomicUsize::new(0);
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            at_once(&items, 4, |&i| {
                started.fetch_add(1, Ordering::SeqCst);
                if i == 3 {
                    panic!("item 3");
                }
                std::thread::sleep(Duration::from_millis(20));
                Ok(i)
            })
        }));
        assert!(got.is_err());
        // Those started while the panic hook wrote its lines (a backtrace
        // takes a while) are fewer than all.
        let n = started.load(Ordering::SeqCst);
        assert!(n < 200, "{n} started");
    }
}
