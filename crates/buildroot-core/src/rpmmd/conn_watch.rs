//! How a download's connection ended, which ureq does not say: it reads a
//! TCP reset (RST) as the end of the stream, then reports a body cut short
//! as "Peer disconnected", the same as a clean close, or takes a body
//! without `Content-Length` that a reset cut as complete. curl, which
//! librepo downloads with, names the reset ("Recv failure: Connection reset
//! by peer", `CURLE_RECV_ERROR`, which librepo retries as any failure that
//! is not fatal: `check_finished_transfer_status`). So every agent's
//! connector chain ends with one ([`Watch`]) that wraps the transport ureq
//! builds (TCP, TLS, a proxy's tunnel) and records the first failed read's
//! [`std::io::ErrorKind`] in the [`ReadFailure`] of the request using it, for
//! `http/request.rs` to name the reset and retry it. It records a TLS stream that
//! ended without the server's close_notify too (rustls's `UnexpectedEof`,
//! also taken by ureq as the end): a body without `Content-Length` that
//! ends so may have been cut, and curl (OpenSSL 3) fails it. And it
//! reads past the 1xx answers before the answer itself, as curl does
//! (`Curl_http_readwrite_headers` skips them, headers and all): ureq
//! refuses a `100 Continue` that carries headers ("received headers with
//! 100-continue response"), which curl, and so dnf, takes. It records the
//! 1xx it read past last while nothing of the answer has come after it:
//! a server that closes then looks to ureq like one that sent nothing,
//! where curl has had a 1xx (its "Empty reply from server", retried at
//! once by librepo; `http/request.rs`).
//!
//! With a `CONNECT` proxy, ureq opens the connection to the proxy through
//! the agent's whole connector, so that connection is watched too, under
//! the tunnel (and under TLS when the URL is https): that watcher reads
//! the proxy's answer to `CONNECT` and then steps aside (an answer came),
//! leaving the 1xx answers to the watcher over the tunnel, which sees
//! the plaintext. Both record into the attempt's one [`ReadFailure`].
//! A plain request through a proxy (`http/plain_proxy.rs`) is watched
//! the same way: the connection to the proxy is opened through the whole
//! connector too, and watched again around the rewriting transport; the
//! inner watcher passes over the 1xx (it reads first), the outer then
//! sees the answer, and the 1xx last read past stays recorded until one
//! comes.
//!
//! Connections outlive their requests (`http/agents.rs` shares agents,
//! and so their pools of kept-alive connections, over a run), so a
//! watched transport is not tied to the attempt that opened it: each
//! request binds its [`ReadFailure`] to its thread ([`ReadFailure::bind`];
//! ureq runs a request and reads its body on the calling thread) and
//! starts it ([`ReadFailure::begin_request`]), and a transport records
//! into whatever request its thread runs now. A transport that sees a
//! request other than the one it last carried is a kept connection being
//! reused: it says so ([`ReadFailure::stale`]), and, when HTTP goes
//! through it (not the connection to a proxy under a tunnel), it passes
//! over the 1xx before that request's answer too. Whether any byte of the
//! answer came is recorded for curl's rule on reused connections
//! (`Curl_retry_request`): one that died before any byte of the answer
//! was a connection the server had closed while idle, and the request is
//! made again at once on a fresh connection, no failure of the URL.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

use super::redirect;

/// What an attempt's current request saw of its connections: the kind of
/// their first read error, if any, the 1xx its connection ended on, and
/// whether it went on a kept connection that died before an answer. One
/// per attempt, started again for each of its requests
/// ([`ReadFailure::begin_request`]).
#[derive(Clone, Debug, Default)]
pub(super) struct ReadFailure(Arc<Mutex<Seen>>);

#[derive(Debug, Default)]
struct Seen {
    kind: Option<ErrorKind>,
    /// The status of the 1xx answer last read past on the last connection,
    /// until the status of an answer comes after it (a status line begun
    /// is not yet one: curl counts a header line once it is whole).
    informational: Option<u16>,
    /// Which request runs now: a number no other request of the process
    /// has (each redirect hop, and a request made again on a fresh
    /// connection, is one more); 0 before the first.
    request: u64,
    /// The request went to a proxy: a connection made without one is then
    /// the connection to the proxy, under the request's.
    proxied: bool,
    /// The request went out on a connection an earlier request had used.
    reused: bool,
    /// Some byte of the answer came (a 1xx's included, as curl counts
    /// header bytes).
    answer_bytes: bool,
    /// When reading must have ended ([`ReadFailure::read_by`]): a
    /// followed redirect's body is read within the repo's `timeout`.
    deadline: Option<std::time::Instant>,
}

thread_local! {
    /// The request this thread runs ([`ReadFailure::bind`]).
    static CURRENT: RefCell<Option<ReadFailure>> = const { RefCell::new(None) };
}

/// Until dropped, the [`ReadFailure`] this thread's requests record into.
pub(super) struct Bound(Option<ReadFailure>);

impl Drop for Bound {
    fn drop(&mut self) {
        let before = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = before);
    }
}

fn current() -> Option<ReadFailure> {
    CURRENT.with(|c| c.borrow().clone())
}

impl ReadFailure {
    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The recorded kind.
    pub(super) fn kind(&self) -> Option<ErrorKind> {
        self.seen().kind
    }

    /// The status of the informational answer (1xx) the last connection
    /// sent last, when no answer's status came after it.
    pub(super) fn informational(&self) -> Option<u16> {
        self.seen().informational
    }

    /// Whether the peer reset (or aborted) the connection.
    pub(super) fn was_reset(&self) -> bool {
        matches!(
            self.kind(),
            Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted)
        )
    }

    /// Whether a TLS connection ended without the peer's close_notify:
    /// rustls's `UnexpectedEof` (a plain TCP transport reports an end of
    /// stream as no bytes, never as this error), which ureq takes as the
    /// end of the stream.
    pub(super) fn ended_without_close_notify(&self) -> bool {
        self.kind() == Some(ErrorKind::UnexpectedEof)
    }

    fn record(&self, kind: ErrorKind) {
        self.seen().kind.get_or_insert(kind);
    }

    /// Makes this the attempt whose requests this thread's connections
    /// record into, until the guard is dropped.
    pub(super) fn bind(&self) -> Bound {
        Bound(CURRENT.with(|c| c.borrow_mut().replace(self.clone())))
    }

    /// Starts a request (`proxied`: it goes to a proxy): what the last one
    /// saw is forgotten, as a new connection forgot it before connections
    /// were kept.
    pub(super) fn begin_request(&self, proxied: bool) {
        static REQUESTS: AtomicU64 = AtomicU64::new(0);
        let request = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
        *self.seen() = Seen {
            request,
            proxied,
            ..Seen::default()
        };
    }

    /// Whether the request went out on a kept connection that ended
    /// before any byte of the answer: one the server closed while it was
    /// idle in the pool (curl's `Curl_retry_request` test), to be made
    /// again at once on a fresh connection.
    pub(super) fn stale(&self) -> bool {
        let seen = self.seen();
        seen.reused && !seen.answer_bytes
    }

    /// Makes every read of this request's connection end by `deadline`
    /// (`None`: no such end), failing as a body that did not come in time
    /// (`Timeout::RecvBody`): ureq's own limit is per read (twice the
    /// `timeout`), and a redirect's body, read only to keep its connection
    /// (`http/redirect_body.rs`), must not take longer than one timeout
    /// however its bytes trickle. Ended by the next [`Self::begin_request`].
    pub(super) fn read_by(&self, deadline: Option<std::time::Instant>) {
        self.seen().deadline = deadline;
    }

    /// The request that runs now, as a connection remembers it.
    fn request(&self) -> u64 {
        self.seen().request
    }
}

/// The connector that wraps every transport into a [`Watched`] one; chained
/// last, after ureq's default ones. It records into the request of the
/// thread that connects ([`ReadFailure::bind`]); without one (an agent
/// driven directly), into a [`ReadFailure`] of the connection's own.
#[derive(Debug, Default)]
pub(super) struct Watch;

impl<In: Transport> Connector<In> for Watch {
    type Out = Watched<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let seen = current().unwrap_or_default();
        // A new connection (each hop of a redirect has its own).
        seen.seen().informational = None;
        // The connection the request's HTTP goes over, not the one to its
        // proxy (made without a proxy, for a request that has one).
        let http = details.config.proxy().is_some() || !seen.seen().proxied;
        let request = seen.request();
        Ok(chained.map(|inner| Watched {
            inner,
            seen,
            request,
            http,
            before_answer: true,
            keep: None,
        }))
    }
}

/// A transport that passes everything through, records the kind of a
/// failed read, and passes over the 1xx answers before the answer.
#[derive(Debug)]
pub(super) struct Watched<T> {
    inner: T,
    seen: ReadFailure,
    /// The request it carries now ([`ReadFailure::request`]).
    request: u64,
    /// Whether the request's HTTP goes over it (see [`Watch`]): only then
    /// are its answer's bytes counted and, on a kept connection, the 1xx
    /// of each request passed over. Under a tunnel, the connection to the
    /// proxy has its first answer (to `CONNECT`) read past it and then
    /// carries TLS.
    http: bool,
    /// Whether the input's front may still be a 1xx answer: nothing but
    /// 1xx answers came for this request so far.
    before_answer: bool,
    /// Whether the connection may be kept for another request once this
    /// one's answer is read: only after a 2xx, or a 3xx with a `Location`
    /// (`None` until its status, and a 3xx's head, is read). After an error answer the next try connects anew,
    /// as every try did before connections were kept: librepo retries a
    /// 404 or a 503 hoping for another node of a load-balanced mirror,
    /// which a new connection may reach and a kept one does not; a
    /// proxy's 407 is retried on a connection of its own.
    keep: Option<bool>,
}

impl<T: Transport> Watched<T> {
    /// Follows this thread's request: one this connection has not carried
    /// yet is a new request on a kept connection (said to the request,
    /// and its 1xx are looked for again).
    fn follow(&mut self) {
        let Some(now) = current() else {
            return;
        };
        let request = now.request();
        if request == self.request {
            return;
        }
        now.seen().reused = true;
        self.seen = now;
        self.request = request;
        self.keep = None;
        if self.http {
            self.before_answer = true;
        }
    }

    /// Reads the answer's status, once it is at the input's front and
    /// whole, to tell whether the connection may be kept ([`Self::keep`]).
    fn read_status(&mut self) {
        if !self.http || self.before_answer || self.keep.is_some() {
            return;
        }
        let input = self.inner.buffers().input();
        if let Some(code) = status_of(input) {
            self.keep = match code {
                200..=299 => Some(true),
                // A redirect is kept for its next hop; a 3xx without a
                // `Location` is the final answer, a failure retried as a
                // 404 is (`http/request.rs`), so connects anew as one.
                300..=399 => has_location(input),
                _ => Some(false),
            };
        } else if input.len() >= 12 {
            // No status line: nothing to keep the connection for.
            self.keep = Some(false);
        }
    }

    /// Consumes the whole 1xx answers (101 excepted: it ends HTTP) at the
    /// front of the input; false once the front is the answer itself, so
    /// that nothing of a body is ever looked at.
    fn pass_informational(&mut self) -> bool {
        loop {
            match front(self.inner.buffers().input()) {
                Front::Informational { len, code } => {
                    self.seen.seen().informational = Some(code);
                    self.inner.buffers().input_consume(len);
                }
                Front::Partial => return true,
                // After a 1xx, the answer counts once its status line is
                // whole, as curl counts a header line: a close before then
                // is still "Empty reply from server" (curl 7.88 leaves the
                // part out of its count; newer curl counts it with the 1xx,
                // whose status it still holds, and deducts it the same).
                // Without a 1xx, nothing is waited for.
                Front::Answer => {
                    let input = self.inner.buffers().input();
                    let mut seen = self.seen.seen();
                    if seen.informational.is_some() && !input.contains(&b'\n') {
                        return true;
                    }
                    seen.informational = None;
                    return false;
                }
            }
        }
    }
}

/// The status of the answer at the front of `input` (`HTTP/1.x NNN`),
/// once its three digits are there.
fn status_of(input: &[u8]) -> Option<u16> {
    let line = input.get(..12)?;
    if !line.starts_with(b"HTTP/") || line[8] != b' ' || !line[9..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        line[9..]
            .iter()
            .fold(0, |n, &d| n * 10 + u16::from(d - b'0')),
    )
}

/// Whether the answer head at the front of `input` names one place to go
/// (its `Location` headers, read by `request.rs`'s rule,
/// [`redirect::location`]: none, or several different ones, make the 3xx
/// a failed try); `None` until the head is whole (its empty line).
fn has_location(input: &[u8]) -> Option<bool> {
    let mut values = Vec::new();
    for line in input.split_inclusive(|&b| b == b'\n').skip(1) {
        if line == b"\n" || line == b"\r\n" {
            let one = redirect::location(values.iter().map(String::as_str));
            return Some(matches!(one, Ok(Some(_))));
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            if line[..colon].eq_ignore_ascii_case(b"location") {
                values.push(redirect::header_text(&line[colon + 1..]));
            }
        }
    }
    None
}

/// What a connection's input begins with, before its answer.
#[derive(Debug, PartialEq, Eq)]
enum Front {
    /// A whole 1xx answer (but 101): its length in bytes, headers
    /// included, and its status.
    Informational { len: usize, code: u16 },
    /// The start of one, or nothing yet.
    Partial,
    /// Anything else: the answer.
    Answer,
}

/// Reads the front of `input` (see [`Front`]): a status line
/// `HTTP/1.x 1NN`, then header lines up to an empty one (CRLF or bare LF,
/// as curl reads them).
fn front(input: &[u8]) -> Front {
    const LINE: &[u8] = b"HTTP/1.# 1##";
    let fits = |(&b, &want): (&u8, &u8)| match want {
        b'#' => b.is_ascii_digit(),
        _ => b == want,
    };
    if !input.iter().zip(LINE).all(fits) {
        return Front::Answer;
    }
    if input.len() < LINE.len() {
        return Front::Partial;
    }
    // Three digits (checked above): "1NN".
    let code = input[9..12]
        .iter()
        .fold(0, |n, &d| n * 10 + u16::from(d - b'0'));
    if code == 101 {
        return Front::Answer;
    }
    // The status line is never empty: the first empty line ends the block.
    let mut at = 0;
    for line in input.split_inclusive(|&b| b == b'\n') {
        at += line.len();
        if line == b"\n" || line == b"\r\n" {
            return Front::Informational { len: at, code };
        }
    }
    Front::Partial
}

impl<T: Transport> Transport for Watched<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.follow();
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, mut timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.follow();
        // A read of a body that must have come by now waits no longer.
        if let Some(deadline) = self.seen.seen().deadline {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(ureq::Error::Timeout(ureq::Timeout::RecvBody));
            }
            let left = ureq::unversioned::transport::time::Duration::Exact(left);
            if left < timeout.after {
                timeout.after = left;
                timeout.reason = ureq::Timeout::RecvBody;
            }
        }
        let r = self.inner.await_input(timeout);
        if r.is_ok() && self.http && !self.inner.buffers().input().is_empty() {
            self.seen.seen().answer_bytes = true;
        }
        match &r {
            Err(ureq::Error::Io(e)) => self.seen.record(e.kind()),
            Ok(_) if self.before_answer => self.before_answer = self.pass_informational(),
            Ok(_) => {}
            Err(_) => {}
        }
        if r.is_ok() {
            self.read_status();
        }
        r
    }

    // ureq asks before it pools a connection and before it reuses one.
    fn is_open(&mut self) -> bool {
        self.keep != Some(false) && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status that decides whether a connection is kept, once its
    /// three digits are there.
    #[test]
    fn an_answers_status_is_read_once_whole() {
        assert_eq!(status_of(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(status_of(b"HTTP/1.0 302 "), Some(302));
        assert_eq!(status_of(b"HTTP/1.1 404"), Some(404));
        for not_yet in [&b""[..], b"HTTP/1.1 20", b"HTTP/1.1"] {
            assert_eq!(status_of(not_yet), None, "{not_yet:?}");
        }
        for no_status in [&b"<html><body>"[..], b"HTTP/1.1 2x0 OK"] {
            assert_eq!(status_of(no_status), None, "{no_status:?}");
        }
    }

    /// A 3xx keeps its connection only when it names where to go, once
    /// its head is whole.
    #[test]
    fn a_redirect_is_kept_only_with_a_location() {
        let to = b"HTTP/1.1 302 Found\r\nlocation:  /x\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(has_location(to), Some(true));
        assert_eq!(
            has_location(b"HTTP/1.1 301 Moved\nLocation: http://h/\n\nbody"),
            Some(true)
        );
        let twice = b"HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation:  /a\r\n\r\n";
        assert_eq!(has_location(twice), Some(true));
        for none in [
            &b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"[..],
            b"HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n",
            b"HTTP/1.1 302 Found\r\nLocation: \r\n\r\n",
            b"HTTP/1.1 302 Found\r\nX-Location: /x\r\n\r\n",
            b"HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n",
        ] {
            assert_eq!(has_location(none), Some(false), "{none:?}");
        }
        assert_eq!(
            has_location(b"HTTP/1.1 302 Found\r\nLocation: /x\r\n"),
            None
        );
    }

    #[test]
    fn the_1xx_answers_in_front_are_measured_whole() {
        let continue_ = b"HTTP/1.1 100 Continue\r\nX-Note: a\r\n\r\nHTTP/1.1 200 OK\r\n";
        let whole = |len, code| Front::Informational { len, code };
        assert_eq!(front(continue_), whole(36, 100));
        assert_eq!(front(b"HTTP/1.0 103\n\nrest"), whole(14, 103));
        for partial in [
            &b""[..],
            b"HTT",
            b"HTTP/1.1 1",
            b"HTTP/1.1 100 Continue\r\nX: y",
        ] {
            assert_eq!(front(partial), Front::Partial, "{partial:?}");
        }
        for answer in [
            &b"HTTP/1.1 200 OK\r\n\r\n"[..],
            b"HTTP/1.1 101 Switching\r\n\r\n",
            b"<html>",
            b"HTTP/2 100",
        ] {
            assert_eq!(front(answer), Front::Answer, "{answer:?}");
        }
    }
}
