//! rpm-md repository reading: repomd.xml, primary.xml and filelists.xml from
//! a directory, `file://` or `http(s)://` (with a cache), compressed with
//! gzip, zstd, xz, bzip2 or not at all; checksums verified while streaming
//! (an HTTP copy is verified as it arrives instead, see `fetch.rs`).
//! Also dnf `.repo` files ([`parse_repofile`]) and comps groups
//! ([`read_comps`]).
//!
//! Source repositories use the same format with arch `src`; their requires
//! are the BuildRequires.

mod access;
mod chunks;
mod compress;
mod comps;
mod conn_watch;
mod dnfvars;
mod download_lock;
pub(crate) mod entry_evr;
mod fetch;
mod filelists;
mod http;
mod http_answer;
mod http_settings;
mod load;
mod mirror_tally;
mod mirrors;
mod primary;
mod prune;
pub(crate) mod raw;
mod redirect;
mod repofile;
mod repomd;
mod scan;
mod skip;
mod turns;
mod xml;

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use access::RepoAccess;
pub use compress::{checksum_type, file_digest, sha256_file, Codec, Expected, MetaFile};
pub use comps::{Comps, Group, GroupPackage, PackageType};
pub use dnfvars::Vars;
pub(crate) use download_lock::{DownloadLock, Task as LockTask};
pub(crate) use fetch::package_limit;
pub use fetch::{
    cache_dir_name, fetch_to_cache, from_mirrors, from_mirrors_tallied, local_file,
    package_file_from, Location,
};
pub use filelists::{
    is_primary_file, read_filelists, read_filelists_chunked, read_filelists_keys,
    read_filelists_where, FileKey,
};
/// The archful SRPM cache recognises the temp files downloads leave.
pub(crate) use http::is_our_temp_name;
pub use http::{
    download, download_listed, download_verified, retry_after, set_download_observer,
    sweep_stale_temps, DownloadEvent, DownloadObserver, HttpSettings, HTTP_ENV_HELP,
};
pub use http_settings::Pace;
use load::load_opened_into;
pub use mirror_tally::MirrorTally;
pub use mirrors::{parse_metalink, parse_mirrorlist, MirrorSource, Mirrors, RepomdChecksum};
pub use primary::{read_primary, read_primary_chunked, read_primary_parallel, read_primary_with};
pub use raw::RawChunk;
pub use repofile::{parse_repofile, parse_repofile_str, MainDefaults};
pub use repomd::{Repomd, RepomdRecord};
pub(crate) use skip::{load_opened_skipping, warn_once};
pub use skip::{set_warning_handler, without_warnings, WarningHandler};

use crate::error::{Error, Result};
use crate::package::Package;

/// One repository as configured (command line `ID=URL` or a `.repo` section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The repo id (`[id]` or `ID=`).
    pub id: String,
    /// The display name (`name=`; the id when absent).
    pub name: String,
    /// The URL or directory the repository is read from.
    pub baseurl: String,
    /// More URLs of a multi-URL `baseurl=`, tried in order when one fails.
    /// In a loaded repo: the mirrors other than the one that answered, in
    /// the list's order ([`RepoSpec::answered_at`] says where that one
    /// stands), where its packages (SRPMs) are sought.
    pub extra_baseurls: Vec<String>,
    /// In a loaded repo: where `baseurl`, the mirror that answered, stands
    /// in the repo's list of mirrors (0 as configured). Its packages are
    /// asked of the mirrors in the list's order ([`RepoSpec::package_mirrors`]).
    pub answered_at: usize,
    /// `metalink=`/`mirrorlist=`: its mirrors are tried before the baseurls.
    pub mirrors: Option<MirrorSource>,
    /// dnf priority: lower wins; default 99.
    pub priority: i32,
    /// dnf cost: lower wins among equal priorities; default 1000.
    pub cost: i32,
    /// Package name globs excluded (`exclude=` / `excludepkgs=`).
    pub exclude: Vec<String>,
    /// When non-empty, only package names matching one of these globs.
    pub includepkgs: Vec<String>,
    /// `enabled=`: disabled repositories are not loaded.
    pub enabled: bool,
    /// `skip_if_unavailable=`: when the metadata cannot be had, the repo
    /// is left out with a warning instead of failing the load (`skip.rs`).
    pub skip_if_unavailable: bool,
    /// How its downloads are made (credentials; `access.rs`).
    pub access: RepoAccess,
    /// The `.repo` file it was read from (None: given on the command line),
    /// for messages.
    pub origin: Option<String>,
    /// The variables dnf hands librepo for this repo ([`Vars::url_vars`]):
    /// librepo substitutes them in the URLs a metalink or mirrorlist lists.
    pub url_vars: std::collections::BTreeMap<String, String>,
}

impl RepoSpec {
    /// The repo's mirrors in the order its packages are asked of them: the
    /// list's order (a metalink's, a mirrorlist's, the baseurls), whichever
    /// mirror answered repomd.xml, as librepo asks them (dnf 4.14, whose
    /// first mirror failed repomd.xml, downloaded the package from it all
    /// the same); as configured, `baseurl` then `extra_baseurls`.
    pub fn package_mirrors(&self) -> Vec<String> {
        let at = self.answered_at.min(self.extra_baseurls.len());
        let (before, after) = self.extra_baseurls.split_at(at);
        before
            .iter()
            .chain(std::iter::once(&self.baseurl))
            .chain(after)
            .cloned()
            .collect()
    }

    /// A repo with dnf's defaults (priority 99, cost 1000, enabled).
    pub fn new(id: &str, baseurl: &str) -> RepoSpec {
        RepoSpec {
            id: id.to_string(),
            name: id.to_string(),
            baseurl: baseurl.to_string(),
            extra_baseurls: Vec::new(),
            answered_at: 0,
            mirrors: None,
            priority: 99,
            cost: 1000,
            exclude: Vec::new(),
            includepkgs: Vec::new(),
            enabled: true,
            skip_if_unavailable: false,
            access: RepoAccess::default(),
            origin: None,
            url_vars: Default::default(),
        }
    }

    /// How messages name the repo before a path of it: `repo 'ID' (FILE): `
    /// for a `.repo` section; nothing for a command-line `ID=URL`, where the
    /// path is what the user typed beside the id.
    pub fn label(&self) -> String {
        match &self.origin {
            Some(file) => format!("repo '{}' ({file}): ", self.id),
            None => String::new(),
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
        let mut spec = RepoSpec::new(id, &vars.url_substitute(&vars.substitute(url)));
        spec.url_vars = vars.url_vars();
        if let Some(main) = &vars.main {
            main.apply_to_cli_repo(&mut spec)?;
            // libdnf's repo_gpgcheck is inherited by every repo, one of the
            // command line too: said as for a section.
            if let Some(msg) = repofile::unchecked_signature(&[], vars, "", id) {
                skip::warn_once(msg);
            }
        }
        Ok(spec)
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
    /// [`Filelists::Needed`] plus every path starting with one of these
    /// prefixes (e.g. rpm's macro directories, to find macro packages).
    NeededAnd(Vec<String>),
    /// [`Filelists::Needed`] plus these paths (those that packages added to
    /// the pool after the repos require: the command line's).
    NeededWith(Vec<String>),
}

impl Filelists {
    /// [`Filelists::Needed`] plus the paths that `packages` require and
    /// primary.xml's file subset does not hold (packages that join a pool
    /// after its repos' dependencies were read: the command line's). Other
    /// settings stay as they are.
    pub(crate) fn and_paths(self, packages: &[Package]) -> Filelists {
        let mut paths = Vec::new();
        for r in packages.iter().flat_map(|p| &p.requires) {
            r.dep.for_each_leaf(&mut |d| {
                if d.is_file() && !filelists::is_primary_file(&d.name) && !paths.contains(&d.name) {
                    paths.push(d.name.clone());
                }
            });
        }
        match self {
            Filelists::Needed if !paths.is_empty() => Filelists::NeededWith(paths),
            other => other,
        }
    }
}

/// How repositories are loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Which file lists to read.
    pub filelists: Filelists,
    /// Where HTTP repositories are cached (required for them).
    pub cache_dir: Option<PathBuf>,
}

impl LoadOptions {
    /// The default file lists ([`Filelists::Needed`]) with `cache_dir` as
    /// the cache: what a buildroot run loads.
    pub fn cached_in(cache_dir: impl Into<PathBuf>) -> LoadOptions {
        LoadOptions {
            filelists: Filelists::Needed,
            cache_dir: Some(cache_dir.into()),
        }
    }
}

/// A repository's packages as loaded.
#[derive(Clone, Debug)]
pub struct LoadedRepo {
    /// How it was configured.
    pub spec: RepoSpec,
    /// Its packages, in primary.xml's order.
    pub packages: Vec<Package>,
}

/// A repository whose repomd.xml has been read.
struct Opened {
    /// As configured, but `baseurl` is the mirror's that answered.
    spec: RepoSpec,
    /// The repo as configured (`baseurl` empty for a metalink or mirrorlist).
    configured: RepoSpec,
    loc: Location,
    /// The repo's mirrors in the list's order, the files repomd.xml lists
    /// are asked of (`loc` among them).
    mirrors: Vec<Location>,
    /// What those mirrors did over the repo's files: librepo downloads them
    /// in one go, whose mirror statistics and order all of them share.
    tally: mirror_tally::MirrorTally,
    repomd: Repomd,
}

fn open_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<Opened> {
    // The baseurls, after a metalink's or mirrorlist's mirrors when the
    // repo has one too: libdnf hands librepo both, and librepo asks the
    // listed mirrors first, then the baseurls, all held to the metalink's
    // checksums (dnf 4.14 took a repo with both from the metalink's
    // mirror, and failed it when the baseurl's repomd.xml matched none).
    let mut configured = Vec::new();
    if !spec.baseurl.is_empty() {
        configured.push(spec.baseurl.clone());
        configured.extend(spec.extra_baseurls.iter().cloned());
        // Of several baseurls, one we cannot reach (ftp) is passed over
        // as a listed mirror is; with none left, the first one's error.
        if configured.iter().any(|b| Location::parse(b).is_ok()) {
            configured.retain(|b| Location::parse(b).is_ok());
        }
    }
    let (bases, want, origin) = match &spec.mirrors {
        Some(src) => match mirrors::fetch_mirrors(src, &spec.access, opts) {
            Ok(list) => {
                let bases = mirrors::listed_mirrors(src, &list, spec, &configured)?;
                (bases, list.repomd_checksums, Some(src.url()))
            }
            // A bad RPM_BUILDROOT_HTTP_* value is the user's to fix.
            Err(e @ Error::Usage(_)) => return Err(e),
            // librepo goes on with the baseurls when the list cannot be
            // had ("at least one of them" must work), as dnf does.
            Err(e) if !configured.is_empty() => {
                warn_once(format!(
                    "repo '{}': {e}; its baseurl is used without it",
                    spec.id
                ));
                (configured, Vec::new(), None)
            }
            Err(e) => return Err(e),
        },
        None => (configured, Vec::new(), None),
    };
    let locs: Vec<Location> = bases
        .iter()
        .map(|b| Location::parse(b))
        .collect::<Result<_>>()?;
    // Local repos never read the variables (a bad value only matters over HTTP).
    let http = locs.iter().any(|l| matches!(l, Location::Http(_)));
    let settings = if http {
        HttpSettings::for_repo(&spec.access)?
    } else {
        HttpSettings::default()
    };
    // The mirrors in librepo's turns (`turns.rs`).
    let tried = turns::in_turns(&locs, &settings, None, |i, s| {
        open_at(spec, &bases[i], opts, &want, s).map(turns::Turn::asked)
    })?;
    let (mut o, i) = match tried {
        Ok(opened) => opened,
        // A list of one mirror is named with it: the user wrote the
        // list's URL, not the mirror's.
        // Without a tally every mirror is asked: there is a last error.
        Err(turns::GaveUp { last: None, .. }) => {
            return Err(Error::Usage(format!("{}: no mirror was asked", spec.id)))
        }
        Err(turns::GaveUp {
            last: Some(last), ..
        }) if bases.len() == 1 => {
            return Err(match origin {
                Some(list) => {
                    Error::format(list, format!("its only mirror could not be used: {last}"))
                }
                None => last,
            })
        }
        Err(turns::GaveUp {
            last: Some(last),
            attempts,
        }) => {
            return Err(Error::format(
                origin.unwrap_or(&spec.baseurl),
                format!(
                    "none of {} mirror(s) could be used{}; the last said: {last}",
                    bases.len(),
                    turns::attempts_note(bases.len(), attempts)
                ),
            ))
        }
    };
    o.spec.baseurl = bases[i].clone();
    // As librepo asks for packages: every mirror, in the list's order.
    o.spec.extra_baseurls = bases[..i].iter().chain(&bases[i + 1..]).cloned().collect();
    o.spec.answered_at = i;
    // The repo's other files: from the top of the list again, whichever
    // mirror answered repomd.xml, as librepo asks for them (a download of
    // their own, over the repo's whole list: dnf 4.14, whose first mirror
    // failed repomd.xml with a 503 or a 404, asked it first for primary.xml
    // all the same). They are held to this repomd.xml's checksums, so any
    // mirror's copy is the same file.
    o.mirrors = locs.clone();
    prune_other_mirrors(&locs, i, &o.repomd, opts);
    Ok(o)
}

/// The cache directories of a repo's other mirrors (`locs` but the one at
/// `chosen`) lose the metadata `repomd` does not list, as the chosen one's
/// does (`prune.rs`): a metalink answers with another mirror from run to
/// run, and each would keep the metadata of the day it was last used.
fn prune_other_mirrors(locs: &[Location], chosen: usize, repomd: &Repomd, opts: &LoadOptions) {
    let Some(cache) = opts.cache_dir.as_deref() else {
        return;
    };
    for (j, loc) in locs.iter().enumerate() {
        if let (true, Location::Http(base)) = (j != chosen, loc) {
            prune::prune_unlisted(&cache.join(fetch::cache_dir_name(base)), repomd);
        }
    }
}

/// Opens the repo at `baseurl`; with `want` (a metalink's checksums), its
/// repomd.xml must match one of them.
fn open_at(
    spec: &RepoSpec,
    baseurl: &str,
    opts: &LoadOptions,
    want: &[RepomdChecksum],
    settings: &HttpSettings,
) -> Result<Opened> {
    let loc = Location::parse(baseurl)?;
    let href = "repodata/repomd.xml";
    if let Location::Dir(d) = &loc {
        if !d.is_dir() {
            let problem = if d.exists() {
                "not a directory (a repository is a directory holding repodata/)"
            } else {
                "repository directory does not exist"
            };
            return Err(Error::format(
                format!("{}{}", spec.label(), d.display()),
                problem,
            ));
        }
        if !d.join(href).is_file() {
            return Err(Error::format(
                format!("{}{}", spec.label(), d.display()),
                "not an rpm-md repository (no repodata/repomd.xml)",
            ));
        }
    }
    // Read once: the bytes checked against the metalink are the bytes parsed.
    let text = match &loc {
        Location::Dir(d) => {
            let path = d.join(href);
            let text = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            if let Some(why) = mirrors::repomd_mismatch(&text, want) {
                return Err(Error::format(loc.display(href), why));
            }
            text
        }
        Location::Http(base) => {
            let cache = opts.cache_dir.as_deref().ok_or_else(|| Error::NoCacheDir {
                url: base.to_string(),
            })?;
            // A run's first access to the repo's directory: where an older
            // version's directory is taken over.
            let dir = fetch::repo_cache_dir(cache, base);
            current_repomd(&loc.display(href), &dir.join("repomd.xml"), want, settings)?
        }
    };
    let repomd = Repomd::parse(&text[..], &loc.display(href))?;
    if let (Location::Http(base), Some(cache)) = (&loc, opts.cache_dir.as_deref()) {
        // What an older repomd.xml listed is dead weight now, as in dnf's cache.
        prune::prune_unlisted(&cache.join(fetch::cache_dir_name(base)), &repomd);
    }
    Ok(Opened {
        spec: spec.clone(),
        configured: spec.clone(),
        mirrors: vec![loc.clone()],
        tally: mirror_tally::MirrorTally::new(),
        loc,
        repomd,
    })
}

/// The bytes of repomd.xml downloaded from `url` into `dest`, when they
/// match one of a metalink's checksums `want` (or there are none). One that
/// matches none (a stale mirror, or hashes that differ only in their
/// case, which librepo compares as written) is one failed attempt of the
/// download like a 503: on a repo's only mirror it is downloaded again,
/// alone and at once, within the same 4 attempts (`http::fetch_into`), as
/// librepo counts it; dnf 4.14 asked a single stale mirror, or one the
/// metalink gave an upper-case hash, 4 times, and not the metalink again.
fn current_repomd(
    url: &str,
    dest: &Path,
    want: &[RepomdChecksum],
    settings: &HttpSettings,
) -> Result<Vec<u8>> {
    let verify = |path: &Path| -> Result<Option<String>> {
        let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(mirrors::repomd_mismatch(&text, want))
    };
    let verify: Option<http::Verify> = (!want.is_empty()).then_some(&verify);
    let mut f = http::download_open_checked(url, dest, verify, settings)?;
    let mut text = Vec::new();
    f.read_to_end(&mut text).map_err(|e| Error::io(dest, e))?;
    Ok(text)
}

/// Opens the metadata file of `kind`, returning its reader and display name.
/// The reader verifies the file's checksum unless it was verified as it
/// arrived ([`fetch::checked_on_arrival`]): one hash pass per file.
fn open_meta(o: &Opened, kind: &str, opts: &LoadOptions) -> Result<Option<(MetaFile, String)>> {
    let Some(rec) = o.repomd.record(kind) else {
        return Ok(None);
    };
    let expected = (!rec.checksum.is_empty()).then(|| Expected {
        algo: rec.checksum_type.clone(),
        hex: rec.checksum.clone(),
    });
    let fetch = || {
        fetch::local_file_from(
            &o.mirrors,
            &rec.href,
            opts.cache_dir.as_deref(),
            expected.as_ref(),
            rec.size,
            &o.spec.access,
            &o.tally,
        )
    };
    let open = |path: &Path, from: usize| {
        // Named by the mirror that delivered it.
        let display = o.mirrors[from].display(&rec.href);
        if !path.is_file() {
            return Err(Error::format(&display, "listed in repomd.xml but missing"));
        }
        let expected = expected
            .clone()
            .filter(|e| !fetch::checked_on_arrival(&o.mirrors[from], e));
        let mut mf = MetaFile::open(path, expected)?;
        // Errors should name the repo's file, not the cache copy.
        mf.set_display(&display);
        Ok((mf, display))
    };
    let in_cache = |from: usize| matches!(o.mirrors[from], Location::Http(_));
    fetched_and_opened(fetch, open, in_cache).map(Some)
}

/// `open` of the file `fetch` delivers (its path and mirror); a copy of
/// the HTTP cache (`in_cache` of the mirror) gone by the time `open` looks
/// is fetched once more, now downloaded. A concurrent run's pruning
/// (`prune.rs`) reads a copy's age and removes it a moment later: a copy
/// this run touched and checked in that moment may be gone before it is
/// opened, though it was in use. Once opened, its removal changes nothing.
fn fetched_and_opened<T>(
    mut fetch: impl FnMut() -> Result<(PathBuf, usize)>,
    mut open: impl FnMut(&Path, usize) -> Result<T>,
    in_cache: impl Fn(usize) -> bool,
) -> Result<T> {
    let (path, from) = fetch()?;
    match open(&path, from) {
        Err(_) if in_cache(from) && !path.exists() => {
            let (path, from) = fetch()?;
            open(&path, from)
        }
        opened => opened,
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

/// Loads one repository. A repo that is not loaded (disabled, or left out
/// by `skip_if_unavailable`) comes back disabled and without packages.
pub fn load_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<LoadedRepo> {
    let mut repos = load_repos(std::slice::from_ref(spec), opts)?;
    Ok(repos.pop().unwrap_or_else(|| LoadedRepo {
        spec: RepoSpec {
            enabled: false,
            ..spec.clone()
        },
        packages: Vec::new(),
    }))
}

/// Loads the enabled repositories (in parallel), in dnf's load order:
/// sorted by (priority, cost), stable. Then their filelists as
/// `opts.filelists` says (for [`Filelists::Needed`], the paths any loaded
/// package's dependencies name, across all repos).
pub fn load_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<Vec<LoadedRepo>> {
    let mut all = Collect::default();
    load_repos_into(specs, opts, &mut all)?;
    Ok(all.0)
}

/// A [`RepoSink`] that keeps every repo's packages.
#[derive(Default)]
struct Collect(Vec<LoadedRepo>);

impl RepoSink for Collect {
    fn repo(&mut self, spec: &RepoSpec) {
        self.0.push(LoadedRepo {
            spec: spec.clone(),
            packages: Vec::new(),
        });
    }

    fn packages(&mut self, pkgs: RawChunk) {
        let repo = self.0.last_mut().expect("repo() comes before packages()");
        repo.packages.extend(pkgs.to_packages());
    }

    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>> {
        self.0
            .iter()
            .map(|r| r.packages.iter().map(FileKey::of).collect())
            .collect()
    }

    fn add_files(&mut self, repo: usize, files: Vec<(usize, String)>) {
        let pkgs = &mut self.0[repo].packages;
        for (i, path) in files {
            pkgs[i].files.push(path);
        }
    }

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// Work done on a parsing thread on each chunk before it is handed over.
pub type ChunkHook = std::sync::Arc<dyn Fn(&mut RawChunk) + Send + Sync>;

/// Receives the packages of [`load_repos_into`] as they are parsed.
pub trait RepoSink {
    /// What the parsing threads should do on each parsed chunk (the pool
    /// looks up the chunk's strings in its tables there, off the thread
    /// that builds it).
    fn on_parsed(&self) -> Option<ChunkHook> {
        None
    }
    /// The packages of `spec` follow (until the next call).
    fn repo(&mut self, spec: &RepoSpec);
    /// The next packages of the current repo, in file order.
    fn packages(&mut self, pkgs: RawChunk);
    /// What filelists.xml entries are matched against: every repo's
    /// packages, repos in the order of the [`RepoSink::repo`] calls.
    fn file_keys(&self) -> Vec<Vec<FileKey<'_>>>;
    /// Paths of repo `repo`'s filelists.xml (by index of the package in
    /// that repo, in file order), after every package was handed over.
    fn add_files(&mut self, repo: usize, files: Vec<(usize, String)>);
    /// Forgets every repo and package handed over so far: a repo with
    /// `skip_if_unavailable` failed part-way, and the load starts again
    /// without it (its packages, and the ids given after them, must go).
    fn restart(&mut self);
}

/// Loads repositories, handing the packages to `sink` on the calling thread
/// while later chunks are still being parsed (so the pool can be built
/// while parsing goes on): repos sorted by (priority, cost) as dnf loads
/// them (stable), each repo's packages in file order, file lists added at
/// the end. An error is the first failing repo's, in load order; after
/// one, `sink` holds a part of the packages. A repo with
/// `skip_if_unavailable` whose metadata fails is left out with a warning
/// (`load_opened_skipping`).
pub fn load_repos_into(
    specs: &[RepoSpec],
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<()> {
    skip::load_opened_skipping(&mut open_repos(specs, opts)?, opts, sink).map(|_| ())
}

/// The enabled repositories with their repomd.xml read (in parallel), in
/// dnf's load order: what [`load_opened_into`] reads, and what a cache of
/// their parsed contents is keyed by ([`OpenedRepos::fingerprint`]). A
/// repo with `skip_if_unavailable` that cannot be opened is left out with
/// a warning; otherwise the error is the first failing repo's, in the
/// order of `specs`.
pub(crate) fn open_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<OpenedRepos> {
    let specs: Vec<&RepoSpec> = first_of_each_id(specs)
        .into_iter()
        .filter(|s| s.enabled)
        .collect();
    if let Some(cache) = opts.cache_dir.as_deref() {
        // Before any download of this run, so nothing it uses is removed.
        let http = |b: &String| matches!(Location::parse(b), Ok(Location::Http(_)));
        let downloads = |s: &&RepoSpec| {
            s.mirrors.is_some() || http(&s.baseurl) || s.extra_baseurls.iter().any(http)
        };
        if specs.iter().any(downloads) {
            prune::remove_unused_dirs(cache);
        }
    }
    let results: Vec<Result<Opened>> = specs.par_iter().map(|s| open_repo(s, opts)).collect();
    let mut opened = Vec::with_capacity(results.len());
    for (spec, r) in specs.iter().zip(results) {
        match r {
            Ok(o) => opened.push(o),
            Err(e) if skip::skips(spec, &e, opts) => skip::warn_skipped(spec, &e),
            Err(e) => return Err(e),
        }
    }
    opened.sort_by_key(|o| (o.spec.priority, o.spec.cost));
    Ok(OpenedRepos(opened))
}

/// The first repo of each id, in order, with a warning for each later one:
/// dnf keeps the first section of an id it reads and warns about the others
/// (a repo of a `dnf.conf` given again in a `.repo` file, say), whether
/// enabled or not.
fn first_of_each_id(specs: &[RepoSpec]) -> Vec<&RepoSpec> {
    let mut seen: Vec<&RepoSpec> = Vec::new();
    for s in specs {
        match seen.iter().find(|k| k.id == s.id) {
            Some(first) => {
                let from = |r: &RepoSpec| r.origin.clone().unwrap_or("--repo/--source-repo".into());
                skip::warn_once(format!(
                    "repo '{}' is defined again in {} (first in {}): only the first is used, \
                     as in dnf",
                    s.id,
                    from(s),
                    from(first)
                ));
            }
            None => seen.push(s),
        }
    }
    seen
}

/// Repositories whose repomd.xml has been read ([`open_repos`]).
pub(crate) struct OpenedRepos(Vec<Opened>);

impl OpenedRepos {
    /// Feeds `h` with everything the packages loaded from these repos
    /// depend on: each repo's configuration and repomd.xml records (their
    /// checksums name the files' contents), and for files read from a local
    /// directory (repomd.xml, primary, filelists) their size and
    /// modification time, as a hand-edited repo may keep stale checksums,
    /// or none. Which mirror answered is left out: mirrors with the same
    /// files give the same key. False when the contents cannot be named so:
    /// an HTTP repo whose repomd.xml lists primary or filelists without a
    /// checksum (it is fetched afresh every time).
    pub(crate) fn fingerprint(&self, opts: &LoadOptions, h: &mut dyn FnMut(&[u8])) -> bool {
        let stat = |path: &Path| {
            std::fs::metadata(path).ok().map(|m| {
                let mtime = m.modified().ok();
                (
                    m.len(),
                    mtime.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()),
                )
            })
        };
        h(format!("{:?}\n", opts.filelists).as_bytes());
        for o in &self.0 {
            h(format!("{:?}\n{:?}\n", o.configured, o.repomd).as_bytes());
            if let Location::Dir(d) = &o.loc {
                h(format!("repomd.xml {:?}\n", stat(&d.join("repodata/repomd.xml"))).as_bytes());
            }
            let read = ["primary", "filelists"];
            for r in o
                .repomd
                .records
                .iter()
                .filter(|r| read.contains(&r.kind.as_str()))
            {
                // Every mirror the file may be read from (`open_meta` asks
                // them in the list's order, and any may answer).
                for loc in &o.mirrors {
                    match loc {
                        Location::Http(_) if r.checksum.is_empty() => return false,
                        Location::Http(_) => {}
                        Location::Dir(d) => {
                            let path = d.join(&r.href);
                            if path.is_file() {
                                h(format!("{} {:?}\n", r.href, stat(&path)).as_bytes());
                            }
                        }
                    }
                }
            }
        }
        true
    }

    /// The number of repos.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Each repo as loaded (`baseurl`: the mirror that answered), in load
    /// order.
    pub(crate) fn specs(&self) -> impl Iterator<Item = &RepoSpec> {
        self.0.iter().map(|o| &o.spec)
    }

    /// Each repo as configured, in load order.
    pub(crate) fn configured(&self) -> impl Iterator<Item = &RepoSpec> {
        self.0.iter().map(|o| &o.configured)
    }
}

/// The comps (package groups) of a repository: its `group_gz` record, else
/// its `group` record (as libdnf picks), or None when it has neither.
/// A repo with `skip_if_unavailable` whose comps cannot be had has none
/// (with a warning).
pub fn read_comps(spec: &RepoSpec, opts: &LoadOptions) -> Result<Option<Comps>> {
    match read_comps_of(spec, opts) {
        Err(e) if skip::skips(spec, &e, opts) => {
            skip::warn_skipped(spec, &e);
            Ok(None)
        }
        r => r,
    }
}

fn read_comps_of(spec: &RepoSpec, opts: &LoadOptions) -> Result<Option<Comps>> {
    let o = open_repo(spec, opts)?;
    let kind = if o.repomd.record("group_gz").is_some() {
        "group_gz"
    } else {
        "group"
    };
    let Some((mut mf, display)) = open_meta(&o, kind, opts)? else {
        return Ok(None);
    };
    let res = Comps::parse(&mut mf.reader, &display);
    checked(res, mf.finish()).map(Some)
}

/// A parse's result and its file's [`MetaFile::finish`] as one: a checksum
/// mismatch is the error reported, since it explains a parse error.
fn checked<T>(res: Result<T>, fin: Result<()>) -> Result<T> {
    match (res, fin) {
        (_, Err(e @ Error::Checksum { .. })) => Err(e),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        (Ok(v), Ok(())) => Ok(v),
    }
}

/// Reads a local repo directory's repomd.xml (for tools that write repos).
pub fn read_repomd(dir: &Path) -> Result<Repomd> {
    let path = dir.join("repodata/repomd.xml");
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    Repomd::parse(BufReader::new(f), &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dep::Dep;
    use crate::package::Requirement;

    /// A cached copy a concurrent run's pruning removed between this run's
    /// check and its open is fetched again, not reported missing; a local
    /// repo's missing file is an error at once (nothing would bring it).
    #[test]
    fn a_copy_pruned_before_it_was_opened_is_fetched_again() {
        let t = tempfile::tempdir().unwrap();
        let copy = t.path().join("sum-primary.xml");
        let mut fetches = 0;
        let fetch = || {
            fetches += 1;
            std::fs::write(&copy, "primary").unwrap();
            // The other run removes the copy the first time, just after.
            if fetches == 1 {
                std::fs::remove_file(&copy).unwrap();
            }
            Ok((copy.clone(), 0))
        };
        let open = |p: &Path, _| std::fs::read_to_string(p).map_err(|e| Error::io(p, e));
        let got = fetched_and_opened(fetch, open, |_| true).unwrap();
        assert_eq!((got.as_str(), fetches), ("primary", 2));
        let mut fetches = 0;
        let gone = t.path().join("gone");
        let fetch = || {
            fetches += 1;
            Ok((gone.clone(), 0))
        };
        assert!(fetched_and_opened(fetch, open, |_| false).is_err());
        assert_eq!(fetches, 1);
    }

    #[test]
    fn command_line_paths_are_exact_and_not_primarys() {
        let requires = ["/usr/bin/nasm", "gcc", "(/usr/lib/compat32/README or foo)"]
            .iter()
            .map(|d| Requirement {
                dep: Dep::parse(d).unwrap(),
                pre: false,
            })
            .collect();
        let p = Package {
            requires,
            ..Default::default()
        };
        // /usr/bin/... is in primary.xml's file subset already.
        assert_eq!(
            Filelists::Needed.and_paths(std::slice::from_ref(&p)),
            Filelists::NeededWith(vec!["/usr/lib/compat32/README".into()])
        );
        assert_eq!(
            Filelists::All.and_paths(std::slice::from_ref(&p)),
            Filelists::All
        );
        let none = Package::default();
        assert_eq!(Filelists::Needed.and_paths(&[none]), Filelists::Needed);
    }
}
