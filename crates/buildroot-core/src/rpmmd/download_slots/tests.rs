//! Tests of the slots over whole batches and loads: the caps, the queue,
//! cancels, lent and parked slots.

use super::super::fetch::Location;
use super::super::mirror_tally::tests::locs;
use super::take::only_location;
use super::*;
use crate::error::Error;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    let counters = || -> Vec<AtomicUsize> { locs.iter().map(|_| AtomicUsize::new(0)).collect() };
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
                        let x =
                            (f * 7919 + tries * 104729 + seed * 31).wrapping_mul(2654435761) % 97;
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
        let items: Vec<(usize, u64)> = (0..5).flat_map(|r| (0..6).map(move |f| (r, f))).collect();
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
                let x = ((r as u64) * 7919 + f * 104729 + tries * 31).wrapping_mul(2654435761) % 97;
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
