//! Waiting for a tool run on a pseudo-terminal (under util-linux's `script`)
//! with a deadline. A plain `wait()` or `output()` on such a child has none:
//! a tool that hangs there (a read of the terminal nothing ends, a lock never
//! released) would hang the whole `make test`. Past the deadline the child is
//! killed and the test fails, naming what hung. The deadline is generous, as
//! the CI machine is loaded (docs/testing.md): only a hang reaches it.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for a tool on a pseudo-terminal: far above the
/// seconds any such run takes, even on a loaded machine.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Waits for `child` for at most `limit`. A child still running then is
/// killed (SIGKILL; the tool under `script` loses its terminal with it) and
/// reaped, and the calling test fails with a message naming `what`.
pub fn wait_or_kill(child: &mut Child, limit: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if Instant::now() >= deadline {
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
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c", "sleep 600"])
            .arg(&typescript)
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

        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c", "echo shown; exit 3"])
            .arg(&typescript);
        let out = output_or_kill(&mut cmd, DEADLINE, "echo on a terminal");
        assert_eq!(out.status.code(), Some(3));
        assert!(String::from_utf8_lossy(&out.stdout).contains("shown"));
    }
}
