//! create-srpm-repos: one source repository per arch, archful SRPMs
//! regenerated with the BuildRequires evaluated for that arch.
//! A thin binary over `buildroot_core::archful`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use buildroot_core::archful::{
    cache_index_preferring, check_cache_to_read, create_srpm_repo, CacheHold, KeptSrpm, MacroArgs,
    Regenerate, SrpmCacheArgs, SrpmRepoRequest,
};
use buildroot_core::cli::{PreferReleaseArgs, RepoFileArgs};
use buildroot_core::error::OutputDirProblem;
use buildroot_core::pkglist::{
    names_in_list, not_stdout, one_list_from_stdin, read_input_list, read_list, Names,
};
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::spec::SpecArgs;
use buildroot_core::Error;
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
    /// Target architecture.
    #[arg(long)]
    arch: String,
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
    /// No warnings or notes on stderr, but for a repo skip_if_unavailable=1 left out (the
    /// answer lacks it).
    #[arg(short, long)]
    quiet: bool,
    /// Accept an empty input list (the repo is then emptied); without it an
    /// empty list is refused, as a failed step before this one gives one.
    #[arg(long)]
    allow_empty: bool,
    /// A file of this arch's buildroot source names ("-" or nothing: stdin); NEVRAs, SRPM
    /// file names and buildroot-generator's *-nvrs lines name theirs.
    #[arg(default_value = "-")]
    input: String,
}

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("create-srpm-repos", |args: Args| run(&args).map(|()| 0))
}

/// The library's error line, with the options that gave the values named.
fn option_names(e: Error, cache: &std::path::Path) -> anyhow::Error {
    match e {
        // A damaged SRPM of the cache: identify-archful-srpms fetches it
        // again (it checks what it reuses).
        Error::Format {
            ref path, ref msg, ..
        } if msg.starts_with("not a valid RPM file")
            && std::path::Path::new(path).starts_with(cache) =>
        {
            anyhow::anyhow!(
                "{e} (run identify-archful-srpms with --cache {} to fetch it again)",
                cache.display()
            )
        }
        Error::MissingProgram {
            program: "rpmbuild",
            ..
        } => anyhow::anyhow!("{e} or drop --rpmbuild"),
        Error::MacroDefinition { text } => {
            anyhow::anyhow!("--define '{text}': expected 'NAME VALUE'")
        }
        Error::PathWithColon { .. } => anyhow::anyhow!("{e} (use a --cache without one)"),
        Error::OutputDir {
            path,
            problem: problem @ OutputDirProblem::NotAnSrpmCache { .. },
        } => anyhow::anyhow!("{}: --cache {problem}", path.display()),
        Error::OutputDir { path, problem } => {
            anyhow::anyhow!("{}: --out {problem}", path.display())
        }
        Error::RebuiltNevrDiffers {
            path,
            built,
            original,
        } => anyhow::anyhow!(
            "{}: rpmbuild -bs made {built}, not {original} (a macro such as %dist differs \
             from the build that made this SRPM; pass it with --define)",
            path.display()
        ),
        e => e.into(),
    }
}

/// Why an empty input list is refused: it would empty the repo, and is
/// what a failed step before this one (an empty pipe) gives.
fn empty_list_refused(input: &str, out: &std::path::Path) -> String {
    let input = if input == "-" { "<stdin>" } else { input };
    format!(
        "{input}: the list of sources is empty (did the step before fail?); \
         --allow-empty writes an empty repo into {}",
        out.display()
    )
}

fn run(args: &Args) -> Result<()> {
    if args.quiet {
        buildroot_core::cli::quiet_repo_notes();
    }
    if let Some(dir) = &args.repo_files.cache_dir {
        buildroot_core::cli::given_cache_dir(dir)?;
    }
    if !buildroot_core::arch::is_known(&args.arch) {
        bail!(
            "--arch {}: unknown architecture (known: {})",
            args.arch,
            buildroot_core::arch::known().join(", ")
        );
    }
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
        .map_err(|e| option_names(e, &args.cache.srpm_cache))?;
    let prefer_release = args.prefer.regex()?;
    one_list_from_stdin([("INPUT", args.input.as_str()), ("--archful", &args.archful)])?;
    not_stdout(
        "--out",
        Some(&args.out),
        "a directory",
        "the source repository goes there",
    )?;
    let lines = read_input_list(&args.input, Names::Verbatim)?;
    if lines.is_empty() && !args.allow_empty {
        bail!("{}", empty_list_refused(&args.input, &args.out));
    }
    // The SRPMs read now must still be there when linked: a concurrent
    // identify-archful-srpms with another list deletes none meanwhile.
    let _hold = CacheHold::shared(&args.cache.srpm_cache)?;
    // Names, NEVRAs, SRPM file names and the tools' own `*-nvrs` lines, as
    // the cache's SRPMs name them (a cache without SRPMs is refused below).
    let cached = cache_index_preferring(&args.cache.srpm_cache, prefer_release.as_ref())?;
    let names = match cached.is_empty() {
        true => lines,
        false => names_in_list(
            &args.input,
            &lines,
            |n| cached.contains_key(n),
            &format!("an SRPM of the cache {}", args.cache.srpm_cache.display()),
            &format!("{} is left as it was", args.out.display()),
        )?,
    };
    // Notes (where the macros come from) are printed once the run succeeded:
    // a failed run says one line, its error.
    let mut notes = Vec::new();
    let arches = std::slice::from_ref(&args.arch);
    let mut target = args
        .macros
        .targets(arches, &args.repo_files, &args.cache.srpm_cache, &mut |m| {
            notes.push(m)
        })
        .map_err(|e| option_names(e, &args.cache.srpm_cache))?
        .remove(0);
    args.spec_args.apply(&mut target.ctx);
    let unmatched = args.macros.warnings(std::slice::from_ref(&target));
    let archful: BTreeSet<String> = read_list(&args.archful, Names::Reduce)?
        .into_iter()
        .collect();
    let how = if args.rpmbuild {
        Regenerate::Rpmbuild
    } else {
        Regenerate::RpmCrate
    };
    let rep = create_srpm_repo(&SrpmRepoRequest {
        target: &target,
        cache: &args.cache.srpm_cache,
        archful: &archful,
        names: &names,
        out: &args.out,
        regenerate: how,
        prefer_release: prefer_release.as_ref(),
    })
    .map_err(|e| option_names(e, &args.cache.srpm_cache))?;
    if !args.quiet {
        for n in &notes {
            buildroot_core::diag!("create-srpm-repos: note: {n}");
        }
        for m in &unmatched {
            buildroot_core::diag!("create-srpm-repos: warning: {m}");
        }
        for m in &rep.missing {
            buildroot_core::diag!("create-srpm-repos: warning: {m}: no SRPM in the cache");
        }
        for KeptSrpm {
            name,
            path,
            problem,
        } in &rep.kept
        {
            buildroot_core::diag!(
                "create-srpm-repos: warning: {name}: kept {} as built, BuildRequires not \
                 regenerated for {}: {problem} (--rpmbuild lets rpm evaluate the spec)",
                path.display(),
                args.arch
            );
        }
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            buildroot_core::diag!(
                "{}: {} linked, {} regenerated for {}, {} kept as built, {} removed",
                args.out.display(),
                rep.linked.len(),
                rep.regenerated.len(),
                args.arch,
                rep.kept.len(),
                rep.removed.len()
            );
        }
    }
    Ok(())
}
