//! fetch-compose from a directory and from a 127.0.0.1 server (through the
//! HTTP layer: a 503 once is retried), and its errors.

#[path = "../../buildroot-core/tests/http_support/mod.rs"]
mod http_support;

use std::path::Path;

use assert_cmd::Command;
use http_support::{Fault, Server};

/// content-resolver's output for view-eln on two arches: sorted, no final newline.
fn published(dir: &Path) {
    let files = [
        (
            "view-binary-package-name-list--view-eln--x86_64.txt",
            "bash\nglibc\nnasm",
        ),
        (
            "view-source-package-name-list--view-eln--x86_64.txt",
            "bash\nglibc\nnasm",
        ),
        (
            "view-binary-package-name-list--view-eln--aarch64.txt",
            "bash\nglibc",
        ),
        (
            "view-source-package-name-list--view-eln--aarch64.txt",
            "bash\nglibc",
        ),
        (
            "view-all-binary-package-name-list--view-eln--x86_64.txt",
            "bash\ngcc\nglibc\nnasm",
        ),
        (
            "view-all-source-package-name-list--view-eln--x86_64.txt",
            "bash\ngcc\nglibc\nnasm",
        ),
    ];
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
}

fn cmd(url: &str, out: &Path, cache: &Path) -> Command {
    let mut c = Command::cargo_bin("fetch-compose").unwrap();
    c.args([
        "--url", url, "--view", "eln", "--arch", "x86_64", "--arch", "aarch64", "--out",
    ])
    .arg(out)
    .arg("--cache-dir")
    .arg(cache)
    .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05");
    c
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn from_a_directory() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    cmd(t.path().to_str().unwrap(), &out, &cache)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(read(&out.join("x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("sources-x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("aarch64.txt")), "bash\nglibc\n");
    assert_eq!(read(&out.join("sources-aarch64.txt")), "bash\nglibc\n");
    assert!(!cache.exists(), "nothing cached for a directory");
}

#[test]
fn from_a_server_through_the_http_cache() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let server = Server::start(t.path().to_path_buf());
    server.fault("--view-eln--x86_64.txt", Fault::Status(503), Some(1));
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    cmd(&format!("{}/", server.base), &out, &cache)
        .assert()
        .success();
    assert_eq!(read(&out.join("x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("sources-aarch64.txt")), "bash\nglibc\n");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/view-binary-package-name-list--view-eln--x86_64.txt",
            "/view-binary-package-name-list--view-eln--x86_64.txt",
            "/view-source-package-name-list--view-eln--x86_64.txt",
            "/view-binary-package-name-list--view-eln--aarch64.txt",
            "/view-source-package-name-list--view-eln--aarch64.txt",
        ]
    );
    // The downloads are in the cache.
    assert!(std::fs::read_dir(&cache).unwrap().next().is_some());
    // --lists all: the view-all-* lists.
    let out_all = t.path().join("all");
    Command::cargo_bin("fetch-compose")
        .unwrap()
        .args([
            "--url",
            &server.base,
            "--arch",
            "x86_64",
            "--lists",
            "all",
            "--out",
        ])
        .arg(&out_all)
        .arg("--cache-dir")
        .arg(&cache)
        .assert()
        .success();
    assert_eq!(
        read(&out_all.join("x86_64.txt")),
        "bash\ngcc\nglibc\nnasm\n"
    );
}

#[test]
fn a_missing_list_is_one_line_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let server = Server::start(t.path().to_path_buf());
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    let o = Command::cargo_bin("fetch-compose")
        .unwrap()
        .args([
            "--url",
            &server.base,
            "--arch",
            "x86_64",
            "--arch",
            "s390x",
            "--out",
        ])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("view-binary-package-name-list--view-eln--s390x.txt: HTTP 404")
            && err.contains("is view 'view-eln' built for s390x?"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written when a list is missing");
    // A list that is not a name list (a captive portal's page) names the URL and line.
    std::fs::write(
        t.path()
            .join("view-binary-package-name-list--view-eln--aarch64.txt"),
        "<html><body>log in first</body></html>\n",
    )
    .unwrap();
    let o = Command::cargo_bin("fetch-compose")
        .unwrap()
        .args(["--url", &server.base, "--arch", "aarch64", "--out"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("view-binary-package-name-list--view-eln--aarch64.txt:1: ")
            && err.contains("not a package name"),
        "{err}"
    );
}
