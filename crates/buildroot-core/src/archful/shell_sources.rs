//! Whether a spec's shell expansions may read one of the SRPM's sources
//! while rpm reads the spec: the `%(...)` rule of
//! [`super::rpmspec`]'s unpack decision. rpm's `expandMacro` runs a
//! `%(...)` through `doShellEscape` with its text expanded first, so a
//! source reaches the command by name (`%{SOURCE1}`, `%{_sourcedir}`) or
//! through a macro a `%global`/`%define` (rpm's `doDefine`) made of one,
//! however many macros deep; and a macro whose body runs the shell may be
//! called with a source as its argument (`%{catf %{SOURCE1}}`). A `%(...)`
//! that only prints a source's name and filters the text
//! (`%(basename %{SOURCE1})`, `%(echo -n %1|sed ...)`) reads nothing and
//! does not count ([`prints_only`]).
//!
//! The rule errs towards an unpack: a `%global` expands its `%(...)` once,
//! where it is defined, so a macro of a source defined only after it (or a
//! `%{SOURCE1}` before its `Source1:` tag) reads nothing in rpm, but is
//! counted; a `%define` expands when used and is counted rightly.
//!
//! rpm 4.18 reads a source there from `%(...)` only: `%{uncompress:}`
//! writes the `rpmuncompress` command line without opening the file
//! (rpm 4.18 `--eval` checked: the same text for a plain file, a gzip
//! file and a missing one), and `%include`, `%{load:}`, `%{exists:}` and
//! Lua are counted by `names_an_opener` whatever they name.

use std::collections::{HashMap, HashSet};

/// Whether `name` is a macro rpm sets to a source's path (or a list of
/// them): `%{SOURCE1}`, `%{PATCH2}`, the `%{S:1}`/`%{P:2}` shorthands,
/// `%{_sourcedir}`, and the lists `%{sources}`/`%{patches}` `parseSpec`
/// sets; every one reads the file from `%{_sourcedir}` in rpmspec 4.18
/// (checked). By macro name, not by substring: llvm's and compiler-rt's
/// `%(echo %{optflags} -D_DEFAULT_SOURCE)` and a `${SOURCE_DATE_EPOCH}`
/// name no source (`%{SOURCEURL0}`, the URL, is none either).
fn is_source_name(name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()))
    };
    matches!(name, "S" | "P" | "sources" | "patches" | "_sourcedir")
        || numbered("SOURCE")
        || numbered("PATCH")
}

/// How many physical lines one logical line may take (an unbalanced `%{`
/// in a description must not swallow the rest of the spec).
const MAX_JOINED: usize = 200;

/// Whether `text` has a shell expansion that may read a source: a
/// `%(...)` whose text names one or a macro made of one, or a line that
/// both calls a macro running the shell and names a source.
pub(super) fn shell_may_read_source(text: &str) -> bool {
    if !text.contains("%(") {
        return false;
    }
    let lines = logical_lines(text);
    let defs: Vec<(&str, &str)> = lines.iter().filter_map(|l| definition(l)).collect();
    let sources = closure(&defs, names_a_source);
    let names_one = |t: &str| names_a_source(t) || references(t).any(|n| sources.contains(n));
    let syntax = closure(&defs, |body| {
        // A body's own lines (`\`-continued) are shell syntax too; the
        // logical line's last newline is not part of it.
        SHELL_SYNTAX.iter().any(|m| body.trim_end().contains(m))
    });
    let reads = |t: &str| !prints_only(t, &syntax);
    if shell_texts(text)
        .into_iter()
        .any(|t| names_one(t) && reads(t))
    {
        return true;
    }
    // Only a macro with options takes arguments (`%1`, `%*`); one without
    // runs its `%(...)` on its own text, told above.
    let takes: Vec<(&str, &str)> = defs
        .iter()
        .filter(|(_, body)| body.starts_with('('))
        .copied()
        .collect();
    let shells = closure(&takes, |body| shell_texts(body).into_iter().any(reads));
    lines
        .iter()
        .any(|l| references(l).any(|n| shells.contains(n)) && names_one(l))
}

/// Commands that print their arguments, a source's path among them,
/// without opening them.
const PRINTERS: [&str; 4] = ["echo", "printf", "basename", "dirname"];

/// Filters of the printed text that open no file they are not named
/// (and here nothing names one: no macro, no `$`, no `&` for GNU sed's
/// `s///e`).
const FILTERS: [&str; 8] = ["sed", "tr", "cut", "head", "tail", "rev", "sort", "uniq"];

/// Shell syntax that may run or read more than one pipeline does: lists,
/// redirections from a file, command substitutions (the shell's and
/// rpm's), a macro's text spread over lines.
const SHELL_SYNTAX: [&str; 7] = [";", "&", "<", "`", "$(", "%(", "\n"];

/// Whether the shell text `shell` only prints a name and filters it: one
/// pipeline whose first command is a [`PRINTERS`] one and the others
/// [`FILTERS`] with no macro or `$` in them, naming no macro of
/// `syntax` (those the spec defines with [`SHELL_SYNTAX`] in them, however
/// deep), so what rpm expands stays the printer's arguments. kubernetes'
/// `%(echo -n %1|sed 's/.*environ-//g')`, called on each of its
/// `%{SOURCE106}`.. `%{SOURCE112}`, is one: rpmspec 4.18 answers the same
/// with the sources and without them.
fn prints_only(shell: &str, syntax: &HashSet<&str>) -> bool {
    if SHELL_SYNTAX.iter().any(|m| shell.contains(m)) {
        return false;
    }
    let first_word = |stage: &str| stage.split_whitespace().next().unwrap_or("").to_owned();
    let mut stages = shell.split('|');
    let printer = stages.next().unwrap_or("");
    PRINTERS.contains(&first_word(printer).as_str())
        && references(printer).all(|n| !syntax.contains(n))
        && stages.all(|s| {
            FILTERS.contains(&first_word(s).as_str())
                && references(s).next().is_none()
                && !s.contains('$')
        })
}

/// Whether `text` names a source: by a macro rpm sets ([`is_source_name`])
/// or as rpm's default `%{_sourcedir}` written out (`%{_topdir}/SOURCES`).
fn names_a_source(text: &str) -> bool {
    text.contains("SOURCES") || references(text).any(is_source_name)
}

/// The names of the macros `defs` defines whose bodies satisfy `base` or
/// name such a macro, however deep (macros are expanded when used, so the
/// order of definitions does not matter). Each definition's references
/// are read once and followed back from the ones found, so a long chain
/// costs one pass, not one per link.
fn closure<'a>(defs: &[(&'a str, &str)], base: impl Fn(&str) -> bool) -> HashSet<&'a str> {
    let mut named_by: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for (name, body) in defs {
        for r in references(body) {
            named_by.entry(r).or_default().push(name);
        }
    }
    let mut found: HashSet<&'a str> = defs
        .iter()
        .filter(|(_, body)| base(body))
        .map(|(n, _)| *n)
        .collect();
    let mut todo: Vec<&str> = found.iter().copied().collect();
    while let Some(name) = todo.pop() {
        for user in named_by.get(name).into_iter().flatten() {
            if found.insert(user) {
                todo.push(user);
            }
        }
    }
    found
}

/// `%global NAME[(opts)] BODY` or `%define ...`: the name and the rest,
/// `(opts)` and body.
fn definition(line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix("%global")
        .or_else(|| t.strip_prefix("%define"))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| (&rest[..end], &rest[end..]))
}

/// The names of the macros `text` refers to: `%name`, `%{name}`,
/// `%{?name}`, `%{!?name:...}`, `%{name args}`; `%%` is a literal `%`
/// (`%(date +%%s)` names no macro).
fn references(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            i += 1;
            if b[at] != b'%' {
                continue;
            }
            if b.get(i) == Some(&b'%') {
                i += 1;
                continue;
            }
            let mut start = i;
            if b.get(start) == Some(&b'{') {
                start += 1;
                while matches!(b.get(start), Some(b'?' | b'!')) {
                    start += 1;
                }
            }
            let end = start
                + b[start..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
            if end > start {
                i = end;
                return Some(&text[start..end]);
            }
        }
        None
    })
}

/// The text of each outermost `%(...)` in `text`, to its matching
/// parenthesis (or the end of the text), over as many lines as it takes,
/// in one pass. As rpm's `matchchar` finds the end: parentheses nest, a
/// `\` hides the next character (`%(echo \) ; cat %{SOURCE1})` runs
/// `cat`), quotes do not (rpmspec 4.18 checked both). A `%(` inside one
/// is left in its text: whatever it names, the outer text names too, and
/// the outer is no mere printing ([`prints_only`] refuses a `%(`), so
/// looking at it alone tells the same and keeps a spec of many nested or
/// unclosed `%(` linear.
fn shell_texts(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let (mut out, mut start, mut depth, mut i) = (Vec::new(), 0, 0usize, 0);
    while i < b.len() {
        match b[i] {
            b'\\' if depth > 0 => i += 1,
            b'(' if depth > 0 => depth += 1,
            b'(' if i > 0 && b[i - 1] == b'%' => (start, depth) = (i + 1, 1),
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(&text[start..i]);
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth > 0 {
        out.push(&text[start..]);
    }
    out
}

/// `text`'s lines joined as rpm joins a spec's: a line ending in `\`, or
/// one leaving a `%{` or `%(` open, goes on into the next.
fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut joined) = (0usize, 0usize);
    for line in text.lines() {
        let b = line.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            let opens = i > 0 && b[i - 1] == b'%' && (c == b'{' || c == b'(');
            match c {
                b'{' | b'(' if opens || depth > 0 => depth += 1,
                b'}' | b')' if depth > 0 => depth -= 1,
                _ => {}
            }
        }
        cur.push_str(line);
        cur.push('\n');
        joined += 1;
        if (depth == 0 && !line.ends_with('\\')) || joined >= MAX_JOINED {
            out.push(std::mem::take(&mut cur));
            (depth, joined) = (0, 0);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shell_may_read_source as reads;

    /// A chain of macros each naming the next, defined first to last and
    /// the source at its end: told, in one pass over the names.
    #[test]
    fn a_long_chain_of_macros_is_followed() {
        let n = 4000;
        let mut text = String::from("Version: %(cat %m0)\n");
        for i in 0..n {
            text.push_str(&format!("%global m{i} %{{m{}}}\n", i + 1));
        }
        text.push_str(&format!("%global m{n} %{{SOURCE1}}\n"));
        let start = std::time::Instant::now();
        assert!(reads(&text));
        eprintln!("{n} macros: {:?}", start.elapsed());
        assert!(!reads(&text.replace("SOURCE1", "nil")));
    }

    /// Many `%(` left open (or nested) are read in one pass: only the
    /// outermost text of each is looked at, which names whatever the
    /// inner ones name.
    #[test]
    fn many_open_shell_expansions_take_one_pass() {
        let n = 20_000;
        let text = format!("Version: {}%{{SOURCE1}}\n", "%(".repeat(n));
        let start = std::time::Instant::now();
        assert!(reads(&text));
        assert!(!reads(&text.replace("SOURCE1", "nil")));
        eprintln!("{n} open: {:?}", start.elapsed());
    }

    #[test]
    fn a_source_reaches_the_shell_by_name_or_through_macros() {
        for text in [
            "Version: %(cat %{SOURCE9})",
            "%global v %(cat %{_sourcedir}/VERSION)",
            "%global s %{SOURCE1}\nVersion: %(cat %s)",
            "%global s %{SOURCE1}\n%global t %{s}\nVersion: %(cat %{t})",
            // Named before it is defined, expanded after: a `%define`
            // expands when used (rpmspec 4.18 checked).
            "%define v %(cat %{?t})\n%define t %{S:1}\nVersion: %v",
            // Used before it is defined, so rpm reads nothing; counted
            // all the same (the rule does not follow the order).
            "Version: %(cat %{?t})\n%define t %{S:1}",
            "%global d %{_sourcedir}\nVersion: %(cat %{!?d:/x}%{?d}/V)",
            "%global f %{expand:\n%{P:2}\n}\nRelease: %(wc -l < %f)",
            "%global f \\\n  %{sources}\nRelease: %(cat %{f} | head -1)",
            "Version: %(cat \\\n  %{SOURCE1})",
            "%global catf() %(cat %1)\nVersion: %{catf %{SOURCE1}}",
            "%global catf() %(cat %1)\n%global s %{PATCH3}\nVersion: %{catf %s}",
            // A name printed, then read after all.
            "%define rp() %(echo %1 | xargs cat)\nVersion: %{rp %{SOURCE1}}",
            "%define rp() %(echo $(cat %1))\nVersion: %{rp %{SOURCE1}}",
            "%define rp() %(echo %1 | sed -f %1)\nVersion: %{rp %{SOURCE1}}",
            "%define rp() %(echo %1 || cat %1)\nVersion: %{rp %{SOURCE1}}",
            "%define rp() %(echo %1 | sed 's/^/cat /;e')\nVersion: %{rp %{SOURCE1}}",
            "%global s %{SOURCE1}\nVersion: %(basename %s; cat %s)",
            "%global s %{SOURCE1}\nVersion: %(echo %s | %{__cat})",
            "%global s %{SOURCE1} `cat %{SOURCE1}`\nVersion: %(echo %s)",
            "%global t %{SOURCE1};cat %{SOURCE1}\n%global s %t\nVersion: %(echo %s)",
            // rpm's default `%{_sourcedir}` written out; a `\)` rpm does
            // not take for the end.
            "Version: %(cat %{_topdir}/SOURCES/VERSION)",
            "Version: %(echo \\) ; cat %{SOURCE1})",
            "Release: %(date +%F -r %{SOURCE0})",
        ] {
            assert!(reads(&format!("Name: a\n{text}\n")), "{text}");
        }
        for text in [
            "%global d %(date)",
            "%global s %{SOURCE1}\nVersion: %(date)\n%prep\ncat %s",
            "%global sx %{SOURCE1}\nVersion: %(cat %s)",
            "%global s %{SOURCE1}\n%global d %(date +%%s)",
            "Source1: v.txt\n%global v %(echo 1)\n%description\nuses :( a lot\n%{SOURCE1}",
            "%global catf() %(cat %1)\nVersion: %{catf /etc/os-release}\n%prep\ncp %{SOURCE1} .",
            // A `%global` runs its `%(...)` once, where it is defined.
            "%global dir %(echo /usr)\n%install\ncp %{SOURCE1} %{dir}/x",
            // Only the name printed and filtered, not the file read.
            "%define rp() %(echo -n %1|sed 's/.*environ-//g')\n%{rp %{SOURCE106}}",
            "%global s %{SOURCE1}\nVersion: %(basename %s | tr - _)",
            "%global n() %(printf '%%s' \"%1\" | cut -c1-4)\n%global s %{S:1}\n%{n %s}",
            "install -m644 %{SOURCE1} %{buildroot}%{_sysconfdir}/%(basename %{SOURCE1})",
            // No source named: words that only end in SOURCE.
            "%global optflags %(echo %{optflags} -D_DEFAULT_SOURCE)",
            "%global build_cflags %(echo %{build_cflags} | sed 's/-Wp,-D_GNU_SOURCE //')",
            "Release: %(date -d @${SOURCE_DATE_EPOCH:-0} +%%Y)\nSource1: a",
        ] {
            assert!(!reads(&format!("Name: a\n{text}\n")), "{text}");
        }
    }
}
