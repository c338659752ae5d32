//! The SRPM cache and the archful test. The cache holds one SRPM per listed
//! source name (the one buildroot-generator builds: `choose`); SRPMs of names
//! no longer listed are removed (only while no other run reads the cache:
//! [`CacheHold`], and once no run has used them for a while:
//! `cache_uses`), so only a directory that is new, empty or an earlier
//! cache is used as one ([`claim_cache`]). Runs sharing the cache fetch
//! each SRPM once (the metadata cache's download lock). Each cached spec is
//! evaluated for every target arch; a source is archful when its
//! BuildRequires differ. The specs are kept beside the SRPMs, by their
//! verified checksums (`spec_cache`), so a warm run reads no payload.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::cache_fetch::fetch_once;
use super::cache_hold::CacheHold;
use super::cache_sums::{Sums, SUMS_FILE};
use super::cache_uses::{record_use, remove_unused, Retention, USES_FILE};
use super::choose::choose;
use super::missing_srpms::{all_or_missing, goes_on};
use super::options::ArchTarget;
use super::spec_cache::{self, spec_of, SpecCache, SPECS_DIR};
use crate::atomic;
use crate::buildroot::preferred;
use crate::error::OutputDirProblem;
use crate::error::{Error, Result};
use crate::evr::parse_srpm_filename;
use crate::package::Package;
use crate::rpmmd::{
    at_once_past, is_our_temp_name, sweep_stale_temps, DownloadSlots, LoadedRepo, Location,
    MirrorTally,
};
use crate::spec;
use crate::srpm;

/// One SRPM in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedSrpm {
    /// The source package name.
    pub name: String,
    /// The SRPM's file name in the cache.
    pub file: String,
    /// The SRPM's path in the cache.
    pub path: PathBuf,
}

/// The file that marks a directory as an SRPM cache: a refresh deletes the
/// SRPMs it does not list, so it only works in a directory that is new,
/// empty or marked (or, written before the marker existed, holds nothing a
/// cache does not hold; see [`claim_cache`]).
pub const CACHE_MARKER: &str = ".identify-archful-srpms";

/// What an SRPM cache holds besides [`CACHE_MARKER`]: the SRPMs, the
/// extracted macro packages of the archful tools (`.macros`), the
/// repository metadata earlier versions kept there ([`EARLIER_METADATA`]),
/// the records of uses and of checksums, the
/// specs of its SRPMs (`spec_cache`), the download lock's file, and the
/// temp files of downloads and atomic writes a killed run left.
fn cache_entry(name: &str) -> bool {
    is_srpm_file(name)
        || name == EARLIER_METADATA
        || name == crate::distmacros::CACHE_DIR
        || name == USES_FILE
        || name == SUMS_FILE
        || name == SPECS_DIR
        || name == ".download-lock"
        || is_our_temp_name(name)
}

/// The metadata cache the archful tools kept in their SRPM cache before
/// they shared the generators' (`RepoFileArgs::metadata_dir`). Still an
/// entry of a cache (an earlier cache is told by it), never read or
/// written now, and never deleted by a run: a user may have named it as
/// some tool's `--cache-dir`.
pub const EARLIER_METADATA: &str = ".metadata";

/// `cache`'s [`EARLIER_METADATA`] when it is a directory that does not
/// hold `metadata` (the metadata cache this run uses, which `--cache-dir`,
/// or an `XDG_CACHE_HOME`, may name it or a directory inside it): what
/// identify-archful-srpms says may be deleted, as nothing reads it any more
/// and nothing prunes it (Fedora's metadata is hundreds of MB). A note that
/// said to delete the directory the run's own cache is in would cost the
/// user every download again.
pub fn unused_earlier_metadata(cache: &Path, metadata: &Path) -> Option<PathBuf> {
    let old = cache.join(EARLIER_METADATA);
    std::fs::symlink_metadata(&old)
        .ok()
        .filter(|m| m.is_dir())?;
    (!is_within(metadata, &old)).then_some(old)
}

/// Whether `path` is `dir` or inside it, neither of which need exist yet:
/// each is resolved through its nearest existing directory (a symlink or
/// `..` on the way may lead anywhere), the rest of it taken as written.
pub fn is_within(path: &Path, dir: &Path) -> bool {
    fn resolved(p: &Path) -> Option<PathBuf> {
        p.ancestors().find_map(|a| {
            let real = match a.as_os_str().is_empty() {
                true => std::fs::canonicalize("."),
                false => std::fs::canonicalize(a),
            };
            Some(real.ok()?.join(p.strip_prefix(a).ok()?))
        })
    }
    match (resolved(path), resolved(dir)) {
        (Some(p), Some(d)) => p.starts_with(d),
        _ => false,
    }
}

/// Checks that `cache` may be used (and pruned) as the SRPM cache, writing
/// nothing: it does not exist, is empty, holds [`CACHE_MARKER`], or holds
/// only what a cache holds (`cache_entry`: a cache written before the
/// marker existed is taken without the user doing anything). Anything else,
/// a directory of the user's files or a repository (`repodata/`), is refused
/// before a file of it is touched, and so is a directory of SRPMs without
/// the `.metadata` or `.macros` every earlier cache has.
pub fn check_cache(cache: &Path) -> Result<()> {
    refuse_foreign(cache, |marker, entry| OutputDirProblem::NotAnEarlierCache {
        marker,
        entry,
    })
}

/// Checks, writing nothing, that `cache` is a cache identify-archful-srpms
/// made (or an empty directory), for the tools that only read it and write
/// their records into it (create-srpm-repos: `.srpm-uses`, `.macros`,
/// `.metadata`). Those records are what [`check_cache`] takes an unmarked
/// directory's for, so a directory of SRPMs given by mistake
/// (`~/rpmbuild/SRPMS`, a source repo) would afterwards pass as a cache,
/// and the next identify-archful-srpms on it would delete the SRPMs it does
/// not list.
pub fn check_cache_to_read(cache: &Path) -> Result<()> {
    refuse_foreign(cache, |marker, entry| OutputDirProblem::NotAnSrpmCache {
        marker,
        entry,
    })
}

/// `cache`'s refusal, the `problem` [`foreign_entry`] makes of it, if any.
fn refuse_foreign(
    cache: &Path,
    problem: impl FnOnce(&'static str, String) -> OutputDirProblem,
) -> Result<()> {
    match foreign_entry(cache)? {
        Some(entry) => Err(Error::OutputDir {
            path: cache.to_path_buf(),
            problem: problem(CACHE_MARKER, entry),
        }),
        None => Ok(()),
    }
}

/// What makes `cache` no SRPM cache: the first entry a cache does not
/// hold, or a directory of SRPMs with neither `.metadata` nor `.macros`;
/// `None` when it may be used as one.
fn foreign_entry(cache: &Path) -> Result<Option<String>> {
    let Some((_, names)) = atomic::existing_entries(cache)? else {
        return Ok(None);
    };
    if cache.join(CACHE_MARKER).is_file() {
        return Ok(None);
    }
    // An unmarked cache of an earlier version has its metadata or macro
    // packages beside the SRPMs (the workflow always gives binary repos, so
    // `.macros`); a directory of SRPMs alone is more likely someone's
    // `~/rpmbuild/SRPMS`, which a run would empty. Temp files alone are
    // another run's marker being written (two runs started at once on a
    // new cache) or a killed run's: an empty cache.
    let earlier_cache = names.iter().all(|n| is_our_temp_name(n))
        || names
            .iter()
            .any(|n| n == EARLIER_METADATA || n == crate::distmacros::CACHE_DIR);
    Ok(match names.iter().find(|n| !cache_entry(n)) {
        Some(entry) => Some(entry.clone()),
        None if !earlier_cache => Some(format!("{}, but no .metadata or .macros", names[0])),
        None => None,
    })
}

/// [`check_cache`], then creates the cache and writes [`CACHE_MARKER`] into
/// it if it lacks one, before any SRPM is written or deleted: from then on
/// the directory is recognised as the cache whatever else it comes to hold.
pub fn claim_cache(cache: &Path) -> Result<()> {
    check_cache(cache)?;
    let marker = cache.join(CACHE_MARKER);
    if marker.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    atomic::write_file(
        &marker,
        b"Written by identify-archful-srpms: this directory is its SRPM cache; SRPMs of sources \
          a run does not list are deleted from it.\n",
    )
}

/// What [`refresh_cache`] left in the cache.
#[derive(Debug)]
pub struct CacheRefresh {
    /// The SRPM of every listed name some repository has, sorted by name.
    pub cached: Vec<CachedSrpm>,
    /// The listed names no repository has a source package of, sorted.
    pub missing: Vec<String>,
    /// Keeps concurrent runs from deleting `cached` while this run reads
    /// them: keep it until the last one is read.
    pub hold: CacheHold,
}

/// [`refresh_cache_with`] the default [`Retention`] (three days).
pub fn refresh_cache(repos: &[LoadedRepo], names: &[String], cache: &Path) -> Result<CacheRefresh> {
    refresh_cache_with(repos, names, cache, &Retention::default())
}

/// Brings the cache in line with `names`: copies (or downloads) the chosen
/// SRPM of each name unless an identical file is there, removes SRPMs of
/// other EVRs of those names, and of other names once no run has used them
/// for `retention.keep_unlisted`, when no other run is using the cache
/// ([`CacheHold`]).
pub fn refresh_cache_with(
    repos: &[LoadedRepo],
    names: &[String],
    cache: &Path,
    retention: &Retention,
) -> Result<CacheRefresh> {
    refresh_cache_preferring(repos, names, cache, retention, None)
}

/// [`refresh_cache_with`], caching of each name the source whose release
/// matches `prefer` where one does (`--prefer-release`, as
/// buildroot-generator chooses).
pub fn refresh_cache_preferring(
    repos: &[LoadedRepo],
    names: &[String],
    cache: &Path,
    retention: &Retention,
    prefer: Option<&regex::Regex>,
) -> Result<CacheRefresh> {
    // Callers claim the cache before anything is written into it (the
    // metadata and macro packages may go there first); this keeps a direct
    // call just as safe.
    claim_cache(cache)?;
    // Local copies leave their temp files here too, not only downloads.
    sweep_stale_temps(cache);
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    let chosen = choose(repos, &wanted, prefer)?;
    let missing: Vec<String> = wanted
        .iter()
        .filter(|n| !chosen.contains_key(*n))
        .cloned()
        .collect();
    // What each repo's mirrors did over this run's downloads, as librepo
    // keeps it over one download of many packages: a mirror that failed 4
    // times without a success is asked no more (`rpmmd::MirrorTally`);
    // and dnf's max_parallel_downloads transfers at once over them all, no
    // more than max_downloads_per_mirror from one mirror (`DownloadSlots`).
    let remote = |r: &LoadedRepo| {
        let mirrors = r.spec.package_mirrors();
        mirrors
            .iter()
            .any(|m| matches!(Location::parse(m), Ok(Location::Http(_))))
    };
    // The caps of the first SRPM's repo (a repo's own, else main's), as
    // librepo takes them from the first target's handle.
    let slots =
        DownloadSlots::for_batch(chosen.values().map(|(r, _)| (&r.spec.access, remote(r))))?;
    let tallies: Vec<MirrorTally> = repos
        .iter()
        .map(|r| MirrorTally::sharing(&slots).of_repo(&r.spec.id))
        .collect();
    let tally_of = |repo: &LoadedRepo| {
        repos
            .iter()
            .position(|r| std::ptr::eq(r, repo))
            .map(|i| &tallies[i])
    };
    // The checksums earlier runs verified, and those this run verifies.
    let sums = Sums::open(cache);
    let place = |(name, (repo, pkg)): (&String, &(&LoadedRepo, &Package))| {
        let file = cache_file_name(pkg);
        let dest = cache.join(&file);
        // Two runs needing the same SRPM at once: one fetches it, the
        // other waits and takes its copy; where no lock can be had, each
        // renames its own checked download over `dest`, the second with
        // the same bytes, and a reader of the first keeps reading it.
        fetch_once(repo, pkg, &dest, tally_of(repo), &sums)?;
        Ok(CachedSrpm {
            name: name.clone(),
            file,
            path: dest,
        })
    };
    // No run deletes while this one fetches.
    let hold = CacheHold::shared(cache)?;
    // Listed now, before any is fetched: a refresh with another list keeps
    // them for a while, whatever it finds in the cache.
    let files: Vec<String> = chosen.values().map(|(_, p)| cache_file_name(p)).collect();
    record_use(cache, files.iter().map(String::as_str), retention.now())?;
    // In name order, as ever; checksums of cached files and local copies
    // on as many threads as rayon has, transfers as the slots allow.
    let chosen: Vec<_> = chosen.iter().collect();
    // Past an SRPM no mirror has: every such one is said at the end, not
    // only the first (`missing_srpms`); what was fetched stays cached.
    let got = at_once_past(
        &chosen,
        slots.threads(),
        |&c| place(c),
        |e| goes_on(e, cache),
    );
    let cached: Vec<CachedSrpm> = all_or_missing(got, cache)?;
    drop(hold);
    // flock cannot turn a shared lock into an exclusive one without letting
    // go of it first, so the deleting is done between two holds.
    if let Some(only_run) = CacheHold::exclusive_now(cache) {
        let keep: BTreeSet<&str> = cached.iter().map(|c| c.file.as_str()).collect();
        remove_unused(cache, &keep, &wanted, retention)?;
        // And the spec entries of SRPMs no longer there (or changed).
        spec_cache::prune(cache, &sums);
        drop(only_run);
    }
    let hold = CacheHold::shared(cache)?;
    // Between the two holds another run may have had the cache to itself
    // and deleted some of this run's SRPMs: those are fetched again.
    let gone: Vec<_> = chosen
        .into_iter()
        .filter(|(name, _)| cached.iter().any(|c| &c.name == *name && !c.path.is_file()))
        .collect();
    let got = at_once_past(&gone, slots.threads(), |&c| place(c), |e| goes_on(e, cache));
    all_or_missing(got, cache)?;
    sums.compact()?;
    Ok(CacheRefresh {
        cached,
        missing,
        hold,
    })
}

/// Whether a file name is a source package's: `*.src.rpm` or `*.nosrc.rpm`
/// (rpmbuild's name for an SRPM of a spec with `NoSource:`/`NoPatch:`).
pub(super) fn is_srpm_file(name: &str) -> bool {
    name.ends_with(".src.rpm") || name.ends_with(".nosrc.rpm")
}

/// The name `pkg`'s SRPM is cached under: `N-V-R.src.rpm` (`.nosrc.rpm`
/// when the repo's file is one) from primary.xml's name, version and
/// release, which is what [`cache_index`] reads back from the name. The
/// repo's own file name can be anything (a signed copy, a renamed file).
/// A name that is not one plain file name keeps the repo's file name.
fn cache_file_name(pkg: &Package) -> String {
    let base = pkg.location.rsplit('/').next().unwrap_or(&pkg.location);
    let suffix = if base.ends_with(".nosrc.rpm") {
        "nosrc"
    } else {
        "src"
    };
    let (v, r) = (pkg.evr.version.as_str(), pkg.evr.release_str());
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', '\0']);
    if !(plain(&pkg.name) && plain(v) && plain(r)) || pkg.name.starts_with('.') {
        return base.to_string();
    }
    format!("{}-{v}-{r}.{suffix}.rpm", pkg.name)
}

/// The SRPMs in a cache directory, newest per name. File names carry no
/// epoch, so when a name has several files their headers decide (rpmvercmp
/// of epoch, version, release: `1:0.5` is newer than `9.0`).
pub fn cache_index(cache: &Path) -> Result<BTreeMap<String, CachedSrpm>> {
    cache_index_preferring(cache, None)
}

/// [`cache_index`], where a name has several files taking the newest whose
/// release matches `prefer` (`--prefer-release`) if one does: the rule
/// buildroot-generator chooses by (`buildroot::preferred`), over the
/// files newest first.
pub fn cache_index_preferring(
    cache: &Path,
    prefer: Option<&regex::Regex>,
) -> Result<BTreeMap<String, CachedSrpm>> {
    let mut by_name: BTreeMap<String, Vec<CachedSrpm>> = BTreeMap::new();
    for e in std::fs::read_dir(cache).map_err(|e| Error::io(cache, e))? {
        let e = e.map_err(|e| Error::io(cache, e))?;
        let file = e.file_name().to_string_lossy().into_owned();
        if !is_srpm_file(&file) {
            continue;
        }
        let Ok(nvr) = parse_srpm_filename(&file) else {
            continue;
        };
        by_name
            .entry(nvr.name.clone())
            .or_default()
            .push(CachedSrpm {
                name: nvr.name,
                file,
                path: e.path(),
            });
    }
    let mut out = BTreeMap::new();
    for (name, mut files) in by_name {
        let newest = if files.len() == 1 {
            files.pop().expect("one file")
        } else {
            let mut evrs = files
                .into_iter()
                .map(|c| Ok((srpm::read_evr(&c.path)?, c)))
                .collect::<Result<Vec<_>>>()?;
            evrs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.file.cmp(&a.1.file)));
            let order: Vec<usize> = (0..evrs.len()).collect();
            let pick =
                preferred(&order, prefer, |i| evrs[i].0.release_str()).expect("several files");
            evrs.swap_remove(pick).1
        };
        out.insert(name, newest);
    }
    Ok(out)
}

/// How a source's archfulness was decided.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The spec was evaluated for every arch.
    Evaluated,
    /// `rpmspec` read the spec for every arch (`--rpmspec`).
    Rpmspec,
    /// The spec could not be read; dep-tracker's grep decided.
    GrepFallback {
        /// Why the spec could not be read (one line).
        reason: String,
    },
}

/// The archful test of one source.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ArchfulResult {
    /// The source package name.
    pub name: String,
    /// The cached SRPM's file name.
    pub file: String,
    /// Whether its BuildRequires differ between the target arches.
    pub archful: bool,
    /// How the answer was reached.
    pub verdict: Verdict,
    /// arch -> BuildRequires (evaluated).
    pub build_requires: BTreeMap<String, Vec<String>>,
    /// ExclusiveArch/ExcludeArch say some target arch cannot build it.
    pub not_buildable_on: Vec<String>,
    /// The spec generates BuildRequires at build time (`%generate_buildrequires`).
    pub dynamic_build_requires: bool,
}

impl ArchfulResult {
    /// A result not decided yet.
    pub(super) fn new(c: &CachedSrpm) -> ArchfulResult {
        ArchfulResult {
            name: c.name.clone(),
            file: c.file.clone(),
            archful: false,
            verdict: Verdict::Evaluated,
            build_requires: BTreeMap::new(),
            not_buildable_on: Vec::new(),
            dynamic_build_requires: false,
        }
    }

    /// Sets `archful` from the per-arch BuildRequires: some arch differs.
    pub(super) fn decide(&mut self) {
        let mut it = self.build_requires.values();
        if let Some(first) = it.next() {
            self.archful = it.any(|v| v != first);
        }
    }
}

/// Whether evaluation problems make the result untrustworthy.
fn problems_matter(problems: &[String]) -> Option<String> {
    problems.first().cloned()
}

/// Evaluates `text` for every target, each with its own macros (an arch's
/// platform macros and macro packages are its own); one evaluation stands
/// for all where nothing it consulted differs between them.
fn evaluate_targets(
    text: &str,
    targets: &[ArchTarget],
    sources: &dyn spec::SourceFiles,
) -> Result<spec::ArchfulReport> {
    let ctxs: Vec<&spec::SpecContext> = targets.iter().map(|t| &t.ctx).collect();
    spec::archful_targets(text, &ctxs, sources)
}

/// Decides archfulness of every cached SRPM for `targets` (in parallel).
/// The specs are taken from the cache's entries where it has one for an
/// SRPM's bytes, else from the SRPMs, and entries written for them
/// (`spec_cache`): a warm run decompresses no payload.
pub fn identify(cached: &[CachedSrpm], targets: &[ArchTarget]) -> Result<Vec<ArchfulResult>> {
    // The SRPMs are the cache's (`refresh_cache`); nothing is kept for
    // SRPMs of a directory that is no marked cache.
    let specs = cached
        .first()
        .and_then(|c| c.path.parent())
        .and_then(SpecCache::open);
    let mut out: Vec<ArchfulResult> = cached
        .par_iter()
        .map(|c| {
            let spec = spec_of(specs.as_ref(), &c.path)?;
            let text = &spec.text;
            let mut res = ArchfulResult::new(c);
            match evaluate_targets(text, targets, &spec.sources) {
                Ok(rep) => {
                    res.dynamic_build_requires = rep.dynamic_build_requires;
                    res.not_buildable_on = rep.not_buildable_on;
                    res.build_requires = rep.build_requires;
                    res.decide();
                    if let Some(reason) = problems_matter(&rep.problems) {
                        res.archful = spec::grep_archful(text);
                        res.verdict = Verdict::GrepFallback { reason };
                    }
                }
                Err(e) => {
                    res.archful = spec::grep_archful(text);
                    res.verdict = Verdict::GrepFallback {
                        reason: e.to_string(),
                    };
                }
            }
            spec.keep();
            Ok(res)
        })
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Whether ExclusiveArch/ExcludeArch keep `arch` from building a spec.
pub(super) fn excluded(arch: &str, exclusive: &[String], exclude: &[String]) -> bool {
    (!exclusive.is_empty() && !exclusive.iter().any(|a| a == arch))
        || exclude.iter().any(|a| a == arch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpmmd::RepoSpec;

    /// SRPMs of unlisted names go at once (`cache_uses` tests the period).
    fn at_once() -> Retention {
        Retention::from_now(std::time::Duration::ZERO)
    }

    fn srpm(dir: &Path, epoch: u32, version: &str) -> Package {
        let s = srpm::SrpmSpec {
            name: "bar".into(),
            epoch: (epoch != 0).then_some(epoch),
            version: version.into(),
            release: "1".into(),
            license: "MIT".into(),
            summary: "bar".into(),
            spec_name: "bar.spec".into(),
            spec_text: format!("Name: bar\nVersion: {version}\nRelease: 1\n"),
            build_time: 1,
            ..Default::default()
        };
        let p = dir.join(srpm::srpm_file_name("bar", version, "1"));
        std::fs::write(&p, srpm::build_srpm(&s).unwrap()).unwrap();
        srpm::read_header(&p).unwrap()
    }

    #[test]
    fn a_cache_is_new_empty_marked_or_holds_only_what_a_cache_holds() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("c");
        check_cache(&dir).unwrap();
        assert!(!dir.exists(), "checking writes nothing");
        claim_cache(&dir).unwrap();
        assert!(dir.join(CACHE_MARKER).is_file());
        // Another run's marker on its way in (its temp file) is no refusal.
        let racing = t.path().join("racing");
        std::fs::create_dir_all(&racing).unwrap();
        std::fs::write(racing.join(".tmp-Ab3xYz"), "").unwrap();
        claim_cache(&racing).unwrap();
        let old = t.path().join("old");
        std::fs::create_dir_all(old.join(".metadata")).unwrap();
        for f in [
            "a-1-1.src.rpm",
            "b-1-1.nosrc.rpm",
            ".tmpAb3xYz",
            ".tmp-Ab3xYz",
        ] {
            std::fs::write(old.join(f), "").unwrap();
        }
        claim_cache(&old).unwrap();
        assert!(old.join(CACHE_MARKER).is_file());
        for stranger in [
            "notes.txt",
            "repodata",
            ".tmpnot-ours.txt",
            "a-1-1.x86_64.rpm",
        ] {
            let d = t.path().join(format!("x-{stranger}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("a-1-1.src.rpm"), "").unwrap();
            std::fs::write(d.join(stranger), "").unwrap();
            let e = claim_cache(&d).unwrap_err().to_string();
            assert!(e.contains(&format!("and it holds {stranger})")), "{e}");
            assert!(!d.join(CACHE_MARKER).exists());
        }
        // SRPMs alone, without the metadata or macros of an earlier cache:
        // someone's ~/rpmbuild/SRPMS, which a run would empty.
        let srpms = t.path().join("SRPMS");
        std::fs::create_dir_all(&srpms).unwrap();
        std::fs::write(srpms.join("a-1-1.src.rpm"), "").unwrap();
        let e = claim_cache(&srpms).unwrap_err().to_string();
        assert!(e.contains("no .metadata or .macros"), "{e}");
        assert!(!srpms.join(CACHE_MARKER).exists());
        std::fs::create_dir(srpms.join(crate::distmacros::CACHE_DIR)).unwrap();
        claim_cache(&srpms).unwrap();
    }

    /// A repo's SRPM file can be named anything (a signed copy, a
    /// `.nosrc.rpm` of a spec with `NoSource:`): the cache holds it as
    /// `N-V-R.src.rpm` (or `.nosrc.rpm`), the name [`cache_index`], and so
    /// create-srpm-repos, finds it by; an SRPM of no listed name goes,
    /// `.nosrc.rpm` or not.
    #[test]
    fn an_srpm_is_cached_under_its_nvr_whatever_the_repo_calls_it() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(repo.join("Packages/b")).unwrap();
        let mut bar = srpm(&repo, 0, "9.0");
        std::fs::rename(
            repo.join("bar-9.0-1.src.rpm"),
            repo.join("Packages/b/signed-bar.src.rpm"),
        )
        .unwrap();
        bar.location = "Packages/b/signed-bar.src.rpm".into();
        let mut ns = srpm(&repo, 0, "2.0");
        std::fs::rename(
            repo.join("bar-2.0-1.src.rpm"),
            repo.join("ns-2.0-1.nosrc.rpm"),
        )
        .unwrap();
        ns.name = "ns".into();
        ns.location = "ns-2.0-1.nosrc.rpm".into();
        let mut odd = bar.clone();
        odd.name = "../odd".into();
        odd.location = "Packages/b/odd-9.0-1.src.rpm".into();
        std::fs::copy(
            repo.join("Packages/b/signed-bar.src.rpm"),
            repo.join(&odd.location),
        )
        .unwrap();
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.display().to_string()),
            packages: vec![bar, ns, odd],
        };
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::write(cache.join(CACHE_MARKER), "").unwrap();
        std::fs::write(cache.join("gone-1-1.nosrc.rpm"), "").unwrap();
        let names = ["bar", "ns", "../odd"].map(String::from);
        let CacheRefresh {
            cached, missing, ..
        } = refresh_cache_with(&[loaded], &names, &cache, &at_once()).unwrap();
        assert!(missing.is_empty());
        let files: Vec<&str> = cached.iter().map(|c| c.file.as_str()).collect();
        // A name that is no file name keeps the repo's file name.
        assert_eq!(
            files,
            [
                "odd-9.0-1.src.rpm",
                "bar-9.0-1.src.rpm",
                "ns-2.0-1.nosrc.rpm"
            ]
        );
        let index = cache_index(&cache).unwrap();
        let found: Vec<(&str, &str)> = index
            .iter()
            .map(|(n, c)| (n.as_str(), c.file.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("bar", "bar-9.0-1.src.rpm"),
                ("ns", "ns-2.0-1.nosrc.rpm"),
                ("odd", "odd-9.0-1.src.rpm")
            ]
        );
        assert!(!cache.join("gone-1-1.nosrc.rpm").exists());
    }

    /// Two runs sharing a cache with other lists (cron's and one by hand):
    /// the second deletes none of the SRPMs the first is still reading;
    /// once the first is done, the next refresh deletes what it does not
    /// list, as ever.
    #[test]
    fn a_refresh_leaves_the_srpms_another_run_reads() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let bar = srpm(&repo, 0, "9.0");
        let mut ns = srpm(&repo, 0, "2.0");
        ns.name = "ns".into();
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.display().to_string()),
            packages: vec![bar, ns],
        };
        let cache = t.path().join("cache");
        let refresh = |name: &str| {
            let loaded = std::slice::from_ref(&loaded);
            refresh_cache_with(loaded, &[name.to_string()], &cache, &at_once()).unwrap()
        };
        let first = refresh("bar");
        let second = refresh("ns");
        let reading = &first.cached[0].path;
        assert!(
            reading.is_file(),
            "{} deleted under a reader",
            reading.display()
        );
        srpm::extract_spec(reading).unwrap();
        assert!(second.cached[0].path.is_file());
        drop((first, second));
        let third = refresh("ns");
        let left: Vec<String> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| is_srpm_file(f))
            .collect();
        assert_eq!(left, [third.cached[0].file.as_str()]);
    }

    #[test]
    fn the_epoch_decides_the_newest_srpm() {
        let t = tempfile::tempdir().unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let pkgs = vec![srpm(&repo, 0, "9.0"), srpm(&repo, 1, "0.5")];
        // cache_index reads both headers: 1:0.5-1 beats 9.0-1 (whose file name sorts newer).
        let index = cache_index(&repo).unwrap();
        assert_eq!(index["bar"].file, "bar-0.5-1.src.rpm");
        // refresh_cache picks by the repo's EVRs and keeps only that file.
        let loaded = LoadedRepo {
            spec: RepoSpec::new("src", &repo.display().to_string()),
            packages: pkgs,
        };
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        // A cache of ours (SRPMs alone would be refused as someone's).
        std::fs::write(cache.join(CACHE_MARKER), "").unwrap();
        std::fs::copy(
            repo.join("bar-9.0-1.src.rpm"),
            cache.join("bar-9.0-1.src.rpm"),
        )
        .unwrap();
        let CacheRefresh {
            cached, missing, ..
        } = refresh_cache(&[loaded], &["bar".to_string()], &cache).unwrap();
        assert!(missing.is_empty());
        assert_eq!(cached[0].file, "bar-0.5-1.src.rpm");
        let mut left: Vec<String> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        // The SRPM (the older EVR of a listed name goes at once, however
        // lately used), the marker every cache gets first thing, the
        // records of uses and of checksums, and the download lock's file.
        let want = [
            ".download-lock",
            CACHE_MARKER,
            SUMS_FILE,
            USES_FILE,
            "bar-0.5-1.src.rpm",
        ];
        assert_eq!(left, want);
        // Without epochs the version decides.
        let plain = t.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        srpm(&plain, 0, "9.0");
        srpm(&plain, 0, "10.0");
        assert_eq!(
            cache_index(&plain).unwrap()["bar"].file,
            "bar-10.0-1.src.rpm"
        );
    }
}
