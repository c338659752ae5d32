//! One create-srpm-repos run as a library call (workflow steps 5-7): the
//! listed sources' SRPMs taken from the cache identify-archful-srpms
//! filled, the archful ones regenerated for the arch ([`create_srpm_repo`],
//! as `rpmbuild -bs --target ARCH` would write them), into one source
//! repository. A [`RepoRunRequest`] in, a [`RepoRun`] out (what it did,
//! and the lines the tool says of it). The repodata is createrepo_c's
//! format ([`crate::repodata`]); no single upstream function.

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;

use super::identify_run;
use super::{
    cache_index_preferring, claim_cache, create_srpm_repo, CacheHold, KeptSrpm, MacroArgs,
    Regenerate, RepoReport, SrpmRepoRequest,
};
use crate::cli::RepoFileArgs;
use crate::error::{Error, OutputDirProblem, Result};
use crate::pkglist::{names_in_list, read_list, Names};
use crate::spec::SpecArgs;

/// Why an empty input list (`input` as messages name it) is refused
/// without `--allow-empty`: it would empty the repo `out`, and is what a
/// failed step before this one (an empty pipe) gives.
pub fn empty_list_refusal(input: &str, out: &Path) -> String {
    format!(
        "{input}: the list of sources is empty (did the step before fail?); \
         --allow-empty writes an empty repo into {}",
        out.display()
    )
}

/// A run's options, typed (the tool has refused bad values and read the
/// input).
pub struct RepoRunRequest<'a> {
    /// The target arch.
    pub arch: &'a str,
    /// The SRPM cache (checked as one to read).
    pub cache: &'a Path,
    /// Where the binary repos (whose macro packages read the specs) are.
    pub repo_files: &'a RepoFileArgs,
    /// Where the spec macros come from.
    pub macros: &'a MacroArgs,
    /// The spec-evaluation options.
    pub spec_args: &'a SpecArgs,
    /// Of a name's several cached SRPMs, the one whose release matches.
    pub prefer_release: Option<&'a Regex>,
    /// The input's file, as `-` or its path (for messages).
    pub input: &'a str,
    /// The input's lines.
    pub lines: Vec<String>,
    /// The archful list (identify-archful-srpms' output).
    pub archful: &'a str,
    /// The source repository to write.
    pub out: &'a Path,
    /// Let rpmbuild regenerate the SRPMs.
    pub rpmbuild: bool,
}

/// What a run did.
pub struct RepoRun {
    /// The repository's report.
    pub report: RepoReport,
    /// Where the macros came from (notes).
    pub notes: Vec<String>,
    /// The macro options that matched nothing (warnings).
    pub unmatched: Vec<String>,
}

/// The library's error line, with the options that gave the values named
/// (`cache`: the `--cache` directory).
pub fn option_names(e: Error, cache: &Path) -> Error {
    match e {
        // A damaged SRPM of the cache: identify-archful-srpms fetches it
        // again (it checks what it reuses).
        Error::Format {
            ref path, ref msg, ..
        } if msg.starts_with("not a valid RPM file") && Path::new(path).starts_with(cache) => {
            Error::Usage(format!(
                "{e} (run identify-archful-srpms with --cache {} to fetch it again)",
                cache.display()
            ))
        }
        Error::MissingProgram {
            program: "rpmbuild",
            ..
        } => Error::Usage(format!("{e} or drop --rpmbuild")),
        Error::OutputDir {
            path,
            problem: problem @ OutputDirProblem::NotAnSrpmCache { .. },
        } => Error::Usage(format!("{}: --cache {problem}", path.display())),
        Error::OutputDir { path, problem } => {
            Error::Usage(format!("{}: --out {problem}", path.display()))
        }
        Error::RebuiltNevrDiffers {
            path,
            built,
            original,
        } => Error::Usage(format!(
            "{}: rpmbuild -bs made {built}, not {original} (a macro such as %dist differs \
             from the build that made this SRPM; pass it with --define)",
            path.display()
        )),
        // --define and a cache path with ':' read as identify-archful-srpms says them.
        e => identify_run::option_names(e),
    }
}

/// The refusal of a cache that holds no SRPM: the wrong directory, or step
/// 4 never ran (going on would write an empty repo and call every name
/// missing).
pub(crate) fn no_srpms(cache: &Path) -> Error {
    Error::format(
        cache.display(),
        "holds no SRPMs (is it identify-archful-srpms' --cache?)",
    )
}

/// Runs `req`.
pub fn create_srpm_repos(req: RepoRunRequest) -> Result<RepoRun> {
    let cache = req.cache;
    // The SRPMs read now must still be there when linked: a concurrent
    // identify-archful-srpms with another list deletes none meanwhile.
    let _hold = CacheHold::shared(cache)?;
    // Names, NEVRAs, SRPM file names and the tools' own `*-nvrs` lines, as
    // the cache's SRPMs name them.
    let cached = cache_index_preferring(cache, req.prefer_release)?;
    // A cache without SRPMs is refused before anything is written into it
    // (`create_srpm_repo` refuses it too, but after the macro packages,
    // and the metadata and pools of a metadata cache inside it, were
    // written: those made identify-archful-srpms refuse the directory).
    if cached.is_empty() && !req.lines.is_empty() {
        // What a run refuses first when the cache holds SRPMs is still
        // said first (a `--define` that is no definition, an `--out` that
        // cannot be one); neither check writes anything.
        req.macros
            .check_defines()
            .map_err(|e| option_names(e, cache))?;
        super::repos::check_out_dir(req.out).map_err(|e| option_names(e, cache))?;
        return Err(no_srpms(cache));
    }
    // The metadata cache may be the SRPM cache, or inside it: its pools and
    // repos' directories are no cache entries, so an unmarked cache (an
    // earlier version's, found fit above) would be refused as another's
    // once they are written, by this run and by identify-archful-srpms.
    // It is marked first, as identify-archful-srpms' next run would.
    if !cached.is_empty() && super::cache::is_within(&req.repo_files.metadata_dir()?, cache) {
        claim_cache(cache).map_err(identify_run::option_names)?;
    }
    let names = match cached.is_empty() {
        true => req.lines,
        false => names_in_list(
            req.input,
            &req.lines,
            |n| cached.contains_key(n),
            &format!("an SRPM of the cache {}", cache.display()),
            &format!("{} is left as it was", req.out.display()),
        )?,
    };
    let mut notes = Vec::new();
    let arches = [req.arch.to_string()];
    let mut target = req
        .macros
        .targets(&arches, req.repo_files, cache, &mut |m| notes.push(m))
        .map_err(|e| option_names(e, cache))?
        .remove(0);
    req.spec_args.apply(&mut target.ctx);
    let unmatched = req.macros.warnings(std::slice::from_ref(&target));
    let archful: BTreeSet<String> = read_list(req.archful, Names::Reduce)?.into_iter().collect();
    let regenerate = match req.rpmbuild {
        true => Regenerate::Rpmbuild,
        false => Regenerate::RpmCrate,
    };
    let report = create_srpm_repo(&SrpmRepoRequest {
        target: &target,
        cache,
        archful: &archful,
        names: &names,
        out: req.out,
        regenerate,
        prefer_release: req.prefer_release,
    })
    .map_err(|e| option_names(e, cache))?;
    Ok(RepoRun {
        report,
        notes,
        unmatched,
    })
}

impl RepoRun {
    /// The warnings of the run on `arch`: macro options that matched
    /// nothing, listed names without an SRPM, archful SRPMs kept as built.
    pub fn warnings(&self, arch: &str) -> Vec<String> {
        let mut lines = self.unmatched.clone();
        for m in &self.report.missing {
            lines.push(format!("{m}: no SRPM in the cache"));
        }
        for KeptSrpm {
            name,
            path,
            problem,
        } in &self.report.kept
        {
            lines.push(format!(
                "{name}: kept {} as built, BuildRequires not regenerated for {arch}: {problem} \
                 (--rpmbuild lets rpm evaluate the spec)",
                path.display()
            ));
        }
        lines
    }

    /// One line of counts: `N linked, N regenerated for ARCH, ...`.
    pub fn summary(&self, arch: &str) -> String {
        let r = &self.report;
        format!(
            "{} linked, {} regenerated for {arch}, {} kept as built, {} removed",
            r.linked.len(),
            r.regenerated.len(),
            r.kept.len(),
            r.removed.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusal names the list and the repo --allow-empty would empty.
    #[test]
    fn an_empty_list_refusal_names_the_repo_it_would_empty() {
        assert_eq!(
            empty_list_refusal("pass1.txt", Path::new("work/repos/x86_64")),
            "pass1.txt: the list of sources is empty (did the step before fail?); \
             --allow-empty writes an empty repo into work/repos/x86_64"
        );
    }
}
