//! The second pass of reading a YAML document as PyYAML's `safe_load`
//! would (PyYAML's constructor.py `SafeConstructor`): serde-saphyr's
//! values, each scalar typed again from what the first pass
//! ([`super::yaml_scan`]) recorded of it, maps flattened as
//! `flatten_mapping` does (`<<` merge keys first) and built as a Python
//! dict is (`construct_mapping`: one entry per equal key, the last value
//! kept, unhashable keys refused). Separate from [`super::yaml::Value`]
//! itself: this is the serde side, where the value is made.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;

use super::yaml::Value;
use super::yaml11;
use super::yaml_pairs::{pairs, Pairs};
use super::yaml_scan::Scalar;

thread_local! {
    /// The scalars of the text being parsed (for [`pyyaml_scalar`]).
    pub(super) static SCALARS: std::cell::RefCell<HashMap<usize, Scalar>> =
        std::cell::RefCell::new(HashMap::new());
    /// Its `!!omap` and `!!pairs` collections (for [`pyyaml_scalar`]).
    pub(super) static PAIRS: std::cell::RefCell<HashMap<usize, Pairs>> =
        std::cell::RefCell::new(HashMap::new());
    /// Where the list and map keys of their entries start ([`Pairs`]'s
    /// `keys`): kept as keys, not refused as unhashable.
    pub(super) static PAIR_KEYS: std::cell::RefCell<std::collections::HashSet<usize>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
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
pub(super) fn pyyaml_scalar<E: serde::de::Error>(
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
        // The blank block scalar before the one recorded here: its text,
        // as PyYAML makes any block scalar.
        Some(Scalar {
            after_blank_block: Some((parsed, block)),
            ..
        }) if matches!(&node.value, Value::Str(s) if s == parsed) => Ok(Value::Str(block.clone())),
        // An empty node (the value of `? k` with no `:` line) that the
        // parser puts where the next token starts: the scalar recorded
        // there is not its (`? k` then `x: v` made `k`'s value `x`).
        Some(sc)
            if matches!(node.value, Value::Null)
                && sc.tag.is_none()
                && !(sc.plain
                    && matches!(sc.text.as_str(), "" | "~" | "null" | "Null" | "NULL")) =>
        {
            Ok(Value::Null)
        }
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
            let k_at = k.defined.span().byte_offset();
            let (k, v) = (pyyaml_scalar(k, true)?, pyyaml_scalar(v, false)?);
            // A Python dict cannot hold a list or a dict as a key: PyYAML
            // refuses the document ("found unhashable key"), but for the
            // key of an `!!omap` or `!!pairs` entry, which it puts in a
            // tuple without building a dict (`construct_yaml_omap`).
            let pair_key =
                || k_at.is_some_and(|at| PAIR_KEYS.with(|s| s.borrow().contains(&(at as usize))));
            if matches!(k, Value::Seq(_) | Value::Map(_)) && !pair_key() {
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
