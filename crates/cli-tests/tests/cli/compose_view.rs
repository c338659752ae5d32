//! compose-view's command line: --check over good and bad config sets (one
//! line per bad file, exit 2), the lists it prints and writes for the
//! fixture config set, usage errors, and today's content-resolver-input
//! configs when a checkout is given (`CONTENT_RESOLVER_INPUT=DIR`, the
//! repository root holding `configs/`; skipped when unset).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cli_tests::{cmd, dir_names, expect_error, root, snapshot, SmallDisk, TestContext, Tool};
use predicates::prelude::*;

fn cv() -> Command {
    cmd(Tool::ComposeView)
}

/// `compose-view --check --configs DIR`, which must exit 2: its stderr.
fn check_refused(dir: &std::path::Path) -> String {
    let out = cv()
        .arg("--check")
        .arg("--configs")
        .arg(dir)
        .assert()
        .code(2);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

/// compose-view on the fixture config set, offline.
fn fixture() -> Command {
    let mut c = cv();
    c.args([
        "--configs",
        "testdata/content-resolver",
        "--repo-override",
        "fixture=testdata/repos/$basearch",
        "--repo-override",
        "extras=testdata/repos/extras/$basearch",
    ]);
    c
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const WORKLOAD: &str = "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  description: d\n  maintainer: m\n  labels: [x]\n  packages: [bash]\n";

#[test]
fn check_accepts_the_fixture_and_every_scenario() {
    fixture()
        .arg("--check")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "11 files load (1 repository, 1 environment, 5 workloads, 1 label, 2 views, 1 \
             unwanted list, 0 buildroots, 0 relations documents)",
        ));
    for e in std::fs::read_dir(root().join("conformance/compose-view")).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.ends_with("expected") {
            cv().arg("--check")
                .arg("--configs")
                .arg(&p)
                .arg("-q")
                .assert()
                .success();
        }
    }
}

#[test]
fn check_reports_each_bad_file_on_one_line() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "good.yaml", WORKLOAD);
    write(
        d,
        "unknown-key.yaml",
        &format!("{WORKLOAD}  experimental: {{buildroot: true}}\n"),
    );
    write(
        d,
        "no-labels.yaml",
        &WORKLOAD.replace("  labels: [x]\n", ""),
    );
    write(
        d,
        "repo-v1.yaml",
        "document: feedback-pipeline-repository\nversion: 1\ndata: {name: R}\n",
    );
    write(d, "not-yaml.yaml", "data: [unclosed\n");
    write(
        d,
        "kind.yaml",
        "document: feedback-pipeline-whatever\nversion: 1\ndata: {}\n",
    );
    write(
        d,
        "env.yaml",
        "document: feedback-pipeline-environment\nversion: 1\ndata:\n  name: E\n  description: d\n  maintainer: m\n  repositories: [repository-missing]\n  packages: [bash]\n  labels: [x]\n",
    );
    write(d, "notes.txt", "not a config: ignored\n");
    let out = cv()
        .arg("--check")
        .arg("--configs")
        .arg(d)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    let has = |file: &str, what: &str| {
        lines
            .iter()
            .any(|l| l.contains(&format!("{file}: ")) && l.contains(what))
    };
    assert!(
        has("unknown-key.yaml", "Unknown key 'experimental'"),
        "{err}"
    );
    assert!(has("no-labels.yaml", "'labels' is missing"), "{err}");
    assert!(has("repo-v1.yaml", "version 1 is not supported"), "{err}");
    assert!(has("not-yaml.yaml", "not valid YAML"), "{err}");
    assert!(has("kind.yaml", "unknown document type"), "{err}");
    assert!(has("env.yaml", "repository-missing"), "{err}");
    assert!(!err.contains("good.yaml"), "{err}");
    assert!(err.contains("6 of 7 files would not load"), "{err}");
    // A computation refuses bad configs the same way.
    cv().arg("--configs")
        .arg(d)
        .args(["--view", "v"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown-key.yaml: "));
}

/// The fixture config set in `dir`, `fixture-python.yaml` (the workload with
/// package placeholders) changed by replacing each `(from, to)` once.
fn fixture_configs_with(dir: &Path, edits: &[(&str, &str)]) {
    fixture_config_changed(dir, "fixture-python.yaml", edits);
}

/// The fixture config set in `dir`, its `file` changed by replacing each
/// `(from, to)` once.
fn fixture_config_changed(dir: &Path, file: &str, edits: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(root().join("testdata/content-resolver")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.join(file);
    let mut text = std::fs::read_to_string(&file).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(&file, text).unwrap();
}

/// Replacements in a config file: each `(from, to)` once.
type Edits<'a> = &'a [(&'a str, &'a str)];

#[test]
fn check_rejects_placeholders_content_resolvers_loader_fails_on() {
    // Each case makes content-resolver's ConfigManager raise (a TypeError:
    // a list as a dict key or set member, a loop over None), so the file is
    // bad; compose-view used to load it and print names like "['newlib', 'other']".
    let t = tempfile::tempdir().unwrap();
    let srpm_limit = "    limit_arches:\n    - aarch64\n    - x86_64\n";
    let rpm_limit = "      limit_arches:\n      - x86_64\n";
    let rpms_start = "    rpms:\n    - rpm_name: newlib\n";
    let bad: [(&str, Edits, &str); 7] = [
        (
            "srpm-name-list",
            &[(
                "  - srpm_name: newlib\n",
                "  - srpm_name: [newlib, other]\n",
            )],
            "placeholder srpm_name is a list, not a name (content-resolver's loader fails on it)",
        ),
        (
            "rpm-name-list",
            &[(
                "    - rpm_name: newlib-x86\n",
                "    - rpm_name: [newlib-x86]\n",
            )],
            "placeholder rpm_name is a list, not a name",
        ),
        (
            "rpms-null",
            &[(
                rpms_start,
                "    rpms: null\n    rpms_was:\n    - rpm_name: newlib\n",
            )],
            "placeholder rpms is null, not a list",
        ),
        (
            "srpm-limit-nested",
            &[(
                srpm_limit,
                "    limit_arches:\n    - [aarch64]\n    - x86_64\n",
            )],
            "placeholder limit_arches item is a list, not a name",
        ),
        (
            "rpm-limit-nested",
            &[
                (srpm_limit, ""),
                (rpm_limit, "      limit_arches:\n      - [x86_64]\n"),
            ],
            "placeholder limit_arches item is a list, not a name",
        ),
        (
            "rpm-limit-null",
            &[(srpm_limit, ""), (rpm_limit, "      limit_arches: null\n")],
            "placeholder rpm limit_arches is null, not a list",
        ),
        (
            "rpm-limit-false",
            &[(srpm_limit, ""), (rpm_limit, "      limit_arches: false\n")],
            "placeholder rpm limit_arches is a boolean, not a list",
        ),
    ];
    for (case, edits, problem) in bad {
        let dir = t.path().join(case);
        fixture_configs_with(&dir, edits);
        let err = check_refused(&dir);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "compose-view: {}: {problem}",
                dir.join("fixture-python.yaml").display()
            )),
            "{case}: {err}"
        );
        assert!(
            err.contains("1 of 11 files would not load"),
            "{case}: {err}"
        );
    }
    // What content-resolver's loader takes: an empty string or map as rpms
    // (a loop without a step), a null or false RPM limit_arches when the
    // SRPM has some (the SRPM's are used), an empty map as its own (a set
    // updated with nothing), an empty list as a name (skipped).
    let good: [(&str, Edits); 5] = [
        (
            "rpms-empty",
            &[(
                rpms_start,
                "    rpms: ''\n    rpms_was:\n    - rpm_name: newlib\n",
            )],
        ),
        (
            "rpm-limit-null-srpm-limited",
            &[(rpm_limit, "      limit_arches: null\n")],
        ),
        (
            "rpm-name-empty-list",
            &[("    - rpm_name: newlib-x86\n", "    - rpm_name: []\n")],
        ),
        (
            "rpm-limit-false-srpm-limited",
            &[(rpm_limit, "      limit_arches: false\n")],
        ),
        (
            "rpm-limit-empty-map",
            &[(srpm_limit, ""), (rpm_limit, "      limit_arches: {}\n")],
        ),
    ];
    for (case, edits) in good {
        let dir = t.path().join(case);
        fixture_configs_with(&dir, edits);
        let out = cv()
            .arg("--check")
            .arg("--configs")
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{case}: {out:?}");
    }
}

#[test]
fn check_reads_yaml_tags_and_documents_as_safe_load_does() {
    // PyYAML's safe_load raises on a tag it has no constructor for, and on a
    // second document; content-resolver then drops the file as unreadable.
    let t = tempfile::tempdir().unwrap();
    let name = "  name: Web tools\n";
    let bad = [
        (
            "custom-tag",
            name,
            "  name: !custom x\n",
            "not valid YAML: line 5: tag !custom is unknown to PyYAML's safe_load",
        ),
        (
            "python-tag",
            name,
            "  name: !!python/object:os.system x\n",
            "not valid YAML: line 5: tag !!python/object:os.system is unknown to PyYAML's \
             safe_load",
        ),
    ];
    for (case, from, to, problem) in bad {
        let dir = t.path().join(case);
        fixture_config_changed(&dir, "fixture-web.yaml", &[(from, to)]);
        let err = check_refused(&dir);
        assert_eq!(
            err.lines().next().unwrap_or_default(),
            format!(
                "compose-view: {}: {problem}",
                dir.join("fixture-web.yaml").display()
            ),
            "{case}"
        );
    }
    // A second document: named by its line, not by a Rust function.
    let dir = t.path().join("two-documents");
    fixture_config_changed(&dir, "fixture-web.yaml", &[]);
    let file = dir.join("fixture-web.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    let lines = text.lines().count();
    text.push_str("---\ndocument: x\n");
    std::fs::write(&file, text).unwrap();
    let err = check_refused(&dir);
    assert_eq!(
        err.lines().next().unwrap_or_default(),
        format!(
            "compose-view: {}: not valid YAML: more than one YAML document (a second one at \
             line {})",
            file.display(),
            lines + 2
        )
    );
    assert!(!err.contains("from_str"), "{err}");
    // The tags safe_load constructs load, with their values.
    let dir = t.path().join("standard-tags");
    fixture_config_changed(
        &dir,
        "fixture-web.yaml",
        &[(name, "  name: !!str Web tools\n")],
    );
    cv().arg("--check")
        .arg("--configs")
        .arg(&dir)
        .assert()
        .success();
}

#[test]
fn an_extra_label_nothing_has_is_warned_about() {
    // A typo in step 10's label would make the new compose the old one.
    let out = fixture()
        .args(["--view", "view-fixture", "--arch", "x86_64"])
        .args(["--extra-label", "nosuchlabel", "--extra-label", "fixture"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("--extra-label"))
        .collect();
    assert_eq!(
        warnings,
        [
            "compose-view: warning: --extra-label nosuchlabel: no workload or unwanted list has \
          that label, so it changes nothing"
        ]
    );
    let quiet = fixture()
        .args(["--view", "view-fixture", "--arch", "x86_64", "-q"])
        .args(["--extra-label", "nosuchlabel"])
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stderr.is_empty());
    assert_eq!(quiet.stdout, out.stdout, "the label changes nothing");
}

#[test]
fn check_json_lists_bad_files() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "w.yaml",
        &WORKLOAD.replace("labels: [x]", "labels: x"),
    );
    write(
        t.path(),
        "bad.yaml",
        "document: feedback-pipeline-label\nversion: 1\n",
    );
    let out = cv()
        .arg("--check")
        .arg("--json")
        .arg("--configs")
        .arg(t.path())
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["files"], 2);
    assert_eq!(v["bad"].as_array().unwrap().len(), 1);
    assert!(v["bad"][0]["file"].as_str().unwrap().ends_with("bad.yaml"));
    // A string where a list belongs: content-resolver takes its characters.
    assert!(v["warnings"][0]
        .as_str()
        .unwrap()
        .contains("'labels' is a string"));
}

#[test]
fn prints_the_fixture_view() {
    let out = fixture()
        .args(["--view", "view-fixture", "--arch", "x86_64", "-q"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let names = String::from_utf8(out).unwrap();
    let names: Vec<&str> = names.lines().collect();
    for n in [
        "bash",
        "zsh",
        "figlet",
        "newlib",
        "newlib-x86",
        "compat-32",
        "nasm",
        "webfetch",
    ] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    // The strict workload failed; the excluded and missing names are not there.
    for n in ["perl", "figlet-bad-fonts", "does-not-exist", "lynx", "mawk"] {
        assert!(!names.contains(&n), "{n} present: {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);

    fixture()
        .args(["--view", "view-fixture", "--print", "source-nvrs", "-q"])
        .assert()
        .success()
        .stdout(predicate::str::contains("hello-2.12.1-1.eln150\n"))
        .stdout(predicate::str::contains("newlib-000-placeholder\n"));
    fixture()
        .args(["--view", "view-fixture", "--print", "unwanted", "-q"])
        .assert()
        .success()
        .stdout("compat-32\ncurl-minimal\nzlib-devel\n");
}

#[test]
fn warnings_and_failures_go_to_stderr() {
    fixture()
        .args(["--view", "view-fixture", "--arch", "aarch64"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "aarch64: workload fixture-strict (on base-fixture) failed: not available: not-packaged-yet",
        ))
        .stderr(predicate::str::contains(
            "no match for group package \"lynx\"",
        ));
    fixture()
        .args(["--view", "view-fixture", "--arch", "aarch64", "-q"])
        .assert()
        .success()
        .stderr("");
}

/// The fixture's x86_64 repo with `comps` for its comps (the repomd.xml's
/// group records replaced): a repo directory for `--repo-override`.
fn fixture_repo_with_comps(dir: &Path, comps: &[u8]) {
    use buildroot_core::rpmmd::sha256_hex;
    let repodata = dir.join("x86_64/repodata");
    std::fs::create_dir_all(&repodata).unwrap();
    let from = root().join("testdata/repos/x86_64/repodata");
    let repomd = std::fs::read_to_string(from.join("repomd.xml")).unwrap();
    // primary, filelists and other as they are; the group records after them.
    let kept = &repomd[..repomd.find("  <data type=\"group\">").unwrap()];
    for e in std::fs::read_dir(&from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if kept.contains(&format!("repodata/{name}")) {
            std::fs::copy(&p, repodata.join(&name)).unwrap();
        }
    }
    let sum = sha256_hex(comps);
    std::fs::write(repodata.join(format!("{sum}-comps.xml")), comps).unwrap();
    write(
        &repodata,
        "repomd.xml",
        &format!(
            "{kept}  <data type=\"group\">\n    <checksum type=\"sha256\">{sum}</checksum>\n    \
             <location href=\"repodata/{sum}-comps.xml\"/>\n    <size>{}</size>\n  </data>\n\
             </repomd>\n",
            comps.len()
        ),
    );
}

/// A group package that matches nothing is dnf's warning, `No match for
/// group package "NAME"`, in an environment too (it was silent there: the
/// environment and every workload on it lost the package without a word),
/// with the name quoted (libcomps keeps the blanks before a `<packagereq>`
/// name on a line of its own: dnf then finds no such package, and says so
/// with the blanks in its quotes) and `.ARCH` for a `basearchonly` one.
#[test]
fn group_packages_that_match_nothing_are_said_as_dnf_says_them() {
    let t = tempfile::tempdir().unwrap();
    let comps = r#"<?xml version="1.0" encoding="UTF-8"?>
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <packagelist>
      <packagereq type="mandatory">
        bash
      </packagereq>
      <packagereq type="mandatory">coreutils</packagereq>
      <packagereq type="default" basearchonly="true">no-such-package</packagereq>
    </packagelist>
  </group>
  <group>
    <id>web-tools</id>
    <name>Web Tools</name>
    <packagelist>
      <packagereq type="mandatory">webfetch</packagereq>
      <packagereq type="default">
        curl-minimal
      </packagereq>
    </packagelist>
  </group>
</comps>
"#;
    fixture_repo_with_comps(t.path(), comps.as_bytes());
    let run = || {
        let mut c = cv();
        c.args(["--configs", "testdata/content-resolver", "--repo-override"])
            .arg(format!("fixture={}/$basearch", t.path().display()))
            .args([
                "--repo-override",
                "extras=testdata/repos/extras/$basearch",
                "--view",
                "view-fixture",
                "--arch",
                "x86_64",
            ]);
        c
    };
    let out = run().assert().success().get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let blanks = " (blanks kept from the repo's comps, as libcomps keeps them: a <packagereq> \
                  name on a line of its own)";
    for line in [
        format!(
            "x86_64: environment base-fixture: no match for group package \"        bash\"{blanks}"
        ),
        "x86_64: environment base-fixture: no match for group package \"no-such-package.x86_64\""
            .to_string(),
        format!(
            "x86_64: workload fixture-web (on base-fixture): no match for group package \"        \
             curl-minimal\"{blanks}"
        ),
    ] {
        assert!(
            stderr.lines().any(|l| l.ends_with(&line)),
            "{line}\n{stderr}"
        );
    }
    let json = run()
        .arg("--json")
        .arg("-q")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let env = &v["arches"][0]["environments"][0];
    assert_eq!(env["id"], "base-fixture");
    assert_eq!(env["warnings"].as_array().unwrap().len(), 2, "{env}");
    // dnf installs what is left: coreutils, never bash by that name.
    let binaries = v["arches"][0]["binaries"].to_string();
    assert!(binaries.contains("\"coreutils\""), "{binaries}");
}

/// A repo's comps in UTF-32, which libcomps refuses (expat reads UTF-8 and
/// UTF-16 only): one line naming the file and the encoding, exit 2, no
/// output directory written.
#[test]
fn utf32_comps_are_refused_with_one_line() {
    let t = tempfile::tempdir().unwrap();
    let text = "<?xml version=\"1.0\" encoding=\"UTF-32\"?>\n<comps><group><id>core</id>\
                <name>Core</name></group></comps>\n";
    let utf32: Vec<u8> = [0xff, 0xfe, 0, 0]
        .into_iter()
        .chain(text.chars().flat_map(|c| u32::from(c).to_le_bytes()))
        .collect();
    fixture_repo_with_comps(t.path(), &utf32);
    let out_dir = t.path().join("out");
    let out = cv()
        .args(["--configs", "testdata/content-resolver", "--repo-override"])
        .arg(format!("fixture={}/$basearch", t.path().display()))
        .args(["--repo-override", "extras=testdata/repos/extras/$basearch"])
        .args([
            "--view",
            "view-fixture",
            "--arch",
            "x86_64",
            "-q",
            "--output-dir",
        ])
        .arg(&out_dir)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("-comps.xml: malformed XML: a UTF-32 document"),
        "{stderr}"
    );
    assert!(!out_dir.exists());
}

/// `--output-dir` is one set, swapped in whole (audit D5): a run for fewer
/// arches leaves no list of the others and no union; a directory holding
/// other files is refused; a full disk leaves the earlier output as it was,
/// and no staging directory beside it.
#[test]
fn output_dir_is_replaced_whole() {
    let t = TestContext::new();
    let run = |od: &Path, arches: &[&str]| {
        let mut c = fixture();
        c.args(["--view", "view-fixture", "-q", "--output-dir"])
            .arg(od);
        for a in arches {
            c.args(["--arch", a]);
        }
        c
    };
    let od = t.join("od");
    run(&od, &[]).assert().success();
    assert!(dir_names(&od).contains(&"view-binary-package-name-list--view-fixture.txt".into()));
    run(&od, &["x86_64"]).assert().success();
    let after = dir_names(&od);
    assert_eq!(after.len(), 7, "{after:?}");
    assert!(
        after.iter().all(|n| n.contains("--view-fixture--x86_64.")),
        "{after:?}"
    );
    assert_eq!(
        dir_names(t.path()),
        ["od"],
        "staging left beside the output"
    );

    std::fs::write(od.join("notes.txt"), "mine").unwrap();
    assert_eq!(
        expect_error(&t, run(&od, &[]), ""),
        "compose-view: [TMP]/od: --output-dir holds notes.txt, which compose-view does not write; it would be replaced whole: name a new or empty directory, or an earlier output of compose-view"
    );

    // 16 pages: the x86_64 lists fit, all of them beside those do not.
    let Some(disk) = SmallDisk::mount(&t.join("small"), "64k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    // The mount point itself cannot be swapped: refused before the work.
    assert_eq!(
        expect_error(&t, run(disk.path(), &[]), ""),
        "compose-view: [TMP]/small: --output-dir is a mount point, and an output directory is replaced whole (a mount point cannot be renamed): name a directory inside it"
    );
    let small = disk.path().join("cv");
    run(&small, &["x86_64"]).assert().success();
    let before = snapshot(&small);
    let out = run(&small, &[]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(snapshot(&small) == before, "the earlier output changed");
    assert_eq!(
        dir_names(disk.path()),
        ["cv"],
        "staging left beside the output"
    );
}

/// content-resolver keeps every view's lists side by side: computing one
/// view into the directory keeps the others' lists as they were (review:
/// the swap deleted them).
#[test]
fn output_dir_keeps_other_views_lists() {
    let t = TestContext::new();
    let od = t.join("od");
    let run = |view: &str, arches: &[&str]| {
        let mut c = fixture();
        c.args(["--view", view, "-q", "--output-dir"]).arg(&od);
        for a in arches {
            c.args(["--arch", a]);
        }
        c.assert().success();
    };
    let of = |view: &str| -> Vec<String> {
        let tail = format!("--{view}");
        dir_names(&od)
            .into_iter()
            .filter(|n| n.contains(&format!("{tail}--")) || n.ends_with(&format!("{tail}.txt")))
            .collect()
    };
    run("view-fixture", &[]);
    let fixture_lists = snapshot(&od);
    run("view-fixture-extras", &[]);
    assert!(!of("view-fixture-extras").is_empty());
    let kept: Vec<_> = snapshot(&od)
        .into_iter()
        .filter(|(p, _)| fixture_lists.contains_key(p))
        .collect();
    assert_eq!(
        kept.len(),
        fixture_lists.len(),
        "view-fixture's lists are kept"
    );
    assert!(kept.iter().all(|(p, b)| fixture_lists[p] == *b));
    // Recomputing one view for fewer arches drops that view's other lists
    // only.
    let extras = of("view-fixture-extras");
    run("view-fixture", &["x86_64"]);
    assert!(of("view-fixture")
        .iter()
        .all(|n| n.contains("--view-fixture--x86_64.")));
    assert_eq!(of("view-fixture-extras"), extras);
}

#[test]
fn output_dir_holds_content_resolvers_files() {
    let t = tempfile::tempdir().unwrap();
    fixture()
        .args(["--view", "view-fixture", "-q", "--output-dir"])
        .arg(t.path())
        .assert()
        .success();
    let read = |n: &str| std::fs::read_to_string(t.path().join(n)).unwrap();
    let names = read("view-binary-package-name-list--view-fixture--aarch64.txt");
    assert!(
        !names.ends_with('\n'),
        "content-resolver writes no final newline"
    );
    assert!(names.starts_with("bash\ncoreutils\n"), "{names}");
    let ids = read("view-binary-package-list--view-fixture--x86_64.txt");
    assert!(
        ids.contains("newlib-000-placeholder.placeholder\n"),
        "{ids}"
    );
    assert!(ids.contains("fedora-release-eln-42-0.1.noarch\n"), "{ids}");
    let srpms = read("view-source-package-list--view-fixture--x86_64.txt");
    assert!(srpms.contains("newlib-000-placeholder\n"), "{srpms}");
    let all = read("view-source-package-name-list--view-fixture.txt");
    assert!(all.contains("zlib"), "{all}");
    let nevrs = read("view-binary-package-nevr-list--view-fixture--x86_64.txt");
    assert!(nevrs.contains("zsh-5.9-1.eln150"), "{nevrs}");
    assert_eq!(
        read("view-unwanted-package-name-list--view-fixture--aarch64.txt"),
        "curl-minimal\nzlib-devel"
    );
    let details: serde_json::Value = serde_json::from_str(&read(
        "view-placeholder-srpm-details--view-fixture--x86_64.json",
    ))
    .unwrap();
    assert_eq!(
        details["newlib"]["build_requires"],
        serde_json::json!(["gcc", "zlib-devel"])
    );
}

/// `--view fixture` means `view-fixture` when no config has the id
/// `fixture`, as fetch-compose takes `eln` for `view-eln`.
#[test]
fn view_without_its_prefix() {
    let short = fixture()
        .args(["--view", "fixture", "-q"])
        .assert()
        .success();
    let full = fixture()
        .args(["--view", "view-fixture", "-q"])
        .assert()
        .success();
    assert_eq!(short.get_output().stdout, full.get_output().stdout);
    assert!(!short.get_output().stdout.is_empty());
    let ctx = TestContext::new();
    let mut c = fixture();
    c.args(["--view", "nope"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: --view nope: no such view (views: view-fixture, view-fixture-extras)"
    );
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let ctx = TestContext::new();
    let mut c = fixture();
    c.args(["--view", "view-nope"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: --view view-nope: no such view (views: view-fixture, view-fixture-extras)"
    );
    let mut c = fixture();
    c.args(["--view", "view-fixture", "--arch", "s390x"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: --arch s390x: view view-fixture is computed on aarch64, x86_64 only"
    );
    // A name that is no arch at all is said to be unknown, as the other
    // tools' --arch says it, not as an arch the view does not compute.
    for arch in ["foo", "x86-64", "noarch"] {
        let mut c = fixture();
        c.args(["--view", "view-fixture", "--arch", arch]);
        assert_eq!(
            expect_error(&ctx, c, ""),
            format!(
                "compose-view: --arch {arch}: unknown architecture; view view-fixture is \
                 computed on aarch64, x86_64"
            )
        );
    }
    let mut c = cv();
    c.args([
        "--configs",
        "testdata/content-resolver",
        "--view",
        "view-fixture",
    ])
    .args(["--repo-override", "nosuch=/tmp"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: --repo-override nosuch=...: no repository document has a repo 'nosuch'"
    );
    // --json holds every list of each arch: a --print beside it chose
    // nothing and was dropped without a word.
    let mut c = fixture();
    c.args(["--view", "view-fixture", "--json", "--print", "source-nvrs"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: --print source-nvrs is not read with --json, whose document holds every \
         list of each arch (jq '.arches[].source_nvrs' picks this one): give one of the two"
    );
    // --check computes no view: an output asked for beside it is refused,
    // not dropped without a word.
    for option in [&["--print", "sources"][..], &["--output-dir", "out"][..]] {
        let mut c = fixture();
        c.arg("--check").args(option);
        let line = expect_error(&ctx, c, "");
        assert!(
            line.starts_with("compose-view: the argument '--check' cannot be used with"),
            "{line}"
        );
    }
    let mut c = cv();
    c.args(["--configs", "/nonexistent/dir", "--check"]);
    assert_eq!(
        expect_error(&ctx, c, ""),
        "compose-view: /nonexistent/dir: No such file or directory"
    );
    // A repo that cannot be read: one line naming it.
    let t = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("testdata/content-resolver")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("https://fixture.example/compose/", "/nonexistent/repos/");
        std::fs::write(t.path().join(p.file_name().unwrap()), text).unwrap();
    }
    let out = cv()
        .arg("--configs")
        .arg(t.path())
        .args(["--view", "view-fixture", "--arch", "x86_64"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/repos/"), "{err}");
}

#[test]
fn help_has_examples() {
    cv().arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--repo-override"));
}

#[test]
fn content_resolver_input_loads() {
    let Some(dir) = std::env::var_os("CONTENT_RESOLVER_INPUT") else {
        eprintln!(
            "skipped: set CONTENT_RESOLVER_INPUT to a minimization/content-resolver-input checkout"
        );
        return;
    };
    let configs = PathBuf::from(dir).join("configs");
    cv().arg("--check")
        .arg("--configs")
        .arg(&configs)
        .assert()
        .success()
        .stderr(predicate::str::contains("files load"));
}

/// Over HTTP, with groups wanted (the fixture's environment names one):
/// the same lists as from the directories, and each repo's repomd.xml
/// asked once in the run, the comps taken from the repomd.xml the
/// packages come from (it was asked twice: the pool's load, then the
/// comps').
#[test]
fn over_http_each_repomd_is_read_once() {
    use cli_tests::http_support::Server;
    let server = Server::start(root().join("testdata/repos"));
    let cache = tempfile::tempdir().unwrap();
    let local = fixture()
        .args(["--view", "view-fixture", "--json", "-q"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = cv()
        .args(["--configs", "testdata/content-resolver", "--repo-override"])
        .arg(format!("fixture={}/$basearch", server.base))
        .arg("--repo-override")
        .arg(format!("extras={}/extras/$basearch", server.base))
        .arg("--cache-dir")
        .arg(cache.path())
        .args(["--view", "view-fixture", "--json", "-q"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        String::from_utf8(local).unwrap()
    );
    let mut asked: Vec<String> = server
        .requests_for("repodata/repomd.xml")
        .into_iter()
        .map(|r| r.path)
        .collect();
    asked.sort();
    let once = {
        let mut o = asked.clone();
        o.dedup();
        o
    };
    assert!(asked.len() >= 4, "{asked:?}");
    assert_eq!(asked, once, "a repomd.xml asked more than once");
    assert!(!server.requests_for("-comps.xml.gz").is_empty());
}
