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
//! [`yaml11::resolve`](super::yaml11::resolve), PyYAML's rules. The scalar tags PyYAML builds
//! (`!!bool`, `!!timestamp`, ...) are blanked out of the text the
//! deserializer sees, which refuses some it would have to type (`!!bool
//! yes`).
//!
//! content-resolver turns most values into text with Python's `str()`;
//! [`Value::py_str`] does the same, so `packages: [yes]` names a package
//! `True` here as there.
//!
//! The two passes are `yaml_scan` (the events) and `yaml_construct` (the
//! values), after `yaml_breaks` has made YAML 1.1's line breaks (NEL, LS,
//! PS) the parser's and `yaml_tokens` has taken the text between tokens as
//! PyYAML's scanner takes it (tabs, comments, anchor names); this file
//! holds the value and its Python spelling.

use std::collections::HashMap;

use super::yaml11::Timestamp;
use super::yaml_breaks::{as_pyyaml_breaks, boms_as_text, unprintable};
use super::yaml_construct::{pyyaml_scalar, PAIRS, PAIR_KEYS, SCALARS};
use super::yaml_scan::{scan, Scan};
use super::yaml_tokens::as_pyyaml_scans;
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
        // Tabs, comments and anchor names as PyYAML's scanner takes them
        // (a tab on a line of its own is refused there too).
        if let Some(problem) = unprintable(text) {
            return Err(Error::format(origin, problem));
        }
        // A BOM past the first character is text to PyYAML: read as a
        // stand-in character, given back in the values.
        let with_boms = boms_as_text(text).map_err(|problem| Error::format(origin, problem))?;
        let Some((text, stand_in)) = with_boms else {
            return Self::parse_pyyaml(text, origin);
        };
        let bom_back = |s: String| s.replace(stand_in, "\u{feff}");
        match Self::parse_pyyaml(&text, origin) {
            Ok(v) => Ok(v.map_text(&bom_back)),
            Err(Error::Format { path, line, msg }) => Err(Error::Format {
                path,
                line,
                msg: bom_back(msg),
            }),
            Err(e) => Err(e),
        }
    }

    /// [`Value::parse`] of a text without a BOM past its first character.
    fn parse_pyyaml(text: &str, origin: &str) -> Result<Value> {
        let (text, mut separators, kinds) = as_pyyaml_breaks(text);
        let text = &*as_pyyaml_scans(&text, &mut separators)
            .map_err(|problem| Error::format(origin, problem))?;
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
        {
            return Ok(Value::Null);
        }
        let (scalars, text) = match scan(text, (&separators, &kinds)) {
            Scan::Unsafe(problem) => return Err(Error::format(origin, problem)),
            Scan::Scalars(scalars, text, pairs) => {
                let keys = pairs
                    .values()
                    .flat_map(|p| p.keys.iter().copied())
                    .collect();
                PAIR_KEYS.with(|k| *k.borrow_mut() = keys);
                PAIRS.with(|p| *p.borrow_mut() = pairs);
                (scalars, text)
            }
            // The parser says what is wrong.
            Scan::Unparsable => (HashMap::new(), text.to_string()),
        };
        let mut opts = serde_saphyr::Options::default();
        opts.with_snippet = false;
        // Every entry reaches the visitor, which keeps a repeated key where it
        // first came, as a Python dict does (`LastWins` moved it to its last
        // place once an integer key made serde-saphyr buffer the map).
        opts.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
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
        PAIR_KEYS.with(|k| k.borrow_mut().clear());
        let value = res.map_err(|e| Error::format(origin, crate::workload::yaml_problem(&e)))?;
        // A map that is an `!!omap` entry elsewhere too (through an alias)
        // kept its list or map key: PyYAML builds a dict of it there and
        // refuses the key.
        match value.unhashable_key() {
            Some(kind) => Err(Error::format(
                origin,
                format!("found unhashable key ({kind} as a map key)"),
            )),
            None => Ok(value),
        }
    }

    /// The kind of the first list or map that is a map's key in the
    /// value (tuples, an `!!omap`'s entries, may hold one).
    fn unhashable_key(&self) -> Option<&'static str> {
        match self {
            Value::Seq(items) | Value::Tuple(items) => items.iter().find_map(Value::unhashable_key),
            Value::Map(entries) => entries.iter().find_map(|(k, v)| match k {
                Value::Seq(_) | Value::Map(_) => Some(k.kind()),
                _ => k.unhashable_key().or_else(|| v.unhashable_key()),
            }),
            _ => None,
        }
    }

    /// The value with `f` applied to every text in it, keys included.
    fn map_text(self, f: &dyn Fn(String) -> String) -> Value {
        let all = |items: Vec<Value>| items.into_iter().map(|v| v.map_text(f)).collect();
        match self {
            Value::Str(s) => Value::Str(f(s)),
            Value::Seq(items) => Value::Seq(all(items)),
            Value::Tuple(items) => Value::Tuple(all(items)),
            Value::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.map_text(f), v.map_text(f)))
                    .collect(),
            ),
            other => other,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        Value::parse(s, "t.yaml").unwrap()
    }

    /// PyYAML skips a BOM only as the text's first character
    /// (`scan_to_next_token` at index 0); anywhere else it is text, where a
    /// token starts too. PyYAML 6.0's `safe_load` of each: the parser
    /// refused these ("a BOM must not appear inside a document"), or
    /// skipped one at a line's start (`{'a': 1}` for the last two).
    #[test]
    fn a_bom_past_the_first_character_is_text() {
        let b = |s: &str| s.replace('^', "\u{feff}");
        let s = |s: &str| Value::Str(b(s));
        for (text, key, want) in [
            ("- ^a\n", None, Value::Seq(vec![s("^a")])),
            ("- ^- x\n", None, Value::Seq(vec![s("^- x")])),
            ("a: ^\n", Some("a"), s("^")),
            ("a: ^'x'\n", Some("a"), s("^'x'")),
            ("a: ^[1]\n", Some("a"), s("^[1]")),
            ("a: ^1\n", Some("a"), s("^1")),
            ("a: ^yes\n", Some("a"), s("^yes")),
            ("a: ^*x\n", Some("a"), s("^*x")),
            ("a: 1 ^# c\n", Some("a"), s("1 ^# c")),
            ("a: x\n  ^y\n", Some("a"), s("x ^y")),
            ("a: [x, ^y]\n", Some("a"), Value::Seq(vec![s("x"), s("^y")])),
            ("a: \"^\\uFEFF\"\n", Some("a"), s("^^")),
            ("a: 1\n^b: 2\n", Some("^b"), Value::Int(2)),
            ("---\n^a: 1\n", Some("^a"), Value::Int(1)),
            ("^^a: 1\n", Some("^a"), Value::Int(1)),
            ("^\n^a: 1\n", Some("^a"), Value::Int(1)),
            ("^a: 1\n", Some("a"), Value::Int(1)),
        ] {
            let text = b(text);
            let v = parse(&text);
            let got = match key {
                Some(k) => v.get(&b(k)).cloned(),
                None => Some(v.clone()),
            };
            assert_eq!(got, Some(want), "{text:?}: {v:?}");
        }
        // Refused by PyYAML too: in an anchor or tag, or a key without `:`.
        for text in ["a: &x^ 1\n", "a: !!str^ 1\n", "a: 1\n^\n", "- a\n-^b\n"] {
            assert!(Value::parse(&b(text), "t.yaml").is_err(), "{text:?}");
        }
    }

    /// A private-use character the text holds, written or given by an
    /// escape (`"\uE000"`, `"\U0000E000"`) or a tag's URI escape
    /// (`%EE%80%80`), comes out as itself beside a BOM read as text, which
    /// comes out as U+FEFF. PyYAML 6.0's `safe_load`: `"\uE000"` then
    /// `b: <BOM>x` is `{'a': '\ue000', 'b': '\ufeffx'}` (we gave
    /// `'\ufeff'` for `a`: the stand-in for the BOM was U+E000), and
    /// `!foo%EE%80%80` names the tag `!foo\ue000`.
    #[test]
    fn a_private_use_character_beside_a_bom_stays_itself() {
        for (text, want) in [
            ("a: \"\\uE000\"\nb: \u{feff}x\n", "\u{e000}"),
            ("a: \"\\ue000\\uE001\"\nb: \u{feff}x\n", "\u{e000}\u{e001}"),
            ("a: \"\\U0000E000\"\nb: \u{feff}x\n", "\u{e000}"),
            ("a: \u{e000}\nb: \u{feff}x\n", "\u{e000}"),
            ("a: \"\u{feff}\\uE000\"\nb: 1\n", "\u{feff}\u{e000}"),
        ] {
            let v = parse(text);
            assert_eq!(v.get("a"), Some(&Value::Str(want.into())), "{text:?}");
            if let Some(b) = v.get("b").filter(|b| **b != Value::Int(1)) {
                assert_eq!(b, &Value::Str("\u{feff}x".into()), "{text:?}");
            }
        }
        let e = Value::parse("a: !foo%EE%80%80 x\nb: \u{feff}x\n", "t.yaml").unwrap_err();
        assert!(e.to_string().contains("!foo\u{e000}"), "{e}");
    }

    #[test]
    fn an_explicit_key_without_a_value_is_null() {
        // PyYAML 6.0: {'k': None, 'x': 'v'}; the empty value took `x`.
        let v = parse("? k\nx: v\n");
        assert_eq!(v.get("k"), Some(&Value::Null));
        assert_eq!(v.get("x"), Some(&Value::Str("v".into())));
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
        // PyYAML composes the whole document before it constructs: a
        // duplicate anchor or a parse error after the tag is its error.
        let e = Value::parse("a: !custom x\nb: &x 1\nc: &x 2\n", "t.yaml").unwrap_err();
        assert!(
            e.to_string().contains("line 3: found duplicate anchor 'x'"),
            "{e}"
        );
        let e = Value::parse("a: !custom x\nb: [1\n", "t.yaml").unwrap_err();
        assert!(!e.to_string().contains("!custom"), "{e}");
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
