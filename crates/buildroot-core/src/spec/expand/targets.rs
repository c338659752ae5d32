//! One evaluation standing for several targets (`spec::archful_with`): the
//! engine's side of it. rpm evaluates a spec once per `--target`; we
//! evaluate once and check, chunk by chunk, that each other target's base
//! would give the same expansion ([`Engine::as_target`]), logging the Lua
//! runs of a chunk so that the check replays them instead of running Lua
//! again. No upstream counterpart: this is what lets an answer for one
//! target stand for the others, byte for byte as rpm would give each.
//! Separate from the macro expansion itself ([`super`]) because none of it
//! changes what an expansion gives.

use std::sync::Arc;

use super::super::table::{Base, Reads};
use super::{Engine, Frame};

/// One evaluation standing for several targets (`spec::archful_with`):
/// the other targets' bases, to check that what the evaluation did on the
/// first target's base would be the same on theirs.
pub(in crate::spec) struct Sharing {
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
pub(in crate::spec) struct LuaRun {
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
pub(in crate::spec) struct Snapshot {
    changes: u64,
    lua_runs: u64,
    problems: usize,
}

impl Engine<'_> {
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

    /// Runs a `%{lua:}` script (logged or replayed in a shared evaluation).
    pub(super) fn run_lua(
        &mut self,
        script: Vec<u8>,
        frame: Option<std::rc::Rc<Frame>>,
        out: &mut Vec<u8>,
    ) {
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
                    super::super::lua::run_macro(eng, &script, frame.as_deref(), out);
                    (out[start..].to_vec(), true)
                });
            }
        }
    }

    /// While checking another target: the logged answer of a Lua run (or
    /// why it cannot be given); `None` outside checks.
    pub(super) fn replayed(&mut self, key: &[u8]) -> Option<Result<Vec<u8>, String>> {
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
    pub(super) fn logged_lua(
        &mut self,
        key: Vec<u8>,
        run: impl FnOnce(&mut Self) -> (Vec<u8>, bool),
    ) {
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
