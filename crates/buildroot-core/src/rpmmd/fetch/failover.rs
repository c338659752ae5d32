//! A file from the first of a repo's mirrors that delivers it, asked in
//! the turns of `turns.rs` (librepo's `select_suitable_mirror` in its
//! downloader.c): a metadata file repomd.xml lists ([`local_file_from`];
//! librepo's `lr_yum_download_repo` downloads them as one batch), a
//! package ([`package_file_from`], as librepo's `lr_download_packages`
//! fails one over), or whatever a caller fetches ([`from_mirrors`],
//! [`from_mirrors_tallied`]); and the error when none can.

use std::path::{Path, PathBuf};

use super::{in_cache, local_file_with, Location};
use crate::error::{Error, Result};
use crate::rpmmd::access::RepoAccess;
use crate::rpmmd::compress::{file_digest, Expected, Hasher};
use crate::rpmmd::download_slots::Pick;
use crate::rpmmd::http::HttpSettings;
use crate::rpmmd::mirror_tally::{MirrorTally, ALLOWED_MIRROR_FAILURES};
use crate::rpmmd::turns::{attempts_note, in_turns, GaveUp, Turn};

/// [`local_file`](super::local_file) of a metadata file repomd.xml lists, from the first of
/// `locs` (a repo's mirrors, in the list's order) that can deliver it, in
/// the turns of [`from_mirrors_tallied`]; `tally` is what the mirrors did
/// over the repo's other metadata files, as librepo downloads them in one
/// go (a mirror that timed out on primary.xml is asked last for
/// filelists; one that failed 4 times without a success no more). Returns
/// the path and the index of the mirror used.
///
/// `size` is the file's size as repomd.xml gives it: a server that sends
/// more than twice that and a MiB is sending something else (a stream
/// without end would fill the disk), and is left at once. The margin keeps
/// a repo whose `<size>` is off by a little loadable, as dnf, which does
/// not hold metadata to its size, loads it.
pub fn local_file_from(
    locs: &[Location],
    href: &str,
    cache: Option<&Path>,
    expected: Option<&Expected>,
    size: Option<u64>,
    access: &RepoAccess,
    tally: &MirrorTally,
) -> Result<(PathBuf, usize)> {
    let limit = size.map(|n| {
        let most = n.saturating_mul(2).saturating_add(1 << 20);
        (most, "that twice repomd.xml's <size> and a MiB allow")
    });
    // Any of the repo's mirrors may have delivered it in an earlier run.
    let cached = |loc: &Location| expected.and_then(|e| in_cache(loc, href, cache, e, locs));
    from_mirrors_turns(locs, href, access, Some(tally), cached, |loc, s| {
        local_file_with(loc, href, cache, expected, &s.capped(limit), locs)
    })
}

/// [`local_file`](super::local_file) of a package (`size`: primary.xml's), from the first of
/// `locs` (a repo's mirrors, the one in use first) that can deliver it, in
/// the turns of [`from_mirrors_tallied`] (`tally`: what the mirrors did
/// over the run's other packages of the repo), as librepo fails a package
/// over to the repo's next mirror. Returns the path and the index of the
/// mirror used.
pub fn package_file_from(
    locs: &[Location],
    href: &str,
    cache: Option<&Path>,
    expected: Option<&Expected>,
    size: Option<u64>,
    access: &RepoAccess,
    tally: Option<&MirrorTally>,
) -> Result<(PathBuf, usize)> {
    let most = package_limit(size);
    let cached = |loc: &Location| expected.and_then(|e| in_cache(loc, href, cache, e, &[]));
    from_mirrors_turns(locs, href, access, tally, cached, |loc, s| match loc {
        // A local mirror delivers what it has, matching: one that lacks
        // the package or holds other bytes is failed over, as an SRPM's
        // copy is (`archful::cache`), not named as the package's error.
        Location::Dir(d) => local_package(&d.join(href), expected).map(Turn::asked),
        Location::Http(_) => local_file_with(loc, href, cache, expected, &s.capped(most), &[]),
    })
}

/// The most bytes a package's download may have, and what says so: its
/// `size` as primary.xml gives it (librepo refuses a package of another
/// length; a body without end would fill the disk).
pub(crate) fn package_limit(size: Option<u64>) -> Option<(u64, &'static str)> {
    size.map(|n| (n, "primary.xml gives as the package's size"))
}

/// A local mirror's package at `path`, when it is a file and matches
/// `expected` (of a type we can compute; another is left to the reader).
fn local_package(path: &Path, expected: Option<&Expected>) -> Result<PathBuf> {
    match expected.filter(|e| Hasher::new(&e.algo).is_some()) {
        Some(e) => {
            let got = file_digest(path, &e.algo)?;
            if got != e.hex {
                return Err(Error::format(
                    path.display(),
                    format!(
                        "checksum mismatch: primary.xml says {} {}, the file has {got}",
                        e.algo, e.hex
                    ),
                ));
            }
        }
        None => {
            let m = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
            if !m.is_file() {
                return Err(Error::format(path.display(), "not a file"));
            }
        }
    }
    Ok(path.to_path_buf())
}

/// Runs `get` on `locs` (a repo's mirrors, in the order they are asked) until one
/// delivers `href`, in the order librepo asks them (`turns.rs`: each once,
/// then in turn until 4 requests; one mirror makes its own retries); the
/// settings it is given reach the repo as `access` says. When none can,
/// the error names the first URL, how many mirrors were tried and the last
/// one's problem. Returns `get`'s value and the index of the mirror.
pub fn from_mirrors<T>(
    locs: &[Location],
    href: &str,
    access: &RepoAccess,
    get: impl FnMut(&Location, &HttpSettings) -> Result<T>,
) -> Result<(T, usize)> {
    from_mirrors_tallied(locs, href, access, None, get)
}

/// [`from_mirrors`] for one file of a batch from the same `locs` (a run's
/// SRPMs of a repo), whose `tally` keeps what each mirror did: one that
/// failed 4 times without a success is asked no more (see `mirror_tally.rs`).
pub fn from_mirrors_tallied<T>(
    locs: &[Location],
    href: &str,
    access: &RepoAccess,
    tally: Option<&MirrorTally>,
    mut get: impl FnMut(&Location, &HttpSettings) -> Result<T>,
) -> Result<(T, usize)> {
    from_mirrors_turns(
        locs,
        href,
        access,
        tally,
        |_| None,
        |loc, s| get(loc, s).map(Turn::asked),
    )
}

/// [`from_mirrors_tallied`] of a `get` that says whether it asked the
/// mirror (a copy from our cache asked none, and counts in no tally).
/// `cached` first gives the cache's copy for the mirror the first turn
/// would ask, if the cache has one: that takes no turn, nor a slot of the
/// batch's caps (`download_slots.rs`: only transfers take one; a cached
/// filelists.xml hashed under a slot kept a `max_parallel_downloads=1`
/// load's transfers waiting meanwhile).
fn from_mirrors_turns<T>(
    locs: &[Location],
    href: &str,
    access: &RepoAccess,
    tally: Option<&MirrorTally>,
    cached: impl FnOnce(&Location) -> Option<T>,
    mut get: impl FnMut(&Location, &HttpSettings) -> Result<Turn<T>>,
) -> Result<(T, usize)> {
    if locs.is_empty() {
        return Err(Error::Usage(format!("{href}: no repository location")));
    }
    let http = locs.iter().any(|l| matches!(l, Location::Http(_)));
    let s = if http {
        HttpSettings::for_repo(access)?
    } else {
        HttpSettings::default()
    };
    // The first turn's mirror, as `in_turns` picks it when all have room.
    let first = match tally {
        Some(t) if locs.len() > 1 => match t.pick(locs, &[], 1, &|_| true) {
            Pick::Mirror(i) => Some(i),
            Pick::Busy | Pick::Done => None,
        },
        _ => Some(0),
    };
    if let Some(got) = first.and_then(|i| cached(&locs[i]).map(|v| (v, i))) {
        return Ok(got);
    }
    match in_turns(locs, &s, tally, |i, s| get(&locs[i], s))? {
        Ok(got) => Ok(got),
        Err(GaveUp { last: None, .. }) => {
            // Every mirror was given up before this file's turn: librepo
            // fails such a target without a request ("all mirrors were
            // already tried without success", an error of no answer), and
            // so does this. The line names the last failure, which may be
            // reported after it (parallel downloads), but the error keeps
            // no status: that answer was another file's, and carried over
            // it made this file missing (a 404) or a failure of the server
            // (a 503) though nobody asked for it.
            Err(Error::MirrorsGivenUp {
                url: locs[0].display(href),
                repo: tally.and_then(|t| t.repo().map(str::to_string)),
                mirrors: locs.len(),
                failures: ALLOWED_MIRROR_FAILURES,
                last: tally
                    .and_then(MirrorTally::last_failure)
                    .unwrap_or_else(|| "none counted".into()),
            })
        }
        Err(GaveUp {
            last: Some(last), ..
        }) if locs.len() == 1 => Err(last),
        Err(GaveUp {
            last: Some(last),
            attempts,
        }) => Err(Error::Http {
            url: locs[0].display(href),
            msg: format!(
                "none of {} mirrors could deliver it{}; the last said: {last}",
                locs.len(),
                attempts_note(locs.len(), attempts)
            ),
            // The last mirror's answer, as the line ends with it.
            status: match last {
                Error::Http { status, .. } => status,
                _ => None,
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cache that cannot be written fails at the first HTTP mirror, as
    /// the I/O error it is: not tried at every mirror, nor wrapped into a
    /// mirror error.
    #[test]
    fn a_cache_error_is_not_a_mirrors() {
        let locs = [
            Location::parse("http://m1/os/").unwrap(),
            Location::parse("http://m2/os/").unwrap(),
        ];
        let mut tries = 0;
        let e = from_mirrors(&locs, "x", &RepoAccess::default(), |_, _| -> Result<()> {
            tries += 1;
            Err(Error::io(
                Path::new("/cache/m1"),
                std::io::Error::from(std::io::ErrorKind::StorageFull),
            ))
        })
        .unwrap_err();
        assert_eq!(tries, 1);
        assert!(matches!(e, Error::Io { .. }), "{e}");
    }

    /// A file of a batch whose mirrors have all failed 4 times is asked of
    /// none, and its line still says why they failed: parallel downloads
    /// may report it before those that met the failures.
    #[test]
    fn a_file_no_mirror_is_asked_for_says_why() {
        let locs = [
            Location::parse("http://m1/os/").unwrap(),
            Location::parse("http://m2/os/").unwrap(),
        ];
        let tally = MirrorTally::new();
        let mut tries = 0;
        let mut get = |href: &str| {
            from_mirrors_tallied(&locs, href, &RepoAccess::default(), Some(&tally), |l, _| {
                tries += 1;
                Err::<(), _>(Error::Http {
                    url: l.display(href),
                    msg: "the proxy answered HTTP 407".into(),
                    status: None,
                })
            })
            .unwrap_err()
            .to_string()
        };
        get("a");
        // m1's third failure puts it below m2, so b's turns end on m1.
        get("b");
        assert_eq!(
            get("c"),
            "http://m1/os/c: not fetched: every mirror of its repo (2) was given up earlier in \
             this run, each having failed 4 times without delivering a file (as dnf, these tools \
             ask such a mirror no more); the last failure: http://m1/os/b: the proxy answered \
             HTTP 407"
        );
        assert_eq!(tries, 8);
    }

    /// A file asked of no mirror is said as what it is, naming its repo,
    /// and keeps no status: the last failure counted was another file's
    /// answer. It carried that status, so a 404 of other files made it a
    /// missing SRPM, and a 503 a server's failure, though no mirror was
    /// asked for it (librepo fails it with "all mirrors were already
    /// tried", an error of no answer).
    #[test]
    fn a_file_no_mirror_is_asked_for_keeps_no_status() {
        let locs = [
            Location::parse("http://m1/os/").unwrap(),
            Location::parse("http://m2/os/").unwrap(),
        ];
        for status in [Some(404), Some(503), None] {
            let tally = MirrorTally::new().of_repo("src");
            let asked = std::sync::Mutex::new(Vec::new());
            let get = |href: &str| {
                from_mirrors_tallied(&locs, href, &RepoAccess::default(), Some(&tally), |l, _| {
                    asked.lock().unwrap().push(l.display(href));
                    Err::<(), _>(Error::Http {
                        url: l.display(href),
                        msg: format!("HTTP {status:?}"),
                        status,
                    })
                })
                .unwrap_err()
            };
            get("a");
            get("b");
            let e = get("c");
            assert!(!asked.lock().unwrap().iter().any(|u| u.ends_with("/c")));
            let Error::MirrorsGivenUp {
                url, repo, last, ..
            } = &e
            else {
                panic!("{status:?}: {e:?}");
            };
            assert_eq!(url, "http://m1/os/c");
            assert_eq!(repo.as_deref(), Some("src"));
            assert!(last.starts_with("http://m1/os/b: "), "{last}");
            assert!(
                e.to_string()
                    .contains("every mirror of repo 'src' (2) was given up"),
                "{e}"
            );
        }
    }
}
