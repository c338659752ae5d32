//! The conditional and include directives: recognising one on a line
//! (rpm's `lineTypes` in build/rpmbuild_internal.h and `parseLineType` in
//! build/parseSpec.c) and what each does once its line is read (the part
//! of `readLine` after the line is in: the ordering checks, `%if` and
//! `%elif` conditions, `%else`, `%endif`, and `%include` through
//! `pushOFI`).

use super::{full, is_space, skip_space, Fatal, File, Level, Mask, Reader};
use crate::spec::expand::Engine;
use crate::spec::expr;
use crate::spec::parse;
use crate::spec::table::{level, Entry};

/// The conditional and include directives (rpm's `lineTypes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Directive {
    Endif,
    Else,
    If,
    IfArch,
    IfNArch,
    IfOs,
    IfNOs,
    Include,
    ElifArch,
    ElifOs,
    Elif,
}

use Directive as D;

impl Directive {
    /// (text, needs a blank or end after it)
    const TABLE: &'static [(D, &'static [u8], bool)] = &[
        (D::Endif, b"%endif", false),
        (D::Else, b"%else", false),
        (D::If, b"%if", true),
        (D::IfArch, b"%ifarch", true),
        (D::IfNArch, b"%ifnarch", true),
        (D::IfOs, b"%ifos", true),
        (D::IfNOs, b"%ifnos", true),
        (D::Include, b"%include", true),
        (D::ElifArch, b"%elifarch", true),
        (D::ElifOs, b"%elifos", true),
        (D::Elif, b"%elif", true),
    ];

    /// rpm's `parseLineType` on text starting at a directive candidate.
    pub fn of(s: &[u8]) -> Option<(D, usize)> {
        for &(d, text, with_args) in Self::TABLE {
            if !s.starts_with(text) {
                continue;
            }
            let next = s.get(text.len()).copied();
            let ok = if with_args {
                matches!(next, None | Some(b' ') | Some(b'\t'))
            } else {
                !next.is_some_and(|c| c.is_ascii_alphabetic())
            };
            if ok {
                return Some((d, text.len()));
            }
        }
        None
    }

    fn is_if(self) -> bool {
        matches!(self, D::If | D::IfArch | D::IfNArch | D::IfOs | D::IfNOs)
    }

    pub(super) fn is_elif(self) -> bool {
        matches!(self, D::Elif | D::ElifArch | D::ElifOs)
    }

    fn is_conditional(self) -> bool {
        self != D::Include
    }

    /// Directives that may not precede this one at the same level.
    fn wrong_precursor(self, prev: D) -> bool {
        match self {
            D::Endif => prev == D::Endif,
            D::Else | D::Elif | D::ElifArch | D::ElifOs => matches!(prev, D::Endif | D::Else),
            _ => false,
        }
    }

    pub(super) fn text(self) -> &'static str {
        let t = Self::TABLE
            .iter()
            .find(|x| x.0 == self)
            .expect("in table")
            .1;
        std::str::from_utf8(t).expect("ascii")
    }
}

impl Reader {
    /// rpm's `readLine` after the line is in: conditionals and includes.
    /// `Some(())`: a line for the parser; `None`: read on.
    pub(super) fn classify(&mut self, eng: &mut Engine) -> Result<Option<()>, Fatal> {
        let s = skip_space(&self.line).to_vec();
        let sharing = eng.sharing();
        let all = full(eng.targets());
        let Some((d, len)) = self.line_dir else {
            let reading = self.top().reading;
            if sharing
                && reading & all != 0
                && reading & all != all
                && !parse::inert(&self.line, self.mode)
            {
                // Only some targets get a line the parser acts on.
                eng.give_up();
            }
            if reading & 1 == 0 {
                self.line.clear();
            }
            return Ok(Some(()));
        };
        let name = self.file_name().to_string();
        let lineno = self.lineno;
        if d.is_conditional() && d.wrong_precursor(self.top().last) {
            self.structural = true;
            return Err(if self.top().last == D::Endif {
                format!("{name}: line {lineno}: {} with no %if", d.text())
            } else {
                format!(
                    "{name}: line {lineno}: {} after {}",
                    d.text(),
                    self.top().last.text()
                )
            });
        }
        // The targets whose branch choice this directive makes.
        let relevant = if d.is_if() {
            self.top().reading
        } else {
            self.top().readable
        };
        let matched: Mask;
        match d {
            D::IfArch | D::ElifArch | D::IfNArch | D::IfOs | D::ElifOs | D::IfNOs => {
                let what: &[u8] = if matches!(d, D::IfOs | D::ElifOs | D::IfNOs) {
                    b"%{_target_os}"
                } else {
                    b"%{_target_cpu}"
                };
                let negate = matches!(d, D::IfNArch | D::IfNOs);
                let test = |e: &mut Engine, line: &[u8]| -> Result<bool, Fatal> {
                    let line = skip_space(line);
                    let mut t = line;
                    while !(t.is_empty() || t[0] == b' ' || t[0] == b'\t') {
                        t = &t[1..];
                    }
                    while !t.is_empty() && (t[0] == b' ' || t[0] == b'\t') {
                        t = &t[1..];
                    }
                    if t.is_empty() {
                        return Err(format!(
                            "{name}:{lineno}: Argument expected for {}",
                            String::from_utf8_lossy(line)
                        ));
                    }
                    let target = e.expand(what).unwrap_or_default();
                    let hit = t
                        .split(|&c| is_space(c))
                        .filter(|w| !w.is_empty())
                        .any(|w| w.eq_ignore_ascii_case(&target));
                    Ok(hit != negate)
                };
                // rpm tests the arch whether or not the branch is read.
                matched = self.condition(eng, relevant | 1, test, &s)?;
            }
            D::If | D::Elif => {
                eng.lineno = lineno;
                let test = |e: &mut Engine, line: &[u8]| -> Result<bool, Fatal> {
                    let line = skip_space(line);
                    expr::eval_bool(&line[len.min(line.len())..], e).map_err(|err| {
                        format!("{name}:{lineno}: bad {} condition: {err}", d.text())
                    })
                };
                matched = self.condition(eng, relevant, test, &s)?;
            }
            D::Else => {
                let parent_reading = if self.stack.len() > 1 {
                    self.stack[self.stack.len() - 2].reading
                } else {
                    0
                };
                let t = self.top_mut();
                t.last = D::Else;
                t.reading = parent_reading & t.readable;
                return Ok(None);
            }
            D::Endif => {
                self.stack.pop();
                return Ok(None);
            }
            D::Include => {
                let reading = self.top().reading;
                if sharing && reading & all != 0 && reading & all != all {
                    eng.give_up();
                }
                if reading & 1 != 0 {
                    let rest = skip_space(&s[len..]);
                    let mut end = rest.len();
                    while end > 0 && is_space(rest[end - 1]) {
                        end -= 1;
                    }
                    if end == 0 {
                        return Err(format!("{name}:{lineno}: malformed %include statement"));
                    }
                    let file = String::from_utf8_lossy(&rest[..end]).into_owned();
                    let Some(text) = eng.host.read_file(&file) else {
                        return Err(format!(
                            "line {lineno}: Unable to open {file}: no such file beside the spec (in its SRPM or its directory)"
                        ));
                    };
                    self.pending.clear();
                    self.pend_pos = 0;
                    // rpm's `pushOFI`: `%{__file_name}` is the included
                    // file's while it is read (`%{__file_lineno}` follows
                    // `lineno`).
                    eng.table
                        .push("__file_name", Entry::literal(&file, level::SPEC));
                    self.files.push(File {
                        name: file,
                        text: std::rc::Rc::new(text),
                        pos: 0,
                        lineno: 0,
                    });
                    return Ok(None);
                }
                self.line.clear();
                return Ok(Some(()));
            }
        }
        if d.is_if() {
            let parent = self.top().reading;
            let reading = parent & matched;
            self.stack.push(Level {
                reading,
                readable: !reading & parent,
                last: d,
                lineno,
            });
        } else {
            let t = self.top_mut();
            t.reading = t.readable & matched;
            t.readable &= !t.reading;
        }
        Ok(None)
    }
}
