//! Waiting for a tool run on a pseudo-terminal (under util-linux's `script`)
//! with a deadline. A plain `wait()` or `output()` on such a child has none:
//! a tool that hangs there (a read of the terminal nothing ends, a lock never
//! released) would hang the whole `make test`. Past the deadline the child is
//! killed and the test fails, naming what hung. The deadline is generous, as
//! the CI machine is loaded (docs/testing.md): only a hang reaches it.
//!
//! `script` runs the tool in a session (and process group) of its own, so
//! killing `script` reaches the tool only through the hangup of the closed
//! terminal, a SIGHUP that a tool ignoring it survives (`nohup make test`
//! passes that on): the tool's process group is killed first. (The tool
//! holds the terminal, not the test's pipes: `output_or_kill`'s readers end
//! with `script` either way; a surviving tool was an orphan, not a hang.)

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for a tool on a pseudo-terminal: far above the
/// seconds any such run takes, even on a loaded machine.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// `script -q -e -c SHELL_COMMAND TYPESCRIPT`: util-linux's `script` runs
/// the shell command on a pseudo-terminal of its own (quiet, passing on the
/// command's exit status), so a tool under it sees a terminal on its
/// standard streams; what it shows comes on `script`'s standard output. The
/// tool gets the test's own cache home ([`crate::cache_home`]).
pub fn script(shell_command: &str, typescript: &std::path::Path) -> Command {
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", shell_command])
        .arg(typescript)
        .env("XDG_CACHE_HOME", crate::cache_home());
    cmd
}

/// Waits for `child` for at most `limit`. A child still running then is
/// killed (SIGKILL), with the process groups of its own children (the tool
/// under `script` and what it started), and reaped, and the calling test
/// fails with a message naming `what`.
pub fn wait_or_kill(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if Instant::now() >= deadline {
            kill_groups_of_children(child.id());
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: still running after {} s (hung?); killed",
                limit.as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends SIGKILL to the process group of every child of `parent`, except
/// the test's own group (a child that did not leave it, as one not run
/// under `script`, is killed by [`Child::kill`] alone).
fn kill_groups_of_children(parent: u32) {
    // SAFETY: getpgrp has no preconditions.
    let own = unsafe { libc::getpgrp() };
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let Ok(stat) = std::fs::read_to_string(p.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| fields.get(i).and_then(|f| f.parse::<i32>().ok());
        if let (Some(ppid), Some(pgrp)) = (num(1), num(2)) {
            if u32::try_from(ppid) == Ok(parent) && pgrp > 1 && pgrp != own {
                // SAFETY: kill with a negative pid signals that group only.
                unsafe { libc::kill(-pgrp, libc::SIGKILL) };
            }
        }
    }
}

/// `cmd.output()` with [`wait_or_kill`]'s deadline: stdin is null (as for
/// `output()`), stdout and stderr are collected on threads while the child
/// runs, so a full pipe never blocks it.
pub fn output_or_kill(cmd: &mut Command, limit: Duration, what: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let collect = |r: Option<Box<dyn Read + Send>>| {
        let mut r = r.expect("a piped stream");
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = r.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = collect(child.stdout.take().map(|s| Box::new(s) as _));
    let stderr = collect(child.stderr.take().map(|s| Box::new(s) as _));
    let status = wait_or_kill(&mut child, limit, what);
    Output {
        status,
        stdout: stdout.join().expect("the stdout reader"),
        stderr: stderr.join().expect("the stderr reader"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command on a pseudo-terminal that never ends is killed at the
    /// deadline and fails the test with a message, instead of hanging it;
    /// one that ends in time gives its status and output.
    #[test]
    fn a_hanging_terminal_run_is_killed_at_the_deadline() {
        if !crate::has_script() {
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let typescript = t.path().join("typescript");
        let mut child = script("sleep 600", &typescript)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        let start = Instant::now();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            wait_or_kill(
                &mut child,
                Duration::from_millis(500),
                "sleep on a terminal",
            )
        }))
        .expect_err("the hung run fails the test");
        let msg = failed.downcast_ref::<String>().unwrap();
        assert_eq!(
            msg,
            "sleep on a terminal: still running after 0.5 s (hung?); killed"
        );
        // Well before the sleep's end, and the child is gone (reaped).
        assert!(start.elapsed() < Duration::from_secs(300));
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());

        let mut cmd = script("echo shown; exit 3", &typescript);
        let out = output_or_kill(&mut cmd, DEADLINE, "echo on a terminal");
        assert_eq!(out.status.code(), Some(3));
        assert!(String::from_utf8_lossy(&out.stdout).contains("shown"));
    }

    /// The tool under `script` goes with it at the deadline, even one that
    /// ignores SIGHUP (the hangup of its terminal is all that reached it
    /// when only `script` was killed): no orphan outlives the test.
    #[test]
    fn the_tool_under_script_is_killed_with_it() {
        if !crate::has_script() {
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let pidfile = t.path().join("pid");
        let cmd = format!(
            "trap '' HUP; echo $$ > {}.tmp; mv {0}.tmp {0}; exec sleep 600",
            pidfile.display()
        );
        let mut child = script(&cmd, &t.path().join("typescript"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let shown = Instant::now() + DEADLINE;
        while !pidfile.exists() && Instant::now() < shown {
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            wait_or_kill(&mut child, Duration::from_millis(100), "sleep")
        }));
        assert!(failed.is_err());
        // Gone, or a zombie its new parent has not reaped yet.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| !s.rsplit_once(')').unwrap().1.trim_start().starts_with('Z'))
        };
        let gone_by = Instant::now() + Duration::from_secs(60);
        while alive() && Instant::now() < gone_by {
            std::thread::sleep(Duration::from_millis(20));
        }
        let orphan = alive();
        if orphan {
            // SAFETY: kill of the orphan this test made.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        assert!(!orphan, "the tool under script (pid {pid}) outlived it");
    }
}
