//! `%if` expressions: integers, quoted strings, `!`, `&&`, `||`, comparisons,
//! `+ - * /` and parentheses, after macro expansion (as rpm's expression.c).

/// A value of an expression.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Int(i64),
    Str(String),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Int(i) => *i != 0,
            Val::Str(s) => !s.is_empty(),
        }
    }
}

/// Evaluates an expanded `%if` expression to true/false.
pub fn eval(text: &str) -> Result<bool, String> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err("empty expression".into());
    }
    let mut p = P { toks, pos: 0 };
    let v = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected '{}'", p.toks[p.pos]));
    }
    Ok(v.truthy())
}

/// Evaluates `%[...]` / `%{expr:...}` to its text value.
pub fn eval_value(text: &str) -> Result<String, String> {
    let toks = tokenize(text)?;
    let mut p = P { toks, pos: 0 };
    Ok(match p.or()? {
        Val::Int(i) => i.to_string(),
        Val::Str(s) => s,
    })
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '"' {
            let start = i;
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += 1;
            }
            if i >= c.len() {
                return Err("unterminated string".into());
            }
            i += 1;
            out.push(c[start..i].iter().collect());
        } else if ch.is_ascii_digit() {
            let start = i;
            while i < c.len() && c[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if "&|=!<>".contains(ch) {
            let two: String = c[i..(i + 2).min(c.len())].iter().collect();
            if ["&&", "||", "==", "!=", "<=", ">="].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else if ch == '&' || ch == '|' || ch == '=' {
                return Err(format!("unexpected '{ch}'"));
            } else {
                out.push(ch.to_string());
                i += 1;
            }
        } else if "()+-*/".contains(ch) {
            out.push(ch.to_string());
            i += 1;
        } else if ch.is_alphabetic() || ch == '_' || ch == '%' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || "_%{}?!.".contains(c[i])) {
                i += 1;
            }
            let w: String = c[start..i].iter().collect();
            return Err(format!(
                "'{w}' is not a number or a quoted string (an undefined macro?)"
            ));
        } else {
            return Err(format!("unexpected '{ch}'"));
        }
    }
    Ok(out)
}

struct P {
    toks: Vec<String>,
    pos: usize,
}

impl P {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(|s| s.as_str())
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek() == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Val, String> {
        let mut v = self.and()?;
        while self.eat("||") {
            let r = self.and()?;
            v = Val::Int((v.truthy() || r.truthy()) as i64);
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<Val, String> {
        let mut v = self.cmp()?;
        while self.eat("&&") {
            let r = self.cmp()?;
            v = Val::Int((v.truthy() && r.truthy()) as i64);
        }
        Ok(v)
    }

    fn cmp(&mut self) -> Result<Val, String> {
        let l = self.add()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let r = self.add()?;
                let ord = match (&l, &r) {
                    (Val::Int(a), Val::Int(b)) => a.cmp(b),
                    (Val::Str(a), Val::Str(b)) => a.cmp(b),
                    _ => return Err("comparing a number with a string".into()),
                };
                use std::cmp::Ordering::*;
                let t = match op {
                    "==" => ord == Equal,
                    "!=" => ord != Equal,
                    "<=" => ord != Greater,
                    ">=" => ord != Less,
                    "<" => ord == Less,
                    _ => ord == Greater,
                };
                return Ok(Val::Int(t as i64));
            }
        }
        Ok(l)
    }

    fn add(&mut self) -> Result<Val, String> {
        let mut v = self.mul()?;
        loop {
            let op = match self.peek() {
                Some("+") => '+',
                Some("-") => '-',
                _ => return Ok(v),
            };
            self.pos += 1;
            let r = self.mul()?;
            v = match (v, r) {
                (Val::Int(a), Val::Int(b)) => Val::Int(if op == '+' {
                    a.wrapping_add(b)
                } else {
                    a.wrapping_sub(b)
                }),
                (Val::Str(a), Val::Str(b)) if op == '+' => Val::Str(a + &b),
                _ => return Err("bad operands".into()),
            };
        }
    }

    fn mul(&mut self) -> Result<Val, String> {
        let mut v = self.unary()?;
        loop {
            let op = match self.peek() {
                Some("*") => '*',
                Some("/") => '/',
                _ => return Ok(v),
            };
            self.pos += 1;
            let r = self.unary()?;
            v = match (v, r) {
                (Val::Int(a), Val::Int(b)) if op == '*' => Val::Int(a.wrapping_mul(b)),
                (Val::Int(_), Val::Int(0)) => return Err("division by zero".into()),
                (Val::Int(a), Val::Int(b)) => Val::Int(a.wrapping_div(b)),
                _ => return Err("bad operands".into()),
            };
        }
    }

    fn unary(&mut self) -> Result<Val, String> {
        if self.eat("!") {
            let v = self.unary()?;
            return Ok(Val::Int(!v.truthy() as i64));
        }
        if self.eat("-") {
            return match self.unary()? {
                Val::Int(i) => Ok(Val::Int(i.wrapping_neg())),
                _ => Err("'-' before a string".into()),
            };
        }
        if self.eat("(") {
            let v = self.or()?;
            if !self.eat(")") {
                return Err("missing ')'".into());
            }
            return Ok(v);
        }
        let Some(t) = self.peek().map(str::to_string) else {
            return Err("unexpected end of expression".into());
        };
        self.pos += 1;
        if let Some(s) = t.strip_prefix('"') {
            return Ok(Val::Str(s.trim_end_matches('"').to_string()));
        }
        t.parse::<i64>()
            .map(Val::Int)
            .map_err(|_| format!("'{t}' is not a number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        for (e, want) in [
            ("1", true),
            ("0", false),
            ("040 >= 40", true),
            ("0 && 1", false),
            ("!0 || 0", true),
            ("(1 || 0) && !(2 < 1)", true),
            ("\"x86_64\" == \"x86_64\"", true),
            ("\"a\" != \"a\"", false),
            ("010 < 9", false),
            ("2 * 3 - 6", false),
        ] {
            assert_eq!(eval(e), Ok(want), "{e}");
        }
        assert!(eval("%{foo} > 1").is_err());
        assert!(eval("1 &&").is_err());
        assert!(eval("").is_err());
    }
}
