//! buildroot-generator on the shipped fixture distribution: exact buildroots
//! per arch, errors, --why chains, the output directory and its formats.

use std::path::Path;

use assert_cmd::Command;
use cli_tests::{cmd, expect_error, lines, root, TestContext, Tool, FIXTURE_X86_64};

fn gen(arch: &str) -> Command {
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        arch,
        "--repo",
        "main=testdata/repos/$basearch",
        "--source-repo",
        "src=testdata/repos/source",
        "-q",
    ]);
    c
}

/// `--why QUERY --json` on x86_64 with `stdin` as the input; checks the
/// exit code and returns the document.
fn why_json(query: &str, stdin: &str, code: i32) -> serde_json::Value {
    let out = gen("x86_64")
        .args(["--why", query, "--json", "-"])
        .write_stdin(stdin)
        .assert()
        .code(code);
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

const X86_64_BINARIES: &str = "bash binutils bzip2 bzip2-devel coreutils cpio cpp curl curl-minimal diffutils \
    docbook-style-xsl eln-rpm-config fedora-release-eln findutils gawk gcc glibc glibc-devel glibc-minimal-langpack \
    grep gzip info libgcc libjpeg-turbo libjpeg-turbo-devel libxml2 libxml2-devel make nasm ncurses-devel ncurses-libs \
    patch perl perl-libs python-srpm-macros python3 python3-devel python3-libs python3-rpm-macros python3-setuptools \
    redhat-rpm-config rpm rpm-build \
    sed shadow-utils tar unzip util-linux which xz zlib zlib-devel";

const SOURCES: &str = "bash binutils broken bzip2 compat-32 conflicted coreutils cpio curl diffutils \
    docbook-style-xsl docs-tool eln-rpm-config fedora-release findutils gawk gcc glibc grep gzip hello libjpeg-turbo \
    libxml2 make nasm ncurses patch perl pyfoo python-rpm-macros python-setuptools python3 redhat-rpm-config rpm sed \
    shadow-utils tar texinfo unzip \
    util-linux webfetch which xz zlib";

#[test]
fn exact_buildroots_per_arch() {
    let x86 = gen("x86_64")
        .arg("testdata/compose/sources.txt")
        .assert()
        .success();
    assert_eq!(lines(&x86.get_output().stdout), words(X86_64_BINARIES));
    // aarch64: no nasm (x86_64-only; libjpeg-turbo's x86_64-built header asks for it: NoInstall).
    let aa = gen("aarch64")
        .arg("testdata/compose/sources.txt")
        .assert()
        .success();
    let want: Vec<String> = words(X86_64_BINARIES)
        .into_iter()
        .filter(|n| n != "nasm")
        .collect();
    assert_eq!(lines(&aa.get_output().stdout), want);
    let s = gen("x86_64")
        .args(["--print", "sources", "testdata/compose/sources.txt"])
        .assert()
        .success();
    assert_eq!(lines(&s.get_output().stdout), words(SOURCES));
    // mawk provides awk like core's gawk, but the core is installed underneath: never needed.
    assert!(!lines(&x86.get_output().stdout).contains(&"mawk".to_string()));
}

#[test]
fn stdin_nvrs_and_from_binaries() {
    let out = gen("x86_64")
        .arg("--print")
        .arg("source-nvrs")
        .write_stdin("hello\n")
        .assert()
        .success();
    let nvrs = lines(&out.get_output().stdout);
    assert!(
        nvrs.contains(&"hello-2.12.1-1.eln150".to_string()),
        "{nvrs:?}"
    );
    assert!(nvrs.contains(&"libjpeg-turbo-3.0.3-1.eln150".to_string()));
    let out = gen("x86_64")
        .args(["--from-binaries", "--print", "sources", "-"])
        .write_stdin("libjpeg-turbo-devel\n")
        .assert()
        .success();
    assert!(lines(&out.get_output().stdout).contains(&"libjpeg-turbo".to_string()));
    let out = gen("x86_64")
        .args(["--print", "binary-nvrs"])
        .write_stdin("webfetch\n")
        .assert()
        .success();
    let b = lines(&out.get_output().stdout);
    assert!(
        b.contains(&"curl-8.9.1-1.eln150".to_string()),
        "core's rpm-build pulls curl"
    );
}

#[test]
fn an_empty_core_is_the_build_requires_alone() {
    // `--core ''`: no core underneath, so the binaries are hello's
    // BuildRequires and their closure, and the release package when asked.
    let run = |extra: &[&str]| {
        let out = gen("x86_64")
            .args(["--core", ""])
            .args(extra)
            .write_stdin("hello\n")
            .assert()
            .success();
        lines(&out.get_output().stdout)
    };
    let alone = run(&["--release-package", ""]);
    assert!(alone.contains(&"nasm".to_string()), "{alone:?}");
    assert!(
        alone.contains(&"libjpeg-turbo-devel".to_string()),
        "{alone:?}"
    );
    for core_only in ["bash", "rpm-build", "fedora-release-eln"] {
        assert!(!alone.contains(&core_only.to_string()), "{alone:?}");
    }
    let with_release = run(&[]);
    let mut expected = alone.clone();
    expected.push("fedora-release-eln".to_string());
    expected.sort();
    assert_eq!(with_release, expected);
}

#[test]
fn conflicts_push_to_the_other_provider() {
    let t = tempfile::tempdir().unwrap();
    gen("x86_64")
        .arg("--output-dir")
        .arg(t.path())
        .write_stdin("webfetch\n")
        .assert()
        .success();
    let deps = std::fs::read_to_string(t.path().join("output/webfetch-deps-binary")).unwrap();
    assert!(deps.lines().any(|l| l == "curl-minimal"), "{deps}");
    assert!(!deps.lines().any(|l| l == "curl"), "{deps}");
}

#[test]
fn output_dir_layout_and_errors() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("out");
    gen("x86_64")
        .arg("--output-dir")
        .arg(&dir)
        .arg("testdata/compose/sources.txt")
        .assert()
        .success();
    for f in [
        "CoreBuildRootBinaries",
        "CoreBuildRootSources",
        "buildroot-binary-package-names.txt",
        "buildroot-source-package-names.txt",
        "buildroot-binary-package-nvrs.txt",
        "buildroot-source-package-nvrs.txt",
        "buildroot-package-relations--view-eln--x86_64.json",
        "output/hello-deps-binary",
        "output/hello-deps-source",
        "output/broken-deps-binary",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert_eq!(
        read("errors/broken-NoInstall"),
        "broken: does-not-exist-devel\n"
    );
    assert!(read("errors/conflicted-BadDeps")
        .starts_with("===============================\nERROR: conflicted\n"));
    assert!(
        !dir.join("output/conflicted-deps-binary").exists(),
        "BadDeps contributes nothing"
    );
    // NoInstall: the other BuildRequires still count (broken also wants perl).
    assert!(read("output/broken-deps-binary")
        .lines()
        .any(|l| l == "perl"));
    assert_eq!(
        read("output/hello-deps-source"),
        "binutils\ngcc\nlibjpeg-turbo\n"
    );
    let core = read("CoreBuildRootBinaries");
    assert!(core.lines().any(|l| l == "rpm-build") && core.lines().any(|l| l == "curl"));
    assert!(
        !read("output/hello-deps-binary")
            .lines()
            .any(|l| l == "rpm-build"),
        "core is not repeated"
    );
    // Sorted, unique lists.
    let names = read("buildroot-binary-package-names.txt");
    let mut sorted: Vec<&str> = names.lines().collect();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names.lines().collect::<Vec<_>>(), sorted);
    // The relations JSON.
    let rel: serde_json::Value =
        serde_json::from_str(&read("buildroot-package-relations--view-eln--x86_64.json")).unwrap();
    assert_eq!(rel["document_type"], "buildroot-binary-relations");
    assert_eq!(rel["version"], "1");
    assert_eq!(rel["data"]["view_id"], "view-eln");
    assert_eq!(rel["data"]["arch"], "x86_64");
    let gcc = &rel["data"]["pkgs"]["gcc-14.2.1-1.eln150.x86_64"];
    assert_eq!(gcc["source_name"], "gcc");
    let binutils = &rel["data"]["pkgs"]["binutils-2.43-1.eln150.x86_64"]["required_by"];
    assert_eq!(binutils, &serde_json::json!(["gcc-14.2.1-1.eln150.x86_64"]));
    assert!(
        rel["data"]["pkgs"]["glibc-2.40-1.eln150.i686"].is_object(),
        "compat-32 brings glibc.i686"
    );
}

#[test]
fn why_prints_a_true_chain() {
    let out = gen("x86_64")
        .args(["--why", "nasm", "testdata/compose/sources.txt"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "nasm <- BuildRequires 'nasm' of libjpeg-turbo (input)\n"
    );
    // Only hello as input: libjpeg-turbo is built because hello needs its -devel.
    let out = gen("x86_64")
        .args(["--why", "nasm", "-"])
        .write_stdin("hello\n")
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "nasm <- BuildRequires 'nasm' of libjpeg-turbo <- libjpeg-turbo built because libjpeg-turbo-devel <- \
         BuildRequires 'libjpeg-turbo-devel' of hello (input)\n"
    );
    // The same as JSON, for scripts; a binary not in the buildroot is null and exit 1.
    let v = why_json("nasm", "hello\n", 0);
    assert_eq!(v["chain"][0], "nasm");
    assert_eq!(
        v["chain"][3],
        "BuildRequires 'libjpeg-turbo-devel' of hello (input)"
    );
    let v = why_json("no-such-binary", "hello\n", 1);
    assert!(v["chain"].is_null());
    let out = gen("x86_64")
        .args(["--why", "curl", "-"])
        .write_stdin("hello\n")
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "curl <- required by rpm-build <- core name rpm-build (core buildroot)\n"
    );
    gen("x86_64")
        .args(["--why", "mawk", "-"])
        .write_stdin("hello\n")
        .assert()
        .code(1);
}

/// `--why` with `hello` as input: exit code, stdout and stderr.
fn why_hello(query: &str) -> (i32, String, String) {
    let out = gen("x86_64")
        .args(["--why", query, "-"])
        .write_stdin("hello\nnot-a-source\n")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn why_of_nothing_is_bad_usage_not_the_answer_no() {
    // `--why "$pkg"` with $pkg unset: exit 2 naming the option, not exit 1
    // saying '' is in no repository.
    for q in ["", "  "] {
        let (code, out, err) = why_hello(q);
        assert_eq!(code, 2, "{q:?}: {err}");
        assert_eq!(out, "");
        assert_eq!(
            err,
            format!(
                "buildroot-generator: invalid value '{q}' for '--why <NAME>': give a binary \
                 package name (try '--help')\n"
            )
        );
    }
}

#[test]
fn why_of_several_names_is_bad_usage_naming_each() {
    // `--why "nasm gcc"` was answered "'nasm gcc' is in no repository",
    // exit 1, though both are in the buildroot.
    let (code, out, err) = why_hello("nasm gcc");
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "buildroot-generator: invalid value 'nasm gcc' for '--why <NAME>': --why answers for \
         one package name; ask once for each (--why nasm, --why gcc) (try '--help')\n"
    );
    // What dnf reads with its spaces is still one question: a capability
    // with a version, a rich dependency.
    // The operator's spaces are optional, to dnf as before the check came
    // (these three were refused as a list of names: "--why >=1").
    for q in [
        "libjpeg-turbo-devel >= 1",
        "libjpeg-turbo-devel >=1",
        "(nasm or gcc)",
    ] {
        let (code, _, err) = why_hello(q);
        assert_eq!(code, 1, "{q}: {err}");
        assert!(
            err.contains("is not a package name; provided by"),
            "{q}: {err}"
        );
    }
}

/// `--why 'nasm 2.16'`: no capability with a version (libdnf's splitter
/// reads it as one name with a space, which nothing provides) and no list
/// either; it was told to ask
/// `--why 2.16`, a version, as if it were a second package name.
#[test]
fn why_of_a_name_and_a_version_says_how_to_ask() {
    let (code, out, err) = why_hello("nasm 2.16");
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(
        err,
        "buildroot-generator: invalid value 'nasm 2.16' for '--why <NAME>': a name and a \
         version: --why takes a package name (--why nasm), or a capability with an operator \
         (--why 'nasm = 2.16') (try '--help')\n"
    );
    // `!=`, which libdnf's splitter reads, and an operator against the name
    // are no list of names either: answered (no such capability), not refused.
    for q in ["nasm != 2", "libjpeg-turbo-devel>= 1"] {
        let (code, _, err) = why_hello(q);
        assert_eq!(code, 1, "{q}: {err}");
        assert!(err.contains("is in no repository"), "{q}: {err}");
    }
}

/// A capability is read as dnf reads one on its command line (libdnf's
/// `DependencySplitter`), each case checked with dnf 4.14's `repoquery
/// --whatprovides` on these repos: `=<` is no operator to dnf (it was read
/// as rpm's `<=`), and an operator glued to the name is part of the name,
/// so nothing provides it, and the answer names the spaced form that is.
#[test]
fn why_reads_a_capability_as_dnf_does() {
    for q in ["libjpeg-turbo-devel =< 4", "libjpeg-turbo-devel != 2"] {
        let (code, out, err) = why_hello(q);
        assert_eq!((code, out.as_str()), (1, ""), "{q}: {err}");
        assert_eq!(
            err,
            format!(
                "buildroot-generator: '{q}' is in no repository: no binary or source package \
                 of that name, and nothing provides it\n"
            )
        );
    }
    for q in [
        "libjpeg-turbo-devel>=1",
        "libjpeg-turbo-devel>= 1",
        "libjpeg-turbo-devel==3.0.3",
    ] {
        let (code, out, err) = why_hello(q);
        assert_eq!((code, out.as_str()), (1, ""), "{q}: {err}");
        let spaced = if q.contains("==") {
            "libjpeg-turbo-devel = 3.0.3"
        } else {
            "libjpeg-turbo-devel >= 1"
        };
        assert_eq!(
            err,
            format!(
                "buildroot-generator: '{q}' is in no repository: no binary or source package \
                 of that name, and nothing provides it (did you mean '{spaced}'? dnf reads an \
                 operator with no space before it as part of the name)\n"
            )
        );
    }
    // Spaced after the name, the operator is one, with or without a space
    // before the version (and `==` is `=`).
    for q in ["libjpeg-turbo-devel >=1", "libjpeg-turbo-devel == 3.0.3"] {
        let (code, _, err) = why_hello(q);
        assert_eq!(code, 1, "{q}: {err}");
        assert!(
            err.contains("is not a package name; provided by libjpeg-turbo-devel"),
            "{q}: {err}"
        );
    }
}

#[test]
fn why_takes_what_an_input_line_takes() {
    let chain = "nasm <- BuildRequires 'nasm' of libjpeg-turbo <- libjpeg-turbo built because \
                 libjpeg-turbo-devel <- BuildRequires 'libjpeg-turbo-devel' of hello (input)\n";
    // A query that gives the arch gets a line that gives the arch of each
    // package (the JSON steps keep the names).
    let by_arch = "nasm.x86_64 <- BuildRequires 'nasm' of libjpeg-turbo <- libjpeg-turbo built \
                   because libjpeg-turbo-devel.x86_64 <- BuildRequires 'libjpeg-turbo-devel' of \
                   hello (input)\n";
    // The buildroot's own version, as a NEVRA, an .rpm file name, an NVR
    // (no epoch, as the *-nvrs lists) and with the epoch written.
    for (q, want) in [
        ("nasm-2.16.03-1.eln150.x86_64", by_arch),
        ("nasm-2.16.03-1.eln150.x86_64.rpm", by_arch),
        ("nasm-2.16.03-1.eln150", chain),
        ("nasm-0:2.16.03-1.eln150.x86_64", by_arch),
        ("nasm.x86_64", by_arch),
    ] {
        assert_eq!(why_hello(q), (0, want.to_string(), String::new()), "{q}");
    }
    // Another version: the chain of the buildroot's package, and a note that
    // says so (-q does not hide it: it is part of the answer).
    let (code, out, err) = why_hello("nasm-2.16.03-9.eln150.x86_64");
    assert_eq!((code, out.as_str()), (0, by_arch));
    assert_eq!(
        err,
        "buildroot-generator: note: the x86_64 buildroot has nasm-2.16.03-1.eln150.x86_64, not \
         nasm-2.16.03-9.eln150: the chain is that package's\n"
    );
    let (code, _, err) = why_hello("zlib-1:1.3.1-1.eln150.x86_64");
    assert_eq!(code, 0);
    assert!(
        err.contains("has zlib-1.3.1-1.eln150.x86_64, not zlib-1:1.3.1-1.eln150"),
        "{err}"
    );
    // The same as JSON: the query, the name taken, the package, the note.
    let v = why_json("nasm-2.16.03-9.eln150.x86_64", "hello\n", 0);
    assert_eq!(v["query"], "nasm-2.16.03-9.eln150.x86_64");
    assert_eq!(v["name"], "nasm");
    assert_eq!(v["package"], "nasm-2.16.03-1.eln150.x86_64");
    assert_eq!(v["chain"][0], "nasm");
    assert!(v["note"]
        .as_str()
        .unwrap()
        .starts_with("the x86_64 buildroot has nasm-2.16.03-1"));
    let v = why_json("nasm", "hello\n", 0);
    assert!(v["note"].is_null());
}

#[test]
fn why_takes_the_arch_a_query_gives() {
    // compat-32 needs libc.so.6: glibc.i686 is in the multilib buildroot
    // beside the core's glibc.x86_64; a query with the arch gets its package.
    let i686 = ["glibc", "BuildRequires 'libc.so.6' of compat-32 (input)"];
    for q in ["glibc-2.40-1.eln150.i686", "glibc.i686"] {
        let v = why_json(q, "compat-32\n", 0);
        assert_eq!(v["package"], "glibc-2.40-1.eln150.i686", "{q}");
        assert_eq!(v["chain"], serde_json::json!(i686), "{q}");
        assert!(v["note"].is_null(), "{q}: {v}");
    }
    for q in ["glibc.x86_64", "glibc-2.40-1.eln150.x86_64"] {
        let v = why_json(q, "compat-32\n", 0);
        assert_eq!(v["package"], "glibc-2.40-1.eln150.x86_64", "{q}");
        assert_eq!(v["chain"][1], "required by bash", "{q}: {v}");
    }
    // The text line says which glibc each step is: asked by name.arch, and
    // asked by the bare name when the buildroot holds it for two arches
    // (the core's glibc.x86_64 is the one `--why glibc` answers about).
    let line = |q: &str| {
        let out = gen("x86_64")
            .args(["--why", q, "-"])
            .write_stdin("compat-32\n")
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    assert_eq!(
        line("glibc.i686"),
        "glibc.i686 <- BuildRequires 'libc.so.6' of compat-32 (input)\n"
    );
    let core = "glibc.x86_64 <- required by bash.x86_64 <- core name bash (core buildroot)\n";
    assert_eq!(line("glibc.x86_64"), core);
    assert_eq!(line("glibc"), core);
    // A name the buildroot holds for one arch only keeps its plain line.
    assert_eq!(line("bash"), "bash <- core name bash (core buildroot)\n");
    // A capability only glibc.i686 provides: the hint names the arch, as
    // `--why glibc` answers about the core's glibc.x86_64.
    let v = why_json("libc.so.6", "compat-32\n", 1);
    assert_eq!(
        v["note"],
        "'libc.so.6' is not a package name; provided by glibc, which is in the x86_64 \
         buildroot: see --why glibc.i686"
    );
    // The core's glibc.x86_64 provides the 64-bit soname: its name alone.
    let v = why_json("libc.so.6()(64bit)", "compat-32\n", 1);
    assert_eq!(
        v["note"],
        "'libc.so.6()(64bit)' is not a package name; provided by glibc, which is in the x86_64 \
         buildroot: see --why glibc"
    );
    // A package of an arch the repositories hold, which no build needs.
    let v = why_json("glibc-devel.i686", "compat-32\n", 1);
    assert_eq!(
        v["note"],
        "'glibc-devel.i686' is in the repositories but not in the x86_64 buildroot: no build of \
         the run needs it; glibc-devel-2.40-1.eln150.x86_64 is: see --why glibc-devel.x86_64"
    );
    assert!(v["chain"].is_null());
    // An arch the run has no nasm of (another arch's list): the buildroot's
    // nasm, and a note, as for another version; the line says its arch.
    let chain = "nasm.x86_64 <- BuildRequires 'nasm' of libjpeg-turbo <- libjpeg-turbo built \
                 because libjpeg-turbo-devel.x86_64 <- BuildRequires 'libjpeg-turbo-devel' of \
                 hello (input)\n";
    for (q, not) in [
        ("nasm.aarch64", "nasm.aarch64"),
        (
            "nasm-2.16.03-1.eln150.aarch64",
            "nasm-2.16.03-1.eln150.aarch64",
        ),
    ] {
        assert_eq!(
            why_hello(q),
            (
                0,
                chain.to_string(),
                format!(
                    "buildroot-generator: note: the x86_64 buildroot has \
                     nasm-2.16.03-1.eln150.x86_64, not {not}: the chain is that package's\n"
                )
            ),
            "{q}"
        );
    }
    // dnf's name-version: the version alone is compared; no arch was
    // asked, so the line names the packages alone.
    let chain = chain.replace(".x86_64", "");
    assert_eq!(why_hello("nasm-2.16.03"), (0, chain.clone(), String::new()));
    let (code, out, err) = why_hello("nasm-2.17");
    assert_eq!((code, out), (0, chain));
    assert_eq!(
        err,
        "buildroot-generator: note: the x86_64 buildroot has nasm-2.16.03-1.eln150.x86_64, not \
         nasm-2.17: the chain is that package's\n"
    );
}

#[test]
fn why_says_what_a_name_outside_the_buildroot_is() {
    for (q, want) in [
        // A binary of the repositories no build needs, and one that is also
        // the name of an input source.
        (
            "mawk",
            "'mawk' is in the repositories but not in the x86_64 buildroot: no build of the run \
             needs it",
        ),
        (
            "hello",
            "'hello' is in the repositories but not in the x86_64 buildroot: no build of the run \
             needs it; the source package hello is a source of the run, but none of its binaries \
             is in the x86_64 buildroot",
        ),
        // Source packages: of the run, with binaries in the buildroot; not of the run.
        (
            "libjpeg-turbo-3.0.3-1.eln150.src.rpm",
            "'libjpeg-turbo-3.0.3-1.eln150.src.rpm' is a source package: libjpeg-turbo is a \
             source of the run; its binaries in the x86_64 buildroot: libjpeg-turbo, \
             libjpeg-turbo-devel: see --why libjpeg-turbo",
        ),
        (
            "python-setuptools",
            "'python-setuptools' is a source package, not a binary one; it is not a source of \
             the x86_64 buildroot's run",
        ),
        (
            "not-a-source",
            "'not-a-source' is not a binary package; it is named as a source of the run, but no \
             repository holds a source package of that name (NoSource)",
        ),
        (
            "nasm-2.16.03-1.eln150.src.rpm",
            "'nasm-2.16.03-1.eln150.src.rpm' is a source package: nasm is a source of the run; \
             its binaries in the x86_64 buildroot: nasm: see --why nasm",
        ),
        (
            "mawk-1.3.4-1.eln150.src.rpm",
            "'mawk-1.3.4-1.eln150.src.rpm' is a source package: mawk is not a source of the \
             x86_64 buildroot's run",
        ),
        (
            "libjpeg-turbo-devel-3.0.3-1.eln150.src",
            "'libjpeg-turbo-devel-3.0.3-1.eln150.src' names a source package libjpeg-turbo-devel, \
             which no repository holds",
        ),
        // A capability, by whom it is provided.
        (
            "libz.so.1()(64bit)",
            "'libz.so.1()(64bit)' is not a package name; provided by zlib, which is in the x86_64 \
             buildroot: see --why zlib",
        ),
        // Nothing at all: distinct from "no build needs it".
        (
            "no-such-binary",
            "'no-such-binary' is in no repository: no binary or source package of that name, and \
             nothing provides it",
        ),
        (
            "no-such-binary-1.0-1.eln150.x86_64",
            "'no-such-binary-1.0-1.eln150.x86_64' is in no repository: no binary or source \
             package of that name, and nothing provides it",
        ),
        // A typo or another case: the closest names.
        (
            "NASM",
            "'NASM' is in no repository: no binary or source package of that name, and nothing \
             provides it (did you mean nasm?)",
        ),
        (
            "zlb",
            "'zlb' is in no repository: no binary or source package of that name, and nothing \
             provides it (did you mean zlib?)",
        ),
    ] {
        assert_eq!(
            why_hello(q),
            (1, String::new(), format!("buildroot-generator: {want}\n")),
            "{q}"
        );
    }
}

#[test]
fn a_missing_default_release_package_says_where_it_came_from() {
    // Repositories without fedora-release-eln (non-Fedora data): the
    // default's warning says it is the default and how to drop it.
    let t = TestContext::new();
    let repofile = t.join("no-release.repo");
    let r = root().display();
    std::fs::write(
        &repofile,
        format!(
            "[bin]\nbaseurl={r}/testdata/repos/$basearch\nexclude=fedora-release*\n\n\
             [src]\nbaseurl={r}/testdata/repos/source\n"
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let out = cmd(Tool::Generator)
            .args(["--arch", "x86_64", "--repofile"])
            .arg(&repofile)
            .args(extra)
            .write_stdin("hello\n")
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stderr).into_owned()
    };
    let err = run(&[]);
    assert!(
        err.lines().any(|l| l
            == "buildroot-generator: warning: core name 'fedora-release-eln' matches no package \
                (the --release-package default; --release-package '' for none)"),
        "{err}"
    );
    // Given explicitly, it is the user's name: the plain warning.
    let err = run(&["--release-package", "fedora-release-eln"]);
    assert!(
        err.lines().any(|l| l
            == "buildroot-generator: warning: core name 'fedora-release-eln' matches no package"),
        "{err}"
    );
    assert!(!run(&["--release-package="]).contains("fedora-release-eln"));
}

#[test]
fn a_binary_name_given_as_a_source_names_its_source() {
    let out = cmd(Tool::Generator)
        .args(FIXTURE_X86_64)
        .write_stdin("libjpeg-turbo-devel\nno-such-name\n")
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.contains(
            &"buildroot-generator: warning: libjpeg-turbo-devel: no source package of that name \
              (it is a binary of source libjpeg-turbo)"
        ),
        "{err}"
    );
    assert!(
        lines.contains(
            &"buildroot-generator: warning: no-such-name: no source package of that name"
        ),
        "{err}"
    );
}

#[test]
fn why_names_the_failed_builds_that_wanted_a_package() {
    // conflicted's BuildRequires want curl and curl-minimal, which conflict:
    // BadDeps. curl-minimal is then in no transaction; the answer is the
    // failed build, not "no build of the run needs it".
    let out = gen("x86_64")
        .args(["--why", "curl-minimal", "-"])
        .write_stdin("conflicted\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "buildroot-generator: 'curl-minimal' is not in the x86_64 buildroot: the build of \
         conflicted wanted it but failed (BadDeps: package curl-8.9.1-1.eln150.x86_64 conflicts \
         with curl-minimal provided by curl-minimal-8.9.1-1.eln150.x86_64)\n"
    );
    let v = why_json("curl-minimal", "conflicted\n", 1);
    assert!(v["chain"].is_null());
    assert_eq!(
        v["failed_builds"],
        serde_json::json!([{
            "source": "conflicted",
            "error": "BadDeps",
            "problem": "package curl-8.9.1-1.eln150.x86_64 conflicts with curl-minimal provided \
                        by curl-minimal-8.9.1-1.eln150.x86_64",
        }])
    );
    // Other answers' documents have no such key.
    let v = why_json("mawk", "conflicted\n", 1);
    assert!(v.get("failed_builds").is_none(), "{v}");
}

#[test]
fn why_names_the_builds_that_wanted_what_nothing_provides() {
    // broken BuildRequires does-not-exist-devel (NoInstall): asked about
    // that name, the answer names the build as well as "nothing provides it".
    let v = why_json("does-not-exist-devel", "broken\nhello\n", 1);
    assert_eq!(
        v["note"],
        "'does-not-exist-devel' is in no repository: no binary or source package of that name, \
         and nothing provides it; the build of broken wanted it but failed (NoInstall: nothing \
         provides 'does-not-exist-devel')"
    );
    assert_eq!(
        v["failed_builds"],
        serde_json::json!([{
            "source": "broken",
            "error": "NoInstall",
            "problem": "nothing provides 'does-not-exist-devel'",
        }])
    );
    // nasm exists only for x86_64: on aarch64 it is a source name alone,
    // and libjpeg-turbo's SRPM (made on x86_64) BuildRequires it.
    let out = gen("aarch64")
        .args(["--why", "nasm", "-"])
        .write_stdin("libjpeg-turbo\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or_default(),
        "buildroot-generator: 'nasm' is a source package, not a binary one; it is not a source \
         of the aarch64 buildroot's run; the build of libjpeg-turbo wanted it but failed \
         (NoInstall: nothing provides 'nasm')"
    );
}

#[test]
fn json_document() {
    let out = gen("aarch64")
        .args(["--json", "testdata/compose/sources.txt"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["arch"], "aarch64");
    assert_eq!(
        v["errors"]["broken"]["no_install"],
        serde_json::json!(["does-not-exist-devel"])
    );
    assert_eq!(
        v["errors"]["compat-32"]["no_install"],
        serde_json::json!(["libc.so.6"])
    );
    assert_eq!(
        v["errors"]["libjpeg-turbo"]["no_install"],
        serde_json::json!(["nasm"])
    );
    assert!(!v["errors"]["conflicted"]["bad_deps"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(v["core"]["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "rpm-build"));
}

#[test]
fn no_source_is_listed_and_reported() {
    let out = gen("x86_64")
        .args(["--json", "-"])
        .write_stdin("no-such-source\n")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["errors"]["no-such-source"]["no_source"], true);
    assert!(v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "no-such-source"));
}

#[test]
fn placeholders_resolve_their_build_requires() {
    let t = tempfile::tempdir().unwrap();
    let ph = t.path().join("ph.json");
    std::fs::write(
        &ph,
        r#"{"newthing": {"build_requires": ["nasm", "nothing-has-this"], "limit_arches": []}}"#,
    )
    .unwrap();
    let out = gen("x86_64")
        .arg("--placeholders")
        .arg(&ph)
        .args(["--json", "-"])
        .write_stdin("newthing\n")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(v["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "nasm"));
    assert_eq!(
        v["errors"]["newthing"]["no_install"],
        serde_json::json!(["nothing-has-this"])
    );
    // Every placeholder is part of the compose, listed on input or not.
    let out = gen("x86_64")
        .arg("--placeholders")
        .arg(&ph)
        .args(["--print", "sources", "-"])
        .write_stdin("hello\n")
        .assert()
        .success();
    let sources = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(sources.lines().any(|l| l == "newthing"), "{sources}");
    assert!(
        sources.lines().any(|l| l == "nasm"),
        "nasm's source: {sources}"
    );
    let why = gen("x86_64")
        .arg("--placeholders")
        .arg(&ph)
        .args(["--why", "nasm", "-"])
        .write_stdin("")
        .assert()
        .success();
    let why = String::from_utf8_lossy(&why.get_output().stdout).into_owned();
    assert!(why.contains("newthing (a placeholder)"), "{why}");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--arch", "vax", "--repo", "a=testdata/repos/x86_64"],
            "buildroot-generator: --arch vax: unknown architecture (known: x86_64, i686, i586, i486, i386, athlon, s390x, s390, ppc64, ppc64le, ppc64p7, aarch64, riscv64, armv7hl, armv7hnl, ia32e, amd64)",
        ),
        (
            vec!["--arch", "x86_64", "--repo", "a=/nonexistent/repo"],
            "buildroot-generator: /nonexistent/repo: repository directory does not exist",
        ),
        (
            vec![
                "--arch",
                "x86_64",
                "--repo",
                "a=testdata/repos/x86_64",
                "/nonexistent/list",
            ],
            "buildroot-generator: /nonexistent/list: No such file or directory",
        ),
        (
            vec!["--arch", "x86_64", "--repofile", "/nonexistent.repo"],
            "buildroot-generator: /nonexistent.repo: No such file or directory",
        ),
        (
            vec!["--arch", "x86_64"],
            "buildroot-generator: no repositories: give --repo/--source-repo ID=URL, --repofile FILE or --dnf-conf FILE",
        ),
    ];
    let t = TestContext::new();
    for (args, line) in cases {
        let mut c = cmd(Tool::Generator);
        c.args(&args);
        assert_eq!(expect_error(&t, c, "bash\n"), line, "{args:?}");
    }
}

#[test]
fn help_has_examples() {
    let out = cmd(Tool::Generator).arg("--help").assert().success();
    let h = String::from_utf8_lossy(&out.get_output().stdout);
    assert!(h.contains("Examples:") && h.contains("Exit codes:"));
}

#[test]
fn result_does_not_depend_on_thread_count() {
    let run = |threads: &str| {
        let t = tempfile::tempdir().unwrap();
        let out = gen("x86_64")
            .env("RAYON_NUM_THREADS", threads)
            .arg("--output-dir")
            .arg(t.path().join("o"))
            .args(["--json", "testdata/compose/sources.txt"])
            .assert()
            .success();
        let rel = std::fs::read(
            t.path()
                .join("o/buildroot-package-relations--view-eln--x86_64.json"),
        )
        .unwrap();
        (out.get_output().stdout.clone(), rel)
    };
    assert_eq!(run("1"), run("4"));
}

/// A repo in `dir` whose primary.xml (uncompressed, no checksums) holds
/// these `<package>` elements.
fn primary_repo(dir: &Path, packages: &[String]) {
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    let xml = format!(
        r#"<?xml version="1.0"?><metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{}">{}</metadata>"#,
        packages.len(),
        packages.concat()
    );
    std::fs::write(rd.join("primary.xml"), xml).unwrap();
    std::fs::write(
        rd.join("repomd.xml"),
        r#"<repomd><data type="primary"><location href="repodata/primary.xml"/></data></repomd>"#,
    )
    .unwrap();
}

/// A source repo of `(version, release, buildrequires)` candidates of `hello`.
fn hello_candidates(dir: &Path, cands: &[(&str, &str, &str)]) {
    let packages: Vec<String> = cands
        .iter()
        .map(|(v, r, br)| format!(
            r#"<package type="rpm"><name>hello</name><arch>src</arch><version epoch="0" ver="{v}" rel="{r}"/><location href="hello-{v}-{r}.src.rpm"/><format><rpm:requires><rpm:entry name="{br}"/></rpm:requires></format></package>"#
        ))
        .collect();
    primary_repo(dir, &packages);
}

#[test]
fn prefer_release_picks_the_newest_matching_candidate() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    hello_candidates(
        &src,
        &[
            ("2.12.1", "1.eln150", "nasm"),
            ("2.12.1", "1.eln151", "zlib-devel"),
            ("3.0", "1.fc42", "ncurses-devel"),
        ],
    );
    let run = |prefer: Option<&str>| {
        let mut c = cmd(Tool::Generator);
        c.current_dir(root())
            .args([
                "--arch",
                "x86_64",
                "-q",
                "--core",
                "bash",
                "--release-package",
                "",
            ])
            .args(["--repo", "main=testdata/repos/x86_64", "--source-repo"])
            .arg(format!("s={}", src.display()))
            .args(["--print", "source-nvrs"]);
        if let Some(p) = prefer {
            c.args(["--prefer-release", p]);
        }
        let out = c.write_stdin("hello\n").assert().success();
        lines(&out.get_output().stdout)
            .into_iter()
            .filter(|l| l.starts_with("hello-"))
            .collect::<Vec<_>>()
    };
    // Without a preference the highest EVR wins; with one, the highest EVR
    // among the matching releases (not the first match in repo order).
    assert_eq!(run(None), ["hello-3.0-1.fc42"]);
    assert_eq!(run(Some(r"eln\d+")), ["hello-2.12.1-1.eln151"]);
    assert_eq!(run(Some("eln150")), ["hello-2.12.1-1.eln150"]);
    // No candidate matches: the best candidate, as without the option.
    assert_eq!(run(Some("el9")), ["hello-3.0-1.fc42"]);
}

#[test]
fn repofile_sections_vars_excludes_and_disabled_repos() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("eln.repo");
    let r = root();
    std::fs::write(
        &repo,
        format!(
            "[eln-$basearch]\nbaseurl=file://{0}/testdata/repos/$arch\nexclude=nasm\n\n\
             [eln-source]\nbaseurl={0}/testdata/repos/source\n\n\
             [broken]\nenabled=0\nbaseurl=/nonexistent/repo\n",
            r.display()
        ),
    )
    .unwrap();
    let run = |arch: &str| {
        let mut c = cmd(Tool::Generator);
        let out = c
            .current_dir(r)
            .args(["--arch", arch, "-q", "--json", "--repofile"])
            .arg(&repo)
            .write_stdin("libjpeg-turbo\n")
            .assert()
            .success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    // The x86_64 SRPM's BuildRequires nasm; the section excludes it, and dnf
    // answers such a job with a problem, not "nothing provides".
    let v = run("x86_64");
    let bad = v["errors"]["libjpeg-turbo"]["bad_deps"].to_string();
    assert!(
        bad.contains("nasm") && bad.contains("filtered out by exclude filtering"),
        "{v}"
    );
    assert!(!v["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "nasm"));
    // $arch/$basearch point at the aarch64 repo there.
    let v = run("aarch64");
    assert!(v["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b == "bash"));
}

#[test]
fn output_dir_holds_every_binarys_why_chain() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    gen("x86_64")
        .arg("--output-dir")
        .arg(&out)
        .write_stdin("hello\n")
        .assert()
        .success();
    let why: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("buildroot-why.json")).unwrap())
            .unwrap();
    let names = std::fs::read_to_string(out.join("buildroot-binary-package-names.txt")).unwrap();
    for n in names.lines() {
        assert!(why[n].is_array(), "no chain for {n}");
    }
    // The same chain as --why prints.
    let chain = gen("x86_64")
        .args(["--why", "nasm"])
        .write_stdin("hello\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let steps: Vec<String> = why["nasm"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        String::from_utf8(chain).unwrap().trim_end(),
        steps.join(" <- ")
    );
    // Multilib: glibc is the core's glibc.x86_64, and glibc.i686 (for
    // compat-32's libc.so.6) has an entry of its own; no other key has an arch.
    let out = t.path().join("multilib");
    gen("x86_64")
        .arg("--output-dir")
        .arg(&out)
        .write_stdin("compat-32\n")
        .assert()
        .success();
    let why: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("buildroot-why.json")).unwrap())
            .unwrap();
    assert_eq!(why["glibc"][1], "required by bash", "{why}");
    assert_eq!(
        why["glibc.i686"],
        serde_json::json!(["glibc", "BuildRequires 'libc.so.6' of compat-32 (input)"])
    );
    let names = std::fs::read_to_string(out.join("buildroot-binary-package-names.txt")).unwrap();
    let keys: Vec<&String> = why.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), names.lines().count() + 1, "{keys:?}");
}

#[test]
fn only_binaries_keeps_everything_else_out() {
    let t = tempfile::tempdir().unwrap();
    let allowed = t.path().join("allowed.txt");
    // webfetch's build needs gcc and curl-minimal besides the core: leave gcc out.
    let core = "bash bzip2 coreutils cpio diffutils fedora-release-eln findutils gawk glibc glibc-minimal-langpack grep gzip info make patch redhat-rpm-config rpm-build sed shadow-utils tar unzip util-linux which xz";
    std::fs::write(&allowed, core.replace(' ', "\n") + "\ncurl-minimal\n").unwrap();
    let out = gen("x86_64")
        .arg("--only-binaries")
        .arg(&allowed)
        .arg("--json")
        .write_stdin("webfetch\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let bad = v["errors"]["webfetch"]["bad_deps"].to_string();
    assert!(bad.contains("filtered out by exclude filtering"), "{bad}");
    assert!(bad.contains("gcc"), "{bad}");
}

/// Step 10's allowed list naming binaries no repository has (a stale
/// compose list): one warning line with how many and the first few, sorted;
/// all of them in `--json`'s `only_binaries_unknown`; the answer and exit
/// code as without them (a warning, as content-resolver's for a package it
/// cannot find). A list whose every name is in the repos has no such line
/// and no such key; nor do content-resolver's placeholder packages.
#[test]
fn only_binaries_names_no_repository_has_are_a_warning() {
    let t = tempfile::tempdir().unwrap();
    let compose = std::fs::read_to_string(cli_tests::fixture("compose/x86_64.txt")).unwrap();
    let clean = t.path().join("clean.txt");
    std::fs::write(&clean, &compose).unwrap();
    let stale = t.path().join("stale.txt");
    let gone = ["zz-gone", "aa-stale", "m1", "m2", "m3", "m4", "m5"];
    // A placeholder's package as content-resolver's NEVRA lists mark it is
    // in no repo by design: not counted; nor is a NEVRA line whose version
    // the list heuristic does not take for one (texlive's `11:svn63514`)
    // when its name has a binary (the review: every ELN run warned).
    std::fs::write(
        &stale,
        format!(
            "{compose}{}\nph-bin-000-placeholder.placeholder\n\
             bash-11:svn63514-85.eln150.x86_64\n",
            gone.join("\n")
        ),
    )
    .unwrap();
    // Not `gen`: its -q would hide the warning.
    let run = |list: &Path, extra: &[&str]| {
        cmd(Tool::Generator)
            .args([
                "--arch",
                "x86_64",
                "--repo",
                "main=testdata/repos/$basearch",
            ])
            .args(["--source-repo", "src=testdata/repos/source"])
            .arg("--only-binaries")
            .arg(list)
            .args(extra)
            .write_stdin("hello\n")
            .output()
            .unwrap()
    };
    let warned = run(&stale, &[]);
    assert_eq!(warned.status.code(), Some(0));
    let err = String::from_utf8_lossy(&warned.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("no repository holds a binary of"))
        .collect();
    assert_eq!(
        lines,
        [format!(
            "buildroot-generator: warning: --only-binaries {}: 7 names no repository holds a \
             binary of on x86_64 (a stale compose list, or a repository missing?), so they have \
             nothing to allow: aa-stale, m1, m2, m3, m4 and 2 more",
            stale.display()
        )],
        "{err}"
    );
    let plain = run(&clean, &[]);
    assert_eq!(plain.stdout, warned.stdout);
    assert!(
        !String::from_utf8_lossy(&plain.stderr).contains("no repository holds"),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let json = |list: &Path| -> serde_json::Value {
        serde_json::from_slice(&run(list, &["--json", "-q"]).stdout).unwrap()
    };
    let mut sorted = gone.to_vec();
    sorted.sort();
    let v = json(&stale);
    assert_eq!(v["only_binaries_unknown"], serde_json::json!(sorted));
    let c = json(&clean);
    assert!(c.get("only_binaries_unknown").is_none(), "{c}");
    assert_eq!(v["binaries"], c["binaries"]);
}

/// A second run over the same repos reads the pool the first one cached
/// (`--timings` says so) and prints the same document; so does `--why`.
#[test]
fn second_run_reads_the_cached_pool_with_the_same_output() {
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out = gen("x86_64")
            .args(["--timings", "--cache-dir"])
            .arg(cache.path())
            .args(extra)
            .assert()
            .success();
        let o = out.get_output();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        let cached = stderr.contains("pool_cached=1");
        assert!(cached || stderr.contains("pool_cached=0"), "{stderr}");
        (String::from_utf8_lossy(&o.stdout).into_owned(), cached)
    };
    let json = ["--json", "testdata/compose/sources.txt"];
    let (first, cached) = run(&json);
    assert!(!cached);
    let (second, cached) = run(&json);
    assert!(cached);
    assert_eq!(first, second);
    let (why, cached) = run(&["--why", "nasm", "testdata/compose/sources.txt"]);
    assert!(cached);
    assert_eq!(
        why,
        "nasm <- BuildRequires 'nasm' of libjpeg-turbo (input)\n"
    );
    let pools: Vec<_> = std::fs::read_dir(cache.path().join("pools"))
        .unwrap()
        .collect();
    assert_eq!(pools.len(), 1);
}

/// RPM_BUILDROOT_POOL_CACHE=0 turns the pool cache off; a value that is
/// no number is one line naming the variable, exit 2.
#[test]
fn pool_cache_variable() {
    let cache = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = gen("x86_64")
            .env("RPM_BUILDROOT_POOL_CACHE", "0")
            .args(["--timings", "--cache-dir"])
            .arg(cache.path())
            .arg("testdata/compose/sources.txt")
            .assert()
            .success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains("pool_cached=0"), "{stderr}");
    }
    assert!(!cache.path().join("pools").exists());
    let out = gen("x86_64")
        .env("RPM_BUILDROOT_POOL_CACHE", "lots")
        .args(["--cache-dir"])
        .arg(cache.path())
        .arg("testdata/compose/sources.txt")
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("RPM_BUILDROOT_POOL_CACHE='lots'"),
        "{stderr}"
    );
}

/// The main `--json` document has exactly the keys docs/formats.md section
/// 10a lists, in that order; `core.names` keeps the command line's order.
#[test]
fn json_document_keys_and_core_order() {
    let out = gen("x86_64")
        .args(["--core", "zlib,bash,nope", "--json", "-"])
        .write_stdin("hello\nnosuch\n")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let keys = [
        "arch",
        "binaries",
        "sources",
        "binary_nvrs",
        "source_nvrs",
        "core",
        "errors",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| text.find(&format!("\n  \"{k}\"")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(v.as_object().unwrap().len(), keys.len());
    let core = v["core"].as_object().unwrap();
    let ck: Vec<&str> = core.keys().map(String::as_str).collect();
    let mut want = vec!["binaries", "missing", "names", "problems", "sources"];
    want.sort();
    let mut ck = ck;
    ck.sort();
    assert_eq!(ck, want);
    assert_eq!(
        v["core"]["names"],
        serde_json::json!(["zlib", "bash", "nope", "fedora-release-eln"])
    );
    assert_eq!(v["core"]["missing"], serde_json::json!(["nope"]));
    assert_eq!(
        v["errors"],
        serde_json::json!({"nosuch": {"no_source": true}})
    );
    assert_eq!(v["arch"], "x86_64");
}

/// A repo of `(name, source, requires)` packages, version 1-1 (`name=V`:
/// version V-1): an x86_64 binary built from `source`, or a source package
/// when `source` is `src` (its requires are BuildRequires). A requires is a
/// name, a rich dependency or `name < V`.
fn tiny_repo(dir: &Path, pkgs: &[(&str, &str, &[&str])]) {
    let mut packages = Vec::new();
    for (name, source, reqs) in pkgs {
        let (name, v) = name.split_once('=').unwrap_or((name, "1"));
        let reqs: String = reqs
            .iter()
            .map(|r| match r.split_once(" < ") {
                Some((n, v)) => {
                    format!(r#"<rpm:entry name="{n}" flags="LT" epoch="0" ver="{v}"/>"#)
                }
                None => format!(r#"<rpm:entry name="{r}"/>"#),
            })
            .collect();
        let (arch, srpm) = match *source {
            "src" => ("src", String::new()),
            s => ("x86_64", format!("{s}-1-1.src.rpm")),
        };
        packages.push(format!(
            r#"<package type="rpm"><name>{name}</name><arch>{arch}</arch><version epoch="0" ver="{v}" rel="1"/><location href="{name}-{v}-1.{arch}.rpm"/><format><rpm:sourcerpm>{srpm}</rpm:sourcerpm><rpm:provides><rpm:entry name="{name}" flags="EQ" epoch="0" ver="{v}" rel="1"/></rpm:provides><rpm:requires>{reqs}</rpm:requires></format></package>"#
        ));
    }
    primary_repo(dir, &packages);
}

#[test]
fn why_follows_a_rich_dependency_only_where_its_condition_holds() {
    // A conditional Requires or BuildRequires asks for its package only when
    // the condition holds: `(a if b)` without b installed asks for nothing,
    // so a chain must not pass through it even though a provides its left
    // side. Here a and c are always there for another reason (r, r2).
    let t = tempfile::tempdir().unwrap();
    let (bin, src) = (t.path().join("bin"), t.path().join("src"));
    tiny_repo(
        &bin,
        &[
            ("a", "a", &[]),
            ("b", "b", &[]),
            ("c", "c", &[]),
            ("r", "r", &["a"]),
            ("r2", "r2", &["c"]),
            ("q", "q", &["(a if b)"]),
            ("q2", "q2", &["(a if b else c)"]),
        ],
    );
    tiny_repo(
        &src,
        &[
            ("s", "src", &["q", "r"]),
            ("t", "src", &["(a if b)", "r"]),
            ("u", "src", &["q2", "b", "r2"]),
        ],
    );
    let why = |query: &str, input: &str| -> serde_json::Value {
        let out = tiny_gen(&bin, &src)
            .args(["--why", query, "--json", "-"])
            .write_stdin(format!("{input}\n"))
            .assert()
            .success();
        let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        v["chain"].clone()
    };
    let chain = |steps: &[&str]| serde_json::json!(steps);
    // b is not installed: q's `(a if b)` does not require a; r does.
    assert_eq!(
        why("a", "s"),
        chain(&["a", "required by r", "BuildRequires 'r' of s (input)"])
    );
    // The same condition as a BuildRequires asks for nothing either.
    assert_eq!(
        why("a", "t"),
        chain(&["a", "required by r", "BuildRequires 'r' of t (input)"])
    );
    // b is installed: q2 requires a, not its else branch c.
    assert_eq!(
        why("a", "u"),
        chain(&["a", "required by q2", "BuildRequires 'q2' of u (input)"])
    );
    assert_eq!(
        why("c", "u"),
        chain(&["c", "required by r2", "BuildRequires 'r2' of u (input)"])
    );
}

/// `--why` on a run of `bin` and `src` (tiny_repo) with `input`, no core: the
/// chain, and the same from `buildroot-why.json`.
/// The generator on a [`tiny_repo`] pair, with no core and no release
/// package: each source's BuildRequires alone.
fn tiny_gen(bin: &Path, src: &Path) -> Command {
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        "x86_64",
        "-q",
        "--core",
        "",
        "--release-package",
        "",
    ])
    .arg("--repo")
    .arg(format!("bin={}", bin.display()))
    .arg("--source-repo")
    .arg(format!("src={}", src.display()));
    c
}

fn tiny_why(bin: &Path, src: &Path, query: &str, input: &str) -> (Vec<String>, Vec<String>) {
    let t = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        tiny_gen(bin, src)
            .args(extra)
            .write_stdin(input.to_string())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let printed = String::from_utf8(run(&["--why", query, "-"])).unwrap();
    let out = t.path().join("out");
    run(&["--output-dir", out.to_str().unwrap(), "-"]);
    let why: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("buildroot-why.json")).unwrap())
            .unwrap();
    let json = why[query]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    (
        printed
            .trim_end()
            .split(" <- ")
            .map(str::to_string)
            .collect(),
        json,
    )
}

#[test]
fn why_shows_the_shortest_chain_of_the_earliest_layer() {
    // Sources of one layer install t: the chain shown is the one with the
    // fewest steps, not the first source's in name order (a packager asks
    // "why": the most direct reason is the answer).
    let d = tempfile::tempdir().unwrap();
    let (bin, src) = (d.path().join("bin"), d.path().join("src"));
    tiny_repo(
        &bin,
        &[
            ("t", "t", &[]),
            ("x1", "x1", &["x2"]),
            ("x2", "x2", &["t"]),
            ("y1", "y1", &["apd"]),
            ("apd", "ap", &[]),
            ("zqd", "zq", &[]),
        ],
    );
    tiny_repo(
        &src,
        &[
            ("aa", "src", &["x1"]),
            ("zz", "src", &["t"]),
            ("i1", "src", &["zqd"]),
            ("i2", "src", &["y1"]),
            ("ap", "src", &["t"]),
            ("zq", "src", &["t"]),
        ],
    );
    let steps = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Layer 0: aa's chain for t is three steps, zz's one.
    let want = steps(&["t", "BuildRequires 't' of zz (input)"]);
    assert_eq!(tiny_why(&bin, &src, "t", "aa\nzz\n"), (want.clone(), want));
    // Layer 1: ap and zq both BuildRequire t; zq came in more directly
    // (i1 BuildRequires its zqd; ap's apd is required by i2's y1).
    let want = steps(&[
        "t",
        "BuildRequires 't' of zq",
        "zq built because zqd",
        "BuildRequires 'zqd' of i1 (input)",
    ]);
    assert_eq!(tiny_why(&bin, &src, "t", "i1\ni2\n"), (want.clone(), want));
    // Equally short chains: the first source in name order.
    let want = steps(&["t", "BuildRequires 't' of ap (input)"]);
    assert_eq!(tiny_why(&bin, &src, "t", "zz\nap\n"), (want.clone(), want));
}

#[test]
fn why_with_a_version_answers_about_that_version_when_the_buildroot_has_it() {
    // s1's `foo < 2` installs foo-1, s2's `foo` foo-2: both are in the
    // buildroot, each with its own chain. A query naming foo-2 is about
    // foo-2, not "the buildroot has foo-1, not foo-2".
    let d = tempfile::tempdir().unwrap();
    let (bin, src) = (d.path().join("bin"), d.path().join("src"));
    tiny_repo(&bin, &[("foo=1", "foo", &[]), ("foo=2", "foo", &[])]);
    tiny_repo(
        &src,
        &[
            ("s1", "src", &["foo < 2"]),
            ("s2", "src", &["foo"]),
            ("foo=2", "src", &[]),
        ],
    );
    let why = |query: &str| -> (i32, String, String) {
        let out = tiny_gen(&bin, &src)
            .args(["--why", query, "-"])
            .write_stdin("s1\ns2\n")
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let foo1 = "foo <- BuildRequires 'foo < 2' of s1 (input)\n";
    let foo2 = "foo <- BuildRequires 'foo' of s2 (input)\n";
    // A query with an arch gets the arch on the line's packages.
    let foo1_arch = "foo.x86_64 <- BuildRequires 'foo < 2' of s1 (input)\n";
    let foo2_arch = "foo.x86_64 <- BuildRequires 'foo' of s2 (input)\n";
    for (q, want) in [
        ("foo-2-1.x86_64", foo2_arch),
        ("foo-2-1", foo2),
        ("foo-2", foo2),
        ("foo-2-1.x86_64.rpm", foo2_arch),
    ] {
        assert_eq!(why(q), (0, want.to_string(), String::new()), "{q}");
    }
    // Without a version: the one the earliest build installs (s1, by name).
    for (q, want) in [
        ("foo", foo1),
        ("foo.x86_64", foo1_arch),
        ("foo-1-1.x86_64", foo1_arch),
    ] {
        assert_eq!(why(q), (0, want.to_string(), String::new()), "{q}");
    }
    // A version it does not have: the note, as before.
    assert_eq!(
        why("foo-3"),
        (
            0,
            foo1.to_string(),
            "buildroot-generator: note: the x86_64 buildroot has foo-1-1.x86_64, not foo-3: the \
             chain is that package's\n"
                .to_string()
        )
    );
}

#[test]
fn a_view_without_an_output_dir_is_a_warning() {
    // --view only names the view in --output-dir's relations JSON: given
    // alone it changed nothing, without a word (said without -q).
    let out = cmd(Tool::Generator)
        .args(FIXTURE_X86_64)
        .args(["--view", "view-mine", "-"])
        .write_stdin("hello\n")
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains(
            "buildroot-generator: warning: --view view-mine: only named in the relations JSON \
             that --output-dir writes, and no --output-dir is given: it changes nothing\n"
        ),
        "{err}"
    );
    // With --output-dir it names the view, and nothing is said.
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("out");
    let out = cmd(Tool::Generator)
        .args(FIXTURE_X86_64)
        .args(["--view", "view-mine", "--output-dir"])
        .arg(&dir)
        .arg("-")
        .write_stdin("hello\n")
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(!err.contains("--view"), "{err}");
    let relations = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("relations"))
        .expect("a relations JSON");
    let text = std::fs::read_to_string(dir.join(relations)).unwrap();
    assert!(text.contains("view-mine"), "{text}");
}
