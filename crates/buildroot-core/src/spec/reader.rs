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
//!
//! This file holds the [`Reader`]: joining, expanding and cutting lines;
//! `reader/directive.rs` the directives and what they do to the
//! conditional levels, `reader/shared.rs` the checks of a shared
//! evaluation.

mod directive;
mod shared;

use super::expand::Engine;
use super::nesting::Nesting;
use directive::Directive;
use Directive as D;

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
    /// How many lines rpm's `readLine` has handed out: every line this
    /// reader reads, and also each `%if`/`%elif`/`%else`/`%endif` line,
    /// which rpm hands out emptied where this reader goes on to the next;
    /// an `%include` line is not one (rpm reads on into the file).
    pub handed_out: usize,
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
            handed_out: 0,
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
        let p = join_scan(
            &self.lbuf,
            self.scan,
            &mut self.nesting,
            &mut self.continued,
        );
        self.scan = p;
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
            let files = self.files.len();
            let line = self.classify(eng)?;
            // Only an `%include` opens a file here.
            if self.files.len() == files {
                self.handed_out += 1;
            }
            match line {
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

/// Scans `b` from `from` as `copyNextLineFromOFI` does, counting open
/// `%{`, `%(`, `%[` in `nesting` and noting in `continued` whether the last
/// newline had an unpaired `\` before it; returns where the scan ended.
fn join_scan(b: &[u8], from: usize, nesting: &mut Nesting, continued: &mut bool) -> usize {
    let mut p = from;
    while p < b.len() {
        p = match b[p] {
            b'\\' => match b.get(p + 1) {
                Some(b'\n') => {
                    *continued = true;
                    p + 2
                }
                None => p + 1,
                Some(_) => p + 2,
            },
            b'\n' => {
                *continued = false;
                p + 1
            }
            _ => nesting.scan(b, p),
        };
    }
    p.min(b.len())
}

/// Where the last line rpm reads of `text` (a spec's bytes) starts, its
/// physical lines joined as the reader joins them: the byte offset and the
/// 1-based number of its first physical line. A final newline ends the
/// last line; it does not start another.
pub(crate) fn last_joined_line(text: &[u8]) -> (usize, usize) {
    let (mut nesting, mut continued) = (Nesting::default(), false);
    let (mut start, mut start_no) = (0, 1);
    let (mut pos, mut no) = (0, 1);
    while pos < text.len() {
        let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i + 1);
        join_scan(&text[..end], pos, &mut nesting, &mut continued);
        let open = nesting.is_open() || continued;
        (pos, no) = (end, no + 1);
        if !open && pos < text.len() {
            (start, start_no) = (pos, no);
            nesting = Nesting::default();
        }
    }
    (start, start_no)
}

#[cfg(test)]
mod tests {
    use super::last_joined_line;

    #[test]
    fn the_last_line_starts_where_the_reader_would_join_it() {
        let at = |t: &str| last_joined_line(t.as_bytes());
        assert_eq!(at(""), (0, 1));
        assert_eq!(at("a"), (0, 1));
        assert_eq!(at("a\nb\n"), (2, 2));
        assert_eq!(at("a\nb"), (2, 2));
        // An open %{ or a final \ joins the next physical line.
        assert_eq!(at("a\n%{expand:\nx\n}\n"), (2, 2));
        assert_eq!(at("a\nb \\\nc\n"), (2, 2));
        assert_eq!(at("a\nb \\\\\nc\n"), (7, 3));
        assert_eq!(at("{\n}\n"), (2, 2));
        assert_eq!(at("%%{\n}\n"), (4, 2));
    }
}
