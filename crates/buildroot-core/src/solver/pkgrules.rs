//! One solvable's package rules, as libsolv's `solver_addpkgrulesforsolvable`
//! makes them: requires, conflicts, obsoletes and same-name rules, rich
//! dependencies as CNF blocks (`add_complex_deprules`), and the solvables the
//! walk goes on with. A pure function of the pool: the rule cache
//! (`cache.rs`) computes it once per solvable and every transaction copies
//! it; `rules.rs` puts a transaction's together.

use super::cplxdeps::{pos_literals, Cnf, Norm, EXPAND, INVERT, MARK, TODNF};
use super::id::{Literal, RuleId};
use super::rules::rule_cmp;
use super::sat::{Rule, RuleInfo, RuleKind};
use crate::pool::{match_nevr, DepId, Pool, SolvableId};

/// The package rules of one solvable and the solvables its walk reaches
/// (providers of its requires and of its weak dependencies, lock-step
/// partners): a pure function of the pool, computed once per solvable.
///
/// The rules are stored as a transaction uses them: solver rules whose `d`
/// points into `lits` (zero-terminated lists, `lits[0]` = 0 for "none"),
/// already in unify order (sorted by [`rule_cmp`]), so a transaction copies
/// them in bulk and its sort mostly finds them in order.
#[derive(Clone, Debug)]
pub(crate) struct SolvableRules {
    /// The rules, in unify order.
    pub rules: Vec<Rule>,
    /// Why each rule exists.
    pub infos: Vec<RuleInfo>,
    /// The rules' literal lists.
    pub lits: Vec<Literal>,
    /// Providers of its requirements, positive literals of its rich
    /// requirements, lock-step partners.
    pub succ: Vec<SolvableId>,
    /// Providers of its Recommends/Suggests (walked, never installed for them).
    pub weak: Vec<SolvableId>,
    /// For the recommends and suggests maps of the policy (libsolv
    /// `policy_update_recommendsmap`): providers of its plain Recommends
    /// (sorted, unique) ...
    pub recommended: Vec<SolvableId>,
    /// ... and of its plain Suggests ...
    pub suggested: Vec<SolvableId>,
    /// ... its complex Recommends ...
    pub recommends_cplx: Vec<DepId>,
    /// ... and its complex Suggests.
    pub suggests_cplx: Vec<DepId>,
}

impl Default for SolvableRules {
    fn default() -> Self {
        SolvableRules {
            rules: Vec::new(),
            infos: Vec::new(),
            lits: vec![Literal::NONE],
            succ: Vec::new(),
            weak: Vec::new(),
            recommended: Vec::new(),
            suggested: Vec::new(),
            recommends_cplx: Vec::new(),
            suggests_cplx: Vec::new(),
        }
    }
}

impl SolvableRules {
    /// The literals of rule `i`, in libsolv's `FOR_RULELITERALS` order.
    pub(crate) fn rule_lits(&self, i: usize) -> Vec<Literal> {
        let r = &self.rules[i];
        let mut out = vec![r.p];
        if r.d == 0 {
            if !r.w2.is_none() {
                out.push(r.w2);
            }
        } else {
            out.extend(
                self.lits[r.d as usize..]
                    .iter()
                    .take_while(|x| !x.is_none()),
            );
        }
        out
    }

    fn push(&mut self, p: Literal, p2: Literal, list: &[Literal], info: RuleInfo) {
        let (d, w2) = if list.is_empty() {
            (0, p2)
        } else {
            let d = self.lits.len() as u32;
            self.lits.extend_from_slice(list);
            self.lits.push(Literal::NONE);
            (d, list[0])
        };
        self.rules.push(Rule {
            p,
            d,
            w1: p,
            w2,
            n1: RuleId::NONE,
            n2: RuleId::NONE,
            disabled: false,
        });
        self.infos.push(info);
    }

    /// libsolv `solver_addrule` for package rules (normalised binary rules,
    /// redundant rules dropped).
    fn add(&mut self, mut p: Literal, mut p2: Literal, list: Option<&[Literal]>, info: RuleInfo) {
        if let Some(l) = list {
            match l.len() {
                0 => {}
                1 => p2 = l[0],
                _ => {
                    if l.contains(&-p) {
                        return;
                    }
                    self.push(p, Literal::NONE, l, info);
                    return;
                }
            }
        }
        if !p2.is_none() && p > p2 {
            std::mem::swap(&mut p, &mut p2);
        }
        if p == -p2 {
            return;
        }
        self.push(p, p2, &[], info);
    }

    /// A rule `p` or one of `sids` installed.
    fn add_sids(&mut self, p: Literal, sids: &[SolvableId], info: RuleInfo) {
        if sids.len() < 2 {
            let first = sids.first().map_or(Literal::NONE, |&x| Literal::pos(x));
            self.add(p, first, None, info);
            return;
        }
        if sids.iter().any(|&x| Literal::pos(x) == -p) {
            return;
        }
        let l: Vec<Literal> = sids.iter().map(|&x| Literal::pos(x)).collect();
        self.push(p, Literal::NONE, &l, info);
    }

    /// Puts the rules in unify order: sorted by [`rule_cmp`], equal rules
    /// in the order they were made. Duplicates stay (a rule made for two
    /// dependencies has two reasons in a problem report); a transaction's
    /// unify drops them.
    fn sort(&mut self) {
        let (rules, lits) = (&self.rules, &self.lits);
        let sorted = rules.windows(2).all(|w| rule_cmp(lits, &w[0], &w[1]) <= 0);
        if sorted {
            return;
        }
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by(|&a, &b| rule_cmp(lits, &rules[a], &rules[b]).cmp(&0).then(a.cmp(&b)));
        let mut out = SolvableRules {
            succ: std::mem::take(&mut self.succ),
            weak: std::mem::take(&mut self.weak),
            ..Default::default()
        };
        for i in order {
            let r = self.rules[i];
            let list: Vec<Literal> = if r.d == 0 {
                Vec::new()
            } else {
                lits[r.d as usize..]
                    .iter()
                    .take_while(|x| !x.is_none())
                    .copied()
                    .collect()
            };
            out.push(r.p, r.w2, &list, self.infos[i]);
        }
        out.recommended = std::mem::take(&mut self.recommended);
        out.suggested = std::mem::take(&mut self.suggested);
        out.recommends_cplx = std::mem::take(&mut self.recommends_cplx);
        out.suggests_cplx = std::mem::take(&mut self.suggests_cplx);
        *self = out;
    }
}

/// libsolv `solver_addpkgrulesforsolvable` for one solvable: its rules
/// (requires, conflicts, obsoletes, same name; rich deps as CNF) and the
/// solvables the walk continues with.
pub(crate) fn compute_solvable_rules(pool: &Pool, n: SolvableId) -> SolvableRules {
    let mut out = SolvableRules::default();
    let d = pool.sd(n);
    let not_n = Literal::neg(n);
    let none = SolvableId::NONE;
    let info = |kind, to, dep| RuleInfo::new(kind, n, to, dep);
    if d.disabled || d.source || d.score == 0 {
        let i = info(RuleKind::NotInstallable, none, DepId::NONE);
        out.add(not_n, Literal::NONE, None, i);
    }
    for &req in pool.deps_of(d.requires) {
        if pool.dep_is_complex(req) {
            complex_deprules(pool, &mut out, n, req, RuleKind::Requires);
            continue;
        }
        let dp = pool.dep_list(req);
        if dp.first() == Some(&SolvableId::SYSTEM) {
            continue;
        }
        if dp.is_empty() {
            let i = info(RuleKind::NothingProvides, none, req);
            out.add(not_n, Literal::NONE, None, i);
            continue;
        }
        if dp.contains(&n) {
            continue;
        }
        out.add_sids(not_n, dp, info(RuleKind::Requires, none, req));
        out.succ.extend_from_slice(dp);
    }
    if d.source {
        out.sort();
        return out;
    }
    for &con in pool.deps_of(d.conflicts) {
        if pool.dep_is_complex(con) {
            complex_deprules(pool, &mut out, n, con, RuleKind::Conflicts);
            continue;
        }
        for &p in pool.dep_list(con) {
            if p == n {
                continue; // self-conflicts are allowed for rpm
            }
            let q = if p == SolvableId::SYSTEM {
                Literal::NONE
            } else {
                Literal::neg(p)
            };
            out.add(not_n, q, None, info(RuleKind::Conflicts, p, con));
        }
    }
    // Explicit obsoletes (kept for multiversion packages too), by NEVR.
    for &obs in pool.deps_of(d.obsoletes) {
        for &p in pool.dep_list(obs) {
            if p == n || !p.is_package() {
                continue;
            }
            let ps = pool.sd(p);
            if !match_nevr(pool, ps.name, ps.evr, obs) {
                continue;
            }
            out.add(
                not_n,
                Literal::neg(p),
                None,
                info(RuleKind::Obsoletes, p, obs),
            );
        }
    }
    // Same name: mutually exclusive unless colours differ or both are
    // multiversion. (libsolv skips rules it already added from the other
    // side; sorting removes those duplicates here.)
    let same = pool.name_list(d.name);
    for &p in same {
        if p == n {
            continue;
        }
        let ps = pool.sd(p);
        if d.multiversion && (d.name != ps.name || d.evr != ps.evr || d.arch != ps.arch) {
            continue;
        }
        if ps.name != d.name {
            continue;
        }
        if d.arch != ps.arch && d.color & ps.color == 0 {
            continue;
        }
        let i = info(RuleKind::SameName, p, DepId::NONE);
        out.add(not_n, Literal::neg(p), None, i);
    }
    // Lock-step candidates: same name and EVR, better arch.
    if d.score > 1 {
        for &p in same {
            let ps = pool.sd(p);
            if ps.name != d.name || ps.evr != d.evr {
                continue;
            }
            if ps.score == 0 || ps.score == 1 || ps.score >= d.score {
                continue;
            }
            out.succ.push(p);
        }
    }
    // Weak dependencies are walked (they steer choices) but make no rules.
    for &rec in pool
        .deps_of(d.recommends)
        .iter()
        .chain(pool.deps_of(d.suggests))
    {
        if pool.dep_is_complex(rec) {
            pos_literals(pool, rec, &mut out.weak, false);
            continue;
        }
        out.weak.extend(
            pool.dep_list(rec)
                .iter()
                .copied()
                .filter(|p| p.is_package()),
        );
    }
    for (deps, simple, cplx) in [
        (d.recommends, &mut out.recommended, &mut out.recommends_cplx),
        (d.suggests, &mut out.suggested, &mut out.suggests_cplx),
    ] {
        for &dep in pool.deps_of(deps) {
            if pool.dep_is_complex(dep) {
                cplx.push(dep);
            } else {
                simple.extend_from_slice(pool.dep_list(dep));
            }
        }
        simple.sort_unstable();
        simple.dedup();
    }
    out.sort();
    out
}

/// libsolv `add_complex_deprules`: CNF (requires) or inverted DNF
/// (conflicts) blocks, each a rule containing `-p`.
fn complex_deprules(
    pool: &Pool,
    out: &mut SolvableRules,
    p: SolvableId,
    dep: DepId,
    kind: RuleKind,
) {
    let pi = Literal::pos(p);
    let info = RuleInfo::new(kind, p, SolvableId::NONE, dep);
    let flags = if kind == RuleKind::Conflicts {
        TODNF | EXPAND | INVERT
    } else {
        0
    };
    let mut bq = Vec::new();
    let mut cnf = Cnf::new(pool);
    let r = cnf.normalize(dep, &mut bq, flags);
    let lists = cnf.lists;
    match r {
        Norm::False => {
            let k = if kind == RuleKind::Requires {
                RuleKind::NothingProvides
            } else {
                kind
            };
            let i = RuleInfo::new(k, p, SolvableId::NONE, dep);
            out.add(-pi, Literal::NONE, None, i);
            return;
        }
        Norm::True => return,
        Norm::Blocks => {}
    }
    let mut i = 0;
    while i < bq.len() {
        if bq[i].is_none() {
            i += 1;
            continue;
        }
        if bq[i] == MARK {
            let l = &lists[bq[i + 1].to_raw() as usize];
            i += 3;
            if l.contains(&pi) {
                continue;
            }
            out.add(-pi, Literal::NONE, Some(l), info);
            // Provider lists: positive literals only.
            out.succ.extend(l.iter().map(|&x| x.solvable()));
            continue;
        }
        if bq[i + 1].is_none() {
            let p2 = bq[i];
            i += 2;
            if -pi == p2 {
                if kind == RuleKind::Conflicts {
                    continue;
                }
                out.add(-pi, Literal::NONE, None, info);
                continue;
            }
            if pi == p2 {
                continue;
            }
            out.add(-pi, p2, None, info);
            if p2.is_positive() {
                out.succ.push(p2.solvable());
            }
            continue;
        }
        let start = i;
        while !bq[i].is_none() {
            i += 1;
        }
        let mut block: Vec<Literal> = bq[start..i].to_vec();
        i += 1;
        // Insert -p at its sorted place.
        let mut j = 0;
        loop {
            if j == block.len() || block[j] > -pi {
                block.insert(j, -pi);
                break;
            }
            if block[j] == -pi {
                break;
            }
            j += 1;
        }
        if block.contains(&pi) {
            continue;
        }
        out.add(block[0], Literal::NONE, Some(&block[1..]), info);
        out.succ.extend(
            block
                .iter()
                .filter(|x| x.is_positive())
                .map(|x| x.solvable()),
        );
    }
}
