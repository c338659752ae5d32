//! Install sets as dnf (libsolv) computes them: a job list installed into an
//! empty root with weak dependencies off and `best=False`.
//!
//! This is a re-implementation of the parts of libsolv 0.7.23 that a fresh
//! install exercises, in the same order, because which of several valid
//! answers dnf gives depends on libsolv's decision order:
//! - [`jobs`]: dnf's job construction (`dnf install NAME`: NEVRA forms, name
//!   before provides, obsoleters; `dnf builddep`: provides selector, file
//!   fallback, rich deps);
//! - [`rules`]: package rules from a work-list walk over the job candidates
//!   (requires, conflicts, obsoletes, same-name, rich deps in CNF), sorted and
//!   de-duplicated, then job rules, then inferior-arch ("lock-step") rules;
//! - [`sat`]: unit propagation with watched literals, libsolv's decision
//!   loop (jobs first, then dependency rules with postponing), conflict
//!   analysis with learnt rules and back-jumping, and the minimisation pass;
//! - [`policy`]: the choice between alternatives (`policy_filter_unwanted`);
//! - [`problems`]: dnf-like problem descriptions;
//! - [`explain`]: why each package of a solution is there;
//! - [`installed`]: what an installed system adds (`dnf install` on top of
//!   installed packages, [`resolve_on`]).
//!
//! See `docs/resolver.md` for the design and the measured agreement with dnf.

mod explain;
mod installed;
mod jobs;
mod policy;
mod problems;
pub(crate) mod rules;
mod sat;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::dep::Dep;
use crate::evr::Evr;
use crate::pool::{compute_providers, DepAccess, DepInterner, DepNode, PkgId, Pool, Prov};

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
    GroupPackage { name: String, basearch_only: bool },
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
    /// For every job, the candidates it offered (empty when unmatched); the
    /// explanation API starts from these.
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

/// Resolves `jobs` into an empty root.
pub fn resolve(pool: &Pool, jobs: &[Job]) -> Result<Solution, Unsolvable> {
    resolve_on(pool, &[], jobs)
}

/// Resolves `jobs` as `dnf install` does on a system where `installed`
/// (packages of the pool, as an earlier transaction from the same repos
/// installed them) are installed: they stay, and satisfy what they provide
/// (`installed.rs` says how closely this follows libsolv).
pub fn resolve_on(pool: &Pool, installed: &[PkgId], jobs: &[Job]) -> Result<Solution, Unsolvable> {
    let mut ov = Overlay::new(pool);
    let built = jobs::build_jobs(&mut ov, jobs);
    let unmatched: Vec<usize> = built
        .iter()
        .enumerate()
        .filter(|(_, j)| j.is_none())
        .map(|(i, _)| i)
        .collect();
    let job_candidates: Vec<Vec<PkgId>> = built
        .iter()
        .map(|js| {
            let mut c: Vec<PkgId> = js
                .iter()
                .flatten()
                .flat_map(|j| j.candidates(&ov))
                .filter(|&s| s >= 2)
                .map(PkgId::from_sid)
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    let mut solver = sat::Solver::new(ov);
    let inst: Vec<u32> = installed.iter().map(|p| p.sid()).collect();
    solver.set_installed(&inst);
    let jl: Vec<jobs::SolverJob> = built.into_iter().flatten().flatten().collect();
    match solver.solve(&jl) {
        Ok(mut new) => {
            if !inst.is_empty() {
                new.retain(|p| !solver.installed[p.sid() as usize]);
            }
            Ok(Solution {
                installed: new,
                unmatched,
                job_candidates,
            })
        }
        Err(by_problem) => Err(Unsolvable::new(unmatched, by_problem)),
    }
}

/// The pool plus dependencies interned for one transaction's jobs (strings,
/// EVRs and nodes the pool does not know get ids after the pool's).
pub(crate) struct Overlay<'p> {
    pub pool: &'p Pool,
    strs: Vec<String>,
    str_map: FxHashMap<String, u32>,
    evrs: Vec<Evr>,
    evr_map: FxHashMap<Evr, u32>,
    nodes: Vec<DepNode>,
    node_map: FxHashMap<DepNode, u32>,
    wp: Vec<Vec<u32>>,
}

impl<'p> Overlay<'p> {
    pub(crate) fn new(pool: &'p Pool) -> Overlay<'p> {
        Overlay {
            pool,
            strs: Vec::new(),
            str_map: FxHashMap::default(),
            evrs: Vec::new(),
            evr_map: FxHashMap::default(),
            nodes: Vec::new(),
            node_map: FxHashMap::default(),
            wp: Vec::new(),
        }
    }

    /// A dependency as text (for problem messages), as libsolv's
    /// `pool_dep2str` writes it: a rich dependency in parentheses, except a
    /// chain of the same `and`/`or`/`with`/`without` inside it.
    pub(crate) fn dep_str(&self, dep: u32) -> String {
        self.dep_str_in(dep, None)
    }

    fn dep_str_in(&self, dep: u32, parent: Option<u8>) -> String {
        let evr_s = |e: u32| self.evr(e).to_string();
        // 1 and, 2 or, 3 with, 4 without: a same-op chain needs no parens.
        let bin = |op: u8, word: &str, a: u32, b: u32| {
            let inner = format!(
                "{} {word} {}",
                self.dep_str_in(a, Some(op)),
                self.dep_str_in(b, Some(op))
            );
            if parent == Some(op) {
                inner
            } else {
                format!("({inner})")
            }
        };
        let sub = |d: u32| self.dep_str_in(d, Some(0));
        match self.node(dep) {
            DepNode::Simple { name, flags, evr } => {
                let n = self.sym_str(name);
                let op = match flags {
                    0 => return n.to_string(),
                    1 => ">",
                    2 => "=",
                    3 => ">=",
                    4 => "<",
                    6 => "<=",
                    _ => "<=>",
                };
                format!("{n} {op} {}", evr_s(evr))
            }
            DepNode::And(a, b) => bin(1, "and", a, b),
            DepNode::Or(a, b) => bin(2, "or", a, b),
            DepNode::With(a, b) => bin(3, "with", a, b),
            DepNode::Without(a, b) => bin(4, "without", a, b),
            DepNode::Cond(a, b) => format!("({} if {})", sub(a), sub(b)),
            DepNode::CondElse(a, b, c) => {
                format!("({} if {} else {})", sub(a), sub(b), sub(c))
            }
            DepNode::Unless(a, b) => format!("({} unless {})", sub(a), sub(b)),
            DepNode::UnlessElse(a, b, c) => {
                format!("({} unless {} else {})", sub(a), sub(b), sub(c))
            }
        }
    }
}

impl DepInterner for Overlay<'_> {
    fn intern_str(&mut self, s: &str) -> u32 {
        if let Some(sym) = self.pool.sym(s) {
            return sym;
        }
        if let Some(&id) = self.str_map.get(s) {
            return id;
        }
        let id = self.pool.nsyms() + self.strs.len() as u32;
        self.strs.push(s.to_string());
        self.str_map.insert(s.to_string(), id);
        id
    }

    fn intern_evr(&mut self, evr: &Evr) -> u32 {
        if let Some(id) = self.pool.evr_id(evr) {
            return id;
        }
        if let Some(&id) = self.evr_map.get(evr) {
            return id;
        }
        let id = self.pool.nevrs() + self.evrs.len() as u32;
        self.evrs.push(evr.clone());
        self.evr_map.insert(evr.clone(), id);
        id
    }

    fn intern_node(&mut self, node: DepNode) -> u32 {
        if let Some(id) = self.pool.node_id(&node) {
            return id;
        }
        if let Some(&id) = self.node_map.get(&node) {
            return id;
        }
        let list = compute_providers(&*self, node);
        let id = self.pool.nnodes() + self.nodes.len() as u32;
        self.nodes.push(node);
        self.node_map.insert(node, id);
        self.wp.push(list);
        id
    }
}

impl DepAccess for Overlay<'_> {
    fn sym_str(&self, sym: u32) -> &str {
        let n = self.pool.nsyms();
        if sym < n {
            self.pool.str_of(sym)
        } else {
            &self.strs[(sym - n) as usize]
        }
    }

    fn evr(&self, id: u32) -> &Evr {
        let n = self.pool.nevrs();
        if id < n {
            &self.pool.evrs[id as usize]
        } else {
            &self.evrs[(id - n) as usize]
        }
    }

    fn node(&self, dep: u32) -> DepNode {
        let n = self.pool.nnodes();
        if dep < n {
            self.pool.nodes[dep as usize]
        } else {
            self.nodes[(dep - n) as usize]
        }
    }

    fn name_providers(&self, sym: u32) -> Cow<'_, [u32]> {
        let n = self.pool.nsyms();
        if sym < n {
            self.pool.name_providers(sym)
        } else {
            // Not in the pool: nothing provides it (paths included, as in
            // libsolv after `pool_addfileprovides`).
            Cow::Borrowed(&[])
        }
    }

    fn dep_providers(&self, dep: u32) -> Cow<'_, [u32]> {
        let n = self.pool.nnodes();
        if dep < n {
            self.pool.dep_providers(dep)
        } else {
            Cow::Borrowed(&self.wp[(dep - n) as usize])
        }
    }

    fn provides_of(&self, sid: u32) -> &[Prov] {
        self.pool.provides_of(sid)
    }

    fn owns_file(&self, sid: u32, sym: u32) -> bool {
        let path = self.sym_str(sym);
        self.pool
            .package(PkgId::from_sid(sid))
            .files
            .iter()
            .any(|f| f == path)
    }
}
