//! The choice between alternatives: libsolv's `policy_filter_unwanted`
//! (`src/policy.c`) for a fresh install, step by step (docs/resolver.md):
//! highest repo priority, best arch, best version per name and obsoletes
//! pruning, recommended/supplementing by decided packages, then (in CHOOSE
//! mode) old versions to the back, common versioned provides, suggested to
//! the front.

use std::cmp::Ordering;

use super::cplxdeps::Cnf;
use super::id::Literal;
use super::sat::{Mode, Solver};
use crate::pool::{
    evrcmp_compare, evrcmp_match, match_nevr, DepAccess, DepId, DepNode, EvrId, RelFlags,
    SolvableId, StrId,
};

impl Solver<'_> {
    /// libsolv `policy_filter_unwanted`: prunes and orders the candidates
    /// `plist` (positive literals) of a choice.
    #[inline(never)]
    pub(crate) fn policy_filter_unwanted(&mut self, plist: &mut Vec<Literal>, mode: Mode) {
        if mode == Mode::Supplement {
            // Reorder only (`move_installed_to_front` is not in this mode).
            self.dislike_old_versions(plist);
            self.sort_by_common_dep(plist);
            self.prefer_suggested(plist);
            return;
        }
        if plist.len() > 1 {
            self.prune_to_highest_prio(plist);
        }
        if plist.len() > 1 {
            self.prune_to_best_arch(plist);
        }
        if plist.len() > 1 {
            self.prune_to_best_version(plist);
        }
        if plist.len() > 1 && mode != Mode::Recommend {
            self.prune_to_recommended(plist);
            if plist.len() > 1 && mode == Mode::Choose {
                self.dislike_old_versions(plist);
                self.sort_by_common_dep(plist);
                self.prefer_suggested(plist);
            }
        }
    }

    fn prio(&self, p: Literal) -> i32 {
        let pool = self.ov.pool;
        pool.repos[pool.sd(p.solvable()).repo as usize].priority
    }

    fn subprio(&self, p: Literal) -> i32 {
        let pool = self.ov.pool;
        pool.repos[pool.sd(p.solvable()).repo as usize].subpriority
    }

    fn prune_to_highest_prio(&self, plist: &mut Vec<Literal>) {
        let best = plist.iter().map(|&p| self.prio(p)).max().unwrap_or(0);
        plist.retain(|&p| self.prio(p) == best);
    }

    fn prune_to_best_arch(&self, plist: &mut Vec<Literal>) {
        let pool = self.ov.pool;
        let mut best = 0u32;
        for &p in plist.iter() {
            let a = pool.sd(p.solvable()).score;
            if a != 0 && a != 1 && (best == 0 || a < best) {
                best = a;
            }
        }
        if best == 0 {
            return;
        }
        let kept: Vec<Literal> = plist
            .iter()
            .copied()
            .filter(|&p| {
                let a = pool.sd(p.solvable()).score;
                a != 0 && (a == 1 || ((a ^ best) & 0xffff_0000) == 0)
            })
            .collect();
        if !kept.is_empty() {
            *plist = kept;
        }
    }

    /// Sort order of `prune_to_best_version`: name (strcmp), arch score when
    /// both are real and differ, repo subpriority (high first), id.
    fn best_version_cmp(&self, a: Literal, b: Literal) -> Ordering {
        let pool = self.ov.pool;
        let (sa, sb) = (pool.sd(a.solvable()), pool.sd(b.solvable()));
        if sa.name != sb.name {
            return pool
                .str_of(sa.name)
                .as_bytes()
                .cmp(pool.str_of(sb.name).as_bytes());
        }
        if sa.arch != sb.arch {
            let (aa, ab) = (sa.score, sb.score);
            if aa != ab && aa > 1 && ab > 1 {
                return aa.cmp(&ab);
            }
        }
        let r = self.subprio(b).cmp(&self.subprio(a));
        if r != Ordering::Equal {
            return r;
        }
        a.cmp(&b)
    }

    #[inline(never)]
    fn prune_to_best_version(&self, plist: &mut Vec<Literal>) {
        let pool = self.ov.pool;
        plist.sort_by(|&a, &b| self.best_version_cmp(a, b));
        let mut out: Vec<Literal> = Vec::with_capacity(plist.len());
        let mut best = Literal::NONE;
        for &p in plist.iter() {
            if best.is_none() {
                best = p;
                continue;
            }
            let (bd, sd) = (pool.sd(best.solvable()), pool.sd(p.solvable()));
            if bd.name != sd.name {
                out.push(best);
                best = p;
                continue;
            }
            let r = if bd.evr != sd.evr {
                evrcmp_compare(&pool.evrs[bd.evr.to_usize()], &pool.evrs[sd.evr.to_usize()])
            } else {
                0
            };
            if r < 0 {
                best = p;
            }
        }
        out.push(best);
        *plist = out;
        if plist.len() == 2 {
            self.prune_obsoleted_2(plist);
        } else if plist.len() > 2 {
            self.prune_obsoleted(plist);
        }
    }

    /// Does `s` obsolete `other` (a different name, by NEVR)?
    fn obsoletes_other(&self, s: Literal, other: Literal) -> bool {
        let pool = self.ov.pool;
        let sd = pool.sd(s.solvable());
        let od = pool.sd(other.solvable());
        if od.name == sd.name {
            return false;
        }
        pool.deps_of(sd.obsoletes).iter().any(|&obs| {
            self.ov.dep_providers(obs).contains(&other.solvable())
                && match_nevr(&self.ov, od.name, od.evr, obs)
        })
    }

    fn prune_obsoleted_2(&self, plist: &mut Vec<Literal>) {
        let mut obmap = 0;
        for i in 0..2 {
            if self.obsoletes_other(plist[i], plist[1 - i]) {
                obmap |= 1 << i;
            }
        }
        if obmap == 0 || obmap == 3 {
            return;
        }
        if obmap == 2 {
            plist[0] = plist[1];
        }
        plist.truncate(1);
    }

    /// libsolv's `prune_obsoleted`: Tarjan over "obsoletes" among the
    /// candidates; anything obsoleted from another component is dropped.
    fn prune_obsoleted(&self, plist: &mut Vec<Literal>) {
        let pool = self.ov.pool;
        let n = plist.len();
        let mut t = Trj {
            low: vec![0i64; n],
            stack: vec![0usize; n + 1],
            nstack: 0,
            firstidx: 0,
            idx: 1,
        };
        for i in 0..n {
            if t.low[i] != 0 {
                continue;
            }
            if pool.sd(plist[i].solvable()).obsoletes.len > 0 {
                t.firstidx = t.idx;
                t.nstack = t.idx as usize;
                self.trj_visit(&mut t, plist, i);
            } else {
                let myidx = t.idx;
                t.idx += 1;
                t.low[i] = myidx;
                t.stack[myidx as usize] = i;
            }
        }
        let kept: Vec<Literal> = (0..n)
            .filter(|&i| t.low[i] >= 0)
            .map(|i| plist[i])
            .collect();
        *plist = kept;
    }

    fn trj_visit(&self, t: &mut Trj, plist: &[Literal], node: usize) {
        let pool = self.ov.pool;
        let myidx = t.idx;
        t.idx += 1;
        t.low[node] = myidx;
        let stackstart = t.nstack;
        if t.stack.len() <= stackstart {
            t.stack.resize(stackstart + 1, 0);
        }
        t.stack[stackstart] = node;
        t.nstack += 1;
        let s = plist[node].solvable();
        let sd = pool.sd(s);
        for &obs in pool.deps_of(sd.obsoletes) {
            let provs: Vec<SolvableId> = self.ov.dep_providers(obs).into_owned();
            for p in provs {
                if !p.is_package() {
                    continue;
                }
                let ps = pool.sd(p);
                if ps.name == sd.name {
                    continue;
                }
                if !match_nevr(&self.ov, ps.name, ps.evr, obs) {
                    continue;
                }
                for i in 0..plist.len() {
                    if node == i || plist[i] != Literal::pos(p) {
                        continue;
                    }
                    let mut l = t.low[i];
                    if l == 0 {
                        if ps.obsoletes.len == 0 {
                            t.idx += 1;
                            t.low[i] = -1;
                            continue;
                        }
                        self.trj_visit(t, plist, i);
                        l = t.low[i];
                    }
                    if l < 0 {
                        continue;
                    }
                    if l < t.firstidx {
                        // An older component is obsoleted by us: drop it.
                        let mut k = l as usize;
                        loop {
                            if k < t.stack.len() && t.low[t.stack[k]] == l {
                                t.low[t.stack[k]] = -1;
                                k += 1;
                            } else {
                                break;
                            }
                        }
                    } else if l < t.low[node] {
                        t.low[node] = l;
                    }
                }
            }
        }
        if t.low[node] == myidx {
            let mark = if myidx != t.firstidx { -1 } else { myidx };
            for i in stackstart..t.nstack {
                let x = t.stack[i];
                t.low[x] = mark;
            }
            t.nstack = stackstart;
        }
    }

    #[inline(never)]
    fn prune_to_recommended(&mut self, plist: &mut Vec<Literal>) {
        if plist.len() < 2 {
            return;
        }
        if self.recommends_index < self.decisionq.len() as i64 {
            self.update_recommendsmap();
        }
        let kept: Vec<Literal> = plist
            .iter()
            .copied()
            .filter(|&p| {
                self.recommendsmap[p.solvable().to_usize()] || self.is_supplementing(p.solvable())
            })
            .collect();
        if !kept.is_empty() {
            *plist = kept;
        }
    }

    /// Candidates with a newer (or higher-priority) package of the same name
    /// and arch in the pool go to the back (stable).
    #[inline(never)]
    fn dislike_old_versions(&self, plist: &mut Vec<Literal>) {
        let pool = self.ov.pool;
        let mut good = Vec::with_capacity(plist.len());
        let mut bad = Vec::new();
        for &p in plist.iter() {
            let s = pool.sd(p.solvable());
            let prio = self.prio(p);
            let mut is_bad = false;
            for &q in self.ov.name_providers(s.name).iter() {
                if Literal::pos(q) == p {
                    continue;
                }
                let qs = pool.sd(q);
                if qs.name != s.name || qs.arch != s.arch {
                    continue;
                }
                let qprio = self.prio(Literal::pos(q));
                if prio != qprio {
                    if prio > qprio {
                        continue;
                    }
                    is_bad = true;
                    break;
                }
                if evrcmp_compare(&pool.evrs[qs.evr.to_usize()], &pool.evrs[s.evr.to_usize()]) > 0 {
                    is_bad = true;
                    break;
                }
            }
            if is_bad {
                bad.push(p);
            } else {
                good.push(p);
            }
        }
        good.extend(bad);
        *plist = good;
    }

    /// libsolv `sort_by_common_dep`: rank candidates by the versions of the
    /// versioned provides they share (hash-like `=` values ignored).
    #[inline(never)]
    fn sort_by_common_dep(&self, plist: &mut [Literal]) {
        let pool = self.ov.pool;
        let count = plist.len();
        // (candidate index, provide name, evr id, is LT)
        let mut ents: Vec<(usize, StrId, EvrId, bool)> = Vec::new();
        for (i, &p) in plist.iter().enumerate() {
            for pv in pool.provides_of(p.solvable()) {
                let (eq, lt) = (RelFlags::EQ, RelFlags::LT);
                let ok = pv.flags == eq || pv.flags == (eq | lt) || pv.flags == lt;
                if !ok {
                    continue;
                }
                if pv.flags == eq {
                    let s = pool.evrs[pv.evr.to_usize()].to_string();
                    if s.len() >= 4
                        && s.bytes()
                            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
                    {
                        continue;
                    }
                }
                ents.push((i, pv.name, pv.evr, pv.flags == lt));
            }
        }
        if ents.len() < 2 {
            return;
        }
        let cmp = |a: &(usize, StrId, EvrId, bool), b: &(usize, StrId, EvrId, bool)| -> i32 {
            if a.1 != b.1 {
                return if a.1 < b.1 { -1 } else { 1 };
            }
            if a.2 == b.2 && a.3 == b.3 {
                return 0;
            }
            let r = evrcmp_match(&pool.evrs[b.2.to_usize()], &pool.evrs[a.2.to_usize()]);
            if r == 0 && (a.3 || b.3) {
                if !b.3 {
                    return 1;
                }
                if !a.3 {
                    return -1;
                }
            }
            r
        };
        ents.sort_by(|a, b| cmp(a, b).cmp(&0));
        let mut badness = vec![0i64; count];
        let mut havebad = false;
        let mut lastname: Option<StrId> = None;
        let mut bad = 0i64;
        for k in 0..ents.len() {
            let e = ents[k];
            if lastname == Some(e.1) {
                let prev = ents[k - 1];
                if prev.0 != e.0 && cmp(&prev, &e) == -1 {
                    bad += 1;
                    havebad = true;
                }
            } else {
                bad = 0;
                lastname = Some(e.1);
            }
            badness[e.0] += bad;
        }
        if !havebad {
            return;
        }
        let mut idx: Vec<usize> = (0..count).collect();
        // Stable insertion sort by badness, as libsolv does.
        for i in 1..count {
            let mut j = i;
            while j > 0 && badness[idx[j - 1]] > badness[idx[j]] {
                idx.swap(j - 1, j);
                j -= 1;
            }
        }
        let old = plist.to_vec();
        for (k, &i) in idx.iter().enumerate() {
            plist[k] = old[i];
        }
    }

    #[inline(never)]
    fn prefer_suggested(&mut self, plist: &mut Vec<Literal>) {
        if self.recommends_index < self.decisionq.len() as i64 {
            self.update_recommendsmap();
        }
        let mut good = Vec::with_capacity(plist.len());
        let mut rest = Vec::new();
        for &p in plist.iter() {
            if self.suggestsmap[p.solvable().to_usize()] || self.is_enhancing(p.solvable()) {
                good.push(p);
            } else {
                rest.push(p);
            }
        }
        good.extend(rest);
        *plist = good;
    }

    // ----- recommends / suggests bookkeeping -----

    /// libsolv `policy_update_recommendsmap`.
    #[inline(never)]
    pub(crate) fn update_recommendsmap(&mut self) {
        if self.recommends_index < 0 {
            self.clear_weak_maps();
            self.recommendscplx.clear();
            self.suggestscplx.clear();
            self.recommends_index = 0;
        }
        let pool = self.ov.pool;
        while (self.recommends_index as usize) < self.decisionq.len() {
            let p = self.decisionq[self.recommends_index as usize];
            self.recommends_index += 1;
            if !p.is_positive() || !p.solvable().is_package() {
                continue;
            }
            let p = p.solvable();
            if self.recommendscplx.iter().any(|&(x, _)| x == p) {
                self.recheck_complex(p, true);
            }
            if self.suggestscplx.iter().any(|&(x, _)| x == p) {
                self.recheck_complex(p, false);
            }
            let w = self.cache.get(pool, p);
            for &q in &w.recommended {
                let i = q.to_usize();
                if !self.recommendsmap[i] && !self.suggestsmap[i] {
                    self.mapped.push(q);
                }
                self.recommendsmap[i] = true;
            }
            for &q in &w.suggested {
                let i = q.to_usize();
                if !self.recommendsmap[i] && !self.suggestsmap[i] {
                    self.mapped.push(q);
                }
                self.suggestsmap[i] = true;
            }
            for &rec in &w.recommends_cplx {
                self.check_complex_dep(rec, true);
            }
            for &sug in &w.suggests_cplx {
                self.check_complex_dep(sug, false);
            }
        }
    }

    fn recheck_complex(&mut self, p: SolvableId, rec: bool) {
        if self.decided(p) <= 0 {
            return;
        }
        let q = if rec {
            &mut self.recommendscplx
        } else {
            &mut self.suggestscplx
        };
        let deps: Vec<DepId> = q
            .iter()
            .filter(|&&(x, _)| x == p)
            .map(|&(_, d)| d)
            .collect();
        q.retain(|&(x, _)| x != p);
        for d in deps {
            self.check_complex_dep(d, rec);
        }
    }

    /// libsolv `check_complex_dep`: mark the positive literals of CNF blocks
    /// whose negative literals are all installed; postpone blocks that still
    /// wait for an undecided package.
    fn check_complex_dep(&mut self, dep: DepId, rec: bool) {
        let blocks = {
            let mut cnf = Cnf::new(&self.ov);
            cnf.cnf_expanded(dep)
        };
        let Some(blocks) = blocks else {
            return;
        };
        for b in blocks {
            let mut undecided = Vec::new();
            let mut i = 0;
            let mut skip = false;
            while i < b.len() && b[i].is_negative() {
                let x = b[i].solvable();
                if self.decided(x) < 0 {
                    skip = true;
                    break;
                }
                if self.decided(x) == 0 {
                    undecided.push(x);
                }
                i += 1;
            }
            if skip || i == b.len() {
                continue;
            }
            if undecided.is_empty() {
                for &l in &b[i..] {
                    let p = l.solvable();
                    if !self.recommendsmap[p.to_usize()] && !self.suggestsmap[p.to_usize()] {
                        self.mapped.push(p);
                    }
                    if rec {
                        self.recommendsmap[p.to_usize()] = true;
                    } else {
                        self.suggestsmap[p.to_usize()] = true;
                    }
                }
            } else {
                let q = if rec {
                    &mut self.recommendscplx
                } else {
                    &mut self.suggestscplx
                };
                for x in undecided {
                    if !q.contains(&(x, dep)) {
                        q.push((x, dep));
                    }
                }
            }
        }
    }

    /// libsolv `solver_dep_fulfilled`.
    pub(crate) fn dep_fulfilled(&self, dep: DepId) -> bool {
        match self.ov.node(dep) {
            DepNode::Cond(a, b) => self.dep_fulfilled(a) || !self.dep_fulfilled(b),
            DepNode::CondElse(a, b, c) => {
                if self.dep_fulfilled(b) {
                    self.dep_fulfilled(a)
                } else {
                    self.dep_fulfilled(c)
                }
            }
            DepNode::Unless(a, b) => self.dep_fulfilled(a) && !self.dep_fulfilled(b),
            DepNode::UnlessElse(a, b, c) => {
                if !self.dep_fulfilled(b) {
                    self.dep_fulfilled(a)
                } else {
                    self.dep_fulfilled(c)
                }
            }
            DepNode::And(a, b) => self.dep_fulfilled(a) && self.dep_fulfilled(b),
            DepNode::Or(a, b) => self.dep_fulfilled(a) || self.dep_fulfilled(b),
            _ => self
                .ov
                .dep_providers(dep)
                .iter()
                .any(|&p| self.decided(p) > 0),
        }
    }

    /// Whether a Supplements of `p` is fulfilled by the decided packages.
    pub(crate) fn is_supplementing(&self, p: SolvableId) -> bool {
        let pool = self.ov.pool;
        pool.deps_of(pool.sd(p).supplements)
            .iter()
            .any(|&d| self.dep_fulfilled(d))
    }

    /// Whether an Enhances of `p` is fulfilled by the decided packages.
    pub(crate) fn is_enhancing(&self, p: SolvableId) -> bool {
        let pool = self.ov.pool;
        pool.deps_of(pool.sd(p).enhances)
            .iter()
            .any(|&d| self.dep_fulfilled(d))
    }
}

/// Tarjan state of `prune_obsoleted`.
struct Trj {
    low: Vec<i64>,
    stack: Vec<usize>,
    nstack: usize,
    firstidx: i64,
    idx: i64,
}
