//! The work-list walk that picks which solvables get package rules, as
//! libsolv's `solver_addpkgrulesforsolvable` walks from the job candidates,
//! and the weak part: packages whose Supplements/Enhances could be
//! fulfilled (`solver_addpkgrulesforweak`, with `solver_dep_possible`).

use std::collections::VecDeque;

use crate::pool::{DepAccess, DepId, DepNode, SolvableId};
use crate::solver::sat::{Rule, Solver};

impl Solver<'_> {
    /// libsolv `solver_addpkgrulesforsolvable`: a work-list walk from
    /// `start`; every reached solvable is marked in `added` (libsolv's
    /// `addedmap`).
    ///
    /// libsolv walks requirements, lock-step partners and weak dependencies
    /// alike. Here a strong walk (requirements and lock-step partners)
    /// materialises rules; the weak walk (from Recommends/Suggests, and the
    /// Supplements fixpoint) only marks `added`. A solvable reached only
    /// weakly never occurs as a positive literal in a rule of a strong
    /// solvable, so it can never be installed: its rules could only ever
    /// decide it false, never steer or block a strong decision, and leaving
    /// them out keeps the order of every other rule. `added` matters only to
    /// the inferior-arch rules, so the weak walk runs only when a strong
    /// solvable has an inferior arch (see `add_rules`).
    #[inline(never)]
    pub(crate) fn add_pkg_rules_for(&mut self, start: SolvableId, strong: bool) {
        let pool = self.ov.pool;
        let mut workq: VecDeque<SolvableId> = VecDeque::new();
        workq.push_back(start);
        while let Some(n) = workq.pop_front() {
            let ni = n.to_usize();
            if (strong && self.strong[ni]) || (!strong && self.added[ni]) {
                continue;
            }
            if !self.added[ni] {
                self.added[ni] = true;
                self.added_list.push(n);
            }
            let sr = self.cache.get(pool, n);
            if strong {
                self.strong[ni] = true;
                self.strong_list.push(n);
                // Literal lists keep their layout: offsets shift by one base.
                let off = self.lits.len() as u32 - 1;
                self.lits.extend_from_slice(&sr.lits[1..]);
                self.rules.extend(sr.rules.iter().map(|r| Rule {
                    d: if r.d != 0 { r.d + off } else { 0 },
                    ..*r
                }));
                self.infos.extend_from_slice(&sr.infos);
                for &p in &sr.succ {
                    if !self.strong[p.to_usize()] {
                        workq.push_back(p);
                    }
                }
                // Installing weak dependencies: what they reach can be
                // installed, so it gets its rules as libsolv gives them.
                if self.weak_deps {
                    for &p in &sr.weak {
                        if !self.strong[p.to_usize()] {
                            workq.push_back(p);
                        }
                    }
                }
            } else {
                for &p in sr.succ.iter().chain(&sr.weak) {
                    if !self.added[p.to_usize()] {
                        workq.push_back(p);
                    }
                }
            }
        }
    }

    /// The weak part of libsolv's walk: Recommends/Suggests of everything
    /// reached, then the Supplements/Enhances fixpoint.
    #[inline(never)]
    pub(super) fn add_weak_reach(&mut self) {
        let pool = self.ov.pool;
        let strong: Vec<SolvableId> = self.strong_list.clone();
        for n in strong {
            for &p in &self.cache.get(pool, n).weak {
                if !self.added[p.to_usize()] {
                    self.add_pkg_rules_for(p, false);
                }
            }
        }
        self.add_pkg_rules_for_weak();
    }

    /// libsolv `solver_dep_possible` for Supplements/Enhances.
    fn dep_possible(&self, dep: DepId) -> bool {
        match self.ov.node(dep) {
            DepNode::Cond(..)
            | DepNode::CondElse(..)
            | DepNode::Unless(..)
            | DepNode::UnlessElse(..) => true,
            DepNode::And(a, b) => self.dep_possible(a) && self.dep_possible(b),
            DepNode::Or(a, b) => self.dep_possible(a) || self.dep_possible(b),
            _ => self
                .ov
                .dep_providers(dep)
                .iter()
                .any(|&p| self.added[p.to_usize()]),
        }
    }

    /// libsolv `solver_addpkgrulesforweak`: packages whose Supplements or
    /// Enhances could be fulfilled get rules too.
    pub(super) fn add_pkg_rules_for_weak(&mut self) {
        let pool = self.ov.pool;
        let cands = self.cache.weak_candidates(pool);
        loop {
            let mut changed = false;
            for &s in cands {
                if self.added[s.to_usize()] {
                    continue;
                }
                let d = pool.sd(s);
                let possible = pool
                    .deps_of(d.supplements)
                    .iter()
                    .any(|&x| self.dep_possible(x))
                    || pool
                        .deps_of(d.enhances)
                        .iter()
                        .any(|&x| self.dep_possible(x));
                if possible {
                    self.add_pkg_rules_for(s, self.weak_deps);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
}
