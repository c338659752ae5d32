//! What the solver keeps across the transactions of one pool: the package
//! rules of every solvable (computed on first use, then shared by every
//! transaction and thread) and the solver's per-solvable arrays (reused, so a
//! transaction costs what it touches, not the size of the pool).
//!
//! libsolv recomputes both for every `solver_solve` (`solver_addpkgrulesforsolvable`
//! walks the pool's dependency data, `solver_create` allocates maps of pool
//! size). The rules of a solvable are a pure function of the pool (see
//! docs/resolver.md, "Speed"), so computing them once gives the same rules.

use std::sync::OnceLock;

use super::id::{Cause, Literal, RuleId};
use super::pkgrules::{compute_solvable_rules, SolvableRules};
use super::sat::{Rule, RuleInfo};
use crate::pool::{Pool, SolvableId};

/// Package rules per solvable, computed on first use.
pub(crate) struct RuleCache {
    rules: Box<[OnceLock<Box<SolvableRules>>]>,
    /// Installable binaries with Supplements or Enhances (solvable ids,
    /// ascending): the candidates of libsolv's `solver_addpkgrulesforweak`.
    weak_cands: OnceLock<Vec<SolvableId>>,
}

impl RuleCache {
    /// An empty cache for `pool`'s solvables.
    pub(crate) fn new(pool: &Pool) -> RuleCache {
        RuleCache {
            rules: (0..pool.len()).map(|_| OnceLock::new()).collect(),
            weak_cands: OnceLock::new(),
        }
    }

    /// The package rules of solvable `sid` (a package).
    #[inline]
    pub(crate) fn get(&self, pool: &Pool, sid: SolvableId) -> &SolvableRules {
        self.rules[sid.package().to_usize()]
            .get_or_init(|| Box::new(compute_solvable_rules(pool, sid)))
    }

    /// Installable binaries with Supplements or Enhances.
    pub(crate) fn weak_candidates(&self, pool: &Pool) -> &[SolvableId] {
        self.weak_cands.get_or_init(|| {
            SolvableId::packages(pool.len())
                .filter(|&s| {
                    let d = pool.sd(s);
                    !d.source
                        && !d.disabled
                        && d.score != 0
                        && (d.supplements.len > 0 || d.enhances.len > 0)
                })
                .collect()
        })
    }
}

/// The solver's arrays indexed by solvable or literal, all zero (false)
/// between transactions: a solver takes them, and gives them back cleared
/// of exactly the entries it set.
pub(crate) struct Workspace {
    /// The length of the per-solvable arrays.
    pub nsolv: usize,
    /// The solver's `decisionmap`.
    pub decisionmap: Vec<i32>,
    /// The solver's `added`.
    pub added: Vec<bool>,
    /// The solver's `strong`.
    pub strong: Vec<bool>,
    /// The solver's `recommendsmap`.
    pub recommendsmap: Vec<bool>,
    /// The solver's `suggestsmap`.
    pub suggestsmap: Vec<bool>,
    /// Watch chain heads per literal (`2 * nsolv + 1`).
    pub watches: Vec<RuleId>,
    /// Scratch marks per solvable (conflict analysis).
    pub mark: Vec<bool>,
    /// Rules per first literal while sorting (`2 * nsolv + 1`).
    pub keycount: Vec<u32>,
    /// Per solvable: the first package rule whose first literal is its
    /// negation (0: none).
    pub blk_start: Vec<u32>,
    /// A transaction's lists, kept for their capacity.
    pub bufs: Bufs,
}

/// The growing lists of a transaction, handed from one to the next so that
/// they are allocated once (contents are cleared on reuse).
#[derive(Default)]
pub(crate) struct Bufs {
    /// The solver's list of the same name (as are the fields below).
    pub rules: Vec<Rule>,
    pub infos: Vec<RuleInfo>,
    pub lits: Vec<Literal>,
    /// Second rule and provenance lists (sorting and merging write into
    /// these, then swap).
    pub rules2: Vec<Rule>,
    pub infos2: Vec<RuleInfo>,
    pub block_end: Vec<u32>,
    pub visit: Vec<u64>,
    pub stamped: Vec<(u32, i32)>,
    pub ruleassertions: Vec<usize>,
    pub decisionq: Vec<Literal>,
    pub decisionq_why: Vec<Cause>,
    pub branches: Vec<i32>,
    pub added_list: Vec<SolvableId>,
    pub strong_list: Vec<SolvableId>,
    pub mapped: Vec<SolvableId>,
}

impl Workspace {
    /// Clear arrays for `nsolv` solvables.
    pub(crate) fn new(nsolv: usize) -> Workspace {
        Workspace {
            nsolv,
            decisionmap: vec![0; nsolv],
            added: vec![false; nsolv],
            strong: vec![false; nsolv],
            recommendsmap: vec![false; nsolv],
            suggestsmap: vec![false; nsolv],
            watches: vec![RuleId::NONE; 2 * nsolv + 1],
            mark: vec![false; nsolv],
            keycount: vec![0; 2 * nsolv + 1],
            blk_start: vec![0; nsolv],
            bufs: Bufs::default(),
        }
    }

    /// Whether every entry is back to zero (debug builds check this when a
    /// workspace is returned).
    pub(crate) fn is_clear(&self) -> bool {
        self.decisionmap.iter().all(|&x| x == 0)
            && !self.added.iter().any(|&x| x)
            && !self.strong.iter().any(|&x| x)
            && !self.recommendsmap.iter().any(|&x| x)
            && !self.suggestsmap.iter().any(|&x| x)
            && self.watches.iter().all(|&x| x == RuleId::NONE)
            && !self.mark.iter().any(|&x| x)
            && self.keycount.iter().all(|&x| x == 0)
            && self.blk_start.iter().all(|&x| x == 0)
    }
}
