//! The options as the library's `generator::Request`: each value checked
//! and each combination the tool refuses refused (exit 2, one line), in
//! the order the tool has always made these checks, before any repository
//! is read; the core names, placeholders, output directory and input are
//! read through the library.

use std::io::IsTerminal;

use anyhow::{bail, Context, Result};
use buildroot_core::arch::ArchPolicy;
use buildroot_core::archful::MacroArgs;
use buildroot_core::buildroot::{self, Config, Scope};
use buildroot_core::generator::{self, Input, Request};
use clap::ValueEnum;

use super::args::Args;

/// How many failed sources' details a terminal shows (logs get them all).
const FAILURES_SHOWN_ON_A_TERMINAL: usize = 10;

/// The request `args` make; `terminal`: stderr shows the progress display.
pub(crate) fn request(args: &Args, terminal: bool) -> Result<Request<'_>> {
    buildroot_core::cli::check_view(args.view.as_deref().unwrap_or(generator::DEFAULT_VIEW))?;
    let arch = args.target.checked()?;
    ArchPolicy::new(arch).with_context(|| format!("--arch {arch}"))?;
    let prefer_release = args.prefer.regex()?;
    // A what-if typed at a terminal without an input: the given files'
    // names are the input (nothing would come from the terminal).
    let given_as_input = args.list.input == "-"
        && std::io::stdin().is_terminal()
        && !(args.srpm.is_empty() && args.spec.is_empty());
    one_list_from_stdin(args, given_as_input)?;
    let placeholders = match &args.placeholders {
        Some(p) => buildroot::read_placeholders(p)?,
        None => Default::default(),
    };
    let core = generator::core_names(
        args.core.core.as_deref(),
        args.core_file.as_deref(),
        args.core.release_package(),
        args.core.release_package.is_some(),
    )?;
    if let (Some(w), false) = (&core.warning, args.quiet.quiet) {
        buildroot_core::diag!("buildroot-generator: warning: {w}");
    }
    refuse_combinations(args)?;
    if let Some(dir) = &args.output_dir {
        // Fail before the work, not after it, when the output cannot be written.
        generator::prepare_output_dir(dir)?;
    }
    let input = match given_as_input {
        true => Input::GivenFiles,
        false => Input::Lines(generator::read_input(&args.list.input)?),
    };
    Ok(Request {
        arch,
        repos: &args.repos,
        config: Config {
            core: core.names,
            prefer_release,
            placeholders,
            without_given_files: false,
            scope: match args.builds_only {
                true => Scope::Input,
                false => Scope::FixedPoint,
            },
        },
        release_by_default: core.release_by_default,
        input,
        input_name: args.list.shown().to_string(),
        from_binaries: args.from_binaries,
        only_binaries: &args.only_binaries,
        srpms: &args.srpm,
        specs: &args.spec,
        macros: MacroArgs {
            spec: args.spec_macros.clone(),
            ..Default::default()
        },
        spec_args: &args.spec_args,
        compare: args.compare,
        output_dir: args.output_dir.as_deref(),
        view: args.view.as_deref(),
        why: args.why.as_deref(),
        json: args.json,
        print: args.print(),
        timings: args.timings,
        quiet: args.quiet.quiet,
        failures_shown: terminal.then_some(FAILURES_SHOWN_ON_A_TERMINAL),
    })
}

/// At most one of the lists is read from stdin.
fn one_list_from_stdin(args: &Args, given_as_input: bool) -> Result<()> {
    let input = (!given_as_input).then_some(("INPUT", args.list.input.as_str()));
    let placeholders_file = args.placeholders.as_ref().map(|p| p.to_str().unwrap_or(""));
    buildroot_core::pkglist::one_list_from_stdin(
        input
            .into_iter()
            .chain(args.core_file.as_deref().map(|f| ("--core-file", f)))
            .chain(placeholders_file.map(|f| ("--placeholders", f)))
            .chain(
                args.only_binaries
                    .iter()
                    .map(|f| ("--only-binaries", f.as_str())),
            ),
    )?;
    Ok(())
}

/// The combinations of options the tool refuses: one of them would be
/// dropped without a word.
fn refuse_combinations(args: &Args) -> Result<()> {
    // --json prints every list (and --compare --json every list's change):
    // a --print beside it chose nothing and was dropped without a word.
    if let (true, Some(p)) = (args.json, args.print) {
        bail!(
            "--print {0} is not read with --json, whose document holds every list (jq \
             '.{1}' picks this one): give one of the two",
            p.to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
            p.key()
        );
    }
    // These make the macros the --spec files are read with (--trust-specs:
    // whether their shell code runs unsandboxed); without one
    // they would be dropped without a word (clap's "required argument
    // --spec" read as if every run needed a spec). An SRPM's BuildRequires
    // are its header's, as rpmbuild -bs wrote them: no macro changes them.
    if let (true, Some((option, [what, one]))) = (args.spec.is_empty(), args.spec_only_option()) {
        let srpm = match args.srpm.is_empty() {
            true => String::new(),
            false => {
                format!(" (an --srpm's BuildRequires are its header's, which no {one} changes)")
            }
        };
        bail!("{option}: only read with --spec FILE, for the spec's {what}, and no --spec is given{srpm}");
    }
    if args.compare && args.srpm.is_empty() && args.spec.is_empty() {
        bail!("--compare compares the answer with and without --srpm/--spec files: give one");
    }
    // `-` is stdin to every list option; these read a file by name (a spec's
    // %include files are found beside it), and stdin holds the list.
    for (option, files, what) in [
        ("--srpm", &args.srpm, "a .src.rpm file"),
        ("--spec", &args.spec, "a spec file"),
    ] {
        if files.iter().any(|f| f.as_os_str() == "-") {
            bail!("{option} -: not read from stdin (stdin is the list): give {what} (./- names one called '-')");
        }
    }
    buildroot_core::pkglist::not_stdout(
        "--output-dir",
        args.output_dir.as_deref(),
        "a directory",
        "the --print list goes to stdout without it",
    )?;
    Ok(())
}
