//! content-resolver's configuration documents, read as its
//! `content_resolver/config_manager.py` (`ConfigManager.get_configs` and the
//! `_load_config_*` functions) reads them.
//!
//! A directory holds one document per `*.yaml` file; the file name up to
//! its first `.yaml` is the document's id. Every document has `document`
//! (a `feedback-pipeline-*` or `content-resolver-*` type), `version` and
//! `data`. What content-resolver checks is checked here, with the same
//! outcome: mandatory fields, unknown keys in workloads and unwanted lists
//! (the only two types where content-resolver rejects them), repository
//! version 2 only (version 1 makes content-resolver abort), unsupported
//! architectures skipped with a warning. Values are turned into text with
//! Python's `str()` ([`Value::py_str`](super::yaml::Value::py_str)) where
//! content-resolver does, and a string where a list is expected is taken
//! character by character, as a Python loop over it does (a warning says so).
//!
//! Where content-resolver would crash on a document (a `None` list, a
//! repository without `repos`, a view naming a missing repository) the
//! document is reported bad here: one line naming the file.

//!
//! The parts: `model.rs` holds the typed documents, `load.rs` reads a
//! directory of them and cross-checks them (`ConfigManager.get_configs`),
//! `documents.rs` reads each type and `fields.rs` the fields inside.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod documents;
mod fields;
mod load;
mod model;

pub use load::load_dir;
pub use model::{
    ArchFilter, BuildrootConfig, EnvConfig, LabelConfig, Options, PlaceholderRpm, PlaceholderSrpm,
    RelationsConfig, RepoConfig, RepoEntry, UnwantedConfig, ViewConfig, ViewKind, WorkloadConfig,
};

/// The architectures content-resolver analyses (`settings["allowed_arches"]`).
pub const ALLOWED_ARCHES: [&str; 4] = ["aarch64", "ppc64le", "s390x", "x86_64"];

/// The one package name content-resolver never reports as missing
/// (`settings["weird_packages_that_can_not_be_installed"]`).
pub const WEIRD_PACKAGES: [&str; 1] = ["glibc32"];

/// Keys a workload's `data` may have.
const WORKLOAD_KEYS: [&str; 9] = [
    "arch_packages",
    "description",
    "groups",
    "labels",
    "maintainer",
    "name",
    "options",
    "package_placeholders",
    "packages",
];

/// Keys an unwanted list's `data` may have.
const UNWANTED_KEYS: [&str; 8] = [
    "description",
    "labels",
    "maintainer",
    "name",
    "unwanted_arch_packages",
    "unwanted_arch_source_packages",
    "unwanted_packages",
    "unwanted_source_packages",
];

/// Every document of a configs directory, by id.
#[derive(Clone, Debug, Default)]
pub struct Configs {
    /// Repository documents.
    pub repos: BTreeMap<String, RepoConfig>,
    /// Environment documents.
    pub envs: BTreeMap<String, EnvConfig>,
    /// Workload documents.
    pub workloads: BTreeMap<String, WorkloadConfig>,
    /// The labels that tie it to views.
    pub labels: BTreeMap<String, LabelConfig>,
    /// View documents.
    pub views: BTreeMap<String, ViewConfig>,
    /// Unwanted-packages documents.
    pub unwanteds: BTreeMap<String, UnwantedConfig>,
    /// Buildroot documents.
    pub buildroots: BTreeMap<String, BuildrootConfig>,
    /// `buildroot-binary-relations` files.
    pub relations: BTreeMap<String, RelationsConfig>,
}

/// A file content-resolver would not load (or would crash on).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BadFile {
    /// The file.
    pub path: PathBuf,
    /// Why content-resolver would not load it.
    pub msg: String,
}

impl std::fmt::Display for BadFile {
    /// One line: messages quote values of the document (a document type, a
    /// repo id, a key), and a quoted YAML string may hold a line break; it
    /// is written escaped (`\n`), as in the library's errors. `msg` keeps
    /// the value as it is.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::error::OneLine;
        let path = self.path.display().to_string();
        write!(f, "{}: {}", OneLine(&path), OneLine(&self.msg))
    }
}

/// The result of reading a configs directory.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The documents that loaded.
    pub configs: Configs,
    /// One entry per bad file (sorted by path): content-resolver leaves
    /// these out (or stops).
    pub bad: Vec<BadFile>,
    /// Things content-resolver logs and moves on from (unsupported arches,
    /// strings taken as lists), each naming its file.
    pub warnings: Vec<String>,
    /// How many `.yaml` and `.json` files were read.
    pub files: usize,
}

/// The most bytes a file name a tool derives from a `--view` id adds to the
/// id: fetch-compose's `view-all-binary-package-name-list--view-ID--ARCH.txt`
/// (46, with the `view-` an id without it gets) for the longest arch a tool
/// takes (8, `armv7hnl`). The other names add less (compose-view's lists
/// 47 at most, buildroot-generator's relations JSON 49); a test checks them
/// all, so that a long id is refused in one line instead of failing with
/// ENAMETOOLONG after the work.
pub const VIEW_ID_NAME_OVERHEAD: usize = 46 + 8;

/// The longest `--view` id: one whose derived file names all fit in 255
/// bytes (the limit of a file name on Linux filesystems).
pub const MAX_VIEW_ID: usize = 255 - VIEW_ID_NAME_OVERHEAD;

/// Why `id` cannot be a document id, or `None` if it can. An id is a config
/// file's name up to its first `.yaml` (`config_manager.py`: `yml_file.split(".yaml")[0]`),
/// so it is not empty and holds neither a `/` nor `.yaml`. The tools put a
/// `--view` into output file names: this keeps those names inside the
/// directory they are written to, and short enough to be file names
/// ([`MAX_VIEW_ID`], which also leaves room for the config's `.yaml`).
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.contains('/') {
        Some("it contains '/'")
    } else if id.contains(".yaml") {
        Some("it contains '.yaml'")
    } else if id.len() > MAX_VIEW_ID {
        Some("it is longer than 201 bytes, too long for the file names it goes into")
    } else {
        None
    }
}

/// Where a document comes from, and where its warnings go.
struct Cx<'a> {
    path: &'a Path,
    warnings: &'a mut Vec<String>,
}

impl Cx<'_> {
    fn warn(&mut self, msg: String) {
        self.warnings
            .push(format!("{}: {msg}", self.path.display()));
    }
}

type R<T> = std::result::Result<T, String>;
