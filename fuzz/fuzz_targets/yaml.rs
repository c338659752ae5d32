//! The content-resolver YAML reader never panics, loops or takes unbounded
//! memory (anchors, aliases and `<<` merge keys included), and the config
//! loader reports each bad document in one line. The input is also cut at
//! NUL bytes into up to four documents `d0.yaml`..`d3.yaml` of one configs
//! directory, so the checks between documents (a view's repository and
//! labels, ...) are fed too.
#![no_main]
use buildroot_core::content_resolver::{load_dir, yaml::Value};
use libfuzzer_sys::fuzz_target;

const PARTS: usize = 4;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(v) = Value::parse(s, "fuzz") {
            let _ = v.py_str();
        }
    }
    let dir = std::env::temp_dir().join(format!("fuzz-yaml-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let parts: Vec<&[u8]> = data.split(|b| *b == 0).take(PARTS).collect();
    for i in 0..PARTS {
        let path = dir.join(format!("d{i}.yaml"));
        match parts.get(i) {
            Some(p) => {
                if std::fs::write(&path, p).is_err() {
                    return;
                }
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    if let Ok(loaded) = load_dir(&dir) {
        for b in &loaded.bad {
            let line = b.to_string();
            assert!(
                !line.contains('\n'),
                "an error of more than one line: {line:?}"
            );
        }
    }
});
