//! compose-view against dnf on every scenario of `conformance/compose-view/`
//! and on the fixture config set (`testdata/content-resolver`): every view,
//! both arches. Compared per view and arch: the binary package ids, the
//! source `name-V-R`s, the unwanted names, and which workloads (on which
//! environment) succeeded.
//!
//! `conformance/compose-view/expected/SCENARIO.json` holds dnf's answers:
//! compose-view must give them always; when /usr/bin/python3 can import dnf,
//! `scripts/dnf-compose-view.py` is asked too and must give them as well
//! (`COMPOSE_VIEW_BLESS=1` rewrites the files from dnf instead).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cli_tests::{bin, root, Tool};
use serde_json::{json, Value};

/// (name, configs dir) of every scenario.
fn scenarios() -> Vec<(String, PathBuf)> {
    let mut out = vec![(
        "fixture".to_string(),
        root().join("testdata/content-resolver"),
    )];
    let dir = root().join("conformance/compose-view");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("conformance/compose-view")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "expected"))
        .collect();
    dirs.sort();
    for d in dirs {
        out.push((d.file_name().unwrap().to_string_lossy().into_owned(), d));
    }
    out
}

/// The `--repo-override`s for the repo ids the configs in `dir` name
/// (`fixture`, `extras`, `weak`: the fixture repos).
fn overrides(dir: &Path) -> Vec<String> {
    let r = root().join("testdata/repos");
    let mut text = String::new();
    for e in std::fs::read_dir(dir).expect("configs dir") {
        text += &std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default();
    }
    [
        ("fixture", format!("{}/$basearch", r.display())),
        ("extras", format!("{}/extras/$basearch", r.display())),
        ("weak", format!("{}/weak/$basearch", r.display())),
    ]
    .into_iter()
    .filter(|(id, _)| text.contains(&format!(" {id}:\n")))
    .map(|(id, path)| format!("{id}={path}"))
    .collect()
}

/// The view ids of a configs directory (file ids of view documents).
fn views(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("configs dir") {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        if text.contains("document: feedback-pipeline-view")
            || text.contains("document: feedback-pipeline-compose-view")
        {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            out.push(name.split(".yaml").next().unwrap().to_string());
        }
    }
    out.sort();
    out
}

fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The compared summary of one arch.
fn summary(
    binary_ids: Vec<String>,
    source_nvrs: Vec<String>,
    unwanted: Vec<String>,
    workloads: &Value,
) -> Value {
    let mut wl: Vec<String> = workloads
        .as_array()
        .expect("workloads")
        .iter()
        .map(|w| {
            format!(
                "{} on {}: {}",
                w["id"].as_str().unwrap_or_default(),
                w["environment"].as_str().unwrap_or_default(),
                if w["succeeded"].as_bool() == Some(true) {
                    "ok"
                } else {
                    "failed"
                }
            )
        })
        .collect();
    wl.sort();
    json!({"binary_ids": binary_ids, "source_nvrs": source_nvrs, "unwanted": unwanted, "workloads": wl})
}

fn ours(dir: &Path, view: &str) -> BTreeMap<String, Value> {
    let mut cmd = Command::new(bin(Tool::ComposeView));
    cmd.env("XDG_CACHE_HOME", cli_tests::cache_home());
    cmd.arg("--configs")
        .arg(dir)
        .args(["--view", view, "--json", "-q"]);
    for o in overrides(dir) {
        cmd.args(["--repo-override", &o]);
    }
    let out = cmd.output().expect("run compose-view");
    assert!(
        out.status.success(),
        "compose-view {view} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("compose-view JSON");
    v["arches"]
        .as_array()
        .expect("arches")
        .iter()
        .map(|a| {
            let mut unwanted: Vec<String> = a["unwanted"]
                .as_array()
                .expect("unwanted")
                .iter()
                .map(|u| u["name"].as_str().unwrap_or_default().to_string())
                .collect();
            unwanted.sort();
            unwanted.dedup();
            (
                a["arch"].as_str().unwrap().to_string(),
                summary(
                    sorted_strings(&a["binary_ids"]),
                    sorted_strings(&a["source_nvrs"]),
                    unwanted,
                    &a["workloads"],
                ),
            )
        })
        .collect()
}

fn dnf_available() -> bool {
    Command::new("/usr/bin/python3")
        .args(["-c", "import dnf, yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn dnf(dir: &Path, view: &str) -> BTreeMap<String, Value> {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(root().join("scripts/dnf-compose-view.py"))
        .arg("--configs")
        .arg(dir)
        .args(["--view", view])
        .env("PYTHONHASHSEED", "0");
    for o in overrides(dir) {
        cmd.args(["--repo-override", &o]);
    }
    let out = cmd.output().expect("run dnf-compose-view.py");
    assert!(
        out.status.success(),
        "dnf-compose-view.py {view} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("oracle JSON");
    v["arches"]
        .as_object()
        .expect("arches")
        .iter()
        .map(|(arch, a)| {
            (
                arch.clone(),
                summary(
                    sorted_strings(&a["binary_ids"]),
                    sorted_strings(&a["source_nvrs"]),
                    sorted_strings(&a["unwanted"]),
                    &a["workloads"],
                ),
            )
        })
        .collect()
}

#[test]
fn compose_view_equals_dnf_on_every_scenario() {
    let with_dnf = dnf_available();
    if !with_dnf {
        eprintln!("dnf not available (/usr/bin/python3 with dnf and yaml): checking against the stored answers only");
    }
    let bless = std::env::var_os("COMPOSE_VIEW_BLESS").is_some();
    assert!(!bless || with_dnf, "COMPOSE_VIEW_BLESS needs dnf");
    let (mut checked, mut packages) = (0, 0);
    let mut bad = Vec::new();
    for (name, dir) in scenarios() {
        let expected_path = root().join(format!("conformance/compose-view/expected/{name}.json"));
        let mut expected: BTreeMap<String, BTreeMap<String, Value>> = if bless {
            BTreeMap::new()
        } else {
            let text = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
                panic!(
                    "{} (COMPOSE_VIEW_BLESS=1 writes it)",
                    expected_path.display()
                )
            });
            serde_json::from_str(&text).expect("expected JSON")
        };
        for view in views(&dir) {
            let mine = ours(&dir, &view);
            if with_dnf {
                let theirs = dnf(&dir, &view);
                if bless {
                    expected.insert(view.clone(), theirs.clone());
                }
                if mine != theirs {
                    bad.push(format!(
                        "{name} {view}: compose-view differs from dnf\n  ours {}\n  dnf  {}",
                        serde_json::to_string(&mine).unwrap(),
                        serde_json::to_string(&theirs).unwrap()
                    ));
                }
                if !bless && expected.get(&view) != Some(&theirs) {
                    bad.push(format!(
                        "{name} {view}: dnf differs from {}",
                        expected_path.display()
                    ));
                }
            }
            let want = expected.get(&view).cloned().unwrap_or_default();
            if mine != want {
                bad.push(format!(
                    "{name} {view}: compose-view differs from {}\n  ours {}\n  want {}",
                    expected_path.display(),
                    serde_json::to_string(&mine).unwrap(),
                    serde_json::to_string(&want).unwrap()
                ));
            }
            checked += mine.len();
            packages += mine
                .values()
                .map(|v| v["binary_ids"].as_array().map_or(0, Vec::len))
                .sum::<usize>();
        }
        if bless {
            std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
            std::fs::write(
                &expected_path,
                serde_json::to_string_pretty(&expected).unwrap() + "\n",
            )
            .unwrap();
        }
    }
    eprintln!(
        "compose-view conformance: {checked} view×arch results ({packages} packages){}, {} differ",
        if with_dnf { " asked of dnf too" } else { "" },
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
