//! create-srpm-repos: one source repository per arch, archful SRPMs
//! regenerated with the BuildRequires evaluated for that arch.
//! A thin binary over `buildroot_core::archful` (`repos_run`: the run;
//! here the options, their checks, the input and the printing).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use buildroot_core::archful::repos_run::{
    self, create_srpm_repos, empty_list_refusal, RepoRunRequest,
};
use buildroot_core::archful::{check_cache_to_read, MacroArgs};
use buildroot_core::cli::{
    PreferReleaseArgs, QuietArgs, RepoFileArgs, SourceListArgs, SrpmCacheArgs, TargetArchArgs,
};
use buildroot_core::pkglist::{not_stdout, one_list_from_stdin, read_input_list, Names};
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::spec::SpecArgs;
use clap::Parser;

const AFTER_HELP: &str = "\
Examples:
  # (run from the checkout's root, where testdata/ is)

  # The aarch64 source repo for the aarch64 buildroot's sources, specs read with the
  # macro packages of the aarch64 binary repo (work/ as identify-archful-srpms' first
  # example leaves it):
  create-srpm-repos --arch aarch64 --cache work/srpms --archful work/archful.txt \\
      --repo 'bin=testdata/repos/$basearch' \\
      --out work/repos/aarch64 work/pass1/aarch64/buildroot-source-package-names.txt

  # Check it with dnf:
  dnf repoquery --repofrompath=a,work/repos/aarch64 --repo=a --arch=src -q

An archful spec the evaluator cannot fully read for ARCH (what rpm would reject, a
%(...) with no sandbox to run it in, Lua or a command past its time limit)
is not regenerated with guessed BuildRequires: its SRPM is kept as built, with a
warning naming it. %{lua:} and %(...) themselves are evaluated as rpm does.

Spec macros (evaluator and --rpmbuild alike): the macro packages of the binary repos' core
buildroot for ARCH, in rpm's load order; then --macros, then --define. Without binary repos,
or with --no-repo-macros: built-in ELN macros (%rhel 11, %el11 1, %eln 150, %dist .eln150).

--out must be new, empty or an earlier output of create-srpm-repos (it holds
.create-srpm-repos): the SRPMs a run does not list are deleted from it, so any other
directory is refused.

Exit codes:
  0  success (names without a cached SRPM and kept SRPMs are warnings)
  2  bad usage or bad input (unreadable cache, one without SRPMs or one no
     identify-archful-srpms run made, a cached SRPM that is another package, an empty input
     list without --allow-empty, a list naming no SRPM of the cache, --out a directory of
     other files, broken SRPM, unreadable repository, broken or unreachable macro package,
     unbalanced %if, rpmbuild failing or making another NEVR, full disk); nothing of the
     failed run is left in --out";

#[derive(Parser, Debug)]
#[command(name = "create-srpm-repos", version, about = "Build a per-arch source repo with archful SRPMs regenerated for that arch", after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP))]
struct Args {
    #[command(flatten)]
    target: TargetArchArgs,
    #[command(flatten)]
    cache: SrpmCacheArgs,
    /// Archful source names, one per line (identify-archful-srpms' output; "-": stdin, when
    /// INPUT is a file).
    #[arg(long, value_name = "FILE")]
    archful: String,
    /// The repository directory to create or update.
    #[arg(long, visible_alias = "output-dir", value_name = "DIR")]
    out: PathBuf,
    /// Regenerate with `rpmbuild -bs --target ARCH` (same macro files) instead of the rpm crate.
    #[arg(long)]
    rpmbuild: bool,
    #[command(flatten)]
    macros: MacroArgs,
    #[command(flatten)]
    spec_args: SpecArgs,
    #[command(flatten)]
    repo_files: RepoFileArgs,
    // No help text (clap reads doc comments of `arg` fields only).
    /// Which of a name's cached SRPMs is taken: identify-archful-srpms's choice.
    #[command(flatten)]
    prefer: PreferReleaseArgs,
    #[command(flatten)]
    quiet: QuietArgs,
    // Each tool's --allow-empty says what the empty list does there (here
    // the repo is emptied), which is the reason to give it or not.
    /// Accept an empty input list (the repo is then emptied); without it an
    /// empty list is refused, as a failed step before this one gives one.
    #[arg(long)]
    allow_empty: bool,
    #[command(flatten)]
    list: SourceListArgs,
}

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("create-srpm-repos", |args: Args| run(&args).map(|()| 0))
}

fn run(args: &Args) -> Result<()> {
    args.quiet.apply();
    if let Some(dir) = &args.repo_files.cache.cache_dir {
        buildroot_core::cli::given_cache_dir(dir)?;
    }
    let arch = args.target.checked()?;
    if !args.cache.srpm_cache.is_dir() {
        bail!(
            "{}: the SRPM cache directory does not exist (run identify-archful-srpms first)",
            args.cache.srpm_cache.display()
        );
    }
    // Before anything is written into it (the macro packages, the records
    // of uses): a directory of SRPMs named by mistake must not become one
    // identify-archful-srpms takes for its cache and prunes.
    check_cache_to_read(&args.cache.srpm_cache)
        .map_err(|e| repos_run::option_names(e, &args.cache.srpm_cache))?;
    let prefer_release = args.prefer.regex()?;
    args.macros.check_core()?;
    one_list_from_stdin([
        ("INPUT", args.list.input.as_str()),
        ("--archful", &args.archful),
    ])?;
    not_stdout(
        "--out",
        Some(&args.out),
        "a directory",
        "the source repository goes there",
    )?;
    // A new --out where nothing can be written is said before the SRPMs are
    // read (an existing one is filled in place, its own guard's business).
    if !args.out.exists() {
        buildroot_core::atomic::check_writable(&args.out, "--out")?;
    }
    let lines = read_input_list(&args.list.input, Names::Verbatim)?;
    if lines.is_empty() && !args.allow_empty {
        bail!("{}", empty_list_refusal(args.list.shown(), &args.out));
    }
    let run = create_srpm_repos(RepoRunRequest {
        arch,
        cache: &args.cache.srpm_cache,
        repo_files: &args.repo_files,
        macros: &args.macros,
        spec_args: &args.spec_args,
        prefer_release: prefer_release.as_ref(),
        input: &args.list.input,
        lines,
        archful: &args.archful,
        out: &args.out,
        rpmbuild: args.rpmbuild,
    })?;
    if !args.quiet.quiet {
        for n in &run.notes {
            buildroot_core::diag!("create-srpm-repos: note: {n}");
        }
        for m in run.warnings(arch) {
            buildroot_core::diag!("create-srpm-repos: warning: {m}");
        }
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let summary = run.summary(arch);
            buildroot_core::diag!("{}: {summary}", args.out.display());
        }
    }
    Ok(())
}
