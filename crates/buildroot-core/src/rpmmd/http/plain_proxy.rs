//! A plain-HTTP URL through an HTTP(S) proxy, sent as curl sends it: one
//! request in absolute form to the proxy (`GET http://host:port/path
//! HTTP/1.1`), not a `CONNECT` tunnel. librepo never sets curl's
//! `CURLOPT_HTTPPROXYTUNNEL`, so curl tunnels only what needs TLS to the
//! origin (`https://`); an `http://` repo goes to the proxy as a request of
//! its own (curl's `Curl_http_target` writes the whole URL, without its
//! user, password, fragment and default port). ureq 3 tunnels every
//! proxied request, and squid in its default configuration refuses
//! `CONNECT` to any port but 443, so an `http://` repo behind it failed
//! where dnf worked.
//!
//! ureq writes the request line in origin form whatever the proxy, so the
//! connector here ([`PlainProxy`]) opens the connection to the proxy (TCP,
//! or TLS for an `https://` proxy with its `proxy_ssl*` options,
//! `proxy_tls.rs`, through the agent's own connector chain,
//! as ureq's `ConnectProxyConnector` opens its tunnel's) and wraps it in a
//! transport ([`AbsoluteForm`]) that rewrites the request line's target to
//! the absolute URL as it goes out (every request's, should a connection
//! the proxy keeps alive carry more than one) and adds the headers curl
//! adds to such a request: `Proxy-Authorization: Basic ...` when the proxy has
//! credentials, and `Proxy-Connection: Keep-Alive` (curl 7.88 and 8.x both
//! send it on every request to a proxy that is not a tunnel). Everything
//! after the request line, and everything the proxy answers, passes
//! through untouched: the answer is the proxy's (its own 407 or 502, or
//! the origin's relayed), read as any answer.
//!
//! An `https://` URL, a SOCKS proxy, no proxy, and a host `NO_PROXY`
//! names are left to ureq's connectors as before.

use ureq::config::Config;
use ureq::http::uri::Scheme;
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, Either, NextTimeout,
    RustlsConnector, SocksConnector, TcpConnector, Transport,
};
use ureq::ProxyProtocol;

use base64::Engine as _;

use super::proxy_tls::{another_connection, ProxyTls};

/// The connector chain of an agent whose proxy is an HTTP(S) one: ureq's
/// default chain (SOCKS, `CONNECT`, TCP, rustls) with [`PlainProxy`] before
/// the `CONNECT` step, so that an `http://` target goes in absolute form,
/// and `to_proxy`, the handshake with an `https://` proxy with its own
/// options (`proxy_tls.rs`), before ureq's TLS step. `direct` is the
/// agent's configuration without its proxy, for the connection to the
/// proxy itself.
pub(super) fn connector(
    direct: Config,
    to_proxy: ProxyTls,
) -> impl Connector<Out = impl Transport> {
    ().chain(SocksConnector::default())
        .chain(PlainProxy { direct })
        .chain(ConnectProxyConnector::default())
        .chain(TcpConnector::default())
        .chain(to_proxy)
        .chain(RustlsConnector::default())
}

/// Whether a request of `url` through `proxy` goes in absolute form: an
/// `http://` URL through an HTTP or HTTPS proxy that `NO_PROXY` does not
/// pass over.
pub(super) fn is_plain(proxy: &ureq::Proxy, url: &str) -> bool {
    url.parse::<ureq::http::Uri>()
        .is_ok_and(|uri| goes_plain(proxy, &uri))
}

/// The one rule of both [`is_plain`] (which agent and which words) and
/// [`PlainProxy::connect`] (which connection): an `http://` target, an
/// HTTP or HTTPS proxy, and a host `NO_PROXY` does not name. Said once, so
/// the request's reading of an answer (a 407 is the proxy's own) can never
/// disagree with how the connection was made.
fn goes_plain(proxy: &ureq::Proxy, target: &ureq::http::Uri) -> bool {
    matches!(proxy.protocol(), ProxyProtocol::Http | ProxyProtocol::Https)
        && target.scheme() == Some(&Scheme::HTTP)
        && !proxy.is_no_proxy(target)
}

/// Opens the connection to the proxy for a plain request (see the module
/// docs); passes anything else on.
#[derive(Debug)]
pub(super) struct PlainProxy {
    direct: Config,
}

impl<In: Transport> Connector<In> for PlainProxy {
    type Out = Either<In, AbsoluteForm>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if let Some(t) = chained {
            return Ok(Some(Either::A(t)));
        }
        let Some(proxy) = details.config.proxy() else {
            return Ok(None);
        };
        let target = details.uri;
        if !goes_plain(proxy, target) {
            return Ok(None);
        }
        let Some(host) = target.host() else {
            return Ok(None);
        };
        // As curl's URL without its default port (`CURLU_NO_DEFAULT_PORT`).
        let origin = match target.port_u16() {
            Some(p) if p != 80 => format!("http://{host}:{p}"),
            _ => format!("http://{host}"),
        };
        let addrs = details
            .resolver
            .resolve(proxy.uri(), details.config, details.timeout)?;
        let to_proxy = another_connection(
            details,
            proxy.uri(),
            addrs,
            &self.direct,
            details.request_level,
        );
        let inner = (details.run_connector)(&to_proxy)?;
        let mut extra = String::new();
        if proxy.username().is_some() || proxy.password().is_some() {
            let pair = format!(
                "{}:{}",
                proxy.username().unwrap_or_default(),
                proxy.password().unwrap_or_default()
            );
            let b64 = base64::engine::general_purpose::STANDARD.encode(pair);
            extra.push_str(&format!("Proxy-Authorization: Basic {b64}\r\n"));
        }
        extra.push_str("Proxy-Connection: Keep-Alive\r\n");
        Ok(Some(Either::B(AbsoluteForm {
            inner,
            origin,
            extra,
            head: Some(Vec::new()),
        })))
    }
}

/// The connection to the proxy, its request line rewritten to absolute
/// form as it is sent (see the module docs).
#[derive(Debug)]
pub(super) struct AbsoluteForm {
    inner: Box<dyn Transport>,
    /// `http://host[:port]`, put before the origin-form target.
    origin: String,
    /// The header lines added after the request line.
    extra: String,
    /// The bytes held until a request line is whole; `None` once it has
    /// been sent (everything after passes straight through) until an
    /// answer is read: the next output is then the next request.
    head: Option<Vec<u8>>,
}

impl AbsoluteForm {
    /// Sends `bytes` through the inner transport's output buffer, in as
    /// many pieces as it takes.
    fn send(&mut self, mut bytes: &[u8], timeout: NextTimeout) -> Result<(), ureq::Error> {
        while !bytes.is_empty() {
            let out = self.inner.buffers().output();
            let n = out.len().min(bytes.len());
            out[..n].copy_from_slice(&bytes[..n]);
            self.inner.transmit_output(n, timeout)?;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

/// `line` (`METHOD SP TARGET SP VERSION CRLF`) with an origin-form target
/// (`/path?query`) put after `origin`; any other line as it is.
fn absolute_line(line: &[u8], origin: &str) -> Vec<u8> {
    let Some(sp) = line.iter().position(|&b| b == b' ') else {
        return line.to_vec();
    };
    if line.get(sp + 1) != Some(&b'/') {
        return line.to_vec();
    }
    let mut out = Vec::with_capacity(line.len() + origin.len());
    out.extend_from_slice(&line[..=sp]);
    out.extend_from_slice(origin.as_bytes());
    out.extend_from_slice(&line[sp + 1..]);
    out
}

impl Transport for AbsoluteForm {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let Some(mut head) = self.head.take() else {
            return self.inner.transmit_output(amount, timeout);
        };
        head.extend_from_slice(&self.inner.buffers().output()[..amount]);
        let Some(eol) = head.iter().position(|&b| b == b'\n') else {
            // The line is not whole yet (ureq writes it at once, in fact).
            self.head = Some(head);
            return Ok(());
        };
        let mut out = absolute_line(&head[..=eol], &self.origin);
        out.extend_from_slice(self.extra.as_bytes());
        out.extend_from_slice(&head[eol + 1..]);
        self.send(&out, timeout)
    }

    // ureq's pool keeps a connection the proxy keeps alive (its key is
    // scheme, authority and proxy), and ureq does not pipeline: it writes
    // a request whole, reads its answer, and only then may write the next
    // request on the same connection. So whatever is written after input
    // was awaited begins a new request, whose line is rewritten too.
    // (A request body sent after a `100 Continue` would be taken for one;
    // ours are GETs, without a body.)
    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if self.head.is_none() {
            self.head = Some(Vec::new());
        }
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    // The TLS of an `https://` proxy is to the proxy, not to the origin.
    fn is_tls(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_line_takes_the_whole_url() {
        let line = b"GET /pub/repodata/repomd.xml?x=1 HTTP/1.1\r\n";
        assert_eq!(
            absolute_line(line, "http://mirror.example:8080"),
            b"GET http://mirror.example:8080/pub/repodata/repomd.xml?x=1 HTTP/1.1\r\n"
        );
        // A target already absolute, or none, is left as it is.
        for other in [&b"GET http://h/x HTTP/1.1\r\n"[..], b"GARBAGE\r\n"] {
            assert_eq!(absolute_line(other, "http://h"), other);
        }
    }

    /// One request head from `r`, its lines without their line ends (up
    /// to the blank line, or the end of the stream).
    fn read_head(r: &mut impl std::io::BufRead) -> Vec<String> {
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                return head;
            }
            head.push(line.trim_end().to_string());
        }
    }

    /// Asserts that `head` starts with the request line `first` and has
    /// each of `lines` ([`has`]).
    fn assert_sent(head: &[String], first: &str, lines: &[&str]) {
        assert_eq!(head.first().map(String::as_str), Some(first), "{head:?}");
        for line in lines {
            assert!(has(head, line), "{line}: {head:?}");
        }
    }

    /// The request head a listener taking the proxy's place got for a
    /// download of `url` through `proxy` (`PORT` in it: the listener's),
    /// its lines without their line ends.
    fn head_sent(proxy: &str, url: &str) -> Vec<String> {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = std::thread::spawn(move || {
            let (c, _) = listener.accept().unwrap();
            let head = read_head(&mut std::io::BufReader::new(&c));
            let _ = (&c).write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            head
        });
        let mut s = crate::rpmmd::HttpSettings {
            retries: 0,
            ..Default::default()
        };
        let proxy = proxy.replace("PORT", &port.to_string());
        s.access.set("proxy", &proxy).unwrap().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let e = crate::rpmmd::download_verified(url, &dir.path().join("x"), None, &s);
        assert!(e.unwrap_err().to_string().contains("HTTP 404"));
        got.join().unwrap()
    }

    /// Whether `head` has `line`, its header name in any case (ureq writes
    /// its own in lower case).
    fn has(head: &[String], line: &str) -> bool {
        head.iter().any(|h| h.eq_ignore_ascii_case(line))
    }

    /// What goes to the proxy, as curl 7.88 sent it to a listener
    /// (`curl -x http://pu:pw@HOST:PORT -r 100- 'http://mirror.example:80/pub/x?y=1'`):
    /// the URL without its default port, then, among the other headers,
    /// `Host` naming the server, `Proxy-Authorization` and
    /// `Proxy-Connection`. It was a `CONNECT`.
    #[test]
    fn the_request_to_the_proxy_is_what_curl_sends() {
        let head = head_sent(
            "http://pu:pw@127.0.0.1:PORT",
            "http://mirror.example:80/pub/x?y=1",
        );
        assert_sent(
            &head,
            "GET http://mirror.example/pub/x?y=1 HTTP/1.1",
            &[
                "Host: mirror.example",
                "Proxy-Authorization: Basic cHU6cHc=",
                "Proxy-Connection: Keep-Alive",
            ],
        );
    }

    /// Credentials percent-escaped in the proxy URL go decoded (`us@er`,
    /// `p:w%`), a path in the proxy URL is no part of anything, and an
    /// IPv6 server keeps its brackets in the URL and in `Host`, as curl
    /// 7.88 sent them (`curl -x 'http://us%40er:p%3Aw%25@HOST:PORT/some/path'
    /// 'http://[::1]:8080/a/b?c'`).
    #[test]
    fn escaped_credentials_and_an_ipv6_server_go_as_curls() {
        let head = head_sent(
            "http://us%40er:p%3Aw%25@127.0.0.1:PORT/some/path",
            "http://[::1]:8080/a/b?c",
        );
        assert_sent(
            &head,
            "GET http://[::1]:8080/a/b?c HTTP/1.1",
            &[
                "Host: [::1]:8080",
                "Proxy-Authorization: Basic dXNAZXI6cDp3JQ==",
            ],
        );
    }

    /// One agent asking twice through a proxy that keeps the connection
    /// alive (squid does): ureq's pool hands the second request the same
    /// connection, and it too goes in absolute form with the proxy's
    /// headers. Only the first did before (the second went
    /// `GET /b HTTP/1.1`, which a forward proxy refuses).
    #[test]
    fn every_request_on_a_kept_connection_goes_in_absolute_form() {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = std::thread::spawn(move || {
            // Two requests on one connection, each answered keep-alive.
            let (c, _) = listener.accept().unwrap();
            let mut r = std::io::BufReader::new(&c);
            let mut heads = Vec::new();
            for _ in 0..2 {
                let head = read_head(&mut r);
                let _ = (&c).write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok",
                );
                heads.push(head);
            }
            heads
        });
        let proxy = ureq::Proxy::new(&format!("http://pu:pw@127.0.0.1:{port}")).unwrap();
        let direct = Config::default();
        let to_proxy = ProxyTls::new(Some(&proxy), Config::default());
        let config = ureq::Agent::config_builder().proxy(Some(proxy)).build();
        let resolver = ureq::unversioned::resolver::DefaultResolver::default();
        let agent = ureq::Agent::with_parts(config, connector(direct, to_proxy), resolver);
        for path in ["a", "b"] {
            let url = format!("http://mirror.example/{path}");
            let body = agent.get(&url).call().unwrap().body_mut().read_to_string();
            assert_eq!(body.unwrap(), "ok");
        }
        let heads = got.join().unwrap();
        for (head, path) in heads.iter().zip(["a", "b"]) {
            assert_sent(
                head,
                &format!("GET http://mirror.example/{path} HTTP/1.1"),
                &[
                    "Proxy-Authorization: Basic cHU6cHc=",
                    "Proxy-Connection: Keep-Alive",
                ],
            );
        }
    }

    #[test]
    fn only_http_urls_through_http_proxies_go_plain() {
        let http = ureq::Proxy::new("http://p:3128").unwrap();
        let https = ureq::Proxy::new("https://p:3129").unwrap();
        let socks = ureq::Proxy::new("socks5h://p:1080").unwrap();
        assert!(is_plain(&http, "http://m.example/x"));
        assert!(is_plain(&https, "http://m.example/x"));
        assert!(!is_plain(&http, "https://m.example/x"));
        assert!(!is_plain(&socks, "http://m.example/x"));
        let except = ureq::Proxy::builder(ProxyProtocol::Http)
            .host("p")
            .no_proxy("m.example")
            .build()
            .unwrap();
        assert!(!is_plain(&except, "http://m.example/x"));
        assert!(is_plain(&except, "http://other.example/x"));
    }
}
