//! buildroot-generator over HTTP repositories whose server misbehaves
//! (tests/http_support in buildroot-core): a fault once gives the same
//! output as local repositories; a fault forever exits 2 with one line
//! naming the URL, within a bounded time, leaving no partial file behind.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use cli_tests::http_support::{Fault, Server};
use cli_tests::{cmd, root, Tool};

fn generator(repo: &str, source: &str, cache: &Path) -> Command {
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repo"])
        .arg(format!("main={repo}"))
        .arg("--source-repo")
        .arg(format!("src={source}"))
        .arg("--cache-dir")
        .arg(cache)
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05")
        .env("RPM_BUILDROOT_HTTP_TIMEOUT", "1")
        .write_stdin("hello\nwebfetch\n");
    c
}

/// The files under `dir` but the download locks (`.download-lock`, an
/// empty file each directory keeps: no download's bytes).
fn files_in(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in walkdir(dir)
        .into_iter()
        .filter(|p| !p.ends_with(".download-lock"))
    {
        out.push(e.strip_prefix(dir).unwrap().display().to_string());
    }
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walkdir(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn faults_once_give_the_same_buildroot() {
    let t = tempfile::tempdir().unwrap();
    let local = generator("testdata/repos/x86_64", "testdata/repos/source", t.path())
        .output()
        .unwrap();
    assert!(local.status.success());
    assert!(!local.stdout.is_empty());
    let server = Server::start(root().join("testdata/repos"));
    server.fault("x86_64/repodata/repomd.xml", Fault::Status(503), Some(1));
    server.fault("-primary.xml.gz", Fault::ResetMidBody, Some(2));
    server.fault(
        "-filelists.xml.gz",
        Fault::RetryAfter(429, "0".into()),
        Some(1),
    );
    let cache = t.path().join("cache");
    let out = generator(
        &format!("{}/x86_64", server.base),
        &format!("{}/source", server.base),
        &cache,
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, local.stdout);
    // Not a terminal: no progress or retry lines.
    assert_eq!(err, "", "{err}");
    // Each primary was reset once and resumed with a Range request.
    for repo in ["x86_64", "source"] {
        let reqs: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| {
                r.path.starts_with(&format!("/{repo}/")) && r.path.ends_with("-primary.xml.gz")
            })
            .collect();
        assert_eq!(reqs.len(), 2, "{reqs:?}");
        assert!(reqs[1].range.is_some(), "{reqs:?}");
    }
}

#[test]
fn a_fault_forever_exits_2_with_one_line() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    server.fault("-primary.xml.gz", Fault::ShortBody, None);
    let cache = t.path().join("cache");
    let start = Instant::now();
    let out = generator(
        &format!("{}/x86_64", server.base),
        &format!("{}/source", server.base),
        &cache,
    )
    .output()
    .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("-primary.xml.gz: the server closed the connection after "),
        "{err}"
    );
    assert!(err.contains("(gave up after 4 attempts)"), "{err}");
    let left = files_in(&cache);
    assert!(left.iter().all(|f| f.ends_with("repomd.xml")), "{left:?}");
}

#[test]
fn a_full_cache_disk_is_said_so_naming_the_directory() {
    // Our disk, not the server: one line naming the cache directory (and the
    // URL), at once, with nothing retried and no temp file left.
    let t = tempfile::tempdir().unwrap();
    let Some(disk) = cli_tests::SmallDisk::mount(&t.path().join("small"), "12k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let server = Server::start(root().join("testdata/repos"));
    let cache = disk.path().join("c");
    let out = generator(
        &format!("{}/x86_64", server.base),
        &format!("{}/source", server.base),
        &cache,
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let dir = buildroot_core::rpmmd::cache_dir_name(&format!("{}/x86_64", server.base));
    let want = format!(
        "buildroot-generator: {}/{dir}: cannot write {}/x86_64/repodata/",
        cache.display(),
        server.base
    );
    assert!(err.starts_with(&want), "{err}");
    assert!(err.trim_end().ends_with("No space left on device"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let primary = server.requests_for("-primary.xml.gz");
    let main = primary.iter().filter(|r| r.path.starts_with("/x86_64/"));
    assert_eq!(main.count(), 1, "{primary:?}");
    let left = files_in(&cache);
    assert!(left.iter().all(|f| f.ends_with("repomd.xml")), "{left:?}");
}

/// A pool load that fails after its repos opened, on a setting of the pool
/// cache (`RPM_BUILDROOT_POOL_CACHE` no number), while `main`'s primary.xml
/// is fetched early (`source`'s repomd.xml stalls once, 5 s, so `main`'s
/// fetch starts a second in, well before the load fails) and stalls: the fetch is stopped and waited
/// for before the one line is said, so no temp file is left in the cache
/// when the tool exits. It ran on, and its temp file stayed until a later
/// run's prune.
#[test]
fn a_pool_cache_setting_refused_leaves_no_early_fetch_behind() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    let primary = std::fs::read_dir(root().join("testdata/repos/x86_64/repodata"))
        .unwrap()
        .flatten()
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("-primary.xml.gz"))
        .unwrap();
    let main_primary = format!("/x86_64/repodata/{primary}");
    server.fault("source/repodata/repomd.xml", Fault::Stall, Some(1));
    server.fault(&main_primary, Fault::Stall, None);
    let cache = t.path().join("cache");
    let out = generator(
        &format!("{}/x86_64", server.base),
        &format!("{}/source", server.base),
        &cache,
    )
    .env("RPM_BUILDROOT_HTTP_TIMEOUT", "5")
    .env("RPM_BUILDROOT_POOL_CACHE", "lots")
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("RPM_BUILDROOT_POOL_CACHE='lots'"), "{err}");
    assert!(
        !server.requests_for(&main_primary).is_empty(),
        "main's primary.xml not fetched early"
    );
    let left: Vec<String> = files_in(&cache)
        .into_iter()
        .filter(|f| f.rsplit('/').next().unwrap().starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
