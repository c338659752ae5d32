//! What expat refuses in a comps document where quick-xml reads on: the
//! well-formedness checks of expat 2.5 (`XML_Parse`, as libcomps 0.1.19's
//! `comps_parse_str`/`comps_parse_file` call it) that [`super::comps`]'s
//! reader lacks. libcomps refuses the whole file on any of them (dnf 4 then
//! reads none of that repo's groups; the tools refuse it, docs/formats.md
//! section 8), so one pass over the document checks them all first:
//!
//! - The bytes are UTF-8: libcomps creates its parser for UTF-8, whatever
//!   the XML declaration says (`encoding="ISO-8859-1"` on UTF-8 text reads
//!   as UTF-8; Latin-1 bytes are refused). Or UTF-16, which expat tells
//!   from its first bytes whatever libcomps asked for (a byte order mark,
//!   or the `<` of the document's start as two bytes): [`as_utf8`]. UTF-32
//!   is refused, as expat (which does not know it) meets a NUL there.
//! - Every character is an XML `Char` (no C0 control but tab, LF and CR;
//!   no U+FFFE or U+FFFF), written or given by a character reference
//!   (`&#0;`, `&#xFFFE;`, `&#xD800;` are refused).
//! - An XML declaration comes first or not at all, and names a version
//!   (libcomps crashes on one after blanks or without a version: refused).
//! - A comment holds no `--`; text holds no `]]>`; an attribute is written
//!   `name="value"` or `name='value'`, once per element, without `<` or a
//!   bare `&` in its value.
//! - An entity reference names one of XML's five or one the DOCTYPE's
//!   internal subset declares (`<!DOCTYPE comps [<!ENTITY e "...">]>`),
//!   unless the DOCTYPE names an external DTD (Fedora's does: `PUBLIC
//!   "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd"`), which expat does
//!   not read: it then skips a reference to an entity it does not know.
//!   A declared entity's text, or a skipped one, reaches libcomps' element
//!   text as nothing (`a&e;` is `a`), which [`Declared`] gives the reader.

use std::collections::HashSet;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, Result};

/// The entities whose references give no text: those a document's
/// internal subset declares, and those expat skips.
pub type Declared = HashSet<String>;

/// Whether `c` is XML 1.0's `Char`.
fn xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// The document as UTF-8: `bytes` themselves, or a UTF-16 document (see
/// the module's comment: expat's `initScan` looks at the first two bytes)
/// decoded; one that does not decode (an odd byte, a lone surrogate) is
/// refused as expat refuses it. A byte order mark is dropped.
pub fn as_utf8(bytes: Vec<u8>, origin: &str) -> Result<Vec<u8>> {
    // UTF-32 (a byte order mark, or the document's `<` as four bytes):
    // expat's `initScan` knows no such encoding and meets a NUL, in UTF-8
    // or in UTF-16 (`FF FE 00 00` is UTF-16's mark then U+0000).
    if let Some([0, 0, 0xFE, 0xFF] | [0xFF, 0xFE, 0, 0] | [0, 0, 0, b'<'] | [b'<', 0, 0, 0]) =
        bytes.get(..4)
    {
        return Err(Error::format(
            origin,
            "malformed XML: a UTF-32 document (expat reads UTF-8 and UTF-16 only, and libcomps \
             refuses the file; convert it to UTF-8)",
        ));
    }
    let (big_endian, skip) = match bytes.get(..2) {
        Some([0xFE, 0xFF]) => (true, 2),
        Some([0xFF, 0xFE]) => (false, 2),
        Some([0x00, b'<']) => (true, 0),
        Some([b'<', 0x00]) => (false, 0),
        _ => return Ok(bytes),
    };
    let body = &bytes[skip..];
    let units = body.chunks(2).map(|p| match *p {
        [a, b] if big_endian => Ok(u16::from_be_bytes([a, b])),
        [a, b] => Ok(u16::from_le_bytes([a, b])),
        _ => Err(()),
    });
    let mut out = String::with_capacity(body.len());
    for c in char::decode_utf16(units.map_while(|u| u.ok())) {
        let c = c.map_err(|_| {
            Error::format(origin, "malformed XML: a lone surrogate in a UTF-16 document (expat refuses it, and libcomps the file)")
        })?;
        out.push(c);
    }
    if body.len() % 2 == 1 {
        return Err(Error::format(
            origin,
            "malformed XML: a UTF-16 document of an odd number of bytes (expat refuses it, and libcomps the file)",
        ));
    }
    Ok(out.into_bytes())
}

/// Checks `bytes` as expat checks them (see the module's comment); the
/// internal subset's entities, or a one-line error naming `origin`.
pub fn check(bytes: &[u8], origin: &str) -> Result<Declared> {
    let bad = |at: usize, what: String| {
        Error::format(
            origin,
            format!("malformed XML at byte {at}: {what} (expat refuses it, and libcomps the file)"),
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        bad(
            e.valid_up_to(),
            "not UTF-8 (libcomps reads comps as UTF-8, whatever the XML declaration says)"
                .to_string(),
        )
    })?;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| !xml_char(u32::from(c))) {
        return Err(bad(
            at,
            format!("character U+{:04X} is not allowed in XML", u32::from(c)),
        ));
    }
    let body = &text[start..];
    let mut reader = Reader::from_str(body);
    reader.config_mut().check_comments = true;
    let mut declared = Declared::new();
    let mut external_dtd = false;
    let mut first = true;
    loop {
        let at = start + reader.buffer_position() as usize;
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => return Err(bad(at, e.to_string())),
        };
        let was_first = std::mem::replace(&mut first, false);
        match ev {
            Event::Decl(d) => {
                if !was_first {
                    return Err(bad(at, "an XML declaration not at the start".into()));
                }
                if d.version().is_err() {
                    return Err(bad(at, "an XML declaration without a version".into()));
                }
            }
            Event::PI(p) if p.target().eq_ignore_ascii_case("xml") => {
                return Err(bad(at, "an XML declaration not at the start".into()));
            }
            Event::Comment(c) if AsRef::<str>::as_ref(&c).ends_with('-') => {
                return Err(bad(at, "a comment ending in '-'".into()));
            }
            Event::Text(t) if AsRef::<str>::as_ref(&t).contains("]]>") => {
                return Err(bad(at, "']]>' in text".into()));
            }
            Event::Start(s) | Event::Empty(s) => {
                attributes_well_formed(&s).map_err(|what| bad(at, what))?
            }
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) if xml_char(u32::from(c)) => {}
                Ok(None) => {
                    let name = AsRef::<str>::as_ref(&r).to_string();
                    let known = ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_str());
                    if !known && !declared.contains(&name) {
                        if !external_dtd {
                            return Err(bad(at, format!("undefined entity &{name};")));
                        }
                        declared.insert(name);
                    }
                }
                _ => return Err(bad(at, "reference to invalid character number".into())),
            },
            Event::DocType(d) => {
                let d: &str = d.as_ref();
                declared = internal_entities(d);
                // `<!DOCTYPE comps PUBLIC "..." "comps.dtd">` or `SYSTEM`.
                let head = d.split('[').next().unwrap_or_default();
                external_dtd = head
                    .split_whitespace()
                    .any(|w| w == "PUBLIC" || w == "SYSTEM");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(declared)
}

/// quick-xml's own attribute checks (a name once, `=`, a quoted value),
/// and a value without `<` whose every `&` starts a reference.
fn attributes_well_formed(s: &BytesStart<'_>) -> std::result::Result<(), String> {
    for a in s.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let v: &[u8] = a.value.as_bytes();
        if v.contains(&b'<') {
            return Err("'<' in an attribute value".into());
        }
        let mut rest = v;
        while let Some(i) = rest.iter().position(|&b| b == b'&') {
            rest = &rest[i + 1..];
            let end = rest.iter().position(|&b| b == b';');
            let Some(end) = end else {
                return Err("a bare '&' in an attribute value".into());
            };
            let name = &rest[..end];
            let ok = match name {
                [b'#', b'x', hex @ ..] => std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .is_some_and(xml_char),
                [b'#', dec @ ..] => std::str::from_utf8(dec)
                    .ok()
                    .and_then(|d| d.parse::<u32>().ok())
                    .is_some_and(xml_char),
                _ => !name.is_empty(),
            };
            if !ok {
                return Err("a bad reference in an attribute value".into());
            }
            rest = &rest[end + 1..];
        }
    }
    Ok(())
}

/// The general entities `<!ENTITY name "text">` (or `'text'`) of a
/// DOCTYPE's internal subset (the text between `[` and `]`).
fn internal_entities(doctype: &str) -> Declared {
    let mut out = Declared::new();
    let Some(open) = doctype.find('[') else {
        return out;
    };
    let mut rest = &doctype[open + 1..];
    while let Some(i) = rest.find("<!ENTITY") {
        rest = rest[i + 8..].trim_start();
        if rest.starts_with('%') {
            continue;
        }
        let name_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..name_end].to_string();
        let after = rest[name_end..].trim_start();
        if !after.starts_with(['"', '\'']) {
            continue;
        }
        out.insert(name);
        rest = after;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(doc: &str) -> bool {
        check(doc.as_bytes(), "c.xml").is_err()
    }

    /// Each refused by libcomps 0.1.19 on expat 2.5 ("Fatal parser
    /// error"), or crashing it; read by quick-xml before.
    #[test]
    fn what_expat_refuses_is_refused() {
        for doc in [
            "<comps><id>a&#0;b</id></comps>",
            "<comps><id>a&#1;b</id></comps>",
            "<comps><id>a&#xFFFE;b</id></comps>",
            "<comps><id>a&#xD800;b</id></comps>",
            "<comps><id>a\u{1}b</id></comps>",
            "<comps><id>a<!-- x -- y -->b</id></comps>",
            "<comps><p type=\"a\" type=\"b\"/></comps>",
            "<comps><p type=a/></comps>",
            " <?xml version=\"1.0\"?><comps/>",
            "<?xml encoding=\"UTF-8\"?><comps/>",
            "<comps><id>&nosuch;</id></comps>",
            "<comps><id>a]]>b</id></comps>",
        ] {
            assert!(refused(doc), "{doc:?}");
        }
        assert!(check(b"<comps><id>caf\xe9</id></comps>", "c.xml").is_err());
    }

    #[test]
    fn what_expat_reads_is_read() {
        for doc in [
            "\u{feff}<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><comps><id>café</id></comps>",
            "<?xml version='1.1' encoding='bogus'?><comps><id>a&#x1F600;&#9;\u{7f}\u{85}</id></comps>",
            "<comps><p type = 'x'\n\tb=\"a&amp;&#32;\"/><!-- c - d --></comps>",
            "<!DOCTYPE comps [<!ENTITY e \"t\">]><comps><id>&e;</id></comps>",
        ] {
            assert!(!refused(doc), "{doc:?}");
        }
        let d = check(
            b"<!DOCTYPE comps [<!ENTITY e 'x'><!ENTITY m \"<b>y</b>\">]><comps/>",
            "c.xml",
        )
        .unwrap();
        assert!(d.contains("e") && d.contains("m"));
        // Skipped where the DOCTYPE names an external DTD.
        let d = check(
            b"<!DOCTYPE comps PUBLIC \"-//x//EN\" \"comps.dtd\"><comps><id>a&nosuch;</id></comps>",
            "c.xml",
        )
        .unwrap();
        assert!(d.contains("nosuch"));
    }
}
