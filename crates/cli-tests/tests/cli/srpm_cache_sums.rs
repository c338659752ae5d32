//! The SRPM cache's verified checksums across the tools (docs/archful.md):
//! identify-archful-srpms hard-links a local repo's SRPM into its cache and
//! records the checksum it checked; create-srpm-repos then writes that
//! SRPM's sha256 into each arch's repodata without reading its bytes (what
//! it reads, Linux's `rchar`, stays far below the SRPM's size), and hashes
//! it again once the file was touched.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use buildroot_core::srpm::{build_srpm, SrpmSpec};
use cli_tests::{big_srpm_repo, bin, bytes_read_by, cmd, Tool, BIG_TARBALL_BYTES};

/// [`big_srpm_repo`] under `t/repo` (its tarball alone), the list naming
/// it (`t/names.txt`), an empty archful list (`t/archful.txt`): the
/// SRPM's path, its sha256 and the cache directory to use (`t/cache`, not
/// made).
fn big_run(t: &Path) -> (PathBuf, String, PathBuf) {
    let spec = "Name: big\nVersion: 1\nRelease: 1\nSource0: big-1.tar.gz\n";
    let src = big_srpm_repo(&t.join("repo"), spec, vec![]);
    let want = buildroot_core::rpmmd::sha256_file(&src).unwrap();
    std::fs::write(t.join("names.txt"), "big\n").unwrap();
    std::fs::write(t.join("archful.txt"), "").unwrap();
    (src, want, t.join("cache"))
}

fn set_mtime(p: &Path, t: SystemTime) {
    let f = std::fs::File::options().append(true).open(p).unwrap();
    f.set_modified(t).unwrap();
}

/// Runs identify-archful-srpms on the repo and `names.txt` into `cache`.
fn identify(t: &Path, cache: &Path) {
    cmd(Tool::IdentifyArchful)
        .args(["-q", "--source-repo"])
        .arg(format!("src={}", t.join("repo").display()))
        .arg("--cache")
        .arg(cache)
        .arg(t.join("names.txt"))
        .assert()
        .success();
}

/// Runs create-srpm-repos for `arch` into `out/ARCH`; returns the bytes
/// it read.
fn create_repo(t: &Path, cache: &Path, arch: &str) -> u64 {
    let mut run = Command::new(bin(Tool::CreateSrpmRepos));
    run.args(["-q", "--arch", arch, "--cache"])
        .arg(cache)
        .arg("--archful")
        .arg(t.join("archful.txt"))
        .arg("--out")
        .arg(t.join("out").join(arch))
        .arg(t.join("names.txt"));
    bytes_read_by(&run, Path::new("/dev/null"))
}

/// The sha256 the repo in `out/ARCH` gives the SRPM.
fn published_sum(t: &Path, arch: &str) -> String {
    let repo = t.join("out").join(arch);
    let spec = buildroot_core::rpmmd::RepoSpec::new("r", &repo.display().to_string());
    let loaded = buildroot_core::rpmmd::load_repo(&spec, &Default::default()).unwrap();
    loaded.packages[0].checksum.clone().unwrap()
}

#[test]
fn a_checked_srpm_is_linked_into_the_cache_and_hashed_once() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let (src, want, cache) = big_run(t);
    identify(t, &cache);
    let cached = cache.join("big-1-1.src.rpm");
    let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
    // On the repo's file system: a link, not a copy.
    assert_eq!(ino(&cached), ino(&src));
    let small = (BIG_TARBALL_BYTES / 2) as u64;
    // Each arch's run takes the checksum from the record (the one before
    // it linked the file into its repo moved the file's ctime).
    for arch in ["x86_64", "aarch64"] {
        let read = create_repo(t, &cache, arch);
        assert!(read < small, "{arch}: read {read} bytes");
        assert_eq!(published_sum(t, arch), want);
    }
    // Touched: hashed again, and the same checksum published.
    set_mtime(&cached, SystemTime::now() - Duration::from_secs(7200));
    let read = create_repo(t, &cache, "s390x");
    assert!(read >= BIG_TARBALL_BYTES as u64, "s390x: read {read} bytes");
    assert_eq!(published_sum(t, "s390x"), want);
}

/// Another build of `big-1-1` (same N-V-R, other bytes), as a rebuild
/// copied over the cached file would be.
fn rebuild_bytes() -> Vec<u8> {
    let spec = SrpmSpec {
        name: "big".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "big, rebuilt".into(),
        spec_name: "big.spec".into(),
        spec_text: "Name: big\nVersion: 1\nRelease: 1\nBuildRequires: gcc\n".into(),
        build_time: 2,
        ..Default::default()
    };
    build_srpm(&spec).unwrap()
}

/// A same-N-V-R rebuild copied over a cached SRPM after
/// identify-archful-srpms checked it (its header names the same package,
/// so only the bytes tell) is refused by create-srpm-repos: one line naming
/// the file, exit 2, the repo left as it was; found by the hash it takes
/// anyway of a file whose stamp changed, against the checksum the cache's
/// record has for that name. identify-archful-srpms then fetches the
/// repository's build again, and the repo is written with it.
#[test]
fn a_same_nevr_rebuild_copied_over_a_cached_srpm_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let (_, want, cache) = big_run(t);
    identify(t, &cache);
    create_repo(t, &cache, "x86_64");
    let cached = cache.join("big-1-1.src.rpm");
    // By rename (cp to a temp, mv: another inode, the repo's file kept) and
    // in place (`cp NEW SAME-NAME` writes into the cache's file, which is
    // the repo's too: identify then names the repo's file as changed).
    for in_place in [false, true] {
        if in_place {
            std::fs::write(&cached, rebuild_bytes()).unwrap();
        } else {
            let tmp = cache.join("new.tmp");
            std::fs::write(&tmp, rebuild_bytes()).unwrap();
            std::fs::rename(&tmp, &cached).unwrap();
        }
        let before = std::fs::read_dir(t.join("out/x86_64")).unwrap().count();
        let out = cmd(Tool::CreateSrpmRepos)
            .args(["-q", "--arch", "x86_64", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(t.join("archful.txt"))
            .arg("--out")
            .arg(t.join("out/x86_64"))
            .arg(t.join("names.txt"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!(
                "create-srpm-repos: {}: its bytes changed after they were checked (sha256 ",
                cached.display()
            )),
            "{err}"
        );
        assert!(
            err.contains("Run identify-archful-srpms with this --cache"),
            "{err}"
        );
        assert_eq!(published_sum(t, "x86_64"), want);
        assert_eq!(
            std::fs::read_dir(t.join("out/x86_64")).unwrap().count(),
            before
        );
        if in_place {
            // The repo's own file changed with it: nothing to fetch again.
            break;
        }
        identify(t, &cache);
        create_repo(t, &cache, "aarch64");
        assert_eq!(published_sum(t, "aarch64"), want);
    }
}
