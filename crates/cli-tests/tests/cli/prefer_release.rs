//! `--prefer-release` in the archful tools: identify-archful-srpms caches and
//! judges, and create-srpm-repos takes, the source buildroot-generator builds
//! (the rule is `buildroot::preferred`, over the pool's order: priority,
//! newest EVR, ties in the order the repos load by priority and cost). Each
//! test makes its own small source repos of real SRPMs.

use std::path::{Path, PathBuf};

use cli_tests::{cmd, expect_error, srpm_cache_dir, TestContext, Tool};

/// An SRPM of `pick` at VERSION-RELEASE: archful (nasm on x86_64 only)
/// when `archful`, its header's BuildRequires those of x86_64.
fn srpm(dir: &Path, version: &str, release: &str, archful: bool) -> PathBuf {
    srpm_cache_dir(dir);
    let body = match archful {
        true => "%ifarch x86_64\nBuildRequires: nasm\n%endif\n",
        false => "BuildRequires: make\n",
    };
    let s = buildroot_core::srpm::SrpmSpec {
        name: "pick".into(),
        version: version.into(),
        release: release.into(),
        license: "MIT".into(),
        summary: "pick".into(),
        spec_name: "pick.spec".into(),
        spec_text: format!(
            "Name: pick\nVersion: {version}\nRelease: {release}\nSummary: s\nLicense: MIT\n\
             {body}%description\nd\n"
        ),
        build_requires: vec![buildroot_core::dep::Dep::parse(match archful {
            true => "nasm",
            false => "make",
        })
        .unwrap()],
        build_time: 1_700_000_000,
        ..Default::default()
    };
    let p = dir.join(format!("pick-{version}-{release}.src.rpm"));
    std::fs::write(&p, buildroot_core::srpm::build_srpm(&s).unwrap()).unwrap();
    p
}

/// A source repo (real repodata) of `files`.
fn repo(dir: &Path, files: &[PathBuf]) {
    let headers: Vec<_> = files
        .iter()
        .map(|f| {
            let mut h = buildroot_core::srpm::read_header(f).unwrap();
            h.location = f.file_name().unwrap().to_string_lossy().into_owned();
            h
        })
        .collect();
    buildroot_core::repodata::write_repodata(dir, &headers, &Default::default()).unwrap();
}

/// identify-archful-srpms over `sources` (`--source-repo` values or
/// `--repofile` files) for x86_64 and aarch64: its stdout and `--map`.
fn identify(t: &TestContext, sources: &[&str], extra: &[&str]) -> (String, String) {
    let mut c = cmd(Tool::IdentifyArchful);
    for s in sources {
        match s.strip_suffix(".repo") {
            Some(_) => c.args(["--repofile", s]),
            None => c.args(["--source-repo", s]),
        };
    }
    let out = c
        .arg("--cache")
        .arg(t.join("cache"))
        .arg("--map")
        .arg(t.join("map.txt"))
        .args(["--arch", "x86_64", "--arch", "aarch64", "-q"])
        .args(extra)
        .write_stdin("pick\n")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let map = std::fs::read_to_string(t.join("map.txt")).unwrap();
    (String::from_utf8(out.stdout).unwrap(), map)
}

/// The audit's pair in one source repo `src`: an older eln SRPM
/// (archful: nasm on x86_64 only) and a newer fc one (noarch BuildRequires).
fn eln_and_fc_repo(t: &TestContext) -> PathBuf {
    let dir = t.join("src");
    let files = [
        srpm(&dir, "3.0.3", "1.eln150", true),
        srpm(&dir, "3.1.0", "1.fc42", false),
    ];
    repo(&dir, &files);
    dir
}

/// buildroot-generator's `--print WHAT` for the source `pick` from
/// `repofile`'s source repos, over the testdata binaries (core: bash).
fn generator_print(repofile: &str, what: &str) -> String {
    let out = cmd(Tool::Generator)
        .args(["--arch", "x86_64", "-q", "--core", "bash"])
        .args([
            "--release-package",
            "",
            "--repo",
            "main=testdata/repos/x86_64",
        ])
        .args(["--repofile", repofile, "--print", what])
        .write_stdin("pick\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The libjpeg-turbo case of the audit: the newest source is fc, the eln
/// one (archful) is older. With the workflow's regex the eln one is cached
/// and judged archful, as buildroot-generator builds it; without, the
/// newest, as ever.
#[test]
fn the_matching_release_is_cached_and_judged() {
    let t = TestContext::new();
    let dir = eln_and_fc_repo(&t);
    let src = format!("src={}", dir.display());
    assert_eq!(
        identify(&t, &[&src], &[]),
        (String::new(), "pick=pick-3.1.0-1.fc42.src.rpm\n".into())
    );
    assert_eq!(
        identify(&t, &[&src], &["--prefer-release", r"eln\d+"]),
        ("pick\n".into(), "pick=pick-3.0.3-1.eln150.src.rpm\n".into())
    );
    // The other EVR of a listed name left the cache.
    let mut cached: Vec<String> = std::fs::read_dir(t.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".src.rpm"))
        .collect();
    cached.sort();
    assert_eq!(cached, ["pick-3.0.3-1.eln150.src.rpm"]);
    // No release matches: the newest, as without the option.
    assert_eq!(
        identify(&t, &[&src], &["--prefer-release", "el9"]),
        (String::new(), "pick=pick-3.1.0-1.fc42.src.rpm\n".into())
    );
}

/// The same NEVR in two repos of one priority: the repo dnf loads first
/// (lower cost) holds the source buildroot-generator builds, whatever the
/// order the repos were given in (first in the file, first by id); the
/// cache takes that one too, with the option or without. (The loaded repos
/// come in that order already; this keeps the two choices from drifting.)
#[test]
fn a_tie_goes_to_the_repo_the_generator_takes_it_from() {
    let t = TestContext::new();
    let (plain, archful) = (t.join("plain"), t.join("archful"));
    repo(&plain, &[srpm(&plain, "1.0", "1.eln1", false)]);
    repo(&archful, &[srpm(&archful, "1.0", "1.eln1", true)]);
    let repofile = t.join("tie.repo");
    std::fs::write(
        &repofile,
        format!(
            "[a-plain]\nbaseurl={}\ncost=2000\n\n[z-archful]\nbaseurl={}\ncost=1000\n",
            plain.display(),
            archful.display()
        ),
    )
    .unwrap();
    let repofile = repofile.to_string_lossy().into_owned();
    for prefer in [&[][..], &["--prefer-release", "eln"][..]] {
        let (archful_list, map) = identify(&t, &[&repofile], prefer);
        assert_eq!(map, "pick=pick-1.0-1.eln1.src.rpm\n");
        assert_eq!(archful_list, "pick\n", "{prefer:?}: not the cheaper repo's");
    }
    // buildroot-generator builds that repo's SRPM (its header asks for nasm).
    let installed = generator_print(&repofile, "binaries");
    assert!(
        installed.lines().any(|l| l.starts_with("nasm")),
        "{installed}"
    );
}

/// A repo's `exclude=` keeps a source from buildroot-generator (dnf applies
/// it to the whole sack, sources too): the cache does not take it either,
/// but the best of what is left.
#[test]
fn an_excluded_source_is_not_cached() {
    let t = TestContext::new();
    let dir = eln_and_fc_repo(&t);
    let repofile = t.join("src.repo");
    std::fs::write(
        &repofile,
        format!("[src]\nbaseurl={}\nexclude=pick-3.1*\n", dir.display()),
    )
    .unwrap();
    let repofile = repofile.to_string_lossy().into_owned();
    assert_eq!(
        identify(&t, &[&repofile], &[]),
        ("pick\n".into(), "pick=pick-3.0.3-1.eln150.src.rpm\n".into())
    );
    let built = generator_print(&repofile, "source-nvrs");
    assert!(built.lines().any(|l| l == "pick-3.0.3-1.eln150"), "{built}");
}

/// A cache holding two SRPMs of a name (runs with other options sharing
/// it): create-srpm-repos takes the one identify-archful-srpms would.
#[test]
fn create_srpm_repos_takes_the_matching_cached_srpm() {
    let t = TestContext::new();
    let cache = t.join("cache");
    srpm(&cache, "3.0.3", "1.eln150", true);
    srpm(&cache, "3.1.0", "1.fc42", false);
    std::fs::write(t.join("archful.txt"), "pick\n").unwrap();
    let run = |out: &str, extra: &[&str]| -> Vec<String> {
        let out = t.join(out);
        let o = cmd(Tool::CreateSrpmRepos)
            .args(["--arch", "aarch64", "-q", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(t.join("archful.txt"))
            .arg("--out")
            .arg(&out)
            .args(extra)
            .write_stdin("pick\n")
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".src.rpm"))
            .collect();
        files.sort();
        files
    };
    assert_eq!(run("newest", &[]), ["pick-3.1.0-1.fc42.src.rpm"]);
    let eln = run("eln", &["--prefer-release", r"eln\d+"]);
    assert_eq!(eln, ["pick-3.0.3-1.eln150.src.rpm"]);
    // Regenerated for aarch64: no nasm among its BuildRequires.
    let header = buildroot_core::srpm::read_header(&t.join("eln").join(&eln[0])).unwrap();
    let brs: Vec<String> = header.requires.iter().map(|r| r.dep.to_string()).collect();
    assert!(!brs.iter().any(|b| b.starts_with("nasm")), "{brs:?}");
}

/// A regex that does not compile: one line, exit 2, in every tool that
/// takes the option (the generator's is in `bad_input`).
#[test]
fn an_invalid_regex_is_one_line_in_the_archful_tools() {
    let t = TestContext::new();
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "src=testdata/repos/source", "--cache"])
        .arg(t.join("cache"))
        .args(["--prefer-release", r"eln(\d+"]);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        r"identify-archful-srpms: --prefer-release 'eln(\d+' is not a valid regex: error: unclosed group"
    );
    assert!(!t.join("cache").exists(), "a refused run wrote the cache");
    std::fs::create_dir(t.join("cache")).unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "--cache"])
        .arg(t.join("cache"))
        .args(["--archful", "/dev/null", "--out"])
        .arg(t.join("out"))
        .args(["--prefer-release", r"eln(\d+"]);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        r"create-srpm-repos: --prefer-release 'eln(\d+' is not a valid regex: error: unclosed group"
    );
}
