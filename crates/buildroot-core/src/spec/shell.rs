//! `%(command)`: rpm runs it through `/bin/sh -c` (rpm's `doShellEscape`,
//! Fedora's `/bin/sh` being bash: [`shell_argv`];
//! popen) and puts its output, trailing newlines removed, in place of the
//! macro; the exit status is ignored. Specs are code written by thousands of
//! packagers, so here the command runs only inside a bubblewrap sandbox: no
//! network (and no other shared namespace), the system directories (`/usr`,
//! `/etc`, the `/bin` and `/lib` links) read-only, a private empty `/tmp`
//! (and `/var/tmp`) as working and home directory and the only writable
//! places, nothing else of the host (no `/home`,
//! `/root`, `/var`, `/work`), a clean environment, killed with its whole
//! process tree after [`TIME_LIMIT`] or once it has written more than
//! [`OUTPUT_LIMIT`] bytes.
//!
//! Whether the sandbox works is probed once per process
//! (`RPM_BUILDROOT_SANDBOX=off` in the environment says it does not). Without it the
//! command is not run and the expansion fails (the spec gets a problem),
//! unless the user trusts the specs (`--trust-specs`): then it runs as a
//! plain `/bin/sh -c` with the same limits but no isolation.
//!
//! Within one run the output of a command is cached by its text (the
//! environment is fixed), so four target arches cost one run; sandboxes are
//! kept for the next command and cleaned between commands (`shell_pool`).

use std::collections::HashMap;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::shell_pool::{Answer, Pool};

/// Wall time one command may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(5);
/// Output one command may write.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// A command's output, or why there is none.
type Outcome = Result<Vec<u8>, String>;

/// How `%(...)` commands are run.
#[derive(Debug)]
pub struct Shell {
    trusted: bool,
    cache: Mutex<HashMap<Vec<u8>, Outcome>>,
    pool: Pool,
}

const PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

/// The bubblewrap command line around `sh -c`.
fn bwrap(bwrap: &str) -> Command {
    let mut c = Command::new(bwrap);
    c.args([
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind-try",
        "/etc",
        "/etc",
    ]);
    for d in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
        match std::fs::read_link(d) {
            Ok(target) => {
                c.arg("--symlink").arg(target).arg(d);
            }
            Err(_) => {
                c.args(["--ro-bind-try", d, d]);
            }
        }
    }
    c.args([
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/var/tmp",
        "--remount-ro",
        "/",
        "--remount-ro",
        "/dev",
        "--chdir",
        "/tmp",
        "--clearenv",
        "--setenv",
        "PATH",
        PATH,
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LC_ALL",
        "C",
        "--",
    ]);
    c.args(shell_argv()).arg("-c");
    c
}

/// The shell `%(...)` runs in: rpm runs `/bin/sh`, which is bash on Fedora
/// (in POSIX mode, bash's extensions such as `${v,,}`, `${v:0:7}` and
/// `<<<` working); so bash in POSIX mode where installed, else `/bin/sh`
/// (Debian's dash lacks them).
pub(super) fn shell_argv() -> &'static [&'static str] {
    static ARGV: OnceLock<Vec<&'static str>> = OnceLock::new();
    ARGV.get_or_init(|| {
        match ["/bin/bash", "/usr/bin/bash"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
        {
            Some(b) => vec![b, "--posix"],
            None => vec!["/bin/sh"],
        }
    })
}

/// Whether the sandbox works here: `Ok(bwrap path)` or why not.
fn probe() -> &'static Result<String, String> {
    static PROBE: OnceLock<Result<String, String>> = OnceLock::new();
    PROBE.get_or_init(|| {
        if std::env::var_os("RPM_BUILDROOT_SANDBOX").is_some_and(|v| v == "off") {
            return Err("turned off by RPM_BUILDROOT_SANDBOX=off".into());
        }
        let exe = ["/usr/bin/bwrap", "/bin/bwrap"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .ok_or_else(|| "bubblewrap (bwrap) is not installed".to_string())?;
        let mut c = bwrap(exe);
        c.arg("echo sandbox-ok");
        match run_limited(c, false) {
            Ok(out) if out == b"sandbox-ok\n" => Ok(exe.to_string()),
            Ok(_) => Err("bwrap cannot start a sandbox here".into()),
            Err(e) => Err(format!("bwrap cannot start a sandbox here: {e}")),
        }
    })
}

/// Why `%(...)` cannot be sandboxed on this machine, if it cannot.
pub fn sandbox_unavailable() -> Option<String> {
    probe().as_ref().err().cloned()
}

impl Shell {
    pub fn new(trusted: bool) -> Shell {
        Shell {
            trusted,
            cache: Mutex::new(HashMap::new()),
            pool: Pool::default(),
        }
    }

    /// Runs `cmd`, or says why it was not run or failed.
    pub fn run(&self, cmd: &[u8]) -> Result<Vec<u8>, String> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(cmd).cloned()) {
            return hit;
        }
        let cmd_text = String::from_utf8_lossy(cmd).into_owned();
        let res = match probe() {
            Ok(exe) => {
                // A kept sandbox when the command can go through one (no
                // NUL, within the one-shot's argument size).
                let kept = if cmd.contains(&0) || cmd.len() > 64 << 10 {
                    Answer::Retry
                } else {
                    self.pool.run(cmd, || bwrap(exe))
                };
                match kept {
                    Answer::Output(o) => Ok(o),
                    Answer::Limit(why) => Err(why),
                    Answer::Retry => {
                        let mut c = bwrap(exe);
                        c.arg(&cmd_text);
                        run_limited(c, false)
                    }
                }
            }
            Err(why) if self.trusted => {
                let _ = why;
                let argv = shell_argv();
                let mut c = Command::new(argv[0]);
                c.args(&argv[1..])
                    .arg("-c")
                    .arg(&cmd_text)
                    .env_clear()
                    .env("PATH", PATH);
                if let Ok(home) = std::env::var("HOME") {
                    c.env("HOME", home);
                }
                run_limited(c, true)
            }
            Err(why) => Err(format!(
                "shell expansion not run: no sandbox ({why}); --trust-specs runs it unsandboxed"
            )),
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(cmd.to_vec(), res.clone());
        }
        res
    }
}

/// Runs `c` with stdin from /dev/null, stderr dropped, stdout captured up
/// to [`OUTPUT_LIMIT`], killed at [`TIME_LIMIT`]. `group`: the command gets
/// a process group of its own, killed whole (the sandbox kills its own tree).
fn run_limited(mut c: Command, group: bool) -> Result<Vec<u8>, String> {
    use std::os::unix::process::CommandExt;
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if group {
        c.process_group(0);
    }
    let mut child = c.spawn().map_err(|e| format!("cannot start: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let r = (&mut stdout)
            .take(OUTPUT_LIMIT as u64 + 1)
            .read_to_end(&mut buf);
        let _ = tx.send(());
        (r, buf)
    });
    let deadline = Instant::now() + TIME_LIMIT;
    let kill = |child: &mut Child| {
        if group {
            // SAFETY: kill(2) on the group we created for the child.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    };
    let read_done = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
    if read_done.is_err() {
        kill(&mut child);
        let _ = reader.join();
        return Err(format!(
            "killed after {} s (time limit)",
            TIME_LIMIT.as_secs()
        ));
    }
    let (r, buf) = reader
        .join()
        .map_err(|_| "output reader failed".to_string())?;
    if buf.len() > OUTPUT_LIMIT {
        kill(&mut child);
        return Err(format!("killed: more than {OUTPUT_LIMIT} bytes of output"));
    }
    r.map_err(|e| format!("reading its output: {e}"))?;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            _ => {
                kill(&mut child);
                return Err(format!(
                    "killed after {} s (time limit)",
                    TIME_LIMIT.as_secs()
                ));
            }
        }
    }
    if group {
        // Whatever the command left behind in its group goes too.
        // SAFETY: as above.
        unsafe {
            libc::kill(-(child.id() as i32), libc::SIGKILL);
        }
    }
    Ok(buf)
}
