//! workload-diff: workflow steps 6 and 10. Compares each arch's buildroot
//! with its compose and writes the ELN-Buildroot workload, the buildroot
//! document (both content-resolver YAML), a text report, JSON, or the change
//! report against a previous workload; for step 10, the binaries compose +
//! workload allow and the verification of the restricted run.
//!
//! Thin by design: argument parsing, the checks of option combinations and
//! the output here; reading the inputs and everything computed from them in
//! `buildroot_core::workload` (`inputs`, `verify_report`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use buildroot_core::pkglist::one_list_from_stdin;
use buildroot_core::workload::changes::{self, Changes};
use buildroot_core::workload::inputs::{self, ArchPaths};
use buildroot_core::workload::skipped_repos;
use buildroot_core::workload::verify_report::{verify_report, VerifyPaths};
use buildroot_core::workload::{WorkloadDocument, WorkloadMeta, CONTENT_RESOLVER_ARCHES};
use clap::{Parser, ValueEnum};

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
  # last/ stands for the previous run's directory, work/last/, and exclude.txt,
  # skipped-repos.txt and new-compose.txt for files of yours: the exclude list, a run's
  # record of the repos it went on without, the new compose's binary names)

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
  workload-diff --format changes --previous last/eln-buildroot-workload.yaml \\
      --previous-dir x86_64=last/pass2/x86_64 --compose x86_64=compose/x86_64.txt \\
      --buildroot-dir x86_64=pass2/x86_64 -o mine/changes.md
  # ... naming the previous run by its id (a --previous under -o's directory, as the
  # workflow's copy in the run's previous/, is named from there, not by an absolute path)
  workload-diff --format changes-json --previous last/eln-buildroot-workload.yaml \\
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

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// feedback-pipeline-workload YAML
    Workload,
    /// feedback-pipeline-buildroot YAML (needs --buildroot-dir)
    Buildroot,
    /// A human-readable report per arch
    Text,
    /// What entered and left the workload since --previous (Markdown)
    Changes,
    /// The same as JSON
    ChangesJson,
    /// Step 10: the binaries compose + workload allow on one arch
    Allowed,
    /// Step 10: what the restricted run could not build, and what the new compose lacks
    Verify,
}

/// Compare the buildroot with the compose per arch and write content-resolver's
/// ELN-Buildroot workload (or buildroot document, or a report).
#[derive(Parser, Debug)]
#[command(name = "workload-diff", version, after_help = format!("{AFTER_HELP}\n\n{}", buildroot_core::cli::SIGNALS_HELP))]
struct Cli {
    /// The compose's binary names on ARCH (repeat per arch)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    compose: Vec<(String, String)>,

    /// The buildroot's binary names on ARCH (e.g. buildroot-binary-package-names.txt)
    #[arg(long, value_name = "ARCH=FILE", value_parser = arch_value)]
    buildroot: Vec<(String, String)>,

    /// A buildroot-generator output directory for ARCH (a fixed point's: one written with
    /// --builds-only is refused)
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

    /// No effect, kept for scripts: `experimental` and `repositories` (which the current
    /// content-resolver rejects) are never written
    #[arg(long, hide = true)]
    no_legacy_keys: bool,

    /// The previous run's workload YAML (--format changes; "-": stdin)
    #[arg(long, value_name = "FILE")]
    previous: Option<PathBuf>,

    /// The previous run's id, named by the change report (--format changes, changes-json;
    /// the workflow's runs/ID: the run's directory is pruned later, its id stays meaningful)
    #[arg(long = "previous-run", value_name = "ID")]
    previous_run: Option<String>,

    /// The previous run's generator output directory for ARCH (--format changes)
    #[arg(long = "previous-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    previous_dir: Vec<(String, String)>,

    /// This run's skipped-repos.txt: the repos it went on without, said in the change report
    /// (--format changes, changes-json)
    #[arg(long = "skipped-repos", value_name = "FILE")]
    skipped_repos: Option<PathBuf>,

    /// The previous run's skipped-repos.txt (--format changes, changes-json)
    #[arg(long = "previous-skipped-repos", value_name = "FILE")]
    previous_skipped_repos: Option<PathBuf>,

    /// A workload YAML (--format allowed; "-": stdin)
    #[arg(long, value_name = "FILE")]
    workload: Option<PathBuf>,

    /// The generator's output directory of step 10's restricted run on ARCH (--format verify)
    #[arg(long = "verify-dir", value_name = "ARCH=DIR", value_parser = arch_value)]
    verify_dir: Vec<(String, String)>,

    /// The new compose's binary names on ARCH (--format verify)
    #[arg(long = "new-compose", value_name = "ARCH=FILE", value_parser = arch_value)]
    new_compose: Vec<(String, String)>,

    /// Write ARCH/new-failures.txt and ARCH/missing.txt under DIR (--format verify)
    #[arg(long = "verify-out", value_name = "DIR")]
    verify_out: Option<PathBuf>,

    /// Take an empty --compose or --buildroot list (refused otherwise: it is what a failed
    /// step before produces)
    #[arg(long)]
    allow_empty: bool,

    /// Write to FILE (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    /// No warnings on stderr
    #[arg(short, long)]
    quiet: bool,
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

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<buildroot_core::Error> for Failure {
    fn from(e: buildroot_core::Error) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("workload-diff", |cli: Cli| {
        check_format_options(&cli)?;
        if cli.format == Some(Format::Verify) {
            verify(&cli).map(u8::from)
        } else {
            run(&cli).map(|()| 0)
        }
    })
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.quiet {
        buildroot_core::pkglist::quiet_terminal_note();
    }
    buildroot_core::cli::check_view(&cli.view)?;
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
    check_arches(&compose, &buildroot, &dirs, format)?;
    // A generator output directory given as the list: a usage error, said
    // before any file is read (reading it would say only "Is a directory").
    for (arch, file) in &buildroot {
        if *file != "-" && Path::new(file).is_dir() {
            return Err(Failure(format!(
                "--buildroot {arch}={file}: is a directory (a generator output directory? use \
                 --buildroot-dir {arch}={file})"
            )));
        }
    }
    let labels: Vec<(String, &str)> = (cli
        .compose
        .iter()
        .map(|(a, p)| (format!("--compose {a}"), p)))
    .chain(
        cli.buildroot
            .iter()
            .map(|(a, p)| (format!("--buildroot {a}"), p)),
    )
    .chain(cli.exclude.iter().map(|p| ("--exclude".to_string(), p)))
    .map(|(label, p)| (label, p.as_str()))
    .chain(
        [("--workload", &cli.workload), ("--previous", &cli.previous)]
            .into_iter()
            .filter_map(|(label, p)| Some((label.to_string(), p.as_ref()?.to_str()?))),
    )
    .collect();
    one_list_from_stdin(labels.iter().map(|(l, p)| (l.as_str(), *p)))?;

    let unread: BTreeSet<&str> = compose
        .keys()
        .chain(dirs.keys())
        .copied()
        .filter(|a| !CONTENT_RESOLVER_ARCHES.contains(a))
        .collect();
    if !cli.quiet && !cli.json && format != Format::Text && !unread.is_empty() {
        buildroot_core::diag!(
            "workload-diff: warning: content-resolver skips arch {} (it reads {})",
            unread.into_iter().collect::<Vec<_>>().join(", "),
            CONTENT_RESOLVER_ARCHES.join(", ")
        );
    }
    let meta = meta(cli);
    let text = match format {
        Format::Allowed => allowed(cli, &compose)?,
        Format::Buildroot => {
            let dirs = dirs.iter().map(|(a, d)| (*a, Path::new(*d))).collect();
            inputs::read_buildroot_document(&meta.maintainer, &cli.view, &dirs)?.to_yaml()?
        }
        _ => from_diff(cli, format, &meta, &compose, &buildroot, &dirs)?,
    };
    write_output(cli.output.as_deref(), &text)
}

/// `--format allowed`: the one --compose arch's names with the workload's.
fn allowed(cli: &Cli, compose: &BTreeMap<&str, &str>) -> Result<String, Failure> {
    let Some(workload) = &cli.workload else {
        return Err(Failure("--format allowed needs --workload FILE".into()));
    };
    let (arch, file) = compose.iter().next().expect("checked: one --compose");
    Ok(inputs::read_allowed(file, workload, arch)?
        .into_iter()
        .map(|n| n + "\n")
        .collect())
}

/// The formats computed from the diff: workload, text, JSON, changes.
fn from_diff(
    cli: &Cli,
    format: Format,
    meta: &WorkloadMeta,
    compose: &BTreeMap<&str, &str>,
    buildroot: &BTreeMap<&str, &str>,
    dirs: &BTreeMap<&str, &str>,
) -> Result<String, Failure> {
    let mut paths: BTreeMap<&str, ArchPaths> = compose
        .iter()
        .map(|(arch, file)| {
            let paths = ArchPaths {
                compose: file,
                buildroot: buildroot.get(arch).copied(),
                dir: dirs.get(arch).copied().map(Path::new),
                previous_dir: None,
            };
            (*arch, paths)
        })
        .collect();
    // Read once: a list given as `-` is stdin, which the change report
    // would otherwise read a second time and find empty.
    let mut empty_composes = Vec::new();
    let lists = inputs::read_lists(&paths, &cli.exclude, &mut |arch, file| {
        empty_composes.push((arch.to_string(), file.to_string()))
    })?;
    // An empty compose is most likely a failed step 1 (every buildroot
    // binary would land in the workload), an empty buildroot list a failed
    // generator run (a buildroot always holds the core; nothing of the arch
    // would go into the workload): refused, as the other tools refuse an
    // empty list, unless --allow-empty says it is meant (a new arch, a test).
    let empty_buildroots = buildroot
        .iter()
        .filter(|(arch, _)| lists.buildroot.get(**arch).is_some_and(BTreeSet::is_empty));
    let empties = empty_composes
        .iter()
        .map(|(arch, file)| {
            let option = format!("--compose {arch}={file}");
            (
                option,
                format!("the whole {arch} buildroot goes into the workload"),
            )
        })
        .chain(empty_buildroots.map(|(arch, file)| {
            let option = format!("--buildroot {arch}={file}");
            (
                option,
                format!("nothing of the {arch} buildroot goes into the workload"),
            )
        }));
    for (option, what) in empties {
        if !cli.allow_empty {
            return Err(Failure(format!(
                "{option} lists no packages (did the step before fail?); with --allow-empty {what}"
            )));
        }
        if !cli.quiet {
            buildroot_core::diag!("workload-diff: warning: {option} lists no packages: {what}");
        }
    }
    let diff = lists.diff()?;
    let workload = diff.workload(meta);
    Ok(if cli.json {
        diff.to_json()
    } else if format == Format::Text {
        diff.to_text()
    } else if matches!(format, Format::Changes | Format::ChangesJson) {
        let changes = changes(cli, &workload, &mut paths, &lists)?;
        if format == Format::Changes {
            changes.to_markdown()
        } else {
            changes.to_json()
        }
    } else {
        workload.to_yaml()?
    })
}

/// ARCH -> path, rejecting an arch given twice to the same option.
fn by_arch<'a>(
    pairs: &'a [(String, String)],
    opt: &str,
) -> Result<BTreeMap<&'a str, &'a str>, Failure> {
    let mut map = BTreeMap::new();
    for (arch, path) in pairs {
        // As the other tools' --arch: a misspelt arch is an error, not an
        // arch content-resolver skips (those are real arches, riscv64, say).
        if !buildroot_core::arch::is_known(arch) {
            return Err(Failure(format!(
                "{opt} {arch}={path}: unknown architecture (known: {})",
                buildroot_core::arch::known().join(", ")
            )));
        }
        if map.insert(arch.as_str(), path.as_str()).is_some() {
            return Err(Failure(format!("{opt} {arch} given twice")));
        }
    }
    Ok(map)
}

/// Options that only one format reads are refused with any other: a
/// forgotten `--format changes` would otherwise write a workload and pass
/// over `--previous` (even one that does not exist) without a word.
fn check_format_options(cli: &Cli) -> Result<(), Failure> {
    use Format::*;
    let format = cli.format.unwrap_or(Workload);
    let given: [(&str, bool, &[Format]); 9] = [
        (
            "--previous",
            cli.previous.is_some(),
            &[Changes, ChangesJson],
        ),
        (
            "--previous-run",
            cli.previous_run.is_some(),
            &[Changes, ChangesJson],
        ),
        (
            "--previous-dir",
            !cli.previous_dir.is_empty(),
            &[Changes, ChangesJson],
        ),
        (
            "--skipped-repos",
            cli.skipped_repos.is_some(),
            &[Changes, ChangesJson],
        ),
        (
            "--previous-skipped-repos",
            cli.previous_skipped_repos.is_some(),
            &[Changes, ChangesJson],
        ),
        ("--workload", cli.workload.is_some(), &[Allowed]),
        ("--verify-dir", !cli.verify_dir.is_empty(), &[Verify]),
        ("--new-compose", !cli.new_compose.is_empty(), &[Verify]),
        ("--verify-out", cli.verify_out.is_some(), &[Verify]),
    ];
    for (option, is_given, formats) in given {
        if is_given && !formats.contains(&format) {
            let wanted: Vec<String> = formats.iter().map(|f| format_name(*f)).collect();
            let this = if cli.json {
                "--json".to_string()
            } else {
                format!("--format {}", format_name(format))
            };
            return Err(Failure(format!(
                "{option} is read by --format {} only, not by {this}",
                wanted.join(" or ")
            )));
        }
    }
    Ok(())
}

/// A format as `--format` names it.
fn format_name(f: Format) -> String {
    f.to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// Every compose arch needs a buildroot (file or dir) and the other way
/// round; the buildroot format needs a directory for every arch.
fn check_arches(
    compose: &BTreeMap<&str, &str>,
    buildroot: &BTreeMap<&str, &str>,
    dirs: &BTreeMap<&str, &str>,
    format: Format,
) -> Result<(), Failure> {
    let buildroot_format = format == Format::Buildroot;
    if format == Format::Allowed {
        return if compose.len() == 1 {
            Ok(())
        } else {
            Err(Failure(
                "--format allowed needs exactly one --compose ARCH=FILE (and --workload)".into(),
            ))
        };
    }
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

/// `--format changes`: the current workload against --previous.
fn changes<'a>(
    cli: &'a Cli,
    current: &WorkloadDocument,
    paths: &mut BTreeMap<&str, ArchPaths<'a>>,
    lists: &inputs::Lists,
) -> Result<Changes, Failure> {
    let previous = match &cli.previous {
        Some(p) if p.as_os_str() == "-" => Some((WorkloadDocument::read(p)?, "<stdin>".into())),
        Some(p) => {
            let named = beside_output(cli, p).unwrap_or_else(|| p.display().to_string());
            Some((WorkloadDocument::read(p)?, named))
        }
        None => None,
    };
    let previous_run = match &cli.previous_run {
        Some(id) if id.is_empty() || id.chars().any(|c| c.is_control() || c == '`') => {
            return Err(Failure(format!(
                "--previous-run '{}': not a run id (one line of text, no '`')",
                id.escape_debug()
            )));
        }
        Some(_) if cli.previous.is_none() => {
            return Err(Failure(
                "--previous-run names the run of --previous: give --previous FILE too".into(),
            ));
        }
        id => id.clone(),
    };
    let previous_dirs = by_arch(&cli.previous_dir, "--previous-dir")?;
    for (arch, paths) in paths.iter_mut() {
        paths.previous_dir = previous_dirs.get(arch).copied().map(Path::new);
    }
    let mut changes = inputs::read_changes(
        current,
        previous.as_ref().map(|(w, o)| (w, o.as_str())),
        paths,
        lists,
    )?;
    if let Some(f) = &cli.skipped_repos {
        changes.skipped_repos = skipped_repos::read(f)?;
    }
    if let Some(f) = &cli.previous_skipped_repos {
        changes.previous_skipped_repos = skipped_repos::read(f)?;
        changes.previous_skipped_record = beside_output(cli, f);
    }
    changes.previous_run = previous_run;
    Ok(changes)
}

/// `path` named from `-o`'s directory when it lies there
/// ([`changes::named_beside`]); None without `-o`.
fn beside_output(cli: &Cli, path: &Path) -> Option<String> {
    let out = cli.output.as_deref().filter(|o| o.as_os_str() != "-")?;
    changes::named_beside(out, path)
}

/// `--format verify`; true when something was found.
fn verify(cli: &Cli) -> Result<bool, Failure> {
    let pass2 = by_arch(&cli.buildroot_dir, "--buildroot-dir")?;
    let runs = by_arch(&cli.verify_dir, "--verify-dir")?;
    let news = by_arch(&cli.new_compose, "--new-compose")?;
    if runs.is_empty() && news.is_empty() {
        return Err(Failure(
            "--format verify needs --verify-dir ARCH=DIR or --new-compose ARCH=FILE".into(),
        ));
    }
    buildroot_core::pkglist::not_stdout(
        "--verify-out",
        cli.verify_out.as_deref(),
        "a directory",
        "-o - prints the report on stdout",
    )?;
    let labels: Vec<(String, &str)> = news
        .iter()
        .map(|(a, p)| (format!("--new-compose {a}"), *p))
        .collect();
    one_list_from_stdin(labels.iter().map(|(l, p)| (l.as_str(), *p)))?;
    let mut arches: BTreeSet<&str> = runs.keys().copied().collect();
    arches.extend(news.keys().copied());
    if let Some(a) = arches.iter().find(|a| !pass2.contains_key(**a)) {
        return Err(Failure(format!(
            "arch {a} has --verify-dir or --new-compose but no --buildroot-dir (pass 2)"
        )));
    }
    let paths: BTreeMap<&str, VerifyPaths> = arches
        .into_iter()
        .map(|arch| {
            let paths = VerifyPaths {
                pass2: Path::new(pass2[arch]),
                run: runs.get(arch).copied().map(Path::new),
                new_compose: news.get(arch).copied(),
            };
            (arch, paths)
        })
        .collect();
    let report = verify_report(&paths, cli.verify_out.as_deref())?;
    write_output(cli.output.as_deref(), &report.text)?;
    Ok(report.found)
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
