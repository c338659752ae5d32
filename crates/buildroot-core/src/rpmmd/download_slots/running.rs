//! The counts behind [`DownloadSlots`](super::DownloadSlots): the
//! transfers under way in all, by mirror, and by their caps, and whether
//! one more fits. librepo's `prepare_next_transfers` makes the first test
//! (fewer running than `max_parallel_downloads`), `select_suitable_mirror`
//! the second (a mirror with fewer running than its allowed connections).

use std::collections::{BTreeMap, HashMap};

use super::super::slot_queue::{Ahead, Claim, Queue};
use super::Caps;

/// The transfers under way: in all, by mirror (its base URL: librepo
/// counts per mirror of a repo's list, and each repo has URLs of its own),
/// and by the `most` of their caps (the lowest one bounds them all); by
/// mirror, by the `per_mirror` of their caps too (the lowest one from a
/// mirror bounds that mirror's).
#[derive(Debug, Default)]
pub(super) struct Running {
    pub(super) all: usize,
    pub(super) by_mirror: HashMap<String, Counts>,
    pub(super) by_most: Counts,
    /// The transfers waiting for a slot, served in the order they came
    /// (`slot_queue.rs`).
    pub(super) queue: Queue,
}

/// How many transfers run, by a cap of theirs (`most` or `per_mirror`).
pub(super) type Counts = BTreeMap<usize, usize>;

/// `cap` counted once more in `counts`, or once less.
fn count(counts: &mut Counts, cap: usize, more: bool) {
    let n = counts.entry(cap).or_default();
    match more {
        true => *n += 1,
        false => *n = n.saturating_sub(1),
    }
    if *n == 0 {
        counts.remove(&cap);
    }
}

/// Whether one more transfer of cap `own` fits beside `counts`: fewer run
/// than `own` and than the lowest cap among them.
fn fits(counts: &Counts, own: usize) -> bool {
    let lowest = counts.keys().next().map_or(own, |&c| c.min(own));
    counts.values().sum::<usize>() < lowest
}

impl Running {
    /// Whether a transfer of `caps` from `mirror` may start: fewer run than
    /// its own `most` and than that of each one under way (dnf downloads
    /// one repo's metadata at a time, never more at once than that repo
    /// allows), and fewer from `mirror` than its `per_mirror` and than that
    /// of each one under way from `mirror` (nor from one mirror).
    #[cfg(test)]
    pub(super) fn room(&self, mirror: &str, caps: Caps) -> bool {
        let none = Ahead::default();
        self.room_in_all(caps, &none) && self.mirror_room(mirror, caps, &none)
    }

    /// Whether one more transfer of `caps` fits in all, beside those under
    /// way and the slots lent by transfers of an earlier rank waiting aside
    /// (`ahead.held`, `slot_queue.rs`), as if they were under way.
    pub(super) fn room_in_all(&self, caps: Caps, ahead: &Ahead) -> bool {
        if ahead.held.is_empty() {
            return fits(&self.by_most, caps.most);
        }
        let mut by_most = self.by_most.clone();
        for (_, held) in &ahead.held {
            count(&mut by_most, held.most, true);
        }
        fits(&by_most, caps.most)
    }

    /// A slot from `mirror` for a transfer of `caps` whose earlier waiting
    /// ones claim `ahead`, taken when there is room; else what it waits
    /// for: room in all (its own cap or the lowest one, or an earlier one
    /// waits for that), or room on `mirror`.
    pub(super) fn take_in_turn(
        &mut self,
        mirror: &str,
        caps: Caps,
        ahead: &Ahead,
    ) -> Result<(), Claim> {
        let in_all = self.room_in_all(caps, ahead);
        if !ahead.all && !ahead.holds(mirror) && in_all && self.mirror_room(mirror, caps, ahead) {
            self.take(mirror, caps);
            Ok(())
        } else if ahead.all || !in_all {
            Err(Claim::All)
        } else {
            Err(Claim::Mirrors(vec![mirror.to_string()]))
        }
    }

    /// Whether `mirror` has room for one more transfer of `caps`, beside
    /// those under way from it and the slots on it that transfers of an
    /// earlier rank lent (`ahead.held`).
    pub(super) fn mirror_room(&self, mirror: &str, caps: Caps, ahead: &Ahead) -> bool {
        let on_it = self.by_mirror.get(mirror);
        if !ahead.held.iter().any(|(m, _)| m == mirror) {
            return on_it.is_none_or(|m| fits(m, caps.per_mirror));
        }
        let mut counts = on_it.cloned().unwrap_or_default();
        for (_, held) in ahead.held.iter().filter(|(m, _)| m == mirror) {
            count(&mut counts, held.per_mirror, true);
        }
        fits(&counts, caps.per_mirror)
    }

    /// How many transfers from `mirror` run now.
    #[cfg(test)]
    pub(super) fn from(&self, mirror: &str) -> usize {
        self.by_mirror.get(mirror).map_or(0, |m| m.values().sum())
    }

    pub(super) fn take(&mut self, mirror: &str, caps: Caps) {
        self.all += 1;
        let m = self.by_mirror.entry(mirror.to_string()).or_default();
        count(m, caps.per_mirror, true);
        count(&mut self.by_most, caps.most, true);
    }

    pub(super) fn give_back(&mut self, mirror: &str, caps: Caps) {
        self.all = self.all.saturating_sub(1);
        if let Some(m) = self.by_mirror.get_mut(mirror) {
            count(m, caps.per_mirror, false);
            if m.is_empty() {
                self.by_mirror.remove(mirror);
            }
        }
        count(&mut self.by_most, caps.most, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots of metadata: a transfer starts only while fewer run than its
    /// own `most` and than that of each one under way, so a repo of
    /// `max_parallel_downloads=1` has its transfer alone, as dnf, which
    /// loads one repo at a time, has it; so with `per_mirror` over the
    /// transfers from one mirror: a repo of `max_downloads_per_mirror=1`
    /// has its transfer alone on its mirror.
    #[test]
    fn the_lowest_cap_under_way_bounds_every_transfer() {
        let caps = |most, per_mirror| Caps { most, per_mirror };
        let (one, three) = (caps(1, 3), caps(3, 3));
        let mut r = Running::default();
        r.take("a", one);
        assert!(!r.room("b", three), "beside a transfer of 1");
        r.give_back("a", one);
        r.take("b", three);
        r.take("c", three);
        assert!(r.room("d", three));
        assert!(!r.room("d", one), "a transfer of 1 waits for the others");
        r.give_back("b", three);
        r.give_back("c", three);
        assert!(r.room("d", one));
        assert!(r.by_most.is_empty() && r.all == 0);
        r.take("m", caps(5, 1));
        assert!(!r.room("m", caps(5, 1)), "a mirror's cap of 1");
        assert!(
            !r.room("m", caps(5, 2)),
            "beside a transfer of 1 from its mirror"
        );
        assert!(r.room("n", caps(5, 1)), "another mirror");
        r.give_back("m", caps(5, 1));
        r.take("m", caps(5, 2));
        assert!(r.room("m", caps(5, 3)) && !r.room("m", caps(5, 1)));
        r.take("m", caps(5, 3));
        assert!(!r.room("m", caps(5, 3)), "two under way, the lowest cap 2");
        r.give_back("m", caps(5, 2));
        r.give_back("m", caps(5, 3));
        assert!(r.by_mirror.is_empty() && r.by_most.is_empty() && r.all == 0);
    }
}
