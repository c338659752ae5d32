//! identify-archful-srpms on its own: what it prints (names, `--json`,
//! `--json-file`, `--map`), what its cache holds after a run (the listed
//! sources' SRPMs, repaired and pruned), its warnings and notes, and that a
//! failed run says one line and writes nothing. The archful verdicts of
//! single specs are buildroot-core's tests; the tool's part in the workflow
//! is `archful_workflow`.

use std::path::Path;

use cli_tests::http_support::{Fault, Server};
use cli_tests::{cmd, fixture, srpm_names, TestContext, Tool};
use serde_json::{json, Value};

/// The fixture compose's source names.
const SOURCES: &str = "testdata/compose/sources.txt";

/// The tool over the fixture source repo, caching into `cache`.
fn identify(cache: &Path) -> assert_cmd::Command {
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "src=testdata/repos/source", "--cache"])
        .arg(cache);
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `name=file` of every source of the compose, from the fixture repo's files.
fn expected_map() -> String {
    let names = std::fs::read_to_string(fixture("compose/sources.txt")).unwrap();
    let files = srpm_names(&fixture("repos/source"));
    let mut map = String::new();
    for n in names.lines() {
        let f = files
            .iter()
            .find(|f| {
                f.strip_prefix(n)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            })
            .unwrap_or_else(|| panic!("no SRPM of {n} in the fixture"));
        map.push_str(&format!("{n}={f}\n"));
    }
    map
}

const NO_REPOS_NOTE: &str = "identify-archful-srpms: note: no binary repositories (--repo, --repofile, --dnf-conf): built-in ELN macros\n";

#[test]
fn names_on_stdout_the_map_and_a_cache_of_exactly_the_listed_sources() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let out = identify(&cache)
        .arg("--map")
        .arg(t.join("map.txt"))
        .arg(SOURCES)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "libjpeg-turbo\n");
    assert_eq!(text(&out.stderr), NO_REPOS_NOTE);
    let map = std::fs::read_to_string(t.join("map.txt")).unwrap();
    assert_eq!(map, expected_map());
    let files: Vec<String> = map
        .lines()
        .map(|l| l.split_once('=').unwrap().1.to_string())
        .collect();
    assert_eq!(srpm_names(&cache), files);
    // Byte for byte the repository's files.
    for f in &files {
        assert_eq!(
            std::fs::read(cache.join(f)).unwrap(),
            std::fs::read(fixture("repos/source").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn stdin_and_a_file_give_the_same_answer() {
    let t = TestContext::new();
    let from_file = identify(&t.join("a"))
        .arg("-q")
        .arg(SOURCES)
        .output()
        .unwrap();
    let list = std::fs::read_to_string(fixture("compose/sources.txt")).unwrap();
    for input in [None, Some("-")] {
        let mut c = identify(&t.join("b"));
        c.arg("-q");
        if let Some(i) = input {
            c.arg(i);
        }
        let from_stdin = c.write_stdin(list.clone()).output().unwrap();
        assert_eq!(from_stdin.status.code(), Some(0));
        assert_eq!(from_stdin.stdout, from_file.stdout);
        assert_eq!(from_stdin.stderr, b"");
    }
    assert_eq!(srpm_names(&t.join("a")), srpm_names(&t.join("b")));
}

#[test]
fn an_arch_given_twice_is_asked_about_once() {
    let t = TestContext::new();
    let out = identify(&t.join("cache"))
        .args(["--repo", "bin=testdata/repos/$basearch", "--json"])
        .args(["--arch", "x86_64", "--arch", "aarch64", "--arch", "x86_64"])
        .write_stdin("libjpeg-turbo\n")
        .assert()
        .success();
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["arches"], json!(["x86_64", "aarch64"]));
    // Its macro packages are read once: one note.
    let err = text(&out.get_output().stderr);
    let notes = err
        .lines()
        .filter(|l| l.starts_with("identify-archful-srpms: note: x86_64: macros"))
        .count();
    assert_eq!(notes, 1, "{err}");
}

/// A repo `skip_if_unavailable=1` left out is named in `--json`'s
/// `skipped_repos`, as buildroot-generator's document names it: `gone` is
/// missing from every load, `bin` only from ppc64le's macro load (the
/// fixture has no ppc64le repo); sorted, each once; `-q` keeps the warnings.
#[test]
fn json_names_the_repos_skip_if_unavailable_left_out() {
    let t = TestContext::new();
    let repos = cli_tests::root().join("testdata/repos");
    let repofile = t.join("skip.repo");
    std::fs::write(
        &repofile,
        format!(
            "[src]\nbaseurl={r}/source\n\n[gone]\nbaseurl={r}/gone\nskip_if_unavailable=1\n\n\
             [bin]\nbaseurl={r}/$basearch\nskip_if_unavailable=1\n",
            r = repos.display()
        ),
    )
    .unwrap();
    let mut c = cmd(Tool::IdentifyArchful);
    c.arg("--repofile")
        .arg(&repofile)
        .arg("--cache")
        .arg(t.join("cache"))
        .args(["-q", "--json", "--arch", "x86_64", "--arch", "ppc64le"])
        .write_stdin("libjpeg-turbo\n");
    let out = c.output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped_repos"], json!(["bin", "gone"]), "{v}");
    assert!(
        err.contains("warning: repo 'gone' skipped (skip_if_unavailable=1)"),
        "{err}"
    );
    // x86_64's macros came from `bin`, which the run had there.
    assert_eq!(v["macros"]["x86_64"]["from"], "repos", "{v}");
}

#[test]
fn json_on_stdout_and_in_a_file_are_the_same_document() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let names = "libjpeg-turbo\nzlib\nno-such-source\n";
    // --json-file alone: stdout keeps the names.
    identify(&cache)
        .args(["-q", "--json-file"])
        .arg(t.join("doc.json"))
        .write_stdin(names)
        .assert()
        .success()
        .stdout("libjpeg-turbo\n");
    let out = identify(&cache)
        .args(["-q", "--json"])
        .write_stdin(names)
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert_eq!(std::fs::read_to_string(t.join("doc.json")).unwrap(), stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    // The default arches, sorted; what is missing; where the macros came from.
    assert_eq!(
        v["arches"],
        json!(["aarch64", "ppc64le", "s390x", "x86_64"])
    );
    assert_eq!(v["missing"], json!(["no-such-source"]));
    // Every repo was there: no such key (the document is as before it existed).
    assert!(v.get("skipped_repos").is_none(), "{stdout}");
    assert_eq!(v["grep_fallback"], json!([]));
    assert_eq!(v["not_buildable"], json!({}));
    for arch in ["aarch64", "ppc64le", "s390x", "x86_64"] {
        assert_eq!(
            v["macros"][arch],
            json!({"from": "built-in", "packages": [], "rpmversion": "6.1.0"})
        );
    }
    let archful = v["archful"].as_array().unwrap();
    assert_eq!(archful.len(), 1, "{stdout}");
    assert_eq!(archful[0]["name"], "libjpeg-turbo");
    assert_eq!(archful[0]["file"], "libjpeg-turbo-3.0.3-1.eln150.src.rpm");
    assert_eq!(archful[0]["verdict"], "evaluated");
    assert_eq!(
        archful[0]["build_requires"]["aarch64"],
        json!(["gcc", "make", "zlib-devel"])
    );
    assert_eq!(
        archful[0]["build_requires"]["x86_64"],
        json!(["gcc", "make", "nasm"])
    );
}

#[test]
fn missing_names_are_warnings_and_quiet_silences_them() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let out = identify(&cache)
        .write_stdin("zlib\nno-such-source\nzlib\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        format!("identify-archful-srpms: warning: no-such-source: no source package of that name in the repositories\n{NO_REPOS_NOTE}")
    );
    assert_eq!(srpm_names(&cache), ["zlib-1.3.1-1.eln150.src.rpm"]);
    identify(&cache)
        .arg("-q")
        .write_stdin("zlib\nno-such-source\n")
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn a_binarys_name_given_as_a_source_is_pointed_at_its_source() {
    // As buildroot-generator says it: the binary repos, whose pools the
    // macro step loaded, know whose binary bzip2-devel is.
    let t = TestContext::new();
    let run = |extra: &[&str]| {
        let out = identify(&t.join("cache"))
            .args(["--repo", "bin=testdata/repos/x86_64", "--arch", "x86_64"])
            .args(extra)
            .write_stdin("zlib\nbzip2-devel\nno-such-source\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        text(&out.stderr)
            .lines()
            .filter(|l| l.contains("warning:"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    assert_eq!(
        run(&[]),
        "identify-archful-srpms: warning: bzip2-devel: no source package of that name in the \
         repositories (it is a binary of source bzip2)\n\
         identify-archful-srpms: warning: no-such-source: no source package of that name in the \
         repositories\n"
    );
    // --no-repo-macros: the binary repos are not loaded, not even for this.
    assert_eq!(
        run(&["--no-repo-macros"]),
        "identify-archful-srpms: warning: bzip2-devel: no source package of that name in the \
         repositories\n\
         identify-archful-srpms: warning: no-such-source: no source package of that name in the \
         repositories\n"
    );
}

#[test]
fn the_cache_is_repaired_and_pruned_and_other_files_are_kept() {
    let t = TestContext::new();
    let cache = t.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    // A cache of ours (marked; an unmarked directory holding a README is
    // refused) with a damaged copy of a listed source, an older EVR of it,
    // a source no longer listed, and a file that is not an SRPM.
    std::fs::write(
        cache.join(buildroot_core::archful::CACHE_MARKER),
        b"Written by identify-archful-srpms\n",
    )
    .unwrap();
    let zlib = "zlib-1.3.1-1.eln150.src.rpm";
    std::fs::write(cache.join(zlib), b"damaged").unwrap();
    std::fs::write(cache.join("zlib-1.2.13-1.eln150.src.rpm"), b"old").unwrap();
    std::fs::write(cache.join("gone-1-1.src.rpm"), b"gone").unwrap();
    std::fs::write(cache.join("README"), b"mine").unwrap();
    let refresh = |keep: &str| {
        identify(&cache)
            .args(["-q", "--keep-unlisted", keep])
            .write_stdin("zlib\n")
            .assert()
            .success()
            .stdout("");
    };
    // The older EVR of a listed source goes at once; a source no longer
    // listed stays while it may be in use (no record of its last use: it
    // counts as used now), and goes with --keep-unlisted 0.
    refresh("72");
    assert_eq!(srpm_names(&cache), ["gone-1-1.src.rpm", zlib]);
    refresh("0");
    assert_eq!(srpm_names(&cache), [zlib]);
    assert_eq!(
        std::fs::read(cache.join(zlib)).unwrap(),
        std::fs::read(fixture("repos/source").join(zlib)).unwrap()
    );
    assert_eq!(std::fs::read(cache.join("README")).unwrap(), b"mine");
}

/// Another process reading the cache (a create-srpm-repos, or an
/// identify-archful-srpms with another list, holding its shared lock)
/// keeps its SRPMs: a refresh with another list deletes none of them
/// meanwhile, and the first refresh with the cache to itself does.
#[test]
fn srpms_another_process_reads_are_not_pruned_under_it() {
    use std::os::fd::AsRawFd;
    let t = TestContext::new();
    let cache = t.join("cache");
    let zlib = "zlib-1.3.1-1.eln150.src.rpm";
    // Without the period that keeps SRPMs used lately: the lock alone.
    let run = |list: &str| {
        identify(&cache)
            .args(["-q", "--keep-unlisted", "0"])
            .write_stdin(list)
            .assert()
            .success();
    };
    run("zlib\n");
    assert_eq!(srpm_names(&cache), [zlib]);
    let reader = std::fs::File::open(&cache).unwrap();
    // SAFETY: `reader` is an open descriptor for the call's duration.
    assert_eq!(
        unsafe { libc::flock(reader.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) },
        0
    );
    run("hello\n");
    let both = srpm_names(&cache);
    assert!(both.iter().any(|f| f == zlib), "{both:?}");
    assert_eq!(both.len(), 2, "{both:?}");
    drop(reader);
    run("hello\n");
    let left = srpm_names(&cache);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].starts_with("hello-"), "{left:?}");
}

/// create-srpm-repos records the SRPMs it reads, as identify-archful-srpms
/// records the ones it lists: a refresh with another list keeps them, and
/// deletes the SRPMs no run has used for --keep-unlisted hours.
#[test]
fn srpms_create_srpm_repos_read_lately_are_kept() {
    use buildroot_core::archful::USES_FILE;
    let t = TestContext::new();
    let cache = t.join("cache");
    let refresh = |list: &str| {
        identify(&cache)
            .arg("-q")
            .write_stdin(list)
            .assert()
            .success();
    };
    refresh("zlib\nbash\nhello\n");
    // As far as the record knows, no run has used any of them since 1970.
    let old: serde_json::Map<String, Value> = srpm_names(&cache)
        .into_iter()
        .map(|f| (f, json!(1)))
        .collect();
    let record = json!({"version": 1, "last_used": old});
    std::fs::write(cache.join(USES_FILE), record.to_string()).unwrap();
    std::fs::write(t.join("archful.txt"), "").unwrap();
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "x86_64", "-q", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.join("archful.txt"))
        .arg("--out")
        .arg(t.join("repo"))
        .write_stdin("zlib\n")
        .assert()
        .success();
    refresh("bash\n");
    let left = srpm_names(&cache);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left[0].starts_with("bash-") && left[1].starts_with("zlib-"),
        "{left:?}"
    );
}

#[test]
fn a_failed_run_is_one_line_and_writes_nothing() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let c = {
        let mut c = identify(&cache);
        c.arg("--map")
            .arg(t.join("map.txt"))
            .arg("/nonexistent/sources.txt");
        c
    };
    assert_eq!(
        cli_tests::expect_error(&t, c, ""),
        "identify-archful-srpms: /nonexistent/sources.txt: No such file or directory"
    );
    assert!(!cache.exists(), "no cache for a failed run");
    assert!(!t.join("map.txt").exists());
    // A bad --define: the line names the option's value, no note follows.
    let mut c = identify(&cache);
    c.args(["--define", "no-value"]);
    let line = cli_tests::expect_error(&t, c, "zlib\n");
    assert!(line.starts_with("identify-archful-srpms: "), "{line}");
    assert!(line.contains("no-value"), "{line}");
}

/// The sha256 primary.xml of the fixture source repo gives `file`.
fn fixture_sha256(file: &str) -> String {
    buildroot_core::rpmmd::sha256_file(&fixture("repos/source").join(file)).unwrap()
}

#[test]
fn an_srpm_that_does_not_match_primary_is_one_line_and_never_cached() {
    let hello = "hello-2.12.1-1.eln150.src.rpm";
    let sum = fixture_sha256(hello);
    // Over HTTP, corrupt every time: downloaded 4 times, the line names the URL.
    let server = Server::start(fixture("repos"));
    server.fault(hello, Fault::Corrupt, None);
    let mut t = TestContext::new();
    t.filter(server.base.clone(), "[SERVER]");
    let cache = t.join("cache");
    let mut c = cmd(Tool::IdentifyArchful);
    c.arg("--source-repo")
        .arg(format!("src={}/source", server.base))
        .arg("--cache")
        .arg(&cache)
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0");
    let line = cli_tests::expect_error(&t, c, "hello\n");
    let want = format!(
        "identify-archful-srpms: [SERVER]/source/{hello}: checksum mismatch: primary.xml says sha256 {sum}, the download has "
    );
    assert!(line.starts_with(&want), "{line}");
    assert!(line.ends_with(" (downloaded 4 times)"), "{line}");
    assert_eq!(srpm_names(&cache), Vec::<String>::new());
    // A local source repo whose SRPM was damaged: the line names the repo's file.
    let src = t.join("source");
    std::fs::create_dir_all(src.join("repodata")).unwrap();
    for e in std::fs::read_dir(fixture("repos/source/repodata")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), src.join("repodata").join(e.file_name())).unwrap();
    }
    std::fs::write(src.join(hello), b"<html>not found</html>").unwrap();
    let mut c = cmd(Tool::IdentifyArchful);
    c.arg("--source-repo")
        .arg(format!("src={}", src.display()))
        .arg("--cache")
        .arg(&cache);
    let line = cli_tests::expect_error(&t, c, "hello\n");
    let want = format!(
        "identify-archful-srpms: [TMP]/source/{hello}: checksum mismatch: primary.xml says sha256 {sum}, the file has "
    );
    assert!(line.starts_with(&want), "{line}");
    assert_eq!(srpm_names(&cache), Vec::<String>::new());
}

/// A mirror caught mid-sync lists SRPMs it does not hold yet (404): the run
/// fetches every other SRPM, then says each missing one, one line each in
/// source name order, exit 2, nothing written but the cache (which keeps
/// what it fetched, so the rerun fetches only those). Run again while the
/// mirror still lacks them (the others cached: no transfer succeeds), the
/// same lines. Another error (a 503 for good) still stops the run with its
/// one line, as before.
#[test]
fn every_srpm_no_mirror_has_is_said_at_once() {
    let server = Server::start(fixture("repos"));
    let mut t = TestContext::new();
    t.filter(server.base.clone(), "[SERVER]");
    let cache = t.join("cache");
    let map = t.join("map.txt");
    let json = t.join("archful.json");
    let run = || {
        let mut c = cmd(Tool::IdentifyArchful);
        c.arg("--source-repo")
            .arg(format!("src={}/source", server.base))
            .arg("--cache")
            .arg(&cache)
            .arg("--map")
            .arg(&map)
            .arg("--json-file")
            .arg(&json)
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0")
            .write_stdin("bash\ncurl\ngzip\nhello\nsed\n");
        c.output().unwrap()
    };
    let bash = "bash-5.2.26-1.eln150.src.rpm";
    let curl = "curl-8.9.1-1.eln150.src.rpm";
    for f in [bash, curl] {
        server.fault(f, Fault::Status(404), None);
    }
    let want: Vec<String> = [bash, curl]
        .iter()
        .map(|f| {
            format!(
                "identify-archful-srpms: [SERVER]/source/{f}: HTTP 404 (gave up after 4 attempts)"
            )
        })
        .collect();
    let fetched = [
        "gzip-1.13-1.eln150.src.rpm",
        "hello-2.12.1-1.eln150.src.rpm",
        "sed-4.9-1.eln150.src.rpm",
    ];
    for round in ["fresh cache", "the others cached"] {
        let out = run();
        let err = t.normalize(&text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{round}: {err}");
        assert!(out.stdout.is_empty(), "{round}");
        assert_eq!(err.lines().collect::<Vec<_>>(), want, "{round}: {err}");
        assert_eq!(srpm_names(&cache), fetched, "{round}");
        assert!(!map.exists() && !json.exists(), "{round}");
    }
    // Not a missing SRPM: its one line, as before.
    server.clear_faults();
    server.fault(bash, Fault::Status(404), None);
    server.fault(curl, Fault::Status(503), None);
    let out = run();
    let err = t.normalize(&text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{err}");
    let line = cli_tests::one_line(&err);
    assert!(
        line.starts_with(&format!(
            "identify-archful-srpms: [SERVER]/source/{curl}: HTTP 503"
        )),
        "{line}"
    );
    // Back on the mirror: the run is whole, the missing ones fetched.
    server.clear_faults();
    let out = run();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(srpm_names(&cache).len(), 5);
    assert!(map.is_file() && json.is_file());
    // A local source repo lacking the files: the same, naming them.
    let src = t.join("source");
    std::fs::create_dir_all(&src).unwrap();
    for e in std::fs::read_dir(fixture("repos/source")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if e.path().is_file() && ![bash, curl].contains(&name.to_str().unwrap()) {
            std::fs::copy(e.path(), src.join(&name)).unwrap();
        }
    }
    copy_dir(&fixture("repos/source/repodata"), &src.join("repodata"));
    let local = t.join("local-cache");
    let out = cmd(Tool::IdentifyArchful)
        .arg(format!("--source-repo=src={}", src.display()))
        .arg("--cache")
        .arg(&local)
        .write_stdin("bash\ncurl\nhello\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = t.normalize(&text(&out.stderr));
    let want: Vec<String> = [bash, curl]
        .iter()
        .map(|f| format!("identify-archful-srpms: [TMP]/source/{f}: No such file or directory"))
        .collect();
    assert_eq!(err.lines().collect::<Vec<_>>(), want, "{err}");
    assert_eq!(srpm_names(&local), ["hello-2.12.1-1.eln150.src.rpm"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn help_and_version() {
    let out = cmd(Tool::IdentifyArchful).arg("--help").assert().success();
    let help = text(&out.get_output().stdout);
    for needle in [
        "Usage: identify-archful-srpms [OPTIONS] --cache <DIR> [INPUT]",
        "Examples:",
        "Exit codes:",
        "RPM_BUILDROOT_HTTP_",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    cmd(Tool::IdentifyArchful)
        .arg("--version")
        .assert()
        .success()
        .stdout(format!(
            "identify-archful-srpms {}\n",
            env!("CARGO_PKG_VERSION")
        ));
}

/// A source repo of two mirrors (a metalink, as Fedora's) answering 404
/// for some SRPMs: once each mirror has failed 4 times without delivering
/// a file, the later SRPMs are asked of neither (as librepo asks such a
/// mirror no more, failing the file with "all mirrors were already
/// tried"). Those are said as not fetched, after the missing ones, never
/// as missing: they carried the status of the last failure counted,
/// another SRPM's 404, and were said as missing though the mirrors hold
/// them. One at a time (`PARALLEL=1`), bash and binutils fail 8 requests
/// and give both mirrors up. A 503 for binutils instead is a server's
/// failure and stops the run with its one line, as before, whatever the
/// SRPMs no mirror was asked for. With 3 transfers at once and every SRPM
/// missing, the 7th starts once 4 have ended, each having failed on every
/// mirror not yet given up: the last two are asked of none, every run. A
/// metalink of one mirror: that mirror is asked for every SRPM (one mirror
/// makes its own retries, whatever it did), each line its 404.
#[test]
fn srpms_no_mirror_is_asked_for_are_not_fetched_not_missing() {
    let mut t = TestContext::new();
    let www = t.join("www");
    std::fs::create_dir_all(&www).unwrap();
    for m in ["m1", "m2"] {
        std::os::unix::fs::symlink(fixture("repos"), www.join(m)).unwrap();
    }
    let server = Server::start(www.clone());
    let base = server.base.clone();
    t.filter(base.clone(), "[SERVER]");
    let sum =
        buildroot_core::rpmmd::file_digest(&fixture("repos/source/repodata/repomd.xml"), "sha256")
            .unwrap();
    let files = [
        "bash-5.2.26-1.eln150.src.rpm",
        "binutils-2.43-1.eln150.src.rpm",
        "bzip2-1.0.8-1.eln150.src.rpm",
        "coreutils-9.5-1.eln150.src.rpm",
        "cpio-2.15-1.eln150.src.rpm",
        "curl-8.9.1-1.eln150.src.rpm",
        "diffutils-3.10-1.eln150.src.rpm",
        "findutils-4.10.0-1.eln150.src.rpm",
    ];
    // Each file's source name: the file name but its version and release.
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplitn(3, '-').last().unwrap())
        .collect();
    let run = |mirrors: &[&str], parallel: &str, cache: &Path| {
        let urls: String = mirrors
            .iter()
            .map(|m| format!("<url>{base}/{m}/source/repodata/repomd.xml</url>"))
            .collect();
        let metalink = format!("metalink-{}.xml", mirrors.len());
        std::fs::write(
            www.join(&metalink),
            format!(
                r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>{urls}</resources></file></files></metalink>"#
            ),
        )
        .unwrap();
        let repofile = t.join("src.repo");
        std::fs::write(
            &repofile,
            format!("[src-source]\nname=src\nmetalink={base}/{metalink}\n"),
        )
        .unwrap();
        server.clear_log();
        let out = cmd(Tool::IdentifyArchful)
            .arg("--repofile")
            .arg(&repofile)
            .arg("--cache")
            .arg(cache)
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0")
            .env("RPM_BUILDROOT_HTTP_PARALLEL", parallel)
            .write_stdin(names.join("\n") + "\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert_eq!(srpm_names(cache), Vec::<String>::new());
        t.normalize(&text(&out.stderr))
    };
    let asked = |f: &str| !server.requests_for(&format!("/source/{f}")).is_empty();
    let line_of = |f: &str| format!("identify-archful-srpms: [SERVER]/m1/source/{f}: ");
    let not_fetched = "not fetched: every mirror of repo 'src-source' (2) was given up earlier \
                       in this run, each having failed 4 times without delivering a file";

    // Two missing SRPMs give both mirrors up; the next three, which the
    // mirrors hold, are not fetched, and not said missing.
    let (missing, held) = files[..5].split_at(2);
    for f in missing {
        server.fault(f, Fault::Status(404), None);
    }
    let mirrors = &["m1", "m2"][..];
    let err = run(mirrors, "1", &t.join("cache-a"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), files.len(), "{err}");
    for (line, f) in lines.iter().zip(missing) {
        assert!(line.starts_with(&line_of(f)), "{err}");
        assert!(line.ends_with(": HTTP 404"), "{err}");
        assert!(!line.contains("not fetched"), "{err}");
    }
    for (line, f) in lines[2..].iter().zip(held.iter().chain(&files[5..])) {
        let want = format!("{}{not_fetched}", line_of(f));
        assert!(line.starts_with(&want), "{err}");
        assert!(line.contains("; the last failure: [SERVER]/m"), "{err}");
        assert!(!asked(f), "{f} was asked for: {err}");
    }

    // binutils answering 503: a server's failure, said alone.
    server.clear_faults();
    server.fault(files[0], Fault::Status(404), None);
    server.fault(files[1], Fault::Status(503), None);
    let err = run(mirrors, "1", &t.join("cache-b"));
    let line = cli_tests::one_line(&err);
    assert!(line.starts_with(&line_of(files[1])), "{line}");
    assert!(line.ends_with(": HTTP 503"), "{line}");

    // Every SRPM missing, 3 at once: those asked are missing, the others
    // not fetched, said after them.
    server.clear_faults();
    for f in files {
        server.fault(f, Fault::Status(404), None);
    }
    let err = run(mirrors, "3", &t.join("cache-c"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), files.len(), "{err}");
    let said = |f: &str| lines.iter().position(|l| l.starts_with(&line_of(f)));
    let (mut missing, mut unasked) = (Vec::new(), Vec::new());
    for f in files {
        let at = said(f).unwrap_or_else(|| panic!("{f} not said: {err}"));
        if lines[at].contains(not_fetched) {
            assert!(!asked(f), "{f} was asked for: {err}");
            unasked.push(at);
        } else {
            assert!(asked(f) && lines[at].contains(": HTTP 404"), "{err}");
            missing.push(at);
        }
    }
    assert!(unasked.len() >= 2, "{err}");
    assert!(
        missing.iter().all(|m| unasked.iter().all(|u| m < u)),
        "{err}"
    );

    // A metalink of one mirror: asked for every SRPM, each its 404.
    let err = run(&["m1"], "3", &t.join("cache-d"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), files.len(), "{err}");
    for (line, f) in lines.iter().zip(files) {
        assert_eq!(
            line[line_of(f).len()..],
            *"HTTP 404 (gave up after 4 attempts)",
            "{err}"
        );
    }
}

#[test]
fn one_arch_is_said_to_find_nothing_archful() {
    // Archful is "BuildRequires differ between arches": with one --arch the
    // empty list is so by construction, which it did not say (the --help's
    // trimming example runs so).
    let t = TestContext::new();
    let run = |arches: &[&str]| {
        let mut c = identify(&t.join("cache"));
        for a in arches {
            c.args(["--arch", a]);
        }
        let out = c.arg(SOURCES).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (out, err) = run(&["aarch64"]);
    assert_eq!(out, "");
    assert!(
        err.contains(
            "identify-archful-srpms: note: one --arch (aarch64): no source can be archful \
             (BuildRequires that differ between arches); give two or more --arch to find them \
             (the SRPM cache is refreshed all the same)\n"
        ),
        "{err}"
    );
    let (_, err) = run(&["x86_64", "aarch64"]);
    assert!(!err.contains("one --arch"), "{err}");
}

/// One --arch beside a spec the evaluator cannot read: dep-tracker's
/// `%ifarch` grep still decides it, and may list it as archful, so the
/// note must not say that nothing can be (it said so over a list that
/// held the source).
#[test]
fn one_arch_note_does_not_deny_a_grep_fallback_verdict() {
    let t = TestContext::new();
    let dir = t.join("src");
    std::fs::create_dir_all(&dir).unwrap();
    // %{error:...} fails the evaluation: the grep fallback decides, and
    // the spec has an %ifarch.
    let s = buildroot_core::srpm::SrpmSpec {
        name: "unread".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "unread".into(),
        spec_name: "unread.spec".into(),
        spec_text: "Name: unread\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
                    %{error:not for this evaluator}\n\
                    %ifarch x86_64\nBuildRequires: nasm\n%endif\n%description\nd\n"
            .into(),
        build_time: 1_700_000_000,
        ..Default::default()
    };
    let p = dir.join("unread-1-1.src.rpm");
    std::fs::write(&p, buildroot_core::srpm::build_srpm(&s).unwrap()).unwrap();
    let mut h = buildroot_core::srpm::read_header(&p).unwrap();
    h.location = "unread-1-1.src.rpm".into();
    buildroot_core::repodata::write_repodata(&dir, &[h], &Default::default()).unwrap();
    let out = cmd(Tool::IdentifyArchful)
        .arg("--source-repo")
        .arg(format!("src={}", dir.display()))
        .arg("--cache")
        .arg(t.join("cache"))
        .args(["--arch", "aarch64"])
        .write_stdin("unread\n")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(text(&out.stdout), "unread\n", "{err}");
    assert!(err.contains("unread: spec not evaluated"), "{err}");
    assert!(!err.contains("no source can be archful"), "{err}");
    assert!(
        err.contains(
            "identify-archful-srpms: note: one --arch (aarch64): no evaluated spec can be \
             archful (BuildRequires that differ between arches); the 1 listed is the %ifarch \
             grep fallback's, its spec not evaluated; give two or more --arch to find them \
             (the SRPM cache is refreshed all the same)\n"
        ),
        "{err}"
    );
}
