//! What every tool's command line shares: [`main`] (parsing, exit codes
//! and the one-line errors), [`crate::diag!`], the checks of values several tools
//! take (`--arch`, `--view`, `--core`, `--cache-dir`), and the option
//! groups two or more tools share, each a clap `Args` struct defined once
//! and flattened into every tool that takes it (as uv's crates share
//! theirs), so a shared flag is spelled, documented and read the same way
//! everywhere: [`groups`] (`-q`, `--arch`, `--cache-dir`,
//! `--prefer-release`, `--core`/`--release-package`, the spec-macro
//! options, the SRPM cache, the input list) and [`repos`] (`--repo`,
//! `--source-repo`, `--repofile`, `--dnf-conf`, `--releasever`, turned into
//! [`RepoSpec`](crate::rpmmd::RepoSpec)s as dnf's `--repofrompath`, `--setopt=reposdir` and
//! `--releasever` would give them). Options of one tool stay in its binary.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub mod groups;
pub mod repos;

pub use groups::*;
pub use repos::*;

/// `eprintln!` that never panics: a line for stderr, dropped when stderr is
/// closed or failing (`tool 2>&1 | head -1`, a log pipe that went away).
/// The standard macro panics then, and a tool must not die over its own
/// diagnostics; every tool prints warnings and errors with this one.
#[macro_export]
macro_rules! diag {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr().lock(), $($arg)*);
    }};
}

/// The tool's name, as [`main`] was given it.
static TOOL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The `PROGRAM` of the lines a tool prints on stderr (`PROGRAM: warning:
/// ...`, `PROGRAM: note: ...`): the name its errors carry ([`main`]'s
/// `tool`), else the file name it was started by, else `rpm-buildroot`.
pub fn program_name() -> String {
    if let Some(tool) = TOOL.get() {
        return tool.clone();
    }
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "rpm-buildroot".into())
}

/// A tool's `main`, the same for every tool: parses the options (a usage
/// error exits 2 with clap's message as one line, [`usage_line`]; `--help`
/// and `--version` exit 0, or 2 when standard output does not take them),
/// calls `run`, and exits with its code, or 2 after the error's lines on
/// stderr, each prefixed with `tool: ` (the exit codes the README
/// documents). `run` gets the parsed options; errors are printed with `{:#}`
/// (anyhow's whole chain on one line).
pub fn main<A: clap::Parser, E: std::fmt::Display>(
    tool: &str,
    run: impl FnOnce(A) -> Result<u8, E>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let _ = TOOL.set(tool.to_string());
    let args = match A::try_parse() {
        Ok(a) => a,
        Err(e) if e.use_stderr() => {
            let args: Vec<String> = std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let rendered = with_breaks_escaped(&e.render().to_string(), &args);
            diag!("{tool}: {}", usage_line(&rendered));
            return ExitCode::from(2);
        }
        Err(e) => {
            // --help and --version: stdout, exit 0; not written (`>&-`,
            // `> /dev/full`) is an error and a reader that went away is
            // not, as for any output (`crate::pkglist::Stdout`).
            let printed = if crate::pkglist::stdout_closed_at_start() {
                Err(std::io::Error::from_raw_os_error(libc::EBADF))
            } else {
                e.print()
                    .and_then(|()| std::io::Write::flush(&mut std::io::stdout()))
            };
            return match printed {
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                    let text = crate::error::without_os_error(&err.to_string());
                    diag!("{tool}: standard output: {text}");
                    ExitCode::from(2)
                }
                _ => ExitCode::from(0),
            };
        }
    };
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // An I/O error quoted by a context (anyhow's chain) reads as
            // the library's own do (`crate::error::io_message`).
            let text = crate::error::without_os_error(&format!("{e:#}"));
            for line in text.lines() {
                diag!("{tool}: {line}");
            }
            if text.trim().is_empty() {
                // Never exit 2 without a word.
                diag!("{tool}: failed");
            }
            ExitCode::from(2)
        }
    }
}

/// `rendered` with the line breaks of the arguments it quotes (a value
/// holding a `\n`) written `\n` and `\r`: [`usage_line`] reads clap's lines,
/// and a value's break is not one of them (it would be joined by `; ` as a
/// second message, or cut the line where a line of it starts `Usage:`).
fn with_breaks_escaped(rendered: &str, args: &[String]) -> String {
    let mut out = rendered.to_string();
    for a in args {
        // `--option=VALUE`: clap quotes VALUE.
        let value = match a.split_once('=') {
            Some((o, v)) if o.starts_with('-') => v,
            _ => a.as_str(),
        };
        for v in [a.as_str(), value] {
            // Quoted, as clap quotes it: a value of only a line break must
            // not stand for clap's own line breaks.
            if v.contains(['\n', '\r']) {
                let shown = v.replace('\n', "\\n").replace('\r', "\\r");
                out = out.replace(&format!("'{v}'"), &format!("'{shown}'"));
            }
        }
    }
    out
}

/// clap's usage error (`error: ...`, its tips, the usage and a pointer to
/// `--help`, over several lines) as the one line the tools print for every
/// other error: the message, the lines that belong to it (a list after a
/// line ending in `:` joined by `, `, a tip after `; `), then
/// `(try '--help')`. The usage line is left out: it says nothing a user who
/// mistyped an option needs, and `--help` shows it.
pub fn usage_line(rendered: &str) -> String {
    let mut line = String::new();
    let mut listing = false;
    for l in rendered.lines() {
        let l = l.trim();
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            break;
        }
        if l.is_empty() {
            listing = false;
            continue;
        }
        let l = l.strip_prefix("error: ").unwrap_or(l);
        // `[possible values: a, b]`: the list, without clap's brackets.
        let l = l
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or(l);
        if line.is_empty() {
            line.push_str(l);
        } else if line.ends_with(':') {
            line.push(' ');
            line.push_str(l);
            listing = true;
        } else if listing && !l.starts_with("tip:") {
            line.push_str(", ");
            line.push_str(l);
        } else {
            line.push_str("; ");
            line.push_str(l);
        }
    }
    if line.is_empty() {
        line.push_str("bad usage");
    }
    line.push_str(" (try '--help')");
    line
}

/// `--quiet`: the notes of repository downloads (a wait for another
/// run's) and the warnings about the repo files' settings are dropped, and
/// so is the note that a list is read from the terminal
/// ([`crate::pkglist::note_if_terminal`]). The warnings of
/// repository loading are kept (`PROGRAM: warning: repo 'ID' skipped
/// (skip_if_unavailable=1): ...`, or its groups alone left out): the answer
/// is then computed without that repo, and a script that asked for quiet
/// must still be able to tell, as dnf says "Ignoring repositories" whatever
/// its verbosity ([`crate::rpmmd::set_warning_handler`]).
pub fn quiet_repo_notes() {
    crate::rpmmd::set_warning_handler(Some(std::sync::Arc::new(|kind: &str, msg: &str| {
        if kept_under_quiet(kind) {
            let prog = program_name();
            let kind = crate::rpmmd::kind_label(kind);
            crate::diag!("{prog}: {kind}: {msg}");
        }
    })));
    crate::pkglist::quiet_terminal_note();
}

/// Whether `-q` keeps a line of repository loading of `kind`: the repo
/// left out (or its groups), told by its kind, not a setting ignored as
/// dnf ignores it (`timeout=soon`) nor a wait, which -q hides. The kept
/// lines are those the workflow's record of skipped repos reads. They were
/// told by their words (`repo '...` and `(skip_if_unavailable=1)`), which
/// another warning could hold too: a metalink that fails, its baseurl
/// used without it, whose URL or error quotes those words.
fn kept_under_quiet(kind: &str) -> bool {
    kind == crate::rpmmd::REPO_SKIPPED
}

/// The cache directory of a run: `--cache-dir` ([`given_cache_dir`]), else
/// the user's cache ([`default_cache_dir`]).
pub fn cache_dir(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(dir) => given_cache_dir(dir),
        None => default_cache_dir(),
    }
}

/// Checks a `--view` value: a content-resolver view id
/// ([`crate::content_resolver::config::id_problem`]); the error is the one
/// line the tools print.
pub fn check_view(view: &str) -> crate::Result<()> {
    match crate::content_resolver::config::id_problem(view) {
        None => Ok(()),
        Some(problem) => Err(crate::Error::Usage(format!(
            "--view '{view}': not a view id (a content-resolver config file's name without \
             .yaml): {problem}"
        ))),
    }
}

/// `--core`'s comma-separated values (`core`, as clap split them), refused
/// when they are separators alone: `--core ','` (`--core "$A,$B"` with both
/// unset) is a slip, not the deliberate `--core ''` (no core). mock would
/// hand dnf an install of no package, which dnf refuses; taking it as no
/// core would answer another question without a word. An empty item
/// between names (`bash,,gcc`) is dropped, as libdnf drops one in a list
/// option.
pub fn check_core_list(core: Option<&[String]>) -> crate::Result<()> {
    match core {
        Some(c) if c.len() > 1 && c.iter().all(|n| n.trim().is_empty()) => {
            Err(crate::Error::Usage(format!(
                "--core '{}': lists no names (--core '' asks for no core on purpose)",
                c.join(",")
            )))
        }
        _ => Ok(()),
    }
}

/// `--arch ARCH` refused unless rpm knows the arch (one of
/// [`crate::arch::known`]), in the same words in every tool.
pub fn check_arch(arch: &str) -> crate::Result<()> {
    match crate::arch::is_known(arch) {
        true => Ok(()),
        false => Err(crate::Error::Usage(format!(
            "--arch {arch}: unknown architecture (known: {})",
            crate::arch::known().join(", ")
        ))),
    }
}

/// The environment variable that makes the tools print the solver's
/// decisions to stderr ([`init_trace`]).
pub const TRACE_ENV: &str = "RESOLVER_TRACE";

/// Prints the solver's trace (the `log` records of [`crate::solver`], one
/// line each) to stderr when [`TRACE_ENV`] is set; without it nothing is
/// logged. Each tool that resolves calls this first thing in `main`.
pub fn init_trace() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata) -> bool {
            m.target().starts_with("buildroot_core::solver")
        }
        fn log(&self, r: &log::Record) {
            if self.enabled(r.metadata()) {
                crate::diag!("{}", r.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    if std::env::var_os(TRACE_ENV).is_some() && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

pub use crate::cache_home::default_cache_dir;

/// Every tool's `--help` says how an interrupted run ends, after its exit
/// codes (`atomic::on_signal`): a user deciding whether Ctrl-C is safe
/// finds it there, not only in docs/formats.md.
pub const SIGNALS_HELP: &str = "\
Interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP, a run removes its temp files and the output
directories it was building, then ends by that signal (a shell shows 130, 143 or 129): an output
is left whole as it was, never half-written. A signal ignored when the tool started stays ignored
(a script's background job, `&`, starts with SIGINT ignored: stop it with SIGTERM).";

/// A `--cache-dir` given on the command line, refused when it names a file
/// (a mistyped path): the pools would silently not be cached, the runs
/// slower for it, and an HTTP repo's metadata would fail on a path inside
/// the file. A missing directory is made when first written, as before.
pub fn given_cache_dir(dir: &Path) -> crate::error::Result<PathBuf> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(Error::Usage(format!(
            "{}: --cache-dir exists and is not a directory",
            dir.display()
        ))),
        _ => Ok(dir.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `--cache-dir` that is a file is refused; a directory, or one not
    /// made yet, is taken.
    #[test]
    fn a_cache_dir_that_is_a_file_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = given_cache_dir(&file).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: --cache-dir exists and is not a directory",
                file.display()
            )
        );
        assert_eq!(given_cache_dir(t.path()).unwrap(), t.path());
        let new = t.path().join("new");
        assert_eq!(given_cache_dir(&new).unwrap(), new);
    }
}
