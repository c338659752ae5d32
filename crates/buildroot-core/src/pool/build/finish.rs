//! The pool's indexes, built once every package is in ([`PoolBuilder::finish`]):
//! providers by name, file owners for the paths dependencies name, and the
//! providers of every interned dependency (libsolv's
//! `pool_createwhatprovides` in poolwhatprovides.c, with the file provides
//! of `pool_addfileprovides` in fileprovides.c), then the obsoleters,
//! installonly and name indexes the solver and the tools look up.

use std::borrow::Cow;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::filters::apply_repo_filters;
use super::PoolBuilder;
use crate::evr::Evr;
use crate::pool::deps::compute_providers;
use crate::pool::{
    DepAccess, DepId, DepInterner, DepNode, EvrId, PkgData, PkgId, Pool, Prov, SolvableId, Span,
    StrId, INSTALLONLY_PROVIDES,
};

impl PoolBuilder {
    /// Builds the indexes of the packages added.
    pub(in crate::pool) fn finish(self) -> Pool {
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
