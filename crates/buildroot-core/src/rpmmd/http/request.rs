//! One HTTP request of a download and its answer, as librepo sets up and
//! reads one curl transfer: the client's proxy, TLS and timeouts (what
//! handle.c's `lr_handle_setopt` gives curl), the `Range` of a resumed
//! attempt (downloader.c's `prepare_next_transfer` has curl resume; the
//! `If-Range` that keeps a changed file whole is ours), the redirects
//! (curl's `CURLOPT_FOLLOWLOCATION`, done here: `redirect.rs`), what the
//! status and headers of the answer mean (`check_finished_transfer_status`,
//! `lr_headercb`) and the body written into the sink (`lr_writecb`).
//!
//! Separate from [`super::attempts`], which decides what to do once an
//! attempt has ended: this file turns a request into an [`Outcome`], that
//! one turns outcomes into retries.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::attempts::{failed, Outcome, Sink, BAD_STATUS_TRIES};
use super::{notify, DownloadEvent, HttpSettings};
use crate::error::io_message;
use crate::rpmmd::conn_watch::ReadFailure;
use crate::rpmmd::http_answer::{
    content_range, describe, is_tls_failure, proxy_lookup_failure, retry_after, retryable,
    same_answer,
};
use crate::rpmmd::redirect;

use super::{agents, plain_proxy, proxy_tls, redirect_body};

/// How many times a request is made again after a kept connection died
/// under it before the attempt fails: curl's `CONN_MAX_RETRIES`. Each
/// time may take another kept connection, which may have died as well.
const MOST_DIED_RETRIES: u32 = 5;

/// One request and its body.
pub(super) struct Attempt<'a> {
    pub(super) url: &'a str,
    pub(super) from: u64,
    pub(super) generation: u64,
    pub(super) s: &'a HttpSettings,
    pub(super) sink: &'a Mutex<Sink>,
    pub(super) progress: &'a AtomicU64,
    pub(super) answered: &'a AtomicBool,
    /// How this attempt's current request's connections failed a read,
    /// and whether one was a kept one that died unused (`conn_watch.rs`).
    pub(super) read_failure: ReadFailure,
}

impl Attempt<'_> {
    /// `f` on the sink, unless this attempt has been abandoned (`None`).
    fn with_sink<T>(&self, f: impl FnOnce(&mut Sink) -> T) -> Option<T> {
        let mut k = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        (k.generation == self.generation).then(|| f(&mut k))
    }

    /// The agent for one request of `url`: the repo's proxy for it, its
    /// TLS settings, our timeouts; redirects are left to [`Self::run`]. An
    /// `http://` URL through an HTTP(S) proxy goes to the proxy in absolute
    /// form, as curl sends it, where ureq alone would tunnel it
    /// (`plain_proxy.rs`); the bool says so. The agent is the run's one
    /// for these settings, whose kept connections it may reuse, and which
    /// keeps the ones it makes (`agents.rs`).
    fn agent_for(&self, url: &str, tls: &agents::Tls) -> Result<(ureq::Agent, bool), Outcome> {
        // Checked when the .repo file was read; an error here is no less final.
        let proxy = self.s.access.proxy(url).map_err(|e| failed(e, false))?;
        let plain = proxy
            .as_ref()
            .is_some_and(|p| plain_proxy::is_plain(p, url));
        // Said to the watcher before any connection is made or reused.
        self.read_failure.begin_request(proxy.is_some());
        proxy_tls::forget();
        Ok((agents::shared(self.s, proxy, plain, tls), plain))
    }

    /// [`proxy_lookup_failure`] of this repo's proxy for `url`.
    fn unresolvable_proxy(&self, url: &str, e: &ureq::Error) -> Option<String> {
        let proxy = self.s.access.proxy(url).ok()??;
        proxy_lookup_failure(&proxy, url, e)
    }

    /// A TLS failure of the connection to an `https://` proxy (not of the
    /// server's), said as the proxy's, with the options that would mend
    /// it: its own `proxy_sslverify` and `proxy_sslcacert`, or, when the
    /// proxy refused the client's certificate, `proxy_sslclientcert` and
    /// `proxy_sslclientkey`, as libdnf hands them to librepo and curl, not
    /// the repo's (section 8). A line naming an `http://` URL and a
    /// certificate, or the server's options, said nothing a user of a
    /// TLS-inspecting proxy could act on.
    fn proxy_tls_failure(&self, url: &str, e: &ureq::Error) -> Option<String> {
        if !is_tls_failure(e) || !proxy_tls::failed_here() {
            return None;
        }
        let proxy = self.s.access.proxy(url).ok()??;
        let cause = describe(e);
        let cause = cause.trim_start_matches("connection failed: ");
        let mend = if refuses_client_certificate(cause) {
            "proxy_sslclientcert and proxy_sslclientkey are shown to the proxy (sslclientcert \
             only to the server)"
        } else {
            "proxy_sslcacert and proxy_sslverify check the proxy (sslcacert and sslverify only \
             the server)"
        };
        Some(format!(
            "TLS to the proxy {}:{} failed ({cause}): {mend}",
            proxy.host(),
            proxy.port(),
        ))
    }

    /// [`describe`], with a timeout said in words: which limit, how long,
    /// and what set it (the repo's `timeout=` or the variable), as a stall
    /// is said.
    fn describe(&self, e: &ureq::Error) -> String {
        if let ureq::Error::Io(io) = e {
            // Said as a reset in the body is (`body`), whether ureq passed
            // the reset on or made it its "Peer disconnected".
            let reset = match io.kind() {
                std::io::ErrorKind::ConnectionReset => true,
                std::io::ErrorKind::UnexpectedEof => self.read_failure.was_reset(),
                _ => false,
            };
            if reset {
                return "connection reset by peer before an answer".into();
            }
        }
        let ureq::Error::Timeout(t) = e else {
            return describe(e);
        };
        // The per-read backstop is twice the timeout (`agents.rs`).
        let secs = match t {
            ureq::Timeout::PerRead => self.s.timeout.as_secs_f64() * 2.0,
            _ => self.s.timeout.as_secs_f64(),
        };
        let what = match t {
            ureq::Timeout::Resolve | ureq::Timeout::Connect => "could not connect",
            ureq::Timeout::PerRead | ureq::Timeout::RecvBody => "no data",
            _ => "no answer",
        };
        let by = self.s.access.pace.timeout_source();
        format!("timed out: {what} within {secs} s ({by} sets the limit)")
    }

    /// When `e` is a connection the server closed after a 1xx with no
    /// answer after it, what to say: curl's "Empty reply from server"
    /// (`CURLE_GOT_NOTHING`, a 1xx's headers do not count as a reply), which
    /// librepo retries at once as any curl error it does not take as fatal.
    /// A server that answers so answers so again: no backoff.
    fn closed_after_informational(&self, e: &ureq::Error) -> Option<String> {
        let ureq::Error::Io(io) = e else {
            return None;
        };
        if io.kind() != std::io::ErrorKind::UnexpectedEof || self.read_failure.was_reset() {
            return None;
        }
        let code = self.read_failure.informational()?;
        Some(format!(
            "the server closed the connection after an informational answer \
             (HTTP {code}), before the answer"
        ))
    }

    /// Whether `e` ended a request that went out on a kept connection
    /// before any byte of its answer came: the connection was closed or
    /// reset under it (curl's test, `Curl_retry_request`; a timeout is no
    /// such end, and is the request's failure).
    fn died_unused(&self, e: &ureq::Error) -> bool {
        use std::io::ErrorKind::*;
        let ureq::Error::Io(io) = e else {
            return false;
        };
        matches!(
            io.kind(),
            UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe
        ) && self.read_failure.stale()
    }

    pub(super) fn run(&self, validator: Option<String>) -> Outcome {
        let tls = match (self.s.access.tls_config(), self.s.access.proxy_tls_config()) {
            (Ok(server), Ok(proxy)) => agents::Tls { server, proxy },
            (Err(e), _) | (_, Err(e)) => return failed(format!("{}={}", e.key, e.msg), false),
        };
        let auth = self.s.access.authorization();
        let home = redirect::origin(self.url);
        let mut url = self.url.to_string();
        let mut hops = 0;
        // This thread's connections record into this attempt (`conn_watch.rs`).
        let _bound = self.read_failure.bind();
        // How many times a request of this attempt was made again after
        // its kept connection died under it.
        let mut died = 0;
        let (mut resp, plain) = loop {
            // Per hop: a redirect to another scheme takes that scheme's proxy.
            let (agent, plain) = match self.agent_for(&url, &tls) {
                Ok(a) => a,
                Err(o) => return o,
            };
            let mut req = agent.get(&url);
            if let Some(auth) = auth.as_deref().filter(|_| redirect::origin(&url) == home) {
                req = req.header("Authorization", auth);
            }
            if self.from > 0 {
                req = req.header("Range", format!("bytes={}-", self.from));
                if let Some(v) = &validator {
                    req = req.header("If-Range", v);
                }
            }
            let mut resp = match req.call() {
                Ok(r) => r,
                // A kept connection the server had closed while it idled:
                // made again at once, no failed try and no backoff, as curl
                // does (`Curl_retry_request`): on the next kept connection,
                // if there is one, or a new one, which is kept in turn;
                // not by an attempt already abandoned (a cancelled load).
                Err(e) if self.died_unused(&e) && self.with_sink(|_| ()).is_some() => {
                    // curl's `CONN_MAX_RETRIES`, over the whole transfer.
                    if died == MOST_DIED_RETRIES {
                        return failed(
                            format!(
                                "{}the connection died before an answer, \
                                 on {} kept connections in a row",
                                via_of(hops, &url),
                                died + 1
                            ),
                            true,
                        );
                    }
                    log::debug!("{url}: the kept connection was closed; made again");
                    died += 1;
                    continue;
                }
                // A hop's failure names where the redirect led.
                Err(e) => {
                    let via = via_of(hops, &url);
                    if let Some(cause) = self.closed_after_informational(&e) {
                        return at_once(format!("{via}{cause}"), None);
                    }
                    if let Some(msg) = self.proxy_tls_failure(&url, &e) {
                        return failed_on(format!("{via}{msg}"), &e);
                    }
                    return match self.unresolvable_proxy(&url, &e) {
                        Some(msg) => failed(format!("{via}{msg}"), false),
                        None => failed_on(format!("{via}{}", self.describe(&e)), &e),
                    };
                }
            };
            let status = resp.status().as_u16();
            // curl reads the `Location` headers of every answer, and fails
            // one with two different ones, "Multiple Location headers"
            // (`CURLE_WEIRD_SERVER_REPLY`, not fatal to librepo).
            let named: Vec<String> = (resp.headers().get_all("location").iter())
                .map(|v| redirect::header_text(v.as_bytes()))
                .collect();
            let location = match redirect::location(named.iter().map(String::as_str)) {
                Ok(l) => l,
                Err(n) => {
                    return at_once(
                        format!(
                            "{}HTTP {status} with {n} different Location headers",
                            via_of(hops, &url)
                        ),
                        None,
                    )
                }
            };
            if !redirect::is_followed(status) {
                break (resp, plain);
            }
            let location = location.and_then(|l| redirect::resolve(&url, l));
            // Read before the target is judged: curl reads a redirect's body
            // and is done with its connection (keeping it) before it follows,
            // so a chain that then fails (too many hops, a target it does
            // not take) leaves that connection kept for the next try too.
            if location.is_some() {
                redirect_body::drain(&mut resp, self.s.timeout, &self.read_failure);
            }
            // Each of these is a failed transfer to librepo, retried like a
            // 404: curl's "too many redirects" and "unsupported protocol"
            // are not among the errors it takes as fatal, and a 3xx curl
            // did not follow (no Location, or an empty one) is a status
            // that is not 2xx (`LRE_BADSTATUS`).
            match location {
                // A 3xx curl does not follow is its final answer, even as
                // the 7th: curl counts a redirect only when it would follow
                // one (`Curl_http_follow`), so it says this status, not
                // "too many redirects" (the hop limit came first here).
                None => {
                    return at_once(
                        format!(
                            "{}HTTP {status} without a usable Location",
                            via_of(hops, &url)
                        ),
                        Some(status),
                    )
                }
                _ if hops == redirect::MAX_REDIRECTS => {
                    return at_once(format!("more than {hops} redirects"), None)
                }
                // As curl's default redirect protocols, less ftp (which
                // we do not speak): never to a local file (a server must
                // not make us read one).
                Some(next) if !is_http(&next) => {
                    return at_once(
                        format!("redirected to {next}: redirects are followed to http(s) only"),
                        None,
                    )
                }
                // curl's "URL using bad/illegal format" (`redirect.rs`).
                Some(next) if !redirect::is_valid(&next) => {
                    return at_once(format!("redirected to {next}: not a valid URL"), None)
                }
                Some(next) => url = next,
            }
            hops += 1;
        };
        self.answered.store(true, Ordering::Relaxed);
        let status = resp.status().as_u16();
        // An error answer at the end of redirects names where they led, as a
        // hop that fails does (curl names the effective URL).
        let via = via_of(hops, &url);
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        // A 204 has no body whatever its headers say, as curl and ureq read it.
        let length: Option<u64> = match status {
            204 => Some(0),
            _ => header("content-length").and_then(|v| v.parse().ok()),
        };
        let total = match status {
            206 if self.from > 0 => {
                match header("content-range").as_deref().and_then(content_range) {
                    Some((start, total)) if start == self.from => total,
                    _ => {
                        // curl's "Cannot resume" (`CURLE_RANGE_ERROR`),
                        // which librepo retries at once, from the start.
                        self.with_sink(|k| k.ranges = false);
                        return at_once("a 206 answer for another range".into(), None);
                    }
                }
            }
            // A whole answer (no Content-Range) to a resumed request: curl
            // fails it, "Cannot resume" (`CURLE_RANGE_ERROR`, in
            // `Curl_http_firstwrite`), and librepo spends a try on it and
            // starts again from where the download began; so do we, from
            // byte 0 and at once, rather than taking its body in this try.
            // (curl takes one whose length is the resume point as "already
            // downloaded"; we start again: the bytes kept may not be the
            // file's now, and a repomd.xml has no checksum to tell.)
            200..=299 if self.from > 0 && header("content-range").is_none() => {
                self.with_sink(|k| k.ranges = false);
                return at_once(
                    format!("{via}a whole answer (HTTP {status}) to a resumed request"),
                    None,
                );
            }
            // Any other 2xx is a complete transfer to librepo (it checks
            // `code / 100 == 2` only): its body, empty for a 204, is the
            // file, held to its checksum like a 200's. A range that was
            // not honoured, or a file that changed: from byte 0.
            200..=299 => {
                let validator = header("etag")
                    .filter(|e| !e.starts_with("W/"))
                    .or_else(|| header("last-modified"));
                let ranges = header("accept-ranges").is_some_and(|v| v.contains("bytes"));
                let last_modified = header("last-modified");
                let ok = self.with_sink(|k| {
                    k.status = status;
                    k.ranges = ranges;
                    k.validator = validator;
                    k.last_modified = last_modified;
                    if k.len > 0 {
                        k.truncate()
                    } else {
                        Ok(())
                    }
                });
                match ok {
                    None => return failed("abandoned", true),
                    Some(Err(e)) => return Outcome::Unwritable(e),
                    Some(Ok(())) => {}
                }
                self.progress.store(0, Ordering::Relaxed);
                length
            }
            416 if self.from > 0 => {
                self.with_sink(|k| k.ranges = false);
                return Outcome::Failed {
                    cause: "HTTP 416 for a resumed range".into(),
                    retry: true,
                    wait: Some(Duration::ZERO),
                    most: None,
                    status: Some(status),
                };
            }
            429 | 503 => {
                return Outcome::Failed {
                    cause: format!("{via}HTTP {status}"),
                    retry: true,
                    wait: header("retry-after")
                        .filter(|_| !self.s.no_retry_after)
                        .and_then(|v| retry_after(&v, SystemTime::now())),
                    most: None,
                    status: Some(status),
                }
            }
            // The proxy's own refusal of a plain request: the same words
            // as its refusal of a `CONNECT`, and the same tries (a status
            // that is not 2xx to librepo, `LRE_BADSTATUS`, retried at once).
            407 if plain => {
                return at_once(format!("{via}the proxy answered HTTP 407"), Some(status))
            }
            408 | 500..=599 => {
                return answered(failed(format!("{via}HTTP {status}"), true), status)
            }
            // As librepo (see the module docs): any other answer that is
            // not 2xx (another 4xx, a 1xx or 6xx+ as the final answer) is
            // retried, at once, on librepo's count.
            _ => return at_once(format!("{via}HTTP {status}"), Some(status)),
        };
        if let Some(over) = total.and_then(|t| self.too_long(t)) {
            return failed(
                format!("{over} (the server announces {})", total.unwrap_or(0)),
                false,
            );
        }
        if status == 206 {
            self.with_sink(|k| k.ranges = true);
        }
        notify(DownloadEvent::Attempt {
            url: self.url,
            from: self.from,
            total,
        });
        self.body(resp.body_mut().as_reader(), total)
    }

    /// When `len` bytes are more than the file can have (`max_len`), why.
    /// Not retried: the same server sends as much again; a repo's next
    /// mirror, if any, is tried.
    fn too_long(&self, len: u64) -> Option<String> {
        let (max, says) = self.s.max_len?;
        (len > max).then(|| format!("more than the {max} bytes {says}"))
    }

    /// Copies the body into the sink; `total` is the whole file's size.
    fn body(&self, mut body: impl Read, total: Option<u64>) -> Outcome {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let at = self.progress.load(Ordering::Relaxed);
                    return match e.kind() {
                        // ureq's "Peer disconnected": a close or a reset.
                        std::io::ErrorKind::UnexpectedEof => failed(
                            format!("{} after {}", self.cut_short(), of(at, total)),
                            true,
                        ),
                        _ => failed(
                            format!("connection lost after {at} bytes: {}", io_message(&e)),
                            true,
                        ),
                    };
                }
            };
            let at = self.progress.load(Ordering::Relaxed) + n as u64;
            if let Some(over) = self.too_long(at) {
                return failed(over, false);
            }
            let wrote = self.with_sink(|k| {
                k.file.write_all(&buf[..n])?;
                k.len += n as u64;
                Ok::<u64, std::io::Error>(k.len)
            });
            match wrote {
                None => return failed("abandoned", true),
                Some(Err(e)) => return Outcome::Unwritable(e),
                Some(Ok(len)) => self.progress.store(len, Ordering::Relaxed),
            }
        }
        let len = self.progress.load(Ordering::Relaxed);
        match total {
            Some(t) if len < t => failed(
                format!("{} after {}", self.cut_short(), of(len, total)),
                true,
            ),
            Some(t) if len > t => failed(format!("{len} bytes, more than the {t} announced"), true),
            // A body that ends with the connection (no Content-Length) ended
            // by a reset is cut, not complete, as curl says.
            None if self.read_failure.was_reset() => {
                failed(format!("connection reset by peer after {len} bytes"), true)
            }
            // Under TLS such a body ends with the server's close_notify; a
            // TCP close without one may have cut it (a server that died, a
            // forged FIN). curl with OpenSSL 3, as dnf downloads, fails it
            // ("unexpected eof while reading"), and librepo retries it.
            None if self.read_failure.ended_without_close_notify() => failed(
                format!(
                    "the server closed the connection without a TLS close_notify \
                     after {len} bytes"
                ),
                true,
            ),
            _ => Outcome::Done,
        }
    }

    /// How a connection that ended early ended, in words: ureq reads a
    /// reset as an end of stream, the watcher saw which (`conn_watch.rs`).
    fn cut_short(&self) -> &'static str {
        if self.read_failure.was_reset() {
            "connection reset by peer"
        } else {
            "the server closed the connection"
        }
    }
}

/// `N of T bytes`, or `N bytes` when the size is not known.
fn of(n: u64, total: Option<u64>) -> String {
    match total {
        Some(t) => format!("{n} of {t} bytes"),
        None => format!("{n} bytes"),
    }
}

/// What an answer's line begins with after `hops` redirects: where they
/// led (curl names the effective URL).
fn via_of(hops: usize, url: &str) -> String {
    if hops > 0 {
        format!("redirected to {url}: ")
    } else {
        String::new()
    }
}

/// Whether a TLS failure, as rustls says it, is the peer's alert about
/// the client's certificate (none, or one it does not take): only a
/// server sends these, and only of the client's certificate.
fn refuses_client_certificate(cause: &str) -> bool {
    const ABOUT_THE_CLIENTS: [&str; 7] = [
        "CertificateRequired",
        "BadCertificate",
        "UnsupportedCertificate",
        "CertificateRevoked",
        "CertificateExpired",
        "CertificateUnknown",
        "UnknownCA",
    ];
    cause
        .strip_prefix("received fatal alert: ")
        .is_some_and(|alert| ABOUT_THE_CLIENTS.contains(&alert.trim()))
}

/// A failure librepo retries at once, as a 4xx (a status that is not 2xx,
/// a redirect curl would not follow): [`BAD_STATUS_TRIES`] at most, no
/// backoff; `status` when the answer's status is what failed it.
fn at_once(cause: String, status: Option<u16>) -> Outcome {
    Outcome::Failed {
        cause,
        retry: true,
        wait: Some(Duration::ZERO),
        most: Some(BAD_STATUS_TRIES),
        status,
    }
}

/// Whether `url` is http or https (any case, as schemes are).
fn is_http(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

/// A failed request as an outcome: retried when [`retryable`]; when the
/// same answer comes back whatever the wait ([`same_answer`]) at once (no
/// backoff) and, as any failure librepo retries at once,
/// [`BAD_STATUS_TRIES`] times at most (`RPM_BUILDROOT_HTTP_RETRIES=100`
/// is not a hundred lookups or handshakes in a burst).
fn failed_on(cause: String, e: &ureq::Error) -> Outcome {
    let now = same_answer(e);
    Outcome::Failed {
        cause,
        retry: retryable(e),
        wait: now.then_some(Duration::ZERO),
        most: now.then_some(BAD_STATUS_TRIES),
        status: None,
    }
}

/// `o`, a failure caused by an answer of this `status`, marked with it.
fn answered(o: Outcome, status: u16) -> Outcome {
    match o {
        Outcome::Failed {
            cause,
            retry,
            wait,
            most,
            ..
        } => Outcome::Failed {
            cause,
            retry,
            wait,
            most,
            status: Some(status),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unknown host name is asked for again at once, and 4 times at
    /// most, as a 4xx: with 100 retries it was 101 lookups in a burst.
    #[test]
    fn an_unknown_host_name_gets_four_tries_at_once() {
        let Outcome::Failed {
            retry, wait, most, ..
        } = failed_on("x".into(), &ureq::Error::HostNotFound)
        else {
            panic!("not a failure");
        };
        assert!(retry);
        assert_eq!(wait, Some(Duration::ZERO));
        assert_eq!(most, Some(BAD_STATUS_TRIES));
    }

    #[test]
    fn a_name_the_resolver_does_not_know_is_retried_without_waiting() {
        let lookup = |detail: &str| {
            ureq::Error::Io(std::io::Error::other(format!(
                "failed to lookup address information: {detail}"
            )))
        };
        let wait = |e: &ureq::Error| match failed_on(describe(e), e) {
            Outcome::Failed { retry, wait, .. } => (retry, wait),
            Outcome::Done | Outcome::Unwritable(_) | Outcome::Cancelled => unreachable!(),
        };
        let now = (true, Some(Duration::ZERO));
        assert_eq!(wait(&lookup("Name or service not known")), now);
        assert_eq!(wait(&lookup("No address associated with hostname")), now);
        assert_eq!(wait(&ureq::Error::HostNotFound), now);
        // The resolver did not answer: it may, after the backoff.
        assert_eq!(
            wait(&lookup("Temporary failure in name resolution")),
            (true, None)
        );
        assert_eq!(wait(&ureq::Error::ConnectionFailed), (true, None));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(wait(&ureq::Error::Io(refused)), (true, None));
    }
}
