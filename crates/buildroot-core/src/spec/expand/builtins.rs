//! rpm's built-in macros, one arm each (rpmio/macro.c's `builtinmacros`
//! table and its `doFoo`, `doExpand`, `doSP`, `doBody`, `doLoad`,
//! `doOutput`, `doLua`, ... ): `%{basename:}`, `%{dirname:}`,
//! `%{suffix:}`, `%{url2path:}`, `%{shrink:}`, `%{quote:}`, `%{expand:}`,
//! `%{S:}`/`%{P:}`, `%{macrobody:}`, `%{load:}`, `%{echo:}`/`%{warn:}`/
//! `%{error:}`, `%{lua:}`, `%{getncpus}`, `%{exists:}`, `%{uncompress:}`,
//! `%setup`/`%patch` and the rest: what each gives once the expansion in
//! `expand.rs` has found the call and `call.rs` grabbed its arguments. A
//! child of `expand` so that the arms work on the [`Engine`]'s own state.

use super::*;

impl Engine<'_> {
    pub(super) fn builtin(
        &mut self,
        bi: Builtin,
        name: &str,
        argv: Vec<Vec<u8>>,
        parsed: Option<&mut usize>,
        out: &mut Vec<u8>,
    ) {
        let arg: &[u8] = argv.get(1).map_or(b"", |a| a.as_slice());
        let text = || String::from_utf8_lossy(arg).into_owned();
        match bi {
            Builtin::Source | Builtin::Patch => {
                let mut m = if bi == Builtin::Source {
                    b"%SOURCE".to_vec()
                } else {
                    b"%PATCH".to_vec()
                };
                m.extend_from_slice(arg);
                self.expand_into(&m, out);
            }
            Builtin::Define | Builtin::Global => {
                let mut def = arg.to_vec();
                if let Some(body) = argv.get(2) {
                    def.push(b' ');
                    def.extend_from_slice(body);
                }
                let lvl = if bi == Builtin::Global {
                    level::GLOBAL
                } else {
                    self.level
                };
                let used = self.define(&def, lvl, bi == Builtin::Global, parsed.is_none());
                if let Some(p) = parsed {
                    *p += used;
                }
            }
            Builtin::Undefine => self.undefine(&text()),
            Builtin::Dnl => {
                let end = memchr::memchr(b'\n', arg).map_or(arg.len(), |p| p + 1);
                if let Some(p) = parsed {
                    *p += end;
                }
            }
            Builtin::Dump | Builtin::Trace | Builtin::Echo | Builtin::Warn => {}
            Builtin::Error => self.fail(format!("%{{error:}}: {}", text())),
            Builtin::Expand => {
                if !arg.is_empty() {
                    self.expand_into(arg, out);
                }
            }
            Builtin::Verbose => {
                if parsed.is_some() || argv.len() < 2 {
                    out.push(b'0');
                }
            }
            // rpm 4.19's `doShescape`: each argument quoted, blanks between.
            Builtin::Shescape => {
                for (k, a) in argv.iter().skip(1).enumerate() {
                    if k > 0 {
                        out.push(b' ');
                    }
                    out.push(b'\'');
                    for &c in a {
                        if c == b'\'' {
                            out.extend_from_slice(b"'\\''");
                        } else {
                            out.push(c);
                        }
                    }
                    out.push(b'\'');
                }
            }
            // rpm calls POSIX basename(3) and dirname(3) (libgen's, which
            // trim trailing slashes), not GNU's basename.
            Builtin::Basename => out.extend_from_slice(posix_basename(arg)),
            Builtin::Dirname => out.extend_from_slice(posix_dirname(arg)),
            Builtin::Suffix => {
                if let Some(p) = arg.iter().rposition(|&c| c == b'.') {
                    out.extend_from_slice(&arg[p + 1..]);
                }
            }
            Builtin::Shrink => {
                let mut last = b' ';
                let start = out.len();
                for &c in arg {
                    let c = if c.is_ascii_whitespace() {
                        if last == b' ' {
                            continue;
                        }
                        b' '
                    } else {
                        c
                    };
                    out.push(c);
                    last = c;
                }
                if out.len() > start && out.last() == Some(&b' ') {
                    out.pop();
                }
            }
            // Separators only where quotes are kept (rpm 4.19; 4.18 always
            // wrote them, and they leaked into the text).
            Builtin::Quote if self.keep_quoted => {
                let q = unsplit_quoted(&argv[1..], b" ");
                self.have_quoted |= !q.is_empty();
                out.extend_from_slice(&q);
            }
            Builtin::Quote => out.extend_from_slice(&argv[1..].join(&b' ')),
            Builtin::Expr => match expr::eval_text(arg, false, self) {
                Ok(v) => out.extend_from_slice(&v),
                Err(e) => self.fail(e),
            },
            Builtin::Url2path | Builtin::U2p => {
                let t = text();
                let path = match t.find("://") {
                    Some(p) if t[..p].bytes().all(|c| c.is_ascii_alphanumeric()) => {
                        let rest = &t[p + 3..];
                        rest.find('/').map_or("", |q| &rest[q..]).to_string()
                    }
                    _ => t,
                };
                out.extend_from_slice(if path.is_empty() { "/" } else { &path }.as_bytes());
            }
            Builtin::GetEnv => {
                if let Some(v) = std::env::var_os(text()) {
                    out.extend_from_slice(v.as_encoded_bytes());
                }
            }
            Builtin::GetConfDir => out.extend_from_slice(b"/usr/lib/rpm"),
            Builtin::Setup => crate::spec::prep::setup(self, &argv),
            Builtin::PatchCmd => crate::spec::prep::patch(self, &argv),
            // Its text is its entry's body (`do_macro`).
            Builtin::Value => {}
            Builtin::Lineno => out.extend_from_slice(self.lineno.to_string().as_bytes()),
            Builtin::Span => out.extend_from_slice(arg),
            Builtin::Xdg => {
                let which = text();
                let (var, under_home) = match which.as_str() {
                    "cache" => ("XDG_CACHE_HOME", ".cache"),
                    "config" => ("XDG_CONFIG_HOME", ".config"),
                    "data" => ("XDG_DATA_HOME", ".local/share"),
                    "state" => ("XDG_STATE_HOME", ".local/state"),
                    _ => return self.fail(format!("xdg: invalid argument: {which}")),
                };
                match std::env::var_os(var).filter(|v| !v.is_empty()) {
                    Some(v) => out.extend_from_slice(v.as_encoded_bytes()),
                    None => {
                        let home = std::env::var_os("HOME").unwrap_or_default();
                        out.extend_from_slice(home.as_encoded_bytes());
                        out.push(b'/');
                        out.extend_from_slice(under_home.as_bytes());
                    }
                }
            }
            Builtin::GetNCpus => {
                // rpm 4.20: `total` (or no argument) is the CPU count; `proc` and
                // `thread` cap it at the machine's memory in MiB over the task size
                // (`%_smp_tasksize_proc` / `_thread`, 512 when unset or 0).
                let mut n = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
                // `%{getncpus:}` is an empty argument, which rpm rejects.
                let which = if argv.len() > 1 {
                    text()
                } else {
                    "total".into()
                };
                let size = match which.as_str() {
                    "total" => None,
                    "proc" => Some("%{?_smp_tasksize_proc}"),
                    "thread" => Some("%{?_smp_tasksize_thread}"),
                    other => {
                        self.fail(format!("%{name}: invalid argument: {other}"));
                        return;
                    }
                };
                if let Some(size) = size {
                    let (v, _) = self.expand_this(size.as_bytes());
                    // rpm's rpmExpandNumeric (an int, taken as unsigned).
                    let task = match expand_numeric(&v) {
                        0 => 512,
                        t => t as u64,
                    };
                    n = n.min(memory_mib() / task).max(1);
                }
                out.extend_from_slice(n.to_string().as_bytes());
            }
            Builtin::Exists => {
                let yes = self.host.file_exists(&text());
                out.push(if yes { b'1' } else { b'0' });
            }
            Builtin::Uncompress => {
                if !arg.is_empty() {
                    self.expand_into(b"%__rpmuncompress ", out);
                    out.extend_from_slice(arg);
                }
            }
            Builtin::MacroBody => {
                if !arg.is_empty() {
                    match self.table.get(&text()) {
                        // A built-in's body is "<builtin>", the value ones' too.
                        Some(e) if e.builtin.is_some() => out.extend_from_slice(b"<builtin>"),
                        Some(e) => out.extend_from_slice(e.body.as_bytes()),
                        None => self.fail(format!("no such macro: '{}'", text())),
                    }
                }
            }
            Builtin::Load => {
                let path = text();
                match self.host.read_file(&path) {
                    Some(data) => {
                        if !self.load_macro_text(&data) {
                            self.fail(format!("failed to load macro file {path}"));
                        }
                    }
                    // rpm opens a directory and reads no line of it.
                    None if super::Host::is_builder_dir(&path) => {}
                    None => self.fail(format!("failed to load macro file {path}")),
                }
            }
            Builtin::Lua => {
                let frame = self.frame.clone();
                self.run_lua(arg.to_vec(), frame, out);
            }
            Builtin::Str => {
                // rpm 4.19's `doString`: Lua's string function of that name
                // on the arguments, its first result.
                let script = format!("return (string.{name}(table.unpack(arg)))");
                let frame = Frame {
                    name: name.into(),
                    opts: None,
                    args: argv[1..].to_vec(),
                };
                self.run_lua(script.into_bytes(), Some(std::rc::Rc::new(frame)), out);
            }
        }
    }
}

/// POSIX basename(3): the last component, trailing slashes ignored; `.`
/// for an empty path, `/` for slashes only.
fn posix_basename(p: &[u8]) -> &[u8] {
    if p.is_empty() {
        return b".";
    }
    let end = p.len() - p.iter().rev().take_while(|&&c| c == b'/').count();
    if end == 0 {
        return b"/";
    }
    let start = p[..end]
        .iter()
        .rposition(|&c| c == b'/')
        .map_or(0, |i| i + 1);
    &p[start..end]
}

/// POSIX dirname(3) as glibc has it: the path up to its last component,
/// `.` when there is no slash, `/` at the root, but `//` for a path that
/// starts with exactly two slashes and has nothing above them.
fn posix_dirname(p: &[u8]) -> &[u8] {
    let Some(mut last) = p.iter().rposition(|&c| c == b'/') else {
        return b".";
    };
    if last > 0 && last + 1 == p.len() {
        // Trailing slashes: the slash before them counts.
        let run = p[..last].iter().rev().take_while(|&&c| c == b'/').count();
        let before = last - run;
        if before > 0 {
            match p[..before].iter().rposition(|&c| c == b'/') {
                Some(q) => last = q,
                None => return b".",
            }
        }
    }
    let end = last - p[..last].iter().rev().take_while(|&&c| c == b'/').count();
    if end > 0 {
        &p[..end]
    } else if last == 1 {
        &p[..2]
    } else {
        &p[..1]
    }
}

/// rpm's `rpmExpandNumeric` on an expanded value: empty or `%...` is 0, `Y`/`y`
/// 1, `N`/`n` 0, else the whole text as a C integer (`strtol` base 0: decimal,
/// `0x` hex, `0` octal, leading blanks and a sign), 0 when anything is left.
fn expand_numeric(v: &[u8]) -> i32 {
    let t = String::from_utf8_lossy(v);
    match t.bytes().next() {
        None | Some(b'%') | Some(b'N') | Some(b'n') => return 0,
        Some(b'Y') | Some(b'y') => return 1,
        _ => {}
    }
    let s = t.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, h)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    match i64::from_str_radix(digits, radix) {
        Ok(n) if !digits.starts_with(['+', '-']) => (if neg { -n } else { n }) as i32,
        _ => 0,
    }
}

/// The machine's memory in MiB as rpm 4.20's `%getncpus` counts it (physical
/// pages times page size, rounded down, plus one; so never 0).
fn memory_mib() -> u64 {
    // SAFETY: sysconf only reads system configuration.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let size = if size <= 0 { 4096 } else { size as u64 };
    pages.max(0) as u64 * size / (1024 * 1024) + 1
}
