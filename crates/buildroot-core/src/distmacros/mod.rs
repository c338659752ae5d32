//! The distribution's own rpm macros: the macro files that koji's buildroot
//! for an arch would have, taken from the binary repositories.
//!
//! For one target arch: load the binary repos for that arch (file lists of
//! rpm's macro directories included), install the core buildroot into an
//! empty root as dnf would (`select.rs`: mock's build group and the release
//! package), and take the installed packages that ship macro files or Lua
//! modules. Their payloads are read with the `rpm` crate and only those
//! files are kept, in a cache keyed by the package checksum (`extract.rs`);
//! the packages' files are merged into one directory that plays
//! `/usr/lib/rpm`, and its files are listed in rpm 4.18's load order
//! (`order.rs`).

mod extract;
mod order;
mod select;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::pool::Pool;
use crate::rpmmd::{
    at_once, DownloadSlots, Filelists, LoadOptions, Location, MirrorTally, RepoSpec,
};

pub use extract::{cache_root, CACHE_DIR};
pub use order::{dir_macro_files, load_order, platform_file, VENDOR};
pub use select::{is_macro_path, MACRO_PREFIXES};

/// The macro files of one target arch, from the binary repos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoMacros {
    /// The target arch.
    pub arch: String,
    /// `name-[E:]V-R.arch` of the packages whose files are used, sorted.
    pub packages: Vec<String>,
    /// The merged directory that plays `/usr/lib/rpm`.
    pub tree: PathBuf,
    /// The macro files in rpm's load order ([`load_order`]).
    pub files: Vec<PathBuf>,
    /// `tree/lua`, when a package ships Lua modules.
    pub lua_dir: Option<PathBuf>,
    /// The names installed that match no package (a misspelt
    /// `--macro-package`, say): dnf would refuse them, the buildroot is
    /// installed without them.
    pub unmatched: Vec<String>,
    /// The version of the buildroot's `rpm` package: what `%{rpmversion}`
    /// says in that buildroot.
    pub rpm_version: Option<String>,
}

impl RepoMacros {
    /// Whether rpm's own base macro file (`/usr/lib/rpm/macros`) is among
    /// the files (the repos carry rpm and its file lists name it).
    pub fn has_rpm_base(&self) -> bool {
        self.tree.join("macros").is_file()
    }
}

/// What was found for one arch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The macro packages' files, merged.
    Macros(RepoMacros),
    /// No macro package (the reason, one line).
    Nothing(String),
}

/// How the binary repos are loaded for their macro packages (metadata
/// cached in `metadata`): a second load with these reads the same cached
/// pool.
pub fn load_options(metadata: &Path) -> LoadOptions {
    LoadOptions {
        filelists: Filelists::NeededAnd(MACRO_PREFIXES.iter().map(|s| s.to_string()).collect()),
        cache_dir: Some(metadata.to_path_buf()),
    }
}

/// Finds, downloads (through the repos' HTTP cache `metadata`) and extracts
/// the macro packages of the buildroot that installing `install` gives on
/// `arch`. `repos` are the binary repos for this arch (`$basearch` already
/// substituted); the extracted files go under `cache` ([`cache_root`]).
pub fn repo_macros(
    arch: &str,
    repos: &[RepoSpec],
    install: &[String],
    metadata: &Path,
    cache: &Path,
) -> Result<Found> {
    Ok(repo_macros_skipping(arch, repos, install, metadata, cache)?.0)
}

/// [`repo_macros`], and the ids of `repos` that `skip_if_unavailable=1`
/// left out of the load ([`crate::rpmmd::left_out`]): the macros were then
/// taken without what only they hold, which a tool's `--json` says.
pub fn repo_macros_skipping(
    arch: &str,
    repos: &[RepoSpec],
    install: &[String],
    metadata: &Path,
    cache: &Path,
) -> Result<(Found, Vec<String>)> {
    let opts = load_options(metadata);
    let pool = Pool::load(arch, repos, &opts)?;
    let skipped = crate::rpmmd::left_out(repos, pool.loaded_repo_ids());
    Ok((macros_of(arch, &pool, install, &opts, cache)?, skipped))
}

/// The macro packages of `install`'s buildroot in `pool`, extracted under
/// `cache` ([`repo_macros`]).
fn macros_of(
    arch: &str,
    pool: &Pool,
    install: &[String],
    opts: &LoadOptions,
    cache: &Path,
) -> Result<Found> {
    let select::BuildrootMacros {
        ids,
        unmatched,
        rpm_version,
    } = match select::macro_packages(pool, install) {
        Ok(found) => found,
        Err(why) => return Ok(Found::Nothing(why)),
    };
    let root = cache_root(cache);
    // What each repo's mirrors did over these packages, as over a run's
    // SRPMs: one that failed 4 times without delivering is asked no more;
    // and dnf's max_parallel_downloads of them at once, as dnf downloads
    // a buildroot's packages (`rpmmd::DownloadSlots`).
    let remote = |id| {
        pool.repo_mirrors(id)
            .any(|m| matches!(Location::parse(m), Ok(Location::Http(_))))
    };
    let slots = DownloadSlots::for_batch(ids.iter().map(|&id| (pool.repo_access(id), remote(id))))?;
    let tallies: HashMap<&str, MirrorTally> = ids
        .iter()
        .map(|&id| (pool.repo_id(id), MirrorTally::sharing(&slots)))
        .collect();
    // The first error in the packages' order, as one after the other.
    let dirs = at_once(&ids, slots.threads(), |&id| {
        let tally = tallies.get(pool.repo_id(id));
        extract::extracted(pool, id, &root, opts, tally)
    })?;
    let mut used = Vec::new();
    for (&id, dir) in ids.iter().zip(dirs) {
        if extract::has_files(&dir) {
            used.push((pool.nevra_string(id), dir));
        }
    }
    if used.is_empty() {
        return Ok(Found::Nothing(format!(
            "no installed package of the {arch} buildroot ships rpm macro files"
        )));
    }
    used.sort();
    let dirs: Vec<&Path> = used.iter().map(|(_, d)| d.as_path()).collect();
    let tree = extract::merged_tree(&dirs, &root)?;
    let lua = tree.join("lua");
    Ok(Found::Macros(RepoMacros {
        arch: arch.to_string(),
        packages: used.into_iter().map(|(n, _)| n).collect(),
        files: load_order(&tree, arch),
        lua_dir: lua.is_dir().then_some(lua),
        tree,
        unmatched,
        rpm_version,
    }))
}
