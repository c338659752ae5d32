//! The SRPM cache's spec entries (`.srpm-specs/`, docs/formats.md 2b): a
//! warm identify-archful-srpms takes each spec, and the source files a spec
//! reads, from the entry of the SRPM's verified checksum and reads no SRPM
//! payload; its answers are those of a cold run and of a run without
//! entries, byte for byte; a damaged or foreign entry is ignored and
//! rewritten; entries go with their SRPMs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use buildroot_core::srpm::SourceFile;
use cli_tests::{
    big_srpm_repo, bin, bytes_read_by, dir_names, root, srpm_names, TestContext, Tool,
    BIG_TARBALL_BYTES,
};

/// What a run answered: stdout, stderr, `--map` and `--json-file`.
type Answer = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

/// A copy of the fixture's source repo in `t/source`, its SRPMs an hour
/// old (linked into the cache and recorded). The cache links its SRPMs,
/// and another test linking the fixture's own files meanwhile would move
/// their ctime, so that the record no longer vouched for them: a run would
/// hash them again, and keep no entry of them.
fn source_repo(t: &TestContext) -> PathBuf {
    let from = cli_tests::fixture("repos/source");
    let to = t.join("source");
    std::fs::create_dir_all(to.join("repodata")).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for sub in ["", "repodata"] {
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                let dest = to.join(sub).join(e.file_name());
                std::fs::copy(e.path(), &dest).unwrap();
                let f = std::fs::File::options().append(true).open(&dest).unwrap();
                f.set_modified(hour_ago).unwrap();
            }
        }
    }
    to
}

/// identify-archful-srpms over [`source_repo`] and the fixture's x86_64
/// repo, caching into `t/cache`, with `--map` and `--json-file` into `t`;
/// under `strace -y` of the reading calls into `trace` when given.
fn identify(t: &TestContext, list: &str, extra: &[&str], trace: Option<&Path>) -> Answer {
    let source = t.join("source");
    if !source.exists() {
        source_repo(t);
    }
    let mut args: Vec<String> = vec![
        "--source-repo".into(),
        format!("src={}", source.display()),
        "--repo".into(),
        "bin=testdata/repos/x86_64".into(),
        "--cache".into(),
    ];
    args.push(t.join("cache").display().to_string());
    for (opt, f) in [("--map", "map.txt"), ("--json-file", "archful.json")] {
        args.push(opt.into());
        args.push(t.join(f).display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(list.into());
    let mut c = match trace {
        Some(log) => {
            let mut c = Command::new("strace");
            c.args(["-f", "-qq", "-y", "-e"])
                .arg("trace=read,pread64,readv,preadv,preadv2,mmap,sendfile,copy_file_range")
                .arg("-o")
                .arg(log)
                .arg(bin(Tool::IdentifyArchful));
            c
        }
        None => Command::new(bin(Tool::IdentifyArchful)),
    };
    c.current_dir(root())
        .env("XDG_CACHE_HOME", cli_tests::cache_home())
        .args(&args)
        .stdin(Stdio::null());
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let read = |f: &str| std::fs::read(t.join(f)).unwrap();
    (
        out.stdout,
        out.stderr,
        read("map.txt"),
        read("archful.json"),
    )
}

/// Whether strace is installed and may trace here (says so when not).
fn have_strace() -> bool {
    let ok = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: strace is not installed or may not trace (.ci/run installs it)");
    }
    ok
}

/// The traced reads of SRPMs in a `strace -y` log: calls whose file
/// descriptor is an `.src.rpm` file (the lines, for the message).
fn srpm_reads(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .filter(|l| l.contains(".src.rpm>"))
        .map(str::to_string)
        .collect()
}

const SOURCES: &str = "testdata/compose/sources.txt";

/// A warm run reads not one byte of the cached SRPMs (their checksums from
/// `.srpm-sums`, their specs from `.srpm-specs`), and answers as the cold
/// run did and as a warm run without entries does, byte for byte.
#[test]
fn a_warm_run_reads_no_srpm_and_answers_the_same() {
    if !have_strace() {
        return;
    }
    let t = TestContext::new();
    let cold = identify(&t, SOURCES, &[], None);
    let cache = t.join("cache");
    let specs = cache.join(".srpm-specs");
    // One entry per SRPM (the fixture's SRPMs are all different bytes).
    assert_eq!(dir_names(&specs).len(), srpm_names(&cache).len());
    let log = t.join("warm.trace");
    let warm = identify(&t, SOURCES, &[], Some(&log));
    assert!(cold == warm, "the warm run answered otherwise");
    let reads = srpm_reads(&log);
    assert!(reads.is_empty(), "SRPMs read: {reads:#?}");
    // Without entries, the specs come from the SRPMs again, with the same
    // answers, and the entries are written again.
    let entries = cli_tests::snapshot(&specs);
    std::fs::remove_dir_all(&specs).unwrap();
    let log = t.join("bare.trace");
    let bare = identify(&t, SOURCES, &[], Some(&log));
    assert!(cold == bare, "the run without entries answered otherwise");
    assert!(!srpm_reads(&log).is_empty(), "no SRPM read without entries");
    assert_eq!(cli_tests::snapshot(&specs), entries);
}

/// An entry cut short, one holding another SRPM's entry, one of garbage:
/// none is taken, each is rewritten as it was, and the answer is the same.
#[test]
fn a_damaged_or_foreign_entry_is_rewritten() {
    let t = TestContext::new();
    let cold = identify(&t, SOURCES, &[], None);
    let specs = t.join("cache/.srpm-specs");
    let entries = cli_tests::snapshot(&specs);
    let names: Vec<&PathBuf> = entries.keys().collect();
    let (a, b, c) = (names[0], names[1], names[2]);
    let bytes = &entries[a];
    std::fs::write(specs.join(a), &bytes[..bytes.len() - 20]).unwrap();
    std::fs::write(specs.join(b), &entries[c]).unwrap();
    std::fs::write(specs.join(c), "Name: other\nVersion: 1\nRelease: 1\n").unwrap();
    let again = identify(&t, SOURCES, &[], None);
    assert!(cold == again, "a damaged entry changed the answer");
    assert_eq!(cli_tests::snapshot(&specs), entries);
}

/// Entries go with their SRPMs: a run that lists two sources, SRPMs of
/// others deleted at once (`--keep-unlisted 0`), keeps the entries of
/// those two alone.
#[test]
fn entries_go_with_their_srpms() {
    let t = TestContext::new();
    identify(&t, SOURCES, &[], None);
    std::fs::write(t.join("two.txt"), "bash\nzlib\n").unwrap();
    let list = t.join("two.txt").display().to_string();
    identify(&t, &list, &["--keep-unlisted", "0"], None);
    let cache = t.join("cache");
    let mut want: Vec<String> = srpm_names(&cache)
        .iter()
        .map(|f| {
            let sum = buildroot_core::rpmmd::sha256_file(&cache.join(f)).unwrap();
            format!("sha256-{sum}")
        })
        .collect();
    want.sort();
    assert_eq!(srpm_names(&cache).len(), 2);
    assert_eq!(dir_names(&cache.join(".srpm-specs")), want);
}

/// [`big_srpm_repo`]: a source repo of one SRPM, `big`, whose spec takes
/// its BuildRequires from a file of its sources (`%include %{SOURCE1}`)
/// beside its big tarball. `line`: the spec's line that reads its sources.
fn big_repo(repo: &Path, line: &str) {
    let spec = "Name: big\nVersion: 1\nRelease: 1\nSummary: big\nLicense: MIT\n\
                Source0: big-1.tar.gz\nSource1: big-deps.inc\n{line}\n%description\nbig\n"
        .replace("{line}", line);
    let deps = SourceFile {
        name: "big-deps.inc".into(),
        data: b"%ifarch s390x\nBuildRequires: included-dep\n%endif\n".to_vec(),
    };
    big_srpm_repo(repo, &spec, vec![deps]);
}

/// identify-archful-srpms on [`big_repo`] into `t/cache`: its stdout and
/// `--json-file`, and the bytes it read.
fn identify_big(t: &Path) -> (String, String, u64) {
    let mut run = Command::new(bin(Tool::IdentifyArchful));
    run.args(["-q", "--source-repo"])
        .arg(format!("src={}", t.join("repo").display()))
        .arg("--cache")
        .arg(t.join("cache"))
        .arg("--json-file")
        .arg(t.join("archful.json"))
        .arg(t.join("names.txt"));
    let read = bytes_read_by(&run, &t.join("out.txt"));
    let text = |f: &str| std::fs::read_to_string(t.join(f)).unwrap();
    (text("out.txt"), text("archful.json"), read)
}

/// A spec that reads a file of its sources: the first run reads the
/// payload for it and keeps its answer in the entry; the next run reads
/// neither the tarball nor the file, and the answer (archful, by the
/// included BuildRequires) is the same.
#[test]
fn a_spec_reading_its_sources_is_answered_from_its_entry() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    big_repo(&t.join("repo"), "%include %{SOURCE1}");
    std::fs::write(t.join("names.txt"), "big\n").unwrap();
    let (out, json, cold_read) = identify_big(t);
    assert_eq!(out, "big\n", "{json}");
    assert!(json.contains("included-dep"), "{json}");
    assert!(
        cold_read > BIG_TARBALL_BYTES as u64,
        "cold: read {cold_read} bytes"
    );
    let (warm_out, warm_json, warm_read) = identify_big(t);
    assert_eq!((warm_out, warm_json), (out, json));
    assert!(
        warm_read < (BIG_TARBALL_BYTES / 4) as u64,
        "warm: read {warm_read} bytes"
    );
}

/// A spec that asks whether its tarball is there (`%{exists:%{SOURCE0}}`):
/// the entry keeps the spec and not the tarball's bytes (formats.md 2b:
/// no file over 1 MiB), the answer is the same warm, and a warm run,
/// which reads the payload for that lookup, leaves the entry as it was.
#[test]
fn an_entry_keeps_no_tarball_a_spec_asked_about() {
    use std::os::unix::fs::MetadataExt;
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    big_repo(
        &t.join("repo"),
        "%ifarch s390x\nBuildRequires: tarball-%{exists:%{SOURCE0}}\n%endif",
    );
    std::fs::write(t.join("names.txt"), "big\n").unwrap();
    let (out, json, _) = identify_big(t);
    assert_eq!(out, "big\n", "{json}");
    assert!(json.contains("tarball-1"), "{json}");
    let specs = t.join("cache/.srpm-specs");
    let names = dir_names(&specs);
    assert_eq!(names.len(), 1);
    let entry = specs.join(&names[0]);
    let kept = std::fs::metadata(&entry).unwrap();
    assert!(kept.len() < 1 << 20, "entry of {} bytes", kept.len());
    let (warm_out, warm_json, _) = identify_big(t);
    assert_eq!((warm_out, warm_json), (out, json));
    assert_eq!(std::fs::metadata(&entry).unwrap().ino(), kept.ino());
}
