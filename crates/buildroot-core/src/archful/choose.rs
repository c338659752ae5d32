//! Which source package of each listed name the SRPM cache holds: the one
//! buildroot-generator builds. The choice is not written again here: the
//! listed names' source packages go into a pool of their own, which orders
//! them as the generator's pool does (repos by priority and cost, ties in
//! the given order, as dnf adds them to its sack; then priority, newest EVR
//! and load order per name, `exclude=`/`includepkgs=` applied), and
//! [`choose_source`] picks, `--prefer-release` included. The generator's
//! side of this is `buildroot::source` (its `choose_source`), which
//! mirrors how dnf's `builddep`/`download --source` take the best of a
//! name's candidates.

use std::collections::{BTreeMap, BTreeSet};

use crate::buildroot::{choose_source, Config};
use crate::error::Result;
use crate::package::Package;
use crate::pool::Pool;
use crate::rpmmd::LoadedRepo;

/// Picks, per listed name, the source package to cache: the one
/// [`choose_source`] picks from these repos (best priority, then newest
/// EVR, unless a candidate's release matches `prefer`).
pub(super) fn choose<'a>(
    repos: &'a [LoadedRepo],
    names: &BTreeSet<String>,
    prefer: Option<&regex::Regex>,
) -> Result<BTreeMap<String, (&'a LoadedRepo, &'a Package)>> {
    // The pool keeps the listed names' sources only (the rest cannot be
    // chosen), each repo under its index as id and each package under its
    // index as location: what the pool picks points back at the caller's
    // repo and package.
    let listed: Vec<LoadedRepo> = repos
        .iter()
        .enumerate()
        .map(|(r, repo)| {
            let mut spec = repo.spec.clone();
            spec.id = r.to_string();
            let packages = repo
                .packages
                .iter()
                .enumerate()
                .filter(|(_, p)| p.is_source() && names.contains(&p.name))
                .map(|(i, p)| Package {
                    location: i.to_string(),
                    ..p.clone()
                })
                .collect();
            LoadedRepo { spec, packages }
        })
        .collect();
    // Source packages are the same for every arch.
    let pool = Pool::new("x86_64", listed)?;
    let cfg = Config {
        prefer_release: prefer.cloned(),
        ..Config::default()
    };
    let mut chosen = BTreeMap::new();
    for name in names {
        let Some(id) = choose_source(&pool, name, &cfg) else {
            continue;
        };
        let index = |s: &str| s.parse::<usize>().expect("an index the pool was given");
        let repo = &repos[index(pool.repo_id(id))];
        let pkg = &repo.packages[index(pool.location(id))];
        chosen.insert(name.clone(), (repo, pkg));
    }
    Ok(chosen)
}
