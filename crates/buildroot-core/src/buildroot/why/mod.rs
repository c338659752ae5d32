//! `--why NAME`: the chain that brings a binary into the buildroot, e.g.
//! `nasm <- BuildRequires of libjpeg-turbo <- libjpeg-turbo built because
//! libjpeg-turbo-devel <- BuildRequires of hello (input)`. The shortest chain
//! is shown: of the transactions of the earliest layer that install the
//! binary, the one whose chain has the fewest steps (then the first source
//! in name order).
//! [`why_all`] gives the chain of every binary of the buildroot at once
//! (each transaction's reasons computed once), for the output directory's
//! `buildroot-why.json` and the workflow's change report. [`explain()`] is
//! the whole answer to `--why QUERY`: the query reduced to a name (and the
//! arch it gives: a multilib buildroot holds `glibc.i686` and
//! `glibc.x86_64`) as input lines are, a note when the buildroot has
//! another version or arch than asked, and for a query that is no binary of
//! the buildroot, what it is instead.
//!
//! This file holds the chain search and the chain's text; [`explain()`]'s
//! reading of a query and its notes are in [`mod@explain`].

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{Buildroot, Origin, SourceRecord};
use crate::pool::PkgId;
use crate::solver::{Reason, Solution};

pub use explain::{explain, FailedBuild, WhyAnswer};

mod explain;
mod split;

/// The chain for binary `name`, or None when it is not in the buildroot.
pub fn why(br: &Buildroot<'_>, name: &str) -> Option<String> {
    Why::new(br).why(name, None).map(|(_, chain)| chain.plain)
}

/// The chain of every binary name of the buildroot, as [`why_steps`] gives
/// it.
/// A multilib buildroot (`glibc.x86_64` and `glibc.i686`) keeps the name's
/// entry for the package `--why NAME` answers about, and adds one keyed
/// `NAME.ARCH` for each package of another arch, its own chain: readers
/// that look names up see what they always saw.
pub fn why_all(br: &Buildroot<'_>) -> BTreeMap<String, Vec<String>> {
    let pool = br.pool;
    let mut w = Why::new(br);
    w.choose_all();
    let mut out = BTreeMap::new();
    for name in br.binaries() {
        let Some((p, c)) = w.why(&name, None) else {
            continue;
        };
        for arch in w.arches_of(&name) {
            if arch != pool.arch_of(p) {
                if let Some((_, c)) = w.why(&name, Some(arch)) {
                    out.insert(format!("{name}.{arch}"), chain_steps(&c.plain));
                }
            }
        }
        out.insert(name, chain_steps(&c.plain));
    }
    out
}

/// A chain's text: `plain` names each package by its name (the steps of
/// `buildroot-why.json` and `--json`, and what chains are compared by), and
/// `shown`, kept only when [`Why::by_arch`] asks for it, the same chain
/// with each package written `NAME.ARCH`: the line `--why` prints when the
/// query gave an arch or the buildroot holds the name for several arches
/// (multilib), where a bare `glibc` would not say which glibc a step is.
/// Both are built together so that the choice between chains stays the
/// one the plain text makes (the arch suffix would reorder ties).
#[derive(Clone, Debug)]
struct Text {
    plain: String,
    shown: Option<String>,
}

impl Text {
    fn new(by_arch: bool) -> Self {
        Text {
            plain: String::new(),
            shown: by_arch.then(String::new),
        }
    }

    /// Words that are the same in both texts.
    fn push(&mut self, s: &str) {
        self.plain.push_str(s);
        if let Some(t) = &mut self.shown {
            t.push_str(s);
        }
    }

    /// Package `p`: its name, and in `shown` its name and arch.
    fn push_package(&mut self, pool: &crate::pool::Pool, p: PkgId) {
        self.plain.push_str(pool.name_of(p));
        if let Some(t) = &mut self.shown {
            t.push_str(&format!("{}.{}", pool.name_of(p), pool.arch_of(p)));
        }
    }

    /// Another text appended.
    fn append(&mut self, other: &Text) {
        self.plain.push_str(&other.plain);
        if let (Some(t), Some(o)) = (&mut self.shown, &other.shown) {
            t.push_str(o);
        }
    }
}

/// Explanations with their intermediate results kept.
struct Why<'b, 'p> {
    br: &'b Buildroot<'p>,
    /// Whether chains are also written with each package's arch ([`Text`]).
    by_arch: bool,
    /// Per solution (by address): why each of its packages is there.
    reasons: HashMap<usize, Vec<(PkgId, Reason)>>,
    /// (source, binary) -> chain.
    chains: HashMap<(String, PkgId), Text>,
    /// Binary name -> (the earliest source installing it, the binary), one
    /// entry per package of that name (multilib: one per arch), in the
    /// order the sources come.
    first: Option<HashMap<String, Vec<(usize, PkgId)>>>,
    /// Package -> the source whose chain is shown for it (see
    /// [`Why::chosen`]), for every package at once ([`Why::choose_all`]).
    chosen: Option<HashMap<PkgId, usize>>,
    /// Source index -> the steps its own chain adds after `of S`: 0 for an
    /// input, core or placeholder source; for one built because of another,
    /// `S built because` and the shortest chain in that source.
    tails: HashMap<usize, usize>,
}

impl<'b, 'p> Why<'b, 'p> {
    fn new(br: &'b Buildroot<'p>) -> Self {
        Why {
            br,
            by_arch: false,
            reasons: HashMap::new(),
            chains: HashMap::new(),
            first: None,
            chosen: None,
            tails: HashMap::new(),
        }
    }

    /// The package of that name (and of that arch, when one is given) the
    /// chain is about, and the chain.
    fn why(&mut self, name: &str, arch: Option<&str>) -> Option<(PkgId, Text)> {
        let pool = self.br.pool;
        self.why_of(name, &|p| arch.is_none_or(|a| pool.arch_of(p) == a))
    }

    /// [`Why::why`] for the buildroot's package named `name` that `keep`
    /// keeps: the core's, else the one the earliest build installs.
    fn why_of(&mut self, name: &str, keep: &dyn Fn(PkgId) -> bool) -> Option<(PkgId, Text)> {
        let br = self.br;
        let pool = br.pool;
        let named = |set: &[PkgId]| {
            set.iter()
                .copied()
                .find(|&p| pool.name_of(p) == name && keep(p))
        };
        if let (Some(p), Some(sol)) = (named(&br.core.installed), br.core.solution.as_ref()) {
            let mut chain = self.in_transaction(sol, &br.core.names, p);
            chain.push(" (core buildroot)");
            return Some((p, chain));
        }
        let &(i, p) = self.first().get(name)?.iter().find(|&&(_, p)| keep(p))?;
        let i = self.chosen(i, p);
        Some((p, self.chain(&br.sources[i], p)))
    }

    /// The buildroot's packages named `name`: the core's, and those of the
    /// sources' transactions (two versions when two transactions install
    /// two; two arches in a multilib buildroot).
    fn packages_named(&mut self, name: &str) -> Vec<PkgId> {
        let br = self.br;
        let pool = br.pool;
        let mut v: Vec<PkgId> = br
            .core
            .installed
            .iter()
            .copied()
            .filter(|&p| pool.name_of(p) == name)
            .collect();
        v.extend(
            self.first()
                .get(name)
                .into_iter()
                .flatten()
                .map(|&(_, p)| p),
        );
        v
    }

    /// The source whose chain is shown for `p`, given `first`, the first
    /// source (in layer, then name order) whose transaction installs it:
    /// of the sources of that layer installing `p`, the one whose chain has
    /// the fewest steps, the first in name order among those. The first
    /// source alone is no shortest chain: on openEuler's real metadata a
    /// third of the chains it gave were 1 to 6 steps longer than another
    /// transaction of the same layer gives.
    fn chosen(&mut self, first: usize, p: PkgId) -> usize {
        if let Some(&i) = self.chosen.as_ref().and_then(|c| c.get(&p)) {
            return i;
        }
        let br = self.br;
        let layer = br.sources[first].layer;
        let mut best = (self.steps(first, p), br.sources[first].name.as_str(), first);
        for (i, rec) in br.sources.iter().enumerate() {
            if i == first || rec.layer != layer || rec.installed.binary_search(&p).is_err() {
                continue;
            }
            let cand = (self.steps(i, p), rec.name.as_str(), i);
            if (cand.0, cand.1) < (best.0, best.1) {
                best = cand;
            }
        }
        best.2
    }

    /// [`Why::chosen`] for every package of the sources' transactions, in
    /// one pass over them (`buildroot-why.json`: asking per package would
    /// look at every source per binary). The reasons of a transaction are
    /// computed and dropped here, not kept: all of them at once would be
    /// hundreds of MB on a distribution.
    fn choose_all(&mut self) {
        let br = self.br;
        let n = br.pool.len();
        // Indexed by package id: the earliest layer installing it.
        let mut layer_of = vec![usize::MAX; n];
        for rec in &br.sources {
            for &p in rec.installed.iter() {
                let l = &mut layer_of[p.0 as usize];
                *l = (*l).min(rec.layer);
            }
        }
        let earliest = |rec: &SourceRecord, p: &PkgId| layer_of[p.0 as usize] == rec.layer;
        let wanted = |rec: &SourceRecord| {
            rec.solution.is_some() && rec.installed.iter().any(|p| earliest(rec, p))
        };
        // The steps each source's own chain adds, first (they look at
        // earlier layers only), then every transaction's reasons, in parallel.
        let mut tails = vec![0; br.sources.len()];
        for (i, rec) in br.sources.iter().enumerate() {
            if wanted(rec) {
                tails[i] = self.tail(i);
            }
        }
        // Per package id, the best (steps, source index): of a and b, the
        // better one.
        let pick = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| match (a, b) {
            (Some((sa, ia)), Some((sb, ib))) => {
                if (sb, &br.sources[ib].name) < (sa, &br.sources[ia].name) {
                    b
                } else {
                    a
                }
            }
            (a, None) => a,
            (None, b) => b,
        };
        let best = (0..br.sources.len())
            .into_par_iter()
            .filter(|&i| wanted(&br.sources[i]))
            .fold(
                || vec![None; n],
                |mut best: Vec<Option<(usize, usize)>>, i| {
                    let rec = &br.sources[i];
                    let sol = rec.solution.as_ref().expect("wanted");
                    let reasons = sol.reasons(br.pool);
                    for p in rec.installed.iter().filter(|p| earliest(rec, p)) {
                        let here = Some((steps_in(&reasons, *p) + tails[i], i));
                        let b = &mut best[p.0 as usize];
                        *b = pick(*b, here);
                    }
                    best
                },
            )
            .reduce(
                || vec![None; n],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x = pick(*x, y);
                    }
                    a
                },
            );
        let chosen = best
            .into_iter()
            .enumerate()
            .filter_map(|(p, b)| b.map(|(_, i)| (PkgId(p as u32), i)))
            .collect();
        self.chosen = Some(chosen);
    }

    /// The number of steps after the binary in source `i`'s chain for `p`
    /// (the ` <- ` of [`Why::chain`]).
    fn steps(&mut self, i: usize, p: PkgId) -> usize {
        self.fewest_steps(i, &[p])
    }

    /// The fewest steps after the binary of source `i`'s chains for the
    /// packages `ps`. A transaction's reasons are taken from the cache when
    /// [`Why::chain`] computed them, else computed and dropped (a query
    /// looks at every transaction installing the package).
    fn fewest_steps(&mut self, i: usize, ps: &[PkgId]) -> usize {
        let br = self.br;
        let rec = &br.sources[i];
        let inside = match &rec.solution {
            Some(sol) => {
                let fewest = |r: &[(PkgId, Reason)]| ps.iter().map(|&p| steps_in(r, p)).min();
                match self.reasons.get(&(&**sol as *const Solution as usize)) {
                    Some(r) => fewest(r),
                    None => fewest(&sol.reasons(br.pool)),
                }
            }
            None => None,
        };
        inside.unwrap_or(0) + self.tail(i)
    }

    /// The steps source `i`'s chain adds after `of S` ([`Why::tails`]).
    fn tail(&mut self, i: usize) -> usize {
        if let Some(&t) = self.tails.get(&i) {
            return t;
        }
        let br = self.br;
        let rec = &br.sources[i];
        let t = match &rec.origin {
            // As `chain` explains it: `S built because` and the most direct
            // of the parent's binaries from this source.
            Origin::Needed { by, .. } => match br.source_index(by) {
                Some(pi) => {
                    let from_rec: Vec<PkgId> = br.sources[pi]
                        .installed
                        .iter()
                        .copied()
                        .filter(|&b| br.pool.source_name(b) == rec.name)
                        .collect();
                    // Kept: the sources one parent brought in share them,
                    // and `chain` explains through them.
                    if let Some(sol) = &br.sources[pi].solution {
                        self.reasons
                            .entry(&**sol as *const Solution as usize)
                            .or_insert_with(|| sol.reasons(br.pool));
                    }
                    1 + self.fewest_steps(pi, &from_rec)
                }
                None => 1,
            },
            _ => 0,
        };
        self.tails.insert(i, t);
        t
    }

    /// The arches of the buildroot's packages named `name` (one but for
    /// multilib), sorted.
    fn arches_of(&mut self, name: &str) -> Vec<&'p str> {
        let pool = self.br.pool;
        let mut arches: Vec<&str> = self
            .packages_named(name)
            .into_iter()
            .map(|p| pool.arch_of(p))
            .collect();
        arches.sort_unstable();
        arches.dedup();
        arches
    }

    /// Binary name -> the sources installing a package of it, first first.
    fn first(&mut self) -> &HashMap<String, Vec<(usize, PkgId)>> {
        let br = self.br;
        let pool = br.pool;
        self.first.get_or_insert_with(|| {
            // Sources in (layer, name) order: the first to install a name wins.
            let mut order: Vec<usize> = (0..br.sources.len()).collect();
            order.sort_by(|&a, &b| {
                let (ra, rb) = (&br.sources[a], &br.sources[b]);
                ra.layer.cmp(&rb.layer).then_with(|| ra.name.cmp(&rb.name))
            });
            let mut m: HashMap<String, Vec<(usize, PkgId)>> = HashMap::new();
            for i in order {
                for &p in br.sources[i].installed.iter() {
                    let seen = m.entry(pool.name_of(p).to_string()).or_default();
                    if !seen.iter().any(|&(_, q)| q == p) {
                        seen.push((i, p));
                    }
                }
            }
            m
        })
    }
}

/// The steps after `p` of its chain inside a transaction with these reasons
/// (what [`Why::in_transaction`] writes, counted): one per `required by`,
/// and the job (or `installed to satisfy the transaction`).
fn steps_in(reasons: &[(PkgId, Reason)], p: PkgId) -> usize {
    let mut cur = p;
    let mut n = 0;
    for _ in 0..reasons.len() + 1 {
        let i = reasons.binary_search_by_key(&cur, |(q, _)| *q);
        n += 1;
        match i.ok().map(|i| &reasons[i].1) {
            Some(Reason::RequiredBy { by, .. }) => cur = *by,
            _ => return n,
        }
    }
    n
}

/// [`why`] as its steps, binary first (for `--why --json`).
pub fn why_steps(br: &Buildroot<'_>, name: &str) -> Option<Vec<String>> {
    why(br, name).map(|c| chain_steps(&c))
}

/// A chain's text as its steps. No step holds " <- ": package names have
/// no blanks and dependency operators are `<`, `<=`, ... followed by a
/// blank.
fn chain_steps(chain: &str) -> Vec<String> {
    chain.split(" <- ").map(str::to_string).collect()
}

impl Why<'_, '_> {
    /// Why `p` is in `rec`'s transaction, then why `rec` is in the run.
    fn chain(&mut self, rec: &SourceRecord, p: PkgId) -> Text {
        let key = (rec.name.clone(), p);
        if let Some(c) = self.chains.get(&key) {
            return c.clone();
        }
        let br = self.br;
        let mut out = match &rec.solution {
            Some(sol) => self.in_transaction(sol, &rec.jobs, p),
            None => {
                let mut t = Text::new(self.by_arch);
                t.push_package(br.pool, p);
                t
            }
        };
        out.push(&format!(" of {}", rec.name));
        // A what-if's source: the file the answer comes from.
        if let Some(s) = rec.srpm.filter(|&s| br.pool.is_command_line(s)) {
            out.push(&format!(", given as {}", br.pool.location(s)));
        }
        match &rec.origin {
            Origin::Input => out.push(" (input)"),
            Origin::Core => out.push(" (a source of the core buildroot)"),
            Origin::Placeholder => out.push(" (a placeholder)"),
            Origin::Needed { by, binary } => {
                out.push(&format!(" <- {} built because ", rec.name));
                match br.source(by) {
                    Some(parent) => {
                        // Of the parent's binaries from this source, explain the most direct one.
                        let from_rec: Vec<PkgId> = parent
                            .installed
                            .iter()
                            .copied()
                            .filter(|&b| br.pool.source_name(b) == rec.name)
                            .collect();
                        // Chosen by the plain text, whichever is shown.
                        let shortest = from_rec
                            .into_iter()
                            .map(|b| self.chain(parent, b))
                            .min_by_key(|c| (c.plain.matches(" <- ").count(), c.plain.clone()));
                        match shortest {
                            Some(c) => out.append(&c),
                            None => out.push_package(br.pool, *binary),
                        }
                    }
                    None => out.push_package(br.pool, *binary),
                }
            }
        }
        self.chains.insert(key, out.clone());
        out
    }

    /// `p <- required by q <- ... <- BuildRequires of S` within one transaction;
    /// the caller appends the source.
    fn in_transaction(&mut self, sol: &Solution, jobs: &[String], p: PkgId) -> Text {
        let br = self.br;
        let reasons = self
            .reasons
            .entry(sol as *const Solution as usize)
            .or_insert_with(|| sol.reasons(br.pool));
        let reason_of = |x: PkgId| {
            reasons
                .binary_search_by_key(&x, |(q, _)| *q)
                .ok()
                .map(|i| reasons[i].1.clone())
        };
        let core_len = br.core.names.len();
        let mut out = Text::new(self.by_arch);
        out.push_package(br.pool, p);
        let mut cur = p;
        for _ in 0..reasons.len() + 1 {
            match reason_of(cur) {
                Some(Reason::Job(j)) => {
                    let text = jobs.get(j).cloned().unwrap_or_default();
                    if j < core_len {
                        out.push(&format!(" <- core name {text}"));
                    } else {
                        out.push(&format!(" <- BuildRequires '{text}'"));
                    }
                    return out;
                }
                Some(Reason::RequiredBy { by, .. }) => {
                    out.push(" <- required by ");
                    out.push_package(br.pool, by);
                    cur = by;
                }
                _ => {
                    out.push(" <- installed to satisfy the transaction");
                    return out;
                }
            }
        }
        out
    }
}
