//! Where the tools cache when they are given no `--cache-dir`: the tests'
//! own runs cache in a directory of the test's, not in the user's
//! `~/.cache/rpm-buildroot`.

use std::path::{Path, PathBuf};

use cli_tests::http_support::Server;
use cli_tests::{cache_home, cmd, root, Tool};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The user's cache directory, as the tools would choose it in this
/// environment, when it is `$XDG_CACHE_HOME`'s or an existing home's.
fn users_cache() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x).join("rpm-buildroot"));
    }
    let home = PathBuf::from(std::env::var_os("HOME")?);
    home.is_dir().then(|| home.join(".cache/rpm-buildroot"))
}

/// A test's run against a 127.0.0.1 server without `--cache-dir` caches in
/// the test's own cache home, not in the user's cache (where each run left
/// a `127.0.0.1_PORT_*` directory for good).
#[test]
fn a_tests_run_caches_in_the_tests_own_directory() {
    let server = Server::start(root().join("testdata/repos"));
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/');
    let prefix = format!("127.0.0.1_{port}_");
    cmd(Tool::Generator)
        .args(["--arch", "x86_64", "--repo"])
        .arg(format!("main={}/x86_64", server.base))
        .arg("--source-repo")
        .arg(format!("src={}/source", server.base))
        .write_stdin("hello\n")
        .assert()
        .success();
    let ours = names(&cache_home().join("rpm-buildroot"));
    assert_eq!(
        ours.iter().filter(|n| n.starts_with(&prefix)).count(),
        2,
        "{ours:?}"
    );
    if let Some(users) = users_cache().filter(|u| u.is_dir()) {
        let theirs = names(&users);
        assert!(!theirs.iter().any(|n| n.starts_with(&prefix)), "{theirs:?}");
    }
}
