//! The repository options every tool that reads repositories shares, one
//! clap `Args` struct each, nested so that each tool flattens what it
//! takes: [`RepoArgs`] (buildroot-generator: binary and source repos),
//! [`SourceRepoArgs`] (identify-archful-srpms), [`RepoFileArgs`] (`.repo`
//! files, dnf.conf, `$releasever`, `--cache-dir`: every such tool) and
//! [`BinaryRepoArgs`] (`--repo`). They become [`RepoSpec`]s as dnf's
//! `--repofrompath`, `--setopt=reposdir` and `--releasever` would give
//! repos: the first of each id wins, with a warning naming the others.

use std::path::{Path, PathBuf};

use super::CacheDirArgs;
use crate::error::{Error, Result};
use crate::rpmmd::{parse_repofile, read_varsdirs, MainDefaults, RepoSpec, Vars};

/// `--repo`, the binary repositories, one definition for the three tools
/// that read them: buildroot-generator installs their packages (in
/// [`RepoArgs`]), and every tool that evaluates specs reads the spec macros
/// from their macro packages (identify-archful-srpms and create-srpm-repos
/// through [`crate::archful::MacroArgs`], buildroot-generator for its
/// `--spec` files).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct BinaryRepoArgs {
    /// Binary repository: ID=URL (a directory, file:// or http(s)://; $basearch, each --arch's
    /// own, and $releasever are replaced). ID is the text before the first '=' when it holds no
    /// '/' (my:repo=URL), else the whole is a bare URL, its own id (https://h/r?a=b). Its macro
    /// packages, and those of --repofile's enabled sections, define the spec macros (see
    /// --no-repo-macros).
    #[arg(long = "repo", value_name = "ID=URL")]
    pub repos: Vec<String>,
}

/// Repositories of binary and source packages (buildroot-generator).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RepoArgs {
    // clap's derive reads doc comments of `arg` fields only: these are no
    // help texts.
    /// `--repo`.
    #[command(flatten)]
    pub binary: BinaryRepoArgs,
    /// The source repositories and the options every tool shares.
    #[command(flatten)]
    pub source: SourceRepoArgs,
}

/// Repositories searched for source packages (identify-archful-srpms), and
/// the options [`RepoArgs`] shares with it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SourceRepoArgs {
    /// Source repository: ID=URL (a directory, file:// or http(s)://), read as --repo's.
    #[arg(long = "source-repo", value_name = "ID=URL")]
    pub source_repos: Vec<String>,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// `.repo` files, `$releasever` and the metadata cache.
    #[command(flatten)]
    pub files: RepoFileArgs,
}

/// `$releasever` when `--releasever` is not given (nor a varsdir's file).
pub const DEFAULT_RELEASEVER: &str = "eln";

/// `.repo` files, `$releasever` and the metadata cache: what every tool
/// that reads repositories takes (create-srpm-repos takes only these, for
/// the binary repos of its macro packages).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RepoFileArgs {
    /// A dnf .repo file (repeatable); its enabled sections are loaded with their priority,
    /// cost, exclude and includepkgs; skip_if_unavailable=1 leaves a repo whose metadata cannot
    /// be had out of the run, with a warning; username/password, proxy (proxy_username,
    /// proxy_password), sslverify, sslcacert and sslclientcert/sslclientkey (the server's) and
    /// proxy_sslverify, proxy_sslcacert and proxy_sslclientcert/proxy_sslclientkey (an
    /// https:// proxy's) are used for that repo's downloads (docs/formats.md section 8).
    #[arg(long = "repofile", value_name = "FILE")]
    pub repofiles: Vec<PathBuf>,
    /// A dnf.conf (mock's, say): its sections are repos, as a .repo file's; its [main] applies
    /// to every repo of the run as dnf applies it: proxy, username/password, ssl*, proxy_ssl*,
    /// timeout, minrate, retries, skip_if_unavailable and enabled as defaults, excludepkgs and
    /// includepkgs added to each repo's own, disable_excludes; varsdir= names the directories
    /// of dnf's vars files ($stream, $contentdir, ...: each file's first line). Not read unless
    /// given (dnf reads /etc/dnf/dnf.conf and /etc/dnf/vars); dnf's own options
    /// (install_weak_deps, best, reposdir, ...) are ignored (docs/formats.md section 8).
    #[arg(long = "dnf-conf", value_name = "FILE")]
    pub dnf_conf: Option<PathBuf>,
    /// $releasever for .repo files and URLs [default: eln, or the releasever file of
    /// --dnf-conf's varsdir=, as dnf takes it when not given].
    #[arg(long)]
    pub releasever: Option<String>,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// `--cache-dir`, the same group as the tools without repo files take.
    #[command(flatten)]
    pub cache: CacheDirArgs,
}

impl RepoFileArgs {
    /// The sections of `--dnf-conf` and every `--repofile` (`$basearch` is
    /// `arch`), with `--dnf-conf`'s defaults.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        self.file_specs(&self.vars(arch)?)
    }

    /// `$basearch` (`arch`), `$releasever` and `--dnf-conf`'s `[main]`.
    /// Every reader of the files calls this first: `-` is refused here, in
    /// words (a file read once per arch, and stdin holds the list), not as
    /// "-: No such file or directory".
    pub fn vars(&self, arch: &str) -> Result<Vars> {
        let dashes = [("--dnf-conf", self.dnf_conf.as_ref())]
            .into_iter()
            .chain(self.repofiles.iter().map(|f| ("--repofile", Some(f))));
        for (option, f) in dashes {
            if f.is_some_and(|f| f.as_os_str() == "-") {
                return Err(Error::Usage(format!(
                    "{option} -: not read from stdin (stdin is the list; the file is read for \
                     each arch): give a file"
                )));
            }
        }
        let given = self.releasever.as_deref();
        let mut vars = Vars::new(arch, given.unwrap_or(DEFAULT_RELEASEVER));
        Ok(match &self.dnf_conf {
            Some(f) => {
                let main = MainDefaults::read(&file_for(f, &vars))?;
                // dnf reads its vars files right after its dnf.conf; a
                // `releasever` file stands in for a --releasever not given
                // (dnf's `_read_conf_file`; its arch files lose to --arch,
                // as dnf's to --forcearch).
                vars.files = read_varsdirs(main.varsdir())?;
                if let (None, Some(file)) = (given, vars.files.get("releasever")) {
                    vars.releasever = file.clone();
                }
                vars.with_main(main)
            }
            None => vars,
        })
    }

    /// The files given (`--dnf-conf`, then every `--repofile`), as read for
    /// `vars`' arch, for messages.
    fn paths(&self, vars: &Vars) -> Vec<String> {
        self.dnf_conf
            .iter()
            .chain(&self.repofiles)
            .map(|f| file_for(f, vars).display().to_string())
            .collect()
    }

    /// Where repository metadata (and the pools built from it) is cached for
    /// the archful tools: `--cache-dir` ([`super::given_cache_dir`]), else the
    /// user's cache ([`super::default_cache_dir`]), the generators' own default. One
    /// default for every tool, so that a workflow run, or a release engineer
    /// running the tools one after the other, downloads each repo file once,
    /// as every dnf command shares one cachedir. (Earlier versions kept it in
    /// the SRPM cache's `.metadata/`, which is no longer read.)
    pub fn metadata_dir(&self) -> crate::error::Result<PathBuf> {
        self.cache.dir()
    }

    /// The sections of `--dnf-conf`, then of every `--repofile` (dnf reads
    /// its main configuration's repos before those of its repo files), the
    /// first of each id.
    pub(crate) fn file_specs(&self, vars: &Vars) -> Result<Vec<RepoSpec>> {
        Ok(first_of_each_id(self.given_file_specs(vars)?))
    }

    /// [`Self::file_specs`] with every section, each with how it was given.
    pub(crate) fn given_file_specs(&self, vars: &Vars) -> Result<Vec<GivenRepo>> {
        let mut specs = Vec::new();
        for f in self.dnf_conf.iter().chain(&self.repofiles) {
            let f = &file_for(f, vars);
            for spec in parse_repofile(f, vars)? {
                let given = format!("[{}] of {}", spec.id, f.display());
                specs.push(GivenRepo { given, spec });
            }
        }
        Ok(specs)
    }
}

/// A `--repofile`/`--dnf-conf` path with its variables replaced (`$basearch`,
/// `$releasever`, ...): `configs/fedora-eln-$basearch.repo` is each arch's
/// own file, so a tool that reads several arches (identify-archful-srpms)
/// takes each arch's repos from that arch's file, as the per-arch runs do.
/// dnf has no such thing (its files are found by directory); a path holds
/// no `$` otherwise.
fn file_for(path: &Path, vars: &Vars) -> PathBuf {
    match path.to_str() {
        Some(p) if p.contains('$') => PathBuf::from(vars.substitute(p)),
        _ => path.to_path_buf(),
    }
}

/// A configured repository and how the user gave it (`--repo main=URL`,
/// `[bin] of FILE`), for the warning about a repeated id.
pub(crate) struct GivenRepo {
    given: String,
    spec: RepoSpec,
}

/// The repositories of a command-line option (`--repo`), as given.
pub(crate) fn given_cli_specs(
    option: &str,
    values: &[String],
    vars: &Vars,
) -> Result<Vec<GivenRepo>> {
    values
        .iter()
        .map(|v| {
            Ok(GivenRepo {
                given: format!("{option} {}", v.trim()),
                // The option named, as clap names it for its own refusals:
                // `--repo ''` and `--source-repo ''` read alike otherwise.
                spec: RepoSpec::parse_cli(v, vars)
                    .map_err(|e| crate::Error::Usage(format!("{option} {e}")))?,
            })
        })
        .collect()
}

/// The first repository of each id, in order, with a warning naming each
/// later one and the one kept: dnf keeps the first definition of an id
/// (enabled or not) and warns about the others. Later messages ("the
/// repositories (main, src)") then name only the repos that are used.
pub(crate) fn first_of_each_id(given: Vec<GivenRepo>) -> Vec<RepoSpec> {
    let mut kept: Vec<GivenRepo> = Vec::new();
    for g in given {
        match kept.iter().find(|k| k.spec.id == g.spec.id) {
            Some(first) if first.given == g.given => crate::rpmmd::warn_once(format!(
                "{} appears twice: only the first is used, as in dnf",
                g.given
            )),
            Some(first) => crate::rpmmd::warn_once(format!(
                "{} ignored: {} has that id (dnf uses the first)",
                g.given, first.given
            )),
            None => kept.push(g),
        }
    }
    kept.into_iter().map(|g| g.spec).collect()
}

impl RepoArgs {
    /// The configured repositories for `arch`: `--repo`, then `--source-repo`,
    /// then the sections of `--dnf-conf` and every `--repofile`. An error when
    /// none is enabled.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        let vars = self.source.files.vars(arch)?;
        let mut given = given_cli_specs("--repo", &self.binary.repos, &vars)?;
        given.extend(self.source.given(&vars)?);
        let specs = first_of_each_id(given);
        if specs.iter().all(|s| !s.enabled) {
            return Err(none_enabled(
                &specs,
                &self.source.files.paths(&vars),
                "repositories",
                "--repo/--source-repo ID=URL, --repofile FILE or --dnf-conf FILE",
            ));
        }
        Ok(specs)
    }

    /// `--cache-dir` ([`super::given_cache_dir`]), or the user's cache ([`super::default_cache_dir`]).
    pub fn cache_dir(&self) -> crate::error::Result<PathBuf> {
        self.source.files.cache.dir()
    }
}

impl SourceRepoArgs {
    /// `--source-repo`, then the sections of `--dnf-conf` and every `--repofile` (`$basearch`
    /// is `arch`). An error when none is enabled.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        let vars = self.files.vars(arch)?;
        let specs = first_of_each_id(self.given(&vars)?);
        if specs.iter().all(|s| !s.enabled) {
            return Err(none_enabled(
                &specs,
                &self.files.paths(&vars),
                "source repositories",
                "--source-repo ID=URL, --repofile FILE or --dnf-conf FILE",
            ));
        }
        Ok(specs)
    }

    /// `--source-repo`, then the sections of the files, as given.
    fn given(&self, vars: &Vars) -> Result<Vec<GivenRepo>> {
        let mut given = given_cli_specs("--source-repo", &self.source_repos, vars)?;
        given.extend(self.files.given_file_specs(vars)?);
        Ok(given)
    }
}

/// The error of a run without an enabled repository (`what`: "source
/// repositories"), `give` the options that give one. When repos were given
/// but none is enabled (`enabled=0`, or left out at reading: an enabled one
/// without a URL under `skip_if_unavailable=1`, as dnf ignores it), they
/// are named: "give --repofile FILE" would read as if none had been, and
/// under `--quiet` the warning of a repo left out is not shown. When
/// `files` (`--dnf-conf`, `--repofile`) were given and hold no section at
/// all (an empty file, a dnf.conf of `[main]` alone), they are named: "give
/// --repofile FILE" would read as if none had been.
fn none_enabled(specs: &[RepoSpec], files: &[String], what: &str, give: &str) -> Error {
    if specs.is_empty() && !files.is_empty() {
        let verb = if files.len() == 1 {
            "defines"
        } else {
            "define"
        };
        return Error::Usage(format!(
            "no {what}: {} {verb} no repository (no [section] but [main], which is dnf's own): \
             give {give}",
            files.join(", ")
        ));
    }
    if specs.is_empty() {
        return Error::Usage(format!("no {what}: give {give}"));
    }
    let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
    Error::Usage(format!(
        "no {what} enabled ({}: each has enabled=0, or no baseurl, metalink or mirrorlist \
         under skip_if_unavailable=1, which leaves it out): enable one, or give {give}",
        ids.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Tool {
        #[command(flatten)]
        repos: RepoArgs,
    }

    #[derive(Parser)]
    struct SourceTool {
        #[command(flatten)]
        repos: SourceRepoArgs,
    }

    #[test]
    fn flags_turn_into_specs_in_order() {
        let t = Tool::parse_from([
            "t",
            "--repo",
            "main=/r/$basearch/$releasever",
            "--source-repo",
            "src=/s",
            "--releasever",
            "43",
            "--cache-dir",
            "/c",
        ]);
        let specs = t.repos.specs("aarch64").unwrap();
        let ids: Vec<_> = specs
            .iter()
            .map(|s| (s.id.as_str(), s.baseurl.as_str()))
            .collect();
        assert_eq!(ids, [("main", "/r/aarch64/43"), ("src", "/s")]);
        assert_eq!(t.repos.cache_dir().unwrap(), PathBuf::from("/c"));
        let e = Tool::parse_from(["t"]).repos.specs("x86_64").unwrap_err();
        assert!(e.to_string().starts_with("no repositories"), "{e}");
    }

    /// A varsdir's `releasever` file stands in for a `--releasever` not
    /// given, as in dnf; its `basearch` file never wins over `--arch` (dnf's
    /// `--forcearch`).
    #[test]
    fn a_varsdir_releasever_counts_when_no_releasever_is_given() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("releasever"), "9.4\n").unwrap();
        std::fs::write(t.path().join("basearch"), "s390x\n").unwrap();
        let conf = t.path().join("dnf.conf");
        std::fs::write(&conf, format!("[main]\nvarsdir={}\n", t.path().display())).unwrap();
        let url = |extra: &[&str]| {
            let mut args = vec![
                "t",
                "--repo",
                "m=/r/$releasever/$basearch/$releasever_major",
            ];
            args.extend(extra);
            let specs = Tool::parse_from(args).repos.specs("aarch64").unwrap();
            specs[0].baseurl.clone()
        };
        let conf = conf.to_str().unwrap();
        assert_eq!(url(&["--dnf-conf", conf]), "/r/9.4/aarch64/9");
        assert_eq!(
            url(&["--dnf-conf", conf, "--releasever", "43"]),
            "/r/43/aarch64/43"
        );
        assert_eq!(url(&[]), "/r/eln/aarch64/eln");
    }

    #[test]
    fn source_only_tools_have_no_repo_flag() {
        assert!(SourceTool::try_parse_from(["t", "--repo", "a=/a"]).is_err());
        let t = SourceTool::parse_from(["t", "--source-repo", "s=/s"]);
        assert_eq!(t.repos.files.releasever, None);
        assert_eq!(t.repos.files.vars("x86_64").unwrap().releasever, "eln");
        assert_eq!(t.repos.specs("x86_64").unwrap()[0].baseurl, "/s");
        let e = SourceTool::parse_from(["t"])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert!(e.to_string().starts_with("no source repositories"), "{e}");
    }

    /// Files given that define no repository at all (an empty .repo file, a
    /// dnf.conf of `[main]` alone) are named, not asked for.
    #[test]
    fn files_without_a_repository_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.repo");
        std::fs::write(&empty, "# nothing yet\n").unwrap();
        let conf = dir.path().join("dnf.conf");
        std::fs::write(&conf, "[main]\ninstall_weak_deps=0\n").unwrap();
        let (empty, conf) = (empty.to_str().unwrap(), conf.to_str().unwrap());
        let e = Tool::parse_from(["t", "--repofile", empty])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no repositories: {empty} defines no repository (no [section] but [main], which \
                 is dnf's own): give --repo/--source-repo ID=URL, --repofile FILE or --dnf-conf \
                 FILE"
            )
        );
        let e = SourceTool::parse_from(["t", "--dnf-conf", conf, "--repofile", empty])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "no source repositories: {conf}, {empty} define no repository"
            )),
            "{e}"
        );
    }

    /// Repos given, none enabled (one `enabled=0`, one left out at reading:
    /// no URL under skip_if_unavailable=1): the error names them, rather
    /// than asking for a --repofile that was given.
    #[test]
    fn repos_given_but_none_enabled_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t.repo");
        std::fs::write(
            &f,
            "[off]\nbaseurl=/x\nenabled=0\n[nourl]\nskip_if_unavailable=1\n",
        )
        .unwrap();
        let f = f.to_str().unwrap();
        let why = "(off, nourl: each has enabled=0, or no baseurl, metalink or mirrorlist under \
                   skip_if_unavailable=1, which leaves it out): enable one, or give";
        let e = crate::rpmmd::without_warnings(|| {
            Tool::parse_from(["t", "--repofile", f])
                .repos
                .specs("x86_64")
        });
        assert_eq!(
            e.unwrap_err().to_string(),
            format!(
                "no repositories enabled {why} --repo/--source-repo ID=URL, --repofile FILE or \
                 --dnf-conf FILE"
            )
        );
        let e = crate::rpmmd::without_warnings(|| {
            SourceTool::parse_from(["t", "--repofile", f])
                .repos
                .specs("x86_64")
        });
        assert_eq!(
            e.unwrap_err().to_string(),
            format!(
                "no source repositories enabled {why} --source-repo ID=URL, --repofile FILE or \
                 --dnf-conf FILE"
            )
        );
    }
}
