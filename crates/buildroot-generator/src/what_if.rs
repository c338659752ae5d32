//! `--srpm` and `--spec`: a packager's what-if. Source packages given as
//! files stand in for the repos' sources of their names (dnf's
//! `@commandline` repo, `Pool::load_with_command_line`): an SRPM's header
//! as `rpmbuild -bs` wrote it, or a spec evaluated for `--arch` with the
//! binary repos' macro packages, as identify-archful-srpms reads specs.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use buildroot_core::archful::{spec_source, MacroArgs};
use buildroot_core::buildroot::Buildroot;
use buildroot_core::cli::RepoArgs;
use buildroot_core::package::Package;
use buildroot_core::pool::Pool;
use buildroot_core::spec::SpecArgs;

/// A source package given as a file, and the option that gave it
/// (`--srpm PATH`, `--spec PATH`) for messages.
pub struct Given {
    pub option: String,
    pub package: Package,
}

/// What the what-if options need of the run's arguments.
pub struct Request<'a> {
    pub arch: &'a str,
    pub srpms: &'a [PathBuf],
    pub specs: &'a [PathBuf],
    pub repos: &'a RepoArgs,
    /// The core names, release package included: the buildroot whose
    /// macro packages evaluate the specs.
    pub core: &'a [String],
    pub spec_args: &'a SpecArgs,
}

/// Notes and warnings (kind, line), said once the run has succeeded: a
/// failed run says one line, its error.
pub type Said = Vec<(&'static str, String)>;

/// Reads every `--srpm` and evaluates every `--spec`; one package per name.
/// `say` collects the notes and warnings.
pub fn read_given(r: &Request, say: &mut Said) -> Result<Vec<Given>> {
    let mut out: Vec<Given> = Vec::new();
    for path in r.srpms {
        if looks_like_spec(path) {
            bail!("--srpm {}: a spec file: give it as --spec", path.display());
        }
        let p = buildroot_core::srpm::read_header(path)?;
        if p.arch != "src" {
            bail!(
                "--srpm {}: not a source package (its arch is {}): give a .src.rpm",
                path.display(),
                p.arch
            );
        }
        push(&mut out, format!("--srpm {}", path.display()), p)?;
    }
    if !r.specs.is_empty() {
        for g in evaluate_specs(r, say)? {
            push(&mut out, g.option, g.package)?;
        }
    }
    Ok(out)
}

fn push(out: &mut Vec<Given>, option: String, package: Package) -> Result<()> {
    if let Some(first) = out.iter().find(|g| g.package.name == package.name) {
        bail!(
            "{} and {option} are both source package {}: give one",
            first.option,
            package.name
        );
    }
    out.push(Given { option, package });
    Ok(())
}

/// The specs, evaluated for the arch with the macros its buildroot has.
fn evaluate_specs(r: &Request, say: &mut Said) -> Result<Vec<Given>> {
    // The macro packages' metadata and files go to the run's cache.
    let cache = r.repos.cache_dir();
    let mut files = r.repos.source.files.clone();
    files.cache_dir = Some(cache.clone());
    let macros = MacroArgs {
        repos: r.repos.repos.clone(),
        core: Some(r.core.to_vec()),
        ..Default::default()
    };
    let mut notes = Vec::new();
    let mut targets = macros.targets(&[r.arch.to_string()], &files, &cache, &mut |m| {
        notes.push(m)
    })?;
    let Some(target) = targets.first_mut() else {
        bail!("--arch {}: no macros for the arch", r.arch);
    };
    r.spec_args.apply(&mut target.ctx);
    let mut out = Vec::new();
    for path in r.specs {
        let s = spec_source(path, target)?;
        let option = format!("--spec {}", path.display());
        let name = &s.package.name;
        if s.dynamic_build_requires {
            say.push((
                "warning",
                format!(
                    "{option}: {name} generates BuildRequires at build time \
                     (%generate_buildrequires): only its static ones are used"
                ),
            ));
        }
        if s.not_buildable {
            say.push((
                "warning",
                format!(
                    "{option}: ExclusiveArch/ExcludeArch keep {name} from building on {}",
                    r.arch
                ),
            ));
        }
        out.push(Given {
            option,
            package: s.package,
        });
    }
    for n in notes {
        say.insert(0, ("note", format!("--spec: {n}")));
    }
    Ok(out)
}

/// One note per given package that replaces sources of the repos.
pub fn note_replaced(given: &[Given], pool: &Pool, say: &mut Said) {
    for g in given {
        let replaced: Vec<String> = pool
            .sources_named(&g.package.name)
            .into_iter()
            .filter(|&q| !pool.is_command_line(q))
            .map(|q| format!("{} ({})", pool.nevra_string(q), pool.repo_id(q)))
            .collect();
        if !replaced.is_empty() {
            say.push((
                "note",
                format!("{} stands in for {}", g.option, replaced.join(", ")),
            ));
        }
    }
}

/// A warning per given package the run never reached: it changed nothing.
pub fn warn_unreached(given: &[Given], br: &Buildroot, say: &mut Said) {
    for g in given {
        let name = &g.package.name;
        if !br.sources.iter().any(|s| s.name == *name) {
            say.push((
                "warning",
                format!(
                    "{}: {name} is not among the run's sources, so it changed nothing \
                     (list {name} in the input)",
                    g.option
                ),
            ));
        }
    }
}

/// `-NAME` for each line only `before` has, `+NAME` for each only `after`
/// has, sorted by NAME (both lists sorted, as the tools print them).
pub fn compare(before: &[String], after: &[String]) -> Vec<String> {
    let b: std::collections::BTreeSet<&String> = before.iter().collect();
    let a: std::collections::BTreeSet<&String> = after.iter().collect();
    let mut out: Vec<(&String, char)> = b.difference(&a).map(|n| (*n, '-')).collect();
    out.extend(a.difference(&b).map(|n| (*n, '+')));
    out.sort();
    out.into_iter()
        .map(|(n, sign)| format!("{sign}{n}"))
        .collect()
}

/// The packages, for the pool.
pub fn packages(given: &[Given]) -> Vec<Package> {
    given.iter().map(|g| g.package.clone()).collect()
}

/// Whether `path` is a spec (given as --srpm by mistake).
fn looks_like_spec(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "spec")
}
