//! The macro table, mirroring rpm's `rpmMacroContext` (rpmio/macro.c:
//! `findEntry`, `pushMacro`, `popMacro`): every name holds a stack of
//! definitions, a definition pushes, `%undefine` pops one. Each entry has a
//! scope level and flags (automatic argument macro, literal body, built-in).
//!
//! The definitions that come from macro files are the same for every spec,
//! so they live in an `Arc`'d [`Base`] built once per target; an evaluation
//! works on a [`Table`] that layers its own pushes and pops over it, so
//! starting a spec costs no copy of the base.

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

/// The built-in macros of rpm 4.18 (rpm's `builtinmacros` table).
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
        ("getncpus", Builtin::GetNCpus, 0, false),
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
    ];
}

/// One definition.
#[derive(Clone, Debug)]
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
            builtin: None,
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

/// The shared part: name -> stack of definitions (last = visible).
#[derive(Clone, Debug, Default)]
pub struct Base {
    map: FxHashMap<Box<str>, Vec<Entry>>,
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
                builtin: Some((bi, nargs, parse)),
            };
            b.map.insert(name.into(), vec![e]);
        }
        b
    }

    pub fn push(&mut self, name: &str, e: Entry) {
        match self.map.get_mut(name) {
            Some(v) => v.push(e),
            None => {
                self.map.insert(name.into(), vec![e]);
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.map.get(name).and_then(|v| v.last())
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
        }
    }

    /// The visible definition of `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        match self.over.get(name) {
            Some(s) => s
                .pushed
                .last()
                .or_else(|| (s.base_visible > 0).then(|| &self.base.map[name][s.base_visible - 1])),
            None => self.base.get(name),
        }
    }

    fn slot(&mut self, name: &str) -> &mut Slot {
        if !self.over.contains_key(name) {
            let base_visible = self.base.map.get(name).map_or(0, Vec::len);
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
        self.slot(name).pushed.push(e);
    }

    /// Removes the visible definition of `name` (rpm's `popMacro`).
    pub fn pop(&mut self, name: &str) {
        if self.get(name).is_none() {
            return;
        }
        let s = self.slot(name);
        if s.pushed.pop().is_none() {
            s.base_visible -= 1;
        }
    }

    /// Leaving call level `lvl` (rpm's `freeArgs`): pops the visible
    /// definition of every name whose top is at `lvl` or deeper.
    pub fn pop_scope(&mut self, lvl: i32) {
        let mut names = std::mem::take(&mut self.scoped);
        let mut keep = Vec::new();
        let mut seen: Vec<Box<str>> = Vec::new();
        for n in names.drain(..).rev() {
            if seen.contains(&n) {
                continue;
            }
            if self.get(&n).is_some_and(|e| e.level >= lvl) {
                self.pop(&n);
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
