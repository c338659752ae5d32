//! rpm-md repository reading: repomd.xml, primary.xml and filelists.xml from
//! a directory, `file://` or `http(s)://` (with a cache), compressed with
//! gzip, zstd, xz, bzip2 or not at all; checksums verified while streaming
//! (an HTTP copy is verified as it arrives instead, see `fetch.rs`).
//! Also dnf `.repo` files ([`parse_repofile`]) and comps groups
//! ([`read_comps`]; a load's own, from the repomd.xml its packages come
//! from, in `opened_comps.rs`).
//!
//! Source repositories use the same format with arch `src`; their requires
//! are the BuildRequires.
//!
//! A repo as configured and how it is loaded are in `repo_spec.rs`; opening
//! one (its repomd.xml, from the first mirror that answers) and its other
//! files in `open.rs`; the repos of a run in load order in
//! `opened_repos.rs`; the streaming load itself in `load.rs`. This file
//! holds the entry points.

mod access;
mod cancel;
mod chunks;
mod compress;
mod comps;
mod comps_expat;
mod conn_watch;
mod dnfvars;
mod download_lock;
mod download_slots;
mod early_fetch;
mod early_primary;
pub(crate) mod entry_evr;
mod fetch;
mod filelists;
mod http;
mod http_answer;
mod http_settings;
mod load;
mod mirror_tally;
mod mirrors;
mod no_proxy;
mod open;
mod opened_comps;
mod opened_repos;
mod primary;
mod prune;
mod rank;
pub(crate) mod raw;
mod redirect;
mod repo_spec;
mod repofile;
mod repomd;
mod reserve;
mod scan;
mod skip;
mod slot_queue;
mod turns;
mod unset_vars;
mod varsdir;
mod xml;

use std::io::BufReader;
use std::path::Path;

pub use access::RepoAccess;
pub(crate) use compress::Hasher;
pub use compress::{
    checksum_type, file_digest, sha256_file, sha256_hex, Codec, Expected, MetaFile,
};
pub use comps::{Comps, Group, GroupPackage, PackageType};
pub use dnfvars::Vars;
pub(crate) use download_lock::{byte_lock, DownloadLock, Task as LockTask};
pub use download_slots::{at_once, at_once_past, DownloadSlots};
pub(crate) use fetch::package_limit;
pub use fetch::{
    cache_dir_name, fetch_to_cache, from_mirrors, from_mirrors_tallied, local_file,
    package_file_from, Location,
};
pub use filelists::{
    is_primary_file, read_filelists, read_filelists_chunked, read_filelists_keys,
    read_filelists_where, FileKey,
};
/// The archful SRPM cache recognises the temp files downloads leave.
pub(crate) use http::is_our_temp_name;
pub use http::{
    download, download_listed, download_verified, retry_after, set_download_observer,
    sweep_stale_temps, DownloadEvent, DownloadObserver, HttpSettings, HTTP_ENV_HELP,
};
/// The SRPM cache records the checksum of the file a download verified.
pub(crate) use http::{download_package_open, new_file_0644};
pub use http_settings::{Pace, Parallel, MAX_PARALLEL_DOWNLOADS};
use load::load_opened_into;
pub use mirror_tally::MirrorTally;
pub use mirrors::{parse_metalink, parse_mirrorlist, MirrorSource, Mirrors, RepomdChecksum};
use open::{
    decompress_context, fetch_meta, needs_download, open_meta, open_meta_fetched, open_repo,
    Fetched, Opened,
};
pub(crate) use opened_comps::load_with_comps;
pub(crate) use opened_repos::{open_repos, open_repos_for_pool, OpenedRepos};
pub use primary::{read_primary, read_primary_chunked, read_primary_parallel, read_primary_with};
pub use raw::RawChunk;
pub use repo_spec::{Filelists, LoadOptions, LoadedRepo, RepoSpec};
pub use repofile::{parse_repofile, parse_repofile_str, MainDefaults};
pub use repomd::{Repomd, RepomdRecord};
#[cfg(test)]
pub(crate) use skip::captured;
pub use skip::{
    kind_label, left_out, set_warning_handler, without_warnings, WarningHandler, REPO_SKIPPED,
};
pub(crate) use skip::{load_opened_skipping, say_once, warn_once};
pub use varsdir::read_varsdirs;

use crate::error::{Error, Result};

/// Loads one repository. A repo that is not loaded (disabled, or left out
/// by `skip_if_unavailable`) comes back disabled and without packages.
pub fn load_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<LoadedRepo> {
    let mut repos = load_repos(std::slice::from_ref(spec), opts)?;
    Ok(repos.pop().unwrap_or_else(|| LoadedRepo {
        spec: RepoSpec {
            enabled: false,
            ..spec.clone()
        },
        packages: Vec::new(),
    }))
}

/// Loads the enabled repositories (in parallel), in dnf's load order:
/// sorted by (priority, cost), stable. Then their filelists as
/// `opts.filelists` says (for [`Filelists::Needed`], the paths any loaded
/// package's dependencies name, across all repos).
pub fn load_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<Vec<LoadedRepo>> {
    let mut all = Collect::default();
    load_repos_into(specs, opts, &mut all)?;
    Ok(all.0)
}

/// A [`RepoSink`] that keeps every repo's packages.
#[derive(Default)]
struct Collect(Vec<LoadedRepo>);

impl RepoSink for Collect {
    /// [`crate::package::Package::time_file`]: a downloaded SRPM's mtime when its server
    /// sends no `Last-Modified`.
    fn file_times(&self) -> bool {
        true
    }

    fn repo(&mut self, spec: &RepoSpec) {
        self.0.push(LoadedRepo {
            spec: spec.clone(),
            packages: Vec::new(),
        });
    }

    fn packages(&mut self, pkgs: RawChunk) {
        let repo = self.0.last_mut().expect("repo() comes before packages()");
        repo.packages.extend(pkgs.to_packages());
    }

    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>> {
        self.0
            .iter()
            .map(|r| r.packages.iter().map(FileKey::of).collect())
            .collect()
    }

    fn add_files(&mut self, repo: usize, files: Vec<(usize, String)>) {
        let pkgs = &mut self.0[repo].packages;
        for (i, path) in files {
            pkgs[i].files.push(path);
        }
    }

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// Work done on a parsing thread on each chunk before it is handed over.
pub type ChunkHook = std::sync::Arc<dyn Fn(&mut RawChunk) + Send + Sync>;

/// Receives the packages of [`load_repos_into`] as they are parsed.
pub trait RepoSink {
    /// What the parsing threads should do on each parsed chunk (the pool
    /// looks up the chunk's strings in its tables there, off the thread
    /// that builds it).
    fn on_parsed(&self) -> Option<ChunkHook> {
        None
    }
    /// Whether the packages should carry primary.xml's `<time file>`
    /// (`RawPkg::time_file`): read only for a sink that keeps it.
    fn file_times(&self) -> bool {
        false
    }
    /// The packages of `spec` follow (until the next call).
    fn repo(&mut self, spec: &RepoSpec);
    /// The next packages of the current repo, in file order.
    fn packages(&mut self, pkgs: RawChunk);
    /// What filelists.xml entries are matched against: every repo's
    /// packages, repos in the order of the [`RepoSink::repo`] calls.
    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>>;
    /// Paths of repo `repo`'s filelists.xml (by index of the package in
    /// that repo, in file order), after every package was handed over.
    fn add_files(&mut self, repo: usize, files: Vec<(usize, String)>);
    /// Forgets every repo and package handed over so far: a repo with
    /// `skip_if_unavailable` failed part-way, and the load starts again
    /// without it (its packages, and the ids given after them, must go).
    fn restart(&mut self);
}

/// Loads repositories, handing the packages to `sink` on the calling thread
/// while later chunks are still being parsed (so the pool can be built
/// while parsing goes on): repos sorted by (priority, cost) as dnf loads
/// them (stable), each repo's packages in file order, file lists added at
/// the end. An error is the first failing repo's, in load order; after
/// one, `sink` holds a part of the packages. A repo with
/// `skip_if_unavailable` whose metadata fails is left out with a warning
/// (`load_opened_skipping`).
pub fn load_repos_into(
    specs: &[RepoSpec],
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<()> {
    skip::load_opened_skipping(&mut open_repos(specs, opts)?, opts, sink).map(|_| ())
}

/// The comps (package groups) of a repository: its `group_gz` record, else
/// its `group` record (as libdnf picks), or None when it has neither.
/// A repo with `skip_if_unavailable` whose comps cannot be had has none
/// (with a warning).
pub fn read_comps(spec: &RepoSpec, opts: &LoadOptions) -> Result<Option<Comps>> {
    Ok(read_comps_all(std::slice::from_ref(spec), opts)?
        .pop()
        .flatten())
}

/// The comps of each of `specs`, as [`read_comps`] gives them, in the
/// order of `specs`. The repos are opened and their comps fetched and
/// parsed at once (a thread each: a few repos, waiting on the network
/// more than on the cores), their transfers sharing one load's slots
/// ([`DownloadSlots::for_metadata`]), as a load's repos are opened; one
/// after the other, each repo's round trips waited for the last repo's.
/// Skipped repos are warned about in that order, and a failure is the
/// first failing repo's in that order, as when they were read in turn.
/// Each repo is opened here: a run that also loads the repos' packages
/// takes their comps from that load instead
/// ([`Pool::load_with_comps`](crate::pool::Pool::load_with_comps)), from
/// the same repomd.xml.
pub fn read_comps_all(specs: &[RepoSpec], opts: &LoadOptions) -> Result<Vec<Option<Comps>>> {
    // Once a repo fails for good, the repos after it are not waited for
    // (`cancel.rs`): its error, or an earlier one's, is the one said.
    let slots = DownloadSlots::for_metadata();
    // Served in dnf's order: a repo's repomd.xml then its comps, repos in
    // the order of `specs` (`rank.rs`).
    let got = cancel::each_until_fatal(
        specs.len(),
        |i| read_comps_of(i, &specs[i], opts, &slots),
        |i, e| !skip::skips(&specs[i], e, opts),
    );
    specs
        .iter()
        .zip(got)
        .map(|(spec, got)| match got {
            Err(e) if skip::skips(spec, &e, opts) => {
                skip::warn_skipped(spec, &e);
                Ok(None)
            }
            got => got,
        })
        .collect()
}

/// The comps of `spec`, the `i`th of [`read_comps_all`]'s repos.
fn read_comps_of(
    i: usize,
    spec: &RepoSpec,
    opts: &LoadOptions,
    slots: &std::sync::Arc<DownloadSlots>,
) -> Result<Option<Comps>> {
    use rank::{Rank, Role};
    let o = rank::within(Rank::of(i, Role::Repomd), || open_repo(spec, opts, slots))?;
    rank::within(Rank::of(i, Role::Comps), || {
        opened_comps::comps_of_repo(&o, opts)
    })
}

/// A parse's result and its file's [`MetaFile::finish`] as one: a checksum
/// mismatch is the error reported, since it explains a parse error.
fn checked<T>(res: Result<T>, fin: Result<()>) -> Result<T> {
    match (res, fin) {
        (_, Err(e @ Error::Checksum { .. })) => Err(e),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        (Ok(v), Ok(())) => Ok(v),
    }
}

/// Reads a local repo directory's repomd.xml (for tools that write repos).
pub fn read_repomd(dir: &Path) -> Result<Repomd> {
    let path = dir.join("repodata/repomd.xml");
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    Repomd::parse(BufReader::new(f), &path.display().to_string())
}
