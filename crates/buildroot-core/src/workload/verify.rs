//! Workflow step 10, the checks after the runs: what the compose and the
//! ELN-Buildroot workload alone cannot build, and which buildroot binaries
//! the new compose (the view recomputed with the workload) lacks.
//!
//! - [`allowed`]: the binaries step 10 lets the generator install on one
//!   arch: the compose's names, the workload's `packages` and its
//!   `arch_packages` for that arch.
//! - [`new_failures`]: the problems of the restricted run that pass 2 did not
//!   have: per source, each line of its error files (NoInstall, BadDeps,
//!   NoSource) that none of pass 2's error files of that source holds,
//!   without BadDeps' banner lines (`=====`, `ERROR: SRC`, "conflicting
//!   requests"), as `SRC: problem`. A source that already failed in pass 2
//!   still counts when the workload is the cause of a new problem.
//! - [`missing`]: pass 2's binaries that the new compose does not have.

use std::collections::BTreeSet;

use super::documents::WorkloadDocument;
use super::outdir::BuildrootDir;

/// The binaries step 10 allows on `arch`.
pub fn allowed(
    compose: &BTreeSet<String>,
    workload: &WorkloadDocument,
    arch: &str,
) -> BTreeSet<String> {
    let mut out = compose.clone();
    out.extend(workload.names_for(arch));
    out
}

/// `SRC: problem` lines the restricted run has and pass 2 has not, sorted by
/// source, then as the lines sort.
pub fn new_failures(pass2: &BuildrootDir, verify: &BuildrootDir) -> Vec<String> {
    let mut out = Vec::new();
    for (src, kinds) in &verify.errors {
        let old: BTreeSet<&str> = pass2
            .errors
            .get(src)
            .into_iter()
            .flat_map(|k| k.values())
            .flat_map(|t| t.lines())
            .collect();
        let banner = format!("ERROR: {src}");
        let prefix = format!("{src}: ");
        let mut lines: BTreeSet<String> = BTreeSet::new();
        for text in kinds.values() {
            for l in text.lines() {
                let t = l.trim_end();
                if t.is_empty()
                    || t.chars().all(|c| c == '=')
                    || t == banner
                    || t == "conflicting requests"
                    || old.contains(l)
                {
                    continue;
                }
                lines.insert(if t.starts_with(&prefix) {
                    t.to_string()
                } else {
                    format!("{prefix}{t}")
                });
            }
        }
        out.extend(lines);
    }
    out
}

/// Pass 2's binaries that `new_compose` does not have.
pub fn missing(pass2: &BuildrootDir, new_compose: &BTreeSet<String>) -> BTreeSet<String> {
    pass2
        .binary_names()
        .into_iter()
        .filter(|n| !new_compose.contains(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::outdir::ErrorKind;

    fn dir(errors: &[(&str, ErrorKind, &str)], binaries: &[&str]) -> BuildrootDir {
        let mut d = BuildrootDir {
            binary_names: Some(binaries.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        for (src, kind, text) in errors {
            d.errors
                .entry(src.to_string())
                .or_default()
                .insert(kind.clone(), text.to_string());
        }
        d
    }

    #[test]
    fn only_new_problems_count_with_their_source() {
        let pass2 = dir(
            &[
                ("broken", ErrorKind::NoInstall, "broken: does-not-exist-devel\n"),
                (
                    "conflicted",
                    ErrorKind::BadDeps,
                    "=====\nERROR: conflicted\nconflicting requests\npackage curl conflicts with curl-minimal\n",
                ),
            ],
            &[],
        );
        let verify = dir(
            &[
                (
                    "broken",
                    ErrorKind::NoInstall,
                    "broken: does-not-exist-devel\nbroken: perl\n",
                ),
                (
                    "conflicted",
                    ErrorKind::BadDeps,
                    "=====\nERROR: conflicted\nconflicting requests\npackage curl conflicts with curl-minimal\n",
                ),
                (
                    "hello",
                    ErrorKind::BadDeps,
                    "=====\nERROR: hello\nconflicting requests\npackage gcc is filtered out by exclude filtering\n",
                ),
            ],
            &[],
        );
        assert_eq!(
            new_failures(&pass2, &verify),
            [
                "broken: perl",
                "hello: package gcc is filtered out by exclude filtering"
            ]
        );
    }

    #[test]
    fn allowed_and_missing() {
        let mut w = WorkloadDocument::default();
        w.packages.insert("gcc".into());
        w.arch_packages
            .insert("x86_64".into(), ["nasm".to_string()].into());
        let compose: BTreeSet<String> = ["bash".to_string()].into();
        let a = allowed(&compose, &w, "x86_64");
        assert_eq!(a.into_iter().collect::<Vec<_>>(), ["bash", "gcc", "nasm"]);
        let a = allowed(&compose, &w, "aarch64");
        assert_eq!(a.into_iter().collect::<Vec<_>>(), ["bash", "gcc"]);
        let pass2 = dir(&[], &["bash", "gcc", "patch"]);
        let m = missing(&pass2, &["bash".to_string(), "gcc".to_string()].into());
        assert_eq!(m.into_iter().collect::<Vec<_>>(), ["patch"]);
    }
}
