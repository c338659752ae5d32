//! rpm's expression language (rpmio/expression.c: `rpmExprBoolFlags`,
//! `rpmExprStrFlags`): integers (C `int`), "strings", v"versions", `!`,
//! `* /`, `+ -` (`+` also joins strings), comparisons, `&&`/`||` (which
//! return an operand, not a boolean), `? :`, parentheses and
//! `lua:name(args)` calls. Operands must have the same type.
//!
//! `%if` lines are expanded before they get here; `%[...]` is not: there
//! each number or string token is expanded on its own, and not at all in
//! a branch that short-circuiting discards (rpm's `RPMEXPR_EXPAND`).

use std::cmp::Ordering;

use crate::evr::rpmvercmp;

/// What an expression needs from the macro engine.
pub trait ExprHost {
    /// Expands the macros of a token (only called in `%[...]`).
    fn expand(&mut self, text: &[u8]) -> Result<Vec<u8>, String>;
    /// Calls the Lua function `name` (`lua:name(...)`), returning its
    /// result as text.
    fn lua_call(&mut self, name: &str, args: &[Value]) -> Result<Vec<u8>, String>;
}

/// A value of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i32),
    Str(Vec<u8>),
    Ver(Ver),
}

/// An rpm version value (`v"1:2.0-1"`): epoch, version, release.
#[derive(Clone, Debug, PartialEq)]
pub struct Ver {
    pub e: Option<String>,
    pub v: String,
    pub r: Option<String>,
}

impl Ver {
    /// rpm's `rpmverParse`; `None` for an empty string.
    pub fn parse(s: &str) -> Option<Ver> {
        if s.is_empty() {
            return None;
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let dash = s[digits..].rfind('-').map(|p| p + digits);
        let v_end = dash.unwrap_or(s.len());
        let (e, v_start) = if s.as_bytes().get(digits) == Some(&b':') {
            let e = if digits == 0 { "0" } else { &s[..digits] };
            (Some(e.to_string()), digits + 1)
        } else {
            (None, 0)
        };
        Some(Ver {
            e,
            v: s[v_start..v_end.max(v_start)].to_string(),
            r: dash.map(|d| s[d + 1..].to_string()),
        })
    }

    /// rpm's `rpmverCmp`.
    pub fn cmp(&self, o: &Ver) -> Ordering {
        let cv = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (None, None) => Ordering::Equal,
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (Some(a), Some(b)) => rpmvercmp(a, b),
        };
        cv(
            Some(self.e.as_deref().unwrap_or("0")),
            Some(o.e.as_deref().unwrap_or("0")),
        )
        .then_with(|| cv(Some(&self.v), Some(&o.v)))
        .then_with(|| cv(self.r.as_deref(), o.r.as_deref()))
    }

    /// `[E:]V[-R]`.
    pub fn evr(&self) -> String {
        let mut s = String::new();
        if let Some(e) = &self.e {
            s.push_str(e);
            s.push(':');
        }
        s.push_str(&self.v);
        if let Some(r) = &self.r {
            s.push('-');
            s.push_str(r);
        }
        s
    }
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Int(i) => *i != 0,
            Value::Str(s) => !s.is_empty(),
            Value::Ver(_) => false,
        }
    }

    fn same_type(&self, o: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(o)
    }

    /// The text rpm prints for the value of `%[...]`.
    pub fn into_text(self) -> Vec<u8> {
        match self {
            Value::Int(i) => i.to_string().into_bytes(),
            Value::Str(s) => s,
            Value::Ver(v) => v.evr().into_bytes(),
        }
    }
}

/// Evaluates an (already expanded) `%if` condition.
pub fn eval_bool(text: &[u8], host: &mut dyn ExprHost) -> Result<bool, String> {
    Ok(run(text, false, host)?.truthy())
}

/// Evaluates `%[...]` (`expand`: tokens are macro-expanded) or
/// `%{expr:...}` to its text.
pub fn eval_text(text: &[u8], expand: bool, host: &mut dyn ExprHost) -> Result<Vec<u8>, String> {
    Ok(run(text, expand, host)?.into_text())
}

fn run(text: &[u8], expand: bool, host: &mut dyn ExprHost) -> Result<Value, String> {
    let mut p = Parser {
        s: text,
        pos: 0,
        tok: Tok::Eof,
        expand,
        discard: false,
        host,
    };
    p.next()?;
    let v = p.ternary()?;
    if p.tok != Tok::Eof {
        return Err(p.err("syntax error in expression"));
    }
    Ok(v)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Eof,
    Val(Value),
    Func(String),
    Add,
    Sub,
    Mul,
    Div,
    Open,
    Close,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Not,
    And,
    Or,
    Cond,
    Alt,
    Comma,
}

struct Parser<'a, 'h> {
    s: &'a [u8],
    pos: usize,
    tok: Tok,
    expand: bool,
    /// In a branch that short-circuiting throws away: nothing is expanded
    /// or called, and arithmetic errors do not count.
    discard: bool,
    host: &'h mut dyn ExprHost,
}

impl Parser<'_, '_> {
    fn err(&self, msg: &str) -> String {
        format!("{msg}: {}", String::from_utf8_lossy(self.s))
    }

    /// The end of a macro starting after the `%` at `at` (rpm's `skipMacro`).
    fn skip_macro(&self, at: usize) -> usize {
        if self.s.get(at) == Some(&b'%') {
            return at + 1;
        }
        super::expand::find_macro_end(self.s, at).unwrap_or(self.s.len())
    }

    fn value_text(&mut self, raw: &[u8]) -> Result<Vec<u8>, String> {
        if self.discard {
            return Ok(Vec::new());
        }
        if self.expand && !raw.is_empty() {
            return self.host.expand(raw);
        }
        Ok(raw.to_vec())
    }

    fn next(&mut self) -> Result<(), String> {
        let s = self.s;
        let mut p = self.pos;
        while p < s.len() && s[p].is_ascii_whitespace() {
            p += 1;
        }
        let two = |c: u8| s.get(p + 1) == Some(&c);
        let (tok, len) = match s.get(p) {
            None => (Tok::Eof, 0),
            Some(b'+') => (Tok::Add, 1),
            Some(b'-') => (Tok::Sub, 1),
            Some(b'*') => (Tok::Mul, 1),
            Some(b'/') => (Tok::Div, 1),
            Some(b'(') => (Tok::Open, 1),
            Some(b')') => (Tok::Close, 1),
            Some(b'=') if two(b'=') => (Tok::Eq, 2),
            Some(b'=') => return Err(self.err("syntax error while parsing ==")),
            Some(b'!') if two(b'=') => (Tok::Ne, 2),
            Some(b'!') => (Tok::Not, 1),
            Some(b'<') if two(b'=') => (Tok::Le, 2),
            Some(b'<') => (Tok::Lt, 1),
            Some(b'>') if two(b'=') => (Tok::Ge, 2),
            Some(b'>') => (Tok::Gt, 1),
            Some(b'&') if two(b'&') => (Tok::And, 2),
            Some(b'&') => return Err(self.err("syntax error while parsing &&")),
            Some(b'|') if two(b'|') => (Tok::Or, 2),
            Some(b'|') => return Err(self.err("syntax error while parsing ||")),
            Some(b'?') => (Tok::Cond, 1),
            Some(b':') => (Tok::Alt, 1),
            Some(b',') => (Tok::Comma, 1),
            Some(&c) if c.is_ascii_digit() || (c == b'%' && self.expand) => {
                let mut t = p;
                while t < s.len() {
                    if s[t] == b'%' && self.expand {
                        t = self.skip_macro(t + 1);
                    } else if s[t].is_ascii_digit() {
                        t += 1;
                    } else {
                        break;
                    }
                }
                let text = self.value_text(&s[p..t])?;
                let well_formed = {
                    let d = text.strip_prefix(b"-").unwrap_or(&text);
                    d.iter().all(u8::is_ascii_digit)
                };
                if self.expand && !well_formed {
                    return Err(if text.first().is_some_and(u8::is_ascii_alphabetic) {
                        self.err("macro expansion returned a bare word, please use \"...\"")
                    } else {
                        self.err("macro expansion did not return an integer")
                    });
                }
                (Tok::Val(Value::Int(atoi(&text))), t - p)
            }
            Some(b'"') | Some(b'v') if s[p] == b'"' || two(b'"') => {
                let is_ver = s[p] == b'v';
                let start = p + if is_ver { 2 } else { 1 };
                let mut t = start;
                while t < s.len() && s[t] != b'"' {
                    if s[t] == b'%' && self.expand {
                        t = self.skip_macro(t + 1);
                    } else {
                        t += 1;
                    }
                }
                if t >= s.len() || s[t] != b'"' {
                    return Err(self.err("unterminated string in expression"));
                }
                let text = self.value_text(&s[start..t])?;
                let v = if is_ver {
                    let text = if self.discard { b"0".to_vec() } else { text };
                    Value::Ver(
                        Ver::parse(&String::from_utf8_lossy(&text))
                            .ok_or_else(|| self.err("invalid version"))?,
                    )
                } else {
                    Value::Str(text)
                };
                (Tok::Val(v), t + 1 - p)
            }
            Some(&c) if c.is_ascii_alphabetic() => {
                let mut t = p + 1;
                while t < s.len()
                    && (s[t].is_ascii_alphanumeric() || matches!(s[t], b'_' | b'.' | b':'))
                {
                    t += 1;
                }
                if s.get(t) != Some(&b'(') {
                    return Err(self.err("bare words are no longer supported, please use \"...\""));
                }
                (
                    Tok::Func(String::from_utf8_lossy(&s[p..t]).into_owned()),
                    t + 1 - p,
                )
            }
            Some(_) => return Err(self.err("parse error in expression")),
        };
        self.pos = p + len;
        self.tok = tok;
        Ok(())
    }

    fn primary(&mut self) -> Result<Value, String> {
        match std::mem::replace(&mut self.tok, Tok::Eof) {
            Tok::Func(name) => self.function(name),
            Tok::Open => {
                self.next()?;
                let v = self.ternary()?;
                if self.tok != Tok::Close {
                    return Err(self.err("unmatched ("));
                }
                self.next()?;
                Ok(v)
            }
            Tok::Val(v) => {
                self.next()?;
                Ok(v)
            }
            Tok::Sub => {
                self.next()?;
                match self.primary()? {
                    Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
                    _ => Err(self.err("- only on numbers")),
                }
            }
            Tok::Not => {
                self.next()?;
                let v = self.primary()?;
                Ok(Value::Int(!v.truthy() as i32))
            }
            Tok::Eof => Err(self.err("unexpected end of expression")),
            _ => Err(self.err("syntax error in expression")),
        }
    }

    fn function(&mut self, name: String) -> Result<Value, String> {
        self.next()?;
        let mut args = Vec::new();
        while self.tok != Tok::Close {
            args.push(self.ternary()?);
            if self.tok == Tok::Close {
                break;
            }
            if self.tok != Tok::Comma {
                return Err(self.err("syntax error in expression"));
            }
            self.next()?;
            if self.tok == Tok::Close {
                return Err(self.err("syntax error in expression"));
            }
        }
        self.next()?;
        let Some(lua) = name.strip_prefix("lua:") else {
            return Err(self.err("unsupported funcion"));
        };
        if self.discard {
            return Ok(Value::Str(Vec::new()));
        }
        if args.iter().any(|a| matches!(a, Value::Ver(_))) {
            return Err(self.err("unsupported function argument type"));
        }
        self.host.lua_call(lua, &args).map(Value::Str)
    }

    fn binary_loop(
        &mut self,
        ops: &[Tok],
        sub: fn(&mut Self) -> Result<Value, String>,
        apply: fn(&mut Self, &Tok, Value, Value) -> Result<Value, String>,
    ) -> Result<Value, String> {
        let mut v1 = sub(self)?;
        while ops.contains(&self.tok) {
            let op = self.tok.clone();
            self.next()?;
            let v2 = sub(self)?;
            if !v1.same_type(&v2) {
                return Err(self.err("types must match"));
            }
            v1 = apply(self, &op, v1, v2)?;
        }
        Ok(v1)
    }

    fn mul_div(&mut self) -> Result<Value, String> {
        self.binary_loop(&[Tok::Mul, Tok::Div], Self::primary, |p, op, a, b| {
            match (a, b) {
                (Value::Int(x), Value::Int(y)) => {
                    if p.discard {
                        return Ok(Value::Int(x));
                    }
                    if *op == Tok::Div && y == 0 {
                        return Err(p.err("division by zero"));
                    }
                    Ok(Value::Int(if *op == Tok::Mul {
                        x.wrapping_mul(y)
                    } else {
                        x.wrapping_div(y)
                    }))
                }
                (Value::Ver(_), _) => Err(p.err("* and / not supported for versions")),
                _ => Err(p.err("* and / not supported for strings")),
            }
        })
    }

    fn add_sub(&mut self) -> Result<Value, String> {
        self.binary_loop(&[Tok::Add, Tok::Sub], Self::mul_div, |p, op, a, b| {
            match (a, b) {
                (Value::Int(x), Value::Int(y)) => Ok(Value::Int(if *op == Tok::Add {
                    x.wrapping_add(y)
                } else {
                    x.wrapping_sub(y)
                })),
                (Value::Ver(_), _) => Err(p.err("+ and - not supported for versions")),
                (Value::Str(_), _) if *op == Tok::Sub => Err(p.err("- not supported for strings")),
                (Value::Str(mut x), Value::Str(y)) => {
                    x.extend_from_slice(&y);
                    Ok(Value::Str(x))
                }
                _ => unreachable!("types checked equal"),
            }
        })
    }

    fn relational(&mut self) -> Result<Value, String> {
        let ops = [Tok::Eq, Tok::Ne, Tok::Lt, Tok::Le, Tok::Gt, Tok::Ge];
        self.binary_loop(&ops, Self::add_sub, |_, op, a, b| {
            let ord = match (&a, &b) {
                // rpm compares integers by the sign of their difference
                // in an int, which wraps: 2147483647 < -7 is true there.
                (Value::Int(x), Value::Int(y)) => x.wrapping_sub(*y).cmp(&0),
                (Value::Ver(x), Value::Ver(y)) => x.cmp(y),
                (Value::Str(x), Value::Str(y)) => x.cmp(y),
                _ => unreachable!("types checked equal"),
            };
            let r = match op {
                Tok::Eq => ord.is_eq(),
                Tok::Ne => ord.is_ne(),
                Tok::Lt => ord.is_lt(),
                Tok::Le => ord.is_le(),
                Tok::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            };
            Ok(Value::Int(r as i32))
        })
    }

    fn logical(&mut self) -> Result<Value, String> {
        let mut v1 = self.relational()?;
        while matches!(self.tok, Tok::And | Tok::Or) {
            let and = self.tok == Tok::And;
            let b1 = v1.truthy();
            let old = self.discard;
            if (and && !b1) || (!and && b1) {
                self.discard = true;
            }
            self.next()?;
            let v2 = self.relational();
            self.discard = old;
            let v2 = v2?;
            if !v1.same_type(&v2) {
                return Err(self.err("types must match"));
            }
            if (and && b1) || (!and && !b1) {
                v1 = v2;
            }
        }
        Ok(v1)
    }

    fn ternary(&mut self) -> Result<Value, String> {
        let v1 = self.logical()?;
        if self.tok != Tok::Cond {
            return Ok(v1);
        }
        let cond = v1.truthy();
        let old = self.discard;
        if !cond {
            self.discard = true;
        }
        self.next()?;
        let a = self.ternary();
        self.discard = old;
        let a = a?;
        if self.tok != Tok::Alt {
            return Err(self.err("syntax error in expression"));
        }
        if cond {
            self.discard = true;
        }
        let b = self.next().and_then(|_| self.ternary());
        self.discard = old;
        let b = b?;
        if !a.same_type(&b) {
            return Err(self.err("types must match"));
        }
        Ok(if cond { a } else { b })
    }
}

/// C's `atoi`: optional sign, digits, stops at the first other byte,
/// wrapping like the int it returns.
fn atoi(s: &[u8]) -> i32 {
    let (neg, d) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in d.iter().take_while(|c| c.is_ascii_digit()) {
        v = (v * 10 + i64::from(c - b'0')) & 0xffff_ffff;
    }
    let v = v as u32 as i32;
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoHost;
    impl ExprHost for NoHost {
        fn expand(&mut self, t: &[u8]) -> Result<Vec<u8>, String> {
            Ok(t.to_vec())
        }
        fn lua_call(&mut self, _: &str, _: &[Value]) -> Result<Vec<u8>, String> {
            Err("no lua".into())
        }
    }

    fn b(s: &str) -> Result<bool, String> {
        eval_bool(s.as_bytes(), &mut NoHost)
    }

    fn t(s: &str) -> String {
        String::from_utf8(eval_text(s.as_bytes(), false, &mut NoHost).unwrap()).unwrap()
    }

    #[test]
    fn rpm_expressions() {
        assert!(b("1").unwrap());
        assert!(!b("0").unwrap());
        assert!(b("040 > 9").unwrap());
        assert!(b("0 || 2 && 3").unwrap());
        assert!(b("\"a\" < \"b\"").unwrap());
        assert!(b("!\"\"").unwrap());
        assert!(b("(1 + 2) * 3 == 9").unwrap());
        assert!(b("v\"1.10\" > v\"1.9\"").unwrap());
        assert!(b("v\"1:1.0\" > v\"2.0\"").unwrap());
        assert_eq!(t("2 && 3"), "3");
        assert_eq!(t("0 || 5"), "5");
        assert_eq!(t("1 ? 7 : 8"), "7");
        assert_eq!(t("0 ? \"a\" : \"b\""), "b");
        assert_eq!(t("\"a\" + \"b\""), "ab");
        assert_eq!(t("-3 + 1"), "-2");
        assert_eq!(t("7 / 2"), "3");
        assert!(b("1 == \"1\"").is_err());
        assert!(b("foo").is_err());
        assert!(b("").is_err());
        assert!(b("1 +").is_err());
        assert!(b("1 = 1").is_err());
        assert!(b("1 / 0").is_err());
        // A short-circuited division by zero does not count.
        assert!(!b("0 && 1 / 0").unwrap());
        assert!(b("0x10").is_err());
    }
}
