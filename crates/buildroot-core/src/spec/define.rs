//! Macro definitions as text: rpm's `doDefine` (the `name[(opts)] body`
//! syntax of `%define`, `%global` and macro files, where a body is one line,
//! or runs on while a `%{`, `%(` or `%[` is open or a line ends with `\`,
//! or is `{...}`), and `rdcl` with `loadMacroFile` (rpmio/macro.c), which
//! cut a macro file into such definitions. rpm 6.1's modifiers after the
//! name (`%name<l>`: a literal body, never expanded; `%name<o>`: a one-shot
//! macro, expanded on first use and then kept as that literal text) are
//! read too: rpm 6.1's own macro file uses `<l>`.

use super::nesting::Nesting;

/// A parsed definition.
#[derive(Debug, PartialEq, Eq)]
pub struct Def {
    pub name: String,
    pub opts: Option<String>,
    pub body: Vec<u8>,
    /// `<l>`: the body is output as is.
    pub literal: bool,
    /// `<o>`: expanded once, on first use.
    pub oneshot: bool,
}

impl Def {
    /// Its table entry at `lvl`, with `body` (the definition's, or its
    /// expansion for `%global`).
    pub fn entry(&self, body: &[u8], lvl: i32) -> crate::spec::table::Entry {
        let mut e = crate::spec::table::Entry::new(
            &String::from_utf8_lossy(body),
            self.opts.as_deref(),
            lvl,
        );
        e.literal = self.literal;
        e.oneshot = self.oneshot;
        e
    }
}

/// The result of [`parse`]: the definition or rpm's error message, and how
/// many bytes of the text the definition used (rpm's `parsed`).
#[derive(Debug)]
pub struct Parsed {
    pub def: Result<Def, String>,
    pub consumed: usize,
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_eol(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// The position after the bracket closing the one at `at` (rpm's
/// `matchchar`: a backslash escapes the next byte).
pub fn match_close(s: &[u8], at: usize, open: u8, close: u8) -> Option<usize> {
    let mut lvl = 0i32;
    let mut i = at;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c == b'\\' {
            i += 1;
            continue;
        }
        if c == close {
            lvl -= 1;
            if lvl <= 0 {
                return Some(i);
            }
        } else if c == open {
            lvl += 1;
        }
    }
    None
}

/// Parses `text` (what follows `%define`). `whole`: the body is all the
/// rest of the text (rpm's case of a definition passed as an argument,
/// `%{define:...}`), else it ends as described in the module doc.
pub fn parse(text: &[u8], whole: bool) -> Parsed {
    let mut s = 0;
    while s < text.len() && is_blank(text[s]) {
        s += 1;
    }
    let name_start = s;
    while s < text.len() && (text[s].is_ascii_alphanumeric() || text[s] == b'_') {
        s += 1;
    }
    let name = String::from_utf8_lossy(&text[name_start..s]).into_owned();
    let fail = |msg: String, consumed: usize| Parsed {
        def: Err(msg),
        consumed,
    };
    let mut opts = None;
    if text.get(s) == Some(&b'(') {
        s += 1;
        match memchr::memchr(b')', &text[s..]) {
            Some(p) => {
                opts = Some(String::from_utf8_lossy(&text[s..s + p]).into_owned());
                s += p + 1;
            }
            None => return fail(format!("Macro %{name} has unterminated opts"), 0),
        }
    }
    // rpm 6.1's modifiers (`<>` is a legal no-op).
    let mut mods = Vec::new();
    if text.get(s) == Some(&b'<') {
        s += 1;
        match memchr::memchr(b'>', &text[s..]) {
            Some(p) => {
                mods = text[s..s + p].to_vec();
                s += p + 1;
            }
            None => return fail(format!("Macro %{name} has unterminated modifiers"), 0),
        }
    }
    while s < text.len() && is_blank(text[s]) {
        s += 1;
    }
    let body: Vec<u8>;
    if whole {
        body = text[s..].to_vec();
        s = text.len();
    } else if text.get(s) == Some(&b'{') {
        let Some(end) = match_close(text, s, b'{', b'}') else {
            return fail(format!("Macro %{name} has unterminated body"), s);
        };
        body = text[s + 1..end - 1].to_vec();
        s = end;
    } else {
        let mut b = Vec::new();
        let mut nesting = Nesting::default();
        // An open `%[` does not carry the body over a line end, only `%{`
        // and `%(` do: rpm 6.1 says "unterminated body" for `%[1 +` and
        // ` 2]` on the next line, as this loop does.
        while s < text.len() && (nesting.braces > 0 || nesting.parens > 0 || !is_eol(text[s])) {
            let next = if text[s] == b'\\' && s + 1 < text.len() {
                // The escaped character is kept, the backslash dropped.
                s += 1;
                s + 1
            } else {
                nesting.scan(text, s)
            };
            b.extend_from_slice(&text[s..next]);
            s = next;
        }
        if nesting.is_open() {
            return fail(format!("Macro %{name} has unterminated body"), s);
        }
        while b.last().is_some_and(|&c| is_blank(c) || is_eol(c)) {
            b.pop();
        }
        body = b;
    }
    while s < text.len() && is_eol(text[s]) {
        s += 1;
    }
    let valid = name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || (c == b'_' && name.len() > 1));
    if !valid {
        return fail(format!("Macro %{name} has illegal name"), s);
    }
    if body.is_empty() {
        return fail(format!("Macro %{name} has empty body"), s);
    }
    let (mut literal, mut oneshot) = (false, false);
    for &m in &mods {
        match m {
            b'l' => literal = true,
            b'o' => oneshot = true,
            m => {
                return fail(
                    format!("Macro %{name} has illegal modifier {}", m as char),
                    s,
                )
            }
        }
    }
    if opts.is_some() && (literal || oneshot) {
        return fail(
            format!("Macro %{name} has modifiers incompatible with parametric macros"),
            s,
        );
    }
    if literal && oneshot {
        return fail(format!("Macro %{name} has incompatible modifiers"), s);
    }
    Parsed {
        def: Ok(Def {
            name,
            opts,
            body,
            literal,
            oneshot,
        }),
        consumed: s,
    }
}

/// The definitions of a macro file: (line number, text after the `%`),
/// as `rdcl` joins lines (while a `%{`/`%(`/`%[` is open or a line ends
/// with `\`) and `loadMacroFile` keeps the chunks that start with `%`.
pub fn file_chunks(text: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    let mut lines = text.split_inclusive(|&c| c == b'\n');
    let mut lineno = 0;
    while let Some(first) = lines.next() {
        lineno += 1;
        let start_line = lineno;
        let mut buf: Vec<u8> = Vec::new();
        let mut piece = first;
        let mut nesting = Nesting::default();
        let mut scan = 0;
        let mut first_piece = true;
        loop {
            let had_eol = piece.last() == Some(&b'\n');
            let mut p = piece;
            while p.last().is_some_and(|&c| is_eol(c)) {
                p = &p[..p.len() - 1];
            }
            buf.extend_from_slice(p);
            if first_piece {
                first_piece = false;
                let lead = buf.iter().take_while(|&&c| is_blank(c)).count();
                if buf.get(lead) != Some(&b'%') {
                    break;
                }
                scan = lead;
            }
            if !had_eol {
                break;
            }
            while scan < buf.len() {
                scan = match buf[scan] {
                    b'\\' if scan + 1 < buf.len() => scan + 2,
                    _ => nesting.scan(&buf, scan),
                };
            }
            if buf.last() != Some(&b'\\') && !nesting.is_open() {
                break;
            }
            buf.push(b'\n');
            scan = buf.len();
            match lines.next() {
                Some(next) => {
                    lineno += 1;
                    piece = next;
                }
                None => break,
            }
        }
        let lead = buf.iter().take_while(|&&c| is_blank(c)).count();
        if buf.get(lead) == Some(&b'%') {
            out.push((start_line.max(lineno), buf[lead + 1..].to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(s: &str) -> (String, Option<String>, String, usize) {
        let p = parse(s.as_bytes(), false);
        let d = p.def.unwrap();
        (
            d.name,
            d.opts,
            String::from_utf8(d.body).unwrap(),
            p.consumed,
        )
    }

    #[test]
    fn definitions() {
        assert_eq!(
            def(" foo bar baz\nnext"),
            ("foo".into(), None, "bar baz".into(), 13)
        );
        assert_eq!(
            def("p(a:) x %1"),
            ("p".into(), Some("a:".into()), "x %1".into(), 10)
        );
        assert_eq!(def("m a\\\nb\n"), ("m".into(), None, "a\nb".into(), 7));
        assert_eq!(def("m %{?x:\n1}\n").2, "%{?x:\n1}");
        assert_eq!(def("m {a\nb} tail").2, "a\nb");
        assert!(parse(b"m ", false).def.unwrap_err().contains("empty body"));
        assert!(parse(b"1x y", false)
            .def
            .unwrap_err()
            .contains("illegal name"));
        assert!(parse(b"m %{x", false)
            .def
            .unwrap_err()
            .contains("unterminated body"));
        assert_eq!(parse(b"m a\nb", true).def.unwrap().body, b"a\nb");
    }

    #[test]
    fn macro_file_chunks() {
        let text = b"# c\n%a 1\n%b() x \\\n  y\n\n%c %{lua:\nprint(1)\n}\nnot a macro\n  %d 4";
        let got: Vec<(usize, String)> = file_chunks(text)
            .into_iter()
            .map(|(l, b)| (l, String::from_utf8(b).unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "a 1".into()),
                (4, "b() x \\\n  y".into()),
                (8, "c %{lua:\nprint(1)\n}".into()),
                (10, "d 4".into()),
            ]
        );
    }
}
