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

mod build;
mod cache;
mod deps;
mod id;
mod overlay;
mod snapshot;
pub mod subject;
mod tables;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::arch::ArchPolicy;
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::error::Result;
use crate::evr::Evr;
use crate::package::{Package, Requirement};
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
        let mut opened = rpmmd::open_repos(specs, opts)?;
        let cache_of = |opened: &OpenedRepos| {
            opts.cache_dir
                .as_deref()
                .filter(|_| command_line.is_empty())
                .map(|dir| PoolCache::new(dir, policy.target(), opened, opts))
                .transpose()
                .map(Option::flatten)
        };
        let cache = cache_of(&opened)?;
        let cached = cache.as_ref().and_then(PoolCache::read);
        if let Some(mut pool) = cached.filter(|p| p.repos.len() == opened.len()) {
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
        let skipped = rpmmd::load_opened_skipping(&mut opened, opts, &mut b)?;
        if !command_line.is_empty() {
            b.start_command_line();
            b.add_chunk(&RawChunk::from_packages(command_line));
        }
        let pool = b.finish();
        // `cache` was keyed before a repo was left out while loading.
        let cache = if skipped { cache_of(&opened)? } else { cache };
        if let Some(cache) = &cache {
            cache.write(&pool);
        }
        Ok(pool)
    }
}

impl Pool {
    /// Whether [`Pool::load`] read this pool from the cache instead of the
    /// repos' metadata.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// The arch policy this pool was built for.
    pub fn arch(&self) -> &ArchPolicy {
        &self.arch
    }

    /// Number of packages (binaries and sources, excluded ones included).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the pool has no packages.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Every package id, in pool order.
    pub fn ids(&self) -> impl Iterator<Item = PkgId> + '_ {
        (0..self.data.len()).map(PkgId::from_usize)
    }

    /// The package with this id, as it was read (rebuilt from the pool's
    /// compact tables: prefer [`Pool::name_of`], [`Pool::evr_of`],
    /// [`Pool::files`] and friends for single fields).
    pub fn package(&self, id: PkgId) -> Package {
        let (d, c) = (&self.data[id.to_usize()], &self.cold[id.to_usize()]);
        let ct = &self.cold_text;
        let provides = match c.raw_provides {
            Some(span) => &self.raw_provs[span.range()],
            None => &self.provs[d.provides.range()],
        };
        let deps = |span: Span| -> Vec<Dep> { span.range().map(|i| self.dep_at(i)).collect() };
        Package {
            name: self.name_of(id).to_string(),
            arch: self.arch_of(id).to_string(),
            evr: self.evr_of(id).clone(),
            sourcerpm: c.sourcerpm.get(ct).to_string(),
            summary: c.summary.get(ct).to_string(),
            provides: provides.iter().map(|p| self.simple_of_prov(p)).collect(),
            requires: self.requires(id),
            conflicts: deps(d.conflicts),
            obsoletes: d
                .obsoletes
                .range()
                .map(|i| simple_or_text(self.dep_at(i)))
                .collect(),
            recommends: deps(d.recommends),
            suggests: deps(d.suggests),
            supplements: deps(d.supplements),
            enhances: deps(d.enhances),
            files: self.files(id).map(str::to_string).collect(),
            location: c.location.get(ct).to_string(),
            checksum: c.checksum.map(|x| x.get(ct).to_string()),
            size: c.size,
            details: None,
        }
    }

    /// A package's requires (a source's BuildRequires), as read.
    pub fn requires(&self, id: PkgId) -> Vec<Requirement> {
        self.data[id.to_usize()]
            .requires
            .range()
            .map(|i| Requirement {
                dep: self.dep_at(i),
                pre: self.pre[i / 64] & (1 << (i % 64)) != 0,
            })
            .collect()
    }

    /// The dependency at position `i` of `deplist`, as it was read.
    fn dep_at(&self, i: usize) -> Dep {
        if let Ok(k) = self.rich.binary_search_by_key(&(i as u32), |(at, _)| *at) {
            return self.rich[k].1.clone();
        }
        match self.nodes[self.deplist[i].to_usize()] {
            DepNode::Simple { name, flags, evr } => Dep::Simple(self.simple_dep(name, flags, evr)),
            _ => unreachable!("rich dependencies are kept as read"),
        }
    }

    fn simple_of_prov(&self, p: &Prov) -> SimpleDep {
        match p.rich() {
            Some(k) => simple_or_text(self.rich_provs[k].clone()),
            None => self.simple_dep(p.name, p.flags, p.evr),
        }
    }

    fn simple_dep(&self, name: StrId, flags: RelFlags, evr: EvrId) -> SimpleDep {
        SimpleDep {
            name: self.str_of(name).to_string(),
            range: cmp_of_flags(flags).map(|cmp| Range {
                cmp,
                evr: self.evrs[evr.to_usize()].clone(),
            }),
        }
    }

    /// A package's name.
    pub fn name_of(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].name)
    }

    /// A package's arch (`src` or `nosrc` for sources).
    pub fn arch_of(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].arch)
    }

    /// A package's epoch, version and release.
    pub fn evr_of(&self, id: PkgId) -> &Evr {
        &self.evrs[self.data[id.to_usize()].evr.to_usize()]
    }

    /// `name-V-R` (no epoch, no arch) of a package ([`Package::nvr`]).
    pub fn nvr_of(&self, id: PkgId) -> String {
        format!("{}-{}", self.name_of(id), self.evr_of(id).vr())
    }

    /// Whether the package is a source package.
    pub fn is_source(&self, id: PkgId) -> bool {
        self.data[id.to_usize()].source
    }

    /// A package's source name ([`Package::source_name`]).
    pub fn source_name(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].srcname)
    }

    /// A package's `rpm:sourcerpm` (empty for sources).
    pub fn sourcerpm(&self, id: PkgId) -> &str {
        self.cold[id.to_usize()].sourcerpm.get(&self.cold_text)
    }

    /// A package's `location href`, relative to its repo's root.
    pub fn location(&self, id: PkgId) -> &str {
        self.cold[id.to_usize()].location.get(&self.cold_text)
    }

    /// A package's file checksum, when known.
    pub fn checksum(&self, id: PkgId) -> Option<&str> {
        self.cold[id.to_usize()]
            .checksum
            .map(|c| c.get(&self.cold_text))
    }

    /// A package's files: primary's, then those of filelists.xml loaded.
    pub fn files(&self, id: PkgId) -> impl Iterator<Item = &str> + '_ {
        self.files[self.cold[id.to_usize()].files.range()]
            .iter()
            .map(|f| f.get(&self.file_text))
    }

    /// The ids of the repos the pool was loaded from, in load order (a repo
    /// left out by `skip_if_unavailable` is not among them).
    pub fn loaded_repo_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.repos.iter().map(|r| r.id.as_str())
    }

    /// The id of the repo (`RepoSpec::id`) a package came from
    /// ([`COMMAND_LINE_REPO`] for a package given as a file).
    pub fn repo_id(&self, id: PkgId) -> &str {
        &self.repos[self.data[id.to_usize()].repo as usize].id
    }

    /// Whether the package was given as a file
    /// ([`Pool::load_with_command_line`]).
    pub fn is_command_line(&self, id: PkgId) -> bool {
        self.repos[self.data[id.to_usize()].repo as usize].command_line
    }

    /// Excludes every binary package whose name `keep` refuses, as an
    /// `includepkgs=` list of those names on every repo would (sources stay):
    /// step 10's "the compose and the workload alone". Rules computed from
    /// the pool before the restriction cannot survive it: they live in a
    /// `Resolver`, which borrows the pool for as long as it exists, and this
    /// takes the pool mutably.
    pub fn restrict_binaries(&mut self, keep: impl Fn(&str) -> bool) {
        for d in self.data.iter_mut() {
            if !d.source && !keep(&self.strs[d.name.to_usize()]) {
                d.disabled = true;
            }
        }
    }

    /// The base URL of the repo a package came from (the mirror used, for
    /// metalink and mirrorlist repos): its `location` is relative to it.
    pub fn repo_baseurl(&self, id: PkgId) -> &str {
        &self.repos[self.data[id.to_usize()].repo as usize].baseurl
    }

    /// The base URLs of the repo a package came from, in the order its
    /// files are sought: the repo's mirrors (a metalink's, a mirrorlist's,
    /// a multi-URL `baseurl=`) in the list's order, as librepo asks them,
    /// as the repo was loaded this run; [`Pool::repo_baseurl`] alone when
    /// it has no list (packages given as files).
    pub fn repo_mirrors(&self, id: PkgId) -> impl Iterator<Item = &str> + '_ {
        let r = &self.repos[self.data[id.to_usize()].repo as usize];
        match r.mirrors.is_empty() {
            true => std::slice::from_ref(&r.baseurl),
            false => &r.mirrors[..],
        }
        .iter()
        .map(String::as_str)
    }

    /// How the files of the repo a package came from are downloaded.
    pub fn repo_access(&self, id: PkgId) -> &RepoAccess {
        &self.repos[self.data[id.to_usize()].repo as usize].access
    }

    /// Whether the package was excluded (`exclude=` / `includepkgs=`).
    pub fn is_excluded(&self, id: PkgId) -> bool {
        self.data[id.to_usize()].disabled
    }

    /// Whether the package can be installed (a binary that is not excluded).
    pub fn is_installable(&self, id: PkgId) -> bool {
        let d = &self.data[id.to_usize()];
        !d.source && !d.disabled && d.score != 0
    }

    /// Source packages named `name` (excludes applied), best first: one
    /// given as a file, then highest repo priority, then highest EVR.
    pub fn sources_named(&self, name: &str) -> Vec<PkgId> {
        self.sym(name)
            .and_then(|s| self.sources_by_name.get(&s))
            .cloned()
            .unwrap_or_default()
    }

    /// The source package name of the first installable binary named
    /// `name` (what `--from-binaries` maps a binary to, and what a binary's
    /// name given as a source is pointed at).
    pub fn source_of_binary(&self, name: &str) -> Option<&str> {
        self.binaries_named(name)
            .first()
            .map(|&p| self.source_name(p))
    }

    /// Installable binary packages named `name`, in pool order.
    pub fn binaries_named(&self, name: &str) -> Vec<PkgId> {
        let Some(sym) = self.sym(name) else {
            return Vec::new();
        };
        self.name_providers(sym)
            .iter()
            .map(|&s| s.package())
            .filter(|&p| {
                let d = &self.data[p.to_usize()];
                d.name == sym && !d.disabled
            })
            .collect()
    }

    /// Installable packages whose provides (or files) satisfy `dep`, in pool
    /// order; rich dependencies give libsolv's loose provider set.
    pub fn whatprovides(&self, dep: &Dep) -> Vec<PkgId> {
        let mut ov = Overlay::new(self);
        let id = ov.intern_dep(dep);
        ov.dep_providers(id)
            .iter()
            .filter(|&&s| s.is_package())
            .map(|&s| s.package())
            .filter(|&p| !self.data[p.to_usize()].disabled)
            .collect()
    }

    /// `name-[E:]V-R.arch` of a package.
    pub fn nevra_string(&self, id: PkgId) -> String {
        crate::evr::Nevra {
            name: self.name_of(id).to_string(),
            evr: self.evr_of(id).clone(),
            arch: self.arch_of(id).to_string(),
        }
        .to_string()
    }

    // ----- crate-internal access for the solver -----

    /// The symbol of a package's source name ([`Package::source_name`]).
    pub(crate) fn source_sym(&self, id: PkgId) -> StrId {
        self.data[id.to_usize()].srcname
    }

    /// The symbol of a string, if the pool knows it.
    pub(crate) fn sym(&self, s: &str) -> Option<StrId> {
        self.strs.get(s)
    }

    /// Number of interned strings.
    pub(crate) fn nsyms(&self) -> usize {
        self.strs.len()
    }

    /// Number of interned EVRs.
    pub(crate) fn nevrs(&self) -> usize {
        self.evrs.len()
    }

    /// Number of interned dependencies.
    pub(crate) fn nnodes(&self) -> usize {
        self.nodes.len()
    }

    /// The id of an EVR, if the pool knows it.
    pub(crate) fn evr_id(&self, evr: &Evr) -> Option<EvrId> {
        self.evrs.get(evr)
    }

    /// The id of a dependency, if the pool knows it.
    pub(crate) fn node_id(&self, node: &DepNode) -> Option<DepId> {
        self.nodes.get(node)
    }

    /// Every binary named `sym`, excluded and wrong-arch too.
    pub(crate) fn all_binaries_named(&self, sym: StrId) -> &[SolvableId] {
        self.binaries_by_name
            .get(&sym)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The text of a pool string.
    pub(crate) fn str_of(&self, sym: StrId) -> &str {
        &self.strs[sym.to_usize()]
    }

    /// Data of solvable `sid` (a package).
    #[inline]
    pub(crate) fn sd(&self, sid: SolvableId) -> &PkgData {
        &self.data[sid.package().to_usize()]
    }

    /// Providers of a pool dependency.
    #[inline]
    pub(crate) fn dep_list(&self, dep: DepId) -> &[SolvableId] {
        &self.dep_wp_data[self.dep_wp[dep.to_usize()].range()]
    }

    /// Providers of a pool name symbol.
    #[inline]
    pub(crate) fn name_list(&self, sym: StrId) -> &[SolvableId] {
        &self.name_wp_data[self.name_wp[sym.to_usize()].range()]
    }

    /// Whether a pool dependency becomes CNF rules (and, if, unless, or
    /// over those).
    #[inline]
    pub(crate) fn dep_is_complex(&self, dep: DepId) -> bool {
        self.complex[dep.to_usize()]
    }

    /// Binaries with an Obsoletes naming `sym` (ascending).
    pub(crate) fn obsoleters_of_name(&self, sym: StrId) -> &[SolvableId] {
        self.obsoleters
            .get(&sym)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// A dependency list of a package (a [`PkgData`] span).
    pub(crate) fn deps_of(&self, span: Span) -> &[DepId] {
        &self.deplist[span.range()]
    }

    /// Installable-arch binaries (excluded ones too) whose file list holds
    /// `path`: a file selector's search (cached).
    pub(crate) fn file_owners(&self, path: &str) -> Arc<[SolvableId]> {
        if let Ok(cache) = self.file_cache.lock() {
            if let Some(l) = cache.get(path) {
                return l.clone();
            }
        }
        let mut out = Vec::new();
        for (i, d) in self.data.iter().enumerate() {
            if !d.source && d.score != 0 && self.files(PkgId::from_usize(i)).any(|f| f == path) {
                out.push(SolvableId::of_index(i));
            }
        }
        let l: Arc<[SolvableId]> = out.into();
        if let Ok(mut cache) = self.file_cache.lock() {
            cache.insert(path.to_string(), l.clone());
        }
        l
    }
}

impl DepAccess for Pool {
    fn sym_str(&self, sym: StrId) -> &str {
        &self.strs[sym.to_usize()]
    }

    fn evr(&self, id: EvrId) -> &Evr {
        &self.evrs[id.to_usize()]
    }

    fn node(&self, dep: DepId) -> DepNode {
        self.nodes[dep.to_usize()]
    }

    fn name_providers(&self, sym: StrId) -> Cow<'_, [SolvableId]> {
        Cow::Borrowed(self.name_list(sym))
    }

    fn dep_providers(&self, dep: DepId) -> Cow<'_, [SolvableId]> {
        Cow::Borrowed(self.dep_list(dep))
    }

    fn provides_of(&self, sid: SolvableId) -> &[Prov] {
        &self.provs[self.sd(sid).provides.range()]
    }

    fn owns_file(&self, sid: SolvableId, path: StrId) -> bool {
        let path = &self.strs[path.to_usize()];
        self.files(sid.package()).any(|f| f == &**path)
    }
}

/// A provide or obsolete as [`Package`] holds it: a rich one as its text.
fn simple_or_text(d: Dep) -> SimpleDep {
    match d {
        Dep::Simple(s) => s,
        rich => SimpleDep::name(rich.to_string()),
    }
}

/// The comparison of relation flags (those of an rpm-md operator).
fn cmp_of_flags(f: RelFlags) -> Option<Cmp> {
    Cmp::ALL.into_iter().find(|&c| RelFlags::of_cmp(c) == f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dep::SimpleDep;
    use crate::rpmmd::RepoSpec;

    pub(crate) fn pkg(name: &str, evr: &str, arch: &str) -> Package {
        Package {
            name: name.into(),
            arch: arch.into(),
            evr: Evr::parse(evr).unwrap(),
            ..Default::default()
        }
    }

    fn repo(id: &str, pkgs: Vec<Package>) -> LoadedRepo {
        LoadedRepo {
            spec: RepoSpec::new(id, ""),
            packages: pkgs,
        }
    }

    /// A rich dependency no parser reads, which an SRPM read from its
    /// header keeps as its text (createrepo_c lists it so), is left out
    /// of the pool as libsolv leaves it out: no requirement at all.
    #[test]
    fn an_unreadable_rich_dependency_is_no_requirement() {
        let mut s = pkg("a", "1-1", "src");
        s.requires.push(Dep::name("(a or foo(bar)").into());
        s.requires.push(Dep::name("gcc").into());
        // Nor a provide (of a binary package, a source one provides
        // nothing): libsolv drops it from any list.
        let mut b = pkg("b", "1-1", "noarch");
        b.provides.push(SimpleDep::name("(x or y(z)"));
        let p = Pool::new("x86_64", vec![repo("r", vec![s, b])]).unwrap();
        let req: Vec<String> = p
            .requires(PkgId(0))
            .iter()
            .map(|r| r.dep.to_string())
            .collect();
        assert_eq!(req, ["gcc"]);
        assert_eq!(p.whatprovides(&Dep::name("(x or y(z)")), []);
    }

    /// Versions createrepo_c lists for what rpmbuild refuses but a header
    /// holds are compared as libsolv compares them (checked with
    /// rpmmd2solv and testsolv on this XML): it joins `1.0` / `1-2` to
    /// `1.0-1-2` and splits it at the last `-` (version `1.0-1`, newer
    /// than `1.0`: not met by `dashes = 1.0-5`), and the signed epoch
    /// `-1:2` is no epoch (version ``, release `1:2`: met by 1.0-1).
    #[test]
    fn odd_entry_versions_compare_as_libsolv_compares_them() {
        let entry = |name: &str, attrs: &str| {
            format!(
                "<package type=\"rpm\"><name>{name}</name><arch>noarch</arch>\
                 <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format><rpm:requires>\
                 <rpm:entry name=\"{name}\" flags=\"GE\" {attrs}/></rpm:requires></format>\
                 </package>"
            )
        };
        let xml = format!(
            "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
             xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">{}{}</metadata>",
            entry("dashes", "epoch=\"0\" ver=\"1.0\" rel=\"1-2\""),
            entry("negep", "epoch=\"-1\" ver=\"2\""),
        );
        // An epoch past our u32 (createrepo_c lists what a header holds)
        // is compared as part of the version, not a reason to refuse.
        let huge = entry("huge", "epoch=\"99999999999\" ver=\"1\"");
        let read = crate::rpmmd::read_primary(
            xml.replace("</metadata>", &(huge + "</metadata>"))
                .as_bytes(),
            "r",
        );
        assert_eq!(
            read.unwrap()[2].requires[0].dep.to_string(),
            "huge >= 99999999999:1"
        );
        let mut pkgs = crate::rpmmd::read_primary(xml.as_bytes(), "r").unwrap();
        for p in &mut pkgs {
            p.name = format!("req-{}", p.name);
        }
        pkgs.push(pkg("dashes", "1.0-5", "noarch"));
        pkgs.push(pkg("negep", "1.0-1", "noarch"));
        let p = Pool::new("x86_64", vec![repo("r", pkgs)]).unwrap();
        let met = |i: u32| -> Vec<String> {
            let req = &p.requires(PkgId(i))[0].dep;
            p.whatprovides(req)
                .iter()
                .map(|&q| p.nevra_string(q))
                .collect()
        };
        assert_eq!(met(0), Vec::<String>::new());
        assert_eq!(met(1), ["negep-1.0-1.noarch"]);
    }

    /// A versioned entry without a version (`foo >=`, createrepo_c's
    /// `flags="GE"` alone) compares as libsolv's `<NULL>` (testsolv on
    /// this XML: not met by `foo-A-1`, met by `bar-a-1`).
    #[test]
    fn a_comparison_without_a_version_is_libsolvs_null() {
        let xml = "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
             xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">\
             <package type=\"rpm\"><name>req</name><arch>noarch</arch>\
             <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format><rpm:requires>\
             <rpm:entry name=\"foo\" flags=\"GE\"/><rpm:entry name=\"bar\" flags=\"GE\"/>\
             </rpm:requires></format></package></metadata>";
        let mut pkgs = crate::rpmmd::read_primary(xml.as_bytes(), "r").unwrap();
        pkgs.push(pkg("foo", "A-1", "noarch"));
        pkgs.push(pkg("bar", "a-1", "noarch"));
        let p = Pool::new("x86_64", vec![repo("r", pkgs)]).unwrap();
        let met: Vec<Vec<String>> = p
            .requires(PkgId(0))
            .iter()
            .map(|r| {
                let ids = p.whatprovides(&r.dep);
                ids.iter().map(|&q| p.nevra_string(q)).collect()
            })
            .collect();
        assert_eq!(met, [vec![], vec!["bar-a-1.noarch".to_string()]]);
    }

    #[test]
    fn arches_sources_and_self_provides() {
        let mut a = pkg("a", "1-1", "x86_64");
        a.provides.push(SimpleDep::name("cap"));
        let mut s = pkg("a", "1-1", "src");
        s.requires.push(Dep::name("gcc").into());
        let p = Pool::new(
            "x86_64",
            vec![repo(
                "r",
                vec![
                    a,
                    pkg("b", "1-1", "aarch64"),
                    pkg("c", "1-1", "i686"),
                    s,
                    pkg("d", "2-1", "noarch"),
                ],
            )],
        )
        .unwrap();
        assert_eq!(p.len(), 5);
        assert!(
            !p.is_installable(PkgId(1)),
            "aarch64 does not install on x86_64"
        );
        assert_eq!(p.binaries_named("a"), vec![PkgId(0)]);
        assert!(p.binaries_named("b").is_empty());
        assert_eq!(p.source_of_binary("a"), Some(p.source_name(PkgId(0))));
        assert_eq!(p.source_of_binary("b"), None);
        assert_eq!(p.sources_named("a"), vec![PkgId(3)]);
        assert_eq!(p.whatprovides(&Dep::name("cap")), vec![PkgId(0)]);
        assert_eq!(
            p.whatprovides(&Dep::parse("a = 1-1").unwrap()),
            vec![PkgId(0)]
        );
        assert_eq!(
            p.whatprovides(&Dep::parse("d > 1").unwrap()),
            vec![PkgId(4)]
        );
        assert!(p.whatprovides(&Dep::parse("gcc").unwrap()).is_empty());
    }

    #[test]
    fn excludes_and_files() {
        let mut bb = pkg("bb", "1-1", "noarch");
        bb.files.push("/usr/share/x/data".into());
        let mut zz = pkg("zz", "1-1", "noarch");
        zz.files.push("/usr/bin/zz".into());
        zz.files.push("/usr/share/zz/unused".into());
        let mut user = pkg("user", "1-1", "noarch");
        user.requires.push(Dep::name("/usr/bin/zz").into());
        user.requires.push(Dep::name("/usr/share/x/data").into());
        let mut r = repo("r", vec![bb, zz, user]);
        r.spec.exclude.push("b*".into());
        let p = Pool::new("x86_64", vec![r]).unwrap();
        assert!(p.is_excluded(PkgId(0)));
        assert!(p.binaries_named("bb").is_empty());
        assert!(p.whatprovides(&Dep::name("/usr/share/x/data")).is_empty());
        assert_eq!(p.whatprovides(&Dep::name("/usr/bin/zz")), vec![PkgId(1)]);
        // Paths no dependency names have no file providers (libsolv).
        assert!(p
            .whatprovides(&Dep::name("/usr/share/zz/unused"))
            .is_empty());
    }

    #[test]
    fn pool_is_shared_across_threads() {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Pool>();
    }

    #[test]
    fn sources_best_first() {
        let mut r1 = repo(
            "rawhide",
            vec![pkg("s", "1.10-1", "src"), pkg("s", "1.9-1", "src")],
        );
        r1.spec.priority = 2090;
        let mut r2 = repo("eln", vec![pkg("s", "1.0-1", "src")]);
        r2.spec.priority = 90;
        let p = Pool::new("x86_64", vec![r1, r2]).unwrap();
        // Repos load in (priority, cost) order: eln first.
        assert_eq!(p.sources_named("s"), vec![PkgId(0), PkgId(1), PkgId(2)]);
        assert_eq!(p.evr_of(PkgId(1)).version, "1.10");
    }
}
