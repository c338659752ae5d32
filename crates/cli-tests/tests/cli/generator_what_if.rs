//! buildroot-generator --srpm and --spec: a packager's what-if ("what would
//! the buildroot be if this package's BuildRequires changed?") on the
//! fixture distribution. A local SRPM, or a spec evaluated for the arch,
//! stands in for the repos' source of its name, as `dnf builddep
//! ./foo.src.rpm` takes the file given, and leaves every other answer as it
//! was.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use buildroot_core::dep::Dep;
use buildroot_core::srpm::{build_srpm, SrpmSpec};
use cli_tests::{cmd, expect_error, file_named, root, TestContext, Tool, FIXTURE_X86_64};

/// buildroot-generator on the fixture repos for `arch`, with its own cache
/// directory (the macro packages --spec extracts, the pools).
fn gen_on(arch: &str, cache: &Path) -> Command {
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", arch, "--repo", "main=testdata/repos/$basearch"])
        .args(["--source-repo", "src=testdata/repos/source", "--cache-dir"])
        .arg(cache);
    c
}

/// x86_64, the default cache.
fn gen() -> Command {
    let mut c = cmd(Tool::Generator);
    c.args(FIXTURE_X86_64);
    c
}

/// `c` with `option FILE` and `args`.
fn run_c(mut c: Command, option: &str, file: &Path, args: &[&str]) -> Command {
    c.arg(option).arg(file).args(args);
    c
}

/// Runs `c` with `option FILE` and `args`, `stdin` as the input.
fn run(c: Command, option: &str, file: &Path, args: &[&str], stdin: &str) -> Output {
    run_c(c, option, file, args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap()
}

/// Writes NAME-VERSION-RELEASE.src.rpm with these BuildRequires into `dir`.
fn srpm(dir: &Path, nvr: (&str, &str, &str), build_requires: &[&str]) -> PathBuf {
    let (name, version, release) = nvr;
    let spec = SrpmSpec {
        name: name.into(),
        version: version.into(),
        release: release.into(),
        license: "MIT".into(),
        summary: "what-if".into(),
        spec_name: format!("{name}.spec"),
        spec_text: format!("Name: {name}\nVersion: {version}\nRelease: {release}\n"),
        build_requires: build_requires
            .iter()
            .map(|d| Dep::parse(d).unwrap())
            .collect(),
        host_arch: "x86_64".into(),
        build_time: 1,
        ..Default::default()
    };
    let path = dir.join(format!("{name}-{version}-{release}.src.rpm"));
    std::fs::write(&path, build_srpm(&spec).unwrap()).unwrap();
    path
}

/// hello-2.12-0.src.rpm: an older EVR than the repo's hello, whose
/// BuildRequires drop libjpeg-turbo-devel and name a path only
/// filelists.xml has, which no dependency of the repos names.
fn edited_hello(dir: &Path) -> PathBuf {
    srpm(
        dir,
        ("hello", "2.12", "0"),
        &["gcc", "make", "/usr/lib/compat32/README"],
    )
}

fn stdout_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_local_srpm_stands_in_for_the_repos_source() {
    let t = TestContext::new();
    // An older EVR than the repo's hello-2.12.1-1.eln150, and --prefer-release
    // matching the repo's: the file given still wins.
    let file = edited_hello(t.path());
    let out = run(
        gen(),
        "--srpm",
        &file,
        &["--prefer-release", "eln150", "--print", "binaries"],
        "hello\n",
    );
    assert!(out.status.success(), "{out:?}");
    let binaries = stdout_lines(&out);
    assert!(binaries.contains(&"compat-32".to_string()), "{binaries:?}");
    assert!(
        !binaries.iter().any(|b| b.starts_with("libjpeg")),
        "{binaries:?}"
    );
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stderr,
        "buildroot-generator: note: --srpm [TMP]/hello-2.12-0.src.rpm stands in for \
         hello-2.12.1-1.eln150.src (src)\n"
    );
    let nvrs = run(
        gen(),
        "--srpm",
        &file,
        &["--print", "source-nvrs", "-q"],
        "hello\n",
    );
    let nvrs = stdout_lines(&nvrs);
    assert!(nvrs.contains(&"hello-2.12-0".to_string()), "{nvrs:?}");
    assert!(
        !nvrs.iter().any(|n| n.starts_with("hello-2.12.1")),
        "{nvrs:?}"
    );
    // --why follows the new BuildRequires.
    let why = run(
        gen(),
        "--srpm",
        &file,
        &["--why", "compat-32", "-q"],
        "hello\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&why.stdout),
        "compat-32 <- BuildRequires '/usr/lib/compat32/README' of hello, given as \
         hello-2.12-0.src.rpm (input)\n"
    );
}

#[test]
fn the_repos_own_srpm_changes_nothing() {
    // Packages given as files join the pool after every repo, as in dnf:
    // the repos' ids and every tie-break stay, so the whole fixture
    // distribution's answer is byte for byte the same.
    let t = TestContext::new();
    let pools = t.path().join("pools");
    let srpm = file_named(&root().join("testdata/repos/source"), |n| {
        n.starts_with("hello-")
    });
    let args = ["--json", "-q", "testdata/compose/sources.txt"];
    let with = run(gen_on("x86_64", t.path()), "--srpm", &srpm, &args, "");
    // The pool cache stands for repos only: such a pool is not kept.
    assert!(!pools.exists() || std::fs::read_dir(&pools).unwrap().next().is_none());
    let plain = gen_on("x86_64", t.path()).args(args).output().unwrap();
    assert!(plain.status.success() && with.status.success());
    assert!(!plain.stdout.is_empty());
    assert_eq!(plain.stdout, with.stdout);
    assert_eq!(std::fs::read_dir(&pools).unwrap().count(), 1);
}

#[test]
fn a_new_package_and_one_the_run_never_reaches() {
    let t = TestContext::new();
    // A name no repository has: built like any source.
    let new = srpm(t.path(), ("brand-new", "1", "1"), &["nasm"]);
    let out = run(
        gen(),
        "--srpm",
        &new,
        &["--print", "sources", "-q"],
        "brand-new\n",
    );
    assert!(out.status.success(), "{out:?}");
    assert!(stdout_lines(&out).contains(&"brand-new".to_string()));
    // Not in the input and not reached: said, not silently ignored.
    let out = run(gen(), "--srpm", &new, &[], "zlib\n");
    assert!(out.status.success());
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stderr,
        "buildroot-generator: warning: --srpm [TMP]/brand-new-1-1.src.rpm: brand-new is not \
         among the run's sources, so it changed nothing (list brand-new in the input)\n"
    );
}

#[test]
fn the_path_of_a_given_file_as_an_input_line_is_its_package() {
    // A packager lists the file they give (`--spec brand-new.spec` with
    // `brand-new.spec` in the input): its package, not a NoSource name
    // holding a '/' (refused), nor the same as a line that is no given file.
    let t = TestContext::new();
    let spec = t.path().join("brand-new.spec");
    std::fs::write(
        &spec,
        "Name: brand-new\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
         BuildRequires: nasm\n%description\nd\n%files\n",
    )
    .unwrap();
    let renamed = t.path().join("renamed.src.rpm");
    std::fs::rename(srpm(t.path(), ("other-new", "1", "1"), &["gcc"]), &renamed).unwrap();
    for (option, file, name) in [
        ("--spec", &spec, "brand-new"),
        ("--srpm", &renamed, "other-new"),
    ] {
        let line = format!("{}\n", file.display());
        let out = run(gen(), option, file, &["--print", "sources", "-q"], &line);
        assert!(out.status.success(), "{option}: {out:?}");
        let sources = stdout_lines(&out);
        assert!(sources.contains(&name.to_string()), "{option}: {sources:?}");
        assert!(out.stderr.is_empty(), "{option}: {out:?}");
        // The same path, through another directory name.
        let dotted = file
            .parent()
            .unwrap()
            .join(".")
            .join(file.file_name().unwrap());
        let out = run(
            gen(),
            option,
            file,
            &["--print", "sources", "-q"],
            &format!("{}\n", dotted.display()),
        );
        assert!(
            stdout_lines(&out).contains(&name.to_string()),
            "{option}: {out:?}"
        );
    }
    // A path that is no given file is still refused.
    let mut c = gen();
    c.arg("--spec").arg(&spec);
    assert_eq!(
        expect_error(&t, c, &format!("{}\n", renamed.display())),
        "buildroot-generator: <stdin>: '[TMP]/renamed.src.rpm' is not a package name: no \
         package name holds '/' (a spec or SRPM file is given as --spec/--srpm FILE)"
    );
}

#[test]
fn why_names_a_build_that_failed_twice_over_a_package_once() {
    // torn's BuildRequires curl and curl-minimal conflict (BadDeps), and its
    // 'curl-minimal >= 99' matches nothing (NoInstall): both wanted
    // curl-minimal. The sentence names the build once; the JSON keeps an
    // entry per error.
    let t = TestContext::new();
    let torn = srpm(
        t.path(),
        ("torn", "1", "1"),
        &["curl", "curl-minimal", "curl-minimal >= 99"],
    );
    let out = run(
        gen(),
        "--srpm",
        &torn,
        &["--why", "curl-minimal", "-q"],
        "torn\n",
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: 'curl-minimal' is not in the x86_64 buildroot: the build of torn \
         wanted it but failed (BadDeps: package curl-8.9.1-1.eln150.x86_64 conflicts with \
         curl-minimal provided by curl-minimal-8.9.1-1.eln150.x86_64)\n"
    );
    let out = run(
        gen(),
        "--srpm",
        &torn,
        &["--why", "curl-minimal", "--json", "-q"],
        "torn\n",
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&str> = v["failed_builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["error"].as_str().unwrap())
        .collect();
    assert_eq!(errors, ["BadDeps", "NoInstall"], "{v}");
}

#[test]
fn refusals() {
    let t = TestContext::new();
    let a = srpm(t.path(), ("hello", "1", "1"), &["gcc"]);
    let b = srpm(t.path(), ("hello", "2", "1"), &["gcc"]);
    let mut c = gen();
    c.arg("--srpm").arg(&a).arg("--srpm").arg(&b);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: --srpm [TMP]/hello-1-1.src.rpm and --srpm [TMP]/hello-2-1.src.rpm \
         are both source package hello: give one"
    );
    let binary = file_named(&root().join("testdata/repos/x86_64/Packages"), |n| {
        n.ends_with(".rpm")
    });
    let mut c = gen();
    c.arg("--srpm").arg(&binary);
    let line = expect_error(&t, c, "hello\n");
    assert!(
        line.contains("not a source package (its arch is ") && line.ends_with("give a .src.rpm"),
        "{line}"
    );
    let mut c = gen();
    c.arg("--srpm").arg(t.path().join("missing.src.rpm"));
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: [TMP]/missing.src.rpm: no such file"
    );
}

/// A spec of hello: nasm on x86_64 only, a BuildRequires from the repos'
/// %dist, and `extra` lines.
fn hello_spec(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("hello.spec");
    let text = format!(
        "Name: hello\nVersion: 2.12.1\nRelease: 3%{{?dist}}\nSummary: s\nLicense: MIT\n\
         BuildRequires: gcc make\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n\
         BuildRequires: %{{?dist:docbook-style-xsl}}\n{extra}%description\nd\n%files\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A --macro-package no package matches is said, as identify-archful-srpms
/// says it: the spec was read without the macros it was meant to bring.
#[test]
fn a_macro_package_that_matches_nothing_is_a_warning() {
    let t = TestContext::new();
    let spec = hello_spec(t.path(), "");
    let cache = t.path().join("cache");
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &["--macro-package", "pyhton3-rpm-macros", "--builds-only"],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let want = "buildroot-generator: warning: --macro-package pyhton3-rpm-macros matches no \
                package of the binary repositories (x86_64)";
    assert_eq!(err.lines().filter(|l| *l == want).count(), 1, "{err}");
    // One that exists is no warning.
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &["--macro-package", "python3-rpm-macros", "--builds-only"],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("matches no package"), "{err}");
}

#[test]
fn a_spec_is_evaluated_for_the_arch_with_the_repos_macros() {
    let t = TestContext::new();
    let spec = hello_spec(t.path(), "");
    let cache = t.path().join("cache");
    for (arch, nasm) in [("x86_64", true), ("aarch64", false)] {
        let out = run(
            gen_on(arch, &cache),
            "--spec",
            &spec,
            &["--why", "docbook-style-xsl", "-q"],
            "hello\n",
        );
        // %dist comes from the repos' eln-rpm-config: the conditional
        // BuildRequires is there.
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "docbook-style-xsl <- BuildRequires 'docbook-style-xsl' of hello, given as hello.spec \
             (input)\n",
            "{arch}"
        );
        let out = run(
            gen_on(arch, &cache),
            "--spec",
            &spec,
            &["--print", "source-nvrs"],
            "hello\n",
        );
        assert!(out.status.success(), "{out:?}");
        let nvrs = stdout_lines(&out);
        assert!(
            nvrs.contains(&"hello-2.12.1-3.eln150".to_string()),
            "{nvrs:?}"
        );
        let why = run(
            gen_on(arch, &cache),
            "--spec",
            &spec,
            &["--why", "nasm", "-q", "--json"],
            "hello\n",
        );
        let doc: serde_json::Value = serde_json::from_slice(&why.stdout).unwrap();
        assert_eq!(doc["chain"].is_array(), nasm, "{arch}: {doc}");
        let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
        assert!(
            stderr.contains(&format!(
                "note: --spec: {arch}: macros of 3 package(s) from the binary repositories: \
                 eln-rpm-config-11.0-1.eln150.noarch"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains(
                "note: --spec [TMP]/hello.spec stands in for hello-2.12.1-1.eln150.src (src)"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn what_a_spec_cannot_say_before_the_build_is_a_warning() {
    let t = TestContext::new();
    let spec = hello_spec(
        t.path(),
        "ExclusiveArch: aarch64\n%generate_buildrequires\necho foo\n",
    );
    let cache = t.path().join("cache");
    let out = run(gen_on("x86_64", &cache), "--spec", &spec, &[], "hello\n");
    assert!(out.status.success(), "{out:?}");
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    for want in [
        "warning: --spec [TMP]/hello.spec: hello generates BuildRequires at build time \
         (%generate_buildrequires): only its static ones are used",
        "warning: --spec [TMP]/hello.spec: ExclusiveArch/ExcludeArch keep hello from building \
         on x86_64",
    ] {
        assert!(stderr.contains(want), "{want}\n{stderr}");
    }
}

/// An SRPM of such a spec says it too (its header requires
/// `rpmlib(DynamicBuildRequires)`); it said nothing until the user audit.
#[test]
fn an_srpm_with_generated_build_requires_is_a_warning() {
    let t = TestContext::new();
    let plain = srpm(t.path(), ("hello", "2.12", "0"), &["gcc"]);
    let dynamic = t.path().join("dyn");
    std::fs::create_dir(&dynamic).unwrap();
    let spec = SrpmSpec {
        name: "hello".into(),
        version: "2.12".into(),
        release: "0".into(),
        license: "MIT".into(),
        summary: "what-if".into(),
        spec_name: "hello.spec".into(),
        spec_text: "Name: hello\n%generate_buildrequires\necho foo\n".into(),
        build_requires: vec![Dep::parse("gcc").unwrap()],
        dynamic_build_requires: true,
        host_arch: "x86_64".into(),
        build_time: 1,
        ..Default::default()
    };
    let path = dynamic.join("hello-2.12-0.src.rpm");
    std::fs::write(&path, build_srpm(&spec).unwrap()).unwrap();
    let cache = t.path().join("cache");
    let warning = "hello generates BuildRequires at build time (%generate_buildrequires): only \
                   its static ones are used";
    let out = run(gen_on("x86_64", &cache), "--srpm", &path, &[], "hello\n");
    assert!(out.status.success(), "{out:?}");
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        stderr.contains(&format!(
            "warning: --srpm [TMP]/dyn/hello-2.12-0.src.rpm: {warning}"
        )),
        "{stderr}"
    );
    let out = run(gen_on("x86_64", &cache), "--srpm", &plain, &[], "hello\n");
    assert!(out.status.success(), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("generates BuildRequires"));
}

#[test]
fn spec_macro_options_without_a_spec_are_refused_by_name() {
    // They make the macros --spec files are read with: without one they
    // change nothing (clap's "required argument --spec" read as if every
    // run needed a spec); an SRPM's BuildRequires are its header's.
    let t = TestContext::new();
    for (args, want) in [
        (
            &["--macro-package", "python3-rpm-macros"][..],
            "--macro-package python3-rpm-macros: only read with --spec FILE, for the spec's \
             macros, and no --spec is given",
        ),
        (
            &["--define", "dist .el10"][..],
            "--define 'dist .el10': only read with --spec FILE, for the spec's macros, and no \
             --spec is given",
        ),
        (
            &["--macros", "macros.x"][..],
            "--macros macros.x: only read with --spec FILE, for the spec's macros, and no \
             --spec is given",
        ),
        (
            &["--no-repo-macros", "--srpm", "x.src.rpm"][..],
            "--no-repo-macros: only read with --spec FILE, for the spec's macros, and no --spec \
             is given (an --srpm's BuildRequires are its header's, which no macro changes)",
        ),
        (
            &["--trust-specs"][..],
            "--trust-specs: only read with --spec FILE, for the spec's %(...) shell code, and no \
             --spec is given",
        ),
        (
            &["--trust-specs", "--srpm", "x.src.rpm"][..],
            "--trust-specs: only read with --spec FILE, for the spec's %(...) shell code, and no \
             --spec is given (an --srpm's BuildRequires are its header's, which no shell code \
             changes)",
        ),
    ] {
        let mut c = gen();
        c.args(args);
        assert_eq!(
            expect_error(&t, c, "hello\n"),
            format!("buildroot-generator: {want}"),
            "{args:?}"
        );
    }
}

#[test]
fn a_macro_package_no_macros_are_read_from_is_a_warning() {
    // --no-repo-macros reads no macro package: one asked for is named.
    let t = TestContext::new();
    let spec = hello_spec(t.path(), "");
    let cache = t.path().join("cache");
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &[
            "--no-repo-macros",
            "--macro-package",
            "python3-rpm-macros",
            "--builds-only",
        ],
        "",
    );
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let want = "buildroot-generator: warning: --macro-package python3-rpm-macros: not used: \
                --no-repo-macros reads no macro packages; the specs are read with the built-in \
                ELN macros, --macros and --define";
    assert_eq!(err.lines().filter(|l| *l == want).count(), 1, "{err}");
}

#[test]
fn spec_refusals() {
    let t = TestContext::new();
    let spec = hello_spec(t.path(), "");
    let cache = t.path().join("cache");
    let mut c = gen_on("x86_64", &cache);
    c.arg("--srpm").arg(&spec);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: --srpm [TMP]/hello.spec: a spec file: give it as --spec"
    );
    let file = srpm(t.path(), ("hello", "1", "1"), &["gcc"]);
    let mut c = gen_on("x86_64", &cache);
    c.arg("--srpm").arg(&file).arg("--spec").arg(&spec);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: --srpm [TMP]/hello-1-1.src.rpm and --spec [TMP]/hello.spec are \
         both source package hello: give one"
    );
    let bad = t.path().join("bad.spec");
    std::fs::write(&bad, "Name: bad\nVersion: 1\n%if 1\n").unwrap();
    let mut c = gen_on("x86_64", &cache);
    c.arg("--spec").arg(&bad);
    assert_eq!(
        expect_error(&t, c, "bad\n"),
        "buildroot-generator: --spec [TMP]/bad.spec: spec: line 3: Unclosed %if (no %endif)"
    );
}

#[test]
fn compare_prints_what_the_given_files_change() {
    let t = TestContext::new();
    let file = edited_hello(t.path());
    let out = run(gen(), "--srpm", &file, &["--compare"], "hello\n");
    assert!(out.status.success(), "{out:?}");
    // Sorted by name, whatever the sign.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "+compat-32\n-libjpeg-turbo\n-libjpeg-turbo-devel\n-nasm\n"
    );
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        stderr.ends_with(
            "buildroot-generator: note: --compare: hello's own build: +compat-32 -libjpeg-turbo \
             -libjpeg-turbo-devel\n\
             buildroot-generator: note: --compare: 49 binaries without the given files, 47 with \
             them (1 in, 3 out)\n"
        ),
        "{stderr}"
    );
    let out = run(
        gen(),
        "--srpm",
        &file,
        &["--compare", "--print", "source-nvrs", "-q"],
        "hello\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "+compat-32-1.0-1.eln150\n+hello-2.12-0\n-hello-2.12.1-1.eln150\n\
         -libjpeg-turbo-3.0.3-1.eln150\n-nasm-2.16.03-1.eln150\n"
    );
    let mut c = gen();
    c.arg("--compare");
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: --compare compares the answer with and without --srpm/--spec \
         files: give one"
    );
}

#[test]
fn compare_keeps_what_fails_under_quiet() {
    // A typo'd BuildRequires: -q hides the notes, not why the exit code is 1.
    let t = TestContext::new();
    let file = srpm(
        t.path(),
        ("hello", "2.12", "0"),
        &["gcc", "make", "libjpeg-turbo-devle"],
    );
    let out = run(gen(), "--srpm", &file, &["--compare", "-q"], "hello\n");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "-libjpeg-turbo\n-libjpeg-turbo-devel\n-nasm\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: warning: --compare: hello now fails: NoInstall: nothing provides \
         'libjpeg-turbo-devle'\n"
    );
}

/// The fixture's libjpeg-turbo spec, as its SRPM holds it: nasm on x86_64,
/// zlib-devel elsewhere.
fn libjpeg_turbo_spec(dir: &Path) -> PathBuf {
    let srpm = root().join("testdata/repos/source/libjpeg-turbo-3.0.3-1.eln150.src.rpm");
    let spec = buildroot_core::srpm::extract_spec(&srpm).unwrap();
    let path = dir.join("libjpeg-turbo.spec");
    std::fs::write(&path, &spec.text).unwrap();
    path
}

#[test]
fn compare_on_another_arch_says_the_baseline_is_the_srpm_arch() {
    let t = TestContext::new();
    let spec = libjpeg_turbo_spec(t.path());
    let cache = t.path().join("cache");
    let note = "buildroot-generator: note: --compare: the repos' libjpeg-turbo holds the \
                BuildRequires of the arch its SRPM was made on; the spec's differ per arch \
                (aarch64 only: zlib-devel; x86_64 only: nasm), so part of the difference is the \
                arch's, not the edit: compare against the per-arch source repo of steps 5-7 for \
                an exact baseline\n";
    // The unedited spec on aarch64: the SRPM's header is x86_64's.
    let out = run(
        gen_on("aarch64", &cache),
        "--spec",
        &spec,
        &["--compare"],
        "hello\n",
    );
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(note), "{stderr}");
    assert!(
        stderr.contains("--compare: libjpeg-turbo's own build: +zlib +zlib-devel"),
        "{stderr}"
    );
    // Notes obey -q; what the change fixes is the answer and stays.
    let out = run(
        gen_on("aarch64", &cache),
        "--spec",
        &spec,
        &["--compare", "-q"],
        "hello\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: note: --compare: libjpeg-turbo fixed: NoInstall: nothing provides \
         'nasm'\n"
    );
    // On x86_64 the baseline is exact: nothing changes, nothing to say.
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &["--compare"],
        "hello\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("per arch"), "{stderr}");
    assert!(
        stderr.contains("--compare: libjpeg-turbo's own build: unchanged"),
        "{stderr}"
    );
    // A per-arch source repo (steps 5-7) holds aarch64's BuildRequires: exact again.
    let repo = t.path().join("srpms-aarch64");
    std::fs::create_dir(&repo).unwrap();
    let file = srpm(
        &repo,
        ("libjpeg-turbo", "3.0.3", "1.eln150"),
        &["gcc", "make", "zlib-devel"],
    );
    let mut header = buildroot_core::srpm::read_header(&file).unwrap();
    header.location = file.file_name().unwrap().to_string_lossy().into_owned();
    buildroot_core::repodata::write_repodata(&repo, &[header], &Default::default()).unwrap();
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        "aarch64",
        "--repo",
        "main=testdata/repos/$basearch",
    ])
    .arg("--source-repo")
    .arg(format!("perarch={}", repo.display()))
    .args(["--source-repo", "src=testdata/repos/source", "--cache-dir"])
    .arg(&cache);
    let out = run(c, "--spec", &spec, &["--compare"], "hello\n");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("per arch"), "{stderr}");
    assert!(
        stderr.contains("--compare: libjpeg-turbo's own build: unchanged"),
        "{stderr}"
    );
}

#[test]
fn given_files_do_not_make_a_source_repository() {
    let t = TestContext::new();
    let file = srpm(t.path(), ("hello", "2.12.1", "9"), &["gcc"]);
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "main=testdata/repos/x86_64",
        "--srpm",
    ])
    .arg(&file);
    assert_eq!(
        expect_error(&t, c, "hello\n"),
        "buildroot-generator: the repositories (main) hold no source package: give \
         --source-repo ID=URL (or a --repofile with source repos); for the core buildroot \
         alone, give an empty input"
    );
}

#[test]
fn a_spec_is_read_before_the_macro_packages_and_warned_about_once() {
    let t = TestContext::new();
    let cache = t.path().join("cache");
    // A repo dnf would skip: its warning comes once, from the run's load,
    // and never before a failed run's one line.
    let repofile = t.path().join("with-gone.repo");
    let fixture = std::fs::read_to_string(root().join("testdata/fixture.repo")).unwrap();
    std::fs::write(
        &repofile,
        format!("{fixture}\n[gone]\nbaseurl=file:///nonexistent/repo\nskip_if_unavailable=1\n"),
    )
    .unwrap();
    let run_with = |option: &str, file: &Path| {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repofile"])
            .arg(&repofile)
            .arg("--cache-dir")
            .arg(&cache)
            .arg(option)
            .arg(file);
        c
    };
    let not_utf8 = t.path().join("latin1.spec");
    std::fs::write(&not_utf8, b"Name: caf\xe9\n").unwrap();
    assert_eq!(
        expect_error(&t, run_with("--spec", &not_utf8), "hello\n"),
        "buildroot-generator: --spec [TMP]/latin1.spec: the spec is not UTF-8"
    );
    assert_eq!(
        expect_error(
            &t,
            run_with("--spec", &t.path().join("none.spec")),
            "hello\n"
        ),
        "buildroot-generator: --spec [TMP]/none.spec: no such file"
    );
    let rpm = srpm(t.path(), ("hello", "1", "1"), &["gcc"]);
    assert_eq!(
        expect_error(&t, run_with("--spec", &rpm), "hello\n"),
        "buildroot-generator: --spec [TMP]/hello-1-1.src.rpm: an RPM file: give an SRPM as --srpm"
    );
    assert_eq!(
        expect_error(&t, run_with("--srpm", t.path()), "hello\n"),
        "buildroot-generator: --srpm [TMP]: a directory: give a .src.rpm file"
    );
    // `-`: stdin is the list, not the file (it said "-: no such file").
    for (option, what) in [("--srpm", "a .src.rpm file"), ("--spec", "a spec file")] {
        assert_eq!(
            expect_error(&t, run_with(option, Path::new("-")), "hello\n"),
            format!(
                "buildroot-generator: {option} -: not read from stdin (stdin is the list): give \
                 {what} (./- names one called '-')"
            )
        );
    }
    let spec = hello_spec(t.path(), "");
    let out = run_with("--spec", &spec)
        .arg("--spec")
        .arg(&spec) // the same file twice is the file once
        .args(["--define", "dist .what.if"])
        .args(["--print", "source-nvrs"])
        .write_stdin("hello\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(stdout_lines(&out).contains(&"hello-2.12.1-3.what.if".to_string()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("repo 'gone' skipped").count(), 1, "{stderr}");
}

#[test]
fn compare_as_json_gives_every_list() {
    let t = TestContext::new();
    let file = srpm(t.path(), ("hello", "2.12", "0"), &["gcc", "make"]);
    let out = run(
        gen(),
        "--srpm",
        &file,
        &["--compare", "--json", "-q"],
        "hello\n",
    );
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let given = format!("--srpm {}", file.display());
    assert_eq!(
        doc,
        serde_json::json!({
            "arch": "x86_64",
            "given": [given],
            "binaries": {"left": ["libjpeg-turbo", "libjpeg-turbo-devel", "nasm"], "entered": []},
            "sources": {"left": ["libjpeg-turbo", "nasm"], "entered": []},
            "binary_nvrs": {
                "left": [
                    "libjpeg-turbo-3.0.3-1.eln150",
                    "libjpeg-turbo-devel-3.0.3-1.eln150",
                    "nasm-2.16.03-1.eln150"
                ],
                "entered": []
            },
            "source_nvrs": {
                "left": ["hello-2.12.1-1.eln150", "libjpeg-turbo-3.0.3-1.eln150", "nasm-2.16.03-1.eln150"],
                "entered": ["hello-2.12-0"]
            },
            "own": {"hello": {"left": ["libjpeg-turbo", "libjpeg-turbo-devel"], "entered": []}},
            "errors": {"left": {}, "entered": {}}
        })
    );
    // The keys in the documented order (section 10b).
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |k: &str| text.find(&format!("\n  \"{k}\"")).unwrap();
    let keys = [
        "arch",
        "given",
        "binaries",
        "sources",
        "binary_nvrs",
        "source_nvrs",
        "own",
        "errors",
    ];
    assert!(keys.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
}

#[test]
fn compare_names_the_failures_a_change_brings() {
    let t = TestContext::new();
    // curl and curl-minimal conflict: hello cannot be built any more. Its
    // buildroot shrinks, which must not read as a win.
    let file = srpm(
        t.path(),
        ("hello", "2.12", "0"),
        &["gcc", "curl", "curl-minimal"],
    );
    let out = run(gen(), "--srpm", &file, &["--compare"], "hello\n");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("buildroot-generator: warning: --compare: hello now fails: BadDeps: "),
        "{stderr}"
    );
    let out = run(
        gen(),
        "--srpm",
        &file,
        &["--compare", "--json", "-q"],
        "hello\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["errors"]["entered"]["hello"]["bad_deps"].is_array(),
        "{doc}"
    );
    assert_eq!(doc["errors"]["left"], serde_json::json!({}));
    // A BuildRequires nothing provides: a new NoInstall.
    let missing = srpm(t.path(), ("nasm", "9", "9"), &["no-such-devel"]);
    let out = run(
        gen(),
        "--srpm",
        &missing,
        &["--compare", "--json"],
        "nasm\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["errors"]["entered"],
        serde_json::json!({"nasm": {"no_install": ["no-such-devel"]}})
    );
}

#[test]
fn macros_the_repos_lack_are_said_and_can_be_given() {
    let t = TestContext::new();
    let cache = t.path().join("cache");
    let spec = hello_spec(t.path(), "BuildRequires: %{cmake_bin}\n");
    let line = expect_error(
        &t,
        run_c(gen_on("x86_64", &cache), "--spec", &spec, &[]),
        "hello\n",
    );
    assert!(
        line.ends_with(
            "(a macro the buildroot's macro packages do not define? --define 'NAME VALUE', \
             --macro-package NAME or --macros FILE supply it)"
        ),
        "{line}"
    );
    let defined = ["--define", "cmake_bin make", "--print", "source-nvrs"];
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &defined,
        "hello\n",
    );
    assert!(out.status.success(), "{out:?}");
    // Without the repos' macro packages: the built-in ELN macros (%dist too).
    let mut no_repo = defined.to_vec();
    no_repo.push("--no-repo-macros");
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &spec,
        &no_repo,
        "hello\n",
    );
    assert!(
        stdout_lines(&out).contains(&"hello-2.12.1-3.eln150".to_string()),
        "{out:?}"
    );
    // A macro nothing defines, left in the version as rpm leaves it: said.
    let autorelease = t.path().join("auto");
    std::fs::create_dir_all(&autorelease).unwrap();
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("Release: 3%{?dist}", "Release: %{autorelease}");
    std::fs::write(autorelease.join("hello.spec"), text).unwrap();
    let out = run(
        gen_on("x86_64", &cache),
        "--spec",
        &autorelease.join("hello.spec"),
        &defined,
        "hello\n",
    );
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        stderr.contains(
            "warning: --spec [TMP]/auto/hello.spec: a macro is left unexpanded in the version \
             2.12.1-%{autorelease}"
        ),
        "{stderr}"
    );
}

#[test]
fn an_srpm_made_for_another_arch_and_files_given_as_the_input() {
    let t = TestContext::new();
    let spec = SrpmSpec {
        name: "hello".into(),
        version: "2.12.1".into(),
        release: "6".into(),
        license: "MIT".into(),
        summary: "s".into(),
        spec_name: "hello.spec".into(),
        spec_text: "Name: hello\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n".into(),
        build_requires: vec![Dep::parse("nasm").unwrap()],
        host_arch: "x86_64".into(),
        build_time: 1,
        ..Default::default()
    };
    let file = t.path().join("hello-2.12.1-6.src.rpm");
    std::fs::write(&file, build_srpm(&spec).unwrap()).unwrap();
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        "aarch64",
        "--repo",
        "main=testdata/repos/$basearch",
    ])
    .args(["--source-repo", "src=testdata/repos/source"]);
    let out = run(c, "--srpm", &file, &[], "hello\n");
    let stderr = t.normalize(&String::from_utf8_lossy(&out.stderr));
    assert!(
        stderr.contains(
            "warning: --srpm [TMP]/hello-2.12.1-6.src.rpm: made for x86_64 from a spec with arch \
             conditionals: its BuildRequires may not be aarch64's (--spec evaluates the spec for \
             aarch64; or rpmbuild -bs --target aarch64)"
        ),
        "{stderr}"
    );
    // A spec or an RPM where the list of names belongs.
    let mut c = gen();
    c.arg(&file);
    assert_eq!(
        expect_error(&t, c, ""),
        "buildroot-generator: [TMP]/hello-2.12.1-6.src.rpm: a spec or RPM file as the input, \
         which lists source names: give it as --spec/--srpm FILE (and its name as the input)"
    );
}

#[test]
fn at_a_terminal_without_input_the_given_files_are_the_input() {
    if !cli_tests::has_script() {
        return;
    }
    let t = TestContext::new();
    let file = srpm(t.path(), ("hello", "2.12", "0"), &["gcc"]);
    let typescript = t.path().join("typescript");
    let gen = cli_tests::bin(Tool::Generator).display().to_string();
    let command = format!(
        "{gen} --arch x86_64 --repo main=testdata/repos/x86_64 --source-repo \
         src=testdata/repos/source --srpm {} --print source-nvrs",
        file.display()
    );
    let out = cli_tests::pty::output_or_kill(
        cli_tests::pty::script(&command, &typescript).current_dir(root()),
        cli_tests::pty::DEADLINE,
        "buildroot-generator on a terminal",
    );
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(shown.contains("no input: the sources are hello"), "{shown}");
    assert!(shown.contains("hello-2.12-0"), "{shown}");
}

#[test]
fn compare_counts_errors_one_by_one_and_only_of_what_is_still_built() {
    let t = TestContext::new();
    // A package content-resolver only knows as a placeholder, and its
    // first SRPM: one BuildRequires nothing provides is mended, one stays.
    let ph = t.path().join("ph.json");
    std::fs::write(
        &ph,
        r#"{"newpkg": {"build_requires": ["gcc", "broken", "x-missing", "y-missing"], "limit_arches": []}}"#,
    )
    .unwrap();
    let file = srpm(t.path(), ("newpkg", "1", "1"), &["gcc", "x-missing"]);
    let mut c = gen();
    c.arg("--placeholders").arg(&ph);
    let out = run(c, "--srpm", &file, &["--compare", "--json"], "newpkg\n");
    // Nothing new fails: exit 0.
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"]["entered"], serde_json::json!({}));
    // y-missing is mended; `broken` left the run, which mends nothing.
    assert_eq!(
        doc["errors"]["left"],
        serde_json::json!({"newpkg": {"no_install": ["y-missing"]}})
    );
    assert_eq!(doc["sources"]["left"], serde_json::json!(["broken"]));
    // A brand-new package is no mended NoSource either.
    let new = srpm(t.path(), ("brand-new", "1", "1"), &["gcc"]);
    let out = run(
        gen(),
        "--srpm",
        &new,
        &["--compare", "--json"],
        "brand-new\n",
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["errors"],
        serde_json::json!({"left": {}, "entered": {}})
    );
}
