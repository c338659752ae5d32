//! buildroot-generator --builds-only: a packager's "what does this build
//! install?" on the fixture distribution. The input's builds (and the
//! --spec/--srpm files') are resolved once each, core buildroot included,
//! as the fixed point's first layer resolves them; nothing is queued.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use cli_tests::{cmd, expect_error, lines, TestContext, Tool, FIXTURE_X86_64};

/// x86_64 on the fixture repos, quiet, with its own cache directory.
fn gen(cache: &Path) -> Command {
    let mut c = cmd(Tool::Generator);
    c.args(FIXTURE_X86_64)
        .arg("-q")
        .arg("--cache-dir")
        .arg(cache);
    c
}

fn file_lines(path: &Path) -> Vec<String> {
    lines(&std::fs::read(path).unwrap())
}

/// Runs `c` with `stdin`, expects `code`, returns (stdout lines, stderr).
fn run(c: &mut Command, stdin: &str, code: i32) -> (Vec<String>, String) {
    let out = c.write_stdin(stdin).assert().code(code);
    let out = out.get_output();
    (
        lines(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn one_source_prints_exactly_the_binaries_of_its_build() {
    let t = TestContext::new();
    let cache = t.join("cache");
    // The fixed point's output directory: hello's own build beyond the core.
    let full_dir = t.join("full");
    let (full, _) = run(gen(&cache).arg("--output-dir").arg(&full_dir), "hello\n", 0);
    let mut want: BTreeSet<String> = file_lines(&full_dir.join("CoreBuildRootBinaries"))
        .into_iter()
        .collect();
    want.extend(file_lines(&full_dir.join("output/hello-deps-binary")));
    let want: Vec<String> = want.into_iter().collect();

    let only_dir = t.join("only");
    let (only, _) = run(
        gen(&cache)
            .arg("--builds-only")
            .arg("--output-dir")
            .arg(&only_dir),
        "hello\n",
        0,
    );
    assert_eq!(only, want);
    // The fixed point goes on: libjpeg-turbo's own build needs nasm.
    assert!(full.contains(&"nasm".to_string()), "{full:?}");
    assert!(!only.contains(&"nasm".to_string()), "{only:?}");
    // The output directory holds that one build, the same file as the fixed point's.
    assert_eq!(
        cli_tests::dir_names(&only_dir.join("output")),
        ["hello-deps-binary", "hello-deps-source"]
    );
    for f in ["output/hello-deps-binary", "CoreBuildRootBinaries"] {
        assert_eq!(file_lines(&only_dir.join(f)), file_lines(&full_dir.join(f)));
    }
    assert_eq!(
        file_lines(&only_dir.join("buildroot-binary-package-names.txt")),
        want
    );

    // Sources: the input's and those of every binary installed (core
    // included), not built: texinfo gives the core's info, and hello's
    // libjpeg-turbo-devel comes from libjpeg-turbo; nasm's source is not
    // reached.
    let (sources, _) = run(
        gen(&cache).args(["--builds-only", "--print", "sources"]),
        "hello\n",
        0,
    );
    for s in ["hello", "libjpeg-turbo", "texinfo", "bash"] {
        assert!(sources.contains(&s.to_string()), "{s}: {sources:?}");
    }
    assert!(!sources.contains(&"nasm".to_string()), "{sources:?}");
    assert_eq!(
        file_lines(&only_dir.join("buildroot-source-package-names.txt")),
        sources
    );
    let (nvrs, _) = run(
        gen(&cache).args(["--builds-only", "--print", "source-nvrs"]),
        "hello\n",
        0,
    );
    assert!(
        nvrs.contains(&"texinfo-7.1-1.eln150".to_string()),
        "{nvrs:?}"
    );
    assert!(
        nvrs.contains(&"hello-2.12.1-1.eln150".to_string()),
        "{nvrs:?}"
    );

    // --json: section 10a's document, of these builds.
    let out = gen(&cache)
        .args(["--builds-only", "--json"])
        .write_stdin("hello\n")
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "arch",
            "binaries",
            "binary_nvrs",
            "core",
            "errors",
            "scope",
            "source_nvrs",
            "sources"
        ]
    );
    assert_eq!(doc["scope"], "builds-only");
    assert_eq!(doc["binaries"], serde_json::json!(want));
    assert_eq!(doc["sources"], serde_json::json!(sources));
    assert_eq!(doc["errors"], serde_json::json!({}));
}

#[test]
fn a_spec_alone_is_the_input() {
    let t = TestContext::new();
    let spec = t.join("hello.spec");
    // nasm, which only the fixed point's libjpeg-turbo build brings otherwise.
    std::fs::write(
        &spec,
        "Name: hello\nVersion: 2.12.1\nRelease: 3%{?dist}\nSummary: s\nLicense: MIT\n\
         BuildRequires: gcc nasm\n%description\nd\n%files\n",
    )
    .unwrap();
    let cache = t.join("cache");
    // No input list (stdin empty): the spec's package is the build asked about.
    let (binaries, stderr) = run(
        gen(&cache).arg("--builds-only").arg("--spec").arg(&spec),
        "",
        0,
    );
    assert!(binaries.contains(&"nasm".to_string()), "{binaries:?}");
    assert!(binaries.contains(&"gcc".to_string()), "{binaries:?}");
    assert!(
        !binaries.contains(&"libjpeg-turbo-devel".to_string()),
        "the repos' hello is not built: {binaries:?}"
    );
    assert!(!stderr.contains("only the core"), "{stderr}");
    let (why, _) = run(
        gen(&cache)
            .args(["--builds-only", "--why", "nasm", "--spec"])
            .arg(&spec),
        "",
        0,
    );
    assert_eq!(
        why,
        ["nasm <- BuildRequires 'nasm' of hello, given as hello.spec (input)"]
    );
    let (nvrs, _) = run(
        gen(&cache)
            .args(["--builds-only", "--print", "source-nvrs", "--spec"])
            .arg(&spec),
        "",
        0,
    );
    assert!(
        nvrs.contains(&"hello-2.12.1-3.eln150".to_string()),
        "{nvrs:?}"
    );
    // Without --builds-only, an empty input is the core's own fixed point, as before.
    let (core_only, stderr) = run(
        cmd(Tool::Generator)
            .args(FIXTURE_X86_64)
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--spec")
            .arg(&spec),
        "",
        0,
    );
    assert!(!core_only.contains(&"nasm".to_string()), "{core_only:?}");
    assert!(
        stderr.contains("the input lists no sources; the buildroot is the core's own"),
        "{stderr}"
    );
}

/// A failed build is reported as in a fixed point, but it is the answer:
/// exit 1 (as `dnf builddep` fails), its lines kept under -q; the lists
/// are written as before. Until the user audit it exited 0, and -q left
/// the core buildroot alone on stdout with nothing said.
#[test]
fn a_failed_build_is_reported_and_exits_1() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let with = |extra: &[&str], stdin: &str| {
        let mut c = cmd(Tool::Generator);
        c.args(FIXTURE_X86_64)
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--builds-only")
            .args(extra);
        run(&mut c, stdin, 1)
    };
    let plain = |stdin: &str| with(&[], stdin);
    let (binaries, stderr) = plain("broken\n");
    assert_eq!(
        stderr,
        "buildroot-generator: warning: broken: NoInstall: nothing provides 'does-not-exist-devel'\n\
         buildroot-generator: warning: 1 source failed: 1 NoInstall (details above)\n"
    );
    // The rest of a NoInstall build still counts: the core at least.
    assert!(binaries.contains(&"rpm-build".to_string()), "{binaries:?}");
    // -q keeps the answer's lines.
    let (quiet, quiet_err) = with(&["-q"], "broken\n");
    assert_eq!((quiet, quiet_err), (binaries, stderr));
    // A build that succeeds beside it changes nothing.
    with(&["-q"], "hello\nbroken\n");
    let mut ok = cmd(Tool::Generator);
    ok.args(FIXTURE_X86_64)
        .arg("--cache-dir")
        .arg(&cache)
        .args(["--builds-only", "-q"]);
    assert_eq!(run(&mut ok, "hello\n", 0).1, "");
    let (_, stderr) = plain("conflicted\n");
    assert!(
        stderr.starts_with("buildroot-generator: warning: conflicted: BadDeps: package curl-"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "buildroot-generator: warning: 1 source failed: 1 BadDeps (details above)\n"
        ),
        "{stderr}"
    );
    let dir = t.join("out");
    let out = gen(&cache)
        .args(["--builds-only", "--json", "--output-dir"])
        .arg(&dir)
        .write_stdin("broken\nconflicted\n")
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(
        doc["errors"]["broken"],
        serde_json::json!({"no_install": ["does-not-exist-devel"]})
    );
    assert!(doc["errors"]["conflicted"]["bad_deps"].is_array(), "{doc}");
    assert_eq!(
        cli_tests::dir_names(&dir.join("errors")),
        ["broken-NoInstall", "conflicted-BadDeps"]
    );
}

#[test]
fn why_answers_about_the_builds_environment() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let why = |name: &str, code: i32| {
        run(
            gen(&cache).args(["--builds-only", "--why", name]),
            "hello\n",
            code,
        )
    };
    let (chain, _) = why("libjpeg-turbo", 0);
    assert_eq!(
        chain,
        [
            "libjpeg-turbo <- required by libjpeg-turbo-devel <- BuildRequires \
          'libjpeg-turbo-devel' of hello (input)"
        ]
    );
    let (chain, _) = why("curl", 0);
    assert_eq!(
        chain,
        ["curl <- required by rpm-build <- core name rpm-build (core buildroot)"]
    );
    // In the fixed point (libjpeg-turbo's build), not in hello's.
    let (none, stderr) = why("nasm", 1);
    assert!(none.is_empty());
    assert_eq!(
        stderr,
        "buildroot-generator: 'nasm' is in the repositories but not in the x86_64 buildroot: \
         no build of the run needs it\n"
    );
    // A source of the builds' binaries, listed but not built.
    let (_, stderr) = why("texinfo", 1);
    assert_eq!(
        stderr,
        "buildroot-generator: 'texinfo' is a source package, not a binary one; it is the \
         source of binaries of the x86_64 buildroot, not one of its builds (the run builds its \
         input only): see --why info\n"
    );
}

#[test]
fn builds_only_refuses_compare() {
    let t = TestContext::new();
    let mut c = cmd(Tool::Generator);
    c.args(FIXTURE_X86_64)
        .args(["--builds-only", "--compare", "--srpm", "x.src.rpm"]);
    let line = expect_error(&t, c, "hello\n");
    assert_eq!(
        line,
        "buildroot-generator: the argument '--builds-only' cannot be used with '--compare' \
         (try '--help')"
    );
}

#[test]
fn at_a_terminal_the_given_file_is_the_build_asked_about() {
    if !cli_tests::has_script() {
        return;
    }
    let t = TestContext::new();
    let spec = t.join("hello.spec");
    std::fs::write(
        &spec,
        "Name: hello\nVersion: 2.12.1\nRelease: 3%{?dist}\nSummary: s\nLicense: MIT\n\
         BuildRequires: nasm\n%description\nd\n%files\n",
    )
    .unwrap();
    let typescript = t.join("typescript");
    let gen = cli_tests::bin(Tool::Generator).display().to_string();
    let command = format!(
        "{gen} {} --cache-dir {} --spec {} --builds-only --why nasm",
        FIXTURE_X86_64.join(" "),
        t.join("cache").display(),
        spec.display()
    );
    let out = cli_tests::pty::output_or_kill(
        cli_tests::pty::script(&command, &typescript).current_dir(cli_tests::root()),
        cli_tests::pty::DEADLINE,
        "buildroot-generator --builds-only on a terminal",
    );
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(shown.contains("no input: the sources are hello"), "{shown}");
    assert!(
        shown.contains("nasm <- BuildRequires 'nasm' of hello, given as hello.spec (input)"),
        "{shown}"
    );
}

#[test]
fn a_placeholder_is_built_only_when_the_input_names_it() {
    let t = TestContext::new();
    let ph = t.join("ph.json");
    std::fs::write(
        &ph,
        r#"{"newthing": {"build_requires": ["nasm", "nothing-has-this"], "limit_arches": []}}"#,
    )
    .unwrap();
    let cache = t.join("cache");
    let json = |stdin: &str, code: i32| {
        let out = gen(&cache)
            .args(["--builds-only", "--json", "--placeholders"])
            .arg(&ph)
            .write_stdin(stdin)
            .assert()
            .code(code);
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let has = |v: &serde_json::Value, name: &str| v.as_array().unwrap().iter().any(|x| x == name);
    // The fixed point builds every placeholder; hello's build alone does not.
    let hello = json("hello\n", 0);
    assert!(!has(&hello["sources"], "newthing"), "{hello}");
    assert!(!has(&hello["binaries"], "nasm"), "{hello}");
    assert_eq!(hello["errors"], serde_json::json!({}));
    // Its build fails (NoInstall): exit 1.
    let new = json("newthing\n", 1);
    assert!(has(&new["binaries"], "nasm"), "{new}");
    assert!(has(&new["sources"], "newthing"), "{new}");
    assert_eq!(
        new["errors"],
        serde_json::json!({"newthing": {"no_install": ["nothing-has-this"]}})
    );
}

#[test]
fn a_given_file_is_a_source_whatever_the_input_lists() {
    let t = TestContext::new();
    let spec = t.join("brandnew.spec");
    std::fs::write(
        &spec,
        "Name: brandnew\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
         BuildRequires: nasm\n%description\nd\n%files\n",
    )
    .unwrap();
    // --from-binaries reads the input as binary names; the spec's package
    // (a new one: no binary has its name) is a source name all the same.
    let (sources, stderr) = run(
        gen(&t.join("cache"))
            .args(["--builds-only", "--from-binaries", "--print", "sources"])
            .arg("--spec")
            .arg(&spec),
        "webfetch\n",
        0,
    );
    assert!(sources.contains(&"brandnew".to_string()), "{sources:?}");
    assert!(sources.contains(&"webfetch".to_string()), "{sources:?}");
    assert!(sources.contains(&"nasm".to_string()), "{sources:?}");
    assert_eq!(stderr, "");
}

/// A script reading `--json` or an `--output-dir` cannot take the builds'
/// lists for a buildroot: the document says `"scope": "builds-only"` (a
/// fixed point's has no such key, byte for byte as before), and the
/// directory holds `builds-only.txt`, which workload-diff refuses (exit 2)
/// where it reads a buildroot; a fixed point written over it is read again.
#[test]
fn a_builds_only_output_says_so() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let json = |extra: &[&str]| {
        let out = gen(&cache)
            .arg("--json")
            .args(extra)
            .write_stdin("hello\n")
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let only = json(&["--builds-only"]);
    assert!(
        only.starts_with("{\n  \"arch\": \"x86_64\",\n  \"scope\": \"builds-only\",\n"),
        "{only}"
    );
    let full = json(&[]);
    assert!(!full.contains("\"scope\""), "{full}");

    let dir = t.join("out");
    run(
        gen(&cache)
            .arg("--builds-only")
            .arg("--output-dir")
            .arg(&dir),
        "hello\n",
        0,
    );
    let marker = dir.join("builds-only.txt");
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap(),
        "buildroot-generator --builds-only: the input's builds alone (core buildroot \
         included), not the buildroot's fixed point\n"
    );
    let compose = t.join("compose.txt");
    std::fs::write(&compose, "hello\n").unwrap();
    let diff = || {
        let mut c = cmd(Tool::WorkloadDiff);
        c.arg("--compose")
            .arg(format!("x86_64={}", compose.display()))
            .arg("--buildroot-dir")
            .arg(format!("x86_64={}", dir.display()))
            .args(["--format", "text"]);
        c
    };
    let line = expect_error(&t, diff(), "");
    assert_eq!(
        line,
        "workload-diff: [TMP]/out: a buildroot-generator --builds-only output (it holds \
         builds-only.txt): the input's builds alone, not a buildroot; give the directory of a \
         run without --builds-only"
    );
    // The fixed point replaces the directory whole: no marker left.
    run(gen(&cache).arg("--output-dir").arg(&dir), "hello\n", 0);
    assert!(!marker.exists());
    diff().assert().success();
}

/// A spec's build asks nothing of a source repository (`dnf builddep
/// hello.spec` in a mock buildroot, whose repos are binary ones): with
/// --builds-only and only given files to build, none is needed. A source
/// named besides them still needs one (it would be NoSource), as in a
/// fixed point, which would queue the sources of what got installed.
#[test]
fn a_given_file_alone_needs_no_source_repository() {
    let t = TestContext::new();
    let spec = t.join("hello.spec");
    std::fs::write(
        &spec,
        "Name: hello\nVersion: 2.12.1\nRelease: 3%{?dist}\nSummary: s\nLicense: MIT\n\
         BuildRequires: gcc nasm\n%description\nd\n%files\n",
    )
    .unwrap();
    let binary_repos_only = |extra: &[&str]| {
        let mut c = cmd(Tool::Generator);
        c.args([
            "--arch",
            "x86_64",
            "--repo",
            "main=testdata/repos/x86_64",
            "-q",
        ])
        .arg("--cache-dir")
        .arg(t.join("cache"))
        .arg("--spec")
        .arg(&spec)
        .args(extra);
        c
    };
    let (binaries, stderr) = run(&mut binary_repos_only(&["--builds-only"]), "", 0);
    assert_eq!(stderr, "");
    assert!(binaries.contains(&"nasm".to_string()), "{binaries:?}");
    assert!(binaries.contains(&"rpm-build".to_string()), "{binaries:?}");
    // The same build as with the source repository.
    let (with_src, _) = run(
        gen(&t.join("cache"))
            .arg("--builds-only")
            .arg("--spec")
            .arg(&spec),
        "",
        0,
    );
    assert_eq!(binaries, with_src);
    // Named in the input too: still the spec's build alone.
    run(&mut binary_repos_only(&["--builds-only"]), "hello\n", 0);
    // The sources of what it installs are listed, without a package.
    let (nvrs, _) = run(
        &mut binary_repos_only(&["--builds-only", "--print", "source-nvrs"]),
        "",
        0,
    );
    assert_eq!(nvrs, ["hello-2.12.1-3.eln150"]);
    let refused = "buildroot-generator: the repositories (main) hold no source package: give \
                   --source-repo ID=URL (or a --repofile with source repos); for the core \
                   buildroot alone, give an empty input";
    // Another source to build, or the fixed point: refused as before.
    let line = expect_error(&t, binary_repos_only(&["--builds-only"]), "webfetch\n");
    assert_eq!(line, refused);
    let line = expect_error(&t, binary_repos_only(&[]), "hello\n");
    assert_eq!(line, refused);
}

/// A source that no source repository has has no build for --builds-only
/// to answer about: `dnf builddep NAME` of an unknown package fails, so
/// does this (exit 2, one line naming every such source as the input has
/// it, nothing on stdout
/// and no output directory), where it printed the core buildroot alone
/// under exit 0. A fixed point keeps it as NoSource, as before.
#[test]
fn builds_only_refuses_a_source_no_repository_has() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let dir = t.join("out");
    let mut c = gen(&cache);
    c.args(["--builds-only", "--output-dir"]).arg(&dir);
    let line = expect_error(&t, c, "hello\nnosuch\nnever-1.0-1.src.rpm\n");
    assert_eq!(
        line,
        "buildroot-generator: nosuch, never-1.0-1.src.rpm: no source package of those names in the \
         repositories (main, src): --builds-only resolves the builds of sources the source \
         repositories hold (or give their spec or SRPM as --spec/--srpm FILE)"
    );
    assert!(!dir.exists());
    let mut c = gen(&cache);
    c.arg("--builds-only");
    let line = expect_error(&t, c, "nosuch\n");
    assert_eq!(
        line,
        "buildroot-generator: nosuch: no source package of that name in the repositories \
         (main, src): --builds-only resolves the builds of sources the source repositories \
         hold (or give its spec or SRPM as --spec/--srpm FILE)"
    );
    // The fixed point: NoSource, exit 0.
    let mut fixed = gen(&cache);
    fixed.arg("--output-dir").arg(&dir);
    run(&mut fixed, "hello\nnosuch\n", 0);
    assert!(dir.join("errors/nosuch-NoSource").is_file());
}

/// With --from-binaries the input names binaries: one no repository has
/// is refused as an unknown source is (it printed the core buildroot
/// alone, exit 0, nothing said under -q). A fixed point warns and goes on.
#[test]
fn builds_only_refuses_a_binary_no_repository_has() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let mut c = gen(&cache);
    c.args(["--builds-only", "--from-binaries"]);
    let line = expect_error(&t, c, "bash\nnosuchbin\n");
    assert_eq!(
        line,
        "buildroot-generator: nosuchbin: no binary package of that name in the repositories \
         (main, src): --builds-only --from-binaries resolves the builds of the sources of \
         binaries the repositories hold"
    );
    let mut fixed = cmd(Tool::Generator);
    fixed
        .args(FIXTURE_X86_64)
        .arg("--cache-dir")
        .arg(&cache)
        .arg("--from-binaries");
    let (_, stderr) = run(&mut fixed, "bash\nnosuchbin\n", 0);
    assert!(
        stderr.contains("warning: no binary package named 'nosuchbin' in the repositories"),
        "{stderr}"
    );
    // Under -q too: the line is left out of the answer, which must not go
    // unsaid (the user audit: a typo vanished from `-q --json`).
    let (_, stderr) = run(fixed.arg("-q"), "bash\nnosuchbin\n", 0);
    assert_eq!(
        stderr,
        "buildroot-generator: warning: no binary package named 'nosuchbin' in the repositories\n"
    );
}

/// An empty input with --builds-only and no --spec/--srpm: the answer is the
/// core buildroot alone (CoreBuildRootBinaries), and the warning says so. It
/// said the fixed point's "the core buildroot and what building its packages'
/// sources needs", which --builds-only does not build.
#[test]
fn an_empty_input_with_builds_only_is_the_core_alone_and_says_so() {
    let t = TestContext::new();
    let cache = t.join("cache");
    let dir = t.join("out");
    let (binaries, stderr) = run(
        cmd(Tool::Generator)
            .args(FIXTURE_X86_64)
            .arg("--cache-dir")
            .arg(&cache)
            .arg("--builds-only")
            .arg("--output-dir")
            .arg(&dir),
        "",
        0,
    );
    assert_eq!(binaries, file_lines(&dir.join("CoreBuildRootBinaries")));
    assert_eq!(
        stderr,
        "buildroot-generator: warning: the input lists no sources and no --spec/--srpm is \
         given; with --builds-only nothing is built: the answer is the core buildroot alone\n"
    );
}
