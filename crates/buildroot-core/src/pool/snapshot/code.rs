//! The byte encoding of the pool snapshot (`super`): a [`Code`] impl per
//! type the pool's tables hold, written through a [`Writer`] that hands
//! over 1 MiB blocks and read from a bounds-checked [`Reader`]. Integers
//! are little-endian, lengths `u32`; a struct is its fields in order, an
//! enum a tag byte and its fields, a map its entries sorted by key (so the
//! bytes do not depend on hashing).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::super::deps::{DepNode, Prov};
use super::super::{
    Cold, DepId, EvrId, PkgData, PkgId, RelFlags, RepoInfo, SolvableId, Span, StrId, Text,
};
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::Evr;

/// A value the snapshot can hold.
pub(crate) trait Code: Sized {
    /// Appends the value to `w`.
    fn put(&self, w: &mut Writer<'_>);
    /// The next value of `r`; None when the bytes do not hold one.
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

/// Where snapshot bytes go: a buffer handed to `out` a block at a time, so
/// that a pool of any size is written through one small buffer.
pub(crate) struct Writer<'a> {
    buf: Vec<u8>,
    out: &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    err: Option<std::io::Error>,
}

/// The size of the blocks a [`Writer`] hands over.
const BLOCK: usize = 1 << 20;

impl<'a> Writer<'a> {
    pub(super) fn new(out: &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>) -> Self {
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
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        self.flush();
        self.err.map_or(Ok(()), Err)
    }
}

/// A cursor over snapshot bytes.
pub(crate) struct Reader<'a> {
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

/// A length: no more than the bytes left, as every value takes one at
/// least (a corrupt length cannot ask for more values than the file has
/// bytes).
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

/// A string: its length, then its UTF-8 bytes.
pub(super) fn put_str(s: &str, w: &mut Writer<'_>) {
    put_len(s.len(), w);
    w.bytes(s.as_bytes());
}

fn get_str<'a>(r: &mut Reader<'a>) -> Option<&'a str> {
    let n = len(r)?;
    std::str::from_utf8(r.take(n)?).ok()
}

impl Code for String {
    fn put(&self, w: &mut Writer<'_>) {
        put_str(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        get_str(r).map(str::to_string)
    }
}

impl Code for Arc<str> {
    fn put(&self, w: &mut Writer<'_>) {
        put_str(self, w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        get_str(r).map(Arc::from)
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
// By hand: a repo's access (credentials) and its other mirrors are not
// written; the loader sets them from the repos of the run that reads the
// pool back.
impl Code for RepoInfo {
    fn put(&self, w: &mut Writer<'_>) {
        self.id.put(w);
        self.baseurl.put(w);
        self.priority.put(w);
        self.subpriority.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(RepoInfo {
            id: Code::get(r)?,
            baseurl: Code::get(r)?,
            mirrors: Vec::new(),
            priority: Code::get(r)?,
            subpriority: Code::get(r)?,
            access: Default::default(),
            // A pool with packages given as files is never cached.
            command_line: false,
        })
    }
}
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
            Cmp::Ne => 5,
            Cmp::Unknown => 6,
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
            5 => Cmp::Ne,
            6 => Cmp::Unknown,
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
                Dep::conditional(t == 6, then, cond, otherwise)
            }
            _ => return None,
        })
    }
}
