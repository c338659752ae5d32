//! A built pool as bytes, and back: what the parsed-repo cache (`cache.rs`)
//! stores, as dnf keeps each repo's parsed metadata in libsolv's `.solv`
//! files (`repo_write`, `repo_add_solv`) so that a second run reads no XML.
//!
//! Every table is written as it is, in id order, so the pool read back has
//! the same ids (and so the same answers) as the one written; the lookups
//! by hash are rebuilt from the tables. Integers are little-endian,
//! lengths `u32`. The bytes carry no version or checksum of their own: the
//! cache file's header does.

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use super::deps::{DepNode, Prov};
use super::tables::{EvrTable, NodeTable, StrTable};
use super::{
    Cold, DepId, EvrId, PkgData, PkgId, Pool, RelFlags, RepoInfo, SolvableId, Span, StrId, Text,
};
use crate::arch::ArchPolicy;
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::Evr;

/// A value the snapshot can hold.
pub(super) trait Code: Sized {
    /// Appends the value to `w`.
    fn put(&self, w: &mut Writer<'_>);
    /// The next value of `r`; None when the bytes do not hold one.
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

/// Where snapshot bytes go: a buffer handed to `out` a block at a time, so
/// that a pool of any size is written through one small buffer.
pub(super) struct Writer<'a> {
    buf: Vec<u8>,
    out: &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    err: Option<std::io::Error>,
}

/// The size of the blocks a [`Writer`] hands over.
const BLOCK: usize = 1 << 20;

impl<'a> Writer<'a> {
    fn new(out: &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Self {
        Writer {
            buf: Vec::with_capacity(BLOCK + 64),
            out,
            err: None,
        }
    }

    #[inline]
    fn bytes(&mut self, b: &[u8]) {
        if b.len() >= BLOCK {
            // A text arena: straight through, not copied.
            self.flush();
            self.send(b);
            return;
        }
        self.buf.extend_from_slice(b);
        if self.buf.len() >= BLOCK {
            self.flush();
        }
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        self.bytes(&[b]);
    }

    /// Ends the write with `e` (unless it has failed already).
    fn fail(&mut self, e: std::io::Error) {
        self.err.get_or_insert(e);
    }

    fn send(&mut self, b: &[u8]) {
        if self.err.is_none() {
            self.err = (self.out)(b).err();
        }
    }

    fn flush(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.send(&buf);
        self.buf = buf;
        self.buf.clear();
    }

    /// Hands over what is left; the first error of `out`, if any.
    fn finish(mut self) -> std::io::Result<()> {
        self.flush();
        self.err.map_or(Ok(()), Err)
    }
}

/// A cursor over snapshot bytes.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).map(|b| b.try_into().expect("N bytes"))
    }

    /// Whether every byte was read.
    pub(super) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

macro_rules! int_code {
    ($($t:ty),*) => {$(
        impl Code for $t {
            #[inline]
            fn put(&self, w: &mut Writer<'_>) {
                w.bytes(&self.to_le_bytes());
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                r.array().map(<$t>::from_le_bytes)
            }
        }
    )*};
}
int_code!(u8, u16, u32, u64, i32);

macro_rules! id_code {
    ($($t:ty),*) => {$(
        impl Code for $t {
            #[inline]
            fn put(&self, w: &mut Writer<'_>) {
                (self.to_usize() as u32).put(w);
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                u32::get(r).map(|i| <$t>::from_usize(i as usize))
            }
        }
    )*};
}
id_code!(StrId, EvrId, DepId, SolvableId, PkgId);

impl Code for bool {
    fn put(&self, w: &mut Writer<'_>) {
        w.byte(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match u8::get(r)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Code for usize {
    fn put(&self, w: &mut Writer<'_>) {
        (*self as u64).put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        u64::get(r).and_then(|n| usize::try_from(n).ok())
    }
}

/// A length, which no more than the bytes left can back (so a corrupt one
/// cannot ask for a huge allocation).
fn len(r: &mut Reader<'_>) -> Option<usize> {
    let n = u32::get(r)? as usize;
    (n <= r.buf.len()).then_some(n)
}

fn put_len(n: usize, w: &mut Writer<'_>) {
    match u32::try_from(n) {
        Ok(n) => n.put(w),
        // Only a cache file is lost: the write ends with this error.
        Err(_) => w.fail(std::io::Error::other(format!(
            "{n} entries do not fit a length"
        ))),
    }
}

impl Code for String {
    fn put(&self, w: &mut Writer<'_>) {
        put_len(self.len(), w);
        w.bytes(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = len(r)?;
        std::str::from_utf8(r.take(n)?).ok().map(str::to_string)
    }
}

impl Code for Arc<str> {
    fn put(&self, w: &mut Writer<'_>) {
        put_len(self.len(), w);
        w.bytes(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = len(r)?;
        std::str::from_utf8(r.take(n)?).ok().map(Arc::from)
    }
}

impl<T: Code> Code for Option<T> {
    fn put(&self, w: &mut Writer<'_>) {
        match self {
            None => w.byte(0),
            Some(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match u8::get(r)? {
            0 => Some(None),
            1 => T::get(r).map(Some),
            _ => None,
        }
    }
}

impl<T: Code> Code for Vec<T> {
    fn put(&self, w: &mut Writer<'_>) {
        put_len(self.len(), w);
        self.iter().for_each(|v| v.put(w));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = len(r)?;
        // Not `collect()`: through `Option` it cannot size the vector first.
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Some(v)
    }
}

impl<T: Code> Code for Box<T> {
    fn put(&self, w: &mut Writer<'_>) {
        (**self).put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        T::get(r).map(Box::new)
    }
}

impl<A: Code, B: Code> Code for (A, B) {
    fn put(&self, w: &mut Writer<'_>) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::get(r)?, B::get(r)?))
    }
}

/// A map as its entries sorted by key (the bytes do not depend on the
/// map's iteration order).
impl<V: Code> Code for FxHashMap<StrId, V> {
    fn put(&self, w: &mut Writer<'_>) {
        let mut entries: Vec<(&StrId, &V)> = self.iter().collect();
        entries.sort_unstable_by_key(|e| e.0);
        put_len(entries.len(), w);
        for (k, v) in entries {
            k.put(w);
            v.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Vec::<(StrId, V)>::get(r).map(|e| e.into_iter().collect())
    }
}

/// Declares [`Code`] for a struct as its fields in order.
macro_rules! struct_code {
    ($t:ident { $($f:ident),* }) => {
        impl Code for $t {
            fn put(&self, w: &mut Writer<'_>) {
                $(self.$f.put(w);)*
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                Some($t { $($f: Code::get(r)?),* })
            }
        }
    };
}
struct_code!(Span { start, len });
struct_code!(Text { start, len });
struct_code!(Prov { name, flags, evr });
struct_code!(Evr {
    epoch,
    version,
    release
});
struct_code!(Range { cmp, evr });
struct_code!(SimpleDep { name, range });
struct_code!(RepoInfo {
    id,
    baseurl,
    priority,
    subpriority
});
struct_code!(Cold {
    sourcerpm,
    summary,
    location,
    checksum,
    size,
    files,
    raw_provides
});
struct_code!(PkgData {
    name,
    srcname,
    arch,
    evr,
    repo,
    source,
    disabled,
    multiversion,
    score,
    color,
    provides,
    requires,
    conflicts,
    obsoletes,
    recommends,
    suggests,
    supplements,
    enhances
});

impl Code for RelFlags {
    fn put(&self, w: &mut Writer<'_>) {
        self.bits().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        u8::get(r).and_then(RelFlags::from_bits)
    }
}

impl Code for Cmp {
    fn put(&self, w: &mut Writer<'_>) {
        let b: u8 = match self {
            Cmp::Lt => 0,
            Cmp::Le => 1,
            Cmp::Eq => 2,
            Cmp::Ge => 3,
            Cmp::Gt => 4,
        };
        b.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match u8::get(r)? {
            0 => Cmp::Lt,
            1 => Cmp::Le,
            2 => Cmp::Eq,
            3 => Cmp::Ge,
            4 => Cmp::Gt,
            _ => return None,
        })
    }
}

impl Code for DepNode {
    fn put(&self, w: &mut Writer<'_>) {
        let (tag, ids): (u8, &[DepId]) = match self {
            DepNode::Simple { name, flags, evr } => {
                w.byte(0);
                name.put(w);
                flags.put(w);
                evr.put(w);
                return;
            }
            DepNode::And(a, b) => (1, &[*a, *b]),
            DepNode::Or(a, b) => (2, &[*a, *b]),
            DepNode::With(a, b) => (3, &[*a, *b]),
            DepNode::Without(a, b) => (4, &[*a, *b]),
            DepNode::Cond(a, b) => (5, &[*a, *b]),
            DepNode::CondElse(a, b, c) => (6, &[*a, *b, *c]),
            DepNode::Unless(a, b) => (7, &[*a, *b]),
            DepNode::UnlessElse(a, b, c) => (8, &[*a, *b, *c]),
        };
        w.byte(tag);
        ids.iter().for_each(|i| i.put(w));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let tag = u8::get(r)?;
        if tag == 0 {
            return Some(DepNode::Simple {
                name: Code::get(r)?,
                flags: Code::get(r)?,
                evr: Code::get(r)?,
            });
        }
        let (a, b) = (DepId::get(r)?, DepId::get(r)?);
        Some(match tag {
            1 => DepNode::And(a, b),
            2 => DepNode::Or(a, b),
            3 => DepNode::With(a, b),
            4 => DepNode::Without(a, b),
            5 => DepNode::Cond(a, b),
            6 => DepNode::CondElse(a, b, DepId::get(r)?),
            7 => DepNode::Unless(a, b),
            8 => DepNode::UnlessElse(a, b, DepId::get(r)?),
            _ => return None,
        })
    }
}

impl Code for Dep {
    fn put(&self, w: &mut Writer<'_>) {
        match self {
            Dep::Simple(s) => {
                w.byte(0);
                s.put(w);
            }
            Dep::And(v) | Dep::Or(v) | Dep::With(v) => {
                w.byte(match self {
                    Dep::And(_) => 1,
                    Dep::Or(_) => 2,
                    _ => 3,
                });
                v.put(w);
            }
            Dep::Without(a, b) => {
                w.byte(4);
                a.put(w);
                b.put(w);
            }
            Dep::If {
                then,
                cond,
                otherwise,
            }
            | Dep::Unless {
                then,
                cond,
                otherwise,
            } => {
                w.byte(if matches!(self, Dep::If { .. }) { 5 } else { 6 });
                then.put(w);
                cond.put(w);
                otherwise.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match u8::get(r)? {
            0 => Dep::Simple(Code::get(r)?),
            1 => Dep::And(Code::get(r)?),
            2 => Dep::Or(Code::get(r)?),
            3 => Dep::With(Code::get(r)?),
            4 => Dep::Without(Code::get(r)?, Code::get(r)?),
            t @ (5 | 6) => {
                let (then, cond, otherwise) = (Code::get(r)?, Code::get(r)?, Code::get(r)?);
                if t == 5 {
                    Dep::If {
                        then,
                        cond,
                        otherwise,
                    }
                } else {
                    Dep::Unless {
                        then,
                        cond,
                        otherwise,
                    }
                }
            }
            _ => return None,
        })
    }
}

impl Pool {
    /// Writes the pool's bytes to `out`, in blocks ([`Pool::from_snapshot`]
    /// reads them back); the first error of `out`, if any.
    pub(super) fn write_snapshot(
        &self,
        out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut writer = Writer::new(out);
        let w = &mut writer;
        self.arch.target().to_string().put(w);
        self.repos.put(w);
        self.data.put(w);
        self.cold.put(w);
        self.cold_text.put(w);
        self.files.put(w);
        self.file_text.put(w);
        self.raw_provs.put(w);
        self.pre.put(w);
        self.rich.put(w);
        self.strs.values().put(w);
        self.evrs.values().put(w);
        self.nodes.values().put(w);
        self.provs.put(w);
        self.deplist.put(w);
        self.name_wp.put(w);
        self.name_wp_data.put(w);
        self.dep_wp.put(w);
        self.dep_wp_data.put(w);
        self.sources_by_name.put(w);
        self.binaries_by_name.put(w);
        self.complex.put(w);
        self.obsoleters.put(w);
        writer.finish()
    }

    /// The pool of [`Pool::write_snapshot`]'s bytes; None when they do not
    /// hold one.
    pub(super) fn from_snapshot(bytes: &[u8]) -> Option<Pool> {
        let r = &mut Reader::new(bytes);
        let arch = ArchPolicy::new(&String::get(r)?).ok()?;
        let pool = Pool {
            arch,
            repos: Code::get(r)?,
            data: Code::get(r)?,
            cold: Code::get(r)?,
            cold_text: Code::get(r)?,
            files: Code::get(r)?,
            file_text: Code::get(r)?,
            raw_provs: Code::get(r)?,
            pre: Code::get(r)?,
            rich: Code::get(r)?,
            strs: StrTable::from_values(Code::get(r)?),
            evrs: EvrTable::from_values(Code::get(r)?),
            nodes: NodeTable::from_values(Code::get(r)?),
            provs: Code::get(r)?,
            deplist: Code::get(r)?,
            name_wp: Code::get(r)?,
            name_wp_data: Code::get(r)?,
            dep_wp: Code::get(r)?,
            dep_wp_data: Code::get(r)?,
            file_cache: Mutex::default(),
            sources_by_name: Code::get(r)?,
            binaries_by_name: Code::get(r)?,
            complex: Code::get(r)?,
            obsoleters: Code::get(r)?,
            from_cache: true,
        };
        (r.is_empty() && pool.is_consistent()).then_some(pool)
    }

    /// Whether every id, span and text range of the pool is in range, as
    /// in any pool built from metadata: bytes that pass the cache's checks
    /// but hold something else must not make a later lookup panic.
    fn is_consistent(&self) -> bool {
        let (nstr, nevr, ndep) = (self.strs.len(), self.evrs.len(), self.nodes.len());
        let npkg = self.data.len();
        let sym = |s: StrId| s.to_usize() < nstr;
        let evr = |e: EvrId| e.to_usize() < nevr;
        let dep = |d: DepId| d.to_usize() < ndep;
        // Packages, or the system solvable (which provides rpmlib()).
        let solvable = |s: SolvableId| {
            s == SolvableId::SYSTEM || s.is_package() && s.package().to_usize() < npkg
        };
        let span = |s: Span, len: usize| s.start as usize + s.len as usize <= len;
        let text = |t: Text, arena: &str| {
            t.start.checked_add(t.len as usize).is_some_and(|end| {
                end <= arena.len() && arena.is_char_boundary(t.start) && arena.is_char_boundary(end)
            })
        };
        let prov = |p: &Prov| sym(p.name) && (p.flags.is_any() || evr(p.evr));
        let node = |n: &DepNode| match *n {
            DepNode::Simple {
                name,
                flags,
                evr: e,
            } => sym(name) && (flags.is_any() || evr(e)),
            DepNode::And(a, b)
            | DepNode::Or(a, b)
            | DepNode::With(a, b)
            | DepNode::Without(a, b)
            | DepNode::Cond(a, b)
            | DepNode::Unless(a, b) => dep(a) && dep(b),
            DepNode::CondElse(a, b, c) | DepNode::UnlessElse(a, b, c) => dep(a) && dep(b) && dep(c),
        };
        let (nprov, nlist) = (self.provs.len(), self.deplist.len());
        let data = self.data.iter().all(|d| {
            let lists = [
                d.requires,
                d.conflicts,
                d.obsoletes,
                d.recommends,
                d.suggests,
                d.supplements,
                d.enhances,
            ];
            sym(d.name)
                && sym(d.srcname)
                && sym(d.arch)
                && evr(d.evr)
                && (d.repo as usize) < self.repos.len()
                && span(d.provides, nprov)
                && lists.iter().all(|&s| span(s, nlist))
        });
        let ct = &self.cold_text;
        let cold = self.cold.len() == npkg
            && self.cold.iter().all(|c| {
                text(c.sourcerpm, ct)
                    && text(c.summary, ct)
                    && text(c.location, ct)
                    && c.checksum.is_none_or(|t| text(t, ct))
                    && span(c.files, self.files.len())
                    && c.raw_provides.is_none_or(|s| span(s, self.raw_provs.len()))
            });
        let providers = |wp: &[Span], wp_data: &[SolvableId]| {
            wp.iter().all(|&s| span(s, wp_data.len())) && wp_data.iter().all(|&s| solvable(s))
        };
        let by_name = |m: &FxHashMap<StrId, Vec<SolvableId>>| {
            m.iter()
                .all(|(&k, v)| sym(k) && v.iter().all(|&s| solvable(s)))
        };
        data && cold
            && self.files.iter().all(|&t| text(t, &self.file_text))
            && self.raw_provs.iter().all(prov)
            && self.provs.iter().all(prov)
            && self.pre.len() >= nlist.div_ceil(64)
            && self.rich.iter().all(|(i, _)| (*i as usize) < nlist)
            && self.nodes.iter().all(node)
            && self.deplist.iter().all(|&d| dep(d))
            && self.name_wp.len() == nstr
            && providers(&self.name_wp, &self.name_wp_data)
            && self.dep_wp.len() == ndep
            && providers(&self.dep_wp, &self.dep_wp_data)
            && self.complex.len() == ndep
            && by_name(&self.binaries_by_name)
            && by_name(&self.obsoleters)
            && self
                .sources_by_name
                .iter()
                .all(|(&k, v)| sym(k) && v.iter().all(|&p| p.to_usize() < npkg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpmmd::{load_repos, Filelists, LoadOptions, RepoSpec};

    /// The shipped fixture repos (binaries, weak dependencies, extras,
    /// sources) in one pool: rich dependencies, files, excluded packages.
    fn fixture_pool() -> Pool {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");
        let mut specs: Vec<RepoSpec> = ["x86_64", "weak/x86_64", "extras/x86_64", "source"]
            .iter()
            .map(|d| RepoSpec::new(d, &format!("{root}/{d}")))
            .collect();
        specs[2].exclude = vec!["*-devel".into()];
        let opts = LoadOptions {
            filelists: Filelists::All,
            cache_dir: None,
        };
        Pool::new("x86_64", load_repos(&specs, &opts).unwrap()).unwrap()
    }

    fn bytes_of(pool: &Pool) -> Vec<u8> {
        let mut out = Vec::new();
        pool.write_snapshot(&mut |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        out
    }

    /// Read back, the pool writes the same bytes (every table survives,
    /// ids included), and its rebuilt lookups find every value's id.
    #[test]
    fn snapshot_reads_back_the_same_pool() {
        let pool = fixture_pool();
        let bytes = bytes_of(&pool);
        let back = Pool::from_snapshot(&bytes).expect("a whole snapshot");
        assert!(back.from_cache() && !pool.from_cache());
        assert_eq!(bytes_of(&back), bytes);
        assert!(!pool.rich.is_empty() && !pool.file_text.is_empty());
        for (i, s) in back.strs.iter().enumerate() {
            assert_eq!(back.strs.get(s), Some(StrId::from_usize(i)), "{s}");
        }
        for (i, e) in back.evrs.iter().enumerate() {
            assert_eq!(back.evrs.get(e), Some(EvrId::from_usize(i)), "{e}");
        }
        for (i, n) in back.nodes.iter().enumerate() {
            assert_eq!(back.nodes.get(n), Some(DepId::from_usize(i)), "{n:?}");
        }
        for id in pool.ids() {
            assert_eq!(back.package(id), pool.package(id));
        }
    }

    /// Bytes cut short or followed by more are no pool.
    #[test]
    fn partial_or_padded_snapshot_is_refused() {
        let bytes = bytes_of(&fixture_pool());
        for cut in [0, 1, 7, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(Pool::from_snapshot(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(Pool::from_snapshot(&more).is_none());
    }

    /// Bytes of the right shape whose ids, spans or texts point outside
    /// their tables are no pool (a later lookup would panic).
    #[test]
    fn snapshot_out_of_range_is_refused() {
        let damage: [fn(&mut Pool); 7] = [
            |p| p.data[0].name = StrId::from_usize(1 << 30),
            |p| p.data[1].requires.len = u32::MAX,
            |p| p.cold[2].summary.start = p.cold_text.len(),
            |p| p.deplist[0] = DepId::from_usize(p.nodes.len()),
            |p| p.dep_wp_data[0] = SolvableId::of_index(p.data.len()),
            |p| {
                p.complex.pop();
            },
            |p| {
                // The middle of a multi-byte character.
                p.cold_text.push('é');
                p.cold[0].summary = Text {
                    start: p.cold_text.len() - 1,
                    len: 1,
                };
            },
        ];
        assert!(Pool::from_snapshot(&bytes_of(&fixture_pool())).is_some());
        for (i, f) in damage.iter().enumerate() {
            let mut pool = fixture_pool();
            f(&mut pool);
            assert!(
                Pool::from_snapshot(&bytes_of(&pool)).is_none(),
                "damage {i}"
            );
        }
    }

    /// The writer's first error is returned, and nothing is handed to it
    /// after that.
    #[test]
    fn write_error_is_returned() {
        let pool = fixture_pool();
        let mut calls = 0;
        let err = pool
            .write_snapshot(&mut |_| {
                calls += 1;
                Err(std::io::Error::other("disk full"))
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(calls, 1);
    }
}
