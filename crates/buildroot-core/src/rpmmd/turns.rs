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
//! Failures are not told apart, as librepo tells none apart but the few it
//! takes as fatal: a 404, a reset, a stale repomd.xml each end a turn.
//! Ours are the exception: a cache we cannot write, a bad setting, no
//! cache directory end the whole download at once (every mirror would
//! fail alike).

use super::fetch::{is_our_side, Location};
use super::http::HttpSettings;
use crate::error::{Error, Result};

/// How many requests librepo makes of a repo's mirrors for one file
/// before it gives up, when it has fewer mirrors than that.
const ALLOWED_MIRROR_FAILURES: usize = 4;

/// The mirrors (indices into `locs`) in the order they are asked: each
/// once, then the remote ones again in turn until `retries + 1` requests
/// (at most [`ALLOWED_MIRROR_FAILURES`]) have been made. `retries` is the
/// run's (`RPM_BUILDROOT_HTTP_RETRIES`, or a package's `retries=`):
/// `retries=0` asks each mirror once; more than 3 is librepo's 4 still, as
/// a burst of 404s on two mirrors helps no one.
fn order(locs: &[Location], retries: u32) -> Vec<usize> {
    let most = (retries as usize + 1).min(ALLOWED_MIRROR_FAILURES);
    let mut order: Vec<usize> = (0..locs.len()).collect();
    let again: Vec<usize> = (0..locs.len())
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
    /// The last mirror's error.
    pub last: Error,
    /// How many requests were made in all.
    pub attempts: usize,
}

/// Runs `get` on the mirrors of `locs` (best first) in librepo's order
/// until one delivers; `s` are the settings of the repo's downloads.
/// With one mirror, `get` runs once with `s` and makes its retries
/// itself (`http.rs`); with several, each turn is one attempt (`s` with
/// no retries, marked as one turn of several). Returns `get`'s value and
/// the index of the mirror, or how it gave up; the outer error is ours,
/// not the mirrors' (see the module docs).
pub(super) fn in_turns<T>(
    locs: &[Location],
    s: &HttpSettings,
    mut get: impl FnMut(usize, &HttpSettings) -> Result<T>,
) -> Result<std::result::Result<(T, usize), GaveUp>> {
    let one_turn = HttpSettings {
        retries: 0,
        one_turn: true,
        ..s.clone()
    };
    let (order, s) = match locs.len() {
        1 => (vec![0], s),
        _ => (order(locs, s.retries), &one_turn),
    };
    let mut last = None;
    for (n, &i) in order.iter().enumerate() {
        match get(i, s) {
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
        Some((last, attempts)) => Ok(Err(GaveUp { last, attempts })),
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
        assert_eq!(gave_up.last.to_string(), "m0: HTTP 404");
        let once: Vec<(usize, u32, bool)> = [0, 1, 2, 0].iter().map(|&i| (i, 0, true)).collect();
        assert_eq!(seen, once);
        // One mirror: one call, with the retries, which it makes itself.
        let mut calls = Vec::new();
        let _ = in_turns(&locs("h"), &HttpSettings::default(), |i, s| -> Result<()> {
            calls.push((i, s.retries, s.one_turn));
            Err(Error::Http {
                url: "m0".into(),
                msg: "HTTP 404".into(),
            })
        });
        assert_eq!(calls, [(0, 3, false)]);
    }
}
