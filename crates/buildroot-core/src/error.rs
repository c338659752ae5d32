//! The library's error type. Every variant renders as one line that names the
//! file (or URL, or input) and the problem, so the tools can print it as is.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors the library reports. All are "bad input" in the tools' sense (exit 2)
/// except [`Error::Io`] on output paths, which the tools may map differently.
///
/// Where the problem is is data (`path`, `line`, `url`), so a caller can
/// tell cases apart without reading the message; the rendering is one line,
/// `PATH[:LINE]: problem`. Messages name no command-line option: a tool that
/// knows which of its options gave the value adds the option's name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {}", io_message(.err))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        err: std::io::Error,
    },
    /// A file's content is not what its format requires.
    #[error("{}{}: {}", OneLine(path), LineSuffix(*line), OneLine(msg))]
    Format {
        /// The file (or URL, or `<stdin>`).
        path: String,
        /// The 1-based line the problem is on, where the format has lines.
        line: Option<usize>,
        /// The problem.
        msg: String,
    },
    /// A checksum recorded in repomd.xml does not match the file.
    #[error(
        "{path}: checksum mismatch: repomd.xml says {} {}, file has {actual}{}",
        OneLine(algo),
        OneLine(expected),
        case_hint(expected, actual)
    )]
    Checksum {
        /// The metadata file.
        path: String,
        /// The checksum type (`sha256`, ...).
        algo: String,
        /// The checksum repomd.xml records.
        expected: String,
        /// The file's checksum.
        actual: String,
    },
    /// A network fetch failed.
    #[error("{url}: {msg}")]
    Http {
        /// What was fetched.
        url: String,
        /// The problem (status, connection error, retries).
        msg: String,
        /// The status of the last answer, when that answer's status is
        /// what failed it (a 404, a 503 after the retries, a 3xx without a
        /// usable `Location`); `None` for a failure without such an answer
        /// (no connection, a stall, a body cut short, a checksum mismatch,
        /// a proxy that refused the tunnel). Of several mirrors, the last
        /// one's. Read by code that tells answers apart (a missing SRPM);
        /// `msg` says it for people.
        status: Option<u16>,
    },
    /// A dependency, version or package string could not be parsed.
    #[error("cannot parse {what} '{}': {}", OneLine(input), OneLine(msg))]
    Parse {
        /// What the string should have been (`dependency`, `EVR`, ...).
        what: &'static str,
        /// The string.
        input: String,
        /// The problem.
        msg: String,
    },
    /// A file of a batch (an SRPM, a macro package, a repo's metadata
    /// file) that no mirror was asked for: every mirror of its repo had
    /// been given up earlier in the run, each having failed
    /// `failures` times without delivering a file, as librepo gives up such
    /// a mirror and fails the file without a request ("all mirrors were
    /// already tried without success"). Nothing was learnt of this file: it
    /// carries no status, and is neither a missing SRPM nor a server's
    /// failure of it (`archful::missing_srpms` says it apart).
    #[error(
        "{url}: not fetched: every mirror of {} ({mirrors}) was given up earlier in this run, \
         each having failed {failures} times without delivering a file (as dnf, these tools \
         ask such a mirror no more); the last failure: {}",
        RepoLabel(repo.as_deref()),
        OneLine(last)
    )]
    MirrorsGivenUp {
        /// The file, at the repo's first mirror.
        url: String,
        /// The repo's id, when the batch knows it.
        repo: Option<String>,
        /// How many mirrors the repo has.
        mirrors: usize,
        /// The failures that give a mirror up.
        failures: usize,
        /// The last failure counted over the batch, its line.
        last: String,
    },
    /// An SRPM (or RPM) whose payload has no spec file.
    #[error("{path}: no spec file in the payload")]
    NoSpecFile {
        /// The package file.
        path: PathBuf,
    },
    /// An HTTP repository was named but no cache directory to keep what is
    /// downloaded.
    #[error("{url}: HTTP repositories need a cache directory")]
    NoCacheDir {
        /// The repository's URL.
        url: String,
    },
    /// An external program the run needs could not be run.
    #[error("cannot run {program} ({reason}); install {package}")]
    MissingProgram {
        /// The program (`rpmspec`, `rpmbuild`).
        program: &'static str,
        /// Why it could not be run.
        reason: String,
        /// The package that has it.
        package: &'static str,
    },
    /// A view that no view document defines.
    #[error("{view}: no such view (views: {})", list_or_none(known))]
    UnknownView {
        /// The view asked for.
        view: String,
        /// The views the configs define, sorted.
        known: Vec<String>,
    },
    /// An arch a view is not computed on.
    #[error("{arch}: {}", arch_not_in_view(arch, view, arches))]
    ArchNotInView {
        /// The arch asked for.
        arch: String,
        /// The view.
        view: String,
        /// The view's arches.
        arches: Vec<String>,
    },
    /// A repository override for a repo no repository document has.
    #[error("{id}=...: no repository document has a repo '{id}'")]
    UnknownRepo {
        /// The repo id of the override.
        id: String,
    },
    /// A directory that an output tree would replace whole, and may not.
    #[error("{}: the output directory {problem}", path.display())]
    OutputDir {
        /// The directory.
        path: PathBuf,
        /// Why it may not be replaced.
        problem: OutputDirProblem,
    },
    /// A macro definition that is not `NAME VALUE`.
    #[error("macro definition '{text}': expected 'NAME VALUE'")]
    MacroDefinition {
        /// The definition as given (trimmed, without a leading `%`).
        text: String,
    },
    /// A path rpm would get in a `:`-separated list (its macro path), that
    /// holds a `:` itself.
    #[error("{}: rpm cannot take a path with ':'", path.display())]
    PathWithColon {
        /// The path.
        path: PathBuf,
    },
    /// An SRPM rebuilt by `rpmbuild -bs` whose name or EVR is not the
    /// original's.
    #[error(
        "{}: rpmbuild -bs made {built}, not {original} (a macro such as %dist differs from \
         the build that made this SRPM)",
        path.display()
    )]
    RebuiltNevrDiffers {
        /// The original SRPM.
        path: PathBuf,
        /// `name-evr` of the rebuilt SRPM.
        built: String,
        /// `name-evr` of the original.
        original: String,
    },
    /// Anything else the user must fix (bad option value, ...).
    #[error("{0}")]
    Usage(String),
    /// SRPMs that no mirror of their repo has (an HTTP 404 or 410, a local
    /// repo's file missing): every one a run met, in source name order, one
    /// line each, then those no mirror was asked for
    /// ([`Error::MirrorsGivenUp`]), in the same order
    /// (`archful::missing_srpms`).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    SrpmsMissing(Vec<Error>),
    /// A download stopped because the load it was part of had already
    /// failed with another error (the one reported): it says nothing of
    /// its own URL, and never reaches the user.
    #[error("download stopped: the load it was part of had already failed")]
    Cancelled,
}

/// Why a directory may not be replaced by an output tree ([`Error::OutputDir`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputDirProblem {
    /// The path exists and is not a directory.
    NotADirectory,
    /// The directory holds the working directory.
    HoldsWorkingDirectory,
    /// The directory is a mount point, which rename(2) cannot move.
    MountPoint,
    /// The directory is neither empty nor an earlier output (it lacks `marker`).
    NotAnEarlierOutput {
        /// The file every output holds.
        marker: &'static str,
    },
    /// The directory holds a file its tool does not write.
    HoldsOtherFiles {
        /// The tool whose output it would be.
        tool: &'static str,
        /// The first such entry's name.
        entry: String,
    },
    /// A directory of files this tool did not write, which a run would
    /// delete (create-srpm-repos removes the SRPMs it does not list).
    NotAnEarlierRepo {
        /// The file every earlier output holds.
        marker: &'static str,
    },
    /// An SRPM cache directory that holds what no SRPM cache holds: a
    /// refresh deletes the SRPMs it does not list.
    NotAnEarlierCache {
        /// The file every cache written since holds.
        marker: &'static str,
        /// The first entry no cache holds.
        entry: String,
    },
    /// A directory given as the SRPM cache to a tool that reads it, which
    /// no SRPM cache run made: the records written into it would make it
    /// pass as one, and the next refresh would delete its SRPMs.
    NotAnSrpmCache {
        /// The file every cache written since holds.
        marker: &'static str,
        /// The first entry no cache holds.
        entry: String,
    },
}

impl std::fmt::Display for OutputDirProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputDirProblem::NotADirectory => write!(f, "exists and is not a directory"),
            OutputDirProblem::HoldsWorkingDirectory => write!(
                f,
                "holds the working directory and is replaced whole: run from outside it"
            ),
            OutputDirProblem::MountPoint => write!(
                f,
                "is a mount point, and an output directory is replaced whole (a mount point \
                 cannot be renamed): name a directory inside it"
            ),
            OutputDirProblem::NotAnEarlierOutput { marker } => write!(
                f,
                "is not empty and not an earlier output (no {marker}); it would be replaced \
                 whole: name a new or empty directory"
            ),
            OutputDirProblem::HoldsOtherFiles { tool, entry } => write!(
                f,
                "holds {entry}, which {tool} does not write; it would be replaced whole: name \
                 a new or empty directory, or an earlier output of {tool}"
            ),
            OutputDirProblem::NotAnEarlierCache { marker, entry } => write!(
                f,
                "is not empty and not an earlier SRPM cache (no {marker}, and it holds {entry}); \
                 the SRPMs in it that are not listed would be deleted: name a new or empty \
                 directory"
            ),
            OutputDirProblem::NotAnSrpmCache { marker, entry } => write!(
                f,
                "is not an SRPM cache identify-archful-srpms made (no {marker}, and it holds \
                 {entry}); records written into it would let identify-archful-srpms take it \
                 for its cache and delete the SRPMs it does not list: give the --cache \
                 identify-archful-srpms filled"
            ),
            OutputDirProblem::NotAnEarlierRepo { marker } => write!(
                f,
                "is not empty and not an earlier create-srpm-repos output (no {marker}); the \
                 SRPMs in it that are not listed would be deleted: name a new or empty directory \
                 (a repo an older create-srpm-repos wrote, without {marker}, is taken once that \
                 file is created in it)"
            ),
        }
    }
}

/// When a checksum differs from the file's only in the case of its hex
/// digits, why it fails anyway: librepo (dnf) compares them as written
/// (`strcmp` in `lr_checksum_fd_compare`) and createrepo_c writes lower
/// case; an empty string otherwise.
pub(crate) fn case_hint(expected: &str, actual: &str) -> &'static str {
    if expected != actual && expected.eq_ignore_ascii_case(actual) {
        " (the same digits in upper case: checksums are compared as written, as dnf \
         compares them, and createrepo_c writes lower case)"
    } else {
        ""
    }
}

/// An I/O error's message as dnf and coreutils print one: the system's
/// text alone (`No space left on device`, strerror's), without the
/// ` (os error 28)` Rust's `io::Error` adds, which tells the reader
/// nothing more. An error whose message quotes another's (`cannot write
/// URL here: ...`) loses the suffix too. Every message the library builds
/// from an I/O error goes through here ([`Error::Io`] renders with it).
pub fn io_message(e: &std::io::Error) -> String {
    without_os_error(&e.to_string())
}

/// `text` without its ` (os error N)` suffixes (wherever a quoted
/// message put one): for text that holds an I/O error's message among
/// others' (a tool's whole error chain, as it prints it). The standard
/// library's "stream did not contain valid UTF-8" (a whole file read as
/// text) reads as the list readers' own "not valid UTF-8".
pub fn without_os_error(text: &str) -> String {
    let text: &str = &text.replace("stream did not contain valid UTF-8", "not valid UTF-8");
    const TAG: &str = " (os error ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(TAG) {
        let after = &rest[at + TAG.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && after[digits..].starts_with(')') {
            out.push_str(&rest[..at]);
            rest = &after[digits + 1..];
        } else {
            out.push_str(&rest[..at + TAG.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A repo as [`Error::MirrorsGivenUp`] names it.
struct RepoLabel<'a>(Option<&'a str>);

impl std::fmt::Display for RepoLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(id) => write!(f, "repo '{}'", OneLine(id)),
            None => write!(f, "its repo"),
        }
    }
}

/// Why `arch` is not among a view's `arches`: a name rpm knows as no arch
/// at all (`x86-64`, `X86_64`, `noarch`) is said to be unknown, as `--arch`
/// of the other tools says it ([`crate::cli::check_arch`]), rather than as
/// a real arch the view happens not to compute.
fn arch_not_in_view(arch: &str, view: &str, arches: &[String]) -> String {
    if crate::arch::is_known(arch) {
        format!("view {view} is computed on {} only", arches.join(", "))
    } else {
        format!(
            "unknown architecture; view {view} is computed on {}",
            arches.join(", ")
        )
    }
}

/// `items` joined with ", ", or "none".
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// Renders text with its control characters but the tab escaped (`\n`,
/// `\r`, `\u{1b}`). Messages quote what the input holds (an attribute
/// value, a YAML string, a dependency), which may be a line break written
/// as `&#10;` or `"\n"`; escaped, the error stays one line, as the tools
/// print it (found by the `comps` and `yaml` fuzz targets, which check it).
/// A tab stays: it is on the line, and messages quoting a tab-separated
/// line show it as it is.
pub(crate) struct OneLine<'a>(pub(crate) &'a str);

impl std::fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| c.is_control() && c != '\t') {
            let c = rest[at..].chars().next().expect("found");
            write!(f, "{}{}", &rest[..at], c.escape_default())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Renders an optional line number as `:N` (nothing without one).
struct LineSuffix(Option<usize>);

impl std::fmt::Display for LineSuffix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, ":{n}"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// An I/O error on `path`. tempfile's errors also name the random temp
    /// path (`... at path "DIR/.name.new-XXXXXX"`); that part is dropped, so
    /// the line names `path` once and reads the same on every run.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let err = match source.get_ref().map(|e| e.to_string()) {
            Some(text) if text.contains(" at path \"") => {
                let cut = text.rfind(" at path \"").unwrap_or(text.len());
                std::io::Error::new(source.kind(), text[..cut].to_string())
            }
            _ => source,
        };
        Error::Io {
            path: path.into(),
            err,
        }
    }

    /// A format error in `path`.
    pub fn format(path: impl std::fmt::Display, msg: impl Into<String>) -> Self {
        Error::Format {
            path: path.to_string(),
            line: None,
            msg: msg.into(),
        }
    }

    /// A format error on line `line` (1-based) of `path`.
    pub fn at_line(path: impl std::fmt::Display, line: usize, msg: impl Into<String>) -> Self {
        Error::Format {
            path: path.to_string(),
            line: Some(line),
            msg: msg.into(),
        }
    }

    /// The line the error is on, where known.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Format { line, .. } => *line,
            _ => None,
        }
    }

    /// A parse error for `what` (e.g. "dependency") in `input`.
    pub fn parse(what: &'static str, input: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Parse {
            what,
            input: input.into(),
            msg: msg.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_data_and_renders_after_the_path() {
        let e = Error::at_line("a.repo", 3, "section header without ']'");
        assert_eq!(e.line(), Some(3));
        assert_eq!(e.to_string(), "a.repo:3: section header without ']'");
        let e = Error::format("a.repo", "empty");
        assert_eq!((e.line(), e.to_string().as_str()), (None, "a.repo: empty"));
    }

    #[test]
    fn a_checksum_quoted_from_repomd_stays_on_one_line() {
        let e = Error::Checksum {
            path: "r/repodata/p.xml.gz".into(),
            algo: "sha256".into(),
            expected: "ab\ncd".into(),
            actual: "ef".into(),
        };
        assert_eq!(
            e.to_string(),
            "r/repodata/p.xml.gz: checksum mismatch: repomd.xml says sha256 ab\\ncd, file has ef"
        );
    }

    #[test]
    fn problems_a_tool_words_with_its_options_are_data() {
        // The tools put their option's name in front of the problem
        // (buildroot-generator: `PATH: --output-dir PROBLEM`).
        let e = Error::OutputDir {
            path: "out".into(),
            problem: OutputDirProblem::NotADirectory,
        };
        assert_eq!(
            e.to_string(),
            "out: the output directory exists and is not a directory"
        );
        let e = Error::MacroDefinition {
            text: "dist".into(),
        };
        assert_eq!(
            e.to_string(),
            "macro definition 'dist': expected 'NAME VALUE'"
        );
    }

    #[test]
    fn tempfile_paths_are_dropped_from_io_errors() {
        let dir = std::path::Path::new("/nonexistent/dir");
        let err = tempfile::Builder::new().tempdir_in(dir).unwrap_err();
        assert!(err.to_string().contains(" at path "), "{err}");
        let e = Error::io(dir, err);
        assert_eq!(e.to_string(), "/nonexistent/dir: No such file or directory");
    }

    #[test]
    fn io_messages_read_as_dnfs_without_the_os_error_number() {
        let full = std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(io_message(&full), "No space left on device");
        let e = Error::io("/cache", full);
        assert_eq!(e.to_string(), "/cache: No space left on device");
        // A message quoting another, and text that only looks alike.
        let quoted = std::io::Error::other(format!(
            "cannot write http://m/x here: {}",
            std::io::Error::from_raw_os_error(libc::EROFS)
        ));
        assert_eq!(
            io_message(&quoted),
            "cannot write http://m/x here: Read-only file system"
        );
        let odd = std::io::Error::other("a (os error x) and (os error 5");
        assert_eq!(io_message(&odd), "a (os error x) and (os error 5");
        let utf8 = std::io::read_to_string(&[0xffu8][..]).unwrap_err();
        assert_eq!(io_message(&utf8), "not valid UTF-8");
    }
}
