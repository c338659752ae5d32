//! The INI reader under `.repo` and `dnf.conf` files, as libdnf 0.69
//! reads them (libdnf/utils/iniparser `IniParser::next`, fed to
//! libdnf/conf/ConfigParser): sections, `key=value` lines, continuation
//! lines, comments and quotes; nothing about what the keys mean. Separate
//! from the option parsing in [`super`] because both `.repo` files and a
//! `dnf.conf`'s `[main]` ([`super::dnf_conf`]) go through it.

use std::path::Path;

use crate::error::{Error, Result};

/// A `.repo` or `dnf.conf` file's text. libdnf reads bytes: dnf 4.14 reads
/// a file with a comment that is not UTF-8 (a Latin-1 `# café`) as any
/// other, while such bytes in a repo id or in the value of an option it
/// knows (`name=`, `gpgkey=`, of a disabled repo too) stop it (a Python
/// `TypeError` as the text reaches libdnf). So a comment line that is not
/// UTF-8 is read as an empty comment; any other such line is an error on
/// its line. (dnf also reads such bytes in what it never hands libdnf: a
/// key it does not know, a `.repo`'s `[main]`, a section whose id it
/// skips; the tools refuse those too, `docs/formats.md` section 8.)
pub(super) fn read_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => text_of_bytes(e.as_bytes(), &path.display().to_string()),
    }
}

/// [`read_file`]'s reading of bytes that are not all UTF-8.
fn text_of_bytes(bytes: &[u8], origin: &str) -> Result<String> {
    let mut text = String::with_capacity(bytes.len());
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        match std::str::from_utf8(line) {
            Ok(line) => text.push_str(line),
            Err(_) if line.starts_with(b"#") || line.starts_with(b";") => text.push('#'),
            Err(_) => {
                return Err(Error::at_line(
                    origin,
                    i + 1,
                    "not UTF-8 text (read in a comment line only; dnf stops on such bytes in a repo id or an option it knows)",
                ))
            }
        }
    }
    Ok(text)
}

/// One `[id]` section: its id, line number and `key=value` pairs (each with
/// its line number).
type Section = (String, usize, Vec<(String, String, usize)>);

/// The sections of `.repo` or `dnf.conf` text as libdnf's INI parser
/// (`IniParser::next`, `ConfigParser`) reads them, in the order they first
/// appear:
/// - a comment is a line starting with `#` or `;` (in its first column);
///   it and an empty line end a value; a line of blanks continues it;
/// - an indented line continues the value before it (after a comment or an
///   empty line there is none: an error, as libdnf's "illegal continuation
///   line", which makes dnf skip the file);
/// - a header may be indented and followed by a comment; a section named
///   again is the same section, and a key given again keeps its place with
///   the last value;
/// - keys keep their case (`Priority` is no option of dnf's); a value loses
///   trailing blanks and one pair of quotes around it.
pub(super) fn sections(text: &str, origin: &str) -> Result<Vec<Section>> {
    let blank = |c: char| c == ' ' || c == '\t' || c == '\r';
    // A byte order mark would make the first line an invalid header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    // The section lines go to, and the key whose value is open.
    let mut current: Option<usize> = None;
    let mut open_key: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let lineno = i + 1;
        let err = |msg: &str| Error::at_line(origin, lineno, msg);
        if line.is_empty() || line.starts_with(['#', ';']) {
            open_key = None;
            continue;
        }
        let Some(start) = line.find(|c: char| !blank(c)) else {
            // Blanks only: part of an open value (as a line break).
            if let (Some(s), Some(k)) = (current, open_key) {
                sections[s].2[k].1.push('\n');
            }
            continue;
        };
        let body = line[start..].trim_end_matches(blank);
        if start == 0 || body.starts_with('[') {
            open_key = None;
        }
        if let Some(rest) = body.strip_prefix('[') {
            let close = rest
                .find(']')
                .ok_or_else(|| err("section header without ']'"))?;
            let id = &rest[..close];
            if id.is_empty() {
                return Err(err("empty section name"));
            }
            // libdnf looks at what follows up to, not including, the
            // line's last non-blank byte: `[a] x` passes, `[a] xy` does not.
            let after = &rest.as_bytes()[close + 1..];
            let checked = &after[..after.len().saturating_sub(1)];
            for &c in checked {
                match c {
                    b'#' | b';' => break,
                    b' ' | b'\t' | b'\r' => {}
                    _ => return Err(err("text after the section header")),
                }
            }
            current = Some(match sections.iter().position(|(seen, ..)| seen == id) {
                Some(at) => at,
                None => {
                    sections.push((id.to_string(), lineno, Vec::new()));
                    sections.len() - 1
                }
            });
            continue;
        }
        // A mock .cfg is Python: what dnf reads is the text of its
        // config_opts['dnf.conf'].
        let mock = || {
            if body.starts_with("config_opts") || body.starts_with("include(") {
                " (a mock .cfg is Python: give the text of its config_opts['dnf.conf'] as a file)"
            } else {
                ""
            }
        };
        let Some(s) = current else {
            return Err(err(&format!(
                "'key=value' before the first [section]{}",
                mock()
            )));
        };
        let kv = &mut sections[s].2;
        if start > 0 {
            // Continuation of the open value (e.g. more baseurls).
            let k = open_key.ok_or_else(|| {
                err("indented line with no value to continue (after a comment or an empty line, dnf skips the whole file)")
            })?;
            kv[k].1.push('\n');
            kv[k].1.push_str(body);
            continue;
        }
        let (k, v) = body.split_once('=').ok_or_else(|| {
            err(&format!(
                "expected 'key=value', a '[section]' or a comment{}",
                mock()
            ))
        })?;
        let k = k.trim_end_matches([' ', '\t']);
        if k.is_empty() {
            return Err(err("'=' without a key"));
        }
        let entry = (k.to_string(), value_of(line, v), lineno);
        let at = match kv.iter().position(|(seen, ..)| *seen == entry.0) {
            Some(at) => {
                kv[at] = entry;
                at
            }
            None => {
                kv.push(entry);
                kv.len() - 1
            }
        };
        open_key = Some(at);
    }
    for (_, _, kv) in &mut sections {
        for (_, v, _) in kv.iter_mut() {
            *v = trim_value(v);
        }
    }
    Ok(sections)
}

/// The value of a `key=value` line (`line` whole, `trimmed` the value
/// after its trailing blanks went): leading spaces and tabs go. libdnf
/// cuts the value from its first byte that is no space or tab to the
/// line's last byte that is no blank (space, tab, CR); when the value is
/// a space or tab, then blanks with a CR among them (`key= ` in a file of
/// CRLF line ends, as a file saved on Windows has), that end comes before
/// the start and the count wraps, so the value is the rest of the line from that start: a
/// `\r`. dnf then keeps it as an item (an `excludepkgs= ` line adds a
/// pattern that matches nothing, where an empty value empties the list; an
/// `includepkgs= ` line includes nothing) or a URL it fails to fetch.
fn value_of(line: &str, trimmed: &str) -> String {
    let trimmed = trimmed.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() {
        let after = line.split_once('=').map_or("", |(_, v)| v);
        let rest = after.trim_start_matches([' ', '\t']);
        // With no blank before the CR (`key=` then CRLF) the count is 0.
        if rest.len() < after.len() && rest.contains('\r') {
            return rest.to_string();
        }
    }
    trimmed.to_string()
}

/// A value as libdnf's parser ends it: trailing line breaks dropped, then
/// one pair of matching quotes (`"..."` or `'...'`) around it.
fn trim_value(v: &str) -> String {
    // libdnf's `trimValue` cuts after the last byte that is no line break,
    // and leaves a value of line breaks only as it is: an empty `key=`
    // then a line of blanks (or, in a file of CRLF line ends, an empty
    // line: a CR) is one line break to dnf, a URL it fails to fetch.
    let v = match v.trim_end_matches('\n') {
        "" => v,
        trimmed => trimmed,
    };
    let quoted = v.len() > 1
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')));
    if quoted {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}
