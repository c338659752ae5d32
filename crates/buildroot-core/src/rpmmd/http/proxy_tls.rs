//! The TLS connection to an `https://` proxy, made with the repo's own
//! options for it: `proxy_sslverify`, `proxy_sslcacert`,
//! `proxy_sslclientcert`, `proxy_sslclientkey` (`access.rs`), as curl
//! keeps a second set of TLS settings for the proxy (`CURLOPT_PROXY_CAINFO`,
//! `CURLOPT_PROXY_SSL_VERIFYPEER`/`HOST`, `CURLOPT_PROXY_SSLCERT`,
//! `CURLOPT_PROXY_SSLKEY`, which librepo sets from libdnf's options) and
//! uses them for the handshake with the proxy only. The repo's
//! `sslverify`/`sslcacert` are for the server at the other end of a
//! `CONNECT` tunnel.
//!
//! ureq has one TLS configuration per agent, used for the proxy and the
//! server alike, and its TLS connector keeps the first configuration it
//! builds. So [`ProxyTls`] goes in the agent's connector chain before
//! ureq's own TLS step with a TLS connector of its own: it takes the
//! connection to the proxy (the one made with the agent's configuration
//! without its proxy, to the proxy's URI: ureq's `CONNECT` step and
//! `plain_proxy.rs` both connect to the proxy so) and shakes hands with
//! the proxy's options; ureq's step then finds that connection already
//! TLS, and does the server's handshake, inside a tunnel, with the
//! repo's. A TLS failure of the connection to the proxy is noted for the
//! request's message ([`failed_here`]): curl says which of the two
//! failed, and the fix differs (`proxy_sslcacert` or `sslcacert`). It is
//! noted in the handshake and after it ([`NotingFailures`]): under TLS 1.3
//! a proxy that refuses the client's certificate says so in an alert the
//! client reads with the proxy's first answer, its handshake long done.

use std::cell::Cell;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::ResolvedSocketAddrs;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, RustlsConnector, Transport,
};

use crate::rpmmd::http_answer::is_tls_failure;

thread_local! {
    /// Whether this thread's connection to a proxy failed in its TLS
    /// (ureq connects, writes and reads on the requesting thread).
    static FAILED: Cell<bool> = const { Cell::new(false) };
}

/// Forgets a failure noted by an earlier request of this thread.
pub(super) fn forget() {
    FAILED.with(|f| f.set(false));
}

/// Whether the TLS with the proxy failed since [`forget`].
pub(super) fn failed_here() -> bool {
    FAILED.with(Cell::get)
}

/// The TLS step for the connection to an `https://` proxy (see the module
/// docs); a step that passes every connection on when the agent has no
/// such proxy.
pub(super) struct ProxyTls {
    /// The proxy's URI, and the configuration of the handshake with it:
    /// the agent's, without the proxy, with the proxy's TLS options.
    to_proxy: Option<(Uri, Config)>,
    tls: RustlsConnector,
}

impl ProxyTls {
    /// For an agent whose proxy is `proxy`: a step that does something
    /// only when it is an `https://` one. `config` is the agent's
    /// configuration without its proxy and with the proxy's TLS options.
    pub(super) fn new(proxy: Option<&ureq::Proxy>, config: Config) -> ProxyTls {
        let to_proxy = proxy
            .filter(|p| p.protocol() == ureq::ProxyProtocol::Https)
            .map(|p| (p.uri().clone(), config));
        ProxyTls {
            to_proxy,
            tls: RustlsConnector::default(),
        }
    }
}

impl std::fmt::Debug for ProxyTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let uri = self.to_proxy.as_ref().map(|(u, _)| u.to_string());
        f.debug_struct("ProxyTls").field("to", &uri).finish()
    }
}

impl<In: Transport> Connector<In> for ProxyTls {
    type Out = Either<In, Box<dyn Transport>>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        let Some((uri, config)) = &self.to_proxy else {
            return Ok(Some(Either::A(transport)));
        };
        // The request's own connection carries the agent's proxy in its
        // configuration; only the one to the proxy itself has none.
        let to_the_proxy = details.config.proxy().is_none() && details.uri == uri;
        if !to_the_proxy || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let with_proxy_options =
            another_connection(details, details.uri, details.addrs.clone(), config, false);
        match self.tls.connect(&with_proxy_options, Some(transport)) {
            Ok(Some(Either::A(t))) => Ok(Some(Either::A(t))),
            Ok(Some(Either::B(t))) => Ok(Some(Either::B(Box::new(NotingFailures(t))))),
            Ok(None) => Ok(None),
            Err(e) => Err(noted(e)),
        }
    }
}

/// `e`, a failure of the connection to the proxy, noted for
/// [`failed_here`] (the handshake's, whatever it was: only a TLS one is
/// said as the proxy's).
fn noted(e: ureq::Error) -> ureq::Error {
    FAILED.with(|f| f.set(true));
    e
}

/// The TLS connection to the proxy, noting its TLS failures after the
/// handshake too (see the module docs). Whatever comes later through it
/// (the answer to `CONNECT`, a plain request's answer, a tunnel's bytes
/// with the server's TLS above) is the proxy's to fail in TLS: the
/// server's TLS errors are raised by the layer above, not here.
#[derive(Debug)]
struct NotingFailures<T: Transport>(T);

impl<T: Transport> NotingFailures<T> {
    fn watch<R>(r: Result<R, ureq::Error>) -> Result<R, ureq::Error> {
        r.map_err(|e| if is_tls_failure(&e) { noted(e) } else { e })
    }
}

impl<T: Transport> Transport for NotingFailures<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        Self::watch(self.0.transmit_output(amount, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        Self::watch(self.0.await_input(timeout))
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

/// The details of another connection made for the same request (to the
/// proxy, or with the proxy's TLS settings): its own target, addresses,
/// configuration and level; the request's clock, timeout and hooks. ureq
/// gives its struct no constructor, and both proxy connectors need one.
pub(super) fn another_connection<'a>(
    details: &ConnectionDetails<'a>,
    uri: &'a Uri,
    addrs: ResolvedSocketAddrs,
    config: &'a Config,
    request_level: bool,
) -> ConnectionDetails<'a> {
    ConnectionDetails {
        uri,
        addrs,
        config,
        request_level,
        resolver: details.resolver,
        now: details.now,
        timeout: details.timeout,
        current_time: details.current_time.clone(),
        run_connector: details.run_connector.clone(),
        register_shutdown: details.register_shutdown.clone(),
    }
}
