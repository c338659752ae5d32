//! Watches, unit propagation and conflict analysis of the SAT engine
//! ([`Solver`]): libsolv's `makewatches`, `addwatches_rule`, `propagate`,
//! `analyze` (first UIP), `analyze_unsolvable`, `revert`,
//! `enabledisablelearntrules` and `reset_solver` (`src/solver.c`), in
//! libsolv's order of visits.

use log::trace;

use super::id::{Cause, Literal, RuleId};
use super::sat::{RuleInfo, RuleKind, Solver, Unsat};
use crate::pool::{DepId, SolvableId};

impl Solver<'_> {
    fn widx(&self, lit: Literal) -> usize {
        lit.watch_index(self.nsolv)
    }

    #[inline(never)]
    pub(crate) fn make_watches(&mut self) {
        for ri in (1..self.rules.len()).rev() {
            let r = self.rules[ri];
            if r.w2.is_none() {
                continue;
            }
            let (a, b) = (self.widx(r.w1), self.widx(r.w2));
            self.rules[ri].n1 = self.watches[a];
            self.watches[a] = RuleId::from_usize(ri);
            self.rules[ri].n2 = self.watches[b];
            self.watches[b] = RuleId::from_usize(ri);
        }
    }

    fn add_watches(&mut self, ri: usize) {
        let r = self.rules[ri];
        let (a, b) = (self.widx(r.w1), self.widx(r.w2));
        self.rules[ri].n1 = self.watches[a];
        self.watches[a] = RuleId::from_usize(ri);
        self.rules[ri].n2 = self.watches[b];
        self.watches[b] = RuleId::from_usize(ri);
    }

    pub(super) fn decide(&mut self, lit: Literal, level: i32, why: Cause) {
        let s = lit.solvable();
        if lit.is_positive() {
            self.decisionmap[s.to_usize()] = level;
            self.set_block_visit(s, true);
        } else {
            self.decisionmap[s.to_usize()] = -level;
        }
        self.decisionq.push(lit);
        self.decisionq_why.push(why);
    }

    /// Unit propagation; returns a conflicting rule.
    #[inline(never)]
    pub(super) fn propagate(&mut self, level: i32) -> Option<usize> {
        #[derive(Clone, Copy)]
        enum Slot {
            Head(usize),
            N1(usize),
            N2(usize),
        }
        while self.propagate_index < self.decisionq.len() {
            let pkg = -self.decisionq[self.propagate_index];
            self.propagate_index += 1;
            let mut rp = Slot::Head(self.widx(pkg));
            loop {
                let cur = match rp {
                    Slot::Head(i) => self.watches[i],
                    Slot::N1(r) => self.rules[r].n1,
                    Slot::N2(r) => self.rules[r].n2,
                }
                .to_usize();
                if cur == 0 {
                    break;
                }
                let r = self.rules[cur];
                let (other, next_rp) = if pkg == r.w1 {
                    (r.w2, Slot::N1(cur))
                } else {
                    (r.w1, Slot::N2(cur))
                };
                if r.disabled {
                    rp = next_rp;
                    continue;
                }
                if self.is_true(other) {
                    rp = next_rp;
                    continue;
                }
                if r.d != 0 {
                    let mut found = Literal::NONE;
                    if !r.p.is_none() && r.p != other && !self.is_false(r.p) {
                        found = r.p;
                    } else {
                        let mut i = r.d as usize;
                        loop {
                            let p = self.lits[i];
                            if p.is_none() {
                                break;
                            }
                            if p != other && !self.is_false(p) {
                                found = p;
                                break;
                            }
                            i += 1;
                        }
                    }
                    if !found.is_none() {
                        // Unlink from this chain and move the watch to `found`.
                        let next = match next_rp {
                            Slot::N1(x) => self.rules[x].n1,
                            Slot::N2(x) => self.rules[x].n2,
                            Slot::Head(_) => unreachable!(),
                        };
                        match rp {
                            Slot::Head(i) => self.watches[i] = next,
                            Slot::N1(x) => self.rules[x].n1 = next,
                            Slot::N2(x) => self.rules[x].n2 = next,
                        }
                        let wf = self.widx(found);
                        if pkg == r.w1 {
                            self.rules[cur].w1 = found;
                            self.rules[cur].n1 = self.watches[wf];
                        } else {
                            self.rules[cur].w2 = found;
                            self.rules[cur].n2 = self.watches[wf];
                        }
                        self.watches[wf] = RuleId::from_usize(cur);
                        // rp stays: it now holds the next rule of the chain.
                        continue;
                    }
                }
                if self.is_false(other) {
                    return Some(cur);
                }
                self.decide(other, level, Cause::propagated(RuleId::from_usize(cur)));
                rp = next_rp;
            }
        }
        None
    }

    // ----- conflict analysis -----

    pub(super) fn revert(&mut self, level: i32) {
        while let Some(&v) = self.decisionq.last() {
            let vv = v.solvable().to_usize();
            let l = self.decisionmap[vv];
            if l <= level && l >= -level {
                break;
            }
            self.decisionmap[vv] = 0;
            if v.is_positive() {
                self.set_block_visit(v.solvable(), false);
            }
            self.decisionq.pop();
            self.decisionq_why.pop();
            self.propagate_index = self.decisionq.len();
        }
        self.drop_stamps(level);
        while let Some(&bl) = self.branches.last() {
            if bl < level {
                break;
            }
            let n = self.branches[self.branches.len() - 2] as usize;
            self.branches.truncate(self.branches.len() - n);
        }
        if self.recommends_index > self.decisionq.len() as i64 {
            self.recommends_index = -1;
        }
    }

    fn watch2onhighest(&mut self, ri: usize) {
        let r = self.rules[ri];
        if r.d == 0 {
            return;
        }
        let mut wl = 0;
        let mut i = r.d as usize;
        while !self.lits[i].is_none() {
            let v = self.lits[i];
            let l = self.decided(v.solvable()).abs();
            if l > wl {
                self.rules[ri].w2 = v;
                wl = l;
            }
            i += 1;
        }
    }

    /// First-UIP analysis of conflict rule `c` at `level`; adds the learnt
    /// rule and back-jumps. Returns (new level, learnt rule).
    #[inline(never)]
    fn analyze(&mut self, level: i32, mut c: usize) -> (i32, usize) {
        let mut q: Vec<Literal> = Vec::new();
        let mut rlevel = 1;
        let mut seen = std::mem::take(&mut self.mark);
        let mut touched: Vec<usize> = Vec::new();
        let mut num = 0;
        let mut l1num = 0;
        let learnt_why = self.learnt_pool.len();
        let mut idx = self.decisionq.len();
        let mut p = Literal::NONE;
        'outer: loop {
            self.learnt_pool.push(c);
            for v in self.rule_lits(c) {
                if self.is_true(v) {
                    continue;
                }
                let vv = v.solvable().to_usize();
                if seen[vv] {
                    continue;
                }
                seen[vv] = true;
                touched.push(vv);
                let l = self.decisionmap[vv].abs();
                if l == 1 {
                    l1num += 1;
                } else if l == level {
                    num += 1;
                } else {
                    q.push(v);
                    if l > rlevel {
                        rlevel = l;
                    }
                }
            }
            // l1retry loop
            loop {
                if num == 0 {
                    l1num -= 1;
                    if l1num == 0 {
                        break 'outer;
                    }
                }
                let (v, vv) = loop {
                    idx -= 1;
                    let v = self.decisionq[idx];
                    let vv = v.solvable().to_usize();
                    if seen[vv] {
                        break (v, vv);
                    }
                };
                seen[vv] = false;
                if num != 0 {
                    num -= 1;
                    if num == 0 {
                        p = -v;
                        if l1num == 0 {
                            break 'outer;
                        }
                        for &x in &q {
                            seen[x.solvable().to_usize()] = false;
                        }
                        l1num += 1;
                        continue;
                    }
                }
                let Some(why) = self.decisionq_why[idx].propagated_by() else {
                    continue;
                };
                c = why.to_usize();
                break;
            }
        }
        for vv in touched {
            seen[vv] = false;
        }
        self.mark = seen;
        self.learnt_pool.push(0);
        let level = rlevel;
        self.revert(level);
        let info = RuleInfo::new(
            RuleKind::Learnt,
            SolvableId::NONE,
            SolvableId::NONE,
            DepId::NONE,
        );
        let ri = if q.len() < 2 {
            let d = q.first().copied().unwrap_or(Literal::NONE);
            self.add_rule(p, d, None, info)
        } else {
            self.add_rule(p, Literal::NONE, Some(&q), info)
        };
        self.learnt_why.push(learnt_why);
        if !self.rules[ri].w2.is_none() {
            self.watch2onhighest(ri);
            self.add_watches(ri);
        } else {
            self.ruleassertions.push(ri);
        }
        (level, ri)
    }

    /// libsolv `analyze_unsolvable` for a conflict at level 1: records the
    /// proof as a problem, disables its job (and inferior-arch) rules and
    /// resets the solver, so that solving restarts (level 0) and finds the
    /// further, independent problems. `Unsat` only when nothing could be
    /// disabled.
    pub(super) fn analyze_unsolvable(&mut self, conflict: usize) -> Result<i32, Unsat> {
        let mut proof = vec![conflict];
        let mut involved = std::mem::take(&mut self.mark);
        let mut touched: Vec<usize> = Vec::new();
        for v in self.rule_lits(conflict) {
            involved[v.solvable().to_usize()] = true;
            touched.push(v.solvable().to_usize());
        }
        for idx in (0..self.decisionq.len()).rev() {
            let v = self.decisionq[idx];
            let vv = v.solvable().to_usize();
            if !involved[vv] || v.solvable() == SolvableId::SYSTEM {
                continue;
            }
            let Some(why) = self.decisionq_why[idx].propagated_by() else {
                continue;
            };
            proof.push(why.to_usize());
            for l in self.rule_lits(why.to_usize()) {
                if !self.is_true(l) {
                    involved[l.solvable().to_usize()] = true;
                    touched.push(l.solvable().to_usize());
                }
            }
        }
        for vv in touched {
            involved[vv] = false;
        }
        self.mark = involved;
        let rules = self.expand_proof(&proof);
        let to_disable: Vec<usize> = rules
            .iter()
            .copied()
            .filter(|&r| r >= self.pkgrules_end)
            .collect();
        // A weak (choice) rule in the proof: switch it off instead, record
        // no problem (libsolv `disable_weakrules`).
        if let Some(&weak) = rules.iter().filter(|&&r| self.is_choice_rule(r)).max() {
            self.disable_choice_rules(weak);
            self.reset();
            return Ok(0);
        }
        self.problems.push(rules);
        if to_disable.is_empty() {
            return Err(Unsat);
        }
        for r in to_disable {
            self.disable_problem(r);
        }
        self.reset();
        Ok(0)
    }

    /// libsolv `findallproblemrules_internal`: the proof's rules in order,
    /// each learnt rule replaced by the rules it was learnt from, unique.
    pub(super) fn expand_proof(&self, proof: &[usize]) -> Vec<usize> {
        fn walk(s: &Solver, list: &[usize], out: &mut Vec<usize>, seen: &mut [bool]) {
            for &r in list {
                if s.learntrules != 0 && r >= s.learntrules {
                    let li = r - s.learntrules;
                    if seen[li] {
                        continue;
                    }
                    seen[li] = true;
                    let why = s.learnt_why_rules(li);
                    walk(s, &why, out, seen);
                } else if r != 0 && !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        let mut out = Vec::new();
        let mut seen = vec![false; self.rules.len().saturating_sub(self.learntrules)];
        walk(self, proof, &mut out, &mut seen);
        out
    }

    /// The rules learnt rule `li` (index after `learntrules`) came from.
    fn learnt_why_rules(&self, li: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(&start) = self.learnt_why.get(li) {
            let mut i = start;
            while i < self.learnt_pool.len() && self.learnt_pool[i] != 0 {
                out.push(self.learnt_pool[i]);
                i += 1;
            }
        }
        out
    }

    /// libsolv `solver_disableproblem`: a job rule disables every rule of
    /// its job, an inferior-arch rule every such rule of its name.
    pub(super) fn disable_problem(&mut self, r: usize) {
        if (self.jobrules..self.jobrules_end).contains(&r) {
            let job = self.infos[r].job_index();
            for i in self.jobrules..self.jobrules_end {
                if self.infos[i].job_index() == job {
                    self.rules[i].disabled = true;
                }
            }
        } else if (self.infarchrules..self.infarchrules_end).contains(&r) {
            let pool = self.ov.pool;
            let name = pool.sd(self.rules[r].p.solvable()).name;
            for i in self.infarchrules..self.infarchrules_end {
                if pool.sd(self.rules[i].p.solvable()).name == name {
                    self.rules[i].disabled = true;
                }
            }
        } else {
            self.rules[r].disabled = true;
        }
    }

    /// libsolv `enabledisablelearntrules`: a learnt rule is enabled exactly
    /// when none of the rules it was learnt from is disabled.
    pub(super) fn enable_disable_learnt_rules(&mut self) {
        for ri in self.learntrules..self.rules.len() {
            let li = ri - self.learntrules;
            let why = self.learnt_why_rules(li);
            let off = why.iter().any(|&w| self.rules[w].disabled);
            self.rules[ri].disabled = off;
        }
    }

    /// libsolv `solver_reset`: forget every decision (rules were disabled).
    pub(super) fn reset(&mut self) {
        for i in 0..self.decisionq.len() {
            let v = self.decisionq[i];
            self.decisionmap[v.solvable().to_usize()] = 0;
            if v.is_positive() {
                self.set_block_visit(v.solvable(), false);
            }
        }
        self.drop_stamps(0);
        self.decisionq.clear();
        self.decisionq_why.clear();
        self.recommends_index = -1;
        self.propagate_index = 0;
        self.branches.clear();
        self.enable_disable_learnt_rules();
    }

    /// libsolv `setpropagatelearn`.
    pub(crate) fn setpropagatelearn(
        &mut self,
        mut level: i32,
        decision: Literal,
        ruleid: usize,
    ) -> Result<i32, Unsat> {
        if !decision.is_none() {
            level += 1;
            self.decide(decision, level, Cause::chosen(RuleId::from_usize(ruleid)));
        }
        while let Some(r) = self.propagate(level) {
            if level == 1 {
                return self.analyze_unsolvable(r);
            }
            trace!("conflict at level {level}, rule {r}");
            let (l, lr) = self.analyze(level, r);
            level = l;
            let d = self.rules[lr].p;
            self.decide(d, level, Cause::propagated(RuleId::from_usize(lr)));
        }
        Ok(level)
    }
}
