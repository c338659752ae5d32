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
mod tls_support;

use std::path::Path;
use std::sync::atomic::Ordering;

use buildroot_core::rpmmd::{load_repo, parse_repofile_str, LoadOptions, Vars};
use http_support::{ConnectProxy, Fault, Server};
use tls_support::{tls_file, TlsFront};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

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
    // The proxy's files too, on their own lines, with their own keys.
    let proxy_files = format!("proxy_sslverify=0\nproxy_sslcacert={}\n", missing.display());
    let e = load("https://unused.invalid", &proxy_files, t.path()).unwrap_err();
    assert_eq!(
        e,
        format!(
            "t.repo:4: [r]: proxy_sslcacert={}: cannot read: No such file or directory",
            missing.display()
        )
    );
    let no_key = format!("proxy_sslclientcert={}\n", tls_file("client.pem").display());
    let e = load("https://unused.invalid", &no_key, t.path()).unwrap_err();
    assert!(e.starts_with("t.repo:3: [r]: proxy_sslclientcert="), "{e}");
    assert!(
        e.ends_with("client.pem: no private key in it, and no proxy_sslclientkey"),
        "{e}"
    );
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
    let options = format!("proxy_sslverify=0\nproxy={}\n", tls_proxy.base);
    let t = tempfile::tempdir().unwrap();
    assert!(load(&server.base, &options, t.path()).unwrap() > 0);
    let asked = squid.tunnels();
    assert!(!asked.is_empty());
    assert!(asked.iter().all(|r| r.method == "GET"), "{asked:?}");
    assert_eq!(asked.len(), server.requests().len());
    assert_eq!(tls_proxy.handshakes.load(Ordering::SeqCst), asked.len());
}

/// The line of a download refused in the handshake with the proxy.
fn refused_by_proxy(url: &str, proxy: &TlsFront, why: &str) -> String {
    format!(
        "{url}: TLS to the proxy {} failed ({why}): proxy_sslcacert and proxy_sslverify check \
         the proxy (sslcacert and sslverify only the server) (gave up after 2 attempts)",
        authority_of(&proxy.base)
    )
}

/// An `https://` proxy's certificate is checked with the repo's
/// `proxy_ssl*` options alone, as libdnf hands them to librepo and curl
/// (`CURLOPT_PROXY_CAINFO`, `CURLOPT_PROXY_SSL_VERIFYPEER`; curl 7.88's
/// `--proxy-cacert` and `--proxy-insecure` behave so against this front):
/// the proxy's CA only in `proxy_sslcacert` is trusted; the repo's
/// `sslcacert` or `sslverify=0` does not reach the proxy (both did
/// before, when `proxy_ssl*` was passed over); `proxy_sslverify=0` takes
/// any certificate. Here for an `http://` repo (plain requests to the
/// proxy).
#[test]
fn the_proxys_certificate_is_checked_with_its_own_options() {
    fast();
    let server = Server::start(ROOT.into());
    let squid = ConnectProxy::squid(None);
    let tls_proxy = TlsFront::start_before(&squid.url, false, true);
    let t = tempfile::tempdir().unwrap();
    let ca = tls_file("ca.pem");
    let repomd = format!("{}/source/repodata/repomd.xml", server.base);
    let proxy = format!("proxy={}\n", tls_proxy.base);
    for refused in [
        String::new(),
        format!("sslcacert={}\n", ca.display()),
        "sslverify=0\n".to_string(),
        "sslverify=0\nproxy_sslverify=1\n".to_string(),
    ] {
        let e = load(&server.base, &format!("{proxy}{refused}"), t.path()).unwrap_err();
        let want = refused_by_proxy(
            &repomd,
            &tls_proxy,
            "invalid peer certificate: UnknownIssuer",
        );
        assert_eq!(e, want, "{refused:?}");
    }
    assert!(squid.tunnels().is_empty());
    assert!(server.requests().is_empty());
    let n = load(
        &server.base,
        &format!("{proxy}proxy_sslcacert={}\n", ca.display()),
        t.path(),
    )
    .unwrap();
    assert!(n > 10);
    for accepted in ["proxy_sslverify=0\n", "proxy_sslverify=off\nsslverify=1\n"] {
        assert_eq!(
            load(&server.base, &format!("{proxy}{accepted}"), t.path()).unwrap(),
            n,
            "{accepted:?}"
        );
    }
    assert!(squid.tunnels().iter().all(|r| r.method == "GET"));
}

/// Through an `https://` proxy to an `https://` repo (a `CONNECT` tunnel
/// over TLS to the proxy): two handshakes, each with its own options, as
/// curl makes them. The proxy's CA in `sslcacert` alone stops at the
/// proxy (no tunnel asked); in `proxy_sslcacert` alone, the tunnel is
/// made and the server's certificate refused, said as the server's; both
/// load, and so do `proxy_sslverify=0` with `sslcacert`, and
/// `sslverify=0` with `proxy_sslcacert`.
#[test]
fn a_tunnel_through_an_https_proxy_checks_each_certificate_with_its_options() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, false);
    let backend = ConnectProxy::start(None);
    let tls_proxy = TlsFront::start_before(&backend.url, false, true);
    let t = tempfile::tempdir().unwrap();
    let ca = tls_file("ca.pem").display().to_string();
    let repomd = format!("{}/source/repodata/repomd.xml", front.base);
    let proxy = format!("proxy={}\n", tls_proxy.base);
    let e = load(&front.base, &format!("{proxy}sslcacert={ca}\n"), t.path()).unwrap_err();
    let want = refused_by_proxy(
        &repomd,
        &tls_proxy,
        "invalid peer certificate: UnknownIssuer",
    );
    assert_eq!(e, want);
    assert!(backend.tunnels().is_empty());
    let e = load(
        &front.base,
        &format!("{proxy}proxy_sslcacert={ca}\n"),
        t.path(),
    )
    .unwrap_err();
    assert!(
        e.starts_with(&format!("{repomd}: connection failed: ")) && e.contains("UnknownIssuer"),
        "{e}"
    );
    assert_eq!(backend.tunnels()[0].method, "CONNECT");
    assert_eq!(backend.tunnels()[0].target, authority_of(&front.base));
    assert!(server.requests().is_empty());
    let both = format!("{proxy}sslcacert={ca}\nproxy_sslcacert={ca}\n");
    let n = load(&front.base, &both, t.path()).unwrap();
    assert!(n > 10);
    for one_unchecked in [
        format!("{proxy}sslcacert={ca}\nproxy_sslverify=0\n"),
        format!("{proxy}sslverify=0\nproxy_sslcacert={ca}\n"),
    ] {
        assert_eq!(load(&front.base, &one_unchecked, t.path()).unwrap(), n);
    }
    assert!(backend.tunnels().iter().all(|r| r.method == "CONNECT"));
}

/// A proxy that demands a client certificate gets `proxy_sslclientcert`
/// and `proxy_sslclientkey` (curl's `CURLOPT_PROXY_SSLCERT`/`SSLKEY`), not
/// the repo's `sslclientcert`, which is the server's. Refused without
/// them, the line names the proxy, for a plain request and a tunnel
/// alike: under TLS 1.3 the proxy's refusal (an alert) comes after the
/// client's side of the handshake is done, with the first answer read
/// from it (it said `connection failed: received fatal alert` of the
/// `http://` URL alone).
#[test]
fn a_client_certificate_for_the_proxy() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, false);
    let squid = ConnectProxy::squid(None);
    let tls_proxy = TlsFront::start_before(&squid.url, true, true);
    let tunnels = ConnectProxy::start(None);
    let tunnelling = TlsFront::start_before(&tunnels.url, true, true);
    let t = tempfile::tempdir().unwrap();
    let ca = tls_file("ca.pem").display().to_string();
    let (cert, key) = (tls_file("client.pem"), tls_file("client.key"));
    let servers = format!(
        "sslclientcert={}\nsslclientkey={}\n",
        cert.display(),
        key.display()
    );
    let ways = [(&server.base, &tls_proxy), (&front.base, &tunnelling)];
    for (base, proxy) in ways {
        let options = format!(
            "proxy={}\nproxy_sslcacert={ca}\nsslcacert={ca}\n",
            proxy.base
        );
        for without in [String::new(), servers.clone()] {
            let e = load(base, &format!("{options}{without}"), t.path()).unwrap_err();
            let repomd = format!("{base}/source/repodata/repomd.xml");
            // The options that would have helped: the proxy's client ones.
            let want = format!(
                "{repomd}: TLS to the proxy {} failed (received fatal alert: \
                 CertificateRequired): proxy_sslclientcert and proxy_sslclientkey are shown to \
                 the proxy (sslclientcert only to the server) (gave up after 2 attempts)",
                authority_of(&proxy.base)
            );
            assert_eq!(e, want, "{without:?}");
        }
        let own = format!(
            "{options}proxy_sslclientcert={}\nproxy_sslclientkey={}\n",
            cert.display(),
            key.display()
        );
        assert!(load(base, &own, t.path()).unwrap() > 10);
    }
    assert!(squid.tunnels().iter().all(|r| r.method == "GET"));
    assert!(tunnels.tunnels().iter().all(|r| r.method == "CONNECT"));
    assert!(!squid.tunnels().is_empty() && !tunnels.tunnels().is_empty());
}

/// A redirect to another host goes through the `https://` proxy too,
/// checked with the same `proxy_ssl*` options: plain from `http://`
/// (`127.0.0.1` to `localhost`, both `GET`s to the proxy), and tunnelled
/// from `https://` (a `CONNECT` to each host), as curl sends a
/// redirect's request through `-x`'s proxy.
#[test]
fn a_redirect_to_another_host_goes_through_the_https_proxy() {
    fast();
    let origin = Server::start(ROOT.into());
    let front = TlsFront::start(&origin, false);
    let squid = ConnectProxy::squid(None);
    let tunnels = ConnectProxy::start(None);
    let ca = tls_file("ca.pem").display().to_string();
    let repomd = "/source/repodata/repomd.xml";
    // Plain: `hop` redirects to `origin` named `localhost`.
    let elsewhere = origin.base.replace("127.0.0.1", "localhost");
    let hop = Server::start(ROOT.into());
    hop.fault("", Fault::Redirect(elsewhere.clone()), None);
    let tls_proxy = TlsFront::start_before(&squid.url, false, true);
    let options = format!("proxy={}\nproxy_sslcacert={ca}\n", tls_proxy.base);
    let t = tempfile::tempdir().unwrap();
    load(&hop.base, &options, t.path()).unwrap();
    let asked = squid.tunnels();
    let urls: Vec<_> = asked.iter().take(2).map(|r| r.url.clone()).collect();
    let want = [&hop.base, &elsewhere].map(|b| Some(format!("{b}{repomd}")));
    assert_eq!(urls, want, "{asked:?}");
    assert_eq!(asked.len(), hop.requests().len() + origin.requests().len());
    assert_eq!(tls_proxy.handshakes.load(Ordering::SeqCst), asked.len());
    // Tunnelled: `front2` (127.0.0.1) redirects to `front` named `localhost`.
    let back = Server::start(ROOT.into());
    let front_elsewhere = front.base.replace("127.0.0.1", "localhost");
    back.fault("", Fault::Redirect(front_elsewhere.clone()), None);
    let front2 = TlsFront::start(&back, false);
    let tunnelling = TlsFront::start_before(&tunnels.url, false, true);
    let options = format!(
        "proxy={}\nproxy_sslcacert={ca}\nsslcacert={ca}\n",
        tunnelling.base
    );
    let t = tempfile::tempdir().unwrap();
    load(&front2.base, &options, t.path()).unwrap();
    let asked = tunnels.tunnels();
    let targets: Vec<&str> = asked.iter().take(2).map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [authority_of(&front2.base), authority_of(&front_elsewhere)],
        "{asked:?}"
    );
    assert!(asked.iter().all(|r| r.method == "CONNECT"));
}

/// Each handshake names its own peer, as curl's do: the proxy's with the
/// proxy's host (SNI `localhost`; none for `127.0.0.1`, an IP address,
/// checked against the certificate's IP address), the server's, inside
/// the tunnel, with the server's host; a proxy given by name is checked
/// against that name.
#[test]
fn each_handshake_names_its_own_peer() {
    fast();
    let server = Server::start(ROOT.into());
    let front = TlsFront::start(&server, false);
    let backend = ConnectProxy::start(None);
    let tls_proxy = TlsFront::start_before(&backend.url, false, true);
    let ca = tls_file("ca.pem").display().to_string();
    let by_name = |base: &str| base.replace("127.0.0.1", "localhost");
    let ways = [
        (
            by_name(&front.base),
            tls_proxy.base.clone(),
            None,
            Some("localhost"),
        ),
        (
            front.base.clone(),
            by_name(&tls_proxy.base),
            Some("localhost"),
            None,
        ),
    ];
    for (base, proxy, proxy_sni, server_sni) in ways {
        tls_proxy.server_names.lock().unwrap().clear();
        front.server_names.lock().unwrap().clear();
        let options = format!("proxy={proxy}\nproxy_sslcacert={ca}\nsslcacert={ca}\n");
        let t = tempfile::tempdir().unwrap();
        load(&base, &options, t.path()).unwrap();
        let seen = |f: &TlsFront| f.server_names.lock().unwrap().clone();
        let (at_proxy, at_server) = (seen(&tls_proxy), seen(&front));
        assert!(!at_proxy.is_empty() && !at_server.is_empty());
        assert!(
            at_proxy.iter().all(|n| n.as_deref() == proxy_sni),
            "{at_proxy:?}"
        );
        assert!(
            at_server.iter().all(|n| n.as_deref() == server_sni),
            "{at_server:?}"
        );
    }
}

/// A listener on 127.0.0.1 that takes each connection, reads what comes
/// and answers `first` (nothing, or a piece of a TLS record), then says no
/// more while the test lasts: a TLS peer that stalls in the handshake.
/// Its address, `127.0.0.1:PORT`.
fn stalling_handshake(first: &'static [u8]) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut tcp in listener.incoming().flatten() {
            let _ = tcp.read(&mut [0u8; 4096]);
            let _ = tcp.write_all(first);
            held.push(tcp);
        }
    });
    addr
}

/// An `https://` proxy that takes the TCP connection and then does not
/// answer the ClientHello, or stops halfway through its first record, is
/// given up at the repo's `timeout` as a server whose handshake stalls
/// (the handshake with the proxy is bounded by the connection's timeout,
/// as curl's connect timeout covers the proxy's TLS), each try, with the
/// retries of any timeout: the same line, never a hang.
#[test]
fn a_proxy_that_stalls_its_handshake_is_given_up_at_the_timeout() {
    fast();
    let server = Server::start(ROOT.into());
    let t = tempfile::tempdir().unwrap();
    for first in [&b""[..], &[0x16, 0x03, 0x03, 0x00, 0x40][..]] {
        let stall = stalling_handshake(first);
        let start = std::time::Instant::now();
        let as_server = load(&format!("https://{stall}"), "timeout=1\n", t.path()).unwrap_err();
        let options = format!("proxy=https://{stall}\nproxy_sslverify=0\ntimeout=1\n");
        let as_proxy = load(&server.base, &options, t.path()).unwrap_err();
        // 2 tries of 1 s each, twice; the run's own timeout is 10 s.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(9),
            "{as_proxy}"
        );
        let repomd = "/source/repodata/repomd.xml";
        assert_eq!(
            as_proxy.replace(&server.base, "URL"),
            as_server.replace(&format!("https://{stall}"), "URL"),
            "{first:?}"
        );
        assert!(
            as_proxy.starts_with(&format!("{}{repomd}: timed out: ", server.base))
                && as_proxy.ends_with(" (gave up after 2 attempts)"),
            "{as_proxy}"
        );
    }
    assert!(server.requests().is_empty());
}
