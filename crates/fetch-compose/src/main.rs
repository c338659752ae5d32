//! fetch-compose: the workflow's compose input (step 1) from content-resolver's
//! published view lists, per arch, into a directory the other steps read.
//! A thin binary over `buildroot_core::workload::published`.

use std::path::PathBuf;
use std::process::ExitCode;

use buildroot_core::atomic::{check_output_dir, EarlierOutput, StagedDir};
use buildroot_core::cli::{default_cache_dir, given_cache_dir};
use buildroot_core::pkglist::write_list;
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::workload::published::{fetch_composes, list_file_name, ListKind, ViewLists};
use buildroot_core::Error;
use clap::{Parser, ValueEnum};

const AFTER_HELP: &str = "\
For every --arch, content-resolver's view-binary-package-name-list--VIEW--ARCH.txt and
view-source-package-name-list--VIEW--ARCH.txt are fetched from URL (through the HTTP cache,
afresh on every run) or read from a directory, and written as OUT/ARCH.txt (binary names)
and OUT/sources-ARCH.txt (source names), sorted and unique. This is the layout
buildroot-workflow.sh's COMPOSE_DIR has. The view's binary NEVRA list
(view-binary-package-list--VIEW--ARCH.txt), where content-resolver marks a placeholder's
binaries (NAME-000-placeholder.placeholder), is kept, sorted and unique, in OUT/content-resolver/
when the output has one (a missing one is no error): step 10 then knows a placeholder's
binary from a name no repository has. OUT is replaced whole, atomically (written beside it
and swapped in): it must be new, empty or an earlier output (only ARCH.txt,
sources-ARCH.txt and a content-resolver/ of such NEVRA lists alone), and holds the lists of
this run's arches only.

Examples:
  # ELN's compose for two arches, from content-resolver's public output:
  fetch-compose --url https://tiny.distro.builders --view view-eln \\
      --arch x86_64 --arch aarch64 --out work/compose

  # From a local copy of content-resolver's output directory (compose-view --output-dir
  # writes one); --out is replaced whole, so name every arch the later steps read:
  fetch-compose --url content-resolver-output --view view-fixture \\
      --arch x86_64 --arch aarch64 --out compose

Exit codes:
  0  success
  2  bad usage, a list that cannot be fetched (one line names its URL and the problem) or
     read, or an output that cannot be written; nothing is written then";

/// Which of the view's lists.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Lists {
    /// view-*: the packages of the view's workloads (the compose).
    Runtime,
    /// view-all-*: those and what content-resolver found their buildroot needs.
    All,
}

#[derive(Parser, Debug)]
#[command(name = "fetch-compose", version, about = "Fetch a compose (binary and source names per arch) from content-resolver's published view lists", after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP))]
struct Args {
    /// content-resolver's output: an http(s):// base URL, file:// or a directory.
    #[arg(long, value_name = "URL|DIR")]
    url: String,
    /// The content-resolver view (its config id; an id without "view-" gets it: "eln" is
    /// "view-eln").
    #[arg(long, default_value = "view-eln")]
    view: String,
    /// An arch of the compose (repeatable).
    #[arg(long = "arch", value_name = "ARCH", required = true)]
    arches: Vec<String>,
    /// Which lists: the view's workloads, or everything including its buildroot.
    #[arg(long, value_enum, default_value = "runtime")]
    lists: Lists,
    /// The directory to write ARCH.txt and sources-ARCH.txt into.
    #[arg(long, visible_alias = "output-dir", value_name = "DIR")]
    out: PathBuf,
    /// Cache directory for HTTP downloads (default: $XDG_CACHE_HOME/rpm-buildroot for an
    /// absolute XDG_CACHE_HOME, else ~/.cache/rpm-buildroot; without a writable XDG_CACHE_HOME or HOME, a
    /// private $TMPDIR/rpm-buildroot-UID, or rpm-buildroot-UID-XXXXXX when another took that
    /// name).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Quiet: no warning of an empty list, no summary (which is shown only when stderr is a
    /// terminal)
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    buildroot_core::cli::main("fetch-compose", |args: Args| run(&args).map(|()| 0))
}

/// What an earlier output holds: `ARCH.txt` and `sources-ARCH.txt` files,
/// and `content-resolver/` of the NEVRA lists alone (one of other files, a
/// `COMPOSE_DIR` made by hand with the placeholder details the workflow
/// reads there, is no earlier output of ours: replaced whole, its files
/// were lost).
const OUTPUT: EarlierOutput = EarlierOutput::Names {
    tool: "fetch-compose",
    ours: |path| match path.split_once('/') {
        None => {
            let arch = path.strip_suffix(".txt").unwrap_or_default();
            buildroot_core::arch::is_known(arch.strip_prefix("sources-").unwrap_or(arch))
        }
        Some((NEVRA_DIR, "")) => true,
        Some((NEVRA_DIR, list)) => {
            [
                "view-binary-package-list--",
                "view-all-binary-package-list--",
            ]
            .iter()
            .any(|p| list.starts_with(p))
                && list.ends_with(".txt")
                && !list.contains('/')
        }
        Some(_) => false,
    },
};

/// Where the NEVRA lists go, under content-resolver's own names: the
/// place compose-view's output has them, which the workflow's step 10
/// reads.
const NEVRA_DIR: &str = "content-resolver";

/// The library's line, with the option that named the output directory.
fn out_option(e: Error) -> Error {
    match e {
        Error::OutputDir { path, problem } => {
            Error::Usage(format!("{}: --out {problem}", path.display()))
        }
        e => e,
    }
}

fn run(args: &Args) -> buildroot_core::Result<()> {
    // --quiet drops the notes of downloads and of the cache home, as in
    // the other tools.
    if args.quiet {
        buildroot_core::cli::quiet_repo_notes();
    }
    buildroot_core::cli::check_view(&args.view)?;
    for a in &args.arches {
        buildroot_core::cli::check_arch(a)?;
    }
    buildroot_core::pkglist::not_stdout(
        "--out",
        Some(&args.out),
        "a directory",
        "ARCH.txt and sources-ARCH.txt go there",
    )?;
    check_output_dir(&args.out, OUTPUT).map_err(out_option)?;
    let lists = match args.lists {
        Lists::Runtime => ViewLists::Runtime,
        Lists::All => ViewLists::All,
    };
    let cache = match &args.cache_dir {
        Some(dir) => given_cache_dir(dir)?,
        None => default_cache_dir()?,
    };
    // Everything is fetched before anything is written: a failure leaves
    // OUT as it was. The arches' lists at once (RPM_BUILDROOT_HTTP_PARALLEL).
    let fetched = fetch_composes(&args.url, &args.view, &args.arches, lists, &cache)?;
    let got: Vec<_> = args.arches.iter().zip(fetched).collect();
    for (a, c) in &got {
        if c.binaries.is_empty() && !args.quiet {
            buildroot_core::diag!(
                "fetch-compose: warning: {} is empty",
                list_file_name(lists, ListKind::Binary, &args.view, a)
            );
        }
    }
    // One set: written beside OUT and swapped in, so that a failed write
    // leaves OUT as it was and no list of an earlier run stays beside these.
    let stage = StagedDir::replacing(&args.out, OUTPUT).map_err(out_option)?;
    for (a, c) in &got {
        stage.write_with(&format!("{a}.txt"), |mut w| {
            write_list(&mut w, c.binaries.iter().cloned())
        })?;
        stage.write_with(&format!("sources-{a}.txt"), |mut w| {
            write_list(&mut w, c.sources.iter().cloned())
        })?;
        if let Some(nevras) = &c.nevras {
            let name = list_file_name(lists, ListKind::Nevra, &args.view, a);
            stage.write_with(&format!("{NEVRA_DIR}/{name}"), |mut w| {
                write_list(&mut w, nevras.iter().cloned())
            })?;
        }
        if !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            buildroot_core::diag!(
                "{a}: {} binary and {} source names",
                c.binaries.len(),
                c.sources.len()
            );
        }
    }
    stage.commit()
}
