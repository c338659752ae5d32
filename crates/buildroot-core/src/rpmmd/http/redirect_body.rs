//! The body of a redirect about to be followed: read and dropped, so that
//! the redirect's kept-alive connection goes back to the pool for the next
//! request, as curl does. curl's `http_firstwrite` (http.c) reads a
//! followed 3xx's whole body "in ignore mode" when the connection is to be
//! kept, and stops after the headers when it is closing anyway (so does
//! [`drain`]: `Connection: close`, HTTP/1.0 without `keep-alive`); a body
//! with neither a `Content-Length` nor chunked framing ends only with the
//! connection (http.c's "no chunk, no close, no size. Assume close"), so
//! such a connection is closing. ureq hands back a connection only once
//! its body is read to the end; a 3xx dropped unread closed its connection,
//! and download.fedoraproject.org answers every file with a 302 that says
//! `Connection: keep-alive` and carries a small HTML note.
//!
//! Where curl reads any length, a body is read here up to
//! [`MOST_DRAINED`] bytes: a redirector's note is a few hundred bytes, and
//! past that, a new connection costs less than the bytes it saves reading.
//! A body announced bigger is not read at all; a chunked one that runs
//! past the bound is dropped; either way its connection closes, as every
//! redirect's did before. A body that does not come within the repo's
//! `timeout`, or a read that fails, only closes the connection: the
//! redirect is followed all the same, as before (its answer, status and
//! `Location`, was whole), where curl would fail the transfer. The
//! `timeout` bounds the whole body, each read included: the watcher ends a
//! read at that moment (`conn_watch.rs`, `ReadFailure::read_by`), where
//! ureq's own per-read limit (twice the timeout) would let one read wait
//! past it.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::rpmmd::conn_watch::ReadFailure;

/// The most bytes of a followed redirect's body read to keep its
/// connection: 64 KiB, one read buffer's worth.
pub(super) const MOST_DRAINED: u64 = 64 * 1024;

/// Reads `resp`'s body to its end and drops it, when its connection may be
/// kept (no `Connection: close`; HTTP/1.0 only with `keep-alive`) and the
/// body is framed (chunked, or with a `Content-Length`), no longer than
/// [`MOST_DRAINED`], and comes `within` the time given (the repo's
/// `timeout`, which `watch`, the request's watcher, holds every read to):
/// ureq then pools the connection. Returns whether the body was read whole.
pub(super) fn drain(
    resp: &mut ureq::http::Response<ureq::Body>,
    within: Duration,
    watch: &ReadFailure,
) -> bool {
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_ascii_lowercase())
    };
    // A connection that closes after this answer gains nothing: curl
    // stops after the headers then ("we are set to close anyway").
    let connection = header("connection").unwrap_or_default();
    let closing = match resp.version() {
        ureq::http::Version::HTTP_10 => !connection.contains("keep-alive"),
        _ => connection.contains("close"),
    };
    // A `Transfer-Encoding` decides the framing over a `Content-Length`
    // (RFC 9112 6.3): chunked last, or the body ends with the connection.
    let framed = match header("transfer-encoding") {
        Some(te) => te.ends_with("chunked"),
        None => header("content-length")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n <= MOST_DRAINED),
    };
    if closing || !framed {
        return false;
    }
    let start = Instant::now();
    watch.read_by(Some(start + within));
    let whole = read_to_end(resp, start, within);
    watch.read_by(None);
    whole
}

/// Reads `resp`'s body to its end, [`MOST_DRAINED`] bytes at most and
/// until `within` after `start`; whether it ended.
fn read_to_end(
    resp: &mut ureq::http::Response<ureq::Body>,
    start: Instant,
    within: Duration,
) -> bool {
    let mut body = resp.body_mut().as_reader();
    let mut buf = [0u8; 8192];
    let mut read = 0u64;
    loop {
        match body.read(&mut buf) {
            // The end: ureq has pooled the connection (if it may be kept).
            Ok(0) => return true,
            Ok(n) => read += n as u64,
            Err(_) => return false,
        }
        if read > MOST_DRAINED || start.elapsed() > within {
            return false;
        }
    }
}
