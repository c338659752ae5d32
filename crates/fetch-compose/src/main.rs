//! fetch-compose: the workflow's compose input (step 1) from content-resolver's
//! published view lists, per arch, into a directory the other steps read.
//! A thin binary over `buildroot_core::workload::fetch_run::run` (the
//! checks, the fetch, the output directory and which lines are said); here
//! the options and stderr.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use buildroot_core::cli::CacheDirArgs;
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::workload::fetch_run::{self, FetchRequest};
use buildroot_core::workload::published::ViewLists;
use clap::Parser;

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

/// A --url that names something: `--url "$COMPOSE_URL"` with the variable
/// unset or blank is bad usage naming the option (the reader's own line,
/// "empty repository URL", named neither the option nor what to give).
fn url_given(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("give content-resolver's output: an http(s):// URL, file:// or a directory".into())
    } else {
        Ok(s.to_string())
    }
}

#[derive(Parser, Debug)]
#[command(name = "fetch-compose", version, about = "Fetch a compose (binary and source names per arch) from content-resolver's published view lists", after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP))]
struct Args {
    /// content-resolver's output: an http(s):// base URL, file:// or a directory.
    #[arg(long, value_name = "URL|DIR", value_parser = url_given)]
    url: String,
    // Each tool's --view is its own (compose-view's says which is which).
    /// The content-resolver view (its config id; an id without "view-" gets it: "eln" is
    /// "view-eln").
    #[arg(long, default_value = "view-eln")]
    view: String,
    // Not `cli::TargetArchArgs`: several arches, at least one.
    /// An arch of the compose (repeatable).
    #[arg(long = "arch", value_name = "ARCH", required = true)]
    arches: Vec<String>,
    /// Which lists: the view's workloads, or everything including its buildroot.
    #[arg(long, value_enum, default_value = "runtime")]
    lists: ViewLists,
    /// The directory to write ARCH.txt and sources-ARCH.txt into.
    #[arg(long, visible_alias = "output-dir", value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    cache: CacheDirArgs,
    // Not `cli::QuietArgs`: fetch-compose reads no repositories, so its
    // -q names what it drops here (its notes go through the repositories'
    // handler all the same: `run` installs the quiet one).
    /// Quiet: no notes or warnings (an empty list, a passed-over XDG_CACHE_HOME, a wait for
    /// another run's download), no summary (which is shown only when stderr is a terminal)
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    buildroot_core::cli::main("fetch-compose", |args: Args| run(&args).map(|()| 0))
}

fn run(args: &Args) -> buildroot_core::Result<()> {
    // --quiet drops the notes of downloads and of the cache home, as in
    // the other tools.
    if args.quiet {
        buildroot_core::cli::quiet_repo_notes();
    }
    let request = FetchRequest {
        url: &args.url,
        view: &args.view,
        arches: &args.arches,
        lists: args.lists,
        out: &args.out,
        cache_dir: args.cache.cache_dir.as_deref(),
    };
    let terminal = std::io::stderr().is_terminal();
    fetch_run::run(
        &request,
        args.quiet,
        terminal,
        &mut |kind, line| match kind {
            "" => buildroot_core::diag!("{line}"),
            k => buildroot_core::diag!("fetch-compose: {k}: {line}"),
        },
    )
}
