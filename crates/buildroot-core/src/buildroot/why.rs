//! `--why NAME`: the chain that brings a binary into the buildroot, e.g.
//! `nasm <- BuildRequires of libjpeg-turbo <- libjpeg-turbo built because
//! libjpeg-turbo-devel <- BuildRequires of hello (input)`. The shortest chain
//! is shown: of the transactions of the earliest layer that install the
//! binary, the one whose chain has the fewest steps (then the first source
//! in name order).
//! [`why_all`] gives the chain of every binary of the buildroot at once
//! (each transaction's reasons computed once), for the output directory's
//! `buildroot-why.json` and the workflow's change report. [`explain`] is
//! the whole answer to `--why QUERY`: the query reduced to a name (and the
//! arch it gives: a multilib buildroot holds `glibc.i686` and
//! `glibc.x86_64`) as input lines are, a note when the buildroot has
//! another version or arch than asked, and for a query that is no binary of
//! the buildroot, what it is instead.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{Buildroot, Origin, SourceRecord};
use crate::dep::Dep;
use crate::evr::{rpmvercmp, Evr};
use crate::pkglist::subject_in;
use crate::pool::PkgId;
use crate::solver::{Reason, Solution};

/// The chain for binary `name`, or None when it is not in the buildroot.
pub fn why(br: &Buildroot<'_>, name: &str) -> Option<String> {
    Why::new(br).why(name, None).map(|(_, chain)| chain)
}

/// The chain of every binary name of the buildroot, as [`why_steps`] gives
/// it.
/// A multilib buildroot (`glibc.x86_64` and `glibc.i686`) keeps the name's
/// entry for the package `--why NAME` answers about, and adds one keyed
/// `NAME.ARCH` for each package of another arch, its own chain: readers
/// that look names up see what they always saw.
pub fn why_all(br: &Buildroot<'_>) -> BTreeMap<String, Vec<String>> {
    let steps = |c: String| c.split(" <- ").map(str::to_string).collect();
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
                    out.insert(format!("{name}.{arch}"), steps(c));
                }
            }
        }
        out.insert(name, steps(c));
    }
    out
}

/// Explanations with their intermediate results kept.
struct Why<'b, 'p> {
    br: &'b Buildroot<'p>,
    /// Per solution (by address): why each of its packages is there.
    reasons: HashMap<usize, Vec<(PkgId, Reason)>>,
    /// (source, binary) -> chain.
    chains: HashMap<(String, PkgId), String>,
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
            reasons: HashMap::new(),
            chains: HashMap::new(),
            first: None,
            chosen: None,
            tails: HashMap::new(),
        }
    }

    /// The package of that name (and of that arch, when one is given) the
    /// chain is about, and the chain.
    fn why(&mut self, name: &str, arch: Option<&str>) -> Option<(PkgId, String)> {
        let pool = self.br.pool;
        self.why_of(name, &|p| arch.is_none_or(|a| pool.arch_of(p) == a))
    }

    /// [`Why::why`] for the buildroot's package named `name` that `keep`
    /// keeps: the core's, else the one the earliest build installs.
    fn why_of(&mut self, name: &str, keep: &dyn Fn(PkgId) -> bool) -> Option<(PkgId, String)> {
        let br = self.br;
        let pool = br.pool;
        let named = |set: &[PkgId]| {
            set.iter()
                .copied()
                .find(|&p| pool.name_of(p) == name && keep(p))
        };
        if let (Some(p), Some(sol)) = (named(&br.core.installed), br.core.solution.as_ref()) {
            let chain = self.in_transaction(sol, &br.core.names, p);
            return Some((p, format!("{chain} (core buildroot)")));
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

/// [`why`] as its steps, binary first (for `--why --json`). No step holds
/// " <- ": package names have no blanks and dependency operators are
/// `<`, `<=`, ... followed by a blank.
pub fn why_steps(br: &Buildroot<'_>, name: &str) -> Option<Vec<String>> {
    why(br, name).map(|c| c.split(" <- ").map(str::to_string).collect())
}

/// What `--why QUERY` answers: the chain when the query names a binary of
/// the buildroot, else one line saying what the query is instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyAnswer {
    /// The name the query was taken as: a NEVRA, an SRPM file name or an NVR
    /// is reduced to its name as input lines are ([`crate::pkglist::name_and_version_in`]);
    /// anything else is kept as given.
    pub name: String,
    /// The buildroot's package of that name, `name-[E:]V-R.arch`.
    pub package: Option<String>,
    /// Its chain as steps, binary first ([`why_steps`]).
    pub chain: Option<Vec<String>>,
    /// One line for the reader: why there is no chain, or that the
    /// buildroot's package is another version than the one asked about.
    pub note: Option<String>,
    /// For a binary not in the buildroot: the failed transactions whose
    /// problem lines name one of its packages (source name order).
    pub failed_builds: Vec<FailedBuild>,
}

/// A failed source's transaction that wanted a package: its problem lines
/// name it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FailedBuild {
    /// The source whose build failed.
    pub source: String,
    /// Its error class (`BadDeps`).
    pub error: String,
    /// The first of its problem lines that names the package.
    pub problem: String,
}

/// The failed (BadDeps) sources whose problem lines name a package called
/// `name` (of `arch`, when one is given), as a whole word in its NEVRA form
/// (`package nvml-1.4.2-2.oe1.x86_64 requires ...`, `... needed by X`,
/// `cannot install both X and Y`).
fn failed_builds_wanting(br: &Buildroot<'_>, name: &str, arch: Option<&str>) -> Vec<FailedBuild> {
    let pool = br.pool;
    let nevras: Vec<String> = pool
        .binaries_named(name)
        .iter()
        .filter(|&&p| arch.is_none_or(|a| pool.arch_of(p) == a))
        .map(|&p| pool.nevra_string(p))
        .collect();
    if nevras.is_empty() {
        return Vec::new();
    }
    let names_it = |line: &str| {
        line.split_whitespace()
            .map(|w| w.trim_end_matches([',', ';', ':']))
            .any(|w| nevras.iter().any(|n| n == w))
    };
    br.sources
        .iter()
        .filter_map(|s| {
            let problem = s.bad_deps.iter().find(|l| names_it(l))?;
            Some(FailedBuild {
                source: s.name.clone(),
                error: "BadDeps".to_string(),
                problem: problem.clone(),
            })
        })
        .collect()
}

/// Answers `--why QUERY`. A packager asks about what they have at hand: a
/// name, a NEVRA from a compose list, an NVR from a `*-nvrs` list or a build
/// log, a source name, a capability from a BuildRequires. Each is answered
/// for what it is, rather than "not in the buildroot" for anything that is
/// not a binary name.
///
/// An arch in the query (a NEVRA, `name.arch`) selects that arch's package:
/// a multilib buildroot may hold `glibc.i686` for one build and
/// `glibc.x86_64` for all. A package of that arch the repositories hold and
/// the buildroot does not is "not in the buildroot", as any other binary;
/// an arch the repositories have no such package of (a NEVRA from another
/// arch's list) is answered as another version is: the buildroot's package
/// of that name, and a note.
pub fn explain(br: &Buildroot<'_>, query: &str) -> WhyAnswer {
    let pool = br.pool;
    let known = |n: &str| !pool.binaries_named(n).is_empty() || !pool.sources_named(n).is_empty();
    let subject = subject_in(query, known);
    let (name, version) = (subject.name, subject.version);
    // A source's arch is the source_shaped case below, not a binary's.
    let asked_arch = subject.arch.filter(|a| a != "src" && a != "nosrc");
    let arch = pool.arch().target();
    let mut answer = WhyAnswer {
        name: name.clone(),
        package: None,
        chain: None,
        note: None,
        failed_builds: Vec::new(),
    };
    // An SRPM file name or a `.src` NEVRA asks about the source package,
    // even when a binary has its name.
    let source_shaped = [".src.rpm", ".nosrc.rpm", ".src", ".nosrc"]
        .iter()
        .any(|s| query.ends_with(s))
        && name != query;
    // The repositories hold a package of the name and the asked arch: a
    // question about that package, not about the name.
    let arch_held = asked_arch.as_deref().filter(|&a| {
        pool.binaries_named(&name)
            .iter()
            .any(|&p| pool.arch_of(p) == a)
    });
    if !source_shaped {
        let mut w = Why::new(br);
        let of_arch = |p: PkgId| arch_held.is_none_or(|a| pool.arch_of(p) == a);
        // A version in the query picks the buildroot's package of that
        // version when it has one: two transactions can install two
        // versions of a name (a BuildRequires `foo < 2` beside a plain
        // `foo`), and "the buildroot has foo-1, not foo-2" with foo-1's
        // chain would be false about foo-2, which is in it.
        let of_version = |p: PkgId| {
            version
                .as_deref()
                .is_none_or(|v| version_differs(br, p, v) == Some(false))
        };
        let exact = w
            .packages_named(&name)
            .into_iter()
            .any(|p| of_arch(p) && of_version(p));
        let found = if exact {
            w.why_of(&name, &|p| of_arch(p) && of_version(p))
        } else {
            w.why_of(&name, &of_arch)
        };
        if let Some((p, chain)) = found {
            answer.package = Some(pool.nevra_string(p));
            answer.chain = Some(chain.split(" <- ").map(str::to_string).collect());
            answer.note = other_package(br, p, &name, version.as_deref(), asked_arch.as_deref());
            return answer;
        }
    }
    let in_br = br.binary_ids();
    let is_binary = !source_shaped && !pool.binaries_named(&name).is_empty();
    let as_source = source_clause(br, &in_br, &name);
    // How the query is quoted: with its arch when that chose the package.
    let asked = match arch_held {
        Some(a) => format!("{name}.{a}"),
        None => name.clone(),
    };
    let note = match (is_binary, as_source) {
        (true, source) => {
            answer.failed_builds = failed_builds_wanting(br, &name, arch_held);
            let mut note = match answer.failed_builds.as_slice() {
                [] => format!(
                    "'{asked}' is in the repositories but not in the {arch} buildroot: no build \
                     of the run needs it"
                ),
                [first, ..] => {
                    let sources: Vec<&str> = answer
                        .failed_builds
                        .iter()
                        .map(|f| f.source.as_str())
                        .collect();
                    let builds = if sources.len() == 1 {
                        "build"
                    } else {
                        "builds"
                    };
                    format!(
                        "'{asked}' is not in the {arch} buildroot: the {builds} of {} wanted it \
                         but failed ({}: {})",
                        sources.join(", "),
                        first.error,
                        first.problem
                    )
                }
            };
            // Another arch's package of the name is in it.
            if let Some((p, _)) = arch_held.and_then(|_| Why::new(br).why(&name, None)) {
                let other = pool.arch_of(p);
                note.push_str(&format!(
                    "; {} is: see --why {name}.{other}",
                    pool.nevra_string(p)
                ));
            }
            if let Some(s) = source.filter(|_| br.source(&name).is_some()) {
                note.push_str(&format!("; the source package {name} {s}"));
            }
            note
        }
        (false, Some(s)) if br.source(&name).is_some_and(|r| r.no_source()) => {
            format!("'{name}' is not a binary package; it {s}")
        }
        (false, Some(s)) if source_shaped => format!("'{query}' is a source package: {name} {s}"),
        (false, Some(s)) => format!("'{name}' is a source package, not a binary one; it {s}"),
        // A binary's name with a source's suffix: not the capability case.
        (false, None) if source_shaped => {
            format!("'{query}' names a source package {name}, which no repository holds")
        }
        (false, None) => capability_note(br, &in_br, &name),
    };
    answer.note = Some(note);
    answer
}

/// Whether package `p` is another version than `v` (`[E:]V[-R]` of a
/// query); None when `v` does not parse.
fn version_differs(br: &Buildroot<'_>, p: PkgId, v: &str) -> Option<bool> {
    let asked = Evr::parse(v).ok()?;
    let has = br.pool.evr_of(p);
    // An NVR from a `*-nvrs` list carries no epoch whatever the package's:
    // only a written epoch is compared; a version without its release
    // (dnf's `name-version`) compares the version only.
    let epoch_differs = v.contains(':') && asked.epoch != has.epoch;
    let release_differs =
        asked.release.is_some() && !rpmvercmp(asked.release_str(), has.release_str()).is_eq();
    Some(epoch_differs || release_differs || !rpmvercmp(&asked.version, &has.version).is_eq())
}

/// The note when the buildroot's package `p` is not the version `v` or
/// the arch the query gave; None when it is (or the query gave neither).
fn other_package(
    br: &Buildroot<'_>,
    p: PkgId,
    name: &str,
    v: Option<&str>,
    arch: Option<&str>,
) -> Option<String> {
    let pool = br.pool;
    let version_differs = match v {
        Some(v) => version_differs(br, p, v)?,
        None => false,
    };
    let arch_differs = arch.is_some_and(|a| a != pool.arch_of(p));
    if !version_differs && !arch_differs {
        return None;
    }
    let mut asked = name.to_string();
    if let Some(v) = v {
        asked.push_str(&format!("-{v}"));
    }
    if let Some(a) = arch.filter(|_| arch_differs) {
        asked.push_str(&format!(".{a}"));
    }
    Some(format!(
        "the {} buildroot has {}, not {asked}: the chain is that package's",
        pool.arch().target(),
        pool.nevra_string(p)
    ))
}

/// What source package `name` is to the run, as the end of a sentence
/// ("is a source of the run; its binaries in ..."); None when no
/// repository or run has a source of that name.
fn source_clause(br: &Buildroot<'_>, in_br: &[PkgId], name: &str) -> Option<String> {
    let pool = br.pool;
    let arch = pool.arch().target();
    let Some(rec) = br.source(name) else {
        return (!pool.sources_named(name).is_empty())
            .then(|| format!("is not a source of the {arch} buildroot's run"));
    };
    if rec.no_source() {
        return Some(
            "is named as a source of the run, but no repository holds a source package of that \
             name (NoSource)"
                .into(),
        );
    }
    let mut built: Vec<&str> = in_br
        .iter()
        .filter(|&&p| pool.source_name(p) == name)
        .map(|&p| pool.name_of(p))
        .collect();
    built.sort_unstable();
    built.dedup();
    Some(match built.first() {
        Some(first) => format!(
            "is a source of the run; its binaries in the {arch} buildroot: {}: see --why {first}",
            built.join(", ")
        ),
        None => {
            format!("is a source of the run, but none of its binaries is in the {arch} buildroot")
        }
    })
}

/// The note for a query that names no package: a capability (a soname, a
/// file, a virtual provide) and who provides it, or nothing at all.
fn capability_note(br: &Buildroot<'_>, in_br: &[PkgId], name: &str) -> String {
    let pool = br.pool;
    let arch = pool.arch().target();
    let providers = Dep::parse(name)
        .map(|d| pool.whatprovides(&d))
        .unwrap_or_default();
    let names = |ps: &[PkgId]| {
        let mut v: Vec<&str> = ps.iter().map(|&p| pool.name_of(p)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let inside: Vec<PkgId> = providers
        .iter()
        .copied()
        .filter(|p| in_br.binary_search(p).is_ok())
        .collect();
    if !inside.is_empty() {
        let inside = names(&inside);
        let which = if inside.len() == 1 {
            "which is"
        } else {
            "which are"
        };
        format!(
            "'{name}' is not a package name; provided by {}, {which} in the {arch} buildroot: \
             see --why {}",
            inside.join(", "),
            inside[0]
        )
    } else if !providers.is_empty() {
        format!(
            "'{name}' is not a package name; provided by {}, not in the {arch} buildroot",
            names(&providers).join(", ")
        )
    } else {
        let guess = match similar_names(pool, name).as_slice() {
            [] => String::new(),
            names => format!(" (did you mean {}?)", names.join(", ")),
        };
        format!(
            "'{name}' is in no repository: no binary or source package of that name, and \
             nothing provides it{guess}"
        )
    }
}

/// The package names of the repos closest to a name that matched nothing
/// (a typo, another case): the same name in another case, else those one
/// or two edits away (one for names of up to 4 bytes), at most three, in
/// byte order. A one-off question, so every name is looked at.
fn similar_names<'p>(pool: &'p crate::pool::Pool, name: &str) -> Vec<&'p str> {
    let lower = name.to_ascii_lowercase();
    let most = if name.len() <= 4 { 1 } else { 2 };
    let mut all: Vec<&str> = pool.ids().map(|p| pool.name_of(p)).collect();
    all.sort_unstable();
    all.dedup();
    let same_case: Vec<&str> = all
        .iter()
        .copied()
        .filter(|n| n.to_ascii_lowercase() == lower)
        .collect();
    if !same_case.is_empty() {
        return same_case.into_iter().take(3).collect();
    }
    let mut close: Vec<(usize, &str)> = all
        .into_iter()
        .filter(|n| n.len().abs_diff(name.len()) <= most)
        .filter_map(|n| edits_within(&lower, &n.to_ascii_lowercase(), most).map(|d| (d, n)))
        .collect();
    close.sort_unstable();
    close.into_iter().take(3).map(|(_, n)| n).collect()
}

/// The edit distance (insertions, deletions, substitutions) of `a` and `b`
/// when it is at most `most`.
fn edits_within(a: &str, b: &str, most: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > most) {
            return None;
        }
        prev = cur;
    }
    Some(prev[b.len()]).filter(|&d| d <= most)
}

impl Why<'_, '_> {
    /// Why `p` is in `rec`'s transaction, then why `rec` is in the run.
    fn chain(&mut self, rec: &SourceRecord, p: PkgId) -> String {
        let key = (rec.name.clone(), p);
        if let Some(c) = self.chains.get(&key) {
            return c.clone();
        }
        let br = self.br;
        let mut out = match &rec.solution {
            Some(sol) => self.in_transaction(sol, &rec.jobs, p),
            None => br.pool.name_of(p).to_string(),
        };
        out.push_str(&format!(" of {}", rec.name));
        // A what-if's source: the file the answer comes from.
        if let Some(s) = rec.srpm.filter(|&s| br.pool.is_command_line(s)) {
            out.push_str(&format!(", given as {}", br.pool.location(s)));
        }
        match &rec.origin {
            Origin::Input => out.push_str(" (input)"),
            Origin::Core => out.push_str(" (a source of the core buildroot)"),
            Origin::Placeholder => out.push_str(" (a placeholder)"),
            Origin::Needed { by, binary } => {
                out.push_str(&format!(" <- {} built because ", rec.name));
                match br.source(by) {
                    Some(parent) => {
                        // Of the parent's binaries from this source, explain the most direct one.
                        let from_rec: Vec<PkgId> = parent
                            .installed
                            .iter()
                            .copied()
                            .filter(|&b| br.pool.source_name(b) == rec.name)
                            .collect();
                        let shortest = from_rec
                            .into_iter()
                            .map(|b| self.chain(parent, b))
                            .min_by_key(|c| (c.matches(" <- ").count(), c.clone()));
                        out.push_str(
                            &shortest.unwrap_or_else(|| br.pool.name_of(*binary).to_string()),
                        );
                    }
                    None => out.push_str(br.pool.name_of(*binary)),
                }
            }
        }
        self.chains.insert(key, out.clone());
        out
    }

    /// `p <- required by q <- ... <- BuildRequires of S` within one transaction;
    /// the caller appends the source.
    fn in_transaction(&mut self, sol: &Solution, jobs: &[String], p: PkgId) -> String {
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
        let mut out = br.pool.name_of(p).to_string();
        let mut cur = p;
        for _ in 0..reasons.len() + 1 {
            match reason_of(cur) {
                Some(Reason::Job(j)) => {
                    let text = jobs.get(j).cloned().unwrap_or_default();
                    if j < core_len {
                        out.push_str(&format!(" <- core name {text}"));
                    } else {
                        out.push_str(&format!(" <- BuildRequires '{text}'"));
                    }
                    return out;
                }
                Some(Reason::RequiredBy { by, .. }) => {
                    out.push_str(&format!(" <- required by {}", br.pool.name_of(by)));
                    cur = by;
                }
                _ => {
                    out.push_str(" <- installed to satisfy the transaction");
                    return out;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod edit_tests {
    use super::edits_within;

    #[test]
    fn edits_are_counted_up_to_the_bound() {
        assert_eq!(edits_within("zlb", "zlib", 1), Some(1));
        assert_eq!(edits_within("nasm-devl", "yasm-devel", 2), Some(2));
        assert_eq!(edits_within("nasm-devl", "yasm-devel", 1), None);
        assert_eq!(edits_within("gcc", "gcc", 1), Some(0));
        assert_eq!(edits_within("abc", "xyz", 2), None);
        assert_eq!(edits_within("", "ab", 2), Some(2));
    }
}
