//! A zero-copy XML tokenizer for the hot path: primary.xml, which is most of
//! the bytes a run reads. It borrows every name, attribute and text from the
//! input, decodes entities only where a value has one, and checks what
//! rpm-md readers rely on (tags balanced with matching names, quoted
//! attributes, known entities, UTF-8). DTDs, namespaces and encodings other
//! than UTF-8 are not interpreted; comments, processing instructions and
//! doctype declarations are skipped.
//!
//! The general-purpose reader (`xml.rs`, over quick-xml) serves the small
//! files; this one exists because parsing primary.xml dominated load time.
//!
//! This file holds the tokens and the markup; `scan/attrs.rs` reads
//! attributes and decodes entities, `scan/find.rs` holds the byte searches
//! every tag and text runs (SSE2 on x86_64).

mod attrs;
mod find;

use crate::error::{Error, Result};

use find::{name_end, simple_tag_end, text_end};

/// One token.
#[derive(Debug, PartialEq)]
pub enum Tok<'a> {
    /// An element start; `attrs` is the raw attribute text.
    Start {
        name: &'a str,
        attrs: &'a str,
        empty: bool,
    },
    End,
    /// Character data (raw: entities still encoded) or a CDATA section
    /// (`cdata`, taken verbatim).
    Text {
        raw: &'a str,
        cdata: bool,
    },
    Eof,
}

/// The tokenizer over one chunk of a document.
pub struct Scanner<'a> {
    s: &'a str,
    pos: usize,
    /// Where `s` starts in the whole file (for messages).
    base: u64,
    origin: &'a str,
    /// Names of the open elements, for end-tag checks.
    stack: Vec<&'a str>,
}

impl<'a> Scanner<'a> {
    /// A scanner over `data`, which starts at byte `base` of `origin`, with
    /// `open` elements already open (a fragment of a larger document).
    pub fn new(data: &'a [u8], origin: &'a str, base: u64, open: &[&'a str]) -> Result<Self> {
        let s = std::str::from_utf8(data).map_err(|e| {
            Error::format(
                origin,
                format!(
                    "malformed XML at byte {}: invalid UTF-8",
                    base + e.valid_up_to() as u64
                ),
            )
        })?;
        Ok(Scanner {
            s,
            pos: 0,
            base,
            origin,
            stack: open.to_vec(),
        })
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The innermost open element.
    pub fn innermost(&self) -> Option<&'a str> {
        self.stack.last().copied()
    }

    /// An error at the current position.
    pub fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::format(
            self.origin,
            format!("{msg} (at byte {})", self.base + self.pos as u64),
        )
    }

    fn malformed(&self, at: usize, msg: impl std::fmt::Display) -> Error {
        Error::format(
            self.origin,
            format!("malformed XML at byte {}: {msg}", self.base + at as u64),
        )
    }

    /// The index of `pat` at or after `from`, or an "unclosed" error.
    fn find(&self, from: usize, pat: &str, what: &str) -> Result<usize> {
        let hay = &self.s.as_bytes()[from..];
        let found = match pat.as_bytes() {
            [c] => memchr::memchr(*c, hay),
            p => memchr::memmem::find(hay, p),
        };
        found
            .map(|i| from + i)
            .ok_or_else(|| self.malformed(self.pos, format!("unclosed {what}")))
    }

    /// The next token.
    pub fn next(&mut self) -> Result<Tok<'a>> {
        loop {
            let b = self.s.as_bytes();
            let Some(&c) = b.get(self.pos) else {
                return Ok(Tok::Eof);
            };
            if c != b'<' {
                let end = text_end(b, self.pos).map_or(b.len(), |(lt, _)| lt);
                let raw = &self.s[self.pos..end];
                self.pos = end;
                return Ok(Tok::Text { raw, cdata: false });
            }
            let rest = &self.s[self.pos..];
            // Most markup is a start or end tag: one byte decides.
            match b.get(self.pos + 1) {
                Some(b'/') => return self.end_tag(),
                Some(b'!' | b'?') => {}
                _ => return self.start_tag(),
            }
            if rest.starts_with("<!--") {
                self.pos = self.find(self.pos + 4, "-->", "comment")? + 3;
            } else if rest.starts_with("<![CDATA[") {
                let end = self.find(self.pos + 9, "]]>", "CDATA section")?;
                let raw = &self.s[self.pos + 9..end];
                self.pos = end + 3;
                return Ok(Tok::Text { raw, cdata: true });
            } else if rest.starts_with("<?") {
                self.pos = self.find(self.pos + 2, "?>", "processing instruction")? + 2;
            } else {
                self.pos = self.find(self.pos + 2, ">", "declaration")? + 1;
            }
        }
    }

    /// The next token that is not character data (for content whose text
    /// is ignored: the text is passed over without being returned).
    #[inline]
    pub fn next_tag(&mut self) -> Result<Tok<'a>> {
        let b = self.s.as_bytes();
        if b.get(self.pos).is_some_and(|&c| c != b'<') {
            self.pos = text_end(b, self.pos).map_or(b.len(), |(lt, _)| lt);
        }
        self.next()
    }

    /// When the element just opened holds only character data (no
    /// markup): its raw text, where the text ends and where its end tag
    /// ends. None otherwise: the caller reads it token by token.
    #[inline]
    fn leaf_text(&self) -> Option<(&'a str, usize, usize)> {
        self.leaf_text_plain()
            .map(|(raw, lt, end, _)| (raw, lt, end))
    }

    /// [`Scanner::leaf_text`], and whether the text is plain: no entity
    /// or carriage return to decode (known from the same pass).
    #[inline]
    fn leaf_text_plain(&self) -> Option<(&'a str, usize, usize, bool)> {
        let b = self.s.as_bytes();
        let open = *self.stack.last()?;
        let (lt, plain) = text_end(b, self.pos)?;
        let rest = &b[lt..];
        let n = open.len();
        if rest.len() < n + 3
            || rest[1] != b'/'
            || &rest[2..2 + n] != open.as_bytes()
            || rest[2 + n] != b'>'
        {
            return None;
        }
        Some((&self.s[self.pos..lt], lt, lt + n + 3, plain))
    }

    /// The fast path for the leaf elements that dominate some files
    /// (filelists.xml's `<file>`): when the next markup, after whitespace
    /// only, is a `<name ...>` holding plain text (no markup, no entity, no
    /// carriage return) closed by `</name>`, moves past it and returns its
    /// raw attribute text and its text, exactly what [`Scanner::next`] and
    /// [`Scanner::text_into`] would have given. None otherwise, with
    /// nothing consumed.
    #[inline]
    pub fn leaf(&mut self, name: &str) -> Option<(&'a str, &'a str)> {
        let b = self.s.as_bytes();
        let n = name.len();
        let mut i = self.pos;
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let open = b.get(i..i + n + 2)?;
        if open[0] != b'<' || &open[1..=n] != name.as_bytes() {
            return None;
        }
        let from = i + 1 + n;
        let gt = from + b[from..].iter().position(|&c| c == b'>')?;
        let attrs = &b[from..gt];
        // Attributes only when whitespace separates them from the name; no
        // quote that could hide a '>', and not an empty element.
        if !(attrs.is_empty() || attrs[0].is_ascii_whitespace())
            || attrs.last() == Some(&b'/')
            || attrs.iter().any(|&c| c == b'\'' || c == b'<')
            || attrs.iter().filter(|&&c| c == b'"').count() % 2 != 0
        {
            return None;
        }
        let text_from = gt + 1;
        let lt = text_from + memchr::memchr(b'<', &b[text_from..])?;
        let text = &b[text_from..lt];
        if memchr::memchr2(b'&', b'\r', text).is_some() {
            return None;
        }
        let close = b.get(lt..lt + n + 3)?;
        if close[1] != b'/' || &close[2..2 + n] != name.as_bytes() || close[2 + n] != b'>' {
            return None;
        }
        self.pos = lt + n + 3;
        Some((&self.s[from..gt], &self.s[text_from..lt]))
    }

    /// `</name>` at `self.pos`.
    fn end_tag(&mut self) -> Result<Tok<'a>> {
        // Nearly every end tag is `</open>` for the innermost open element,
        // written without spaces: one compare of the name and its '>'
        // settles it, where a search for '>', a trim and a compare took
        // three passes over the name. Only for a name that the trim below
        // would leave whole: a start tag's name ends at ASCII whitespace
        // but may end in VT or non-ASCII whitespace (`<a\x0b>`), and
        // `</a\x0b>` reads as `</a>` there, a mismatch.
        let from = self.pos + 2;
        if let Some(&open) = self.stack.last() {
            let n = open.len();
            let b = self.s.as_bytes();
            let trimmed = open
                .as_bytes()
                .last()
                .is_none_or(|&c| c < 0x80 && !matches!(c, b'\t'..=b'\r' | b' '));
            if trimmed
                && b.get(from..from + n) == Some(open.as_bytes())
                && b.get(from + n) == Some(&b'>')
            {
                self.stack.pop();
                self.pos = from + n + 1;
                return Ok(Tok::End);
            }
        }
        let end = self.s.as_bytes()[from.min(self.s.len())..]
            .iter()
            .position(|&c| c == b'>')
            .map(|k| from + k)
            .ok_or_else(|| self.malformed(self.pos, "unclosed end tag"))?;
        let name = self.s[self.pos + 2..end].trim_end();
        match self.stack.pop() {
            Some(open) if open == name => {}
            Some(open) => {
                return Err(self.malformed(self.pos, format!("expected </{open}>, found </{name}>")))
            }
            None => return Err(self.malformed(self.pos, format!("unexpected </{name}>"))),
        }
        self.pos = end + 1;
        Ok(Tok::End)
    }

    /// `<name attrs...>` or `<name attrs.../>` at `self.pos`.
    fn start_tag(&mut self) -> Result<Tok<'a>> {
        let b = self.s.as_bytes();
        let from = self.pos + 1;
        // '>' may appear inside quoted attribute values. Fast path: the
        // first '>' ends the tag when no quote before it is open.
        let simple = simple_tag_end(b, from);
        let mut i = from;
        let mut quote = 0u8;
        let end = if let Some(gt) = simple {
            gt
        } else {
            loop {
                let Some(&c) = b.get(i) else {
                    return Err(self.malformed(self.pos, "unclosed start tag"));
                };
                if quote == 0 {
                    if c == b'>' {
                        break i;
                    }
                    if c == b'"' || c == b'\'' {
                        quote = c;
                    }
                } else if c == quote {
                    quote = 0;
                }
                i += 1;
            }
        };
        let empty = end > from && b[end - 1] == b'/';
        let inner = &self.s[from..if empty { end - 1 } else { end }];
        // The name ends at whitespace and holds no markup.
        let (name_end, bad) = name_end(b, from, from + inner.len());
        let name_end = name_end - from;
        let name = &inner[..name_end];
        if name.is_empty() || bad {
            return Err(self.malformed(self.pos, format!("bad element name '{name}'")));
        }
        if !empty {
            self.stack.push(name);
        }
        self.pos = end + 1;
        Ok(Tok::Start {
            name,
            attrs: &inner[name_end..],
            empty,
        })
    }

    /// Skips to the end of the element whose start was just read.
    pub fn skip(&mut self) -> Result<()> {
        if let Some((_, _, end)) = self.leaf_text() {
            self.stack.pop();
            self.pos = end;
            return Ok(());
        }
        let depth = self.stack.len();
        while self.stack.len() >= depth {
            if let Tok::Eof = self.next()? {
                return Err(self.err("unexpected end of file"));
            }
        }
        Ok(())
    }

    /// The decoded text content up to the end of the current element
    /// (text of nested elements is left out), appended to `out`.
    pub fn text_into(&mut self, out: &mut String) -> Result<()> {
        if let Some((raw, lt, end, plain)) = self.leaf_text_plain() {
            // Where the token-by-token path stands when it decodes the text
            // (for the position in messages).
            self.pos = lt;
            if plain {
                out.push_str(raw);
            } else {
                out.push_str(&self.unescape(raw)?);
            }
            self.stack.pop();
            self.pos = end;
            return Ok(());
        }
        let depth = self.stack.len();
        loop {
            match self.next()? {
                Tok::Text { raw, cdata } if self.stack.len() == depth => {
                    if cdata {
                        out.push_str(raw);
                    } else {
                        out.push_str(&self.unescape(raw)?);
                    }
                }
                Tok::End if self.stack.len() < depth => return Ok(()),
                Tok::Eof => return Err(self.err("unexpected end of file")),
                _ => {}
            }
        }
    }
}

/// The start of `s`, for messages.
fn short(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The local name (without a `rpm:`-style prefix) of an element name.
pub fn local(name: &str) -> &str {
    // Names are short: a plain loop beats memchr's set-up.
    match name.bytes().rposition(|c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

#[cfg(test)]
mod tests;
