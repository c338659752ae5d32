//! The spec-macro options identify-archful-srpms and create-srpm-repos
//! share (one clap struct, flattened into both; its [`SpecMacroArgs`] part
//! is buildroot-generator's too, for its `--spec` files), and what they
//! give: per target arch, the evaluator's context and the macro files rpm
//! gets (rpm's `rpmReadConfigFiles` order, then `--define` as rpmbuild's).
//!
//! The macros of an arch, later ones winning as in rpm: the distribution's
//! macro packages from the binary repos ([`crate::distmacros`]; or, with
//! `--no-repo-macros` or when there are none, the built-in ELN defaults),
//! then `--macros` files, then `--define`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::cache_uses::{Retention, DEFAULT_KEEP_UNLISTED};
use crate::buildroot::DEFAULT_CORE;
use crate::cli::RepoFileArgs;
use crate::distmacros::{self, dir_macro_files, platform_file, Found, RepoMacros};
use crate::error::Result;
use crate::pool::Pool;
use crate::rpmmd::RepoSpec;
use crate::spec::SpecContext;

/// Where the spec macros come from (shared by the archful tools).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct MacroArgs {
    // Not `cli::RepoArgs`' --repo: the same ID=URL values, but here the
    // repos only give the macro packages (the help says so), and callers
    // set `repos` in struct literals.
    /// Binary repository: ID=URL (a directory, file:// or http(s)://; $basearch is replaced by
    /// the --arch, each one's when several are given; ID is the text before the first '=' when it
    /// holds no '/', else the whole is a bare URL). Its macro packages define the spec macros (see --no-repo-macros);
    /// so do the enabled sections of --repofile.
    #[arg(long = "repo", value_name = "ID=URL")]
    pub repos: Vec<String>,
    /// The buildroot whose macro packages are used: core names, comma-separated (default:
    /// mock's build group, as buildroot-generator's --core).
    #[arg(long, value_delimiter = ',')]
    pub core: Option<Vec<String>>,
    /// Release package added to that buildroot ("" for none).
    #[arg(long, default_value = "fedora-release-eln")]
    pub release_package: String,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// --macro-package, --no-repo-macros, --macros and --define.
    #[command(flatten)]
    pub spec: SpecMacroArgs,
}

/// The options that add to the spec macros of the binary repos' buildroot,
/// one definition for the three tools that evaluate specs:
/// identify-archful-srpms and create-srpm-repos (through [`MacroArgs`])
/// and buildroot-generator (for its `--spec` files, which refuses them
/// without one: that tool's help says so). The texts speak of "the specs"
/// so that they read right in all three; rpm's own `--define` and dnf
/// builddep's `-D` are what `--define` mirrors.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SpecMacroArgs {
    /// Also install NAME into the buildroot whose macro packages define the spec macros
    /// (repeatable), e.g. python3-rpm-macros.
    #[arg(long = "macro-package", value_name = "NAME")]
    pub macro_packages: Vec<String>,
    /// Read the specs without the binary repos' macro packages: only the built-in ELN macros,
    /// --macros and --define (repos without package files, say).
    #[arg(long)]
    pub no_repo_macros: bool,
    /// An rpm macro file, or a directory whose files 'macros' and 'macros.*' are loaded
    /// (repeatable; loaded after the macro packages, so they win, and before --define).
    #[arg(long, value_name = "FILE|DIR")]
    pub macros: Vec<PathBuf>,
    /// Define a spec macro: 'NAME VALUE' (repeatable; wins over every macro file), as
    /// `rpmbuild --define` and `dnf builddep -D` take it.
    #[arg(long = "define", value_name = "'NAME VALUE'")]
    pub defines: Vec<String>,
}

impl SpecMacroArgs {
    /// The first of these options given, as it was given (`--define
    /// 'NAME VALUE'`, `--macro-package NAME`, `--macros FILE`,
    /// `--no-repo-macros`), for a tool that refuses them where no spec is
    /// read (buildroot-generator without `--spec`).
    pub fn first_given(&self) -> Option<String> {
        let first =
            |option: &str, values: &[String]| values.first().map(|v| format!("{option} {v}"));
        let define = self.defines.first().map(|d| format!("--define '{d}'"));
        define
            .or_else(|| first("--macro-package", &self.macro_packages))
            .or_else(|| {
                self.macros
                    .first()
                    .map(|m| format!("--macros {}", m.display()))
            })
            .or_else(|| self.no_repo_macros.then(|| "--no-repo-macros".to_string()))
    }
}

/// The SRPM cache the archful tools share: identify-archful-srpms fills it,
/// create-srpm-repos regenerates from it (one clap struct, flattened into
/// both, so the flag is spelled and documented once).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SrpmCacheArgs {
    /// The SRPM cache: identify-archful-srpms keeps one SRPM per listed name in it (others
    /// are removed once unused: identify-archful-srpms --keep-unlisted) and the extracted
    /// macro packages; create-srpm-repos regenerates the archful SRPMs from it. (The
    /// repositories' metadata goes to --cache-dir, the cache buildroot-generator uses.)
    #[arg(long = "cache", visible_alias = "srpm-cache", value_name = "DIR")]
    pub srpm_cache: PathBuf,
}

/// How long identify-archful-srpms keeps, in its SRPM cache, the SRPMs of
/// sources it does not list (create-srpm-repos deletes none: it has no
/// such option). See `cache_uses` for the record that judges it.
#[derive(clap::Args, Clone, Debug)]
pub struct KeepUnlistedArgs {
    /// Keep the SRPM of a source this run does not list until no run has listed or read it
    /// for HOURS (another run with a longer list, or its create-srpm-repos, may need it);
    /// 0 deletes such SRPMs at once. Other versions of a listed source go at once.
    #[arg(
        long = "keep-unlisted",
        value_name = "HOURS",
        default_value_t = DEFAULT_KEEP_UNLISTED.as_secs() / 3600
    )]
    pub keep_unlisted_hours: u64,
}

impl KeepUnlistedArgs {
    /// The retention these options give, judged by the system clock now.
    pub fn retention(&self) -> Retention {
        let secs = self.keep_unlisted_hours.saturating_mul(3600);
        Retention::from_now(std::time::Duration::from_secs(secs))
    }
}

/// The macros of one target arch, for the evaluator and for rpm.
#[derive(Clone, Debug)]
pub struct ArchTarget {
    /// The target arch (`x86_64`, ...).
    pub arch: String,
    /// The evaluator's context: every macro file and definition below.
    pub ctx: SpecContext,
    /// The distribution's macro files (None: built-in ELN defaults).
    pub repo: Option<RepoMacros>,
    /// `--macros` files, in order.
    pub user_files: Vec<PathBuf>,
    /// `--define`s, as given.
    pub defines: Vec<String>,
    /// The binary repos of this arch that `skip_if_unavailable=1` left out
    /// of the load of its macro packages (sorted; empty when none).
    pub skipped_repos: Vec<String>,
}

impl ArchTarget {
    /// `{"from": "repos"|"built-in", "packages": [NEVRA...], "rpmversion":
    /// what %{rpmversion} said (null: no such macro)}`.
    pub fn report(&self) -> serde_json::Value {
        let rpmversion = self.ctx.rpmversion();
        match &self.repo {
            Some(r) => {
                serde_json::json!({"from": "repos", "packages": r.packages, "rpmversion": rpmversion})
            }
            None => {
                serde_json::json!({"from": "built-in", "packages": [], "rpmversion": rpmversion})
            }
        }
    }
}

impl MacroArgs {
    /// The binary repos for `arch` (`$basearch` = `arch`): `--repo`, then
    /// the sections of `--dnf-conf` and every `--repofile`.
    pub fn binary_repos(&self, arch: &str, files: &RepoFileArgs) -> Result<Vec<RepoSpec>> {
        let vars = files.vars(arch)?;
        let mut given = crate::cli::given_cli_specs("--repo", &self.repos, &vars)?;
        given.extend(files.given_file_specs(&vars)?);
        Ok(crate::cli::first_of_each_id(given))
    }

    /// For each of `names` that is the name of a binary package of the
    /// binary repos (on the first of `arches` that has it), the name of its
    /// source: what a binary's name given as a source name is pointed at.
    /// Empty under `--no-repo-macros`, when there are no binary repos, or
    /// when they cannot be loaded: it is only a hint, from the pools the
    /// macro step loaded (and cached: these loads read them back).
    pub fn sources_of_binaries(
        &self,
        names: &[String],
        arches: &[String],
        files: &RepoFileArgs,
    ) -> BTreeMap<String, String> {
        let mut found = BTreeMap::new();
        let Ok(metadata) = files.metadata_dir() else {
            return found;
        };
        if self.spec.no_repo_macros {
            // Not the repos' macros, so not their pools either: no loads
            // (and downloads) for a hint.
            return found;
        }
        for arch in arches {
            if found.len() == names.len() {
                break;
            }
            let Ok(repos) = self.binary_repos(arch, files) else {
                break;
            };
            if repos.iter().all(|r| !r.enabled) {
                break;
            }
            let Ok(pool) = Pool::load(arch, &repos, &distmacros::load_options(&metadata)) else {
                break;
            };
            for n in names {
                if found.contains_key(n) {
                    continue;
                }
                if let Some(src) = pool.source_of_binary(n).filter(|s| s != n) {
                    found.insert(n.clone(), src.to_string());
                }
            }
        }
        found
    }

    /// The names installed into the buildroot whose macro packages count.
    pub fn install_names(&self) -> Vec<String> {
        let mut names: Vec<String> = match &self.core {
            Some(c) => c
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => DEFAULT_CORE.iter().map(|s| s.to_string()).collect(),
        };
        let release = self.release_package.trim();
        for n in std::iter::once(release).chain(self.spec.macro_packages.iter().map(|s| s.trim())) {
            if !n.is_empty() && !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        names
    }

    /// What may make the macro sets of `targets` wrong, a line each:
    /// - an installed name that matches no package on some arch, naming the
    ///   option that gave it and the arches: a misspelt `--macro-package`
    ///   would otherwise go unnoticed (dnf refuses such a name; the
    ///   buildroot is installed without it);
    /// - arches evaluated with the repos' macro packages beside arches with
    ///   the built-in macros (the binary repos hold nothing for them: a repo
    ///   URL without `$basearch`?): archful means "BuildRequires differ
    ///   between arches", and a difference may then be the macros' alone;
    /// - `--macro-package` given where no arch reads the repos' macro
    ///   packages (`--no-repo-macros`, or no binary repositories): the name
    ///   was asked for and nothing installs it, which a packager would
    ///   otherwise only learn from specs that lack its macros. (`--core`,
    ///   `--release-package` and `--repo` are left unsaid beside
    ///   `--no-repo-macros`: the workflow passes them whatever
    ///   `REPO_MACROS` says.)
    pub fn warnings(&self, targets: &[ArchTarget]) -> Vec<String> {
        let mut out = Vec::new();
        let asked: Vec<&str> = self
            .spec
            .macro_packages
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .collect();
        if !asked.is_empty() && targets.iter().all(|t| t.repo.is_none()) {
            let why = match self.spec.no_repo_macros {
                true => "--no-repo-macros reads no macro packages",
                false => "no arch's macros come from the binary repositories (see the notes)",
            };
            out.push(format!(
                "--macro-package {}: not used: {why}; the specs are read with the built-in ELN \
                 macros, --macros and --define",
                asked.join(", ")
            ));
        }
        let mut arches: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for t in targets {
            for n in t.repo.iter().flat_map(|r| &r.unmatched) {
                arches.entry(n).or_default().push(&t.arch);
            }
        }
        out.extend(arches.into_iter().map(|(name, arches)| {
            format!(
                "{} matches no package of the binary repositories ({})",
                self.origin(name),
                arches.join(", ")
            )
        }));
        let (with, without): (Vec<&ArchTarget>, Vec<&ArchTarget>) =
            targets.iter().partition(|t| t.repo.is_some());
        if !with.is_empty() && !without.is_empty() {
            let names = |ts: &[&ArchTarget]| {
                ts.iter()
                    .map(|t| t.arch.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push(format!(
                "{} evaluated with the built-in ELN macros, {} with the repos' macro packages: \
                 a spec whose BuildRequires use those macros may be called archful for that alone",
                names(&without),
                names(&with)
            ));
        }
        out
    }

    /// Which option gave an installed name, for messages.
    fn origin(&self, name: &str) -> String {
        if self.spec.macro_packages.iter().any(|m| m.trim() == name) {
            format!("--macro-package {name}")
        } else if self.release_package.trim() == name {
            format!("--release-package {name}")
        } else {
            format!("core name '{name}'")
        }
    }

    /// Checks that `--core` names something when it is given with commas
    /// ([`crate::cli::check_core_list`]), before any SRPM is read.
    pub fn check_core(&self) -> Result<()> {
        crate::cli::check_core_list(self.core.as_deref())
    }

    /// Checks, writing nothing, that every `--define` is `NAME VALUE`,
    /// which [`Self::targets`] finds only after the macro packages are
    /// extracted: a run refused before those (create-srpm-repos' cache
    /// without SRPMs) still names a bad definition first.
    pub fn check_defines(&self) -> Result<()> {
        let mut ctx = SpecContext::for_arch("noarch");
        self.spec.defines.iter().try_for_each(|d| ctx.define(d))
    }

    /// The macros of each of `arches`. Macro packages are extracted under
    /// `cache` (see [`distmacros::cache_root`]); repo metadata is cached in
    /// `--cache-dir`, else the user's cache (`RepoFileArgs::metadata_dir`).
    /// `note` receives one line per arch saying where its macros come from.
    pub fn targets(
        &self,
        arches: &[String],
        files: &RepoFileArgs,
        cache: &Path,
        note: &mut dyn FnMut(String),
    ) -> Result<Vec<ArchTarget>> {
        let metadata = files.metadata_dir()?;
        let mut user_files = Vec::new();
        for m in &self.spec.macros {
            user_files.extend(dir_macro_files(m)?);
        }
        let mut use_repos = !self.spec.no_repo_macros;
        let first = arches.first().map_or("x86_64", |a| a.as_str());
        if use_repos && self.binary_repos(first, files)?.is_empty() {
            note(
                "no binary repositories (--repo, --repofile, --dnf-conf): built-in ELN macros"
                    .into(),
            );
            use_repos = false;
        }
        let install = self.install_names();
        let mut out = Vec::new();
        // One context cloned per arch: the arches share the run's caches
        // (`%(...)` outputs, kept sandboxes, the tables of one evaluation
        // standing for all arches).
        let proto = SpecContext::for_arch("noarch");
        for arch in arches {
            let mut skipped_repos = Vec::new();
            let repo = if use_repos {
                let repos = self.binary_repos(arch, files)?;
                let (found, skipped) =
                    distmacros::repo_macros_skipping(arch, &repos, &install, &metadata, cache)?;
                skipped_repos = skipped;
                match found {
                    Found::Macros(r) => {
                        note(format!(
                            "{arch}: macros of {} package(s) from the binary repositories: {}",
                            r.packages.len(),
                            r.packages.join(" ")
                        ));
                        Some(r)
                    }
                    Found::Nothing(why) => {
                        note(format!("{arch}: {why}: built-in ELN macros"));
                        None
                    }
                }
            } else {
                None
            };
            let mut ctx = proto.clone();
            ctx.arch = arch.clone();
            if let Some(r) = &repo {
                // The evaluator applies the arch's platform file itself (in
                // place of its built-in arch facts).
                let platform = platform_file(&r.tree, arch);
                ctx.dist_defaults = false;
                for f in r.files.iter().filter(|f| **f != platform) {
                    ctx.load_macros_file(f)?;
                }
                if platform.is_file() {
                    ctx.platform_dir = Some(r.tree.join("platform"));
                }
                ctx.lua_dirs.extend(r.lua_dir.clone());
                ctx.rpm_version = r.rpm_version.clone();
            }
            for f in &user_files {
                ctx.load_macros_file(f)?;
            }
            for d in &self.spec.defines {
                ctx.define(d)?;
            }
            out.push(ArchTarget {
                arch: arch.clone(),
                ctx,
                repo,
                user_files: user_files.clone(),
                defines: self.spec.defines.clone(),
                skipped_repos,
            });
        }
        // Arches with other macros than the rest: one of [`Self::warnings`].
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Tool {
        #[command(flatten)]
        cache: SrpmCacheArgs,
        #[command(flatten)]
        keep: KeepUnlistedArgs,
    }

    /// The archful tools' group and buildroot-generator's (the spec macro
    /// options alone) take the same flags into the same fields; the first
    /// given is named for a refusal, --define first.
    #[test]
    fn spec_macro_options_are_one_group() {
        #[derive(Parser)]
        struct Archful {
            #[command(flatten)]
            macros: MacroArgs,
        }
        #[derive(Parser)]
        struct Generator {
            #[command(flatten)]
            spec: SpecMacroArgs,
        }
        let flags = [
            "t",
            "--macro-package",
            "python3-rpm-macros",
            "--macros",
            "/m",
            "--define",
            "dist .x",
            "--define",
            "rhel 9",
            "--no-repo-macros",
        ];
        let a = Archful::parse_from(flags).macros;
        let g = Generator::parse_from(flags).spec;
        for s in [&a.spec, &g] {
            assert_eq!(s.macro_packages, ["python3-rpm-macros"]);
            assert_eq!(s.macros, [PathBuf::from("/m")]);
            assert_eq!(s.defines, ["dist .x", "rhel 9"]);
            assert!(s.no_repo_macros);
        }
        assert_eq!(a.release_package, "fedora-release-eln");
        assert_eq!(g.first_given().as_deref(), Some("--define 'dist .x'"));
        let g = Generator::parse_from(["t", "--macros", "/m", "--no-repo-macros"]).spec;
        assert_eq!(g.first_given().as_deref(), Some("--macros /m"));
        assert_eq!(Generator::parse_from(["t"]).spec.first_given(), None);
        assert!(Generator::try_parse_from(["t", "--core", "x"]).is_err());
    }

    #[test]
    fn keep_unlisted_is_hours_and_three_days_unless_given() {
        let t = Tool::parse_from(["t", "--cache", "/c"]);
        assert_eq!(t.keep.retention().keep_unlisted, DEFAULT_KEEP_UNLISTED);
        assert_eq!(DEFAULT_KEEP_UNLISTED.as_secs(), 72 * 3600);
        let t = Tool::parse_from(["t", "--cache", "/c", "--keep-unlisted", "0"]);
        assert!(t.keep.retention().keep_unlisted.is_zero());
        let t = Tool::parse_from(["t", "--cache", "/c", "--keep-unlisted", "5"]);
        assert_eq!(t.keep.retention().keep_unlisted.as_secs(), 5 * 3600);
        assert!(Tool::try_parse_from(["t", "--cache", "/c", "--keep-unlisted", "1d"]).is_err());
    }

    #[test]
    fn the_srpm_cache_is_named_by_cache_or_srpm_cache() {
        for flag in ["--cache", "--srpm-cache"] {
            let t = Tool::parse_from(["t", flag, "/c"]);
            assert_eq!(t.cache.srpm_cache, PathBuf::from("/c"));
        }
        assert!(
            Tool::try_parse_from(["t"]).is_err(),
            "the cache is required"
        );
    }
}
