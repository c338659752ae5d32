//! How many packages are downloaded at once: dnf's `max_parallel_downloads`
//! (3 unless `--dnf-conf`'s `[main]` or `RPM_BUILDROOT_HTTP_PARALLEL` says
//! otherwise), no more than `max_downloads_per_mirror` (3) from one
//! mirror, whatever the number of cores (`rpmmd::DownloadSlots`). dnf 4.14
//! downloading 12 packages from a server that held each answer 300 ms had
//! 3 under way at once by default, 1 with `max_parallel_downloads=1`, 3
//! with 5 from one mirror and 5 from two, 5 with 5 and
//! `max_downloads_per_mirror=5`. A test server holds each package's answer
//! until the number expected are under way, and tells the most it saw.
//! Its own process: the tests here keep the default variables.

mod http_support;

use std::path::{Path, PathBuf};

use buildroot_core::archful::refresh_cache;
use buildroot_core::buildroot::DEFAULT_CORE;
use buildroot_core::distmacros::{repo_macros, Found};
use buildroot_core::rpmmd::{
    load_repo, parse_repofile_str, Filelists, LoadOptions, LoadedRepo, MainDefaults, RepoSpec, Vars,
};
use http_support::Server;

fn repos_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/repos")
}

/// A server of the fixture's repos, and of the source repo again as
/// mirrors `a/` and `b/`.
fn server() -> (tempfile::TempDir, Server) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("www");
    std::fs::create_dir_all(&root).unwrap();
    for m in ["a", "b"] {
        std::os::unix::fs::symlink(repos_dir().join("source"), root.join(m)).unwrap();
    }
    std::os::unix::fs::symlink(repos_dir().join("x86_64"), root.join("x86_64")).unwrap();
    (t, Server::start(root))
}

/// The repo of `mirrors` (base URLs on `server`), with a `dnf.conf`
/// whose `[main]` says `main`, its metadata cached under `t`.
fn repo(t: &tempfile::TempDir, server: &Server, mirrors: &[&str], main: &str) -> LoadedRepo {
    let main = MainDefaults::parse(&format!("[main]\n{main}\n"), "dnf.conf").unwrap();
    let vars = Vars::new("x86_64", "").with_main(main);
    let url = format!("{}/{}/", server.base, mirrors[0]);
    let mut spec = RepoSpec::parse_cli(&format!("src={url}"), &vars).unwrap();
    spec.extra_baseurls = mirrors[1..]
        .iter()
        .map(|m| format!("{}/{m}/", server.base))
        .collect();
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(t.path().join("meta")),
    };
    load_repo(&spec, &opts).unwrap()
}

/// Eight of the fixture's sources.
fn eight() -> Vec<String> {
    [
        "bash",
        "coreutils",
        "gcc",
        "glibc",
        "hello",
        "make",
        "sed",
        "zlib",
    ]
    .map(String::from)
    .to_vec()
}

/// The most SRPM downloads under way at once when `repo`'s eight SRPMs
/// are fetched into a new cache on a rayon pool of `threads` threads,
/// the server holding each answer until `want` are under way.
fn srpms_at_once(server: &Server, repo: &LoadedRepo, want: usize, threads: usize) -> usize {
    let cache = tempfile::tempdir().unwrap();
    server.hold(".src.rpm", want);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let got = pool.install(|| refresh_cache(std::slice::from_ref(repo), &eight(), cache.path()));
    assert_eq!(got.unwrap().cached.len(), 8);
    server.peak()
}

/// 3 at once by default, on 1 core as on 8 (rayon's threads used to set
/// it: 2 at once on a CI runner, 64 on a build host).
#[test]
fn three_srpms_are_downloaded_at_once_whatever_the_cores() {
    let (t, server) = server();
    let repo = repo(&t, &server, &["a"], "");
    for threads in [1, 8] {
        assert_eq!(srpms_at_once(&server, &repo, 3, threads), 3, "{threads}");
    }
}

/// `max_parallel_downloads=1`: one after the other; 5: still 3 from one
/// mirror (`max_downloads_per_mirror`), 5 over two mirrors, or from one
/// with `max_downloads_per_mirror=5`.
#[test]
fn a_dnf_conf_sets_how_many_at_once_as_in_dnf() {
    let (t, server) = server();
    let cases: [(&[&str], &str, usize); 4] = [
        (&["a"], "max_parallel_downloads=1", 1),
        (&["a"], "max_parallel_downloads=5", 3),
        (&["a", "b"], "max_parallel_downloads=5", 5),
        (
            &["a"],
            "max_parallel_downloads=5\nmax_downloads_per_mirror=5",
            5,
        ),
    ];
    for (mirrors, main, want) in cases {
        let repo = repo(&t, &server, mirrors, main);
        assert_eq!(srpms_at_once(&server, &repo, want, 1), want, "{main}");
    }
}

/// A repo section's own `max_parallel_downloads` counts for its SRPMs,
/// over `[main]`'s: librepo takes the caps of a download from its first
/// package's repo (its handle, which libdnf sets up with that repo's own
/// values).
#[test]
fn a_repo_sections_own_value_counts_for_its_packages() {
    let (t, server) = server();
    for (main, own, want) in [
        ("", "max_parallel_downloads=1", 1),
        ("max_parallel_downloads=1", "max_parallel_downloads=2", 2),
    ] {
        let main = MainDefaults::parse(&format!("[main]\n{main}\n"), "dnf.conf").unwrap();
        let vars = Vars::new("x86_64", "").with_main(main);
        let text = format!("[src]\nbaseurl={}/a/\n{own}\n", server.base);
        let spec = parse_repofile_str(&text, "t.repo", &vars)
            .unwrap()
            .remove(0);
        let opts = LoadOptions {
            filelists: Filelists::PrimaryOnly,
            cache_dir: Some(t.path().join("meta")),
        };
        let repo = load_repo(&spec, &opts).unwrap();
        assert_eq!(srpms_at_once(&server, &repo, want, 1), want, "{own}");
    }
}

/// The macro packages of a buildroot come 3 at once too (they came one
/// after the other), as dnf downloads a buildroot's packages.
#[test]
fn macro_packages_are_downloaded_at_once_too() {
    let (_t, server) = server();
    for (conf, want) in [("", 3), ("max_parallel_downloads=1", 1)] {
        let cache = tempfile::tempdir().unwrap();
        let main = MainDefaults::parse(&format!("[main]\n{conf}\n"), "dnf.conf").unwrap();
        let vars = Vars::new("x86_64", "").with_main(main);
        let spec = RepoSpec::parse_cli(&format!("bin={}/x86_64/", server.base), &vars).unwrap();
        let mut core: Vec<String> = DEFAULT_CORE.iter().map(|s| s.to_string()).collect();
        core.push("fedora-release-eln".into());
        server.hold(".noarch.rpm", want);
        let meta = cache.path().join(".metadata");
        let found = repo_macros("x86_64", &[spec], &core, &meta, cache.path()).unwrap();
        let Found::Macros(m) = found else {
            panic!("no macros")
        };
        assert_eq!(m.packages.len(), 3);
        assert_eq!(server.peak(), want, "{conf:?}");
    }
}

/// A download that failed waits for its retry without its slot: with
/// `max_parallel_downloads=1`, another SRPM is downloaded during the
/// backoff (1 s) after bash's 503, as librepo frees a failed transfer's
/// place for the next package (it held the slot, the batch stood still).
#[test]
fn a_retry_waits_without_its_slot() {
    let (t, server) = server();
    let repo = repo(&t, &server, &["a"], "max_parallel_downloads=1");
    server.fault(
        "bash-5.2.26-1.eln150.src.rpm",
        http_support::Fault::Status(503),
        Some(1),
    );
    server.clear_log();
    let cache = tempfile::tempdir().unwrap();
    // One core's rayon: the batch has threads enough to lend to.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let got = pool.install(|| refresh_cache(std::slice::from_ref(&repo), &eight(), cache.path()));
    assert_eq!(got.unwrap().cached.len(), 8);
    let srpms: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.ends_with(".src.rpm"))
        .collect();
    let bash: Vec<usize> = (0..srpms.len())
        .filter(|&i| srpms[i].contains("bash-"))
        .collect();
    assert_eq!(bash.len(), 2, "{srpms:?}");
    assert!(
        bash[1] > bash[0] + 1,
        "nothing during the backoff: {srpms:?}"
    );
}
