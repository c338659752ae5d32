//! The SAT engine: libsolv's `solver_run_sat` for a fresh install. This
//! file holds its state ([`Solver`]), its rules and their storage; the
//! watches, propagation and conflict analysis are in `propagate.rs`, the
//! decision loop in `decide.rs`.
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
    pub(super) fn is_true(&self, lit: Literal) -> bool {
        self.val(lit) > 0
    }

    #[inline]
    pub(super) fn is_false(&self, lit: Literal) -> bool {
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
}
