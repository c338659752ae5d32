//! The repositories of a run, opened (in parallel) in dnf's load order,
//! sorted by (priority, cost) (`Base.fill_sack` over
//! `RepoDict.iter_enabled`, stable); a repo id given twice is used once,
//! as dnf does; and the fingerprint a cache of their parsed contents is
//! keyed by. A repo that cannot be opened fails the run only once the
//! repos before it in load order are loaded without error, as dnf, which
//! loads each repo whole before it opens the next, reports the first
//! failing one.

use std::path::Path;
use std::sync::Arc;

use super::early_primary::{self, MayAnswer, Opening};
use super::rank::{self, Rank, Role};
use super::raw::RawChunk;
use super::{
    cancel, open_repo, prune, skip, unset_vars, DownloadSlots, FileKey, LoadOptions, Location,
    Opened, RepoSink, RepoSpec,
};
use crate::error::{Error, Result};

/// The enabled repositories with their repomd.xml read (in parallel), in
/// dnf's load order: what [`load_opened_into`](super::load_opened_into)
/// reads, and what a cache of their parsed contents is keyed by
/// ([`OpenedRepos::fingerprint`]). A repo with `skip_if_unavailable` that
/// cannot be opened is left out with a warning; otherwise the error is the
/// first failing repo's in load order, where a repo before the one that
/// cannot be opened fails if its primary or filelists do
/// ([`first_error_in_load_order`]).
pub(crate) fn open_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<OpenedRepos> {
    open_repos_for_pool(specs, opts, &|_| false)
}

/// [`open_repos`] for a load that a cached pool may answer: `may_answer`
/// says whether one may, for the repos opened so far (their
/// fingerprints, [`OpenedRepos::repo_fingerprint`]). A repo open while a
/// later one is slow to open fetches its primary.xml meanwhile
/// (`early_primary.rs`) only when none may: a load the pool answers reads
/// none.
pub(crate) fn open_repos_for_pool(
    specs: &[RepoSpec],
    opts: &LoadOptions,
    may_answer: MayAnswer<'_>,
) -> Result<OpenedRepos> {
    let mut specs: Vec<&RepoSpec> = first_of_each_id(specs)
        .into_iter()
        .filter(|s| s.enabled)
        .collect();
    // Stable: repos of one (priority, cost) keep the order of `specs`.
    specs.sort_by_key(|s| (s.priority, s.cost));
    let http = |b: &String| matches!(Location::parse(b), Ok(Location::Http(_)));
    let downloads = |s: &&RepoSpec| {
        s.mirrors.is_some() || http(&s.baseurl) || s.extra_baseurls.iter().any(http)
    };
    let remote = specs.iter().any(downloads);
    if let Some(cache) = opts.cache_dir.as_deref() {
        // Before any download of this run, so nothing it uses is removed.
        if remote {
            prune::remove_unused_dirs(cache);
        }
    }
    // One load's metadata transfers, over all its repos, under their caps
    // (`DownloadSlots::for_metadata`): the repos are opened at once, where
    // dnf opens them one after the other, but no more transfers run at once
    // than dnf's one repo at a time would have.
    // A thread each (a load has a few repos, waiting on the network more
    // than on the cores): on rayon's threads, a machine of 2 cores opened
    // 2 repos at once, under a cap of 3.
    // Once a repo fails for good (no `skip_if_unavailable`), the repos
    // after it are not waited for (`cancel.rs`): its error, or an earlier
    // repo's, is the one said, as dnf, which opens them in turn, raises
    // at the first.
    let slots = DownloadSlots::for_metadata();
    // A repo open while a later one is slow to open fetches its
    // primary.xml meanwhile (`early_primary.rs`); repos all local never do.
    let opening = Arc::new(Opening::new(specs.len()));
    // Their transfers are served in load order (`rank.rs`).
    let results = cancel::each_until_fatal(
        specs.len(),
        |i| {
            if !remote {
                return rank::within(Rank::of(i, Role::Repomd), || {
                    open_repo(specs[i], opts, &slots)
                });
            }
            opening.register(i);
            let got = rank::within(Rank::of(i, Role::Repomd), || {
                open_repo(specs[i], opts, &slots)
            });
            let fingerprint = got.as_ref().ok().map(repo_fingerprint);
            opening.done(i, fingerprint);
            let mut o = got?;
            early_primary::after_open(&mut o, i, opts, &opening, may_answer)?;
            Ok(o)
        },
        |i, e| !skip::skips(specs[i], e, opts),
    );
    let mut opened = Vec::with_capacity(results.len());
    let mut failed = None;
    let mut unwanted = Vec::new();
    for (spec, r) in specs.iter().zip(results) {
        if failed.is_some() {
            // Opened, but not to be loaded: its early fetches are not
            // wanted (waited for below).
            if let Ok(o) = r {
                o.stop_early();
                unwanted.push(o);
            }
            continue;
        }
        // A URL that keeps a `$name` no one set: the error says which.
        let r = r.map_err(|e| unset_vars::explain(e, &spec.unset_vars));
        match r {
            Ok(o) => opened.push(o),
            Err(e) if skip::skips(spec, &e, opts) => skip::warn_skipped(spec, &e),
            Err(e) => failed = Some(e),
        }
    }
    match failed {
        Some(e) => {
            let e = first_error_in_load_order(opened, e, opts);
            // Ended, their temp files removed, before the error is said
            // (the tool exits on it).
            unwanted.iter().for_each(Opened::stop_and_wait_early);
            Err(e)
        }
        None => Ok(OpenedRepos(opened)),
    }
}

/// The fingerprint of `o` alone: what [`OpenedRepos::fingerprint`] feeds
/// of it, hashed (`None`: its contents cannot be keyed). A cached pool
/// keeps its repos' (`pool/cache.rs`), so that a load can tell, before
/// its later repos are open, that no cached pool can answer for it.
pub(crate) fn repo_fingerprint(o: &Opened) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    feed_repo(o, &mut |b| h.update(b)).then(|| h.finalize().into())
}

/// The error a load reports when a repo cannot be opened (`e`) and
/// `before` (the repos before it in load order) were: the first of theirs
/// in load order if one fails to load (its primary.xml, or its
/// filelists.xml where the load reads them), else `e`. dnf loads each repo
/// whole (repomd.xml and the files it lists, `Repo::Impl::load`) before
/// it opens the next, so an earlier repo's broken primary.xml is what it
/// says; ours opens every repo before any primary.xml is read. Only on
/// this path: a load that opens every repo reads them in order anyway.
/// The packages are read and dropped; a repo with `skip_if_unavailable`
/// that fails is left out with its warning, as the load would.
fn first_error_in_load_order(before: Vec<Opened>, e: Error, opts: &LoadOptions) -> Error {
    if before.is_empty() {
        return e;
    }
    let mut before = OpenedRepos(before);
    match skip::load_opened_skipping(&mut before, opts, &mut Discard(0)) {
        Err(earlier) => earlier,
        Ok(_) => e,
    }
}

/// A [`RepoSink`] that keeps nothing: a load read only for its errors.
struct Discard(usize);

impl RepoSink for Discard {
    fn repo(&mut self, _: &RepoSpec) {
        self.0 += 1;
    }

    fn packages(&mut self, _: RawChunk) {}

    /// No package to match: every repo's filelists.xml is still read
    /// whole (and its checksum checked) where the load reads them.
    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>> {
        (0..self.0).map(|_| Vec::new()).collect()
    }

    fn add_files(&mut self, _: usize, _: Vec<(usize, String)>) {}

    fn restart(&mut self) {
        self.0 = 0;
    }
}

/// The first repo of each id, in order, with a warning for each later one:
/// dnf keeps the first section of an id it reads and warns about the others
/// (a repo of a `dnf.conf` given again in a `.repo` file, say), whether
/// enabled or not.
fn first_of_each_id(specs: &[RepoSpec]) -> Vec<&RepoSpec> {
    let mut seen: Vec<&RepoSpec> = Vec::new();
    for s in specs {
        match seen.iter().find(|k| k.id == s.id) {
            Some(first) => {
                let from = |r: &RepoSpec| r.origin.clone().unwrap_or("--repo/--source-repo".into());
                skip::warn_once(format!(
                    "repo '{}' is defined again in {} (first in {}): only the first is used, \
                     as in dnf",
                    s.id,
                    from(s),
                    from(first)
                ));
            }
            None => seen.push(s),
        }
    }
    seen
}

/// Repositories whose repomd.xml has been read ([`open_repos`]).
pub(crate) struct OpenedRepos(pub(super) Vec<Opened>);

impl OpenedRepos {
    /// Feeds `h` with everything the packages loaded from these repos
    /// depend on: each repo's configuration and repomd.xml records (their
    /// checksums name the files' contents), and for files read from a local
    /// directory (repomd.xml, primary, filelists) their size and
    /// modification time, as a hand-edited repo may keep stale checksums,
    /// or none. Which mirror answered is left out: mirrors with the same
    /// files give the same key. False when the contents cannot be named so:
    /// an HTTP repo whose repomd.xml lists primary or filelists without a
    /// checksum (it is fetched afresh every time).
    pub(crate) fn fingerprint(&self, opts: &LoadOptions, h: &mut dyn FnMut(&[u8])) -> bool {
        h(format!("{:?}\n", opts.filelists).as_bytes());
        self.0.iter().all(|o| feed_repo(o, h))
    }

    /// Each repo's [`repo_fingerprint`], in load order.
    pub(crate) fn repo_fingerprints(&self) -> Vec<Option<[u8; 32]>> {
        self.0.iter().map(repo_fingerprint).collect()
    }

    /// Stops the early fetches of every repo (`early_primary.rs`) and
    /// waits for them to end, their temp files removed: for a load the
    /// pool cache answers, which reads none of them, or one that fails
    /// before it reads any (a pool cache setting refused). The cache was looked
    /// at before they started, but another run may have written a pool
    /// that answers since; the fetches ran on, and a stalled one's temp
    /// file stayed when the tool exited, until a later run's prune.
    pub(crate) fn stop_early_fetches(&self) {
        self.0.iter().for_each(Opened::stop_and_wait_early);
    }

    /// The number of repos.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Each repo as loaded (`baseurl`: the mirror that answered), in load
    /// order.
    pub(crate) fn specs(&self) -> impl Iterator<Item = &RepoSpec> {
        self.0.iter().map(|o| &o.spec)
    }

    /// Each repo as configured, in load order.
    pub(crate) fn configured(&self) -> impl Iterator<Item = &RepoSpec> {
        self.0.iter().map(|o| &o.configured)
    }
}

/// Feeds `h` with what the packages loaded from `o` depend on (see
/// [`OpenedRepos::fingerprint`]); false when its contents cannot be named
/// so (an HTTP repo whose repomd.xml lists primary or filelists without a
/// checksum).
fn feed_repo(o: &Opened, h: &mut dyn FnMut(&[u8])) -> bool {
    let stat = |path: &Path| {
        std::fs::metadata(path).ok().map(|m| {
            let mtime = m.modified().ok();
            (
                m.len(),
                mtime.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()),
            )
        })
    };
    h(format!("{}\n{:?}\n", o.configured.pool_identity(), o.repomd).as_bytes());
    if let Location::Dir(d) = &o.loc {
        h(format!("repomd.xml {:?}\n", stat(&d.join("repodata/repomd.xml"))).as_bytes());
    }
    let read = ["primary", "filelists"];
    for r in o
        .repomd
        .records
        .iter()
        .filter(|r| read.contains(&r.kind.as_str()))
    {
        // Every mirror the file may be read from (`open_meta` asks
        // them in the list's order, and any may answer).
        for loc in &o.mirrors {
            match loc {
                Location::Http(_) if r.checksum.is_empty() => return false,
                Location::Http(_) => {}
                Location::Dir(d) => {
                    let path = d.join(&r.href);
                    if path.is_file() {
                        h(format!("{} {:?}\n", r.href, stat(&path)).as_bytes());
                    }
                }
            }
        }
    }
    true
}
