//! The binaries the tests run are built from the sources as they are now:
//! each tool's binary is newer than every source file of its crate and of
//! buildroot-core, and than the buildroot-core library cargo built for it,
//! and cargo finds nothing left to build. (Not than Cargo.toml: an edit there that changes nothing for the
//! binary, such as a dev-dependency, rightly rebuilds nothing.) With tools
//! found beside the test's own binary (the old scheme),
//! `cargo test -p create-srpm-repos` after an edit to buildroot-core left
//! identify-archful-srpms older than that edit, and this test failed.

use std::path::Path;

use cli_tests::{build, newest_mtime, root, Tool};

fn mtime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_tool_is_newer_than_its_sources_and_the_library() {
    let b = build();
    let core = root().join("crates/buildroot-core");
    let (core_src, core_file) = newest_mtime(&core.join("src")).expect("buildroot-core sources");
    assert!(
        !b.core_library.is_empty(),
        "cargo reported no buildroot-core library"
    );
    // (Not the library's own files against the sources: rustc leaves an
    // output whose content did not change as it was, so after a `touch` the
    // .rmeta can be older than the source. A binary is always relinked.)
    let lib_time = b.core_library.iter().map(|l| mtime(l)).max().unwrap();
    for t in Tool::ALL {
        let exe = &b.binaries[t.name()];
        let built = mtime(exe);
        let (own, own_file) = newest_mtime(&t.crate_dir().join("src")).expect("tool sources");
        for (src, file) in [(own, &own_file), (core_src, &core_file)] {
            assert!(
                built >= src,
                "{} is older than {}",
                exe.display(),
                file.display()
            );
        }
        assert!(
            built >= lib_time,
            "{} is older than the buildroot-core library cargo built",
            exe.display()
        );
    }
}

#[test]
fn cargo_has_nothing_left_to_build() {
    // Right after the support's build, cargo itself finds every binary up
    // to date: the tests run what the sources are now.
    build();
    let out = cli_tests::cargo_build_bins().output().unwrap();
    assert!(out.status.success());
    let stale: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["fresh"] != true)
        .map(|m| m["target"]["name"].to_string())
        .collect();
    assert!(stale.is_empty(), "cargo rebuilt {stale:?}");
}

#[test]
fn every_tool_package_is_known_to_the_support() {
    // A new tool crate (crates/NAME with src/main.rs) must be added to `Tool`.
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("src/main.rs").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = Tool::ALL.iter().map(|t| t.name().to_string()).collect();
    known.sort();
    assert_eq!(on_disk, known);
}

#[test]
fn the_binaries_are_the_workspace_build_and_not_copies() {
    // Every tool lives in the profile directory cargo builds into, and runs.
    let b = build();
    for t in Tool::ALL {
        let exe = &b.binaries[t.name()];
        assert_eq!(exe.file_name().unwrap(), t.name());
        let out = std::process::Command::new(exe)
            .arg("--version")
            .output()
            .unwrap();
        assert!(out.status.success(), "{} --version", t.name());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{} {}\n", t.name(), env!("CARGO_PKG_VERSION"))
        );
    }
}
