//! One buildroot-generator run as a library call: a [`Request`] (the
//! typed options, already checked for combinations the tool refuses) in,
//! an [`Outcome`] (the answer to print, and the exit code) out, the
//! warnings and notes of the run said through an [`Observer`] as they
//! come. The fixed point itself is [`crate::buildroot`]'s; this composes
//! the steps around it, in the order the tool's messages come:
//!
//! 0. a `--view` that changes nothing (no `--output-dir`), a warning;
//! 1. the files given as sources (`--srpm`, `--spec`: [`what_if`]);
//! 2. the pool of the repos and those files, restricted to the
//!    `--only-binaries` names ([`load`]);
//! 3. the input's source names ([`sources`]) and the refusals that need the
//!    pool ([`refusals`]);
//! 4. the fixed point (or, `--builds-only`, the input's builds alone, as
//!    `dnf builddep` into mock's buildroot);
//! 5. what the run says of itself ([`said`]), the output directory, and the
//!    answer asked for (`--why`, its `--json` document [`why_document`];
//!    `--compare` and its text, [`compare_text`]; `--json`, a `--print`
//!    list).
//!
//! Upstream, the fixed point is dep-tracker's loop (the original Buildroot
//! Generator Workflow script) and each transaction dnf's `builddep`
//! (`dnf.base.Base.install` of every BuildRequires into an empty root);
//! nothing here has a single upstream function.

/// A [`crate::Error::Usage`] of one formatted line (the refusals' errors).
macro_rules! usage {
    ($($arg:tt)*) => {
        $crate::error::Error::Usage(format!($($arg)*))
    };
}

/// Returns [`usage!`]'s error.
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err(usage!($($arg)*))
    };
}

mod compare_text;
mod load;
pub(crate) mod refusals;
mod said;
mod setup;
mod what_if;

use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::archful::MacroArgs;
use crate::buildroot::{self, compare, BuildrootReport, Config, Progress, Scope, WhyAnswer};
use crate::cli::RepoArgs;
use crate::error::Result;
use crate::spec::SpecArgs;

pub use compare_text::{compare_text, CompareText, Weight};
pub use load::load_pool;
pub use setup::{core_names, output_dir_error, prepare_output_dir, read_input, CoreNames};

/// The lists a run prints (`--print`), and their keys in the `--json`
/// documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Print {
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

impl Print {
    /// The list's key in the `--json` documents.
    pub fn key(self) -> &'static str {
        match self {
            Print::Binaries => "binaries",
            Print::Sources => "sources",
            Print::BinaryNvrs => "binary_nvrs",
            Print::SourceNvrs => "source_nvrs",
        }
    }

    /// The list of `br` this names.
    pub fn list(self, br: &buildroot::Buildroot) -> Vec<String> {
        match self {
            Print::Binaries => br.binaries(),
            Print::Sources => br.source_names(),
            Print::BinaryNvrs => br.binary_nvrs(),
            Print::SourceNvrs => br.source_nvrs(),
        }
    }
}

/// Where the run's sources come from.
#[derive(Clone, Debug)]
pub enum Input {
    /// The input's lines: source names (binary names with
    /// [`Request::from_binaries`]), NEVRAs, SRPM file names or N-V-Rs.
    Lines(Vec<String>),
    /// No input (a what-if typed at a terminal): the sources are those of
    /// the `--srpm`/`--spec` files.
    GivenFiles,
}

/// A run's options, typed; the tool has refused the combinations it does
/// not take (`--json` with `--print`, `--compare` without files, ...).
pub struct Request<'a> {
    /// The target arch (a known one, with an arch policy).
    pub arch: &'a str,
    /// The repositories.
    pub repos: &'a RepoArgs,
    /// The core, the preferred release, the placeholders and the scope.
    pub config: Config,
    /// Whether the last core name is the release package's default
    /// ([`CoreNames::release_by_default`]), for its warning.
    pub release_by_default: bool,
    /// The input's lines.
    pub input: Input,
    /// The input's file as messages name it (`<stdin>` for `-`).
    pub input_name: String,
    /// The input lists binaries; their sources are the input.
    pub from_binaries: bool,
    /// `--only-binaries` files: only binaries they name are installable.
    pub only_binaries: &'a [String],
    /// `--srpm` files.
    pub srpms: &'a [PathBuf],
    /// `--spec` files.
    pub specs: &'a [PathBuf],
    /// The macros the specs are read with (repos and core are the run's).
    pub macros: MacroArgs,
    /// The spec-evaluation options.
    pub spec_args: &'a SpecArgs,
    /// `--compare`: the answer with and without the given files.
    pub compare: bool,
    /// Where dep-tracker's output layout is written.
    pub output_dir: Option<&'a Path>,
    /// `--view`: the view the relations JSON names (None: [`DEFAULT_VIEW`]).
    pub view: Option<&'a str>,
    /// `--why NAME`: the answer is NAME's chain.
    pub why: Option<&'a str>,
    /// `--json`: the answer is the whole report.
    pub json: bool,
    /// The list printed otherwise.
    pub print: Print,
    /// `--timings`: [`Observer::timings`] is told the phases' times.
    pub timings: bool,
    /// No warnings or notes ([`Observer::say`] gets only the lines that
    /// are the answer, or what it lacks).
    pub quiet: bool,
    /// How many failed sources' details are said (a terminal's few); None:
    /// all (a log).
    pub failures_shown: Option<usize>,
}

impl Request<'_> {
    /// `--builds-only`: the input's builds, not the fixed point.
    pub fn builds_only(&self) -> bool {
        self.config.scope == Scope::Input
    }

    /// The input's file as messages name it.
    pub fn input_name(&self) -> &str {
        &self.input_name
    }

    /// The view the relations JSON names (`--view`, else [`DEFAULT_VIEW`]).
    pub fn view(&self) -> &str {
        self.view.unwrap_or(DEFAULT_VIEW)
    }
}

/// The view the relations JSON names when `--view` is not given.
pub const DEFAULT_VIEW: &str = "view-eln";

/// What a run tells as it goes.
pub trait Observer: Sync {
    /// A `warning` or `note` line for stderr (the tool adds its name).
    fn say(&self, kind: &str, msg: &str);
    /// The fixed point's progress (from worker threads).
    fn progress(&self, _p: &Progress) {}
    /// The fixed point is over: what shows progress can be cleared.
    fn fixed_point_done(&self) {}
    /// The phase timings, once the fixed point is over.
    fn timings(&self, _t: &Timings) {}
}

/// How long the phases took (`--timings`, for benchmarks).
#[derive(Clone, Debug)]
pub struct Timings {
    /// Packages in the pool.
    pub packages: usize,
    /// Seconds spent loading the repos.
    pub load_s: f64,
    /// Seconds spent in the fixed point.
    pub fixed_point_s: f64,
    /// Sources of the run.
    pub sources: usize,
    /// Transactions resolved (one per source with a package, and the core's).
    pub transactions: usize,
    /// Binaries of the buildroot.
    pub binaries: usize,
    /// Whether the pool came from the cache.
    pub pool_cached: bool,
}

impl Timings {
    /// The line `--timings` prints on stderr for `arch`: `timings:` and
    /// `key=value` fields, which scripts/bench.sh reads by name (seconds
    /// to the millisecond, `pool_cached` 0 or 1).
    pub fn line(&self, arch: &str) -> String {
        format!(
            "timings: arch={arch} packages={} load_s={:.3} fixed_point_s={:.3} sources={} \
             transactions={} binaries={} pool_cached={}",
            self.packages,
            self.load_s,
            self.fixed_point_s,
            self.sources,
            self.transactions,
            self.binaries,
            self.pool_cached as u8
        )
    }
}

/// The answer a run gives, for the tool to print.
pub enum Answer {
    /// `--why`: the chain, or what the name is instead.
    Why(WhyAnswer),
    /// `--why` with `--json`: the answer's document ([`why_document`]).
    WhyJson(serde_json::Value),
    /// `--compare`: the answer without and with the given files.
    Compare(Box<compare::Report>),
    /// `--json`: every list and error.
    Report(Box<BuildrootReport>),
    /// The `--print` list.
    List(Vec<String>),
}

/// A run's answer and its exit code (0, or 1: a `--builds-only` build
/// failed, `--why` found no chain, `--compare` found new failures).
pub struct Outcome {
    /// The exit code.
    pub code: u8,
    /// What to print.
    pub answer: Answer,
}

/// Runs `req`. The pool is never freed: freeing ~100k packages' strings
/// one by one costs ≈0.03 s of CPU, and the tools exit right after (a
/// caller running many requests in one process pays that memory).
pub fn run(req: &Request, observer: &dyn Observer) -> Result<Outcome> {
    let say = |kind: &str, msg: String| observer.say(kind, &msg);
    if let Some(m) = said::view_unused(req) {
        said::warn(req, &say, m);
    }
    let t_load = Instant::now();
    let mut what_if_said = what_if::Said::new();
    let given = what_if::read_given(&what_if_request(req), &mut what_if_said)?;
    let input_lines = match &req.input {
        Input::Lines(lines) => lines.clone(),
        Input::GivenFiles => {
            let names: Vec<String> = given.iter().map(|g| g.package.name.clone()).collect();
            what_if_said.push((
                "note",
                format!("no input: the sources are {}", names.join(", ")),
            ));
            names
        }
    };
    let (pool, unknown_allowed) = load_pool(req, &what_if::packages(&given))?;
    let pool = ManuallyDrop::new(pool);
    let load_s = t_load.elapsed().as_secs_f64();
    what_if::note_replaced(&given, &pool, &mut what_if_said);
    what_if::note_arch_baseline(&given, &pool, req.arch, &mut what_if_said);
    let input = load::sources(req, &pool, &given, &input_lines, &say)?;
    if input.is_empty() {
        let warning = if req.builds_only() {
            said::EMPTY_INPUT_BUILDS_ONLY
        } else {
            said::EMPTY_INPUT
        };
        said::warn(req, &say, warning.into());
    } else {
        refusals::check_sources_exist(req, &pool, &input, &req.config)?;
        refusals::check_builds_known(req, &pool, &input, &req.config)?;
    }

    let t_run = Instant::now();
    let br = buildroot::run_with_progress(&pool, &input, &req.config, |p| observer.progress(&p))?;
    observer.fixed_point_done();
    if req.timings {
        observer.timings(&Timings {
            packages: pool.len(),
            load_s,
            fixed_point_s: t_run.elapsed().as_secs_f64(),
            sources: br.sources.len(),
            transactions: br.sources.iter().filter(|s| !s.no_source()).count() + 1,
            binaries: br.binaries().len(),
            pool_cached: pool.from_cache(),
        });
    }
    refusals::check_core_solved(req, &pool, &input, &br)?;
    if let Some(m) = said::unknown_allowed(req, &unknown_allowed) {
        said::warn(req, &say, m);
    }
    what_if::warn_unreached(&given, &br, &mut what_if_said);
    for (kind, line) in what_if_said {
        if !req.quiet {
            say(kind, line);
        }
    }
    said::core(req, &br, &say);
    said::failures(req, &pool, &br, &say);

    if let Some(dir) = req.output_dir {
        br.write_output_dir(dir, req.view(), req.arch)
            .map_err(output_dir_error)?;
    }
    let failed = br.failed().next().is_some();
    if let Some(query) = req.why {
        let answer = buildroot::explain(&br, query);
        let code = if answer.chain.is_some() { 0 } else { 1 };
        let answer = match req.json {
            true => Answer::WhyJson(why_document(req.arch, query, &answer)),
            false => Answer::Why(answer),
        };
        return Ok(Outcome { code, answer });
    }
    if req.compare {
        let names: Vec<String> = given.iter().map(|g| g.package.name.clone()).collect();
        let with = compare::Snapshot::of(&br, &names);
        // One fixed point's records at a time (≈100 MB at Fedora scale).
        drop(br);
        let cfg = Config {
            without_given_files: true,
            ..req.config.clone()
        };
        let without = compare::Snapshot::of(&buildroot::run(&pool, &input, &cfg)?, &names);
        let options = given.iter().map(|g| g.option.clone()).collect();
        let report = compare::Report::new(req.arch, options, &without, &with);
        let code = if report.new_failures() { 1 } else { 0 };
        return Ok(Outcome {
            code,
            answer: Answer::Compare(Box::new(report)),
        });
    }
    // The lists are written either way: a failed build's binaries are
    // the core's and the other builds' (scripts read them as before).
    let code = match req.builds_only() && failed {
        true => 1,
        false => 0,
    };
    let answer = match req.json {
        true => {
            let mut report = br.report(req.arch);
            report.skipped_repos = refusals::skipped_repos(req, &pool);
            report.only_binaries_unknown = unknown_allowed;
            Answer::Report(Box::new(report))
        }
        false => Answer::List(req.print.list(&br)),
    };
    Ok(Outcome { code, answer })
}

/// `--why NAME --json`'s document (docs/formats.md section 10): `arch`,
/// `name` (the query taken as a name), `query` (as given), `package`,
/// `chain` (steps by name, or null), `note`, and `failed_builds` only when
/// failed builds wanted the package (the documents of other answers stay
/// as they were).
pub fn why_document(arch: &str, query: &str, answer: &WhyAnswer) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "arch": arch,
        "name": answer.name,
        "query": query,
        "package": answer.package,
        "chain": answer.chain,
        "note": answer.note,
    });
    if !answer.failed_builds.is_empty() {
        doc["failed_builds"] = serde_json::json!(answer.failed_builds);
    }
    doc
}

/// What the what-if files need of the request.
fn what_if_request<'a>(req: &'a Request) -> what_if::Request<'a> {
    what_if::Request {
        arch: req.arch,
        srpms: req.srpms,
        specs: req.specs,
        repos: req.repos,
        core: &req.config.core,
        spec_args: req.spec_args,
        macros: req.macros.clone(),
        compare: req.compare,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--timings`' line: the fields the benchmark scripts read, in order.
    #[test]
    fn the_timings_line() {
        let t = Timings {
            packages: 70000,
            load_s: 0.61234,
            fixed_point_s: 2.0,
            sources: 4000,
            transactions: 4001,
            binaries: 9000,
            pool_cached: true,
        };
        assert_eq!(
            t.line("s390x"),
            "timings: arch=s390x packages=70000 load_s=0.612 fixed_point_s=2.000 sources=4000 \
             transactions=4001 binaries=9000 pool_cached=1"
        );
    }

    /// `--why --json`'s keys, `failed_builds` only when there are some,
    /// `query` as given beside the name it was taken as.
    #[test]
    fn why_document_keys() {
        let mut answer = WhyAnswer {
            name: "nasm".into(),
            package: None,
            chain: None,
            line: None,
            note: Some("not in the buildroot".into()),
            failed_builds: Vec::new(),
        };
        let doc = why_document("x86_64", "nasm-2.16-1.eln150.x86_64", &answer);
        assert_eq!(
            doc,
            serde_json::json!({"arch": "x86_64", "name": "nasm",
                "query": "nasm-2.16-1.eln150.x86_64", "package": null, "chain": null,
                "note": "not in the buildroot"})
        );
        answer.failed_builds.push(crate::buildroot::FailedBuild {
            source: "x".into(),
            error: "BadDeps".into(),
            problem: "p".into(),
        });
        let doc = why_document("x86_64", "nasm", &answer);
        assert_eq!(
            doc["failed_builds"],
            serde_json::json!([{"source": "x", "error": "BadDeps", "problem": "p"}])
        );
    }
}
