//! A YAML value as PyYAML's `safe_load` gives it to content-resolver: maps
//! keep their order (repository order decides dnf's load order among equal
//! priorities), scalars are typed the YAML 1.1 way (`yes` is a boolean,
//! `010` an octal number, `1:20` is 80, `2024-01-01` a date, `1e3` text),
//! anchors, aliases and `<<` merge keys are resolved (merged keys first,
//! as PyYAML flattens a map), a repeated key keeps its last value.
//!
//! serde-saphyr parses the structure; its typing of scalars (YAML 1.2 with
//! some 1.1 options) is replaced: a first pass over the parser's events
//! records each scalar's text, style and tag by where it starts, and each
//! scalar the deserializer hands back is typed again from those by
//! [`yaml11::resolve`], PyYAML's rules. The scalar tags PyYAML builds
//! (`!!bool`, `!!timestamp`, ...) are blanked out of the text the
//! deserializer sees, which refuses some it would have to type (`!!bool
//! yes`).
//!
//! content-resolver turns most values into text with Python's `str()`;
//! [`Value::py_str`] does the same, so `packages: [yes]` names a package
//! `True` here as there.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::granit_parser;
use std::collections::HashMap;

use super::yaml11::{self, Timestamp};
use super::yaml_pairs::{close, node_in, pairs, Open, Pairs};
use crate::error::{Error, Result};

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A string (plain or quoted).
    Str(String),
    /// A date or date and time (`2024-01-01`, `!!timestamp ...`).
    Time(Timestamp),
    /// Bytes (`!!binary aGk=`: Python's `b'hi'`).
    Bytes(Vec<u8>),
    /// A sequence, in document order.
    Seq(Vec<Value>),
    /// Entries in document order.
    Map(Vec<(Value, Value)>),
    /// A Python tuple: one entry of an `!!omap` or `!!pairs`, which PyYAML
    /// builds as a list of `(key, value)` tuples.
    Tuple(Vec<Value>),
}

impl Value {
    /// Parses one YAML document; `origin` names it in errors. An empty
    /// document is [`Value::Null`], as for PyYAML.
    pub fn parse(text: &str, origin: &str) -> Result<Value> {
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
        {
            return Ok(Value::Null);
        }
        let (scalars, text) = match scan(text) {
            Scan::Unsafe(problem) => return Err(Error::format(origin, problem)),
            Scan::Scalars(scalars, text, pairs) => {
                PAIRS.with(|p| *p.borrow_mut() = pairs);
                (scalars, text)
            }
            // The parser says what is wrong.
            Scan::Unparsable => (HashMap::new(), text.to_string()),
        };
        let mut opts = serde_saphyr::Options::default();
        opts.with_snippet = false;
        opts.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
        opts.legacy_octal_numbers = true;
        opts.strict_booleans = true;
        // `<<` reaches the visitor as a key, and is merged there in PyYAML's
        // order ([`ValueVisitor::visit_map`]).
        opts.merge_keys = serde_saphyr::options::MergeKeyPolicy::AsOrdinary;
        // `.nan` and `.inf` are floats to PyYAML.
        opts.non_finite_float_policy = serde_saphyr::options::NonFiniteFloatPolicy::PassThrough;
        SCALARS.with(|s| *s.borrow_mut() = scalars);
        // The document's node as any other (an `!!omap` document is one).
        let res = serde_saphyr::from_str_with_options::<serde_saphyr::Spanned<Value>>(&text, opts)
            .and_then(|node| pyyaml_scalar(node, false));
        SCALARS.with(|s| s.borrow_mut().clear());
        PAIRS.with(|p| p.borrow_mut().clear());
        res.map_err(|e| Error::format(origin, crate::workload::yaml_problem(&e)))
    }

    /// The value of `key` in a map (the last one, as Python's dict keeps it).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Whether this is a map holding `key` (Python's `key in dict`).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// What Python's `str()` gives for the value PyYAML loaded.
    pub fn py_str(&self) -> String {
        match self {
            Value::Null => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => py_float(*f),
            Value::Str(s) => s.clone(),
            Value::Time(t) => t.py_str(),
            Value::Bytes(_) | Value::Seq(_) | Value::Map(_) | Value::Tuple(_) => self.py_repr(),
        }
    }

    /// Python's `repr()` of the loaded value (lists and dicts inside `str()`).
    fn py_repr(&self) -> String {
        match self {
            Value::Str(s) => {
                let q = if s.contains('\'') && !s.contains('"') {
                    '"'
                } else {
                    '\''
                };
                let body: String = s
                    .chars()
                    .flat_map(|c| match c {
                        '\\' => vec!['\\', '\\'],
                        '\n' => vec!['\\', 'n'],
                        '\t' => vec!['\\', 't'],
                        c if c == q => vec!['\\', c],
                        c => vec![c],
                    })
                    .collect();
                format!("{q}{body}{q}")
            }
            Value::Seq(items) => {
                let parts: Vec<String> = items.iter().map(Value::py_repr).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.py_repr(), v.py_repr()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Value::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(Value::py_repr).collect();
                format!("({})", parts.join(", "))
            }
            Value::Time(t) => t.py_repr(),
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_str(),
        }
    }

    /// A short name of the value's type for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Time(_) => "a date",
            Value::Bytes(_) => "bytes",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
            Value::Tuple(_) => "a tuple",
        }
    }

    /// Python truthiness (`if value:`).
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Time(_) => true,
            Value::Bytes(b) => !b.is_empty(),
            Value::Seq(v) => !v.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Tuple(v) => !v.is_empty(),
        }
    }
}

/// Python's `repr(bytes)`: `b'...'` (in `"` when it holds a `'` and no
/// `"`), printable ASCII as it is, `\\`, `\t`, `\n`, `\r` and the quote
/// escaped, every other byte as `\xNN`.
fn py_bytes_repr(b: &[u8]) -> String {
    let q = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = format!("b{}", q as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == q => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(q as char);
    out
}

/// Python's `repr(float)` for the values YAML gives (shortest round trip,
/// always with a `.` or an exponent).
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{f:?}");
    // Rust prints 1e16 as "1e16", Python as "1e+16".
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

/// A scalar as written: its text, whether it was plain (PyYAML types
/// only those by their spelling), its `tag:yaml.org,2002:` tag's suffix
/// (or `!`).
struct Scalar {
    text: String,
    plain: bool,
    tag: Option<String>,
    line: usize,
}

/// What [`scan`] finds in a document.
enum Scan {
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
fn scan(text: &str) -> Scan {
    let mut scalars = HashMap::new();
    let mut pairs: HashMap<usize, Pairs> = HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    let mut blanked = text.as_bytes().to_vec();
    for event in granit_parser::Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return Scan::Unparsable;
        };
        let (scalar, tag) = match &event {
            granit_parser::Event::Scalar(value, style, _, tag) => (Some((value, *style)), tag),
            granit_parser::Event::SequenceStart(_, _, tag)
            | granit_parser::Event::MappingStart(_, _, tag) => (None, tag),
            granit_parser::Event::Alias(_) => {
                node_in(&mut open, &mut pairs, false, false);
                continue;
            }
            granit_parser::Event::SequenceEnd | granit_parser::Event::MappingEnd => {
                close(&mut open, &mut pairs);
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
            return Scan::Unsafe(format!(
                "line {}: tag {tag} is unknown to PyYAML's safe_load",
                span.start.line()
            ));
        }
        let is_map = matches!(event, granit_parser::Event::MappingStart(..));
        let merge_key = matches!(scalar, Some((v, granit_parser::ScalarStyle::Plain)) if v == "<<")
            && name.is_none();
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
        scalars.insert(
            start,
            Scalar {
                text: value.to_string(),
                plain: matches!(style, granit_parser::ScalarStyle::Plain),
                tag: name,
                line: span.start.line(),
            },
        );
    }
    match String::from_utf8(blanked) {
        Ok(text) => Scan::Scalars(scalars, text, pairs),
        Err(_) => Scan::Unparsable,
    }
}

/// Blanks (with spaces) the tag written before the scalar text at `start`:
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
            Some(b'!') => {
                text[begin..end].fill(b' ');
                return Some(begin);
            }
            Some(b'&') => end = begin,
            _ => return None,
        }
    }
    None
}

thread_local! {
    /// The scalars of the text being parsed (for [`pyyaml_scalar`]).
    static SCALARS: std::cell::RefCell<HashMap<usize, Scalar>> =
        std::cell::RefCell::new(HashMap::new());
    /// Its `!!omap` and `!!pairs` collections (for [`pyyaml_scalar`]).
    static PAIRS: std::cell::RefCell<HashMap<usize, Pairs>> =
        std::cell::RefCell::new(HashMap::new());
}

/// Whether a map key is YAML 1.1's merge key as PyYAML resolves it: a
/// plain `<<` (or one with the non-specific `!`), or any `!!merge` key.
fn is_merge_key(node: &serde_saphyr::Spanned<Value>) -> bool {
    let Some(at) = node.defined.span().byte_offset() else {
        return false;
    };
    SCALARS.with(|s| {
        s.borrow()
            .get(&(at as usize))
            .is_some_and(|sc| match sc.tag.as_deref() {
                Some("merge") => true,
                Some("!") => sc.text == "<<",
                None => sc.plain && sc.text == "<<",
                Some(_) => false,
            })
    })
}

/// A node as PyYAML types it: a scalar typed from its text, its style and
/// its tag ([`yaml11::resolve`]); the parser's value otherwise.
fn pyyaml_scalar<E: serde::de::Error>(
    node: serde_saphyr::Spanned<Value>,
    key: bool,
) -> std::result::Result<Value, E> {
    let Some(at) = node.defined.span().byte_offset() else {
        return Ok(node.value);
    };
    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
        // A block sequence starts where its first entry does: that entry
        // (a map) is not the tagged collection.
        let tagged = PAIRS.with(|p| p.borrow().get(&(at as usize)).cloned());
        return match tagged {
            Some(t) if t.seq == matches!(node.value, Value::Seq(_)) => {
                pairs(node.value, &t.tag, &t.entries)
                    .map_err(|e| E::custom(format!("line {}: {e}", t.line)))
            }
            _ => Ok(node.value),
        };
    }
    SCALARS.with(|s| match s.borrow().get(&(at as usize)) {
        Some(sc) => yaml11::resolve(&sc.text, sc.plain, sc.tag.as_deref(), key)
            .map_err(|e| E::custom(format!("line {}: {e}", sc.line))),
        None => Ok(node.value),
    })
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> std::result::Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> std::result::Result<Value, E> {
        i128::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<serde_saphyr::Spanned<Value>>()? {
            out.push(pyyaml_scalar(v, false)?);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        // PyYAML's `flatten_mapping`: the entries of every `<<` (a map, or
        // a list of maps taken last first) come before the map's own, so a
        // merged key is listed first and an own key still wins.
        let mut merged: Vec<(Value, Value)> = Vec::new();
        let mut own: Vec<(Value, Value)> = Vec::new();
        let not_mergeable = |v: &Value| {
            serde::de::Error::custom(format!(
                "expected a mapping or list of mappings for merging, but found {} \
                 (PyYAML refuses it)",
                v.kind()
            ))
        };
        while let Some((k, v)) =
            map.next_entry::<serde_saphyr::Spanned<Value>, serde_saphyr::Spanned<Value>>()?
        {
            if is_merge_key(&k) {
                match pyyaml_scalar(v, false)? {
                    Value::Map(m) => merged.extend(m),
                    Value::Seq(items) => {
                        let mut maps = Vec::new();
                        for item in items {
                            match item {
                                Value::Map(m) => maps.push(m),
                                other => return Err(not_mergeable(&other)),
                            }
                        }
                        merged.extend(maps.into_iter().rev().flatten());
                    }
                    other => return Err(not_mergeable(&other)),
                }
                continue;
            }
            let (k, v) = (pyyaml_scalar(k, true)?, pyyaml_scalar(v, false)?);
            // A Python dict cannot hold a list or a dict as a key: PyYAML
            // refuses the document ("found unhashable key").
            if matches!(k, Value::Seq(_) | Value::Map(_)) {
                return Err(serde::de::Error::custom(format!(
                    "found unhashable key ({} as a map key)",
                    k.kind()
                )));
            }
            own.push((k, v));
        }
        let mut out: Vec<(Value, Value)> = Vec::new();
        // Where each scalar key is in `out`: looking a repeated key up in
        // every key before it made a map of n keys take n² steps (a minute
        // for 20,000 keys under the fuzzer's sanitizer).
        let mut index: HashMap<KeyId, usize> = HashMap::new();
        for (k, v) in merged.into_iter().chain(own) {
            // A repeated key keeps its first position and its last value, as
            // a Python dict does.
            let id = KeyId::of(&k);
            let slot = id.as_ref().and_then(|id| index.get(id).copied());
            match slot {
                Some(i) => out[i].1 = v,
                None => {
                    if let Some(id) = id {
                        index.insert(id, out.len());
                    }
                    out.push((k, v));
                }
            }
        }
        Ok(Value::Map(out))
    }
}

/// A scalar map key, hashable, equal where the keys are equal as Python
/// dict keys (PyYAML builds the map as a dict): `true` is `1`, `false` is
/// `0`, a float of an integer's value is that integer (`1.0` is `1`,
/// `-0.0` is `0`). Lists and maps have none (refused as keys before this
/// is asked), nor has NaN: no NaN equals another, so each `.nan` key is
/// a key of its own, as in the dict PyYAML builds. A date and time with a
/// UTC offset is the instant it names (Python compares aware datetimes
/// so: `10:00+01:00` is `09:00Z`), never equal to one without an offset.
#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Null,
    Int(i128),
    Float(u64),
    Str(String),
    Instant(i128),
    Bytes(Vec<u8>),
}

impl KeyId {
    fn of(v: &Value) -> Option<KeyId> {
        Some(match v {
            Value::Null => KeyId::Null,
            Value::Bool(b) => KeyId::Int(i128::from(*b)),
            Value::Int(i) => KeyId::Int(*i),
            // Within i128's range, an integral float converts exactly.
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 2f64.powi(127) => {
                KeyId::Int(*f as i128)
            }
            Value::Float(f) if f.is_nan() => return None,
            Value::Float(f) => KeyId::Float(f.to_bits()),
            Value::Str(s) => KeyId::Str(s.clone()),
            Value::Bytes(b) => KeyId::Bytes(b.clone()),
            // Its repr cannot be a string's (no string key is unquoted).
            Value::Time(t) => match t.utc_micros() {
                Some(instant) => KeyId::Instant(instant),
                None => KeyId::Str(t.py_repr()),
            },
            // A tuple is only ever inside an `!!omap`'s list, never a key.
            Value::Seq(_) | Value::Map(_) | Value::Tuple(_) => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        Value::parse(s, "t.yaml").unwrap()
    }

    #[test]
    fn yaml_1_1_scalars_and_python_str() {
        let v =
            parse("a: [yes, no, on, 010, 1.0, ~, null, '1.0', bash, 7, \"yes\", y, N, YeS, OFF]");
        let items: Vec<String> = match v.get("a").unwrap() {
            Value::Seq(s) => s.iter().map(Value::py_str).collect(),
            _ => panic!(),
        };
        assert_eq!(
            items,
            [
                "True", "False", "True", "8", "1.0", "None", "None", "1.0", "bash", "7", "yes",
                "y", "N", "YeS", "False"
            ]
        );
    }

    /// Every scalar of `testdata/yaml/pyyaml-scalars.json` (PyYAML's
    /// safe_load, written by `scripts/yaml11-oracle.py`): the same type,
    /// `str()` and `repr()`, or refused where PyYAML refuses it.
    #[test]
    fn scalars_are_typed_as_pyyaml_types_them() {
        let cases: Vec<serde_json::Value> = serde_json::from_str(include_str!(
            "../../../../testdata/yaml/pyyaml-scalars.json"
        ))
        .unwrap();
        assert!(cases.len() > 100);
        // Every disagreement, not only the first.
        let mut wrong = Vec::new();
        for c in &cases {
            let yaml = c["yaml"].as_str().unwrap();
            let got = Value::parse(&format!("a: {yaml}\n"), "t.yaml");
            if c.get("error").is_some() {
                match got {
                    Err(e) => {
                        let e = e.to_string();
                        if !e.starts_with("t.yaml: line 1: ") || e.contains('\n') {
                            wrong.push(format!("{yaml}: {e}"));
                        }
                    }
                    Ok(v) => wrong.push(format!("{yaml}: {v:?}, PyYAML refuses it")),
                }
                continue;
            }
            let v = match got {
                Ok(v) => v,
                Err(e) => {
                    wrong.push(format!("{yaml}: {e}"));
                    continue;
                }
            };
            let v = v.get("a").unwrap();
            let kind = match v {
                Value::Null => "NoneType",
                Value::Bool(_) => "bool",
                Value::Int(_) => "int",
                Value::Float(_) => "float",
                Value::Str(_) => "str",
                Value::Time(t) if t.time.is_none() => "date",
                Value::Time(_) => "datetime",
                Value::Bytes(_) => "bytes",
                Value::Seq(_) | Value::Map(_) | Value::Tuple(_) => "container",
            };
            let repr = Value::Seq(vec![v.clone()]).py_str();
            let ours = (kind, v.py_str(), repr[1..repr.len() - 1].to_string());
            let theirs = (
                c["type"].as_str().unwrap(),
                c["str"].as_str().unwrap().to_string(),
                c["repr"].as_str().unwrap().to_string(),
            );
            if ours != theirs {
                wrong.push(format!("{yaml}: ours {ours:?}, PyYAML's {theirs:?}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn tags_and_anchors_reach_the_scalar_they_type() {
        let v =
            parse("a: &x !!str yes\nb: *x\nc: !!bool 'on'\nd: &y 1:20\ne: [*y, !!int '0x10']\n");
        assert_eq!(v.get("a"), Some(&Value::Str("yes".into())));
        assert_eq!(v.get("b"), Some(&Value::Str("yes".into())));
        assert_eq!(v.get("c"), Some(&Value::Bool(true)));
        assert_eq!(v.get("e").unwrap().py_str(), "[80, 16]");
        // Keys too; two `.nan` keys are two keys, as in a Python dict.
        let Value::Map(m) = parse("2024-01-01: a\n.nan: b\n.nan: c\n") else {
            panic!()
        };
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0.py_str(), "2024-01-01");
        // A tag with nothing after it: `''` for `!!str`, as a value, a key
        // or an anchored node, and an error for `!!bool`, as by PyYAML.
        let v = parse("a: &y !!str\nb: *y\n!!str : 1\nc:\n- !!str\n- x\n");
        assert_eq!(v.py_str(), "{'a': '', 'b': '', '': 1, 'c': ['', 'x']}");
        assert!(Value::parse("a: !!bool\nb: 1\n", "t.yaml").is_err());
        // `=` is text as a key, and refused elsewhere, as by PyYAML.
        assert_eq!(parse("=: 1\n").get("="), Some(&Value::Int(1)));
        for text in ["a: [=]\n", "a: <<\n"] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(e.starts_with("t.yaml: line 1: a plain "), "{e}");
        }
    }

    #[test]
    fn block_lists_and_keys_get_pyyaml_booleans() {
        let v = parse("on: 1\nlist:\n- yes\n- 'no'\n- n\n");
        assert_eq!(v.get("list").unwrap().py_str(), "[True, 'no', 'n']");
        assert!(matches!(&v, Value::Map(m) if m[0].0 == Value::Bool(true)));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = parse(
            "a:\n  x: &ex\n  - one\n  - two\n  y: *ex\nb: &base {p: 1}\nc:\n  <<: *base\n  q: 2\n",
        );
        let a = v.get("a").unwrap();
        assert_eq!(a.get("x"), a.get("y"));
        let c = v.get("c").unwrap();
        assert_eq!(c.get("p"), Some(&Value::Int(1)));
        assert_eq!(c.get("q"), Some(&Value::Int(2)));
    }

    #[test]
    fn merged_keys_come_first_as_pyyaml_flattens_them() {
        // A repository map that merges shared entries lists them first
        // (their order is dnf's load order among equal priorities).
        let v = parse("base: &b {r1: 1, r2: 2}\nrepos:\n  r0: 0\n  <<: *b\n  r3: 3\n");
        assert_eq!(
            v.get("repos").unwrap().py_str(),
            "{'r1': 1, 'r2': 2, 'r0': 0, 'r3': 3}"
        );
        // A list of maps is taken last first; an own key keeps its value.
        let v = parse("a: {x: 0, <<: [{a: 1, b: 1}, {b: 2, c: 2}], d: 4, a: 9}\n");
        assert_eq!(
            v.get("a").unwrap().py_str(),
            "{'b': 1, 'c': 2, 'a': 9, 'x': 0, 'd': 4}"
        );
        let v = parse("a: {!!merge <<: {p: 1}, <<: {q: 2}, '<<': 3}\n");
        assert_eq!(v.get("a").unwrap().py_str(), "{'p': 1, 'q': 2, '<<': 3}");
        // What is neither a map nor a list of maps cannot be merged.
        for text in ["<<: 1\n", "a: {<<: ~}\n", "<<: [{a: 1}, 2]\n"] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(e.contains("for merging"), "{text}: {e}");
        }
    }

    #[test]
    fn maps_keep_order_and_the_last_duplicate() {
        let v = parse("z: 1\na: 2\nz: 3\n");
        match &v {
            Value::Map(m) => {
                let keys: Vec<String> = m.iter().map(|(k, _)| k.py_str()).collect();
                assert_eq!(keys, ["z", "a"]);
            }
            _ => panic!(),
        }
        assert_eq!(v.get("z"), Some(&Value::Int(3)));
    }

    #[test]
    fn empty_documents_are_null_and_errors_are_one_line() {
        assert_eq!(parse(""), Value::Null);
        assert_eq!(parse("---\n# nothing\n"), Value::Null);
        let e = Value::parse("a: [1, 2\nb: {", "bad.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("bad.yaml: "), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn tags_safe_load_refuses_make_the_file_unreadable() {
        for text in [
            "a: !custom x\n",
            "a: !!python/object:os.system x\n",
            "a: !!python/tuple [1, 2]\n",
            "a: !<tag:example.com,2000:x> 1\n",
            "a:\n  b: !custom\n    c: 1\n",
            "a: !!value x\n",
        ] {
            let e = Value::parse(text, "t.yaml").unwrap_err().to_string();
            assert!(e.starts_with("t.yaml: line "), "{text}: {e}");
            assert!(e.ends_with("is unknown to PyYAML's safe_load"), "{e}");
        }
        let e = Value::parse("x: 1\na: !custom x\n", "t.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.yaml: line 2: tag !custom is unknown to PyYAML's safe_load"
        );
        // The tags safe_load constructs, and the non-specific `!`.
        let v = parse(
            "a: !!str 5\nb: !!int '7'\nc: !!float 1\nd: !!bool true\ne: !!null ''\n\
             f: !!seq [x]\ng: !!map {k: v}\nh: ! z\ni: !<tag:yaml.org,2002:str> w\n\
             k: !!binary aGk=\nl: !!set {x}\n\
             m: !!omap [{x: 1}]\nn: !!pairs [{x: 1}]\no: {!!merge <<: {p: 1}}\n",
        );
        assert_eq!(v.get("a"), Some(&Value::Str("5".into())));
        assert_eq!(v.get("h"), Some(&Value::Str("z".into())));
        assert_eq!(v.get("i"), Some(&Value::Str("w".into())));
    }

    #[test]
    fn a_second_document_is_named_by_its_line_not_by_a_rust_api() {
        let e = Value::parse("a: 1\n---\nb: 2\n", "t.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t.yaml: more than one YAML document (a second one at line 3)"
        );
    }

    /// A repeated key is the same key as a Python dict sees it: PyYAML
    /// loads `{1: a, 1.0: b, true: c}` as `{1: 'c'}` and `{0: a, false: b}`
    /// as `{0: 'b'}` (1 == 1.0 == True in Python).
    #[test]
    fn lists_and_maps_are_no_keys() {
        // PyYAML: "while constructing a mapping ... found unhashable key".
        for text in [
            "[a]: 1\n",
            "{a: 1}: 2\n",
            "x: {[1]: 2}\n",
            "? [a, b]\n: c\n",
        ] {
            let e = Value::parse(text, "f.yaml").unwrap_err().to_string();
            assert!(e.starts_with("f.yaml"), "{text:?}: {e}");
            assert!(e.contains("found unhashable key"), "{text:?}: {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
        assert!(Value::parse("a: [1]\n", "f.yaml").is_ok());
    }

    #[test]
    fn keys_equal_in_python_are_one_key() {
        assert_eq!(
            parse("1: a\n1.0: b\ntrue: c\n"),
            Value::Map(vec![(Value::Int(1), Value::Str("c".into()))])
        );
        assert_eq!(
            parse("0: a\nfalse: b\n-0.0: c\n"),
            Value::Map(vec![(Value::Int(0), Value::Str("c".into()))])
        );
        // 1.5 and 2 stay apart; so do "1" and 1.
        let Value::Map(m) = parse("1.5: a\n2: b\n'1': c\n1: d\n") else {
            panic!()
        };
        assert_eq!(m.len(), 4);
    }

    /// Dates and times as keys are equal as Python's datetimes are (PyYAML
    /// 6.0.3): two with UTC offsets when they name the same instant, one
    /// kept where it came first with the last value; one without an
    /// offset, or a date, is never equal to one with.
    #[test]
    fn dates_as_keys_are_one_key_where_python_sees_one() {
        let Value::Map(m) = parse(
            "{2024-01-01 10:00:00+01:00: a, 2024-01-01 09:00:00Z: b, \
             2024-01-01 09:00:00: c, 2024-01-01: d, 2024-01-01 00:00:00: e, \
             2024-01-01 08:30:00-00:30: f}",
        ) else {
            panic!()
        };
        let keys: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{}={}", k.py_repr(), v.py_str()))
            .collect();
        assert_eq!(
            keys,
            [
                "datetime.datetime(2024, 1, 1, 10, 0, \
                 tzinfo=datetime.timezone(datetime.timedelta(seconds=3600)))=f",
                "datetime.datetime(2024, 1, 1, 9, 0)=c",
                "datetime.date(2024, 1, 1)=d",
                "datetime.datetime(2024, 1, 1, 0, 0)=e"
            ]
        );
    }

    #[test]
    fn alias_bombs_are_refused_by_the_parsers_budget() {
        // Eight aliases per level of a 2 KB scalar, six levels: 2 KB of
        // YAML that would load as ~500 MB of text. serde-saphyr's default
        // budget (64 MiB of scalar text, replayed aliases included; 1 M
        // replayed events) refuses it; the `yaml` fuzz target relies on it.
        let mut text = format!("a: &a {}\n", "x".repeat(2000));
        let mut prev = "a".to_string();
        for level in ["b", "c", "d", "e", "f", "g"] {
            let items = vec![format!("*{prev}"); 8].join(", ");
            text += &format!("{level}: &{level} [{items}]\n");
            prev = level.to_string();
        }
        let e = Value::parse(&text, "bomb.yaml").unwrap_err().to_string();
        assert!(e.starts_with("bomb.yaml: "), "{e}");
        assert!(e.contains("too large"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        // Many small items: the replayed-events limit.
        let mut text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_string();
        let mut prev = "a".to_string();
        for level in ["b", "c", "d", "e", "f", "g", "h"] {
            let items = vec![format!("*{prev}"); 10].join(", ");
            text += &format!("{level}: &{level} [{items}]\n");
            prev = level.to_string();
        }
        let e = Value::parse(&text, "bomb.yaml").unwrap_err().to_string();
        assert!(e.contains("too large"), "{e}");
    }

    #[test]
    fn python_repr_of_containers() {
        let v = parse("a: [{x: 'it''s'}, [1, true]]");
        assert_eq!(v.get("a").unwrap().py_str(), "[{'x': \"it's\"}, [1, True]]");
    }

    /// `!!omap` and `!!pairs` load as PyYAML 6.0 loads them: lists of
    /// `(key, value)` tuples, repeated keys kept (each `str()` below is
    /// what `safe_load` gave).
    #[test]
    fn omap_and_pairs_are_lists_of_tuples() {
        for (yaml, want) in [
            ("a: !!omap [b: 1, c: 2]", "[('b', 1), ('c', 2)]"),
            ("a: !!pairs [b: 1, b: 2]", "[('b', 1), ('b', 2)]"),
            ("a: !!omap\n- b: 1\n- c: [x]\n", "[('b', 1), ('c', ['x'])]"),
            (
                "a: !!omap [b: 1, c: 2, b: 3]",
                "[('b', 1), ('c', 2), ('b', 3)]",
            ),
            ("a: !!pairs []", "[]"),
            ("a: [!!omap [b: yes]]", "[[('b', True)]]"),
            ("a: {x: !!pairs [b: 1]}", "{'x': [('b', 1)]}"),
            ("x: &o !!omap [b: 1]\na: *o", "[('b', 1)]"),
            ("a: !!omap\n  - b: 1\n  - c: 2\n", "[('b', 1), ('c', 2)]"),
        ] {
            assert_eq!(parse(yaml).get("a").unwrap().py_str(), want, "{yaml}");
        }
        // PyYAML refuses what is no sequence of one-entry maps.
        for yaml in [
            "a: !!omap [b]",
            "a: !!omap {b: 1}",
            "a: !!omap\n  b: 1\n",
            "a: !!pairs [{b: 1, c: 2}]",
            // Two pairs as written, one key as built: refused all the same.
            "a: !!omap [{b: 1, b: 2}]",
            "a: !!pairs\n- b: 1\n  b: 2\n",
            "a: !!omap [{1: a, 1.0: b}]",
        ] {
            let e = Value::parse(yaml, "t").unwrap_err().to_string();
            assert!(e.contains("while constructing"), "{yaml}: {e}");
        }
        assert_eq!(parse("!!omap [b: 1]").py_str(), "[('b', 1)]");
        // A `<<` in an entry is no merge key: safe_load has no constructor.
        let e = Value::parse("a: !!omap [{<<: {b: 1}}]", "t").unwrap_err();
        assert!(e.to_string().contains("tag:yaml.org,2002:merge"), "{e}");
        // Entries of entries are plain maps, merges and all.
        assert_eq!(
            parse("a: !!omap [b: {<<: {c: 1}, d: [{e: 1, f: 2}]}]")
                .get("a")
                .unwrap()
                .py_str(),
            "[('b', {'c': 1, 'd': [{'e': 1, 'f': 2}]})]"
        );
        assert_eq!(
            parse("m: &m {b: 1}\na: !!pairs [*m, c: 2]")
                .get("a")
                .unwrap()
                .py_str(),
            "[('b', 1), ('c', 2)]"
        );
    }
}
