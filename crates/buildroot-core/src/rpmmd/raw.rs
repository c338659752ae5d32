//! The parsed form of a chunk of primary.xml: one text buffer and
//! fixed-size records, no allocation per package or dependency. The pool
//! interns straight from it; owned [`Package`] values are built from it
//! only for callers that ask for them ([`RawChunk::to_packages`]).
//!
//! A chunk also interns its own strings, EVRs and simple dependencies
//! while it is parsed (on the parsing thread): every one is kept once, with
//! its hash, and records name them by chunk-local index. Still on the
//! parsing thread, the pool being built fills in the ids of the values it
//! already has (`pool_id`, see [`super::RepoSink::on_parsed`]); the pool,
//! which must intern in file order on one thread, then maps only the
//! others, each once per chunk instead of hashing every occurrence
//! (libsolv's repo readers intern into the pool directly; the ids come out
//! the same, because the pool maps a chunk's values lazily, in its order).

use std::hash::{Hash, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxHasher;

use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::Evr;
use crate::package::{Package, Requirement};

/// A string in [`RawChunk::text`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawText {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

impl RawText {
    /// Its text in `text` (a chunk's buffer).
    #[inline]
    pub(crate) fn of(self, text: &str) -> &str {
        &text[self.start as usize..(self.start + self.len) as usize]
    }
}

/// The dependency lists of a package, in [`RawPkg::lists`] order.
pub(crate) const PROVIDES: usize = 0;
pub(crate) const REQUIRES: usize = 1;
pub(crate) const CONFLICTS: usize = 2;
pub(crate) const OBSOLETES: usize = 3;
pub(crate) const RECOMMENDS: usize = 4;
pub(crate) const SUGGESTS: usize = 5;
pub(crate) const SUPPLEMENTS: usize = 6;
pub(crate) const ENHANCES: usize = 7;

/// The hash of a string, as chunks and the pool's string table compute it
/// (the pool reuses a chunk's hashes).
#[inline]
pub(crate) fn str_hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

/// The hash of an EVR given by parts, as chunks and the pool's EVR lookup
/// compute it.
#[inline]
pub(crate) fn evr_hash(epoch: u32, ver: &str, rel: Option<&str>) -> u64 {
    let mut h = FxHasher::default();
    (epoch, ver, rel).hash(&mut h);
    h.finish()
}

/// A distinct string of a chunk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalStr {
    pub text: RawText,
    pub hash: u64,
    /// Its id in the pool being built, when the pool knew it as the chunk
    /// was parsed (see [`super::RepoSink::on_parsed`]).
    pub pool_id: Option<u32>,
}

/// A distinct EVR of a chunk (release None when absent or empty, as
/// [`Evr::new`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalEvr {
    pub hash: u64,
    pub epoch: u32,
    pub ver: RawText,
    pub rel: Option<RawText>,
    /// Its id in the pool being built, if known when parsed.
    pub pool_id: Option<u32>,
}

impl LocalNode {
    /// Its hash in the chunk's lookup ([`node_key_hash`]).
    #[inline]
    fn key_hash(&self) -> u64 {
        node_key_hash(self.name, self.range)
    }
}

/// A distinct simple dependency of a chunk: a name (a [`RawChunk::strs`]
/// index) and maybe a comparison with an EVR (a [`RawChunk::evrs`] index).
#[derive(Clone, Copy, Debug)]
pub(crate) struct LocalNode {
    pub name: u32,
    pub range: Option<(Cmp, u32)>,
    /// Its id in the pool being built, if known when parsed.
    pub pool_id: Option<u32>,
}

/// One package of a chunk. Names, arches and EVRs are chunk-local indexes.
#[derive(Clone, Debug, Default)]
pub struct RawPkg {
    pub(crate) name: u32,
    pub(crate) arch: u32,
    /// The source package's name: the package's own for a source, else
    /// from its sourcerpm (its own when that has no name).
    pub(crate) srcname: u32,
    pub(crate) evr: u32,
    pub(crate) sourcerpm: RawText,
    pub(crate) summary: RawText,
    pub(crate) location: RawText,
    pub(crate) checksum: Option<RawText>,
    pub(crate) size: u64,
    /// `<time file>` (0: none).
    pub(crate) time_file: u64,
    /// List `k`'s entries are `entries[lists[k]..lists[k + 1]]`.
    pub(crate) lists: [u32; ENHANCES + 2],
    /// Its files: `files[files.0..files.1]`.
    pub(crate) files: (u32, u32),
}

/// What one `rpm:entry` names.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawDep {
    /// A simple dependency: a [`RawChunk::nodes`] index.
    Simple(u32),
    /// A rich dependency: a [`RawChunk::rich`] index.
    Rich(u32),
}

/// One `rpm:entry`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawEntry {
    pub dep: RawDep,
    pub pre: bool,
}

/// The packages of one chunk of primary.xml.
#[derive(Clone, Debug, Default)]
pub struct RawChunk {
    pub(crate) text: String,
    pub(crate) pkgs: Vec<RawPkg>,
    pub(crate) entries: Vec<RawEntry>,
    pub(crate) files: Vec<RawText>,
    /// Rich dependencies, parsed.
    pub(crate) rich: Vec<Dep>,
    /// The chunk's distinct strings, EVRs and simple dependencies.
    pub(crate) strs: Vec<LocalStr>,
    pub(crate) evrs: Vec<LocalEvr>,
    pub(crate) nodes: Vec<LocalNode>,
    /// The `packages` count of `<metadata>`, in the chunk that opens it.
    pub(crate) declared: Option<usize>,
    /// Lookups into `strs`, `evrs` and `nodes` while the chunk is filled.
    pub(crate) index: Index,
    /// The parser's scratch: the list of each entry of the package being
    /// read.
    pub(crate) entry_lists: Vec<u8>,
}

/// Appends `item` to `items` and its index to `index` (by `hash_of`).
fn add_indexed<T>(
    items: &mut Vec<T>,
    index: &mut HashTable<u32>,
    item: T,
    hash_of: impl Fn(&T) -> u64,
) -> u32 {
    let (i, hash) = (items.len() as u32, hash_of(&item));
    items.push(item);
    index.insert_unique(hash, i, |&j| hash_of(&items[j as usize]));
    i
}

/// The lookups of a chunk being filled (dropped by [`RawChunk::seal`]).
/// Each holds indexes into the chunk's values, which it compares.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    strs: HashTable<u32>,
    evrs: HashTable<u32>,
    nodes: HashTable<u32>,
}

/// The hash of a simple dependency in a chunk's lookup: its name's and
/// EVR's chunk indexes and its comparison, two rounds of [`FxHasher`]
/// where hashing the tuple field by field (a derived `Hash` of
/// `(u32, Option<(Cmp, u32)>)`: discriminants and all) took five.
#[inline]
fn node_key_hash(name: u32, range: Option<(Cmp, u32)>) -> u64 {
    // Three bits hold the comparison (seven kinds); 0 is no range. Keys
    // that shared a hash would still be told apart by the compare.
    let range = match range {
        None => 0,
        Some((cmp, evr)) => ((evr as u64) << 3 | cmp as u64) + 1,
    };
    let mut h = FxHasher::default();
    h.write_u32(name);
    h.write_u64(range);
    h.finish()
}

impl RawChunk {
    /// Number of packages.
    pub fn len(&self) -> usize {
        self.pkgs.len()
    }

    /// Whether the chunk has no packages.
    pub fn is_empty(&self) -> bool {
        self.pkgs.is_empty()
    }

    /// Room for this many distinct strings, EVRs and simple dependencies.
    pub(crate) fn reserve_distinct(&mut self, strs: usize, evrs: usize, nodes: usize) {
        self.strs.reserve(strs);
        self.evrs.reserve(evrs);
        self.nodes.reserve(nodes);
        let (all_strs, all_evrs) = (&self.strs, &self.evrs);
        self.index
            .strs
            .reserve(strs, |&i| all_strs[i as usize].hash);
        self.index
            .evrs
            .reserve(evrs, |&i| all_evrs[i as usize].hash);
        let all_nodes = &self.nodes;
        self.index
            .nodes
            .reserve(nodes, |&i| all_nodes[i as usize].key_hash());
    }

    /// Drops what only filling the chunk needs.
    pub(crate) fn seal(&mut self) {
        self.index = Index::default();
        self.entry_lists = Vec::new();
    }

    /// Appends `s` to the text buffer.
    pub(crate) fn push_text(&mut self, s: &str) -> RawText {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        RawText {
            start,
            len: s.len() as u32,
        }
    }

    /// The text since `start` (after appending to `text` directly).
    pub(crate) fn text_since(&self, start: usize) -> RawText {
        RawText {
            start: start as u32,
            len: (self.text.len() - start) as u32,
        }
    }

    /// The text of a [`RawText`].
    #[inline]
    pub(crate) fn str(&self, t: RawText) -> &str {
        t.of(&self.text)
    }

    /// The index of string `s` among the chunk's strings, added if new.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        let hash = str_hash(s);
        if let Some(i) = self.find_str(hash, s) {
            return i;
        }
        let text = self.push_text(s);
        self.add_str(hash, text)
    }

    /// [`RawChunk::intern`] of the text appended since `start`: the text
    /// stays when it is new and is taken back when the chunk has it.
    pub(crate) fn intern_since(&mut self, start: usize) -> u32 {
        let text = self.text_since(start);
        let hash = str_hash(self.str(text));
        if let Some(i) = self.find_str(hash, self.str(text)) {
            self.text.truncate(start);
            return i;
        }
        self.add_str(hash, text)
    }

    /// [`RawChunk::intern`] of text already in the buffer (kept in place).
    pub(crate) fn intern_text(&mut self, text: RawText) -> u32 {
        let hash = str_hash(self.str(text));
        match self.find_str(hash, self.str(text)) {
            Some(i) => i,
            None => self.add_str(hash, text),
        }
    }

    fn find_str(&self, hash: u64, s: &str) -> Option<u32> {
        let (strs, text) = (&self.strs, &self.text);
        self.index
            .strs
            .find(hash, |&i| strs[i as usize].text.of(text) == s)
            .copied()
    }

    fn add_str(&mut self, hash: u64, text: RawText) -> u32 {
        let s = LocalStr {
            text,
            hash,
            pool_id: None,
        };
        add_indexed(&mut self.strs, &mut self.index.strs, s, |s| s.hash)
    }

    /// The index of an EVR among the chunk's EVRs, added if new (an empty
    /// release is no release, as [`Evr::new`]).
    pub(crate) fn intern_evr(&mut self, epoch: u32, ver: &str, rel: Option<&str>) -> u32 {
        let rel = rel.filter(|r| !r.is_empty());
        let hash = evr_hash(epoch, ver, rel);
        let (evrs, text) = (&self.evrs, &self.text);
        let found = self.index.evrs.find(hash, |&i| {
            let e = &evrs[i as usize];
            e.epoch == epoch && e.ver.of(text) == ver && e.rel.map(|r| r.of(text)) == rel
        });
        if let Some(&i) = found {
            return i;
        }
        let e = LocalEvr {
            hash,
            epoch,
            ver: self.push_text(ver),
            rel: rel.map(|r| self.push_text(r)),
            pool_id: None,
        };
        add_indexed(&mut self.evrs, &mut self.index.evrs, e, |e| e.hash)
    }

    /// The entry of a simple dependency: `name`, maybe compared with an
    /// EVR (epoch, version, release).
    pub(crate) fn simple_entry(
        &mut self,
        name: &str,
        range: Option<(Cmp, u32, &str, Option<&str>)>,
        pre: bool,
    ) -> RawEntry {
        let name = self.intern(name);
        let range = range.map(|(cmp, e, v, r)| (cmp, self.intern_evr(e, v, r)));
        let hash = node_key_hash(name, range);
        let nodes = &self.nodes;
        let found = self.index.nodes.find(hash, |&j| {
            let n = &nodes[j as usize];
            n.name == name && n.range == range
        });
        let i = match found {
            Some(&i) => i,
            None => {
                let n = LocalNode {
                    name,
                    range,
                    pool_id: None,
                };
                add_indexed(
                    &mut self.nodes,
                    &mut self.index.nodes,
                    n,
                    LocalNode::key_hash,
                )
            }
        };
        RawEntry {
            dep: RawDep::Simple(i),
            pre,
        }
    }

    /// The entry of a rich dependency.
    pub(crate) fn rich_entry(&mut self, dep: Dep, pre: bool) -> RawEntry {
        self.rich.push(dep);
        RawEntry {
            dep: RawDep::Rich(self.rich.len() as u32 - 1),
            pre,
        }
    }

    /// The text of chunk string `i`.
    #[inline]
    pub(crate) fn local_str(&self, i: u32) -> &str {
        self.str(self.strs[i as usize].text)
    }

    /// A package's name.
    pub(crate) fn name(&self, p: &RawPkg) -> &str {
        self.local_str(p.name)
    }

    /// A package's arch.
    pub(crate) fn arch(&self, p: &RawPkg) -> &str {
        self.local_str(p.arch)
    }

    /// List `k` of package `p`.
    #[inline]
    pub(crate) fn list(&self, p: &RawPkg, k: usize) -> &[RawEntry] {
        &self.entries[p.lists[k] as usize..p.lists[k + 1] as usize]
    }

    /// Lists `k` to the last ([`ENHANCES`]) of package `p`, as one slice.
    #[inline]
    pub(crate) fn lists_from(&self, p: &RawPkg, k: usize) -> &[RawEntry] {
        &self.entries[p.lists[k] as usize..p.lists[ENHANCES + 1] as usize]
    }

    /// The files of package `p`.
    pub(crate) fn files_of(&self, p: &RawPkg) -> impl Iterator<Item = &str> + '_ {
        self.files[p.files.0 as usize..p.files.1 as usize]
            .iter()
            .map(|&f| self.str(f))
    }

    /// Chunk EVR `i`.
    pub(crate) fn local_evr(&self, i: u32) -> Evr {
        let e = &self.evrs[i as usize];
        Evr {
            epoch: e.epoch,
            version: self.str(e.ver).to_string(),
            release: e.rel.map(|r| self.str(r).to_string()),
        }
    }

    /// A package's EVR.
    pub(crate) fn evr(&self, p: &RawPkg) -> Evr {
        self.local_evr(p.evr)
    }

    /// Chunk node `i` as a [`SimpleDep`].
    fn simple(&self, i: u32) -> SimpleDep {
        let n = &self.nodes[i as usize];
        SimpleDep {
            name: self.local_str(n.name).to_string(),
            range: n.range.map(|(cmp, e)| Range {
                cmp,
                evr: self.local_evr(e),
            }),
        }
    }

    /// An entry as a [`Dep`].
    pub(crate) fn dep(&self, e: &RawEntry) -> Dep {
        match e.dep {
            RawDep::Rich(i) => self.rich[i as usize].clone(),
            RawDep::Simple(i) => Dep::Simple(self.simple(i)),
        }
    }

    /// An entry of provides or obsoletes as [`Package`] holds it: a rich
    /// dependency as its text.
    fn simple_of(&self, e: &RawEntry) -> SimpleDep {
        match e.dep {
            RawDep::Simple(i) => self.simple(i),
            RawDep::Rich(i) => match &self.rich[i as usize] {
                // `(a >= 2)`: libsolv reads a simple dependency.
                Dep::Simple(s) => s.clone(),
                rich => SimpleDep::name(rich.to_string()),
            },
        }
    }

    /// The chunk's packages as owned values.
    pub fn to_packages(&self) -> Vec<Package> {
        self.pkgs
            .iter()
            .map(|p| {
                let deps = |k| self.list(p, k).iter().map(|e| self.dep(e)).collect();
                let simple = |k| self.list(p, k).iter().map(|e| self.simple_of(e)).collect();
                Package {
                    name: self.name(p).to_string(),
                    arch: self.arch(p).to_string(),
                    evr: self.evr(p),
                    sourcerpm: self.str(p.sourcerpm).to_string(),
                    summary: self.str(p.summary).to_string(),
                    provides: simple(PROVIDES),
                    requires: self
                        .list(p, REQUIRES)
                        .iter()
                        .map(|e| Requirement {
                            dep: self.dep(e),
                            pre: e.pre,
                        })
                        .collect(),
                    conflicts: deps(CONFLICTS),
                    obsoletes: simple(OBSOLETES),
                    recommends: deps(RECOMMENDS),
                    suggests: deps(SUGGESTS),
                    supplements: deps(SUPPLEMENTS),
                    enhances: deps(ENHANCES),
                    files: self.files_of(p).map(str::to_string).collect(),
                    location: self.str(p.location).to_string(),
                    checksum: p.checksum.map(|c| self.str(c).to_string()),
                    size: p.size,
                    time_file: p.time_file,
                    details: None,
                }
            })
            .collect()
    }

    /// The source name of a package whose name, arch and sourcerpm are set.
    pub(crate) fn set_srcname(&mut self, p: &mut RawPkg) {
        let arch = self.local_str(p.arch);
        p.srcname = p.name;
        if arch != "src" && arch != "nosrc" {
            let rpm = self.str(p.sourcerpm);
            if let Some(src) = crate::package::source_name_of(rpm) {
                // A prefix of the sourcerpm's text: interned in place.
                let text = RawText {
                    start: p.sourcerpm.start,
                    len: src.len() as u32,
                };
                p.srcname = self.intern_text(text);
            }
        }
    }

    /// The chunk form of owned packages (for pools built from them).
    pub fn from_packages(pkgs: &[Package]) -> RawChunk {
        let mut c = RawChunk::default();
        for p in pkgs {
            let mut r = RawPkg {
                name: c.intern(&p.name),
                arch: c.intern(&p.arch),
                evr: c.intern_evr(p.evr.epoch, &p.evr.version, p.evr.release.as_deref()),
                sourcerpm: c.push_text(&p.sourcerpm),
                summary: c.push_text(&p.summary),
                location: c.push_text(&p.location),
                checksum: p.checksum.as_deref().map(|x| c.push_text(x)),
                size: p.size,
                time_file: p.time_file,
                ..Default::default()
            };
            c.set_srcname(&mut r);
            let simple = |c: &mut RawChunk, d: &SimpleDep, pre: bool| {
                // A rich dependency held as its text: a rich provide or
                // obsolete read from rpm-md is one, and is read again; one
                // no parser reads, kept to be listed as createrepo_c lists
                // it (`srpm/deps.rs`), is left out, as libsolv leaves it
                // out as it reads the repo, from any list.
                if d.range.is_none() && d.name.starts_with('(') {
                    if let Ok(dep) = Dep::parse_stored_rich(&d.name) {
                        let e = c.rich_entry(dep, pre);
                        c.entries.push(e);
                    }
                    return;
                }
                let range = d.range.as_ref().map(|r| {
                    let e = &r.evr;
                    (r.cmp, e.epoch, e.version.as_str(), e.release.as_deref())
                });
                let e = c.simple_entry(&d.name, range, pre);
                c.entries.push(e);
            };
            let dep = |c: &mut RawChunk, d: &Dep, pre: bool| match d {
                Dep::Simple(s) => simple(c, s, pre),
                rich => {
                    let e = c.rich_entry(rich.clone(), pre);
                    c.entries.push(e);
                }
            };
            r.lists[PROVIDES] = c.entries.len() as u32;
            p.provides.iter().for_each(|d| simple(&mut c, d, false));
            r.lists[REQUIRES] = c.entries.len() as u32;
            p.requires.iter().for_each(|d| dep(&mut c, &d.dep, d.pre));
            r.lists[CONFLICTS] = c.entries.len() as u32;
            p.conflicts.iter().for_each(|d| dep(&mut c, d, false));
            r.lists[OBSOLETES] = c.entries.len() as u32;
            p.obsoletes.iter().for_each(|d| simple(&mut c, d, false));
            r.lists[RECOMMENDS] = c.entries.len() as u32;
            for (k, l) in [&p.recommends, &p.suggests, &p.supplements, &p.enhances]
                .into_iter()
                .enumerate()
            {
                l.iter().for_each(|d| dep(&mut c, d, false));
                r.lists[RECOMMENDS + 1 + k] = c.entries.len() as u32;
            }
            let fstart = c.files.len() as u32;
            for f in &p.files {
                let t = c.push_text(f);
                c.files.push(t);
            }
            r.files = (fstart, c.files.len() as u32);
            c.pkgs.push(r);
        }
        c.seal();
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk keeps each simple dependency once: the same name, comparison
    /// and EVR give the same entry; any part different, another.
    #[test]
    fn simple_entries_are_kept_once() {
        let mut c = RawChunk::default();
        let mut dep = |name: &str, range: Option<(Cmp, u32, &str, Option<&str>)>| match c
            .simple_entry(name, range, false)
            .dep
        {
            RawDep::Simple(i) => i,
            RawDep::Rich(_) => unreachable!(),
        };
        let a = dep("a", None);
        let a_ge1 = dep("a", Some((Cmp::Ge, 0, "1", None)));
        let a_eq1 = dep("a", Some((Cmp::Eq, 0, "1", None)));
        let a_ge1_1 = dep("a", Some((Cmp::Ge, 0, "1", Some("1"))));
        let b = dep("b", None);
        let b_ge1 = dep("b", Some((Cmp::Ge, 0, "1", None)));
        let all = [a, a_ge1, a_eq1, a_ge1_1, b, b_ge1];
        for (i, x) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|y| y != x), "{all:?}");
        }
        assert_eq!(dep("a", None), a);
        assert_eq!(dep("a", Some((Cmp::Ge, 0, "1", None))), a_ge1);
        // An empty release is no release.
        assert_eq!(dep("a", Some((Cmp::Ge, 0, "1", Some("")))), a_ge1);
        assert_eq!(dep("b", Some((Cmp::Ge, 0, "1", None))), b_ge1);
        assert_eq!(c.nodes.len(), all.len());
    }
}
