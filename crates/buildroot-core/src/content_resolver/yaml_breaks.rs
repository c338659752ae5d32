//! The line breaks of YAML 1.1 as PyYAML's reader and scanner take them
//! (`yaml/reader.py`'s `forward`, `yaml/scanner.py`'s `scan_line_break`,
//! PyYAML 6.0), where they differ from the YAML 1.2 parser serde-saphyr
//! uses. Runs first, before [`super::yaml_tokens`].
//!
//! YAML 1.1 has five line breaks: LF, CR, CRLF, NEL (U+0085), and the
//! line and paragraph separators LS (U+2028) and PS (U+2029); YAML 1.2
//! made the last three ordinary characters. To PyYAML each of them ends a
//! line everywhere: between tokens, a comment, a plain scalar's line, a
//! block scalar's line, a quoted scalar's line. It reads a NEL as it reads
//! a LF (`scan_line_break` gives `'\n'` for it), so a NEL becomes a LF
//! here, which the parser then reads alike. LS and PS are line breaks too,
//! but `scan_line_break` keeps them as themselves: where one falls inside
//! a scalar's text, PyYAML keeps the character in the value and folds the
//! lines around it its own way (`a: x<LS>  y` is `x<LS>y`). They become a
//! LF here as well, which gives the document's structure, and their places
//! are kept: [`super::yaml_scan`] makes the text of a scalar that holds
//! one as PyYAML makes it ([`super::yaml_separators`]).
//!
//! In a text with any of these, a lone CR becomes a LF too: PyYAML counts
//! a CR then a NEL as two line breaks, where the parser would take the CR
//! and the LF made of the NEL as one.
//!
//! Also here: the characters PyYAML's reader refuses wherever they stand
//! (a comment too), which the parser reads in some places.

use std::borrow::Cow;

/// The text with NEL, LS and PS as LF (see the module's comment), the
/// byte offsets, in that text, of the LFs that were an LS or a PS, and
/// which each was.
pub(super) fn as_pyyaml_breaks(text: &str) -> (Cow<'_, str>, Vec<usize>, Vec<char>) {
    if !text.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return (Cow::Borrowed(text), Vec::new(), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut separators = Vec::new();
    let mut kinds = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A lone CR as a LF: a CR then a NEL made a CRLF once.
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\u{85}' => out.push('\n'),
            '\u{2028}' | '\u{2029}' => {
                separators.push(out.len());
                kinds.push(c);
                out.push('\n');
            }
            c => out.push(c),
        }
    }
    (Cow::Owned(out), separators, kinds)
}

/// The text with every byte order mark (U+FEFF) past its first character
/// written as `stand_in`, a private-use character the text neither holds
/// nor spells as an escape (so every `stand_in` in a value or message was a
/// BOM), which the parser reads as any other character; None without such
/// a BOM.
/// PyYAML's scanner skips a BOM only as the stream's first character
/// (`scan_to_next_token` at index 0); anywhere else its reader hands it
/// over as text (`check_printable` lets it through): a key `\u{feff}b`, a
/// plain scalar starting with it where a token starts (`- \u{feff}- x` is
/// the text `\u{feff}- x`). The parser refused one there ("a BOM must not
/// appear inside a document") or skipped it at a line's start (a key `a`
/// for `\u{feff}a`). The reader does not count a BOM in its column, so a
/// BOM moves the text after it one column left; every such column is one
/// after a token's start on its line, where no indentation is measured.
/// Err: the text holds or spells every private-use character (never in a
/// config).
pub(super) fn boms_as_text(text: &str) -> Result<Option<(String, char)>, String> {
    let past_first = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !past_first.contains('\u{feff}') {
        return Ok(None);
    }
    let stand_in = free_private_use(text).ok_or(
        "a byte order mark (U+FEFF) past the first character, in a text that holds or \
            escapes every private-use character (this reader needs one free to read the BOM as text)",
    )?;
    let first = text.len() - past_first.len();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..first]);
    out.extend(
        past_first
            .chars()
            .map(|c| if c == '\u{feff}' { stand_in } else { c }),
    );
    Ok(Some((out, stand_in)))
}

/// The first private-use character (U+E000..U+F8FF) that `text` neither
/// holds nor spells, in one pass. Values map every stand-in back to a BOM,
/// so no escape may give it either: a double-quoted `\uE000` or
/// `\U0000E000`, a tag's `%EE%80%80`; its four hex digits anywhere, or its
/// percent form anywhere, in any case, rule it out (more than is needed,
/// and never wrong). The candidates were once tried one at a time, each
/// with three scans of the text: 6,400 × 3 scans where a text spells them
/// all near its end.
fn free_private_use(text: &str) -> Option<char> {
    const FIRST: u32 = 0xe000;
    const LAST: u32 = 0xf8ff;
    let mut taken = vec![false; (LAST - FIRST + 1) as usize];
    let mut take = |c: u32| {
        if (FIRST..=LAST).contains(&c) {
            taken[(c - FIRST) as usize] = true;
        }
    };
    for c in text.chars() {
        take(u32::from(c));
    }
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    // Four hex digits in a row: the `\u`/`\U` spellings.
    for w in bytes.windows(4) {
        if let [Some(a), Some(b), Some(c), Some(d)] = [hex(w[0]), hex(w[1]), hex(w[2]), hex(w[3])] {
            take(a << 12 | b << 8 | c << 4 | d);
        }
    }
    // `%hh%hh%hh`: a three-byte UTF-8 character, as a tag spells one.
    for w in bytes.windows(9) {
        let byte = |i: usize| Some(hex(w[i + 1])? << 4 | hex(w[i + 2])?);
        if let (b'%', b'%', b'%') = (w[0], w[3], w[6]) {
            if let (Some(a), Some(b), Some(c)) = (byte(0), byte(3), byte(6)) {
                let utf8 = [a as u8, b as u8, c as u8];
                if let Some(ch) = std::str::from_utf8(&utf8)
                    .ok()
                    .and_then(|s| s.chars().next())
                {
                    take(u32::from(ch));
                }
            }
        }
    }
    (FIRST..=LAST)
        .find(|c| !taken[(c - FIRST) as usize])
        .and_then(char::from_u32)
}

/// The first character PyYAML's reader refuses (`Reader.check_printable`:
/// controls but tab, LF, CR and NEL; DEL; C1 controls; U+FFFE, U+FFFF),
/// anywhere in the text, comments included, as `line N: ...`.
pub(super) fn unprintable(text: &str) -> Option<String> {
    let printable = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}')
            || matches!(c, '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    };
    let at = text.find(|c| !printable(c))?;
    let c = text[at..].chars().next()?;
    // Every line break PyYAML's reader counts, as the parser's line
    // numbers in the other messages do (after `as_pyyaml_breaks`).
    let before = &text[..at];
    let line = 1
        + before
            .matches(['\n', '\u{85}', '\u{2028}', '\u{2029}'])
            .count()
        + before.matches('\r').count()
        - before.matches("\r\n").count();
    Some(format!(
        "line {line}: special characters are not allowed (PyYAML's reader refuses #x{:04x})",
        u32::from(c)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::yaml::Value;
    use super::*;

    #[test]
    fn nel_is_a_line_feed_and_separators_are_noted() {
        assert_eq!(as_pyyaml_breaks("a\u{85}b").0, "a\nb");
        assert_eq!(as_pyyaml_breaks("a\r\u{85}b").0, "a\n\nb");
        assert_eq!(as_pyyaml_breaks("a\r\r\u{85}b\r\n").0, "a\n\n\nb\r\n");
        let (t, at, kinds) = as_pyyaml_breaks("é\u{2028}b\u{2029}");
        assert_eq!(
            (t.as_ref(), at, kinds),
            ("é\nb\n", vec![2, 4], vec!['\u{2028}', '\u{2029}'])
        );
        assert!(matches!(as_pyyaml_breaks("a\r\nb").0, Cow::Borrowed(_)));
    }

    /// PyYAML 6.0's `safe_load` of each (read by it: the values below).
    #[test]
    fn documents_with_nel_ls_or_ps_read_as_pyyaml_reads_them() {
        let map = |pairs: &[(&str, &str)]| {
            Value::Map(
                pairs
                    .iter()
                    .map(|(k, v)| (Value::Str(k.to_string()), Value::Str(v.to_string())))
                    .collect(),
            )
        };
        for (text, want) in [
            ("a: b\u{85}c: d\n", map(&[("a", "b"), ("c", "d")])),
            ("a: b\u{2028}c: d\n", map(&[("a", "b"), ("c", "d")])),
            ("a: b\u{2029}c: d\n", map(&[("a", "b"), ("c", "d")])),
            ("a: x\u{85}  y\n", map(&[("a", "x y")])),
            ("a: 'x\u{85}y'\n", map(&[("a", "x y")])),
            ("a: b # c\u{85}d: e\n", map(&[("a", "b"), ("d", "e")])),
            ("a: \u{85}  b\n", map(&[("a", "b")])),
            ("a: b\u{2028}", map(&[("a", "b")])),
        ] {
            assert_eq!(Value::parse(text, "t.yaml").unwrap(), want, "{text:?}");
        }
        let list = Value::parse("- a\u{85}- b\n", "t.yaml").unwrap();
        assert_eq!(
            list,
            Value::Seq(vec![Value::Str("a".into()), Value::Str("b".into())])
        );
        // A NEL ends the line a block scalar's text is on; PyYAML then
        // finds `y` at column 0 and refuses the document.
        assert!(Value::parse("a: |\n  x\u{85}y\n", "t.yaml").is_err());
    }

    /// PyYAML's `ReaderError` ("special characters are not allowed"),
    /// found by the edge documents in a comment, where the parser skips it.
    #[test]
    fn characters_pyyamls_reader_refuses_are_refused_anywhere() {
        for text in [
            "a: 1 # \u{b}\n",
            "# \u{7f}\na: 1\n",
            "a: '\u{9f}'\n",
            "a: \u{fffe}\n",
        ] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(e.contains("special characters"), "{text:?}: {e}");
        }
        for text in [
            "a: \u{a0}é\u{feff}\u{fffd}\u{1f600}\n",
            "\u{feff}a: '\u{85}\t'\n",
        ] {
            assert!(Value::parse(text, "t.yaml").is_ok(), "{text:?}");
        }
    }

    /// The one-pass search rules out what a search per candidate rules
    /// out (the character, its four hex digits or its `%`-escapes anywhere,
    /// any case), and nothing more: on texts that hold, spell, half-spell
    /// or mis-spell the first candidates.
    #[test]
    fn the_free_private_use_character_is_the_first_neither_held_nor_spelled() {
        let per_candidate = |text: &str| {
            let lower = text.to_ascii_lowercase();
            ('\u{e000}'..='\u{f8ff}').find(|&c| {
                let mut b = [0; 4];
                let percent: String = c
                    .encode_utf8(&mut b)
                    .bytes()
                    .map(|x| format!("%{x:02x}"))
                    .collect();
                !text.contains(c)
                    && !lower.contains(&format!("{:04x}", u32::from(c)))
                    && !lower.contains(&percent)
            })
        };
        for text in [
            "",
            "a: \u{e000}\n",
            "\"\\uE000\\U0000e001\" !t%EE%80%82 %ee%80%83",
            "E000E001e002",
            "e00 0e00",
            "%EE%80%8 %EE%80 %ee%80%8g %EE%80%%80",
            "\u{e000}\u{e001}e002%EE%80%83%Ee%80%84%c3%a9 \u{feff} e005xyz",
            "%EF%A3%BF f8fe",
            "é€e000",
        ] {
            assert_eq!(free_private_use(text), per_candidate(text), "{text:?}");
        }
        let all: String = ('\u{e000}'..='\u{f8ff}').collect();
        assert_eq!(free_private_use(&all), None);
        let spelled: String = (0xe000..=0xf8feu32).map(|c| format!("{c:04X}")).collect();
        assert_eq!(free_private_use(&spelled), Some('\u{f8ff}'));
    }

    /// The line such a character is on counts every line break PyYAML's
    /// reader counts (LF, CRLF as one, a lone CR, NEL, LS, PS), as the
    /// other messages do: it said `line 2` for the `\x01` on line 4 of
    /// `a: "x<LS>y<PS>z"` then `b: \x01`.
    #[test]
    fn a_refused_character_is_on_the_line_pyyaml_counts() {
        for (text, line) in [
            ("a: \"x\u{2028}  y\u{2029}  z\"\nb: \u{1}\n", 4),
            ("a: x\r\nb: y\rc: \u{85}z\u{85}\u{1}\n", 5),
            ("a: 1\r\n\r\n# \u{7f}\n", 3),
        ] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(
                e.contains(&format!("line {line}: special")),
                "{text:?}: {e}"
            );
        }
    }
}
