//! The Python oracles of the library tests: dnf's and libcomps' own readers
//! driven by a script under `scripts/`, which takes the cases as JSON on
//! stdin and answers with one JSON value per case.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Whether the system's Python 3 can import `module` (the oracle's
/// library); a test without it says "skipped" instead of failing.
pub fn python_has(module: &str) -> bool {
    Command::new("/usr/bin/python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `scripts/SCRIPT` on `cases`; its answers, one per case. The
/// oracle's stderr is shown when it fails.
pub fn run_oracle(script: &str, cases: &Value) -> Vec<Value> {
    let script = format!("{}/../../scripts/{script}", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("/usr/bin/python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
