//! buildroot-generator: which binary packages must exist to build these
//! sources, and everything needed to build those, to a fixed point.
//! A thin binary over `buildroot_core::buildroot` (and `progress.rs`, the
//! terminal display; `refusals.rs`, the runs refused with exit 2;
//! `what_if.rs`, the sources given as files; `compare.rs`, `--compare`).

mod compare;
mod progress;
mod refusals;
mod what_if;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use buildroot_core::arch::ArchPolicy;
use buildroot_core::archful::MacroArgs;
use buildroot_core::buildroot::{self, Config, Scope, DEFAULT_CORE};
use buildroot_core::cli::RepoArgs;
use buildroot_core::package::Package;
use buildroot_core::pkglist::{name_in, read_list, write_list, Names, Stdout};
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{self, LoadOptions, HTTP_ENV_HELP};
use buildroot_core::spec::SpecArgs;
use buildroot_core::OutputDirProblem;
use clap::{Parser, ValueEnum};

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

const AFTER_HELP: &str = "\
Examples:
  # The buildroot of two sources on x86_64, from the shipped fixture repos:
  printf 'hello\\nwebfetch\\n' | buildroot-generator --arch x86_64 \\
      --repo main=testdata/repos/x86_64 --source-repo src=testdata/repos/source

  # Everything, with dep-tracker's output directory and the relations JSON:
  buildroot-generator --arch aarch64 --repofile eln.repo --output-dir out/aarch64 sources.txt

  # The same from a mock config's dnf.conf: its repos, and its [main] (proxy,
  # excludepkgs, ...) for every repo:
  buildroot-generator --arch aarch64 --dnf-conf mock-dnf.conf --output-dir out/aarch64 sources.txt

  # Step 10: the same, with only the compose's and the workload's binaries installable
  buildroot-generator --arch x86_64 --repofile eln.repo --only-binaries compose.txt \\
      --only-binaries workload-names.txt --output-dir verify/x86_64/out sources.txt

  # Why is nasm in the x86_64 buildroot?
  buildroot-generator --arch x86_64 --repo main='testdata/repos/$basearch' \\
      --source-repo src=testdata/repos/source --why nasm testdata/compose/sources.txt

  # What if hello's BuildRequires changed? The edited spec, evaluated for the arch with the
  # repos' macros (or an SRPM of it: --srpm), stands in for the repos' hello; --compare
  # prints what leaves (-NAME) and enters (+NAME) the buildroot:
  echo hello | buildroot-generator --arch aarch64 --repo 'main=testdata/repos/$basearch' \\
      --source-repo src=testdata/repos/source --spec hello.spec --compare
  echo hello | buildroot-generator --arch x86_64 --repo main=testdata/repos/x86_64 \\
      --source-repo src=testdata/repos/source --srpm ./hello-2.12.1-2.eln150.src.rpm

  # A packager's question: what does building hello.spec install, core buildroot included
  # (its own build only, as `dnf builddep --spec` into mock's buildroot; no input needed)?
  buildroot-generator --arch x86_64 --repo main=testdata/repos/x86_64 \\
      --source-repo src=testdata/repos/source --spec hello.spec --builds-only

Exit codes:
  0  the fixed point was reached, or with --builds-only the builds were resolved (failed
     sources are reported, not fatal)
  1  --why: no binary of the buildroot has that name; one line says what NAME is instead
     (a binary no build needs, a source package, a capability and its providers, nothing
     in the repositories). --compare: with the --srpm/--spec files some source fails
     (NoInstall, BadDeps, NoSource) that did not fail so without them
  2  bad usage or bad input (unreadable file, bad repository, unknown arch; sources listed
     but no repository holds source packages; a core buildroot that cannot be installed:
     repositories without binary packages for --arch, no core name matching a package, a
     core that cannot be solved: a warning with --only-binaries)

Input lines are source names; NEVRAs, SRPM file names and name-version-release
lines (the *-nvrs lists) are taken as the name they carry.";

impl Print {
    /// The list's key in the `--json` documents.
    fn key(self) -> &'static str {
        match self {
            Print::Binaries => "binaries",
            Print::Sources => "sources",
            Print::BinaryNvrs => "binary_nvrs",
            Print::SourceNvrs => "source_nvrs",
        }
    }
}

/// What to print on stdout.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Print {
    /// Names of every binary in any transaction, core included.
    Binaries,
    /// Names of every source of the run (--builds-only: the input's and those of the
    /// binaries, built or not).
    Sources,
    /// name-version-release of every binary.
    BinaryNvrs,
    /// name-version-release of every chosen source package.
    SourceNvrs,
}

#[derive(Parser, Debug)]
#[command(name = "buildroot-generator", version, about = "Compute the buildroot of source packages, as dnf would install it, to a fixed point", after_help = format!("{AFTER_HELP}\n\n{HTTP_ENV_HELP}"))]
struct Args {
    /// Target architecture (x86_64, aarch64, ppc64le, s390x, i686, ...).
    #[arg(long)]
    arch: String,
    #[command(flatten)]
    repos: RepoArgs,
    /// Core buildroot names, comma-separated (default: mock's build group;
    /// '' for none: each source's BuildRequires alone, with --release-package).
    #[arg(long, value_delimiter = ',', conflicts_with = "core_file")]
    core: Option<Vec<String>>,
    /// Core buildroot names, one per line (a file that lists none: a warning;
    /// --core '' is no core on purpose).
    #[arg(long, value_name = "FILE")]
    core_file: Option<String>,
    /// Release package added to the core ("" for none) [default: fedora-release-eln]
    // No clap default (the help shows it as clap would): a warning about the
    // name says when it is the default.
    #[arg(
        long,
        value_name = "RELEASE_PACKAGE",
        long_help = "Release package added to the core (\"\" for none)\n\n[default: fedora-release-eln]"
    )]
    release_package: Option<String>,
    /// content-resolver placeholder JSON: sources that do not exist yet.
    #[arg(long, value_name = "FILE")]
    placeholders: Option<PathBuf>,
    /// Prefer source packages whose release matches this regex (e.g. 'eln\d+').
    #[arg(long, value_name = "REGEX")]
    prefer_release: Option<String>,
    /// A local SRPM that stands in for the repos' source of its name (repeatable): the
    /// buildroot if that package's BuildRequires changed. Its header's BuildRequires are
    /// used, as `rpmbuild -bs` wrote them. List its name in the input (or let the fixed
    /// point reach it).
    #[arg(long, value_name = "FILE")]
    srpm: Vec<PathBuf>,
    /// A spec file that stands in for the repos' source of its name (repeatable), as
    /// --srpm does: its Name, EVR and BuildRequires evaluated for --arch with the macro
    /// packages of the core buildroot from the binary repos (as identify-archful-srpms
    /// reads specs; %include files from the spec's directory).
    #[arg(long, value_name = "FILE")]
    spec: Vec<PathBuf>,
    /// Define a macro for the --spec files: 'NAME VALUE' (repeatable; wins over the macro
    /// packages), as `dnf builddep -D` and `rpmbuild --define` take it.
    #[arg(long = "define", value_name = "'NAME VALUE'", requires = "spec")]
    defines: Vec<String>,
    /// Also install NAME into the buildroot whose macro packages read the --spec files
    /// (repeatable), e.g. python3-rpm-macros.
    #[arg(long = "macro-package", value_name = "NAME", requires = "spec")]
    macro_packages: Vec<String>,
    /// An rpm macro file, or a directory whose files 'macros' and 'macros.*' are loaded, for
    /// the --spec files (repeatable; after the macro packages, before --define).
    #[arg(long, value_name = "FILE|DIR", requires = "spec")]
    macros: Vec<PathBuf>,
    /// Read the --spec files without the binary repos' macro packages: the built-in ELN
    /// macros, --macros and --define only (repos without package files, say).
    #[arg(long, requires = "spec")]
    no_repo_macros: bool,
    #[command(flatten)]
    spec_args: SpecArgs,
    /// With --srpm/--spec: print how they change the answer: the fixed point's --print list
    /// computed without them and with them, `-NAME` for what leaves it and `+NAME` for what
    /// enters, sorted by NAME; on stderr each given package's own build environment and
    /// the failures that appear or go (exit 1 when some appear; -q keeps these lines, the
    /// answer, and hides the notes). With --json: all of it (docs/formats.md, section 10b).
    #[arg(long, conflicts_with_all = ["why", "output_dir"])]
    compare: bool,
    /// Resolve only the builds of the input's sources and of the --srpm/--spec files (each
    /// once: the core buildroot and its BuildRequires, as `dnf builddep` into mock's
    /// buildroot), not the fixed point: the sources of what they install are listed
    /// (--print sources), not built, and a placeholder is built only when the input names it.
    /// With --spec/--srpm the input may be empty, and when they are all it builds no
    /// --source-repo is needed.
    #[arg(long, conflicts_with = "compare")]
    builds_only: bool,
    /// The input lists binary names; their sources are the input.
    #[arg(long)]
    from_binaries: bool,
    /// Only binaries named in FILE can be installed (repeatable: the union; sources are
    /// not restricted). Step 10: can the compose and the workload alone build everything?
    #[arg(long, value_name = "FILE")]
    only_binaries: Vec<String>,
    /// Write dep-tracker's output layout (and the relations JSON) into DIR, atomically. The
    /// --print list still goes to stdout (`> /dev/null` when only DIR is wanted).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// View name for the relations JSON.
    #[arg(long, default_value = "view-eln")]
    view: String,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value = "binaries")]
    print: Print,
    /// Print one JSON document with all lists and errors instead (docs/formats.md, section 10a).
    #[arg(long)]
    json: bool,
    /// Print the chain that brings binary NAME into the buildroot. NAME may be
    /// what an input line may be (a NEVRA, N-V-R, an .rpm file name), a
    /// name.arch or a name-version; an arch picks that arch's package
    /// (multilib: glibc.i686); a note says when the buildroot has another
    /// version, or only another arch's package. With --json: {"arch",
    /// "name", "query", "package", "chain": [steps] or null, "note"}, and
    /// "failed_builds" when builds that failed wanted it.
    #[arg(long, value_name = "NAME", value_parser = why_name)]
    why: Option<String>,
    /// Print phase timings (load, fixed point) to stderr, for benchmarks.
    #[arg(long)]
    timings: bool,
    /// No warnings, notes or progress on stderr (--why's answer and --compare's failures
    /// stay: they are the answer).
    #[arg(short, long)]
    quiet: bool,
    /// Source names, one per line ("-" or nothing: stdin); NEVRA, SRPM file
    /// name and NVR lines are taken as their names.
    #[arg(default_value = "-")]
    input: String,
}

/// How many failed sources' details a terminal shows (logs get them all).
const FAILURES_SHOWN_ON_A_TERMINAL: usize = 10;

fn main() -> ExitCode {
    no_huge_pages();
    buildroot_core::cli::init_trace();
    buildroot_core::cli::main("buildroot-generator", |args: Args| run(&args))
}

/// A --why NAME: a name, not nothing (`--why "$pkg"` with an unset
/// variable asks no question; it is bad usage, not the answer "no").
fn why_name(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("give a binary package name".to_string())
    } else {
        Ok(s.to_string())
    }
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

fn load_pool(args: &Args, srpms: &[Package]) -> Result<Pool> {
    let specs = args.repos.specs(&args.arch)?;
    let opts = LoadOptions::cached_in(args.repos.cache_dir());
    let mut pool = Pool::load_with_command_line(&args.arch, &specs, &opts, srpms)?;
    if !args.only_binaries.is_empty() {
        let mut keep = std::collections::HashSet::new();
        for f in &args.only_binaries {
            keep.extend(read_list(f, Names::Reduce)?);
        }
        pool.restrict_binaries(|n| keep.contains(n));
    }
    Ok(pool)
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

/// --release-package's default.
const DEFAULT_RELEASE_PACKAGE: &str = "fedora-release-eln";

impl Args {
    /// The release package added to the core ("": none).
    fn release_package(&self) -> &str {
        self.release_package
            .as_deref()
            .unwrap_or(DEFAULT_RELEASE_PACKAGE)
    }
}

fn run(args: &Args) -> Result<u8> {
    // Before anything reads the repo files (their warnings too).
    if args.quiet {
        buildroot_core::cli::quiet_repo_warnings();
    }
    buildroot_core::cli::check_view(&args.view)?;
    if !buildroot_core::arch::is_known(&args.arch) {
        bail!(
            "--arch {}: unknown architecture (known: {})",
            args.arch,
            buildroot_core::arch::known().join(", ")
        );
    }
    ArchPolicy::new(&args.arch).with_context(|| format!("--arch {}", args.arch))?;
    let prefer_release = match &args.prefer_release {
        Some(r) => Some(regex::Regex::new(r).map_err(|e| {
            // regex errors are multi-line drawings; keep the last line, the message.
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("").trim().to_string();
            anyhow::anyhow!("--prefer-release '{r}' is not a valid regex: {last}")
        })?),
        None => None,
    };
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
        false => read_list(&args.input, Names::Verbatim)?,
    };
    // Progress (downloads, the fixed point) only for a person at a terminal.
    let display = (!args.quiet && std::io::stderr().is_terminal()).then(progress::Display::new);
    if let Some(d) = &display {
        rpmmd::set_download_observer(Some(d.clone()));
        // Above the progress bars, not through them.
        let d = d.clone();
        rpmmd::set_warning_handler(Some(std::sync::Arc::new(move |kind: &str, m: &str| {
            d.println(&format!("buildroot-generator: {kind}: {m}"))
        })));
    }
    let t_load = std::time::Instant::now();
    let say = |kind: &str, msg: String| match &display {
        Some(d) => d.println(&format!("buildroot-generator: {kind}: {msg}")),
        None if !args.quiet => buildroot_core::diag!("buildroot-generator: {kind}: {msg}"),
        None => {}
    };
    let warn = |msg: String| say("warning", msg);
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
    let pool = std::mem::ManuallyDrop::new(load_pool(args, &what_if::packages(&given))?);
    let load_s = t_load.elapsed().as_secs_f64();
    what_if::note_replaced(&given, &pool, &mut what_if_said);
    what_if::note_arch_baseline(&given, &pool, &args.arch, &mut what_if_said);
    let mut input: Vec<String> = if args.from_binaries {
        let mut out = Vec::new();
        for line in &input_list {
            let b = name_in(line, |n| !pool.binaries_named(n).is_empty());
            match pool.source_of_binary(&b) {
                Some(src) => out.push(src.to_string()),
                None => warn(format!("no binary package named '{b}' in the repositories")),
            }
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
        warn("the input lists no sources; only the core buildroot is computed".into());
    } else {
        refusals::check_sources_exist(args, &pool, &input, &cfg)?;
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
    for s in br.failed().take(shown) {
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
            warn(format!("{}: {line}{of}", s.name));
        }
    }
    let total = br.failed().count();
    if total > 0 {
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
        warn(format!(
            "{total} {sources} failed: {} ({details})",
            per_kind.join(", ")
        ));
    }

    if let Some(dir) = &args.output_dir {
        br.write_output_dir(dir, &args.view, &args.arch)
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
        if let Some(chain) = &answer.chain {
            writeln!(out, "{}", chain.join(" <- "))?;
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
            args.print.key(),
            args.json,
            &say_always,
            &answer,
        )?;
        return Ok(if report.new_failures() { 1 } else { 0 });
    }
    if args.json {
        serde_json::to_writer_pretty(&mut out, &br.report(&args.arch))?;
        writeln!(out)?;
        out.flush()?;
        return Ok(0);
    }
    write_list(&mut out, printed(args.print, &br))?;
    out.flush()?;
    Ok(0)
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
