//! Calling one macro as rpm 4.18 does (rpmio/macro.c `doMacro`,
//! `grabArgs`, `setupArgs`/`freeArgs`, and `rpmExpandThisMacro` behind
//! Lua's `macros.name({...})`): a built-in gets its text, a parametric
//! macro its options and arguments (`%0`, `%1`..., `%*`, `%**`, `%#`,
//! `%-f`) one level deeper, a plain one its body expanded. Separate from
//! the scanning of text for macros in [`super`], which decides what is
//! called and with which text.

use std::rc::Rc;
use std::sync::Arc;

use super::super::args::{getopt, split_quoted, unsplit_quoted, QUOTE};
use super::super::table::{Builtin, Entry};
use super::{Engine, Frame, MAX_DEPTH};

impl Engine<'_> {
    /// rpm's `grabArgs`: the arguments `s[from..to]`, expanded and split
    /// into words (or, for built-ins that parse their own text, as is).
    pub(super) fn grab_args(
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
    pub(super) fn do_macro(
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

    /// Expands the macro `name` with `args` as they are (rpm's
    /// `rpmExpandThisMacro`, behind Lua's `macros.name({...})`).
    pub fn call_with_args(&mut self, name: &str, args: Vec<Vec<u8>>) -> Result<Vec<u8>, ()> {
        let Some(me) = self.table.get(name).cloned() else {
            return Err(());
        };
        // A buffer of its own, quotes not kept (rpm's rpmExpandThisMacro).
        self.top_level(Vec::new(), |ex, out| {
            if ex.depth >= MAX_DEPTH {
                ex.fail("Too many levels of recursion in macro expansion.");
            } else {
                ex.depth += 1;
                let argv = me.opts.is_some().then(|| {
                    let mut v = vec![name.as_bytes().to_vec()];
                    v.extend(args);
                    v
                });
                ex.do_macro(name, &me, argv, None, out);
                ex.depth -= 1;
            }
        })
    }
}
