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

use std::collections::VecDeque;

use super::cplxdeps::Cnf;
use super::id::Literal;
use super::jobs::SolverJob;
use super::sat::{Rule, RuleInfo, RuleKind, Solver};
use crate::pool::{DepAccess, DepId, DepNode, SolvableId, StrId};

/// Unify order of two rules (libsolv `unifyrules_sortcmp`).
pub(super) fn rule_cmp(lits: &[Literal], a: &Rule, b: &Rule) -> i64 {
    let diff = |x: Literal, y: Literal| x.to_raw() as i64 - y.to_raw() as i64;
    let x = diff(a.p, b.p);
    if x != 0 {
        return x;
    }
    if a.d == 0 && b.d == 0 {
        return diff(a.w2, b.w2);
    }
    if a.d == 0 {
        let x = diff(a.w2, lits[b.d as usize]);
        return if x != 0 { x } else { -1 };
    }
    if b.d == 0 {
        let x = diff(lits[a.d as usize], b.w2);
        return if x != 0 { x } else { 1 };
    }
    if a.d == b.d {
        return 0;
    }
    let (mut i, mut j) = (a.d as usize, b.d as usize);
    while !lits[j].is_none() {
        let x = diff(lits[i], lits[j]);
        if x != 0 {
            return x;
        }
        i += 1;
        j += 1;
    }
    lits[i].to_raw() as i64
}

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
    fn add_weak_reach(&mut self) {
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
    fn add_pkg_rules_for_weak(&mut self) {
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

    /// libsolv `solver_unifyrules`: sort the package rules and drop duplicates.
    #[inline(never)]
    fn unify_rules(&mut self) {
        if self.rules.len() <= 2 {
            return;
        }
        // Bucket the rules by their first literal (libsolv's primary sort
        // key), then order each bucket with the full comparison. Only the
        // literals that start a rule are visited (sorted), so the cost
        // follows the transaction's rules, not the pool's size.
        let off = self.nsolv as i64;
        let key = |p: Literal| (p.to_raw() as i64 + off) as usize;
        let mut keys: Vec<u32> = Vec::new();
        let count = &mut self.keycount;
        for r in &self.rules[1..] {
            let k = key(r.p);
            if count[k] == 0 {
                keys.push(k as u32);
            }
            count[k] += 1;
        }
        keys.sort_unstable();
        // Bucket starts (exclusive prefix sums), kept per key.
        let mut at = 0u32;
        let mut start = Vec::with_capacity(keys.len() + 1);
        for &k in &keys {
            let c = count[k as usize];
            count[k as usize] = at;
            start.push(at);
            at += c;
        }
        start.push(at);
        // Scatter into buckets, keeping the walk's order inside each.
        let n = self.rules.len();
        let mut rules = std::mem::take(&mut self.rules2);
        let mut infos = std::mem::take(&mut self.infos2);
        rules.clear();
        rules.resize(n, Rule::default());
        infos.clear();
        infos.resize(n, self.infos[0]);
        for (r, info) in self.rules[1..].iter().zip(&self.infos[1..]) {
            let k = key(r.p);
            let at = count[k] as usize + 1;
            rules[at] = *r;
            infos[at] = *info;
            count[k] += 1;
        }
        for &k in &keys {
            count[k as usize] = 0;
        }
        let lits = &self.lits;
        // A bucket is most often one solvable's rules, already in order (the
        // cache keeps them sorted); otherwise sort it, stable: equal rules
        // stay in walk order.
        for w in start.windows(2) {
            let (a, b) = (w[0] as usize + 1, w[1] as usize + 1);
            if b - a < 2
                || rules[a..b]
                    .windows(2)
                    .all(|x| rule_cmp(lits, &x[0], &x[1]) <= 0)
            {
                continue;
            }
            let mut idx: Vec<usize> = (a..b).collect();
            idx.sort_by(|&x, &y| rule_cmp(lits, &rules[x], &rules[y]).cmp(&0));
            let (rs, is): (Vec<Rule>, Vec<RuleInfo>) =
                idx.iter().map(|&i| (rules[i], infos[i])).unzip();
            rules[a..b].copy_from_slice(&rs);
            infos[a..b].copy_from_slice(&is);
        }
        // Drop duplicates (the first of equal rules stays).
        let mut kept = 1;
        for i in 1..n {
            if kept > 1
                && rules[kept - 1].p == rules[i].p
                && rule_cmp(lits, &rules[kept - 1], &rules[i]) == 0
            {
                continue;
            }
            rules[kept] = rules[i];
            infos[kept] = infos[i];
            kept += 1;
        }
        rules.truncate(kept);
        infos.truncate(kept);
        self.rules2 = std::mem::replace(&mut self.rules, rules);
        self.infos2 = std::mem::replace(&mut self.infos, infos);
    }

    /// Merges the base's unified rules with the (unified) rules walked after
    /// them. In a full walk the base's solvables come first, so of two equal
    /// rules the base's is the one `unify_rules` keeps.
    #[inline(never)]
    fn merge_base(&mut self, b: &BaseRules) {
        let mine = std::mem::take(&mut self.rules);
        let my_infos = std::mem::take(&mut self.infos);
        let mut rules = std::mem::take(&mut self.rules2);
        let mut infos = std::mem::take(&mut self.infos2);
        rules.clear();
        infos.clear();
        rules.push(mine[0]);
        infos.push(my_infos[0]);
        let (mut i, mut j) = (1, 1);
        let lits = &self.lits;
        // Base runs between two of our rules are copied in bulk.
        while j < mine.len() {
            // Galloping search for the first base rule not below ours.
            let below = |r: &Rule| rule_cmp(lits, r, &mine[j]) < 0;
            let (mut lo, mut step) = (i, 1);
            while lo + step <= b.rules.len() && below(&b.rules[lo + step - 1]) {
                lo += step;
                step *= 2;
            }
            let hi = (lo + step).min(b.rules.len());
            let k = lo + b.rules[lo..hi].partition_point(below);
            rules.extend_from_slice(&b.rules[i..k]);
            infos.extend_from_slice(&b.infos[i..k]);
            i = k;
            if i < b.rules.len() && rule_cmp(lits, &b.rules[i], &mine[j]) == 0 {
                // Equal: the base's stays.
                rules.push(b.rules[i]);
                infos.push(b.infos[i]);
                i += 1;
            } else {
                rules.push(mine[j]);
                infos.push(my_infos[j]);
            }
            j += 1;
        }
        rules.extend_from_slice(&b.rules[i..]);
        infos.extend_from_slice(&b.infos[i..]);
        rules.extend_from_slice(&mine[j..]);
        infos.extend_from_slice(&my_infos[j..]);
        self.rules = rules;
        self.infos = infos;
        self.rules2 = mine;
        self.infos2 = my_infos;
    }

    /// libsolv `solver_addinfarchrules` (no installed packages): a package of
    /// a worse arch class than the best reachable one of its name may only be
    /// installed together with a same-EVR package of the best class (or
    /// noarch).
    #[inline(never)]
    fn add_infarch_rules(&mut self) {
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
