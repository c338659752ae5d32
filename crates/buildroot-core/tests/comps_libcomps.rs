//! comps read and merged by us (`rpmmd::Comps`) and by libcomps, what dnf 4
//! reads comps with (`scripts/libcomps-oracle.py`: parse, then the union
//! dnf's `Base.read_comps` makes of its repos' comps): every case's groups
//! must have the same ids, untranslated names, display orders and package
//! lists (name, type, requires, basearchonly), and `group_by_pattern` must
//! answer a group dnf's may answer. The fixed cases below, and random ones
//! of Fedora's comps shapes from a seed (`COMPS_SEED`, default fixed;
//! `COMPS_COUNT`, default 300), or the cases of a JSON file (`COMPS_CASES`:
//! a list of cases, each a list of documents). Skipped without
//! python3-libcomps.
//!
//! Two differences are decided (docs/formats.md section 8): a `<group>`
//! without an `<id>` (or with blanks only) makes the file unreadable here,
//! where libcomps keeps a group without id (on which dnf's glob match then
//! raises); a `<packagereq>` without a name is left out here, where
//! libcomps keeps it (and dnf's group install fails on it).

mod oracle_support;

use buildroot_core::rpmmd::{Comps, PackageType};
use serde_json::{json, Value};

/// libcomps' oracle, or None (the test skipped).
fn oracle() -> Option<oracle_support::Oracle> {
    oracle_support::Oracle::find("libcomps", "python3-libcomps", "libcomps-oracle.py")
}

/// Our reading of one case: the merged comps, or the first file's error.
fn read(texts: &[&str]) -> Result<Comps, String> {
    read_bytes(&texts.iter().map(|t| t.as_bytes()).collect::<Vec<_>>())
}

/// [`read`] of documents' bytes.
fn read_bytes(docs: &[&[u8]]) -> Result<Comps, String> {
    let mut all = Comps::default();
    for (i, d) in docs.iter().enumerate() {
        all.merge(Comps::parse(*d, &format!("{i}.xml")).map_err(|e| e.to_string())?);
    }
    Ok(all)
}

/// Our groups in the oracle's shape.
fn ours(all: &Comps) -> Value {
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
            // No untranslated name is libcomps' None.
            let name = (!g.name.is_empty()).then_some(&g.name);
            json!({"id": g.id, "name": name, "display_order": g.display_order,
                   "packages": packages})
        })
        .collect();
    groups.sort_by_key(|g| g["id"].as_str().unwrap_or_default().to_string());
    Value::Array(groups)
}

/// libcomps' groups with its name-less packages left out (a decided
/// difference, above).
fn theirs(groups: &Value) -> Value {
    let mut groups = groups.clone();
    for g in groups.as_array_mut().into_iter().flatten() {
        if let Some(p) = g["packages"].as_array_mut() {
            p.retain(|p| !p[0].is_null());
        }
    }
    groups
}

/// Where we and the oracle differ on its answers, one paragraph each.
fn differences(answers: &[Value]) -> Vec<String> {
    let mut bad = Vec::new();
    for a in answers {
        let texts: Vec<&str> = a["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        if let Some(p) = difference(&read(&texts), a) {
            bad.push(format!("{texts:?}\n  {p}"));
        }
    }
    bad
}

/// How our reading `mine` differs from the oracle's answer `a`, if it does.
fn difference(mine: &Result<Comps, String>, a: &Value) -> Option<String> {
    let no_id = a["groups"]
        .as_array()
        .is_some_and(|g| g.iter().any(|g| g["id"].is_null()));
    match (mine, a.get("groups")) {
        (Err(_), None) => None,
        (Err(e), Some(_)) if no_id && e.contains("without <id>") => None,
        (Err(e), Some(g)) => Some(format!("ours     {e}\n  libcomps {g}")),
        (Ok(c), None) => Some(format!("ours     {}\n  libcomps {}", ours(c), a["error"])),
        (Ok(c), Some(g)) if ours(c) != theirs(g) => {
            Some(format!("ours     {}\n  libcomps {}", ours(c), theirs(g)))
        }
        (Ok(c), Some(_)) => pattern_differences(c, &a["patterns"]),
    }
}

/// dnf's `group_by_pattern` picks one of the groups it finds with the
/// lowest display order (by a set's order); ours must be among them.
fn pattern_differences(c: &Comps, patterns: &Value) -> Option<String> {
    let mut bad = Vec::new();
    for (pattern, ids) in patterns.as_object()? {
        let ids: Vec<&str> = ids.as_array()?.iter().filter_map(Value::as_str).collect();
        let mine = c.group_by_pattern(pattern).map(|g| g.id.as_str());
        let fine = match mine {
            None => ids.is_empty(),
            Some(id) => ids.contains(&id),
        };
        if !fine {
            bad.push(format!("{pattern:?}: ours {mine:?}, dnf's one of {ids:?}"));
        }
    }
    (!bad.is_empty()).then(|| bad.join("; "))
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
    // Names on lines of their own, indented as a pretty-printer writes
    // them: libcomps keeps the blanks before each (`        bash`, an id
    // `      core`), so dnf finds the group by its name alone and none of
    // its packages (compose-view then warns of each, as dnf does).
    &[r#"<comps>
  <group>
    <id>
      core
    </id>
    <name>Core</name>
    <packagelist>
      <packagereq type="mandatory">
        bash
      </packagereq>
      <packagereq type="default">coreutils</packagereq>
    </packagelist>
  </group>
</comps>"#],
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
    // Found by the random cases: text kept as expat's pieces give it
    // (blanks on the text's line, no line breaks), `strtol`'s display
    // order, a name with a bare `lang=`, and the union of package lists
    // (a group of one id twice in a file, then in a later repo).
    &[
        r#"<comps><group><id> core</id><name lang="de">L</name>
  <display_order>5</display_order><display_order>x</display_order>
  <packagelist><packagereq>
        bash
      </packagereq><packagereq>a&#32;b</packagereq><packagereq>m</packagereq></packagelist></group>
  <group><id> core</id><packagelist><packagereq type="default">m</packagereq>
  <packagereq type="optional">m</packagereq><packagereq>n</packagereq><packagereq>n</packagereq>
  </packagelist></group>
  <group><id>web</id><display_order>2147483648</display_order></group></comps>"#,
        r#"<comps><group><id> core</id><display_order>+8</display_order><packagelist>
  <packagereq type="optional">n</packagereq></packagelist></group></comps>"#,
    ],
];

#[test]
fn comps_are_read_and_merged_as_libcomps_does() {
    let Some(oracle) = oracle() else { return };
    let texts: Vec<Vec<String>> = CASES
        .iter()
        .map(|docs| docs.iter().map(|d| format!("{HEAD}{d}")).collect())
        .collect();
    let answers = oracle.ask(&json!(texts));
    oracle_support::assert_none_differ(&differences(&answers), answers.len());
}

#[test]
fn random_comps_are_read_and_merged_as_libcomps_does() {
    let Some(oracle) = oracle() else { return };
    let env = oracle_support::env_num;
    let request = match std::env::var("COMPS_CASES") {
        Ok(f) => serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap(),
        Err(_) => json!({"seed": env("COMPS_SEED", 20261207), "count": env("COMPS_COUNT", 300)}),
    };
    let answers = oracle.ask(&request);
    let refused = answers.iter().filter(|a| a["error"].is_string()).count();
    eprintln!("{} cases, {refused} refused by libcomps", answers.len());
    oracle_support::assert_none_differ(&differences(&answers), answers.len());
}

/// The edges of the XML (`scripts/libcomps-oracle.py`'s `edge_case`):
/// entities and character references, CDATA, declared encodings, a BOM,
/// attributes written oddly, elements nested where libcomps does not look;
/// `COMPS_EDGE_SEED`, `COMPS_EDGE_COUNT` (default 400). A document libcomps
/// crashes on must be refused here.
#[test]
fn edge_comps_are_read_as_libcomps_reads_them() {
    let Some(oracle) = oracle() else { return };
    let env = oracle_support::env_num;
    let request = json!({"seed": env("COMPS_EDGE_SEED", 20261208),
                         "count": env("COMPS_EDGE_COUNT", 400), "edges": true});
    let answers = oracle.ask(&request);
    let refused = answers.iter().filter(|a| a["error"].is_string()).count();
    eprintln!(
        "{} edge cases, {refused} refused by libcomps",
        answers.len()
    );
    oracle_support::assert_none_differ(&differences(&answers), answers.len());
}

/// comps in other encodings (`scripts/libcomps-oracle.py`'s
/// `encoded_case`): UTF-8, UTF-16 and UTF-32 in either byte order, Latin-1
/// and windows-1252, each with its own byte order mark, none or another's,
/// an XML declaration naming its encoding, another or none, now and then a
/// byte cut off or added; read by libcomps from a file (`fromxml_f`, as dnf
/// reads a repo's comps). `COMPS_ENCODING_SEED`, `COMPS_ENCODING_COUNT`
/// (default 300).
#[test]
fn encoded_comps_are_read_as_libcomps_reads_them() {
    let Some(oracle) = oracle() else { return };
    let env = oracle_support::env_num;
    let request = json!({"seed": env("COMPS_ENCODING_SEED", 20261208),
                         "count": env("COMPS_ENCODING_COUNT", 300), "encodings": true});
    let answers = oracle.ask(&request);
    let mut bad = Vec::new();
    for a in &answers {
        let hexed = a["hex"].as_str().unwrap();
        let bytes: Vec<u8> = (0..hexed.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hexed[i..i + 2], 16).unwrap())
            .collect();
        if let Some(p) = difference(&read_bytes(&[&bytes]), a) {
            bad.push(format!("{hexed}\n  {p}"));
        }
    }
    let refused = answers.iter().filter(|a| a["error"].is_string()).count();
    eprintln!(
        "{} encoded documents, {refused} refused by libcomps",
        answers.len()
    );
    oracle_support::assert_none_differ(&bad, answers.len());
}
