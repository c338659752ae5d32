//! HTTP downloads that survive what mirrors do every day, in the spirit of
//! librepo (what dnf downloads with; its `lr_download` and curl's
//! low-speed limits) and dnf's `timeout`/`minrate` options:
//!
//! - a transfer slower than `minrate` bytes/s over `timeout` seconds (or
//!   one that cannot connect or get an answer within `timeout`) is
//!   abandoned, as librepo has curl do (defaults: dnf's 30 s, 1000 B/s);
//! - failures that may pass (5xx, 408, 429, a connection refused, reset or
//!   timed out, a stall, a body shorter than its Content-Length) are
//!   retried (a cut body says whether a reset or a close cut it, as curl
//!   does: `conn_watch.rs`), `retries` times after the first attempt
//!   (librepo gives one URL at most 4 tries), after an exponential backoff
//!   (`backoff`, doubled each time; librepo retries at once, we give an
//!   overloaded server a moment), or the server's `Retry-After` (seconds or
//!   an HTTP date), each wait capped at `max_wait`;
//! - a host name the resolver does not know is retried at once (as
//!   librepo does; waiting changes nothing);
//! - a retry resumes with `Range: bytes=N-` (and `If-Range`, so a changed
//!   file is not spliced) when the server said `Accept-Ranges: bytes` or
//!   answered a range with 206; otherwise it starts again from byte 0;
//! - another 4xx answer (404, 403, 401, 410, ...) is retried too, at once:
//!   librepo takes any answer but a 2xx as a failed transfer like any
//!   other and tries again without waiting (`check_finished_transfer_status`:
//!   `LRE_BADSTATUS`, never fatal), which brings a file a load-balanced
//!   mirror's lagging node lacks from another node; a typo'd URL then
//!   fails after its tries in a moment, as waiting would change nothing;
//!   at most librepo's 4 tries ([`BAD_STATUS_TRIES`](attempts::BAD_STATUS_TRIES)), whatever `retries`;
//! - a TLS failure (a handshake that fails, a certificate that does not
//!   verify) and a proxy's refusal of a tunnel (403, 407) are retried at
//!   once too, on the same count: librepo retries every curl error but a
//!   few it takes as fatal (a CA file it cannot read, a proxy name it
//!   cannot resolve, a write error), and these are not among them; an
//!   `http://` URL goes to an HTTP(S) proxy as a plain request, not a
//!   tunnel, as curl sends it (`plain_proxy.rs`), and the proxy's answer
//!   to it is read as any answer (its 407 retried at once, as a 4xx);
//! - so is every other answer that is not 2xx once redirects are followed
//!   (a 3xx without a `Location`, even as the 7th answer; an unasked 101
//!   or a 9xx as the final answer: the 1xx before an answer are read past,
//!   headers and all, `conn_watch.rs`), a redirect curl would not follow
//!   (past its 6, to a scheme other than http(s), to a `Location` that is
//!   no URL), an answer with two different `Location` headers, a 1xx and
//!   then a close, a 206 for another range, a whole 2xx to a resumed
//!   request: curl's errors for those are not among librepo's fatal ones;
//! - any 2xx is a complete transfer, as librepo checks `code / 100 == 2`
//!   alone: its body (a 204's is empty) is the file, held to its checksum;
//! - a complete download its check refuses (a checksum mismatch, a stale
//!   repomd.xml) is downloaded again from byte 0, at once; a file's
//!   failures of every kind count in one budget of attempts, as librepo
//!   counts a file's failed transfers (a 503 then mismatches: 4 requests);
//! - the final error is one line: the URL, the last cause, and the number
//!   of attempts;
//! - a connection the server keeps alive carries the next request to it,
//!   as curl's connection cache has it (`agents.rs`): one kept after a 2xx
//!   or 3xx only, and one the server closed under a request before any
//!   byte of the answer costs no attempt (made again at once on a fresh
//!   connection, as curl's `Curl_retry_request`).
//!
//! The file is written to a temporary path beside the destination and
//! renamed into place only when complete (and verified, for
//! [`download_verified`]), so a failed download leaves nothing behind;
//! SIGINT or SIGTERM removes it before the run ends (`atomic::on_signal`),
//! and the temp file of a run killed otherwise (SIGKILL, a crash) is
//! removed by a later one ([`sweep_stale_temps`]).
//! Settings come from `RPM_BUILDROOT_HTTP_*` variables ([`HttpSettings`],
//! [`HTTP_ENV_HELP`]) and from the repo's own `.repo` options (its
//! `access`: credentials, proxy, TLS; `access.rs`), applied to the agent of
//! each request (one per set of settings over the run, [`agents`]); what happens is reported to an optional [`DownloadObserver`]
//! (the tools draw progress with it).

//!
//! This file holds the entry points, the events and the temp files; one
//! file's attempts and the stall watcher are in [`attempts`], one request
//! and its answer in [`request`], a plain request through a proxy in
//! [`plain_proxy`], the agents requests share in [`agents`].

use std::fs::File;
use std::io::Seek;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use super::compress::{file_digest, Expected, Hasher};
use crate::error::{Error, Result};

use super::http_answer::http_time;
pub use super::http_answer::retry_after;
pub use super::http_settings::{HttpSettings, HTTP_ENV_HELP};
use attempts::fetch_into;

mod agents;
mod attempts;
mod plain_proxy;
mod proxy_tls;
mod redirect_body;
mod request;

/// What a download reports as it goes.
#[derive(Clone, Copy, Debug)]
pub enum DownloadEvent<'a> {
    /// An attempt starts, at byte `from`; `total` once the server said it.
    Attempt {
        /// What is downloaded.
        url: &'a str,
        /// The byte the attempt starts at.
        from: u64,
        /// The file's size, once known.
        total: Option<u64>,
    },
    /// `bytes` of the file are here (resumed bytes included).
    Progress {
        /// What is downloaded.
        url: &'a str,
        /// Bytes here so far.
        bytes: u64,
    },
    /// Attempt `attempt` of `of` failed with `cause`; the next starts after `wait`.
    Retrying {
        /// What is downloaded.
        url: &'a str,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// How many attempts are made.
        of: u32,
        /// Why it failed.
        cause: &'a str,
        /// The wait before the next attempt.
        wait: Duration,
    },
    /// The download ended (complete, or failed for good).
    Done {
        /// What was downloaded.
        url: &'a str,
        /// Whether the file is complete.
        ok: bool,
    },
}

/// Receives [`DownloadEvent`]s, from any thread.
pub trait DownloadObserver: Send + Sync {
    /// Called for every event; must not block.
    fn event(&self, e: &DownloadEvent);
}

static OBSERVER: RwLock<Option<Arc<dyn DownloadObserver>>> = RwLock::new(None);

/// Sets (or with `None` clears) the process-wide download observer.
pub fn set_download_observer(o: Option<Arc<dyn DownloadObserver>>) {
    *OBSERVER.write().unwrap_or_else(|e| e.into_inner()) = o;
}

fn notify(e: DownloadEvent) {
    let o = OBSERVER.read().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(o) = o {
        o.event(&e);
    }
}

/// Downloads `url` to `dest` with the settings of the environment.
pub fn download(url: &str, dest: &Path) -> Result<()> {
    download_verified(url, dest, None, &HttpSettings::from_env()?)
}

/// Downloads `url` to `dest`; with `expected` (repomd.xml's checksum), the
/// file must have that checksum: a mismatch is downloaded again, from
/// byte 0, then fails. Nothing is left at `dest` (or beside it) on failure.
pub fn download_verified(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    s: &HttpSettings,
) -> Result<()> {
    download_listed(url, dest, expected, "repomd.xml", s)
}

/// [`download_verified`] for a checksum that `listed_in` records (for a
/// mismatch's message: `repomd.xml` for metadata, `primary.xml` for a
/// package).
pub fn download_listed(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    listed_in: &str,
    s: &HttpSettings,
) -> Result<()> {
    download_listed_open(url, dest, expected, listed_in, s).map(drop)
}

/// [`download_verified`], returning the downloaded file open for reading
/// from its start: what the caller reads is what this download wrote, even
/// when another run (or another repo of this run whose URL gives the same
/// cache directory) renames its own download over `dest` a moment later.
/// For files read whole right away (repomd.xml, metalinks, mirrorlists).
/// Such a file is read into memory: one larger than [`MAX_WHOLE`] is
/// refused (a server streaming without end would fill the disk, then the
/// memory).
pub fn download_open(url: &str, dest: &Path, s: &HttpSettings) -> Result<File> {
    download_open_checked(url, dest, None, s)
}

/// [`download_open`] of a file held to `verify` (repomd.xml against a
/// metalink's hashes), in the download's one budget of attempts.
pub(super) fn download_open_checked(
    url: &str,
    dest: &Path,
    verify: Option<Verify>,
    s: &HttpSettings,
) -> Result<File> {
    let s = HttpSettings {
        max_len: s.max_len.or(Some((
            MAX_WHOLE,
            "a repomd.xml, metalink or mirrorlist may have",
        ))),
        ..s.clone()
    };
    download_checked_open(url, dest, verify, &s, None)
}

/// The most bytes of a file [`download_open`] fetches: Fedora's repomd.xml
/// is a few kB, its metalinks some hundred.
pub const MAX_WHOLE: u64 = 64 << 20;

/// What a complete download is held to before it is kept: `Ok(None)` when
/// it passes, `Ok(Some(cause))` when its bytes are not the ones wanted (a
/// checksum mismatch, a stale repomd.xml). Such a download is one failed
/// attempt of the file like any other, as librepo counts it: the file is
/// downloaded again, from byte 0 and at once, within the same budget of
/// attempts as a 503 or a reset ([`BAD_STATUS_TRIES`](attempts::BAD_STATUS_TRIES) at most). An `Err`
/// is ours (the file cannot be read back) and ends the download.
pub(super) type Verify<'a> = &'a dyn Fn(&Path) -> Result<Option<String>>;

pub(crate) fn download_listed_open(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    listed_in: &str,
    s: &HttpSettings,
) -> Result<File> {
    download_listed_timed(url, dest, expected, listed_in, s, None)
}

/// [`download_listed_open`] of a package (an SRPM the cache keeps): the
/// file takes the server's `Last-Modified` as its modification time, when
/// the server gives one, as `wget` and `curl -R` keep it, else `listed`
/// (primary.xml's `<time file>`, when it gives one). An SRPM's mtime is
/// its `<time file>` in create-srpm-repos' repos (`docs/formats.md`
/// section 2a), which is then the mirror's file's, as for a local repo's
/// SRPM linked into the cache, not the moment of the download: the same
/// repos whichever machine, cache or mirror fetched the SRPMs, and when.
/// Only with neither is it the download's time. Metadata keeps the
/// download's time (the cache prunes by it).
pub(crate) fn download_package_open(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    listed: Option<SystemTime>,
    s: &HttpSettings,
) -> Result<File> {
    download_listed_timed(url, dest, expected, "primary.xml", s, Some(listed))
}

fn download_listed_timed(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    listed_in: &str,
    s: &HttpSettings,
    server_time: Option<Option<SystemTime>>,
) -> Result<File> {
    // Types we cannot compute are left to the caller (as librepo passes
    // them over); a file we cannot read back to hash is an error, not a
    // pass. Digits that match but for their case are a mismatch too,
    // retried as librepo retries it (it compares with `strcmp`): the line
    // then says why no download matched.
    let sum = |path: &Path| -> Result<Option<String>> {
        let Some(want) = expected.filter(|w| Hasher::new(&w.algo).is_some()) else {
            return Ok(None);
        };
        let got = file_digest(path, &want.algo)?;
        Ok((got != want.hex).then(|| {
            format!(
                "checksum mismatch: {listed_in} says {} {}, the download has {got}{}",
                want.algo,
                want.hex,
                crate::error::case_hint(&want.hex, &got)
            )
        }))
    };
    download_checked_open(url, dest, expected.map(|_| &sum as Verify), s, server_time)
}

/// Downloads `url` into a temp file beside `dest`, holds it to `verify`
/// within the attempts of [`fetch_into`], and renames it into place; with
/// `server_time` `Some(fallback)`, its mtime set to the server's
/// `Last-Modified` first, or to `fallback` when the server sent none.
fn download_checked_open(
    url: &str,
    dest: &Path,
    verify: Option<Verify>,
    s: &HttpSettings,
    server_time: Option<Option<SystemTime>>,
) -> Result<File> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    sweep_stale_temps(dir);
    // SIGINT or SIGTERM removes it, as it removes the atomic writes' temps
    // (`atomic::on_signal`), rather than leaving it to a later run's sweep.
    let (tmp, registered) = temp_file_in(dir)?;
    let res = fetch_into(url, &tmp, verify, s);
    notify(DownloadEvent::Done {
        url,
        ok: res.is_ok(),
    });
    let res = res.and_then(|modified| {
        let time =
            server_time.and_then(|fallback| modified.as_deref().and_then(http_time).or(fallback));
        match time {
            Some(t) => tmp
                .as_file()
                .set_modified(t)
                .map_err(|e| Error::io(dest, e)),
            None => Ok(()),
        }
    });
    if let Err(e) = res {
        // Removed before it is let go: a signal in between finds it gone.
        drop(tmp);
        drop(registered);
        return Err(e);
    }
    let mut f = persist_registered(tmp, registered, dest)?;
    f.rewind().map_err(|e| Error::io(dest, e))?;
    Ok(f)
}

/// Renames a download's temp file `tmp`, registered with `atomic`'s signal
/// watcher, to `dest`, and then lets the registration go (whatever the
/// rename did: a failed one removes the temp file first). After a signal,
/// the thread waits for the watcher to end the run instead, renaming
/// nothing; a signal during the rename finds either the temp file, which
/// it removes, or a complete, checked file in place.
fn persist_registered(
    tmp: tempfile::NamedTempFile,
    registered: crate::atomic::Registered,
    dest: &Path,
) -> Result<File> {
    crate::atomic::wait_if_interrupted();
    let f = tmp.persist(dest).map_err(|e| Error::io(dest, e.error));
    drop(registered);
    f
}

/// How old a temp file must be before a later run removes it: a live
/// download rewrites its file at least every `timeout`, or waits at most
/// `max_wait` between attempts (both far below an hour unless set so), so
/// only a killed run's leftovers get this old. The pool cache uses the same.
pub(crate) const STALE_TEMP: Duration = Duration::from_secs(3600);

/// Removes, once per directory and process, the temp files killed runs
/// left in `dir` (SIGKILL, a crash, a power cut: SIGINT and SIGTERM leave
/// none, as downloads register their temps with `atomic::on_signal` as the
/// atomic writes do, which removes them before the signal ends the run):
/// ours only, `.tmpXXXXXX` (tempfile's names, as downloads use) and
/// `.tmp-XXXXXX` (atomic writes), and only old ones (`STALE_TEMP`), so a
/// concurrent run's download is left alone. Failures are ignored: a
/// leftover costs space, never correctness (no run reads it).
pub fn sweep_stale_temps(dir: &Path) {
    static SWEPT: Mutex<Vec<std::path::PathBuf>> = Mutex::new(Vec::new());
    super::prune::remove_old_files(dir, &SWEPT, is_our_temp_name);
}

/// `.tmp` then an optional `-` and tempfile's 6 random alphanumerics.
pub(crate) fn is_our_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(".tmp") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A temp file for a download into `dir`, mode 0644 less what the umask
/// takes (tempfile's default 0600 would be kept by the rename: the HTTP
/// cache is shared, and create-srpm-repos hard-links cached SRPMs into the
/// repos it publishes), registered with the signal watcher as it is made
/// (`atomic::temp_removed_on_signal`).
///
/// A directory that is gone is created again, once: a concurrent run's
/// pruning (`prune::remove_unused_dirs`) removes a per-URL directory
/// unused for a month as soon as it is empty, which it can be between
/// this download's `create_dir_all` and its temp file (an empty
/// directory is all it checks for; the temp file, once there, keeps it).
fn temp_file_in(dir: &Path) -> Result<(tempfile::NamedTempFile, crate::atomic::Registered)> {
    let create = || crate::atomic::temp_removed_on_signal(dir, new_file_0644);
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).and_then(|()| create())
        }
        r => r,
    }
    .map_err(|e| Error::io(dir, e))
}

/// Creates the file `path`, which must not exist, for reading and writing,
/// mode 0644 less what the umask takes (downloads' files, and their
/// checked copies).
pub(crate) fn new_file_0644(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(path)
}

/// A server on 127.0.0.1 for the rpmmd unit tests: it gives every
/// connection the same canned `reply` and counts them.
#[cfg(test)]
pub(in crate::rpmmd) mod test_server {
    use std::io::{BufRead, Write};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// Starts the server; returns its port and the count of connections.
    /// With `read_request` each request's head is read whole before the
    /// reply (a close with bytes unread would be a reset, which clients
    /// retry after the backoff); without, nothing is read (a TLS client's
    /// hello waits for an answer that is no TLS record).
    pub fn answering(reply: &'static [u8], read_request: bool) -> (u16, Arc<AtomicU64>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = Arc::new(AtomicU64::new(0));
        let seen = count.clone();
        std::thread::spawn(move || {
            for c in listener.incoming().flatten() {
                if read_request {
                    let mut r = std::io::BufReader::new(&c);
                    let mut line = String::new();
                    while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = (&c).write_all(reply);
            }
        });
        (port, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpmmd::http_answer::{
        content_range, describe, proxy_lookup_failure, retryable, same_answer,
    };
    use std::io::Read;
    use std::sync::atomic::Ordering;
    use std::time::{Instant, SystemTime};

    /// The download's directory, removed (empty) by a concurrent run's
    /// pruning after this one created it: the temp file goes into it
    /// anyway, instead of failing the run with "No such file or directory".
    #[test]
    fn a_download_directory_pruned_meanwhile_is_created_again() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("mirror.example_os-0123456789abcdef");
        std::fs::create_dir(&dir).unwrap();
        // What `prune::remove_unused_dirs` of another run does then.
        std::fs::remove_dir(&dir).unwrap();
        let (tmp, _registered) = temp_file_in(&dir).unwrap();
        assert_eq!(tmp.path().parent(), Some(dir.as_path()));
    }

    #[test]
    fn a_lookup_that_fails_for_the_proxys_name_is_said_so() {
        let lookup = || {
            ureq::Error::Io(std::io::Error::other(
                "failed to lookup address information: Name or service not known",
            ))
        };
        let said = |proxy: &str, url: &str, e: ureq::Error| {
            proxy_lookup_failure(&ureq::Proxy::new(proxy).unwrap(), url, &e)
        };
        let msg = "the proxy's host name p.invalid cannot be resolved: failed to lookup \
                   address information: Name or service not known";
        // Only the proxy's name is looked up here: HTTP(S), socks5h, socks4a.
        for proxy in [
            "http://p.invalid:3128",
            "socks5h://p.invalid",
            "socks4a://p.invalid",
        ] {
            let got = said(proxy, "https://mirror.example/repomd.xml", lookup());
            assert_eq!(got.as_deref(), Some(msg), "{proxy}");
        }
        // socks5 resolves the target here too: the name could be either,
        // unless the target is an address.
        assert_eq!(
            said("socks5://p.invalid", "http://m.example/x", lookup()),
            None
        );
        assert_eq!(
            said("socks5://p.invalid", "http://[::1]:8080/x", lookup()).as_deref(),
            Some(msg)
        );
        assert_eq!(
            said(
                "http://p.invalid:3128",
                "http://m.example/x",
                ureq::Error::HostNotFound
            )
            .as_deref(),
            Some("the proxy's host name p.invalid cannot be resolved: no address")
        );
        // Another failure is the usual one.
        let refused = ureq::Error::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert_eq!(
            said("http://p.invalid:3128", "http://m.example/x", refused),
            None
        );
    }

    #[test]
    fn settings_from_variables() {
        let s = HttpSettings::from_vars(|_| None).unwrap();
        assert_eq!(s, HttpSettings::default());
        let vars = [
            ("RPM_BUILDROOT_HTTP_RETRIES", "5"),
            ("RPM_BUILDROOT_HTTP_BACKOFF", "0.05"),
            ("RPM_BUILDROOT_HTTP_TIMEOUT", "2"),
        ];
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let s = HttpSettings::from_vars(get).unwrap();
        assert_eq!(s.retries, 5);
        assert_eq!(s.backoff, Duration::from_millis(50));
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(s.backoff_for(1), Duration::from_millis(50));
        assert_eq!(s.backoff_for(3), Duration::from_millis(200));
        let e = HttpSettings::from_vars(|k| {
            (k == "RPM_BUILDROOT_HTTP_TIMEOUT").then(|| "0".to_string())
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "RPM_BUILDROOT_HTTP_TIMEOUT='0': expected a number of seconds above 0"
        );
        assert!(HttpSettings::from_vars(|k| {
            (k == "RPM_BUILDROOT_HTTP_RETRIES").then(|| "many".to_string())
        })
        .is_err());
        // Waits are capped.
        let s = HttpSettings::default();
        assert_eq!(s.backoff_for(10), Duration::from_secs(30));
    }

    /// Packages at once: dnf's 3 and 3 unless set, librepo's 1 to 20
    /// (dnf fails on another `max_parallel_downloads`); `--dnf-conf`'s
    /// `[main]` (a repo's inherited values) wins over the variables.
    #[test]
    fn parallel_downloads_from_variables_and_dnf_conf() {
        let one =
            |k: &'static str, v: &'static str| move |key: &str| (key == k).then(|| v.to_string());
        let s = HttpSettings::from_vars(|_| None).unwrap();
        assert_eq!((s.parallel_downloads, s.downloads_per_mirror), (3, 3));
        let s = HttpSettings::from_vars(one("RPM_BUILDROOT_HTTP_PARALLEL", "20")).unwrap();
        assert_eq!(s.parallel_downloads, 20);
        let s = HttpSettings::from_vars(one("RPM_BUILDROOT_HTTP_PER_MIRROR", " 1 ")).unwrap();
        assert_eq!(s.downloads_per_mirror, 1);
        for (k, v) in [
            ("RPM_BUILDROOT_HTTP_PARALLEL", "0"),
            ("RPM_BUILDROOT_HTTP_PARALLEL", "21"),
            ("RPM_BUILDROOT_HTTP_PARALLEL", "-1"),
            ("RPM_BUILDROOT_HTTP_PER_MIRROR", "2.5"),
        ] {
            let e = HttpSettings::from_vars(one(k, v)).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("{k}='{v}': expected a whole number from 1 to 20")
            );
        }
        let mut access = crate::rpmmd::RepoAccess::default();
        access.parallel.downloads = Some(1);
        access.parallel.per_mirror = Some(4);
        let s = HttpSettings::for_repo(&access).unwrap();
        assert_eq!((s.parallel_downloads, s.downloads_per_mirror), (1, 4));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        for date in [
            "Sun, 06 Nov 1994 08:50:37 GMT",
            "Sunday, 06-Nov-94 08:50:37 GMT",
            "Sun Nov  6 08:50:37 1994",
        ] {
            assert_eq!(
                retry_after(date, now),
                Some(Duration::from_secs(60)),
                "{date}"
            );
        }
        assert_eq!(
            retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now), None);
    }

    /// A 404 is retried at once, 4 times in all (librepo's tries of any
    /// answer but a 2xx); with a backoff of 2 s "at once" can be told from
    /// a wait however loaded the machine (the integration tests' 50 ms
    /// could not be).
    #[test]
    fn a_404_is_retried_at_once() {
        let (port, requests) =
            test_server::answering(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", true);
        let dir = tempfile::tempdir().unwrap();
        let s = HttpSettings {
            backoff: Duration::from_secs(2),
            retries: 20,
            ..HttpSettings::default()
        };
        let url = format!("http://127.0.0.1:{port}/f");
        let start = Instant::now();
        let e = download_verified(&url, &dir.path().join("f"), None, &s)
            .unwrap_err()
            .to_string();
        assert!(start.elapsed() < Duration::from_secs(2), "{e}");
        assert!(e.contains("HTTP 404"), "{e}");
        assert!(e.ends_with(" (gave up after 4 attempts)"), "{e}");
        assert_eq!(requests.load(Ordering::SeqCst), 4);
    }

    /// A TLS failure is retried at once, 4 times in all, as dnf 4.14 made
    /// 4 handshakes with a plain-HTTP server behind an `https://` URL
    /// (curl's "SSL connect error" is no fatal error to librepo).
    #[test]
    fn tls_errors_are_retried_at_once() {
        // A plain-HTTP server: its answer is no TLS record.
        let (port, connections) = test_server::answering(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            false,
        );
        let dir = tempfile::tempdir().unwrap();
        let s = HttpSettings {
            backoff: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            retries: 20,
            ..HttpSettings::default()
        };
        let url = format!("https://127.0.0.1:{port}/f");
        let start = Instant::now();
        let e = download_verified(&url, &dir.path().join("f"), None, &s)
            .unwrap_err()
            .to_string();
        // At once: no backoff.
        assert!(start.elapsed() < Duration::from_secs(2), "{e}");
        assert!(e.starts_with(&format!("{url}: connection failed: ")), "{e}");
        assert!(e.ends_with(" (gave up after 4 attempts)"), "{e}");
        assert_eq!(connections.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn an_open_download_is_read_as_written_whatever_replaces_it() {
        let (port, _) =
            test_server::answering(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nmine", true);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("repomd.xml");
        let url = format!("http://127.0.0.1:{port}/repomd.xml");
        let mut f = download_open(&url, &dest, &HttpSettings::default()).unwrap();
        // Another run renames its own download over ours before we read.
        let theirs = dir.path().join("theirs");
        std::fs::write(&theirs, "theirs").unwrap();
        std::fs::rename(&theirs, &dest).unwrap();
        let mut got = String::new();
        f.read_to_string(&mut got).unwrap();
        assert_eq!(got, "mine");
    }

    #[test]
    fn only_our_temp_names_are_swept() {
        for ours in [".tmpAb3xYz", ".tmp-Ab3xYz"] {
            assert!(is_our_temp_name(ours), "{ours}");
        }
        for other in [
            ".tmpAb3xY",
            ".tmp-Ab3xYz1",
            ".tmpAb3.yz",
            "tmpAb3xYz",
            ".tmp",
        ] {
            assert!(!is_our_temp_name(other), "{other}");
        }
    }

    #[test]
    fn proxy_refusals_are_read_from_ureqs_message() {
        let refused = ureq::Error::ConnectProxyFailed("proxy server responded 407/407".into());
        assert_eq!(describe(&refused), "the proxy answered HTTP 407");
        // Retried at once, as librepo retries curl's receive error.
        assert!(retryable(&refused) && same_answer(&refused));
        let busy = ureq::Error::ConnectProxyFailed("proxy server responded 503/503".into());
        assert!(retryable(&busy) && !same_answer(&busy));
        let silent = ureq::Error::ConnectProxyFailed("proxy server did not respond".into());
        assert_eq!(
            describe(&silent),
            "the proxy failed: proxy server did not respond"
        );
        assert!(retryable(&silent));
    }

    #[test]
    fn content_ranges() {
        assert_eq!(content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(content_range("bytes 100-199/*"), Some((100, None)));
        assert_eq!(content_range("items 1-2/3"), None);
    }
}
