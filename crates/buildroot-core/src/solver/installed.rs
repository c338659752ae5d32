//! `dnf install` on top of an installed system: the parts of libsolv 0.7.23
//! that an installed repository adds to a transaction with install jobs only
//! (no update, erase or distupgrade jobs), as content-resolver exercises
//! them when it installs a workload into an environment's root.
//!
//! The installed packages are pool solvables here (the environment was
//! resolved from the same repos), where libsolv has a separate `@System`
//! copy of each next to the identical available one. What libsolv does
//! with them, in its order:
//! - their package rules, and those of their update candidates, are made
//!   (`solver_solve`: installed packages first, then `addpkgrulesforupdaters`);
//! - each gets an update rule, "stays, or is replaced by one of its update
//!   candidates" (`solver_addupdaterule` with `policy_findupdatepackages`:
//!   other versions of the name, downgrades allowed as dnf allows them, no
//!   arch class change; else packages that obsolete it). A package without
//!   candidates gets the unit rule, an assertion; in libsolv the identical
//!   available copy is always a candidate, so there such a package is only
//!   kept after the jobs. Deciding it before the jobs can only matter when
//!   a job candidate conflicts with it (then it is never chosen, where
//!   libsolv chooses, conflicts and learns) — the same outcome;
//! - a job whose undecided candidates include installed ones is pruned to
//!   those (`resolve_jobrules`: "prune to installed if not updating"), and
//!   a job's choice looks at the installed packages' Recommends, Suggests,
//!   Supplements and Enhances as if they were decided
//!   (`reorder_dq_for_future_installed`);
//! - after the jobs every installed package still undecided is kept, in
//!   order, each a decision of its own (`resolve_installed`); one decided
//!   out by then is replaced by the best of its update rule's candidates.
//!
//! Not modelled: update, erase and distupgrade jobs, `allowuninstall`
//! (dnf's `--allowerasing`), and the order of the installed packages in the
//! rpmdb (libsolv keeps them in rpmdb order; here in solvable order: it only
//! matters when keeping one of them conflicts with another).

use super::sat::{RuleInfo, RuleKind, Solver, Unsat, NO_DEP};
use crate::pool::{match_nevr, DepAccess};

impl Solver<'_> {
    /// Marks `list` (solvable ids) as installed.
    pub(crate) fn set_installed(&mut self, list: &[u32]) {
        let mut list: Vec<u32> = list.iter().copied().filter(|&s| s >= 2).collect();
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            return;
        }
        self.installed = vec![false; self.nsolv];
        for &s in &list {
            self.installed[s as usize] = true;
        }
        self.installed_list = list;
    }

    /// Whether solvable `p` is installed.
    #[inline]
    pub(crate) fn is_installed(&self, p: u32) -> bool {
        self.installed.get(p as usize).copied().unwrap_or(false)
    }

    /// libsolv `policy_findupdatepackages` for installed `p` (dnf's flags:
    /// downgrades, name changes and vendor changes allowed, arch class
    /// changes not).
    fn update_candidates(&self, p: u32) -> Vec<u32> {
        let pool = self.ov.pool;
        let s = pool.sd(p);
        let color_ok = |q: u32| {
            let d = pool.sd(q);
            d.arch == s.arch || d.color & s.color != 0
        };
        let archchange_ok = |q: u32| {
            let d = pool.sd(q);
            d.arch == s.arch
                || d.score == 1
                || s.score == 1
                || ((d.score ^ s.score) & 0xffff_0000) == 0
        };
        let obsoletes_p = |q: u32| {
            pool.deps_of(pool.sd(q).obsoletes).iter().any(|&obs| {
                pool.dep_list(obs)
                    .iter()
                    .any(|&r| r == p && match_nevr(pool, s.name, s.evr, obs))
            })
        };
        let mut out = Vec::new();
        let mut haveprovobs = false;
        for &q in self.ov.name_providers(s.name).iter() {
            if q == p || q < 2 {
                continue;
            }
            let d = pool.sd(q);
            if d.disabled && !self.is_installed(q) {
                continue;
            }
            if d.name == s.name {
                if !color_ok(q) {
                    continue;
                }
            } else {
                if !color_ok(q) || !obsoletes_p(q) {
                    continue;
                }
                haveprovobs = true;
            }
            if !archchange_ok(q) {
                continue;
            }
            out.push(q);
        }
        if haveprovobs {
            return out;
        }
        // No provides/obsoletes combination: every installable package that
        // obsoletes `p` (libsolv's reverse obsoletes index).
        for &q in pool.obsoleters_of_name(s.name) {
            let d = pool.sd(q);
            if q == p || d.source || d.disabled || d.score == 0 || self.is_installed(q) {
                continue;
            }
            if d.name == s.name || !obsoletes_p(q) || !archchange_ok(q) || !color_ok(q) {
                continue;
            }
            if !out.contains(&q) {
                out.push(q);
            }
        }
        out
    }

    /// Package rules of the installed packages and of their update
    /// candidates (before the job candidates' walk).
    pub(crate) fn add_installed_pkg_rules(&mut self) {
        let list = self.installed_list.clone();
        for &p in &list {
            self.add_pkg_rules_for(p, true);
        }
        for &p in &list {
            for q in self.update_candidates(p) {
                self.add_pkg_rules_for(q, true);
            }
        }
    }

    /// One update rule per installed package, in order (between the
    /// package rules and the job rules, as libsolv places them).
    pub(crate) fn add_update_rules(&mut self) {
        self.updaterules = self.rules.len();
        let list = self.installed_list.clone();
        for &p in &list {
            let cands = self.update_candidates(p);
            let lits: Vec<i32> = cands.iter().map(|&q| q as i32).collect();
            let info = RuleInfo::new(RuleKind::Update, p, 0, NO_DEP);
            self.add_rule(p as i32, 0, (!lits.is_empty()).then_some(&lits[..]), info);
            self.update_rule_of.push((p, self.rules.len() - 1));
        }
        self.updaterules_end = self.rules.len();
    }

    /// `resolve_jobrules`: a job offering installed packages is pruned to
    /// them.
    pub(crate) fn prune_to_installed(&self, dq: &mut Vec<i32>) {
        if dq.len() < 2 || self.installed_list.is_empty() {
            return;
        }
        let inst: Vec<i32> = dq
            .iter()
            .copied()
            .filter(|&p| self.is_installed(p as u32))
            .collect();
        if !inst.is_empty() {
            *dq = inst;
        }
    }

    /// libsolv `reorder_dq_for_future_installed`: while the jobs are
    /// resolved the installed packages are not kept yet; a job's candidates
    /// are reordered as if they were: those suggested or enhancing first,
    /// then (stable) those recommended or supplementing.
    pub(crate) fn reorder_for_future_installed(&mut self, level: i32, dq: &mut Vec<i32>) {
        if self.installed_list.is_empty() {
            return;
        }
        let pool = self.ov.pool;
        let qlen = self.decisionq.len();
        let mut marked = Vec::new();
        for &p in &self.installed_list {
            if self.decisionmap[p as usize] == 0 {
                let d = pool.sd(p);
                if d.recommends.len != 0 || d.suggests.len != 0 {
                    self.decisionq.push(p as i32);
                    self.decisionq_why.push(0);
                }
                self.decisionmap[p as usize] = level + 1;
                marked.push(p);
            }
        }
        if marked.is_empty() {
            return;
        }
        self.update_recommendsmap();
        let inst = |s: &Self, p: i32| s.is_installed(p as u32);
        let (mut front, mut back): (Vec<i32>, Vec<i32>) = dq.iter().partition(|&&p| {
            inst(self, p) || self.suggestsmap[p as usize] || self.is_enhancing(p as u32)
        });
        front.append(&mut back);
        let (mut front2, mut back2): (Vec<i32>, Vec<i32>) = front.iter().partition(|&&p| {
            inst(self, p) || self.recommendsmap[p as usize] || self.is_supplementing(p as u32)
        });
        front2.append(&mut back2);
        *dq = front2;
        for p in marked {
            self.decisionmap[p as usize] = 0;
        }
        if self.decisionq.len() != qlen {
            self.recommends_index = -1;
            self.decisionq.truncate(qlen);
            self.decisionq_why.truncate(qlen);
        }
    }

    /// libsolv `resolve_installed` (no update jobs, so one pass): every
    /// installed package not decided yet is kept; one decided out is
    /// replaced by the best undecided candidate of its update rule.
    pub(crate) fn resolve_installed(&mut self, mut level: i32) -> Result<i32, Unsat> {
        let origlevel = level;
        let rules = self.update_rule_of.clone();
        let n = rules.len();
        let mut k = 0;
        while k < n {
            let (p, ri) = rules[k];
            k += 1;
            if self.decisionmap[p as usize] > 0 {
                continue;
            }
            let mut dq: Vec<i32> = Vec::new();
            if self.decisionmap[p as usize] < 0 {
                for l in self.rule_lits(ri) {
                    if l > 0 && self.decisionmap[l as usize] > 0 {
                        dq.clear();
                        break;
                    }
                    if l > 0 && self.decisionmap[l as usize] == 0 {
                        dq.push(l);
                    }
                }
            }
            if !dq.is_empty() {
                let olevel = level;
                level = self.selectandinstall(level, &mut dq, ri)?;
                if level <= olevel {
                    if level < origlevel {
                        return Ok(level);
                    }
                    k = 0; // something was undone: look at them all again
                    continue;
                }
            }
            if self.decisionmap[p as usize] == 0 {
                let olevel = level;
                if self.trace {
                    eprintln!("keeping {} (level {})", self.sname(p as i32), level + 1);
                }
                level = self.setpropagatelearn(level, p as i32, ri)?;
                if level <= olevel {
                    if level < origlevel {
                        return Ok(level);
                    }
                    k = 0;
                    continue;
                }
            }
        }
        Ok(level)
    }
}
