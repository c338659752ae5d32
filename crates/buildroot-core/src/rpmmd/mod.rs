//! rpm-md repository reading: repomd.xml, primary.xml and filelists.xml from
//! a directory, `file://` or `http(s)://` (with a cache), compressed with
//! gzip, zstd, xz, bzip2 or not at all; checksums verified while streaming.
//! Also dnf `.repo` files ([`parse_repofile`]) and comps groups
//! ([`read_comps`]).
//!
//! Source repositories use the same format with arch `src`; their requires
//! are the BuildRequires.

mod chunks;
mod compress;
mod comps;
mod fetch;
mod filelists;
mod http;
mod mirrors;
mod primary;
pub(crate) mod raw;
mod repofile;
mod repomd;
mod scan;
mod xml;

use std::collections::{BTreeMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use compress::{file_digest, sha256_file, Codec, Expected, MetaFile};
pub use comps::{Comps, Group, GroupPackage, PackageType};
pub use fetch::{fetch_to_cache, local_file, Location};
pub use filelists::{
    is_primary_file, read_filelists, read_filelists_chunked, read_filelists_keys,
    read_filelists_where, FileKey,
};
pub use http::{
    download, download_verified, retry_after, set_download_observer, DownloadEvent,
    DownloadObserver, HttpSettings, HTTP_ENV_HELP,
};
pub use mirrors::{parse_metalink, parse_mirrorlist, MirrorSource, Mirrors, RepomdChecksum};
pub use primary::{read_primary, read_primary_chunked, read_primary_parallel, read_primary_with};
pub use raw::RawChunk;
pub use repofile::{parse_repofile, parse_repofile_str};
pub use repomd::{Repomd, RepomdRecord};

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
    pub extra_baseurls: Vec<String>,
    /// `metalink=`/`mirrorlist=`, used when there is no baseurl.
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
}

impl RepoSpec {
    /// A repo with dnf's defaults (priority 99, cost 1000, enabled).
    pub fn new(id: &str, baseurl: &str) -> RepoSpec {
        RepoSpec {
            id: id.to_string(),
            name: id.to_string(),
            baseurl: baseurl.to_string(),
            extra_baseurls: Vec::new(),
            mirrors: None,
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
    /// `$basearch`: the base arch of `arch` (`x86_64` for `x86_64`, `i386` for `i686`).
    pub basearch: String,
    /// `$arch`.
    pub arch: String,
    /// `$releasever`.
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
    /// [`Filelists::Needed`] plus every path starting with one of these
    /// prefixes (e.g. rpm's macro directories, to find macro packages).
    NeededAnd(Vec<String>),
}

/// How repositories are loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Which file lists to read.
    pub filelists: Filelists,
    /// Where HTTP repositories are cached (required for them).
    pub cache_dir: Option<PathBuf>,
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
    /// The configured `baseurl` (empty for a metalink or mirrorlist).
    configured_baseurl: String,
    loc: Location,
    /// `loc`, then the mirrors after it (for files `loc` cannot deliver).
    mirrors: Vec<Location>,
    repomd: Repomd,
}

/// How many mirrors of a metalink or mirrorlist are tried before giving up.
const MAX_MIRRORS: usize = 8;

fn open_repo(spec: &RepoSpec, opts: &LoadOptions) -> Result<Opened> {
    let (bases, want, origin) = match &spec.mirrors {
        Some(src) if spec.baseurl.is_empty() => {
            let list = fetch_mirrors(src, opts)?;
            let n = list.baseurls.len().min(MAX_MIRRORS);
            let mut bases = list.baseurls;
            bases.truncate(n);
            (bases, list.repomd_checksums, Some(src.url()))
        }
        _ => {
            let mut bases = vec![spec.baseurl.clone()];
            bases.extend(spec.extra_baseurls.iter().cloned());
            (bases, Vec::new(), None)
        }
    };
    let locs: Vec<Location> = bases
        .iter()
        .map(|b| Location::parse(b))
        .collect::<Result<_>>()?;
    // As librepo does: a mirror that fails is left at once for the next;
    // the last one gets the retries.
    // Local repos never read the variables (a bad value only matters over HTTP).
    let http = locs.iter().any(|l| matches!(l, Location::Http(_)));
    let settings = if http {
        HttpSettings::from_env()?
    } else {
        HttpSettings::default()
    };
    let once = HttpSettings {
        retries: 0,
        ..settings.clone()
    };
    let mut last = None;
    for (i, base) in bases.iter().enumerate() {
        let s = if i + 1 < bases.len() {
            &once
        } else {
            &settings
        };
        match open_at(spec, base, opts, &want, s) {
            Ok(mut o) => {
                o.spec.baseurl = base.clone();
                o.mirrors = locs[i..].to_vec();
                return Ok(o);
            }
            Err(e) if bases.len() == 1 => return Err(e),
            Err(e @ (Error::Usage(_) | Error::NoCacheDir { .. })) => return Err(e),
            Err(e) => last = Some(e),
        }
    }
    let tried = bases.len();
    Err(Error::format(
        origin.unwrap_or(&spec.baseurl),
        format!(
            "none of {tried} mirror(s) could be used; the last said: {}",
            last.map(|e| e.to_string()).unwrap_or_default()
        ),
    ))
}

/// Fetches and reads a metalink or mirrorlist (a local path or `file://`
/// is read in place; HTTP lists are downloaded afresh into the cache).
fn fetch_mirrors(src: &MirrorSource, opts: &LoadOptions) -> Result<Mirrors> {
    let url = src.url();
    let path = if url.starts_with("http://") || url.starts_with("https://") {
        let cache = opts.cache_dir.as_deref().ok_or_else(|| Error::NoCacheDir {
            url: url.to_string(),
        })?;
        let dest = cache.join("mirrors").join(fetch::cache_dir_name(url));
        http::download(url, &dest)?;
        dest
    } else {
        PathBuf::from(url.strip_prefix("file://").unwrap_or(url))
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    match src {
        MirrorSource::Metalink(_) => parse_metalink(text.as_bytes(), url),
        MirrorSource::Mirrorlist(_) => parse_mirrorlist(&text, url),
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
    let path = match &loc {
        Location::Dir(d) => d.join(href),
        Location::Http(base) => {
            let cache = opts.cache_dir.as_deref().ok_or_else(|| Error::NoCacheDir {
                url: base.to_string(),
            })?;
            let dest = cache.join(fetch::cache_dir_name(base)).join("repomd.xml");
            http::download_verified(&loc.display(href), &dest, None, settings)?;
            dest
        }
    };
    if !want.is_empty() {
        // Checksum types we cannot compute are passed over, as librepo does.
        let matches: Vec<bool> = want
            .iter()
            .filter_map(|c| file_digest(&path, &c.algo).ok().map(|h| h == c.hex))
            .collect();
        if !matches.is_empty() && !matches.contains(&true) {
            return Err(Error::format(
                loc.display(href),
                "does not match the metalink's checksums (a stale mirror)",
            ));
        }
    }
    let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    let repomd = Repomd::parse(BufReader::new(f), &loc.display(href))?;
    Ok(Opened {
        spec: spec.clone(),
        configured_baseurl: spec.baseurl.clone(),
        mirrors: vec![loc.clone()],
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
    let expected = (!rec.checksum.is_empty()).then(|| Expected {
        algo: rec.checksum_type.clone(),
        hex: rec.checksum.clone(),
    });
    let (path, from) = fetch::local_file_from(
        &o.mirrors,
        &rec.href,
        opts.cache_dir.as_deref(),
        expected.as_ref(),
    )?;
    // Named by the mirror that delivered it.
    let display = o.mirrors[from].display(&rec.href);
    if !path.is_file() {
        return Err(Error::format(&display, "listed in repomd.xml but missing"));
    }
    let mut mf = MetaFile::open(&path, expected)?;
    // Errors should name the repo's file, not the cache copy.
    mf.set_display(&display);
    Ok(Some((mf, display, path)))
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
}

/// What a repo's primary reader sends to [`load_repos_into`]'s consumer.
enum Msg {
    /// A parsed chunk of repo `.0`, with the paths its dependencies name
    /// (for [`Filelists::Needed`]).
    Chunk(usize, primary::Parsed, HashSet<String>),
    /// Repo `.0` is read: its number of chunks, the stream's read error,
    /// the checksum check, and the file's display name and local path.
    Done(usize, (usize, Result<()>), Result<()>, String, PathBuf),
    /// Repo `.0`'s primary could not be opened.
    Failed(usize, Error),
}

/// A chunk of repo `repo`'s primary.xml for the parsers.
struct Job {
    repo: usize,
    index: usize,
    base: u64,
    data: Vec<u8>,
    origin: std::sync::Arc<str>,
}

/// What [`load_repos_into`]'s consumer knows of a repo being read.
#[derive(Default)]
struct Progress {
    /// Parsed chunks not handed over yet (they arrive in any order).
    early: BTreeMap<usize, Result<(RawChunk, bool)>>,
    /// Index of the next chunk to hand over.
    next: usize,
    /// The first parse error, in chunk order.
    parse_error: Option<Error>,
    saw_root: bool,
    done: Option<Msg>,
}

/// Loads repositories, handing the packages to `sink` on the calling thread
/// while later chunks are still being parsed (so the pool can be built
/// while parsing goes on): repos sorted by (priority, cost) as dnf loads
/// them (stable), each repo's packages in file order, file lists added at
/// the end. An error is the first failing repo's, in load order; after
/// one, `sink` holds a part of the packages.
pub fn load_repos_into(
    specs: &[RepoSpec],
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<()> {
    load_opened_into(&open_repos(specs, opts)?, opts, sink)
}

/// The enabled repositories with their repomd.xml read (in parallel), in
/// dnf's load order: what [`load_opened_into`] reads, and what a cache of
/// their parsed contents is keyed by ([`OpenedRepos::fingerprint`]).
pub(crate) fn open_repos(specs: &[RepoSpec], opts: &LoadOptions) -> Result<OpenedRepos> {
    let specs: Vec<&RepoSpec> = specs.iter().filter(|s| s.enabled).collect();
    let mut opened: Vec<Opened> = specs
        .par_iter()
        .map(|s| open_repo(s, opts))
        .collect::<Result<_>>()?;
    opened.sort_by_key(|o| (o.spec.priority, o.spec.cost));
    Ok(OpenedRepos(opened))
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
            let spec = RepoSpec {
                baseurl: o.configured_baseurl.clone(),
                ..o.spec.clone()
            };
            h(format!("{spec:?}\n{:?}\n", o.repomd).as_bytes());
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
                // The mirror the file is read from, as `open_meta` finds it.
                for loc in &o.mirrors {
                    match loc {
                        Location::Http(_) if r.checksum.is_empty() => return false,
                        Location::Http(_) => break,
                        Location::Dir(d) => {
                            let path = d.join(&r.href);
                            if path.is_file() {
                                h(format!("{} {:?}\n", r.href, stat(&path)).as_bytes());
                                break;
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

    /// The base URL each repo was read from (the mirror that answered), in
    /// load order.
    pub(crate) fn baseurls(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|o| o.spec.baseurl.as_str())
    }
}

/// [`load_repos_into`] on repositories already opened.
pub(crate) fn load_opened_into(
    opened: &OpenedRepos,
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<()> {
    let opened = &opened.0;
    let needed = matches!(opts.filelists, Filelists::Needed | Filelists::NeededAnd(_));
    let mut keep: HashSet<String> = HashSet::new();
    let mut failed: Option<Error> = None;
    // One pool of parsers for every repo, as many as there are cores; each
    // repo's reader only decompresses and cuts chunks (a pool per repo put
    // twice the threads on the cores and left one idle once the smaller
    // repo was read).
    let threads = rayon::current_num_threads().clamp(1, 8);
    let spare = chunks::Spare::default();
    let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(threads);
    // The repos are read one after the other, in order: the builder takes
    // chunks in that order, and a repo read alongside the one before it
    // was parsed against a pool that lacked that repo's strings, then
    // waited for the builder to finish it (≈0.15 s alone at the end on
    // the bench data).
    let turn = Turn::default();
    let queue = std::sync::Mutex::new(queue);
    std::thread::scope(|scope| {
        // Bounded: when the sink (the pool builder) falls behind, the
        // parsers wait instead of piling up parsed chunks (on a loaded
        // machine that pile was most of the load's peak memory). The
        // loop below drains the channel into `early` after each hand-over,
        // so a parser never waits for a chunk that is behind it.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(2);
        for _ in 0..threads {
            let (tx, queue, spare, hook) = (tx.clone(), &queue, &spare, sink.on_parsed());
            scope.spawn(move || loop {
                let job = queue.lock().expect("chunk queue").recv();
                let Ok(Job {
                    repo,
                    index,
                    base,
                    data,
                    origin,
                }) = job
                else {
                    break;
                };
                let mut p = primary::parse_fragment(&data, &origin, base, index == 0);
                spare.put(data);
                if let (Ok((c, _)), Some(hook)) = (&mut p, &hook) {
                    hook(c);
                }
                // Collected here, on the parsing threads.
                let paths = match &p {
                    Ok((pkgs, _)) if needed => needed_paths_raw(pkgs),
                    _ => HashSet::new(),
                };
                let _ = tx.send(Msg::Chunk(repo, (index, p), paths));
            });
        }
        for (ri, o) in opened.iter().enumerate() {
            let (tx, jobs, spare, turn) = (tx.clone(), jobs.clone(), &spare, &turn);
            scope.spawn(move || {
                // Taken first: the turn passes on whatever happens next.
                let mut reading = turn.ticket(ri);
                let meta = open_meta(o, "primary", opts).and_then(|m| {
                    m.ok_or_else(|| {
                        Error::format(
                            o.loc.display("repodata/repomd.xml"),
                            "no primary metadata listed",
                        )
                    })
                });
                // Downloads run at once; the reading waits for its turn.
                reading.wait();
                let (mut mf, display, path) = match meta {
                    Ok(m) => m,
                    Err(e) => {
                        drop(reading);
                        let _ = tx.send(Msg::Failed(ri, e));
                        return;
                    }
                };
                let origin: std::sync::Arc<str> = display.as_str().into();
                let read = chunks::read_chunks(
                    &mut mf.reader,
                    &display,
                    chunks::CHUNK,
                    spare,
                    |index, base, data| {
                        let origin = origin.clone();
                        jobs.send(Job {
                            repo: ri,
                            index,
                            base,
                            data,
                            origin,
                        })
                        .is_ok()
                    },
                );
                drop(reading);
                let _ = tx.send(Msg::Done(ri, read, mf.finish(), display, path));
            });
        }
        drop(jobs);
        drop(tx);
        let mut st: Vec<Progress> = opened.iter().map(|_| Progress::default()).collect();
        let mut cur = 0;
        if let Some(o) = opened.first() {
            sink.repo(&o.spec);
        }
        for msg in rx {
            match msg {
                Msg::Chunk(ri, (i, p), paths) => {
                    keep.extend(paths);
                    st[ri].early.insert(i, p);
                }
                Msg::Done(ri, ..) | Msg::Failed(ri, _) => st[ri].done = Some(msg),
            }
            // Hand over what is in order; finish the repos that are complete.
            while cur < opened.len() && failed.is_none() {
                let r = &mut st[cur];
                while let Some(p) = r.early.remove(&r.next) {
                    r.next += 1;
                    match p {
                        _ if r.parse_error.is_some() => {}
                        Ok((pkgs, root)) => {
                            r.saw_root |= root;
                            sink.packages(pkgs);
                        }
                        Err(e) => r.parse_error = Some(e),
                    }
                }
                if !r.early.is_empty() {
                    break;
                }
                // Done once every chunk read is handed over.
                if matches!(&r.done, Some(Msg::Done(_, (n, _), ..)) if r.next < *n) {
                    break;
                }
                let (read, fin, display, path) = match r.done.take() {
                    None => break,
                    Some(Msg::Done(_, (_, read), fin, display, path)) => (read, fin, display, path),
                    Some(Msg::Failed(_, e)) => {
                        failed = Some(e);
                        break;
                    }
                    Some(Msg::Chunk(..)) => unreachable!("chunks are not kept in `done`"),
                };
                let res = read
                    .and_then(|()| r.parse_error.take().map_or(Ok(()), Err))
                    .and_then(|()| primary::check_root(r.saw_root, &display))
                    .map_err(|e| decompress_context(e, &display));
                // As in load_primary: a checksum mismatch explains a parse error.
                match (res, fin) {
                    (_, Err(e @ Error::Checksum { .. })) => {
                        forget_cached(&opened[cur], &path);
                        failed = Some(e);
                    }
                    (Err(e), _) | (Ok(()), Err(e)) => failed = Some(e),
                    (Ok(()), Ok(())) => {
                        cur += 1;
                        if let Some(o) = opened.get(cur) {
                            sink.repo(&o.spec);
                        }
                    }
                }
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    // Paths createrepo_c lists in primary.xml are complete there: only the
    // others make filelists.xml worth reading (and downloading; Fedora's
    // rawhide specs name two such paths among ≈290).
    keep.retain(|p| !is_primary_file(p));

    let prefixes: &[String] = match &opts.filelists {
        Filelists::PrimaryOnly => return Ok(()),
        Filelists::All | Filelists::Needed => &[],
        Filelists::NeededAnd(p) => p,
    };
    let all = opts.filelists == Filelists::All;
    if !all && keep.is_empty() && prefixes.is_empty() {
        return Ok(());
    }
    // Millions of paths go past this test and few are wanted: a path whose
    // length no wanted path has is turned away before it is hashed.
    let mut lengths = [0u64; 4];
    for p in &keep {
        if let Some(w) = lengths.get_mut(p.len() / 64) {
            *w |= 1 << (p.len() % 64);
        }
    }
    let maybe_kept = |n: usize| lengths.get(n / 64).is_none_or(|w| w & (1 << (n % 64)) != 0);
    let wanted = |path: &str| {
        all || (maybe_kept(path.len()) && keep.contains(path))
            || prefixes.iter().any(|p| path.starts_with(p.as_str()))
    };
    let found: Vec<Vec<(usize, String)>> = {
        let keys = sink.file_keys();
        keys.par_iter()
            .zip(opened.par_iter())
            .map(|(keys, o)| read_filelists_of(o, opts, keys, &wanted))
            .collect::<Result<_>>()?
    };
    for (ri, files) in found.into_iter().enumerate() {
        sink.add_files(ri, files);
    }
    Ok(())
}

/// Whose turn it is to read (repos in order).
#[derive(Default)]
struct Turn {
    next: std::sync::Mutex<usize>,
    changed: std::sync::Condvar,
}

impl Turn {
    /// Turn `i`, to be waited for with [`Ticket::wait`]; it passes to
    /// `i + 1` when the ticket drops, however the reading ends (a panic
    /// included: the readers after it would wait for ever otherwise).
    fn ticket(&self, i: usize) -> Ticket<'_> {
        Ticket(self, i)
    }
}

/// A reader's place in the [`Turn`].
struct Ticket<'t>(&'t Turn, usize);

impl Ticket<'_> {
    /// Waits until the readers before this one are done.
    fn wait(&mut self) {
        let Ticket(turn, i) = self;
        // Poisoned only if a thread panicked holding the lock, which
        // nothing here does; the count is still right then.
        let mut next = turn.next.lock().unwrap_or_else(|p| p.into_inner());
        while *next < *i {
            next = turn.changed.wait(next).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.wait();
        let Ticket(turn, i) = self;
        *turn.next.lock().unwrap_or_else(|p| p.into_inner()) = *i + 1;
        turn.changed.notify_all();
    }
}

/// The paths of `o`'s filelists.xml for which `keep` holds, with the index
/// of their package in `keys`.
fn read_filelists_of(
    o: &Opened,
    opts: &LoadOptions,
    keys: &[FileKey<'_>],
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<(usize, String)>> {
    let Some((mut mf, display, path)) = open_meta(o, "filelists", opts)? else {
        return Ok(Vec::new());
    };
    let res = read_filelists_keys(&mut mf.reader, &display, keys, keep);
    let fin = mf.finish();
    match (res, fin) {
        (_, Err(e @ Error::Checksum { .. })) => {
            forget_cached(o, &path);
            Err(e)
        }
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        (Ok(found), Ok(())) => Ok(found),
    }
}

/// Every file path some dependency of a parsed chunk names (requires,
/// conflicts, obsoletes, weak deps; rich deps' leaves included): the paths
/// of filelists.xml that must be kept.
fn needed_paths_raw(c: &RawChunk) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in &c.pkgs {
        for e in c.lists_from(p, raw::REQUIRES) {
            match e.dep {
                raw::RawDep::Rich(i) => c.rich[i as usize].for_each_leaf(&mut |leaf| {
                    if leaf.is_file() {
                        out.insert(leaf.name.clone());
                    }
                }),
                raw::RawDep::Simple(i) => {
                    let name = c.local_str(c.nodes[i as usize].name);
                    if name.starts_with('/') {
                        out.insert(name.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The comps (package groups) of a repository: its `group_gz` record, else
/// its `group` record (as libdnf picks), or None when it has neither.
pub fn read_comps(spec: &RepoSpec, opts: &LoadOptions) -> Result<Option<Comps>> {
    let o = open_repo(spec, opts)?;
    let kind = if o.repomd.record("group_gz").is_some() {
        "group_gz"
    } else {
        "group"
    };
    let Some((mut mf, display, path)) = open_meta(&o, kind, opts)? else {
        return Ok(None);
    };
    let res = Comps::parse(&mut mf.reader, &display);
    match (res, mf.finish()) {
        (_, Err(e @ Error::Checksum { .. })) => {
            forget_cached(&o, &path);
            Err(e)
        }
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        (Ok(c), Ok(())) => Ok(Some(c)),
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

    #[test]
    fn a_reader_that_panics_before_its_turn_passes_it_on() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let turn = Turn::default();
            let order = std::sync::Mutex::new(Vec::new());
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                std::thread::scope(|s| {
                    for i in (0..4).rev() {
                        let (turn, order) = (&turn, &order);
                        s.spawn(move || {
                            let mut reading = turn.ticket(i);
                            assert_ne!(i, 1, "reader 1 fails before its turn");
                            reading.wait();
                            order.lock().unwrap().push(i);
                        });
                    }
                })
            }));
            let _ = done.send((run.is_err(), order.into_inner().unwrap()));
        });
        let (panicked, order) = finished
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the readers after a failed one waited for ever");
        assert!(panicked);
        assert_eq!(order, [0, 2, 3]);
    }
}
