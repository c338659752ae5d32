//! One identify-archful-srpms run as a library call (workflow step 4): the
//! listed sources' SRPMs brought into the cache, their specs read with
//! each arch's macros, and the verdict of each (archful: BuildRequires that
//! differ between arches). An [`IdentifyRequest`] in, an [`Identified`]
//! out (its `--json` document, [`Identified::to_json`]); warnings said
//! through a callback as they come. dep-tracker's `%ifarch` grep is the
//! upstream this refines; the verdicts are [`identify`]'s or rpm's own
//! ([`identify_rpmspec`], `rpmspec -q --target ARCH`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use regex::Regex;

use super::{
    check_cache, claim_cache, identify, identify_rpmspec, refresh_cache_preferring, ArchTarget,
    ArchfulResult, CacheHold, CacheRefresh, CachedSrpm, MacroArgs, Retention, Verdict,
};
use crate::cli::SourceRepoArgs;
use crate::error::{Error, Result};
use crate::pkglist::names_in_list;
use crate::rpmmd::{self, Filelists, LoadOptions};
use crate::spec::SpecArgs;

/// A run's options, typed (the tool has refused bad values and the
/// combinations it does not take, and read the input).
pub struct IdentifyRequest<'a> {
    /// The target arches, each once, known.
    pub arches: &'a [String],
    /// The source repositories.
    pub repos: &'a SourceRepoArgs,
    /// Where each arch's spec macros come from.
    pub macros: &'a MacroArgs,
    /// The spec-evaluation options.
    pub spec_args: &'a SpecArgs,
    /// The SRPM cache.
    pub cache: &'a Path,
    /// How long SRPMs of sources not listed are kept.
    pub retention: Retention,
    /// Of a name's several sources, the one whose release matches.
    pub prefer_release: Option<&'a Regex>,
    /// Let rpm read the specs instead of the built-in evaluator.
    pub rpmspec: bool,
    /// The input's file, as `-` or its path (for messages).
    pub input: &'a str,
    /// The input's lines.
    pub lines: &'a [String],
    /// No warnings.
    pub quiet: bool,
    /// Say how many SRPMs are being cached (a person at a terminal waits).
    pub announce: bool,
}

/// What a run found.
pub struct Identified {
    /// The arches asked about.
    pub arches: Vec<String>,
    /// The listed sources' SRPMs in the cache, sorted by name.
    pub cached: Vec<CachedSrpm>,
    /// The listed names no source repository has, sorted.
    pub missing: Vec<String>,
    /// Each cached source's verdict.
    pub results: Vec<ArchfulResult>,
    /// Each arch's macros.
    pub targets: Vec<ArchTarget>,
    /// Where the macros came from: notes said once the run succeeded (a
    /// failed run says one line, its error).
    pub notes: Vec<String>,
    /// The repos `skip_if_unavailable=1` left out, sorted, each once.
    pub skipped_repos: Vec<String>,
    /// Keeps concurrent runs from deleting `cached` until this is dropped.
    pub hold: CacheHold,
}

/// The arches a run asks about, from `--arch` as given: the four ELN
/// arches ([`super::DEFAULT_ARCHES`]) when none is given, else each given
/// one once, in the order first given (`--arch $a` from a list with a
/// repeat asks once and is listed once in the JSON's `arches`), each
/// refused unless rpm knows it ([`crate::cli::check_arch`]).
pub fn target_arches(given: &[String]) -> Result<Vec<String>> {
    let mut arches: Vec<String> = match given.is_empty() {
        true => super::DEFAULT_ARCHES
            .iter()
            .map(|s| s.to_string())
            .collect(),
        false => given.to_vec(),
    };
    let mut seen = HashSet::new();
    arches.retain(|a| seen.insert(a.clone()));
    for a in &arches {
        crate::cli::check_arch(a)?;
    }
    Ok(arches)
}

/// Why an empty input list (`input` as messages name it) is refused
/// without `--allow-empty`: it is what a failed step before this one gives,
/// and `--allow-empty` would have the refresh list nothing, deleting every
/// SRPM of `cache` (those used within `keep_unlisted_hours` only later).
pub fn empty_list_refusal(input: &str, cache: &Path, keep_unlisted_hours: u64) -> String {
    let then = match keep_unlisted_hours {
        0 => "at once".to_string(),
        1 => "once no run has used them for an hour (--keep-unlisted)".to_string(),
        h => format!("once no run has used them for {h} hours (--keep-unlisted)"),
    };
    format!(
        "{input}: the list of sources is empty (did the step before fail?); with \
         --allow-empty the SRPMs in {} are deleted {then}",
        cache.display()
    )
}

/// The library's error line, with the options that gave the values named.
pub fn option_names(e: Error) -> Error {
    match e {
        Error::MacroDefinition { text } => {
            Error::Usage(format!("--define '{text}': expected 'NAME VALUE'"))
        }
        Error::PathWithColon { .. } => Error::Usage(format!("{e} (use a --cache without one)")),
        Error::OutputDir { path, problem } => {
            Error::Usage(format!("{}: --cache {problem}", path.display()))
        }
        e => e,
    }
}

/// Runs `req`; `say(kind, line)` gets the warnings (kind `warning`) and
/// the caching line (kind empty).
pub fn identify_sources(req: &IdentifyRequest, say: &dyn Fn(&str, String)) -> Result<Identified> {
    let warn = |m: String| {
        if !req.quiet {
            say("warning", m);
        }
    };
    // Before anything goes into the cache (metadata and macro packages do
    // before the SRPMs): a refresh deletes the SRPMs it does not list, so a
    // directory of other files named by mistake is refused untouched.
    check_cache(req.cache).map_err(option_names)?;
    let before = CacheBefore::of(req.cache);
    let metadata = req.repos.files.metadata_dir()?;
    // The metadata cache may be the SRPM cache itself, or a directory in
    // it (--cache-dir, or a --cache naming the user's cache): its pools/
    // and repos' directories, written below before any SRPM, would have the
    // claim refuse the cache as another's (a run on a new cache failed after
    // writing them). So the cache, just found fit, is claimed first.
    if super::cache::is_within(&metadata, req.cache) {
        claim_cache(req.cache).map_err(option_names)?;
    }
    // Source packages are arch `src`, the same on every arch: $basearch (in a
    // source URL, in a --repofile path) is x86_64 when it is asked about, else
    // the first arch (a run without x86_64 has no x86_64 repo file).
    let source_arch = match req.arches.iter().any(|a| a == "x86_64") {
        true => "x86_64",
        false => req.arches[0].as_str(),
    };
    let specs = req.repos.specs(source_arch)?;
    let mut notes = Vec::new();
    let mut targets = req
        .macros
        .targets(req.arches, &req.repos.files, req.cache, &mut |m| {
            notes.push(m)
        })
        .map_err(option_names)?;
    for t in &mut targets {
        req.spec_args.apply(&mut t.ctx);
    }
    // An earlier version's metadata cache, which no run reads or prunes
    // now: said (not deleted: it may be some tool's --cache-dir), as it
    // holds hundreds of MB of Fedora's metadata.
    if let Some(old) = super::unused_earlier_metadata(req.cache, &metadata) {
        notes.push(format!(
            "{}: repository metadata an earlier version cached in the SRPM cache, no longer \
             read (every tool now caches it in {}, or --cache-dir): delete it to free its space",
            old.display(),
            metadata.display()
        ));
    }
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        cache_dir: Some(metadata),
    };
    let repos = rpmmd::load_repos(&specs, &opts)?;
    let sources: HashSet<&str> = repos
        .iter()
        .flat_map(|r| &r.packages)
        .filter(|p| p.is_source())
        .map(|p| p.name.as_str())
        .collect();
    let names = names_in_list(
        req.input,
        req.lines,
        |n| sources.contains(n),
        "a source package of the source repositories",
        &before.since(req.cache),
    )?;
    if req.announce {
        say(
            "",
            format!("caching {} SRPMs into {}", names.len(), req.cache.display()),
        );
    }
    let CacheRefresh {
        cached,
        missing,
        hold,
    } = refresh_cache_preferring(
        &repos,
        &names,
        req.cache,
        &req.retention,
        req.prefer_release,
    )
    .map_err(option_names)?;
    for m in req.macros.warnings(&targets) {
        warn(m);
    }
    // A binary's name given as a source: say whose binary it is.
    let sources_of = req
        .macros
        .sources_of_binaries(&missing, req.arches, &req.repos.files);
    for m in &missing {
        let of = sources_of
            .get(m)
            .map(|src| format!(" (it is a binary of source {src})"))
            .unwrap_or_default();
        warn(format!(
            "{m}: no source package of that name in the repositories{of}"
        ));
    }
    let results = if req.rpmspec {
        identify_rpmspec(&cached, &targets).map_err(option_names)?
    } else {
        identify(&cached, &targets)?
    };
    for r in &results {
        if let Verdict::GrepFallback { reason } = &r.verdict {
            warn(format!(
                "{}: spec not evaluated ({reason}); dep-tracker's %ifarch grep decided",
                r.name
            ));
        }
    }
    // The repos skip_if_unavailable=1 left out, of the source repos' load
    // or of any arch's macro packages: the answer lacks what only they hold.
    let mut skipped = rpmmd::left_out(&specs, repos.iter().map(|r| r.spec.id.as_str()));
    skipped.extend(targets.iter().flat_map(|t| t.skipped_repos.iter().cloned()));
    skipped.sort();
    skipped.dedup();
    Ok(Identified {
        arches: req.arches.to_vec(),
        cached,
        missing,
        results,
        targets,
        notes,
        skipped_repos: skipped,
        hold,
    })
}

/// What the SRPM cache was before a run wrote anything into it, so that a
/// run refused after writing its metadata or macro packages (a list that
/// names no source) says truly what became of it: a first run on a new
/// directory has made it, and one that claimed an unmarked directory has
/// marked it; "left as it was" was said of both.
struct CacheBefore {
    existed: bool,
    marked: bool,
}

impl CacheBefore {
    fn of(cache: &Path) -> CacheBefore {
        CacheBefore {
            existed: std::fs::symlink_metadata(cache).is_ok(),
            marked: cache.join(super::CACHE_MARKER).is_file(),
        }
    }

    /// What became of `cache`, which no SRPM was fetched into or deleted
    /// from, for the end of a refusal's line.
    fn since(&self, cache: &Path) -> String {
        let now = CacheBefore::of(cache);
        let cache = cache.display();
        match (self.existed, now.existed, !self.marked && now.marked) {
            (false, false, _) => format!("the SRPM cache {cache} was not created"),
            (false, true, _) => {
                format!("the SRPM cache {cache} was created, but no SRPM was fetched into it")
            }
            (true, _, true) => format!(
                "the SRPM cache {cache} was marked as one ({}), but no SRPM was fetched into it \
                 or deleted from it",
                super::CACHE_MARKER
            ),
            (true, _, false) => format!("the SRPM cache {cache} is left as it was"),
        }
    }
}

impl Identified {
    /// The archful sources' verdicts.
    pub fn archful(&self) -> Vec<&ArchfulResult> {
        self.results.iter().filter(|r| r.archful).collect()
    }

    /// The `--json` document (docs/formats.md).
    pub fn to_json(&self) -> serde_json::Value {
        let results = &self.results;
        let mut doc = serde_json::json!({
            "arches": self.arches,
            "archful": self.archful(),
            "grep_fallback": results.iter().filter(|r| matches!(r.verdict, Verdict::GrepFallback { .. })).map(|r| &r.name).collect::<Vec<_>>(),
            "not_buildable": results.iter().filter(|r| !r.not_buildable_on.is_empty()).map(|r| (r.name.clone(), r.not_buildable_on.clone())).collect::<BTreeMap<_, _>>(),
            "dynamic_build_requires": results.iter().filter(|r| r.dynamic_build_requires).map(|r| &r.name).collect::<Vec<_>>(),
            "missing": self.missing,
            "macros": self.targets.iter().map(|t| (t.arch.clone(), t.report())).collect::<BTreeMap<_, _>>(),
        });
        // Absent when none, so a whole run's document is as it was
        // (buildroot-generator's key, docs/formats.md 10a).
        if !self.skipped_repos.is_empty() {
            doc["skipped_repos"] = serde_json::json!(self.skipped_repos);
        }
        doc
    }

    /// The note of a run on one arch. Archful is "BuildRequires differ
    /// between arches": one arch has nothing to differ from, and its empty
    /// list read as an answer. A spec the evaluator cannot read is still
    /// decided by the %ifarch grep, whatever the arches: such a source may
    /// be listed, and the note must not deny the list it follows.
    pub fn one_arch_note(&self) -> Option<String> {
        let [arch] = self.arches.as_slice() else {
            return None;
        };
        let grepped = self
            .archful()
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::GrepFallback { .. }))
            .count();
        let what = match grepped {
            0 => "no source can be archful",
            _ => "no evaluated spec can be archful",
        };
        let listed = match grepped {
            0 => String::new(),
            1 => {
                "; the 1 listed is the %ifarch grep fallback's, its spec not evaluated".to_string()
            }
            n => format!(
                "; the {n} listed are the %ifarch grep fallback's, their specs not evaluated"
            ),
        };
        Some(format!(
            "one --arch ({arch}): {what} (BuildRequires that differ between arches){listed}; \
             give two or more --arch to find them (the SRPM cache is refreshed all the same)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No --arch: the four ELN arches; given ones each once, in the order
    /// first given; an unknown one refused in the tools' words.
    #[test]
    fn target_arches_default_dedup_and_check() {
        let given = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            target_arches(&[]).unwrap(),
            ["aarch64", "ppc64le", "s390x", "x86_64"]
        );
        assert_eq!(
            target_arches(&given(&["x86_64", "aarch64", "x86_64"])).unwrap(),
            ["x86_64", "aarch64"]
        );
        let e = target_arches(&given(&["x86_64", "x86-64"])).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--arch x86-64: unknown architecture (known: "),
            "{e}"
        );
    }

    /// The refusal says what --allow-empty would do with the cache, in
    /// the hours --keep-unlisted gives.
    #[test]
    fn an_empty_list_refusal_says_when_the_srpms_would_go() {
        let cache = Path::new("work/srpms");
        let line = |hours| empty_list_refusal("<stdin>", cache, hours);
        let head = "<stdin>: the list of sources is empty (did the step before fail?); with \
                    --allow-empty the SRPMs in work/srpms are deleted";
        assert_eq!(line(0), format!("{head} at once"));
        assert_eq!(
            line(1),
            format!("{head} once no run has used them for an hour (--keep-unlisted)")
        );
        assert_eq!(
            line(72),
            format!("{head} once no run has used them for 72 hours (--keep-unlisted)")
        );
    }
}
