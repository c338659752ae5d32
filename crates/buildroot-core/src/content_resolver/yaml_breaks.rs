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
//! one as PyYAML makes it ([`text_with_separators`]: plain, single-quoted
//! and literal scalars), or refuses it (double-quoted and folded ones),
//! rather than read a different value.
//!
//! In a text with any of these, a lone CR becomes a LF too: PyYAML counts
//! a CR then a NEL as two line breaks, where the parser would take the CR
//! and the LF made of the NEL as one.
//!
//! Also here: the characters PyYAML's reader refuses wherever they stand
//! (a comment too), which the parser reads in some places.

use std::borrow::Cow;

use serde_saphyr::granit_parser::ScalarStyle;

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
    let line = 1 + text[..at].matches('\n').count();
    Some(format!(
        "line {line}: special characters are not allowed (PyYAML's reader refuses #x{:04x})",
        u32::from(c)
    ))
}

/// The problem of a double-quoted or folded scalar whose text holds a
/// line or paragraph separator.
pub(super) fn separator_in_scalar(line: usize) -> String {
    format!(
        "line {line}: a line or paragraph separator (U+2028, U+2029) inside a double-quoted or \
         folded scalar's text, which PyYAML keeps in the value and folds around its own way; \
         this reader refuses it (write it as \\L or \\P inside double quotes)"
    )
}

/// A scalar's text as PyYAML makes it when a line or paragraph separator
/// is one of its line breaks, for the styles read here: plain and
/// single-quoted scalars folded as `scan_plain_spaces` and
/// `scan_flow_scalar_spaces` fold them, and literal block scalars, whose
/// every line break after the header's line is the value's, in order, as
/// written. `span` is the scalar's bytes in `text` (quotes included);
/// `block_breaks` a literal block's line breaks, from after its header's
/// line to its last blank line; `value` the parser's text (LFs only).
/// None for the other styles (double-quoted, folded), which are refused.
pub(super) fn text_with_separators(
    text: &str,
    span: std::ops::Range<usize>,
    style: ScalarStyle,
    block_breaks: std::ops::Range<usize>,
    value: &str,
    (separators, kinds): (&[usize], &[char]),
) -> Option<String> {
    // The line break at `at`: a LF, or the separator it was.
    let break_at = |at: usize| -> char {
        match separators.binary_search(&at) {
            Ok(i) => kinds.get(i).copied().unwrap_or('\u{2028}'),
            Err(_) => '\n',
        }
    };
    match style {
        ScalarStyle::Plain => Some(fold(&text[span.clone()], span.start, &break_at, false)),
        ScalarStyle::SingleQuoted => {
            let inner = span.start + 1..span.end.checked_sub(1)?;
            (inner.start <= inner.end)
                .then(|| fold(&text[inner.clone()], inner.start, &break_at, true))
        }
        ScalarStyle::Literal => {
            let breaks: Vec<char> = text[block_breaks.clone()]
                .match_indices('\n')
                .map(|(i, _)| break_at(block_breaks.start + i))
                .collect();
            let mut k = 0;
            let out = value
                .chars()
                .map(|c| {
                    if c != '\n' {
                        return c;
                    }
                    k += 1;
                    breaks.get(k - 1).copied().unwrap_or('\n')
                })
                .collect();
            Some(out)
        }
        _ => None,
    }
}

/// Lines folded as PyYAML folds a plain or quoted scalar's: blanks before
/// a line break and at a continuation line's start go; a run of line
/// breaks is its first break (a space when that is a LF and no more
/// follow; nothing when it is a LF and more follow; an LS or PS as itself)
/// and then each later break as itself. `quoted`: `''` is a quote.
fn fold(inner: &str, base: usize, break_at: &dyn Fn(usize) -> char, quoted: bool) -> String {
    let ws = [' ', '\t'];
    // Each line's text and the break after it (None for the last).
    let mut lines: Vec<(&str, Option<char>)> = Vec::new();
    let mut from = 0;
    for (i, _) in inner.match_indices('\n') {
        let line = &inner[from..i];
        lines.push((
            line.strip_suffix('\r').unwrap_or(line),
            Some(break_at(base + i)),
        ));
        from = i + 1;
    }
    lines.push((&inner[from..], None));
    let text_of = |l: &str| {
        if quoted {
            l.replace("''", "'")
        } else {
            l.to_string()
        }
    };
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let (line, brk) = lines[i];
        let line = if i > 0 {
            line.trim_start_matches(ws)
        } else {
            line
        };
        let line = if brk.is_some() {
            line.trim_end_matches(ws)
        } else {
            line
        };
        out.push_str(&text_of(line));
        let Some(first) = brk else { break };
        // The blank lines after: their breaks.
        let mut breaks = Vec::new();
        i += 1;
        while i + 1 < lines.len() && lines[i].0.trim_matches(ws).is_empty() {
            breaks.push(lines[i].1.unwrap_or('\n'));
            i += 1;
        }
        if first != '\n' {
            out.push(first);
        } else if breaks.is_empty() {
            out.push(' ');
        }
        out.extend(breaks);
    }
    out
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

    /// PyYAML 6.0 keeps an LS or PS that is a line break of a plain,
    /// quoted or block scalar as itself, and folds around it its own way.
    #[test]
    fn a_separator_inside_a_plain_single_quoted_or_literal_scalar_is_kept() {
        for (text, want) in [
            ("a: x\u{2028}  y\n", "x\u{2028}y"),
            ("a: x \u{2028}\n  y\n", "x\u{2028}\ny"),
            ("a: x\n  \u{2029}  y\n", "x\u{2029}y"),
            ("a: 'x\u{2029} y'\n", "x\u{2029}y"),
            ("a: 'it''s\u{2028}\n\n  z '\n", "it's\u{2028}\n\nz "),
            ("a: |\n  x\u{2028}  y\n", "x\u{2028}y\n"),
            ("a: |+\n  x\n\u{2029}\nb: 1\n", "x\n\u{2029}\n"),
            ("a: |\n  x\u{2028}", "x\u{2028}"),
            // Found by the edge documents: a header line ending in CRLF
            // (its LF is no line of the text), and a block without text
            // after another block.
            ("a: |2+ #c\r\n    x\r\n\u{2028}b: 1\n", "  x\n\u{2028}"),
            ("b: |-\n  x\na: |2+\u{2029}\n\n\n", "\n\n\n"),
            // A block of no text before another scalar.
            ("a: |2+\n    \u{2029}  b: c\n", "  \u{2029}b: c\n"),
        ] {
            let v = Value::parse(text, "t.yaml").unwrap();
            assert_eq!(v.get("a"), Some(&Value::Str(want.into())), "{text:?}");
        }
        // The block of no text is told from the scalar after it, which the
        // parser puts at the same place.
        let v = Value::parse("d:\n  a: |2+\n    \u{2029}  b: c\n", "t.yaml").unwrap();
        let d = v.get("d").unwrap();
        assert_eq!(d.get("a"), Some(&Value::Str("\u{2029}".into())));
        assert_eq!(d.get("b"), Some(&Value::Str("c".into())));
    }

    /// Not read in double-quoted and folded scalars: refused.
    #[test]
    fn a_separator_inside_a_double_quoted_or_folded_scalar_is_refused() {
        for text in ["a: \"x\u{2028}y\"\n", "a: >\n  x\u{2028}  y\n"] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(e.contains("line or paragraph separator"), "{text:?}: {e}");
        }
    }
}
