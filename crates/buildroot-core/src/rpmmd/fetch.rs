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

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::access::RepoAccess;
use super::compress::{file_digest, Expected, Hasher};
use super::download_lock::DownloadLock;
use super::http::{download_verified, HttpSettings};
use super::mirror_tally::{MirrorTally, ALLOWED_MIRROR_FAILURES};
use super::prune::{checked_copy_name, touch};
use super::turns::{attempts_note, in_turns, GaveUp, Turn};
use crate::error::{Error, Result};

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
            let dir = cache.join(cache_dir_name(base));
            let dest = match expected {
                Some(e) => dir.join(checked_copy_name(&e.hex, href)),
                None => dir.join(href.rsplit('/').next().unwrap_or(href)),
            };
            let url = format!("{base}{href}");
            let mut reuse = expected.is_some_and(|e| {
                cached_copy_ok(&dest, e) || take_from_sibling(cache, base, siblings, &dest, e)
            });
            // Another run sharing the cache may be fetching this very file
            // (the four arches' source repo): wait for it, then look again
            // (`download_lock.rs`). Held over the download.
            let _one_at_a_time = match (reuse, expected) {
                (false, Some(e)) => {
                    let lock = DownloadLock::take(&dest, &url);
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

/// Whether the cached copy `dest` is there and still has its checksum. A
/// copy damaged on disk (a crash before its blocks reached the disk, a disk
/// error, an edit) is downloaded again, as librepo checks the files of its
/// local copy, instead of failing this run and every later one. A type we
/// cannot compute leaves the copy to the reader, which names the type.
fn cached_copy_ok(dest: &Path, e: &Expected) -> bool {
    if !dest.is_file() {
        return false;
    }
    // In use from now on, so a concurrent run's pruning (`prune.rs`), which
    // judges by age, leaves it: touched before the hash, which takes a
    // second or more for a large filelists, as one touched after could be
    // removed while it was being hashed. A copy that then fails the check
    // is downloaded over anyway.
    touch(dest);
    Hasher::new(&e.algo).is_none() || file_digest(dest, &e.algo).is_ok_and(|h| h == e.hex)
}

/// Whether a checked copy of `dest` (named by its checksum `e`) in the
/// cache directory of another of the repo's mirrors (`siblings` but
/// `base`) could be taken into `dest`'s directory: dnf keeps one cache per
/// repo and uses whatever copy matches repomd.xml, whichever mirror it
/// came from, while ours has a directory per mirror, and a metalink
/// answers with another mirror from run to run. The copy is hard-linked
/// (copied where the filesystem cannot link) under a temp name, checked
/// there, and renamed into place: `dest` is never half there. It becomes
/// this directory's own file rather than being read in place, because
/// pruning removes names directory by directory (`prune.rs`; a run prunes
/// the directories of all the repo's mirrors by the repomd.xml of the
/// one that answered it, `prune_other_mirrors`): a concurrent run may
/// drop the other directory's name, and the next run through this mirror
/// looks in this directory first. A link shares the
/// file's modification time, so using it here keeps it in use there too
/// (pruning either directory still removes only its own name). Any
/// failure means a download, as before.
fn take_from_sibling(
    cache: &Path,
    base: &str,
    siblings: &[Location],
    dest: &Path,
    e: &Expected,
) -> bool {
    // A type we cannot compute cannot be checked before use.
    if Hasher::new(&e.algo).is_none() {
        return false;
    }
    let (Some(name), Some(dir)) = (dest.file_name(), dest.parent()) else {
        return false;
    };
    for other in siblings {
        let Location::Http(other) = other else {
            continue;
        };
        if other == base {
            continue;
        }
        // A mirror no run has used since the cache key gained its hash
        // keeps the older name (`repo_cache_dir` renames it only when its
        // mirror is asked): its copies are as good, as a copy is taken on
        // its checksum alone, never on where it lies. Both names are
        // looked into (a copy under the one, damaged, does not hide a good
        // one under the other): each copy is checked before it is used, so
        // looking further costs a hash, never a wrong file.
        let names = [cache_dir_name(other), legacy_cache_dir_name(other)];
        for src in names.iter().map(|d| cache.join(d).join(name)) {
            if src.is_file() && take_copy(&src, dir, dest, e) {
                return true;
            }
        }
    }
    false
}

/// Takes the copy `src` into `dest` (in `dir`) when it has checksum `e`:
/// hard-linked (or copied) under a temp name, checked there, renamed into
/// place ([`take_from_sibling`]). False, leaving nothing, when it cannot.
fn take_copy(src: &Path, dir: &Path, dest: &Path, e: &Expected) -> bool {
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    // Named as a download's temp file, so a killed run's is swept.
    let linked = tempfile::Builder::new()
        .make_in(dir, |tmp| match std::fs::hard_link(src, tmp) {
            // Another name: `make_in` tries the next.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => copy_new(src, tmp),
            Ok(()) => Ok(()),
        })
        .map(|t| t.into_temp_path());
    let Ok(tmp) = linked else {
        return false;
    };
    // `cached_copy_ok` marks it in use first (both names, when linked).
    // Until then the link has the sibling's age, and a concurrent run's
    // temp sweep may remove it as a killed run's: the check or the rename
    // then fails, and the file is downloaded, as without a sibling. Only a
    // download lost, never a file read half.
    cached_copy_ok(&tmp, e) && tmp.persist(dest).is_ok()
}

/// Copies `src` into a file `tmp` made for it (`create_new`: never into
/// one that is there, which may be another run's temp file linked to a
/// cached copy, shared in place), mode 0644 less the umask as downloads'
/// files; one a failure leaves half-written is removed (`make_in` removes
/// nothing its callback made).
fn copy_new(src: &Path, tmp: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut from = std::fs::File::open(src)?;
    let mut to = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(tmp)?;
    let copied = std::io::copy(&mut from, &mut to);
    if copied.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    copied.map(drop)
}

/// Whether [`local_file`] has checked a file it took from `loc` against
/// `e` already: an HTTP copy, downloaded or reused from the cache, of a type
/// we can compute. Its reader then does not hash it a second time. A local
/// file is checked only as it is read, and a type we cannot compute is left
/// to the reader, which names it.
pub(super) fn checked_on_arrival(loc: &Location, e: &Expected) -> bool {
    matches!(loc, Location::Http(_)) && Hasher::new(&e.algo).is_some()
}

/// [`local_file`] of a metadata file repomd.xml lists, from the first of
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
    from_mirrors_turns(locs, href, access, Some(tally), |loc, s| {
        // Any of the repo's mirrors may have delivered it in an earlier run.
        local_file_with(loc, href, cache, expected, &s.capped(limit), locs)
    })
}

/// [`local_file`] of a package (`size`: primary.xml's), from the first of
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
    from_mirrors_turns(locs, href, access, tally, |loc, s| match loc {
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
    from_mirrors_turns(locs, href, access, tally, |loc, s| {
        get(loc, s).map(Turn::asked)
    })
}

/// [`from_mirrors_tallied`] of a `get` that says whether it asked the
/// mirror (a copy from our cache asked none, and counts in no tally).
fn from_mirrors_turns<T>(
    locs: &[Location],
    href: &str,
    access: &RepoAccess,
    tally: Option<&MirrorTally>,
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
    match in_turns(locs, &s, tally, |i, s| get(&locs[i], s))? {
        Ok(got) => Ok(got),
        Err(GaveUp { last: None, .. }) => Err(Error::Http {
            url: locs[0].display(href),
            msg: format!(
                "none of {} mirrors was asked for it: each has failed {ALLOWED_MIRROR_FAILURES} \
                 times in this run without delivering a file (as dnf, these tools ask such a \
                 mirror no more); the last said: {}",
                locs.len(),
                tally
                    .and_then(MirrorTally::last_failure)
                    .unwrap_or_default()
            ),
        }),
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
        }),
    }
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

/// The cache directory name of a base URL: the URL made filesystem-safe
/// (scheme dropped, every character but letters, digits, `.` and `-` a
/// `_`, at most `READABLE_PART` bytes of it) for whoever looks into the
/// cache, then a dash and 16 hex digits of the SHA-256 of the whole URL,
/// as libdnf names a repo's cache directory `ID-HASH`. The hash keeps two
/// URLs apart that read the same (`http` and `https`, `/a_b` and `/a/b`):
/// sharing one directory, each run would prune the other's metadata. The
/// cut keeps a long URL (a token in its query) a valid file name.
pub fn cache_dir_name(base: &str) -> String {
    let mut readable = legacy_cache_dir_name(base);
    readable.truncate(READABLE_PART);
    let hash = Sha256::digest(base.trim_end_matches('/').as_bytes());
    format!("{readable}-{}", hex::encode(&hash[..8]))
}

/// The cache directory of base URL `base` under `cache`, taking over the
/// directory an earlier version named without the hash (the readable part
/// alone, uncut) when this one does not exist yet: an upgrade then reuses
/// the metadata already downloaded instead of leaving it behind for good.
/// Its files are named by their checksums, so a directory two URLs shared
/// under the old names holds nothing wrong for either. Failing to take it
/// over costs a download, so errors are ignored.
pub(super) fn repo_cache_dir(cache: &Path, base: &str) -> PathBuf {
    let dir = cache.join(cache_dir_name(base));
    if !dir.exists() {
        let legacy = cache.join(legacy_cache_dir_name(base));
        if legacy.is_dir() && !legacy.is_symlink() {
            let _ = std::fs::rename(&legacy, &dir);
        }
    }
    dir
}

/// The cache directory name before [`cache_dir_name`] added the hash (and
/// its readable part now): the URL without its scheme or a final `/`, each
/// character but ASCII letters, digits, `.` and `-` a `_` (so ASCII only,
/// and `truncate` cuts on a character boundary).
fn legacy_cache_dir_name(base: &str) -> String {
    let base = base.trim_end_matches('/');
    base.split("://")
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

/// How much of a URL a cache directory's name keeps readable (ASCII after
/// [`cache_dir_name`]'s mapping): with the hash, well under the 255 bytes
/// of a file name.
const READABLE_PART: usize = 160;

#[cfg(test)]
mod tests {
    use super::*;

    /// A sibling's copy that cannot be linked (another filesystem) and
    /// whose copying fails half-way leaves no temp file in this mirror's
    /// directory (tempfile's `make_in` removes nothing its callback made).
    /// `/proc/self/mem` opens but reads fail at offset 0, behind a symlink
    /// on tmpfs (`/dev/shm`), which cannot be linked into the cache.
    #[test]
    fn a_failed_copy_from_a_sibling_leaves_no_temp_file() {
        let shm = Path::new("/dev/shm");
        if !shm.is_dir() || std::fs::read(Path::new("/proc/self/mem")).is_ok() {
            return;
        }
        let cache = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir_in(shm).unwrap();
        let (a, b) = ("http://a.example/os/", "http://b.example/os/");
        let e = Expected {
            algo: "sha256".into(),
            hex: "0".repeat(64),
        };
        let name = checked_copy_name(&e.hex, "repodata/primary.xml.gz");
        std::os::unix::fs::symlink("/proc/self/mem", other.path().join(&name)).unwrap();
        std::os::unix::fs::symlink(other.path(), cache.path().join(cache_dir_name(a))).unwrap();
        let dir = cache.path().join(cache_dir_name(b));
        let siblings = [Location::parse(a).unwrap(), Location::parse(b).unwrap()];
        let taken = take_from_sibling(cache.path(), b, &siblings, &dir.join(&name), &e);
        assert!(!taken);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{left:?}");
        // A good copy there is copied across, checked, and put in place.
        let bytes = b"primary";
        let e = Expected {
            algo: "sha256".into(),
            hex: format!("{:x}", Sha256::digest(bytes)),
        };
        let name = checked_copy_name(&e.hex, "repodata/primary.xml.gz");
        std::fs::write(other.path().join(&name), bytes).unwrap();
        assert!(take_from_sibling(
            cache.path(),
            b,
            &siblings,
            &dir.join(&name),
            &e
        ));
        assert_eq!(std::fs::read(dir.join(&name)).unwrap(), bytes);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from(&name)]);
    }

    /// A sibling mirror's directory still named as before the hash was
    /// added is looked into too, and its copy taken on its checksum alone:
    /// one whose bytes do not match is left there and not taken.
    #[test]
    fn a_sibling_under_the_older_name_is_looked_into_and_checked() {
        let cache = tempfile::tempdir().unwrap();
        let (a, b) = ("http://a.example/os/", "http://b.example/os/");
        let siblings = [Location::parse(a).unwrap(), Location::parse(b).unwrap()];
        let old = cache.path().join(legacy_cache_dir_name(a));
        std::fs::create_dir_all(&old).unwrap();
        let dir = cache.path().join(cache_dir_name(b));
        let sum = |bytes: &[u8]| Expected {
            algo: "sha256".into(),
            hex: format!("{:x}", Sha256::digest(bytes)),
        };
        // Damaged in the old directory: not taken.
        let e = sum(b"primary");
        let name = checked_copy_name(&e.hex, "repodata/primary.xml.gz");
        std::fs::write(old.join(&name), b"damaged").unwrap();
        let dest = dir.join(&name);
        assert!(!take_from_sibling(cache.path(), b, &siblings, &dest, &e));
        assert!(!dest.exists());
        // Good: taken, and the old directory keeps its name and copy.
        std::fs::write(old.join(&name), b"primary").unwrap();
        assert!(take_from_sibling(cache.path(), b, &siblings, &dest, &e));
        assert_eq!(std::fs::read(&dest).unwrap(), b"primary");
        assert!(old.join(&name).is_file());
        // A damaged copy under the new name does not hide the good one
        // under the old name of the same mirror; nothing is left behind.
        std::fs::remove_file(&dest).unwrap();
        let new = cache.path().join(cache_dir_name(a));
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join(&name), b"damaged").unwrap();
        assert!(take_from_sibling(cache.path(), b, &siblings, &dest, &e));
        assert_eq!(std::fs::read(&dest).unwrap(), b"primary");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from(&name)]);
        // Only damaged copies: none taken.
        std::fs::remove_file(&dest).unwrap();
        std::fs::write(old.join(&name), b"damaged").unwrap();
        assert!(!take_from_sibling(cache.path(), b, &siblings, &dest, &e));
        assert!(!dest.exists());
    }

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
            "http://m1/os/c: none of 2 mirrors was asked for it: each has failed 4 times in this \
             run without delivering a file (as dnf, these tools ask such a mirror no more); the \
             last said: http://m1/os/b: the proxy answered HTTP 407"
        );
        assert_eq!(tries, 8);
    }

    /// A cached copy is marked in use before it is hashed, not after: one
    /// that fails the check was touched too, which shows the order.
    #[test]
    fn a_cached_copy_is_marked_in_use_before_it_is_hashed() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("copy");
        let f = std::fs::File::create(&dest).unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        f.set_modified(two_hours_ago).unwrap();
        let e = Expected {
            algo: "sha256".into(),
            hex: "0".repeat(64),
        };
        assert!(!cached_copy_ok(&dest, &e));
        let mtime = std::fs::metadata(&dest).unwrap().modified().unwrap();
        assert!(mtime.elapsed().unwrap() < std::time::Duration::from_secs(600));
    }

    #[test]
    fn cache_directory_names_keep_urls_apart_and_stay_file_names() {
        let name = cache_dir_name("https://mirror.example/pub/fedora/x86_64/os/");
        assert!(
            name.starts_with("mirror.example_pub_fedora_x86_64_os-"),
            "{name}"
        );
        assert_eq!(
            name,
            cache_dir_name("https://mirror.example/pub/fedora/x86_64/os")
        );
        for (a, b) in [
            ("http://m/repo", "https://m/repo"),
            ("http://m/a_b", "http://m/a/b"),
        ] {
            assert_ne!(cache_dir_name(a), cache_dir_name(b), "{a} {b}");
        }
        let long = format!("https://m/repo?token={}", "x".repeat(600));
        assert!(cache_dir_name(&long).len() < 200);
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
