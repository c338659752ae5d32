//! Rule generation, as libsolv's `solver_solve` does it for a fresh install:
//! package rules from a work-list walk starting at the job candidates
//! (`solver_addpkgrulesforsolvable`), packages pulled in by possible
//! Supplements/Enhances (`solver_addpkgrulesforweak`), sorting and
//! de-duplication (`solver_unifyrules`), job rules in job order, then the
//! inferior-arch rules (`solver_addinfarchrules`).
//!
//! Each solvable's own rules (rich dependencies as CNF blocks among them) come
//! from `pkgrules.rs`, computed once per solvable; this module walks, copies
//! and unifies them per transaction. The normalisation is `cplxdeps.rs`.
//!
//! The parts live in submodules: `walk.rs` (the work-list walk and the
//! weak fixpoint), `unify.rs` (sorting and de-duplication) and `infarch.rs`
//! (the inferior-arch rules); this file puts a transaction's rules together
//! in libsolv's order (`solver_solve`), job rules included.

mod infarch;
mod unify;
mod walk;

use super::cplxdeps::Cnf;
use super::id::Literal;
use super::jobs::SolverJob;
use super::sat::{Rule, RuleInfo, Solver};
use crate::pool::{DepAccess, SolvableId, StrId};

pub(super) use unify::rule_cmp;

impl Solver<'_> {
    /// The package rules of the walk from `jobs`' candidates, unified: the
    /// base that transactions starting with these jobs share.
    pub(crate) fn base_rules(&mut self, jobs: &[SolverJob]) -> BaseRules {
        for job in jobs {
            for p in job.candidates(&self.ov) {
                if p.is_package() {
                    self.add_pkg_rules_for(p, true);
                }
            }
        }
        self.unify_rules();
        BaseRules {
            strong: self.strong_list.clone(),
            rules: self.rules.clone(),
            infos: self.infos.clone(),
            lits: self.lits.clone(),
        }
    }

    /// Creates all rules for the jobs. With `base` (the package rules of the
    /// walk from the first jobs' candidates, see [`BaseRules`]), that part
    /// of the walk is not repeated: its solvables start marked, its unified
    /// rules are merged with the rest's.
    #[inline(never)]
    pub(crate) fn add_rules(&mut self, jobs: &[SolverJob], base: Option<&BaseRules>) {
        let pool = self.ov.pool;
        if let Some(b) = base {
            // Base rules keep their literal offsets: their lists come first.
            self.lits.clear();
            self.lits.extend_from_slice(&b.lits);
            for &n in &b.strong {
                self.strong[n.to_usize()] = true;
                self.added[n.to_usize()] = true;
            }
            self.strong_list.extend_from_slice(&b.strong);
            self.added_list.extend_from_slice(&b.strong);
        }
        // On an installed system (never with a base) the walk starts at
        // the installed packages and their update candidates.
        debug_assert!(base.is_none() || self.installed_list.is_empty());
        self.add_installed_pkg_rules();
        for job in jobs {
            for p in job.candidates(&self.ov) {
                if p.is_package() {
                    self.add_pkg_rules_for(p, true);
                }
            }
        }
        // The CNF blocks of rich builddep jobs. libsolv walks only the job's
        // `whatprovides` set (for `A if C else B`: providers of A and B), so
        // a positive literal of a block outside it (C here) has package
        // rules only when the walk reached it some other way, weakly
        // included; reached only weakly, it must get its rules (and its
        // requirements become strong), or installing it would skip them.
        let job_cnf: Vec<Option<Option<Vec<Vec<Literal>>>>> = jobs
            .iter()
            .map(|job| match job {
                SolverJob::Provides { dep } if self.ov.is_complex(*dep) => {
                    Some(Cnf::new(&self.ov).cnf_expanded(*dep))
                }
                _ => None,
            })
            .collect();
        let mut job_lits: Vec<SolvableId> = job_cnf
            .iter()
            .flatten()
            .flatten()
            .flatten()
            .flatten()
            .filter(|&&l| l.is_positive() && l.solvable().is_package())
            .map(|&l| l.solvable())
            .filter(|&p| !self.strong[p.to_usize()])
            .collect();
        let mut weak_done = false;
        if !job_lits.is_empty() {
            job_lits.sort_unstable();
            job_lits.dedup();
            self.add_weak_reach();
            weak_done = true;
            for p in job_lits {
                if self.added[p.to_usize()] && !self.strong[p.to_usize()] {
                    self.add_pkg_rules_for(p, true);
                }
            }
        }
        // Only the inferior-arch rules look at weakly reached solvables, and
        // only a strong solvable of an inferior arch class can be affected:
        // unless a strong same-name package of the best class already fixes
        // its group's best arch, the weak walk must run.
        let first_class = |sc: u32| sc > 1 && (sc & 0xffff_0000) == 0x10000;
        let needs_weak = self.strong_list.iter().any(|&n| {
            let d = pool.sd(n);
            let inferior = d.score > 1 && (d.score & 0xffff_0000) > 0x10000;
            inferior
                && !pool.name_list(d.name).iter().any(|&q| {
                    let qd = pool.sd(q);
                    qd.name == d.name && self.strong[q.to_usize()] && first_class(qd.score)
                })
        });
        if self.weak_deps {
            // Every solvable of the walk has its rules already (the strong
            // walk followed Recommends/Suggests); the Supplements/Enhances
            // fixpoint adds its solvables with their rules too.
            self.add_pkg_rules_for_weak();
        } else if needs_weak && !weak_done {
            self.add_weak_reach();
        }
        self.unify_rules();
        if let Some(b) = base {
            self.merge_base(b);
        }
        self.pkgrules_end = self.rules.len();
        let mut block_end = std::mem::take(&mut self.block_end);
        block_end.clear();
        block_end.resize(self.pkgrules_end, 0);
        let mut end = self.pkgrules_end;
        for i in (1..self.pkgrules_end).rev() {
            if i + 1 < self.pkgrules_end && self.rules[i + 1].p != self.rules[i].p {
                end = i + 1;
            }
            block_end[i] = end as u32;
        }
        self.block_end = block_end;
        // Blocks by package, and the rules to look at before any decision:
        // those of blocks with a positive first literal.
        self.visit.clear();
        self.visit.resize(self.pkgrules_end.div_ceil(64), 0);
        let mut r = 1;
        while r < self.pkgrules_end {
            let end = self.block_end[r] as usize;
            let p = self.rules[r].p;
            if p.is_negative() {
                self.blk_start[p.solvable().to_usize()] = r as u32;
            } else {
                self.set_visit(r, end, true);
            }
            r = end;
        }
        self.add_update_rules();

        self.jobrules = self.rules.len();
        self.job_deps = jobs
            .iter()
            .map(|j| match j {
                SolverJob::Provides { dep } => Some(*dep),
                SolverJob::OneOf { .. } => None,
            })
            .collect();
        for (ji, job) in jobs.iter().enumerate() {
            let info = RuleInfo::job(ji);
            match job {
                SolverJob::OneOf { cands, .. } => {
                    if cands.is_empty() {
                        continue;
                    }
                    let l: Vec<Literal> = cands.iter().map(|&c| Literal::pos(c)).collect();
                    self.add_rule(l[0], Literal::NONE, Some(&l[1..]), info);
                }
                SolverJob::Provides { dep } => {
                    let dep = *dep;
                    if let Some(cnf) = &job_cnf[ji] {
                        match cnf.clone() {
                            None => {
                                let none = Literal::neg(SolvableId::SYSTEM);
                                self.add_rule(none, Literal::NONE, None, info);
                            }
                            Some(blocks) => {
                                for b in blocks {
                                    self.add_rule(b[0], Literal::NONE, Some(&b[1..]), info);
                                }
                            }
                        }
                    } else {
                        let l: Vec<Literal> = self
                            .ov
                            .dep_providers(dep)
                            .iter()
                            .map(|&c| Literal::pos(c))
                            .collect();
                        if l.is_empty() {
                            let none = Literal::neg(SolvableId::SYSTEM);
                            self.add_rule(none, Literal::NONE, None, info);
                        } else {
                            self.add_rule(l[0], Literal::NONE, Some(&l[1..]), info);
                        }
                    }
                }
            }
        }
        self.jobrules_end = self.rules.len();

        self.add_infarch_rules();

        // Install jobs carry SETARCH: the inferior-arch rules of their
        // candidates' names are switched off (libsolv `jobtodisablelist`).
        for job in jobs {
            if let SolverJob::OneOf {
                cands,
                setarch: true,
            } = job
            {
                let mut names: Vec<StrId> = Vec::new();
                for &c in cands {
                    let name = self.ov.pool.sd(c).name;
                    if names.contains(&name) {
                        continue;
                    }
                    let has = (self.infarchrules..self.infarchrules_end)
                        .any(|i| self.rules[i].p == Literal::neg(c));
                    if has {
                        names.push(name);
                    }
                }
                for name in names {
                    for i in self.infarchrules..self.infarchrules_end {
                        let p = self.rules[i].p;
                        if p.is_negative() && self.ov.pool.sd(p.solvable()).name == name {
                            self.rules[i].disabled = true;
                        }
                    }
                }
            }
        }

        self.add_choice_rules();

        self.learntrules = self.rules.len();
        for i in 1..self.rules.len() {
            let r = &self.rules[i];
            if !r.p.is_none() && r.w2.is_none() && r.d == 0 {
                self.ruleassertions.push(i);
            }
        }
    }
}

/// The unified package rules of the walk from some jobs' candidates (the
/// core buildroot's), shared by the transactions that start with those jobs:
/// the package rules of a transaction are the sorted, de-duplicated rules of
/// the solvables its walk reaches, a function of that set alone, and the
/// walk from the first jobs reaches the same solvables in every transaction.
pub(crate) struct BaseRules {
    /// The solvables reached, in walk order.
    pub strong: Vec<SolvableId>,
    /// Unified rules (index 0 the dummy), literal lists in `lits`.
    pub rules: Vec<Rule>,
    /// Why each rule exists.
    pub infos: Vec<RuleInfo>,
    /// The rules' literal lists.
    pub lits: Vec<Literal>,
}
