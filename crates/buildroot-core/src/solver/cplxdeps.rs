//! Rich (complex) dependencies normalised as libsolv's `cplxdeps.c` does:
//! to CNF blocks for requires, to inverted DNF for conflicts
//! (`pool_normalize_complex_dep`), block order and literal order included,
//! because the rules made of them steer the solver; and the packages a
//! rich weak dependency may pull in (`pool_add_pos_literals_complex_dep`).

use super::id::Literal;
use crate::pool::{DepAccess, DepId, DepNode, Pool, SolvableId};

/// CNF/DNF normalisation flags (libsolv `CPLXDEPS_*`).
pub(super) const TODNF: u8 = 1;
pub(super) const EXPAND: u8 = 2;
pub(super) const INVERT: u8 = 4;

/// In a block queue: "the provider list `lists[next]` goes here" (the
/// next entry holds the list's index, `Literal::to_raw`).
pub(super) const MARK: Literal = Literal::from_raw(i32::MAX);

/// Result of a normalisation: no blocks (false), true, or some blocks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Norm {
    False,
    True,
    Blocks,
}

/// The connective [`Cnf::join`] applies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Junction {
    Or,
    And,
}

/// Block queues of `cplxdeps.c`: literals, 0 ends a block, `MARK, i` stands
/// for the (not yet expanded) provider list `lists[i]`.
pub(crate) struct Cnf<'a, A: DepAccess> {
    acc: &'a A,
    /// The provider lists the block queue refers to.
    pub lists: Vec<Vec<Literal>>,
}

impl<'a, A: DepAccess> Cnf<'a, A> {
    /// A normaliser reading dependencies through `acc`.
    pub(crate) fn new(acc: &'a A) -> Self {
        Cnf {
            acc,
            lists: Vec::new(),
        }
    }

    fn expand(&self, bq: &mut Vec<Literal>, start: usize, split: usize) -> usize {
        let end = bq.len();
        let mut newsplit = 0;
        let mut i = start;
        while i < end {
            if i == split {
                newsplit = bq.len() - (end - start);
            }
            let x = bq[i];
            if x == MARK {
                i += 1;
                let l = &self.lists[bq[i].to_raw() as usize];
                bq.extend_from_slice(l);
            } else {
                bq.push(x);
            }
            i += 1;
        }
        if i == split {
            newsplit = bq.len() - (end - start);
        }
        bq.drain(start..end);
        newsplit
    }

    fn invert(&self, bq: &mut Vec<Literal>, start: usize, r: Norm) -> Norm {
        match r {
            Norm::False => return Norm::True,
            Norm::True => return Norm::False,
            Norm::Blocks => {}
        }
        self.expand(bq, start, 0);
        let end = bq.len();
        let mut j = start;
        for i in start..end {
            if !bq[i].is_none() {
                bq[i] = -bq[i];
                continue;
            }
            bq[j..i].reverse();
            j = i + 1;
        }
        Norm::Blocks
    }

    fn distribute(&self, bq: &mut Vec<Literal>, bqcnt: usize, bqcnt2: usize, flags: u8) -> Norm {
        let bqcnt2 = self.expand(bq, bqcnt, bqcnt2);
        let bqcnt3 = bq.len();
        let mut i = bqcnt;
        while i < bqcnt2 {
            let mut j = bqcnt2;
            while j < bqcnt3 {
                let bqcnt4 = bq.len();
                let mut k = i;
                while !bq[k].is_none() && !bq[j].is_none() {
                    if bq[k] < bq[j] {
                        let x = bq[k];
                        bq.push(x);
                        k += 1;
                    } else {
                        if bq[k] == bq[j] {
                            k += 1;
                        }
                        let x = bq[j];
                        bq.push(x);
                        j += 1;
                    }
                }
                while !bq[j].is_none() {
                    let x = bq[j];
                    bq.push(x);
                    j += 1;
                }
                while !bq[k].is_none() {
                    let x = bq[k];
                    bq.push(x);
                    k += 1;
                }
                // A block holding both A and -A is dropped.
                let (mut a, mut b) = (bqcnt4, bq.len() - 1);
                while a < b {
                    if -bq[a] == bq[b] {
                        break;
                    }
                    if -bq[a] > bq[b] {
                        a += 1;
                    } else {
                        b -= 1;
                    }
                }
                if a < b {
                    bq.truncate(bqcnt4);
                } else {
                    bq.push(Literal::NONE);
                }
                j += 1;
            }
            while !bq[i].is_none() {
                i += 1;
            }
            i += 1;
        }
        bq.drain(bqcnt..bqcnt3);
        if bqcnt == bq.len() {
            return if flags & TODNF != 0 {
                Norm::False
            } else {
                Norm::True
            };
        }
        Norm::Blocks
    }

    /// `d1 or d2`, or with `inv` `d1 or not d2` (libsolv's `normalize_dep_or`).
    fn or(&mut self, d1: DepId, d2: DepId, bq: &mut Vec<Literal>, flags: u8, inv: u8) -> Norm {
        self.join(
            Junction::Or,
            bq,
            flags,
            |s, bq| s.norm(d1, bq, flags),
            |s, bq| s.norm_maybe_inverted(d2, bq, flags, inv),
        )
    }

    /// `d1 and d2`, or with `inv` `d1 and not d2` (libsolv's `normalize_dep_and`).
    fn and(&mut self, d1: DepId, d2: DepId, bq: &mut Vec<Literal>, flags: u8, inv: u8) -> Norm {
        self.join(
            Junction::And,
            bq,
            flags,
            |s, bq| s.norm(d1, bq, flags),
            |s, bq| s.norm_maybe_inverted(d2, bq, flags, inv),
        )
    }

    /// `dep` normalised, then inverted when `inv` is set (`flags ^ inv`
    /// asks for the dual form, which the inversion turns back).
    fn norm_maybe_inverted(
        &mut self,
        dep: DepId,
        bq: &mut Vec<Literal>,
        flags: u8,
        inv: u8,
    ) -> Norm {
        let start = bq.len();
        let r = self.norm(dep, bq, flags ^ inv);
        if inv != 0 {
            self.invert(bq, start, r)
        } else {
            r
        }
    }

    /// `A if B else C` -> `(A or not B) and (B or C)` (`normalize_dep_if_else`).
    fn if_else(&mut self, a: DepId, b: DepId, c: DepId, bq: &mut Vec<Literal>, flags: u8) -> Norm {
        self.join(
            Junction::And,
            bq,
            flags,
            |s, bq| s.or(a, b, bq, flags, TODNF),
            |s, bq| s.or(b, c, bq, flags, 0),
        )
    }

    /// `A unless B else C` -> `(A and not B) or (B and C)`
    /// (`normalize_dep_unless_else`).
    fn unless_else(
        &mut self,
        a: DepId,
        b: DepId,
        c: DepId,
        bq: &mut Vec<Literal>,
        flags: u8,
    ) -> Norm {
        self.join(
            Junction::Or,
            bq,
            flags,
            |s, bq| s.and(a, b, bq, flags, TODNF),
            |s, bq| s.and(b, c, bq, flags, 0),
        )
    }

    /// Two halves joined by `op`, as each of libsolv's four binary
    /// normalisers joins them: the second half is skipped once the first
    /// decides the whole, a half equal to the identity drops out, and the
    /// blocks are multiplied out when the wanted form needs it (an `or` of
    /// blocks in CNF, an `and` of blocks in DNF).
    fn join(
        &mut self,
        op: Junction,
        bq: &mut Vec<Literal>,
        flags: u8,
        first: impl FnOnce(&mut Self, &mut Vec<Literal>) -> Norm,
        second: impl FnOnce(&mut Self, &mut Vec<Literal>) -> Norm,
    ) -> Norm {
        let (absorbing, identity) = match op {
            Junction::Or => (Norm::True, Norm::False),
            Junction::And => (Norm::False, Norm::True),
        };
        let bqcnt = bq.len();
        let r1 = first(self, bq);
        if r1 == absorbing {
            return r1;
        }
        let bqcnt2 = bq.len();
        let r2 = second(self, bq);
        if r2 == absorbing {
            bq.truncate(bqcnt);
            return r2;
        }
        if r1 == identity {
            return r2;
        }
        if r2 == identity {
            return r1;
        }
        let to_dnf = flags & TODNF != 0;
        if to_dnf == (op == Junction::And) {
            return self.distribute(bq, bqcnt, bqcnt2, flags);
        }
        Norm::Blocks
    }

    fn norm(&mut self, dep: DepId, bq: &mut Vec<Literal>, flags: u8) -> Norm {
        if self.acc.is_complex(dep) {
            match self.acc.node(dep) {
                DepNode::Cond(a, b) => return self.or(a, b, bq, flags, TODNF),
                DepNode::CondElse(a, b, c) => return self.if_else(a, b, c, bq, flags),
                DepNode::Unless(a, b) => return self.and(a, b, bq, flags, TODNF),
                DepNode::UnlessElse(a, b, c) => return self.unless_else(a, b, c, bq, flags),
                DepNode::Or(a, b) => return self.or(a, b, bq, flags, 0),
                DepNode::And(a, b) => return self.and(a, b, bq, flags, 0),
                _ => {}
            }
        }
        let provs = self.acc.dep_providers(dep);
        if provs.is_empty() {
            return Norm::False;
        }
        if provs[0] == SolvableId::SYSTEM {
            return Norm::True;
        }
        if flags & TODNF != 0 {
            for &p in provs.iter() {
                bq.push(Literal::pos(p));
                bq.push(Literal::NONE);
            }
        } else {
            let l: Vec<Literal> = provs.iter().map(|&p| Literal::pos(p)).collect();
            bq.push(MARK);
            bq.push(Literal::from_raw(self.lists.len() as i32));
            self.lists.push(l);
            bq.push(Literal::NONE);
        }
        Norm::Blocks
    }

    /// libsolv `pool_normalize_complex_dep`.
    pub(super) fn normalize(&mut self, dep: DepId, bq: &mut Vec<Literal>, flags: u8) -> Norm {
        let bqcnt = bq.len();
        let mut r = self.norm(dep, bq, flags);
        if flags & EXPAND != 0 && r == Norm::Blocks {
            self.expand(bq, bqcnt, 0);
        }
        if flags & INVERT != 0 {
            r = self.invert(bq, bqcnt, r);
        }
        r
    }

    /// Fully expanded CNF blocks of a complex dependency (for job rules and
    /// the recommends map): None for false, Some(empty) for true.
    pub(crate) fn cnf_expanded(&mut self, dep: DepId) -> Option<Vec<Vec<Literal>>> {
        let mut bq = Vec::new();
        match self.normalize(dep, &mut bq, EXPAND) {
            Norm::False => None,
            Norm::True => Some(Vec::new()),
            Norm::Blocks => Some(split_blocks(&bq)),
        }
    }
}

fn split_blocks(bq: &[Literal]) -> Vec<Vec<Literal>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &x in bq {
        if x.is_none() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(x);
        }
    }
    out
}

/// libsolv `pool_add_pos_literals_complex_dep`.
pub(super) fn pos_literals(pool: &Pool, mut dep: DepId, q: &mut Vec<SolvableId>, mut neg: bool) {
    loop {
        match pool.node(dep) {
            DepNode::And(a, b) | DepNode::Or(a, b) => {
                pos_literals(pool, a, q, neg);
                dep = b;
            }
            DepNode::Cond(a, b) | DepNode::Unless(a, b) => {
                pos_literals(pool, a, q, neg);
                neg = !neg;
                dep = b;
            }
            DepNode::CondElse(a, b, c) | DepNode::UnlessElse(a, b, c) => {
                pos_literals(pool, a, q, neg);
                neg = !neg;
                pos_literals(pool, c, q, !neg);
                dep = b;
            }
            _ => break,
        }
    }
    if !neg {
        q.extend(
            pool.dep_list(dep)
                .iter()
                .copied()
                .filter(|p| p.is_package()),
        );
    }
}
