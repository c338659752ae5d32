//! One evaluation standing for several targets (`spec::archful_with`):
//! a chunk's expansion ([`Reader::expand_shared`], rpm's
//! `expandMacrosInSpecBuf` for each target) and a directive's condition
//! ([`Reader::condition`]) are checked on the other targets' macros, and
//! where a difference could reach the parser the evaluation stops standing
//! for them ([`Engine::give_up`]). rpm evaluates one target at a time and
//! has no counterpart to these checks.

use super::{full, skip_space, split_lines, Directive, Fatal, Mask, Reader, D};
use crate::spec::expand::Engine;
use crate::spec::parse;

impl Reader {
    /// [`Reader::expand_one`] in a shared evaluation, for the targets of
    /// `mask` (the others see `raw` unexpanded, as in a false branch):
    /// where their texts may differ, checks that the parser cannot tell
    /// them apart (nothing lasting done, the same directive, or only lines
    /// the parser lets pass besides the same others), else gives up.
    pub(super) fn expand_shared(
        &mut self,
        eng: &mut Engine,
        raw: Vec<u8>,
        dir: Option<D>,
        mask: Mask,
    ) -> Result<Vec<u8>, Fatal> {
        let n = eng.targets();
        let all = full(n);
        let mask = mask & all;
        let own = mask & 1 != 0;
        let before = eng.table.take_touched();
        let snap = eng.snapshot();
        eng.lua_log = Some(Vec::new());
        let out = if own {
            Some(self.expand_one(eng, &raw))
        } else {
            None
        };
        let log = eng.lua_log.take().unwrap_or_default();
        let touched = eng.table.take_touched();
        eng.table.set_touched(before);
        let out = match out {
            Some(Err(e)) => {
                if touched || mask != all {
                    eng.give_up();
                }
                return Err(e);
            }
            Some(Ok(v)) => Some(v),
            None => None,
        };
        let pending = out.clone().unwrap_or_else(|| raw.clone());
        if mask == all && !touched {
            // The same text for every target: what the lines do is checked
            // as they are handed out.
            return Ok(pending);
        }
        if own && !eng.pure_since(&snap, &log) {
            eng.give_up();
            return Ok(pending);
        }
        let mut views: Vec<Vec<Vec<u8>>> = Vec::with_capacity(n);
        for i in 0..n {
            let text = match &out {
                _ if mask & (1 << i) == 0 => raw.clone(),
                Some(o) if i == 0 || !touched => o.clone(),
                _ => match eng.as_target(i, &log, |e| e.expand(&raw)) {
                    Some(Ok(v)) => v,
                    _ => {
                        eng.give_up();
                        return Ok(pending);
                    }
                },
            };
            views.push(split_lines(&text));
        }
        let agree = match dir {
            Some(d) => views.iter().all(|v| {
                v.len() == 1 && Directive::of(skip_space(&v[0])).is_some_and(|x| x.0 == d)
            }),
            None => {
                let mut events: Vec<Vec<&[u8]>> = Vec::with_capacity(n);
                let mut directives = false;
                for (i, v) in views.iter().enumerate() {
                    let mut mode = self.mode;
                    let mut ev = Vec::new();
                    for l in v {
                        directives |= Directive::of(skip_space(l)).is_some();
                        if mask & (1 << i) == 0 {
                            continue;
                        }
                        if !parse::inert(l, mode) {
                            ev.push(l.as_slice());
                        }
                        if let Some(m) = parse::part_mode(l) {
                            mode = m;
                        }
                    }
                    events.push(ev);
                }
                !directives && events.iter().all(|e| *e == events[0])
            }
        };
        if !agree {
            eng.give_up();
        } else if dir.is_some() && views.iter().any(|v| v[0] != views[0][0]) {
            self.alt_dir = Some(views.into_iter().map(|mut v| v.swap_remove(0)).collect());
        }
        Ok(pending)
    }

    /// Evaluates a directive's condition for the targets of `mask`: for
    /// target 0 (if in `mask`) as it is, for the others (shared
    /// evaluations) as a check on their macros; returns the mask of targets
    /// where it holds. `text(i)` is target `i`'s directive line. `Err` is
    /// target 0's error.
    pub(super) fn condition(
        &self,
        eng: &mut Engine,
        mask: Mask,
        test: impl Fn(&mut Engine, &[u8]) -> Result<bool, Fatal>,
        line: &[u8],
    ) -> Result<Mask, Fatal> {
        let text = |i: usize| -> &[u8] {
            match &self.alt_dir {
                Some(v) => &v[i],
                None => line,
            }
        };
        let before = eng.table.take_touched();
        let snap = eng.snapshot();
        eng.lua_log = Some(Vec::new());
        let own = if mask & 1 != 0 {
            Some(test(eng, text(0)))
        } else {
            None
        };
        let log = eng.lua_log.take().unwrap_or_default();
        let touched = eng.table.take_touched();
        let pure = eng.pure_since(&snap, &log);
        eng.table.set_touched(before);
        let own = match own {
            Some(Err(e)) => {
                if touched {
                    eng.give_up();
                }
                return Err(e);
            }
            Some(Ok(b)) => Some(b),
            None => None,
        };
        let mut out: Mask = if own == Some(true) { 1 } else { 0 };
        if eng.sharing() {
            for i in 1..eng.targets().min(32) {
                if mask & (1 << i) == 0 {
                    continue;
                }
                if let Some(b) = own.filter(|_| !touched && text(i) == text(0)) {
                    out |= Mask::from(b) << i;
                    continue;
                }
                if own.is_some() && !pure {
                    eng.give_up();
                    break;
                }
                // The log answers only for the same text (the same run up
                // to where it differed).
                let log: &[_] = if text(i) == text(0) { &log } else { &[] };
                match eng.as_target(i, log, |e| test(e, text(i))) {
                    Some(Ok(b)) => out |= Mask::from(b) << i,
                    _ => {
                        eng.give_up();
                        break;
                    }
                }
            }
        }
        if touched && !eng.sharing() {
            eng.table.set_touched(true);
        }
        Ok(out)
    }
}
