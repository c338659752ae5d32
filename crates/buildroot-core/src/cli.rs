//! Command-line options every tool that reads repositories shares, defined
//! once: clap `Args` structs the tools flatten into their own arguments, so
//! `--repo`, `--source-repo`, `--repofile`, `--releasever` and `--cache-dir`
//! are spelled, documented and turned into [`RepoSpec`]s the same way
//! everywhere (dnf's `--repofrompath`, `--setopt=reposdir`, `--releasever`
//! and `cachedir` play these parts for dnf).

use std::path::{Path, PathBuf};

/// `eprintln!` that never panics: a line for stderr, dropped when stderr is
/// closed or failing (`tool 2>&1 | head -1`, a log pipe that went away).
/// The standard macro panics then, and a tool must not die over its own
/// diagnostics; every tool prints warnings and errors with this one.
#[macro_export]
macro_rules! diag {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr().lock(), $($arg)*);
    }};
}

/// The tool's name, as [`main`] was given it.
static TOOL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The `PROGRAM` of the lines a tool prints on stderr (`PROGRAM: warning:
/// ...`, `PROGRAM: note: ...`): the name its errors carry ([`main`]'s
/// `tool`), else the file name it was started by, else `rpm-buildroot`.
pub fn program_name() -> String {
    if let Some(tool) = TOOL.get() {
        return tool.clone();
    }
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "rpm-buildroot".into())
}

/// A tool's `main`, the same for every tool: parses the options (a usage
/// error exits 2 with clap's message as one line, [`usage_line`]; `--help`
/// and `--version` exit 0, or 2 when standard output does not take them),
/// calls `run`, and exits with its code, or 2 after the error's lines on
/// stderr, each prefixed with `tool: ` (the exit codes the README
/// documents). `run` gets the parsed options; errors are printed with `{:#}`
/// (anyhow's whole chain on one line).
pub fn main<A: clap::Parser, E: std::fmt::Display>(
    tool: &str,
    run: impl FnOnce(A) -> Result<u8, E>,
) -> std::process::ExitCode {
    use std::process::ExitCode;
    let _ = TOOL.set(tool.to_string());
    let args = match A::try_parse() {
        Ok(a) => a,
        Err(e) if e.use_stderr() => {
            let args: Vec<String> = std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let rendered = with_breaks_escaped(&e.render().to_string(), &args);
            diag!("{tool}: {}", usage_line(&rendered));
            return ExitCode::from(2);
        }
        Err(e) => {
            // --help and --version: stdout, exit 0; not written (`>&-`,
            // `> /dev/full`) is an error and a reader that went away is
            // not, as for any output (`crate::pkglist::Stdout`).
            let printed = if crate::pkglist::stdout_closed_at_start() {
                Err(std::io::Error::from_raw_os_error(libc::EBADF))
            } else {
                e.print()
                    .and_then(|()| std::io::Write::flush(&mut std::io::stdout()))
            };
            return match printed {
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                    let text = crate::error::without_os_error(&err.to_string());
                    diag!("{tool}: standard output: {text}");
                    ExitCode::from(2)
                }
                _ => ExitCode::from(0),
            };
        }
    };
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // An I/O error quoted by a context (anyhow's chain) reads as
            // the library's own do (`crate::error::io_message`).
            let text = crate::error::without_os_error(&format!("{e:#}"));
            for line in text.lines() {
                diag!("{tool}: {line}");
            }
            if text.trim().is_empty() {
                // Never exit 2 without a word.
                diag!("{tool}: failed");
            }
            ExitCode::from(2)
        }
    }
}

/// `rendered` with the line breaks of the arguments it quotes (a value
/// holding a `\n`) written `\n` and `\r`: [`usage_line`] reads clap's lines,
/// and a value's break is not one of them (it would be joined by `; ` as a
/// second message, or cut the line where a line of it starts `Usage:`).
fn with_breaks_escaped(rendered: &str, args: &[String]) -> String {
    let mut out = rendered.to_string();
    for a in args {
        // `--option=VALUE`: clap quotes VALUE.
        let value = match a.split_once('=') {
            Some((o, v)) if o.starts_with('-') => v,
            _ => a.as_str(),
        };
        for v in [a.as_str(), value] {
            // Quoted, as clap quotes it: a value of only a line break must
            // not stand for clap's own line breaks.
            if v.contains(['\n', '\r']) {
                let shown = v.replace('\n', "\\n").replace('\r', "\\r");
                out = out.replace(&format!("'{v}'"), &format!("'{shown}'"));
            }
        }
    }
    out
}

/// clap's usage error (`error: ...`, its tips, the usage and a pointer to
/// `--help`, over several lines) as the one line the tools print for every
/// other error: the message, the lines that belong to it (a list after a
/// line ending in `:` joined by `, `, a tip after `; `), then
/// `(try '--help')`. The usage line is left out: it says nothing a user who
/// mistyped an option needs, and `--help` shows it.
pub fn usage_line(rendered: &str) -> String {
    let mut line = String::new();
    let mut listing = false;
    for l in rendered.lines() {
        let l = l.trim();
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            break;
        }
        if l.is_empty() {
            listing = false;
            continue;
        }
        let l = l.strip_prefix("error: ").unwrap_or(l);
        // `[possible values: a, b]`: the list, without clap's brackets.
        let l = l
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .unwrap_or(l);
        if line.is_empty() {
            line.push_str(l);
        } else if line.ends_with(':') {
            line.push(' ');
            line.push_str(l);
            listing = true;
        } else if listing && !l.starts_with("tip:") {
            line.push_str(", ");
            line.push_str(l);
        } else {
            line.push_str("; ");
            line.push_str(l);
        }
    }
    if line.is_empty() {
        line.push_str("bad usage");
    }
    line.push_str(" (try '--help')");
    line
}

/// `--quiet`: the notes of repository downloads (a wait for another
/// run's) and the warnings about the repo files' settings are dropped, and
/// so is the note that a list is read from the terminal
/// ([`crate::pkglist::note_if_terminal`]). The warnings of
/// repository loading are kept (`PROGRAM: warning: repo 'ID' skipped
/// (skip_if_unavailable=1): ...`, or its groups alone left out): the answer
/// is then computed without that repo, and a script that asked for quiet
/// must still be able to tell, as dnf says "Ignoring repositories" whatever
/// its verbosity ([`crate::rpmmd::set_warning_handler`]).
pub fn quiet_repo_notes() {
    crate::rpmmd::set_warning_handler(Some(std::sync::Arc::new(|kind: &str, msg: &str| {
        if kept_under_quiet(kind) {
            let prog = program_name();
            let kind = crate::rpmmd::kind_label(kind);
            crate::diag!("{prog}: {kind}: {msg}");
        }
    })));
    crate::pkglist::quiet_terminal_note();
}

/// Whether `-q` keeps a line of repository loading of `kind`: the repo
/// left out (or its groups), told by its kind, not a setting ignored as
/// dnf ignores it (`timeout=soon`) nor a wait, which -q hides. The kept
/// lines are those the workflow's record of skipped repos reads. They were
/// told by their words (`repo '...` and `(skip_if_unavailable=1)`), which
/// another warning could hold too: a metalink that fails, its baseurl
/// used without it, whose URL or error quotes those words.
fn kept_under_quiet(kind: &str) -> bool {
    kind == crate::rpmmd::REPO_SKIPPED
}

/// `-q`/`--quiet` of the tools that read repositories (buildroot-generator,
/// identify-archful-srpms, create-srpm-repos, compose-view), one
/// definition: the notes and warnings go, what the answer lacks or is
/// stays. fetch-compose and workload-diff read no repositories and keep
/// their own `-q`, which says which of their own lines it drops;
/// fetch-compose's also calls [`quiet_repo_notes`], as its downloads and
/// its cache home say notes through the same handler.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct QuietArgs {
    /// No warnings, notes or progress on stderr. Kept: errors, a repo skip_if_unavailable=1 left
    /// out (the answer lacks it), and answers given on stderr (buildroot-generator's --why,
    /// --compare's failures and --builds-only's failed builds).
    #[arg(short, long)]
    pub quiet: bool,
}

impl QuietArgs {
    /// With `-q`, drops the notes as [`quiet_repo_notes`] says; call it
    /// before anything reads the repository files (their warnings too).
    pub fn apply(&self) {
        if self.quiet {
            quiet_repo_notes();
        }
    }
}

/// `--arch ARCH` of the tools that compute for one target arch
/// (buildroot-generator, create-srpm-repos), one definition. The tools
/// that take several (identify-archful-srpms: repeatable with the four
/// ELN arches by default; fetch-compose: repeatable and required;
/// compose-view: repeatable, the view's arches by default) define theirs.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TargetArchArgs {
    /// Target architecture (x86_64, aarch64, ppc64le, s390x, i686, ...).
    #[arg(long)]
    pub arch: String,
}

impl TargetArchArgs {
    /// The arch, refused unless rpm knows it ([`check_arch`]).
    pub fn checked(&self) -> crate::Result<&str> {
        check_arch(&self.arch)?;
        Ok(&self.arch)
    }
}

/// `--cache-dir`'s help, the same in every tool: [`RepoFileArgs`] (the
/// tools that read repo files) and [`CacheDirArgs`] (compose-view,
/// fetch-compose) name one directory, [`cache_dir`]'s.
const CACHE_DIR_HELP: &str = "Cache directory: HTTP downloads (repositories' metadata, \
content-resolver's lists) and the pools built from every set of repositories (pools/, read back \
while the repos are unchanged; safe to delete; the 24 most recently used are kept, and each \
arch's 6 most recent, RPM_BUILDROOT_POOL_CACHE=N keeps N, 0 none). Default, the same for every \
tool: $XDG_CACHE_HOME/rpm-buildroot (an absolute XDG_CACHE_HOME; else ~/.cache/rpm-buildroot; \
without a writable XDG_CACHE_HOME or HOME, a private $TMPDIR/rpm-buildroot-UID, or \
rpm-buildroot-UID-XXXXXX when another took that name).";

/// `--cache-dir` of the tools that take no repo files (compose-view,
/// fetch-compose); [`RepoFileArgs`] holds the same option for the others.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CacheDirArgs {
    // Its help is CACHE_DIR_HELP (a doc comment here would be a second
    // help text).
    #[allow(missing_docs)]
    #[arg(long, value_name = "DIR", help = CACHE_DIR_HELP)]
    pub cache_dir: Option<PathBuf>,
}

impl CacheDirArgs {
    /// The directory ([`cache_dir`]).
    pub fn dir(&self) -> Result<PathBuf> {
        cache_dir(self.cache_dir.as_deref())
    }
}

/// The cache directory of a run: `--cache-dir` ([`given_cache_dir`]), else
/// the user's cache ([`default_cache_dir`]).
pub fn cache_dir(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(dir) => given_cache_dir(dir),
        None => default_cache_dir(),
    }
}

/// Checks a `--view` value: a content-resolver view id
/// ([`crate::content_resolver::config::id_problem`]); the error is the one
/// line the tools print.
pub fn check_view(view: &str) -> crate::Result<()> {
    match crate::content_resolver::config::id_problem(view) {
        None => Ok(()),
        Some(problem) => Err(crate::Error::Usage(format!(
            "--view '{view}': not a view id (a content-resolver config file's name without \
             .yaml): {problem}"
        ))),
    }
}

/// `--core`'s comma-separated values (`core`, as clap split them), refused
/// when they are separators alone: `--core ','` (`--core "$A,$B"` with both
/// unset) is a slip, not the deliberate `--core ''` (no core). mock would
/// hand dnf an install of no package, which dnf refuses; taking it as no
/// core would answer another question without a word. An empty item
/// between names (`bash,,gcc`) is dropped, as libdnf drops one in a list
/// option.
pub fn check_core_list(core: Option<&[String]>) -> crate::Result<()> {
    match core {
        Some(c) if c.len() > 1 && c.iter().all(|n| n.trim().is_empty()) => {
            Err(crate::Error::Usage(format!(
                "--core '{}': lists no names (--core '' asks for no core on purpose)",
                c.join(",")
            )))
        }
        _ => Ok(()),
    }
}

/// `--arch ARCH` refused unless rpm knows the arch (one of
/// [`crate::arch::known`]), in the same words in every tool.
pub fn check_arch(arch: &str) -> crate::Result<()> {
    match crate::arch::is_known(arch) {
        true => Ok(()),
        false => Err(crate::Error::Usage(format!(
            "--arch {arch}: unknown architecture (known: {})",
            crate::arch::known().join(", ")
        ))),
    }
}

/// The environment variable that makes the tools print the solver's
/// decisions to stderr ([`init_trace`]).
pub const TRACE_ENV: &str = "RESOLVER_TRACE";

/// Prints the solver's trace (the `log` records of [`crate::solver`], one
/// line each) to stderr when [`TRACE_ENV`] is set; without it nothing is
/// logged. Each tool that resolves calls this first thing in `main`.
pub fn init_trace() {
    struct Stderr;
    impl log::Log for Stderr {
        fn enabled(&self, m: &log::Metadata) -> bool {
            m.target().starts_with("buildroot_core::solver")
        }
        fn log(&self, r: &log::Record) {
            if self.enabled(r.metadata()) {
                crate::diag!("{}", r.args());
            }
        }
        fn flush(&self) {}
    }
    static LOGGER: Stderr = Stderr;
    if std::env::var_os(TRACE_ENV).is_some() && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

use crate::error::{Error, Result};
use crate::rpmmd::{parse_repofile, read_varsdirs, MainDefaults, RepoSpec, Vars};

/// Repositories of binary and source packages (buildroot-generator).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RepoArgs {
    /// Binary repository: ID=URL (a directory, file:// or http(s)://; $basearch and
    /// $releasever are replaced). ID is the text before the first '=' when it holds no '/'
    /// (my:repo=URL), else the whole is a bare URL, its own id (https://h/r?a=b).
    #[arg(long = "repo", value_name = "ID=URL")]
    pub repos: Vec<String>,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// The source repositories and the options every tool shares.
    #[command(flatten)]
    pub source: SourceRepoArgs,
}

/// Repositories searched for source packages (identify-archful-srpms), and
/// the options [`RepoArgs`] shares with it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SourceRepoArgs {
    /// Source repository: ID=URL (a directory, file:// or http(s)://), read as --repo's.
    #[arg(long = "source-repo", value_name = "ID=URL")]
    pub source_repos: Vec<String>,
    // clap's derive reads doc comments of `arg` fields only: this one is
    // no help text.
    /// `.repo` files, `$releasever` and the metadata cache.
    #[command(flatten)]
    pub files: RepoFileArgs,
}

/// `--prefer-release`: which source package of a name a run takes, the same
/// in buildroot-generator (the source it builds), identify-archful-srpms
/// (the SRPM it caches and judges) and create-srpm-repos (the SRPM it
/// regenerates), so that the workflow's steps agree (`buildroot::preferred`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct PreferReleaseArgs {
    /// Prefer source packages whose release matches this regex (e.g. 'eln\d+'): of a name's
    /// sources (best priority, then newest), the first whose release matches, else the first.
    /// buildroot-generator, identify-archful-srpms and create-srpm-repos take the same source
    /// with the same REGEX.
    #[arg(long, value_name = "REGEX")]
    pub prefer_release: Option<String>,
}

impl PreferReleaseArgs {
    /// The regex, or the one-line usage error of one that does not compile.
    pub fn regex(&self) -> Result<Option<regex::Regex>> {
        let Some(r) = &self.prefer_release else {
            return Ok(None);
        };
        regex::Regex::new(r).map(Some).map_err(|e| {
            // regex errors are multi-line drawings; keep the last line, the message.
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("").trim().to_string();
            Error::Usage(format!(
                "--prefer-release '{r}' is not a valid regex: {last}"
            ))
        })
    }
}

/// `$releasever` when `--releasever` is not given (nor a varsdir's file).
pub const DEFAULT_RELEASEVER: &str = "eln";

/// `.repo` files, `$releasever` and the metadata cache: what every tool
/// that reads repositories takes (create-srpm-repos takes only these, for
/// the binary repos of its macro packages).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RepoFileArgs {
    /// A dnf .repo file (repeatable); its enabled sections are loaded with their priority,
    /// cost, exclude and includepkgs; skip_if_unavailable=1 leaves a repo whose metadata cannot
    /// be had out of the run, with a warning; username/password, proxy (proxy_username,
    /// proxy_password), sslverify, sslcacert and sslclientcert/sslclientkey are used for that
    /// repo's downloads (docs/formats.md section 8).
    #[arg(long = "repofile", value_name = "FILE")]
    pub repofiles: Vec<PathBuf>,
    /// A dnf.conf (mock's, say): its sections are repos, as a .repo file's; its [main] applies
    /// to every repo of the run as dnf applies it: proxy, username/password, ssl*, timeout,
    /// minrate, retries, skip_if_unavailable and enabled as defaults, excludepkgs and
    /// includepkgs added to each repo's own, disable_excludes; varsdir= names the directories
    /// of dnf's vars files ($stream, $contentdir, ...: each file's first line). Not read unless
    /// given (dnf reads /etc/dnf/dnf.conf and /etc/dnf/vars); dnf's own options
    /// (install_weak_deps, best, reposdir, ...) are ignored (docs/formats.md section 8).
    #[arg(long = "dnf-conf", value_name = "FILE")]
    pub dnf_conf: Option<PathBuf>,
    /// $releasever for .repo files and URLs [default: eln, or the releasever file of
    /// --dnf-conf's varsdir=, as dnf takes it when not given].
    #[arg(long)]
    pub releasever: Option<String>,
    // A field of its own, not a flattened `CacheDirArgs`: callers set it
    // in struct literals (`RepoFileArgs { cache_dir: Some(..), .. }`).
    // Its help is CACHE_DIR_HELP.
    #[allow(missing_docs)]
    #[arg(long, value_name = "DIR", help = CACHE_DIR_HELP)]
    pub cache_dir: Option<PathBuf>,
}

impl RepoFileArgs {
    /// The sections of `--dnf-conf` and every `--repofile` (`$basearch` is
    /// `arch`), with `--dnf-conf`'s defaults.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        self.file_specs(&self.vars(arch)?)
    }

    /// `$basearch` (`arch`), `$releasever` and `--dnf-conf`'s `[main]`.
    /// Every reader of the files calls this first: `-` is refused here, in
    /// words (a file read once per arch, and stdin holds the list), not as
    /// "-: No such file or directory".
    pub fn vars(&self, arch: &str) -> Result<Vars> {
        let dashes = [("--dnf-conf", self.dnf_conf.as_ref())]
            .into_iter()
            .chain(self.repofiles.iter().map(|f| ("--repofile", Some(f))));
        for (option, f) in dashes {
            if f.is_some_and(|f| f.as_os_str() == "-") {
                return Err(Error::Usage(format!(
                    "{option} -: not read from stdin (stdin is the list; the file is read for \
                     each arch): give a file"
                )));
            }
        }
        let given = self.releasever.as_deref();
        let mut vars = Vars::new(arch, given.unwrap_or(DEFAULT_RELEASEVER));
        Ok(match &self.dnf_conf {
            Some(f) => {
                let main = MainDefaults::read(&file_for(f, &vars))?;
                // dnf reads its vars files right after its dnf.conf; a
                // `releasever` file stands in for a --releasever not given
                // (dnf's `_read_conf_file`; its arch files lose to --arch,
                // as dnf's to --forcearch).
                vars.files = read_varsdirs(main.varsdir())?;
                if let (None, Some(file)) = (given, vars.files.get("releasever")) {
                    vars.releasever = file.clone();
                }
                vars.with_main(main)
            }
            None => vars,
        })
    }

    /// The files given (`--dnf-conf`, then every `--repofile`), as read for
    /// `vars`' arch, for messages.
    fn paths(&self, vars: &Vars) -> Vec<String> {
        self.dnf_conf
            .iter()
            .chain(&self.repofiles)
            .map(|f| file_for(f, vars).display().to_string())
            .collect()
    }

    /// Where repository metadata (and the pools built from it) is cached for
    /// the archful tools: `--cache-dir` ([`given_cache_dir`]), else the
    /// user's cache ([`default_cache_dir`]), the generators' own default. One
    /// default for every tool, so that a workflow run, or a release engineer
    /// running the tools one after the other, downloads each repo file once,
    /// as every dnf command shares one cachedir. (Earlier versions kept it in
    /// the SRPM cache's `.metadata/`, which is no longer read.)
    pub fn metadata_dir(&self) -> crate::error::Result<PathBuf> {
        cache_dir(self.cache_dir.as_deref())
    }

    /// The sections of `--dnf-conf`, then of every `--repofile` (dnf reads
    /// its main configuration's repos before those of its repo files), the
    /// first of each id.
    pub(crate) fn file_specs(&self, vars: &Vars) -> Result<Vec<RepoSpec>> {
        Ok(first_of_each_id(self.given_file_specs(vars)?))
    }

    /// [`Self::file_specs`] with every section, each with how it was given.
    pub(crate) fn given_file_specs(&self, vars: &Vars) -> Result<Vec<GivenRepo>> {
        let mut specs = Vec::new();
        for f in self.dnf_conf.iter().chain(&self.repofiles) {
            let f = &file_for(f, vars);
            for spec in parse_repofile(f, vars)? {
                let given = format!("[{}] of {}", spec.id, f.display());
                specs.push(GivenRepo { given, spec });
            }
        }
        Ok(specs)
    }
}

/// A `--repofile`/`--dnf-conf` path with its variables replaced (`$basearch`,
/// `$releasever`, ...): `configs/fedora-eln-$basearch.repo` is each arch's
/// own file, so a tool that reads several arches (identify-archful-srpms)
/// takes each arch's repos from that arch's file, as the per-arch runs do.
/// dnf has no such thing (its files are found by directory); a path holds
/// no `$` otherwise.
fn file_for(path: &Path, vars: &Vars) -> PathBuf {
    match path.to_str() {
        Some(p) if p.contains('$') => PathBuf::from(vars.substitute(p)),
        _ => path.to_path_buf(),
    }
}

/// A configured repository and how the user gave it (`--repo main=URL`,
/// `[bin] of FILE`), for the warning about a repeated id.
pub(crate) struct GivenRepo {
    given: String,
    spec: RepoSpec,
}

/// The repositories of a command-line option (`--repo`), as given.
pub(crate) fn given_cli_specs(
    option: &str,
    values: &[String],
    vars: &Vars,
) -> Result<Vec<GivenRepo>> {
    values
        .iter()
        .map(|v| {
            Ok(GivenRepo {
                given: format!("{option} {}", v.trim()),
                spec: RepoSpec::parse_cli(v, vars)?,
            })
        })
        .collect()
}

/// The first repository of each id, in order, with a warning naming each
/// later one and the one kept: dnf keeps the first definition of an id
/// (enabled or not) and warns about the others. Later messages ("the
/// repositories (main, src)") then name only the repos that are used.
pub(crate) fn first_of_each_id(given: Vec<GivenRepo>) -> Vec<RepoSpec> {
    let mut kept: Vec<GivenRepo> = Vec::new();
    for g in given {
        match kept.iter().find(|k| k.spec.id == g.spec.id) {
            Some(first) if first.given == g.given => crate::rpmmd::warn_once(format!(
                "{} appears twice: only the first is used, as in dnf",
                g.given
            )),
            Some(first) => crate::rpmmd::warn_once(format!(
                "{} ignored: {} has that id (dnf uses the first)",
                g.given, first.given
            )),
            None => kept.push(g),
        }
    }
    kept.into_iter().map(|g| g.spec).collect()
}

impl RepoArgs {
    /// The configured repositories for `arch`: `--repo`, then `--source-repo`,
    /// then the sections of `--dnf-conf` and every `--repofile`. An error when
    /// none is enabled.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        let vars = self.source.files.vars(arch)?;
        let mut given = given_cli_specs("--repo", &self.repos, &vars)?;
        given.extend(self.source.given(&vars)?);
        let specs = first_of_each_id(given);
        if specs.iter().all(|s| !s.enabled) {
            return Err(none_enabled(
                &specs,
                &self.source.files.paths(&vars),
                "repositories",
                "--repo/--source-repo ID=URL, --repofile FILE or --dnf-conf FILE",
            ));
        }
        Ok(specs)
    }

    /// `--cache-dir` ([`given_cache_dir`]), or the user's cache ([`default_cache_dir`]).
    pub fn cache_dir(&self) -> crate::error::Result<PathBuf> {
        cache_dir(self.source.files.cache_dir.as_deref())
    }
}

impl SourceRepoArgs {
    /// `--source-repo`, then the sections of `--dnf-conf` and every `--repofile` (`$basearch`
    /// is `arch`). An error when none is enabled.
    pub fn specs(&self, arch: &str) -> Result<Vec<RepoSpec>> {
        let vars = self.files.vars(arch)?;
        let specs = first_of_each_id(self.given(&vars)?);
        if specs.iter().all(|s| !s.enabled) {
            return Err(none_enabled(
                &specs,
                &self.files.paths(&vars),
                "source repositories",
                "--source-repo ID=URL, --repofile FILE or --dnf-conf FILE",
            ));
        }
        Ok(specs)
    }

    /// `--source-repo`, then the sections of the files, as given.
    fn given(&self, vars: &Vars) -> Result<Vec<GivenRepo>> {
        let mut given = given_cli_specs("--source-repo", &self.source_repos, vars)?;
        given.extend(self.files.given_file_specs(vars)?);
        Ok(given)
    }
}

/// The error of a run without an enabled repository (`what`: "source
/// repositories"), `give` the options that give one. When repos were given
/// but none is enabled (`enabled=0`, or left out at reading: an enabled one
/// without a URL under `skip_if_unavailable=1`, as dnf ignores it), they
/// are named: "give --repofile FILE" would read as if none had been, and
/// under `--quiet` the warning of a repo left out is not shown. When
/// `files` (`--dnf-conf`, `--repofile`) were given and hold no section at
/// all (an empty file, a dnf.conf of `[main]` alone), they are named: "give
/// --repofile FILE" would read as if none had been.
fn none_enabled(specs: &[RepoSpec], files: &[String], what: &str, give: &str) -> Error {
    if specs.is_empty() && !files.is_empty() {
        let verb = if files.len() == 1 {
            "defines"
        } else {
            "define"
        };
        return Error::Usage(format!(
            "no {what}: {} {verb} no repository (no [section] but [main], which is dnf's own): \
             give {give}",
            files.join(", ")
        ));
    }
    if specs.is_empty() {
        return Error::Usage(format!("no {what}: give {give}"));
    }
    let ids: Vec<&str> = specs.iter().map(|s| s.id.as_str()).collect();
    Error::Usage(format!(
        "no {what} enabled ({}: each has enabled=0, or no baseurl, metalink or mirrorlist \
         under skip_if_unavailable=1, which leaves it out): enable one, or give {give}",
        ids.join(", ")
    ))
}

pub use crate::cache_home::default_cache_dir;

/// Every tool's `--help` says how an interrupted run ends, after its exit
/// codes (`atomic::on_signal`): a user deciding whether Ctrl-C is safe
/// finds it there, not only in docs/formats.md.
pub const SIGNALS_HELP: &str = "\
Interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP, a run removes its temp files and the output
directories it was building, then ends by that signal (a shell shows 130, 143 or 129): an output
is left whole as it was, never half-written. A signal ignored when the tool started stays ignored
(a script's background job, `&`, starts with SIGINT ignored: stop it with SIGTERM).";

/// A `--cache-dir` given on the command line, refused when it names a file
/// (a mistyped path): the pools would silently not be cached, the runs
/// slower for it, and an HTTP repo's metadata would fail on a path inside
/// the file. A missing directory is made when first written, as before.
pub fn given_cache_dir(dir: &Path) -> crate::error::Result<PathBuf> {
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => Err(Error::Usage(format!(
            "{}: --cache-dir exists and is not a directory",
            dir.display()
        ))),
        _ => Ok(dir.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Tool {
        #[command(flatten)]
        repos: RepoArgs,
    }

    #[derive(Parser)]
    struct SourceTool {
        #[command(flatten)]
        repos: SourceRepoArgs,
    }

    #[test]
    fn flags_turn_into_specs_in_order() {
        let t = Tool::parse_from([
            "t",
            "--repo",
            "main=/r/$basearch/$releasever",
            "--source-repo",
            "src=/s",
            "--releasever",
            "43",
            "--cache-dir",
            "/c",
        ]);
        let specs = t.repos.specs("aarch64").unwrap();
        let ids: Vec<_> = specs
            .iter()
            .map(|s| (s.id.as_str(), s.baseurl.as_str()))
            .collect();
        assert_eq!(ids, [("main", "/r/aarch64/43"), ("src", "/s")]);
        assert_eq!(t.repos.cache_dir().unwrap(), PathBuf::from("/c"));
        let e = Tool::parse_from(["t"]).repos.specs("x86_64").unwrap_err();
        assert!(e.to_string().starts_with("no repositories"), "{e}");
    }

    /// The one-arch tools' `--arch`, the four tools' `-q` and the two
    /// repo-file-less tools' `--cache-dir`: one group each, checked alike.
    #[test]
    fn shared_groups_parse_and_check() {
        #[derive(Parser)]
        struct One {
            #[command(flatten)]
            target: TargetArchArgs,
            #[command(flatten)]
            quiet: QuietArgs,
            #[command(flatten)]
            cache: CacheDirArgs,
        }
        let t = One::parse_from(["t", "--arch", "s390x", "-q", "--cache-dir", "/c"]);
        assert_eq!(t.target.checked().unwrap(), "s390x");
        assert!(t.quiet.quiet);
        assert_eq!(t.cache.dir().unwrap(), PathBuf::from("/c"));
        assert!(One::try_parse_from(["t"]).is_err(), "--arch is required");
        let t = One::parse_from(["t", "--arch", "x86-64"]);
        let e = t.target.checked().unwrap_err().to_string();
        assert!(
            e.starts_with("--arch x86-64: unknown architecture (known: "),
            "{e}"
        );
        assert!(!t.quiet.quiet);
    }

    /// A `--cache-dir` that is a file is refused; a directory, or one not
    /// made yet, is taken.
    #[test]
    fn a_cache_dir_that_is_a_file_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = given_cache_dir(&file).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: --cache-dir exists and is not a directory",
                file.display()
            )
        );
        assert_eq!(given_cache_dir(t.path()).unwrap(), t.path());
        let new = t.path().join("new");
        assert_eq!(given_cache_dir(&new).unwrap(), new);
    }

    /// A varsdir's `releasever` file stands in for a `--releasever` not
    /// given, as in dnf; its `basearch` file never wins over `--arch` (dnf's
    /// `--forcearch`).
    #[test]
    fn a_varsdir_releasever_counts_when_no_releasever_is_given() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("releasever"), "9.4\n").unwrap();
        std::fs::write(t.path().join("basearch"), "s390x\n").unwrap();
        let conf = t.path().join("dnf.conf");
        std::fs::write(&conf, format!("[main]\nvarsdir={}\n", t.path().display())).unwrap();
        let url = |extra: &[&str]| {
            let mut args = vec![
                "t",
                "--repo",
                "m=/r/$releasever/$basearch/$releasever_major",
            ];
            args.extend(extra);
            let specs = Tool::parse_from(args).repos.specs("aarch64").unwrap();
            specs[0].baseurl.clone()
        };
        let conf = conf.to_str().unwrap();
        assert_eq!(url(&["--dnf-conf", conf]), "/r/9.4/aarch64/9");
        assert_eq!(
            url(&["--dnf-conf", conf, "--releasever", "43"]),
            "/r/43/aarch64/43"
        );
        assert_eq!(url(&[]), "/r/eln/aarch64/eln");
    }

    #[test]
    fn source_only_tools_have_no_repo_flag() {
        assert!(SourceTool::try_parse_from(["t", "--repo", "a=/a"]).is_err());
        let t = SourceTool::parse_from(["t", "--source-repo", "s=/s"]);
        assert_eq!(t.repos.files.releasever, None);
        assert_eq!(t.repos.files.vars("x86_64").unwrap().releasever, "eln");
        assert_eq!(t.repos.specs("x86_64").unwrap()[0].baseurl, "/s");
        let e = SourceTool::parse_from(["t"])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert!(e.to_string().starts_with("no source repositories"), "{e}");
    }

    /// Files given that define no repository at all (an empty .repo file, a
    /// dnf.conf of `[main]` alone) are named, not asked for.
    #[test]
    fn files_without_a_repository_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.repo");
        std::fs::write(&empty, "# nothing yet\n").unwrap();
        let conf = dir.path().join("dnf.conf");
        std::fs::write(&conf, "[main]\ninstall_weak_deps=0\n").unwrap();
        let (empty, conf) = (empty.to_str().unwrap(), conf.to_str().unwrap());
        let e = Tool::parse_from(["t", "--repofile", empty])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no repositories: {empty} defines no repository (no [section] but [main], which \
                 is dnf's own): give --repo/--source-repo ID=URL, --repofile FILE or --dnf-conf \
                 FILE"
            )
        );
        let e = SourceTool::parse_from(["t", "--dnf-conf", conf, "--repofile", empty])
            .repos
            .specs("x86_64")
            .unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "no source repositories: {conf}, {empty} define no repository"
            )),
            "{e}"
        );
    }

    /// Repos given, none enabled (one `enabled=0`, one left out at reading:
    /// no URL under skip_if_unavailable=1): the error names them, rather
    /// than asking for a --repofile that was given.
    #[test]
    fn repos_given_but_none_enabled_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("t.repo");
        std::fs::write(
            &f,
            "[off]\nbaseurl=/x\nenabled=0\n[nourl]\nskip_if_unavailable=1\n",
        )
        .unwrap();
        let f = f.to_str().unwrap();
        let why = "(off, nourl: each has enabled=0, or no baseurl, metalink or mirrorlist under \
                   skip_if_unavailable=1, which leaves it out): enable one, or give";
        let e = crate::rpmmd::without_warnings(|| {
            Tool::parse_from(["t", "--repofile", f])
                .repos
                .specs("x86_64")
        });
        assert_eq!(
            e.unwrap_err().to_string(),
            format!(
                "no repositories enabled {why} --repo/--source-repo ID=URL, --repofile FILE or \
                 --dnf-conf FILE"
            )
        );
        let e = crate::rpmmd::without_warnings(|| {
            SourceTool::parse_from(["t", "--repofile", f])
                .repos
                .specs("x86_64")
        });
        assert_eq!(
            e.unwrap_err().to_string(),
            format!(
                "no source repositories enabled {why} --source-repo ID=URL, --repofile FILE or \
                 --dnf-conf FILE"
            )
        );
    }
}
