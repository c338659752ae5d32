//! How `--why` reads a query that names no package as a capability: as dnf
//! reads one given on its command line (`dnf repoquery --whatprovides ARG`,
//! `dnf install ARG`), which is libdnf's `Dependency::getReldepId`: a text
//! starting with `(` is a rich dependency (libsolv's grammar, as
//! [`Dep::parse`] reads it), anything else goes through libdnf's
//! `DependencySplitter::parse`.
//!
//! The splitter is one POSIX regular expression, `NAME [blanks] [OP]
//! [blanks] EVR` with NAME and EVR runs of non-blanks and OP one of `<=`,
//! `>=`, `<`, `>`, `=`, `==`. POSIX matching gives the first group the
//! longest run it can, so NAME is the whole first word: an operator glued
//! to the name (`foo>=1`, `foo>= 1`) is part of the name, not an operator,
//! and dnf asks for a capability of that odd name (checked with dnf 4.14:
//! `--whatprovides 'foo>=1'` lists nothing where `'foo >=1'` lists foo).
//! The blanks between the operator and the version are optional (`foo >=1`).
//! A name and a word with no operator (`hello world.jpg`) is one name with
//! its space; `!=`, `=<`, `=>` and more than three words match nothing, and
//! neither does an operator with no version: dnf finds nothing for them.

use crate::dep::{Cmp, Dep, SimpleDep};
use crate::evr::Evr;

/// The capability dnf asks for on reading `query`; None where libdnf
/// refuses it ("Cannot parse a dependency string": dnf lists nothing).
pub(super) fn dnf_reldep(query: &str) -> Option<Dep> {
    if query.starts_with('(') {
        return Dep::parse(query).ok();
    }
    // POSIX `[:space:]`: Rust's ASCII whitespace and the vertical tab.
    let blank = |c: char| c.is_ascii_whitespace() || c == '\x0b';
    let words: Vec<&str> = query.split(blank).filter(|w| !w.is_empty()).collect();
    // NAME must open the text (a leading blank leaves it empty: refused).
    if query.starts_with(blank) || words.is_empty() {
        return None;
    }
    let (name, op, evr) = match words[..] {
        [name] => (name, "", ""),
        // The second word opens with the longest operator it can: `>=1`
        // is `>=` and `1`, `=<4` is `=` and the version `<4`.
        [name, second] => {
            let op = ["<=", ">=", "==", "<", ">", "="]
                .into_iter()
                .find(|op| second.starts_with(op))
                .unwrap_or("");
            (name, op, &second[op.len()..])
        }
        [name, op, evr] if is_op(op) => (name, op, evr),
        _ => return None,
    };
    match (op, evr) {
        ("", "") => Some(Dep::name(name)),
        // A word and no operator: a name with a space in it.
        ("", _) => Some(Dep::name(query)),
        (_, "") => None,
        _ => {
            // `==` is `=` (libdnf warns that it is deprecated).
            let cmp = Cmp::from_symbol(if op == "==" { "=" } else { op })?;
            let evr = Evr::parse(evr).ok()?;
            Some(SimpleDep::versioned(name, cmp, evr).into())
        }
    }
}

fn is_op(w: &str) -> bool {
    matches!(w, "<=" | ">=" | "<" | ">" | "=" | "==")
}

/// For a query dnf reads as one name with an operator glued to it
/// (`foo>=1`, `foo>= 1`): the capability with the operator set apart
/// (`foo >= 1`), which the user most likely meant; None for any other
/// query.
pub(super) fn spaced(query: &str) -> Option<String> {
    let first = query.split_whitespace().next()?;
    let at = first.find(['<', '>', '=', '!'])?;
    if at == 0
        || first[at..].starts_with('!')
        || !matches!(dnf_reldep(query), Some(Dep::Simple(ref d)) if d.range.is_none())
    {
        return None;
    }
    let (name, rest) = query.split_at(at);
    let rest = rest.trim_start();
    let op = ["<=", ">=", "==", "<", ">", "="]
        .into_iter()
        .find(|op| rest.starts_with(op))?;
    let evr = rest[op.len()..].trim();
    // Shown as `=`: libdnf warns that `==` is deprecated.
    let op = if op == "==" { "=" } else { op };
    // `foo=<1`: no operator rpm or dnf would read.
    if evr.starts_with(['<', '>', '=']) {
        return None;
    }
    let fixed = format!("{name} {op} {evr}");
    // Only a form dnf itself reads as name, operator and version.
    match dnf_reldep(&fixed)? {
        Dep::Simple(d) if d.range.is_some() => Some(fixed),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{dnf_reldep, spaced};

    fn shown(q: &str) -> Option<String> {
        dnf_reldep(q).map(|d| d.to_string())
    }

    #[test]
    fn reads_what_libdnfs_splitter_reads() {
        // Each checked with dnf 4.14's `repoquery --whatprovides` on
        // testdata/repos/x86_64 (libjpeg-turbo-devel 3.0.3).
        assert_eq!(shown("foo").as_deref(), Some("foo"));
        assert_eq!(shown("foo >= 1").as_deref(), Some("foo >= 1"));
        assert_eq!(shown("foo >=1").as_deref(), Some("foo >= 1"));
        assert_eq!(shown("foo == 3.0.3").as_deref(), Some("foo = 3.0.3"));
        assert_eq!(shown("foo =3.0.3").as_deref(), Some("foo = 3.0.3"));
        // Glued to the name: one name.
        assert_eq!(shown("foo>=1").as_deref(), Some("foo>=1"));
        assert_eq!(shown("foo>= 1").as_deref(), Some("foo>= 1"));
        assert_eq!(shown("hello world.jpg").as_deref(), Some("hello world.jpg"));
        // Refused by libdnf: nothing asked.
        for q in [
            "foo != 2",
            "foo =< 4",
            "foo >=",
            "foo >= ",
            " foo",
            "a b c d",
            "foo = 1 2",
        ] {
            assert_eq!(shown(q), None, "{q:?}");
        }
        // `=<4` is `=` and a version `<4`, as the regex splits it.
        assert_eq!(shown("foo =<4").as_deref(), Some("foo = <4"));
        // Rich: libsolv's grammar.
        assert_eq!(shown("(a or b)").as_deref(), Some("(a or b)"));
        assert_eq!(shown("(a or"), None);
    }

    #[test]
    fn a_glued_operator_gets_a_spaced_form() {
        assert_eq!(spaced("foo>=1").as_deref(), Some("foo >= 1"));
        assert_eq!(spaced("foo>= 1").as_deref(), Some("foo >= 1"));
        assert_eq!(spaced("foo<1:2-3").as_deref(), Some("foo < 1:2-3"));
        assert_eq!(spaced("foo==1").as_deref(), Some("foo = 1"));
        for q in ["foo", "foo >= 1", "=1", "foo!=1", "foo>=", "foo=<1"] {
            assert_eq!(spaced(q), None, "{q:?}");
        }
    }
}
