//! workload-diff's command line: the options (clap), the help's formats,
//! examples and exit codes, and the `ARCH=PATH` values (the formats are the
//! library's, `buildroot_core::workload::request::Format`).

use std::path::PathBuf;

use buildroot_core::workload::request::Format;
use clap::Parser;

const AFTER_HELP: &str = "\
Per arch, the buildroot binaries that are not in that arch's compose are added (minus the names \
of --exclude). Names added on every arch go under the workload's `packages`, the rest under \
`arch_packages: {ARCH: [...]}`; every arch appears there, with [] when it has none.

Name lists have one name per line; `#` comments and blank lines are ignored. NEVRA lines \
(bash-5.2-1.fc40.x86_64) and SRPM file names (foo-1.0-1.fc40.src.rpm) in --compose and \
--buildroot lists are reduced to names, and so are the lines of a list of bare N-V-Rs \
(content-resolver's view-binary-package-nevr-list, the generator's *-nvrs lists), so any of \
content-resolver's binary lists works as well as its name list. `-` reads one of the lists from \
stdin.

Formats:
  workload   feedback-pipeline-workload YAML (default)
  buildroot  feedback-pipeline-buildroot YAML from --buildroot-dir: base_buildroot from
             CoreBuildRootBinaries, source_packages from output/*-deps-binary
  text       per arch: counts, then every added (+) and excluded (!) name
  --json     the added sets as JSON (packages, arch_packages, per-arch counts and names)
  changes    Markdown: what entered and left the workload since --previous (a workload YAML;
             without it everything is new), per arch; entering packages with the generator's
             why-chain (--buildroot-dir's buildroot-why.json) and the sources needing them,
             leaving ones with the reason (the compose ships it, --exclude names it, or the
             sources of --previous-dir that needed it)
  changes-json  the same as JSON
             (with --skipped-repos and --previous-skipped-repos, the workflow's
             skipped-repos.txt of this run and of the previous one: a section on the repos
             each run went on without, `skipped_repos` and `previous_skipped_repos` in the
             JSON; none: no section, no key)
  allowed    step 10: the binaries compose + workload allow on the one --compose arch (its
             names, --workload's packages and arch_packages of that arch)
  verify     step 10: per --verify-dir arch (the generator's run with only the allowed
             binaries), the problems pass 2 (--buildroot-dir) did not have, and with
             --new-compose the pass-2 binaries the new compose lacks; a report on stdout,
             ARCH/new-failures.txt and ARCH/missing.txt under --verify-out; exit 1 when
             anything is found

Examples:
  # (run in a workflow run's directory, work/current/, which holds compose/, pass2/ and
  # eln-buildroot-workload.yaml; the outputs go to mine/, not over the run's own files;
  # ../../last/ is the previous run's directory, work/last/, seen from there (current/ is
  # a link into work/runs/); exclude.txt, skipped-repos.txt and new-compose.txt stand for
  # files of yours: the exclude list, a run's record of the repos it went on without, the
  # new compose's binary names)

  # The ELN-Buildroot workload for two arches
  workload-diff --compose x86_64=compose/x86_64.txt --compose aarch64=compose/aarch64.txt \\
      --buildroot x86_64=pass2/x86_64/buildroot-binary-package-names.txt \\
      --buildroot aarch64=pass2/aarch64/buildroot-binary-package-names.txt \\
      --exclude exclude.txt -o mine/eln-buildroot-workload.yaml

  # The buildroot document from the generator's output directories
  workload-diff --format buildroot --buildroot-dir x86_64=pass2/x86_64 \\
      --buildroot-dir aarch64=pass2/aarch64 --view view-eln -o mine/buildroot.yaml

  # What the buildroot adds, for a human or a script
  workload-diff --compose x86_64=compose/x86_64.txt --buildroot-dir x86_64=pass2/x86_64 \\
      --format text
  workload-diff --json --compose x86_64=compose/x86_64.txt \\
      --buildroot x86_64=pass2/x86_64/buildroot-binary-package-names.txt | jq .packages

  # What changed since the last run, and why (an arch of the previous workload not given
  # here is reported as no longer built)
  workload-diff --format changes --previous ../../last/eln-buildroot-workload.yaml \\
      --previous-dir x86_64=../../last/pass2/x86_64 --compose x86_64=compose/x86_64.txt \\
      --buildroot-dir x86_64=pass2/x86_64 -o mine/changes.md
  # ... naming the previous run by its id (a --previous under -o's directory, as the
  # workflow's copy in the run's previous/, is named from there, not by an absolute path)
  workload-diff --format changes-json --previous ../../last/eln-buildroot-workload.yaml \\
      --previous-run 20261203T184621Z-29871 --compose x86_64=compose/x86_64.txt \\
      --buildroot-dir x86_64=pass2/x86_64 -o mine/changes.json
  # ... and say the repos this run went on without (skip_if_unavailable=1)
  workload-diff --format changes-json --skipped-repos skipped-repos.txt \\
      --compose x86_64=compose/x86_64.txt --buildroot-dir x86_64=pass2/x86_64 \\
      -o mine/changes.json

  # Step 10: what may be installed, then what the restricted run could not build
  workload-diff --format allowed --compose x86_64=compose/x86_64.txt \\
      --workload eln-buildroot-workload.yaml -o mine/allowed.txt
  workload-diff --format verify --buildroot-dir x86_64=pass2/x86_64 \\
      --verify-dir x86_64=verify/x86_64/out --new-compose x86_64=new-compose.txt \\
      --verify-out mine/verify/

Every arch given to --compose needs a --buildroot or --buildroot-dir, and the other way round.
With --buildroot-dir and no --buildroot, the buildroot is the directory's
buildroot-binary-package-names.txt (or CoreBuildRootBinaries plus every output/*-deps-binary).

Exit codes:
  0  success
  1  verify: something cannot be built from compose + workload, or is missing from the new compose
  2  usage or input error (missing or unreadable file, bad list, an empty --compose or
     --buildroot list without --allow-empty, unknown arch, arch mismatch, a --buildroot-dir of
     another arch or of buildroot-generator --builds-only, an option of another --format),
     or the output could not be written; one line on stderr names the file and the problem";

/// Compare the buildroot with the compose per arch and write content-resolver's
/// ELN-Buildroot workload (or buildroot document, or a report).
#[derive(Parser, Debug)]
#[command(name = "workload-diff", version, after_help = format!("{AFTER_HELP}\n\n{}", buildroot_core::cli::SIGNALS_HELP))]
pub(crate) struct Cli {
    /// The compose's binary names on ARCH (repeat per arch)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    pub(crate) compose: Vec<(String, String)>,

    /// The buildroot's binary names on ARCH (e.g. buildroot-binary-package-names.txt)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    pub(crate) buildroot: Vec<(String, String)>,

    /// A buildroot-generator output directory for ARCH (a fixed point's: one written with
    /// --builds-only is refused)
    #[arg(long = "buildroot-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    pub(crate) buildroot_dir: Vec<(String, String)>,

    /// Names never put into the workload, one per line (repeatable)
    #[arg(long, value_name = "FILE")]
    pub(crate) exclude: Vec<String>,

    /// Output format [default: workload]
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,

    // Each tool's --json is its own document (docs/formats.md).
    /// Print the added sets as JSON instead
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,

    /// Workload name [default: ELN Buildroot Workload]
    #[arg(long)]
    pub(crate) name: Option<String>,

    /// Workload description [default: The packages that are not part of ELN, but needed to build it.]
    #[arg(long)]
    pub(crate) description: Option<String>,

    /// Maintainer of the workload and buildroot documents [default: rpm-buildroot]
    #[arg(long)]
    pub(crate) maintainer: Option<String>,

    /// Workload label (repeatable; replaces the default eln-buildroot)
    #[arg(long = "label", value_name = "LABEL")]
    pub(crate) labels: Vec<String>,

    /// Removed: content-resolver rejects a workload with a `repositories` key.
    #[arg(long = "repository", value_name = "ID", hide = true)]
    pub(crate) repositories: Vec<String>,

    // Each tool's --view is its own (compose-view's says which is which).
    /// The view id of the buildroot document
    #[arg(long, value_name = "NAME", default_value = "view-eln")]
    pub(crate) view: String,

    /// No effect, kept for scripts: `experimental` and `repositories` (which the current
    /// content-resolver rejects) are never written
    #[arg(long, hide = true)]
    pub(crate) no_legacy_keys: bool,

    /// The previous run's workload YAML (--format changes; "-": stdin)
    #[arg(long, value_name = "FILE")]
    pub(crate) previous: Option<PathBuf>,

    /// The previous run's id, named by the change report (--format changes, changes-json;
    /// the workflow's runs/ID: the run's directory is pruned later, its id stays meaningful)
    #[arg(long = "previous-run", value_name = "ID")]
    pub(crate) previous_run: Option<String>,

    /// The previous run's generator output directory for ARCH (--format changes)
    #[arg(long = "previous-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    pub(crate) previous_dir: Vec<(String, String)>,

    /// This run's skipped-repos.txt: the repos it went on without, said in the change report
    /// (--format changes, changes-json)
    #[arg(long = "skipped-repos", value_name = "FILE")]
    pub(crate) skipped_repos: Option<PathBuf>,

    /// The previous run's skipped-repos.txt (--format changes, changes-json)
    #[arg(long = "previous-skipped-repos", value_name = "FILE")]
    pub(crate) previous_skipped_repos: Option<PathBuf>,

    /// A workload YAML (--format allowed; "-": stdin)
    #[arg(long, value_name = "FILE")]
    pub(crate) workload: Option<PathBuf>,

    /// The generator's output directory of step 10's restricted run on ARCH (--format verify)
    #[arg(long = "verify-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    pub(crate) verify_dir: Vec<(String, String)>,

    /// The new compose's binary names on ARCH (--format verify)
    #[arg(long = "new-compose", value_name = "ARCH=FILE", value_parser = arch_value)]
    pub(crate) new_compose: Vec<(String, String)>,

    /// Write ARCH/new-failures.txt and ARCH/missing.txt under DIR (--format verify)
    #[arg(long = "verify-out", value_name = "DIR")]
    pub(crate) verify_out: Option<PathBuf>,

    // Not the archful tools' --allow-empty: other lists (--compose,
    // --buildroot), and no cache or repo emptied by it.
    /// Take an empty --compose or --buildroot list (refused otherwise: it is what a failed
    /// step before produces)
    #[arg(long)]
    pub(crate) allow_empty: bool,

    /// Write to FILE (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    // Not `cli::QuietArgs`: workload-diff reads no repositories; its -q
    // drops its own warnings (and the note that a list is read from the
    // terminal).
    /// No warnings on stderr
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

/// Parses `ARCH=VALUE`.
pub(crate) fn arch_value(s: &str) -> Result<(String, String), String> {
    let (arch, value) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not ARCH=PATH"))?;
    if arch.is_empty() || !arch.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return Err(format!("'{arch}' is not an arch name (in '{s}')"));
    }
    if value.is_empty() {
        return Err(format!("no path after '{arch}=' (in '{s}')"));
    }
    Ok((arch.to_string(), value.to_string()))
}
