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
//! The installed packages are kept in name order, as libsolv reads them from
//! the rpmdb (its Name index); their solvable ids stay the pool's, where
//! libsolv gives the installed repository the first ids (which orders some
//! rules and ties differently; docs/resolver.md, known differences).
//!
//! Not modelled: update, erase and distupgrade jobs, `allowuninstall`
//! (dnf's `--allowerasing`).

use super::id::{Cause, Literal};
use super::sat::{RuleInfo, RuleKind, Solver, Unsat};
use crate::pool::{match_nevr, DepAccess, DepId, SolvableId};

impl Solver<'_> {
    /// Marks `list` as installed.
    pub(crate) fn set_installed(&mut self, list: &[SolvableId]) {
        let mut list: Vec<SolvableId> = list.iter().copied().filter(|s| s.is_package()).collect();
        list.sort_unstable();
        list.dedup();
        if list.is_empty() {
            return;
        }
        self.installed = vec![false; self.nsolv];
        for &s in &list {
            self.installed[s.to_usize()] = true;
        }
        // libsolv reads the rpmdb through its Name index: the installed
        // packages in name order (bytes), one name's in install order (here
        // solvable order).
        let pool = self.ov.pool;
        list.sort_by(|&a, &b| {
            let (na, nb) = (pool.str_of(pool.sd(a).name), pool.str_of(pool.sd(b).name));
            na.as_bytes().cmp(nb.as_bytes()).then(a.cmp(&b))
        });
        self.installed_list = list;
    }

    /// Whether solvable `p` is installed.
    #[inline]
    pub(crate) fn is_installed(&self, p: SolvableId) -> bool {
        self.installed.get(p.to_usize()).copied().unwrap_or(false)
    }

    /// libsolv `policy_findupdatepackages` for installed `p` (dnf's flags:
    /// downgrades, name changes and vendor changes allowed, arch class
    /// changes not).
    fn update_candidates(&self, p: SolvableId) -> Vec<SolvableId> {
        let pool = self.ov.pool;
        let s = pool.sd(p);
        let color_ok = |q: SolvableId| {
            let d = pool.sd(q);
            d.arch == s.arch || d.color & s.color != 0
        };
        let archchange_ok = |q: SolvableId| {
            let d = pool.sd(q);
            d.arch == s.arch
                || d.score == 1
                || s.score == 1
                || ((d.score ^ s.score) & 0xffff_0000) == 0
        };
        let obsoletes_p = |q: SolvableId| {
            pool.deps_of(pool.sd(q).obsoletes).iter().any(|&obs| {
                pool.dep_list(obs)
                    .iter()
                    .any(|&r| r == p && match_nevr(pool, s.name, s.evr, obs))
            })
        };
        let mut out = Vec::new();
        let mut haveprovobs = false;
        for &q in self.ov.name_providers(s.name).iter() {
            if q == p || !q.is_package() {
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
            let lits: Vec<Literal> = cands.iter().map(|&q| Literal::pos(q)).collect();
            let info = RuleInfo::new(RuleKind::Update, p, SolvableId::NONE, DepId::NONE);
            self.add_rule(
                Literal::pos(p),
                Literal::NONE,
                (!lits.is_empty()).then_some(&lits[..]),
                info,
            );
            self.update_rule_of.push((p, self.rules.len() - 1));
        }
        self.updaterules_end = self.rules.len();
    }

    /// `resolve_jobrules`: a job offering installed packages is pruned to
    /// them.
    pub(crate) fn prune_to_installed(&self, dq: &mut Vec<Literal>) {
        if dq.len() < 2 || self.installed_list.is_empty() {
            return;
        }
        let inst: Vec<Literal> = dq
            .iter()
            .copied()
            .filter(|&p| self.is_installed(p.solvable()))
            .collect();
        if !inst.is_empty() {
            *dq = inst;
        }
    }

    /// libsolv `reorder_dq_for_future_installed`: while the jobs are
    /// resolved the installed packages are not kept yet; a job's candidates
    /// are reordered as if they were: those suggested or enhancing first,
    /// then (stable) those recommended or supplementing.
    pub(crate) fn reorder_for_future_installed(&mut self, level: i32, dq: &mut Vec<Literal>) {
        if self.installed_list.is_empty() {
            return;
        }
        let pool = self.ov.pool;
        let qlen = self.decisionq.len();
        let mut marked = Vec::new();
        for &p in &self.installed_list {
            if self.decisionmap[p.to_usize()] == 0 {
                let d = pool.sd(p);
                if d.recommends.len != 0 || d.suggests.len != 0 {
                    self.decisionq.push(Literal::pos(p));
                    self.decisionq_why.push(Cause::NONE);
                }
                self.decisionmap[p.to_usize()] = level + 1;
                marked.push(p);
            }
        }
        if marked.is_empty() {
            return;
        }
        self.update_recommendsmap();
        // The candidates are positive literals (a job's undecided packages).
        let (mut front, mut back): (Vec<Literal>, Vec<Literal>) = dq.iter().partition(|&&l| {
            let p = l.solvable();
            self.is_installed(p) || self.suggestsmap[p.to_usize()] || self.is_enhancing(p)
        });
        front.append(&mut back);
        let (mut front2, mut back2): (Vec<Literal>, Vec<Literal>) = front.iter().partition(|&&l| {
            let p = l.solvable();
            self.is_installed(p) || self.recommendsmap[p.to_usize()] || self.is_supplementing(p)
        });
        front2.append(&mut back2);
        *dq = front2;
        for p in marked {
            self.decisionmap[p.to_usize()] = 0;
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
            if self.decided(p) > 0 {
                continue;
            }
            let mut dq: Vec<Literal> = Vec::new();
            if self.decided(p) < 0 {
                for l in self.rule_lits(ri) {
                    if l.is_positive() && self.decided(l.solvable()) > 0 {
                        dq.clear();
                        break;
                    }
                    if l.is_positive() && self.decided(l.solvable()) == 0 {
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
            if self.decided(p) == 0 {
                let olevel = level;
                log::trace!("keeping {} (level {})", self.pkg_str(p), level + 1);
                level = self.setpropagatelearn(level, Literal::pos(p), ri)?;
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
