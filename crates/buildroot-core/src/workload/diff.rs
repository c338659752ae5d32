//! Buildroot vs compose (workflow step 6, dep-tracker's run.sh step 7-8).
//!
//! Per arch, the buildroot binaries the compose does not ship are *added*
//! (`comm -13 compose buildroot`), minus the names of the exclude list
//! (dep-tracker's `BAD_PACKAGES`). Names added on every arch go under the
//! workload's `packages`; the rest under `arch_packages` for the arches that
//! added them. Excluding before splitting gives the same result as
//! dep-tracker's deleting the lines afterwards: a name leaves both places.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::documents::WorkloadDocument;
use crate::error::{Error, Result};

/// The workload's descriptive fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadMeta {
    pub name: String,
    pub description: String,
    pub maintainer: String,
    pub labels: BTreeSet<String>,
}

impl Default for WorkloadMeta {
    /// dep-tracker's values (`conf/eln-buildroot-workload.head`), with our
    /// project as the maintainer.
    fn default() -> Self {
        WorkloadMeta {
            name: "ELN Buildroot Workload".into(),
            description: "The packages that are not part of ELN, but needed to build it.".into(),
            maintainer: "rpm-buildroot".into(),
            labels: ["eln-buildroot".to_string()].into(),
        }
    }
}

/// What one arch's buildroot adds to its compose.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArchDiff {
    /// Number of binary names in the buildroot.
    pub buildroot: usize,
    /// How many of them the compose ships.
    pub in_compose: usize,
    /// Buildroot names outside the compose that the exclude list dropped.
    pub excluded: BTreeSet<String>,
    /// Buildroot names outside the compose and the exclude list.
    pub added: BTreeSet<String>,
}

/// The added names of every arch, and those added on all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkloadDiff {
    pub arches: BTreeMap<String, ArchDiff>,
    /// Names added on every arch (the workload's `packages`).
    pub common: BTreeSet<String>,
}

impl WorkloadDiff {
    /// Compares, per arch, the buildroot binary names with the compose's.
    /// Both maps must have the same arches (at least one).
    pub fn compute(
        compose: &BTreeMap<String, BTreeSet<String>>,
        buildroot: &BTreeMap<String, BTreeSet<String>>,
        exclude: &BTreeSet<String>,
    ) -> Result<WorkloadDiff> {
        if let Some(a) = compose.keys().find(|a| !buildroot.contains_key(*a)) {
            return Err(Error::Usage(format!(
                "arch {a} has a compose list but no buildroot list"
            )));
        }
        if let Some(a) = buildroot.keys().find(|a| !compose.contains_key(*a)) {
            return Err(Error::Usage(format!(
                "arch {a} has a buildroot list but no compose list"
            )));
        }
        if compose.is_empty() {
            return Err(Error::Usage("no architectures given".into()));
        }
        let mut arches = BTreeMap::new();
        for (arch, br) in buildroot {
            let comp = &compose[arch];
            let mut d = ArchDiff {
                buildroot: br.len(),
                ..Default::default()
            };
            for name in br {
                if comp.contains(name) {
                    d.in_compose += 1;
                } else if exclude.contains(name) {
                    d.excluded.insert(name.clone());
                } else {
                    d.added.insert(name.clone());
                }
            }
            arches.insert(arch.clone(), d);
        }
        let mut iter = arches.values();
        let mut common = iter.next().map(|d| d.added.clone()).unwrap_or_default();
        for d in iter {
            common.retain(|n| d.added.contains(n));
        }
        Ok(WorkloadDiff { arches, common })
    }

    /// The names added on `arch` but not on every arch.
    pub fn arch_only(&self, arch: &str) -> BTreeSet<String> {
        self.arches
            .get(arch)
            .map(|d| d.added.difference(&self.common).cloned().collect())
            .unwrap_or_default()
    }

    /// The `feedback-pipeline-workload` document: `packages` = common names,
    /// `arch_packages` = every arch with its arch-only names (possibly none).
    pub fn workload(&self, meta: &WorkloadMeta) -> WorkloadDocument {
        WorkloadDocument {
            name: meta.name.clone(),
            description: meta.description.clone(),
            maintainer: meta.maintainer.clone(),
            labels: meta.labels.clone(),
            packages: self.common.clone(),
            arch_packages: self
                .arches
                .keys()
                .map(|a| (a.clone(), self.arch_only(a)))
                .collect(),
        }
    }

    /// A human-readable report: per arch the counts and every added (and
    /// excluded) name, then the split into `packages` and `arch_packages`.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for (arch, d) in &self.arches {
            let only = self.arch_only(arch);
            let _ = writeln!(
                s,
                "== {arch}: {} buildroot binaries: {} in the compose, {} excluded, {} added ({} only on {arch})",
                d.buildroot,
                d.in_compose,
                d.excluded.len(),
                d.added.len(),
                only.len()
            );
            for name in &d.added {
                if only.contains(name) {
                    let _ = writeln!(s, "+ {name} ({arch} only)");
                } else {
                    let _ = writeln!(s, "+ {name}");
                }
            }
            for name in &d.excluded {
                let _ = writeln!(s, "! {name} (excluded)");
            }
        }
        let specific: usize = self.arches.keys().map(|a| self.arch_only(a).len()).sum();
        let _ = writeln!(
            s,
            "== workload: {} on every arch (packages), {} arch-specific (arch_packages)",
            self.common.len(),
            specific
        );
        s
    }

    /// The added sets as JSON: `packages`, `arch_packages`, and per arch the
    /// counts, excluded and added names.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            packages: &'a BTreeSet<String>,
            arch_packages: BTreeMap<&'a str, BTreeSet<String>>,
            arches: &'a BTreeMap<String, ArchDiff>,
        }
        let out = Out {
            packages: &self.common,
            arch_packages: self
                .arches
                .keys()
                .map(|a| (a.as_str(), self.arch_only(a)))
                .collect(),
            arches: &self.arches,
        };
        // Maps with string keys, strings and integers: cannot fail.
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
        s.push('\n');
        s
    }
}
