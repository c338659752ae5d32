//! A load that also wants the repos' comps (compose-view, when a workload
//! names a group) reads each repo's repomd.xml once, and takes the comps
//! that repomd.xml lists, as libdnf has librepo fetch a repo's files from
//! one repomd.xml: the comps and the packages are of one generation of the
//! repo even when the mirror syncs in between. The mirror here answers
//! repomd.xml with generation 1 once, then redirects to generation 2 (whose
//! comps say another group name). Read after the load on their own
//! (`read_comps_all`), the comps open the repo again: a second, full
//! download of repomd.xml (no `If-Modified-Since`, no `If-None-Match`),
//! which gave generation 2's comps beside generation 1's packages.

mod http_support;

use std::path::{Path, PathBuf};

use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{load_repos, read_comps_all, Comps, LoadOptions, RepoSpec};
use http_support::{Fault, Server};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/repos/x86_64")
}

/// The fixture's comps, parsed.
fn comps_of(text: &str) -> Comps {
    Comps::parse(text.as_bytes(), "comps.xml").unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    let t = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(t.path(), bytes).unwrap();
    buildroot_core::rpmmd::sha256_file(t.path()).unwrap()
}

/// The fixture repo's comps text, and a generation 2 of its repomd.xml
/// that lists only a `group` record: `gen2-comps.xml`, the same groups
/// with the first one renamed.
fn generation_2(repo: &Path) -> (String, String) {
    let data = repo.join("repodata");
    let comps_name = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|f| f.ends_with("-comps.xml"))
        .unwrap();
    let gen1 = std::fs::read_to_string(data.join(&comps_name)).unwrap();
    let at = gen1.find("<name>").unwrap() + "<name>".len();
    let gen2 = format!("{}Generation two {}", &gen1[..at], &gen1[at..]);
    std::fs::write(data.join("gen2-comps.xml"), &gen2).unwrap();
    let repomd = std::fs::read_to_string(data.join("repomd.xml")).unwrap();
    // Generation 2 lists `group` only (`group_gz` would be taken first).
    let gz = repomd.find("  <data type=\"group_gz\">").unwrap();
    let end = repomd[gz..].find("</data>\n").unwrap() + gz + "</data>\n".len();
    let mut repomd2 = format!("{}{}", &repomd[..gz], &repomd[end..]);
    let group = repomd2.find("<data type=\"group\">").unwrap();
    let group_end = repomd2[group..].find("</data>").unwrap() + group;
    let record = format!(
        "<data type=\"group\">\n    <checksum type=\"sha256\">{}</checksum>\n    \
         <location href=\"repodata/gen2-comps.xml\"/>\n    <size>{}</size>\n  ",
        sha256(gen2.as_bytes()),
        gen2.len()
    );
    repomd2.replace_range(group..group_end, &record);
    (gen1, repomd2)
}

/// A mirror of the fixture repo at `repo/` whose repomd.xml is generation 1
/// once, then generation 2 (a redirect to a second server's copy).
fn syncing_mirror() -> (tempfile::TempDir, Server, Server, Comps) {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("www/repo");
    std::fs::create_dir_all(repo.join("repodata")).unwrap();
    for e in std::fs::read_dir(fixture().join("repodata")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), repo.join("repodata").join(e.file_name())).unwrap();
    }
    let (gen1, repomd2) = generation_2(&repo);
    let second = t.path().join("www2/repo/repodata");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(second.join("repomd.xml"), repomd2).unwrap();
    let mirror = Server::start(t.path().join("www"));
    let synced = Server::start(t.path().join("www2"));
    mirror.fault_after(
        "repodata/repomd.xml",
        1,
        Fault::Redirect(synced.base.clone()),
        None,
    );
    (t, mirror, synced, comps_of(&gen1))
}

fn spec(server: &Server) -> Vec<RepoSpec> {
    vec![RepoSpec::new("syncing", &format!("{}/repo/", server.base))]
}

#[test]
fn a_load_with_comps_reads_repomd_once_and_its_comps_are_of_that_generation() {
    let (_t, mirror, synced, gen1) = syncing_mirror();
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions::cached_in(cache.path());
    let (pool, comps) = Pool::load_with_comps("x86_64", &spec(&mirror), &opts).unwrap();
    assert!(!pool.is_empty());
    assert_eq!(comps, vec![Some(gen1.clone())]);
    assert_eq!(mirror.requests_for("repodata/repomd.xml").len(), 1);
    assert!(synced.requests().is_empty());
    assert_eq!(mirror.requests_for("-comps.xml.gz").len(), 1);
    assert!(mirror.requests_for("gen2-comps.xml").is_empty());

    // A second run: its own single read of repomd.xml, now generation 2,
    // and generation 2's comps (the pool is generation 2's too).
    mirror.clear_log();
    let (_, comps) = Pool::load_with_comps("x86_64", &spec(&mirror), &opts).unwrap();
    assert_eq!(mirror.requests_for("repodata/repomd.xml").len(), 1);
    assert_eq!(synced.requests_for("repodata/repomd.xml").len(), 1);
    let gen2 = comps[0].as_ref().unwrap();
    assert_ne!(gen2, &gen1);
    assert!(gen2.groups[0].name.starts_with("Generation two "));
}

/// What compose-view did before: the load, then the comps on their own.
/// repomd.xml is downloaded again, unconditionally (the cache holds the
/// first copy, and no `If-Modified-Since`/`If-None-Match` is sent), and the
/// comps come from the second generation.
#[test]
fn comps_read_on_their_own_open_the_repo_again() {
    let (_t, mirror, synced, gen1) = syncing_mirror();
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions::cached_in(cache.path());
    load_repos(&spec(&mirror), &opts).unwrap();
    let comps = read_comps_all(&spec(&mirror), &opts).unwrap();
    let asked = mirror.requests_for("repodata/repomd.xml");
    assert_eq!(asked.len(), 2);
    assert!(asked.iter().all(|r| r.conditional.is_none()), "{asked:?}");
    assert_eq!(synced.requests_for("repodata/repomd.xml").len(), 1);
    assert_ne!(comps[0].as_ref().unwrap(), &gen1);
    assert_eq!(mirror.requests_for("gen2-comps.xml").len(), 1);
}

/// Comps that cannot be had: the run fails naming them, or with
/// `skip_if_unavailable` the repo is left out whole, as dnf 4 leaves it
/// out (it kept its packages); repomd.xml is still read once.
#[test]
fn comps_that_fail_fail_the_run_or_are_skipped() {
    let t = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixture(), t.path().join("repo")).unwrap();
    let server = Server::start(t.path().to_path_buf());
    server.fault("-comps.xml.gz", Fault::Status(404), None);
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions::cached_in(cache.path());
    let mut specs = spec(&server);
    let e = Pool::load_with_comps("x86_64", &specs, &opts)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("comps.xml.gz"), "{e}");
    server.clear_log();
    specs[0].skip_if_unavailable = true;
    let (pool, comps) = Pool::load_with_comps("x86_64", &specs, &opts).unwrap();
    assert!(pool.is_empty());
    assert_eq!(comps, vec![None]);
    assert_eq!(server.requests_for("repodata/repomd.xml").len(), 1);
}
