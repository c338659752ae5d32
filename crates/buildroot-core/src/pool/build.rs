//! Building a [`Pool`]: packages are interned repo by repo, chunk by chunk
//! of primary.xml, in pool order (libsolv's `repo_add_rpmmd` interns as it
//! reads; so do we, which keeps string ids in libsolv's order), then
//! [`PoolBuilder::finish`] builds the provider indexes (libsolv's
//! `pool_createwhatprovides` and `pool_addfileprovides`).
//!
//! A chunk arrives with its distinct strings, EVRs and simple dependencies
//! already found and hashed on its parsing thread (`rpmmd::raw`), and those
//! the pool had then already with their ids (`tables.rs`); the builder maps
//! the others to pool ids the first time the chunk uses each, in the order
//! the packages name them, so the ids are those of interning every
//! occurrence one by one.
//!
//! This file adds the packages; `build/finish.rs` builds the indexes once
//! they are all in, `build/filters.rs` applies the repos' excludes.

mod filters;
mod finish;

use rustc_hash::FxHashMap;

use super::tables::{ChunkIds, Tables};
use super::{Cold, DepId, DepInterner, EvrId, PkgData, Prov, RelFlags, RepoInfo, Span, Text};
use crate::arch::{self, ArchPolicy};
use crate::dep::Dep;
use crate::evr::Evr;
use crate::rpmmd::raw::{self, RawChunk, RawDep, RawPkg};
use crate::rpmmd::{ChunkHook, FileKey, RepoSink, RepoSpec};
use filters::RepoFilter;

/// Interns a package's strings in the order libsolv's rpm-md parser meets
/// them in `primary.xml` (after name and arch: the source name when it
/// differs, then provides, requires, conflicts, obsoletes, suggests,
/// enhances, recommends, supplements, rich dependencies left to right).
/// Symbol ids then follow libsolv's string ids, and libdnf orders the jobs
/// of a glob (`_name_dict`) and `sort_by_common_dep` orders provides by them.
/// (libsolv also interns directory names of file lists, which only matters
/// for a name first seen as a directory; not modelled.)
fn intern_in_primary_order(t: &mut Tables, ids: &mut ChunkIds, c: &RawChunk, pkg: &RawPkg) {
    if pkg.srcname != pkg.name {
        ids.str(t, c, pkg.srcname);
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
            match e.dep {
                RawDep::Rich(i) => c.rich[i as usize].for_each_leaf(&mut |s| {
                    t.intern_str(&s.name);
                }),
                RawDep::Simple(i) => {
                    ids.str(t, c, c.nodes[i as usize].name);
                }
            }
        }
    }
}

/// The pool being built: packages are added repo by repo, in pool order
/// ([`Pool::new`] all at once; [`Pool::load`] chunk by chunk while later
/// chunks are still being parsed), then [`PoolBuilder::finish`] builds the
/// indexes.
pub(super) struct PoolBuilder {
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
    /// Rich provides as read, each once, and their indexes.
    rich_provs: Vec<Dep>,
    rich_prov_ids: FxHashMap<Dep, u32>,
    provs: Vec<Prov>,
    deplist: Vec<DepId>,
    /// The repos' `exclude=` and `includepkgs=`, applied when all are
    /// read (dnf chooses what a pattern means from the whole sack).
    filters: Vec<RepoFilter>,
    /// Index of each repo's first package.
    repo_starts: Vec<usize>,
    /// The pool ids of the current chunk's values.
    ids: ChunkIds,
}

impl PoolBuilder {
    pub(super) fn new(policy: ArchPolicy) -> PoolBuilder {
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
            rich_provs: Vec::new(),
            rich_prov_ids: FxHashMap::default(),
            provs: Vec::new(),
            deplist: Vec::new(),
            filters: Vec::new(),
            repo_starts: Vec::new(),
            ids: ChunkIds::default(),
        }
    }

    /// The packages added next come from `spec`.
    pub(super) fn start_repo(&mut self, spec: &RepoSpec) {
        self.infos.push(RepoInfo {
            id: spec.id.clone(),
            baseurl: spec.baseurl.clone(),
            mirrors: spec.package_mirrors(),
            priority: -spec.priority,
            subpriority: -spec.cost,
            access: spec.access.clone(),
            command_line: false,
        });
        if !spec.exclude.is_empty() || !spec.includepkgs.is_empty() {
            self.filters.push(RepoFilter {
                repo: self.infos.len() as u16 - 1,
                exclude: spec.exclude.clone(),
                include: spec.includepkgs.clone(),
            });
        }
        self.repo_starts.push(self.data.len());
    }

    /// The packages added next were given as files ([`super::COMMAND_LINE_REPO`]:
    /// no excludes, no priority of its own).
    pub(super) fn start_command_line(&mut self) {
        self.start_repo(&RepoSpec::new(super::COMMAND_LINE_REPO, ""));
        if let Some(info) = self.infos.last_mut() {
            info.command_line = true;
        }
    }

    /// Interns, indexes and keeps the packages of a parsed chunk of the
    /// current repo (straight from the chunk's text: the pool keeps ids and
    /// compact text only).
    pub(super) fn add_chunk(&mut self, c: &RawChunk) {
        let nprov: usize = c.pkgs.iter().map(|p| c.list(p, raw::PROVIDES).len()).sum();
        // The first chunk of a repo knows how many packages the repo
        // declares: the tables are sized once for all of them, from this
        // chunk's averages (growing them by doubling copied and faulted in
        // ≈2× their final size).
        // The first repo's first chunk sizes them for twice its packages:
        // the repos after it (the source repo of a binary one: ≈0.35× its
        // packages in Fedora, ≈0.55× in the Debian bench data) then fit
        // too, where growing at their first chunk copied the vectors the
        // pool had filled (its 11.5 MB of summaries and locations among
        // them, on the bench data: 9% of the parsed load's page faults,
        // 5-9 MB of its peak RSS). Capacity never written costs address
        // space, not memory: its pages are faulted in when first written.
        let headroom = if self.data.is_empty() { 2 } else { 1 };
        let (n, scale) = match c.declared {
            Some(n) if n > c.len() && !c.is_empty() => {
                (n * headroom, (n * headroom) as f64 / c.len() as f64 * 1.05)
            }
            _ => (c.len(), 1.0),
        };
        let grow = |k: usize| (k as f64 * scale) as usize;
        self.data.reserve(n);
        self.cold.reserve(n);
        self.provs.reserve(grow(nprov + c.len()));
        self.deplist.reserve(grow(c.entries.len() - nprov));
        self.cold_text.reserve(grow(
            c.pkgs
                .iter()
                .map(|p| p.sourcerpm.len + p.summary.len + p.location.len + 64)
                .sum::<u32>() as usize,
        ));
        // The tables too, at ratios of distinct values per package seen in
        // Fedora and Debian metadata (≈1.2 strings, ≈0.5 EVRs and ≈1.2
        // dependencies per package): rehashing them as they grow was a
        // tenth of the builder's time.
        let t = &mut self.t;
        let m = if c.declared.is_some() { n } else { 0 };
        t.strs.reserve(c.strs.len().max(m + m / 4));
        t.evrs.reserve(c.evrs.len().max(m / 2));
        t.nodes.reserve(c.nodes.len().max(m + m / 4));
        let mut ids = std::mem::take(&mut self.ids);
        ids.reset(c);
        for p in &c.pkgs {
            self.add(c, &mut ids, p);
        }
        self.ids = ids;
    }

    /// Interns, indexes and keeps package `pkg` of chunk `c`.
    fn add(&mut self, c: &RawChunk, ids: &mut ChunkIds, pkg: &RawPkg) {
        let t = &mut self.t;
        let parch = c.arch(pkg);
        let source = parch == "src" || parch == "nosrc";
        // Packages of arches that do not install here stay (dnf's name
        // queries still find them) but are never providers.
        let score = if source { 0 } else { self.policy.score(parch) };
        let name = ids.str(t, c, pkg.name);
        let arch_sym = ids.str(t, c, pkg.arch);
        // Strings in the order libsolv's rpm-md parser meets them.
        intern_in_primary_order(t, ids, c, pkg);
        // Already interned (the name, or the source name just above).
        let srcname = ids.str(t, c, pkg.srcname);
        let evr = ids.evr(t, c, pkg.evr);
        let provs = &mut self.provs;
        let pstart = provs.len() as u32;
        let mut as_read = true;
        let raw_provides = c.list(pkg, raw::PROVIDES);
        let mut rich = RichProvs {
            deps: &mut self.rich_provs,
            ids: &mut self.rich_prov_ids,
        };
        for e in raw_provides {
            let pv = rich.prov(t, ids, c, e.dep);
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
                let pv = rich.prov(t, ids, c, e.dep);
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
                let id = match e.dep {
                    RawDep::Rich(i) => {
                        let d = &c.rich[i as usize];
                        self.rich.push((at as u32, d.clone()));
                        t.intern_dep(d)
                    }
                    RawDep::Simple(i) => ids.node(t, c, i),
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
            disabled: false,
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
            sourcerpm: Text::push(ct, c.str(pkg.sourcerpm)),
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

/// The pool's rich provides while it is built: each dependency once.
struct RichProvs<'a> {
    deps: &'a mut Vec<Dep>,
    ids: &'a mut FxHashMap<Dep, u32>,
}

impl RichProvs<'_> {
    /// The provide of an entry of provides. A rich one is listed under its
    /// leftmost name (libsolv's whatprovides follows a relation's name
    /// down), as [`RelFlags::RICH`]: it meets unversioned requirements of
    /// that name only.
    #[inline]
    fn prov(&mut self, t: &mut Tables, ids: &mut ChunkIds, c: &RawChunk, d: RawDep) -> Prov {
        match d {
            RawDep::Simple(i) => ids.prov(t, c, i),
            RawDep::Rich(i) => self.rich(t, &c.rich[i as usize]),
        }
    }

    /// The provide of a rich entry (rare: kept off the simple path).
    #[cold]
    #[inline(never)]
    fn rich(&mut self, t: &mut Tables, dep: &Dep) -> Prov {
        if let Dep::Simple(s) = dep {
            // `(a >= 2)`: libsolv reads a simple provide.
            let (name, flags, evr) = t.intern_simple_parts(s);
            return Prov { name, flags, evr };
        }
        let next = self.deps.len() as u32;
        let k = *self.ids.entry(dep.clone()).or_insert(next);
        if k == next {
            self.deps.push(dep.clone());
        }
        Prov {
            name: t.intern_str(&dep.leftmost().name),
            flags: RelFlags::RICH,
            evr: EvrId::from_usize(k as usize),
        }
    }
}

/// Sets bit `i` of a bitset.
fn set_bit(bits: &mut Vec<u64>, i: usize) {
    if bits.len() <= i / 64 {
        bits.resize(i / 64 + 1, 0);
    }
    bits[i / 64] |= 1 << (i % 64);
}

impl RepoSink for PoolBuilder {
    fn repo(&mut self, spec: &RepoSpec) {
        self.start_repo(spec);
    }

    fn on_parsed(&self) -> Option<ChunkHook> {
        self.t.hook()
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

    fn restart(&mut self) {
        *self = PoolBuilder::new(self.policy.clone());
    }
}
