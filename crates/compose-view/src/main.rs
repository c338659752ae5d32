//! compose-view: workflow step 2 (and 10). Computes a content-resolver view
//! from content-resolver's configs — environments, workloads installed on
//! them, the union per arch — and prints or writes its package lists.
//!
//! Thin by design: argument parsing and printing here, everything else in
//! `buildroot_core::content_resolver`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use buildroot_core::cli::{CacheDirArgs, QuietArgs};
use buildroot_core::content_resolver::{
    self, config_view_id, lists, report, Loaded, Request, ViewList as Print,
};
use buildroot_core::pkglist::Stdout;
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use clap::{Parser, ValueEnum};

// Loading metadata makes millions of small allocations (see buildroot-generator).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
What is computed, per arch, as content-resolver computes it: each environment of the view's \
repository installed alone into an empty root; each workload sharing a label with the \
environment installed on top of it (packages, placeholder requirements, arch_packages, then the \
mandatory and default packages of its comps groups, as `dnf install` would); the view is the \
union of the workloads whose labels meet the view's (environment packages, added packages, \
placeholders). Unwanted lists sharing a label with the view mark packages; they stay in the lists \
(--print unwanted shows them). Missing packages are warnings, errors under the workload option \
`strict`; a workload with errors contributes nothing. Diagnostics go to stderr (-q: none).

--print lists the union over the computed arches:
  binaries      binary names                    (view-binary-package-name-list)
  binary-ids    name-[E:]V-R.arch               (view-binary-package-list)
  binary-nvrs   name-[E:]V-R                    (view-binary-package-nevr-list)
  sources       source names                    (view-source-package-name-list)
  source-nvrs   source name-V-R                 (view-source-package-list)
  unwanted      binary names an unwanted list names

--output-dir writes content-resolver's own list files, LIST--VIEW--ARCH.txt per arch and \
LIST--VIEW.txt over all arches when every arch of the view was computed (no newline after \
the last line, as content-resolver writes them), plus view-unwanted-package-name-list--VIEW--ARCH.txt \
(and its union, view-unwanted-package-name-list--VIEW.txt) and \
view-placeholder-srpm-details--VIEW--ARCH.json (the source placeholders, for buildroot-generator \
--placeholders). DIR is replaced whole, atomically: the new lists are written beside it and \
swapped in, so a failed run leaves the earlier ones and no list of an earlier run of this view \
survives (other views' lists are kept). DIR must be new, empty or an earlier output (only such \
list files), and not a mount point.

Weak dependencies are installed for environments and workloads whose options include \
include-weak-deps, as content-resolver asks dnf to. docs/compose-view.md lists every difference \
from content-resolver.

Examples:
  # (testdata/: the checkout's fixtures, run from its root; content-resolver-input: a
  # checkout of https://github.com/minimization/content-resolver-input)

  # Does every config file load as content-resolver would load it?
  compose-view --check --configs content-resolver-input/configs

  # The ELN view's binary names on x86_64 (repositories as the configs say)
  compose-view --configs content-resolver-input/configs --view view-eln --arch x86_64

  # Offline, from local copies of the repos, every arch, content-resolver's files
  compose-view --configs testdata/content-resolver --view view-fixture \\
      --repo-override 'fixture=testdata/repos/$basearch' \\
      --repo-override 'extras=testdata/repos/extras/$basearch' \\
      --output-dir content-resolver-output/

  # Everything (lists, environments, workloads, warnings) for a script
  compose-view --configs content-resolver-input/configs --view view-eln --json | \\
      jq '.arches[].workloads[] | select(.succeeded | not)'

Exit codes:
  0  success (failed workloads are reported on stderr and in --json, not fatal)
  2  usage or input error: a config file content-resolver would not load (each named on its
     own line), a --configs directory without *.yaml files, an unknown view or arch, a
     repository that cannot be read; with --check, any bad file";

/// Compute a content-resolver view (package lists per arch) from its configs.
#[derive(Parser, Debug)]
#[command(
    name = "compose-view",
    version,
    override_usage = "compose-view [OPTIONS] --configs <DIR> --view <VIEW>\n       \
                      compose-view --check --configs <DIR>",
    after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP)
)]
struct Cli {
    /// Directory of content-resolver configs (*.yaml, buildroot relations *.json)
    #[arg(long, value_name = "DIR")]
    configs: PathBuf,

    // Each tool's --view is its own: here the view computed (required), in
    // buildroot-generator a name in the relations JSON, in workload-diff
    // the buildroot document's, in fetch-compose the lists' to fetch.
    /// The view to compute (a view or view add-on document id; an id without "view-" means
    /// "view-ID" when no config has the id itself: "eln" is "view-eln"); required but with
    /// --check
    #[arg(long, value_name = "VIEW", required_unless_present = "check")]
    view: Option<String>,

    // Not `cli::TargetArchArgs`: several arches, the view's by default.
    /// Compute only this arch (repeatable; default: every arch of the view)
    #[arg(long = "arch", value_name = "ARCH")]
    arches: Vec<String>,

    /// What to print on stdout (not with --json, whose document holds every list per arch)
    /// [default: binaries]
    // No clap default: --json refuses a --print given (a default would be
    // indistinguishable from one typed).
    #[arg(long, value_enum)]
    print: Option<Print>,

    /// Write content-resolver's list files for the view into DIR (the --print list still goes
    /// to stdout)
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    /// Read repo REPO_ID (a key of a repository document's source.repos) from URL or
    /// directory instead of its baseurl; $basearch is substituted (repeatable)
    #[arg(long = "repo-override", value_name = "REPO_ID=URL", value_parser = override_value)]
    overrides: Vec<(String, String)>,

    /// Compute the view as if it also had LABEL (repeatable; step 10: the ELN-Buildroot
    /// workload's label)
    #[arg(long = "extra-label", value_name = "LABEL")]
    extra_labels: Vec<String>,

    /// Only load every file of --configs; report each bad one on its own line (computes no
    /// view, so --print and --output-dir are refused beside it)
    // Refused rather than dropped: they ask for lists --check never makes.
    #[arg(long, conflicts_with_all = ["print", "output_dir"])]
    check: bool,

    // Each tool's --json is its own document (docs/formats.md).
    /// Print one JSON document (lists, environments, workloads) instead
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    cache: CacheDirArgs,

    #[command(flatten)]
    quiet: QuietArgs,
}

fn override_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((id, url)) if !id.trim().is_empty() && !url.trim().is_empty() => {
            Ok((id.trim().to_string(), url.trim().to_string()))
        }
        _ => Err(format!("'{s}' is not REPO_ID=URL")),
    }
}

/// A failure: its lines go to stderr, the exit code is 2.
struct Failure(Vec<String>);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

impl From<buildroot_core::Error> for Failure {
    fn from(e: buildroot_core::Error) -> Self {
        Failure(vec![report::error_line(&e)])
    }
}

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("compose-view", |cli: Cli| run(&cli).map(|()| 0))
}

fn run(cli: &Cli) -> Result<(), Failure> {
    cli.quiet.apply();
    if let Some(view) = &cli.view {
        buildroot_core::cli::check_view(view)?;
    }
    // --json prints every list of every arch: a --print beside it chose
    // nothing and was dropped without a word.
    if let (true, Some(p)) = (cli.json, cli.print) {
        let name = p
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        return Err(Failure(vec![format!(
            "--print {name} is not read with --json, whose document holds every list of each \
             arch (jq '.arches[].{}' picks this one): give one of the two",
            name.replace('-', "_")
        )]));
    }
    let loaded = content_resolver::load_dir(&cli.configs)?;
    report::check_configs_found(&loaded, &cli.configs)?;
    if !cli.quiet.quiet {
        for w in &loaded.warnings {
            buildroot_core::diag!("compose-view: warning: {w}");
        }
    }
    if cli.check {
        return check(cli, &loaded);
    }
    if !loaded.bad.is_empty() {
        return Err(Failure(loaded.bad.iter().map(|b| b.to_string()).collect()));
    }
    // Refused before the view is computed, not after.
    buildroot_core::pkglist::not_stdout(
        "--output-dir",
        cli.output_dir.as_deref(),
        "a directory",
        "the --print list goes to stdout without it",
    )?;
    if let Some(dir) = &cli.output_dir {
        buildroot_core::atomic::check_output_dir(dir, lists::OUTPUT)?;
        buildroot_core::atomic::check_writable(dir, "--output-dir")?;
    }
    let req = Request {
        view: config_view_id(
            &loaded.configs.views,
            cli.view.as_deref().unwrap_or_default(),
        ),
        arches: cli.arches.clone(),
        overrides: report::overrides(&cli.overrides)?,
        cache_dir: Some(cli.cache.dir()?),
        extra_labels: cli.extra_labels.clone(),
    };
    if !cli.quiet.quiet {
        for l in req.labels_nothing_has(&loaded.configs) {
            buildroot_core::diag!(
                "compose-view: warning: --extra-label {l}: no workload or unwanted list has \
                 that label, so it changes nothing"
            );
        }
    }
    let result = content_resolver::compute(&loaded.configs, &req)?;
    if !cli.quiet.quiet {
        // The environments' and workloads' problems.
        for line in result.problems() {
            buildroot_core::diag!("compose-view: {line}");
        }
    }
    if let Some(dir) = &cli.output_dir {
        lists::write_lists(dir, &result)?;
    }
    let text = if cli.json {
        // Pretty, as every tool's --json: a person reads it too, jq does not mind.
        serde_json::to_string_pretty(&result.to_json()).expect("a JSON value prints") + "\n"
    } else {
        let list = result.list(cli.print.unwrap_or(Print::Binaries));
        list.into_iter().map(|s| s + "\n").collect()
    };
    let mut out = Stdout::lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure(vec![e.to_string()]))
}

fn check(cli: &Cli, loaded: &Loaded) -> Result<(), Failure> {
    if cli.json {
        let mut out = Stdout::lock();
        let _ = writeln!(out, "{:#}", loaded.summary_json());
    }
    if !loaded.bad.is_empty() {
        return Err(Failure(loaded.bad_lines()));
    }
    if !cli.quiet.quiet {
        buildroot_core::diag!(
            "compose-view: {}: {}",
            cli.configs.display(),
            loaded.summary_line()
        );
    }
    Ok(())
}
