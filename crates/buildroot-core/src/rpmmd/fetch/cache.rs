//! The on-disk cache of HTTP repository files: one directory per base URL
//! ([`cache_dir_name`]: the URL made readable, a dash and a hash, as
//! libdnf's `Repo::Impl::getHash` names a repo's cache directory
//! `ID-HASH`; [`repo_cache_dir`] takes over a directory named before the
//! hash); the check of a cached copy before it is used ([`cached_copy_ok`],
//! as librepo checks the files of its local copy against repomd.xml in
//! `lr_yum_check_repo_checksums`, on by default); and a copy another of
//! the repo's mirrors delivered, taken in instead of downloaded again
//! ([`take_from_sibling`]; libdnf judges its one local copy of a repo by
//! checksums alone, as in `Repo::Impl::isMetalinkInSync`). `fetch.rs`
//! names the copies and downloads what is missing.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Location;
use crate::rpmmd::compress::{file_digest, Expected, Hasher};
use crate::rpmmd::prune::touch;

/// Whether the cached copy `dest` is there and still has its checksum. A
/// copy damaged on disk (a crash before its blocks reached the disk, a disk
/// error, an edit) is downloaded again, as librepo checks the files of its
/// local copy, instead of failing this run and every later one. A type we
/// cannot compute leaves the copy to the reader, which names the type.
pub(super) fn cached_copy_ok(dest: &Path, e: &Expected) -> bool {
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
pub(super) fn take_from_sibling(
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
    // Named as a download's temp file, so a killed run's is swept; and
    // removed by SIGINT or SIGTERM, as a download's temp file is. Where no
    // link can be made, an empty file of a new name (`create_new`: never
    // one that is there, which may be another run's temp file linked to a
    // cached copy, shared in place), mode 0644 less the umask as
    // downloads' files, to copy into once it is registered.
    let made = crate::atomic::temp_removed_on_signal(dir, |tmp| {
        match std::fs::hard_link(src, tmp) {
            // Another name: `make_in` tries the next.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
            Err(_) => crate::rpmmd::new_file_0644(tmp).map(Some),
            Ok(()) => Ok(None),
        }
    });
    let Ok((mut tmp, registered)) = made else {
        return false;
    };
    // A copy half-written is removed with `tmp`, before it is let go.
    let copied = match tmp.as_file_mut() {
        Some(to) => std::fs::File::open(src).and_then(|mut from| std::io::copy(&mut from, to)),
        None => Ok(0),
    };
    let tmp = tmp.into_temp_path();
    // `cached_copy_ok` marks it in use first (both names, when linked).
    // Until then the link has the sibling's age, and a concurrent run's
    // temp sweep may remove it as a killed run's: the check or the rename
    // then fails, and the file is downloaded, as without a sibling. Only a
    // download lost, never a file read half.
    // Renamed or removed before it is let go.
    let taken = if copied.is_ok() && cached_copy_ok(&tmp, e) {
        crate::atomic::wait_if_interrupted();
        if same_file(&tmp, dest) {
            // `dest` is this very file already: another thread (a repo
            // sharing this mirror) linked it from the same sibling a
            // moment before. rename(2) of two links of one file succeeds
            // doing nothing, which left the temp name for good.
            drop(tmp);
            true
        } else {
            tmp.persist(dest).is_ok()
        }
    } else {
        drop(tmp);
        false
    };
    drop(registered);
    taken
}

/// Whether `a` and `b` are links of one file.
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
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
pub(in crate::rpmmd) fn repo_cache_dir(cache: &Path, base: &str) -> PathBuf {
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
    use crate::rpmmd::prune::checked_copy_name;

    /// A sibling's copy that cannot be linked (another filesystem) and
    /// whose copying fails half-way leaves no temp file in this mirror's
    /// directory (the half copy is removed with its temp file).
    /// A copy taken from a sibling whose name in this directory is a link
    /// of that very file already (another repo of the run, sharing this
    /// mirror, took it a moment before) leaves no temp name behind: the
    /// rename of two links of one file does nothing (slot_stress met one).
    #[test]
    fn a_copy_already_linked_here_leaves_no_temp_file() {
        let cache = tempfile::tempdir().unwrap();
        let (a, b) = ("http://a.example/os/", "http://b.example/os/");
        let bytes = b"primary";
        let e = Expected {
            algo: "sha256".into(),
            hex: format!("{:x}", Sha256::digest(bytes)),
        };
        let name = checked_copy_name(&e.hex, "repodata/primary.xml.gz");
        let (from, to) = (
            cache.path().join(cache_dir_name(a)),
            cache.path().join(cache_dir_name(b)),
        );
        std::fs::create_dir_all(&from).unwrap();
        std::fs::create_dir_all(&to).unwrap();
        std::fs::write(from.join(&name), bytes).unwrap();
        std::fs::hard_link(from.join(&name), to.join(&name)).unwrap();
        let siblings = [Location::parse(a).unwrap(), Location::parse(b).unwrap()];
        assert!(take_from_sibling(
            cache.path(),
            b,
            &siblings,
            &to.join(&name),
            &e
        ));
        let left: Vec<_> = std::fs::read_dir(&to)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from(&name)]);
    }

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
}
