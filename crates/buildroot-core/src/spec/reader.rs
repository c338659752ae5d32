//! Reading a spec line by line as rpm 4.18 does (build/parseSpec.c:
//! `readLine`, `readLineFromOFI`, `copyNextLineFromOFI`,
//! `expandMacrosInSpecBuf`, `copyNextLineFinish`, `parseLineType`):
//!
//! - physical lines are joined while a `%{`, `%(` or `%[` is open or a
//!   line ends with `\`; the WHOLE joined text is then macro-expanded at
//!   once (so `%global` bodies, `%{expand:...}` and `%{lua:...}` may span
//!   lines, and may produce several lines);
//! - text in a false `%if` branch is not expanded; `%elif` lines are
//!   expanded only while no branch has been taken;
//! - the expanded text is handed out one line at a time; `%if`, `%ifarch`,
//!   `%ifos` (and `n` forms), `%elif`, `%elifarch`, `%elifos`, `%else`,
//!   `%endif` and `%include` are recognised on those lines, after expansion,
//!   with rpm's ordering checks (`%else` after `%else` is an error);
//! - `%include FILE` reads FILE (from the spec's sources) in place.
//!
//! One evaluation may stand for several targets (`spec::archful_with`):
//! every conditional level then holds a mask of the targets that read it,
//! and where a line's expansion consulted a name that differs between the
//! targets, or a conditional splits them, the reader checks on the other
//! targets' macros that the difference cannot reach the parser: their
//! expansions change nothing lasting and every line any of them would hand
//! out is one the parser lets pass ([`super::parse::inert`]: a body line, a
//! `Requires:` that passes rpm's checks...). Where that cannot be shown
//! the evaluation stops standing for the others ([`Engine::give_up`]).

use super::expand::Engine;
use super::expr;
use super::nesting::Nesting;
use super::parse;
use super::table::{level, Entry};

/// Bit `i` set: target `i` of a shared evaluation (target 0 is the one
/// the evaluation is for); a plain evaluation only uses bit 0.
type Mask = u32;

/// The mask of `n` targets.
fn full(n: usize) -> Mask {
    if n >= 32 {
        Mask::MAX
    } else {
        (1 << n) - 1
    }
}

/// How the parser uses the lines it reads (set by the parser per section).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    Preamble,
    /// Section bodies it only scans for the next section keyword.
    Body,
    /// `%sourcelist`, `%patchlist`.
    List,
}

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

    fn is_elif(self) -> bool {
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

    fn text(self) -> &'static str {
        let t = Self::TABLE
            .iter()
            .find(|x| x.0 == self)
            .expect("in table")
            .1;
        std::str::from_utf8(t).expect("ascii")
    }
}

struct Level {
    /// The targets reading this branch.
    reading: Mask,
    /// The targets that may still take a later `%elif`/`%else` branch.
    readable: Mask,
    last: D,
    lineno: usize,
}

struct File {
    name: String,
    text: std::rc::Rc<Vec<u8>>,
    pos: usize,
    lineno: usize,
}

/// A fatal spec error (rpm's `PART_ERROR`).
pub(super) type Fatal = String;

pub(super) struct Reader {
    files: Vec<File>,
    lbuf: Vec<u8>,
    scan: usize,
    /// The groups open in `lbuf` up to `scan`.
    nesting: Nesting,
    /// Whether `lbuf` up to `scan` ends in a `\` line continuation.
    continued: bool,
    pending: Vec<u8>,
    pend_pos: usize,
    stack: Vec<Level>,
    /// The current line, stripped of trailing whitespace and comments.
    pub line: Vec<u8>,
    /// The directive the current line is, judged before it was stripped
    /// (rpm sees `%if` followed by its newline, which is no directive).
    line_dir: Option<(D, usize)>,
    /// The line number of the current line in its file.
    pub lineno: usize,
    /// The last error was one of nesting (`%if` without `%endif`, ...).
    pub structural: bool,
    /// How the parser uses the lines now.
    pub mode: Mode,
    /// The current directive line as each target expanded it, where that
    /// differs between them (shared evaluations).
    alt_dir: Option<Vec<Vec<u8>>>,
}

/// C's `isspace` (rpm's `risspace`): the six ASCII blanks only; a Unicode
/// space such as U+00A0 is part of a word to rpm.
pub(super) fn is_space(c: u8) -> bool {
    c.is_ascii_whitespace() || c == 0x0b
}

/// [`is_space`] of a `char`.
pub(super) fn is_c_space(c: char) -> bool {
    c.is_ascii() && is_space(c as u8)
}

fn skip_space(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| is_space(c)).count();
    &s[n..]
}

impl Reader {
    pub fn new(name: &str, text: Vec<u8>) -> Reader {
        Reader {
            files: vec![File {
                name: name.to_string(),
                text: std::rc::Rc::new(text),
                pos: 0,
                lineno: 0,
            }],
            lbuf: Vec::new(),
            scan: 0,
            nesting: Nesting::default(),
            continued: false,
            pending: Vec::new(),
            pend_pos: 0,
            stack: vec![Level {
                reading: Mask::MAX,
                readable: Mask::MAX,
                last: D::Endif,
                lineno: 0,
            }],
            line: Vec::new(),
            line_dir: None,
            lineno: 0,
            structural: false,
            mode: Mode::Preamble,
            alt_dir: None,
        }
    }

    fn top(&self) -> &Level {
        self.stack.last().expect("bottom level never popped")
    }

    fn top_mut(&mut self) -> &mut Level {
        self.stack.last_mut().expect("bottom level never popped")
    }

    fn file_name(&self) -> &str {
        self.files.last().map_or("spec", |f| f.name.as_str())
    }

    /// Scans what `lbuf` gained for open `%{`, `%(`, `%[` and a final `\`.
    fn needs_more(&mut self) -> bool {
        let b = &self.lbuf;
        let mut p = self.scan;
        while p < b.len() {
            p = match b[p] {
                b'\\' => match b.get(p + 1) {
                    Some(b'\n') => {
                        self.continued = true;
                        p + 2
                    }
                    None => p + 1,
                    Some(_) => p + 2,
                },
                b'\n' => {
                    self.continued = false;
                    p + 1
                }
                _ => self.nesting.scan(b, p),
            };
        }
        self.scan = p.min(b.len());
        self.nesting.is_open() || self.continued
    }

    /// Fills `pending` with the next expanded chunk; `Ok(false)` at the end.
    fn fill(&mut self, eng: &mut Engine) -> Result<bool, Fatal> {
        let mut start_line = 0;
        loop {
            // The next physical line of the innermost open file.
            let Some(f) = self.files.last_mut() else {
                return Ok(false);
            };
            if f.pos >= f.text.len() {
                self.files.pop();
                if !self.files.is_empty() {
                    // rpm's `popOFI` of an `%include`d file.
                    eng.table.pop("__file_name");
                }
                if self.files.is_empty() {
                    if self.stack.len() > 1 {
                        self.structural = true;
                        return Err(format!(
                            "line {}: Unclosed %if (no %endif)",
                            self.top().lineno
                        ));
                    }
                    if start_line > 0 {
                        return Err(format!(
                            "line {start_line}: unclosed macro or bad line continuation"
                        ));
                    }
                    return Ok(false);
                }
                continue;
            }
            let end =
                memchr::memchr(b'\n', &f.text[f.pos..]).map_or(f.text.len(), |p| f.pos + p + 1);
            let text = f.text.clone();
            self.lbuf.extend_from_slice(&text[f.pos..end]);
            f.pos = end;
            f.lineno += 1;
            self.lineno = f.lineno;
            if self.needs_more() {
                if start_line == 0 {
                    start_line = self.lineno;
                }
                continue;
            }
            let raw = std::mem::take(&mut self.lbuf);
            self.scan = 0;
            self.nesting = Nesting::default();
            self.continued = false;
            let first = skip_space(&raw);
            let dir = Directive::of(first).map(|d| d.0);
            // rpm's expandMacrosInSpecBuf: `%else`/`%endif` take nothing
            // but a comment, checked before expansion and in false branches.
            if let Some((d @ (D::Else | D::Endif), len)) = Directive::of(first) {
                let rest = skip_space(&first[len..]);
                if rest.first().is_some_and(|&c| c != b'#') {
                    let line = String::from_utf8_lossy(first);
                    return Err(format!(
                        "extra tokens at the end of {} directive in line {}:  {}",
                        d.text(),
                        self.lineno,
                        line.trim_end()
                    ));
                }
            }
            let mask = match dir {
                Some(d) if d.is_elif() => self.top().readable,
                _ => self.top().reading,
            };
            self.alt_dir = None;
            eng.lineno = self.lineno;
            self.pending = if eng.sharing() && mask & full(eng.targets()) != 0 {
                self.expand_shared(eng, raw, dir, mask)?
            } else if mask & 1 != 0 {
                self.expand_one(eng, &raw)?
            } else {
                raw
            };
            self.pend_pos = 0;
            return Ok(true);
        }
    }

    /// Expands a chunk for target 0; an error is rpm's.
    fn expand_one(&self, eng: &mut Engine, raw: &[u8]) -> Result<Vec<u8>, Fatal> {
        let before = eng.problems.len();
        eng.expand(raw).map_err(|()| {
            eng.problems
                .get(before)
                .cloned()
                .unwrap_or_else(|| format!("line {}: macro expansion failed", self.lineno))
        })
    }

    /// [`Reader::expand_one`] in a shared evaluation, for the targets of
    /// `mask` (the others see `raw` unexpanded, as in a false branch):
    /// where their texts may differ, checks that the parser cannot tell
    /// them apart (nothing lasting done, the same directive, or only lines
    /// the parser lets pass besides the same others), else gives up.
    fn expand_shared(
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

    /// rpm's `readLine`: the next line into `self.line`; `Ok(false)` at the
    /// end of the spec.
    pub fn read_line(&mut self, eng: &mut Engine) -> Result<bool, Fatal> {
        loop {
            if self.pend_pos >= self.pending.len() && !self.fill(eng)? {
                return Ok(false);
            }
            if self.pend_pos >= self.pending.len() {
                // An expansion to nothing is one empty line.
                self.pending.clear();
                self.line.clear();
                self.line_dir = None;
            } else {
                self.take_line();
            }
            match self.classify(eng)? {
                Some(()) => return Ok(true),
                None => continue,
            }
        }
    }

    /// rpm's `copyNextLineFinish`: one line of the expanded text.
    fn take_line(&mut self) {
        let (next, line, dir) = cut_line(&mut self.pending, self.pend_pos);
        self.pend_pos = next;
        self.line = line;
        self.line_dir = dir;
    }

    /// Evaluates a directive's condition for the targets of `mask`: for
    /// target 0 (if in `mask`) as it is, for the others (shared
    /// evaluations) as a check on their macros; returns the mask of targets
    /// where it holds. `text(i)` is target `i`'s directive line. `Err` is
    /// target 0's error.
    fn condition(
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

    /// rpm's `readLine` after the line is in: conditionals and includes.
    /// `Some(())`: a line for the parser; `None`: read on.
    fn classify(&mut self, eng: &mut Engine) -> Result<Option<()>, Fatal> {
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

/// rpm's `copyNextLineFinish` on `p` from `start`: where the next line
/// starts and this line as handed out (a directive's `\`-newlines blanked
/// so it goes on, a comment line emptied, trailing blanks removed).
fn cut_line(p: &mut [u8], start: usize) -> (usize, Vec<u8>, Option<(D, usize)>) {
    let lead = p[start..]
        .iter()
        .take_while(|&&c| c != b'\n' && is_space(c))
        .count();
    let dir = Directive::of(&p[start + lead..]);
    let directive = dir.is_some();
    let mut i = start;
    while i < p.len() {
        if directive && p[i] == b'\\' && p.get(i + 1) == Some(&b'\n') {
            p[i] = b' ';
            p[i + 1] = b' ';
        }
        let c = p[i];
        i += 1;
        if c == b'\n' {
            break;
        }
    }
    let mut line = p[start..i].to_vec();
    if skip_space(&line).first() == Some(&b'#') {
        line.clear();
    }
    while line.last().is_some_and(|&c| is_space(c)) {
        line.pop();
    }
    (i, line, dir)
}

/// The lines `text` hands out, as [`cut_line`] cuts them (nothing is one
/// empty line).
fn split_lines(text: &[u8]) -> Vec<Vec<u8>> {
    let mut p = text.to_vec();
    let mut out = Vec::new();
    let mut at = 0;
    while at < p.len() {
        let (next, line, _) = cut_line(&mut p, at);
        out.push(line);
        at = next;
    }
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}
