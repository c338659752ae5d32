//! The committed fixture distribution is exactly what the generator makes,
//! and its files are real: rpm reads every SRPM, dnf reads every repo.

use std::path::{Path, PathBuf};
use std::process::Command;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn regenerating_gives_identical_bytes() {
    let t = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_testdata-gen"))
        .arg(t.path())
        .status()
        .unwrap();
    assert!(status.success());
    for sub in ["repos", "compose"] {
        let want = files(&testdata().join(sub));
        let got = files(&t.path().join(sub));
        let names = |v: &[(PathBuf, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&got),
            names(&want),
            "file list of testdata/{sub} (run `make testdata`)"
        );
        for ((p, a), (_, b)) in got.iter().zip(&want) {
            assert!(
                a == b,
                "testdata/{sub}/{} differs from the generator's output (run `make testdata`)",
                p.display()
            );
        }
    }
}

#[test]
fn rpm_reads_every_srpm() {
    if Command::new("rpm").arg("--version").output().is_err() {
        eprintln!("skipped: rpm is not installed");
        return;
    }
    let repo = buildroot_core::rpmmd::load_repo(
        &buildroot_core::rpmmd::RepoSpec::new(
            "src",
            testdata().join("repos/source").to_str().unwrap(),
        ),
        &Default::default(),
    )
    .unwrap();
    assert!(repo.packages.len() >= 20);
    for p in &repo.packages {
        assert_eq!(p.arch, "src");
        let path = testdata().join("repos/source").join(&p.location);
        let out = Command::new("rpm")
            .args(["-qp", "--requires"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rpm -qp --requires {}",
            path.display()
        );
        let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("rpmlib("))
            .map(str::to_string)
            .collect();
        let mut ours: Vec<String> = p.requires.iter().map(|r| r.dep.to_string()).collect();
        let mut listed_sorted = listed.clone();
        ours.sort();
        listed_sorted.sort();
        assert_eq!(listed_sorted, ours, "{}", p.location);
        let out = Command::new("rpm")
            .args(["-qpl"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{}.spec", p.name)));
    }
}

#[test]
fn dnf_reads_every_repo() {
    let script = r#"
import sys, dnf, tempfile
for d in sys.argv[1:]:
    b = dnf.Base()
    b.conf.cachedir = tempfile.mkdtemp()
    b.conf.reposdir = []
    b.conf.substitutions['releasever'] = 'eln'
    b.repos.add_new_repo('t', b.conf, baseurl=['file://' + d])
    b.fill_sack(load_system_repo=False)
    print(len(b.sack.query().run()))
"#;
    let dirs: Vec<String> = ["x86_64", "aarch64", "source", "weak/x86_64", "weak/aarch64"]
        .iter()
        .map(|a| {
            testdata()
                .join("repos")
                .join(a)
                .canonicalize()
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let out = match Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .args(&dirs)
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'dnf'") => {
            eprintln!("skipped: python3-dnf is not installed");
            return;
        }
        Ok(o) => panic!("dnf: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            eprintln!("skipped: no /usr/bin/python3");
            return;
        }
    };
    let counts: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    for (dir, n) in dirs.iter().zip(&counts) {
        let ours = buildroot_core::rpmmd::load_repo(
            &buildroot_core::rpmmd::RepoSpec::new("t", dir),
            &Default::default(),
        )
        .unwrap()
        .packages
        .len();
        assert_eq!(*n, ours, "{dir}: dnf and we see different package counts");
    }
}
