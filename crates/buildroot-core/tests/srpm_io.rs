//! SRPM and RPM files made with the rpm crate are real: rpm and createrepo_c
//! read them, and our header reader and spec extraction round-trip.

use std::path::Path;
use std::process::Command;

mod oracle_support;

use buildroot_core::dep::Dep;
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::spec::{SpecContext, SpecEval};
use buildroot_core::srpm::{
    arch_limits, build_rpm, build_srpm, extract_spec, read_header, read_payload_files,
    rebuild_srpm, SourceFile, SrpmSpec,
};

const SPEC: &str = "Name: hello\nVersion: 2.12\nRelease: 1.fc40\nSummary: Hi\nLicense: MIT\nBuildRequires: gcc >= 10\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n%description\nHi\n";

fn spec() -> SrpmSpec {
    SrpmSpec {
        name: "hello".into(),
        version: "2.12".into(),
        release: "1.fc40".into(),
        license: "MIT".into(),
        summary: "Hi".into(),
        spec_name: "hello.spec".into(),
        spec_text: SPEC.into(),
        sources: vec![SourceFile {
            name: "hello-2.12.tar.gz".into(),
            data: b"not really a tarball".to_vec(),
        }],
        build_requires: vec![
            Dep::parse("gcc >= 10").unwrap(),
            Dep::parse("nasm").unwrap(),
            Dep::parse("(python3-foo or python3-bar)").unwrap(),
        ],
        host_arch: "x86_64".into(),
        build_time: 1_700_000_000,
        ..Default::default()
    }
}

/// `rpm -qp --requires` of a package file, as text.
fn rpm_requires(path: &Path) -> String {
    String::from_utf8_lossy(&rpm_requires_raw(path)).into_owned()
}

/// `rpm -qp --requires` of a package file as rpm prints it, bytes as
/// stored; digests and signatures not checked (a test may have patched
/// the header).
fn rpm_requires_raw(path: &Path) -> Vec<u8> {
    let out = Command::new("rpm")
        .args(["-qp", "--nodigest", "--nosignature", "--requires"])
        .arg(path)
        .output()
        .unwrap();
    out.stdout
}

fn rpm_available() -> bool {
    Command::new("rpm").arg("--version").output().is_ok()
}

#[test]
fn srpm_round_trip_and_reproducible() {
    let t = tempfile::tempdir().unwrap();
    let bytes = build_srpm(&spec()).unwrap();
    assert_eq!(
        bytes,
        build_srpm(&spec()).unwrap(),
        "same input, same bytes"
    );
    let path = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, &bytes).unwrap();
    let p = read_header(&path).unwrap();
    assert_eq!(p.arch, "src");
    assert_eq!(p.nvr(), "hello-2.12-1.fc40");
    let reqs: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
    // rpm keeps a header's dependencies sorted by name, as rpmbuild does.
    assert_eq!(
        reqs,
        vec!["(python3-foo or python3-bar)", "gcc >= 10", "nasm"]
    );
    let spec = extract_spec(&path).unwrap();
    assert_eq!(
        (spec.name.as_str(), spec.text.as_str()),
        ("hello.spec", SPEC)
    );

    if !rpm_available() {
        eprintln!("skipped rpm checks: rpm is not installed");
        return;
    }
    let req = rpm_requires(&path);
    assert!(
        req.contains("gcc >= 10")
            && req.contains("nasm")
            && req.contains("(python3-foo or python3-bar)"),
        "{req}"
    );
    assert_eq!(rpm_qf(&path, "%{SOURCEPACKAGE} %{NAME}\n"), "1 hello\n");
    let out = Command::new("rpm")
        .args(["-qpl"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("hello.spec"));
    let out = Command::new("rpm")
        .args(["-K", "--nosignature"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rpm -K: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_rebuilt_srpm_records_build_requires_as_rpmbuild_writes_them() {
    let t = tempfile::tempdir().unwrap();
    let orig = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&orig, build_srpm(&spec()).unwrap()).unwrap();
    let texts = ["perl-interpreter >= 0:5.010", "((a >= 1) with (a < 5~~))"];
    let deps: Vec<Dep> = texts.iter().map(|t| Dep::parse(t).unwrap()).collect();
    let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    let ev = SpecEval {
        build_requires: deps.clone(),
        build_requires_text: texts,
        ..Default::default()
    };
    let bytes = buildroot_core::srpm::rebuild_srpm(&orig, &ev, "s390x").unwrap();
    let path = t.path().join("rebuilt.src.rpm");
    std::fs::write(&path, bytes).unwrap();
    // Our reader takes the same dependencies back.
    let back: Vec<Dep> = read_header(&path)
        .unwrap()
        .requires
        .into_iter()
        .map(|r| r.dep)
        .collect();
    assert_eq!(back.len(), 2);
    assert!(deps.iter().all(|d| back.contains(d)), "{back:?}");
    if !rpm_available() {
        eprintln!("skipped rpm checks: rpm is not installed");
        return;
    }
    let req = rpm_requires(&path);
    assert!(
        req.lines().any(|l| l == "perl-interpreter >= 0:5.010")
            && req.lines().any(|l| l == "((a >= 1) with (a < 5~~))"),
        "{req}"
    );
}

#[test]
fn binary_rpm_and_createrepo() {
    let t = tempfile::tempdir().unwrap();
    let mut p = Package {
        name: "hello".into(),
        arch: "x86_64".into(),
        evr: Evr::parse("2.12-1.fc40").unwrap(),
        sourcerpm: "hello-2.12-1.fc40.src.rpm".into(),
        summary: "Hi".into(),
        files: vec!["/usr/bin/hello".into(), "/usr/share/hello/data".into()],
        ..Default::default()
    };
    p.requires.push(Requirement {
        dep: Dep::parse("glibc >= 2.38").unwrap(),
        pre: false,
    });
    p.provides
        .push(buildroot_core::dep::SimpleDep::name("greeter"));
    let bytes = build_rpm(&p, "MIT", 1_700_000_000).unwrap();
    let path = t.path().join("hello-2.12-1.fc40.x86_64.rpm");
    std::fs::write(&path, &bytes).unwrap();
    std::fs::write(
        t.path().join("hello-2.12-1.fc40.src.rpm"),
        build_srpm(&spec()).unwrap(),
    )
    .unwrap();
    let got = read_header(&path).unwrap();
    assert_eq!(got.sourcerpm, "hello-2.12-1.fc40.src.rpm");
    assert_eq!(got.source_name(), "hello");
    assert!(got.files.contains(&"/usr/share/hello/data".to_string()));
    assert!(got.provides.iter().any(|d| d.name == "greeter"));

    if let Some(packages) = createrepo_c_packages(t.path()) {
        let mut arches: Vec<_> = packages.iter().map(|p| p.arch.as_str()).collect();
        arches.sort();
        assert_eq!(arches, vec!["src", "x86_64"]);
        let src = packages.iter().find(|p| p.arch == "src").unwrap();
        assert!(src
            .requires
            .iter()
            .any(|r| r.dep.to_string() == "gcc >= 10"));
    }
}

/// A rich provide or obsolete in a header (rpmbuild makes none; a header
/// can hold one) is listed as its text, as createrepo_c lists it (it was
/// left out), and the pool reads it as libsolv reads rpm-md's: under its
/// leftmost name, for unversioned requirements.
#[test]
fn a_rich_provide_in_a_header_is_listed_as_createrepo_c_lists_it() {
    use buildroot_core::dep::SimpleDep;
    let t = tempfile::tempdir().unwrap();
    let p = Package {
        name: "rich".into(),
        arch: "noarch".into(),
        evr: Evr::parse("1-1").unwrap(),
        sourcerpm: "rich-1-1.src.rpm".into(),
        provides: vec![SimpleDep::name("(x and y)"), SimpleDep::name("rich")],
        obsoletes: vec![SimpleDep::name("(p or q)")],
        ..Default::default()
    };
    let path = t.path().join("rich-1-1.noarch.rpm");
    std::fs::write(&path, build_rpm(&p, "MIT", 1_700_000_000).unwrap()).unwrap();
    let got = read_header(&path).unwrap();
    let texts = |l: &[SimpleDep]| l.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&got.provides), ["(x and y)", "rich", "rich = 1-1"]);
    assert_eq!(texts(&got.obsoletes), ["(p or q)"]);
    let repo = buildroot_core::rpmmd::LoadedRepo {
        spec: buildroot_core::rpmmd::RepoSpec::new("t", ""),
        packages: vec![got.clone()],
    };
    let pool = buildroot_core::pool::Pool::new("x86_64", vec![repo]).unwrap();
    assert_eq!(pool.whatprovides(&Dep::parse("x").unwrap()).len(), 1);
    assert!(pool.whatprovides(&Dep::parse("x >= 1").unwrap()).is_empty());
    assert!(pool.whatprovides(&Dep::parse("y").unwrap()).is_empty());
    if let Some(listed) = createrepo_c_packages(t.path()) {
        assert_eq!(texts(&listed[0].provides), texts(&got.provides));
        assert_eq!(texts(&listed[0].obsoletes), texts(&got.obsoletes));
    }
}

/// The packages of the repo createrepo_c makes of `dir`, as our rpm-md
/// reader reads them; None (and a note) when createrepo_c is not installed.
fn createrepo_c_packages(dir: &Path) -> Option<Vec<Package>> {
    let Ok(o) = Command::new("createrepo_c")
        .args(["-q", "--no-database"])
        .arg(dir)
        .output()
    else {
        eprintln!("skipped: createrepo_c is not installed");
        return None;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let repo = buildroot_core::rpmmd::load_repo(
        &buildroot_core::rpmmd::RepoSpec::new("t", dir.to_str().unwrap()),
        &Default::default(),
    )
    .unwrap();
    Some(repo.packages)
}

#[test]
fn bad_files_are_one_line_errors() {
    let t = tempfile::tempdir().unwrap();
    let junk = t.path().join("junk.src.rpm");
    std::fs::write(&junk, b"this is not an rpm at all, not even close to one").unwrap();
    let e = read_header(&junk).unwrap_err().to_string();
    assert!(
        e.starts_with(&junk.display().to_string()) && !e.contains('\n'),
        "{e}"
    );
    let half = t.path().join("half.src.rpm");
    let bytes = build_srpm(&spec()).unwrap();
    std::fs::write(&half, &bytes[..bytes.len() / 3]).unwrap();
    let e = extract_spec(&half).unwrap_err().to_string();
    assert!(
        e.starts_with(&half.display().to_string()) && !e.contains('\n'),
        "{e}"
    );
    let e = read_header(&t.path().join("missing.src.rpm"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.src.rpm"), "{e}");
}

/// rpm 6's v6 package format (testdata/rpm6, written by rpm 6.1's rpmbuild
/// through scripts/make-rpm6-fixture.sh): its header, the spec and source
/// in its payload, and the SRPM create-srpm-repos rebuilds from it, read
/// as a v4 SRPM's are.
#[test]
fn an_srpm_in_rpm6_v6_format_reads_as_v4_ones_do() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rpm6");
    let path = dir.join("hello6-1.0-1.eln150.src.rpm");
    let p = read_header(&path).unwrap();
    assert_eq!(
        (p.nvr().as_str(), p.arch.as_str()),
        ("hello6-1.0-1.eln150", "src")
    );
    let reqs: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
    // rpmbuild -bs ran on x86_64: %ifarch x86_64 held.
    assert_eq!(
        reqs,
        ["(python3-foo or python3-bar)", "gcc >= 10", "nasm"],
        "rpmlib() requirements are not BuildRequires"
    );
    let spec = extract_spec(&path).unwrap();
    let text = std::fs::read_to_string(dir.join("hello6.spec")).unwrap();
    assert_eq!(
        (spec.name.as_str(), spec.text.as_str()),
        ("hello6.spec", text.as_str())
    );
    let limits = arch_limits(&path).unwrap();
    assert_eq!(limits.exclude_arch, ["s390x"]);
    assert_eq!(limits.build_arch, "x86_64");

    // Regenerated for aarch64 (create-srpm-repos): a v4 SRPM with the same
    // spec and source, and aarch64's BuildRequires.
    let t = tempfile::tempdir().unwrap();
    let rebuilt = rebuilt_as(
        &path,
        &t.path().join("hello6-1.0-1.eln150.src.rpm"),
        "gcc >= 10",
        "aarch64",
    );
    let q = read_header(&rebuilt).unwrap();
    assert_eq!(q.nvr(), "hello6-1.0-1.eln150");
    let reqs: Vec<String> = q.requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(reqs, ["gcc >= 10"]);
    assert_eq!(extract_spec(&rebuilt).unwrap(), spec);
    let files = read_payload_files(&rebuilt).unwrap();
    let source = files
        .iter()
        .find(|f| f.base_name() == "hello6.txt")
        .unwrap();
    assert_eq!(source.data, b"hello from a v6 SRPM\n");
    // ExcludeArch is the evaluated spec's (here none given), not the header's.
    assert!(arch_limits(&rebuilt).unwrap().exclude_arch.is_empty());
    let ev = buildroot_core::spec::evaluate(&spec.text, &SpecContext::for_arch("aarch64")).unwrap();
    assert_eq!(ev.exclude_arch, ["s390x"]);
    let again = t.path().join("again.src.rpm");
    std::fs::write(&again, rebuild_srpm(&path, &ev, "aarch64").unwrap()).unwrap();
    assert_eq!(arch_limits(&again).unwrap().exclude_arch, ["s390x"]);
    if rpm_available() {
        let req = rpm_requires(&rebuilt);
        assert!(req.contains("gcc >= 10") && !req.contains("nasm"), "{req}");
    }
}

/// `orig` regenerated for `arch` with the one BuildRequires `dep`, written
/// to `to`; returns `to`.
fn rebuilt_as(
    orig: &std::path::Path,
    to: &std::path::Path,
    dep: &str,
    arch: &str,
) -> std::path::PathBuf {
    let deps = [Dep::parse(dep).unwrap()];
    let ev = SpecEval {
        build_requires: deps.to_vec(),
        build_requires_text: vec![dep.into()],
        ..Default::default()
    };
    std::fs::write(to, rebuild_srpm(orig, &ev, arch).unwrap()).unwrap();
    to.to_path_buf()
}

/// `rpm -qp --provides` of a package file, one per line.
fn rpm_provides(path: &std::path::Path) -> Vec<String> {
    let out = Command::new("rpm")
        .args(["-qp", "--provides"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// rpmbuild gives an SRPM its own `N = EVR` provide, which createrepo_c
/// lists in primary.xml: our reader keeps it (as it keeps a binary's), and
/// an SRPM we build or regenerate has that one alone (no `N(ISA)`, which
/// rpmbuild never gives a source package).
#[test]
fn an_srpm_provides_itself_as_rpmbuild_makes_it() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, build_srpm(&spec()).unwrap()).unwrap();
    let provides = |p: &std::path::Path| -> Vec<String> {
        let h = read_header(p).unwrap();
        h.provides.iter().map(|d| d.to_string()).collect()
    };
    assert_eq!(provides(&path), ["hello = 2.12-1.fc40"]);
    let rebuilt = rebuilt_as(&path, &t.path().join("rebuilt.src.rpm"), "gcc", "aarch64");
    assert_eq!(provides(&rebuilt), ["hello = 2.12-1.fc40"]);
    if !rpm_available() {
        eprintln!("skipped rpm checks: rpm is not installed");
        return;
    }
    assert_eq!(rpm_provides(&rebuilt), ["hello = 2.12-1.fc40"]);
    let top = t.path().join("top");
    let spec = "Name: hi\nVersion: 1.0\nRelease: 2\nEpoch: 3\nSummary: s\nLicense: MIT\n\
                %description\nd\n%files\n";
    let Some(made) = oracle_support::rpmbuild_srpm(&top, spec.as_bytes(), &[], &[]) else {
        return;
    };
    let ours: Vec<String> = read_header(&made)
        .unwrap()
        .provides
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(ours, rpm_provides(&made));
}

/// rpmbuild records the spec's source and patch names (SOURCE, PATCH), its
/// `BuildArch:` (BUILDARCHS) and each package's own `N = EVR` as provides
/// (not a `Provides:` tag's) in a source header; a regenerated SRPM keeps
/// them (`rpm -qp --qf '[%{SOURCE}]'` named none before, and `--provides`
/// the SRPM's own alone).
#[test]
fn a_regenerated_srpm_keeps_source_patch_buildarch_and_provides() {
    if !rpm_available() {
        eprintln!("skipped: rpm is not installed");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let spec = "Name: sp\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n\
                Source0: https://example.org/sp-1.0.tar.gz\nSource1: extra.conf\n\
                Patch0: fix.patch\nBuildArch: noarch\nProvides: not-listed = 2\n\
                %description\nd\n%package extra\nSummary: e\n%description extra\ne\n\
                %files\n%files extra\n";
    let sources: &[(&str, &[u8])] = &[
        ("sp-1.0.tar.gz", b"tar\n"),
        ("extra.conf", b"conf\n"),
        ("fix.patch", b"patch\n"),
    ];
    let Some(made) =
        oracle_support::rpmbuild_srpm(&t.path().join("top"), spec.as_bytes(), sources, &[])
    else {
        return;
    };
    let query = |p: &std::path::Path| {
        let out = Command::new("rpm")
            .args([
                "-qp",
                "--qf",
                "[S %{SOURCE}\n][P %{PATCH}\n][B %{BUILDARCHS}\n]",
                "--provides",
            ])
            .arg(p)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let want = query(&made);
    assert_eq!(
        want,
        "S extra.conf\nS sp-1.0.tar.gz\nP fix.patch\nB noarch\nsp = 1.0-1\nsp-extra = 1.0-1\n",
        "rpmbuild's answer"
    );
    let rebuilt = rebuilt_as(&made, &t.path().join("rebuilt.src.rpm"), "gcc", "aarch64");
    assert_eq!(query(&rebuilt), want);
}

/// A written `Epoch: 0` is an EPOCH entry and `N = 0:V-R` in rpmbuild's
/// SRPM, no `Epoch:` neither: a regenerated SRPM keeps whichever it was.
#[test]
fn a_regenerated_srpm_keeps_a_written_epoch_0() {
    if !rpm_available() {
        eprintln!("skipped: rpm is not installed");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let query = |p: &std::path::Path| {
        let out = Command::new("rpm")
            .args(["-qp", "--qf", "%{EPOCH}\n", "--provides"])
            .arg(p)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for (dir, epoch, expected) in [
        ("e0", "Epoch: 0\n", "0\nz = 0:1.0-2\n"),
        ("none", "", "(none)\nz = 1.0-2\n"),
    ] {
        let top = t.path().join(dir);
        let spec = format!(
            "Name: z\nVersion: 1.0\nRelease: 2\n{epoch}Summary: s\nLicense: MIT\n\
             BuildRequires: make\n%description\nd\n%files\n"
        );
        let Some(made) = oracle_support::rpmbuild_srpm(&top, spec.as_bytes(), &[], &[]) else {
            return;
        };
        assert_eq!(query(&made), expected, "{dir}: rpmbuild");
        let rebuilt = rebuilt_as(&made, &top.join("rebuilt.src.rpm"), "make", "aarch64");
        assert_eq!(query(&rebuilt), expected, "{dir}: regenerated");
    }
}

/// rpm writes an SRPM's payload as an lzma stream for `w*.lzdio` (older
/// distributions' choice), which has no magic bytes to tell it by: the
/// spec and the sources are read from it all the same.
#[test]
fn an_lzma_payload_is_read() {
    let t = tempfile::tempdir().unwrap();
    let spec = "Name: old\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: a.txt\n\
                BuildRequires: make\n%description\nd\n%files\n";
    let Some(made) = oracle_support::rpmbuild_srpm(
        t.path(),
        spec.as_bytes(),
        &[("a.txt", b"source text\n")],
        &["_source_payload w2.lzdio"],
    ) else {
        return;
    };
    assert_eq!(rpm_qf(&made, "%{PAYLOADCOMPRESSOR}"), "lzma");
    assert_eq!(extract_spec(&made).unwrap().text, spec);
    let files = read_payload_files(&made).unwrap();
    let a = files.iter().find(|f| f.path == "a.txt").unwrap();
    assert_eq!(a.data, b"source text\n");
    // Regenerated (in our gzip), the same files.
    let rebuilt = rebuilt_as(&made, &t.path().join("rebuilt.src.rpm"), "make", "x86_64");
    assert_eq!(read_payload_files(&rebuilt).unwrap().len(), files.len());
}

/// An lzma payload whose stream asks for a 3 GiB dictionary: rpm refuses
/// it (its lzma decoder's memory limit is 100 MiB: `rpm2cpio` gives
/// nothing, `rpm -i` "cpio: Bad magic"), and so does the reader, in one
/// line naming the file, without allocating the dictionary.
#[test]
fn an_lzma_payload_asking_for_more_memory_than_rpm_allows_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let spec = "Name: big\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
                %description\nd\n%files\n";
    let Some(made) = oracle_support::rpmbuild_srpm(
        t.path(),
        spec.as_bytes(),
        &[],
        &["_source_payload w2.lzdio"],
    ) else {
        return;
    };
    let mut bytes = std::fs::read(&made).unwrap();
    // The lzma_alone header: properties, dictionary size (LE), then an
    // unknown uncompressed size (eight 0xff).
    let at = (0..bytes.len() - 13)
        .rev()
        .find(|&i| bytes[i] == 0x5d && bytes[i + 5..i + 13] == [0xff; 8])
        .expect("an lzma header");
    bytes[at + 1..at + 5].copy_from_slice(&0xC000_0000u32.to_le_bytes());
    let bad = t.path().join("big-1-1.src.rpm");
    std::fs::write(&bad, bytes).unwrap();
    let e = read_payload_files(&bad).unwrap_err().to_string();
    assert!(e.starts_with(&bad.display().to_string()), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

/// The spec of an SRPM we build is flagged SPECFILE, as rpmbuild flags
/// it: found by that, whatever its name (koji's test SRPMs have `*._spec`),
/// also after regeneration.
#[test]
fn the_spec_is_flagged_as_rpmbuild_flags_it() {
    let t = tempfile::tempdir().unwrap();
    let mut s = spec();
    s.spec_name = "hello._spec".into();
    let path = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, build_srpm(&s).unwrap()).unwrap();
    let rebuilt = rebuilt_as(&path, &t.path().join("rebuilt.src.rpm"), "gcc", "aarch64");
    for p in [&path, &rebuilt] {
        let got = extract_spec(p).unwrap();
        assert_eq!(
            (got.name.as_str(), got.text.as_str()),
            ("hello._spec", SPEC)
        );
        let files = read_payload_files(p).unwrap();
        let flagged: Vec<&str> = files
            .iter()
            .filter(|f| f.is_spec)
            .map(|f| f.base_name())
            .collect();
        assert_eq!(flagged, ["hello._spec"]);
    }
    if !rpm_available() {
        return;
    }
    let text = rpm_qf(&rebuilt, "[%{FILEFLAGS} %{BASENAMES}\n]");
    assert!(text.lines().any(|l| l == "32 hello._spec"), "{text}");
}

/// A compressor the reader does not know is refused in one line naming it
/// (not as "not an RPM file": the lead and headers are fine).
#[test]
fn an_unknown_payload_compressor_is_named() {
    let t = tempfile::tempdir().unwrap();
    let mut bytes = build_srpm(&spec()).unwrap();
    // The header's PAYLOADCOMPRESSOR string: "gzip" becomes "brot".
    let at = bytes
        .windows(5)
        .position(|w| w == b"gzip\0")
        .expect("the compressor's name");
    bytes[at..at + 4].copy_from_slice(b"brot");
    let path = t.path().join("odd.src.rpm");
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(read_header(&path).unwrap().name, "hello");
    let e = extract_spec(&path).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: payload compressed with brot, which this tool cannot read",
            path.display()
        )
    );
}

/// rpm reads a spec as bytes: an old spec with a Latin-1 changelog is
/// extracted (its text with each word that is not UTF-8 read as
/// createrepo_c reads such header strings, its bytes as they are) and a
/// regenerated SRPM carries the very same bytes.
#[test]
fn a_spec_that_is_not_utf8_is_read_and_kept_byte_for_byte() {
    let t = tempfile::tempdir().unwrap();
    let mut raw = SPEC.as_bytes().to_vec();
    raw.extend_from_slice(
        b"%changelog\n* Mon Jan 01 2007 J\xfcrgen M\xfcller <j@example.org>\n- x\n",
    );
    let mut s = spec();
    s.spec_text = String::from_utf8_lossy(&raw).into_owned();
    s.spec_bytes = Some(raw.clone());
    let path = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, build_srpm(&s).unwrap()).unwrap();
    let got = extract_spec(&path).unwrap();
    assert_eq!(got.data, raw);
    // Read as createrepo_c reads rpmbuild's Latin-1 header strings.
    assert!(got.text.contains("Jürgen Müller"), "{}", got.text);
    assert!(got.text.starts_with(SPEC));
    let rebuilt = rebuilt_as(
        &path,
        &t.path().join("rebuilt.src.rpm"),
        "gcc >= 10",
        "aarch64",
    );
    assert_eq!(extract_spec(&rebuilt).unwrap(), got);
}

/// An SRPM of a spec with `NoSource:` (rpmbuild names it `.nosrc.rpm`)
/// stays one when regenerated: its NOSOURCE entry is carried over.
#[test]
fn a_nosrc_rpm_stays_one_when_regenerated() {
    let t = tempfile::tempdir().unwrap();
    let spec = "Name: ns\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: big.tar\n\
                NoSource: 0\nBuildRequires: make\n%description\nd\n%files\n";
    let Some(made) =
        oracle_support::rpmbuild_srpm(t.path(), spec.as_bytes(), &[("big.tar", b"x")], &[])
    else {
        return;
    };
    assert!(made.to_string_lossy().ends_with(".nosrc.rpm"), "{made:?}");
    let h = read_header(&made).unwrap();
    assert_eq!((h.name.as_str(), h.arch.as_str()), ("ns", "src"));
    let rebuilt = rebuilt_as(&made, &t.path().join("ns-1-1.nosrc.rpm"), "make", "aarch64");
    let out = Command::new("rpm")
        .args(["-qp", "--qf", "%{NOSOURCE}"])
        .arg(&rebuilt)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0");
    // The header lists the source left out, the payload lacks it; the
    // regenerated SRPM does not make it an empty file.
    let listed = |p: &std::path::Path| -> Vec<(String, bool)> {
        let mut v: Vec<_> = read_payload_files(p)
            .unwrap()
            .into_iter()
            .map(|f| (f.base_name().to_string(), f.in_payload))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        listed(&made),
        [("big.tar".to_string(), false), ("t.spec".to_string(), true)]
    );
    assert_eq!(
        listed(&rebuilt),
        [("big.tar".to_string(), false), ("t.spec".to_string(), true)]
    );
    // A spec reading the left-out source (`%include`, `%{load:}`) finds
    // no file, as rpm finds none: not an empty one.
    use buildroot_core::spec::SourceFiles;
    for p in [&made, &rebuilt] {
        let sources = buildroot_core::spec::SrpmSources::new(p, "t.spec");
        assert_eq!(sources.read("big.tar"), None, "{p:?}");
        assert!(sources.read("t.spec").is_some(), "{p:?}");
    }
    // rpmbuild lists the left-out source as %ghost (flag 64): so does the
    // regenerated SRPM (createrepo_c lists it as a ghost file).
    let files = |p: &std::path::Path| {
        let out = Command::new("rpm")
            .args([
                "-qp",
                "--qf",
                "[%{FILEFLAGS} %{FILEMODES:octal} %{BASENAMES}\n]",
            ])
            .arg(p)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(files(&rebuilt), files(&made));
    assert!(
        files(&made).contains("64 100644 big.tar"),
        "{}",
        files(&made)
    );
}

/// What a regenerated SRPM carries over (descriptive tags, changelog,
/// ghost sizes) reads back as the details createrepo_c would list, and
/// the repodata writes them where createrepo_c does.
#[test]
fn srpm_details_round_trip_into_repodata() {
    use buildroot_core::package::{ChangelogEntry, FileEntry, FileKind};
    use buildroot_core::srpm::SrpmInfo;
    let t = tempfile::tempdir().unwrap();
    let entry = |author: &str, date, text: &str| ChangelogEntry {
        author: author.into(),
        date,
        text: text.into(),
    };
    let s = SrpmSpec {
        left_out: vec!["big.tar".into()],
        left_out_sizes: vec![12345],
        no_source: vec![1],
        info: Some(SrpmInfo {
            description: "Line one & <two>\r\nJürgen".into(),
            url: "https://example.org".into(),
            vendor: "V".into(),
            packager: "P <p@example.org>".into(),
            group: String::new(),
            // Newest first, as a header stores them; two on one day.
            changelog: vec![
                entry("B <b@example.org> - 2-1  ", 1_700_000_000, "- two"),
                entry("A <a@example.org> - 1-1", 1_700_000_000, "- one"),
                entry("A <a@example.org> - 0-1", 1_600_000_000, "- zero"),
            ],
            ..Default::default()
        }),
        ..spec()
    };
    let path = t.path().join("hello-2.12-1.fc40.nosrc.rpm");
    std::fs::write(&path, build_srpm(&s).unwrap()).unwrap();
    let p = read_header(&path).unwrap();
    let d = p.details.as_deref().unwrap();
    assert_eq!(d.description, "Line one & <two>\r\nJürgen");
    assert_eq!(
        (d.url.as_str(), d.vendor.as_str(), d.packager.as_str()),
        ("https://example.org", "V", "P <p@example.org>")
    );
    assert_eq!(d.group, "Unspecified");
    assert_eq!(d.buildhost, "rpm-buildroot");
    assert_eq!(d.time_build, 1_700_000_000);
    // rpmbuild's file list: no directory, the left-out source a ghost of
    // its recorded size (in the installed size too).
    let file = |path: &str, kind| FileEntry {
        path: path.into(),
        kind,
    };
    assert_eq!(
        d.files,
        [
            file("big.tar", FileKind::Ghost),
            file("hello-2.12.tar.gz", FileKind::File),
            file("hello.spec", FileKind::File),
        ]
    );
    let spec_len = SPEC.len() as u64;
    assert_eq!(d.size_installed, 12345 + 20 + spec_len);
    assert!(d.size_archive > 20 + spec_len, "{}", d.size_archive);
    assert!(d.header_range.0 > 96 && d.header_range.1 > d.header_range.0);
    // Oldest first; the newer of the same day a second later; the
    // author's trailing spaces gone.
    assert_eq!(
        d.changelogs,
        [
            entry("A <a@example.org> - 0-1", 1_600_000_000, "- zero"),
            entry("A <a@example.org> - 1-1", 1_700_000_000, "- one"),
            entry("B <b@example.org> - 2-1", 1_700_000_001, "- two"),
        ]
    );
    buildroot_core::repodata::write_repodata(t.path(), &[p], &Default::default()).unwrap();
    let xml = |kind: &str| {
        use std::io::Read;
        let dir = t.path().join("repodata");
        let f = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(&format!("-{kind}.xml.gz")))
            .unwrap();
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(f).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let primary = xml("primary");
    for want in [
        "<description>Line one &amp; &lt;two&gt;&#13;\nJürgen</description>",
        "<packager>P &lt;p@example.org&gt;</packager>",
        "<url>https://example.org</url>",
        "<time file=\"",
        "\" build=\"1700000000\"/>",
        "<rpm:vendor>V</rpm:vendor>",
        "<rpm:group>Unspecified</rpm:group>",
        "<rpm:buildhost>rpm-buildroot</rpm:buildhost>",
        "<rpm:sourcerpm></rpm:sourcerpm>",
    ] {
        assert!(primary.contains(want), "no {want} in {primary}");
    }
    let files = xml("filelists");
    assert!(
        files.contains(
            "  <file type=\"ghost\">big.tar</file>\n  <file>hello-2.12.tar.gz</file>\n  <file>hello.spec</file>\n"
        ),
        "{files}"
    );
    let other = xml("other");
    assert!(
        other.contains(
            "  <changelog author=\"A &lt;a@example.org&gt; - 0-1\" date=\"1600000000\">- zero</changelog>\n"
        ),
        "{other}"
    );
    assert!(
        other.contains("date=\"1700000001\">- two</changelog>"),
        "{other}"
    );
}

/// A BuildRequires name that is not UTF-8 in a header whose ENCODING tag
/// says `utf-8` (rpm still reads it): createrepo_c lists it converted from
/// Latin-1 (`cr_xmlNewProp`), and so do we, beside the other dependencies
/// (the rpm crate's header reader refused the whole list: none were read).
#[test]
fn a_latin1_dependency_name_reads_as_createrepo_c_lists_it() {
    let t = tempfile::tempdir().unwrap();
    let mut s = spec();
    s.build_requires = vec![Dep::parse("a >= 1").unwrap(), Dep::parse("nasm").unwrap()];
    s.build_requires_text = vec!["caf#-devel >= 1".into(), "nasm".into()];
    let mut bytes = build_srpm(&s).unwrap();
    let at = bytes
        .windows(11)
        .position(|w| w == b"caf#-devel\0")
        .unwrap();
    bytes[at + 3] = 0xe9;
    let dir = t.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let path = dir.join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, &bytes).unwrap();
    let p = read_header(&path).unwrap();
    let reqs: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(reqs, ["café-devel >= 1", "nasm"]);
    // rpm reads it (its digests, stale now, aside), the name as stored.
    if !rpm_available() {
        return;
    }
    let o = rpm_requires_raw(&path);
    assert!(o.starts_with(b"caf\xe9-devel >= 1\n"), "{o:?}");
    let Some(theirs) = createrepo_c_packages(&dir) else {
        return;
    };
    let theirs: Vec<String> = theirs[0]
        .requires
        .iter()
        .map(|r| r.dep.to_string())
        .collect();
    assert_eq!(reqs, theirs);
}

/// A header whose file list is old-style (OLDFILENAMES: whole paths; no
/// BASENAMES, DIRNAMES or DIRINDEXES) holds the files it names: a require
/// of one of its own primary files is dropped, as createrepo_c drops it
/// once rpm has turned the old list into the new one as it reads it.
#[test]
fn an_old_style_file_list_names_the_packages_own_files() {
    use rpm::{Header, HeaderEntry, IndexData, IndexTag};
    let t = tempfile::tempdir().unwrap();
    let files = vec!["/usr/bin/tool".to_string(), "/usr/share/tool/data".into()];
    let mut p = Package {
        name: "tool".into(),
        arch: "noarch".into(),
        evr: Evr::parse("1-1").unwrap(),
        sourcerpm: "tool-1-1.src.rpm".into(),
        summary: "t".into(),
        files: files.clone(),
        ..Default::default()
    };
    for dep in ["/usr/bin/tool", "glibc"] {
        p.requires.push(Requirement {
            dep: Dep::parse(dep).unwrap(),
            pre: false,
        });
    }
    let bytes = build_rpm(&p, "MIT", 1_700_000_000).unwrap();
    let mut pkg = rpm::Package::parse(&mut &bytes[..]).unwrap();
    // Region, BASENAMES, DIRNAMES, DIRINDEXES out; OLDFILENAMES in.
    let mut entries: Vec<_> = pkg
        .metadata
        .header
        .get_all_entries()
        .unwrap()
        .into_iter()
        .filter(|(t, _)| ![63, 1116, 1117, 1118].contains(t))
        .map(|(t, d)| HeaderEntry::new(t, d))
        .collect();
    entries.push(HeaderEntry::new(
        1027,
        IndexData::StringArray(files.clone()),
    ));
    pkg.metadata.header = Header::from_entries(entries, IndexTag::RPMTAG_HEADERIMMUTABLE);
    pkg.clear_signatures().unwrap();
    let path = t.path().join("tool-1-1.noarch.rpm");
    let mut out = Vec::new();
    pkg.write(&mut out).unwrap();
    std::fs::write(&path, out).unwrap();
    let got = read_header(&path).unwrap();
    assert_eq!(got.files, files);
    let requires =
        |p: &Package| -> Vec<String> { p.requires.iter().map(|r| r.dep.to_string()).collect() };
    assert_eq!(requires(&got), ["glibc"]);
    if let Some(packages) = createrepo_c_packages(t.path()) {
        assert_eq!(requires(&packages[0]), requires(&got));
    }
}

/// A BuildRequires rpm takes but libsolv cannot read back (`(a or
/// foo(bar )`, recorded as `(a or foo(bar)`) is written into the header as
/// rpmbuild writes it; reading the header lists it as its text, as
/// createrepo_c does, and the pool leaves it out, as libsolv does.
#[test]
fn an_unreadable_rich_build_requirement_is_written_listed_and_left_out_of_the_pool() {
    let t = tempfile::tempdir().unwrap();
    let mut s = spec();
    s.build_requires = vec![Dep::parse("nasm").unwrap()];
    s.build_requires_text = vec!["(a or foo(bar)".into(), "nasm".into()];
    let path = t.path().join("hello-2.12-1.fc40.src.rpm");
    std::fs::write(&path, build_srpm(&s).unwrap()).unwrap();
    let p = read_header(&path).unwrap();
    let reqs: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(reqs, ["(a or foo(bar)", "nasm"]);
    let repo = buildroot_core::rpmmd::LoadedRepo {
        spec: buildroot_core::rpmmd::RepoSpec::new("src", t.path().to_str().unwrap()),
        packages: vec![p],
    };
    let pool = buildroot_core::pool::Pool::new("x86_64", vec![repo]).unwrap();
    let id = pool.ids().next().unwrap();
    let in_pool: Vec<String> = pool
        .requires(id)
        .iter()
        .map(|r| r.dep.to_string())
        .collect();
    assert_eq!(in_pool, ["nasm"]);
    if !rpm_available() {
        return;
    }
    let o = rpm_requires_raw(&path);
    let text = String::from_utf8_lossy(&o);
    assert!(text.lines().any(|l| l == "(a or foo(bar)"), "{text}");
}

/// The requires and conflicts of a package file as rpm reads them, each
/// with its flags as a number (`--requires` alone hides the `MISSINGOK` of
/// `rpmlib(DynamicBuildRequires)`).
fn rpm_requires_conflicts(path: &Path) -> String {
    rpm_qf(
        path,
        "[R %{REQUIREFLAGS} %{REQUIRES} %{REQUIREVERSION}\\n]\
         [C %{CONFLICTFLAGS} %{CONFLICTS} %{CONFLICTVERSION}\\n]",
    )
}

/// `rpm -qp --qf FORMAT PATH`'s output.
fn rpm_qf(path: &Path, format: &str) -> String {
    let out = Command::new("rpm")
        .args(["-qp", "--qf", format])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A regenerated SRPM has the requires and conflicts `rpmbuild -bs` writes
/// for the same spec: the BuildConflicts (as written, rich ones too), and
/// the rpmlib() requirements of what the spec uses (a rich dependency, `~`
/// or `^` in a version, `%generate_buildrequires`), without the one of a
/// binary package's payload (`PayloadFilesHavePrefix`).
#[test]
fn a_regenerated_srpm_has_the_requires_and_conflicts_of_rpmbuilds() {
    use buildroot_core::spec::{evaluate, SpecContext};
    let head = "Name: rc\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n";
    for (dir, deps) in [
        (
            "all",
            "BuildRequires: gcc, (foo or bar), baz >= 1.0~rc1\nBuildRequires: qux >= 0:1^g\n\
             BuildConflicts: evil < 2, plain\nBuildConflicts: (x and y)\n\
             BuildConflicts: (a or foo(bar )\n%generate_buildrequires\necho z\n",
        ),
        (
            "conflicts",
            "BuildRequires: make\nBuildConflicts: tilde <= 1~a\n",
        ),
        ("plain", "BuildRequires: make\n"),
        // rpm keeps both of two that differ in their text only.
        (
            "twice",
            "BuildRequires: x >= 1, x >= 0:1\nBuildConflicts: y < 2, y < 0:2, y < 2\n",
        ),
        ("rich-conflict", "BuildConflicts: (a unless b)\n"),
    ] {
        let t = tempfile::tempdir().unwrap();
        let spec = format!("{head}{deps}%description\nd\n%files\n");
        let Some(made) = oracle_support::rpmbuild_srpm(t.path(), spec.as_bytes(), &[], &[]) else {
            return;
        };
        let ev = evaluate(&spec, &SpecContext::for_arch("x86_64")).unwrap();
        assert_eq!(ev.problems, Vec::<String>::new(), "{dir}");
        let out = t.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let rebuilt = out.join("rebuilt.src.rpm");
        std::fs::write(&rebuilt, rebuild_srpm(&made, &ev, "x86_64").unwrap()).unwrap();
        assert_eq!(
            rpm_requires_conflicts(&rebuilt),
            rpm_requires_conflicts(&made),
            "{dir}"
        );
        // And createrepo_c lists the same of both.
        let deps = |dir: &Path| {
            createrepo_c_packages(dir).map(|p| {
                let text = |v: Vec<String>| v.join(", ");
                let p = &p[0];
                (
                    text(p.requires.iter().map(|r| r.dep.to_string()).collect()),
                    text(p.conflicts.iter().map(|d| d.to_string()).collect()),
                )
            })
        };
        assert_eq!(deps(&out), deps(made.parent().unwrap()), "{dir}");
    }
}
