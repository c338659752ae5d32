//! workload-diff end to end on small fixture files in a temp dir.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use cli_tests::{cmd, one_line, Tool};
use predicates::prelude::*;

fn write(dir: &Path, rel: &str, text: &str) -> String {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn wd() -> Command {
    cmd(Tool::WorkloadDiff)
}

/// An x86_64 compose list and buildroot list written into a directory, and
/// workload-diff run on them.
struct Lists {
    compose: String,
    br: String,
}

impl Lists {
    fn new(d: &Path, compose: &str, br: &str) -> Lists {
        Lists {
            compose: write(d, "c.txt", compose),
            br: write(d, "br.txt", br),
        }
    }

    /// workload-diff --compose x86_64=... --buildroot x86_64=... `extra`.
    fn run(&self, extra: &[&str]) -> std::process::Output {
        wd().arg(format!("--compose=x86_64={}", self.compose))
            .arg(format!("--buildroot=x86_64={}", self.br))
            .args(extra)
            .output()
            .unwrap()
    }
}

/// Compose and buildroot lists for three arches, and an exclude list.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "compose/x86_64.txt", "# compose\nbash\nglibc\nnasm\n");
        write(d, "compose/aarch64.txt", "bash\nglibc\n");
        write(d, "compose/ppc64le.txt", "bash\n");
        write(
            d,
            "br/x86_64.txt",
            "bash\nglibc\nnasm\nautoconf\nyasm\nkernel-headers\nyes\n",
        );
        // NEVRA lines are reduced to names.
        write(
            d,
            "br/aarch64.txt",
            "bash-5.2-1.eln150.aarch64\nglibc\nautoconf-2.72-1.eln150.noarch\nzlib-devel\nkernel-headers\nyes\n",
        );
        write(
            d,
            "br/ppc64le.txt",
            "bash\nglibc\nautoconf\nzlib-devel\nkernel-headers\nyes\n",
        );
        write(d, "exclude.txt", "kernel-headers\nkernel-tools\n");
        Fixture { dir }
    }

    fn p(&self, rel: &str) -> String {
        self.dir.path().join(rel).to_str().unwrap().to_string()
    }

    fn args(&self) -> Vec<String> {
        let mut v = Vec::new();
        for a in ["x86_64", "aarch64", "ppc64le"] {
            v.push(format!(
                "--compose={a}={}",
                self.p(&format!("compose/{a}.txt"))
            ));
            v.push(format!(
                "--buildroot={a}={}",
                self.p(&format!("br/{a}.txt"))
            ));
        }
        v.push(format!("--exclude={}", self.p("exclude.txt")));
        v
    }
}

#[test]
fn workload_yaml_exact() {
    let f = Fixture::new();
    let out = wd()
        .args(f.args())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "---
document: feedback-pipeline-workload
version: 1
data:
  name: ELN Buildroot Workload
  description: The packages that are not part of ELN, but needed to build it.
  maintainer: rpm-buildroot
  labels:
    - eln-buildroot
  packages:
    - autoconf
    - \"yes\"
  arch_packages:
    aarch64:
      - zlib-devel
    ppc64le:
      - glibc
      - zlib-devel
    x86_64:
      - yasm
"
    );
}

#[test]
fn metadata_options_and_output_file() {
    let f = Fixture::new();
    let out = f.p("out/w.yaml");
    wd().args(f.args())
        .args([
            "--name",
            "Test Buildroot",
            "--description",
            "yes: a description",
            "--maintainer",
            "someone",
            "--label",
            "b-label",
            "--label",
            "a-label",
            "--format",
            "workload",
            "-o",
            &out,
        ])
        .assert()
        .success()
        .stdout("");
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.contains("  name: Test Buildroot\n"), "{text}");
    assert!(
        text.contains("  description: \"yes: a description\"\n"),
        "{text}"
    );
    assert!(text.contains("  maintainer: someone\n"), "{text}");
    assert!(
        text.contains("  labels:\n    - a-label\n    - b-label\n"),
        "{text}"
    );
    let leftovers: Vec<_> = fs::read_dir(f.p("out")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temporary files left behind");
}

/// `-o` into what is not a name for a regular file writes through it: a
/// link like `/dev/stdout` (here one in the temp dir, so that a regression
/// replaces nothing of the host's) while stdout is a pipe, `/dev/fd/1`, and
/// a FIFO. The links and the FIFO stay what they were.
#[test]
fn output_to_stdout_links_and_fifos_is_written_through() {
    use std::os::unix::fs::FileTypeExt;
    let f = Fixture::new();
    let expected = wd().args(f.args()).output().unwrap().stdout;
    assert!(!expected.is_empty());
    let link = f.p("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    for out in [link.as_str(), "/dev/fd/1"] {
        // assert_cmd's stdout is a pipe.
        let got = wd().args(f.args()).args(["-o", out]).output().unwrap();
        assert!(got.status.success(), "{got:?}");
        assert_eq!(got.stdout, expected, "-o {out}");
    }
    assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
    // A socket for stdout (a systemd unit's to the journal) has no name to
    // open: /dev/stdout reaches it all the same.
    let (mine, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let status = cli_tests::std_cmd(Tool::WorkloadDiff)
        .args(f.args())
        .args(["-o", &link])
        .stdout(std::os::fd::OwnedFd::from(theirs))
        .status()
        .unwrap();
    assert!(status.success());
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut &mine, &mut got).unwrap();
    assert_eq!(got, expected, "-o {link} into a socket");
    // The real /dev/stdout and /dev/null, in a private /dev (a mount
    // namespace, where one can be made: root), as the audit reproduced them.
    let can_unshare = std::process::Command::new("unshare")
        .args(["-m", "true"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if can_unshare {
        let script = "mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 \
            && ln -s /proc/self/fd/1 /dev/stdout || exit 77
            \"$@\" -o /dev/stdout || exit 3
            \"$@\" -o /dev/null || exit 4
            [ -L /dev/stdout ] && [ -c /dev/null ] || exit 5";
        let o = std::process::Command::new("unshare")
            .args(["-m", "sh", "-c", script, "sh"])
            .arg(cli_tests::bin(Tool::WorkloadDiff))
            .args(f.args())
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        assert_eq!(o.stdout, expected, "-o /dev/stdout");
    } else {
        eprintln!("skipped -o /dev/stdout itself: no private mount namespace here");
    }
    let fifo = f.p("fifo");
    let c = std::ffi::CString::new(fifo.as_str()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    wd().args(f.args()).args(["-o", &fifo]).assert().success();
    assert_eq!(reader.join().unwrap(), expected);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn removed_repository_option_is_a_clear_error() {
    let f = Fixture::new();
    wd().args(f.args())
        .args(["--repository", "repository-fedora-eln"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--repository is no longer accepted",
        ))
        .stderr(predicate::str::contains("'repositories'"));
}

#[test]
fn arches_content_resolver_skips_are_warned_about() {
    let f = Fixture::new();
    let i686 = f.p("compose/x86_64.txt");
    let br = f.p("br/x86_64.txt");
    wd().args(f.args())
        .args([
            format!("--compose=i686={i686}"),
            format!("--buildroot=i686={br}"),
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: content-resolver skips arch i686",
        ));
    wd().args(f.args()).assert().success().stderr("");
}

#[test]
fn without_exclude_the_names_stay() {
    let f = Fixture::new();
    let args: Vec<String> = f
        .args()
        .into_iter()
        .filter(|a| !a.starts_with("--exclude"))
        .collect();
    wd().args(args)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  packages:\n    - autoconf\n    - kernel-headers\n    - \"yes\"\n",
        ));
}

#[test]
fn json_output() {
    let f = Fixture::new();
    let out = wd()
        .args(f.args())
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["packages"], serde_json::json!(["autoconf", "yes"]));
    assert_eq!(
        v["arch_packages"]["ppc64le"],
        serde_json::json!(["glibc", "zlib-devel"])
    );
    assert_eq!(v["arch_packages"]["x86_64"], serde_json::json!(["yasm"]));
    assert_eq!(v["arches"]["x86_64"]["buildroot"], 7);
    assert_eq!(v["arches"]["x86_64"]["in_compose"], 3);
    assert_eq!(
        v["arches"]["x86_64"]["excluded"],
        serde_json::json!(["kernel-headers"])
    );
    assert_eq!(
        v["arches"]["aarch64"]["added"],
        serde_json::json!(["autoconf", "yes", "zlib-devel"])
    );
    wd().args(f.args())
        .args(["--json", "--format", "text"])
        .assert()
        .code(2);
}

#[test]
fn text_output() {
    let f = Fixture::new();
    wd()
        .args(f.args())
        .args(["--format", "text"])
        .assert()
        .success()
        .stdout(
            "== aarch64: 6 buildroot binaries: 2 in the compose, 1 excluded, 3 added (1 only on aarch64)
+ autoconf
+ yes
+ zlib-devel (aarch64 only)
! kernel-headers (excluded)
== ppc64le: 6 buildroot binaries: 1 in the compose, 1 excluded, 4 added (2 only on ppc64le)
+ autoconf
+ glibc (ppc64le only)
+ yes
+ zlib-devel (ppc64le only)
! kernel-headers (excluded)
== x86_64: 7 buildroot binaries: 3 in the compose, 1 excluded, 3 added (1 only on x86_64)
+ autoconf
+ yasm (x86_64 only)
+ yes
! kernel-headers (excluded)
== workload: 2 on every arch (packages), 4 arch-specific (arch_packages)
",
        );
}

#[test]
fn compose_from_stdin() {
    let f = Fixture::new();
    let out = wd()
        .args([
            "--compose=x86_64=-".to_string(),
            format!("--buildroot=x86_64={}", f.p("br/x86_64.txt")),
            "--json".to_string(),
        ])
        .write_stdin("bash\nglibc\nnasm\nyes\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["packages"],
        serde_json::json!(["autoconf", "kernel-headers", "yasm"])
    );
    wd().args(["--compose=x86_64=-", "--buildroot=x86_64=-"])
        .assert()
        .code(2)
        .stderr(
            "workload-diff: only one list can be read from stdin ('-'), but --compose x86_64 \
             and --buildroot x86_64 both read it\n",
        );
    // step 10's --new-compose lists as well.
    wd().args([
        "--format=verify",
        "--buildroot-dir=x86_64=testdata",
        "--buildroot-dir=aarch64=testdata",
        "--new-compose=x86_64=-",
        "--new-compose=aarch64=-",
    ])
    .assert()
    .code(2)
    .stderr(
        "workload-diff: only one list can be read from stdin ('-'), but --new-compose aarch64 \
         and --new-compose x86_64 both read it\n",
    );
}

/// A generator output directory (see buildroot_core::workload::outdir).
fn fake_outdir(dir: &Path, extra: &str) {
    write(dir, "CoreBuildRootBinaries", "bash\ncoreutils\nglibc\n");
    write(dir, "CoreBuildRootSources", "bash\ncoreutils\nglibc\n");
    write(dir, "output/httpd-deps-binary", "gcc\napr-devel\n");
    write(dir, "output/httpd-deps-source", "gcc\napr\n");
    write(dir, "output/gcc-deps-binary", "gcc\n");
    write(dir, "output/gcc-deps-source", "gcc\n");
    write(
        dir,
        &format!("output/{extra}-deps-binary"),
        &format!("{extra}-devel\n"),
    );
    write(
        dir,
        "errors/broken-NoInstall",
        "broken: does-not-exist-devel\n",
    );
    write(dir, "errors/conflicted-BadDeps", "ERROR: conflicted\n");
}

#[test]
fn buildroot_format_from_output_dirs() {
    let t = tempfile::tempdir().unwrap();
    fake_outdir(&t.path().join("x86_64"), "nasm");
    fake_outdir(&t.path().join("aarch64"), "zlib");
    fs::remove_file(t.path().join("aarch64/errors/broken-NoInstall")).unwrap();
    let out = wd()
        .args([
            "--format".to_string(),
            "buildroot".to_string(),
            format!(
                "--buildroot-dir=x86_64={}",
                t.path().join("x86_64").display()
            ),
            format!(
                "--buildroot-dir=aarch64={}",
                t.path().join("aarch64").display()
            ),
            "--maintainer=bakery".to_string(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "---
document: feedback-pipeline-buildroot
version: 1
data:
  maintainer: bakery
  view_id: view-eln
  base_buildroot:
    aarch64:
      - bash
      - coreutils
      - glibc
    x86_64:
      - bash
      - coreutils
      - glibc
  source_packages:
    aarch64:
      gcc:
        requires:
          - gcc
      httpd:
        requires:
          - apr-devel
          - gcc
      zlib:
        requires:
          - zlib-devel
    x86_64:
      gcc:
        requires:
          - gcc
      httpd:
        requires:
          - apr-devel
          - gcc
      nasm:
        requires:
          - nasm-devel
"
    );
}

#[test]
fn nvr_lists_give_the_workload_name_lists_give() {
    // content-resolver's view-binary-package-nevr-list and the generator's
    // *-nvrs lists, as a user passes them.
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let run = |compose: &str, br: &str| Lists::new(d, compose, br).run(&[]);
    let names = run("bash\nnewlib\n", "bash\ngcc\nperl-libs\n");
    let nvrs = run(
        "bash-5.2.26-1.eln150\nnewlib-000-placeholder\n",
        "bash-5.2.26-1.eln150\ngcc-14.2.1-3.eln150\nperl-libs-4:5.40.0-512.eln150\n",
    );
    assert_eq!(nvrs.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&names.stdout).contains("- perl-libs"));
    assert_eq!(nvrs.stdout, names.stdout);
}

#[test]
fn a_buildroot_dir_of_another_arch_is_refused() {
    // Swapped by hand: aarch64's directory given as x86_64's would publish
    // its data under the wrong arch.
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("aarch64");
    fake_outdir(&a, "zlib");
    write(
        &a,
        "buildroot-package-relations--view-eln--aarch64.json",
        "{}",
    );
    let out = wd()
        .args(["--format", "buildroot"])
        .arg(format!("--buildroot-dir=x86_64={}", a.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "workload-diff: {}: given for x86_64, but it is a buildroot-generator output for \
             aarch64 (its buildroot-package-relations--…--aarch64.json)",
            a.display()
        )
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_option_of_another_format_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let lists = Lists::new(d, "bash\n", "bash\ngcc\n");
    let run = |extra: &[&str]| lists.run(extra);
    for (args, line) in [
        (
            &["--previous", "/nonexistent"][..],
            "--previous is read by --format changes or changes-json only, not by --format workload",
        ),
        (
            &["--json", "--verify-out", "v"][..],
            "--verify-out is read by --format verify only, not by --json",
        ),
        (
            &["--format", "text", "--workload", "w.yaml"][..],
            "--workload is read by --format allowed only, not by --format text",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            one_line(&String::from_utf8(out.stderr).unwrap()),
            format!("workload-diff: {line}")
        );
    }
    // Where they belong they are taken.
    let out = run(&[
        "--format",
        "changes",
        "--previous-dir",
        &format!("x86_64={}", d.display()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "read, and not an output directory"
    );
    assert!(!String::from_utf8(out.stderr)
        .unwrap()
        .contains("is read by"));
}

#[test]
fn workload_from_output_dirs_as_the_workflow_calls_it() {
    // The workflow script passes --compose, --buildroot and --buildroot-dir
    // for every arch, and the same arguments to every format.
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let x = d.join("x86_64");
    fake_outdir(&x, "nasm");
    write(
        &x,
        "buildroot-binary-package-names.txt",
        "apr-devel\nbash\ncoreutils\ngcc\nglibc\nnasm-devel\n",
    );
    let compose = write(d, "compose.txt", "bash\nglibc\n");
    let base = vec![
        format!("--compose=x86_64={compose}"),
        format!("--buildroot-dir=x86_64={}", x.display()),
        "--view=view-test".to_string(),
    ];
    // No --buildroot: the dir's names file.
    let out = wd()
        .args(&base)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["packages"],
        serde_json::json!(["apr-devel", "coreutils", "gcc", "nasm-devel"])
    );
    // Without the names file: core + every deps-binary.
    fs::remove_file(x.join("buildroot-binary-package-names.txt")).unwrap();
    let out = wd()
        .args(&base)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["packages"],
        serde_json::json!(["apr-devel", "coreutils", "gcc", "nasm-devel"])
    );
    // --buildroot wins over the dir for the diff; the dir feeds --format buildroot.
    let br = write(d, "br.txt", "bash\nglibc\nonly-in-file\n");
    let mut all = base.clone();
    all.push(format!("--buildroot=x86_64={br}"));
    wd().args(&all)
        .args(["--format", "workload"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "  packages:\n    - only-in-file\n",
        ));
    wd().args(&all)
        .args(["--format", "buildroot"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  view_id: view-test\n"))
        .stdout(predicate::str::contains(
            "      nasm:\n        requires:\n          - nasm-devel\n",
        ));
}

/// Exit 2, nothing on stdout, and exactly the one line `stderr`.
#[track_caller]
fn assert_fails(args: &[String], stderr: &str) {
    let out = wd().args(args).assert().code(2).get_output().clone();
    assert_eq!(one_line(&String::from_utf8(out.stderr).unwrap()), stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn errors_exit_2_with_one_line() {
    let f = Fixture::new();
    let c = |a: &str| format!("--compose={a}={}", f.p(&format!("compose/{a}.txt")));
    let b = |a: &str| format!("--buildroot={a}={}", f.p(&format!("br/{a}.txt")));
    assert_fails(
        &[c("x86_64"), c("aarch64"), b("x86_64")],
        "workload-diff: arch aarch64 has --compose but no --buildroot or --buildroot-dir",
    );
    assert_fails(
        &[c("x86_64"), b("x86_64"), b("aarch64")],
        "workload-diff: arch aarch64 has --buildroot but no --compose",
    );
    assert_fails(
        &[
            c("x86_64"),
            b("x86_64"),
            format!("--buildroot-dir=s390x={}", f.p("x")),
        ],
        "workload-diff: arch s390x has --buildroot-dir but no --compose",
    );
    assert_fails(
        &[c("x86_64"), c("x86_64"), b("x86_64")],
        "workload-diff: --compose x86_64 given twice",
    );
    assert_fails(
        &[b("x86_64")],
        "workload-diff: --compose ARCH=FILE is required (once per arch)",
    );
    let missing = f.p("compose/s390x.txt");
    assert_fails(
        &[format!("--compose=x86_64={missing}"), b("x86_64")],
        &format!("workload-diff: {missing}: No such file or directory"),
    );
    let missing_ex = f.p("nope.txt");
    assert_fails(
        &[c("x86_64"), b("x86_64"), format!("--exclude={missing_ex}")],
        &format!("workload-diff: {missing_ex}: No such file or directory"),
    );
    let bad = write(f.dir.path(), "bad.txt", "bash\nnot a name\n");
    assert_fails(
        &[format!("--compose=x86_64={bad}"), b("x86_64")],
        &format!("workload-diff: {bad}:2: 'not a name' is not a package name (one name per line)"),
    );
    let not_dir = f.p("compose/x86_64.txt");
    assert_fails(
        &[c("x86_64"), format!("--buildroot-dir=x86_64={not_dir}")],
        &format!("workload-diff: {not_dir}: not a directory (expected a buildroot-generator output directory)"),
    );
    let empty_dir = f.p("compose");
    assert_fails(
        &[
            "--format=buildroot".to_string(),
            format!("--buildroot-dir=x86_64={empty_dir}"),
        ],
        &format!("workload-diff: {empty_dir}/CoreBuildRootBinaries: missing (not a buildroot-generator output directory?)"),
    );
    assert_fails(
        &["--format=buildroot".to_string(), c("x86_64"), b("x86_64")],
        "workload-diff: --format buildroot needs --buildroot-dir ARCH=DIR for every arch",
    );
    assert_fails(
        &[
            "--format=buildroot".to_string(),
            c("x86_64"),
            c("aarch64"),
            b("aarch64"),
            format!("--buildroot-dir=x86_64={empty_dir}"),
        ],
        "workload-diff: --format buildroot needs --buildroot-dir for aarch64",
    );
    // clap's own usage errors exit 2 as well.
    wd().arg("--compose=x86_64")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not ARCH=PATH"));
    wd().arg("--format=yaml").assert().code(2);
    wd().arg("--bogus").assert().code(2);
}

#[test]
fn help_shows_examples_and_exit_codes() {
    wd().arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("--buildroot-dir"));
}

/// A generator output directory (pass 2 or step 10's restricted run).
fn outdir(
    d: &Path,
    rel: &str,
    binaries: &str,
    deps: &[(&str, &str)],
    errors: &[(&str, &str)],
) -> String {
    write(d, &format!("{rel}/CoreBuildRootBinaries"), "bash\n");
    write(d, &format!("{rel}/CoreBuildRootSources"), "bash\n");
    write(
        d,
        &format!("{rel}/buildroot-binary-package-names.txt"),
        binaries,
    );
    for (src, bins) in deps {
        write(d, &format!("{rel}/output/{src}-deps-binary"), bins);
    }
    for (file, text) in errors {
        write(d, &format!("{rel}/errors/{file}"), text);
    }
    d.join(rel).to_str().unwrap().to_string()
}

#[test]
fn allowed_is_compose_plus_workload_on_one_arch() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\nglibc\n");
    let w = write(
        d,
        "w.yaml",
        "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  description: d\n  maintainer: m\n  labels: [x]\n  packages: [gcc]\n  arch_packages:\n    x86_64: [nasm]\n    aarch64: [zlib-devel]\n",
    );
    wd().args(["--format", "allowed", "--workload", &w])
        .arg(format!("--compose=x86_64={compose}"))
        .assert()
        .success()
        .stdout("bash\ngcc\nglibc\nnasm\n");
    wd().args(["--format", "allowed"])
        .arg(format!("--compose=x86_64={compose}"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs --workload"));
    // `-`: the workload from stdin, as every list; not with a list from stdin too.
    let yaml = std::fs::read_to_string(&w).unwrap();
    wd().args(["--format", "allowed", "--workload", "-"])
        .arg(format!("--compose=x86_64={compose}"))
        .write_stdin(yaml.clone())
        .assert()
        .success()
        .stdout("bash\ngcc\nglibc\nnasm\n");
    wd().args([
        "--format",
        "allowed",
        "--workload",
        "-",
        "--compose=x86_64=-",
    ])
    .write_stdin(yaml)
    .assert()
    .code(2)
    .stdout("")
    .stderr(
        "workload-diff: only one list can be read from stdin ('-'), but --compose x86_64 \
             and --workload both read it\n",
    );
    // A workload that is not text: the words of every other list's refusal,
    // not the standard library's.
    let bad = d.join("bad.yaml");
    std::fs::write(&bad, b"\xff\xfe not yaml\n").unwrap();
    let out = wd()
        .args(["--format", "allowed", "--workload"])
        .arg(&bad)
        .arg(format!("--compose=x86_64={compose}"))
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!("workload-diff: {}: not valid UTF-8\n", bad.display())
    );
}

#[test]
fn verify_reports_new_failures_and_missing_binaries() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let pass2 = outdir(
        d,
        "pass2",
        "bash\ngcc\npatch\n",
        &[("hello", "gcc\n")],
        &[("broken-NoInstall", "broken: does-not-exist-devel\n")],
    );
    let run = outdir(
        d,
        "verify-run",
        "bash\n",
        &[],
        &[
            ("broken-NoInstall", "broken: does-not-exist-devel\nbroken: perl\n"),
            (
                "hello-BadDeps",
                "=====\nERROR: hello\nconflicting requests\npackage gcc-1-1.x86_64 is filtered out by exclude filtering\n",
            ),
        ],
    );
    let new = write(d, "new.txt", "bash\ngcc\n");
    let out = d.join("verify");
    wd().args(["--format", "verify"])
        .arg(format!("--buildroot-dir=x86_64={pass2}"))
        .arg(format!("--verify-dir=x86_64={run}"))
        .arg(format!("--new-compose=x86_64={new}"))
        .arg("--verify-out")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "verify x86_64: these sources cannot be built",
        ))
        .stdout(predicate::str::contains(
            "  hello: package gcc-1-1.x86_64 is filtered out by exclude filtering\n",
        ))
        .stdout(predicate::str::contains(
            "1 buildroot binary is missing from the new compose",
        ));
    assert_eq!(
        fs::read_to_string(out.join("x86_64/new-failures.txt")).unwrap(),
        "broken: perl\nhello: package gcc-1-1.x86_64 is filtered out by exclude filtering\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("x86_64/missing.txt")).unwrap(),
        "patch\n"
    );
    // Nothing new, nothing missing: exit 0.
    let all = write(d, "all.txt", "bash\ngcc\npatch\n");
    wd().args(["--format", "verify"])
        .arg(format!("--buildroot-dir=x86_64={pass2}"))
        .arg(format!("--verify-dir=x86_64={pass2}"))
        .arg(format!("--new-compose=x86_64={all}"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "verify x86_64: the new compose has every buildroot binary",
        ));
    // A verify dir without its pass 2.
    wd().args(["--format", "verify"])
        .arg(format!("--verify-dir=x86_64={run}"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no --buildroot-dir"));
}

#[test]
fn changes_against_a_previous_workload() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\nmake\n");
    let cur = outdir(
        d,
        "cur",
        "bash\ncmake\ngcc\nmake\n",
        &[("hello", "cmake\ngcc\n")],
        &[],
    );
    write(
        d,
        "cur/buildroot-why.json",
        r#"{"cmake": ["cmake", "BuildRequires 'cmake' of hello (input)"]}"#,
    );
    let prev_dir = outdir(
        d,
        "prev",
        "bash\nautoconf\ngcc\nmake\n",
        &[("hello", "autoconf\ngcc\nmake\n")],
        &[],
    );
    let prev = write(
        d,
        "prev.yaml",
        "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  description: d\n  maintainer: m\n  labels: [x]\n  packages: [autoconf, gcc, make]\n",
    );
    let with_compose = |fmt: &str, compose: &str| {
        let mut c = wd();
        c.args(["--format", fmt, "--previous", &prev])
            .arg(format!("--previous-dir=x86_64={prev_dir}"))
            .arg(format!("--compose=x86_64={compose}"))
            .arg(format!("--buildroot-dir=x86_64={cur}"));
        c
    };
    let base = |fmt: &str| with_compose(fmt, &compose);
    let report = base("changes")
        .assert()
        .success()
        .stdout(predicate::str::contains("## x86_64: 1 entered, 2 left"))
        .stdout(predicate::str::contains(
            "- `cmake`: cmake ← BuildRequires 'cmake' of hello (input) (needed by hello)",
        ))
        .stdout(predicate::str::contains(
            "- `autoconf`: no longer needed by hello",
        ))
        .stdout(predicate::str::contains(
            "- `make`: the compose ships it now",
        ))
        .get_output()
        .stdout
        .clone();
    // The compose from stdin: read once, by the diff and the report alike
    // (a second read found stdin empty: `make` "no longer needed").
    with_compose("changes", "-")
        .write_stdin("bash\nmake\n")
        .assert()
        .success()
        .stdout(report.clone());
    // The previous workload from stdin (`-`), the same report but for its name.
    let report = String::from_utf8(report)
        .unwrap()
        .replace(&format!("`{prev}`"), "`<stdin>`");
    assert!(
        report.contains("Compared with the previous workload, `<stdin>`."),
        "{report}"
    );
    wd().args(["--format", "changes", "--previous", "-"])
        .arg(format!("--previous-dir=x86_64={prev_dir}"))
        .arg(format!("--compose=x86_64={compose}"))
        .arg(format!("--buildroot-dir=x86_64={cur}"))
        .write_stdin(std::fs::read_to_string(&prev).unwrap())
        .assert()
        .success()
        .stdout(report);
    let out = base("changes-json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["arches"]["x86_64"]["entered"][0]["name"], "cmake");
    assert_eq!(v["arches"]["x86_64"]["left"][1]["because"], "in-compose");
}

/// A run's change report stays readable once the previous run is pruned:
/// `--previous-run ID` names that run by its id (changes.md, and
/// `previous_run` in changes.json), and a `--previous` (and
/// `--previous-skipped-repos`) kept under `-o`'s directory, as the workflow
/// keeps its copies in the run's `previous/`, is named from there, not by
/// an absolute path into `runs/` that goes stale. Without the option the
/// reports are as before, byte for byte; the option alone is refused.
#[test]
fn changes_name_the_previous_run_by_id_and_its_copy_in_the_run() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\n");
    let br = write(d, "br.txt", "bash\ngcc\n");
    let workload = "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  \
                    description: d\n  maintainer: m\n  labels: [x]\n  packages: [autoconf]\n";
    let copy = write(d, "run/previous/eln-buildroot-workload.yaml", workload);
    let skipped = write(
        d,
        "run/previous/skipped-repos.txt",
        "x86_64\trepos\tlate\tleft out: u: HTTP 404\n",
    );
    let run = |fmt: &str, out: &str, extra: &[&str]| {
        let o = d.join("run").join(out);
        let status = wd()
            .args(["--format", fmt, "--previous", &copy])
            .arg(format!("--compose=x86_64={compose}"))
            .arg(format!("--buildroot=x86_64={br}"))
            .args(extra)
            .arg("-o")
            .arg(&o)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        fs::read_to_string(o).unwrap()
    };
    let id = ["--previous-run", "20261203T184621Z-29871"];
    let md = run(
        "changes",
        "changes.md",
        &[id[0], id[1], "--previous-skipped-repos", &skipped],
    );
    assert!(
        md.contains(
            "Compared with the workload of the previous run, `20261203T184621Z-29871` (as it \
             was then: `previous/eln-buildroot-workload.yaml`)."
        ),
        "{md}"
    );
    assert!(
        md.contains("its `skipped-repos.txt` (a copy: `previous/skipped-repos.txt`) says"),
        "{md}"
    );
    assert!(!md.contains(d.to_str().unwrap()), "{md}");
    let json = run("changes-json", "changes.json", &id);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["previous"], "previous/eln-buildroot-workload.yaml");
    assert_eq!(v["previous_run"], "20261203T184621Z-29871");
    // Without --previous-run: no such key, and the Markdown's old sentence.
    let plain = run("changes-json", "plain.json", &[]);
    let v: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert!(v.get("previous_run").is_none(), "{plain}");
    // Named as written, symlinks not followed: `last/` (a link to a run's
    // directory, as the workflow's) stays `last/`, not where it leads.
    std::os::unix::fs::symlink(d.join("run/previous"), d.join("run/last")).unwrap();
    let linked = d.join("run/last/eln-buildroot-workload.yaml");
    let out = d.join("run/linked.json");
    let status = wd()
        .args(["--format", "changes-json", "--previous"])
        .arg(&linked)
        .arg(format!("--compose=x86_64={compose}"))
        .arg(format!("--buildroot=x86_64={br}"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["previous"], "last/eln-buildroot-workload.yaml");
    // A --previous outside -o's directory keeps the path as given.
    let elsewhere = wd()
        .args(["--format", "changes", "--previous", &copy])
        .arg(format!("--compose=x86_64={compose}"))
        .arg(format!("--buildroot=x86_64={br}"))
        .output()
        .unwrap();
    let text = String::from_utf8(elsewhere.stdout).unwrap();
    assert!(
        text.contains(&format!("Compared with the previous workload, `{copy}`.")),
        "{text}"
    );
    // The id without the workload it names is a mistake.
    let out = wd()
        .args(["--format", "changes", id[0], id[1]])
        .arg(format!("--compose=x86_64={compose}"))
        .arg(format!("--buildroot=x86_64={br}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "workload-diff: --previous-run names the run of --previous: give --previous FILE too\n"
    );
}

/// The workflow's `skipped-repos.txt` of this run and of the previous one
/// (`--skipped-repos`, `--previous-skipped-repos`): said at the end of
/// changes.md and carried in changes.json (sorted, each line once); an
/// empty file is none, and without them both reports are as before, byte
/// for byte. A line of another shape is one error naming file and line.
#[test]
fn changes_say_the_repos_each_run_went_on_without() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\n");
    let br = write(d, "br.txt", "bash\ngcc\n");
    let why = "left out: http://h/extras/aarch64/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)";
    let skipped = write(
        d,
        "skipped-repos.txt",
        &format!(
            "aarch64\tpass1\textras\t{why}\n-\tarchful\textras\t{why}\n\
             aarch64\tpass2\textras\t{why}\n-\tcompose\tcomps\tgroups left out, packages kept: c: HTTP 404\n\
             aarch64\tpass1\textras\t{why}\n"
        ),
    );
    let prev_skipped = write(
        d,
        "prev-skipped.txt",
        &format!("x86_64\trepos\tlate\t{why}\n"),
    );
    let empty = write(d, "empty.txt", "");
    let run = |fmt: &str, extra: &[&str]| {
        wd().args(["--format", fmt])
            .arg(format!("--compose=x86_64={compose}"))
            .arg(format!("--buildroot=x86_64={br}"))
            .args(extra)
            .output()
            .unwrap()
    };
    let whole_md = run("changes", &[]);
    let whole_json = run("changes-json", &[]);
    assert!(whole_md.status.success() && whole_json.status.success());
    for fmt in ["changes", "changes-json"] {
        let none = run(
            fmt,
            &[
                "--skipped-repos",
                &empty,
                "--previous-skipped-repos",
                &empty,
            ],
        );
        let whole = if fmt == "changes" {
            &whole_md
        } else {
            &whole_json
        };
        assert_eq!(none.stdout, whole.stdout, "{fmt}");
    }
    let both = [
        "--skipped-repos",
        &skipped,
        "--previous-skipped-repos",
        &prev_skipped,
    ];
    let md = String::from_utf8(run("changes", &both).stdout).unwrap();
    let lead = |who: &str, record: &str| {
        format!(
            "## Repositories left out\n\n{who} was computed without the repositories below \
             (`skip_if_unavailable=1`, unavailable;\n{record} says for which arch \
             and step, and why): what only they hold is missing\nfrom that run, and shows \
             above as leaving, or entering once they are back.\n\n"
        )
    };
    let whole_md = String::from_utf8(whole_md.stdout).unwrap();
    assert_eq!(
        md,
        format!(
            "{whole_md}{}- `extras` (archful, aarch64 pass1, aarch64 pass2)\n\n\
             This run was computed with the packages of the repositories below but without \
             their groups\n(`skip_if_unavailable=1`: their comps could not be read; \
             `skipped-repos.txt` says for which\narch and step, and why): what those groups \
             name may be missing from that run.\n\n- `comps` (compose)\n\n\
             {}- `late` (x86_64 repos)\n\n",
            lead("This run", "`skipped-repos.txt`"),
            lead("The previous run", "its `skipped-repos.txt`")
        )
    );
    let out = run("changes-json", &both);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let whole: serde_json::Value = serde_json::from_slice(&whole_json.stdout).unwrap();
    assert_eq!(v["arches"], whole["arches"]);
    let reason = why.strip_prefix("left out: ").unwrap();
    assert_eq!(
        v["skipped_repos"],
        serde_json::json!([
            {"arch": null, "step": "archful", "repo": "extras", "left_out": "repo", "reason": reason},
            {"arch": null, "step": "compose", "repo": "comps", "left_out": "groups", "reason": "c: HTTP 404"},
            {"arch": "aarch64", "step": "pass1", "repo": "extras", "left_out": "repo", "reason": reason},
            {"arch": "aarch64", "step": "pass2", "repo": "extras", "left_out": "repo", "reason": reason},
        ])
    );
    assert_eq!(v["previous_skipped_repos"][0]["repo"], "late");
    assert!(whole.get("skipped_repos").is_none(), "{whole}");

    let bad = write(
        d,
        "bad.txt",
        &format!(
            "{}x86_64 pass1 extras\n",
            "-\tarchful\textras\tleft out: x\n"
        ),
    );
    let out = run("changes", &["--skipped-repos", &bad]);
    assert_eq!(out.status.code(), Some(2));
    let err = one_line(&String::from_utf8_lossy(&out.stderr));
    assert!(
        err.starts_with(&format!("workload-diff: {bad}:2: ")),
        "{err}"
    );
    let out = run(
        "changes",
        &[
            "--skipped-repos",
            &d.join("nothing.txt").display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    // Read by the change report only.
    let out = run("workload", &["--skipped-repos", &skipped]);
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line(&String::from_utf8_lossy(&out.stderr))
        .contains("--skipped-repos is read by --format changes or changes-json only"));
}

#[test]
fn changes_when_the_arches_change() {
    // The previous run built x86_64 and s390x; this one x86_64 and aarch64.
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\n");
    let x86 = outdir(
        d,
        "x86",
        "bash\ngcc\nnasm\n",
        &[("hello", "gcc\nnasm\n")],
        &[],
    );
    let arm = outdir(d, "arm", "bash\ngcc\n", &[("hello", "gcc\n")], &[]);
    let prev = write(
        d,
        "prev.yaml",
        "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  description: d\n  \
         maintainer: m\n  labels: [x]\n  packages: [gcc]\n  arch_packages:\n    s390x: [zlib]\n    \
         x86_64: [nasm]\n",
    );
    let run = |fmt: &str| {
        let out = wd()
            .args(["--format", fmt, "--previous", &prev])
            .arg(format!("--compose=x86_64={compose}"))
            .arg(format!("--compose=aarch64={compose}"))
            .arg(format!("--buildroot-dir=x86_64={x86}"))
            .arg(format!("--buildroot-dir=aarch64={arm}"))
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    };
    let md = run("changes");
    // aarch64 is new: gcc entered with it, nasm never "left" it.
    assert!(
        md.contains(
            "## aarch64: new arch (the previous run did not build it), 1 entered, 0 left\n\n\
             Entered:\n\n- `gcc` (needed by hello)\n"
        ),
        "{md}"
    );
    assert!(!md.contains("nasm"), "{md}");
    assert!(
        md.contains(
            "## s390x: no longer built, 2 left\n\nThis run does not build s390x: every package \
             the previous workload had for it left with it.\n"
        ),
        "{md}"
    );
    assert!(md.contains("## x86_64: 0 entered, 0 left"), "{md}");
    let v: serde_json::Value = serde_json::from_str(&run("changes-json")).unwrap();
    assert_eq!(v["arches"]["aarch64"]["arch"], "new");
    assert_eq!(v["arches"]["aarch64"]["left"], serde_json::json!([]));
    assert_eq!(v["arches"]["s390x"]["arch"], "no-longer-built");
    assert_eq!(
        v["arches"]["s390x"]["left"],
        serde_json::json!([
            {"name": "gcc", "because": "arch-not-built"},
            {"name": "zlib", "because": "arch-not-built"}
        ])
    );
    assert!(v["arches"]["x86_64"].get("arch").is_none(), "{v}");
}

#[test]
fn no_legacy_keys_leaves_out_what_content_resolver_rejects() {
    let f = Fixture::new();
    let out = wd()
        .args(f.args())
        .arg("--no-legacy-keys")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("experimental"), "{text}");
    assert!(!text.contains("repositories"), "{text}");
}

/// `--format allowed` with the workload YAML `data` (the data: block body).
fn allowed_with(d: &Path, data: &str) -> (String, std::process::Output) {
    let compose = write(d, "c.txt", "bash\n");
    let w = write(
        d,
        "w.yaml",
        &format!("document: feedback-pipeline-workload\nversion: 1\ndata:\n{data}"),
    );
    let out = wd()
        .args(["--format", "allowed", "--workload", &w])
        .arg(format!("--compose=x86_64={compose}"))
        .output()
        .unwrap();
    (w, out)
}

#[test]
fn workload_yaml_errors_speak_to_users_not_rust_programmers() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let meta = "  name: W\n  description: d\n  maintainer: m\n  labels: [x]\n";
    let (w, out) = allowed_with(d, &format!("{meta}  packages: [gcc, null]\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!("workload-diff: {w}: null is not allowed here at line 8, column 19")
    );
    let multi = "---\ndocument: feedback-pipeline-workload\n---\nversion: 1\n";
    let w = write(d, "multi.yaml", multi);
    let out = wd()
        .args(["--format", "allowed", "--workload", &w])
        .arg(format!("--compose=x86_64={}", write(d, "c.txt", "bash\n")))
        .output()
        .unwrap();
    let err = one_line(&String::from_utf8(out.stderr).unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        err,
        format!("workload-diff: {w}: more than one YAML document (a second one at line 4)")
    );
}

#[test]
fn workload_names_are_read_as_content_resolver_reads_them() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let meta = "  name: W\n  description: d\n  maintainer: m\n  labels: [x]\n";
    // PyYAML (YAML 1.1) and str(): yes -> True, 010 -> 8; quoted stays.
    let (_, out) = allowed_with(
        d,
        &format!("{meta}  packages: [yes, 1.0, 010, \"on\"]\n  arch_packages:\n    x86_64: [No]\n"),
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "1.0\n8\nFalse\nTrue\nbash\non\n"
    );
    // Two words are no package name: refused here, not one step later.
    let (w, out) = allowed_with(d, &format!("{meta}  packages: [gcc, two words]\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!("workload-diff: {w}: packages: 'two words' is not a package name")
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_empty_compose_is_refused_unless_allowed() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let lists = Lists::new(d, "# nothing\n", "bash\n");
    let compose = &lists.compose;
    let wl = d.join("wl.yaml");
    std::fs::write(&wl, "kept\n").unwrap();
    let wl_arg = wl.display().to_string();
    let run = |extra: &[&str]| lists.run(&[&["-o", wl_arg.as_str()], extra].concat());
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "workload-diff: --compose x86_64={compose} lists no packages (did the step before \
             fail?); with --allow-empty the whole x86_64 buildroot goes into the workload"
        )
    );
    assert_eq!(
        std::fs::read_to_string(&wl).unwrap(),
        "kept\n",
        "nothing written"
    );
    let out = run(&["--allow-empty"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "workload-diff: warning: --compose x86_64={compose} lists no packages: the whole \
             x86_64 buildroot goes into the workload"
        )
    );
}

/// An empty `--buildroot` list is refused as an empty compose is, and
/// warned about with --allow-empty; `-q` drops the warnings.
#[test]
fn an_empty_buildroot_is_refused_unless_allowed_and_quiet_drops_warnings() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let lists = Lists::new(d, "bash\n", "# nothing\n");
    let (compose, br) = (&lists.compose, &lists.br);
    let run = |extra: &[&str]| lists.run(extra);
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "workload-diff: --buildroot x86_64={br} lists no packages (did the step before \
             fail?); with --allow-empty nothing of the x86_64 buildroot goes into the workload"
        )
    );
    assert!(out.stdout.is_empty());
    let out = run(&["--allow-empty"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        one_line(&String::from_utf8(out.stderr).unwrap()),
        format!(
            "workload-diff: warning: --buildroot x86_64={br} lists no packages: nothing of \
             the x86_64 buildroot goes into the workload"
        )
    );
    for q in ["-q", "--quiet"] {
        let quiet = run(&[q, "--allow-empty"]);
        assert_eq!(quiet.status.code(), Some(0));
        assert!(quiet.stderr.is_empty(), "{q}");
        assert_eq!(quiet.stdout, out.stdout);
    }
    // The arch warning too.
    let rv = write(d, "rv.txt", "bash\n");
    let out = wd()
        .arg(format!("--compose=riscv64={compose}"))
        .arg(format!("--buildroot=riscv64={rv}"))
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
}

/// A generator output directory given to `--buildroot` points at
/// `--buildroot-dir`.
#[test]
fn a_directory_as_buildroot_list_names_buildroot_dir() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let compose = write(d, "c.txt", "bash\n");
    let dir = d.join("pass2").to_str().unwrap().to_string();
    fs::create_dir(&dir).unwrap();
    assert_fails(
        &[
            format!("--compose=x86_64={compose}"),
            format!("--buildroot=x86_64={dir}"),
        ],
        &format!(
            "workload-diff: --buildroot x86_64={dir}: is a directory (a generator output \
             directory? use --buildroot-dir x86_64={dir})"
        ),
    );
}
