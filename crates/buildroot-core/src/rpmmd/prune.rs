//! Keeps an HTTP repository's cache directory to the metadata its current
//! repomd.xml lists, as dnf keeps its cache: libdnf's `Repo::Impl::fetch`
//! replaces a repo's metadata directory whole with each new download. Our
//! files are named by their checksum (`fetch.rs`), so a changed repomd.xml
//! leaves the old primary and filelists behind; without this, a repo that
//! changes daily (Rawhide, ELN) grows the cache by its whole metadata each
//! day.
//!
//! Only files named `HEX-NAME` (a checksum, a dash: what `fetch.rs` names a
//! checked copy) that the current repomd.xml does not list are removed, and
//! only once they are over an hour old: a copy is touched whenever it is
//! reused, so a concurrent run still reading an older repomd.xml (a mirror
//! behind a load balancer that lags) keeps what it uses now (age is read a
//! moment before the removal: a copy touched in that moment and gone before
//! its reader opened it is fetched again, `rpmmd::open::fetched_and_opened`).
//! Packages kept
//! beside the metadata (`.rpm`, the macro packages of the archful tools)
//! are left alone. Failures are ignored: a leftover costs space, never
//! correctness. The sweep of killed runs' temp files
//! (`http::sweep_stale_temps`) removes its files the same way
//! ([`remove_old_files`]).
//!
//! Our cache has a directory per base URL, not per repo as dnf's (libdnf's
//! `ID-HASH`), so a mirror a metalink stops listing, or a repo no longer
//! configured, leaves its directory behind for good; dnf leaves a removed
//! repo's directory too, until `dnf clean`. So a run that loads HTTP repos
//! first removes the per-URL directories no run has used for
//! [`UNUSED_DIR`] (every load downloads the repo's repomd.xml afresh and
//! touches the copies it reuses, so a directory in use is never that old),
//! and the saved metalinks and mirrorlists of `mirrors/` as old
//! ([`remove_unused_dirs`]).
//!
//! A copy may be a hard link to another mirror's copy of the same file
//! (`fetch/cache.rs` takes one in rather than download it again). Each directory
//! still judges only its own names: pruning one removes its link, never the
//! other directory's. The two share a modification time, so while one
//! directory's run reuses the file the other's link looks in use too; once
//! no repomd.xml lists it, no run touches it, and both names go (an hour
//! after, where the directory is still used; with the directory, a month
//! after, where it is not).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::http::STALE_TEMP;
use super::repomd::Repomd;

/// The name `fetch.rs` gives the checked copy of `href` whose checksum is `hex`.
pub(super) fn checked_copy_name(hex: &str, href: &str) -> String {
    let file_name = href.rsplit('/').next().unwrap_or(href);
    format!("{hex}-{file_name}")
}

/// Removes, once per directory and process, the metadata copies in `dir`
/// that `repomd` does not list (see the module docs).
pub(super) fn prune_unlisted(dir: &Path, repomd: &Repomd) {
    static PRUNED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let listed: Vec<String> = repomd
        .records
        .iter()
        .filter(|r| !r.checksum.is_empty())
        .map(|r| checked_copy_name(&r.checksum, &r.href))
        .collect();
    remove_old_files(dir, &PRUNED, |name| {
        is_metadata_copy(name) && !listed.iter().any(|l| l == name)
    });
}

/// Removes the files of `dir` that `doomed` picks by name and that are
/// over [`STALE_TEMP`] old, unless `done` says this process did so in
/// `dir` already (a second sweep would find only what the run itself is
/// using). Failures are ignored: a leftover costs space, never correctness.
pub(super) fn remove_old_files(
    dir: &Path,
    done: &Mutex<Vec<PathBuf>>,
    doomed: impl Fn(&str) -> bool,
) {
    if !first_time(done, dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if !doomed(&e.file_name().to_string_lossy()) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_TEMP));
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether `dir` is not in `done` yet (and now is): each sweep runs once
/// per directory and process.
fn first_time(done: &Mutex<Vec<PathBuf>>, dir: &Path) -> bool {
    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
    if done.iter().any(|d| d == dir) {
        return false;
    }
    done.push(dir.to_path_buf());
    true
}

/// How long a per-URL cache directory goes unused before a run removes it:
/// a month, far beyond any repo's `metadata_expire` (dnf's default is 48
/// hours), so only a mirror or repo that is gone is removed; one that comes
/// back costs a download.
pub(super) const UNUSED_DIR: Duration = Duration::from_secs(30 * 86_400);

/// Removes, once per cache and process, the per-URL directories of `cache`
/// (named as `fetch::cache_dir_name` names them) that hold nothing but
/// files, none modified within [`UNUSED_DIR`], and the saved metalinks and
/// mirrorlists of `cache/mirrors` as old. Called before the run's own
/// downloads start, so it never removes what this run uses; a concurrent
/// run that starts using such a directory at that very moment keeps it (a
/// file it has written makes the directory non-empty, and each file's age
/// is checked again right before it is removed), or, when the directory
/// went while still empty, creates it again (`http::temp_file_in`).
/// Failures are ignored.
pub(super) fn remove_unused_dirs(cache: &Path) {
    static SWEPT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    if !first_time(&SWEPT, cache) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for e in entries.flatten() {
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_url_dir_name(&e.file_name().to_string_lossy()) {
            remove_if_unused(&e.path());
        }
    }
    if let Ok(lists) = std::fs::read_dir(cache.join("mirrors")) {
        for e in lists.flatten() {
            let file = e.file_type().is_ok_and(|t| t.is_file());
            if file && is_url_dir_name(&e.file_name().to_string_lossy()) && unused(&e.path()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Removes `dir` when it holds only files, one of them a `repomd.xml` (a
/// repo's copy: the name pattern alone also fits other programs'
/// directories, `index.crates.io-1949cf8c6b5b557f` in cargo's cache, should
/// `--cache` name a directory that holds them), and neither it nor any of
/// them was modified within [`UNUSED_DIR`]. An empty one goes too, and so
/// does one holding only the download lock file (`download_lock.rs`): a
/// mirror asked for a macro package alone, whose copy is removed once
/// extracted, keeps nothing else.
fn remove_if_unused(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = Vec::new();
    let mut ours = false;
    for e in entries.flatten() {
        if !e.file_type().is_ok_and(|t| t.is_file()) || !unused(&e.path()) {
            return;
        }
        let name = e.file_name();
        ours |= name == "repomd.xml" || name == super::download_lock::LOCK_FILE;
        files.push(e.path());
    }
    if !files.is_empty() && !ours {
        return;
    }
    if !unused(dir) {
        return;
    }
    for f in files {
        // Again: a concurrent run may have just renamed a fresh file here.
        if unused(&f) {
            let _ = std::fs::remove_file(&f);
        }
    }
    // Fails, keeping the directory, when a concurrent run wrote into it.
    let _ = std::fs::remove_dir(dir);
}

/// Whether `path` (not followed) was last modified over [`UNUSED_DIR`] ago.
fn unused(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > UNUSED_DIR))
}

/// A name `fetch::cache_dir_name` gives: a readable part (letters, digits,
/// `.`, `-`, `_`), a dash and 16 lowercase hex digits.
fn is_url_dir_name(name: &str) -> bool {
    let Some((readable, hash)) = name.rsplit_once('-') else {
        return false;
    };
    hash.len() == 16
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && !readable.is_empty()
        && readable
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// A checked metadata copy's name: 32 to 128 hex digits (md5 to sha512), a
/// dash, and a name that is no package's.
fn is_metadata_copy(name: &str) -> bool {
    let Some((hex, rest)) = name.split_once('-') else {
        return false;
    };
    (32..=128).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && !rest.is_empty()
        && !rest.ends_with(".rpm")
}

/// Marks a copy as just used (its modification time), so a concurrent
/// run's [`prune_unlisted`] leaves it for another hour. A read-only cache
/// is fine: the copy is then only as safe as its age.
pub(super) fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_url_directory_names_are_candidates() {
        use super::super::fetch::cache_dir_name;
        for url in [
            "https://dl.fedoraproject.org/pub/fedora/",
            "http://[::1]:8080/a b/",
        ] {
            assert!(is_url_dir_name(&cache_dir_name(url)), "{url}");
        }
        for other in [
            "pools",
            "mirrors",
            "-0123456789abcdef",
            "m-0123456789ABCDEF",
            "m-0123456789abcde",
            "m/x-0123456789abcdef",
        ] {
            assert!(!is_url_dir_name(other), "{other}");
        }
    }

    #[test]
    fn only_metadata_copies_are_candidates() {
        let h = "5a2a35cf818b2143fe79cfda663bc022ac2071ea9617f121e4c82babe3099171";
        assert!(is_metadata_copy(&format!("{h}-{h}-primary.xml.gz")));
        assert!(is_metadata_copy(&format!("{h}-comps.xml")));
        for kept in [
            "repomd.xml".to_string(),
            format!("{h}-bash-5.2-1.x86_64.rpm"),
            format!("{h}-"),
            "cafe-primary.xml.gz".to_string(),
            ".tmpAb3xYz".to_string(),
        ] {
            assert!(!is_metadata_copy(&kept), "{kept}");
        }
    }
}
