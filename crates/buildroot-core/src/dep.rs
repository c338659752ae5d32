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

use std::fmt;

use crate::error::{Error, Result};
use crate::evr::Evr;

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

/// A recursive-descent parser over rpm's rich dependency grammar.
struct Parser<'a> {
    s: &'a str,
    pos: usize,
    /// Reading a stored dependency as libsolv reads it: blanks are spaces
    /// only ([`Dep::parse_stored_rich`]).
    stored: bool,
}

impl Parser<'_> {
    /// The whole text as one dependency.
    fn dep(mut self) -> Result<Dep> {
        self.ws();
        let dep = if self.peek() == Some(b'(') {
            self.rich()?
        } else {
            Dep::Simple(self.simple(true)?)
        };
        self.ws();
        if self.pos != self.s.len() {
            return Err(self.err("unexpected text after the dependency"));
        }
        Ok(dep)
    }

    /// Whether `c` separates words: any ASCII blank, or, in a stored
    /// dependency, the space alone.
    #[inline]
    fn blank(&self, c: u8) -> bool {
        if self.stored {
            c == b' '
        } else {
            c.is_ascii_whitespace()
        }
    }

    fn err(&self, msg: &str) -> Error {
        Error::parse(
            "dependency",
            self.s,
            format!("{msg} at offset {}", self.pos),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(c) if self.blank(c)) {
            self.pos += 1;
        }
    }

    /// A token as rpm scans it: up to whitespace, `,` or an unbalanced `)`.
    fn word(&mut self) -> &str {
        let start = self.pos;
        let mut depth = 0i32;
        while let Some(c) = self.peek() {
            if self.blank(c) || c == b',' {
                break;
            }
            if c == b')' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            if c == b'(' {
                depth += 1;
            }
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    /// A simple dependency; `top`: not inside a rich one, where rpm's
    /// `parseRCPOT` cuts the name at blanks and commas alone (`foo(bar`,
    /// `foo)bar`).
    fn simple(&mut self, top: bool) -> Result<SimpleDep> {
        match self.simple_rel(top)? {
            (name, None) => Ok(SimpleDep::name(name)),
            (name, Some((Rel::Cmp(cmp), evr))) => Ok(SimpleDep::versioned(name, cmp, evr)),
            // Only a rich dependency's operand reads other operators.
            _ => Err(self.err("unknown comparison operator")),
        }
    }

    /// An operand of a rich dependency that is not a group: a simple
    /// dependency, or one libsolv reads with an operator rpm has not
    /// (`a <> 1`: every version but 1, as `(a < 1 or a > 1)`; `a <=> 1`:
    /// every version, as `a`).
    fn rich_simple(&mut self) -> Result<Dep> {
        Ok(match self.simple_rel(false)? {
            (name, None) | (name, Some((Rel::All, _))) => Dep::name(name),
            (name, Some((Rel::Cmp(cmp), evr))) => SimpleDep::versioned(name, cmp, evr).into(),
            (name, Some((Rel::Ne, evr))) => Dep::Or(vec![
                SimpleDep::versioned(name.clone(), Cmp::Lt, evr.clone()).into(),
                SimpleDep::versioned(name, Cmp::Gt, evr).into(),
            ]),
        })
    }

    /// A name and its comparison, if any.
    fn simple_rel(&mut self, top: bool) -> Result<(String, Option<(Rel, Evr)>)> {
        let name = if top {
            let start = self.pos;
            while matches!(self.peek(), Some(c) if !self.blank(c) && c != b',') {
                self.pos += 1;
            }
            self.s[start..self.pos].to_string()
        } else {
            self.word().to_string()
        };
        if name.is_empty() {
            return Err(self.err("expected a dependency name"));
        }
        // Inside a rich dependency `word` ends a name like `foo(bar` at a
        // blank, as rpm's and libsolv's parsers do (`(foo(bar or baz)`); it
        // prints back the same unless the group's `)` follows it at once
        // (`(a or foo(bar )` prints `(a or foo(bar)`, which reads back
        // otherwise).
        let unbalanced = !top && name.matches('(').count() != name.matches(')').count();
        let save = self.pos;
        self.ws();
        let op_start = self.pos;
        while matches!(self.peek(), Some(b'<' | b'>' | b'=')) {
            self.pos += 1;
        }
        if op_start == self.pos {
            if unbalanced && matches!(self.peek(), Some(b')') | None) {
                self.pos = save;
                return Err(self.err("unbalanced parentheses in a name"));
            }
            self.pos = save;
            return Ok((name, None));
        }
        let op = &self.s[op_start..self.pos];
        let rel = if top {
            Cmp::from_symbol(op).map(Rel::Cmp)
        } else {
            Rel::of_chars(op)
        };
        let rel = rel.ok_or_else(|| self.err("unknown comparison operator"))?;
        self.ws();
        let evr = self.word().to_string();
        if evr.is_empty() {
            return Err(self.err("expected a version after the operator"));
        }
        let evr = Evr::parse_dep(&evr).map_err(|_| self.err("bad version"))?;
        // "Every version" prints as the bare name: the same rule as above.
        if unbalanced && matches!(rel, Rel::All) {
            let end = self.pos;
            self.ws();
            let closes = matches!(self.peek(), Some(b')') | None);
            self.pos = end;
            if closes {
                return Err(self.err("unbalanced parentheses in a name"));
            }
        }
        Ok((name, Some((rel, evr))))
    }

    /// An operand inside a rich expression: a nested `( ... )` or a simple dep.
    fn operand(&mut self) -> Result<Dep> {
        self.ws();
        match self.peek() {
            Some(b'(') => self.rich(),
            Some(b')') | None => Err(self.err("expected a dependency")),
            _ => self.rich_simple(),
        }
    }

    fn keyword(&mut self) -> Result<Option<&'static str>> {
        self.ws();
        if self.peek() == Some(b')') {
            return Ok(None);
        }
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        // libsolv takes the operator to the next space: `or(b)` is none.
        if self.stored && self.pos > start && self.peek() != Some(b' ') {
            self.pos = start;
            return Err(self.err("expected a space after the operator"));
        }
        let kw = match &self.s[start..self.pos] {
            "and" => "and",
            "or" => "or",
            "with" => "with",
            "without" => "without",
            "if" => "if",
            "unless" => "unless",
            "else" => "else",
            "" if self.peek().is_none() => return Err(self.err("missing ')'")),
            _ => {
                self.pos = start;
                return Err(self.err("expected and/or/if/unless/with/without/else or ')'"));
            }
        };
        Ok(Some(kw))
    }

    fn rich(&mut self) -> Result<Dep> {
        debug_assert_eq!(self.peek(), Some(b'('));
        let open = self.pos;
        self.pos += 1;
        let first = self.operand()?;
        let Some(op) = self.keyword()? else {
            self.pos += 1; // ')'
            return Ok(first);
        };
        let dep = match op {
            "and" | "or" | "with" => {
                let mut items = vec![first, self.operand()?];
                loop {
                    match self.keyword()? {
                        None => break,
                        Some(k) if k == op => items.push(self.operand()?),
                        Some(_) => return Err(self.err("mixing operators needs parentheses")),
                    }
                }
                match op {
                    "and" => Dep::And(items),
                    "or" => Dep::Or(items),
                    _ => Dep::With(items),
                }
            }
            "without" => self.without_chain(first)?,
            "if" | "unless" => self.cond_chain(first, op)?,
            _ => {
                // `(a else b)`: rpm's and libsolv's grammars take it (an
                // `else` need not follow an `if`; libsolv chains `(a else b
                // else c)` too); libsolv then finds no provider for it, as
                // for a name nothing provides. So it is one: the group's text.
                loop {
                    self.operand()?;
                    match self.keyword()? {
                        None => break,
                        Some("else") => {}
                        Some(_) => return Err(self.err("mixing operators needs parentheses")),
                    }
                }
                self.pos += 1;
                return Ok(Dep::name(&self.s[open..self.pos]));
            }
        };
        // keyword() stopped at ')'.
        self.pos += 1;
        Ok(dep)
    }
}

impl Parser<'_> {
    /// The rest of `(first without b ...)`: libsolv chains `without` to
    /// the right, `(a without b without c)` being `(a without (b without
    /// c))` (rpm refuses the chain; libsolv's reading is what dnf uses).
    fn without_chain(&mut self, first: Dep) -> Result<Dep> {
        let b = self.operand()?;
        let b = match self.keyword()? {
            None => b,
            Some("without") => self.without_chain(b)?,
            Some(_) => return Err(self.err("mixing operators needs parentheses")),
        };
        Ok(Dep::Without(Box::new(first), Box::new(b)))
    }

    /// The rest of `(then if cond ...)` (or `unless`). libsolv chains the
    /// same keyword to the right, `(a if b if c)` being `(a if (b if c))`,
    /// and an `else` belongs to the innermost condition: `(a if b if c
    /// else d)` is `(a if (b if c else d))`.
    fn cond_chain(&mut self, then: Dep, op: &str) -> Result<Dep> {
        let cond = self.operand()?;
        let (cond, otherwise) = match self.keyword()? {
            None => (cond, None),
            Some("else") => (cond, Some(Box::new(self.else_operand()?))),
            Some(k) if k == op => (self.cond_chain(cond, op)?, None),
            Some(_) => return Err(self.err("mixing operators needs parentheses")),
        };
        Ok(Dep::conditional(
            op != "if",
            Box::new(then),
            Box::new(cond),
            otherwise,
        ))
    }
}

impl Parser<'_> {
    /// What follows an `else` of an `if` or `unless`. libsolv chains a
    /// further `else` to the right, `(a if b else c else d)` being `(a if b
    /// else (c else d))`, and finds no provider for an `else` outside a
    /// condition (see [`Parser::rich`]): so the chain is a name nothing
    /// provides, its text in parentheses as that of a written `(c else d)`.
    /// Any other operator is refused, as there.
    fn else_operand(&mut self) -> Result<Dep> {
        self.ws();
        let start = self.pos;
        let first = self.operand()?;
        let mut chained = false;
        loop {
            match self.keyword()? {
                None => break,
                Some("else") => {
                    self.operand()?;
                    chained = true;
                }
                Some(_) => return Err(self.err("unexpected operator after 'else' operand")),
            }
        }
        // keyword() stopped at the group's ')'.
        Ok(if chained {
            Dep::name(format!("({})", self.s[start..self.pos].trim_end()))
        } else {
            first
        })
    }
}

/// A comparison inside a rich dependency, as libsolv reads it: any run of
/// `<`, `=` and `>`, each adding its bit.
enum Rel {
    /// One rpm has an operator for.
    Cmp(Cmp),
    /// `<>` (or `><`): every version but the one named.
    Ne,
    /// All three bits (`<=>`): every version.
    All,
}

impl Rel {
    fn of_chars(op: &str) -> Option<Rel> {
        let bits = op.bytes().fold(0u8, |b, c| {
            b | match c {
                b'<' => LT,
                b'>' => GT,
                _ => EQ,
            }
        });
        Some(match bits {
            LT => Rel::Cmp(Cmp::Lt),
            b if b == LT | EQ => Rel::Cmp(Cmp::Le),
            EQ => Rel::Cmp(Cmp::Eq),
            b if b == GT | EQ => Rel::Cmp(Cmp::Ge),
            GT => Rel::Cmp(Cmp::Gt),
            b if b == LT | GT => Rel::Ne,
            _ => Rel::All,
        })
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
