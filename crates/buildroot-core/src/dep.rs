//! Dependencies: simple (`name [op evr]`) and rich/boolean (`(a or b >= 2)`),
//! and rpm's rule for whether a provide satisfies a requirement.
//!
//! Parsing reads what dnf reads from rpm-md and headers: a simple dependency
//! as rpm's `parseRCPOT` cuts it, a rich one with libsolv's grammar
//! (`pool_parserpmrichdep`), which is wider than rpm's (chained `if`,
//! `unless`, `without` and `else`, any run of `<`, `=`, `>`). A spec's
//! BuildRequires are checked against rpm's own rules first (`spec/rich.rs`).
//!
//! Matching follows libsolv's `pool_match_flags_evr` (rpm semantics): an
//! unversioned side matches anything of that name; otherwise the two version
//! ranges must overlap, comparing releases only when both sides have one.
//!
//! The text's reader (simple and rich) is `dep/parse.rs`.

mod parse;

use std::fmt;

use crate::error::{Error, Result};
use crate::evr::Evr;
use parse::Parser;

/// A comparison operator of a versioned dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// rpm-md's `NE`: any version but this one (libsolv's `<>`; no spec
    /// can write it).
    Ne,
    /// rpm-md flags libsolv does not know (`flags=""`, `flags="XX"`): a
    /// relation libsolv keeps with no comparison bits, which no version
    /// meets (libsolv prints it `!`).
    Unknown,
}

impl Cmp {
    /// Every comparison, in the order of the enum.
    pub const ALL: [Cmp; 7] = [
        Cmp::Lt,
        Cmp::Le,
        Cmp::Eq,
        Cmp::Ge,
        Cmp::Gt,
        Cmp::Ne,
        Cmp::Unknown,
    ];

    /// rpm-md's `flags` attribute value (`LT`, `LE`, `EQ`, `GE`, `GT`,
    /// `NE`), as libsolv's `adddep` reads it: any other is [`Cmp::Unknown`].
    pub fn from_rpmmd(s: &str) -> Cmp {
        match s {
            "LT" => Cmp::Lt,
            "LE" => Cmp::Le,
            "EQ" => Cmp::Eq,
            "GE" => Cmp::Ge,
            "GT" => Cmp::Gt,
            "NE" => Cmp::Ne,
            _ => Cmp::Unknown,
        }
    }

    /// The rpm-md `flags` attribute value.
    pub fn rpmmd(self) -> &'static str {
        match self {
            Cmp::Lt => "LT",
            Cmp::Le => "LE",
            Cmp::Eq => "EQ",
            Cmp::Ge => "GE",
            Cmp::Gt => "GT",
            Cmp::Ne => "NE",
            // Reads back as the same.
            Cmp::Unknown => "",
        }
    }

    /// The operator as written in specs (`<`, `<=`, `=`, `>=`, `>`); the
    /// two rpm-md alone has as libsolv writes them (`<>`, `!`), which no
    /// spec parser reads.
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Ne => "<>",
            Cmp::Unknown => "!",
        }
    }

    /// Parses a spec operator; `==` is accepted as `=` like rpm does.
    pub fn from_symbol(s: &str) -> Option<Cmp> {
        Some(match s {
            "<" => Cmp::Lt,
            "<=" | "=<" => Cmp::Le,
            "=" | "==" => Cmp::Eq,
            ">=" | "=>" => Cmp::Ge,
            ">" => Cmp::Gt,
            _ => return None,
        })
    }

    /// rpm's sense bits: LESS = 2, GREATER = 4, EQUAL = 8.
    pub fn sense(self) -> u8 {
        match self {
            Cmp::Lt => 2,
            Cmp::Le => 2 | 8,
            Cmp::Eq => 8,
            Cmp::Ge => 4 | 8,
            Cmp::Gt => 4,
            Cmp::Ne => 2 | 4,
            Cmp::Unknown => 0,
        }
    }
}

const LT: u8 = 2;
const GT: u8 = 4;
const EQ: u8 = 8;

/// A version range: operator and EVR.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Range {
    /// The comparison.
    pub cmp: Cmp,
    /// The version compared with.
    pub evr: Evr,
}

/// `name` or `name OP evr`; the leaf of every dependency.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SimpleDep {
    /// The capability's name (or a file path).
    pub name: String,
    /// The version range; none for an unversioned dependency.
    pub range: Option<Range>,
}

impl SimpleDep {
    /// An unversioned dependency on `name`.
    pub fn name(name: impl Into<String>) -> SimpleDep {
        SimpleDep {
            name: name.into(),
            range: None,
        }
    }

    /// A versioned dependency.
    pub fn versioned(name: impl Into<String>, cmp: Cmp, evr: Evr) -> SimpleDep {
        SimpleDep {
            name: name.into(),
            range: Some(Range { cmp, evr }),
        }
    }

    /// Whether this dependency names a file (`/usr/bin/foo`).
    pub fn is_file(&self) -> bool {
        self.name.starts_with('/')
    }

    /// Whether `self`, taken as a provide, satisfies `req` (names must be equal).
    pub fn provides_satisfy(&self, req: &SimpleDep) -> bool {
        self.name == req.name && ranges_overlap(self.range.as_ref(), req.range.as_ref())
    }
}

impl fmt::Display for SimpleDep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(r) = &self.range {
            let e = &r.evr;
            if e.epoch == 0 && e.version.is_empty() && e.release.is_none() {
                // An empty EVR (`a >= :`, or rpm-md's `ver=""`): nothing
                // would not read back.
                write!(f, " {} 0:", r.cmp.symbol())?;
            } else {
                write!(f, " {} {}", r.cmp.symbol(), r.evr)?;
            }
        }
        Ok(())
    }
}

/// Whether a provide's range `p` overlaps a requirement's range `r` (rpm semantics).
pub fn ranges_overlap(p: Option<&Range>, r: Option<&Range>) -> bool {
    let (p, r) = match (p, r) {
        (Some(p), Some(r)) => (p, r),
        _ => return true,
    };
    let (pf, rf) = (p.cmp.sense(), r.cmp.sense());
    // No comparison bits: libsolv's relation of unknown flags meets nothing.
    if pf == 0 || rf == 0 {
        return false;
    }
    if pf & rf & (LT | GT) != 0 {
        return true;
    }
    let (pe, re) = (&p.evr, &r.evr);
    let ord = pe
        .epoch
        .cmp(&re.epoch)
        .then_with(|| crate::evr::rpmvercmp(&pe.version, &re.version));
    use std::cmp::Ordering::*;
    let ord = match ord {
        Equal => match (&pe.release, &re.release) {
            (Some(a), Some(b)) => crate::evr::rpmvercmp(a, b),
            // Equal but the provide lacks a release: match iff the provide has EQ.
            (None, Some(_)) => return pf & EQ != 0,
            // Equal but the requirement lacks a release: match iff it has EQ.
            (Some(_), None) => return rf & EQ != 0,
            (None, None) => Equal,
        },
        o => o,
    };
    match ord {
        Less => rf & LT != 0 || pf & GT != 0,
        Greater => rf & GT != 0 || pf & LT != 0,
        Equal => pf & rf & EQ != 0,
    }
}

/// A dependency: a simple one or a rich (boolean) expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Dep {
    /// A name with an optional version range.
    Simple(SimpleDep),
    /// All must hold.
    And(Vec<Dep>),
    /// At least one must hold.
    Or(Vec<Dep>),
    /// One single package must match every operand.
    With(Vec<Dep>),
    /// One package matches the first operand and not the second.
    Without(Box<Dep>, Box<Dep>),
    /// `then if cond [else otherwise]`.
    If {
        /// What must hold when `cond` does.
        then: Box<Dep>,
        /// The condition.
        cond: Box<Dep>,
        /// What must hold when `cond` does not, if anything.
        otherwise: Option<Box<Dep>>,
    },
    /// `then unless cond [else otherwise]`.
    Unless {
        /// What must hold unless `cond` does.
        then: Box<Dep>,
        /// The condition.
        cond: Box<Dep>,
        /// What must hold when `cond` does, if anything.
        otherwise: Option<Box<Dep>>,
    },
}

impl Dep {
    /// An unversioned simple dependency.
    pub fn name(name: impl Into<String>) -> Dep {
        Dep::Simple(SimpleDep::name(name))
    }

    /// The simple dependency, if this is one.
    pub fn as_simple(&self) -> Option<&SimpleDep> {
        match self {
            Dep::Simple(s) => Some(s),
            _ => None,
        }
    }

    /// `(then if cond [else otherwise])`, or `unless` in place of `if`.
    pub(crate) fn conditional(
        unless: bool,
        then: Box<Dep>,
        cond: Box<Dep>,
        otherwise: Option<Box<Dep>>,
    ) -> Dep {
        if unless {
            Dep::Unless {
                then,
                cond,
                otherwise,
            }
        } else {
            Dep::If {
                then,
                cond,
                otherwise,
            }
        }
    }

    /// Whether this is a rich (boolean) dependency.
    pub fn is_rich(&self) -> bool {
        !matches!(self, Dep::Simple(_))
    }

    /// Parses a dependency string: `name`, `name OP evr`, or a rich `( ... )`.
    pub fn parse(s: &str) -> Result<Dep> {
        Parser {
            s,
            pos: 0,
            stored: false,
        }
        .dep()
    }

    /// A rich dependency as libsolv's `pool_parserpmrichdep` reads one
    /// stored in rpm-md or a header: as [`Dep::parse`] reads it, but
    /// nothing may follow its closing parenthesis, not even a blank
    /// (libsolv drops `(a or b) `; `parse` trims what a spec's line
    /// leaves), and its blanks are spaces only: a tab or line break is
    /// part of a name (`(a<TAB>or b)` reads nothing, `(a<TAB>b)` is the
    /// name `a<TAB>b`), and an operator must be followed by a space
    /// (`(a or(b))` reads nothing).
    pub fn parse_stored_rich(s: &str) -> Result<Dep> {
        if s.ends_with(|c: char| c.is_ascii_whitespace()) {
            return Err(Error::parse(
                "dependency",
                s,
                "text after the rich dependency",
            ));
        }
        Parser {
            s,
            pos: 0,
            stored: true,
        }
        .dep()
    }

    /// The first simple dependency of the tree, left to right: where
    /// libsolv indexes a rich provide (its relation's name, followed down).
    pub fn leftmost(&self) -> &SimpleDep {
        match self {
            Dep::Simple(s) => s,
            Dep::And(v) | Dep::Or(v) | Dep::With(v) => match v.first() {
                Some(d) => d.leftmost(),
                // The parsers make no empty chain; its name is the empty one.
                None => {
                    const {
                        &SimpleDep {
                            name: String::new(),
                            range: None,
                        }
                    }
                }
            },
            Dep::Without(a, _) => a.leftmost(),
            Dep::If { then, .. } | Dep::Unless { then, .. } => then.leftmost(),
        }
    }

    /// Every simple dependency inside this one, in order.
    pub fn leaves(&self) -> Vec<&SimpleDep> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a SimpleDep>) {
        self.for_each_leaf(&mut |s| out.push(s));
    }

    /// Calls `f` on every simple dependency in the tree, left to right (the
    /// order in which rpm and libsolv read them), without allocating.
    pub fn for_each_leaf<'a>(&'a self, f: &mut impl FnMut(&'a SimpleDep)) {
        match self {
            Dep::Simple(s) => f(s),
            Dep::And(v) | Dep::Or(v) | Dep::With(v) => v.iter().for_each(|d| d.for_each_leaf(f)),
            Dep::Without(a, b) => {
                a.for_each_leaf(f);
                b.for_each_leaf(f);
            }
            Dep::If {
                then,
                cond,
                otherwise,
            }
            | Dep::Unless {
                then,
                cond,
                otherwise,
            } => {
                then.for_each_leaf(f);
                cond.for_each_leaf(f);
                if let Some(o) = otherwise {
                    o.for_each_leaf(f);
                }
            }
        }
    }
}

impl From<SimpleDep> for Dep {
    fn from(s: SimpleDep) -> Dep {
        Dep::Simple(s)
    }
}

impl fmt::Display for Dep {
    /// rpm's canonical text: rich dependencies fully parenthesised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, v: &[Dep], op: &str| -> fmt::Result {
            f.write_str("(")?;
            for (i, d) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{d}")?;
            }
            f.write_str(")")
        };
        match self {
            Dep::Simple(s) => write!(f, "{s}"),
            Dep::And(v) => join(f, v, "and"),
            Dep::Or(v) => join(f, v, "or"),
            Dep::With(v) => join(f, v, "with"),
            Dep::Without(a, b) => write!(f, "({a} without {b})"),
            Dep::If {
                then,
                cond,
                otherwise,
            }
            | Dep::Unless {
                then,
                cond,
                otherwise,
            } => {
                let kw = if matches!(self, Dep::If { .. }) {
                    "if"
                } else {
                    "unless"
                };
                write!(f, "({then} {kw} {cond}")?;
                if let Some(o) = otherwise {
                    write!(f, " else {o}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sd(s: &str) -> SimpleDep {
        Dep::parse(s).unwrap().as_simple().unwrap().clone()
    }

    #[test]
    fn matching_follows_rpm() {
        let cases = [
            ("foo = 1.0-5", "foo = 1.0", true),
            ("foo = 1.0-5", "foo > 1.0", false),
            ("cap = 1.0", "cap = 1.0-3", true),
            ("foo = 1:1.0-1", "foo >= 2.0", true),
            ("foo = 1:1.0-1", "foo <= 2.0", false),
            ("cap", "cap >= 2", true),
            ("cap >= 2", "cap", true),
            ("foo = 1-1", "foo < 2", true),
            ("foo = 2-1", "foo < 2", false),
            ("foo > 3", "foo < 2", false),
            ("foo > 1", "foo < 3", true),
            ("foo = 1.0-5", "foo <= 1.0", true),
            ("foo = 1.0-5", "foo < 1.0", false),
            ("foo = 1.0-5", "foo = 1.0-5", true),
            ("foo = 1.0-5", "foo = 1.0-6", false),
            ("bar = 1", "foo", false),
        ];
        for (p, r, want) in cases {
            assert_eq!(sd(p).provides_satisfy(&sd(r)), want, "{p} provides {r}");
        }
    }

    #[test]
    fn rich_parse_roundtrip() {
        for s in [
            "(a or b)",
            "(a and b and c)",
            "(a >= 1.2 if b else c)",
            "(a unless b)",
            "(foo >= 1 with foo < 2)",
            "(a without b)",
            "((a or b) and (c if d))",
            "(pkgconfig(x) >= 1.2 or python3dist(y[z]))",
        ] {
            let d = Dep::parse(s).unwrap();
            assert_eq!(d.to_string(), s);
        }
        assert_eq!(Dep::parse("((a))").unwrap(), Dep::name("a"));
    }

    #[test]
    fn fuzz_regressions_print_and_parse_back() {
        // Inputs the dep fuzzer found whose printed form did not parse back.
        for s in ["` >::", "00\n\n >=:\x0b\0\0\x0f\0\0\0", "(a >2 if \0(a )"] {
            if let Ok(d) = Dep::parse(s) {
                assert_eq!(Dep::parse(&d.to_string()).ok(), Some(d), "{s:?}");
            }
        }
    }

    /// The forms rpm refuses but libsolv's `pool_parserpmrichdep` reads
    /// (what dnf resolves), read as libsolv reads them (`testsolv` prints
    /// `a IF (b IF c)`, `a - b - c` and `a <=> b` for the first three).
    #[test]
    fn rich_forms_only_libsolv_reads() {
        let p = |s: &str| Dep::parse(s).unwrap();
        assert_eq!(p("(a if b if c)"), p("(a if (b if c))"));
        assert_eq!(p("(a unless b unless c)"), p("(a unless (b unless c))"));
        assert_eq!(p("(a if b if c else d)"), p("(a if (b if c else d))"));
        // testsolv: `a IF (b ELSE (c ELSE d))`, nothing providing the
        // inner `else`.
        let Dep::If { otherwise, .. } = p("(a if b else c else  d)") else {
            panic!("not an if");
        };
        assert_eq!(otherwise, Some(Box::new(Dep::name("(c else  d)"))));
        assert_eq!(p("(a if b else c else d)"), p("(a if b else (c else d))"));
        assert_eq!(
            p("(a unless b else (c) else d >= 1 else e)").to_string(),
            "(a unless b else ((c) else d >= 1 else e))"
        );
        assert_eq!(p("(a without b without c)"), p("(a without (b without c))"));
        assert_eq!(p("(a <=> b)"), p("a"));
        assert_eq!(p("(a <> 1 or c)"), p("((a < 1 or a > 1) or c)"));
        assert_eq!(p("(a =>= 1 and b << 2)"), p("(a >= 1 and b < 2)"));
        // What libsolv refuses stays refused.
        for s in [
            "(a if b unless c)",
            "(a without b with c)",
            "(a if b else c if d)",
            "(a if b else c else d or e)",
        ] {
            assert!(Dep::parse(s).is_err(), "{s}");
        }
        // Outside a rich dependency the operators are rpm's.
        assert!(Dep::parse("a <> 1").is_err());
    }

    #[test]
    fn rich_parse_errors_quote_input() {
        for s in [
            "(a or b",
            "(a or b and c)",
            "(a foo b)",
            "()",
            "(a >= )",
            "foo >= 1 x",
        ] {
            let e = Dep::parse(s).unwrap_err().to_string();
            assert!(e.contains(s), "{e}");
        }
    }
}
