//! How many SRPMs identify-archful-srpms downloads at once, end to end:
//! 3 (dnf's `max_parallel_downloads`) whatever `RAYON_NUM_THREADS` says,
//! `RPM_BUILDROOT_HTTP_PARALLEL` else, `--dnf-conf`'s `[main]` over both.
//! A bad value is one line naming the variable, or the file and line, exit
//! 2, as dnf stops on it ("Bad value of LRO_MAXPARALLELDOWNLOADS"); one
//! dnf passes over is passed over with a warning.

use assert_cmd::Command;
use cli_tests::http_support::Server;
use cli_tests::{cmd, expect_error, root, TestContext, Tool};

/// identify-archful-srpms over the fixture's source repo at `base`, eight
/// of its sources into a new cache under `dir`, built-in macros.
fn identify(base: &str, dir: &std::path::Path) -> Command {
    let mut c = cmd(Tool::IdentifyArchful);
    let cache = tempfile::tempdir_in(dir).unwrap().keep();
    c.args([
        "-q",
        "--no-repo-macros",
        "--arch",
        "x86_64",
        "--source-repo",
    ])
    .arg(format!("src={base}/source/"))
    .arg("--cache")
    .arg(cache)
    .env_remove("RPM_BUILDROOT_HTTP_PARALLEL")
    .env_remove("RPM_BUILDROOT_HTTP_PER_MIRROR")
    .write_stdin("bash\ncoreutils\ngcc\nglibc\nhello\nmake\nsed\nzlib\n");
    c
}

/// The most SRPM downloads `c` made at once, the server holding each
/// answer until `want` were under way.
fn at_once(server: &Server, mut c: Command, want: usize) -> usize {
    server.hold(".src.rpm", want);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    server.peak()
}

#[test]
fn srpms_come_three_at_once_or_as_set_whatever_the_cores() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    for threads in ["1", "8"] {
        let mut c = identify(&server.base, t.path());
        c.env("RAYON_NUM_THREADS", threads);
        assert_eq!(at_once(&server, c, 3), 3, "RAYON_NUM_THREADS={threads}");
    }
    let mut c = identify(&server.base, t.path());
    c.env("RAYON_NUM_THREADS", "8")
        .env("RPM_BUILDROOT_HTTP_PARALLEL", "2");
    assert_eq!(at_once(&server, c, 2), 2);
    // One mirror: no more than max_downloads_per_mirror (3) from it.
    let mut c = identify(&server.base, t.path());
    c.env("RAYON_NUM_THREADS", "1")
        .env("RPM_BUILDROOT_HTTP_PARALLEL", "5");
    assert_eq!(at_once(&server, c, 3), 3);
    let mut c = identify(&server.base, t.path());
    c.env("RAYON_NUM_THREADS", "1")
        .env("RPM_BUILDROOT_HTTP_PARALLEL", "5")
        .env("RPM_BUILDROOT_HTTP_PER_MIRROR", "4");
    assert_eq!(at_once(&server, c, 4), 4);
    // dnf.conf's [main] wins over the variable.
    let conf = t.path().join("dnf.conf");
    std::fs::write(&conf, "[main]\nmax_parallel_downloads=1\n").unwrap();
    let mut c = identify(&server.base, t.path());
    c.arg("--dnf-conf")
        .arg(&conf)
        .env("RPM_BUILDROOT_HTTP_PARALLEL", "5");
    assert_eq!(at_once(&server, c, 1), 1);
}

#[test]
fn a_bad_number_at_once_is_one_line_naming_where_it_was_set() {
    let mut t = TestContext::new();
    let server = Server::start(root().join("testdata/repos"));
    t.filter(server.base.clone(), "[SERVER]");
    for (var, value) in [
        ("RPM_BUILDROOT_HTTP_PARALLEL", "0"),
        ("RPM_BUILDROOT_HTTP_PARALLEL", "21"),
        ("RPM_BUILDROOT_HTTP_PARALLEL", "many"),
        ("RPM_BUILDROOT_HTTP_PER_MIRROR", "0"),
    ] {
        let mut c = identify(&server.base, t.path());
        c.env(var, value);
        let line = expect_error(&t, c, "hello\n");
        assert_eq!(
            line,
            format!(
                "identify-archful-srpms: {var}='{value}': expected a whole number from 1 to 20"
            )
        );
    }
    // As dnf fails every repo then.
    let conf = t.join("dnf.conf");
    std::fs::write(&conf, "[main]\nmax_parallel_downloads=25\n").unwrap();
    let mut c = identify(&server.base, t.path());
    c.arg("--dnf-conf").arg(&conf);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "identify-archful-srpms: [TMP]/dnf.conf:2: [main]: max_parallel_downloads=25: librepo \
         downloads 1 to 20 packages at once (dnf stops with \"Bad value of \
         LRO_MAXPARALLELDOWNLOADS\")"
    );
    // A value dnf passes over (with its error message, keeping 3) is
    // passed over with a warning; local repos read no variable.
    std::fs::write(&conf, "[main]\nmax_parallel_downloads=0\n").unwrap();
    let out = Command::new(cli_tests::bin(Tool::IdentifyArchful))
        .current_dir(root())
        .args(["--no-repo-macros", "--arch", "x86_64", "--dnf-conf"])
        .arg(&conf)
        .args(["--source-repo", "src=testdata/repos/source", "--cache"])
        .arg(t.join("local-cache"))
        .env("RPM_BUILDROOT_HTTP_PARALLEL", "many")
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        err.contains(
            "identify-archful-srpms: warning: [TMP]/dnf.conf:2: [main]: max_parallel_downloads=0 \
             is not a whole number above 0; ignored, as dnf ignores it\n"
        ),
        "{err}"
    );
}

/// A `.repo` section's own `max_parallel_downloads` is read as `[main]`'s
/// (dnf 4.14 reads it per repo): it sets how many of its SRPMs come at
/// once, and one above 20 is `[main]`'s line, on the section's line.
#[test]
fn a_repo_sections_own_value_is_read_as_mains() {
    let mut t = TestContext::new();
    let server = Server::start(root().join("testdata/repos"));
    t.filter(server.base.clone(), "[SERVER]");
    let repofile = t.join("t.repo");
    let from_repofile = |own: &str| {
        let text = format!("[src-source]\nbaseurl={}/source/\n{own}\n", server.base);
        std::fs::write(&repofile, text).unwrap();
        let mut c = cmd(Tool::IdentifyArchful);
        let cache = tempfile::tempdir_in(t.path()).unwrap().keep();
        c.args(["-q", "--no-repo-macros", "--arch", "x86_64", "--repofile"])
            .arg(&repofile)
            .arg("--cache")
            .arg(cache)
            .env_remove("RPM_BUILDROOT_HTTP_PARALLEL")
            .env_remove("RPM_BUILDROOT_HTTP_PER_MIRROR")
            .write_stdin("bash\ncoreutils\ngcc\nglibc\nhello\nmake\nsed\nzlib\n");
        c
    };
    let c = from_repofile("max_parallel_downloads=1");
    assert_eq!(at_once(&server, c, 1), 1);
    let c = from_repofile("max_parallel_downloads=2");
    assert_eq!(at_once(&server, c, 2), 2);
    let c = from_repofile("max_parallel_downloads=25");
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "identify-archful-srpms: [TMP]/t.repo:3: [src-source]: max_parallel_downloads=25: \
         librepo downloads 1 to 20 packages at once (dnf stops with \"Bad value of \
         LRO_MAXPARALLELDOWNLOADS\")"
    );
}
