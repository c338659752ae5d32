//! workload-diff: workflow step 6. Compares each arch's buildroot with its
//! compose and writes the ELN-Buildroot workload, the buildroot document
//! (both content-resolver YAML), a text report or JSON.
//!
//! Thin by design: argument parsing and arch bookkeeping here, everything
//! else in `buildroot_core::workload`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buildroot_core::pkglist::{read_set, Names};
use buildroot_core::workload::{
    BuildrootDir, BuildrootDocument, WorkloadDiff, WorkloadMeta, CONTENT_RESOLVER_ARCHES,
};
use clap::{Parser, ValueEnum};

const AFTER_HELP: &str = "\
Per arch, the buildroot binaries that are not in that arch's compose are added (minus the names \
of --exclude). Names added on every arch go under the workload's `packages`, the rest under \
`arch_packages: {ARCH: [...]}`; every arch appears there, with [] when it has none.

Name lists have one name per line; `#` comments and blank lines are ignored. NEVRA lines \
(bash-5.2-1.fc40.x86_64) and SRPM file names (foo-1.0-1.fc40.src.rpm) in --compose and \
--buildroot lists are reduced to names, so content-resolver's view-binary-package-list works as \
well as its name list. `-` reads one of the lists from stdin.

Formats:
  workload   feedback-pipeline-workload YAML (default)
  buildroot  feedback-pipeline-buildroot YAML from --buildroot-dir: base_buildroot from
             CoreBuildRootBinaries, source_packages from output/*-deps-binary
  text       per arch: counts, then every added (+) and excluded (!) name
  --json     the added sets as JSON (packages, arch_packages, per-arch counts and names)

Examples:
  # The ELN-Buildroot workload for two arches
  workload-diff --compose x86_64=compose/x86_64.txt --compose aarch64=compose/aarch64.txt \\
      --buildroot x86_64=pass2/x86_64/buildroot-binary-package-names.txt \\
      --buildroot aarch64=pass2/aarch64/buildroot-binary-package-names.txt \\
      --exclude exclude.txt -o eln-buildroot-workload.yaml

  # The buildroot document from the generator's output directories
  workload-diff --format buildroot --buildroot-dir x86_64=pass2/x86_64 \\
      --buildroot-dir aarch64=pass2/aarch64 --view view-eln -o buildroot.yaml

  # What the buildroot adds, for a human or a script
  workload-diff --compose x86_64=compose.txt --buildroot-dir x86_64=pass2/x86_64 --format text
  workload-diff --json --compose x86_64=compose.txt --buildroot x86_64=br.txt | jq .packages

Every arch given to --compose needs a --buildroot or --buildroot-dir, and the other way round.
With --buildroot-dir and no --buildroot, the buildroot is the directory's
buildroot-binary-package-names.txt (or CoreBuildRootBinaries plus every output/*-deps-binary).

Exit codes:
  0  success
  2  usage or input error (missing or unreadable file, bad list, arch mismatch), or the output
     could not be written; one line on stderr names the file and the problem";

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// feedback-pipeline-workload YAML
    Workload,
    /// feedback-pipeline-buildroot YAML (needs --buildroot-dir)
    Buildroot,
    /// A human-readable report per arch
    Text,
}

/// Compare the buildroot with the compose per arch and write content-resolver's
/// ELN-Buildroot workload (or buildroot document, or a report).
#[derive(Parser, Debug)]
#[command(name = "workload-diff", version, after_help = AFTER_HELP)]
struct Cli {
    /// The compose's binary names on ARCH (repeat per arch)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    compose: Vec<(String, String)>,

    /// The buildroot's binary names on ARCH (e.g. buildroot-binary-package-names.txt)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    buildroot: Vec<(String, String)>,

    /// A buildroot-generator output directory for ARCH
    #[arg(long = "buildroot-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    buildroot_dir: Vec<(String, String)>,

    /// Names never put into the workload, one per line (repeatable)
    #[arg(long, value_name = "FILE")]
    exclude: Vec<String>,

    /// Output format [default: workload]
    #[arg(long, value_enum)]
    format: Option<Format>,

    /// Print the added sets as JSON instead
    #[arg(long, conflicts_with = "format")]
    json: bool,

    /// Workload name [default: ELN Buildroot Workload]
    #[arg(long)]
    name: Option<String>,

    /// Workload description [default: The packages that are not part of ELN, but needed to build it.]
    #[arg(long)]
    description: Option<String>,

    /// Maintainer of the workload and buildroot documents [default: rpm-buildroot]
    #[arg(long)]
    maintainer: Option<String>,

    /// Workload label (repeatable; replaces the default eln-buildroot)
    #[arg(long = "label", value_name = "LABEL")]
    labels: Vec<String>,

    /// Removed: content-resolver rejects a workload with a `repositories` key.
    #[arg(long = "repository", value_name = "ID", hide = true)]
    repositories: Vec<String>,

    /// The view id of the buildroot document
    #[arg(long, value_name = "NAME", default_value = "view-eln")]
    view: String,

    /// Write to FILE (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Parses `ARCH=VALUE`.
fn arch_value(s: &str) -> Result<(String, String), String> {
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

/// A one-line error for the user; every failure exits 2.
struct Failure(String);

impl From<buildroot_core::Error> for Failure {
    fn from(e: buildroot_core::Error) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("workload-diff: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if !cli.repositories.is_empty() {
        return Err(Failure(
            "--repository is no longer accepted: content-resolver rejects a workload with a \
             'repositories' key (its views name the repositories); drop the option"
                .into(),
        ));
    }
    let compose = by_arch(&cli.compose, "--compose")?;
    let buildroot = by_arch(&cli.buildroot, "--buildroot")?;
    let dirs = by_arch(&cli.buildroot_dir, "--buildroot-dir")?;
    let format = cli.format.unwrap_or(Format::Workload);
    check_arches(&compose, &buildroot, &dirs, format == Format::Buildroot)?;
    let stdin_users = cli
        .compose
        .iter()
        .chain(&cli.buildroot)
        .map(|(_, p)| p)
        .chain(&cli.exclude)
        .filter(|p| p.as_str() == "-")
        .count();
    if stdin_users > 1 {
        return Err(Failure("only one list can be read from stdin ('-')".into()));
    }

    let unread: BTreeSet<&str> = compose
        .keys()
        .chain(dirs.keys())
        .copied()
        .filter(|a| !CONTENT_RESOLVER_ARCHES.contains(a))
        .collect();
    if !cli.json && format != Format::Text && !unread.is_empty() {
        eprintln!(
            "workload-diff: warning: content-resolver skips arch {} (it reads {})",
            unread.into_iter().collect::<Vec<_>>().join(", "),
            CONTENT_RESOLVER_ARCHES.join(", ")
        );
    }
    let meta = meta(cli);
    let text = if format == Format::Buildroot {
        let mut read = BTreeMap::new();
        for (arch, dir) in &dirs {
            read.insert(arch.to_string(), BuildrootDir::read(Path::new(dir))?);
        }
        BuildrootDocument::from_dirs(&meta.maintainer, &cli.view, &read).to_yaml()?
    } else {
        let diff = compute_diff(cli, &compose, &buildroot, &dirs)?;
        if cli.json {
            diff.to_json()
        } else if format == Format::Text {
            diff.to_text()
        } else {
            diff.workload(&meta).to_yaml()?
        }
    };
    write_output(cli.output.as_deref(), &text)
}

/// ARCH -> path, rejecting an arch given twice to the same option.
fn by_arch<'a>(
    pairs: &'a [(String, String)],
    opt: &str,
) -> Result<BTreeMap<&'a str, &'a str>, Failure> {
    let mut map = BTreeMap::new();
    for (arch, path) in pairs {
        if map.insert(arch.as_str(), path.as_str()).is_some() {
            return Err(Failure(format!("{opt} {arch} given twice")));
        }
    }
    Ok(map)
}

/// Every compose arch needs a buildroot (file or dir) and the other way
/// round; the buildroot format needs a directory for every arch.
fn check_arches(
    compose: &BTreeMap<&str, &str>,
    buildroot: &BTreeMap<&str, &str>,
    dirs: &BTreeMap<&str, &str>,
    buildroot_format: bool,
) -> Result<(), Failure> {
    if buildroot_format {
        if dirs.is_empty() {
            return Err(Failure(
                "--format buildroot needs --buildroot-dir ARCH=DIR for every arch".into(),
            ));
        }
        if let Some(a) = compose
            .keys()
            .chain(buildroot.keys())
            .find(|a| !dirs.contains_key(*a))
        {
            return Err(Failure(format!(
                "--format buildroot needs --buildroot-dir for {a}"
            )));
        }
        if compose.is_empty() {
            return Ok(());
        }
    } else if compose.is_empty() {
        return Err(Failure(
            "--compose ARCH=FILE is required (once per arch)".into(),
        ));
    }
    if let Some(a) = compose
        .keys()
        .find(|a| !buildroot.contains_key(*a) && !dirs.contains_key(*a))
    {
        return Err(Failure(format!(
            "arch {a} has --compose but no --buildroot or --buildroot-dir"
        )));
    }
    if let Some(a) = buildroot.keys().find(|a| !compose.contains_key(*a)) {
        return Err(Failure(format!(
            "arch {a} has --buildroot but no --compose"
        )));
    }
    if let Some(a) = dirs.keys().find(|a| !compose.contains_key(*a)) {
        return Err(Failure(format!(
            "arch {a} has --buildroot-dir but no --compose"
        )));
    }
    Ok(())
}

fn meta(cli: &Cli) -> WorkloadMeta {
    let mut meta = WorkloadMeta::default();
    if let Some(v) = &cli.name {
        meta.name = v.clone();
    }
    if let Some(v) = &cli.description {
        meta.description = v.clone();
    }
    if let Some(v) = &cli.maintainer {
        meta.maintainer = v.clone();
    }
    if !cli.labels.is_empty() {
        meta.labels = cli.labels.iter().cloned().collect();
    }
    meta
}

fn compute_diff(
    cli: &Cli,
    compose: &BTreeMap<&str, &str>,
    buildroot: &BTreeMap<&str, &str>,
    dirs: &BTreeMap<&str, &str>,
) -> Result<WorkloadDiff, Failure> {
    let mut comp = BTreeMap::new();
    let mut br = BTreeMap::new();
    for (arch, file) in compose {
        comp.insert(arch.to_string(), read_set(file, Names::Reduce)?);
        let names = match buildroot.get(arch) {
            Some(file) => read_set(file, Names::Reduce)?,
            // check_arches guarantees one of the two.
            None => BuildrootDir::read(Path::new(dirs[arch]))?.binary_names(),
        };
        br.insert(arch.to_string(), names);
    }
    let mut exclude = BTreeSet::new();
    for file in &cli.exclude {
        exclude.extend(read_set(file, Names::Verbatim)?);
    }
    Ok(WorkloadDiff::compute(&comp, &br, &exclude)?)
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), Failure> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            buildroot_core::atomic::write_file(p, text.as_bytes())?;
        }
        _ => {
            // Errors name standard output; `workload-diff ... | head` is not one.
            let mut out = buildroot_core::pkglist::Stdout::lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure(e.to_string()))?;
        }
    }
    Ok(())
}
