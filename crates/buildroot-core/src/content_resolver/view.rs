//! What content-resolver computes for one view and arch
//! (`content_resolver/analyzer.py`: `_analyze_env`, `_analyze_workload`,
//! `_analyze_view`, `_add_unwanted_packages_to_view`), with our resolver in
//! place of dnf.
//!
//! Per arch, on the view's repository (its repos on that arch, `exclude`,
//! `priority` as content-resolver hands them to dnf):
//! 1. every environment that a workload of the view needs is resolved into
//!    an empty root: `dnf install` of each package, then of each
//!    `arch_packages` entry, then the mandatory and default packages of each
//!    comps group (dnf adds group packages when it resolves, after every
//!    other job). A missing package or group is recorded, and a group
//!    package that matches nothing is a warning (dnf's "No match for group
//!    package"); an unsolvable transaction fails the environment and every
//!    workload on it;
//! 2. every workload sharing a label with such an environment is installed
//!    on top of it (the environment's packages installed, `resolve_on`; an
//!    environment that lists nothing leaves an empty root): its packages,
//!    the requirements of its package placeholders for this arch, its
//!    `arch_packages`, then its groups' packages. A missing package is a
//!    warning (an error under `strict`; `glibc32` is never reported); a
//!    missing group is an error. A workload with errors, or whose
//!    transaction cannot be solved, contributes nothing;
//! 3. the view is the union, over the workloads whose labels (those the
//!    workload shares with its environment) meet the view's, of the
//!    environment's packages, the packages the workload added and its
//!    placeholders (`NAME-000-placeholder.placeholder`, source
//!    `SRPM-000-placeholder`). An add-on view then drops what its base view
//!    has;
//! 4. packages named by an unwanted list sharing a label with the view (by
//!    binary name, per-arch name, or source name) are marked, not removed.
//!
//! Weak dependencies are installed for an environment or workload whose
//! options include `include-weak-deps` (content-resolver sets dnf's
//! `install_weak_deps` from them; `solver/weak.rs`), never otherwise;
//! `include-docs` changes no package list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::config::{Configs, EnvConfig, RepoConfig, ViewConfig, ViewKind, WorkloadConfig};
use crate::error::{Error, Result};
use crate::pool::{PkgId, Pool};
use crate::rpmmd::{Comps, Filelists, LoadOptions, RepoSpec, Vars};
use crate::solver::{Job, Resolver, Solution, Unsolvable};

/// What to compute.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The view id (`view-eln`).
    pub view: String,
    /// Arches to compute (empty: every arch of the view).
    pub arches: Vec<String>,
    /// Repo id (a key of a repository document's `source.repos`) -> the URL
    /// or directory to read instead of its `baseurl` (`$basearch` and
    /// `$releasever` are substituted).
    pub overrides: BTreeMap<String, String>,
    /// Where HTTP repositories are cached.
    pub cache_dir: Option<PathBuf>,
    /// Labels the view is computed with besides its own (step 10: the
    /// view with the ELN-Buildroot workload's label).
    pub extra_labels: Vec<String>,
}

impl Request {
    /// The extra labels that change nothing: no workload and no unwanted
    /// list of `configs` has them (a typo, or a workload that is missing or
    /// failed to load), so the view is computed as without them.
    pub fn labels_nothing_has<'a>(&'a self, configs: &Configs) -> Vec<&'a str> {
        let has = |l: &String| {
            configs.workloads.values().any(|w| w.labels.contains(l))
                || configs.unwanteds.values().any(|u| u.labels.contains(l))
        };
        self.extra_labels
            .iter()
            .filter(|l| !has(l))
            .map(String::as_str)
            .collect()
    }
}

/// One package of a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewPackage {
    /// `name-[E:]V-R.arch` (content-resolver's package id).
    pub id: String,
    /// The binary package name.
    pub name: String,
    /// `name-[E:]V-R`.
    pub nevr: String,
    /// The source RPM's file name without `.src.rpm` (`name-V-R`).
    pub source_nvr: String,
    /// The source package name.
    pub source_name: String,
    /// A placeholder of a workload, not a package of a repository.
    pub placeholder: bool,
    /// The unwanted lists that name it (by binary or source name).
    pub unwanted_in: BTreeSet<String>,
}

/// How an environment went on one arch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvOutcome {
    /// The environment id.
    pub id: String,
    /// Packages or groups that matched nothing.
    pub missing: Vec<String>,
    /// Group packages that matched nothing ([`no_group_package_match`]):
    /// dnf only warns of them, the environment is resolved without.
    pub warnings: Vec<String>,
    /// The solver's problems when the transaction could not be solved.
    pub error: Option<String>,
    /// Packages it installed.
    pub packages: usize,
}

/// How a workload went on one environment and arch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadOutcome {
    /// The workload id.
    pub id: String,
    /// The environment id it was resolved on.
    pub env: String,
    /// False: it contributes nothing to the view.
    pub succeeded: bool,
    /// Why it failed (missing packages under `strict`, missing groups, an
    /// unsolvable transaction, a failed environment).
    pub errors: Vec<String>,
    /// Missing packages it was resolved without, group packages without a
    /// match.
    pub warnings: Vec<String>,
    /// Packages it added to its environment's.
    pub added: usize,
}

/// The view on one arch.
#[derive(Clone, Debug, Default)]
pub struct ArchView {
    /// The arch.
    pub arch: String,
    /// By id.
    pub packages: BTreeMap<String, ViewPackage>,
    /// How each environment went.
    pub envs: Vec<EnvOutcome>,
    /// How each workload went, per environment.
    pub workloads: Vec<WorkloadOutcome>,
    /// Source placeholders of the view's workloads on this arch (failed
    /// workloads too, as content-resolver's `view_placeholder_srpms`):
    /// name -> the union of their build dependencies.
    pub placeholder_srpms: BTreeMap<String, BTreeSet<String>>,
}

impl ArchView {
    /// The binary package names.
    pub fn binary_names(&self) -> BTreeSet<String> {
        self.packages.values().map(|p| p.name.clone()).collect()
    }
    /// The package ids (`name-[E:]V-R.arch`).
    pub fn binary_ids(&self) -> BTreeSet<String> {
        self.packages.keys().cloned().collect()
    }
    /// The `name-[E:]V-R` of every package.
    pub fn binary_nevrs(&self) -> BTreeSet<String> {
        self.packages.values().map(|p| p.nevr.clone()).collect()
    }
    /// The source package names.
    pub fn source_names(&self) -> BTreeSet<String> {
        self.packages
            .values()
            .map(|p| p.source_name.clone())
            .collect()
    }
    /// The `name-V-R` of every source RPM.
    pub fn source_nvrs(&self) -> BTreeSet<String> {
        self.packages
            .values()
            .map(|p| p.source_nvr.clone())
            .collect()
    }
    /// Names of the packages an unwanted list names.
    pub fn unwanted_names(&self) -> BTreeSet<String> {
        self.packages
            .values()
            .filter(|p| !p.unwanted_in.is_empty())
            .map(|p| p.name.clone())
            .collect()
    }
}

/// The computed view.
#[derive(Clone, Debug)]
pub struct ViewResult {
    /// The view id.
    pub view: String,
    /// The view's arches (all of them, whatever was computed).
    pub view_arches: Vec<String>,
    /// The computed arches, sorted.
    pub arches: Vec<ArchView>,
}

/// Computes `req.view` on its arches.
pub fn compute(configs: &Configs, req: &Request) -> Result<ViewResult> {
    let view = configs
        .views
        .get(&req.view)
        .ok_or_else(|| Error::UnknownView {
            view: req.view.clone(),
            known: configs.views.keys().cloned().collect(),
        })?;
    check_overrides(configs, req)?;
    let mut with_labels;
    let view = if req.extra_labels.is_empty() {
        view
    } else {
        with_labels = view.clone();
        for l in &req.extra_labels {
            if !with_labels.labels.contains(l) {
                with_labels.labels.push(l.clone());
            }
        }
        &with_labels
    };
    let arches: Vec<String> = if req.arches.is_empty() {
        view.architectures.clone()
    } else {
        for a in &req.arches {
            if !view.architectures.contains(a) {
                return Err(Error::ArchNotInView {
                    arch: a.clone(),
                    view: view.id.clone(),
                    arches: view.architectures.clone(),
                });
            }
        }
        let mut a = req.arches.clone();
        a.sort();
        a.dedup();
        a
    };
    let mut out = Vec::new();
    for arch in &arches {
        let mut av = compute_arch(configs, view, arch, req)?;
        if let ViewKind::Addon { base_view_id } = &view.kind {
            let base = &configs.views[base_view_id];
            let bv = compute_arch(configs, base, arch, req)?;
            av.packages.retain(|id, _| !bv.packages.contains_key(id));
        }
        mark_unwanted(configs, view, &mut av);
        out.push(av);
    }
    Ok(ViewResult {
        view: view.id.clone(),
        view_arches: view.architectures.clone(),
        arches: out,
    })
}

/// Every override must name a repo of some repository document.
fn check_overrides(configs: &Configs, req: &Request) -> Result<()> {
    for id in req.overrides.keys() {
        let known = configs
            .repos
            .values()
            .any(|r| r.repos.iter().any(|e| &e.id == id));
        if !known {
            return Err(Error::UnknownRepo { id: id.clone() });
        }
    }
    Ok(())
}

/// The repos of `repo` on `arch`, as content-resolver adds them to dnf.
pub fn repo_specs(
    repo: &RepoConfig,
    arch: &str,
    overrides: &BTreeMap<String, String>,
) -> Vec<RepoSpec> {
    let vars = Vars::new(arch, &repo.releasever);
    repo.repos
        .iter()
        .filter(|e| e.limit_arches.as_ref().is_none_or(|f| f.admits(arch)))
        .map(|e| {
            let url = overrides.get(&e.id).unwrap_or(&e.baseurl[0]);
            // dnf's substitution, then librepo's on the URL (as for a .repo).
            let mut s = RepoSpec::new(&e.id, &vars.url_substitute(&vars.substitute(url)));
            s.name = e.name.clone();
            s.priority = e.priority;
            s.exclude = e.exclude.iter().map(|x| vars.substitute(x)).collect();
            s
        })
        .collect()
}

/// The workloads of the view on `arch`: (workload, environment) pairs in
/// id order.
fn members<'c>(
    configs: &'c Configs,
    view: &ViewConfig,
) -> Vec<(&'c WorkloadConfig, &'c EnvConfig)> {
    let mut out = Vec::new();
    for w in configs.workloads.values() {
        for e in configs.envs.values() {
            if !e.repositories.contains(&view.repository) {
                continue;
            }
            let shared: Vec<&String> = w.labels.iter().filter(|l| e.labels.contains(l)).collect();
            if shared.is_empty() {
                continue;
            }
            if shared.iter().any(|l| view.labels.contains(l)) {
                out.push((w, e));
            }
        }
    }
    out
}

fn compute_arch(
    configs: &Configs,
    view: &ViewConfig,
    arch: &str,
    req: &Request,
) -> Result<ArchView> {
    let mut av = ArchView {
        arch: arch.to_string(),
        ..Default::default()
    };
    let Some(repo) = configs.repos.get(&view.repository) else {
        // An add-on view naming a missing repository selects no workload.
        return Ok(av);
    };
    let members = members(configs, view);
    if members.is_empty() {
        return Ok(av);
    }
    let specs = repo_specs(repo, arch, &req.overrides);
    let mut envs: Vec<&EnvConfig> = members.iter().map(|(_, e)| *e).collect();
    envs.sort_by(|a, b| a.id.cmp(&b.id));
    envs.dedup_by(|a, b| a.id == b.id);
    let any_path = members
        .iter()
        .flat_map(|(w, e)| install_specs(w, e, arch))
        .any(|s| s.starts_with('/') || s.starts_with("*/"));
    let opts = LoadOptions {
        filelists: if any_path {
            Filelists::All
        } else {
            Filelists::Needed
        },
        cache_dir: req.cache_dir.clone(),
    };
    let wants_groups = members
        .iter()
        .any(|(w, e)| !w.groups.is_empty() || !e.groups.is_empty());
    // The comps from the repomd.xml the packages come from (read once),
    // fetched while the packages load.
    let (pool, comps) = if wants_groups {
        let (pool, each) = Pool::load_with_comps(arch, &specs, &opts)?;
        (pool, merged(each))
    } else {
        (Pool::load(arch, &specs, &opts)?, Comps::default())
    };

    // 1. Environments.
    let mut env_sets: BTreeMap<String, Option<Vec<PkgId>>> = BTreeMap::new();
    for e in &envs {
        let (outcome, set) = resolve_env(&pool, &comps, e, arch);
        av.envs.push(outcome);
        env_sets.insert(e.id.clone(), set);
    }

    // 2. Workloads (in parallel: the pool is shared, each transaction is its own).
    let results: Vec<(WorkloadOutcome, Vec<PkgId>)> = members
        .par_iter()
        .map(|(w, e)| {
            let set = &env_sets[&e.id];
            resolve_workload(&pool, &comps, w, e, set.as_deref(), arch)
        })
        .collect();

    for (w, _) in &members {
        for s in &w.placeholder_srpms {
            if s.limit_arches.is_empty() || s.limit_arches.iter().any(|a| a == arch) {
                av.placeholder_srpms
                    .entry(s.name.clone())
                    .or_default()
                    .extend(s.buildrequires.iter().cloned());
            }
        }
    }

    // 3. The view.
    for ((w, e), (outcome, added)) in members.iter().zip(results) {
        if outcome.succeeded {
            let env_pkgs = if env_is_empty(e, arch) {
                &[][..]
            } else {
                env_sets[&e.id].as_deref().unwrap_or(&[])
            };
            for &p in env_pkgs.iter().chain(&added) {
                let vp = view_package(&pool, p);
                av.packages.entry(vp.id.clone()).or_insert(vp);
            }
            for ph in placeholders_on(w, arch) {
                let vp = ViewPackage {
                    id: format!("{}-000-placeholder.placeholder", ph.name),
                    name: ph.name.clone(),
                    nevr: format!("{}-000-placeholder", ph.name),
                    source_nvr: format!("{}-000-placeholder", ph.srpm),
                    source_name: ph.srpm.clone(),
                    placeholder: true,
                    unwanted_in: BTreeSet::new(),
                };
                av.packages.entry(vp.id.clone()).or_insert(vp);
            }
        }
        av.workloads.push(outcome);
    }
    Ok(av)
}

/// The comps of the repos, merged in configuration order (dnf's
/// `read_comps` walks the repos as they were added).
fn merged(each: Vec<Option<Comps>>) -> Comps {
    let mut all = Comps::default();
    for c in each.into_iter().flatten() {
        all.merge(c);
    }
    all
}

/// Every string a workload or environment hands to `dnf install` on `arch`.
fn install_specs<'a>(
    w: &'a WorkloadConfig,
    e: &'a EnvConfig,
    arch: &'a str,
) -> impl Iterator<Item = &'a String> + 'a {
    w.packages
        .iter()
        .chain(w.arch_packages.get(arch).into_iter().flatten())
        .chain(placeholders_on(w, arch).flat_map(|p| p.requires.iter()))
        .chain(&e.packages)
        .chain(e.arch_packages.get(arch).into_iter().flatten())
}

/// content-resolver resolves a workload in an empty root when its
/// environment lists nothing for the arch.
fn env_is_empty(e: &EnvConfig, arch: &str) -> bool {
    e.packages.is_empty()
        && e.arch_packages.get(arch).is_none_or(|v| v.is_empty())
        && e.groups.is_empty()
}

fn placeholders_on<'a>(
    w: &'a WorkloadConfig,
    arch: &'a str,
) -> impl Iterator<Item = &'a super::config::PlaceholderRpm> + 'a {
    w.placeholder_rpms
        .iter()
        .filter(move |p| p.limit_arches.is_empty() || p.limit_arches.iter().any(|a| a == arch))
}

/// The group package jobs of `groups`, as dnf collects them (each package
/// once); the groups no pattern matched.
fn group_jobs(comps: &Comps, groups: &[String]) -> (Vec<Job>, Vec<String>) {
    let mut jobs = Vec::new();
    let mut seen: BTreeSet<(String, bool)> = BTreeSet::new();
    let mut missing = Vec::new();
    for g in groups {
        let Some(group) = comps.group_by_pattern(g) else {
            missing.push(g.clone());
            continue;
        };
        for p in group.mandatory_and_default() {
            if seen.insert((p.name.clone(), p.basearchonly)) {
                jobs.push(Job::GroupPackage {
                    name: p.name.clone(),
                    basearch_only: p.basearchonly,
                });
            }
        }
    }
    (jobs, missing)
}

/// dnf's warning for a group package that matches nothing
/// (`Base._finalize_comps_trans`): the name in quotes, with `.ARCH` when
/// the entry is `basearchonly`. The quotes show blanks that libcomps kept
/// around a name (a `<packagereq>` whose name is on a line of its own), so
/// such a name is said to come from comps.
fn no_group_package_match(name: &str, basearch_only: bool, arch: &str) -> String {
    let shown = if basearch_only {
        format!("{name}.{arch}")
    } else {
        name.to_string()
    };
    let mut line = format!("no match for group package \"{shown}\"");
    if name.trim() != name {
        line.push_str(
            " (blanks kept from the repo's comps, as libcomps keeps them: a \
             <packagereq> name on a line of its own)",
        );
    }
    line
}

/// A resolver that installs weak dependencies when the document's
/// `include-weak-deps` asks for them (content-resolver sets dnf's
/// `install_weak_deps` from it).
fn with_weak_deps(pool: &Pool, include_weak_deps: bool) -> Resolver<'_> {
    let mut r = Resolver::new(pool);
    r.set_install_weak_deps(include_weak_deps);
    r
}

fn resolve_env(
    pool: &Pool,
    comps: &Comps,
    e: &EnvConfig,
    arch: &str,
) -> (EnvOutcome, Option<Vec<PkgId>>) {
    let mut jobs: Vec<Job> = e.packages.iter().map(|p| Job::Install(p.clone())).collect();
    jobs.extend(
        e.arch_packages
            .get(arch)
            .into_iter()
            .flatten()
            .map(|p| Job::Install(p.clone())),
    );
    let named = jobs.len();
    let (gjobs, mut missing_groups) = group_jobs(comps, &e.groups);
    jobs.extend(gjobs);
    let mut outcome = EnvOutcome {
        id: e.id.clone(),
        missing: Vec::new(),
        warnings: Vec::new(),
        error: None,
        packages: 0,
    };
    let res = with_weak_deps(pool, e.options.include_weak_deps).resolve(&jobs);
    let unmatched = match &res {
        Ok(s) => &s.unmatched,
        Err(u) => &u.unmatched,
    };
    // Packages first, then groups (content-resolver's order of reporting).
    // A group package that matches nothing is dnf's warning alone: never
    // silent here, as the environment (and every workload on it) goes on
    // without that package.
    for &i in unmatched {
        match &jobs[i] {
            Job::Install(n) if i < named => outcome.missing.push(n.clone()),
            Job::GroupPackage {
                name,
                basearch_only,
            } => outcome
                .warnings
                .push(no_group_package_match(name, *basearch_only, arch)),
            _ => {}
        }
    }
    outcome.missing.append(&mut missing_groups);
    match res {
        Ok(s) => {
            outcome.packages = s.installed.len();
            (outcome, Some(s.installed))
        }
        Err(u) => {
            outcome.error = Some(u.dnf_text());
            (outcome, None)
        }
    }
}

fn resolve_workload(
    pool: &Pool,
    comps: &Comps,
    w: &WorkloadConfig,
    e: &EnvConfig,
    env_set: Option<&[PkgId]>,
    arch: &str,
) -> (WorkloadOutcome, Vec<PkgId>) {
    let mut out = WorkloadOutcome {
        id: w.id.clone(),
        env: e.id.clone(),
        succeeded: false,
        errors: Vec::new(),
        warnings: Vec::new(),
        added: 0,
    };
    let Some(env_set) = env_set else {
        out.errors
            .push(format!("environment {} could not be resolved", e.id));
        return (out, Vec::new());
    };
    // (job, what a miss is) in dnf's call order; group packages come last.
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Package,
        PlaceholderDep,
        GroupPackage,
    }
    let mut jobs: Vec<(Job, Kind)> = Vec::new();
    for p in &w.packages {
        jobs.push((Job::Install(p.clone()), Kind::Package));
    }
    let (gjobs, missing_groups) = group_jobs(comps, &w.groups);
    for ph in placeholders_on(w, arch) {
        for r in &ph.requires {
            jobs.push((Job::Install(r.clone()), Kind::PlaceholderDep));
        }
    }
    for p in w.arch_packages.get(arch).into_iter().flatten() {
        jobs.push((Job::Install(p.clone()), Kind::Package));
    }
    let arch_start = jobs.len() - w.arch_packages.get(arch).map_or(0, Vec::len);
    jobs.extend(gjobs.into_iter().map(|j| (j, Kind::GroupPackage)));
    let job_list: Vec<Job> = jobs.iter().map(|(j, _)| j.clone()).collect();
    let installed: &[PkgId] = if env_is_empty(e, arch) { &[] } else { env_set };
    let res: std::result::Result<Solution, Unsolvable> =
        with_weak_deps(pool, w.options.include_weak_deps).resolve_on(installed, &job_list);
    let unmatched = match &res {
        Ok(s) => s.unmatched.clone(),
        Err(u) => u.unmatched.clone(),
    };
    let strict = w.options.strict;
    for i in unmatched {
        let (job, kind) = &jobs[i];
        let name = match job {
            Job::Install(n) => n.clone(),
            Job::GroupPackage {
                name,
                basearch_only,
            } => no_group_package_match(name, *basearch_only, arch),
            Job::Provides(d) => d.to_string(),
        };
        match kind {
            Kind::Package => {
                // `glibc32` is skipped silently, in `packages` only.
                if i < arch_start && super::config::WEIRD_PACKAGES.contains(&name.as_str()) {
                    continue;
                }
                if strict {
                    out.errors.push(format!("not available: {name}"));
                } else {
                    out.warnings
                        .push(format!("not available (skipped): {name}"));
                }
            }
            Kind::PlaceholderDep => {
                if strict {
                    out.errors
                        .push(format!("placeholder dependency not available: {name}"));
                } else {
                    out.warnings.push(format!(
                        "placeholder dependency not available (skipped): {name}"
                    ));
                }
            }
            Kind::GroupPackage => out.warnings.push(name),
        }
    }
    for g in missing_groups {
        out.errors.push(format!("no such group: {g}"));
    }
    if !out.errors.is_empty() {
        return (out, Vec::new());
    }
    match res {
        Ok(s) => {
            out.succeeded = true;
            out.added = s.installed.len();
            (out, s.installed)
        }
        Err(u) => {
            out.errors.push(u.dnf_text());
            (out, Vec::new())
        }
    }
}

fn view_package(pool: &Pool, p: PkgId) -> ViewPackage {
    let source_nvr = pool
        .sourcerpm(p)
        .split(".src.rpm")
        .next()
        .unwrap_or_default()
        .to_string();
    ViewPackage {
        id: pool.nevra_string(p),
        name: pool.name_of(p).to_string(),
        nevr: format!("{}-{}", pool.name_of(p), pool.evr_of(p)),
        source_nvr,
        source_name: pool.source_name(p).to_string(),
        placeholder: false,
        unwanted_in: BTreeSet::new(),
    }
}

/// Marks the packages the view's unwanted lists name.
fn mark_unwanted(configs: &Configs, view: &ViewConfig, av: &mut ArchView) {
    let mut by_name: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut by_source: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for u in configs.unwanteds.values() {
        if !u.labels.iter().any(|l| view.labels.contains(l)) {
            continue;
        }
        let arch_pkgs = u.unwanted_arch_packages.get(&av.arch).into_iter().flatten();
        for n in u.unwanted_packages.iter().chain(arch_pkgs) {
            by_name.entry(n).or_default().insert(&u.id);
        }
        for n in &u.unwanted_source_packages {
            by_source.entry(n).or_default().insert(&u.id);
        }
    }
    for p in av.packages.values_mut() {
        for set in [
            by_name.get(p.name.as_str()),
            by_source.get(p.source_name.as_str()),
        ]
        .into_iter()
        .flatten()
        {
            p.unwanted_in.extend(set.iter().map(|s| s.to_string()));
        }
    }
}
