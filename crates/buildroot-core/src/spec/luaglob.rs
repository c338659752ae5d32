//! `rpm.glob(pattern[, flags])` of the spec evaluator's Lua (rpmlua's
//! `rpm_glob` over `rpmGlobPath`, which calls glob(3) with `GLOB_BRACE` and
//! `GLOB_TILDE`): the paths of the host that match, sorted bytewise as glob
//! sorts them in the C locale. As in rpm 6.x, where nothing matches, flags
//! holding `c` give a table of the pattern itself (glob's `GLOB_NOCHECK`;
//! so does a pattern without wildcards, braces or `~`, unchecked), and
//! other flags give back the flags string, no flags the pattern (rpm 6.1
//! returns the top of its stack then; rpm 4.20 always checked, so gave the
//! one-entry table). A relative pattern is
//! taken from the working directory, as rpm does.

use std::path::Path;

use mlua::{Lua, Value as LV};

use crate::fnmatch::{glob_match, is_glob};

/// The `rpm.glob` function.
pub(super) fn function(lua: &Lua) -> mlua::Result<mlua::Function> {
    super::luaerror::function(
        lua,
        |lua, (pattern, flags): (mlua::String, Option<String>)| {
            let pattern = pattern.to_str()?.to_string();
            let nocheck = flags.as_ref().is_some_and(|f| f.contains('c'));
            // rpmGlobPath's `ismagic`: braces, `~` and `\` count too.
            let magic = pattern.contains(['*', '?', '[', '{', '~', '\\']);
            let found = if nocheck && !magic {
                vec![pattern.clone()]
            } else {
                glob(&pattern)
            };
            if found.is_empty() && !nocheck {
                // rpm 6.1 pushes no table: the top of the stack is returned,
                // the flags when given, else the pattern.
                let top = flags.unwrap_or(pattern);
                return Ok(LV::String(lua.create_string(&top)?));
            }
            let found = if found.is_empty() {
                vec![pattern]
            } else {
                found
            };
            Ok(LV::Table(lua.create_sequence_from(found)?))
        },
    )
}

/// The paths matching `pattern` (braces and a leading `~` expanded first).
fn glob(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in braces(&tilde(pattern)) {
        let (start, rest) = match p.strip_prefix('/') {
            Some(rest) => ("/".to_string(), rest),
            None => (String::new(), p.as_str()),
        };
        let only_dirs = rest.ends_with('/');
        let parts: Vec<&str> = rest.split('/').filter(|c| !c.is_empty()).collect();
        let mut found = Vec::new();
        walk(&start, &parts, &mut found);
        if only_dirs {
            found.retain(|f| Path::new(f).is_dir());
            found.iter_mut().for_each(|f| f.push('/'));
        }
        found.sort();
        out.extend(found);
    }
    out
}

/// Extends `prefix` (a directory path, "" for the working directory) by
/// the components `parts`, matching each against the directory's entries.
fn walk(prefix: &str, parts: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = parts.split_first() else {
        if !prefix.is_empty() {
            out.push(prefix.trim_end_matches('/').to_string());
        }
        return;
    };
    let join = |name: &str| {
        let mut s = prefix.to_string();
        if !s.is_empty() && !s.ends_with('/') {
            s.push('/');
        }
        s + name
    };
    if !is_glob(first) {
        let path = join(first);
        if std::fs::symlink_metadata(&path).is_ok() {
            walk(&path, rest, out);
        }
        return;
    }
    let dir = if prefix.is_empty() { "." } else { prefix };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        // A leading dot is matched by a leading dot only (glob(3)).
        .filter(|n| !n.starts_with('.') || first.starts_with('.'))
        .filter(|n| glob_match(first, n))
        .collect();
    names.sort();
    for n in names {
        walk(&join(&n), rest, out);
    }
}

/// `~` or `~/...` at the start: `$HOME` (glob's `GLOB_TILDE` when HOME is set).
fn tilde(p: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && (p == "~" || p.starts_with("~/")) => home + &p[1..],
        _ => p.to_string(),
    }
}

/// `GLOB_BRACE`: `a{b,c}d` is `abd` and `acd`, left to right, nested too;
/// a brace without a matching close or a comma is kept as it is.
fn braces(p: &str) -> Vec<String> {
    let b = p.as_bytes();
    let Some(open) = b.iter().position(|&c| c == b'{') else {
        return vec![p.to_string()];
    };
    let (mut depth, mut commas, mut close) = (0, vec![], None);
    for (i, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => commas.push(i),
            _ => {}
        }
    }
    let Some(close) = close.filter(|_| !commas.is_empty()) else {
        // Not an alternative: keep the brace and expand what follows it.
        let tail = braces(&p[open + 1..]);
        return tail
            .into_iter()
            .map(|t| format!("{}{t}", &p[..=open]))
            .collect();
    };
    let mut cuts = vec![open];
    cuts.extend(&commas);
    cuts.push(close);
    let rest = &p[close + 1..];
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let choice = format!("{}{}{rest}", &p[..open], &p[w[0] + 1..w[1]]);
        out.extend(braces(&choice));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brace_alternatives() {
        assert_eq!(braces("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(braces("{x,y{1,2}}"), ["x", "y1", "y2"]);
        assert_eq!(braces("no{brace"), ["no{brace"]);
        assert_eq!(braces("{single}{a,b}"), ["{single}a", "{single}b"]);
    }

    #[test]
    fn globs_the_host() {
        let d = tempfile::tempdir().unwrap();
        for f in ["a1", "a2", "b1", ".hidden"] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let base = d.path().to_str().unwrap();
        let names = |p: &str| -> Vec<String> {
            glob(&format!("{base}/{p}"))
                .into_iter()
                .map(|s| s[base.len() + 1..].to_string())
                .collect()
        };
        assert_eq!(names("a*"), ["a1", "a2"]);
        assert_eq!(names("*"), ["a1", "a2", "b1", "sub"]);
        assert_eq!(names(".h*"), [".hidden"]);
        assert_eq!(names("{b,a}1"), ["b1", "a1"]);
        assert_eq!(names("*/"), ["sub/"]);
        assert_eq!(names("nothing*"), Vec::<String>::new());
        assert_eq!(names("a1"), ["a1"]);
        assert_eq!(names("zz"), Vec::<String>::new());
    }

    #[test]
    fn lua_results() {
        let lua = Lua::new();
        lua.globals().set("glob", function(&lua).unwrap()).unwrap();
        let run = |code: &str| lua.load(code).eval::<String>().unwrap();
        assert_eq!(run("return type(glob('/proc/nonexistent/*'))"), "string");
        assert_eq!(
            run("return glob('/proc/nonexistent/*', 'c')[1]"),
            "/proc/nonexistent/*"
        );
        assert_eq!(
            run("return glob('/proc/nonexistent', 'c')[1]"),
            "/proc/nonexistent"
        );
        assert_eq!(run("return #glob('/proc/self/stat*') .. ''"), "3");
    }
}
