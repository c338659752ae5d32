//! One `workload-diff` document as a library call: a [`Request`] (the
//! inputs by arch, paired as the format needs: [`check_arches`], which the
//! tool calls before any file is read) in, the text of the document asked
//! for ([`Format`]) out; and step 10's inputs by arch ([`verify_paths`])
//! for [`super::verify_report`]. Reading is
//! [`super::inputs`]'s, computing [`super::diff`]'s and [`super::changes`]'s;
//! this decides what to read for which format, refuses the empty lists a
//! failed step before leaves, and names the previous run.
//!
//! Upstream: content-resolver reads what this writes
//! (`feedback-pipeline-workload`, `feedback-pipeline-buildroot`); the diff
//! is dep-tracker's comparison of its buildroot with the compose. No single
//! upstream function.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::changes::{self, Changes};
use super::inputs::{self, ArchPaths};
use super::skipped_repos;
use super::verify_report::VerifyPaths;
use super::{WorkloadDocument, WorkloadMeta, CONTENT_RESOLVER_ARCHES};
use crate::error::{Error, Result};

/// The documents and reports `workload-diff` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// feedback-pipeline-workload YAML
    Workload,
    /// feedback-pipeline-buildroot YAML (needs --buildroot-dir)
    Buildroot,
    /// A human-readable report per arch
    Text,
    /// What entered and left the workload since --previous (Markdown)
    Changes,
    /// The same as JSON
    ChangesJson,
    /// Step 10: the binaries compose + workload allow on one arch
    Allowed,
    /// Step 10: what the restricted run could not build, and what the new compose lacks
    Verify,
}

/// `ARCH=PATH` pairs as a map, refusing an unknown arch (a misspelt arch
/// is an error, not an arch content-resolver skips: those are real arches,
/// riscv64, say) and an arch given twice; `option` names them.
pub fn by_arch<'a>(
    pairs: &'a [(String, String)],
    option: &str,
) -> Result<BTreeMap<&'a str, &'a str>> {
    let mut map = BTreeMap::new();
    for (arch, path) in pairs {
        if !crate::arch::is_known(arch) {
            return Err(Error::Usage(format!(
                "{option} {arch}={path}: unknown architecture (known: {})",
                crate::arch::known().join(", ")
            )));
        }
        if map.insert(arch.as_str(), path.as_str()).is_some() {
            return Err(Error::Usage(format!("{option} {arch} given twice")));
        }
    }
    Ok(map)
}

/// Checks the pairing of the inputs by arch (`--compose`, `--buildroot`,
/// `--buildroot-dir`) for `format`, before any file is read: every compose
/// arch needs a buildroot (file or dir) and the other way round; the
/// buildroot format needs a directory for every arch; `allowed` takes one
/// compose.
pub fn check_arches(
    compose: &BTreeMap<&str, &str>,
    buildroot: &BTreeMap<&str, &str>,
    dirs: &BTreeMap<&str, &str>,
    format: Format,
) -> Result<()> {
    let buildroot_format = format == Format::Buildroot;
    if format == Format::Allowed {
        return if compose.len() == 1 {
            Ok(())
        } else {
            Err(Error::Usage(
                "--format allowed needs exactly one --compose ARCH=FILE (and --workload)".into(),
            ))
        };
    }
    if buildroot_format {
        if dirs.is_empty() {
            return Err(Error::Usage(
                "--format buildroot needs --buildroot-dir ARCH=DIR for every arch".into(),
            ));
        }
        if let Some(a) = compose
            .keys()
            .chain(buildroot.keys())
            .find(|a| !dirs.contains_key(*a))
        {
            return Err(Error::Usage(format!(
                "--format buildroot needs --buildroot-dir for {a}"
            )));
        }
        if compose.is_empty() {
            return Ok(());
        }
    } else if compose.is_empty() {
        return Err(Error::Usage(
            "--compose ARCH=FILE is required (once per arch)".into(),
        ));
    }
    if let Some(a) = compose
        .keys()
        .find(|a| !buildroot.contains_key(*a) && !dirs.contains_key(*a))
    {
        return Err(Error::Usage(format!(
            "arch {a} has --compose but no --buildroot or --buildroot-dir"
        )));
    }
    if let Some(a) = buildroot.keys().find(|a| !compose.contains_key(*a)) {
        return Err(Error::Usage(format!(
            "arch {a} has --buildroot but no --compose"
        )));
    }
    if let Some(a) = dirs.keys().find(|a| !compose.contains_key(*a)) {
        return Err(Error::Usage(format!(
            "arch {a} has --buildroot-dir but no --compose"
        )));
    }
    Ok(())
}

/// What to write, from which inputs (every arch of `compose` has a
/// `buildroot` or a `dirs` entry and the other way round, as the format
/// needs: [`check_arches`]).
pub struct Request<'a> {
    /// The document.
    pub format: Format,
    /// `--json`: the added sets as JSON instead.
    pub json: bool,
    /// Arch -> the compose's binary names (a list file; `-`: stdin).
    pub compose: BTreeMap<&'a str, &'a str>,
    /// Arch -> the buildroot's binary names (a list file).
    pub buildroot: BTreeMap<&'a str, &'a str>,
    /// Arch -> the generator's output directory (pass 2).
    pub dirs: BTreeMap<&'a str, &'a str>,
    /// Lists of names never put into the workload.
    pub exclude: &'a [String],
    /// The workload's name, description, maintainer and labels.
    pub meta: WorkloadMeta,
    /// The buildroot document's view id.
    pub view: &'a str,
    /// `--format allowed`: the workload YAML.
    pub workload: Option<&'a Path>,
    /// The change report: the previous workload YAML (`-`: stdin).
    pub previous: Option<&'a Path>,
    /// The change report: the previous run's id.
    pub previous_run: Option<&'a str>,
    /// The change report: `ARCH=DIR` of the previous run's output directories.
    pub previous_dir: &'a [(String, String)],
    /// The change report: this run's `skipped-repos.txt`.
    pub skipped_repos: Option<&'a Path>,
    /// The change report: the previous run's `skipped-repos.txt`.
    pub previous_skipped_repos: Option<&'a Path>,
    /// Take an empty compose or buildroot list.
    pub allow_empty: bool,
    /// No warnings.
    pub quiet: bool,
    /// Where the document goes (files under its directory are named from
    /// there in the change report); None or `-`: stdout.
    pub output: Option<&'a Path>,
}

/// The document `req` asks for, as text; `warn` gets the warnings (the
/// tool says them on stderr).
pub fn document(req: &Request, warn: &dyn Fn(&str)) -> Result<String> {
    let unread: BTreeSet<&str> = req
        .compose
        .keys()
        .chain(req.dirs.keys())
        .copied()
        .filter(|a| !CONTENT_RESOLVER_ARCHES.contains(a))
        .collect();
    if !req.quiet && !req.json && req.format != Format::Text && !unread.is_empty() {
        warn(&format!(
            "content-resolver skips arch {} (it reads {})",
            unread.into_iter().collect::<Vec<_>>().join(", "),
            CONTENT_RESOLVER_ARCHES.join(", ")
        ));
    }
    match req.format {
        Format::Allowed => allowed(req),
        Format::Buildroot => {
            let dirs = req.dirs.iter().map(|(a, d)| (*a, Path::new(*d))).collect();
            inputs::read_buildroot_document(&req.meta.maintainer, req.view, &dirs)?.to_yaml()
        }
        _ => from_diff(req, warn),
    }
}

/// `--format allowed`: the one compose arch's names with the workload's.
fn allowed(req: &Request) -> Result<String> {
    let Some(workload) = req.workload else {
        return Err(Error::Usage(
            "--format allowed needs --workload FILE".into(),
        ));
    };
    let (arch, file) = req.compose.iter().next().expect("checked: one --compose");
    Ok(inputs::read_allowed(file, workload, arch)?
        .into_iter()
        .map(|n| n + "\n")
        .collect())
}

/// The formats computed from the diff: workload, text, JSON, changes.
fn from_diff(req: &Request, warn: &dyn Fn(&str)) -> Result<String> {
    let mut paths: BTreeMap<&str, ArchPaths> = req
        .compose
        .iter()
        .map(|(arch, file)| {
            let paths = ArchPaths {
                compose: file,
                buildroot: req.buildroot.get(arch).copied(),
                dir: req.dirs.get(arch).copied().map(Path::new),
                previous_dir: None,
            };
            (*arch, paths)
        })
        .collect();
    // Read once: a list given as `-` is stdin, which the change report
    // would otherwise read a second time and find empty.
    let mut empty_composes = Vec::new();
    let lists = inputs::read_lists(&paths, req.exclude, &mut |arch, file| {
        empty_composes.push((arch.to_string(), file.to_string()))
    })?;
    // An empty compose is most likely a failed step 1 (every buildroot
    // binary would land in the workload), an empty buildroot list a failed
    // generator run (a buildroot always holds the core; nothing of the arch
    // would go into the workload): refused, as the other tools refuse an
    // empty list, unless --allow-empty says it is meant (a new arch, a test).
    let empty_buildroots = req
        .buildroot
        .iter()
        .filter(|(arch, _)| lists.buildroot.get(**arch).is_some_and(BTreeSet::is_empty));
    let empties = empty_composes
        .iter()
        .map(|(arch, file)| {
            let option = format!("--compose {arch}={file}");
            (
                option,
                format!("the whole {arch} buildroot goes into the workload"),
            )
        })
        .chain(empty_buildroots.map(|(arch, file)| {
            let option = format!("--buildroot {arch}={file}");
            (
                option,
                format!("nothing of the {arch} buildroot goes into the workload"),
            )
        }));
    for (option, what) in empties {
        if !req.allow_empty {
            return Err(Error::Usage(format!(
                "{option} lists no packages (did the step before fail?); with --allow-empty {what}"
            )));
        }
        if !req.quiet {
            warn(&format!("{option} lists no packages: {what}"));
        }
    }
    let diff = lists.diff()?;
    let workload = diff.workload(&req.meta);
    Ok(if req.json {
        diff.to_json()
    } else if req.format == Format::Text {
        diff.to_text()
    } else if matches!(req.format, Format::Changes | Format::ChangesJson) {
        let changes = changes(req, &workload, &mut paths, &lists)?;
        if req.format == Format::Changes {
            changes.to_markdown()
        } else {
            changes.to_json()
        }
    } else {
        workload.to_yaml()?
    })
}

/// `--format changes`: the current workload against --previous.
fn changes<'a>(
    req: &Request<'a>,
    current: &WorkloadDocument,
    paths: &mut BTreeMap<&str, ArchPaths<'a>>,
    lists: &inputs::Lists,
) -> Result<Changes> {
    let previous = match req.previous {
        Some(p) if p.as_os_str() == "-" => Some((WorkloadDocument::read(p)?, "<stdin>".into())),
        Some(p) => {
            let named = beside_output(req, p).unwrap_or_else(|| p.display().to_string());
            Some((WorkloadDocument::read(p)?, named))
        }
        None => None,
    };
    let previous_run = match req.previous_run {
        Some(id) if id.is_empty() || id.chars().any(|c| c.is_control() || c == '`') => {
            return Err(Error::Usage(format!(
                "--previous-run '{}': not a run id (one line of text, no '`')",
                id.escape_debug()
            )));
        }
        Some(_) if req.previous.is_none() => {
            return Err(Error::Usage(
                "--previous-run names the run of --previous: give --previous FILE too".into(),
            ));
        }
        id => id.map(str::to_string),
    };
    let previous_dirs = by_arch(req.previous_dir, "--previous-dir")?;
    for (arch, paths) in paths.iter_mut() {
        paths.previous_dir = previous_dirs.get(arch).copied().map(Path::new);
    }
    let mut changes = inputs::read_changes(
        current,
        previous.as_ref().map(|(w, o)| (w, o.as_str())),
        paths,
        lists,
    )?;
    if let Some(f) = req.skipped_repos {
        changes.skipped_repos = skipped_repos::read(f)?;
    }
    if let Some(f) = req.previous_skipped_repos {
        changes.previous_skipped_repos = skipped_repos::read(f)?;
        changes.previous_skipped_record = beside_output(req, f);
    }
    changes.previous_run = previous_run;
    Ok(changes)
}

/// `path` named from the output's directory when it lies there
/// ([`changes::named_beside`]); None when the output is stdout.
fn beside_output(req: &Request, path: &Path) -> Option<String> {
    let out = req.output.filter(|o| o.as_os_str() != "-")?;
    changes::named_beside(out, path)
}

/// Step 10's inputs per arch: every arch of `runs` (the restricted runs'
/// directories) or `news` (the new composes' lists) with its pass-2
/// directory from `pass2`, refused when it has none.
pub fn verify_paths<'a>(
    pass2: &BTreeMap<&'a str, &'a str>,
    runs: &BTreeMap<&'a str, &'a str>,
    news: &BTreeMap<&'a str, &'a str>,
) -> Result<BTreeMap<&'a str, VerifyPaths<'a>>> {
    let mut arches: BTreeSet<&str> = runs.keys().copied().collect();
    arches.extend(news.keys().copied());
    if let Some(a) = arches.iter().find(|a| !pass2.contains_key(**a)) {
        return Err(Error::Usage(format!(
            "arch {a} has --verify-dir or --new-compose but no --buildroot-dir (pass 2)"
        )));
    }
    Ok(arches
        .into_iter()
        .map(|arch| {
            let paths = VerifyPaths {
                pass2: Path::new(pass2[arch]),
                run: runs.get(arch).copied().map(Path::new),
                new_compose: news.get(arch).copied(),
            };
            (arch, paths)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map<'a>(pairs: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, &'a str> {
        pairs.iter().copied().collect()
    }

    /// Each arch's inputs pair up as the format needs, and the line names
    /// the arch and what it lacks.
    #[test]
    fn the_inputs_pair_up_by_arch() {
        let (c, b, d) = (
            map(&[("x86_64", "c")]),
            map(&[("x86_64", "b")]),
            map(&[("x86_64", "d")]),
        );
        let none = BTreeMap::new();
        let check = |c, b, d, f| check_arches(c, b, d, f).map_err(|e| e.to_string());
        assert_eq!(check(&c, &b, &none, Format::Workload), Ok(()));
        assert_eq!(check(&c, &none, &d, Format::Text), Ok(()));
        assert_eq!(check(&none, &none, &d, Format::Buildroot), Ok(()));
        assert_eq!(check(&c, &none, &none, Format::Allowed), Ok(()));
        let err = |c, b, d, f| check(c, b, d, f).unwrap_err();
        assert_eq!(
            err(&none, &b, &none, Format::Workload),
            "--compose ARCH=FILE is required (once per arch)"
        );
        assert_eq!(
            err(&c, &none, &none, Format::Workload),
            "arch x86_64 has --compose but no --buildroot or --buildroot-dir"
        );
        let b2 = map(&[("x86_64", "b"), ("s390x", "b")]);
        assert_eq!(
            err(&c, &b2, &none, Format::Workload),
            "arch s390x has --buildroot but no --compose"
        );
        let d2 = map(&[("x86_64", "d"), ("s390x", "d")]);
        assert_eq!(
            err(&c, &none, &d2, Format::Text),
            "arch s390x has --buildroot-dir but no --compose"
        );
        assert_eq!(
            err(&c, &b, &none, Format::Buildroot),
            "--format buildroot needs --buildroot-dir ARCH=DIR for every arch"
        );
        assert_eq!(
            err(&c, &b2, &d, Format::Buildroot),
            "--format buildroot needs --buildroot-dir for s390x"
        );
        assert_eq!(
            err(&none, &none, &none, Format::Allowed),
            "--format allowed needs exactly one --compose ARCH=FILE (and --workload)"
        );
    }
}
