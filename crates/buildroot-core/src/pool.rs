//! The package pool for one target arch: every installable package of the
//! enabled repos (arch rules, repo priority, excludes applied as dnf does),
//! the source packages of the source repos, and indexes from capability name
//! and file path to providers.
//!
//! API CONTRACT (implementation in progress on the `resolver` branch): the
//! signatures below are what the tools code against.

use crate::package::Package;
use crate::rpmmd::LoadedRepo;

/// Index of a package in the pool. Stable for the pool's lifetime; ordered
/// like libsolv's solvable ids (repo load order, then metadata order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PkgId(pub u32);

/// Installable binaries and available sources for one arch.
pub struct Pool {
    _private: (),
}

impl Pool {
    /// Builds the pool for `arch` from loaded repos (binary and source repos
    /// alike; packages with arch `src`/`nosrc` become sources).
    pub fn new(arch: &str, repos: Vec<LoadedRepo>) -> crate::Result<Pool> {
        let _ = (arch, repos);
        unimplemented!("pool: in progress on the resolver branch")
    }

    /// The package with this id.
    pub fn package(&self, id: PkgId) -> &Package {
        let _ = id;
        unimplemented!()
    }

    /// The id of the repo (`RepoSpec::id`) a package came from.
    pub fn repo_id(&self, id: PkgId) -> &str {
        let _ = id;
        unimplemented!()
    }

    /// Source packages named `name` (excludes applied), best first: highest
    /// repo priority, then highest EVR.
    pub fn sources_named(&self, name: &str) -> Vec<PkgId> {
        let _ = name;
        unimplemented!()
    }

    /// Installable binary packages named `name`.
    pub fn binaries_named(&self, name: &str) -> Vec<PkgId> {
        let _ = name;
        unimplemented!()
    }
}
