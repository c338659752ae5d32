//! A YAML value as PyYAML's `safe_load` gives it to content-resolver: maps
//! keep their order (repository order decides dnf's load order among equal
//! priorities), scalars are typed the YAML 1.1 way (`yes` is a boolean,
//! `010` an octal number), anchors, aliases and `<<` merge keys are
//! resolved, a repeated key keeps its last value.
//!
//! PyYAML's booleans are `true`/`false`, `yes`/`no`, `on`/`off` in three
//! spellings each (`yes`, `Yes`, `YES`); serde-saphyr's YAML 1.1 mode also
//! takes `y`/`n` and any case. So the parser runs with YAML 1.2 booleans
//! and a plain (unquoted) scalar spelled as one of PyYAML's other boolean
//! words becomes a boolean afterwards: its source position tells whether
//! it was quoted.
//!
//! content-resolver turns most values into text with Python's `str()`;
//! [`Value::py_str`] does the same, so `packages: [yes]` names a package
//! `True` here as there.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::granit_parser;
use std::collections::HashMap;

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
    /// A sequence, in document order.
    Seq(Vec<Value>),
    /// Entries in document order.
    Map(Vec<(Value, Value)>),
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
        if let Some(problem) = unsafe_tag(text) {
            return Err(Error::format(origin, problem));
        }
        let mut opts = serde_saphyr::Options::default();
        opts.with_snippet = false;
        opts.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
        opts.legacy_octal_numbers = true;
        opts.strict_booleans = true;
        SOURCE.with(|s| *s.borrow_mut() = text.as_bytes().to_vec());
        let res = serde_saphyr::from_str_with_options::<Value>(text, opts);
        SOURCE.with(|s| s.borrow_mut().clear());
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
            Value::Seq(_) | Value::Map(_) => self.py_repr(),
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
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
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
            Value::Seq(v) => !v.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }
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

/// The `tag:yaml.org,2002:` tags PyYAML's `SafeLoader` has a constructor
/// for (`!!str`, `!!set`, `!!omap`, the `<<` merge key's, ...).
const SAFE_LOAD_TAGS: [&str; 13] = [
    "null",
    "bool",
    "int",
    "float",
    "binary",
    "timestamp",
    "omap",
    "pairs",
    "set",
    "str",
    "seq",
    "map",
    "merge",
];

/// The first explicit tag `safe_load` refuses ("could not determine a
/// constructor for the tag": `!custom`, `!!python/object:...`), as the
/// problem to report; content-resolver reports such a file as it reports
/// any YAML error. The non-specific `!` is resolved as an untagged node.
/// A text the parser rejects has none here: parsing it says what is wrong.
fn unsafe_tag(text: &str) -> Option<String> {
    for event in granit_parser::Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            return None;
        };
        let tag = match &event {
            granit_parser::Event::Scalar(_, _, _, tag)
            | granit_parser::Event::SequenceStart(_, _, tag)
            | granit_parser::Event::MappingStart(_, _, tag) => tag,
            _ => continue,
        };
        let Some(tag) = tag else { continue };
        let safe = tag.original() == "!"
            || tag
                .suffix_in_namespace("tag:yaml.org,2002:")
                .is_some_and(|name| SAFE_LOAD_TAGS.contains(&name.as_ref()));
        if !safe {
            return Some(format!(
                "line {}: tag {} is unknown to PyYAML's safe_load",
                span.start.line(),
                tag.original()
            ));
        }
    }
    None
}

thread_local! {
    /// The text being parsed (for [`pyyaml_bool`]).
    static SOURCE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// PyYAML's boolean words beyond YAML 1.2's `true`/`false`.
fn yaml11_word(s: &str) -> Option<bool> {
    match s {
        "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// A node as PyYAML types it: a plain scalar spelled as one of its boolean
/// words is a boolean (a quoted one stays text).
fn pyyaml_bool(node: serde_saphyr::Spanned<Value>) -> Value {
    if let Value::Str(s) = &node.value {
        if let Some(b) = yaml11_word(s) {
            let quoted = node
                .defined
                .span()
                .byte_offset()
                .and_then(|o| SOURCE.with(|src| src.borrow().get(o as usize).copied()))
                .is_some_and(|c| c == b'\'' || c == b'"');
            if !quoted {
                return Value::Bool(b);
            }
        }
    }
    node.value
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
            out.push(pyyaml_bool(v));
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut out: Vec<(Value, Value)> = Vec::new();
        // Where each scalar key is in `out`: looking a repeated key up in
        // every key before it made a map of n keys take n² steps (a minute
        // for 20,000 keys under the fuzzer's sanitizer).
        let mut index: HashMap<KeyId, usize> = HashMap::new();
        while let Some((k, v)) =
            map.next_entry::<serde_saphyr::Spanned<Value>, serde_saphyr::Spanned<Value>>()?
        {
            let (k, v) = (pyyaml_bool(k), pyyaml_bool(v));
            // A Python dict cannot hold a list or a dict as a key: PyYAML
            // refuses the document ("found unhashable key").
            if matches!(k, Value::Seq(_) | Value::Map(_)) {
                return Err(serde::de::Error::custom(format!(
                    "found unhashable key ({} as a map key)",
                    k.kind()
                )));
            }
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
/// is asked); no float is NaN (the parser refuses `.nan`, which PyYAML
/// reads: no content-resolver config has one).
#[derive(Hash, PartialEq, Eq)]
enum KeyId {
    Null,
    Int(i128),
    Float(u64),
    Str(String),
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
            Value::Float(f) => KeyId::Float(f.to_bits()),
            Value::Str(s) => KeyId::Str(s.clone()),
            Value::Seq(_) | Value::Map(_) => return None,
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
        // The tags safe_load constructs, and the non-specific `!`. (Two it
        // takes are still refused by the parser, as before this check:
        // `!!timestamp` and `!!bool` on a YAML 1.1 word such as `yes`.)
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
}
