//! The pool cache as a tool meets it: `Pool::load` with a cache directory
//! builds the pool once and reads it back while nothing changed, with the
//! same answers; a changed repo, a damaged file or a cache that cannot be
//! written costs a parse, never the load; old pools do not pile up.

mod fs_support;

use std::path::{Path, PathBuf};

use buildroot_core::buildroot::{run, Config};
use buildroot_core::dep::Dep;
use buildroot_core::pool::{PkgId, Pool};
use buildroot_core::rpmmd::{LoadOptions, RepoSpec};
use fs_support::copy_tree;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

/// A copy of the fixture binary and source repos (tests change them).
fn repos(into: &Path) -> Vec<RepoSpec> {
    ["x86_64", "source"]
        .iter()
        .map(|d| {
            let to = into.join(d);
            copy_tree(&Path::new(ROOT).join(d), &to, false);
            RepoSpec::new(d, to.to_str().unwrap())
        })
        .collect()
}

fn pools_in(cache: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(cache.join("pools"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// What a user sees of a pool: its packages, some providers, a fixed point.
fn answers(pool: &Pool) -> String {
    let mut out = String::new();
    for i in 0..pool.len() {
        out.push_str(&format!("{:?}\n", pool.package(PkgId::from_usize(i))));
    }
    for dep in [
        "bash",
        "/bin/sh",
        "(gcc and make)",
        "libc.so.6()(64bit)",
        "nothing",
    ] {
        let d = Dep::parse(dep).unwrap();
        out.push_str(&format!("{dep}: {:?}\n", pool.whatprovides(&d)));
    }
    let input = ["hello", "webfetch", "broken", "perl"].map(String::from);
    let br = run(pool, &input, &Config::default()).unwrap();
    out.push_str(&format!("{:?}\n{:?}\n", br.binaries(), br.source_names()));
    out
}

#[test]
fn second_load_reads_the_cache_with_the_same_answers() {
    let t = tempfile::tempdir().unwrap();
    let (specs, cache) = (repos(t.path()), t.path().join("cache"));
    let parsed = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
    assert!(!parsed.from_cache());
    assert_eq!(pools_in(&cache).len(), 1);
    let cached = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
    assert!(cached.from_cache());
    assert_eq!(answers(&cached), answers(&parsed));
    // Another arch is another pool.
    let other = Pool::load("aarch64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
    assert!(!other.from_cache());
    assert_eq!(pools_in(&cache).len(), 2);
}

#[test]
fn changed_repo_is_parsed_again() {
    let t = tempfile::tempdir().unwrap();
    let (specs, cache) = (repos(t.path()), t.path().join("cache"));
    Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
    // Same checksums in repomd.xml, but the primary file was touched (a
    // hand-edited local repo): its time is part of the key.
    let repodata = t.path().join("x86_64/repodata");
    for e in std::fs::read_dir(&repodata).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().contains("primary") {
            let f = std::fs::File::options().append(true).open(&p).unwrap();
            f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
                .unwrap();
        }
    }
    assert!(
        !Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache))
            .unwrap()
            .from_cache()
    );
    assert!(
        Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache))
            .unwrap()
            .from_cache()
    );
    // A repo's configuration names the file (and is part of its key):
    // excluding packages gives another pool.
    let mut excluding = specs.clone();
    excluding[0].exclude = vec!["hello*".into()];
    let p = Pool::load("x86_64", &excluding, &LoadOptions::cached_in(&cache)).unwrap();
    assert!(!p.from_cache());
    assert!(p.binaries_named("hello").is_empty());
    assert!(
        !Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache))
            .unwrap()
            .binaries_named("hello")
            .is_empty()
    );
    assert_eq!(pools_in(&cache).len(), 2);
}

#[test]
fn damaged_cache_file_is_rebuilt() {
    let t = tempfile::tempdir().unwrap();
    let (specs, cache) = (repos(t.path()), t.path().join("cache"));
    let parsed = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
    let file = pools_in(&cache).remove(0);
    let good = std::fs::read(&file).unwrap();
    for damage in [
        // A flipped byte in the payload (the CRC), in the header (the key),
        // a file cut short, an empty file.
        {
            let mut b = good.clone();
            let n = b.len() - 10;
            b[n] ^= 1;
            b
        },
        {
            let mut b = good.clone();
            b[20] ^= 1;
            b
        },
        good[..good.len() / 2].to_vec(),
        Vec::new(),
    ] {
        std::fs::write(&file, &damage).unwrap();
        let p = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
        assert!(!p.from_cache());
        assert_eq!(answers(&p), answers(&parsed));
        assert_eq!(std::fs::read(&file).unwrap(), good, "rewritten");
    }
}

#[test]
fn cache_that_cannot_be_written_is_no_error() {
    let t = tempfile::tempdir().unwrap();
    let specs = repos(t.path());
    // The cache "directory" is a file: nothing can be written under it.
    let cache = t.path().join("not-a-dir");
    std::fs::write(&cache, "").unwrap();
    for _ in 0..2 {
        let p = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
        assert!(!p.from_cache());
    }
}

#[test]
fn cache_keeps_the_most_recently_used_pools() {
    let t = tempfile::tempdir().unwrap();
    let (specs, cache) = (repos(t.path()), t.path().join("cache"));
    let load = |id: usize| {
        let mut s = specs.clone();
        s[0].id = format!("repo{id}");
        Pool::load("x86_64", &s, &LoadOptions::cached_in(&cache))
            .unwrap()
            .from_cache()
    };
    assert!(!load(0));
    for id in 1..28 {
        // Pool 0 stays in use, so it stays.
        assert!(!load(id));
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(load(0), "pool 0 after pool {id}");
    }
    assert_eq!(pools_in(&cache).len(), 24);
    assert!(!load(1), "the oldest pools were pruned");
}

#[test]
fn another_mirror_with_the_same_files_reads_the_cache_and_is_downloaded_from() {
    use buildroot_core::rpmmd::MirrorSource;
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let mut specs = repos(&t.path().join("a"));
    // Mirror b: the same files, with the same times.
    let (a, b) = (t.path().join("a/x86_64"), t.path().join("b/x86_64"));
    copy_tree(&a, &b, true);
    let list = t.path().join("mirrorlist");
    specs[0].baseurl = String::new();
    specs[0].mirrors = Some(MirrorSource::Mirrorlist(list.to_string_lossy().into()));
    let mut answers = Vec::new();
    for (mirror, cached) in [(&a, false), (&b, true)] {
        std::fs::write(&list, format!("{}\n", mirror.display())).unwrap();
        let p = Pool::load("x86_64", &specs, &LoadOptions::cached_in(&cache)).unwrap();
        assert_eq!(p.from_cache(), cached);
        let hello = p.binaries_named("hello")[0];
        assert_eq!(p.repo_baseurl(hello), format!("{}/", mirror.display()));
        answers.push(answers_of_packages(&p));
    }
    assert_eq!(answers[0], answers[1]);
}

fn answers_of_packages(pool: &Pool) -> Vec<String> {
    (0..pool.len())
        .map(|i| format!("{:?}", pool.package(PkgId::from_usize(i))))
        .collect()
}
