//! comps read and merged by us (`rpmmd::Comps`) and by libcomps, what dnf 4
//! reads comps with (`scripts/libcomps-oracle.py`: parse, then the union
//! dnf's `Base.read_comps` makes of its repos' comps): every case's groups
//! must have the same ids, untranslated names, display orders and package
//! lists (name, type, requires, basearchonly). Skipped without
//! python3-libcomps.

mod oracle_support;

use buildroot_core::rpmmd::{Comps, PackageType};
use serde_json::{json, Value};

fn libcomps_available() -> bool {
    oracle_support::python_with("libcomps").is_some()
}

fn oracle(cases: &Value) -> Vec<Value> {
    oracle_support::run_oracle("libcomps", "libcomps-oracle.py", cases)
}

/// Our reading of one case, in the oracle's shape.
fn ours(texts: &[&str]) -> Value {
    let mut all = Comps::default();
    for (i, t) in texts.iter().enumerate() {
        all.merge(Comps::parse(t.as_bytes(), &format!("{i}.xml")).unwrap());
    }
    let mut groups: Vec<Value> = all
        .groups
        .iter()
        .map(|g| {
            let packages: Vec<Value> = g
                .packages
                .iter()
                .map(|p| {
                    let kind = match p.kind {
                        PackageType::Mandatory => "mandatory",
                        PackageType::Default => "default",
                        PackageType::Optional => "optional",
                        PackageType::Conditional => "conditional",
                        PackageType::Unknown => "unknown",
                    };
                    json!([p.name, kind, p.requires, p.basearchonly])
                })
                .collect();
            json!({"id": g.id, "name": g.name, "display_order": g.display_order,
                   "packages": packages})
        })
        .collect();
    groups.sort_by_key(|g| g["id"].as_str().unwrap_or_default().to_string());
    Value::Array(groups)
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
"#;

/// Repos' comps, each case a list of documents in repo order.
const CASES: &[&[&str]] = &[
    // Fedora's shape: translations, descriptions, flags dnf does not read,
    // every type, conditionals, arch attributes, a category, an
    // environment.
    &[r#"<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <name xml:lang="de">Kern</name>
    <description>Smallest possible installation</description>
    <description xml:lang="de">Kleinste</description>
    <default>false</default>
    <uservisible>false</uservisible>
    <display_order>10</display_order>
    <packagelist>
      <packagereq>notype</packagereq>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq type="default" arch="aarch64,x86_64">onlyarm</packagereq>
      <packagereq type="optional">extra</packagereq>
      <packagereq type="conditional" requires="gtk3">gtk3-lang</packagereq>
      <packagereq type="default" basearchonly="true">glibc</packagereq>
    </packagelist>
  </group>
  <group>
    <id>fonts</id>
    <name>Fonts</name>
    <langonly>ja</langonly>
    <biarchonly>true</biarchonly>
    <packagelist><packagereq type="default">font-a</packagereq></packagelist>
  </group>
  <category><id>c</id><name>C</name><grouplist><groupid>core</groupid></grouplist></category>
  <environment><id>e</id><name>E</name><grouplist><groupid>core</groupid></grouplist>
    <optionlist><groupid>fonts</groupid></optionlist></environment>
  <langpacks><match install="x-%s" name="x"/></langpacks>
</comps>"#],
    // A group in two repos: the later name and display order, its types
    // over the earlier's, new packages after; a group of one repo only.
    &[
        r#"<comps><group><id>core</id><name>Core</name><display_order>10</display_order>
  <packagelist><packagereq>a</packagereq><packagereq type="optional">b</packagereq>
  <packagereq type="conditional" requires="x">c</packagereq></packagelist></group>
  <group><id>only-first</id><name>F</name></group></comps>"#,
        r#"<comps><group><id>core</id><name>Core B</name>
  <packagelist><packagereq type="default">b</packagereq><packagereq>d</packagereq>
  <packagereq type="conditional" requires="y">c</packagereq></packagelist></group>
  <group><id>only-second</id><name>S</name><display_order>3</display_order></group></comps>"#,
        r#"<comps><group><id>core</id><display_order>7</display_order>
  <packagelist><packagereq type="bogus">a</packagereq></packagelist></group></comps>"#,
    ],
    // Values libcomps reads its own way: unknown and mis-cased types,
    // basearchonly spellings, an empty requires, an empty packagereq.
    &[r#"<comps><group><id>odd</id><name>Odd</name><packagelist>
  <packagereq type="Mandatory">cap</packagereq>
  <packagereq type="weird">w</packagereq>
  <packagereq type="">e</packagereq>
  <packagereq basearchonly="True">b2</packagereq>
  <packagereq basearchonly="1">b3</packagereq>
  <packagereq basearchonly="false">b4</packagereq>
  <packagereq type="conditional" requires="">noreq</packagereq>
  <packagereq type="optional">dup</packagereq>
  <packagereq type="default">dup</packagereq>
</packagelist></group><group><id>empty</id><name>Empty</name></group></comps>"#],
];

#[test]
fn comps_are_read_and_merged_as_libcomps_does() {
    if !libcomps_available() {
        eprintln!("skipped: /usr/bin/python3 cannot import libcomps (python3-libcomps)");
        return;
    }
    let texts: Vec<Vec<String>> = CASES
        .iter()
        .map(|docs| docs.iter().map(|d| format!("{HEAD}{d}")).collect())
        .collect();
    let theirs = oracle(&json!(texts));
    let mut bad = Vec::new();
    for (docs, libcomps) in texts.iter().zip(&theirs) {
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let us = ours(&docs);
        if us != *libcomps {
            bad.push(format!("{docs:?}\n  ours     {us}\n  libcomps {libcomps}"));
        }
    }
    oracle_support::assert_none_differ(&bad, texts.len());
}
