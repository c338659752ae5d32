//! rpm-md repository reading. API CONTRACT: implementation in progress on
//! the `rpmmd` branch; these two types are what the pool consumes.

use crate::package::Package;

/// One repository as configured (command line `ID=URL` or a `.repo` section).
#[derive(Clone, Debug)]
pub struct RepoSpec {
    pub id: String,
    pub baseurl: String,
    pub priority: i32,
    pub cost: i32,
    pub exclude: Vec<String>,
    pub includepkgs: Vec<String>,
    pub enabled: bool,
}

/// A repository's packages as loaded.
#[derive(Clone, Debug)]
pub struct LoadedRepo {
    pub spec: RepoSpec,
    pub packages: Vec<Package>,
}
