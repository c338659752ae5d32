//! Typed fields read out of a content-resolver document's loaded YAML, with
//! the semantics Python gives `config_manager.py`'s accesses on the same
//! value: `str()` of scalars, a string iterated character by character, a
//! missing or `None` list an error where content-resolver would crash.

use std::collections::BTreeMap;

use super::{Cx, Options, ALLOWED_ARCHES, R};
use crate::content_resolver::yaml::Value;

/// `document["data"]`, which must be a map for any field to be read.
pub(super) fn data(doc: &Value) -> R<&Value> {
    match doc.get("data") {
        Some(d @ Value::Map(_)) => Ok(d),
        Some(other) => Err(format!("'data' is {}, not a map", other.kind())),
        None => Err("no 'data' field".into()),
    }
}

/// `document["data"]` for the types whose loader rejects keys it does not
/// know (workloads and unwanted lists), with the loader's own wording for a
/// missing section and for the first unknown key.
pub(super) fn data_with_keys<'a>(doc: &'a Value, id: &str, known: &[&str]) -> R<&'a Value> {
    let d = match doc.get("data") {
        Some(d @ Value::Map(m)) => {
            for (k, _) in m {
                let k = k.py_str();
                if !known.contains(&k.as_str()) {
                    return Err(format!("Unknown key '{k}' in 'data' section of {id}"));
                }
            }
            d
        }
        Some(other) => return Err(format!("'data' is {}, not a map", other.kind())),
        None => return Err(format!("Missing 'data' field in {id}")),
    };
    Ok(d)
}

/// A mandatory field as text (`str(data[key])`).
pub(super) fn text(data: &Value, key: &str) -> R<String> {
    data.get(key)
        .map(Value::py_str)
        .ok_or_else(|| format!("the mandatory field '{key}' is missing"))
}

/// The items a Python `for` loop over the value gives ([`py_iter`]), with a
/// warning for a string, whose characters are seldom what was meant.
fn items(cx: &mut Cx, v: &Value, what: &str) -> R<Vec<Value>> {
    if matches!(v, Value::Str(_)) {
        cx.warn(format!(
            "{what} is a string, not a list: content-resolver takes each of its characters as an item"
        ));
    }
    py_iter(v).ok_or_else(|| format!("{what} is {}, not a list", v.kind()))
}

/// `[str(x) for x in value]`.
pub(super) fn strings(cx: &mut Cx, v: &Value, what: &str) -> R<Vec<String>> {
    Ok(items(cx, v, what)?.iter().map(Value::py_str).collect())
}

/// A mandatory list field.
pub(super) fn list(cx: &mut Cx, data: &Value, key: &str) -> R<Vec<String>> {
    match data.get(key) {
        Some(v) => strings(cx, v, &format!("'{key}'")),
        None => Err(format!("the mandatory field '{key}' is missing")),
    }
}

/// An optional list field (absent: empty).
pub(super) fn opt_list(cx: &mut Cx, data: &Value, key: &str) -> R<Vec<String>> {
    match data.get(key) {
        Some(v) => strings(cx, v, &format!("'{key}'")),
        None => Ok(Vec::new()),
    }
}

/// `key in value` (list membership, substring of a string, key of a map).
fn contains(v: &Value, key: &str) -> R<bool> {
    Ok(match v {
        Value::Seq(s) => s.iter().any(|i| matches!(i, Value::Str(x) if x == key)),
        Value::Str(s) => s.contains(key),
        Value::Map(_) => v.has(key),
        other => return Err(format!("'options' is {}, not a list", other.kind())),
    })
}

/// An `ARCH: [names]` map with every allowed arch as a key; other arches
/// are skipped with a warning. `null_ok`: a `null` list is skipped with a
/// warning (workloads) instead of being an error.
pub(super) fn arch_map(
    cx: &mut Cx,
    data: &Value,
    key: &str,
    null_ok: bool,
) -> R<BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, Vec<String>> = ALLOWED_ARCHES
        .iter()
        .map(|a| (a.to_string(), Vec::new()))
        .collect();
    let Some(v) = data.get(key) else {
        return Ok(out);
    };
    let Value::Map(m) = v else {
        return Err(format!("'{key}' is {}, not a map of arches", v.kind()));
    };
    for (k, pkgs) in m {
        let arch = k.py_str();
        if !ALLOWED_ARCHES.contains(&arch.as_str()) {
            cx.warn(format!("'{key}' lists an unsupported architecture: {arch}"));
            continue;
        }
        if null_ok && matches!(pkgs, Value::Null | Value::Bool(_) | Value::Int(_)) {
            cx.warn(format!("'{key}.{arch}' is empty"));
            continue;
        }
        let names = strings(cx, pkgs, &format!("'{key}.{arch}'"))?;
        out.get_mut(&arch).expect("allowed arch").extend(names);
    }
    Ok(out)
}

/// `options`: what `"include-docs" in options` and the like give
/// (`strict` is read for workloads only).
pub(super) fn options(data: &Value, workload: bool) -> R<Options> {
    let Some(v) = data.get("options") else {
        return Ok(Options::default());
    };
    Ok(Options {
        include_docs: contains(v, "include-docs")?,
        include_weak_deps: contains(v, "include-weak-deps")?,
        strict: workload && contains(v, "strict")?,
    })
}

/// `groups`: patterns for dnf's `group_by_pattern`.
pub(super) fn groups(cx: &mut Cx, data: &Value) -> R<Vec<String>> {
    let Some(v) = data.get("groups") else {
        return Ok(Vec::new());
    };
    let out = items(cx, v, "'groups'")?;
    out.iter()
        .map(|g| match g {
            Value::Str(s) => Ok(s.clone()),
            other => Err(format!(
                "'groups' holds {} ({}): dnf's group_by_pattern needs text",
                other.kind(),
                other.py_str()
            )),
        })
        .collect()
}

/// What Python's iteration over `v` gives: a list's items, a string's
/// characters, a map's keys; None for what it cannot iterate.
pub(super) fn py_iter(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Seq(items) => Some(items.clone()),
        Value::Str(s) => Some(s.chars().map(|c| Value::Str(c.to_string())).collect()),
        // Bytes iterate as numbers.
        Value::Bytes(b) => Some(b.iter().map(|&n| Value::Int(n.into())).collect()),
        Value::Map(entries) => Some(entries.iter().map(|(k, _)| k.clone()).collect()),
        _ => None,
    }
}

/// A list or map where content-resolver hashes the value (a dict key, a set
/// member) fails its loader with a TypeError: such a document is bad.
pub(super) fn unhashable(v: &Value, what: &str) -> R<()> {
    match v {
        Value::Seq(_) | Value::Map(_) => Err(format!(
            "placeholder {what} is {}, not a name (content-resolver's loader fails on it)",
            v.kind()
        )),
        _ => Ok(()),
    }
}
