//! Installing weak dependencies, as dnf does with `install_weak_deps=True`
//! (content-resolver's `include-weak-deps`): libsolv 0.7.23 without
//! `SOLVER_FLAG_IGNORE_RECOMMENDED`, with dnf's flags.
//!
//! Mirrors, in libsolv's order:
//! - `resolve_weak` (`src/solver.c`), the step of `solver_run_sat` after every
//!   rule is satisfied: the undecided providers of the Recommends of every
//!   package the transaction installs, and every undecided installable
//!   package whose Supplements are fulfilled, are collected; the
//!   supplemented ones are installed first (best versions, reordered by
//!   `policy_filter_unwanted` in `POLICY_MODE_SUPPLEMENT`), then each
//!   Recommends of each installed package in decision order, choosing among
//!   its providers with `POLICY_MODE_CHOOSE` and opening a branch when
//!   several remain. Every such package is a free decision (no rule): one
//!   that conflicts is taken back by conflict analysis (a learnt rule) like
//!   any other choice, and the solver carries on without it. Suggests and
//!   Enhances only steer choices (`prefer_suggested`), never install;
//! - `add_complex_recommends` for rich Recommends (the CNF blocks whose
//!   conditions hold, a block already satisfied contributes nothing);
//! - `solver_is_supplementing_alreadyinstalled` /
//!   `solver_dep_fulfilled_alreadyinstalled`: on an installed system a
//!   package is supplemented only when a package the transaction newly
//!   installs fulfils the Supplements (`addalreadyrecommended` is off: dnf
//!   never sets `SOLVER_FLAG_ADD_ALREADY_RECOMMENDED`), and the Recommends
//!   of installed packages are not looked at;
//! - the filters of `resolve_weak`: packages obsoleted by a kept installed
//!   package (multiversion ones too: dnf sets `keepexplicitobsoletes`), multiversion packages of an installed name, supplemented
//!   packages of another arch than an installed package of their name
//!   (`implicitobsoleteusescolors`), packages in `excludefromweakmap`;
//! - libdnf's `Goal::exclude_from_weak_autodetect` (dnf's default
//!   `exclude_from_weak_autodetect=True`), which fills that map on an
//!   installed system: providers of an installed package's plain Recommends
//!   when none of them is installed (by name only for a versioned
//!   Recommends), and packages of a name not installed whose plain
//!   Supplements an installed package provides.
//!
//! The rules walk gives every solvable weak dependencies reach its rules
//! (libsolv always does; `rules.rs` leaves them out when weak dependencies
//! are off because then they cannot be installed).

use super::cplxdeps::Cnf;
use super::id::Literal;
use super::sat::{Mode, Solver, Unsat};
use crate::pool::{match_nevr, DepAccess, DepId, DepNode, Pool, SolvableId};

impl Solver<'_> {
    fn excluded_from_weak(&self, p: SolvableId) -> bool {
        self.exclude_from_weak.binary_search(&p).is_ok()
    }

    /// libsolv `resolve_weak` with dnf's flags. Returns the new level and
    /// whether the main loop must run again (something was tried).
    pub(crate) fn resolve_weak(&mut self, mut level: i32) -> Result<(i32, bool), Unsat> {
        let pool = self.ov.pool;
        let mut dq: Vec<Literal> = Vec::new();
        let mut dqs: Vec<Literal> = Vec::new();
        // libsolv walks every solvable once, in id order: the Recommends of
        // an installed one go to `dq`, an undecided supplemented one to
        // `dqs` (two separate queues, so two walks give the same).
        let mut decided: Vec<SolvableId> = self
            .decisionq
            .iter()
            .filter(|l| l.is_positive() && l.solvable().is_package())
            .map(|l| l.solvable())
            .collect();
        decided.sort_unstable();
        for s in decided {
            if self.is_installed(s) {
                continue; // addalreadyrecommended is off
            }
            for &rec in pool.deps_of(pool.sd(s).recommends) {
                if self.ov.is_complex(rec) {
                    self.add_complex_recommends(rec, &mut dq, None);
                    continue;
                }
                let qcount = dq.len();
                for &p in self.ov.dep_providers(rec).iter() {
                    let v = self.decided(p);
                    if v > 0 {
                        dq.truncate(qcount);
                        break;
                    }
                    if v == 0 && !dq.contains(&Literal::pos(p)) {
                        dq.push(Literal::pos(p));
                    }
                }
            }
        }
        // Installable packages with Supplements or Enhances, id order.
        for &s in self.cache.weak_candidates(pool) {
            if self.decided(s) != 0 || pool.sd(s).supplements.len == 0 {
                continue;
            }
            if self.is_supplementing(s) && !self.excluded_from_weak(s) {
                dqs.push(Literal::pos(s));
            }
        }
        if !self.exclude_from_weak.is_empty() {
            dq.retain(|&p| !self.excluded_from_weak(p.solvable()));
        }
        // Packages obsoleted by installed packages that stay.
        if (!dq.is_empty() || !dqs.is_empty()) && !self.installed_list.is_empty() {
            let mut obsoleted: Vec<SolvableId> = Vec::new();
            for &p in &self.installed_list {
                let d = pool.sd(p);
                // dnf sets keepexplicitobsoletes: multiversion ones count too.
                if d.obsoletes.len == 0 || self.decided(p) <= 0 {
                    continue;
                }
                for &obs in pool.deps_of(d.obsoletes) {
                    for &q in pool.dep_list(obs) {
                        let qd = pool.sd(q);
                        if match_nevr(pool, qd.name, qd.evr, obs) {
                            obsoleted.push(q);
                        }
                    }
                }
            }
            obsoleted.sort_unstable();
            dq.retain(|p| obsoleted.binary_search(&p.solvable()).is_err());
            dqs.retain(|p| obsoleted.binary_search(&p.solvable()).is_err());
        }
        // Old supplements: only a newly installed package may fulfil them
        // (in an empty root too: `(A if B)` with neither is not kept).
        if !dqs.is_empty() {
            dqs.retain(|&p| self.is_supplementing_alreadyinstalled(p.solvable()));
        }
        // Multiversion packages of a name already decided, and packages of
        // another arch than a decided package of their name.
        if !dqs.is_empty() {
            dqs.retain(|&p| {
                let s = p.solvable();
                let d = pool.sd(s);
                !pool.name_list(d.name).iter().any(|&q| {
                    let qd = pool.sd(q);
                    self.decided(q) > 0
                        && qd.name == d.name
                        && (d.multiversion || qd.arch != d.arch)
                })
            });
        }
        for &p in &dqs {
            if !dq.contains(&p) {
                dq.push(p);
            }
        }
        if dq.is_empty() {
            return Ok((level, false));
        }
        if dq.len() == 1 {
            let p = dq[0];
            log::trace!("installing weak dependency {}", self.sname(p));
            return Ok((self.setpropagatelearn(level, p, 0)?, true));
        }
        // The best versions of the candidates.
        self.policy_filter_unwanted(&mut dq, Mode::Recommend);
        let mut dqmap: Vec<SolvableId> = dq.iter().map(|l| l.solvable()).collect();
        dqmap.sort_unstable();
        let in_map = |p: SolvableId| dqmap.binary_search(&p).is_ok();
        dqs.retain(|p| in_map(p.solvable()));
        if dqs.len() > 1 {
            self.policy_filter_unwanted(&mut dqs, Mode::Supplement);
        }
        let decisioncount = self.decisionq.len();
        for &p in &dqs {
            if self.decided(p.solvable()) != 0 {
                continue;
            }
            log::trace!("installing supplemented {}", self.sname(p));
            let olevel = level;
            level = self.setpropagatelearn(level, p, 0)?;
            if level <= olevel || self.decisionq.len() < decisioncount {
                return Ok((level, true));
            }
        }
        // Each Recommends of each package installed so far, in decision
        // order; several providers open a branch.
        for i in 0..decisioncount {
            let p = self.decisionq[i];
            if !p.is_positive() || !p.solvable().is_package() || self.is_installed(p.solvable()) {
                continue;
            }
            let s = p.solvable();
            for &rec in pool.deps_of(pool.sd(s).recommends) {
                dq.clear();
                if self.ov.is_complex(rec) {
                    self.add_complex_recommends(rec, &mut dq, Some(&dqmap));
                } else {
                    for &q in self.ov.dep_providers(rec).iter() {
                        let v = self.decided(q);
                        if v > 0 {
                            dq.clear();
                            break;
                        }
                        if v == 0 && in_map(q) {
                            dq.push(Literal::pos(q));
                        }
                    }
                }
                if dq.is_empty() {
                    continue;
                }
                if dq.len() > 1 {
                    self.policy_filter_unwanted(&mut dq, Mode::Choose);
                }
                if dq.len() > 1 {
                    self.createbranch(level, &dq, 0);
                }
                let c = dq[0];
                log::trace!("installing recommended {}", self.sname(c));
                let olevel = level;
                level = self.setpropagatelearn(level, c, 0)?;
                if level <= olevel || self.decisionq.len() < decisioncount {
                    return Ok((level, true));
                }
            }
        }
        Ok((level, true))
    }

    /// libsolv `add_complex_recommends`: appends to `dq` the undecided
    /// positive literals of the CNF blocks of `rec` whose conditions are
    /// installed and that no installed package satisfies yet (only those
    /// in `dqmap` when given), each once.
    fn add_complex_recommends(
        &mut self,
        rec: DepId,
        dq: &mut Vec<Literal>,
        dqmap: Option<&[SolvableId]>,
    ) {
        let Some(blocks) = Cnf::new(&self.ov).cnf_expanded(rec) else {
            return;
        };
        let oldcnt = dq.len();
        for b in blocks {
            let blkcnt = dq.len();
            for &l in &b {
                let x = l.solvable();
                if l.is_negative() {
                    if self.decided(x) <= 0 {
                        break;
                    }
                    continue;
                }
                let v = self.decided(x);
                if v > 0 {
                    dq.truncate(blkcnt);
                    break;
                }
                if v < 0 {
                    continue;
                }
                if let Some(m) = dqmap {
                    if m.binary_search(&x).is_err() {
                        continue;
                    }
                }
                dq.push(l);
            }
        }
        // Unify against everything before (libsolv compares with the whole
        // queue, earlier recommendations included).
        let mut j = oldcnt;
        for i in oldcnt..dq.len() {
            let p = dq[i];
            if dq[..j].contains(&p) {
                continue;
            }
            dq[j] = p;
            j += 1;
        }
        dq.truncate(j);
    }

    /// libsolv `solver_is_supplementing_alreadyinstalled` (with
    /// `addalreadyrecommended` off): a Supplements of `p` is fulfilled with
    /// a newly installed package involved.
    fn is_supplementing_alreadyinstalled(&self, p: SolvableId) -> bool {
        let pool = self.ov.pool;
        pool.deps_of(pool.sd(p).supplements)
            .iter()
            .any(|&d| self.dep_fulfilled_alreadyinstalled(d) == 2)
    }

    /// libsolv `solver_dep_fulfilled_alreadyinstalled`: 0 not fulfilled, 1
    /// fulfilled by installed packages only, 2 a newly installed package
    /// involved.
    fn dep_fulfilled_alreadyinstalled(&self, dep: DepId) -> u8 {
        let f = |d: DepId| self.dep_fulfilled_alreadyinstalled(d);
        let two_if = |r1: u8, r2: u8| if r1 == 2 && r2 != 0 { 2 } else { r2 };
        match self.ov.node(dep) {
            DepNode::CondElse(a, b, c) => {
                let r1 = f(b);
                if r1 != 0 {
                    two_if(r1, f(a))
                } else {
                    f(c)
                }
            }
            DepNode::Cond(a, b) => {
                let r1 = f(a);
                let r2 = f(b) == 0;
                if r1 == 0 && !r2 {
                    0
                } else if r1 == 2 {
                    2
                } else {
                    1
                }
            }
            DepNode::UnlessElse(a, b, c) => {
                let r1 = f(b);
                if r1 != 0 {
                    two_if(r1, f(c))
                } else {
                    f(a)
                }
            }
            DepNode::Unless(a, b) => {
                let r1 = f(a);
                let r2 = f(b) == 0;
                if r1 == 0 || !r2 {
                    0
                } else if r1 == 2 {
                    2
                } else {
                    1
                }
            }
            DepNode::And(a, b) => {
                let r1 = f(a);
                if r1 == 0 {
                    return 0;
                }
                let r2 = f(b);
                if r2 == 0 {
                    return 0;
                }
                if r1 == 2 || r2 == 2 {
                    2
                } else {
                    1
                }
            }
            DepNode::Or(a, b) => {
                let (r1, r2) = (f(a), f(b));
                if r1 == 0 && r2 == 0 {
                    0
                } else if r1 == 2 || r2 == 2 {
                    2
                } else {
                    1
                }
            }
            _ => {
                let mut r = 0;
                for &p in self.ov.dep_providers(dep).iter() {
                    if self.decided(p) > 0 {
                        if p.is_package() && !self.is_installed(p) {
                            return 2;
                        }
                        r = 1;
                    }
                }
                r
            }
        }
    }
}

/// libdnf `Goal::exclude_from_weak_autodetect` on a system where
/// `installed` are installed: the packages never installed for a weak
/// dependency (ascending, unique).
pub(crate) fn exclude_from_weak_autodetect(
    pool: &Pool,
    installed: &[SolvableId],
) -> Vec<SolvableId> {
    let mut out: Vec<SolvableId> = Vec::new();
    if installed.is_empty() {
        return out;
    }
    let mut is_inst = vec![false; SolvableId::table_len(pool.len())];
    for &p in installed {
        is_inst[p.to_usize()] = true;
    }
    let available = |p: &&SolvableId| p.is_package() && !pool.sd(**p).disabled;
    // Unmet plain Recommends of installed packages: all their providers
    // (of the name alone when the Recommends has a version).
    for &p in installed {
        for &rec in pool.deps_of(pool.sd(p).recommends) {
            let provs: Vec<SolvableId> = match pool.node(rec) {
                DepNode::Simple { flags, .. } if flags.is_any() => pool.dep_list(rec).to_vec(),
                DepNode::Simple { name, .. } => pool.name_providers(name).into_owned(),
                _ => continue, // rich: skipped
            };
            let provs: Vec<SolvableId> = provs.iter().filter(available).copied().collect();
            if provs.is_empty() || provs.iter().any(|q| is_inst[q.to_usize()]) {
                continue;
            }
            out.extend(provs);
        }
    }
    // Packages of a name not installed whose plain Supplements an installed
    // package provides.
    let mut names: Vec<_> = installed.iter().map(|&p| pool.sd(p).name).collect();
    names.sort_unstable();
    names.dedup();
    for s in SolvableId::packages(pool.len()) {
        let d = pool.sd(s);
        if d.supplements.len == 0 || d.disabled || is_inst[s.to_usize()] {
            continue;
        }
        if names.binary_search(&d.name).is_ok() {
            continue;
        }
        let hit = pool.deps_of(d.supplements).iter().any(|&sup| {
            matches!(pool.node(sup), DepNode::Simple { .. })
                && pool.dep_list(sup).iter().any(|q| is_inst[q.to_usize()])
        });
        if hit {
            out.push(s);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
