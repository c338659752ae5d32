//! The agents requests are made with, shared over a run so that a
//! kept-alive connection carries the next request to its server: curl's
//! connection cache, which librepo (and so dnf) downloads through. curl
//! parks a connection whose transfer ended cleanly in its cache
//! (`conncache.c`), and a later transfer to the same scheme, host and port,
//! through the same proxy with the same TLS settings, takes it
//! (`url.c`'s `ConnectionExists`) instead of connecting, and, for https,
//! shaking hands, again. Before, every request built an agent of its own:
//! a new TCP connection, and a new TLS handshake, per file.
//!
//! One agent (ureq's pool is an agent's) serves every request whose
//! agent would be configured the same: the same proxy (credentials
//! included), the same way to it (a plain request or a tunnel,
//! `plain_proxy.rs`), the same TLS options (and, through an `https://`
//! proxy, the same `proxy_ssl*` ones, `proxy_tls.rs`), the same timeouts. ureq keys
//! its pooled connections by scheme, host, port and proxy within it. Its
//! idle connections are bounded as curl's multi handle bounds its cache
//! (four times the transfers it runs at once: here four times
//! `max_parallel_downloads`), over all hosts, and one idle for longer than
//! curl's `CURLOPT_MAXAGE_CONN` default (118 s) is not reused. A pooled
//! connection is probed before reuse (one the server has closed is
//! dropped), and one the server closes between the probe and the request
//! has its request made again through the same agent, on its next kept
//! connection or a new one, which is kept in turn (`request.rs`, as curl's
//! `Curl_retry_request`).
//!
//! What belongs to one request stays off the agent: the `Authorization`
//! header (per request, and per hop of a redirect), `Range` and
//! `If-Range`; the stall and reset watcher records into the request of the
//! thread that uses a connection (`conn_watch.rs`), and a plain request
//! through a proxy has each request line rewritten on a kept connection
//! (`plain_proxy.rs`).

use std::sync::Mutex;
use std::time::Duration;

use ureq::unversioned::transport::Connector as _;

use super::plain_proxy;
use super::proxy_tls::ProxyTls;
use super::HttpSettings;
use crate::rpmmd::access::TlsKey;
use crate::rpmmd::conn_watch::Watch;

/// What makes two requests' agents the same (see the module docs).
#[derive(Clone, Debug, PartialEq)]
struct Key {
    proxy: Option<ureq::Proxy>,
    plain: bool,
    /// `sslverify`, `sslcacert`, `sslclientcert`, `sslclientkey`: what
    /// [`crate::rpmmd::RepoAccess`]'s TLS configuration is built from.
    tls: TlsKey,
    /// The `proxy_ssl*` options, for an `https://` proxy only (others
    /// never use them: their agents stay shared whatever they say).
    proxy_tls: Option<TlsKey>,
    timeout: Duration,
    idle: usize,
}

/// The most agents kept: a run has a few (one per proxy and TLS setting
/// in use); a long test process makes many, each with a server of its own.
const MOST_AGENTS: usize = 32;

/// How long a connection may idle in the pool and still be reused: curl's
/// default `CURLOPT_MAXAGE_CONN`.
const MAX_IDLE_AGE: Duration = Duration::from_secs(118);

/// The agents of this process, the most recently used last.
static AGENTS: Mutex<Vec<(Key, ureq::Agent)>> = Mutex::new(Vec::new());

/// The TLS configurations of an agent: the servers' (the repo's
/// `sslverify`, `sslcacert`, ...) and an `https://` proxy's (its
/// `proxy_ssl*`); `None` is ureq's default for either.
pub(super) struct Tls {
    pub(super) server: Option<ureq::tls::TlsConfig>,
    pub(super) proxy: Option<ureq::tls::TlsConfig>,
}

/// The shared agent for a request through `proxy` (`plain`: an `http://`
/// URL sent to it in absolute form) with `s`'s settings and TLS
/// configurations `tls`.
pub(super) fn shared(
    s: &HttpSettings,
    proxy: Option<ureq::Proxy>,
    plain: bool,
    tls: &Tls,
) -> ureq::Agent {
    let a = &s.access;
    let https_proxy = proxy
        .as_ref()
        .is_some_and(|p| p.protocol() == ureq::ProxyProtocol::Https);
    let key = Key {
        proxy,
        plain,
        tls: (
            a.sslverify,
            a.sslcacert.clone(),
            a.sslclientcert.clone(),
            a.sslclientkey.clone(),
        ),
        proxy_tls: https_proxy.then(|| a.proxy_tls_key()),
        timeout: s.timeout,
        idle: 4 * a.parallel.downloads.unwrap_or(s.parallel_downloads).max(1),
    };
    let mut agents = AGENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = agents.iter().position(|(k, _)| *k == key) {
        let entry = agents.remove(i);
        let agent = entry.1.clone();
        agents.push(entry);
        return agent;
    }
    let agent = build(s, key.proxy.clone(), plain, tls, key.idle);
    if agents.len() >= MOST_AGENTS {
        agents.remove(0);
    }
    agents.push((key, agent.clone()));
    agent
}

/// An agent: our configuration, the connector chain the proxy needs, the
/// watcher last (`conn_watch.rs`). Through an `https://` proxy the chain
/// has the step of the handshake with the proxy (`proxy_tls.rs`).
fn build(
    s: &HttpSettings,
    proxy: Option<ureq::Proxy>,
    plain: bool,
    tls: &Tls,
    idle: usize,
) -> ureq::Agent {
    use ureq::unversioned::transport::{
        ConnectProxyConnector, RustlsConnector, SocksConnector, TcpConnector,
    };
    let resolver = ureq::unversioned::resolver::DefaultResolver::default();
    let to_proxy = ProxyTls::new(proxy.as_ref(), self::config(s, None, &tls.proxy, idle));
    let https_proxy = proxy
        .as_ref()
        .is_some_and(|p| p.protocol() == ureq::ProxyProtocol::Https);
    let config = config(s, proxy, &tls.server, idle);
    if plain {
        let direct = self::config(s, None, &tls.server, idle);
        let connector = plain_proxy::connector(direct, to_proxy).chain(Watch);
        return ureq::Agent::with_parts(config, connector, resolver);
    }
    if https_proxy {
        // ureq's default chain, with the proxy's handshake before the
        // server's.
        let connector =
            ().chain(SocksConnector::default())
                .chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(to_proxy)
                .chain(RustlsConnector::default())
                .chain(Watch);
        return ureq::Agent::with_parts(config, connector, resolver);
    }
    let connector = ureq::unversioned::transport::DefaultConnector::new().chain(Watch);
    ureq::Agent::with_parts(config, connector, resolver)
}

/// The configuration of an agent, through `proxy` (always set: ureq would
/// otherwise pick the environment's proxy by its own rules, not curl's).
fn config(
    s: &HttpSettings,
    proxy: Option<ureq::Proxy>,
    tls: &Option<ureq::tls::TlsConfig>,
    idle: usize,
) -> ureq::config::Config {
    let mut config = ureq::Agent::config_builder().proxy(proxy);
    if let Some(tls) = tls {
        config = config.tls_config(tls.clone());
    }
    config
        .timeout_connect(Some(s.timeout))
        .timeout_recv_response(Some(s.timeout))
        // A backstop for a read that never returns (the watcher's minrate
        // check comes first); per read, so a big file on a live link is fine.
        .timeout_per_read(Some(s.timeout * 2))
        // Bytes as the server has them (checksums and ranges are over those).
        .accept_encoding("identity")
        .http_status_as_error(false)
        .user_agent("rpm-buildroot")
        // Redirects are followed by `request.rs`: credentials go to their
        // own scheme, host and port only, as curl sends them (`redirect.rs`).
        .max_redirects(0)
        // curl's cache has no cap per host, only its total.
        .max_idle_connections(idle)
        .max_idle_connections_per_host(idle)
        .max_idle_age(MAX_IDLE_AGE)
        .build()
}
