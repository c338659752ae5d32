//! `%setup` and `%patch`, the two macros rpm defines only while it reads a
//! `%prep` section (rpm 4.20 and later: built-in macros of the spec parser,
//! so a `%setup` or `%patch` in a comment line of `%prep` runs too).
//!
//! We produce none of their shell text (a `%prep` body is no BuildRequires
//! of ours); we check their arguments as rpm does, so a spec rpm rejects is
//! one we report: options are read as popt reads them (clustered short
//! options, a value attached or in the next word), `-a`/`-b` of `%setup`
//! and the numbers of `%patch` must be unsigned decimal numbers, and each
//! source or patch they name must have been declared by then. rpm 4.20 only
//! logs a missing source or patch number and goes on; rpm 6.1 (Fedora
//! rawhide's rpm) fails the parse, and so do we.

use super::expand::Engine;
use super::table::{level, Builtin, Entry};

/// What an option of the popt table takes.
#[derive(Clone, Copy, PartialEq)]
enum Takes {
    Nothing,
    Text,
    Int,
}

const SETUP_OPTS: &[(u8, Takes)] = &[
    (b'a', Takes::Text),
    (b'b', Takes::Text),
    (b'c', Takes::Nothing),
    (b'C', Takes::Nothing),
    (b'D', Takes::Nothing),
    (b'n', Takes::Text),
    (b'T', Takes::Nothing),
    (b'q', Takes::Nothing),
];

const PATCH_OPTS: &[(u8, Takes)] = &[
    (b'P', Takes::Text),
    (b'p', Takes::Int),
    (b'R', Takes::Nothing),
    (b'E', Takes::Nothing),
    (b'b', Takes::Text),
    (b'z', Takes::Text),
    (b'F', Takes::Int),
    (b'd', Takes::Text),
    (b'o', Takes::Text),
    (b'Z', Takes::Nothing),
];

/// Defines `%setup` and `%patch` for the `%prep` section about to be read.
pub(super) fn enter(eng: &mut Engine) {
    for (name, bi) in [("setup", Builtin::Setup), ("patch", Builtin::PatchCmd)] {
        let e = Entry {
            opts: Some("-".into()),
            builtin: Some((bi, -1, false)),
            ..Entry::new("<builtin>", None, level::SPEC)
        };
        eng.table.push(name, e);
    }
}

/// Drops what [`enter`] defined, at the end of the section.
pub(super) fn leave(eng: &mut Engine) {
    eng.table.pop("patch");
    eng.table.pop("setup");
}

/// A popt failure: its message and the word it stopped at.
struct PoptError(&'static str, String);

/// What popt read: the options with their values in order, then the words
/// that are no options.
type Popt = (Vec<(u8, String)>, Vec<String>);

/// popt's reading of `words` against `table`.
fn popt(table: &[(u8, Takes)], words: &[String]) -> Result<Popt, PoptError> {
    let mut opts = Vec::new();
    let mut rest = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let w = &words[k];
        k += 1;
        if w == "--" {
            rest.extend(words[k..].iter().cloned());
            break;
        }
        if w.starts_with("--") {
            return Err(PoptError("unknown option", w.clone()));
        }
        if !w.starts_with('-') || w.len() == 1 {
            rest.push(w.clone());
            continue;
        }
        let b = w.as_bytes();
        let mut i = 1;
        while i < b.len() {
            let Some(&(c, takes)) = table.iter().find(|o| o.0 == b[i]) else {
                return Err(PoptError("unknown option", w.clone()));
            };
            i += 1;
            if takes == Takes::Nothing {
                opts.push((c, String::new()));
                continue;
            }
            let value = if i < b.len() {
                String::from_utf8_lossy(&b[i..]).into_owned()
            } else if k < words.len() {
                k += 1;
                words[k - 1].clone()
            } else {
                return Err(PoptError("missing argument", w.clone()));
            };
            if takes == Takes::Int && value.trim_start().parse::<i32>().is_err() {
                return Err(PoptError("invalid numeric value", value));
            }
            opts.push((c, value));
            break;
        }
    }
    Ok((opts, rest))
}

/// rpm's reading of a source or patch number: blanks, then decimal digits
/// only, within 32 bits.
fn unsigned(s: &str) -> Option<u32> {
    let t = s.trim_start();
    if !t.starts_with(|c: char| c.is_ascii_digit()) || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The call's words joined and split again as popt splits a string (rpm
/// joins the macro's arguments with blanks and hands that to popt).
fn words(argv: &[Vec<u8>]) -> (String, Vec<String>) {
    let line = argv
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let split = super::parse::popt_split(&line)
        .unwrap_or_else(|_| line.split_whitespace().map(str::to_string).collect());
    (line, split.into_iter().skip(1).collect())
}

fn has(list: &[(u32, String)], n: u32) -> bool {
    list.iter().any(|(m, _)| *m == n)
}

/// `%setup`: `-a N`/`-b N` name sources to unpack, and without `-T`
/// Source0 is unpacked.
pub(super) fn setup(eng: &mut Engine, argv: &[Vec<u8>]) {
    let (_, words) = words(argv);
    let (opts, _) = match popt(SETUP_OPTS, &words) {
        Ok(r) => r,
        Err(PoptError(msg, w)) => {
            // rpm's popt loop unpacks the -a/-b sources before the bad option.
            return eng.fail(format!("Bad %setup option {w}: {msg}"));
        }
    };
    for (c, v) in &opts {
        if *c == b'a' || *c == b'b' {
            let Some(n) = unsigned(v) else {
                return eng.fail(format!("Bad arg to %setup: {v}"));
            };
            if !has(&eng.lua_sources, n) {
                return eng.fail(format!("No source number {n}"));
            }
        }
    }
    // rpm 6.1 defines %buildsubdir here (the last -n, else the main
    // package's NAME-VERSION, as its header has them: a later `%define
    // version` changes the macro only): a BuildRequires of a subpackage read
    // after %prep sees it.
    let dir = match opts.iter().rev().find(|(c, _)| *c == b'n') {
        Some((_, v)) => v.clone(),
        None => {
            let (name, version) = &eng.header_name_version;
            format!("{name}-{version}")
        }
    };
    eng.table
        .push("buildsubdir", Entry::new(&dir, None, level::SPEC));
    if !opts.iter().any(|(c, _)| *c == b'T') && !has(&eng.lua_sources, 0) {
        eng.fail("No source number 0");
    }
}

/// `%patch`: the patches named by `-P N` and by the words that are no
/// options, each declared before.
pub(super) fn patch(eng: &mut Engine, argv: &[Vec<u8>]) {
    let (line, words) = words(argv);
    let (opts, rest) = match popt(PATCH_OPTS, &words) {
        Ok(r) => r,
        Err(PoptError(msg, w)) => return eng.fail(format!("{msg}: {w}: {line}")),
    };
    let nums: Vec<&String> = opts
        .iter()
        .filter(|(c, _)| *c == b'P')
        .map(|(_, v)| v)
        .chain(rest.iter())
        .collect();
    if nums.is_empty() {
        return eng.fail(format!("Patch number not specified: {line}"));
    }
    for p in nums {
        let Some(n) = unsigned(p) else {
            return eng.fail(format!("Invalid patch number {p}: {line}"));
        };
        if !has(&eng.lua_patches, n) {
            return eng.fail(format!("No patch number {n}"));
        }
    }
}
