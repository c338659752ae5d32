//! A regenerated archful SRPM's header against the one rpmbuild writes for
//! the same arch: create-srpm-repos (the evaluator, built-in ELN macros)
//! regenerates, for aarch64, SRPMs that `rpmbuild -bs` made on an x86_64
//! host, and `rpmbuild -rs --nodeps --target aarch64` of the same SRPMs is
//! the reference. Skipped without rpmbuild.

use std::path::Path;
use std::process::Command as StdCommand;

use buildroot_core::spec::ELN_MACROS;
use cli_tests::{cmd, srpm_cache_dir, Tool};

/// Subpackages with their own Epoch, Version or Release, one only x86_64
/// builds, one without `%files` (rpmbuild provides the packages it would
/// build, with their EVRs), and BuildRequires that differ by arch.
const SUBPACKAGES: &str = "Name: p\nEpoch: 2\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\n\
License: MIT\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n%description\nd\n\
%package sub\nSummary: sub\nVersion: 3.1\n%description sub\nd\n\
%ifarch x86_64\n%package x86only\nSummary: x\nRelease: 7\n%description x86only\nd\n\
%files x86only\n%endif\n\
%package -n nofiles\nSummary: n\n%description -n nofiles\nd\n\
%package -n other\nSummary: o\nEpoch: 0\n%description -n other\nd\n\
%files -n other\n%files sub\n%files\n";

/// A noarch spec: its SRPM's arch is `noarch` whatever the target.
const NOARCH: &str = "Name: q\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
BuildArch: noarch\nBuildRequires: glib2%{?_isa}\n%description\nd\n\
%package doc\nSummary: d\n%description doc\nd\n%files doc\n%files\n";

/// A spec without `%files`: rpmbuild's SRPM provides nothing.
const NO_FILES: &str = "Name: z\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
%ifarch x86_64\nBuildRequires: nasm\n%endif\n%description\nd\n";

/// Subpackage names from macros (`%package -n`, `%files -n`), a `%files`
/// inside a false `%if`, a `%files -f`, `BuildArch: noarch` in a subpackage
/// only (the SRPM stays archful), a subpackage only aarch64 builds, and a
/// main package without `%files`.
const TRICKY: &str = "Name: t\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
%global tool %{name}-cli\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n%description\nd\n\
%package -n %{tool}\nSummary: c\n%description -n %{tool}\nd\n\
%package doc\nSummary: d\nBuildArch: noarch\n%description doc\nd\n\
%package hidden\nSummary: h\n%description hidden\nd\n\
%ifarch aarch64\n%package arm\nSummary: a\n%description arm\nd\n%files arm\n%endif\n\
%if 0\n%files hidden\n%endif\n%files doc -f doc.lst\n%files -n %{tool}\n";

/// ExclusiveArch and ExcludeArch that differ by arch (`%ifarch`, the target's
/// macros, a subpackage's lines, which rpm adds to the source package's):
/// the regenerated SRPM holds the arch's, not the build host's.
const ARCH_LIMITS: &str = "Name: e\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
%ifarch x86_64\nBuildRequires: nasm\nExclusiveArch: x86_64 aarch64\n%else\n\
ExclusiveArch: aarch64 s390x %{_target_cpu}\n%endif\nExcludeArch: i686 not-%{_target_cpu}\n\
%description\nd\n%package sub\nSummary: x\nExclusiveArch: %{_arch}\nExcludeArch: sub-%{_target_cpu}\n\
%description sub\nd\n%files\n%files sub\n";

/// rpmbuild with ELN's macros, as create-srpm-repos has them built in.
fn rpmbuild(top: &Path, arch: &str) -> StdCommand {
    let mut c = StdCommand::new("rpmbuild");
    c.args(["--nodeps", "--target", arch, "--define"])
        .arg(format!("_topdir {}", top.display()));
    for (k, v) in ELN_MACROS {
        c.arg("--define").arg(format!("{k} {v}"));
    }
    c
}

/// What `rpm -qp` says of `srpm` for each query that rpmbuild's header
/// decides.
fn header(srpm: &Path) -> Vec<String> {
    [
        &["--provides"][..],
        &["--requires"],
        &[
            "--qf",
            "%{ARCH}|[%{BUILDARCHS} ]|%{OS}|[%{EXCLUSIVEARCH} ]|[%{EXCLUDEARCH} ]\n",
        ],
    ]
    .iter()
    .map(|q| {
        let o = StdCommand::new("rpm")
            .arg("-qp")
            .args(*q)
            .arg(srpm)
            .output()
            .unwrap();
        assert!(o.status.success(), "rpm -qp {q:?} {}", srpm.display());
        String::from_utf8_lossy(&o.stdout).into_owned()
    })
    .collect()
}

#[test]
fn a_regenerated_srpm_has_the_header_rpmbuild_writes_for_its_arch() {
    if StdCommand::new("rpmbuild")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: rpmbuild is not installed");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    srpm_cache_dir(&cache);
    let mut names = Vec::new();
    // The cached SRPMs: as koji's x86_64 builder writes them.
    for (name, text) in [
        ("p", SUBPACKAGES),
        ("q", NOARCH),
        ("t", TRICKY),
        ("z", NO_FILES),
        ("e", ARCH_LIMITS),
    ] {
        let top = t.path().join(format!("build-{name}"));
        let spec = t.path().join(format!("{name}.spec"));
        std::fs::write(&spec, text).unwrap();
        let o = rpmbuild(&top, "x86_64")
            .arg("-bs")
            .arg(&spec)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let file = format!("{name}-1.0-1.eln150.src.rpm");
        std::fs::rename(top.join("SRPMS").join(&file), cache.join(&file)).unwrap();
        names.push(file);
    }
    let list = "p\nq\nt\nz\ne\n";
    std::fs::write(t.path().join("archful.txt"), list).unwrap();
    let out = t.path().join("repo");
    cmd(Tool::CreateSrpmRepos)
        .args(["--arch", "aarch64", "-q", "--cache"])
        .arg(&cache)
        .arg("--archful")
        .arg(t.path().join("archful.txt"))
        .arg("--out")
        .arg(&out)
        .write_stdin(list)
        .assert()
        .success();
    for file in &names {
        let top = t.path().join("reference");
        let o = rpmbuild(&top, "aarch64")
            .arg("-rs")
            .arg(cache.join(file))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let theirs = header(&top.join("SRPMS").join(file));
        assert_eq!(header(&out.join(file)), theirs, "{file}");
        // The build host's header says otherwise: the comparison has teeth.
        assert_ne!(header(&cache.join(file)), theirs, "{file}");
    }
}
