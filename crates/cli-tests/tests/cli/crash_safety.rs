//! Crash safety: create-srpm-repos and buildroot-generator --output-dir are
//! killed with SIGKILL at random moments while they write; the previous
//! repository / output directory must stay whole, and dnf must still read
//! the repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cli_tests::{dir_names, root, std_cmd, Tool};

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

/// Fills an SRPM cache from the fixture source repo; returns it and an
/// archful list naming libjpeg-turbo.
fn fill_cache(t: &Path) -> (PathBuf, PathBuf) {
    let cache = t.join("cache");
    let st = std_cmd(Tool::IdentifyArchful)
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
    let archful = t.join("archful.txt");
    std::fs::write(&archful, "libjpeg-turbo\n").unwrap();
    (cache, archful)
}

/// create-srpm-repos for aarch64 from `cache` into `out`, for the sources in `list`.
fn srpm_repo_command(cache: &Path, archful: &Path, out: &Path, list: &Path) -> Command {
    let mut c = std_cmd(Tool::CreateSrpmRepos);
    c.args(["--arch", "aarch64", "-q", "--cache"])
        .arg(cache)
        .arg("--archful")
        .arg(archful)
        .arg("--out")
        .arg(out)
        .arg(list);
    c
}

/// buildroot-generator on the fixture compose, writing `--output-dir out`.
fn generator_into(out: &Path) -> Command {
    let mut c = std_cmd(Tool::Generator);
    c.current_dir(root())
        .args([
            "--arch",
            "x86_64",
            "-q",
            "--repo",
            "m=testdata/repos/x86_64",
        ])
        .args(["--source-repo", "s=testdata/repos/source", "--output-dir"])
        .arg(out)
        .arg("testdata/compose/sources.txt");
    c
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
    let (cache, archful) = fill_cache(t.path());
    let out = t.path().join("repo");
    let list = t.path().join("list.txt");
    let make = |list_text: &str| {
        std::fs::write(&list, list_text).unwrap();
        srpm_repo_command(&cache, &archful, &out, &list)
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
        .filter(|f| f.starts_with('.') && f != buildroot_core::archful::REPO_MARKER)
        .collect();
    assert!(debris.is_empty(), "{debris:?}");
    match dnf_package_count(&out) {
        Some(n) => assert_eq!(n, sources().len()),
        None => eprintln!("skipped dnf check: no python3-dnf"),
    }
}

#[test]
fn killed_generator_leaves_the_previous_output_dir() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let make = || generator_into(&out);
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

// ---- Kills at exact moments: every rename is where a swap can go wrong. ----

/// The rename-family syscalls; every file and directory swap goes through them.
const RENAMES: &str = "rename,renameat,renameat2";

/// Whether strace is installed (says so on stderr when it is not).
fn have_strace() -> bool {
    let ok = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: strace is not installed (.ci/run installs it)");
    }
    ok
}

/// How many rename-family calls of each kind `cmd` makes (it runs to completion).
fn count_renames(cmd: &Command, log: &Path) -> Vec<(String, usize)> {
    let log = log.to_str().unwrap();
    let trace = format!("trace={RENAMES}");
    assert!(under_strace(cmd, &["-e", &trace, "-o", log]).success());
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for line in std::fs::read_to_string(log).unwrap().lines() {
        // "PID renameat2(AT_FDCWD, ...) = 0"; "<... resumed>" halves are not calls.
        let call = line.split_whitespace().nth(1).unwrap_or("");
        if let Some((kind, _)) = call.split_once('(') {
            *counts.entry(kind.to_string()).or_default() += 1;
        }
    }
    counts.into_iter().collect()
}

/// Runs `cmd` under strace, which kills it with SIGKILL at its `k`-th call of
/// the syscall `kind` (before the call takes effect).
fn kill_at_rename(cmd: &Command, kind: &str, k: usize) {
    let (trace, inject) = (
        format!("trace={kind}"),
        format!("inject={kind}:signal=SIGKILL:when={k}"),
    );
    under_strace(cmd, &["-o", "/dev/null", "-e", &trace, "-e", &inject]);
}

/// Runs `cmd` (its program, arguments, directory and environment) under `strace -f -qq OPTS`.
fn under_strace(cmd: &Command, opts: &[&str]) -> std::process::ExitStatus {
    let mut c = Command::new("strace");
    c.args(["-f", "-qq"])
        .args(opts)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(d) = cmd.get_current_dir() {
        c.current_dir(d);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    // SIGINT back to its default: a test run started as a background job of
    // a shell without job control (`make test &`, nohup) inherits it
    // ignored, and the tools, as any program, keep an ignored SIGINT
    // ignored, so an injected one would end nothing.
    // SAFETY: signal(2) is async-signal-safe, as pre_exec requires.
    unsafe {
        use std::os::unix::process::CommandExt;
        c.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            Ok(())
        });
    }
    c.status().unwrap()
}

/// Kill points: every one of the last `tail` calls (where the final swaps
/// happen) and an even sample of the others, `n` in all at most.
fn kill_points(total: usize, tail: usize, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (total.saturating_sub(tail) + 1..=total).collect();
    let rest = total.saturating_sub(tail);
    let step = (rest / n.saturating_sub(tail).max(1)).max(1);
    v.extend((1..=rest).step_by(step));
    v.sort();
    v.dedup();
    v
}

/// dnf's own reading of the repo: the number of packages, or None without python3-dnf.
fn dnf_package_count(repo: &Path) -> Option<usize> {
    let script = "import sys, dnf, tempfile\nb = dnf.Base()\nb.conf.cachedir = tempfile.mkdtemp()\nb.conf.reposdir = []\nb.conf.substitutions['releasever'] = 'eln'\nb.repos.add_new_repo('t', b.conf, baseurl=['file://' + sys.argv[1]])\nb.fill_sack(load_system_repo=False)\nprint(len(b.sack.query().run()))\n";
    let o = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(repo)
        .output()
        .ok()?;
    if String::from_utf8_lossy(&o.stderr).contains("No module named") {
        return None;
    }
    assert!(
        o.status.success(),
        "dnf cannot read {}: {}",
        repo.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    Some(String::from_utf8_lossy(&o.stdout).trim().parse().unwrap())
}

#[test]
fn killed_at_each_rename_create_srpm_repos_leaves_a_repo_dnf_reads() {
    if !have_strace() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = fill_cache(t.path());
    let out = t.path().join("repo");
    let small = t.path().join("small.txt");
    let all = t.path().join("all.txt");
    std::fs::write(&small, "libjpeg-turbo\nzlib\n").unwrap();
    std::fs::write(&all, sources().join("\n") + "\n").unwrap();
    let make = |list: &Path| srpm_repo_command(&cache, &archful, &out, list);
    assert!(make(&small).status().unwrap().success());
    let grow = count_renames(&make(&all), &t.path().join("grow.log"));
    let shrink = count_renames(&make(&small), &t.path().join("shrink.log"));
    let mut kills = 0;
    let runs = [(&all, &grow, 2), (&small, &shrink, sources().len())];
    for (list, counts, before) in runs {
        for (kind, total) in counts {
            let total = *total;
            for k in kill_points(total, 4, 12) {
                kill_at_rename(&make(list), kind, k);
                kills += 1;
                let repo = buildroot_core::rpmmd::load_repo(
                    &buildroot_core::rpmmd::RepoSpec::new("r", out.to_str().unwrap()),
                    &Default::default(),
                )
                .unwrap_or_else(|e| panic!("killed at {kind} {k}/{total}: {e}"));
                for p in &repo.packages {
                    buildroot_core::srpm::read_header(&out.join(&p.location))
                        .unwrap_or_else(|e| panic!("killed at {kind} {k}/{total}: {e}"));
                }
                if let Some(n) = dnf_package_count(&out) {
                    assert!(
                        n == before || n == repo.packages.len(),
                        "killed at {kind} {k}/{total}: dnf sees {n} packages"
                    );
                }
                // Back to the state before the change for the next kill.
                let back = if list == &all { &small } else { &all };
                assert!(make(back).status().unwrap().success());
            }
        }
    }
    // Both runs swap the repodata, and the growing one links SRPMs in too.
    assert!(kills > 3, "{kills} kills; renames: {grow:?}, {shrink:?}");
    eprintln!("{kills} kills at renames (growing run: {grow:?}, shrinking: {shrink:?})");
}

#[test]
fn killed_at_each_rename_generator_keeps_the_previous_output_dir() {
    if !have_strace() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let make = || generator_into(&out);
    assert!(make().status().unwrap().success());
    let want: Vec<(String, Vec<u8>)> = walk(&out)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap();
            (f, bytes)
        })
        .collect();
    let counts = count_renames(&make(), &t.path().join("gen.log"));
    let points = counts.iter().flat_map(|(kind, total)| {
        kill_points(*total, 3, 10)
            .into_iter()
            .map(move |k| (kind, k, *total))
    });
    for (kind, k, total) in points {
        kill_at_rename(&make(), kind, k);
        let mut now: Vec<String> = walk(&out);
        now.sort();
        let mut names: Vec<String> = want.iter().map(|(f, _)| f.clone()).collect();
        names.sort();
        assert_eq!(now, names, "killed at {kind} {k}/{total}");
        for (f, bytes) in &want {
            assert_eq!(
                &std::fs::read(f).unwrap(),
                bytes,
                "{f} after a kill at rename {k}"
            );
        }
    }
}

/// SIGTERM, SIGINT (Ctrl-C) or SIGHUP (a dropped ssh session) while the
/// output directory is staged: the
/// stage is removed before the signal ends the run, which ends by that
/// signal, and the earlier output stays (audit D17: `.out.new-*` was left).
/// strace delivers the signal at the commit's `syncfs`, the last moment
/// before the swap. A stage that SIGKILL leaves there, the next run into the
/// same output removes.
#[test]
fn interrupted_generator_removes_its_stage() {
    use std::os::unix::process::ExitStatusExt;
    if !have_strace() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    assert!(generator_into(&out).status().unwrap().success());
    let want = walk(&out)
        .into_iter()
        .map(|f| (std::fs::read(&f).unwrap(), f))
        .collect::<Vec<_>>();
    let signal_at_syncfs = |sig: &str| signal_at_syncfs(&generator_into(&out), sig);
    for (sig, number) in [
        ("SIGTERM", libc::SIGTERM),
        ("SIGINT", libc::SIGINT),
        ("SIGHUP", libc::SIGHUP),
    ] {
        let status = signal_at_syncfs(sig);
        assert_eq!(status.signal(), Some(number), "{sig}: {status:?}");
        assert_eq!(dir_names(t.path()), ["out"], "{sig}: the stage is left");
        for (bytes, f) in &want {
            assert_eq!(&std::fs::read(f).unwrap(), bytes, "{sig}: {f} changed");
        }
    }
    assert_eq!(signal_at_syncfs("SIGKILL").signal(), Some(libc::SIGKILL));
    assert_eq!(dir_names(t.path()).len(), 2, "SIGKILL leaves the stage");
    assert!(generator_into(&out).status().unwrap().success());
    assert_eq!(dir_names(t.path()), ["out"], "the next run removes it");
}

/// Runs `cmd` under strace, which sends it `sig` at its first `syncfs`: the
/// commit of a staged output, just before the swap.
fn signal_at_syncfs(cmd: &Command, sig: &str) -> std::process::ExitStatus {
    let inject = format!("inject=syncfs:signal={sig}:when=1");
    under_strace(
        cmd,
        &["-o", "/dev/null", "-e", "trace=syncfs", "-e", &inject],
    )
}

/// compose-view's `--output-dir` and fetch-compose's `--out`, staged the
/// same way, are cleaned up the same way on SIGTERM.
#[test]
fn interrupted_list_tools_remove_their_stage() {
    use std::os::unix::process::ExitStatusExt;
    if !have_strace() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let published = t.path().join("published");
    std::fs::create_dir(&published).unwrap();
    for list in ["binary", "source"] {
        let f = format!("view-{list}-package-name-list--view-eln--x86_64.txt");
        std::fs::write(published.join(f), "bash\nglibc").unwrap();
    }
    let mut view = std_cmd(Tool::ComposeView);
    view.current_dir(root())
        .args([
            "--configs",
            "testdata/content-resolver",
            "--view",
            "view-fixture",
            "-q",
        ])
        .args(["--repo-override", "fixture=testdata/repos/$basearch"])
        .args(["--repo-override", "extras=testdata/repos/extras/$basearch"])
        .arg("--output-dir")
        .arg(t.path().join("out/cv"));
    let mut fetch = std_cmd(Tool::FetchCompose);
    fetch
        .arg("--url")
        .arg(&published)
        .args(["--view", "eln", "--arch", "x86_64", "--out"])
        .arg(t.path().join("out/fc"));
    for (name, cmd) in [("cv", &view), ("fc", &fetch)] {
        let status = signal_at_syncfs(cmd, "SIGTERM");
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{name}: {status:?}");
        assert_eq!(
            dir_names(&t.path().join("out")),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

/// A second create-srpm-repos into a repo another is writing (cron's and one
/// by hand) stops at once with one line, leaving the live run's temp files
/// and backups alone: it would remove them as a killed run's leftovers.
#[test]
fn a_second_create_srpm_repos_into_a_repo_being_written_is_refused() {
    use std::os::fd::AsRawFd;
    let t = tempfile::tempdir().unwrap();
    let (cache, archful) = fill_cache(t.path());
    let out = t.path().join("repo");
    let list = t.path().join("list.txt");
    std::fs::write(&list, "libjpeg-turbo\nzlib\n").unwrap();
    let first = srpm_repo_command(&cache, &archful, &out, &list).status();
    assert!(first.unwrap().success());
    // The live run: its lock on the directory, its backup of a replaced SRPM.
    let live = std::fs::File::open(&out).unwrap();
    // SAFETY: `live` is an open descriptor for the call's duration.
    assert_eq!(
        unsafe { libc::flock(live.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
        0
    );
    let backup = out.join(".tmp-prev-zlib-1.2.13-1.eln150.src.rpm");
    std::fs::write(&backup, "the live run's backup").unwrap();
    let second = srpm_repo_command(&cache, &archful, &out, &list)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert_eq!(
        err.trim_end(),
        format!(
            "create-srpm-repos: {}: another create-srpm-repos run is writing this repository; \
             try again once it is done",
            out.display()
        )
    );
    assert!(backup.is_file(), "the live run's backup was removed");
    drop(live);
    assert!(srpm_repo_command(&cache, &archful, &out, &list)
        .status()
        .unwrap()
        .success());
    assert!(
        !backup.exists(),
        "with no run behind it, a leftover is removed"
    );
}
