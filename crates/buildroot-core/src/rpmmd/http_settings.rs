//! How HTTP downloads behave: the `RPM_BUILDROOT_HTTP_*` variables every
//! downloading tool reads (dnf's `retries`, `timeout`, `minrate`,
//! `max_parallel_downloads` and `max_downloads_per_mirror` options play
//! these parts), their help text, and the backoff they give
//! ([`super::http`] does the downloading); and the repo's own network
//! options ([`RepoAccess`], from its `.repo` section, and what a
//! `dnf.conf`'s `[main]` gives every repo).

use std::time::Duration;

use super::access::RepoAccess;
use crate::error::{Error, Result};

/// The `RPM_BUILDROOT_HTTP_*` variables, for every tool's `--help`.
pub const HTTP_ENV_HELP: &str = "\
HTTP downloads (repository metadata, metalinks, SRPMs, content-resolver lists) are retried
and resumed as dnf does; these environment variables tune them:
  RPM_BUILDROOT_HTTP_RETRIES   retries after a failed attempt: 5xx, 408, 429, a refused,
                               reset or timed-out connection, a stall, a short body; another
                               4xx (404, 403, ...; at most 3 retries) or a host name not found,
                               retried at once (default 3)
  RPM_BUILDROOT_HTTP_BACKOFF   seconds before the first retry, doubled for each next one;
                               a server's Retry-After wins, but for a metalink's or
                               mirrorlist's, which dnf does not read (default 1)
  RPM_BUILDROOT_HTTP_MAX_WAIT  longest wait before a retry, in seconds (default 30)
  RPM_BUILDROOT_HTTP_TIMEOUT   seconds to connect, to get an answer, and over which a
                               transfer must average MINRATE (default 30, as dnf's timeout)
  RPM_BUILDROOT_HTTP_MINRATE   bytes per second below which a transfer counts as stalled
                               (default 1000, as dnf's minrate)
  RPM_BUILDROOT_HTTP_PARALLEL  files downloaded at once, whatever the number of cores: a
                               batch's packages (SRPMs, macro packages), the metadata of
                               the repos loaded together (metalinks, repomd.xml, primary,
                               ...), or fetch-compose's lists; 1 to 20 (default 3, as dnf's
                               max_parallel_downloads)
  RPM_BUILDROOT_HTTP_PER_MIRROR
                               of those, at most this many from one mirror, 1 to 20 (default
                               3, as dnf's max_downloads_per_mirror)
A retry resumes where the last attempt stopped when the server supports ranges. A file whose
checksum does not match repomd.xml is downloaded again at once, 4 times in all with the
file's other failed attempts (at most RETRIES + 1), as dnf downloads it. With a metalink,
mirrorlist or several baseurls, the mirrors are asked in turn, as dnf asks them: each once,
then again, the one that failed least first, until 4 requests (at most RETRIES + 1), without
waiting; one that timed out before it delivered anything changes places with the last, one
that keeps failing moves down. A repo's retries= changes nothing, as in dnf. The
max_parallel_downloads= and max_downloads_per_mirror= of a repo's .repo section, else of
--dnf-conf's [main], win over PARALLEL and PER_MIRROR for that repo's metadata, and for a
batch of packages whose first package is that repo's.";

/// How downloads behave (see the module docs and [`HTTP_ENV_HELP`]).
#[derive(Clone, Debug, PartialEq)]
pub struct HttpSettings {
    /// Attempts after the first one, for failures that may pass.
    pub retries: u32,
    /// Wait before the first retry; doubled for each next one.
    pub backoff: Duration,
    /// Cap on any one wait (backoff or Retry-After).
    pub max_wait: Duration,
    /// Connect and answer timeout, and the window `minrate` is averaged over.
    pub timeout: Duration,
    /// Bytes per second a transfer must average over `timeout`.
    pub minrate: u64,
    /// How the repo downloaded from is reached (its `.repo` options; the
    /// defaults for anything else).
    pub access: RepoAccess,
    /// The most bytes the file can have, and what says so (repomd.xml's
    /// `<size>`, say): a server that sends more is refused at once, not
    /// read to the end of the disk (`None`: no limit).
    pub max_len: Option<(u64, &'static str)>,
    /// One attempt of several made in turn over a repo's mirrors
    /// (`turns.rs`): a failure says nothing of attempts (the caller counts
    /// them over all the mirrors), and a checksum mismatch ends the turn
    /// (librepo counts it as one failed request of that mirror).
    pub one_turn: bool,
    /// Whether a `Retry-After` is passed over for the backoff: a metalink's
    /// or mirrorlist's tries (`mirrors.rs`), which librepo makes without
    /// reading it, so a MirrorManager that asks for 30 s does not hold a
    /// run for minutes over its rounds.
    pub no_retry_after: bool,
    /// How many packages of a batch, or metadata files of a load, are
    /// downloaded at once (dnf's `max_parallel_downloads`, librepo's
    /// `LRO_MAXPARALLELDOWNLOADS`): 1 to [`MAX_PARALLEL_DOWNLOADS`].
    pub parallel_downloads: usize,
    /// How many of those at most from one mirror (dnf's
    /// `max_downloads_per_mirror`, librepo's `LRO_MAXDOWNLOADSPERMIRROR`).
    pub downloads_per_mirror: usize,
}

/// The most packages librepo downloads at once (`LRO_MAXPARALLELDOWNLOADS_MAX`):
/// dnf fails on a `max_parallel_downloads` above it.
pub const MAX_PARALLEL_DOWNLOADS: usize = 20;

/// dnf's default `max_parallel_downloads` and `max_downloads_per_mirror`
/// (libdnf's `ConfigMain`, librepo's defaults alike).
const DEFAULT_PARALLEL_DOWNLOADS: usize = 3;

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            retries: 3,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            minrate: 1000,
            access: RepoAccess::default(),
            max_len: None,
            one_turn: false,
            no_retry_after: false,
            parallel_downloads: DEFAULT_PARALLEL_DOWNLOADS,
            downloads_per_mirror: DEFAULT_PARALLEL_DOWNLOADS,
        }
    }
}

impl HttpSettings {
    /// These settings for a file whose size `cap` bounds (repomd.xml's
    /// `<size>` with its margin, a package's size), when there is one.
    pub fn capped(&self, cap: Option<(u64, &'static str)>) -> HttpSettings {
        HttpSettings {
            max_len: cap.or(self.max_len),
            ..self.clone()
        }
    }

    /// The defaults, changed by the `RPM_BUILDROOT_HTTP_*` variables that
    /// are set. A value that is not a number is an error naming it.
    pub fn from_env() -> Result<HttpSettings> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`HttpSettings::from_env`] for the downloads of a repo reached by
    /// `access`: its `.repo` section's `timeout` and `minrate` win over the
    /// variables, as a repo's options win over dnf.conf's, and so do the
    /// parallel downloads its section or `--dnf-conf`'s `[main]` sets. Its `retries`
    /// does not: see [`Pace::retries`].
    pub fn for_repo(access: &RepoAccess) -> Result<HttpSettings> {
        let run = Self::from_env()?;
        let pace = access.pace;
        let parallel = access.parallel;
        Ok(HttpSettings {
            timeout: pace.timeout.unwrap_or(run.timeout),
            minrate: pace.minrate.unwrap_or(run.minrate),
            parallel_downloads: parallel.downloads.unwrap_or(run.parallel_downloads),
            downloads_per_mirror: parallel.per_mirror.unwrap_or(run.downloads_per_mirror),
            access: access.clone(),
            ..run
        })
    }

    /// [`HttpSettings::from_env`] over any variable lookup.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<HttpSettings> {
        let mut s = HttpSettings::default();
        let secs = |k: &str, min: f64| -> Result<Option<Duration>> {
            let Some(v) = get(k).filter(|v| !v.trim().is_empty()) else {
                return Ok(None);
            };
            match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && x >= min && x <= 86_400.0 => {
                    Ok(Some(Duration::from_secs_f64(x)))
                }
                _ => Err(Error::Usage(format!(
                    "{k}='{v}': expected a number of seconds{}",
                    if min > 0.0 { " above 0" } else { "" }
                ))),
            }
        };
        let count = |k: &str| -> Result<Option<u64>> {
            let Some(v) = get(k).filter(|v| !v.trim().is_empty()) else {
                return Ok(None);
            };
            v.trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| Error::Usage(format!("{k}='{v}': expected a whole number")))
        };
        if let Some(n) = count("RPM_BUILDROOT_HTTP_RETRIES")? {
            s.retries = n.min(100) as u32;
        }
        if let Some(d) = secs("RPM_BUILDROOT_HTTP_BACKOFF", 0.0)? {
            s.backoff = d;
        }
        if let Some(d) = secs("RPM_BUILDROOT_HTTP_MAX_WAIT", 0.0)? {
            s.max_wait = d;
        }
        if let Some(d) = secs("RPM_BUILDROOT_HTTP_TIMEOUT", 0.001)? {
            s.timeout = d;
        }
        if let Some(n) = count("RPM_BUILDROOT_HTTP_MINRATE")? {
            s.minrate = n;
        }
        // librepo's range; dnf fails on another value (section 9 of
        // docs/formats.md).
        let at_once = |k: &str, most: usize| -> Result<Option<usize>> {
            match count(k) {
                Ok(None) => Ok(None),
                Ok(Some(n)) if n >= 1 && n <= most as u64 => Ok(Some(n as usize)),
                _ => Err(Error::Usage(format!(
                    "{k}='{}': expected a whole number from 1 to {most}",
                    get(k).unwrap_or_default()
                ))),
            }
        };
        if let Some(n) = at_once("RPM_BUILDROOT_HTTP_PARALLEL", MAX_PARALLEL_DOWNLOADS)? {
            s.parallel_downloads = n;
        }
        // librepo sets no upper bound; more than 20 at once cannot be.
        if let Some(n) = at_once("RPM_BUILDROOT_HTTP_PER_MIRROR", MAX_PARALLEL_DOWNLOADS)? {
            s.downloads_per_mirror = n;
        }
        Ok(s)
    }

    /// The wait before retry number `retry` (1 = the first retry).
    pub(super) fn backoff_for(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(20));
        self.backoff.saturating_mul(factor).min(self.max_wait)
    }
}

/// What a repo's `.repo` section, else a `dnf.conf`'s `[main]`, says of
/// parallel downloads (`max_parallel_downloads`,
/// `max_downloads_per_mirror`; None: the run's, [`HttpSettings::from_env`]),
/// as libdnf's `ConfigRepo` takes them (options of their own that inherit
/// `[main]`'s) and hands them to librepo on the repo's handle: they cap the
/// repo's metadata transfers (`DownloadSlots::for_metadata`), and a batch of
/// packages takes those of its first file's repo for the whole batch, as
/// librepo reads them from the first target's handle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parallel {
    /// `max_parallel_downloads=`.
    pub downloads: Option<usize>,
    /// `max_downloads_per_mirror=`.
    pub per_mirror: Option<usize>,
}

/// How a `max_parallel_downloads=` or `max_downloads_per_mirror=` line
/// reads ([`Parallel::read`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ParallelLine {
    /// Taken.
    Set,
    /// Passed over, as dnf passes it over ("Invalid configuration value"),
    /// with why.
    PassedOver(String),
    /// More than librepo takes: dnf fails the repos with it ("Bad value of
    /// LRO_MAXPARALLELDOWNLOADS"), so it is an error on its line.
    TooMany(String),
}

impl Parallel {
    /// Takes `key=value` (`max_parallel_downloads` or
    /// `max_downloads_per_mirror`) as libdnf reads a whole number (`3.5`
    /// is 3, `5k` 5, `-1` wraps round to 4294967295): one below 1 or none
    /// at all is passed over, keeping what was set before (`[main]`'s, or
    /// the default); a `max_parallel_downloads` above librepo's 20 is too
    /// many. librepo sets no upper bound per mirror: more than 20 is 20,
    /// as no more are downloaded at once.
    pub(crate) fn read(&mut self, key: &str, value: &str) -> ParallelLine {
        let n = match libdnf_u32(value) {
            Some(n) if n >= 1 => n as usize,
            _ => {
                return ParallelLine::PassedOver(format!(
                    "{key}={value} is not a whole number above 0"
                ))
            }
        };
        if key == "max_parallel_downloads" {
            if n > MAX_PARALLEL_DOWNLOADS {
                return ParallelLine::TooMany(format!(
                    "{key}={value}: librepo downloads 1 to {MAX_PARALLEL_DOWNLOADS} packages at \
                     once (dnf stops with \"Bad value of LRO_MAXPARALLELDOWNLOADS\")"
                ));
            }
            self.downloads = Some(n);
        } else {
            self.per_mirror = Some(n.min(MAX_PARALLEL_DOWNLOADS));
        }
        ParallelLine::Set
    }
}

/// A repo's `timeout`, `minrate` (None: the run's) and `retries`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pace {
    /// `timeout=` above 0 (libdnf gives librepo's defaults otherwise).
    pub timeout: Option<std::time::Duration>,
    /// `minrate=`, in bytes per second.
    pub minrate: Option<u64>,
    /// `retries=`, read as libdnf reads it (0, dnf's "for ever", is
    /// kept as 100) and used for no download, as in dnf 4.14: libdnf
    /// hands a repo's value to librepo for nothing, and dnf counts only
    /// its rounds over failed delta RPMs with `[main]`'s; a package
    /// librepo failed is fatal at once, after librepo's 4 tries (dnf 4.14
    /// asked a package that answered 503 three times 4 times and loaded
    /// it with a repo's `retries=0`, 1, 2 or 5, and gave up after 4
    /// requests on one that answered 503 five times with `[main]`'s
    /// `retries=3` or mock's 20). A bad value still gets dnf's warning.
    pub retries: Option<u32>,
}

impl Pace {
    /// What set the timeout, for a message: the repo's `timeout=` or the
    /// run's variable.
    pub(super) fn timeout_source(&self) -> &'static str {
        match self.timeout {
            Some(_) => "the repo's timeout=",
            None => "RPM_BUILDROOT_HTTP_TIMEOUT",
        }
    }

    /// What set the least rate, for a message (after [`Pace::timeout_source`]).
    pub(super) fn minrate_source(&self) -> &'static str {
        match self.minrate {
            Some(_) => "its minrate=",
            None => "RPM_BUILDROOT_HTTP_MINRATE",
        }
    }
}

/// libdnf's seconds: a number, optionally followed by s, m, h or d;
/// `-1` and `never` (no limit) are 0 here, as for librepo any value
/// that is not above 0. None when it is none of these.
pub(super) fn libdnf_seconds(value: &str) -> Option<f64> {
    let v = value.trim();
    if v == "-1" || v == "never" {
        return Some(0.0);
    }
    let (num, unit) = split_unit(v);
    let factor = match unit {
        None | Some('s' | 'S') => 1.0,
        Some('m' | 'M') => 60.0,
        Some('h' | 'H') => 3600.0,
        Some('d' | 'D') => 86_400.0,
        Some(_) => return None,
    };
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| (n * factor).min(86_400.0 * 365.0))
}

/// libdnf's bytes (`strToBytes`): a number, optionally followed by k, M
/// or G (powers of 1024).
pub(super) fn libdnf_bytes(value: &str) -> Option<u64> {
    let (num, unit) = split_unit(value.trim());
    let factor = match unit {
        None => 1.0,
        Some('k' | 'K') => 1024.0,
        Some('m' | 'M') => 1024.0 * 1024.0,
        Some('g' | 'G') => 1024.0 * 1024.0 * 1024.0,
        Some(_) => return None,
    };
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some((n * factor) as u64)
}

/// libdnf's unsigned numbers (`retries=`, as dnf 4.14 reads them): blanks,
/// a sign, digits, and whatever follows them dropped (`3.5` is 3); a
/// negative one wraps round as a C cast does (`-1` is 4294967295). None
/// without digits or beyond 4294967295 either way (dnf's "invalid value").
pub(super) fn libdnf_u32(value: &str) -> Option<u32> {
    let v = value.trim_start();
    let (negative, rest) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v),
    };
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n = u32::try_from(rest[..digits].parse::<u64>().ok()?).ok()?;
    Some(if negative { n.wrapping_neg() } else { n })
}

/// A value and its one-letter unit, if it ends in a letter.
fn split_unit(v: &str) -> (&str, Option<char>) {
    match v.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => (&v[..v.len() - 1], Some(c)),
        _ => (v, None),
    }
}
