//! In which order a repo's mirrors are asked for one file when it has
//! several (a metalink's, a mirrorlist's, a multi-URL `baseurl=`): as
//! librepo asks them (`select_suitable_mirror` and `can_retry_download` in
//! its downloader.c, with its `LRO_ALLOWEDMIRRORFAILURES` of 4 and libdnf's
//! `LRO_MAXMIRRORTRIES` of 0, "all of them"). Each mirror is asked once, in
//! the list's order; while fewer than 4 requests have been made, the
//! mirrors are asked again in turn, from the first, until 4 have: two
//! mirrors that answer 404 (or 503, or reset) get `a b a b`, three `a b c
//! a`, four or more one request each, as dnf 4.14 made them. A local
//! mirror is not asked again (librepo passes over `file://` in its later
//! rounds). Nothing waits between the turns (librepo retries at once); the
//! backoff and `Retry-After` are for a repo of one mirror, whose retries
//! `http.rs` makes.
//!
//! Over a batch of downloads from the same mirrors (a run's SRPMs of a
//! repo, a repo's metadata files), a [`MirrorTally`] keeps what each
//! mirror did, as librepo keeps it over one download of many files: a
//! mirror that has failed 4 times without one success is not asked again
//! (its "skipping bad mirror").
//!
//! A mirror that times out (no connection or answer within the timeout, a
//! stall) before it has delivered anything changes places with the last
//! mirror of the list, as librepo's adaptive sorting (`sort_mirrors`, on by
//! default in dnf) moves it: the next mirror asked is the last one, and
//! over a batch the later files start from the list so changed (dnf 4.14,
//! of `a b c` whose `a` timed out, asked `a c`). The slow mirror is then
//! asked last instead of costing every file its timeout. librepo's gentler
//! moves, one place up or down by success rate once a mirror has 3
//! transfers, are not modelled: they change which mirror delivers a file,
//! never the bytes, which the checksums hold.
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
/// before it gives up, when it has fewer mirrors than that.
pub(super) const ALLOWED_MIRROR_FAILURES: usize = 4;

/// What each of a repo's mirrors did over a batch of downloads (indexed
/// as the batch's `locs`, the same list for every file): its successes
/// and failures, as librepo counts them per mirror over one download of
/// many files. Shared by the batch's parallel downloads.
#[derive(Debug, Default)]
pub struct MirrorTally(Mutex<Tally>);

#[derive(Debug, Default)]
struct Tally {
    /// Successes and failures, by mirror.
    counts: Vec<(u32, u32)>,
    /// The last failure's line, for a file no mirror is asked for.
    last: Option<String>,
    /// The mirrors in the order they are asked, as timeouts left it
    /// ([`swap_with_last`]); empty until the first timeout.
    order: Vec<usize>,
}

impl MirrorTally {
    /// An empty tally.
    pub fn new() -> MirrorTally {
        MirrorTally::default()
    }

    /// Whether mirror `i` failed [`ALLOWED_MIRROR_FAILURES`] times and never
    /// delivered: librepo asks it no more in that download.
    fn is_bad(&self, i: usize) -> bool {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.counts
            .get(i)
            .is_some_and(|&(ok, failed)| ok == 0 && failed as usize >= ALLOWED_MIRROR_FAILURES)
    }

    /// Counts a success of mirror `i`, or its failure `failed`.
    fn record(&self, i: usize, failed: Option<&Error>) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
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
    }

    /// The order the batch asks its `n` mirrors in.
    fn order(&self, n: usize) -> Vec<usize> {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match t.order.len() {
            0 => (0..n).collect(),
            _ => t.order.clone(),
        }
    }

    /// Whether mirror `i` has delivered a file in the batch.
    fn delivered(&self, i: usize) -> bool {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.counts.get(i).is_some_and(|&(ok, _)| ok > 0)
    }

    /// Moves mirror `i` (of `n`) to the end of the batch's order.
    fn swap_with_last(&self, i: usize, n: usize) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if t.order.is_empty() {
            t.order = (0..n).collect();
        }
        swap_with_last(&mut t.order, i);
    }

    /// The last failure counted: what a file no mirror was asked for
    /// reports, as the downloads that met it may be reported after it.
    pub(super) fn last_failure(&self) -> Option<String> {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.last.clone()
    }
}

/// The mirror (an index into `locs`) asked next, after `asked`: each of
/// `cands` (those still worth asking, in the list's current order) once,
/// then the remote ones again in turn until `retries + 1` requests (at
/// most [`ALLOWED_MIRROR_FAILURES`]) have been made; `None` when done.
/// `retries` is the run's (`RPM_BUILDROOT_HTTP_RETRIES`, or a package's
/// `retries=`): `retries=0` asks each mirror once; more than 3 is
/// librepo's 4 still, as a burst of 404s on two mirrors helps no one.
fn next(locs: &[Location], cands: &[usize], asked: &[usize], retries: u32) -> Option<usize> {
    let most = (retries as usize + 1).min(ALLOWED_MIRROR_FAILURES);
    if let Some(&i) = cands.iter().find(|i| !asked.contains(i)) {
        return Some(i);
    }
    let again: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|&i| matches!(locs[i], Location::Http(_)))
        .collect();
    let k = asked.len().checked_sub(cands.len())?;
    match asked.len() < most && !again.is_empty() {
        true => Some(again[k % again.len()]),
        false => None,
    }
}

/// Mirror `i` changes places with the last of `order`, as librepo's
/// `sort_mirrors` moves a mirror after a timeout.
fn swap_with_last(order: &mut [usize], i: usize) {
    if let Some(at) = order.iter().position(|&m| m == i) {
        let last = order.len() - 1;
        order.swap(at, last);
    }
}

/// The mirrors (indices into `locs`) in the order they are asked when none
/// times out: [`next`] until done.
#[cfg(test)]
fn order(locs: &[Location], cands: &[usize], retries: u32) -> Vec<usize> {
    let mut asked = Vec::new();
    while let Some(i) = next(locs, cands, &asked, retries) {
        asked.push(i);
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

/// Runs `get` on the mirrors of `locs` (best first) in librepo's order
/// until one delivers; `s` are the settings of the repo's downloads.
/// With one mirror, `get` runs once with `s` and makes its retries
/// itself (`http.rs`); with several, each turn is one attempt (`s` with
/// no retries, marked as one turn of several). With a `tally` (a batch's,
/// of several mirrors), a mirror it finds bad is passed over and each
/// outcome is counted. Returns `get`'s value and the index of the mirror,
/// or how it gave up; the outer error is ours, not the mirrors' (see the
/// module docs).
pub(super) fn in_turns<T>(
    locs: &[Location],
    s: &HttpSettings,
    tally: Option<&MirrorTally>,
    mut get: impl FnMut(usize, &HttpSettings) -> Result<T>,
) -> Result<std::result::Result<(T, usize), GaveUp>> {
    let one_turn = HttpSettings {
        retries: 0,
        one_turn: true,
        ..s.clone()
    };
    // One mirror makes its own retries, and is asked whatever it did.
    let tally = tally.filter(|_| locs.len() > 1);
    let n = locs.len();
    let retries = s.retries;
    let s = if n == 1 { s } else { &one_turn };
    let mut list: Vec<usize> = tally.map_or_else(|| (0..n).collect(), |t| t.order(n));
    // Those bad at the start stay out; the others are asked in the list's
    // order of the moment.
    let good: Vec<usize> = (0..n)
        .filter(|&i| !tally.is_some_and(|t| t.is_bad(i)))
        .collect();
    let mut asked = Vec::new();
    let mut last = None;
    loop {
        let pick = match n {
            1 => Some(0).filter(|_| asked.is_empty()),
            _ => {
                let cands: Vec<usize> = list.iter().copied().filter(|i| good.contains(i)).collect();
                next(locs, &cands, &asked, retries)
            }
        };
        let Some(i) = pick else { break };
        asked.push(i);
        let got = get(i, s);
        if let Some(t) = tally {
            match &got {
                Ok(_) => t.record(i, None),
                Err(Error::Usage(_) | Error::NoCacheDir { .. }) => {}
                Err(e) if is_our_side(&locs[i], e) => {}
                Err(e) => t.record(i, Some(e)),
            }
        }
        // A mirror that timed out without having delivered goes last.
        if let Err(e) = &got {
            if n > 1 && timed_out(e) && !tally.is_some_and(|t| t.delivered(i)) {
                match tally {
                    Some(t) => {
                        t.swap_with_last(i, n);
                        list = t.order(n);
                    }
                    None => swap_with_last(&mut list, i),
                }
            }
        }
        let attempts = asked.len();
        match got {
            Ok(v) => return Ok(Ok((v, i))),
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

    /// The orders dnf 4.14 (librepo) made its requests in, each mirror
    /// answering 404 (503 and resets alike).
    #[test]
    fn mirrors_are_asked_in_librepos_order() {
        let order = |l: &[Location], r| order(l, &(0..l.len()).collect::<Vec<_>>(), r);
        assert_eq!(order(&locs("hh"), 3), [0, 1, 0, 1]);
        assert_eq!(order(&locs("hhh"), 3), [0, 1, 2, 0]);
        assert_eq!(order(&locs("hhhhh"), 3), [0, 1, 2, 3, 4]);
        // A local mirror is asked once.
        assert_eq!(order(&locs("dh"), 3), [0, 1, 1, 1]);
        assert_eq!(order(&locs("dd"), 3), [0, 1]);
        // No retries: each once; more than 3: librepo's 4 still.
        assert_eq!(order(&locs("hh"), 0), [0, 1]);
        assert_eq!(order(&locs("hh"), 20), [0, 1, 0, 1]);
    }

    /// A mirror that times out before it delivered anything changes
    /// places with the last, which is asked next (dnf 4.14, of `a b c`
    /// whose `a` timed out, asked `a c`); over a batch the next file starts
    /// from the list so changed; one that has delivered keeps its place.
    #[test]
    fn a_mirror_that_times_out_changes_places_with_the_last() {
        let timeout = |i: usize| Error::Http {
            url: format!("m{i}"),
            msg: "timed out: no answer within 1 s (RPM_BUILDROOT_HTTP_TIMEOUT sets the limit)"
                .into(),
        };
        let run = |tally: Option<&MirrorTally>, fails: &dyn Fn(usize) -> Option<Error>| {
            let mut asked = Vec::new();
            let _ = in_turns(&locs("hhh"), &HttpSettings::default(), tally, |i, _| {
                asked.push(i);
                fails(i).map_or(Ok(()), Err)
            });
            asked
        };
        // Alone: 0 times out, the others answer 404.
        let all_fail = |i: usize| {
            Some(match i {
                0 => timeout(0),
                _ => Error::Http {
                    url: format!("m{i}"),
                    msg: "HTTP 404".into(),
                },
            })
        };
        assert_eq!(run(None, &all_fail), [0, 2, 1, 2]);
        // A stall, behind a redirect, is a timeout too.
        let stalled = Error::Http {
            url: "m0".into(),
            msg: "redirected to http://n/x: stalled: less than 1000 bytes/s for 30 s after 5 \
                  bytes (RPM_BUILDROOT_HTTP_TIMEOUT and RPM_BUILDROOT_HTTP_MINRATE set the limits)"
                .into(),
        };
        assert!(timed_out(&stalled));
        // A batch: the next file starts from the last mirror.
        let tally = MirrorTally::new();
        let first_times_out = |i: usize| (i == 0).then(|| timeout(0));
        assert_eq!(run(Some(&tally), &first_times_out), [0, 2]);
        assert_eq!(run(Some(&tally), &first_times_out), [2]);
        // One that delivered, then timed out, keeps its place.
        let tally = MirrorTally::new();
        assert_eq!(run(Some(&tally), &|_| None), [0]);
        assert_eq!(run(Some(&tally), &first_times_out), [0, 1]);
        assert_eq!(run(Some(&tally), &|_| None), [0]);
    }

    #[test]
    fn each_turn_is_one_attempt_and_the_count_is_kept() {
        let mut seen = Vec::new();
        let r = in_turns(
            &locs("hhh"),
            &HttpSettings::default(),
            None,
            |i, s| -> Result<()> {
                seen.push((i, s.retries, s.one_turn));
                Err(Error::Http {
                    url: format!("m{i}"),
                    msg: "HTTP 404".into(),
                })
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
            |i, s| -> Result<()> {
                calls.push((i, s.retries, s.one_turn));
                Err(Error::Http {
                    url: "m0".into(),
                    msg: "HTTP 404".into(),
                })
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
        let fail = |i: usize| Error::Http {
            url: format!("m{i}"),
            msg: "HTTP 404".into(),
        };
        let tally = MirrorTally::new();
        let mut asked = Vec::new();
        for _ in 0..6 {
            let r = in_turns(
                &locs("hh"),
                &HttpSettings::default(),
                Some(&tally),
                |i, _| {
                    asked.push(i);
                    if i == 0 {
                        Err(fail(i))
                    } else {
                        Ok(())
                    }
                },
            );
            assert!(matches!(r, Ok(Ok(((), 1)))));
        }
        assert_eq!(asked, [0, 1, 0, 1, 0, 1, 0, 1, 1, 1]);
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
                    Err::<(), _>(fail(i))
                },
            );
            let Ok(Err(g)) = r else {
                panic!("not given up")
            };
            assert_eq!(g.attempts, if round < 2 { 4 } else { 0 });
            assert_eq!(g.last.is_none(), round == 2);
        }
        assert_eq!(n, 8);
        assert_eq!(tally.last_failure().unwrap(), "m1: HTTP 404");
        // One that delivered once is not left.
        let tally = MirrorTally::new();
        tally.record(0, None);
        (0..5).for_each(|_| tally.record(0, Some(&fail(0))));
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
                    Err::<(), _>(fail(i))
                },
            );
        }
        assert_eq!(n, 3);
    }
}
