//! A thin streaming layer over quick-xml for rpm-md: element starts with
//! unescaped attributes, and text with entity references resolved. Errors
//! carry the file name and byte offset.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{Error, Result};

/// What the parsers need from one XML event.
pub enum Ev<'b> {
    Start(BytesStart<'b>, bool /* empty element */),
    End,
    Text(Cow<'b, str>),
    /// Comments, declarations, processing instructions.
    Other,
    Eof,
}

/// A streaming rpm-md XML reader.
pub struct XmlReader<R: BufRead> {
    reader: Reader<R>,
    pub origin: String,
    /// Where this reader's input starts in the whole file (for messages).
    offset: u64,
    /// Entities whose references give no text (comps only: those a
    /// DOCTYPE's internal subset declares and those expat skips,
    /// `comps_expat`).
    declared: std::collections::HashSet<String>,
}

impl<R: BufRead> XmlReader<R> {
    pub fn new(r: R, origin: &str) -> Self {
        Self::with_offset(r, origin, 0, true)
    }

    /// A reader over a fragment of a document that starts at byte `offset`;
    /// fragments may close elements opened before them, so end names are
    /// not checked then.
    pub fn with_offset(r: R, origin: &str, offset: u64, check_end_names: bool) -> Self {
        let mut reader = Reader::from_reader(r);
        let cfg = reader.config_mut();
        cfg.trim_text_start = false;
        cfg.trim_text_end = false;
        cfg.check_end_names = check_end_names;
        XmlReader {
            reader,
            origin: origin.to_string(),
            offset,
            declared: Default::default(),
        }
    }

    /// Reads references to these entities as libcomps gets them from
    /// expat: no text.
    pub fn with_declared(mut self, declared: std::collections::HashSet<String>) -> Self {
        self.declared = declared;
        self
    }

    /// An error at the current position.
    pub fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::format(
            &self.origin,
            format!(
                "{msg} (at byte {})",
                self.offset + self.reader.buffer_position()
            ),
        )
    }

    /// The next event the parsers care about.
    pub fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Ev<'b>> {
        buf.clear();
        let ev = match self.reader.read_event_into(buf) {
            Ok(ev) => ev,
            Err(e) => {
                let pos = self.offset + self.reader.buffer_position();
                return Err(Error::format(
                    &self.origin,
                    format!("malformed XML at byte {pos}: {e}"),
                ));
            }
        };
        Ok(match ev {
            Event::Start(s) => Ev::Start(s, false),
            Event::Empty(s) => Ev::Start(s, true),
            Event::End(_) => Ev::End,
            Event::Text(t) => Ev::Text(t.xml10_content()),
            Event::CData(t) => Ev::Text(t.into_inner()),
            Event::GeneralRef(r) if self.declared.contains(AsRef::<str>::as_ref(&r)) => {
                Ev::Text(Cow::Borrowed(""))
            }
            Event::GeneralRef(r) => Ev::Text(Cow::Owned(self.entity(&r)?)),
            Event::Eof => Ev::Eof,
            _ => Ev::Other,
        })
    }

    /// Resolves a character or predefined entity reference.
    fn entity(&self, r: &quick_xml::events::BytesRef<'_>) -> Result<String> {
        if let Ok(Some(c)) = r.resolve_char_ref() {
            return Ok(c.to_string());
        }
        Ok(match r.xml10_content().as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            other => return Err(self.err(format!("unknown entity &{other};"))),
        }
        .to_string())
    }

    /// Skips to the end of the element whose start was just read.
    pub fn skip(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next(buf)? {
                Ev::Start(_, false) => depth += 1,
                Ev::End => depth -= 1,
                Ev::Eof => return Err(self.err("unexpected end of file")),
                _ => {}
            }
        }
        Ok(())
    }

    /// Collects the text content up to the end of the current element.
    pub fn text(&mut self, buf: &mut Vec<u8>) -> Result<String> {
        let mut out = String::new();
        let mut depth = 1usize;
        while depth > 0 {
            match self.next(buf)? {
                Ev::Text(t) if depth == 1 => out.push_str(&t),
                Ev::Start(_, false) => depth += 1,
                Ev::End => depth -= 1,
                Ev::Eof => return Err(self.err("unexpected end of file")),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The unescaped value of attribute `key`, if present.
pub fn attr<R: BufRead>(x: &XmlReader<R>, s: &BytesStart<'_>, key: &str) -> Result<Option<String>> {
    let mut found = None;
    attrs(x, s, |k, v| {
        if k == key {
            found = Some(v.to_string());
        }
    })?;
    Ok(found)
}

/// Calls `f(local_key, unescaped_value)` for every attribute, in one pass.
pub fn attrs<R: BufRead>(
    x: &XmlReader<R>,
    s: &BytesStart<'_>,
    f: impl FnMut(&str, &str),
) -> Result<()> {
    attrs_as(x, s, true, f)
}

/// [`attrs`], the key's prefix kept unless `local`.
pub fn attrs_as<R: BufRead>(
    x: &XmlReader<R>,
    s: &BytesStart<'_>,
    local: bool,
    mut f: impl FnMut(&str, &str),
) -> Result<()> {
    let mut it = s.attributes();
    it.with_checks(false);
    for a in it {
        let a = a.map_err(|e| x.err(format!("bad attribute: {e}")))?;
        let v = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| x.err(format!("bad attribute value: {e}")))?;
        let key = if local {
            a.key.local_name().into_inner()
        } else {
            a.key.into_inner()
        };
        f(key, &v);
    }
    Ok(())
}

/// The local name (without `rpm:` prefix) of an element.
pub fn local(s: &BytesStart<'_>) -> String {
    s.local_name().as_ref().to_string()
}
