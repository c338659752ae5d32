//! A create-srpm-repos run that fails (a broken SRPM in the cache, a full
//! disk) exits 2, names the file at fault, and leaves nothing of itself:
//! a new output directory is gone, an existing repo is as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cli_tests::{cmd, root, srpm_cache_dir, SmallDisk, Tool};

/// A cache holding every fixture source SRPM.
fn fixture_cache(t: &Path) -> PathBuf {
    let cache = t.join("cache");
    srpm_cache_dir(&cache);
    for e in std::fs::read_dir(root().join("testdata/repos/source")).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".src.rpm") {
            std::fs::copy(&p, cache.join(p.file_name().unwrap())).unwrap();
        }
    }
    cache
}

fn run(t: &Path, cache: &Path, out: &Path, names: &str) -> assert_cmd::assert::Assert {
    let archful = t.join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "aarch64", "-q", "--cache"])
        .arg(cache)
        .arg("--archful")
        .arg(&archful)
        .arg("--out")
        .arg(out)
        .write_stdin(names)
        .assert()
}

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn all_sources() -> String {
    std::fs::read_to_string(root().join("testdata/compose/sources.txt")).unwrap()
}

#[test]
fn empty_cached_srpm_is_named_and_a_new_out_dir_is_removed() {
    let t = tempfile::tempdir().unwrap();
    let cache = fixture_cache(t.path());
    let bad = cache.join("zlib-1.3.1-1.eln150.src.rpm");
    std::fs::write(&bad, b"").unwrap();
    let out = t.path().join("repo");
    let a = run(t.path(), &cache, &out, &all_sources()).code(2);
    let err = stderr(&a);
    assert!(
        err.contains(&bad.display().to_string()) && err.trim_end().lines().count() == 1,
        "{err}"
    );
    // The line says how to mend the cache.
    assert!(
        err.contains(&format!(
            "(run identify-archful-srpms with --cache {} to fetch it again)",
            cache.display()
        )),
        "{err}"
    );
    assert!(!out.exists(), "linked SRPMs of the failed run remain");
}

#[test]
fn failed_run_leaves_an_existing_repo_as_it_was() {
    let t = tempfile::tempdir().unwrap();
    let cache = fixture_cache(t.path());
    let out = t.path().join("repo");
    run(t.path(), &cache, &out, "zlib\nlibjpeg-turbo\n").success();
    let before = snapshot(&out);
    // The next run lists more sources, one of them broken.
    std::fs::write(cache.join("zzz-broken-1-1.src.rpm"), b"not an rpm").unwrap();
    let a = run(
        t.path(),
        &cache,
        &out,
        &format!("{}zzz-broken\n", all_sources()),
    )
    .code(2);
    assert!(
        stderr(&a).contains("cache/zzz-broken-1-1.src.rpm"),
        "{}",
        stderr(&a)
    );
    assert_eq!(
        snapshot(&out).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(snapshot(&out) == before, "file contents changed");
}

#[test]
fn full_disk_leaves_nothing_half_written() {
    let t = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&t.path().join("small"), "64k") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    };
    let cache = fixture_cache(t.path());
    // A new repo that does not fit: the directory is removed again.
    let fresh = disk.path().join("fresh");
    let a = run(t.path(), &cache, &fresh, &all_sources()).code(2);
    assert!(stderr(&a).contains("No space left"), "{}", stderr(&a));
    assert!(!fresh.exists());
    assert_eq!(std::fs::read_dir(disk.path()).unwrap().count(), 0);
    // An existing repo that cannot grow stays as it was.
    let repo = disk.path().join("repo");
    run(t.path(), &cache, &repo, "zlib\nlibjpeg-turbo\n").success();
    let before = snapshot(&repo);
    run(t.path(), &cache, &repo, &all_sources()).code(2);
    assert_eq!(
        snapshot(&repo).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(snapshot(&repo) == before, "file contents changed");
}

/// `--output-dir` is another spelling of `--out` (as buildroot-generator
/// and compose-view spell it).
#[test]
fn output_dir_is_an_alias_of_out() {
    let t = tempfile::tempdir().unwrap();
    let cache = fixture_cache(t.path());
    let archful = t.path().join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    let out = t.path().join("repo");
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "aarch64", "-q", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(&archful)
        .arg("--output-dir")
        .arg(&out)
        .write_stdin("bash\nlibjpeg-turbo\n")
        .assert()
        .success();
    assert!(out.join("repodata/repomd.xml").is_file());
}
