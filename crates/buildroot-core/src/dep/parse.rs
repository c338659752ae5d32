//! Reading a dependency's text: a simple one (`name [op evr]`) as rpm's
//! build/parseReqs.c `parseRCPOT` cuts it, a rich one with libsolv's
//! grammar (ext/pool_parserpmrichdep.c `pool_parserpmrichdep` and its
//! `parseRichDep`), wider than rpm's own: chained `if`/`unless`,
//! `without` and `else`, any run of `<`, `=`, `>`. Separate from the
//! dependency types and matching in [`super`], which never look at text.

use super::{Cmp, Dep, SimpleDep, EQ, GT, LT};
use crate::error::{Error, Result};
use crate::evr::Evr;

/// A recursive-descent parser over rpm's rich dependency grammar.
pub(super) struct Parser<'a> {
    pub(super) s: &'a str,
    pub(super) pos: usize,
    /// Reading a stored dependency as libsolv reads it: blanks are spaces
    /// only ([`Dep::parse_stored_rich`]).
    pub(super) stored: bool,
}

impl Parser<'_> {
    /// The whole text as one dependency.
    pub(super) fn dep(mut self) -> Result<Dep> {
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
