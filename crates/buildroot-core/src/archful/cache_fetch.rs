//! Fetching one SRPM into the cache: copied from a local repo or
//! downloaded from the first of its mirrors that delivers it, checked
//! against primary.xml before it takes its place, and fetched once across
//! the runs sharing the cache: a run that finds another fetching the same
//! SRPM waits for it and takes its copy, with the metadata cache's
//! download lock (`rpmmd::DownloadLock`, one byte of `.download-lock` per
//! file name; librepo has no such lock: dnf's `dnf.lock` keeps a second
//! dnf out of the cachedir for the whole download instead).

use std::path::Path;

use crate::atomic;
use crate::error::{Error, Result};
use crate::package::Package;
use crate::rpmmd::{
    download_listed, file_digest, from_mirrors_tallied, DownloadLock, Expected, LoadedRepo,
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
) -> Result<()> {
    if cached_matches(dest, pkg) {
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
    if cached_matches(dest, pkg) {
        return Ok(());
    }
    fetch_into(repo, pkg, dest, tally)
}

/// Whether the cached `dest` is `pkg`'s file: its checksum matches
/// primary.xml's, of whatever type; for a record without a checksum we can
/// compute, its size matches `<size package>` (when primary gives one).
/// Anything else is fetched again, so one bad file cannot stay for good.
fn cached_matches(dest: &Path, pkg: &Package) -> bool {
    let Ok(meta) = std::fs::metadata(dest) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    match pkg.checksum.as_deref().and_then(Expected::of_package) {
        Some(want) => file_digest(dest, &want.algo).is_ok_and(|h| h == want.hex),
        None => pkg.size == 0 || meta.len() == pkg.size,
    }
}

/// Copies (local repo) or downloads (HTTP, from the first of the repo's
/// mirrors that can deliver it) the SRPM of `pkg` to `dest`, checked
/// against primary.xml's checksum before it takes its place, so the cache
/// never holds bytes the repo does not vouch for. A mismatching download
/// is fetched again, as metadata is, in the same budget of attempts as
/// its other failures (`http::fetch_into`).
/// `tally`: what the repo's mirrors did over this run's SRPMs.
fn fetch_into(
    repo: &LoadedRepo,
    pkg: &Package,
    dest: &Path,
    tally: Option<&MirrorTally>,
) -> Result<()> {
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
        Location::Dir(d) => copy_verified(&d.join(href), dest, expected.as_ref()),
        Location::Http(base) => download_listed(
            &format!("{base}{href}"),
            dest,
            expected.as_ref(),
            "primary.xml",
            &s.capped(most),
        ),
    })
    .map(|_| ())
}

/// Copies a local repo's file to `dest` atomically when it matches
/// `expected`; a mismatch is an error naming the repo's file.
fn copy_verified(src: &Path, dest: &Path, expected: Option<&Expected>) -> Result<()> {
    let bytes = std::fs::read(src).map_err(|e| Error::io(src, e))?;
    if let Some(want) = expected {
        if let Some(got) = want.mismatch(&bytes) {
            return Err(Error::format(
                src.display(),
                format!(
                    "checksum mismatch: primary.xml says {} {}, the file has {got}",
                    want.algo, want.hex
                ),
            ));
        }
    }
    atomic::write_file(dest, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpmmd::RepoSpec;
    use crate::srpm;
    use std::time::Duration;

    /// A run that finds another fetching the same SRPM waits for it and
    /// takes its copy, fetching nothing itself (here it could not: the
    /// repo has lost the file); with no one else fetching, it fetches.
    #[test]
    fn a_run_waits_for_another_runs_fetch_and_takes_its_copy() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let s = srpm::SrpmSpec {
            name: "bar".into(),
            version: "1".into(),
            release: "1".into(),
            license: "MIT".into(),
            summary: "bar".into(),
            spec_name: "bar.spec".into(),
            spec_text: "Name: bar\nVersion: 1\nRelease: 1\n".into(),
            build_time: 1,
            ..Default::default()
        };
        let file = srpm::srpm_file_name("bar", "1", "1");
        std::fs::write(repo.join(&file), srpm::build_srpm(&s).unwrap()).unwrap();
        let pkg = srpm::read_header(&repo.join(&file)).unwrap();
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.display().to_string()),
            packages: vec![pkg.clone()],
        };
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        let dest = cache.join(&file);
        // Fetched when no one else is at it.
        fetch_once(&loaded, &pkg, &dest, None).unwrap();
        let bytes = std::fs::read(&dest).unwrap();
        std::fs::remove_file(&dest).unwrap();
        std::fs::remove_file(repo.join(&file)).unwrap();
        let other_run = DownloadLock::take(&dest, "the other run");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            let (loaded, pkg, dest) = (&loaded, &pkg, &dest);
            scope.spawn(move || {
                tx.send(fetch_once(loaded, pkg, dest, None).map_err(|e| e.to_string()))
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
}
