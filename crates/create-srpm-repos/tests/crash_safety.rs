//! Crash safety: create-srpm-repos and buildroot-generator --output-dir are
//! killed with SIGKILL at random moments while they write; the previous
//! repository / output directory must stay whole, and dnf must still read
//! the repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn bin(name: &str) -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_BIN_EXE_create-srpm-repos"));
    p.set_file_name(name);
    p
}

/// A small deterministic sequence of kill delays (microseconds).
fn delays(n: usize) -> Vec<u64> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % 60_000
        })
        .collect()
}

/// Starts `cmd`, kills it with SIGKILL after `us` microseconds (if still running).
fn run_and_kill(mut cmd: Command, us: u64) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_micros(us));
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

fn sources() -> Vec<String> {
    std::fs::read_to_string(root().join("testdata/compose/sources.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn killed_create_srpm_repos_leaves_a_whole_repo() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let st = Command::new(bin("identify-archful-srpms"))
        .current_dir(root())
        .args([
            "--source-repo",
            "src=testdata/repos/source",
            "-q",
            "--cache",
        ])
        .arg(&cache)
        .arg("testdata/compose/sources.txt")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let archful = t.path().join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    let out = t.path().join("repo");
    let list = t.path().join("list.txt");
    let make = |list_text: &str| {
        std::fs::write(&list, list_text).unwrap();
        let mut c = Command::new(bin("create-srpm-repos"));
        c.args(["--arch", "aarch64", "-q", "--cache"])
            .arg(&cache)
            .arg("--archful")
            .arg(&archful)
            .arg("--out")
            .arg(&out)
            .arg(&list);
        c
    };
    // A complete repo first.
    assert!(make("libjpeg-turbo\nzlib\n").status().unwrap().success());
    let all = sources().join("\n") + "\n";
    for (i, us) in delays(25).into_iter().enumerate() {
        // Alternate between two contents so a kill can land in a real change.
        let text = if i % 2 == 0 {
            all.as_str()
        } else {
            "libjpeg-turbo\nzlib\n"
        };
        run_and_kill(make(text), us);
        let repo = buildroot_core::rpmmd::load_repo(
            &buildroot_core::rpmmd::RepoSpec::new("r", out.to_str().unwrap()),
            &Default::default(),
        )
        .unwrap_or_else(|e| panic!("after a kill at {us} us the repo is broken: {e}"));
        assert!(
            repo.packages.len() >= 2,
            "after a kill at {us} us: {} packages",
            repo.packages.len()
        );
        for p in &repo.packages {
            // Every SRPM the repodata lists is there and whole.
            buildroot_core::srpm::read_header(&out.join(&p.location))
                .unwrap_or_else(|e| panic!("after a kill at {us} us: {e}"));
        }
    }
    // A clean run afterwards works and leaves no debris.
    assert!(make(&all).status().unwrap().success());
    let debris: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with('.'))
        .collect();
    assert!(debris.is_empty(), "{debris:?}");
    let script = "import sys, dnf, tempfile\nb = dnf.Base()\nb.conf.cachedir = tempfile.mkdtemp()\nb.conf.reposdir = []\nb.conf.substitutions['releasever'] = 'eln'\nb.repos.add_new_repo('t', b.conf, baseurl=['file://' + sys.argv[1]])\nb.fill_sack(load_system_repo=False)\nprint(len(b.sack.query().run()))\n";
    match Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&out)
        .output()
    {
        Ok(o) if o.status.success() => {
            let n: usize = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
            assert_eq!(n, sources().len());
        }
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            eprintln!("skipped dnf check")
        }
        Ok(o) => panic!("{}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => eprintln!("skipped dnf check"),
    }
}

#[test]
fn killed_generator_leaves_the_previous_output_dir() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let make = || {
        let mut c = Command::new(bin("buildroot-generator"));
        c.current_dir(root())
            .args([
                "--arch",
                "x86_64",
                "-q",
                "--repo",
                "m=testdata/repos/x86_64",
                "--source-repo",
                "s=testdata/repos/source",
                "--output-dir",
            ])
            .arg(&out)
            .arg("testdata/compose/sources.txt");
        c
    };
    assert!(make().status().unwrap().success());
    let want = std::fs::read_to_string(out.join("buildroot-binary-package-names.txt")).unwrap();
    let files = |d: &Path| {
        let mut v: Vec<String> = walk(d);
        v.sort();
        v
    };
    let want_files = files(&out);
    for us in delays(25) {
        run_and_kill(make(), us);
        assert_eq!(files(&out), want_files, "after a kill at {us} us");
        assert_eq!(
            std::fs::read_to_string(out.join("buildroot-binary-package-names.txt")).unwrap(),
            want
        );
        let rel =
            std::fs::read(out.join("buildroot-package-relations--view-eln--x86_64.json")).unwrap();
        serde_json::from_slice::<serde_json::Value>(&rel).expect("relations JSON is whole");
    }
}

fn walk(d: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
