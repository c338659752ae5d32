//! A what-if's comparison (buildroot-generator `--compare`): what two runs
//! over one pool, without the sources given as files and with them, say
//! differently: each list's names that leave and enter it, each given
//! package's own build environment, and the errors that appear or go,
//! item by item (docs/formats.md 10b).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Buildroot, SourceErrors};

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

    /// Whether the run has `source` and a source package for it.
    fn built(&self, source: &str) -> bool {
        self.lists["sources"]
            .binary_search_by(|s| s.as_str().cmp(source))
            .is_ok()
            && !self.errors.get(source).is_some_and(|e| e.no_source)
    }
}

/// What only the run without the files has (`left`) and what only the
/// run with them has (`entered`).
#[derive(Serialize)]
pub struct Change<T> {
    /// Only in the run without the files.
    pub left: T,
    /// Only in the run with them.
    pub entered: T,
}

/// `--compare --json`'s document (keys in this order).
#[derive(Serialize)]
pub struct Report {
    /// The target arch.
    pub arch: String,
    /// The options that gave the files (`--srpm PATH`, `--spec PATH`).
    pub given: Vec<String>,
    /// The names of the binaries.
    pub binaries: Change<Vec<String>>,
    /// The source names.
    pub sources: Change<Vec<String>>,
    /// The binaries' `name-version-release`.
    pub binary_nvrs: Change<Vec<String>>,
    /// The chosen source packages' `name-version-release`.
    pub source_nvrs: Change<Vec<String>>,
    /// Given package name -> its own install set's change.
    pub own: BTreeMap<String, Change<Vec<String>>>,
    /// Source name -> its errors, where they differ between the runs.
    pub errors: Change<BTreeMap<String, SourceErrors>>,
    /// Each list's length without and with the files (for the summary).
    #[serde(skip)]
    pub lengths: BTreeMap<&'static str, (usize, usize)>,
    /// The given packages the run with the files builds.
    #[serde(skip)]
    pub reached: BTreeSet<String>,
}

fn names_change(before: &[String], after: &[String]) -> Change<Vec<String>> {
    let b: BTreeSet<&String> = before.iter().collect();
    let a: BTreeSet<&String> = after.iter().collect();
    Change {
        left: b.difference(&a).map(|n| n.to_string()).collect(),
        entered: a.difference(&b).map(|n| n.to_string()).collect(),
    }
}

/// The errors of `a` that `b` does not have, item by item: each
/// BuildRequires nothing provides, an unsolvable transaction, a missing
/// source package; only sources `keep` accepts.
fn errors_only_in(
    a: &BTreeMap<String, SourceErrors>,
    b: &BTreeMap<String, SourceErrors>,
    keep: impl Fn(&str) -> bool,
) -> BTreeMap<String, SourceErrors> {
    let none = SourceErrors::default();
    a.iter()
        .filter(|(k, _)| keep(k))
        .filter_map(|(k, e)| {
            let other = b.get(k).unwrap_or(&none);
            let only = SourceErrors {
                no_install: e
                    .no_install
                    .iter()
                    .filter(|r| !other.no_install.contains(r))
                    .cloned()
                    .collect(),
                bad_deps: match other.bad_deps.is_empty() {
                    true => e.bad_deps.clone(),
                    false => Vec::new(),
                },
                no_source: e.no_source && !other.no_source,
            };
            (only != none).then(|| (k.clone(), only))
        })
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
                // Gone only from a source still built with the files (one
                // that left the run is not mended), and not a given
                // package's NoSource without its file.
                left: errors_only_in(&without.errors, &with.errors, |src| {
                    with.built(src) && (!with.own.contains_key(src) || without.built(src))
                }),
                entered: errors_only_in(&with.errors, &without.errors, |_| true),
            },
            lengths: LISTS
                .iter()
                .map(|&k| (k, (without.lists[k].len(), with.lists[k].len())))
                .collect(),
            reached: with.own.keys().filter(|n| with.built(n)).cloned().collect(),
        }
    }

    /// Whether the files bring failures the run without them does not have.
    pub fn new_failures(&self) -> bool {
        !self.errors.entered.is_empty()
    }

    /// The change of the list with this `--json` key.
    pub fn list(&self, key: &str) -> &Change<Vec<String>> {
        match key {
            "binaries" => &self.binaries,
            "sources" => &self.sources,
            "binary_nvrs" => &self.binary_nvrs,
            _ => &self.source_nvrs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_compared_item_by_item() {
        let e = |rs: &[&str]| SourceErrors {
            no_install: rs.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        };
        let before = BTreeMap::from([
            ("a".to_string(), e(&["x", "y"])),
            ("b".to_string(), e(&["y"])),
        ]);
        let after = BTreeMap::from([("a".to_string(), e(&["x"])), ("c".to_string(), e(&["w"]))]);
        // a mended y and kept x: no new failure of a.
        let entered = errors_only_in(&after, &before, |_| true);
        assert_eq!(entered.keys().collect::<Vec<_>>(), ["c"]);
        let left = errors_only_in(&before, &after, |s| s != "b");
        assert_eq!(left.len(), 1);
        assert_eq!(left["a"].no_install, ["y"]);
    }
}
