//! Where identify-archful-srpms' and create-srpm-repos' spec macros come
//! from ([`MacroArgs`]: the command line's groups `--repo`, `--core`/
//! `--release-package` and the spec-macro options, defined once in
//! [`crate::cli`] and flattened here; buildroot-generator takes the same
//! groups for its `--spec` files), and what they give: per target arch,
//! the evaluator's context and the macro files rpm gets (rpm's
//! `rpmReadConfigFiles` order, then `--define` as rpmbuild's).
//!
//! The macros of an arch, later ones winning as in rpm: the distribution's
//! macro packages from the binary repos ([`crate::distmacros`]; or, with
//! `--no-repo-macros` or when there are none, the built-in ELN defaults),
//! then `--macros` files, then `--define`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::cache_uses::{Retention, DEFAULT_KEEP_UNLISTED};
use crate::buildroot::DEFAULT_CORE;
use crate::cli::{BinaryRepoArgs, CoreArgs, RepoFileArgs, SpecMacroArgs};
use crate::distmacros::{self, dir_macro_files, platform_file, Found, RepoMacros};
use crate::error::Result;
use crate::pool::Pool;
use crate::rpmmd::RepoSpec;
use crate::spec::SpecContext;

/// Where the spec macros come from: the options of the archful tools that
/// make them, one struct (flattened into both) of the shared groups.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct MacroArgs {
    // clap's derive reads doc comments of `arg` fields only: these are no
    // help texts.
    /// `--repo`: the binary repos whose macro packages are read.
    #[command(flatten)]
    pub binary: BinaryRepoArgs,
    /// `--core` and `--release-package`: the buildroot whose macro
    /// packages count (None: mock's build group, fedora-release-eln).
    #[command(flatten)]
    pub core: CoreArgs,
    /// --macro-package, --no-repo-macros, --macros and --define.
    #[command(flatten)]
    pub spec: SpecMacroArgs,
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
        let mut given = crate::cli::given_cli_specs("--repo", &self.binary.repos, &vars)?;
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
        let mut names: Vec<String> = match &self.core.core {
            Some(c) => c
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            None => DEFAULT_CORE.iter().map(|s| s.to_string()).collect(),
        };
        let release = self.core.release_package().trim();
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
        } else if self.core.release_package().trim() == name {
            format!("--release-package {name}")
        } else {
            format!("core name '{name}'")
        }
    }

    /// Checks that `--core` names something when it is given with commas
    /// ([`crate::cli::check_core_list`]), before any SRPM is read.
    pub fn check_core(&self) -> Result<()> {
        self.core.check()
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
    use crate::cli::SrpmCacheArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Tool {
        #[command(flatten)]
        cache: SrpmCacheArgs,
        #[command(flatten)]
        keep: KeepUnlistedArgs,
    }

    /// The archful tools' macro options, as both tools flatten them in.
    #[derive(Parser)]
    struct Archful {
        #[command(flatten)]
        macros: MacroArgs,
    }

    /// The archful tools' group and buildroot-generator's (the spec macro
    /// options alone) take the same flags into the same fields; the first
    /// given is named for a refusal, --define first.
    #[test]
    fn spec_macro_options_are_one_group() {
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
        assert_eq!(a.core.release_package(), "fedora-release-eln");
        assert_eq!(a.core.release_package, None);
        assert_eq!(g.first_given().as_deref(), Some("--define 'dist .x'"));
        let g = Generator::parse_from(["t", "--macros", "/m", "--no-repo-macros"]).spec;
        assert_eq!(g.first_given().as_deref(), Some("--macros /m"));
        assert_eq!(Generator::parse_from(["t"]).spec.first_given(), None);
        assert!(Generator::try_parse_from(["t", "--core", "x"]).is_err());
    }

    /// `--repo`, `--core` and `--release-package` are one definition for
    /// the archful tools' macros and buildroot-generator's repos and core:
    /// the same flags fill the same groups in both.
    #[test]
    fn repo_and_core_flags_are_the_generators_groups() {
        #[derive(Parser)]
        struct Generator {
            #[command(flatten)]
            repos: crate::cli::RepoArgs,
            #[command(flatten)]
            core: CoreArgs,
        }
        let flags = [
            "t",
            "--repo",
            "bin=/r/$basearch",
            "--core",
            "bash,redhat-rpm-config",
            "--release-package",
            "",
        ];
        let a = Archful::parse_from(flags).macros;
        let g = Generator::parse_from(flags);
        assert_eq!(a.binary.repos, ["bin=/r/$basearch"]);
        assert_eq!(g.repos.binary.repos, a.binary.repos);
        assert_eq!(g.core.core, a.core.core);
        assert_eq!(a.core.release_package(), "");
        assert_eq!(a.install_names(), ["bash", "redhat-rpm-config"]);
        let repos = a.binary_repos("s390x", &RepoFileArgs::default()).unwrap();
        assert_eq!(repos[0].baseurl, "/r/s390x");
        assert_eq!(g.repos.specs("s390x").unwrap()[0].baseurl, "/r/s390x");
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
