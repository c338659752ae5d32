//! The macro table and expansion: `%name`, `%{name}`, `%{?name}`,
//! `%{!?name:...}`, `%{?name:...}`, `%%`, `%{expand:...}`, `%[expr]`,
//! `%{with X}`, common built-ins, parametric macros (`%name args`,
//! `%{name args}`; the bindings are in `params`), and the table of an ELN
//! build root (`defaults`). Undefined macros stay literal, as in rpm.

use std::collections::BTreeMap;

use super::defaults::{ArchFacts, ARCH_LISTS, ELN_MACROS, PATHS};
use super::{expr, params, SpecContext};

/// Macro definitions for one evaluation.
#[derive(Clone, Debug, Default)]
pub struct Macros {
    defs: BTreeMap<String, String>,
    /// Parametric macros: name -> getopt options (`name(ab:)` -> `ab:`).
    params: BTreeMap<String, String>,
    /// Bytes expanded so far in this evaluation (see [`EXPANSION_BUDGET`]).
    expanded: usize,
}

const DEPTH_LIMIT: usize = 64;
/// Total expansion output allowed per spec: `%define a %b%b` chains double
/// at every level, so depth alone does not bound memory.
const EXPANSION_BUDGET: usize = 4 << 20;

impl Macros {
    /// The table of an ELN build root for `ctx` (defaults, then `ctx.macros`).
    pub fn for_context(ctx: &SpecContext) -> Macros {
        let mut m = Macros::default();
        for (k, v) in ARCH_LISTS.iter().chain(PATHS) {
            m.set(k, v);
        }
        if ctx.dist_defaults {
            for (k, v) in ELN_MACROS {
                m.set(k, v);
            }
        }
        let facts = ArchFacts::of(&ctx.arch);
        let family = if facts.arch.is_empty() {
            ctx.arch.as_str()
        } else {
            facts.arch
        };
        for k in ["_arch", "_build_arch"] {
            m.set(k, family);
        }
        for k in ["_target_cpu", "_host_cpu", "_build_cpu"] {
            m.set(k, &ctx.arch);
        }
        m.set("_os", &ctx.os);
        m.set("_target_os", &ctx.os);
        m.set("_lib", facts.lib);
        m.set("_libdir", &format!("/usr/{}", facts.lib));
        m.set("__isa_bits", facts.isa_bits);
        m.set("__isa_name", &facts.isa_name);
        m.set("_isa", &facts.isa());
        let platform = ctx
            .platform_dir
            .as_ref()
            .map(|d| d.join(format!("{}-{}", ctx.arch, ctx.os)).join("macros"))
            .filter(|p| p.is_file());
        if let Some(p) = platform {
            let mut file = SpecContext::for_arch(&ctx.arch);
            if file.load_macros_file(&p).is_ok() {
                for (k, v) in &file.macros {
                    m.define_line(&format!("{k} {v}"), false, 0, &mut Vec::new());
                }
            }
        }
        for (k, v) in &ctx.macros {
            // A parametric definition from a macro file: `name(opts) body`.
            m.define_line(&format!("{k} {v}"), false, 0, &mut Vec::new());
        }
        for w in &ctx.with {
            m.set(&format!("_with_{w}"), &format!("--with-{w}"));
        }
        for w in &ctx.without {
            m.set(&format!("_without_{w}"), &format!("--without-{w}"));
        }
        m
    }

    /// Defines `name` as `value` (verbatim, not parametric).
    pub fn set(&mut self, name: &str, value: &str) {
        self.params.remove(name);
        self.defs.insert(name.to_string(), value.to_string());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.defs.get(name).map(|s| s.as_str())
    }

    pub fn undefine(&mut self, name: &str) {
        let name = name.trim();
        self.defs.remove(name);
        self.params.remove(name);
    }

    /// `%define`/`%global` with the rest of the line: `name[(opts)] body`.
    /// `%global` expands the body now (so `%{?1:..}` in a parametric
    /// `%global` is decided at definition, as in rpm); `%define` when used.
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
        let mut opts = None;
        if let Some(r) = body.strip_prefix('(') {
            let Some((o, b)) = r.split_once(')') else {
                problems.push(format!("line {lineno}: %define {name}(: no closing ')'"));
                return;
            };
            opts = Some(o.to_string());
            body = b;
        }
        let body = body.trim();
        let value = if global {
            self.expand(body, lineno, problems)
        } else {
            body.to_string()
        };
        self.set(name, &value);
        if let Some(o) = opts {
            self.params.insert(name.to_string(), o);
        }
    }

    /// Calls the parametric macro `name` with the (unexpanded) argument text,
    /// split into words; `%{name:arg}` (`whole`) passes the expanded text as
    /// one argument, spaces kept, as rpm does.
    fn call(
        &mut self,
        name: &str,
        args: &str,
        whole: bool,
        lineno: usize,
        problems: &mut Vec<String>,
        depth: usize,
    ) -> String {
        let opts = self.params.get(name).cloned().unwrap_or_default();
        let expanded = self.expand_depth(args, lineno, problems, depth + 1);
        let words: Vec<String> = if whole {
            vec![expanded]
        } else {
            expanded.split_whitespace().map(str::to_string).collect()
        };
        let bindings = match params::bind(name, &opts, &words) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("line {lineno}: {e}"));
                return String::new();
            }
        };
        // The caller's bindings are hidden during the call and back after it.
        let outer: Vec<(String, String)> = self
            .defs
            .iter()
            .filter(|(k, _)| params::is_binding(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        self.defs.retain(|k, _| !params::is_binding(k));
        for (k, v) in bindings {
            self.defs.insert(k, v);
        }
        let body = self.defs.get(name).cloned().unwrap_or_default();
        let out = self.expand_depth(&body, lineno, problems, depth + 1);
        self.defs.retain(|k, _| !params::is_binding(k));
        self.defs.extend(outer);
        out
    }

    /// `%bcond_with X`, `%bcond_without X`, `%bcond X DEFAULT`. As rpm's
    /// `%bcond(-)`, the line is expanded first and DEFAULT is its second
    /// word, an expression (`%bcond docs %[0%{?fedora} >= 40]`).
    pub fn bcond(&mut self, kind: &str, rest: &str, lineno: usize, problems: &mut Vec<String>) {
        let line = self.expand(rest, lineno, problems);
        let mut parts = line.split_whitespace();
        let Some(name) = parts.next() else {
            problems.push(format!("line {lineno}: {kind} without a name"));
            return;
        };
        let default_on = match kind {
            "%bcond_with" => false,
            "%bcond_without" => true,
            _ => {
                let d = parts.next().unwrap_or("0");
                match expr::eval(d) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(format!("line {lineno}: %bcond {name} {d}: {e}"));
                        false
                    }
                }
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
                    // %name, %?name, %!?name; in a parametric macro's body
                    // also %1, %*, %**, %#, %-f, %-f*.
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
                    j = name_end(&c, j);
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
                    // Options are conditional by nature: `%-f` is empty when -f was not given.
                    let cond = cond || name.starts_with('-');
                    let defined = self.defs.contains_key(&name);
                    if self.params.contains_key(&name) && !neg {
                        // `%name args`: the arguments are the rest of the line.
                        let eol = c[j..]
                            .iter()
                            .position(|&ch| ch == '\n')
                            .map_or(c.len(), |p| j + p);
                        let args: String = c[j..eol].iter().collect();
                        out.push_str(&self.call(&name, &args, false, lineno, problems, depth));
                        j = eol;
                    } else if defined && !neg {
                        let v = self.defs[&name].clone();
                        out.push_str(&self.expand_depth(&v, lineno, problems, depth + 1));
                    } else if !cond {
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
        // `%{-f}`, `%{-f*}`, `%{-f:X}`, `%{!-f:X}`: empty when -f was not given.
        let cond = cond || head.starts_with('-');
        let args = match arg {
            Some((' ', a)) => a,
            _ => "",
        };
        if cond {
            let defined = self.defs.contains_key(head);
            let take = defined != neg;
            return match (take, arg) {
                (false, _) => String::new(),
                (true, Some((':', alt))) => self.expand_depth(alt, lineno, problems, depth + 1),
                (true, _) if neg => String::new(),
                (true, _) if self.params.contains_key(head) => {
                    self.call(head, args, false, lineno, problems, depth)
                }
                (true, _) => {
                    let v = self.defs[head].clone();
                    self.expand_depth(&v, lineno, problems, depth + 1)
                }
            };
        }
        if self.params.contains_key(head) {
            // `%{name args}`: the braces' content, as words; `%{name:arg}`: one argument.
            let (whole, a) = arg.map_or((false, ""), |(sep, a)| (sep == ':', a));
            return self.call(head, a, whole, lineno, problems, depth);
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

/// The end of the macro name starting at `at`: letters, digits and `_`,
/// or one of the call bindings `*`, `**`, `#`, `-f`, `-f*`.
fn name_end(c: &[char], at: usize) -> usize {
    let word = |mut j: usize| {
        while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
            j += 1;
        }
        j
    };
    match c.get(at) {
        Some('*') if c.get(at + 1) == Some(&'*') => at + 2,
        Some('*') | Some('#') => at + 1,
        Some('-') if c.get(at + 1).is_some_and(|ch| ch.is_alphanumeric()) => {
            at + 2 + usize::from(c.get(at + 2) == Some(&'*'))
        }
        _ => word(at),
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
