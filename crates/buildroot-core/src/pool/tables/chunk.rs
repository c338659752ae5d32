//! A chunk of primary.xml and the pool's tables while the pool is built:
//! on the chunk's parsing thread, the pool ids of the values the pool has
//! already ([`Tables::hook`]); on the builder's thread, [`ChunkIds`] maps the
//! others the first time a package of the chunk uses each, in the order
//! the packages name them (libsolv's `repo_add_rpmmd` interns as it reads;
//! the ids come out the same).

use std::sync::Arc;

use super::{node_hash, EvrKey, ShardOrder, Shards, Tables};
use crate::pool::{DepId, DepInterner, DepNode, EvrId, Prov, RelFlags, StrId};
use crate::rpmmd::raw::RawChunk;
use crate::rpmmd::ChunkHook;

impl Tables {
    /// What the parsing threads do on each chunk: [`chunk_parsed`] (None
    /// once the tables are frozen).
    pub(in crate::pool) fn hook(&self) -> Option<ChunkHook> {
        let l = Lookups {
            strs: self.strs.lookup.shared()?,
            evrs: self.evrs.lookup.shared()?,
            nodes: self.nodes.lookup.shared()?,
        };
        Some(Arc::new(move |c: &mut RawChunk| chunk_parsed(&l, c)))
    }
}

/// The lookups the parsing threads read.
struct Lookups {
    strs: Arc<Shards<(Arc<str>, StrId)>>,
    evrs: Arc<Shards<(EvrKey, EvrId)>>,
    nodes: Arc<Shards<(DepNode, DepId)>>,
}

/// On a parsing thread: the pool ids of the chunk's strings, EVRs and
/// simple dependencies that the pool has already (most of them, past the
/// first chunks), so that the builder looks up only the others. Each
/// table's values are looked up shard by shard ([`Shards::each_in`]).
fn chunk_parsed(l: &Lookups, c: &mut RawChunk) {
    let RawChunk {
        text,
        strs,
        evrs,
        nodes,
        ..
    } = c;
    let order = ShardOrder::new(strs.len(), |i| strs[i].hash);
    l.strs.each_in(&order, |t, i| {
        let ls = &mut strs[i];
        let s = ls.text.of(text);
        ls.pool_id = t
            .find(ls.hash, |(v, _)| &**v == s)
            .map(|&(_, id)| id.to_usize() as u32);
    });
    let order = ShardOrder::new(evrs.len(), |i| evrs[i].hash);
    l.evrs.each_in(&order, |t, i| {
        let e = &mut evrs[i];
        let (ver, rel) = (e.ver.of(text), e.rel.map(|r| r.of(text)));
        e.pool_id = t
            .find(e.hash, |(k, _)| k.is(e.epoch, ver, rel))
            .map(|&(_, id)| id.to_usize() as u32);
    });
    // The nodes whose name and EVR the pool has, as pool nodes.
    let keys: Vec<(u64, DepNode, u32)> = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let name = StrId::from_usize(strs[n.name as usize].pool_id? as usize);
            let node = match n.range {
                None => DepNode::Simple {
                    name,
                    flags: RelFlags::ANY,
                    evr: EvrId::default(),
                },
                Some((cmp, e)) => DepNode::Simple {
                    name,
                    flags: RelFlags::of_cmp(cmp),
                    evr: EvrId::from_usize(evrs[e as usize].pool_id? as usize),
                },
            };
            Some((node_hash(&node), node, i as u32))
        })
        .collect();
    let order = ShardOrder::new(keys.len(), |i| keys[i].0);
    l.nodes.each_in(&order, |t, k| {
        let (hash, node, i) = keys[k];
        nodes[i as usize].pool_id = t
            .find(hash, |(x, _)| *x == node)
            .map(|&(_, id)| id.to_usize() as u32);
    });
}

/// The pool ids of a chunk's strings, EVRs and simple dependencies, found
/// the first time the chunk uses each (None: not yet).
#[derive(Default)]
pub(in crate::pool) struct ChunkIds {
    strs: Vec<Option<StrId>>,
    evrs: Vec<Option<EvrId>>,
    nodes: Vec<Option<DepId>>,
}

impl ChunkIds {
    pub(in crate::pool) fn reset(&mut self, c: &RawChunk) {
        self.strs.clear();
        self.strs.extend(
            c.strs
                .iter()
                .map(|s| s.pool_id.map(|i| StrId::from_usize(i as usize))),
        );
        self.evrs.clear();
        self.evrs.extend(
            c.evrs
                .iter()
                .map(|e| e.pool_id.map(|i| EvrId::from_usize(i as usize))),
        );
        self.nodes.clear();
        self.nodes.extend(
            c.nodes
                .iter()
                .map(|n| n.pool_id.map(|i| DepId::from_usize(i as usize))),
        );
    }

    /// The pool id of chunk string `i`.
    #[inline]
    pub(in crate::pool) fn str(&mut self, t: &mut Tables, c: &RawChunk, i: u32) -> StrId {
        if let Some(id) = self.strs[i as usize] {
            return id;
        }
        let ls = &c.strs[i as usize];
        let id = t.strs.intern(ls.hash, c.str(ls.text));
        self.strs[i as usize] = Some(id);
        id
    }

    /// The pool id of chunk EVR `i`.
    #[inline]
    pub(in crate::pool) fn evr(&mut self, t: &mut Tables, c: &RawChunk, i: u32) -> EvrId {
        if let Some(id) = self.evrs[i as usize] {
            return id;
        }
        let e = &c.evrs[i as usize];
        let id = t
            .evrs
            .intern(e.hash, e.epoch, c.str(e.ver), e.rel.map(|r| c.str(r)));
        self.evrs[i as usize] = Some(id);
        id
    }

    /// The provide of chunk node `i`.
    #[inline]
    pub(in crate::pool) fn prov(&mut self, t: &mut Tables, c: &RawChunk, i: u32) -> Prov {
        let n = c.nodes[i as usize];
        let name = self.str(t, c, n.name);
        match n.range {
            None => Prov {
                name,
                flags: RelFlags::ANY,
                evr: EvrId::default(),
            },
            Some((cmp, e)) => Prov {
                name,
                flags: RelFlags::of_cmp(cmp),
                evr: self.evr(t, c, e),
            },
        }
    }

    /// The dependency id of chunk node `i`.
    #[inline]
    pub(in crate::pool) fn node(&mut self, t: &mut Tables, c: &RawChunk, i: u32) -> DepId {
        if let Some(id) = self.nodes[i as usize] {
            return id;
        }
        let p = self.prov(t, c, i);
        let id = t.intern_node(DepNode::Simple {
            name: p.name,
            flags: p.flags,
            evr: p.evr,
        });
        self.nodes[i as usize] = Some(id);
        id
    }
}
