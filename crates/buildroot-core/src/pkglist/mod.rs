//! Package lists: one item per line, as every tool reads them from a file or
//! stdin (`-`) and writes them to stdout or a file.
//!
//! Reading: a UTF-8 byte order mark at the start is dropped (Windows
//! editors write one; it would otherwise stick, invisible, to the first
//! name); whitespace around an item is trimmed; blank lines, whole-line
//! `#` comments and trailing comments (`bash   # core`, a `#` after
//! whitespace) are ignored. A line holding two words is an error (a list has
//! one item per line), so a pasted table fails loudly instead of silently
//! producing nonsense names; so is a line holding a control character (no
//! rpm Name holds one), and a file saved as UTF-16 is refused as such.
//!
//! Writing: byte-sorted (`LC_ALL=C sort -u`), unique, one per line, every line
//! ending in `\n`; files are replaced atomically.
//!
//! Name reduction ([`Names::Reduce`]): content-resolver publishes both name
//! lists and NEVRA lists (`view-binary-package-list`), and people paste
//! `dnf`/`koji` output, so a tool can accept `bash-5.2.26-3.fc40.x86_64`,
//! `kernel-6.1-1.fc40.x86_64.rpm` or `foo-1.0-1.fc40.src.rpm` and take the
//! name. A plain name must never be mangled (`python3-foo-bar`,
//! `java-1.8.0-openjdk`, `python3.12`), so the heuristic is narrow. A line is
//! reduced only when
//! - it ends in `.src.rpm` / `.nosrc.rpm` and parses as an SRPM file name, or
//! - after dropping a trailing `.rpm`, it ends in `.ARCH` with `ARCH` a known
//!   rpm arch (`x86_64`, `noarch`, `src`, ... or content-resolver's
//!   `placeholder`), the rest parses as `name-[epoch:]version-release`, and
//!   version and release both start with a digit (Fedora's packaging rules
//!   make both start with one; a name-with-arch like
//!   `java-1.8.0-openjdk.x86_64` would otherwise lose most of its name).
//!   content-resolver's placeholder RPMs (`newthing-000-placeholder.placeholder`)
//!   are the one exception: their release is the word `placeholder`.
//!
//! A bare `name-[epoch:]version-release` (content-resolver's
//! `view-binary-package-nevr-list`, the generator's `*-nvrs` lists) is
//! reduced only when every line of a list of two or more is one: line by
//! line it cannot be told from a name such as Debian's `lib3ds-1-3`, but a
//! list of names always holds names of another shape (`bash`).
//!
//! Everything else is taken verbatim.
//!
//! This file reads and writes lists; a query's name, version and arch (as
//! `--why` and the cache-pruning steps take lines) are in `subject.rs`, the
//! standard streams (a terminal on stdin, a closed stdout) in `stdio.rs`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::evr::{parse_srpm_filename, Evr, Nevra};

pub use allowed::{read_allowed, AllowedBinaries};
pub use stdio::{
    not_stdout, note_if_terminal, one_list_from_stdin, quiet_terminal_note, stdout_closed_at_start,
    Stdout,
};
pub use subject::{name_and_version_in, name_in, names_in_list, subject_in, Subject};

mod allowed;
mod stdio;
mod subject;

/// Arches whose `.arch` suffix marks a NEVRA line. `placeholder` is the arch
/// content-resolver gives its placeholder RPMs (`name-000-placeholder.placeholder`).
const KNOWN_ARCHES: &[&str] = &[
    "x86_64",
    "i686",
    "i586",
    "i486",
    "i386",
    "athlon",
    "aarch64",
    "ppc64le",
    "ppc64",
    "s390x",
    "s390",
    "armv7hl",
    "armhfp",
    "riscv64",
    "noarch",
    "src",
    "nosrc",
    "placeholder",
];

/// How list lines are taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Names {
    /// Lines are names, taken verbatim.
    #[default]
    Verbatim,
    /// NEVRA and SRPM file name lines are reduced to names (see the module docs).
    Reduce,
}

/// Reads a list from `path` (`-` = stdin), in file order, duplicates kept.
pub fn read_list(path: &str, names: Names) -> Result<Vec<String>> {
    if path == "-" {
        note_if_terminal("the list (one item per line)");
        return read_list_from(std::io::stdin().lock(), "<stdin>", names);
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_list_from(BufReader::new(f), path, names)
}

/// Reads a tool's INPUT list, as [`read_list`]: a missing file whose name
/// holds no '/' and no `.txt` is likelier a package name given where the
/// list's file goes (`buildroot-generator --arch x86_64 ... hello`), so the
/// message says how a name is given, on stdin.
pub fn read_input_list(path: &str, names: Names) -> Result<Vec<String>> {
    read_list(path, names).map_err(|e| match e {
        Error::Io { ref err, .. }
            if err.kind() == std::io::ErrorKind::NotFound
                && !path.contains('/')
                && !path.ends_with(".txt") =>
        {
            Error::format(
                path,
                format!(
                    "{} (the input is a file listing names, one per line; to give names, \
                     pipe them in: echo {} | ...)",
                    crate::error::io_message(err),
                    path
                ),
            )
        }
        e => e,
    })
}

/// Reads a list from `path` (`-` = stdin) as a sorted set.
pub fn read_set(path: &str, names: Names) -> Result<BTreeSet<String>> {
    Ok(read_list(path, names)?.into_iter().collect())
}

/// Reads a list from any reader; `origin` names it in errors (`origin:LINE: ...`).
pub fn read_list_from(r: impl Read, origin: &str, names: Names) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut reader = BufReader::new(r);
    let mut buf = Vec::new();
    let mut lineno = 0usize;
    loop {
        buf.clear();
        lineno += 1;
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| {
            // A directory opens fine on Linux and fails on the first read:
            // no line of it was read, so none is named.
            let msg = crate::error::io_message(&e);
            if lineno == 1 {
                Error::format(origin, msg)
            } else {
                Error::at_line(origin, lineno, msg)
            }
        })?;
        if n == 0 {
            break;
        }
        let bytes = if lineno == 1 {
            if is_utf16(&buf) {
                return Err(Error::format(origin, UTF16));
            }
            strip_bom(&buf)
        } else {
            &buf[..]
        };
        let line = std::str::from_utf8(bytes)
            .map_err(|_| Error::at_line(origin, lineno, "not valid UTF-8"))?;
        // A first line with no LF and a CR inside it: the file ends its
        // lines in CR alone (classic Mac OS), and read as one line, a
        // comment on its first line would hide every name after it. So
        // does such a file whose last line end is an LF or a CRLF (an
        // editor's or `echo`'s, added at its end): a first line that is
        // the whole file. A CR inside the first line of a file of more
        // lines is a stray one, that line's alone.
        let inner = line.trim_end_matches(['\r', '\n']);
        if lineno == 1
            && inner.contains('\r')
            && (!line.ends_with('\n') || reader.fill_buf().is_ok_and(<[u8]>::is_empty))
        {
            return Err(Error::format(origin, CR_ONLY));
        }
        let item = strip_comment(line).trim();
        if item.is_empty() {
            continue;
        }
        if item.contains(char::is_whitespace) {
            // A control character but a TAB (a CR, a form feed) is shown
            // escaped: printed, a CR would return the cursor and hide the
            // message.
            let shown = if item.contains(|c: char| c.is_control() && c != '\t') {
                item.escape_debug().to_string()
            } else {
                item.to_string()
            };
            return Err(Error::at_line(
                origin,
                lineno,
                format!("'{shown}' is not a package name (one name per line)"),
            ));
        }
        // No package name holds one (rpm refuses them in a Name); taken as a
        // name it would pass into a workload YAML or an output file name.
        // A NUL is likelier UTF-16 text without its mark, or a NUL-separated
        // list, than a typo: the message says so.
        if let Some(c) = item.chars().find(|c| c.is_control()) {
            let hint = if c == '\0' { UTF16_HINT } else { "" };
            return Err(Error::at_line(
                origin,
                lineno,
                format!("'{item}' is not a package name: it holds a control character{hint}"),
            ));
        }
        out.push(match names {
            Names::Verbatim => item.to_string(),
            Names::Reduce => reduce(item),
        });
    }
    if names == Names::Reduce {
        reduce_nvr_list(&mut out);
    }
    Ok(out)
}

/// A list of two lines or more every one of which is a bare
/// `name-version-release` ([`split_nvr`]) is an N-V-R list:
/// content-resolver's `view-binary-package-nevr-list`, the generator's
/// `*-nvrs` lists. Its lines are reduced to their names too. Line by line
/// that would mangle names (Debian's `lib3ds-1-3`), but a list of names
/// always holds some that are not of that shape (`bash`), so the whole list
/// decides; a list of one line is too little to tell.
fn reduce_nvr_list(items: &mut [String]) {
    // Lines reduce() took (NEVRAs, SRPM file names) are names by now, so a
    // list mixing them with N-V-Rs is not taken as one (no list of ours or
    // of content-resolver's is like that).
    let names: Vec<Option<usize>> = items
        .iter()
        .map(|i| split_nvr(i).map(|(name, _)| name.len()))
        .collect();
    if names.len() >= 2 && names.iter().all(Option::is_some) {
        for (item, len) in items.iter_mut().zip(names) {
            item.truncate(len.expect("every line checked"));
        }
    }
}

/// A bare `name-[epoch:]version-release` split at its last two dashes:
/// (name, `[epoch:]version-release` as written), when the version (its
/// epoch aside) starts with a digit and the release does too or is
/// content-resolver's `placeholder` (`newlib-000-placeholder`). What the
/// tools' `*-nvrs` lines and content-resolver's N-V-R lists hold.
fn split_nvr(item: &str) -> Option<(&str, &str)> {
    let mut parts = item.rsplitn(3, '-');
    let (release, version, name) = (parts.next()?, parts.next()?, parts.next()?);
    let release_ok = starts_with_digit(release) || release == "placeholder";
    (digit_version(version) && release_ok && !name.is_empty())
        .then(|| (name, &item[name.len() + 1..]))
}

/// Whether `version` (`[epoch:]version`) starts with a digit, its epoch
/// aside: Fedora's packaging rules make every version start with one.
fn digit_version(version: &str) -> bool {
    starts_with_digit(version.rsplit(':').next().unwrap_or(version))
}

fn starts_with_digit(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// The UTF-8 byte order mark (U+FEFF).
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The refusal of a list saved as UTF-16 (Windows' "Unicode", PowerShell
/// 5's `>`), which starts with that encoding's byte order mark: read as
/// UTF-8 it is "not valid UTF-8" at best, names with NULs at worst.
const UTF16: &str = "UTF-16 text (it starts with a UTF-16 byte order mark): a list is UTF-8 text \
     (iconv -f UTF-16 -t UTF-8 converts it)";

/// Said after a NUL in a name: UTF-16 text without its byte order mark, or
/// `find -print0`'s output.
const UTF16_HINT: &str =
    " (a NUL: UTF-16 text, or a NUL-separated list? a list is UTF-8 text, one name per line)";

/// The refusal of a list whose lines end in CR alone.
const CR_ONLY: &str = "its lines end in CR alone (classic Mac OS line ends): a list's lines end \
     in LF or CRLF (tr '\\r' '\\n' converts it)";

/// Whether `first_line` starts with a UTF-16 byte order mark (FF FE, FE FF).
fn is_utf16(first_line: &[u8]) -> bool {
    first_line.starts_with(b"\xff\xfe") || first_line.starts_with(b"\xfe\xff")
}

/// `text` without a leading UTF-8 byte order mark. Editors on Windows (and
/// PowerShell's `Out-File`) start files with one; taken as text it is an
/// invisible character glued to the first name or key. Every reader of a
/// hand-editable text file (lists, `.repo` files, placeholder JSON) drops it.
pub fn strip_bom(text: &[u8]) -> &[u8] {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// The line without its comment: a `#` at the start or after whitespace
/// starts one (rpm names never contain `#`, but be conservative anyway).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// The name in a NEVRA or SRPM file name line; other lines unchanged (the
/// heuristic is described in the module docs).
pub fn reduce(item: &str) -> String {
    reduce_parts(item).map_or_else(|| item.to_string(), |(name, _, _)| name)
}

/// The name, `[epoch:]version-release` and arch of a NEVRA or SRPM file
/// name line, None for a line [`reduce`] keeps (the heuristic of the
/// module docs).
fn reduce_parts(item: &str) -> Option<(String, Evr, String)> {
    if item.ends_with(".src.rpm") || item.ends_with(".nosrc.rpm") {
        if let Ok(n) = parse_srpm_filename(item) {
            if !n.name.contains('/') {
                let arch = if item.ends_with(".src.rpm") {
                    "src"
                } else {
                    "nosrc"
                };
                return Some((n.name, n.evr, arch.to_string()));
            }
        }
    }
    let stem = item.strip_suffix(".rpm").unwrap_or(item);
    let (_, arch) = stem.rsplit_once('.')?;
    if !KNOWN_ARCHES.contains(&arch) {
        return None;
    }
    let n = Nevra::parse(stem).ok()?;
    let release_ok = starts_with_digit(n.evr.release_str())
        || (arch == "placeholder" && n.evr.release_str() == "placeholder");
    (starts_with_digit(&n.evr.version) && release_ok).then_some((n.name, n.evr, n.arch))
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

/// Writes a sorted, unique list to `path` atomically (temp file + rename).
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
    fn a_list_of_nvrs_is_reduced_a_list_of_names_is_not() {
        let read = |text: &str| read_list_from(text.as_bytes(), "l", Names::Reduce).unwrap();
        assert_eq!(
            read(
                "bash-5.2.26-1.eln150\njava-1.8.0-openjdk-1.8.0.402-1.eln150\n\
                 perl-4:5.38.0-1.eln150\nnewlib-000-placeholder\n"
            ),
            ["bash", "java-1.8.0-openjdk", "perl", "newlib"]
        );
        // One name of another shape: every line is a name.
        assert_eq!(read("bash\nlib3ds-1-3\n"), ["bash", "lib3ds-1-3"]);
        // One line is too little to tell.
        assert_eq!(read("lib3ds-1-3\n"), ["lib3ds-1-3"]);
        assert_eq!(
            read("bash-5.2.26-1.eln150\nzlib\n"),
            ["bash-5.2.26-1.eln150", "zlib"]
        );
        // Verbatim lists are never reduced.
        let verbatim = read_list_from(&b"bash-5.2.26-1.eln150\n"[..], "l", Names::Verbatim);
        assert_eq!(verbatim.unwrap(), ["bash-5.2.26-1.eln150"]);
    }

    #[test]
    fn a_leading_byte_order_mark_is_dropped() {
        let v = read_list_from(&b"\xef\xbb\xbfhello\r\nbash\n"[..], "t", Names::Verbatim).unwrap();
        assert_eq!(v, ["hello", "bash"]);
        // Only at the start of the file: elsewhere it is no whitespace.
        let e = read_list_from(&b"a\n\xef\xbb\xbfb\n"[..], "t", Names::Verbatim).unwrap();
        assert_eq!(e[1], "\u{feff}b");
    }

    #[test]
    fn reads_names_comments_and_nvrs() {
        let text = "# compose\nbash\n\n  coreutils  # trailing\npython3-foo-bar\tx#y \t# tab comment\nglibc-2.40-1.eln150.x86_64\nfoo-1.0-1.fc40.src.rpm\nkernel-6.1-1.fc40.x86_64.rpm\n";
        let e = read_list_from(text.as_bytes(), "t", Names::Reduce).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t:5: 'python3-foo-bar\tx#y' is not a package name (one name per line)"
        );
        let text = text.replace("python3-foo-bar\tx#y", "python3-foo-bar");
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
        let e = read_list_from(&b"ok\n\xff\n"[..], "bin.txt", Names::Verbatim).unwrap_err();
        assert_eq!(e.to_string(), "bin.txt:2: not valid UTF-8");
        let e = read_list("/nonexistent/list", Names::Verbatim)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/nonexistent/list: "), "{e}");
    }

    /// A control character is no part of a name: every tool's list refuses
    /// it on its line (workload-diff put `fo\u{1}o` into the workload YAML),
    /// and a list saved as UTF-16 is named as such.
    #[test]
    fn control_characters_and_utf16_are_refused_on_their_line() {
        let err = |bytes: &[u8]| {
            read_list_from(bytes, "l.txt", Names::Reduce)
                .unwrap_err()
                .to_string()
        };
        // Lines ended by CR alone, a comment on the first one or not; a CR
        // inside a line of an LF file is no such file, and shown escaped.
        let cr_only = "l.txt: its lines end in CR alone (classic Mac OS line ends): a list's \
                       lines end in LF or CRLF (tr '\\r' '\\n' converts it)";
        assert_eq!(err(b"bash\rhello\r"), cr_only);
        assert_eq!(err(b"# my list\rhello\rnosuch\r"), cr_only);
        assert_eq!(err(b"hello # the one\rnosuch"), cr_only);
        // Such a file whose last line end is an LF or a CRLF: read as one
        // line, it was an empty list, or a short one.
        assert_eq!(err(b"# my list\rhello\rnosuch\n"), cr_only);
        assert_eq!(err(b"hello # the one\rnosuch\r\n"), cr_only);
        // A stray CR in a comment of an LF file's first line is that line's.
        let ok = read_list_from(&b"hello # a\rb\nbash\n"[..], "l.txt", Names::Reduce);
        assert_eq!(ok.unwrap(), ["hello", "bash"]);
        assert_eq!(
            err(b"bash\nfo\ro\n"),
            "l.txt:2: 'fo\\ro' is not a package name (one name per line)"
        );
        // CRLF, and a last line of CRLF without its LF, read as before.
        let ok = read_list_from(&b"bash\r\nhello\r\nmake\r"[..], "l.txt", Names::Reduce);
        assert_eq!(ok.unwrap(), ["bash", "hello", "make"]);
        assert_eq!(
            err(b"bash\nfo\x01o\n"),
            "l.txt:2: 'fo\\u{1}o' is not a package name: it holds a control character"
        );
        assert_eq!(
            err(b"bash\n\x1a"),
            "l.txt:2: '\\u{1a}' is not a package name: it holds a control character"
        );
        // UTF-16LE without a byte order mark: NULs between the letters.
        assert_eq!(
            err(b"h\0i\0\n\0"),
            format!(
                "l.txt:1: 'h\\u{{0}}i\\u{{0}}' is not a package name: it holds a control \
                 character{UTF16_HINT}"
            )
        );
        for mark in [&b"\xff\xfeh\0i\0\n\0"[..], b"\xfe\xff\0h\0i\0\n"] {
            assert_eq!(err(mark), format!("l.txt: {UTF16}"));
        }
        // A tab between words is still two words; a CRLF line end is fine.
        assert!(err(b"a\tb\n").ends_with("(one name per line)"));
        let ok = read_list_from(&b"a\r\nb\r\n"[..], "l.txt", Names::Verbatim).unwrap();
        assert_eq!(ok, ["a", "b"]);
    }

    /// A name given where INPUT's file goes is answered with how to give
    /// it; a missing list file keeps the system's message alone.
    #[test]
    fn a_name_given_as_the_input_file_is_told_how_to_give_it() {
        let e = read_input_list("hello", Names::Verbatim).unwrap_err();
        assert_eq!(
            e.to_string(),
            "hello: No such file or directory (the input is a file listing names, one per \
             line; to give names, pipe them in: echo hello | ...)"
        );
        for path in ["sources.txt", "/nonexistent/hello"] {
            let e = read_input_list(path, Names::Verbatim).unwrap_err();
            assert_eq!(e.to_string(), format!("{path}: No such file or directory"));
        }
    }

    #[test]
    fn reduction_heuristic_keeps_plain_names() {
        for (line, want) in [
            ("bash-5.2.26-3.fc40.x86_64", "bash"),
            ("bash-0:5.2.26-3.fc40.x86_64", "bash"),
            ("foo-1.0-1.fc40.src.rpm", "foo"),
            ("python3-foo-bar-1.2-0.rc1.fc40.noarch", "python3-foo-bar"),
            ("newthing-000-placeholder.placeholder", "newthing"),
            // Plain names, including ones with dashes, digits and dots.
            ("python3-foo-bar", "python3-foo-bar"),
            ("java-1.8.0-openjdk", "java-1.8.0-openjdk"),
            ("java-1.8.0-openjdk.x86_64", "java-1.8.0-openjdk.x86_64"),
            ("python3.12", "python3.12"),
            ("compat-32", "compat-32"),
            ("gcc-c++", "gcc-c++"),
            ("foo-1.0-1.fc40.unknownarch", "foo-1.0-1.fc40.unknownarch"),
        ] {
            assert_eq!(reduce(line), want, "{line}");
        }
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
