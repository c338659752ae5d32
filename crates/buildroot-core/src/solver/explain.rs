//! Why each package of a [`Solution`] is there: which installed packages
//! require it (Requires matched against provides and files; a rich
//! dependency by the providers of the branches its conditions select on the
//! installed packages) and which job brought it in.
//! The generator uses this for its relations output and `--why`.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::Solution;
use crate::pool::{DepAccess, DepId, DepNode, PkgId, Pool, SolvableId};

/// How a package came into a solution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A candidate of job `0` (index into the job list).
    Job(usize),
    /// Required by `by`, which itself came in through job `job`.
    RequiredBy {
        /// The package that requires it.
        by: PkgId,
        /// The job `by` came in through (index into the job list).
        job: usize,
    },
    /// Installed for another reason (e.g. to defuse a rich conflict).
    Other,
}

/// Whether `dep` holds on the installed packages (`inst`): libsolv's
/// `solver_dep_fulfilled`, as the solver's policy evaluates it.
fn fulfilled(acc: &impl DepAccess, dep: DepId, inst: &impl Fn(SolvableId) -> bool) -> bool {
    match acc.node(dep) {
        DepNode::Cond(a, b) => fulfilled(acc, a, inst) || !fulfilled(acc, b, inst),
        DepNode::CondElse(a, b, c) => {
            if fulfilled(acc, b, inst) {
                fulfilled(acc, a, inst)
            } else {
                fulfilled(acc, c, inst)
            }
        }
        DepNode::Unless(a, b) => fulfilled(acc, a, inst) && !fulfilled(acc, b, inst),
        DepNode::UnlessElse(a, b, c) => {
            if !fulfilled(acc, b, inst) {
                fulfilled(acc, a, inst)
            } else {
                fulfilled(acc, c, inst)
            }
        }
        DepNode::And(a, b) => fulfilled(acc, a, inst) && fulfilled(acc, b, inst),
        DepNode::Or(a, b) => fulfilled(acc, a, inst) || fulfilled(acc, b, inst),
        _ => acc.dep_providers(dep).iter().any(|&s| inst(s)),
    }
}

/// The installed packages (`inst`) through which requirement `dep` is met,
/// pushed to `out`. A simple dependency: its installed providers. A rich
/// one: those of the branches its conditions select on the installed
/// packages. The pool's provider list of `(a if b)` is a's (the condition
/// assumed true, as the solver needs it), but with b not installed `(a if
/// b)` asks for nothing, and an explanation saying "a is required by it"
/// would be false (`--why` chains are read as facts about the metadata).
pub(crate) fn serving(
    acc: &impl DepAccess,
    dep: DepId,
    inst: &impl Fn(SolvableId) -> bool,
    out: &mut Vec<SolvableId>,
) {
    match acc.node(dep) {
        DepNode::And(a, b) | DepNode::Or(a, b) => {
            serving(acc, a, inst, out);
            serving(acc, b, inst, out);
        }
        DepNode::Cond(a, b) => {
            if fulfilled(acc, b, inst) {
                serving(acc, a, inst, out);
            }
        }
        DepNode::Unless(a, b) => {
            if !fulfilled(acc, b, inst) {
                serving(acc, a, inst, out);
            }
        }
        DepNode::CondElse(a, b, c) => {
            let branch = if fulfilled(acc, b, inst) { a } else { c };
            serving(acc, branch, inst, out);
        }
        DepNode::UnlessElse(a, b, c) => {
            let branch = if fulfilled(acc, b, inst) { c } else { a };
            serving(acc, branch, inst, out);
        }
        // A simple dependency, `with`, `without`: the provider list is exact.
        _ => {
            for &s in acc.dep_providers(dep).iter() {
                if s.is_package() && inst(s) && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
    }
}

impl Solution {
    /// For every installed package (sorted), the installed packages whose
    /// Requires it satisfies (sorted, without itself).
    pub fn required_by(&self, pool: &Pool) -> Vec<(PkgId, Vec<PkgId>)> {
        let fwd = self.requires_edges(pool);
        let mut back: FxHashMap<PkgId, Vec<PkgId>> = FxHashMap::default();
        for (q, provs) in &fwd {
            for p in provs {
                back.entry(*p).or_default().push(*q);
            }
        }
        self.installed
            .iter()
            .map(|p| {
                let mut v = back.remove(p).unwrap_or_default();
                v.sort_unstable();
                v.dedup();
                (*p, v)
            })
            .collect()
    }

    /// For every installed package (sorted), why it is there: a job
    /// candidate, or required by a package reached from a job (breadth first,
    /// jobs in order), or something else.
    pub fn reasons(&self, pool: &Pool) -> Vec<(PkgId, Reason)> {
        let fwd: FxHashMap<PkgId, Vec<PkgId>> = self.requires_edges(pool).into_iter().collect();
        let mut reason: FxHashMap<PkgId, Reason> = FxHashMap::default();
        let mut job_of: FxHashMap<PkgId, usize> = FxHashMap::default();
        let mut queue = VecDeque::new();
        for (j, cands) in self.job_candidates.iter().enumerate() {
            for c in cands {
                if self.installed.binary_search(c).is_ok() && !reason.contains_key(c) {
                    reason.insert(*c, Reason::Job(j));
                    job_of.insert(*c, j);
                    queue.push_back(*c);
                }
            }
        }
        while let Some(p) = queue.pop_front() {
            let job = job_of[&p];
            for q in fwd.get(&p).map(|v| v.as_slice()).unwrap_or(&[]) {
                if !reason.contains_key(q) {
                    reason.insert(*q, Reason::RequiredBy { by: p, job });
                    job_of.insert(*q, job);
                    queue.push_back(*q);
                }
            }
        }
        self.installed
            .iter()
            .map(|p| (*p, reason.remove(p).unwrap_or(Reason::Other)))
            .collect()
    }

    /// Whether solvable `s` is a package this solution installs.
    fn installed_solvable(&self, s: SolvableId) -> bool {
        s.is_package() && self.installed.binary_search(&s.package()).is_ok()
    }

    /// Installed package -> installed providers of its Requires, in Requires
    /// order (first occurrence).
    fn requires_edges(&self, pool: &Pool) -> Vec<(PkgId, Vec<PkgId>)> {
        let mut out = Vec::with_capacity(self.installed.len());
        for &q in &self.installed {
            let d = pool.sd(q.solvable());
            let mut provs = Vec::new();
            let mut sids = Vec::new();
            for &dep in pool.deps_of(d.requires) {
                sids.clear();
                serving(pool, dep, &|s| self.installed_solvable(s), &mut sids);
                for &s in &sids {
                    let p = s.package();
                    if p != q && !provs.contains(&p) {
                        provs.push(p);
                    }
                }
            }
            out.push((q, provs));
        }
        out
    }
}
