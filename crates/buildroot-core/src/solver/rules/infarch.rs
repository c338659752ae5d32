//! The inferior-arch rules, libsolv's `solver_addinfarchrules`: a package
//! of a worse arch class than the best reachable one of its name (i686
//! beside x86_64) may only be installed in lock-step with a same-EVR
//! package of the best class (or noarch), or stays where it is installed.

use crate::pool::{DepId, SolvableId, StrId};
use crate::solver::id::Literal;
use crate::solver::sat::{RuleInfo, RuleKind, Solver};

impl Solver<'_> {
    /// libsolv `solver_addinfarchrules` (no installed packages): a package of
    /// a worse arch class than the best reachable one of its name may only be
    /// installed together with a same-EVR package of the best class (or
    /// noarch).
    #[inline(never)]
    pub(super) fn add_infarch_rules(&mut self) {
        let pool = self.ov.pool;
        self.infarchrules = self.rules.len();
        // libsolv loops over every reached solvable in id order and makes
        // rules for a name at its first reached package. Only a name with a
        // reached package of an arch class below the best (e.g. i686 next
        // to x86_64) can get rules, so only those names are visited, in the
        // order of their first reached package.
        let mut names: Vec<StrId> = self
            .added_list
            .iter()
            .map(|&i| pool.sd(i))
            .filter(|d| d.score > 1 && (d.score & 0xffff_0000) > 0x10000)
            .map(|d| d.name)
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut firsts: Vec<SolvableId> = names
            .iter()
            .filter_map(|&name| {
                pool.name_list(name)
                    .iter()
                    .copied()
                    .find(|&p| pool.sd(p).name == name && self.added[p.to_usize()])
            })
            .collect();
        firsts.sort_unstable();
        for &i in &firsts {
            let s = pool.sd(i);
            let same = pool.name_list(s.name);
            let mut first = true;
            let mut bestscore = 0u32;
            let mut bests: Option<SolvableId> = None;
            let mut is_first = i;
            // Arches (with their scores) it is also fine to keep: those of
            // installed packages (an installed package here stands for
            // libsolv's installed copy and for its identical available
            // copy, which counts for the best arch).
            let mut allowed: Vec<(StrId, u32)> = Vec::new();
            for &p in same {
                let ps = pool.sd(p);
                if ps.name != s.name || !self.added[p.to_usize()] {
                    continue;
                }
                if p == i {
                    is_first = SolvableId::NONE;
                }
                if is_first != SolvableId::NONE {
                    first = false;
                    break;
                }
                let a = ps.score;
                if a != 1 && self.is_installed(p) && !allowed.iter().any(|x| x.0 == ps.arch) {
                    allowed.push((ps.arch, a));
                }
                if a != 0 && a != 1 && (bestscore == 0 || a < bestscore) {
                    bestscore = a;
                    bests = Some(p);
                }
            }
            if !first || bestscore == 0 {
                continue;
            }
            if allowed.len() == 1 && bests.map(|b| pool.sd(b).arch) == Some(allowed[0].0) {
                allowed.clear(); // the installed arch is the best
            }
            if !allowed.is_empty() {
                // Keeping an inferior arch is fine only when the installed
                // package is not lock-stepped with a better-arch one.
                allowed.clear();
                for &p in same {
                    let ps = pool.sd(p);
                    if ps.name != s.name || !self.is_installed(p) || !self.added[p.to_usize()] {
                        continue;
                    }
                    let a = ps.score;
                    if a == 0 {
                        if !allowed.iter().any(|x| x.0 == ps.arch) {
                            allowed.push((ps.arch, a));
                        }
                        continue;
                    }
                    if a == 1 || ((a ^ bestscore) & 0xffff_0000) == 0 {
                        continue;
                    }
                    let lockstepped = same.iter().any(|&p2| {
                        let s2 = pool.sd(p2);
                        let a2 = s2.score;
                        p2 != p
                            && s2.name == s.name
                            && s2.evr == ps.evr
                            && s2.arch != ps.arch
                            && a2 != 0
                            && (a2 == 1 || ((a2 ^ bestscore) & 0xffff_0000) == 0)
                    });
                    if !lockstepped && !allowed.iter().any(|x| x.0 == ps.arch) {
                        allowed.push((ps.arch, a));
                    }
                }
            }
            let mut bad = Vec::new();
            for &p in same {
                let ps = pool.sd(p);
                if ps.name != s.name || !self.added[p.to_usize()] {
                    continue;
                }
                let a = ps.score;
                if a != 1 && ((a ^ bestscore) & 0xffff_0000) != 0 {
                    if self.is_installed(p) {
                        bad.push(p); // lock-step handling below
                        continue;
                    }
                    let compatible = allowed.iter().any(|&(aa, aas)| {
                        ps.arch == aa || (aas != 0 && ((a ^ aas) & 0xffff_0000) == 0)
                    });
                    if !compatible {
                        bad.push(p);
                    }
                }
            }
            for p in bad {
                let pd = pool.sd(p);
                let mut lsq: Vec<Literal> = Vec::new();
                let mut haveinstalled = false;
                for &p2 in same {
                    let s2 = pool.sd(p2);
                    if p2 == p || s2.name != s.name || s2.evr != pd.evr || s2.arch == pd.arch {
                        continue;
                    }
                    let a = s2.score;
                    // libsolv masks with 0xffff000 here (sic); kept for fidelity.
                    if a != 0 && (a == 1 || ((a ^ bestscore) & 0x0fff_f000) == 0) {
                        lsq.push(Literal::pos(p2));
                        haveinstalled |= self.is_installed(p2);
                    }
                }
                if self.is_installed(p) && !haveinstalled {
                    continue; // an installed package not in lock-step stays
                }
                let info = RuleInfo::new(RuleKind::InfArch, p, SolvableId::NONE, DepId::NONE);
                let first = lsq.first().copied().unwrap_or(Literal::NONE);
                if lsq.len() < 2 {
                    self.add_rule(Literal::neg(p), first, None, info);
                } else {
                    self.add_rule(Literal::neg(p), Literal::NONE, Some(&lsq), info);
                }
            }
        }
        self.infarchrules_end = self.rules.len();
    }
}
