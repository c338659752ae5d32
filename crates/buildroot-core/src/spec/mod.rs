//! Evaluating spec preambles per target arch: conditionals (`%if`,
//! `%ifarch`, ...), macro definitions and expansion, `%bcond`, and the
//! BuildRequires/ExclusiveArch tags they produce. An SRPM's header holds the
//! BuildRequires of the arch that built it; this recomputes them for any arch.
//!
//! What cannot be evaluated statically (`%{lua:...}`, `%(shell)`,
//! `%include`, `%generate_buildrequires`) is reported in
//! [`SpecEval::problems`], never silently guessed.

mod defaults;
mod expr;
mod macros;
mod params;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dep::Dep;
use crate::error::{Error, Result};

pub use defaults::ELN_MACROS;
pub use macros::Macros;

/// The target of an evaluation: arch, OS and extra macro definitions.
#[derive(Clone, Debug)]
pub struct SpecContext {
    pub arch: String,
    pub os: String,
    /// Extra `%define`s (name, value), applied after the defaults.
    pub macros: Vec<(String, String)>,
    /// `--with X` / `--without X`.
    pub with: Vec<String>,
    pub without: Vec<String>,
    /// Directories that play `/usr/lib/rpm/lua` for `require` in
    /// `%{lua:...}` (`require "fedora.common"` finds `DIR/fedora/common.lua`).
    pub lua_dirs: Vec<PathBuf>,
    /// A directory laid out as `/usr/lib/rpm/platform` (`ARCH-linux/macros`):
    /// the arch's platform macros, applied after the built-in arch facts;
    /// without one (or without the arch's file) the facts stand alone.
    pub platform_dir: Option<PathBuf>,
    /// Whether [`ELN_MACROS`] (`%rhel`, `%el11`, `%eln`, `%dist`) are
    /// defined before `macros`. Off when the distribution's own macro files
    /// are loaded: they alone say which of `%rhel`, `%fedora`, `%eln` and
    /// `%dist` exist, as in the distribution's buildroot.
    pub dist_defaults: bool,
}

impl SpecContext {
    /// ELN defaults for `arch`: [`ELN_MACROS`] (`%rhel 11`, `%el11 1`, `%eln 150`,
    /// `%dist .eln150`, no `%fedora`) and the arch macros of `arch`.
    pub fn for_arch(arch: &str) -> SpecContext {
        SpecContext {
            arch: arch.to_string(),
            os: "linux".into(),
            macros: Vec::new(),
            with: Vec::new(),
            without: Vec::new(),
            lua_dirs: Vec::new(),
            platform_dir: None,
            dist_defaults: true,
        }
    }

    /// Adds the definitions of an rpm macro file (`%name value` lines, `\`
    /// continuations, `#` comments).
    pub fn load_macros_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut pending = String::new();
        for (i, line) in text.lines().enumerate() {
            if let Some(cont) = line.strip_suffix('\\') {
                pending.push_str(cont);
                pending.push('\n');
                continue;
            }
            pending.push_str(line);
            let full = std::mem::take(&mut pending);
            let t = full.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let Some(rest) = t.strip_prefix('%') else {
                return Err(Error::format(
                    format!("{}:{}", path.display(), i + 1),
                    "expected '%name value'",
                ));
            };
            let (name, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            self.macros
                .push((name.to_string(), value.trim().to_string()));
        }
        Ok(())
    }

    /// A `NAME VALUE` definition as given to `--define`.
    pub fn define(&mut self, def: &str) -> Result<()> {
        let def = def.trim().trim_start_matches('%');
        let (name, value) = def
            .split_once(char::is_whitespace)
            .ok_or_else(|| Error::Usage(format!("--define '{def}': expected 'NAME VALUE'")))?;
        self.macros
            .push((name.to_string(), value.trim().to_string()));
        Ok(())
    }
}

/// What a spec says for one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecEval {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub build_requires: Vec<Dep>,
    pub build_conflicts: Vec<Dep>,
    pub exclusive_arch: Vec<String>,
    pub exclude_arch: Vec<String>,
    pub build_arch: Vec<String>,
    /// `%generate_buildrequires`: more BuildRequires appear only at build time.
    pub dynamic_build_requires: bool,
    /// What could not be evaluated, with line numbers.
    pub problems: Vec<String>,
}

/// Sections whose body is not preamble (tags there are not read).
const BODY_SECTIONS: &[&str] = &[
    "%description",
    "%prep",
    "%build",
    "%install",
    "%check",
    "%clean",
    "%files",
    "%changelog",
    "%pre",
    "%post",
    "%preun",
    "%postun",
    "%pretrans",
    "%posttrans",
    "%triggerin",
    "%triggerun",
    "%triggerpostun",
    "%verifyscript",
    "%filetriggerin",
    "%filetriggerun",
    "%transfiletriggerin",
    "%transfiletriggerun",
    "%conf",
    "%generate_buildrequires",
];

/// Evaluates `spec_text` for `ctx`.
pub fn evaluate(spec_text: &str, ctx: &SpecContext) -> Result<SpecEval> {
    let mut m = Macros::for_context(ctx);
    let mut out = SpecEval::default();
    // Conditional stack: (this branch is active, some branch was taken, parent active).
    let mut stack: Vec<(bool, bool, bool)> = Vec::new();
    let active = |stack: &[(bool, bool, bool)]| stack.last().is_none_or(|f| f.0);
    let mut in_preamble = true;
    let mut lines = spec_text.lines().enumerate().peekable();
    while let Some((i, raw)) = lines.next() {
        let lineno = i + 1;
        // Join continuation lines (used in %global and long BuildRequires).
        let mut line = raw.to_string();
        while line.ends_with('\\') {
            line.pop();
            match lines.next() {
                Some((_, next)) => {
                    line.push('\n');
                    line.push_str(next);
                }
                None => break,
            }
        }
        let t = line.trim_start();
        let word = t.split_whitespace().next().unwrap_or("");
        let rest = t[word.len()..].trim();
        match word {
            "%if" | "%ifarch" | "%ifnarch" | "%ifos" | "%ifnos" => {
                let parent = active(&stack);
                let cond = parent && cond_true(&mut m, word, rest, ctx, lineno, &mut out.problems);
                stack.push((cond, cond, parent));
                continue;
            }
            "%elif" | "%elifarch" | "%elifnarch" | "%elifos" | "%elifnos" => {
                let Some(&(_, taken, parent)) = stack.last() else {
                    return Err(Error::format(
                        format!("line {lineno}"),
                        format!("{word} without %if"),
                    ));
                };
                let kind = word.replacen("%elif", "%if", 1);
                let cond = parent
                    && !taken
                    && cond_true(&mut m, &kind, rest, ctx, lineno, &mut out.problems);
                *stack.last_mut().expect("checked") = (cond, taken || cond, parent);
                continue;
            }
            "%else" => {
                let Some(&(_, taken, parent)) = stack.last() else {
                    return Err(Error::format(format!("line {lineno}"), "%else without %if"));
                };
                *stack.last_mut().expect("checked") = (parent && !taken, true, parent);
                continue;
            }
            "%endif" => {
                if stack.pop().is_none() {
                    return Err(Error::format(
                        format!("line {lineno}"),
                        "%endif without %if",
                    ));
                }
                continue;
            }
            _ => {}
        }
        if !active(&stack) {
            continue;
        }
        match word {
            "%define" | "%global" => {
                m.define_line(rest, word == "%global", lineno, &mut out.problems);
                continue;
            }
            "%undefine" => {
                m.undefine(rest);
                continue;
            }
            "%bcond_with" | "%bcond_without" | "%bcond" => {
                m.bcond(word, rest, lineno, &mut out.problems);
                continue;
            }
            "%include" => {
                out.problems
                    .push(format!("line {lineno}: %include is not followed"));
                continue;
            }
            "%generate_buildrequires" => {
                out.dynamic_build_requires = true;
                in_preamble = false;
                continue;
            }
            "%package" => {
                in_preamble = true;
                continue;
            }
            _ => {}
        }
        if BODY_SECTIONS.contains(&word) {
            in_preamble = false;
            continue;
        }
        if !in_preamble {
            continue;
        }
        if t.starts_with('%') {
            // Bare macro calls in the preamble (`%{!?x:%global x 1}`, `%{?python_enable_dependency_generator}`).
            m.expand(t, lineno, &mut out.problems);
            continue;
        }
        let Some((tag, value)) = t.split_once(':') else {
            continue;
        };
        let tag = tag.trim().to_ascii_lowercase();
        if tag.contains(char::is_whitespace) {
            continue;
        }
        let value = m.expand(value.trim(), lineno, &mut out.problems);
        match tag.as_str() {
            "name" if out.name.is_empty() => {
                out.name = value.clone();
                m.set("name", &value);
            }
            "version" if out.version.is_empty() => {
                out.version = value.clone();
                m.set("version", &value);
            }
            "release" if out.release.is_empty() => {
                out.release = value.clone();
                m.set("release", &value);
            }
            "epoch" => {
                out.epoch = value.parse().ok();
                m.set("epoch", &value);
            }
            "buildrequires" | "buildconflicts" => {
                for item in split_deps(&value) {
                    match Dep::parse(&item) {
                        Ok(d) => {
                            let list = if tag == "buildrequires" {
                                &mut out.build_requires
                            } else {
                                &mut out.build_conflicts
                            };
                            if !list.contains(&d) {
                                list.push(d);
                            }
                        }
                        Err(e) => out.problems.push(format!("line {lineno}: {e}")),
                    }
                }
            }
            "exclusivearch" => out
                .exclusive_arch
                .extend(value.split_whitespace().map(str::to_string)),
            "excludearch" => out
                .exclude_arch
                .extend(value.split_whitespace().map(str::to_string)),
            "buildarch" | "buildarchitectures" => out
                .build_arch
                .extend(value.split_whitespace().map(str::to_string)),
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(Error::format(
            "spec",
            format!("{} %if block(s) without %endif", stack.len()),
        ));
    }
    Ok(out)
}

fn cond_true(
    m: &mut Macros,
    kind: &str,
    rest: &str,
    ctx: &SpecContext,
    lineno: usize,
    problems: &mut Vec<String>,
) -> bool {
    let expanded = m.expand(rest, lineno, problems);
    match kind {
        "%ifarch" | "%ifnarch" => {
            let hit = expanded.split([' ', '\t', ',']).any(|a| a == ctx.arch);
            hit == (kind == "%ifarch")
        }
        "%ifos" | "%ifnos" => {
            let hit = expanded.split([' ', '\t', ',']).any(|a| a == ctx.os);
            hit == (kind == "%ifos")
        }
        _ => match expr::eval(&expanded) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("line {lineno}: cannot evaluate %if {rest}: {e}"));
                false
            }
        },
    }
}

/// Splits a BuildRequires value into dependencies as rpm does: commas and
/// whitespace separate, `name op version` stays together, `( ... )` is whole.
pub fn split_deps(value: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let chars: Vec<char> = value.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == ',' {
            i += 1;
            continue;
        }
        let start = i;
        if c == '(' {
            let mut depth = 0;
            while i < chars.len() {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        } else {
            let mut depth = 0;
            while i < chars.len() {
                let ch = chars[i];
                if depth == 0 && (ch.is_whitespace() || ch == ',') {
                    break;
                }
                if ch == '(' {
                    depth += 1;
                } else if ch == ')' {
                    depth -= 1;
                }
                i += 1;
            }
        }
        tokens.push(chars[start..i].iter().collect());
    }
    // Re-join `name OP version` triples.
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        let is_op = |t: &str| matches!(t, "<" | "<=" | "=" | "==" | ">=" | ">" | "=<" | "=>");
        if k + 2 < tokens.len() && is_op(&tokens[k + 1]) {
            out.push(format!("{} {} {}", tokens[k], tokens[k + 1], tokens[k + 2]));
            k += 3;
        } else {
            out.push(tokens[k].clone());
            k += 1;
        }
    }
    out
}

/// dep-tracker's test: `%ifarch`/`%ifnarch` followed by a blank anywhere.
pub fn grep_archful(spec_text: &str) -> bool {
    spec_text.lines().any(|l| {
        let t = l.trim_start_matches([' ', '\t']);
        ["%ifarch", "%ifnarch"].iter().any(|k| {
            t.strip_prefix(k)
                .is_some_and(|r| r.starts_with([' ', '\t']))
        })
    })
}

/// Per-arch BuildRequires of a spec and whether they differ.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchfulReport {
    /// arch -> BuildRequires as text (sorted).
    pub build_requires: BTreeMap<String, Vec<String>>,
    /// The BuildRequires differ between arches.
    pub archful: bool,
    /// Problems of any arch's evaluation.
    pub problems: Vec<String>,
    pub dynamic_build_requires: bool,
}

/// Evaluates `spec_text` for each arch of `arches` and compares the BuildRequires.
pub fn archful(spec_text: &str, arches: &[&str], base: &SpecContext) -> Result<ArchfulReport> {
    let mut rep = ArchfulReport::default();
    for arch in arches {
        let mut ctx = base.clone();
        ctx.arch = arch.to_string();
        let ev = evaluate(spec_text, &ctx)?;
        let mut brs: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
        brs.sort();
        brs.dedup();
        for p in ev.problems {
            if !rep.problems.contains(&p) {
                rep.problems.push(p);
            }
        }
        rep.dynamic_build_requires |= ev.dynamic_build_requires;
        rep.build_requires.insert(arch.to_string(), brs);
    }
    let mut it = rep.build_requires.values();
    if let Some(first) = it.next() {
        rep.archful = it.any(|v| v != first);
    }
    Ok(rep)
}
