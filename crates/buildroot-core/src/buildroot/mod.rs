//! The buildroot fixed point (the workflow's steps 2 and 5): for every
//! source, core + BuildRequires are resolved in one transaction into an empty
//! root; the sources of what got installed are queued; repeat until nothing
//! new. Sources of one layer resolve in parallel; the result does not depend
//! on thread count or order.
//!
//! Semantics (docs/semantics.md, which states the binding decisions): the core
//! alone is resolved once first and its sources are queued after the input;
//! a BuildRequires nothing matches is a NoInstall error (the rest still
//! counts); an unsolvable transaction is BadDeps (contributes nothing); a
//! queued name without a source package is NoSource (still listed).
//!
//! [`Scope::Input`] stops after the input's own builds (a packager's "what
//! does this build install?", `dnf builddep` into mock's buildroot): the
//! same transactions as the first layer's, without the core's sources, and
//! nothing queued; the sources of what they install are listed, not built.
//!
//! Parts: `source` (one source's package, jobs and record), `lists` (the
//! run's lists for `--print` and the outputs), `output` (the output
//! directory), `why` (why-chains), `compare` (`--compare`).

pub mod compare;
mod lists;
mod output;
mod source;
mod why;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Result;
use crate::pool::{PkgId, Pool};
use crate::solver::{Job, Resolver, Solution, Unsolvable};

pub use source::{choose_source, preferred};
use source::{finish_source, prepare_source};

pub use output::{
    check_output_dir, view_id, BuildrootReport, CoreReport, SourceErrors, BUILDS_ONLY_FILE,
    WHY_FILE,
};

/// mock's build group as dep-tracker used it (the release package is added
/// separately).
pub const DEFAULT_CORE: &[&str] = &[
    "bash",
    "bzip2",
    "coreutils",
    "cpio",
    "diffutils",
    "findutils",
    "gawk",
    "glibc-minimal-langpack",
    "grep",
    "gzip",
    "info",
    "make",
    "patch",
    "redhat-rpm-config",
    "rpm-build",
    "sed",
    "shadow-utils",
    "tar",
    "unzip",
    "util-linux",
    "which",
    "xz",
];

/// How the fixed point is computed.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Core buildroot names, installed as `dnf install NAME`.
    pub core: Vec<String>,
    /// Prefer a source package whose release matches (e.g. `eln\d+`).
    pub prefer_release: Option<Regex>,
    /// Sources that do not exist yet, with their BuildRequires.
    pub placeholders: BTreeMap<String, Vec<String>>,
    /// Pass over the sources given as files (`--srpm`, `--spec`): the
    /// answer a what-if is compared with.
    pub without_given_files: bool,
    /// How far the run goes.
    pub scope: Scope,
}

/// How far a run goes from its input. In the `--json` report (as
/// `"scope"`, present only for [`Scope::Input`]) it is named after the
/// option: `"builds-only"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scope {
    /// Every source of what gets installed is built too, until nothing is
    /// new (the workflow's buildroot).
    #[default]
    #[serde(rename = "fixed-point")]
    FixedPoint,
    /// The input's builds alone (placeholders only where the input names
    /// them; the core's sources are not built): each resolved once, as in
    /// the fixed point's first layer, and the sources of what they install
    /// listed in [`Buildroot::not_built`] instead of queued.
    #[serde(rename = "builds-only")]
    Input,
}

impl Scope {
    /// The workflow's buildroot (what every reader of a run's output took
    /// it to be before [`Scope::Input`]).
    pub fn is_fixed_point(&self) -> bool {
        *self == Scope::FixedPoint
    }
}

/// Why a source is in the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Given on input.
    Input,
    /// A source of the core buildroot.
    Core,
    /// A placeholder (content-resolver's placeholder JSON): every one is part
    /// of the compose, as dep-tracker resolved them all.
    Placeholder,
    /// Queued because `binary` (installed for `by`'s build) comes from it.
    Needed {
        /// The source whose transaction installed `binary`.
        by: String,
        /// The binary that brought this source in.
        binary: PkgId,
    },
}

/// What happened to one source.
#[derive(Clone, Debug)]
pub struct SourceRecord {
    /// The source name.
    pub name: String,
    /// Why it is in the run.
    pub origin: Origin,
    /// 0 for input and core sources, then one more per step of discovery.
    pub layer: usize,
    /// The chosen source package (None for placeholders and NoSource).
    pub srpm: Option<PkgId>,
    /// A placeholder's BuildRequires stood in for a source package.
    pub placeholder: bool,
    /// BuildRequires that matched nothing (NoInstall).
    pub no_install: Vec<String>,
    /// Problem lines when the transaction could not be solved (BadDeps).
    pub bad_deps: Vec<String>,
    /// The install set (core included), sorted; empty on BadDeps/NoSource.
    /// Shared by the sources whose transactions are the same.
    pub installed: Arc<[PkgId]>,
    /// The solution, kept for explanations.
    pub solution: Option<Arc<Solution>>,
    /// The transaction's jobs as text (core names, then BuildRequires), in
    /// the order the solution's job indexes use.
    pub jobs: Vec<String>,
}

impl SourceRecord {
    /// No source package and not a placeholder.
    pub fn no_source(&self) -> bool {
        self.srpm.is_none() && !self.placeholder
    }

    /// Any of NoInstall, BadDeps, NoSource.
    pub fn has_errors(&self) -> bool {
        !self.no_install.is_empty() || !self.bad_deps.is_empty() || self.no_source()
    }
}

/// The core buildroot resolved alone.
#[derive(Clone, Debug, Default)]
pub struct CoreRecord {
    /// The core names (`dnf install NAME` each).
    pub names: Vec<String>,
    /// Core names no package matches.
    pub missing: Vec<String>,
    /// Problem lines if the core alone cannot be solved.
    pub problems: Vec<String>,
    /// The install set, sorted; empty when the core cannot be solved.
    pub installed: Vec<PkgId>,
    /// The solution, kept for explanations.
    pub solution: Option<Solution>,
}

/// The result of a run.
pub struct Buildroot<'p> {
    /// The packages the run resolved against.
    pub pool: &'p Pool,
    /// The core buildroot resolved alone.
    pub core: CoreRecord,
    /// Every source of the run, sorted by name.
    pub sources: Vec<SourceRecord>,
    /// [`Scope::Input`]: the sources of the installed binaries (the core's
    /// included) that the run did not build, sorted by name, each with the
    /// source package the fixed point would choose (None: no repository
    /// holds one). Empty in a fixed point, which builds them all.
    pub not_built: Vec<(String, Option<PkgId>)>,
    /// How far the run went ([`Config::scope`]).
    pub scope: Scope,
}

/// Progress of a run: reported when a layer starts, after every source of
/// it (from the worker threads, in any order), and once at the end
/// (`queued` 0). A seam for a progress display; the library draws nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// The layer (0: input and core sources, then one more per step).
    pub layer: usize,
    /// Sources in this layer.
    pub queued: usize,
    /// Sources of this layer resolved so far.
    pub layer_done: usize,
    /// Sources resolved so far (this layer's included).
    pub resolved: usize,
    /// Sources with errors so far.
    pub failed: usize,
}

/// Computes the buildroot of `input` source names.
pub fn run<'p>(pool: &'p Pool, input: &[String], cfg: &Config) -> Result<Buildroot<'p>> {
    run_with_progress(pool, input, cfg, |_| {})
}

/// Source names already in the run: pool symbols in a bitmap (every binary's
/// source name is one), other names (input, placeholders) in a set.
struct Seen<'p> {
    pool: &'p Pool,
    syms: Vec<bool>,
    others: FxHashSet<String>,
}

impl<'p> Seen<'p> {
    fn new(pool: &'p Pool) -> Seen<'p> {
        Seen {
            pool,
            syms: vec![false; pool.nsyms()],
            others: FxHashSet::default(),
        }
    }

    /// Marks `name`; whether it was new.
    fn insert(&mut self, name: &str) -> bool {
        match self.pool.sym(name) {
            Some(s) => self.insert_sym(s),
            None => self.others.insert(name.to_string()),
        }
    }

    fn insert_sym(&mut self, sym: crate::pool::StrId) -> bool {
        !std::mem::replace(&mut self.syms[sym.to_usize()], true)
    }
}

/// A resolved transaction, shared by every source with the same jobs.
type Outcome = Arc<(std::result::Result<Arc<Solution>, Unsolvable>, Arc<[PkgId]>)>;

/// Sources of a layer (their index in it, their record) sharing one job list.
type Group = (Vec<Job>, Vec<(usize, SourceRecord)>);

/// [`run`], calling `progress` as it goes (see [`Progress`]; it is called
/// from several threads at once).
///
/// Sources whose jobs are identical (the same BuildRequires in the same
/// order) share one transaction: its result is a function of the pool and
/// the job list alone.
pub fn run_with_progress<'p>(
    pool: &'p Pool,
    input: &[String],
    cfg: &Config,
    progress: impl Fn(Progress) + Sync,
) -> Result<Buildroot<'p>> {
    let core_jobs: Vec<Job> = cfg.core.iter().map(|n| Job::Install(n.clone())).collect();
    // One resolver for the whole run: package rules computed once.
    let mut resolver = Resolver::new(pool);
    resolver.set_common_jobs(&core_jobs);
    let core = resolve_core(&resolver, &cfg.core, &core_jobs);

    let mut seen = Seen::new(pool);
    let mut layer: Vec<(String, Origin)> = Vec::new();
    for name in input {
        if seen.insert(name) {
            layer.push((name.clone(), Origin::Input));
        }
    }
    let fixed_point = cfg.scope == Scope::FixedPoint;
    for name in cfg.placeholders.keys().filter(|_| fixed_point) {
        if seen.insert(name) {
            layer.push((name.clone(), Origin::Placeholder));
        }
    }
    let mut core_sources: Vec<String> = core
        .installed
        .iter()
        .map(|&p| pool.source_name(p).to_string())
        .collect();
    core_sources.sort();
    core_sources.dedup();
    for s in core_sources.into_iter().filter(|_| fixed_point) {
        if seen.insert(&s) {
            layer.push((s, Origin::Core));
        }
    }

    // BuildRequires that have a base in the resolver.
    let mut with_base: FxHashSet<Job> = FxHashSet::default();
    // BuildRequires jobs (the core's jobs left out) -> outcome.
    let mut memo: FxHashMap<Vec<Job>, Outcome> = FxHashMap::default();
    let mut records: Vec<SourceRecord> = Vec::new();
    let mut depth = 0;
    let mut failed = 0;
    while !layer.is_empty() {
        let at = Progress {
            layer: depth,
            queued: layer.len(),
            layer_done: 0,
            resolved: records.len(),
            failed,
        };
        progress(at);
        let (done_here, failed_here) = (AtomicUsize::new(0), AtomicUsize::new(0));
        // One report per finished source, from whichever thread finished it.
        let report = |rec: &SourceRecord| {
            let bad = rec.has_errors() as usize;
            let f = failed_here.fetch_add(bad, Ordering::Relaxed) + bad;
            let n = done_here.fetch_add(1, Ordering::Relaxed) + 1;
            progress(Progress {
                layer_done: n,
                resolved: at.resolved + n,
                failed: at.failed + f,
                ..at
            });
        };
        let prepared: Vec<(SourceRecord, Option<Vec<Job>>)> = layer
            .par_iter()
            .map(|(name, origin)| prepare_source(pool, cfg, name, origin.clone(), depth))
            .collect();
        // A source whose job list was solved before (or that has none) is
        // done now; the others are grouped by job list, each list solved
        // once, in parallel.
        let mut done: Vec<Option<SourceRecord>> = Vec::with_capacity(prepared.len());
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of: FxHashMap<Vec<Job>, usize> = FxHashMap::default();
        for (i, (mut rec, jobs)) in prepared.into_iter().enumerate() {
            let Some(jobs) = jobs else {
                report(&rec);
                done.push(Some(rec));
                continue;
            };
            if let Some(outcome) = memo.get(&jobs) {
                finish_source(&mut rec, outcome, core_jobs.len());
                report(&rec);
                done.push(Some(rec));
                continue;
            }
            done.push(None);
            match group_of.get(&jobs) {
                Some(&g) => groups[g].1.push((i, rec)),
                None => {
                    group_of.insert(jobs.clone(), groups.len());
                    groups.push((jobs, vec![(i, rec)]));
                }
            }
        }
        drop(group_of);
        let todo: Vec<&Vec<Job>> = groups.iter().map(|(j, _)| j).collect();
        add_bases(&mut resolver, &todo, &mut with_base);
        let resolver = &resolver;
        let solved: Vec<(Group, Outcome)> = groups
            .into_par_iter()
            .map(|(brs, mut members)| {
                let mut jobs = core_jobs.clone();
                jobs.extend(brs.iter().cloned());
                let res = resolver.resolve(&jobs).map(Arc::new);
                let installed: Arc<[PkgId]> = match &res {
                    Ok(sol) => sol.installed.as_slice().into(),
                    Err(_) => Arc::from(Vec::new()),
                };
                let outcome: Outcome = Arc::new((res, installed));
                for (_, rec) in &mut members {
                    finish_source(rec, &outcome, core_jobs.len());
                    report(rec);
                }
                ((brs, members), outcome)
            })
            .collect();
        for ((brs, members), outcome) in solved {
            for (i, rec) in members {
                done[i] = Some(rec);
            }
            memo.insert(brs, outcome);
        }
        let n = done.len();
        let done: Vec<SourceRecord> = done.into_iter().flatten().collect();
        debug_assert_eq!(done.len(), n, "every source of the layer finished");
        let mut next: Vec<(String, Origin)> = Vec::new();
        for rec in &done {
            for &b in rec.installed.iter() {
                if seen.insert_sym(pool.source_sym(b)) {
                    let src = pool.source_name(b);
                    next.push((
                        src.to_string(),
                        Origin::Needed {
                            by: rec.name.clone(),
                            binary: b,
                        },
                    ));
                }
            }
        }
        failed += done.iter().filter(|r| r.has_errors()).count();
        records.extend(done);
        next.sort_by(|a, b| a.0.cmp(&b.0));
        layer = next;
        depth += 1;
        if !fixed_point {
            break;
        }
    }
    let not_built = match cfg.scope {
        Scope::FixedPoint => Vec::new(),
        Scope::Input => not_built(pool, cfg, &core, layer, &mut seen),
    };
    progress(Progress {
        layer: depth,
        queued: 0,
        layer_done: 0,
        resolved: records.len(),
        failed,
    });
    records.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Buildroot {
        pool,
        core,
        sources: records,
        not_built,
        scope: cfg.scope,
    })
}

/// [`Scope::Input`]'s sources left unbuilt: `next` (what the input's builds
/// would queue) and the sources of the core's binaries not built already,
/// each with the source package [`choose_source`] picks.
fn not_built(
    pool: &Pool,
    cfg: &Config,
    core: &CoreRecord,
    next: Vec<(String, Origin)>,
    seen: &mut Seen,
) -> Vec<(String, Option<PkgId>)> {
    let mut names: Vec<String> = next.into_iter().map(|(n, _)| n).collect();
    for &b in &core.installed {
        if seen.insert_sym(pool.source_sym(b)) {
            names.push(pool.source_name(b).to_string());
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let srpm = choose_source(pool, &n, cfg);
            (n, srpm)
        })
        .collect()
}

/// Gives the resolver a base (the core plus one BuildRequires) for every
/// BuildRequires that many of the transactions about to be solved share:
/// their common rules are then unified once (a speed-up only; answers do
/// not depend on it).
fn add_bases(resolver: &mut Resolver, todo: &[&Vec<Job>], done: &mut FxHashSet<Job>) {
    let mut count: FxHashMap<&Job, usize> = FxHashMap::default();
    for jobs in todo {
        for j in jobs.iter() {
            *count.entry(j).or_default() += 1;
        }
    }
    let min = (todo.len() / 50).max(32);
    let mut frequent: Vec<(&Job, usize)> = count.into_iter().filter(|&(_, n)| n >= min).collect();
    frequent.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.to_string().cmp(&b.0.to_string()))
    });
    for (j, _) in frequent {
        if done.insert(j.clone()) {
            resolver.add_base(std::slice::from_ref(j));
        }
    }
}

fn resolve_core(resolver: &Resolver, names: &[String], jobs: &[Job]) -> CoreRecord {
    let mut rec = CoreRecord {
        names: names.to_vec(),
        ..Default::default()
    };
    match resolver.resolve(jobs) {
        Ok(sol) => {
            rec.missing = sol.unmatched.iter().map(|&i| names[i].clone()).collect();
            rec.installed = sol.installed.clone();
            rec.solution = Some(sol);
        }
        Err(u) => {
            rec.missing = u.unmatched.iter().map(|&i| names[i].clone()).collect();
            rec.problems = u.problems;
        }
    }
    rec
}

/// Reads content-resolver's placeholder JSON (`{"NAME": {"build_requires": [...]}}`).
pub fn read_placeholders(path: &std::path::Path) -> Result<BTreeMap<String, Vec<String>>> {
    let ph = crate::workload::Placeholders::read(&path.to_string_lossy())?;
    Ok(ph
        .sources
        .into_iter()
        .map(|(k, v)| (k, v.build_requires))
        .collect())
}

pub use why::{explain, why, why_all, why_steps, FailedBuild, WhyAnswer};
