//! A keep-alive HTTP(S) server of made-up files for the tests of kept
//! connections (`http_reuse.rs`, `http_reuse_faults.rs`, `http_reuse_redirects.rs`): it speaks
//! HTTP/1.1 keep-alive (the shared server of `http_support` closes every
//! connection after one answer), counts the connections it accepts, logs
//! every request, and misbehaves on demand ([`Mode`]).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use buildroot_core::rpmmd::{download_verified, HttpSettings};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How a [`KeepAlive`] server treats its connections.
#[derive(Clone, Debug)]
pub enum Mode {
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
    /// As [`Mode::Redirect`], the 302 with a body of this many bytes (a
    /// redirector's HTML note) framed as [`Framing`] says.
    RedirectBody(String, Framing, usize),
    /// The server's first connection answers its second request by
    /// closing (its idle timeout struck then); every other request is
    /// answered keep-alive.
    CloseFirstSecond,
    /// Answers a connection's second request with its head and half its
    /// body, then sends nothing more, holding the connection.
    StallSecond,
    /// Puts a `100 Continue` with a header before the answer to a
    /// connection's second request.
    ContinueSecond,
    /// Answers the server's first request keep-alive; every later request,
    /// on any connection, is closed without an answer.
    OnlyFirst,
    /// Sends, after each answer and `delay` later, a whole forged answer
    /// ([`FORGED`]) no request asked for: a body longer than its
    /// `Content-Length`.
    Excess { delay: Duration },
    /// Answers with a chunked body (no `Content-Length`).
    Chunked,
    /// Answers `HTTP/1.0` with a `Content-Length` (`keep`: and
    /// `Connection: keep-alive`), and leaves the connection open either way.
    Http10 { keep: bool },
    /// Answers every request with this head and no body (the head says
    /// `Content-Length: 0`, or has no body by its status), keep-alive.
    Head(&'static str),
}

/// How a [`Mode::RedirectBody`]'s body is delimited.
#[derive(Clone, Copy, Debug)]
pub enum Framing {
    /// `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`, in one chunk.
    Chunked,
    /// Neither: the body would end with the connection, which the server
    /// leaves open.
    Unframed,
    /// A `Content-Length`, and a tenth of the body: the rest never comes,
    /// and the server holds the connection.
    Short,
}

/// The forged answer of [`Mode::Excess`]: read as the next request's
/// answer, it would make that file `forged`.
pub const FORGED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged";

/// A keep-alive HTTP(S) server of made-up files (`/f/NAME`: a few hundred
/// bytes naming themselves), counting what it accepts.
pub struct KeepAlive {
    pub base: String,
    accepted: Arc<AtomicUsize>,
    /// Every request: (connection number, path).
    log: Log,
    /// Every request's `Authorization` header, if any, by path.
    auth: AuthLog,
}

/// Every request a server got: (connection number, path).
type Log = Arc<Mutex<Vec<(usize, String)>>>;

/// Every request's path and `Authorization` header, if it had one.
type AuthLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A file's bytes.
pub fn body(path: &str) -> Vec<u8> {
    format!("{path}\n").repeat(40).into_bytes()
}

pub fn tls_file(name: &str) -> PathBuf {
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
    pub fn start(mode: Mode) -> KeepAlive {
        Self::start_with(mode, false, Duration::ZERO)
    }

    /// With `tls`, HTTPS (the test CA's certificate); `latency`: how long
    /// each new connection waits before it is served, as the round trips
    /// of a far server's handshakes would.
    pub fn start_with(mode: Mode, tls: bool, latency: Duration) -> KeepAlive {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if tls { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let auth = Arc::new(Mutex::new(Vec::new()));
        let (count, log2, auth2) = (accepted.clone(), log.clone(), auth.clone());
        let config = tls.then(server_tls);
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (mode, config) = (mode.clone(), config.clone());
                let logs = (log2.clone(), auth2.clone());
                std::thread::spawn(move || {
                    std::thread::sleep(latency);
                    if let Mode::IdleClose(idle) = mode {
                        tcp.set_read_timeout(Some(idle)).unwrap();
                    }
                    let raw = tcp.try_clone().unwrap();
                    match config {
                        Some(c) => {
                            let conn = rustls::ServerConnection::new(c).unwrap();
                            serve(rustls::StreamOwned::new(conn, tcp), &raw, n, &mode, &logs)
                        }
                        None => serve(tcp, &raw, n, &mode, &logs),
                    }
                });
            }
        });
        KeepAlive {
            base,
            accepted,
            log,
            auth,
        }
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<(usize, String)> {
        self.log.lock().unwrap().clone()
    }

    /// Each request's path and `Authorization` header, if it had one.
    pub fn authorizations(&self) -> Vec<(String, Option<String>)> {
        self.auth.lock().unwrap().clone()
    }
}

/// Serves the requests of one connection, one after the other.
fn serve(
    stream: impl Read + Write,
    raw: &TcpStream,
    conn: usize,
    mode: &Mode,
    (log, auth): &(Log, AuthLog),
) {
    let mut r = BufReader::new(stream);
    for nth in 0.. {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut authorization = None;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                if name.eq_ignore_ascii_case("authorization") {
                    authorization = Some(value.trim().to_string());
                }
            }
        }
        let path = line.split(' ').nth(1).unwrap_or("").to_string();
        let first = {
            let mut log = log.lock().unwrap();
            log.push((conn, path.clone()));
            log.len() == 1
        };
        auth.lock().unwrap().push((path.clone(), authorization));
        let head = match mode {
            Mode::OnlyFirst if !first => return,
            Mode::Head(head) => {
                let w = r.get_mut();
                if w.write_all(head.as_bytes())
                    .and_then(|_| w.flush())
                    .is_err()
                {
                    return;
                }
                continue;
            }
            Mode::Chunked => {
                let b = body(&path);
                let (one, two) = b.split_at(b.len() / 2);
                let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for chunk in [one, two] {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
                let w = r.get_mut();
                if w.write_all(&out).and_then(|_| w.flush()).is_err() {
                    return;
                }
                continue;
            }
            Mode::Http10 { keep } => format!(
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n{}\r\n",
                body(&path).len(),
                if *keep {
                    "Connection: keep-alive\r\n"
                } else {
                    ""
                }
            ),
            Mode::RedirectBody(to, framing, len) => {
                let note = vec![b'x'; *len];
                let location = format!("Location: {to}{}\r\n", path.replacen("/r/", "/f/", 1));
                let mut out = format!("HTTP/1.1 302 Found\r\n{location}Connection: keep-alive\r\n")
                    .into_bytes();
                match framing {
                    Framing::Length => {
                        out.extend_from_slice(format!("Content-Length: {len}\r\n\r\n").as_bytes());
                        out.extend_from_slice(&note);
                    }
                    Framing::Chunked => {
                        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                        out.extend_from_slice(format!("{len:x}\r\n").as_bytes());
                        out.extend_from_slice(&note);
                        out.extend_from_slice(b"\r\n0\r\n\r\n");
                    }
                    Framing::Short => {
                        out.extend_from_slice(format!("Content-Length: {len}\r\n\r\n").as_bytes());
                        out.extend_from_slice(&note[..len / 10]);
                    }
                    Framing::Unframed => {
                        out.extend_from_slice(b"\r\n");
                        out.extend_from_slice(&note);
                    }
                }
                let w = r.get_mut();
                if w.write_all(&out).and_then(|_| w.flush()).is_err() {
                    return;
                }
                continue;
            }
            Mode::CloseFirstSecond if conn == 0 && nth == 1 => return,
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
            Mode::Excess { delay } if delay.is_zero() => out.extend_from_slice(FORGED),
            Mode::Excess { delay } => {
                if w.write_all(&out).and_then(|_| w.flush()).is_err() {
                    return;
                }
                std::thread::sleep(*delay);
                out = FORGED.to_vec();
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
pub fn settings(retries: u32, backoff: Duration) -> HttpSettings {
    HttpSettings {
        retries,
        backoff,
        timeout: Duration::from_secs(10),
        ..HttpSettings::default()
    }
}

/// Downloads `/PREFIX/NAME` of `base` for each name, into `dir`, and
/// checks each file's bytes.
pub fn fetch_all(base: &str, prefix: &str, names: &[String], dir: &Path, s: &HttpSettings) {
    for name in names {
        let url = format!("{base}/{prefix}/{name}");
        let dest = dir.join(name);
        download_verified(&url, &dest, None, s).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(std::fs::read(&dest).unwrap(), body(&format!("/f/{name}")));
    }
}

pub fn names(n: usize, tag: &str) -> Vec<String> {
    (0..n).map(|i| format!("{tag}{i}.rpm")).collect()
}

/// A server in `mode` from which `n` files (`names(n, tag)`) were just
/// fetched one after the other, with no retries ([`fetch_all`]): what most
/// reuse tests then count connections on.
pub fn serve_and_fetch(mode: Mode, n: usize, tag: &str) -> KeepAlive {
    let server = KeepAlive::start(mode);
    let t = tempfile::tempdir().unwrap();
    fetch_all(
        &server.base,
        "f",
        &names(n, tag),
        t.path(),
        &settings(0, Duration::ZERO),
    );
    server
}

/// The error line of a download of `/f/NAME` from `server` that must fail.
pub fn fails(server: &KeepAlive, name: &str, s: &HttpSettings) -> String {
    let t = tempfile::tempdir().unwrap();
    let url = format!("{}/f/{name}", server.base);
    match download_verified(&url, &t.path().join(name), None, s) {
        Ok(()) => panic!("{url} downloaded"),
        Err(e) => e.to_string(),
    }
}
