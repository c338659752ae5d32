//! How many downloads run at once, as librepo runs dnf's: at most
//! `max_parallel_downloads` transfers over one batch (librepo's
//! `LRO_MAXPARALLELDOWNLOADS`: 3 unless set, 1 to 20), and at most
//! `max_downloads_per_mirror` of them from any one mirror
//! (`LRO_MAXDOWNLOADSPERMIRROR`: 3 unless set), whatever the number of
//! cores. librepo's `prepare_next_transfers` starts a transfer only while
//! fewer than the first are running, and `select_suitable_mirror` gives a
//! file the first mirror of its turn that has fewer than the second
//! running: a mirror at its cap is passed over for the next one the file
//! may ask, and a file whose every such mirror is at its cap waits.
//!
//! A [`DownloadSlots`] keeps those counts for one batch of packages (a
//! run's SRPMs, an arch's macro packages), over all its repos, with the
//! caps of the batch's first file's repo, as librepo takes them from the
//! first target's handle; or for one load of repos' metadata
//! ([`DownloadSlots::for_metadata`]: metalinks, mirrorlists, repomd.xml and
//! the files it lists), where each transfer brings its own repo's caps, as
//! libdnf hands librepo each repo's own values for that repo's metadata.
//! The [`super::MirrorTally`]s of the batch share it, and `turns.rs` takes
//! a slot for each request ([`DownloadSlots::turn`]). [`at_once`] runs a
//! batch's fetches on enough threads to fill the slots. Requests that wait
//! for a slot get one by rank (a load's: repos in load order, each repo's
//! files in dnf's order, `rank.rs`), then in the order they asked, as far
//! as the caps allow (`slot_queue.rs`), as librepo serves its list of
//! targets in order.
//!
//! Only transfers take a slot. A file already in the cache (looked for
//! before a slot is taken, `fetch/failover.rs`), a local repo's
//! copy (dnf downloads no package of a local repo: it reads it in place),
//! the wait for another run's download of the same file: none needs the
//! network, and they run on as many threads as rayon has, so the cap
//! costs them nothing. Nor does a transfer keep its slot while it waits
//! ([`aside`]: the backoff before a retry, another run's download of the
//! same file): librepo frees a mirror's place when a transfer fails and
//! gives it to the next file waiting, and retries the failed one when a
//! place is free again. A backoff ([`backing_off`]) lends it only to
//! transfers of its rank or an earlier one: a load's later repos wait, as
//! dnf asks nothing of them before the failing repo is done.
//!
//! A transfer of a load that has already failed (its thread's flag of
//! `cancel.rs` set) leaves the queue at once, taking nothing, and one
//! back from a wait aside does not take its slot again: a `Place`
//! knows whether it holds its slot, so its drop gives back only one it
//! holds.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::access::RepoAccess;
use super::cancel::{self, Cancel};
use super::fetch::Location;
use super::http::HttpSettings;
use super::slot_queue::{Ahead, Claim, Queue, Ticket};
use crate::error::{Error, Result};

/// The transfers of one batch running now, against its caps.
#[derive(Debug)]
pub struct DownloadSlots {
    /// The caps of every transfer (a batch of packages), or `None`: each
    /// transfer's own (a load of metadata, [`DownloadSlots::for_metadata`]).
    fixed: Option<Caps>,
    running: Mutex<Running>,
}

/// How many transfers may run at once: in all (`max_parallel_downloads`)
/// and from one mirror (`max_downloads_per_mirror`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Caps {
    pub most: usize,
    pub per_mirror: usize,
}

impl Caps {
    /// The caps `s` gives (a repo's, [`HttpSettings::for_repo`]).
    pub fn of(s: &HttpSettings) -> Caps {
        Caps {
            most: s.parallel_downloads.max(1),
            per_mirror: s.downloads_per_mirror.max(1),
        }
    }
}

/// The transfers under way: in all, by mirror (its base URL: librepo
/// counts per mirror of a repo's list, and each repo has URLs of its own),
/// and by the `most` of their caps (the lowest one bounds them all); by
/// mirror, by the `per_mirror` of their caps too (the lowest one from a
/// mirror bounds that mirror's).
#[derive(Debug, Default)]
struct Running {
    all: usize,
    by_mirror: HashMap<String, Counts>,
    by_most: Counts,
    /// The transfers waiting for a slot, served in the order they came
    /// (`slot_queue.rs`).
    queue: Queue,
}

/// How many transfers run, by a cap of theirs (`most` or `per_mirror`).
type Counts = BTreeMap<usize, usize>;

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
    fn room(&self, mirror: &str, caps: Caps) -> bool {
        let none = Ahead::default();
        self.room_in_all(caps, &none) && self.mirror_room(mirror, caps, &none)
    }

    /// Whether one more transfer of `caps` fits in all, beside those under
    /// way and the slots lent by transfers of an earlier rank waiting aside
    /// (`ahead.held`, `slot_queue.rs`), as if they were under way.
    fn room_in_all(&self, caps: Caps, ahead: &Ahead) -> bool {
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
    fn take_in_turn(&mut self, mirror: &str, caps: Caps, ahead: &Ahead) -> Result<(), Claim> {
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
    fn mirror_room(&self, mirror: &str, caps: Caps, ahead: &Ahead) -> bool {
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
    fn from(&self, mirror: &str) -> usize {
        self.by_mirror.get(mirror).map_or(0, |m| m.values().sum())
    }

    fn take(&mut self, mirror: &str, caps: Caps) {
        self.all += 1;
        let m = self.by_mirror.entry(mirror.to_string()).or_default();
        count(m, caps.per_mirror, true);
        count(&mut self.by_most, caps.most, true);
    }

    fn give_back(&mut self, mirror: &str, caps: Caps) {
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

/// What a file's turn may take ([`DownloadSlots::turn`]'s `pick`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pick {
    /// This mirror (an index into the file's mirrors).
    Mirror(usize),
    /// A mirror the file may ask, but every such one is at its cap.
    Busy,
    /// No mirror is left to ask.
    Done,
}

/// A transfer's place: its batch, mirror and caps, and its ticket (the
/// order it came in, kept when it waits aside: `slot_queue.rs`); and
/// whether it holds its slot now (shared by the clones: `aside` gives it
/// back and takes it again, and a transfer whose load was cancelled
/// meanwhile (`cancel.rs`) does not take it again, so its drop gives
/// back nothing).
#[derive(Clone, Debug)]
struct Place {
    slots: Arc<DownloadSlots>,
    mirror: String,
    caps: Caps,
    ticket: Ticket,
    held: Arc<AtomicBool>,
}

/// What a waiting transfer's look for room found.
enum Look<R> {
    /// It starts (or needs no slot): this.
    Go(R),
    /// It waits, claiming this of the later ones.
    Wait(Claim),
}

/// Takes a waiting transfer's ticket out of the queue should it unwind
/// (a `pick` that panics), so the later ones are not kept waiting.
struct Leave<'a>(&'a DownloadSlots, Option<Ticket>);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.1 {
            self.0.lock().queue.leave(ticket);
        }
    }
}

/// A transfer's place in the batch, given back when dropped (`None`:
/// handed to the file's next turn, which gives it back, [`InLine`]).
#[derive(Debug)]
pub(super) struct Slot(Option<Place>);

/// A file's place among the waiting transfers over its turns (one per
/// mirror asked, `turns.rs`): its first turn's ticket, and the slot of its
/// last turn, given back as the next turn joins the queue with that
/// ticket, in one hold of the lock, so that no transfer that came after
/// the file takes the freed slot first. librepo puts a target whose
/// transfer failed back to waiting where it is in its list, and serves
/// the list from the top.
#[derive(Debug, Default)]
pub(super) struct InLine {
    ticket: Option<Ticket>,
    slot: Option<Slot>,
}

thread_local! {
    /// The slot this thread's transfer holds (one at a time), for
    /// [`aside`].
    static HELD: RefCell<Option<Place>> = const { RefCell::new(None) };
    /// The slots of files that failed for good, kept until the work
    /// [`keeping_failed`] runs has said what the failure ends.
    static PARKED: RefCell<Option<Vec<Slot>>> = const { RefCell::new(None) };
}

/// Runs `f`, keeping the slot of a file that fails for good in it ([`park`])
/// until `then` has seen `f`'s answer; given back after. A load's thread
/// whose file failed cancels the transfers that failure makes useless in
/// `then` (`cancel.rs`): given back first, the slot went to the next
/// waiting transfer, a later repo's, which started (a request dnf never
/// makes, since it asks nothing of a later repo once one failed) before
/// the cancel abandoned it.
pub(super) fn keeping_failed<R>(f: impl FnOnce() -> R, then: impl FnOnce(&R)) -> R {
    /// Restores the outer scope's parking however `f` ends; the slots
    /// parked here are given back as it drops.
    struct Restore(Option<Vec<Slot>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = self.0.take();
            let parked = PARKED.with(|p| p.replace(outer));
            drop(parked);
        }
    }
    let _restore = Restore(PARKED.with(|p| p.replace(Some(Vec::new()))));
    let r = f();
    then(&r);
    r
}

/// Keeps the slot of `line`'s last turn (its file failed for good) until
/// the [`keeping_failed`] this thread runs in ends; given back at once
/// outside one.
pub(super) fn park(line: &mut InLine) {
    let Some(slot) = line.slot.take() else {
        return;
    };
    // No longer this thread's transfer: a later wait aside lends nothing.
    HELD.with(|h| h.borrow_mut().take());
    let unparked = PARKED.with(|p| match &mut *p.borrow_mut() {
        Some(kept) => {
            kept.push(slot);
            None
        }
        None => Some(slot),
    });
    drop(unparked);
}

impl DownloadSlots {
    /// Slots for `most` transfers at once, `per_mirror` from one mirror.
    pub fn new(most: usize, per_mirror: usize) -> DownloadSlots {
        DownloadSlots {
            fixed: Some(Caps {
                most: most.max(1),
                per_mirror: per_mirror.max(1),
            }),
            running: Mutex::default(),
        }
    }

    /// The slots of one load of repos' metadata (their metalinks,
    /// mirrorlists, repomd.xml and the files it lists, downloaded at once
    /// over the repos): each transfer starts only while fewer run than its
    /// repo's `max_parallel_downloads` and than that of every transfer
    /// under way, and fewer from its mirror than its repo's
    /// `max_downloads_per_mirror` and than that of every transfer under way
    /// from that mirror. dnf loads its repos one after the other,
    /// each repo's files as one librepo download under that repo's caps,
    /// so it never has more under way than one repo allows.
    pub(super) fn for_metadata() -> Arc<DownloadSlots> {
        Arc::new(DownloadSlots {
            fixed: None,
            running: Mutex::default(),
        })
    }

    /// The slots of a batch over repos reached by these accesses, in the
    /// order of the batch's files, each with whether it has a remote
    /// mirror: the caps of the first remote one ([`HttpSettings::for_repo`]:
    /// its `.repo` section's, else `--dnf-conf`'s `[main]`, else the
    /// `RPM_BUILDROOT_HTTP_*` variables), as librepo takes them from the
    /// handle of the batch's first file. A batch of local repos reads no
    /// variable (it downloads nothing).
    pub fn for_batch<'a>(
        repos: impl IntoIterator<Item = (&'a RepoAccess, bool)>,
    ) -> Result<Arc<DownloadSlots>> {
        let s = match repos.into_iter().find(|(_, remote)| *remote) {
            Some((access, _)) => HttpSettings::for_repo(access)?,
            None => HttpSettings::default(),
        };
        Ok(Arc::new(DownloadSlots::new(
            s.parallel_downloads,
            s.downloads_per_mirror,
        )))
    }

    /// How many fetches of the batch [`at_once`] runs together: enough to
    /// fill the slots twice over, so the slots of transfers that wait
    /// (`aside`: a retry's backoff) or of files waiting for a mirror at
    /// its cap go to the next files, as librepo starts the next package
    /// then; and as many as rayon has threads for the ones that need no
    /// network (a cached file's checksum, a local copy).
    pub fn threads(&self) -> usize {
        let most = self.fixed.map_or(1, |c| c.most);
        (2 * most).max(rayon::current_num_threads())
    }

    /// How many transfers run now, for tests.
    #[cfg(test)]
    pub(super) fn running_now(&self) -> usize {
        self.lock().all
    }

    /// How many times a slot was given back or lent so far, for tests.
    #[cfg(test)]
    pub(super) fn given_back_now(&self) -> u64 {
        self.lock().queue.frees()
    }

    /// How many transfers wait for a slot now, for tests.
    #[cfg(test)]
    pub(super) fn waiting_now(&self) -> usize {
        self.lock().queue.len()
    }

    fn lock(&self) -> MutexGuard<'_, Running> {
        // The counts are whole after every change: a panicking holder
        // leaves them usable.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place kept in the queue for a transfer of `rank` that has not
    /// asked yet (`reserve.rs`).
    pub(super) fn reserve(&self, rank: super::rank::Rank) -> Ticket {
        self.lock().queue.reserve(rank)
    }

    /// Withdraws the place `ticket` if it is still reserved (no transfer
    /// took it over); the transfers behind it look again.
    pub(super) fn withdraw(&self, ticket: Ticket) -> bool {
        self.lock().queue.withdraw(ticket)
    }

    /// How many reserved places are in the queue, for tests.
    #[cfg(test)]
    pub(super) fn reserved_now(&self) -> usize {
        self.lock().queue.reserved()
    }

    /// Wakes every waiting transfer, to look at its [`Cancel`] (set now).
    pub(super) fn wake_all(&self) {
        self.lock().queue.wake_all();
    }

    /// Waits in the queue (`again`: with the ticket a transfer had before
    /// it waited aside) until `look`, run in the queue's order whenever
    /// room may have come, says go; returns its value and the ticket.
    /// `before`: the place of the file's last turn, given back once the
    /// ticket is in the queue again ([`InLine`]). `None`: this thread's
    /// [`Cancel`] was set (`cancel.rs`): it left the queue, taking nothing.
    fn in_order<R>(
        self: &Arc<Self>,
        again: Option<Ticket>,
        before: Option<Place>,
        mut look: impl FnMut(&mut Running, &Ahead) -> Look<R>,
    ) -> Option<(R, Ticket)> {
        let cancel = cancel::current();
        if let Some(c) = &cancel {
            c.watch(self);
        }
        // Before the lock: dropped after its guard, should `look` panic.
        let mut leave = Leave(self, None);
        let mut running = self.lock();
        let (ticket, wake) = running.queue.arrive(again);
        leave.1 = Some(ticket);
        if let Some(place) = before {
            if place.held.swap(false, Ordering::SeqCst) {
                running.give_back(&place.mirror, place.caps);
                running.queue.freed();
            }
        }
        loop {
            // Under the lock: `Cancel::cancel` sets its flag, then wakes
            // the waiters under it, so this sees the flag or is woken.
            if cancel.as_ref().is_some_and(Cancel::is_set) {
                // Its claim withdrawn, those after it look again, as when
                // a slot is given back (one it kept waiting may start).
                running.queue.leave(ticket);
                running.queue.freed();
                leave.1 = None;
                return None;
            }
            if running.queue.may_look(ticket) {
                let ahead = running.queue.ahead(ticket);
                match look(&mut running, &ahead) {
                    Look::Go(r) => {
                        running.queue.leave(ticket);
                        leave.1 = None;
                        return Some((r, ticket));
                    }
                    Look::Wait(claim) => running.queue.looked(ticket, claim),
                }
            }
            running = wake.wait(running).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The mirror a file's next request goes to, and its slot: `pick`
    /// chooses among the file's mirrors `locs` told which have room (a
    /// remote one below its cap; a local one always), as librepo's
    /// `select_suitable_mirror` does. A remote mirror's request waits
    /// until the batch has a free slot, and [`Pick::Busy`] until a
    /// transfer ends; then `pick` chooses again (the order may have
    /// changed). A local mirror takes no slot. `None`: [`Pick::Done`], or
    /// this thread's [`Cancel`] was set (`cancel.rs`).
    /// `caps` are the file's repo's, for slots of metadata (a batch of
    /// packages has its own). Waiting requests start in the order they
    /// came, as far as the caps let them (`slot_queue.rs`): a mirror an
    /// earlier one waits for has no room for a later one.
    #[cfg(test)]
    pub(super) fn turn(
        self: &Arc<Self>,
        locs: &[Location],
        caps: Caps,
        pick: impl FnMut(&dyn Fn(usize) -> bool) -> Pick,
    ) -> Option<(usize, Option<Slot>)> {
        let mut line = InLine::default();
        let i = self.turn_in(&mut line, locs, caps, pick).ok()??;
        Some((i, line.slot.take()))
    }

    /// [`DownloadSlots::turn`] for a file's next turn, in its place
    /// `line`: with the first turn's ticket, the last turn's slot given
    /// back as it joins the queue; the slot taken, if any, is kept in
    /// `line` (given back when `line` drops, or by the next turn).
    /// [`Error::Cancelled`] when this thread's [`Cancel`] is set, before
    /// or while it waits: it takes no slot, and gives back the last one.
    pub(super) fn turn_in(
        self: &Arc<Self>,
        line: &mut InLine,
        locs: &[Location],
        caps: Caps,
        mut pick: impl FnMut(&dyn Fn(usize) -> bool) -> Pick,
    ) -> Result<Option<usize>> {
        let caps = self.fixed.unwrap_or(caps);
        let before = line.slot.take().and_then(|mut s| s.0.take());
        if before.is_some() {
            HELD.with(|h| h.borrow_mut().take());
        }
        debug_assert!(before.as_ref().is_none_or(|p| Arc::ptr_eq(&p.slots, self)));
        // A thread's first transfer takes the place its load reserved for
        // it (`reserve.rs`).
        let again = line.ticket.or_else(|| super::reserve::take_for(self));
        let got = self.in_order(again, before, |running, ahead| {
            // The mirrors found full, which a file that waits claims.
            let full = RefCell::new(Vec::new());
            let room = |i: usize| match &locs[i] {
                Location::Http(base) => {
                    let room = !ahead.holds(base) && running.mirror_room(base, caps, ahead);
                    if !room {
                        full.borrow_mut().push(base.clone());
                    }
                    room
                }
                Location::Dir(_) => true,
            };
            match pick(&room) {
                Pick::Done => Look::Go(None),
                Pick::Mirror(i) => match &locs[i] {
                    Location::Dir(_) => Look::Go(Some((i, None))),
                    Location::Http(base) => match running.take_in_turn(base, caps, ahead) {
                        Ok(()) => Look::Go(Some((i, Some(base.clone())))),
                        Err(claim) => Look::Wait(claim),
                    },
                },
                // Its mirrors full, and no room in all either (its own
                // cap, or the lowest under way): it waits for room in all,
                // which keeps later transfers from passing it on another
                // mirror, as when it has a mirror with room.
                Pick::Busy if ahead.all || !running.room_in_all(caps, ahead) => {
                    Look::Wait(Claim::All)
                }
                Pick::Busy => Look::Wait(Claim::Mirrors(full.take())),
            }
        });
        let Some((got, ticket)) = got else {
            return Err(Error::Cancelled);
        };
        line.ticket = Some(ticket);
        let Some((i, taken)) = got else {
            return Ok(None);
        };
        line.slot = taken.map(|mirror| {
            let place = Place {
                slots: self.clone(),
                mirror,
                caps,
                ticket,
                held: Arc::new(AtomicBool::new(true)),
            };
            HELD.with(|h| *h.borrow_mut() = Some(place.clone()));
            Slot(Some(place))
        });
        Ok(Some(i))
    }

    /// A slot for a download of `url` alone (a metalink or a mirrorlist),
    /// counted for its server as a mirror, in `line` (the list's place
    /// over its rounds): waits for room, as [`DownloadSlots::turn_in`].
    pub(super) fn one(self: &Arc<Self>, line: &mut InLine, url: &str, caps: Caps) -> Result<()> {
        let locs = [Location::Http(url.to_string())];
        match self.turn_in(line, &locs, caps, only_location)? {
            Some(_) if line.slot.is_some() => Ok(()),
            _ => unreachable!("a remote location always takes a slot"),
        }
    }
}

impl Place {
    /// Gives back this transfer's place, if it holds it.
    fn free(&self) {
        let mut running = self.slots.lock();
        if self.held.swap(false, Ordering::SeqCst) {
            running.give_back(&self.mirror, self.caps);
            running.queue.freed();
        }
    }

    /// Lends this transfer's place while it waits aside: given back, and
    /// with `claim`, claimed in the queue with its ticket against later
    /// ranks (`slot_queue.rs`) until [`Place::take_again`].
    fn lend(&self, claim: bool) {
        let mut running = self.slots.lock();
        if self.held.swap(false, Ordering::SeqCst) {
            running.give_back(&self.mirror, self.caps);
            if claim {
                running.queue.aside(self.ticket, &self.mirror, self.caps);
            }
            running.queue.freed();
        }
    }

    /// Takes this place again, once the batch and the mirror have room,
    /// in its first turn's order among the waiting transfers (librepo
    /// keeps a failed target in its place in the list); not when this
    /// thread's [`Cancel`] is set: it then holds nothing.
    fn take_again(&self) {
        let got = self
            .slots
            .in_order(Some(self.ticket), None, |running, ahead| {
                match running.take_in_turn(&self.mirror, self.caps, ahead) {
                    Ok(()) => {
                        // Marked under the lock, with the count.
                        self.held.store(true, Ordering::SeqCst);
                        Look::Go(())
                    }
                    Err(claim) => Look::Wait(claim),
                }
            });
        debug_assert!(got.is_some() || !self.held.load(Ordering::SeqCst));
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(place) = self.0.take() {
            HELD.with(|h| h.borrow_mut().take());
            place.free();
        }
    }
}

/// Runs `wait` (a sleep, a wait for another run's download) without the
/// slot this thread's transfer holds, if any: the batch's next file may
/// take it meanwhile, and the transfer goes on once its mirror and the
/// batch have room again, as librepo frees a failed transfer's place and
/// retries it when one is free. Without a slot, just `wait`. For a wait
/// that ends by itself (a retry's backoff), [`backing_off`].
pub(crate) fn aside<R>(wait: impl FnOnce() -> R) -> R {
    aside_with(false, wait)
}

/// [`aside`] for a retry's backoff: only a transfer of its rank, or an
/// earlier one, may take the slot meanwhile; a load's later repos and
/// files wait for it to come back (`slot_queue.rs`), as dnf, loading one
/// repo at a time, asks for none of them meanwhile. Only for a wait that
/// ends by itself: one for something a later transfer does (another
/// thread's download of the same file, `download_lock.rs`) would wait for
/// ever behind its own claim.
pub(crate) fn backing_off<R>(wait: impl FnOnce() -> R) -> R {
    aside_with(true, wait)
}

/// [`aside`], the slot claimed meanwhile against later ranks when `claim`.
fn aside_with<R>(claim: bool, wait: impl FnOnce() -> R) -> R {
    /// Takes the place again however `wait` ends, so the slot's drop
    /// gives back one it holds.
    struct Again(Option<Place>);
    impl Drop for Again {
        fn drop(&mut self) {
            if let Some(place) = &self.0 {
                place.take_again();
            }
        }
    }
    let held = HELD.with(|h| h.borrow().clone());
    if let Some(place) = &held {
        place.lend(claim);
    }
    let _again = Again(held);
    wait()
}

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

/// The pick of a download of one location: that one, once it has room.
fn only_location(room: &dyn Fn(usize) -> bool) -> Pick {
    if room(0) {
        Pick::Mirror(0)
    } else {
        Pick::Busy
    }
}

#[cfg(test)]
mod tests {
    use super::super::mirror_tally::tests::locs;
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// The caps a file brings, which a batch's own caps override.
    const ANY: Caps = Caps {
        most: 20,
        per_mirror: 20,
    };

    /// The most requests under way at once, in all and per mirror, over
    /// 8 files of one batch, each asking the first of `kinds`'s mirrors
    /// with room, every request holding its slot until `want` are under
    /// way (or 10 s have passed: the caps kept it lower).
    fn peak(slots: &Arc<DownloadSlots>, kinds: &str, want: usize) -> (usize, Vec<usize>) {
        let locs = locs(kinds);
        let (now, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let counters =
            || -> Vec<AtomicUsize> { locs.iter().map(|_| AtomicUsize::new(0)).collect() };
        let (per_now, per_peak) = (counters(), counters());
        let items: Vec<usize> = (0..8).collect();
        at_once(&items, 20, |_| {
            let (i, slot) = slots
                .turn(&locs, ANY, |room| {
                    (0..locs.len())
                        .find(|&i| room(i))
                        .map_or(Pick::Busy, Pick::Mirror)
                })
                .unwrap();
            peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            per_peak[i].fetch_max(
                per_now[i].fetch_add(1, Ordering::SeqCst) + 1,
                Ordering::SeqCst,
            );
            let until = std::time::Instant::now() + Duration::from_secs(10);
            while peak.load(Ordering::SeqCst) < want && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            per_now[i].fetch_sub(1, Ordering::SeqCst);
            now.fetch_sub(1, Ordering::SeqCst);
            drop(slot);
            Ok(())
        })
        .unwrap();
        let per = per_peak.iter().map(|p| p.load(Ordering::SeqCst)).collect();
        (peak.load(Ordering::SeqCst), per)
    }

    /// The batch's cap holds over all its files; one mirror takes at most
    /// its own cap, the next mirror the rest (librepo: 5 at once over two
    /// mirrors capped at 3 is 3 and 2); local mirrors take no slot.
    #[test]
    fn a_batch_runs_its_cap_at_once_and_a_mirror_its_own() {
        assert_eq!(peak(&Arc::new(DownloadSlots::new(3, 3)), "h", 3).0, 3);
        assert_eq!(peak(&Arc::new(DownloadSlots::new(1, 3)), "h", 1).0, 1);
        assert_eq!(peak(&Arc::new(DownloadSlots::new(5, 3)), "h", 3).0, 3);
        assert_eq!(peak(&Arc::new(DownloadSlots::new(5, 5)), "h", 5).0, 5);
        let (all, per) = peak(&Arc::new(DownloadSlots::new(5, 3)), "hh", 5);
        assert_eq!(all, 5);
        assert!(per == [3, 2] || per == [3, 3], "{per:?}");
        assert_eq!(peak(&Arc::new(DownloadSlots::new(1, 1)), "d", 8).0, 8);
    }

    /// Many files over mirrors that fail at random, under small caps:
    /// every file ends (delivered or given up) within the time, the caps
    /// hold at every moment, and a panicking fetch frees its slot for the
    /// others.
    #[test]
    fn a_batch_under_small_caps_with_failing_mirrors_always_ends() {
        use super::super::http::HttpSettings;
        use super::super::mirror_tally::MirrorTally;
        use super::super::turns::{in_turns, Turn};
        let run = |most: usize, per: usize, kinds: &'static str, seed: u64| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let slots = Arc::new(DownloadSlots::new(most, per));
                let tally = MirrorTally::sharing(&slots);
                let locs = locs(kinds);
                let now = AtomicUsize::new(0);
                let per_now: Vec<AtomicUsize> = locs.iter().map(|_| AtomicUsize::new(0)).collect();
                let over = AtomicBool::new(false);
                let items: Vec<u64> = (0..120).collect();
                let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    at_once(&items, 16, |&f| {
                        let mut tries = 0u64;
                        let r = in_turns(&locs, &HttpSettings::default(), Some(&tally), |i, _| {
                            tries += 1;
                            let remote = matches!(locs[i], Location::Http(_));
                            if remote {
                                let all = now.fetch_add(1, Ordering::SeqCst) + 1;
                                let one = per_now[i].fetch_add(1, Ordering::SeqCst) + 1;
                                if all > most || one > per {
                                    over.store(true, Ordering::SeqCst);
                                }
                            }
                            // A pseudo-random outcome per file, try and seed.
                            let x = (f * 7919 + tries * 104729 + seed * 31)
                                .wrapping_mul(2654435761)
                                % 97;
                            std::thread::sleep(Duration::from_micros(200 + x * 20));
                            if remote {
                                per_now[i].fetch_sub(1, Ordering::SeqCst);
                                now.fetch_sub(1, Ordering::SeqCst);
                            }
                            if f == 60 && seed == 3 {
                                panic!("a fetch that panics");
                            }
                            match x % 3 {
                                0 => Ok(Turn::asked(())),
                                _ => Err(crate::error::Error::Http {
                                    url: format!("m{i}"),
                                    msg: "HTTP 503".into(),
                                    status: Some(503),
                                }),
                            }
                        })?;
                        Ok(r.is_ok())
                    })
                }));
                let _ = tx.send((got.is_ok(), over.load(Ordering::SeqCst)));
            });
            rx.recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("hung: caps {most}/{per} over {kinds}, seed {seed}"))
        };
        for (most, per, kinds) in [
            (1, 1, "hhh"),
            (2, 1, "hhh"),
            (3, 1, "hh"),
            (1, 3, "h"),
            (2, 2, "hdh"),
            (3, 3, "hh"),
        ] {
            for seed in 0..4 {
                let (finished, over) = run(most, per, kinds, seed);
                assert!(!over, "caps {most}/{per} broken over {kinds}, seed {seed}");
                assert_eq!(finished, seed != 3, "{most}/{per} {kinds} {seed}");
            }
        }
    }

    /// One load's metadata over repos of different caps (1 to 5 at once,
    /// 1 to 3 per mirror; two mirrors each, some repos sharing one), files
    /// failing at random and failed over, one waiting its backoff aside:
    /// every file ends within the time (no repo of 1 waits for ever), and
    /// no transfer ever runs beside more than the lowest cap under way
    /// allows, nor beside more than its own per mirror.
    #[test]
    fn a_load_of_mixed_caps_always_ends_under_the_lowest_cap() {
        use super::super::http::HttpSettings;
        use super::super::mirror_tally::MirrorTally;
        use super::super::turns::{in_turns, Turn};
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let slots = DownloadSlots::for_metadata();
            // (most, per mirror, mirrors) of each repo.
            let repos: [(usize, usize, [&str; 2]); 5] = [
                (1, 3, ["http://a/", "http://b/"]),
                (3, 1, ["http://b/", "http://c/"]),
                (2, 2, ["http://c/", "http://d/"]),
                (5, 3, ["http://e/", "http://a/"]),
                (3, 3, ["http://f/", "http://g/"]),
            ];
            // The caps of the transfers under way, and their mirrors.
            let running: Mutex<Vec<(usize, usize, String)>> = Mutex::default();
            let broken = AtomicBool::new(false);
            let items: Vec<(usize, u64)> =
                (0..5).flat_map(|r| (0..6).map(move |f| (r, f))).collect();
            let _ = at_once(&items, 12, |&(r, f)| {
                let (most, per, mirrors) = repos[r];
                let locs: Vec<Location> = mirrors
                    .iter()
                    .map(|m| Location::Http(m.to_string()))
                    .collect();
                let s = HttpSettings {
                    parallel_downloads: most,
                    downloads_per_mirror: per,
                    ..HttpSettings::default()
                };
                let tally = MirrorTally::sharing(&slots);
                let mut tries = 0u64;
                let got = in_turns(&locs, &s, Some(&tally), |i, _| {
                    tries += 1;
                    let mirror = mirrors[i].to_string();
                    {
                        let mut now = running.lock().unwrap();
                        now.push((most, per, mirror.clone()));
                        let lowest = now.iter().map(|t| t.0).min().unwrap();
                        let from = |m: &str| now.iter().filter(|t| t.2 == m).count();
                        if now.len() > lowest || now.iter().any(|t| from(&t.2) > t.1) {
                            broken.store(true, Ordering::SeqCst);
                        }
                    }
                    let x =
                        ((r as u64) * 7919 + f * 104729 + tries * 31).wrapping_mul(2654435761) % 97;
                    std::thread::sleep(Duration::from_micros(300 + x * 30));
                    let mut now = running.lock().unwrap();
                    let at = now
                        .iter()
                        .position(|t| *t == (most, per, mirror.clone()))
                        .unwrap();
                    now.swap_remove(at);
                    drop(now);
                    if x.is_multiple_of(5) {
                        // A backoff, its slot lent meanwhile.
                        aside(|| std::thread::sleep(Duration::from_millis(2)));
                    }
                    match x % 3 {
                        0 => Err(crate::error::Error::Http {
                            url: mirror,
                            msg: "HTTP 503".into(),
                            status: Some(503),
                        }),
                        _ => Ok(Turn::asked(())),
                    }
                });
                got.map(|_| ())
            });
            let left = slots.running_now();
            let _ = tx.send((broken.load(Ordering::SeqCst), left));
        });
        let (broken, left) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a load of mixed caps hung");
        assert!(
            !broken,
            "a transfer ran beside more than the lowest cap allows"
        );
        assert_eq!(left, 0, "every slot given back");
    }

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

    /// A load cancelled (`cancel.rs`) while one of its transfers waits in
    /// the queue and another, back from a wait aside, waits for the slot
    /// it lent to a transfer of other work: both end at once, the queued
    /// one taking no slot, the other not taking its slot again, so its drop gives back
    /// nothing (the lent slot is still the other's: nothing else starts
    /// beside it), and the next transfer gets the slot once that one ends.
    #[test]
    fn a_cancelled_load_s_transfers_leave_the_count_whole() {
        use super::super::cancel::Cancel;
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let locs = locs("h");
        let first = only_location;
        let until = |what: &str, done: &dyn Fn() -> bool| {
            let end = std::time::Instant::now() + Duration::from_secs(10);
            while !done() {
                assert!(std::time::Instant::now() < end, "{what}");
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        let load = Cancel::new();
        std::thread::scope(|scope| {
            let (slots, locs, load) = (&slots, &locs, &load);
            // The load's transfer takes the slot, then waits aside.
            let (lent_tx, lent_rx) = std::sync::mpsc::channel();
            let (back_tx, back_rx) = std::sync::mpsc::channel::<()>();
            let aside_one = scope.spawn(move || {
                load.within(|| {
                    let (_, slot) = slots.turn(locs, ANY, first).unwrap();
                    lent_tx.send(()).unwrap();
                    // Its wait ends; it waits for its slot again.
                    aside(|| back_rx.recv()).unwrap();
                    drop(slot);
                })
            });
            lent_rx.recv().unwrap();
            // Another work's transfer takes the lent slot and keeps it.
            let other = scope
                .spawn(move || slots.turn(locs, ANY, first).unwrap().1)
                .join()
                .unwrap();
            // The load's second transfer waits in the queue, behind the
            // first one's claim to take its slot again.
            let queued = scope.spawn(|| load.within(|| slots.turn(locs, ANY, first).is_none()));
            until("one waiting", &|| slots.waiting_now() == 1);
            back_tx.send(()).unwrap();
            until("two waiting", &|| slots.waiting_now() == 2);
            load.cancel();
            assert!(queued.join().unwrap(), "the queued transfer took nothing");
            aside_one.join().unwrap();
            assert_eq!((slots.running_now(), slots.waiting_now()), (1, 0));
            // The other's slot is still counted: a next transfer waits.
            let next = scope.spawn(|| slots.turn(locs, ANY, first).map(|(_, s)| s));
            until("the next waiting", &|| slots.waiting_now() == 1);
            assert_eq!(slots.running_now(), 1);
            drop(other);
            let next = next.join().unwrap();
            assert!(next.is_some());
            assert_eq!(slots.running_now(), 1);
        });
        let r = slots.lock();
        assert!(r.all == 0 && r.by_most.is_empty() && r.by_mirror.is_empty());
        assert_eq!(r.queue.len(), 0);
    }

    /// A file that fails for good inside [`keeping_failed`] keeps its slot
    /// until `then` has run: a transfer waiting for it does not start
    /// before (a load's thread cancels the later repos there, so none of
    /// theirs starts on the slot its failure gave back); it does after.
    /// Outside one, the slot is given back as the file gives up.
    #[test]
    fn a_failed_file_keeps_its_slot_until_its_failure_is_handled() {
        use super::super::http::HttpSettings;
        use super::super::mirror_tally::MirrorTally;
        use super::super::turns::{in_turns, Turn};
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let tally = MirrorTally::sharing(&slots);
        let locs = locs("h");
        let fail = |_: usize, _: &HttpSettings| -> Result<Turn<()>> {
            Err(Error::Http {
                url: "http://m0/f".into(),
                msg: "HTTP 404".into(),
                status: Some(404),
            })
        };
        std::thread::scope(|scope| {
            let (started_tx, started_rx) = std::sync::mpsc::channel();
            let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
            let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
            let (slots_f, locs_f, tally_f) = (&slots, &locs, &tally);
            let failing = scope.spawn(move || {
                let (slots, locs, tally) = (slots_f, locs_f, tally_f);
                keeping_failed(
                    || {
                        let got = in_turns(locs, &HttpSettings::default(), Some(tally), |i, s| {
                            // Holding the slot: the next one comes, and waits.
                            held_tx.send(()).unwrap();
                            go_rx.recv().unwrap();
                            fail(i, s)
                        });
                        assert!(matches!(got, Ok(Err(_))), "gave up");
                    },
                    |_| {
                        std::thread::sleep(Duration::from_millis(50));
                        assert_eq!(slots.running_now(), 1, "given back before `then`");
                        assert!(started_rx.try_recv().is_err(), "the next one started");
                    },
                );
            });
            held_rx.recv().unwrap();
            let (slots, locs) = (&slots, &locs);
            let waiting = scope.spawn(move || {
                let got = slots.turn(locs, ANY, only_location);
                let _ = started_tx.send(());
                got.is_some()
            });
            let until = std::time::Instant::now() + Duration::from_secs(10);
            while slots.waiting_now() == 0 {
                assert!(std::time::Instant::now() < until, "never waited");
                std::thread::sleep(Duration::from_millis(1));
            }
            go_tx.send(()).unwrap();
            failing.join().unwrap();
            assert!(waiting.join().unwrap(), "it started after");
        });
        assert_eq!(slots.running_now(), 0);
        // Outside `keeping_failed`: given back as it gives up.
        let got = in_turns(&locs, &HttpSettings::default(), Some(&tally), fail);
        assert!(matches!(got, Ok(Err(_))));
        assert_eq!(slots.running_now(), 0);
    }

    /// A transfer that waits (a retry's backoff) lends its slot to the
    /// next file meanwhile, and takes it back once that one is done.
    #[test]
    fn a_waiting_transfer_lends_its_slot() {
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let locs = locs("h");
        let first = only_location;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            let (_, slot) = slots.turn(&locs, ANY, first).unwrap();
            let (slots, locs) = (&slots, &locs);
            scope.spawn(move || {
                let (_, other) = slots.turn(locs, ANY, first).unwrap();
                tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(50));
                drop(other);
            });
            let lent = aside(|| rx.recv_timeout(Duration::from_secs(10)));
            assert!(lent.is_ok(), "the next file did not have the slot");
            // Back, and alone: the other file gave its slot back first.
            assert_eq!(slots.lock().all, 1);
            drop(slot);
        });
        let running = slots.lock();
        assert_eq!((running.all, running.from("http://m0/")), (0, 0));
        // Without a slot, just the wait.
        drop(running);
        assert_eq!(aside(|| 7), 7);
        assert_eq!(slots.lock().all, 0);
    }

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
