//! Evaluating a spec per target arch as rpm 4.18 parses it (`rpmspec -q
//! --buildrequires --target ARCH`): rpm's line reader and conditionals
//! (`reader`), its macro engine (`expand`, `table`, `define`, `args`,
//! `expr`), embedded Lua (`lua`; its `rpm` module in `luarpm`, `io` and
//! `posix` in `luaio` and `luaposix`, `require` in `luamod`), sandboxed
//! `%(...)` (`shell`) and its preamble parser (`parse`). An SRPM's header
//! holds the BuildRequires of the arch that built it; this recomputes them
//! for any arch.
//!
//! Macro files are parsed once into a shared table per target (built-ins of
//! `defaults`, then the files in load order, then the arch's platform
//! macros, then `--with`/`--without`/`--define`, then `%_target_cpu`);
//! each evaluation layers its own definitions over it.
//!
//! What rpm would reject (an unknown tag, an unclosed macro, a failing
//! `%{lua:}`), what we refuse to do (`%(...)` without a sandbox) and what
//! exceeds our limits ends in [`SpecEval::problems`], never guessed.
//!
//! This file holds the evaluation and the per-arch comparison; the target
//! and its macro table are in `context`, where a spec's own files come
//! from in `sources`.

mod args;
mod base64;
mod builderdirs;
mod context;
mod defaults;
mod define;
mod depfield;
mod expand;
mod expr;
mod lua;
mod luaerror;
mod luaglob;
mod luaglue;
mod luaio;
mod luamacros;
mod luamod;
mod luaposix;
mod luarpm;
mod luatime;
mod nesting;
mod parse;
mod prep;
mod reader;
mod rich;
mod section;
mod shell;
mod shell_pool;
mod sources;
mod table;
mod tagcheck;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::dep::Dep;
use crate::error::{Error, Result};

pub use context::{MacroDefinition, SpecContext};
pub use defaults::{ELN_MACROS, RPM_VERSION};
pub use lua::EXCLUDED_LIMIT;
pub(crate) use parse::section_line_is_prep;
pub(crate) use reader::last_joined_line;
pub(crate) use section::generate_buildrequires_line;
pub use shell::sandbox_unavailable;
pub(crate) use sources::Host;
pub use sources::{DirSources, NamedSpec, NoSources, SourceFiles, SrpmSources};

use table::{level, Base, Entry, Table};

/// What a spec says for one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecEval {
    /// `Name:`.
    pub name: String,
    /// `Epoch:` (None: not given).
    pub epoch: Option<u32>,
    /// `Version:`.
    pub version: String,
    /// `Release:`, macros expanded (`1.eln150`).
    pub release: String,
    /// `BuildRequires:`, in spec order, each once.
    pub build_requires: Vec<Dep>,
    /// The same, as rpm prints them (`rpmspec -q --buildrequires`): `N OP
    /// EVR` with the EVR as written (`>= 0:5.010` keeps its `0:`), a rich
    /// dependency as written; each text once, so one entry of
    /// `build_requires` may have two (`x >= 1` and `x >= 0:1`, as rpm keeps
    /// both), and the rich ones rpm takes but libsolv cannot read (`(a or
    /// foo(bar)`): those are in the SRPM's header, and dnf drops them
    /// (`parse_deps`).
    pub build_requires_text: Vec<String>,
    /// `BuildConflicts:`, in spec order, each once.
    pub build_conflicts: Vec<Dep>,
    /// The same as rpm writes them into the SRPM, as `build_requires_text`
    /// holds the BuildRequires (rich ones libsolv cannot read included).
    pub build_conflicts_text: Vec<String>,
    /// `ExclusiveArch:` values.
    pub exclusive_arch: Vec<String>,
    /// `ExcludeArch:` values.
    pub exclude_arch: Vec<String>,
    /// `BuildArch:` values (`noarch`, ...).
    pub build_arch: Vec<String>,
    /// The main package is `noarch` (its `BuildArch:` gave that): rpmbuild
    /// records `noarch` as the SRPM's arch, whatever the target.
    pub noarch: bool,
    /// The packages rpmbuild would build (those with a `%files` section),
    /// in spec order, each with its `[E:]V-R`: what it lists as the SRPM's
    /// provides. `None` when the parse did not get that far.
    pub built_packages: Option<Vec<(String, String)>>,
    /// `%generate_buildrequires`: more BuildRequires appear only at build time.
    pub dynamic_build_requires: bool,
    /// Why the evaluation is not rpm's answer (rpm rejects the spec, or we
    /// refused or could not finish something), with line numbers.
    pub problems: Vec<String>,
}

/// Evaluates `spec_text` for `ctx` with no source files.
pub fn evaluate(spec_text: &str, ctx: &SpecContext) -> Result<SpecEval> {
    evaluate_with(spec_text, ctx, &NoSources)
}

/// Evaluates `spec_text` for `ctx`; `%include` and friends read `sources`.
/// `Err` for a spec whose conditionals do not nest (an `%if` without
/// `%endif`, an `%else` without `%if`): rpm rejects it whatever the macros.
pub fn evaluate_with(
    spec_text: &str,
    ctx: &SpecContext,
    sources: &dyn SourceFiles,
) -> Result<SpecEval> {
    evaluate_on(spec_text, ctx, &[ctx.base()], sources).0
}

/// Whether one evaluation stands for all the targets it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stands {
    /// For all of them.
    ForAll,
    /// For its own target only.
    ForOwn,
    /// Not even for its own target (a check on another target's macros
    /// changed the state): evaluate again.
    Spoilt,
}

/// [`evaluate_with`] for the target of `bases[0]` (`ctx`'s base, with the
/// names that differ between targets marked when there are more bases),
/// also saying whether the result stands for the targets of the other
/// bases too: the evaluation consulted nothing that differs between them
/// where the parser could tell (`reader`), and did not depend on the
/// target arch itself (a `BuildArch` list not starting with `noarch`).
fn evaluate_on(
    spec_text: &str,
    ctx: &SpecContext,
    bases: &[Arc<Base>],
    sources: &dyn SourceFiles,
) -> (Result<SpecEval>, Stands) {
    let host = Host {
        arch: &ctx.arch,
        lua_dirs: &ctx.lua_dirs,
        shell: ctx.shell(),
        sources,
    };
    let mut eng = expand::Engine::new(Table::new(bases[0].clone()), &host);
    if bases.len() > 1 && bases.len() <= 32 {
        eng.share = Some(expand::Sharing {
            alt: bases[1..].to_vec(),
            given_up: false,
            polluted: false,
            slack: 0,
        });
    }
    let mut arch_chosen = false;
    let mut noarch = false;
    for name in ["_docdir", "_licensedir"] {
        let body = if name == "_docdir" {
            "%{_defaultdocdir}"
        } else {
            "%{_defaultlicensedir}"
        };
        eng.table.push(name, Entry::new(body, None, level::SPEC));
    }
    // rpm 6's `pushOFI`: the file being read and its line number.
    let path = sources.spec_path().or_else(|| {
        let name = sources.spec_in_specdir()?;
        let dir = eng.expand(b"%{_specdir}").ok()?;
        Some(format!("{}/{name}", String::from_utf8_lossy(&dir)))
    });
    if let Some(path) = path {
        eng.table
            .push("__file_name", Entry::literal(&path, level::SPEC));
    }
    eng.table.push("__file_lineno", Entry::lineno());
    // rpm 4.20's parseSpec: the top build directory is read from %_builddir
    // once, and %_builddir stays undefined until the main package's preamble
    // has been read (`parse::preamble::build_dirs` defines it again then).
    if eng.table.get("_top_builddir").is_none() {
        let top = eng.expand(b"%{_builddir}").unwrap_or_default();
        let top = String::from_utf8_lossy(&top).into_owned();
        eng.table
            .push("_top_builddir", Entry::literal(&top, level::GLOBAL));
        while eng.table.get("_builddir").is_some() {
            eng.table.pop("_builddir");
        }
    }
    let mut spec = parse::Spec::new(false);
    let mut rd = reader::Reader::new("spec", spec_text.as_bytes().to_vec());
    let mut res = parse::parse(&mut spec, &mut rd, &mut eng);
    if res.is_ok() {
        if let Some(arches) = spec.restart_arch.take() {
            // rpm parses again for the first build arch the target can build:
            // the same on every target only when that is a leading noarch.
            arch_chosen = arches.first().is_none_or(|a| a != "noarch");
            match arches.iter().find(|a| *a == "noarch" || **a == ctx.arch) {
                None => res = Err("No compatible architectures found for build".to_string()),
                Some(a) => {
                    noarch = a == "noarch";
                    eng.table
                        .push("_target_cpu", Entry::new(a, None, level::RPMRC));
                    spec = parse::Spec::new(true);
                    rd = reader::Reader::new("spec", spec_text.as_bytes().to_vec());
                    res = parse::parse(&mut spec, &mut rd, &mut eng);
                }
            }
        }
    }
    let mut out = std::mem::take(&mut spec.out);
    out.noarch = noarch;
    let stands = match &eng.share {
        Some(s) if s.polluted => Stands::Spoilt,
        Some(s)
            if !s.given_up
                && !arch_chosen
                && !eng.table.touched()
                && eng.budget_used() + s.slack <= expand::EXPANSION_BUDGET =>
        {
            Stands::ForAll
        }
        _ => Stands::ForOwn,
    };
    if let Err(fatal) = res {
        if rd.structural {
            return (Err(Error::format("spec", fatal)), stands);
        }
        out.problems.push(fatal);
    }
    (Ok(out), stands)
}

/// Splits a BuildRequires value into dependencies as rpm does: commas and
/// whitespace separate, `name op version` stays together, `( ... )` is whole.
pub fn split_deps(value: &str) -> Vec<String> {
    depfield::split_deps_checked(value, Some(rich::Context::Requires)).unwrap_or_else(|_| {
        value
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
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
    /// Some arch's spec has `%generate_buildrequires`.
    pub dynamic_build_requires: bool,
    /// Arches that ExclusiveArch/ExcludeArch rule out.
    pub not_buildable_on: Vec<String>,
    /// How many evaluations it took (1 when one stood for every arch).
    pub evaluations: usize,
}

/// Evaluates `spec_text` for each arch of `arches` and compares the BuildRequires.
pub fn archful(spec_text: &str, arches: &[&str], base: &SpecContext) -> Result<ArchfulReport> {
    archful_with(spec_text, arches, base, &NoSources)
}

/// [`archful`] with the spec's source files.
pub fn archful_with(
    spec_text: &str,
    arches: &[&str],
    base: &SpecContext,
    sources: &dyn SourceFiles,
) -> Result<ArchfulReport> {
    let targets: Vec<SpecContext> = arches
        .iter()
        .map(|a| {
            let mut ctx = base.clone();
            ctx.arch = a.to_string();
            ctx
        })
        .collect();
    let refs: Vec<&SpecContext> = targets.iter().collect();
    archful_targets(spec_text, &refs, sources)
}

/// Whether one evaluation may be tried for all of `targets`: more than
/// one, sharing allowed, the same `%(...)` trust and the same Lua modules
/// (what differs in their macros is watched during the evaluation).
fn can_share(targets: &[&SpecContext]) -> bool {
    let first = targets[0];
    targets.len() > 1
        && targets.len() <= 32
        && targets.iter().all(|t| {
            t.share_evaluations
                && t.trust_specs == first.trust_specs
                && (t.lua_dirs == first.lua_dirs
                    || luamod::tree_key(&t.lua_dirs) == luamod::tree_key(&first.lua_dirs))
        })
}

/// Evaluates `spec_text` for each of `targets` (each with its own arch and
/// macros: an arch's platform file and macro packages are its own) and
/// compares the BuildRequires, keyed by the targets' arches.
pub fn archful_targets(
    spec_text: &str,
    targets: &[&SpecContext],
    sources: &dyn SourceFiles,
) -> Result<ArchfulReport> {
    let mut rep = ArchfulReport::default();
    if targets.is_empty() {
        return Ok(rep);
    }
    // One evaluation stands for every target when it consulted nothing
    // that differs between them (docs/archful.md, "One evaluation for all
    // arches"): the evaluation is a deterministic function of what it
    // consulted.
    let mut evals: Vec<SpecEval> = Vec::new();
    if can_share(targets) {
        let bases = SpecContext::watched_bases(targets);
        let (first, stands) = evaluate_on(spec_text, targets[0], &bases, sources);
        rep.evaluations = 1;
        if stands != Stands::Spoilt {
            // (An error ends the report at the first target either way.)
            evals.push(first?);
        }
        if stands == Stands::ForAll {
            let copy = evals[0].clone();
            evals.resize(targets.len(), copy);
        }
    }
    for ctx in &targets[evals.len()..] {
        evals.push(evaluate_with(spec_text, ctx, sources)?);
        rep.evaluations += 1;
    }
    for (ctx, ev) in targets.iter().zip(evals) {
        let arch = ctx.arch.as_str();
        // As rpm prints them, so that arches compare as dep-tracker's
        // rpmspec runs compared them, and a report reads as rpmspec's.
        let mut brs: Vec<String> = ev.build_requires_text.clone();
        brs.sort();
        brs.dedup();
        for p in ev.problems {
            if !rep.problems.contains(&p) {
                rep.problems.push(p);
            }
        }
        let excluded = (!ev.exclusive_arch.is_empty()
            && !ev.exclusive_arch.iter().any(|a| a == arch))
            || ev.exclude_arch.iter().any(|a| a == arch);
        if excluded {
            rep.not_buildable_on.push(arch.to_string());
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

/// The spec-evaluation options the tools share (`#[command(flatten)]`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SpecArgs {
    /// Run specs' `%(...)` shell code even where no sandbox (bubblewrap)
    /// can be made: DANGEROUS, the packagers' shell code then runs as you,
    /// with your files and network. Without it such specs are not evaluated
    /// (the archful tools fall back to the %ifarch grep with a warning;
    /// buildroot-generator --spec refuses them).
    #[arg(long)]
    pub trust_specs: bool,
}

impl SpecArgs {
    /// Applies the options to `ctx`.
    pub fn apply(&self, ctx: &mut SpecContext) {
        ctx.trust_specs = self.trust_specs;
    }
}
