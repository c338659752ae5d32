//! The repos' `exclude=` and `includepkgs=`, applied when every repo is
//! read, as dnf's `Base._setup_excludes_includes` applies them (libdnf's
//! sack keeps what they select: `dnf_sack_add_excludes`,
//! `dnf_sack_add_includes` and `dnf_sack_set_use_includes` in dnf-sack.cpp).

use crate::pool::{subject, Pool, StrId};

/// A repo's `exclude=` and `includepkgs=` patterns.
pub(super) struct RepoFilter {
    pub(super) repo: u16,
    pub(super) exclude: Vec<String>,
    pub(super) include: Vec<String>,
}

/// dnf's `_setup_excludes_includes`: each pattern selects packages of the
/// whole sack ([`subject::Sack::best_query`]: every repo read, not the
/// command-line packages, which dnf adds later), and those of its repo are
/// excluded; a repo with includes keeps only what they select. Excluded
/// packages are disabled.
pub(super) fn apply_repo_filters(pool: &mut Pool, filters: &[RepoFilter]) {
    if filters.is_empty() {
        return;
    }
    let in_sack: Vec<usize> = (0..pool.data.len())
        .filter(|&i| !pool.repos[pool.data[i].repo as usize].command_line)
        .collect();
    let mut disable = Vec::new();
    {
        let str_of = |id: StrId| &*pool.strs[id.to_usize()];
        let sack = subject::Sack::new(
            in_sack
                .iter()
                .map(|&i| {
                    let d = &pool.data[i];
                    (str_of(d.name), &pool.evrs[d.evr.to_usize()], str_of(d.arch))
                })
                .collect(),
        );
        for f in filters {
            let of_repo = |k: &usize| pool.data[in_sack[*k]].repo == f.repo;
            for pattern in &f.exclude {
                disable.extend(sack.best_query(pattern).iter().filter(|k| of_repo(k)));
            }
            if !f.include.is_empty() {
                let mut keep = vec![false; in_sack.len()];
                for pattern in &f.include {
                    sack.best_query(pattern)
                        .into_iter()
                        .for_each(|k| keep[k] = true);
                }
                disable.extend((0..in_sack.len()).filter(|k| of_repo(k) && !keep[*k]));
            }
        }
    }
    for k in disable {
        pool.data[in_sack[k]].disabled = true;
    }
}
