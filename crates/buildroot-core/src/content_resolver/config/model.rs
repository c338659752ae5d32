//! The typed content-resolver documents: one struct per document type (and
//! the parts they share), holding what `config_manager.py`'s
//! `_load_config_*` functions put in the dicts they return, defaults
//! applied; and what is kept of a `buildroot-binary-relations` file
//! (`_load_json_data_buildroot_pkg_relations`). `documents.rs` fills them in.

use std::collections::BTreeMap;

use crate::content_resolver::yaml::Value;

/// One repository of a repository document (`data.source.repos.ID`).
#[derive(Clone, Debug, PartialEq)]
pub struct RepoEntry {
    /// The repo id (its key under `source.repos`).
    pub id: String,
    /// The repo's display name.
    pub name: String,
    /// dnf's `baseurl` (a list; dnf tries them in order).
    pub baseurl: Vec<String>,
    /// dnf priority (default 100, as content-resolver sets it).
    pub priority: i32,
    /// dnf `exclude` globs.
    pub exclude: Vec<String>,
    /// The arches this repo is used on; `None` (or empty) means all.
    pub limit_arches: Option<ArchFilter>,
    /// The Koji hub the repo's builds come from (`koji_api_url`), if any.
    pub koji_api_url: Option<String>,
    /// Where that Koji serves files (`koji_files_url`), if any.
    pub koji_files_url: Option<String>,
}

/// `limit_arches` as content-resolver tests it: `arch in value`, which for a
/// string is a substring test.
#[derive(Clone, Debug, PartialEq)]
pub enum ArchFilter {
    /// A list (or a map's keys): the arch must be an item.
    List(Vec<String>),
    /// A string: the arch must be a substring (as Python's `in`).
    Text(String),
}

impl ArchFilter {
    pub(super) fn from_value(v: &Value) -> Option<ArchFilter> {
        if !v.truthy() {
            return None;
        }
        Some(match v {
            Value::Str(s) => ArchFilter::Text(s.clone()),
            Value::Seq(items) => ArchFilter::List(
                items
                    .iter()
                    .filter_map(|i| match i {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            Value::Map(m) => ArchFilter::List(m.iter().map(|(k, _)| k.py_str()).collect()),
            _ => ArchFilter::List(Vec::new()),
        })
    }

    /// Whether the repo is used on `arch`.
    pub fn admits(&self, arch: &str) -> bool {
        match self {
            ArchFilter::List(l) => l.iter().any(|a| a == arch),
            ArchFilter::Text(t) => t.contains(arch),
        }
    }
}

/// A repository document (`feedback-pipeline-repository`, version 2).
#[derive(Clone, Debug, PartialEq)]
pub struct RepoConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// dnf's `$releasever`.
    pub releasever: String,
    /// Supported architectures, in document order (unsupported ones dropped).
    pub architectures: Vec<String>,
    /// The repos, in document order.
    pub repos: Vec<RepoEntry>,
    /// The compose's `composeinfo.json` URL, if any.
    pub composeinfo: Option<String>,
    /// Packages that replace the default core buildroot.
    pub base_buildroot_override: Vec<String>,
}

/// Installation options of environments and workloads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Install documentation files (not modelled: no effect on names).
    pub include_docs: bool,
    /// Install weak dependencies (dnf `install_weak_deps`).
    pub include_weak_deps: bool,
    /// Workloads only: missing packages are errors.
    pub strict: bool,
}

/// An environment document.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// The repository documents the environment is installed from.
    pub repositories: Vec<String>,
    /// Package names to install on every arch.
    pub packages: Vec<String>,
    /// The labels that tie it to views.
    pub labels: Vec<String>,
    /// Every allowed arch is a key.
    pub arch_packages: BTreeMap<String, Vec<String>>,
    /// Installation options.
    pub options: Options,
    /// Comps group ids to install.
    pub groups: Vec<String>,
}

/// A binary package that does not exist yet (a workload's placeholder).
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceholderRpm {
    /// The binary package name.
    pub name: String,
    /// The placeholder's description.
    pub description: String,
    /// Installed with `dnf install` each, as the workload's packages are.
    pub requires: Vec<String>,
    /// Empty: every arch.
    pub limit_arches: Vec<String>,
    /// The source package it comes from.
    pub srpm: String,
}

/// A source package that does not exist yet.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceholderSrpm {
    /// The source package name.
    pub name: String,
    /// Its build dependencies, installed with `dnf install` each.
    pub buildrequires: Vec<String>,
    /// Empty: every arch.
    pub limit_arches: Vec<String>,
}

/// A workload document.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// The labels that tie it to views.
    pub labels: Vec<String>,
    /// Package names to install on every arch.
    pub packages: Vec<String>,
    /// Every allowed arch is a key.
    pub arch_packages: BTreeMap<String, Vec<String>>,
    /// Installation options.
    pub options: Options,
    /// Comps group ids to install.
    pub groups: Vec<String>,
    /// Binary placeholders by name, in first-seen order.
    pub placeholder_rpms: Vec<PlaceholderRpm>,
    /// Source placeholders by name, in first-seen order.
    pub placeholder_srpms: Vec<PlaceholderSrpm>,
}

/// A label document.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
}

/// What kind of view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewKind {
    /// A compose view (`feedback-pipeline-view`, `…-compose-view`).
    Compose,
    /// An add-on view: its packages minus its base view's.
    Addon {
        /// The view whose packages are subtracted.
        base_view_id: String,
    },
}

/// A view document.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// A compose view or an add-on view.
    pub kind: ViewKind,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// The labels that tie it to views.
    pub labels: Vec<String>,
    /// The repository document the view is computed from.
    pub repository: String,
    /// `none` or `root_logs` (compose views; anything else reads as `none`).
    pub buildroot_strategy: String,
    /// After the cross-checks: the arches the view is computed on (sorted).
    pub architectures: Vec<String>,
    /// Binary names the view must not contain.
    pub unwanted_packages: Vec<String>,
    /// Arch -> binary names the view must not contain on that arch.
    pub unwanted_arch_packages: BTreeMap<String, Vec<String>>,
    /// Source names whose binaries the view must not contain.
    pub unwanted_source_packages: Vec<String>,
}

/// An unwanted-packages document (an exclusion list).
#[derive(Clone, Debug, PartialEq)]
pub struct UnwantedConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `name`.
    pub name: String,
    /// The document's `description`.
    pub description: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// The labels that tie it to views.
    pub labels: Vec<String>,
    /// Binary names the view must not contain.
    pub unwanted_packages: Vec<String>,
    /// Arch -> binary names the view must not contain on that arch.
    pub unwanted_arch_packages: BTreeMap<String, Vec<String>>,
    /// Source names whose binaries the view must not contain.
    pub unwanted_source_packages: Vec<String>,
    /// Arch -> source names whose binaries it must not contain there.
    pub unwanted_arch_source_packages: BTreeMap<String, Vec<String>>,
}

/// A buildroot document (dep-tracker's `feedback-pipeline-buildroot`).
#[derive(Clone, Debug, PartialEq)]
pub struct BuildrootConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The document's `maintainer`.
    pub maintainer: String,
    /// The view it belongs to.
    pub view_id: String,
    /// Arch -> the core buildroot's binary names.
    pub base_buildroot: BTreeMap<String, Vec<String>>,
    /// ARCH -> SRPM -> requires.
    pub source_packages: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// A `buildroot-binary-relations` JSON file of the configs directory.
#[derive(Clone, Debug, PartialEq)]
pub struct RelationsConfig {
    /// The document's id: its file name without the extension.
    pub id: String,
    /// The view it belongs to.
    pub view_id: String,
    /// The arch.
    pub arch: String,
    /// How many packages the file describes.
    pub packages: usize,
}
