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

use std::borrow::Cow;

use crate::error::{Error, Result};

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
        // End tags are short: a plain loop beats memchr's set-up.
        let from = self.pos + 2;
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
        // One pass: the name ends at whitespace and holds no markup.
        let mut name_end = inner.len();
        let mut bad = false;
        for (k, c) in inner.bytes().enumerate() {
            if c.is_ascii_whitespace() {
                name_end = k;
                break;
            }
            bad |= matches!(c, b'<' | b'=' | b'"' | b'\'' | b'&');
        }
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

    /// Calls `f(local_key, value)` for every attribute of `attrs` (the raw
    /// text of a start tag), values decoded.
    pub fn attrs(&self, attrs: &'a str, mut f: impl FnMut(&str, Cow<'a, str>)) -> Result<()> {
        let b = attrs.as_bytes();
        let bad = |at: usize| self.err(format!("bad attribute: '{}'", short(&attrs[at..])));
        // Where `attrs` sits in the scanned text (always, for a tag's
        // attributes): the search for a value's end may then read on past
        // `attrs`, a vector at a time, and be judged against its end.
        let whole = self.s.as_bytes();
        let at = (attrs.as_ptr() as usize)
            .checked_sub(whole.as_ptr() as usize)
            .filter(|&at| at + b.len() <= whole.len());
        let mut i = 0;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i == b.len() {
                return Ok(());
            }
            // The key, up to '=' or whitespace, remembering its last ':'
            // (the local name follows it).
            let start = i;
            let mut local_from = start;
            while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
                if b[i] == b':' {
                    local_from = i + 1;
                }
                i += 1;
            }
            let key = &attrs[local_from..i];
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i == start || b.get(i) != Some(&b'=') {
                return Err(bad(start));
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let q = b.get(i).copied().unwrap_or(0);
            if q != b'"' && q != b'\'' {
                return Err(bad(start));
            }
            // The closing quote, and whether the value needs decoding.
            let (close, plain) = match at {
                Some(at) => find_stop(whole, at + i + 1, q, ATTR_SPECIAL)
                    .filter(|&(close, _)| close < at + b.len())
                    .map(|(close, plain)| (close - at, plain)),
                None => find_stop_bytes(b, i + 1, q, ATTR_SPECIAL, true),
            }
            .ok_or_else(|| bad(start))?;
            let raw = &attrs[i + 1..close];
            i = close + 1;
            let value = if !plain {
                self.unescape_attr(raw)?
            } else {
                Cow::Borrowed(raw)
            };
            f(key, value);
        }
    }

    /// The value of the attribute whose local name is `key` in `attrs`
    /// (the last one, should it repeat), decoded.
    pub fn attr(&self, attrs: &'a str, key: &str) -> Result<Option<Cow<'a, str>>> {
        let mut found = None;
        self.attrs(attrs, |k, v| {
            if k == key {
                found = Some(v);
            }
        })?;
        Ok(found)
    }

    /// An attribute value with entities decoded and whitespace characters
    /// turned into spaces, as XML attribute-value normalization does.
    fn unescape_attr(&self, raw: &'a str) -> Result<Cow<'a, str>> {
        if !raw
            .bytes()
            .any(|c| matches!(c, b'&' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(Cow::Borrowed(raw));
        }
        let spaced = raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " ");
        Ok(Cow::Owned(self.unescape(&spaced)?.into_owned()))
    }

    /// Text with entity and character references decoded and `\r\n`
    /// turned into `\n`.
    pub fn unescape<'s>(&self, raw: &'s str) -> Result<Cow<'s, str>> {
        if memchr::memchr2(b'&', b'\r', raw.as_bytes()).is_none() {
            return Ok(Cow::Borrowed(raw));
        }
        let raw: Cow<str> = if raw.contains('\r') {
            Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
        } else {
            Cow::Borrowed(raw)
        };
        let mut out = String::with_capacity(raw.len());
        let mut rest: &str = &raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let semi = rest[amp..]
                .find(';')
                .ok_or_else(|| self.err(format!("unterminated entity in '{}'", short(rest))))?;
            let ent = &rest[amp + 1..amp + semi];
            match ent {
                "amp" => out.push('&'),
                "lt" => out.push('<'),
                "gt" => out.push('>'),
                "quot" => out.push('"'),
                "apos" => out.push('\''),
                _ => {
                    let code = if let Some(h) = ent.strip_prefix("#x") {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse().ok()
                    } else {
                        None
                    };
                    match code.and_then(char::from_u32).filter(|c| *c != '\0') {
                        Some(c) => out.push(c),
                        None => return Err(self.err(format!("unknown entity &{ent};"))),
                    }
                }
            }
            rest = &rest[amp + semi + 1..];
        }
        out.push_str(rest);
        Ok(Cow::Owned(out))
    }
}

/// Where a start tag whose text begins at `b[from]` ends when that is
/// plain to see: the index of the first '>' if only '"' quotes come before
/// it, an even number of them (then none is open there, and that '>' ends
/// the tag). None otherwise, also when no '>' follows: the caller then
/// reads the tag byte by byte, minding quotes. Runs on every start tag.
#[inline]
fn simple_tag_end(b: &[u8], from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    return sse2::simple_tag_end(b, from);
    #[cfg(not(target_arch = "x86_64"))]
    return simple_tag_end_bytes(b, from, false);
}

/// [`simple_tag_end`] one byte at a time, from `b[from]` on, with `odd`
/// telling whether an odd number of '"' came before `from`.
fn simple_tag_end_bytes(b: &[u8], from: usize, mut odd: bool) -> Option<usize> {
    for (k, &c) in b.iter().enumerate().skip(from) {
        match c {
            b'>' => return (!odd).then_some(k),
            b'"' => odd = !odd,
            b'\'' => return None,
            _ => {}
        }
    }
    None
}

/// Where the character data from `b[from]` ends: the index of the next
/// '<', and whether the text before it is plain (no '&' nor '\r', so
/// [`Scanner::unescape`] would leave it as it is). None without a '<'.
/// Runs on every leaf element (names, checksums, summaries, the elements
/// skipped).
#[inline]
fn text_end(b: &[u8], from: usize) -> Option<(usize, bool)> {
    find_stop(b, from, b'<', [b'&', b'\r', b'&', b'\r'])
}

/// The characters that make an attribute value need decoding (entities,
/// and the whitespace that attribute-value normalization turns into spaces).
const ATTR_SPECIAL: [u8; 4] = [b'&', b'\t', b'\n', b'\r'];

/// The index of the first `stop` at or after `b[from]`, and whether none
/// of `special` comes before it. None without a `stop`.
#[inline]
fn find_stop(b: &[u8], from: usize, stop: u8, special: [u8; 4]) -> Option<(usize, bool)> {
    #[cfg(target_arch = "x86_64")]
    return sse2::find_stop(b, from, stop, special);
    #[cfg(not(target_arch = "x86_64"))]
    return find_stop_bytes(b, from, stop, special, true);
}

/// [`find_stop`] with memchr, from `b[from]` on, `plain` telling whether
/// no `special` came before `from`.
fn find_stop_bytes(
    b: &[u8],
    from: usize,
    stop: u8,
    special: [u8; 4],
    plain: bool,
) -> Option<(usize, bool)> {
    let end = from + memchr::memchr(stop, &b[from..])?;
    let seen = b[from..end].iter().any(|c| special.contains(c));
    Some((end, plain && !seen))
}

/// [`simple_tag_end`] 16 bytes at a time: the first '>' and the quotes
/// before it come from one pass of vector compares, where a search for
/// '>' and a count of the quotes up to it took two passes and were a
/// tenth of the parse's instructions. SSE2 is part of every x86_64 CPU.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    pub(super) fn simple_tag_end(b: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        // The '"' of the blocks read so far, XORed: the parity of their
        // number is the parity of this mask's bits.
        let mut quotes = 0u32;
        while at + 16 <= b.len() {
            // SAFETY: SSE2 is in x86_64's baseline, and the 16 bytes
            // loaded (unaligned) are b[at..at + 16], inside `b`.
            let (gt, dq, sq) = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>());
                let mask = |c: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
                (mask(b'>') as u32, mask(b'"') as u32, mask(b'\'') as u32)
            };
            if gt != 0 {
                // The bits of the bytes before the first '>'.
                let before = (gt & gt.wrapping_neg()) - 1;
                let odd = (quotes ^ (dq & before)).count_ones() % 2 == 1;
                return (sq & before == 0 && !odd).then(|| at + gt.trailing_zeros() as usize);
            }
            if sq != 0 {
                return None;
            }
            quotes ^= dq;
            at += 16;
        }
        super::simple_tag_end_bytes(b, at, quotes.count_ones() % 2 == 1)
    }

    /// [`super::find_stop`] 16 bytes at a time: one pass finds the stop
    /// and the special characters, where a byte loop over the first bytes,
    /// memchr past them, then memchr2 or a fold over the text took three
    /// (leaf texts and attribute values are short: a block or two).
    #[inline]
    pub(super) fn find_stop(
        b: &[u8],
        from: usize,
        stop: u8,
        special: [u8; 4],
    ) -> Option<(usize, bool)> {
        let mut at = from;
        let mut plain = true;
        while at + 16 <= b.len() {
            // SAFETY: SSE2 is in x86_64's baseline, and the 16 bytes
            // loaded (unaligned) are b[at..at + 16], inside `b`.
            let (found, seen) = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>());
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let seen = _mm_or_si128(
                    _mm_or_si128(eq(special[0]), eq(special[1])),
                    _mm_or_si128(eq(special[2]), eq(special[3])),
                );
                (
                    _mm_movemask_epi8(eq(stop)) as u32,
                    _mm_movemask_epi8(seen) as u32,
                )
            };
            if found != 0 {
                let before = (found & found.wrapping_neg()) - 1;
                return Some((
                    at + found.trailing_zeros() as usize,
                    plain && seen & before == 0,
                ));
            }
            plain &= seen == 0;
            at += 16;
        }
        super::find_stop_bytes(b, at, stop, special, plain)
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
mod tests {
    use super::*;

    fn toks(xml: &str) -> Result<Vec<String>> {
        let mut s = Scanner::new(xml.as_bytes(), "t", 0, &[])?;
        let mut out = Vec::new();
        loop {
            let t = s.next()?;
            out.push(match t {
                Tok::Start { name, attrs, empty } => {
                    let mut a = Vec::new();
                    s.attrs(attrs, |k, v| a.push(format!("{k}={v}")))?;
                    format!("<{name} {}{}>", a.join(" "), if empty { "/" } else { "" })
                }
                Tok::End => "</>".into(),
                Tok::Text { raw, cdata: false } => s.unescape(raw)?.into_owned(),
                Tok::Text { raw, cdata: true } => format!("[{raw}]"),
                Tok::Eof => break,
            });
        }
        Ok(out)
    }

    #[test]
    fn tokens_entities_and_skipped_parts() {
        let t = toks(
            "<?xml version=\"1.0\"?><!-- c --><!DOCTYPE x><a x='1 &gt; 0' rpm:y=\"&#65;&#x42;\">\
             t&amp;u<![CDATA[<raw>&amp;]]><b/><c k = \"v>w\" ></c></a>",
        )
        .unwrap();
        assert_eq!(
            t,
            vec![
                "<a x=1 > 0 y=AB>",
                "t&u",
                "[<raw>&amp;]",
                "<b />",
                "<c k=v>w>",
                "</>",
                "</>"
            ]
        );
    }

    #[test]
    fn gt_inside_quoted_values_does_not_end_the_tag() {
        let t = toks("<a k=\"it's>\" j='\">'/><b x=\"1\" y='>'></b><c p=\"a\"\tq:r=\"b\">z</c>")
            .unwrap();
        assert_eq!(
            t,
            vec![
                "<a k=it's> j=\">/>",
                "<b x=1 y=>>",
                "</>",
                "<c p=a r=b>",
                "z",
                "</>"
            ]
        );
    }

    #[test]
    fn malformed_input_is_an_error_with_offset() {
        for (xml, want) in [
            (
                "<a><b></a>",
                "malformed XML at byte 6: expected </b>, found </a>",
            ),
            ("<a></a></a>", "unexpected </a>"),
            ("<a x=1/>", "bad attribute"),
            ("<a x=\"1/>", "unclosed start tag"),
            ("<a>&nope;</a>", "unknown entity &nope;"),
            ("<a>&#0;</a>", "unknown entity"),
            ("<a>& b</a>", "unterminated entity"),
            ("<a><!-- x", "unclosed comment"),
            ("<>", "bad element name"),
        ] {
            let e = toks(xml).unwrap_err().to_string();
            assert!(e.contains(want), "{xml}: {e}");
        }
        let e = toks("<a>\u{e9}</a>").unwrap();
        assert_eq!(e[1], "\u{e9}");
        let e = match Scanner::new(b"<a>\xff</a>", "t", 10, &[]) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("invalid UTF-8 accepted"),
        };
        assert_eq!(e, "t: malformed XML at byte 13: invalid UTF-8");
    }

    #[test]
    fn simple_tag_end_finds_the_first_gt_when_no_quote_is_open() {
        // The vector path and the byte path agree, at every offset of tags
        // longer and shorter than a vector, '>' before and after the 16th
        // byte, quotes in the block of the '>' and in earlier ones.
        let cases: &[&[u8]] = &[
            b"<a>",
            b"<rpm:entry name=\"libc.so.6(GLIBC_2.2.5)(64bit)\" flags=\"GE\"/>tail",
            b"<e name=\"a>b\"/>",
            b"<e name='a'/>",
            b"<e name=\"abcdefghijklmnopqrstuvwxyz\" x=\"1\">",
            b"<e name=\"abcdefghijklmnopqrstuvwxyz>\" x=\"1\">",
            b"<e name=\"abcdefghijklmnopqrstuvwxyz\" x='1'>",
            b"<e a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\" g=\"7\"\">",
            b"<unclosed a=\"1\"",
            b"<e>\"'",
        ];
        for xml in cases {
            for from in 0..xml.len() {
                assert_eq!(
                    simple_tag_end(xml, from),
                    simple_tag_end_bytes(xml, from, false),
                    "{} from {from}",
                    String::from_utf8_lossy(xml)
                );
            }
        }
        let entry = b"<rpm:entry name=\"libc.so.6(GLIBC_2.2.5)(64bit)\" flags=\"GE\"/>t";
        assert_eq!(simple_tag_end(entry, 1), Some(entry.len() - 2));
        assert_eq!(simple_tag_end(b"<e n=\"a>b\"/>", 1), None);
        assert_eq!(simple_tag_end(b"<e n='a'/>", 1), None);
    }

    #[test]
    fn text_end_finds_the_next_lt_and_what_needs_decoding() {
        // The vector path and memchr agree at every offset: '<' before and
        // after the 16th byte, '&' and '\r' in its block and in earlier ones.
        let cases: &[&[u8]] = &[
            b"0ad</name>",
            b"6c867a6d85ccf4905a54af2b7e4c0b5ed00ce110dda68b6815f466e02b726eeb</checksum>",
            b"Tom &amp; Jerry, a summary longer than one vector</summary>",
            b"a line\r\nand another one, still without markup</d>",
            b"no markup at all in these bytes, however many",
            b"</end>",
            b"",
        ];
        for xml in cases {
            for from in 0..=xml.len() {
                assert_eq!(
                    text_end(xml, from),
                    find_stop_bytes(xml, from, b'<', [b'&', b'\r', b'&', b'\r'], true),
                    "{} from {from}",
                    String::from_utf8_lossy(xml)
                );
            }
        }
        assert_eq!(text_end(b"0123456789abcdef0123&<", 0), Some((21, false)));
        assert_eq!(text_end(b"0123456789abcdef0123<&", 0), Some((20, true)));
    }

    #[test]
    fn attribute_values_end_inside_the_attributes_given() {
        let xml = "<a x=\"12345678901234567890\" y=\"a&amp;b\" z=\"c\td\"/>";
        let s = Scanner::new(xml.as_bytes(), "t", 0, &[]).unwrap();
        let mut got = Vec::new();
        s.attrs(&xml[2..xml.len() - 2], |k, v| got.push(format!("{k}={v}")))
            .unwrap();
        assert_eq!(got, ["x=12345678901234567890", "y=a&b", "z=c d"]);
        // The text goes on past these attributes, closing quote and all:
        // the value is still unclosed within them.
        let e = s.attrs(&xml[2..10], |_, _| {}).unwrap_err().to_string();
        assert!(e.contains("bad attribute"), "{e}");
        // Attributes from elsewhere than the scanned text read the same.
        let mut other = Vec::new();
        s.attrs(" k='v&lt;' j=\"w\"", |k, v| other.push(format!("{k}={v}")))
            .unwrap();
        assert_eq!(other, ["k=v<", "j=w"]);
    }

    #[test]
    fn leaf_is_the_token_path_or_nothing() {
        let xml = "<p>\n <file>/a b</file><file type=\"dir\">/d</file>\n<file>x&amp;y</file>\
                   <file/><file a='1'>q</file><filex>r</filex><file>s<i/></file><file>/t</file ></p>";
        let mut s = Scanner::new(xml.as_bytes(), "t", 0, &[]).unwrap();
        assert!(matches!(s.next().unwrap(), Tok::Start { name: "p", .. }));
        assert_eq!(s.leaf("file"), Some(("", "/a b")));
        assert_eq!(s.leaf("file"), Some((" type=\"dir\"", "/d")));
        // An entity, an empty element, a single quote, another name, markup
        // inside, a space in the end tag: the token path reads them.
        for _ in 0..6 {
            let at = s.pos;
            assert_eq!(s.leaf("file"), None);
            assert_eq!(s.pos, at);
            match s.next_tag().unwrap() {
                Tok::Start { empty: false, .. } => s.skip().unwrap(),
                Tok::Start { empty: true, .. } => {}
                t => panic!("{t:?}"),
            }
        }
        assert_eq!(s.leaf("file"), None);
        assert_eq!(s.next_tag().unwrap(), Tok::End);
    }

    #[test]
    fn text_and_skip_follow_nesting() {
        let mut s = Scanner::new(b"<a>x<b>y</b>z</a><c><d/><e>f</e></c>", "t", 0, &[]).unwrap();
        assert!(matches!(s.next().unwrap(), Tok::Start { name: "a", .. }));
        let mut t = String::new();
        s.text_into(&mut t).unwrap();
        assert_eq!(t, "xz");
        assert!(matches!(s.next().unwrap(), Tok::Start { name: "c", .. }));
        s.skip().unwrap();
        assert_eq!(s.next().unwrap(), Tok::Eof);
        // A fragment may close elements opened before it.
        let mut s = Scanner::new(b"</metadata>", "t", 0, &["metadata"]).unwrap();
        assert_eq!(s.next().unwrap(), Tok::End);
    }
}
