//! identify-archful-srpms and create-srpm-repos on the fixture distribution,
//! then a second buildroot-generator pass on the per-arch source repos.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use cli_tests::{cmd, srpm_cache_dir, srpm_names, Tool};

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

/// Runs identify-archful-srpms over the compose's sources; returns the cache dir.
fn identify(t: &Path) -> (PathBuf, String) {
    let cache = t.join("cache");
    let out = cmd(Tool::IdentifyArchful)
        .args([
            "--source-repo",
            "src=testdata/repos/source",
            "--arch",
            "x86_64",
            "--arch",
            "aarch64",
            "-q",
        ])
        .arg("--cache")
        .arg(&cache)
        .arg("--map")
        .arg(t.join("map.txt"))
        .arg("testdata/compose/sources.txt")
        .assert()
        .success();
    (cache, stdout(&out))
}

#[test]
fn archful_sources_are_found_by_evaluation() {
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = identify(t.path());
    // libjpeg-turbo's BuildRequires differ; zlib's %ifarch is only in %files.
    assert_eq!(archful, "libjpeg-turbo\n");
    let map = std::fs::read_to_string(t.path().join("map.txt")).unwrap();
    assert!(
        map.lines()
            .any(|l| l == "libjpeg-turbo=libjpeg-turbo-3.0.3-1.eln150.src.rpm"),
        "{map}"
    );
    assert!(cache.join("zlib-1.3.1-1.eln150.src.rpm").is_file());
    // A smaller list right after the full one keeps the full list's SRPMs
    // (its create-srpm-repos may not have run yet); with --keep-unlisted 0
    // it prunes the cache at once.
    let full = srpm_names(&cache);
    let smaller = |keep: &str| {
        cmd(Tool::IdentifyArchful)
            .args(["--source-repo", "src=testdata/repos/source", "-q"])
            .args(["--keep-unlisted", keep, "--cache"])
            .arg(&cache)
            .write_stdin("zlib\nno-such-source\n")
            .assert()
            .success()
            .stdout("");
    };
    smaller("72");
    assert_eq!(srpm_names(&cache), full);
    smaller("0");
    assert_eq!(srpm_names(&cache), vec!["zlib-1.3.1-1.eln150.src.rpm"]);
    // --json gives the per-arch BuildRequires.
    let out = cmd(Tool::IdentifyArchful)
        .args([
            "--source-repo",
            "src=testdata/repos/source",
            "-q",
            "--json",
            "--arch",
            "x86_64",
            "--arch",
            "s390x",
            "--cache",
        ])
        .arg(&cache)
        .write_stdin("libjpeg-turbo\n")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["archful"][0]["build_requires"]["s390x"],
        serde_json::json!(["gcc", "make", "zlib-devel"])
    );
    assert_eq!(
        v["archful"][0]["build_requires"]["x86_64"],
        serde_json::json!(["gcc", "make", "nasm"])
    );
}

fn requires(srpm: &Path) -> Option<Vec<String>> {
    let out = StdCommand::new("rpm")
        .args(["-qp", "--requires"])
        .arg(srpm)
        .output()
        .ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("rpmlib("))
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn per_arch_repos_and_second_pass() {
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = identify(t.path());
    let archful_file = t.path().join("archful.txt");
    std::fs::write(&archful_file, archful).unwrap();
    let repos = |arch: &str| t.path().join("repos").join(arch);
    // create-srpm-repos for `arch` over the cache, into `out`.
    let create = |arch: &str, out: PathBuf| {
        cmd(Tool::CreateSrpmRepos)
            .args(["--arch", arch, "-q", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(&archful_file)
            .arg("--out")
            .arg(out)
            .arg("testdata/compose/sources.txt")
            .assert()
            .success();
    };
    for arch in ["x86_64", "aarch64"] {
        create(arch, repos(arch));
    }
    let srpm = "libjpeg-turbo-3.0.3-1.eln150.src.rpm";
    if let Some(x) = requires(&repos("x86_64").join(srpm)) {
        assert_eq!(x, vec!["gcc", "make", "nasm"]);
        assert_eq!(
            requires(&repos("aarch64").join(srpm)).unwrap(),
            vec!["gcc", "make", "zlib-devel"]
        );
    } else {
        eprintln!("skipped rpm -qp checks: rpm is not installed");
    }
    // Non-archful SRPMs are hard links of the cache.
    use std::os::unix::fs::MetadataExt;
    let a = std::fs::metadata(cache.join("zlib-1.3.1-1.eln150.src.rpm")).unwrap();
    let b = std::fs::metadata(repos("aarch64").join("zlib-1.3.1-1.eln150.src.rpm")).unwrap();
    assert_eq!(a.ino(), b.ino());

    // Re-running changes nothing.
    let repomd = repos("aarch64").join("repodata/repomd.xml");
    let before = std::fs::read(&repomd).unwrap();
    let before_srpm = std::fs::read(repos("aarch64").join(srpm)).unwrap();
    create("aarch64", repos("aarch64"));
    assert_eq!(std::fs::read(&repomd).unwrap(), before);
    assert_eq!(
        std::fs::read(repos("aarch64").join(srpm)).unwrap(),
        before_srpm
    );

    // A fresh repo from the same cache, a second later, is the same repo to
    // the byte: a regenerated SRPM's file time (repodata's `time file`) is
    // its build time, not when it was written.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    create("aarch64", repos("aarch64-again"));
    for f in std::fs::read_dir(repos("aarch64").join("repodata")).unwrap() {
        let f = f.unwrap();
        let again = repos("aarch64-again").join("repodata").join(f.file_name());
        assert_eq!(
            std::fs::read(f.path()).unwrap(),
            std::fs::read(&again).unwrap(),
            "{again:?}"
        );
    }

    // createrepo_c accepts the repodata.
    if let Ok(o) = StdCommand::new("createrepo_c")
        .args(["--update", "-q"])
        .arg(repos("x86_64"))
        .output()
    {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    // Second pass: aarch64 builds libjpeg-turbo with zlib-devel, not nasm.
    let gen = |arch: &str| {
        let out = cmd(Tool::Generator)
            .args([
                "--arch",
                arch,
                "-q",
                "--json",
                "--repo",
                "m=testdata/repos/$basearch",
                "--source-repo",
            ])
            .arg(format!("src={}", repos(arch).display()))
            .arg("testdata/compose/sources.txt")
            .assert()
            .success();
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()
    };
    let aa = gen("aarch64");
    assert!(
        aa["errors"].get("libjpeg-turbo").is_none(),
        "{}",
        aa["errors"]
    );
    let x86 = gen("x86_64");
    assert!(x86["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "nasm"));
    assert!(!aa["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "nasm"));
}

#[test]
fn dnf_reads_the_generated_repo() {
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = identify(t.path());
    let f = t.path().join("archful.txt");
    std::fs::write(&f, archful).unwrap();
    let out = t.path().join("repo");
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "aarch64", "-q", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .write_stdin("libjpeg-turbo\nzlib\n")
        .assert()
        .success();
    let script = r#"
import sys, dnf, tempfile
b = dnf.Base()
b.conf.cachedir = tempfile.mkdtemp()
b.conf.reposdir = []
b.conf.substitutions['releasever'] = 'eln'
b.repos.add_new_repo('t', b.conf, baseurl=['file://' + sys.argv[1]])
b.fill_sack(load_system_repo=False)
for p in sorted(b.sack.query().filter(arch='src').run(), key=str):
    print(p, ' '.join(sorted(str(r) for r in p.requires)))
"#;
    match StdCommand::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
    {
        Ok(o) if o.status.success() => {
            let s = String::from_utf8_lossy(&o.stdout);
            assert!(
                s.contains("libjpeg-turbo-3.0.3-1.eln150.src gcc make zlib-devel"),
                "{s}"
            );
            assert!(s.contains("zlib-1.3.1-1.eln150.src"), "{s}");
        }
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            eprintln!("skipped: no python3-dnf");
            return;
        }
        Ok(o) => panic!("{}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            eprintln!("skipped: no /usr/bin/python3");
            return;
        }
    }
    // And dnf's own command line, as a user would ask it.
    let q = dnf_repoquery(&out, &["--requires", "libjpeg-turbo"]);
    assert_eq!(q, "gcc\nmake\nzlib-devel\n");
    let q = dnf_repoquery(&out, &["--qf", "%{name}-%{evr}.%{arch}"]);
    assert_eq!(
        q,
        "libjpeg-turbo-3.0.3-1.eln150.src\nzlib-1.3.1-1.eln150.src\n"
    );
}

/// `dnf repoquery --repofrompath` on `repo` (dnf's CLI from python3-dnf).
fn dnf_repoquery(repo: &Path, args: &[&str]) -> String {
    let cache = tempfile::tempdir().unwrap();
    let o = StdCommand::new("/usr/bin/python3")
        .arg("-c")
        .arg("import sys; from dnf.cli.main import user_main; user_main(sys.argv[1:], exit_code=True)")
        .args(["repoquery", "-q", "--disablerepo=*", "--releasever=eln", "--arch=src"])
        .arg(format!("--repofrompath=t,{}", repo.display()))
        .args(["--enablerepo=t", "--setopt=reposdir=/nonexistent"])
        .arg(format!("--setopt=cachedir={}", cache.path().display()))
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn bad_input_exits_2() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    srpm_cache_dir(&cache);
    std::fs::write(cache.join("bad-1-1.src.rpm"), b"not an rpm").unwrap();
    std::fs::write(t.path().join("archful.txt"), "bad\n").unwrap();
    let out = cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "x86_64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful.txt"))
        .arg("--out")
        .arg(t.path().join("out"))
        .write_stdin("bad\n")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("bad-1-1.src.rpm") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    cmd(Tool::CreateSrpmRepos)
        .args([
            "--arch",
            "vax",
            "--cache",
            "/x",
            "--archful",
            "/x",
            "--out",
            "/x",
        ])
        .assert()
        .code(2);
    cmd(Tool::IdentifyArchful)
        .args(["--cache"])
        .arg(&cache)
        .write_stdin("x\n")
        .assert()
        .code(2);
    cmd(Tool::IdentifyArchful)
        .args(["--source-repo", "s=/nonexistent", "--cache"])
        .arg(&cache)
        .write_stdin("x\n")
        .assert()
        .code(2);
}

#[test]
fn help_has_examples() {
    for t in [Tool::IdentifyArchful, Tool::CreateSrpmRepos] {
        let out = cmd(t).arg("--help").assert().success();
        let h = stdout(&out);
        assert!(
            h.contains("Examples:") && h.contains("Exit codes:"),
            "{t:?}"
        );
    }
}

#[test]
fn rpmbuild_regeneration() {
    if !have_rpmbuild() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = identify(t.path());
    let f = t.path().join("archful.txt");
    std::fs::write(&f, archful).unwrap();
    let out = t.path().join("repo");
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "s390x", "--rpmbuild", "-q", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .write_stdin("libjpeg-turbo\n")
        .assert()
        .success();
    let reqs = requires(&out.join("libjpeg-turbo-3.0.3-1.eln150.src.rpm")).unwrap();
    assert_eq!(reqs, vec!["gcc", "make", "zlib-devel"]);
}

/// Writes an SRPM of `spec_text` to `cache`, its header holding `brs` (the
/// BuildRequires "as built"); returns its path.
fn cached_srpm(cache: &Path, name: &str, release: &str, spec_text: &str, brs: &[&str]) -> PathBuf {
    srpm_cache_dir(cache);
    let s = buildroot_core::srpm::SrpmSpec {
        name: name.into(),
        version: "1.0".into(),
        release: release.into(),
        license: "MIT".into(),
        summary: name.into(),
        spec_name: format!("{name}.spec"),
        spec_text: spec_text.into(),
        build_requires: brs
            .iter()
            .map(|d| buildroot_core::dep::Dep::parse(d).unwrap())
            .collect(),
        build_time: 1_700_000_000,
        ..Default::default()
    };
    let p = cache.join(format!("{name}-1.0-{release}.src.rpm"));
    std::fs::write(&p, buildroot_core::srpm::build_srpm(&s).unwrap()).unwrap();
    p
}

fn spec_text(name: &str, release: &str, body: &str) -> String {
    format!("Name: {name}\nVersion: 1.0\nRelease: {release}\nSummary: s\nLicense: MIT\n{body}\n%description\nd\n")
}

#[test]
fn unevaluable_archful_specs_keep_the_built_srpm() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let arch_part = "%ifarch x86_64\nBuildRequires: nasm\n%endif";
    let cases = [
        (
            "pyd",
            "BuildRequires: %{py3_dist setuptools} pkgconfig(zlib)",
            "py3_dist",
        ),
        (
            "luad",
            "BuildRequires: %{lua: error('no answer')}",
            "lua script failed",
        ),
        (
            "exprd",
            "BuildRequires: dep-%[ %{undefined_thing} + 1 ]",
            "%[",
        ),
    ];
    let mut files = Vec::new();
    for (name, brs, _) in &cases {
        let text = spec_text(name, "1", &format!("{brs}\n{arch_part}"));
        files.push(cached_srpm(
            &cache,
            name,
            "1",
            &text,
            &["built-dep", "nasm"],
        ));
    }
    let names: String = cases.iter().map(|c| format!("{}\n", c.0)).collect();
    std::fs::write(t.path().join("archful.txt"), &names).unwrap();
    let out = t.path().join("repo");
    let run = cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "aarch64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful.txt"))
        .arg("--out")
        .arg(&out)
        .write_stdin(names.as_str())
        .assert()
        .success();
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    use std::os::unix::fs::MetadataExt;
    for ((name, _, problem), file) in cases.iter().zip(&files) {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("warning: {name}: kept")))
            .unwrap_or_else(|| panic!("no warning for {name}: {err}"));
        assert!(
            line.contains(&file.display().to_string()) && line.contains(problem),
            "{line}"
        );
        // The SRPM is the cached one, not one with guessed BuildRequires.
        let copy = out.join(file.file_name().unwrap());
        assert_eq!(
            std::fs::metadata(file).unwrap().ino(),
            std::fs::metadata(&copy).unwrap().ino()
        );
        if let Some(r) = requires(&copy) {
            assert_eq!(r, vec!["built-dep", "nasm"], "{name}");
        }
    }
    assert!(out.join("repodata/repomd.xml").is_file());
}

/// A fixture whose Release uses %{?dist} and whose BuildRequires use %{?eln}.
fn dist_fixture(cache: &Path) -> PathBuf {
    let body = "%if 0%{?eln}\nBuildRequires: eln-only\n%endif\n%ifarch x86_64\nBuildRequires: nasm\n%endif";
    let text = spec_text("c5", "1%{?dist}", body);
    cached_srpm(cache, "c5", "1.eln150", &text, &["eln-only", "nasm"])
}

fn header_field(srpm: &Path, tag: &str) -> String {
    let o = StdCommand::new("rpm")
        .args(["-qp", "--qf", tag])
        .arg(srpm)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn rpmbuild_gets_the_eln_macros_and_keeps_the_nevr() {
    if !have_rpmbuild() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let orig = dist_fixture(&cache);
    std::fs::write(t.path().join("archful.txt"), "c5\n").unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let mut c = cmd(Tool::CreateSrpmRepos);
        c.args(["--arch", "s390x", "--rpmbuild", "-q", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(t.path().join("archful.txt"))
            .arg("--out")
            .arg(out)
            .args(extra)
            .write_stdin("c5\n");
        c.assert()
    };
    let out = t.path().join("repo");
    run(&out, &[]).success();
    let srpm = out.join("c5-1.0-1.eln150.src.rpm");
    assert_eq!(
        header_field(&srpm, "%{name}-%{version}-%{release}"),
        "c5-1.0-1.eln150"
    );
    assert_eq!(requires(&srpm).unwrap(), vec!["eln-only"]);
    // A macro that changes the NEVR is an error naming the cached SRPM, and
    // the failed run leaves no repo behind.
    let bad = t.path().join("bad-repo");
    let a = run(&bad, &["--define", "dist .fc42"]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains(&orig.display().to_string()) && err.contains("c5-1.0-1.fc42"),
        "{err}"
    );
    assert!(
        !bad.exists(),
        "a failed run into a new directory leaves nothing"
    );
}

/// Whether rpmbuild is installed (says so on stderr when it is not).
fn have_rpmbuild() -> bool {
    let ok = StdCommand::new("rpmbuild")
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        eprintln!("skipped: rpmbuild is not installed");
    }
    ok
}

/// create-srpm-repos ARGS for `arch` over `cache`, archful names in `archful`.
fn create(
    cache: &Path,
    archful: &Path,
    out: &Path,
    arch: &str,
    extra: &[&str],
    names: &str,
) -> Command {
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args([
        "--arch",
        arch,
        "-q",
        "--repo",
        "bin=testdata/repos/$basearch",
        "--cache",
    ])
    .arg(cache)
    .arg("--archful")
    .arg(archful)
    .arg("--out")
    .arg(out)
    .args(extra)
    .write_stdin(names.to_string());
    c
}

#[test]
fn the_repos_macro_packages_reach_the_evaluator_and_rpmbuild() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let names = "simdcodec\npython-fastjson\n";
    let found = cmd(Tool::IdentifyArchful)
        .args([
            "--source-repo",
            "src=testdata/repos/source",
            "--repo",
            "bin=testdata/repos/$basearch",
            "--arch",
            "x86_64",
            "--arch",
            "aarch64",
            "-q",
            "--cache",
        ])
        .arg(&cache)
        .write_stdin(names)
        .assert()
        .success();
    assert_eq!(stdout(&found), "simdcodec\n");
    // python-fastjson is forced through regeneration too.
    let archful = t.path().join("archful.txt");
    std::fs::write(&archful, names).unwrap();
    // The evaluator: %asm_arches from eln-rpm-config drops nasm on aarch64.
    let out = t.path().join("eval");
    create(&cache, &archful, &out, "aarch64", &[], names)
        .assert()
        .success();
    if let Some(r) = requires(&out.join("simdcodec-0.4-1.eln150.src.rpm")) {
        assert_eq!(r, vec!["gcc", "make"]);
    }
    if !have_rpmbuild() {
        return;
    }
    // rpmbuild with the same macro files, Lua (%py3_dist) included.
    let out = t.path().join("rpmbuild");
    create(&cache, &archful, &out, "aarch64", &["--rpmbuild"], names)
        .assert()
        .success();
    assert_eq!(
        requires(&out.join("simdcodec-0.4-1.eln150.src.rpm")).unwrap(),
        vec!["gcc", "make"]
    );
    let mut py = requires(&out.join("python-fastjson-2.1-1.eln150.src.rpm")).unwrap();
    py.sort();
    assert_eq!(
        py,
        vec![
            "python3-devel",
            "python3dist(fast-json-speedups)",
            "python3dist(setuptools)"
        ]
    );
}

#[test]
fn rpmbuild_gets_the_repos_lua_dist() {
    if !have_rpmbuild() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    // Release: 1%{?dist}: eln-rpm-config's %dist runs its Lua module eln/dist.lua.
    dist_fixture(&cache);
    std::fs::write(t.path().join("archful.txt"), "c5\n").unwrap();
    let out = t.path().join("repo");
    create(
        &cache,
        &t.path().join("archful.txt"),
        &out,
        "aarch64",
        &["--rpmbuild"],
        "c5\n",
    )
    .assert()
    .success();
    let srpm = out.join("c5-1.0-1.eln150.src.rpm");
    assert_eq!(header_field(&srpm, "%{release}"), "1.eln150");
    assert_eq!(requires(&srpm).unwrap(), vec!["eln-only"]);
    // With %distprefix the Lua module puts it first: another NEVR, an error.
    create(
        &cache,
        &t.path().join("archful.txt"),
        &t.path().join("bad"),
        "aarch64",
        &["--rpmbuild", "--define", "distprefix .p"],
        "c5\n",
    )
    .assert()
    .code(2)
    .stderr(predicates::str::contains("c5-1.0-1.p.eln150"));
}

#[test]
fn a_macro_package_no_arch_reads_is_a_warning() {
    // --macro-package asks for a package in the buildroot whose macros read
    // the specs: under --no-repo-macros, or without binary repositories,
    // nothing installs it, and both tools said nothing of it.
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let warnings = |out: &std::process::Output| -> Vec<String> {
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.contains("--macro-package"))
            .map(str::to_string)
            .collect()
    };
    let identify = |extra: &[&str]| {
        cmd(Tool::IdentifyArchful)
            .args([
                "--source-repo",
                "src=testdata/repos/source",
                "--arch",
                "x86_64",
            ])
            .args(["--macro-package", "python3-rpm-macros", "--cache"])
            .arg(&cache)
            .args(extra)
            .arg("testdata/compose/sources.txt")
            .output()
            .unwrap()
    };
    let tail = "the specs are read with the built-in ELN macros, --macros and --define";
    assert_eq!(
        warnings(&identify(&["--no-repo-macros"])),
        [format!(
            "identify-archful-srpms: warning: --macro-package python3-rpm-macros: not used: \
             --no-repo-macros reads no macro packages; {tail}"
        )]
    );
    assert_eq!(
        warnings(&identify(&[])),
        [format!(
            "identify-archful-srpms: warning: --macro-package python3-rpm-macros: not used: no \
             arch's macros come from the binary repositories (see the notes); {tail}"
        )]
    );
    // With the binary repos it is installed, and no warning says otherwise.
    assert!(warnings(&identify(&["--repo", "bin=testdata/repos/$basearch"])).is_empty());
    // create-srpm-repos reads the same options.
    let archful = t.path().join("archful.txt");
    std::fs::write(&archful, "").unwrap();
    let out = cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "x86_64", "--no-repo-macros", "--cache"])
        .arg(&cache)
        .args(["--macro-package", "python3-rpm-macros", "--archful"])
        .arg(&archful)
        .arg("--out")
        .arg(t.path().join("repo"))
        .arg("testdata/compose/sources.txt")
        .output()
        .unwrap();
    assert_eq!(
        warnings(&out),
        [format!(
            "create-srpm-repos: warning: --macro-package python3-rpm-macros: not used: \
             --no-repo-macros reads no macro packages; {tail}"
        )]
    );
}
