//! SRPMs that no mirror has, said all at once. A mirror caught mid-sync
//! lists in primary.xml SRPMs it does not hold yet; stopping at the first
//! one had the release engineer fix it, run again and meet the next. The
//! SRPM cache's refresh fetches every other SRPM and then fails with one
//! line per missing one ([`Error::SrpmsMissing`]), so one rerun, once the
//! mirror has them, is enough. Any other error (a corrupt SRPM, a cache
//! that cannot be written, a server that is down) still stops the batch
//! at once, as before.
//!
//! An SRPM that no mirror was asked for, as every mirror of its repo had
//! been given up earlier in the run ([`Error::MirrorsGivenUp`]: each failed
//! 4 times without delivering a file, and librepo asks such a mirror no
//! more), is neither: nothing was learnt of it. It does not stop the batch
//! (the failures that gave the mirrors up are other SRPMs', and those say
//! what the run's problem is: missing, or another error that stops it),
//! and it is said after the missing ones, as not fetched, never as
//! missing. It carried the last failure's status once, so another SRPM's
//! 404 made it missing though the mirrors may well have it.
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
fn is_missing(e: &Error, cache: &Path) -> bool {
    match e {
        Error::Io { path, err } => {
            err.kind() == std::io::ErrorKind::NotFound && !path.starts_with(cache)
        }
        Error::Http { status, .. } => matches!(status, Some(404 | 410)),
        _ => false,
    }
}

/// Whether the batch goes on past `e`, met fetching an SRPM into `cache`:
/// a missing SRPM ([`is_missing`]), or one no mirror was asked for.
pub(super) fn goes_on(e: &Error, cache: &Path) -> bool {
    is_missing(e, cache) || matches!(e, Error::MirrorsGivenUp { .. })
}

/// The SRPMs of a batch (its fetches' answers, in source name order, as
/// `at_once_past` gives them): all of them, or the first error that is
/// neither a missing SRPM nor one no mirror was asked for, or else every
/// missing one and then every one not fetched.
pub(super) fn all_or_missing<T>(got: Vec<Result<T>>, cache: &Path) -> Result<Vec<T>> {
    let mut fetched = Vec::with_capacity(got.len());
    let mut missing = Vec::new();
    let mut not_fetched = Vec::new();
    for g in got {
        match g {
            Ok(v) => fetched.push(v),
            Err(e) if is_missing(&e, cache) => missing.push(e),
            Err(e @ Error::MirrorsGivenUp { .. }) => not_fetched.push(e),
            Err(e) => return Err(e),
        }
    }
    if missing.is_empty() && not_fetched.is_empty() {
        Ok(fetched)
    } else {
        missing.append(&mut not_fetched);
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

    /// An SRPM no mirror was asked for is neither missing nor a failure
    /// that stops the batch: said after the missing ones, whatever the
    /// last failure its line names; another error is said alone.
    #[test]
    fn an_srpm_no_mirror_was_asked_for_is_said_as_not_fetched() {
        let cache = Path::new("/cache");
        let given_up = |name: &str, last: &str| Error::MirrorsGivenUp {
            url: format!("http://m/{name}.src.rpm"),
            repo: Some("src".into()),
            mirrors: 2,
            failures: 4,
            last: last.into(),
        };
        for last in [
            "http://m/a.src.rpm: HTTP 404",
            "http://m/b.src.rpm: HTTP 503",
        ] {
            let e = given_up("c", last);
            assert!(!is_missing(&e, cache), "{last}");
            assert!(goes_on(&e, cache), "{last}");
            let got = vec![Ok(1), Err(given_up("b", last)), Err(http("HTTP 404"))];
            let Err(Error::SrpmsMissing(lines)) = all_or_missing(got, cache) else {
                panic!("not SrpmsMissing");
            };
            assert!(matches!(lines[0], Error::Http { .. }));
            assert!(matches!(lines[1], Error::MirrorsGivenUp { .. }));
        }
        assert!(goes_on(&http("HTTP 410"), cache));
        assert!(!goes_on(&http("HTTP 503"), cache));
        let got = vec![Err(given_up("a", "x: HTTP 404")), Err(http("HTTP 503"))];
        let e = all_or_missing::<()>(got, cache).unwrap_err();
        assert_eq!(e.to_string(), "http://m/x.src.rpm: HTTP 503");
    }
}
