//! Package lists: one name per line, as the tools read them from a file or
//! stdin (`-`) and write them to stdout. `#` comments and blank lines are
//! ignored; output is byte-sorted (`LC_ALL=C sort -u`).
//!
//! Where a tool takes NVRs, [`Names::reduce`] turns `name-version-release.arch`
//! and `*.src.rpm` lines into names. Only lines that parse as a NEVRA with a
//! known arch, or end in `.src.rpm`, are reduced: a plain name with dashes
//! (`python3-foo-bar`) stays as it is.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::evr::{parse_srpm_filename, Nevra};

/// Arches whose `.arch` suffix marks a NEVRA line.
const KNOWN_ARCHES: &[&str] = &[
    "x86_64", "i686", "i586", "i486", "i386", "athlon", "aarch64", "ppc64le", "ppc64", "s390x",
    "s390", "armv7hl", "armhfp", "riscv64", "noarch", "src", "nosrc",
];

/// How list lines are taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Names {
    /// Lines are names, taken verbatim.
    #[default]
    Verbatim,
    /// NEVRA and SRPM file name lines are reduced to names.
    Reduce,
}

/// Reads a list from `path` (`-` = stdin).
pub fn read_list(path: &str, names: Names) -> Result<Vec<String>> {
    if path == "-" {
        return read_list_from(std::io::stdin().lock(), "<stdin>", names);
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_list_from(BufReader::new(f), path, names)
}

/// Reads a list from any reader; `origin` names it in errors.
pub fn read_list_from(r: impl Read, origin: &str, names: Names) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (i, line) in BufReader::new(r).lines().enumerate() {
        let line = line.map_err(|e| Error::format(format!("{origin}:{}", i + 1), e.to_string()))?;
        let item = line.split(" #").next().unwrap_or("").trim();
        if item.is_empty() || item.starts_with('#') {
            continue;
        }
        if item.contains(char::is_whitespace) {
            return Err(Error::format(
                format!("{origin}:{}", i + 1),
                format!("'{item}' is not a package name (one name per line)"),
            ));
        }
        out.push(match names {
            Names::Verbatim => item.to_string(),
            Names::Reduce => reduce(item),
        });
    }
    Ok(out)
}

/// The name in a NEVRA or SRPM file name line; other lines unchanged.
pub fn reduce(item: &str) -> String {
    if item.ends_with(".src.rpm") || item.ends_with(".nosrc.rpm") {
        if let Ok(n) = parse_srpm_filename(item) {
            return n.name;
        }
    }
    let stem = item.strip_suffix(".rpm").unwrap_or(item);
    if let Some((_, arch)) = stem.rsplit_once('.') {
        if KNOWN_ARCHES.contains(&arch) {
            if let Ok(n) = Nevra::parse(stem) {
                return n.name;
            }
        }
    }
    item.to_string()
}

/// Sorted (byte order), unique.
pub fn sorted_unique<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Vec<String> {
    let set: BTreeSet<String> = items.into_iter().map(Into::into).collect();
    set.into_iter().collect()
}

/// Writes items one per line, sorted and unique.
pub fn write_list<I: IntoIterator<Item = S>, S: Into<String>>(
    w: &mut impl Write,
    items: I,
) -> std::io::Result<()> {
    for item in sorted_unique(items) {
        writeln!(w, "{item}")?;
    }
    Ok(())
}

/// Writes a sorted, unique list to `path` atomically.
pub fn write_list_file<I: IntoIterator<Item = S>, S: Into<String>>(
    path: &Path,
    items: I,
) -> Result<()> {
    let items = sorted_unique(items);
    crate::atomic::write_file_with(path, |w| {
        for item in &items {
            writeln!(w, "{item}")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_comments_and_nvrs() {
        let text = "# compose\nbash\n\n  coreutils  # trailing\npython3-foo-bar\nglibc-2.40-1.eln150.x86_64\nfoo-1.0-1.fc40.src.rpm\nkernel-6.1-1.fc40.x86_64.rpm\n";
        let v = read_list_from(text.as_bytes(), "t", Names::Reduce).unwrap();
        assert_eq!(
            v,
            vec![
                "bash",
                "coreutils",
                "python3-foo-bar",
                "glibc",
                "foo",
                "kernel"
            ]
        );
        let v = read_list_from(text.as_bytes(), "t", Names::Verbatim).unwrap();
        assert_eq!(v[3], "glibc-2.40-1.eln150.x86_64");
        let e = read_list_from("a b\n".as_bytes(), "list.txt", Names::Verbatim).unwrap_err();
        assert_eq!(
            e.to_string(),
            "list.txt:1: 'a b' is not a package name (one name per line)"
        );
        let e = read_list("/nonexistent/list", Names::Verbatim)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/list: "), "{e}");
    }

    #[test]
    fn writes_sorted_unique_byte_order() {
        let mut out = Vec::new();
        write_list(
            &mut out,
            ["b", "Zed", "a", "b", "python3.12-x", "python3-x"],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Zed\na\nb\npython3-x\npython3.12-x\n"
        );
    }
}
