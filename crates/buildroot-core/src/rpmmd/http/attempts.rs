//! One file's attempts and their budget, as librepo's downloader.c runs a
//! target's transfers (`check_transfer_statuses` deciding whether a failed
//! transfer is tried again, `truncate_transfer_file` before a fresh start,
//! `check_finished_transfer_checksum` on a complete one), with the stall
//! check librepo leaves to curl's low-speed limit (`CURLOPT_LOW_SPEED_LIMIT`
//! and `_TIME`, set in handle.c from dnf's `minrate` and `timeout`).
//!
//! [`fetch_into`] loops over the attempts, counting every failure of the
//! file in one budget and waiting between them; [`watch`] runs each
//! attempt on its own thread and abandons one that stalls. The request
//! itself is [`super::request`]'s; this file only decides what happens
//! after it, so the retry rules (the module docs of [`super`]) read in one
//! place. A load that fails meanwhile (`rpmmd/cancel.rs`) ends the
//! attempts: its backoff is cut short, no next attempt starts, and one
//! under way is abandoned as a stalled one is.

use std::fs::File;
use std::io::Seek;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::request::Attempt;
use super::{notify, DownloadEvent, HttpSettings, Verify};
use crate::error::{io_message, Error, Result};
use crate::rpmmd::cancel;
use crate::rpmmd::conn_watch::ReadFailure;

/// The file being written, shared by the attempts. An attempt writes only
/// while `generation` is its own, so one abandoned after a stall can never
/// write into the next attempt's bytes.
pub(super) struct Sink {
    pub(super) file: File,
    pub(super) generation: u64,
    pub(super) len: u64,
    /// The server resumes (`Accept-Ranges: bytes`, or a 206).
    pub(super) ranges: bool,
    /// `ETag` (strong) or `Last-Modified` of the file, for `If-Range`.
    pub(super) validator: Option<String>,
    /// The `Last-Modified` of the file whose bytes these are (the answer
    /// that began them).
    pub(super) last_modified: Option<String>,
    /// The status of the answer that began these bytes: a 2xx, which
    /// librepo takes as a complete transfer whichever (0 before any).
    pub(super) status: u16,
}

impl Sink {
    pub(super) fn truncate(&mut self) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file.rewind()?;
        self.len = 0;
        Ok(())
    }
}

/// How one attempt ended.
pub(super) enum Outcome {
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
        /// The answer's status, when it is what failed the attempt
        /// ([`Error::Http`]'s `status`).
        status: Option<u16>,
    },
    /// The file could not be written (a full disk, say): our side's
    /// problem, not the server's, so the error names the cache directory
    /// (as an I/O error under it, which `skip_if_unavailable` does not pass
    /// over) and nothing is retried, as librepo takes curl's write error
    /// as fatal.
    Unwritable(std::io::Error),
    /// Abandoned because the load it is part of already failed
    /// (`cancel.rs`): no failure of the URL, not retried.
    Cancelled,
}

pub(super) fn failed(cause: impl Into<String>, retry: bool) -> Outcome {
    Outcome::Failed {
        cause: cause.into(),
        retry,
        wait: None,
        most: None,
        status: None,
    }
}

/// How many times one URL is tried in all when a server answers a 4xx
/// (other than 408, 429 and a resumed range's 416), retried at once:
/// librepo's 4 (`LRO_ALLOWEDMIRRORFAILURES`), whatever
/// `RPM_BUILDROOT_HTTP_RETRIES` allows: a burst of more 401s or 403s
/// could get the client banned.
pub(super) const BAD_STATUS_TRIES: u32 = 4;

/// The attempts of one download into `tmp`, each held to `verify` once
/// complete. Every failure of the file counts in one budget, as librepo
/// counts a file's failed transfers whatever they were: `retries + 1`
/// attempts for what may pass (5xx, resets, stalls), at most
/// [`BAD_STATUS_TRIES`] when the last failure is of a kind retried at once
/// (a 4xx, a download `verify` refused). dnf 4.14 asked a primary.xml
/// that answered 503 then never matched 4 times in all, as one that
/// answered 503 three times then matched: 4 requests. Returns the
/// server's `Last-Modified` of the file, if it gave one.
pub(super) fn fetch_into(
    url: &str,
    tmp: &tempfile::NamedTempFile,
    verify: Option<Verify>,
    s: &HttpSettings,
) -> Result<Option<String>> {
    let io = |e| Error::io(tmp.path(), e);
    let sink = Arc::new(Mutex::new(Sink {
        file: tmp.reopen().map_err(io)?,
        generation: 0,
        len: 0,
        ranges: false,
        validator: None,
        last_modified: None,
        status: 0,
    }));
    let attempts = s.retries + 1;
    // How many attempts were refused by `verify`, for the final line.
    let mut refused = 0;
    for attempt in 1..=attempts {
        // A load that failed meanwhile (during the backoff, say) wants no
        // next attempt.
        cancel::check()?;
        let (from, validator) = {
            let mut k = sink.lock().unwrap_or_else(|e| e.into_inner());
            if !(k.ranges && k.len > 0) {
                k.truncate().map_err(io)?;
            }
            (k.len, k.validator.clone())
        };
        let outcome = match watch(url, from, validator, s, &sink) {
            Outcome::Done => match verify.map(|v| v(tmp.path())).transpose()?.flatten() {
                None => {
                    let k = sink.lock().unwrap_or_else(|e| e.into_inner());
                    return Ok(k.last_modified.clone());
                }
                Some(cause) => {
                    refused += 1;
                    // Downloaded again whole: its bytes were all there.
                    let mut k = sink.lock().unwrap_or_else(|e| e.into_inner());
                    k.truncate().map_err(io)?;
                    // A 2xx that is neither 200 nor 206 (a 204's empty
                    // body, a 203 from a transforming proxy) is why, most
                    // likely: said, as the line would not tell otherwise.
                    let cause = match k.status {
                        0 | 200 | 206 => cause,
                        other => format!("{cause} (the server answered HTTP {other})"),
                    };
                    Outcome::Failed {
                        cause,
                        retry: true,
                        wait: Some(Duration::ZERO),
                        most: Some(BAD_STATUS_TRIES),
                        status: None,
                    }
                }
            },
            other => other,
        };
        let (cause, wait, most, status) = match outcome {
            Outcome::Done => unreachable!("a complete download returned above"),
            Outcome::Cancelled => return Err(Error::Cancelled),
            Outcome::Unwritable(e) => {
                let dir = tmp.path().parent().unwrap_or(tmp.path());
                let e = std::io::Error::new(
                    e.kind(),
                    format!("cannot write {url} here: {}", io_message(&e)),
                );
                return Err(Error::io(dir, e));
            }
            Outcome::Failed {
                cause,
                retry: false,
                status,
                ..
            } => {
                let msg = if attempt > 1 {
                    format!("{cause} (attempt {attempt})")
                } else {
                    cause
                };
                return Err(Error::Http {
                    url: url.to_string(),
                    msg,
                    status,
                });
            }
            Outcome::Failed {
                cause,
                wait,
                most,
                status,
                ..
            } => (cause, wait, most, status),
        };
        let of = most.map_or(attempts, |m| m.min(attempts));
        if attempt >= of {
            // The last attempt's answer is the one said.
            return Err(Error::Http {
                url: url.to_string(),
                msg: gave_up(cause, attempt, refused == attempt, s.one_turn),
                status,
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
        // Without the batch's slot, if it has one: librepo frees a failed
        // transfer's place for the next file (`download_slots::aside`);
        // a load's later repos and files do not take it meanwhile
        // (`backing_off`). Cut short when the load fails (`cancel.rs`).
        crate::rpmmd::download_slots::backing_off(|| cancel::sleep(wait));
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
        if cancel::is_cancelled() {
            // As after a stall: the thread may still be blocked in a read,
            // and writes nothing more once the generation has moved on.
            sink.lock().unwrap_or_else(|e| e.into_inner()).generation += 1;
            return Outcome::Cancelled;
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
        let timeout = pace.timeout_source();
        let minrate = pace.minrate_source();
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
