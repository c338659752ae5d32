//! A file's wait for a slot ([`DownloadSlots::turn_in`]): in the queue's
//! order (`slot_queue.rs`), until its mirror and the batch have room, as
//! librepo's `select_suitable_mirror` picks the first mirror of a target
//! below its cap and `prepare_next_transfers` serves its list of targets
//! from the top whenever a place is free.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::super::cancel::{self, Cancel};
use super::super::fetch::Location;
use super::super::slot_queue::{Ahead, Claim, Ticket};
use super::lend::HELD;
use super::running::Running;
use super::{Caps, DownloadSlots, InLine, Leave, Look, Pick, Place, Slot};
use crate::error::{Error, Result};

impl DownloadSlots {
    /// Waits in the queue (`again`: with the ticket a transfer had before
    /// it waited aside) until `look`, run in the queue's order whenever
    /// room may have come, says go; returns its value and the ticket.
    /// `before`: the place of the file's last turn, given back once the
    /// ticket is in the queue again ([`InLine`]). `None`: this thread's
    /// [`Cancel`] was set (`cancel.rs`): it left the queue, taking nothing.
    pub(super) fn in_order<R>(
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
    pub(in crate::rpmmd) fn turn(
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
    pub(in crate::rpmmd) fn turn_in(
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
        let again = line
            .ticket
            .or_else(|| super::super::reserve::take_for(self));
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
    pub(in crate::rpmmd) fn one(
        self: &Arc<Self>,
        line: &mut InLine,
        url: &str,
        caps: Caps,
    ) -> Result<()> {
        let locs = [Location::Http(url.to_string())];
        match self.turn_in(line, &locs, caps, only_location)? {
            Some(_) if line.slot.is_some() => Ok(()),
            _ => unreachable!("a remote location always takes a slot"),
        }
    }
}

/// The pick of a download of one location: that one, once it has room.
pub(super) fn only_location(room: &dyn Fn(usize) -> bool) -> Pick {
    if room(0) {
        Pick::Mirror(0)
    } else {
        Pick::Busy
    }
}
