//! What a repo's mirrors did over one batch of downloads, and which of
//! them a file asks next: librepo's per-mirror counts of successful and
//! failed transfers, its choice of a file's next mirror
//! (`select_suitable_mirror` in its downloader.c) and its adaptive sorting
//! (`sort_mirrors`; `LRO_ADAPTIVEMIRRORSORTING`, on by default, which
//! libdnf leaves so). `turns.rs` asks the mirrors in the order these give.
//!
//! librepo keeps the counts and the order for one download of many files
//! (one `lr_download` call) and starts again from the list's order for the
//! next: a repo's repomd.xml is a download of its own, the files it lists
//! another, a transaction's packages a third. A [`MirrorTally`] is kept so
//! over a repo's metadata files, over a run's SRPMs of a repo and over its
//! macro packages of a repo. A file taken from our cache asked no mirror
//! and counts for none, as librepo counts only transfers.
//!
//! A file's next mirror: each not yet asked for it, in the order of the
//! moment, but one that failed [`ALLOWED_MIRROR_FAILURES`] times without a
//! success (librepo's "skipping bad mirror"); then, while fewer than 4
//! requests were made for the file, round `k` (1 to 3) asks the first
//! remote mirror that failed at most `k` times over the batch. For one file
//! alone that is `a b a b` for two mirrors that answer 404 (or 503, or
//! reset), `a b c a` for three, one request each for four or more, as dnf
//! 4.14 made them; over a batch, dnf 4.14, whose first mirror `a` had
//! answered 404 for primary.xml and filelists.xml and whose `b` and `c`
//! then failed filelists.xml, asked `b` for it again, not `a` (`a b c b`).
//! A local mirror is not asked again (librepo passes over `file://` in its
//! later rounds).
//!
//! The order changes after each transfer. A mirror that timed out (no
//! connection or answer within the timeout, a stall: curl's "operation
//! timed out", the one error librepo calls serious) before it delivered
//! anything changes places with the last (dnf 4.14, of `a b c` whose `a`
//! timed out, asked `a c`). Once a mirror has 3 transfers, a failure moves
//! it one place down when the next one's share of successes is higher (or
//! not judged yet: fewer than 3 transfers), a success one place up when
//! the one before does worse (or is not judged yet); equal shares stay.
//! The slow or patchy mirror is then asked later for the batch's later
//! files.
//!
//! A batch's files may be downloaded at once (a run's SRPMs, an arch's
//! macro packages: `max_parallel_downloads` of them, no more than
//! `max_downloads_per_mirror` from one mirror, `download_slots.rs`): the
//! counts a file sees then depend on which others finished first, as in
//! librepo's parallel downloads, and a mirror at its cap is passed over
//! as librepo passes it over. Which mirror delivers a file, and how many
//! requests the failing ones get, may change from run to run; the bytes
//! never do, held to their checksums.

use std::sync::{Arc, Mutex};

use super::download_slots::{DownloadSlots, Pick};
use super::fetch::Location;
use super::http_answer::timed_out;
use crate::error::Error;

/// How many requests librepo makes of a repo's mirrors for one file
/// before it gives up, when it has fewer mirrors than that; and how many
/// failures without a success make a mirror one it asks no more.
pub(super) const ALLOWED_MIRROR_FAILURES: usize = 4;

/// What each of a repo's mirrors did over a batch of downloads (indexed
/// as the batch's `locs`, the same list for every file): its successes
/// and failures, and the order they are asked in, as librepo keeps them
/// per mirror over one download of many files. Shared by the batch's
/// parallel downloads, and with the other repos' tallies of the batch its
/// [`DownloadSlots`], if it has any (a batch's of packages, a load's of
/// metadata; `None`: no cap).
#[derive(Debug, Default)]
pub struct MirrorTally {
    tally: Mutex<Tally>,
    slots: Option<Arc<DownloadSlots>>,
    /// The repo's id, for the line of a file no mirror is asked for.
    repo: Option<String>,
}

/// [`MirrorTally`]'s data, behind its lock.
#[derive(Debug, Default)]
struct Tally {
    /// Successes and failures, by mirror.
    counts: Vec<(u32, u32)>,
    /// The last failure's line, for a file no mirror is asked for.
    last: Option<String>,
    /// The mirrors in the order they are asked ([`sort`]); empty until
    /// first used.
    order: Vec<usize>,
}

impl Tally {
    /// Mirror `i`'s successes and failures.
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

    /// An empty tally of a batch whose transfers `slots` caps.
    pub fn sharing(slots: &Arc<DownloadSlots>) -> MirrorTally {
        MirrorTally {
            tally: Mutex::default(),
            slots: Some(slots.clone()),
            repo: None,
        }
    }

    /// This tally, of the repo `id` (named by the line of a file no mirror
    /// is asked for).
    pub fn of_repo(self, id: &str) -> MirrorTally {
        MirrorTally {
            repo: Some(id.to_string()),
            ..self
        }
    }

    /// The repo's id, if the tally was given it.
    pub(super) fn repo(&self) -> Option<&str> {
        self.repo.as_deref()
    }

    /// The batch's caps, if it has any.
    pub(super) fn slots(&self) -> Option<&Arc<DownloadSlots>> {
        self.slots.as_ref()
    }

    /// The data; a lock a panicking download poisoned is taken all the
    /// same, as the counts it guards are whole after every change.
    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.tally.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The order of the moment, for tests.
    #[cfg(test)]
    pub(super) fn order_now(&self) -> Vec<usize> {
        self.lock().order.clone()
    }

    /// Mirror `i`'s successes and failures so far, for tests.
    #[cfg(test)]
    pub(super) fn counts_of(&self, i: usize) -> (u32, u32) {
        self.lock().counts(i)
    }

    /// Whether mirror `i` failed [`ALLOWED_MIRROR_FAILURES`] times and never
    /// delivered: librepo asks it no more in that download.
    #[cfg(test)]
    pub(super) fn is_bad(&self, i: usize) -> bool {
        let (ok, failed) = self.lock().counts(i);
        ok == 0 && failed as usize >= ALLOWED_MIRROR_FAILURES
    }

    /// Counts a success of mirror `i` (of `n`), or its failure `failed`,
    /// and moves it in the order as librepo's adaptive sorting would.
    pub(super) fn record(&self, i: usize, n: usize, failed: Option<&Error>) {
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

    /// The mirror asked next for a file whose turns so far are `asked`,
    /// when every mirror has room, for tests.
    #[cfg(test)]
    fn select(&self, locs: &[Location], asked: &[usize], most: usize) -> Option<usize> {
        match self.pick(locs, asked, most, &|_| true) {
            Pick::Mirror(i) => Some(i),
            Pick::Busy | Pick::Done => None,
        }
    }

    /// The mirror asked next for a file whose turns so far are `asked`
    /// ([`select`], over the batch's counts and order), passing over the
    /// mirrors without `room` (at their cap of transfers at once).
    pub(super) fn pick(
        &self,
        locs: &[Location],
        asked: &[usize],
        most: usize,
        room: &dyn Fn(usize) -> bool,
    ) -> Pick {
        let mut t = self.lock();
        let order = t.order(locs.len()).clone();
        select(locs, &order, &|m| t.counts(m), asked, most, room)
    }

    /// The last failure counted, its line: what a file no mirror was
    /// asked for names (the downloads that met it may be reported after
    /// it). Only its line: its status was another file's answer, which
    /// said nothing of this one (carried over, a 404 of another SRPM made
    /// this one count as missing, and a 503 stopped the batch on it).
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
/// A mirror the round would ask but without `room` is passed over for
/// the next, as librepo passes over one at its cap of transfers; when
/// that leaves none, the file waits ([`Pick::Busy`]).
fn select(
    locs: &[Location],
    order: &[usize],
    counts: &dyn Fn(usize) -> (u32, u32),
    asked: &[usize],
    most: usize,
    room: &dyn Fn(usize) -> bool,
) -> Pick {
    let mut again = false;
    let mut busy = false;
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
            if pass {
                continue;
            }
            if !room(i) {
                busy = true;
                continue;
            }
            return Pick::Mirror(i);
        }
    }
    if busy {
        Pick::Busy
    } else {
        Pick::Done
    }
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Mirrors `m0`, `m1`, ...: `h` over HTTP, anything else a local one.
    pub(in crate::rpmmd) fn locs(kinds: &str) -> Vec<Location> {
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
        assert_eq!(order(&locs("hh"), 1), [0, 1]);
        assert_eq!(order(&locs("hhh"), 1), [0, 1, 2]);
        assert_eq!(order(&locs("hh"), 20), [0, 1, 0, 1]);
    }

    /// `sort_mirrors`' moves by themselves: fewer than 3 transfers are not
    /// judged, a neighbour not judged yet gives way, equal shares stay.
    #[test]
    fn a_mirror_moves_one_place_by_its_share_of_successes() {
        let mut order = vec![0, 1, 2];
        let counts = |m: usize| [(0, 2), (1, 0), (0, 0)][m];
        sort(&mut order, &counts, 0, false, false);
        assert_eq!(order, [0, 1, 2]);
        let counts = |m: usize| [(1, 2), (1, 0), (0, 0)][m];
        sort(&mut order, &counts, 0, false, false);
        assert_eq!(order, [1, 0, 2]);
        // A timeout after a success is a failure like another.
        let counts = |m: usize| [(1, 2), (3, 1), (0, 0)][m];
        sort(&mut order, &counts, 1, false, true);
        assert_eq!(order, [1, 0, 2]);
        // Equal shares: no move down, nor up.
        let counts = |m: usize| [(1, 2), (2, 4), (0, 0)][m];
        sort(&mut order, &counts, 1, false, false);
        assert_eq!(order, [1, 0, 2]);
        sort(&mut order, &counts, 0, true, false);
        assert_eq!(order, [1, 0, 2]);
        // A success passes one not judged yet, and one doing worse.
        let counts = |m: usize| [(1, 1), (1, 2), (3, 0)][m];
        sort(&mut order, &counts, 2, true, false);
        assert_eq!(order, [1, 2, 0]);
        sort(&mut order, &counts, 2, true, false);
        assert_eq!(order, [2, 1, 0]);
        // The last goes no lower, the first no higher.
        sort(&mut order, &counts, 0, false, true);
        sort(&mut order, &counts, 2, true, false);
        assert_eq!(order, [2, 1, 0]);
    }
}
