//! The text of a scalar one of whose line breaks was a line or paragraph
//! separator (LS, U+2028; PS, U+2029), as PyYAML 6.0's scanner makes it
//! (`yaml/scanner.py`: `scan_plain_spaces`, `scan_flow_scalar_spaces` and
//! `scan_flow_scalar_breaks`, `scan_block_scalar`). [`super::yaml_breaks`]
//! made each a LF for the parser and noted where it was; the parser's text
//! then folds it as a LF, where PyYAML's `scan_line_break` keeps it as
//! itself: a run of line breaks folds to its first break (a blank when
//! that is a LF and no more follow, nothing when more follow, an LS or PS
//! as itself) and then each later break as itself. In a double-quoted
//! scalar an escaped line break (`\` at a line's end) gives nothing, an LS
//! or PS too, and the breaks of the empty lines after it give themselves.
//! In a folded block (`>`) a line break between two lines of text that
//! start with no blank folds to a blank only when it is a LF; an LS or PS
//! stays, as every break of a literal block (`|`) does.

use serde_saphyr::granit_parser::{self, ScalarStyle};

/// Where the separators are: the offsets, sorted, of the LFs of the text
/// that were one, and which each was.
pub(super) type Separators<'a> = (&'a [usize], &'a [char]);

/// The line break at `at` of the parser's text: a LF, or the separator it
/// was.
fn break_at((at_list, kinds): Separators, at: usize) -> char {
    match at_list.binary_search(&at) {
        Ok(i) => kinds.get(i).copied().unwrap_or('\u{2028}'),
        Err(_) => '\n',
    }
}

/// The problem of a scalar with a separator this reader could not read
/// (one whose block header it did not find, or whose double-quoted text
/// the parser refused rewritten; neither seen in PyYAML's readable texts).
pub(super) fn separator_in_scalar(line: usize) -> String {
    format!(
        "line {line}: a line or paragraph separator (U+2028, U+2029) inside a scalar's text that \
         this reader could not fold as PyYAML does; it refuses the file rather than read another \
         value (write it as \\L or \\P inside double quotes)"
    )
}

/// A block scalar with text: where its header's `|` or `>` is, and the
/// indentation of its text (the parser's, which PyYAML's is).
pub(super) struct Block {
    pub(super) header: usize,
    pub(super) indent: usize,
}

/// A scalar's text as PyYAML makes it when a separator is one of its line
/// breaks. `span` is the scalar's bytes in `text` (quotes included);
/// `block_breaks` a block scalar's line breaks, from after its header's
/// line to its last blank line; `block` a block scalar's header and
/// indentation, when it has a line of text; `value` the parser's text (LFs
/// only). None where it cannot be made (see [`separator_in_scalar`]).
pub(super) fn text_with_separators(
    text: &str,
    span: std::ops::Range<usize>,
    style: ScalarStyle,
    (block_breaks, block): (std::ops::Range<usize>, Option<Block>),
    value: &str,
    separators: Separators,
) -> Option<String> {
    let break_at = |at: usize| break_at(separators, at);
    let inner = || {
        let inner = span.start + 1..span.end.checked_sub(1)?;
        (inner.start <= inner.end).then_some(inner)
    };
    match (style, block) {
        (ScalarStyle::Plain, _) => Some(fold(&text[span.clone()], span.start, &break_at, false)),
        (ScalarStyle::SingleQuoted, _) => {
            let inner = inner()?;
            Some(fold(&text[inner.clone()], inner.start, &break_at, true))
        }
        (ScalarStyle::DoubleQuoted, _) => {
            let inner = inner()?;
            double_quoted(&text[inner.clone()], inner.start, &break_at)
        }
        (ScalarStyle::Literal | ScalarStyle::Folded, Some(block)) => {
            block_text(text, &block, style == ScalarStyle::Folded, &break_at)
        }
        // No line of text: the value is the kept line breaks, folded or
        // not, each as written.
        (ScalarStyle::Literal | ScalarStyle::Folded, None) => {
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
    }
}

/// Lines folded as PyYAML folds a plain or single-quoted scalar's: blanks
/// before a line break and at a continuation line's start go; a run of
/// line breaks as the module's comment says. `quoted`: `''` is a quote.
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
        out.push_str(&folded_run(first, &breaks, ' '));
        out.extend(breaks);
    }
    out
}

/// What a run of line breaks folds to before its later breaks: the first
/// as itself when it is an LS or PS, else `blank` when no more follow.
fn folded_run(first: char, later: &[char], blank: char) -> String {
    if first != '\n' {
        first.to_string()
    } else if later.is_empty() {
        blank.to_string()
    } else {
        String::new()
    }
}

/// A double-quoted scalar's text (`inner`: between its quotes, at `base`
/// in the parser's text) as PyYAML makes it. Its lines are joined into one
/// line that the parser reads as PyYAML reads the lines: the blanks around
/// each run of line breaks dropped (but those before an escaped break), the
/// run written as the escapes of what it folds to (`\L`, `\P`, `\n`, or a
/// blank), and the parser's reading of that line is the value; None when
/// it refuses it.
fn double_quoted(inner: &str, base: usize, break_at: &dyn Fn(usize) -> char) -> Option<String> {
    let escape = |c: char| match c {
        '\u{2028}' => "\\L".to_string(),
        '\u{2029}' => "\\P".to_string(),
        '\n' => "\\n".to_string(),
        c => c.to_string(),
    };
    let bytes = inner.as_bytes();
    let is_break = |i: usize| matches!(bytes.get(i), Some(b'\n' | b'\r'));
    // The break at `i` (a CRLF is one): what it is and where the next
    // line starts.
    let line_break = |i: usize| -> (char, usize) {
        if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
            ('\n', i + 2)
        } else {
            (break_at(base + i), i + 1)
        }
    };
    // The empty lines after a break at `i`, as `scan_flow_scalar_breaks`
    // reads them: their breaks, and where the text goes on.
    let later_breaks = |mut i: usize| -> (Vec<char>, usize) {
        let mut breaks = Vec::new();
        loop {
            while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            if !is_break(i) {
                return (breaks, i);
            }
            let (c, next) = line_break(i);
            breaks.push(c);
            i = next;
        }
    };
    let mut out = String::with_capacity(inner.len() + 8);
    // Where in `out` the blanks before the next character began.
    let mut blanks_from: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = inner[i..].chars().next()?;
        match c {
            '\\' if is_break(i + 1) => {
                let (_, next) = line_break(i + 1);
                let (breaks, next) = later_breaks(next);
                out.extend(breaks.into_iter().map(escape));
                blanks_from = None;
                i = next;
            }
            '\\' => {
                // An escape: the backslash and the character it escapes.
                let escaped = inner[i + 1..].chars().next()?;
                out.push('\\');
                out.push(escaped);
                blanks_from = None;
                i += 1 + escaped.len_utf8();
            }
            ' ' | '\t' => {
                blanks_from.get_or_insert(out.len());
                out.push(c);
                i += 1;
            }
            '\n' | '\r' => {
                out.truncate(blanks_from.take().unwrap_or(out.len()));
                let (first, next) = line_break(i);
                let (breaks, next) = later_breaks(next);
                out.push_str(&escape_all(&folded_run(first, &breaks, ' '), &escape));
                out.extend(breaks.into_iter().map(escape));
                i = next;
            }
            c => {
                out.push(c);
                blanks_from = None;
                i += c.len_utf8();
            }
        }
    }
    let line = format!("\"{out}\"");
    for event in granit_parser::Parser::new_from_str(&line) {
        match event.ok()?.0 {
            granit_parser::Event::Scalar(value, ..) => return Some(value.into_owned()),
            _ => continue,
        }
    }
    None
}

/// `s` with each character written as `escape` writes it.
fn escape_all(s: &str, escape: &dyn Fn(char) -> String) -> String {
    s.chars().map(escape).collect()
}

/// A block scalar's text as PyYAML's `scan_block_scalar` makes it: its
/// header's chomping indicator read, its lines from the one after the
/// header's, each at `block.indent` (the empty lines before each line of
/// text kept as their breaks), joined by their line breaks, a LF between
/// two lines of a folded block that start with no blank folded (to a blank
/// when no empty line is between them), the last break and the empty lines
/// after kept as the chomping indicator says. None without a header.
fn block_text(
    text: &str,
    block: &Block,
    folded: bool,
    break_at: &dyn Fn(usize) -> char,
) -> Option<String> {
    let b = text.as_bytes();
    if !matches!(b.get(block.header), Some(b'|' | b'>')) {
        return None;
    }
    // `+` keeps every final break, `-` none, nothing the last one only;
    // a digit (the indentation) may stand before or after it.
    let indicators = &text[block.header + 1..];
    let indicators = &indicators[..indicators
        .find(|c: char| !matches!(c, '+' | '-' | '0'..='9'))
        .unwrap_or(indicators.len())];
    let keep = indicators.contains('+');
    let strip = indicators.contains('-');
    let mut i = text[block.header..]
        .find('\n')
        .map(|n| block.header + n + 1)?;
    let is_break = |i: usize| matches!(b.get(i), Some(b'\n' | b'\r'));
    let line_break = |i: usize| -> (Option<char>, usize) {
        match b.get(i) {
            Some(b'\r') if b.get(i + 1) == Some(&b'\n') => (Some('\n'), i + 2),
            Some(b'\n') => (Some(break_at(i)), i + 1),
            _ => (None, i),
        }
    };
    // `scan_block_scalar_breaks`: the empty lines from `i`, each up to the
    // indentation; their breaks, where the text goes on and at what column.
    let breaks = |mut i: usize| -> (Vec<char>, usize, usize) {
        let mut found = Vec::new();
        loop {
            let mut col = 0;
            while col < block.indent && b.get(i) == Some(&b' ') {
                i += 1;
                col += 1;
            }
            match line_break(i) {
                (Some(c), next) => {
                    found.push(c);
                    i = next;
                }
                (None, _) => return (found, i, col),
            }
        }
    };
    let mut out = String::new();
    let (mut empty, next, mut col) = breaks(i);
    i = next;
    let mut last_break = None;
    while col == block.indent && i < b.len() {
        out.extend(empty.iter());
        let leading_text = !matches!(b[i], b' ' | b'\t');
        let end = (i..b.len()).find(|&j| is_break(j)).unwrap_or(b.len());
        out.push_str(&text[i..end]);
        let (brk, next) = line_break(end);
        last_break = brk;
        let (later, next, next_col) = breaks(next);
        (empty, i, col) = (later, next, next_col);
        if col != block.indent || i >= b.len() {
            break;
        }
        // PyYAML's folding: a LF between two lines of text that start
        // with no blank is a blank, or nothing before empty lines.
        let folds = folded && brk == Some('\n') && leading_text && !matches!(b[i], b' ' | b'\t');
        if !folds {
            out.extend(brk);
        } else if empty.is_empty() {
            out.push(' ');
        }
    }
    if !strip {
        out.extend(last_break);
    }
    if keep {
        out.extend(empty.iter());
    }
    Some(out)
}

/// Where the header (`|` or `>`) of the block scalar whose text starts at
/// `start` is: past the tokens between the node before it (ending at
/// `from`) and its text: blanks, comments, an indicator (`:`, `-`, `?`),
/// its tag and anchor.
pub(super) fn block_header(text: &str, from: usize, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < start.min(b.len()) {
        match b[i] {
            b'|' | b'>' => return Some(i),
            b' ' | b'\t' | b'\n' | b'\r' | b':' | b'-' | b'?' => i += 1,
            b'#' => i = text[i..].find('\n').map_or(b.len(), |n| i + n),
            b'!' | b'&' => {
                i = text[i..]
                    .find([' ', '\t', '\n', '\r'])
                    .map_or(b.len(), |n| i + n)
            }
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::yaml::Value;

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

    /// PyYAML 6.0's `safe_load` of each (`/usr/bin/python3`, Debian's
    /// python3-yaml): double-quoted scalars fold a run of breaks as plain
    /// ones do; an escaped break gives nothing, an LS or PS too, and the
    /// empty lines after it their breaks; escapes and blanks before an
    /// escaped break stay. (Refused here before.)
    #[test]
    fn a_separator_inside_a_double_quoted_scalar_is_read_as_pyyaml_reads_it() {
        for (text, want) in [
            ("a: \"x\u{2028}y\"\n", "x\u{2028}y"),
            ("a: \"x \u{2028}  y\"\n", "x\u{2028}y"),
            ("a: \"x\u{2028}\n\n  y\"\n", "x\u{2028}\n\ny"),
            ("a: \"x\n\u{2028}y\"\n", "x\u{2028}y"),
            ("a: \"x\n\u{2029}\ty\"\n", "x\u{2029}y"),
            ("a: \"x\\\u{2028}  y\"\n", "xy"),
            ("a: \"x\\\n\u{2028}  y\"\n", "x\u{2028}y"),
            ("a: \"x\\\u{2028}\u{2029}y\"\n", "x\u{2029}y"),
            ("a: \"x\\ \u{2028}y\"\n", "x \u{2028}y"),
            ("a: \"x \\\u{2028}y\"\n", "x y"),
            (
                "a: \"\\x41\\t\u{2029}\\u00e9 \\\"q\\\\\"\n",
                "A\t\u{2029}é \"q\\",
            ),
            ("a: \"x\r\n\u{2028}\r\n y\"\n", "x\u{2028}\ny"),
            ("- \"\u{2028}\"\n", "\u{2028}"),
        ] {
            let v = Value::parse(text, "t.yaml").unwrap();
            let got = v.get("a").cloned().or_else(|| match v {
                Value::Seq(mut items) => items.pop(),
                _ => None,
            });
            assert_eq!(got, Some(Value::Str(want.into())), "{text:?}");
        }
    }

    /// PyYAML 6.0's `safe_load` of each: a folded block folds a LF between
    /// two lines of text that start with no blank (to a blank when no
    /// empty line is between them) and keeps an LS or PS as itself; the
    /// chomping indicator keeps or drops the last break as written.
    /// (Refused here before.)
    #[test]
    fn a_separator_inside_a_folded_block_is_read_as_pyyaml_reads_it() {
        for (text, want) in [
            ("a: >\n  x\u{2028}  y\n", "x\u{2028}y\n"),
            ("a: >\n  x\u{2028}  y\u{2029}", "x\u{2028}y\u{2029}"),
            ("a: >\n  x\n\u{2028}  y\n", "x\u{2028}y\n"),
            ("a: >\n  x\u{2028}\n  y\n", "x\u{2028}\ny\n"),
            ("a: >\n  x\u{2028}   y\n", "x\u{2028} y\n"),
            ("a: >+\n  x\u{2028}\u{2029}\n", "x\u{2028}\u{2029}\n"),
            ("a: >-\n  x\u{2028}\u{2029}\n", "x"),
            ("a: >\n  x\n  y\u{2028}  z\n\n  w\n", "x y\u{2028}z\nw\n"),
            ("a: > # c>|+\n  x\u{2029}\n", "x\u{2029}"),
            ("a: !!str &n >2-\n   x\u{2028}   y\n", " x\u{2028} y"),
            ("a:\n  >\n   x\u{2028}   y\n", "x\u{2028}y\n"),
            ("a: |\n  x\u{2028}  y\n", "x\u{2028}y\n"),
        ] {
            let v = Value::parse(text, "t.yaml").unwrap();
            assert_eq!(v.get("a"), Some(&Value::Str(want.into())), "{text:?}");
        }
        let v = Value::parse("- >2\n   x\u{2028}   y\n", "t.yaml").unwrap();
        assert_eq!(v, Value::Seq(vec![Value::Str(" x\u{2028} y\n".into())]));
    }
}
