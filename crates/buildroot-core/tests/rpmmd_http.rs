//! HTTP repositories: served from 127.0.0.1, cached by checksum, errors name
//! the URL; and what mirrors do every day (503, 429 with Retry-After, a
//! reset or short body, a stall, a corrupt file, a dead mirror), once (the
//! load succeeds with the same packages) and forever (one line, exit-2
//! material, within a bounded time, nothing half-written in the cache).

mod http_support;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use buildroot_core::rpmmd::{
    download_verified, load_repo, load_repos, package_file_from, sha256_file, Expected,
    HttpSettings, LoadOptions, MirrorSource, RepoSpec,
};
use http_support::{dead_port, Fault, Server, Unanswering};

/// Small waits and limits for every test of this file (the same values
/// everywhere, so tests running in parallel cannot disagree).
fn fast() {
    http_support::http_settings("0.05", "1", "3");
}

/// A repo of 60 packages (a primary.xml.gz of a few kB, so faults hit mid-body).
fn write_repo(dir: &Path) {
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    let mut primary =
        String::from(r#"<?xml version="1.0"?><metadata xmlns:rpm="x" packages="60">"#);
    for i in 0..60 {
        primary.push_str(&format!(
            r#"<package type="rpm"><name>foo{i}</name><arch>noarch</arch><version epoch="0" ver="1.{i}" rel="1"/><summary>package number {i} with a summary long enough to fill the file {}</summary><location href="foo{i}-1-1.noarch.rpm"/><format><rpm:sourcerpm>foo{i}-1-1.src.rpm</rpm:sourcerpm></format></package>"#,
            "x".repeat(i * 7 % 61)
        ));
    }
    primary.push_str("</metadata>");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    e.write_all(primary.as_bytes()).unwrap();
    std::fs::write(rd.join("p.xml.gz"), e.finish().unwrap()).unwrap();
    let sum = sha256_file(&rd.join("p.xml.gz")).unwrap();
    std::fs::write(
        rd.join("repomd.xml"),
        format!(r#"<repomd><data type="primary"><checksum type="sha256">{sum}</checksum><location href="repodata/p.xml.gz"/></data></repomd>"#),
    )
    .unwrap();
}

/// The packages of a load, as comparable text.
fn packages(spec: &RepoSpec, cache: &Path) -> buildroot_core::Result<Vec<String>> {
    let r = load_repo(spec, &LoadOptions::cached_in(cache))?;
    Ok(r.packages.iter().map(|p| format!("{p:?}")).collect())
}

/// A served repo, and what a fault-free load of it gives.
fn served() -> (tempfile::TempDir, Server, Vec<String>) {
    fast();
    let root = tempfile::tempdir().unwrap();
    write_repo(&root.path().join("repo"));
    let clean = packages(
        &RepoSpec::new("local", root.path().join("repo").to_str().unwrap()),
        root.path(),
    )
    .unwrap();
    assert_eq!(clean.len(), 60);
    let server = Server::start(root.path().to_path_buf());
    (root, server, clean)
}

/// Files left in a cache directory tree (temporaries included).
/// The files under `dir` but the download locks (`.download-lock`, an
/// empty file each directory keeps: no download's bytes).
fn files_in(dir: &Path) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|p| !p.ends_with(".download-lock"))
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.path().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn second_load_fetches_only_repomd() {
    let (_root, server, _) = served();
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    assert_eq!(packages(&spec, cache.path()).unwrap().len(), 60);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/repo/repodata/repomd.xml", "/repo/repodata/p.xml.gz"]
    );
    server.clear_log();
    assert_eq!(packages(&spec, cache.path()).unwrap().len(), 60);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/repo/repodata/repomd.xml"]);
}

#[test]
fn http_errors_name_the_url() {
    let (_root, server, _) = served();
    let base = &server.base;
    let cache = tempfile::tempdir().unwrap();
    // A 404 is tried 4 times, as librepo tries it, at once (no backoff).
    let e = packages(
        &RepoSpec::new("web", &format!("{base}/missing")),
        cache.path(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        format!("{base}/missing/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)")
    );
    assert_eq!(server.requests_for("/missing/repodata/repomd.xml").len(), 4);
    // A redirect to a missing file (on another server): the line says
    // where it led (the requested URL alone would send the reader to the
    // wrong server).
    let empty = tempfile::tempdir().unwrap();
    let other = Server::start(empty.path().to_path_buf());
    server.fault(
        "/moved/repodata/repomd.xml",
        Fault::Redirect(other.base.clone()),
        None,
    );
    let e = packages(
        &RepoSpec::new("web", &format!("{base}/moved")),
        cache.path(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        format!(
            "{base}/moved/repodata/repomd.xml: redirected to \
             {}/moved/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)",
            other.base
        )
    );
    // Never to a local file (nor ftp), as curl's default redirect protocols.
    server.fault(
        "/local/repodata/repomd.xml",
        Fault::Redirect("file://".into()),
        None,
    );
    let e = packages(
        &RepoSpec::new("web", &format!("{base}/local")),
        cache.path(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        format!(
            "{base}/local/repodata/repomd.xml: redirected to file:///local/repodata/repomd.xml: \
             redirects are followed to http(s) only (gave up after 4 attempts)"
        )
    );
    // Tried as librepo tries curl's "unsupported protocol": 4 times.
    assert_eq!(server.requests_for("/local/repodata/repomd.xml").len(), 4);
    // Nothing listens on this port: retried, then one line.
    let port = dead_port();
    let e = packages(
        &RepoSpec::new("web", &format!("http://127.0.0.1:{port}/x")),
        cache.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with(&format!(
            "http://127.0.0.1:{port}/x/repodata/repomd.xml: connection failed"
        )),
        "{e}"
    );
    assert!(e.ends_with("(gave up after 4 attempts)"), "{e}");
    assert!(!e.contains('\n'));
}

/// One fault, once, on `file`: the load succeeds with the same packages.
fn once(fault: Fault, file: &str) -> Server {
    let (_root, server, clean) = served();
    server.fault(file, fault.clone(), Some(1));
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    let got = packages(&spec, cache.path()).unwrap_or_else(|e| panic!("{fault:?}: {e}"));
    assert_eq!(got, clean, "{fault:?}");
    assert_eq!(
        server
            .requests_for(file)
            .iter()
            .filter(|r| r.fault.is_some())
            .count(),
        1,
        "{fault:?}"
    );
    // Only the cached copy is left: no temporaries.
    let left = files_in(cache.path());
    assert!(left.iter().all(|f| !f.contains(".tmp")), "{left:?}");
    server
}

#[test]
fn a_503_once_is_retried() {
    let s = once(Fault::Status(503), "repomd.xml");
    assert_eq!(s.requests_for("repomd.xml").len(), 2);
}

/// A 404 or 403 once (a load-balanced mirror's node that lags behind, say)
/// is retried, and at once: librepo takes any answer but a 2xx as a failed
/// transfer and tries again without waiting.
#[test]
fn a_404_or_403_once_is_retried_at_once() {
    for (status, file) in [(404, "repomd.xml"), (403, "p.xml.gz")] {
        let start = Instant::now();
        let s = once(Fault::Status(status), file);
        assert_eq!(s.requests_for(file).len(), 2, "{status}");
        // Bounded loosely (a loaded machine): that a 404 waits no backoff
        // (50 ms here, too short to see) is `rpmmd/http/mod.rs`'s unit test's to show.
        assert!(start.elapsed() < Duration::from_secs(5), "{status}");
    }
}

/// Statuses as librepo takes them: it checks `code / 100 == 2` alone
/// (`check_finished_transfer_status`), so any 2xx is a complete transfer
/// whose body is held to its checksum, and anything else that curl did not
/// follow (a 3xx without a `Location`, a redirect loop past curl's 6, a
/// redirect to a scheme curl refuses) is a failed transfer, retried at
/// once up to 4 times, as a 404 is. These were tried once.
#[test]
fn statuses_are_taken_as_librepo_takes_them() {
    // A 203 (a transforming proxy) serving the file: taken at once.
    let s = once(Fault::StatusWithBody(203), "p.xml.gz");
    assert_eq!(s.requests_for("p.xml.gz").len(), 1);
    // A 204 once, or a 3xx curl does not follow once: the next try has it.
    for fault in [
        Fault::Status(204),
        Fault::Status(304),
        Fault::Status(300),
        Fault::RedirectWith(302, String::new()),
    ] {
        let file = match fault {
            Fault::Status(204) => "p.xml.gz",
            _ => "repomd.xml",
        };
        let s = once(fault.clone(), file);
        assert_eq!(s.requests_for(file).len(), 2, "{fault:?}");
    }
    // And forever: 4 tries, at once, then one line.
    let (_root, server, _) = served();
    let base = server.base.clone();
    let fails = |path: &str, fault: Fault| {
        server.clear_log();
        server.fault(&format!("/{path}/repodata/repomd.xml"), fault, None);
        let cache = tempfile::tempdir().unwrap();
        let spec = RepoSpec::new("web", &format!("{base}/{path}"));
        let start = Instant::now();
        let e = packages(&spec, cache.path()).unwrap_err();
        // The backoff (50 ms here) is not waited: bounded loosely.
        assert!(start.elapsed() < Duration::from_secs(5), "{path}");
        let status = match &e {
            buildroot_core::Error::Http { status, .. } => *status,
            other => panic!("{path}: not an HTTP error: {other}"),
        };
        (e.to_string(), status, server.requests().len())
    };
    let url = |path: &str| format!("{base}/{path}/repodata/repomd.xml");
    assert_eq!(
        fails("nm", Fault::Status(304)),
        (
            format!(
                "{}: HTTP 304 without a usable Location (gave up after 4 attempts)",
                url("nm")
            ),
            Some(304),
            4
        )
    );
    // A redirect to itself: curl follows 6, and fails the 7th.
    assert_eq!(
        fails("loop", Fault::Redirect(base.clone())),
        (
            format!(
                "{}: more than 6 redirects (gave up after 4 attempts)",
                url("loop")
            ),
            None,
            4 * 7
        )
    );
    // A final 1xx or an unknown 9xx status is no 2xx either.
    let (e, status, n) = fails("odd", Fault::Status(999));
    assert_eq!(
        (e, status, n),
        (
            format!("{}: HTTP 999 (gave up after 4 attempts)", url("odd")),
            Some(999),
            4
        )
    );
    // A 204 for a file with a checksum: an empty body, which does not match.
    server.clear_log();
    server.fault("/repo/repodata/p.xml.gz", Fault::Status(204), None);
    let cache = tempfile::tempdir().unwrap();
    let e = packages(&RepoSpec::new("web", &format!("{base}/repo")), cache.path())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("{base}/repo/repodata/p.xml.gz: checksum mismatch")),
        "{e}"
    );
    assert!(
        e.ends_with("(the server answered HTTP 204) (downloaded 4 times)"),
        "{e}"
    );
    assert_eq!(server.requests_for("p.xml.gz").len(), 4);
}

/// A 3xx without a `Location` that comes as the 7th answer of a chain of
/// redirects is the final answer, as any such 3xx: curl counts a redirect
/// only when it would follow one, so librepo says `Status code: 304`, not
/// curl's "too many redirects". Each try's chain adds `/x` six times, and
/// the path it ends at answers 304; it was said as a 7th redirect, without
/// its status.
#[test]
fn a_304_after_six_redirects_is_said_as_a_304() {
    let (_root, server, _) = served();
    let base = server.base.clone();
    let end = format!("{}/repo/repodata/repomd.xml", "/x".repeat(6));
    // The first rule that matches is taken: the end of the chain first.
    server.fault(&end, Fault::Status(304), None);
    server.fault("repomd.xml", Fault::Redirect(format!("{base}/x")), None);
    let cache = tempfile::tempdir().unwrap();
    let e = packages(&RepoSpec::new("web", &format!("{base}/repo")), cache.path()).unwrap_err();
    let status = match &e {
        buildroot_core::Error::Http { status, .. } => *status,
        other => panic!("not an HTTP error: {other}"),
    };
    assert_eq!(
        (e.to_string(), status),
        (
            format!(
                "{base}/repo/repodata/repomd.xml: redirected to {base}{end}: HTTP 304 without a \
                 usable Location (gave up after 4 attempts)"
            ),
            Some(304)
        )
    );
    // 7 requests a try (6 redirects and the 304), 4 tries, at once.
    assert_eq!(server.requests().len(), 4 * 7);
}

#[test]
fn a_429_waits_for_its_retry_after() {
    let start = Instant::now();
    let s = once(Fault::RetryAfter(429, "1".into()), "p.xml.gz");
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(s.requests_for("p.xml.gz").len(), 2);
}

#[test]
fn a_reset_mid_body_resumes_with_range() {
    let s = once(Fault::ResetMidBody, "p.xml.gz");
    let reqs = s.requests_for("p.xml.gz");
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let range = reqs[1]
        .range
        .as_deref()
        .expect("the retry asks for a range");
    let from: u64 = range
        .strip_prefix("bytes=")
        .and_then(|r| r.strip_suffix('-'))
        .unwrap()
        .parse()
        .unwrap();
    assert!(from > 0, "{range}");
}

/// A reset of a body without `Content-Length` is retried, and the file
/// comes whole (there was no size to resume against, so from byte 0).
#[test]
fn a_reset_of_a_body_without_length_is_retried() {
    let s = once(Fault::ResetUnsized, "p.xml.gz");
    assert_eq!(s.requests_for("p.xml.gz").len(), 2);
    once(Fault::ResetBeforeAnswer, "repomd.xml");
}

#[test]
fn a_short_body_resumes_with_range() {
    let s = once(Fault::ShortBody, "p.xml.gz");
    let reqs = s.requests_for("p.xml.gz");
    assert!(reqs[1].range.is_some(), "{reqs:?}");
}

#[test]
fn a_stall_is_abandoned_and_resumed() {
    let start = Instant::now();
    let s = once(Fault::Stall, "p.xml.gz");
    // The stall limit is 1 s in these tests; a stall not abandoned would
    // hold for the default 30 s. Bounded loosely: the machine may be loaded.
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    let reqs = s.requests_for("p.xml.gz");
    assert!(reqs[1].range.is_some(), "{reqs:?}");
}

#[test]
fn a_corrupt_file_is_downloaded_once_more_from_the_start() {
    let s = once(Fault::Corrupt, "p.xml.gz");
    let reqs = s.requests_for("p.xml.gz");
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert!(
        reqs[1].range.is_none(),
        "a corrupt file is not resumed: {reqs:?}"
    );
}

/// An upper-case checksum in repomd.xml fails as in dnf (librepo compares
/// the digits as written), after the 4 downloads dnf 4.14 made of such a
/// file: a mismatch like any other, which the line explains.
#[test]
fn an_upper_case_checksum_fails_as_a_mismatch_and_says_why() {
    let (root, server, _) = served();
    let repomd = root.path().join("repo/repodata/repomd.xml");
    let text = std::fs::read_to_string(&repomd).unwrap();
    let sum = sha256_file(&root.path().join("repo/repodata/p.xml.gz")).unwrap();
    std::fs::write(
        root.path().join("upper.xml"),
        text.replace(&sum, &sum.to_ascii_uppercase()),
    )
    .unwrap();
    let upper = root.path().join("upper/repodata");
    std::fs::create_dir_all(&upper).unwrap();
    std::fs::rename(root.path().join("upper.xml"), upper.join("repomd.xml")).unwrap();
    std::fs::copy(
        root.path().join("repo/repodata/p.xml.gz"),
        upper.join("p.xml.gz"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/upper/", server.base));
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert!(
        e.ends_with("(the same digits in upper case: checksums are compared as written, as dnf compares them, and createrepo_c writes lower case) (downloaded 4 times)"),
        "{e}"
    );
    assert_eq!(server.requests_for("/upper/repodata/p.xml.gz").len(), 4);
}

#[test]
fn without_ranges_a_retry_starts_from_zero() {
    let (_root, server, clean) = served();
    server.set_ranges(false);
    server.fault("p.xml.gz", Fault::ResetMidBody, Some(1));
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    assert_eq!(packages(&spec, cache.path()).unwrap(), clean);
    let reqs = server.requests_for("p.xml.gz");
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.range.is_none()), "{reqs:?}");
}

/// A file that never matches repomd.xml's checksum, from a repo's only
/// mirror, is downloaded 4 times at once, alone (repomd.xml is not asked
/// again), as dnf 4.14 downloaded it; fewer when the retries allow fewer.
#[test]
fn a_mismatch_on_the_only_mirror_downloads_the_file_alone_4_times() {
    let (_root, server, _) = served();
    server.fault("p.xml.gz", Fault::Corrupt, None);
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert!(e.ends_with("(downloaded 4 times)"), "{e}");
    assert_eq!(server.requests_for("p.xml.gz").len(), 4);
    assert_eq!(server.requests_for("repomd.xml").len(), 1);
}

/// A file's failures of every kind count in one budget of 4 attempts, as
/// librepo counts them: dnf 4.14 asked a primary.xml that answered 503 then
/// never matched 4 times in all (a 503 three times then a mismatch, or a
/// mismatch then 503s, alike), and loaded one that answered 503 twice, or
/// failed its checksum once and was reset once, at its third request.
#[test]
fn a_files_failures_of_every_kind_share_one_budget_of_4() {
    let (_root, server, clean) = served();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    let load = |faults: &[(Fault, usize)], forever: Option<Fault>| {
        server.clear_faults();
        server.clear_log();
        for (f, n) in faults {
            server.fault("p.xml.gz", f.clone(), Some(*n));
        }
        if let Some(f) = forever {
            server.fault("p.xml.gz", f, None);
        }
        let cache = tempfile::tempdir().unwrap();
        let got = packages(&spec, cache.path()).map_err(|e| e.to_string());
        (got, server.requests_for("p.xml.gz").len())
    };
    let (got, n) = load(&[(Fault::Status(503), 1)], Some(Fault::Corrupt));
    let e = got.unwrap_err();
    assert!(e.contains("checksum mismatch"), "{e}");
    assert!(e.ends_with("(gave up after 4 attempts)"), "{e}");
    assert_eq!(n, 4);
    let (got, n) = load(&[(Fault::Corrupt, 1)], Some(Fault::Status(503)));
    assert!(got
        .unwrap_err()
        .ends_with("HTTP 503 (gave up after 4 attempts)"));
    assert_eq!(n, 4);
    let (got, n) = load(&[(Fault::Status(503), 3), (Fault::Corrupt, 1)], None);
    assert!(got.unwrap_err().contains("checksum mismatch"));
    assert_eq!(n, 4);
    let (got, n) = load(&[(Fault::Status(503), 2)], None);
    assert_eq!(got.unwrap(), clean);
    assert_eq!(n, 3);
    let (got, n) = load(&[(Fault::Corrupt, 1), (Fault::ResetMidBody, 1)], None);
    assert_eq!(got.unwrap(), clean);
    assert_eq!(n, 3);
    // A download after a mismatch starts from byte 0, never a range of it.
    let ranged: Vec<_> = server
        .requests_for("p.xml.gz")
        .into_iter()
        .map(|r| r.range)
        .collect();
    assert_eq!(ranged[..2], [None, None]);
}

/// The same fault forever: one line naming the URL, the attempts and the
/// cause, within `limit`, and nothing but finished files in the cache.
fn forever(fault: Fault, file: &str, want: &[&str], limit: Duration) {
    let (_root, server, _) = served();
    server.fault(file, fault.clone(), None);
    let cache = tempfile::tempdir().unwrap();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    let start = Instant::now();
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert!(start.elapsed() < limit, "{fault:?}: {:?}", start.elapsed());
    assert!(
        e.starts_with(&format!("{}/repo/repodata/{file}: ", server.base)),
        "{e}"
    );
    for w in want {
        assert!(e.contains(w), "{fault:?}: '{w}' not in: {e}");
    }
    assert_eq!(e.lines().count(), 1, "{e}");
    let left = files_in(cache.path());
    assert!(
        left.iter().all(|f| f.ends_with("repomd.xml")),
        "{fault:?}: left in the cache: {left:?}"
    );
}

#[test]
fn faults_forever_fail_in_bounded_time() {
    let fast = Duration::from_secs(5);
    forever(
        Fault::Status(503),
        "repomd.xml",
        &["HTTP 503", "gave up after 4 attempts"],
        fast,
    );
    forever(
        Fault::Status(502),
        "p.xml.gz",
        &["HTTP 502", "gave up after 4 attempts"],
        fast,
    );
    forever(
        Fault::RetryAfter(429, "0".into()),
        "p.xml.gz",
        &["HTTP 429", "gave up after 4 attempts"],
        fast,
    );
    // A reset names itself (ureq reads it as an end of stream, as it does
    // a close), and where the body stood; a clean close before the end
    // says so.
    forever(
        Fault::ResetMidBody,
        "p.xml.gz",
        &[
            ": connection reset by peer after ",
            " bytes (gave up after 4 attempts)",
        ],
        fast,
    );
    forever(
        Fault::ShortBody,
        "p.xml.gz",
        &[
            ": the server closed the connection after ",
            " bytes (gave up after 4 attempts)",
        ],
        fast,
    );
    // A body that ends with the connection, cut by a reset, is no
    // complete file (it would fail its checksum, named as a mismatch).
    forever(
        Fault::ResetUnsized,
        "p.xml.gz",
        &[
            ": connection reset by peer after ",
            "(gave up after 4 attempts)",
        ],
        fast,
    );
    forever(
        Fault::ResetBeforeAnswer,
        "repomd.xml",
        &[": connection reset by peer before an answer (gave up after 4 attempts)"],
        fast,
    );
    forever(
        Fault::Corrupt,
        "p.xml.gz",
        &["checksum mismatch", "(downloaded 4 times)"],
        fast,
    );
    forever(
        Fault::Status(403),
        "p.xml.gz",
        &["HTTP 403", "gave up after 4 attempts"],
        fast,
    );
}

#[test]
fn a_stall_forever_fails_in_bounded_time() {
    // 4 attempts of 1 s, and the waits between them (0.35 s): 4.4 s at
    // least, 5 s under load; a limit not applied would stall for the
    // default 30 s at the first attempt. Between the two, with room.
    forever(
        Fault::Stall,
        "p.xml.gz",
        &["stalled", "gave up after 4 attempts"],
        Duration::from_secs(20),
    );
}

/// A server whose connections never complete (its SYNs dropped, as by a
/// firewall): each attempt gives up after the timeout, as librepo has curl
/// give up after dnf's `timeout` (`LRO_CONNECTTIMEOUT`), and the line
/// names the URL, the limit and what set it (the variable, or the repo's
/// `timeout=`). Nothing is left behind.
#[test]
fn a_connection_that_never_completes_times_out() {
    let unanswering = Unanswering::start();
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "http://127.0.0.1:{}/repo/repodata/repomd.xml",
        unanswering.port
    );
    let run = HttpSettings {
        timeout: Duration::from_millis(500),
        retries: 1,
        backoff: Duration::from_millis(10),
        ..HttpSettings::default()
    };
    let mut repos = run.clone();
    repos.access.pace.timeout = Some(Duration::from_millis(500));
    for (s, by) in [
        (run, "RPM_BUILDROOT_HTTP_TIMEOUT"),
        (repos, "the repo's timeout="),
    ] {
        let start = Instant::now();
        let e = download_verified(&url, &dir.path().join("repomd.xml"), None, &s)
            .unwrap_err()
            .to_string();
        let took = start.elapsed();
        assert_eq!(
            e,
            format!(
                "{url}: timed out: could not connect within 0.5 s ({by} sets the limit) \
                 (gave up after 2 attempts)"
            )
        );
        // Two attempts of 0.5 s: it waited for the connection, and gave
        // up in bounded time (bounded loosely: the machine may be loaded).
        assert!(took >= Duration::from_millis(900), "{took:?}");
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert_eq!(files_in(dir.path()), Vec::<String>::new());
    }
}

#[test]
fn retry_after_is_capped() {
    fast();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"hello").unwrap();
    let server = Server::start(root.path().to_path_buf());
    server.fault("/f", Fault::RetryAfter(503, "3600".into()), Some(1));
    let s = HttpSettings {
        max_wait: Duration::from_millis(200),
        ..HttpSettings::from_env().unwrap()
    };
    let dest = root.path().join("out/f");
    let start = Instant::now();
    download_verified(&format!("{}/f", server.base), &dest, None, &s).unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(std::fs::read(&dest).unwrap(), b"hello");
    // With an expected checksum that never matches: downloaded 4 times, as
    // dnf downloads it, nothing left.
    let want = Expected {
        algo: "sha256".into(),
        hex: "00".repeat(32),
    };
    let dest2 = root.path().join("out/g");
    let e = download_verified(&format!("{}/f", server.base), &dest2, Some(&want), &s)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("checksum mismatch") && e.contains("(downloaded 4 times)"),
        "{e}"
    );
    assert_eq!(files_in(&root.path().join("out")), ["f"]);
}

#[test]
fn metalink_and_mirrorlist_skip_dead_and_stale_mirrors() {
    let (root, server, clean) = served();
    write_repo(&root.path().join("good"));
    write_repo(&root.path().join("stale"));
    // A stale mirror: older repomd.xml than the metalink announces.
    let stale = root.path().join("stale/repodata/repomd.xml");
    let mut text = std::fs::read_to_string(&stale).unwrap();
    text.push_str("<!-- yesterday -->\n");
    std::fs::write(&stale, text).unwrap();
    let sum = sha256_file(&root.path().join("good/repodata/repomd.xml")).unwrap();
    let base = &server.base;
    let dead = format!("http://127.0.0.1:{}", dead_port());
    let url = |b: &str, m: &str| format!("{b}/{m}/repodata/repomd.xml");
    std::fs::write(
        root.path().join("metalink.xml"),
        format!(
            r#"<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>
<url protocol="http" preference="100">{}</url>
<url protocol="http" preference="99">{}</url>
<url protocol="http" preference="98">{}</url>
<url protocol="http" preference="97">{}</url>
</resources></file></files></metalink>"#,
            url(&dead, "good"),
            url(base, "missing"),
            url(base, "stale"),
            url(base, "good")
        ),
    )
    .unwrap();
    std::fs::write(
        root.path().join("mirrors.txt"),
        format!("# mirrors\n{dead}/good\n{base}/missing\n{base}/good/\n"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    for src in [
        MirrorSource::Metalink(format!("{base}/metalink.xml")),
        MirrorSource::Mirrorlist(format!("{base}/mirrors.txt")),
    ] {
        let mut spec = RepoSpec::new("fedora", "");
        spec.mirrors = Some(src.clone());
        let start = Instant::now();
        let r = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
            .unwrap_or_else(|e| panic!("{src:?}: {e}"));
        // A dead mirror is left at once, not retried.
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(r.spec.baseurl, format!("{base}/good/"), "{src:?}");
        let got: Vec<String> = r.packages.iter().map(|p| format!("{p:?}")).collect();
        assert_eq!(got, clean);
    }
    assert!(!server.requests_for("/stale/repodata/repomd.xml").is_empty());
    // Every mirror stale or dead: one error naming the metalink.
    std::fs::write(
        root.path().join("dead.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources><url protocol="http">{}</url><url protocol="http">{}</url></resources></file></files></metalink>"#,
            url(&dead, "good"),
            url(base, "stale")
        ),
    )
    .unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/dead.xml")));
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("dead.xml") && e.contains("stale mirror"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
}

/// A metalink or mirrorlist answered with a 404 or 403 once is fetched
/// again (librepo tries it again, and dnf's metalink fetch even loops over
/// that three times).
#[test]
fn a_metalink_or_mirrorlist_refused_once_is_fetched_again() {
    let (root, server, clean) = served();
    let base = &server.base;
    std::fs::write(root.path().join("mirrors.txt"), format!("{base}/repo/\n")).unwrap();
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    std::fs::write(
        root.path().join("ml.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources><url protocol="http">{base}/repo/repodata/repomd.xml</url></resources></file></files></metalink>"#
        ),
    )
    .unwrap();
    for (src, status) in [
        (MirrorSource::Metalink(format!("{base}/ml.xml")), 404),
        (MirrorSource::Mirrorlist(format!("{base}/mirrors.txt")), 403),
    ] {
        let file = src.url().rsplit('/').next().unwrap().to_string();
        server.fault(&file, Fault::Status(status), Some(1));
        let mut spec = RepoSpec::new("fedora", "");
        spec.mirrors = Some(src.clone());
        let cache = tempfile::tempdir().unwrap();
        let r = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
            .unwrap_or_else(|e| panic!("{src:?}: {e}"));
        assert_eq!(r.packages.len(), clean.len());
        assert_eq!(server.requests_for(&file).len(), 2, "{src:?}");
    }
}

/// Every mirror of a metalink is tried, as libdnf has librepo do (no cap):
/// ten stale or missing ones before the current one still load. One of a
/// scheme we do not speak is passed over.
#[test]
fn every_mirror_of_a_metalink_is_tried() {
    let (root, server, clean) = served();
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    let base = &server.base;
    let mut urls: Vec<String> = (0..10)
        .map(|i| format!("<url protocol=\"http\">{base}/gone{i}/repodata/repomd.xml</url>"))
        .collect();
    urls.push(format!(
        "<url protocol=\"http\">{base}/repo/repodata/repomd.xml</url>"
    ));
    std::fs::write(
        root.path().join("many.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>{}</resources></file></files></metalink>"#,
            urls.concat()
        ),
    )
    .unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/many.xml")));
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/repo/"));
    assert_eq!(r.packages.len(), clean.len());
    // A mirror we cannot reach (ftp) is passed over, not fatal to the repo;
    // a list of nothing else is one line naming it.
    let list = format!("ftp://127.0.0.1:21/pub/\n{base}/repo/\n");
    std::fs::write(root.path().join("ftp.txt"), list).unwrap();
    spec.mirrors = Some(MirrorSource::Mirrorlist(format!("{base}/ftp.txt")));
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/repo/"));
    std::fs::write(root.path().join("ftp.txt"), "ftp://127.0.0.1:21/pub/\n").unwrap();
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{base}/ftp.txt: lists no mirror these tools can reach (http, https, file); \
             the first is ftp://127.0.0.1:21/pub/"
        )
    );
    // So is one of several baseurls (a .repo file's baseurl=ftp://... http://...).
    let mut spec = RepoSpec::new("web", "ftp://127.0.0.1:21/pub/");
    spec.extra_baseurls = vec![format!("{base}/repo/")];
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/repo/"));
}

/// Only the strongest hash of a metalink's `<verification>` counts, as in
/// librepo: a mirror whose repomd.xml matches the md5 but not the sha256 is
/// stale. A mirrorlist line that is neither a URL nor an absolute path (an
/// HTML page served with 200) is no mirror.
#[test]
fn a_weaker_matching_hash_does_not_save_a_stale_mirror() {
    let (root, server, clean) = served();
    let repomd = std::fs::read(root.path().join("repo/repodata/repomd.xml")).unwrap();
    let md5 = hex::encode(<md5::Md5 as md5::Digest>::digest(&repomd));
    let base = &server.base;
    let metalink = |sha256: &str| {
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="md5">{md5}</hash><hash type="sha256">{sha256}</hash></verification><resources><url protocol="http">{base}/repo/repodata/repomd.xml</url></resources></file></files></metalink>"#
        )
    };
    std::fs::write(root.path().join("md5.xml"), metalink(&"0".repeat(64))).unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/md5.xml")));
    let cache = tempfile::tempdir().unwrap();
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!("{base}/md5.xml: its only mirror could not be used: {base}/repo/repodata/repomd.xml: does not match the metalink's checksums (a stale mirror) (downloaded 4 times)")
    );
    // As dnf 4.14 asked a stale only mirror: repomd.xml 4 times, at once,
    // the metalink once.
    assert_eq!(server.requests_for("/repo/repodata/repomd.xml").len(), 4);
    assert_eq!(server.requests_for("/md5.xml").len(), 1);
    // Stale once, then current but for the metalink's upper-case hash:
    // the line gives the last download's reason alone, not "each of 2
    // times" of a reason the first download did not have.
    let sha256 = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    std::fs::write(
        root.path().join("md5.xml"),
        metalink(&sha256.to_ascii_uppercase()),
    )
    .unwrap();
    server.fault("/repo/repodata/repomd.xml", Fault::Corrupt, Some(1));
    server.clear_log();
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("only the same digits in lower case"), "{e}");
    assert!(e.ends_with("(downloaded 4 times)"), "{e}");
    assert!(!e.contains('\n'), "{e}");
    // A hash that differs only in case is a mismatch like a stale one:
    // dnf 4.14 asked its only mirror 4 times (librepo `strcmp`s it).
    assert_eq!(server.requests_for("/repo/repodata/repomd.xml").len(), 4);
    server.clear_faults();
    // The right sha256 (and the same md5): the mirror is current.

    std::fs::write(root.path().join("md5.xml"), metalink(&sha256)).unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.packages.len(), clean.len());

    std::fs::write(
        root.path().join("page.txt"),
        format!("<html>\n<body>mirror list</body>\n</html>\n{base}/repo/\n"),
    )
    .unwrap();
    spec.mirrors = Some(MirrorSource::Mirrorlist(format!("{base}/page.txt")));
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/repo/"));
    std::fs::write(root.path().join("page.txt"), "<html>busy</html>\n").unwrap();
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{base}/page.txt: the mirrorlist lists no URL (no line holds :// or starts with /)"
        )
    );
}

/// Two repos of one run whose base URLs give the same cache directory name
/// (`a_b/` and `a/b/`), opened in parallel: each is read from its own
/// repomd.xml download, never from the other's renamed over it.
#[test]
fn repos_sharing_a_cache_directory_read_their_own_repomd() {
    fast();
    let repos = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");
    let root = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(format!("{repos}/x86_64"), root.path().join("a_b")).unwrap();
    std::fs::create_dir(root.path().join("a")).unwrap();
    std::os::unix::fs::symlink(format!("{repos}/extras/x86_64"), root.path().join("a/b")).unwrap();
    let server = Server::start(root.path().to_path_buf());
    let names = |dir: &str| -> Vec<String> {
        let spec = RepoSpec::new("one", &format!("{repos}/{dir}"));
        let r = load_repo(&spec, &LoadOptions::default()).unwrap();
        r.packages.iter().map(|p| format!("{p:?}")).collect()
    };
    let (main, extras) = (names("x86_64"), names("extras/x86_64"));
    assert_ne!(main, extras);
    for _ in 0..5 {
        let cache = tempfile::tempdir().unwrap();
        let specs = [
            RepoSpec::new("main", &format!("{}/a_b/", server.base)),
            RepoSpec::new("extras", &format!("{}/a/b/", server.base)),
        ];
        let loaded = load_repos(&specs, &LoadOptions::cached_in(cache.path())).unwrap();
        let got = |i: usize| -> Vec<String> {
            loaded[i]
                .packages
                .iter()
                .map(|p| format!("{p:?}"))
                .collect()
        };
        assert_eq!(got(0), main);
        assert_eq!(got(1), extras);
    }
}

/// A body without end is cut off, not written to the end of the disk:
/// metadata at twice repomd.xml's `<size>` and a MiB, a repomd.xml at 64 MiB;
/// not retried (the server would send as much again), nothing left behind.
#[test]
fn a_body_without_end_is_cut_off() {
    let (root, server, _) = served();
    let base = &server.base;
    let cache = tempfile::tempdir().unwrap();
    // repomd.xml gives primary's size.
    let rd = root.path().join("repo/repodata");
    let size = std::fs::metadata(rd.join("p.xml.gz")).unwrap().len();
    let repomd = std::fs::read_to_string(rd.join("repomd.xml")).unwrap();
    std::fs::write(
        rd.join("repomd.xml"),
        repomd.replace("</checksum>", &format!("</checksum><size>{size}</size>")),
    )
    .unwrap();
    server.fault("/repo/repodata/p.xml.gz", Fault::Endless, None);
    let spec = RepoSpec::new("web", &format!("{base}/repo/"));
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    let most = size * 2 + (1 << 20);
    assert_eq!(
        e,
        format!(
            "{base}/repo/repodata/p.xml.gz: more than the {most} bytes that twice \
             repomd.xml's <size> and a MiB allow"
        )
    );
    assert_eq!(server.requests_for("/repo/repodata/p.xml.gz").len(), 1);
    server.clear_faults();
    server.fault("/repo/repodata/repomd.xml", Fault::Endless, None);
    let start = Instant::now();
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{base}/repo/repodata/repomd.xml: more than the 67108864 bytes a repomd.xml, \
             metalink or mirrorlist may have"
        )
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    // No temporaries: only the first load's repomd.xml.
    let left = files_in(cache.path());
    assert!(left.iter().all(|f| f.ends_with("/repomd.xml")), "{left:?}");
}

#[test]
fn a_mirror_that_fails_a_file_is_left_for_the_next() {
    // Two baseurls (a .repo file's multi-URL baseurl=): the first has
    // repomd.xml but its primary fails for good; the second delivers it.
    let (root, server, clean) = served();
    std::fs::create_dir_all(root.path().join("second")).unwrap();
    write_repo(&root.path().join("second"));
    server.fault("/repo/repodata/p.xml.gz", Fault::Status(500), None);
    let mut spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    spec.extra_baseurls = vec![format!("{}/second/", server.base)];
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    let got: Vec<String> = r.packages.iter().map(|p| format!("{p:?}")).collect();
    assert_eq!(got, clean);
    // The first mirror was asked once (left at once, not retried).
    assert_eq!(server.requests_for("/repo/repodata/p.xml.gz").len(), 1);
    assert_eq!(server.requests_for("/second/repodata/p.xml.gz").len(), 1);
}

/// The pool cache over HTTP: while repomd.xml names the same files, the
/// second load reads the pool and downloads only repomd.xml; a repomd.xml
/// without checksums names no contents, so such a repo is never cached
/// (its files are fetched afresh, and a change is seen at once).
#[test]
fn http_pool_is_cached_only_when_repomd_names_its_files() {
    use buildroot_core::pool::Pool;
    let (root, server, _) = served();
    let spec = RepoSpec::new("web", &format!("{}/repo/", server.base));
    let cache = root.path().join("pool-cache");
    let load = || {
        Pool::load(
            "x86_64",
            std::slice::from_ref(&spec),
            &LoadOptions::cached_in(&cache),
        )
        .unwrap()
    };
    assert!(!load().from_cache());
    server.clear_log();
    let cached = load();
    assert!(cached.from_cache());
    assert_eq!(cached.len(), 60);
    assert!(server.requests_for("p.xml.gz").is_empty());
    assert_eq!(server.requests_for("repomd.xml").len(), 1);

    // No checksum in repomd.xml, and the primary changes behind it.
    let rd = root.path().join("repo/repodata");
    let repomd =
        r#"<repomd><data type="primary"><location href="repodata/p.xml.gz"/></data></repomd>"#;
    std::fs::write(rd.join("repomd.xml"), repomd).unwrap();
    for _ in 0..2 {
        assert!(!load().from_cache());
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    e.write_all(br#"<metadata xmlns:rpm="x"><package type="rpm"><name>bar</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><location href="bar.rpm"/></package></metadata>"#)
        .unwrap();
    std::fs::write(rd.join("p.xml.gz"), e.finish().unwrap()).unwrap();
    let p = load();
    assert!(!p.from_cache());
    assert_eq!(p.len(), 1);
}

/// A repo whose one package requires `path`, with a filelists.xml.
fn write_repo_requiring(dir: &Path, path: &str) {
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    let primary = format!(
        r#"<metadata xmlns:rpm="x" packages="1"><package type="rpm"><name>a</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><checksum type="sha256" pkgid="YES">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</checksum><location href="a.rpm"/><format><rpm:requires><rpm:entry name="{path}"/></rpm:requires><file>/usr/bin/a</file></format></package></metadata>"#
    );
    let filelists = r#"<filelists packages="1"><package pkgid="aa" name="a" arch="noarch"><version epoch="0" ver="1" rel="1"/><file>/usr/bin/a</file><file>/usr/share/a</file></package></filelists>"#;
    let mut data = String::new();
    for (kind, body) in [("primary", primary.as_str()), ("filelists", filelists)] {
        std::fs::write(rd.join(format!("{kind}.xml")), body).unwrap();
        let sum = sha256_file(&rd.join(format!("{kind}.xml"))).unwrap();
        data.push_str(&format!(r#"<data type="{kind}"><checksum type="sha256">{sum}</checksum><location href="repodata/{kind}.xml"/></data>"#));
    }
    std::fs::write(rd.join("repomd.xml"), format!("<repomd>{data}</repomd>")).unwrap();
}

#[test]
fn filelists_are_downloaded_only_for_paths_primary_does_not_list() {
    fast();
    let root = tempfile::tempdir().unwrap();
    write_repo_requiring(&root.path().join("bin"), "/usr/bin/a");
    write_repo_requiring(&root.path().join("share"), "/usr/share/a");
    let server = Server::start(root.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let files = |repo: &str| {
        let spec = RepoSpec::new(repo, &format!("{}/{repo}/", server.base));
        load_repo(&spec, &LoadOptions::cached_in(cache.path()))
            .unwrap()
            .packages[0]
            .files
            .clone()
    };
    assert_eq!(files("bin"), ["/usr/bin/a"]);
    assert!(server
        .requests_for("/bin/repodata/filelists.xml")
        .is_empty());
    assert_eq!(files("share"), ["/usr/bin/a", "/usr/share/a"]);
    assert_eq!(
        server.requests_for("/share/repodata/filelists.xml").len(),
        1
    );
}

/// A repo's files share one tally of its mirrors, as librepo downloads them
/// in one go: a mirror that stalled on primary.xml before delivering
/// anything goes last, and filelists.xml is asked of the mirror now first
/// (dnf 4.14, whose first of 3 mirrors hung, asked it for each file, all
/// at once, then the last mirror: one timeout in all, as here, where the
/// files come one after the other).
#[test]
fn a_mirror_that_stalls_on_one_file_goes_last_for_the_next() {
    let (_root, server, spec) = three_mirrors_needing_filelists();
    for f in ["repomd.xml", "primary.xml", "filelists.xml"] {
        server.fault(&format!("/a/repodata/{f}"), Fault::Stall, None);
    }
    let f = repodata_path;
    assert_eq!(
        loaded_with_files_asking(&server, &spec),
        [
            f("a", "repomd"),
            f("c", "repomd"),
            f("a", "primary"),
            f("c", "primary"),
            f("c", "filelists"),
        ]
    );
}

/// `write_repo_requiring`'s repo (filelists.xml needed) at `a`, with `b`
/// and `c` as its mirrors, served.
fn three_mirrors_needing_filelists() -> (tempfile::TempDir, Server, RepoSpec) {
    fast();
    let root = tempfile::tempdir().unwrap();
    write_repo_requiring(&root.path().join("a"), "/usr/share/a");
    for m in ["b", "c"] {
        std::os::unix::fs::symlink(root.path().join("a"), root.path().join(m)).unwrap();
    }
    let server = Server::start(root.path().to_path_buf());
    let base = &server.base;
    let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
    spec.extra_baseurls = vec![format!("{base}/b/"), format!("{base}/c/")];
    (root, server, spec)
}

/// `three_mirrors_needing_filelists()`'s repo loaded into a fresh cache
/// (both its files read), and the paths asked of `server` for it.
fn loaded_with_files_asking(server: &Server, spec: &RepoSpec) -> Vec<String> {
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.packages[0].files, ["/usr/bin/a", "/usr/share/a"]);
    asked(server)
}

/// The path of mirror `m`'s repodata file `f`.xml.
fn repodata_path(m: &str, f: &str) -> String {
    format!("/{m}/repodata/{f}.xml")
}

/// A file's later turns ask first the mirror that failed least over the
/// repo's files, as librepo's do (in round `k`, only a mirror that failed
/// at most `k` times): dnf 4.14, whose `a` answered 404 for every file,
/// `b` 503 once for filelists.xml and `c` 404, asked `a b c b` for it and
/// loaded the repo. Counted alone, the file's turns were `a b c a`, and
/// the load failed.
#[test]
fn a_files_later_turns_ask_the_mirror_that_failed_least_over_the_repo() {
    let (_root, server, spec) = three_mirrors_needing_filelists();
    for f in ["primary.xml", "filelists.xml"] {
        server.fault(&format!("/a/repodata/{f}"), Fault::Status(404), None);
    }
    server.fault("/b/repodata/filelists.xml", Fault::Status(503), Some(1));
    server.fault("/c/repodata/filelists.xml", Fault::Status(404), None);
    let f = repodata_path;
    assert_eq!(
        loaded_with_files_asking(&server, &spec),
        [
            f("a", "repomd"),
            f("a", "primary"),
            f("b", "primary"),
            f("a", "filelists"),
            f("b", "filelists"),
            f("c", "filelists"),
            f("b", "filelists"),
        ]
    );
}

/// A file taken from our cache asked no mirror, and counts for none (this
/// run learnt nothing of a mirror from it): a first mirror that times out
/// on filelists.xml has delivered nothing in this run and goes last (`a
/// c`), whether or not primary.xml was in our cache already.
#[test]
fn a_file_from_the_cache_counts_for_no_mirror() {
    let (_root, server, spec) = three_mirrors_needing_filelists();
    let cache = tempfile::tempdir().unwrap();
    let primary_only = LoadOptions {
        filelists: buildroot_core::rpmmd::Filelists::PrimaryOnly,
        cache_dir: Some(cache.path().to_path_buf()),
    };
    load_repo(&spec, &primary_only).unwrap();
    server.fault("/a/repodata/filelists.xml", Fault::Stall, None);
    server.clear_log();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.packages[0].files, ["/usr/bin/a", "/usr/share/a"]);
    let f = repodata_path;
    assert_eq!(
        asked(&server),
        [f("a", "repomd"), f("a", "filelists"), f("c", "filelists")]
    );
}

/// A repomd.xml that cannot be read (a mirror caught mid-sync cut it
/// short), from a mirror no metalink hash refused, ends that mirror's turn
/// and the next is asked; on purpose, where dnf 4.14 failed the repo at
/// once ("repomd.xml parser error") without asking the next mirror (docs/
/// formats.md section 8). The files still come from the top of the list.
/// A repo of that one mirror fails with one line naming the file.
#[test]
fn a_repomd_cut_short_passes_the_turn_to_the_next_mirror() {
    let (root, server, clean) = served();
    let cut = root.path().join("a/repodata");
    std::fs::create_dir_all(&cut).unwrap();
    let repomd = std::fs::read(root.path().join("repo/repodata/repomd.xml")).unwrap();
    std::fs::write(cut.join("repomd.xml"), &repomd[..repomd.len() / 2]).unwrap();
    std::fs::copy(
        root.path().join("repo/repodata/p.xml.gz"),
        cut.join("p.xml.gz"),
    )
    .unwrap();
    mirrors_of_repo(root.path(), &["b"]);
    let base = &server.base;
    let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
    spec.extra_baseurls = vec![format!("{base}/b/")];
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(packages(&spec, cache.path()).unwrap(), clean);
    assert_eq!(
        asked(&server),
        [
            "/a/repodata/repomd.xml",
            "/b/repodata/repomd.xml",
            "/a/repodata/p.xml.gz",
        ]
    );
    let alone = RepoSpec::new("web", &format!("{base}/a/"));
    let e = packages(&alone, cache.path()).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{base}/a/repodata/repomd.xml: ")),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    assert_eq!(asked(&server), ["/a/repodata/repomd.xml"]);
}

/// `served()`'s repo under the names `names` too (symlinks), each a mirror.
fn mirrors_of_repo(root: &Path, names: &[&str]) {
    for m in names {
        std::os::unix::fs::symlink(root.join("repo"), root.join(m)).unwrap();
    }
}

/// The paths asked of `server` so far, and its log cleared.
fn asked(server: &Server) -> Vec<String> {
    let paths = server.requests().into_iter().map(|r| r.path).collect();
    server.clear_log();
    paths
}

/// A transfer cut mid-body on one mirror is not resumed on the next: its
/// file starts there from byte 0, as librepo 1.14 (dnf 4.14) truncates a
/// download back to where it began before asking the next mirror; bytes
/// of two mirrors are never spliced.
#[test]
fn a_cut_transfer_starts_from_byte_0_on_the_next_mirror() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["a", "b"]);
    let base = &server.base;
    server.fault("/a/repodata/p.xml.gz", Fault::ResetMidBody, None);
    let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
    spec.extra_baseurls = vec![format!("{base}/b/")];
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.packages.len(), clean.len());
    let reqs: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("p.xml.gz"))
        .collect();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/a/repodata/p.xml.gz", "/b/repodata/p.xml.gz"]);
    assert!(reqs.iter().all(|r| r.range.is_none()), "{reqs:?}");
}

/// A mirror that times out changes places with the last, which is asked
/// next, as librepo's adaptive sorting moves it: dnf 4.14, of `a b c`
/// whose `a` timed out, asked `a c` for repomd.xml.
#[test]
fn a_mirror_that_times_out_is_followed_by_the_last() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["a", "b", "c"]);
    let base = &server.base;
    server.fault("/a/repodata/repomd.xml", Fault::Stall, None);
    let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
    spec.extra_baseurls = vec![format!("{base}/b/"), format!("{base}/c/")];
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.packages.len(), clean.len());
    assert_eq!(r.spec.baseurl, format!("{base}/c/"));
    let repomds: Vec<String> = asked(&server)
        .into_iter()
        .filter(|p| p.ends_with("repomd.xml"))
        .collect();
    assert_eq!(
        repomds,
        ["/a/repodata/repomd.xml", "/c/repodata/repomd.xml"]
    );
}

/// Several mirrors that fail are asked in librepo's turns: each once, then
/// again from the first until 4 requests, at once; the orders dnf 4.14
/// made (a local server answering 404, 503 or resetting the connection):
/// `a b a b` for two mirrors, `a b c a` for three, one request each for
/// five. Alike for a baseurl list, a mirrorlist and a metalink.
#[test]
fn failing_mirrors_are_asked_in_librepos_turns() {
    let (root, server, _) = served();
    let names = ["a", "b", "c", "d", "e"];
    mirrors_of_repo(root.path(), &names);
    let base = &server.base;
    let repomd = |m: &str| format!("/{m}/repodata/repomd.xml");
    let cache = tempfile::tempdir().unwrap();
    for (n, fault, want) in [
        (2, Fault::Status(404), "abab"),
        (2, Fault::Status(503), "abab"),
        (2, Fault::ResetBeforeAnswer, "abab"),
        (3, Fault::Status(404), "abca"),
        (5, Fault::Status(404), "abcde"),
    ] {
        server.clear_faults();
        for m in &names[..n] {
            server.fault(&repomd(m), fault.clone(), None);
        }
        let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
        spec.extra_baseurls = names[1..n].iter().map(|m| format!("{base}/{m}/")).collect();
        let start = Instant::now();
        let e = packages(&spec, cache.path()).unwrap_err().to_string();
        // Turns wait for nothing: each is one attempt with no retries
        // (turns.rs's unit test), so no backoff, whose 50 ms here a loaded
        // machine would hide anyway. Bounded loosely: a few milliseconds,
        // where a wait of the 1 s timeout per turn would take 4 s or more.
        assert!(start.elapsed() < Duration::from_secs(3), "{e}");
        let order: Vec<String> = want.chars().map(|m| repomd(&m.to_string())).collect();
        assert_eq!(asked(&server), order, "{n} mirrors, {fault:?}");
        let note = if want.len() > n {
            format!(" ({} attempts, taking turns)", want.len())
        } else {
            String::new()
        };
        let last = want.chars().last().unwrap();
        assert!(
            e.starts_with(&format!(
                "{base}/a/: none of {n} mirror(s) could be used{note}; the last said: {base}/{last}/repodata/repomd.xml: "
            )),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    // A mirrorlist and a metalink of two mirrors that answer 404: alike.
    server.clear_faults();
    for m in ["a", "b"] {
        server.fault(&repomd(m), Fault::Status(404), None);
    }
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    std::fs::write(
        root.path().join("list.txt"),
        format!("{base}/a/\n{base}/b/\n"),
    )
    .unwrap();
    std::fs::write(
        root.path().join("ml.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources><url>{base}/a/repodata/repomd.xml</url><url>{base}/b/repodata/repomd.xml</url></resources></file></files></metalink>"#
        ),
    )
    .unwrap();
    for src in [
        MirrorSource::Mirrorlist(format!("{base}/list.txt")),
        MirrorSource::Metalink(format!("{base}/ml.xml")),
    ] {
        let mut spec = RepoSpec::new("fedora", "");
        spec.mirrors = Some(src.clone());
        packages(&spec, cache.path()).unwrap_err();
        let list = format!("/{}", src.url().rsplit('/').next().unwrap());
        let want = [list, repomd("a"), repomd("b"), repomd("a"), repomd("b")];
        assert_eq!(asked(&server), want, "{src:?}");
    }
}

/// The files repomd.xml lists are asked of the mirrors from the top of the
/// list again, whichever delivered repomd.xml, as librepo asks for them:
/// dnf 4.14, whose first mirror answered repomd.xml with a 503, took
/// primary.xml from it (`a b` for repomd.xml, then `a`); one that cannot
/// deliver it passes the turn to the next.
#[test]
fn a_file_may_come_from_a_mirror_that_failed_repomd() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["a", "b"]);
    let base = &server.base;
    server.fault("/a/repodata/repomd.xml", Fault::Status(503), None);
    let mut spec = RepoSpec::new("web", &format!("{base}/a/"));
    spec.extra_baseurls = vec![format!("{base}/b/")];
    let cache = tempfile::tempdir().unwrap();
    let got = packages(&spec, cache.path()).unwrap();
    assert_eq!(got, clean);
    assert_eq!(
        asked(&server),
        [
            "/a/repodata/repomd.xml",
            "/b/repodata/repomd.xml",
            "/a/repodata/p.xml.gz",
        ]
    );
    // A first mirror that has nothing: asked first for each file all the
    // same (404), then the next.
    server.clear_log();
    server.clear_faults();
    server.fault("/a/repodata/repomd.xml", Fault::Status(404), None);
    server.fault("/a/repodata/p.xml.gz", Fault::Status(404), None);
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(packages(&spec, cache.path()).unwrap(), clean);
    assert_eq!(
        asked(&server),
        [
            "/a/repodata/repomd.xml",
            "/b/repodata/repomd.xml",
            "/a/repodata/p.xml.gz",
            "/b/repodata/p.xml.gz",
        ]
    );
}

/// A metalink whose hash is in upper case matches no mirror's repomd.xml,
/// as dnf 4.14 compares it as written (`a b a b`, then the repo fails);
/// the line says that the case is why.
#[test]
fn a_metalink_hash_in_upper_case_fails_as_in_dnf_and_says_why() {
    let (root, server, _) = served();
    mirrors_of_repo(root.path(), &["a", "b"]);
    let base = &server.base;
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    let upper = sum.to_ascii_uppercase();
    std::fs::write(
        root.path().join("ml.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{upper}</hash></verification><resources><url>{base}/a/repodata/repomd.xml</url><url>{base}/b/repodata/repomd.xml</url></resources></file></files></metalink>"#
        ),
    )
    .unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/ml.xml")));
    let cache = tempfile::tempdir().unwrap();
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{base}/ml.xml: none of 2 mirror(s) could be used (4 attempts, taking turns); \
             the last said: {base}/b/repodata/repomd.xml: does not match the metalink's \
             sha256 \"{upper}\", only the same digits in lower case: the download has {sum}, \
             and hashes are compared as written, as dnf compares them (it fails this mirror too)"
        )
    );
    let repomd = |m: &str| format!("/{m}/repodata/repomd.xml");
    assert_eq!(
        asked(&server),
        [
            "/ml.xml".to_string(),
            repomd("a"),
            repomd("b"),
            repomd("a"),
            repomd("b")
        ]
    );
}

/// A repo with a baseurl and a metalink: libdnf hands librepo both, which
/// asks the metalink's mirrors first, then the baseurl, all held to the
/// metalink's checksums (dnf 4.14 took such a repo from the metalink's
/// mirror, fell back to the baseurl when that one answered 404, and failed
/// when the baseurl's repomd.xml matched no hash). A metalink that cannot
/// be had leaves the baseurl alone, with a warning, as librepo goes on.
#[test]
fn a_baseurl_beside_a_metalink_is_one_more_mirror() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["a", "b"]);
    let base = &server.base;
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    let metalink = |hash: &str| {
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{hash}</hash></verification><resources><url>{base}/b/repodata/repomd.xml</url></resources></file></files></metalink>"#
        )
    };
    std::fs::write(root.path().join("ml.xml"), metalink(&sum)).unwrap();
    let mut spec = RepoSpec::new("fedora", &format!("{base}/a/"));
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/ml.xml")));
    let cache = tempfile::tempdir().unwrap();
    let load = |spec: &RepoSpec| load_repo(spec, &LoadOptions::cached_in(cache.path()));
    let r = load(&spec).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/b/"));
    assert_eq!(r.packages.len(), clean.len());
    assert_eq!(
        asked(&server),
        ["/ml.xml", "/b/repodata/repomd.xml", "/b/repodata/p.xml.gz"]
    );
    // The metalink's mirror fails: the baseurl, checked against the hash
    // (its primary.xml, the same file, is b's copy from the first load).
    server.fault("/b/repodata/repomd.xml", Fault::Status(404), None);
    let r = load(&spec).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/a/"));
    assert_eq!(r.packages.len(), clean.len());
    let repomd = |m: &str| format!("/{m}/repodata/repomd.xml");
    assert_eq!(
        asked(&server),
        ["/ml.xml".to_string(), repomd("b"), repomd("a")]
    );
    // No mirror, the baseurl included, matches the metalink: one line.
    server.clear_faults();
    std::fs::write(root.path().join("ml.xml"), metalink(&"0".repeat(64))).unwrap();
    let e = load(&spec).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{base}/ml.xml: none of 2 mirror(s) could be used (4 attempts, taking turns); \
             the last said: {base}/a/repodata/repomd.xml: does not match"
        )),
        "{e}"
    );
    // A metalink that cannot be had: the baseurl alone.
    server.fault("/ml.xml", Fault::Status(404), None);
    let r = load(&spec).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/a/"));
    assert_eq!(r.packages.len(), clean.len());
}

/// A baseurl these tools cannot reach (ftp) beside a metalink is passed
/// over as a listed ftp mirror is: the metalink's mirrors load the repo
/// (dnf asks them first too), and only with no other mirror is the
/// baseurl's scheme the error.
#[test]
fn an_ftp_baseurl_beside_a_metalink_does_not_sink_the_repo() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["b"]);
    let base = &server.base;
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    std::fs::write(
        root.path().join("ml.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources><url>{base}/b/repodata/repomd.xml</url></resources></file></files></metalink>"#
        ),
    )
    .unwrap();
    let mut spec = RepoSpec::new("fedora", "ftp://ftp.example.org/pub/fedora/");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/ml.xml")));
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/b/"));
    assert_eq!(r.packages.len(), clean.len());
    // The metalink cannot be had: the ftp baseurl alone, and its error.
    server.fault("/ml.xml", Fault::Status(404), None);
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unsupported URL scheme"), "{e}");
}

/// libdnf's yum compatibility: a `mirrorlist=` whose URL says "metalink"
/// is read as a metalink too (dnf 4.14 loaded such a repo from the
/// metalink's mirror), held to its checksums.
#[test]
fn a_mirrorlist_url_that_says_metalink_is_read_as_one() {
    let (root, server, clean) = served();
    mirrors_of_repo(root.path(), &["b"]);
    let base = &server.base;
    let sum = sha256_file(&root.path().join("repo/repodata/repomd.xml")).unwrap();
    let metalink = |hash: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<metalink version=\"3.0\" xmlns=\"http://www.metalinker.org/\">\n<files><file name=\"repomd.xml\"><verification><hash type=\"sha256\">{hash}</hash></verification><resources>\n<url protocol=\"http\">{base}/b/repodata/repomd.xml</url>\n</resources></file></files></metalink>\n"
        )
    };
    std::fs::write(root.path().join("metalink"), metalink(&sum)).unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Mirrorlist(format!("{base}/metalink")));
    let cache = tempfile::tempdir().unwrap();
    let r = load_repo(&spec, &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(r.spec.baseurl, format!("{base}/b/"));
    assert_eq!(r.packages.len(), clean.len());
    // Its checksums hold.
    std::fs::write(root.path().join("metalink"), metalink(&"0".repeat(64))).unwrap();
    let e = load_repo(&spec, &LoadOptions::cached_in(cache.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("a stale mirror"), "{e}");
}

/// A metalink's `Retry-After` is passed over for the backoff, as librepo
/// reads none: dnf 4.14 asked a metalink answering 503 with `Retry-After:
/// 30` 12 times in 9 s, where honouring it made 270 s of waits.
#[test]
fn a_list_of_mirrors_is_not_held_up_by_retry_after() {
    fast();
    let (root, server, _) = served();
    std::fs::write(root.path().join("ml.xml"), "<metalink/>").unwrap();
    server.fault("/ml.xml", Fault::RetryAfter(503, "2".into()), None);
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{}/ml.xml", server.base)));
    let cache = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    // 9 waits of 2 s honoured; the backoff's 0.05, 0.1, 0.2 s a round.
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "{:?}",
        start.elapsed()
    );
    assert!(
        e.contains("HTTP 503 (gave up after 4 attempts), in each of 3 rounds"),
        "{e}"
    );
    assert_eq!(asked(&server), vec!["/ml.xml".to_string(); 12]);
}

/// A metalink or mirrorlist that cannot be had is fetched in three rounds
/// of the usual tries, as librepo fetches one: dnf 4.14 asked a metalink
/// that answered 404 twelve times.
#[test]
fn a_list_of_mirrors_gets_three_rounds_of_tries() {
    let (root, server, _) = served();
    std::fs::write(root.path().join("ml.xml"), "<metalink/>").unwrap();
    server.fault("/ml.xml", Fault::Status(404), None);
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{}/ml.xml", server.base)));
    let cache = tempfile::tempdir().unwrap();
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}/ml.xml: HTTP 404 (gave up after 4 attempts), in each of 3 rounds, as dnf \
             fetches a list of mirrors",
            server.base
        )
    );
    assert_eq!(asked(&server), vec!["/ml.xml".to_string(); 12]);
    // One that answers in the second round is read.
    server.clear_faults();
    server.fault("/ml.xml", Fault::Status(404), Some(5));
    let e = packages(&spec, cache.path()).unwrap_err().to_string();
    assert!(e.contains("the metalink lists no repomd.xml URL"), "{e}");
    assert_eq!(asked(&server).len(), 6);
}

/// A download error carries the status of the last answer when that
/// answer failed it (`Error::Http`'s `status`), and none when no answer
/// did: what a caller that tells answers apart reads (identify-archful-
/// srpms's missing SRPMs, 404 and 410), instead of the line's words. The
/// line stays the same.
#[test]
fn an_error_carries_the_last_answer_s_status() {
    fast();
    let (_root, server, _) = served();
    let base = &server.base;
    let status_of = |spec: &RepoSpec| {
        let cache = tempfile::tempdir().unwrap();
        match packages(spec, cache.path()).unwrap_err() {
            buildroot_core::Error::Http { status, .. } => status,
            other => panic!("not an HTTP error: {other}"),
        }
    };
    let at = |path: &str| RepoSpec::new("web", &format!("{base}/{path}"));
    assert_eq!(status_of(&at("missing")), Some(404));
    server.fault("/gone/repodata/repomd.xml", Fault::Status(410), None);
    assert_eq!(status_of(&at("gone")), Some(410));
    server.fault("/busy/repodata/repomd.xml", Fault::Status(503), None);
    assert_eq!(status_of(&at("busy")), Some(503));
    // 503 once, then the file is not there: the last answer's, 404.
    server.fault("/late/repodata/repomd.xml", Fault::Status(503), Some(1));
    assert_eq!(status_of(&at("late")), Some(404));
    // At the end of a redirect, that answer's.
    let empty = tempfile::tempdir().unwrap();
    let other = Server::start(empty.path().to_path_buf());
    server.fault(
        "/moved/repodata/repomd.xml",
        Fault::Redirect(other.base.clone()),
        None,
    );
    assert_eq!(status_of(&at("moved")), Some(404));
    // A redirect refused, no server at all: no answer's status.
    server.fault(
        "/local/repodata/repomd.xml",
        Fault::Redirect("file://".into()),
        None,
    );
    assert_eq!(status_of(&at("local")), None);
    let port = dead_port();
    let dead = RepoSpec::new("web", &format!("http://127.0.0.1:{port}/x"));
    assert_eq!(status_of(&dead), None);
    // A package of two mirrors: the last one's answer, as the line ends
    // with it (`... the last said: URL: HTTP 410 ...`).
    let locs = [
        buildroot_core::rpmmd::Location::parse(&format!("{base}/busy/")).unwrap(),
        buildroot_core::rpmmd::Location::parse(&format!("{base}/gone/")).unwrap(),
    ];
    server.fault("/busy/x.src.rpm", Fault::Status(503), None);
    server.fault("/gone/x.src.rpm", Fault::Status(410), None);
    let cache = tempfile::tempdir().unwrap();
    let access = buildroot_core::rpmmd::RepoAccess::default();
    let e = package_file_from(
        &locs,
        "x.src.rpm",
        Some(cache.path()),
        None,
        None,
        &access,
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("the last said: "), "{e}");
    assert!(
        matches!(
            e,
            buildroot_core::Error::Http {
                status: Some(410),
                ..
            }
        ),
        "{e}"
    );
}
