//! Where the tools cache when they are given no `--cache-dir`
//! (`buildroot_core::cli::default_cache_dir`): an absolute `$XDG_CACHE_HOME`,
//! an existing `$HOME`'s `.cache`, else a private `rpm-buildroot-UID` (or,
//! that name taken, `rpm-buildroot-UID-XXXXXX`) in the temp directory; a
//! home that does not exist is never created. And that
//! the tests' own runs cache in a directory of the test's, not in the
//! user's `~/.cache/rpm-buildroot`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use cli_tests::http_support::Server;
use cli_tests::{cache_home, cmd, root, TestContext, Tool, FIXTURE_X86_64};

/// The generator over the fixture repos, with only `home` (none: unset) and
/// `$TMPDIR` = `temp` to choose its cache by.
fn generator(home: Option<&Path>, temp: &Path) -> assert_cmd::Command {
    let mut c = cmd(Tool::Generator);
    c.args(FIXTURE_X86_64)
        .env_remove("XDG_CACHE_HOME")
        .env("TMPDIR", temp)
        .write_stdin("hello\n");
    match home {
        Some(h) => c.env("HOME", h),
        None => c.env_remove("HOME"),
    };
    c
}

/// create-srpm-repos for x86_64 over the fixture's binary repo, from the
/// SRPM cache `cache` into `out`, with no archful source (an empty
/// `--archful` list written in `dir`).
fn srpm_repos(cache: &Path, out: &Path, dir: &Path) -> assert_cmd::Command {
    let archful = dir.join("archful.txt");
    std::fs::write(&archful, "").unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--repo", "bin=testdata/repos/$basearch"])
        .args(["--arch", "x86_64", "--cache"])
        .arg(cache)
        .arg("--archful")
        .arg(&archful)
        .arg("--out")
        .arg(out);
    c
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// HOME=/nonexistent (Debian's `nobody`, many systemd services): the home
/// is not created; the pools go to the user's private directory in
/// `$TMPDIR`, as when HOME is unset, and the next run reuses it.
#[test]
fn a_home_that_does_not_exist_is_not_created() {
    let t = TestContext::new();
    let temp = t.join("tmp");
    std::fs::create_dir(&temp).unwrap();
    let uid = std::fs::metadata(t.path()).unwrap().uid();
    let fallback = temp.join(format!("rpm-buildroot-{uid}"));
    let missing = t.join("nonexistent/x");
    for home in [Some(missing.as_path()), None] {
        generator(home, &temp).assert().success();
        assert_eq!(names(t.path()), ["tmp"]);
        assert_eq!(names(&temp), [format!("rpm-buildroot-{uid}")]);
        assert_eq!(names(&fallback), ["pools"]);
        let mode = std::fs::metadata(&fallback).unwrap().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }
    // An existing home gets its .cache, and XDG_CACHE_HOME wins over it.
    let home = t.join("home");
    std::fs::create_dir(&home).unwrap();
    generator(Some(&home), &temp).assert().success();
    assert_eq!(names(&home.join(".cache/rpm-buildroot")), ["pools"]);
    let xdg = t.join("xdg");
    generator(Some(&home), &temp)
        .env("XDG_CACHE_HOME", &xdg)
        .assert()
        .success();
    assert_eq!(names(&xdg.join("rpm-buildroot")), ["pools"]);
}

/// A fallback name someone else took first (a directory others may write,
/// as anyone may make it on a shared /tmp) is left alone: the run caches in
/// a new private `rpm-buildroot-UID-XXXXXX`, and the next run reuses it.
#[test]
fn a_taken_fallback_name_means_a_new_private_directory() {
    let t = TestContext::new();
    let uid = std::fs::metadata(t.path()).unwrap().uid();
    let fallback = t.join(format!("rpm-buildroot-{uid}"));
    std::fs::create_dir(&fallback).unwrap();
    std::fs::set_permissions(&fallback, std::fs::Permissions::from_mode(0o777)).unwrap();
    for _ in 0..2 {
        generator(Some(&t.join("nonexistent")), t.path())
            .assert()
            .success();
        let made = names(t.path());
        assert_eq!(made.len(), 2, "{made:?}");
        assert_eq!(made[0], format!("rpm-buildroot-{uid}"));
        let fresh = t.join(&made[1]);
        assert!(
            made[1].starts_with(&format!("rpm-buildroot-{uid}-")),
            "{made:?}"
        );
        assert_eq!(names(&fresh), ["pools"]);
        let meta = std::fs::symlink_metadata(&fresh).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o700);
    }
    assert_eq!(names(&fallback), Vec::<String>::new());
    let mode = std::fs::metadata(&fallback).unwrap().mode();
    assert_eq!(mode & 0o777, 0o777, "{mode:o}");
}

/// A relative `$XDG_CACHE_HOME` is invalid by the XDG rules and ignored: the
/// run caches in the home's `.cache`, not in a directory of that name below
/// the working directory.
#[test]
fn a_relative_xdg_cache_home_is_ignored() {
    let t = TestContext::new();
    let home = t.join("home");
    std::fs::create_dir(&home).unwrap();
    let repo = |id: &str, dir: &str| format!("{id}={}", root().join(dir).display());
    let mut c = cmd(Tool::Generator);
    c.current_dir(t.path())
        .args(["--arch", "x86_64", "--repo"])
        .arg(repo("main", "testdata/repos/x86_64"))
        .arg("--source-repo")
        .arg(repo("src", "testdata/repos/source"))
        .env("XDG_CACHE_HOME", "relative-cache")
        .env("HOME", &home)
        .write_stdin("hello\n")
        .assert()
        .success();
    assert_eq!(names(t.path()), ["home"]);
    assert_eq!(names(&home.join(".cache/rpm-buildroot")), ["pools"]);
}

/// A home directory, a plain file beside it, and an `XDG_CACHE_HOME` under
/// that file, in which no cache can be made: `(home, file, xdg)`.
fn xdg_under_a_file(t: &TestContext) -> (PathBuf, PathBuf, PathBuf) {
    let home = t.join("home");
    std::fs::create_dir(&home).unwrap();
    let file = t.join("file");
    std::fs::write(&file, "").unwrap();
    let xdg = file.join("xdg");
    (home, file, xdg)
}

/// An `$XDG_CACHE_HOME` the cache cannot be written in (here below a
/// file; a read-only mount is judged the same way) is passed over for the
/// home's `.cache` as before, but said: the user set it on purpose. One
/// note per run, naming it, why, and the directory used instead, however
/// often the run looks for its cache (identify-archful-srpms does per
/// arch); none under `-q`. It was passed over in silence.
#[test]
fn a_passed_over_xdg_cache_home_is_said_once() {
    let t = TestContext::new();
    let temp = t.join("tmp");
    std::fs::create_dir(&temp).unwrap();
    let (home, file, xdg) = xdg_under_a_file(&t);
    let used = home.join(".cache/rpm-buildroot");
    let note = |tool: &str| {
        format!(
            "{tool}: note: XDG_CACHE_HOME={}: the cache cannot be written there ({} is not a \
             directory); caching in {} instead",
            xdg.display(),
            file.display(),
            used.display()
        )
    };
    let stderr = |mut c: assert_cmd::Command| {
        let out = c.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let mut c = generator(Some(&home), &temp);
    c.env("XDG_CACHE_HOME", &xdg);
    let err = stderr(c);
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [note("buildroot-generator")]
    );
    assert_eq!(names(&used), ["pools"]);
    let mut c = generator(Some(&home), &temp);
    c.env("XDG_CACHE_HOME", &xdg).arg("-q");
    assert_eq!(stderr(c), "");
    let srpms = t.join("srpms");
    let mut c = identify_on_fixture(&srpms);
    c.env("XDG_CACHE_HOME", &xdg)
        .env("HOME", &home)
        .env("TMPDIR", &temp)
        .write_stdin("hello\n");
    let err = stderr(c);
    let said: Vec<_> = err
        .lines()
        .filter(|l| l.contains("XDG_CACHE_HOME"))
        .collect();
    assert_eq!(said, [note("identify-archful-srpms")], "{err}");
    assert_eq!(names(&temp), Vec::<String>::new(), "home's .cache used");
    // fetch-compose's -q drops it too (it set no quiet handler: its
    // download notes went out under -q). Its line is the refused
    // connection's alone.
    for quiet in [false, true] {
        let mut c = cmd(Tool::FetchCompose);
        c.args(["--url", "http://127.0.0.1:1/", "--view", "eln"])
            .args(["--arch", "x86_64", "--out"])
            .arg(t.join("compose"))
            .args(quiet.then_some("-q"))
            .env("XDG_CACHE_HOME", &xdg)
            .env("HOME", &home)
            .env("RPM_BUILDROOT_HTTP_RETRIES", "0")
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0");
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let said = err.lines().filter(|l| l.contains("XDG_CACHE_HOME")).count();
        assert_eq!(
            (said, err.lines().count()),
            (usize::from(!quiet), 2 - usize::from(quiet)),
            "{err}"
        );
    }
}

/// compose-view says the passed-over `XDG_CACHE_HOME` once, and nothing of
/// it under -q (its `-q` is the shared `QuietArgs`; the workflow keeps
/// the note in `compose/warnings.txt` from compose-view's runs without -q).
#[test]
fn compose_view_says_a_passed_over_xdg_cache_home_but_not_under_quiet() {
    let t = TestContext::new();
    let (home, _, xdg) = xdg_under_a_file(&t);
    for quiet in [false, true] {
        let out = cmd(Tool::ComposeView)
            .args([
                "--configs",
                "testdata/content-resolver",
                "--view",
                "view-fixture",
            ])
            .args(["--arch", "x86_64"])
            .args(["--repo-override", "fixture=testdata/repos/$basearch"])
            .args(["--repo-override", "extras=testdata/repos/extras/$basearch"])
            .args(quiet.then_some("-q"))
            .env("XDG_CACHE_HOME", &xdg)
            .env("HOME", &home)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let said = err.lines().filter(|l| l.contains("XDG_CACHE_HOME")).count();
        assert_eq!(said, usize::from(!quiet), "quiet={quiet}: {err}");
    }
    assert_eq!(names(&home.join(".cache/rpm-buildroot")), ["pools"]);
}

/// create-srpm-repos, which with no --cache-dir caches repository metadata
/// in the user's cache as the others do, says the passed-over
/// `XDG_CACHE_HOME` once, naming it and the home's cache it uses instead,
/// and nothing of it under -q (its shared `QuietArgs`).
#[test]
fn create_srpm_repos_says_a_passed_over_xdg_cache_home_but_not_under_quiet() {
    let t = TestContext::new();
    let (home, file, xdg) = xdg_under_a_file(&t);
    let srpms = t.join("srpms");
    identify_on_fixture(&srpms)
        .env("XDG_CACHE_HOME", &xdg)
        .env("HOME", &home)
        .arg("-q")
        .write_stdin("hello\n")
        .assert()
        .success();
    let used = home.join(".cache/rpm-buildroot");
    for quiet in [false, true] {
        let out = srpm_repos(&srpms, &t.join(format!("out-{quiet}")), t.path())
            .args(quiet.then_some("-q"))
            .env("XDG_CACHE_HOME", &xdg)
            .env("HOME", &home)
            .write_stdin("hello\n")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let said: Vec<_> = err
            .lines()
            .filter(|l| l.contains("XDG_CACHE_HOME"))
            .collect();
        let note = format!(
            "create-srpm-repos: note: XDG_CACHE_HOME={}: the cache cannot be written there ({} \
             is not a directory); caching in {} instead",
            xdg.display(),
            file.display(),
            used.display()
        );
        let want: Vec<&str> = if quiet { vec![] } else { vec![note.as_str()] };
        assert_eq!(said, want, "quiet={quiet}: {err}");
    }
    assert_eq!(names(&used), ["pools"]);
}

/// The user's cache directory, as the tools would choose it in this
/// environment, when it is `$XDG_CACHE_HOME`'s or an existing home's.
fn users_cache() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").filter(|x| Path::new(x).is_absolute());
    if let Some(x) = xdg {
        return Some(PathBuf::from(x).join("rpm-buildroot"));
    }
    let home = PathBuf::from(std::env::var_os("HOME")?);
    home.is_dir().then(|| home.join(".cache/rpm-buildroot"))
}

/// The `127.0.0.1_PORT_` prefix of the cache entries a run against `server`
/// makes.
fn entry_prefix(server: &Server) -> String {
    let port = server
        .base
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/');
    format!("127.0.0.1_{port}_")
}

/// The first server `start` gives whose port the user's cache (`users`, when
/// it is a directory) holds no entry of, with its [`entry_prefix`]. That
/// cache may hold leftovers of earlier runs: of the tests' own before they
/// had a cache home (they stay until unused for a month, `rpmmd::prune`),
/// of a script's or a user's server. The kernel gives a port out again, and
/// a leftover of this test's port failed it in CI although its run wrote
/// nothing there. A server passed over keeps its port (it serves until the
/// process exits), so `start` never gives that port again.
fn server_on_a_port_new_to(
    users: Option<&Path>,
    mut start: impl FnMut() -> Server,
) -> (Server, String) {
    for _ in 0..1000 {
        let server = start();
        let prefix = entry_prefix(&server);
        let seen = users
            .filter(|u| u.is_dir())
            .is_some_and(|u| names(u).iter().any(|n| n.starts_with(&prefix)));
        if !seen {
            return (server, prefix);
        }
    }
    panic!("1000 ports in a row have entries in the user's cache {users:?}");
}

/// A test's run against a 127.0.0.1 server without `--cache-dir` caches in
/// the test's own cache home, not in the user's cache (where each run left
/// a `127.0.0.1_PORT_*` directory for good): the server's port had no entry
/// there before the run and has none after.
#[test]
fn a_tests_run_caches_in_the_tests_own_directory() {
    let users = users_cache();
    let (server, prefix) = server_on_a_port_new_to(users.as_deref(), || {
        Server::start(root().join("testdata/repos"))
    });
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
    if let Some(users) = users.filter(|u| u.is_dir()) {
        let theirs = names(&users);
        assert!(!theirs.iter().any(|n| n.starts_with(&prefix)), "{theirs:?}");
    }
}

/// A port the user's cache holds a leftover of is passed over: the
/// server taken is one whose port has no entry there.
#[test]
fn a_port_the_users_cache_has_a_leftover_of_is_passed_over() {
    let t = TestContext::new();
    let users = t.join("rpm-buildroot");
    std::fs::create_dir(&users).unwrap();
    let mut started = Vec::new();
    let (server, prefix) = server_on_a_port_new_to(Some(&users), || {
        let server = Server::start(root().join("testdata/repos"));
        if started.is_empty() {
            // An earlier run's directory, of the port the kernel gave now.
            let leftover = format!("{}x86_64-0123456789abcdef", entry_prefix(&server));
            std::fs::create_dir(users.join(leftover)).unwrap();
        }
        started.push(server.base.clone());
        server
    });
    assert_eq!(started.len(), 2, "{started:?}");
    assert_eq!(server.base, started[1]);
    assert!(!names(&users).iter().any(|n| n.starts_with(&prefix)));
}

/// A `--cache-dir` that names a file (a mistyped path) is refused by every
/// tool, in one line: with local repos it was taken in silence and nothing
/// was cached; with HTTP ones the error named a path inside the file.
#[test]
fn a_cache_dir_that_is_a_file_is_refused_by_every_tool() {
    let t = TestContext::new();
    let file = t.path().join("cache.txt");
    std::fs::write(&file, "not a directory\n").unwrap();
    let srpms = t.path().join("srpms");
    cli_tests::srpm_cache_dir(&srpms);
    let runs: Vec<(Tool, Vec<String>)> = vec![
        (
            Tool::Generator,
            FIXTURE_X86_64.iter().map(|s| s.to_string()).collect(),
        ),
        (
            Tool::ComposeView,
            [
                "--configs",
                "testdata/content-resolver",
                "--view",
                "view-fixture",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            Tool::FetchCompose,
            ["--url", "testdata", "--arch", "x86_64", "--out"]
                .map(String::from)
                .into_iter()
                .chain([t.path().join("compose").display().to_string()])
                .collect(),
        ),
        (
            Tool::IdentifyArchful,
            [
                "--source-repo",
                "s=testdata/repos/source",
                "--arch",
                "x86_64",
                "--cache",
            ]
            .map(String::from)
            .into_iter()
            .chain([t.path().join("new-cache").display().to_string()])
            .collect(),
        ),
        (
            Tool::CreateSrpmRepos,
            ["--arch", "x86_64", "--archful", "/dev/null", "--cache"]
                .map(String::from)
                .into_iter()
                .chain([srpms.display().to_string(), "--out".into()])
                .chain([t.path().join("out").display().to_string()])
                .collect(),
        ),
    ];
    for (tool, args) in runs {
        let mut c = cmd(tool);
        c.args(&args).arg("--cache-dir").arg(&file);
        let line = cli_tests::expect_error(&t, c, "hello\n");
        assert_eq!(
            line,
            format!(
                "{}: [TMP]/cache.txt: --cache-dir exists and is not a directory",
                tool.name()
            )
        );
    }
    assert!(!t.path().join("compose").exists() && !t.path().join("out").exists());
    assert!(!t.path().join("new-cache").exists());
}

/// identify-archful-srpms on the fixture repos, both arches, with the SRPM
/// cache `srpms` (the caller adds options, environment and the list).
fn identify_on_fixture(srpms: &Path) -> assert_cmd::Command {
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "src=testdata/repos/source"])
        .args(["--repo", "bin=testdata/repos/$basearch"])
        .args(["--arch", "x86_64", "--arch", "aarch64", "--cache"])
        .arg(srpms);
    c
}

/// identify-archful-srpms and create-srpm-repos cache repository metadata
/// where buildroot-generator does (`--cache-dir`, else the user's cache),
/// not in the SRPM cache: a run by hand with only `--cache` puts its pools
/// in the user's cache. An earlier version's `.metadata/` in the SRPM cache
/// is read no more: said in a note (so its space can be had back), never
/// deleted, and not said when `--cache-dir` names it.
#[test]
fn the_archful_tools_cache_metadata_in_the_users_cache() {
    let t = TestContext::new();
    let srpms = t.path().join("srpms");
    std::fs::create_dir_all(srpms.join(".metadata/pools")).unwrap();
    std::fs::write(srpms.join(".metadata/pools/x"), "").unwrap();
    let pools = cache_home().join("rpm-buildroot/pools");
    let identify = |extra: &[&str]| {
        let out = identify_on_fixture(&srpms)
            .args(extra)
            .write_stdin("hello\n")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let err = identify(&[]);
    let note = format!(
        "identify-archful-srpms: note: {}: repository metadata an earlier version cached in \
         the SRPM cache, no longer read (every tool now caches it in {}, or --cache-dir): \
         delete it to free its space",
        srpms.join(".metadata").display(),
        cache_home().join("rpm-buildroot").display()
    );
    assert!(err.lines().any(|l| l == note), "{err}");
    // The macro packages' repos' pools, one per arch, in the user's cache.
    assert_eq!(names(&pools).len(), 2, "{:?}", names(&pools));
    assert_eq!(names(&srpms.join(".metadata/pools")), ["x"]);
    let repos = t.path().join("repos");
    srpm_repos(&srpms, &repos, t.path())
        .write_stdin("hello\n")
        .assert()
        .success();
    // create-srpm-repos read x86_64's back: no pool of its own.
    assert_eq!(names(&pools).len(), 2, "{:?}", names(&pools));
    assert_eq!(names(&srpms.join(".metadata/pools")), ["x"]);
    // Named as --cache-dir, it is in use: no note.
    let err = identify(&["--cache-dir", srpms.join(".metadata").to_str().unwrap()]);
    assert!(!err.contains("earlier version"), "{err}");
    assert_eq!(names(&srpms.join(".metadata/pools")).len(), 3);
}

/// The note on an earlier `.metadata/` tells the user to delete it: never
/// when the metadata cache this run uses is inside it (`--cache-dir
/// SRPM-CACHE/.metadata/x`, or an `XDG_CACHE_HOME` there, which makes the
/// default `SRPM-CACHE/.metadata/rpm-buildroot`), as deleting it would
/// delete that cache too. An earlier `.metadata/` beside a cache elsewhere
/// is still said.
#[test]
fn no_note_to_delete_the_earlier_metadata_that_holds_the_cache_in_use() {
    let t = TestContext::new();
    let srpms = t.path().join("srpms");
    let old = srpms.join(".metadata");
    std::fs::create_dir_all(&old).unwrap();
    let identify = |xdg: &Path, extra: &[&std::ffi::OsStr]| {
        let out = identify_on_fixture(&srpms)
            .args(extra)
            .env("XDG_CACHE_HOME", xdg)
            .write_stdin("hello\n")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("earlier version"));
        String::from_utf8(out.stderr).unwrap()
    };
    // --cache-dir inside it, existing or not (and named through `..`).
    for dir in [old.join("meta"), old.join("meta/../new")] {
        let err = identify(&cache_home(), &["--cache-dir".as_ref(), dir.as_os_str()]);
        assert!(!err.contains("earlier version"), "{}: {err}", dir.display());
    }
    // The user's cache inside it.
    let err = identify(&old, &[]);
    assert!(!err.contains("earlier version"), "{err}");
    assert!(old.join("rpm-buildroot/pools").is_dir());
    // A cache elsewhere: said, once.
    let err = identify(&cache_home(), &[]);
    assert_eq!(err.matches("earlier version").count(), 1, "{err}");
}

/// `--cache` naming the metadata cache too (the same `--cache-dir`, or the
/// user's cache the tools default to): the first run on the new directory
/// writes the pools there, and failed after them, refusing the cache for
/// holding them (exit 2, the pools left). It is claimed before they are
/// written: every run works, and neither cache's pruning touches the
/// other's files (the listed SRPM stays, and so do the pools).
#[test]
fn the_srpm_cache_may_be_the_metadata_cache() {
    let t = TestContext::new();
    let xdg = t.path().join("xdg");
    let users = xdg.join("rpm-buildroot");
    let given = t.path().join("both");
    for (cache, extra) in [
        (&users, vec![]),
        (
            &given,
            vec!["--cache-dir".into(), given.clone().into_os_string()],
        ),
    ] {
        for _ in 0..2 {
            identify_on_fixture(cache)
                .args(&extra)
                .env("XDG_CACHE_HOME", &xdg)
                .write_stdin("hello\n")
                .assert()
                .success();
        }
        let all = names(cache);
        assert!(all.contains(&"pools".to_string()), "{all:?}");
        assert!(all.iter().any(|n| n.starts_with("hello-")), "{all:?}");
        assert_eq!(names(&cache.join("pools")).len(), 2);
    }
}

/// A first run refused on its list (it names no source) after writing into
/// the cache (the macro packages, or the metadata and pools of a cache that
/// holds the metadata cache) says what became of the cache: made, or
/// marked, but no SRPM fetched. It said "left as it was" of a directory it
/// had just made. A cache refused the same way once marked is left as it
/// was, and every one of them is a cache the next run takes.
#[test]
fn a_first_run_refused_on_its_list_says_what_became_of_the_cache() {
    let t = TestContext::new();
    let refused = |cache: &Path, metadata: &Path| {
        let out = identify_on_fixture(cache)
            .arg("--cache-dir")
            .arg(metadata)
            .write_stdin("nosuch\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let prefix = "identify-archful-srpms: <stdin>: its one line, 'nosuch', does not name a \
                      source package of the source repositories; ";
        match err.trim_end().strip_prefix(prefix) {
            Some(rest) => rest.replace(&t.path().display().to_string(), "[TMP]"),
            None => panic!("{err}"),
        }
    };
    let created =
        |n: &str| format!("the SRPM cache [TMP]/{n} was created, but no SRPM was fetched into it");
    // New, the metadata elsewhere: its macro packages were written.
    let new = t.join("new");
    assert_eq!(refused(&new, &t.join("meta")), created("new"));
    assert_eq!(names(&new), [".macros"]);
    // New, holding the metadata cache: claimed first, then the pools.
    let both = t.join("both");
    assert_eq!(refused(&both, &both), created("both"));
    let all = names(&both);
    assert!(
        all.contains(&".identify-archful-srpms".to_string()),
        "{all:?}"
    );
    assert!(all.contains(&"pools".to_string()), "{all:?}");
    // Empty, holding the metadata cache: marked.
    let empty = t.join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(
        refused(&empty, &empty),
        "the SRPM cache [TMP]/empty was marked as one (.identify-archful-srpms), but no SRPM \
         was fetched into it or deleted from it"
    );
    // Marked already: left as it was.
    assert_eq!(
        refused(&both, &both),
        "the SRPM cache [TMP]/both is left as it was"
    );
    for (cache, metadata) in [
        (&new, t.join("meta")),
        (&both, both.clone()),
        (&empty, empty.clone()),
    ] {
        identify_on_fixture(cache)
            .arg("--cache-dir")
            .arg(metadata)
            .write_stdin("hello\n")
            .assert()
            .success();
    }
}

/// create-srpm-repos with a `--cache` that holds the metadata cache
/// (`--cache-dir` naming it or a directory in it; the user's cache named as
/// `--cache` is the same). New: refused, nothing made. Empty: refused
/// before anything is written; it wrote the macro packages, metadata and
/// pools first, so that identify-archful-srpms then refused the directory
/// as no cache. An unmarked cache of an earlier version (SRPMs and
/// `.macros`): marked before the pools go in; it refused itself after
/// writing them, and identify-archful-srpms refused it from then on.
#[test]
fn create_srpm_repos_on_a_cache_that_holds_the_metadata_cache() {
    let t = TestContext::new();
    let repos = |cache: &Path, metadata: &Path, out: &str| {
        srpm_repos(cache, &t.join(out), t.path())
            .arg("--cache-dir")
            .arg(metadata)
            .write_stdin("hello\n")
            .output()
            .unwrap()
    };
    let refusal = |out: std::process::Output| {
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        err.replace(&t.path().display().to_string(), "[TMP]")
    };
    let new = t.join("new");
    assert_eq!(
        refusal(repos(&new, &new, "out")),
        "create-srpm-repos: [TMP]/new: the SRPM cache directory does not exist (run \
         identify-archful-srpms first)\n"
    );
    assert!(!new.exists());
    let empty = t.join("empty");
    std::fs::create_dir(&empty).unwrap();
    for metadata in [empty.clone(), empty.join("meta")] {
        assert_eq!(
            refusal(repos(&empty, &metadata, "out")),
            "create-srpm-repos: [TMP]/empty: holds no SRPMs (is it identify-archful-srpms' \
             --cache?)\n"
        );
        assert_eq!(names(&empty), Vec::<String>::new());
    }
    assert!(!t.join("out").exists());
    identify_on_fixture(&empty)
        .arg("--cache-dir")
        .arg(&empty)
        .write_stdin("hello\n")
        .assert()
        .success();
    let out = repos(&empty, &empty, "out");
    assert!(out.status.success(), "{out:?}");
    assert!(names(&t.join("out"))
        .iter()
        .any(|n| n.starts_with("hello-")));

    let earlier = t.join("earlier");
    identify_on_fixture(&earlier)
        .arg("--cache-dir")
        .arg(t.join("meta"))
        .write_stdin("hello\n")
        .assert()
        .success();
    std::fs::remove_file(earlier.join(".identify-archful-srpms")).unwrap();
    let out = repos(&earlier, &earlier, "out2");
    assert!(out.status.success(), "{out:?}");
    let all = names(&earlier);
    assert!(
        all.contains(&".identify-archful-srpms".to_string()),
        "{all:?}"
    );
    assert!(all.contains(&"pools".to_string()), "{all:?}");
    identify_on_fixture(&earlier)
        .arg("--cache-dir")
        .arg(&earlier)
        .write_stdin("hello\n")
        .assert()
        .success();
}
