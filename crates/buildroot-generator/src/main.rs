//! buildroot-generator: which binary packages must exist to build these
//! sources, and everything needed to build those, to a fixed point.
//! A thin binary over `buildroot_core::buildroot` (and `args.rs`, the
//! options and help; `progress.rs`, the terminal display; `refusals.rs`,
//! the runs refused with exit 2; `what_if.rs`, the sources given as files;
//! `compare.rs`, `--compare`).

mod args;
mod compare;
mod progress;
mod refusals;
mod what_if;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use buildroot_core::arch::ArchPolicy;
use buildroot_core::archful::MacroArgs;
use buildroot_core::buildroot::{self, Config, Scope, DEFAULT_CORE};
use buildroot_core::package::Package;
use buildroot_core::pkglist::{name_in, read_input_list, read_list, write_list, Names, Stdout};
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{self, LoadOptions};
use buildroot_core::OutputDirProblem;
use clap::ValueEnum;

use args::{Args, Print};

// Loading metadata makes millions of small allocations; mimalloc makes
// them (and freeing them) markedly cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks for
/// them on its arenas, and then every first touch of a sparsely used 2 MiB
/// region is zeroed whole: on the Fedora-scale benchmark that was ≈25 MB
/// more peak RSS and most of the load's system time (kernel page clearing).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; the
    // call has no memory effects and its failure changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// How many failed sources' details a terminal shows (logs get them all).
const FAILURES_SHOWN_ON_A_TERMINAL: usize = 10;

fn main() -> ExitCode {
    no_huge_pages();
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("buildroot-generator", |args: Args| run(&args))
}

/// The library's error line, with the option that gave the value named.
fn option_names(e: buildroot_core::Error) -> anyhow::Error {
    match e {
        buildroot_core::Error::OutputDir { path, problem } => {
            let example = match problem {
                OutputDirProblem::HoldsWorkingDirectory => " (e.g. --output-dir ../out)",
                _ => "",
            };
            anyhow::anyhow!("{}: --output-dir {problem}{example}", path.display())
        }
        e => e.into(),
    }
}

/// The pool of the repos (and the given files), restricted to the
/// `--only-binaries` names when given; and those names that no repository
/// holds a binary of, sorted. Placeholders aside, in no repo by design:
/// the `--placeholders` sources (`placeholder` says which) and the binaries
/// content-resolver's lists mark as a placeholder's.
fn load_pool(
    args: &Args,
    srpms: &[Package],
    placeholder: impl Fn(&str) -> bool,
) -> Result<(Pool, Vec<String>)> {
    let specs = args.repos.specs(&args.arch)?;
    let opts = LoadOptions::cached_in(args.repos.cache_dir()?);
    let mut pool = Pool::load_with_command_line(&args.arch, &specs, &opts, srpms)?;
    let mut unknown = Vec::new();
    if !args.only_binaries.is_empty() {
        let allowed = buildroot_core::pkglist::read_allowed(
            &args.only_binaries,
            |n| !pool.binaries_named(n).is_empty(),
            placeholder,
        )?;
        // Asked before the restriction, which disables what is not kept.
        unknown = allowed.unknown;
        pool.restrict_binaries(|n| allowed.names.contains(n));
    }
    Ok((pool, unknown))
}

/// The warning about `--only-binaries` names no repository has a binary of:
/// a compose list (step 10's allowed list is the compose's names with the
/// workload's) that names packages the repos lack (a stale list, a wrong or
/// missing repo). Not an error: content-resolver's published lists may lag
/// the repos by a day, and content-resolver itself records a package it
/// cannot find as a warning of its workload. One line: how many, and the
/// first few (`--json`'s `only_binaries_unknown` has all).
fn unknown_allowed_warning(args: &Args, unknown: &[String]) -> Option<String> {
    const SHOWN: usize = 5;
    let n = unknown.len();
    if n == 0 {
        return None;
    }
    let mut names = unknown[..n.min(SHOWN)].join(", ");
    if n > SHOWN {
        names.push_str(&format!(" and {} more", n - SHOWN));
    }
    let (count, they) = match n {
        1 => ("1 name".to_string(), "it has"),
        _ => (format!("{n} names"), "they have"),
    };
    Some(format!(
        "--only-binaries {}: {count} no repository holds a binary of on {} (a stale compose \
         list, or a repository missing?), so {they} nothing to allow: {names}",
        args.only_binaries
            .iter()
            .map(|f| if f == "-" { "<stdin>" } else { f.as_str() })
            .collect::<Vec<_>>()
            .join(", "),
        args.arch
    ))
}

/// The core names, and whether the last is --release-package's default
/// (not given, and not a name --core, --core-file or the default core has).
fn core_names(args: &Args) -> Result<(Vec<String>, bool)> {
    let mut core: Vec<String> = match (&args.core, &args.core_file) {
        (Some(c), _) => c
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        (None, Some(f)) => read_list(f, Names::Verbatim)?,
        (None, None) => DEFAULT_CORE.iter().map(|s| s.to_string()).collect(),
    };
    let release = args.release_package();
    // An empty file is what a failed step before writes: said, as an empty
    // input is, rather than a buildroot without bash, make or rpm-build.
    if let (None, Some(f), true) = (&args.core, &args.core_file, core.is_empty()) {
        if !args.quiet {
            let what = match release {
                "" => "empty".to_string(),
                r => format!("{r} alone"),
            };
            buildroot_core::diag!(
                "buildroot-generator: warning: --core-file {f} lists no names, so the core \
                 buildroot is {what} (--core '' asks for that on purpose)"
            );
        }
    }
    let mut by_default = false;
    if !release.is_empty() && !core.iter().any(|c| c == release) {
        core.push(release.to_string());
        by_default = args.release_package.is_none();
    }
    Ok((core, by_default))
}

fn run(args: &Args) -> Result<u8> {
    // Before anything reads the repo files (their warnings too).
    if args.quiet {
        buildroot_core::cli::quiet_repo_notes();
    }
    buildroot_core::cli::check_view(args.view())?;
    if !buildroot_core::arch::is_known(&args.arch) {
        bail!(
            "--arch {}: unknown architecture (known: {})",
            args.arch,
            buildroot_core::arch::known().join(", ")
        );
    }
    ArchPolicy::new(&args.arch).with_context(|| format!("--arch {}", args.arch))?;
    let prefer_release = args.prefer.regex()?;
    // A what-if typed at a terminal without an input: the given files'
    // names are the input (nothing would come from the terminal).
    let given_as_input = args.input == "-"
        && std::io::stdin().is_terminal()
        && !(args.srpm.is_empty() && args.spec.is_empty());
    let input = (!given_as_input).then_some(("INPUT", args.input.as_str()));
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
    let placeholders = match &args.placeholders {
        Some(p) => buildroot::read_placeholders(p)?,
        None => Default::default(),
    };
    let (core, release_by_default) = core_names(args)?;
    let cfg = Config {
        core,
        prefer_release,
        placeholders,
        without_given_files: false,
        scope: match args.builds_only {
            true => Scope::Input,
            false => Scope::FixedPoint,
        },
    };
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
    if let Some(dir) = &args.output_dir {
        // Fail before the work, not after it, when the output cannot be written.
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| {
            format!(
                "--output-dir {}: cannot create {}",
                dir.display(),
                parent.display()
            )
        })?;
        buildroot::check_output_dir(dir).map_err(option_names)?;
    }
    let input_path = std::path::Path::new(&args.input);
    if args.input != "-"
        && input_path.is_file()
        && input_path
            .extension()
            .is_some_and(|e| e == "spec" || e == "rpm")
    {
        bail!(
            "{}: a spec or RPM file as the input, which lists source names: give it as \
             --spec/--srpm FILE (and its name as the input)",
            args.input
        );
    }
    // Names, NEVRAs, SRPM file names and the tools' own `*-nvrs` lines are
    // all accepted; they are matched against the repos once they are loaded.
    let mut input_list = match given_as_input {
        true => Vec::new(),
        false => read_input_list(&args.input, Names::Verbatim)?,
    };
    // Progress (downloads, the fixed point) only for a person at a terminal.
    let display = (!args.quiet && std::io::stderr().is_terminal()).then(progress::Display::new);
    if let Some(d) = &display {
        rpmmd::set_download_observer(Some(d.clone()));
        // Above the progress bars, not through them.
        let d = d.clone();
        rpmmd::set_warning_handler(Some(std::sync::Arc::new(move |kind: &str, m: &str| {
            let kind = rpmmd::kind_label(kind);
            d.println(&format!("buildroot-generator: {kind}: {m}"))
        })));
    }
    let t_load = std::time::Instant::now();
    // Said whatever -q says (a line of the input left out: a script's
    // `-q --json` answer would lack it unsaid); the progress display is
    // only there without -q.
    let say_always = |kind: &str, msg: String| match &display {
        Some(d) => d.println(&format!("buildroot-generator: {kind}: {msg}")),
        None => buildroot_core::diag!("buildroot-generator: {kind}: {msg}"),
    };
    let say = |kind: &str, msg: String| {
        if !args.quiet {
            say_always(kind, msg)
        }
    };
    let warn = |msg: String| say("warning", msg);
    // --view only names the view in --output-dir's relations JSON: given
    // without it, it was dropped without a word (no list depends on it).
    if let (Some(view), None) = (&args.view, &args.output_dir) {
        warn(format!(
            "--view {view}: only named in the relations JSON that --output-dir writes, and no \
             --output-dir is given: it changes nothing"
        ));
    }
    let mut what_if_said = what_if::Said::new();
    let given = what_if::read_given(
        &what_if::Request {
            arch: &args.arch,
            srpms: &args.srpm,
            specs: &args.spec,
            repos: &args.repos,
            core: &cfg.core,
            spec_args: &args.spec_args,
            macros: MacroArgs {
                defines: args.defines.clone(),
                macro_packages: args.macro_packages.clone(),
                macros: args.macros.clone(),
                no_repo_macros: args.no_repo_macros,
                ..Default::default()
            },
            compare: args.compare,
        },
        &mut what_if_said,
    )?;
    // Never dropped: freeing ~100k packages' strings one by one costs
    // ≈0.03 s of CPU just before the process exits and the OS reclaims it all.
    if given_as_input {
        input_list = given.iter().map(|g| g.package.name.clone()).collect();
        what_if_said.push((
            "note",
            format!("no input: the sources are {}", input_list.join(", ")),
        ));
    }
    let (pool, unknown_allowed) = load_pool(args, &what_if::packages(&given), |n| {
        cfg.placeholders.contains_key(n)
    })?;
    let pool = std::mem::ManuallyDrop::new(pool);
    let load_s = t_load.elapsed().as_secs_f64();
    what_if::note_replaced(&given, &pool, &mut what_if_said);
    what_if::note_arch_baseline(&given, &pool, &args.arch, &mut what_if_said);
    let mut input: Vec<String> = if args.from_binaries {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for line in &input_list {
            let b = name_in(line, |n| !pool.binaries_named(n).is_empty());
            match pool.source_of_binary(&b) {
                Some(src) => out.push(src.to_string()),
                None => unknown.push(b),
            }
        }
        refusals::check_binaries_known(args, &pool, &unknown)?;
        for b in unknown {
            // An input line left out: said under -q too.
            say_always(
                "warning",
                format!("no binary package named '{b}' in the repositories"),
            );
        }
        out
    } else {
        let known = |n: &str| !pool.sources_named(n).is_empty() || cfg.placeholders.contains_key(n);
        let names: Vec<String> = input_list
            .iter()
            .map(|l| match known(l) {
                true => l.clone(),
                false => what_if::named_by_path(&given, l)
                    .map_or_else(|| name_in(l, known), str::to_string),
            })
            .collect();
        refusals::check_names(args, &input_list, &names)?;
        names
    };
    if args.builds_only {
        // The files are what the builds are asked about (source names,
        // whatever --from-binaries makes of the input's lines).
        for g in &given {
            if !input.contains(&g.package.name) {
                input.push(g.package.name.clone());
            }
        }
    }
    if input.is_empty() {
        warn(
            "the input lists no sources; the buildroot is the core's own: the core buildroot and \
             what building its packages' sources needs (--json's core.binaries: the core alone)"
                .into(),
        );
    } else {
        refusals::check_sources_exist(args, &pool, &input, &cfg)?;
        refusals::check_builds_known(args, &pool, &input, &cfg)?;
    }

    let t_run = std::time::Instant::now();
    let br = buildroot::run_with_progress(&pool, &input, &cfg, |p| {
        if let Some(d) = &display {
            d.fixed_point(&p);
        }
    })?;
    if let Some(d) = &display {
        d.finish();
        rpmmd::set_download_observer(None);
        rpmmd::set_warning_handler(None);
    }

    if args.timings {
        let transactions = br.sources.iter().filter(|s| !s.no_source()).count() + 1;
        buildroot_core::diag!(
            "timings: arch={} packages={} load_s={:.3} fixed_point_s={:.3} sources={} transactions={} binaries={} pool_cached={}",
            args.arch,
            pool.len(),
            load_s,
            t_run.elapsed().as_secs_f64(),
            br.sources.len(),
            transactions,
            br.binaries().len(),
            pool.from_cache() as u8
        );
    }
    refusals::check_core_solved(args, &pool, &input, &br)?;
    if let Some(m) = unknown_allowed_warning(args, &unknown_allowed) {
        warn(m);
    }
    what_if::warn_unreached(&given, &br, &mut what_if_said);
    for (kind, line) in what_if_said {
        say(kind, line);
    }
    for m in &br.core.missing {
        let whence = if release_by_default && cfg.core.last() == Some(m) {
            " (the --release-package default; --release-package '' for none)"
        } else {
            ""
        };
        let of = match args.only_binaries.is_empty() {
            true => "",
            // Step 10's restricted run: the name may well be in the repos.
            false => " of the --only-binaries lists",
        };
        warn(format!("core name '{m}' matches no package{of}{whence}"));
    }
    if !br.core.problems.is_empty() {
        warn(format!(
            "the core buildroot alone cannot be solved: {}",
            br.core.problems.join("; ")
        ));
    }
    // Logs (stderr not a terminal) get a line per failed source first, the
    // details; a person at a terminal gets those of the first few (a
    // packager asking about a handful of sources wants to read why, not to
    // run again; a whole distribution's failures would bury the screen).
    // Both end with the counts per kind.
    let shown = match display {
        None => usize::MAX,
        Some(_) => FAILURES_SHOWN_ON_A_TERMINAL,
    };
    // With --builds-only a failed build is the answer (exit 1, as `dnf
    // builddep` fails), so -q does not hide why, as it keeps --compare's
    // failures; in a fixed point failures are part of a distribution's
    // day and stay warnings.
    let failure = |msg: String| match (&display, args.builds_only) {
        (Some(d), _) => d.println(&format!("buildroot-generator: warning: {msg}")),
        (None, true) => buildroot_core::diag!("buildroot-generator: warning: {msg}"),
        (None, false) => warn(msg),
    };
    let total = br.failed().count();
    // Without a source repository (the core alone asked for with an empty
    // input, as the refusal of sources without one advises; placeholders
    // alone) every queued source is a NoSource: a line each (26 for mock's
    // core) said nothing the one line here does not. The lists and --output-dir's errors/ keep them as before.
    let unbuilt_core = total > 0
        && br.failed().all(|s| s.no_source())
        && !pool
            .ids()
            .any(|p| pool.is_source(p) && !pool.is_command_line(p));
    if unbuilt_core {
        let sources = if total == 1 { "source" } else { "sources" };
        warn(format!(
            "no repository holds source packages, so the {total} {sources} of the buildroot's \
             binaries are not built (NoSource; --source-repo ID=URL builds them)"
        ));
    }
    for s in br.failed().take(if unbuilt_core { 0 } else { shown }) {
        for line in s.errors().lines() {
            // A binary's name given as a source: say whose binary it is.
            let of = match s.no_source() {
                true => pool
                    .source_of_binary(&s.name)
                    .filter(|src| *src != s.name)
                    .map(|src| format!(" (it is a binary of source {src})"))
                    .unwrap_or_default(),
                false => String::new(),
            };
            failure(format!("{}: {line}{of}", s.name));
        }
    }
    if total > 0 && !unbuilt_core {
        let per_kind: Vec<String> = br
            .failure_counts()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let details = match (&args.output_dir, &display) {
            (Some(d), _) => format!("details in {}", d.join("errors").display()),
            (None, Some(_)) if total <= shown => "details above".to_string(),
            (None, Some(_)) => {
                format!("the first {shown} above; all with --output-dir DIR (errors/) or --json")
            }
            (None, None) => "details above".to_string(),
        };
        let sources = if total == 1 { "source" } else { "sources" };
        failure(format!(
            "{total} {sources} failed: {} ({details})",
            per_kind.join(", ")
        ));
    }

    if let Some(dir) = &args.output_dir {
        br.write_output_dir(dir, args.view(), &args.arch)
            .map_err(option_names)?;
    }

    let mut out = Stdout::lock();
    if let Some(query) = &args.why {
        let answer = buildroot::explain(&br, query);
        let code = if answer.chain.is_some() { 0 } else { 1 };
        if args.json {
            let mut doc = serde_json::json!({
                "arch": args.arch,
                "name": answer.name,
                "query": query,
                "package": answer.package,
                "chain": answer.chain,
                "note": answer.note,
            });
            // Only when there are some: the documents of other answers stay as they were.
            if !answer.failed_builds.is_empty() {
                doc["failed_builds"] = serde_json::to_value(&answer.failed_builds)?;
            }
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
            out.flush()?;
            return Ok(code);
        }
        // The note is part of the answer (what the query is instead, or
        // that the chain is another version's), so -q does not hide it.
        if let Some(line) = &answer.line {
            writeln!(out, "{line}")?;
            out.flush()?;
        }
        if let Some(note) = &answer.note {
            let kind = if code == 0 { "note: " } else { "" };
            buildroot_core::diag!("buildroot-generator: {kind}{note}");
        }
        return Ok(code);
    }
    if args.compare {
        let names: Vec<String> = given.iter().map(|g| g.package.name.clone()).collect();
        let with = buildroot::compare::Snapshot::of(&br, &names);
        // One fixed point's records at a time (≈100 MB at Fedora scale).
        drop(br);
        let cfg = Config {
            without_given_files: true,
            ..cfg
        };
        let without =
            buildroot::compare::Snapshot::of(&buildroot::run(&pool, &input, &cfg)?, &names);
        let options = given.iter().map(|g| g.option.clone()).collect();
        let report = buildroot::compare::Report::new(&args.arch, options, &without, &with);
        // Said on a terminal too: the what-if's answer, not a log line.
        let say_always = |kind: &str, msg: String| {
            if !args.quiet {
                buildroot_core::diag!("buildroot-generator: {kind}: {msg}")
            }
        };
        // What fails or is fixed with the files: the answer (and the exit
        // code's reason), kept under -q as --why keeps its note.
        let answer =
            |kind: &str, msg: String| buildroot_core::diag!("buildroot-generator: {kind}: {msg}");
        compare::print(
            &report,
            &mut out,
            args.print().key(),
            args.json,
            &say_always,
            &answer,
        )?;
        return Ok(if report.new_failures() { 1 } else { 0 });
    }
    // The lists are written either way: a failed build's binaries are
    // the core's and the other builds' (scripts read them as before).
    let code = match args.builds_only && total > 0 {
        true => 1,
        false => 0,
    };
    if args.json {
        let mut report = br.report(&args.arch);
        report.skipped_repos = refusals::skipped_repos(args, &pool);
        report.only_binaries_unknown = unknown_allowed;
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(code);
    }
    write_list(&mut out, printed(args.print(), &br))?;
    out.flush()?;
    Ok(code)
}

/// The list `--print` names.
fn printed(print: Print, br: &buildroot::Buildroot) -> Vec<String> {
    match print {
        Print::Binaries => br.binaries(),
        Print::Sources => br.source_names(),
        Print::BinaryNvrs => br.binary_nvrs(),
        Print::SourceNvrs => br.source_nvrs(),
    }
}
