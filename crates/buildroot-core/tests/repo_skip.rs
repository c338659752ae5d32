//! dnf's `skip_if_unavailable` (`.repo` files): a repo whose metadata cannot
//! be had (an HTTP error after the retries, a missing directory, damaged
//! primary.xml) is left out with one warning naming it and the problem, and
//! the load goes on with the others; without it the load fails as before.
//! The pool cache never lets a load without the repo stand for one with it.

mod http_support;

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{
    kind_label, load_repos, parse_repofile_str, set_warning_handler, LoadOptions, RepoSpec, Vars,
    REPO_SKIPPED,
};
use http_support::{Fault, Server};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

fn fast() {
    warnings_about("");
    http_support::http_settings("0.01", "1", "1");
}

/// The warnings of this process that name repo `id` (tests run in
/// parallel; each uses repo ids of its own).
fn warnings_about(id: &str) -> Vec<String> {
    told_about(id).into_iter().map(|(_, m)| m).collect()
}

/// [`warnings_about`], each with its kind.
fn told_about(id: &str) -> Vec<(String, String)> {
    type Told = Arc<Mutex<Vec<(String, String)>>>;
    static SEEN: OnceLock<Told> = OnceLock::new();
    let seen = SEEN.get_or_init(|| {
        let seen = Told::default();
        let s = seen.clone();
        set_warning_handler(Some(Arc::new(move |k: &str, m: &str| {
            s.lock().unwrap().push((k.to_string(), m.to_string()))
        })));
        seen
    });
    let tag = format!("repo '{id}'");
    seen.lock()
        .unwrap()
        .iter()
        .filter(|(_, m)| m.starts_with(&tag))
        .cloned()
        .collect()
}

/// A repo left out is said with a kind of its own, printed as `warning`:
/// what `-q` keeps (`cli::quiet_repo_notes`), told by the kind, not by the
/// words, which another warning may hold: here a metalink that fails, its
/// baseurl used without it, whose URL quotes "(skip_if_unavailable=1)".
/// That one was kept under `-q` as if its repo had been left out.
#[test]
fn a_repo_left_out_is_told_by_its_kind() {
    fast();
    let server = Server::start(ROOT.into());
    let cache = tempfile::tempdir().unwrap();
    let text = "[kindup]\nbaseurl=BASE/x86_64\nmetalink=BASE/none?x=(skip_if_unavailable=1)\n\
                [kindgone]\nbaseurl=BASE/nothing-here\nskip_if_unavailable=1\n";
    let repos = load_repos(
        &specs(text, &server.base),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap();
    assert_eq!(repos.len(), 1);
    let gone = told_about("kindgone");
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_eq!(gone[0].0, REPO_SKIPPED);
    assert!(gone[0]
        .1
        .starts_with("repo 'kindgone' skipped (skip_if_unavailable=1): "));
    assert_eq!(kind_label(&gone[0].0), "warning");
    let up = told_about("kindup");
    assert_eq!(up.len(), 1, "{up:?}");
    assert!(up[0].1.contains("(skip_if_unavailable=1)"), "{up:?}");
    assert_eq!(up[0].0, "warning");
}

/// Repos from a `.repo` text (`BASE` replaced), as a user writes them.
fn specs(text: &str, base: &str) -> Vec<RepoSpec> {
    parse_repofile_str(
        &text.replace("BASE", base),
        "t.repo",
        &Vars::new("x86_64", ""),
    )
    .unwrap()
}

/// The file name of the fixture repo `dir`'s primary.xml.
fn primary_of(dir: &str) -> String {
    let rd = Path::new(ROOT).join(dir).join("repodata");
    std::fs::read_dir(rd)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with("-primary.xml.gz"))
        .unwrap()
}

#[test]
fn an_http_error_skips_the_repo_with_one_warning() {
    fast();
    let server = Server::start(ROOT.into());
    server.fault("down500/repodata/repomd.xml", Fault::Status(500), None);
    let cache = tempfile::tempdir().unwrap();
    let text = "[up]\nbaseurl=BASE/x86_64\n\
                [s500]\nbaseurl=BASE/down500\nskip_if_unavailable=1\n\
                [s404]\nbaseurl=BASE/nothing-here\nskip_if_unavailable=True\n";
    let repos = load_repos(
        &specs(text, &server.base),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap();
    let ids: Vec<&str> = repos.iter().map(|r| r.spec.id.as_str()).collect();
    assert_eq!(ids, ["up"]);
    assert!(repos[0].packages.len() > 10);
    let w = warnings_about("s500");
    assert_eq!(
        w,
        [format!(
            "repo 's500' skipped (skip_if_unavailable=1): {}/down500/repodata/repomd.xml: \
             HTTP 500 (gave up after 2 attempts)",
            server.base
        )]
    );
    let w = warnings_about("s404");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].ends_with("/nothing-here/repodata/repomd.xml: HTTP 404 (gave up after 2 attempts)"),
        "{w:?}"
    );
}

/// The fixture x86_64 repo's comps file (its `group_gz` record).
const X86_COMPS: &str =
    "dcc9180ae538bfd28780f2b887641655619f95eb10dc487876ac6057963a00b2-comps.xml.gz";

/// Only the comps cannot be downloaded (compose-view's load, which wants
/// groups: answered 404, or bytes repomd.xml does not vouch for): the repo
/// is left out whole, said as any repo skipped, as dnf 4 leaves it out
/// (its comps are in the librepo batch of the repo's metadata, a failed
/// file fails the batch). The other repo's packages and groups stay.
#[test]
fn comps_that_cannot_be_downloaded_skip_the_repo_whole() {
    fast();
    let server = Server::start(ROOT.into());
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions::cached_in(cache.path());
    let other = Pool::load(
        "x86_64",
        &specs("[up]\nbaseurl=BASE/extras/x86_64\n", &server.base),
        &opts,
    )
    .unwrap();
    for (id, fault, said) in [
        (
            "comps404",
            Fault::Status(404),
            "HTTP 404 (gave up after 2 attempts)",
        ),
        ("compsbad", Fault::Corrupt, "checksum mismatch"),
    ] {
        server.clear_faults();
        server.fault(&format!("/x86_64/repodata/{X86_COMPS}"), fault, None);
        let text = format!(
            "[up{id}]\nbaseurl=BASE/extras/x86_64\n[{id}]\nbaseurl=BASE/x86_64\nskip_if_unavailable=1\n"
        );
        let (pool, comps) =
            Pool::load_with_comps("x86_64", &specs(&text, &server.base), &opts).unwrap();
        assert_eq!(
            pool.len(),
            other.len(),
            "{id}: the other repo's packages alone"
        );
        assert!(comps[0].is_some(), "{id}");
        assert_eq!(comps[1], None, "{id}");
        let w = warnings_about(id);
        assert_eq!(w.len(), 1, "{w:?}");
        let lead = format!(
            "repo '{id}' skipped (skip_if_unavailable=1): {}/x86_64/repodata/{X86_COMPS}: ",
            server.base
        );
        assert!(w[0].starts_with(&lead) && w[0].contains(said), "{w:?}");
    }
}

/// Comps that download (their checksum right) but do not parse: the
/// repo's packages stay, its groups are left out, and the warning says
/// just that, as dnf 4 says "Failed to add groups file" and keeps the repo.
#[test]
fn comps_that_do_not_parse_leave_the_groups_out_and_say_so() {
    use sha2::Digest;
    use std::io::Write;
    fast();
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    std::fs::create_dir_all(repo.join("repodata")).unwrap();
    for e in std::fs::read_dir(Path::new(ROOT).join("x86_64/repodata")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), repo.join("repodata").join(e.file_name())).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"<comps><group><id>cut").unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(repo.join("repodata").join(X86_COMPS), &gz).unwrap();
    let sum = format!("{:x}", sha2::Sha256::digest(&gz));
    let repomd = repo.join("repodata/repomd.xml");
    let text = std::fs::read_to_string(&repomd).unwrap();
    let old_sum = X86_COMPS.split('-').next().unwrap();
    let text = text
        .replace(
            &format!(">{old_sum}</checksum>"),
            &format!(">{sum}</checksum>"),
        )
        .replace("<size>477</size>", &format!("<size>{}</size>", gz.len()));
    std::fs::write(&repomd, text).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let text = format!(
        "[compscut]\nbaseurl=file://{}\nskip_if_unavailable=1\n",
        repo.display()
    );
    let (pool, comps) = Pool::load_with_comps(
        "x86_64",
        &specs(&text, ""),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap();
    assert!(pool.len() > 10);
    assert_eq!(comps, vec![None]);
    let w = warnings_about("compscut");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "repo 'compscut': its groups left out, its packages kept (skip_if_unavailable=1): "
        ),
        "{w:?}"
    );
    assert!(!w[0].contains("checksum"), "{w:?}");
}

#[test]
fn without_skip_if_unavailable_the_error_stands() {
    fast();
    let server = Server::start(ROOT.into());
    server.fault("stays500/repodata/repomd.xml", Fault::Status(500), None);
    let cache = tempfile::tempdir().unwrap();
    for flag in ["", "skip_if_unavailable=0\n", "skip_if_unavailable=false\n"] {
        let text = format!("[up2]\nbaseurl=BASE/x86_64\n[n500]\nbaseurl=BASE/stays500\n{flag}");
        let e = load_repos(
            &specs(&text, &server.base),
            &LoadOptions::cached_in(cache.path()),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            format!(
                "{}/stays500/repodata/repomd.xml: HTTP 500 (gave up after 2 attempts)",
                server.base
            )
        );
    }
    assert!(warnings_about("n500").is_empty());
}

#[test]
fn a_missing_local_directory_is_skipped_as_dnf_does() {
    warnings_about("");
    let cache = tempfile::tempdir().unwrap();
    let text = format!(
        "[here]\nbaseurl={ROOT}/x86_64\n[gone]\nbaseurl={}/gone\nskip_if_unavailable=yes\n",
        cache.path().display()
    );
    let repos = load_repos(&specs(&text, ""), &LoadOptions::cached_in(cache.path())).unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0].spec.id, "here");
    let w = warnings_about("gone");
    assert_eq!(
        w,
        [format!(
            "repo 'gone' skipped (skip_if_unavailable=1): {}/gone: repository directory does \
             not exist",
            cache.path().display()
        )]
    );
    // Without the flag, as before.
    let e = load_repos(
        &specs(&text.replace("skip_if_unavailable=yes\n", ""), ""),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.ends_with("/gone: repository directory does not exist"),
        "{e}"
    );
    // The error names the section and its .repo file, on one line.
    assert_eq!(
        e,
        format!(
            "repo 'gone' (t.repo): {}/gone: repository directory does not exist",
            cache.path().display()
        )
    );
}

#[test]
fn damaged_metadata_skips_the_repo_and_the_pool_cache_keeps_the_sets_apart() {
    fast();
    let server = Server::start(ROOT.into());
    // repomd.xml is fine, primary.xml never matches its checksum: the repo
    // fails while the pool is being built, after the binary repo's packages.
    server.fault(&primary_of("source"), Fault::Corrupt, None);
    let cache = tempfile::tempdir().unwrap();
    let text =
        "[bin]\nbaseurl=BASE/x86_64\n[src-damaged]\nbaseurl=BASE/source\nskip_if_unavailable=1\n";
    let specs = specs(text, &server.base);
    let load = || Pool::load("x86_64", &specs, &LoadOptions::cached_in(cache.path())).unwrap();
    let other = tempfile::tempdir().unwrap();
    let alone = Pool::load("x86_64", &specs[..1], &LoadOptions::cached_in(other.path())).unwrap();
    let skipped = load();
    assert!(!skipped.from_cache());
    let all =
        |p: &Pool| -> Vec<String> { p.ids().map(|i| format!("{:?}", p.package(i))).collect() };
    assert_eq!(all(&skipped), all(&alone));
    assert!(skipped.ids().all(|p| skipped.repo_id(p) == "bin"));
    assert!(skipped.sources_named("hello").is_empty());
    let w = warnings_about("src-damaged");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("-primary.xml.gz: checksum mismatch: repomd.xml says sha256"),
        "{w:?}"
    );
    // The repo is back: the pool cached without it does not stand for both.
    server.clear_faults();
    let full = load();
    assert!(!full.from_cache());
    assert_eq!(full.sources_named("hello").len(), 1);
    assert!(full.len() > skipped.len());
    let again = load();
    assert!(again.from_cache());
    assert_eq!(again.len(), full.len());
}

#[test]
fn a_repo_skipped_before_loading_has_a_pool_cache_of_its_own() {
    fast();
    let server = Server::start(ROOT.into());
    server.fault("source/repodata/repomd.xml", Fault::Status(503), None);
    let cache = tempfile::tempdir().unwrap();
    let text =
        "[bin2]\nbaseurl=BASE/x86_64\n[src-down]\nbaseurl=BASE/source\nskip_if_unavailable=1\n";
    let specs = specs(text, &server.base);
    let load = || Pool::load("x86_64", &specs, &LoadOptions::cached_in(cache.path())).unwrap();
    let first = load();
    assert!(!first.from_cache());
    assert!(first.sources_named("hello").is_empty());
    // The same repo down again: the pool of the repos that load is reused.
    let second = load();
    assert!(second.from_cache());
    assert_eq!(second.len(), first.len());
    server.clear_faults();
    let full = load();
    assert!(!full.from_cache());
    assert_eq!(full.sources_named("hello").len(), 1);
    assert_eq!(warnings_about("src-down").len(), 1);
}

/// A cache directory that cannot be written is the run's problem, not the
/// repo's: the load fails, instead of every repo that allows it being left
/// out (and the smaller pool cached).
#[test]
fn an_unwritable_cache_fails_the_run_instead_of_skipping() {
    fast();
    let server = Server::start(ROOT.into());
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache-is-a-file");
    std::fs::write(&cache, "").unwrap();
    let text = "[cachefile]\nbaseurl=BASE/x86_64\nskip_if_unavailable=1\n";
    let e = load_repos(&specs(text, &server.base), &LoadOptions::cached_in(&cache))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with(cache.to_str().unwrap()), "{e}");
    assert_eq!(warnings_about("cachefile"), Vec::<String>::new());
}

/// A repo skipped whose URL keeps a variable no one set (`$stream`, which
/// dnf takes from /etc/dnf/vars): the warning names it and how to give it;
/// an HTTP 404 for such a URL says the same in the error, without
/// `skip_if_unavailable`.
#[test]
fn a_repo_whose_url_keeps_an_unset_variable_names_it() {
    fast();
    let server = Server::start(ROOT.into());
    let cache = tempfile::tempdir().unwrap();
    let hint = "$stream is not set (dnf reads such variables from /etc/dnf/vars): give \
                DNF_VAR_stream=VALUE, or varsdir=DIR in the [main] of --dnf-conf, DIR holding \
                a file 'stream'";
    let text = "[up]\nbaseurl=BASE/x86_64\n\
                [unsetvar]\nbaseurl=BASE/$stream/\nskip_if_unavailable=1\n";
    let repos = load_repos(
        &specs(text, &server.base),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap();
    assert_eq!(repos.len(), 1);
    let w = warnings_about("unsetvar");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].ends_with(hint), "{}", w[0]);
    let text = "[unsetvar404]\nbaseurl=BASE/$stream/\n";
    let e = load_repos(
        &specs(text, &server.base),
        &LoadOptions::cached_in(cache.path()),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("/$stream/repodata/repomd.xml: HTTP 404"), "{e}");
    assert!(e.ends_with(hint), "{e}");
}
