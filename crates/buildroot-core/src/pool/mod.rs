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
//! readers parse later ones (the builder is the bulk of the load's
//! single-threaded work; overlapping it with parsing cut the load by ≈15%).

mod deps;
mod id;
mod overlay;
pub mod subject;

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::arch::{self, ArchPolicy};
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::error::Result;
use crate::evr::Evr;
use crate::package::{Package, Requirement};
use crate::rpmmd::raw::{self, RawChunk, RawEntry, RawPkg};
use crate::rpmmd::{self, FileKey, LoadOptions, LoadedRepo, RepoSink, RepoSpec};

use deps::compute_providers;
pub(crate) use deps::{
    evrcmp_compare, evrcmp_match, match_nevr, DepAccess, DepInterner, DepNode, Prov,
};
pub use id::PkgId;
pub(crate) use id::{DepId, EvrId, RelFlags, SolvableId, StrId};
pub(crate) use overlay::Overlay;

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
    /// libsolv priority: minus dnf's `priority` (higher is better).
    pub priority: i32,
    /// libsolv subpriority: minus dnf's `cost` (higher is better).
    pub subpriority: i32,
}

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
    /// Its obsoletes (simple dependencies).
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

/// String, EVR and dependency tables being filled while the pool is built.
#[derive(Default)]
struct Tables {
    str_map: FxHashMap<Arc<str>, StrId>,
    strs: Vec<Arc<str>>,
    evr_map: FxHashMap<Evr, EvrId>,
    evrs: Vec<Evr>,
    /// Hash of an EVR's parts -> an EVR with that hash: finds the EVRs of
    /// a chunk's text without building an `Evr` for the lookup.
    evr_by_hash: FxHashMap<u64, EvrId>,
    node_map: FxHashMap<DepNode, DepId>,
    nodes: Vec<DepNode>,
}

/// Interns a package's strings in the order libsolv's rpm-md parser meets
/// them in `primary.xml` (after name and arch: the source name when it
/// differs, then provides, requires, conflicts, obsoletes, suggests,
/// enhances, recommends, supplements, rich dependencies left to right).
/// Symbol ids then follow libsolv's string ids, and libdnf orders the jobs
/// of a glob (`_name_dict`) and `sort_by_common_dep` orders provides by them.
/// (libsolv also interns directory names of file lists, which only matters
/// for a name first seen as a directory; not modelled.)
fn intern_in_primary_order(t: &mut Tables, c: &RawChunk, pkg: &RawPkg, other_source: bool) {
    if other_source {
        if let Some(src) = crate::package::source_name_of(c.str(pkg.sourcerpm)) {
            t.intern_str(src);
        }
    }
    for k in [
        raw::PROVIDES,
        raw::REQUIRES,
        raw::CONFLICTS,
        raw::OBSOLETES,
        raw::SUGGESTS,
        raw::ENHANCES,
        raw::RECOMMENDS,
        raw::SUPPLEMENTS,
    ] {
        for e in c.list(pkg, k) {
            match e.rich {
                Some(i) => c.rich[i as usize].for_each_leaf(&mut |s| {
                    t.intern_str(&s.name);
                }),
                None => {
                    t.intern_str(c.str(e.name));
                }
            }
        }
    }
}

impl DepInterner for Tables {
    fn intern_str(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.str_map.get(s) {
            return id;
        }
        let id = StrId::from_usize(self.strs.len());
        let a: Arc<str> = Arc::from(s);
        self.strs.push(a.clone());
        self.str_map.insert(a, id);
        id
    }

    fn intern_evr(&mut self, evr: &Evr) -> EvrId {
        if let Some(&id) = self.evr_map.get(evr) {
            return id;
        }
        let id = EvrId::from_usize(self.evrs.len());
        self.evrs.push(evr.clone());
        self.evr_map.insert(evr.clone(), id);
        id
    }

    fn intern_node(&mut self, node: DepNode) -> DepId {
        if let Some(&id) = self.node_map.get(&node) {
            return id;
        }
        let id = DepId::from_usize(self.nodes.len());
        self.nodes.push(node);
        self.node_map.insert(node, id);
        id
    }
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
    str_map: FxHashMap<Arc<str>, StrId>,
    strs: Vec<Arc<str>>,
    evr_map: FxHashMap<Evr, EvrId>,
    /// EVR id -> EVR.
    pub(crate) evrs: Vec<Evr>,
    node_map: FxHashMap<DepNode, DepId>,
    /// Dependency id -> dependency.
    pub(crate) nodes: Vec<DepNode>,
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
}

/// The pool being built: packages are added repo by repo, in pool order
/// ([`Pool::new`] all at once; [`Pool::load`] chunk by chunk while later
/// chunks are still being parsed), then [`PoolBuilder::finish`] builds the
/// indexes.
struct PoolBuilder {
    policy: ArchPolicy,
    t: Tables,
    infos: Vec<RepoInfo>,
    data: Vec<PkgData>,
    cold: Vec<Cold>,
    cold_text: String,
    /// (package index, path) of every file, primary's in package order,
    /// then filelists' (sorted by package, stably, at the end).
    file_pairs: Vec<(u32, Text)>,
    file_text: String,
    raw_provs: Vec<Prov>,
    pre: Vec<u64>,
    rich: Vec<(u32, Dep)>,
    provs: Vec<Prov>,
    deplist: Vec<DepId>,
    /// The current repo's excludes.
    exclude: Vec<String>,
    includepkgs: Vec<String>,
    /// Index of each repo's first package.
    repo_starts: Vec<usize>,
}

impl PoolBuilder {
    fn new(policy: ArchPolicy) -> PoolBuilder {
        let mut t = Tables::default();
        t.intern_str(""); // symbol 0: the empty string (never a name)
        t.intern_evr(&Evr::default());
        PoolBuilder {
            policy,
            t,
            infos: Vec::new(),
            data: Vec::new(),
            cold: Vec::new(),
            cold_text: String::new(),
            file_pairs: Vec::new(),
            file_text: String::new(),
            raw_provs: Vec::new(),
            pre: Vec::new(),
            rich: Vec::new(),
            provs: Vec::new(),
            deplist: Vec::new(),
            exclude: Vec::new(),
            includepkgs: Vec::new(),
            repo_starts: Vec::new(),
        }
    }

    /// The packages added next come from `spec`.
    fn start_repo(&mut self, spec: &RepoSpec) {
        self.infos.push(RepoInfo {
            id: spec.id.clone(),
            baseurl: spec.baseurl.clone(),
            priority: -spec.priority,
            subpriority: -spec.cost,
        });
        self.exclude = spec.exclude.clone();
        self.includepkgs = spec.includepkgs.clone();
        self.repo_starts.push(self.data.len());
    }

    /// Interns, indexes and keeps the packages of a parsed chunk of the
    /// current repo (straight from the chunk's text: the pool keeps ids and
    /// compact text only).
    fn add_chunk(&mut self, c: &RawChunk) {
        let nprov: usize = c.pkgs.iter().map(|p| c.list(p, raw::PROVIDES).len()).sum();
        self.data.reserve(c.len());
        self.cold.reserve(c.len());
        self.provs.reserve(nprov + c.len());
        self.deplist.reserve(c.entries.len() - nprov);
        let t = &mut self.t;
        t.str_map.reserve(c.len() * 2);
        t.strs.reserve(c.len() * 2);
        t.evr_map.reserve(c.len());
        t.evr_by_hash.reserve(c.len());
        t.evrs.reserve(c.len());
        t.node_map.reserve(c.len() * 2);
        t.nodes.reserve(c.len() * 2);
        for p in &c.pkgs {
            self.add(c, p);
        }
    }

    /// Interns, indexes and keeps package `pkg` of chunk `c`.
    fn add(&mut self, c: &RawChunk, pkg: &RawPkg) {
        let t = &mut self.t;
        let (pname, parch) = (c.str(pkg.name), c.str(pkg.arch));
        let source = parch == "src" || parch == "nosrc";
        // Packages of arches that do not install here stay (dnf's name
        // queries still find them) but are never providers.
        let score = if source { 0 } else { self.policy.score(parch) };
        let excluded = if self.exclude.is_empty() && self.includepkgs.is_empty() {
            false
        } else {
            let pevr = c.evr(pkg);
            let m = |pat: &String| subject::spec_matches_parts(pat, pname, &pevr, parch);
            self.exclude.iter().any(m)
                || (!self.includepkgs.is_empty() && !self.includepkgs.iter().any(m))
        };
        let name = t.intern_str(pname);
        let arch_sym = t.intern_str(parch);
        // Strings in the order libsolv's rpm-md parser meets them.
        let sourcerpm = c.str(pkg.sourcerpm);
        let srcname_str = if source {
            pname
        } else {
            crate::package::source_name_of(sourcerpm).unwrap_or(pname)
        };
        intern_in_primary_order(t, c, pkg, srcname_str != pname);
        // Already interned (the name, or the source name just above).
        let srcname = t.intern_str(srcname_str);
        let evr = intern_evr_parts(t, pkg.epoch, c.str(pkg.ver), pkg.rel.map(|r| c.str(r)));
        let provs = &mut self.provs;
        let pstart = provs.len() as u32;
        let mut as_read = true;
        let raw_provides = c.list(pkg, raw::PROVIDES);
        for e in raw_provides {
            let pv = raw_prov(t, c, e);
            if !provs[pstart as usize..].contains(&pv) {
                provs.push(pv);
            } else {
                as_read = false;
            }
        }
        if !source {
            let selfp = Prov {
                name,
                flags: RelFlags::EQ,
                evr,
            };
            if !provs[pstart as usize..].contains(&selfp) {
                provs.push(selfp);
                as_read = false;
            }
        }
        let provides = Span {
            start: pstart,
            len: provs.len() as u32 - pstart,
        };
        // Interned as read unless a duplicate was dropped or the
        // self-provide added: then the list as read is kept aside.
        let raw_provides = if as_read {
            None
        } else {
            let start = self.raw_provs.len() as u32;
            for e in raw_provides {
                let pv = raw_prov(t, c, e);
                self.raw_provs.push(pv);
            }
            Some(Span {
                start,
                len: raw_provides.len() as u32,
            })
        };
        // The dependency lists, in PkgData order; pre-requirements and
        // rich dependencies as read are kept by position.
        let mut spans = [Span::default(); 8];
        for k in [
            raw::REQUIRES,
            raw::CONFLICTS,
            raw::OBSOLETES,
            raw::RECOMMENDS,
            raw::SUGGESTS,
            raw::SUPPLEMENTS,
            raw::ENHANCES,
        ] {
            let start = self.deplist.len() as u32;
            for e in c.list(pkg, k) {
                let at = self.deplist.len();
                if e.pre {
                    set_bit(&mut self.pre, at);
                }
                let id = match e.rich {
                    Some(i) => {
                        let d = &c.rich[i as usize];
                        self.rich.push((at as u32, d.clone()));
                        t.intern_dep(d)
                    }
                    None => raw_simple(t, c, e),
                };
                self.deplist.push(id);
            }
            spans[k] = Span {
                start,
                len: self.deplist.len() as u32 - start,
            };
        }
        self.data.push(PkgData {
            name,
            srcname,
            arch: arch_sym,
            evr,
            repo: self.infos.len() as u16 - 1,
            source,
            disabled: excluded,
            multiversion: false,
            score,
            color: arch::color(parch),
            provides,
            requires: spans[raw::REQUIRES],
            conflicts: spans[raw::CONFLICTS],
            obsoletes: spans[raw::OBSOLETES],
            recommends: spans[raw::RECOMMENDS],
            suggests: spans[raw::SUGGESTS],
            supplements: spans[raw::SUPPLEMENTS],
            enhances: spans[raw::ENHANCES],
        });
        let pkg_index = self.cold.len() as u32;
        let files_start = self.file_pairs.len() as u32;
        for f in c.files_of(pkg) {
            let text = Text::push(&mut self.file_text, f);
            self.file_pairs.push((pkg_index, text));
        }
        let ct = &mut self.cold_text;
        self.cold.push(Cold {
            sourcerpm: Text::push(ct, sourcerpm),
            summary: Text::push(ct, c.str(pkg.summary)),
            location: Text::push(ct, c.str(pkg.location)),
            checksum: pkg.checksum.map(|x| Text::push(ct, c.str(x))),
            size: pkg.size,
            // Filled in by `finish` (filelists add files later).
            files: Span {
                start: files_start,
                len: 0,
            },
            raw_provides,
        });
    }
}

/// The id of an EVR given by parts.
fn intern_evr_parts(t: &mut Tables, epoch: u32, ver: &str, rel: Option<&str>) -> EvrId {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (epoch, ver, rel).hash(&mut h);
    let h = h.finish();
    if let Some(&id) = t.evr_by_hash.get(&h) {
        let e = &t.evrs[id.to_usize()];
        if e.epoch == epoch && e.version == ver && e.release.as_deref() == rel {
            return id;
        }
    }
    // Not seen through this map (or another EVR with the same hash):
    // the EVR table decides, so ids stay those of first appearance.
    let id = t.intern_evr(&Evr {
        epoch,
        version: ver.to_string(),
        release: rel.map(str::to_string),
    });
    t.evr_by_hash.entry(h).or_insert(id);
    id
}

/// The provide of a (simple) entry.
fn raw_prov(t: &mut Tables, c: &RawChunk, e: &RawEntry) -> Prov {
    let name = t.intern_str(c.str(e.name));
    match &e.range {
        None => Prov {
            name,
            flags: RelFlags::ANY,
            evr: EvrId::default(),
        },
        Some(r) => Prov {
            name,
            flags: RelFlags::of_cmp(r.cmp),
            evr: intern_evr_parts(t, r.epoch, c.str(r.ver), r.rel.map(|x| c.str(x))),
        },
    }
}

/// The dependency id of a simple entry.
fn raw_simple(t: &mut Tables, c: &RawChunk, e: &RawEntry) -> DepId {
    let p = raw_prov(t, c, e);
    t.intern_node(DepNode::Simple {
        name: p.name,
        flags: p.flags,
        evr: p.evr,
    })
}

/// Sets bit `i` of a bitset.
fn set_bit(bits: &mut Vec<u64>, i: usize) {
    if bits.len() <= i / 64 {
        bits.resize(i / 64 + 1, 0);
    }
    bits[i / 64] |= 1 << (i % 64);
}

/// The comparison of relation flags (those of an rpm operator).
fn cmp_of_flags(f: RelFlags) -> Option<Cmp> {
    [Cmp::Lt, Cmp::Le, Cmp::Eq, Cmp::Ge, Cmp::Gt]
        .into_iter()
        .find(|&c| RelFlags::of_cmp(c) == f)
}

impl RepoSink for PoolBuilder {
    fn repo(&mut self, spec: &RepoSpec) {
        self.start_repo(spec);
    }

    fn packages(&mut self, pkgs: RawChunk) {
        self.add_chunk(&pkgs);
    }

    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>> {
        let t = &self.t;
        let key = |i: usize| {
            let (d, c) = (&self.data[i], &self.cold[i]);
            FileKey {
                checksum: c.checksum.map(|x| x.get(&self.cold_text)),
                name: &t.strs[d.name.to_usize()],
                arch: &t.strs[d.arch.to_usize()],
                evr: &t.evrs[d.evr.to_usize()],
            }
        };
        let mut ends: Vec<usize> = self.repo_starts.iter().skip(1).copied().collect();
        ends.push(self.data.len());
        self.repo_starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| (start..end).map(key).collect())
            .collect()
    }

    fn add_files(&mut self, repo: usize, files: Vec<(usize, String)>) {
        let start = self.repo_starts[repo];
        for (i, path) in files {
            let text = Text::push(&mut self.file_text, &path);
            self.file_pairs.push(((start + i) as u32, text));
        }
    }
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
    pub fn load(arch: &str, specs: &[RepoSpec], opts: &LoadOptions) -> Result<Pool> {
        let mut b = PoolBuilder::new(ArchPolicy::new(arch)?);
        rpmmd::load_repos_into(specs, opts, &mut b)?;
        Ok(b.finish())
    }
}

impl PoolBuilder {
    /// Builds the indexes of the packages added.
    fn finish(self) -> Pool {
        let PoolBuilder {
            policy,
            mut t,
            infos,
            data,
            mut cold,
            cold_text,
            mut file_pairs,
            file_text,
            raw_provs,
            mut pre,
            rich,
            provs,
            deplist,
            ..
        } = self;
        // Files: primary's came in package order, filelists' after them.
        file_pairs.sort_by_key(|&(i, _)| i);
        let mut files = Vec::with_capacity(file_pairs.len());
        for (k, &(i, text)) in file_pairs.iter().enumerate() {
            let f = &mut cold[i as usize].files;
            if f.len == 0 {
                f.start = k as u32;
            }
            f.len += 1;
            files.push(text);
        }
        drop(file_pairs);
        pre.resize(deplist.len().div_ceil(64), 0);
        for name in INSTALLONLY_PROVIDES {
            t.intern_str(name);
        }

        // Paths named by dependencies get file-owner providers.
        let nsyms = t.strs.len();
        let mut indexed_paths = vec![false; nsyms];
        for node in &t.nodes {
            if let DepNode::Simple { name, .. } = node {
                if t.strs[name.to_usize()].starts_with('/') {
                    indexed_paths[name.to_usize()] = true;
                }
            }
        }

        // name -> providers: counting pass, then fill in solvable id order.
        // Two passes (count, then fill) over (solvable, symbol) pairs in
        // solvable order, so every list comes out sorted and unique.
        let mut file_syms: Vec<(SolvableId, StrId)> = Vec::new();
        for (i, d) in data.iter().enumerate() {
            if d.source || d.score == 0 {
                continue;
            }
            for f in &files[cold[i].files.range()] {
                if let Some(&sym) = t.str_map.get(f.get(&file_text)) {
                    if indexed_paths[sym.to_usize()] {
                        file_syms.push((SolvableId::of_index(i), sym));
                    }
                }
            }
        }
        let mut last = vec![SolvableId::NONE; nsyms];
        let mut count = vec![0u32; nsyms + 1];
        let mut fi = 0;
        let mut each_pair = |f: &mut dyn FnMut(SolvableId, StrId)| {
            fi = 0;
            for (i, d) in data.iter().enumerate() {
                if d.source || d.score == 0 {
                    continue;
                }
                let sid = SolvableId::of_index(i);
                for pv in &provs[d.provides.range()] {
                    f(sid, pv.name);
                }
                while fi < file_syms.len() && file_syms[fi].0 == sid {
                    f(sid, file_syms[fi].1);
                    fi += 1;
                }
            }
        };
        each_pair(&mut |sid, sym| {
            if last[sym.to_usize()] != sid {
                last[sym.to_usize()] = sid;
                count[sym.to_usize() + 1] += 1;
            }
        });
        for k in 0..nsyms {
            count[k + 1] += count[k];
        }
        let mut name_wp_data = vec![SolvableId::NONE; count[nsyms] as usize];
        let mut fill: Vec<u32> = count[..nsyms].to_vec();
        last.iter_mut().for_each(|x| *x = SolvableId::NONE);
        each_pair(&mut |sid, sym| {
            let k = sym.to_usize();
            if last[k] != sid {
                last[k] = sid;
                name_wp_data[fill[k] as usize] = sid;
                fill[k] += 1;
            }
        });
        let name_wp: Vec<Span> = (0..nsyms)
            .map(|k| Span {
                start: count[k],
                len: count[k + 1] - count[k],
            })
            .collect();

        let mut sources_by_name: FxHashMap<StrId, Vec<PkgId>> = FxHashMap::default();
        let mut binaries_by_name: FxHashMap<StrId, Vec<SolvableId>> = FxHashMap::default();
        for (i, d) in data.iter().enumerate() {
            if d.source {
                if !d.disabled {
                    sources_by_name
                        .entry(d.name)
                        .or_default()
                        .push(PkgId::from_usize(i));
                }
            } else {
                binaries_by_name
                    .entry(d.name)
                    .or_default()
                    .push(SolvableId::of_index(i));
            }
        }

        let mut pool = Pool {
            arch: policy,
            repos: infos,
            data,
            cold,
            cold_text,
            files,
            file_text,
            raw_provs,
            pre,
            rich,
            str_map: t.str_map,
            strs: t.strs,
            evr_map: t.evr_map,
            evrs: t.evrs,
            node_map: t.node_map,
            nodes: t.nodes,
            provs,
            deplist,
            name_wp,
            name_wp_data,
            dep_wp: Vec::new(),
            dep_wp_data: Vec::new(),
            file_cache: Mutex::new(FxHashMap::default()),
            sources_by_name,
            binaries_by_name,
            complex: Vec::new(),
            obsoleters: FxHashMap::default(),
        };
        let complex: Vec<bool> = (0..pool.nodes.len())
            .map(|i| pool.is_complex(DepId::from_usize(i)))
            .collect();
        pool.complex = complex;
        let mut obsoleters: FxHashMap<StrId, Vec<SolvableId>> = FxHashMap::default();
        for (i, d) in pool.data.iter().enumerate() {
            let sid = SolvableId::of_index(i);
            for &obs in pool.deps_of(d.obsoletes) {
                if let DepNode::Simple { name, .. } = pool.nodes[obs.to_usize()] {
                    let l = obsoleters.entry(name).or_default();
                    if l.last() != Some(&sid) {
                        l.push(sid);
                    }
                }
            }
        }
        pool.obsoleters = obsoleters;

        // Multiversion (installonly) packages.
        for name in INSTALLONLY_PROVIDES {
            if let Some(sym) = pool.sym(name) {
                let sids: Vec<SolvableId> = pool.name_providers(sym).into_owned();
                for sid in sids {
                    pool.data[sid.package().to_usize()].multiversion = true;
                }
            }
        }

        // Providers of every interned dependency (operands come first).
        let mut wp = Vec::with_capacity(pool.nodes.len());
        let mut wp_data = Vec::new();
        for i in 0..pool.nodes.len() {
            let node = pool.nodes[i];
            let view = Building {
                pool: &pool,
                wp: &wp,
                wp_data: &wp_data,
            };
            let l = compute_providers(&view, node);
            let start = wp_data.len() as u32;
            wp_data.extend_from_slice(&l);
            wp.push(Span {
                start,
                len: l.len() as u32,
            });
        }
        pool.dep_wp = wp;
        pool.dep_wp_data = wp_data;

        let mut sources = std::mem::take(&mut pool.sources_by_name);
        for ids in sources.values_mut() {
            ids.sort_by(|&a, &b| {
                let (da, db) = (&pool.data[a.to_usize()], &pool.data[b.to_usize()]);
                let (pa, pb) = (
                    pool.repos[da.repo as usize].priority,
                    pool.repos[db.repo as usize].priority,
                );
                pb.cmp(&pa)
                    .then_with(|| {
                        pool.evrs[db.evr.to_usize()].cmp_newest(&pool.evrs[da.evr.to_usize()])
                    })
                    .then_with(|| a.cmp(&b))
            });
        }
        pool.sources_by_name = sources;
        if std::env::var_os("POOL_STATS").is_some() {
            use std::mem::size_of;
            let strbytes: usize = pool.strs.iter().map(|s| s.len() + 16).sum();
            let evrbytes: usize = pool
                .evrs
                .iter()
                .map(|e| e.version.capacity() + e.release.as_ref().map_or(0, |r| r.capacity()))
                .sum();
            eprintln!("STATS data={} cold={} cold_text={} files={} file_text={} raw_provs={} rich={} strs={}x{} strbytes={} str_map={} evrs={} evrbytes={} evr_map={} nodes={} node_map={} provs={} deplist={} name_wp={} name_wp_data={} dep_wp={} dep_wp_data={} complex={} binmap={}",
                pool.data.capacity()*size_of::<PkgData>(), pool.cold.capacity()*size_of::<Cold>(), pool.cold_text.capacity(), pool.files.capacity()*size_of::<Text>(), pool.file_text.capacity(), pool.raw_provs.len()*12, pool.rich.len(),
                pool.strs.len(), size_of::<Arc<str>>(), strbytes, pool.str_map.capacity()*32, pool.evrs.capacity()*size_of::<Evr>(), evrbytes, pool.evr_map.capacity()*(size_of::<Evr>()+8),
                pool.nodes.capacity()*size_of::<DepNode>(), pool.node_map.capacity()*(size_of::<DepNode>()+8), pool.provs.capacity()*size_of::<Prov>(), pool.deplist.capacity()*4,
                pool.name_wp.capacity()*8, pool.name_wp_data.capacity()*4, pool.dep_wp.capacity()*8, pool.dep_wp_data.capacity()*4, pool.complex.capacity(), pool.binaries_by_name.len());
        }
        pool
    }
}

impl Pool {
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
                .map(|i| match self.dep_at(i) {
                    Dep::Simple(s) => s,
                    _ => unreachable!("obsoletes are simple dependencies"),
                })
                .collect(),
            recommends: deps(d.recommends),
            suggests: deps(d.suggests),
            supplements: deps(d.supplements),
            enhances: deps(d.enhances),
            files: self.files(id).map(str::to_string).collect(),
            location: c.location.get(ct).to_string(),
            checksum: c.checksum.map(|x| x.get(ct).to_string()),
            size: c.size,
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
        self.simple_dep(p.name, p.flags, p.evr)
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

    /// The id of the repo (`RepoSpec::id`) a package came from.
    pub fn repo_id(&self, id: PkgId) -> &str {
        &self.repos[self.data[id.to_usize()].repo as usize].id
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

    /// Whether the package was excluded (`exclude=` / `includepkgs=`).
    pub fn is_excluded(&self, id: PkgId) -> bool {
        self.data[id.to_usize()].disabled
    }

    /// Whether the package can be installed (a binary that is not excluded).
    pub fn is_installable(&self, id: PkgId) -> bool {
        let d = &self.data[id.to_usize()];
        !d.source && !d.disabled && d.score != 0
    }

    /// Source packages named `name` (excludes applied), best first: highest
    /// repo priority, then highest EVR.
    pub fn sources_named(&self, name: &str) -> Vec<PkgId> {
        self.sym(name)
            .and_then(|s| self.sources_by_name.get(&s))
            .cloned()
            .unwrap_or_default()
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
        self.str_map.get(s).copied()
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
        self.evr_map.get(evr).copied()
    }

    /// The id of a dependency, if the pool knows it.
    pub(crate) fn node_id(&self, node: &DepNode) -> Option<DepId> {
        self.node_map.get(node).copied()
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

/// The pool while dependency providers are being computed: operands' lists
/// come from the partial tables.
struct Building<'a> {
    pool: &'a Pool,
    wp: &'a [Span],
    wp_data: &'a [SolvableId],
}

impl DepAccess for Building<'_> {
    fn sym_str(&self, sym: StrId) -> &str {
        self.pool.sym_str(sym)
    }
    fn evr(&self, id: EvrId) -> &Evr {
        self.pool.evr(id)
    }
    fn node(&self, dep: DepId) -> DepNode {
        self.pool.node(dep)
    }
    fn name_providers(&self, sym: StrId) -> Cow<'_, [SolvableId]> {
        self.pool.name_providers(sym)
    }
    fn dep_providers(&self, dep: DepId) -> Cow<'_, [SolvableId]> {
        Cow::Borrowed(&self.wp_data[self.wp[dep.to_usize()].range()])
    }
    fn provides_of(&self, sid: SolvableId) -> &[Prov] {
        self.pool.provides_of(sid)
    }
    fn owns_file(&self, sid: SolvableId, path: StrId) -> bool {
        self.pool.owns_file(sid, path)
    }
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
