//! The lists of binaries step 10 may install (`buildroot-generator
//! --only-binaries`): the compose's names with the workload's, read against
//! the loaded repos, and the names no repository holds a binary of (a stale
//! compose list, a repo missing), which the tool warns about.
//!
//! No upstream counterpart: content-resolver records a package it cannot
//! find as a warning of its workload; dnf's `--setopt=includepkgs` would
//! take the names as globs and say nothing of those matching nothing.

use std::collections::{BTreeSet, HashSet};

use super::{name_in, read_list, read_list_from, reduce, Names};
use crate::error::Result;

/// What `--only-binaries` lists allow.
#[derive(Debug, Default)]
pub struct AllowedBinaries {
    /// The binary names the lists allow.
    pub names: BTreeSet<String>,
    /// Those no repository holds a binary of, sorted; placeholders aside.
    pub unknown: Vec<String>,
}

/// Reads `files` (`-`: stdin, read once) as binary-name lists against the
/// repos (`has_binary`): each reduced as a list, as [`Names::Reduce`]
/// reduces one (a list of bare N-V-Rs), and a NEVRA the list heuristic
/// keeps whole (a version that does not start with a digit: texlive's
/// `11:svn63514`) taken for its binary where the repos have one, as the
/// input's lines are read ([`name_in`]). Not unknown, in no repo by design:
/// the `placeholder` names (the `--placeholders` sources) and the binaries
/// content-resolver's NEVRA lists mark as a placeholder's
/// (`NAME-000-placeholder.placeholder`).
pub fn read_allowed(
    files: &[String],
    has_binary: impl Fn(&str) -> bool,
    placeholder: impl Fn(&str) -> bool,
) -> Result<AllowedBinaries> {
    let mut names = BTreeSet::new();
    let mut marked = HashSet::new();
    let mut explained = HashSet::new();
    for f in files {
        let lines = read_list(f, Names::Verbatim)?;
        marked.extend(
            lines
                .iter()
                .filter(|l| l.ends_with(".placeholder"))
                .map(|l| reduce(l)),
        );
        let text = lines.join("\n");
        names.extend(read_list_from(text.as_bytes(), f, Names::Reduce)?);
        for l in &lines {
            let n = name_in(l, &has_binary);
            if n != *l && has_binary(&n) {
                explained.insert(l.clone());
                names.insert(n);
            }
        }
    }
    let unknown = names
        .iter()
        .filter(|n| {
            !has_binary(n) && !placeholder(n) && !marked.contains(*n) && !explained.contains(*n)
        })
        .cloned()
        .collect();
    Ok(AllowedBinaries { names, unknown })
}
