//! The change report of a workflow run: which packages entered or left the
//! ELN-Buildroot workload since the previous run, per arch, and why — what
//! a reviewer of the workload asks first.
//!
//! A package's place in the workload on an arch is `packages` ∪
//! `arch_packages[arch]`. For each package that entered, the report gives
//! the chain that brings it into the buildroot (the generator's `--why`
//! chain from the output directory's `buildroot-why.json`: the
//! BuildRequires and the source that pulled it in) and the sources whose
//! builds need it now (`output/*-deps-binary`, the core). For each package
//! that left: whether the compose ships it now, or the exclude list has it,
//! or else which sources needed it in the previous run (the previous output
//! directory) and no longer do.
//!
//! Without a previous workload every package is entering (a first run).
//! The arches of a workload are its `arch_packages` keys (every arch of its
//! run is one): an arch the previous run did not build is a new arch, all
//! of whose packages entered, not one that had the common `packages`
//! already; an arch the previous run built and this one does not is said,
//! its packages left with it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::documents::WorkloadDocument;
use super::outdir::BuildrootDir;
use super::skipped_repos::{markdown_section, SkippedRepo};

/// Why a package left the workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftBecause {
    /// The compose ships it now.
    InCompose,
    /// The exclude list names it now.
    Excluded,
    /// The arch is not built any more (its packages left with it).
    ArchNotBuilt,
    /// No source needs it any more; these did in the previous run (empty
    /// when the previous output directory is unknown).
    NotNeeded {
        /// The sources that needed it in the previous run.
        needed_before_by: BTreeSet<String>,
    },
}

/// A package that entered the workload on an arch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entered {
    /// The binary package name.
    pub name: String,
    /// The `--why` chain, binary first (empty when the output directory has
    /// no `buildroot-why.json`).
    pub why: Vec<String>,
    /// The sources whose builds need it (`core` for the core buildroot).
    pub needed_by: BTreeSet<String>,
}

/// A package that left the workload on an arch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Left {
    /// The binary package name.
    pub name: String,
    /// Why it left.
    pub because: LeftBecause,
}

/// How an arch's place in the runs changed: a new arch, or one no longer
/// built. None when both runs built it (or there is no previous run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchChange {
    /// The previous run did not build it: every package of it entered.
    New,
    /// The previous run built it and this one does not: every package it
    /// had left.
    NoLongerBuilt,
}

/// The changes on one arch.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArchChanges {
    /// Whether the arch itself is new or no longer built (absent from the
    /// JSON when both runs built it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<ArchChange>,
    /// Packages that entered, sorted by name.
    pub entered: Vec<Entered>,
    /// Packages that left, sorted by name.
    pub left: Vec<Left>,
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Where the previous workload came from (None: a first run).
    pub previous: Option<String>,
    /// The previous run's id (workload-diff `--previous-run`: the
    /// workflow's `runs/ID`), which outlives the run's directory: the
    /// workflow prunes old runs, so a path into one dangles later. Absent
    /// from the JSON when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_run: Option<String>,
    /// The copy of the previous run's `skipped-repos.txt` kept beside the
    /// report (its path from the report's directory), named in the
    /// Markdown; None: the previous run's own file is meant. Not in the
    /// JSON, which carries the lines themselves.
    #[serde(skip)]
    pub previous_skipped_record: Option<String>,
    /// The changes per arch.
    pub arches: BTreeMap<String, ArchChanges>,
    /// The repos this run was computed without (its `skipped-repos.txt`),
    /// sorted; absent from the JSON when none, so a whole run's is as it
    /// was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_repos: Vec<SkippedRepo>,
    /// The same of the previous run: its packages may show as entering now
    /// that the repo is back.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub previous_skipped_repos: Vec<SkippedRepo>,
}

/// What the report is computed from, per arch.
pub struct ArchInputs<'a> {
    /// The compose's binary names on the arch.
    pub compose: &'a BTreeSet<String>,
    /// The current run's output directory (pass 2).
    pub current: Option<&'a BuildrootDir>,
    /// Its `buildroot-why.json`.
    pub why: Option<&'a BTreeMap<String, Vec<String>>>,
    /// The previous run's output directory (pass 2).
    pub previous: Option<&'a BuildrootDir>,
}

/// The sources of `dir` whose builds need `name` (`core` when the core
/// buildroot has it).
fn needed_by(dir: &BuildrootDir, name: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = dir
        .deps_binary
        .iter()
        .filter(|(_, bins)| bins.contains(name))
        .map(|(src, _)| src.clone())
        .collect();
    if dir.core_binaries.contains(name) {
        out.insert("core".to_string());
    }
    out
}

impl Changes {
    /// Compares `current` with `previous` (None: everything is new) on the
    /// arches of `inputs`.
    pub fn compute(
        current: &WorkloadDocument,
        previous: Option<(&WorkloadDocument, &str)>,
        inputs: &BTreeMap<String, ArchInputs<'_>>,
        exclude: &BTreeSet<String>,
    ) -> Changes {
        let mut out = Changes {
            previous: previous.map(|(_, origin)| origin.to_string()),
            ..Default::default()
        };
        // A previous workload names its run's arches as `arch_packages`
        // keys; one without any (hand-written, or from before that rule)
        // is taken as built on every arch.
        let built_before = |arch: &str| {
            previous.is_some_and(|(w, _)| {
                w.arch_packages.is_empty() || w.arch_packages.contains_key(arch)
            })
        };
        for (arch, inp) in inputs {
            let now = current.names_for(arch);
            let new_arch = previous.is_some() && !built_before(arch);
            let before = match new_arch {
                true => BTreeSet::new(),
                false => previous.map(|(w, _)| w.names_for(arch)).unwrap_or_default(),
            };
            let mut ch = ArchChanges {
                arch: new_arch.then_some(ArchChange::New),
                ..Default::default()
            };
            for name in now.difference(&before) {
                ch.entered.push(Entered {
                    name: name.clone(),
                    why: inp
                        .why
                        .and_then(|w| w.get(name))
                        .cloned()
                        .unwrap_or_default(),
                    needed_by: inp.current.map(|d| needed_by(d, name)).unwrap_or_default(),
                });
            }
            for name in before.difference(&now) {
                let because = if inp.compose.contains(name) {
                    LeftBecause::InCompose
                } else if exclude.contains(name) {
                    LeftBecause::Excluded
                } else {
                    LeftBecause::NotNeeded {
                        needed_before_by: inp
                            .previous
                            .map(|d| needed_by(d, name))
                            .unwrap_or_default(),
                    }
                };
                ch.left.push(Left {
                    name: name.clone(),
                    because,
                });
            }
            out.arches.insert(arch.clone(), ch);
        }
        if let Some((w, _)) = previous {
            for arch in w.arch_packages.keys() {
                if inputs.contains_key(arch) {
                    continue;
                }
                let left = w
                    .names_for(arch)
                    .into_iter()
                    .map(|name| Left {
                        name,
                        because: LeftBecause::ArchNotBuilt,
                    })
                    .collect();
                let ch = ArchChanges {
                    arch: Some(ArchChange::NoLongerBuilt),
                    entered: Vec::new(),
                    left,
                };
                out.arches.insert(arch.clone(), ch);
            }
        }
        out
    }

    /// The report as JSON (two-space indentation, final newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("JSON of strings") + "\n"
    }

    /// The report as Markdown (`changes.md`).
    pub fn to_markdown(&self) -> String {
        let mut s = String::from("# ELN-Buildroot workload: changes\n\n");
        match (&self.previous, &self.previous_run) {
            (Some(p), Some(id)) => {
                let _ = writeln!(
                    s,
                    "Compared with the workload of the previous run, `{id}` (as it was then: \
                     `{p}`).\n"
                );
            }
            (Some(p), None) => {
                let _ = writeln!(s, "Compared with the previous workload, `{p}`.\n");
            }
            (None, _) => s.push_str("No previous workload: every package is new.\n\n"),
        }
        let total: usize = self
            .arches
            .values()
            .map(|a| a.entered.len() + a.left.len())
            .sum();
        if total == 0 {
            s.push_str("No package entered or left the workload.\n\n");
        }
        for (arch, ch) in &self.arches {
            if ch.arch == Some(ArchChange::NoLongerBuilt) {
                // Its packages' one reason, said once (changes.json lists them).
                let _ = writeln!(
                    s,
                    "## {arch}: no longer built, {} left\n\nThis run does not build {arch}: \
                     every package the previous workload had for it left with it.\n",
                    ch.left.len()
                );
                continue;
            }
            let new = match ch.arch {
                Some(ArchChange::New) => "new arch (the previous run did not build it), ",
                _ => "",
            };
            let _ = writeln!(
                s,
                "## {arch}: {new}{} entered, {} left\n",
                ch.entered.len(),
                ch.left.len()
            );
            if !ch.entered.is_empty() {
                s.push_str("Entered:\n\n");
                for e in &ch.entered {
                    let _ = write!(s, "- `{}`", e.name);
                    if !e.why.is_empty() {
                        let _ = write!(s, ": {}", e.why.join(" ← "));
                    }
                    if !e.needed_by.is_empty() {
                        let _ = write!(s, " (needed by {})", some_of(&e.needed_by));
                    }
                    s.push('\n');
                }
                s.push('\n');
            }
            if !ch.left.is_empty() {
                s.push_str("Left:\n\n");
                for l in &ch.left {
                    let why = match &l.because {
                        LeftBecause::InCompose => "the compose ships it now".to_string(),
                        LeftBecause::Excluded => "the exclude list names it now".to_string(),
                        LeftBecause::ArchNotBuilt => format!("{arch} is no longer built"),
                        LeftBecause::NotNeeded { needed_before_by }
                            if needed_before_by.is_empty() =>
                        {
                            "no source needs it any more".to_string()
                        }
                        LeftBecause::NotNeeded { needed_before_by } => {
                            format!("no longer needed by {}", some_of(needed_before_by))
                        }
                    };
                    let _ = writeln!(s, "- `{}`: {why}", l.name);
                }
                s.push('\n');
            }
        }
        s.push_str(&markdown_section(
            &self.skipped_repos,
            "This run",
            "`skipped-repos.txt`",
        ));
        let record = match &self.previous_skipped_record {
            Some(f) => format!("its `skipped-repos.txt` (a copy: `{f}`)"),
            None => "its `skipped-repos.txt`".to_string(),
        };
        s.push_str(&markdown_section(
            &self.previous_skipped_repos,
            "The previous run",
            &record,
        ));
        s
    }
}

/// Up to five names, then how many more (the JSON has them all).
fn some_of(names: &BTreeSet<String>) -> String {
    const SHOWN: usize = 5;
    let list: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    if names.len() > SHOWN {
        format!("{} and {} more", list.join(", "), names.len() - SHOWN)
    } else {
        list.join(", ")
    }
}

/// `path` from the directory `out` (a report's file) is written into, when
/// it lies there, for the report to name what it was computed against so
/// that the name stays right wherever the run is moved (the workflow keeps
/// those inputs inside the run, `previous/`); None for a path elsewhere.
/// Compared as written, symlinks not followed: `last/x.yaml` stays so, not
/// the `runs/ID/x.yaml` the link leads to, which pruning removes.
pub fn named_beside(out: &Path, path: &Path) -> Option<String> {
    let dir = crate::atomic::parent_of(out);
    let (dir, file) = (lexical_absolute(&dir)?, lexical_absolute(path)?);
    let rel = file.strip_prefix(&dir).ok()?;
    Some(rel.to_str()?.to_string())
}

/// `p` from the root as written (`.` dropped), without asking the file
/// system; None for a path with `..`, which only the file system resolves.
fn lexical_absolute(p: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let whole = match p.is_absolute() {
        true => p.to_path_buf(),
        false => std::env::current_dir().ok()?.join(p),
    };
    let mut out = PathBuf::new();
    for c in whole.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wl(common: &[&str], x86: &[&str]) -> WorkloadDocument {
        let mut w = WorkloadDocument {
            packages: common.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        w.arch_packages
            .insert("x86_64".into(), x86.iter().map(|s| s.to_string()).collect());
        w
    }

    fn set(v: &[&str]) -> BTreeSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn entered_and_left_with_reasons() {
        let before = wl(&["gcc", "autoconf", "make", "yacc"], &["nasm"]);
        let now = wl(&["gcc", "cmake"], &["nasm"]);
        let mut cur = BuildrootDir::default();
        cur.deps_binary
            .insert("hello".into(), set(&["cmake", "gcc"]));
        let mut prev = BuildrootDir::default();
        prev.deps_binary
            .insert("hello".into(), set(&["autoconf", "gcc"]));
        prev.core_binaries = set(&["make"]);
        let why: BTreeMap<String, Vec<String>> = [(
            "cmake".to_string(),
            vec![
                "cmake".to_string(),
                "BuildRequires 'cmake' of hello (input)".to_string(),
            ],
        )]
        .into();
        let compose = set(&["make"]);
        let inputs: BTreeMap<String, ArchInputs> = [(
            "x86_64".to_string(),
            ArchInputs {
                compose: &compose,
                current: Some(&cur),
                why: Some(&why),
                previous: Some(&prev),
            },
        )]
        .into();
        let c = Changes::compute(
            &now,
            Some((&before, "last/w.yaml")),
            &inputs,
            &set(&["yacc"]),
        );
        let x = &c.arches["x86_64"];
        assert_eq!(x.entered.len(), 1);
        assert_eq!(x.entered[0].name, "cmake");
        assert_eq!(x.entered[0].needed_by, set(&["hello"]));
        let left = left_of(x);
        assert_eq!(
            left,
            [
                (
                    "autoconf",
                    &LeftBecause::NotNeeded {
                        needed_before_by: set(&["hello"])
                    }
                ),
                ("make", &LeftBecause::InCompose),
                ("yacc", &LeftBecause::Excluded),
            ]
        );
        let md = c.to_markdown();
        assert!(
            md.contains(
                "- `cmake`: cmake ← BuildRequires 'cmake' of hello (input) (needed by hello)"
            ),
            "{md}"
        );
        assert!(
            md.contains("- `autoconf`: no longer needed by hello"),
            "{md}"
        );
        assert!(md.contains("## x86_64: 1 entered, 3 left"), "{md}");
        let j: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(
            j["arches"]["x86_64"]["left"][0]["because"]["not-needed"]["needed_before_by"][0],
            "hello"
        );
    }

    /// A workload as a run on `arches` writes it: each arch a key.
    /// What left `a`, and why.
    fn left_of(a: &ArchChanges) -> Vec<(&str, &LeftBecause)> {
        a.left
            .iter()
            .map(|l| (l.name.as_str(), &l.because))
            .collect()
    }

    /// `arch`'s inputs with only a compose: no directories, no why file.
    fn bare_inputs<'a>(
        arch: &str,
        compose: &'a BTreeSet<String>,
    ) -> BTreeMap<String, ArchInputs<'a>> {
        let inputs = ArchInputs {
            compose,
            current: None,
            why: None,
            previous: None,
        };
        [(arch.to_string(), inputs)].into()
    }

    fn wl_on(common: &[&str], arches: &[(&str, &[&str])]) -> WorkloadDocument {
        let mut w = WorkloadDocument {
            packages: set(common),
            ..Default::default()
        };
        for (a, names) in arches {
            w.arch_packages.insert(a.to_string(), set(names));
        }
        w
    }

    #[test]
    fn an_arch_the_previous_run_did_not_build_is_new() {
        // x86_64 alone: everything is common. Then aarch64 joins, without nasm.
        let before = wl_on(&["gcc", "nasm"], &[("x86_64", &[])]);
        let now = wl_on(&["gcc"], &[("aarch64", &[]), ("x86_64", &["nasm"])]);
        let compose = BTreeSet::new();
        let inputs: BTreeMap<String, ArchInputs> = ["aarch64", "x86_64"]
            .iter()
            .map(|a| {
                let inp = ArchInputs {
                    compose: &compose,
                    current: None,
                    why: None,
                    previous: None,
                };
                (a.to_string(), inp)
            })
            .collect();
        let c = Changes::compute(&now, Some((&before, "w.yaml")), &inputs, &BTreeSet::new());
        let a = &c.arches["aarch64"];
        assert_eq!(a.arch, Some(ArchChange::New));
        let entered: Vec<&str> = a.entered.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(entered, ["gcc"]);
        // Not "nasm left: no source needs it any more": aarch64 never had it.
        assert!(a.left.is_empty(), "{:?}", a.left);
        let x = &c.arches["x86_64"];
        assert_eq!(x.arch, None);
        assert!(x.entered.is_empty() && x.left.is_empty());
        let md = c.to_markdown();
        assert!(
            md.contains(
                "## aarch64: new arch (the previous run did not build it), 1 entered, 0 left"
            ),
            "{md}"
        );
        assert!(md.contains("## x86_64: 0 entered, 0 left"), "{md}");
        let j: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(j["arches"]["aarch64"]["arch"], "new");
        assert!(j["arches"]["x86_64"].get("arch").is_none(), "{j}");
    }

    #[test]
    fn an_arch_no_longer_built_is_said() {
        let before = wl_on(&["gcc"], &[("aarch64", &["zlib"]), ("x86_64", &["nasm"])]);
        let now = wl_on(&["gcc", "nasm"], &[("x86_64", &[])]);
        let compose = BTreeSet::new();
        let inputs = bare_inputs("x86_64", &compose);
        let c = Changes::compute(&now, Some((&before, "w.yaml")), &inputs, &BTreeSet::new());
        let a = &c.arches["aarch64"];
        assert_eq!(a.arch, Some(ArchChange::NoLongerBuilt));
        let left = left_of(a);
        assert_eq!(
            left,
            [
                ("gcc", &LeftBecause::ArchNotBuilt),
                ("zlib", &LeftBecause::ArchNotBuilt)
            ]
        );
        assert!(c.arches["x86_64"].left.is_empty());
        let md = c.to_markdown();
        assert!(md.contains("## aarch64: no longer built, 2 left"), "{md}");
        assert!(!md.contains("No package entered or left"), "{md}");
        let j: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(j["arches"]["aarch64"]["arch"], "no-longer-built");
        assert_eq!(
            j["arches"]["aarch64"]["left"][1]["because"],
            "arch-not-built"
        );
    }

    #[test]
    fn a_previous_workload_without_arch_keys_counts_for_every_arch() {
        let mut before = wl_on(&["gcc", "nasm"], &[]);
        before.arch_packages.clear();
        let now = wl_on(&["gcc"], &[("aarch64", &[])]);
        let compose = BTreeSet::new();
        let inputs = bare_inputs("aarch64", &compose);
        let c = Changes::compute(&now, Some((&before, "w.yaml")), &inputs, &BTreeSet::new());
        let a = &c.arches["aarch64"];
        assert_eq!(a.arch, None);
        assert_eq!(a.left.len(), 1);
        assert_eq!(a.left[0].name, "nasm");
    }

    #[test]
    fn a_first_run_has_everything_entering() {
        let now = wl(&["gcc"], &[]);
        let compose = BTreeSet::new();
        let inputs = bare_inputs("aarch64", &compose);
        let c = Changes::compute(&now, None, &inputs, &BTreeSet::new());
        assert_eq!(c.arches["aarch64"].entered[0].name, "gcc");
        assert!(c.to_markdown().contains("No previous workload"));
    }
}
