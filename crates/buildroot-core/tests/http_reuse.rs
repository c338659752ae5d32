//! Kept-alive connections carry the next request to their server, as
//! curl's connection cache (under librepo, under dnf) has them do: the
//! files of a run from one server take a few connections, not one each,
//! over http and over https (one TLS handshake, not one per file); a
//! connection the server closed while it idled costs no try and no
//! backoff (curl's retry "on a fresh connect"); a `Connection: close`
//! answer ends its connection; a redirect to another server pools that
//! server's connections apart; a `CONNECT` tunnel carries the next https
//! request too; through a keep-alive proxy, every request on a kept
//! connection goes in absolute form with the proxy's headers.
//!
//! The servers here are `keep_alive`'s, which speak HTTP/1.1 keep-alive
//! and count the connections they accept; what kept connections must not
//! change (faults, stalls, settings) is in `http_reuse_faults.rs`.

mod http_support;
mod keep_alive;
mod tls_support;

use std::time::{Duration, Instant};

use buildroot_core::rpmmd::{load_repo, parse_repofile_str, HttpSettings, LoadOptions, Vars};
use http_support::{ConnectProxy, Server};
use keep_alive::{fetch_all, names, serve_and_fetch, settings, tls_file, KeepAlive, Mode};
use tls_support::TlsFront;

/// 20 files one after the other: one connection (each took its own).
#[test]
fn files_from_one_server_share_a_connection() {
    let server = serve_and_fetch(Mode::Keep, 20, "a");
    assert_eq!(server.requests().len(), 20);
    assert_eq!(server.accepted(), 1, "{:?}", server.requests());
}

/// 3 downloads at once (dnf's default), 60 files: about 3 connections,
/// far fewer than 60; over https, as few TLS handshakes.
#[test]
fn parallel_downloads_reuse_their_connections_over_http_and_https() {
    for tls in [false, true] {
        let server = KeepAlive::start_with(Mode::Keep, tls, Duration::ZERO);
        let t = tempfile::tempdir().unwrap();
        let mut s = settings(0, Duration::ZERO);
        s.access.sslcacert = Some(tls_file("ca.pem"));
        std::thread::scope(|scope| {
            for k in 0..3 {
                let (server, t, s) = (&server, &t, &s);
                scope.spawn(move || {
                    fetch_all(
                        &server.base,
                        "f",
                        &names(20, &format!("p{k}-")),
                        t.path(),
                        s,
                    )
                });
            }
        });
        assert_eq!(server.requests().len(), 60);
        let accepted = server.accepted();
        assert!(
            accepted <= 6,
            "tls {tls}: {accepted} connections for 60 files"
        );
    }
}

/// A server that closes a kept connection as the next request comes (its
/// idle timeout struck then), with a FIN or a reset: each such request is
/// made again at once on a fresh connection; no download fails, though
/// none may be retried, and none waits the 20 s backoff.
#[test]
fn a_kept_connection_the_server_closed_costs_no_try() {
    for reset in [false, true] {
        let server = KeepAlive::start(Mode::CloseSecond { reset });
        let t = tempfile::tempdir().unwrap();
        let start = Instant::now();
        fetch_all(
            &server.base,
            "f",
            &names(8, "c"),
            t.path(),
            &settings(0, Duration::ZERO),
        );
        // Retries allowed, after a backoff that would show.
        fetch_all(
            &server.base,
            "f",
            &names(8, "d"),
            t.path(),
            &settings(2, Duration::from_secs(20)),
        );
        let took = start.elapsed();
        assert!(took < Duration::from_secs(10), "reset {reset}: {took:?}");
        let asked = server.requests();
        // Every file was answered, some after a request a closing
        // connection swallowed.
        assert!(asked.len() > 16, "reset {reset}: {asked:?}");
    }
}

/// A server that closes connections idle for 50 ms: a download 600 ms
/// after the last finds its kept connection gone and connects anew.
#[test]
fn a_connection_closed_while_idle_is_not_reused() {
    let server = KeepAlive::start(Mode::IdleClose(Duration::from_millis(50)));
    let t = tempfile::tempdir().unwrap();
    let s = settings(0, Duration::from_secs(20));
    for name in names(3, "i") {
        fetch_all(&server.base, "f", &[name], t.path(), &s);
        std::thread::sleep(Duration::from_millis(600));
    }
    assert_eq!(server.accepted(), 3);
    assert_eq!(server.requests().len(), 3);
}

/// An answer with `Connection: close` ends its connection, even when the
/// server leaves it open: no second request goes on it.
#[test]
fn a_connection_close_answer_is_honoured() {
    let server = serve_and_fetch(Mode::SaysClose, 5, "s");
    let asked = server.requests();
    let mut conns: Vec<usize> = asked.iter().map(|(c, _)| *c).collect();
    conns.dedup();
    assert_eq!(conns.len(), 5, "{asked:?}");
}

/// A transfer that stalls on a kept connection is abandoned at the
/// repo's `timeout`/`minrate` as on a new one, and its connection is not
/// handed to the retry, which connects anew and gets the file.
#[test]
fn a_stall_on_a_kept_connection_is_seen_and_not_reused() {
    let server = KeepAlive::start(Mode::StallSecond);
    let t = tempfile::tempdir().unwrap();
    let s = HttpSettings {
        timeout: Duration::from_secs(1),
        ..settings(1, Duration::ZERO)
    };
    let start = Instant::now();
    fetch_all(&server.base, "f", &names(2, "st"), t.path(), &s);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
    let asked = server.requests();
    let second: Vec<_> = asked.iter().filter(|(_, p)| p == "/f/st1.rpm").collect();
    assert_eq!(second.len(), 2, "{asked:?}");
    assert_ne!(second[0].0, second[1].0, "{asked:?}");
}

/// The 1xx before an answer are passed over on every request of a kept
/// connection, not only its first (ureq alone refuses a `100 Continue`
/// that carries headers).
#[test]
fn a_1xx_on_a_kept_connection_is_passed_over() {
    let server = serve_and_fetch(Mode::ContinueSecond, 2, "ct");
    assert_eq!(server.accepted(), 1, "{:?}", server.requests());
}

/// Over https through a `CONNECT` tunnel: one tunnel, one TLS handshake
/// for every file, and the 1xx before a kept connection's second answer
/// passed over by the watcher above TLS (the one on the connection to the
/// proxy, below TLS, stays aside once the tunnel is up).
#[test]
fn a_tunnel_is_kept_for_the_next_https_request() {
    let server = KeepAlive::start_with(Mode::ContinueSecond, true, Duration::ZERO);
    let proxy = ConnectProxy::start(None);
    let t = tempfile::tempdir().unwrap();
    let mut s = settings(0, Duration::ZERO);
    s.access.sslcacert = Some(tls_file("ca.pem"));
    s.access.proxy = Some(proxy.url.clone());
    fetch_all(&server.base, "f", &names(6, "tn"), t.path(), &s);
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), 1, "{tunnels:?}");
    assert_eq!(tunnels[0].method, "CONNECT");
    assert_eq!(server.accepted(), 1);
    assert_eq!(server.requests().len(), 6);
}

/// Through an `https://` proxy the tunnel is kept too (TLS to the proxy,
/// TLS inside it), for requests with the same `proxy_ssl*` settings only:
/// a repo that checks the proxy otherwise (`proxy_sslverify=0` here) never
/// rides on a connection whose proxy was checked with other options, and
/// the other way round (curl keys its cache on the proxy's TLS settings so).
#[test]
fn a_tunnel_through_an_https_proxy_is_kept_for_its_own_proxy_settings() {
    use std::sync::atomic::Ordering;
    let server = KeepAlive::start_with(Mode::Keep, true, Duration::ZERO);
    let backend = ConnectProxy::start(None);
    let tls_proxy = TlsFront::start_before(&backend.url, false, true);
    let t = tempfile::tempdir().unwrap();
    let mut checked = settings(0, Duration::ZERO);
    checked.access.sslcacert = Some(tls_file("ca.pem"));
    checked.access.proxy = Some(tls_proxy.base.clone());
    checked.access.proxy_sslcacert = Some(tls_file("ca.pem"));
    let mut unchecked = checked.clone();
    unchecked.access.proxy_sslverify = false;
    let proxy_connections = || tls_proxy.connections.load(Ordering::SeqCst);
    fetch_all(&server.base, "f", &names(4, "hp"), t.path(), &checked);
    assert_eq!((backend.tunnels().len(), proxy_connections()), (1, 1));
    fetch_all(&server.base, "f", &names(3, "hq"), t.path(), &unchecked);
    assert_eq!((backend.tunnels().len(), proxy_connections()), (2, 2));
    for (s, tag) in [(&checked, "hr"), (&unchecked, "hs")] {
        fetch_all(&server.base, "f", &names(3, tag), t.path(), s);
    }
    assert_eq!((backend.tunnels().len(), proxy_connections()), (2, 2));
    assert_eq!(server.requests().len(), 13);
    assert_eq!(server.accepted(), 2);
}

/// Files redirected to another server: each server's connections are
/// kept apart, and both reused (the redirector's empty 302s too).
#[test]
fn a_redirect_to_another_server_pools_each_servers_connections() {
    let target = KeepAlive::start(Mode::Keep);
    let redirector = KeepAlive::start(Mode::Redirect(target.base.clone()));
    let t = tempfile::tempdir().unwrap();
    fetch_all(
        &redirector.base,
        "r",
        &names(10, "r"),
        t.path(),
        &settings(0, Duration::ZERO),
    );
    assert_eq!(redirector.requests().len(), 10);
    assert_eq!(target.requests().len(), 10);
    assert_eq!((redirector.accepted(), target.accepted()), (1, 1));
}

/// Through squid keeping its client connections alive, a repo load's
/// requests share connections, and every one of them (not only each
/// connection's first) goes in absolute form with the proxy's
/// credentials and `Proxy-Connection`.
#[test]
fn every_request_on_a_kept_proxy_connection_is_rewritten() {
    http_support::http_settings("0.01", "10", "1");
    let server = Server::start(
        http_support::fixture_repo("x86_64")
            .parent()
            .unwrap()
            .into(),
    );
    let proxy = ConnectProxy::squid_keep_alive(Some("Basic cHJveHk6cHc="));
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[p]\nbaseurl={}/source\nproxy={}\nproxy_username=proxy\nproxy_password=pw\n",
        server.base, proxy.url
    );
    let spec = &parse_repofile_str(&text, "t.repo", &Vars::new("x86_64", "")).unwrap()[0];
    load_repo(spec, &LoadOptions::cached_in(t.path())).unwrap();
    let asked = proxy.tunnels();
    let mut conns: Vec<usize> = asked.iter().map(|r| r.connection).collect();
    conns.sort();
    conns.dedup();
    assert!(conns.len() < asked.len(), "{asked:?}");
    let prefix = format!("GET {}/source/", server.base);
    for r in &asked {
        assert!(r.line.starts_with(&prefix), "{r:?}");
        assert_eq!(
            r.authorization.as_deref(),
            Some("Basic cHJveHk6cHc="),
            "{r:?}"
        );
        assert_eq!(r.proxy_connection.as_deref(), Some("Keep-Alive"), "{r:?}");
    }
}

/// The measure of `docs/formats.md` section 9: 500 small files, 3 at
/// once, over http and https, from a server whose every new connection
/// waits 0 or 20 ms first (a far server's round trips). `cargo test -p
/// buildroot-core --test http_reuse -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_500_files() {
    for (tls, ms) in [(false, 0), (false, 20), (true, 0), (true, 20)] {
        let latency = Duration::from_millis(ms);
        let server = KeepAlive::start_with(Mode::Keep, tls, latency);
        let t = tempfile::tempdir().unwrap();
        let mut s = settings(0, Duration::ZERO);
        s.access.sslcacert = Some(tls_file("ca.pem"));
        let start = Instant::now();
        std::thread::scope(|scope| {
            for k in 0..3 {
                let (server, t, s) = (&server, &t, &s);
                let n = if k == 0 { 168 } else { 166 };
                scope.spawn(move || {
                    fetch_all(&server.base, "f", &names(n, &format!("m{k}-")), t.path(), s)
                });
            }
        });
        let took = start.elapsed();
        assert_eq!(server.requests().len(), 500);
        println!(
            "500 files over {}, 3 at once, {ms} ms per new connection: {:.2} s, {} connections",
            if tls { "https" } else { "http" },
            took.as_secs_f64(),
            server.accepted()
        );
    }
}
