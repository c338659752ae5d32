//! The parsed-repo cache: a pool built from repositories is kept in the
//! cache directory (`pools/`), and the next load of the same repositories
//! reads it instead of their XML, as dnf reads libsolv's `.solv` files
//! (`dnf_sack_load_repo`: one per repo, checked against repomd.xml's
//! checksum).
//!
//! Unlike dnf's one file per repo, one file per set of repositories and
//! arch: the pool's ids (strings, dependencies) are numbered across all its
//! repos in load order, so a repo's part depends on the repos before it. A
//! changed repo replaces its set's file instead of adding one. The header
//! holds a key of everything the pool depends on: this library's build
//! (its source and `Cargo.lock`), the arch, which file lists were read, and
//! each repo's configuration, repomd.xml records and, for files read from a
//! local directory, their size and time
//! ([`crate::rpmmd::OpenedRepos::fingerprint`]; an HTTP repo whose repomd.xml
//! gives no checksum is not cached). A file whose key, length, CRC or
//! contents (`snapshot/`: every id in range) do not hold is ignored and
//! rewritten: the cache never makes a load fail (only a bad
//! `RPM_BUILDROOT_POOL_CACHE` value is an error). Files are written beside
//! their place and renamed into it, readable by all. Writing one prunes
//! the directory to the most recently used ([`Keep`]: 24, and each arch's
//! 6 most recent, so that a workflow run over many arches keeps what its
//! next run reads; dnf keeps one `.solv` per repo, replaced as it changes).
//!
//! After the key, the header holds the fingerprint of each repo alone, in
//! load order, and of what the key holds beside them ([`PoolCache::may_answer`]):
//! while its later repos are still opening, a load can tell that no cached
//! pool can answer for the repos opened so far, and fetch an earlier
//! repo's primary.xml meanwhile (`rpmmd/early_primary.rs`), where a pool the
//! cache answers with must not have one fetched.

use std::io::{Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::Pool;
use crate::error::{Error, Result};
use crate::rpmmd::{LoadOptions, OpenedRepos};

/// The first bytes of a cache file (the format's version is its last).
const MAGIC: &[u8; 16] = b"rpm-buildroot:3\n";

/// A fingerprint of this library's source (`build.rs`).
const SOURCE_ID: &str = env!("BUILDROOT_CORE_SOURCE_ID");

/// Header: magic, key, payload length, payload CRC-32, the set's
/// fingerprint ([`set_fingerprint`]) and the number of repos; then for
/// each repo a byte (1: it has a fingerprint) and its fingerprint.
const HEADER: usize = 16 + 32 + 8 + 4 + 32 + 4;

/// The bytes of one repo's fingerprint in the header.
const REPO: usize = 1 + 32;

/// The most repos a header is read for (a longer one is not this code's).
const MOST_REPOS: usize = 4096;

/// Where the pool of some repositories is cached, and the key its file must
/// carry to be theirs.
pub(super) struct PoolCache {
    path: PathBuf,
    key: [u8; 32],
    /// [`set_fingerprint`], and each repo's alone, for the header.
    set: [u8; 32],
    repos: Vec<Option<[u8; 32]>>,
    /// How many pools the directory keeps.
    keep: Keep,
}

/// The variable that sets how many pools the cache keeps (0: no pool cache).
const POOL_CACHE_ENV: &str = "RPM_BUILDROOT_POOL_CACHE";

/// How many pools the cache keeps by default, the most recently used
/// ones, whatever their arch. The sets of repos of earlier runs (a new
/// source repo each time: passes 2 and step 10) must not pile up.
const KEEP: usize = 24;

/// How many of each arch's most recently used pools are kept by default
/// beyond [`KEEP`]: a workflow run uses at most five per arch
/// (compose-view's, passes 1 and 2, the archful tools' macro packages'
/// repos, step 10's; four without compose-view), so the bound grows with
/// its `ARCHES`, and a run over six arches no longer evicts pools the next
/// run reads (24 were all that one run used; one run by hand in between
/// cost each later run four parses). One more for a set of repos a
/// release engineer loads by hand.
const KEEP_PER_ARCH: usize = 6;

/// A pool unused this long is no longer kept for its arch (the metadata
/// cache's repos' directories go after as long, `rpmmd/prune.rs`): an
/// arch no run asks for any more does not keep its pools for good.
const UNUSED: std::time::Duration = std::time::Duration::from_secs(30 * 86_400);

/// How many pools the cache keeps.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Keep {
    /// The [`KEEP`] most recently used, and each arch's
    /// [`KEEP_PER_ARCH`] most recently used within [`UNUSED`].
    ByArch,
    /// Exactly this many, the most recently used ([`POOL_CACHE_ENV`]); 0:
    /// no pool cache.
    Exactly(usize),
}

/// How many pools to keep, from [`POOL_CACHE_ENV`]'s value.
fn keep_from(value: Option<&str>) -> Result<Keep> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(Keep::ByArch),
        Some(v) => v.parse().map(Keep::Exactly).map_err(|_| {
            Error::Usage(format!(
                "{POOL_CACHE_ENV}='{v}': expected a whole number of pools to keep (0: none)"
            ))
        }),
    }
}

impl PoolCache {
    /// The cache of the pool of the repos `opened` for `arch`; None when
    /// the repos' contents cannot be keyed (an HTTP repo whose repomd.xml
    /// lists a file without a checksum) or [`POOL_CACHE_ENV`] is 0; an
    /// error when that variable is no number. Named and keyed by the repos
    /// opened, not all those configured: a set with a repo left out by
    /// `skip_if_unavailable` has a file of its own, and the full set's
    /// stays for when that repo is back.
    pub(super) fn new(
        dir: &Path,
        arch: &str,
        opened: &OpenedRepos,
        opts: &LoadOptions,
    ) -> Result<Option<PoolCache>> {
        let keep = keep_from(std::env::var(POOL_CACHE_ENV).ok().as_deref())?;
        if keep == Keep::Exactly(0) {
            return Ok(None);
        }
        let mut name = Sha256::new();
        name.update(format!("{arch}\n{:?}\n", opts.filelists));
        for s in opened.configured() {
            name.update(format!("{}\n", s.pool_identity()));
        }
        let name = hex::encode(&name.finalize()[..8]);
        let mut key = Sha256::new();
        key.update(format!("{SOURCE_ID}\n{arch}\n"));
        if !opened.fingerprint(opts, &mut |b| key.update(b)) {
            return Ok(None);
        }
        Ok(Some(PoolCache {
            path: dir.join("pools").join(format!("{arch}-{name}.pool")),
            key: key.finalize().into(),
            set: set_fingerprint(arch, opts),
            repos: opened.repo_fingerprints(),
            keep,
        }))
    }

    /// Whether a pool cached in `dir` for `arch` may answer for a load
    /// whose repos, in load order, begin with repos of fingerprints
    /// `first` (`OpenedRepos::repo_fingerprint`): some pool's header has
    /// them first, for the same build, arch and file lists. False when the
    /// cache keeps no pools, or a repo of `first` cannot be keyed (no pool
    /// is cached with it). Only the headers are read.
    pub(crate) fn may_answer(
        dir: &Path,
        arch: &str,
        opts: &LoadOptions,
        first: &[Option<[u8; 32]>],
    ) -> bool {
        let keep = keep_from(std::env::var(POOL_CACHE_ENV).ok().as_deref());
        if keep.is_ok_and(|k| k == Keep::Exactly(0)) || first.iter().any(Option::is_none) {
            return false;
        }
        let Ok(entries) = std::fs::read_dir(dir.join("pools")) else {
            return false;
        };
        let set = set_fingerprint(arch, opts);
        entries.flatten().any(|e| {
            let name = e.file_name();
            name.to_string_lossy().ends_with(".pool")
                && header_repos(&e.path(), &set).is_some_and(|repos| repos.starts_with(first))
        })
    }

    /// The cached pool, if the file is there and is this pool's.
    pub(super) fn read(&self) -> Option<Pool> {
        let file = Mapped::open(&self.path).ok()?;
        let pool = self.payload(&file.bytes).and_then(Pool::from_snapshot);
        match &pool {
            // Recently used: the last to be pruned.
            Some(_) => drop(file.file.set_modified(SystemTime::now())),
            None => log::trace!(
                "{}: stale or damaged pool cache, rebuilding",
                self.path.display()
            ),
        }
        pool
    }

    /// The payload of `bytes`, if they are a cache file of this key, whole.
    fn payload<'a>(&self, bytes: &'a [u8]) -> Option<&'a [u8]> {
        let (head, rest) = bytes.split_at_checked(HEADER)?;
        let (magic, rest_h) = head.split_at(16);
        let (key, rest_h) = rest_h.split_at(32);
        let (len, rest_h) = rest_h.split_at(8);
        let (crc, rest_h) = rest_h.split_at(4);
        let n = u32::from_le_bytes(rest_h[32..].try_into().ok()?) as usize;
        let (_, payload) = rest.split_at_checked(n.checked_mul(REPO)?)?;
        let len = u64::from_le_bytes(len.try_into().ok()?);
        let crc = u32::from_le_bytes(crc.try_into().ok()?);
        (magic == MAGIC
            && key == self.key
            && len == payload.len() as u64
            && crc32fast::hash(payload) == crc)
            .then_some(payload)
    }

    /// Writes `pool` into the cache; a failure only costs the next load
    /// its parse (so it is no error).
    pub(super) fn write(&self, pool: &Pool) {
        if let Err(e) = self.try_write(pool) {
            log::trace!("{}: pool cache not written: {e}", self.path.display());
        }
    }

    fn try_write(&self, pool: &Pool) -> std::io::Result<()> {
        let dir = self.path.parent().expect("a file in pools/");
        std::fs::create_dir_all(dir)?;
        // Readable by all (umask permitting), as the HTTP cache's files:
        // a cache shared by several users is read by each of them.
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(dir)?;
        // The header's length and CRC are known at the end.
        tmp.write_all(&[0; HEADER])?;
        for r in &self.repos {
            tmp.write_all(&[u8::from(r.is_some())])?;
            tmp.write_all(&r.unwrap_or_default())?;
        }
        let (mut crc, mut len) = (crc32fast::Hasher::new(), 0u64);
        pool.write_snapshot(&mut |block| {
            crc.update(block);
            len += block.len() as u64;
            tmp.write_all(block)
        })?;
        let mut head = Vec::with_capacity(HEADER);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&self.key);
        head.extend_from_slice(&len.to_le_bytes());
        head.extend_from_slice(&crc.finalize().to_le_bytes());
        head.extend_from_slice(&self.set);
        let n = u32::try_from(self.repos.len()).map_err(std::io::Error::other)?;
        head.extend_from_slice(&n.to_le_bytes());
        tmp.seek(SeekFrom::Start(0))?;
        tmp.write_all(&head)?;
        // No fsync: a file a crash cut short fails its length or CRC check.
        tmp.persist(&self.path).map_err(|e| e.error)?;
        prune(dir, self.keep);
        Ok(())
    }
}

/// What a pool's key holds beside its repos: this library's build, the
/// arch and the file lists read.
fn set_fingerprint(arch: &str, opts: &LoadOptions) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!("{SOURCE_ID}\n{arch}\n{:?}\n", opts.filelists));
    h.finalize().into()
}

/// The repos' fingerprints in the header of the pool file `path`, when it
/// is of this format and of the set `set`.
fn header_repos(path: &Path, set: &[u8; 32]) -> Option<Vec<Option<[u8; 32]>>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut head = [0u8; HEADER];
    f.read_exact(&mut head).ok()?;
    let (fixed, rest) = head.split_at(HEADER - 36);
    if &fixed[..16] != MAGIC || &rest[..32] != set {
        return None;
    }
    let n = u32::from_le_bytes(rest[32..].try_into().ok()?) as usize;
    if n > MOST_REPOS {
        return None;
    }
    let mut repos = vec![0u8; n * REPO];
    f.read_exact(&mut repos).ok()?;
    Some(
        repos
            .chunks(REPO)
            .map(|r| (r[0] == 1).then(|| r[1..].try_into().expect("32 bytes")))
            .collect(),
    )
}

/// Removes the pools of `dir` that `keep` does not keep, and temp files an
/// interrupted write left there over an hour ago.
fn prune(dir: &Path, keep: Keep) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut pools = Vec::new();
    for e in entries.flatten() {
        let (path, name) = (e.path(), e.file_name());
        let name = name.to_string_lossy();
        let Ok(modified) = e.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if name.ends_with(".pool") {
            pools.push((modified, path));
        } else if name.starts_with(".tmp-")
            && modified.elapsed().is_ok_and(|age| age.as_secs() > 3600)
        {
            let _ = std::fs::remove_file(path);
        }
    }
    for path in unkept(pools, keep, SystemTime::now()) {
        let _ = std::fs::remove_file(path);
    }
}

/// Of `pools` (last use, path), those `keep` does not keep at `now`.
fn unkept(mut pools: Vec<(SystemTime, PathBuf)>, keep: Keep, now: SystemTime) -> Vec<PathBuf> {
    pools.sort_unstable_by(|a, b| b.cmp(a));
    let (most, per_arch) = match keep {
        Keep::Exactly(n) => (n, 0),
        Keep::ByArch => (KEEP, KEEP_PER_ARCH),
    };
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    let mut out = Vec::new();
    for (i, (used, path)) in pools.into_iter().enumerate() {
        // `ARCH-NAME.pool`: no arch holds a '-'.
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        let arch = file.split('-').next().unwrap_or_default().to_string();
        let rank = seen.entry(arch).or_default();
        *rank += 1;
        let recent = now.duration_since(used).map_or(true, |age| age < UNUSED);
        if i >= most && !(*rank <= per_arch && recent) {
            out.push(path);
        }
    }
    out
}

/// A whole file mapped read-only. Mapping instead of reading saves a copy
/// and a fresh page per 4 KiB of it, which is most of a read's cost (the
/// pages are mapped at once, not on first touch).
struct Mapped {
    file: std::fs::File,
    bytes: Mapping,
}

impl Mapped {
    fn open(path: &Path) -> std::io::Result<Mapped> {
        let file = std::fs::File::open(path)?;
        let bytes = Mapping::of(&file)?;
        Ok(Mapped { file, bytes })
    }
}

/// The pages of [`Mapped`].
struct Mapping {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapping {
    fn of(file: &std::fs::File) -> std::io::Result<Mapping> {
        let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
        if len == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        #[cfg(target_os = "linux")]
        let flags = libc::MAP_PRIVATE | libc::MAP_POPULATE;
        #[cfg(not(target_os = "linux"))]
        let flags = libc::MAP_PRIVATE;
        // SAFETY: a fresh read-only mapping of an open file, checked below.
        // A private mapping still shows writes made to the file in place,
        // and a file cut short under it faults (SIGBUS) on access: this
        // relies on the cache directory having no writer but this code,
        // which only ever replaces a file by rename (a new inode; the
        // mapped one stays as it was).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                flags,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Mapping { ptr, len })
    }
}

impl std::ops::Deref for Mapping {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes until `drop`.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping of `of`, unmapped once; no slice of it
        // outlives `self` (`deref` borrows it).
        unsafe {
            libc::munmap(self.ptr, self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variables a URL keeps unset only feed a message: two runs whose
    /// specs differ only there share a pool file and its key.
    #[test]
    fn unset_vars_change_neither_the_name_nor_the_key() {
        let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos/x86_64");
        let dir = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let cache = |unset: &[&str]| {
            let mut spec = crate::rpmmd::RepoSpec::new("x", repo);
            spec.unset_vars = unset.iter().map(|n| n.to_string()).collect();
            let opened = crate::rpmmd::open_repos(&[spec], &opts).unwrap();
            let c = PoolCache::new(dir.path(), "x86_64", &opened, &opts).unwrap();
            let c = c.expect("a local repo's pool is cached");
            (c.path, c.key)
        };
        assert_eq!(cache(&[]), cache(&["stream", "contentdir"]));
    }

    #[test]
    fn pools_kept_from_the_variable() {
        assert_eq!(keep_from(None).unwrap(), Keep::ByArch);
        assert_eq!(keep_from(Some(" ")).unwrap(), Keep::ByArch);
        assert_eq!(keep_from(Some("0")).unwrap(), Keep::Exactly(0));
        assert_eq!(keep_from(Some(" 3 ")).unwrap(), Keep::Exactly(3));
        let e = keep_from(Some("many")).unwrap_err().to_string();
        assert!(e.contains("RPM_BUILDROOT_POOL_CACHE='many'"), "{e}");
    }

    /// The default bound follows the arches: a workflow run over six arches
    /// with the four pools each it reads every run, beside the last run's
    /// two of each that no run reads again, loses none of its own (24 were
    /// all it used, and the oldest went); an arch unused for a month keeps
    /// nothing beyond the 24 most recent; an explicit number is that many.
    #[test]
    fn the_default_bound_keeps_each_arch_s_recent_pools() {
        let now = SystemTime::now();
        let ago = |s: u64| now - std::time::Duration::from_secs(s);
        let arches = [
            "x86_64", "aarch64", "ppc64le", "s390x", "riscv64", "armv7hl",
        ];
        let mut pools = Vec::new();
        for (a, arch) in arches.iter().enumerate() {
            for k in 0..4 {
                pools.push((ago(100 + a as u64 * 4 + k), format!("{arch}-live{k}.pool")));
            }
            for k in 0..2 {
                pools.push((ago(1000 + a as u64 * 2 + k), format!("{arch}-dead{k}.pool")));
            }
        }
        pools.push((ago(40 * 86_400), "i686-old.pool".to_string()));
        let paths = |v: &[(SystemTime, String)]| {
            v.iter()
                .map(|(t, n)| (*t, PathBuf::from(n)))
                .collect::<Vec<_>>()
        };
        let names = |v: Vec<PathBuf>| {
            let mut v: Vec<String> = v.iter().map(|p| p.display().to_string()).collect();
            v.sort();
            v
        };
        // 24 live, 12 dead (kept: 6 of each arch), one a month old.
        assert_eq!(
            names(unkept(paths(&pools), Keep::ByArch, now)),
            ["i686-old.pool"]
        );
        // A seventh of an arch goes.
        pools.push((ago(2000), "x86_64-extra.pool".to_string()));
        assert_eq!(
            names(unkept(paths(&pools), Keep::ByArch, now)),
            ["i686-old.pool", "x86_64-extra.pool"]
        );
        // Within the 24 most recent, anything stays: one arch's by-hand sets.
        let one: Vec<_> = (0..24)
            .map(|k| (ago(k), format!("x86_64-set{k:02}.pool")))
            .collect();
        assert!(unkept(paths(&one), Keep::ByArch, now).is_empty());
        let gone = names(unkept(paths(&pools), Keep::Exactly(24), now));
        assert_eq!(gone.len(), pools.len() - 24);
        assert!(gone.iter().all(|n| !n.contains("live")), "{gone:?}");
    }
}
