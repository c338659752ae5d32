//! The SRPM cache and the archful test. The cache holds one SRPM per listed
//! source name (the newest EVR, highest-priority repo first); SRPMs of names
//! no longer listed are removed. Each cached spec is evaluated for every
//! target arch; a source is archful when its BuildRequires differ.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::atomic;
use crate::error::{Error, Result};
use crate::evr::parse_srpm_filename;
use crate::package::Package;
use crate::rpmmd::{download, sha256_file, LoadedRepo, Location};
use crate::spec::{self, SpecContext};
use crate::srpm;

/// One SRPM in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedSrpm {
    pub name: String,
    pub file: String,
    pub path: PathBuf,
}

/// Picks, per listed name, the source package to cache: highest repo
/// priority (lowest number), then the newest EVR.
fn choose<'a>(
    repos: &'a [LoadedRepo],
    names: &BTreeSet<String>,
) -> BTreeMap<String, (&'a LoadedRepo, &'a Package)> {
    let mut best: BTreeMap<String, (&LoadedRepo, &Package)> = BTreeMap::new();
    for r in repos {
        for p in r
            .packages
            .iter()
            .filter(|p| p.is_source() && names.contains(&p.name))
        {
            let better = match best.get(&p.name) {
                None => true,
                Some((br, bp)) => {
                    (r.spec.priority, std::cmp::Reverse(&p.evr))
                        < (br.spec.priority, std::cmp::Reverse(&bp.evr))
                }
            };
            if better {
                best.insert(p.name.clone(), (r, p));
            }
        }
    }
    best
}

/// Brings the cache in line with `names`: copies (or downloads) the chosen
/// SRPM of each name unless an identical file is there, removes SRPMs of
/// other names and older EVRs. Returns the cached SRPMs and the names no
/// repository has.
pub fn refresh_cache(
    repos: &[LoadedRepo],
    names: &[String],
    cache: &Path,
) -> Result<(Vec<CachedSrpm>, Vec<String>)> {
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    let chosen = choose(repos, &wanted);
    let missing: Vec<String> = wanted
        .iter()
        .filter(|n| !chosen.contains_key(*n))
        .cloned()
        .collect();
    let cached: Vec<CachedSrpm> = chosen
        .par_iter()
        .map(|(name, (repo, pkg))| {
            let file = pkg
                .location
                .rsplit('/')
                .next()
                .unwrap_or(&pkg.location)
                .to_string();
            let dest = cache.join(&file);
            let fresh = dest.is_file()
                && match &pkg.checksum {
                    Some(sum) if sum.len() == 64 => {
                        sha256_file(&dest).map(|h| h == *sum).unwrap_or(false)
                    }
                    _ => true,
                };
            if !fresh {
                fetch_into(&repo.spec.baseurl, &pkg.location, &dest)?;
            }
            Ok(CachedSrpm {
                name: name.clone(),
                file,
                path: dest,
            })
        })
        .collect::<Result<_>>()?;
    let keep: BTreeSet<&str> = cached.iter().map(|c| c.file.as_str()).collect();
    for e in std::fs::read_dir(cache).map_err(|e| Error::io(cache, e))? {
        let e = e.map_err(|e| Error::io(cache, e))?;
        let f = e.file_name().to_string_lossy().into_owned();
        if f.ends_with(".src.rpm") && !keep.contains(f.as_str()) {
            std::fs::remove_file(e.path()).map_err(|err| Error::io(e.path(), err))?;
        }
    }
    Ok((cached, missing))
}

/// Copies a repo file (local) or downloads it (HTTP) to `dest` atomically.
fn fetch_into(baseurl: &str, href: &str, dest: &Path) -> Result<()> {
    match Location::parse(baseurl)? {
        Location::Dir(d) => {
            let src = d.join(href);
            let bytes = std::fs::read(&src).map_err(|e| Error::io(&src, e))?;
            atomic::write_file(dest, &bytes)
        }
        Location::Http(base) => download(&format!("{base}{href}"), dest),
    }
}

/// The SRPMs in a cache directory, newest per name.
pub fn cache_index(cache: &Path) -> Result<BTreeMap<String, CachedSrpm>> {
    let mut out: BTreeMap<String, (crate::evr::Evr, CachedSrpm)> = BTreeMap::new();
    for e in std::fs::read_dir(cache).map_err(|e| Error::io(cache, e))? {
        let e = e.map_err(|e| Error::io(cache, e))?;
        let file = e.file_name().to_string_lossy().into_owned();
        let Ok(nvr) = parse_srpm_filename(&file) else {
            continue;
        };
        if !file.ends_with(".src.rpm") {
            continue;
        }
        let entry = CachedSrpm {
            name: nvr.name.clone(),
            file,
            path: e.path(),
        };
        if out.get(&nvr.name).is_none_or(|(evr, _)| nvr.evr > *evr) {
            out.insert(nvr.name.clone(), (nvr.evr, entry));
        }
    }
    Ok(out.into_iter().map(|(k, (_, v))| (k, v)).collect())
}

/// How a source's archfulness was decided.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The spec was evaluated for every arch.
    Evaluated,
    /// The evaluator could not handle the spec; dep-tracker's grep decided.
    GrepFallback { reason: String },
}

/// The archful test of one source.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ArchfulResult {
    pub name: String,
    pub file: String,
    pub archful: bool,
    pub verdict: Verdict,
    /// arch -> BuildRequires (evaluated).
    pub build_requires: BTreeMap<String, Vec<String>>,
    /// ExclusiveArch/ExcludeArch say some target arch cannot build it.
    pub not_buildable_on: Vec<String>,
    pub dynamic_build_requires: bool,
}

/// Whether evaluation problems make the result untrustworthy.
fn problems_matter(problems: &[String]) -> Option<String> {
    problems.first().cloned()
}

/// Decides archfulness of every cached SRPM for `arches` (in parallel).
pub fn identify(
    cached: &[CachedSrpm],
    arches: &[&str],
    base: &SpecContext,
) -> Result<Vec<ArchfulResult>> {
    let mut out: Vec<ArchfulResult> = cached
        .par_iter()
        .map(|c| {
            let (_, text) = srpm::extract_spec(&c.path)?;
            let mut res = ArchfulResult {
                name: c.name.clone(),
                file: c.file.clone(),
                archful: false,
                verdict: Verdict::Evaluated,
                build_requires: BTreeMap::new(),
                not_buildable_on: Vec::new(),
                dynamic_build_requires: false,
            };
            match spec::archful(&text, arches, base) {
                Ok(rep) => {
                    res.dynamic_build_requires = rep.dynamic_build_requires;
                    if let Some(reason) = problems_matter(&rep.problems) {
                        res.archful = spec::grep_archful(&text);
                        res.verdict = Verdict::GrepFallback { reason };
                    } else {
                        res.archful = rep.archful;
                    }
                    res.build_requires = rep.build_requires;
                }
                Err(e) => {
                    res.archful = spec::grep_archful(&text);
                    res.verdict = Verdict::GrepFallback {
                        reason: e.to_string(),
                    };
                }
            }
            for arch in arches {
                let mut ctx = base.clone();
                ctx.arch = arch.to_string();
                if let Ok(ev) = spec::evaluate(&text, &ctx) {
                    let excluded = (!ev.exclusive_arch.is_empty()
                        && !ev.exclusive_arch.iter().any(|a| a == arch))
                        || ev.exclude_arch.iter().any(|a| a == arch);
                    if excluded {
                        res.not_buildable_on.push(arch.to_string());
                    }
                }
            }
            Ok(res)
        })
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
