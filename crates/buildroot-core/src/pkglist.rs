//! Package lists: one item per line, as every tool reads them from a file or
//! stdin (`-`) and writes them to stdout or a file.
//!
//! Reading: a UTF-8 byte order mark at the start is dropped (Windows
//! editors write one; it would otherwise stick, invisible, to the first
//! name); whitespace around an item is trimmed; blank lines, whole-line
//! `#` comments and trailing comments (`bash   # core`, a `#` after
//! whitespace) are ignored. A line holding two words is an error (a list has
//! one item per line), so a pasted table fails loudly instead of silently
//! producing nonsense names.
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

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::evr::{parse_srpm_filename, Evr, Nevra};

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
            strip_bom(&buf)
        } else {
            &buf[..]
        };
        let line = std::str::from_utf8(bytes)
            .map_err(|_| Error::at_line(origin, lineno, "not valid UTF-8"))?;
        let item = strip_comment(line).trim();
        if item.is_empty() {
            continue;
        }
        if item.contains(char::is_whitespace) {
            return Err(Error::at_line(
                origin,
                lineno,
                format!("'{item}' is not a package name (one name per line)"),
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

/// The package name `item` stands for, given which names exist (`known`):
/// the item itself when it is a name, else the name of its NEVRA or SRPM file
/// name ([`reduce`]), else the name of a bare `name-version-release` (the
/// tools' own `*-nvrs` lists) or of a `name.arch` when that name exists. A line nothing explains
/// comes back unchanged, for the caller to report.
///
/// Checking against real names keeps plain names safe: `java-1.8.0-openjdk`
/// is a package, so it is never cut to `java`.
pub fn name_in(item: &str, known: impl Fn(&str) -> bool) -> String {
    name_and_version_in(item, known).0
}

/// What [`name_in`] takes `item` as, with the version the item gave:
/// `[epoch:]version-release` as written (an NVR from a `*-nvrs` list has no
/// epoch even when the package has one, so a caller comparing versions
/// needs to know whether one was given); None when the item is a name.
pub fn name_and_version_in(item: &str, known: impl Fn(&str) -> bool) -> (String, Option<String>) {
    let s = parts_in(item, known, false);
    (s.name, s.version)
}

/// A package named by a query, as [`subject_in`] takes it apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The package name ([`name_in`]'s answer).
    pub name: String,
    /// `[epoch:]version[-release]` as written; None when none was given.
    pub version: Option<String>,
    /// The arch the query gave (a NEVRA's, a `name.arch`'s, `src` for an
    /// SRPM file name); None when none was given.
    pub arch: Option<String>,
}

/// What a query for one package (`--why`) names, as dnf takes a package
/// spec: [`name_and_version_in`]'s forms with the arch they give, and
/// dnf's `name-[epoch:]version` (its NEV form, `nasm-2.16.03`), which a
/// list line never is (it would take `lib3ds-1` for lib3ds when that is
/// known). A NEV is tried last, as dnf tries it last.
pub fn subject_in(item: &str, known: impl Fn(&str) -> bool) -> Subject {
    parts_in(item, known, true)
}

fn parts_in(item: &str, known: impl Fn(&str) -> bool, nev: bool) -> Subject {
    let only_name = |name: &str| Subject {
        name: name.to_string(),
        version: None,
        arch: None,
    };
    if known(item) {
        return only_name(item);
    }
    if let Some((name, evr, arch)) = reduce_parts(item) {
        if known(&name) {
            // The version as written: the item between the name and the
            // arch or file name suffix (`Evr`'s Display drops a `0:`).
            // An SRPM file name may come with a directory: the name starts
            // the last path component, not the item.
            let base = item.rsplit('/').next().unwrap_or(item);
            let rest = base
                .strip_prefix(name.as_str())
                .and_then(|r| r.strip_prefix('-'));
            let written = rest
                .and_then(|rest| {
                    rest.find(&evr.vr())
                        .map(|at| rest[..at + evr.vr().len()].to_string())
                })
                .unwrap_or_else(|| evr.to_string());
            return Subject {
                name,
                version: Some(written),
                arch: Some(arch),
            };
        }
    }
    if let Some((name, version)) = split_nvr(item).filter(|(name, _)| known(name)) {
        return Subject {
            version: Some(version.to_string()),
            ..only_name(name)
        };
    }
    // dnf's `name.arch` (its NA form), as packagers type it.
    if let Some((name, arch)) = item.rsplit_once('.') {
        if KNOWN_ARCHES.contains(&arch) && arch != "placeholder" && known(name) {
            return Subject {
                arch: Some(arch.to_string()),
                ..only_name(name)
            };
        }
    }
    // dnf's `name-[epoch:]version` (NEV).
    if let Some((name, version)) = item.rsplit_once('-').filter(|_| nev) {
        let epoch_ok = version
            .split_once(':')
            .is_none_or(|(e, _)| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()));
        if digit_version(version) && epoch_ok && known(name) {
            return Subject {
                version: Some(version.to_string()),
                ..only_name(name)
            };
        }
    }
    only_name(item)
}

/// The names a list's lines stand for ([`name_in`] against `known`), for a
/// step that deletes what its list does not name (the SRPM cache, a source
/// repo): a list with lines of which none names anything known is refused
/// rather than taken as "keep nothing" (a binary list, a list of another
/// distribution, a file that is not a list). `list` is the list's path
/// (`-`: stdin), `what` says what a line should name (`a source package of
/// the repositories`), `kept` says what is left as it was.
pub fn names_in_list(
    list: &str,
    lines: &[String],
    known: impl Fn(&str) -> bool,
    what: &str,
    kept: &str,
) -> Result<Vec<String>> {
    let names: Vec<String> = lines.iter().map(|l| name_in(l, &known)).collect();
    match names.first() {
        Some(first) if !names.iter().any(|n| known(n)) => {
            let list = if list == "-" { "<stdin>" } else { list };
            let said = match names.len() {
                1 => format!("its one line, '{first}', does not name {what}"),
                n => format!("none of its {n} lines names {what} (the first: '{first}')"),
            };
            Err(Error::format(list, format!("{said}; {kept}")))
        }
        _ => Ok(names),
    }
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
    fn a_list_that_names_nothing_known_is_refused() {
        let known = |n: &str| ["bash", "java-1.8.0-openjdk"].contains(&n);
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The tools' own `*-nvrs` lines and NEVRAs name their packages.
        let got = names_in_list(
            "l",
            &lines(&["bash-5.2.26-1.eln150", "java-1.8.0-openjdk", "nope"]),
            known,
            "a source",
            "kept",
        );
        assert_eq!(got.unwrap(), ["bash", "java-1.8.0-openjdk", "nope"]);
        let e = names_in_list("-", &lines(&["nope-1-1", "zzz"]), known, "a source", "kept");
        assert_eq!(
            e.unwrap_err().to_string(),
            "<stdin>: none of its 2 lines names a source (the first: 'nope-1-1'); kept"
        );
        // An empty list is the caller's to allow or refuse.
        assert!(names_in_list("l", &[], known, "a source", "kept")
            .unwrap()
            .is_empty());
    }

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

    #[test]
    fn name_in_takes_names_nevras_and_bare_nvrs_that_exist() {
        let known =
            |n: &str| ["libjpeg-turbo", "java-1.8.0-openjdk", "hello", "foo-1"].contains(&n);
        for (line, want) in [
            ("hello", "hello"),
            ("java-1.8.0-openjdk", "java-1.8.0-openjdk"),
            ("libjpeg-turbo-3.0.3-1.eln150", "libjpeg-turbo"),
            ("libjpeg-turbo-1:3.0.3-1.eln150", "libjpeg-turbo"),
            ("hello-0:2.12.1-1.eln150.src", "hello"),
            ("hello-2.12.1-1.eln150.src.rpm", "hello"),
            ("foo-1", "foo-1"),
            // dnf's name.arch.
            ("hello.x86_64", "hello"),
            ("hello.src", "hello"),
            ("java-1.8.0-openjdk.noarch", "java-1.8.0-openjdk"),
            ("hello.weird", "hello.weird"),
            ("nosuch.x86_64", "nosuch.x86_64"),
            // Unknown names and non-versions stay as given, for the caller to report.
            ("nosuch-1.0-1", "nosuch-1.0-1"),
            ("hello-world-x", "hello-world-x"),
        ] {
            assert_eq!(name_in(line, known), want, "{line}");
        }
    }

    #[test]
    fn name_and_version_in_keeps_the_version_as_written() {
        let known = |n: &str| ["nasm", "hello", "java-1.8.0-openjdk"].contains(&n);
        for (line, name, version) in [
            ("nasm", "nasm", None),
            ("java-1.8.0-openjdk", "java-1.8.0-openjdk", None),
            (
                "nasm-2.16.03-1.eln150.x86_64",
                "nasm",
                Some("2.16.03-1.eln150"),
            ),
            (
                "nasm-0:2.16.03-1.eln150.x86_64",
                "nasm",
                Some("0:2.16.03-1.eln150"),
            ),
            (
                "nasm-2.16.03-1.eln150.x86_64.rpm",
                "nasm",
                Some("2.16.03-1.eln150"),
            ),
            (
                "hello-1:2.12.1-1.eln150.src.rpm",
                "hello",
                Some("1:2.12.1-1.eln150"),
            ),
            ("nasm-2.16.03-1.eln150", "nasm", Some("2.16.03-1.eln150")),
            (
                "nasm-3:2.16.03-1.eln150",
                "nasm",
                Some("3:2.16.03-1.eln150"),
            ),
            ("nosuch-1.0-1", "nosuch-1.0-1", None),
            // An SRPM path: the name starts its last component (a
            // multi-byte directory name once cut a char in two: a panic).
            (
                "abcdé/hello-2.12.1-1.eln150.src.rpm",
                "hello",
                Some("2.12.1-1.eln150"),
            ),
            (
                "x/hello-2.12.1-1.eln150.src.rpm",
                "hello",
                Some("2.12.1-1.eln150"),
            ),
        ] {
            assert_eq!(
                name_and_version_in(line, known),
                (name.to_string(), version.map(str::to_string)),
                "{line}"
            );
        }
    }

    #[test]
    fn subject_in_gives_the_arch_and_takes_a_name_version() {
        let known = |n: &str| ["nasm", "glibc", "lib3ds-1"].contains(&n);
        let subject = |name: &str, version: Option<&str>, arch: Option<&str>| Subject {
            name: name.into(),
            version: version.map(str::to_string),
            arch: arch.map(str::to_string),
        };
        for (line, want) in [
            ("nasm", subject("nasm", None, None)),
            (
                "glibc-2.40-1.eln150.i686",
                subject("glibc", Some("2.40-1.eln150"), Some("i686")),
            ),
            ("glibc.i686", subject("glibc", None, Some("i686"))),
            (
                "nasm-2.16.03-1.eln150.src.rpm",
                subject("nasm", Some("2.16.03-1.eln150"), Some("src")),
            ),
            (
                "nasm-2.16.03-1.eln150",
                subject("nasm", Some("2.16.03-1.eln150"), None),
            ),
            // dnf's NEV form: a version without its release.
            ("nasm-2.16.03", subject("nasm", Some("2.16.03"), None)),
            ("nasm-1:2.16.03", subject("nasm", Some("1:2.16.03"), None)),
            // A known name wins, as dnf tries NAME before NEV.
            ("lib3ds-1", subject("lib3ds-1", None, None)),
            // Not a version, not a known name, not an epoch.
            ("nasm-devel", subject("nasm-devel", None, None)),
            ("nosuch-1.0", subject("nosuch-1.0", None, None)),
            ("nasm-x:1", subject("nasm-x:1", None, None)),
        ] {
            assert_eq!(subject_in(line, known), want, "{line}");
        }
        // A list line is never a NEV: `name_in` keeps it.
        assert_eq!(name_in("nasm-2.16.03", known), "nasm-2.16.03");
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
