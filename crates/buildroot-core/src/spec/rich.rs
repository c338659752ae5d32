//! The checks rpm makes on a dependency of a spec tag: a rich dependency's
//! grammar and the combinations of operators its tag allows (rpm's
//! `rpmrichParseForTag` and `rpmrichParseInternal`, lib/rpmds.c), and each
//! simple dependency's name and version (`checkDep`, build/parseReqs.c).
//!
//! rpm parses a rich dependency as it reads it: where it ends is where the
//! parse ends (a name keeps balanced parentheses, `pkgconfig(x)`), so the
//! parse also tells the caller how much of the field the dependency is.

/// Which final check `rpmrichParseForTag` makes: Conflicts, Supplements and
/// Enhances (and BuildConflicts) are read as the negation of a requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    Requires,
    Conflicts,
}

impl Context {
    /// The context of a dependency tag (its lower-case token), `None` for
    /// tags that take no rich dependency (Provides, Obsoletes,
    /// OrderWithRequires), as `parseRCPOT` allows them.
    pub fn of_tag(token: &str) -> Option<Context> {
        match token {
            "conflicts" | "buildconflicts" | "supplements" | "enhances" => Some(Context::Conflicts),
            "provides" | "obsoletes" | "orderwithrequires" => None,
            _ => Some(Context::Requires),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Single,
    And,
    Or,
    If,
    Unless,
    Else,
    With,
    Without,
}

// rpm's RICHPARSE_* flags.
const CHECK: u8 = 1;
const NO_WITH: u8 = 2;
const NO_AND: u8 = 4;
const NO_OR: u8 = 8;

/// Checks the rich dependency at the start of `s` (a `(`) as rpm does for a
/// tag of `ctx`; its length in bytes, or rpm's message.
pub(super) fn check(s: &[u8], ctx: Context) -> Result<usize, String> {
    let mut i = 0;
    let mut flags = CHECK;
    group(s, &mut i, &mut flags)?;
    let last = match ctx {
        Context::Requires => Op::And,
        Context::Conflicts => Op::Or,
    };
    allowed(last, flags)?;
    Ok(i)
}

/// rpm's `checkDep`: the name's first character, no version on a file
/// name, the version's characters (`rpmCharCheck`) and form.
pub(super) fn check_dep(name: &str, evr: Option<&str>) -> Result<(), String> {
    let first = name.as_bytes()[0];
    if first.is_ascii() && !(first.is_ascii_alphanumeric() || first == b'_' || first == b'/') {
        return Err("Dependency tokens must begin with alpha-numeric, '_' or '/'".into());
    }
    let Some(evr) = evr else {
        return Ok(());
    };
    if name.starts_with('/') {
        return Err("Versioned file name not permitted".into());
    }
    if let Some(c) = evr
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "._+%{}~^-:".contains(c)))
    {
        return Err(format!("Illegal char '{c}' in: {evr}"));
    }
    if evr.contains("..") {
        return Err(format!("Illegal sequence \"..\" in: {evr}"));
    }
    // rpm fails on these only while `%_wrong_version_format_terminate_build`
    // is set, which its own macro file does (and Fedora's).
    for sep in ['-', ':'] {
        if evr.matches(sep).count() > 1 {
            return Err(format!("Invalid version (double separator '{sep}'): {evr}"));
        }
    }
    if let Some((epoch, _)) = evr.split_once(':') {
        if !epoch.bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "Invalid version (epoch must be unsigned integer): {evr}"
            ));
        }
    }
    Ok(())
}

/// rpm's `rpmParseDSFlags`: a comparison operator.
pub(super) fn is_sense(t: &[u8]) -> bool {
    matches!(
        t,
        b"<=" | b"=<" | b"<" | b"==" | b"=" | b">=" | b"=>" | b">"
    )
}

/// rpm's SKIPWHITE: whitespace and commas.
fn skip_white(s: &[u8], i: &mut usize) {
    while *i < s.len() && (s[*i].is_ascii_whitespace() || s[*i] == 0x0b || s[*i] == b',') {
        *i += 1;
    }
}

/// rpm's SKIPNONWHITEX: a word whose parentheses balance; an unbalanced `)`
/// ends it.
fn skip_word(s: &[u8], i: &mut usize) {
    let mut open = 0i32;
    while let Some(&c) = s.get(*i) {
        if c.is_ascii_whitespace() || c == 0x0b || c == b',' {
            break;
        }
        if c == b')' {
            open -= 1;
            if open < 0 {
                break;
            }
        }
        if c == b'(' {
            open += 1;
        }
        *i += 1;
    }
}

/// rpm's `rpmrichParseCheck`.
fn allowed(op: Op, flags: u8) -> Result<(), String> {
    if matches!(op, Op::With | Op::Without) && flags & NO_WITH != 0 {
        return Err("Illegal ops in with/without".into());
    }
    if flags & CHECK == 0 {
        return Ok(());
    }
    if matches!(op, Op::And | Op::If) && flags & NO_AND != 0 {
        return Err("Illegal context for 'unless', please use 'or' instead".into());
    }
    if matches!(op, Op::Or | Op::Unless) && flags & NO_OR != 0 {
        return Err("Illegal context for 'if', please use 'and' instead".into());
    }
    Ok(())
}

/// rpm's `parseSimpleDep` with the spec's callback (`checkDep`).
fn simple(s: &[u8], i: &mut usize) -> Result<(), String> {
    let n0 = *i;
    skip_word(s, i);
    if *i == n0 {
        return Err("Name required".into());
    }
    let name = String::from_utf8_lossy(&s[n0..*i]).into_owned();
    skip_white(s, i);
    let mut evr = None;
    let mut pe = *i;
    skip_word(s, &mut pe);
    if pe > *i && is_sense(&s[*i..pe]) {
        *i = pe;
        skip_white(s, i);
        let e0 = *i;
        skip_word(s, i);
        if *i == e0 {
            return Err("Version required".into());
        }
        evr = Some(String::from_utf8_lossy(&s[e0..*i]).into_owned());
    }
    check_dep(&name, evr.as_deref())
}

/// rpm's `parseRichDepOp`.
fn operator(s: &[u8], i: &mut usize) -> Result<Op, String> {
    let start = *i;
    while *i < s.len() && !(s[*i].is_ascii_whitespace() || s[*i] == 0x0b || s[*i] == b')') {
        *i += 1;
    }
    Ok(match &s[start..*i] {
        b"and" => Op::And,
        b"or" => Op::Or,
        b"if" => Op::If,
        b"unless" => Op::Unless,
        b"else" => Op::Else,
        b"with" => Op::With,
        b"without" => Op::Without,
        w => {
            let w = String::from_utf8_lossy(w);
            return Err(format!("Unknown rich dependency op '{w}'"));
        }
    })
}

/// rpm's `rpmrichParseInternal`: one parenthesised group from `s[*i]`,
/// `flags` updated as rpm updates its check data.
fn group(s: &[u8], i: &mut usize, flags: &mut u8) -> Result<(), String> {
    let start = *i;
    let mut check = *flags;
    if s.get(*i) != Some(&b'(') {
        return Err("Rich dependency does not start with '('".into());
    }
    *i += 1;
    let (mut op, mut first, mut chain) = (Op::Single, Op::Single, None);
    loop {
        skip_white(s, i);
        match s.get(*i) {
            Some(b')') if chain.is_some() => {
                return Err("Missing argument to rich dependency op".into())
            }
            Some(b')') => return Err("Empty rich dependency".into()),
            Some(b'(') => {
                let mut sub = check & CHECK;
                group(s, i, &mut sub)?;
                // An if/unless branch may hold what the context forbids.
                if matches!(op, Op::If | Op::Unless) {
                    sub &= !(NO_AND | NO_OR);
                }
                check |= sub;
            }
            _ => simple(s, i)?,
        }
        skip_white(s, i);
        match s.get(*i) {
            None => {
                let text = String::from_utf8_lossy(&s[start..]);
                return Err(format!("Unterminated rich dependency: {text}"));
            }
            Some(b')') => break,
            _ => {}
        }
        op = operator(s, i)?;
        if first == Op::Single {
            first = op;
        }
        if op == Op::Else && matches!(chain, Some(Op::If | Op::Unless)) {
            chain = None;
        }
        if let Some(c) = chain {
            if op != c {
                return Err("Cannot chain different ops".into());
            }
            if !matches!(op, Op::And | Op::Or | Op::With) {
                return Err("Can only chain and/or/with ops".into());
            }
        }
        chain = Some(op);
    }
    allowed(first, check)?;
    if first == Op::If {
        check |= NO_OR;
    }
    if first == Op::Unless {
        check |= NO_AND;
    }
    if matches!(op, Op::And | Op::Or) {
        check &= !(NO_AND | NO_OR);
    }
    if !matches!(op, Op::Single | Op::With | Op::Without | Op::Or) {
        check |= NO_WITH;
    }
    *i += 1;
    *flags |= check;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Result<usize, String> {
        check(s.as_bytes(), Context::Requires)
    }

    #[test]
    fn rich_dependencies_checked_as_rpm_checks_them() {
        // Each answer as rpmspec 6.1 gave it for a BuildRequires.
        assert_eq!(req("(a or b) c"), Ok(8));
        assert_eq!(req("(a if b else c)"), Ok(15));
        assert_eq!(req("(a else b)"), Ok(10));
        assert_eq!(req("(a(b or c)"), Ok(10));
        assert!(req("(a unless b)").unwrap_err().contains("'unless'"));
        assert!(req("(a with (b if c))")
            .unwrap_err()
            .contains("with/without"));
        assert!(req("(a if b or c)")
            .unwrap_err()
            .contains("chain different"));
        assert!(req("(a if b if c)").unwrap_err().contains("Can only chain"));
        assert!(req("(a b)").unwrap_err().contains("op 'b'"));
        assert!(req("( )").unwrap_err().contains("Empty"));
        assert!(req("(a or)").unwrap_err().contains("Missing argument"));
        assert!(req("(a >= )").unwrap_err().contains("Version required"));
        assert!(req("(a or b").unwrap_err().contains("Unterminated"));
        let conflicts = |s: &str| check(s.as_bytes(), Context::Conflicts);
        assert!(conflicts("(a if b)").unwrap_err().contains("'if'"));
        assert_eq!(conflicts("(a unless b)"), Ok(12));
    }
}
