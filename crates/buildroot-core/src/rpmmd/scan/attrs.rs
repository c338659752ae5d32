//! Attributes and entities: the attributes of a start tag with their
//! values decoded and normalized, and text with its entity and character
//! references decoded, as XML requires of a parser (libsolv leaves this
//! to expat or libxml2 behind ext/solv_xmlparser.c, whose `start_element`
//! and `character_data` get the values decoded).

use std::borrow::Cow;

use super::find::{find_stop, find_stop_bytes, ATTR_SPECIAL};
use super::{short, Scanner};
use crate::error::Result;

impl<'a> Scanner<'a> {
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
