//! dnf's vars files: the directories a `dnf.conf`'s `varsdir=` names, read
//! as dnf 4.14's `Substitutions.update_from_etc` reads them (dnf's default,
//! `/etc/yum/vars` and `/etc/dnf/vars`, is never read here: without
//! `--dnf-conf`'s `varsdir=` a run does not change with the host).
//!
//! Each regular file (a symlink to one too) of a directory sets the
//! variable of its name to its first line, without the line end (`\n`,
//! `\r\n` or a lone `\r`, as Python's text mode ends lines); an empty file
//! sets it empty. Any file name counts, but only one of letters, digits
//! and `_` can be used in a `$name`. The directories are read in the order
//! given, a later one winning for a name both define; a relative one is
//! taken from `/`, as dnf joins it with its installroot; one that does not
//! exist or cannot be listed adds nothing, silently, as in dnf. A file that
//! cannot be read is passed over with a warning (dnf 4.14 says nothing,
//! later dnf and dnf5 warn); one whose text dnf reads is not UTF-8 is an
//! error, as dnf 4.14 stops on it ("Config error: 'utf-8' codec can't
//! decode ...").

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// How much Python's text reader takes at a time: the bytes it decodes
/// before it finds the first line's end (so it checks them all).
const CHUNK: usize = 8192;

/// The variables the files of `dirs` set (later directories win).
pub fn read_varsdirs(dirs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut vars = BTreeMap::new();
    for dir in dirs {
        let dir = Path::new("/").join(dir.trim_start_matches('/'));
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        // Sorted, so that the warnings come in one order.
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for name in names {
            let path = dir.join(&name);
            // A name that is not UTF-8 can be no variable of a .repo file.
            let (Some(name), true) = (name.to_str(), path.is_file()) else {
                continue;
            };
            match first_line(&path) {
                Ok(value) => {
                    vars.insert(name.to_string(), value);
                }
                Err(Problem::Unreadable(e)) => crate::rpmmd::warn_once(format!(
                    "{}: {}; the variable ${name} is not set from it",
                    path.display(),
                    crate::error::io_message(&e)
                )),
                Err(Problem::NotUtf8) => {
                    return Err(Error::format(
                        path.display(),
                        "not UTF-8 text (dnf 4.14 stops on such a vars file: \"Config error: \
                         'utf-8' codec can't decode ...\")",
                    ))
                }
            }
        }
    }
    Ok(vars)
}

/// Why a vars file gives no value.
enum Problem {
    Unreadable(std::io::Error),
    NotUtf8,
}

/// The first line of the file at `path`, as Python's `readline` gives it
/// in text mode, less its line end.
fn first_line(path: &PathBuf) -> std::result::Result<String, Problem> {
    let mut f = std::fs::File::open(path).map_err(Problem::Unreadable)?;
    let mut bytes = Vec::new();
    let mut at_end = false;
    // Chunks until one holds a line end, or the end of the file.
    while !bytes.iter().any(|b| matches!(b, b'\n' | b'\r')) && !at_end {
        let before = bytes.len();
        (&mut f)
            .take(CHUNK as u64)
            .read_to_end(&mut bytes)
            .map_err(Problem::Unreadable)?;
        at_end = bytes.len() - before < CHUNK;
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        // A character cut at the last chunk's end is decoded with the next
        // one, which is never read.
        Err(e) if !at_end && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Err(Problem::NotUtf8),
    };
    let line = text.split(['\n', '\r']).next().unwrap_or_default();
    Ok(line.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_set_variables_as_dnf_reads_them() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        for d in [&a, &b] {
            std::fs::create_dir(d).unwrap();
        }
        let w = |p: PathBuf, text: &[u8]| std::fs::write(p, text).unwrap();
        w(a.join("stream"), b"10-stream\nsecond line\n");
        w(a.join("contentdir"), b"pub/centos");
        w(a.join("crlf"), b"x\r\ny\n");
        w(a.join("cr"), b"x\ry\n");
        w(a.join("empty"), b"");
        w(a.join("blanks"), b"  a b  \n");
        w(a.join("a-b"), b"odd name\n");
        w(b.join("stream"), b"later dir\n");
        w(t.path().join("target"), b"linked\n");
        std::os::unix::fs::symlink(t.path().join("target"), a.join("link")).unwrap();
        std::os::unix::fs::symlink(t.path().join("none"), a.join("dangling")).unwrap();
        std::fs::create_dir(a.join("subdir")).unwrap();
        let dirs = |ds: &[&PathBuf]| -> Vec<String> {
            ds.iter().map(|d| d.display().to_string()).collect()
        };
        let vars = read_varsdirs(&dirs(&[&a])).unwrap();
        let got: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("a-b", "odd name"),
                ("blanks", "  a b  "),
                ("contentdir", "pub/centos"),
                ("cr", "x"),
                ("crlf", "x"),
                ("empty", ""),
                ("link", "linked"),
                ("stream", "10-stream"),
            ]
        );
        // The later directory wins; one that does not exist adds nothing.
        let missing = t.path().join("missing");
        let vars = read_varsdirs(&dirs(&[&a, &missing, &b])).unwrap();
        assert_eq!(vars["stream"], "later dir");
        let vars = read_varsdirs(&dirs(&[&b, &a])).unwrap();
        assert_eq!(vars["stream"], "10-stream");
        // A relative directory is taken from '/', as dnf takes it.
        let relative = a.display().to_string().trim_start_matches('/').to_string();
        assert_eq!(read_varsdirs(&[relative]).unwrap()["stream"], "10-stream");
    }

    #[test]
    fn a_vars_file_that_is_not_utf8_is_an_error_naming_it() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("stream");
        // Past the first line too: dnf decodes the whole chunk it read.
        std::fs::write(&file, b"ok\ncaf\xe9\n").unwrap();
        let e = read_varsdirs(&[t.path().display().to_string()]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: not UTF-8 text (dnf 4.14 stops on such a vars file: \"Config error: \
                 'utf-8' codec can't decode ...\")",
                file.display()
            )
        );
        // Beyond what dnf reads before the first line's end: not read.
        let mut long = b"ok\n".to_vec();
        long.resize(CHUNK, b'x');
        long.extend(b"\xe9\n");
        std::fs::write(&file, &long).unwrap();
        let vars = read_varsdirs(&[t.path().display().to_string()]).unwrap();
        assert_eq!(vars["stream"], "ok");
    }
}
