//! Reading buildroot-generator output directories, and the buildroot
//! document and workload diff built from them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use buildroot_core::workload::outdir::{error_file_name, relations_file_name};
use buildroot_core::workload::{
    BuildrootConfigDocument, BuildrootDir, ErrorKind, Relations, WorkloadDiff, WorkloadMeta,
};

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A generator output dir as the layout describes it (dep-tracker-style
/// duplicates and unsorted lines included).
fn fake_dir(dir: &Path, arch: &str) {
    write(dir, "CoreBuildRootBinaries", "bash\ncoreutils\nbash\n");
    write(dir, "CoreBuildRootSources", "coreutils\nbash\n");
    write(dir, "output/httpd-deps-binary", "gcc\napr-devel\ngcc\n");
    write(dir, "output/httpd-deps-source", "gcc\napr\n");
    write(dir, "output/python-foo-deps-binary", "python3-devel\n");
    write(dir, "output/python-foo-deps-source", "python3\n");
    write(dir, "output/noextra-deps-binary", "");
    write(dir, "output/.tmp-abc", "in flight\n");
    write(
        dir,
        "errors/broken-NoInstall",
        "broken: does-not-exist-devel\nbroken: (a or b)\n",
    );
    write(
        dir,
        "errors/conflicted-BadDeps",
        "===============================\nERROR: conflicted\nproblem text\n",
    );
    write(dir, "errors/ghost-NoSource", "ghost: no source package\n");
    write(
        dir,
        "buildroot-binary-package-names.txt",
        "apr-devel\nbash\ncoreutils\ngcc\npython3-devel\n",
    );
    write(
        dir,
        "buildroot-source-package-names.txt",
        "apr\nbash\ncoreutils\ngcc\nhttpd\n",
    );
    write(
        dir,
        "buildroot-binary-package-nvrs.txt",
        "bash-5.2-1.eln150\n",
    );
    write(
        dir,
        "buildroot-source-package-nvrs.txt",
        "bash-5.2-1.eln150\n",
    );
    Relations::new("view-eln", arch)
        .write(&dir.join(relations_file_name("view-eln", arch)))
        .unwrap();
}

#[test]
fn reads_the_layout() {
    let t = tempfile::tempdir().unwrap();
    fake_dir(t.path(), "x86_64");
    let d = BuildrootDir::read(t.path()).unwrap();
    assert_eq!(d.core_binaries, set(&["bash", "coreutils"]));
    assert_eq!(d.core_sources, set(&["bash", "coreutils"]));
    assert_eq!(
        d.deps_binary.keys().collect::<Vec<_>>(),
        ["httpd", "noextra", "python-foo"]
    );
    assert_eq!(d.deps_binary["httpd"], set(&["apr-devel", "gcc"]));
    assert!(d.deps_binary["noextra"].is_empty());
    assert_eq!(d.deps_source["python-foo"], set(&["python3"]));
    assert_eq!(d.failed_sources(), set(&["broken", "conflicted", "ghost"]));
    assert_eq!(
        d.errors["conflicted"].keys().collect::<Vec<_>>(),
        [&ErrorKind::BadDeps]
    );
    assert_eq!(d.no_install("broken"), ["does-not-exist-devel", "(a or b)"]);
    assert!(d.no_install("httpd").is_empty());
    assert_eq!(
        d.errors["ghost"][&ErrorKind::NoSource],
        "ghost: no source package\n"
    );
    assert_eq!(d.binary_nvrs, Some(set(&["bash-5.2-1.eln150"])));
    assert_eq!(
        d.relations_files,
        [t.path()
            .join("buildroot-package-relations--view-eln--x86_64.json")]
    );
    assert_eq!(
        Relations::read(&d.relations_files[0]).unwrap().arch,
        "x86_64"
    );
    assert_eq!(
        d.binary_names(),
        set(&["apr-devel", "bash", "coreutils", "gcc", "python3-devel"])
    );
    assert_eq!(
        error_file_name("broken", &ErrorKind::NoInstall),
        "broken-NoInstall"
    );
    assert_eq!(
        relations_file_name("eln", "s390x"),
        "buildroot-package-relations--view-eln--s390x.json"
    );
}

#[test]
fn binary_names_fall_back_to_core_and_deps() {
    let t = tempfile::tempdir().unwrap();
    fake_dir(t.path(), "x86_64");
    fs::remove_file(t.path().join("buildroot-binary-package-names.txt")).unwrap();
    fs::write(t.path().join("output/extra-deps-binary"), "zlib-devel\n").unwrap();
    let d = BuildrootDir::read(t.path()).unwrap();
    assert_eq!(d.binary_names, None);
    assert_eq!(
        d.binary_names(),
        set(&[
            "apr-devel",
            "bash",
            "coreutils",
            "gcc",
            "python3-devel",
            "zlib-devel"
        ])
    );
}

#[test]
fn minimal_dir_and_bad_layouts() {
    let t = tempfile::tempdir().unwrap();
    let e = BuildrootDir::read(t.path()).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}/CoreBuildRootBinaries: missing (not a buildroot-generator output directory?)",
            t.path().display()
        )
    );
    write(t.path(), "CoreBuildRootBinaries", "");
    write(t.path(), "CoreBuildRootSources", "");
    let d = BuildrootDir::read(t.path()).unwrap();
    assert!(d.deps_binary.is_empty() && d.errors.is_empty() && d.relations_files.is_empty());

    write(t.path(), "output/README", "x\n");
    let e = BuildrootDir::read(t.path()).unwrap_err().to_string();
    assert!(e.ends_with("output/README: unexpected file in output/ (expected NAME-deps-binary or NAME-deps-source)"), "{e}");
    fs::remove_file(t.path().join("output/README")).unwrap();

    write(t.path(), "errors/oops", "x\n");
    let e = BuildrootDir::read(t.path()).unwrap_err().to_string();
    assert!(e.contains("errors/oops: unexpected file in errors/"), "{e}");
    fs::remove_file(t.path().join("errors/oops")).unwrap();

    write(t.path(), "output/two-deps-binary", "a b\n");
    let e = BuildrootDir::read(t.path()).unwrap_err().to_string();
    assert!(
        e.ends_with("output/two-deps-binary:1: 'a b' is not a package name (one name per line)"),
        "{e}"
    );

    let e = BuildrootDir::read(&t.path().join("nope"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!("{}/nope: ", t.path().display())),
        "{e}"
    );
    let e = BuildrootDir::read(&t.path().join("CoreBuildRootBinaries"))
        .unwrap_err()
        .to_string();
    assert!(e.ends_with("CoreBuildRootBinaries: not a directory (expected a buildroot-generator output directory)"), "{e}");
}

#[test]
fn buildroot_document_from_dirs() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("x86_64");
    let a = t.path().join("aarch64");
    fake_dir(&x, "x86_64");
    fake_dir(&a, "aarch64");
    fs::remove_file(a.join("errors/broken-NoInstall")).unwrap();
    fs::write(a.join("output/nasm-only-deps-binary"), "nasm\n").unwrap();
    let dirs = BTreeMap::from([
        ("x86_64".to_string(), BuildrootDir::read(&x).unwrap()),
        ("aarch64".to_string(), BuildrootDir::read(&a).unwrap()),
    ]);
    let doc = BuildrootConfigDocument::from_dirs("me", "view-eln", &dirs);
    assert_eq!(doc.maintainer, "me");
    assert_eq!(doc.view_id, "view-eln");
    // As the generator's relations JSON names it: `eln` is `view-eln`.
    let short = BuildrootConfigDocument::from_dirs("me", "eln", &dirs);
    assert_eq!(short.view_id, "view-eln");
    assert_eq!(doc.base_buildroot["aarch64"], set(&["bash", "coreutils"]));
    assert_eq!(
        doc.source_packages["x86_64"].keys().collect::<Vec<_>>(),
        ["httpd", "noextra", "python-foo"]
    );
    assert_eq!(
        doc.source_packages["aarch64"]["nasm-only"].requires,
        set(&["nasm"])
    );
    assert_eq!(
        dirs["x86_64"].failed_sources(),
        set(&["broken", "conflicted", "ghost"])
    );
    let yaml = doc.to_yaml().unwrap();
    assert_eq!(BuildrootConfigDocument::from_yaml(&yaml, "b").unwrap(), doc);
}

#[test]
fn diff_splits_common_and_arch_names() {
    let compose = BTreeMap::from([
        ("aarch64".to_string(), set(&["bash", "glibc"])),
        ("ppc64le".to_string(), set(&["bash", "glibc"])),
        ("x86_64".to_string(), set(&["bash", "glibc", "nasm"])),
    ]);
    let buildroot = BTreeMap::from([
        (
            "aarch64".to_string(),
            set(&["bash", "glibc", "autoconf", "zlib-devel", "kernel-headers"]),
        ),
        (
            "ppc64le".to_string(),
            set(&[
                "bash",
                "autoconf",
                "zlib-devel",
                "kernel-headers",
                "ppc-tool",
            ]),
        ),
        (
            "x86_64".to_string(),
            set(&[
                "bash",
                "glibc",
                "nasm",
                "autoconf",
                "yasm",
                "kernel-headers",
            ]),
        ),
    ]);
    let d = WorkloadDiff::compute(&compose, &buildroot, &set(&["kernel-headers", "not-there"]))
        .unwrap();
    assert_eq!(d.common, set(&["autoconf"]));
    assert_eq!(d.arch_only("aarch64"), set(&["zlib-devel"]));
    assert_eq!(d.arch_only("ppc64le"), set(&["ppc-tool", "zlib-devel"]));
    assert_eq!(d.arch_only("x86_64"), set(&["yasm"]));
    let x = &d.arches["x86_64"];
    assert_eq!((x.buildroot, x.in_compose), (6, 3));
    assert_eq!(x.excluded, set(&["kernel-headers"]));
    assert_eq!(x.added, set(&["autoconf", "yasm"]));
    let w = d.workload(&WorkloadMeta::default());
    assert_eq!(w.packages, set(&["autoconf"]));
    assert_eq!(w.arch_packages.len(), 3);
    assert_eq!(w.arch_packages["x86_64"], set(&["yasm"]));
    assert_eq!(
        d.to_text(),
        "== aarch64: 5 buildroot binaries: 2 in the compose, 1 excluded, 2 added (1 only on aarch64)
+ autoconf
+ zlib-devel (aarch64 only)
! kernel-headers (excluded)
== ppc64le: 5 buildroot binaries: 1 in the compose, 1 excluded, 3 added (2 only on ppc64le)
+ autoconf
+ ppc-tool (ppc64le only)
+ zlib-devel (ppc64le only)
! kernel-headers (excluded)
== x86_64: 6 buildroot binaries: 3 in the compose, 1 excluded, 2 added (1 only on x86_64)
+ autoconf
+ yasm (x86_64 only)
! kernel-headers (excluded)
== workload: 1 on every arch (packages), 4 arch-specific (arch_packages)
"
    );
    let j: serde_json::Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(j["packages"], serde_json::json!(["autoconf"]));
    assert_eq!(
        j["arch_packages"]["ppc64le"],
        serde_json::json!(["ppc-tool", "zlib-devel"])
    );
    assert_eq!(
        j["arches"]["x86_64"]["added"],
        serde_json::json!(["autoconf", "yasm"])
    );
    assert_eq!(j["arches"]["x86_64"]["in_compose"], 3);

    // A single arch: everything added is common.
    let one = WorkloadDiff::compute(
        &BTreeMap::from([("x86_64".to_string(), set(&["bash"]))]),
        &BTreeMap::from([("x86_64".to_string(), set(&["bash", "gcc"]))]),
        &BTreeSet::new(),
    )
    .unwrap();
    let w = one.workload(&WorkloadMeta::default());
    assert_eq!(w.packages, set(&["gcc"]));
    assert_eq!(w.arch_packages["x86_64"], set(&[]));

    let e = WorkloadDiff::compute(
        &BTreeMap::from([("x86_64".to_string(), set(&[]))]),
        &BTreeMap::from([("aarch64".to_string(), set(&[]))]),
        &BTreeSet::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "arch x86_64 has a compose list but no buildroot list"
    );
    let e =
        WorkloadDiff::compute(&BTreeMap::new(), &BTreeMap::new(), &BTreeSet::new()).unwrap_err();
    assert_eq!(e.to_string(), "no architectures given");
}
