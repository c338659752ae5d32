//! The repodata writer: round trip through our reader, determinism, and
//! acceptance by dnf and createrepo_c when they are installed.

use std::path::Path;
use std::process::Command;

use buildroot_core::dep::{Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, Compression, WriteOptions};
use buildroot_core::rpmmd::{load_repo, Filelists, LoadOptions, RepoSpec};

fn pkg(name: &str, arch: &str, evr: &str) -> Package {
    let evr = Evr::parse(evr).unwrap();
    Package {
        name: name.into(),
        arch: arch.into(),
        sourcerpm: if arch == "src" {
            String::new()
        } else {
            format!("{name}-{}.src.rpm", evr.vr())
        },
        location: format!("{name}-{}.{arch}.rpm", evr.vr()),
        summary: format!("{name} <&> \"quoted\""),
        evr,
        ..Default::default()
    }
}

fn sample() -> Vec<Package> {
    let mut a = pkg("alpha", "x86_64", "1:2.0-3.fc40");
    a.provides.push(SimpleDep::name("libalpha.so.1()(64bit)"));
    a.requires.push(Requirement {
        dep: Dep::parse("beta >= 1.2").unwrap(),
        pre: false,
    });
    a.requires.push(Requirement {
        dep: Dep::parse("/bin/sh").unwrap(),
        pre: true,
    });
    a.requires.push(Requirement {
        dep: Dep::parse("(gamma or delta > 2)").unwrap(),
        pre: false,
    });
    a.conflicts.push(Dep::parse("omega < 3").unwrap());
    a.obsoletes.push(SimpleDep::name("alpha-old"));
    a.recommends.push(Dep::name("alpha-doc"));
    a.files = vec!["/usr/bin/alpha".into(), "/usr/share/alpha/data".into()];
    let mut s = pkg("alpha", "src", "1:2.0-3.fc40");
    s.requires
        .push(Requirement::from(Dep::parse("gcc >= 10").unwrap()));
    s.requires.push(Requirement::from(
        Dep::parse("(python3-foo if python3)").unwrap(),
    ));
    let b = pkg("beta", "noarch", "1.5-1.fc40");
    vec![a, s, b]
}

#[test]
fn round_trip_and_determinism() {
    for compression in [Compression::Gzip, Compression::Zstd] {
        let t = tempfile::tempdir().unwrap();
        let opts = WriteOptions {
            compression,
            timestamp: 1700000000,
        };
        write_repodata(t.path(), &sample(), &opts).unwrap();
        let repo = load_repo(
            &RepoSpec::new("t", t.path().to_str().unwrap()),
            &LoadOptions {
                filelists: Filelists::All,
                cache_dir: None,
            },
        )
        .unwrap();
        let mut got = repo.packages.clone();
        let mut want = sample();
        for p in got.iter_mut().chain(want.iter_mut()) {
            p.checksum = None;
        }
        want.sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
        assert_eq!(got, want);

        let listing = |d: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(d.join("repodata"))
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        let before = listing(t.path());
        let mtime = std::fs::metadata(t.path().join("repodata/repomd.xml"))
            .unwrap()
            .modified()
            .unwrap();
        write_repodata(t.path(), &sample(), &opts).unwrap();
        assert_eq!(listing(t.path()), before);
        let mtime2 = std::fs::metadata(t.path().join("repodata/repomd.xml"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(mtime, mtime2, "unchanged input must not touch the repo");
    }
}

#[test]
fn dnf_and_createrepo_accept_it() {
    let t = tempfile::tempdir().unwrap();
    write_repodata(t.path(), &sample(), &WriteOptions::default()).unwrap();
    let script = r#"
import sys, dnf, tempfile
b = dnf.Base()
b.conf.cachedir = tempfile.mkdtemp()
b.conf.reposdir = []
b.conf.substitutions['releasever'] = 'eln'
b.repos.add_new_repo('t', b.conf, baseurl=['file://' + sys.argv[1]])
b.fill_sack(load_system_repo=False)
for p in sorted(b.sack.query().run(), key=str):
    print(p, ' '.join(sorted(str(r) for r in p.requires)))
"#;
    match Command::new("/usr/bin/python3")
        .args(["-c", script, t.path().to_str().unwrap()])
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(
                out.contains("alpha-1:2.0-3.fc40.x86_64 (gamma or delta > 2) /bin/sh beta >= 1.2"),
                "{out}"
            );
            assert!(
                out.contains("alpha-1:2.0-3.fc40.src (python3-foo if python3) gcc >= 10"),
                "{out}"
            );
            assert!(out.contains("beta-1.5-1.fc40.noarch"), "{out}");
        }
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'dnf'") => {
            eprintln!("skipped: no python3-dnf")
        }
        Ok(o) => panic!("dnf failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => eprintln!("skipped: no /usr/bin/python3"),
    }
    match Command::new("createrepo_c")
        .args(["--update", "-q", t.path().to_str().unwrap()])
        .output()
    {
        // createrepo_c --update with no rpm files present rewrites an empty repo; it must not reject ours.
        Ok(o) => assert!(
            o.status.success(),
            "createrepo_c: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!("skipped: no createrepo_c"),
    }
}

/// A package checksum is written with the type its hex is (dnf refuses a
/// `type="sha256"` over 40 hex digits), and one no reader would take is
/// replaced by the stand-in sha256 of packages without a file.
#[test]
fn package_checksums_keep_their_type() {
    let t = tempfile::tempdir().unwrap();
    let mut pkgs = sample();
    let sha1 = "0123456789abcdef0123456789abcdef01234567";
    pkgs[0].checksum = Some(sha1.into());
    pkgs[2].checksum = Some("not-a-checksum".into());
    let opts = WriteOptions {
        compression: Compression::Zstd,
        timestamp: 1700000000,
    };
    write_repodata(t.path(), &pkgs, &opts).unwrap();
    let repo = load_repo(
        &RepoSpec::new("t", t.path().to_str().unwrap()),
        &LoadOptions {
            filelists: Filelists::Needed,
            cache_dir: None,
        },
    )
    .unwrap();
    let sum = |name: &str, arch: &str| {
        let p = repo
            .packages
            .iter()
            .find(|p| p.name == name && p.arch == arch);
        p.unwrap().checksum.clone().unwrap()
    };
    assert_eq!(sum("alpha", "x86_64"), sha1);
    let standin = sum("beta", "noarch");
    assert_eq!(standin.len(), 64, "{standin}");
    assert!(standin.bytes().all(|b| b.is_ascii_hexdigit()), "{standin}");
}

/// A header text with C0 control characters (valid UTF-8, so kept by
/// `header_text`: an ESC colour code or a form feed in a changelog) must
/// not make the written XML invalid: XML 1.0 has no such characters, not
/// even as references, and dnf (like our reader) then refuses the whole
/// repo.
#[test]
fn control_characters_keep_the_xml_valid() {
    use buildroot_core::package::{ChangelogEntry, PackageDetails};
    let t = tempfile::tempdir().unwrap();
    let mut pkgs = sample();
    pkgs[1].summary = "alpha\u{1b}[1m bold\u{1b}[0m".into();
    pkgs[1].details = Some(Box::new(PackageDetails {
        description: "page\u{c}break\ttab\r\nline".into(),
        group: "Unspecified".into(),
        changelogs: vec![ChangelogEntry {
            author: "A \u{1} <a@example.org> - 1-1".into(),
            date: 1700000000,
            text: "- bell\u{7}".into(),
        }],
        ..Default::default()
    }));
    write_repodata(t.path(), &pkgs, &WriteOptions::default()).unwrap();
    let repo = load_repo(
        &RepoSpec::new("t", t.path().to_str().unwrap()),
        &LoadOptions {
            filelists: Filelists::All,
            cache_dir: None,
        },
    )
    .unwrap();
    let src = repo.packages.iter().find(|p| p.arch == "src").unwrap();
    assert_eq!(src.summary, "alpha[1m bold[0m");
    let script = r#"
import sys, dnf, tempfile
b = dnf.Base()
b.conf.cachedir = tempfile.mkdtemp()
b.conf.reposdir = []
b.conf.substitutions['releasever'] = 'eln'
b.repos.add_new_repo('t', b.conf, baseurl=['file://' + sys.argv[1]])
b.fill_sack(load_system_repo=False)
for p in sorted(b.sack.query().run(), key=str):
    print(p, repr(p.summary), repr(p.description))
"#;
    match Command::new("/usr/bin/python3")
        .args(["-c", script, t.path().to_str().unwrap()])
        .output()
    {
        Ok(o) if o.status.success() => {
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(
                out.contains(
                    "alpha-1:2.0-3.fc40.src 'alpha[1m bold[0m' 'pagebreak\\ttab\\r\\nline'"
                ),
                "{out}"
            );
        }
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'dnf'") => {
            eprintln!("skipped: no python3-dnf")
        }
        Ok(o) => panic!("dnf failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => eprintln!("skipped: no /usr/bin/python3"),
    }
}
