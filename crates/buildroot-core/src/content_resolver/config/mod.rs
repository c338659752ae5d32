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

mod documents;
mod fields;

use documents::{
    load_buildroot, load_env, load_label, load_repo_v2, load_unwanted, load_view, load_workload,
};

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
