//! The guard of an output directory a tool replaces whole (or fills and
//! prunes): what it holds, and whether it is the tool's own earlier output,
//! an empty directory or one that does not exist yet; a user's directory
//! named by mistake is refused before anything is written. It mirrors no
//! upstream function.

use std::fs;
use std::path::Path;

use crate::error::{Error, OutputDirProblem, Result};

/// How a tool knows its own earlier output in a directory it replaces whole
/// ([`check_output_dir`]).
#[derive(Clone, Copy, Debug)]
pub enum EarlierOutput {
    /// Every output of the tool holds this file.
    Marker(&'static str),
    /// Every entry of an output, at any depth, is one the tool writes,
    /// which `ours` tells by its path in the output: `x86_64.txt`, a
    /// directory as `content-resolver/`, a file in it as
    /// `content-resolver/LIST.txt` (`tool` names the tool in the error).
    Names {
        /// The tool, for the error.
        tool: &'static str,
        /// Whether the tool writes an entry of that path.
        ours: fn(&str) -> bool,
    },
}

/// What a directory a tool is about to fill (and prune, or replace) holds:
/// None when it does not exist, else its metadata and its entries' names,
/// sorted. A path that exists and is no directory is refused. The first
/// step of every guard against a user's directory named by mistake
/// ([`check_output_dir`], the SRPM cache, create-srpm-repos' `--out`).
pub(crate) fn existing_entries(dir: &Path) -> Result<Option<(fs::Metadata, Vec<String>)>> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(Error::OutputDir {
            path: dir.to_path_buf(),
            problem: OutputDirProblem::NotADirectory,
        });
    }
    let mut names = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Some((meta, names)))
}

/// Checks that `dir` may be replaced by an output tree: it does not exist,
/// is empty, or is an earlier output. The whole directory is swapped, so
/// anything else in it would be lost; a user's directory named by mistake
/// is refused instead.
pub fn check_output_dir(dir: &Path, earlier: EarlierOutput) -> Result<()> {
    let Some((meta, names)) = existing_entries(dir)? else {
        return Ok(());
    };
    let refuse = |problem| {
        Err(Error::OutputDir {
            path: dir.to_path_buf(),
            problem,
        })
    };
    if let (Ok(real), Ok(cwd)) = (fs::canonicalize(dir), std::env::current_dir()) {
        if cwd.starts_with(&real) {
            return refuse(OutputDirProblem::HoldsWorkingDirectory);
        }
        if is_mount_point(&real, &meta) {
            return refuse(OutputDirProblem::MountPoint);
        }
    }
    match earlier {
        _ if names.is_empty() => Ok(()),
        EarlierOutput::Marker(marker) if dir.join(marker).is_file() => Ok(()),
        EarlierOutput::Marker(marker) => refuse(OutputDirProblem::NotAnEarlierOutput { marker }),
        EarlierOutput::Names { tool, ours } => match not_ours(dir, "", names, ours)? {
            None => Ok(()),
            Some(entry) => refuse(OutputDirProblem::HoldsOtherFiles { tool, entry }),
        },
    }
}

/// The first of `names` (the entries of `dir`, at `prefix` in the output)
/// that `ours` does not take, looking into the directories it takes: a
/// directory of the tool's own name may hold a user's files, lost when the
/// output is replaced whole.
fn not_ours(
    dir: &Path,
    prefix: &str,
    names: Vec<String>,
    ours: fn(&str) -> bool,
) -> Result<Option<String>> {
    for n in names {
        let path = dir.join(&n);
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let rel = format!("{prefix}{n}");
        if !ours(&if is_dir {
            format!("{rel}/")
        } else {
            rel.clone()
        }) {
            return Ok(Some(rel));
        }
        if is_dir {
            let Some((_, inner)) = existing_entries(&path)? else {
                continue;
            };
            if let Some(entry) = not_ours(&path, &format!("{rel}/"), inner, ours)? {
                return Ok(Some(entry));
            }
        }
    }
    Ok(None)
}

/// Whether `dir` (canonical, of metadata `meta`) is a mount point: its
/// device differs from its parent's. rename(2) cannot move a mount point
/// (EBUSY), so a directory there cannot be swapped whole; said before the
/// work rather than after it. (A bind mount of the same file system is not
/// seen here; its swap fails with that EBUSY.)
fn is_mount_point(dir: &Path, meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    match dir.parent().map(fs::metadata) {
        Some(Ok(parent)) => parent.dev() != meta.dev(),
        _ => false,
    }
}
