//! The bad-input catalogue over the tools: every case must end with exit
//! code 2 (or 0 with a warning where the contract says so), one line on
//! stderr naming the file and the problem, no panic, and no partial output.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn tool(name: &str) -> Command {
    let mut p = PathBuf::from(env!("CARGO_BIN_EXE_buildroot-generator"));
    p.set_file_name(name);
    let mut c = Command::new(p);
    c.current_dir(root());
    c
}

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
    std::fs::read_dir(repo.join("repodata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .contains(&format!("-{kind}.xml"))
        })
        .unwrap()
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

/// Runs a case and checks the catalogue's rules; returns stderr.
fn expect_error(mut c: Command, stdin: &str, needles: &[&str]) -> String {
    let out = c.write_stdin(stdin.to_string()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected exit 2; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(out.stdout.is_empty(), "partial output on stdout");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    err
}

fn damaged(kind: &str, damage: impl FnOnce(&Path), needles: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let repo = repo_copy(t.path());
    damage(&repo);
    let mut c = tool("buildroot-generator");
    c.args(gen_args(&repo));
    let mut n: Vec<&str> = needles.to_vec();
    n.push(kind);
    expect_error(c, "bash\n", &n);
}

#[test]
fn truncated_gzip_primary() {
    damaged(
        "primary.xml.gz",
        |r| {
            let f = meta_file(r, "primary");
            let b = std::fs::read(&f).unwrap();
            std::fs::write(&f, &b[..b.len() / 2]).unwrap();
            fix_checksum(r, "primary");
        },
        &[],
    );
}

#[test]
fn corrupt_gzip_primary() {
    damaged(
        "primary.xml.gz",
        |r| {
            let f = meta_file(r, "primary");
            let mut b = std::fs::read(&f).unwrap();
            for x in b.iter_mut().skip(20).take(200) {
                *x ^= 0x5a;
            }
            std::fs::write(&f, b).unwrap();
            fix_checksum(r, "primary");
        },
        &[],
    );
}

/// Replaces the primary with another codec's compression, truncated or with
/// bytes flipped in the middle of the compressed stream.
fn recompressed(codec: &str, truncate: bool) {
    damaged(
        "primary.xml",
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
        &["cannot decompress"],
    );
}

#[test]
fn truncated_zstd_primary() {
    recompressed("zst", true);
}

#[test]
fn truncated_xz_primary() {
    recompressed("xz", true);
}

#[test]
fn corrupt_zstd_primary() {
    recompressed("zst", false);
}

#[test]
fn corrupt_xz_primary() {
    recompressed("xz", false);
}

#[test]
fn malformed_primary_xml() {
    damaged(
        "primary.xml.gz",
        |r| {
            let f = meta_file(r, "primary");
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b"<metadata><package><name>x</nam></package></metadata>")
                .unwrap();
            std::fs::write(&f, e.finish().unwrap()).unwrap();
            fix_checksum(r, "primary");
        },
        &["malformed XML"],
    );
}

#[test]
fn malformed_repomd() {
    damaged(
        "repomd.xml",
        |r| {
            std::fs::write(
                r.join("repodata/repomd.xml"),
                "<repomd><data type=\"primary\"></repomd>",
            )
            .unwrap()
        },
        &["malformed XML"],
    );
}

#[test]
fn repomd_points_at_missing_file() {
    damaged(
        "primary.xml.gz",
        |r| std::fs::remove_file(meta_file(r, "primary")).unwrap(),
        &["missing"],
    );
}

#[test]
fn checksum_mismatch() {
    damaged(
        "primary.xml.gz",
        |r| {
            let f = meta_file(r, "primary");
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b"<metadata packages=\"0\"></metadata>")
                .unwrap();
            std::fs::write(&f, e.finish().unwrap()).unwrap();
        },
        &["checksum mismatch", "sha256"],
    );
}

#[test]
fn not_a_repository() {
    let t = tempfile::tempdir().unwrap();
    let mut c = tool("buildroot-generator");
    c.args(gen_args(t.path()));
    expect_error(c, "bash\n", &["not an rpm-md repository"]);
}

fn srpm_cache_case(bytes: impl FnOnce(Vec<u8>) -> Vec<u8>, needles: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let orig =
        std::fs::read(root().join("testdata/repos/source/libjpeg-turbo-3.0.3-1.eln150.src.rpm"))
            .unwrap();
    std::fs::write(
        cache.join("libjpeg-turbo-3.0.3-1.eln150.src.rpm"),
        bytes(orig),
    )
    .unwrap();
    std::fs::write(t.path().join("archful"), "libjpeg-turbo\n").unwrap();
    let mut c = tool("create-srpm-repos");
    c.args(["--arch", "x86_64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful"))
        .arg("--out")
        .arg(t.path().join("out"));
    let mut n = needles.to_vec();
    n.push("libjpeg-turbo-3.0.3-1.eln150.src.rpm");
    expect_error(c, "libjpeg-turbo\n", &n);
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
        &[],
    );
}

#[test]
fn srpm_cut_in_half() {
    srpm_cache_case(|b| b[..b.len() / 2].to_vec(), &[]);
}

#[test]
fn spec_the_evaluator_cannot_read() {
    // An unbalanced %if: create-srpm-repos cannot regenerate the SRPM for the arch.
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
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
    let mut c = tool("create-srpm-repos");
    c.args(["--arch", "x86_64", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful"))
        .arg("--out")
        .arg(t.path().join("out"));
    expect_error(c, "odd\n", &["odd-1-1.src.rpm", "%endif"]);
}

#[test]
fn unknown_arch_everywhere() {
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "sparc64x", "--repo", "r=testdata/repos/x86_64"]);
    expect_error(c, "bash\n", &["sparc64x", "unknown architecture"]);
    let mut c = tool("identify-archful-srpms");
    c.args([
        "--arch",
        "sparc64x",
        "--source-repo",
        "s=testdata/repos/source",
        "--cache",
        "/tmp/unused-cache-x",
    ]);
    expect_error(c, "bash\n", &["sparc64x"]);
    let mut c = tool("create-srpm-repos");
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
    expect_error(c, "bash\n", &["sparc64x"]);
}

#[test]
fn empty_input_and_unknown_names_are_warnings() {
    let out = tool("buildroot-generator")
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
    let out = tool("buildroot-generator")
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

fn repofile_case(text: &str, needles: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("broken.repo");
    std::fs::write(&f, text).unwrap();
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repofile"]).arg(&f);
    let mut n = needles.to_vec();
    n.push("broken.repo");
    expect_error(c, "bash\n", &n);
}

#[test]
fn repofile_with_broken_section() {
    repofile_case("[ok]\nbaseurl=/x\n[broken\nbaseurl=/y\n", &[":3:", "']'"]);
}

#[test]
fn repofile_without_baseurl() {
    repofile_case(
        "[eln]\nname=ELN\nenabled=1\n",
        &["no baseurl, metalink or mirrorlist"],
    );
}

#[test]
fn metalink_that_is_not_there_or_not_a_metalink() {
    let t = tempfile::tempdir().unwrap();
    let url = server(Some("404 Not Found"));
    let repo = t.path().join("ml.repo");
    std::fs::write(&repo, format!("[fedora]\nmetalink={url}/metalink\n")).unwrap();
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repofile"])
        .arg(&repo)
        .arg("--cache-dir")
        .arg(t.path().join("cache"));
    expect_error(c, "bash\n", &[&format!("{url}/metalink"), "HTTP 404"]);
    let page = t.path().join("page.html");
    std::fs::write(&page, "<html><body>captive portal</body></html>").unwrap();
    std::fs::write(
        &repo,
        format!("[fedora]\nmetalink=file://{}\n", page.display()),
    )
    .unwrap();
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repofile"]).arg(&repo);
    expect_error(c, "bash\n", &["page.html", "not a metalink"]);
}

#[test]
fn repofile_with_garbage_line() {
    repofile_case("[eln]\nthis is not a key value pair\n", &[":2:"]);
}

fn http_case(url: String, needles: &[&str], env: Option<(&str, &str)>) {
    let t = tempfile::tempdir().unwrap();
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repo"])
        .arg(format!("r={url}"))
        .arg("--cache-dir")
        .arg(t.path())
        // Failures that may pass are retried: quickly, here.
        .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05");
    if let Some((k, v)) = env {
        c.env(k, v);
    }
    let mut n = needles.to_vec();
    n.push(&url);
    expect_error(c, "bash\n", &n);
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
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    http_case(
        format!("http://127.0.0.1:{port}/repo"),
        &["repomd.xml"],
        None,
    );
}

#[test]
fn http_404() {
    http_case(server(Some("404 Not Found")), &["HTTP 404"], None);
}

#[test]
fn http_500() {
    http_case(
        server(Some("500 Internal Server Error")),
        &["HTTP 500"],
        None,
    );
}

#[test]
fn http_server_that_stalls() {
    http_case(
        server(None),
        &["repomd.xml"],
        Some(("RPM_BUILDROOT_HTTP_TIMEOUT", "1")),
    );
}

#[test]
fn cache_directory_not_writable() {
    // A path below a regular file can never be created (whatever the user's rights).
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut c = tool("identify-archful-srpms");
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(file.join("cache"));
    expect_error(c, "bash\n", &["a-file/cache"]);
}

#[test]
fn output_directory_not_writable() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "--output-dir",
    ])
    .arg(file.join("out"));
    expect_error(c, "bash\n", &["a-file"]);
    let mut c = tool("create-srpm-repos");
    std::fs::create_dir_all(t.path().join("cache")).unwrap();
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(t.path().join("cache"))
        .arg("--out")
        .arg(file.join("out"));
    expect_error(c, "bash\n", &["a-file"]);
}

#[test]
fn missing_and_malformed_input_files() {
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "/nonexistent/sources.txt",
    ]);
    expect_error(c, "", &["/nonexistent/sources.txt"]);
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "testdata",
    ]);
    expect_error(c, "", &["testdata"]);
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repo", "r=testdata/repos/x86_64"]);
    expect_error(c, "two names\n", &["<stdin>:1", "one name per line"]);
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "--core-file",
        "/nonexistent/core",
    ]);
    expect_error(c, "bash\n", &["/nonexistent/core"]);
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "--prefer-release",
        "eln(\\d+",
    ]);
    expect_error(c, "bash\n", &["--prefer-release"]);
    let t = tempfile::tempdir().unwrap();
    let ph = t.path().join("ph.json");
    std::fs::write(&ph, "{\"x\": [1, 2").unwrap();
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "--placeholders",
    ])
    .arg(&ph);
    expect_error(c, "bash\n", &["ph.json"]);
}

#[test]
fn usage_errors_exit_2() {
    for (t, args) in [
        ("buildroot-generator", vec!["--no-such-flag"]),
        ("buildroot-generator", vec![]),
        (
            "identify-archful-srpms",
            vec!["--source-repo", "s=testdata/repos/source"],
        ),
        ("create-srpm-repos", vec!["--arch", "x86_64"]),
        ("workload-diff", vec!["--format", "nonsense"]),
    ] {
        let out = tool(t).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{t} {args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
    let mut c = tool("create-srpm-repos");
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
    expect_error(c, "bash\n", &["/nonexistent/cache"]);
    let mut c = tool("identify-archful-srpms");
    c.args(["--cache", "/tmp/unused-cache-y"]);
    expect_error(c, "bash\n", &["no source repositories"]);
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
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: no /dev/full");
        return;
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_buildroot-generator"))
        .current_dir(root())
        .args(fixture_gen_args())
        .arg("testdata/compose/sources.txt")
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("standard output") && err.contains("No space"),
        "{err}"
    );
}

#[test]
fn output_dir_that_is_not_an_earlier_output_is_left_alone() {
    let t = tempfile::tempdir().unwrap();
    let mine = t.path().join("home");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("my-notes.txt"), "keep").unwrap();
    let mut c = tool("buildroot-generator");
    c.args(fixture_gen_args()).arg("--output-dir").arg(&mine);
    expect_error(
        c,
        "hello\n",
        &["home", "not empty", "new or empty directory"],
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("my-notes.txt")).unwrap(),
        "keep"
    );
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 1);
    // Run from inside the output directory: refused, not swapped under the shell.
    let here = t.path().join("here");
    std::fs::create_dir(&here).unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_buildroot-generator"));
    c.current_dir(&here)
        .args(["--arch", "x86_64", "-q", "--repo"])
        .arg(format!(
            "m={}",
            root().join("testdata/repos/x86_64").display()
        ))
        .args(["--output-dir", "."]);
    expect_error(c, "hello\n", &["working directory"]);
    // An empty directory and an earlier output are fine.
    for _ in 0..2 {
        let mut c = tool("buildroot-generator");
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
    let t = tempfile::tempdir().unwrap();
    let Some(ro) = ReadOnlyMount::new(t.path()) else {
        eprintln!("skipped: cannot mount a read-only tmpfs here");
        return;
    };
    let ro = &ro.0;
    let mut c = tool("buildroot-generator");
    c.args(fixture_gen_args())
        .arg("--output-dir")
        .arg(ro.join("out"));
    expect_error(c, "hello\n", &["/ro/", "Read-only file system"]);
    let mut c = tool("identify-archful-srpms");
    c.args(["--source-repo", "s=testdata/repos/source", "--cache"])
        .arg(ro.join("cache"));
    expect_error(c, "hello\n", &["/ro/", "Read-only file system"]);
    let cache = t.path().join("cache");
    tool("identify-archful-srpms")
        .args(["--source-repo", "s=testdata/repos/source", "-q", "--cache"])
        .arg(&cache)
        .write_stdin("hello\n")
        .assert()
        .success();
    let mut c = tool("create-srpm-repos");
    c.args(["--arch", "x86_64", "--archful", "/dev/null", "--cache"])
        .arg(&cache)
        .arg("--out")
        .arg(ro.join("repo"));
    expect_error(c, "hello\n", &["/ro/", "Read-only file system"]);
    assert_eq!(std::fs::read_dir(ro).unwrap().count(), 0);
}

#[test]
fn http_setting_that_is_not_a_number() {
    let t = tempfile::tempdir().unwrap();
    let mut c = tool("buildroot-generator");
    c.args(["--arch", "x86_64", "--repo"])
        .arg(format!("r={}", server(Some("404 Not Found"))))
        .arg("--cache-dir")
        .arg(t.path())
        .env("RPM_BUILDROOT_HTTP_RETRIES", "many");
    expect_error(
        c,
        "bash\n",
        &["RPM_BUILDROOT_HTTP_RETRIES='many': expected a whole number"],
    );
    // Local repositories never read the variables.
    let mut c = tool("buildroot-generator");
    c.args([
        "--arch",
        "x86_64",
        "--repo",
        "r=testdata/repos/x86_64",
        "-q",
    ])
    .env("RPM_BUILDROOT_HTTP_RETRIES", "many");
    c.write_stdin("bash\n").assert().success();
}
