//! A repo's primary.xml (and its filelists.xml, when the load will read
//! them) fetched while a repo after it is slow to open (its repomd.xml
//! stalling), so that the earlier repo's failure is said without waiting
//! for the later repo's timeouts.
//!
//! dnf 4 loads its repos one after the other (`Base.fill_sack`), each whole
//! (`Repo::Impl::load`: repomd.xml, then the files it lists, primary and
//! filelists in one librepo download) before it opens the next: an earlier
//! repo's primary.xml or filelists.xml that fails is what it says, at once,
//! whatever a later repo's server does. Our load opens every repo
//! (`opened_repos.rs`) before it reads any primary.xml, as the pool cache is
//! keyed by every repomd.xml; so a later repomd.xml that stalled held that
//! error back by its timeouts.
//!
//! So a repo that is open, the repos before it open too, while a repo after
//! it is still opening [`GRACE`] later, fetches its primary.xml on a thread
//! of its own ([`EarlyFile`]), and its filelists.xml on another when the
//! load knows from its start that it reads them (`Filelists::read_from_start`;
//! under `Needed` that is known only from the primaries' dependencies),
//! ranked as the load ranks them (`rank.rs`: the repo's place among the
//! repos that opened), under the load's slots, with the same failover,
//! retries and errors. Their failure is the repo's failure to open (the
//! primary.xml's first, as the load reads it first): the repos after it
//! stop (`cancel.rs`; a repo with `skip_if_unavailable` is left out and the
//! others go on) and the error is said in load order, as a repomd.xml that
//! fails. The opening does not wait for the fetches beyond the later repos'
//! opening: the load takes their answers over ([`EarlyFile::take`],
//! `load.rs`, `early_fetch.rs`), waiting for each in the thread that reads
//! it only, so the other repos' primaries start as they did (the open
//! waited for the fetch to end, and they queued behind it: a load took
//! 5.03 s, was 3.55 s). Nothing is fetched when there is no transfer to
//! make (a local repo, a copy the cache holds by name, no cache directory),
//! when the repos open within the grace (the load as it was), or when the
//! caller's pool cache may answer for the repos opened so far
//! ([`MayAnswer`], `pool/cache.rs`): a load the pool cache answers reads no
//! primary.xml, and downloaded one, and failed on it where it used to
//! succeed. Should the pool cache answer all the same (another run wrote
//! the pool meanwhile), the fetches are stopped and waited for
//! ([`EarlyFile::stop_and_wait`]), so their temp files are gone when the
//! load returns.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::cancel::{self, Cancel};
use super::download_slots::keeping_failed;
use super::rank::{self, Rank, Role};
use super::{fetch_meta, needs_download, skip, Fetched, LoadOptions, Opened};
use crate::error::{Error, Result};

/// How long an open repo waits for the repos after it to open before it
/// fetches its primary.xml: far above a repomd.xml's round trip, far below
/// a stall's timeout.
pub(super) const GRACE: Duration = Duration::from_secs(1);

/// Whether a cached pool may answer for a load whose repos (in load order)
/// begin with repos of these fingerprints (`OpenedRepos::repo_fingerprint`;
/// `None`: a repo whose contents cannot be keyed). The caller's: only a
/// pool's load has a pool cache.
pub(crate) type MayAnswer<'a> = &'a (dyn Fn(&[Option<[u8; 32]>]) -> bool + Sync);

/// What a load's repos are while they open.
enum State {
    /// Still opening.
    Opening,
    /// Opened, with its fingerprint.
    Opened(Option<[u8; 32]>),
    /// Failed or left out.
    Gone,
}

/// Which of a load's repos are done opening, and the flags their opening
/// runs under (an early fetch that fails for good stops the later ones).
pub(super) struct Opening {
    repos: Mutex<Repos>,
    changed: Condvar,
}

/// [`Opening`]'s data, behind its lock.
struct Repos {
    /// Each repo's state.
    state: Vec<State>,
    /// The flag each repo's opening runs under, once it has started.
    flags: Vec<Option<Cancel>>,
    /// The repo after which the opening was stopped, if it was.
    stopped_after: Option<usize>,
}

impl Opening {
    /// `n` repos, none done.
    pub(super) fn new(n: usize) -> Opening {
        Opening {
            repos: Mutex::new(Repos {
                state: (0..n).map(|_| State::Opening).collect(),
                flags: vec![None; n],
                stopped_after: None,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Repos> {
        self.repos.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Repo `i`'s opening runs under this thread's flag: cancelled at
    /// once when a repo before it has failed for good already.
    pub(super) fn register(&self, i: usize) {
        let Some(c) = cancel::current() else { return };
        let mut r = self.lock();
        if r.stopped_after.is_some_and(|k| i > k) {
            c.cancel();
        }
        r.flags[i] = Some(c);
    }

    /// Stops the opening of the repos after `k`.
    fn cancel_after(&self, k: usize) {
        let mut r = self.lock();
        r.stopped_after = Some(r.stopped_after.map_or(k, |e| e.min(k)));
        r.flags[k + 1..].iter().flatten().for_each(Cancel::cancel);
    }

    /// Repo `i`, open, failed an early fetch for good: the repo is not
    /// loaded. Left out by `skip_if_unavailable` (`left_out`), it holds no
    /// place among the repos that opened, so the early fetches of the
    /// repos after it that start from now on rank as the load that follows
    /// will (it counted as opened, one place too far); otherwise the
    /// repos after it stop, as the load ends with its error.
    fn failed_early(&self, i: usize, left_out: bool) {
        if left_out {
            self.done(i, None);
        } else {
            self.cancel_after(i);
        }
    }

    /// Repo `i` is done opening: `fingerprint` when it opened.
    pub(super) fn done(&self, i: usize, fingerprint: Option<Option<[u8; 32]>>) {
        self.lock().state[i] = match fingerprint {
            Some(f) => State::Opened(f),
            None => State::Gone,
        };
        self.changed.notify_all();
    }

    /// Waits until every repo after `i` is done opening or `until` comes
    /// (`None`: no bound) or `stop` holds; whether one was still opening
    /// then. The cancel of this thread's work is looked at every 50 ms.
    fn later_opening(&self, i: usize, until: Option<Instant>, stop: &dyn Fn() -> bool) -> bool {
        let mut r = self.lock();
        loop {
            if r.state[i + 1..]
                .iter()
                .all(|st| !matches!(st, State::Opening))
            {
                return false;
            }
            if stop() || cancel::is_cancelled() {
                return true;
            }
            let left = match until {
                Some(u) => match u.checked_duration_since(Instant::now()) {
                    Some(left) => left,
                    None => return true,
                },
                None => Duration::from_millis(50),
            };
            r = self
                .changed
                .wait_timeout(r, left.min(Duration::from_millis(50)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The fingerprints of the repos opened up to `i` (those left out
    /// skipped), when every one before it is done opening.
    fn prefix(&self, i: usize) -> Option<Vec<Option<[u8; 32]>>> {
        let r = self.lock();
        let mut out = Vec::new();
        for st in &r.state[..=i] {
            match st {
                State::Opening => return None,
                State::Opened(f) => out.push(*f),
                State::Gone => {}
            }
        }
        Some(out)
    }
}

/// The place in the load's order of the repo that ends `prefix` (the
/// repos opened up to it, [`Opening::prefix`]): the load ranks the repos
/// that opened, and the early fetches rank as it does.
fn load_place(prefix: &[Option<[u8; 32]>]) -> usize {
    prefix.len().saturating_sub(1)
}

/// A repo's metadata file fetched on a thread of its own: under way, its
/// answer, or taken by the load.
pub(super) struct EarlyFile {
    got: Mutex<Got>,
    ended: Condvar,
    /// The fetch's flag: set when nothing will read its answer.
    cancel: Cancel,
}

enum Got {
    UnderWay,
    Done(Option<Fetched>),
    Taken,
}

impl EarlyFile {
    fn new() -> EarlyFile {
        EarlyFile {
            got: Mutex::new(Got::UnderWay),
            ended: Condvar::new(),
            cancel: Cancel::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Got> {
        self.got.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the fetch if it is still under way (its answer is not wanted).
    pub(super) fn stop(&self) {
        self.cancel.cancel();
    }

    /// Stops the fetch and waits until its thread has given its answer,
    /// which leaves no temp file behind: a download stopped returns within
    /// a watcher's look (0.1 s), its temp file removed (an attempt's
    /// thread blocked in a read is left behind, writing nothing). For a
    /// load that will read no answer and is about to return.
    pub(super) fn stop_and_wait(&self) {
        self.stop();
        let mut got = self.lock();
        while matches!(*got, Got::UnderWay) {
            got = self
                .ended
                .wait_timeout(got, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The fetch's answer, once it has ended (`None`: taken already,
    /// repomd.xml lists no such file, or the fetch was stopped for a load
    /// that no longer wanted it: the caller fetches as usual). Waits under
    /// this thread's cancel: set meanwhile, the fetch is stopped too.
    pub(super) fn take(&self) -> Option<Fetched> {
        let mut got = self.lock();
        loop {
            match std::mem::replace(&mut *got, Got::Taken) {
                Got::UnderWay => *got = Got::UnderWay,
                // Stopped by a load that failed at an earlier repo; one
                // started again without that repo (`skip_if_unavailable`,
                // `skip.rs`) reads this one, and the stop said nothing of
                // it (taken as its answer, that load failed with "download
                // stopped").
                Got::Done(Some(Err(Error::Cancelled))) => return None,
                Got::Done(f) => return f,
                Got::Taken => return None,
            }
            if cancel::is_cancelled() {
                self.stop();
                return Some(Err(Error::Cancelled));
            }
            got = self
                .ended
                .wait_timeout(got, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The answer's error, if the fetch has ended with one (not taken).
    fn failed(&self) -> Option<Error> {
        let mut got = self.lock();
        match &*got {
            Got::Done(Some(Err(_))) => match std::mem::replace(&mut *got, Got::Taken) {
                Got::Done(Some(Err(e))) => Some(e),
                _ => unreachable!("matched above"),
            },
            _ => None,
        }
    }

    /// Whether the fetch has ended, and whether with an error.
    fn ended_failing(&self) -> (bool, bool) {
        match &*self.lock() {
            Got::UnderWay => (false, false),
            Got::Done(Some(Err(_))) => (true, true),
            _ => (true, false),
        }
    }
}

/// After repo `o` (at `i` in load order) has opened: when a repo after it
/// is still opening [`GRACE`] later, the repos before it are all done, the
/// load would download its primary.xml or (read from the start) its
/// filelists.xml, and `may_answer` says no cached pool may answer, starts
/// their fetches ([`EarlyFile`], kept in `o` for the load), and waits until
/// the later repos are done opening or the fetches have decided the
/// repo's fate: the primary.xml failed, or both ended. A fetch that failed
/// is the repo's error, the primary.xml's first (the load reads it first);
/// one that ends the load (not passed over by `skip_if_unavailable`,
/// `skip.rs`) stops the later repos' opening before its slot is given back.
pub(super) fn after_open(
    o: &mut Opened,
    i: usize,
    opts: &LoadOptions,
    opening: &Arc<Opening>,
    may_answer: MayAnswer<'_>,
) -> Result<()> {
    let primary = needs_download(o, "primary", opts);
    let filelists = opts.filelists.read_from_start() && needs_download(o, "filelists", opts);
    if !primary && !filelists {
        return Ok(());
    }
    if !opening.later_opening(i, Some(Instant::now() + GRACE), &|| false) {
        return Ok(());
    }
    let Some(prefix) = opening.prefix(i) else {
        return Ok(());
    };
    if cancel::is_cancelled() || may_answer(&prefix) {
        return Ok(());
    }
    // Ranked as the load will rank the repo: by its place among the repos
    // that opened (`prefix` ends with it), not among all those configured.
    // A repo left out before it (`skip_if_unavailable`) holds no place in
    // the load: counted, it put this repo's files level with, or behind,
    // a later repo's in the load's queue (its primary.xml lent its slot to
    // that repo's over a backoff, its filelists.xml came after that repo's
    // primary.xml).
    let place = load_place(&prefix);
    let this = o.clone();
    let start = |kind: &'static str, role: Role| {
        let early = Arc::new(EarlyFile::new());
        let (repo, opts, theirs, opening_t) =
            (this.clone(), opts.clone(), early.clone(), opening.clone());
        let fetch = move || {
            let fetch = || rank::within(Rank::of(place, role), || fetch_meta(&repo, kind, &opts));
            let stop_later = |got: &Option<Fetched>| match got {
                // Stopped: its repo failed otherwise (its other file), or
                // the load did, and whoever failed has said what that
                // ends. Taken for a failure of its own, it stopped the
                // repos after a repo `skip_if_unavailable` left out, and
                // the load failed with "download stopped".
                Some(Err(Error::Cancelled)) => {}
                Some(Err(e)) => opening_t.failed_early(i, skip::skips(&repo.spec, e, &opts)),
                _ => {}
            };
            keeping_failed(|| theirs.cancel.within(fetch), stop_later)
        };
        // No thread: the load fetches it as usual.
        spawn_fetch(&format!("early-{kind}-{i}"), &early, opening, fetch)
            .ok()
            .map(|()| early)
    };
    o.early = primary.then(|| start("primary", Role::Primary)).flatten();
    o.early_filelists = filelists
        .then(|| start("filelists", Role::Filelists))
        .flatten();
    let (p, f) = (o.early.clone(), o.early_filelists.clone());
    let state =
        |e: &Option<Arc<EarlyFile>>| e.as_ref().map_or((true, false), |e| e.ended_failing());
    let decided = || {
        let (p_ended, p_failed) = state(&p);
        p_failed || (p_ended && state(&f).0)
    };
    opening.later_opening(i, None, &decided);
    let err = match p.as_ref().and_then(|p| p.failed()) {
        Some(e) => Some(e),
        // The filelists.xml's error only once the primary.xml is had: the
        // load would say the primary's first.
        None if state(&p).0 => f.as_ref().and_then(|f| f.failed()),
        None => None,
    };
    match err {
        Some(e) => {
            // The repo is not loaded: its other fetch is not wanted, and
            // is gone, temp file and all, before its error is said.
            o.stop_and_wait_early();
            Err(e)
        }
        None => Ok(()),
    }
}

/// Runs `fetch` (named `name`) on a thread of its own, not the opening's:
/// the load takes the answer over, and nothing waits for the fetch but the
/// thread that reads the file. The answer is set however the thread ends:
/// one that panics (a bug) leaves none, and the load fetches the file as
/// usual (its reader waited for ever for it, holding the load up).
fn spawn_fetch(
    name: &str,
    early: &Arc<EarlyFile>,
    opening: &Arc<Opening>,
    fetch: impl FnOnce() -> Option<Fetched> + Send + 'static,
) -> std::io::Result<()> {
    /// Sets the answer (`None` until the fetch gives one) when dropped.
    struct Ends(Arc<EarlyFile>, Arc<Opening>, Option<Fetched>);
    impl Drop for Ends {
        fn drop(&mut self) {
            let got = self.2.take();
            *self.0.lock() = Got::Done(got);
            self.0.ended.notify_all();
            self.1.changed.notify_all();
        }
    }
    let ends = Ends(early.clone(), opening.clone(), None);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            // The whole guard moved in: dropped as this thread ends.
            let mut ends = ends;
            ends.2 = fetch();
        })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repo's early fetches take the place the load gives it: among
    /// the repos that opened. Repo 0 left out (its repomd.xml failed under
    /// `skip_if_unavailable`), repo 1 is the load's first, repo 2 its
    /// second (they were ranked 1 and 2, level with or behind the load's
    /// transfers of the repos after them); a repo still opening before it
    /// leaves it none yet (no early fetch then).
    #[test]
    fn early_fetches_rank_among_the_repos_that_opened() {
        let opening = Opening::new(4);
        opening.done(0, None);
        opening.done(1, Some(None));
        let place = |i| opening.prefix(i).map(|p| load_place(&p));
        assert_eq!(place(1), Some(0));
        assert_eq!(place(3), None, "repo 2 is still opening");
        opening.done(2, Some(Some([7; 32])));
        opening.done(3, None);
        assert_eq!(place(2), Some(1));
        assert!(
            Rank::of(place(1).unwrap(), Role::Filelists) < Rank::of(1, Role::Primary),
            "repo 1's filelists.xml before repo 2's primary.xml in the load"
        );
    }

    /// A repo that opened and then failed its early primary.xml under
    /// `skip_if_unavailable` is left out: the repos after it take their
    /// places as if it had never opened (repo 2 was ranked 1, level with
    /// the load's second repo, whose files it then lent its slot to). One
    /// that fails without it stops the repos after it instead, and keeps
    /// its place.
    #[test]
    fn a_repo_left_out_after_its_early_fetch_holds_no_place() {
        let opening = Opening::new(3);
        for i in 0..3 {
            opening.done(i, Some(Some([i as u8; 32])));
        }
        let place = |i| opening.prefix(i).map(|p| load_place(&p));
        assert_eq!(place(1), Some(1));
        opening.failed_early(0, true);
        assert_eq!(place(1), Some(0));
        assert_eq!(place(2), Some(1));
        assert_eq!(opening.prefix(2).unwrap(), [Some([1; 32]), Some([2; 32])]);
        assert_eq!(opening.lock().stopped_after, None);
        // Not left out: the load fails at it, and the repos after it stop.
        opening.failed_early(1, false);
        assert_eq!(opening.lock().stopped_after, Some(1));
        assert_eq!(place(2), Some(1));
    }

    /// A fetch whose thread panics (a bug) leaves an answer all the same,
    /// none, so the load fetches the file as usual: its reader waited for
    /// ever for an answer that would never come.
    #[test]
    fn a_fetch_that_panics_leaves_the_load_to_fetch_as_usual() {
        let early = Arc::new(EarlyFile::new());
        let opening = Arc::new(Opening::new(2));
        spawn_fetch("early-primary-0", &early, &opening, || panic!("a bug")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = early.clone();
        std::thread::spawn(move || tx.send(reader.take().is_none()));
        let none = rx.recv_timeout(Duration::from_secs(10));
        assert_eq!(none, Ok(true), "the load's reader still waits");
        assert!(early.ended_failing().0);
    }
}
