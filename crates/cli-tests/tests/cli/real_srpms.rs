//! SRPMs as rpmbuild makes them, in shapes our own fixtures do not have,
//! through the archful tools as a user runs them: a source repo made by
//! createrepo_c, identify-archful-srpms, create-srpm-repos. The repo we
//! write must say what createrepo_c says of the same files.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use buildroot_core::package::Package;
use buildroot_core::rpmmd::{load_repo, RepoSpec};
use cli_tests::{cmd, Tool};

/// Whether `program --version` runs (says so on stderr when it does not).
fn have(program: &str) -> bool {
    let ok = StdCommand::new(program).arg("--version").output().is_ok();
    if !ok {
        eprintln!("skipped: {program} is not installed");
    }
    ok
}

/// `rpmbuild -bs` of `spec` (named `name.spec`) with `sources` and
/// `defines`, in its own topdir under `t`; returns the SRPM.
fn rpmbuild(t: &Path, name: &str, spec: &[u8], sources: &[&str], defines: &[&str]) -> PathBuf {
    let top = t.join(format!("top-{name}"));
    for d in ["SPECS", "SOURCES", "SRPMS"] {
        std::fs::create_dir_all(top.join(d)).unwrap();
    }
    for s in sources {
        std::fs::write(top.join("SOURCES").join(s), format!("{s}\n")).unwrap();
    }
    let spec_path = top.join("SPECS").join(format!("{name}.spec"));
    std::fs::write(&spec_path, spec).unwrap();
    let mut c = StdCommand::new("rpmbuild");
    c.arg("-bs")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()));
    for d in defines {
        c.arg("--define").arg(d);
    }
    let out = c.arg(&spec_path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let srpm = std::fs::read_dir(top.join("SRPMS"))
        .unwrap()
        .next()
        .unwrap();
    srpm.unwrap().path()
}

fn spec(name: &str, head: &str) -> String {
    format!(
        "Name: {name}\nVersion: 1.2^git1\nRelease: 3%{{?dist}}\nSummary: {name}\nLicense: MIT\n\
         Source0: aaa-{name}.txt\n{head}\nBuildRequires: gcc >= 10\n\
         BuildRequires: (python3-foo or python3-bar)\n%ifarch x86_64\nBuildRequires: nasm\n\
         %endif\n%description\nd\n%prep\n%build\n%install\n%files\n"
    )
}

/// createrepo_c, the oracle, run on `dir` (no database).
fn createrepo_c(dir: &Path) {
    let o = StdCommand::new("createrepo_c")
        .args(["-q", "--no-database"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// createrepo_c's repo at `cr` of the packages of our repo `out` (copies).
fn createrepo_c_of_rpms_in(out: &Path, cr: &Path) {
    std::fs::create_dir_all(cr).unwrap();
    for e in std::fs::read_dir(out).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".rpm") {
            std::fs::copy(&p, cr.join(p.file_name().unwrap())).unwrap();
        }
    }
    createrepo_c(cr);
}

/// The primary.xml facts createrepo_c and we must agree on, per location.
fn facts(repo: &Path) -> Vec<String> {
    let r = load_repo(
        &RepoSpec::new("t", repo.to_str().unwrap()),
        &Default::default(),
    )
    .unwrap();
    let mut out: Vec<String> = r
        .packages
        .iter()
        .map(|p: &Package| {
            let deps = |v: Vec<String>| {
                let mut v = v;
                v.sort();
                v.join(", ")
            };
            format!(
                "{} {} {} {} {:?} {} requires [{}] provides [{}]",
                p.location,
                p.name,
                p.arch,
                p.evr,
                p.checksum,
                p.size,
                deps(p.requires.iter().map(|r| r.dep.to_string()).collect()),
                deps(p.provides.iter().map(|d| d.to_string()).collect()),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn rpmbuild_srpms_of_every_shape_make_the_repo_createrepo_c_would() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let src = t.join("src");
    std::fs::create_dir_all(src.join("Packages")).unwrap();
    let dist = "dist .fc41";
    // Fedora's zstd payload, an epoch, ExclusiveArch, the spec not first.
    let zs = rpmbuild(
        t,
        "zs",
        spec("zs", "Epoch: 2\nExclusiveArch: x86_64 aarch64").as_bytes(),
        &["aaa-zs.txt"],
        &["_source_payload w19.zstdio", dist],
    );
    // An lzma payload (older distributions'), a spec with Latin-1 in it (rpm 4.18 takes
    // it in a comment; older rpmbuilds took it in the changelog too).
    let mut old = b"# Packager: J\xfcrgen M\xfcller\n".to_vec();
    old.extend_from_slice(spec("old", "").as_bytes());
    let old = rpmbuild(
        t,
        "old",
        &old,
        &["aaa-old.txt"],
        &["_source_payload w2.lzdio", dist],
    );
    // NoSource: a .nosrc.rpm.
    let ns = rpmbuild(
        t,
        "ns",
        spec("ns", "NoSource: 0").as_bytes(),
        &["aaa-ns.txt"],
        &[dist],
    );
    // Not archful, xz, under a file name that is not N-V-R.
    let plain = rpmbuild(
        t,
        "plain",
        spec("plain", "")
            .replace("%ifarch x86_64\nBuildRequires: nasm\n%endif\n", "")
            .as_bytes(),
        &["aaa-plain.txt"],
        &["_source_payload w6.xzdio", dist],
    );
    for (f, dest) in [
        (&zs, "Packages/z.src.rpm"),
        (&old, "old-1.2^git1-3.fc41.src.rpm"),
        (&ns, "ns-1.2^git1-3.fc41.nosrc.rpm"),
        (&plain, "Packages/plain-signed.src.rpm"),
    ] {
        std::fs::copy(f, src.join(dest)).unwrap();
    }
    createrepo_c(&src);
    let names = "ns\nold\nplain\nzs\n";
    let cache = t.join("cache");
    let a = cmd(Tool::IdentifyArchful)
        .arg("--source-repo")
        .arg(format!("src={}", src.display()))
        .arg("--cache")
        .arg(&cache)
        .args(["--no-repo-macros", "--arch", "x86_64", "--arch", "aarch64"])
        .write_stdin(names)
        .assert()
        .success();
    let archful = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert_eq!(archful, "ns\nold\nzs\n");
    assert!(a.get_output().stderr.is_empty(), "{a:?}");
    let archful_file = t.join("archful.txt");
    std::fs::write(&archful_file, archful).unwrap();
    for (arch, nasm) in [("aarch64", false), ("x86_64", true)] {
        let out = t.join(arch);
        let a = cmd(Tool::CreateSrpmRepos)
            .args(["--arch", arch, "--no-repo-macros", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(&archful_file)
            .arg("--out")
            .arg(&out)
            .write_stdin(names)
            .assert()
            .success();
        assert!(a.get_output().stderr.is_empty(), "{a:?}");
        let ours = facts(&out);
        assert_eq!(ours.len(), 4, "{ours:#?}");
        assert_eq!(
            ours.iter().filter(|f| f.contains("nasm")).count(),
            if nasm { 3 } else { 0 },
            "{ours:#?}"
        );
        assert!(ours[0].starts_with("ns-1.2^git1-3.fc41.nosrc.rpm ns src "));
        // createrepo_c over the same files.
        let cr = t.join(format!("cr-{arch}"));
        createrepo_c_of_rpms_in(&out, &cr);
        assert_eq!(ours, facts(&cr));
    }
}

/// Each package entry of one rpm-md file of `repo` (`kind`: primary,
/// filelists, other), sorted, in a form two writers of the same facts
/// share: `time file` (the file's mtime) blanked, libxml2's character
/// references for non-ASCII attribute text decoded, the end's newline
/// dropped.
fn md_entries(repo: &Path, kind: &str) -> Vec<String> {
    use std::io::Read;
    let repomd = std::fs::read_to_string(repo.join("repodata/repomd.xml")).unwrap();
    let data = &repomd[repomd.find(&format!("<data type=\"{kind}\">")).unwrap()..];
    let href = &data[data.find("<location href=\"").unwrap() + 16..];
    let href = &href[..href.find('"').unwrap()];
    let gz = std::fs::read(repo.join(href)).unwrap();
    let mut xml = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut xml)
        .unwrap();
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(at) = rest.find("&#x") {
        let end = at + rest[at..].find(';').unwrap();
        out.push_str(&rest[..at]);
        let code = u32::from_str_radix(&rest[at + 3..end], 16).unwrap();
        out.push(char::from_u32(code).unwrap());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    let mut entries: Vec<String> = out
        .split("<package ")
        .skip(1)
        .map(|p| {
            p.trim_end()
                .lines()
                .map(|l| match l.find("<time file=\"") {
                    Some(at) => {
                        let v = at + 12;
                        format!("{}T{}", &l[..v], &l[v + l[v..].find('"').unwrap()..])
                    }
                    None => l.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn repodata_of_rpmbuild_and_regenerated_srpms_is_createrepo_cs_element_for_element() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let full = "Name: full\nVersion: 1.0\nRelease: 1\nSummary: Full & <tagged>\n\
        License: MIT AND GPL-2.0-or-later\nURL: https://example.org/full\n\
        Group: Development/Tools\nVendor: Example\nPackager: Jane <jane@example.org>\n\
        Source0: full-1.0.tar.gz\nSource1: extra.txt\nPatch0: fix.patch\n\
        BuildRequires: gcc\n%description\nTwo lines & \"quotes\".\n\tTabbed.\n\
        %prep\n%files\n%changelog\n\
        * Mon Jan 01 2024 Jane <jane@example.org> - 1.0-1\n- newest\n\
        * Mon Jan 01 2024 John <john@example.org>   - 0.9-1\n- same day\n\
        * Sun Dec 31 2023 Jane <jane@example.org> - 0.8-1\n- older\n";
    // Latin-1 in the summary, description, changelog and BuildRequires
    // names (rpm 4.18 builds it when told to; createrepo_c converts each
    // string that is not UTF-8 as Latin-1, dropping 0x80-0xBF), and
    // NoSource: a .nosrc.rpm with a ghost.
    let latin = b"Name: latin\nVersion: 2\nRelease: 1\nSummary: Caf\xe9\nLicense: BSD\n\
        BuildRequires: caf\xe9-devel >= 1.2\nBuildRequires: x\xa9y \xc3\xa9t\xe9 \xc3\xa9t\n\
        Source0: latin-2.tar.gz\nSource1: l.txt\nNoSource: 0\n%description\n\
        D\xe9j\xe0 vu \xa9 \xb0\x85.\n%files\n%changelog\n\
        * Tue Feb 06 2024 J\xfcrgen M\xfcller <jm@example.org> - 2-1\n- \xe9t\xe9\n";
    let built = [
        rpmbuild(
            t,
            "full",
            full.as_bytes(),
            &["full-1.0.tar.gz", "extra.txt", "fix.patch"],
            &[],
        ),
        rpmbuild(
            t,
            "latin",
            latin,
            &["latin-2.tar.gz", "l.txt"],
            &["_invalid_encoding_terminates_build 0"],
        ),
    ];
    for f in &built {
        std::fs::copy(f, src.join(f.file_name().unwrap())).unwrap();
    }
    createrepo_c(&src);
    let names = "full\nlatin\n";
    let cache = t.join("cache");
    cmd(Tool::IdentifyArchful)
        .arg("--source-repo")
        .arg(format!("src={}", src.display()))
        .arg("--cache")
        .arg(&cache)
        .args(["--no-repo-macros", "--arch", "x86_64", "-q"])
        .write_stdin(names)
        .assert()
        .success();
    // x86_64: both regenerated by our writer; aarch64: both linked as built.
    for (arch, archful) in [("x86_64", names), ("aarch64", "")] {
        let archful_file = t.join(format!("archful-{arch}.txt"));
        std::fs::write(&archful_file, archful).unwrap();
        let out = t.join(arch);
        cmd(Tool::CreateSrpmRepos)
            .args(["--arch", arch, "--no-repo-macros", "-q", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(&archful_file)
            .arg("--out")
            .arg(&out)
            .write_stdin(names)
            .assert()
            .success();
        let cr = t.join(format!("cr-{arch}"));
        createrepo_c_of_rpms_in(&out, &cr);
        for kind in ["primary", "filelists", "other"] {
            assert_eq!(
                md_entries(&out, kind),
                md_entries(&cr, kind),
                "{arch} {kind}"
            );
        }
        let primary = md_entries(&out, "primary").join("\n");
        for want in [
            "<description>Two lines &amp; \"quotes\".\n\tTabbed.</description>",
            "<url>https://example.org/full</url>",
            "<rpm:vendor>Example</rpm:vendor>",
            "<rpm:group>Development/Tools</rpm:group>",
            "<packager>Jane &lt;jane@example.org&gt;</packager>",
        ] {
            assert!(primary.contains(want), "{arch}: no {want} in {primary}");
        }
        let other = md_entries(&out, "other").join("\n");
        // The same day twice: the newer entry a second later, as createrepo_c has it.
        assert!(other.contains("date=\"1704110401\">- newest"), "{other}");
        let files = md_entries(&out, "filelists").join("\n");
        assert!(
            files.contains("<file type=\"ghost\">latin-2.tar.gz</file>"),
            "{files}"
        );
        // The ghost's size as rpmbuild recorded it, regenerated or not.
        let ghost = rpm_qp(&out.join("latin-2-1.nosrc.rpm"), "[%{FILESIZES} ]");
        assert_eq!(ghost, rpm_qp(&built[1], "[%{FILESIZES} ]"), "{arch}");
        // Latin-1 BuildRequires as createrepo_c lists rpmbuild's: linked as
        // built, and regenerated from the spec read the same way.
        for dep in ["café-devel\" flags=\"GE\"", "xy", "Ãté", "ét"] {
            let want = format!("<rpm:entry name=\"{dep}");
            assert!(primary.contains(&want), "{arch}: no {want} in {primary}");
        }
        if arch == "aarch64" {
            // Linked as built: Latin-1 text converted as createrepo_c converts it.
            assert!(primary.contains("<summary>Café</summary>"), "{primary}");
            assert!(primary.contains("Déjà vu  .</description>"), "{primary}");
        } else {
            // Regenerated: the header is UTF-8, the Latin-1 read as CP1252.
            assert!(primary.contains("Déjà vu © °….</description>"), "{primary}");
        }
    }
}

/// `rpm -qp --qf FORMAT` of a package file.
fn rpm_qp(path: &Path, format: &str) -> String {
    let o = StdCommand::new("rpm")
        .args(["-qp", "--nosignature", "--qf", format])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}
