//! dnf-like problem descriptions for an unsolvable transaction, from the
//! rules that together force the conflict (libdnf's `describeProblemRules`
//! wording).

use super::sat::{RuleKind, Solver, NO_DEP};
use crate::pool::{PkgId, SYSTEM};

impl Solver<'_> {
    pub(crate) fn pkg_str(&self, sid: u32) -> String {
        if sid < 2 {
            return "system".to_string();
        }
        self.ov.pool.nevra_string(PkgId::from_sid(sid))
    }

    fn dep_text(&self, dep: u32) -> String {
        if dep == NO_DEP {
            String::new()
        } else {
            self.ov.dep_str(dep)
        }
    }
}

/// One line per involved rule, in rule order, without duplicates.
pub(crate) fn describe(s: &Solver, rules: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |line: String| {
        if !out.contains(&line) {
            out.push(line);
        }
    };
    // Job rules first, as dnf prints "conflicting requests" on top.
    let mut jobs: Vec<usize> = rules
        .iter()
        .copied()
        .filter(|&r| s.infos[r].kind == RuleKind::Job)
        .collect();
    jobs.sort_unstable();
    for r in jobs {
        let lits = s.rule_lits(r);
        if lits == [-(SYSTEM as i32)] {
            push("nothing provides the requested dependency".to_string());
        } else {
            push("conflicting requests".to_string());
        }
    }
    for &r in rules {
        let info = s.infos[r];
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
            RuleKind::Conflicts => {
                if info.to != 0 {
                    format!(
                        "package {} conflicts with {} provided by {}",
                        s.pkg_str(info.from),
                        s.dep_text(info.dep),
                        s.pkg_str(info.to)
                    )
                } else {
                    format!(
                        "package {} conflicts with {}",
                        s.pkg_str(info.from),
                        s.dep_text(info.dep)
                    )
                }
            }
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
                format!("package {} has inferior architecture", s.pkg_str(info.from))
            }
            RuleKind::Job | RuleKind::Dummy | RuleKind::Learnt => continue,
        };
        push(line);
    }
    if out.is_empty() {
        out.push("the transaction is unsolvable".to_string());
    }
    out
}
