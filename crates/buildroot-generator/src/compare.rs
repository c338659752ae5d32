//! `--compare`: the what-if's answer in one run. The fixed point is
//! computed without the files given (`--srpm`, `--spec`) and with them,
//! over the same pool; what changes is printed: the `--print` list's
//! names that leave and enter it, each given package's own build
//! environment, and the failures that appear or go (docs/formats.md 10b).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;
use buildroot_core::buildroot::{Buildroot, SourceErrors};
use serde::Serialize;

/// What one run says, as far as a comparison needs it.
pub struct Snapshot {
    lists: BTreeMap<&'static str, Vec<String>>,
    errors: BTreeMap<String, SourceErrors>,
    /// Each given package's own install set (`NAME-deps-binary`): names.
    own: BTreeMap<String, Vec<String>>,
}

/// The lists, by their `--json` key, in section 10a's order.
pub const LISTS: [&str; 4] = ["binaries", "sources", "binary_nvrs", "source_nvrs"];

impl Snapshot {
    /// The run `br`; `given` names the packages whose own set is kept.
    pub fn of(br: &Buildroot, given: &[String]) -> Snapshot {
        let lists = BTreeMap::from([
            ("binaries", br.binaries()),
            ("sources", br.source_names()),
            ("binary_nvrs", br.binary_nvrs()),
            ("source_nvrs", br.source_nvrs()),
        ]);
        let own = given
            .iter()
            .map(|name| {
                let mut set: Vec<String> = br
                    .source(name)
                    .map(|r| {
                        r.installed
                            .iter()
                            .map(|&p| br.pool.name_of(p).to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                set.sort();
                set.dedup();
                (name.clone(), set)
            })
            .collect();
        Snapshot {
            lists,
            errors: br.report("").errors,
            own,
        }
    }
}

/// What only the run without the files has (`left`) and what only the
/// run with them has (`entered`).
#[derive(Serialize)]
pub struct Change<T> {
    pub left: T,
    pub entered: T,
}

/// `--compare --json`'s document (keys in this order).
#[derive(Serialize)]
pub struct Report {
    pub arch: String,
    pub given: Vec<String>,
    pub binaries: Change<Vec<String>>,
    pub sources: Change<Vec<String>>,
    pub binary_nvrs: Change<Vec<String>>,
    pub source_nvrs: Change<Vec<String>>,
    /// Given package name -> its own install set's change.
    pub own: BTreeMap<String, Change<Vec<String>>>,
    /// Source name -> its errors, where they differ between the runs.
    pub errors: Change<BTreeMap<String, SourceErrors>>,
    /// Each list's length without and with the files (for the summary).
    #[serde(skip)]
    lengths: BTreeMap<&'static str, (usize, usize)>,
}

fn names_change(before: &[String], after: &[String]) -> Change<Vec<String>> {
    let b: BTreeSet<&String> = before.iter().collect();
    let a: BTreeSet<&String> = after.iter().collect();
    Change {
        left: b.difference(&a).map(|n| n.to_string()).collect(),
        entered: a.difference(&b).map(|n| n.to_string()).collect(),
    }
}

/// `errors` entries of `a` that `b` does not have the same.
fn errors_only_in(
    a: &BTreeMap<String, SourceErrors>,
    b: &BTreeMap<String, SourceErrors>,
) -> BTreeMap<String, SourceErrors> {
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

impl Report {
    /// The comparison of `without` and `with`; `given` are the options
    /// that gave the files (`--srpm PATH`).
    pub fn new(arch: &str, given: Vec<String>, without: &Snapshot, with: &Snapshot) -> Report {
        let list = |k: &str| names_change(&without.lists[k], &with.lists[k]);
        Report {
            arch: arch.to_string(),
            given,
            binaries: list("binaries"),
            sources: list("sources"),
            binary_nvrs: list("binary_nvrs"),
            source_nvrs: list("source_nvrs"),
            own: with
                .own
                .iter()
                .map(|(name, after)| (name.clone(), names_change(&without.own[name], after)))
                .collect(),
            errors: Change {
                left: errors_only_in(&without.errors, &with.errors),
                entered: errors_only_in(&with.errors, &without.errors),
            },
            lengths: LISTS
                .iter()
                .map(|&k| (k, (without.lists[k].len(), with.lists[k].len())))
                .collect(),
        }
    }

    /// Whether the files bring failures the run without them does not have.
    pub fn new_failures(&self) -> bool {
        !self.errors.entered.is_empty()
    }

    fn list(&self, key: &str) -> &Change<Vec<String>> {
        match key {
            "binaries" => &self.binaries,
            "sources" => &self.sources,
            "binary_nvrs" => &self.binary_nvrs,
            _ => &self.source_nvrs,
        }
    }

    /// Prints the report: with `json` the document; else the `list`'s
    /// `-NAME`/`+NAME` lines on `out`, sorted by NAME, and through `say`
    /// each given package's own change, the failures that appear or go,
    /// and the counts.
    pub fn print(
        &self,
        out: &mut impl Write,
        list: &str,
        json: bool,
        say: &dyn Fn(&str, String),
    ) -> Result<()> {
        if json {
            serde_json::to_writer_pretty(&mut *out, self)?;
            writeln!(out)?;
            out.flush()?;
            return Ok(());
        }
        for (name, c) in &self.own {
            if self
                .errors
                .entered
                .get(name)
                .is_some_and(|e| !e.bad_deps.is_empty())
            {
                let why = "cannot be installed any more (BadDeps below)";
                say("note", format!("--compare: {name}'s own build {why}"));
                continue;
            }
            let mut signs: Vec<(&String, char)> = c.left.iter().map(|n| (n, '-')).collect();
            signs.extend(c.entered.iter().map(|n| (n, '+')));
            signs.sort();
            let what = match signs.is_empty() {
                true => "unchanged".to_string(),
                false => signs
                    .iter()
                    .map(|(n, s)| format!("{s}{n}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            say("note", format!("--compare: {name}'s own build: {what}"));
        }
        for (src, e) in &self.errors.entered {
            for line in error_lines(e) {
                say("warning", format!("--compare: {src} now fails: {line}"));
            }
        }
        for src in self.errors.left.keys() {
            if !self.errors.entered.contains_key(src) {
                say("note", format!("--compare: {src} no longer fails"));
            }
        }
        let c = self.list(list);
        let (before, after) = self.lengths.get(list).copied().unwrap_or_default();
        say(
            "note",
            format!(
                "--compare: {before} {} without the given files, {after} with them ({} in, {} out)",
                list.replace('_', " "),
                c.entered.len(),
                c.left.len()
            ),
        );
        let mut lines: Vec<(&String, char)> = c.left.iter().map(|n| (n, '-')).collect();
        lines.extend(c.entered.iter().map(|n| (n, '+')));
        // Sorted by name, not by line (write_list would put every + first).
        lines.sort();
        for (name, sign) in lines {
            writeln!(out, "{sign}{name}")?;
        }
        out.flush()?;
        Ok(())
    }
}

/// A source's errors as the generator's warning lines say them.
fn error_lines(e: &SourceErrors) -> Vec<String> {
    let mut out: Vec<String> = e
        .no_install
        .iter()
        .map(|r| format!("NoInstall: nothing provides '{r}'"))
        .collect();
    if !e.bad_deps.is_empty() {
        out.push(format!("BadDeps: {}", e.bad_deps.join("; ")));
    }
    if e.no_source {
        out.push("no source package of that name".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_errors_are_both_left_and_entered() {
        let e = |r: &str| SourceErrors {
            no_install: vec![r.to_string()],
            ..Default::default()
        };
        let before = BTreeMap::from([("a".to_string(), e("x")), ("b".to_string(), e("y"))]);
        let after = BTreeMap::from([("a".to_string(), e("z")), ("c".to_string(), e("w"))]);
        let left: Vec<_> = errors_only_in(&before, &after).into_keys().collect();
        let entered: Vec<_> = errors_only_in(&after, &before).into_keys().collect();
        assert_eq!(
            (left, entered),
            (
                vec!["a".to_string(), "b".into()],
                vec!["a".to_string(), "c".into()]
            )
        );
    }
}
