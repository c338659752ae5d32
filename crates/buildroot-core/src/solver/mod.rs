//! Install sets as dnf (libsolv) computes them: a job list installed into an
//! empty root with weak dependencies off and `best=False`.
//!
//! API CONTRACT (implementation in progress on the `resolver` branch).

use crate::dep::Dep;
use crate::pool::{PkgId, Pool};

/// One request of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    /// As `dnf install NAME`: package names first (NEVRA forms), then
    /// provides, then files; obsoleters of a name match are added.
    Install(String),
    /// As `dnf builddep` takes one BuildRequires: a provides selector (a path
    /// also matches files); rich dependencies evaluated for real.
    Provides(Dep),
}

/// A solved transaction.
#[derive(Clone, Debug)]
pub struct Solution {
    /// Installed packages, sorted by id.
    pub installed: Vec<PkgId>,
    /// Jobs that matched nothing (dnf's "No match for argument"): the
    /// transaction was solved without them. Indexes into the job list.
    pub unmatched: Vec<usize>,
}

/// Why a transaction could not be solved.
#[derive(Clone, Debug)]
pub struct Unsolvable {
    /// Jobs that matched nothing (indexes into the job list).
    pub unmatched: Vec<usize>,
    /// dnf-like problem descriptions, one per line.
    pub problems: Vec<String>,
}

/// Resolves `jobs` into an empty root.
pub fn resolve(pool: &Pool, jobs: &[Job]) -> Result<Solution, Unsolvable> {
    let _ = (pool, jobs);
    unimplemented!("solver: in progress on the resolver branch")
}
