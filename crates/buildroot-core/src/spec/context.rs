//! The target of an evaluation ([`SpecContext`]: arch, OS, macro files,
//! `--define`/`--with`/`--without`) and the shared macro table built from
//! it once per target, in the order rpm builds its global macro context:
//! the macro files as `rpmLoadMacroFile` reads them (rpmio/macro.c), the
//! platform file of `rpmReadConfigFiles` (lib/rpmrc.c) for the target,
//! then the command line's definitions.
//!
//! Separate from the evaluation ([`super`]): this is what a run sets up
//! once and every spec's evaluation layers its own definitions over.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::table::{level, Base, Entry};
use super::{defaults, define, shell, ELN_MACROS, RPM_VERSION};
use crate::error::{Error, Result};

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
    /// [`archful_with`](super::archful_with) evaluates a spec once for all arches when the
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

    pub(super) fn shell(&self) -> &shell::Shell {
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
    pub(super) fn base(&self) -> Arc<Base> {
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
    pub(super) fn watched_bases(targets: &[&SpecContext]) -> Vec<Arc<Base>> {
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
