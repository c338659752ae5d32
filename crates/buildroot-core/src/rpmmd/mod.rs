//! rpm-md repository reading: repomd.xml, primary.xml and filelists.xml from
//! a directory, `file://` or `http(s)://` (with a cache), compressed with
//! gzip, zstd, xz, bzip2 or not at all; checksums verified while streaming.
//! Also dnf `.repo` files ([`parse_repofile`]).
//!
//! Source repositories use the same format with arch `src`; their requires
//! are the BuildRequires.

mod compress;
mod fetch;
mod filelists;
mod primary;
mod repofile;
mod repomd;
mod scan;
mod xml;

use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use compress::{file_digest, sha256_file, Codec, Expected, MetaFile};
pub use fetch::{download, download_with_stall_limit, Location};
pub use filelists::{is_primary_file, read_filelists};
pub use primary::{read_primary, read_primary_chunked, read_primary_parallel, read_primary_with};
pub use repofile::{parse_repofile, parse_repofile_str};
pub use repomd::{Repomd, RepomdRecord};

use crate::error::{Error, Result};
use crate::package::Package;

/// One repository as configured (command line `ID=URL` or a `.repo` section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    pub id: String,
    pub name: String,
    pub baseurl: String,
    /// dnf priority: lower wins; default 99.
    pub priority: i32,
    /// dnf cost: lower wins among equal priorities; default 1000.
    pub cost: i32,
    /// Package name globs excluded (`exclude=` / `excludepkgs=`).
    pub exclude: Vec<String>,
    /// When non-empty, only package names matching one of these globs.
    pub includepkgs: Vec<String>,
    pub enabled: bool,
}

impl RepoSpec {
    /// A repo with dnf's defaults (priority 99, cost 1000, enabled).
    pub fn new(id: &str, baseurl: &str) -> RepoSpec {
        RepoSpec {
            id: id.to_string(),
            name: id.to_string(),
            baseurl: baseurl.to_string(),
            priority: 99,
            cost: 1000,
            exclude: Vec::new(),
            includepkgs: Vec::new(),
            enabled: true,
        }
    }

    /// Parses a command-line `ID=URL` (a bare URL gets its own text as id).
    /// `$basearch`/`$arch`/`$releasever` are substituted from `vars`.
    pub fn parse_cli(s: &str, vars: &Vars) -> Result<RepoSpec> {
        let s = s.trim();
        let (id, url) = match s.split_once('=') {
            Some((id, url)) if !id.contains('/') && !id.contains(':') => (id.trim(), url.trim()),
            _ => (s, s),
        };
        if id.is_empty() || url.is_empty() {
            return Err(Error::Usage(format!("'{s}': expected ID=URL")));
        }
        Ok(RepoSpec::new(id, &vars.substitute(url)))
    }
}

/// Values for `$basearch`, `$arch` and `$releasever`.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    pub basearch: String,
    pub arch: String,
    pub releasever: String,
}

impl Vars {
    /// `$basearch` and `$arch` both set to `arch`.
    pub fn new(arch: &str, releasever: &str) -> Vars {
        Vars {
            basearch: arch.to_string(),
            arch: arch.to_string(),
            releasever: releasever.to_string(),
        }
    }

    /// Replaces `$basearch`, `${basearch}`, `$arch`, `$releasever` in `s`.
    pub fn substitute(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (k, v) in [
            ("basearch", &self.basearch),
            ("releasever", &self.releasever),
            ("arch", &self.arch),
        ] {
            out = out
                .replace(&format!("${{{k}}}"), v)
                .replace(&format!("${k}"), v);
        }
        out
    }
}

/// Which filelists.xml paths to load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Filelists {
    /// Primary's file subset only.
    PrimaryOnly,
    /// Every path (memory-hungry on Fedora: hundreds of MB).
    All,
    /// Only paths that some dependency of the loaded repos names (what a
    /// resolver can ever ask about). The default.
    #[default]
    Needed,
}

/// How repositories are loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub filelists: Filelists,
    /// Where HTTP repositories are cached (required for them).
    pub cache_dir: Option<PathBuf>,
}

/// A repository's packages as loaded.
#[derive(Clone, Debug)]
pub struct LoadedRepo {
    pub spec: RepoSpec,
    pub packages: Vec<Package>,
}

/// A repository whose repomd.xml has been read.
struct Opened {
    spec: RepoSpec,
    loc: Location,
    repomd: Repomd,
}

fn open_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<Opened> {
    let loc = Location::parse(&spec.baseurl)?;
    let href = "repodata/repomd.xml";
    if let Location::Dir(d) = &loc {
        if !d.is_dir() {
            return Err(Error::format(
                d.display(),
                "repository directory does not exist",
            ));
        }
        if !d.join(href).is_file() {
            return Err(Error::format(
                d.display(),
                "not an rpm-md repository (no repodata/repomd.xml)",
            ));
        }
    }
    let path = fetch::local_file(&loc, href, opts.cache_dir.as_deref(), None)?;
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    let repomd = Repomd::parse(BufReader::new(f), &loc.display(href))?;
    Ok(Opened {
        spec: spec.clone(),
        loc,
        repomd,
    })
}

/// Opens the metadata file of `kind`, returning its reader and display name.
fn open_meta(
    o: &Opened,
    kind: &str,
    opts: &LoadOptions,
) -> Result<Option<(MetaFile, String, PathBuf)>> {
    let Some(rec) = o.repomd.record(kind) else {
        return Ok(None);
    };
    let display = o.loc.display(&rec.href);
    let key = (!rec.checksum.is_empty()).then_some(rec.checksum.as_str());
    let path = fetch::local_file(&o.loc, &rec.href, opts.cache_dir.as_deref(), key)?;
    if !path.is_file() {
        return Err(Error::format(&display, "listed in repomd.xml but missing"));
    }
    let expected = (!rec.checksum.is_empty()).then(|| Expected {
        algo: rec.checksum_type.clone(),
        hex: rec.checksum.clone(),
    });
    let mut mf = MetaFile::open(&path, expected)?;
    // Errors should name the repo's file, not the cache copy.
    mf.set_display(&display);
    Ok(Some((mf, display, path)))
}

/// Reads the primary.xml of an opened repo.
fn load_primary(o: &Opened, opts: &LoadOptions) -> Result<Vec<Package>> {
    let (mut mf, display, path) = open_meta(o, "primary", opts)?.ok_or_else(|| {
        Error::format(
            o.loc.display("repodata/repomd.xml"),
            "no primary metadata listed",
        )
    })?;
    let res = read_primary_parallel(&mut mf.reader, &display)
        .map_err(|e| decompress_context(e, &display));
    let finish = mf.finish();
    let pkgs = match (res, finish) {
        // A checksum mismatch explains a parse error, so it wins.
        (_, Err(e @ Error::Checksum { .. })) => {
            forget_cached(o, &path);
            return Err(e);
        }
        (Err(e), _) | (Ok(_), Err(e)) => return Err(e),
        (Ok(p), Ok(())) => p,
    };
    Ok(pkgs)
}

/// Drops a cached HTTP copy that failed its checksum so the next run refetches it.
fn forget_cached(o: &Opened, path: &Path) {
    if matches!(o.loc, Location::Http(_)) {
        let _ = std::fs::remove_file(path);
    }
}

/// Turns an I/O error from a decoder into "cannot decompress" wording.
fn decompress_context(e: Error, display: &str) -> Error {
    match e {
        Error::Format { msg, .. } if msg.contains("malformed XML") && msg.contains("I/O") => {
            Error::format(display, format!("cannot decompress or read: {msg}"))
        }
        other => other,
    }
}

/// Loads one repository.
pub fn load_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<LoadedRepo> {
    Ok(load_repos(std::slice::from_ref(spec), opts)?.remove(0))
}

/// Loads enabled repositories in parallel, then their filelists as
/// `opts.filelists` says (for [`Filelists::Needed`], the paths any loaded
/// package's dependencies name, across all repos).
pub fn load_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<Vec<LoadedRepo>> {
    let specs: Vec<&RepoSpec> = specs.iter().filter(|s| s.enabled).collect();
    let opened: Vec<Opened> = specs
        .par_iter()
        .map(|s| open_repo(s, opts))
        .collect::<Result<_>>()?;
    let mut loaded: Vec<(usize, Vec<Package>)> = opened
        .par_iter()
        .enumerate()
        .map(|(i, o)| load_primary(o, opts).map(|p| (i, p)))
        .collect::<Result<_>>()?;
    let keep: Option<HashSet<String>> = match opts.filelists {
        Filelists::PrimaryOnly => return Ok(finish(opened, loaded)),
        Filelists::All => None,
        Filelists::Needed => Some(needed_paths(loaded.iter().flat_map(|(_, p)| p.iter()))),
    };
    if keep.as_ref().is_some_and(|k| k.is_empty()) {
        return Ok(finish(opened, loaded));
    }
    loaded
        .par_iter_mut()
        .try_for_each(|(i, pkgs)| -> Result<()> {
            let o = &opened[*i];
            let Some((mut mf, display, path)) = open_meta(o, "filelists", opts)? else {
                return Ok(());
            };
            let res = read_filelists(&mut mf.reader, &display, pkgs, keep.as_ref());
            let fin = mf.finish();
            match (res, fin) {
                (_, Err(e @ Error::Checksum { .. })) => {
                    forget_cached(o, &path);
                    Err(e)
                }
                (Err(e), _) | (Ok(()), Err(e)) => Err(e),
                (Ok(()), Ok(())) => Ok(()),
            }
        })?;
    Ok(finish(opened, loaded))
}

fn finish(opened: Vec<Opened>, loaded: Vec<(usize, Vec<Package>)>) -> Vec<LoadedRepo> {
    let mut out: Vec<Option<LoadedRepo>> = opened
        .into_iter()
        .map(|o| {
            Some(LoadedRepo {
                spec: o.spec,
                packages: Vec::new(),
            })
        })
        .collect();
    for (i, p) in loaded {
        if let Some(r) = out[i].as_mut() {
            r.packages = p;
        }
    }
    out.into_iter().flatten().collect()
}

/// Every file path some dependency of `pkgs` names (requires, conflicts,
/// weak deps; rich deps' leaves included).
pub fn needed_paths<'a>(pkgs: impl Iterator<Item = &'a Package>) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in pkgs {
        let deps = p
            .requires
            .iter()
            .map(|r| &r.dep)
            .chain(&p.conflicts)
            .chain(&p.recommends)
            .chain(&p.suggests)
            .chain(&p.supplements)
            .chain(&p.enhances);
        for d in deps {
            for leaf in d.leaves() {
                if leaf.is_file() {
                    out.insert(leaf.name.clone());
                }
            }
        }
        for o in &p.obsoletes {
            if o.is_file() {
                out.insert(o.name.clone());
            }
        }
    }
    out
}

/// Reads a local repo directory's repomd.xml (for tools that write repos).
pub fn read_repomd(dir: &Path) -> Result<Repomd> {
    let path = dir.join("repodata/repomd.xml");
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    Repomd::parse(BufReader::new(f), &path.display().to_string())
}
