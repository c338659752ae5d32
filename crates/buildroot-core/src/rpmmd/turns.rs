//! In which order a repo's mirrors are asked for one file when it has
//! several (a metalink's, a mirrorlist's, a multi-URL `baseurl=`), as
//! librepo asks them with its `LRO_ALLOWEDMIRRORFAILURES` of 4 and
//! libdnf's `LRO_MAXMIRRORTRIES` of 0 ("all of them"): each turn's mirror
//! comes from a [`MirrorTally`] (`mirror_tally.rs`: librepo's
//! `select_suitable_mirror` and `sort_mirrors`), a batch's or the file's
//! own, which then counts what that mirror did. Each turn is one request;
//! nothing waits between them (librepo retries at once). A repo of one
//! mirror is asked once, and `http/attempts.rs` makes its retries, with the backoff
//! and `Retry-After`.
//!
//! A batch's caps on transfers at once, in all and per mirror
//! (`download_slots.rs`), hold for each turn: a mirror at its cap is
//! passed over, and a file whose every mirror is at its cap waits.
//!
//! librepo's second chance, for a mirror that timed out while other
//! transfers to it were running (or after a success, with fewer failures
//! than the connections it once had open), is not modelled: it goes with
//! lowering that mirror's cap of parallel connections (to the transfers
//! still running, or 1), taking the timeout for a mirror refusing one
//! more connection; here the cap stays `max_downloads_per_mirror`. These
//! tools never open a second connection to a mirror for one repo's
//! metadata, and the retry it would give (the same mirror again) changes
//! which mirror delivers a file, never its bytes.
//!
//! Failures are not told apart (but a timeout for the order), as librepo
//! tells none apart but the few it takes as fatal: a 404, a reset, a stale
//! repomd.xml each end a turn. Ours are the exception: a cache we cannot
//! write, a bad setting, no cache directory end the whole download at once
//! (every mirror would fail alike), and count for no mirror; so does a
//! transfer stopped because its load already failed (`cancel.rs`).

use super::download_slots::{self, Caps, InLine, Pick};
use super::fetch::{is_our_side, Location};
use super::http::HttpSettings;
use super::mirror_tally::{MirrorTally, ALLOWED_MIRROR_FAILURES};
use crate::error::{Error, Result};

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
/// itself (`http/attempts.rs`); with several, each turn is one attempt (`s` with
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
    // A batch's caps on transfers at once (`download_slots.rs`), also for
    // a repo of one mirror.
    let slots = tally.and_then(MirrorTally::slots);
    // One mirror makes its own retries, and is asked whatever it did.
    let own = MirrorTally::new();
    let tally = match tally {
        Some(t) if n > 1 => t,
        _ => &own,
    };
    let mut asked = Vec::new();
    let mut last = None;
    // The file's place among the waiting transfers, kept over its turns,
    // and the slot of its turn under way (given back as the next turn
    // joins the queue, or when this returns).
    let mut line = InLine::default();
    loop {
        // No mirror left to ask, whatever the room: ends here, keeping the
        // last turn's slot (parked below) rather than giving it back to
        // look for room it does not need.
        let done = match n {
            1 => !asked.is_empty(),
            _ => !asked.is_empty() && tally.pick(locs, &asked, most, &|_| true) == Pick::Done,
        };
        if done {
            break;
        }
        let pick = |room: &dyn Fn(usize) -> bool| match n {
            1 if !asked.is_empty() => Pick::Done,
            1 if room(0) => Pick::Mirror(0),
            1 => Pick::Busy,
            _ => tally.pick(locs, &asked, most, room),
        };
        let turn = match slots {
            Some(slots) => slots.turn_in(&mut line, locs, Caps::of(s), pick)?,
            None => match pick(&|_| true) {
                Pick::Mirror(i) => Some(i),
                Pick::Busy | Pick::Done => None,
            },
        };
        let Some(i) = turn else { break };
        asked.push(i);
        let got = get(i, s);
        match &got {
            Ok(turn) if !turn.asked => {}
            Ok(_) => tally.record(i, n, None),
            Err(Error::Usage(_) | Error::NoCacheDir { .. } | Error::Cancelled) => {}
            Err(e) if is_our_side(&locs[i], e) => {}
            Err(e) => tally.record(i, n, Some(e)),
        }
        // A file takes one slot at a time: the next turn gives this one
        // back as it joins the queue, in this file's place.
        let attempts = asked.len();
        match got {
            Ok(turn) => return Ok(Ok((turn.value, i))),
            // Our own mistakes (no cache, a bad variable) are not the mirror's.
            Err(e @ (Error::Usage(_) | Error::NoCacheDir { .. })) => return Err(e),
            // Nor is a transfer stopped because the load already failed
            // (`cancel.rs`): it says nothing of the mirror.
            Err(e @ Error::Cancelled) => return Err(e),
            // Nor is an I/O error over HTTP, which is the cache's (a full
            // disk): every other mirror would fail as well, and wrapped in
            // a mirror error it would pass for the repo's own problem, which
            // skip_if_unavailable passes over (`skip.rs`).
            Err(e @ Error::Io { .. }) if is_our_side(&locs[i], &e) => return Err(e),
            Err(e) => last = Some((e, attempts)),
        }
    }
    // Failed for good: the slot is kept until the caller has said what
    // that ends (`download_slots::keeping_failed`).
    download_slots::park(&mut line);
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
    use super::super::http_answer::timed_out;
    use super::super::mirror_tally::tests::locs;
    use super::*;

    fn http(i: usize, msg: &str) -> Error {
        Error::Http {
            url: format!("m{i}"),
            msg: msg.into(),
            status: None,
        }
    }

    fn not_found(i: usize) -> Error {
        Error::Http {
            url: format!("m{i}"),
            msg: "HTTP 404".into(),
            status: Some(404),
        }
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
        assert_eq!(tally.order_now(), [2, 1, 0]);
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
    /// so a mirror that then times out before it delivered anything in
    /// this run still goes last.
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
        assert_eq!(tally.counts_of(0), (0, 0));
        let first_times_out = |i: usize| (i == 0).then(|| timeout(0));
        assert_eq!(run("hhh", Some(&tally), &first_times_out), [0, 2]);
    }
}
