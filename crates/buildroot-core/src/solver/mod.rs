//! Install sets as dnf (libsolv) computes them: a job list installed into an
//! empty root (or on an installed system) with `best=False`, weak
//! dependencies off unless asked for ([`Resolver::set_install_weak_deps`]).
//!
//! This is a re-implementation of the parts of libsolv 0.7.23 that a fresh
//! install exercises, in the same order, because which of several valid
//! answers dnf gives depends on libsolv's decision order:
//! - `jobs`: dnf's job construction (`dnf install NAME`: NEVRA forms, name
//!   before provides, obsoleters; `dnf builddep`: provides selector, file
//!   fallback, rich deps);
//! - `rules`: package rules from a work-list walk over the job candidates
//!   (requires, conflicts, obsoletes, same-name, rich deps in CNF), sorted and
//!   de-duplicated, then job rules, then inferior-arch ("lock-step") rules;
//! - `sat`: unit propagation with watched literals, libsolv's decision
//!   loop (jobs first, then dependency rules with postponing), conflict
//!   analysis with learnt rules and back-jumping, and the minimisation pass;
//! - `policy`: the choice between alternatives (`policy_filter_unwanted`);
//! - `problems`: dnf-like problem descriptions;
//! - `explain`: why each package of a solution is there;
//! - `choice`: the choice rules of an installed system;
//! - `installed`: what an installed system adds (`dnf install` on top of
//!   installed packages, [`resolve_on`]);
//! - `weak`: installing Recommends and Supplements (dnf's
//!   `install_weak_deps=True`, libsolv `resolve_weak`);
//! - `cache`: what a [`Resolver`] keeps across transactions;
//! - `id`: literals, rule ids and decision causes (the solver's typed ids;
//!   the pool's are in `pool/id.rs`).
//!
//! See `docs/resolver.md` for the design and the measured agreement with dnf.

mod cache;
mod choice;
mod cplxdeps;
mod decide;
mod explain;
mod id;
mod installed;
mod jobs;
mod pkgrules;
mod policy;
mod problems;
mod propagate;
pub(crate) mod rules;
mod sat;
mod weak;

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::dep::Dep;
use crate::pool::{DepAccess, DepId, Overlay, PkgId, Pool, SolvableId};
use cache::{RuleCache, Workspace};
use jobs::SolverJob;
use rules::BaseRules;

pub use explain::Reason;

/// One request of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// As `dnf install NAME`: package names first (NEVRA forms), then
    /// provides, then files; obsoleters of a name match are added.
    Install(String),
    /// As `dnf builddep` takes one BuildRequires: a provides selector (a path
    /// also matches files); rich dependencies evaluated for real.
    Provides(Dep),
    /// As `dnf group install` takes one package of a comps group: the
    /// packages named exactly `name` (of the pool's base arch only when
    /// `basearch_only`) and their obsoleters; nothing else is tried.
    GroupPackage {
        /// The package name.
        name: String,
        /// Only packages of the pool's base arch (else every arch).
        basearch_only: bool,
    },
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Install(s) => write!(f, "install {s}"),
            Job::Provides(d) => write!(f, "provides {d}"),
            Job::GroupPackage { name, .. } => write!(f, "group package {name}"),
        }
    }
}

/// A solved transaction.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The packages the transaction installs, sorted by id (on an installed
    /// system, [`resolve_on`], the ones it adds: installed ones kept are
    /// not listed).
    pub installed: Vec<PkgId>,
    /// Jobs that matched nothing (dnf's "No match for argument"): the
    /// transaction was solved without them. Indexes into the job list.
    pub unmatched: Vec<usize>,
    /// For every job, the candidates it offered (empty when unmatched); for
    /// a conditional rich dependency (`(a if b)`), only those of the branch
    /// its conditions select in the solution. The explanation API starts
    /// from these.
    pub job_candidates: Vec<Vec<PkgId>>,
}

/// Why a transaction could not be solved.
#[derive(Clone, Debug)]
pub struct Unsolvable {
    /// Jobs that matched nothing (indexes into the job list).
    pub unmatched: Vec<usize>,
    /// dnf-like problem descriptions, one per line: the lines of every
    /// problem in order, each line once.
    pub problems: Vec<String>,
    /// The independent problems as dnf lists them ("Problem 1: ...",
    /// "Problem 2: ..."), each its lines in dnf's order.
    pub by_problem: Vec<Vec<String>>,
}

impl Unsolvable {
    fn new(unmatched: Vec<usize>, by_problem: Vec<Vec<String>>) -> Unsolvable {
        let mut problems: Vec<String> = Vec::new();
        for l in by_problem.iter().flatten() {
            if !problems.contains(l) {
                problems.push(l.clone());
            }
        }
        Unsolvable {
            unmatched,
            problems,
            by_problem,
        }
    }

    /// The problems in dnf's layout: `Problem: a` + `  - b` lines for one
    /// problem, `Problem N: ...` for several.
    pub fn dnf_text(&self) -> String {
        let mut out = String::new();
        let n = self.by_problem.len();
        for (i, lines) in self.by_problem.iter().enumerate() {
            if !out.is_empty() {
                out.push('\n');
            }
            if n > 1 {
                out.push_str(&format!("Problem {}: ", i + 1));
            } else {
                out.push_str("Problem: ");
            }
            out.push_str(&lines.join("\n  - "));
        }
        out
    }
}

/// A failed transaction is an error like any other, so `?` carries it.
impl std::error::Error for Unsolvable {}

/// A failed transaction's problem lines in one short line for a person:
/// the first that says something (libsolv's bare "conflicting requests"
/// does not) and how many more lines there are (one problem may take
/// several).
pub fn first_problem(problems: &[String]) -> String {
    let telling: Vec<&str> = problems
        .iter()
        .map(String::as_str)
        .filter(|p| *p != "conflicting requests")
        .collect();
    let first = telling.first().copied().unwrap_or("conflicting requests");
    match telling.len() {
        0 | 1 => first.to_string(),
        2 => format!("{first} (and 1 more problem line)"),
        n => format!("{first} (and {} more problem lines)", n - 1),
    }
}

impl std::fmt::Display for Unsolvable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.by_problem.len() <= 1 {
            return f.write_str(&self.problems.join("; "));
        }
        let parts: Vec<String> = self
            .by_problem
            .iter()
            .enumerate()
            .map(|(i, l)| format!("problem {}: {}", i + 1, l.join("; ")))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Resolves `jobs` into an empty root (a one-off [`Resolver`]; to resolve
/// many transactions over one pool, keep a `Resolver`).
pub fn resolve(pool: &Pool, jobs: &[Job]) -> Result<Solution, Unsolvable> {
    Resolver::new(pool).resolve(jobs)
}

/// Resolves `jobs` as `dnf install` does on a system where `installed`
/// (packages of the pool, as an earlier transaction from the same repos
/// installed them) are installed: they stay, and satisfy what they provide
/// (`installed.rs` says how closely this follows libsolv). A one-off
/// [`Resolver`], as for [`resolve`].
pub fn resolve_on(pool: &Pool, installed: &[PkgId], jobs: &[Job]) -> Result<Solution, Unsolvable> {
    Resolver::new(pool).resolve_on(installed, jobs)
}

/// Resolves transactions over one pool, keeping across them what does not
/// depend on the jobs: every solvable's package rules, the solver jobs of
/// `Job::Install` names, and the solver's per-solvable arrays. Each
/// transaction gives exactly what [`resolve`] gives (docs/resolver.md,
/// "Speed"). `Sync`: one resolver serves every thread.
pub struct Resolver<'p> {
    pool: &'p Pool,
    rules: RuleCache,
    /// `Job::Install` spec -> its solver jobs (candidates are pool ids only).
    install: Mutex<FxHashMap<String, Option<Vec<SolverJob>>>>,
    /// Cleared workspaces, one per thread that has used the resolver.
    spare: Mutex<Vec<Workspace>>,
    /// The jobs most transactions start with (see `set_common_jobs`).
    common: Vec<Job>,
    /// Prepared walks: the common jobs plus some further jobs (none for
    /// the first), and the unified rules of what their candidates reach.
    bases: Vec<(Vec<Job>, BaseRules)>,
    /// Job -> the bases whose further jobs include it.
    base_index: FxHashMap<Job, Vec<usize>>,
    /// Install weak dependencies (dnf `install_weak_deps`).
    weak_deps: bool,
}

impl<'p> Resolver<'p> {
    /// A resolver over `pool` (nothing is computed before it is needed).
    pub fn new(pool: &'p Pool) -> Resolver<'p> {
        Resolver {
            pool,
            rules: RuleCache::new(pool),
            install: Mutex::new(FxHashMap::default()),
            spare: Mutex::new(Vec::new()),
            common: Vec::new(),
            bases: Vec::new(),
            base_index: FxHashMap::default(),
            weak_deps: false,
        }
    }

    /// Installs weak dependencies as dnf does with `install_weak_deps=True`
    /// (off by default, as for buildroots: mock and koji turn them off):
    /// after every requirement is met, the Recommends of the packages the
    /// transaction installs and the packages whose Supplements they fulfil,
    /// each dropped when it cannot be installed (`weak.rs`;
    /// docs/resolver.md, "Weak dependencies"). The bases of
    /// [`Resolver::set_common_jobs`] serve transactions without weak
    /// dependencies only.
    pub fn set_install_weak_deps(&mut self, on: bool) {
        self.weak_deps = on;
    }

    /// Whether weak dependencies are installed.
    pub fn install_weak_deps(&self) -> bool {
        self.weak_deps
    }

    /// Declares the jobs most transactions will start with (the core
    /// buildroot's names): the rules of what their candidates reach are
    /// unified once, and every transaction whose job list starts with
    /// `jobs` starts from them. Answers do not change (docs/resolver.md,
    /// "Speed"). Forgets the bases of [`Resolver::add_base`].
    pub fn set_common_jobs(&mut self, jobs: &[Job]) {
        self.common = jobs.to_vec();
        self.bases.clear();
        self.base_index.clear();
        self.add_base(&[]);
    }

    /// Prepares a further base: the common jobs plus `extra` (e.g. a
    /// BuildRequires many sources share). A transaction that starts with
    /// the common jobs and contains every job of `extra` starts from the
    /// largest such base. Answers do not change.
    pub fn add_base(&mut self, extra: &[Job]) {
        let mut all = self.common.clone();
        all.extend_from_slice(extra);
        let mut ov = Overlay::new(self.pool);
        let built: Vec<SolverJob> = self
            .build(&mut ov, &all)
            .into_iter()
            .flatten()
            .flatten()
            .collect();
        let mut solver = sat::Solver::new(ov, &self.rules, self.workspace());
        let base = solver.base_rules(&built);
        self.give_back(solver.into_workspace());
        let i = self.bases.len();
        for j in extra {
            self.base_index.entry(j.clone()).or_default().push(i);
        }
        self.bases.push((extra.to_vec(), base));
    }

    /// Number of solvables a base for these jobs would start from (for
    /// choosing bases; 0 when there is no common prefix).
    pub fn base_size(&self, extra: &[Job]) -> usize {
        self.pick_base(extra).map(|b| b.strong.len()).unwrap_or(0)
    }

    /// The largest base that applies to a transaction whose jobs after the
    /// common prefix are `rest`.
    fn pick_base(&self, rest: &[Job]) -> Option<&BaseRules> {
        let mut best = self.bases.first().map(|(_, b)| b)?;
        for j in rest {
            for &i in self.base_index.get(j).into_iter().flatten() {
                let (extra, b) = &self.bases[i];
                if b.strong.len() > best.strong.len() && extra.iter().all(|e| rest.contains(e)) {
                    best = b;
                }
            }
        }
        Some(best)
    }

    fn build(&self, ov: &mut Overlay, jobs: &[Job]) -> Vec<Option<Vec<SolverJob>>> {
        jobs.iter()
            .map(|job| match job {
                Job::Install(spec) => self.install_jobs(ov, spec),
                Job::Provides(dep) => jobs::provides_job(ov, dep),
                Job::GroupPackage {
                    name,
                    basearch_only,
                } => jobs::group_package_job(ov, name, *basearch_only),
            })
            .collect()
    }

    fn workspace(&self) -> Workspace {
        self.spare
            .lock()
            .ok()
            .and_then(|mut v| v.pop())
            .unwrap_or_else(|| Workspace::new(SolvableId::table_len(self.pool.len())))
    }

    fn give_back(&self, ws: Workspace) {
        if let Ok(mut v) = self.spare.lock() {
            v.push(ws);
        }
    }

    /// The pool this resolver solves over.
    pub fn pool(&self) -> &'p Pool {
        self.pool
    }

    /// Resolves `jobs` into an empty root.
    pub fn resolve(&self, jobs: &[Job]) -> Result<Solution, Unsolvable> {
        self.resolve_on(&[], jobs)
    }

    /// Resolves `jobs` on a system where `installed` are installed (see
    /// [`resolve_on`]). The bases of [`Resolver::set_common_jobs`] and
    /// [`Resolver::add_base`] serve empty roots only: an installed system's
    /// walk starts at its installed packages, not at the common jobs.
    #[inline(never)]
    pub fn resolve_on(&self, installed: &[PkgId], jobs: &[Job]) -> Result<Solution, Unsolvable> {
        let pool = self.pool;
        let mut ov = Overlay::new(pool);
        let built = self.build(&mut ov, jobs);
        let unmatched: Vec<usize> = built
            .iter()
            .enumerate()
            .filter(|(_, j)| j.is_none())
            .map(|(i, _)| i)
            .collect();
        let mut job_candidates: Vec<Vec<PkgId>> = built
            .iter()
            .map(|js| {
                let mut c: Vec<PkgId> = js
                    .iter()
                    .flatten()
                    .flat_map(|j| j.candidates(&ov))
                    .filter(|s| s.is_package())
                    .map(SolvableId::package)
                    .collect();
                c.sort_unstable();
                c.dedup();
                c
            })
            .collect();
        let base = if installed.is_empty() && !self.weak_deps && jobs.starts_with(&self.common) {
            self.pick_base(&jobs[self.common.len()..])
        } else {
            None
        };
        let mut solver = sat::Solver::new(ov, &self.rules, self.workspace());
        let inst: Vec<SolvableId> = installed.iter().map(|p| p.solvable()).collect();
        solver.set_installed(&inst);
        if self.weak_deps {
            solver.weak_deps = true;
            solver.exclude_from_weak = weak::exclude_from_weak_autodetect(pool, &inst);
        }
        // Per job, its rich dependency when it has one (a BuildRequires
        // `(a if b)`), for the candidates it serves once solved.
        let rich: Vec<Option<DepId>> = built
            .iter()
            .map(|js| match js.as_deref() {
                Some([SolverJob::Provides { dep }]) if solver.ov.is_complex(*dep) => Some(*dep),
                _ => None,
            })
            .collect();
        let jl: Vec<SolverJob> = built.into_iter().flatten().flatten().collect();
        let res = solver.solve(&jl, base);
        let res = res.map(|mut new| {
            // On an installed system: what the transaction adds.
            if !inst.is_empty() {
                new.retain(|p| !solver.is_installed(p.solvable()));
            }
            new
        });
        // A conditional job asks only for the branch its condition selects
        // in the solution (`(a if b)` without b asks for nothing): its
        // candidates are narrowed to those, so that an explanation never
        // says a package came in through a job that did not ask for it.
        if let Ok(new) = &res {
            let in_new = |s: SolvableId| s.is_package() && new.binary_search(&s.package()).is_ok();
            for (cands, dep) in job_candidates.iter_mut().zip(&rich) {
                if let Some(dep) = *dep {
                    let mut serving = Vec::new();
                    explain::serving(&solver.ov, dep, &in_new, &mut serving);
                    cands.retain(|c| serving.contains(&c.solvable()));
                }
            }
        }
        self.give_back(solver.into_workspace());
        match res {
            Ok(installed) => Ok(Solution {
                installed,
                unmatched,
                job_candidates,
            }),
            Err(by_problem) => Err(Unsolvable::new(unmatched, by_problem)),
        }
    }

    /// The solver jobs of `Job::Install(spec)`, built once per spec: they
    /// name pool solvables only, never the transaction's own dependencies.
    fn install_jobs(&self, ov: &mut Overlay, spec: &str) -> Option<Vec<SolverJob>> {
        if let Some(j) = self.install.lock().ok().and_then(|m| m.get(spec).cloned()) {
            return j;
        }
        let j = Some(jobs::install_jobs(ov, spec.trim())).filter(|v| !v.is_empty());
        debug_assert!(j
            .iter()
            .flatten()
            .all(|j| matches!(j, SolverJob::OneOf { .. })));
        if let Ok(mut m) = self.install.lock() {
            m.insert(spec.to_string(), j.clone());
        }
        j
    }
}

#[cfg(test)]
mod tests {
    use super::first_problem;

    #[test]
    fn first_problem_says_something_and_counts_the_rest() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            first_problem(&lines(&["conflicting requests"])),
            "conflicting requests"
        );
        assert_eq!(
            first_problem(&lines(&["conflicting requests", "nothing provides a"])),
            "nothing provides a"
        );
        assert_eq!(
            first_problem(&lines(&[
                "nothing provides a",
                "conflicting requests",
                "nothing provides b",
                "x"
            ])),
            "nothing provides a (and 2 more problem lines)"
        );
    }
}
