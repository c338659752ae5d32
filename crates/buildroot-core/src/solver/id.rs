//! The solver's own ids: literals (a solvable installed or not) and rule
//! ids. `#[repr(transparent)]` wrappers of libsolv's integers, as the
//! pool's ids are (`pool/id.rs`).

use std::fmt;

use crate::pool::SolvableId;

/// A literal: solvable `s` installed (`s`, positive) or not (`-s`), as
/// libsolv writes them; 0 ends a zero-terminated literal list. Ordered as
/// the integers are (rule sorting and CNF merging depend on it).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Literal(i32);

impl Literal {
    /// No literal (the end of a list, an empty slot).
    pub(crate) const NONE: Literal = Literal(0);

    /// "`s` is installed".
    #[inline]
    pub(crate) fn pos(s: SolvableId) -> Literal {
        Literal(s.to_usize() as i32)
    }

    /// "`s` is not installed".
    #[inline]
    pub(crate) fn neg(s: SolvableId) -> Literal {
        Literal(-(s.to_usize() as i32))
    }

    /// The solvable the literal is about.
    #[inline]
    pub(crate) fn solvable(self) -> SolvableId {
        SolvableId::from_usize(self.0.unsigned_abs() as usize)
    }

    /// Whether the literal says "installed" (false for [`Literal::NONE`]).
    #[inline]
    pub(crate) fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether the literal says "not installed".
    #[inline]
    pub(crate) fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether this is [`Literal::NONE`].
    #[inline]
    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }

    /// The index of the literal in a table of `2 * nsolv + 1` entries
    /// (negative literals first), as the watch chains are kept.
    #[inline]
    pub(crate) fn watch_index(self, nsolv: usize) -> usize {
        (self.0 + nsolv as i32) as usize
    }

    /// A non-literal entry of a block queue (`cplxdeps.c` stores a marker
    /// and a list index among its literals): the integer as a literal.
    #[inline]
    pub(crate) const fn from_raw(v: i32) -> Literal {
        Literal(v)
    }

    /// The integer of an entry made by [`Literal::from_raw`].
    #[inline]
    pub(crate) fn to_raw(self) -> i32 {
        self.0
    }
}

impl std::ops::Neg for Literal {
    type Output = Literal;
    #[inline]
    fn neg(self) -> Literal {
        Literal(-self.0)
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Index of a rule in the solver's rule list; 0 is the dummy rule (none).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RuleId(u32);

impl RuleId {
    /// No rule (the end of a watch chain).
    pub(crate) const NONE: RuleId = RuleId(0);

    /// The rule at index `i`.
    #[inline]
    pub(crate) fn from_usize(i: usize) -> RuleId {
        RuleId(i as u32)
    }

    /// The index of the rule.
    #[inline]
    pub(crate) fn to_usize(self) -> usize {
        self.0 as usize
    }
}

/// Why a literal was decided (libsolv's `decisionq_why`): propagated by a
/// rule, chosen while a rule was being resolved, or neither (an
/// assumption). Kept as libsolv keeps it, a signed rule index.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cause(i32);

impl Cause {
    /// Neither propagated nor chosen from a rule.
    pub(crate) const NONE: Cause = Cause(0);

    /// Unit propagation of rule `r` (or the rule is an assertion).
    #[inline]
    pub(crate) fn propagated(r: RuleId) -> Cause {
        Cause(r.0 as i32)
    }

    /// A choice among the literals of rule `r`.
    #[inline]
    pub(crate) fn chosen(r: RuleId) -> Cause {
        Cause(-(r.0 as i32))
    }

    /// The rule that propagated the decision, if one did.
    #[inline]
    pub(crate) fn propagated_by(self) -> Option<RuleId> {
        (self.0 > 0).then_some(RuleId(self.0 as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        let s = SolvableId::from_usize(7);
        assert_eq!(Literal::pos(s).solvable(), s);
        assert_eq!(-Literal::pos(s), Literal::neg(s));
        assert!(Literal::pos(s).is_positive() && Literal::neg(s).is_negative());
        assert!(Literal::neg(s) < Literal::NONE && Literal::NONE < Literal::pos(s));
        assert_eq!(Literal::neg(s).watch_index(10), 3);
    }
}
