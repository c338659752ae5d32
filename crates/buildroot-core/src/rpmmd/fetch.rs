//! Where repository files come from: a local directory (or `file://` URL), or
//! `http(s)://` with an on-disk cache. repomd.xml is fetched on every load;
//! the files it references are cached under their checksum, so a second load
//! with an unchanged repomd.xml downloads nothing else.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// A repository base location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Dir(PathBuf),
    Http(String),
}

impl Location {
    /// Parses a base URL: a path, `file://PATH`, or `http(s)://...`.
    pub fn parse(url: &str) -> Result<Location> {
        let url = url.trim();
        if let Some(p) = url.strip_prefix("file://") {
            return Ok(Location::Dir(PathBuf::from(p)));
        }
        if url.starts_with("http://") || url.starts_with("https://") {
            let mut u = url.to_string();
            if !u.ends_with('/') {
                u.push('/');
            }
            return Ok(Location::Http(u));
        }
        if url.contains("://") {
            return Err(Error::Usage(format!(
                "{url}: unsupported URL scheme (use a path, file:// or http(s)://)"
            )));
        }
        if url.is_empty() {
            return Err(Error::Usage("empty repository URL".into()));
        }
        Ok(Location::Dir(PathBuf::from(url)))
    }

    /// A printable location of `href` (for error messages).
    pub fn display(&self, href: &str) -> String {
        match self {
            Location::Dir(d) => d.join(href).display().to_string(),
            Location::Http(u) => format!("{u}{href}"),
        }
    }
}

/// How long a download may make no progress (no connection, no response,
/// no body bytes) before it is abandoned: `RPM_BUILDROOT_HTTP_TIMEOUT`
/// seconds, default 60. A large file on a slow but live link never times
/// out; a server that stops sending does.
fn stall_limit() -> Duration {
    Duration::from_secs(
        std::env::var("RPM_BUILDROOT_HTTP_TIMEOUT")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&s: &u64| s > 0)
            .unwrap_or(60),
    )
}

fn agent(stall: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(stall))
        .timeout_recv_response(Some(stall))
        .http_status_as_error(false)
        .user_agent("rpm-buildroot")
        .build()
        .into()
}

/// Downloads `url` to `dest` (temp file + rename). The transfer runs on its
/// own thread while this one watches its progress, so a stalled server
/// fails after the stall limit whatever phase it stalls in.
pub fn download(url: &str, dest: &Path) -> Result<()> {
    download_with_stall_limit(url, dest, stall_limit())
}

/// [`download`] with an explicit stall limit.
pub fn download_with_stall_limit(url: &str, dest: &Path, stall: Duration) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{mpsc, Arc};
    // The temp file belongs to this thread, so an abandoned transfer leaves
    // nothing behind: it is removed when this function returns an error.
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    let file = tmp.as_file().try_clone().map_err(|e| Error::io(dir, e))?;
    let progress = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel();
    {
        let (url, dest, progress) = (url.to_string(), dest.to_path_buf(), progress.clone());
        std::thread::spawn(move || {
            let _ = tx.send(transfer(&url, &dest, file, stall, &progress));
        });
    }
    let (mut seen, mut since) = (0u64, std::time::Instant::now());
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(res) => {
                res?;
                return tmp
                    .persist(dest)
                    .map(|_| ())
                    .map_err(|e| Error::io(dest, e.error));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Http {
                    url: url.to_string(),
                    msg: "download thread ended without an answer".into(),
                })
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = progress.load(Ordering::Relaxed);
                if now != seen {
                    (seen, since) = (now, std::time::Instant::now());
                } else if since.elapsed() >= stall {
                    return Err(Error::Http {
                        url: url.to_string(),
                        msg: format!(
                            "stalled: no data for {} s after {now} bytes (RPM_BUILDROOT_HTTP_TIMEOUT sets the limit)",
                            stall.as_secs()
                        ),
                    });
                }
            }
        }
    }
}

/// The transfer itself into `file` (the caller's temp file); `progress`
/// counts the body bytes received.
fn transfer(
    url: &str,
    dest: &Path,
    file: fs::File,
    stall: Duration,
    progress: &std::sync::atomic::AtomicU64,
) -> Result<()> {
    let http = |msg: String| Error::Http {
        url: url.to_string(),
        msg,
    };
    let mut resp = agent(stall)
        .get(url)
        .call()
        .map_err(|e| http(e.to_string()))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(http(format!("HTTP {}", status.as_u16())));
    }
    let mut out = std::io::BufWriter::new(file);
    let mut body = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = body
            .read(&mut buf)
            .map_err(|e| http(format!("download failed: {e}")))?;
        if n == 0 {
            break;
        }
        progress.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        out.write_all(&buf[..n]).map_err(|e| Error::io(dest, e))?;
    }
    out.flush().map_err(|e| Error::io(dest, e))?;
    Ok(())
}

/// Makes a repo-relative file available locally and returns its path. HTTP
/// files go into `cache`; `cache_key` (e.g. the checksum) names the cached
/// copy so it is reused while it stays the same.
pub fn local_file(
    loc: &Location,
    href: &str,
    cache: Option<&Path>,
    cache_key: Option<&str>,
) -> Result<PathBuf> {
    match loc {
        Location::Dir(d) => Ok(d.join(href)),
        Location::Http(base) => {
            let cache = cache.ok_or_else(|| {
                Error::Usage(format!("{base}: HTTP repositories need a cache directory"))
            })?;
            let dir = cache.join(cache_dir_name(base));
            let file_name = href.rsplit('/').next().unwrap_or(href);
            let dest = match cache_key {
                Some(k) => dir.join(format!("{k}-{file_name}")),
                None => dir.join(file_name),
            };
            if cache_key.is_none() || !dest.exists() {
                download(&format!("{base}{href}"), &dest)?;
            }
            Ok(dest)
        }
    }
}

/// A filesystem-safe directory name for a base URL.
pub(super) fn cache_dir_name(base: &str) -> String {
    base.trim_end_matches('/')
        .split("://")
        .last()
        .unwrap_or(base)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
