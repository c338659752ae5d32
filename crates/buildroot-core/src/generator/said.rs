//! What a run says of itself on stderr once its fixed point is computed:
//! the `--only-binaries` names no repository has, the core names that
//! match nothing or a core that cannot be solved, and the failed sources
//! (a line each, then the counts per kind). dnf says a missing package or
//! an unsolvable transaction likewise, one line each
//! (`dnf.exceptions.MarkingErrors`, libsolv's problem strings); the wording
//! and the counts are ours (docs/semantics.md, "Failures").

use crate::buildroot::Buildroot;
use crate::pool::Pool;

use super::Request;

/// The warning of a run whose input lists no source.
pub(super) const EMPTY_INPUT: &str = "the input lists no sources; the buildroot is the core's \
     own: the core buildroot and what building its packages' sources needs (--json's \
     core.binaries: the core alone)";

/// [`EMPTY_INPUT`] of `--builds-only`, which builds no source of the core:
/// its answer is the core buildroot alone (the fixed point's wording said
/// it held what building the core's sources needs, which it does not).
pub(super) const EMPTY_INPUT_BUILDS_ONLY: &str = "the input lists no sources and no --spec/--srpm \
     is given; with --builds-only nothing is built: the answer is the core buildroot alone";

/// The warning of a `--view` given without `--output-dir`: it only names
/// the view in the relations JSON that directory holds, so it would be
/// dropped without a word (no list depends on it).
pub(super) fn view_unused(req: &Request) -> Option<String> {
    match (req.view, req.output_dir) {
        (Some(view), None) => Some(format!(
            "--view {view}: only named in the relations JSON that --output-dir writes, and no \
             --output-dir is given: it changes nothing"
        )),
        _ => None,
    }
}

/// Says a warning unless `-q`.
pub(super) fn warn(req: &Request, say: &dyn Fn(&str, String), msg: String) {
    if !req.quiet {
        say("warning", msg)
    }
}

/// The warning about `--only-binaries` names no repository has a binary of:
/// a compose list (step 10's allowed list is the compose's names with the
/// workload's) that names packages the repos lack (a stale list, a wrong or
/// missing repo). Not an error: content-resolver's published lists may lag
/// the repos by a day, and content-resolver itself records a package it
/// cannot find as a warning of its workload. One line: how many, and the
/// first few (`--json`'s `only_binaries_unknown` has all).
pub(super) fn unknown_allowed(req: &Request, unknown: &[String]) -> Option<String> {
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
        req.only_binaries
            .iter()
            .map(|f| if f == "-" { "<stdin>" } else { f.as_str() })
            .collect::<Vec<_>>()
            .join(", "),
        req.arch
    ))
}

/// The core names that match no package, and a core that cannot be solved
/// (warnings: the refusal of a core that cannot be installed came before).
pub(super) fn core(req: &Request, br: &Buildroot, say: &dyn Fn(&str, String)) {
    let cfg = &req.config;
    for m in &br.core.missing {
        let whence = if req.release_by_default && cfg.core.last() == Some(m) {
            " (the --release-package default; --release-package '' for none)"
        } else {
            ""
        };
        let of = match req.only_binaries.is_empty() {
            true => "",
            // Step 10's restricted run: the name may well be in the repos.
            false => " of the --only-binaries lists",
        };
        warn(
            req,
            say,
            format!("core name '{m}' matches no package{of}{whence}"),
        );
    }
    if !br.core.problems.is_empty() {
        warn(
            req,
            say,
            format!(
                "the core buildroot alone cannot be solved: {}",
                br.core.problems.join("; ")
            ),
        );
    }
}

/// The failed sources. Logs ([`Request::failures_shown`] None) get a line
/// per failed source, the details; a person at a terminal gets those of
/// the first few (a packager asking about a handful of sources wants to
/// read why, not to run again; a whole distribution's failures would bury
/// the screen). Both end with the counts per kind. With `--builds-only` a
/// failed build is the answer (exit 1, as `dnf builddep` fails), so `-q`
/// does not hide why, as it keeps `--compare`'s failures; in a fixed point
/// failures are part of a distribution's day and stay warnings.
pub(super) fn failures(req: &Request, pool: &Pool, br: &Buildroot, say: &dyn Fn(&str, String)) {
    let shown = req.failures_shown.unwrap_or(usize::MAX);
    let failure = |msg: String| {
        if !req.quiet || req.builds_only() {
            say("warning", msg)
        }
    };
    let total = br.failed().count();
    // Without a source repository (the core alone asked for with an empty
    // input, as the refusal of sources without one advises; placeholders
    // alone) every queued source is a NoSource: a line each (26 for mock's
    // core) said nothing the one line here does not. The lists and
    // --output-dir's errors/ keep them as before.
    let unbuilt_core = total > 0
        && br.failed().all(|s| s.no_source())
        && !pool
            .ids()
            .any(|p| pool.is_source(p) && !pool.is_command_line(p));
    if unbuilt_core {
        let sources = if total == 1 { "source" } else { "sources" };
        warn(
            req,
            say,
            format!(
                "no repository holds source packages, so the {total} {sources} of the \
                 buildroot's binaries are not built (NoSource; --source-repo ID=URL builds them)"
            ),
        );
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
        let details = match (req.output_dir, req.failures_shown) {
            (Some(d), _) => format!("details in {}", d.join("errors").display()),
            (None, Some(_)) if total > shown => {
                format!("the first {shown} above; all with --output-dir DIR (errors/) or --json")
            }
            (None, _) => "details above".to_string(),
        };
        let sources = if total == 1 { "source" } else { "sources" };
        failure(format!(
            "{total} {sources} failed: {} ({details})",
            per_kind.join(", ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::cli::RepoArgs;
    use crate::generator::{Input, Print};
    use crate::spec::SpecArgs;

    /// The warning of a `--view` that changes nothing: said only for a view
    /// given without `--output-dir` (the default view, or one with a
    /// directory, is named in the relations JSON).
    #[test]
    fn a_view_without_an_output_dir_is_a_warning() {
        let (repos, spec_args) = (RepoArgs::default(), SpecArgs::default());
        let request = |view, output_dir| Request {
            arch: "x86_64",
            repos: &repos,
            config: Default::default(),
            release_by_default: false,
            input: Input::Lines(Vec::new()),
            input_name: "<stdin>".into(),
            from_binaries: false,
            only_binaries: &[],
            srpms: &[],
            specs: &[],
            macros: Default::default(),
            spec_args: &spec_args,
            compare: false,
            output_dir,
            view,
            why: None,
            json: false,
            print: Print::Binaries,
            timings: false,
            quiet: false,
            failures_shown: None,
        };
        assert_eq!(
            view_unused(&request(Some("view-mine"), None)).as_deref(),
            Some(
                "--view view-mine: only named in the relations JSON that --output-dir writes, \
                 and no --output-dir is given: it changes nothing"
            )
        );
        assert_eq!(view_unused(&request(None, None)), None);
        let out = Path::new("out");
        assert_eq!(view_unused(&request(Some("view-mine"), Some(out))), None);
    }
}
