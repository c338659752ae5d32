//! Interned dependencies and "what provides" lists, as libsolv computes them
//! (`pool_addrelproviders` in `src/pool.c`).
//!
//! A dependency is interned as a [`DepNode`]: a simple `name [op evr]`, or a
//! binary rich operator whose operands are other nodes. n-ary rich
//! expressions are nested to the right (`a or b or c` is `a or (b or c)`),
//! exactly as libsolv's rich-dep parser builds them, because the CNF
//! normalisation in the solver walks that tree.
//!
//! Provider lists are lists of *solvable ids* (package index + 2; 1 is the
//! system solvable that "provides" unknown versioned `rpmlib(...)` deps),
//! sorted ascending like libsolv's whatprovides data.

use std::borrow::Cow;

use crate::dep::{Cmp, Dep, SimpleDep};
use crate::evr::Evr;

/// libsolv's relation flag bits.
pub(crate) const REL_GT: u8 = 1;
pub(crate) const REL_EQ: u8 = 2;
pub(crate) const REL_LT: u8 = 4;

/// The solvable id of the system solvable.
pub(crate) const SYSTEM: u32 = 1;

/// libsolv relation flags of an operator.
pub(crate) fn cmp_flags(cmp: Cmp) -> u8 {
    match cmp {
        Cmp::Lt => REL_LT,
        Cmp::Le => REL_LT | REL_EQ,
        Cmp::Eq => REL_EQ,
        Cmp::Ge => REL_GT | REL_EQ,
        Cmp::Gt => REL_GT,
    }
}

/// One provide of a package: name, flags (0 = unversioned) and EVR id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Prov {
    pub name: u32,
    pub flags: u8,
    pub evr: u32,
}

/// An interned dependency. Operand fields are dependency ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum DepNode {
    Simple {
        name: u32,
        flags: u8,
        evr: u32,
    },
    And(u32, u32),
    Or(u32, u32),
    With(u32, u32),
    Without(u32, u32),
    /// `a if b`
    Cond(u32, u32),
    /// `a if b else c`
    CondElse(u32, u32, u32),
    /// `a unless b`
    Unless(u32, u32),
    /// `a unless b else c`
    UnlessElse(u32, u32, u32),
}

/// Read access to interned strings, EVRs, dependencies and providers: the
/// pool implements it, and the solver's overlay (for job dependencies that
/// are not in the pool) extends it.
pub(crate) trait DepAccess {
    fn sym_str(&self, sym: u32) -> &str;
    fn evr(&self, id: u32) -> &Evr;
    fn node(&self, dep: u32) -> DepNode;
    /// Providers of a plain name (incl. file owners for paths).
    fn name_providers(&self, sym: u32) -> Cow<'_, [u32]>;
    /// Providers of an interned dependency.
    fn dep_providers(&self, dep: u32) -> Cow<'_, [u32]>;
    /// The provides of a solvable.
    fn provides_of(&self, sid: u32) -> &[Prov];
    /// Whether a solvable owns file `path` (for versioned file deps).
    fn owns_file(&self, sid: u32, sym: u32) -> bool;

    /// Whether `dep` is complex in libsolv's sense (and, if/unless, or with a
    /// complex operand): those become CNF rules instead of provider lists.
    fn is_complex(&self, dep: u32) -> bool {
        match self.node(dep) {
            DepNode::And(..)
            | DepNode::Cond(..)
            | DepNode::CondElse(..)
            | DepNode::Unless(..)
            | DepNode::UnlessElse(..) => true,
            DepNode::Or(a, b) => self.is_complex(a) || self.is_complex(b),
            _ => false,
        }
    }
}

/// Whether a versioned provide `(pflags, pevr)` matches `(flags, evr)`
/// (libsolv `pool_match_flags_evr`, rpm semantics).
pub(crate) fn match_flags_evr(pflags: u8, pevr: &Evr, flags: u8, evr: &Evr) -> bool {
    if pflags == 0 || flags == 0 {
        return false;
    }
    if flags == 7 || pflags == 7 {
        return true;
    }
    if pflags & flags & (REL_LT | REL_GT) != 0 {
        return true;
    }
    match evrcmp_match(pevr, evr) {
        -2 => pflags & REL_EQ != 0,
        -1 => flags & REL_LT != 0 || pflags & REL_GT != 0,
        0 => flags & pflags & REL_EQ != 0,
        1 => flags & REL_GT != 0 || pflags & REL_LT != 0,
        _ => flags & REL_EQ != 0,
    }
}

/// libsolv `pool_evrcmp(.., EVRCMP_MATCH_RELEASE)`: -1/0/1, or -2/2 when the
/// versions are equal and only the second/first side has a release.
pub(crate) fn evrcmp_match(a: &Evr, b: &Evr) -> i32 {
    use std::cmp::Ordering::*;
    let o = a
        .epoch
        .cmp(&b.epoch)
        .then_with(|| crate::evr::rpmvercmp(&a.version, &b.version));
    match o {
        Less => -1,
        Greater => 1,
        Equal => match (&a.release, &b.release) {
            (Some(x), Some(y)) => match crate::evr::rpmvercmp(x, y) {
                Less => -1,
                Equal => 0,
                Greater => 1,
            },
            (None, Some(_)) => -2,
            (Some(_), None) => 2,
            (None, None) => 0,
        },
    }
}

/// libsolv `pool_evrcmp(.., EVRCMP_COMPARE)` as -1/0/1.
pub(crate) fn evrcmp_compare(a: &Evr, b: &Evr) -> i32 {
    match a.cmp_newest(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// Does the package (`name`, `evr`) match dependency `dep` by NEVR (libsolv
/// `pool_match_nevr`): used for Obsoletes and name selections.
pub(crate) fn match_nevr(acc: &impl DepAccess, name: u32, evr: u32, dep: u32) -> bool {
    match acc.node(dep) {
        DepNode::Simple {
            name: n,
            flags,
            evr: e,
        } => {
            if n != name {
                return false;
            }
            if flags == 0 {
                return true;
            }
            if e == evr {
                return flags & REL_EQ != 0;
            }
            match evrcmp_match(acc.evr(evr), acc.evr(e)) {
                -2 => true,
                -1 => flags & REL_LT != 0,
                0 => flags & REL_EQ != 0,
                1 => flags & REL_GT != 0,
                _ => flags & REL_EQ != 0,
            }
        }
        DepNode::Or(a, b) => match_nevr(acc, name, evr, a) || match_nevr(acc, name, evr, b),
        DepNode::And(a, b) | DepNode::With(a, b) => {
            match_nevr(acc, name, evr, a) && match_nevr(acc, name, evr, b)
        }
        DepNode::Without(a, b) => match_nevr(acc, name, evr, a) && !match_nevr(acc, name, evr, b),
        _ => false,
    }
}

/// Sorted union of two ascending lists.
fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            if a[i] == b[j] {
                i += 1;
            }
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The providers of `node` (libsolv `pool_addrelproviders`), given the
/// providers of its operands through `acc`.
pub(crate) fn compute_providers(acc: &impl DepAccess, node: DepNode) -> Vec<u32> {
    match node {
        DepNode::Simple { name, flags: 0, .. } => acc.name_providers(name).into_owned(),
        DepNode::Simple { name, flags, evr } => {
            let cands = acc.name_providers(name);
            let want = acc.evr(evr);
            let mut out = Vec::new();
            for &sid in cands.iter() {
                let provs = acc.provides_of(sid);
                let mut hit = false;
                for pv in provs.iter().filter(|pv| pv.name == name) {
                    if pv.flags == 0 || match_flags_evr(pv.flags, acc.evr(pv.evr), flags, want) {
                        hit = true;
                        break;
                    }
                }
                // A file owner provides its path unversioned.
                if !hit && acc.sym_str(name).starts_with('/') && acc.owns_file(sid, name) {
                    hit = true;
                }
                if hit {
                    out.push(sid);
                }
            }
            if out.is_empty() && acc.sym_str(name).starts_with("rpmlib(") {
                out.push(SYSTEM);
            }
            out
        }
        DepNode::With(a, b) => {
            let bl = acc.dep_providers(b);
            acc.dep_providers(a)
                .iter()
                .copied()
                .filter(|p| bl.contains(p))
                .collect()
        }
        DepNode::Without(a, b) => {
            let bl = acc.dep_providers(b);
            acc.dep_providers(a)
                .iter()
                .copied()
                .filter(|p| !bl.contains(p))
                .collect()
        }
        DepNode::And(a, b) | DepNode::Or(a, b) => {
            let al = acc.dep_providers(a);
            if al.is_empty() {
                return acc.dep_providers(b).into_owned();
            }
            union(&al, &acc.dep_providers(b))
        }
        // The condition is assumed true; an else branch adds its providers.
        DepNode::Cond(a, _) | DepNode::Unless(a, _) => acc.dep_providers(a).into_owned(),
        DepNode::CondElse(a, _, c) | DepNode::UnlessElse(a, _, c) => {
            let al = acc.dep_providers(a);
            if al.is_empty() {
                return acc.dep_providers(c).into_owned();
            }
            union(&al, &acc.dep_providers(c))
        }
    }
}

/// Something that interns strings, EVRs and nodes (the pool while it is
/// built, or the solver's overlay).
pub(crate) trait DepInterner {
    fn intern_str(&mut self, s: &str) -> u32;
    fn intern_evr(&mut self, evr: &Evr) -> u32;
    fn intern_node(&mut self, node: DepNode) -> u32;

    fn intern_simple(&mut self, d: &SimpleDep) -> u32 {
        let name = self.intern_str(&d.name);
        let node = match &d.range {
            None => DepNode::Simple {
                name,
                flags: 0,
                evr: 0,
            },
            Some(r) => DepNode::Simple {
                name,
                flags: cmp_flags(r.cmp),
                evr: self.intern_evr(&r.evr),
            },
        };
        self.intern_node(node)
    }

    fn intern_dep(&mut self, d: &Dep) -> u32 {
        match d {
            Dep::Simple(s) => self.intern_simple(s),
            Dep::And(v) => self.intern_chain(v, DepNode::And),
            Dep::Or(v) => self.intern_chain(v, DepNode::Or),
            Dep::With(v) => self.intern_chain(v, DepNode::With),
            Dep::Without(a, b) => {
                let (a, b) = (self.intern_dep(a), self.intern_dep(b));
                self.intern_node(DepNode::Without(a, b))
            }
            Dep::If {
                then,
                cond,
                otherwise,
            } => {
                let (a, b) = (self.intern_dep(then), self.intern_dep(cond));
                match otherwise {
                    None => self.intern_node(DepNode::Cond(a, b)),
                    Some(c) => {
                        let c = self.intern_dep(c);
                        self.intern_node(DepNode::CondElse(a, b, c))
                    }
                }
            }
            Dep::Unless {
                then,
                cond,
                otherwise,
            } => {
                let (a, b) = (self.intern_dep(then), self.intern_dep(cond));
                match otherwise {
                    None => self.intern_node(DepNode::Unless(a, b)),
                    Some(c) => {
                        let c = self.intern_dep(c);
                        self.intern_node(DepNode::UnlessElse(a, b, c))
                    }
                }
            }
        }
    }

    /// `a op b op c` as `a op (b op c)`.
    fn intern_chain(&mut self, v: &[Dep], mk: fn(u32, u32) -> DepNode) -> u32 {
        match v {
            [] => self.intern_str_dep(""),
            [one] => self.intern_dep(one),
            [first, rest @ ..] => {
                let a = self.intern_dep(first);
                let b = self.intern_chain(rest, mk);
                self.intern_node(mk(a, b))
            }
        }
    }

    fn intern_str_dep(&mut self, s: &str) -> u32 {
        let name = self.intern_str(s);
        self.intern_node(DepNode::Simple {
            name,
            flags: 0,
            evr: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Evr {
        Evr::parse(s).unwrap()
    }

    #[test]
    fn flags_match_rpm() {
        // Provide foo = 1.0-5 against requirements.
        assert!(match_flags_evr(REL_EQ, &e("1.0-5"), REL_EQ, &e("1.0")));
        assert!(!match_flags_evr(REL_EQ, &e("1.0-5"), REL_GT, &e("1.0")));
        assert!(match_flags_evr(REL_EQ, &e("1.0"), REL_EQ, &e("1.0-3")));
        assert!(match_flags_evr(
            REL_EQ,
            &e("1:1.0-1"),
            REL_GT | REL_EQ,
            &e("2.0")
        ));
        assert!(!match_flags_evr(
            REL_EQ,
            &e("1:1.0-1"),
            REL_LT | REL_EQ,
            &e("2.0")
        ));
        assert!(match_flags_evr(REL_GT, &e("3"), REL_GT | REL_EQ, &e("1")));
    }

    #[test]
    fn union_is_sorted_and_unique() {
        assert_eq!(union(&[2, 5, 9], &[3, 5, 10]), vec![2, 3, 5, 9, 10]);
        assert_eq!(union(&[], &[1]), vec![1]);
    }
}
