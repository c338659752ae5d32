//! Runs that would do damage or mean nothing are refused (exit 2, one line
//! naming the flag or input), not carried out with exit 0: an output
//! directory of someone else's files, an empty input list (a failed step
//! upstream) that would empty a cache or a repo, a cache without SRPMs,
//! a buildroot run in which nothing can resolve.

use std::path::{Path, PathBuf};

use cli_tests::{cmd, dir_names, expect_error, root, srpm_names, TestContext, Tool};

/// A cache holding every fixture source SRPM.
fn fixture_cache(t: &Path) -> PathBuf {
    let cache = t.join("cache");
    // As an earlier version left it: the SRPMs and the metadata directory.
    std::fs::create_dir_all(cache.join(".metadata")).unwrap();
    copy_srpms(&root().join("testdata/repos/source"), &cache);
    cache
}

/// Copies the `*.src.rpm` files of `from` into `to`.
fn copy_srpms(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".src.rpm") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// create-srpm-repos for aarch64 (built-in macros) from `cache` into `out`.
fn srpm_repos(t: &TestContext, cache: &Path, out: &Path) -> assert_cmd::Command {
    let archful = t.join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "-q", "--cache"])
        .arg(cache)
        .arg("--archful")
        .arg(&archful)
        .arg("--out")
        .arg(out);
    c
}

#[test]
fn create_srpm_repos_refuses_a_directory_of_other_srpms() {
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let foreign = t.join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    copy_srpms(&root().join("testdata/repos/extras/source"), &foreign);
    std::fs::write(foreign.join("notes.txt"), "notes\n").unwrap();
    let before = srpm_names(&foreign);
    assert!(!before.is_empty());
    let line = expect_error(&t, srpm_repos(&t, &cache, &foreign), "bash\nzlib\n");
    assert_eq!(
        line,
        "create-srpm-repos: [TMP]/foreign: --out is not empty and not an earlier \
         create-srpm-repos output (no .create-srpm-repos); the SRPMs in it that are not \
         listed would be deleted: name a new or empty directory (a repo an older \
         create-srpm-repos wrote, without .create-srpm-repos, is taken once that file is \
         created in it)"
    );
    assert_eq!(srpm_names(&foreign), before, "the user's SRPMs are kept");
    // A file is no repo directory either.
    let file = t.join("file");
    std::fs::write(&file, "x\n").unwrap();
    let line = expect_error(&t, srpm_repos(&t, &cache, &file), "bash\n");
    assert_eq!(
        line,
        "create-srpm-repos: [TMP]/file: --out exists and is not a directory"
    );
}

#[test]
fn create_srpm_repos_updates_its_own_earlier_output() {
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    // An empty directory is taken, and marked as an output.
    let out = t.join("repo");
    std::fs::create_dir(&out).unwrap();
    srpm_repos(&t, &cache, &out)
        .write_stdin("bash\nzlib\n")
        .assert()
        .success();
    assert!(out.join(".create-srpm-repos").is_file());
    assert_eq!(srpm_names(&out).len(), 2);
    // The rerun drops the SRPM no longer listed.
    srpm_repos(&t, &cache, &out)
        .write_stdin("bash\n")
        .assert()
        .success();
    assert_eq!(srpm_names(&out), ["bash-5.2.26-1.eln150.src.rpm"]);
    // A repo an older version wrote (no marker) is refused, and taken once
    // the marker the refusal names is created.
    std::fs::remove_file(out.join(".create-srpm-repos")).unwrap();
    expect_error(&t, srpm_repos(&t, &cache, &out), "zlib\n");
    std::fs::write(out.join(".create-srpm-repos"), "").unwrap();
    srpm_repos(&t, &cache, &out)
        .write_stdin("zlib\n")
        .assert()
        .success();
    assert_eq!(srpm_names(&out).len(), 1);
    assert!(srpm_names(&out)[0].starts_with("zlib-"));
}

#[test]
fn create_srpm_repos_refuses_an_empty_list_unless_allowed() {
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let out = t.join("repo");
    srpm_repos(&t, &cache, &out)
        .write_stdin("bash\n")
        .assert()
        .success();
    let line = expect_error(&t, srpm_repos(&t, &cache, &out), "# nothing\n");
    assert_eq!(
        line,
        "create-srpm-repos: <stdin>: the list of sources is empty (did the step before \
         fail?); --allow-empty writes an empty repo into [TMP]/repo"
    );
    assert_eq!(srpm_names(&out).len(), 1, "the repo is untouched");
    srpm_repos(&t, &cache, &out)
        .arg("--allow-empty")
        .write_stdin("")
        .assert()
        .success();
    assert!(srpm_names(&out).is_empty());
}

#[test]
fn create_srpm_repos_refuses_a_cache_without_srpms() {
    let t = TestContext::new();
    let out = t.join("repo");
    let line = expect_error(&t, srpm_repos(&t, &t.join("nope"), &out), "bash\n");
    assert_eq!(
        line,
        "create-srpm-repos: [TMP]/nope: the SRPM cache directory does not exist (run \
         identify-archful-srpms first)"
    );
    let empty = t.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let line = expect_error(&t, srpm_repos(&t, &empty, &out), "bash\n");
    assert_eq!(
        line,
        "create-srpm-repos: [TMP]/empty: holds no SRPMs (is it identify-archful-srpms' --cache?)"
    );
    assert!(!out.exists(), "no repo written");
}

#[test]
fn create_srpm_repos_refuses_a_cache_no_identify_run_made() {
    // The audit's case: a copy of a source repo's SRPMs named as --cache.
    // Written into, it would have passed as an earlier cache, and the next
    // identify-archful-srpms on it would have deleted the SRPMs not listed.
    let t = TestContext::new();
    let srpms = t.join("srpms");
    std::fs::create_dir(&srpms).unwrap();
    copy_srpms(&root().join("testdata/repos/source"), &srpms);
    let before = dir_names(&srpms);
    let out = t.join("repo");
    let line = expect_error(&t, srpm_repos(&t, &srpms, &out), "bash\n");
    assert_eq!(
        line,
        "create-srpm-repos: [TMP]/srpms: --cache is not an SRPM cache identify-archful-srpms \
         made (no .identify-archful-srpms, and it holds bash-5.2.26-1.eln150.src.rpm, but no \
         .metadata or .macros); records written into it would let identify-archful-srpms take \
         it for its cache and delete the SRPMs it does not list: give the --cache \
         identify-archful-srpms filled"
    );
    assert_eq!(dir_names(&srpms), before, "nothing written into it");
    assert!(!out.exists(), "no repo written");
    // With a note of the user's beside them, the note is named.
    std::fs::write(srpms.join("notes.txt"), "notes\n").unwrap();
    let line = expect_error(&t, srpm_repos(&t, &srpms, &out), "bash\n");
    assert!(line.contains("and it holds notes.txt)"), "{line}");
    // The cache identify-archful-srpms filled is taken.
    let cache = t.join("cache");
    identify_into(&cache)
        .write_stdin("bash\n")
        .assert()
        .success();
    srpm_repos(&t, &cache, &out)
        .write_stdin("bash\n")
        .assert()
        .success();
    assert_eq!(srpm_names(&out), ["bash-5.2.26-1.eln150.src.rpm"]);
}

#[test]
fn create_srpm_repos_refuses_a_cached_srpm_that_is_another_package() {
    // A build copied over a cached SRPM's file: published, the repo would
    // list its NEVR at the file's name, with its BuildRequires.
    let t = TestContext::new();
    let cache = t.join("cache");
    identify_into(&cache)
        .write_stdin("bash\nzlib\n")
        .assert()
        .success();
    let bash = cache.join("bash-5.2.26-1.eln150.src.rpm");
    let zlib = srpm_names(&cache)
        .into_iter()
        .find(|f| f.starts_with("zlib-"))
        .unwrap();
    std::fs::remove_file(&bash).unwrap();
    std::fs::copy(cache.join(&zlib), &bash).unwrap();
    let out = t.join("repo");
    let line = expect_error(&t, srpm_repos(&t, &cache, &out), "bash\nzlib\n");
    let zlib_nvr = zlib.trim_end_matches(".src.rpm");
    assert_eq!(
        line,
        format!(
            "create-srpm-repos: [TMP]/cache/bash-5.2.26-1.eln150.src.rpm: its header is \
             {zlib_nvr}, not the package its name says (replaced in the cache?): run \
             identify-archful-srpms with this --cache to fetch it again"
        )
    );
    assert!(!out.exists(), "no repo written");
    // identify-archful-srpms fetches it again, and the repo is written.
    identify_into(&cache)
        .write_stdin("bash\nzlib\n")
        .assert()
        .success();
    srpm_repos(&t, &cache, &out)
        .write_stdin("bash\nzlib\n")
        .assert()
        .success();
}

#[test]
fn identify_archful_refuses_an_empty_list_unless_allowed() {
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let before = srpm_names(&cache);
    let identify = || identify_into(&cache);
    let line = expect_error(&t, identify(), "\n");
    assert_eq!(
        line,
        "identify-archful-srpms: <stdin>: the list of sources is empty (did the step before \
         fail?); with --allow-empty the SRPMs in [TMP]/cache are deleted once no run has used \
         them for 72 hours (--keep-unlisted)"
    );
    assert_eq!(srpm_names(&cache), before, "the cache is kept");
    let mut at_once = identify();
    at_once.args(["--keep-unlisted", "0"]);
    let line = expect_error(&t, at_once, "\n");
    assert!(
        line.ends_with("with --allow-empty the SRPMs in [TMP]/cache are deleted at once"),
        "{line}"
    );
    let empty = t.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let mut c = identify();
    c.arg(&empty);
    let line = expect_error(&t, c, "");
    assert!(
        line.starts_with("identify-archful-srpms: [TMP]/empty.txt: the list of sources is empty"),
        "{line}"
    );
    // As the message says: SRPMs used lately stay, the rest go.
    identify()
        .arg("--allow-empty")
        .write_stdin("")
        .assert()
        .success();
    assert_eq!(srpm_names(&cache), before, "used lately: kept");
    identify()
        .args(["--allow-empty", "--keep-unlisted", "0"])
        .write_stdin("")
        .assert()
        .success();
    assert!(srpm_names(&cache).is_empty());
}

#[test]
fn a_list_that_names_no_source_is_refused_and_the_tools_own_nvrs_are_sources() {
    // The generator's `*-nvrs` lists name their sources (they used to name
    // none, and the cache and the repo were emptied with exit 0); a list that
    // names no source at all (binaries, another distribution) is refused.
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let before = srpm_names(&cache);
    let nvrs = "bash-5.2.26-1.eln150\nzlib-1.3.1-1.eln150\n";
    identify_into(&cache)
        .args(["--keep-unlisted", "0"])
        .write_stdin(nvrs)
        .assert()
        .success();
    assert_eq!(srpm_names(&cache).len(), 2);
    let line = expect_error(&t, identify_into(&cache), "libfoo-9-9\nnope\n");
    assert_eq!(
        line,
        "identify-archful-srpms: <stdin>: none of its 2 lines names a source package of the \
         source repositories (the first: 'libfoo-9-9'); the SRPM cache [TMP]/cache is left as \
         it was"
    );
    assert_eq!(srpm_names(&cache).len(), 2, "the cache is kept");

    copy_srpms(&root().join("testdata/repos/source"), &cache);
    assert_eq!(srpm_names(&cache), before);
    let out = t.join("repo");
    srpm_repos(&t, &cache, &out)
        .write_stdin(nvrs)
        .assert()
        .success();
    assert_eq!(srpm_names(&out).len(), 2);
    let line = expect_error(&t, srpm_repos(&t, &cache, &out), "bash-devel\n");
    assert_eq!(
        line,
        "create-srpm-repos: <stdin>: its one line, 'bash-devel', does not name an SRPM of the \
         cache [TMP]/cache; [TMP]/repo is left as it was"
    );
    assert_eq!(srpm_names(&out).len(), 2, "the repo is untouched");
}

/// identify-archful-srpms on the fixture sources (built-in macros) with
/// `cache` as --cache.
fn identify_into(cache: &Path) -> assert_cmd::Command {
    let mut c = cmd(Tool::IdentifyArchful);
    c.args([
        "--source-repo",
        "src=testdata/repos/source",
        "--arch",
        "x86_64",
        "--arch",
        "aarch64",
        "-q",
        "--cache",
    ])
    .arg(cache);
    c
}

#[test]
fn identify_archful_refuses_a_cache_of_other_files() {
    let t = TestContext::new();
    // The audit's case: a directory of the user's SRPMs and notes.
    let foreign = t.join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    copy_srpms(&root().join("testdata/repos/extras/source"), &foreign);
    std::fs::write(foreign.join("notes.txt"), "notes\n").unwrap();
    let before = dir_names(&foreign);
    let line = expect_error(&t, identify_into(&foreign), "bash\nzlib\n");
    assert_eq!(
        line,
        "identify-archful-srpms: [TMP]/foreign: --cache is not empty and not an earlier SRPM \
         cache (no .identify-archful-srpms, and it holds notes.txt); the SRPMs in it that are \
         not listed would be deleted: name a new or empty directory"
    );
    assert_eq!(dir_names(&foreign), before, "nothing deleted or added");
    // A source repository (SRPMs and repodata/) is no cache either.
    let repo = t.join("repo");
    std::fs::create_dir_all(repo.join("repodata")).unwrap();
    copy_srpms(&root().join("testdata/repos/source"), &repo);
    let before = dir_names(&repo);
    let line = expect_error(&t, identify_into(&repo), "bash\n");
    assert!(
        line.contains("(no .identify-archful-srpms, and it holds repodata)"),
        "{line}"
    );
    assert_eq!(dir_names(&repo), before);
    // Nor is a file.
    let file = t.join("file");
    std::fs::write(&file, "x\n").unwrap();
    let line = expect_error(&t, identify_into(&file), "bash\n");
    assert_eq!(
        line,
        "identify-archful-srpms: [TMP]/file: --cache exists and is not a directory"
    );
}

#[test]
fn identify_archful_takes_a_new_an_empty_a_marked_and_an_earlier_unmarked_cache() {
    let t = TestContext::new();
    // New: created and marked.
    let new = t.join("new");
    identify_into(&new).write_stdin("bash\n").assert().success();
    assert!(new.join(".identify-archful-srpms").is_file());
    assert_eq!(srpm_names(&new), ["bash-5.2.26-1.eln150.src.rpm"]);
    // Empty: marked.
    let empty = t.join("empty");
    std::fs::create_dir(&empty).unwrap();
    identify_into(&empty)
        .write_stdin("bash\n")
        .assert()
        .success();
    assert!(empty.join(".identify-archful-srpms").is_file());
    // Marked: whatever else it came to hold is ours to keep; the SRPMs no
    // longer listed go (at once with --keep-unlisted 0).
    std::fs::write(empty.join("notes.txt"), "notes\n").unwrap();
    identify_into(&empty)
        .args(["--keep-unlisted", "0"])
        .write_stdin("zlib\n")
        .assert()
        .success();
    assert_eq!(srpm_names(&empty), ["zlib-1.3.1-1.eln150.src.rpm"]);
    assert!(empty.join("notes.txt").is_file());
    // A cache of an earlier version (no marker): only SRPMs, the metadata
    // and macro directories and temp files of killed runs. Taken as it is,
    // marked, and refreshed.
    let old = fixture_cache(t.path());
    std::fs::create_dir_all(old.join(".metadata/x")).unwrap();
    std::fs::create_dir_all(old.join(".macros")).unwrap();
    std::fs::write(old.join(".tmp-Ab3xYz"), "").unwrap();
    std::fs::write(old.join(".tmpAb3xYz"), "").unwrap();
    let before = srpm_names(&old);
    identify_into(&old).write_stdin("bash\n").assert().success();
    assert!(old.join(".identify-archful-srpms").is_file());
    // It has no record of uses: its SRPMs count as used now, and go once
    // --keep-unlisted says so.
    assert_eq!(srpm_names(&old), before);
    identify_into(&old)
        .args(["--keep-unlisted", "0"])
        .write_stdin("bash\n")
        .assert()
        .success();
    assert_eq!(srpm_names(&old), ["bash-5.2.26-1.eln150.src.rpm"]);
}

/// buildroot-generator on the fixture repos with `extra` arguments.
fn generator(extra: &[&str]) -> assert_cmd::Command {
    let mut c = cmd(Tool::Generator);
    c.args(extra);
    c
}

/// buildroot-generator on `arch` over the fixture's binary and source
/// repos, then `extra`.
fn fixture_generator(arch: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut c = generator(&["--arch", arch, "--repo", "main=testdata/repos/x86_64"]);
    c.args(["--source-repo", "src=testdata/repos/source"])
        .args(extra);
    c
}

#[test]
fn generator_refuses_print_with_why() {
    // --why prints its chain and nothing else: a --print beside it asked for
    // a list the run would not print, which was dropped without a word.
    let t = TestContext::new();
    let c = fixture_generator("x86_64", &["--why", "nasm", "--print", "sources"]);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: the argument '--why <NAME>' cannot be used with \
         '--print <PRINT>' (try '--help')"
    );
}

#[test]
fn generator_refuses_print_with_json() {
    // --json's document holds every list: a --print beside it chose nothing
    // and was dropped without a word (a plain run, and --compare's).
    let t = TestContext::new();
    let c = fixture_generator("x86_64", &["--json", "--print", "sources"]);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: --print sources is not read with --json, whose document holds \
         every list (jq '.sources' picks this one): give one of the two"
    );
    let c = fixture_generator(
        "x86_64",
        &[
            "--json",
            "--compare",
            "--print",
            "binary-nvrs",
            "--srpm",
            "x.src.rpm",
        ],
    );
    assert!(expect_error(&t, c, "hello\n").contains("--print binary-nvrs is not read with --json"));
    // Without --print the document is printed, and --print alone still works.
    let out = fixture_generator("x86_64", &["--json", "-q"])
        .write_stdin("hello\n")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "hello"));
    fixture_generator("x86_64", &["--print", "sources", "-q"])
        .write_stdin("hello\n")
        .assert()
        .success()
        .stdout(predicates::str::contains("hello\n"));
}

#[test]
fn generator_refuses_an_arch_the_repos_have_no_packages_for() {
    let t = TestContext::new();
    let c = fixture_generator("ppc64le", &[]);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: --arch ppc64le: the repositories (main, src) hold no package for \
         ppc64le: the core buildroot cannot be installed"
    );
}

#[test]
fn generator_refuses_repositories_without_a_binary_package() {
    // A source repo given as the binary repo: every core name would match
    // nothing and every source be NoInstall, with exit 0 and empty lists.
    let t = TestContext::new();
    let c = generator(&[
        "--arch",
        "x86_64",
        "--repo",
        "bin=testdata/repos/source",
        "--source-repo",
        "src=testdata/repos/source",
        "--release-package=",
    ]);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: --arch x86_64: the repositories (bin, src) hold no package for \
         x86_64: the core buildroot cannot be installed"
    );
}

#[test]
fn generator_refuses_a_core_of_which_no_name_matches() {
    let t = TestContext::new();
    let none_matches = ["--core", "no-such-a,no-such-b", "--release-package="];
    let c = fixture_generator("x86_64", &none_matches);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: no core name matches a package in the repositories (main, src): \
         no-such-a, no-such-b: nothing can be installed (name the core with --core or \
         --core-file)"
    );
    // One core name matching is enough: the others stay warnings.
    let out = fixture_generator("x86_64", &["--core", "no-such-a,bash"])
        .write_stdin("hello\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: core name 'no-such-a' matches no package"),
        "{err}"
    );
    // An empty input (a load alone, as scripts/bench.sh times it) is no refusal.
    let out = fixture_generator("x86_64", &none_matches)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn generator_refuses_a_core_that_cannot_be_solved() {
    // The fixture x86_64 repo has an i686 package or two, but no i686 glibc.
    let t = TestContext::new();
    let c = fixture_generator("i686", &[]);
    let line = expect_error(&t, c, "hello\n");
    assert!(
        line.starts_with(
            "buildroot-generator: the core buildroot cannot be solved on i686 from the \
             repositories (main, src), so no source can be: package "
        ),
        "{line}"
    );
}

#[test]
fn generator_refuses_sources_without_a_source_repo() {
    let t = TestContext::new();
    let c = generator(&["--arch", "x86_64", "--repo", "main=testdata/repos/x86_64"]);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: the repositories (main) hold no source package: give \
         --source-repo ID=URL (or a --repofile with source repos); for the core buildroot \
         alone, give an empty input"
    );
    // The core alone is still asked for with an empty input.
    let out = generator(&["--arch", "x86_64", "--repo", "main=testdata/repos/x86_64"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l == "bash"));
    // Its sources are not built: one line says so, not one per source
    // (26 lines for the fixture's core, until the user audit).
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: warning: the input lists no sources; the buildroot is the core's \
         own: the core buildroot and what building its packages' sources needs (--json's \
         core.binaries: the core alone)\n\
         buildroot-generator: warning: no repository holds source packages, so the 26 sources \
         of the buildroot's binaries are not built (NoSource; --source-repo ID=URL builds them)\n"
    );
}

#[test]
fn generator_restricted_run_keeps_an_unsolvable_core_a_warning() {
    // Step 10 (--only-binaries): "the allowed binaries cannot install the
    // core" is the answer sought, not bad input.
    let t = TestContext::new();
    let only = t.join("only.txt");
    std::fs::write(&only, "bash\n").unwrap();
    let out = fixture_generator("x86_64", &[])
        .arg("--only-binaries")
        .arg(&only)
        .write_stdin("hello\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the core buildroot alone cannot be solved"),
        "{err}"
    );
}

#[test]
fn workload_diff_refuses_an_unknown_arch() {
    let t = TestContext::new();
    let mut c = cmd(Tool::WorkloadDiff);
    c.args([
        "--compose",
        "foo=testdata/compose/x86_64.txt",
        "--buildroot",
        "foo=testdata/compose/x86_64.txt",
    ]);
    let line = expect_error(&t, c, "");
    assert!(
        line.starts_with(
            "workload-diff: --compose foo=testdata/compose/x86_64.txt: unknown architecture \
             (known: x86_64, "
        ),
        "{line}"
    );
}

#[test]
fn compose_view_refuses_a_configs_directory_without_yaml() {
    let t = TestContext::new();
    let mut c = cmd(Tool::ComposeView);
    c.args(["--check", "--configs"]).arg(t.path());
    let line = expect_error(&t, c, "");
    assert_eq!(
        line,
        "compose-view: [TMP]: no *.yaml files (--configs names content-resolver's configs \
         directory)"
    );
}

#[test]
fn generator_refuses_two_lists_from_stdin() {
    // The input is stdin ('-' or none given): a list option given '-' too
    // would read an empty list, and the run "succeed" with a wrong answer.
    let t = TestContext::new();
    for (option, value) in [
        ("--only-binaries", "-"),
        ("--core-file", "-"),
        ("--placeholders", "-"),
    ] {
        let line = expect_error(&t, fixture_generator("x86_64", &[option, value]), "hello\n");
        assert_eq!(
            line,
            format!(
                "buildroot-generator: only one list can be read from stdin ('-'), but INPUT \
                 and {option} both read it"
            )
        );
        let mut c = fixture_generator("x86_64", &[option, value]);
        c.arg("-");
        let line = expect_error(&t, c, "hello\n");
        assert!(
            line.ends_with(&format!("INPUT and {option} both read it")),
            "{line}"
        );
    }
    // Two list options, the input a file.
    let input = t.join("in.txt");
    std::fs::write(&input, "hello\n").unwrap();
    let mut c = fixture_generator("x86_64", &["--only-binaries", "-", "--core-file", "-"]);
    c.arg(&input);
    let line = expect_error(&t, c, "bash\n");
    assert!(
        line.ends_with("but --core-file and --only-binaries both read it"),
        "{line}"
    );
    // One list from stdin, the input a file: as before.
    let out = fixture_generator("x86_64", &["--core-file", "-", "-q"])
        .arg(&input)
        .write_stdin("bash\nglibc\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!out.stdout.is_empty());
}

#[test]
fn generator_says_when_a_core_file_lists_no_names() {
    // An empty --core-file (a failed step before, a wrong file) is a core
    // of the release package alone: said, as an empty input is said.
    let t = TestContext::new();
    let core = t.join("core.txt");
    std::fs::write(&core, "# nothing yet\n\n").unwrap();
    let mut c = fixture_generator("x86_64", &["--core-file"]);
    c.arg(&core).args(["--print", "sources"]);
    let out = c.write_stdin("hello\n").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let err = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        err.lines().any(|l| l
            == "buildroot-generator: warning: --core-file [TMP]/core.txt lists no names, so the \
                core buildroot is fedora-release-eln alone (--core '' asks for that on purpose)"),
        "{err}"
    );
    // --core '' is the same core on purpose: no such line; -q hides it.
    for extra in [
        &["--core", ""][..],
        &["--core-file", core.to_str().unwrap(), "-q"][..],
    ] {
        let out = fixture_generator("x86_64", extra)
            .write_stdin("hello\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("lists no names"), "{extra:?}: {err}");
    }
}

#[test]
fn srpm_tools_refuse_two_lists_from_stdin() {
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let out = t.join("out");
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "-q", "--archful", "-", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(&out);
    let line = expect_error(&t, c, "libjpeg-turbo\n");
    assert_eq!(
        line,
        "create-srpm-repos: only one list can be read from stdin ('-'), but INPUT and \
         --archful both read it"
    );
    assert!(!out.exists(), "nothing written");
    // --archful from stdin with the input a file works.
    let input = t.join("in.txt");
    std::fs::write(&input, "bash\nlibjpeg-turbo\n").unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "-q", "--archful", "-", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .arg(&input)
        .write_stdin("libjpeg-turbo\n")
        .assert()
        .success();
}

#[test]
fn identify_archful_refuses_dash_for_the_files_it_writes() {
    // stdout is the archful list: `--map -` used to write a file named '-'.
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let mut c = identify_into(&cache);
    c.current_dir(t.path()).args(["--map", "-"]);
    let line = expect_error(&t, c, "bash\n");
    assert_eq!(
        line,
        "identify-archful-srpms: --map -: names a file, not stdout (stdout is the archful \
         list; ./- names one called '-')"
    );
    let mut c = identify_into(&cache);
    c.current_dir(t.path()).args(["--json-file", "-"]);
    let line = expect_error(&t, c, "bash\n");
    assert_eq!(
        line,
        "identify-archful-srpms: --json-file -: names a file, not stdout (--json prints the \
         document on stdout; ./- names one called '-')"
    );
    assert!(!t.join("-").exists());
}

#[test]
fn output_directories_are_not_stdout() {
    // `--output-dir -` and the like made a directory named '-'.
    let t = TestContext::new();
    let cache = fixture_cache(t.path());
    let archful = t.join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    let mut runs: Vec<(assert_cmd::Command, &str)> = Vec::new();
    runs.push((
        fixture_generator("x86_64", &["--output-dir", "-"]),
        "buildroot-generator: --output-dir -: names a directory, not stdout (the --print list \
         goes to stdout without it; ./- names one called '-')",
    ));
    let mut c = cmd(Tool::ComposeView);
    c.args([
        "--configs",
        "testdata/content-resolver",
        "--view",
        "view-fixture",
    ])
    .args(["--output-dir", "-"]);
    runs.push((
        c,
        "compose-view: --output-dir -: names a directory, not stdout (the --print list goes to \
         stdout without it; ./- names one called '-')",
    ));
    let mut c = cmd(Tool::FetchCompose);
    c.args([
        "--url",
        "testdata",
        "--view",
        "view-fixture",
        "--arch",
        "x86_64",
    ])
    .args(["--out", "-"]);
    runs.push((
        c,
        "fetch-compose: --out -: names a directory, not stdout (ARCH.txt and sources-ARCH.txt \
         go there; ./- names one called '-')",
    ));
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "--out", "-", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(&archful);
    runs.push((
        c,
        "create-srpm-repos: --out -: names a directory, not stdout (the source repository goes \
         there; ./- names one called '-')",
    ));
    let mut c = cmd(Tool::WorkloadDiff);
    c.args(["--format", "verify", "--buildroot-dir", "x86_64=testdata"])
        .args(["--new-compose", "x86_64=testdata/compose/x86_64.txt"])
        .args(["--verify-out", "-"]);
    runs.push((
        c,
        "workload-diff: --verify-out -: names a directory, not stdout (-o - prints the report \
         on stdout; ./- names one called '-')",
    ));
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "src=testdata/repos/source", "--cache", "-"]);
    runs.push((
        c,
        "identify-archful-srpms: --cache -: names a directory, not stdout (the SRPMs are cached \
         there; ./- names one called '-')",
    ));
    for (c, expected) in runs {
        assert_eq!(expect_error(&t, c, "bash\n"), expected);
    }
    assert!(!root().join("-").exists());
}
