//! dnf-like problem descriptions for an unsolvable transaction, from the
//! rules that together force the conflict (libdnf's `describeProblemRules`
//! wording).

use super::id::Literal;
use super::sat::{RuleInfo, RuleKind, Solver};
use crate::pool::{DepAccess, DepId, DepNode, RelFlags, SolvableId};

impl Solver<'_> {
    /// A solvable's NEVRA, "system" for the system solvable (and none).
    pub(crate) fn pkg_str(&self, sid: SolvableId) -> String {
        if !sid.is_package() {
            return "system".to_string();
        }
        self.ov.pool.nevra_string(sid.package())
    }

    fn dep_text(&self, dep: DepId) -> String {
        if dep == DepId::NONE {
            String::new()
        } else {
            self.ov.dep_str(dep)
        }
    }
}

/// Every recorded problem as dnf prints it (libdnf
/// `describeAllProblemRules`): a problem repeating an earlier one (same
/// lines) is left out.
pub(crate) fn describe_all(s: &Solver) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for rules in &s.problems {
        let lines = describe(s, rules);
        let dup = out
            .iter()
            .any(|o| o.len() == lines.len() && lines.iter().all(|l| o.contains(l)));
        if !dup {
            out.push(lines);
        }
    }
    if out.is_empty() {
        out.push(vec!["the transaction is unsolvable".to_string()]);
    }
    out
}

/// One line per rule of a problem's proof, in proof order (libdnf
/// `describeProblemRules`), without duplicates.
pub(crate) fn describe(s: &Solver, rules: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |line: String| {
        if !out.contains(&line) {
            out.push(line);
        }
    };
    for &r in rules {
        for info in all_rule_infos(s, r) {
            if let Some(line) = info_line(s, r, info) {
                push(line);
            }
        }
    }
    if out.is_empty() {
        out.push("the transaction is unsolvable".to_string());
    }
    out
}

/// libsolv `solver_allruleinfos`: a package rule may have been made by
/// several dependencies (one "nothing provides" rule for two missing
/// requirements); all of them, ordered by libsolv's rule type, solvables,
/// then dependency (names and versioned dependencies each in id order).
fn all_rule_infos(s: &Solver, r: usize) -> Vec<RuleInfo> {
    if r >= s.pkgrules_end {
        return vec![s.infos[r]];
    }
    let lits = s.rule_lits(r);
    let pool = s.ov.pool;
    let mut out: Vec<RuleInfo> = Vec::new();
    for &l in &lits {
        if !l.is_negative() {
            break;
        }
        let sr = s.cache.get(pool, l.solvable());
        for i in 0..sr.rules.len() {
            let cl = sr.rule_lits(i);
            if cl == lits {
                let mut info = sr.infos[i];
                if info.kind == RuleKind::SameName {
                    // libsolv normalises the pair: higher id first.
                    let (a, b) = (info.from.max(info.to), info.from.min(info.to));
                    info.from = a;
                    info.to = b;
                }
                out.push(info);
            }
        }
    }
    if out.is_empty() {
        return vec![s.infos[r]];
    }
    let type_rank = |k: RuleKind| match k {
        RuleKind::NotInstallable => 1,
        RuleKind::NothingProvides => 2,
        RuleKind::Requires => 3,
        RuleKind::Conflicts => 5,
        RuleKind::SameName => 6,
        RuleKind::Obsoletes => 7,
        _ => 99,
    };
    // Dependencies: names by string id, then versioned/rich ones by id
    // (libsolv compares raw ids, reldeps having the top bit set).
    let dep_key = |d: DepId| -> (u8, usize) {
        if d == DepId::NONE {
            return (0, 0);
        }
        match s.ov.node(d) {
            DepNode::Simple {
                name,
                flags: RelFlags::ANY,
                ..
            } => (0, name.to_usize()),
            _ => (1, d.to_usize()),
        }
    };
    out.sort_by_key(|i| (type_rank(i.kind), i.from, i.to, dep_key(i.dep)));
    out.dedup_by(|a, b| a.kind == b.kind && a.from == b.from && a.to == b.to && a.dep == b.dep);
    out
}

fn info_line(s: &Solver, r: usize, info: RuleInfo) -> Option<String> {
    {
        let line = match info.kind {
            RuleKind::NotInstallable => {
                if s.ov.pool.sd(info.from).score == 0 {
                    format!(
                        "package {} does not have a compatible architecture",
                        s.pkg_str(info.from)
                    )
                } else if s.ov.pool.sd(info.from).disabled {
                    format!(
                        "package {} is filtered out by exclude filtering",
                        s.pkg_str(info.from)
                    )
                } else {
                    format!("package {} is not installable", s.pkg_str(info.from))
                }
            }
            RuleKind::NothingProvides => format!(
                "nothing provides {} needed by {}",
                s.dep_text(info.dep),
                s.pkg_str(info.from)
            ),
            RuleKind::Requires => format!(
                "package {} requires {}, but none of the providers can be installed",
                s.pkg_str(info.from),
                s.dep_text(info.dep)
            ),
            // A rich conflict's rule names no single package: libsolv's
            // target is 0, which dnf prints as "<NULL>".
            RuleKind::Conflicts => format!(
                "package {} conflicts with {} provided by {}",
                s.pkg_str(info.from),
                s.dep_text(info.dep),
                if info.to != SolvableId::NONE {
                    s.pkg_str(info.to)
                } else {
                    "<NULL>".to_string()
                }
            ),
            RuleKind::Obsoletes => format!(
                "package {} obsoletes {} provided by {}",
                s.pkg_str(info.from),
                s.dep_text(info.dep),
                s.pkg_str(info.to)
            ),
            RuleKind::SameName => format!(
                "cannot install both {} and {}",
                s.pkg_str(info.from),
                s.pkg_str(info.to)
            ),
            RuleKind::InfArch => {
                format!("{} has inferior architecture", s.pkg_str(info.from))
            }
            RuleKind::Job => {
                let lits = s.rule_lits(r);
                if lits == [Literal::neg(SolvableId::SYSTEM)] {
                    match s.job_deps.get(info.job_index()).copied().flatten() {
                        Some(dep) => format!("nothing provides requested {}", s.dep_text(dep)),
                        None => "nothing provides the requested dependency".to_string(),
                    }
                } else {
                    "conflicting requests".to_string()
                }
            }
            RuleKind::Update => {
                format!("problem with installed package {}", s.pkg_str(info.from))
            }
            RuleKind::Dummy | RuleKind::Learnt | RuleKind::Choice => return None,
        };
        Some(line)
    }
}
