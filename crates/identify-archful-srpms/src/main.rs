//! identify-archful-srpms: cache the SRPMs of the listed sources and print
//! those whose BuildRequires differ between target arches.
//! A thin binary over `buildroot_core::archful` (`identify_run`: the run;
//! here the options, their checks, the input and the printing).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use buildroot_core::archful::identify_run::{
    empty_list_refusal, identify_sources, target_arches, IdentifyRequest,
};
use buildroot_core::archful::{check_rpmspec, KeepUnlistedArgs, MacroArgs};
use buildroot_core::cli::{
    PreferReleaseArgs, QuietArgs, SourceListArgs, SourceRepoArgs, SrpmCacheArgs,
};
use buildroot_core::pkglist::{
    not_stdout, read_input_list, write_list, write_list_file, Names, Stdout,
};
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::spec::SpecArgs;
use clap::Parser;

// Loading metadata makes millions of small allocations; mimalloc makes
// them (and freeing them) markedly cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
Examples:
  # (run from the checkout's root, where testdata/ is)

  # Which of the buildroot's sources are archful (spec evaluated per arch, with the macro
  # packages of the binary repos)? Pass 1 first, for the two arches (from the checkout's
  # root: the fixture's repos, main and extras, binary and source, from one .repo file):
  for a in x86_64 aarch64; do buildroot-generator --repofile testdata/fixture.repo \\
      --arch $a --output-dir work/pass1/$a testdata/compose/sources.txt >/dev/null; done
  cat work/pass1/*/buildroot-source-package-names.txt | sort -u | \\
      identify-archful-srpms --repofile testdata/fixture.repo --cache work/srpms \\
      --arch x86_64 --arch aarch64 --map work/srpm-map.txt > work/archful.txt

  # Per archful source of the compose, its BuildRequires per arch, and the macro packages
  # used (a cache of its own: a run deletes the SRPMs it does not list from its --cache
  # once no run has used them for --keep-unlisted hours):
  identify-archful-srpms --source-repo src=testdata/repos/source \\
      --repo 'bin=testdata/repos/$basearch' --cache work/srpms-compose \\
      --arch x86_64 --arch aarch64 --json testdata/compose/sources.txt

  # The same answer from rpm itself (runs the specs' shell code unsandboxed):
  identify-archful-srpms --rpmspec --source-repo src=testdata/repos/source \\
      --repo 'bin=testdata/repos/$basearch' --cache work/srpms-compose \\
      --arch x86_64 --arch aarch64 testdata/compose/sources.txt

  # Trim a cache no other run relies on to one list: the SRPMs of sources not
  # listed go at once instead of 72 hours after their last use:
  identify-archful-srpms --keep-unlisted 0 --source-repo src=testdata/repos/source \\
      --cache work/srpms-compose --arch x86_64 testdata/compose/sources.txt

Spec macros: the macro packages of the binary repos' core buildroot (redhat-rpm-config,
*-srpm-macros, the release package, rpm), in rpm's load order; then --macros, then --define.
Without binary repos, or with --no-repo-macros: built-in ELN macros (%rhel 11, %el11 1,
%eln 150, %dist .eln150).

--cache must be new, empty or an earlier SRPM cache (it holds .identify-archful-srpms, which
the first run writes; a cache of earlier versions, holding .metadata or .macros and otherwise
only *.src.rpm and temp files, is taken and marked): the SRPMs a run does not list are deleted
from it, so any other directory, a directory of SRPMs alone included, is refused. Such an
SRPM goes once no run has listed it (identify-archful-srpms) or read it (create-srpm-repos)
for --keep-unlisted hours (72: the workflow runs several times a day, runs by hand follow
each other within hours), recorded in DIR/.srpm-uses; other versions of a listed source go
at once. Runs sharing a cache fetch each SRPM once.

Exit codes:
  0  success (names without an SRPM are warnings)
  2  bad usage or bad input (unreadable repository, broken SRPM or macro package, bad macro
     file, --rpmspec without rpmspec, an empty input list without --allow-empty, a list
     naming no source of the repositories, --cache a directory of other files); SRPMs no
     mirror has (HTTP 404 or 410, a local repo's file missing) are one line each, in name
     order, after every other SRPM was cached; then, one line each, SRPMs not fetched
     because every mirror of their repo had been given up (not missing: ask again later)";

#[derive(Parser, Debug)]
#[command(name = "identify-archful-srpms", version, about = "Find source RPMs whose BuildRequires differ per architecture, and cache them", after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP))]
struct Args {
    #[command(flatten)]
    repos: SourceRepoArgs,
    #[command(flatten)]
    cache: SrpmCacheArgs,
    #[command(flatten)]
    keep: KeepUnlistedArgs,
    // No help text (clap reads doc comments of `arg` fields only).
    /// Which source of a name is cached: buildroot-generator's choice.
    #[command(flatten)]
    prefer: PreferReleaseArgs,
    // Not `cli::TargetArchArgs`: several arches here, the four by default.
    /// Target arch (repeatable; default: aarch64 ppc64le s390x x86_64).
    #[arg(long = "arch", value_name = "ARCH")]
    arches: Vec<String>,
    /// Write `name=srpm-file-name` lines for the SRPM of every listed source to FILE (a
    /// file: stdout is the archful list).
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    #[command(flatten)]
    macros: MacroArgs,
    #[command(flatten)]
    spec_args: SpecArgs,
    /// Let rpm read the specs (`rpmspec -q --target ARCH`, in parallel) instead of the
    /// built-in evaluator: exact, but runs the specs' shell and Lua code unsandboxed.
    #[arg(long)]
    rpmspec: bool,
    /// Write the --json document to FILE too (atomically); stdout keeps the names.
    #[arg(long, value_name = "FILE")]
    json_file: Option<PathBuf>,
    // Each tool's --json is its own document (docs/formats.md), so each
    // says what it holds.
    /// Print a JSON document: per archful source its BuildRequires per arch.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    quiet: QuietArgs,
    // Each tool's --allow-empty says what the empty list does there (here
    // the SRPM cache is emptied), which is the reason to give it or not.
    /// Accept an empty input list (the SRPM cache then keeps only what --keep-unlisted keeps);
    /// without it an empty list is refused, as a failed step before this one gives one.
    #[arg(long)]
    allow_empty: bool,
    #[command(flatten)]
    list: SourceListArgs,
}

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("identify-archful-srpms", |args: Args| {
        run(&args).map(|()| 0)
    })
}

fn run(args: &Args) -> Result<()> {
    args.quiet.apply();
    if let Some(dir) = &args.repos.files.cache.cache_dir {
        buildroot_core::cli::given_cache_dir(dir)?;
    }
    let arches = target_arches(&args.arches)?;
    let prefer_release = args.prefer.regex()?;
    if args.rpmspec {
        check_rpmspec().map_err(|e| {
            anyhow::anyhow!("--rpmspec: {e}, or drop --rpmspec to use the built-in evaluator")
        })?;
    }
    args.macros.check_core()?;
    // stdout is the archful list (or the --json document): `-` would be a
    // file of that name.
    not_stdout(
        "--map",
        args.map.as_deref(),
        "a file",
        "stdout is the archful list",
    )?;
    not_stdout(
        "--json-file",
        args.json_file.as_deref(),
        "a file",
        "--json prints the document on stdout",
    )?;
    // Said before the SRPMs are fetched and read, not after.
    for (label, path) in [("--map", &args.map), ("--json-file", &args.json_file)] {
        if let Some(p) = path {
            buildroot_core::atomic::check_writable(p, label)?;
        }
    }
    not_stdout(
        "--cache",
        Some(&args.cache.srpm_cache),
        "a directory",
        "the SRPMs are cached there",
    )?;
    // Names, NEVRAs, SRPM file names and the tools' own `*-nvrs` lines: they
    // are matched against the source repos once those are loaded.
    let lines = read_input_list(&args.list.input, Names::Verbatim)?;
    if lines.is_empty() && !args.allow_empty {
        let (input, cache) = (args.list.shown(), &args.cache.srpm_cache);
        bail!(
            "{}",
            empty_list_refusal(input, cache, args.keep.keep_unlisted_hours)
        );
    }
    let retention = args.keep.retention();
    let request = IdentifyRequest {
        arches: &arches,
        repos: &args.repos,
        macros: &args.macros,
        spec_args: &args.spec_args,
        cache: &args.cache.srpm_cache,
        retention,
        prefer_release: prefer_release.as_ref(),
        rpmspec: args.rpmspec,
        input: &args.list.input,
        lines: &lines,
        quiet: args.quiet.quiet,
        announce: std::io::stderr().is_terminal() && !args.quiet.quiet,
    };
    // `hold` (dropped as the run ends): until this run has read the SRPMs,
    // a concurrent run with another list deletes none of them.
    let found = identify_sources(&request, &|kind, m| match kind {
        "" => buildroot_core::diag!("identify-archful-srpms: {m}"),
        k => buildroot_core::diag!("identify-archful-srpms: {k}: {m}"),
    })?;
    if let Some(map) = &args.map {
        let lines = found
            .cached
            .iter()
            .map(|c| format!("{}={}", c.name, c.file));
        write_list_file(map, lines)?;
    }
    let mut out = Stdout::lock();
    if args.json || args.json_file.is_some() {
        let doc = found.to_json();
        if let Some(f) = &args.json_file {
            let text = serde_json::to_string_pretty(&doc)? + "\n";
            buildroot_core::atomic::write_file(f, text.as_bytes())?;
        }
        if args.json {
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
    }
    if !args.json {
        write_list(&mut out, found.archful().iter().map(|r| r.name.clone()))?;
    }
    out.flush()?;
    if !args.quiet.quiet {
        for n in &found.notes {
            buildroot_core::diag!("identify-archful-srpms: note: {n}");
        }
        if let Some(note) = found.one_arch_note() {
            buildroot_core::diag!("identify-archful-srpms: note: {note}");
        }
    }
    Ok(())
}
