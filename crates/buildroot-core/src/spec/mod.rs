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

mod args;
mod base64;
mod builderdirs;
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
mod table;
mod tagcheck;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::dep::Dep;
use crate::error::{Error, Result};

pub use defaults::{ELN_MACROS, RPM_VERSION};
pub use lua::EXCLUDED_LIMIT;
pub use shell::sandbox_unavailable;

use table::{level, Base, Entry, Table};

/// One loaded macro file: its definitions in order.
#[derive(Debug)]
struct MacroFile {
    path: PathBuf,
    defs: Vec<define::Def>,
    /// rpm's own base macro file (`/usr/lib/rpm/macros`): it defines
    /// `%_rpmconfigdir` and `%__spec_prep_template`, as no other file does.
    rpm_base: bool,
}

/// What evaluations of one run share: the base tables per target and the
/// `%(...)` runners with their caches.
#[derive(Debug, Default)]
struct Shared {
    bases: Mutex<HashMap<u64, Arc<Base>>>,
    /// The bases of a set of targets (by their fingerprints) with the names
    /// that differ between them marked varying.
    watched: Mutex<HashMap<Vec<u64>, Vec<Arc<Base>>>>,
    sandboxed: OnceLock<shell::Shell>,
    trusted: OnceLock<shell::Shell>,
}

/// One macro definition given on the command line ([`SpecContext::define`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MacroDefinition {
    /// The macro's name (no `%`; `name(opts)` for a parametric one).
    pub name: String,
    /// Its body.
    pub value: String,
}

/// The target of an evaluation: arch, OS, macro files and definitions.
#[derive(Clone, Debug)]
pub struct SpecContext {
    /// The target arch (`%_target_cpu`).
    pub arch: String,
    /// The target OS (`%_target_os`, `linux`).
    pub os: String,
    /// Extra `%define`s, applied after the macro files.
    pub macros: Vec<MacroDefinition>,
    /// Bconds switched on, as rpm's `--with X` (`%_with_X`).
    pub with: Vec<String>,
    /// Bconds switched off, as rpm's `--without X` (`%_without_X`).
    pub without: Vec<String>,
    /// Directories `require` searches for Lua modules (each plays
    /// `/usr/lib/rpm/lua`: `require "fedora.common"` reads
    /// `DIR/fedora/common.lua`).
    pub lua_dirs: Vec<PathBuf>,
    /// A directory laid out as `/usr/lib/rpm/platform` (`ARCH-linux/macros`);
    /// without one, the arch facts of `defaults` stand in for it.
    pub platform_dir: Option<PathBuf>,
    /// Whether [`ELN_MACROS`] (`%rhel`, `%el11`, `%eln`, `%dist`) are in
    /// the built-in layer. Off when the distribution's own macro files are
    /// loaded: they alone say which of `%rhel`, `%fedora`, `%eln` and
    /// `%dist` exist, as in the distribution's buildroot.
    pub dist_defaults: bool,
    /// Run `%(...)` without a sandbox when none can be made (dangerous:
    /// the spec's shell code runs as the user).
    pub trust_specs: bool,
    /// [`archful_with`] evaluates a spec once for all arches when the
    /// evaluation consulted nothing that differs between them (on by
    /// default; off evaluates every arch, for checking).
    pub share_evaluations: bool,
    /// `%{rpmversion}`: the version of the rpm that builds (the rpm
    /// package of the buildroot whose macros are loaded; before 4.19, rpm
    /// had no such macro); None: [`RPM_VERSION`], the rpm the evaluator is
    /// checked against.
    pub rpm_version: Option<String>,
    files: Vec<Arc<MacroFile>>,
    shared: Arc<Shared>,
}

impl SpecContext {
    /// Defaults for `arch`: the built-in layer (rpm basics, arch lists,
    /// ELN's [`ELN_MACROS`]: `%rhel 11`, `%el11 1`, `%eln 150`, `%dist
    /// .eln150`, no `%fedora`) and the arch macros of `arch`.
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
            trust_specs: false,
            share_evaluations: true,
            rpm_version: None,
            files: Vec::new(),
            shared: Arc::default(),
        }
    }

    /// Loads an rpm macro file as rpm's `rpmLoadMacroFile` reads it
    /// (definitions starting with `%`, bodies continued by `\` or while a
    /// `%{`/`%(`/`%[` is open, `{...}` bodies; other lines are ignored, as
    /// rpm ignores them). Files load in call order; later ones win. A
    /// definition rpm rejects is an error naming the file and line.
    pub fn load_macros_file(&mut self, path: &Path) -> Result<()> {
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        if data.contains(&0) {
            return Err(Error::format(
                path.display(),
                "not a macro file (binary data)",
            ));
        }
        let mut defs = Vec::new();
        for (line, chunk) in define::file_chunks(&data) {
            match define::parse(&chunk, false).def {
                Ok(d) => defs.push(d),
                Err(e) => {
                    return Err(Error::at_line(path.display(), line, e));
                }
            }
        }
        let defines = |n: &str| defs.iter().any(|d| d.name == n);
        let rpm_base = defines("_rpmconfigdir") && defines("__spec_prep_template");
        self.files.push(Arc::new(MacroFile {
            path: path.to_path_buf(),
            defs,
            rpm_base,
        }));
        Ok(())
    }

    /// The macro files loaded so far, in load order.
    pub fn macro_files(&self) -> Vec<&Path> {
        self.files.iter().map(|f| f.path.as_path()).collect()
    }

    /// A `NAME VALUE` definition, as rpm's `--define` takes it.
    pub fn define(&mut self, def: &str) -> Result<()> {
        let def = def.trim().trim_start_matches('%');
        let (name, value) =
            def.split_once(char::is_whitespace)
                .ok_or_else(|| Error::MacroDefinition {
                    text: def.to_string(),
                })?;
        self.macros.push(MacroDefinition {
            name: name.to_string(),
            value: value.trim().to_string(),
        });
        Ok(())
    }

    fn shell(&self) -> &shell::Shell {
        if self.trust_specs {
            self.shared.trusted.get_or_init(|| shell::Shell::new(true))
        } else {
            self.shared
                .sandboxed
                .get_or_init(|| shell::Shell::new(false))
        }
    }

    /// What the base table depends on besides the files.
    fn fingerprint(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &self.arch,
            &self.os,
            &self.macros,
            &self.with,
            &self.without,
        )
            .hash(&mut h);
        (&self.platform_dir, self.dist_defaults, &self.rpm_version).hash(&mut h);
        for f in &self.files {
            (Arc::as_ptr(f) as usize).hash(&mut h);
        }
        h.finish()
    }

    /// What `%{rpmversion}` says for this target: the buildroot rpm's
    /// version, else [`RPM_VERSION`]; None (no such macro) for an rpm older
    /// than 4.19, which had none.
    pub fn rpmversion(&self) -> Option<&str> {
        match self.rpm_version.as_deref() {
            None => Some(RPM_VERSION),
            Some(v) if crate::evr::rpmvercmp(v, "4.19") != std::cmp::Ordering::Less => Some(v),
            Some(_) => None,
        }
    }

    /// The shared macro table of this target, built on first use.
    fn base(&self) -> Arc<Base> {
        let key = self.fingerprint();
        if let Some(b) = self
            .shared
            .bases
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return b;
        }
        let b = Arc::new(self.build_base());
        if let Ok(mut m) = self.shared.bases.lock() {
            m.insert(key, b.clone());
        }
        b
    }

    /// The bases of `targets` (contexts sharing this one's run), each with
    /// the names whose definitions differ between them marked varying.
    fn watched_bases(targets: &[&SpecContext]) -> Vec<Arc<Base>> {
        let keys: Vec<u64> = targets.iter().map(|t| t.fingerprint()).collect();
        let shared = &targets[0].shared;
        if let Some(b) = shared
            .watched
            .lock()
            .ok()
            .and_then(|m| m.get(&keys).cloned())
        {
            return b;
        }
        let bases: Vec<Arc<Base>> = targets.iter().map(|t| t.base()).collect();
        let refs: Vec<&Base> = bases.iter().map(|b| &**b).collect();
        let varying = Base::varying(&refs);
        let watched: Vec<Arc<Base>> = bases
            .iter()
            .map(|b| {
                let mut w = (**b).clone();
                w.mark_varying(&varying);
                Arc::new(w)
            })
            .collect();
        if let Ok(mut m) = shared.watched.lock() {
            m.insert(keys, watched.clone());
        }
        watched
    }

    fn build_base(&self) -> Base {
        let mut b = Base::with_builtins();
        if let Some(v) = self.rpmversion() {
            b.push("rpmversion", Entry::value(v));
        }
        let push_def = |b: &mut Base, d: &define::Def, lvl: i32| {
            if b.get(&d.name).is_some_and(|e| e.builtin.is_some()) {
                return;
            }
            b.push(&d.name, d.entry(&d.body, lvl));
        };
        // The built-in layer stands in for rpm's own macro file and a few
        // packages' arch lists; with rpm's file loaded, the distribution's
        // files alone say what exists (a list of a package the buildroot
        // lacks stays undefined, as in rpm).
        if !self.files.iter().any(|f| f.rpm_base) {
            for (_, chunk) in define::file_chunks(defaults::RPM_BASICS.as_bytes()) {
                if let Ok(d) = define::parse(&chunk, false).def {
                    push_def(&mut b, &d, level::DEFAULT);
                }
            }
            for (k, v) in defaults::ARCH_LISTS.iter().chain(defaults::PATHS) {
                b.push(k, Entry::new(v, None, level::DEFAULT));
            }
        }
        if self.dist_defaults {
            for (k, v) in ELN_MACROS {
                b.push(k, Entry::new(v, None, level::DEFAULT));
            }
        }
        for f in &self.files {
            for d in &f.defs {
                push_def(&mut b, d, level::MACROFILES);
            }
        }
        let platform = self
            .platform_dir
            .as_ref()
            .map(|d| d.join(format!("{}-{}", self.arch, self.os)).join("macros"))
            .and_then(|p| std::fs::read(p).ok());
        match platform {
            Some(text) => {
                for (_, chunk) in define::file_chunks(&text) {
                    if let Ok(d) = define::parse(&chunk, false).def {
                        push_def(&mut b, &d, level::MACROFILES);
                    }
                }
            }
            None => {
                let facts = defaults::ArchFacts::of(&self.arch);
                for (k, v) in facts.macros(&self.arch) {
                    b.push(k, Entry::new(&v, None, level::RPMRC));
                }
            }
        }
        for w in &self.with {
            b.push(
                &format!("_with_{w}"),
                Entry::new(&format!("--with-{w}"), None, level::CMDLINE),
            );
        }
        for w in &self.without {
            b.push(
                &format!("_without_{w}"),
                Entry::new(&format!("--without-{w}"), None, level::CMDLINE),
            );
        }
        for MacroDefinition { name, value } in &self.macros {
            let mut text = name.as_bytes().to_vec();
            text.push(b' ');
            text.extend_from_slice(value.as_bytes());
            if let Ok(d) = define::parse(&text, false).def {
                push_def(&mut b, &d, level::CMDLINE);
            }
        }
        for (k, v) in [
            ("_target_cpu", self.arch.clone()),
            ("_target_os", self.os.clone()),
            ("_target", format!("{}-{}", self.arch, self.os)),
        ] {
            b.push(k, Entry::new(&v, None, level::RPMRC));
        }
        b
    }
}

/// Where `%include`, `%{load:}` and Lua's `io.open` find the spec's own
/// files: the sources next to the spec (a directory, or an SRPM's payload).
/// Files are looked up by base name, so nothing else of the machine is
/// readable to a spec.
pub trait SourceFiles: Send + Sync {
    /// The contents of the source file `name` (a base name), if there is one.
    fn read(&self, name: &str) -> Option<Vec<u8>>;

    /// The spec's own path, as rpm was given it: rpm 6's `%{__file_name}`
    /// while the spec is read (undefined when unknown).
    fn spec_path(&self) -> Option<String> {
        None
    }

    /// The spec's file name when it is read from `%{_specdir}`, as
    /// `rpmbuild --rebuild` reads an SRPM's spec (rpm's `rpmInstallSource`
    /// puts it there): `%{__file_name}` is then `%{_specdir}/NAME`. Asked
    /// only when [`Self::spec_path`] is `None`.
    fn spec_in_specdir(&self) -> Option<String> {
        None
    }
}

/// `sources`, for the spec at `path` (rpm 6's `%{__file_name}`).
pub struct NamedSpec<'a> {
    /// The spec's path.
    pub path: String,
    /// Its source files.
    pub sources: &'a dyn SourceFiles,
}

impl SourceFiles for NamedSpec<'_> {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        self.sources.read(name)
    }

    fn spec_path(&self) -> Option<String> {
        Some(self.path.clone())
    }
}

/// No source files.
pub struct NoSources;

impl SourceFiles for NoSources {
    fn read(&self, _: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The files of a directory (a spec's `SOURCES`, or the spec's own).
pub struct DirSources(pub PathBuf);

impl SourceFiles for DirSources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        if name.is_empty() || name.contains('/') || name == "." || name == ".." {
            return None;
        }
        std::fs::read(self.0.join(name)).ok()
    }
}

/// The payload files of an SRPM, read on first use.
pub struct SrpmSources {
    path: PathBuf,
    spec_name: String,
    files: OnceLock<HashMap<String, Vec<u8>>>,
}

impl SrpmSources {
    /// The payload of the SRPM at `path` (read when a file is first asked
    /// for), whose spec is the file `spec_name` (`srpm::SpecFile::name`).
    pub fn new(path: &Path, spec_name: &str) -> SrpmSources {
        SrpmSources {
            path: path.to_path_buf(),
            spec_name: spec_name.to_string(),
            files: OnceLock::new(),
        }
    }
}

impl SourceFiles for SrpmSources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        let files = self.files.get_or_init(|| {
            crate::srpm::read_payload_files(&self.path)
                .map(|v| {
                    // A source `NoSource:` leaves out is listed, not there:
                    // opening it fails, as it does for rpm.
                    v.into_iter()
                        .filter(|f| f.in_payload)
                        .map(|f| (f.base_name().to_string(), f.data))
                        .collect()
                })
                .unwrap_or_default()
        });
        files.get(name).cloned()
    }

    fn spec_in_specdir(&self) -> Option<String> {
        Some(self.spec_name.clone())
    }
}

/// What an evaluation reaches outside itself.
pub(crate) struct Host<'a> {
    /// The target arch (Lua's `posix.uname('%m')` is its builder's machine).
    pub arch: &'a str,
    pub lua_dirs: &'a [PathBuf],
    pub shell: &'a shell::Shell,
    pub sources: &'a dyn SourceFiles,
}

impl Host<'_> {
    fn base_name(path: &str) -> &str {
        path.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(path)
    }

    /// A spec's file by path: found among its sources by base name; of
    /// the machine, only what Fedora's build-constraint macros read (the
    /// memory and CPU counts).
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        if matches!(path, "/proc/meminfo" | "/proc/cpuinfo") {
            return std::fs::read(path).ok();
        }
        self.sources.read(Self::base_name(path))
    }

    /// Whether `path` is a directory on the builder, so that `%{load:}`
    /// and `rpm.load` open it and read no line (`spec::builderdirs`).
    pub fn is_builder_dir(path: &str) -> bool {
        builderdirs::is_builder_dir(path)
    }

    /// `%{exists:}`: a source file, or an absolute path that exists.
    pub fn file_exists(&self, path: &str) -> bool {
        self.read_file(path).is_some() || (path.starts_with('/') && Path::new(path).exists())
    }
}

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
