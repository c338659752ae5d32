//! YAML `!!omap` and `!!pairs` as PyYAML's `SafeConstructor` builds them
//! (`construct_yaml_omap`, `construct_yaml_pairs`): a list of `(key,
//! value)` tuples from a sequence of one-entry maps. [`super::yaml`] finds
//! the tagged collections and their entries as written while it scans a
//! document's events ([`node_in`], [`close`]), and builds each from the
//! values the parser made ([`pairs`]); its tests hold the cases.

use std::collections::HashMap;

use super::yaml::Value;

/// A collection tagged `!!omap` or `!!pairs`.
#[derive(Clone)]
pub(super) struct Pairs {
    /// `omap` or `pairs`.
    pub(super) tag: String,
    /// Whether it is a sequence (a map is refused, as PyYAML refuses it).
    pub(super) seq: bool,
    pub(super) line: usize,
    /// Its entries as written, in order ([`Entry`]).
    pub(super) entries: Vec<Option<Entry>>,
    /// Where each entry's key that is a list or a map starts: PyYAML puts
    /// such a key in the tuple as it is (no dict is built, so nothing is
    /// hashed), where any other map refuses it as unhashable.
    pub(super) keys: Vec<usize>,
}

/// An entry of an `!!omap` or `!!pairs` sequence that is a map, as written:
/// PyYAML checks the node, not the map built from it, so `{b: 1, b: 2}` is
/// two pairs (refused) and a `<<` key is no merge (refused: `safe_load` has
/// no constructor for its tag outside a map it builds). None for an entry
/// that is no map as written (an alias: its map is checked as built).
#[derive(Clone, Copy, Default)]
pub(super) struct Entry {
    pairs: usize,
    merge: bool,
}

/// An open collection while [`super::yaml`] scans a document's events.
pub(super) enum Open {
    /// A sequence, and the start of its [`Pairs`] if tagged so.
    Seq(Option<usize>),
    /// A map: its keys and values so far, whether a key is a plain `<<`,
    /// and, for an entry of a tagged sequence, where its [`Entry`] goes.
    Map(usize, bool, Option<(usize, usize)>),
}

/// Counts a node in the collection open around it (a map's key or value; a
/// plain `<<` in a key's place marks the map). An entry of a tagged
/// sequence gets its [`Entry`] (a map's is filled in by [`close`]):
/// returns where, for a map.
pub(super) fn node_in(
    open: &mut [Open],
    pairs: &mut HashMap<usize, Pairs>,
    is_map: bool,
    merge_key: bool,
) -> Option<(usize, usize)> {
    match open.last_mut() {
        Some(Open::Map(n, merge, _)) => {
            *merge |= merge_key && *n % 2 == 0;
            *n += 1;
            None
        }
        Some(Open::Seq(Some(at))) => {
            let p = pairs.get_mut(at)?;
            p.entries.push(is_map.then(Entry::default));
            is_map.then(|| (*at, p.entries.len() - 1))
        }
        _ => None,
    }
}

/// Records a list or map starting at `at` that is the key of an entry of
/// a tagged sequence (the first node of such an entry map).
pub(super) fn entry_key(open: &[Open], pairs: &mut HashMap<usize, Pairs>, at: usize) {
    if let Some(Open::Map(0, _, Some((seq, _)))) = open.last() {
        if let Some(p) = pairs.get_mut(seq) {
            p.keys.push(at);
        }
    }
}

/// Closes the innermost collection; a map that is an entry of a tagged
/// sequence records its pairs and merge key there.
pub(super) fn close(open: &mut Vec<Open>, pairs: &mut HashMap<usize, Pairs>) {
    if let Some(Open::Map(n, merge, Some((at, i)))) = open.pop() {
        if let Some(Some(e)) = pairs.get_mut(&at).and_then(|p| p.entries.get_mut(i)) {
            *e = Entry {
                pairs: n / 2,
                merge,
            };
        }
    }
}

/// An `!!omap` or `!!pairs` collection as PyYAML's `construct_yaml_omap`
/// and `construct_yaml_pairs` build it: a list of `(key, value)` tuples,
/// from a sequence of one-entry maps (both keep repeated keys and order),
/// each as written ([`Entry`]).
pub(super) fn pairs(
    v: Value,
    tag: &str,
    written: &[Option<Entry>],
) -> std::result::Result<Value, String> {
    let what = if tag == "omap" {
        "an ordered map"
    } else {
        "pairs"
    };
    let Value::Seq(items) = v else {
        return Err(format!("while constructing {what}: expected a sequence"));
    };
    let one = "expected a mapping of length 1";
    if let Some(e) = written.iter().flatten().find(|e| e.pairs != 1 || e.merge) {
        return Err(if e.pairs != 1 {
            format!("while constructing {what}: {one}")
        } else {
            "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'".into()
        });
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::Map(mut m) if m.len() == 1 => {
                let (k, v) = m.pop().expect("one entry");
                Ok(Value::Tuple(vec![k, v]))
            }
            _ => Err(format!("while constructing {what}: {one}")),
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map(Value::Seq)
}
