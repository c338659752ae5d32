//! dnf's per-repo options in a `--repofile`, end to end through
//! buildroot-generator over the local HTTP server (tests/http_support in
//! buildroot-core): `skip_if_unavailable` leaves a dead repo out with one
//! warning line (--quiet keeps it) and the same buildroot; without it the
//! run exits 2 naming the URL. `proxy` sends a repo's downloads through its
//! own proxy; `_none_` (as unset) leaves the environment's proxy, as dnf
//! does; `NO_PROXY` bypasses both, as curl does; `http://` repos behind a
//! proxy that refuses `CONNECT` (squid's default) load. A TLS file that cannot be
//! used exits 2 naming the .repo file, line and path, before any download.

use std::path::Path;

use assert_cmd::Command;
use cli_tests::http_support::{ConnectProxy, Fault, Server};
use cli_tests::tls_support::{tls_file, TlsFront};
use cli_tests::{cmd, root, Tool};

/// buildroot-generator over the `.repo` file `text` (`BASE` is the
/// server's base URL), caching into `dir`.
fn generator(text: &str, base: &str, dir: &Path) -> Command {
    generator_as(cli_tests::bin(Tool::Generator), text, base, dir)
}

/// [`generator`], started as the binary at `program` (a renamed copy).
fn generator_as(program: &Path, text: &str, base: &str, dir: &Path) -> Command {
    let repofile = dir.join("t.repo");
    std::fs::write(&repofile, text.replace("BASE", base)).unwrap();
    let mut c = Command::new(program);
    c.current_dir(root());
    c.args(["--arch", "x86_64", "--repofile"])
        .arg(&repofile)
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.01")
        .env("RPM_BUILDROOT_HTTP_TIMEOUT", "2")
        .env("RPM_BUILDROOT_HTTP_RETRIES", "1")
        .write_stdin("hello\nwebfetch\n");
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    c
}

/// What curl and ureq take a proxy (or its exceptions) from.
const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

const REPOS: &str = "[main]\nskip_if_unavailable=0\n\
                     [bin]\nbaseurl=BASE/x86_64\n\
                     [src-source]\nbaseurl=BASE/source\n";

#[test]
fn skip_if_unavailable_leaves_a_dead_repo_out_with_one_warning() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    let good = generator(REPOS, &server.base, t.path()).output().unwrap();
    assert!(good.status.success());
    assert!(good.stderr.is_empty());
    server.fault("dead/repodata/repomd.xml", Fault::Status(503), None);
    let dead = format!("{REPOS}[extra]\nbaseurl=BASE/dead\nskip_if_unavailable=1\n");
    let out = generator(&dead, &server.base, t.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(out.stdout, good.stdout);
    assert_eq!(
        err,
        format!(
            "buildroot-generator: warning: repo 'extra' skipped (skip_if_unavailable=1): \
             {}/dead/repodata/repomd.xml: HTTP 503 (gave up after 2 attempts)\n",
            server.base
        )
    );
    // --quiet keeps it: the answer lacks that repo (it was dropped until
    // the user audit, and a `-q --json` script could not tell).
    let quiet = generator(&dead, &server.base, t.path())
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(quiet.stdout, good.stdout);
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), err);
    // --json names it; a whole run's document has no such key.
    let json = |text: &str| {
        let out = generator(text, &server.base, t.path())
            .args(["--quiet", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(json(&dead)["skipped_repos"], serde_json::json!(["extra"]));
    assert!(json(REPOS).get("skipped_repos").is_none());
    // dnf's default: the run fails, naming the URL.
    let strict = dead.replace("skip_if_unavailable=1\n", "");
    let out = generator(&strict, &server.base, t.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err,
        format!(
            "buildroot-generator: {}/dead/repodata/repomd.xml: HTTP 503 (gave up after 2 \
             attempts)\n",
            server.base
        )
    );
}

/// The warning names the tool as its errors do (the name `main` gives), not
/// the name the binary was started by: a copy called `br-gen` still says
/// `buildroot-generator: warning:` as it says `buildroot-generator: ...`.
#[test]
fn the_warning_names_the_tool_as_its_errors_do() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    server.fault("dead/repodata/repomd.xml", Fault::Status(503), None);
    let copy = t.path().join("br-gen");
    std::fs::copy(cli_tests::bin(Tool::Generator), &copy).unwrap();
    let dead = format!("{REPOS}[extra]\nbaseurl=BASE/dead\nskip_if_unavailable=1\n");
    let out = generator_as(&copy, &dead, &server.base, t.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.starts_with("buildroot-generator: warning: repo 'extra' skipped"),
        "{err}"
    );
}

#[test]
fn a_repo_proxy_wins_and_none_leaves_the_environments() {
    let t = tempfile::tempdir().unwrap();
    let (bin, src) = (
        Server::start(root().join("testdata/repos")),
        Server::start(root().join("testdata/repos")),
    );
    let (env_proxy, repo_proxy) = (ConnectProxy::start(None), ConnectProxy::start(None));
    let plain = Server::start(root().join("testdata/repos"));
    let good = generator(REPOS, &plain.base, t.path()).output().unwrap();
    assert!(good.status.success());
    let text = format!(
        "[bin]\nbaseurl={}/x86_64\nproxy=_none_\n\
         [src-source]\nbaseurl={}/source\nproxy={}\n",
        bin.base, src.base, repo_proxy.url
    );
    let run = |no_proxy: Option<&str>| {
        let dir = t.path().join("with-proxies");
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = generator(&text, "", &dir);
        c.env("ALL_PROXY", &env_proxy.url);
        if let Some(v) = no_proxy {
            c.env("NO_PROXY", v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(out.stdout, good.stdout);
    };
    run(None);
    let authority = |s: &Server| s.base.trim_start_matches("http://").to_string();
    let (via_env, via_repo) = (env_proxy.tunnels(), repo_proxy.tunnels());
    assert!(!via_env.is_empty() && !via_repo.is_empty());
    assert!(
        via_env.iter().all(|t| t.target == authority(&bin)),
        "{via_env:?}"
    );
    assert!(
        via_repo.iter().all(|t| t.target == authority(&src)),
        "{via_repo:?}"
    );
    assert_eq!(via_env.len(), bin.requests().len());
    assert_eq!(via_repo.len(), src.requests().len());
    // NO_PROXY holds for both, the repo's proxy too (curl's rule).
    run(Some("localhost,127.0.0.1"));
    assert_eq!(env_proxy.tunnels().len(), via_env.len());
    assert_eq!(repo_proxy.tunnels().len(), via_repo.len());
    assert!(bin.requests().len() > via_env.len());
}

/// `no_proxy`/`NO_PROXY` read and matched as curl (and so dnf) reads
/// them: `no_proxy` first; a network (`127.0.0.0/8`) and a domain with a
/// leading dot (`.localhost`, the domain itself too) go around the proxy;
/// `127.*` is no pattern to curl, so the proxy is used. Each of these four
/// went the other way before (ureq's own matching: exact names, suffix
/// and prefix patterns, `NO_PROXY` first).
#[test]
fn no_proxy_is_matched_as_curl_matches_it() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    let proxy = ConnectProxy::squid(None);
    let localhost = server.base.replace("127.0.0.1", "localhost");
    let mut wrong = Vec::new();
    for (i, (base, vars, proxied)) in [
        (&server.base, &[("no_proxy", "127.0.0.0/8")][..], false),
        (&localhost, &[("no_proxy", ".localhost")][..], false),
        (&server.base, &[("no_proxy", "127.*")][..], true),
        (
            &server.base,
            &[("no_proxy", "example.invalid"), ("NO_PROXY", "127.0.0.1")][..],
            true,
        ),
        (
            &server.base,
            &[("NO_PROXY", "localhost, 127.0.0.1")][..],
            false,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let dir = t.path().join(i.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let before = proxy.tunnels().len();
        let mut c = generator(REPOS, base, &dir);
        c.env("http_proxy", &proxy.url);
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{vars:?}: {out:?}");
        let asked = proxy.tunnels().len() - before;
        if (asked > 0) != proxied {
            wrong.push(format!("{vars:?} for {base}: {asked} via the proxy"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Behind a proxy that refuses `CONNECT` but to port 443 (squid's
/// default), `http://` repos load as dnf loads them: each request goes to
/// the proxy whole (`GET http://...`), whether the proxy is the
/// environment's `http_proxy` or the `.repo` file's `proxy=`, and the
/// buildroot is the one of a direct run. Every run failed before (the
/// proxy answered 403 to each `CONNECT`).
#[test]
fn http_repos_behind_a_squid_like_proxy() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    for d in ["direct", "env", "repo"] {
        std::fs::create_dir_all(t.path().join(d)).unwrap();
    }
    let direct = generator(REPOS, &server.base, &t.path().join("direct"))
        .output()
        .unwrap();
    assert!(direct.status.success(), "{direct:?}");
    let (env_proxy, repo_proxy) = (ConnectProxy::squid(None), ConnectProxy::squid(None));
    let mut c = generator(REPOS, &server.base, &t.path().join("env"));
    c.env("http_proxy", &env_proxy.url);
    let via_env = c.output().unwrap();
    assert!(via_env.status.success(), "{via_env:?}");
    assert_eq!(via_env.stdout, direct.stdout);
    let text = format!(
        "[bin]\nbaseurl=BASE/x86_64\nproxy={0}\n\
         [src-source]\nbaseurl=BASE/source\nproxy={0}\n",
        repo_proxy.url
    );
    let via_repo = generator(&text, &server.base, &t.path().join("repo"))
        .output()
        .unwrap();
    assert!(via_repo.status.success(), "{via_repo:?}");
    assert_eq!(via_repo.stdout, direct.stdout);
    for proxy in [&env_proxy, &repo_proxy] {
        let asked = proxy.tunnels();
        assert!(!asked.is_empty());
        assert!(
            asked.iter().all(|r| r.method == "GET"
                && r.url
                    .as_deref()
                    .is_some_and(|u| u.starts_with(&server.base))),
            "{asked:?}"
        );
    }
}

/// A redirect from `http://` to `https://` takes the proxy of the new
/// scheme from the environment, by curl's rules (section 8): `http_proxy`
/// for the first request, sent plain; `https_proxy` for the redirect's,
/// a `CONNECT` tunnel; without `https_proxy` the `https://` request goes
/// straight to its server. curl 7.88 did the same (`http_proxy=P1
/// https_proxy=P2 curl -L`, a 302 from `http://127.0.0.1` to
/// `https://localhost`: `GET` to P1, `CONNECT` to P2; without
/// `https_proxy`, P1 saw the `GET` alone). The buildroot is a direct
/// run's.
#[test]
fn a_redirect_to_https_takes_the_environments_https_proxy() {
    let t = tempfile::tempdir().unwrap();
    let origin = Server::start(root().join("testdata/repos"));
    let front = TlsFront::start(&origin, false);
    let hop = Server::start(root().join("testdata/repos"));
    hop.fault("", Fault::Redirect(front.base.clone()), None);
    let ca = format!("sslcacert={}\n", tls_file("ca.pem").display());
    let repos = format!(
        "[main]\nskip_if_unavailable=0\n[bin]\nbaseurl=BASE/x86_64\n{ca}\
         [src-source]\nbaseurl=BASE/source\n{ca}"
    );
    for d in ["direct", "both", "http-only"] {
        std::fs::create_dir_all(t.path().join(d)).unwrap();
    }
    let direct = generator(&repos, &origin.base, &t.path().join("direct"))
        .output()
        .unwrap();
    assert!(direct.status.success(), "{direct:?}");
    let (plain, tunnels) = (ConnectProxy::squid(None), ConnectProxy::start(None));
    let mut c = generator(&repos, &hop.base, &t.path().join("both"));
    c.env("http_proxy", &plain.url)
        .env("https_proxy", &tunnels.url);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, direct.stdout);
    let (gets, connects) = (plain.tunnels(), tunnels.tunnels());
    assert!(!gets.is_empty() && !connects.is_empty());
    assert!(
        gets.iter().all(
            |r| r.method == "GET" && r.url.as_deref().is_some_and(|u| u.starts_with(&hop.base))
        ),
        "{gets:?}"
    );
    let front_authority = front.base.trim_start_matches("https://");
    assert!(
        connects
            .iter()
            .all(|r| r.method == "CONNECT" && r.target == front_authority),
        "{connects:?}"
    );
    assert_eq!(gets.len(), hop.requests().len());
    // Without https_proxy, the https:// requests go straight to the front.
    let served = front.handshakes.load(std::sync::atomic::Ordering::SeqCst);
    let mut c = generator(&repos, &hop.base, &t.path().join("http-only"));
    c.env("http_proxy", &plain.url);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, direct.stdout);
    assert_eq!(tunnels.tunnels().len(), connects.len());
    assert!(plain.tunnels().iter().all(|r| r.method == "GET"));
    assert!(front.handshakes.load(std::sync::atomic::Ordering::SeqCst) > served);
}

/// An `https://` proxy from the environment (`https_proxy`, no `proxy=`)
/// is checked with `[main]`'s `proxy_ssl*` (`--dnf-conf`), as librepo sets
/// curl's `CURLOPT_PROXY_*` whatever chose the proxy: its CA in
/// `proxy_sslcacert`, or `proxy_sslverify=0`, and the run is a direct
/// run's; without either, the proxy is refused (exit 2, one line naming
/// it) and no tunnel is asked for.
#[test]
fn the_environments_https_proxy_is_checked_with_mains_proxy_options() {
    let t = tempfile::tempdir().unwrap();
    let origin = Server::start(root().join("testdata/repos"));
    let front = TlsFront::start(&origin, false);
    let backend = ConnectProxy::start(None);
    let tls_proxy = TlsFront::start_before(&backend.url, false, true);
    let ca = tls_file("ca.pem").display().to_string();
    let repos = format!(
        "[bin]\nbaseurl=BASE/x86_64\nsslcacert={ca}\n\
         [src-source]\nbaseurl=BASE/source\nsslcacert={ca}\n"
    );
    let run = |dir: &str, main: &str| {
        let dir = t.path().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("dnf.conf");
        std::fs::write(&conf, format!("[main]\nskip_if_unavailable=0\n{main}")).unwrap();
        let mut c = generator(&repos, &front.base, &dir);
        c.arg("--dnf-conf").arg(&conf);
        c
    };
    let direct = run("direct", "").output().unwrap();
    assert!(direct.status.success(), "{direct:?}");
    for (dir, main) in [
        ("ca", format!("proxy_sslcacert={ca}\n")),
        ("unverified", "proxy_sslverify=0\n".to_string()),
    ] {
        let out = run(dir, &main)
            .env("https_proxy", &tls_proxy.base)
            .output()
            .unwrap();
        assert!(out.status.success(), "{main}: {out:?}");
        assert_eq!(out.stdout, direct.stdout);
    }
    let tunnels = backend.tunnels();
    assert!(!tunnels.is_empty());
    assert!(tunnels.iter().all(|r| r.method == "CONNECT"), "{tunnels:?}");
    let out = run("refused", "sslverify=0\n")
        .env("https_proxy", &tls_proxy.base)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let authority = tls_proxy.base.trim_start_matches("https://");
    assert!(
        err.contains(&format!("TLS to the proxy {authority} failed")),
        "{err}"
    );
    assert_eq!(backend.tunnels().len(), tunnels.len());
}

#[test]
fn a_missing_certificate_file_exits_2_before_any_download() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    let text = format!("{REPOS}[tls]\nbaseurl=BASE/x86_64\nsslcacert=/nonexistent/ca.pem\n");
    let out = generator(&text, &server.base, t.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        err,
        format!(
            "buildroot-generator: {}:9: [tls]: sslcacert=/nonexistent/ca.pem: cannot read: No \
             such file or directory\n",
            t.path().join("t.repo").display()
        )
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

/// A `.repo` section whose baseurl is a missing local directory: the one
/// error line names the section's id and the `.repo` file.
#[test]
fn a_missing_local_baseurl_names_the_repo_and_its_file() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("bni");
    let text = format!(
        "[bin]\nbaseurl={}\n[src-source]\nbaseurl={}/testdata/repos/source\n",
        missing.display(),
        root().display()
    );
    let out = generator(&text, "", t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        format!(
            "buildroot-generator: repo 'bin' ({}): {}: repository directory does not exist\n",
            t.path().join("t.repo").display(),
            missing.display()
        )
    );
}

/// Every repo left out: the refusal names them as skipped, not as repos
/// that hold nothing (which reads like a wrong --arch or repo path).
#[test]
fn every_repo_skipped_is_said_so_in_the_refusal() {
    let t = tempfile::tempdir().unwrap();
    let text = "[gone]\nbaseurl=/nonexistent/bin\nskip_if_unavailable=1\n\
                [gone-source]\nbaseurl=/nonexistent/src\nskip_if_unavailable=1\n";
    let out = generator(text, "", t.path()).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(err.matches("warning: repo 'gone").count(), 2, "{err}");
    assert!(
        err.contains(
            "the repositories (gone (skipped: unavailable), gone-source (skipped: unavailable)) \
             hold no source package"
        ),
        "{err}"
    );
}

/// A repo left out while its file is read (no URL, skip_if_unavailable=1)
/// is one of the repos `--json`'s `skipped_repos` names, as one left out
/// when its metadata cannot be had (it said so on stderr and was missing
/// from the document: the review).
#[test]
fn a_repo_without_a_url_left_out_is_in_skipped_repos() {
    let t = tempfile::tempdir().unwrap();
    let text = "[bin]\nbaseurl=testdata/repos/x86_64\n[src]\nbaseurl=testdata/repos/source\n\
                [nourl]\nskip_if_unavailable=1\n";
    let out = generator(text, "", t.path())
        .args(["--json", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["skipped_repos"], serde_json::json!(["nourl"]));
}

/// Every repo left out while the file is read (enabled, no URL, under
/// skip_if_unavailable=1, as dnf ignores it when it loads): a warning each
/// naming the file, line and section, then exit 2 with the repos named as
/// left out, not "give --repofile FILE" (one was given). With --quiet, the
/// refusal alone, which still says why.
#[test]
fn every_repo_without_a_url_left_out_is_said_so() {
    let t = tempfile::tempdir().unwrap();
    let text = "[bin]\nname=B\nskip_if_unavailable=1\n[src]\n#baseurl=/s\nskip_if_unavailable=1\n";
    let refusal = "buildroot-generator: no repositories enabled (bin, src: each has enabled=0, or \
                   no baseurl, metalink or mirrorlist under skip_if_unavailable=1, which leaves \
                   it out): enable one, or give --repo/--source-repo ID=URL, --repofile FILE or \
                   --dnf-conf FILE\n";
    let file = t.path().join("t.repo");
    let warn = |line: usize, id: &str| {
        format!(
            "buildroot-generator: warning: repo '{id}' skipped (skip_if_unavailable=1): {}:{line}: \
             [{id}]: no baseurl, metalink or mirrorlist\n",
            file.display()
        )
    };
    let out = generator(text, "", t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("{}{}{refusal}", warn(1, "bin"), warn(4, "src"))
    );
    // -q keeps the repos left out: they explain the refusal.
    let out = generator(text, "", t.path()).arg("-q").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("{}{}{refusal}", warn(1, "bin"), warn(4, "src"))
    );
}

#[test]
fn the_environments_proxy_is_picked_as_curl_picks_it() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    for d in ["a", "b"] {
        std::fs::create_dir_all(t.path().join(d)).unwrap();
    }
    let (upper, own, all) = (
        ConnectProxy::start(None),
        ConnectProxy::start(None),
        ConnectProxy::start(None),
    );
    // HTTP_PROXY is never read (curl's httpoxy rule): a direct download.
    let mut c = generator(REPOS, &server.base, &t.path().join("a"));
    c.env("HTTP_PROXY", &upper.url);
    assert!(c.output().unwrap().status.success());
    assert!(upper.tunnels().is_empty());
    // http_proxy, the scheme's own, wins over ALL_PROXY.
    let mut c = generator(REPOS, &server.base, &t.path().join("b"));
    c.env("http_proxy", &own.url).env("ALL_PROXY", &all.url);
    assert!(c.output().unwrap().status.success());
    assert!(!own.tunnels().is_empty());
    assert!(all.tunnels().is_empty());
}

#[test]
fn a_dnf_conf_main_reaches_every_repo_of_the_run() {
    // mock's dnf.conf shape: [main] with options of dnf's own (ignored) and
    // the repos' defaults, and a repo section of its own.
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    let proxy = ConnectProxy::start(None);
    let conf = t.path().join("dnf.conf");
    std::fs::write(
        &conf,
        format!(
            "[main]\nkeepcache=1\ninstall_weak_deps=0\nbest=1\nreposdir=/dev/null\n\
             proxy={}\nretries=2\n\n[src-source]\nbaseurl={}/source\n",
            proxy.url, server.base
        ),
    )
    .unwrap();
    let run = |bin: &str| {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--dnf-conf"])
            .arg(&conf)
            .args(["--repo", &format!("bin={bin}"), "--cache-dir"])
            .arg(t.path().join("conf-cache"))
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.01")
            .write_stdin("hello\nwebfetch\n");
        for v in PROXY_VARS {
            c.env_remove(v);
        }
        c.output().unwrap()
    };
    let plain = generator(REPOS, &server.base, t.path()).output().unwrap();
    assert!(plain.status.success());
    let before = server.requests().len();
    let out = run(&format!("{}/x86_64", server.base));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, plain.stdout);
    // Every download of both repos went through [main]'s proxy: the
    // --repo's and the dnf.conf's own repo's.
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty());
    assert_eq!(tunnels.len(), server.requests().len() - before);
    // A value [main]'s option cannot take is passed over, as dnf logs it
    // and goes on: one warning naming the file and line.
    std::fs::write(
        &conf,
        format!(
            "[main]\nbest=1\ntimeout=soon\n\n[src-source]\nbaseurl={}/source\n",
            server.base
        ),
    )
    .unwrap();
    let out = run(&format!("{}/x86_64", server.base));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, plain.stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "buildroot-generator: warning: {}:3: [main]: timeout=soon is not a number of \
             seconds; ignored, as dnf ignores it\n",
            conf.display()
        )
    );
    // --quiet says nothing of it (the files are read before anything else).
    let mut c = cmd(Tool::Generator);
    c.args(["-q", "--arch", "x86_64", "--dnf-conf"])
        .arg(&conf)
        .args([
            "--repo",
            &format!("bin={}/x86_64", server.base),
            "--cache-dir",
        ])
        .arg(t.path().join("conf-cache"))
        .write_stdin("hello\n");
    for v in PROXY_VARS {
        c.env_remove(v);
    }
    let out = c.output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
}

/// `[main]`'s `repo_gpgcheck=1` reaches a `--repo ID=URL` as it reaches a
/// section (libdnf's option is inherited by every repo, `--repofrompath`'s
/// too): each such repo is warned about, naming the dnf.conf line, as its
/// signature goes unchecked.
#[test]
fn a_main_repo_gpgcheck_is_warned_about_for_a_command_line_repo() {
    let t = tempfile::tempdir().unwrap();
    let conf = t.path().join("dnf.conf");
    std::fs::write(&conf, "[main]\nbest=1\nrepo_gpgcheck=1\n").unwrap();
    let out = cmd(Tool::Generator)
        .args(["--arch", "x86_64", "--dnf-conf"])
        .arg(&conf)
        .args([
            "--repo",
            "bin=testdata/repos/x86_64",
            "--source-repo",
            "src=testdata/repos/source",
        ])
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = |id: &str| {
        format!(
            "buildroot-generator: warning: {}:3: [{id}]: repo_gpgcheck=1 is not honoured: these \
             tools check no OpenPGP signature, so repomd.xml is read without repomd.xml.asc, \
             which dnf would require and check against gpgkey\n",
            conf.display()
        )
    };
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("{}{}", said("bin"), said("src"))
    );
}

#[test]
fn a_repo_id_defined_twice_is_used_once_from_its_first_definition() {
    // dnf keeps the first section of an id and warns about the others: the
    // dnf.conf's [bin] wins over the .repo file's (a missing directory).
    let t = tempfile::tempdir().unwrap();
    let conf = t.path().join("dnf.conf");
    std::fs::write(&conf, "[bin]\nbaseurl=testdata/repos/x86_64\n").unwrap();
    let repofile = t.path().join("t.repo");
    std::fs::write(&repofile, "[bin]\nbaseurl=/nonexistent\n").unwrap();
    let run = |files: &[(&str, &Path)]| {
        let mut c = cmd(Tool::Generator);
        c.args([
            "--arch",
            "x86_64",
            "--source-repo",
            "src=testdata/repos/source",
        ])
        .write_stdin("hello\n");
        for (flag, f) in files {
            c.arg(flag).arg(f);
        }
        c.output().unwrap()
    };
    let alone = run(&[("--dnf-conf", &conf)]);
    assert!(alone.status.success(), "{alone:?}");
    let both = run(&[("--dnf-conf", &conf), ("--repofile", &repofile)]);
    assert!(both.status.success(), "{both:?}");
    assert_eq!(both.stdout, alone.stdout);
    assert_eq!(
        String::from_utf8_lossy(&both.stderr),
        format!(
            "buildroot-generator: warning: [bin] of {} ignored: [bin] of {} has that id (dnf \
             uses the first)\n",
            repofile.display(),
            conf.display()
        )
    );
}

#[test]
fn a_repeated_repo_id_is_named_with_what_was_dropped_and_left_out_of_later_messages() {
    let t = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        cmd(Tool::Generator)
            .args(["--arch", "x86_64"])
            .args(args)
            .write_stdin("hello\n")
            .output()
            .unwrap()
    };
    // The source repo under the binary repo's id: dropped, and the refusal
    // that follows names only the repo that is used.
    let out = run(&[
        "--repo",
        "main=testdata/repos/x86_64",
        "--source-repo",
        "main=testdata/repos/source",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: warning: --source-repo main=testdata/repos/source ignored: --repo \
         main=testdata/repos/x86_64 has that id (dnf uses the first)\n\
         buildroot-generator: the repositories (main) hold no source package: give \
         --source-repo ID=URL (or a --repofile with source repos); for the core buildroot \
         alone, give an empty input\n"
    );
    // Two sections of one id in one file are one section, as libdnf's
    // parser makes them: the later baseurl counts (the source repo), no
    // warning (across files, the first definition is used, above).
    let repofile = t.path().join("t.repo");
    std::fs::write(
        &repofile,
        "[bin]\nbaseurl=testdata/repos/x86_64\n[bin]\nbaseurl=testdata/repos/source\n",
    )
    .unwrap();
    let out = run(&["--repofile", repofile.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: --arch x86_64: the repositories (bin) hold no package for x86_64: \
         the core buildroot cannot be installed\n"
    );
}

#[test]
fn environment_variables_set_repo_variables_and_others_do_no_harm() {
    // DNF_VAR_name sets $name, as dnf reads it; a variable that is not
    // UTF-8 (a legacy locale's) is none of dnf's and changes nothing.
    use std::os::unix::ffi::OsStrExt;
    let t = tempfile::tempdir().unwrap();
    let repofile = t.path().join("t.repo");
    std::fs::write(
        &repofile,
        "[bin]\nbaseurl=testdata/repos/$flavour\n[src-source]\nbaseurl=testdata/repos/source\n",
    )
    .unwrap();
    let out = cmd(Tool::Generator)
        .args(["--arch", "x86_64", "--repofile"])
        .arg(&repofile)
        .env("DNF_VAR_flavour", "x86_64")
        .env("LEGACY", std::ffi::OsStr::from_bytes(b"caf\xe9"))
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l == "bash"));
}

/// `--repofile -` and `--dnf-conf -` are refused in words, by every tool
/// that takes them, before anything is read: stdin holds the list, and the
/// file is read once per arch (they said "-: No such file or directory").
#[test]
fn a_repofile_from_stdin_is_refused_in_words() {
    let ctx = cli_tests::TestContext::new();
    for (option, tool, extra) in [
        ("--repofile", Tool::Generator, &["--arch", "x86_64"][..]),
        ("--dnf-conf", Tool::Generator, &["--arch", "x86_64"][..]),
        (
            "--repofile",
            Tool::IdentifyArchful,
            &[
                "--arch",
                "x86_64",
                "--cache",
                "/tmp/unused-cache-repofile-dash",
            ][..],
        ),
    ] {
        let mut c = cmd(tool);
        c.args(extra).args([option, "-"]);
        let line = cli_tests::expect_error(&ctx, c, "hello\n");
        assert_eq!(
            line,
            format!(
                "{}: {option} -: not read from stdin (stdin is the list; the file is read for \
                 each arch): give a file",
                tool.name()
            )
        );
    }
    assert!(!Path::new("/tmp/unused-cache-repofile-dash").exists());
}

/// A bad `--repo` or `--source-repo` value is refused naming its option:
/// the two read alike otherwise (`'': expected ID=URL`).
#[test]
fn a_bad_repo_value_names_its_option() {
    let ctx = cli_tests::TestContext::new();
    let good = format!("m={}", root().join("testdata/repos/x86_64").display());
    for (args, expected) in [
        (
            vec!["--repo=".to_string()],
            "buildroot-generator: --repo '': expected ID=URL",
        ),
        (
            vec!["--repo".into(), good.clone(), "--source-repo=".into()],
            "buildroot-generator: --source-repo '': expected ID=URL",
        ),
        (
            vec!["--repo".into(), "a b=/x".into()],
            "buildroot-generator: --repo 'a b=/x': 'a b' is not a repo id dnf takes: \
             ' ' at position 2 (letters, digits and -_.: only)",
        ),
    ] {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64"]).args(&args);
        assert_eq!(
            cli_tests::expect_error(&ctx, c, "bash\n"),
            expected,
            "{args:?}"
        );
    }
}

/// A `.repo` file's `$stream` (CentOS Stream's), given by a vars file of
/// `--dnf-conf`'s `varsdir=`, as dnf reads /etc/dnf/vars; without it the
/// run fails on the URL as written, and the line says which variable is
/// unset and how to give it.
#[test]
fn a_dnf_conf_varsdir_gives_a_repo_files_variables() {
    let t = tempfile::tempdir().unwrap();
    let repofile = t.path().join("t.repo");
    std::fs::write(
        &repofile,
        format!(
            "[bin]\nbaseurl=file://{0}/testdata/repos/$stream/\n\
             [src-source]\nbaseurl=file://{0}/testdata/repos/source\n",
            root().display()
        ),
    )
    .unwrap();
    let vars = t.path().join("vars");
    std::fs::create_dir(&vars).unwrap();
    std::fs::write(vars.join("stream"), "x86_64\n").unwrap();
    let conf = t.path().join("dnf.conf");
    std::fs::write(&conf, format!("[main]\nvarsdir={}\n", vars.display())).unwrap();
    let run = |dnf_conf: bool| {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repofile"])
            .arg(&repofile)
            .env_remove("DNF_VAR_stream")
            .write_stdin("hello\n");
        if dnf_conf {
            c.arg("--dnf-conf").arg(&conf);
        }
        c.output().unwrap()
    };
    let out = run(true);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l == "bash"));
    let out = run(false);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "buildroot-generator: repo 'bin' ({}): {}/testdata/repos/$stream/: repository \
             directory does not exist; $stream is not set (dnf reads such variables from \
             /etc/dnf/vars): give DNF_VAR_stream=VALUE, or varsdir=DIR in the [main] of \
             --dnf-conf, DIR holding a file 'stream'\n",
            repofile.display(),
            root().display()
        )
    );
}
