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
//! repo), a [`MirrorTally`] keeps what each mirror did, as librepo keeps
//! it over one download of many files: a mirror that has failed 4 times
//! without one success is not asked again (its "skipping bad mirror").
//! librepo's other use of its counts, moving a mirror that timed out or
//! keeps failing down its list, is not modelled.
//!
//! Failures are not told apart, as librepo tells none apart but the few it
//! takes as fatal: a 404, a reset, a stale repomd.xml each end a turn.
//! Ours are the exception: a cache we cannot write, a bad setting, no
//! cache directory end the whole download at once (every mirror would
//! fail alike).

use std::sync::Mutex;

use super::fetch::{is_our_side, Location};
use super::http::HttpSettings;
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

    /// The last failure counted: what a file no mirror was asked for
    /// reports, as the downloads that met it may be reported after it.
    pub(super) fn last_failure(&self) -> Option<String> {
        let t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        t.last.clone()
    }
}

/// The mirrors (indices into `locs`) in the order they are asked: each of
/// `cands` (those still worth asking, in the list's order) once, then the
/// remote ones again in turn until `retries + 1` requests (at most
/// [`ALLOWED_MIRROR_FAILURES`]) have been made. `retries` is the
/// run's (`RPM_BUILDROOT_HTTP_RETRIES`, or a package's `retries=`):
/// `retries=0` asks each mirror once; more than 3 is librepo's 4 still, as
/// a burst of 404s on two mirrors helps no one.
fn order(locs: &[Location], cands: &[usize], retries: u32) -> Vec<usize> {
    let most = (retries as usize + 1).min(ALLOWED_MIRROR_FAILURES);
    let mut order: Vec<usize> = cands.to_vec();
    let again: Vec<usize> = cands
        .iter()
        .copied()
        .filter(|&i| matches!(locs[i], Location::Http(_)))
        .collect();
    for k in 0.. {
        if order.len() >= most || again.is_empty() {
            break;
        }
        order.push(again[k % again.len()]);
    }
    order
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
    let (order, s) = match locs.len() {
        1 => (vec![0], s),
        _ => {
            let cands: Vec<usize> = (0..locs.len())
                .filter(|&i| !tally.is_some_and(|t| t.is_bad(i)))
                .collect();
            (order(locs, &cands, s.retries), &one_turn)
        }
    };
    let mut last = None;
    for (n, &i) in order.iter().enumerate() {
        let got = get(i, s);
        if let Some(t) = tally {
            match &got {
                Ok(_) => t.record(i, None),
                Err(Error::Usage(_) | Error::NoCacheDir { .. }) => {}
                Err(e) if is_our_side(&locs[i], e) => {}
                Err(e) => t.record(i, Some(e)),
            }
        }
        match got {
            Ok(v) => return Ok(Ok((v, i))),
            // Our own mistakes (no cache, a bad variable) are not the mirror's.
            Err(e @ (Error::Usage(_) | Error::NoCacheDir { .. })) => return Err(e),
            // Nor is an I/O error over HTTP, which is the cache's (a full
            // disk): every other mirror would fail as well, and wrapped in
            // a mirror error it would pass for the repo's own problem, which
            // skip_if_unavailable passes over (`skip.rs`).
            Err(e @ Error::Io { .. }) if is_our_side(&locs[i], &e) => return Err(e),
            Err(e) => last = Some((e, n + 1)),
        }
    }
    match last {
        Some((last, attempts)) => Ok(Err(GaveUp {
            last: Some(last),
            attempts,
        })),
        None if order.is_empty() && !locs.is_empty() => Ok(Err(GaveUp {
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
