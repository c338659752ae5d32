//! The content-resolver documents: exact YAML written, parsed back, read by
//! PyYAML (content-resolver's parser) with every string still a string.

mod oracle_support;

use std::collections::{BTreeMap, BTreeSet};

use buildroot_core::workload::{
    BuildrootConfigDocument, PackageRelations, Placeholders, Relations, SourceRequires,
    WorkloadDiff, WorkloadDocument, WorkloadMeta,
};

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn sample_workload() -> WorkloadDocument {
    let compose = BTreeMap::from([
        ("x86_64".to_string(), set(&["bash", "glibc"])),
        ("aarch64".to_string(), set(&["bash", "glibc"])),
    ]);
    let buildroot = BTreeMap::from([
        (
            "x86_64".to_string(),
            set(&["bash", "glibc", "autoconf", "nasm", "kernel-headers"]),
        ),
        (
            "aarch64".to_string(),
            set(&["bash", "autoconf", "kernel-headers"]),
        ),
    ]);
    let diff = WorkloadDiff::compute(&compose, &buildroot, &set(&["kernel-headers"])).unwrap();
    diff.workload(&WorkloadMeta::default())
}

#[test]
fn workload_yaml_exact_and_round_trip() {
    let doc = sample_workload();
    let yaml = doc.to_yaml().unwrap();
    assert_eq!(
        yaml,
        "---
document: feedback-pipeline-workload
version: 1
data:
  name: ELN Buildroot Workload
  description: The packages that are not part of ELN, but needed to build it.
  maintainer: rpm-buildroot
  labels:
    - eln-buildroot
  packages:
    - autoconf
  arch_packages:
    aarch64: []
    x86_64:
      - nasm
"
    );
    let back = WorkloadDocument::from_yaml(&yaml, "w.yaml").unwrap();
    assert_eq!(back, doc);
    assert_eq!(back.names_for("x86_64"), set(&["autoconf", "nasm"]));
    assert_eq!(back.names_for("aarch64"), set(&["autoconf"]));
}

#[test]
fn reads_dep_tracker_style_workload_with_nulls() {
    // dep-tracker's head + its empty arch lists (YAML null), 4-space indents,
    // and keys we neither model nor write (`experimental`, `repositories`,
    // `options`).
    let text = "---
document:  feedback-pipeline-workload
version: 1
data:
    name: ELN Buildroot Workload
    description: The packages that are not part of ELN, but needed to build it.
    maintainer: tdawson
    labels:
        - eln-buildroot
    experimental:
        buildroot: True
    repositories:
        - repository-fedora-eln
    options:
        - include-docs
    packages:
        - autoconf
    arch_packages:
        aarch64:
        ppc64le:
        s390x:
        x86_64:
            - nasm
";
    let doc = WorkloadDocument::from_yaml(text, "eln-buildroot-workload.yaml").unwrap();
    assert_eq!(doc.maintainer, "tdawson");
    assert_eq!(doc.packages, set(&["autoconf"]));
    assert_eq!(doc.arch_packages.len(), 4);
    assert!(doc.arch_packages["s390x"].is_empty());
    assert_eq!(doc.arch_packages["x86_64"], set(&["nasm"]));
}

#[test]
fn wrong_documents_are_one_line_errors() {
    let buildroot = BuildrootConfigDocument::default().to_yaml().unwrap();
    let e = WorkloadDocument::from_yaml(&buildroot, "b.yaml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "b.yaml: document is \"feedback-pipeline-buildroot\", expected 'feedback-pipeline-workload'"
    );
    let e = WorkloadDocument::from_yaml(
        "document: feedback-pipeline-workload\nversion: 2\ndata: {}\n",
        "v.yaml",
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, "v.yaml: unsupported version 2 (expected 1)");
    let e = WorkloadDocument::from_yaml("a: [\n", "broken.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("broken.yaml: "), "{e}");
    assert!(!e.contains('\n'), "{e}");
    let e = WorkloadDocument::from_yaml("version: 1\n", "n.yaml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "n.yaml: no 'document' key (expected 'feedback-pipeline-workload')"
    );
    let e = WorkloadDocument::from_yaml(
        "document: content-resolver-workload\nversion: 1\ndata:\n  name: x\n",
        "m.yaml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("m.yaml: ") && e.contains("description"),
        "{e}"
    );
    let e = WorkloadDocument::read(std::path::Path::new("/nonexistent/w.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/w.yaml: "), "{e}");
}

fn sample_buildroot() -> BuildrootConfigDocument {
    let mut doc = BuildrootConfigDocument {
        maintainer: "rpm-buildroot".into(),
        view_id: "view-eln".into(),
        ..Default::default()
    };
    doc.base_buildroot
        .insert("x86_64".into(), set(&["coreutils", "bash"]));
    doc.source_packages.insert(
        "x86_64".into(),
        BTreeMap::from([
            (
                "httpd".to_string(),
                SourceRequires {
                    requires: set(&["apr-devel", "gcc"]),
                },
            ),
            ("noextra".to_string(), SourceRequires::default()),
        ]),
    );
    doc
}

#[test]
fn buildroot_yaml_exact_and_round_trip() {
    let doc = sample_buildroot();
    let yaml = doc.to_yaml().unwrap();
    assert_eq!(
        yaml,
        "---
document: feedback-pipeline-buildroot
version: 1
data:
  maintainer: rpm-buildroot
  view_id: view-eln
  base_buildroot:
    x86_64:
      - bash
      - coreutils
  source_packages:
    x86_64:
      httpd:
        requires:
          - apr-devel
          - gcc
      noextra:
        requires: []
"
    );
    let back = BuildrootConfigDocument::from_yaml(&yaml, "b.yaml").unwrap();
    assert_eq!(back, doc);
    assert_eq!(
        back.binaries_for("x86_64"),
        set(&["apr-devel", "bash", "coreutils", "gcc"])
    );
    // dep-tracker's failed_buildroot (which content-resolver never read) is ignored.
    let old = "document: feedback-pipeline-buildroot\nversion: 1\ndata:\n  maintainer: m\n  view_id: view-eln\n  base_buildroot:\n    x86_64: [bash]\n  source_packages:\n    x86_64:\n      foo:\n        requires:\n  failed_buildroot:\n    x86_64: [broken]\n";
    let b = BuildrootConfigDocument::from_yaml(old, "old.yaml").unwrap();
    assert_eq!(b.base_buildroot["x86_64"], set(&["bash"]));
    assert!(b.source_packages["x86_64"]["foo"].requires.is_empty());
}

#[test]
fn big_buildroot_document_parses() {
    // Fedora scale is millions of YAML nodes; serde-saphyr's default budget
    // stops at 250k.
    let mut doc = BuildrootConfigDocument::default();
    let names: BTreeSet<String> = (0..130).map(|i| format!("lib{i}-devel")).collect();
    let sources = (0..2000)
        .map(|i| {
            (
                format!("src{i}"),
                SourceRequires {
                    requires: names.clone(),
                },
            )
        })
        .collect();
    doc.source_packages.insert("x86_64".into(), sources);
    let yaml = doc.to_yaml().unwrap();
    let back = BuildrootConfigDocument::from_yaml(&yaml, "big.yaml").unwrap();
    assert_eq!(back.source_packages["x86_64"].len(), 2000);
}

/// Loads `yaml` with `yaml.safe_load` and returns it as JSON text.
fn pyyaml_as_json(py: &str, yaml: &str) -> serde_json::Value {
    oracle_support::python_json(
        py,
        &[
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, sort_keys=True)",
        ],
        yaml,
        &format!("PyYAML rejected:\n{yaml}"),
    )
}

#[test]
fn pyyaml_reads_strings_as_strings() {
    let Some(py) = oracle_support::python_with("yaml") else {
        eprintln!("skipped: no python3 with PyYAML (apt-get install python3-yaml)");
        return;
    };
    // Names YAML 1.1 would turn into booleans, numbers, nulls or dates.
    let tricky = [
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "true",
        "True",
        "NO",
        "1.0",
        "0x10",
        "1e3",
        "010",
        "1_000",
        "12:30",
        "null",
        "Null",
        "~",
        "-",
        "2001-01-01",
        ".inf",
        "gcc-c++",
        "@group",
        "*star",
        "a: b",
        "#hash",
        "",
    ];
    let mut doc = sample_workload();
    doc.description = "Needs: colons, # hashes and 'quotes' \"too\"".into();
    doc.packages = tricky.iter().map(|s| s.to_string()).collect();
    doc.arch_packages
        .insert("ppc64le".into(), set(&["on", "off"]));
    let yaml = doc.to_yaml().unwrap();
    let v = pyyaml_as_json(py, &yaml);
    assert_eq!(v["document"], "feedback-pipeline-workload");
    assert_eq!(v["version"], 1);
    assert_eq!(v["data"]["description"], doc.description.as_str());
    let got: Vec<&str> = v["data"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or_else(|| panic!("not a string: {x}")))
        .collect();
    let want: Vec<&str> = doc.packages.iter().map(String::as_str).collect();
    assert_eq!(got, want);
    assert_eq!(v["data"]["arch_packages"]["aarch64"], serde_json::json!([]));
    assert_eq!(
        v["data"]["arch_packages"]["ppc64le"],
        serde_json::json!(["off", "on"])
    );
    // Our own reader agrees (on what are package names: it refuses "" and
    // "a: b", which the writer only quotes).
    doc.packages.retain(|n| !n.is_empty() && !n.contains(' '));
    let yaml = doc.to_yaml().unwrap();
    assert_eq!(WorkloadDocument::from_yaml(&yaml, "t").unwrap(), doc);

    let mut b = sample_buildroot();
    b.view_id = "yes".into();
    b.source_packages.get_mut("x86_64").unwrap().insert(
        "null".into(),
        SourceRequires {
            requires: set(&["1.0", "on"]),
        },
    );
    let v = pyyaml_as_json(py, &b.to_yaml().unwrap());
    assert_eq!(v["data"]["view_id"], "yes");
    assert_eq!(
        v["data"]["source_packages"]["x86_64"]["null"]["requires"],
        serde_json::json!(["1.0", "on"])
    );
    assert_eq!(
        v["data"]["source_packages"]["x86_64"]["noextra"]["requires"],
        serde_json::json!([])
    );
    assert_eq!(
        v["data"]["base_buildroot"]["x86_64"],
        serde_json::json!(["bash", "coreutils"])
    );
}

#[test]
fn relations_json_sorted_merge_and_round_trip() {
    let mut a = Relations::new("view-eln", "x86_64");
    a.entry("gcc-11.2.1-1.eln112.x86_64", "gcc")
        .required_by
        .insert("gcc-c++-11.2.1-1.eln112.x86_64".into());
    let mut b = Relations::new("view-eln", "x86_64");
    b.entry("gcc-11.2.1-1.eln112.x86_64", "gcc")
        .required_by
        .insert("annobin-12-1.eln112.x86_64".into());
    b.entry("bash-5.1.8-2.eln112.x86_64", "bash");
    a.merge(b);
    let json = a.to_json();
    assert_eq!(
        json,
        r#"{
  "document_type": "buildroot-binary-relations",
  "version": "1",
  "data": {
    "view_id": "view-eln",
    "arch": "x86_64",
    "pkgs": {
      "bash-5.1.8-2.eln112.x86_64": {
        "required_by": [],
        "recommended_by": [],
        "suggested_by": [],
        "source_name": "bash"
      },
      "gcc-11.2.1-1.eln112.x86_64": {
        "required_by": [
          "annobin-12-1.eln112.x86_64",
          "gcc-c++-11.2.1-1.eln112.x86_64"
        ],
        "recommended_by": [],
        "suggested_by": [],
        "source_name": "gcc"
      }
    }
  }
}
"#
    );
    let back = Relations::from_reader(json.as_bytes(), "r.json").unwrap();
    assert_eq!(back, a);
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("rel.json");
    a.write(&p).unwrap();
    assert_eq!(std::fs::read_to_string(&p).unwrap(), json);
    assert_eq!(Relations::read(&p).unwrap(), a);
    // dep-tracker's unsorted lists read as sets.
    let dt = r#"{"document_type": "buildroot-binary-relations", "version": "1",
        "data": {"view_id": "view-eln", "arch": "x86_64",
        "pkgs": {"z-1-1.x86_64": {"required_by": ["b-1-1.x86_64", "a-1-1.x86_64", "b-1-1.x86_64"],
                 "recommended_by": [], "suggested_by": [], "source_name": "z"}}}}"#;
    let r = Relations::from_reader(dt.as_bytes(), "dt.json").unwrap();
    assert_eq!(
        r.pkgs["z-1-1.x86_64"],
        PackageRelations {
            required_by: set(&["a-1-1.x86_64", "b-1-1.x86_64"]),
            source_name: "z".into(),
            ..Default::default()
        }
    );
    let e = Relations::from_reader(
        r#"{"document_type": "buildroot-source-relations", "version": "1", "data": {}}"#.as_bytes(),
        "bg2.json",
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "bg2.json: document_type is 'buildroot-source-relations', expected 'buildroot-binary-relations'"
    );
    let e = Relations::from_reader("{".as_bytes(), "cut.json")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("cut.json: not relations JSON: "), "{e}");
}

#[test]
fn relation_key_formats_epoch_only_when_set() {
    use buildroot_core::evr::Evr;
    use buildroot_core::workload::relations::relation_key;
    assert_eq!(
        relation_key("bash", &Evr::parse("5.2-1.fc40").unwrap(), "x86_64"),
        "bash-5.2-1.fc40.x86_64"
    );
    assert_eq!(
        relation_key("perl-IO", &Evr::parse("1:1.5-2").unwrap(), "noarch"),
        "perl-IO-1:1.5-2.noarch"
    );
}

#[test]
fn placeholder_json() {
    let text = r#"{"newthing": {"build_requires": ["gcc", "make", " gcc ", ""], "limit_arches": []},
                   "empty": {"build_requires": null}, "bare": {}}"#;
    let p = Placeholders::from_json(text, "ph.json").unwrap();
    assert_eq!(p.names().collect::<Vec<_>>(), ["bare", "empty", "newthing"]);
    assert_eq!(p.sources["newthing"].build_requires, ["gcc", "make"]);
    assert!(p.sources["empty"].build_requires.is_empty());
    assert!(p.sources["bare"].build_requires.is_empty());
    assert!(Placeholders::from_json("{}", "e.json").unwrap().is_empty());
    let e = Placeholders::from_json(r#"["gcc"]"#, "list.json")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("list.json: not a placeholder JSON"), "{e}");
    let e = Placeholders::from_json(r#"{"a b": {}}"#, "n.json")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "n.json: 'a b' is not a source package name");
    let e = Placeholders::read("/nonexistent/ph.json")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("/nonexistent/ph.json: "), "{e}");
}
