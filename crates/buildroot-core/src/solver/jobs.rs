//! dnf's job construction: how `dnf install NAME` and `dnf builddep` turn a
//! string into libsolv jobs.
//!
//! `Job::Install` follows dnf 4.14 / libdnf 0.69 `base.install(spec)` with
//! `multilib_policy=best`, `obsoletes=True` (docs/resolver.md, *Jobs*):
//! 1. the NEVRA forms NEVRA, NA, NAME, NEVR, NEV, first one that matches a
//!    (non-excluded, binary) package wins; then the whole string against
//!    each package's `name-version-release.arch` (a glob or the same text;
//!    with the epoch only when the spec holds a `:`, libdnf `filterNevra`);
//!    then provides (a glob over provide names if the spec has glob
//!    characters, else the spec parsed as a dependency); then files for
//!    specs starting with `/` or `*/`;
//! 2. a glob spec gives one "install one of" job per matched name; anything
//!    else one job over the whole match set;
//! 3. a match by name only also offers every package that obsoletes one of
//!    the matches (libdnf 0.69 behaviour: obsoleters of *any* version);
//! 4. the job carries `SETARCH`, which disables the inferior-arch rules of
//!    the candidates' names (libsolv `jobtodisablelist`).
//!
//! `Job::Provides` follows dnf-plugins-core's builddep `_install`: a provides
//! selector (excluded providers count as matches, as libsolv lists them), a
//! file selector as fallback for paths, unmatched unless the string is rich.

use crate::dep::Dep;
use crate::fnmatch::{glob_match, is_glob};
use crate::pool::subject::{first_form_selecting, NevraGlob, SpecParts};
use crate::pool::Overlay;
use crate::pool::{match_nevr, DepAccess, DepId, DepInterner, SolvableId, StrId};

/// A job as the solver sees it.
#[derive(Clone, Debug)]
pub(crate) enum SolverJob {
    /// Install one of these solvables (ascending ids).
    OneOf {
        /// The candidates.
        cands: Vec<SolvableId>,
        /// Whether the job carries `SETARCH` (see the module doc).
        setarch: bool,
    },
    /// Install something providing this dependency (complex deps become CNF
    /// job rules).
    Provides {
        /// The dependency.
        dep: DepId,
    },
}

impl SolverJob {
    /// The candidate solvables (libsolv `FOR_JOB_SELECT`).
    pub(crate) fn candidates(&self, ov: &Overlay) -> Vec<SolvableId> {
        match self {
            SolverJob::OneOf { cands, .. } => cands.clone(),
            SolverJob::Provides { dep } => ov.dep_providers(*dep).into_owned(),
        }
    }
}

/// dnf's `_finalize_comps_trans` for one group package: the (not
/// excluded, binary) packages of that exact name, of the base arch only
/// when `basearch_only`, plus their obsoleters, as one "install one of" job.
pub(crate) fn group_package_job(
    ov: &Overlay,
    name: &str,
    basearch_only: bool,
) -> Option<Vec<SolverJob>> {
    let pool = ov.pool;
    let sym = pool.sym(name)?;
    // dnf's `conf.substitutions['basearch']`: i386 for an i686 target,
    // so there no i686 package passes (dnf finds none either).
    let basearch = crate::arch::basearch(pool.arch().target());
    let mut cands: Vec<SolvableId> = pool
        .all_binaries_named(sym)
        .iter()
        .copied()
        .filter(|&sid| {
            let d = pool.sd(sid);
            !d.source && !d.disabled && (!basearch_only || pool.arch_of(sid.package()) == basearch)
        })
        .collect();
    if cands.is_empty() {
        return None;
    }
    add_obsoleters(ov, &mut cands);
    Some(vec![SolverJob::OneOf {
        cands,
        setarch: true,
    }])
}

/// The solver job of one BuildRequires (`Job::Provides`): None when it
/// matched nothing, an empty list when it needs nothing (`rpmlib(...)`).
pub(crate) fn provides_job(ov: &mut Overlay, dep: &Dep) -> Option<Vec<SolverJob>> {
    if let Dep::Simple(s) = dep {
        if s.name.starts_with("rpmlib(") {
            // builddep skips rpmlib() requirements altogether.
            return Some(Vec::new());
        }
    }
    let id = ov.intern_dep(dep);
    let found = !ov.dep_providers(id).is_empty();
    if found || dep.is_rich() {
        return Some(vec![SolverJob::Provides { dep: id }]);
    }
    if let Dep::Simple(s) = dep {
        if s.name.starts_with('/') {
            // File selector: packages (not excluded) that contain the path.
            let cands: Vec<SolvableId> = ov
                .pool
                .file_owners(&s.name)
                .iter()
                .copied()
                .filter(|&sid| !ov.pool.sd(sid).disabled)
                .collect();
            if !cands.is_empty() {
                return Some(vec![SolverJob::OneOf {
                    cands,
                    setarch: false,
                }]);
            }
        }
    }
    None
}

/// Installable (binary, not excluded) solvables matching a spec split in one
/// NEVRA form.
fn form_matches(ov: &Overlay, parts: &SpecParts) -> Vec<SolvableId> {
    let pool = ov.pool;
    let check = |sid: SolvableId| {
        let d = pool.sd(sid);
        let p = sid.package();
        !d.source
            && !d.disabled
            && parts.matches_parts(pool.name_of(p), pool.evr_of(p), pool.arch_of(p))
    };
    if !is_glob(&parts.name) {
        let Some(sym) = pool.sym(&parts.name) else {
            return Vec::new();
        };
        return pool
            .all_binaries_named(sym)
            .iter()
            .copied()
            .filter(|&sid| check(sid))
            .collect();
    }
    SolvableId::packages(pool.len())
        .filter(|&sid| check(sid))
        .collect()
}

/// The solver jobs of `Job::Install(spec)` (several for a glob; empty when
/// nothing matched).
pub(crate) fn install_jobs(ov: &mut Overlay, spec: &str) -> Vec<SolverJob> {
    let pool = ov.pool;
    let installable =
        |sid: SolvableId| sid.is_package() && !pool.sd(sid).source && !pool.sd(sid).disabled;

    // 1. NEVRA forms.
    let matched = first_form_selecting(spec, |parts| form_matches(ov, parts));
    let mut by_nevra_name_only = false;
    let q: Vec<SolvableId> = if let Some((parts, q)) = matched {
        by_nevra_name_only = parts.has_just_name();
        q
    } else {
        // 2. the whole string as a NEVRA (a glob, or the same text).
        let q: Vec<SolvableId> = match NevraGlob::new(spec) {
            Some(mut glob) => SolvableId::packages(pool.len())
                .filter(|&sid| {
                    let p = sid.package();
                    installable(sid)
                        && glob.matches(pool.name_of(p), pool.evr_of(p), pool.arch_of(p))
                })
                .collect(),
            None => Vec::new(),
        };
        if !q.is_empty() {
            q
        } else {
            // 3. provides.
            let q = provides_matches(ov, spec);
            if !q.is_empty() {
                q
            } else if spec.starts_with('/') || spec.starts_with("*/") {
                // 4. files.
                file_matches(ov, spec)
            } else {
                Vec::new()
            }
        }
    };
    if q.is_empty() {
        return Vec::new();
    }
    let filename_pattern = spec.starts_with('/') || spec.starts_with("*/");
    if !filename_pattern && is_glob(spec) {
        // One job per name, in libsolv's name id order (libdnf's
        // `_name_dict` sorts the query by name id; the pool's symbol ids
        // follow libsolv's string ids).
        let mut names: Vec<StrId> = q.iter().map(|&sid| pool.sd(sid).name).collect();
        names.sort_unstable();
        names.dedup();
        return names
            .into_iter()
            .map(|n| {
                let mut cands: Vec<SolvableId> = q
                    .iter()
                    .copied()
                    .filter(|&s| pool.sd(s).name == n)
                    .collect();
                if by_nevra_name_only {
                    add_obsoleters(ov, &mut cands);
                }
                SolverJob::OneOf {
                    cands,
                    setarch: true,
                }
            })
            .collect();
    }
    let mut cands = q;
    if by_nevra_name_only {
        add_obsoleters(ov, &mut cands);
    }
    vec![SolverJob::OneOf {
        cands,
        setarch: true,
    }]
}

/// Adds every installable package that obsoletes (by name and version) one
/// of `cands` (libdnf 0.69 `query.filter(obsoletes=q)`).
fn add_obsoleters(ov: &Overlay, cands: &mut Vec<SolvableId>) {
    let pool = ov.pool;
    let mut names: Vec<StrId> = cands.iter().map(|&c| pool.sd(c).name).collect();
    names.sort_unstable();
    names.dedup();
    let mut extra = Vec::new();
    for name in names {
        for &sid in pool.obsoleters_of_name(name) {
            let d = pool.sd(sid);
            if d.source || d.disabled || cands.contains(&sid) || extra.contains(&sid) {
                continue;
            }
            let hit = pool.deps_of(d.obsoletes).iter().any(|&obs| {
                pool.dep_list(obs).iter().any(|&r| {
                    cands.contains(&r) && {
                        let rd = pool.sd(r);
                        match_nevr(pool, rd.name, rd.evr, obs)
                    }
                })
            });
            if hit {
                extra.push(sid);
            }
        }
    }
    cands.extend(extra);
    cands.sort_unstable();
    cands.dedup();
}

fn provides_matches(ov: &mut Overlay, spec: &str) -> Vec<SolvableId> {
    let pool = ov.pool;
    if is_glob(spec) {
        let mut out = Vec::new();
        for sid in SolvableId::packages(pool.len()) {
            let d = pool.sd(sid);
            if d.source || d.disabled || d.score == 0 {
                continue;
            }
            if pool
                .provides_of(sid)
                .iter()
                .any(|pv| glob_match(spec, pool.str_of(pv.name)))
            {
                out.push(sid);
            }
        }
        return out;
    }
    let Ok(dep) = Dep::parse(spec) else {
        return Vec::new();
    };
    let id = ov.intern_dep(&dep);
    ov.dep_providers(id)
        .iter()
        .copied()
        .filter(|&sid| sid.is_package() && !pool.sd(sid).source && !pool.sd(sid).disabled)
        .collect()
}

fn file_matches(ov: &Overlay, spec: &str) -> Vec<SolvableId> {
    let pool = ov.pool;
    if !is_glob(spec) {
        return pool
            .file_owners(spec)
            .iter()
            .copied()
            .filter(|&sid| !pool.sd(sid).disabled)
            .collect();
    }
    SolvableId::packages(pool.len())
        .filter(|&sid| {
            let d = pool.sd(sid);
            !d.source
                && !d.disabled
                && d.score != 0
                && pool.files(sid.package()).any(|f| glob_match(spec, f))
        })
        .collect()
}
