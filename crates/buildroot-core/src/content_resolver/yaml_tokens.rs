//! The text between YAML tokens as PyYAML's scanner (`yaml/scanner.py`,
//! PyYAML 6.0) reads it, where it differs from the YAML 1.2 parser
//! serde-saphyr uses. Runs before the two passes of [`super::yaml`]: it
//! refuses a document PyYAML's scanner refuses, or rewrites it in place,
//! byte for byte (offsets and line numbers stay), into a text the parser
//! reads as PyYAML reads the original.
//!
//! - A tab between tokens or inside a plain scalar is refused:
//!   `scan_to_next_token` skips spaces only and `scan_plain` ends at a tab,
//!   so PyYAML says "found character '\t' that cannot start any token",
//!   where the parser takes a tab as a blank. Tabs stay where PyYAML reads
//!   them as text or skips them: inside quotes, in a comment, in a block
//!   scalar's text at or past its indentation.
//! - A comment right after a closing quote, `]`, `}` or a flow `,`
//!   (`- "a"# c`) is read: PyYAML starts a comment wherever a token could
//!   start, the parser wants a blank before the `#`. The comment is blanked.
//! - A comment on a line less indented than a block scalar's indentation,
//!   before any line of its text (the indentation given by `|2`, or by a
//!   leading blank line with more blanks than the next line), is read:
//!   `scan_block_scalar` ends the scalar at that line and the comment is
//!   skipped; the parser calls the line wrongly indented. The `#` is moved
//!   to the line's first column, where the parser ends the scalar too.
//! - An anchor or alias name of other characters than `[0-9A-Za-z_-]` is
//!   refused, as `scan_anchor` refuses it (YAML 1.2 allows more), but for
//!   one that such a name ends right before `:`, `?`, `%`, `@` or a
//!   backquote: `scan_anchor` ends the name there and the scanner reads
//!   on from that character (`a: &x:y 1` is the anchor `x` on the text
//!   `:y 1`). A blank is put after the name (and, in a flow collection,
//!   after the `:` or `?`, which PyYAML then takes for an indicator
//!   whatever follows), so that the parser reads it so too; this one
//!   rewrite adds bytes, and the offsets after it move.
//! - In a flow collection, a plain scalar that starts with `?` (`[?x]`)
//!   is a key then, `?` being PyYAML's key indicator there whatever
//!   follows: a blank is put after the `?` (bytes added, as above). A `?`
//!   past a plain scalar's start (`[a?b]`, `{k: a ?b}`) is refused, as
//!   PyYAML's parser refuses the key indicator it ends the scalar at.
//! - A top-level block scalar whose first line of text is at column 0
//!   (`|` then `x`): PyYAML's `scan_block_scalar` wants one column of
//!   indentation there, YAML 1.2 none. Such a line ends PyYAML's scalar:
//!   text there is refused ("expected '<document start>'"), a comment is
//!   skipped, so `... ` is put before its `#` (bytes added, as above) and
//!   the parser ends the document there too, reading what follows as
//!   PyYAML does (more comments; anything else refused by both).
//!
//! The rewrites are found from the parser's own tokens and errors (it stops at
//! each), and the text scanned again. At the first such comment every
//! later `#` written against a quote, `]`, `}` or `,` is blanked too, and
//! one more scan keeps those it proves comments (see [`proven_comments`]):
//! a text of thousands of them takes three scans, not one each. What is
//! left to one rewrite a scan is held to a budget, so no text takes
//! quadratic time.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{ErrorKind, ScalarStyle, Scanner, StrInput, TokenType};

/// How many bytes the rescans after rewrites may read in all: far more
/// than any config needs (each rewrite rescans the text once), small
/// enough that a text of thousands of such comments is refused at once.
const RESCAN_BUDGET: usize = 16 << 20;

/// Where a tab may stand: a token's byte range, and for a block scalar's
/// text the indentation a tab must be at or past (spaces before it).
struct TabsAllowed {
    start: usize,
    end: usize,
    indent: Option<usize>,
}

/// What one scan of the text found.
enum Found {
    /// The whole text scanned: where tabs may stand, and the first anchor
    /// or alias name PyYAML refuses (its offset and the problem).
    Tokens(Vec<TabsAllowed>, Option<(usize, String)>),
    /// A rewrite to make at this offset, then scan again.
    Comment(usize),
    /// A block scalar's less indented comment line, starting here.
    IndentedComment(usize),
    /// A token that PyYAML ends at this offset, before a character it
    /// reads on from: an anchor or alias name before `:`, `?`, ... (and
    /// whether that is in a flow collection), or, in a flow collection, a
    /// plain scalar that starts with `?`, PyYAML's key indicator there.
    EndsBefore(usize, bool),
    /// A top-level block scalar's first line of text, a comment at column
    /// 0, starting here: PyYAML ends the scalar before it (see
    /// [`column_zero_text`]); `... ` is put before the `#`.
    EndsDocument(usize),
    /// An error of the parser's that no rewrite answers: the parser says
    /// it later.
    Unparsable,
}

/// The text as PyYAML's scanner reads it (see the module's comment), or
/// the problem that makes PyYAML refuse it, as `line N: ...`.
///
/// `moved`: byte offsets into `text`, each moved past the bytes a rewrite
/// puts before it.
pub(super) fn as_pyyaml_scans<'t>(
    text: &'t str,
    moved: &mut [usize],
) -> Result<Cow<'t, str>, String> {
    if !text.contains(['#', '\t', '&', '*', '{', '[', '|', '>']) && !bare_value_indicator(text) {
        return Ok(Cow::Borrowed(text));
    }
    let mut owned: Option<String> = None;
    let mut scanned = 0;
    loop {
        let cur = owned.as_deref().unwrap_or(text);
        let found = scan(cur);
        let (at, fix): (usize, fn(&mut [u8], usize)) = match found {
            Found::Unparsable => break,
            Found::Comment(at) => {
                scanned += 2 * cur.len();
                if scanned > RESCAN_BUDGET {
                    return Err(too_many(cur, at));
                }
                owned = Some(with_comments_blanked(cur, at));
                continue;
            }
            Found::Tokens(allowed, bad_name) => {
                let tab = first_stray_tab(cur, allowed);
                let problem = match (tab, bad_name) {
                    (Some(t), Some((n, name))) if n < t => Some((n, name)),
                    (Some(t), _) => Some((t, TAB.to_string())),
                    (None, bad_name) => bad_name,
                };
                if let Some((at, problem)) = problem {
                    return Err(format!("line {}: {problem}", line_of(cur, at)));
                }
                break;
            }
            Found::IndentedComment(at) => (at, move_comment),
            Found::EndsDocument(at) => {
                scanned += cur.len();
                if scanned > RESCAN_BUDGET {
                    return Err(too_many(cur, at));
                }
                let mut next = cur.to_string();
                next.insert_str(at, "... ");
                for m in moved.iter_mut().filter(|m| **m >= at) {
                    *m += 4;
                }
                owned = Some(next);
                continue;
            }
            Found::EndsBefore(at, flow) => {
                scanned += cur.len();
                if scanned > RESCAN_BUDGET {
                    return Err(too_many(cur, at));
                }
                let mut next = cur.to_string();
                let added = if flow && matches!(cur.as_bytes()[at], b':' | b'?') {
                    next.insert(at, ' ');
                    next.insert(at + 2, ' ');
                    2
                } else {
                    next.insert(at, ' ');
                    1
                };
                for m in moved.iter_mut().filter(|m| **m >= at) {
                    *m += added;
                }
                owned = Some(next);
                continue;
            }
        };
        scanned += cur.len();
        if scanned > RESCAN_BUDGET {
            return Err(too_many(cur, at));
        }
        let mut bytes = cur.as_bytes().to_vec();
        fix(&mut bytes, at);
        // Only ASCII bytes and whole characters are replaced.
        owned = Some(String::from_utf8(bytes).expect("rewrites keep UTF-8"));
    }
    Ok(owned.map_or(Cow::Borrowed(text), Cow::Owned))
}

fn too_many(text: &str, at: usize) -> String {
    format!(
        "line {}: too many comments written against a quoted scalar or a flow indicator, or \
         under a block scalar, to read",
        line_of(text, at)
    )
}

/// `text` with the comment at `at` blanked (the parser's error says it is
/// one), and every later one written against a quote, `]`, `}` or `,`
/// that [`proven_comments`] proves, up to the first it cannot.
fn with_comments_blanked(text: &str, at: usize) -> String {
    let bytes = text.as_bytes();
    let mut bulk = bytes.to_vec();
    blank_comment(&mut bulk, at);
    // The later `#`s that may be such comments; one on a line already
    // blanked is gone with it.
    let mut candidates = Vec::new();
    let mut blanked_to = line_end(bytes, at);
    for p in at + 1..bytes.len() {
        if p >= blanked_to && comment_after_token(text, p) {
            candidates.push(p);
            blank_comment(&mut bulk, p);
            blanked_to = line_end(bytes, p);
        }
    }
    let mut out = bytes.to_vec();
    blank_comment(&mut out, at);
    if !candidates.is_empty() {
        let bulk = String::from_utf8(bulk).expect("rewrites keep UTF-8");
        for p in proven_comments(&bulk, &candidates) {
            blank_comment(&mut out, p);
        }
    }
    String::from_utf8(out).expect("rewrites keep UTF-8")
}

/// The leading `candidates` that the parser's scan of `blanked` (the text
/// with every candidate's comment blanked) proves comments: a quoted
/// scalar, `]`, `}` or a flow `,` ends right at the `#`'s place, so PyYAML,
/// which read the text up to there as the parser reads it (each earlier
/// candidate proven the same way, and a blanked comment is blanks to both),
/// is between tokens there and starts a comment. The first candidate not
/// proven (a `#` inside quotes, a block scalar's text, a comment; or past
/// the scan's first error) ends the list: blanking it changed the text, and
/// so possibly the tokens after it.
fn proven_comments(blanked: &str, candidates: &[usize]) -> Vec<usize> {
    let mut ends = std::collections::HashSet::new();
    let mut stop = blanked.len();
    for token in Scanner::new(StrInput::new(blanked)) {
        let token = match token {
            Ok(t) => t,
            Err(e) => {
                stop = e.marker().byte_offset().unwrap_or(0);
                break;
            }
        };
        let (span, kind) = token.into_parts();
        if let (
            Some(range),
            TokenType::Scalar(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, _)
            | TokenType::FlowSequenceEnd
            | TokenType::FlowMappingEnd
            | TokenType::FlowEntry,
        ) = (span.byte_range(), kind)
        {
            ends.insert(range.end);
        }
    }
    candidates
        .iter()
        .copied()
        .take_while(|&p| p < stop && ends.contains(&p))
        .collect()
}

/// Whether a `:` may stand where no key is (the check in [`scan`]): a
/// value indicator (`:` then a blank or the line's end) first on its line,
/// or right after another indicator (`- :`, `? :`, `a: :`). Cheap, and
/// wider than needed: it only decides whether the text is scanned.
fn bare_value_indicator(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b':'
            && matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
            && matches!(
                b[..i].iter().rev().find(|&&c| c != b' ' && c != b'\t'),
                None | Some(b'\n' | b'\r' | b':' | b'-' | b'?')
            )
    })
}

/// PyYAML's scanner error, in its words.
const TAB: &str = "found character '\\t' that cannot start any token (PyYAML allows tabs \
                   only inside quotes, comments and block scalars' text)";

/// One scan of `text` by the parser's scanner.
fn scan(text: &str) -> Found {
    let mut allowed = Vec::new();
    let mut bad_name = None;
    // Where the last token before a block scalar ended: its header (`|`)
    // is the first thing after it that is not blank.
    let mut last_end = 0;
    // How deep in flow collections the scanner is.
    let mut flow = 0usize;
    // Whether the last token opened a flow collection or an entry of one.
    let mut entry_start = false;
    // The block collections the scanner is in, innermost last: whether a
    // mapping has a key (a `Key` token) waiting for its `:`.
    let mut block_keys: Vec<bool> = Vec::new();
    for token in Scanner::new(StrInput::new(text)) {
        let token = match token {
            Ok(t) => t,
            Err(e) => {
                let at = e.marker().byte_offset().unwrap_or(usize::MAX);
                return match e.kind() {
                    ErrorKind::CommentNotSeparated if comment_after_token(text, at) => {
                        Found::Comment(at)
                    }
                    ErrorKind::InvalidBlockScalarIndent if comment_line(text, at) => {
                        Found::IndentedComment(at)
                    }
                    _ => Found::Unparsable,
                };
            }
        };
        let (span, kind) = token.into_parts();
        let Some(range) = span.byte_range() else {
            continue;
        };
        let was_entry_start = std::mem::replace(
            &mut entry_start,
            matches!(
                kind,
                TokenType::FlowSequenceStart | TokenType::FlowMappingStart | TokenType::FlowEntry
            ),
        );
        if flow == 0 {
            match kind {
                TokenType::BlockMappingStart | TokenType::BlockSequenceStart => {
                    block_keys.push(false)
                }
                TokenType::BlockEnd => {
                    block_keys.pop();
                }
                TokenType::DocumentStart | TokenType::DocumentEnd => block_keys.clear(),
                TokenType::Key => {
                    if let Some(waiting) = block_keys.last_mut() {
                        *waiting = true;
                    }
                }
                // A `:` without a key outside flow collections (`: b`, `a: 1`
                // then `: b`, `- : b`): PyYAML's scanner makes a `:` it has no
                // possible key for a value token alone, and its parser, which
                // wants a key token there, refuses it; YAML 1.2 reads an
                // empty key (found by fuzzing: the parser read `None: b`).
                TokenType::Value => {
                    match block_keys.last_mut() {
                        Some(waiting @ true) => *waiting = false,
                        Some(false) if bad_name.is_none() => bad_name = Some((
                            range.start,
                            "while parsing a block collection, expected <block end>, but found \
                             ':' (PyYAML wants a key, or `?`, before a ':' outside a flow \
                             collection)"
                                .to_string(),
                        )),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        match kind {
            // A `:` without a key in a flow collection (`{: 1}`, `[a, : b]`):
            // PyYAML's scanner saves a possible key only at a token that
            // can start one, so the parser meets the `:` where a node must
            // be and refuses it; YAML 1.2 reads an empty key.
            TokenType::Value if flow > 0 && was_entry_start && bad_name.is_none() => {
                bad_name = Some((
                    range.start,
                    "while parsing a flow node, expected the node content, but found ':' \
                     (PyYAML wants a key before a ':' in a flow collection)"
                        .to_string(),
                ));
            }
            TokenType::Comment(_) => allowed.push(TabsAllowed {
                start: range.start,
                end: range.end,
                indent: None,
            }),
            TokenType::Scalar(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, _) => allowed
                .push(TabsAllowed {
                    start: range.start,
                    end: range.end,
                    indent: None,
                }),
            TokenType::Scalar(ScalarStyle::Literal | ScalarStyle::Folded, _) => {
                // The span starts at the first line of text, at the
                // scalar's indentation, or at the header when it has none
                // (no tab is then allowed: the header's line or a blank
                // line with a tab is refused by PyYAML).
                let header = text[last_end.min(range.start)..]
                    .find(|c: char| !matches!(c, ' ' | '\t' | '\r' | '\n'))
                    .map(|i| i + last_end.min(range.start));
                if let Some(h) = header.filter(|_| block_keys.is_empty()) {
                    match column_zero_text(text, h, range.end) {
                        Some(at) if text.as_bytes()[at] == b'#' => return Found::EndsDocument(at),
                        Some(at) => {
                            bad_name.get_or_insert((
                                at,
                                "expected '<document start>', but found text at column 0 \
                                 (PyYAML reads a top-level block scalar's text from column 1 \
                                 on, so a line at column 0 ends the scalar and the document)"
                                    .to_string(),
                            ));
                        }
                        None => {}
                    }
                }
                if header.is_some_and(|h| h < range.start) {
                    let line_start = text[..range.start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                    allowed.push(TabsAllowed {
                        start: range.start,
                        end: range.end,
                        indent: Some(range.start - line_start),
                    });
                }
            }
            // In a flow collection `?` is PyYAML's key indicator wherever
            // it stands (`check_key`), and `scan_plain` ends a plain scalar
            // before one; YAML 1.2 reads `?x` and `a?b` as text. A `?`
            // starting such a scalar is made an indicator (`[?x]` is
            // `[{'x': None}]`); one past its start ends the scalar, and
            // PyYAML's parser refuses the key indicator after it.
            TokenType::Scalar(ScalarStyle::Plain, _) if flow > 0 => {
                if text.as_bytes()[range.start] == b'?' {
                    return Found::EndsBefore(range.start, true);
                }
                if let Some(q) = text[range.clone()].find('?') {
                    bad_name.get_or_insert((
                        range.start + q,
                        "while parsing a flow collection, expected ',' or the collection's end, \
                         but found '?' (PyYAML ends a plain scalar in a flow collection at a \
                         '?', its key indicator there)"
                            .to_string(),
                    ));
                }
            }
            TokenType::FlowSequenceStart | TokenType::FlowMappingStart => flow += 1,
            TokenType::FlowSequenceEnd | TokenType::FlowMappingEnd => {
                flow = flow.saturating_sub(1);
            }
            TokenType::Anchor(name) | TokenType::Alias(name)
                if bad_name.is_none() && !name.chars().all(pyyaml_anchor_char) =>
            {
                // `scan_anchor`'s end: a name then one of these.
                let valid = name.find(|c| !pyyaml_anchor_char(c)).unwrap_or(name.len());
                let ends = name[valid..].starts_with(['?', ':', '%', '@', '`']);
                if valid > 0 && ends {
                    // The name follows the `&` or `*` the token starts with.
                    return Found::EndsBefore(range.start + 1 + valid, flow > 0);
                }
                bad_name = Some((
                    range.start,
                    format!(
                        "anchor or alias name '{name}' has a character PyYAML refuses \
                         (it allows letters, digits, '-' and '_')"
                    ),
                ));
            }
            _ => {}
        }
        last_end = last_end.max(range.end);
    }
    Found::Tokens(allowed, bad_name)
}

/// Where the first line of text of a top-level block scalar (header at
/// `header`, the parser's token ending at `end`) starts, when it starts at
/// column 0. PyYAML's `scan_block_scalar` wants at least one column of
/// indentation even at the top level (its minimum is the enclosing
/// indentation plus one, and never below 1), where YAML 1.2 allows column
/// 0: such a line ends the scalar there, and PyYAML then reads it as the
/// next token, which a document holding one scalar cannot have (refused),
/// or skips it, a comment. Empty lines before it are the scalar's; a line
/// of blanks before it sets the indentation past 0 in both readers, so
/// this is not asked then. A `---` or `...` ends the parser's token too.
fn column_zero_text(text: &str, header: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = line_end(bytes, header);
    loop {
        // Past the line break (CRLF, LF or a lone CR).
        match bytes.get(at) {
            Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => at += 2,
            Some(b'\r' | b'\n') => at += 1,
            _ => return None,
        }
        match bytes.get(at) {
            Some(b'\r' | b'\n') => continue,
            Some(b' ') | None => return None,
            Some(_) => return (at < end).then_some(at),
        }
    }
}

/// PyYAML's `scan_anchor`: ASCII letters and digits, `-` and `_`.
fn pyyaml_anchor_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether the `#` at `at` follows a token after which PyYAML starts a
/// comment at once: a closing quote, the end of a flow collection, a flow
/// entry's `,` (the parser stops there only between tokens, so a quote
/// before it closes a quoted scalar).
fn comment_after_token(text: &str, at: usize) -> bool {
    text.as_bytes().get(at) == Some(&b'#')
        && at > 0
        && matches!(text.as_bytes()[at - 1], b'"' | b'\'' | b']' | b'}' | b',')
}

/// Whether the line at `at` is blanks then a comment, `at` at its `#`.
fn comment_line(text: &str, at: usize) -> bool {
    let start = text[..at.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    text.as_bytes().get(at) == Some(&b'#') && text.as_bytes()[start..at].iter().all(|&b| b == b' ')
}

/// Blanks the comment starting at `at` to its line's end.
fn blank_comment(bytes: &mut [u8], at: usize) {
    let end = line_end(bytes, at);
    bytes[at..end].fill(b' ');
}

/// Moves the `#` at `at` to its line's first column, blanking the rest.
fn move_comment(bytes: &mut [u8], at: usize) {
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let end = line_end(bytes, at);
    bytes[start..end].fill(b' ');
    bytes[start] = b'#';
}

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| at + i)
}

/// The offset of the first tab outside the places that allow one.
fn first_stray_tab(text: &str, mut allowed: Vec<TabsAllowed>) -> Option<usize> {
    allowed.sort_by_key(|a| a.start);
    text.match_indices('\t').map(|(at, _)| at).find(|&at| {
        // The last place starting at or before the tab.
        let i = allowed.partition_point(|a| a.start <= at);
        let Some(place) = i.checked_sub(1).map(|i| &allowed[i]) else {
            return true;
        };
        if at >= place.end {
            return true;
        }
        match place.indent {
            None => false,
            // Text only at or past the indentation, after spaces.
            Some(indent) => {
                let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                at < line_start + indent
                    || !text.as_bytes()[line_start..line_start + indent]
                        .iter()
                        .all(|&b| b == b' ')
            }
        }
    })
}

/// The 1-based line of byte offset `at` (a CRLF is one line break).
fn line_of(text: &str, at: usize) -> usize {
    let before = &text.as_bytes()[..at.min(text.len())];
    let lone_crs = before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' && before.get(i + 1) != Some(&b'\n'))
        .count();
    before.iter().filter(|&&b| b == b'\n').count() + lone_crs + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<String, String> {
        as_pyyaml_scans(text, &mut []).map(|t| t.into_owned())
    }

    /// PyYAML 6.0 refuses each ("found character '\t' that cannot start
    /// any token"); YAML 1.2 reads them.
    #[test]
    fn tabs_between_tokens_are_refused_as_pyyaml_refuses_them() {
        for text in [
            "a:\tb\n",
            "a: b\t\n",
            "a: b\t# c\n",
            "a: \"x\"\t# c\n",
            "- [a, b]\t#c\n",
            "a: a\tb\n",
            "a:\n  -\t x\n",
            "a: |\t# c\n  x\n",
            "a: b\n\t\n",
            "a: |\n  x\n\t\nb: 1\n",
        ] {
            let e = read(text).unwrap_err();
            assert!(
                e.contains("'\\t' that cannot start any token"),
                "{text:?}: {e}"
            );
        }
        assert!(read("a: b\nc: d\t\n").unwrap_err().starts_with("line 2: "));
    }

    /// PyYAML reads a tab inside quotes, in a comment, and in a block
    /// scalar's text past its indentation.
    #[test]
    fn tabs_in_quotes_comments_and_block_text_stay() {
        for text in [
            "a: \"x\ty\"\n",
            "a: 'x\ty'\n",
            "a: \"x\n\ty\"\n",
            "a: x # c\td\n",
            "# \t\na: 1\n",
            "a: | # c\td\n  x\n",
            "a: |\n  \tx\n  y\t\n",
            "a: >2\n   \tx\n",
            "a: |\n \t\n",
        ] {
            assert_eq!(read(text).as_deref(), Ok(text), "{text:?}");
        }
    }

    #[test]
    fn comments_against_a_quote_or_flow_indicator_are_blanked() {
        for (text, want) in [
            ("a: \"x\"# c\n", "a: \"x\"   \n"),
            ("- 'a'#c\r\n- b", "- 'a'  \r\n- b"),
            ("a: [x]#c é\n", "a: [x]     \n"),
            ("[a,#c\n b]", "[a,  \n b]"),
            ("a: \"x\"#1\nb: \"y\"#2\n", "a: \"x\"  \nb: \"y\"  \n"),
        ] {
            assert_eq!(read(text).as_deref(), Ok(want), "{text:?}");
        }
        // Not after a block scalar's header, an anchor or a plain scalar:
        // there PyYAML refuses it too, or it is text.
        for text in ["a: |#c\n  x\n", "a: b#c\n"] {
            assert_eq!(read(text).as_deref(), Ok(text), "{text:?}");
        }
    }

    #[test]
    fn a_comment_line_under_a_block_scalars_indentation_ends_it() {
        assert_eq!(
            read("a: |2\n # c\nb: 1\n").as_deref(),
            Ok("a: |2\n#   \nb: 1\n")
        );
        assert_eq!(
            read("a: |\n   \n  # x\nb: 1\n").as_deref(),
            Ok("a: |\n   \n#    \nb: 1\n")
        );
    }

    #[test]
    fn anchor_names_are_pyyamls() {
        assert!(read("a: &x-1_b 1\nb: *x-1_b\n").is_ok());
        for text in ["a: &x#c 1\n", "a: &é 1\nb: *é\n", "a: &a.b [1]\n"] {
            let e = read(text).unwrap_err();
            assert!(
                e.starts_with("line 1: anchor or alias name"),
                "{text:?}: {e}"
            );
        }
    }

    /// In a flow collection `?` is PyYAML's key indicator wherever it
    /// stands: PyYAML 6.0 reads `[?x]` as `[{'x': None}]` and `{?x: 1}` as
    /// `{'x': 1}`, and refuses `[a?b]`, `[a ?b]` and `{k: b?}` (the plain
    /// scalar ends at the `?`); YAML 1.2 read them all as text.
    #[test]
    fn a_question_mark_in_a_flow_collection_is_a_key_indicator() {
        for (text, want) in [
            ("[?x]\n", "[ ? x]\n"),
            ("{?x: 1, ?}\n", "{ ? x: 1,  ? }\n"),
            ("a: ?x\nb: [\"?\", 'a?']\n", "a: ?x\nb: [\"?\", 'a?']\n"),
        ] {
            assert_eq!(read(text).as_deref(), Ok(want), "{text:?}");
        }
        for text in ["[a?b]\n", "[a ?b]\n", "{k: b?}\n", "- [x,\n   y?]\n"] {
            let e = read(text).unwrap_err();
            assert!(e.contains("but found '?'"), "{text:?}: {e}");
        }
        assert!(read("- [x,\n   y?]\n").unwrap_err().starts_with("line 2: "));
    }

    /// Comments against a quote or flow indicator are blanked all at
    /// once when a scan proves them: a generated config of thousands is
    /// read (it was refused past the budget: one scan of the whole text
    /// per comment), with what is not such a comment left as it is.
    #[test]
    fn many_comments_against_quotes_are_blanked_in_a_few_scans() {
        let text = "- \"a\"#c\n- [b]#c\n".repeat(100_000);
        let want = "- \"a\"  \n- [b]  \n".repeat(100_000);
        assert_eq!(read(&text).as_deref(), Ok(want.as_str()));
        // A `#` after a quote inside quotes, a block scalar's text or a
        // comment is no such comment: it stays, and those after it are
        // found by the next scans.
        let text = "a: 'x\"#y'\nb: \"x\"#c\nc: |\n  t\"#u\nd: {e: f}#c # \"#g\nh: \"i\"#j\n";
        let want = "a: 'x\"#y'\nb: \"x\"  \nc: |\n  t\"#u\nd: {e: f}        \nh: \"i\"  \n";
        assert_eq!(read(text).as_deref(), Ok(want));
    }

    /// The rewrites keep every byte's place: an error after a rewritten
    /// comment names the line and column it has in the file.
    #[test]
    fn errors_after_a_rewrite_keep_their_place() {
        use super::super::yaml::Value;
        for (rewritten, as_read, place) in [
            (
                "a: \"x\"# é\n  - [b,\n c: d\n",
                "a: \"x\"    \n  - [b,\n c: d\n",
                "line 2, column 3",
            ),
            (
                "a: |2\n # é\nb: [c\n: d\n",
                "a: |2\n#   \nb: [c\n: d\n",
                "line 4, column 1",
            ),
        ] {
            let want = Value::parse(as_read, "t.yaml").unwrap_err().to_string();
            assert!(want.contains(place), "{want}");
            assert_eq!(
                Value::parse(rewritten, "t.yaml").unwrap_err().to_string(),
                want
            );
        }
    }

    /// What cannot be proven at once is one scan a comment, within the
    /// budget: past it the text is refused rather than read in quadratic
    /// time.
    #[test]
    fn comments_that_take_a_scan_each_stay_within_the_budget() {
        let text = "- 'a\"#b'\n- \"a\"#c\n".repeat(100_000);
        let e = read(&text).unwrap_err();
        assert!(e.contains("too many comments"), "{e}");
        let text = "- 'a\"#b'\n- \"a\"#c\n".repeat(50);
        assert!(read(&text).is_ok());
    }
}
