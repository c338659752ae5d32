//! Where repository files come from: a local directory (or `file://` URL), or
//! `http(s)://` with an on-disk cache (librepo's local repo copy in dnf's
//! cachedir plays this part for dnf). repomd.xml is fetched on every load;
//! the files it references are cached under their checksum, so a second load
//! with an unchanged repomd.xml downloads nothing else. A fresh download is
//! checked against that checksum before it enters the cache, and a cached
//! copy before it is used (one damaged on disk is downloaded again), so the
//! reader need not hash it again ([`checked_on_arrival`]); when a
//! repo has several mirrors, a file one of them cannot deliver is taken from
//! the next ([`local_file_from`]), and a file another of its mirrors
//! delivered in an earlier run is taken from that mirror's cache directory
//! instead of being downloaded again (`take_from_sibling`: libdnf keeps
//! one local copy per repo and judges it by checksums alone, whichever
//! mirror delivered it, as in `Repo::Impl::isMetalinkInSync`). The
//! transfers themselves are in `http/`.
//!
//! This file holds [`Location`] and the fetching of one file
//! ([`local_file`]); `fetch/cache.rs` the cache's directories and the
//! checked copies in them, `fetch/failover.rs` a file from the first of a
//! repo's mirrors that delivers it.

mod cache;
mod failover;

use std::path::{Path, PathBuf};

use super::access::RepoAccess;
use super::compress::{Expected, Hasher};
use super::download_lock::DownloadLock;
use super::http::{download_verified, HttpSettings};
use super::prune::checked_copy_name;
use super::turns::Turn;
use crate::error::{Error, Result};
use cache::{cached_copy_ok, take_from_sibling};

pub use cache::cache_dir_name;
pub(super) use cache::repo_cache_dir;
pub(crate) use failover::package_limit;
pub use failover::{from_mirrors, from_mirrors_tallied, local_file_from, package_file_from};

/// A repository base location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A local directory.
    Dir(PathBuf),
    /// An `http(s)://` base URL, ending in `/`.
    Http(String),
}

impl Location {
    /// Parses a base URL: a path, `file://PATH`, or `http(s)://...`.
    pub fn parse(url: &str) -> Result<Location> {
        let url = url.trim();
        if let Some(p) = url.strip_prefix("file://") {
            return Ok(Location::Dir(PathBuf::from(file_url_path(url, p)?)));
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

/// The path of a `file://` URL (`rest` is what follows `file://`) with its
/// `%XX` escapes decoded, as libdnf's `urlDecode` decodes a local repo's
/// baseurl: `file:///srv/my%20repo/` is the directory `/srv/my repo/`
/// (a space cannot be written plainly: dnf splits baseurl lists on it).
/// A `%` without two hex digits is an error, as it fails libdnf.
pub(super) fn file_url_path(url: &str, rest: &str) -> Result<String> {
    if !rest.contains('%') {
        return Ok(rest.to_string());
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = rest
            .get(i + 1..i + 3)
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(Error::Usage(format!(
                "{url}: a '%' not followed by two hex digits (a file:// URL writes '%' as %25)"
            )));
        };
        out.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
        i += 3;
    }
    String::from_utf8(out)
        .map_err(|_| Error::Usage(format!("{url}: its %-escapes do not decode to UTF-8")))
}

/// Makes a repo-relative file available locally and returns its path. HTTP
/// files go into `cache`, downloaded as the repo's `access` says. With
/// `expected` (repomd.xml's checksum), the cached copy is named by the
/// checksum and reused while it stays the same, and a fresh download must
/// match it (downloaded again, 4 times in all as librepo, then an
/// error); without, the file is downloaded
/// afresh. Packages, whose size caps the download, go through
/// [`package_file_from`] instead.
pub fn local_file(
    loc: &Location,
    href: &str,
    cache: Option<&Path>,
    expected: Option<&Expected>,
    access: &RepoAccess,
) -> Result<PathBuf> {
    match loc {
        Location::Dir(d) => Ok(d.join(href)),
        Location::Http(_) => {
            let s = HttpSettings::for_repo(access)?;
            local_file_with(loc, href, cache, expected, &s, &[]).map(|t| t.value)
        }
    }
}

/// [`local_file`] with `siblings`: the repo's mirrors (`loc` may be among
/// them), whose cache directories may hold a checked copy of the file
/// already ([`take_from_sibling`]). The turn says whether `loc` was asked
/// for it: a copy from the cache asked no one.
fn local_file_with(
    loc: &Location,
    href: &str,
    cache: Option<&Path>,
    expected: Option<&Expected>,
    s: &HttpSettings,
    siblings: &[Location],
) -> Result<Turn<PathBuf>> {
    match loc {
        Location::Dir(d) => Ok(Turn::asked(d.join(href))),
        Location::Http(base) => {
            let cache = cache.ok_or_else(|| Error::NoCacheDir {
                url: base.to_string(),
            })?;
            let dest = cache_path(cache, base, href, expected);
            let url = format!("{base}{href}");
            let mut reuse = expected.is_some_and(|e| {
                cached_copy_ok(&dest, e) || take_from_sibling(cache, base, siblings, &dest, e)
            });
            // Another run sharing the cache may be fetching this very file
            // (the four arches' source repo): wait for it, then look again
            // (`download_lock.rs`). Held over the download ([`lock_for`]).
            let _one_at_a_time = match (reuse, expected) {
                (false, Some(e)) => {
                    let lock = lock_for(&dest, &url);
                    reuse = cached_copy_ok(&dest, e);
                    Some(lock)
                }
                _ => None,
            };
            if !reuse {
                download_verified(&url, &dest, expected, s)?;
            }
            Ok(Turn {
                value: dest,
                asked: !reuse,
            })
        }
    }
}

/// The lock on `dest`'s download (`url`'s), waited for without the slot
/// this thread's transfer holds. A lock that is free is taken at once,
/// the slot kept: lent even for that moment, it went to whichever transfer
/// looked first, a later repo's too, and this one waited for that one to
/// end (a stall's timeout). One another run holds is waited for with the
/// slot lent to transfers of this one's rank or an earlier one only
/// (`download_slots::backing_off`), as over a retry's backoff: that run
/// needs none of our slots to end its download (and is waited for 2
/// minutes at most), and lent to any, a later repo's transfer took it and
/// this one, its lock free again, waited for that transfer to end (a
/// stall's timeout). dnf waits for another process on its cache with
/// nothing under way: its `metadata_lock.pid` and `download_lock.pid`
/// keep a second dnf out of the cachedir for a whole load or download. One
/// another thread of this run holds is waited for with the slot lent to
/// any transfer: that thread may be a later rank's, waiting for a slot to
/// end its download, which a slot claimed here would keep from it until
/// the wait gave up.
fn lock_for(dest: &Path, url: &str) -> DownloadLock {
    use super::download_slots::{aside, backing_off};
    loop {
        if let Some(lock) = DownloadLock::take_if_free(dest) {
            return lock;
        }
        if DownloadLock::held_in_this_run(dest) {
            return aside(|| DownloadLock::take(dest, url));
        }
        // `None`: a thread of this run holds it now, looked at again.
        if let Some(lock) = backing_off(|| DownloadLock::take_from_another_run(dest, url)) {
            return lock;
        }
    }
}

/// Where the cache keeps `href` of the mirror `base`: named by its
/// checksum when it has one (`expected`), else by its file name.
fn cache_path(cache: &Path, base: &str, href: &str, expected: Option<&Expected>) -> PathBuf {
    let dir = cache.join(cache_dir_name(base));
    match expected {
        Some(e) => dir.join(checked_copy_name(&e.hex, href)),
        None => dir.join(href.rsplit('/').next().unwrap_or(href)),
    }
}

/// The checked copy of `href` (`expected`: its checksum) the cache holds
/// for the mirror `loc`, or can take from another of the repo's mirrors'
/// directories (`siblings`), as [`local_file_with`] first looks for it;
/// `None` for a local mirror, or when a download is needed. Looked for
/// before a batch's slot is taken: a file the cache has is no transfer.
fn in_cache(
    loc: &Location,
    href: &str,
    cache: Option<&Path>,
    expected: &Expected,
    siblings: &[Location],
) -> Option<PathBuf> {
    let (Location::Http(base), Some(cache)) = (loc, cache) else {
        return None;
    };
    let dest = cache_path(cache, base, href, Some(expected));
    (cached_copy_ok(&dest, expected) || take_from_sibling(cache, base, siblings, &dest, expected))
        .then_some(dest)
}

/// Whether the cache has a copy of `href` (`expected`: its checksum) under
/// one of the remote mirrors of `locs`, by its name alone: a look that
/// reads and hashes nothing, for a fetch that may be made early.
pub(super) fn named_in_cache(
    locs: &[Location],
    href: &str,
    cache: &Path,
    expected: &Expected,
) -> bool {
    locs.iter().any(|l| match l {
        Location::Http(base) => cache_path(cache, base, href, Some(expected)).is_file(),
        Location::Dir(_) => false,
    })
}

/// Whether [`local_file`] has checked a file it took from `loc` against
/// `e` already: an HTTP copy, downloaded or reused from the cache, of a type
/// we can compute. Its reader then does not hash it a second time. A local
/// file is checked only as it is read, and a type we cannot compute is left
/// to the reader, which names it.
pub(super) fn checked_on_arrival(loc: &Location, e: &Expected) -> bool {
    matches!(loc, Location::Http(_)) && Hasher::new(&e.algo).is_some()
}

/// Whether `e`, met fetching from `loc`, is our side's failure rather
/// than the mirror's: an I/O error while fetching over HTTP is one on the
/// local cache (the network's are [`Error::Http`]); a local mirror's I/O
/// error is that mirror's (a file it lacks).
pub(super) fn is_our_side(loc: &Location, e: &Error) -> bool {
    matches!((loc, e), (Location::Http(_), Error::Io { .. }))
}

/// `href` under `loc` as a local file: an HTTP file is downloaded afresh
/// into `cache` (one directory per base URL), a local one is used in place.
pub fn fetch_to_cache(loc: &Location, href: &str, cache: &Path) -> Result<PathBuf> {
    local_file(loc, href, Some(cache), None, &RepoAccess::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// A run that needs a file another run sharing the cache is
    /// downloading waits for that download and takes its copy instead of
    /// fetching the file too (the workflow's four arches all load the one
    /// source repo). The other run is played by a held lock; the server
    /// counts what is asked of it.
    #[test]
    fn a_file_another_run_is_downloading_is_waited_for_not_fetched_again() {
        use std::sync::atomic::Ordering;
        let bytes = b"primary";
        let (cache, base, e, asked) = primary_over_http();
        let href = "repodata/x-primary.xml.gz";
        let dest = cache
            .path()
            .join(cache_dir_name(&base))
            .join(checked_copy_name(&e.hex, href));
        let other_run = DownloadLock::take(&dest, "the other run");
        let loc = Location::parse(&base).unwrap();
        let c = cache.path().to_path_buf();
        let (e2, s) = (e.clone(), HttpSettings::default());
        let this_run = std::thread::spawn(move || {
            local_file_with(&loc, href, Some(&c), Some(&e2), &s, &[]).unwrap()
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!this_run.is_finished(), "it waits for the other run");
        // The other run's download lands, and it lets go.
        std::fs::write(dest.with_extension("part"), bytes).unwrap();
        std::fs::rename(dest.with_extension("part"), &dest).unwrap();
        drop(other_run);
        let got = this_run.join().unwrap();
        assert_eq!((got.value, got.asked), (dest, false));
        assert_eq!(asked.load(Ordering::SeqCst), 0, "nothing downloaded");
    }

    /// A package whose download another run holds is waited for without
    /// the batch's slot: with one slot, the batch's next package is
    /// downloaded meanwhile (it waited for the other run, up to 120 s).
    #[test]
    fn a_package_waited_for_lends_its_slot() {
        use super::super::{DownloadSlots, MirrorTally};
        let (cache, base, e, _) = primary_over_http();
        let tally = MirrorTally::sharing(&std::sync::Arc::new(DownloadSlots::new(1, 1)));
        let locs = [Location::parse(&base).unwrap()];
        let get = |href: &str| {
            let access = RepoAccess::default();
            package_file_from(
                &locs,
                href,
                Some(cache.path()),
                Some(&e),
                None,
                &access,
                Some(&tally),
            )
        };
        let dest = |href: &str| {
            let dir = cache.path().join(cache_dir_name(&base));
            dir.join(checked_copy_name(&e.hex, href))
        };
        let other_run = DownloadLock::take(&dest("a.rpm"), "the other run");
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| get("a.rpm").unwrap());
            std::thread::sleep(std::time::Duration::from_millis(200));
            assert!(!waiting.is_finished(), "it waits for the other run");
            let (tx, rx) = std::sync::mpsc::channel();
            scope.spawn(move || tx.send(get("b.rpm").map(|(p, _)| p).map_err(|e| e.to_string())));
            let next = rx.recv_timeout(std::time::Duration::from_secs(10));
            assert_eq!(
                next.expect("the next package waited").unwrap(),
                dest("b.rpm")
            );
            drop(other_run);
            assert_eq!(waiting.join().unwrap().0, dest("a.rpm"));
        });
    }

    /// A download whose lock is free keeps its slot while it takes the
    /// lock: nothing is lent, so no transfer waiting behind it (a later
    /// repo's, in a load) can start in that moment and keep it waiting
    /// (one did, about 1 load in 60 under `max_parallel_downloads=1`: the
    /// later repo's stalled primary.xml held an earlier repo's error back
    /// by the stall's timeout). A lock another run holds is waited for
    /// with the slot lent, as before.
    #[test]
    fn a_free_lock_is_taken_without_lending_the_slot() {
        let (cache, base, e, slots, loc) = one_slot_over_http();
        let locs = [loc.clone()];
        let (caps, only) = (ONE_SLOT, mirror_0);
        let s = HttpSettings::default();
        let c = Some(cache.path());
        // This thread's transfer holds the only slot, as a turn does.
        let (_, slot) = slots.turn(&locs, caps, only).unwrap();
        let before = slots.given_back_now();
        let got = local_file_with(&loc, "repodata/a-primary.xml.gz", c, Some(&e), &s, &[]);
        assert!(got.unwrap().asked);
        assert_eq!(slots.given_back_now(), before, "the slot was lent");
        let dest = cache
            .path()
            .join(cache_dir_name(&base))
            .join(checked_copy_name(&e.hex, "repodata/b-primary.xml.gz"));
        let other_run = DownloadLock::take(&dest, "the other run");
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                drop(other_run);
            });
            let got = local_file_with(&loc, "repodata/b-primary.xml.gz", c, Some(&e), &s, &[]);
            assert!(got.unwrap().asked);
        });
        assert_eq!(slots.given_back_now(), before + 1, "lent while it waited");
        drop(slot);
        assert_eq!(slots.running_now(), 0);
    }

    /// A lock another run holds is waited for with the slot lent to this
    /// transfer's rank or an earlier one only: under
    /// `max_parallel_downloads=1`, repo 1's primary.xml, asking while repo
    /// 0's waits for the lock, starts only once repo 0's is downloaded
    /// (lent to any, it started, and repo 0's, its lock free again, waited
    /// for it to end: a stall's timeout). A lock a thread of this run holds
    /// is waited for with the slot lent to any: that thread may need it.
    #[test]
    fn a_lock_another_run_holds_lends_the_slot_to_no_later_rank() {
        use super::super::download_lock::held_by_another_run;
        use super::super::rank::{self, Rank, Role};
        use std::time::Duration;
        let (cache, base, e, slots, loc) = one_slot_over_http();
        let locs = [loc.clone()];
        let (caps, only) = (ONE_SLOT, mirror_0);
        let s = HttpSettings::default();
        let c = Some(cache.path());
        for (another_run, later_starts) in [(true, false), (false, true)] {
            let href = match another_run {
                true => "repodata/a-primary.xml.gz",
                false => "repodata/b-primary.xml.gz",
            };
            let dir = cache.path().join(cache_dir_name(&base));
            let dest = dir.join(checked_copy_name(&e.hex, href));
            let holder = match another_run {
                true => held_by_another_run(&dest),
                false => DownloadLock::take(&dest, "another thread of this run"),
            };
            std::thread::scope(|scope| {
                let (slots, locs, s, loc, e) = (&slots, &locs, &s, &loc, &e);
                // Repo 0's primary.xml holds the only slot, then waits.
                let first = scope.spawn(move || {
                    rank::within(Rank::of(0, Role::Primary), || {
                        let (_, slot) = slots.turn(locs, caps, only).unwrap();
                        let got = local_file_with(loc, href, c, Some(e), s, &[]);
                        drop(slot);
                        got.map(|t| t.asked).map_err(|e| e.to_string())
                    })
                });
                std::thread::sleep(Duration::from_millis(200));
                let (tx, rx) = std::sync::mpsc::channel();
                scope.spawn(move || {
                    rank::within(Rank::of(1, Role::Primary), || {
                        let (_, slot) = slots.turn(locs, caps, only).unwrap();
                        let _ = tx.send(());
                        drop(slot);
                    })
                });
                let started = rx.recv_timeout(Duration::from_millis(500)).is_ok();
                assert_eq!(started, later_starts, "another run: {another_run}");
                drop(holder);
                assert!(first.join().unwrap().unwrap(), "downloaded");
                if !later_starts {
                    let r = rx.recv_timeout(Duration::from_secs(10));
                    r.expect("repo 1's starts once the slot is back");
                }
            });
        }
        assert_eq!(slots.running_now(), 0);
    }

    /// A file the cache has is checked without a slot of the batch: with
    /// the only slot held by another transfer, a cached metadata file and
    /// a cached package come at once, asking the server nothing; a file
    /// the cache lacks waits for the slot, then is downloaded.
    #[test]
    fn a_cached_file_takes_no_slot() {
        use super::super::{DownloadSlots, MirrorTally};
        use std::sync::atomic::Ordering;
        use std::sync::Arc;
        use std::time::Duration;
        let (cache, base, e, asked) = primary_over_http();
        let slots = Arc::new(DownloadSlots::new(1, 1));
        let tally = MirrorTally::sharing(&slots);
        let locs = [Location::parse(&base).unwrap()];
        let access = RepoAccess::default();
        let meta = |href: &str| {
            let c = Some(cache.path());
            local_file_from(&locs, href, c, Some(&e), None, &access, &tally).map(|(p, _)| p)
        };
        let package = |href: &str| {
            let c = Some(cache.path());
            package_file_from(&locs, href, c, Some(&e), None, &access, Some(&tally)).map(|(p, _)| p)
        };
        let meta_path = meta("repodata/x-primary.xml.gz").unwrap();
        let package_path = package("a.rpm").unwrap();
        assert_eq!(asked.load(Ordering::SeqCst), 2);
        let (_, other) = slots.turn(&locs, ONE_SLOT, mirror_0).unwrap();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel();
            let tx2 = tx.clone();
            scope.spawn(move || {
                tx.send(meta("repodata/x-primary.xml.gz").map_err(|e| e.to_string()))
            });
            scope.spawn(move || tx2.send(package("a.rpm").map_err(|e| e.to_string())));
            let mut got: Vec<PathBuf> = (0..2)
                .map(|_| {
                    let r = rx.recv_timeout(Duration::from_secs(10));
                    r.expect("a cached file waited for the slot").unwrap()
                })
                .collect();
            got.sort();
            let mut want = vec![meta_path.clone(), package_path.clone()];
            want.sort();
            assert_eq!(got, want);
            // Not in the cache: it waits for the slot.
            let (tx, rx) = std::sync::mpsc::channel();
            scope.spawn(move || tx.send(package("b.rpm").map_err(|e| e.to_string())));
            let waited = rx.recv_timeout(Duration::from_millis(300));
            assert!(waited.is_err(), "downloaded without a slot");
            drop(other);
            let r = rx.recv_timeout(Duration::from_secs(10));
            assert!(r.expect("downloaded once the slot was free").is_ok());
        });
        assert_eq!(asked.load(Ordering::SeqCst), 3);
        let running = slots.running_now();
        assert_eq!(running, 0, "every slot given back");
    }

    /// [`primary_over_http`]'s server with a batch of one slot, and the
    /// server's location.
    fn one_slot_over_http() -> (
        tempfile::TempDir,
        String,
        Expected,
        std::sync::Arc<super::super::DownloadSlots>,
        Location,
    ) {
        let (cache, base, e, _) = primary_over_http();
        let slots = std::sync::Arc::new(super::super::DownloadSlots::new(1, 1));
        let loc = Location::parse(&base).unwrap();
        (cache, base, e, slots, loc)
    }

    /// One transfer at a time, one per mirror: a `turn`'s caps where a
    /// test holds the only slot.
    const ONE_SLOT: super::super::download_slots::Caps = super::super::download_slots::Caps {
        most: 1,
        per_mirror: 1,
    };

    /// A `turn`'s pick of the one mirror, busy while it has no room.
    fn mirror_0(room: &dyn Fn(usize) -> bool) -> super::super::download_slots::Pick {
        use super::super::download_slots::Pick;
        if room(0) {
            Pick::Mirror(0)
        } else {
            Pick::Busy
        }
    }

    /// An empty cache, the base URL of a server on 127.0.0.1 whose every
    /// file is the 7 bytes "primary", those bytes' checksum, and the count
    /// of requests the server was asked.
    fn primary_over_http() -> (
        tempfile::TempDir,
        String,
        Expected,
        std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) {
        let (port, asked) = super::super::http::test_server::answering(
            b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nprimary",
            true,
        );
        let e = Expected {
            algo: "sha256".into(),
            hex: format!("{:x}", Sha256::digest(b"primary")),
        };
        let base = format!("http://127.0.0.1:{port}/os/");
        (tempfile::tempdir().unwrap(), base, e, asked)
    }

    /// A lock that cannot be had (here the lock file's name is taken by a
    /// directory; elsewhere another user's file, or a filesystem without
    /// such locks) costs the run nothing: the file is downloaded at once,
    /// as before the lock, not waited for.
    #[test]
    fn a_lock_that_cannot_be_had_does_not_keep_the_download() {
        let (cache, base, e, _) = primary_over_http();
        let dir = cache.path().join(cache_dir_name(&base));
        std::fs::create_dir_all(dir.join(super::super::download_lock::LOCK_FILE)).unwrap();
        let loc = Location::parse(&base).unwrap();
        let s = HttpSettings::default();
        let href = "repodata/x-primary.xml.gz";
        let start = std::time::Instant::now();
        let got = local_file_with(&loc, href, Some(cache.path()), Some(&e), &s, &[]).unwrap();
        // Well under the 5 s after which a waiting run would say so.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(got.asked);
        assert_eq!(std::fs::read(got.value).unwrap(), b"primary");
    }

    #[test]
    fn a_file_url_is_decoded_as_libdnf_decodes_it() {
        let dir = |u: &str| match Location::parse(u) {
            Ok(Location::Dir(d)) => d.display().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(dir("file:///srv/my%20repo/x86_64/"), "/srv/my repo/x86_64/");
        assert_eq!(dir("file:///srv/100%25/%c3%a9"), "/srv/100%/é");
        // A plain path is a path: nothing to decode.
        assert_eq!(dir("/srv/my%20repo"), "/srv/my%20repo");
        let e = Location::parse("file:///srv/50%/").unwrap_err();
        assert_eq!(
            e.to_string(),
            "file:///srv/50%/: a '%' not followed by two hex digits (a file:// URL writes '%' as %25)"
        );
    }

    #[test]
    fn only_an_http_copy_of_a_type_we_compute_skips_the_readers_hash() {
        let http = Location::Http("http://mirror/repo/".into());
        let dir = Location::Dir("repo".into());
        let sum = |algo: &str| Expected {
            algo: algo.into(),
            hex: "00".into(),
        };
        assert!(checked_on_arrival(&http, &sum("sha256")));
        // The reader names a type we cannot compute; a local file is
        // hashed only as it is read.
        assert!(!checked_on_arrival(&http, &sum("sha3-256")));
        assert!(!checked_on_arrival(&dir, &sum("sha256")));
    }
}
