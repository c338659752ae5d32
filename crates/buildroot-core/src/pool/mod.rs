//! The package pool for one target arch: every installable package of the
//! enabled repos (arch rules, repo priority, excludes applied as dnf does),
//! the source packages of the source repos, and indexes from capability name
//! and file path to providers.
//!
//! The pool mirrors what libsolv builds inside dnf:
//! - packages keep repo load order then metadata order ([`PkgId`] order is
//!   libsolv's solvable id order, which the solver's tie-breaks and rule
//!   order depend on); like dnf, repos are loaded sorted by (priority,
//!   cost), ties in the given order;
//! - packages of arches that do not install on the target stay in the pool
//!   (dnf's name queries find them, and a job on them fails as in dnf) but
//!   are never providers;
//! - excluded packages (`exclude=`, `includepkgs=`) stay in the pool as
//!   *disabled*: never installable and never matched by name queries, but
//!   still listed as providers (dnf sets `whatprovideswithdisabled`), which
//!   changes error messages and the "old version" tie-break only;
//! - every binary provides `name = EVR` (libsolv adds this self-provide);
//! - file paths used in any dependency of any package (sources included)
//!   are provided by the packages whose file lists hold them (libsolv's
//!   `pool_addfileprovides`); any other path is provided only by an explicit
//!   `Provides: /path` (dnf finds its owners through a file selector
//!   instead, see the solver's job construction).
//!
//! Inside the crate, packages, strings, EVRs and dependencies are named by
//! typed ids (`id.rs`: [`PkgId`] and the crate-internal solvable, string,
//! EVR and dependency ids, and relation flags).
//!
//! The pool keeps no owned [`Package`] values: a package is its interned
//! data plus offsets into two text arenas (what the solver never reads:
//! sourcerpm, summary, location, checksum, files); [`Pool::package`]
//! rebuilds it as read, and accessors such as [`Pool::name_of`] serve
//! single fields.
//!
//! [`Pool::load`] builds the same pool straight from repo specs, interning
//! each chunk of primary.xml as soon as it is next in pool order while the
//! readers parse later ones (the builder, `build.rs`, is the load's one
//! single-threaded part; overlapping it with parsing cut the load by ≈15%,
//! and chunks that arrive with their values already deduplicated and
//! hashed cut its share again). Given a cache directory, it keeps the built
//! pool there (`cache.rs`, the bytes: `snapshot/`) and reads it back on
//! the next load of the same repos, as dnf reads libsolv's `.solv` files.
//!
//! This file holds the pool's types and its construction ([`Pool::new`],
//! [`Pool::load`]); `access.rs` the public accessors (a package read back
//! from the compact tables, its repo, name and provides queries),
//! `internal.rs` the solver's crate-internal access and the pool's
//! `DepAccess`, `build.rs` the builder.

mod access;
mod build;
mod cache;
mod deps;
mod id;
mod internal;
mod overlay;
mod snapshot;
pub mod subject;
mod tables;

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::arch::ArchPolicy;
use crate::dep::Dep;
use crate::error::Result;
use crate::package::Package;
use crate::rpmmd::raw::RawChunk;
use crate::rpmmd::{self, LoadOptions, LoadedRepo, OpenedRepos, RepoAccess, RepoSpec};

use build::PoolBuilder;
use cache::PoolCache;
pub(crate) use deps::{
    evrcmp_compare, evrcmp_match, match_nevr, DepAccess, DepInterner, DepNode, Prov,
};
pub use id::PkgId;
pub(crate) use id::{DepId, EvrId, RelFlags, SolvableId, StrId};
pub(crate) use overlay::Overlay;
use tables::{EvrTable, NodeTable, StrTable};

/// Names a package must provide to be installed in several versions at once
/// (libdnf's default `installonlypkgs`).
pub const INSTALLONLY_PROVIDES: &[&str] = &[
    "kernel",
    "kernel-PAE",
    "installonlypkg(kernel)",
    "installonlypkg(kernel-module)",
    "installonlypkg(vm)",
    "multiversion(kernel)",
];

/// A repo as the policy sees it.
#[derive(Clone, Debug)]
pub(crate) struct RepoInfo {
    /// The repo's id (`RepoSpec::id`).
    pub id: String,
    /// Where the repo's files are (for downloading packages).
    pub baseurl: String,
    /// The repo's mirrors in the order its packages are asked of them
    /// (`RepoSpec::package_mirrors`: the list's order, `baseurl` among
    /// them, as librepo asks them). Not in the pool cache: which mirrors
    /// a metalink lists changes from run to run, and the cache's key
    /// leaves mirrors out; [`Pool::load`] sets them from this run's repos.
    pub mirrors: Vec<String>,
    /// libsolv priority: minus dnf's `priority` (higher is better).
    pub priority: i32,
    /// libsolv subpriority: minus dnf's `cost` (higher is better).
    pub subpriority: i32,
    /// How the repo's files are downloaded (its `.repo` options). Not in
    /// the pool cache (it may hold secrets): [`Pool::load`] sets it from
    /// the repos as configured this time.
    pub access: RepoAccess,
    /// The repo of packages given as files
    /// ([`Pool::load_with_command_line`]). Never in the pool cache.
    pub command_line: bool,
}

/// The id of the repo of packages given as files (dnf's name for the
/// packages `dnf install ./foo.rpm` is given).
pub const COMMAND_LINE_REPO: &str = "@commandline";

/// A range into one of the pool's arenas.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Span {
    /// The first index.
    pub start: u32,
    /// The number of entries.
    pub len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len) as usize
    }
}

/// A string in one of the pool's text arenas.
#[derive(Clone, Copy, Debug, Default)]
struct Text {
    start: usize,
    len: u32,
}

impl Text {
    /// Appends `s` to `arena`.
    fn push(arena: &mut String, s: &str) -> Text {
        let start = arena.len();
        arena.push_str(s);
        Text {
            start,
            len: s.len() as u32,
        }
    }

    fn get(self, arena: &str) -> &str {
        &arena[self.start..self.start + self.len as usize]
    }
}

/// What the solver never reads of a package, kept compactly (one text
/// arena, no allocation per package) so that [`Pool::package`] can give the
/// package back exactly as it was read. Dependencies are not repeated here:
/// they are the pool's interned lists (see `Pool::pre` and `Pool::rich`).
#[derive(Clone, Copy, Debug)]
struct Cold {
    sourcerpm: Text,
    summary: Text,
    location: Text,
    checksum: Option<Text>,
    size: u64,
    /// Its files (primary's, then filelists'), in `Pool::files`.
    files: Span,
    /// Its provides as read, in `Pool::raw_provs`, when they differ from
    /// the interned ones (which drop duplicates and add the self-provide).
    raw_provides: Option<Span>,
}

/// Compact per-package data the solver works on.
#[derive(Clone, Debug)]
pub(crate) struct PkgData {
    /// The package's name.
    pub name: StrId,
    /// The source package's name (the package's own name for a source).
    pub srcname: StrId,
    /// The package's arch.
    pub arch: StrId,
    /// The package's epoch:version-release.
    pub evr: EvrId,
    /// Index of its repo in `Pool::repos`.
    pub repo: u16,
    /// A source package.
    pub source: bool,
    /// Excluded (`exclude=`, `includepkgs=`): never installable.
    pub disabled: bool,
    /// Installable in several versions at once (installonly).
    pub multiversion: bool,
    /// libsolv arch score (1 noarch, 0 not installable, lower is better).
    pub score: u32,
    /// libsolv arch colour (`arch::color`).
    pub color: u8,
    /// Its provides, in `Pool::provs`.
    pub provides: Span,
    /// Its requires, in `Pool::deplist` (as are the lists below).
    pub requires: Span,
    /// Its conflicts.
    pub conflicts: Span,
    /// Its obsoletes.
    pub obsoletes: Span,
    /// Its recommends.
    pub recommends: Span,
    /// Its suggests.
    pub suggests: Span,
    /// Its supplements.
    pub supplements: Span,
    /// Its enhances.
    pub enhances: Span,
}

/// Installable binaries and available sources for one arch.
pub struct Pool {
    arch: ArchPolicy,
    pub(crate) repos: Vec<RepoInfo>,
    pub(crate) data: Vec<PkgData>,
    /// What the solver does not read, per package.
    cold: Vec<Cold>,
    /// The text of `cold`'s strings.
    cold_text: String,
    /// Every package's files (`Cold::files` spans), and their text.
    files: Vec<Text>,
    file_text: String,
    /// Provides as read, of packages whose interned provides differ.
    raw_provs: Vec<Prov>,
    /// Bit i set: `deplist[i]` is a pre-requirement (`pre="1"`).
    pre: Vec<u64>,
    /// Rich dependencies as read, by position in `deplist` (ascending):
    /// interning nests n-ary operators, which [`Dep`] keeps flat.
    rich: Vec<(u32, Dep)>,
    /// Rich provides as read, each once ([`Prov::rich`] indexes them).
    rich_provs: Vec<Dep>,
    strs: StrTable,
    /// EVR id -> EVR.
    pub(crate) evrs: EvrTable,
    /// Dependency id -> dependency.
    pub(crate) nodes: NodeTable,
    /// The provides of every package (`PkgData::provides` spans).
    pub(crate) provs: Vec<Prov>,
    /// The dependency lists of every package (`PkgData` spans).
    pub(crate) deplist: Vec<DepId>,
    /// name symbol -> providers, for symbols known at build time.
    name_wp: Vec<Span>,
    name_wp_data: Vec<SolvableId>,
    /// dependency id -> providers.
    dep_wp: Vec<Span>,
    dep_wp_data: Vec<SolvableId>,
    /// Owners of paths that no dependency in the pool names, found on demand.
    file_cache: Mutex<FxHashMap<String, Arc<[SolvableId]>>>,
    sources_by_name: FxHashMap<StrId, Vec<PkgId>>,
    /// name -> every binary of that name (excluded and wrong-arch ones too).
    binaries_by_name: FxHashMap<StrId, Vec<SolvableId>>,
    /// dependency id -> complex (libsolv `pool_is_complex_dep`).
    complex: Vec<bool>,
    /// obsoleted name -> binaries obsoleting it.
    obsoleters: FxHashMap<StrId, Vec<SolvableId>>,
    /// Read from the pool cache (`cache.rs`), not built from metadata.
    from_cache: bool,
}

impl Pool {
    /// Builds the pool for `arch` from loaded repos (binary and source repos
    /// alike; packages with arch `src`/`nosrc` become sources). Disabled
    /// repos are skipped.
    pub fn new(arch: &str, repos: Vec<LoadedRepo>) -> Result<Pool> {
        let mut b = PoolBuilder::new(ArchPolicy::new(arch)?);
        // dnf adds repos to the sack sorted by (priority, cost), stable
        // (`RepoDict.values()`); solvable ids follow that order.
        let mut repos: Vec<LoadedRepo> = repos.into_iter().filter(|r| r.spec.enabled).collect();
        repos.sort_by_key(|r| (r.spec.priority, r.spec.cost));
        for repo in repos {
            b.start_repo(&repo.spec);
            b.add_chunk(&RawChunk::from_packages(&repo.packages));
        }
        Ok(b.finish())
    }

    /// Loads the repos of `specs` ([`rpmmd::load_repos`]) and builds the
    /// pool for `arch`, the same one as [`Pool::new`] would, but interning
    /// each chunk of primary.xml as soon as it is parsed, while the parsers
    /// go on with the next ones.
    ///
    /// With `opts.cache_dir`, the pool is kept in the cache and read back
    /// from there while the repos and this library stay the same
    /// (`cache.rs`): the same pool, without parsing.
    ///
    /// A repo left out by `skip_if_unavailable` is not in the pool, nor in
    /// the cache's key: the pool cached then stands for the repos loaded
    /// only, and a later run that loads them all does not take it.
    pub fn load(arch: &str, specs: &[RepoSpec], opts: &LoadOptions) -> Result<Pool> {
        Pool::load_with_command_line(arch, specs, opts, &[])
    }

    /// [`Pool::load`], plus source packages given as files (`--srpm`,
    /// `--spec`), in a repo of their own ([`COMMAND_LINE_REPO`]). dnf
    /// builddep, given an SRPM, installs its header's requires without
    /// adding the package to the pool; here the package is the source the
    /// run builds. Added after every repo, it leaves the repos' packages and
    /// strings their ids, and with them every tie-break (a source is never
    /// a provider: it changes no answer of another source). Each stands in
    /// for the repos' sources of its name: [`Pool::sources_named`] lists it
    /// first, whatever their priority or EVR. Paths they require get their
    /// owners from the file lists. A pool with such packages is neither read
    /// from the pool cache nor written there: the cache's key covers the
    /// repos only.
    pub fn load_with_command_line(
        arch: &str,
        specs: &[RepoSpec],
        opts: &LoadOptions,
        command_line: &[Package],
    ) -> Result<Pool> {
        let with_paths;
        let opts = if command_line.is_empty() {
            opts
        } else {
            with_paths = LoadOptions {
                filelists: opts.filelists.clone().and_paths(command_line),
                cache_dir: opts.cache_dir.clone(),
            };
            &with_paths
        };
        let policy = ArchPolicy::new(arch)?;
        let may_answer = may_answer(&policy, opts, command_line);
        let mut opened = rpmmd::open_repos_for_pool(specs, opts, &may_answer)?;
        Pool::load_opened(&policy, &mut opened, opts, command_line)
    }

    /// [`Pool::load`], and the comps of each of `specs` (in their order,
    /// as [`rpmmd::read_comps_all`] gives them), from the repomd.xml the
    /// packages come from: each repo's repomd.xml is read once, and its
    /// comps fetched and parsed while its packages load, in the load's
    /// download slots (libdnf has librepo fetch a repo's files in one
    /// batch). A repo the load leaves out (`skip_if_unavailable`) has no
    /// comps, as dnf reads none of a repo it skipped.
    pub fn load_with_comps(
        arch: &str,
        specs: &[RepoSpec],
        opts: &LoadOptions,
    ) -> Result<(Pool, Vec<Option<rpmmd::Comps>>)> {
        let policy = ArchPolicy::new(arch)?;
        let may_answer = may_answer(&policy, opts, &[]);
        let mut opened = rpmmd::open_repos_for_pool(specs, opts, &may_answer)?;
        rpmmd::load_with_comps(specs, &mut opened, opts, |opened| {
            Pool::load_opened(&policy, opened, opts, &[])
        })
    }

    /// The pool of repos already opened (from the pool cache when it holds
    /// it); `opened` loses the repos left out by `skip_if_unavailable`.
    fn load_opened(
        policy: &ArchPolicy,
        opened: &mut OpenedRepos,
        opts: &LoadOptions,
        command_line: &[Package],
    ) -> Result<Pool> {
        let cache_of = |opened: &OpenedRepos| {
            opts.cache_dir
                .as_deref()
                .filter(|_| command_line.is_empty())
                .map(|dir| PoolCache::new(dir, policy.target(), opened, opts))
                .transpose()
                .map(Option::flatten)
        };
        // A refused setting of the pool cache fails the load before it
        // reads anything: the early fetches stop and end first, their temp
        // files removed, as for any load that fails (the tool exits on it).
        let cache = cache_of(opened).inspect_err(|_| opened.stop_early_fetches())?;
        let cached = cache.as_ref().and_then(PoolCache::read);
        if let Some(mut pool) = cached.filter(|p| p.repos.len() == opened.len()) {
            // Early fetches started before another run wrote this pool
            // are not read: stopped, their temp files gone, as the load
            // returns.
            opened.stop_early_fetches();
            // Packages are downloaded from this run's mirrors, as the
            // repo is configured this time.
            for (info, spec) in pool.repos.iter_mut().zip(opened.specs()) {
                info.baseurl = spec.baseurl.clone();
                info.access = spec.access.clone();
                info.mirrors = spec.package_mirrors();
            }
            return Ok(pool);
        }
        let mut b = PoolBuilder::new(policy.clone());
        let skipped = rpmmd::load_opened_skipping(opened, opts, &mut b)?;
        if !command_line.is_empty() {
            b.start_command_line();
            b.add_chunk(&RawChunk::from_packages(command_line));
        }
        let pool = b.finish();
        // `cache` was keyed before a repo was left out while loading.
        let cache = if skipped { cache_of(opened)? } else { cache };
        if let Some(cache) = &cache {
            cache.write(&pool);
        }
        Ok(pool)
    }
}

/// Whether the pool cache may answer for a load of `policy`'s arch whose
/// repos begin with those of the fingerprints it is given, as
/// `rpmmd::open_repos_for_pool` asks while the later repos still open: as
/// [`Pool::load_opened`] reads the cache (none with `command_line`
/// packages, nor without a cache directory).
fn may_answer<'a>(
    policy: &'a ArchPolicy,
    opts: &'a LoadOptions,
    command_line: &'a [Package],
) -> impl Fn(&[Option<[u8; 32]>]) -> bool + Sync + 'a {
    move |first| match opts.cache_dir.as_deref() {
        Some(dir) if command_line.is_empty() => {
            PoolCache::may_answer(dir, policy.target(), opts, first)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
