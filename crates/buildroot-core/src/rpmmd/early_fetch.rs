//! A load's filelists.xml downloads, started while the repos' primary.xml
//! are still being downloaded and parsed, once the load knows it will read
//! them: librepo downloads the files of a repo's repomd.xml that libdnf
//! asks for (primary, filelists, comps, ...) in one `lr_download`, up to
//! `max_parallel_downloads` at once (`lr_yum_download_repos`), where the
//! load fetched each repo's filelists.xml only after every primary.xml
//! was read.
//!
//! Only the fetch moves (into the cache, under the load's slots, with the
//! same failover, retries and errors); the files are still read after
//! every primary.xml, in load order (`load.rs`), so what enters the pool
//! and in which order does not depend on which download ends first. A repo
//! without an HTTP mirror has nothing to download, and is left to the read.
//! The fetches run under the load's [`Cancel`] of their repo: a load that
//! fails does not wait for those of the failing repo and the repos after
//! it (`cancel.rs`); those before it are still read, as their error would
//! be said first. A repo whose filelists.xml was fetched while the repos
//! opened (`early_primary.rs`) is not fetched again: its answer is taken
//! over.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread::Scope;

use super::cancel::Cancel;
use super::rank::{self, Rank, Role};
use super::{fetch_meta, Fetched, LoadOptions, Location, Opened};

/// Each repo's early filelists.xml fetch: not started, under way, or its
/// answer.
pub(super) struct EarlyFilelists {
    started: AtomicBool,
    got: Vec<Mutex<Option<Fetched>>>,
}

impl EarlyFilelists {
    /// Nothing fetched yet, for the repos `opened`.
    pub(super) fn new(opened: &[Opened]) -> EarlyFilelists {
        EarlyFilelists {
            started: AtomicBool::new(false),
            got: opened.iter().map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Starts, once, a fetch of every repo's filelists.xml on threads of
    /// `scope` (one per repo with an HTTP mirror and a filelists record;
    /// the transfers wait for the load's slots like any other), each under
    /// its repo's flag of `cancels`, the load's.
    pub(super) fn start<'scope, 'env: 'scope>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
        opened: &'env [Opened],
        opts: &'env LoadOptions,
        cancels: &'env [Cancel],
    ) {
        if !self.started.swap(true, Ordering::Relaxed) {
            for (ri, ((o, slot), cancel)) in opened.iter().zip(&self.got).zip(cancels).enumerate() {
                let remote = o.mirrors.iter().any(|l| matches!(l, Location::Http(_)));
                let opened_early = o.early_filelists.is_some();
                if remote && !opened_early && o.repomd.record("filelists").is_some() {
                    let rank = Rank::of(ri, Role::Filelists);
                    scope.spawn(move || {
                        let fetch = || rank::within(rank, || fetch_meta(o, "filelists", opts));
                        let got = cancel.within(fetch);
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) = got;
                    });
                }
            }
        }
    }

    /// Repo `ri`'s (`o`'s) fetch, when one was made (and finished: the
    /// scope that ran it has ended; one made while the repos opened is
    /// waited for), for `open_meta_fetched`.
    pub(super) fn take(&self, ri: usize, o: &Opened) -> Option<Fetched> {
        let got = self.got[ri]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        got.or_else(|| o.early_filelists.as_ref().and_then(|e| e.take()))
    }
}
