//! The library's error type. Every variant renders as one line that names the
//! file (or URL, or input) and the problem, so the tools can print it as is.

use std::path::PathBuf;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors the library reports. All are "bad input" in the tools' sense (exit 2)
/// except [`Error::Io`] on output paths, which the tools may map differently.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    /// A file's content is not what its format requires.
    #[error("{path}: {msg}")]
    Format { path: String, msg: String },
    /// A checksum recorded in repomd.xml does not match the file.
    #[error("{path}: checksum mismatch: repomd.xml says {algo} {expected}, file has {actual}")]
    Checksum {
        path: String,
        algo: String,
        expected: String,
        actual: String,
    },
    /// A network fetch failed.
    #[error("{url}: {msg}")]
    Http { url: String, msg: String },
    /// A dependency, version or package string could not be parsed.
    #[error("cannot parse {what} '{input}': {msg}")]
    Parse {
        what: &'static str,
        input: String,
        msg: String,
    },
    /// Anything else the user must fix (bad option value, unknown arch, ...).
    #[error("{0}")]
    Usage(String),
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
            msg: msg.into(),
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
