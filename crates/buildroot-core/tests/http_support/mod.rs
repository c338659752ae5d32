//! A small HTTP/1.1 file server on 127.0.0.1 for tests, with faults on
//! demand: it serves files under a root directory (with `Range` support,
//! unless turned off), logs every request, and for paths ending in a given
//! suffix answers with a fault a number of times (or forever) first. It can
//! demand an `Authorization` header (401 without it). [`ConnectProxy`] is
//! an HTTP proxy to put in front of it (tunnels, plain requests in
//! absolute form; squid's default refusal of `CONNECT` to other ports than 443,
//! and its kept-alive client connections).
//! It sends a file's mtime as `Last-Modified`, as web servers do.
//! Shared by the tests of several crates (`#[path]`-included), so it uses
//! only std and libc.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does instead of serving a file.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers with this status and an empty body.
    Status(u16),
    /// Answers with this status and a `Retry-After: VALUE` header.
    RetryAfter(u16, String),
    /// Sends the headers and half the body, then resets the connection (RST).
    ResetMidBody,
    /// Answers 200 without a `Content-Length` (the body ends with the
    /// connection), sends half the body, then resets the connection.
    ResetUnsized,
    /// Reads the request and resets the connection without an answer.
    ResetBeforeAnswer,
    /// Answers 200 without a `Content-Length`, sends half the body, then
    /// closes the connection cleanly: over plain HTTP no client can tell
    /// the cut (behind a TLS front that sends no close_notify, one can).
    CutUnsized,
    /// Sends the headers and half the body, then closes the connection
    /// cleanly: a body shorter than its Content-Length.
    ShortBody,
    /// Sends the headers and half the body, then sends nothing more while
    /// holding the connection open.
    Stall,
    /// Serves the file with its bytes changed (same length).
    Corrupt,
    /// Answers `302 Found` with `Location: PREFIX` followed by the
    /// request's path (PREFIX: another server's base, say).
    Redirect(String),
    /// As `Redirect`, with this 3xx status.
    RedirectWith(u16, String),
    /// Serves the file (its `Content-Length` and bytes) under this status
    /// instead of 200: a 203 from a transforming proxy, say.
    StatusWithBody(u16),
    /// Answers 200 without a `Content-Length` and sends the file's bytes
    /// over and over until the client hangs up: a body without end.
    Endless,
    /// Sends these bytes as the whole answer, verbatim, then closes the
    /// connection: an answer no other fault shapes (several `Location`
    /// headers, a 1xx with headers, a 206 for another range).
    Raw(String),
    /// As `Raw`, written a byte at a time (each sent alone, a millisecond
    /// apart): an answer whose head comes in many small reads.
    Trickle(String),
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// A conditional request's `If-Modified-Since` or `If-None-Match`
    /// header (`NAME: VALUE`), if any.
    pub conditional: Option<String>,
    /// The fault it was answered with, if any.
    pub fault: Option<String>,
}

struct Rule {
    suffix: String,
    fault: Fault,
    /// How many more times; `None`: forever.
    left: Option<usize>,
    /// How many more such requests are served normally first.
    after: usize,
}

/// Answers held back to see how many requests a client makes at once
/// ([`Server::hold`]).
#[derive(Default)]
struct Hold {
    /// The paths held: those ending in one of these (none: nothing is
    /// held).
    suffixes: Vec<String>,
    /// Each answer waits until this many such requests were under way at
    /// once (or the first waited 10 s).
    want: usize,
    /// Such requests under way now, and the most at once.
    now: usize,
    peak: usize,
    /// When the first one came.
    first: Option<std::time::Instant>,
    /// How long each answer waits once `want` is reached (100 ms unless
    /// [`Server::watch`] says).
    pause: Option<Duration>,
    /// The paths of such requests under way now, and, each time one came,
    /// those under way then (it included): [`Server::overlaps`].
    paths: Vec<String>,
    overlaps: Vec<Vec<String>>,
}

type Holds = Arc<(Mutex<Hold>, std::sync::Condvar)>;

/// The running server (it stops serving when dropped... at process exit).
pub struct Server {
    pub base: String,
    log: Arc<Mutex<Vec<Request>>>,
    rules: Arc<Mutex<Vec<Rule>>>,
    ranges: Arc<AtomicBool>,
    dates: Arc<AtomicBool>,
    auth: Arc<Mutex<Option<String>>>,
    holds: Holds,
}

impl Server {
    /// Serves `root` on a fresh 127.0.0.1 port.
    pub fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::new(Mutex::new(Vec::new()));
        let ranges = Arc::new(AtomicBool::new(true));
        let dates = Arc::new(AtomicBool::new(true));
        let auth: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let holds: Holds = Arc::default();
        let (l2, r2, g2, a2) = (log.clone(), rules.clone(), ranges.clone(), auth.clone());
        let (h2, d2) = (holds.clone(), dates.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (root, log, rules, ranges, auth, holds) = (
                    root.clone(),
                    l2.clone(),
                    r2.clone(),
                    g2.load(Ordering::SeqCst),
                    a2.lock().unwrap().clone(),
                    h2.clone(),
                );
                let dates = d2.load(Ordering::SeqCst);
                std::thread::spawn(move || {
                    // Counted until its answer starts: a client may have
                    // read the whole answer, let go of the request and
                    // made its next before this thread is done writing,
                    // which counted one more than the client had.
                    drop(held(&holds, &stream));
                    handle(stream, &root, &log, &rules, ranges, dates, auth)
                });
            }
        });
        Server {
            base,
            log,
            rules,
            ranges,
            dates,
            auth,
            holds,
        }
    }

    /// Holds each answer to a request for a path ending in `suffix` until
    /// `want` such requests are under way at once (from then on, 100 ms),
    /// so that a client that makes `want` at once is seen to, and one that
    /// makes more has them all under way together. A client that never
    /// makes `want` at once is let go 10 s after its first request.
    /// [`Server::peak`] tells the most seen.
    pub fn hold(&self, suffix: &str, want: usize) {
        self.hold_any(&[suffix], want);
    }

    /// [`Server::hold`] for the paths ending in any of `suffixes`, counted
    /// together.
    pub fn hold_any(&self, suffixes: &[&str], want: usize) {
        *self.holds.0.lock().unwrap() = Hold {
            suffixes: suffixes.iter().map(|s| s.to_string()).collect(),
            want,
            ..Hold::default()
        };
    }

    /// Counts every request under way (asked, not answered yet), each
    /// answer waiting `pause` first so that requests made at once are
    /// seen together, and keeps which were under way together
    /// ([`Server::overlaps`]); nothing waits for a number of them.
    pub fn watch(&self, pause: Duration) {
        *self.holds.0.lock().unwrap() = Hold {
            suffixes: vec![String::new()],
            pause: Some(pause),
            ..Hold::default()
        };
    }

    /// Each time a held or watched request came, the paths of those then
    /// under way (it included).
    pub fn overlaps(&self) -> Vec<Vec<String>> {
        self.holds.0.lock().unwrap().overlaps.clone()
    }

    /// How many held or watched requests are under way now (asked, their
    /// answer not begun): none once a client's abandoned requests are
    /// answered, before [`Server::watch`] starts counting afresh.
    pub fn under_way(&self) -> usize {
        self.holds.0.lock().unwrap().now
    }

    /// The most requests [`Server::hold`] saw under way at once (asked,
    /// and not answered yet).
    pub fn peak(&self) -> usize {
        self.holds.0.lock().unwrap().peak
    }

    /// Answers 401 to every request whose `Authorization` header is not
    /// `value` (`None`: no demand, the default).
    pub fn require_authorization(&self, value: Option<&str>) {
        *self.auth.lock().unwrap() = value.map(str::to_string);
    }

    /// Answers requests for paths ending in `suffix` with `fault`, `times`
    /// times (`None`: every time) before serving them normally.
    pub fn fault(&self, suffix: &str, fault: Fault, times: Option<usize>) {
        self.fault_after(suffix, 0, fault, times);
    }

    /// As [`Server::fault`], once `after` such requests have been served
    /// normally: a mirror that goes away while a client works.
    pub fn fault_after(&self, suffix: &str, after: usize, fault: Fault, times: Option<usize>) {
        self.rules.lock().unwrap().push(Rule {
            suffix: suffix.to_string(),
            fault,
            left: times,
            after,
        });
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.rules.lock().unwrap().clear();
    }

    /// Whether `Range` requests are honoured (default: yes).
    pub fn set_ranges(&self, on: bool) {
        self.ranges.store(on, Ordering::SeqCst);
    }

    /// Whether answers carry the file's `Last-Modified` (they do by
    /// default; a server without it is one whose files' times are unknown).
    pub fn set_last_modified(&self, on: bool) {
        self.dates.store(on, Ordering::SeqCst);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// The requests whose path ends in `suffix`.
    pub fn requests_for(&self, suffix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

/// The tunnels a proxy logged.
type TunnelLog = Arc<Mutex<Vec<Tunnel>>>;

/// Listens on a fresh port of 127.0.0.1 and hands each connection, on a
/// thread of its own, to `handle` (with the log and the credentials to
/// demand). Returns `SCHEME://127.0.0.1:PORT` and the log.
fn spawn_proxy(
    scheme: &str,
    require: Option<&str>,
    handle: fn(TcpStream, &Mutex<Vec<Tunnel>>, Option<String>),
) -> (String, TunnelLog) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("{scheme}://{}", listener.local_addr().unwrap());
    let log: TunnelLog = Arc::new(Mutex::new(Vec::new()));
    let (l2, require) = (log.clone(), require.map(str::to_string));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (log, require) = (l2.clone(), require.clone());
            std::thread::spawn(move || handle(stream, &log, require));
        }
    });
    (url, log)
}

/// One tunnel asked of a [`ConnectProxy`] or a [`SocksProxy`], or one
/// plain request a [`ConnectProxy`] forwarded.
#[derive(Clone, Debug, Default)]
pub struct Tunnel {
    /// `HOST:PORT` of the `CONNECT`, or of the URL of a plain request.
    pub target: String,
    /// The `Proxy-Authorization` header, if any.
    pub authorization: Option<String>,
    /// The request's method: `CONNECT`, `GET` (empty for SOCKS).
    pub method: String,
    /// A plain request's target as sent (absolute form: the whole URL).
    pub url: Option<String>,
    /// A plain request's `Proxy-Connection` header, if any.
    pub proxy_connection: Option<String>,
    /// The request line as it came (empty for SOCKS).
    pub line: String,
    /// Which client connection it came on (numbered across proxies; 0
    /// for SOCKS).
    pub connection: usize,
}

/// An HTTP proxy on 127.0.0.1: it logs every request asked of it,
/// answers 407 when a demanded `Proxy-Authorization` is missing, pipes
/// the bytes of a `CONNECT` tunnel both ways, and forwards a request in
/// absolute form (`GET http://HOST:PORT/path`) to its origin, answering
/// 502 when the origin cannot be reached. [`ConnectProxy::squid`] refuses
/// `CONNECT` to any port but 443 (403), as squid's default configuration
/// does (`http_access deny CONNECT !SSL_ports`).
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: TunnelLog,
}

impl ConnectProxy {
    /// A proxy on a fresh port; with `require`, the `Proxy-Authorization`
    /// value every request must carry.
    pub fn start(require: Option<&str>) -> ConnectProxy {
        let (url, log) = spawn_proxy("http", require, |c, log, require| {
            let mode = ProxyMode {
                squid: false,
                keep_alive: false,
            };
            proxy_request(c, log, require, mode)
        });
        ConnectProxy { url, log }
    }

    /// [`ConnectProxy::start`], refusing `CONNECT` but to port 443.
    pub fn squid(require: Option<&str>) -> ConnectProxy {
        let (url, log) = spawn_proxy("http", require, |c, log, require| {
            let mode = ProxyMode {
                squid: true,
                keep_alive: false,
            };
            proxy_request(c, log, require, mode)
        });
        ConnectProxy { url, log }
    }

    /// [`ConnectProxy::squid`] keeping each client connection alive as
    /// squid does: it reads requests one after another on it, relays each
    /// answer with its length and `Connection: keep-alive` (its own 407s
    /// and 502s too), and closes it only when the client does or an answer
    /// has no length.
    pub fn squid_keep_alive(require: Option<&str>) -> ConnectProxy {
        let (url, log) = spawn_proxy("http", require, |c, log, require| {
            let mode = ProxyMode {
                squid: true,
                keep_alive: true,
            };
            proxy_request(c, log, require, mode)
        });
        ConnectProxy { url, log }
    }

    /// Every request asked so far.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.log.lock().unwrap().clone()
    }
}

/// How a [`ConnectProxy`] serves: whether it refuses `CONNECT` but to
/// port 443, and whether it keeps a client's connection for more plain
/// requests.
#[derive(Clone, Copy)]
struct ProxyMode {
    squid: bool,
    keep_alive: bool,
}

/// One request's head as a proxy read it: the request line, the
/// `Proxy-Authorization` and `Proxy-Connection` values, and the other
/// headers but `Connection` (those passed on to the origin).
struct ProxyHead {
    line: String,
    authorization: Option<String>,
    proxy_connection: Option<String>,
    forwarded: String,
}

/// The next request's head on a client connection; `None` when the client
/// closed it (or sent nothing more).
fn read_proxy_head(reader: &mut BufReader<TcpStream>) -> Option<ProxyHead> {
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut head = ProxyHead {
        line,
        authorization: None,
        proxy_connection: None,
        forwarded: String::new(),
    };
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        let Some((k, v)) = h.split_once(':') else {
            continue;
        };
        if k.eq_ignore_ascii_case("proxy-authorization") {
            head.authorization = Some(v.trim().to_string());
        } else if k.eq_ignore_ascii_case("proxy-connection") {
            head.proxy_connection = Some(v.trim().to_string());
        } else if !k.eq_ignore_ascii_case("connection") {
            head.forwarded.push_str(&h);
        }
    }
    Some(head)
}

fn proxy_request(
    client: TcpStream,
    log: &Mutex<Vec<Tunnel>>,
    require: Option<String>,
    mode: ProxyMode,
) {
    static CONNECTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let connection = CONNECTIONS.fetch_add(1, Ordering::SeqCst);
    let mut reader = BufReader::new(client.try_clone().unwrap());
    // Kept alive, a connection takes one request after another (squid's
    // way); otherwise it takes one.
    while let Some(head) = read_proxy_head(&mut reader) {
        let keep = proxy_one(&client, &mut reader, head, log, &require, mode, connection);
        if !keep || !mode.keep_alive {
            break;
        }
    }
    let _ = client.shutdown(std::net::Shutdown::Write);
}

/// Serves one request read on a client connection; whether the connection
/// can take another one.
fn proxy_one(
    client: &TcpStream,
    reader: &mut BufReader<TcpStream>,
    head: ProxyHead,
    log: &Mutex<Vec<Tunnel>>,
    require: &Option<String>,
    mode: ProxyMode,
    connection: usize,
) -> bool {
    let mut client = client.try_clone().unwrap();
    let mut words = head.line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let plain = target
        .strip_prefix("http://")
        .map(|rest| rest.split_once('/').unwrap_or((rest, "")));
    let host = match plain {
        Some((authority, _)) if authority.contains("]:") => authority.to_string(),
        Some((authority, _)) if authority.contains(':') && !authority.starts_with('[') => {
            authority.to_string()
        }
        Some((authority, _)) => format!("{authority}:80"),
        None => target.to_string(),
    };
    log.lock().unwrap().push(Tunnel {
        target: host.clone(),
        authorization: head.authorization.clone(),
        method: method.to_string(),
        url: plain.map(|_| target.to_string()),
        proxy_connection: head.proxy_connection.clone(),
        line: head.line.trim_end().to_string(),
        connection,
    });
    // A kept-alive connection's own answers say so and go on; otherwise
    // they close it, as before.
    let close = if mode.keep_alive {
        "Connection: keep-alive\r\n"
    } else {
        "Connection: close\r\n"
    };
    let answer = |client: &mut TcpStream, status: &str, extra: &str| {
        let _ = write!(
            client,
            "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\n{close}\r\n"
        );
        mode.keep_alive
    };
    if require.is_some() && head.authorization != *require {
        let extra = "Proxy-Authenticate: Basic realm=\"proxy\"\r\n";
        return answer(&mut client, "407 Proxy Authentication Required", extra);
    }
    if let Some((_, path)) = plain {
        let Ok(mut server) = TcpStream::connect(&host) else {
            return answer(&mut client, "502 Bad Gateway", "");
        };
        let forwarded = &head.forwarded;
        let out = format!("{method} /{path} HTTP/1.1\r\n{forwarded}Connection: close\r\n\r\n");
        if server.write_all(out.as_bytes()).is_err() {
            return answer(&mut client, "502 Bad Gateway", "");
        }
        if mode.keep_alive {
            return relay_sized(server, &mut client);
        }
        // The origin's answer as it comes, 1xx and all, until it closes.
        let _ = std::io::copy(&mut server, &mut client);
        return false;
    }
    if method != "CONNECT" {
        answer(&mut client, "405 Method Not Allowed", "");
        return false;
    }
    if mode.squid && !target.ends_with(":443") {
        answer(&mut client, "403 Forbidden", "");
        return false;
    }
    let Ok(mut server) = TcpStream::connect(target) else {
        answer(&mut client, "502 Bad Gateway", "");
        return false;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let mut to_server = server.try_clone().unwrap();
    let mut from_client = reader.get_ref().try_clone().unwrap();
    // The client speaks only after the 200: nothing is left in `reader`.
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    false
}

/// Relays the origin's answer to a kept-alive client as squid does: its
/// 1xx heads as they are, then its head with `Connection: keep-alive` for
/// the origin's `Connection: close`, then exactly `Content-Length` bytes
/// of body. An answer without a length (or cut short) is relayed until the
/// origin closes and ends the client's connection too. Whether the
/// connection can take another request.
fn relay_sized(server: TcpStream, client: &mut TcpStream) -> bool {
    let mut from = BufReader::new(server);
    loop {
        let mut lines: Vec<String> = Vec::new();
        loop {
            let mut h = String::new();
            if from.read_line(&mut h).unwrap_or(0) == 0 {
                // Cut in the head: pass on what came, then close.
                let _ = client.write_all(lines.concat().as_bytes());
                let _ = client.write_all(h.as_bytes());
                return false;
            }
            let end = h == "\r\n";
            lines.push(h);
            if end {
                break;
            }
        }
        let informational = lines[0]
            .split_whitespace()
            .nth(1)
            .is_some_and(|c| c.starts_with('1'));
        if informational {
            let _ = client.write_all(lines.concat().as_bytes());
            continue;
        }
        let length = lines.iter().find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<u64>().ok())?
        });
        let Some(length) = length else {
            let _ = client.write_all(lines.concat().as_bytes());
            let _ = std::io::copy(&mut from, client);
            return false;
        };
        let mut out = String::new();
        for h in &lines[..lines.len() - 1] {
            let name = h.split_once(':').map(|(k, _)| k);
            if !name.is_some_and(|k| k.eq_ignore_ascii_case("connection")) {
                out.push_str(h);
            }
        }
        out.push_str("Connection: keep-alive\r\n\r\n");
        if client.write_all(out.as_bytes()).is_err() {
            return false;
        }
        let copied = std::io::copy(&mut (&mut from).take(length), client).unwrap_or(0);
        return copied == length;
    }
}

/// A SOCKS5 proxy on 127.0.0.1 (RFC 1928, with RFC 1929's username and
/// password when demanded): it logs every connection asked of it as a
/// [`Tunnel`] (`authorization`: `USER:PASSWORD`, if given) and pipes the
/// bytes both ways.
pub struct SocksProxy {
    /// `socks5://127.0.0.1:PORT`.
    pub url: String,
    log: TunnelLog,
}

impl SocksProxy {
    /// A proxy on a fresh port; with `require`, the `USER:PASSWORD` every
    /// connection must authenticate with.
    pub fn start(require: Option<&str>) -> SocksProxy {
        let (url, log) = spawn_proxy("socks5", require, |stream, log, require| {
            let _ = socks5(stream, log, require);
        });
        SocksProxy { url, log }
    }

    /// Every connection asked so far.
    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.log.lock().unwrap().clone()
    }
}

fn socks5(
    mut client: TcpStream,
    log: &Mutex<Vec<Tunnel>>,
    require: Option<String>,
) -> std::io::Result<()> {
    let mut byte = [0u8; 1];
    let read_n = |c: &mut TcpStream, n: usize| -> std::io::Result<Vec<u8>> {
        let mut v = vec![0u8; n];
        c.read_exact(&mut v)?;
        Ok(v)
    };
    let head = read_n(&mut client, 2)?; // VER, NMETHODS
    let methods = read_n(&mut client, head[1] as usize)?;
    let method = if require.is_some() { 2 } else { 0 };
    if !methods.contains(&method) {
        return client.write_all(&[5, 0xff]);
    }
    client.write_all(&[5, method])?;
    let mut authorization = None;
    if method == 2 {
        let ulen = read_n(&mut client, 2)?[1] as usize;
        let user = String::from_utf8_lossy(&read_n(&mut client, ulen)?).into_owned();
        client.read_exact(&mut byte)?;
        let pass = String::from_utf8_lossy(&read_n(&mut client, byte[0] as usize)?).into_owned();
        let given = format!("{user}:{pass}");
        let ok = Some(&given) == require.as_ref();
        authorization = Some(given);
        client.write_all(&[1, if ok { 0 } else { 1 }])?;
        if !ok {
            log.lock().unwrap().push(Tunnel {
                authorization,
                ..Tunnel::default()
            });
            return Ok(());
        }
    }
    let req = read_n(&mut client, 4)?; // VER, CMD, RSV, ATYP
    let host = match req[3] {
        1 => {
            let a = read_n(&mut client, 4)?;
            format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
        }
        3 => {
            client.read_exact(&mut byte)?;
            String::from_utf8_lossy(&read_n(&mut client, byte[0] as usize)?).into_owned()
        }
        _ => return client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]),
    };
    let port = read_n(&mut client, 2)?;
    let target = format!("{host}:{}", u16::from_be_bytes([port[0], port[1]]));
    log.lock().unwrap().push(Tunnel {
        target: target.clone(),
        authorization,
        ..Tunnel::default()
    });
    let Ok(mut server) = TcpStream::connect(&target) else {
        return client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
    };
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    let (mut from_client, mut to_server) = (client.try_clone()?, server.try_clone()?);
    let up = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
    let _ = up.join();
    Ok(())
}

/// A port nothing listens on, and nothing will: a socket bound to it that
/// never listens (connections to it are refused) is kept open for the
/// rest of the process, so another test's server cannot be given the port
/// (a freed port is the next the kernel hands out, and a server that
/// resets on purpose there made a "refused" test see a reset).
pub fn dead_port() -> u16 {
    let (fd, port) = bound_socket();
    std::mem::forget(fd);
    port
}

/// A TCP socket bound to a fresh port of 127.0.0.1, not listening.
fn bound_socket() -> (std::os::fd::OwnedFd, u16) {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // SAFETY: plain socket calls on a socket owned here; `addr` is a
    // correctly sized sockaddr_in.
    unsafe {
        let raw = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(raw >= 0, "socket");
        let fd = OwnedFd::from_raw_fd(raw);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let p = &addr as *const libc::sockaddr_in as *const libc::sockaddr;
        assert_eq!(libc::bind(fd.as_raw_fd(), p, len), 0, "bind");
        let mut got = len;
        let q = &mut addr as *mut libc::sockaddr_in as *mut libc::sockaddr;
        assert_eq!(libc::getsockname(fd.as_raw_fd(), q, &mut got), 0);
        (fd, u16::from_be(addr.sin_port))
    }
}

/// A port whose connections never complete: a listener (backlog 0) that
/// accepts nothing, its accept queue filled by connections held here, so
/// the kernel drops every further SYN (as with `tcp_abort_on_overflow`
/// off, Linux's default) and a client's `connect` waits, as for a host
/// that drops packets; no root needed. Hold the value while testing.
pub struct Unanswering {
    pub port: u16,
    _listener: std::os::fd::OwnedFd,
    _held: Vec<TcpStream>,
}

impl Unanswering {
    pub fn start() -> Unanswering {
        use std::os::fd::AsRawFd;
        let (fd, port) = bound_socket();
        // SAFETY: listen(2) on the socket owned here.
        assert_eq!(unsafe { libc::listen(fd.as_raw_fd(), 0) }, 0, "listen");
        // Fill the queue: connections until one does not complete.
        let to = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let mut held = Vec::new();
        while held.len() < 8 {
            match TcpStream::connect_timeout(&to, Duration::from_millis(300)) {
                Ok(s) => held.push(s),
                Err(_) => break,
            }
        }
        assert!(held.len() < 8, "the accept queue did not fill");
        Unanswering {
            port,
            _listener: fd,
            _held: held,
        }
    }
}

fn handle(
    mut stream: TcpStream,
    root: &std::path::Path,
    log: &Mutex<Vec<Request>>,
    rules: &Mutex<Vec<Rule>>,
    ranges: bool,
    dates: bool,
    auth: Option<String>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let (mut range, mut authorization, mut conditional) = (None, None, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("range") {
                range = Some(v.trim().to_string());
            } else if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            } else if k.eq_ignore_ascii_case("if-modified-since")
                || k.eq_ignore_ascii_case("if-none-match")
            {
                conditional = Some(format!("{k}: {}", v.trim()));
            }
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    if auth.is_some() && authorization != auth {
        log.lock().unwrap().push(Request {
            path,
            range,
            authorization,
            conditional,
            fault: Some("Unauthorized".into()),
        });
        let _ = write!(
            stream,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"test\"\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let fault = {
        let mut rules = rules.lock().unwrap();
        let hit = rules
            .iter_mut()
            .find(|r| path.ends_with(&r.suffix) && r.left != Some(0));
        hit.and_then(|r| {
            if r.after > 0 {
                r.after -= 1;
                return None;
            }
            if let Some(n) = r.left.as_mut() {
                *n -= 1;
            }
            Some(r.fault.clone())
        })
    };
    log.lock().unwrap().push(Request {
        path: path.clone(),
        range: range.clone(),
        authorization,
        conditional,
        fault: fault.as_ref().map(|f| format!("{f:?}")),
    });
    let head = |stream: &mut TcpStream, status: &str, extra: &str, len: usize| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: {len}\r\n{extra}Connection: close\r\n\r\n"
        );
    };
    match &fault {
        Some(Fault::Status(code)) => {
            head(&mut stream, &format!("{code} Fault"), "", 0);
            return;
        }
        Some(Fault::Redirect(prefix)) => {
            head(
                &mut stream,
                "302 Found",
                &format!("Location: {prefix}{path}\r\n"),
                0,
            );
            return;
        }
        Some(Fault::Raw(bytes)) => {
            let _ = stream.write_all(bytes.as_bytes());
            return;
        }
        Some(Fault::Trickle(bytes)) => {
            let _ = stream.set_nodelay(true);
            for b in bytes.as_bytes() {
                if stream.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            return;
        }
        Some(Fault::RedirectWith(code, prefix)) => {
            head(
                &mut stream,
                &format!("{code} Moved"),
                &format!("Location: {prefix}{path}\r\n"),
                0,
            );
            return;
        }
        Some(Fault::Endless) => {
            let body = std::fs::read(root.join(path.trim_start_matches('/'))).unwrap_or_default();
            let chunk = if body.is_empty() {
                vec![b'x'; 4096]
            } else {
                body
            };
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            while stream.write_all(&chunk).is_ok() {}
            return;
        }
        Some(Fault::ResetBeforeAnswer) => {
            reset(&stream);
            return;
        }
        Some(Fault::RetryAfter(code, v)) => {
            head(
                &mut stream,
                &format!("{code} Fault"),
                &format!("Retry-After: {v}\r\n"),
                0,
            );
            return;
        }
        _ => {}
    }
    let file = root.join(path.trim_start_matches('/'));
    let Ok(mut body) = std::fs::read(&file) else {
        head(&mut stream, "404 Not Found", "", 0);
        return;
    };
    let accept = if ranges {
        "Accept-Ranges: bytes\r\n"
    } else {
        ""
    };
    let mut status = "200 OK".to_string();
    let mut extra = accept.to_string();
    // The file's modification time, as a web server (Apache, nginx) says it.
    // (None when the test said to send none.)
    let modified = std::fs::metadata(&file).and_then(|m| m.modified());
    if let Some(t) = modified.ok().filter(|_| dates) {
        extra.push_str(&format!("Last-Modified: {}\r\n", http_date(t)));
    }
    let total = body.len();
    if let (true, Some(r)) = (ranges, range.as_deref()) {
        let start: usize = r
            .strip_prefix("bytes=")
            .and_then(|r| r.strip_suffix('-'))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if start >= total {
            head(&mut stream, "416 Range Not Satisfiable", "", 0);
            return;
        }
        body = body.split_off(start);
        status = "206 Partial Content".into();
        extra.push_str(&format!(
            "Content-Range: bytes {start}-{}/{total}\r\n",
            total - 1
        ));
    }
    if matches!(fault, Some(Fault::CutUnsized)) {
        let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(&body[..body.len() / 2]);
        return;
    }
    if matches!(fault, Some(Fault::ResetUnsized)) {
        let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(&body[..body.len() / 2]);
        let _ = stream.flush();
        std::thread::sleep(Duration::from_millis(50));
        reset(&stream);
        return;
    }
    if let Some(Fault::StatusWithBody(code)) = fault {
        status = format!("{code} Odd");
    }
    if matches!(fault, Some(Fault::Corrupt)) {
        for b in body.iter_mut() {
            *b ^= 0x5a;
        }
    }
    head(&mut stream, &status, &extra, body.len());
    let half = body.len() / 2;
    match fault {
        Some(Fault::ResetMidBody) => {
            let _ = stream.write_all(&body[..half]);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_millis(50));
            // Both handles close when this function returns: with linger 0, a reset.
            reset(&stream);
        }
        Some(Fault::ShortBody) => {
            let _ = stream.write_all(&body[..half]);
        }
        Some(Fault::Stall) => {
            let _ = stream.write_all(&body[..half]);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_secs(30));
        }
        _ => {
            let _ = stream.write_all(&body);
        }
    }
}

/// `t` as an HTTP date (IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn http_date(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // The civil date of a day number (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[month as usize - 1],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A held request under way ([`Server::hold`]), of this path: counted
/// until dropped.
struct Held<'a>(&'a Holds, String);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut h = self.0 .0.lock().unwrap();
        h.now -= 1;
        if let Some(i) = h.paths.iter().position(|p| *p == self.1) {
            h.paths.swap_remove(i);
        }
    }
}

/// Waits as [`Server::hold`] says when the request on `stream` is one to
/// hold; it reads the request line without taking it from the stream.
fn held<'a>(holds: &'a Holds, stream: &TcpStream) -> Option<Held<'a>> {
    let suffixes = holds.0.lock().unwrap().suffixes.clone();
    if suffixes.is_empty() {
        return None;
    }
    let mut buf = [0u8; 2048];
    let mut seen = 0;
    // The request line, peeked at until whole (or the buffer is full).
    while seen < buf.len() && !buf[..seen].contains(&b'\n') {
        match stream.peek(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) if n == seen => std::thread::sleep(Duration::from_millis(1)),
            Ok(n) => seen = n,
        }
    }
    let line = String::from_utf8_lossy(&buf[..seen]);
    let path = line.split_whitespace().nth(1)?;
    if !suffixes.iter().any(|s| path.ends_with(s.as_str())) {
        return None;
    }
    let (lock, cv) = &**holds;
    let mut h = lock.lock().unwrap();
    h.now += 1;
    h.peak = h.peak.max(h.now);
    h.paths.push(path.to_string());
    let together = h.paths.clone();
    h.overlaps.push(together);
    let first = *h.first.get_or_insert_with(std::time::Instant::now);
    cv.notify_all();
    let until = first + Duration::from_secs(10);
    while h.peak < h.want {
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        h = cv.wait_timeout(h, left).unwrap().0;
    }
    let pause = h.pause.unwrap_or(Duration::from_millis(100));
    drop(h);
    std::thread::sleep(pause);
    Some(Held(holds, path.to_string()))
}

/// Closes `stream` with a TCP reset (SO_LINGER 0), as a dropped connection looks.
pub fn reset(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd and a correctly sized linger struct.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// Sets the HTTP layer's settings for this test process: the backoff
/// between attempts and the stall timeout (seconds), and the attempts.
/// Short ones keep the fault tests fast.
pub fn http_settings(backoff: &str, timeout: &str, retries: &str) {
    std::env::set_var("RPM_BUILDROOT_HTTP_BACKOFF", backoff);
    std::env::set_var("RPM_BUILDROOT_HTTP_TIMEOUT", timeout);
    std::env::set_var("RPM_BUILDROOT_HTTP_RETRIES", retries);
}

/// The workspace's fixture repo `kind` (`testdata/repos/KIND`), from the
/// including crate's directory (every crate sits in `crates/NAME`).
pub fn fixture_repo(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/repos")
        .join(kind)
}

/// The name of the file ending in `suffix` in the repodata of the fixture
/// repo `kind`.
pub fn repodata_file(kind: &str, suffix: &str) -> String {
    std::fs::read_dir(fixture_repo(kind).join("repodata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|f| f.ends_with(suffix))
        .unwrap()
}

/// The server path of that file: `/KIND/repodata/NAME`, as the fixture
/// server serves the fixture repos.
pub fn repodata_path(kind: &str, suffix: &str) -> String {
    format!("/{kind}/repodata/{}", repodata_file(kind, suffix))
}
