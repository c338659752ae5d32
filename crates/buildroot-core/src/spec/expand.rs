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

use std::rc::Rc;
use std::sync::Arc;

use super::args::{getopt, split_quoted, unsplit_quoted, QUOTE};
use super::define;
use super::expr::{self, ExprHost, Value};
use super::table::{level, Base, Builtin, Entry, Reads, Table};
use super::Host;

mod builtins;

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

/// One evaluation standing for several targets (`spec::archful_with`):
/// the other targets' bases, to check that what the evaluation did on the
/// first target's base would be the same on theirs.
pub(super) struct Sharing {
    /// Target `i` (1..) has base `alt[i - 1]`; target 0 is the engine's own.
    pub alt: Vec<Arc<Base>>,
    /// A check failed: the evaluation no longer stands for the others.
    pub given_up: bool,
    /// A check changed the engine's state: this evaluation is not even
    /// right for target 0.
    pub polluted: bool,
    /// Expansion budget the checks used: another target's evaluation uses
    /// at most the first's plus this.
    pub slack: usize,
}

/// A top-level Lua run during a chunk whose expansion is being compared
/// between targets (`Engine::lua_log`).
#[derive(Clone, Debug)]
pub(super) struct LuaRun {
    /// The script and its arguments.
    key: Vec<u8>,
    out: Vec<u8>,
    /// It changed no macro and failed nothing: another target's run of the
    /// same script with the same arguments, on the same Lua state (all
    /// earlier runs being such), does the same if its macros answer the
    /// same: up to the chunk's first consultation of a varying name the
    /// targets' expansions are identical, after it the answers are in
    /// `reads`.
    same: bool,
    /// What the macro table answered the run once a varying name had been
    /// consulted in the chunk.
    reads: Reads,
}

/// What [`Engine::snapshot`] remembers.
pub(super) struct Snapshot {
    changes: u64,
    lua_runs: u64,
    problems: usize,
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

    /// Whether this evaluation still stands for other targets.
    pub fn sharing(&self) -> bool {
        self.share.as_ref().is_some_and(|s| !s.given_up)
    }

    /// How many targets the evaluation stands for (1 when not sharing).
    pub fn targets(&self) -> usize {
        self.share.as_ref().map_or(1, |s| s.alt.len() + 1)
    }

    /// The evaluation no longer stands for the other targets.
    pub fn give_up(&mut self) {
        if let Some(s) = self.share.as_mut() {
            s.given_up = true;
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            changes: self.table.changes(),
            lua_runs: self.lua_runs,
            problems: self.problems.len(),
        }
    }

    /// Nothing lasting changed since `snap`: no definition, no problem, no
    /// Lua run but the ones of `log` another target runs the same.
    pub fn pure_since(&self, snap: &Snapshot, log: &[LuaRun]) -> bool {
        self.table.changes() == snap.changes
            && self.problems.len() == snap.problems
            && log.iter().all(|r| r.same)
            && self.lua_runs - snap.lua_runs == log.len() as u64
    }

    /// The expansion budget used so far.
    pub fn budget_used(&self) -> usize {
        EXPANSION_BUDGET - self.budget
    }

    /// Runs `f` as target `i` (>= 1) would, on its base, to compare: the
    /// engine is left as it was. `None` (and the evaluation stops standing
    /// for others) when `f` changed anything lasting or noted a problem; a
    /// lasting change also marks the evaluation polluted.
    pub fn as_target<R>(
        &mut self,
        i: usize,
        log: &[LuaRun],
        f: impl FnOnce(&mut Self) -> R,
    ) -> Option<R> {
        let base = self.share.as_ref()?.alt.get(i.checked_sub(1)?)?.clone();
        let touched = self.table.take_touched();
        let snap = self.snapshot();
        let budget = self.budget;
        let own = self.table.swap_base(base);
        self.replay = Some((log.to_vec(), 0));
        let r = f(self);
        self.replay = None;
        self.table.swap_base(own);
        self.table.set_touched(touched);
        let used = budget - self.budget;
        self.budget = budget;
        let lasting = self.table.changes() != snap.changes || self.lua_runs != snap.lua_runs;
        let noted = self.problems.len() != snap.problems;
        self.problems.truncate(snap.problems);
        let share = self.share.as_mut()?;
        share.slack += used;
        if lasting {
            share.polluted = true;
        }
        if lasting || noted {
            share.given_up = true;
            return None;
        }
        Some(r)
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
        let saved = std::mem::replace(&mut self.error, false);
        let quotes = self.set_quote_flags(false, false);
        let mut out = Vec::with_capacity(src.len());
        self.expand_into(src, &mut out);
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

    /// rpm's `grabArgs`: the arguments `s[from..to]`, expanded and split
    /// into words (or, for built-ins that parse their own text, as is).
    fn grab_args(
        &mut self,
        me: &Entry,
        args: &mut Vec<Vec<u8>>,
        s: &[u8],
        from: usize,
        to: usize,
        split: bool,
    ) -> usize {
        if me.builtin.is_some_and(|b| b.2) {
            args.push(s[from..to].to_vec());
        } else {
            // Words to split keep their quotes until split (rpm 4.19).
            let keep = split || self.keep_quoted;
            let (text, _, _) = self.expand_this_quoted(&s[from..to], keep);
            if split {
                args.extend(split_quoted(&text, b" \t"));
            } else {
                args.push(text);
            }
        }
        let keep = to >= s.len() || (s[to] == b'\n' && (to == 0 || s[to - 1] != b'\\'));
        if keep {
            to
        } else {
            to + 1
        }
    }

    /// rpm's `doMacro`.
    fn do_macro(
        &mut self,
        name: &str,
        me: &Entry,
        args: Option<Vec<Vec<u8>>>,
        parsed: Option<&mut usize>,
        out: &mut Vec<u8>,
    ) {
        let prev = self.frame.clone();
        let start = out.len();
        let given_args = args.as_ref().is_some_and(|a| a.len() > 1);
        if let (Some((Builtin::Value, ..)), false) = (me.builtin, given_args) {
            out.extend_from_slice(me.body.as_bytes());
        } else if let Some((bi, nargs, _)) = me.builtin {
            let given = args.as_ref().map_or(0, |a| a.len().saturating_sub(1));
            let need = nargs != 0;
            if nargs >= 0 && need != (given > 0) {
                let what = if need {
                    "argument expected"
                } else {
                    "unexpected argument"
                };
                self.fail(format!("%{name}: {what}"));
            } else {
                self.builtin(bi, name, args.unwrap_or_default(), parsed, out);
            }
        } else if me.literal {
            out.extend_from_slice(me.body.as_bytes());
        } else if !me.body.is_empty() {
            let body = me.body.clone();
            let called = args.is_some();
            if let Some(a) = args {
                self.setup_args(name, me, a);
            }
            if me.quoted && self.keep_quoted {
                self.expand_quoted(body.as_bytes(), out);
            } else {
                self.expand_into(body.as_bytes(), out);
            }
            if called {
                self.table.pop_scope(self.level);
                self.level -= 1;
            }
            // rpm 6.1's one-shot macro: its first expansion stays, as a
            // literal pushed on top of it (undefining it once re-arms it).
            if me.oneshot {
                let text = String::from_utf8_lossy(&out[start..]).into_owned();
                // It keeps the macro's quotedness (rpm 6.1 keeps its flags
                // but the one-shot one): its separators go where quotes
                // are not kept, each time.
                let literal = Entry {
                    quoted: me.quoted,
                    ..Entry::literal(&text, me.level)
                };
                self.table.push(name, literal);
                // Always a lasting change for the shared evaluation: at a
                // call level, the one-shot may outlive its call (a %global
                // over it), and its literal holds this target's expansion.
                self.table.mark_change();
            }
        }
        // A quoted macro's separators stay only where quotes are kept.
        if me.quoted {
            if self.keep_quoted {
                self.have_quoted = true;
            } else {
                let mut k = start;
                for i in start..out.len() {
                    if out[i] != QUOTE {
                        out[k] = out[i];
                        k += 1;
                    }
                }
                out.truncate(k);
            }
        }
        self.frame = prev;
    }

    /// rpm's `setupArgs`: `%0`, `%**`, the options `%-f`/`%-f*`, `%#`,
    /// `%1`..., `%*`, one call level deeper.
    fn setup_args(&mut self, name: &str, me: &Entry, argv: Vec<Vec<u8>>) {
        self.level += 1;
        let lvl = self.level;
        let auto = |body: &[u8]| Entry {
            auto: true,
            ..Entry::literal(&String::from_utf8_lossy(body), lvl)
        };
        self.table.push("0", auto(name.as_bytes()));
        // %** keeps each word quoted (rpm 4.19).
        let quoted = unsplit_quoted(&argv[1..], b" ");
        self.table.push(
            "**",
            Entry {
                quoted: true,
                ..auto(&quoted)
            },
        );
        let opts = me.opts.clone().unwrap_or_default();
        match getopt(opts.as_bytes(), &argv[1..]) {
            Err(c) => {
                self.fail(format!("Unknown option {} in {name}({opts})", c as char));
            }
            Ok(p) => {
                for (c, v) in &p.opts {
                    let flag = format!("-{}", *c as char);
                    let mut body = flag.clone().into_bytes();
                    if let Some(v) = v {
                        body.push(b' ');
                        body.extend_from_slice(v);
                    }
                    self.table.push(&flag, auto(&body));
                    if let Some(v) = v {
                        self.table.push(&format!("{flag}*"), auto(v));
                    }
                }
                self.table
                    .push("#", auto(p.args.len().to_string().as_bytes()));
                for (k, a) in p.args.iter().enumerate() {
                    self.table.push(&(k + 1).to_string(), auto(a));
                }
                self.table.push("*", auto(&p.args.join(&b' ')));
            }
        }
        self.frame = Some(Rc::new(Frame {
            name: Arc::from(name),
            opts: me.opts.clone(),
            args: argv,
        }));
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

    /// Runs a `%{lua:}` script (logged or replayed in a shared evaluation).
    fn run_lua(&mut self, script: Vec<u8>, frame: Option<std::rc::Rc<Frame>>, out: &mut Vec<u8>) {
        let key = if self.lua_log.is_some() || self.replay.is_some() {
            lua_key(&script, frame.as_deref())
        } else {
            Vec::new()
        };
        match self.replayed(&key) {
            Some(Ok(v)) => out.extend_from_slice(&v),
            Some(Err(e)) => self.fail(e),
            None => {
                let start = out.len();
                self.logged_lua(key, |eng| {
                    super::lua::run_macro(eng, &script, frame.as_deref(), out);
                    (out[start..].to_vec(), true)
                });
            }
        }
    }

    /// While checking another target: the logged answer of a Lua run (or
    /// why it cannot be given); `None` outside checks.
    fn replayed(&mut self, key: &[u8]) -> Option<Result<Vec<u8>, String>> {
        let (log, next) = self.replay.as_mut()?;
        let table = &self.table;
        Some(match log.get(*next) {
            Some(r)
                if r.same
                    && r.key == key
                    && r.reads.iter().all(|(n, e)| table.get(n) == e.as_ref()) =>
            {
                *next += 1;
                Ok(r.out.clone())
            }
            _ => Err("a Lua run that may differ between targets".into()),
        })
    }

    /// Runs Lua (`run` returns what it printed and whether it succeeded),
    /// logging a top-level run while a chunk is compared between targets.
    fn logged_lua(&mut self, key: Vec<u8>, run: impl FnOnce(&mut Self) -> (Vec<u8>, bool)) {
        self.lua_runs += 1;
        let top = self.lua_depth == 0 && self.lua_log.is_some();
        let before = (self.table.changes(), self.problems.len());
        if top {
            self.table.start_reads();
        }
        self.lua_depth += 1;
        let (printed, ok) = run(self);
        self.lua_depth -= 1;
        if top {
            let reads = self.table.take_reads();
            let same = ok && !self.error && before == (self.table.changes(), self.problems.len());
            if let Some(log) = self.lua_log.as_mut() {
                log.push(LuaRun {
                    key,
                    out: printed,
                    same,
                    reads,
                });
            }
        }
    }

    /// Expands the macro `name` with `args` as they are (rpm's
    /// `rpmExpandThisMacro`, behind Lua's `macros.name({...})`).
    pub fn call_with_args(&mut self, name: &str, args: Vec<Vec<u8>>) -> Result<Vec<u8>, ()> {
        let Some(me) = self.table.get(name).cloned() else {
            return Err(());
        };
        let saved = std::mem::replace(&mut self.error, false);
        // A buffer of its own, quotes not kept (rpm's rpmExpandThisMacro).
        let quotes = self.set_quote_flags(false, false);
        let mut out = Vec::new();
        if self.depth >= MAX_DEPTH {
            self.fail("Too many levels of recursion in macro expansion.");
        } else {
            self.depth += 1;
            let argv = me.opts.is_some().then(|| {
                let mut v = vec![name.as_bytes().to_vec()];
                v.extend(args);
                v
            });
            self.do_macro(name, &me, argv, None, &mut out);
            self.depth -= 1;
        }
        self.set_quote_flags(quotes.0, quotes.1);
        let failed = std::mem::replace(&mut self.error, saved);
        if failed {
            Err(())
        } else {
            Ok(c_string(out))
        }
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

/// What identifies a `%{lua:}` run: its script and its call's arguments.
fn lua_key(script: &[u8], frame: Option<&Frame>) -> Vec<u8> {
    let mut k = script.to_vec();
    if let Some(f) = frame {
        k.push(0);
        k.extend_from_slice(f.name.as_bytes());
        k.push(0);
        k.extend_from_slice(f.opts.as_deref().unwrap_or("-").as_bytes());
        for a in &f.args {
            k.push(0);
            k.extend_from_slice(a);
        }
    }
    k
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
