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
//!   file comes whole) when the server said `Accept-Ranges: bytes` or
//!   answered a range with 206; otherwise it starts again from byte 0;
//! - another 4xx answer (404, 403, 401, 410, ...) is retried too, at once:
//!   librepo takes any answer but a 2xx as a failed transfer like any
//!   other and tries again without waiting (`check_finished_transfer_status`:
//!   `LRE_BADSTATUS`, never fatal), which brings a file a load-balanced
//!   mirror's lagging node lacks from another node; a typo'd URL then
//!   fails after its tries in a moment, as waiting would change nothing;
//!   at most librepo's 4 tries ([`BAD_STATUS_TRIES`]), whatever `retries`;
//! - a TLS failure (a handshake that fails, a certificate that does not
//!   verify) and a proxy's refusal of a tunnel (403, 407) are retried at
//!   once too, on the same count: librepo retries every curl error but a
//!   few it takes as fatal (a CA file it cannot read, a proxy name it
//!   cannot resolve, a write error), and these are not among them;
//! - other answers (a 3xx without `Location`) fail at once;
//! - a complete download its check refuses (a checksum mismatch, a stale
//!   repomd.xml) is downloaded again from byte 0, at once; a file's
//!   failures of every kind count in one budget of attempts, as librepo
//!   counts a file's failed transfers (a 503 then mismatches: 4 requests);
//! - the final error is one line: the URL, the last cause, and the number
//!   of attempts.
//!
//! The file is written to a temporary path beside the destination and
//! renamed into place only when complete (and verified, for
//! [`download_verified`]), so a failed download leaves nothing behind; the
//! temp file of a killed run is removed by a later one
//! ([`sweep_stale_temps`]).
//! Settings come from `RPM_BUILDROOT_HTTP_*` variables ([`HttpSettings`],
//! [`HTTP_ENV_HELP`]) and from the repo's own `.repo` options (its
//! `access`: credentials, proxy, TLS; `access.rs`), applied to each attempt's
//! agent; what happens is reported to an optional [`DownloadObserver`]
//! (the tools draw progress with it).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use super::compress::{file_digest, Expected, Hasher};
use super::conn_watch::{ReadFailure, Watch};
use crate::error::{io_message, Error, Result};
use ureq::unversioned::transport::Connector as _;

pub use super::http_answer::retry_after;
use super::http_answer::{content_range, describe, proxy_lookup_failure, retryable, same_answer};
pub use super::http_settings::{HttpSettings, HTTP_ENV_HELP};
use super::redirect;

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
    download_checked_open(url, dest, verify, &s)
}

/// The most bytes of a file [`download_open`] fetches: Fedora's repomd.xml
/// is a few kB, its metalinks some hundred.
pub const MAX_WHOLE: u64 = 64 << 20;

/// What a complete download is held to before it is kept: `Ok(None)` when
/// it passes, `Ok(Some(cause))` when its bytes are not the ones wanted (a
/// checksum mismatch, a stale repomd.xml). Such a download is one failed
/// attempt of the file like any other, as librepo counts it: the file is
/// downloaded again, from byte 0 and at once, within the same budget of
/// attempts as a 503 or a reset ([`BAD_STATUS_TRIES`] at most). An `Err`
/// is ours (the file cannot be read back) and ends the download.
pub(super) type Verify<'a> = &'a dyn Fn(&Path) -> Result<Option<String>>;

fn download_listed_open(
    url: &str,
    dest: &Path,
    expected: Option<&Expected>,
    listed_in: &str,
    s: &HttpSettings,
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
    download_checked_open(url, dest, expected.map(|_| &sum as Verify), s)
}

/// Downloads `url` into a temp file beside `dest`, holds it to `verify`
/// within the attempts of [`fetch_into`], and renames it into place.
fn download_checked_open(
    url: &str,
    dest: &Path,
    verify: Option<Verify>,
    s: &HttpSettings,
) -> Result<File> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    sweep_stale_temps(dir);
    let tmp = temp_file_in(dir)?;
    let res = fetch_into(url, &tmp, verify, s);
    notify(DownloadEvent::Done {
        url,
        ok: res.is_ok(),
    });
    res?;
    let mut f = tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    f.rewind().map_err(|e| Error::io(dest, e))?;
    Ok(f)
}

/// How old a temp file must be before a later run removes it: a live
/// download rewrites its file at least every `timeout`, or waits at most
/// `max_wait` between attempts (both far below an hour unless set so), so
/// only a killed run's leftovers get this old. The pool cache uses the same.
pub(crate) const STALE_TEMP: Duration = Duration::from_secs(3600);

/// Removes, once per directory and process, the temp files killed runs
/// left in `dir` (SIGKILL, a crash, a power cut; SIGINT and SIGTERM leave
/// downloads' temps too, as those are not registered with `on_signal`,
/// while the atomic writes' are removed on them): ours only, `.tmpXXXXXX`
/// (tempfile's names, as downloads use) and `.tmp-XXXXXX` (atomic
/// writes), and only old ones
/// (`STALE_TEMP`), so a concurrent run's download is left alone. Failures
/// are ignored: a leftover costs space, never correctness (no run reads it).
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
/// repos it publishes).
///
/// A directory that is gone is created again, once: a concurrent run's
/// pruning (`prune::remove_unused_dirs`) removes a per-URL directory
/// unused for a month as soon as it is empty, which it can be between
/// this download's `create_dir_all` and its temp file (an empty
/// directory is all it checks for; the temp file, once there, keeps it).
fn temp_file_in(dir: &Path) -> Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let create = || {
        tempfile::Builder::new()
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(dir)
    };
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).and_then(|()| create())
        }
        r => r,
    }
    .map_err(|e| Error::io(dir, e))
}

/// The file being written, shared by the attempts. An attempt writes only
/// while `generation` is its own, so one abandoned after a stall can never
/// write into the next attempt's bytes.
struct Sink {
    file: File,
    generation: u64,
    len: u64,
    /// The server resumes (`Accept-Ranges: bytes`, or a 206).
    ranges: bool,
    /// `ETag` (strong) or `Last-Modified` of the file, for `If-Range`.
    validator: Option<String>,
}

impl Sink {
    fn truncate(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.len = 0;
        Ok(())
    }
}

/// How one attempt ended.
enum Outcome {
    Done,
    /// `retry`: the failure may pass; `wait`: instead of the backoff (the
    /// server's Retry-After, or none at all).
    Failed {
        cause: String,
        retry: bool,
        wait: Option<Duration>,
        /// The most attempts in all that failing so allows, when fewer
        /// than the settings' (an answer retried at once:
        /// [`BAD_STATUS_TRIES`]).
        most: Option<u32>,
    },
    /// The file could not be written (a full disk, say): our side's
    /// problem, not the server's, so the error names the cache directory
    /// (as an I/O error under it, which `skip_if_unavailable` does not pass
    /// over) and nothing is retried, as librepo takes curl's write error
    /// as fatal.
    Unwritable(std::io::Error),
}

fn failed(cause: impl Into<String>, retry: bool) -> Outcome {
    Outcome::Failed {
        cause: cause.into(),
        retry,
        wait: None,
        most: None,
    }
}

/// How many times one URL is tried in all when a server answers a 4xx
/// (other than 408, 429 and a resumed range's 416), retried at once:
/// librepo's 4 (`LRO_ALLOWEDMIRRORFAILURES`), whatever
/// `RPM_BUILDROOT_HTTP_RETRIES` allows: a burst of more 401s or 403s
/// could get the client banned.
const BAD_STATUS_TRIES: u32 = 4;

/// The attempts of one download into `tmp`, each held to `verify` once
/// complete. Every failure of the file counts in one budget, as librepo
/// counts a file's failed transfers whatever they were: `retries + 1`
/// attempts for what may pass (5xx, resets, stalls), at most
/// [`BAD_STATUS_TRIES`] when the last failure is of a kind retried at once
/// (a 4xx, a download `verify` refused). dnf 4.14 asked a primary.xml
/// that answered 503 then never matched 4 times in all, as one that
/// answered 503 three times then matched: 4 requests.
fn fetch_into(
    url: &str,
    tmp: &tempfile::NamedTempFile,
    verify: Option<Verify>,
    s: &HttpSettings,
) -> Result<()> {
    let io = |e| Error::io(tmp.path(), e);
    let sink = Arc::new(Mutex::new(Sink {
        file: tmp.reopen().map_err(io)?,
        generation: 0,
        len: 0,
        ranges: false,
        validator: None,
    }));
    let attempts = s.retries + 1;
    // How many attempts were refused by `verify`, for the final line.
    let mut refused = 0;
    for attempt in 1..=attempts {
        let (from, validator) = {
            let mut k = sink.lock().unwrap_or_else(|e| e.into_inner());
            if !(k.ranges && k.len > 0) {
                k.truncate().map_err(io)?;
            }
            (k.len, k.validator.clone())
        };
        let outcome = match watch(url, from, validator, s, &sink) {
            Outcome::Done => match verify.map(|v| v(tmp.path())).transpose()?.flatten() {
                None => return Ok(()),
                Some(cause) => {
                    refused += 1;
                    // Downloaded again whole: its bytes were all there.
                    let mut k = sink.lock().unwrap_or_else(|e| e.into_inner());
                    k.truncate().map_err(io)?;
                    Outcome::Failed {
                        cause,
                        retry: true,
                        wait: Some(Duration::ZERO),
                        most: Some(BAD_STATUS_TRIES),
                    }
                }
            },
            other => other,
        };
        let (cause, wait, most) = match outcome {
            Outcome::Done => unreachable!("a complete download returned above"),
            Outcome::Unwritable(e) => {
                let dir = tmp.path().parent().unwrap_or(tmp.path());
                let e = std::io::Error::new(
                    e.kind(),
                    format!("cannot write {url} here: {}", io_message(&e)),
                );
                return Err(Error::io(dir, e));
            }
            Outcome::Failed { cause, retry, .. } if !retry => {
                let msg = if attempt > 1 {
                    format!("{cause} (attempt {attempt})")
                } else {
                    cause
                };
                return Err(Error::Http {
                    url: url.to_string(),
                    msg,
                });
            }
            Outcome::Failed {
                cause, wait, most, ..
            } => (cause, wait, most),
        };
        let of = most.map_or(attempts, |m| m.min(attempts));
        if attempt >= of {
            return Err(Error::Http {
                url: url.to_string(),
                msg: gave_up(cause, attempt, refused == attempt, s.one_turn),
            });
        }
        let wait = wait
            .map(|w| w.min(s.max_wait))
            .unwrap_or_else(|| s.backoff_for(attempt));
        notify(DownloadEvent::Retrying {
            url,
            attempt,
            of,
            cause: &cause,
            wait,
        });
        std::thread::sleep(wait);
    }
    unreachable!("the last attempt returns")
}

/// The line of a download that failed `attempts` times, the last with
/// `cause`: a file every download of which was complete but refused
/// (`all_refused`) says how many times it was downloaded.
fn gave_up(cause: String, attempts: u32, all_refused: bool, one_turn: bool) -> String {
    match (attempts, all_refused) {
        (1, _) if one_turn => cause,
        (1, true) => format!("{cause} (downloaded once: no retries)"),
        (1, false) => format!("{cause} (one attempt: no retries)"),
        (2, true) => format!("{cause} (downloaded twice)"),
        (n, true) => format!("{cause} (downloaded {n} times)"),
        (n, false) => format!("{cause} (gave up after {n} attempts)"),
    }
}

/// Runs one attempt on its own thread and watches its progress: one that
/// averages less than `minrate` over `timeout` is abandoned as stalled.
fn watch(
    url: &str,
    from: u64,
    validator: Option<String>,
    s: &HttpSettings,
    sink: &Arc<Mutex<Sink>>,
) -> Outcome {
    let generation = sink.lock().unwrap_or_else(|e| e.into_inner()).generation;
    let progress = Arc::new(AtomicU64::new(from));
    // Until the answer's headers arrive, ureq's connect and answer timeouts judge.
    let answered = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel();
    {
        let (url, s, sink) = (url.to_string(), s.clone(), sink.clone());
        let (progress, answered) = (progress.clone(), answered.clone());
        std::thread::spawn(move || {
            let a = Attempt {
                url: &url,
                from,
                generation,
                s: &s,
                sink: &sink,
                progress: &progress,
                answered: &answered,
                read_failure: ReadFailure::default(),
            };
            let _ = tx.send(a.run(validator));
        });
    }
    // Progress samples of the last `timeout`: the average over that window
    // must reach `minrate` (at least one byte when minrate is 0).
    let need = ((s.minrate as f64 * s.timeout.as_secs_f64()) as u64).max(1);
    let mut samples: std::collections::VecDeque<(Instant, u64)> = Default::default();
    let mut last_report = from;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(outcome) => return outcome,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return failed("the download thread ended without an answer", true)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let now = progress.load(Ordering::Relaxed);
        if now != last_report {
            last_report = now;
            notify(DownloadEvent::Progress { url, bytes: now });
        }
        let t = Instant::now();
        if !answered.load(Ordering::Relaxed) || samples.back().is_some_and(|&(_, b)| now < b) {
            // Not answered yet (ureq's own timeouts judge), or restarted from 0.
            samples.clear();
        }
        samples.push_back((t, now));
        while samples.len() > 1 && t - samples[1].0 >= s.timeout {
            samples.pop_front();
        }
        let (t0, b0) = samples[0];
        if t - t0 < s.timeout || now - b0 >= need {
            continue;
        }
        // Abandoned: the thread may still be blocked in a read; it writes
        // nothing more once the generation has moved on.
        sink.lock().unwrap_or_else(|e| e.into_inner()).generation += 1;
        let pace = s.access.pace;
        let timeout = match pace.timeout {
            Some(_) => "the repo's timeout=",
            None => "RPM_BUILDROOT_HTTP_TIMEOUT",
        };
        let minrate = match pace.minrate {
            Some(_) => "its minrate=",
            None => "RPM_BUILDROOT_HTTP_MINRATE",
        };
        return failed(
            format!(
                "stalled: less than {} bytes/s for {} s after {now} bytes \
                 ({timeout} and {minrate} set the limits)",
                s.minrate,
                s.timeout.as_secs_f64()
            ),
            true,
        );
    }
}

/// One request and its body.
struct Attempt<'a> {
    url: &'a str,
    from: u64,
    generation: u64,
    s: &'a HttpSettings,
    sink: &'a Mutex<Sink>,
    progress: &'a AtomicU64,
    answered: &'a AtomicBool,
    /// How this attempt's connections failed a read (`conn_watch.rs`).
    read_failure: ReadFailure,
}

impl Attempt<'_> {
    /// `f` on the sink, unless this attempt has been abandoned (`None`).
    fn with_sink<T>(&self, f: impl FnOnce(&mut Sink) -> T) -> Option<T> {
        let mut k = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        (k.generation == self.generation).then(|| f(&mut k))
    }

    /// The agent for one request of `url`: the repo's proxy for it, its
    /// TLS settings, our timeouts; redirects are left to [`Self::run`].
    fn agent_for(
        &self,
        url: &str,
        tls: &Option<ureq::tls::TlsConfig>,
    ) -> Result<ureq::Agent, Outcome> {
        // Checked when the .repo file was read; an error here is no less final.
        let proxy = self.s.access.proxy(url).map_err(|e| failed(e, false))?;
        // Always set: ureq would otherwise pick the environment's proxy by
        // its own rules, not curl's.
        let mut config = ureq::Agent::config_builder().proxy(proxy);
        if let Some(tls) = tls {
            config = config.tls_config(tls.clone());
        }
        let config = config
            .timeout_connect(Some(self.s.timeout))
            .timeout_recv_response(Some(self.s.timeout))
            // A backstop for a read that never returns (the watcher's minrate
            // check comes first); per read, so a big file on a live link is fine.
            .timeout_per_read(Some(self.s.timeout * 2))
            // Bytes as the server has them (checksums and ranges are over those).
            .accept_encoding("identity")
            .http_status_as_error(false)
            .user_agent("rpm-buildroot")
            // Redirects are followed by `run`: credentials go to their own
            // scheme, host and port only, as curl sends them (`redirect.rs`).
            .max_redirects(0)
            .build();
        let connector = ureq::unversioned::transport::DefaultConnector::new()
            .chain(Watch(self.read_failure.clone()));
        let resolver = ureq::unversioned::resolver::DefaultResolver::default();
        Ok(ureq::Agent::with_parts(config, connector, resolver))
    }

    /// [`proxy_lookup_failure`] of this repo's proxy for `url`.
    fn unresolvable_proxy(&self, url: &str, e: &ureq::Error) -> Option<String> {
        let proxy = self.s.access.proxy(url).ok()??;
        proxy_lookup_failure(&proxy, url, e)
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
        // The per-read backstop is twice the timeout (`agent_for`).
        let secs = match t {
            ureq::Timeout::PerRead => self.s.timeout.as_secs_f64() * 2.0,
            _ => self.s.timeout.as_secs_f64(),
        };
        let what = match t {
            ureq::Timeout::Resolve | ureq::Timeout::Connect => "could not connect",
            ureq::Timeout::PerRead | ureq::Timeout::RecvBody => "no data",
            _ => "no answer",
        };
        let by = match self.s.access.pace.timeout {
            Some(_) => "the repo's timeout=",
            None => "RPM_BUILDROOT_HTTP_TIMEOUT",
        };
        format!("timed out: {what} within {secs} s ({by} sets the limit)")
    }

    fn run(&self, validator: Option<String>) -> Outcome {
        let tls = match self.s.access.tls_config() {
            Ok(t) => t,
            Err(e) => return failed(format!("{}={}", e.key, e.msg), false),
        };
        let auth = self.s.access.authorization();
        let home = redirect::origin(self.url);
        let mut url = self.url.to_string();
        let mut hops = 0;
        let mut resp = loop {
            // Per hop: a redirect to another scheme takes that scheme's proxy.
            let agent = match self.agent_for(&url, &tls) {
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
            let resp = match req.call() {
                Ok(r) => r,
                // A hop's failure names where the redirect led.
                Err(e) if hops > 0 => {
                    return match self.unresolvable_proxy(&url, &e) {
                        Some(msg) => failed(format!("redirected to {url}: {msg}"), false),
                        None => {
                            failed_on(format!("redirected to {url}: {}", self.describe(&e)), &e)
                        }
                    }
                }
                Err(e) => match self.unresolvable_proxy(&url, &e) {
                    Some(msg) => return failed(msg, false),
                    None => return failed_on(self.describe(&e), &e),
                },
            };
            let status = resp.status().as_u16();
            if !redirect::is_followed(status) {
                break resp;
            }
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .and_then(|l| redirect::resolve(&url, l));
            match location {
                _ if hops == redirect::MAX_REDIRECTS => {
                    return failed(format!("more than {hops} redirects"), false)
                }
                // As curl's default redirect protocols: never to a local
                // file (a server must not make us read one), nor to ftp.
                Some(next) if !is_http(&next) => {
                    return failed(
                        format!("redirected to {next}: redirects are followed to http(s) only"),
                        false,
                    )
                }
                Some(next) => url = next,
                None => return failed(format!("HTTP {status} without a usable Location"), false),
            }
            hops += 1;
        };
        self.answered.store(true, Ordering::Relaxed);
        let status = resp.status().as_u16();
        // An error answer at the end of redirects names where they led, as a
        // hop that fails does (curl names the effective URL).
        let via = if hops > 0 {
            format!("redirected to {url}: ")
        } else {
            String::new()
        };
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let length: Option<u64> = header("content-length").and_then(|v| v.parse().ok());
        let total = match status {
            206 if self.from > 0 => {
                match header("content-range").as_deref().and_then(content_range) {
                    Some((start, total)) if start == self.from => total,
                    _ => {
                        self.with_sink(|k| k.ranges = false);
                        return failed("a 206 answer for another range", true);
                    }
                }
            }
            200 => {
                // A range that was not honoured, or a file that changed: from byte 0.
                let validator = header("etag")
                    .filter(|e| !e.starts_with("W/"))
                    .or_else(|| header("last-modified"));
                let ranges = header("accept-ranges").is_some_and(|v| v.contains("bytes"));
                let ok = self.with_sink(|k| {
                    k.ranges = ranges;
                    k.validator = validator;
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
                }
            }
            408 | 500..=599 => return failed(format!("{via}HTTP {status}"), true),
            // As librepo (see the module docs): retried, at once, on
            // librepo's count.
            400..=499 => {
                return Outcome::Failed {
                    cause: format!("{via}HTTP {status}"),
                    retry: true,
                    wait: Some(Duration::ZERO),
                    most: Some(BAD_STATUS_TRIES),
                }
            }
            _ => return failed(format!("{via}HTTP {status}"), false),
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
        let tmp = temp_file_in(&dir).unwrap();
        assert_eq!(tmp.path().parent(), Some(dir.as_path()));
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
            Outcome::Done | Outcome::Unwritable(_) => unreachable!(),
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
        use std::io::BufRead;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(AtomicU64::new(0));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for c in listener.incoming().flatten() {
                // The request read whole first: a close with bytes unread
                // would be a reset, retried after the backoff.
                let mut r = std::io::BufReader::new(&c);
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = (&c).write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
        });
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
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicU64::new(0));
        let seen = connections.clone();
        std::thread::spawn(move || {
            for mut c in listener.incoming().flatten() {
                seen.fetch_add(1, Ordering::SeqCst);
                let _ = c.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            }
        });
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
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut c in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = c.read(&mut buf);
                let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nmine");
            }
        });
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
