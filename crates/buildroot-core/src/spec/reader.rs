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

use super::expand::Engine;
use super::expr;

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
    reading: bool,
    readable: bool,
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
    counts: (u32, u32, u32, bool),
    pending: Vec<u8>,
    pend_pos: usize,
    stack: Vec<Level>,
    /// The current line, stripped of trailing whitespace and comments.
    pub line: Vec<u8>,
    /// The line number of the current line in its file.
    pub lineno: usize,
    /// The last error was one of nesting (`%if` without `%endif`, ...).
    pub structural: bool,
}

fn is_space(c: u8) -> bool {
    c.is_ascii_whitespace() || c == 0x0b
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
            counts: (0, 0, 0, false),
            pending: Vec::new(),
            pend_pos: 0,
            stack: vec![Level {
                reading: true,
                readable: true,
                last: D::Endif,
                lineno: 0,
            }],
            line: Vec::new(),
            lineno: 0,
            structural: false,
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
        let (mut bc, mut pc, mut xc, mut nc) = self.counts;
        let mut p = self.scan;
        while p < b.len() {
            match b[p] {
                b'\\' => match b.get(p + 1) {
                    Some(b'\n') => {
                        p += 1;
                        nc = true;
                    }
                    None => {}
                    Some(_) => p += 1,
                },
                b'\n' => nc = false,
                b'%' => match b.get(p + 1) {
                    Some(b'{') => {
                        p += 1;
                        bc += 1
                    }
                    Some(b'(') => {
                        p += 1;
                        pc += 1
                    }
                    Some(b'[') => {
                        p += 1;
                        xc += 1
                    }
                    Some(b'%') => p += 1,
                    _ => {}
                },
                b'{' if bc > 0 => bc += 1,
                b'}' if bc > 0 => bc -= 1,
                b'(' if pc > 0 => pc += 1,
                b')' if pc > 0 => pc -= 1,
                b'[' if xc > 0 => xc += 1,
                b']' if xc > 0 => xc -= 1,
                _ => {}
            }
            p += 1;
        }
        self.scan = p.min(b.len());
        self.counts = (bc, pc, xc, nc);
        bc > 0 || pc > 0 || xc > 0 || nc
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
            self.counts = (0, 0, 0, false);
            let first = skip_space(&raw);
            let expand = match Directive::of(first) {
                Some((d, _)) if d.is_elif() => self.top().readable,
                _ => self.top().reading,
            };
            self.pending = if expand {
                eng.lineno = self.lineno;
                let before = eng.problems.len();
                match eng.expand(&raw) {
                    Ok(v) => v,
                    Err(()) => {
                        return Err(eng.problems.get(before).cloned().unwrap_or_else(|| {
                            format!("line {}: macro expansion failed", self.lineno)
                        }))
                    }
                }
            } else {
                raw
            };
            self.pend_pos = 0;
            return Ok(true);
        }
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
        let p = &mut self.pending;
        let start = self.pend_pos;
        let lead = p[start..]
            .iter()
            .take_while(|&&c| c != b'\n' && is_space(c))
            .count();
        let directive = Directive::of(&p[start + lead..]).is_some();
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
        self.pend_pos = i;
        let mut line = p[start..i].to_vec();
        if skip_space(&line).first() == Some(&b'#') {
            line.clear();
        }
        while line.last().is_some_and(|&c| is_space(c)) {
            line.pop();
        }
        self.line = line;
    }

    /// rpm's `readLine` after the line is in: conditionals and includes.
    /// `Some(())`: a line for the parser; `None`: read on.
    fn classify(&mut self, eng: &mut Engine) -> Result<Option<()>, Fatal> {
        let s = skip_space(&self.line).to_vec();
        let Some((d, len)) = Directive::of(&s) else {
            if !self.top().reading {
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
        let mut matched = false;
        match d {
            D::IfArch | D::ElifArch | D::IfNArch | D::IfOs | D::ElifOs | D::IfNOs => {
                let what: &[u8] = if matches!(d, D::IfOs | D::ElifOs | D::IfNOs) {
                    b"%{_target_os}"
                } else {
                    b"%{_target_cpu}"
                };
                let mut t = s.as_slice();
                while !(t.is_empty() || t[0] == b' ' || t[0] == b'\t') {
                    t = &t[1..];
                }
                while !t.is_empty() && (t[0] == b' ' || t[0] == b'\t') {
                    t = &t[1..];
                }
                if t.is_empty() {
                    return Err(format!(
                        "{name}:{lineno}: Argument expected for {}",
                        String::from_utf8_lossy(&s)
                    ));
                }
                let target = eng.expand(what).unwrap_or_default();
                matched = t
                    .split(|&c| is_space(c))
                    .filter(|w| !w.is_empty())
                    .any(|w| w.eq_ignore_ascii_case(&target));
                if matches!(d, D::IfNArch | D::IfNOs) {
                    matched = !matched;
                }
            }
            D::If | D::Elif => {
                let check = if d == D::If {
                    self.top().reading
                } else {
                    self.top().readable
                };
                if check {
                    eng.lineno = lineno;
                    matched = expr::eval_bool(&s[len..], eng)
                        .map_err(|e| format!("{name}:{lineno}: bad {} condition: {e}", d.text()))?;
                }
            }
            D::Else => {
                let parent_reading =
                    self.stack.len() > 1 && self.stack[self.stack.len() - 2].reading;
                let t = self.top_mut();
                t.last = D::Else;
                t.reading = parent_reading && t.readable;
                return Ok(None);
            }
            D::Endif => {
                self.stack.pop();
                return Ok(None);
            }
            D::Include => {
                if self.top().reading {
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
                            "line {lineno}: Unable to open {file}: not among the spec's sources"
                        ));
                    };
                    self.pending.clear();
                    self.pend_pos = 0;
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
            let reading = parent && matched;
            self.stack.push(Level {
                reading,
                readable: !reading && parent,
                last: d,
                lineno,
            });
        } else {
            let t = self.top_mut();
            t.reading = t.readable && matched;
            if t.reading {
                t.readable = false;
            }
        }
        Ok(None)
    }
}
