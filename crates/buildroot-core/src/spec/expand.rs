//! Macro expansion as rpm 4.18 does it (rpmio/macro.c: `expandMacro`,
//! `doMacro`, `grabArgs`, `setupArgs`/`freeArgs`, `doDefine`,
//! `doUndefine`, `doShellEscape`, `doExpressionExpansion` and the built-ins
//! `doFoo`, `doExpand`, `doLua`, `doSP`, `doBody`, ...), on bytes.
//!
//! The rules that matter for specs: an undefined `%name` stays as it is;
//! `%{?name:X}` / `%{!?name:X}` test definedness; a parametric macro
//! called as `%name args` takes the rest of the line, as `%{name args}`
//! the braces' content (split into words, expanded), as `%{name:arg}` one
//! argument; `%define` and `%global` consume their body from the text being
//! expanded; any error (an unknown option, a bad definition, `%{error:}`,
//! a failing `%{lua:}`) stops the whole expansion, which rpm treats as a
//! failed spec.
//!
//! `%{quote:}` follows rpm 4.19 and later (the same in 6.1): it wraps its
//! text in unit separators only where the expansion keeps quotes (the
//! arguments of a call being split into words, a `%global` body, `%**`),
//! so a quoted text stays one argument; elsewhere it is the plain text,
//! and a quoted macro (`%**`, such a `%global`) loses its separators.
//! rpm 4.18 always wrote them, and they leaked into the text.
//!
//! Calling one macro (arguments, options, `%0`...) is in `call`, the
//! built-in macros in `builtins`; what lets one evaluation stand
//! for several targets (the Lua run log, the checks as another target) in
//! `targets`.

use std::rc::Rc;
use std::sync::Arc;

use super::args::{unsplit_quoted, QUOTE};
use super::define;
use super::expr::{self, ExprHost, Value};
use super::table::{level, Builtin, Table};
use super::Host;

mod builtins;
mod call;
mod targets;

pub(super) use targets::{LuaRun, Sharing};

/// rpm's `_MAX_MACRO_DEPTH`.
const MAX_DEPTH: u32 = 64;
/// Bytes of macro text one evaluation may expand in all, each expansion
/// also costing [`CALL_COST`]: `%define a %b%b` chains double at every
/// level, so depth alone does not bound the work.
pub(super) const EXPANSION_BUDGET: usize = 128 << 20;
const CALL_COST: usize = 64;

/// The parametric macro being expanded (what `%{lua:}` sees as `opt`/`arg`).
pub(super) struct Frame {
    pub name: Arc<str>,
    pub opts: Option<Arc<str>>,
    /// The call's words, the macro name first.
    pub args: Vec<Vec<u8>>,
}

/// The macro engine of one evaluation.
pub(super) struct Engine<'h> {
    pub table: Table,
    pub host: &'h Host<'h>,
    depth: u32,
    level: i32,
    error: bool,
    pub frame: Option<Rc<Frame>>,
    /// Problems, first first; rpm's errors and what we refused to do.
    pub problems: Vec<String>,
    /// The problems of `rpm.expand` calls that failed in the Lua chunks
    /// running: dropped when the chunk catches the error, reported when
    /// it fails (`lua::run_macro`).
    pub lua_held: Vec<String>,
    /// The spec line being expanded (for messages).
    pub lineno: usize,
    budget: usize,
    pub(super) lua: Option<super::lua::LuaState>,
    /// `Source`/`Patch` paths so far, for Lua's `sources`/`patches`.
    pub(super) lua_sources: Vec<(u32, String)>,
    pub(super) lua_patches: Vec<(u32, String)>,
    /// The main package's `Name:` and `Version:` as its header has them
    /// (`%setup` names `%buildsubdir` after them, not after the macros).
    pub(super) header_name_version: (String, String),
    /// `%{lua:}` and `lua:` calls so far (Lua state may have changed).
    pub(super) lua_runs: u64,
    pub(super) share: Option<Sharing>,
    /// Top-level Lua runs are logged here while a chunk is expanded for
    /// comparison between targets.
    pub(super) lua_log: Option<Vec<LuaRun>>,
    lua_depth: u32,
    /// While checking another target's expansion: Lua runs are answered
    /// from this log (and the next entry's index), never run.
    replay: Option<(Vec<LuaRun>, usize)>,
    /// rpm 4.19's `RPMEXPAND_KEEP_QUOTED`: this expansion keeps the unit
    /// separators `%{quote:}` and quoted macros put around words, so that
    /// splitting it into arguments keeps each quoted text one word.
    keep_quoted: bool,
    /// rpm's `RPMEXPAND_HAVE_QUOTED`: this expansion has such separators.
    have_quoted: bool,
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// The end of the macro whose text starts at `at` (after the `%`): rpm's
/// `findMacroEnd`.
pub(super) fn find_macro_end(s: &[u8], at: usize) -> Option<usize> {
    match s.get(at) {
        Some(b'(') => return define::match_close(s, at, b'(', b')'),
        Some(b'{') => return define::match_close(s, at, b'{', b'}'),
        Some(b'[') => return define::match_close(s, at, b'[', b']'),
        _ => {}
    }
    let mut i = at;
    while i < s.len() && (s[i] == b'?' || s[i] == b'!') {
        i += 1;
    }
    if s.get(i) == Some(&b'-') {
        i += 1;
    }
    while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
        i += 1;
    }
    if s.get(i) == Some(&b'*') && s.get(i + 1) == Some(&b'*') {
        i += 2;
    } else if matches!(s.get(i), Some(b'*') | Some(b'#')) {
        i += 1;
    }
    Some(i)
}

/// Skips `?` and `!` prefixes: (position, negate, test existence).
fn negate_and_check(s: &[u8], mut i: usize) -> (usize, bool, bool) {
    let (mut neg, mut chk) = (false, false);
    while i < s.len() && (s[i] == b'?' || s[i] == b'!') {
        if s[i] == b'!' {
            neg = !neg;
        } else {
            chk = true;
        }
        i += 1;
    }
    (i, neg, chk)
}

impl<'h> Engine<'h> {
    pub fn new(table: Table, host: &'h Host<'h>) -> Engine<'h> {
        Engine {
            table,
            host,
            depth: 0,
            level: level::GLOBAL,
            error: false,
            frame: None,
            problems: Vec::new(),
            lua_held: Vec::new(),
            lineno: 0,
            budget: EXPANSION_BUDGET,
            lua: None,
            lua_sources: Vec::new(),
            lua_patches: Vec::new(),
            header_name_version: Default::default(),
            lua_runs: 0,
            share: None,
            lua_log: None,
            lua_depth: 0,
            replay: None,
            keep_quoted: false,
            have_quoted: false,
        }
    }

    /// The expansion budget used so far.
    pub fn budget_used(&self) -> usize {
        EXPANSION_BUDGET - self.budget
    }

    /// Records an error: the expansion in progress fails.
    pub fn fail(&mut self, msg: impl AsRef<str>) {
        self.error = true;
        self.note(msg);
    }

    /// Records a problem without failing the expansion.
    pub fn note(&mut self, msg: impl AsRef<str>) {
        let m = if self.lineno > 0 {
            format!("line {}: {}", self.lineno, msg.as_ref().trim_end())
        } else {
            msg.as_ref().trim_end().to_string()
        };
        if self.problems.len() < 20 && !self.problems.contains(&m) {
            self.problems.push(m);
        }
    }

    /// Expands `src` as one top-level expansion (rpm's `rpmExpandMacros`):
    /// `Err` when it failed.
    pub fn expand(&mut self, src: &[u8]) -> Result<Vec<u8>, ()> {
        self.top_level(Vec::with_capacity(src.len()), |me, out| {
            me.expand_into(src, out)
        })
    }

    /// Runs `body` as one expansion of its own (rpm's `rpmExpandMacros`
    /// and `rpmExpandThisMacro` each start a fresh buffer): into `out`,
    /// quotes not kept, with an error flag of its own that the caller's is
    /// restored after. `Err` when it failed.
    fn top_level(
        &mut self,
        mut out: Vec<u8>,
        body: impl FnOnce(&mut Self, &mut Vec<u8>),
    ) -> Result<Vec<u8>, ()> {
        let saved = std::mem::replace(&mut self.error, false);
        let quotes = self.set_quote_flags(false, false);
        body(self, &mut out);
        self.set_quote_flags(quotes.0, quotes.1);
        let failed = std::mem::replace(&mut self.error, saved);
        if failed {
            Err(())
        } else {
            Ok(c_string(out))
        }
    }

    /// rpm's `expandThis`: expands into a buffer of its own, without
    /// keeping quotes; a failure also fails the caller.
    fn expand_this(&mut self, src: &[u8]) -> (Vec<u8>, bool) {
        let (out, failed, _) = self.expand_this_quoted(src, false);
        (out, failed)
    }

    /// `expand_this` keeping quotes or not (`keep`, rpm's `flagsp`); also
    /// says whether the expansion has quotes.
    fn expand_this_quoted(&mut self, src: &[u8], keep: bool) -> (Vec<u8>, bool, bool) {
        let saved = std::mem::replace(&mut self.error, false);
        let quotes = self.set_quote_flags(keep, false);
        let mut out = Vec::with_capacity(src.len());
        self.expand_into(src, &mut out);
        let have = self.have_quoted;
        self.set_quote_flags(quotes.0, quotes.1);
        let failed = self.error;
        self.error = saved || failed;
        (c_string(out), failed, have)
    }

    /// Sets (keep, have) of the quote flags; returns the old ones.
    fn set_quote_flags(&mut self, keep: bool, have: bool) -> (bool, bool) {
        let old = (self.keep_quoted, self.have_quoted);
        (self.keep_quoted, self.have_quoted) = (keep, have);
        old
    }

    /// rpm's `expandQuotedMacro`: a quoted body expanded while keeping
    /// quotes: the separators are kept, and the text between a pair is
    /// expanded without keeping them (the flag flips at each).
    fn expand_quoted(&mut self, body: &[u8], out: &mut Vec<u8>) {
        let mut rest = body;
        while let Some(q) = memchr::memchr(QUOTE, rest) {
            if q > 0 {
                self.expand_into(&rest[..q], out);
            }
            out.push(QUOTE);
            self.keep_quoted = !self.keep_quoted;
            rest = &rest[q + 1..];
        }
        if !rest.is_empty() {
            self.expand_into(rest, out);
        }
        self.keep_quoted = true;
    }

    /// rpm's `expandMacro`: appends the expansion of `s` to `out`.
    pub fn expand_into(&mut self, s: &[u8], out: &mut Vec<u8>) {
        if self.depth >= MAX_DEPTH {
            self.fail("Too many levels of recursion in macro expansion. It is likely caused by recursive macro declaration.");
            return;
        }
        let cost = s.len() + CALL_COST;
        if self.budget < cost {
            if self.budget > 0 {
                self.fail("macro expansion too large (more than 128 MiB of macro text)");
            }
            self.budget = 0;
            self.error = true;
            return;
        }
        self.budget -= cost;
        self.depth += 1;
        let mut i = 0;
        while !self.error && i < s.len() {
            match memchr::memchr(b'%', &s[i..]) {
                None => {
                    out.extend_from_slice(&s[i..]);
                    break;
                }
                Some(p) => {
                    out.extend_from_slice(&s[i..i + p]);
                    i += p + 1;
                }
            }
            match s.get(i) {
                None => {
                    out.push(b'%');
                    break;
                }
                Some(b'%') => {
                    out.push(b'%');
                    i += 1;
                    continue;
                }
                _ => {}
            }
            i = self.one_macro(s, i, out);
        }
        self.depth -= 1;
    }

    /// Expands the macro whose text starts at `i` (after its `%`); returns
    /// where to go on.
    fn one_macro(&mut self, s: &[u8], mut i: usize, out: &mut Vec<u8>) -> usize {
        let Some(se) = find_macro_end(s, i) else {
            let rest = String::from_utf8_lossy(&s[i..]);
            let first = rest.lines().next().unwrap_or("");
            self.fail(format!("Unterminated {}: {first}", s[i] as char));
            return i;
        };
        let (f, fe, neg, chk);
        let mut g: Option<(usize, usize)> = None;
        let mut lastc: Option<usize> = None;
        match s[i] {
            b'(' => {
                self.shell_escape(&s[i + 1..se - 1], out);
                return se;
            }
            b'[' => {
                self.expression(&s[i + 1..se - 1], out);
                return se;
            }
            b'{' => {
                (f, neg, chk) = negate_and_check(s, i + 1);
                let mut e = f;
                while e < s.len() && !matches!(s[e], b' ' | b':' | b'}') {
                    e += 1;
                }
                fe = e;
                match s.get(fe) {
                    Some(b':') => g = Some((fe + 1, se - 1)),
                    Some(b' ') => lastc = Some(se - 1),
                    _ => {}
                }
            }
            _ => {
                (f, neg, chk) = negate_and_check(s, i);
                i = f;
                fe = se;
                if s.get(fe).copied().is_some_and(is_blank) {
                    lastc = Some(memchr::memchr(b'\n', &s[fe..]).map_or(s.len(), |p| fe + p));
                }
            }
        }
        if fe <= f {
            out.push(b'%');
            return i;
        }
        let name_bytes = &s[f..fe];
        let found = std::str::from_utf8(name_bytes)
            .ok()
            .and_then(|n| self.table.get(n).map(|e| (n, e.clone())))
            .filter(|(_, e)| !(e.auto && self.level > e.level));

        if s[f] == b'-' || chk {
            if found.is_none() != neg {
                return se;
            }
            match (g, found) {
                (Some((g0, ge)), _) if g0 < ge => self.expand_into(&s[g0..ge], out),
                (_, Some((name, e))) => self.do_macro(name, &e, None, None, out),
                _ => {}
            }
            return se;
        }
        let Some((name, me)) = found else {
            out.push(b'%');
            return i;
        };
        if me.opts.is_none() && me.builtin.is_none() {
            self.do_macro(name, &me, None, None, out);
            return se;
        }
        if me.opts.is_none() && fe == se {
            lastc = None;
        }
        let mut args = vec![name.as_bytes().to_vec()];
        let parse = me.builtin.is_some_and(|b| b.2);
        let mut next = se;
        if parse && fe == se {
            let mut used = 0;
            args.push(s[se..].to_vec());
            self.do_macro(name, &me, Some(args), Some(&mut used), out);
            next = se + used;
        } else {
            if let Some((g0, ge)) = g {
                next = self.grab_args(&me, &mut args, s, g0, ge, false);
            } else if let Some(lc) = lastc {
                next = self.grab_args(&me, &mut args, s, fe, lc, true);
            }
            self.do_macro(name, &me, Some(args), None, out);
        }
        next
    }

    /// rpm's `doShellEscape`: `%(...)`.
    fn shell_escape(&mut self, cmd: &[u8], out: &mut Vec<u8>) {
        let (cmd, failed) = self.expand_this(cmd);
        if failed {
            return;
        }
        let started = std::time::Instant::now();
        let res = self.host.shell.run(&cmd);
        // A command has its own time limit: Lua running it does not pay.
        super::lua::exclude_time(self, started.elapsed());
        match res {
            Ok(mut text) => {
                while text.last().is_some_and(|&c| c == b'\n' || c == b'\r') {
                    text.pop();
                }
                out.extend_from_slice(&text);
            }
            Err(e) => {
                let shown: String = String::from_utf8_lossy(&cmd).chars().take(80).collect();
                self.fail(format!("%({shown}): {e}"));
            }
        }
    }

    /// rpm's `doExpressionExpansion`: `%[...]`.
    fn expression(&mut self, text: &[u8], out: &mut Vec<u8>) {
        match expr::eval_text(text, true, self) {
            Ok(v) => out.extend_from_slice(&v),
            Err(e) => self.fail(format!("%[...]: {e}")),
        }
    }

    /// Defines (rpm's `doDefine`) from `text`; returns the bytes used.
    pub fn define(&mut self, text: &[u8], lvl: i32, expand: bool, whole: bool) -> usize {
        let p = define::parse(text, whole);
        match p.def {
            Err(e) => self.fail(e),
            Ok(d) => {
                if self
                    .table
                    .get(&d.name)
                    .is_some_and(|e| e.builtin.is_some() || e.auto)
                {
                    self.fail(format!("Macro %{} is a built-in", d.name));
                    return p.consumed;
                }
                // A %global literal is not expanded either (rpm 6.1).
                // A %global body keeps its quotes, and the macro is then
                // a quoted one (rpm 4.19).
                let (body, quoted) = if expand && !d.literal {
                    let (b, failed, have) = self.expand_this_quoted(&d.body, true);
                    if failed {
                        self.fail(format!("Macro %{} failed to expand", d.name));
                        return p.consumed;
                    }
                    (b, have)
                } else {
                    (d.body.clone(), false)
                };
                let mut entry = d.entry(&body, lvl);
                entry.quoted = quoted;
                self.table.push(&d.name, entry);
            }
        }
        p.consumed
    }

    /// `rpm.define("name body")` (rpm's `rpmDefineMacro`, global level,
    /// body not expanded); false when the definition is bad.
    pub fn define_from_lua(&mut self, text: &[u8]) -> bool {
        let saved = std::mem::replace(&mut self.error, false);
        self.define(text, level::GLOBAL, false, false);
        let failed = std::mem::replace(&mut self.error, saved);
        !failed
    }

    /// `rpm.undefine(name)`: [`Self::undefine`], whether it succeeded.
    pub fn undefine_from_lua(&mut self, name: &str) -> bool {
        let saved = std::mem::replace(&mut self.error, false);
        self.undefine(name);
        let failed = std::mem::replace(&mut self.error, saved);
        !failed
    }

    /// rpm's `doUndefine` / `popMacro` with a name check.
    pub fn undefine(&mut self, name: &str) {
        let valid = name
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || (c == b'_' && name.len() > 1));
        if !valid {
            self.fail(format!("Macro %{name} has illegal name (%undefine)"));
        } else if self
            .table
            .get(name)
            .is_some_and(|e| e.builtin.is_some() || e.auto)
        {
            self.fail(format!("Macro %{name} is a built-in (%undefine)"));
        } else {
            self.table.pop(name);
        }
    }

    /// Loads a macro file's definitions (rpm's `loadMacroFile`).
    /// Whether every definition was taken: rpm's `loadMacroFile` goes on
    /// past one it rejects (a bad name or body, a built-in's name) and then
    /// fails the load.
    pub fn load_macro_text(&mut self, text: &[u8]) -> bool {
        let mut ok = true;
        for (_, chunk) in define::file_chunks(text) {
            let p = define::parse(&chunk, false);
            match p.def {
                Ok(d) if self.table.get(&d.name).is_none_or(|e| e.builtin.is_none()) => {
                    self.table
                        .push(&d.name, d.entry(&d.body, level::MACROFILES));
                }
                _ => ok = false,
            }
        }
        ok
    }

    /// Records a `Source`/`Patch` for Lua's `sources`/`patches` (paths) and
    /// `source_nums`/`patch_nums` (numbers).
    pub fn add_lua_source(&mut self, patch: bool, num: u32, path: &str) {
        if patch {
            self.lua_patches.push((num, path.to_string()));
        } else {
            self.lua_sources.push((num, path.to_string()));
        }
        super::lua::add_source(self, patch, num, path);
    }
}

impl ExprHost for Engine<'_> {
    fn expand(&mut self, text: &[u8]) -> Result<Vec<u8>, String> {
        Engine::expand(self, text).map_err(|_| "macro expansion failed".to_string())
    }

    fn lua_call(&mut self, name: &str, args: &[Value]) -> Result<Vec<u8>, String> {
        let key = if self.lua_log.is_some() || self.replay.is_some() {
            let mut k = b"call\0".to_vec();
            k.extend_from_slice(name.as_bytes());
            for a in args {
                k.push(0);
                k.extend_from_slice(format!("{a:?}").as_bytes());
            }
            k
        } else {
            Vec::new()
        };
        if let Some(r) = self.replayed(&key) {
            return r;
        }
        let mut res = Ok(Vec::new());
        self.logged_lua(key, |eng| {
            res = super::lua::call_function(eng, name, args);
            match &res {
                Ok(v) => (v.clone(), true),
                Err(_) => (Vec::new(), false),
            }
        });
        res
    }
}

/// An expansion as rpm uses it, a C string: a NUL (from a `%(...)`
/// command's output) ends it, whatever followed.
pub(super) fn c_string(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(end) = v.iter().position(|&c| c == 0) {
        v.truncate(end);
    }
    v
}
