//! How a repo's HTTP requests are made: dnf's per-repo network options of
//! `.repo` files, which libdnf hands to librepo for every download of that
//! repo (its metalink or mirrorlist, its metadata from any of its mirrors,
//! its packages). Each repo carries its own [`RepoAccess`] (in its
//! [`super::RepoSpec`], then in [`super::HttpSettings`] for each download),
//! so two repos of one file can be reached differently.
//!
//! - `username`/`password`: HTTP basic authentication on each request, as
//!   libdnf sets curl's user and password when `username` is not empty.
//!   A redirect keeps it only to the same scheme, host and port, as curl
//!   sends it (`redirect.rs`).
//! - `proxy`: the repo's requests go through this proxy as curl sends
//!   them: an `https://` URL through a `CONNECT` tunnel, an `http://` one
//!   as a plain request naming the whole URL (`http/plain_proxy.rs`), or
//!   over SOCKS 4/4a/5/5h, curl's schemes. Empty or `_none_` sets none, exactly as unset:
//!   libdnf then gives curl no proxy, and curl takes the environment's,
//!   as we do by curl's rules ([`RepoAccess::proxy`]).
//!   `no_proxy`/`NO_PROXY` from the environment still applies, as curl
//!   applies it to a configured proxy too, by curl's matching
//!   (`no_proxy.rs`). `proxy_username`/`proxy_password` authenticate
//!   with whichever proxy is used (libdnf refuses a username without a
//!   password).
//! - `sslverify=0`: certificates are not verified. `sslcacert`: a PEM file
//!   of the CAs trusted instead of the built-in roots (librepo hands it to
//!   curl as its CA file). `sslclientcert` (PEM, the certificate and
//!   chain) and `sslclientkey` (PEM; without it the key is looked for in
//!   the certificate's file, as curl does): a client certificate. The
//!   files are read when the `.repo` file is (a missing or unusable one is
//!   an error on its line, before any download) and again for each
//!   connection.
//! - `proxy_sslverify`, `proxy_sslcacert`, `proxy_sslclientcert`,
//!   `proxy_sslclientkey`: the same four for the TLS connection to an
//!   `https://` proxy, and only for it, as libdnf's `setHandle` hands them
//!   to librepo (`LRO_PROXY_SSL*`), which sets curl's
//!   `CURLOPT_PROXY_SSL_VERIFYPEER`/`HOST`, `CURLOPT_PROXY_CAINFO`,
//!   `CURLOPT_PROXY_SSLCERT` and `CURLOPT_PROXY_SSLKEY`: the repo's
//!   `sslverify=0` leaves the proxy checked, and without
//!   `proxy_sslcacert` the proxy is checked against the built-in roots,
//!   never the repo's `sslcacert` (curl's own CA bundle then).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use super::http_settings::{libdnf_bytes, libdnf_seconds, libdnf_u32, Pace, Parallel};

/// The network options of one repo (see the module docs).
#[derive(Clone, PartialEq, Eq)]
pub struct RepoAccess {
    /// `username=`: basic authentication when not empty.
    pub username: String,
    /// `password=`: with `username`.
    pub password: String,
    /// `proxy=`: the repo's proxy URL; `None` (unset, empty, `_none_`):
    /// the environment's, if any.
    pub proxy: Option<String>,
    /// `proxy_username=`: the proxy's credentials when not empty.
    pub proxy_username: String,
    /// `proxy_password=`, when the line is there (libdnf's test).
    pub proxy_password: Option<String>,
    /// `sslverify=`: whether server certificates are verified (dnf's
    /// default: yes).
    pub sslverify: bool,
    /// `sslcacert=`: a PEM file of the CAs trusted instead of the built-in
    /// roots.
    pub sslcacert: Option<PathBuf>,
    /// `sslclientcert=`: a PEM file with the client certificate (and its
    /// chain; and its key when there is no `sslclientkey`).
    pub sslclientcert: Option<PathBuf>,
    /// `sslclientkey=`: a PEM file with the client certificate's key.
    pub sslclientkey: Option<PathBuf>,
    /// `proxy_sslverify=`: whether an `https://` proxy's certificate is
    /// verified (libdnf's default: yes, whatever `sslverify` says).
    pub proxy_sslverify: bool,
    /// `proxy_sslcacert=`: the CAs trusted for the proxy instead of the
    /// built-in roots.
    pub proxy_sslcacert: Option<PathBuf>,
    /// `proxy_sslclientcert=`: the client certificate shown to the proxy.
    pub proxy_sslclientcert: Option<PathBuf>,
    /// `proxy_sslclientkey=`: its key.
    pub proxy_sslclientkey: Option<PathBuf>,
    /// `timeout=`, `minrate=`: the repo's own values of what the
    /// `RPM_BUILDROOT_HTTP_*` variables set for every download
    /// (`http_settings.rs`); `retries=`, read and checked but changing no
    /// download, as in dnf 4.14 ([`Pace::retries`]).
    pub pace: Pace,
    /// The parallel package downloads of `--dnf-conf`'s `[main]`, which
    /// every repo inherits (its own lines are not read: [`Parallel`]).
    /// Left out of `Debug`, which keys the pool cache: they change no
    /// metadata.
    pub parallel: Parallel,
}

impl Default for RepoAccess {
    fn default() -> Self {
        RepoAccess {
            username: String::new(),
            password: String::new(),
            proxy: None,
            proxy_username: String::new(),
            proxy_password: None,
            sslverify: true,
            sslcacert: None,
            sslclientcert: None,
            sslclientkey: None,
            proxy_sslverify: true,
            proxy_sslcacert: None,
            proxy_sslclientcert: None,
            proxy_sslclientkey: None,
            pace: Pace::default(),
            parallel: Parallel::default(),
        }
    }
}

/// A PEM file of a repo's TLS options that cannot be used: which option
/// named it, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PemError {
    /// `sslcacert`, `sslclientcert` or `sslclientkey`, or one of the
    /// `proxy_` ones.
    pub key: &'static str,
    /// The file and the problem, one line.
    pub msg: String,
}

/// Passwords stay out of debug output (a repo's `Debug` keys the pool
/// cache and may be printed).
impl std::fmt::Debug for RepoAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RepoAccess");
        if !self.username.is_empty() {
            d.field("username", &self.username);
        }
        if let Some(p) = &self.proxy {
            d.field("proxy", &without_userinfo(p));
        }
        if !self.proxy_username.is_empty() {
            d.field("proxy_username", &self.proxy_username);
        }
        if !self.sslverify {
            d.field("sslverify", &false);
        }
        if !self.proxy_sslverify {
            d.field("proxy_sslverify", &false);
        }
        for (k, v) in [
            ("sslcacert", &self.sslcacert),
            ("sslclientcert", &self.sslclientcert),
            ("sslclientkey", &self.sslclientkey),
            ("proxy_sslcacert", &self.proxy_sslcacert),
            ("proxy_sslclientcert", &self.proxy_sslclientcert),
            ("proxy_sslclientkey", &self.proxy_sslclientkey),
        ] {
            if let Some(p) = v {
                d.field(k, p);
            }
        }
        if self.pace != Pace::default() {
            d.field("pace", &self.pace);
        }
        d.finish_non_exhaustive()
    }
}

impl RepoAccess {
    /// Takes a `.repo` line's `key=value` when the key is one of these
    /// options (`None` when it is not); an error is the problem with the
    /// value, for the caller to place.
    pub(super) fn set(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
        match key {
            "username" => self.username = value.to_string(),
            "password" => self.password = value.to_string(),
            "proxy" => return Some(self.set_proxy(value)),
            "proxy_username" => self.proxy_username = value.to_string(),
            "proxy_password" => self.proxy_password = Some(value.to_string()),
            "sslverify" | "proxy_sslverify" => match super::repofile::parse_bool(value) {
                Some(b) if key == "sslverify" => self.sslverify = b,
                Some(b) => self.proxy_sslverify = b,
                None => return Some(Err(format!("{key}={value} is not a boolean"))),
            },
            // Empty: none, libdnf's default.
            "sslcacert" => self.sslcacert = path_of(value),
            "sslclientcert" => self.sslclientcert = path_of(value),
            "sslclientkey" => self.sslclientkey = path_of(value),
            "proxy_sslcacert" => self.proxy_sslcacert = path_of(value),
            "proxy_sslclientcert" => self.proxy_sslclientcert = path_of(value),
            "proxy_sslclientkey" => self.proxy_sslclientkey = path_of(value),
            // libdnf keeps whole seconds (an int32): 0.5 is 0, librepo's defaults.
            "timeout" => match libdnf_seconds(value).map(f64::trunc) {
                Some(t) => self.pace.timeout = (t > 0.0).then(|| Duration::from_secs_f64(t)),
                None => return Some(Err(format!("timeout={value} is not a number of seconds"))),
            },
            "minrate" => match libdnf_bytes(value) {
                Some(b) => self.pace.minrate = Some(b),
                None => return Some(Err(format!("minrate={value} is not a number of bytes"))),
            },
            "retries" => match libdnf_u32(value) {
                Some(0) => self.pace.retries = Some(100),
                Some(n) => self.pace.retries = Some(n.min(100)),
                None => return Some(Err(format!("retries={value} is not a whole number"))),
            },
            _ => return None,
        }
        Some(Ok(()))
    }

    /// What the section's options say together, once all are read.
    pub(super) fn check(&self) -> Result<(), String> {
        if !self.proxy_username.is_empty() && self.proxy_password.is_none() {
            return Err("proxy_username is set but not proxy_password".into());
        }
        Ok(())
    }

    fn set_proxy(&mut self, value: &str) -> Result<(), String> {
        if value.is_empty() || value.eq_ignore_ascii_case("_none_") {
            self.proxy = None;
            return Ok(());
        }
        // Messages name the value without its credentials (a .repo file's
        // errors end up in logs).
        let shown = without_userinfo(value);
        // curl's schemes, as libdnf hands the URL to it: http, https,
        // socks4, socks4a, socks5, socks5h (ureq reads the same ones).
        let known = [
            "http://",
            "https://",
            "socks4://",
            "socks4a://",
            "socks5://",
            "socks5h://",
        ];
        let lower = value.to_ascii_lowercase();
        // Without a scheme, http:// (curl's default).
        let scheme_ok = !lower.contains("://") || known.iter().any(|k| lower.starts_with(k));
        if ureq::Proxy::new(value).is_err() || !scheme_ok {
            return Err(format!(
                "proxy={shown} is not a proxy URL (http://HOST[:PORT], https://, socks5://, \
                 socks5h://, socks4:// or socks4a://)"
            ));
        }
        self.proxy = Some(value.to_string());
        Ok(())
    }

    /// The proxy for the repo's request of `url`, or `None` for none: the
    /// repo's, else the environment's as curl picks it for the URL's scheme
    /// (`http_proxy`, lowercase only, for http; `https_proxy`/`HTTPS_PROXY`
    /// for https; then `all_proxy`/`ALL_PROXY`), `no_proxy`/`NO_PROXY`
    /// applied by curl's rules (`no_proxy.rs`).
    /// (ureq's own pick takes `ALL_PROXY` first and `HTTP_PROXY` too.)
    pub(super) fn proxy(&self, url: &str) -> Result<Option<ureq::Proxy>, String> {
        // curl reads `no_proxy` first, and applies it to any proxy, the
        // repo's own too (`no_proxy.rs`); ureq is given no list of its own.
        let no_proxy = std::env::var("no_proxy").or_else(|_| std::env::var("NO_PROXY"));
        if let (Ok(list), Some(host)) = (&no_proxy, url_host(url)) {
            if super::no_proxy::bypasses(&host, list) {
                return Ok(None);
            }
        }
        let base = match &self.proxy {
            Some(url) => ureq::Proxy::new(url)
                .map_err(|e| format!("proxy={}: {e}", without_userinfo(url)))?,
            None => match env_proxy(url) {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let mut b = ureq::Proxy::builder(base.protocol())
            .host(base.host())
            .port(base.port());
        let creds = if self.proxy_username.is_empty() {
            base.username().zip(base.password().or(Some("")))
        } else {
            Some((
                self.proxy_username.as_str(),
                self.proxy_password.as_deref().unwrap_or(""),
            ))
        };
        if let Some((user, pass)) = creds {
            b = b.username(user).password(pass);
        }
        // The builder starts without the environment's NO_PROXY, and is
        // given none: it was applied above.
        b.build().map(Some).map_err(|e| format!("proxy: {e}"))
    }

    /// The TLS configuration of the repo's connections to its servers,
    /// its PEM files read; `None` when it is ureq's default (verified
    /// against the built-in roots, no client certificate). A key file
    /// without a certificate is not read: curl ignores it so.
    pub(super) fn tls_config(&self) -> Result<Option<TlsConfig>, PemError> {
        TlsOptions {
            verify: self.sslverify,
            cacert: &self.sslcacert,
            clientcert: &self.sslclientcert,
            clientkey: &self.sslclientkey,
            keys: ["sslcacert", "sslclientcert", "sslclientkey"],
        }
        .config()
    }

    /// [`RepoAccess::tls_config`] of the TLS connection to an `https://`
    /// proxy: the `proxy_ssl*` options (curl's `CURLOPT_PROXY_*`), which
    /// the repo's own do not touch.
    pub(super) fn proxy_tls_config(&self) -> Result<Option<TlsConfig>, PemError> {
        self.proxy_tls().config()
    }

    fn proxy_tls(&self) -> TlsOptions<'_> {
        TlsOptions {
            verify: self.proxy_sslverify,
            cacert: &self.proxy_sslcacert,
            clientcert: &self.proxy_sslclientcert,
            clientkey: &self.proxy_sslclientkey,
            keys: [
                "proxy_sslcacert",
                "proxy_sslclientcert",
                "proxy_sslclientkey",
            ],
        }
    }

    /// What the proxy's TLS configuration is built from (a key of the
    /// shared agents, `http/agents.rs`).
    pub(super) fn proxy_tls_key(&self) -> TlsKey {
        self.proxy_tls().key()
    }

    /// Reads the PEM files of both TLS configurations, as when the
    /// `.repo` file is read: the first that cannot be used.
    pub(super) fn check_tls_files(&self) -> Result<(), PemError> {
        self.tls_config()?;
        self.proxy_tls_config().map(drop)
    }

    /// The `Authorization` header of each request, if the repo has a user.
    pub(super) fn authorization(&self) -> Option<String> {
        if self.username.is_empty() {
            return None;
        }
        let pair = format!("{}:{}", self.username, self.password);
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ))
    }
}

/// What a TLS configuration is built from: whether to verify, the CA
/// file, the client certificate and key.
pub(super) type TlsKey = (bool, Option<PathBuf>, Option<PathBuf>, Option<PathBuf>);

/// One set of TLS options, the server's or the proxy's, with the names of
/// their keys for messages.
struct TlsOptions<'a> {
    verify: bool,
    cacert: &'a Option<PathBuf>,
    clientcert: &'a Option<PathBuf>,
    clientkey: &'a Option<PathBuf>,
    /// The keys of `cacert`, `clientcert`, `clientkey`.
    keys: [&'static str; 3],
}

impl TlsOptions<'_> {
    fn key(&self) -> TlsKey {
        (
            self.verify,
            self.cacert.clone(),
            self.clientcert.clone(),
            self.clientkey.clone(),
        )
    }

    /// The configuration, `None` for ureq's default; built once per
    /// process and setting: every attempt of every download asks
    /// (thousands of SRPMs), and a CA bundle is ~200 KB of PEM to parse.
    fn config(&self) -> Result<Option<TlsConfig>, PemError> {
        if self.verify && self.cacert.is_none() && self.clientcert.is_none() {
            return Ok(None);
        }
        static BUILT: std::sync::Mutex<Vec<(TlsKey, TlsConfig)>> =
            std::sync::Mutex::new(Vec::new());
        let key = self.key();
        if let Some((_, c)) = BUILT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(k, _)| *k == key)
        {
            return Ok(Some(c.clone()));
        }
        let c = self.build()?;
        BUILT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((key, c.clone()));
        Ok(Some(c))
    }

    /// [`TlsOptions::config`], built from the PEM files.
    fn build(&self) -> Result<TlsConfig, PemError> {
        let [ca_key, cert_key, key_key] = self.keys;
        let mut b = TlsConfig::builder().disable_verification(!self.verify);
        if let Some(path) = self.cacert {
            let certs = pem_items(ca_key, path)?.0;
            if certs.is_empty() {
                return Err(pem_error(ca_key, path, "no certificate in it"));
            }
            b = b.root_certs(RootCerts::new_with_certs(&certs));
        }
        if let Some(path) = self.clientcert {
            let (chain, key) = pem_items(cert_key, path)?;
            if chain.is_empty() {
                return Err(pem_error(cert_key, path, "no certificate in it"));
            }
            let key = match self.clientkey {
                Some(kpath) => pem_items(key_key, kpath)?
                    .1
                    .ok_or_else(|| pem_error(key_key, kpath, "no private key in it"))?,
                None => key.ok_or_else(|| {
                    pem_error(
                        cert_key,
                        path,
                        format!("no private key in it, and no {key_key}"),
                    )
                })?,
            };
            b = b.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        Ok(b.build())
    }
}

/// `url` with any `user:password@` replaced by `…@`.
fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) if scheme.is_empty() => format!("…{}", &rest[at..]),
        Some(at) => format!("{scheme}://…{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// A path option's value: empty is none.
fn path_of(value: &str) -> Option<PathBuf> {
    (!value.is_empty()).then(|| PathBuf::from(value))
}

fn pem_error(key: &'static str, path: &Path, problem: impl std::fmt::Display) -> PemError {
    PemError {
        key,
        msg: format!("{}: {problem}", path.display()),
    }
}

/// The certificates of a PEM file, in order, and its first private key.
fn pem_items(
    key: &'static str,
    path: &Path,
) -> Result<(Vec<Certificate<'static>>, Option<PrivateKey<'static>>), PemError> {
    let bytes = std::fs::read(path).map_err(|e| {
        pem_error(
            key,
            path,
            format!("cannot read: {}", crate::error::io_message(&e)),
        )
    })?;
    let (mut certs, mut first_key) = (Vec::new(), None);
    for item in ureq::tls::parse_pem(&bytes) {
        match item.map_err(|e| pem_error(key, path, format!("not a usable PEM file: {e}")))? {
            PemItem::Certificate(c) => certs.push(c),
            PemItem::PrivateKey(k) if first_key.is_none() => first_key = Some(k),
            _ => {}
        }
    }
    Ok((certs, first_key))
}

/// The host of `url` (an IPv6 address in its brackets), if it has one.
fn url_host(url: &str) -> Option<String> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    uri.host().map(str::to_string)
}

/// The environment's proxy for `url`, as curl reads it (see
/// [`RepoAccess::proxy`]); a value that is not a proxy URL is passed over.
fn env_proxy(url: &str) -> Option<ureq::Proxy> {
    env_proxy_in(url, |k| std::env::var(k).ok())
}

/// [`env_proxy`] over any variable lookup.
fn env_proxy_in(url: &str, var: impl Fn(&str) -> Option<String>) -> Option<ureq::Proxy> {
    let scheme = url.split("://").next().unwrap_or("").to_ascii_lowercase();
    let own: &[&str] = match scheme.as_str() {
        // curl never reads HTTP_PROXY: a CGI sets it from a request header.
        "http" => &["http_proxy"],
        "https" => &["https_proxy", "HTTPS_PROXY"],
        _ => &[],
    };
    own.iter()
        .chain(&["all_proxy", "ALL_PROXY"])
        .filter_map(|k| var(k))
        .find(|v| !v.trim().is_empty())
        .and_then(|v| ureq::Proxy::new(v.trim()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authorization_only_with_a_user() {
        let mut a = RepoAccess::default();
        assert_eq!(a.authorization(), None);
        a.set("password", "secret").unwrap().unwrap();
        assert_eq!(a.authorization(), None);
        a.set("username", "Aladdin").unwrap().unwrap();
        a.set("password", "open sesame").unwrap().unwrap();
        // RFC 7617's example.
        assert_eq!(
            a.authorization().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert!(a.set("gpgcheck", "1").is_none());
        let shown = format!("{a:?}");
        assert!(
            shown.contains("Aladdin") && !shown.contains("sesame"),
            "{shown}"
        );
    }

    #[test]
    fn the_environments_proxy_as_curl_picks_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let host = |url: &str, vars| env_proxy_in(url, env(vars)).map(|p| p.host().to_string());
        // The scheme's own variable first, then all_proxy.
        let both: &[(&str, &str)] = &[("http_proxy", "http://h1:1"), ("ALL_PROXY", "socks5://a:2")];
        assert_eq!(host("http://repo/", both).as_deref(), Some("h1"));
        assert_eq!(host("https://repo/", both).as_deref(), Some("a"));
        // HTTP_PROXY is never read (httpoxy), HTTPS_PROXY is.
        let upper: &[(&str, &str)] = &[
            ("HTTP_PROXY", "http://h2:1"),
            ("HTTPS_PROXY", "http://h3:1"),
        ];
        assert_eq!(host("http://repo/", upper), None);
        assert_eq!(host("https://repo/", upper).as_deref(), Some("h3"));
        assert_eq!(host("http://repo/", &[("http_proxy", " ")]), None);
    }

    #[test]
    fn proxy_values() {
        let mut a = RepoAccess::default();
        for none in ["", "_none_", "_NONE_"] {
            a.set("proxy", "http://p:3128").unwrap().unwrap();
            a.set("proxy", none).unwrap().unwrap();
            assert_eq!(a.proxy, None, "{none:?}");
        }
        a.set("proxy", "http://user:p%40ss@proxy.example:3128")
            .unwrap()
            .unwrap();
        let p = a.proxy("http://repo/").unwrap().unwrap();
        assert_eq!((p.host(), p.port()), ("proxy.example", 3128));
        assert_eq!((p.username(), p.password()), (Some("user"), Some("p@ss")));
        // The repo's proxy credentials win over the URL's.
        a.set("proxy_username", "other").unwrap().unwrap();
        assert_eq!(
            a.check().unwrap_err(),
            "proxy_username is set but not proxy_password"
        );
        a.set("proxy_password", "").unwrap().unwrap();
        a.check().unwrap();
        let p = a.proxy("http://repo/").unwrap().unwrap();
        assert_eq!((p.username(), p.password()), (Some("other"), Some("")));
        let e = a.set("proxy", "http://").unwrap().unwrap_err();
        assert!(e.starts_with("proxy=http:// is not a proxy URL"), "{e}");
        // curl's SOCKS schemes are proxies too; a bare HOST:PORT is http.
        for ok in [
            "socks5://h:1080",
            "socks5h://u:p@h:1080",
            "socks4a://h",
            "p.example:3128",
        ] {
            a.set("proxy", ok).unwrap().unwrap();
        }
        a.set("proxy", "http://user:p%40ss@proxy.example:3128")
            .unwrap()
            .unwrap();
        // A refused value's credentials stay out of the message.
        let e = a
            .set("proxy", "ftp://user:s3cret@h:21")
            .unwrap()
            .unwrap_err();
        assert!(
            e.starts_with("proxy=ftp://…@h:21 is not a proxy URL"),
            "{e}"
        );
        let e = a.set("proxy", "http://user:s3cret@").unwrap().unwrap_err();
        assert!(!e.contains("s3cret"), "{e}");
        let shown = format!("{a:?}");
        assert!(
            shown.contains("other") && !shown.contains("p%40ss"),
            "{shown}"
        );
        assert!(
            shown.contains(r#"proxy: "http://…@proxy.example:3128""#),
            "{shown}"
        );
        assert_eq!(without_userinfo("u:p@h:1"), "…@h:1");
        assert_eq!(without_userinfo("http://h:1/a@b"), "http://h:1/a@b");
    }

    fn tls(name: &str) -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/").to_string() + name
    }

    /// As dnf 4.14 reads them (`dnf.conf` and `read_all_repos` probed):
    /// a boolean in dnf's spellings, paths as written, empty or `None`
    /// for none; a value that is no boolean is passed over.
    #[test]
    fn proxy_tls_options() {
        let mut a = RepoAccess::default();
        assert!(a.proxy_sslverify);
        a.set("proxy_sslverify", "No").unwrap().unwrap();
        let c = a.proxy_tls_config().unwrap().unwrap();
        assert!(c.disable_verification());
        assert!(matches!(c.root_certs(), RootCerts::WebPki));
        // The server's stay as they were.
        assert!(a.sslverify && a.tls_config().unwrap().is_none());
        for (v, e) in [("maybe", "proxy_sslverify=maybe"), ("", "proxy_sslverify=")] {
            assert_eq!(
                a.set("proxy_sslverify", v).unwrap().unwrap_err(),
                format!("{e} is not a boolean")
            );
        }
        a.set("proxy_sslverify", "TRUE").unwrap().unwrap();
        a.set("proxy_sslcacert", &tls("ca.pem")).unwrap().unwrap();
        a.set("proxy_sslclientcert", &tls("client.pem"))
            .unwrap()
            .unwrap();
        a.set("proxy_sslclientkey", &tls("client.key"))
            .unwrap()
            .unwrap();
        let c = a.proxy_tls_config().unwrap().unwrap();
        assert!(!c.disable_verification());
        assert!(matches!(c.root_certs(), RootCerts::Specific(certs) if certs.len() == 1));
        assert_eq!(c.client_cert().unwrap().certs().len(), 1);
        a.check_tls_files().unwrap();
        let shown = format!("{a:?}");
        assert!(shown.contains("proxy_sslcacert"), "{shown}");
        a.set("proxy_sslcacert", "").unwrap().unwrap();
        assert_eq!(a.proxy_sslcacert, None);
        a.set("proxy_sslclientkey", "/nonexistent.key")
            .unwrap()
            .unwrap();
        let e = a.check_tls_files().unwrap_err();
        assert_eq!(e.key, "proxy_sslclientkey");
        assert!(
            e.msg.starts_with("/nonexistent.key: cannot read: "),
            "{e:?}"
        );
    }

    #[test]
    fn pace_is_read_as_libdnf_reads_it() {
        let mut a = RepoAccess::default();
        for (v, want) in [
            ("90", Some(90.0)),
            ("1.5m", Some(90.0)),
            ("2.9", Some(2.0)),
            ("0.5", None),
            ("2h", Some(7200.0)),
            ("1d", Some(86_400.0)),
            ("0", None),
            ("-1", None),
            ("never", None),
        ] {
            a.set("timeout", v).unwrap().unwrap();
            assert_eq!(a.pace.timeout.map(|d| d.as_secs_f64()), want, "{v}");
        }
        for (v, want) in [("500", 500), ("2k", 2048), ("1M", 1 << 20), ("0", 0)] {
            a.set("minrate", v).unwrap().unwrap();
            assert_eq!(a.pace.minrate, Some(want), "{v}");
        }
        // As dnf 4.14 reads them: -1 wraps round, digits end the number.
        for (v, want) in [
            ("5", 5),
            ("0", 100),
            ("1000", 100),
            ("-1", 100),
            ("3.5", 3),
            (" +3", 3),
            ("-4294967295", 1),
            ("0x10", 100),
        ] {
            a.set("retries", v).unwrap().unwrap();
            assert_eq!(a.pace.retries, Some(want), "{v}");
        }
        for (k, v, e) in [
            ("timeout", "30x", "timeout=30x is not a number of seconds"),
            ("timeout", "-5", "timeout=-5 is not a number of seconds"),
            ("minrate", "fast", "minrate=fast is not a number of bytes"),
            ("retries", "x", "retries=x is not a whole number"),
            (
                "retries",
                "99999999999",
                "retries=99999999999 is not a whole number",
            ),
            (
                "retries",
                "-4294967296",
                "retries=-4294967296 is not a whole number",
            ),
        ] {
            assert_eq!(a.set(k, v).unwrap().unwrap_err(), e);
        }
        // The repo's values win over the run's, but retries=, which
        // changes no download of dnf's (`Pace::retries`).
        let s = super::super::HttpSettings::for_repo(&a).unwrap();
        let run = super::super::HttpSettings::from_env().unwrap();
        assert_eq!((s.minrate, s.retries), (0, run.retries));
    }

    #[test]
    fn tls_configs() {
        let mut a = RepoAccess::default();
        assert!(a.sslverify);
        // Nothing set: ureq's default (built-in roots, verified).
        assert!(a.tls_config().unwrap().is_none());
        a.set("sslverify", "False").unwrap().unwrap();
        let c = a.tls_config().unwrap().unwrap();
        assert!(c.disable_verification());
        assert!(matches!(c.root_certs(), RootCerts::WebPki));
        assert!(c.client_cert().is_none());
        assert_eq!(
            a.set("sslverify", "maybe").unwrap().unwrap_err(),
            "sslverify=maybe is not a boolean"
        );
        a.set("sslverify", "1").unwrap().unwrap();
        a.set("sslcacert", &tls("ca.pem")).unwrap().unwrap();
        a.set("sslclientcert", &tls("client.pem")).unwrap().unwrap();
        a.set("sslclientkey", &tls("client.key")).unwrap().unwrap();
        let c = a.tls_config().unwrap().unwrap();
        assert!(!c.disable_verification());
        assert!(matches!(c.root_certs(), RootCerts::Specific(certs) if certs.len() == 1));
        assert_eq!(c.client_cert().unwrap().certs().len(), 1);
        // Empty is none, as libdnf's default.
        a.set("sslclientcert", "").unwrap().unwrap();
        assert_eq!(a.sslclientcert, None);
        // A key without a certificate is not read, as curl ignores it.
        a.set("sslclientkey", "/nonexistent.key").unwrap().unwrap();
        assert!(a.tls_config().unwrap().unwrap().client_cert().is_none());
        a.set("sslcacert", "/nonexistent.pem").unwrap().unwrap();
        // The proxy's options are apart: none of the repo's reach them.
        assert!(a.proxy_tls_config().unwrap().is_none());
        a.set("sslverify", "0").unwrap().unwrap();
        assert!(a.proxy_tls_config().unwrap().is_none());
        a.set("sslverify", "1").unwrap().unwrap();
        let e = a.tls_config().unwrap_err();
        assert_eq!(e.key, "sslcacert");
        assert!(
            e.msg.starts_with("/nonexistent.pem: cannot read: "),
            "{e:?}"
        );
    }
}
