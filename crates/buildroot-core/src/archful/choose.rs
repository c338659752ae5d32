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
    // chosen), and of each what the choice reads (name, arch, EVR: the
    // order, excludes and releases; requires would cost most of the
    // pool's time), each repo under its index as id and each package
    // under its index as location: what the pool picks points back at the
    // caller's repo and package.
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
                    name: p.name.clone(),
                    arch: p.arch.clone(),
                    evr: p.evr.clone(),
                    location: i.to_string(),
                    ..Package::default()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evr::Evr;
    use crate::rpmmd::RepoSpec;

    fn src(version: &str, release: &str, location: &str) -> Package {
        Package {
            name: "pick".into(),
            arch: "src".into(),
            evr: Evr::new(0, version, Some(release)),
            location: location.into(),
            ..Package::default()
        }
    }

    fn repo(id: &str, priority: i32, cost: i32, packages: Vec<Package>) -> LoadedRepo {
        let mut spec = RepoSpec::new(id, "/nonexistent");
        spec.priority = priority;
        spec.cost = cost;
        LoadedRepo { spec, packages }
    }

    fn chosen(repos: &[LoadedRepo], prefer: Option<&str>) -> (String, String) {
        let names = BTreeSet::from(["pick".to_string(), "absent".to_string()]);
        let re = prefer.map(|p| regex::Regex::new(p).unwrap());
        let got = choose(repos, &names, re.as_ref()).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), ["pick"]);
        let (r, p) = got["pick"];
        (r.spec.id.clone(), p.location.clone())
    }

    /// The generator's order whatever the order the repos come in: priority,
    /// then EVR, a tie to the repo loaded first (lower cost); then the first
    /// match of `--prefer-release` in that order.
    #[test]
    fn the_pool_order_and_the_first_match() {
        let repos = [
            repo("dear", 99, 2000, vec![src("1.0", "1.eln1", "dear.src.rpm")]),
            repo(
                "cheap",
                99,
                500,
                vec![src("1.0", "1.eln1", "cheap.src.rpm")],
            ),
            repo(
                "low",
                200,
                1000,
                vec![
                    src("9.0", "1.fc99", "low-9.src.rpm"),
                    src("2.0", "1.eln2", "low-2.src.rpm"),
                ],
            ),
        ];
        let pick = |id: &str, loc: &str| (id.to_string(), loc.to_string());
        assert_eq!(chosen(&repos, None), pick("cheap", "cheap.src.rpm"));
        assert_eq!(chosen(&repos, Some("eln")), pick("cheap", "cheap.src.rpm"));
        // Only the lower-priority repo has a match: it wins, its newest match.
        assert_eq!(
            chosen(&repos, Some("eln2|fc")),
            pick("low", "low-9.src.rpm")
        );
        assert_eq!(chosen(&repos, Some("eln2")), pick("low", "low-2.src.rpm"));
        // No match: as without the option.
        assert_eq!(chosen(&repos, Some("el9")), pick("cheap", "cheap.src.rpm"));
        // A disabled repo, and an excluded package, are never chosen.
        let mut repos = repos;
        repos[1].spec.enabled = false;
        repos[0].spec.exclude = vec!["pick".into()];
        assert_eq!(chosen(&repos, None), pick("low", "low-9.src.rpm"));
    }
}
