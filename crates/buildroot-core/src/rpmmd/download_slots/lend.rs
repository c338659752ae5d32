//! A slot lent while its transfer waits ([`aside`], [`backing_off`]) and
//! a failed file's slot kept until its failure is handled
//! ([`keeping_failed`]). librepo frees a mirror's place as a transfer
//! fails, gives it to the next target waiting, and puts the failed target
//! back to waiting where it is in its list (`check_transfer_statuses`).

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use super::{InLine, Look, Place, Slot};

thread_local! {
    /// The slot this thread's transfer holds (one at a time), for
    /// [`aside`].
    pub(super) static HELD: RefCell<Option<Place>> = const { RefCell::new(None) };
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
pub(in crate::rpmmd) fn keeping_failed<R>(f: impl FnOnce() -> R, then: impl FnOnce(&R)) -> R {
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
pub(in crate::rpmmd) fn park(line: &mut InLine) {
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

impl Place {
    /// Gives back this transfer's place, if it holds it.
    pub(super) fn free(&self) {
        let mut running = self.slots.lock();
        if self.held.swap(false, Ordering::SeqCst) {
            running.give_back(&self.mirror, self.caps);
            running.queue.freed();
        }
    }

    /// Lends this transfer's place while it waits aside: given back, and
    /// with `claim`, claimed in the queue with its ticket against later
    /// ranks (`slot_queue.rs`) until [`Place::take_again`].
    pub(super) fn lend(&self, claim: bool) {
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
    pub(super) fn take_again(&self) {
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
