//! A repo's primary.xml fetched while the repos after it are still being
//! opened, when one of those is slow (a repomd.xml that stalls).
//!
//! dnf 4 loads its repos one after the other (`Base.fill_sack`), each
//! whole (`Repo::Impl::load`: repomd.xml, then the files it lists) before
//! it opens the next; so an earlier repo's primary.xml that fails is what
//! it says, at once, whatever a later repo's server does. Our load opens
//! every repo (`opened_repos.rs`) before it reads any primary.xml (the
//! pool cache is keyed by every repomd.xml), so a later repomd.xml that
//! stalled held that error back by its timeouts: four stalled attempts,
//! two minutes at dnf's 30 s.
//!
//! So a repo that is open while a repo after it still is not, [`GRACE`]
//! later, fetches its primary.xml there and then (into the cache, under
//! the load's slots, with the same failover, retries and errors, ranked as
//! the load ranks it). A failure is the repo's failure to open: the repos
//! after it stop (`cancel.rs`), and the error said is the first in load
//! order, as for a repomd.xml that fails. A fetch that succeeds is kept
//! for the load ([`Opened::keep_primary_fetched`]), which opens that copy
//! instead of fetching it again. The grace keeps a load whose repos open
//! promptly as it was: its primaries fetched together once every repo is
//! open, the first one parsed while the next ones download. A copy the
//! cache already has by name, a local repo, or no cache directory: nothing
//! is fetched early (there is no transfer to wait for).

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::rank::{self, Rank, Role};
use super::{cancel, fetch_meta, needs_download, LoadOptions, Opened};
use crate::error::Result;

/// How long an open repo waits for the repos after it to open before it
/// fetches its primary.xml early: far above a repomd.xml's round trip,
/// far below a stall's timeout.
pub(super) const GRACE: Duration = Duration::from_secs(1);

/// Which of a load's repos are done opening (opened or failed).
pub(super) struct Opening {
    done: Mutex<Vec<bool>>,
    changed: Condvar,
}

impl Opening {
    /// `n` repos, none done.
    pub(super) fn new(n: usize) -> Opening {
        Opening {
            done: Mutex::new(vec![false; n]),
            changed: Condvar::new(),
        }
    }

    /// Repo `i` is done opening, however it ended.
    pub(super) fn done(&self, i: usize) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        done[i] = true;
        self.changed.notify_all();
    }

    /// Whether a repo after `i` is still opening after `grace`, or once
    /// this thread's load is cancelled (`cancel.rs`: then nothing is
    /// fetched).
    fn later_still_opening(&self, i: usize, grace: Duration) -> bool {
        let until = Instant::now() + grace;
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if done[i + 1..].iter().all(|d| *d) || cancel::is_cancelled() {
                return false;
            }
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return true;
            };
            // Woken by each repo done; the cancel looked at every 50 ms.
            let step = left.min(Duration::from_millis(50));
            done = self
                .changed
                .wait_timeout(done, step)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Fetches `o`'s primary.xml (`o`: the repo at `i` in load order, just
/// opened) when a repo after it is still opening [`GRACE`] later and the
/// load would download the file; its error is `o`'s.
pub(super) fn fetch_if_later_slow(
    o: &Opened,
    i: usize,
    opts: &LoadOptions,
    opening: &Opening,
) -> Result<()> {
    if !needs_download(o, "primary", opts) || !opening.later_still_opening(i, GRACE) {
        return Ok(());
    }
    match rank::within(Rank::of(i, Role::Primary), || {
        fetch_meta(o, "primary", opts)
    }) {
        Some(Err(e)) => Err(e),
        Some(got) => {
            o.keep_primary_fetched(got);
            Ok(())
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open repo waits for the later ones: not past the grace when they
    /// open, and it says whether one was still opening.
    #[test]
    fn a_repo_waits_for_the_later_ones_only_so_long() {
        let opening = Opening::new(3);
        opening.done(0);
        let start = Instant::now();
        assert!(opening.later_still_opening(0, Duration::from_millis(100)));
        assert!(start.elapsed() >= Duration::from_millis(100));
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                opening.done(2);
                opening.done(1);
            });
            let start = Instant::now();
            assert!(!opening.later_still_opening(0, Duration::from_secs(30)));
            assert!(start.elapsed() < Duration::from_secs(20));
        });
        // The last repo has none after it.
        assert!(!opening.later_still_opening(2, Duration::from_secs(30)));
        // A cancelled load fetches nothing.
        let late = Opening::new(2);
        let c = cancel::Cancel::new();
        c.cancel();
        assert!(!c.within(|| late.later_still_opening(0, Duration::from_secs(30))));
    }
}
