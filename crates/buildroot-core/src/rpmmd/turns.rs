//! In which order a repo's mirrors are asked for one file when it has
//! several (a metalink's, a mirrorlist's, a multi-URL `baseurl=`): as
//! librepo asks them (`select_suitable_mirror` and `sort_mirrors` in its
//! downloader.c, with its `LRO_ALLOWEDMIRRORFAILURES` of 4 and libdnf's
//! `LRO_MAXMIRRORTRIES` of 0, "all of them"). Each mirror is asked once, in
//! the list's order; then, while fewer than 4 requests have been made, the
//! list is gone through again, round after round: in round `k` a mirror is
//! asked only if it has failed at most `k` times, so the one that failed
//! least is asked again first. For one file alone that is `a b a b` for two
//! mirrors that answer 404 (or 503, or reset), `a b c a` for three, one
//! request each for four or more, as dnf 4.14 made them. A local mirror is
//! not asked again (librepo passes over `file://` in its later rounds).
//! Nothing waits between the turns (librepo retries at once); the backoff
//! and `Retry-After` are for a repo of one mirror, whose retries `http.rs`
//! makes.
//!
//! Over a batch of downloads from the same mirrors (a run's SRPMs of a
//! repo, a repo's metadata files), a [`MirrorTally`] keeps what each
//! mirror did, as librepo keeps it over one download of many files, and
//! the turns above count a mirror's failures over the whole batch: dnf
//! 4.14, whose first mirror `a` had answered 404 for primary.xml and
//! filelists.xml and whose `b` and `c` then failed filelists.xml, asked `b`
//! for it again, not `a` (`a b c b`). A mirror that has failed 4 times
//! without one success is not asked again (its "skipping bad mirror"). A
//! file taken from our cache asked no mirror: it counts for none.
//!
//! The list's order changes as librepo's adaptive sorting (on by default
//! in dnf) changes it after each transfer: a mirror that times out (no
//! connection or answer within the timeout, a stall) before it has
//! delivered anything changes places with the last (dnf 4.14, of `a b c`
//! whose `a` timed out, asked `a c`); once a mirror has 3 transfers, a
//! failure moves it one place down when the next one does better (or has
//! fewer than 3 transfers), and a success one place up when the one before
//! does worse, by their shares of successes. The slow or patchy mirror is
//! then asked later for the batch's later files.
//!
//! librepo's second chance, for a mirror that timed out while other
//! transfers to it were running (or after a success, with fewer failures
//! than the connections it once had open), is not modelled: it goes with
//! librepo's limit of parallel connections per mirror, which it lowers at
//! the same time, taking the timeout for a mirror refusing one more
//! connection. These tools never open a second connection to a mirror for
//! one repo's metadata, and the retry it would give (the same mirror again)
//! changes which mirror delivers a file, never its bytes.
//!
//! Failures are not told apart (but a timeout for the order, above), as
//! librepo tells none apart but the few it takes as fatal: a 404, a reset,
//! a stale repomd.xml each end a turn.
//! Ours are the exception: a cache we cannot write, a bad setting, no
//! cache directory end the whole download at once (every mirror would
//! fail alike).

use std::sync::Mutex;

use super::fetch::{is_our_side, Location};
use super::http::HttpSettings;
use super::http_answer::timed_out;
use crate::error::{Error, Result};

/// How many requests librepo makes of a repo's mirrors for one file
/// before it gives up, when it has fewer mirrors than that; and how many
/// failures without a success make a mirror one it asks no more.
pub(super) const ALLOWED_MIRROR_FAILURES: usize = 4;

/// What each of a repo's mirrors did over a batch of downloads (indexed
/// as the batch's `locs`, the same list for every file): its successes
/// and failures, and the order they are asked in, as librepo keeps them
/// per mirror over one download of many files. Shared by the batch's
/// parallel downloads.
#[derive(Debug, Default)]
pub struct MirrorTally(Mutex<Tally>);

#[derive(Debug, Default)]
struct Tally {
    /// Successes and failures, by mirror.
    counts: Vec<(u32, u32)>,
    /// The last failure's line, for a file no mirror is asked for.
    last: Option<String>,
    /// The mirrors in the order they are asked ([`sort`]); empty until
    /// the first transfer.
    order: Vec<usize>,
}

impl Tally {
    fn counts(&self, i: usize) -> (u32, u32) {
        self.counts.get(i).copied().unwrap_or((0, 0))
    }

    /// The order of `n` mirrors, set up on first use.
    fn order(&mut self, n: usize) -> &mut Vec<usize> {
        if self.order.len() != n {
            self.order = (0..n).collect();
        }
        &mut self.order
    }
}

impl MirrorTally {
    /// An empty tally.
    pub fn new() -> MirrorTally {
        MirrorTally::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether mirror `i` failed [`ALLOWED_MIRROR_FAILURES`] times and never
    /// delivered: librepo asks it no more in that download.
    #[cfg(test)]
    fn is_bad(&self, i: usize) -> bool {
        let (ok, failed) = self.lock().counts(i);
        ok == 0 && failed as usize >= ALLOWED_MIRROR_FAILURES
    }

    /// Counts a success of mirror `i` (of `n`), or its failure `failed`,
    /// and moves it in the order as librepo's adaptive sorting would.
    fn record(&self, i: usize, n: usize, failed: Option<&Error>) {
        let mut t = self.lock();
        if t.counts.len() <= i {
            t.counts.resize(i + 1, (0, 0));
        }
        let c = match failed {
            None => &mut t.counts[i].0,
            Some(_) => &mut t.counts[i].1,
        };
        *c = c.saturating_add(1);
        if let Some(e) = failed {
            t.last = Some(e.to_string());
        }
        let serious = failed.is_some_and(timed_out);
        let counts = t.counts.clone();
        let order = t.order(n);
        sort(
            order,
            &|m| counts.get(m).copied().unwrap_or((0, 0)),
            i,
            failed.is_none(),
            serious,
        );
    }

    /// The mirror asked next for a file whose turns so far are `asked`
    /// ([`select`], over the batch's counts and order).
    fn select(&self, locs: &[Location], asked: &[usize], most: usize) -> Option<usize> {
        let mut t = self.lock();
        let order = t.order(locs.len()).clone();
        select(locs, &order, &|m| t.counts(m), asked, most)
    }

    /// The last failure counted: what a file no mirror was asked for
    /// reports, as the downloads that met it may be reported after it.
    pub(super) fn last_failure(&self) -> Option<String> {
        self.lock().last.clone()
    }
}

/// The mirror (an index into `locs`) asked next for a file, as librepo's
/// `select_suitable_mirror` picks it: `order` is the list as it stands,
/// `counts` each mirror's successes and failures (over the batch), `asked`
/// the file's turns so far. The first round asks each mirror not asked
/// yet, but one that failed [`ALLOWED_MIRROR_FAILURES`] times without a
/// success; round `k` (while fewer than `most` requests were made) the
/// first remote one that failed at most `k` times; `None` when done.
/// `most` is `RPM_BUILDROOT_HTTP_RETRIES + 1`, at most
/// [`ALLOWED_MIRROR_FAILURES`]: 1 asks each mirror once; more than 4 would
/// be a burst of 404s on two mirrors that helps no one.
fn select(
    locs: &[Location],
    order: &[usize],
    counts: &dyn Fn(usize) -> (u32, u32),
    asked: &[usize],
    most: usize,
) -> Option<usize> {
    let mut again = false;
    for round in 0..most {
        if round > 0 && !(again && asked.len() < most) {
            break;
        }
        for &i in order {
            let local = !matches!(locs[i], Location::Http(_));
            let (ok, failed) = counts(i);
            let pass = if round == 0 {
                again |= !local;
                asked.contains(&i) || (ok == 0 && failed as usize >= ALLOWED_MIRROR_FAILURES)
            } else {
                local || round < failed as usize
            };
            if !pass {
                return Some(i);
            }
        }
    }
    None
}

/// Moves mirror `i` in `order` after a transfer (`ok`, or a failure,
/// `serious` when it timed out), as librepo's `sort_mirrors` does with
/// the counts that include it: one that timed out before any success
/// changes places with the last; once it has 3 transfers, a failure
/// changes places with the next mirror when that one's share of successes
/// is higher or not judged yet (fewer than 3 transfers), a success with
/// the one before when that one's share is lower or not judged yet.
fn sort(
    order: &mut [usize],
    counts: &dyn Fn(usize) -> (u32, u32),
    i: usize,
    ok: bool,
    serious: bool,
) {
    let Some(at) = order.iter().position(|&m| m == i) else {
        return;
    };
    let last = order.len() - 1;
    if (!ok && at == last) || (ok && at == 0) {
        return;
    }
    if serious && counts(i).0 == 0 {
        order.swap(at, last);
        return;
    }
    // librepo's rank: the share of successes, not judged before 3.
    let rank = |m: usize| {
        let (s, f) = counts(m);
        (s + f >= 3).then(|| f64::from(s) / f64::from(s + f))
    };
    let Some(mine) = rank(i) else {
        return;
    };
    let other = if ok { at - 1 } else { at + 1 };
    let theirs = rank(order[other]);
    let moves = match ok {
        true => theirs.is_none_or(|r| r < mine),
        false => theirs.is_none_or(|r| r > mine),
    };
    if moves {
        order.swap(at, other);
    }
}

/// The mirrors (indices into `locs`) in the order they are asked for one
/// file when every one fails it (none timing out): [`select`] until done.
#[cfg(test)]
fn order(locs: &[Location], retries: u32) -> Vec<usize> {
    let tally = MirrorTally::new();
    let most = (retries as usize + 1).min(ALLOWED_MIRROR_FAILURES);
    let mut asked = Vec::new();
    let fail = Error::Usage("404".into());
    while let Some(i) = tally.select(locs, &asked, most) {
        asked.push(i);
        tally.record(i, locs.len(), Some(&fail));
    }
    asked
}

/// How asking the mirrors in turn ended, when none delivered.
pub(super) struct GaveUp {
    /// The last mirror's error (`None`: every mirror had failed too often
    /// in the batch to be asked, see [`MirrorTally`]).
    pub last: Option<Error>,
    /// How many requests were made in all.
    pub attempts: usize,
}

/// What one turn's mirror gave: `value`, and whether the mirror was asked
/// for it (`false`: it came from our cache, and counts for no mirror).
pub(super) struct Turn<T> {
    pub value: T,
    pub asked: bool,
}

impl<T> Turn<T> {
    /// A value the mirror was asked for.
    pub fn asked(value: T) -> Turn<T> {
        Turn { value, asked: true }
    }
}

/// Runs `get` on the mirrors of `locs` (best first) in librepo's order
/// until one delivers; `s` are the settings of the repo's downloads.
/// With one mirror, `get` runs once with `s` and makes its retries
/// itself (`http.rs`); with several, each turn is one attempt (`s` with
/// no retries, marked as one turn of several), counted in `tally` (a
/// batch's; without one, the file's own). Returns `get`'s value and the
/// index of the mirror, or how it gave up; the outer error is ours, not
/// the mirrors' (see the module docs).
pub(super) fn in_turns<T>(
    locs: &[Location],
    s: &HttpSettings,
    tally: Option<&MirrorTally>,
    mut get: impl FnMut(usize, &HttpSettings) -> Result<Turn<T>>,
) -> Result<std::result::Result<(T, usize), GaveUp>> {
    let one_turn = HttpSettings {
        retries: 0,
        one_turn: true,
        ..s.clone()
    };
    let n = locs.len();
    let most = (s.retries as usize + 1).min(ALLOWED_MIRROR_FAILURES);
    let s = if n == 1 { s } else { &one_turn };
    // One mirror makes its own retries, and is asked whatever it did.
    let own = MirrorTally::new();
    let tally = match tally {
        Some(t) if n > 1 => t,
        _ => &own,
    };
    let mut asked = Vec::new();
    let mut last = None;
    loop {
        let pick = match n {
            1 => Some(0).filter(|_| asked.is_empty()),
            _ => tally.select(locs, &asked, most),
        };
        let Some(i) = pick else { break };
        asked.push(i);
        let got = get(i, s);
        match &got {
            Ok(turn) if !turn.asked => {}
            Ok(_) => tally.record(i, n, None),
            Err(Error::Usage(_) | Error::NoCacheDir { .. }) => {}
            Err(e) if is_our_side(&locs[i], e) => {}
            Err(e) => tally.record(i, n, Some(e)),
        }
        let attempts = asked.len();
        match got {
            Ok(turn) => return Ok(Ok((turn.value, i))),
            // Our own mistakes (no cache, a bad variable) are not the mirror's.
            Err(e @ (Error::Usage(_) | Error::NoCacheDir { .. })) => return Err(e),
            // Nor is an I/O error over HTTP, which is the cache's (a full
            // disk): every other mirror would fail as well, and wrapped in
            // a mirror error it would pass for the repo's own problem, which
            // skip_if_unavailable passes over (`skip.rs`).
            Err(e @ Error::Io { .. }) if is_our_side(&locs[i], &e) => return Err(e),
            Err(e) => last = Some((e, attempts)),
        }
    }
    match last {
        Some((last, attempts)) => Ok(Err(GaveUp {
            last: Some(last),
            attempts,
        })),
        None if asked.is_empty() && !locs.is_empty() => Ok(Err(GaveUp {
            last: None,
            attempts: 0,
        })),
        None => Err(Error::Usage("no repository location".into())),
    }
}

/// How a failure over `mirrors` mirrors says its `attempts`, when they
/// were more than one per mirror (`a b a b`).
pub(super) fn attempts_note(mirrors: usize, attempts: usize) -> String {
    if attempts > mirrors {
        format!(" ({attempts} attempts, taking turns)")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(kinds: &str) -> Vec<Location> {
        kinds
            .chars()
            .enumerate()
            .map(|(i, k)| match k {
                'h' => Location::Http(format!("http://m{i}/")),
                _ => Location::Dir(format!("/srv/m{i}").into()),
            })
            .collect()
    }

    fn http(i: usize, msg: &str) -> Error {
        Error::Http {
            url: format!("m{i}"),
            msg: msg.into(),
        }
    }

    fn not_found(i: usize) -> Error {
        http(i, "HTTP 404")
    }

    fn timeout(i: usize) -> Error {
        http(
            i,
            "timed out: no answer within 1 s (RPM_BUILDROOT_HTTP_TIMEOUT sets the limit)",
        )
    }

    /// The mirrors one file is asked of, in `tally`'s batch, each failing
    /// as `fails` says (`None`: it delivers).
    fn run(
        kinds: &str,
        tally: Option<&MirrorTally>,
        fails: &dyn Fn(usize) -> Option<Error>,
    ) -> Vec<usize> {
        let mut asked = Vec::new();
        let _ = in_turns(&locs(kinds), &HttpSettings::default(), tally, |i, _| {
            asked.push(i);
            fails(i).map_or(Ok(Turn::asked(())), Err)
        });
        asked
    }

    /// The orders dnf 4.14 (librepo) made its requests in, each mirror
    /// answering 404 (503 and resets alike).
    #[test]
    fn mirrors_are_asked_in_librepos_order() {
        assert_eq!(order(&locs("hh"), 3), [0, 1, 0, 1]);
        assert_eq!(order(&locs("hhh"), 3), [0, 1, 2, 0]);
        assert_eq!(order(&locs("hhhhh"), 3), [0, 1, 2, 3, 4]);
        // A local mirror is asked once.
        assert_eq!(order(&locs("dh"), 3), [0, 1, 1, 1]);
        assert_eq!(order(&locs("dd"), 3), [0, 1]);
        // No retries: each once; more than 3: librepo's 4 still.
        assert_eq!(order(&locs("hh"), 0), [0, 1]);
        assert_eq!(order(&locs("hh"), 1), [0, 1]);
        assert_eq!(order(&locs("hhh"), 1), [0, 1, 2]);
        assert_eq!(order(&locs("hh"), 20), [0, 1, 0, 1]);
    }

    /// Over a batch, the later rounds of a file's turns ask first the
    /// mirror that failed least over the batch: dnf 4.14, whose first
    /// mirror had failed primary.xml and filelists.xml, asked `a b c b`
    /// for filelists.xml once `b` and `c` failed it, where a file alone
    /// is asked `a b c a`.
    #[test]
    fn later_rounds_ask_the_mirror_that_failed_least_first() {
        let tally = MirrorTally::new();
        // primary: a fails, b delivers.
        assert_eq!(
            run("hhh", Some(&tally), &|i| (i == 0).then(|| not_found(i))),
            [0, 1]
        );
        // filelists: every one fails; a has failed twice, b and c once.
        assert_eq!(
            run("hhh", Some(&tally), &|i| Some(not_found(i))),
            [0, 1, 2, 1]
        );
        // Alone, the same failures: a b c a.
        assert_eq!(run("hhh", None, &|i| Some(not_found(i))), [0, 1, 2, 0]);
    }

    /// A mirror that times out before it delivered anything changes
    /// places with the last, which is asked next (dnf 4.14, of `a b c`
    /// whose `a` timed out, asked `a c`); over a batch the next file starts
    /// from the list so changed; one that has delivered keeps its place.
    #[test]
    fn a_mirror_that_times_out_changes_places_with_the_last() {
        // Alone: 0 times out, the others answer 404.
        let all_fail = |i: usize| Some(if i == 0 { timeout(0) } else { not_found(i) });
        assert_eq!(run("hhh", None, &all_fail), [0, 2, 1, 2]);
        // A stall, behind a redirect, is a timeout too.
        let stalled = http(
            0,
            "redirected to http://n/x: stalled: less than 1000 bytes/s for 30 s after 5 \
             bytes (RPM_BUILDROOT_HTTP_TIMEOUT and RPM_BUILDROOT_HTTP_MINRATE set the limits)",
        );
        assert!(timed_out(&stalled));
        // A batch: the next file starts from the last mirror.
        let tally = MirrorTally::new();
        let first_times_out = |i: usize| (i == 0).then(|| timeout(0));
        assert_eq!(run("hhh", Some(&tally), &first_times_out), [0, 2]);
        assert_eq!(run("hhh", Some(&tally), &first_times_out), [2]);
        // One that delivered, then timed out, keeps its place.
        let tally = MirrorTally::new();
        assert_eq!(run("hhh", Some(&tally), &|_| None), [0]);
        assert_eq!(run("hhh", Some(&tally), &first_times_out), [0, 1]);
        assert_eq!(run("hhh", Some(&tally), &|_| None), [0]);
    }

    /// librepo's gentler moves, once a mirror has 3 transfers: a failure
    /// moves it one place down when the next does better or is not judged
    /// yet, a success one place up when the one before does worse.
    #[test]
    fn after_3_transfers_a_mirror_moves_by_its_share_of_successes() {
        // a fails every file b delivers: its third failure moves it down.
        let tally = MirrorTally::new();
        let a_fails = |i: usize| (i == 0).then(|| not_found(i));
        let asked: Vec<Vec<usize>> = (0..4).map(|_| run("hh", Some(&tally), &a_fails)).collect();
        assert_eq!(asked, [vec![0, 1], vec![0, 1], vec![0, 1], vec![1]]);
        // a and b fail every file c delivers. The third file: a's third
        // failure puts it below b (not judged yet), c's third success
        // above a; the fourth: b's fourth below c, which then delivers.
        let tally = MirrorTally::new();
        let c_delivers = |i: usize| (i != 2).then(|| not_found(i));
        let asked: Vec<Vec<usize>> = (0..5)
            .map(|_| run("hhh", Some(&tally), &c_delivers))
            .collect();
        assert_eq!(
            asked,
            [
                vec![0, 1, 2],
                vec![0, 1, 2],
                vec![0, 1, 2],
                vec![1, 2],
                vec![2]
            ]
        );
        assert_eq!(tally.lock().order, [2, 1, 0]);
        // The pure moves: fewer than 3 transfers are not judged.
        let counts = |m: usize| [(0, 2), (1, 0), (0, 0)][m];
        let mut order = vec![0, 1, 2];
        sort(&mut order, &counts, 0, false, false);
        assert_eq!(order, [0, 1, 2]);
        let counts = |m: usize| [(1, 2), (1, 0), (0, 0)][m];
        sort(&mut order, &counts, 0, false, false);
        assert_eq!(order, [1, 0, 2]);
        // A timeout after a success is a failure like another.
        let counts = |m: usize| [(1, 2), (3, 1), (0, 0)][m];
        sort(&mut order, &counts, 1, false, true);
        assert_eq!(order, [1, 0, 2]);
    }

    #[test]
    fn each_turn_is_one_attempt_and_the_count_is_kept() {
        let mut seen = Vec::new();
        let r = in_turns(
            &locs("hhh"),
            &HttpSettings::default(),
            None,
            |i, s: &HttpSettings| -> Result<Turn<()>> {
                seen.push((i, s.retries, s.one_turn));
                Err(not_found(i))
            },
        );
        let Ok(Err(gave_up)) = r else {
            panic!("not given up")
        };
        assert_eq!(gave_up.attempts, 4);
        assert_eq!(gave_up.last.unwrap().to_string(), "m0: HTTP 404");
        let once: Vec<(usize, u32, bool)> = [0, 1, 2, 0].iter().map(|&i| (i, 0, true)).collect();
        assert_eq!(seen, once);
        // One mirror: one call, with the retries, which it makes itself.
        let mut calls = Vec::new();
        let _ = in_turns(
            &locs("h"),
            &HttpSettings::default(),
            None,
            |i, s: &HttpSettings| -> Result<Turn<()>> {
                calls.push((i, s.retries, s.one_turn));
                Err(not_found(0))
            },
        );
        assert_eq!(calls, [(0, 3, false)]);
    }

    /// Over a batch, a mirror that failed 4 times without a success is
    /// asked no more, as librepo passes over such a mirror for the rest of
    /// a download; one that delivered once stays; one mirror alone is
    /// always asked.
    #[test]
    fn a_batch_leaves_a_mirror_after_4_failures_without_a_success() {
        let tally = MirrorTally::new();
        let mut asked = Vec::new();
        for _ in 0..6 {
            asked.extend(run("hh", Some(&tally), &|i| (i == 0).then(|| not_found(i))));
        }
        // The third failure moves a below b, which has delivered twice.
        assert_eq!(asked, [0, 1, 0, 1, 0, 1, 1, 1, 1]);
        // Every mirror bad: given up without a request.
        let tally = MirrorTally::new();
        let mut n = 0;
        for round in 0..3 {
            let r = in_turns(
                &locs("hh"),
                &HttpSettings::default(),
                Some(&tally),
                |i, _| {
                    n += 1;
                    Err::<Turn<()>, _>(not_found(i))
                },
            );
            let Ok(Err(g)) = r else {
                panic!("not given up")
            };
            assert_eq!(g.attempts, if round < 2 { 4 } else { 0 });
            assert_eq!(g.last.is_none(), round == 2);
        }
        // The second file: a's third failure put it below b (`b a`), and
        // the later rounds asked the one that had failed least.
        assert_eq!(n, 8);
        assert_eq!(tally.last_failure().unwrap(), "m0: HTTP 404");
        // One that delivered once is not left.
        let tally = MirrorTally::new();
        tally.record(0, 2, None);
        (0..5).for_each(|_| tally.record(0, 2, Some(&not_found(0))));
        assert!(!tally.is_bad(0));
        // One mirror alone: asked every time.
        let tally = MirrorTally::new();
        let mut n = 0;
        for _ in 0..3 {
            let _ = in_turns(
                &locs("h"),
                &HttpSettings::default(),
                Some(&tally),
                |i, _| {
                    n += 1;
                    Err::<Turn<()>, _>(not_found(i))
                },
            );
        }
        assert_eq!(n, 3);
    }

    /// A file taken from our cache asked no mirror: it counts for none,
    /// so a mirror that then times out before it delivered anything still
    /// goes last, as in librepo, which never asked it for the first file.
    #[test]
    fn a_copy_from_the_cache_counts_for_no_mirror() {
        let tally = MirrorTally::new();
        let r = in_turns(
            &locs("hhh"),
            &HttpSettings::default(),
            Some(&tally),
            |_, _| {
                Ok(Turn {
                    value: (),
                    asked: false,
                })
            },
        );
        assert!(matches!(r, Ok(Ok(((), 0)))));
        assert_eq!(tally.lock().counts(0), (0, 0));
        let first_times_out = |i: usize| (i == 0).then(|| timeout(0));
        assert_eq!(run("hhh", Some(&tally), &first_times_out), [0, 2]);
    }
}
