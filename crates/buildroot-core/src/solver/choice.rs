//! Choice rules on an installed system: libsolv 0.7.23's
//! `solver_addchoicerules`, `solver_check_unneeded_choicerules` and
//! `solver_disablechoicerules` (`src/rules.c`, `src/solver.c`).
//!
//! For a requirement of a package A (a package rule `-A | B1 | … | Bn`)
//! whose providers include both packages tied to an installed package
//! (the installed package itself, another version of its name, a package
//! obsoleting it) and independent ones, libsolv adds a weak rule
//! `-A | (the tied providers)`: installing A, it satisfies the requirement
//! through what is installed (or its update) rather than through a new
//! package. The rule is only made when some tied installed package has an
//! update candidate that does not provide the requirement. Three ways out:
//! - the solution installs an independent provider of the requirement for
//!   another reason: the choice rule was not needed, it (and every choice
//!   rule over one of those providers) is switched off and solving starts
//!   again (`solver_check_unneeded_choicerules`, after the weak
//!   dependencies, before the minimisation);
//! - it is part of the proof that the jobs cannot be solved: it is switched
//!   off likewise instead of a job (`disable_weakrules`), and solving starts
//!   again;
//! - otherwise it stands: a package whose requirement only an update of a
//!   kept installed package would meet this way is not installed — the
//!   usual victim is a weak dependency, which is then dropped.
//!
//! dnf's flags decide what counts as tied: downgrades, vendor and name
//! changes are allowed, arch class changes are not; inferior-arch packages
//! (`mneg`) are never tied.

use super::id::Literal;
use super::sat::{RuleInfo, RuleKind, Solver};
use crate::pool::{match_nevr, DepAccess, DepId, SolvableId};

impl Solver<'_> {
    /// libsolv `choicerule_find_installed`: the installed package `p` would
    /// replace (itself when installed), if any.
    fn choice_find_installed(&self, p: SolvableId) -> Option<SolvableId> {
        let pool = self.ov.pool;
        if self.is_installed(p) {
            return Some(p);
        }
        let s = pool.sd(p);
        for &q in self.ov.name_providers(s.name).iter() {
            if !q.is_package() || !self.is_installed(q) {
                continue;
            }
            let d = pool.sd(q);
            if d.name != s.name {
                continue;
            }
            if !(d.arch == s.arch || d.color & s.color != 0) {
                continue;
            }
            return Some(q);
        }
        for &obs in pool.deps_of(s.obsoletes) {
            for &q in pool.dep_list(obs) {
                if !q.is_package() || !self.is_installed(q) {
                    continue;
                }
                let d = pool.sd(q);
                if !match_nevr(pool, d.name, d.evr, obs) {
                    continue;
                }
                return Some(q);
            }
        }
        None
    }

    /// libsolv `policy_is_illegal` with dnf's flags: only an arch class
    /// change (noarch excepted) is illegal.
    fn choice_illegal(&self, installed: SolvableId, p: SolvableId) -> bool {
        let pool = self.ov.pool;
        let (a, b) = (pool.sd(installed), pool.sd(p));
        a.arch != b.arch && a.score != 1 && b.score != 1 && ((a.score ^ b.score) & 0xffff_0000) != 0
    }

    /// libsolv `solver_addchoicerules` (after the inferior-arch rules).
    pub(crate) fn add_choice_rules(&mut self) {
        self.choicerules = self.rules.len();
        self.choice_info.clear();
        if self.installed_list.is_empty() {
            self.choicerules_end = self.rules.len();
            return;
        }
        let mut mneg: Vec<SolvableId> = Vec::new();
        for ri in self.infarchrules..self.infarchrules_end {
            let r = self.rules[ri];
            if r.p.is_negative() && r.w2.is_none() && r.d == 0 {
                mneg.push(r.p.solvable());
            }
        }
        mneg.sort_unstable();
        let mut last: Option<(Literal, Vec<Literal>)> = None;
        for rid in 1..self.pkgrules_end {
            let r = self.rules[rid];
            if !r.p.is_negative() || (r.d == 0 && !r.w2.is_positive()) {
                continue; // requires rules only
            }
            let lits = self.rule_lits(rid);
            let mut qi: Vec<(SolvableId, SolvableId)> = Vec::new();
            let mut havechoice = false;
            for &l in &lits {
                if l.is_negative() {
                    continue;
                }
                let p = l.solvable();
                if !p.is_package() {
                    continue;
                }
                if self.is_installed(p) {
                    qi.push((p, p));
                    continue;
                }
                if let Some(p2) = self.choice_find_installed(p) {
                    if mneg.binary_search(&p).is_ok() || self.choice_illegal(p2, p) {
                        continue;
                    }
                    qi.push((p2, p));
                    continue;
                }
                havechoice = true;
            }
            if !havechoice || qi.is_empty() {
                continue;
            }
            let m: Vec<SolvableId> = lits
                .iter()
                .filter(|l| l.is_positive())
                .map(|l| l.solvable())
                .collect();
            // Needed only when a tied installed package has an update
            // candidate outside the requirement's providers.
            let mut needed = false;
            let mut seen: Vec<SolvableId> = Vec::new();
            for &(p2, _) in &qi {
                if seen.contains(&p2) {
                    continue;
                }
                seen.push(p2);
                let Some(&(_, ur)) = self.update_rule_of.iter().find(|(q, _)| *q == p2) else {
                    continue;
                };
                if self
                    .rule_lits(ur)
                    .iter()
                    .any(|l| !m.contains(&l.solvable()))
                {
                    needed = true;
                    break;
                }
            }
            if !needed {
                continue;
            }
            let mut q: Vec<Literal> = Vec::new();
            let negs: Vec<Literal> = lits.iter().copied().filter(|l| l.is_negative()).collect();
            if negs.len() > 1 {
                q.extend(negs.iter().copied().filter(|&l| l != r.p));
            }
            q.extend(qi.iter().map(|&(_, p)| Literal::pos(p)));
            if let Some((lp, lq)) = &last {
                if *lp == r.p && *lq == q {
                    continue;
                }
            }
            let info = RuleInfo::new(
                RuleKind::Choice,
                r.p.solvable(),
                SolvableId::NONE,
                DepId::NONE,
            );
            if q.len() == 1 {
                self.add_rule(r.p, q[0], None, info);
            } else {
                self.add_rule(r.p, Literal::NONE, Some(&q), info);
            }
            self.choice_info.push(rid);
            last = Some((r.p, q));
        }
        self.choicerules_end = self.rules.len();
    }

    /// Whether rule `r` is a choice rule.
    pub(crate) fn is_choice_rule(&self, r: usize) -> bool {
        (self.choicerules..self.choicerules_end).contains(&r)
    }

    /// libsolv `solver_disablechoicerules`: switches off choice rule `r` and
    /// every choice rule whose requirement has a provider that the
    /// requirement of `r` has and `r` left out.
    pub(crate) fn disable_choice_rules(&mut self, r: usize) {
        self.rules[r].disabled = true;
        let or = self.choice_info[r - self.choicerules];
        let kept: Vec<Literal> = self.rule_lits(r);
        let m: Vec<Literal> = self
            .rule_lits(or)
            .into_iter()
            .filter(|l| l.is_positive() && !kept.contains(l))
            .collect();
        for rid in self.choicerules..self.choicerules_end {
            if self.rules[rid].disabled {
                continue;
            }
            let or = self.choice_info[rid - self.choicerules];
            if self
                .rule_lits(or)
                .iter()
                .any(|l| l.is_positive() && m.contains(l))
            {
                self.rules[rid].disabled = true;
            }
        }
    }

    /// libsolv `solver_check_unneeded_choicerules`: a choice rule whose
    /// requirement is met by an installed provider it left out is switched
    /// off (with its kin). True when one was: solving starts again.
    pub(crate) fn check_unneeded_choice_rules(&mut self) -> bool {
        let mut havedisabled = false;
        for i in self.choicerules..self.choicerules_end {
            if self.rules[i].disabled {
                continue;
            }
            let or = self.choice_info[i - self.choicerules];
            if self.rules[or].disabled {
                continue;
            }
            let lits = self.rule_lits(i);
            for p in self.rule_lits(or) {
                if !p.is_positive() || self.decided(p.solvable()) <= 0 {
                    continue;
                }
                if !lits.contains(&p) {
                    log::trace!("disabling unneeded choice rule #{i}");
                    self.disable_choice_rules(i);
                    havedisabled = true;
                    break;
                }
            }
        }
        havedisabled
    }
}
