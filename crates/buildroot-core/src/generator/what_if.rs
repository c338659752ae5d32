//! `--srpm` and `--spec`: a packager's what-if. Source packages given as
//! files stand in for the repos' sources of their names
//! (`Pool::load_with_command_line`): an SRPM's header as `rpmbuild -bs`
//! wrote it, or a spec evaluated for `--arch` with the binary repos' macro
//! packages, as identify-archful-srpms reads specs. dnf builddep, given an
//! SRPM, installs its header's requires; these are the same jobs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::archful::{read_spec, spec_source, ArchTarget, MacroArgs};
use crate::buildroot::Buildroot;
use crate::cli::CoreArgs;
use crate::cli::RepoArgs;
use crate::error::Result;
use crate::package::{Package, Requirement};
use crate::pool::Pool;
use crate::rpmmd;
use crate::spec::SpecArgs;

/// A source package given as a file, and the option that gave it
/// (`--srpm PATH`, `--spec PATH`) for messages.
pub struct Given {
    pub option: String,
    /// The file as the option gave it.
    pub file: PathBuf,
    pub package: Package,
    /// A spec's BuildRequires that differ between `--arch` and x86_64 (the
    /// arch the repos' SRPMs are made on), for `--compare`'s baseline note;
    /// None when they do not, for an SRPM, or when not asked.
    pub per_arch: Option<PerArch>,
}

/// A spec's BuildRequires that only `--arch` or only [`SRPM_ARCH`] has.
pub struct PerArch {
    /// Only `--arch` has these.
    pub only_here: Vec<String>,
    /// Only [`SRPM_ARCH`] has these.
    pub only_there: Vec<String>,
}

/// The arch Koji makes the SRPMs of the repos on: their headers hold its
/// BuildRequires (`rpmbuild -bs` evaluates `%ifarch` for the host).
const SRPM_ARCH: &str = "x86_64";

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
    /// `--define`, `--macro-package`, `--macros`, `--no-repo-macros`
    /// (its repos and core are set from the run's).
    pub macros: MacroArgs,
    /// `--compare`: a spec is evaluated for x86_64 too ([`Given::per_arch`]).
    pub compare: bool,
}

/// Notes and warnings (kind, line), said once the run has succeeded: a
/// failed run says one line, its error.
pub type Said = Vec<(&'static str, String)>;

/// Reads every `--srpm` and evaluates every `--spec`; one package per name.
/// `say` collects the notes and warnings.
pub fn read_given(r: &Request, say: &mut Said) -> Result<Vec<Given>> {
    let mut out: Vec<Given> = Vec::new();
    for path in unique(r.srpms) {
        if looks_like_spec(path) {
            refuse!("--srpm {}: a spec file: give it as --spec", path.display());
        }
        if path.is_dir() {
            refuse!(
                "--srpm {}: a directory: give a .src.rpm file",
                path.display()
            );
        }
        let p = crate::srpm::read_header(path)?;
        if p.arch != "src" {
            refuse!(
                "--srpm {}: not a source package (its arch is {}): give a .src.rpm",
                path.display(),
                p.arch
            );
        }
        let option = format!("--srpm {}", path.display());
        if let Some(w) = other_arch(path, r.arch) {
            say.push(("warning", format!("{option}: {w}")));
        }
        // As --spec says of a spec with the section: rpmbuild -bs wrote the
        // static BuildRequires alone.
        if crate::srpm::arch_limits(path).is_ok_and(|l| l.dynamic_build_requires) {
            say.push((
                "warning",
                format!(
                    "{option}: {} generates BuildRequires at build time \
                     (%generate_buildrequires): only its static ones are used",
                    p.name
                ),
            ));
        }
        push(
            &mut out,
            Given {
                option,
                file: path.to_path_buf(),
                package: p,
                per_arch: None,
            },
        )?;
    }
    if !r.specs.is_empty() {
        for g in evaluate_specs(r, say)? {
            push(&mut out, g)?;
        }
    }
    Ok(out)
}

/// The first field of a spec's package with a `%` left in it, as rpm
/// warns of a "possible unexpanded macro".
fn unexpanded(p: &Package) -> Option<String> {
    if p.name.contains('%') {
        return Some(format!("Name: {}", p.name));
    }
    let evr = p.evr.to_string();
    if evr.contains('%') {
        return Some(format!("the version {evr}"));
    }
    p.requires
        .iter()
        .map(|r| r.dep.to_string())
        .find(|d| d.contains('%'))
        .map(|d| format!("BuildRequires: {d}"))
}

/// Why an SRPM's BuildRequires may not be `arch`'s: made for another
/// arch from a spec with arch conditionals (dep-tracker's %ifarch grep).
fn other_arch(path: &Path, arch: &str) -> Option<String> {
    let made_for = crate::srpm::arch_limits(path).ok()?.build_arch;
    if made_for.is_empty() || made_for == arch || made_for == "noarch" {
        return None;
    }
    let spec = crate::srpm::extract_spec(path).ok()?;
    crate::spec::grep_archful(&spec.text).then(|| {
        format!(
            "made for {made_for} from a spec with arch conditionals: its BuildRequires may \
             not be {arch}'s (--spec evaluates the spec for {arch}; or rpmbuild -bs --target {arch})"
        )
    })
}

/// `paths` without repeats of one file (the same path given twice).
fn unique(paths: &[PathBuf]) -> Vec<&PathBuf> {
    let mut seen = std::collections::HashSet::new();
    paths
        .iter()
        .filter(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.to_path_buf())))
        .collect()
}

fn push(out: &mut Vec<Given>, given: Given) -> Result<()> {
    if let Some(first) = out.iter().find(|g| g.package.name == given.package.name) {
        refuse!(
            "{} and {} are both source package {}: give one",
            first.option,
            given.option,
            given.package.name
        );
    }
    out.push(given);
    Ok(())
}

/// The name of the package given as the file `line` names (`--spec
/// hello.spec` with `hello.spec` or `./hello.spec` as an input line): the
/// input lists source names, and the path of a file the run was given
/// stands for its package, not for a NoSource name holding a `/`. None
/// when `line` is no such path.
pub fn named_by_path<'g>(given: &'g [Given], line: &str) -> Option<&'g str> {
    if given.is_empty() {
        return None;
    }
    let path = Path::new(line);
    // The same file name first: most lines are names, read no file system.
    let same = |file: &Path| {
        file.file_name() == path.file_name()
            && (file == path
                || path
                    .canonicalize()
                    .is_ok_and(|p| file.canonicalize().is_ok_and(|f| f == p)))
    };
    given
        .iter()
        .find(|g| same(&g.file))
        .map(|g| g.package.name.as_str())
}

/// The specs, evaluated for the arch with the macros its buildroot has.
/// Every file is read before the macro packages are (an unreadable spec is
/// the run's one line, before any download).
fn evaluate_specs(r: &Request, say: &mut Said) -> Result<Vec<Given>> {
    let mut texts = Vec::new();
    for path in unique(r.specs) {
        if path.extension().is_some_and(|e| e == "rpm") {
            refuse!(
                "--spec {}: an RPM file: give an SRPM as --srpm",
                path.display()
            );
        }
        let text = read_spec(path).map_err(|e| usage!("--spec {e}"))?;
        texts.push((path, text));
    }
    // The macro packages' metadata and files go to the run's cache.
    let cache = r.repos.cache_dir()?;
    let mut files = r.repos.source.files.clone();
    files.cache.cache_dir = Some(cache.clone());
    // The run's core names hold its release package already.
    let macros = MacroArgs {
        binary: r.repos.binary.clone(),
        core: CoreArgs {
            core: Some(r.core.to_vec()),
            release_package: Some(String::new()),
        },
        ..r.macros.clone()
    };
    let mut notes = Vec::new();
    // The run's own load reads the same repos and warns about them.
    let mut targets = rpmmd::without_warnings(|| {
        macros.targets(&[r.arch.to_string()], &files, &cache, &mut |m| {
            notes.push(m)
        })
    })
    .map_err(|e| match e {
        crate::Error::MacroDefinition { text } => {
            usage!("--define '{text}': expected 'NAME VALUE'")
        }
        // A macro package that cannot be read: the run itself may not need
        // it, so say how to do without. A repository that cannot be read
        // fails the run anyway: its error alone.
        e if about_a_package_file(&e) => usage!(
            "{e} (the --spec macros; --no-repo-macros reads the specs with the built-in ELN \
             macros, --srpm takes an SRPM instead)"
        ),
        e => e,
    })?;
    // A misspelt --macro-package would go unnoticed (its macros silently
    // absent), as identify-archful-srpms warns of it; a core name no
    // package matches is the run's own warning, said once, later.
    for w in macros.warnings(&targets) {
        if w.starts_with("--macro-package ") {
            say.push(("warning", w));
        }
    }
    let Some(target) = targets.first_mut() else {
        refuse!("--arch {}: no macros for the arch", r.arch);
    };
    r.spec_args.apply(&mut target.ctx);
    for n in notes {
        say.push(("note", format!("--spec: {n}")));
    }
    let mut out = Vec::new();
    for (path, text) in texts {
        let s = spec_source(path, &text, target).map_err(|e| {
            let e = e.to_string();
            let macro_hint = ["no such macro", "Unknown tag: %", "Dependency tokens", "%{"]
                .iter()
                .any(|m| e.contains(m));
            match macro_hint {
                true => usage!(
                    "--spec {e} (a macro the buildroot's macro packages do not define? \
                     --define 'NAME VALUE', --macro-package NAME or --macros FILE supply it)"
                ),
                false => usage!("--spec {e}"),
            }
        })?;
        let option = format!("--spec {}", path.display());
        let name = &s.package.name;
        if let Some(field) = unexpanded(&s.package) {
            say.push((
                "warning",
                format!(
                    "{option}: a macro is left unexpanded in {field} (one the buildroot's \
                     macro packages do not define?)"
                ),
            ));
        }
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
                    "{option}: ExclusiveArch/ExcludeArch keep {name} from building on {} \
                     (its BuildRequires still count, as the repos' sources' do)",
                    r.arch
                ),
            ));
        }
        let per_arch = match r.compare && r.arch != SRPM_ARCH {
            true => per_arch(path, &text, target, &s.package),
            false => None,
        };
        out.push(Given {
            option,
            file: path.to_path_buf(),
            package: s.package,
            per_arch,
        });
    }
    Ok(out)
}

/// The BuildRequires of the spec evaluated for [`SRPM_ARCH`] with the same
/// macros (the arch's own facts come from its platform file or the
/// evaluator's tables), compared with `here`'s; None when they are the
/// same or the spec cannot be read for that arch.
fn per_arch(path: &Path, text: &str, target: &ArchTarget, here: &Package) -> Option<PerArch> {
    let mut other = target.clone();
    other.arch = SRPM_ARCH.to_string();
    other.ctx.arch = SRPM_ARCH.to_string();
    let there = spec_source(path, text, &other).ok()?.package;
    let (here, there) = (dep_texts(&here.requires), dep_texts(&there.requires));
    let only_here: Vec<String> = here.difference(&there).cloned().collect();
    let only_there: Vec<String> = there.difference(&here).cloned().collect();
    (!only_here.is_empty() || !only_there.is_empty()).then_some(PerArch {
        only_here,
        only_there,
    })
}

/// The dependencies of `requires` as text, to compare two packages' sets.
fn dep_texts(requires: &[Requirement]) -> BTreeSet<String> {
    requires.iter().map(|r| r.dep.to_string()).collect()
}

/// `--compare` with a spec whose BuildRequires differ per arch: the
/// baseline, the repos' SRPM, holds the BuildRequires of the arch it was
/// made on. When none of the repos' sources of the name holds `arch`'s
/// (a per-arch source repo of steps 5-7 does), part of the difference is
/// the arch's, not the edit: a note says so.
pub fn note_arch_baseline(given: &[Given], pool: &Pool, arch: &str, say: &mut Said) {
    for g in given {
        let Some(d) = &g.per_arch else { continue };
        let name = &g.package.name;
        let repos: Vec<BTreeSet<String>> = pool
            .sources_named(name)
            .into_iter()
            .filter(|&q| !pool.is_command_line(q))
            .map(|q| dep_texts(&pool.requires(q)))
            .collect();
        // A new package has no baseline to mislead.
        let arch_s = |r: &BTreeSet<String>| {
            d.only_here.iter().all(|x| r.contains(x)) && !d.only_there.iter().any(|x| r.contains(x))
        };
        if repos.is_empty() || repos.iter().any(arch_s) {
            continue;
        }
        let list = |v: &[String]| match v.is_empty() {
            true => "none".to_string(),
            false => v.join(", "),
        };
        say.push((
            "note",
            format!(
                "--compare: the repos' {name} holds the BuildRequires of the arch its SRPM was \
                 made on; the spec's differ per arch ({arch} only: {}; {} only: {}), so part of \
                 the difference is the arch's, not the edit: compare against the per-arch source \
                 repo of steps 5-7 for an exact baseline",
                list(&d.only_here),
                SRPM_ARCH,
                list(&d.only_there)
            ),
        ));
    }
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

/// The packages, for the pool.
pub fn packages(given: &[Given]) -> Vec<Package> {
    given.iter().map(|g| g.package.clone()).collect()
}

/// Whether `path` is a spec (given as --srpm by mistake).
fn looks_like_spec(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "spec")
}

/// Whether `e` is about an RPM file (a macro package read for `--spec`), not
/// about a repository's metadata or directory.
fn about_a_package_file(e: &crate::Error) -> bool {
    use crate::Error;
    match e {
        Error::Io { path, .. } => path.extension().is_some_and(|x| x == "rpm"),
        Error::Format { path, .. } | Error::Checksum { path, .. } => path.ends_with(".rpm"),
        Error::Http { url, .. } | Error::MirrorsGivenUp { url, .. } => url.ends_with(".rpm"),
        Error::MissingProgram { .. } => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::about_a_package_file;
    use crate::Error;

    #[test]
    fn only_package_files_get_the_macro_hint() {
        let missing_repo = Error::format(
            "testdata/repos/x86_64",
            "repository directory does not exist",
        );
        assert!(!about_a_package_file(&missing_repo));
        let bad_rpm = Error::format(
            "repo/Packages/redhat-rpm-config-1-1.noarch.rpm",
            "truncated",
        );
        assert!(about_a_package_file(&bad_rpm));
    }
}
