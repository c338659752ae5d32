//! Interned dependencies and "what provides" lists, as libsolv computes them
//! (`pool_addrelproviders` in `src/pool.c`).
//!
//! A dependency is interned as a [`DepNode`]: a simple `name [op evr]`, or a
//! binary rich operator whose operands are other nodes. n-ary rich
//! expressions are nested to the right (`a or b or c` is `a or (b or c)`),
//! exactly as libsolv's rich-dep parser builds them, because the CNF
//! normalisation in the solver walks that tree.
//!
//! Provider lists are lists of [`SolvableId`]s (the system solvable
//! "provides" unknown versioned `rpmlib(...)` deps), sorted ascending like
//! libsolv's whatprovides data.

use std::borrow::Cow;

use super::id::{DepId, EvrId, RelFlags, SolvableId, StrId};
use crate::dep::{Dep, SimpleDep};
use crate::evr::Evr;

/// One provide of a package: name, flags (0 = unversioned) and EVR id.
/// A rich provide (rpm-md can list `(x and y)` in provides; rpmbuild
/// makes none) is its leftmost name, under which libsolv indexes it,
/// flags [`RelFlags::RICH`], and in place of an EVR id the index of the
/// dependency as read in the pool's rich provides ([`Prov::rich`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Prov {
    pub name: StrId,
    pub flags: RelFlags,
    pub evr: EvrId,
}

impl Prov {
    /// The index of a rich provide's dependency in the pool's rich
    /// provides; None for a simple provide.
    #[inline]
    pub(crate) fn rich(&self) -> Option<usize> {
        self.flags.is_rich().then(|| self.evr.to_usize())
    }
}

/// An interned dependency. Operand fields are dependency ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum DepNode {
    Simple {
        name: StrId,
        flags: RelFlags,
        evr: EvrId,
    },
    And(DepId, DepId),
    Or(DepId, DepId),
    With(DepId, DepId),
    Without(DepId, DepId),
    /// `a if b`
    Cond(DepId, DepId),
    /// `a if b else c`
    CondElse(DepId, DepId, DepId),
    /// `a unless b`
    Unless(DepId, DepId),
    /// `a unless b else c`
    UnlessElse(DepId, DepId, DepId),
}

/// Read access to interned strings, EVRs, dependencies and providers: the
/// pool implements it, and the solver's overlay (for job dependencies that
/// are not in the pool) extends it.
pub(crate) trait DepAccess {
    /// The text of a string id.
    fn sym_str(&self, sym: StrId) -> &str;
    /// The EVR of an EVR id.
    fn evr(&self, id: EvrId) -> &Evr;
    /// The interned dependency of a dependency id.
    fn node(&self, dep: DepId) -> DepNode;
    /// Providers of a plain name (incl. file owners for paths).
    fn name_providers(&self, sym: StrId) -> Cow<'_, [SolvableId]>;
    /// Providers of an interned dependency.
    fn dep_providers(&self, dep: DepId) -> Cow<'_, [SolvableId]>;
    /// The provides of a solvable (a package).
    fn provides_of(&self, sid: SolvableId) -> &[Prov];
    /// Whether a solvable owns file `path` (for versioned file deps).
    fn owns_file(&self, sid: SolvableId, path: StrId) -> bool;

    /// Whether `dep` is complex in libsolv's sense (and, if/unless, or with a
    /// complex operand): those become CNF rules instead of provider lists.
    fn is_complex(&self, dep: DepId) -> bool {
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
pub(crate) fn match_flags_evr(pflags: RelFlags, pevr: &Evr, flags: RelFlags, evr: &Evr) -> bool {
    use RelFlags as F;
    // A rich provide or unknown flags meet no versioned requirement
    // (libsolv: flags 0, or 8 and up, are no comparison).
    if pflags.is_any() || flags.is_any() || pflags.compares_nothing() || flags.compares_nothing() {
        return false;
    }
    if flags == F::ALL || pflags == F::ALL {
        return true;
    }
    if (pflags & flags).intersects(F::LT | F::GT) {
        return true;
    }
    match evrcmp_match(pevr, evr) {
        -2 => pflags.intersects(F::EQ),
        -1 => flags.intersects(F::LT) || pflags.intersects(F::GT),
        0 => (flags & pflags).intersects(F::EQ),
        1 => flags.intersects(F::GT) || pflags.intersects(F::LT),
        _ => flags.intersects(F::EQ),
    }
}

/// libsolv `pool_evrcmp(.., EVRCMP_MATCH_RELEASE)`: -1/0/1, or -2/2 when the
/// versions are equal and only the second/first side has a release.
/// An empty EVR (an rpm-md entry with flags but no `epoch`, `ver` or
/// `rel`: createrepo_c lists `foo >=` without a version so) is libsolv's
/// EVR id 0, which it compares as that id's text, `<NULL>` (checked with
/// testsolv: `foo >=` is not met by `foo = A-1`, and is by `foo = a-1`).
pub(crate) fn evrcmp_match(a: &Evr, b: &Evr) -> i32 {
    use std::cmp::Ordering::*;
    fn parts(e: &Evr) -> (u32, &str, Option<&str>) {
        match (e.epoch, e.version.as_str(), e.release.as_deref()) {
            (0, "", None) => (0, "<NULL>", None),
            p => p,
        }
    }
    let ((ea, va, ra), (eb, vb, rb)) = (parts(a), parts(b));
    let o = ea.cmp(&eb).then_with(|| crate::evr::rpmvercmp(va, vb));
    match o {
        Less => -1,
        Greater => 1,
        Equal => match (ra, rb) {
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
pub(crate) fn match_nevr(acc: &impl DepAccess, name: StrId, evr: EvrId, dep: DepId) -> bool {
    match acc.node(dep) {
        DepNode::Simple {
            name: n,
            flags,
            evr: e,
        } => {
            if n != name {
                return false;
            }
            if flags.is_any() {
                return true;
            }
            // Unknown rpm-md flags: libsolv's `flags == 0` matches no NEVR.
            if flags.compares_nothing() {
                return false;
            }
            if e == evr {
                return flags.intersects(RelFlags::EQ);
            }
            match evrcmp_match(acc.evr(evr), acc.evr(e)) {
                -2 => true,
                -1 => flags.intersects(RelFlags::LT),
                0 => flags.intersects(RelFlags::EQ),
                1 => flags.intersects(RelFlags::GT),
                _ => flags.intersects(RelFlags::EQ),
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
fn union(a: &[SolvableId], b: &[SolvableId]) -> Vec<SolvableId> {
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
pub(crate) fn compute_providers(acc: &impl DepAccess, node: DepNode) -> Vec<SolvableId> {
    match node {
        DepNode::Simple {
            name,
            flags: RelFlags::ANY,
            ..
        } => acc.name_providers(name).into_owned(),
        // Unknown rpm-md flags: libsolv's `addrelproviders` finds nothing
        // for a relation of flags 0, not even a file owner.
        DepNode::Simple { flags, .. } if flags.compares_nothing() => Vec::new(),
        DepNode::Simple { name, flags, evr } => {
            let cands = acc.name_providers(name);
            let want = acc.evr(evr);
            let mut out = Vec::new();
            for &sid in cands.iter() {
                let provs = acc.provides_of(sid);
                let mut hit = false;
                for pv in provs.iter().filter(|pv| pv.name == name) {
                    // A rich provide's `evr` is no EVR id, and it meets
                    // no versioned requirement.
                    if pv.flags.is_any()
                        || !pv.flags.is_rich()
                            && match_flags_evr(pv.flags, acc.evr(pv.evr), flags, want)
                    {
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
                out.push(SolvableId::SYSTEM);
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
    /// The id of a string, interned if new.
    fn intern_str(&mut self, s: &str) -> StrId;
    /// The id of an EVR, interned if new.
    fn intern_evr(&mut self, evr: &Evr) -> EvrId;
    /// The id of a dependency node, interned if new.
    fn intern_node(&mut self, node: DepNode) -> DepId;

    /// A simple dependency's name, flags and EVR, interned (a provide's
    /// fields, or a simple node's).
    fn intern_simple_parts(&mut self, d: &SimpleDep) -> (StrId, RelFlags, EvrId) {
        let name = self.intern_str(&d.name);
        match &d.range {
            None => (name, RelFlags::ANY, EvrId::default()),
            Some(r) => (name, RelFlags::of_cmp(r.cmp), self.intern_evr(&r.evr)),
        }
    }

    /// The id of a simple dependency (its strings and EVR interned too).
    fn intern_simple(&mut self, d: &SimpleDep) -> DepId {
        let (name, flags, evr) = self.intern_simple_parts(d);
        self.intern_node(DepNode::Simple { name, flags, evr })
    }

    /// The id of a dependency, rich ones as trees of nodes.
    fn intern_dep(&mut self, d: &Dep) -> DepId {
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
    fn intern_chain(&mut self, v: &[Dep], mk: fn(DepId, DepId) -> DepNode) -> DepId {
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

    /// The id of the unversioned dependency on `s`.
    fn intern_str_dep(&mut self, s: &str) -> DepId {
        let name = self.intern_str(s);
        self.intern_node(DepNode::Simple {
            name,
            flags: RelFlags::ANY,
            evr: EvrId::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const REL_GT: RelFlags = RelFlags::GT;
    const REL_EQ: RelFlags = RelFlags::EQ;
    const REL_LT: RelFlags = RelFlags::LT;

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
        let ids = |v: &[usize]| -> Vec<SolvableId> {
            v.iter().map(|&i| SolvableId::from_usize(i)).collect()
        };
        assert_eq!(
            union(&ids(&[2, 5, 9]), &ids(&[3, 5, 10])),
            ids(&[2, 3, 5, 9, 10])
        );
        assert_eq!(union(&[], &ids(&[1])), ids(&[1]));
    }
}
