//! The decision loop of the SAT engine ([`Solver`]): libsolv's
//! `solver_run_sat` (`src/solver.c`): assertions (`makeruledecisions`),
//! job rules in job order, every unsatisfied rule with the postponing
//! pass (`resolve_jobrules`, `resolve_dependencies`), branches
//! (`createbranch`, `takebranch`, `selectandinstall`) and the final
//! minimisation over them.

use log::trace;

use super::id::{Cause, Literal, RuleId};
use super::sat::{Mode, Solver, Unsat};
use crate::pool::SolvableId;

impl Solver<'_> {
    pub(crate) fn createbranch(&mut self, level: i32, dq: &[Literal], data: usize) {
        if log::log_enabled!(log::Level::Trace) {
            trace!("creating a branch [data={data}]:");
            for &p in dq {
                trace!("  - {}", self.sname(p));
            }
        }
        self.branches.push((-dq[0]).to_raw());
        self.branches.extend(dq[1..].iter().map(|l| l.to_raw()));
        self.branches.push(0);
        self.branches.push(data as i32);
        self.branches.push(dq.len() as i32 + 4);
        self.branches.push(level);
    }

    fn takebranch(&mut self, pos: usize, end: usize) -> Result<i32, Unsat> {
        let level = self.branches[end - 1];
        let p = Literal::from_raw(self.branches[pos]);
        self.branches[pos] = (-p).to_raw();
        self.branches[end - 1] = 0;
        self.revert(level);
        self.branches[end - 1] = level;
        let why = self.branches[end - 3] as usize;
        trace!("taking branch {} (level {level})", self.sname(p));
        self.setpropagatelearn(level, p, why)
    }

    pub(crate) fn selectandinstall(
        &mut self,
        level: i32,
        dq: &mut Vec<Literal>,
        ruleid: usize,
    ) -> Result<i32, Unsat> {
        if dq.len() > 1 {
            self.policy_filter_unwanted(dq, Mode::Choose);
        }
        if dq.len() > 1 && self.do_extra_reordering {
            self.reorder_for_future_installed(level, dq);
        }
        if dq.len() > 1 {
            self.createbranch(level, dq, ruleid);
        }
        let p = dq[0];
        trace!(
            "installing {} (level {}, rule {ruleid})",
            self.sname(p),
            level + 1
        );
        self.setpropagatelearn(level, p, ruleid)
    }

    // ----- the decision loop -----

    /// libsolv `makeruledecisions` (no weak rules): decide every
    /// assertion. Two assertions that disagree are a problem: it is
    /// recorded, its job rules are disabled and the assertions are decided
    /// again from the start.
    #[inline(never)]
    fn makeruledecisions(&mut self) -> i32 {
        self.decide(Literal::pos(SolvableId::SYSTEM), 1, Cause::NONE);
        let decisionstart = self.decisionq.len();
        'restart: loop {
            while self.decisionq.len() > decisionstart {
                let v = self.decisionq.pop().unwrap_or(Literal::NONE);
                self.decisionq_why.pop();
                self.decisionmap[v.solvable().to_usize()] = 0;
                if v.is_positive() {
                    self.set_block_visit(v.solvable(), false);
                }
            }
            self.drop_stamps(0);
            let mut havedisabled = false;
            for ii in 0..self.ruleassertions.len() {
                let ri = self.ruleassertions[ii];
                if havedisabled && ri >= self.learntrules {
                    self.enable_disable_learnt_rules();
                    havedisabled = false;
                }
                let r = self.rules[ri];
                if r.disabled || r.p.is_none() || !r.w2.is_none() {
                    continue;
                }
                let v = r.p;
                let vv = v.solvable().to_usize();
                if self.decisionmap[vv] == 0 {
                    self.decide(v, 1, Cause::propagated(RuleId::from_usize(ri)));
                    continue;
                }
                if v.is_positive() == (self.decisionmap[vv] > 0) {
                    continue;
                }
                if ri >= self.learntrules {
                    self.rules[ri].disabled = true;
                    continue;
                }
                // The decision this assertion contradicts, and its rule.
                let ori = if v == Literal::neg(SolvableId::SYSTEM) {
                    0
                } else {
                    self.decisionq
                        .iter()
                        .position(|&d| d == -v)
                        .and_then(|i| self.decisionq_why[i].propagated_by())
                        .map_or(0, RuleId::to_usize)
                };
                let mut to_disable = Vec::new();
                if ori < self.pkgrules_end {
                    to_disable.push(ri);
                } else {
                    // Conflicting job (or inferior-arch) assertions over
                    // this literal: all of them are the problem.
                    for i in self.pkgrules_end..self.learntrules {
                        let rr = self.rules[i];
                        if rr.disabled || !rr.w2.is_none() || rr.p.solvable() != v.solvable() {
                            continue;
                        }
                        to_disable.push(i);
                    }
                }
                let mut proof = vec![ri];
                if ori != 0 {
                    proof.push(ori);
                }
                let rules = self.expand_proof(&proof);
                self.problems.push(rules);
                for r in to_disable {
                    self.disable_problem(r);
                }
                continue 'restart;
            }
            break;
        }
        1
    }

    #[inline(never)]
    fn resolve_jobrules(&mut self, mut level: i32) -> Result<i32, Unsat> {
        let oldlevel = level;
        let mut i = self.jobrules;
        let mut dq = Vec::new();
        while i < self.jobrules_end {
            let r = self.rules[i];
            if r.disabled {
                i += 1;
                continue;
            }
            dq.clear();
            let mut satisfied = false;
            for l in self.rule_lits(i) {
                let v = self.decided(l.solvable());
                if l.is_negative() {
                    if v <= 0 {
                        satisfied = true;
                        break;
                    }
                } else {
                    if v > 0 {
                        satisfied = true;
                        break;
                    }
                    if v == 0 {
                        dq.push(l);
                    }
                }
            }
            if satisfied || dq.is_empty() {
                i += 1;
                continue;
            }
            self.prune_to_installed(&mut dq);
            let olevel = level;
            level = self.selectandinstall(level, &mut dq, i)?;
            if level <= olevel {
                if level == olevel {
                    continue; // try this job again
                }
                if level < oldlevel {
                    return Ok(level);
                }
                i = self.jobrules;
                continue;
            }
            i += 1;
        }
        Ok(level)
    }

    #[inline(never)]
    fn resolve_dependencies(&mut self, mut level: i32) -> Result<i32, Unsat> {
        let origlevel = level;
        let mut postponed: i64 = 0;
        let nrules = |s: &Self| s.rules.len();
        let mut i: usize = 1;
        let mut n: usize = 1;
        let mut dq: Vec<Literal> = Vec::new();
        loop {
            if n >= nrules(self) {
                if postponed <= 0 {
                    break;
                }
                i = postponed as usize;
                postponed = -1;
                n = 1;
            }
            if i == nrules(self) {
                i = 1;
            }
            let ri = i;
            // Package rules that would be passed over are skipped in runs:
            // those of blocks whose (negative) first literal's package is
            // not installed (libsolv visits and skips them one by one;
            // landing exactly where its cycle counter would trigger keeps
            // the order identical), and those already found satisfied for
            // good (they would be passed over until a decision is taken
            // back). `visit` has a bit for every other package rule.
            if ri < self.pkgrules_end && !self.visit_bit(ri) {
                let j = self.next_visit(ri);
                let k = (j - ri).min(nrules(self) - n);
                i += k;
                n += k;
                continue;
            }
            i += 1;
            n += 1;
            let r = self.rules[ri];
            let pkg = ri < self.pkgrules_end;
            // Passed over now and until a decision is taken back.
            // (at the level of the decision that satisfies it; 0: for ever).
            macro_rules! settled {
                ($level:expr) => {{
                    if pkg {
                        let l = $level;
                        self.settle(ri, l);
                    }
                    continue;
                }};
            }
            if r.disabled {
                settled!(0);
            }
            if r.p.is_negative() && (r.d == 0 || self.decided(r.p.solvable()) <= 0) {
                if r.d == 0 {
                    settled!(0);
                }
                continue;
            }
            dq.clear();
            if r.d == 0 {
                if !r.w2.is_positive() {
                    settled!(0);
                }
                let (a, b) = (
                    self.decided(r.p.solvable()).abs(),
                    self.decided(r.w2.solvable()).abs(),
                );
                if a != 0 || b != 0 {
                    settled!(if a == 0 || (b != 0 && b < a) { b } else { a });
                }
                dq.push(r.p);
                dq.push(r.w2);
            } else {
                if !r.p.is_negative() {
                    let v = self.decided(r.p.solvable());
                    if v > 0 {
                        settled!(v);
                    }
                    if v == 0 {
                        dq.push(r.p);
                    }
                }
                let mut k = r.d as usize;
                // 0: open; 1: passed over for now; 2: satisfied at `lvl`.
                let mut done = 0;
                let mut lvl = 0;
                loop {
                    let p = self.lits[k];
                    if p.is_none() {
                        break;
                    }
                    k += 1;
                    let v = self.decided(p.solvable());
                    if p.is_negative() {
                        if v <= 0 {
                            done = if v < 0 { 2 } else { 1 };
                            lvl = -v;
                            break;
                        }
                    } else {
                        if v > 0 {
                            done = 2;
                            lvl = v;
                            break;
                        }
                        if v == 0 {
                            dq.push(p);
                        }
                    }
                }
                if done == 2 {
                    settled!(lvl);
                }
                if done == 1 {
                    continue;
                }
            }
            if dq.len() < 2 {
                // Cannot happen for an unsatisfied, propagated rule.
                continue;
            }
            if dq.len() > 1 && postponed >= 0 {
                self.policy_filter_unwanted(&mut dq, Mode::ChooseNoReorder);
                if dq.len() > 1 {
                    if postponed == 0 {
                        postponed = ri as i64;
                    }
                    continue;
                }
            }
            level = self.selectandinstall(level, &mut dq, ri)?;
            if level < origlevel {
                break;
            }
            // Something changed: look at all rules again (libsolv sets n = 0
            // and its loop increment makes it 1).
            n = 1;
        }
        Ok(level)
    }

    /// Package rule `r` is satisfied for good (a literal that stays true, or
    /// a decided binary rule, until a decision is taken back) or never
    /// chosen from (disabled, binary with a negative first literal):
    /// `resolve_dependencies` passes over it from now on.
    fn settle(&mut self, r: usize, level: i32) {
        self.visit[r >> 6] &= !(1 << (r & 63));
        self.stamped.push((r as u32, level));
    }

    fn visit_bit(&self, r: usize) -> bool {
        self.visit[r >> 6] & (1 << (r & 63)) != 0
    }

    /// The first package rule at or after `r` to look at, or `pkgrules_end`.
    fn next_visit(&self, r: usize) -> usize {
        let mut w = r >> 6;
        let mut bits = self.visit[w] & (!0u64 << (r & 63));
        loop {
            if bits != 0 {
                return ((w << 6) + bits.trailing_zeros() as usize).min(self.pkgrules_end);
            }
            w += 1;
            if w >= self.visit.len() {
                return self.pkgrules_end;
            }
            bits = self.visit[w];
        }
    }

    pub(crate) fn set_visit(&mut self, a: usize, b: usize, on: bool) {
        for r in a..b {
            if on {
                self.visit[r >> 6] |= 1 << (r & 63);
            } else {
                self.visit[r >> 6] &= !(1 << (r & 63));
            }
        }
    }

    /// Package `n` was installed (`on`) or taken back: the rules of its
    /// block are to be looked at, or passed over.
    pub(super) fn set_block_visit(&mut self, n: SolvableId, on: bool) {
        let start = self.blk_start[n.to_usize()] as usize;
        if start != 0 {
            let end = self.block_end[start] as usize;
            self.set_visit(start, end, on);
        }
    }

    /// Decisions above `level` were taken back: rules satisfied above it
    /// may no longer be; those whose block's package is still installed
    /// (or whose first literal is positive) are looked at again.
    pub(super) fn drop_stamps(&mut self, level: i32) {
        let mut keep = 0;
        for k in 0..self.stamped.len() {
            let (r, l) = self.stamped[k];
            if l <= level {
                self.stamped[keep] = (r, l);
                keep += 1;
                continue;
            }
            let r = r as usize;
            let p = self.rules[r].p;
            if !p.is_negative() || self.decided(p.solvable()) > 0 {
                self.visit[r >> 6] |= 1 << (r & 63);
            }
        }
        self.stamped.truncate(keep);
    }

    /// libsolv `solver_run_sat` (with `disablerules`): a level of 0 means
    /// a problem was recorded and its rules disabled: start over.
    #[inline(never)]
    pub(super) fn run_sat(&mut self) -> Result<(), Unsat> {
        let mut level = 0;
        let mut systemlevel = 1;
        loop {
            if level <= 0 {
                level = self.makeruledecisions();
                if let Some(r) = self.propagate(level) {
                    level = self.analyze_unsolvable(r)?;
                    continue;
                }
                systemlevel = level + 1;
            }
            if level < systemlevel {
                let olevel = level;
                self.do_extra_reordering = !self.installed_list.is_empty();
                let res = self.resolve_jobrules(level);
                self.do_extra_reordering = false;
                level = res?;
                if level < olevel {
                    continue;
                }
                systemlevel = level + 1;
            }
            if level < systemlevel && !self.installed_list.is_empty() {
                let olevel = level;
                level = self.resolve_installed(level)?;
                if level < olevel {
                    continue;
                }
                systemlevel = level + 1;
            }
            if level < systemlevel {
                systemlevel = level;
            }
            let olevel = level;
            level = self.resolve_dependencies(level)?;
            if level < olevel {
                continue;
            }
            // A consistent system: now the weak dependencies (`weak.rs`).
            if self.weak_deps {
                let (l, rerun) = self.resolve_weak(level)?;
                level = l;
                if rerun {
                    continue;
                }
            }
            if self.choicerules != self.choicerules_end && self.check_unneeded_choice_rules() {
                trace!("did choice rule minimization, rerunning solver");
                self.reset();
                level = 0;
                continue;
            }
            // Auto-minimisation over the branches.
            if !self.branches.is_empty() {
                if self.recommends_index < self.decisionq.len() as i64 {
                    self.update_recommendsmap();
                }
                let mut lasti: i64 = -1;
                let mut lastiend: usize = 0;
                let mut endi = self.branches.len();
                while endi > 0 {
                    let starti = endi - self.branches[endi - 2] as usize;
                    let l = self.branches[endi - 1];
                    let mut lastsi: i64 = -1;
                    for i in starti..endi - 4 {
                        let p = Literal::from_raw(self.branches[i]);
                        if !p.is_positive() {
                            continue;
                        }
                        let p = p.solvable();
                        if self.decided(p) > l {
                            lasti = i as i64;
                            lastiend = endi;
                            lastsi = -1;
                            break;
                        }
                        if lastsi < 0
                            && (self.recommendsmap[p.to_usize()] || self.is_supplementing(p))
                        {
                            lastsi = i as i64;
                        }
                    }
                    if lastsi >= 0 {
                        for i in starti..endi - 4 {
                            let p = -Literal::from_raw(self.branches[i]);
                            if !p.is_positive() || self.decided(p.solvable()) != l + 1 {
                                continue;
                            }
                            let p = p.solvable();
                            if !(self.recommendsmap[p.to_usize()] || self.is_supplementing(p)) {
                                lasti = lastsi;
                                lastiend = endi;
                                break;
                            }
                        }
                    }
                    endi = starti;
                }
                if lasti >= 0 {
                    level = self.takebranch(lasti as usize, lastiend)?;
                    continue;
                }
            }
            break;
        }
        let _ = systemlevel;
        Ok(())
    }
}
