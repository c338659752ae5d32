//! The SAT engine: libsolv's `solver_run_sat` for a fresh install.
//!
//! Literals ([`Literal`]) are solvable ids, negative for "not installed".
//! Rules are libsolv rules: `p` is the first literal; `d` points at a
//! zero-terminated list of further literals in `lits` (0 when the rule has
//! at most two literals, the second in `w2`).
//! Two watched literals per rule (`w1`, `w2`) with per-literal watch chains
//! threaded through `n1`/`n2`, visited in libsolv's order.
//!
//! The decision loop is libsolv's: assertions, job rules in job order
//! (`policy choose`), then every unsatisfied rule in rule order with the
//! postponing pass; conflicts are analysed (first UIP), the learnt rule is
//! added and the solver back-jumps; at the end the branches are revisited
//! to minimise the result.
//!
//! The decisions are traced through `log` at trace level, in the shape of
//! libsolv's debug output (compare with `testsolv -v -v`); the tools print
//! them when `RESOLVER_TRACE` is set ([`crate::cli::init_trace`]).

use log::trace;

use super::cache::{Bufs, RuleCache, Workspace};
use super::id::{Cause, Literal, RuleId};
use super::jobs::SolverJob;
use super::rules::BaseRules;
use crate::pool::Overlay;
use crate::pool::{DepId, PkgId, SolvableId};

/// Why a rule exists (for problem messages and explanations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleKind {
    Dummy,
    /// Package `from` cannot be installed (excluded).
    NotInstallable,
    /// Nothing provides `dep` needed by `from`.
    NothingProvides,
    Requires,
    Conflicts,
    Obsoletes,
    SameName,
    Job,
    InfArch,
    Learnt,
    /// Installed package `from` stays or is replaced by an update candidate.
    Update,
    /// A weak rule steering a requirement of `from` to what is installed
    /// (`choice.rs`).
    Choice,
}

/// Provenance of a rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuleInfo {
    /// What made the rule.
    pub kind: RuleKind,
    /// Solvable the rule is about (none if none).
    pub from: SolvableId,
    /// Other solvable (conflicts, obsoletes, same name).
    pub to: SolvableId,
    /// The dependency ([`DepId::NONE`] if none); for job rules the job
    /// index ([`RuleInfo::job`]).
    pub dep: DepId,
}

impl RuleInfo {
    /// A rule made by `kind` about `from` (and `to`), for `dep`.
    pub(crate) fn new(kind: RuleKind, from: SolvableId, to: SolvableId, dep: DepId) -> RuleInfo {
        RuleInfo {
            kind,
            from,
            to,
            dep,
        }
    }

    /// A job rule of job `index` (libsolv keeps the job index where other
    /// rules keep their dependency).
    pub(crate) fn job(index: usize) -> RuleInfo {
        RuleInfo::new(
            RuleKind::Job,
            SolvableId::NONE,
            SolvableId::NONE,
            DepId::from_usize(index),
        )
    }

    /// The job index of a job rule.
    pub(crate) fn job_index(&self) -> usize {
        self.dep.to_usize()
    }
}

/// A libsolv rule.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Rule {
    /// The first literal (none for the dummy rule).
    pub p: Literal,
    /// Offset of the zero-terminated list of further literals in the
    /// solver's `lits` (0: at most two literals, the second in `w2`).
    pub d: u32,
    /// The first watched literal.
    pub w1: Literal,
    /// The second watched literal (none: an assertion).
    pub w2: Literal,
    /// The next rule watching `w1`.
    pub n1: RuleId,
    /// The next rule watching `w2`.
    pub n2: RuleId,
    /// Switched off (part of a problem, or a learnt rule of one).
    pub disabled: bool,
}

/// Policy modes of `policy_filter_unwanted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A job's or a branch's choice (`POLICY_MODE_CHOOSE`).
    Choose,
    /// A dependency's choice while postponing (`POLICY_MODE_CHOOSE_NOREORDER`).
    ChooseNoReorder,
    /// The weak dependency candidates, pruned to the best versions
    /// (`POLICY_MODE_RECOMMEND`: no recommended pruning, no reordering).
    Recommend,
    /// The supplemented candidates, reordered only (`POLICY_MODE_SUPPLEMENT`).
    Supplement,
}

/// Marker for "unsolvable": the problem is stored in the solver.
pub(crate) struct Unsat;

/// A solver for one transaction.
pub(crate) struct Solver<'p> {
    pub ov: Overlay<'p>,
    /// The package rules of every solvable (shared across transactions).
    pub cache: &'p RuleCache,
    pub nsolv: usize,
    pub rules: Vec<Rule>,
    pub infos: Vec<RuleInfo>,
    /// Zero-terminated literal lists; index 0 holds a 0 (the empty list).
    pub lits: Vec<Literal>,
    /// Scratch rule lists (sorting and merging build into these, then swap).
    pub rules2: Vec<Rule>,
    pub infos2: Vec<RuleInfo>,
    pub pkgrules_end: usize,
    pub jobrules: usize,
    pub jobrules_end: usize,
    pub infarchrules: usize,
    pub infarchrules_end: usize,
    pub learntrules: usize,
    /// For each package rule, the index after the run of rules with the
    /// same first literal.
    pub block_end: Vec<u32>,
    /// Package rules `resolve_dependencies` must look at (a bit per rule):
    /// those with a positive first literal, and those whose (negative)
    /// first literal's package is installed, unless satisfied for good.
    /// Every other package rule would be passed over, so runs of clear bits
    /// are skipped in one step.
    pub visit: Vec<u64>,
    /// Package rules found satisfied for good (their bits cleared), with
    /// the decision level that satisfies them (0: never chosen from): such
    /// a rule stays satisfied until that level is taken back.
    pub stamped: Vec<(u32, i32)>,
    /// Per solvable: the first package rule of the block whose first
    /// literal is its negation (0: none). Workspace array.
    pub blk_start: Vec<u32>,
    pub ruleassertions: Vec<usize>,
    /// Per literal (`Literal::watch_index`): the first rule watching it.
    pub watches: Vec<RuleId>,
    /// Per solvable: the level it was decided at, negative when decided
    /// out, 0 undecided.
    pub decisionmap: Vec<i32>,
    /// The decisions in order.
    pub decisionq: Vec<Literal>,
    /// Why each decision was made.
    pub decisionq_why: Vec<Cause>,
    /// The decisions before this index have been propagated.
    pub propagate_index: usize,
    /// libsolv's branch records: the literals of a choice (the chosen one
    /// negated), 0, the rule index, the record's length, the level;
    /// literals as their integers.
    pub branches: Vec<i32>,
    pub learnt_why: Vec<usize>,
    pub learnt_pool: Vec<usize>,
    /// Solvables reached by the rule walk (libsolv `addedmap`).
    pub added: Vec<bool>,
    /// The solvables set in `added`.
    pub added_list: Vec<SolvableId>,
    /// Solvables reached through requirements: these have rules.
    pub strong: Vec<bool>,
    /// The solvables set in `strong`, in walk order.
    pub strong_list: Vec<SolvableId>,
    /// Per solvable: recommended by a decided package.
    pub recommendsmap: Vec<bool>,
    /// Per solvable: suggested by a decided package.
    pub suggestsmap: Vec<bool>,
    /// Entries set in `recommendsmap` or `suggestsmap` (for clearing).
    pub mapped: Vec<SolvableId>,
    /// Scratch marks per solvable, false between uses.
    pub mark: Vec<bool>,
    /// Scratch counts per literal for sorting, zero between uses.
    pub keycount: Vec<u32>,
    /// -1: rebuild the maps from scratch.
    pub recommends_index: i64,
    /// Complex Recommends waiting for an undecided package: (package,
    /// dependency).
    pub recommendscplx: Vec<(SolvableId, DepId)>,
    /// Complex Suggests waiting likewise.
    pub suggestscplx: Vec<(SolvableId, DepId)>,
    /// The problems found so far, each the rules of its proof in libsolv's
    /// order (`solver_findallproblemrules`: learnt rules expanded).
    pub problems: Vec<Vec<usize>>,
    /// For each solver job, its dependency when it is a provides job.
    pub job_deps: Vec<Option<DepId>>,
    /// Installed packages (an installed system, `installed.rs`): empty
    /// for an empty root (no per-transaction array of pool size), else a
    /// flag per solvable.
    pub installed: Vec<bool>,
    /// The installed packages, ascending.
    pub installed_list: Vec<SolvableId>,
    /// The first update rule.
    pub updaterules: usize,
    /// After the last update rule.
    pub updaterules_end: usize,
    /// (installed package, its update rule), in package order.
    pub update_rule_of: Vec<(SolvableId, usize)>,
    /// libsolv `do_extra_reordering`: set while the jobs are resolved on an
    /// installed system.
    pub do_extra_reordering: bool,
    /// Install weak dependencies after the strong ones (libsolv without
    /// `SOLVER_FLAG_IGNORE_RECOMMENDED`, dnf's `install_weak_deps=True`);
    /// the walk then gives rules to everything weak dependencies reach.
    pub weak_deps: bool,
    /// The first choice rule (`choice.rs`), after the inferior-arch rules.
    pub choicerules: usize,
    /// After the last choice rule.
    pub choicerules_end: usize,
    /// For each choice rule, the package rule it was made from.
    pub choice_info: Vec<usize>,
    /// Never installed for a weak dependency (libsolv `excludefromweakmap`,
    /// dnf's `exclude_from_weak_autodetect`), ascending.
    pub exclude_from_weak: Vec<SolvableId>,
}

impl<'p> Solver<'p> {
    /// A solver over `ov`'s pool, taking `ws`'s arrays (all clear).
    pub(crate) fn new(ov: Overlay<'p>, cache: &'p RuleCache, mut ws: Workspace) -> Solver<'p> {
        let nsolv = SolvableId::table_len(ov.pool.len());
        debug_assert_eq!(ws.nsolv, nsolv);
        let mut b = std::mem::take(&mut ws.bufs);
        b.rules.clear();
        b.rules.push(Rule::default());
        b.infos.clear();
        b.infos.push(RuleInfo::new(
            RuleKind::Dummy,
            SolvableId::NONE,
            SolvableId::NONE,
            DepId::NONE,
        ));
        b.lits.clear();
        b.lits.push(Literal::NONE);
        b.decisionq.clear();
        b.decisionq_why.clear();
        b.branches.clear();
        for v in [&mut b.added_list, &mut b.strong_list, &mut b.mapped] {
            v.clear();
        }
        b.stamped.clear();
        b.ruleassertions.clear();
        Solver {
            ov,
            cache,
            nsolv,
            rules: b.rules,
            infos: b.infos,
            lits: b.lits,
            rules2: b.rules2,
            infos2: b.infos2,
            pkgrules_end: 0,
            jobrules: 0,
            jobrules_end: 0,
            infarchrules: 0,
            infarchrules_end: 0,
            learntrules: 0,
            block_end: b.block_end,
            visit: b.visit,
            stamped: b.stamped,
            blk_start: ws.blk_start,
            ruleassertions: b.ruleassertions,
            watches: ws.watches,
            decisionmap: ws.decisionmap,
            decisionq: b.decisionq,
            decisionq_why: b.decisionq_why,
            propagate_index: 0,
            branches: b.branches,
            learnt_why: Vec::new(),
            learnt_pool: Vec::new(),
            added: ws.added,
            added_list: b.added_list,
            strong: ws.strong,
            strong_list: b.strong_list,
            recommendsmap: ws.recommendsmap,
            suggestsmap: ws.suggestsmap,
            mapped: b.mapped,
            mark: ws.mark,
            keycount: ws.keycount,
            recommends_index: 0,
            recommendscplx: Vec::new(),
            suggestscplx: Vec::new(),
            problems: Vec::new(),
            job_deps: Vec::new(),
            installed: Vec::new(),
            installed_list: Vec::new(),
            updaterules: 0,
            updaterules_end: 0,
            update_rule_of: Vec::new(),
            do_extra_reordering: false,
            weak_deps: false,
            exclude_from_weak: Vec::new(),
            choicerules: 0,
            choicerules_end: 0,
            choice_info: Vec::new(),
        }
    }

    /// Gives the per-solvable arrays back, cleared of every entry this
    /// transaction set.
    #[inline(never)]
    pub(crate) fn into_workspace(mut self) -> Workspace {
        for &v in &self.decisionq {
            self.decisionmap[v.solvable().to_usize()] = 0;
        }
        for &s in &self.added_list {
            self.added[s.to_usize()] = false;
        }
        for &s in &self.strong_list {
            self.strong[s.to_usize()] = false;
        }
        self.clear_weak_maps();
        // Every non-empty watch chain starts at a literal some rule watches.
        for r in &self.rules {
            if !r.w2.is_none() {
                let (a, b) = (r.w1.watch_index(self.nsolv), r.w2.watch_index(self.nsolv));
                self.watches[a] = RuleId::NONE;
                self.watches[b] = RuleId::NONE;
            }
        }
        for r in 1..self.pkgrules_end {
            let p = self.rules[r].p;
            if p.is_negative() {
                self.blk_start[p.solvable().to_usize()] = 0;
            }
        }
        let bufs = Bufs {
            rules: self.rules,
            infos: self.infos,
            lits: self.lits,
            rules2: self.rules2,
            infos2: self.infos2,
            block_end: self.block_end,
            visit: self.visit,
            stamped: self.stamped,
            ruleassertions: self.ruleassertions,
            decisionq: self.decisionq,
            decisionq_why: self.decisionq_why,
            branches: self.branches,
            added_list: self.added_list,
            strong_list: self.strong_list,
            mapped: self.mapped,
        };
        let ws = Workspace {
            bufs,
            blk_start: self.blk_start,
            nsolv: self.nsolv,
            decisionmap: self.decisionmap,
            added: self.added,
            strong: self.strong,
            recommendsmap: self.recommendsmap,
            suggestsmap: self.suggestsmap,
            watches: self.watches,
            mark: self.mark,
            keycount: self.keycount,
        };
        debug_assert!(ws.is_clear(), "solver workspace not cleared");
        ws
    }

    /// Clears `recommendsmap` and `suggestsmap`.
    pub(crate) fn clear_weak_maps(&mut self) {
        for &s in &self.mapped {
            self.recommendsmap[s.to_usize()] = false;
            self.suggestsmap[s.to_usize()] = false;
        }
        self.mapped.clear();
    }

    /// A solvable's NEVRA for traces.
    pub(crate) fn sname(&self, lit: Literal) -> String {
        self.pkg_str(lit.solvable())
    }

    /// Solves the jobs; the installed packages or, per problem, its lines.
    pub(crate) fn solve(
        &mut self,
        jobs: &[SolverJob],
        base: Option<&BaseRules>,
    ) -> Result<Vec<PkgId>, Vec<Vec<String>>> {
        self.add_rules(jobs, base);
        self.make_watches();
        let res = self.run_sat();
        if res.is_err() || !self.problems.is_empty() {
            return Err(super::problems::describe_all(self));
        }
        match res {
            Ok(()) => {
                let mut out: Vec<PkgId> = self
                    .decisionq
                    .iter()
                    .filter(|&&v| v.is_positive() && v.solvable().is_package())
                    .map(|&v| v.solvable().package())
                    .collect();
                out.sort_unstable();
                Ok(out)
            }
            Err(Unsat) => unreachable!("handled above"),
        }
    }

    // ----- literal helpers -----

    /// The decision level of a literal: positive when it is true,
    /// negative when false, 0 undecided.
    #[inline]
    pub(crate) fn val(&self, lit: Literal) -> i32 {
        let v = self.decisionmap[lit.solvable().to_usize()];
        if lit.is_positive() {
            v
        } else {
            -v
        }
    }

    #[inline]
    fn is_true(&self, lit: Literal) -> bool {
        self.val(lit) > 0
    }

    #[inline]
    fn is_false(&self, lit: Literal) -> bool {
        self.val(lit) < 0
    }

    /// The decision map entry of a solvable.
    #[inline]
    pub(crate) fn decided(&self, s: SolvableId) -> i32 {
        self.decisionmap[s.to_usize()]
    }

    /// The literals of a rule, in libsolv's `FOR_RULELITERALS` order.
    pub(crate) fn rule_lits(&self, ri: usize) -> Vec<Literal> {
        let r = &self.rules[ri];
        let mut out = Vec::new();
        if r.p.is_none() {
            return out;
        }
        out.push(r.p);
        if r.d == 0 {
            if !r.w2.is_none() {
                out.push(r.w2);
            }
        } else {
            let mut i = r.d as usize;
            while !self.lits[i].is_none() {
                out.push(self.lits[i]);
                i += 1;
            }
        }
        out
    }

    /// Stores a zero-terminated literal list; returns its offset.
    pub(crate) fn store_list(&mut self, l: &[Literal]) -> u32 {
        let off = self.lits.len() as u32;
        self.lits.extend_from_slice(l);
        self.lits.push(Literal::NONE);
        off
    }

    /// libsolv `solver_addrule` after the package rules (job, inferior-arch
    /// and learnt rules: kept as given): `list` holds the literals after `p`
    /// (when more than one), else `p2` is the second literal.
    pub(crate) fn add_rule(
        &mut self,
        p: Literal,
        mut p2: Literal,
        list: Option<&[Literal]>,
        info: RuleInfo,
    ) -> usize {
        let mut d = 0u32;
        let mut first = Literal::NONE;
        if let Some(l) = list {
            match l.len() {
                0 => {}
                1 => p2 = l[0],
                _ => {
                    first = l[0];
                    d = 1; // placeholder, stored below
                }
            }
        }
        if d != 0 {
            d = self.store_list(list.unwrap_or(&[]));
        }
        self.rules.push(Rule {
            p,
            d,
            w1: p,
            w2: if d != 0 { first } else { p2 },
            n1: RuleId::NONE,
            n2: RuleId::NONE,
            disabled: false,
        });
        self.infos.push(info);
        self.rules.len() - 1
    }

    // ----- watches and propagation -----

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

    fn decide(&mut self, lit: Literal, level: i32, why: Cause) {
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
    fn propagate(&mut self, level: i32) -> Option<usize> {
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

    fn revert(&mut self, level: i32) {
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
    fn analyze_unsolvable(&mut self, conflict: usize) -> Result<i32, Unsat> {
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
    fn expand_proof(&self, proof: &[usize]) -> Vec<usize> {
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
    fn disable_problem(&mut self, r: usize) {
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
    fn enable_disable_learnt_rules(&mut self) {
        for ri in self.learntrules..self.rules.len() {
            let li = ri - self.learntrules;
            let why = self.learnt_why_rules(li);
            let off = why.iter().any(|&w| self.rules[w].disabled);
            self.rules[ri].disabled = off;
        }
    }

    /// libsolv `solver_reset`: forget every decision (rules were disabled).
    fn reset(&mut self) {
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

    // ----- branches -----

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
    fn set_block_visit(&mut self, n: SolvableId, on: bool) {
        let start = self.blk_start[n.to_usize()] as usize;
        if start != 0 {
            let end = self.block_end[start] as usize;
            self.set_visit(start, end, on);
        }
    }

    /// Decisions above `level` were taken back: rules satisfied above it
    /// may no longer be; those whose block's package is still installed
    /// (or whose first literal is positive) are looked at again.
    fn drop_stamps(&mut self, level: i32) {
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
    fn run_sat(&mut self) -> Result<(), Unsat> {
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
