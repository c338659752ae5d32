//! The pool's tables of strings, EVRs and dependencies while it is built:
//! id -> value in pool order (the builder alone adds), and lookups by hash
//! in shards behind locks, which the parsing threads read to find a
//! chunk's known values before the chunk reaches the builder (libsolv's
//! `pool_str2id`, `pool_rel2id` and its EVR string ids play these parts).
//! A value new to the pool is added by the builder, in pool order, so ids
//! come out as if every occurrence were interned one by one.
//!
//! This file holds the tables and their lookups; `tables/chunk.rs` what a
//! chunk's parsing thread looks up and how the builder maps a chunk's
//! values to pool ids.

mod chunk;

use std::sync::{Arc, Mutex};

use hashbrown::HashTable;

use super::{DepId, DepInterner, DepNode, EvrId, StrId};
use crate::evr::Evr;
use crate::rpmmd::raw::{evr_hash, str_hash};
pub(super) use chunk::ChunkIds;

/// Number of lookup shards (a power of two).
const SHARDS: usize = 16;

/// The shard of a hash (not the bits hashbrown takes for buckets, the low
/// ones, nor for tags, the top 7).
fn shard_of(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// A lookup table in [`SHARDS`] shards chosen by hash, each behind a lock:
/// parsing threads read it while the builder adds to it.
pub(crate) struct Shards<T>([Mutex<HashTable<T>>; SHARDS]);

impl<T> Default for Shards<T> {
    fn default() -> Self {
        Shards(std::array::from_fn(|_| Mutex::default()))
    }
}

impl<T> Shards<T> {
    fn shard(&self, hash: u64) -> std::sync::MutexGuard<'_, HashTable<T>> {
        self.0[shard_of(hash)].lock().expect("lookup shard")
    }
}

/// A table's lookup: [`Shards`] shared with the parsing threads while the
/// pool is built, then the pool's own (no locks) once it is
/// ([`Lookup::freeze`]).
pub(crate) enum Lookup<T> {
    Shared(Arc<Shards<T>>),
    Owned(Box<[HashTable<T>; SHARDS]>),
}

impl<T> Default for Lookup<T> {
    fn default() -> Self {
        Lookup::Shared(Arc::default())
    }
}

impl<T> Lookup<T> {
    /// `f` on the shard of `hash`.
    #[inline]
    fn with<R>(&self, hash: u64, f: impl FnOnce(&HashTable<T>) -> R) -> R {
        match self {
            Lookup::Shared(s) => f(&s.shard(hash)),
            Lookup::Owned(o) => f(&o[shard_of(hash)]),
        }
    }

    /// The id in the entry of hash `hash` for which `eq` holds, or a new
    /// entry `make()` (which gives the entry and its id).
    fn find_or_insert<I: Copy>(
        &mut self,
        hash: u64,
        eq: impl Fn(&T) -> bool,
        id_of: impl Fn(&T) -> I,
        make: impl FnOnce() -> T,
        rehash: impl Fn(&T) -> u64,
    ) -> I {
        let insert = |t: &mut HashTable<T>| match t.find(hash, &eq) {
            Some(e) => id_of(e),
            None => id_of(t.insert_unique(hash, make(), &rehash).get()),
        };
        match self {
            Lookup::Shared(s) => insert(&mut s.shard(hash)),
            Lookup::Owned(o) => insert(&mut o[shard_of(hash)]),
        }
    }

    fn reserve(&mut self, n: usize, rehash: impl Fn(&T) -> u64) {
        match self {
            Lookup::Shared(s) => {
                s.0.iter()
                    .for_each(|m| m.lock().expect("lookup shard").reserve(n / SHARDS, &rehash))
            }
            Lookup::Owned(o) => o.iter_mut().for_each(|t| t.reserve(n / SHARDS, &rehash)),
        }
    }

    /// The shards, for the parsing threads (None once frozen).
    fn shared(&self) -> Option<Arc<Shards<T>>> {
        match self {
            Lookup::Shared(s) => Some(s.clone()),
            Lookup::Owned(_) => None,
        }
    }

    /// Takes the lookup out of its locks, once no parsing thread holds it.
    pub(super) fn freeze(&mut self) {
        let Lookup::Shared(s) = self else { return };
        let s = std::mem::take(s);
        *self = match Arc::try_unwrap(s) {
            Ok(shards) => Lookup::Owned(Box::new(
                shards.0.map(|m| m.into_inner().expect("lookup shard")),
            )),
            Err(s) => Lookup::Shared(s),
        };
    }
}

impl<T> Shards<T> {
    /// `f(table, i)` for each index of `o`, `table` being its shard's,
    /// taking each shard's lock once: a chunk's lookups take ≈48 locks
    /// instead of one per value (≈580,000 per x86_64 load of the bench
    /// data), whose cache lines went back and forth between the parsing
    /// threads' cores and the builder's.
    fn each_in(&self, o: &ShardOrder, mut f: impl FnMut(&HashTable<T>, usize)) {
        for s in 0..SHARDS {
            let (a, b) = (o.starts[s] as usize, o.starts[s + 1] as usize);
            if a == b {
                continue;
            }
            let shard = self.0[s].lock().expect("lookup shard");
            for &i in &o.order[a..b] {
                f(&shard, i as usize);
            }
        }
    }
}

/// Indexes `0..n` grouped by the shard of their hash (a counting sort).
struct ShardOrder {
    /// Shard `s`'s indexes are `order[starts[s]..starts[s + 1]]`.
    starts: [u32; SHARDS + 1],
    order: Vec<u32>,
}

impl ShardOrder {
    fn new(n: usize, hash: impl Fn(usize) -> u64) -> ShardOrder {
        let mut starts = [0u32; SHARDS + 1];
        for i in 0..n {
            starts[shard_of(hash(i)) + 1] += 1;
        }
        for s in 0..SHARDS {
            starts[s + 1] += starts[s];
        }
        let mut order = vec![0u32; n];
        let mut at = starts;
        for i in 0..n {
            let s = shard_of(hash(i));
            order[at[s] as usize] = i as u32;
            at[s] += 1;
        }
        ShardOrder { starts, order }
    }
}

/// An id type of a [`Table`].
pub(crate) trait TableId: Copy {
    /// The id of index `i`.
    fn at(i: usize) -> Self;
}

macro_rules! table_id {
    ($($t:ty),*) => {$(
        impl TableId for $t {
            fn at(i: usize) -> Self {
                <$t>::from_usize(i)
            }
        }
    )*};
}
table_id!(StrId, EvrId, DepId);

/// One of the pool's tables: id -> value in pool order, and a lookup of
/// (key, id) by hash, shared with the parsing threads while the pool is
/// built ([`chunk_parsed`]); only the builder adds values, in pool order.
/// The key is the value itself, or a compact form of it that compares the
/// same ([`EvrKey`]).
pub(crate) struct Table<V, I, K = V> {
    values: Vec<V>,
    pub(super) lookup: Lookup<(K, I)>,
}

impl<V, I, K> Default for Table<V, I, K> {
    fn default() -> Self {
        Table {
            values: Vec::new(),
            lookup: Lookup::default(),
        }
    }
}

impl<V, I: TableId, K> Table<V, I, K> {
    /// The id of the value whose key has hash `hash` and meets `eq`, if
    /// interned.
    #[inline]
    fn find_by(&self, hash: u64, eq: impl Fn(&K) -> bool) -> Option<I> {
        self.lookup
            .with(hash, |t| t.find(hash, |(k, _)| eq(k)).map(|&(_, id)| id))
    }

    /// [`Table::find_by`], or the id of the value and key `make()` gives,
    /// added.
    fn intern_by(
        &mut self,
        hash: u64,
        eq: impl Fn(&K) -> bool,
        make: impl FnOnce() -> (V, K),
        rehash: fn(&K) -> u64,
    ) -> I {
        let values = &mut self.values;
        self.lookup.find_or_insert(
            hash,
            |(k, _)| eq(k),
            |&(_, id)| id,
            || {
                let (v, k) = make();
                values.push(v);
                (k, I::at(values.len() - 1))
            },
            |(k, _)| rehash(k),
        )
    }

    /// The table of these values (ids in their order), its lookup built
    /// at once and without locks (a pool read back from its snapshot).
    fn from_values_by(values: Vec<V>, key: fn(&V) -> K, hash: fn(&K) -> u64) -> Self {
        let mut shards: Box<[HashTable<(K, I)>; SHARDS]> = Box::new(std::array::from_fn(|_| {
            HashTable::with_capacity(values.len() / SHARDS + 16)
        }));
        for (i, v) in values.iter().enumerate() {
            let k = key(v);
            let h = hash(&k);
            shards[shard_of(h)].insert_unique(h, (k, I::at(i)), |(k, _)| hash(k));
        }
        Table {
            values,
            lookup: Lookup::Owned(shards),
        }
    }

    /// The values, in id order.
    pub(super) fn values(&self) -> &Vec<V> {
        &self.values
    }

    /// The values, to damage in tests (the lookup is not updated).
    #[cfg(test)]
    pub(super) fn values_mut(&mut self) -> &mut Vec<V> {
        &mut self.values
    }

    fn reserve_by(&mut self, n: usize, rehash: fn(&K) -> u64) {
        self.values.reserve(n);
        self.lookup.reserve(n, |(k, _)| rehash(k));
    }
}

impl<V, I, K> std::ops::Deref for Table<V, I, K> {
    type Target = [V];

    fn deref(&self) -> &[V] {
        &self.values
    }
}

/// The pool's strings, looked up by [`str_hash`] (the hash chunks carry).
pub(crate) type StrTable = Table<Arc<str>, StrId>;

/// The [`str_hash`] of a table's string.
fn hash_of_str(s: &Arc<str>) -> u64 {
    str_hash(s)
}

impl StrTable {
    /// The id of `s`, if interned.
    pub(super) fn get(&self, s: &str) -> Option<StrId> {
        self.find_by(str_hash(s), |t| &**t == s)
    }

    /// The id of `s` (of hash `hash`), interned if new.
    pub(super) fn intern(&mut self, hash: u64, s: &str) -> StrId {
        let make = || {
            let a: Arc<str> = Arc::from(s);
            (a.clone(), a)
        };
        self.intern_by(hash, |t| &**t == s, make, hash_of_str)
    }

    pub(super) fn reserve(&mut self, n: usize) {
        self.reserve_by(n, hash_of_str);
    }

    pub(super) fn from_values(values: Vec<Arc<str>>) -> Self {
        Self::from_values_by(values, Arc::clone, hash_of_str)
    }
}

/// An EVR as the EVR lookup keeps it: version and release in one
/// allocation, the release's presence in the top bit of the version's
/// length. An entry is 32 bytes where one holding an [`Evr`] was 64 (two
/// `String`s), and a compare reads one string where it read two: the
/// parsing threads' lookups miss the cache on the entry and on the text it
/// points to, and the lookup is sized for many more EVRs than a repo has
/// (its pages are faulted in whole, hashing spreads entries over them).
pub(crate) struct EvrKey {
    text: Box<str>,
    epoch: u32,
    /// The version's length in `text`, [`EvrKey::HAS_REL`] set when the
    /// EVR has a release (which may be empty, as an [`Evr`]'s may).
    ver: u32,
}

impl EvrKey {
    const HAS_REL: u32 = 1 << 31;

    fn new(epoch: u32, ver: &str, rel: Option<&str>) -> EvrKey {
        let mut text = String::with_capacity(ver.len() + rel.map_or(0, str::len));
        text.push_str(ver);
        text.push_str(rel.unwrap_or(""));
        EvrKey {
            text: text.into_boxed_str(),
            epoch,
            ver: Self::ver_field(ver, rel),
        }
    }

    /// What `ver` holds for these parts. (A version of 2 GiB or more
    /// never gets here: the chunker refuses a package past
    /// `rpmmd::chunks::MAX_PACKAGE`, 1 GiB.)
    #[inline]
    fn ver_field(ver: &str, rel: Option<&str>) -> u32 {
        ver.len() as u32 | if rel.is_some() { Self::HAS_REL } else { 0 }
    }

    /// Whether this is the key of these parts.
    #[inline]
    fn is(&self, epoch: u32, ver: &str, rel: Option<&str>) -> bool {
        let rel_text = rel.unwrap_or("");
        self.epoch == epoch
            && self.ver == Self::ver_field(ver, rel)
            && self.text.len() == ver.len() + rel_text.len()
            && self.text.as_bytes()[..ver.len()] == *ver.as_bytes()
            && self.text.as_bytes()[ver.len()..] == *rel_text.as_bytes()
    }

    /// Its [`evr_hash`].
    fn hash(&self) -> u64 {
        let at = (self.ver & !Self::HAS_REL) as usize;
        let rel = (self.ver & Self::HAS_REL != 0).then(|| &self.text[at..]);
        evr_hash(self.epoch, &self.text[..at], rel)
    }
}

/// The pool's EVRs, looked up by [`evr_hash`] of their parts (the hash
/// chunks carry), so a chunk's EVRs are found without building an `Evr`.
pub(crate) type EvrTable = Table<Evr, EvrId, EvrKey>;

impl EvrTable {
    /// The id of `evr`, if interned.
    pub(super) fn get(&self, evr: &Evr) -> Option<EvrId> {
        let (ver, rel) = (&evr.version, evr.release.as_deref());
        self.find_by(evr_hash(evr.epoch, ver, rel), |k| k.is(evr.epoch, ver, rel))
    }

    /// The id of the EVR of these parts (of hash `hash`), interned if new.
    pub(super) fn intern(&mut self, hash: u64, epoch: u32, ver: &str, rel: Option<&str>) -> EvrId {
        let make = || {
            let evr = Evr {
                epoch,
                version: ver.to_string(),
                release: rel.map(str::to_string),
            };
            (evr, EvrKey::new(epoch, ver, rel))
        };
        self.intern_by(hash, |k| k.is(epoch, ver, rel), make, EvrKey::hash)
    }

    pub(super) fn reserve(&mut self, n: usize) {
        self.reserve_by(n, EvrKey::hash);
    }

    pub(super) fn from_values(values: Vec<Evr>) -> Self {
        let key = |e: &Evr| EvrKey::new(e.epoch, &e.version, e.release.as_deref());
        Self::from_values_by(values, key, EvrKey::hash)
    }
}

/// The pool's dependencies.
pub(crate) type NodeTable = Table<DepNode, DepId>;

/// The hash of a node in its lookup.
fn node_hash(n: &DepNode) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    n.hash(&mut h);
    h.finish()
}

impl NodeTable {
    /// The id of `node`, if interned.
    pub(super) fn get(&self, node: &DepNode) -> Option<DepId> {
        self.find_by(node_hash(node), |n| n == node)
    }

    /// The id of `node`, interned if new.
    fn intern(&mut self, node: DepNode) -> DepId {
        self.intern_by(node_hash(&node), |n| *n == node, || (node, node), node_hash)
    }

    pub(super) fn reserve(&mut self, n: usize) {
        self.reserve_by(n, node_hash);
    }

    pub(super) fn from_values(values: Vec<DepNode>) -> Self {
        Self::from_values_by(values, |&n| n, node_hash)
    }
}

/// String, EVR and dependency tables being filled while the pool is built.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) strs: StrTable,
    pub(super) evrs: EvrTable,
    pub(super) nodes: NodeTable,
}

impl DepInterner for Tables {
    fn intern_str(&mut self, s: &str) -> StrId {
        self.strs.intern(str_hash(s), s)
    }

    fn intern_evr(&mut self, evr: &Evr) -> EvrId {
        let (ver, rel) = (&evr.version, evr.release.as_deref());
        let hash = evr_hash(evr.epoch, ver, rel);
        self.evrs.intern(hash, evr.epoch, ver, rel)
    }

    fn intern_node(&mut self, node: DepNode) -> DepId {
        self.nodes.intern(node)
    }
}

impl Tables {
    /// The lookups out of their locks (no parsing thread holds them now).
    pub(super) fn freeze(&mut self) {
        self.strs.lookup.freeze();
        self.evrs.lookup.freeze();
        self.nodes.lookup.freeze();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EVR lookup's compact key tells apart what an [`Evr`] tells
    /// apart: where the version ends and the release begins, and no
    /// release from an empty one; and it hashes as chunks hash the parts.
    #[test]
    fn evr_key_compares_and_hashes_as_the_parts() {
        let k = EvrKey::new(1, "1.2", Some("3"));
        assert!(k.is(1, "1.2", Some("3")));
        assert!(!k.is(0, "1.2", Some("3")));
        assert!(!k.is(1, "1.23", Some("")));
        assert!(!k.is(1, "1.", Some("23")));
        assert!(!k.is(1, "1.23", None));
        assert_eq!(k.hash(), evr_hash(1, "1.2", Some("3")));
        let bare = EvrKey::new(0, "5", None);
        assert!(bare.is(0, "5", None));
        assert!(!bare.is(0, "5", Some("")));
        assert_eq!(bare.hash(), evr_hash(0, "5", None));
        let empty_rel = EvrKey::new(0, "5", Some(""));
        assert!(empty_rel.is(0, "5", Some("")));
        assert!(!empty_rel.is(0, "5", None));
    }

    /// A shard order holds every index once, grouped by shard, each group
    /// in index order; `each_in` visits each index once, in its shard.
    #[test]
    fn shard_order_groups_every_index_once() {
        let hashes: Vec<u64> = (0..200u64)
            .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let o = ShardOrder::new(hashes.len(), |i| hashes[i]);
        assert_eq!(o.starts[0], 0);
        assert_eq!(o.starts[SHARDS] as usize, hashes.len());
        for s in 0..SHARDS {
            let group = &o.order[o.starts[s] as usize..o.starts[s + 1] as usize];
            assert!(group.windows(2).all(|w| w[0] < w[1]));
            assert!(group.iter().all(|&i| shard_of(hashes[i as usize]) == s));
        }
        let shards: Shards<u32> = Shards::default();
        for (i, &h) in hashes.iter().enumerate() {
            shards
                .shard(h)
                .insert_unique(h, i as u32, |&j| hashes[j as usize]);
        }
        let mut seen = vec![0; hashes.len()];
        shards.each_in(&o, |t, i| {
            assert_eq!(t.find(hashes[i], |&j| j as usize == i), Some(&(i as u32)));
            seen[i] += 1;
        });
        assert!(seen.iter().all(|&n| n == 1));
        let empty = ShardOrder::new(0, |_| 0);
        shards.each_in(&empty, |_, _| panic!("no index"));
    }

    /// Interned by parts, found by `Evr`, and the same ids read back from
    /// the values (a pool read from its snapshot).
    #[test]
    fn evr_table_interns_once_and_reads_back() {
        let mut t = EvrTable::default();
        let parts: [(u32, &str, Option<&str>); 4] = [
            (0, "1", Some("2")),
            (0, "1.2", None),
            (0, "1", Some("2")),
            (3, "1", Some("2")),
        ];
        let ids: Vec<EvrId> = parts
            .iter()
            .map(|&(e, v, r)| t.intern(evr_hash(e, v, r), e, v, r))
            .collect();
        assert_eq!(ids[0], ids[2]);
        assert_eq!(t.len(), 3);
        for (i, &(e, v, r)) in parts.iter().enumerate() {
            let evr = Evr {
                epoch: e,
                version: v.into(),
                release: r.map(str::to_string),
            };
            assert_eq!(t.get(&evr), Some(ids[i]));
            assert_eq!(t[ids[i].to_usize()], evr);
        }
        let back = EvrTable::from_values(t.values().clone());
        for v in t.values() {
            assert_eq!(back.get(v), t.get(v));
        }
        assert_eq!(back.get(&Evr::new(0, "1", Some("3"))), None);
    }
}
