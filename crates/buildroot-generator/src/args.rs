//! buildroot-generator's command line: the options (clap), the help's
//! examples and exit codes (the `--print` lists are the library's,
//! `buildroot_core::generator::Print`).

use std::path::PathBuf;

use buildroot_core::cli::{
    CoreArgs, QuietArgs, RepoArgs, SourceListArgs, SpecMacroArgs, TargetArchArgs,
};
use buildroot_core::generator::Print;
use buildroot_core::rpmmd::HTTP_ENV_HELP;
use buildroot_core::spec::SpecArgs;
use clap::Parser;

const AFTER_HELP: &str = "\
Examples:
  # (testdata/: the checkout's fixtures, run from its root; the files the examples take out
  # of them go under work/, which git ignores. eln.repo, mock-dnf.conf, sources.txt,
  # compose.txt and workload-names.txt stand for files of yours: a dnf .repo file, mock's
  # dnf.conf, the source names to build, step 10's lists of binary names)

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

  # ELN's choice when a name has several sources (configs/fedora-eln.conf's PREFER_RELEASE):
  # of its sources, ordered by repo priority then version, the first whose release matches
  # (else the first); give identify-archful-srpms and create-srpm-repos the same option:
  echo hello | buildroot-generator --arch x86_64 --repofile testdata/fixture.repo \\
      --prefer-release 'eln[0-9]+' --print sources

  # Why is nasm in the x86_64 buildroot?
  buildroot-generator --arch x86_64 --repo main='testdata/repos/$basearch' \\
      --source-repo src=testdata/repos/source --why nasm testdata/compose/sources.txt

  # Which sources' builds need libjpeg-turbo-devel (beyond the core buildroot, which
  # every build installs)? --output-dir lists each source's in output/NAME-deps-binary:
  grep -lx libjpeg-turbo-devel out/aarch64/output/*-deps-binary

  # What if hello's BuildRequires changed? The edited spec, evaluated for the arch with the
  # repos' macros (or an SRPM of it: --srpm), stands in for the repos' hello; --compare
  # prints what leaves (-NAME) and enters (+NAME) the buildroot (hello.spec: the fixture's
  # is in its SRPM, `mkdir -p work && rpm2archive - <
  # testdata/repos/source/hello-2.12.1-1.eln150.src.rpm | tar xzf - -C work ./hello.spec`
  # takes it out to be edited):
  echo hello | buildroot-generator --arch aarch64 --repo 'main=testdata/repos/$basearch' \\
      --source-repo src=testdata/repos/source --spec work/hello.spec --compare
  # ... or your SRPM of the edited spec, its Release raised (the command above without
  # `./hello.spec` takes out the tarball too; then `rpmbuild -bs --define
  # \"_sourcedir $PWD/work\" --define \"_srcrpmdir $PWD/work\" work/hello.spec` writes
  # work/hello-2.12.1-2.eln150.src.rpm):
  echo hello | buildroot-generator --arch x86_64 --repo main=testdata/repos/x86_64 \\
      --source-repo src=testdata/repos/source --srpm work/hello-2.12.1-2.eln150.src.rpm

  # A packager's question: what does building hello.spec install, core buildroot included
  # (its own build only, as `dnf builddep --spec` into mock's buildroot; no input needed)?
  buildroot-generator --arch x86_64 --repo main=testdata/repos/x86_64 \\
      --source-repo src=testdata/repos/source --spec work/hello.spec --builds-only

Spec macros (--spec files): the macro packages of the binary repos' core buildroot for --arch
(--core, --release-package and each --macro-package), in rpm's load order; then --macros, then
--define. With --no-repo-macros: built-in ELN macros. --define, --macro-package, --macros,
--no-repo-macros and --trust-specs are only read with a --spec, and refused without one (an
--srpm's BuildRequires are its header's, which no macro changes).

Exit codes:
  0  the fixed point was reached (failed sources are reported, not fatal; a source no
     source repo has is one: NoSource), or with --builds-only every build was resolved
  1  --builds-only: a build fails (NoInstall, BadDeps), as `dnf builddep` fails; the lists
     are written, and the failures said even with -q (with --why, its answer decides). --why: no binary of the buildroot
     has that name; one line says what NAME is instead (a binary no build needs, a source
     package, a capability and its providers, nothing in the repositories). --compare:
     with the --srpm/--spec files some source fails (NoInstall, BadDeps, NoSource) that
     did not fail so without them
  2  bad usage or bad input (unreadable file, bad repository, unknown arch; sources listed
     but no repository holds source packages; with --builds-only, a source that no source
     repository, --spec/--srpm file or placeholder has, or with --from-binaries a binary
     no repository has: one line names them; a core
     buildroot that cannot be installed: repositories without binary packages for --arch,
     no core name matching a package, a core that cannot be solved: a warning with
     --only-binaries)

Input lines are source names; NEVRAs, SRPM file names and name-version-release
lines (the *-nvrs lists) are taken as the name they carry.";

#[derive(Parser, Debug)]
#[command(name = "buildroot-generator", version, about = "Compute the buildroot of source packages, as dnf would install it, to a fixed point", after_help = format!("{AFTER_HELP}\n\n{}\n\n{HTTP_ENV_HELP}", buildroot_core::cli::SIGNALS_HELP))]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) target: TargetArchArgs,
    #[command(flatten)]
    pub(crate) repos: RepoArgs,
    // --core and --release-package, shared with the archful tools (whose
    // spec macros come from the buildroot they make).
    #[command(flatten)]
    pub(crate) core: CoreArgs,
    /// Core buildroot names, one per line (a file that lists none: a warning;
    /// --core '' is no core on purpose).
    #[arg(long, value_name = "FILE", conflicts_with = "core")]
    pub(crate) core_file: Option<String>,
    /// content-resolver placeholder JSON: sources that do not exist yet.
    #[arg(long, value_name = "FILE")]
    pub(crate) placeholders: Option<PathBuf>,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// `--prefer-release`, shared with the archful tools.
    #[command(flatten)]
    pub(crate) prefer: buildroot_core::cli::PreferReleaseArgs,
    /// A local SRPM that stands in for the repos' source of its name (repeatable): the
    /// buildroot if that package's BuildRequires changed. Its header's BuildRequires are
    /// used, as `rpmbuild -bs` wrote them. List its name in the input (or let the fixed
    /// point reach it).
    #[arg(long, value_name = "FILE")]
    pub(crate) srpm: Vec<PathBuf>,
    /// A spec file that stands in for the repos' source of its name (repeatable), as
    /// --srpm does: its Name, EVR and BuildRequires evaluated for --arch with the macro
    /// packages of the core buildroot from the binary repos (as identify-archful-srpms
    /// reads specs; %include files from the spec's directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Vec<PathBuf>,
    // No help text (clap reads doc comments of `arg` fields only).
    /// --define, --macro-package, --macros and --no-repo-macros: the
    /// archful tools' own, here for the --spec files (refused without one).
    #[command(flatten)]
    pub(crate) spec_macros: SpecMacroArgs,
    #[command(flatten)]
    pub(crate) spec_args: SpecArgs,
    /// With --srpm/--spec: print how they change the answer: the fixed point's --print list
    /// computed without them and with them, `-NAME` for what leaves it and `+NAME` for what
    /// enters, sorted by NAME; on stderr each given package's own build environment and
    /// the failures that appear or go (exit 1 when some appear; -q keeps these lines, the
    /// answer, and hides the notes). With --json: all of it (docs/formats.md, section 10b).
    #[arg(long, conflicts_with_all = ["why", "output_dir"])]
    pub(crate) compare: bool,
    /// Resolve only the builds of the input's sources and of the --srpm/--spec files (each
    /// once: the core buildroot and its BuildRequires, as `dnf builddep` into mock's
    /// buildroot), not the fixed point: the sources of what they install are listed
    /// (--print sources), not built, and a placeholder is built only when the input names it.
    /// With --spec/--srpm the input may be empty, and when they are all it builds no
    /// --source-repo is needed. Exit 1 when a build fails (its lines kept under -q).
    #[arg(long, conflicts_with = "compare")]
    pub(crate) builds_only: bool,
    /// The input lists binary names; their sources are the input.
    #[arg(long)]
    pub(crate) from_binaries: bool,
    /// Only binaries named in FILE can be installed (repeatable: the union; sources are
    /// not restricted). Step 10: can the compose and the workload alone build everything?
    #[arg(long, value_name = "FILE")]
    pub(crate) only_binaries: Vec<String>,
    /// Write dep-tracker's output layout (and the relations JSON) into DIR, atomically. The
    /// --print list still goes to stdout (`> /dev/null` when only DIR is wanted).
    #[arg(long, value_name = "DIR")]
    pub(crate) output_dir: Option<PathBuf>,
    /// View name for the relations JSON that --output-dir writes (a warning when given without --output-dir, as it changes nothing then)
    /// [default: view-eln]
    // No clap default, so that one given without --output-dir is told from
    // the default (`generator::Request::view`).
    #[arg(long)]
    pub(crate) view: Option<String>,
    /// What to print on stdout (not with --why, which prints its chain instead, nor with
    /// --json, whose document holds every list) [default: binaries]
    // No clap default: --json refuses a --print given, and says so (a
    // default would be indistinguishable from one typed).
    #[arg(long, value_enum, conflicts_with = "why")]
    pub(crate) print: Option<Print>,
    // Each tool's --json is its own document (docs/formats.md).
    /// Print one JSON document with all lists and errors instead (docs/formats.md, section 10a;
    /// every --print list is in it, so --print is refused beside it).
    #[arg(long)]
    pub(crate) json: bool,
    /// Print the chain that brings binary NAME into the buildroot. NAME may be
    /// what an input line may be (a NEVRA, N-V-R, an .rpm file name), a
    /// name.arch or a name-version; an arch picks that arch's package
    /// (multilib: glibc.i686); a note says when the buildroot has another
    /// version, or only another arch's package. When NAME gives an arch, or
    /// the buildroot has the name for several arches, the chain writes each
    /// package NAME.ARCH. With --json (steps by name): {"arch",
    /// "name", "query", "package", "chain": [steps] or null, "note"}, and
    /// "failed_builds" when builds that failed wanted it.
    #[arg(long, value_name = "NAME", value_parser = why_name)]
    pub(crate) why: Option<String>,
    /// Print phase timings (load, fixed point) to stderr, for benchmarks.
    #[arg(long)]
    pub(crate) timings: bool,
    // No help text (clap reads doc comments of `arg` fields only). What
    // stays under -q here: --why's answer, --compare's failures,
    // --builds-only's failed builds (the exit codes say so).
    /// `-q`, as every tool that reads repositories has it.
    #[command(flatten)]
    pub(crate) quiet: QuietArgs,
    #[command(flatten)]
    pub(crate) list: SourceListArgs,
}

/// A --why NAME: a name, not nothing (`--why "$pkg"` with an unset
/// variable asks no question; it is bad usage, not the answer "no"), and one
/// name, not a list (`--why "gcc make"` was answered "'gcc make' is in no
/// repository", exit 1, though both are there). A query with an operator
/// beside a blank is one question, answered as dnf answers it
/// (`foo >= 1`, `foo >=1`; `foo>= 1` and `foo != 1`, which libdnf's
/// `DependencySplitter::parse` reads as an odd name or not at all, get
/// "in no repository" and a guess: see `why/split.rs` in the core), and so
/// are a rich dependency (`(a or b)`) and a file path.
fn why_name(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("give a binary package name".to_string());
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    let operator = |c: char| matches!(c, '<' | '>' | '=' | '!');
    let one_name = words.len() < 2
        || words[0].ends_with(operator)
        || words[1].starts_with(operator)
        || s.trim_start().starts_with(['(', '/']);
    if one_name {
        return Ok(s.to_string());
    }
    // `foo 1.0`: dnf would look for one capability named `foo 1.0`, space
    // and all (its splitter's reading of `hello world.jpg`), which nothing
    // provides; most likely a version missing its operator, and surely
    // not a second name.
    if let [name, version] = words[..] {
        if version.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "a name and a version: --why takes a package name (--why {name}), or a \
                 capability with an operator (--why '{name} = {version}')"
            ));
        }
    }
    Err(format!(
        "--why answers for one package name; ask once for each ({})",
        words
            .iter()
            .map(|w| format!("--why {w}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

impl Args {
    /// The first option given that only the --spec files read (`--define`,
    /// `--macro-package`, `--macros`, `--no-repo-macros`, `--trust-specs`),
    /// as it was given, and what of the spec it is for (plural, singular):
    /// without a --spec it would change nothing.
    pub(crate) fn spec_only_option(&self) -> Option<(String, [&'static str; 2])> {
        const MACROS: [&str; 2] = ["macros", "macro"];
        self.spec_macros
            .first_given()
            .map(|option| (option, MACROS))
            .or_else(|| {
                let shell = ["%(...) shell code", "shell code"];
                self.spec_args
                    .trust_specs
                    .then(|| ("--trust-specs".to_string(), shell))
            })
    }

    /// The list `--print` names (binaries when not given).
    pub(crate) fn print(&self) -> Print {
        self.print.unwrap_or(Print::Binaries)
    }
}
