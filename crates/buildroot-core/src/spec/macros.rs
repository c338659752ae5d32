//! The macro table and expansion: `%name`, `%{name}`, `%{?name}`,
//! `%{!?name:...}`, `%{?name:...}`, `%%`, `%{expand:...}`, `%[expr]`,
//! `%{with X}`, common built-ins, and the arch and distribution macros of
//! an ELN build root. Undefined macros stay literal, as in rpm.

use std::collections::BTreeMap;

use super::{expr, SpecContext};

/// Macro definitions for one evaluation.
#[derive(Clone, Debug, Default)]
pub struct Macros {
    defs: BTreeMap<String, String>,
    /// Bytes expanded so far in this evaluation (see [`EXPANSION_BUDGET`]).
    expanded: usize,
}

const DEPTH_LIMIT: usize = 64;
/// Total expansion output allowed per spec: `%define a %b%b` chains double
/// at every level, so depth alone does not bound memory.
const EXPANSION_BUDGET: usize = 4 << 20;

/// Arch lists from rpm's and redhat-rpm-config's macro files.
const ARCH_LISTS: &[(&str, &str)] = &[
    ("ix86", "i386 i486 i586 i686 pentium3 pentium4 athlon geode"),
    ("x86_64", "x86_64 amd64 em64t"),
    ("arm", "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl armv8l armv8hl armv8hnl armv8hcnl"),
    ("arm32", "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl armv8l armv8hl armv8hnl armv8hcnl"),
    ("arm64", "aarch64"),
    ("aarch64", "aarch64"),
    ("power64", "ppc64 ppc64p7 ppc64le"),
    ("s390x", "s390x"),
    ("mips", "mips mipsel mipsr6 mipsr6el mips64 mips64el mips64r6 mips64r6el"),
    ("riscv", "riscv64"),
    ("riscv64", "riscv64"),
    ("valgrind_arches", "%{ix86} x86_64 ppc ppc64 ppc64le armv7l armv7hl armv7hnl aarch64 %{mips} s390x riscv64"),
    ("java_arches", "aarch64 ppc64le s390x x86_64"),
    ("golang_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le s390x riscv64"),
    ("golang_arches_future", "%{golang_arches}"),
    ("go_arches", "%{golang_arches}"),
    ("nodejs_arches", "%{ix86} x86_64 %{arm} aarch64 %{power64} s390x riscv64"),
    ("ldc_arches", "%{ix86} x86_64 %{arm} aarch64"),
    ("ghc_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le s390x riscv64"),
    ("ghc_arches_with_ghci", "%{ghc_arches}"),
    ("mono_arches", "%{ix86} x86_64 sparc sparcv9 ia64 %{arm} aarch64 alpha s390x ppc ppc64 ppc64le"),
    ("fpc_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le"),
    ("rust_arches", "x86_64 %{ix86} armv7hl aarch64 ppc64 ppc64le riscv64 s390x"),
    ("openblas_arches", "x86_64 %{ix86} armv7hl %{power64} aarch64 s390x riscv64"),
    ("qt5_qtwebengine_arches", "%{ix86} x86_64 %{arm} aarch64 mips mipsel mips64el"),
];

/// Well-known path and tool macros.
const PATHS: &[(&str, &str)] = &[
    ("_prefix", "/usr"),
    ("_exec_prefix", "/usr"),
    ("_bindir", "/usr/bin"),
    ("_sbindir", "/usr/sbin"),
    ("_libexecdir", "/usr/libexec"),
    ("_datadir", "/usr/share"),
    ("_sysconfdir", "/etc"),
    ("_includedir", "/usr/include"),
    ("_mandir", "/usr/share/man"),
    ("_docdir", "/usr/share/doc"),
    ("_infodir", "/usr/share/info"),
    ("_localstatedir", "/var"),
    ("_sharedstatedir", "/var/lib"),
    ("_unitdir", "/usr/lib/systemd/system"),
    ("_rpmconfigdir", "/usr/lib/rpm"),
    ("_rpmmacrodir", "/usr/lib/rpm/macros.d"),
    ("python3_pkgversion", "3"),
    ("python3_version", "3.13"),
    ("__python3", "/usr/bin/python3"),
    ("nil", ""),
];

fn arch_facts(arch: &str) -> (&'static str, &'static str, &'static str) {
    // (_lib, __isa_bits, _isa)
    match arch {
        "x86_64" | "amd64" => ("lib64", "64", "(x86-64)"),
        "aarch64" => ("lib64", "64", "(aarch-64)"),
        "ppc64le" | "ppc64" | "ppc64p7" => ("lib64", "64", "(ppc-64)"),
        "s390x" => ("lib64", "64", "(s390-64)"),
        "riscv64" => ("lib64", "64", "(riscv-64)"),
        a if a.starts_with('i') && a.ends_with("86") || a == "athlon" => ("lib", "32", "(x86-32)"),
        a if a.starts_with("arm") => ("lib", "32", "(arm-32)"),
        "s390" => ("lib", "32", "(s390-32)"),
        _ => ("lib64", "64", ""),
    }
}

impl Macros {
    /// The table of an ELN build root for `ctx` (defaults, then `ctx.macros`).
    pub fn for_context(ctx: &SpecContext) -> Macros {
        let mut m = Macros::default();
        for (k, v) in ARCH_LISTS.iter().chain(PATHS) {
            m.set(k, v);
        }
        let (lib, bits, isa) = arch_facts(&ctx.arch);
        for k in [
            "_arch",
            "_target_cpu",
            "_build_arch",
            "_host_cpu",
            "_build_cpu",
        ] {
            m.set(k, &ctx.arch);
        }
        m.set("_os", &ctx.os);
        m.set("_target_os", &ctx.os);
        m.set("_lib", lib);
        m.set("_libdir", &format!("/usr/{lib}"));
        m.set("__isa_bits", bits);
        m.set("__isa_name", ctx.arch.split('_').next().unwrap_or(""));
        m.set("_isa", isa);
        // Fedora ELN: RHEL-shaped, no %fedora.
        m.set("rhel", "11");
        m.set("el11", "1");
        m.set("eln", "150");
        m.set("dist", ".eln150");
        for (k, v) in &ctx.macros {
            m.set(k, v);
        }
        for w in &ctx.with {
            m.set(&format!("_with_{w}"), &format!("--with-{w}"));
        }
        for w in &ctx.without {
            m.set(&format!("_without_{w}"), &format!("--without-{w}"));
        }
        m
    }

    /// Defines `name` as `value` (verbatim).
    pub fn set(&mut self, name: &str, value: &str) {
        self.defs.insert(name.to_string(), value.to_string());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.defs.get(name).map(|s| s.as_str())
    }

    pub fn undefine(&mut self, name: &str) {
        self.defs.remove(name.trim());
    }

    /// `%define`/`%global` with the rest of the line: `name[(opts)] body`.
    /// `%global` expands the body now; `%define` when used.
    pub fn define_line(
        &mut self,
        rest: &str,
        global: bool,
        lineno: usize,
        problems: &mut Vec<String>,
    ) {
        let rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty() {
            problems.push(format!("line {lineno}: %define without a name"));
            return;
        }
        let mut body = &rest[name_end..];
        if body.starts_with('(') {
            // Parametric macro: options are accepted, arguments are not substituted.
            body = body.split_once(')').map(|x| x.1).unwrap_or("");
        }
        let body = body.trim();
        let value = if global {
            self.expand(body, lineno, problems)
        } else {
            body.to_string()
        };
        self.set(name, &value);
    }

    /// `%bcond_with X`, `%bcond_without X`, `%bcond X DEFAULT`.
    pub fn bcond(&mut self, kind: &str, rest: &str) {
        let mut parts = rest.split_whitespace();
        let Some(name) = parts.next() else { return };
        let default_on = match kind {
            "%bcond_with" => false,
            "%bcond_without" => true,
            _ => {
                let d = parts.next().unwrap_or("0");
                let d = self.expand(d, 0, &mut Vec::new());
                expr::eval(&d).unwrap_or(false)
            }
        };
        let on = if default_on {
            !self.defs.contains_key(&format!("_without_{name}"))
        } else {
            self.defs.contains_key(&format!("_with_{name}"))
        };
        if on {
            self.set(&format!("with_{name}"), "1");
        } else {
            self.defs.remove(&format!("with_{name}"));
        }
    }

    /// Expands every macro in `text`.
    pub fn expand(&mut self, text: &str, lineno: usize, problems: &mut Vec<String>) -> String {
        self.expand_depth(text, lineno, problems, 0)
    }

    fn expand_depth(
        &mut self,
        text: &str,
        lineno: usize,
        problems: &mut Vec<String>,
        depth: usize,
    ) -> String {
        if depth > DEPTH_LIMIT {
            problems.push(format!("line {lineno}: macro expansion too deep"));
            return String::new();
        }
        if self.expanded > EXPANSION_BUDGET {
            if !problems.iter().any(|p| p.contains("expansion too large")) {
                problems.push(format!("line {lineno}: macro expansion too large"));
            }
            return String::new();
        }
        self.expanded += text.len();
        let c: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < c.len() {
            if c[i] != '%' || i + 1 >= c.len() {
                out.push(c[i]);
                i += 1;
                continue;
            }
            match c[i + 1] {
                '%' => {
                    out.push('%');
                    i += 2;
                }
                '{' | '(' | '[' => {
                    let (open, close) = match c[i + 1] {
                        '{' => ('{', '}'),
                        '(' => ('(', ')'),
                        _ => ('[', ']'),
                    };
                    let Some(end) = matching(&c, i + 1, open, close) else {
                        problems.push(format!("line {lineno}: unterminated %{open}"));
                        out.extend(&c[i..]);
                        break;
                    };
                    let inner: String = c[i + 2..end].iter().collect();
                    match open {
                        '{' => {
                            let literal: String = c[i..=end].iter().collect();
                            out.push_str(&self.braced(&inner, &literal, lineno, problems, depth));
                        }
                        '(' => problems.push(format!(
                            "line {lineno}: shell expansion %({inner}) is not run"
                        )),
                        _ => {
                            let e = self.expand_depth(&inner, lineno, problems, depth + 1);
                            match expr::eval_value(&e) {
                                Ok(v) => out.push_str(&v),
                                Err(err) => {
                                    problems.push(format!("line {lineno}: %[{inner}]: {err}"))
                                }
                            }
                        }
                    }
                    i = end + 1;
                }
                _ => {
                    // %name, %?name, %!?name
                    let mut j = i + 1;
                    let mut neg = false;
                    let mut cond = false;
                    if j < c.len() && c[j] == '!' {
                        neg = true;
                        j += 1;
                    }
                    if j < c.len() && c[j] == '?' {
                        cond = true;
                        j += 1;
                    }
                    let start = j;
                    while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
                        j += 1;
                    }
                    let name: String = c[start..j].iter().collect();
                    if name.is_empty() {
                        out.push(c[i]);
                        i += 1;
                        continue;
                    }
                    if !cond && matches!(name.as_str(), "global" | "define" | "undefine") {
                        // A definition produced by an expansion (`%{!?x:%global x 1}`) runs now.
                        let rest: String = c[j..].iter().collect();
                        if name == "undefine" {
                            self.undefine(&rest);
                        } else {
                            self.define_line(&rest, name == "global", lineno, problems);
                        }
                        return out;
                    }
                    if cond {
                        let defined = self.defs.contains_key(&name);
                        if defined && !neg {
                            let v = self.defs[&name].clone();
                            out.push_str(&self.expand_depth(&v, lineno, problems, depth + 1));
                        }
                    } else if let Some(v) = self.defs.get(&name).cloned() {
                        out.push_str(&self.expand_depth(&v, lineno, problems, depth + 1));
                    } else {
                        out.extend(&c[i..j]);
                    }
                    i = j;
                }
            }
        }
        out
    }

    /// Expands the inside of `%{...}`.
    fn braced(
        &mut self,
        inner: &str,
        literal: &str,
        lineno: usize,
        problems: &mut Vec<String>,
        depth: usize,
    ) -> String {
        let mut s = inner;
        let mut neg = false;
        let mut cond = false;
        loop {
            if let Some(r) = s.strip_prefix('!') {
                neg = !neg;
                s = r;
            } else if let Some(r) = s.strip_prefix('?') {
                cond = true;
                s = r;
            } else {
                break;
            }
        }
        let (head, arg) = match s.find([':', ' ']) {
            Some(p) => (&s[..p], Some((s.as_bytes()[p] as char, &s[p + 1..]))),
            None => (s, None),
        };
        if cond {
            let defined = self.defs.contains_key(head);
            let take = defined != neg;
            return match (take, arg) {
                (false, _) => String::new(),
                (true, Some((':', alt))) => self.expand_depth(alt, lineno, problems, depth + 1),
                (true, _) if neg => String::new(),
                (true, _) => {
                    let v = self.defs[head].clone();
                    self.expand_depth(&v, lineno, problems, depth + 1)
                }
            };
        }
        if let Some((sep, a)) = arg {
            let a_exp = |m: &mut Self, problems: &mut Vec<String>| {
                m.expand_depth(a, lineno, problems, depth + 1)
            };
            match (head, sep) {
                ("with", ' ') => {
                    return (self.defs.contains_key(&format!("with_{}", a.trim())) as u8)
                        .to_string()
                }
                ("without", ' ') => {
                    return (!self.defs.contains_key(&format!("with_{}", a.trim())) as u8)
                        .to_string()
                }
                ("expand", ':') => {
                    let once = a_exp(self, problems);
                    return self.expand_depth(&once, lineno, problems, depth + 1);
                }
                ("quote", ':') => return a_exp(self, problems),
                ("lower", ':') => return a_exp(self, problems).to_lowercase(),
                ("upper", ':') => return a_exp(self, problems).to_uppercase(),
                ("len", ':') => return a_exp(self, problems).chars().count().to_string(),
                ("shrink", ':') => {
                    return a_exp(self, problems)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                }
                ("basename", ':') => {
                    return a_exp(self, problems)
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_string()
                }
                ("dirname", ':') => {
                    let v = a_exp(self, problems);
                    return v
                        .rsplit_once('/')
                        .map(|x| x.0.to_string())
                        .unwrap_or_else(|| ".".into());
                }
                ("suffix", ':') => {
                    let v = a_exp(self, problems);
                    return v
                        .rsplit_once('.')
                        .map(|x| x.1.to_string())
                        .unwrap_or_default();
                }
                ("expr", ':') => {
                    let v = a_exp(self, problems);
                    return match expr::eval_value(&v) {
                        Ok(r) => r,
                        Err(e) => {
                            problems.push(format!("line {lineno}: %{{expr:{a}}}: {e}"));
                            String::new()
                        }
                    };
                }
                ("lua", ':') => {
                    problems.push(format!("line {lineno}: %{{lua:...}} is not evaluated"));
                    return String::new();
                }
                ("load", ':') | ("include", ':') => {
                    problems.push(format!("line {lineno}: %{{{head}:...}} is not followed"));
                    return String::new();
                }
                _ => {}
            }
        }
        match self.defs.get(head).cloned() {
            Some(v) => self.expand_depth(&v, lineno, problems, depth + 1),
            None => {
                if ["py3_dist", "py_dist", "perl_requires"].contains(&head) {
                    problems.push(format!(
                        "line {lineno}: %{{{head}}} is a Lua macro and is not evaluated"
                    ));
                }
                literal.to_string()
            }
        }
    }
}

/// The index of the bracket closing the one at `open_at`.
fn matching(c: &[char], open_at: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (k, &ch) in c.iter().enumerate().skip(open_at) {
        if ch == open {
            depth += 1;
        } else if ch == close {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}
