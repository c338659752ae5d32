//! Our content-resolver documents carry exactly the keys, and the types,
//! that today's content-resolver reads (docs/formats.md sections 3-5 state
//! them; the shapes below are our own description of them, checked against
//! documents made by a real run on the shipped fixture repos).
//!
//! With `CONTENT_RESOLVER_CHECKOUT=DIR` (a checkout of
//! minimization/content-resolver) and python3 with PyYAML and jinja2, the
//! documents are also loaded by content-resolver's own `ConfigManager`.

mod oracle_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use buildroot_core::buildroot::{self, Config, DEFAULT_CORE};
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{Filelists, LoadOptions, RepoSpec};
use buildroot_core::workload::{
    BuildrootConfigDocument, BuildrootDir, WorkloadDiff, WorkloadMeta, CONTENT_RESOLVER_ARCHES,
};
use serde_json::Value;

/// What a value must be.
enum Shape {
    /// A string (content-resolver applies `str()`; we write real strings).
    Str,
    /// The integer 1.
    One,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A list of values of one shape (never null).
    List(&'static Shape),
    /// A map whose keys are content-resolver's arches.
    ByArch(&'static Shape),
    /// A map from any non-empty string to values of one shape.
    Map(&'static Shape),
    /// A map with exactly these keys (`true`: required), nothing else.
    Object(&'static [(&'static str, bool, Shape)]),
}

const NAMES: Shape = Shape::List(&Shape::Str);

/// `feedback-pipeline-workload`: `ConfigManager._load_config_workload`
/// rejects any other key of `data`; `name`, `description`, `maintainer` and
/// `labels` are mandatory.
const WORKLOAD: Shape = Shape::Object(&[
    (
        "document",
        true,
        Shape::OneOf(&["feedback-pipeline-workload", "content-resolver-workload"]),
    ),
    ("version", true, Shape::One),
    (
        "data",
        true,
        Shape::Object(&[
            ("name", true, Shape::Str),
            ("description", true, Shape::Str),
            ("maintainer", true, Shape::Str),
            ("labels", true, NAMES),
            ("packages", false, NAMES),
            ("arch_packages", false, Shape::ByArch(&NAMES)),
            (
                "options",
                false,
                Shape::List(&Shape::OneOf(&[
                    "include-docs",
                    "include-weak-deps",
                    "strict",
                ])),
            ),
            ("groups", false, NAMES),
            // Placeholders are never written by us; their inner keys are
            // not described here.
            (
                "package_placeholders",
                false,
                Shape::List(&Shape::Map(&Shape::Str)),
            ),
        ]),
    ),
]);

/// `feedback-pipeline-buildroot`: `ConfigManager._load_config_buildroot`.
const BUILDROOT: Shape = Shape::Object(&[
    (
        "document",
        true,
        Shape::OneOf(&["feedback-pipeline-buildroot", "content-resolver-buildroot"]),
    ),
    ("version", true, Shape::One),
    (
        "data",
        true,
        Shape::Object(&[
            ("maintainer", true, Shape::Str),
            ("view_id", true, Shape::Str),
            ("base_buildroot", false, Shape::ByArch(&NAMES)),
            (
                "source_packages",
                false,
                Shape::ByArch(&Shape::Map(&Shape::Object(&[("requires", false, NAMES)]))),
            ),
        ]),
    ),
]);

/// `buildroot-binary-relations`: `ConfigManager._load_json_data_buildroot_pkg_relations`
/// reads `document_type`, `version`, `data.view_id`, `data.arch` (one of
/// its arches) and `data.pkgs` (kept as it is; its entries are dep-tracker's).
const RELATIONS: Shape = Shape::Object(&[
    (
        "document_type",
        true,
        Shape::OneOf(&["buildroot-binary-relations"]),
    ),
    ("version", true, Shape::OneOf(&["1"])),
    (
        "data",
        true,
        Shape::Object(&[
            ("view_id", true, Shape::Str),
            ("arch", true, Shape::OneOf(&CONTENT_RESOLVER_ARCHES)),
            (
                "pkgs",
                true,
                Shape::Map(&Shape::Object(&[
                    ("required_by", true, NAMES),
                    ("recommended_by", true, NAMES),
                    ("suggested_by", true, NAMES),
                    ("source_name", true, Shape::Str),
                ])),
            ),
        ]),
    ),
]);

/// Every way `v` (at `path`) differs from `shape`.
fn check(v: &Value, shape: &Shape, path: &str, errs: &mut Vec<String>) {
    let mut bad = |what: &str| errs.push(format!("{path}: {what}, got {v}"));
    match shape {
        Shape::Str if v.is_string() => {}
        Shape::Str => bad("expected a string"),
        Shape::One if v.as_u64() == Some(1) => {}
        Shape::One => bad("expected 1"),
        Shape::OneOf(allowed) => match v.as_str() {
            Some(s) if allowed.contains(&s) => {}
            _ => bad(&format!("expected one of {allowed:?}")),
        },
        Shape::List(item) => match v.as_array() {
            Some(items) => {
                for (i, x) in items.iter().enumerate() {
                    check(x, item, &format!("{path}[{i}]"), errs);
                }
            }
            None => bad("expected a list"),
        },
        Shape::ByArch(value) | Shape::Map(value) => match v.as_object() {
            Some(m) => {
                for (k, x) in m {
                    let arch_ok = CONTENT_RESOLVER_ARCHES.contains(&k.as_str());
                    if matches!(shape, Shape::ByArch(_)) && !arch_ok {
                        errs.push(format!(
                            "{path}: '{k}' is not an arch content-resolver reads"
                        ));
                    }
                    if k.is_empty() {
                        errs.push(format!("{path}: empty key"));
                    }
                    check(x, value, &format!("{path}.{k}"), errs);
                }
            }
            None => bad("expected a map"),
        },
        Shape::Object(fields) => match v.as_object() {
            Some(m) => {
                for k in m.keys() {
                    if !fields.iter().any(|(f, ..)| f == k) {
                        errs.push(format!(
                            "{path}: key '{k}' is not one content-resolver reads"
                        ));
                    }
                }
                for (f, required, s) in fields.iter() {
                    match m.get(*f) {
                        Some(x) => check(x, s, &format!("{path}.{f}"), errs),
                        None if *required => errs.push(format!("{path}: no '{f}'")),
                        None => {}
                    }
                }
            }
            None => bad("expected a map"),
        },
    }
}

fn conforms(v: &Value, shape: &Shape, what: &str) {
    let mut errs = Vec::new();
    check(v, shape, what, &mut errs);
    assert!(errs.is_empty(), "{}", errs.join("\n"));
}

/// YAML as content-resolver sees it (PyYAML's `safe_load`, YAML 1.1), or as
/// serde-saphyr reads it when there is no PyYAML.
fn load_yaml(text: &str) -> Value {
    let Some(py) = oracle_support::python_with("yaml") else {
        return serde_saphyr::from_str(text).unwrap();
    };
    oracle_support::python_json(
        py,
        &[
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)",
        ],
        text,
        "PyYAML rejected the document",
    )
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The documents a workflow run publishes, made from the fixture repos the
/// way the tools make them: per arch a fixed point over the compose's
/// sources, its output directory, then the workload and buildroot YAML.
struct Documents {
    dir: tempfile::TempDir,
    workload: String,
    buildroot: String,
    relations: Vec<PathBuf>,
}

fn documents() -> Documents {
    let td = testdata();
    let dir = tempfile::tempdir().unwrap();
    let input: Vec<String> = std::fs::read_to_string(td.join("compose/sources.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let cfg = Config {
        core: DEFAULT_CORE
            .iter()
            .map(|s| s.to_string())
            .chain(["fedora-release-eln".to_string()])
            .collect(),
        ..Default::default()
    };
    let (mut compose, mut br, mut dirs) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut relations = Vec::new();
    for arch in ["aarch64", "x86_64"] {
        let specs = [
            RepoSpec::new("fixture", td.join("repos").join(arch).to_str().unwrap()),
            RepoSpec::new("src", td.join("repos/source").to_str().unwrap()),
        ];
        let opts = LoadOptions {
            filelists: Filelists::Needed,
            cache_dir: None,
        };
        let pool = Pool::load(arch, &specs, &opts).unwrap();
        let run = buildroot::run(&pool, &input, &cfg).unwrap();
        let out = dir.path().join(arch);
        run.write_output_dir(&out, "view-eln", arch).unwrap();
        relations.push(out.join(format!(
            "buildroot-package-relations--view-eln--{arch}.json"
        )));
        let read = BuildrootDir::read(&out).unwrap();
        let names: BTreeSet<String> =
            std::fs::read_to_string(td.join(format!("compose/{arch}.txt")))
                .unwrap()
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
        compose.insert(arch.to_string(), names);
        br.insert(arch.to_string(), read.binary_names());
        dirs.insert(arch.to_string(), read);
    }
    let diff = WorkloadDiff::compute(&compose, &br, &BTreeSet::new()).unwrap();
    let workload = diff.workload(&WorkloadMeta::default()).to_yaml().unwrap();
    let buildroot = BuildrootConfigDocument::from_dirs("rpm-buildroot", "view-eln", &dirs)
        .to_yaml()
        .unwrap();
    Documents {
        dir,
        workload,
        buildroot,
        relations,
    }
}

#[test]
fn our_documents_have_exactly_content_resolvers_keys_and_types() {
    let docs = documents();
    let w = load_yaml(&docs.workload);
    conforms(&w, &WORKLOAD, "workload");
    // Exactly what we mean to write: the mandatory keys and the package lists.
    let keys: Vec<&str> = w["data"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        BTreeSet::from_iter(keys),
        BTreeSet::from([
            "name",
            "description",
            "maintainer",
            "labels",
            "packages",
            "arch_packages"
        ])
    );
    assert!(!w["data"]["packages"].as_array().unwrap().is_empty());
    conforms(&load_yaml(&docs.buildroot), &BUILDROOT, "buildroot");
    for p in &docs.relations {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        conforms(&v, &RELATIONS, &p.display().to_string());
        assert!(!v["data"]["pkgs"].as_object().unwrap().is_empty());
    }
}

#[test]
fn the_schema_catches_what_content_resolver_rejects() {
    // The 2021-style workload dep-tracker wrote: content-resolver today
    // drops the whole file for its unknown keys.
    let old = load_yaml(
        "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: n\n  description: d\n  maintainer: m\n  labels: [eln-buildroot]\n  experimental:\n    buildroot: true\n  repositories: [repository-fedora-eln]\n  packages: [yes]\n  arch_packages:\n    i686: [a]\n    x86_64:\n",
    );
    let mut errs = Vec::new();
    check(&old, &WORKLOAD, "w", &mut errs);
    let text = errs.join("\n");
    for want in [
        "key 'experimental'",
        "key 'repositories'",
        "'i686' is not an arch",
        "w.data.arch_packages.x86_64: expected a list",
    ] {
        assert!(text.contains(want), "{want} not in:\n{text}");
    }
    // `yes` is a boolean to PyYAML (only checked where PyYAML is there).
    if oracle_support::python_with("yaml").is_some() {
        assert!(
            text.contains("w.data.packages[0]: expected a string"),
            "{text}"
        );
    }
    let mut errs = Vec::new();
    let rel = serde_json::json!({"document_type": "buildroot-binary-relations", "version": "1",
        "data": {"view_id": "view-eln", "arch": "i686", "pkgs": {}}});
    check(&rel, &RELATIONS, "r", &mut errs);
    assert_eq!(errs.len(), 1, "{errs:?}");
}

/// content-resolver's own loader, when a checkout is given.
#[test]
fn content_resolver_loads_our_documents() {
    let Some(checkout) = std::env::var_os("CONTENT_RESOLVER_CHECKOUT") else {
        eprintln!("skipped: set CONTENT_RESOLVER_CHECKOUT to a content-resolver checkout");
        return;
    };
    let Some(py) = oracle_support::python_with("yaml, jinja2") else {
        panic!("CONTENT_RESOLVER_CHECKOUT is set but python3 lacks PyYAML or jinja2");
    };
    let docs = documents();
    // Its config directory: the two YAML documents. The relations JSON goes
    // through the function that reads it (its directory walk for *.json
    // calls a method ConfigManager does not have; docs/formats.md section 3).
    let configs = docs.dir.path().join("configs");
    std::fs::create_dir(&configs).unwrap();
    std::fs::write(configs.join("eln-buildroot-workload.yaml"), &docs.workload).unwrap();
    std::fs::write(configs.join("eln-buildroot.yaml"), &docs.buildroot).unwrap();
    let script = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
from content_resolver.config_manager import ConfigManager
settings = {"configs": sys.argv[2], "allowed_arches": ["aarch64", "ppc64le", "s390x", "x86_64"], "strict": True}
m = ConfigManager(settings)
c = m.get_configs()
out = {"workloads": c["workloads"], "buildroots": c["buildroots"], "relations": {}}
for p in sys.argv[3:]:
    doc_id = p.rsplit("/", 1)[-1][: -len(".json")]
    out["relations"][doc_id] = m._load_json_data_buildroot_pkg_relations(doc_id, json.load(open(p)), settings)
json.dump(out, sys.stdout)
"#;
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(&checkout)
        .arg(&configs)
        .args(&docs.relations)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "content-resolver failed:\n{stderr}");
    assert!(!stderr.contains("ERRORS FOUND"), "{stderr}");
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let w_ours = load_yaml(&docs.workload);
    let w = &got["workloads"]["eln-buildroot-workload"];
    assert_eq!(w["name"], w_ours["data"]["name"]);
    assert_eq!(w["labels"], w_ours["data"]["labels"]);
    assert_eq!(w["packages"], w_ours["data"]["packages"]);
    assert_eq!(
        w["arch_packages"]["x86_64"],
        w_ours["data"]["arch_packages"]["x86_64"]
    );
    let b_ours = load_yaml(&docs.buildroot);
    let b = &got["buildroots"]["eln-buildroot"];
    assert_eq!(b["view_id"], "view-eln");
    assert_eq!(
        b["base_buildroot"]["x86_64"],
        b_ours["data"]["base_buildroot"]["x86_64"]
    );
    assert_eq!(
        b["source_packages"]["aarch64"],
        b_ours["data"]["source_packages"]["aarch64"]
    );
    for p in &docs.relations {
        let id = p.file_stem().unwrap().to_str().unwrap();
        let ours: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        assert_eq!(
            got["relations"][id]["pkg_relations"], ours["data"]["pkgs"],
            "{id}"
        );
        assert_eq!(got["relations"][id]["arch"], ours["data"]["arch"], "{id}");
    }
}
