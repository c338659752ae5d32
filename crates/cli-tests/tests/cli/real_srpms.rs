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

/// `rpmbuild MODE` (`-bs`, `-bb`) of `spec`, written as `SPECS/FILE` under
/// the topdir `top`, with `defines`; returns the first file of `top/OUT`
/// (the SRPM, the RPM) once rpmbuild succeeded.
fn rpmbuild_in(
    top: &Path,
    mode: &str,
    file: &str,
    spec: &[u8],
    defines: &[&str],
    out: &str,
) -> PathBuf {
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    let spec_path = top.join("SPECS").join(file);
    std::fs::write(&spec_path, spec).unwrap();
    let mut c = StdCommand::new("rpmbuild");
    c.arg(mode)
        .arg("--define")
        .arg(format!("_topdir {}", top.display()));
    for d in defines {
        c.arg("--define").arg(d);
    }
    let run = c.arg(&spec_path).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_dir(top.join(out))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

/// `rpmbuild -bs` of `spec` (named `name.spec`) with `sources` and
/// `defines`, in its own topdir under `t`; returns the SRPM.
fn rpmbuild(t: &Path, name: &str, spec: &[u8], sources: &[&str], defines: &[&str]) -> PathBuf {
    let top = t.join(format!("top-{name}"));
    std::fs::create_dir_all(top.join("SOURCES")).unwrap();
    for s in sources {
        std::fs::write(top.join("SOURCES").join(s), format!("{s}\n")).unwrap();
    }
    rpmbuild_in(&top, "-bs", &format!("{name}.spec"), spec, defines, "SRPMS")
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
    let latin = b"Name: latin\nVersion: 2\nRelease: 1\nSummary: Caf\xe9\nLicense: BSD \xa9 \xc9cole\n\
        Packager: J\xfcrgen \xbb\nVendor: V\xe9ndor\nURL: https://example.org/\xe9\nGroup: Gr\xfcppe\n\
        BuildRequires: caf\xe9-devel >= 1.2\nBuildRequires: x\xa9y \xc3\xa9t\xe9 \xc3\xa9t\n\
        Source0: latin-2.tar.gz\nSource1: l.txt\nNoSource: 0\n%description\n\
        D\xe9j\xe0 vu \xa9 \xb0\x85.\n%files\n%changelog\n\
        * Tue Feb 06 2024 J\xfcrgen M\xfcller <jm@example.org> - 2-1\n- \xe9t\xe9 \xa9\x93x\x94\n";
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
        // Latin-1 text as createrepo_c converts it (0x80-0xBF dropped), linked as
        // built or regenerated alike: the regenerated header holds the text
        // createrepo_c made of the original's.
        assert!(primary.contains("<summary>Café</summary>"), "{primary}");
        for want in [
            "<rpm:license>BSD  École</rpm:license>",
            "<packager>Jürgen </packager>",
            "<rpm:vendor>Véndor</rpm:vendor>",
            "<url>https://example.org/é</url>",
            "<rpm:group>Grüppe</rpm:group>",
        ] {
            assert!(primary.contains(want), "{arch}: no {want} in {primary}");
        }
        assert!(primary.contains("Déjà vu  .</description>"), "{primary}");
        assert!(
            other.contains("author=\"Jürgen Müller &lt;jm@example.org&gt; - 2-1\"")
                && other.contains(">- été x</changelog>"),
            "{arch}: {other}"
        );
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

/// Every package under `root` (recursively), as paths relative to it, sorted.
fn rpms_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().ends_with(".rpm") {
                out.push(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Writes our repodata and createrepo_c's over copies of the packages
/// under `src` and asserts they agree, element for element; returns how
/// many packages we listed.
fn assert_repodata_is_createrepo_cs(src: &Path) -> usize {
    let t = tempfile::tempdir().unwrap();
    let (ours, cr) = (t.path().join("ours"), t.path().join("cr"));
    let mut packages = Vec::new();
    for rel in rpms_under(src) {
        for dir in [&ours, &cr] {
            let dest = dir.join(&rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(src.join(&rel), &dest).unwrap();
            // createrepo_c's `time file` is the mtime: the copies' must agree.
            let f = std::fs::File::options().append(true).open(&dest).unwrap();
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000))
                .unwrap();
        }
        if let Ok(mut p) = buildroot_core::srpm::read_header(&ours.join(&rel)) {
            p.location = rel.to_string_lossy().into_owned();
            packages.push(p);
        }
    }
    buildroot_core::repodata::write_repodata(&ours, &packages, &Default::default()).unwrap();
    let o = StdCommand::new("createrepo_c")
        .args(["-q", "--no-database"])
        .arg(&cr)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The packages createrepo_c leaves out for a control character in their
    // text (its message names each checksum); we list them, the character
    // dropped (docs/formats.md).
    let left_out: Vec<String> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| l.contains("Forbidden control chars"))
        .filter_map(|l| Some(l.split_once(" (")?.1.split_once(')')?.0.to_string()))
        .collect();
    assert!(left_out.len() < 10, "{left_out:?}");
    for kind in ["primary", "filelists", "other"] {
        let mut a = md_entries(&ours, kind);
        a.retain(|e| !left_out.iter().any(|sum| e.contains(sum.as_str())));
        let b = md_entries(&cr, kind);
        let only = |x: &[String], y: &[String]| -> Vec<String> {
            x.iter().filter(|e| !y.contains(e)).cloned().collect()
        };
        let (ours_only, cr_only) = (only(&a, &b), only(&b, &a));
        assert!(
            ours_only.is_empty() && cr_only.is_empty(),
            "{kind}: {} of our {} entries not createrepo_c's, {} of its {} not ours:\n\
             ours: {:#?}\ncreaterepo_c: {:#?}",
            ours_only.len(),
            a.len(),
            cr_only.len(),
            b.len(),
            &ours_only[..ours_only.len().min(3)],
            &cr_only[..cr_only.len().min(3)],
        );
    }
    packages.len()
}

/// Our repodata of third-party packages (`/tmp/real`, where a checkout has
/// them: old Latin-1 headers, binary RPMs of every era, an rpm v3 package,
/// damaged files) is createrepo_c's, package for package and element for
/// element; what neither can read is in neither.
#[test]
fn repodata_of_third_party_packages_is_createrepo_cs() {
    let real = Path::new("/tmp/real");
    if !real.is_dir() || !have("createrepo_c") {
        eprintln!("skipped: no /tmp/real or no createrepo_c");
        return;
    }
    let n = assert_repodata_is_createrepo_cs(real);
    eprintln!("{n} packages of /tmp/real: repodata as createrepo_c's");
}

/// `rpmbuild -bb` of `spec` (no sources) under `t`; returns the RPM.
fn rpmbuild_binary(t: &Path, spec: &[u8], defines: &[&str]) -> PathBuf {
    rpmbuild_in(
        &t.join("top-bin"),
        "-bb",
        "b.spec",
        spec,
        defines,
        "RPMS/noarch",
    )
}

/// The big-endian number at `at` of an RPM file's bytes.
fn be(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// Where an RPM file's main header starts (after the lead and the
/// signature header, padded to 8), and how many index entries it has.
fn main_header(b: &[u8]) -> (usize, usize) {
    let sig_end = 96 + 16 + 16 * be(b, 104) as usize + be(b, 108) as usize;
    let main = sig_end.div_ceil(8) * 8;
    (main, be(b, main + 8) as usize)
}

/// The RPM at `from` with its Suggests and Enhances moved to the old tags
/// (1156-1161) as old SUSE packages have them, `STRONG` set on each when
/// `strong`. The header digests go stale; createrepo_c does not check them.
fn with_old_weak_tags(from: &Path, to: &Path, strong: bool) {
    let mut b = std::fs::read(from).unwrap();
    let (main, n) = main_header(&b);
    let data = main + 16 + 16 * n;
    for i in 0..n {
        let e = main + 16 + 16 * i;
        let new = match be(&b, e) {
            5049 => 1156,
            5050 => 1157,
            5051 => 1158,
            5055 => 1159,
            5056 => 1160,
            5057 => 1161,
            _ => continue,
        };
        b[e..e + 4].copy_from_slice(&u32::to_be_bytes(new));
        if strong && (new == 1158 || new == 1161) {
            let at = data + be(&b, e + 8) as usize;
            let flags = be(&b, at) | 1 << 27;
            b[at..at + 4].copy_from_slice(&flags.to_be_bytes());
        }
    }
    std::fs::write(to, b).unwrap();
}

/// The RPM at `from` made an rpm v3 package, as old as they come: its
/// immutable region gone (the region's index entry renamed to a tag rpm
/// does not know and listed last, where its data is), and each tag of
/// `renamed` renamed as given, which hides it from rpm and createrepo_c.
fn as_v3_package(from: &Path, to: &Path, renamed: &[(u32, u32)]) {
    let mut b = std::fs::read(from).unwrap();
    let (main, n) = main_header(&b);
    let index = main + 16..main + 16 + 16 * n;
    let mut entries: Vec<Vec<u8>> = b[index.clone()].chunks(16).map(<[u8]>::to_vec).collect();
    for e in &mut entries {
        let tag = be(e, 0);
        let new = match renamed.iter().find(|(old, _)| *old == tag) {
            Some((_, new)) => *new,
            None if tag == 63 => 1996,
            None => continue,
        };
        e[..4].copy_from_slice(&new.to_be_bytes());
    }
    // rpm reads a header without a region only with its entries in the
    // order of their data: the region's trailer is the data's end.
    entries.rotate_left(1);
    b[index].copy_from_slice(&entries.concat());
    std::fs::write(to, b).unwrap();
}

/// An rpm v3 binary package without SOURCERPM (rpm types it a binary by
/// its files and gives it SOURCERPM `(none)`) gets the `N = E:V-R` provide
/// rpm adds to every v3 binary package that lacks it, as createrepo_c
/// lists it.
#[test]
fn a_v3_binary_package_without_sourcerpm_provides_itself() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec = b"Name: old\nVersion: 1\nRelease: 2\nEpoch: 3\nSummary: w\nLicense: MIT\n\
        BuildArch: noarch\nRequires: x\n%description\nd\n%files\n";
    let built = rpmbuild_binary(t, spec, &[]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let path = src.join("old-1-2.noarch.rpm");
    // SOURCERPM and the provides (rpmbuild's `old = 3:1-2` among them) hidden.
    let hidden = [(1044, 1997), (1047, 1998), (1112, 1999), (1113, 2000)];
    as_v3_package(&built, &path, &hidden);
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 1);
    let p = buildroot_core::srpm::read_header(&path).unwrap();
    let provides: Vec<String> = p.provides.iter().map(|d| d.to_string()).collect();
    assert_eq!(provides, ["old = 3:1-2"]);
    assert_eq!(p.sourcerpm, "(none)");
}

/// Old weak-dependency tags, and requires that are equal only once their
/// Latin-1 is converted: what createrepo_c lists, we list.
#[test]
fn old_weak_tags_and_latin1_requires_are_listed_as_createrepo_c_lists_them() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec = b"Name: weak\nVersion: 1\nRelease: 1\nSummary: w\nLicense: MIT\nBuildArch: noarch\n\
        Suggests: sugg >= 2\nEnhances: enh\nRequires: x\xa9y\nRequires: xy\n\
        Requires(post): post-only\n%description\nd\n%files\n";
    let built = rpmbuild_binary(t, spec, &["_invalid_encoding_terminates_build 0"]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    with_old_weak_tags(&built, &src.join("weak-1-1.noarch.rpm"), false);
    with_old_weak_tags(&built, &src.join("strong-1-1.noarch.rpm"), true);
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 2);
    let p = buildroot_core::srpm::read_header(&src.join("weak-1-1.noarch.rpm")).unwrap();
    let names = |v: &[buildroot_core::dep::Dep]| -> Vec<String> {
        v.iter().map(|d| d.to_string()).collect()
    };
    assert_eq!(names(&p.suggests), ["sugg >= 2"]);
    assert_eq!(names(&p.enhances), ["enh"]);
    // `x\xa9y` is `xy` once converted; createrepo_c lists both, as do we.
    let req: Vec<String> = p
        .requires
        .iter()
        .map(|r| format!("{} {}", r.dep, r.pre))
        .collect();
    assert_eq!(req, ["post-only true", "xy false", "xy false"]);
    let p = buildroot_core::srpm::read_header(&src.join("strong-1-1.noarch.rpm")).unwrap();
    assert_eq!(names(&p.recommends), ["sugg >= 2"]);
    assert_eq!(names(&p.supplements), ["enh"]);
    assert!(p.suggests.is_empty() && p.enhances.is_empty());
}

/// Of `libc.so.6()(64bit)` and `libc.so.6(GLIBC_PRIVATE)(64bit)`,
/// createrepo_c keeps the second: empty parentheses are lower than any
/// text in them, digits or not.
#[test]
fn a_libc_require_with_empty_parentheses_is_lower_than_one_without_digits() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec =
        b"Name: libcx\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n\
        AutoReq: no\nRequires: libc.so.6()(64bit)\nRequires: libc.so.6(GLIBC_PRIVATE)(64bit)\n\
        %description\nd\n%files\n";
    let built = rpmbuild_binary(t, spec, &[]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(&built, src.join("libcx-1-1.noarch.rpm")).unwrap();
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 1);
}

/// createrepo_c ranks `libc.so.6` requires on the header's bytes: a Latin-1
/// `\xa0` between two digits separates them for rpmvercmp (`2\xa09` is 2,
/// 9, below 2.10) although converting the name drops it (`GLIBC_29`).
#[test]
fn libc_requires_are_ranked_on_the_headers_bytes() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec =
        b"Name: libcy\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n\
        AutoReq: no\nRequires: libc.so.6(GLIBC_2\xa09)\nRequires: libc.so.6(GLIBC_2.10)\n\
        %description\nd\n%files\n";
    let built = rpmbuild_binary(t, spec, &["_invalid_encoding_terminates_build 0"]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::copy(&built, src.join("libcy-1-1.noarch.rpm")).unwrap();
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 1);
}

/// The RPM at `from` with each `(old, new)` byte string of its header
/// replaced (same length), and the flags of the requires named in
/// `compared` or-ed with `GE`: versions rpmbuild refuses to write. The
/// header digests go stale; createrepo_c does not check them.
fn with_header_patched(from: &Path, to: &Path, strings: &[(&str, &str)], compared: &[&str]) {
    let mut b = std::fs::read(from).unwrap();
    for (old, new) in strings {
        assert_eq!(old.len(), new.len());
        let at = b
            .windows(old.len())
            .position(|w| w == old.as_bytes())
            .unwrap();
        b[at..at + old.len()].copy_from_slice(new.as_bytes());
    }
    let (main, n) = main_header(&b);
    let data = main + 16 + 16 * n;
    let entry = |tag: u32| {
        (0..n)
            .map(|i| main + 16 + 16 * i)
            .find(|&e| be(&b, e) == tag)
            .map(|e| (data + be(&b, e + 8) as usize, be(&b, e + 12) as usize))
            .unwrap()
    };
    let (names_at, count) = entry(1049);
    let (flags_at, _) = entry(1048);
    let mut names = Vec::new();
    let mut at = names_at;
    for _ in 0..count {
        let end = at + b[at..].iter().position(|&c| c == 0).unwrap();
        names.push(String::from_utf8_lossy(&b[at..end]).into_owned());
        at = end + 1;
    }
    for name in compared {
        let i = names.iter().position(|n| n == name).unwrap();
        let at = flags_at + 4 * i;
        let flags = be(&b, at) | 12;
        b[at..at + 4].copy_from_slice(&flags.to_be_bytes());
    }
    std::fs::write(to, b).unwrap();
}

/// Versions rpmbuild refuses but a header can hold, listed as createrepo_c
/// lists them: a signed epoch (`-1:2`, written `epoch="-1" ver="2"`), a
/// version and release split at the first `-` (`1.0-1-2`: `1.0`, `1-2`),
/// a comparison without a version (`flags="GE"` alone), and a rich
/// dependency rpm's parser cannot read (its text as the name). The package
/// was lost whole before; the repo createrepo_c makes of it reads, those
/// entries as libsolv reads them.
#[test]
fn odd_dependency_versions_are_listed_as_createrepo_c_lists_them() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec = b"Name: edge\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n\
        Requires: dashes >= 1.0-1_2\nRequires: negep >= 11:2\nRequires: plusep < 12:3\n\
        Requires: (a or foo(bar )\nRequires: noversion\nProvides: pdash = 2:3-4_5\n\
        %description\nd\n%files\n";
    let built = rpmbuild_binary(t, spec, &[]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let patched = src.join("edge-1-1.noarch.rpm");
    with_header_patched(
        &built,
        &patched,
        &[
            ("1.0-1_2", "1.0-1-2"),
            ("3-4_5", "3-4-5"),
            ("11:2", "-1:2"),
            ("12:3", "+2:3"),
        ],
        &["noversion"],
    );
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 1);
    let p = buildroot_core::srpm::read_header(&patched).unwrap();
    let mut req: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
    // An epoch that is not digits is part of the version, as libsolv reads
    // createrepo_c's entries; the rich dependency, listed as its text, is
    // one libsolv drops as it reads the repo, as does our reader.
    assert_eq!(
        req,
        [
            "(a or foo(bar)",
            "dashes >= 1.0-1-2",
            "negep >= -1:2",
            "noversion >= 0:",
            "plusep < +2:3"
        ]
    );
    // Each version as libsolv compares what createrepo_c lists of it: it
    // joins the attributes and splits at the last `-` (`1.0-1` / `2`), and
    // a signed epoch is none (`-1:2`: version ``, release `1:2`).
    let evrs: Vec<String> = p
        .requires
        .iter()
        .filter_map(|r| r.dep.as_simple()?.range.as_ref())
        .map(|r| format!("{}|{}|{:?}", r.evr.epoch, r.evr.version, r.evr.release))
        .collect();
    assert_eq!(
        evrs,
        [
            "0|1.0-1|Some(\"2\")",
            "0||Some(\"1:2\")",
            "0||None",
            "0|+2:3|None"
        ]
    );
    req.remove(0);
    let cr = t.join("cr");
    std::fs::create_dir_all(&cr).unwrap();
    std::fs::copy(&patched, cr.join("edge-1-1.noarch.rpm")).unwrap();
    createrepo_c(&cr);
    let repomd = std::fs::read_to_string(cr.join("repodata/repomd.xml")).unwrap();
    let href = repomd
        .split("<location href=\"")
        .find(|h| h.contains("primary.xml"))
        .unwrap();
    let gz = std::fs::read(cr.join(&href[..href.find('"').unwrap()])).unwrap();
    let read = buildroot_core::rpmmd::read_primary(
        std::io::BufReader::new(flate2::read::GzDecoder::new(&gz[..])),
        "cr",
    )
    .unwrap();
    let req2: Vec<String> = read[0].requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(req2, req);
    let debug = |p: &Package| -> Vec<String> {
        let deps = p.requires.iter().map(|r| format!("{:?}", r.dep));
        deps.filter(|d| !d.contains("\"(a or")).collect()
    };
    assert_eq!(debug(&read[0]), debug(&p));
}

/// The RPM at `from` with the main header's tags renamed (`(old, new)`;
/// a tag rpm does not know hides an entry). The header digests go stale;
/// createrepo_c does not check them.
fn with_tags_renamed(from: &Path, to: &Path, renames: &[(u32, u32)]) {
    let mut b = std::fs::read(from).unwrap();
    let (main, n) = main_header(&b);
    for i in 0..n {
        let e = main + 16 + 16 * i;
        if let Some((_, new)) = renames.iter().find(|(old, _)| *old == be(&b, e)) {
            b[e..e + 4].copy_from_slice(&new.to_be_bytes());
        }
    }
    std::fs::write(to, b).unwrap();
}

/// Headers without either source tag (no SOURCERPM, no SOURCEPACKAGE), and
/// with the file list as old-style whole names (OLDFILENAMES), listed as
/// createrepo_c lists them once rpm has read them (rpm 4.18's retrofits):
/// a source package when its files are all in one empty directory, else a
/// binary one with `(none)` for its source; an old file list as the paths
/// it holds.
#[test]
fn headers_without_source_tags_or_with_old_file_lists_are_listed_as_createrepo_c_lists_them() {
    if !have("rpmbuild") || !have("createrepo_c") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let spec = "Name: files\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n\
        Requires: /usr/bin/tool\n%description\nd\n%install\n\
        mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/share/files\n\
        echo x > %{buildroot}/usr/bin/tool\necho y > %{buildroot}/usr/share/files/data\n\
        %files\n/usr/bin/tool\n/usr/share/files\n";
    let rpm = rpmbuild_binary(t, spec.as_bytes(), &[]);
    let srpm = rpmbuild(t, "files", spec.as_bytes(), &[], &[]);
    let src = t.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let hidden = 1_999_999;
    // BASENAMES as OLDFILENAMES: the old list holds what the new one did.
    let old_list = [(1117, 1027), (1118, hidden - 1), (1116, hidden - 2)];
    with_tags_renamed(
        &rpm,
        &src.join("no-sourcerpm.noarch.rpm"),
        &[(1044, hidden)],
    );
    with_tags_renamed(
        &srpm,
        &src.join("no-sourcepackage.src.rpm"),
        &[(1106, hidden)],
    );
    with_tags_renamed(&rpm, &src.join("old-list.noarch.rpm"), &old_list);
    let mut old_src = old_list.to_vec();
    old_src.push((1106, hidden));
    with_tags_renamed(&srpm, &src.join("old-list.src.rpm"), &old_src);
    assert_eq!(assert_repodata_is_createrepo_cs(&src), 4);
}
