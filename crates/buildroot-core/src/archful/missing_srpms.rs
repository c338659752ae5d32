//! SRPMs that no mirror has, said all at once. A mirror caught mid-sync
//! lists in primary.xml SRPMs it does not hold yet; stopping at the first
//! one had the release engineer fix it, run again and meet the next. The
//! SRPM cache's refresh fetches every other SRPM and then fails with one
//! line per missing one ([`Error::SrpmsMissing`]), so one rerun, once the
//! mirror has them, is enough. Any other error (a corrupt SRPM, a cache
//! that cannot be written, a server that is down) still stops the batch
//! at once, as before.
//!
//! dnf 4 differs: `Base.download_packages` hands libdnf its batch with
//! `fail_fast` on, so librepo stops the batch at the first package that
//! fails and dnf reports that one (and any failed meanwhile). dnf installs
//! nothing then; here what could be had stays in the cache for the rerun,
//! and nothing else is written either.

use std::path::Path;

use crate::error::{Error, Result};

/// Whether `e`, met fetching an SRPM into `cache`, says the SRPM is not on
/// the mirror: an HTTP 404 or 410 (of the only mirror, or the last answer
/// of several: a mirror that has it would have delivered it; the error's
/// status is that answer's), or a local repo's file that is not there. A
/// missing file under `cache` is ours, not the repo's. The status, not the
/// line's words: those were read back from the text before, which a
/// change of wording (or a URL holding "HTTP 404") would have misled.
pub(super) fn is_missing(e: &Error, cache: &Path) -> bool {
    match e {
        Error::Io { path, err } => {
            err.kind() == std::io::ErrorKind::NotFound && !path.starts_with(cache)
        }
        Error::Http { status, .. } => matches!(status, Some(404 | 410)),
        _ => false,
    }
}

/// The SRPMs of a batch (its fetches' answers, in source name order, as
/// `at_once_past` gives them): all of them, or the first error that is not
/// a missing SRPM, or else every missing one.
pub(super) fn all_or_missing<T>(got: Vec<Result<T>>, cache: &Path) -> Result<Vec<T>> {
    let mut fetched = Vec::with_capacity(got.len());
    let mut missing = Vec::new();
    for g in got {
        match g {
            Ok(v) => fetched.push(v),
            Err(e) if is_missing(&e, cache) => missing.push(e),
            Err(e) => return Err(e),
        }
    }
    if missing.is_empty() {
        Ok(fetched)
    } else {
        Err(Error::SrpmsMissing(missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An HTTP error whose line is `msg`, its status taken from the line's
    /// last "HTTP NNN", as a download sets it.
    fn http(msg: &str) -> Error {
        let status = msg
            .rsplit_once("HTTP ")
            .and_then(|(_, s)| s.get(..3)?.parse().ok());
        Error::Http {
            url: "http://m/x.src.rpm".into(),
            msg: msg.into(),
            status,
        }
    }

    #[test]
    fn not_found_answers_and_files_are_missing_others_are_not() {
        let cache = Path::new("/cache");
        let missing = [
            "HTTP 404 (gave up after 4 attempts)",
            "HTTP 410",
            "none of 2 mirrors could deliver it (4 attempts, taking turns); the last said: \
             http://b/x.src.rpm: HTTP 404 (gave up after 4 attempts)",
        ];
        for m in missing {
            assert!(is_missing(&http(m), cache), "{m}");
        }
        let others = [
            "HTTP 503 (gave up after 4 attempts)",
            "connection failed: refused",
            "none of 2 mirrors could deliver it; the last said: http://b/x.src.rpm: timed out",
        ];
        for m in others {
            assert!(!is_missing(&http(m), cache), "{m}");
        }
        // The status decides, not the words.
        let said_404 = Error::Http {
            url: "http://m/x.src.rpm".into(),
            msg: "HTTP 404".into(),
            status: None,
        };
        assert!(!is_missing(&said_404, cache));
        let gone = |p: &str, kind| Error::io(Path::new(p), std::io::Error::from(kind));
        assert!(is_missing(
            &gone("/repo/x.src.rpm", std::io::ErrorKind::NotFound),
            cache
        ));
        assert!(!is_missing(
            &gone("/cache/x.src.rpm", std::io::ErrorKind::NotFound),
            cache
        ));
        let denied = gone("/repo/x.src.rpm", std::io::ErrorKind::PermissionDenied);
        assert!(!is_missing(&denied, cache));
        assert!(!is_missing(
            &Error::format("/repo/x.src.rpm", "checksum mismatch"),
            cache
        ));
    }

    #[test]
    fn every_missing_one_unless_another_error() {
        let cache = Path::new("/cache");
        let got = vec![Ok(1), Err(http("HTTP 404")), Ok(2), Err(http("HTTP 410"))];
        let Err(Error::SrpmsMissing(m)) = all_or_missing(got, cache) else {
            panic!("not SrpmsMissing");
        };
        assert_eq!(m.len(), 2);
        let e = Error::SrpmsMissing(m).to_string();
        assert_eq!(
            e,
            "http://m/x.src.rpm: HTTP 404\nhttp://m/x.src.rpm: HTTP 410"
        );
        let got = vec![Err(http("HTTP 404")), Err(http("HTTP 503")), Ok(1)];
        let e = all_or_missing(got, cache).unwrap_err();
        assert_eq!(e.to_string(), "http://m/x.src.rpm: HTTP 503");
        assert_eq!(all_or_missing(vec![Ok(1), Ok(2)], cache).unwrap(), [1, 2]);
    }
}
