//! dnf's TLS options of `.repo` files against a real TLS server: a rustls
//! front (the rustls ureq already builds) with the test CA's certificate
//! (tests/tls/) before the local HTTP server (tests/http_support).
//! Without them, a certificate of an unknown CA fails in one line, after
//! the run's attempts made at once (librepo retries curl's certificate
//! errors as any other);
//! `sslverify=0` takes it; `sslcacert` trusts the CA; a server that demands
//! a client certificate gets `sslclientcert`/`sslclientkey`. A certificate
//! file that is missing or holds none is an error on its `.repo` line.

mod http_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use buildroot_core::rpmmd::{load_repo, parse_repofile_str, LoadOptions, Vars};
use http_support::{ConnectProxy, Fault, Server};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

fn tls_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// An HTTPS front on 127.0.0.1 for a plain [`Server`]: each connection's
/// request is passed on and the answer sent back (the server closes every
/// connection after one answer).
struct TlsFront {
    base: String,
    handshakes: Arc<AtomicUsize>,
    /// TCP connections accepted, handshakes that failed included.
    connections: Arc<AtomicUsize>,
}

impl TlsFront {
    /// With `client_ca`, only clients with a certificate that CA signed.
    fn start(backend: &Server, client_ca: bool) -> TlsFront {
        Self::start_with(backend, client_ca, true)
    }

    /// A front that ends every connection with a TCP close and no TLS
    /// close_notify (a server process that died, or a forged FIN): a
    /// body with a length is whole all the same, one without cannot be
    /// told from a cut one.
    fn start_without_close_notify(backend: &Server) -> TlsFront {
        Self::start_with(backend, false, false)
    }

    fn start_with(backend: &Server, client_ca: bool, close_notify: bool) -> TlsFront {
        Self::start_before(&backend.base, client_ca, close_notify)
    }

    /// A front for whatever listens at `backend` (`http://HOST:PORT`): a
    /// proxy taking one plain request per connection, say.
    fn start_before(backend: &str, client_ca: bool, close_notify: bool) -> TlsFront {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(tls_file("server.pem"))
                .unwrap()
                .map(|c| c.unwrap())
                .collect();
        let key = PrivateKeyDer::from_pem_file(tls_file("server.key")).unwrap();
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if client_ca {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_file(tls_file("ca.pem")).unwrap())
                .unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = Arc::new(builder.with_single_cert(certs, key).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let backend = backend.trim_start_matches("http://").to_string();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let (count, accepted) = (handshakes.clone(), connections.clone());
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                accepted.fetch_add(1, Ordering::SeqCst);
                let (config, backend, count) = (config.clone(), backend.clone(), count.clone());
                std::thread::spawn(move || pass_on(tcp, config, &backend, &count, close_notify));
            }
        });
        TlsFront {
            base,
            handshakes,
            connections,
        }
    }
}

fn pass_on(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    backend: &str,
    n: &AtomicUsize,
    close_notify: bool,
) {
    let conn = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // The request head (a GET has no body); reading it completes the handshake.
    let mut head = Vec::new();
    {
        let mut r = BufReader::new(&mut tls);
        loop {
            let mut line = Vec::new();
            if r.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                return;
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" {
                break;
            }
        }
    }
    n.fetch_add(1, Ordering::SeqCst);
    let mut plain = TcpStream::connect(backend).unwrap();
    plain.write_all(&head).unwrap();
    let mut answer = Vec::new();
    let cut = plain.read_to_end(&mut answer).is_err();
    let _ = tls.write_all(&answer);
    if cut {
        // The backend reset: so does the front, under its TLS (no
        // close_notify), as a server that drops the connection does.
        let _ = tls.flush();
        std::thread::sleep(std::time::Duration::from_millis(50));
        http_support::reset(&tls.sock);
        return;
    }
    if close_notify {
        tls.conn.send_close_notify();
    }
    let _ = tls.flush();
    let _ = tls.sock.shutdown(std::net::Shutdown::Write);
}

/// Short waits, one retry, and a run timeout (10 s) a failure "at once"
/// is easily told from on a loaded machine.
fn fast() {
    http_support::http_settings("0.01", "10", "1");
}

/// Loads the repo of `[r]\nbaseurl=BASE/source\n` + `options`.
fn load(base: &str, options: &str, cache: &Path) -> Result<usize, String> {
    let text = format!("[r]\nbaseurl={base}/source\n{options}");
    let spec = &parse_repofile_str(&text, "t.repo", &Vars::new("x86_64", ""))
        .map_err(|e| e.to_string())?[0];
    load_repo(spec, &LoadOptions::cached_in(cache))
        .map(|r| r.packages.len())
        .map_err(|e| e.to_string())
}

#[test]
fn server_certificates_verified_trusted_or_not_checked() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, false);
    let t = tempfile::tempdir().unwrap();
    // The built-in roots do not know the test CA: one line, after the
    // run's 2 attempts made at once (a certificate error is no fatal one
    // to librepo).
    let start = std::time::Instant::now();
    let e = load(&front.base, "", t.path()).unwrap_err();
    // Not after the run's 10 s timeout: milliseconds, bounded loosely (a
    // debug build on a loaded machine). That the retry waits no backoff
    // (10 ms here) is `rpmmd/http/mod.rs`'s unit test's to show, with a 2 s one.
    assert!(start.elapsed() < std::time::Duration::from_secs(5), "{e}");
    assert!(e.ends_with(" (gave up after 2 attempts)"), "{e}");
    assert_eq!(front.connections.load(Ordering::SeqCst), 2);
    assert!(
        e.starts_with(&format!(
            "{}/source/repodata/repomd.xml: connection failed: ",
            front.base
        )),
        "{e}"
    );
    assert!(e.contains("UnknownIssuer"), "{e}");
    assert_eq!(e.lines().count(), 1);
    assert!(server.requests().is_empty());
    // Also refused when verifying explicitly.
    assert!(load(&front.base, "sslverify=1\n", t.path()).is_err());
    let n = load(&front.base, "sslverify=0\n", t.path()).unwrap();
    assert!(n > 10);
    let ca = tls_file("ca.pem");
    let with_ca = format!("sslcacert={}\n", ca.display());
    assert_eq!(load(&front.base, &with_ca, t.path()).unwrap(), n);
    // Trusting a CA replaces the built-in roots: another CA's file is no use.
    let other = t.path().join("other-ca.pem");
    std::fs::copy(tls_file("client.pem"), &other).unwrap();
    let e = load(
        &front.base,
        &format!("sslcacert={}\n", other.display()),
        t.path(),
    )
    .unwrap_err();
    assert!(e.contains("connection failed"), "{e}");
    assert!(front.handshakes.load(Ordering::SeqCst) > 0);
}

#[test]
fn client_certificates() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, true);
    let t = tempfile::tempdir().unwrap();
    let ca = format!("sslcacert={}\n", tls_file("ca.pem").display());
    let e = load(&front.base, &ca, t.path()).unwrap_err();
    assert!(e.starts_with(&format!("{}/source/", front.base)), "{e}");
    assert_eq!(e.lines().count(), 1);
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let separate = format!(
        "{ca}sslclientcert={}\nsslclientkey={}\n",
        tls_file("client.pem").display(),
        tls_file("client.key").display()
    );
    let n = load(&front.base, &separate, t.path()).unwrap();
    assert!(n > 10);
    // The key in the certificate's file, as curl takes it.
    let both = t.path().join("client-and-key.pem");
    let mut pem = std::fs::read(tls_file("client.pem")).unwrap();
    pem.extend(std::fs::read(tls_file("client.key")).unwrap());
    std::fs::write(&both, pem).unwrap();
    let one_file = format!("{ca}sslclientcert={}\n", both.display());
    assert_eq!(load(&front.base, &one_file, t.path()).unwrap(), n);
}

#[test]
fn an_unusable_certificate_file_is_an_error_on_its_line() {
    let t = tempfile::tempdir().unwrap();
    let missing = t.path().join("missing.pem");
    let e = load(
        "https://unused.invalid",
        &format!("sslcacert={}\n", missing.display()),
        t.path(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        format!(
            "t.repo:3: [r]: sslcacert={}: cannot read: No such file or directory",
            missing.display()
        )
    );
    let key_only = format!(
        "sslverify=0\nsslclientcert={}\n",
        tls_file("client.key").display()
    );
    let e = load("https://unused.invalid", &key_only, t.path()).unwrap_err();
    assert_eq!(
        e,
        format!(
            "t.repo:4: [r]: sslclientcert={}: no certificate in it",
            tls_file("client.key").display()
        )
    );
    let no_key = format!("sslclientcert={}\n", tls_file("client.pem").display());
    let e = load("https://unused.invalid", &no_key, t.path()).unwrap_err();
    assert!(
        e.ends_with("client.pem: no private key in it, and no sslclientkey"),
        "{e}"
    );
    let bad_key = format!(
        "sslclientcert={}\nsslclientkey={}\n",
        tls_file("client.pem").display(),
        tls_file("ca.pem").display()
    );
    let e = load("https://unused.invalid", &bad_key, t.path()).unwrap_err();
    assert!(e.starts_with("t.repo:4: [r]: sslclientkey="), "{e}");
    assert!(e.ends_with("ca.pem: no private key in it"), "{e}");
    // A disabled repo's files are not read (dnf neither).
    let off = format!("enabled=0\nsslcacert={}\n", missing.display());
    let text = format!("[r]\nbaseurl=/x\n{off}");
    parse_repofile_str(&text, "t.repo", &Vars::new("x86_64", "")).unwrap();
}

/// A connection reset under TLS (no close_notify, a TCP reset) is named as
/// one, as over plain HTTP (`conn_watch.rs` watches the TLS transport),
/// and retried.
#[test]
fn a_reset_under_tls_is_named_and_retried() {
    fast();
    let server = Server::start(ROOT.into());
    server.fault("-primary.xml.gz", Fault::ResetMidBody, None);
    let front = TlsFront::start(&server, false);
    let t = tempfile::tempdir().unwrap();
    let e = load(&front.base, "sslverify=0\n", t.path()).unwrap_err();
    assert!(
        e.contains("-primary.xml.gz: connection reset by peer after "),
        "{e}"
    );
    assert!(e.ends_with("(gave up after 2 attempts)"), "{e}");
    assert_eq!(server.requests_for("-primary.xml.gz").len(), 2);
}

/// A body without `Content-Length` ends with the connection; under TLS the
/// server's close_notify says it ended there. A TCP close without one may
/// have cut it (rustls says so, ureq takes it as the end): curl with
/// OpenSSL 3, as dnf downloads, fails such a transfer ("unexpected eof
/// while reading", error 56), which librepo retries. So a cut repomd.xml
/// (which no checksum guards) is fetched again, not parsed half.
#[test]
fn a_body_without_length_ended_without_close_notify_is_retried() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start_without_close_notify(&server);
    let t = tempfile::tempdir().unwrap();
    // Bodies with a length are whole without a close_notify.
    let n = load(&front.base, "sslverify=0\n", t.path()).unwrap();
    assert!(n > 0);
    server.clear_log();
    server.fault("/repomd.xml", Fault::CutUnsized, Some(1));
    let t = tempfile::tempdir().unwrap();
    assert_eq!(load(&front.base, "sslverify=0\n", t.path()), Ok(n));
    assert_eq!(server.requests_for("/repomd.xml").len(), 2);
    // Cut every time: said so, after the retries.
    server.fault("/repomd.xml", Fault::CutUnsized, None);
    let t = tempfile::tempdir().unwrap();
    let e = load(&front.base, "sslverify=0\n", t.path()).unwrap_err();
    assert!(
        e.contains(
            "/repomd.xml: the server closed the connection without a TLS close_notify after "
        ),
        "{e}"
    );
    assert!(e.ends_with(" bytes (gave up after 2 attempts)"), "{e}");
}

/// The 1xx answers before the answer are read past under TLS, and through
/// a proxy's `CONNECT` tunnel, with or without TLS inside it, as over plain
/// HTTP (`conn_watch.rs` watches the transport ureq reads the answer
/// from, after TLS): a 100 with headers before a 404 is that 404; a 100
/// and then a close is curl's "Empty reply from server", said so and
/// retried at once.
#[test]
fn a_1xx_under_tls_and_through_a_proxy_is_read_past() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, false);
    let proxy = ConnectProxy::start(None);
    let via_proxy = format!("sslverify=0\nproxy={}\n", proxy.url);
    let ways = [
        (front.base.as_str(), "sslverify=0\n"),
        (front.base.as_str(), via_proxy.as_str()),
        (server.base.as_str(), via_proxy.as_str()),
    ];
    for (base, options) in ways {
        let t = tempfile::tempdir().unwrap();
        server.clear_faults();
        server.fault(
            "/repomd.xml",
            Fault::Raw(
                "HTTP/1.1 100 Continue\r\nX-Note: a\r\n\r\nHTTP/1.1 404 Not Found\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
                    .into(),
            ),
            None,
        );
        let e = load(base, options, t.path()).unwrap_err();
        assert!(
            e.ends_with("/repomd.xml: HTTP 404 (gave up after 2 attempts)"),
            "{base} {options:?}: {e}"
        );
        server.clear_faults();
        server.fault(
            "/repomd.xml",
            Fault::Raw("HTTP/1.1 100 Continue\r\n\r\n".into()),
            None,
        );
        let e = load(base, options, t.path()).unwrap_err();
        assert!(
            e.ends_with(
                "/repomd.xml: the server closed the connection after an informational \
                 answer (HTTP 100), before the answer (gave up after 2 attempts)"
            ),
            "{base} {options:?}: {e}"
        );
    }
    assert!(!proxy.tunnels().is_empty());
}

/// `HOST:PORT` of a base URL.
fn authority_of(base: &str) -> &str {
    base.split_once("://").map_or(base, |(_, rest)| rest)
}

/// Through an HTTP proxy, a redirect from an `http://` URL to an
/// `https://` one is tunnelled (`CONNECT`), and one from `https://` to
/// `http://` goes plain (the whole URL to the proxy), as curl chooses per
/// request by the URL's scheme.
#[test]
fn redirects_through_a_proxy_tunnel_to_https_and_go_plain_to_http() {
    fast();
    let origin = Server::start(ROOT.into());
    let front = TlsFront::start(&origin, false);
    // Plain to TLS: every path of `hop` redirects to the same on `front`.
    let hop = Server::start(ROOT.into());
    hop.fault("", Fault::Redirect(front.base.clone()), None);
    let proxy = ConnectProxy::start(None);
    let options = format!("sslverify=0\nproxy={}\n", proxy.url);
    let t = tempfile::tempdir().unwrap();
    load(&hop.base, &options, t.path()).unwrap();
    let asked = proxy.tunnels();
    let repomd = "/source/repodata/repomd.xml";
    let first: Vec<_> = asked
        .iter()
        .take(2)
        .map(|r| (&r.method, &r.target))
        .collect();
    assert_eq!(
        first,
        [
            (&"GET".to_string(), &authority_of(&hop.base).to_string()),
            (
                &"CONNECT".to_string(),
                &authority_of(&front.base).to_string()
            ),
        ],
        "{asked:?}"
    );
    assert_eq!(asked[0].url, Some(format!("{}{repomd}", hop.base)));
    assert!(asked
        .iter()
        .all(|r| (r.method == "GET") == (r.target == authority_of(&hop.base))));
    // TLS to plain: `front2` passes every request to `back`, which
    // redirects it to the same path on `origin`.
    let back = Server::start(ROOT.into());
    back.fault("", Fault::Redirect(origin.base.clone()), None);
    let front2 = TlsFront::start(&back, false);
    let t = tempfile::tempdir().unwrap();
    let before = proxy.tunnels().len();
    load(&front2.base, &options, t.path()).unwrap();
    let asked = &proxy.tunnels()[before..];
    assert_eq!(asked[0].method, "CONNECT", "{asked:?}");
    assert_eq!(asked[0].target, authority_of(&front2.base));
    assert_eq!(asked[1].method, "GET", "{asked:?}");
    assert_eq!(asked[1].url, Some(format!("{}{repomd}", origin.base)));
}

/// An `https://` proxy takes a plain request over TLS to itself, in
/// absolute form as through an `http://` one (curl's `CURLPROXY_HTTPS`):
/// before, it was asked for a tunnel, which a squid refuses but to 443.
#[test]
fn an_https_proxy_takes_plain_requests_over_tls() {
    fast();
    let server = Server::start(ROOT.into());
    let squid = ConnectProxy::squid(None);
    let tls_proxy = TlsFront::start_before(&squid.url, false, true);
    let options = format!("sslverify=0\nproxy={}\n", tls_proxy.base);
    let t = tempfile::tempdir().unwrap();
    assert!(load(&server.base, &options, t.path()).unwrap() > 0);
    let asked = squid.tunnels();
    assert!(!asked.is_empty());
    assert!(asked.iter().all(|r| r.method == "GET"), "{asked:?}");
    assert_eq!(asked.len(), server.requests().len());
    assert_eq!(tls_proxy.handshakes.load(Ordering::SeqCst), asked.len());
}

/// An `https://` proxy whose certificate the repo's CA settings do not
/// trust, for an `http://` repo: one line naming the URL and the proxy
/// (with `proxy_sslcacert` passed over, the repo's `sslcacert` is what
/// trusts it), retried at once as any TLS failure. It was `URL: connection
/// failed: invalid peer certificate: UnknownIssuer`, for an `http://` URL.
#[test]
fn an_https_proxy_with_an_unknown_ca_is_said() {
    fast();
    let server = Server::start(ROOT.into());
    let squid = ConnectProxy::squid(None);
    let tls_proxy = TlsFront::start_before(&squid.url, false, true);
    let t = tempfile::tempdir().unwrap();
    let ca = tls_file("ca.pem");
    let options = format!(
        "proxy={}\nproxy_sslcacert={}\n",
        tls_proxy.base,
        ca.display()
    );
    let e = load(&server.base, &options, t.path()).unwrap_err();
    assert_eq!(
        e,
        format!(
            "{}/source/repodata/repomd.xml: TLS to the proxy {} failed (invalid peer \
             certificate: UnknownIssuer): the repo's sslcacert/sslverify check it, proxy_ssl* \
             options are not read (gave up after 2 attempts)",
            server.base,
            authority_of(&tls_proxy.base)
        )
    );
    assert!(server.requests().is_empty());
    let with_ca = format!("proxy={}\nsslcacert={}\n", tls_proxy.base, ca.display());
    assert!(load(&server.base, &with_ca, t.path()).unwrap() > 0);
    assert!(!server.requests().is_empty());
}
