//! Sandboxes kept for the next `%(...)`: starting a bubblewrap sandbox
//! (namespaces, mounts) costs several times what a short command such as
//! `%(echo %{version} | cut -d. -f1)` costs, and a corpus of specs runs
//! thousands of them. So a sandbox (`shell::bwrap`, the same one) runs a
//! small shell loop that reads commands and runs each with the command
//! shell's `-c` (`shell::shell_argv`), as a fresh sandbox would: working directory `/tmp`, the
//! sandbox's clean environment, stdin from /dev/null, stderr dropped.
//!
//! Between commands the sandbox is made as it was: every process the
//! command left is killed (`kill -9 -1` in the sandbox's PID namespace),
//! and a sandbox whose `/tmp` or `/var/tmp` is not empty again, or that
//! holds System V IPC objects, is not used again (the rest of its file
//! system is read-only). Each command's output is framed by a random token
//! the command cannot know; anything unexpected (the loop killed or
//! confused by the command, a framing that does not match) ends that
//! sandbox and the command is run again in a fresh one-shot sandbox, so the
//! answer never depends on what ran before. Time and output limits are the
//! one-shot sandbox's: the sandbox is killed.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::shell::{shell_argv, OUTPUT_LIMIT, TIME_LIMIT};

/// The loop run in the sandbox: `TOKEN ESCAPED-COMMAND` per line (the
/// command with `printf %b` escapes); answers `TOKEN\n`, the output,
/// `\nTOKEN CLEAN\n` (CLEAN 1 when the sandbox may be used again).
const SERVER: &str = r#"while read -r t c; do
printf '%s\n' "$t"
x=$(printf '%b_' "$c"); x=${x%_}
"$@" -c "$x" </dev/null 2>/dev/null
kill -9 -1 2>/dev/null
k=1
for f in /tmp/* /tmp/.[!.]* /tmp/..?* /var/tmp/* /var/tmp/.[!.]* /var/tmp/..?*; do
if [ -e "$f" ] || [ -L "$f" ]; then k=0; fi
done
for f in /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg; do
{ read -r h; if read -r h; then k=0; fi; } < "$f" 2>/dev/null
done
printf '\n%s %s\n' "$t" "$k"
done"#;

/// Idle sandboxes kept at most.
const KEEP: usize = 8;

/// One running sandbox loop.
struct Server {
    child: Child,
    stdin: ChildStdin,
    /// Chunks of its stdout (an empty chunk: end of file).
    out: Receiver<Vec<u8>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a kept sandbox answered.
pub(super) enum Answer {
    /// The command's output.
    Output(Vec<u8>),
    /// It hit a limit (the message the one-shot sandbox gives).
    Limit(String),
    /// No answer from a kept sandbox: run it in a fresh one.
    Retry,
}

/// Kept sandboxes.
#[derive(Debug, Default)]
pub(super) struct Pool {
    idle: Mutex<Vec<ServerBox>>,
}

/// `Server` is not `Debug`.
struct ServerBox(Server);

impl std::fmt::Debug for ServerBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sandbox {}", self.0.child.id())
    }
}

/// A token no command can guess.
fn token() -> String {
    static SEED: OnceLock<RandomState> = OnceLock::new();
    static N: AtomicU64 = AtomicU64::new(0);
    let mut h = SEED.get_or_init(RandomState::new).build_hasher();
    h.write_u64(N.fetch_add(1, Ordering::Relaxed));
    let a = h.finish();
    h.write_u64(a);
    format!("{a:016x}{:016x}", h.finish())
}

/// `cmd` as one line `printf %b` turns back into it.
fn escape(cmd: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cmd.len() * 2);
    for &c in cmd {
        if c.is_ascii_alphanumeric() || b"_.,/=+-:".contains(&c) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("\\0{c:03o}").as_bytes());
        }
    }
    out
}

impl Pool {
    /// Runs `cmd` in a kept sandbox (`sandbox` makes the bubblewrap
    /// command line ending in `sh -c`).
    pub(super) fn run(&self, cmd: &[u8], sandbox: impl FnOnce() -> Command) -> Answer {
        let server = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut server = match server {
            Some(ServerBox(s)) => s,
            None => match start(sandbox()) {
                Some(s) => s,
                None => return Answer::Retry,
            },
        };
        let t = token();
        let mut line = format!("{t} ").into_bytes();
        line.extend_from_slice(&escape(cmd));
        line.push(b'\n');
        if server
            .stdin
            .write_all(&line)
            .and_then(|()| server.stdin.flush())
            .is_err()
        {
            return Answer::Retry;
        }
        let head = format!("{t}\n").into_bytes();
        let tails = [format!("\n{t} 1\n"), format!("\n{t} 0\n")];
        let deadline = Instant::now() + TIME_LIMIT;
        let mut buf = Vec::new();
        loop {
            match server
                .out
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(chunk) if chunk.is_empty() => return Answer::Retry,
                Ok(chunk) => buf.extend_from_slice(&chunk),
                Err(RecvTimeoutError::Timeout) => {
                    return Answer::Limit(format!(
                        "killed after {} s (time limit)",
                        TIME_LIMIT.as_secs()
                    ))
                }
                Err(RecvTimeoutError::Disconnected) => return Answer::Retry,
            }
            if !head.starts_with(&buf[..buf.len().min(head.len())]) {
                return Answer::Retry;
            }
            if buf.len() > head.len() + OUTPUT_LIMIT + tails[0].len() {
                return Answer::Limit(format!("killed: more than {OUTPUT_LIMIT} bytes of output"));
            }
            let Some(clean) = tails.iter().position(|e| buf.ends_with(e.as_bytes())) else {
                continue;
            };
            let out = buf[head.len()..buf.len() - tails[0].len()].to_vec();
            if out.len() > OUTPUT_LIMIT {
                return Answer::Limit(format!("killed: more than {OUTPUT_LIMIT} bytes of output"));
            }
            if clean == 0 {
                if let Ok(mut v) = self.idle.lock() {
                    if v.len() < KEEP {
                        v.push(ServerBox(server));
                    }
                }
            }
            return Answer::Output(out);
        }
    }
}

/// Starts the loop in the sandbox `c`.
fn start(mut c: Command) -> Option<Server> {
    // The loop gets the command shell as its arguments (`"$@" -c CMD`).
    c.arg(SERVER)
        .arg("server")
        .args(shell_argv())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().ok()?;
    let stdin = child.stdin.take()?;
    let mut stdout = child.stdout.take()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut b = vec![0u8; 64 << 10];
        loop {
            match stdout.read(&mut b) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Vec::new());
                    return;
                }
                Ok(n) => {
                    if tx.send(b[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    Some(Server {
        child,
        stdin,
        out: rx,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_one_line() {
        let e = escape(b"echo 'a\nb' | tr a-z A-Z; x=$((1+2))");
        assert!(!e.contains(&b'\n'));
        assert!(!e.contains(&b' '));
        assert!(e.starts_with(b"echo\\0040\\0047a\\0012b"));
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(token(), token());
        assert_eq!(token().len(), 32);
    }
}
