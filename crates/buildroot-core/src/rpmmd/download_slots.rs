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
//!
//! The parts: `running.rs` counts the transfers under way against the
//! caps; `take.rs` is a file's wait for a slot, in the queue's order;
//! `lend.rs` gives a slot back while its transfer waits aside, and keeps
//! a failed file's until its failure is handled; `at_once.rs` runs a
//! batch's fetches on threads of their own.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use super::access::RepoAccess;
use super::http::HttpSettings;
use super::slot_queue::{Claim, Ticket};
use crate::error::Result;

mod at_once;
mod lend;
mod running;
mod take;
#[cfg(test)]
mod tests;

pub use at_once::{at_once, at_once_past};
pub(crate) use lend::{aside, backing_off};
pub(super) use lend::{keeping_failed, park};
use running::Running;

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
}
