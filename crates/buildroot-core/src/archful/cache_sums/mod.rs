//! The checksums of the SRPM cache's files, verified once and kept in
//! [`SUMS_FILE`], so that an SRPM is not hashed again by every run that
//! needs its checksum: identify-archful-srpms checks each cached SRPM
//! against primary.xml on every run, and create-srpm-repos writes each
//! one's sha256 into every arch's primary.xml. At Fedora's size (tens of
//! GB of SRPMs per arch) each such pass reads every byte of the cache.
//!
//! The rule, stricter than createrepo_c's `--update` (its dumper thread
//! takes an old repodata entry when the file's size and mtime, in seconds,
//! match): a recorded checksum stands for the file only while the file's
//! device, inode, size, mtime and ctime (nanoseconds) are those recorded.
//! A write changes mtime and ctime; a write that puts the mtime back
//! (`touch -d`, `rsync --inplace -t`), a chmod or a new link changes ctime,
//! which no one can set; a file replaced by rename is another inode.
//! Anything that does not match, a line that does not parse, a missing
//! record: the file is hashed again. A checksum is recorded only when the
//! tool itself wrote the file (a copy or download checked as it was
//! written) or hashed it, and only then when its mtime is at least
//! [`RACY`] older than the moment it was looked at (git's "racily clean"
//! rule: a write in the same tick of the file system's clock could leave
//! the times as they were).
//!
//! Our own hard links change a file's ctime too (create-srpm-repos links
//! every SRPM into each arch's repo; identify-archful-srpms links a local
//! repo's file into the cache and renames it): right after such a link the
//! record is carried over to the new ctime ([`Sums::carry`]) when the file
//! was exactly as checked right before the link and device, inode, size
//! and mtime are still those right after. The one change that could hide
//! there is a write that also puts the mtime back, to the nanosecond,
//! between those two looks. Every other record is of the exact stamp its
//! checksum was verified at. Links
//! made by anyone else (removing an old repo with `rm -rf`) make the next
//! run hash the file once more, never trust it.
//!
//! The record is one text file of lines, each appended (one `write` of an
//! `O_APPEND` file) as soon as a run learns it, so that the four arches'
//! create-srpm-repos runs, which the workflow starts at once and which
//! link the same files at about the same moment, see each other's
//! carried-over records: a run that finds a file's stamp unknown reads
//! what was appended since it last looked before it hashes. A later line
//! wins; a line that is incomplete or fails its own check is none (an
//! append after a torn last line ends that line first, so as not to be
//! glued to it).
//! identify-archful-srpms compacts the file (a temp file renamed over it,
//! one run at a time under the lock `cache_uses` takes for its record),
//! leaving out entries of files no longer in the cache. Lines another run
//! appended while it looked at the files are read again and kept; from
//! that read until the rename it holds the record's lock (`record_lock`)
//! exclusive, which every append holds shared, so no line goes into the
//! file the rename replaces, and an appender finds the new file after it.
//!
//! When identify-archful-srpms puts a file under a name (a first fetch, or
//! a repository's same-N-V-R rebuild fetched again), the record's latest
//! line of that name is of the new file: its exact line, or, where that
//! cannot be recorded (racily new, a checksum type we cannot compute), a
//! line of no stamp ([`Stamp::NONE`]) with what the fetch verified (maybe
//! nothing). Such a line vouches for no file, but create-srpm-repos
//! compares with it instead of the replaced file's line, so a legitimate
//! refetch is never taken for bytes changed behind the record's back. A
//! record rewritten by this version starts with [`VERSION_LINE`]; one
//! without it (an older version's, whose rewrite kept a replaced file's
//! line, and whose refetches left no line) is taken for its checksums
//! only, never for that refusal, until identify-archful-srpms rewrites it.
//!
//! Here the record itself ([`Sums`]); in submodules what it is keyed by
//! (`stamp`), the hashing (`hashing`) and the line format (`record_line`).

mod hashing;
mod record_line;
mod record_lock;
mod stamp;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::atomic;
use crate::error::{Error, Result};
use crate::rpmmd::{DownloadLock, LockTask};

pub(crate) use hashing::{feed, finish, hash_file, hashers};
use record_line::{format_line, parse_line};
pub(crate) use stamp::{Checked, Digests, Stamp};

/// The first 12 hex digits of a checksum, for messages.
fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// The record of checksums in an SRPM cache.
pub const SUMS_FILE: &str = ".srpm-sums";

/// The first line of a record this version rewrote: every file put into
/// the cache since has a line of its own (exact, or of no stamp), so the
/// latest line of a name is of the file there or of bytes checked since.
/// Older versions read it as a damaged line (none) and drop it when they
/// rewrite the record.
const VERSION_LINE: &str = "# .srpm-sums 2: a refetched file's line supersedes the old one\n";

/// The checksums of one SRPM cache: its record as read so far.
#[derive(Debug)]
pub(crate) struct Sums {
    cache: PathBuf,
    state: Mutex<State>,
}

/// What a run knows of the record.
#[derive(Debug, Default)]
struct State {
    /// File name -> the stamp and checksums of its latest line.
    known: BTreeMap<String, (Stamp, Digests)>,
    /// The record file read (device, inode) and how far (bytes).
    read: Option<((u64, u64), u64)>,
    /// The record opened for appending (None: not yet, or not allowed).
    appender: Option<std::fs::File>,
    /// Whether appending failed (a cache this run may only read).
    read_only: bool,
    /// Whether the record read starts with [`VERSION_LINE`].
    versioned: bool,
    /// The record's lock file, for appends (`record_lock`), once opened.
    lock: Option<std::fs::File>,
    /// Whether appends go on without the lock: none can be had here, or
    /// a rewrite held it for the whole wait (waited for once, not per line).
    unlocked: bool,
}

impl Sums {
    /// The record of `cache` (empty when it is missing or unreadable).
    pub(crate) fn open(cache: &Path) -> Sums {
        let sums = Sums {
            cache: cache.to_path_buf(),
            state: Mutex::new(State::default()),
        };
        sums.catch_up(&mut sums.state.lock().expect("sums lock"));
        sums
    }

    /// Reads what was appended to the record since this run last looked
    /// (all of it when it is another file now: compacted by another run).
    fn catch_up(&self, st: &mut State) {
        let path = self.cache.join(SUMS_FILE);
        let Ok(mut f) = std::fs::File::open(&path) else {
            return;
        };
        let Ok(meta) = f.metadata() else {
            return;
        };
        let id = (meta.dev(), meta.ino());
        let from = match st.read {
            Some((read_id, at)) if read_id == id && at <= meta.len() => at,
            _ => 0,
        };
        if st
            .read
            .is_some_and(|(read_id, at)| read_id == id && at == meta.len())
        {
            return;
        }
        let mut bytes = Vec::new();
        if f.seek(SeekFrom::Start(from)).is_err() || f.read_to_end(&mut bytes).is_err() {
            return;
        }
        if from == 0 {
            st.versioned = bytes.starts_with(VERSION_LINE.as_bytes());
            // Another file (a rewrite) is the whole record now: a line of
            // the one read before that the rewrite left out stands for no
            // file, and kept here it would count for the refusal under
            // the new file's version line, which a run opening the record
            // now would not make.
            st.known.clear();
        }
        // Only whole lines: one being appended now is read next time.
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        for line in String::from_utf8_lossy(&bytes[..whole]).lines() {
            if let Some((name, entry)) = parse_line(line) {
                st.known.insert(name, entry);
            }
        }
        st.read = Some((id, from + whole as u64));
    }

    /// The `algo` checksum of cache file `name`: recorded, when the
    /// record's stamp is the file's now (what other runs appended since
    /// this one read the record included); else the file is hashed and,
    /// when that was recordable ([`hash_file`]), recorded.
    pub(crate) fn digest(&self, name: &str, algo: &str) -> Result<(String, Checked)> {
        let path = self.cache.join(name);
        let stamp = Stamp::of(&path).map_err(|e| Error::io(&path, e))?;
        if let Some(hex) = self.lookup(name, &stamp, algo) {
            let checked = Checked {
                digests: [(algo.to_string(), hex.clone())].into(),
                stamp,
                recordable: true,
            };
            return Ok((hex, checked));
        }
        let checked = hash_file(&path, &[algo])?;
        let hex = checked.digests[algo].clone();
        self.learn(name, &checked);
        Ok((hex, checked))
    }

    /// [`Sums::digest`] for a run that only reads the cache
    /// (create-srpm-repos): a file whose stamp the record does not know is
    /// hashed as there, and when the record's latest line of its name (of
    /// another stamp: what identify-archful-srpms verified against the
    /// repository, or a reader hashed since) gives other checksums, the
    /// file's bytes changed after they were checked: another build of the
    /// same N-V-R copied over it, which create-srpm-repos' `names_itself`
    /// cannot tell, the header naming the same package. That is an error naming the file.
    /// Costs no read beyond `digest`'s: the file is hashed only when its
    /// stamp is unknown, as before, with the line's other checksum types
    /// in the same pass (identify records the type the repo gave). `None`
    /// when the file cannot be read (its header's reading names why).
    pub(crate) fn digest_unchanged(
        &self,
        name: &str,
        algo: &str,
    ) -> Result<Option<(String, Checked)>> {
        let path = self.cache.join(name);
        let Ok(stamp) = Stamp::of(&path) else {
            return Ok(None);
        };
        if let Some(hex) = self.lookup(name, &stamp, algo) {
            let checked = Checked {
                digests: [(algo.to_string(), hex.clone())].into(),
                stamp,
                recordable: true,
            };
            return Ok(Some((hex, checked)));
        }
        // `lookup` has read what other runs appended: this is the latest.
        // A record without the version line may hold a line of a file an
        // older version replaced: compared with nothing then.
        let before = {
            let st = self.state.lock().expect("sums lock");
            st.known.get(name).cloned().filter(|_| st.versioned)
        };
        let mut algos = vec![algo];
        if let Some((_, d)) = &before {
            algos.extend(d.keys().map(String::as_str).filter(|a| *a != algo));
        }
        let Ok(checked) = hash_file(&path, &algos) else {
            return Ok(None);
        };
        if let Some((_, d)) = before.filter(|(was, _)| *was != stamp) {
            let changed = d
                .iter()
                .find(|(a, h)| checked.digests.get(*a).is_some_and(|now| now != *h));
            if let Some((a, h)) = changed {
                return Err(Error::format(
                    path.display(),
                    format!(
                        "its bytes changed after they were checked ({a} {} recorded in {SUMS_FILE}, \
                         {} now): another build of the same N-V-R copied over it? Run \
                         identify-archful-srpms with this --cache to check it against its \
                         repository and fetch it again",
                        short(h),
                        short(&checked.digests[a])
                    ),
                ));
            }
        }
        self.learn(name, &checked);
        Ok(Some((checked.digests[algo].clone(), checked)))
    }

    /// Every checksum the record holds of cache file `name` at `stamp`
    /// (what other runs appended since this one read it included), hashing
    /// nothing: the SRPM cache's spec entries are keyed by one of them
    /// (`spec_cache`), and a file the record does not vouch for has none.
    pub(crate) fn recorded(&self, name: &str, stamp: &Stamp) -> Option<Digests> {
        let mut st = self.state.lock().expect("sums lock");
        let found = |st: &State| match st.known.get(name) {
            Some((s, d)) if s == stamp && !d.is_empty() => Some(d.clone()),
            _ => None,
        };
        if let Some(d) = found(&st) {
            return Some(d);
        }
        self.catch_up(&mut st);
        found(&st)
    }

    /// The recorded `algo` checksum of `name` for a file at `stamp`.
    fn lookup(&self, name: &str, stamp: &Stamp, algo: &str) -> Option<String> {
        let mut st = self.state.lock().expect("sums lock");
        let found = |st: &State| {
            let (s, d) = st.known.get(name)?;
            (s == stamp).then(|| d.get(algo).cloned()).flatten()
        };
        if let Some(hex) = found(&st) {
            return Some(hex);
        }
        self.catch_up(&mut st);
        found(&st)
    }

    /// Records `checked` for cache file `name` (checksums the run wrote the
    /// file with, or hashed it for) when the file is exactly as it was
    /// checked, ctime included: anything that happened to it since, even
    /// a write that put the mtime back, leaves it unrecorded.
    pub(crate) fn learn(&self, name: &str, checked: &Checked) -> bool {
        let Ok(now) = Stamp::of(&self.cache.join(name)) else {
            return false;
        };
        now == checked.stamp && self.record(name, checked, &checked.stamp, now)
    }

    /// Records what identify-archful-srpms just put at `name` (`checked`:
    /// what its fetch verified): the exact line when [`Sums::learn`] can,
    /// else a line of no stamp with those checksums (none, when the
    /// repository gave no type we compute), so that the latest line of the
    /// name is never the file this one replaced (create-srpm-repos would
    /// take the new bytes for a change behind the record's back).
    pub(crate) fn placed(&self, name: &str, checked: &Checked) {
        if self.learn(name, checked) || name.contains(['\t', '\n', '/']) || name.is_empty() {
            return;
        }
        let mut st = self.state.lock().expect("sums lock");
        let entry = (Stamp::NONE, checked.digests.clone());
        if st.known.get(name) == Some(&entry) {
            return;
        }
        let line = format_line(name, &entry.0, &entry.1);
        st.known.insert(name.to_string(), entry);
        self.append(&mut st, &line);
    }

    /// Runs `link`, this run's own link of cache file `name` somewhere,
    /// which moves the file's ctime, and carries the checksums of
    /// `checked` over to that ctime: only when the file, looked at right
    /// before the link, is as `checked` saw it (or as the record vouches
    /// for: another arch's run linked it meanwhile), and right after it
    /// still has that device, inode, size and mtime. A change between the
    /// check and the link (while the headers were read) is never carried;
    /// the one left is a write that puts the mtime back, to the
    /// nanosecond, between the two looks around the link.
    pub(crate) fn carry<T>(&self, name: &str, checked: &Checked, link: impl FnOnce() -> T) -> T {
        let path = self.cache.join(name);
        let before = Stamp::of(&path)
            .ok()
            .filter(|b| checked.recordable && self.vouches(name, checked, b));
        let out = link();
        if let (Some(before), Ok(after)) = (before, Stamp::of(&path)) {
            if after.same_bytes(&before) {
                self.record(name, checked, &before, after);
            }
        }
        out
    }

    /// Whether the file `name` at `stamp` holds the bytes `checked` saw:
    /// `stamp` is the one they were taken at, or one the record gives the
    /// same checksums for.
    fn vouches(&self, name: &str, checked: &Checked, stamp: &Stamp) -> bool {
        *stamp == checked.stamp
            || checked
                .digests
                .iter()
                .all(|(a, h)| self.lookup(name, stamp, a).as_ref() == Some(h))
    }

    /// Records `checked`'s checksums for `name` at stamp `now`, with those
    /// the record holds for the very stamp they were verified at (`at`:
    /// another type, for the same bytes). Nothing when not recordable or
    /// already recorded; whether the record has the line now.
    fn record(&self, name: &str, checked: &Checked, at: &Stamp, now: Stamp) -> bool {
        if !checked.recordable || name.contains(['\t', '\n', '/']) || name.is_empty() {
            return false;
        }
        let mut st = self.state.lock().expect("sums lock");
        let mut digests = checked.digests.clone();
        if let Some((s, d)) = st.known.get(name) {
            if s == at {
                for (a, h) in d {
                    digests.entry(a.clone()).or_insert_with(|| h.clone());
                }
            }
        }
        if st.known.get(name) == Some(&(now, digests.clone())) {
            return true;
        }
        let line = format_line(name, &now, &digests);
        st.known.insert(name.to_string(), (now, digests));
        self.append(&mut st, &line)
    }

    /// Appends one line to the record, in one `write`, holding the
    /// record's lock shared (`record_lock`: no rewrite renames the file
    /// meanwhile), into the file the record's name is now (a rewrite since
    /// the last append put another there). A cache this run may not write
    /// (another user's) is left as it is: a checksum not recorded costs a
    /// hash later. Whether the line was written.
    fn append(&self, st: &mut State, line: &str) -> bool {
        if st.read_only {
            return false;
        }
        let path = self.cache.join(SUMS_FILE);
        if st.lock.is_none() && !st.unlocked {
            st.lock = record_lock::open(&self.cache);
            st.unlocked = st.lock.is_none();
        }
        let held = match &st.lock {
            Some(f) if !st.unlocked => record_lock::lock(f, &self.cache, false),
            _ => false,
        };
        st.unlocked = !held;
        let same = |f: &std::fs::File| {
            let (Ok(a), Ok(b)) = (f.metadata(), std::fs::metadata(&path)) else {
                return false;
            };
            (a.dev(), a.ino()) == (b.dev(), b.ino())
        };
        if !st.appender.as_ref().is_some_and(same) {
            use std::os::unix::fs::OpenOptionsExt;
            st.appender = std::fs::OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .mode(0o644)
                .open(&path)
                .ok();
        }
        let written = st.appender.as_mut().is_some_and(|f| {
            // A last line left torn (a write cut short by a full disk, a
            // crash) is ended first, in the same write: glued to it, this
            // line was none, and a refetch's line lost so made
            // create-srpm-repos refuse the new file.
            let torn = f.metadata().is_ok_and(|m| {
                let mut last = [0u8];
                m.len() > 0
                    && std::os::unix::fs::FileExt::read_at(f, &mut last, m.len() - 1).is_ok()
                    && last[0] != b'\n'
            });
            let text = if torn {
                format!("\n{line}")
            } else {
                line.to_string()
            };
            f.write_all(text.as_bytes()).is_ok()
        });
        if let (true, Some(f)) = (held, &st.lock) {
            record_lock::unlock(f);
        }
        st.read_only = !written;
        written
    }

    /// Rewrites the record with the latest line of each file still in the
    /// cache (a temp file renamed over it, under the record's lock), when
    /// that leaves out lines or the record lacks [`VERSION_LINE`].
    /// identify-archful-srpms' step, as the cache's owner: the runs that
    /// read the cache only append.
    pub(crate) fn compact(&self) -> Result<()> {
        let path = self.cache.join(SUMS_FILE);
        let _one_at_a_time =
            DownloadLock::take_for(&path, &path.display().to_string(), LockTask::Update);
        let raw = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let whole = raw.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let (mut latest, lines) = latest_lines(&raw[..whole]);
        latest.retain(|name, entry| self.still_current(name, entry));
        let versioned = raw.starts_with(VERSION_LINE.as_bytes());
        if versioned && latest.len() + 1 == lines {
            return Ok(());
        }
        #[cfg(test)]
        BEFORE_REREAD.with(|h| h.take().map(|f| f()));
        // From this read to the rename no run appends (they hold the lock
        // shared): what they added while the files were looked at (thousands
        // of them, on NFS a while) is read now and kept, and nothing after.
        // Where the lock cannot be had, as before it: a line appended in
        // that moment is lost, which costs a hash.
        let lock = record_lock::open(&self.cache);
        let _held = lock
            .as_ref()
            .filter(|f| record_lock::lock(f, &self.cache, true));
        if let Ok(again) = std::fs::read(&path) {
            let end = again.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            // Appended to what was read: only the new lines are looked at;
            // another file (a rewrite whose lock was given up on): all of it.
            let from = if end >= whole && again[..whole] == raw[..whole] {
                whole
            } else {
                latest.clear();
                0
            };
            let (added, _) = latest_lines(&again[from..end]);
            for (name, entry) in added {
                if self.still_current(&name, &entry) {
                    latest.insert(name, entry);
                } else {
                    latest.remove(&name);
                }
            }
        }
        #[cfg(test)]
        BEFORE_RENAME.with(|h| h.take().map(|f| f()));
        let out: String = std::iter::once(VERSION_LINE.to_string())
            .chain(latest.iter().map(|(name, (s, d))| format_line(name, s, d)))
            .collect();
        atomic::write_file(&path, out.as_bytes())
    }

    /// Whether the line `entry` of `name` stays in a rewrite: it is of the
    /// file as it is now (a line of another stamp vouches for nothing, and
    /// once this run has checked every listed SRPM against its repository,
    /// one of a file it fetched again would stand for bytes no longer
    /// there), or it is the stampless line of a file fetched since that is
    /// still there and has checksums (what create-srpm-repos compares
    /// with).
    fn still_current(&self, name: &str, (s, d): &(Stamp, Digests)) -> bool {
        match Stamp::of(&self.cache.join(name)) {
            Ok(now) => now == *s || (*s == Stamp::NONE && !d.is_empty()),
            Err(_) => false,
        }
    }
}

/// The latest line of each name in `bytes` (whole lines of the record),
/// and how many lines there were (the version line among them).
fn latest_lines(bytes: &[u8]) -> (BTreeMap<String, (Stamp, Digests)>, usize) {
    let mut latest = BTreeMap::new();
    let mut lines = 0usize;
    for line in String::from_utf8_lossy(bytes).lines() {
        lines += 1;
        if let Some((name, entry)) = parse_line(line) {
            latest.insert(name, entry);
        }
    }
    (latest, lines)
}

#[cfg(test)]
thread_local! {
    /// Run by [`Sums::compact`] once it has looked at the files, before it
    /// reads the record again: a test's concurrent append.
    pub(crate) static BEFORE_REREAD: std::cell::Cell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::Cell::new(None) };
    /// Run by [`Sums::compact`] after that read, before the rename: a
    /// test's append in that moment.
    pub(crate) static BEFORE_RENAME: std::cell::Cell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::Cell::new(None) };
}
