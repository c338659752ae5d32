//! Why each package of a [`Solution`] is there: which installed packages
//! require it (Requires matched against provides and files, rich
//! dependencies by their possible providers) and which job brought it in.
//! The generator uses this for its relations output and `--why`.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::Solution;
use crate::pool::{DepAccess, PkgId, Pool};

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

    /// Installed package -> installed providers of its Requires, in Requires
    /// order (first occurrence).
    fn requires_edges(&self, pool: &Pool) -> Vec<(PkgId, Vec<PkgId>)> {
        let mut out = Vec::with_capacity(self.installed.len());
        for &q in &self.installed {
            let d = pool.sd(q.solvable());
            let mut provs = Vec::new();
            for &dep in pool.deps_of(d.requires) {
                for &s in pool.dep_providers(dep).iter() {
                    if !s.is_package() {
                        continue;
                    }
                    let p = s.package();
                    if p != q && self.installed.binary_search(&p).is_ok() && !provs.contains(&p) {
                        provs.push(p);
                    }
                }
            }
            out.push((q, provs));
        }
        out
    }
}
