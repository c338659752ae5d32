//! The typed ids of the pool: packages, solvables, strings (symbols),
//! EVRs and dependencies, plus libsolv's relation flags. Each is a
//! `#[repr(transparent)]` wrapper of the integer libsolv uses, so tables
//! indexed by them cost what they cost with plain integers, but a symbol
//! cannot be passed where a dependency is expected.
//!
//! The only place that knows how package indexes map to libsolv's solvable
//! numbering (0 is "no solvable", 1 the system solvable, packages from 2 on)
//! is [`SolvableId`].

use std::fmt;

use crate::dep::Cmp;

/// Index of a package in the pool. Stable for the pool's lifetime; ordered
/// like libsolv's solvable ids (repo load order, then metadata order).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PkgId(pub u32);

impl PkgId {
    /// The package at index `i` of the pool.
    #[inline]
    pub fn from_usize(i: usize) -> PkgId {
        PkgId(i as u32)
    }

    /// The index of the package in the pool's per-package tables.
    #[inline]
    pub fn to_usize(self) -> usize {
        self.0 as usize
    }

    /// The solver's solvable id of this package.
    #[inline]
    pub(crate) fn solvable(self) -> SolvableId {
        SolvableId::of_package(self)
    }
}

/// Declares a `u32` id type with `from_usize`/`to_usize` (dense tables are
/// indexed by `to_usize()`).
macro_rules! u32_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) struct $name(u32);

        impl $name {
            /// The id at index `i` of its table.
            #[inline]
            pub(crate) fn from_usize(i: usize) -> Self {
                $name(i as u32)
            }

            /// The index of the id in its table.
            #[inline]
            pub(crate) fn to_usize(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

u32_id! {
    /// A libsolv solvable id: 0 is none, 1 the system solvable (which
    /// "provides" unknown versioned `rpmlib(...)` dependencies), the
    /// packages follow in pool order. Literals and the solver's
    /// per-solvable tables use this numbering.
    SolvableId
}

/// Solvable ids below this are not packages (none and the system solvable).
const FIRST_PACKAGE: u32 = 2;

impl SolvableId {
    /// No solvable (a rule about no package, the end of a list).
    pub(crate) const NONE: SolvableId = SolvableId(0);
    /// The system solvable.
    pub(crate) const SYSTEM: SolvableId = SolvableId(1);

    /// The solvable of a package.
    #[inline]
    pub(crate) fn of_package(p: PkgId) -> SolvableId {
        SolvableId(p.0 + FIRST_PACKAGE)
    }

    /// The solvable of the package at index `i` of the pool.
    #[inline]
    pub(crate) fn of_index(i: usize) -> SolvableId {
        SolvableId(i as u32 + FIRST_PACKAGE)
    }

    /// Whether this is a package (not none, not the system solvable).
    #[inline]
    pub(crate) fn is_package(self) -> bool {
        self.0 >= FIRST_PACKAGE
    }

    /// The package of this solvable (which must be one: [`Self::is_package`]).
    #[inline]
    pub(crate) fn package(self) -> PkgId {
        debug_assert!(self.is_package(), "solvable {} is no package", self.0);
        PkgId(self.0 - FIRST_PACKAGE)
    }

    /// The length of a per-solvable table for a pool of `npackages`.
    #[inline]
    pub(crate) fn table_len(npackages: usize) -> usize {
        npackages + FIRST_PACKAGE as usize
    }

    /// The solvables of a pool of `npackages`, in order.
    pub(crate) fn packages(npackages: usize) -> impl Iterator<Item = SolvableId> {
        (0..npackages).map(SolvableId::of_index)
    }
}

u32_id! {
    /// An interned string (libsolv's `Id` of a string): package names,
    /// arches, capability names and paths. 0 is the empty string.
    StrId
}

u32_id! {
    /// An interned epoch:version-release. 0 is the empty EVR.
    EvrId
}

u32_id! {
    /// An interned dependency ([`super::DepNode`]).
    DepId
}

impl DepId {
    /// No dependency (a rule made by none).
    pub(crate) const NONE: DepId = DepId(u32::MAX);
}

/// libsolv's relation flags of a versioned dependency or provide: a set of
/// [`RelFlags::LT`], [`RelFlags::EQ`], [`RelFlags::GT`]; empty for an
/// unversioned one.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct RelFlags(u8);

impl RelFlags {
    /// Unversioned: matches any version.
    pub(crate) const ANY: RelFlags = RelFlags(0);
    /// Greater than.
    pub(crate) const GT: RelFlags = RelFlags(1);
    /// Equal.
    pub(crate) const EQ: RelFlags = RelFlags(2);
    /// Less than.
    pub(crate) const LT: RelFlags = RelFlags(4);
    /// `<=>`: every version (all three bits).
    pub(crate) const ALL: RelFlags = RelFlags(7);
    /// A rich provide (`(x and y)` in rpm-md's provides): listed under its
    /// leftmost name, it meets unversioned requirements of that name only,
    /// as libsolv's rich operator flags (16 and up) are no comparison.
    pub(crate) const RICH: RelFlags = RelFlags(8);
    /// A relation with no comparison bits: rpm-md flags libsolv does not
    /// know ([`Cmp::Unknown`]). Unlike [`RelFlags::ANY`] no version meets
    /// it: as a requirement nothing provides it, as a provide it meets
    /// unversioned requirements of its name only.
    pub(crate) const NONE: RelFlags = RelFlags(16);

    /// The flags of an rpm comparison operator.
    pub(crate) fn of_cmp(cmp: Cmp) -> RelFlags {
        match cmp {
            Cmp::Lt => RelFlags::LT,
            Cmp::Le => RelFlags::LT | RelFlags::EQ,
            Cmp::Eq => RelFlags::EQ,
            Cmp::Ge => RelFlags::GT | RelFlags::EQ,
            Cmp::Gt => RelFlags::GT,
            Cmp::Ne => RelFlags::LT | RelFlags::GT,
            Cmp::Unknown => RelFlags::NONE,
        }
    }

    /// The flags as a byte.
    pub(crate) fn bits(self) -> u8 {
        self.0
    }

    /// The flags of a byte from [`RelFlags::bits`]; None for bits no flag has.
    pub(crate) fn from_bits(b: u8) -> Option<RelFlags> {
        (b <= RelFlags::RICH.0 || b == RelFlags::NONE.0).then_some(RelFlags(b))
    }

    /// Whether no flag is set (an unversioned dependency).
    #[inline]
    pub(crate) fn is_any(self) -> bool {
        self.0 == 0
    }

    /// Whether these are [`RelFlags::RICH`].
    #[inline]
    pub(crate) fn is_rich(self) -> bool {
        self.0 == RelFlags::RICH.0
    }

    /// Whether no version can meet these flags, nor these meet a versioned
    /// requirement: [`RelFlags::RICH`] and [`RelFlags::NONE`] (libsolv's
    /// comparisons give 0 for flags 0 or 8 and up).
    #[inline]
    pub(crate) fn compares_nothing(self) -> bool {
        self.0 >= RelFlags::RICH.0
    }

    /// Whether the two sets share a flag.
    #[inline]
    pub(crate) fn intersects(self, other: RelFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// The operator as libsolv's `pool_dep2str` writes it: `<`, `<=`, `=`,
    /// `>=`, `>`, `<>` (rpm-md's `NE`), `<=>`, `!` for [`RelFlags::NONE`],
    /// and the empty string for [`RelFlags::ANY`].
    pub(crate) fn comparator_str(self) -> &'static str {
        match self.0 {
            0 => "",
            1 => ">",
            2 => "=",
            3 => ">=",
            4 => "<",
            5 => "<>",
            6 => "<=",
            16 => "!",
            _ => "<=>",
        }
    }
}

impl std::ops::BitOr for RelFlags {
    type Output = RelFlags;
    #[inline]
    fn bitor(self, rhs: RelFlags) -> RelFlags {
        RelFlags(self.0 | rhs.0)
    }
}

impl std::ops::BitAnd for RelFlags {
    type Output = RelFlags;
    #[inline]
    fn bitand(self, rhs: RelFlags) -> RelFlags {
        RelFlags(self.0 & rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solvables_of_packages() {
        let p = PkgId(5);
        assert_eq!(p.solvable().package(), p);
        assert!(p.solvable().is_package());
        assert!(!SolvableId::SYSTEM.is_package());
        assert_eq!(SolvableId::of_index(0), PkgId(0).solvable());
        assert_eq!(SolvableId::table_len(3), 5);
        assert_eq!(
            SolvableId::packages(2).collect::<Vec<_>>(),
            vec![PkgId(0).solvable(), PkgId(1).solvable()]
        );
    }

    #[test]
    fn comparators() {
        let all = Cmp::ALL;
        let strs: Vec<&str> = all
            .iter()
            .map(|&c| RelFlags::of_cmp(c).comparator_str())
            .collect();
        // As libsolv's pool_dep2str, and each as our own `Cmp::symbol`.
        assert_eq!(strs, ["<", "<=", "=", ">=", ">", "<>", "!"]);
        assert!(all
            .iter()
            .all(|c| c.symbol() == RelFlags::of_cmp(*c).comparator_str()));
        assert_eq!(RelFlags::ALL.comparator_str(), "<=>");
        assert_eq!(RelFlags::ANY.comparator_str(), "");
    }
}
