//! The macro table, mirroring rpm's `rpmMacroContext` (rpmio/macro.c:
//! `findEntry`, `pushMacro`, `popMacro`): every name holds a stack of
//! definitions, a definition pushes, `%undefine` pops one. Each entry has a
//! scope level and flags (automatic argument macro, literal body, built-in).
//!
//! The definitions that come from macro files are the same for every spec,
//! so they live in an `Arc`'d [`Base`] built once per target; an evaluation
//! works on a [`Table`] that layers its own pushes and pops over it, so
//! starting a spec costs no copy of the base.
//!
//! Names whose definitions differ between the targets of one run (the
//! platform file's `%_arch`, `%optflags`, ..., `%_target_cpu`) are marked
//! *varying* in each target's base ([`Base::mark_varying`]); a table notes
//! when an evaluation consults one of them ([`Table::touched`]), so an
//! evaluation that never did can stand for every target (see
//! `spec::archful_with`).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use rustc_hash::FxHashMap;

/// Scope levels (rpm's `RMIL_*`): only their order matters to us.
pub mod level {
    pub const BUILTIN: i32 = -20;
    pub const DEFAULT: i32 = -15;
    pub const MACROFILES: i32 = -13;
    pub const RPMRC: i32 = -11;
    pub const CMDLINE: i32 = -7;
    pub const SPEC: i32 = -3;
    pub const GLOBAL: i32 = 0;
}

/// The built-in macros of rpm 4.18 (rpm's `builtinmacros` table), and
/// the string built-ins of rpm 4.19 (Fedora's rpm has them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Patch,
    Source,
    Basename,
    Define,
    Dirname,
    Dnl,
    Dump,
    Echo,
    Error,
    Exists,
    Expand,
    Expr,
    GetConfDir,
    GetEnv,
    GetNCpus,
    Global,
    Load,
    Lua,
    MacroBody,
    Quote,
    Shrink,
    Suffix,
    Trace,
    U2p,
    Shescape,
    Uncompress,
    Undefine,
    Url2path,
    Verbose,
    Warn,
    /// rpm 4.19's string built-ins (`%{sub}`, `%{gsub}`, `%{len}`, ...).
    Str,
    /// rpm 6.0's `%{span:...}`: its argument, expanded once (a body that
    /// spans lines without continuations).
    Span,
    /// rpm 6.0's `%{xdg:cache}` (`config`, `data`, `state`): the XDG base
    /// directory, from its variable or under `$HOME`.
    Xdg,
    /// `%setup` and `%patch`, defined while `%prep` is read (see `prep`);
    /// not in [`Builtin::ALL`].
    Setup,
    PatchCmd,
    /// A built-in macro whose text is the target's, held as its body:
    /// `%{rpmversion}` (rpm 4.19+), the version of the rpm that builds.
    /// Not in [`Builtin::ALL`]; read-only, as the others.
    Value,
    /// rpm 6's `%{__file_lineno}`: the line of the spec being read. Not in
    /// [`Builtin::ALL`]: defined while a spec is read.
    Lineno,
}

impl Builtin {
    /// (name, builtin, number of arguments (-1: optional), takes its
    /// argument unexpanded and unsplit).
    pub const ALL: &'static [(&'static str, Builtin, i8, bool)] = &[
        ("P", Builtin::Patch, 1, false),
        ("S", Builtin::Source, 1, false),
        ("basename", Builtin::Basename, 1, false),
        ("define", Builtin::Define, 1, true),
        ("dirname", Builtin::Dirname, 1, false),
        ("dnl", Builtin::Dnl, 1, true),
        ("dump", Builtin::Dump, 0, false),
        ("echo", Builtin::Echo, 1, false),
        ("error", Builtin::Error, 1, false),
        ("exists", Builtin::Exists, 1, false),
        ("expand", Builtin::Expand, 1, false),
        ("expr", Builtin::Expr, 1, false),
        ("getconfdir", Builtin::GetConfDir, 0, false),
        ("getenv", Builtin::GetEnv, 1, false),
        // rpm 4.20: an optional argument (`total`, `proc`, `thread`).
        ("getncpus", Builtin::GetNCpus, -1, false),
        ("global", Builtin::Global, 1, true),
        ("load", Builtin::Load, 1, false),
        ("lua", Builtin::Lua, 1, true),
        ("macrobody", Builtin::MacroBody, 1, false),
        ("quote", Builtin::Quote, 1, false),
        ("shrink", Builtin::Shrink, 1, false),
        ("suffix", Builtin::Suffix, 1, false),
        ("trace", Builtin::Trace, 0, false),
        ("u2p", Builtin::U2p, 1, false),
        ("shescape", Builtin::Shescape, 1, false),
        ("uncompress", Builtin::Uncompress, 1, false),
        ("undefine", Builtin::Undefine, 1, false),
        ("url2path", Builtin::Url2path, 1, false),
        ("verbose", Builtin::Verbose, -1, true),
        ("warn", Builtin::Warn, 1, false),
        ("gsub", Builtin::Str, 1, false),
        ("len", Builtin::Str, 1, false),
        ("lower", Builtin::Str, 1, false),
        ("rep", Builtin::Str, 1, false),
        ("reverse", Builtin::Str, 1, false),
        ("sub", Builtin::Str, 1, false),
        ("upper", Builtin::Str, 1, false),
        ("span", Builtin::Span, 1, false),
        ("xdg", Builtin::Xdg, 1, false),
    ];
}

/// What `get` answered, in order: name and visible definition.
pub type Reads = Vec<(Box<str>, Option<Entry>)>;

/// One definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub body: Arc<str>,
    /// `Some` for parametric macros (`name(opts)`), the getopt string.
    pub opts: Option<Arc<str>>,
    pub level: i32,
    /// An argument of a parametric call (`%1`, `%*`, `%-f`...): visible only
    /// at its own call level.
    pub auto: bool,
    /// The body is output as is, never expanded.
    pub literal: bool,
    /// rpm 6.1's one-shot macro (`<o>`): on first use its expansion is
    /// pushed on top of it as a literal.
    pub oneshot: bool,
    /// rpm 4.19's `ME_QUOTED`: the body holds unit separators (`%**`, a
    /// `%global` whose expansion kept quotes), removed where the expansion
    /// does not keep quotes.
    pub quoted: bool,
    pub builtin: Option<(Builtin, i8, bool)>,
}

impl Entry {
    pub fn new(body: &str, opts: Option<&str>, level: i32) -> Entry {
        Entry {
            body: Arc::from(body),
            opts: opts.map(Arc::from),
            level,
            auto: false,
            literal: false,
            oneshot: false,
            quoted: false,
            builtin: None,
        }
    }

    /// rpm 6's `%{__file_lineno}` while a spec is read ([`Builtin::Lineno`]):
    /// pushed by `pushOFI` as an aux macro of `nargs` -1, so parametric
    /// with arguments optional and ignored (`%__file_lineno b c` takes
    /// the rest of the line).
    pub fn lineno() -> Entry {
        Entry {
            builtin: Some((Builtin::Lineno, -1, false)),
            ..Entry::new("<aux>", Some(""), level::SPEC)
        }
    }

    /// A read-only built-in whose text is `text` ([`Builtin::Value`]).
    pub fn value(text: &str) -> Entry {
        Entry {
            builtin: Some((Builtin::Value, 0, false)),
            ..Entry::new(text, None, level::BUILTIN)
        }
    }

    pub fn literal(body: &str, level: i32) -> Entry {
        Entry {
            literal: true,
            ..Entry::new(body, None, level)
        }
    }

    /// rpm calls a macro "parametric" when it has options, built-ins with
    /// arguments included.
    pub fn is_parametric(&self) -> bool {
        self.opts.is_some()
    }
}

/// The definitions of one name in a [`Base`] (last = visible).
#[derive(Clone, Debug, Default)]
struct Stack {
    entries: Vec<Entry>,
    /// The name's definitions differ between the targets of the run.
    varies: bool,
}

/// The shared part: name -> stack of definitions.
#[derive(Clone, Debug, Default)]
pub struct Base {
    map: FxHashMap<Box<str>, Stack>,
}

impl Base {
    /// A table holding rpm's built-in macros only.
    pub fn with_builtins() -> Base {
        let mut b = Base::default();
        for &(name, bi, nargs, parse) in Builtin::ALL {
            let e = Entry {
                body: Arc::from("<builtin>"),
                opts: (nargs != 0).then(|| Arc::from("")),
                level: level::BUILTIN,
                auto: false,
                literal: false,
                oneshot: false,
                quoted: false,
                builtin: Some((bi, nargs, parse)),
            };
            b.map.insert(
                name.into(),
                Stack {
                    entries: vec![e],
                    varies: false,
                },
            );
        }
        b
    }

    pub fn push(&mut self, name: &str, e: Entry) {
        match self.map.get_mut(name) {
            Some(v) => v.entries.push(e),
            None => {
                self.map.insert(
                    name.into(),
                    Stack {
                        entries: vec![e],
                        varies: false,
                    },
                );
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.map.get(name).and_then(|v| v.entries.last())
    }

    /// The names whose definition stacks are not the same in all of `bases`.
    pub fn varying(bases: &[&Base]) -> Vec<Box<str>> {
        let mut names: Vec<&Box<str>> = bases.iter().flat_map(|b| b.map.keys()).collect();
        names.sort();
        names.dedup();
        let empty: &[Entry] = &[];
        names
            .into_iter()
            .filter(|n| {
                let stack = |b: &Base| -> Vec<Entry> {
                    b.map.get(&***n).map_or(empty, |s| &s.entries[..]).to_vec()
                };
                let first = stack(bases[0]);
                bases[1..].iter().any(|b| stack(b) != first)
            })
            .cloned()
            .collect()
    }

    /// Marks `names` as varying (a name this base lacks gets an empty stack).
    pub fn mark_varying(&mut self, names: &[Box<str>]) {
        for n in names {
            self.map.entry(n.clone()).or_default().varies = true;
        }
    }
}

/// An evaluation's view: its own pushes and pops over a shared [`Base`].
#[derive(Clone, Debug)]
pub struct Table {
    base: Arc<Base>,
    over: FxHashMap<Box<str>, Slot>,
    /// Names pushed at a level above [`level::GLOBAL`] (call scopes), in
    /// push order, so leaving a scope finds its macros without a full scan.
    scoped: Vec<Box<str>>,
    /// A varying name of the base was consulted.
    touched: Cell<bool>,
    /// While on, what `get` answered once a varying name was consulted.
    reads: RefCell<Option<Reads>>,
    /// Counts the changes that outlive a macro call: pushes at
    /// [`level::GLOBAL`] or below, pops other than leaving a call, and any
    /// push or pop of a varying name.
    changes: u64,
}

#[derive(Clone, Debug)]
struct Slot {
    /// How many entries of the base stack are still visible.
    base_visible: usize,
    pushed: Vec<Entry>,
}

impl Table {
    pub fn new(base: Arc<Base>) -> Table {
        Table {
            base,
            over: FxHashMap::default(),
            scoped: Vec::new(),
            touched: Cell::new(false),
            reads: RefCell::new(None),
            changes: 0,
        }
    }

    /// Starts noting what `get` answers once [`Table::touched`] is set.
    pub fn start_reads(&self) {
        *self.reads.borrow_mut() = Some(Vec::new());
    }

    /// Stops noting and returns the answers noted.
    pub fn take_reads(&self) -> Reads {
        self.reads.borrow_mut().take().unwrap_or_default()
    }

    /// Whether a varying name of the base was consulted so far.
    pub fn touched(&self) -> bool {
        self.touched.get()
    }

    /// [`Table::touched`], clearing it.
    pub fn take_touched(&self) -> bool {
        self.touched.replace(false)
    }

    pub fn set_touched(&self, v: bool) {
        self.touched.set(v);
    }

    /// The number of lasting changes so far (see the field).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Counts a change the push rule does not see as lasting: a one-shot
    /// macro's literal pushed at a call level the definition may outlive.
    pub fn mark_change(&mut self) {
        self.changes += 1;
    }

    /// Puts `base` in place of the current base (another target's, whose
    /// non-varying names are the same), returning the current one.
    pub fn swap_base(&mut self, base: Arc<Base>) -> Arc<Base> {
        std::mem::replace(&mut self.base, base)
    }

    fn varies(&self, name: &str) -> bool {
        self.base.map.get(name).is_some_and(|s| s.varies)
    }

    /// The base's stack of `name`, noting a consulted varying name.
    fn base_stack(&self, name: &str) -> Option<&Stack> {
        let st = self.base.map.get(name)?;
        if st.varies {
            self.touched.set(true);
        }
        Some(st)
    }

    /// Appends to `out` every name starting with `prefix` that the base or
    /// this table has an entry (or a varying mark) for, defined or not
    /// (a name may come twice).
    pub fn names_with_prefix(&self, prefix: &str, out: &mut Vec<Box<str>>) {
        let keys = self.base.map.keys().chain(self.over.keys());
        out.extend(keys.filter(|k| k.starts_with(prefix)).cloned());
    }

    /// The visible definition of `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        let e = self.lookup(name);
        if self.touched.get() {
            if let Some(r) = self.reads.borrow_mut().as_mut() {
                r.push((name.into(), e.cloned()));
            }
        }
        e
    }

    fn lookup(&self, name: &str) -> Option<&Entry> {
        match self.over.get(name) {
            Some(s) => match s.pushed.last() {
                Some(e) => Some(e),
                None if s.base_visible > 0 => self
                    .base_stack(name)
                    .and_then(|st| st.entries.get(s.base_visible - 1)),
                None => {
                    // Popped down to nothing here; another target's base may
                    // hold more.
                    self.base_stack(name);
                    None
                }
            },
            None => self.base_stack(name).and_then(|st| st.entries.last()),
        }
    }

    fn slot(&mut self, name: &str) -> &mut Slot {
        if !self.over.contains_key(name) {
            // (Not a consultation: the count matters only once the
            // pushed entries are gone, and `get` notes that.)
            let base_visible = self.base.map.get(name).map_or(0, |s| s.entries.len());
            self.over.insert(
                name.into(),
                Slot {
                    base_visible,
                    pushed: Vec::new(),
                },
            );
        }
        self.over.get_mut(name).expect("inserted above")
    }

    pub fn push(&mut self, name: &str, e: Entry) {
        if e.level > level::GLOBAL {
            self.scoped.push(name.into());
        }
        if e.level <= level::GLOBAL || self.varies(name) {
            self.changes += 1;
        }
        self.slot(name).pushed.push(e);
    }

    /// Removes the visible definition of `name` (rpm's `popMacro`).
    pub fn pop(&mut self, name: &str) {
        self.changes += 1;
        self.pop_one(name);
    }

    fn pop_one(&mut self, name: &str) {
        if self.varies(name) {
            self.changes += 1;
        }
        if self.get(name).is_none() {
            return;
        }
        let s = self.slot(name);
        if s.pushed.pop().is_none() {
            s.base_visible -= 1;
        }
    }

    /// Leaving call level `lvl` (rpm's `freeArgs`): pops every definition at
    /// `lvl` or deeper of each name whose top is there.
    pub fn pop_scope(&mut self, lvl: i32) {
        let mut names = std::mem::take(&mut self.scoped);
        let mut keep = Vec::new();
        let mut seen: Vec<Box<str>> = Vec::new();
        for n in names.drain(..).rev() {
            if seen.contains(&n) {
                continue;
            }
            // rpm's freeArgs pops every definition of the call level or
            // deeper, not only the top one (two %defines of a name in one
            // call; a one-shot and the literal its use pushed).
            if self.get(&n).is_some_and(|e| e.level >= lvl) {
                while self.get(&n).is_some_and(|e| e.level >= lvl) {
                    self.pop_one(&n);
                }
                seen.push(n.clone());
            }
            if self.get(&n).is_some_and(|e| e.level > level::GLOBAL) {
                keep.push(n);
            }
        }
        keep.reverse();
        keep.dedup();
        self.scoped = keep;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_over_a_shared_base() {
        let mut b = Base::with_builtins();
        b.push("x", Entry::new("one", None, level::MACROFILES));
        b.push("x", Entry::new("two", None, level::MACROFILES));
        let base = Arc::new(b);
        let mut t = Table::new(base.clone());
        assert_eq!(&*t.get("x").unwrap().body, "two");
        t.push("x", Entry::new("three", None, 0));
        assert_eq!(&*t.get("x").unwrap().body, "three");
        t.pop("x");
        t.pop("x");
        assert_eq!(&*t.get("x").unwrap().body, "one");
        t.pop("x");
        assert!(t.get("x").is_none());
        t.pop("x");
        assert!(t.get("x").is_none());
        // The base is untouched.
        assert_eq!(&*Table::new(base).get("x").unwrap().body, "two");
        assert!(t.get("expand").unwrap().builtin.is_some());
    }

    #[test]
    fn scopes_pop_their_macros() {
        let mut t = Table::new(Arc::new(Base::default()));
        t.push("1", Entry::literal("a", 1));
        t.push("1", Entry::literal("b", 2));
        t.push("g", Entry::new("g", None, 0));
        t.pop_scope(2);
        assert_eq!(&*t.get("1").unwrap().body, "a");
        t.pop_scope(1);
        assert!(t.get("1").is_none());
        assert!(t.get("g").is_some());
    }
}
