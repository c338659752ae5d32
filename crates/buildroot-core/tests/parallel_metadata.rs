//! How many metadata downloads (repomd.xml, primary.xml, ...) run at once
//! when a run loads several repos: the repos are opened at once, but no
//! more transfers run together than dnf, which loads one repo after the
//! other under that repo's `max_parallel_downloads` (3 unless set) and
//! `max_downloads_per_mirror` (3), would have (`DownloadSlots::for_metadata`).
//! A repo section's own values count for its repo, as libdnf hands each
//! repo's own to librepo. A test server holds each answer until the number
//! expected are under way, and tells the most it saw; before the cap, five
//! repos had their five repomd.xml and five primary.xml under way at once.
//! Its own process: the tests here keep the default variables.

mod http_support;

use std::path::{Path, PathBuf};

use buildroot_core::rpmmd::{
    load_repos, parse_repofile_str, read_comps_all, Filelists, LoadOptions, MainDefaults, RepoSpec,
    Vars,
};
use http_support::Server;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/repos")
        .join(name)
}

fn source_repo() -> PathBuf {
    fixture("source")
}

/// The name of the file of `kind` in the fixture repo `name`'s repodata.
fn file_of(name: &str, kind: &str) -> String {
    std::fs::read_dir(fixture(name).join("repodata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|f| f.ends_with(&format!("-{kind}.xml.gz")))
        .unwrap()
}

/// A server of the fixture's source repo as `r0/` to `r4/`, and of its
/// x86_64 repo (which has comps) as `x86_64/` and `x0/` to `x2/`.
fn server() -> (tempfile::TempDir, Server) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("www");
    std::fs::create_dir_all(&root).unwrap();
    for i in 0..5 {
        std::os::unix::fs::symlink(source_repo(), root.join(format!("r{i}"))).unwrap();
    }
    for x in ["x86_64", "x0", "x1", "x2"] {
        std::os::unix::fs::symlink(fixture("x86_64"), root.join(x)).unwrap();
    }
    let server = Server::start(root.clone());
    // And a mirrorlist of each.
    for i in 0..5 {
        let list = format!("{}/r{i}/\n", server.base);
        std::fs::write(root.join(format!("r{i}.mirrorlist")), list).unwrap();
    }
    (t, server)
}

/// Repos `a0`.. of a `.repo` text, one section for each of `bases` (`r0`..)
/// saying `own`, with a `dnf.conf` whose `[main]` says `main`.
fn repos(server: &Server, bases: &[&str], main: &str, own: &str) -> Vec<RepoSpec> {
    let main = MainDefaults::parse(&format!("[main]\n{main}\n"), "dnf.conf").unwrap();
    let vars = Vars::new("x86_64", "").with_main(main);
    let text: String = bases
        .iter()
        .enumerate()
        .map(|(i, b)| format!("[a{i}]\nbaseurl={}/{b}/\n{own}\n", server.base))
        .collect();
    parse_repofile_str(&text, "t.repo", &vars).unwrap()
}

/// The most requests for paths ending in `suffix` under way at once while
/// `specs` are loaded into a new cache (on 8 threads, whatever the cores),
/// the server holding each answer until `want` are under way.
fn at_once(server: &Server, specs: &[RepoSpec], suffix: &str, want: usize) -> usize {
    at_once_of(server, specs, Filelists::PrimaryOnly, &[suffix], want)
}

/// [`at_once`] on rayon `threads` threads.
fn at_once_on(
    threads: usize,
    server: &Server,
    specs: &[RepoSpec],
    suffix: &str,
    want: usize,
) -> usize {
    loaded_at_once(
        threads,
        server,
        specs,
        Filelists::PrimaryOnly,
        &[suffix],
        want,
    )
}

/// [`at_once`] over the paths ending in any of `suffixes`, counted
/// together, loading `filelists` as said.
fn at_once_of(
    server: &Server,
    specs: &[RepoSpec],
    filelists: Filelists,
    suffixes: &[&str],
    want: usize,
) -> usize {
    loaded_at_once(8, server, specs, filelists, suffixes, want)
}

/// [`at_once_of`] on rayon `threads` threads.
fn loaded_at_once(
    threads: usize,
    server: &Server,
    specs: &[RepoSpec],
    filelists: Filelists,
    suffixes: &[&str],
    want: usize,
) -> usize {
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions {
        filelists,
        cache_dir: Some(cache.path().to_path_buf()),
    };
    server.hold_any(suffixes, want);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let loaded = pool.install(|| load_repos(specs, &opts)).unwrap();
    assert_eq!(loaded.len(), specs.len());
    server.peak()
}

const FIVE: [&str; 5] = ["r0", "r1", "r2", "r3", "r4"];

/// Five repos: 3 repomd.xml, then 3 primary.xml at once by default; as
/// many as `[main]`'s `max_parallel_downloads` says otherwise.
#[test]
fn five_repos_download_three_files_at_once_or_as_set() {
    let (_t, server) = server();
    for (main, want) in [
        ("", 3),
        ("max_parallel_downloads=1", 1),
        ("max_parallel_downloads=5", 5),
    ] {
        let specs = repos(&server, &FIVE, main, "");
        for suffix in ["repodata/repomd.xml", "-primary.xml.gz"] {
            assert_eq!(
                at_once(&server, &specs, suffix, want),
                want,
                "{main:?} {suffix}"
            );
        }
    }
}

/// Their mirrorlists too (a metalink's download is the same).
#[test]
fn five_mirrorlists_come_three_at_once() {
    let (_t, server) = server();
    let main = MainDefaults::parse("[main]\n", "dnf.conf").unwrap();
    let vars = Vars::new("x86_64", "").with_main(main);
    let text: String = FIVE
        .iter()
        .enumerate()
        .map(|(i, b)| format!("[a{i}]\nmirrorlist={}/{b}.mirrorlist\n", server.base))
        .collect();
    let specs = parse_repofile_str(&text, "t.repo", &vars).unwrap();
    assert_eq!(at_once(&server, &specs, ".mirrorlist", 3), 3);
}

/// Repos on one base URL count as one mirror: no more than
/// `max_downloads_per_mirror` (3 unless set) of their transfers at once.
#[test]
fn repos_of_one_mirror_share_its_cap() {
    let (_t, server) = server();
    let same = ["r0"; 5];
    for (main, want) in [
        ("max_parallel_downloads=5", 3),
        ("max_parallel_downloads=5\nmax_downloads_per_mirror=1", 1),
        ("max_parallel_downloads=5\nmax_downloads_per_mirror=5", 5),
    ] {
        let specs = repos(&server, &same, main, "");
        let got = at_once(&server, &specs, "repodata/repomd.xml", want);
        assert_eq!(got, want, "{main:?}");
    }
}

/// A repo section's own values win over `[main]`'s for its repo: five
/// repos that each say `max_parallel_downloads=1` come one at a time,
/// five that say 5 (over `[main]`'s 1) five at once, whatever their
/// `max_downloads_per_mirror` (each repo is a mirror of its own).
#[test]
fn a_repo_sections_own_values_count_for_its_repo() {
    let (_t, server) = server();
    let cases = [
        ("", "max_parallel_downloads=1", 1),
        ("max_parallel_downloads=1", "max_parallel_downloads=5", 5),
        (
            "max_parallel_downloads=5",
            "max_parallel_downloads=5\nmax_downloads_per_mirror=1",
            5,
        ),
    ];
    for (main, own, want) in cases {
        let specs = repos(&server, &FIVE, main, own);
        let got = at_once(&server, &specs, "repodata/repomd.xml", want);
        assert_eq!(got, want, "{main:?} {own:?}");
    }
}

const DATA: [&str; 2] = ["-primary.xml.gz", "-filelists.xml.gz"];

/// A load that will read every repo's filelists.xml (all of them, paths
/// by prefix, paths the command line names) fetches a repo's primary.xml
/// and filelists.xml at once, as librepo fetches the files of a repomd.xml
/// that libdnf asks for: two held files come in one hold, not one after
/// the other (they did, 1 at once); under caps of 1 they still come one
/// at a time.
#[test]
fn a_repos_primary_and_filelists_come_at_once() {
    let (_t, server) = server();
    let all = [
        Filelists::All,
        Filelists::NeededAnd(vec!["/usr/lib/rpm/macros.d/".into()]),
        Filelists::NeededWith(vec!["/usr/share/doc/x".into()]),
    ];
    for filelists in all {
        let specs = repos(&server, &["r0"], "", "");
        let got = at_once_of(&server, &specs, filelists.clone(), &DATA, 2);
        assert_eq!(got, 2, "{filelists:?}");
    }
    for main in ["max_parallel_downloads=1", "max_downloads_per_mirror=1"] {
        let specs = repos(&server, &["r0"], main, "");
        let got = at_once_of(&server, &specs, Filelists::All, &DATA, 1);
        assert_eq!(got, 1, "{main}");
    }
}

/// By default filelists.xml is read once a dependency names a path
/// primary.xml does not list (the source repo's BuildRequires name one):
/// from then on every repo's is fetched, while the later repos' primary.xml
/// still download. The x86_64 repo's primary.xml, held, comes with the
/// source repo's filelists.xml (it came alone, the filelists after every
/// primary); a load whose dependencies name no such path fetches none.
#[test]
fn filelists_come_once_a_dependency_needs_them() {
    let (_t, server) = server();
    let specs = repos(&server, &["r0", "x86_64"], "", "");
    let held = [file_of("x86_64", "primary"), file_of("source", "filelists")];
    let held: Vec<&str> = held.iter().map(String::as_str).collect();
    let got = at_once_of(&server, &specs, Filelists::Needed, &held, 2);
    assert_eq!(got, 2);
    assert_eq!(server.requests_for("-filelists.xml.gz").len(), 2);
    server.clear_log();
    let specs = repos(&server, &["x86_64"], "", "");
    at_once_of(&server, &specs, Filelists::Needed, &["-primary.xml.gz"], 1);
    assert_eq!(server.requests_for("-filelists.xml.gz").len(), 0);
}

/// The comps of several repos (compose-view's, when a workload names a
/// group) are fetched at once under the same caps, and merged in the
/// repos' order: three repos' comps 3 at once (they came one after the
/// other), 1 with `max_parallel_downloads=1`.
#[test]
fn the_comps_of_several_repos_come_at_once() {
    let (_t, server) = server();
    for (main, want) in [("", 3), ("max_parallel_downloads=1", 1)] {
        let specs = repos(&server, &["x0", "x1", "x2"], main, "");
        let cache = tempfile::tempdir().unwrap();
        let opts = LoadOptions::cached_in(cache.path());
        server.hold("-comps.xml.gz", want);
        let comps = read_comps_all(&specs, &opts).unwrap();
        assert_eq!(comps.len(), 3);
        assert!(comps.iter().all(|c| c.is_some()));
        assert_eq!(server.peak(), want, "{main:?}");
    }
}

/// The repos are opened on threads of their own, not on rayon's: on a
/// machine of 2 cores, five repos' repomd.xml came 2 at once under a cap
/// of 3 (rayon's threads within the test's 8 are the machine's here).
#[test]
fn repos_are_opened_at_once_whatever_the_cores() {
    let (_t, server) = server();
    let specs = repos(&server, &FIVE, "", "");
    assert_eq!(at_once_on(2, &server, &specs, "repodata/repomd.xml", 3), 3);
    assert_eq!(at_once_on(1, &server, &specs, "-primary.xml.gz", 3), 3);
}

/// A load that wants the comps (`Pool::load_with_comps`, compose-view's)
/// fetches them beside the primaries, from the same opened repos, in the
/// same slots: one repo's primary.xml and comps under way together (as
/// librepo's batch of a repo's files has them), and three repos' six files
/// no more than 3 at once (1 with `max_parallel_downloads=1`).
#[test]
fn a_loads_comps_come_beside_its_primaries_under_the_same_caps() {
    let (_t, server) = server();
    for (bases, main, want) in [
        (&["x0"][..], "", 2),
        (&["x0", "x1", "x2"][..], "", 3),
        (&["x0", "x1", "x2"][..], "max_parallel_downloads=1", 1),
    ] {
        let specs = repos(&server, bases, main, "");
        let cache = tempfile::tempdir().unwrap();
        let opts = LoadOptions {
            filelists: Filelists::PrimaryOnly,
            cache_dir: Some(cache.path().to_path_buf()),
        };
        server.clear_log();
        server.hold_any(&["-primary.xml.gz", "-comps.xml.gz"], want);
        let (_, comps) =
            buildroot_core::pool::Pool::load_with_comps("x86_64", &specs, &opts).unwrap();
        assert!(comps.iter().all(|c| c.is_some()));
        assert_eq!(server.peak(), want, "{bases:?} {main:?}");
        assert_eq!(
            server.requests_for("repodata/repomd.xml").len(),
            bases.len()
        );
    }
}
