//! SIGINT (Ctrl-C) or SIGTERM in the middle of a download: the temp file
//! the download was writing into the cache (`.tmpXXXXXX`) is removed
//! before the signal ends the run, as the atomic writes' temp files are
//! (`atomic::on_signal`), and the run ends by that signal (a shell shows
//! 130 or 143). They used to stay until a later run's sweep removed them,
//! an hour on. A server that sends half a file and then nothing
//! (`Fault::Stall`) holds the download in place until the signal.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli_tests::http_support::{Fault, Server};
use cli_tests::{pty, root, std_cmd, Tool};

/// The download temp files under `dir` (any depth): `.tmp` and 6 more.
fn temps(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(temps(&p));
        } else if e.file_name().to_string_lossy().starts_with(".tmp") {
            out.push(p);
        }
    }
    out
}

/// Runs `cmd` with `stdin` until the server has been asked for a path
/// ending in `suffix` (which stalls) and a temp file is in `cache`, then
/// sends it `sig`; returns how it ended.
fn interrupted(
    mut cmd: Command,
    stdin: &str,
    server: &Server,
    suffix: &str,
    cache: &Path,
    sig: libc::c_int,
) -> std::process::ExitStatus {
    use std::io::Write;
    server.clear_log();
    server.clear_faults();
    server.fault(suffix, Fault::Stall, None);
    // SIGINT back to its default: a test run started as a background job
    // inherits it ignored, and the tools keep an ignored SIGINT ignored.
    // SAFETY: signal(2) is async-signal-safe, as pre_exec requires.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut child = cmd
        .env("RPM_BUILDROOT_HTTP_TIMEOUT", "300")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        if !server.requests_for(suffix).is_empty() && !temps(cache).is_empty() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("ended before the download of {suffix} was under way: {status:?}");
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no download of {suffix} under way after 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) of our own child, still running (not reaped).
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    let status = pty::wait_or_kill(&mut child, pty::DEADLINE, "the interrupted run");
    server.clear_faults();
    status
}

/// Metadata (the repos' primary.xml, buildroot-generator's) and an SRPM
/// (identify-archful-srpms' `--cache`), on either signal.
#[test]
fn a_signal_mid_download_leaves_no_temp_file() {
    let t = tempfile::tempdir().unwrap();
    let server = Server::start(root().join("testdata/repos"));
    for (name, sig) in [("SIGINT", libc::SIGINT), ("SIGTERM", libc::SIGTERM)] {
        let cache = t.path().join(format!("gen-{name}"));
        let mut gen = std_cmd(Tool::Generator);
        gen.args(["-q", "--arch", "x86_64", "--repo"])
            .arg(format!("main={}/x86_64", server.base))
            .arg("--source-repo")
            .arg(format!("src={}/source", server.base))
            .arg("--cache-dir")
            .arg(&cache);
        let status = interrupted(gen, "hello\n", &server, "-primary.xml.gz", &cache, sig);
        assert_eq!(status.signal(), Some(sig), "generator, {name}: {status:?}");
        assert_eq!(temps(&cache), Vec::<PathBuf>::new(), "generator, {name}");

        let cache = t.path().join(format!("srpms-{name}"));
        let mut identify = std_cmd(Tool::IdentifyArchful);
        identify
            .args([
                "-q",
                "--no-repo-macros",
                "--arch",
                "x86_64",
                "--source-repo",
            ])
            .arg(format!("src={}/source/", server.base))
            .arg("--cache")
            .arg(&cache);
        let status = interrupted(identify, "bash\n", &server, ".src.rpm", &cache, sig);
        assert_eq!(status.signal(), Some(sig), "identify, {name}: {status:?}");
        assert_eq!(temps(&cache), Vec::<PathBuf>::new(), "identify, {name}");
    }
}
