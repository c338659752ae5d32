//! workload-diff: workflow steps 6 and 10. Compares each arch's buildroot
//! with its compose and writes the ELN-Buildroot workload, the buildroot
//! document (both content-resolver YAML), a text report, JSON, or the change
//! report against a previous workload; for step 10, the binaries compose +
//! workload allow and the verification of the restricted run.
//!
//! Thin by design: argument parsing, the checks of option combinations and
//! the output here; reading the inputs and everything computed from them in
//! `buildroot_core::workload` (`request`: the document a format asks for;
//! `verify_report`: step 10's report); `args.rs`, the options and help.

mod args;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use buildroot_core::pkglist::one_list_from_stdin;
use buildroot_core::workload::request::{self, by_arch, check_arches, Format, Request};
use buildroot_core::workload::verify_report::verify_report;
use buildroot_core::workload::WorkloadMeta;
use buildroot_core::Error;
use clap::ValueEnum;

use args::Cli;

fn main() -> ExitCode {
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("workload-diff", |cli: Cli| {
        check_format_options(&cli)?;
        check_outputs_writable(&cli)?;
        if cli.format == Some(Format::Verify) {
            verify(&cli).map(u8::from)
        } else {
            run(&cli).map(|()| 0)
        }
    })
}

fn run(cli: &Cli) -> Result<(), Error> {
    if cli.quiet {
        buildroot_core::pkglist::quiet_terminal_note();
    }
    buildroot_core::cli::check_view(&cli.view)?;
    if !cli.repositories.is_empty() {
        return Err(Error::Usage(
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
            return Err(Error::Usage(format!(
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

    let request = Request {
        format,
        json: cli.json,
        compose,
        buildroot,
        dirs,
        exclude: &cli.exclude,
        meta: meta(cli),
        view: &cli.view,
        workload: cli.workload.as_deref(),
        previous: cli.previous.as_deref(),
        previous_run: cli.previous_run.as_deref(),
        previous_dir: &cli.previous_dir,
        skipped_repos: cli.skipped_repos.as_deref(),
        previous_skipped_repos: cli.previous_skipped_repos.as_deref(),
        allow_empty: cli.allow_empty,
        quiet: cli.quiet,
        output: cli.output.as_deref(),
    };
    let text = request::document(&request, &|w| {
        buildroot_core::diag!("workload-diff: warning: {w}")
    })?;
    write_output(cli.output.as_deref(), &text)
}

/// Options that only one format reads are refused with any other: a
/// forgotten `--format changes` would otherwise write a workload and pass
/// over `--previous` (even one that does not exist) without a word.
fn check_format_options(cli: &Cli) -> Result<(), Error> {
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
            return Err(Error::Usage(format!(
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

/// `--format verify`; true when something was found.
fn verify(cli: &Cli) -> Result<bool, Error> {
    let pass2 = by_arch(&cli.buildroot_dir, "--buildroot-dir")?;
    let runs = by_arch(&cli.verify_dir, "--verify-dir")?;
    let news = by_arch(&cli.new_compose, "--new-compose")?;
    if runs.is_empty() && news.is_empty() {
        return Err(Error::Usage(
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
    let paths = request::verify_paths(&pass2, &runs, &news)?;
    let report = verify_report(&paths, cli.verify_out.as_deref())?;
    write_output(cli.output.as_deref(), &report.text)?;
    Ok(report.found)
}

/// `-o` and `--verify-out` where nothing can be written (a read-only file
/// system, `/sys`) are said before the inputs are read, naming the option.
/// An existing `--verify-out` is written into, not beside: not probed.
fn check_outputs_writable(cli: &Cli) -> Result<(), Error> {
    let verify_out = cli.verify_out.as_deref().filter(|p| !p.exists());
    let outputs = [("-o", cli.output.as_deref()), ("--verify-out", verify_out)];
    for (label, path) in outputs {
        if let Some(p) = path.filter(|p| p.as_os_str() != "-") {
            buildroot_core::atomic::check_writable(p, label)?;
        }
    }
    Ok(())
}

fn write_output(path: Option<&Path>, text: &str) -> Result<(), Error> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            buildroot_core::atomic::write_file(p, text.as_bytes())?;
        }
        _ => {
            // Errors name standard output; `workload-diff ... | head` is not one.
            let mut out = buildroot_core::pkglist::Stdout::lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Error::Usage(e.to_string()))?;
        }
    }
    Ok(())
}
