//! The oracles of the library tests: the Python ones (PyYAML, dnf's and
//! libcomps' own readers, given text on stdin and answering with JSON on
//! stdout: a script under `scripts/`, or a one-line program), and
//! `rpmbuild -bs` for SRPMs as rpm makes them.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// A Python 3 that can import `modules` (e.g. `"yaml, jinja2"`): Debian's
/// (what CI installs the oracles for), else the one on PATH; a test
/// without one says "skipped" instead of failing.
pub fn python_with(modules: &str) -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", &format!("import {modules}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Runs `py` with `args`, `input` on its stdin; its stdout read as JSON.
/// `what` says what a failure means; Python's stderr follows it.
pub fn python_json(py: &str, args: &[&str], input: &str, what: &str) -> Value {
    let mut child = Command::new(py)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A Python oracle under `scripts/` and the Python 3 that can run it:
/// the prelude every oracle test shares ([`Oracle::find`], then
/// [`Oracle::ask`]).
pub struct Oracle {
    py: &'static str,
    script: String,
}

impl Oracle {
    /// `scripts/SCRIPT`, run by a Python that can import `module`; None
    /// when there is none, the test's one line saying it is skipped and
    /// which `package` to install.
    pub fn find(module: &str, package: &str, script: &str) -> Option<Oracle> {
        let Some(py) = python_with(module) else {
            eprintln!("skipped: no python3 can import {module} (install {package})");
            return None;
        };
        let script = format!("{}/../../scripts/{script}", env!("CARGO_MANIFEST_DIR"));
        Some(Oracle { py, script })
    }

    /// The oracle's answers to `cases`, one per case.
    pub fn ask(&self, cases: &Value) -> Vec<Value> {
        let answers = python_json(
            self.py,
            &[&self.script],
            &cases.to_string(),
            "the oracle failed",
        );
        serde_json::from_value(answers).unwrap()
    }
}

/// The number in environment variable `k` (a generated test's seed or
/// count, set by hand for a longer run), else `default`.
pub fn env_num(k: &str, default: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fails listing the cases in `bad` (each "input, ours, theirs") where our
/// answer and the oracle's differ, out of `total` cases.
pub fn assert_none_differ(bad: &[String], total: usize) {
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        total,
        bad.join("\n")
    );
}

/// An SRPM made by `rpmbuild -bs` in `top` from `spec` (plus the files of
/// `sources` in SOURCES), with `defines`; `None` without rpmbuild.
pub fn rpmbuild_srpm(
    top: &std::path::Path,
    spec: &[u8],
    sources: &[(&str, &[u8])],
    defines: &[&str],
) -> Option<std::path::PathBuf> {
    if Command::new("rpmbuild").arg("--version").output().is_err() {
        eprintln!("skipped: rpmbuild is not installed");
        return None;
    }
    for d in ["SPECS", "SOURCES", "SRPMS"] {
        std::fs::create_dir_all(top.join(d)).unwrap();
    }
    let spec_path = top.join("SPECS/t.spec");
    std::fs::write(&spec_path, spec).unwrap();
    for (name, data) in sources {
        std::fs::write(top.join("SOURCES").join(name), data).unwrap();
    }
    let mut cmd = Command::new("rpmbuild");
    cmd.arg("-bs")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()));
    for d in defines {
        cmd.arg("--define").arg(d);
    }
    let out = cmd.arg(&spec_path).output().unwrap();
    assert!(
        out.status.success(),
        "rpmbuild -bs: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let srpm = std::fs::read_dir(top.join("SRPMS"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    Some(srpm)
}
