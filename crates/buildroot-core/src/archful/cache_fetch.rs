//! Fetching one SRPM into the cache: hard-linked (or copied) from a local
//! repo or downloaded from the first of its mirrors that delivers it,
//! checked against primary.xml before it takes its place, and fetched once
//! across the runs sharing the cache: a run that finds another fetching the
//! same SRPM waits for it and takes its copy, with the metadata cache's
//! download lock (`rpmmd::DownloadLock`, one byte of `.download-lock` per
//! file name; librepo has no such lock: dnf's `dnf.lock` keeps a second
//! dnf out of the cachedir for the whole download instead). The checksums
//! it verifies are recorded (`cache_sums`), so that later runs need not
//! read the file again to know them.

use std::io::Write;
use std::path::Path;

use super::cache_sums::{feed, finish, hash_file, hashers, Checked, Digests, Stamp, Sums};
use crate::error::{Error, Result};
use crate::package::Package;
use crate::rpmmd::{
    download_package_open, from_mirrors_tallied, DownloadLock, Expected, Hasher, LoadedRepo,
    Location, MirrorTally,
};

/// Makes `dest` hold `pkg`'s SRPM: unless it does already, waits until no
/// other run (or thread) sharing the cache fetches it, looks again, and
/// fetches it only if it is still not there ([`fetch_into`]). Two runs on
/// a cold cache thus fetch each SRPM once; where no lock can be had (see
/// `rpmmd::DownloadLock`), each fetches its own, as before.
pub(super) fn fetch_once(
    repo: &LoadedRepo,
    pkg: &Package,
    dest: &Path,
    tally: Option<&MirrorTally>,
    sums: &Sums,
) -> Result<()> {
    if cached_matches(dest, pkg, sums) {
        return Ok(());
    }
    // The waiting line names the first mirror's URL of the package.
    let first = repo
        .spec
        .package_mirrors()
        .first()
        .map(|b| Location::parse(b));
    let url = match first {
        Some(Ok(l)) => l.display(&pkg.location),
        _ => pkg.location.clone(),
    };
    let _one_at_a_time = DownloadLock::take(dest, &url);
    if cached_matches(dest, pkg, sums) {
        return Ok(());
    }
    let checked = fetch_into(repo, pkg, dest, tally)?;
    if let Some(name) = dest.file_name() {
        sums.placed(&name.to_string_lossy(), &checked);
    }
    Ok(())
}

/// Whether the cached `dest` is `pkg`'s file: its checksum matches
/// primary.xml's, of whatever type (recorded, or hashed: `cache_sums`);
/// for a record without a checksum we can compute, its size matches
/// `<size package>` (when primary gives one). Anything else is fetched
/// again, so one bad file cannot stay for good.
fn cached_matches(dest: &Path, pkg: &Package, sums: &Sums) -> bool {
    let Ok(meta) = std::fs::metadata(dest) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let Some(name) = dest.file_name() else {
        return false;
    };
    match pkg.checksum.as_deref().and_then(Expected::of_package) {
        Some(want) => sums
            .digest(&name.to_string_lossy(), &want.algo)
            .is_ok_and(|(h, _)| h == want.hex),
        None => pkg.size == 0 || meta.len() == pkg.size,
    }
}

/// Hard-links or copies (local repo) or downloads (HTTP, from the first of
/// the repo's mirrors that can deliver it) the SRPM of `pkg` to `dest`,
/// checked against primary.xml's checksum before it takes its place, so
/// the cache never holds bytes the repo does not vouch for. A mismatching
/// download is fetched again, as metadata is, in the same budget of
/// attempts as its other failures (`http::fetch_into`).
/// `tally`: what the repo's mirrors did over this run's SRPMs. Returns the
/// checksums the placed file was checked with.
fn fetch_into(
    repo: &LoadedRepo,
    pkg: &Package,
    dest: &Path,
    tally: Option<&MirrorTally>,
) -> Result<Checked> {
    let expected = pkg.checksum.as_deref().and_then(Expected::of_package);
    // The repo's mirrors in the list's order, as librepo asks them.
    let locs = repo
        .spec
        .package_mirrors()
        .iter()
        .map(|b| Location::parse(b))
        .collect::<Result<Vec<_>>>()?;
    let href = &pkg.location;
    // More bytes than primary.xml's size cannot be the package: cut off at
    // once, as librepo refuses a package whose Content-Length is not that
    // size, instead of filling the disk with a body without end.
    let most = crate::rpmmd::package_limit((pkg.size > 0).then_some(pkg.size));
    from_mirrors_tallied(&locs, href, &repo.spec.access, tally, |loc, s| match loc {
        Location::Dir(d) => place_local(&d.join(href), dest, expected.as_ref()),
        Location::Http(base) => {
            let url = format!("{base}{href}");
            // Its mtime the mirror's (`Last-Modified`), as a linked
            // local repo's SRPM has the repo file's; from a server that
            // sends none, primary.xml's `<time file>`, the same from any
            // mirror and cache (not the download's time).
            let listed = (pkg.time_file > 0)
                .then(|| std::time::UNIX_EPOCH + std::time::Duration::from_secs(pkg.time_file));
            let f = download_package_open(&url, dest, expected.as_ref(), listed, &s.capped(most))?;
            let stamp = f.metadata().map_err(|e| Error::io(dest, e))?;
            // The download was checked as it was written: what primary.xml
            // says of it is its checksum (none when its type is unknown).
            let digests: Digests = expected
                .iter()
                .filter(|e| Hasher::new(&e.algo).is_some())
                .map(|e| (e.algo.clone(), e.hex.clone()))
                .collect();
            Ok(Checked {
                recordable: !digests.is_empty(),
                digests,
                stamp: Stamp::of_meta(&stamp),
            })
        }
    })
    .map(|(checked, _)| checked)
}

/// The checksum types worth computing of a local repo's file: the one
/// primary.xml gives (when we can compute it) and sha256, which
/// create-srpm-repos writes into its repodata.
fn wanted_algos(expected: Option<&Expected>) -> Vec<&str> {
    let mut algos = vec!["sha256"];
    if let Some(e) = expected.filter(|e| Hasher::new(&e.algo).is_some()) {
        algos.insert(0, e.algo.as_str());
    }
    algos
}

/// An error naming `src` when `digests` do not hold `expected`'s checksum.
fn check(src: &Path, expected: Option<&Expected>, digests: &Digests) -> Result<()> {
    let Some(want) = expected else {
        return Ok(());
    };
    match digests.get(&want.algo) {
        Some(got) if *got != want.hex => Err(Error::format(
            src.display(),
            format!(
                "checksum mismatch: primary.xml says {} {}, the file has {got}",
                want.algo, want.hex
            ),
        )),
        _ => Ok(()),
    }
}

/// Puts a local repo's file `src` at `dest` once it matches `expected`: a
/// hard link when the file is on the cache's file system, it did not
/// change while hashed and is not so new that a change could hide in its
/// times (`cache_sums::RACY`); else a copy checked as it is written. A
/// mismatch is an error naming the repo's file.
fn place_local(src: &Path, dest: &Path, expected: Option<&Expected>) -> Result<Checked> {
    match link_checked(src, dest, expected)? {
        Some(linked) => Ok(linked),
        None => copy_verified(src, dest, expected),
    }
}

/// Hard-links `src` under a temp name beside `dest`, hashes it there (the
/// repo's file itself, read once), and renames it into place when it
/// matches. Ok(None), leaving nothing, when it cannot link (another file
/// system, a file another user owns under `fs.protected_hardlinks`), or
/// cannot read it, or the file changed while hashed or is racily new, or
/// the rename failed (a concurrent run's sweep took the temp name, which
/// has the repo file's age): the caller copies it.
fn link_checked(src: &Path, dest: &Path, expected: Option<&Expected>) -> Result<Option<Checked>> {
    let Some(dir) = dest.parent() else {
        return Ok(None);
    };
    // Named as a download's temp file, so a killed run's is swept; and
    // removed by SIGINT or SIGTERM, as a download's temp file is (let go
    // only once the closure below has renamed or removed it).
    let linked = crate::atomic::temp_removed_on_signal(dir, |tmp| std::fs::hard_link(src, tmp));
    let Ok((tmp, registered)) = linked else {
        return Ok(None);
    };
    let tmp = tmp.into_temp_path();
    let taken = (|| {
        let Ok(checked) = hash_file(&tmp, &wanted_algos(expected)) else {
            return Ok(None);
        };
        check(src, expected, &checked.digests)?;
        // Renamed only when the link is still exactly as hashed; the rename
        // moves its ctime, so the checksums are carried over to it.
        let unchanged = Stamp::of(&tmp).is_ok_and(|now| now == checked.stamp);
        crate::atomic::wait_if_interrupted();
        if !(checked.recordable && unchanged && tmp.persist(dest).is_ok()) {
            return Ok(None);
        }
        Ok(Some(renamed(checked, dest)))
    })();
    drop(registered);
    taken
}

/// `checked` of a file this run just renamed to `dest`, at its stamp
/// there (the rename moved its ctime); recordable only when it is still
/// the same inode of the same size and mtime.
fn renamed(checked: Checked, dest: &Path) -> Checked {
    match Stamp::of(dest) {
        Ok(now) if now.same_bytes(&checked.stamp) => Checked {
            stamp: now,
            ..checked
        },
        _ => Checked {
            recordable: false,
            ..checked
        },
    }
}

/// Copies a local repo's file to `dest` atomically when it matches
/// `expected`, hashing what it copies as it goes (a file of any size, in
/// 1 MB blocks); a mismatch is an error naming the repo's file, and leaves
/// `dest` as it was.
fn copy_verified(src: &Path, dest: &Path, expected: Option<&Expected>) -> Result<Checked> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let mut from = std::fs::File::open(src).map_err(|e| Error::io(src, e))?;
    // Removed by SIGINT or SIGTERM, as a download's temp file is; let go
    // once `copy_into` has renamed or removed it.
    let (tmp, registered) = crate::atomic::temp_removed_on_signal(dir, crate::rpmmd::new_file_0644)
        .map_err(|e| Error::io(dir, e))?;
    let copied = copy_into(tmp, &mut from, src, dest, expected);
    drop(registered);
    copied
}

/// [`copy_verified`]'s copy of `from` into `tmp`, renamed to `dest` when
/// it matches `expected` (removed otherwise).
fn copy_into(
    mut tmp: tempfile::NamedTempFile,
    from: &mut std::fs::File,
    src: &Path,
    dest: &Path,
    expected: Option<&Expected>,
) -> Result<Checked> {
    let mut hs = hashers(src, &wanted_algos(expected))?;
    feed(from, src, &mut hs, |b| {
        tmp.write_all(b).map_err(|e| Error::io(dest, e))
    })?;
    let digests = finish(hs);
    check(src, expected, &digests)?;
    let file = tmp.as_file();
    // The repo file's modification time, as a linked copy has it (and so
    // its `<time file>` in create-srpm-repos' repos).
    let modified = from.metadata().and_then(|m| m.modified());
    modified
        .and_then(|t| file.set_modified(t))
        .map_err(|e| Error::io(dest, e))?;
    file.sync_all().map_err(|e| Error::io(dest, e))?;
    let stamp = file.metadata().map_err(|e| Error::io(dest, e))?;
    crate::atomic::wait_if_interrupted();
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    // Bytes this run wrote and checked as it wrote them, into a new file
    // no one else writes to: recorded whatever their age.
    let checked = Checked {
        digests,
        stamp: Stamp::of_meta(&stamp),
        recordable: true,
    };
    Ok(renamed(checked, dest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic;
    use crate::rpmmd::RepoSpec;
    use crate::srpm;
    use std::time::Duration;

    /// Writes a minimal SRPM of `name` 1-1 into `dir`; its file name.
    fn write_srpm(dir: &Path, name: &str) -> String {
        let s = srpm::SrpmSpec {
            name: name.into(),
            version: "1".into(),
            release: "1".into(),
            license: "MIT".into(),
            summary: name.into(),
            spec_name: format!("{name}.spec"),
            spec_text: format!("Name: {name}\nVersion: 1\nRelease: 1\n"),
            build_time: 1,
            ..Default::default()
        };
        let file = srpm::srpm_file_name(name, "1", "1");
        std::fs::write(dir.join(&file), srpm::build_srpm(&s).unwrap()).unwrap();
        file
    }

    /// Under `top`: a local repo `repo/` holding the SRPM of `bar` 1-1, and
    /// an empty `cache/`: the repo's path, the SRPM's file name, its
    /// header, the repo as loaded, the cache's path.
    fn local_repo_and_cache(
        top: &Path,
    ) -> (
        std::path::PathBuf,
        String,
        Package,
        LoadedRepo,
        std::path::PathBuf,
    ) {
        let repo = top.join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let file = write_srpm(&repo, "bar");
        let pkg = srpm::read_header(&repo.join(&file)).unwrap();
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.display().to_string()),
            packages: vec![pkg.clone()],
        };
        let cache = top.join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        (repo, file, pkg, loaded, cache)
    }

    /// A run that finds another fetching the same SRPM waits for it and
    /// takes its copy, fetching nothing itself (here it could not: the
    /// repo has lost the file); with no one else fetching, it fetches.
    #[test]
    fn a_run_waits_for_another_runs_fetch_and_takes_its_copy() {
        let t = tempfile::tempdir().unwrap();
        let (repo, file, pkg, loaded, cache) = local_repo_and_cache(t.path());
        let dest = cache.join(&file);
        // Fetched when no one else is at it.
        let sums = Sums::open(&cache);
        fetch_once(&loaded, &pkg, &dest, None, &sums).unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        std::fs::remove_file(&dest).unwrap();
        std::fs::remove_file(repo.join(&file)).unwrap();
        let other_run = DownloadLock::take(&dest, "the other run");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            let (loaded, pkg, dest, sums) = (&loaded, &pkg, &dest, &sums);
            scope.spawn(move || {
                tx.send(fetch_once(loaded, pkg, dest, None, sums).map_err(|e| e.to_string()))
            });
            // Without the lock it would have failed at once (the repo
            // lacks the file); with it, it waits for the other run.
            let early = rx.recv_timeout(Duration::from_millis(300));
            assert!(early.is_err(), "did not wait: {early:?}");
            atomic::write_file(dest, &bytes).unwrap();
            drop(other_run);
            rx.recv().unwrap().unwrap();
        });
        assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    }

    /// A local repo on another file system than the cache (here tmpfs):
    /// the link is refused (EXDEV, as `fs.protected_hardlinks` refuses one
    /// to another user's file) and the SRPM is copied, checked as it is
    /// written, and its checksum recorded for the copy; the repo's file is
    /// left as it was, and the copy has its modification time (its
    /// `<time file>` in create-srpm-repos' repos), as a link would.
    #[test]
    fn a_local_srpm_that_cannot_be_linked_is_copied() {
        use std::os::unix::fs::MetadataExt;
        let shm = Path::new("/dev/shm");
        let t = tempfile::tempdir().unwrap();
        let Ok(repo) = tempfile::tempdir_in(shm) else {
            return;
        };
        let dev = |p: &Path| std::fs::metadata(p).unwrap().dev();
        if dev(repo.path()) == dev(t.path()) {
            return;
        }
        let file = write_srpm(repo.path(), "baz");
        let src = repo.path().join(&file);
        let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let f = std::fs::File::options().append(true).open(&src).unwrap();
        f.set_modified(hour_ago).unwrap();
        let before = std::fs::metadata(&src).unwrap();
        let pkg = srpm::read_header(&src).unwrap();
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.path().display().to_string()),
            packages: vec![pkg.clone()],
        };
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        let dest = cache.join(&file);
        fetch_once(&loaded, &pkg, &dest, None, &Sums::open(&cache)).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(&src).unwrap());
        let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        assert_eq!(modified(&dest), hour_ago);
        let after = std::fs::metadata(&src).unwrap();
        assert_eq!(after.nlink(), 1);
        assert_eq!(
            (after.ctime(), after.ctime_nsec()),
            (before.ctime(), before.ctime_nsec())
        );
        let record = std::fs::read_to_string(cache.join(super::super::SUMS_FILE)).unwrap();
        let sum = pkg.checksum.as_deref().unwrap();
        assert!(record.contains(sum), "{record}");
        // What the cache answers for the copy.
        let (got, _) = Sums::open(&cache).digest(&file, "sha256").unwrap();
        assert_eq!(got, sum);
    }

    /// A local repo on the cache's file system: its SRPM is hard-linked
    /// into the cache once checked, and its checksum recorded; one written
    /// a moment ago is copied (a write in the same clock tick could hide
    /// from its times); one that does not match is refused, naming it. A
    /// linked file written in place later, its mtime put back, is hashed
    /// again (its ctime moved): the cache never vouches for it.
    #[test]
    fn a_local_srpm_is_linked_into_the_cache_once_checked() {
        use std::os::unix::fs::MetadataExt;
        let t = tempfile::tempdir().unwrap();
        let (repo, file, pkg, loaded, cache) = local_repo_and_cache(t.path());
        let src = repo.join(&file);
        let dest = cache.join(&file);
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        // Just written: copied.
        let sums = Sums::open(&cache);
        fetch_once(&loaded, &pkg, &dest, None, &sums).unwrap();
        assert_ne!(ino(&dest), ino(&src));
        assert_eq!(std::fs::read(&dest).unwrap(), std::fs::read(&src).unwrap());
        // The copy has the repo file's modification time, as a link has.
        let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
        assert_eq!(modified(&dest), modified(&src));
        let record = std::fs::read_to_string(cache.join(super::super::SUMS_FILE)).unwrap();
        assert!(
            record.contains(pkg.checksum.as_deref().unwrap()),
            "{record}"
        );
        // An hour old: linked.
        std::fs::remove_file(&dest).unwrap();
        let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        let set_mtime = |p: &Path, t| {
            let f = std::fs::File::options().append(true).open(p).unwrap();
            f.set_modified(t).unwrap();
        };
        set_mtime(&src, hour_ago);
        let sums = Sums::open(&cache);
        fetch_once(&loaded, &pkg, &dest, None, &sums).unwrap();
        assert_eq!(ino(&dest), ino(&src));
        // What primary.xml does not vouch for is refused, naming the file.
        let mut wrong = pkg.clone();
        wrong.checksum = Some("0".repeat(64));
        std::fs::remove_file(&dest).unwrap();
        let e = fetch_once(&loaded, &wrong, &dest, None, &Sums::open(&cache))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(&src.display().to_string()), "{e}");
        assert!(e.contains("checksum mismatch"), "{e}");
        assert!(!dest.exists());
        // Linked again, then the repo's file is written in place with its
        // mtime put back: the record does not vouch for it, it is hashed,
        // and its new bytes are refused.
        let sums = Sums::open(&cache);
        fetch_once(&loaded, &pkg, &dest, None, &sums).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let mut bytes = std::fs::read(&src).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&src, &bytes).unwrap();
        set_mtime(&src, hour_ago);
        let e = fetch_once(&loaded, &pkg, &dest, None, &Sums::open(&cache))
            .unwrap_err()
            .to_string();
        assert!(e.contains("checksum mismatch"), "{e}");
    }
}
