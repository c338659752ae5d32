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
//! The servers here speak HTTP/1.1 keep-alive (the shared test server of
//! `http_support` closes every connection after one answer) and count the
//! connections they accept.

mod http_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use buildroot_core::rpmmd::{
    download_verified, load_repo, parse_repofile_str, HttpSettings, LoadOptions, Vars,
};
use http_support::{ConnectProxy, Server};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How a [`KeepAlive`] server treats its connections.
#[derive(Clone, Debug)]
enum Mode {
    /// Answers every request with `Connection: keep-alive`.
    Keep,
    /// Answers a connection's first request keep-alive, then reads its
    /// second and closes without an answer (`reset`: with a TCP reset): a
    /// server whose idle timeout struck as the request came.
    CloseSecond { reset: bool },
    /// Closes a connection idle for this long.
    IdleClose(Duration),
    /// Answers with `Connection: close`, yet leaves the connection open.
    SaysClose,
    /// Answers `302` to `BASE/f/...` for `/r/...` (keep-alive).
    Redirect(String),
    /// Answers a connection's second request with its head and half its
    /// body, then sends nothing more, holding the connection.
    StallSecond,
    /// Puts a `100 Continue` with a header before the answer to a
    /// connection's second request.
    ContinueSecond,
}

/// A keep-alive HTTP(S) server of made-up files (`/f/NAME`: a few hundred
/// bytes naming themselves), counting what it accepts.
struct KeepAlive {
    base: String,
    accepted: Arc<AtomicUsize>,
    /// Every request: (connection number, path).
    log: Arc<Mutex<Vec<(usize, String)>>>,
}

/// A file's bytes.
fn body(path: &str) -> Vec<u8> {
    format!("{path}\n").repeat(40).into_bytes()
}

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

fn server_tls() -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(tls_file("server.pem"))
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(tls_file("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

impl KeepAlive {
    fn start(mode: Mode) -> KeepAlive {
        Self::start_with(mode, false, Duration::ZERO)
    }

    /// With `tls`, HTTPS (the test CA's certificate); `latency`: how long
    /// each new connection waits before it is served, as the round trips
    /// of a far server's handshakes would.
    fn start_with(mode: Mode, tls: bool, latency: Duration) -> KeepAlive {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if tls { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (count, log2) = (accepted.clone(), log.clone());
        let config = tls.then(server_tls);
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (mode, log, config) = (mode.clone(), log2.clone(), config.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(latency);
                    if let Mode::IdleClose(idle) = mode {
                        tcp.set_read_timeout(Some(idle)).unwrap();
                    }
                    let raw = tcp.try_clone().unwrap();
                    match config {
                        Some(c) => {
                            let conn = rustls::ServerConnection::new(c).unwrap();
                            serve(rustls::StreamOwned::new(conn, tcp), &raw, n, &mode, &log)
                        }
                        None => serve(tcp, &raw, n, &mode, &log),
                    }
                });
            }
        });
        KeepAlive {
            base,
            accepted,
            log,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<(usize, String)> {
        self.log.lock().unwrap().clone()
    }
}

/// Serves the requests of one connection, one after the other.
fn serve(
    stream: impl Read + Write,
    raw: &TcpStream,
    conn: usize,
    mode: &Mode,
    log: &Mutex<Vec<(usize, String)>>,
) {
    let mut r = BufReader::new(stream);
    for nth in 0.. {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
        }
        let path = line.split(' ').nth(1).unwrap_or("").to_string();
        log.lock().unwrap().push((conn, path.clone()));
        let head = match mode {
            Mode::CloseSecond { reset } if nth == 1 => {
                if *reset {
                    reset_on_close(raw);
                }
                return;
            }
            Mode::Redirect(to) => format!(
                "HTTP/1.1 302 Found\r\nLocation: {to}{}\r\nContent-Length: 0\r\n\r\n",
                path.replacen("/r/", "/f/", 1)
            ),
            Mode::SaysClose => format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body(&path).len()
            ),
            _ => format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
                body(&path).len()
            ),
        };
        let w = r.get_mut();
        let mut out = head.into_bytes();
        if !matches!(mode, Mode::Redirect(_)) {
            out.extend_from_slice(&body(&path));
        }
        match mode {
            Mode::StallSecond if nth == 1 => {
                let half = out.len() - body(&path).len() / 2;
                let _ = w.write_all(&out[..half]).and_then(|_| w.flush());
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            Mode::ContinueSecond if nth == 1 => {
                let mut with = b"HTTP/1.1 100 Continue\r\nX-Note: a\r\n\r\n".to_vec();
                with.extend_from_slice(&out);
                out = with;
            }
            _ => {}
        }
        if w.write_all(&out).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
}

/// Makes the connection's close a TCP reset (`SO_LINGER` 0).
fn reset_on_close(tcp: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a `linger` of the size given.
    let rc = unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    // The reset goes when the last descriptor closes (a shutdown would
    // send a FIN first).
    assert_eq!(rc, 0);
}

/// Settings with `retries` and a `backoff` long enough to be seen.
fn settings(retries: u32, backoff: Duration) -> HttpSettings {
    HttpSettings {
        retries,
        backoff,
        timeout: Duration::from_secs(10),
        ..HttpSettings::default()
    }
}

/// Downloads `/PREFIX/NAME` of `base` for each name, into `dir`, and
/// checks each file's bytes.
fn fetch_all(base: &str, prefix: &str, names: &[String], dir: &Path, s: &HttpSettings) {
    for name in names {
        let url = format!("{base}/{prefix}/{name}");
        let dest = dir.join(name);
        download_verified(&url, &dest, None, s).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(std::fs::read(&dest).unwrap(), body(&format!("/f/{name}")));
    }
}

fn names(n: usize, tag: &str) -> Vec<String> {
    (0..n).map(|i| format!("{tag}{i}.rpm")).collect()
}

/// 20 files one after the other: one connection (each took its own).
#[test]
fn files_from_one_server_share_a_connection() {
    let server = KeepAlive::start(Mode::Keep);
    let t = tempfile::tempdir().unwrap();
    fetch_all(
        &server.base,
        "f",
        &names(20, "a"),
        t.path(),
        &settings(0, Duration::ZERO),
    );
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
    let server = KeepAlive::start(Mode::SaysClose);
    let t = tempfile::tempdir().unwrap();
    fetch_all(
        &server.base,
        "f",
        &names(5, "s"),
        t.path(),
        &settings(0, Duration::ZERO),
    );
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
    let server = KeepAlive::start(Mode::ContinueSecond);
    let t = tempfile::tempdir().unwrap();
    fetch_all(
        &server.base,
        "f",
        &names(2, "ct"),
        t.path(),
        &settings(0, Duration::ZERO),
    );
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
