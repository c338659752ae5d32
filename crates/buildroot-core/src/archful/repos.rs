//! One source repository per arch: every listed source's SRPM from the
//! cache, hard-linked when its BuildRequires are the same on every arch,
//! regenerated with the BuildRequires evaluated for this arch when it is
//! archful; then repodata. Re-running on unchanged input changes nothing.
//! An archful spec the evaluator cannot fully read for the arch is not
//! regenerated with guessed BuildRequires: its SRPM is linked unchanged
//! and reported (`--rpmbuild` lets rpm itself evaluate such specs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use super::cache::{cache_index_preferring, check_cache_to_read, CachedSrpm};
use super::cache_hold::{lock_repo_dir, CacheHold};
use super::cache_sums::Sums;
use super::cache_uses::record_use;
use super::journal::Journal;
use super::options::ArchTarget;
use super::rpmbuild::rpmbuild;
use crate::atomic;
use crate::error::{Error, OutputDirProblem, Result};
use crate::package::Package;
use crate::repodata::{write_repodata, WriteOptions};
use crate::spec;
use crate::srpm;

/// The file that marks a directory as a create-srpm-repos output: a run
/// deletes the SRPMs it does not list, so it only works in a directory
/// that is new, empty or marked.
pub const REPO_MARKER: &str = ".create-srpm-repos";

/// What [`create_srpm_repo`] did.
#[derive(Clone, Debug, Default)]
pub struct RepoReport {
    /// Sources whose cached SRPM was linked (or copied) unchanged.
    pub linked: Vec<String>,
    /// Archful sources whose SRPM was regenerated for the arch.
    pub regenerated: Vec<String>,
    /// Archful sources whose spec the evaluator could not fully read for
    /// this arch, linked unchanged (their BuildRequires are those of the
    /// arch that built them).
    pub kept: Vec<KeptSrpm>,
    /// Listed names with no SRPM in the cache.
    pub missing: Vec<String>,
    /// SRPM files removed from the repo (no longer listed, or older EVRs).
    pub removed: Vec<String>,
}

/// An archful source linked as built (see [`RepoReport::kept`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptSrpm {
    /// The source's name.
    pub name: String,
    /// The cached SRPM that was linked.
    pub path: PathBuf,
    /// The first problem the evaluator met in its spec for this arch.
    pub problem: String,
}

/// What [`create_srpm_repo`] builds: one arch's source repo from the cache.
#[derive(Clone, Copy, Debug)]
pub struct SrpmRepoRequest<'a> {
    /// The arch, with its spec macros.
    pub target: &'a ArchTarget,
    /// The SRPM cache (identify-archful-srpms's `--cache`).
    pub cache: &'a Path,
    /// The archful sources: their SRPMs are regenerated for the arch.
    pub archful: &'a BTreeSet<String>,
    /// The sources the repo holds (the others are removed from it).
    pub names: &'a [String],
    /// The repo's directory.
    pub out: &'a Path,
    /// How archful SRPMs are regenerated.
    pub regenerate: Regenerate,
    /// Where the cache holds several SRPMs of a name, the one whose release
    /// matches (`--prefer-release`, as identify-archful-srpms cached it).
    pub prefer_release: Option<&'a regex::Regex>,
}

/// How archful SRPMs are regenerated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regenerate {
    /// With the rpm crate (no root, no rpmbuild).
    RpmCrate,
    /// With `rpmbuild -bs --target ARCH`.
    Rpmbuild,
}

/// What happened to one listed source.
enum Placed {
    Linked,
    Regenerated,
    Kept(String),
}

/// Builds (or updates) the source repo `out` for `arch`. On error nothing
/// of this run remains in `out`: SRPMs it added are removed, replaced ones
/// restored, and a directory it created is removed.
pub fn create_srpm_repo(request: &SrpmRepoRequest) -> Result<RepoReport> {
    let SrpmRepoRequest {
        target,
        cache,
        archful,
        names,
        out,
        regenerate: how,
        prefer_release,
    } = *request;
    check_out_dir(out)?;
    check_cache_to_read(cache)?;
    // Every SRPM of the index is read or linked later: a concurrent
    // refresh of the cache with another list must not delete it meanwhile.
    let _hold = CacheHold::shared(cache)?;
    let index = cache_index_preferring(cache, prefer_release)?;
    // A cache without a single SRPM is the wrong directory (or step 4 never
    // ran): going on would write an empty repo and call every name missing.
    if index.is_empty() && !names.is_empty() {
        return Err(super::repos_run::no_srpms(cache));
    }
    let journal = Journal::open(out)?;
    // Before any of the directory's files is touched: the temp files and
    // backups removed or replaced from here on may be a live run's. On
    // failure nothing is rolled back: the directory is the other run's.
    let _only_run = lock_repo_dir(out)?;
    remove_debris(out);
    mark_out_dir(out, &journal)?;
    let mut report = RepoReport::default();
    let wanted: BTreeSet<&String> = names.iter().collect();
    let chosen: Vec<_> = wanted
        .iter()
        .filter_map(|n| match index.get(*n) {
            Some(c) => Some(c.clone()),
            None => {
                report.missing.push((*n).clone());
                None
            }
        })
        .collect();
    // Read now: a refresh with a shorter list keeps them a while longer
    // (`cache_uses`). Best effort: a cache this run may only read (another
    // user's) is used as it is, and a use not recorded only lets the SRPM
    // go sooner.
    let _ = record_use(
        cache,
        chosen.iter().map(|c| c.file.as_str()),
        SystemTime::now(),
    );
    // The checksums identify-archful-srpms (or an earlier run) verified:
    // an SRPM whose file is as recorded is not hashed again.
    let sums = Sums::open(cache);
    let placed = chosen
        .par_iter()
        .map(|c| {
            let archful = archful.contains(&c.name);
            place(c, archful, target, how, out, &journal, &sums)
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|placed| {
            let (pkgs, placed): (Vec<Package>, Vec<Placed>) = placed.into_iter().unzip();
            let pkgs = with_details(out, pkgs)?;
            write_repodata(out, &pkgs, &WriteOptions::default())?;
            Ok(placed)
        });
    let placed = match placed {
        Ok(p) => {
            journal.commit();
            p
        }
        Err(e) => {
            journal.roll_back();
            return Err(e);
        }
    };
    for (c, how) in chosen.iter().zip(placed) {
        match how {
            Placed::Linked => report.linked.push(c.name.clone()),
            Placed::Regenerated => report.regenerated.push(c.name.clone()),
            Placed::Kept(problem) => report.kept.push(KeptSrpm {
                name: c.name.clone(),
                path: c.path.clone(),
                problem,
            }),
        }
    }
    // Only now that the new repodata is in place: a run killed before this
    // point leaves extra files, never repodata that lists missing ones.
    // Remove SRPMs not listed (and older EVRs of listed names).
    let keep: BTreeSet<&str> = chosen.iter().map(|c| c.file.as_str()).collect();
    for e in std::fs::read_dir(out).map_err(|e| Error::io(out, e))? {
        let e = e.map_err(|e| Error::io(out, e))?;
        let f = e.file_name().to_string_lossy().into_owned();
        if super::cache::is_srpm_file(&f) && !keep.contains(f.as_str()) {
            std::fs::remove_file(e.path()).map_err(|err| Error::io(e.path(), err))?;
            report.removed.push(f);
        }
    }
    Ok(report)
}

/// Checks that `out` may become (or stay) the repo: it does not exist, is
/// empty, or is an earlier output (holds [`REPO_MARKER`]). SRPMs not listed
/// are deleted from it, so a user's directory of SRPMs (or another repo)
/// named by mistake is refused instead. The repodata layout alone cannot
/// tell: every createrepo'd directory has it.
pub(super) fn check_out_dir(out: &Path) -> Result<()> {
    match atomic::existing_entries(out)? {
        Some((_, names)) if !names.is_empty() && !out.join(REPO_MARKER).is_file() => {
            Err(Error::OutputDir {
                path: out.to_path_buf(),
                problem: OutputDirProblem::NotAnEarlierRepo {
                    marker: REPO_MARKER,
                },
            })
        }
        _ => Ok(()),
    }
}

/// Writes [`REPO_MARKER`] into `out` if it lacks it, first thing: a run
/// killed later leaves a directory the next run recognises as its own.
/// Through the journal, so a failed first run takes it back too.
fn mark_out_dir(out: &Path, journal: &Journal) -> Result<()> {
    let marker = out.join(REPO_MARKER);
    if marker.is_file() {
        return Ok(());
    }
    journal.before_write(&marker)?;
    std::fs::write(
        &marker,
        "Written by create-srpm-repos: the SRPMs of this directory are its output.\n",
    )
    .map_err(|e| Error::io(&marker, e))
}

/// Puts the SRPM of one source into `out`: linked from the cache, or
/// regenerated for `arch` when archful. Returns its header (for repodata).
/// The cached file is read first, so a broken one is named as such.
#[allow(clippy::too_many_arguments)]
fn place(
    c: &CachedSrpm,
    archful: bool,
    target: &ArchTarget,
    how: Regenerate,
    out: &Path,
    journal: &Journal,
    sums: &Sums,
) -> Result<(Package, Placed)> {
    // The cached file's sha256, from the cache's record when the file is
    // as recorded, else hashed (and recorded); refused when the record
    // says other bytes were checked under its name (a same-N-V-R rebuild
    // copied over it). A file that cannot be read is left to the header's
    // reading, whose errors name the problem.
    let digest = match sums.digest_unchanged(&c.file, "sha256") {
        Ok(d) => d,
        Err(changed) => {
            // Another package altogether is the more telling refusal.
            names_itself(c, &srpm::read_header_without_details(&c.path)?)?;
            return Err(changed);
        }
    };
    // A linked SRPM's details come from the headers read here, with the
    // repo's file's time (`linked`); a regenerated one's later
    // (`with_details`), read from the repo's file.
    let sha256 = digest.as_ref().map(|(sum, _)| sum.clone());
    let (header, details) = srpm::read_header_deferring_details(&c.path, sha256)?;
    names_itself(c, &header)?;
    let dest = out.join(&c.file);
    let linked = |header: Package| -> Result<Package> {
        // The link changes the cached file's ctime: the checksum stays
        // recorded for its bytes when nothing else changed them.
        match &digest {
            Some((_, checked)) => {
                sums.carry(&c.file, checked, || link_or_copy(&c.path, &dest, journal))?
            }
            None => link_or_copy(&c.path, &dest, journal)?,
        }
        let details = details(srpm::file_mtime(&dest)?);
        Ok(Package {
            details: Some(Box::new(details)),
            ..header
        })
    };
    if !archful {
        return Ok((linked(header)?, Placed::Linked));
    }
    let bytes = match regenerate(&c.path, target, how)? {
        Ok(bytes) => bytes,
        Err(problem) => return Ok((linked(header)?, Placed::Kept(problem))),
    };
    if std::fs::read(&dest).ok().as_deref() != Some(bytes.as_slice()) {
        journal.before_write(&dest)?;
        atomic::write_file(&dest, &bytes)?;
    }
    // Its repodata `time file` then stays the same from run to run.
    srpm::stamp_build_time(&dest)?;
    Ok((
        srpm::read_header_without_details(&dest)?,
        Placed::Regenerated,
    ))
}

/// Checks that the cached SRPM's header is the package its file name says:
/// the repo lists the header's NEVR at the file's name, so a file replaced
/// in the cache by another build (a rebuild copied over it) would be
/// published as the package it is not, with that build's BuildRequires.
/// identify-archful-srpms checks each cached SRPM against its repository's
/// checksum; this catches what changed in the cache since.
fn names_itself(c: &CachedSrpm, header: &Package) -> Result<()> {
    let named = crate::evr::parse_srpm_filename(&c.file)?;
    let same = named.name == header.name
        && named.evr.version == header.evr.version
        && named.evr.release.as_deref() == header.evr.release.as_deref();
    if same {
        return Ok(());
    }
    let release = header.evr.release.as_deref().unwrap_or("");
    Err(Error::format(
        c.path.display(),
        format!(
            "its header is {}-{}-{release}, not the package its name says (replaced in the \
             cache?): run identify-archful-srpms with this --cache to fetch it again",
            header.name, header.evr.version
        ),
    ))
}

/// The placed packages with the details createrepo_c would list. A
/// linked SRPM's came with it (its headers are the cache file's, its time
/// the repo's file's: a copy across filesystems has a time of its own); a
/// regenerated one's are read from the repo's file once all are in place:
/// details kept from the regenerating threads, small as they are, pinned
/// the allocator's pages of each SRPM's build (≈120 KB each).
fn with_details(out: &Path, placed: Vec<Package>) -> Result<Vec<Package>> {
    placed
        .into_par_iter()
        .map(|mut p| {
            if p.details.is_none() {
                let details = srpm::repodata_details(&out.join(&p.location))?;
                p.details = Some(Box::new(details));
            }
            Ok(p)
        })
        .collect()
}

/// Removes temporary files a killed run left in `out` (`.tmp-*`).
pub(super) fn remove_debris(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".tmp-") && e.path().is_file() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Hard-links `src` to `dest` (copies across filesystems); leaves an
/// identical `dest` alone.
fn link_or_copy(src: &Path, dest: &Path, journal: &Journal) -> Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::metadata(src), std::fs::metadata(dest)) {
        use std::os::unix::fs::MetadataExt;
        if a.ino() == b.ino() && a.dev() == b.dev() {
            return Ok(());
        }
        if a.len() == b.len() && std::fs::read(src).ok() == std::fs::read(dest).ok() {
            return Ok(());
        }
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dest.with_file_name(format!(".tmp-link-{name}"));
    let _ = std::fs::remove_file(&tmp);
    let placed = (|| {
        if std::fs::hard_link(src, &tmp).is_err() {
            std::fs::copy(src, &tmp).map_err(|e| Error::io(&tmp, e))?;
        }
        journal.before_write(dest)?;
        std::fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))
    })();
    if placed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    placed
}

/// The SRPM `orig` regenerated for `arch`, or (rpm crate only) the first
/// problem of the spec's evaluation: BuildRequires are never guessed.
fn regenerate(
    orig: &Path,
    target: &ArchTarget,
    how: Regenerate,
) -> Result<std::result::Result<Vec<u8>, String>> {
    let arch = target.arch.as_str();
    match how {
        Regenerate::RpmCrate => {
            let spec = srpm::extract_spec(orig)?;
            let sources = spec::SrpmSources::new(orig, &spec.name);
            let ev =
                spec::evaluate_with(&spec.text, &target.ctx, &sources).map_err(|e| match e {
                    // The evaluator names the spec "spec" already: not twice.
                    Error::Format { path, msg, .. } if path == "spec" => {
                        Error::format(orig.display(), format!("spec: {msg}"))
                    }
                    e => Error::format(orig.display(), format!("spec: {e}")),
                })?;
            if let Some(p) = ev.problems.first() {
                return Ok(Err(p.clone()));
            }
            srpm::rebuild_srpm(orig, &ev, arch).map(Ok)
        }
        Regenerate::Rpmbuild => rpmbuild(orig, target).map(Ok),
    }
}
