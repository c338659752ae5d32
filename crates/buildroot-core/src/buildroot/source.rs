//! One source's transaction: which source package stands for a name (a
//! file given on the command line, else the pool's best, unless
//! `--prefer-release` matches), the jobs of its build (the core's names,
//! then each BuildRequires, as `dnf builddep` turns an SRPM's requires into
//! install jobs, `rpmlib(...)` left to rpm), and its record filled in from
//! the transaction's outcome. [`preferred`] is `--prefer-release`'s rule,
//! shared with the SRPM cache of the archful tools (`archful::choose`),
//! which picks through [`choose_source`] too.

use std::sync::Arc;

use super::{Config, Origin, Outcome, SourceRecord};
use crate::dep::Dep;
use crate::pool::{PkgId, Pool};
use crate::solver::Job;

/// Picks the source package for `name`: one given as a file (`--srpm`,
/// `--spec`; unless `cfg` passes over them), else the pool's best
/// (priority, then EVR), unless `--prefer-release` matches the release of
/// some candidate.
pub fn choose_source(pool: &Pool, name: &str, cfg: &Config) -> Option<PkgId> {
    let mut cands = pool.sources_named(name);
    if cfg.without_given_files {
        cands.retain(|&p| !pool.is_command_line(p));
    } else if let Some(&p) = cands.first().filter(|&&p| pool.is_command_line(p)) {
        return Some(p);
    }
    preferred(&cands, cfg.prefer_release.as_ref(), |p| {
        pool.evr_of(p).release_str()
    })
}

/// `--prefer-release`'s rule: of `cands`, best first (the pool's order:
/// priority, then EVR, ties in load order), the first whose release
/// (`release_of`) matches `prefer`; without `prefer`, or when none
/// matches, the first.
pub fn preferred<T: Copy, R: AsRef<str>>(
    cands: &[T],
    prefer: Option<&regex::Regex>,
    release_of: impl Fn(T) -> R,
) -> Option<T> {
    prefer
        .and_then(|re| {
            cands
                .iter()
                .copied()
                .find(|&c| re.is_match(release_of(c).as_ref()))
        })
        .or_else(|| cands.first().copied())
}

/// The record of one source before its transaction, and the transaction's
/// BuildRequires jobs (None: no source package, nothing to resolve).
pub(super) fn prepare_source(
    pool: &Pool,
    cfg: &Config,
    name: &str,
    origin: Origin,
    layer: usize,
) -> (SourceRecord, Option<Vec<Job>>) {
    let mut rec = SourceRecord {
        name: name.to_string(),
        origin,
        layer,
        srpm: None,
        placeholder: false,
        no_install: Vec::new(),
        bad_deps: Vec::new(),
        installed: Arc::from(Vec::new()),
        solution: None,
        jobs: cfg.core.clone(),
    };
    // BuildRequires as text (for error files) and as jobs.
    let mut brs: Vec<(String, Option<Dep>)> = Vec::new();
    if let Some(srpm) = choose_source(pool, name, cfg) {
        rec.srpm = Some(srpm);
        for r in &pool.requires(srpm) {
            let text = r.dep.to_string();
            if text.starts_with("rpmlib(") {
                continue;
            }
            if !brs.iter().any(|(t, _)| *t == text) {
                brs.push((text, Some(r.dep.clone())));
            }
        }
    } else if let Some(reqs) = cfg.placeholders.get(name) {
        rec.placeholder = true;
        for r in reqs {
            brs.push((r.clone(), Dep::parse(r).ok()));
        }
    } else {
        return (rec, None);
    }
    let mut jobs = Vec::new();
    for (text, dep) in brs {
        match dep {
            Some(d) => {
                jobs.push(Job::Provides(d));
                rec.jobs.push(text);
            }
            None => rec.no_install.push(text),
        }
    }
    (rec, Some(jobs))
}

/// Fills in a prepared record from its transaction's outcome.
pub(super) fn finish_source(rec: &mut SourceRecord, outcome: &Outcome, ncore: usize) {
    let (res, installed) = &**outcome;
    // `rec.jobs` holds the core names, then the text of each BuildRequires job.
    let unmatched_brs = |unmatched: &[usize]| -> Vec<String> {
        unmatched
            .iter()
            .filter(|&&i| i >= ncore)
            .map(|&i| rec.jobs[i].clone())
            .collect()
    };
    match res {
        Ok(sol) => {
            let u = unmatched_brs(&sol.unmatched);
            rec.no_install.extend(u);
            rec.installed = installed.clone();
            rec.solution = Some(sol.clone());
        }
        Err(u) => {
            let un = unmatched_brs(&u.unmatched);
            rec.no_install.extend(un);
            rec.bad_deps = u.problems.clone();
        }
    }
}
