//! Whether a spec's shell expansions may read one of the SRPM's sources
//! while rpm reads the spec: the `%(...)` rule of
//! [`super::rpmspec`]'s unpack decision. rpm's `expandMacro` runs a
//! `%(...)` through `doShellEscape` with its text expanded first, so a
//! source reaches the command by name (`%{SOURCE1}`, `%{_sourcedir}`) or
//! through a macro a `%global`/`%define` (rpm's `doDefine`, wherever it
//! stands on a line, or the `%{define:}`/`%{global:}` builtins) or Lua
//! (`rpm.define`, `macros.NAME =`) made of one, however many macros deep;
//! and a macro whose body runs the shell may be called with a source as
//! its argument (`%{catf %{SOURCE1}}`). A `%(...)` that only prints a
//! source's name and filters the text (`%(basename %{SOURCE1})`,
//! `%(echo -n %1|sed ...)`) reads nothing and does not count
//! ([`prints_only`]), unless shell syntax reaches the printer's words (a
//! macro's body, a call's arguments, a glob) or a filter runs or opens
//! what it is given (GNU sed's `e`, `sort --files0-from`): each of those
//! read the source in rpmspec 4.18.
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
/// (checked). `%{_topdir}` too: the SRPM is unpacked into its `SOURCES`
/// (`%(find %{_topdir} -name v.txt | xargs cat)` reads one). By macro name, not by substring: llvm's and compiler-rt's
/// `%(echo %{optflags} -D_DEFAULT_SOURCE)` and a `${SOURCE_DATE_EPOCH}`
/// name no source (`%{SOURCEURL0}`, the URL, is none either).
fn is_source_name(name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()))
    };
    matches!(
        name,
        "S" | "P" | "sources" | "patches" | "_sourcedir" | "_topdir"
    ) || numbered("SOURCE")
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
    // Inside `%{expand:}` (or Lua's `rpm.expand`) a `%%name` becomes a
    // `%name` expanded in turn.
    let loose = text.contains("expand");
    let lines = logical_lines(text);
    // A definition's body goes on to the end of its logical line, into
    // the later definitions there (`links`: the earlier names whatever the
    // later names) and into the pieces a long line is cut into (a
    // `%{expand:...}` body of hundreds of lines).
    let mut defs: Vec<(&str, &str)> = Vec::new();
    let mut links: Vec<(&str, &str)> = Vec::new();
    let mut prev: Option<&str> = None;
    for (l, goes_on) in &lines {
        let found = definitions(l);
        if !goes_on {
            prev = None;
        } else if let Some(p) = prev {
            defs.push((p, &l[..found.first().map_or(l.len(), |d| d.0)]));
        }
        for (_, name, body) in found {
            links.extend(prev.map(|p| (p, name)));
            defs.push((name, body));
            prev = Some(name);
        }
    }
    // Lua names a source through its own variables, out of our sight: a
    // macro it defines, or a `%(...)` it puts together (`"%(cat "..s..")"`),
    // may be one wherever the spec runs Lua and names one.
    let runs_lua = runs_lua(text);
    let lua_sources = runs_lua && names_a_source(text, loose);
    let lua_defs: HashSet<&str> = if runs_lua {
        lines.iter().flat_map(|(l, _)| lua_definitions(l)).collect()
    } else {
        HashSet::new()
    };
    // A macro Lua defines under a name not written out may be any.
    let lua_any = lua_defs.contains("");
    if lua_sources {
        defs.extend(
            lua_defs
                .iter()
                .filter(|n| !n.is_empty())
                .map(|n| (*n, "%{SOURCE0}")),
        );
    }
    let defined: HashSet<&str> = defs.iter().map(|(n, _)| *n).collect();
    // A body is read loosely: a `%global` expands it once when defined
    // (`%global s %%{SOURCE1}` stores `%{SOURCE1}`).
    let sources = closure(&defs, &links, |b| names_a_source(b, true), true);
    let names_one = |t: &str| {
        names_a_source(t, loose)
            || references(t, loose).any(|n| sources.contains(n))
            || (lua_sources && lua_built(t))
            || ((lua_any || sources.contains("")) && references(t, loose).next().is_some())
    };
    let syntax = closure(
        &defs,
        &links,
        |body| active(opts_stripped(body).trim_end()),
        true,
    );
    // A source whose file name has shell syntax (`Source1: *.txt`, a
    // pattern listing `%{_sourcedir}`) is more than a name printed.
    let odd = text.lines().filter_map(source_file_name).any(active);
    // Where Lua or a definition whose name rpm makes may define any macro
    // with any body, only an argument is a mere word; a macro Lua defines
    // has a body out of our sight.
    let anything = lua_any || syntax.contains("");
    let clean = |n: &str| {
        let argument = n.bytes().all(|c| c.is_ascii_digit());
        argument
            || (!anything
                && !lua_defs.contains(n)
                && clean_reference(n, &defined, &syntax)
                && (!odd || !is_source_name(n)))
    };
    let reads = |t: &str| !prints_only(t, &clean, loose);
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
    let shells = closure(
        &takes,
        &[],
        |body| shell_texts(body).into_iter().any(reads),
        loose,
    );
    // A macro printing its arguments reads what they make it read: a
    // call whose arguments hold shell syntax (`%{rp $(<%{SOURCE1})}`,
    // `%{rp %{SOURCE1} | xargs cat}` to a `%(echo %*)`).
    let printers = closure(&takes, &[], |body| !shell_texts(body).is_empty(), loose);
    if shells.is_empty() && printers.is_empty() {
        return false;
    }
    lines.iter().any(|(l, _)| {
        names_one(l)
            && (references(l, loose).any(|n| shells.contains(n))
                || calls(l, &printers)
                    .any(|args| active(args) || references(args, loose).any(|n| !clean(n))))
    })
}

/// The file name a `SourceN:`/`PatchN:` tag line gives (what follows the
/// value's last `/`, as rpm names the file in `%{_sourcedir}`).
fn source_file_name(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let head = ["source", "patch"]
        .into_iter()
        .find(|w| t.get(..w.len()).is_some_and(|h| h.eq_ignore_ascii_case(w)))?;
    let rest = t[head.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    let value = rest.trim_start().strip_prefix(':')?.trim();
    Some(value.rsplit('/').next().unwrap_or(value))
}

/// Whether a macro named in a printer's words expands to words only:
/// a source's name (unless the spec redefines that macro with shell
/// syntax), an argument (`%1`, checked where the macro is
/// called), a tag's value rpm restricts to such characters (unless the
/// spec redefines it with shell syntax), or a macro the spec defines
/// without shell syntax ([`active`]) however deep. Any
/// other (the distribution's, a builtin such as `%{getenv:}`, `%{lua:}`,
/// `%{expand:}`) may bring a `|` or a `;`.
fn clean_reference(name: &str, defined: &HashSet<&str>, syntax: &HashSet<&str>) -> bool {
    (is_source_name(name) && !syntax.contains(name))
        || name.bytes().all(|c| c.is_ascii_digit())
        || (matches!(name, "name" | "version" | "release" | "epoch") && !syntax.contains(name))
        || (defined.contains(name) && !syntax.contains(name))
}

/// The argument texts of each call of a macro of `names` in `line`:
/// `%{name ARGS}` to its closing brace, `%name ARGS` to the line's end.
fn calls<'a>(line: &'a str, names: &'a HashSet<&str>) -> impl Iterator<Item = &'a str> + 'a {
    line.match_indices('%').filter_map(move |(at, _)| {
        let rest = &line[at + 1..];
        let (braced, inner) = match rest.strip_prefix('{') {
            Some(r) => (true, r.trim_start_matches(['?', '!'])),
            None => (false, rest),
        };
        let end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        if end == 0 || !names.contains(&inner[..end]) {
            return None;
        }
        let args = &inner[end..];
        if !braced {
            return Some(args.split('\n').next().unwrap_or(""));
        }
        let mut depth = 1usize;
        for (i, c) in args.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(&args[..i]);
                    }
                }
                _ => {}
            }
        }
        Some(args)
    })
}

/// Whether `text` may run Lua as rpm reads it (see `names_lua` of
/// [`super::rpmspec`]; here any `lua` counts).
fn runs_lua(text: &str) -> bool {
    text.contains("lua")
}

/// The names of the macros Lua defines in `line`: `rpm.define("NAME ...")`
/// (or `rpm.define(string.format("NAME ...", ...))`), `macros.NAME = ...`,
/// `macros["NAME"] = ...`; `""` for one whose name is not written out
/// (`rpm.define(arg)`), which may be any.
fn lua_definitions(line: &str) -> impl Iterator<Item = &str> {
    fn ident(s: &str) -> &str {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    }
    fn quoted(s: &str) -> &str {
        let s = s.trim_start();
        match s.strip_prefix(['"', '\'']).or_else(|| s.strip_prefix("[[")) {
            Some(r) => ident(r),
            None => "",
        }
    }
    let by_define = line.match_indices("rpm.define").filter_map(move |(at, _)| {
        let rest = line[at + "rpm.define".len()..].trim_start();
        let rest = rest.strip_prefix('(')?.trim_start();
        let rest = rest
            .strip_prefix("string.format")
            .map_or(rest, |r| r.trim_start().trim_start_matches('('));
        Some(quoted(rest))
    });
    let by_table = line.match_indices("macros").filter_map(move |(at, _)| {
        let rest = &line[at + "macros".len()..];
        let (name, after) = if let Some(r) = rest.strip_prefix('.') {
            let n = ident(r);
            (n, &r[n.len()..])
        } else {
            let r = rest.strip_prefix('[')?;
            let n = quoted(r);
            (n, r.split_once(']').map_or("", |(_, a)| a))
        };
        // An assignment, not a use or `macros.d` in a path.
        let after = after.trim_start();
        (after.starts_with('=') && !after.starts_with("==")).then_some(name)
    });
    by_define.chain(by_table)
}

/// Whether a `%(...)` text is put together by Lua from its variables
/// (`"%(cat "..s..")"`).
fn lua_built(shell: &str) -> bool {
    ["\"..", "..\"", "'..", "..'"]
        .iter()
        .any(|m| shell.contains(m))
}

/// `body` without a parametric macro's `(opts)`.
fn opts_stripped(body: &str) -> &str {
    match body.strip_prefix('(') {
        Some(r) => r.find(')').map_or(r, |i| &r[i + 1..]),
        None => body,
    }
}

/// Whether `text` has shell syntax by which words printed may do more
/// than be printed: [`SHELL_SYNTAX`], a pipe (in a macro's body), a
/// redirection or a process substitution (`>(cat file)`), a subshell, a
/// pattern the shell replaces with the files it lists
/// (`%{_sourcedir}/*.tar.gz`), an rpm expression `%[...]`.
fn active(text: &str) -> bool {
    let b = text.as_bytes();
    SHELL_SYNTAX.iter().any(|m| text.contains(m))
        || b.iter().enumerate().any(|(i, &c)| match c {
            b'|' | b'>' | b'(' | b')' | b'*' | b'[' => true,
            // `%{?name}`, `%{!?name:...}` are rpm's conditionals.
            b'?' => !(i > 0 && matches!(b[i - 1], b'{' | b'!')),
            _ => false,
        })
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
/// pipeline whose first command is a [`PRINTERS`] one, its words free of
/// shell syntax ([`active`]) and naming only `clean` macros
/// ([`clean_reference`]), and the others [`FILTERS`] with no macro or `$`
/// in them that open nothing their input names ([`filter_reads`]), so
/// what rpm expands stays the printer's arguments. kubernetes'
/// `%(echo -n %1|sed 's/.*environ-//g')`, called on each of its
/// `%{SOURCE106}`.. `%{SOURCE112}`, is one: rpmspec 4.18 answers the same
/// with the sources and without them.
fn prints_only(shell: &str, clean: &dyn Fn(&str) -> bool, loose: bool) -> bool {
    if SHELL_SYNTAX.iter().any(|m| shell.contains(m)) {
        return false;
    }
    let first_word = |stage: &str| stage.split_whitespace().next().unwrap_or("").to_owned();
    let mut stages = shell.split('|');
    let printer = stages.next().unwrap_or("");
    PRINTERS.contains(&first_word(printer).as_str())
        && !active(printer)
        && references(printer, loose).all(clean)
        && stages.all(|s| {
            FILTERS.contains(&first_word(s).as_str())
                && references(s, loose).next().is_none()
                && !s.contains('$')
                && !filter_reads(s)
        })
}

/// Whether a filter stage may open a file its input names or run its
/// input: GNU sed's `e` command and `s///e` flag (and anything but plain
/// `s`, `y`, `d`, `p`, `q` scripts and the options that take no file),
/// sort's `--files0-from` (and `--compress-program`, which runs a
/// program), by any prefix getopt takes.
fn filter_reads(stage: &str) -> bool {
    let words = shell_words(stage);
    match words.first().map(String::as_str) {
        Some("sed") => {
            let mut script_next = false;
            words[1..].iter().any(|w| {
                if std::mem::take(&mut script_next) {
                    return !plain_sed_script(w);
                }
                match w.strip_prefix('-') {
                    Some(opts) if !opts.starts_with('-') && !opts.is_empty() => {
                        script_next = opts.ends_with('e');
                        !opts.chars().all(|c| "nEruze".contains(c))
                    }
                    Some(long) if !long.is_empty() => {
                        let name = long.split('=').next().unwrap_or("");
                        match name {
                            "-expression" => {
                                let script = long.split_once('=').map(|(_, v)| v);
                                script_next = script.is_none();
                                script.is_some_and(|v| !plain_sed_script(v))
                            }
                            "-quiet" | "-silent" | "-regexp-extended" | "-null-data"
                            | "-unbuffered" | "-posix" | "-sandbox" | "-debug" => false,
                            _ => true,
                        }
                    }
                    _ => !plain_sed_script(w),
                }
            })
        }
        Some("sort") => words[1..]
            .iter()
            .any(|w| w.starts_with("--fi") || w.starts_with("--co")),
        _ => false,
    }
}

/// Whether `script` is one sed command that reads and runs nothing:
/// an optional line address (`1`, `2,5`, `/re/`, negated by `!`), then
/// `s` with flags of `g`, `p`, `i`, `I`, `m`, `M` and a number, `y`, or
/// `d`, `p`, `q`, `Q`, `=`.
fn plain_sed_script(script: &str) -> bool {
    let b = script.trim().as_bytes();
    let mut i = 0;
    // One delimited part from `i` (just past its opening delimiter) to
    // the delimiter closing it; `\` hides the next byte.
    let part = |mut i: usize, d: u8| {
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                c if c == d => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    };
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b',') {
        i += 1;
    }
    if b.get(i) == Some(&b'/') {
        match part(i + 1, b'/') {
            Some(j) => i = j,
            None => return false,
        }
    }
    if b.get(i) == Some(&b'!') {
        i += 1;
    }
    match b.get(i) {
        Some(b's') | Some(b'y') => {
            let Some(&d) = b.get(i + 1) else {
                return false;
            };
            if d == b'\\' || d == b'\n' {
                return false;
            }
            let Some(j) = part(i + 2, d).and_then(|j| part(j, d)) else {
                return false;
            };
            let flags = &b[j..];
            if b[i] == b'y' {
                flags.is_empty()
            } else {
                flags.iter().all(|c| b"gpiImM0123456789".contains(c))
            }
        }
        Some(b'd' | b'p' | b'q' | b'Q' | b'=') => i + 1 == b.len(),
        _ => false,
    }
}

/// `stage`'s words as the shell splits them: blanks outside quotes end a
/// word, `'...'` and `"..."` quote, `\` hides the next character.
fn shell_words(stage: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    let mut chars = stage.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, ' ' | '\t' | '\n') => {
                if std::mem::take(&mut any) {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), _) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                cur.extend(chars.next());
                any = true;
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Whether `text` names a source: by a macro rpm sets ([`is_source_name`])
/// or as rpm's default `%{_sourcedir}` written out (`%{_topdir}/SOURCES`).
fn names_a_source(text: &str, loose: bool) -> bool {
    text.contains("SOURCES") || references(text, loose).any(is_source_name)
}

/// The names of the macros `defs` defines whose bodies satisfy `base` or
/// name such a macro, however deep (macros are expanded when used, so the
/// order of definitions does not matter). Each definition's references
/// are read once and followed back from the ones found, so a long chain
/// costs one pass, not one per link.
fn closure<'a>(
    defs: &[(&'a str, &str)],
    links: &[(&'a str, &'a str)],
    base: impl Fn(&str) -> bool,
    loose: bool,
) -> HashSet<&'a str> {
    let mut named_by: HashMap<&str, Vec<&'a str>> = HashMap::new();
    for (name, body) in defs {
        for r in references(body, loose) {
            named_by.entry(r).or_default().push(name);
        }
    }
    // A body that goes on into a later definition's names what it names.
    for (user, used) in links {
        named_by.entry(used).or_default().push(user);
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

/// Each `%global NAME[(opts)] BODY` or `%define ...` in `line`, wherever
/// it stands (rpm runs one inside other text too: `%{?fedora:%global
/// ...}`, `%{expand:%%global ...}`), and rpm 4.18's builtins
/// `%{define:NAME BODY}`, `%{global:...}`, in the order they stand: where
/// it starts, the name (`""` where macros make it: it may be any) and the
/// text after it up to the next definition, `(opts)` and body. The body
/// goes on into the later ones' (the caller links them), which keeps the
/// text read once however many definitions a line holds.
fn definitions(line: &str) -> Vec<(usize, &str, &str)> {
    let mut found: Vec<(usize, &str, usize)> = ["global", "define"]
        .into_iter()
        .flat_map(|word| {
            line.match_indices(word).filter_map(move |(at, _)| {
                let before = &line[..at];
                let builtin = before.ends_with("%{");
                if !before.ends_with('%') && !builtin {
                    return None;
                }
                let rest = &line[at + word.len()..];
                let blank = rest.starts_with([' ', '\t']);
                if !(blank || (builtin && rest.starts_with(':'))) {
                    return None;
                }
                let rest = rest.strip_prefix(':').unwrap_or(rest);
                let rest = rest.trim_start();
                let name_at = line.len() - rest.len();
                // A name rpm expands first (`%{expand:%%global %{n} ...}`).
                if rest.starts_with('%') {
                    let end = rest.find([' ', '\t']).unwrap_or(rest.len());
                    return Some((at, "", name_at + end));
                }
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (end > 0).then(|| (at, &rest[..end], name_at + end))
            })
        })
        .collect();
    found.sort_unstable_by_key(|d| d.0);
    let starts: Vec<usize> = found.iter().map(|d| d.0).skip(1).collect();
    found
        .iter()
        .enumerate()
        .map(|(i, &(at, name, body_at))| {
            // The `%` (or `%{`) of the next definition ends this one.
            let end = starts.get(i).map_or(line.len(), |&n| {
                line[..n].trim_end_matches(['%', '{']).len().max(body_at)
            });
            (at, name, &line[body_at..end])
        })
        .collect()
}

/// The names of the macros `text` refers to: `%name`, `%{name}`,
/// `%{?name}`, `%{!?name:...}`, `%{name args}`; `%%` is a literal `%`
/// (`%(date +%%s)` names no macro) unless `loose`, where the text may be
/// expanded twice (`%{expand:%%{s}}` names `s`, `%%SOURCE1` its source);
/// `%%S` and `%%P` (not `%%S:1`) stay a date format's then too.
fn references(text: &str, loose: bool) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let (mut i, mut bare) = (0, false);
    std::iter::from_fn(move || {
        while i < b.len() {
            let at = i;
            i += 1;
            if b[at] != b'%' && !std::mem::take(&mut bare) {
                continue;
            }
            if b.get(i) == Some(&b'%') {
                // `%%S`, `%%P` alone are a format's (`date
                // +%%H:%%M:%%S`), not rpm's `%{S:1}`, even there.
                let one = matches!(b.get(i + 1), Some(b'S' | b'P'))
                    && !b
                        .get(i + 2)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b':');
                if !loose || one {
                    i += 1;
                }
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
                // `%{macrobody:NAME}` gives NAME's body, expanded in turn
                // by an `%{expand:}` around it: NAME is named too, read as
                // the next reference.
                bare = &text[start..end] == "macrobody" && b.get(end) == Some(&b':');
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
/// one leaving a `%{` or `%(` open, goes on into the next. A logical line
/// longer than [`MAX_JOINED`] is cut into pieces, each but the first
/// marked as going on from the one before (`true`).
fn logical_lines(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut joined, mut goes_on) = (0usize, 0usize, false);
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
        let ends = depth == 0 && !line.ends_with('\\');
        if ends || joined >= MAX_JOINED {
            out.push((std::mem::take(&mut cur), goes_on));
            joined = 0;
            goes_on = !ends;
        }
    }
    if !cur.is_empty() {
        out.push((cur, goes_on));
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

    /// Definitions swallowed by a `%{` left open are cut into pieces of
    /// [`super::MAX_JOINED`] lines: each body reaches the end of its
    /// piece, not of the spec.
    #[test]
    fn definitions_after_an_open_brace_stay_bounded() {
        let n = 20_000;
        let mut text = String::from("%description\nuses %{ a lot\n");
        for i in 0..n {
            text.push_str(&format!("%global m{i} %{{m{}}}\n", i + 1));
        }
        text.push_str(&format!("%global m{n} %{{SOURCE1}}\nVersion: %(cat %m0)\n"));
        let start = std::time::Instant::now();
        assert!(reads(&text));
        eprintln!("{n} swallowed: {:?}", start.elapsed());
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
            // Plain sed scripts and options, sort's keys.
            "Version: %(echo %{SOURCE1} | sed -n -e 's,.*/,,p' | sed '/^#/!d' | sed 1q)",
            "Version: %(basename %{SOURCE1} | sed -E --expression='s/[.](t.*)//2' | sed y/ab/AB/)",
            "Version: %(basename %{S:1} | sort -t- -k2,2 -u | uniq -c | head -n1)",
            "%define rp() %(echo -n %1|sed 's/x//')\nVersion: %{rp %{SOURCE1}} %{rp %{name}}",
            // No source named: words that only end in SOURCE.
            "%global optflags %(echo %{optflags} -D_DEFAULT_SOURCE)",
            "%global build_cflags %(echo %{build_cflags} | sed 's/-Wp,-D_GNU_SOURCE //')",
            "Release: %(date -d @${SOURCE_DATE_EPOCH:-0} +%%Y)\nSource1: a",
            // A format's `%%S` is no `%{S:1}`, `expand` or not.
            "%global e %{expand:x}\nBuildRequires: %(date '+%%H:%%M:%%S')",
        ] {
            assert!(!reads(&format!("Name: a\n{text}\n")), "{text}");
        }
    }

    /// Each read a source in rpmspec 4.18 (its answer with the source
    /// differs from the one without) and was taken for no reading.
    #[test]
    fn review_false_negatives_read() {
        for text in [
            // GNU sed runs the pattern space (`s///e`, `e`); sort reads
            // the files named on its input.
            "Version: %(echo %{SOURCE1} | sed 's/^/cat /e')",
            "Version: %(echo cat %{SOURCE1} | sed e)",
            "Version: %(printf %{SOURCE1} | sort --files0-from=-)",
            "%define rp() %(printf %1 | sort --files0-from=-)\nVersion: %{rp %{SOURCE1}}",
            // A printer's words carrying shell syntax: a macro's body, a
            // pattern the shell lists, a process substitution, a builtin.
            "%global p | xargs cat\nVersion: %(echo %{SOURCE1} %p)",
            "Version: %(echo %{_sourcedir}/*.txt | sed 's,.*/,,')",
            "Version: %(basename %{_sourcedir}/v-?.txt)",
            "Version: %(echo >(cat %{SOURCE1}))",
            "Version: %(echo %{SOURCE1} %{getenv:PIPE})",
            // Arguments given to a macro that prints them.
            "%define rp() %(echo %*)\nVersion: %{rp %{SOURCE1} | xargs cat}",
            "%define rp() %(echo %** | sed e)\nVersion: %{rp cat %{SOURCE1}}",
            "%define rp() %(echo -n %1|sed 's/x//')\nVersion: %{rp $(<%{SOURCE1})}",
            // Macros defined inside other text, or named through `%%`.
            "%{expand:%%global s %%{SOURCE1}}\nVersion: %(cat %s)",
            "%{?nil:%global s %{SOURCE1}}\nVersion: %(cat %s)",
            "%global s %{SOURCE1}\nVersion: %(cat %{expand:%%{s}})",
            "Version: %(cat %{expand:%%SOURCE1})",
            "%global s %{SOURCE1}\nVersion: %(cat %{expand:%%s})",
            // Lua defining the macro or building the command.
            "%{lua: rpm.define(\"s \" .. rpm.expand(\"%{SOURCE1}\"))}\nVersion: %(cat %s)",
            "%{lua: local s = rpm.expand(\"%{SOURCE1}\")\nrpm.define(\"s \" .. s)}\nVersion: %(cat %s)",
            "%{lua: local s = rpm.expand(\"%{SOURCE1}\"); print(rpm.expand(\"%(cat \"..s..\")\"))}",
            "%{lua: rpm.define(string.format(\"s %s\", rpm.expand(\"%{SOURCE1}\")))}\nVersion: %(cat %s)",
            "%{lua: local n = \"s\"; rpm.define(n .. \" %{SOURCE1}\")}\nVersion: %(cat %s)",
            "%{lua: macros.s = rpm.expand(\"%{SOURCE1}\")}\nVersion: %(cat %s)",
            "%{lua: macros[\"s\"] = rpm.expand(\"%{SOURCE1}\")}\nVersion: %(cat %s)",
            // A `%global` expands its body once when defined, so a
            // `%%{SOURCE1}` there names the source when the macro is used.
            "%global s %%{SOURCE1}\nVersion: %(cat %s)",
            // A body longer than the lines joined at once.
            &format!(
                "%global s %{{expand:\n{}%{{SOURCE1}}}}\nVersion: %(f=\"%s\"; cat $f)",
                "%{?nil}\n".repeat(250)
            ),
            // A definition inside another's body, the source after it.
            "%global a %{expand:%%global b 1}%{SOURCE1}\nVersion: %(cat %a)",
            // A name made by a macro.
            "%global n s\n%{expand:%%global %{n} %%{SOURCE1}}\nVersion: %(cat %s)",
            // rpm 4.18's builtins defining a macro, and one giving a
            // macro's body (`%{_topdir}/SOURCES`, expanded again).
            "%{define:s %{SOURCE1}}\nVersion: %(cat %s)",
            "%{global:s %{SOURCE1}}\nVersion: %(cat %s)",
            "Version: %(cat %{expand:%{macrobody:_sourcedir}}/v.txt)",
            // A source's file name rpm's shell takes for a pattern.
            "Source1: *.txt\nSource2: v.txt\nVersion: %(echo %{SOURCE1} | tr ' ' _)",
            // A macro Lua or a made name may define with shell syntax.
            "%global p x\n%{lua: macros.p = \"| xargs cat\"}\nVersion: %(echo %{SOURCE1} %p)",
            "%global p x\n%global n p\n%{expand:%%global %{n} | xargs cat}\nVersion: %(echo %{SOURCE1} %p)",
            // A source's or a tag's macro the spec redefines with shell
            // syntax.
            "%global SOURCE1 %{SOURCE1} | xargs cat\nVersion: %(echo %{SOURCE1})",
            "%global version 1 | xargs cat\nVersion: %(echo %{SOURCE1} %{version})",
            // The sources are `%{_topdir}/SOURCES`.
            "Version: %(find %{_topdir} -name v.txt | xargs cat)",
        ] {
            assert!(reads(&format!("Name: a\n{text}\n")), "{text}");
        }
    }
}
