//! Sorting and de-duplication of a transaction's package rules, libsolv's
//! `solver_unifyrules` with its order `unifyrules_sortcmp`; and the merge
//! of a shared base's unified rules with the rest (ours: libsolv unifies
//! every transaction's rules from scratch).

use super::BaseRules;
use crate::solver::id::Literal;
use crate::solver::sat::{Rule, RuleInfo, Solver};

/// Unify order of two rules (libsolv `unifyrules_sortcmp`).
pub(in crate::solver) fn rule_cmp(lits: &[Literal], a: &Rule, b: &Rule) -> i64 {
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
    /// libsolv `solver_unifyrules`: sort the package rules and drop duplicates.
    #[inline(never)]
    pub(super) fn unify_rules(&mut self) {
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
    pub(super) fn merge_base(&mut self, b: &BaseRules) {
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
}
