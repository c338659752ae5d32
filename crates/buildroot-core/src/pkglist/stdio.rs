//! The standard streams of the list tools: a note when a list is read
//! from a terminal, one list at most from stdin, `-` refused where it would
//! name a file, and [`Stdout`], a standard output whose write errors name it
//! and whose reader going away (`tool | head`) ends the output quietly.
//! No upstream function is mirrored: these follow what coreutils' `sort`
//! and `cat` do with the same streams (a write error naming "standard
//! output", as sort's does; cat started with stdout closed says "standard
//! output: Bad file descriptor").
//!
//! Separate from the list format ([`super`]) because it is about the
//! process's descriptors, not about what a line means.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Set by `--quiet` ([`quiet_terminal_note`]).
static TERMINAL_NOTE_QUIET: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// `--quiet`: no [`note_if_terminal`] note.
pub fn quiet_terminal_note() {
    TERMINAL_NOTE_QUIET.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Says on stderr, when stdin is a terminal, that `what` is being read from
/// it: a tool started without its input file otherwise waits in silence,
/// as if it hung (`sort` does; a user of these tools expects a file).
pub fn note_if_terminal(what: &str) {
    use std::io::IsTerminal;
    if !TERMINAL_NOTE_QUIET.load(std::sync::atomic::Ordering::Relaxed)
        && std::io::stdin().is_terminal()
    {
        // `PROGRAM: note: ...`, as every other line a tool prints on stderr
        // (and dropped, not a panic, when stderr is closed).
        let prog = crate::cli::program_name();
        crate::diag!(
            "{prog}: note: reading {what} from the terminal; end it with Ctrl-D (or give a file: \
             see --help)"
        );
    }
}

/// Refuses a run that would read two lists from stdin (`-`): the first
/// reader takes all of it and the next one finds an empty list, so the
/// run would "succeed" with a wrong answer. `lists` are the lists a run
/// reads, each as (the option or argument that names it, its path); the
/// error names the first two that are `-`. Every tool calls this before it
/// reads any list.
pub fn one_list_from_stdin<'a>(lists: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<()> {
    let readers: Vec<&str> = lists
        .into_iter()
        .filter(|(_, path)| *path == "-")
        .map(|(option, _)| option)
        .collect();
    match readers[..] {
        [first, second, ..] => Err(Error::Usage(format!(
            "only one list can be read from stdin ('-'), but {first} and {second} both read it"
        ))),
        _ => Ok(()),
    }
}

/// Refuses `-` for an option that writes `what` (a file, a directory):
/// `-` means stdin or stdout to every list option, and a file or directory
/// named `-` in the working directory is never what was meant. `instead`
/// says where the output goes or what to do (`./-` still names one `-`).
pub fn not_stdout(option: &str, path: Option<&Path>, what: &str, instead: &str) -> Result<()> {
    if path.is_some_and(|p| p.as_os_str() == "-") {
        return Err(Error::Usage(format!(
            "{option} -: names {what}, not stdout ({instead}; ./- names one called '-')"
        )));
    }
    Ok(())
}

/// Whether descriptor 1 was closed when the process started (`tool >&-`).
/// Rust's start-up code puts `/dev/null` on a closed standard descriptor
/// before `main` runs, so a tool's writes would then vanish and it would
/// exit 0 as if it had printed its list; the descriptor is looked at
/// earlier, from the ELF constructors (`.init_array`), which run before
/// that. Linux only (elsewhere: never).
static STDOUT_CLOSED_AT_START: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = {
    extern "C" fn note() {
        // SAFETY: F_GETFD only asks about the descriptor.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            STDOUT_CLOSED_AT_START.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    note
};

/// Whether the tool was started with standard output closed (`tool >&-`):
/// whatever it prints is lost, which [`Stdout`] reports as a write error.
pub fn stdout_closed_at_start() -> bool {
    STDOUT_CLOSED_AT_START.load(std::sync::atomic::Ordering::Relaxed)
}

/// A tool's standard output: write errors name it (`standard output: No
/// space left on device`; `Bad file descriptor` when the tool was started
/// with it closed, as `cat` and bash's `echo` report it), and a reader that
/// went away (`tool | head`) is not an error: the rest of the output is
/// discarded, and the tool exits as it would have (ripgrep's choice too). Buffered in blocks, not
/// lines (Rust's own stdout writes each line on its own: 173k `write`
/// calls for one `--json` report); callers flush at the end, and a drop
/// flushes what is left.
pub struct Stdout {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Stdout {
    /// Locks standard output for the rest of the run.
    pub fn lock() -> Stdout {
        Stdout {
            out: std::io::BufWriter::with_capacity(64 << 10, std::io::stdout().lock()),
            closed: false,
        }
    }

    fn check<T>(&mut self, r: std::io::Result<T>, ok: T) -> std::io::Result<T> {
        let r = if stdout_closed_at_start() {
            Err(std::io::Error::from_raw_os_error(libc::EBADF))
        } else {
            r
        };
        match r {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(ok)
            }
            Err(e) => Err(std::io::Error::new(
                e.kind(),
                format!("standard output: {e}"),
            )),
            r => r,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.out.write(buf);
        self.check(r, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.out.flush();
        self.check(r, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_list_from_stdin_names_the_first_two() {
        assert!(one_list_from_stdin([("INPUT", "-"), ("--core-file", "core.txt")]).is_ok());
        assert!(one_list_from_stdin([]).is_ok());
        let e = one_list_from_stdin([("INPUT", "-"), ("--a", "x"), ("--b", "-"), ("--c", "-")])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "only one list can be read from stdin ('-'), but INPUT and --b both read it"
        );
    }

    #[test]
    fn not_stdout_takes_dot_slash_dash() {
        assert!(not_stdout("--map", Some(Path::new("./-")), "a file", "x").is_ok());
        assert!(not_stdout("--map", None, "a file", "x").is_ok());
        assert!(not_stdout("--map", Some(Path::new("-")), "a file", "x").is_err());
    }
}
