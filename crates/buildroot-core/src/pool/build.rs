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

use std::borrow::Cow;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::deps::compute_providers;
use super::tables::{ChunkIds, Tables};
use super::{
    subject, Cold, DepAccess, DepId, DepInterner, DepNode, EvrId, PkgData, PkgId, Pool, Prov,
    RelFlags, RepoInfo, SolvableId, Span, StrId, Text, INSTALLONLY_PROVIDES,
};
use crate::arch::{self, ArchPolicy};
use crate::dep::Dep;
use crate::evr::Evr;
use crate::rpmmd::raw::{self, RawChunk, RawDep, RawPkg};
use crate::rpmmd::{ChunkHook, FileKey, RepoSink, RepoSpec};

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

impl PoolBuilder {
    /// Builds the indexes of the packages added.
    pub(super) fn finish(self) -> Pool {
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
            rich_provs,
            provs,
            deplist,
            filters,
            ..
        } = self;
        // The parsing threads are gone: lookups without locks from here on.
        t.freeze();
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
        for node in t.nodes.iter() {
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
                if let Some(sym) = t.strs.get(f.get(&file_text)) {
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
            rich_provs,
            strs: t.strs,
            evrs: t.evrs,
            nodes: t.nodes,
            provs,
            deplist,
            name_wp,
            name_wp_data,
            dep_wp: Vec::new(),
            dep_wp_data: Vec::new(),
            file_cache: Mutex::new(FxHashMap::default()),
            sources_by_name: FxHashMap::default(),
            binaries_by_name: FxHashMap::default(),
            complex: Vec::new(),
            obsoleters: FxHashMap::default(),
            from_cache: false,
        };
        apply_repo_filters(&mut pool, &filters);
        let complex: Vec<bool> = (0..pool.nodes.len())
            .map(|i| pool.is_complex(DepId::from_usize(i)))
            .collect();
        pool.complex = complex;
        // A rich obsolete (`(p or q)`) under every name in it: the index
        // only narrows the search, each use matches the package's NEVR.
        let mut obsoleters: FxHashMap<StrId, Vec<SolvableId>> = FxHashMap::default();
        let mut names = Vec::new();
        for (i, d) in pool.data.iter().enumerate() {
            let sid = SolvableId::of_index(i);
            for &obs in pool.deps_of(d.obsoletes) {
                names.clear();
                leaf_names(&pool, obs, &mut names);
                for &name in &names {
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
        // Simple ones need only the name providers: they are computed on
        // every core first (the parsers are done by now); rich ones then
        // in order, from their operands'.
        // Meanwhile the name indexes are built (the parsers are done:
        // both cores are free).
        let (simple, (sources_by_name, binaries_by_name)) = rayon::join(
            || {
                use rayon::prelude::*;
                let view = Building {
                    pool: &pool,
                    wp: &[],
                    wp_data: &[],
                };
                pool.nodes
                    .par_iter()
                    .with_min_len(1024)
                    .map(|&node| {
                        matches!(node, DepNode::Simple { .. })
                            .then(|| compute_providers(&view, node))
                    })
                    .collect::<Vec<Option<Vec<SolvableId>>>>()
            },
            || names_index(&pool.data),
        );
        pool.binaries_by_name = binaries_by_name;
        let mut wp = Vec::with_capacity(pool.nodes.len());
        let mut wp_data = Vec::new();
        for (i, simple) in simple.into_iter().enumerate() {
            let node = pool.nodes[i];
            let view = Building {
                pool: &pool,
                wp: &wp,
                wp_data: &wp_data,
            };
            let l = simple.unwrap_or_else(|| compute_providers(&view, node));
            let start = wp_data.len() as u32;
            wp_data.extend_from_slice(&l);
            wp.push(Span {
                start,
                len: l.len() as u32,
            });
        }
        pool.dep_wp = wp;
        pool.dep_wp_data = wp_data;

        let mut sources = sources_by_name;
        for ids in sources.values_mut() {
            ids.sort_by(|&a, &b| {
                let (da, db) = (&pool.data[a.to_usize()], &pool.data[b.to_usize()]);
                let (ra, rb) = (&pool.repos[da.repo as usize], &pool.repos[db.repo as usize]);
                (rb.command_line, rb.priority)
                    .cmp(&(ra.command_line, ra.priority))
                    .then_with(|| {
                        pool.evrs[db.evr.to_usize()].cmp_newest(&pool.evrs[da.evr.to_usize()])
                    })
                    .then_with(|| a.cmp(&b))
            });
        }
        pool.sources_by_name = sources;
        pool
    }
}

/// The names of the simple dependencies in `dep`, left to right.
fn leaf_names(pool: &Pool, dep: DepId, out: &mut Vec<StrId>) {
    match pool.nodes[dep.to_usize()] {
        DepNode::Simple { name, .. } => out.push(name),
        DepNode::And(a, b)
        | DepNode::Or(a, b)
        | DepNode::With(a, b)
        | DepNode::Without(a, b)
        | DepNode::Cond(a, b)
        | DepNode::Unless(a, b) => {
            leaf_names(pool, a, out);
            leaf_names(pool, b, out);
        }
        DepNode::CondElse(a, b, c) | DepNode::UnlessElse(a, b, c) => {
            for o in [a, b, c] {
                leaf_names(pool, o, out);
            }
        }
    }
}

/// A repo's `exclude=` and `includepkgs=` patterns.
struct RepoFilter {
    repo: u16,
    exclude: Vec<String>,
    include: Vec<String>,
}

/// dnf's `_setup_excludes_includes`: each pattern selects packages of the
/// whole sack ([`subject::Sack::best_query`]: every repo read, not the
/// command-line packages, which dnf adds later), and those of its repo are
/// excluded; a repo with includes keeps only what they select. Excluded
/// packages are disabled.
fn apply_repo_filters(pool: &mut Pool, filters: &[RepoFilter]) {
    if filters.is_empty() {
        return;
    }
    let in_sack: Vec<usize> = (0..pool.data.len())
        .filter(|&i| !pool.repos[pool.data[i].repo as usize].command_line)
        .collect();
    let mut disable = Vec::new();
    {
        let str_of = |id: StrId| &*pool.strs[id.to_usize()];
        let sack = subject::Sack::new(
            in_sack
                .iter()
                .map(|&i| {
                    let d = &pool.data[i];
                    (str_of(d.name), &pool.evrs[d.evr.to_usize()], str_of(d.arch))
                })
                .collect(),
        );
        for f in filters {
            let of_repo = |k: &usize| pool.data[in_sack[*k]].repo == f.repo;
            for pattern in &f.exclude {
                disable.extend(sack.best_query(pattern).iter().filter(|k| of_repo(k)));
            }
            if !f.include.is_empty() {
                let mut keep = vec![false; in_sack.len()];
                for pattern in &f.include {
                    sack.best_query(pattern)
                        .into_iter()
                        .for_each(|k| keep[k] = true);
                }
                disable.extend((0..in_sack.len()).filter(|k| of_repo(k) && !keep[*k]));
            }
        }
    }
    for k in disable {
        pool.data[in_sack[k]].disabled = true;
    }
}

/// Sources by name (enabled ones) and binaries by name (all), in pool order.
#[allow(clippy::type_complexity)]
fn names_index(
    data: &[PkgData],
) -> (
    FxHashMap<StrId, Vec<PkgId>>,
    FxHashMap<StrId, Vec<SolvableId>>,
) {
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
    (sources_by_name, binaries_by_name)
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
