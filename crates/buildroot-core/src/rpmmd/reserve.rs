//! A place in a load's slot queue kept for a thread's first transfer
//! before the thread runs (`slot_queue.rs`, `Claim::Reserved`).
//!
//! The ranks (`rank.rs`) order the transfers that wait; but a load starts
//! each repo's primary.xml thread at once, and a later repo's thread could
//! reach a free slot before the earlier repo's first transfer had asked,
//! and take it: a stall there kept the earlier repo (one whose primary
//! answers 503 and fails at once) waiting for the stall's timeout. dnf 4
//! loads one repo after the other (`Base.fill_sack`), so nothing of a later
//! repo is under way before the earlier one is done. So the load reserves,
//! in load order and before it starts any thread, a ticket for each remote
//! repo's primary.xml ([`Reserved::new`]); the thread's first transfer on
//! those slots takes it over as its ticket (`DownloadSlots::turn_in`), as a
//! file's later turns keep their first one. A thread that ends without a
//! transfer (a cached copy, an error, its load cancelled, a panic) drops
//! its [`Reserved`], which withdraws the place, so that no place is left
//! to hold the later transfers back.

use std::cell::RefCell;
use std::sync::Arc;

use super::download_slots::DownloadSlots;
use super::rank::Rank;
use super::slot_queue::Ticket;

/// A place reserved in `slots`' queue; withdrawn when dropped, unless a
/// transfer has taken it over.
#[derive(Debug)]
pub(super) struct Reserved {
    slots: Arc<DownloadSlots>,
    ticket: Ticket,
}

thread_local! {
    /// The place this thread's next transfer takes over, and its slots.
    static MINE: RefCell<Option<(Arc<DownloadSlots>, Ticket)>> = const { RefCell::new(None) };
}

impl Reserved {
    /// A place in `slots`' queue for a transfer of `rank` to come: every
    /// transfer of a later rank waits behind it.
    pub(super) fn new(slots: &Arc<DownloadSlots>, rank: Rank) -> Reserved {
        Reserved {
            slots: slots.clone(),
            ticket: slots.reserve(rank),
        }
    }

    /// Runs `f`, whose first transfer on the place's slots takes it over;
    /// the place is withdrawn after `f` however it ends, if nothing took it.
    pub(super) fn within<R>(self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<(Arc<DownloadSlots>, Ticket)>);
        impl Drop for Restore {
            fn drop(&mut self) {
                MINE.with(|m| *m.borrow_mut() = self.0.take());
            }
        }
        let mine = Some((self.slots.clone(), self.ticket));
        let _restore = Restore(MINE.with(|m| m.replace(mine)));
        f()
        // `_restore`, then `self`: the place is withdrawn.
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        self.slots.withdraw(self.ticket);
    }
}

/// The place reserved for this thread's transfer in `slots`, if any, taken
/// (once: the thread's later transfers get tickets of their own).
pub(super) fn take_for(slots: &Arc<DownloadSlots>) -> Option<Ticket> {
    MINE.with(|m| {
        let mut m = m.borrow_mut();
        match &*m {
            Some((s, _)) if Arc::ptr_eq(s, slots) => m.take().map(|(_, t)| t),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::cancel::Cancel;
    use super::super::download_slots::{Caps, DownloadSlots, Pick};
    use super::super::fetch::Location;
    use super::super::rank::{self, Rank, Role};
    use super::Reserved;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// One transfer at a time (a repo of `max_parallel_downloads=1`), or 3.
    const ONE: Caps = Caps {
        most: 1,
        per_mirror: 3,
    };
    const THREE: Caps = Caps {
        most: 3,
        per_mirror: 3,
    };
    const EARLY: Rank = Rank::of(0, Role::Primary);
    const LATE: Rank = Rank::of(1, Role::Primary);

    fn at(mirror: &str) -> Vec<Location> {
        vec![Location::Http(format!("http://{mirror}/"))]
    }

    fn first(room: &dyn Fn(usize) -> bool) -> Pick {
        if room(0) {
            Pick::Mirror(0)
        } else {
            Pick::Busy
        }
    }

    /// Waits until `done` holds (10 s at most: it fails then).
    fn wait_for(what: &str, done: impl Fn() -> bool) {
        let until = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < until, "never: {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A later repo's transfer that reaches a free slot while an earlier
    /// repo's place is reserved waits for it, under `caps`; `early` runs
    /// in the place (`Reserved::within`), told when the later one waits;
    /// then the order in which the two started (`None`: `early` started
    /// nothing), and what `early` gave.
    fn race<R: Send>(
        caps: Caps,
        early: impl FnOnce(&Arc<DownloadSlots>, &Mutex<Vec<&'static str>>) -> R + Send,
    ) -> (Vec<&'static str>, std::thread::Result<R>) {
        let slots = DownloadSlots::for_metadata();
        let started = Mutex::new(Vec::new());
        let place = Reserved::new(&slots, EARLY);
        assert_eq!(slots.reserved_now(), 1);
        // Cancelled should it wait for ever (a place left behind): the
        // test fails rather than hangs.
        let stuck = Cancel::new();
        let got = std::thread::scope(|s| {
            let (slots, started, stuck) = (&slots, &started, &stuck);
            s.spawn(move || {
                let turn = || rank::within(LATE, || slots.turn(&at("b"), caps, first));
                if let Some(got) = stuck.within(turn) {
                    started.lock().unwrap().push("late");
                    drop(got);
                }
            });
            wait_for("the later transfer waits", || slots.waiting_now() == 1);
            std::thread::sleep(Duration::from_millis(20));
            assert!(started.lock().unwrap().is_empty(), "it took the slot");
            let got = s
                .spawn(move || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        rank::within(EARLY, || place.within(|| early(slots, started)))
                    }))
                })
                .join()
                .unwrap();
            let until = Instant::now() + Duration::from_secs(10);
            while !started.lock().unwrap().contains(&"late") && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !started.lock().unwrap().contains(&"late") {
                stuck.cancel();
                panic!("the later transfer waits for ever: a place left behind");
            }
            got
        });
        assert_eq!((slots.reserved_now(), slots.waiting_now()), (0, 0));
        assert_eq!(slots.running_now(), 0);
        (started.into_inner().unwrap(), got)
    }

    /// The earlier repo's first transfer takes the reserved place over: it
    /// starts first under one slot, though the later one asked first.
    #[test]
    fn the_first_transfer_takes_the_reserved_place() {
        let (order, got) = race(ONE, |slots, started| {
            let got = slots.turn(&at("a"), ONE, first);
            started.lock().unwrap().push("early");
            assert_eq!(slots.reserved_now(), 0, "taken over");
            // Its second file: a ticket of its own, behind the first.
            drop(got);
        });
        assert!(got.is_ok());
        assert_eq!(order, ["early", "late"]);
    }

    /// With room for both, the later transfer starts beside the earlier
    /// one as soon as that one has its slot, not once it has ended (a
    /// successful load is not made slower).
    #[test]
    fn with_room_the_later_transfer_starts_beside_the_first() {
        let (order, got) = race(THREE, |slots, started| {
            let got = slots.turn(&at("a"), THREE, first);
            started.lock().unwrap().push("early");
            wait_for("the later one starts beside it", || {
                started.lock().unwrap().len() == 2
            });
            drop(got);
        });
        // Both under way at once: they say so in any order.
        assert!(got.is_ok(), "the later one did not start beside it");
        assert_eq!(order.len(), 2);
    }

    /// Every way the earlier thread ends without a transfer withdraws its
    /// place, and the later transfer starts: nothing asked (a cached copy,
    /// an error before any request), a local mirror (no slot), its load
    /// cancelled, a panic; and a place never run (its thread never
    /// started).
    #[test]
    fn a_thread_without_a_transfer_withdraws_its_place() {
        let (order, _) = race(ONE, |_, _| Err::<(), _>("cached, or failed"));
        assert_eq!(order, ["late"]);
        let (order, _) = race(ONE, |slots, _| {
            let local = [Location::Dir("/nowhere".into())];
            let got = slots.turn(&local, ONE, |_| Pick::Mirror(0));
            assert!(matches!(got, Some((0, None))), "a local copy, no slot");
        });
        assert_eq!(order, ["late"]);
        let (order, _) = race(ONE, |slots, _| {
            let load = Cancel::new();
            load.cancel();
            assert!(load.within(|| slots.turn(&at("a"), ONE, first)).is_none());
        });
        assert_eq!(order, ["late"]);
        let (order, got) = race(ONE, |_, _| panic!("the thread panics"));
        assert_eq!((order, got.is_err()), (vec!["late"], true));
        let slots = DownloadSlots::for_metadata();
        drop(Reserved::new(&slots, EARLY));
        assert_eq!(slots.reserved_now(), 0);
    }

    /// A place reserved in one load's slots is not taken by a transfer on
    /// other slots (another load's, a batch's), which starts at once.
    #[test]
    fn only_the_place_s_own_slots_take_it() {
        let (order, _) = race(ONE, |_, started| {
            let other = Arc::new(DownloadSlots::new(1, 1));
            let got = other.turn(&at("a"), ONE, first);
            assert!(got.is_some());
            started.lock().unwrap().push("other");
        });
        assert_eq!(order, ["other", "late"]);
    }
}
