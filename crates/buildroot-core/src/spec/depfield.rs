//! A dependency tag's value as rpm's `parseRCPOT` (build/parseReqs.c)
//! reads it: split into dependencies where whitespace and commas separate
//! them and `N OP EVR` stays one ([`split_deps_checked`]), each checked as
//! rpm checks it (`rich.rs`), and each recorded with the text rpm prints
//! and writes into the SRPM's header (a rich one rebuilt as
//! `parseRCPOTRichCB` rebuilds it). The preamble parser
//! (`parse/preamble.rs`) hands every dependency tag here.

use super::parse::char_check;
use super::reader::Fatal;
use super::rich::{self, Context};
use crate::dep::Dep;

/// The dependency operators rpm knows (`rpmParseDSFlags`).
fn is_op(t: &str) -> bool {
    matches!(t, "<=" | "=<" | "<" | "==" | "=" | ">=" | "=>" | ">")
}

/// rpm's `parseRCPOT`: a dependency tag's value as dependencies, each with
/// its text as rpm prints it; errors are rpm's (fatal) ones.
///
/// A rich dependency rpm takes but libsolv's rich parser cannot read back
/// (`(a or foo(bar )`, which rpm records as `(a or foo(bar)`: the name's
/// `(` swallows the group's `)`) comes with `None`: rpm prints it and
/// writes it into the SRPM's header, and dnf, reading that header through
/// libsolv, drops it, so it constrains no build root.
pub(super) fn parse_deps(
    value: &str,
    ctx: Option<Context>,
    lineno: usize,
    line: &str,
) -> Result<Vec<(Option<Dep>, String)>, Fatal> {
    let err = |m: &str| format!("line {lineno}: {m}: {line}");
    let mut out = Vec::new();
    for item in split_deps_checked(value, ctx).map_err(|m| err(&m))? {
        let d = match Dep::parse(&item) {
            Ok(d) => Some(d),
            Err(_) if item.starts_with('(') => None,
            Err(e) => return Err(err(&e.to_string())),
        };
        out.push((d, item));
    }
    Ok(out)
}

/// A rich dependency as rpm records it: rebuilt from its parse as
/// `parseRCPOTRichCB` (build/parseReqs.cc) rebuilds it, a `(` and `)` for
/// each group as written, ` OP ` between operands, simple dependencies as
/// `N OP EVR` (the EVR as written): whitespace runs become one space.
/// Text the parse does not expect is kept as it comes (the dependency
/// parser reports it).
fn rpm_rich_text(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    rich_group(b, &mut i, &mut out);
    if i < b.len() {
        out.push_str(&s[i..]);
    }
    out
}

/// rpm's SKIPWHITE: spaces and commas.
fn skip_white(b: &[u8], i: &mut usize) {
    while *i < b.len() && (b[*i].is_ascii_whitespace() || b[*i] == b',') {
        *i += 1;
    }
}

/// rpm's SKIPNONWHITEX: a word, parentheses in it balanced (`perl(Foo)`),
/// ending before whitespace, a comma or an unbalanced `)`.
fn rich_word<'a>(b: &'a [u8], i: &mut usize) -> &'a str {
    let start = *i;
    let mut depth = 0i32;
    while *i < b.len() {
        let c = b[*i];
        if c.is_ascii_whitespace() || c == b',' {
            break;
        }
        if c == b')' {
            depth -= 1;
            if depth < 0 {
                break;
            }
        }
        if c == b'(' {
            depth += 1;
        }
        *i += 1;
    }
    std::str::from_utf8(&b[start..*i]).unwrap_or("")
}

/// One `( ... )` group from `b[*i] == '('`: operands (a simple
/// dependency or a group) and the operators between them.
fn rich_group(b: &[u8], i: &mut usize, out: &mut String) {
    out.push('(');
    *i += 1;
    loop {
        if group_ends(b, i, out) {
            return;
        }
        if b[*i] == b'(' {
            rich_group(b, i, out);
        } else {
            out.push_str(rich_word(b, i));
            let after_name = *i;
            skip_white(b, i);
            let flags = rich_word(b, i);
            if !flags.is_empty() && flags.bytes().all(|c| b"<>=".contains(&c)) {
                // rpm writes the sense bits in this order: `<=`, `>=`.
                out.push(' ');
                for c in ['<', '>', '='] {
                    if flags.contains(c) {
                        out.push(c);
                    }
                }
                out.push(' ');
                skip_white(b, i);
                out.push_str(rich_word(b, i));
            } else {
                *i = after_name;
            }
        }
        if group_ends(b, i, out) {
            return;
        }
        let op = rich_word(b, i);
        if op.is_empty() {
            return; // not rpm's shape: the rest is kept as it comes
        }
        out.push(' ');
        out.push_str(op);
        out.push(' ');
    }
}

/// Past whitespace: whether the group ends here (its `)`, taken, or the
/// text's end).
fn group_ends(b: &[u8], i: &mut usize, out: &mut String) -> bool {
    skip_white(b, i);
    match b.get(*i) {
        None => true,
        Some(b')') => {
            *i += 1;
            out.push(')');
            true
        }
        Some(_) => false,
    }
}

/// Splits a dependency field: whitespace and commas separate, `N OP EVR`
/// stays together, a rich `( ... )` is one; checks what rpm checks for a
/// tag of `ctx` (`None`: a tag that takes no rich dependency).
/// rpm's checks of a dependency tag's field that is not kept (`Provides:`,
/// `Obsoletes:`, ...; `tok` the tag's token): `parseRCPOT`'s of each item,
/// and that an Obsoletes names packages. rpm's message when one fails.
pub(super) fn deps_field_checked(value: &str, tok: &str) -> Result<(), String> {
    let items = split_deps_checked(value, Context::of_tag(tok))?;
    if tok == "obsoletes"
        && items.iter().any(|item| {
            let name = item.split(' ').next().unwrap_or_default();
            char_check(name, ".-_+%{}", Some("_%"), 0).is_err()
        })
    {
        return Err("Only package names are allowed in Obsoletes".into());
    }
    Ok(())
}

pub(super) fn split_deps_checked(value: &str, ctx: Option<Context>) -> Result<Vec<String>, String> {
    let b = value.as_bytes();
    let white = |c: u8| c.is_ascii_whitespace() || c == b',';
    let mut out = Vec::new();
    let mut i = 0;
    let token = |i: &mut usize| -> (usize, usize) {
        while *i < b.len() && white(b[*i]) {
            *i += 1;
        }
        let s = *i;
        while *i < b.len() && !white(b[*i]) {
            *i += 1;
        }
        (s, *i)
    };
    loop {
        while i < b.len() && white(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if b[i] == b'(' {
            let ctx = ctx.ok_or("No rich dependencies allowed for this type")?;
            let s = i;
            i += rich::check(&b[s..], ctx)?;
            out.push(rpm_rich_text(&value[s..i]));
            continue;
        }
        let (ns, ne) = token(&mut i);
        let name = &value[ns..ne];
        let save = i;
        let (os, oe) = token(&mut i);
        if oe > os && is_op(&value[os..oe]) {
            let (vs, ve) = token(&mut i);
            if ve == vs {
                return Err("Version required".into());
            }
            let evr = &value[vs..ve];
            rich::check_dep(name, Some(evr))?;
            let op = match &value[os..oe] {
                "==" => "=",
                "=<" => "<=",
                "=>" => ">=",
                o => o,
            };
            out.push(format!("{name} {op} {evr}"));
        } else {
            i = save;
            rich::check_dep(name, None)?;
            out.push(name.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rich_dependencies_read_as_rpm_records_them() {
        for (written, rpm) in [
            (
                "((adobe-afdko >= 4.0.1) with (adobe-afdko < 5~~))",
                "((adobe-afdko >= 4.0.1) with (adobe-afdko < 5~~))",
            ),
            (
                "(php-composer(psr/log) >= 1.0   with php-composer(psr/log) <  2)",
                "(php-composer(psr/log) >= 1.0 with php-composer(psr/log) < 2)",
            ),
            ("( a=>1 or  b )", "(a=>1 or b)"),
            ("(a => 1 or (b == 2 and c))", "(a >= 1 or (b = 2 and c))"),
            ("(x if y else z)", "(x if y else z)"),
        ] {
            assert_eq!(rpm_rich_text(written), rpm, "{written}");
        }
    }
    #[test]
    fn dependency_fields() {
        let s = |v: &str| split_deps_checked(v, Some(Context::Requires)).unwrap();
        assert_eq!(s("a b, c >= 1.0,d"), ["a", "b", "c >= 1.0", "d"]);
        assert_eq!(s("(a or b) c == 2"), ["(a or b)", "c = 2"]);
        assert!(split_deps_checked("-foo", Some(Context::Requires)).is_err());
        assert!(split_deps_checked("foo >=", Some(Context::Requires)).is_err());
        assert!(split_deps_checked("/bin/x >= 1", Some(Context::Requires)).is_err());
    }
}
