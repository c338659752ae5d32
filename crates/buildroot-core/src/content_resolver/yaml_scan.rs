//! The first of the two passes that read a YAML document as PyYAML's
//! `safe_load` would: the parser's events, walked once, give each scalar as
//! written (its text, plain or quoted, its tag) by where it starts, the
//! `!!omap`/`!!pairs` collections ([`super::yaml_pairs`]), and the first
//! tag PyYAML's `SafeConstructor` has no constructor for
//! (`construct_undefined`: "could not determine a constructor for the
//! tag"). Separate from the second pass ([`super::yaml_construct`]) because
//! it sees the text, not the values.

use serde_saphyr::granit_parser;
use std::collections::HashMap;

use super::yaml11;
use super::yaml_pairs::{close, entry_key, node_in, Open, Pairs};
use super::yaml_separators::{block_header, separator_in_scalar, text_with_separators, Block};

/// A scalar as written: its text, whether it was plain (PyYAML types
/// only those by their spelling), its `tag:yaml.org,2002:` tag's suffix
/// (or `!`).
pub(super) struct Scalar {
    pub(super) text: String,
    pub(super) plain: bool,
    /// Whether it was a block scalar (`|` or `>`).
    pub(super) block: bool,
    pub(super) tag: Option<String>,
    pub(super) line: usize,
    /// A block scalar without a line of text (`a: >` and nothing, or only
    /// blank lines, under it) starts where the next token does: the parser
    /// puts both at one place, and this scalar, recorded there last, must
    /// not type that block's (`a: |` then `b: 1` made `a` the text `b`).
    /// That block's text, then: as the parser gives it (by which it is
    /// told from the scalar here) and as PyYAML makes it.
    pub(super) after_blank_block: Option<(String, String)>,
    /// The text as the parser gives it, where a line or paragraph
    /// separator made `text` differ.
    pub(super) parsed: Option<String>,
}

/// What [`scan`] finds in a document.
pub(super) enum Scan {
    /// The first explicit tag `safe_load` refuses, as the problem to report.
    Unsafe(String),
    /// Each scalar by the byte offset where its text starts, and the
    /// document with the scalar tags safe_load builds ([`yaml11`]) blanked
    /// out (same length): the parser types those scalars its own way or
    /// refuses them (`!!bool yes`, `!!timestamp`), and we type them anyway.
    /// Also the collections tagged `!!omap` or `!!pairs`, by where they
    /// start ([`Pairs`]).
    Scalars(HashMap<usize, Scalar>, String, HashMap<usize, Pairs>),
    /// A text the parser rejects: parsing it says what is wrong.
    Unparsable,
}

/// The tags PyYAML's `SafeLoader` has a constructor for, beyond the scalar
/// ones [`yaml11`] builds (`!!set`, `!!omap`, the `<<` merge key's, ...).
const OTHER_SAFE_LOAD_TAGS: [&str; 7] = ["binary", "omap", "pairs", "set", "seq", "map", "merge"];

/// Reads the document's events: its scalars as written, and the first
/// explicit tag `safe_load` refuses ("could not determine a constructor
/// for the tag": `!custom`, `!!python/object:...`); content-resolver
/// reports such a file as it reports any YAML error. A scalar with the
/// non-specific `!` is resolved as a plain one, quoted or not, as PyYAML
/// resolves it (`! '123'` is 123).
///
/// `separators`: the offsets, sorted, of the line breaks that were a line
/// or paragraph separator ([`super::yaml_breaks`]), and which each was; a
/// scalar whose text holds one is read as PyYAML reads it
/// ([`text_with_separators`]).
pub(super) fn scan(text: &str, separators: (&[usize], &[char])) -> Scan {
    let mut scalars = HashMap::new();
    let mut pairs: HashMap<usize, Pairs> = HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    let mut blanked = text.as_bytes().to_vec();
    // A set: a document of many anchors looked each up in all before it.
    let mut anchors: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The first tag safe_load refuses, said once the events are all read:
    // PyYAML composes the whole document before it constructs a value, so
    // a parse error or a duplicate anchor anywhere in it is what it says.
    let mut unknown_tag: Option<String> = None;
    // Where the last event before this one ended: a block scalar's header
    // is after it.
    let mut last_end = 0;
    // Where the last node started, and each anchor's node (an anchor's
    // event follows its node's).
    let mut node_start = 0;
    let mut anchored_at: HashMap<usize, usize> = HashMap::new();
    let options = granit_parser::options! { emit_anchor_events: true };
    for event in granit_parser::Parser::new_from_str_with_options(text, options) {
        let Ok((event, span)) = event else {
            return Scan::Unparsable;
        };
        let before = last_end;
        if matches!(
            event,
            granit_parser::Event::Scalar(..)
                | granit_parser::Event::SequenceStart(..)
                | granit_parser::Event::MappingStart(..)
        ) {
            node_start = span.start.byte_offset().unwrap_or(0);
        }
        last_end = last_end.max(span.end.byte_offset().unwrap_or(0));
        let (scalar, tag) = match &event {
            granit_parser::Event::Scalar(value, style, _, tag) => (Some((value, *style)), tag),
            granit_parser::Event::SequenceStart(_, _, tag)
            | granit_parser::Event::MappingStart(_, _, tag) => (None, tag),
            // The parser hands an alias's node back with the span of the
            // node it names: that node's start is the key's.
            granit_parser::Event::Alias(id) => {
                if let Some(&at) = anchored_at.get(id) {
                    entry_key(&open, &mut pairs, at);
                }
                node_in(&mut open, &mut pairs, false, false);
                continue;
            }
            granit_parser::Event::SequenceEnd | granit_parser::Event::MappingEnd => {
                close(&mut open, &mut pairs);
                continue;
            }
            // PyYAML's composer refuses a second anchor of one name in a
            // document ("found duplicate anchor"), where YAML 1.2 lets the
            // later one win.
            granit_parser::Event::Anchor(id, name) => {
                anchored_at.insert(*id, node_start);
                if !anchors.insert(name.to_string()) {
                    return Scan::Unsafe(format!(
                        "line {}: found duplicate anchor '{name}' (PyYAML's safe_load refuses a \
                         second anchor of one name)",
                        span.start.line()
                    ));
                }
                continue;
            }
            _ => continue,
        };
        let name = tag.as_ref().map(|t| {
            if t.original() == "!" {
                Some("!".to_string())
            } else {
                t.suffix_in_namespace("tag:yaml.org,2002:")
                    .map(|n| n.into_owned())
            }
        });
        let known = match &name {
            None => true,
            Some(None) => false,
            Some(Some(n)) => {
                n == "!"
                    || OTHER_SAFE_LOAD_TAGS.contains(&n.as_ref())
                    || (scalar.is_some() && yaml11::is_scalar_tag(n))
            }
        };
        if !known {
            let tag = tag.as_ref().map(|t| t.original()).unwrap_or_default();
            unknown_tag.get_or_insert_with(|| {
                format!(
                    "line {}: tag {tag} is unknown to PyYAML's safe_load",
                    span.start.line()
                )
            });
            continue;
        }
        let is_map = matches!(event, granit_parser::Event::MappingStart(..));
        let merge_key = matches!(scalar, Some((v, granit_parser::ScalarStyle::Plain)) if v == "<<")
            && name.is_none();
        if let (None, Some(at)) = (scalar, span.start.byte_offset()) {
            entry_key(&open, &mut pairs, at);
        }
        let entry = node_in(&mut open, &mut pairs, is_map, merge_key);
        let Some((value, style)) = scalar else {
            let mut tagged = None;
            if let (Some(Some(n)), Some(at)) = (&name, span.start.byte_offset()) {
                if n == "omap" || n == "pairs" {
                    let seq = !is_map;
                    let line = span.start.line();
                    let tag = n.to_string();
                    let entries = Vec::new();
                    pairs.insert(
                        at,
                        Pairs {
                            tag,
                            seq,
                            line,
                            entries,
                            keys: Vec::new(),
                        },
                    );
                    tagged = Some(at);
                }
            }
            open.push(if is_map {
                Open::Map(0, false, entry)
            } else {
                Open::Seq(tagged)
            });
            continue;
        };
        let Some(start) = span.start.byte_offset() else {
            continue;
        };
        let no_text = value.chars().all(|c| c == '\n');
        let with_separator = holds_separator(
            text,
            start,
            span.end.byte_offset(),
            style,
            no_text,
            separators.0,
        );
        let name = name.flatten();
        let mut start = start;
        if name
            .as_deref()
            .is_some_and(|n| n != "!" && yaml11::is_scalar_tag(n))
        {
            let begin = blank_tag_before(&mut blanked, start);
            // An empty scalar after the tag (`a: !!str` at the end of a
            // line) is a null to the deserializer, which puts it at the
            // `:` before it, where it cannot be found: written `''` in the
            // tag's place it is found there, and typed by its tag as
            // PyYAML types it (`''` for `!!str`, an error for `!!bool`).
            let nothing_written =
                value.is_empty() && matches!(style, granit_parser::ScalarStyle::Plain);
            if let (Some(begin), true) = (begin, nothing_written) {
                blanked[begin..begin + 2].copy_from_slice(b"''");
                start = begin;
            }
        }
        let block = matches!(
            style,
            granit_parser::ScalarStyle::Literal | granit_parser::ScalarStyle::Folded
        );
        let mut value = value.to_string();
        // A block scalar that ends the text, no line break after its last
        // line: PyYAML keeps the text's own final break (none), where the
        // parser adds one (`a: |` then `  x` at the end of a file without
        // one is `x`, not `x\n`).
        // (Asked of the one scalar that ends the text: every scalar asking
        // made a document of many scalars take quadratic time.)
        let at_end = block && span.end.byte_offset().is_some_and(|end| end >= text.len());
        if at_end && value.ends_with('\n') {
            // The span starts at the first line of text, at the block's
            // indentation, or at its header when it has none. Blanks past
            // that indentation are text too (`a: |` then `  x` and `   `
            // is `x\n ` to PyYAML).
            let last_line = text.rsplit(['\n', '\r']).next().unwrap_or("");
            let no_text = matches!(text.as_bytes().get(start), Some(b'|' | b'>'))
                && value.chars().all(|c| c == '\n');
            let last_line_written = if no_text {
                !last_line.trim_matches([' ', '\t']).is_empty()
            } else {
                last_line.chars().count() > span.start.col()
            };
            // Nor does a kept (`|+`) block whose one line is that last
            // line, blanks only: PyYAML's text is empty, the parser's a
            // line break. (The parser's span starts at the header, `|+`,
            // or after it.)
            let alone = span.start.byte_offset().and_then(|s| text.get(s..));
            // Line breaks, a CRLF one once.
            let breaks = |t: &str| t.matches(['\n', '\r']).count() - t.matches("\r\n").count();
            let one_line = alone.is_some_and(|t| breaks(t) <= 1);
            if last_line_written {
                value.pop();
            } else if value == "\n" && one_line {
                value.clear();
            }
        }
        let mut parsed = None;
        if let Some(breaks) = with_separator {
            let end = span.end.byte_offset().unwrap_or(text.len()).max(start);
            // A block with a line of text starts there, at its indentation
            // (one without starts at its header, or where the next token
            // does).
            let with_text = (block && !no_text).then(|| {
                block_header(text, before, start).map(|header| Block {
                    header,
                    indent: span.start.col(),
                })
            });
            let with_text = match with_text {
                Some(None) => return Scan::Unsafe(separator_in_scalar(span.start.line())),
                Some(Some(b)) => Some(b),
                None => None,
            };
            let block_at = (breaks, with_text);
            match text_with_separators(text, start..end, style, block_at, &value, separators) {
                Some(text) => parsed = Some(std::mem::replace(&mut value, text)),
                None => return Scan::Unsafe(separator_in_scalar(span.start.line())),
            }
        }
        // Only an empty node shares its start with the scalar after it: a
        // blank block scalar, and an empty value after it (`? |` with no
        // `:` line, then `x: y`: three scalars start at `x`), whose record
        // passes the block's on.
        let after_blank_block = scalars.get(&start).and_then(|before: &Scalar| {
            if before.block {
                let parsed = before.parsed.as_ref().unwrap_or(&before.text);
                Some((parsed.clone(), before.text.clone()))
            } else {
                before.after_blank_block.clone()
            }
        });
        scalars.insert(
            start,
            Scalar {
                text: value,
                plain: matches!(style, granit_parser::ScalarStyle::Plain),
                block,
                tag: name,
                line: span.start.line(),
                after_blank_block,
                parsed,
            },
        );
    }
    if let Some(problem) = unknown_tag {
        return Scan::Unsafe(problem);
    }
    match String::from_utf8(blanked) {
        Ok(text) => Scan::Scalars(scalars, text, pairs),
        Err(_) => Scan::Unparsable,
    }
}

/// Whether a line or paragraph separator is a line break of the scalar
/// between `start` and `end`: inside its text, or, for a block scalar,
/// among the line breaks after it, which chomping may keep. Then where
/// its line breaks are: for a block scalar, from its header's line end
/// past its trailing blank lines.
fn holds_separator(
    text: &str,
    start: usize,
    end: Option<usize>,
    style: granit_parser::ScalarStyle,
    no_text: bool,
    separators: &[usize],
) -> Option<std::ops::Range<usize>> {
    if separators.is_empty() {
        return None;
    }
    let mut end = end.unwrap_or(text.len()).max(start);
    if matches!(
        style,
        granit_parser::ScalarStyle::Literal | granit_parser::ScalarStyle::Folded
    ) {
        // Past the header's line break (not the value's): the leading
        // blank lines are text.
        // (A block without text starts at its header; a lone CR is a LF
        // by now: `yaml_breaks`.)
        let at_header = no_text && matches!(text.as_bytes().get(start), Some(b'|' | b'>'));
        let header = if at_header {
            start
        } else {
            text[..start].rfind(['|', '>']).unwrap_or(start)
        };
        let header = text[header..]
            .find('\n')
            .map_or(text.len(), |i| header + i + 1);
        let trailing = text[end.min(text.len())..]
            .find(|c: char| !matches!(c, ' ' | '\t' | '\n' | '\r'))
            .unwrap_or(text.len() - end.min(text.len()));
        end = end.min(text.len()) + trailing;
        let i = separators.partition_point(|&s| s < header);
        return separators
            .get(i)
            .is_some_and(|&s| s < end)
            .then_some(header..end);
    }
    let i = separators.partition_point(|&s| s < start);
    separators
        .get(i)
        .is_some_and(|&s| s < end)
        .then_some(start..end)
}

/// Blanks (with spaces after its `!`) the tag written before the scalar text at `start`:
/// the nearest token before it that starts with `!`, past an anchor.
/// Returns where the tag began.
fn blank_tag_before(text: &mut [u8], start: usize) -> Option<usize> {
    let mut end = start.min(text.len());
    for _ in 0..2 {
        while end > 0 && matches!(text[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
            end -= 1;
        }
        let mut begin = end;
        while begin > 0 && !matches!(text[begin - 1], b' ' | b'\t' | b'\n' | b'\r') {
            begin -= 1;
        }
        match text.get(begin) {
            // Its `!` stays, the non-specific tag (a string to the
            // deserializer; we type the scalar anyway): all blanks would
            // indent what follows, so that `!!str k: v` at a line's start
            // became the text of a block scalar above or a plain scalar's
            // next line.
            Some(b'!') => {
                text[begin + 1..end].fill(b' ');
                return Some(begin);
            }
            Some(b'&') => end = begin,
            _ => return None,
        }
    }
    None
}
