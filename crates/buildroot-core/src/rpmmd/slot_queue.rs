//! In which order transfers waiting for a download slot get one
//! (`download_slots.rs`): by rank (`rank.rs`: a load's repos in load
//! order, each repo's files in the order dnf asks for them), then in the
//! order they first asked, as librepo's `select_next_target` hands a free
//! place to the first waiting target of its list that has a mirror with
//! room, skipping those whose every mirror is at its cap, and keeps a
//! failed target in its place in the list (a file's turns over its
//! mirrors keep its first ticket: `InLine`, in `download_slots.rs`).
//! Transfers of one rank (a batch of packages) are served as they came.
//!
//! Each waiting transfer holds a ticket. Whenever a slot is given back,
//! the waiting ones look for room one after the other, by ticket, each
//! seeing the claims of those before it that still wait: one that waits
//! for room in all (its `max_parallel_downloads`, or the lowest under
//! way) keeps every later one from starting, since any start would keep it
//! waiting longer; one that waits for its mirrors keeps later ones off
//! those mirrors only. So a repo of `max_parallel_downloads=1` waiting for
//! the load's transfers to end is not passed by transfers that came after
//! it (before, whichever thread woke first took a freed slot). A newcomer
//! looks at once when every earlier one has looked since the last slot
//! was given back; otherwise it waits for its turn to look.
//!
//! A transfer that waits aside (a retry's backoff: `aside` in
//! `download_slots.rs`) lends its slot, but keeps its ticket in the queue
//! with a claim on that slot ([`Claim::Held`]) against the transfers of a
//! later rank: they start only in room left beside it, so it finds its
//! slot when it comes back (a later repo's stalled transfer no longer
//! takes a failing repo's slot during its retries' backoff, keeping its
//! error back by a timeout). Transfers of its own rank may borrow it.
//!
//! A load reserves, before it starts its threads, a ticket for each
//! repo's first transfer (its primary.xml, [`Claim::Reserved`]:
//! `reserve.rs`): the ranks order only the transfers that wait, and a
//! later repo's thread reaching a free slot before the earlier repo's
//! first transfer asked took it. The thread's first transfer takes that
//! ticket over; a thread that ends without one withdraws it.
//!
//! Each ticket has its condition variable, and only the next one to look
//! is woken, so a freed slot costs one wake-up per waiting transfer at
//! most, and none for those behind one that waits for room in all.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar};

use super::download_slots::Caps;
use super::rank::{self, Rank};

/// What a waiting transfer keeps from the later ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Claim {
    /// Any slot: it waits for fewer transfers in all.
    All,
    /// A slot on one of these mirrors.
    Mirrors(Vec<String>),
    /// The slot it lent while it waits aside, on this mirror, under these
    /// caps: counted as under way for the transfers of a later rank.
    Held(String, Caps),
    /// A place kept for a thread's first transfer, which has not asked
    /// yet (`reserve.rs`): any slot, as [`Claim::All`], until that
    /// transfer takes the ticket over or the place is withdrawn.
    Reserved,
}

/// A waiting transfer's place in the queue: its rank, then its arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Ticket {
    rank: Rank,
    arrival: u64,
}

/// The claims of the transfers waiting before one.
#[derive(Debug, Default)]
pub(super) struct Ahead {
    /// One waits for room in all.
    pub all: bool,
    mirrors: Vec<String>,
    /// The slots lent by transfers of an earlier rank waiting aside.
    pub held: Vec<(String, Caps)>,
}

impl Ahead {
    /// Whether one waits for room on `mirror`.
    pub fn holds(&self, mirror: &str) -> bool {
        self.all || self.mirrors.iter().any(|m| m == mirror)
    }
}

#[derive(Debug)]
struct Waiter {
    /// The count of given-back slots it last looked at (`None`: not yet).
    looked: Option<u64>,
    claim: Claim,
    wake: Arc<Condvar>,
}

impl Waiter {
    /// Whether it has looked since `frees` slots were given back (one
    /// waiting aside, or a reserved place, never looks: it is not there
    /// to).
    fn settled(&self, frees: u64) -> bool {
        matches!(self.claim, Claim::Held(..) | Claim::Reserved) || self.looked == Some(frees)
    }

    /// Whether the later ones cannot start beside it.
    fn claims_all(&self) -> bool {
        matches!(self.claim, Claim::All | Claim::Reserved)
    }
}

/// The transfers waiting for a slot, by ticket.
#[derive(Debug, Default)]
pub(super) struct Queue {
    next: u64,
    /// Slots given back so far.
    frees: u64,
    waiting: BTreeMap<Ticket, Waiter>,
}

impl Queue {
    /// A waiting transfer: a new ticket, of this thread's rank, or `again`
    /// (a transfer that gave its slot back for a while, `aside`, keeps its
    /// first one; a thread's first transfer, its reserved place's:
    /// `reserve.rs`); and the condition variable it is woken by.
    pub fn arrive(&mut self, again: Option<Ticket>) -> (Ticket, Arc<Condvar>) {
        let ticket = again.unwrap_or_else(|| {
            self.next += 1;
            Ticket {
                rank: rank::current(),
                arrival: self.next,
            }
        });
        let wake = Arc::new(Condvar::new());
        let old = self.waiting.insert(
            ticket,
            Waiter {
                looked: None,
                claim: Claim::Mirrors(Vec::new()),
                wake: wake.clone(),
            },
        );
        if old.is_some_and(|w| w.claim == Claim::Reserved) {
            // The later ones passed over behind the place look again,
            // once this one has.
            self.freed();
        }
        (ticket, wake)
    }

    /// A place kept, for a transfer of `rank` that has not asked yet,
    /// against every later ticket ([`Claim::Reserved`]), until
    /// [`Queue::arrive`] takes it over or [`Queue::withdraw`] ends it.
    pub fn reserve(&mut self, rank: Rank) -> Ticket {
        self.next += 1;
        let ticket = Ticket {
            rank,
            arrival: self.next,
        };
        let waiter = Waiter {
            looked: None,
            claim: Claim::Reserved,
            wake: Arc::new(Condvar::new()),
        };
        self.waiting.insert(ticket, waiter);
        ticket
    }

    /// `ticket`'s reserved place, if it still is one (not taken over),
    /// ends: the later ones look again. Whether it did.
    pub fn withdraw(&mut self, ticket: Ticket) -> bool {
        match self.waiting.get(&ticket) {
            Some(w) if w.claim == Claim::Reserved => {
                self.waiting.remove(&ticket);
                self.freed();
                true
            }
            _ => false,
        }
    }

    /// Whether `ticket` may look for room now: every earlier one has
    /// looked since the last slot was given back.
    pub fn may_look(&self, ticket: Ticket) -> bool {
        self.waiting
            .range(..ticket)
            .all(|(_, w)| w.settled(self.frees))
    }

    /// The claims of the transfers waiting before `ticket` (a lent slot's
    /// only from an earlier rank).
    pub fn ahead(&self, ticket: Ticket) -> Ahead {
        let mut ahead = Ahead::default();
        for (t, w) in self.waiting.range(..ticket) {
            match &w.claim {
                Claim::Held(mirror, caps) if t.rank < ticket.rank => {
                    ahead.held.push((mirror.clone(), *caps));
                }
                Claim::Held(..) => {}
                Claim::All | Claim::Reserved => {
                    ahead.all = true;
                    break;
                }
                Claim::Mirrors(ms) => {
                    for m in ms {
                        if !ahead.mirrors.contains(m) {
                            ahead.mirrors.push(m.clone());
                        }
                    }
                }
            }
        }
        ahead
    }

    /// `ticket` looked and found no room: it claims `claim` until it looks
    /// again; the next one may look.
    pub fn looked(&mut self, ticket: Ticket, claim: Claim) {
        if let Some(w) = self.waiting.get_mut(&ticket) {
            w.looked = Some(self.frees);
            w.claim = claim;
        }
        self.wake_next();
    }

    /// `ticket` waits no more (it has its slot, needs none, or gave up).
    pub fn leave(&mut self, ticket: Ticket) {
        if self.waiting.remove(&ticket).is_some() {
            self.wake_next();
        }
    }

    /// `ticket`'s transfer gave back its slot to wait aside, from `mirror`
    /// under `caps`: it keeps its place, claiming that slot against later
    /// ranks until it joins the queue again ([`Queue::arrive`] with it) or
    /// leaves it. The caller gives the slot back ([`Queue::freed`]).
    pub fn aside(&mut self, ticket: Ticket, mirror: &str, caps: Caps) {
        self.waiting.insert(
            ticket,
            Waiter {
                looked: None,
                claim: Claim::Held(mirror.to_string(), caps),
                wake: Arc::new(Condvar::new()),
            },
        );
    }

    /// A slot was given back: every waiting transfer looks again, in order.
    pub fn freed(&mut self) {
        self.frees += 1;
        self.wake_next();
    }

    /// Wakes every waiting transfer (their load was cancelled: each looks
    /// at its flag, `cancel.rs`; one not cancelled waits on, as after any
    /// wake-up that finds it not its turn).
    pub fn wake_all(&mut self) {
        for w in self.waiting.values() {
            w.wake.notify_one();
        }
    }

    /// Wakes the first transfer that has not looked since the last slot was
    /// given back; those behind a claim of room in all are passed over, as
    /// having looked (they could not start either).
    fn wake_next(&mut self) {
        let mut all = false;
        for w in self.waiting.values_mut() {
            if !w.settled(self.frees) {
                if !all {
                    w.wake.notify_one();
                    return;
                }
                w.looked = Some(self.frees);
            }
            all |= w.claims_all();
        }
    }

    /// How many transfers wait in the queue (not those aside, nor the
    /// reserved places), for tests.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        let aside = |w: &&Waiter| matches!(w.claim, Claim::Held(..) | Claim::Reserved);
        self.waiting.values().filter(|w| !aside(w)).count()
    }

    /// How many times a slot was given back (or lent), for tests.
    #[cfg(test)]
    pub fn frees(&self) -> u64 {
        self.frees
    }

    /// How many reserved places are in the queue, for tests.
    #[cfg(test)]
    pub fn reserved(&self) -> usize {
        let reserved = |w: &&Waiter| w.claim == Claim::Reserved;
        self.waiting.values().filter(reserved).count()
    }
}

/// The test HTTP server of the integration tests, for an order of
/// requests seen by a server.
#[cfg(test)]
#[path = "../../tests/http_support/mod.rs"]
mod test_server;

#[cfg(test)]
mod tests {
    use super::super::download_slots::{Caps, DownloadSlots, Pick};
    use super::super::fetch::Location;
    use super::super::{package_file_from, MirrorTally, RepoAccess};
    use super::test_server::Server;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    const CAPS: Caps = Caps {
        most: 3,
        per_mirror: 3,
    };

    /// The first mirror of the file, when it has room.
    fn first(room: &dyn Fn(usize) -> bool) -> Pick {
        if room(0) {
            Pick::Mirror(0)
        } else {
            Pick::Busy
        }
    }

    fn at(mirror: &str) -> Vec<Location> {
        vec![Location::Http(format!("http://{mirror}/"))]
    }

    /// Waits until `done` holds (10 s at most: it fails then).
    fn wait_for(what: &str, done: impl Fn() -> bool) {
        let until = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < until, "never: {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Transfers that come one after the other (each `(mirror, caps)`)
    /// while the test holds a slot from `held`, each seen waiting before
    /// the next comes, unless it started at once: the order in which they
    /// start, and how many had started before the held slot was given
    /// back.
    fn order(slots: &Arc<DownloadSlots>, held: &str, come: &[(&str, Caps)]) -> (Vec<usize>, usize) {
        let started = Mutex::new(Vec::new());
        let (_, slot) = slots.turn(&at(held), CAPS, first).unwrap();
        let before = std::thread::scope(|s| {
            for (k, (mirror, caps)) in come.iter().enumerate() {
                let (slots, started) = (&slots, &started);
                let waiting = slots.waiting_now();
                s.spawn(move || {
                    let (_, slot) = slots.turn(&at(mirror), *caps, first).unwrap();
                    started.lock().unwrap().push(k);
                    drop(slot);
                });
                let in_line =
                    || slots.waiting_now() > waiting || started.lock().unwrap().contains(&k);
                wait_for(&format!("transfer {k} waits or starts"), in_line);
            }
            let before = started.lock().unwrap().len();
            drop(slot);
            before
        });
        (started.into_inner().unwrap(), before)
    }

    fn caps(most: usize, per_mirror: usize) -> Caps {
        Caps { most, per_mirror }
    }

    /// A batch of one slot: the transfers waiting for it get it in the
    /// order they came.
    #[test]
    fn waiting_transfers_start_in_the_order_they_came() {
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let come = [("m", CAPS); 5];
        assert_eq!(order(&slots, "m", &come), (vec![0, 1, 2, 3, 4], 0));
    }

    /// A load's transfer of `max_parallel_downloads=1` waits until it is
    /// alone; one of 3 that comes after it, which has room beside the
    /// transfer under way, waits behind it instead of passing it (it
    /// did: a repo of 1 could wait for as long as others kept coming).
    #[test]
    fn a_transfer_of_a_lower_cap_is_not_passed_by_later_ones() {
        let slots = DownloadSlots::for_metadata();
        let come = [("b", caps(1, 3)), ("c", CAPS), ("d", CAPS)];
        let (started, before) = order(&slots, "a", &come);
        // The two later ones may run together, and say so in any order.
        assert_eq!((started.first(), started.len(), before), (Some(&0), 3, 0));
    }

    /// A transfer of `max_parallel_downloads=1` whose mirror is at its cap
    /// waits for room in all as well: a later one for another mirror, with
    /// room beside the transfer under way, waits behind it instead of
    /// passing it (it passed: the earlier one claimed only its mirror, and
    /// waited for the later one to end once its mirror was free).
    #[test]
    fn a_transfer_of_a_lower_cap_at_a_full_mirror_is_not_passed() {
        let slots = DownloadSlots::for_metadata();
        let come = [("a", caps(1, 1)), ("b", CAPS)];
        assert_eq!(order(&slots, "a", &come), (vec![0, 1], 0));
    }

    /// On a mirror: one of `max_downloads_per_mirror=1` waits for the
    /// mirror to be free; a later one of 3 for the same mirror waits
    /// behind it, and one for another mirror starts at once (nothing
    /// waits for that mirror or for room in all), as librepo passes over
    /// a target whose mirrors are all at their cap.
    #[test]
    fn a_mirror_an_earlier_transfer_waits_for_is_kept_for_it() {
        let slots = DownloadSlots::for_metadata();
        let come = [("a", caps(5, 1)), ("a", caps(5, 3)), ("b", caps(5, 3))];
        assert_eq!(order(&slots, "a", &come), (vec![2, 0, 1], 1));
    }

    /// When a slot is given back, each waiting transfer looks in turn: an
    /// earlier one whose mirror is still full passes the look on, and a
    /// later one whose mirror has room now starts without waiting for
    /// another slot to be given back.
    #[test]
    fn a_freed_slot_goes_to_a_later_transfer_when_the_earlier_has_no_room() {
        let slots = Arc::new(DownloadSlots::new(2, 1));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            // Here, so that a failed assertion gives them back.
            let (_, on_m) = slots.turn(&at("m"), CAPS, first).unwrap();
            let (_, on_n) = slots.turn(&at("n"), CAPS, first).unwrap();
            for (k, mirror) in ["m", "n"].into_iter().enumerate() {
                let (slots, tx) = (&slots, tx.clone());
                s.spawn(move || {
                    let (_, slot) = slots.turn(&at(mirror), CAPS, first).unwrap();
                    let _ = tx.send(k);
                    drop(slot);
                });
                wait_for("the transfer waits", || slots.waiting_now() == k + 1);
            }
            drop(on_n);
            let next = rx.recv_timeout(Duration::from_secs(10));
            assert_eq!(next, Ok(1), "the transfer for n did not start");
            drop(on_m);
            assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(0));
        });
    }

    /// A file of two mirrors whose first fails keeps its place for its
    /// next turn, as librepo puts a failed target back to waiting where it
    /// is in its list: under a batch of one slot, the files that came
    /// while it failed start after its second turn (they started before
    /// it: each turn took a new ticket, at the back of the queue).
    #[test]
    fn a_file_failed_over_to_its_next_mirror_keeps_its_place() {
        use super::super::http::HttpSettings;
        use super::super::turns::{in_turns, Turn};
        let slots = Arc::new(DownloadSlots::new(1, 3));
        let tally = MirrorTally::sharing(&slots);
        let locs = [at("a"), at("b")].concat();
        let started = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            let got = in_turns(&locs, &HttpSettings::default(), Some(&tally), |i, _| {
                started.lock().unwrap().push(format!("f{i}"));
                if i > 0 {
                    return Ok(Turn::asked(()));
                }
                for k in 0..2 {
                    let (slots, started) = (&slots, &started);
                    s.spawn(move || {
                        let (_, slot) = slots.turn(&at("c"), CAPS, first).unwrap();
                        started.lock().unwrap().push(format!("g{k}"));
                        drop(slot);
                    });
                    wait_for("the later file waits", || slots.waiting_now() == k + 1);
                }
                Err(crate::error::Error::Http {
                    url: "http://a/f".into(),
                    msg: "HTTP 503".into(),
                    status: Some(503),
                })
            });
            assert!(matches!(got, Ok(Ok(((), 1)))));
        });
        assert_eq!(started.into_inner().unwrap(), ["f0", "f1", "g0", "g1"]);
    }

    /// Transfers of a load start by rank (repos in load order, each
    /// repo's files in dnf's order), whatever order they came in; those of
    /// one rank in the order they came.
    #[test]
    fn waiting_transfers_start_by_rank_then_as_they_came() {
        use super::super::rank::{self, Rank, Role};
        let slots = DownloadSlots::for_metadata();
        let one = caps(1, 3);
        let ranks = [
            Rank::of(1, Role::Primary),
            Rank::of(0, Role::Filelists),
            Rank::beside_load(0, Role::Comps),
            Rank::of(0, Role::Primary),
            Rank::of(1, Role::Repomd),
            Rank::of(0, Role::Filelists),
        ];
        let started = Mutex::new(Vec::new());
        let (_, slot) = slots.turn(&at("a"), one, first).unwrap();
        std::thread::scope(|s| {
            for (k, r) in ranks.iter().enumerate() {
                let (slots, started) = (&slots, &started);
                s.spawn(move || {
                    let got = rank::within(*r, || slots.turn(&at("a"), one, first));
                    started.lock().unwrap().push(k);
                    drop(got);
                });
                wait_for("the transfer waits", || slots.waiting_now() == k + 1);
            }
            drop(slot);
        });
        assert_eq!(started.into_inner().unwrap(), [3, 1, 5, 4, 0, 2]);
    }

    /// A transfer backing off a retry lends its slot to a transfer of its
    /// own rank, not to one of a later rank (a later repo's file), which
    /// starts once the first is back and done: under one slot, a failing
    /// repo's retries are not kept waiting behind a later repo's transfer.
    /// One waiting aside for something else (another thread's download
    /// of the same file) lends it to any.
    #[test]
    fn a_backoff_lends_its_slot_to_its_rank_only() {
        use super::super::download_slots::{aside, backing_off};
        use super::super::rank::{self, Rank, Role};
        let (early, late) = (Rank::of(0, Role::Primary), Rank::of(1, Role::Primary));
        let one = caps(1, 3);
        for backoff in [true, false] {
            let slots = DownloadSlots::for_metadata();
            let started = Mutex::new(Vec::new());
            let (back_tx, back_rx) = std::sync::mpsc::channel::<()>();
            let (lent_tx, lent_rx) = std::sync::mpsc::channel::<()>();
            std::thread::scope(|s| {
                let (slots, started) = (&slots, &started);
                s.spawn(move || {
                    rank::within(early, || {
                        let (_, slot) = slots.turn(&at("a"), one, first).unwrap();
                        lent_tx.send(()).unwrap();
                        let wait = || back_rx.recv().unwrap();
                        match backoff {
                            true => backing_off(wait),
                            false => aside(wait),
                        }
                        started.lock().unwrap().push("back");
                        drop(slot);
                    })
                });
                lent_rx.recv().unwrap();
                let later = s.spawn(move || {
                    let got = rank::within(late, || slots.turn(&at("a"), one, first));
                    started.lock().unwrap().push("later rank");
                    drop(got);
                });
                if backoff {
                    wait_for("the later rank waits", || slots.waiting_now() == 1);
                    let got = rank::within(early, || slots.turn(&at("a"), one, first));
                    started.lock().unwrap().push("same rank");
                    drop(got);
                    assert_eq!(slots.waiting_now(), 1, "the later rank still waits");
                } else {
                    later.join().unwrap();
                }
                back_tx.send(()).unwrap();
            });
            let want: &[&str] = match backoff {
                true => &["same rank", "back", "later rank"],
                false => &["later rank", "back"],
            };
            assert_eq!(started.into_inner().unwrap(), want);
            assert_eq!((slots.running_now(), slots.waiting_now()), (0, 0));
        }
    }

    /// Real downloads of one mirror under `max_parallel_downloads=1`: the
    /// server is asked for the files in the order their transfers came.
    #[test]
    fn a_server_is_asked_in_the_order_the_transfers_came() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("www");
        std::fs::create_dir_all(&root).unwrap();
        let names: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
        for n in &names {
            std::fs::write(root.join(n), n).unwrap();
        }
        let server = Server::start(root);
        let locs = vec![Location::parse(&format!("{}/", server.base)).unwrap()];
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let tally = MirrorTally::sharing(&slots);
        let cache = t.path().join("cache");
        let (_, slot) = slots.turn(&locs, CAPS, first).unwrap();
        std::thread::scope(|s| {
            for (k, n) in names.iter().enumerate() {
                let (locs, tally, cache) = (&locs, &tally, &cache);
                s.spawn(move || {
                    let access = RepoAccess::default();
                    package_file_from(locs, n, Some(cache), None, None, &access, Some(tally))
                        .unwrap();
                });
                wait_for("the transfer waits", || slots.waiting_now() == k + 1);
            }
            drop(slot);
        });
        let asked: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
        let want: Vec<String> = names.iter().map(|n| format!("/{n}")).collect();
        assert_eq!(asked, want);
    }
}
