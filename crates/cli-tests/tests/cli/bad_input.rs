//! The bad-input catalogue over the tools: every case must end with exit
//! code 2 (or 0 with a warning where the contract says so), one line on
//! stderr naming the file and the problem, no panic, and no partial output.
//! Each case compares that whole line (temp paths as `[TMP]`, the test
//! server as `[SERVER]`), so a change of wording shows here.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cli_tests::{
    bin, cmd, expect_error, file_named, root, srpm_cache_dir, std_cmd, TestContext, Tool,
};

/// The checksum (and file name prefix) of the fixture x86_64 repo's primary.
const PRIMARY_SHA256: &str = "665dbc5f4a980a7f80a08bd98439dac373846959674ca4ffd370f356e6f1eb12";

/// The primary of [`repo_copy`], as the messages show it.
const PRIMARY: &str = "[TMP]/repo/repodata/665dbc5f4a980a7f80a08bd98439dac373846959674ca4ffd370f356e6f1eb12-primary.xml.gz";

/// A copy of the fixture x86_64 repo that a case may damage.
fn repo_copy(t: &Path) -> PathBuf {
    let dst = t.join("repo");
    std::fs::create_dir_all(dst.join("repodata")).unwrap();
    for e in std::fs::read_dir(root().join("testdata/repos/x86_64/repodata")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dst.join("repodata").join(e.file_name())).unwrap();
    }
    dst
}

fn meta_file(repo: &Path, kind: &str) -> PathBuf {
    file_named(&repo.join("repodata"), |n| {
        n.contains(&format!("-{kind}.xml"))
    })
}

/// Rewrites repomd.xml's checksum of `kind` to the file's real one (so a
/// damaged file fails on its content, not on the checksum).
fn fix_checksum(repo: &Path, kind: &str) {
    let f = meta_file(repo, kind);
    let sum = buildroot_core::rpmmd::sha256_file(&f).unwrap();
    let repomd = repo.join("repodata/repomd.xml");
    let text = std::fs::read_to_string(&repomd).unwrap();
    let mut out = String::new();
    let mut in_kind = false;
    for line in text.lines() {
        if line.contains(&format!("<data type=\"{kind}\">")) {
            in_kind = true;
        }
        if in_kind && line.trim_start().starts_with("<checksum ") {
            out.push_str(&format!("    <checksum type=\"sha256\">{sum}</checksum>\n"));
            in_kind = false;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(repomd, out).unwrap();
}

fn gen_args(repo: &Path) -> Vec<String> {
    vec![
        "--arch".into(),
        "x86_64".into(),
        "--repo".into(),
        format!("r={}", repo.display()),
        "--core".into(),
        "bash".into(),
    ]
}

/// Runs a case, checks the catalogue's rules (exit 2, no panic, no stdout,
/// one line on stderr) and that the line is `expected`.
#[track_caller]
fn expect(t: &TestContext, c: Command, stdin: &str, expected: &str) {
    let line = expect_error(t, c, stdin);
    assert_eq!(line, expected);
}

#[test]
fn generator_refuses_a_line_whose_name_would_be_a_path_in_the_output() {
    // NoSource names become errors/NAME-NoSource: '../../x' wrote outside
    // the output directory, 'a/b' a directory inside it, a NUL failed the
    // write at the end. Refused before anything is written.
    let t = TestContext::new();
    let out = t.join("run/out");
    for (stdin, want) in [
        (
            "hello\n../../escaped\n",
            "buildroot-generator: <stdin>: '../../escaped' is not a package name: no package \
             name holds '/' (a spec or SRPM file is given as --spec/--srpm FILE)",
        ),
        (
            "/srv/srpms/unknown-1.0-1.eln150.src.rpm\n",
            "buildroot-generator: <stdin>: '/srv/srpms/unknown-1.0-1.eln150.src.rpm' is not a \
             package name: no package name holds '/' (a spec or SRPM file is given as \
             --spec/--srpm FILE)",
        ),
        (
            "hello\nfoo\u{0}bar\n",
            "buildroot-generator: <stdin>:2: 'foo\\u{0}bar' is not a package name: it holds a \
             control character (a NUL: UTF-16 text, or a NUL-separated list? a list is UTF-8 \
             text, one name per line)",
        ),
    ] {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"])
            .args(["--source-repo", "s=testdata/repos/source", "--output-dir"])
            .arg(&out);
        expect(&t, c, stdin, want);
        assert!(!out.exists(), "{stdin:?}: nothing written");
        assert!(!t.join("run/escaped-NoSource").exists(), "{stdin:?}");
    }
    // The path of an SRPM the repositories have is its name, as before.
    cmd(Tool::Generator)
        .args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"])
        .args(["--source-repo", "s=testdata/repos/source", "-q"])
        .write_stdin("/srv/srpms/hello-2.12.1-1.eln150.src.rpm\n")
        .assert()
        .success();
}

/// buildroot-generator on the fixture's binary repo for x86_64.
fn generator_x86_64() -> Command {
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"]);
    c
}

/// identify-archful-srpms on the fixture's source repo for x86_64, caching
/// into `cache`.
fn identify_x86_64(cache: &Path) -> Command {
    let mut c = cmd(Tool::IdentifyArchful);
    c.args([
        "--source-repo",
        "s=testdata/repos/source",
        "--arch",
        "x86_64",
    ])
    .arg("--cache")
    .arg(cache);
    c
}

/// A list line holding a control character, a list saved as UTF-16, or one
/// whose lines end in CR alone, is refused by every tool that reads lists
/// (on its line where it has one): workload-diff put
/// such a name into the workload YAML (`- "fo\x01o"`) and
/// identify-archful-srpms looked it up, where the generator alone refused it
/// (without the line's number).
#[test]
fn every_list_reader_refuses_control_characters_and_utf16() {
    let t = TestContext::new();
    let ctl = t.path().join("ctl.txt");
    std::fs::write(&ctl, "bash\nfo\x01o\n").unwrap();
    let utf16 = t.path().join("utf16.txt");
    std::fs::write(&utf16, b"\xff\xfeb\0a\0s\0h\0\n\0").unwrap();
    let ctl_line = "[TMP]/ctl.txt:2: 'fo\\u{1}o' is not a package name: it holds a control \
                    character";
    // Lines ended by CR alone, the first a comment, which hid every name.
    let cr = t.path().join("cr.txt");
    std::fs::write(&cr, "# my list\rhello\rnosuchpkg\r").unwrap();
    let cr_line = "[TMP]/cr.txt: its lines end in CR alone (classic Mac OS line ends): a list's \
                   lines end in LF or CRLF (tr '\\r' '\\n' converts it)";
    let utf16_line = "[TMP]/utf16.txt: UTF-16 text (it starts with a UTF-16 byte order mark): \
                      a list is UTF-8 text (iconv -f UTF-16 -t UTF-8 converts it)";
    for (list, line) in [(&ctl, ctl_line), (&utf16, utf16_line), (&cr, cr_line)] {
        let mut c = cmd(Tool::WorkloadDiff);
        c.arg("--compose")
            .arg(format!("x86_64={}", list.display()))
            .args(["--buildroot", "x86_64=testdata/compose/x86_64.txt"]);
        expect(&t, c, "", &format!("workload-diff: {line}"));
        let mut c = cmd(Tool::WorkloadDiff);
        c.args(["--compose", "x86_64=testdata/compose/x86_64.txt"])
            .arg("--exclude")
            .arg(list)
            .args(["--buildroot", "x86_64=testdata/compose/x86_64.txt"]);
        expect(&t, c, "", &format!("workload-diff: {line}"));
        let cache = t.path().join("cache");
        let mut c = identify_x86_64(&cache);
        c.arg(list);
        expect(&t, c, "", &format!("identify-archful-srpms: {line}"));
        assert!(!cache.exists(), "nothing written");
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"])
            .args(["--core-file"])
            .arg(list);
        expect(&t, c, "", &format!("buildroot-generator: {line}"));
    }
}

/// A package name given where INPUT's list file goes (a new user's first
/// try) is answered with how names are given, by every tool that takes
/// INPUT; nothing is written.
#[test]
fn a_name_given_as_the_input_file_says_how_to_give_names() {
    let t = TestContext::new();
    let hint = "hello: No such file or directory (the input is a file listing names, one per \
                line; to give names, pipe them in: echo hello | ...)";
    let mut c = generator_x86_64();
    c.args(["hello"]);
    expect(&t, c, "", &format!("buildroot-generator: {hint}"));
    let cache = t.path().join("cache");
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(&cache)
        .arg("hello");
    expect(&t, c, "", &format!("identify-archful-srpms: {hint}"));
    assert!(!cache.exists());
    srpm_cache_dir(&cache);
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(t.path().join("out"))
        .arg("hello");
    expect(&t, c, "", &format!("create-srpm-repos: {hint}"));
    assert!(!t.path().join("out").exists());
}

/// The generator over a copy of the fixture repo that `damage` changed.
#[track_caller]
fn damaged(damage: impl FnOnce(&Path), expected: &str) {
    let t = TestContext::new();
    let repo = repo_copy(t.path());
    damage(&repo);
    let mut c = cmd(Tool::Generator);
    c.args(gen_args(&repo));
    expect(&t, c, "bash\n", expected);
}

#[test]
fn truncated_gzip_primary() {
    damaged(
        |r| {
            let f = meta_file(r, "primary");
            let b = std::fs::read(&f).unwrap();
            std::fs::write(&f, &b[..b.len() / 2]).unwrap();
            fix_checksum(r, "primary");
        },
        &format!(
            "buildroot-generator: {PRIMARY}: cannot decompress or read: incomplete deflate stream"
        ),
    );
}

#[test]
fn corrupt_gzip_primary() {
    damaged(
        |r| {
            let f = meta_file(r, "primary");
            let mut b = std::fs::read(&f).unwrap();
            for x in b.iter_mut().skip(20).take(200) {
                *x ^= 0x5a;
            }
            std::fs::write(&f, b).unwrap();
            fix_checksum(r, "primary");
        },
        &format!(
            "buildroot-generator: {PRIMARY}: cannot decompress or read: corrupt deflate stream"
        ),
    );
}

/// Replaces the primary with another codec's compression, truncated or with
/// bytes flipped in the middle of the compressed stream.
fn recompressed(codec: &str, truncate: bool, problem: &str) {
    damaged(
        |r| {
            let f = meta_file(r, "primary");
            let xml = {
                let mut d = flate2::read::GzDecoder::new(std::fs::File::open(&f).unwrap());
                let mut v = Vec::new();
                std::io::Read::read_to_end(&mut d, &mut v).unwrap();
                v
            };
            let mut packed = match codec {
                "zst" => zstd::encode_all(&xml[..], 3).unwrap(),
                _ => {
                    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
                    e.write_all(&xml).unwrap();
                    e.finish().unwrap()
                }
            };
            if truncate {
                packed.truncate(packed.len() / 2);
            } else {
                let mid = packed.len() / 2;
                for x in &mut packed[mid..mid + 64] {
                    *x ^= 0xa5;
                }
            }
            std::fs::write(&f, packed).unwrap();
            fix_checksum(r, "primary");
        },
        &format!("buildroot-generator: {PRIMARY}: cannot decompress or read: {problem}"),
    );
}

#[test]
fn truncated_zstd_primary() {
    recompressed("zst", true, "incomplete frame");
}

#[test]
fn truncated_xz_primary() {
    recompressed("xz", true, "premature eof");
}

#[test]
fn corrupt_zstd_primary() {
    recompressed("zst", false, "Data corruption detected");
}

#[test]
fn corrupt_xz_primary() {
    recompressed("xz", false, "lzma data error");
}

#[test]
fn malformed_primary_xml() {
    damaged(
        |r| {
            let f = meta_file(r, "primary");
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b"<metadata><package><name>x</nam></package></metadata>")
                .unwrap();
            std::fs::write(&f, e.finish().unwrap()).unwrap();
            fix_checksum(r, "primary");
        },
        &format!("buildroot-generator: {PRIMARY}: malformed XML at byte 26: expected </name>, found </nam>"),
    );
}

#[test]
fn malformed_repomd() {
    damaged(
        |r| {
            std::fs::write(
                r.join("repodata/repomd.xml"),
                "<repomd><data type=\"primary\"></repomd>",
            )
            .unwrap()
        },
        "buildroot-generator: [TMP]/repo/repodata/repomd.xml: malformed XML at byte 38: ill-formed document: expected `</data>`, but `</repomd>` was found",
    );
}

#[test]
fn repomd_points_at_missing_file() {
    damaged(
        |r| std::fs::remove_file(meta_file(r, "primary")).unwrap(),
        &format!("buildroot-generator: {PRIMARY}: listed in repomd.xml but missing"),
    );
}

#[test]
fn checksum_mismatch() {
    damaged(
        |r| {
            let f = meta_file(r, "primary");
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b"<metadata packages=\"0\"></metadata>")
                .unwrap();
            std::fs::write(&f, e.finish().unwrap()).unwrap();
        },
        &format!("buildroot-generator: {PRIMARY}: checksum mismatch: repomd.xml says sha256 {PRIMARY_SHA256}, file has 34459b40bc55598fd0db7400d81cccad621c1d625867060764115c26b40d9a34"),
    );
}

#[test]
fn not_a_repository() {
    let t = TestContext::new();
    let mut c = cmd(Tool::Generator);
    c.args(gen_args(t.path()));
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: [TMP]: not an rpm-md repository (no repodata/repomd.xml)",
    );
}

/// `--repo m=DIR/repodata`, one level too deep: the line says it is the
/// repodata/ directory and names the parent to give (it said only "no
/// repodata/repomd.xml", though repomd.xml was right there).
#[test]
fn a_repodata_directory_given_as_the_repository_names_its_parent() {
    let t = TestContext::new();
    let mut c = cmd(Tool::Generator);
    c.args(gen_args(Path::new("testdata/repos/x86_64/repodata")));
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: testdata/repos/x86_64/repodata: not an rpm-md repository (no \
         repodata/repomd.xml); it is a repodata/ directory itself: give the repository, its \
         parent testdata/repos/x86_64",
    );
}

fn srpm_cache_case(bytes: impl FnOnce(Vec<u8>) -> Vec<u8>, expected: &str) {
    let t = TestContext::new();
    let cache = t.path().join("cache");
    srpm_cache_dir(&cache);
    let orig =
        std::fs::read(root().join("testdata/repos/source/libjpeg-turbo-3.0.3-1.eln150.src.rpm"))
            .unwrap();
    std::fs::write(
        cache.join("libjpeg-turbo-3.0.3-1.eln150.src.rpm"),
        bytes(orig),
    )
    .unwrap();
    std::fs::write(t.path().join("archful"), "libjpeg-turbo\n").unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful"))
        .arg("--out")
        .arg(t.path().join("out"));
    expect(&t, c, "libjpeg-turbo\n", expected);
    assert!(
        !t.path().join("out/repodata").exists(),
        "no repodata for a failed run"
    );
}

#[test]
fn srpm_with_bad_magic() {
    srpm_cache_case(
        |mut b| {
            b[..4].copy_from_slice(b"JUNK");
            b
        },
        "create-srpm-repos: [TMP]/cache/libjpeg-turbo-3.0.3-1.eln150.src.rpm: not a valid RPM file (bad lead magic) (run identify-archful-srpms with --cache [TMP]/cache to fetch it again)",
    );
}

#[test]
fn srpm_cut_in_half() {
    srpm_cache_case(|b| b[..b.len() / 2].to_vec(), "create-srpm-repos: [TMP]/cache/libjpeg-turbo-3.0.3-1.eln150.src.rpm: not a valid RPM file (signature header: truncated) (run identify-archful-srpms with --cache [TMP]/cache to fetch it again)");
}

#[test]
fn spec_the_evaluator_cannot_read() {
    // An unbalanced %if: create-srpm-repos cannot regenerate the SRPM for the arch.
    let t = TestContext::new();
    let cache = t.path().join("cache");
    srpm_cache_dir(&cache);
    let spec = buildroot_core::srpm::SrpmSpec {
        name: "odd".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "odd".into(),
        spec_name: "odd.spec".into(),
        spec_text: "Name: odd\nVersion: 1\nRelease: 1\n%ifarch x86_64\nBuildRequires: nasm\n"
            .into(),
        build_time: 1,
        ..Default::default()
    };
    std::fs::write(
        cache.join("odd-1-1.src.rpm"),
        buildroot_core::srpm::build_srpm(&spec).unwrap(),
    )
    .unwrap();
    std::fs::write(t.path().join("archful"), "odd\n").unwrap();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful"))
        .arg("--out")
        .arg(t.path().join("out"));
    expect(
        &t,
        c,
        "odd\n",
        "create-srpm-repos: [TMP]/cache/odd-1-1.src.rpm: spec: line 4: Unclosed %if (no %endif)",
    );
}

#[test]
fn unknown_arch_everywhere() {
    let t = TestContext::new();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "sparc64x", "--repo", "r=testdata/repos/x86_64"]);
    expect(&t, c, "bash\n", "buildroot-generator: --arch sparc64x: unknown architecture (known: x86_64, i686, i586, i486, i386, athlon, s390x, s390, ppc64, ppc64le, ppc64p7, aarch64, riscv64, armv7hl, armv7hnl, ia32e, amd64)");
    let mut c = cmd(Tool::IdentifyArchful);
    c.args([
        "--arch",
        "sparc64x",
        "--source-repo",
        "s=testdata/repos/source",
        "--cache",
        "/tmp/unused-cache-x",
    ]);
    expect(
        &t,
        c,
        "bash\n",
        "identify-archful-srpms: --arch sparc64x: unknown architecture (known: x86_64, i686, i586, i486, i386, athlon, s390x, s390, ppc64, ppc64le, ppc64p7, aarch64, riscv64, armv7hl, armv7hnl, ia32e, amd64)",
    );
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args([
        "--arch",
        "sparc64x",
        "--cache",
        "/tmp",
        "--archful",
        "/dev/null",
        "--out",
        "/tmp/unused-out-x",
    ]);
    expect(
        &t,
        c,
        "bash\n",
        "create-srpm-repos: --arch sparc64x: unknown architecture (known: x86_64, i686, i586, i486, i386, athlon, s390x, s390, ppc64, ppc64le, ppc64p7, aarch64, riscv64, armv7hl, armv7hnl, ia32e, amd64)",
    );
}

/// A `--view` goes into output file names: an id no content-resolver config
/// file can have (`/`, empty, `.yaml`) is refused by every tool that takes
/// one, before anything is written (the audit's `x/../../../escaped` wrote
/// outside `--output-dir`), and so is one too long for the names it goes
/// into (a 250-byte id passed, and failed with ENAMETOOLONG after the work).
#[test]
fn view_ids_that_are_not_config_file_names() {
    let t = TestContext::new();
    let od = t.join("a/b/od");
    let why = "not a view id (a content-resolver config file's name without .yaml)";
    let long = "v".repeat(202);
    for (view, problem) in [
        ("x/../../../escaped", "it contains '/'"),
        ("a/b", "it contains '/'"),
        ("", "it is empty"),
        ("v.yaml", "it contains '.yaml'"),
        (
            long.as_str(),
            "it is longer than 201 bytes, too long for the file names it goes into",
        ),
    ] {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"])
            .args(["--view", view, "--output-dir"])
            .arg(&od);
        expect(
            &t,
            c,
            "bash\n",
            &format!("buildroot-generator: --view '{view}': {why}: {problem}"),
        );
        let mut c = cmd(Tool::ComposeView);
        c.args(["--configs", "testdata/content-resolver", "--view", view]);
        expect(
            &t,
            c,
            "",
            &format!("compose-view: --view '{view}': {why}: {problem}"),
        );
        let mut c = cmd(Tool::FetchCompose);
        c.args([
            "--url", "testdata", "--arch", "x86_64", "--view", view, "--out",
        ])
        .arg(t.join("c"));
        expect(
            &t,
            c,
            "",
            &format!("fetch-compose: --view '{view}': {why}: {problem}"),
        );
        let mut c = cmd(Tool::WorkloadDiff);
        c.args([
            "--compose",
            "x86_64=/dev/null",
            "--buildroot",
            "x86_64=/dev/null",
        ])
        .args(["--view", view]);
        expect(
            &t,
            c,
            "",
            &format!("workload-diff: --view '{view}': {why}: {problem}"),
        );
    }
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        0,
        "something was written"
    );
}

#[test]
fn empty_input_and_unknown_names_are_warnings() {
    let out = cmd(Tool::Generator)
        .args([
            "--arch",
            "x86_64",
            "--repo",
            "r=testdata/repos/x86_64",
            "--source-repo",
            "s=testdata/repos/source",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the input lists no sources"));
    assert!(
        !out.stdout.is_empty(),
        "the core buildroot is still printed"
    );
    let out = cmd(Tool::Generator)
        .args([
            "--arch",
            "x86_64",
            "--repo",
            "r=testdata/repos/x86_64",
            "--source-repo",
            "s=testdata/repos/source",
        ])
        .write_stdin("no-such-thing\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-thing: no source package"));
}

/// A UTF-8 byte order mark (what Windows editors start a file with) is not
/// part of the first name, section or key: every hand-editable text input
/// reads the same with and without it.
#[test]
fn a_byte_order_mark_is_dropped_in_every_text_input() {
    const BOM: &str = "\u{feff}";
    let t = TestContext::new();
    let fixture = |args: &[&str]| {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--print", "sources"])
            .args(args);
        c
    };
    let run = |mut c: Command, stdin: &str| {
        let out = c.write_stdin(stdin.to_string()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains(BOM), "{err}");
        String::from_utf8(out.stdout).unwrap()
    };
    let repos = [
        "--repo",
        "main=testdata/repos/x86_64",
        "--source-repo",
        "src=testdata/repos/source",
    ];
    let plain = run(fixture(&repos), "hello\nwebfetch\n");
    assert!(plain.contains("hello\n"), "{plain}");
    // A list: the input file, stdin, --only-binaries (one shared reader).
    let list = t.path().join("list.txt");
    std::fs::write(&list, format!("{BOM}hello\r\nwebfetch\r\n")).unwrap();
    let mut c = fixture(&repos);
    c.arg(&list);
    assert_eq!(run(c, ""), plain);
    assert_eq!(
        run(fixture(&repos), &format!("{BOM}hello\nwebfetch\n")),
        plain
    );
    // A .repo file whose first line is its first section.
    let repo = t.path().join("fixture.repo");
    let dir = root().join("testdata/repos");
    std::fs::write(
        &repo,
        format!(
            "{BOM}[bin]\nbaseurl=file://{}/x86_64\n[src]\nbaseurl=file://{}/source\n",
            dir.display(),
            dir.display()
        ),
    )
    .unwrap();
    let mut c = fixture(&[]);
    c.arg("--repofile").arg(&repo);
    assert_eq!(run(c, "hello\nwebfetch\n"), plain);
    // Placeholder JSON.
    let ph = t.path().join("ph.json");
    std::fs::write(
        &ph,
        format!("{BOM}{{\"newthing\": {{\"build_requires\": [\"nasm\"]}}}}\n"),
    )
    .unwrap();
    let mut c = fixture(&repos);
    c.arg("--placeholders").arg(&ph);
    assert!(run(c, "newthing\n").contains("newthing\n"));
    // workload-diff: a list and a workload YAML (the YAML reader takes a
    // byte order mark as YAML allows).
    let compose = t.path().join("x86_64.txt");
    let text = std::fs::read_to_string(root().join("testdata/compose/x86_64.txt")).unwrap();
    std::fs::write(&compose, format!("{BOM}{text}")).unwrap();
    let br = t.path().join("br.txt");
    std::fs::write(&br, format!("{BOM}bash\nnasm\nzlib\n")).unwrap();
    let workload = |compose: &Path, br: &Path| {
        let mut c = cmd(Tool::WorkloadDiff);
        c.arg("--compose")
            .arg(format!("x86_64={}", compose.display()))
            .arg("--buildroot")
            .arg(format!("x86_64={}", br.display()));
        c
    };
    let with_bom = run(workload(&compose, &br), "");
    let plain_br = t.path().join("plain-br.txt");
    std::fs::write(&plain_br, "bash\nnasm\nzlib\n").unwrap();
    let want = run(
        workload(&root().join("testdata/compose/x86_64.txt"), &plain_br),
        "",
    );
    assert_eq!(with_bom, want);
    let yaml = t.path().join("workload.yaml");
    std::fs::write(&yaml, format!("{BOM}{want}")).unwrap();
    let mut c = cmd(Tool::WorkloadDiff);
    c.args(["--format", "allowed", "--compose"])
        .arg(format!("x86_64={}", compose.display()))
        .arg("--workload")
        .arg(&yaml);
    let allowed = run(c, "");
    assert!(allowed.lines().any(|l| l == "nasm"), "{allowed}");
    // A content-resolver config (compose-view's YAML reader).
    let configs = t.path().join("configs");
    std::fs::create_dir(&configs).unwrap();
    for e in std::fs::read_dir(root().join("testdata/content-resolver")).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(configs.join(p.file_name().unwrap()), format!("{BOM}{text}")).unwrap();
    }
    let mut c = cmd(Tool::ComposeView);
    c.arg("--check").arg("--configs").arg(&configs);
    run(c, "");
}

fn repofile_case(text: &str, expected: &str) {
    let t = TestContext::new();
    let f = t.path().join("broken.repo");
    std::fs::write(&f, text).unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"]).arg(&f);
    expect(&t, c, "bash\n", expected);
}

#[test]
fn repofile_with_broken_section() {
    repofile_case(
        "[ok]\nbaseurl=/x\n[broken\nbaseurl=/y\n",
        "buildroot-generator: [TMP]/broken.repo:3: section header without ']'",
    );
}

#[test]
fn repofile_without_baseurl() {
    repofile_case(
        "[eln]\nname=ELN\nenabled=1\n",
        "buildroot-generator: [TMP]/broken.repo:1: [eln]: no baseurl, metalink or mirrorlist",
    );
}

#[test]
fn metalink_that_is_not_there_or_not_a_metalink() {
    let mut t = TestContext::new();
    let url = server(Some("404 Not Found"));
    t.filter(server_of(&url), "[SERVER]");
    let repo = t.path().join("ml.repo");
    std::fs::write(&repo, format!("[fedora]\nmetalink={url}/metalink\n")).unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"])
        .arg(&repo)
        .arg("--cache-dir")
        .arg(t.path().join("cache"));
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: [SERVER]/repo/metalink: HTTP 404 (gave up after 4 attempts), in each of 3 rounds, as dnf fetches a list of mirrors",
    );
    let page = t.path().join("page.html");
    std::fs::write(&page, "<html><body>captive portal</body></html>").unwrap();
    std::fs::write(
        &repo,
        format!("[fedora]\nmetalink=file://{}\n", page.display()),
    )
    .unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"]).arg(&repo);
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: file://[TMP]/page.html: not a metalink (no <metalink> element)",
    );
}

#[test]
fn repofile_with_garbage_line() {
    repofile_case("[eln]\nthis is not a key value pair\n", "buildroot-generator: [TMP]/broken.repo:2: expected 'key=value', a '[section]' or a comment");
}

fn http_case(url: String, expected: &str, env: Option<(&str, &str)>) {
    let mut t = TestContext::new();
    t.filter(server_of(&url), "[SERVER]");
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repo"])
        .arg(format!("r={url}"))
        .arg("--cache-dir")
        .arg(t.path())
        // Failures that may pass are retried: quickly, here.
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05");
    if let Some((k, v)) = env {
        c.env(k, v);
    }
    expect(&t, c, "bash\n", expected);
}

/// `http://HOST:PORT` of a URL, which the tests show as `[SERVER]`.
fn server_of(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let host = rest.split('/').next().unwrap_or(rest);
    format!("http://{host}")
}

/// A server answering every request with `status` (or never answering).
fn server(status: Option<&'static str>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            match status {
                Some(st) => {
                    let mut buf = [0u8; 4096];
                    let _ = std::io::Read::read(&mut s, &mut buf);
                    let _ = write!(
                        s,
                        "HTTP/1.1 {st}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
                None => held.push(s), // stall: keep the connection open, say nothing
            }
        }
    });
    format!("http://{addr}/repo")
}

#[test]
fn http_nothing_listening() {
    // A port held bound and never listening: a port bound then freed here
    // could be handed to another test's server before the run connects
    // (it once timed out where "refused" was expected).
    let port = cli_tests::http_support::dead_port();
    http_case(
        format!("http://127.0.0.1:{port}/repo"),
        "buildroot-generator: [SERVER]/repo/repodata/repomd.xml: connection failed: Connection refused (gave up after 4 attempts)",
        None,
    );
}

#[test]
fn http_404() {
    http_case(
        server(Some("404 Not Found")),
        "buildroot-generator: [SERVER]/repo/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)",
        None,
    );
}

#[test]
fn http_500() {
    http_case(
        server(Some("500 Internal Server Error")),
        "buildroot-generator: [SERVER]/repo/repodata/repomd.xml: HTTP 500 (gave up after 4 attempts)",
        None,
    );
}

#[test]
fn http_server_that_stalls() {
    http_case(
        server(None),
        "buildroot-generator: [SERVER]/repo/repodata/repomd.xml: timed out: no answer within 1 s (RPM_BUILDROOT_HTTP_TIMEOUT sets the limit) (gave up after 4 attempts)",
        Some(("RPM_BUILDROOT_HTTP_TIMEOUT", "1")),
    );
}

#[test]
fn http_server_that_stalls_past_the_repos_timeout() {
    // The repo's own timeout= sets the limit, and the line says so; its
    // retries= is for packages (metadata: the run's, 1 here).
    let url = server(None);
    let mut t = TestContext::new();
    t.filter(server_of(&url), "[SERVER]");
    let f = t.path().join("slow.repo");
    std::fs::write(&f, format!("[slow]\nbaseurl={url}\ntimeout=1\nretries=9\n")).unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"])
        .arg(&f)
        .arg("--cache-dir")
        .arg(t.path())
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05")
        .env("RPM_BUILDROOT_HTTP_RETRIES", "1");
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: [SERVER]/repo/repodata/repomd.xml: timed out: no answer within 1 s \
         (the repo's timeout= sets the limit) (gave up after 2 attempts)",
    );
}

#[test]
fn cache_directory_not_writable() {
    // A path below a regular file can never be created (whatever the user's rights).
    let t = TestContext::new();
    let file = t.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(file.join("cache"));
    expect(
        &t,
        c,
        "bash\n",
        "identify-archful-srpms: [TMP]/a-file/cache: Not a directory",
    );
}

#[test]
fn output_directory_not_writable() {
    let t = TestContext::new();
    let file = t.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut c = generator_x86_64();
    c.args(["--output-dir"]).arg(file.join("out"));
    expect(&t, c, "bash\n", "buildroot-generator: --output-dir [TMP]/a-file/out: cannot create [TMP]/a-file: File exists");
    let mut c = cmd(Tool::CreateSrpmRepos);
    std::fs::create_dir_all(t.path().join("cache")).unwrap();
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(t.path().join("cache"))
        .arg("--out")
        .arg(file.join("out"));
    expect(
        &t,
        c,
        "bash\n",
        "create-srpm-repos: --out [TMP]/a-file/out: cannot write in [TMP]/a-file: Not a directory",
    );
}

#[test]
fn missing_and_malformed_input_files() {
    let t = TestContext::new();
    let mut c = generator_x86_64();
    c.args(["/nonexistent/sources.txt"]);
    expect(
        &t,
        c,
        "",
        "buildroot-generator: /nonexistent/sources.txt: No such file or directory",
    );
    let mut c = generator_x86_64();
    c.args(["testdata"]);
    expect(&t, c, "", "buildroot-generator: testdata: Is a directory");
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"]);
    expect(
        &t,
        c,
        "two names\n",
        "buildroot-generator: <stdin>:1: 'two names' is not a package name (one name per line)",
    );
    let mut c = generator_x86_64();
    c.args(["--core-file", "/nonexistent/core"]);
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: /nonexistent/core: No such file or directory",
    );
    let mut c = generator_x86_64();
    c.args(["--prefer-release", "eln(\\d+"]);
    expect(
        &t,
        c,
        "bash\n",
        r"buildroot-generator: --prefer-release 'eln(\d+' is not a valid regex: error: unclosed group",
    );
    let t = TestContext::new();
    let ph = t.path().join("ph.json");
    std::fs::write(&ph, "{\"x\": [1, 2").unwrap();
    let mut c = generator_x86_64();
    c.args(["--placeholders"]).arg(&ph);
    expect(&t, c, "bash\n", "buildroot-generator: [TMP]/ph.json: not a placeholder JSON ({\"NAME\": {\"build_requires\": [...]}}): invalid type: integer `1`, expected a sequence at line 1 column 8");
}

#[test]
fn usage_errors_exit_2() {
    let ctx = TestContext::new();
    for (t, args) in [
        (Tool::Generator, vec!["--no-such-flag"]),
        (Tool::Generator, vec![]),
        (
            Tool::IdentifyArchful,
            vec!["--source-repo", "s=testdata/repos/source"],
        ),
        (Tool::CreateSrpmRepos, vec!["--arch", "x86_64"]),
        (Tool::WorkloadDiff, vec!["--format", "nonsense"]),
    ] {
        let out = cmd(t).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{t:?} {args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args([
        "--arch",
        "x86_64",
        "--cache",
        "/nonexistent/cache",
        "--archful",
        "/dev/null",
        "--out",
        "/tmp/unused-out-y",
    ]);
    expect(&ctx, c, "bash\n", "create-srpm-repos: /nonexistent/cache: the SRPM cache directory does not exist (run identify-archful-srpms first)");
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--cache", "/tmp/unused-cache-y"]);
    expect(&ctx, c, "bash\n", "identify-archful-srpms: no source repositories: give --source-repo ID=URL, --repofile FILE or --dnf-conf FILE");
    // A .repo file that defines no repository is named, not asked for.
    let empty = ctx.path().join("empty.repo");
    std::fs::write(&empty, "# to be filled in\n").unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"]).arg(&empty);
    expect(&ctx, c, "bash\n", "buildroot-generator: no repositories: [TMP]/empty.repo defines no repository (no [section] but [main], which is dnf's own): give --repo/--source-repo ID=URL, --repofile FILE or --dnf-conf FILE");
}

#[test]
fn define_without_a_value() {
    let t = TestContext::new();
    let cache = t.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let mut c = identify_x86_64(&cache);
    c.args(["--define", "%dist"]);
    expect(
        &t,
        c,
        "hello\n",
        "identify-archful-srpms: --define 'dist': expected 'NAME VALUE'",
    );
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(t.path().join("out"))
        .args(["--define", "dist"]);
    expect(
        &t,
        c,
        "hello\n",
        "create-srpm-repos: --define 'dist': expected 'NAME VALUE'",
    );
}

fn fixture_gen_args() -> Vec<&'static str> {
    vec![
        "--arch",
        "x86_64",
        "-q",
        "--repo",
        "m=testdata/repos/x86_64",
        "--source-repo",
        "s=testdata/repos/source",
    ]
}

#[test]
fn full_standard_output() {
    let mut list = fixture_gen_args();
    list.push("testdata/compose/sources.txt");
    // `--help` and `--version` too, as `cat --help > /dev/full` fails.
    for args in [list, vec!["--help"], vec!["--version"]] {
        let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipped: no /dev/full");
            return;
        };
        let out = std_cmd(Tool::Generator)
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(
            err, "buildroot-generator: standard output: No space left on device\n",
            "{args:?}"
        );
    }
}

/// Two tools that print lists, with the arguments of a run that prints one.
fn list_printing_runs() -> Vec<(Tool, Vec<&'static str>)> {
    let mut generator = fixture_gen_args();
    generator.push("testdata/compose/sources.txt");
    let view = vec![
        "-q",
        "--configs",
        "testdata/content-resolver",
        "--view",
        "view-fixture",
        "--repo-override",
        "fixture=testdata/repos/$basearch",
        "--repo-override",
        "extras=testdata/repos/extras/$basearch",
        "--arch",
        "x86_64",
    ];
    vec![(Tool::Generator, generator), (Tool::ComposeView, view)]
}

/// `tool >&-`: started with standard output closed, a tool cannot print
/// its list, which is an error (one line, exit 2) as for `cat` and bash's
/// `echo`, not a silent exit 0; its `--help` too. A reader that goes away
/// (`tool | head -1`) is not one: no message, exit 0, as ripgrep does.
#[test]
fn standard_output_closed_at_start_is_an_error_and_a_gone_reader_is_not() {
    for (tool, args) in list_printing_runs() {
        for help in [false, true] {
            let args: Vec<&str> = if help { vec!["--help"] } else { args.clone() };
            let out = std::process::Command::new("sh")
                .current_dir(root())
                .env("XDG_CACHE_HOME", cli_tests::cache_home())
                .arg("-c")
                .arg("exec \"$0\" \"$@\" >&-")
                .arg(bin(tool))
                .args(&args)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{} {help}: {err}", tool.name());
            assert_eq!(
                err,
                format!("{}: standard output: Bad file descriptor\n", tool.name())
            );
        }
        let mut child = std_cmd(tool)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut first,
        )
        .unwrap();
        assert!(!first.is_empty(), "{}", tool.name());
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {err}", tool.name());
        assert_eq!(err, "", "{}", tool.name());
    }
}

/// `tool | head -0`: a reader that goes away before the output is written
/// is not an error (no message, exit 0), with the output buffered in blocks.
#[test]
fn standard_output_closed_by_its_reader() {
    for json in [false, true] {
        let mut child = std_cmd(Tool::Generator)
            .args(fixture_gen_args())
            .args(json.then_some("--json"))
            .arg("testdata/compose/sources.txt")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "json {json}: {err}");
        assert_eq!(err, "", "json {json}");
    }
}

#[test]
fn output_dir_that_is_not_an_earlier_output_is_left_alone() {
    let t = TestContext::new();
    let mine = t.path().join("home");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("my-notes.txt"), "keep").unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(fixture_gen_args()).arg("--output-dir").arg(&mine);
    expect(&t, c, "hello\n", "buildroot-generator: [TMP]/home: --output-dir is not empty and not an earlier output (no buildroot-binary-package-names.txt); it would be replaced whole: name a new or empty directory");
    assert_eq!(
        std::fs::read_to_string(mine.join("my-notes.txt")).unwrap(),
        "keep"
    );
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
    // A file where the directory should be.
    let file = t.path().join("a-file");
    std::fs::write(&file, "keep").unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(fixture_gen_args()).arg("--output-dir").arg(&file);
    expect(
        &t,
        c,
        "hello\n",
        "buildroot-generator: [TMP]/a-file: --output-dir exists and is not a directory",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    // Run from inside the output directory: refused, not swapped under the shell.
    let here = t.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let mut c = cmd(Tool::Generator);
    c.current_dir(&here)
        .args(["--arch", "x86_64", "-q", "--repo"])
        .arg(format!(
            "m={}",
            root().join("testdata/repos/x86_64").display()
        ))
        .args(["--output-dir", "."]);
    expect(&t, c, "hello\n", "buildroot-generator: .: --output-dir holds the working directory and is replaced whole: run from outside it (e.g. --output-dir ../out)");
    // An empty directory and an earlier output are fine.
    for _ in 0..2 {
        let mut c = cmd(Tool::Generator);
        c.args(fixture_gen_args()).arg("--output-dir").arg(&here);
        c.write_stdin("hello\n").assert().success();
        assert!(here.join("buildroot-binary-package-names.txt").is_file());
    }
}

/// A read-only tmpfs for the duration of a test (root ignores file modes, so
/// chmod cannot make one); None where mounting is not allowed.
struct ReadOnlyMount(PathBuf);

impl ReadOnlyMount {
    fn new(t: &Path) -> Option<ReadOnlyMount> {
        let dir = t.join("ro");
        std::fs::create_dir(&dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(ReadOnlyMount(dir))
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn read_only_output_and_cache_directories() {
    let t = TestContext::new();
    let Some(ro) = ReadOnlyMount::new(t.path()) else {
        eprintln!("skipped: cannot mount a read-only tmpfs here");
        return;
    };
    let ro = &ro.0;
    let mut c = cmd(Tool::Generator);
    c.args(fixture_gen_args())
        .arg("--output-dir")
        .arg(ro.join("out"));
    expect(
        &t,
        c,
        "hello\n",
        "buildroot-generator: --output-dir [TMP]/ro/out: cannot write in [TMP]/ro: Read-only file system",
    );
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(ro.join("cache"));
    expect(
        &t,
        c,
        "hello\n",
        "identify-archful-srpms: [TMP]/ro/cache: Read-only file system",
    );
    let cache = t.path().join("cache");
    cmd(Tool::IdentifyArchful)
        .args(["--source-repo", "s=testdata/repos/source", "-q", "--cache"])
        .arg(&cache)
        .write_stdin("hello\n")
        .assert()
        .success();
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(ro.join("repo"));
    expect(
        &t,
        c,
        "hello\n",
        "create-srpm-repos: --out [TMP]/ro/repo: cannot write in [TMP]/ro: Read-only file system",
    );
    assert_eq!(std::fs::read_dir(ro).unwrap().count(), 0);
}

/// An output where nothing can be written (procfs refuses every new file, as a
/// read-only or pseudo file system does, root or not) is said before the work,
/// in one line naming the option and the path given: the write failed at the
/// end, after the generator's failures were said as "details in
/// /proc/out/errors", a file never written, naming only the directory.
#[test]
fn outputs_where_nothing_can_be_written_are_refused_before_the_work() {
    let t = TestContext::new();
    let mut c = cmd(Tool::Generator);
    c.args(&fixture_gen_args()[..2])
        .args(&fixture_gen_args()[3..])
        .args(["--output-dir", "/proc/out", "testdata/compose/sources.txt"]);
    expect(
        &t,
        c,
        "",
        "buildroot-generator: --output-dir /proc/out: cannot write in /proc: No such file or directory",
    );
    let mut c = cmd(Tool::ComposeView);
    c.args([
        "--configs",
        "testdata/content-resolver",
        "--view",
        "view-fixture",
    ])
    .args(["--repo-override", "fixture=testdata/repos/$basearch"])
    .args(["--repo-override", "extras=testdata/repos/extras/$basearch"])
    .args(["--output-dir", "/proc/out"]);
    expect(
        &t,
        c,
        "",
        "compose-view: --output-dir /proc/out: cannot write in /proc: No such file or directory",
    );
    let mut c = cmd(Tool::WorkloadDiff);
    c.args(["--compose", "x86_64=testdata/compose/x86_64.txt"])
        .args(["--buildroot", "x86_64=testdata/compose/x86_64.txt"])
        .args(["-o", "/proc/out/workload.yaml"]);
    expect(
        &t,
        c,
        "",
        "workload-diff: -o /proc/out/workload.yaml: cannot write in /proc: No such file or directory",
    );
    let mut c = cmd(Tool::IdentifyArchful);
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(t.join("cache"))
        .args([
            "--map",
            "/proc/srpm-map.txt",
            "testdata/compose/sources.txt",
        ]);
    expect(
        &t,
        c,
        "",
        "identify-archful-srpms: --map /proc/srpm-map.txt: cannot write in /proc: No such file or directory",
    );
    assert!(!t.join("cache").exists(), "the cache was filled first");
    srpm_cache_dir(&t.join("srpms"));
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(t.join("srpms"))
        .args(["--out", "/proc/repo", "testdata/compose/sources.txt"]);
    expect(
        &t,
        c,
        "",
        "create-srpm-repos: --out /proc/repo: cannot write in /proc: No such file or directory",
    );
    let mut c = cmd(Tool::FetchCompose);
    c.args(["--url", "http://127.0.0.1:9/", "--view", "view-fixture"])
        .args(["--arch", "x86_64", "--out", "/proc/compose"]);
    expect(
        &t,
        c,
        "",
        "fetch-compose: --out /proc/compose: cannot write in /proc: No such file or directory",
    );
}

#[test]
fn http_setting_that_is_not_a_number() {
    let mut t = TestContext::new();
    let url = server(Some("404 Not Found"));
    t.filter(server_of(&url), "[SERVER]");
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repo"])
        .arg(format!("r={url}"))
        .arg("--cache-dir")
        .arg(t.path())
        .env("RPM_BUILDROOT_HTTP_RETRIES", "many");
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: RPM_BUILDROOT_HTTP_RETRIES='many': expected a whole number",
    );
    // Local repositories never read the variables.
    let mut c = generator_x86_64();
    c.args(["--source-repo", "s=testdata/repos/source", "-q"])
        .env("RPM_BUILDROOT_HTTP_RETRIES", "many");
    c.write_stdin("bash\n").assert().success();
}

#[test]
fn locations_name_the_line_and_the_kind_of_path() {
    let t = TestContext::new();
    // A bad value is reported on its own line, not its section's.
    let repo = t.join("bad.repo");
    std::fs::write(&repo, "[a]\nbaseurl=testdata/repos/x86_64\nproxy=ftp://p\n").unwrap();
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--repofile"]).arg(&repo);
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: [TMP]/bad.repo:3: [a]: proxy=ftp://p is not a proxy URL \
         (http://HOST[:PORT], https://, socks5://, socks5h://, socks4:// or socks4a://)",
    );
    // A file given as a repository is not "a directory that does not exist".
    let mut c = cmd(Tool::Generator);
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/compose/sources.txt",
    ]);
    expect(
        &t,
        c,
        "bash\n",
        "buildroot-generator: testdata/compose/sources.txt: not a directory (a repository is a \
         directory holding repodata/)",
    );
    // A mistyped --url directory is named as such, not as a view it lacks.
    let mut c = cmd(Tool::FetchCompose);
    c.args([
        "--url",
        "no-such-dir",
        "--view",
        "view-fixture",
        "--arch",
        "x86_64",
        "--out",
    ])
    .arg(t.join("out"));
    expect(
        &t,
        c,
        "",
        "fetch-compose: no-such-dir: no such directory (a content-resolver output directory or \
         an http(s):// URL)",
    );
}

/// `--core ','` (`--core "$A,$B"` with both unset) names no package: bad
/// usage, where it quietly meant the deliberate `--core ''` (no core at all,
/// each source's BuildRequires alone), an answer to another question. The
/// archful tools' --core (the macro buildroot's) is read the same.
#[test]
fn a_core_of_commas_alone_is_refused() {
    let line = |tool: &str, v: &str| {
        format!("{tool}: --core '{v}': lists no names (--core '' asks for no core on purpose)")
    };
    for v in [",", " , ,"] {
        let t = TestContext::new();
        let mut c = cmd(Tool::Generator);
        c.args([
            "--arch",
            "x86_64",
            "--repo",
            "m=testdata/repos/x86_64",
            "--core",
            v,
        ]);
        expect(&t, c, "hello\n", &line("buildroot-generator", v));
        let mut c = cmd(Tool::IdentifyArchful);
        c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
            .arg(t.join("cache"))
            .args(["--core", v, "testdata/compose/sources.txt"]);
        expect(&t, c, "", &line("identify-archful-srpms", v));
        assert!(!t.join("cache").exists(), "the cache was filled first");
        srpm_cache_dir(&t.join("srpms"));
        let mut c = cmd(Tool::CreateSrpmRepos);
        c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
            .arg(t.join("srpms"))
            .arg("--out")
            .arg(t.join("repo"))
            .args(["--core", v, "testdata/compose/sources.txt"]);
        expect(&t, c, "", &line("create-srpm-repos", v));
        assert!(!t.join("repo").exists());
    }
}

/// `fetch-compose --url "$COMPOSE_URL"` with the variable unset: the line
/// names --url and what to give; it said "empty repository URL", neither.
#[test]
fn fetch_compose_empty_url_names_the_option() {
    for url in ["", " "] {
        let t = TestContext::new();
        let mut c = cmd(Tool::FetchCompose);
        c.args(["--url", url, "--view", "view-fixture", "--arch", "x86_64"])
            .arg("--out")
            .arg(t.join("out"));
        expect(
            &t,
            c,
            "",
            &format!(
                "fetch-compose: invalid value '{url}' for '--url <URL|DIR>': give \
                 content-resolver's output: an http(s):// URL, file:// or a directory (try \
                 '--help')"
            ),
        );
        assert!(!t.join("out").exists());
    }
}

/// `tool 2>&1 | head -0`: a closed stderr never makes a tool panic (exit
/// 101); it still exits as it would have: 2 for bad input, 0 for a run
/// with warnings.
#[test]
fn closed_standard_error_is_no_panic() {
    let run = |tool: Tool, args: &[&str]| {
        let mut child = std_cmd(tool)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        child.wait().unwrap().code()
    };
    for tool in Tool::ALL {
        assert_eq!(run(tool, &["--no-such-flag"]), Some(2), "{}", tool.name());
    }
    let mut args = fixture_gen_args();
    args.push("no-such-list.txt");
    assert_eq!(run(Tool::Generator, &args), Some(2));
    // Warnings (NoInstall and BadDeps sources of the fixture) on a closed stderr.
    let mut args = fixture_gen_args();
    args.retain(|a| *a != "-q");
    args.push("testdata/compose/sources.txt");
    assert_eq!(run(Tool::Generator, &args), Some(0));
}

/// A mistyped option, a missing required one or a bad value is clap's usage
/// error: one line on stderr like every other error (not clap's block of
/// error, tip, usage and pointer to --help), naming the option, exit 2.
#[test]
fn usage_errors_are_one_line() {
    let t = TestContext::new();
    for tool in Tool::ALL {
        let mut c = cmd(tool);
        c.arg("--outptu-dir");
        let line = expect_error(&t, c, "");
        let name = tool.name();
        assert!(
            line.starts_with(&format!("{name}: unexpected argument '--outptu-dir' found")),
            "{line}"
        );
        assert!(line.ends_with(" (try '--help')"), "{line}");
    }
    // clap's tip stays: the option meant.
    let mut c = cmd(Tool::Generator);
    c.args(["--arch", "x86_64", "--outptu-dir", "x"]);
    expect(
        &t,
        c,
        "",
        "buildroot-generator: unexpected argument '--outptu-dir' found; tip: a similar \
         argument exists: '--output-dir' (try '--help')",
    );
    // Every missing option on the one line.
    let mut c = cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64"]);
    expect(
        &t,
        c,
        "",
        "create-srpm-repos: the following required arguments were not provided: \
         --cache <DIR>, --archful <FILE>, --out <DIR> (try '--help')",
    );
    // A value clap refuses, with the values it takes.
    let mut c = cmd(Tool::WorkloadDiff);
    c.arg("--format=yaml");
    let line = expect_error(&t, c, "");
    assert!(
        line.starts_with(
            "workload-diff: invalid value 'yaml' for '--format <FORMAT>'; possible values: "
        ),
        "{line}"
    );
    // A value holding a line break (a pasted list, a stray $'\n') is named as
    // it was given, `\n` for the break: not joined by "; " as if clap had
    // said two things, nor cut where a line of it starts "Usage:".
    for (value, shown) in [
        ("bo\ngus", "bo\\ngus"),
        ("a\nUsage: b", "a\\nUsage: b"),
        ("\n", "\\n"),
    ] {
        let mut c = cmd(Tool::WorkloadDiff);
        c.args(["--format", value]);
        let line = expect_error(&t, c, "");
        assert!(
            line.starts_with(&format!(
                "workload-diff: invalid value '{shown}' for '--format <FORMAT>'; possible values: "
            )),
            "{line}"
        );
        assert!(!line.contains("For more information"), "{line}");
    }
}
