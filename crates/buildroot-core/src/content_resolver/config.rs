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
//! Python's `str()` ([`Value::py_str`]) where content-resolver does, and a
//! string where a list is expected is taken character by character, as a
//! Python loop over it does (a warning says so).
//!
//! Where content-resolver would crash on a document (a `None` list, a
//! repository without `repos`, a view naming a missing repository) the
//! document is reported bad here: one line naming the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::yaml::Value;

/// The architectures content-resolver analyses (`settings["allowed_arches"]`).
pub const ALLOWED_ARCHES: [&str; 4] = ["aarch64", "ppc64le", "s390x", "x86_64"];

/// The one package name content-resolver never reports as missing
/// (`settings["weird_packages_that_can_not_be_installed"]`).
pub const WEIRD_PACKAGES: [&str; 1] = ["glibc32"];

/// Document types content-resolver knows (both prefixes).
const KINDS: [&str; 9] = [
    "buildroot",
    "compose-view",
    "environment",
    "label",
    "repository",
    "unwanted",
    "view",
    "view-addon",
    "workload",
];

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
    fn from_value(v: &Value) -> Option<ArchFilter> {
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

/// Reads every `*.yaml` (and `buildroot-binary-relations` `*.json`) file of
/// `dir`, then checks the references between documents. Only an unreadable
/// directory is an error; bad files are listed in [`Loaded::bad`].
pub fn load_dir(dir: &Path) -> crate::Result<Loaded> {
    let rd = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut names: Vec<String> = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| crate::Error::io(dir, e))?;
        if let Some(n) = entry.file_name().to_str() {
            names.push(n.to_string());
        }
    }
    names.sort();
    let mut out = Loaded::default();
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    for name in &names {
        let path = dir.join(name);
        if name.ends_with(".yaml") {
            out.files += 1;
            let id = name.split(".yaml").next().unwrap_or_default().to_string();
            let mut cx = Cx {
                path: &path,
                warnings: &mut out.warnings,
            };
            match load_yaml(&mut cx, &id, &mut out.configs) {
                Ok(Some(kind)) => {
                    let key = format!("{kind}:{id}");
                    if let Some(prev) = origin.insert(key, path.clone()) {
                        out.bad.push(BadFile {
                            path: path.clone(),
                            msg: format!(
                                "document id '{id}' is also {}'s (content-resolver keeps only one of them)",
                                prev.display()
                            ),
                        });
                    }
                }
                Ok(None) => {}
                Err(msg) => out.bad.push(BadFile { path, msg }),
            }
        } else if name.ends_with(".json") {
            out.files += 1;
            let id = name.split(".json").next().unwrap_or_default().to_string();
            if let Err(msg) = load_json(&path, &id, &mut out.configs) {
                out.bad.push(BadFile { path, msg });
            }
        }
    }
    cross_check(dir, &mut out);
    out.bad.sort();
    Ok(out)
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

/// Loads one YAML document into `configs`; the kind it was stored as
/// (`None` for a document content-resolver reads and ignores).
fn load_yaml(cx: &mut Cx, id: &str, configs: &mut Configs) -> R<Option<&'static str>> {
    let text = std::fs::read(cx.path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(text).map_err(|_| "not UTF-8 text".to_string())?;
    let doc = Value::parse(&text, "").map_err(|e| {
        let s = e.to_string();
        format!("not valid YAML: {}", s.trim_start_matches(": "))
    })?;
    if !matches!(doc, Value::Map(_)) {
        return Err(format!(
            "the document is {}, not a map with 'document', 'version' and 'data'",
            doc.kind()
        ));
    }
    let (Some(kind), Some(version)) = (doc.get("document"), doc.get("version")) else {
        return Err("no 'document' and/or 'version' field".into());
    };
    let kind_s = kind.py_str();
    let short = kind_s
        .strip_prefix("feedback-pipeline-")
        .or_else(|| kind_s.strip_prefix("content-resolver-"))
        .filter(|k| KINDS.contains(k));
    let Some(short) = short else {
        return Err(format!("unknown document type: {kind_s}"));
    };
    let version_is = |n: i128| match version {
        Value::Int(i) => *i == n,
        Value::Bool(b) => i128::from(*b) == n,
        Value::Float(f) => *f == n as f64,
        _ => false,
    };
    Ok(Some(match short {
        "repository" => {
            if version_is(1) {
                return Err("repository version 1 is not supported by content-resolver (it aborts on it); migrate to version 2".into());
            }
            if !version_is(2) {
                cx.warn(format!(
                    "repository version {} is ignored (content-resolver reads version 2 only)",
                    version.py_str()
                ));
                return Ok(None);
            }
            let r = load_repo_v2(cx, id, &doc)?;
            configs.repos.insert(id.into(), r);
            "repository"
        }
        "environment" => {
            let e = load_env(cx, id, &doc)?;
            configs.envs.insert(id.into(), e);
            "environment"
        }
        "workload" => {
            let w = load_workload(cx, id, &doc)?;
            configs.workloads.insert(id.into(), w);
            "workload"
        }
        "label" => {
            let l = load_label(id, &doc)?;
            configs.labels.insert(id.into(), l);
            "label"
        }
        "view" | "compose-view" => {
            let v = load_view(cx, id, &doc, false)?;
            configs.views.insert(id.into(), v);
            "view"
        }
        "view-addon" => {
            let v = load_view(cx, id, &doc, true)?;
            configs.views.insert(id.into(), v);
            "view"
        }
        "unwanted" => {
            let u = load_unwanted(cx, id, &doc)?;
            configs.unwanteds.insert(id.into(), u);
            "unwanted"
        }
        "buildroot" => {
            let b = load_buildroot(cx, id, &doc)?;
            configs.buildroots.insert(id.into(), b);
            "buildroot"
        }
        _ => unreachable!("KINDS lists every type"),
    }))
}

// ----- field helpers (Python's semantics on the loaded value) -----

/// `document["data"]`, which must be a map for any field to be read.
fn data(doc: &Value) -> R<&Value> {
    match doc.get("data") {
        Some(d @ Value::Map(_)) => Ok(d),
        Some(other) => Err(format!("'data' is {}, not a map", other.kind())),
        None => Err("no 'data' field".into()),
    }
}

/// A mandatory field as text (`str(data[key])`).
fn text(data: &Value, key: &str) -> R<String> {
    data.get(key)
        .map(Value::py_str)
        .ok_or_else(|| format!("the mandatory field '{key}' is missing"))
}

/// The items a Python `for` loop over the value gives: a list's items, a
/// string's characters, a map's keys.
fn items(cx: &mut Cx, v: &Value, what: &str) -> R<Vec<Value>> {
    match v {
        Value::Seq(s) => Ok(s.clone()),
        Value::Str(s) => {
            cx.warn(format!(
                "{what} is a string, not a list: content-resolver takes each of its characters as an item"
            ));
            Ok(s.chars().map(|c| Value::Str(c.to_string())).collect())
        }
        Value::Map(m) => Ok(m.iter().map(|(k, _)| k.clone()).collect()),
        other => Err(format!("{what} is {}, not a list", other.kind())),
    }
}

/// `[str(x) for x in value]`.
fn strings(cx: &mut Cx, v: &Value, what: &str) -> R<Vec<String>> {
    Ok(items(cx, v, what)?.iter().map(Value::py_str).collect())
}

/// A mandatory list field.
fn list(cx: &mut Cx, data: &Value, key: &str) -> R<Vec<String>> {
    match data.get(key) {
        Some(v) => strings(cx, v, &format!("'{key}'")),
        None => Err(format!("the mandatory field '{key}' is missing")),
    }
}

/// An optional list field (absent: empty).
fn opt_list(cx: &mut Cx, data: &Value, key: &str) -> R<Vec<String>> {
    match data.get(key) {
        Some(v) => strings(cx, v, &format!("'{key}'")),
        None => Ok(Vec::new()),
    }
}

/// `key in value` (list membership, substring of a string, key of a map).
fn contains(v: &Value, key: &str) -> R<bool> {
    Ok(match v {
        Value::Seq(s) => s.iter().any(|i| matches!(i, Value::Str(x) if x == key)),
        Value::Str(s) => s.contains(key),
        Value::Map(_) => v.has(key),
        other => return Err(format!("'options' is {}, not a list", other.kind())),
    })
}

/// An `ARCH: [names]` map with every allowed arch as a key; other arches
/// are skipped with a warning. `null_ok`: a `null` list is skipped with a
/// warning (workloads) instead of being an error.
fn arch_map(
    cx: &mut Cx,
    data: &Value,
    key: &str,
    null_ok: bool,
) -> R<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = ALLOWED_ARCHES
        .iter()
        .map(|a| (a.to_string(), Vec::new()))
        .collect();
    let Some(v) = data.get(key) else {
        return Ok(out);
    };
    let Value::Map(m) = v else {
        return Err(format!("'{key}' is {}, not a map of arches", v.kind()));
    };
    for (k, pkgs) in m {
        let arch = k.py_str();
        if !ALLOWED_ARCHES.contains(&arch.as_str()) {
            cx.warn(format!("'{key}' lists an unsupported architecture: {arch}"));
            continue;
        }
        if null_ok && matches!(pkgs, Value::Null | Value::Bool(_) | Value::Int(_)) {
            cx.warn(format!("'{key}.{arch}' is empty"));
            continue;
        }
        let names = strings(cx, pkgs, &format!("'{key}.{arch}'"))?;
        out.get_mut(&arch).expect("allowed arch").extend(names);
    }
    Ok(out)
}

fn options(data: &Value, workload: bool) -> R<Options> {
    let Some(v) = data.get("options") else {
        return Ok(Options::default());
    };
    Ok(Options {
        include_docs: contains(v, "include-docs")?,
        include_weak_deps: contains(v, "include-weak-deps")?,
        strict: workload && contains(v, "strict")?,
    })
}

/// `groups`: patterns for dnf's `group_by_pattern`.
fn groups(cx: &mut Cx, data: &Value) -> R<Vec<String>> {
    let Some(v) = data.get("groups") else {
        return Ok(Vec::new());
    };
    let out = items(cx, v, "'groups'")?;
    out.iter()
        .map(|g| match g {
            Value::Str(s) => Ok(s.clone()),
            other => Err(format!(
                "'groups' holds {} ({}): dnf's group_by_pattern needs text",
                other.kind(),
                other.py_str()
            )),
        })
        .collect()
}

// ----- the document types -----

fn load_repo_v2(cx: &mut Cx, id: &str, doc: &Value) -> R<RepoConfig> {
    let d = data(doc)?;
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let source = match d.get("source") {
        Some(s @ Value::Map(_)) => s,
        Some(other) => return Err(format!("'source' is {}, not a map", other.kind())),
        None => return Err("the mandatory field 'source' is missing".into()),
    };
    let releasever = text(source, "releasever")
        .map_err(|_| "the mandatory field 'source.releasever' is missing".to_string())?;
    let arches_v = source
        .get("architectures")
        .ok_or("the mandatory field 'source.architectures' is missing")?;
    let mut architectures = Vec::new();
    for arch in strings(cx, arches_v, "'source.architectures'")? {
        if ALLOWED_ARCHES.contains(&arch.as_str()) {
            architectures.push(arch);
        } else {
            cx.warn(format!("lists an unsupported architecture: {arch}"));
        }
    }
    let repos_v = match source.get("repos") {
        Some(Value::Map(m)) => m,
        Some(other) => return Err(format!("'source.repos' is {}, not a map", other.kind())),
        None => return Err("the mandatory field 'source.repos' is missing".into()),
    };
    let mut repos = Vec::new();
    for (k, r) in repos_v {
        let rid = k.py_str();
        if !matches!(r, Value::Map(_)) {
            return Err(format!("repo '{rid}' is {}, not a map", r.kind()));
        }
        let baseurl = match r.get("baseurl") {
            Some(Value::Seq(items)) => items.iter().map(Value::py_str).collect(),
            Some(v @ Value::Str(_)) => vec![v.py_str()],
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': baseurl is {}, not a URL",
                    other.kind()
                ))
            }
            None => return Err(format!("repo '{rid}' doesn't list baseurl")),
        };
        if baseurl.is_empty() {
            return Err(format!("repo '{rid}' has an empty baseurl list"));
        }
        let priority = match r.get("priority") {
            None => 100,
            Some(Value::Int(i)) => i32::try_from(*i)
                .map_err(|_| format!("repo '{rid}': priority {i} is out of range"))?,
            Some(Value::Str(s)) if s.trim().parse::<i32>().is_ok() => {
                s.trim().parse().expect("checked")
            }
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': priority {} is not a number",
                    other.py_str()
                ))
            }
        };
        let exclude = match r.get("exclude") {
            None | Some(Value::Null) => Vec::new(),
            // dnf splits a text option value on commas and white space.
            Some(Value::Str(s)) => s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            Some(Value::Seq(items)) => items.iter().map(Value::py_str).collect(),
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': exclude is {}, not a list",
                    other.kind()
                ))
            }
        };
        let opt_text = |key: &str| r.get(key).filter(|v| v.truthy()).map(Value::py_str);
        repos.push(RepoEntry {
            name: r
                .get("name")
                .map(Value::py_str)
                .unwrap_or_else(|| rid.clone()),
            baseurl,
            priority,
            exclude,
            limit_arches: r.get("limit_arches").and_then(ArchFilter::from_value),
            koji_api_url: opt_text("koji_api_url"),
            koji_files_url: opt_text("koji_files_url"),
            id: rid,
        });
    }
    let composeinfo = source
        .get("composeinfo")
        .filter(|v| v.truthy())
        .map(Value::py_str);
    let base_buildroot_override = match source.get("base_buildroot_override") {
        Some(v) => strings(cx, v, "'source.base_buildroot_override'")?,
        None => Vec::new(),
    };
    Ok(RepoConfig {
        id: id.into(),
        name,
        description,
        maintainer,
        releasever,
        architectures,
        repos,
        composeinfo,
        base_buildroot_override,
    })
}

fn load_env(cx: &mut Cx, id: &str, doc: &Value) -> R<EnvConfig> {
    let d = data(doc)?;
    Ok(EnvConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
        repositories: list(cx, d, "repositories")?,
        packages: list(cx, d, "packages")?,
        labels: list(cx, d, "labels")?,
        arch_packages: arch_map(cx, d, "arch_packages", false)?,
        options: options(d, false)?,
        groups: groups(cx, d)?,
    })
}

fn load_workload(cx: &mut Cx, id: &str, doc: &Value) -> R<WorkloadConfig> {
    let d = match doc.get("data") {
        Some(d @ Value::Map(_)) => d,
        Some(other) => return Err(format!("'data' is {}, not a map", other.kind())),
        None => return Err(format!("Missing 'data' field in {id}")),
    };
    if let Value::Map(m) = d {
        for (k, _) in m {
            let k = k.py_str();
            if !WORKLOAD_KEYS.contains(&k.as_str()) {
                return Err(format!("Unknown key '{k}' in 'data' section of {id}"));
            }
        }
    }
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let labels = list(cx, d, "labels")?;
    // `packages` may be missing or empty (null).
    let packages = match d.get("packages") {
        None | Some(Value::Null) | Some(Value::Bool(_)) | Some(Value::Int(_)) => Vec::new(),
        Some(v) => strings(cx, v, "'packages'")?,
    };
    let (placeholder_rpms, placeholder_srpms) = placeholders(d)?;
    Ok(WorkloadConfig {
        id: id.into(),
        name,
        description,
        maintainer,
        labels,
        packages,
        arch_packages: arch_map(cx, d, "arch_packages", true)?,
        options: options(d, true)?,
        groups: groups(cx, d)?,
        placeholder_rpms,
        placeholder_srpms,
    })
}

/// What Python's iteration over `v` gives: a list's items, a string's
/// characters, a map's keys; None for what it cannot iterate.
fn py_iter(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Seq(items) => Some(items.clone()),
        Value::Str(s) => Some(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        Value::Map(entries) => Some(entries.iter().map(|(k, _)| k.clone()).collect()),
        _ => None,
    }
}

/// `package_placeholders` (a list of SRPMs with their RPMs; any other shape
/// is ignored, as content-resolver ignores it). What makes content-resolver's
/// loader fail is an error: a `null` or a number as `rpms` (its loop over
/// them), an entry that is not a map, and a list or map where it hashes the
/// value: `srpm_name` and `rpm_name` are dict keys there, the `limit_arches`
/// of an RPM it reads go into a set (with the SRPM's, when that has some).
fn placeholders(d: &Value) -> R<(Vec<PlaceholderRpm>, Vec<PlaceholderSrpm>)> {
    let mut rpms: Vec<PlaceholderRpm> = Vec::new();
    let mut srpms: Vec<PlaceholderSrpm> = Vec::new();
    let Some(Value::Seq(list)) = d.get("package_placeholders") else {
        return Ok((rpms, srpms));
    };
    let name_list = |v: Option<&Value>, what: &str| -> R<Vec<String>> {
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Seq(items)) => Ok(items.iter().map(Value::py_str).collect()),
            Some(Value::Str(s)) => Ok(s.chars().map(|c| c.to_string()).collect()),
            Some(other) => Err(format!(
                "placeholder {what} is {}, not a list",
                other.kind()
            )),
        }
    };
    for srpm in list {
        if !matches!(srpm, Value::Map(_)) {
            return Err(format!(
                "a package_placeholders entry is {}, not a map",
                srpm.kind()
            ));
        }
        let srpm_name = srpm
            .get("srpm_name")
            .ok_or("a package_placeholders entry has no 'srpm_name'")?;
        if !srpm_name.truthy() {
            continue;
        }
        unhashable(srpm_name, "srpm_name")?;
        let srpm_name = srpm_name.py_str();
        let srpm_limit = srpm.get("limit_arches");
        let limit = name_list(srpm_limit, "limit_arches")?;
        let mut all_rpm_arches: Vec<String> = Vec::new();
        let rpm_list = match srpm.get("rpms") {
            None => Vec::new(),
            Some(Value::Seq(items)) => items.clone(),
            // Python loops over an empty string or map without a step.
            Some(v @ (Value::Str(_) | Value::Map(_))) if !v.truthy() => Vec::new(),
            Some(other) => return Err(format!("placeholder rpms is {}, not a list", other.kind())),
        };
        for rpm in &rpm_list {
            if !matches!(rpm, Value::Map(_)) {
                return Err(format!("a placeholder rpm is {}, not a map", rpm.kind()));
            }
            let Some(rpm_name) = rpm.get("rpm_name").filter(|v| v.truthy()) else {
                continue;
            };
            unhashable(rpm_name, "rpm_name")?;
            // The RPM's arches as content-resolver takes them: its own
            // list meets the SRPM's when both are truthy; a falsy one gives
            // way to the SRPM's; without SRPM arches its own go into a set
            // (`set.update`). What Python cannot iterate there (null, a
            // number, true) fails its loader, and so does an unhashable item.
            let srpm_has = srpm_limit.is_some_and(Value::truthy);
            // The SRPM's arches go into a set too, for every RPM it has.
            if let Some(items) = srpm_limit.filter(|_| srpm_has).and_then(py_iter) {
                for item in &items {
                    unhashable(item, "limit_arches item")?;
                }
            }
            let rpm_limit = match rpm.get("limit_arches") {
                Some(v) if v.truthy() || !srpm_has => {
                    let items = py_iter(v).ok_or_else(|| {
                        format!("placeholder rpm limit_arches is {}, not a list", v.kind())
                    })?;
                    for item in &items {
                        unhashable(item, "limit_arches item")?;
                    }
                    let mut names: Vec<String> = items.iter().map(Value::py_str).collect();
                    if srpm_has {
                        names.retain(|a| limit.contains(a));
                    }
                    names
                }
                _ if srpm_has => limit.clone(),
                _ => Vec::new(),
            };
            for a in &rpm_limit {
                if !all_rpm_arches.contains(a) {
                    all_rpm_arches.push(a.clone());
                }
            }
            let p = PlaceholderRpm {
                name: rpm_name.py_str(),
                description: rpm
                    .get("description")
                    .map(Value::py_str)
                    .unwrap_or_else(|| "Description not provided.".into()),
                requires: name_list(rpm.get("dependencies"), "dependencies")?,
                limit_arches: rpm_limit,
                srpm: srpm_name.clone(),
            };
            match rpms.iter_mut().find(|x| x.name == p.name) {
                Some(slot) => *slot = p,
                None => rpms.push(p),
            }
        }
        let s = PlaceholderSrpm {
            name: srpm_name.clone(),
            buildrequires: name_list(srpm.get("build_dependencies"), "build_dependencies")?,
            limit_arches: if limit.is_empty() {
                all_rpm_arches
            } else {
                limit
            },
        };
        match srpms.iter_mut().find(|x| x.name == s.name) {
            Some(slot) => *slot = s,
            None => srpms.push(s),
        }
    }
    Ok((rpms, srpms))
}

/// A list or map where content-resolver hashes the value (a dict key, a set
/// member) fails its loader with a TypeError: such a document is bad.
fn unhashable(v: &Value, what: &str) -> R<()> {
    match v {
        Value::Seq(_) | Value::Map(_) => Err(format!(
            "placeholder {what} is {}, not a name (content-resolver's loader fails on it)",
            v.kind()
        )),
        _ => Ok(()),
    }
}

fn load_label(id: &str, doc: &Value) -> R<LabelConfig> {
    let d = data(doc)?;
    Ok(LabelConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
    })
}

fn load_view(cx: &mut Cx, id: &str, doc: &Value, addon: bool) -> R<ViewConfig> {
    let d = data(doc)?;
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let labels = list(cx, d, "labels")?;
    let (kind, repository) = if addon {
        let base = text(d, "base_view_id")?;
        (
            ViewKind::Addon { base_view_id: base },
            text(d, "repository")?,
        )
    } else {
        (ViewKind::Compose, text(d, "repository")?)
    };
    let buildroot_strategy = match d.get("buildroot_strategy").map(Value::py_str) {
        Some(s) if !addon && (s == "none" || s == "root_logs") => s,
        _ => "none".into(),
    };
    // Compose views: an empty list means every allowed arch. Add-on views:
    // their own list (empty: every arch) is cut to the base view's later.
    let mut architectures = if addon {
        Vec::new()
    } else {
        opt_list(cx, d, "architectures")?
    };
    if architectures.is_empty() {
        architectures = ALLOWED_ARCHES.iter().map(|a| a.to_string()).collect();
    }
    Ok(ViewConfig {
        id: id.into(),
        kind,
        name,
        description,
        maintainer,
        labels,
        repository,
        buildroot_strategy,
        architectures,
        unwanted_packages: opt_list(cx, d, "unwanted_packages")?,
        unwanted_arch_packages: arch_map(cx, d, "unwanted_arch_packages", false)?,
        unwanted_source_packages: opt_list(cx, d, "unwanted_source_packages")?,
    })
}

fn load_unwanted(cx: &mut Cx, id: &str, doc: &Value) -> R<UnwantedConfig> {
    let d = match doc.get("data") {
        Some(d @ Value::Map(_)) => d,
        Some(other) => return Err(format!("'data' is {}, not a map", other.kind())),
        None => return Err(format!("Missing 'data' field in {id}")),
    };
    if let Value::Map(m) = d {
        for (k, _) in m {
            let k = k.py_str();
            if !UNWANTED_KEYS.contains(&k.as_str()) {
                return Err(format!("Unknown key '{k}' in 'data' section of {id}"));
            }
        }
    }
    Ok(UnwantedConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
        labels: list(cx, d, "labels")?,
        unwanted_packages: opt_list(cx, d, "unwanted_packages")?,
        unwanted_arch_packages: arch_map(cx, d, "unwanted_arch_packages", false)?,
        unwanted_source_packages: opt_list(cx, d, "unwanted_source_packages")?,
        unwanted_arch_source_packages: arch_map(cx, d, "unwanted_arch_source_packages", false)?,
    })
}

fn load_buildroot(cx: &mut Cx, id: &str, doc: &Value) -> R<BuildrootConfig> {
    let d = data(doc)?;
    let maintainer = text(d, "maintainer")?;
    let view_id = text(d, "view_id")?;
    let base_buildroot = arch_map(cx, d, "base_buildroot", true)?;
    let mut source_packages: BTreeMap<String, BTreeMap<String, Vec<String>>> = ALLOWED_ARCHES
        .iter()
        .map(|a| (a.to_string(), BTreeMap::new()))
        .collect();
    if let Some(sp) = d.get("source_packages") {
        let Value::Map(m) = sp else {
            return Err(format!("'source_packages' is {}, not a map", sp.kind()));
        };
        for (k, srpms) in m {
            let arch = k.py_str();
            if !ALLOWED_ARCHES.contains(&arch.as_str()) {
                cx.warn(format!(
                    "'source_packages' lists an unsupported architecture: {arch}"
                ));
                continue;
            }
            let Value::Map(srpms) = srpms else {
                continue;
            };
            for (s, sd) in srpms {
                let mut requires = Vec::new();
                if let Some(r) = sd.get("requires") {
                    match r {
                        Value::Seq(items) => requires = items.iter().map(Value::py_str).collect(),
                        Value::Null => {
                            cx.warn(format!(
                                "'source_packages.{arch}.{}.requires' is empty",
                                s.py_str()
                            ));
                            continue;
                        }
                        other => requires = strings(cx, other, "'requires'")?,
                    }
                } else if !matches!(sd, Value::Map(_)) {
                    return Err(format!(
                        "'source_packages.{arch}.{}' is {}, not a map",
                        s.py_str(),
                        sd.kind()
                    ));
                }
                source_packages
                    .get_mut(&arch)
                    .expect("allowed arch")
                    .insert(s.py_str(), requires);
            }
        }
    }
    Ok(BuildrootConfig {
        id: id.into(),
        maintainer,
        view_id,
        base_buildroot,
        source_packages,
    })
}

fn load_json(path: &Path, id: &str, configs: &mut Configs) -> R<()> {
    let text = std::fs::read(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("not valid JSON ({e})"))?;
    let (Some(kind), Some(_)) = (v.get("document_type"), v.get("version")) else {
        return Err("no 'document_type' and/or 'version' field".into());
    };
    if kind.as_str() != Some("buildroot-binary-relations") {
        return Ok(());
    }
    let d = v
        .get("data")
        .ok_or("the mandatory field 'data' is missing")?;
    let field = |k: &str| {
        d.get(k)
            .ok_or_else(|| format!("the mandatory field 'data.{k}' is missing"))
    };
    let view_id = field("view_id")?;
    let arch = field("arch")?;
    let arch = arch.as_str().unwrap_or_default().to_string();
    if !ALLOWED_ARCHES.contains(&arch.as_str()) {
        return Err(format!("lists an unsupported architecture: {arch}"));
    }
    let pkgs = field("pkgs")?;
    configs.relations.insert(
        id.into(),
        RelationsConfig {
            id: id.into(),
            view_id: view_id
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| view_id.to_string()),
            arch,
            packages: pkgs.as_object().map_or(0, |m| m.len()),
        },
    );
    Ok(())
}

/// The checks content-resolver makes after loading (views naming a missing
/// repository or base view are dropped there), plus the references it
/// would crash on (an environment naming a missing repository); then the
/// arches of every view as content-resolver computes them.
fn cross_check(dir: &Path, out: &mut Loaded) {
    let file_of = |id: &str| dir.join(format!("{id}.yaml"));
    let c = &mut out.configs;
    let mut bad: Vec<BadFile> = Vec::new();
    for e in c.envs.values() {
        if let Some(r) = e.repositories.iter().find(|r| !c.repos.contains_key(*r)) {
            bad.push(BadFile {
                path: file_of(&e.id),
                msg: format!("'repositories' names '{r}', which is not a repository document"),
            });
        }
    }
    let mut drop: Vec<String> = Vec::new();
    for v in c.views.values() {
        // Only compose views are checked (an add-on view's repository only
        // selects workloads: a missing one selects none).
        if v.kind == ViewKind::Compose && !c.repos.contains_key(&v.repository) {
            bad.push(BadFile {
                path: file_of(&v.id),
                msg: format!(
                    "view references '{}', which is not a repository document",
                    v.repository
                ),
            });
            drop.push(v.id.clone());
        }
    }
    for id in &drop {
        c.views.remove(id);
    }
    drop.clear();
    for v in c.views.values() {
        if let ViewKind::Addon { base_view_id } = &v.kind {
            let msg = match c.views.get(base_view_id) {
                None => format!("add-on view's base_view_id '{base_view_id}' is not a view"),
                Some(b) if b.kind != ViewKind::Compose => format!(
                    "add-on view's base_view_id '{base_view_id}' is an add-on view (not supported)"
                ),
                Some(_) => continue,
            };
            bad.push(BadFile {
                path: file_of(&v.id),
                msg,
            });
            drop.push(v.id.clone());
        }
    }
    for id in &drop {
        c.views.remove(id);
    }
    // Compose views: their arches that their repository has.
    let repo_arches: BTreeMap<String, Vec<String>> = c
        .repos
        .iter()
        .map(|(id, r)| (id.clone(), r.architectures.clone()))
        .collect();
    for v in c.views.values_mut() {
        if v.kind == ViewKind::Compose {
            let have = &repo_arches[&v.repository];
            let mut a: Vec<String> = v
                .architectures
                .iter()
                .filter(|a| have.contains(a))
                .cloned()
                .collect();
            a.sort();
            a.dedup();
            v.architectures = a;
        }
    }
    let base_arches: BTreeMap<String, Vec<String>> = c
        .views
        .iter()
        .map(|(id, v)| (id.clone(), v.architectures.clone()))
        .collect();
    for v in c.views.values_mut() {
        if let ViewKind::Addon { base_view_id } = &v.kind {
            let have = &base_arches[base_view_id];
            v.architectures.retain(|a| have.contains(a));
            v.architectures.sort();
        }
    }
    out.bad.extend(bad);
}
