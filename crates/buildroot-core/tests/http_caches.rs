//! The on-disk caches of HTTP downloads against sources that lie and disks
//! that fail. The SRPM cache of the archful tools (`archful::refresh_cache`):
//! an SRPM is checked against primary.xml's checksum whether it is
//! downloaded (a corrupt body is fetched once more, then the run fails
//! naming the URL) or copied from a local repo, comes from another mirror
//! when one lacks it, and a bad file never stays in the cache, whatever
//! checksum type the repo uses. Both caches: files readable by others, old
//! temp files of killed runs removed; a cached metadata file damaged on disk
//! is downloaded again.

mod http_support;

use std::path::{Path, PathBuf};

use buildroot_core::archful::{refresh_cache, CACHE_MARKER, SUMS_FILE, USES_FILE};
use buildroot_core::rpmmd::{
    cache_dir_name, file_digest, load_repo, Filelists, LoadOptions, LoadedRepo, MirrorSource,
    RepoSpec,
};
use http_support::{Fault, Server};

const HELLO: &str = "hello-2.12.1-1.eln150.src.rpm";

/// Small waits and limits for every test of this file (the same values
/// everywhere, so tests running in parallel cannot disagree).
fn fast() {
    http_support::http_settings("0.05", "1", "3");
}

fn repos_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/repos")
}

/// The fixture source repo's packages, as if loaded from `baseurl`.
fn source_repo(baseurl: &str) -> LoadedRepo {
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: None,
    };
    let local = RepoSpec::new("src", &repos_dir().join("source").display().to_string());
    let mut r = load_repo(&local, &opts).unwrap();
    r.spec = RepoSpec::new("src", baseurl);
    r
}

/// Every file in `dir` (hidden temp files included), sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // Every SRPM cache is marked as one, first thing, and records its
        // uses and the checksums it verified; a download's directory keeps
        // its (empty) lock file.
        .filter(|f| f != CACHE_MARKER && f != USES_FILE && f != SUMS_FILE && f != ".download-lock")
        .collect();
    v.sort();
    v
}

fn fixture_bytes(file: &str) -> Vec<u8> {
    std::fs::read(repos_dir().join("source").join(file)).unwrap()
}

#[test]
fn a_corrupt_srpm_download_is_fetched_again_and_never_cached() {
    fast();
    let server = Server::start(repos_dir());
    let repo = source_repo(&format!("{}/source/", server.base));
    let t = tempfile::tempdir().unwrap();
    // Corrupt once: the second download matches and is cached.
    server.fault(HELLO, Fault::Corrupt, Some(1));
    let cache = t.path().join("once");
    refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
    assert_eq!(
        std::fs::read(cache.join(HELLO)).unwrap(),
        fixture_bytes(HELLO)
    );
    assert_eq!(server.requests_for(HELLO).len(), 2);
    // Corrupt every time: one line naming the URL, nothing in the cache.
    server.clear_faults();
    server.fault(HELLO, Fault::Corrupt, None);
    let cache = t.path().join("always");
    let e = refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache)
        .unwrap_err()
        .to_string();
    let url = format!("{}/source/{HELLO}", server.base);
    assert!(
        e.starts_with(&format!(
            "{url}: checksum mismatch: primary.xml says sha256 "
        )),
        "{e}"
    );
    assert!(
        e.ends_with("(downloaded 4 times)") && !e.contains('\n'),
        "{e}"
    );
    assert_eq!(files_in(&cache), Vec::<String>::new());
}

#[test]
fn a_damaged_srpm_in_a_local_repo_is_refused_and_not_cached() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("source");
    std::fs::create_dir_all(src.join("repodata")).unwrap();
    for e in std::fs::read_dir(repos_dir().join("source/repodata")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), src.join("repodata").join(e.file_name())).unwrap();
    }
    let mut bytes = fixture_bytes(HELLO);
    bytes.truncate(3000);
    std::fs::write(src.join(HELLO), bytes).unwrap();
    let repo = source_repo(&src.display().to_string());
    let cache = t.path().join("cache");
    let e = refresh_cache(&[repo], &["hello".into()], &cache)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "{}: checksum mismatch: primary.xml says sha256 ",
            src.join(HELLO).display()
        )),
        "{e}"
    );
    assert_eq!(files_in(&cache), Vec::<String>::new());
}

#[test]
fn a_bad_cached_srpm_is_replaced_whatever_the_checksum_type() {
    fast();
    let server = Server::start(repos_dir());
    let path = repos_dir().join("source").join(HELLO);
    let t = tempfile::tempdir().unwrap();
    for algo in ["sha1", "sha512", "md5", "none"] {
        let mut repo = source_repo(&format!("{}/source/", server.base));
        let hello = repo
            .packages
            .iter_mut()
            .find(|p| p.name == "hello")
            .unwrap();
        hello.checksum = (algo != "none").then(|| file_digest(&path, algo).unwrap());
        let cache = t.path().join(algo);
        // An earlier run's cache (its metadata directory beside the SRPMs)
        // with a bad download in it (an HTML error page).
        std::fs::create_dir_all(cache.join(".metadata")).unwrap();
        std::fs::write(cache.join(HELLO), b"<html>502 Bad Gateway</html>").unwrap();
        server.clear_log();
        for _ in 0..2 {
            refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
            assert_eq!(
                std::fs::read(cache.join(HELLO)).unwrap(),
                fixture_bytes(HELLO),
                "{algo}"
            );
        }
        // Fetched by the first run only: the good copy is then kept.
        assert_eq!(server.requests_for(HELLO).len(), 1, "{algo}");
    }
}

/// A downloaded SRPM has the server's `Last-Modified` as its modification
/// time (so its `<time file>` in create-srpm-repos' repos is the mirror's
/// file's, as a local repo's linked SRPM has the repo's), also when its
/// download was resumed; metadata keeps the download's time, by which
/// the metadata cache is pruned.
#[test]
fn a_downloaded_srpm_has_the_mirrors_time_and_metadata_the_downloads() {
    fast();
    let t = tempfile::tempdir().unwrap();
    let www = t.path().join("www/source");
    std::fs::create_dir_all(www.join("repodata")).unwrap();
    let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    let fixture = repos_dir().join("source");
    let mut served = vec![HELLO.to_string()];
    for f in std::fs::read_dir(fixture.join("repodata")).unwrap() {
        served.push(format!(
            "repodata/{}",
            f.unwrap().file_name().to_string_lossy()
        ));
    }
    for f in &served {
        std::fs::copy(fixture.join(f), www.join(f)).unwrap();
        let file = std::fs::File::options()
            .append(true)
            .open(www.join(f))
            .unwrap();
        file.set_modified(then).unwrap();
    }
    let server = Server::start(t.path().join("www"));
    server.fault(HELLO, Fault::ResetMidBody, Some(1));
    let meta = t.path().join("meta");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    let base = format!("{}/source/", server.base);
    let repo = load_repo(&RepoSpec::new("src", &base), &opts).unwrap();
    let cache = t.path().join("cache");
    refresh_cache(&[repo], &["hello".into()], &cache).unwrap();
    let hello = server.requests_for(HELLO);
    assert!(hello.len() == 2 && hello[1].range.is_some(), "{hello:?}");
    let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(modified(&cache.join(HELLO)), then);
    let dir = meta.join(cache_dir_name(&base));
    let metadata = files_in(&dir);
    assert!(metadata.len() >= 2, "{metadata:?}");
    for f in metadata {
        let age = modified(&dir.join(&f)).elapsed().unwrap();
        assert!(age < std::time::Duration::from_secs(600), "{f}: {age:?}");
    }
}

/// A server that sends no `Last-Modified`: the SRPM takes primary.xml's
/// `<time file>` (the fixture's are all 1730000000), so two fresh caches
/// give the same `<time file>` in create-srpm-repos' repos; it was the
/// download's time. A package whose primary.xml gives none keeps that.
#[test]
fn without_last_modified_an_srpm_has_primarys_time_file() {
    fast();
    let server = Server::start(repos_dir());
    server.set_last_modified(false);
    let t = tempfile::tempdir().unwrap();
    let base = format!("{}/source/", server.base);
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(t.path().join("meta")),
    };
    let repo = load_repo(&RepoSpec::new("src", &base), &opts).unwrap();
    let listed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_730_000_000);
    let hello = repo.packages.iter().find(|p| p.name == "hello").unwrap();
    assert_eq!(hello.time_file, 1_730_000_000);
    let cache = t.path().join("cache");
    refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
    assert!(server.requests_for(HELLO).len() == 1);
    let modified = |p: &Path| std::fs::metadata(p).unwrap().modified().unwrap();
    assert_eq!(modified(&cache.join(HELLO)), listed);
    // Without `<time file>` either: the download's time.
    let mut unlisted = repo.clone();
    for p in &mut unlisted.packages {
        p.time_file = 0;
    }
    let cache = t.path().join("cache2");
    refresh_cache(&[unlisted], &["hello".into()], &cache).unwrap();
    let age = modified(&cache.join(HELLO)).elapsed().unwrap();
    assert!(age < std::time::Duration::from_secs(600), "{age:?}");
}

/// The mode bits of a file.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn downloads_are_readable_by_others() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    // What the umask leaves of 0644 (an ordinary file is 0666 less the umask).
    std::fs::write(t.path().join("probe"), b"").unwrap();
    let want = mode(&t.path().join("probe")) & 0o644;
    let base = format!("{}/source/", server.base);
    let meta = t.path().join("meta");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    let repo = load_repo(&RepoSpec::new("src", &base), &opts).unwrap();
    let cache = t.path().join("cache");
    refresh_cache(&[repo], &["hello".into()], &cache).unwrap();
    let mut files = vec![cache.join(HELLO)];
    for d in std::fs::read_dir(&meta).unwrap() {
        let d = d.unwrap().path();
        if d.is_dir() {
            files.extend(std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()));
        }
    }
    assert!(files.len() >= 3, "{files:?}");
    for f in files.iter().filter(|f| f.is_file()) {
        assert_eq!(mode(f), want, "{}", f.display());
    }
}

/// A server with two mirrors, `a/` and `b/`, of the fixture source repo.
fn two_mirrors_of_source() -> (tempfile::TempDir, Server) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("www");
    std::fs::create_dir_all(&root).unwrap();
    for m in ["a", "b"] {
        std::os::unix::fs::symlink(repos_dir().join("source"), root.join(m)).unwrap();
    }
    (t, Server::start(root))
}

/// The repo of [`two_mirrors_of_source`], mirrors `a` then `b`, its
/// metadata cached under `t`.
fn load_two_mirrors(t: &tempfile::TempDir, server: &Server) -> LoadedRepo {
    let mut spec = RepoSpec::new("src", &format!("{}/a/", server.base));
    spec.extra_baseurls = vec![format!("{}/b/", server.base)];
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(t.path().join("meta")),
    };
    load_repo(&spec, &opts).unwrap()
}

#[test]
fn an_srpm_a_mirror_lacks_comes_from_the_next() {
    fast();
    let (t, server) = two_mirrors_of_source();
    server.fault(&format!("/a/{HELLO}"), Fault::Status(404), None);
    let repo = load_two_mirrors(&t, &server);
    // Mirror a answered for the metadata.
    assert_eq!(repo.spec.baseurl, format!("{}/a/", server.base));
    let cache = t.path().join("cache");
    refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
    assert_eq!(
        std::fs::read(cache.join(HELLO)).unwrap(),
        fixture_bytes(HELLO)
    );
    // Mirror a is left after one 404, b delivers.
    assert_eq!(server.requests_for(&format!("/a/{HELLO}")).len(), 1);
    assert_eq!(server.requests_for(&format!("/b/{HELLO}")).len(), 1);
    // No mirror has it: one line naming the first URL and the last problem,
    // after the mirrors were asked in turn, a b a b, at once, as dnf 4.14
    // (librepo) asks two mirrors that answer 404.
    server.clear_log();
    server.fault(&format!("/b/{HELLO}"), Fault::Status(404), None);
    let cache = t.path().join("cache2");
    let e = refresh_cache(&[repo], &["hello".into()], &cache)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{b}/a/{HELLO}: none of 2 mirrors could deliver it (4 attempts, taking turns); the last said: {b}/b/{HELLO}: HTTP 404",
            b = server.base
        )
    );
    let asked: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    let (a, b) = (format!("/a/{HELLO}"), format!("/b/{HELLO}"));
    assert_eq!(asked, [a.clone(), b.clone(), a, b]);
    assert_eq!(files_in(&cache), Vec::<String>::new());
}

/// Over a batch of packages, librepo's adaptive sorting moves a mirror
/// that keeps failing below one that delivers, once it has 3 transfers
/// and the other is not judged yet: dnf 4.14, whose first mirror answered
/// 404 for every package of 8, asked it for 3 of them and never again
/// (the second delivered them all). Counted as before, that mirror was
/// asked 4 times, until it had failed 4 times without a success. The
/// SRPMs here come one after the other through one tally (a run fetches
/// them in parallel, which only shuffles who meets the failures first).
#[test]
fn over_a_batch_a_mirror_that_keeps_failing_drops_below_one_that_delivers() {
    use buildroot_core::rpmmd::{
        download_listed, from_mirrors_tallied, Location, MirrorTally, RepoAccess,
    };
    fast();
    let (t, server) = two_mirrors_of_source();
    let srpms = [
        "bash-5.2.26-1.eln150.src.rpm",
        "bzip2-1.0.8-1.eln150.src.rpm",
        "cpio-2.15-1.eln150.src.rpm",
        "gawk-5.3.0-1.eln150.src.rpm",
        "grep-3.11-1.eln150.src.rpm",
    ];
    for f in srpms {
        server.fault(&format!("/a/{f}"), Fault::Status(404), None);
    }
    let locs: Vec<Location> = ["a", "b"]
        .iter()
        .map(|m| Location::parse(&format!("{}/{m}/", server.base)).unwrap())
        .collect();
    let tally = MirrorTally::new();
    for f in srpms {
        let dest = t.path().join(f);
        let (_, from) =
            from_mirrors_tallied(&locs, f, &RepoAccess::default(), Some(&tally), |l, s| {
                download_listed(&l.display(f), &dest, None, "primary.xml", s)
            })
            .unwrap();
        assert_eq!(from, 1, "{f}");
        assert_eq!(std::fs::read(&dest).unwrap(), fixture_bytes(f));
    }
    let asked: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    let want: Vec<String> = srpms
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let b = format!("/b/{f}");
            match i < 3 {
                true => vec![format!("/a/{f}"), b],
                false => vec![b],
            }
        })
        .collect();
    assert_eq!(asked, want);
}

/// A repo's packages are asked of its mirrors in the list's order,
/// whichever answered repomd.xml, as librepo asks them: dnf 4.14, whose
/// first mirror answered repomd.xml with a 503, downloaded the package
/// from that mirror all the same.
#[test]
fn an_srpm_is_asked_of_the_mirrors_from_the_top_of_the_list() {
    fast();
    let (t, server) = two_mirrors_of_source();
    server.fault("/a/repodata/repomd.xml", Fault::Status(503), None);
    let repo = load_two_mirrors(&t, &server);
    // Mirror b answered for repomd.xml.
    assert_eq!(repo.spec.baseurl, format!("{}/b/", server.base));
    assert_eq!(
        repo.spec.package_mirrors(),
        [format!("{}/a/", server.base), format!("{}/b/", server.base)]
    );
    server.clear_log();
    let cache = t.path().join("cache");
    refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
    let asked: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(asked, [format!("/a/{HELLO}")]);
    assert_eq!(
        std::fs::read(cache.join(HELLO)).unwrap(),
        fixture_bytes(HELLO)
    );
}

#[test]
fn old_temp_files_of_killed_runs_are_removed() {
    fast();
    let server = Server::start(repos_dir());
    let repo = source_repo(&format!("{}/source/", server.base));
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    // A cache of ours (an unmarked directory with a README is refused).
    std::fs::write(cache.join(CACHE_MARKER), "").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let leftovers = [".tmpAb3xYz", ".tmp-Ab3xYz"];
    // A concurrent run's download (fresh), and files that are not ours.
    let kept = [".tmpNew123", ".tmpnot-ours.txt", "README"];
    for (name, old) in leftovers
        .iter()
        .map(|n| (n, true))
        .chain(kept.iter().map(|n| (n, false)))
    {
        let f = std::fs::File::create(cache.join(name)).unwrap();
        if old || name.ends_with(".txt") || *name == "README" {
            f.set_modified(two_hours_ago).unwrap();
        }
    }
    refresh_cache(&[repo], &["hello".into()], &cache).unwrap();
    let mut want: Vec<String> = kept.iter().map(|s| s.to_string()).collect();
    want.push(HELLO.into());
    want.sort();
    assert_eq!(files_in(&cache), want);
    // The HTTP metadata cache: swept when repomd.xml is downloaded into it.
    let meta = t.path().join("meta");
    let dir = meta.join(cache_dir_name(&format!("{}/source/", server.base)));
    std::fs::create_dir_all(&dir).unwrap();
    let f = std::fs::File::create(dir.join(leftovers[0])).unwrap();
    f.set_modified(two_hours_ago).unwrap();
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta),
    };
    load_repo(
        &RepoSpec::new("src", &format!("{}/source/", server.base)),
        &opts,
    )
    .unwrap();
    let left = files_in(&dir);
    assert!(left.contains(&"repomd.xml".to_string()), "{left:?}");
    assert!(!left.iter().any(|f| f.starts_with(".tmp")), "{left:?}");
}

#[test]
fn a_cached_metadata_file_damaged_on_disk_is_downloaded_again() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    let spec = RepoSpec::new("src", &format!("{}/source/", server.base));
    let clean = load_repo(&spec, &opts).unwrap().packages.len();
    let dir = std::fs::read_dir(&meta)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|d| d.join("repomd.xml").is_file())
        .unwrap();
    let primary = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("primary.xml.gz"))
        .unwrap();
    let good = std::fs::read(&primary).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x20;
    // Cut short (a crash before its blocks reached the disk), emptied, a flipped bit.
    let damage: [Vec<u8>; 3] = [good[..good.len() / 3].to_vec(), Vec::new(), flipped];
    for (i, bytes) in damage.iter().enumerate() {
        std::fs::write(&primary, bytes).unwrap();
        server.clear_log();
        let r = load_repo(&spec, &opts).unwrap_or_else(|e| panic!("damage {i}: {e}"));
        assert_eq!(r.packages.len(), clean, "damage {i}");
        assert_eq!(server.requests_for("primary.xml.gz").len(), 1, "damage {i}");
        assert_eq!(std::fs::read(&primary).unwrap(), good, "damage {i}");
    }
    // An intact copy is used as it is.
    server.clear_log();
    load_repo(&spec, &opts).unwrap();
    assert!(server.requests_for("primary.xml.gz").is_empty());
}

/// A cache directory named as before the hash was added to the names is
/// taken over, not left behind: its metadata is used, not downloaded again.
#[test]
fn a_cache_directory_of_the_older_naming_is_taken_over() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    let base = format!("{}/source/", server.base);
    let spec = RepoSpec::new("src", &base);
    load_repo(&spec, &opts).unwrap();
    // As an earlier version named it: the URL's readable part alone.
    let dir = meta.join(cache_dir_name(&base));
    let legacy = meta.join(format!(
        "{}_source",
        server.base.trim_start_matches("http://").replace(':', "_")
    ));
    std::fs::rename(&dir, &legacy).unwrap();
    server.clear_log();
    load_repo(&spec, &opts).unwrap();
    assert!(server.requests_for("primary.xml.gz").is_empty());
    assert!(dir.join("repomd.xml").is_file() && !legacy.exists());
}

/// As dnf's cache holds only the current metadata of a repo, what an older
/// repomd.xml listed is removed once over an hour old; a copy in use is
/// touched when reused, and packages kept beside the metadata stay.
#[test]
fn metadata_an_older_repomd_listed_is_removed() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    let dir = meta.join(cache_dir_name(&format!("{}/source/", server.base)));
    std::fs::create_dir_all(&dir).unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
    let old = format!("{a}-{a}-primary.xml.gz");
    let young = format!("{b}-{b}-filelists.xml.gz");
    let package = format!("{c}-bash-5.2-1.x86_64.rpm");
    for (name, aged) in [(&old, true), (&young, false), (&package, true)] {
        let f = std::fs::File::create(dir.join(name)).unwrap();
        if aged {
            f.set_modified(two_hours_ago).unwrap();
        }
    }
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta),
    };
    let spec = RepoSpec::new("src", &format!("{}/source/", server.base));
    load_repo(&spec, &opts).unwrap();
    let left = files_in(&dir);
    assert!(!left.contains(&old), "{left:?}");
    assert!(left.contains(&young) && left.contains(&package), "{left:?}");
    let primary = left
        .iter()
        .find(|f| f.ends_with("primary.xml.gz"))
        .map(|f| dir.join(f))
        .unwrap();
    // Reused: touched, so a concurrent run's pruning keeps it.
    std::fs::File::options()
        .append(true)
        .open(&primary)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let fetched = server.requests_for("primary.xml.gz").len();
    load_repo(&spec, &opts).unwrap();
    // Reused, not downloaded again (which would make it young as well).
    assert_eq!(server.requests_for("primary.xml.gz").len(), fetched);
    let age = std::fs::metadata(&primary).unwrap().modified().unwrap();
    assert!(age.elapsed().unwrap() < std::time::Duration::from_secs(600));
}

/// A repo's `retries=` changes no SRPM's tries, as it changes none of dnf
/// 4.14's (its rounds are for failed delta RPMs; a package librepo failed
/// after its 4 tries is fatal): dnf asked a package that answered 503
/// three times 4 times with `retries=0`, 1, 2 or 5 and had it, and gave up
/// on one that answered 503 four times with `retries=5`. So do the tools,
/// with the run's retries (3 here, as by default).
#[test]
fn a_repos_retries_changes_no_srpms_tries() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    // retries=0 is kept as 100, dnf's "for ever".
    for (i, retries) in [100, 1, 2, 5].into_iter().enumerate() {
        let mut repo = source_repo(&format!("{}/source/", server.base));
        repo.spec.access.pace.retries = Some(retries);
        server.clear_faults();
        server.clear_log();
        server.fault(HELLO, Fault::Status(503), Some(3));
        let cache = t.path().join(format!("c{i}"));
        refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
        assert_eq!(server.requests_for(HELLO).len(), 4, "retries={retries}");
        assert_eq!(
            std::fs::read(cache.join(HELLO)).unwrap(),
            fixture_bytes(HELLO)
        );
    }
    let mut repo = source_repo(&format!("{}/source/", server.base));
    repo.spec.access.pace.retries = Some(5);
    server.clear_faults();
    server.clear_log();
    server.fault(HELLO, Fault::Status(503), Some(4));
    let e = refresh_cache(
        std::slice::from_ref(&repo),
        &["hello".into()],
        &t.path().join("c"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("HTTP 503 (gave up after 4 attempts)"), "{e}");
    assert_eq!(server.requests_for(HELLO).len(), 4);
}

/// An SRPM its only mirror answers 404 or 403 for a while (a node of a
/// load-balanced mirror that has not synced yet) is asked for again, as
/// librepo asks for a package again after any answer but a 2xx.
#[test]
fn an_srpm_refused_for_a_while_is_asked_for_again() {
    fast();
    let server = Server::start(repos_dir());
    let repo = source_repo(&format!("{}/source/", server.base));
    server.fault(HELLO, Fault::Status(404), Some(1));
    server.fault(HELLO, Fault::Status(403), Some(1));
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("c");
    refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache).unwrap();
    assert_eq!(server.requests_for(HELLO).len(), 3);
    assert_eq!(
        std::fs::read(cache.join(HELLO)).unwrap(),
        fixture_bytes(HELLO)
    );
}

/// A 4xx answer is retried at once, as librepo retries it: at most
/// librepo's 4 tries of one URL, whatever the repo's `retries=` says
/// (mock's dnf.conf says 20; `retries=0`, dnf's "for ever", is kept as
/// 100), as in dnf: 21 or 101 requests in a burst (a 401 or 403 among
/// them, which gets a client banned) are no one's behaviour.
#[test]
fn a_refused_srpm_is_asked_for_at_most_4_times_whatever_the_repos_retries() {
    fast();
    let server = Server::start(repos_dir());
    let mut repo = source_repo(&format!("{}/source/", server.base));
    repo.spec.access.pace.retries = Some(100);
    let t = tempfile::tempdir().unwrap();
    for (i, status) in [404, 401].into_iter().enumerate() {
        server.clear_faults();
        server.clear_log();
        server.fault(HELLO, Fault::Status(status), None);
        let cache = t.path().join(format!("c{i}"));
        let e = refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache)
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with(&format!("HTTP {status} (gave up after 4 attempts)")),
            "{e}"
        );
        assert_eq!(server.requests_for(HELLO).len(), 4, "{status}");
    }
}

/// An SRPM body longer than primary.xml's `<size package>` is cut off at
/// once (librepo refuses a package whose length is not that size), not
/// retried, and leaves nothing in the cache.
#[test]
fn an_srpm_body_without_end_is_cut_at_its_size() {
    fast();
    let server = Server::start(repos_dir());
    let repo = source_repo(&format!("{}/source/", server.base));
    let size = repo
        .packages
        .iter()
        .find(|p| p.location.ends_with(HELLO))
        .map(|p| p.size)
        .unwrap();
    assert!(size > 0);
    server.fault(HELLO, Fault::Endless, None);
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("c");
    let e = refresh_cache(std::slice::from_ref(&repo), &["hello".into()], &cache)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{}/source/{HELLO}: more than the {size} bytes primary.xml gives as the package's size",
            server.base
        )
    );
    assert_eq!(server.requests_for(HELLO).len(), 1);
    assert_eq!(files_in(&cache), Vec::<String>::new());
}

/// The other mirrors of a mirrorlist lose what the current repomd.xml does
/// not list too: a metalink answers with another mirror from run to run.
#[test]
fn other_mirrors_directories_are_pruned_as_well() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    let other = meta.join(cache_dir_name(&format!("{}/gone/", server.base)));
    std::fs::create_dir_all(&other).unwrap();
    let a = "a".repeat(64);
    let old = format!("{a}-{a}-primary.xml.gz");
    std::fs::File::create(other.join(&old))
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(7200))
        .unwrap();
    let list = t.path().join("mirrors.txt");
    std::fs::write(
        &list,
        format!("{}/gone/\n{}/source/\n", server.base, server.base),
    )
    .unwrap();
    let mut spec = RepoSpec::new("src", "");
    spec.mirrors = Some(MirrorSource::Mirrorlist(list.display().to_string()));
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta),
    };
    let r = load_repo(&spec, &opts).unwrap();
    assert_eq!(r.spec.baseurl, format!("{}/source/", server.base));
    assert!(!other.join(&old).exists());
}

/// A cache that cannot be written is the run's failure, not the mirrors':
/// the I/O error naming it, not "none of 2 mirror(s) could be used", which
/// would pass for the repo's own problem (and skip_if_unavailable=1 would
/// leave the repo out on a full disk).
#[test]
fn an_unwritable_cache_is_not_a_mirror_failure() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    std::fs::write(&meta, "a file where the cache should be").unwrap();
    let list = t.path().join("mirrors.txt");
    std::fs::write(
        &list,
        format!("{}/source/\n{}/source/\n", server.base, server.base),
    )
    .unwrap();
    let mut spec = RepoSpec::new("src", "");
    spec.mirrors = Some(MirrorSource::Mirrorlist(list.display().to_string()));
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    let e = load_repo(&spec, &opts).unwrap_err();
    assert!(
        matches!(&e, buildroot_core::error::Error::Io { path, .. } if path.starts_with(&meta)),
        "{e}"
    );
}

/// Sets `path`'s modification time `days` days back.
fn age(path: &Path, days: u64) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(then)
        .unwrap();
}

/// A mirror a metalink no longer lists (or a repo no longer configured)
/// leaves its cache directory behind; a run that loads HTTP repos removes
/// the per-URL directories no run has used for a month, and the saved
/// metalinks and mirrorlists as old. A directory in use, one holding
/// anything but files, and what is not named as ours are left alone.
#[test]
fn cache_directories_unused_for_a_month_are_removed() {
    fast();
    let server = Server::start(repos_dir());
    let t = tempfile::tempdir().unwrap();
    let meta = t.path().join("meta");
    let a = "a".repeat(64);
    let dir = |url: &str, days: u64, subdir: bool| {
        let d = meta.join(cache_dir_name(url));
        std::fs::create_dir_all(&d).unwrap();
        for f in ["repomd.xml".to_string(), format!("{a}-primary.xml.gz")] {
            std::fs::write(d.join(&f), "old").unwrap();
            age(&d.join(&f), days);
        }
        if subdir {
            std::fs::create_dir(d.join("sub")).unwrap();
        }
        age(&d, days);
        d
    };
    let gone = dir("https://gone.example/os/", 40, false);
    let recent = dir("https://recent.example/os/", 20, false);
    let odd = dir("https://odd.example/os/", 40, true);
    // A mirror asked for a macro package alone keeps only its download
    // lock file once the package is extracted: gone as an empty one.
    let lock_only = meta.join(cache_dir_name("https://pkgs.example/os/"));
    std::fs::create_dir_all(&lock_only).unwrap();
    std::fs::write(lock_only.join(".download-lock"), "").unwrap();
    age(&lock_only.join(".download-lock"), 40);
    age(&lock_only, 40);
    let stranger = meta.join("not-ours");
    std::fs::create_dir_all(&stranger).unwrap();
    age(&stranger, 40);
    // Named as ours, but no repo's copy: another program's (cargo's cache
    // has index.crates.io-1949cf8c6b5b557f), kept.
    let lookalike = meta.join("index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&lookalike).unwrap();
    std::fs::write(lookalike.join("serde-1.0.0.crate"), "x").unwrap();
    age(&lookalike.join("serde-1.0.0.crate"), 40);
    age(&lookalike, 40);
    let lists = meta.join("mirrors");
    std::fs::create_dir_all(&lists).unwrap();
    let old_list = lists.join(cache_dir_name("https://mm.example/metalink?repo=gone"));
    let new_list = lists.join(cache_dir_name("https://mm.example/metalink?repo=f41"));
    for (f, days) in [(&old_list, 40), (&new_list, 1)] {
        std::fs::write(f, "<metalink/>").unwrap();
        age(f, days);
    }
    let spec = RepoSpec::new("src", &format!("{}/source/", server.base));
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(meta.clone()),
    };
    load_repo(&spec, &opts).unwrap();
    assert!(!gone.exists(), "a month unused: removed");
    assert!(!lock_only.exists(), "its lock file alone: removed");
    assert!(!old_list.exists());
    for kept in [&recent, &odd, &stranger, &lookalike, &new_list] {
        assert!(kept.exists(), "{kept:?}");
    }
    let used = meta.join(cache_dir_name(&format!("{}/source/", server.base)));
    assert!(used.join("repomd.xml").is_file());
}

/// A mirror that fails every SRPM (dead, or without the source tree) is
/// asked for 3 of them, then drops below the one that delivers (librepo's
/// adaptive sorting) and is asked no more: fetching thousands of SRPMs
/// does not ask it for each one first (a dead mirror that times out would
/// cost `timeout` per SRPM). dnf 4.14, fetching 20 SRPMs from two
/// baseurls whose first answered 404, asked it 3 times and the second for
/// all 20.
#[test]
fn a_mirror_that_fails_every_srpm_drops_below_the_next_after_3() {
    fast();
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (Server::start(repos_dir()), Server::start(repos_dir()));
    a.fault(".src.rpm", Fault::Status(404), None);
    let mut repo = source_repo(&format!("{}/source/", a.base));
    repo.spec.extra_baseurls = vec![format!("{}/source/", b.base)];
    let names: Vec<String> = [
        "bash",
        "binutils",
        "bzip2",
        "coreutils",
        "cpio",
        "curl",
        "diffutils",
        "findutils",
        "gawk",
        "gcc",
        "glibc",
        "grep",
        "gzip",
        "hello",
        "make",
        "nasm",
        "ncurses",
        "patch",
        "perl",
        "sed",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let cache = t.path().join("cache");
    let got = refresh_cache(&[repo], &names, &cache).unwrap();
    assert_eq!(got.cached.len(), names.len(), "{got:?}");
    assert!(got.missing.is_empty(), "{got:?}");
    // Downloads run in parallel: besides the one that met it, each other
    // download from `a` under way (max_downloads_per_mirror, 3, at most,
    // whatever the cores) may have asked it before its third failure was
    // counted. One after the other (a busy machine), exactly 3.
    let asked = a.requests().len();
    assert!((3..=2 + 3).contains(&asked), "mirror a asked {asked} times");
    assert_eq!(b.requests().len(), names.len());
}

/// A metalink of mirrors `order` (paths under `base`) of the fixture's
/// x86_64 repo, written to `path`.
fn metalink_of(path: &Path, base: &str, order: &[&str]) {
    let sum = file_digest(&repos_dir().join("x86_64/repodata/repomd.xml"), "sha256").unwrap();
    let urls: String = order
        .iter()
        .map(|m| format!("<url>{base}/{m}/repodata/repomd.xml</url>"))
        .collect();
    std::fs::write(
        path,
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>{urls}</resources></file></files></metalink>"#
        ),
    )
    .unwrap();
}

/// As dnf keeps one cache per repo, a metadata file a run downloaded from
/// one mirror is not downloaded again when the metalink answers with
/// another mirror next time: the copy in the first mirror's directory,
/// checked against repomd.xml's checksum, is taken into the second's
/// (hard-linked), and what is loaded is the same.
#[test]
fn metadata_of_another_mirror_of_the_repo_is_not_downloaded_again() {
    fast();
    let t = tempfile::tempdir().unwrap();
    let www = t.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    for m in ["a", "b"] {
        std::os::unix::fs::symlink(repos_dir().join("x86_64"), www.join(m)).unwrap();
    }
    let server = Server::start(www.clone());
    let base = server.base.clone();
    metalink_of(&www.join("ab.xml"), &base, &["a", "b"]);
    metalink_of(&www.join("ba.xml"), &base, &["b", "a"]);
    let meta = t.path().join("meta");
    let opts = LoadOptions {
        filelists: Filelists::All,
        cache_dir: Some(meta.clone()),
    };
    let load = |list: &str| {
        let mut spec = RepoSpec::new("fedora", "");
        spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/{list}")));
        let r = load_repo(&spec, &opts).unwrap();
        let pkgs: Vec<String> = r.packages.iter().map(|p| format!("{p:?}")).collect();
        (r.spec.baseurl, pkgs)
    };
    let meta_requests = |server: &Server| {
        ["primary.xml.gz", "filelists.xml.gz"]
            .iter()
            .map(|f| server.requests_for(f).len())
            .sum::<usize>()
    };
    let (used, first) = load("ab.xml");
    assert_eq!(used, format!("{base}/a/"));
    assert_eq!(meta_requests(&server), 2);
    server.clear_log();
    let (used, second) = load("ba.xml");
    assert_eq!(used, format!("{base}/b/"));
    assert_eq!(meta_requests(&server), 0, "{:?}", server.requests());
    assert_eq!(second, first);
    // In b's directory as its own file (a's pruning cannot take it), the
    // same file as a's.
    use std::os::unix::fs::MetadataExt;
    let (da, db) = (
        meta.join(cache_dir_name(&format!("{base}/a/"))),
        meta.join(cache_dir_name(&format!("{base}/b/"))),
    );
    let la = files_in(&da);
    let lb = files_in(&db);
    assert_eq!(la, lb);
    assert!(!lb.iter().any(|f| f.starts_with(".tmp")), "{lb:?}");
    for f in lb.iter().filter(|f| f.ends_with(".xml.gz")) {
        let ino = |d: &Path| std::fs::metadata(d.join(f)).unwrap().ino();
        assert_eq!(ino(&da), ino(&db), "{f}");
    }
    // A damaged copy in a's directory is not taken: b downloads its own.
    let primary = lb.iter().find(|f| f.ends_with("primary.xml.gz")).unwrap();
    std::fs::remove_file(db.join(primary)).unwrap();
    std::fs::write(da.join(primary), b"damaged").unwrap();
    server.clear_log();
    let (_, third) = load("ba.xml");
    assert_eq!(third, first);
    assert_eq!(server.requests_for("primary.xml.gz").len(), 1);
}
