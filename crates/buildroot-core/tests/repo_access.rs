//! dnf's per-repo network options of `.repo` files, against the local HTTP
//! server and CONNECT proxy (tests/http_support): `username`/`password`
//! (basic auth on every request of that repo, metadata and SRPMs; a 401
//! without them is one line), `proxy` with `proxy_username`/
//! `proxy_password` (every request of the repo through its proxy; a 407 is
//! one line), and each repo's settings stay its own.

mod http_support;

use buildroot_core::archful::refresh_cache;
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{
    load_repo, load_repos, parse_repofile_str, LoadOptions, RepoSpec, Vars,
};
use http_support::{ConnectProxy, Fault, Server, SocksProxy};
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

/// `user:s3cret`, as a basic `Authorization` header.
const USER_S3CRET: &str = "Basic dXNlcjpzM2NyZXQ=";

/// `proxy:pw`, as a basic `Proxy-Authorization` header.
const PROXY_PW: &str = "Basic cHJveHk6cHc=";

/// `HOST:PORT` of a server, as a CONNECT names it.
fn authority(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Short waits, one retry, and a run timeout (10 s) far above a repo's
/// `timeout=1`, so that a wall-time bound can tell "the repo's limit" or
/// "at once" from "the run's limit" on a loaded machine.
fn fast() {
    http_support::http_settings("0.01", "10", "1");
}

/// The repos of a `.repo` text.
fn specs(text: &str) -> Vec<RepoSpec> {
    parse_repofile_str(text, "t.repo", &Vars::new("x86_64", "")).unwrap()
}

#[test]
fn basic_auth_reaches_every_download_of_the_repo() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    let spec = &specs(&format!(
        "[private-source]\nbaseurl={}/source\nusername=user\npassword=s3cret\n",
        server.base
    ))[0];
    let repo = load_repo(spec, &LoadOptions::cached_in(t.path().join("meta"))).unwrap();
    assert!(repo.spec.enabled && !repo.packages.is_empty());
    // The SRPMs come through the same layer, with the same credentials.
    let got = refresh_cache(&[repo], &["hello".into()], &t.path().join("srpms")).unwrap();
    assert_eq!(got.cached.len(), 1);
    let reqs = server.requests();
    assert!(
        reqs.iter().any(|r| r.path.ends_with(".src.rpm")),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .all(|r| r.authorization.as_deref() == Some(USER_S3CRET) && r.fault.is_none()),
        "{reqs:?}"
    );
}

#[test]
fn a_pool_read_back_from_the_cache_keeps_the_repo_access() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    let specs = specs(&format!(
        "[bin-auth]\nbaseurl={}/x86_64\nusername=user\npassword=s3cret\n",
        server.base
    ));
    for cached in [false, true] {
        let pool = Pool::load("x86_64", &specs, &LoadOptions::cached_in(t.path())).unwrap();
        assert_eq!(pool.from_cache(), cached);
        // Macro packages are downloaded with what the pool says of their repo.
        let bash = pool.binaries_named("bash")[0];
        assert_eq!(pool.repo_access(bash), &specs[0].access);
        assert_eq!(pool.repo_access(bash).password, "s3cret");
    }
}

#[test]
fn without_the_credentials_a_401_is_one_line() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    for creds in ["", "username=user\npassword=wrong\n"] {
        let spec = &specs(&format!(
            "[locked]\nbaseurl={}/source\n{creds}",
            server.base
        ))[0];
        let e = load_repo(spec, &LoadOptions::cached_in(t.path()))
            .unwrap_err()
            .to_string();
        // Retried at once, as librepo retries any answer but a 2xx.
        assert_eq!(
            e,
            format!(
                "{}/source/repodata/repomd.xml: HTTP 401 (gave up after 2 attempts)",
                server.base
            )
        );
    }
}

#[test]
fn credentials_follow_a_redirect_to_their_own_scheme_host_and_port_only() {
    fast();
    // Same host, same port: the credentials go along (without them, a 401).
    let locked = Server::start(ROOT.into());
    locked.require_authorization(Some(USER_S3CRET));
    locked.fault("repomd.xml", Fault::Redirect(locked.base.clone()), Some(1));
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[bin]\nbaseurl={}/x86_64\nusername=user\npassword=s3cret\n",
        locked.base
    );
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    let repomd = locked.requests_for("repomd.xml");
    assert_eq!(repomd.len(), 2, "{repomd:?}");
    assert!(repomd
        .iter()
        .all(|r| r.authorization.as_deref() == Some(USER_S3CRET)));
    // Same host (127.0.0.1), another port: as curl, not sent there.
    let other = Server::start(ROOT.into());
    locked.clear_faults();
    locked.fault("", Fault::Redirect(other.base.clone()), None);
    let t = tempfile::tempdir().unwrap();
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    assert!(!other.requests().is_empty());
    assert!(
        other.requests().iter().all(|r| r.authorization.is_none()),
        "{:?}",
        other.requests()
    );
}

#[test]
fn any_3xx_with_a_location_is_followed_as_curl_follows_it() {
    fast();
    // curl follows the Location of every 3xx answer, not only 301-308's
    // usual five: a 300 (Multiple Choices) naming a mirror is followed.
    let mirror = Server::start(ROOT.into());
    for code in [300, 305, 308] {
        let first = Server::start(ROOT.into());
        first.fault("", Fault::RedirectWith(code, mirror.base.clone()), None);
        let t = tempfile::tempdir().unwrap();
        let text = format!("[bin]\nbaseurl={}/x86_64\n", first.base);
        let pool = load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path()));
        assert!(
            pool.is_ok(),
            "{code}: {:?}",
            pool.err().map(|e| e.to_string())
        );
        assert!(first.requests().iter().all(|r| r
            .fault
            .as_deref()
            .is_some_and(|f| f.contains("RedirectWith"))));
    }
    assert!(!mirror.requests_for("repomd.xml").is_empty());
}

#[test]
fn credentials_stay_with_their_repo() {
    fast();
    let locked = Server::start(ROOT.into());
    locked.require_authorization(Some(USER_S3CRET));
    let open = Server::start(ROOT.into());
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[locked-bin]\nbaseurl={}/x86_64\nusername=user\npassword=s3cret\n\
         [open-src]\nbaseurl={}/source\n",
        locked.base, open.base
    );
    let repos = load_repos(&specs(&text), &LoadOptions::cached_in(t.path())).unwrap();
    assert_eq!(repos.len(), 2);
    assert!(!open.requests().is_empty());
    assert!(open.requests().iter().all(|r| r.authorization.is_none()));
    assert!(locked
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() == Some(USER_S3CRET)));
}

#[test]
fn each_repo_goes_through_its_own_proxy() {
    fast();
    let (a, b, c) = (
        Server::start(ROOT.into()),
        Server::start(ROOT.into()),
        Server::start(ROOT.into()),
    );
    let (p1, p2) = (ConnectProxy::start(None), ConnectProxy::start(None));
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[via-p1]\nbaseurl={}/x86_64\nproxy={}\n\
         [via-p2]\nbaseurl={}/source\nproxy={}/\n\
         [direct]\nbaseurl={}/extras/x86_64\nproxy=_none_\n",
        a.base, p1.url, b.base, p2.url, c.base
    );
    let repos = load_repos(&specs(&text), &LoadOptions::cached_in(t.path())).unwrap();
    assert_eq!(repos.len(), 3);
    // One tunnel per request (each attempt is a connection of its own).
    for (proxy, server) in [(&p1, &a), (&p2, &b)] {
        let tunnels = proxy.tunnels();
        assert_eq!(tunnels.len(), server.requests().len(), "{tunnels:?}");
        assert!(tunnels.iter().all(|t| t.target == authority(server)));
    }
    assert!(!c.requests().is_empty());
    // The SRPMs of a proxied repo go through its proxy too.
    let before = p2.tunnels().len();
    refresh_cache(&repos[1..2], &["hello".into()], &t.path().join("srpms")).unwrap();
    assert_eq!(p2.tunnels().len(), before + 1);
}

/// The error, as said, of loading the first repo of the `.repo` `text`
/// with its cache in `cache`.
fn load_err(text: &str, cache: &Path) -> String {
    load_repo(&specs(text)[0], &LoadOptions::cached_in(cache))
        .unwrap_err()
        .to_string()
}

/// Loads `server`'s source repo through `proxy` twice, its credentials
/// given each way a `.repo` gives them: `proxy_username`/`proxy_password`,
/// then in the proxy URL.
fn load_with_each_credential_form(server: &Server, proxy: &ConnectProxy, cache: &Path) {
    let host = proxy.url.trim_start_matches("http://");
    for creds in [
        format!(
            "proxy={}\nproxy_username=proxy\nproxy_password=pw\n",
            proxy.url
        ),
        format!("proxy=http://proxy:pw@{host}\n"),
    ] {
        let text = format!("[p]\nbaseurl={}/source\n{creds}", server.base);
        load_repo(&specs(&text)[0], &LoadOptions::cached_in(cache)).unwrap();
    }
}

#[test]
fn proxy_credentials() {
    fast();
    let server = Server::start(ROOT.into());
    let proxy = ConnectProxy::start(Some(PROXY_PW));
    let t = tempfile::tempdir().unwrap();
    load_with_each_credential_form(&server, &proxy, t.path());
    assert!(proxy
        .tunnels()
        .iter()
        .all(|t| t.authorization.as_deref() == Some(PROXY_PW)));
    let text = format!("[p]\nbaseurl={}/source\nproxy={}\n", server.base, proxy.url);
    let before = proxy.tunnels().len();
    let start = std::time::Instant::now();
    let e = load_err(&text, t.path());
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with(&format!("{}/source/repodata/repomd.xml: ", server.base)),
        "{e}"
    );
    // Asked again at once, as librepo retries curl's "CONNECT tunnel
    // failed" (a receive error, no fatal one): the run's 2 attempts.
    assert!(
        e.ends_with(": the proxy answered HTTP 407 (gave up after 2 attempts)"),
        "{e}"
    );
    assert_eq!(proxy.tunnels().len() - before, 2);
    // Neither attempt waited for the run's 10 s timeout (a refusal is an
    // answer; milliseconds, bounded loosely for a loaded machine).
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// An `http://` repo through a proxy that, as squid's default
/// configuration, refuses `CONNECT` to any port but 443: its requests go
/// to the proxy in absolute form, as curl sends them (librepo asks curl
/// for no tunnel), with `Proxy-Connection: Keep-Alive` as curl adds it.
/// Every request was a refused `CONNECT` before (`HTTP 403`).
#[test]
fn an_http_repo_loads_through_a_proxy_that_refuses_connect() {
    fast();
    let server = Server::start(ROOT.into());
    let proxy = ConnectProxy::squid(None);
    let t = tempfile::tempdir().unwrap();
    let text = format!("[p]\nbaseurl={}/source\nproxy={}\n", server.base, proxy.url);
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    let asked = proxy.tunnels();
    assert_eq!(asked.len(), server.requests().len(), "{asked:?}");
    for r in &asked {
        assert_eq!(r.method, "GET", "{r:?}");
        assert_eq!(r.target, authority(&server), "{r:?}");
        let url = r.url.as_deref().unwrap_or("");
        assert!(
            url.starts_with(&format!("{}/source/", server.base)),
            "{r:?}"
        );
        assert_eq!(r.proxy_connection.as_deref(), Some("Keep-Alive"), "{r:?}");
    }
    assert!(asked
        .iter()
        .any(|r| r.url.as_deref().unwrap().ends_with("/repodata/repomd.xml")));
}

/// A 302 to another host, through a plain HTTP proxy: the redirect's
/// request goes to the proxy too (absolute form, the new host named, the
/// proxy's credentials on it), as curl 7.88 sends it (`curl -L -x
/// http://PROXY http://127.0.0.1:P/r`, 302 to `http://localhost:Q/...`:
/// both `GET`s reached the proxy); nothing reaches either server but
/// through the proxy. The repo's own credentials stay with their host.
#[test]
fn a_redirect_to_another_host_goes_through_the_proxy_too() {
    fast();
    let origin = Server::start(ROOT.into());
    let elsewhere = origin.base.replace("127.0.0.1", "localhost");
    let hop = Server::start(ROOT.into());
    hop.fault("", Fault::Redirect(elsewhere.clone()), None);
    let proxy = ConnectProxy::squid(Some(PROXY_PW));
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[p]\nbaseurl={}/source\nproxy={}\nproxy_username=proxy\nproxy_password=pw\n\
         username=user\npassword=s3cret\n",
        hop.base, proxy.url
    );
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    let asked = proxy.tunnels();
    let repomd = "/source/repodata/repomd.xml";
    let lines: Vec<&str> = asked.iter().take(2).map(|r| r.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            format!("GET {}{repomd} HTTP/1.1", hop.base),
            format!("GET {elsewhere}{repomd} HTTP/1.1"),
        ],
        "{asked:?}"
    );
    assert!(asked
        .iter()
        .all(|r| r.method == "GET" && r.authorization.as_deref() == Some(PROXY_PW)));
    // Every request of each server came through the proxy, one to one.
    let via = |base: &str| asked.iter().filter(|r| r.line.contains(base)).count();
    assert_eq!(via(&hop.base), hop.requests().len());
    assert_eq!(via(&elsewhere), origin.requests().len());
    assert_eq!(asked.len(), hop.requests().len() + origin.requests().len());
    assert!(hop
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() == Some(USER_S3CRET)));
    assert!(origin.requests().iter().all(|r| r.authorization.is_none()));
}

/// Through a proxy that keeps its client connections alive (squid answers
/// HTTP/1.1 keep-alive), every request of a repo load arrives in absolute
/// form, each with `Proxy-Connection`, and the load's answer is the same
/// as through a proxy that closes. Requests share kept connections
/// (`http/agents.rs`; `tests/http_reuse.rs` checks they do, and that
/// every request on one is rewritten).
#[test]
fn an_http_repo_loads_through_a_keep_alive_proxy() {
    fast();
    let server = Server::start(ROOT.into());
    let proxy = ConnectProxy::squid_keep_alive(Some(PROXY_PW));
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[p]\nbaseurl={}/source\nproxy={}\nproxy_username=proxy\nproxy_password=pw\n",
        server.base, proxy.url
    );
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    let asked = proxy.tunnels();
    assert!(asked.len() >= 2, "{asked:?}");
    assert_eq!(asked.len(), server.requests().len(), "{asked:?}");
    let prefix = format!("GET {}/source/", server.base);
    for r in &asked {
        assert!(r.line.starts_with(&prefix), "{r:?}");
        assert_eq!(r.authorization.as_deref(), Some(PROXY_PW), "{r:?}");
        assert_eq!(r.proxy_connection.as_deref(), Some("Keep-Alive"), "{r:?}");
    }
    // Its 407, kept alive, is retried at once on a connection of its own.
    let text = format!("[p]\nbaseurl={}/source\nproxy={}\n", server.base, proxy.url);
    let e = load_err(&text, t.path());
    assert!(
        e.ends_with(": the proxy answered HTTP 407 (gave up after 2 attempts)"),
        "{e}"
    );
    let refused = &proxy.tunnels()[asked.len()..];
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_ne!(refused[0].connection, refused[1].connection);
}

/// The proxy's credentials go on each plain request (`proxy_username`/
/// `proxy_password`, or the proxy URL's), as Basic; without them, the
/// proxy's 407 is the same line as a refused tunnel's, retried at once.
#[test]
fn proxy_credentials_on_plain_requests() {
    fast();
    let server = Server::start(ROOT.into());
    let proxy = ConnectProxy::squid(Some(PROXY_PW));
    let t = tempfile::tempdir().unwrap();
    load_with_each_credential_form(&server, &proxy, t.path());
    let asked = proxy.tunnels();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|r| r.method == "GET" && r.authorization.as_deref() == Some(PROXY_PW)),
        "{asked:?}"
    );
    let text = format!("[p]\nbaseurl={}/source\nproxy={}\n", server.base, proxy.url);
    let (before, served) = (asked.len(), server.requests().len());
    let start = std::time::Instant::now();
    let e = load_err(&text, t.path());
    assert_eq!(
        e,
        format!(
            "{}/source/repodata/repomd.xml: the proxy answered HTTP 407 \
             (gave up after 2 attempts)",
            server.base
        )
    );
    assert_eq!(proxy.tunnels().len() - before, 2);
    assert_eq!(server.requests().len(), served, "the origin was asked");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

/// A proxy's 502 for an origin it cannot reach, to a plain request, is an
/// answer like any 5xx (curl hands it over as the answer, not as a failed
/// tunnel): retried after the backoff, said with its status.
#[test]
fn a_proxys_502_to_a_plain_request_is_a_5xx() {
    fast();
    let proxy = ConnectProxy::squid(None);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let t = tempfile::tempdir().unwrap();
    let text = format!("[p]\nbaseurl={dead}/source\nproxy={}\n", proxy.url);
    let e = load_err(&text, t.path());
    assert_eq!(
        e,
        format!("{dead}/source/repodata/repomd.xml: HTTP 502 (gave up after 2 attempts)")
    );
    assert_eq!(proxy.tunnels().len(), 2);
}

/// A body cut short through the proxy is resumed with `Range`, through
/// the proxy, as a direct one is; the file is the origin's.
#[test]
fn a_cut_body_through_the_proxy_resumes_with_a_range() {
    fast();
    let server = Server::start(ROOT.into());
    server.fault("primary.xml.gz", Fault::ShortBody, Some(1));
    let proxy = ConnectProxy::squid(None);
    let t = tempfile::tempdir().unwrap();
    let text = format!("[p]\nbaseurl={}/source\nproxy={}\n", server.base, proxy.url);
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    let asked = server.requests_for("primary.xml.gz");
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0].range, None);
    assert!(
        asked[1]
            .range
            .as_deref()
            .is_some_and(|r| r.starts_with("bytes=")),
        "{asked:?}"
    );
    let via: Vec<_> = (proxy.tunnels().into_iter())
        .filter(|r| {
            r.url
                .as_deref()
                .is_some_and(|u| u.ends_with("primary.xml.gz"))
        })
        .collect();
    assert_eq!(via.len(), 2, "{via:?}");
}

/// A proxy whose name cannot be resolved fails a plain request at once,
/// saying so, as a tunnel's (librepo takes curl's "couldn't resolve
/// proxy" as fatal).
#[test]
fn an_unresolvable_proxy_fails_a_plain_request_at_once() {
    fast();
    let server = Server::start(ROOT.into());
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[p]\nbaseurl={}/source\nproxy=http://proxy.invalid:3128\n",
        server.base
    );
    let e = load_err(&text, t.path());
    assert!(
        e.starts_with(&format!(
            "{}/source/repodata/repomd.xml: the proxy's host name proxy.invalid cannot be \
             resolved: ",
            server.base
        )),
        "{e}"
    );
    assert!(!e.contains("attempts"), "{e}");
    assert!(server.requests().is_empty());
}

/// A proxy that stops relaying mid-body (here the origin stalls and the
/// proxy passes the silence on): the stall is seen through the plain
/// request as without a proxy, within the repo's `timeout=`, retried,
/// and said as a stall; then a kept-alive proxy's origin 503 with
/// `Retry-After` is read as any server's.
#[test]
fn a_stall_and_a_retry_after_through_a_plain_proxy() {
    fast(); // the run: a 10 s timeout, 1 retry
    let server = Server::start(ROOT.into());
    server.fault("primary.xml.gz", Fault::Stall, None);
    let proxy = ConnectProxy::squid(None);
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[bin]\nbaseurl={}/x86_64\ntimeout=1\nminrate=1k\nproxy={}\n",
        server.base, proxy.url
    );
    let start = std::time::Instant::now();
    let e = load_err(&text, t.path());
    assert!(e.contains("(gave up after 2 attempts)"), "{e}");
    assert!(
        e.contains("stalled: less than 1024 bytes/s for 1 s after "),
        "{e}"
    );
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(6), "{took:?}");
    assert_eq!(server.requests_for("primary.xml.gz").len(), 2);
    // A 503 with `Retry-After: 1`, relayed by a kept-alive proxy: waited
    // for (the run's backoff is 10 ms), then the file.
    server.clear_faults();
    server.fault(
        "primary.xml.gz",
        Fault::RetryAfter(503, "1".into()),
        Some(1),
    );
    let proxy = ConnectProxy::squid_keep_alive(None);
    let text = format!(
        "[bin]\nbaseurl={}/x86_64\nproxy={}\n",
        server.base, proxy.url
    );
    let t = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    load_repo(&specs(&text)[0], &LoadOptions::cached_in(t.path())).unwrap();
    assert!(start.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(server.requests_for("primary.xml.gz").len(), 4);
    assert!(proxy.tunnels().iter().all(|r| r.method == "GET"));
}

#[test]
fn a_repos_timeout_wins_over_the_runs_and_its_retries_changes_nothing() {
    fast(); // the run: a 10 s timeout, 1 retry
    let server = Server::start(ROOT.into());
    server.fault("primary.xml.gz", Fault::Stall, None);
    let t = tempfile::tempdir().unwrap();
    // retries= changes no download, as in dnf 4.14: the run's count.
    let text = format!(
        "[bin]\nbaseurl={}/x86_64\ntimeout=1\nminrate=1k\nretries=5\n",
        server.base
    );
    let start = std::time::Instant::now();
    let e = load_err(&text, t.path());
    assert!(e.contains("(gave up after 2 attempts)"), "{e}");
    assert!(
        e.contains("stalled: less than 1024 bytes/s for 1 s after ")
            && e.contains("(the repo's timeout= and its minrate= set the limits)"),
        "{e}"
    );
    // 2 stalls of the repo's 1 s take 2 s; one of the run's 10 s would
    // take 10 s: the bound leaves a loaded machine room either side.
    let took = start.elapsed();
    assert!(took < std::time::Duration::from_secs(6), "{took:?}");
    assert_eq!(server.requests_for("primary.xml.gz").len(), 2);
}

#[test]
fn socks5_proxies_as_curl_takes_them() {
    fast();
    let server = Server::start(ROOT.into());
    let open = SocksProxy::start(None);
    let locked = SocksProxy::start(Some("proxy:pw"));
    let t = tempfile::tempdir().unwrap();
    let host = locked.url.trim_start_matches("socks5://");
    let text = format!(
        "[via-open]\nbaseurl={}/x86_64\nproxy={}\n\
         [via-locked]\nbaseurl={}/source\nproxy=socks5h://{host}\n\
         proxy_username=proxy\nproxy_password=pw\n",
        server.base, open.url, server.base
    );
    let repos = load_repos(&specs(&text), &LoadOptions::cached_in(t.path())).unwrap();
    assert_eq!(repos.len(), 2);
    for (proxy, creds) in [(&open, None), (&locked, Some("proxy:pw"))] {
        let tunnels = proxy.tunnels();
        assert!(!tunnels.is_empty());
        assert!(
            tunnels
                .iter()
                .all(|t| t.target == authority(&server) && t.authorization.as_deref() == creds),
            "{tunnels:?}"
        );
    }
    // A refused login is one line naming the URL, not retried for ever.
    let bad = format!(
        "[bad]\nbaseurl={}/x86_64\nproxy=socks5://x:y@{host}\n",
        server.base
    );
    let e = load_err(&bad, t.path());
    assert!(
        e.starts_with(&format!("{}/x86_64/repodata/repomd.xml: ", server.base)),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn the_urls_a_mirrorlist_lists_are_substituted_as_librepo_does() {
    // librepo substitutes the repo's variables in the mirrors it is given
    // (LRO_VARSUB): a list naming `$basearch` reaches the arch's repo.
    let t = tempfile::tempdir().unwrap();
    let list = t.path().join("mirrorlist");
    std::fs::write(&list, format!("{ROOT}/${{basearch}}\n")).unwrap();
    let text = format!("[m]\nmirrorlist={}\n", list.display());
    let spec = &parse_repofile_str(&text, "t.repo", &Vars::new("aarch64", "")).unwrap()[0];
    let cache = t.path().join("cache");
    let pool = Pool::load(
        "aarch64",
        std::slice::from_ref(spec),
        &LoadOptions::cached_in(&cache),
    )
    .unwrap();
    let bash = pool.binaries_named("bash")[0];
    assert!(
        pool.repo_baseurl(bash).ends_with("/repos/aarch64/"),
        "{}",
        pool.repo_baseurl(bash)
    );
}
