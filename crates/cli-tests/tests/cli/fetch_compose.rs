//! fetch-compose from a directory and from a 127.0.0.1 server (through the
//! HTTP layer: a 503 once is retried), and its errors.

use std::path::Path;

use assert_cmd::Command;
use cli_tests::http_support::{Fault, Server};
use cli_tests::{cmd, dir_names, expect_error, snapshot, SmallDisk, TestContext, Tool};

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
        // The NEVRA lists: a placeholder's binary marked as content-resolver's
        // analyzer marks it (its source, newthing, is in the source list).
        (
            "view-binary-package-list--view-eln--x86_64.txt",
            "bash-5.2-1.x86_64\nglibc-2.39-1.x86_64\nnasm-2.16-1.x86_64",
        ),
        (
            "view-binary-package-list--view-eln--aarch64.txt",
            "bash-5.2-1.aarch64\nglibc-2.39-1.aarch64",
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

fn fetch(url: &str, out: &Path, cache: &Path) -> Command {
    let mut c = cmd(Tool::FetchCompose);
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
    fetch(t.path().to_str().unwrap(), &out, &cache)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert_eq!(read(&out.join("x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("sources-x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("aarch64.txt")), "bash\nglibc\n");
    assert_eq!(read(&out.join("sources-aarch64.txt")), "bash\nglibc\n");
    assert!(!cache.exists(), "nothing cached for a directory");
    assert_eq!(
        read(&out.join("content-resolver/view-binary-package-list--view-eln--aarch64.txt")),
        "bash-5.2-1.aarch64\nglibc-2.39-1.aarch64\n"
    );
}

/// content-resolver's binary NEVRA list, where a placeholder's binaries are
/// marked (`NAME-000-placeholder.placeholder`), is kept under
/// `content-resolver/` (where compose-view's output has it, and step 10
/// reads it): the name lists alone cannot tell a placeholder's binary named
/// otherwise than its source from a name the repos lost. An output without
/// one (an older content-resolver, a directory of name lists) is no error.
#[test]
fn the_nevra_lists_keep_the_placeholder_marks() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    std::fs::write(
        t.path()
            .join("view-binary-package-list--view-eln--x86_64.txt"),
        "bash-5.2-1.x86_64\nnewthing-libs-000-placeholder.placeholder",
    )
    .unwrap();
    std::fs::remove_file(
        t.path()
            .join("view-binary-package-list--view-eln--aarch64.txt"),
    )
    .unwrap();
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    fetch(t.path().to_str().unwrap(), &out, &cache)
        .assert()
        .success()
        .stderr("");
    assert_eq!(
        dir_names(&out.join("content-resolver")),
        ["view-binary-package-list--view-eln--x86_64.txt"]
    );
    assert_eq!(
        read(&out.join("content-resolver/view-binary-package-list--view-eln--x86_64.txt")),
        "bash-5.2-1.x86_64\nnewthing-libs-000-placeholder.placeholder\n"
    );
    // An earlier output with its content-resolver/ is replaced, as ever.
    fetch(t.path().to_str().unwrap(), &out, &cache)
        .assert()
        .success();
}

/// `--out` is one set, swapped in whole (audit D6): a run for one arch
/// leaves no list of the other; a directory holding other files is refused;
/// a full disk leaves the earlier output as it was and nothing beside it.
#[test]
fn out_is_replaced_whole() {
    let t = TestContext::new();
    published(t.path());
    let url = t.path().to_str().unwrap().to_string();
    let cache = t.join("cache");
    let one_arch = |out: &Path| {
        let mut c = cmd(Tool::FetchCompose);
        c.args(["--url", &url, "--view", "eln", "--arch", "x86_64", "--out"])
            .arg(out);
        c
    };
    let out = t.join("compose");
    fetch(&url, &out, &cache).assert().success();
    one_arch(&out).assert().success();
    assert_eq!(
        dir_names(&out),
        ["content-resolver", "sources-x86_64.txt", "x86_64.txt"]
    );
    assert_eq!(
        dir_names(&out.join("content-resolver")),
        ["view-binary-package-list--view-eln--x86_64.txt"]
    );

    std::fs::write(out.join("sources.txt"), "mine").unwrap();
    assert_eq!(
        expect_error(&t, one_arch(&out), ""),
        "fetch-compose: [TMP]/compose: --out holds sources.txt, which fetch-compose does not write; it would be replaced whole: name a new or empty directory, or an earlier output of fetch-compose"
    );

    // 4 pages: one arch's two lists fit, two arches' beside them do not.
    let Some(disk) = SmallDisk::mount(&t.join("small"), "16k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let small = disk.path().join("c");
    one_arch(&small).assert().success();
    let before = snapshot(&small);
    let line = expect_error(&t, fetch(&url, &small, &cache), "");
    assert!(line.contains("No space left on device"), "{line}");
    assert!(snapshot(&small) == before, "the earlier output changed");
    assert_eq!(
        dir_names(disk.path()),
        ["c"],
        "staging left beside the output"
    );
}

/// `content-resolver/` of an earlier output holds the NEVRA lists alone: one
/// holding anything else (a `COMPOSE_DIR` made by hand, with the placeholder
/// details the workflow reads from there) is no output of fetch-compose and
/// is refused, as any other file is; replaced whole, the file was lost.
#[test]
fn a_content_resolver_dir_of_other_files_is_refused() {
    let t = TestContext::new();
    published(t.path());
    let url = t.path().to_str().unwrap().to_string();
    let out = t.join("compose");
    let cr = out.join("content-resolver");
    std::fs::create_dir_all(&cr).unwrap();
    std::fs::write(out.join("x86_64.txt"), "bash\n").unwrap();
    let details = cr.join("view-placeholder-srpm-details--view-eln--x86_64.json");
    std::fs::write(&details, "{}").unwrap();
    assert_eq!(
        expect_error(&t, fetch(&url, &out, &t.join("cache")), ""),
        "fetch-compose: [TMP]/compose: --out holds content-resolver/view-placeholder-srpm-details--view-eln--x86_64.json, which fetch-compose does not write; it would be replaced whole: name a new or empty directory, or an earlier output of fetch-compose"
    );
    assert_eq!(std::fs::read_to_string(&details).unwrap(), "{}");
    // A file of that name that is no directory is no output either.
    std::fs::remove_dir_all(&cr).unwrap();
    std::fs::write(&cr, "mine").unwrap();
    let line = expect_error(&t, fetch(&url, &out, &t.join("cache")), "");
    assert!(
        line.contains("--out holds content-resolver, which"),
        "{line}"
    );
    // Its own NEVRA lists (another view's, the view-all ones) are its output.
    std::fs::remove_file(&cr).unwrap();
    std::fs::create_dir(&cr).unwrap();
    for f in [
        "view-binary-package-list--view-other--x86_64.txt",
        "view-all-binary-package-list--view-eln--s390x.txt",
    ] {
        std::fs::write(cr.join(f), "bash-5.2-1.x86_64\n").unwrap();
    }
    fetch(&url, &out, &t.join("cache")).assert().success();
    assert_eq!(
        dir_names(&cr),
        [
            "view-binary-package-list--view-eln--aarch64.txt",
            "view-binary-package-list--view-eln--x86_64.txt"
        ],
        "an earlier run's lists are not left behind"
    );
}

#[test]
fn from_a_server_through_the_http_cache() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let server = Server::start(t.path().to_path_buf());
    server.fault("--view-eln--x86_64.txt", Fault::Status(503), Some(1));
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    fetch(&format!("{}/", server.base), &out, &cache)
        .assert()
        .success();
    assert_eq!(read(&out.join("x86_64.txt")), "bash\nglibc\nnasm\n");
    assert_eq!(read(&out.join("sources-aarch64.txt")), "bash\nglibc\n");
    // At once, in no set order: each list once, and the one of x86_64's
    // two that came first (the 503) twice.
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    let x86_64 = |p: &String| p.ends_with("--x86_64.txt");
    let (mut twice, mut once): (Vec<String>, Vec<String>) = paths.into_iter().partition(x86_64);
    twice.dedup();
    once.extend(twice);
    once.sort();
    assert_eq!(
        once,
        [
            "/view-binary-package-list--view-eln--aarch64.txt",
            "/view-binary-package-list--view-eln--x86_64.txt",
            "/view-binary-package-name-list--view-eln--aarch64.txt",
            "/view-binary-package-name-list--view-eln--x86_64.txt",
            "/view-source-package-name-list--view-eln--aarch64.txt",
            "/view-source-package-name-list--view-eln--x86_64.txt",
        ]
    );
    assert_eq!(server.requests().len(), 7);
    // The downloads are in the cache.
    assert!(std::fs::read_dir(&cache).unwrap().next().is_some());
    // --lists all: the view-all-* lists.
    let out_all = t.path().join("all");
    cmd(Tool::FetchCompose)
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

/// The arches' lists come at once, as many as `RPM_BUILDROOT_HTTP_PARALLEL`
/// (3 by default) and its `_PER_MIRROR` (they come from one server) allow,
/// the server holding each answer until that many are under way; they came
/// one after the other.
#[test]
fn lists_come_at_once_under_the_download_caps() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let server = Server::start(t.path().to_path_buf());
    let cache = t.path().join("cache");
    let lists = ["--view-eln--x86_64.txt", "--view-eln--aarch64.txt"];
    let peak = |out: &str, parallel: Option<&str>| {
        let mut c = fetch(&server.base, &t.path().join(out), &cache);
        c.env_remove("RPM_BUILDROOT_HTTP_PARALLEL")
            .env_remove("RPM_BUILDROOT_HTTP_PER_MIRROR");
        if let Some(n) = parallel {
            c.env("RPM_BUILDROOT_HTTP_PARALLEL", n);
        }
        c.assert().success();
        server.peak()
    };
    // Two arches: four lists.
    server.hold_any(&lists, 3);
    assert_eq!(peak("default", None), 3);
    server.hold_any(&lists, 2);
    assert_eq!(peak("two", Some("2")), 2);
    // One server: no more than _PER_MIRROR (3) from it.
    server.watch(std::time::Duration::from_millis(100));
    assert!(peak("five", Some("5")) <= 3);
    server.watch(std::time::Duration::from_millis(50));
    assert_eq!(peak("one", Some("1")), 1);
    assert_eq!(
        read(&t.path().join("one/x86_64.txt")),
        "bash\nglibc\nnasm\n"
    );
}

#[test]
fn a_missing_list_is_one_line_and_nothing_is_written() {
    let mut t = TestContext::new();
    published(t.path());
    let server = Server::start(t.path().to_path_buf());
    t.filter(server.base.trim_end_matches('/'), "[SERVER]");
    let out = t.join("compose");
    let cache = t.join("cache");
    let mut c = cmd(Tool::FetchCompose);
    c.args([
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
    .arg(&cache);
    assert_eq!(
        expect_error(&t, c, ""),
        "fetch-compose: [SERVER]/view-binary-package-name-list--view-eln--s390x.txt: HTTP 404 (gave up after 4 attempts): content-resolver publishes no such list (is view 'view-eln' built for s390x?)"
    );
    assert!(!out.exists(), "nothing is written when a list is missing");
    // A list that is not a name list (a captive portal's page) names the URL and line.
    std::fs::write(
        t.join("view-binary-package-name-list--view-eln--aarch64.txt"),
        "<html><body>log in first</body></html>\n",
    )
    .unwrap();
    let mut c = cmd(Tool::FetchCompose);
    c.args(["--url", &server.base, "--arch", "aarch64", "--out"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache);
    assert_eq!(
        expect_error(&t, c, ""),
        "fetch-compose: [SERVER]/view-binary-package-name-list--view-eln--aarch64.txt:1: '<html><body>log in first</body></html>' is not a package name (one name per line)"
    );
}

/// A NEVRA list the server answers 404 for is absent (no error, none
/// written) after librepo's tries of one URL: 4 requests, at once (no
/// backoff, whatever `RPM_BUILDROOT_HTTP_BACKOFF` says: 20 s here, so a
/// single backoff would pass the generous bound of 15 s a loaded machine
/// needs for the run), as librepo retries any answer but a
/// 2xx on the same mirror (`LRO_ALLOWEDMIRRORFAILURES`). A 404 once (a
/// load-balanced server's node not synced yet) is retried, and the list is
/// had.
#[test]
fn a_missing_nevra_list_is_absent_after_four_tries_at_once() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let x86_64 = "view-binary-package-list--view-eln--x86_64.txt";
    std::fs::remove_file(t.path().join(x86_64)).unwrap();
    let server = Server::start(t.path().to_path_buf());
    let out = t.path().join("compose");
    let cache = t.path().join("cache");
    let start = std::time::Instant::now();
    fetch(&server.base, &out, &cache)
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "20")
        .assert()
        .success();
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(15), "{took:?}");
    assert_eq!(server.requests_for(x86_64).len(), 4);
    assert_eq!(
        dir_names(&out.join("content-resolver")),
        ["view-binary-package-list--view-eln--aarch64.txt"]
    );
    // There once asked again: a 404 once is retried, and the list is had.
    std::fs::write(t.path().join(x86_64), "bash-5.2-1.x86_64").unwrap();
    server.clear_log();
    server.fault(x86_64, Fault::Status(404), Some(1));
    fetch(&server.base, &out, &cache).assert().success();
    assert_eq!(server.requests_for(x86_64).len(), 2);
    assert_eq!(
        read(&out.join("content-resolver").join(x86_64)),
        "bash-5.2-1.x86_64\n"
    );
}

/// `--output-dir` is another spelling of `--out` (as buildroot-generator
/// and compose-view spell it); an unknown arch lists the known ones.
#[test]
fn output_dir_alias_and_known_arches() {
    let t = tempfile::tempdir().unwrap();
    published(t.path());
    let out = t.path().join("compose");
    let mut c = cmd(Tool::FetchCompose);
    c.args(["--url", t.path().to_str().unwrap(), "--view", "eln"])
        .args(["--arch", "x86_64", "--output-dir"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(read(&out.join("x86_64.txt")), "bash\nglibc\nnasm\n");
    let ctx = TestContext::new();
    let mut c = cmd(Tool::FetchCompose);
    c.args(["--url", "x", "--arch", "x86-64", "--out", "o"]);
    let err = expect_error(&ctx, c, "");
    assert!(
        err.starts_with("fetch-compose: --arch x86-64: unknown architecture (known: x86_64, "),
        "{err}"
    );
}
