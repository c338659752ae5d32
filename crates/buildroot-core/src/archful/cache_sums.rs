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
//! wins; a line that is incomplete or fails its own check is none.
//! identify-archful-srpms compacts the file (a temp file renamed over it,
//! under the lock `cache_uses` takes for its record), leaving out entries
//! of files no longer in the cache; a line another run appends to the old
//! file meanwhile is lost, which costs a hash, never a wrong checksum.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::atomic;
use crate::error::{Error, Result};
use crate::rpmmd::{DownloadLock, Hasher, LockTask};

/// The record of checksums in an SRPM cache.
pub const SUMS_FILE: &str = ".srpm-sums";

/// How much older than the moment it was looked at a file's mtime must be
/// for its checksum to be recorded: more than the coarsest clock a file
/// system stamps with (ext4 and XFS take the kernel's coarse clock, a few
/// milliseconds; ext3, FAT and some network file systems whole seconds).
pub(crate) const RACY: Duration = Duration::from_secs(2);

/// What a record is keyed by: the file's `stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stamp {
    /// The stamp of the file at `path` (its symlinks followed), taken
    /// from the opened file: on NFS an open revalidates the attributes
    /// (close-to-open), where a bare `stat` may answer from the client's
    /// attribute cache while a read that follows sees the new bytes.
    pub(crate) fn of(path: &Path) -> std::io::Result<Stamp> {
        std::fs::File::open(path)?
            .metadata()
            .map(|m| Stamp::of_meta(&m))
    }

    pub(crate) fn of_meta(m: &std::fs::Metadata) -> Stamp {
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        }
    }

    /// Whether the file holds the bytes it held at `self` as far as our
    /// own links can tell: only its ctime (and link count) may differ.
    pub(crate) fn same_bytes(&self, o: &Stamp) -> bool {
        (self.dev, self.ino, self.size, self.mtime_ns) == (o.dev, o.ino, o.size, o.mtime_ns)
    }

    /// Whether the file was written so shortly before `seen` (when this
    /// stamp was taken) that a later write could keep its times ([`RACY`]).
    fn racy(&self, seen: SystemTime) -> bool {
        let seen = seen
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        self.mtime_ns > seen - RACY.as_nanos() as i128
    }
}

/// Checksums (type -> hex) of a file's bytes.
pub(crate) type Digests = BTreeMap<String, String>;

/// A file's checksums as a run found them.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    /// The checksums known of the bytes seen at `stamp`.
    pub(crate) digests: Digests,
    /// The file's stamp when they were taken or found.
    pub(crate) stamp: Stamp,
    /// Whether they may be recorded for that stamp (found in the record,
    /// or computed from a file that was not racily new).
    pub(crate) recordable: bool,
}

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
    pub(crate) fn learn(&self, name: &str, checked: &Checked) {
        let Ok(now) = Stamp::of(&self.cache.join(name)) else {
            return;
        };
        if now == checked.stamp {
            self.record(name, checked, &checked.stamp, now);
        }
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
    /// already recorded.
    fn record(&self, name: &str, checked: &Checked, at: &Stamp, now: Stamp) {
        if !checked.recordable || name.contains(['\t', '\n', '/']) || name.is_empty() {
            return;
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
            return;
        }
        let line = format_line(name, &now, &digests);
        st.known.insert(name.to_string(), (now, digests));
        self.append(&mut st, &line);
    }

    /// Appends one line to the record, in one `write`. A cache this run
    /// may not write (another user's) is left as it is: a checksum not
    /// recorded costs a hash later.
    fn append(&self, st: &mut State, line: &str) {
        if st.read_only {
            return;
        }
        if st.appender.is_none() {
            use std::os::unix::fs::OpenOptionsExt;
            st.appender = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o644)
                .open(self.cache.join(SUMS_FILE))
                .ok();
        }
        let written = st
            .appender
            .as_mut()
            .is_some_and(|f| f.write_all(line.as_bytes()).is_ok());
        st.read_only = !written;
    }

    /// Rewrites the record with the latest line of each file still in the
    /// cache (a temp file renamed over it, under the record's lock), when
    /// that leaves out lines. identify-archful-srpms' step, as the cache's
    /// owner: the runs that read the cache only append.
    pub(crate) fn compact(&self) -> Result<()> {
        let path = self.cache.join(SUMS_FILE);
        let _one_at_a_time =
            DownloadLock::take_for(&path, &path.display().to_string(), LockTask::Update);
        let text = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let text = String::from_utf8_lossy(&text[..whole]);
        let mut latest: BTreeMap<String, (Stamp, Digests)> = BTreeMap::new();
        let mut lines = 0usize;
        for line in text.lines() {
            lines += 1;
            if let Some((name, entry)) = parse_line(line) {
                latest.insert(name, entry);
            }
        }
        latest.retain(|name, _| self.cache.join(name).is_file());
        if latest.len() == lines {
            return Ok(());
        }
        let out: String = latest
            .iter()
            .map(|(name, (s, d))| format_line(name, s, d))
            .collect();
        atomic::write_file(&path, out.as_bytes())
    }
}

/// Hashes the file at `path` with every type of `algos` in one read. The
/// result is recordable when the file's stamp was the same before and
/// after, and its mtime not racily new.
pub(crate) fn hash_file(path: &Path, algos: &[&str]) -> Result<Checked> {
    let seen = SystemTime::now();
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let before = f.metadata().map_err(|e| Error::io(path, e))?;
    let mut hashers = hashers(path, algos)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        for (_, h) in hashers.iter_mut() {
            h.update(&buf[..n]);
        }
    }
    let stamp = Stamp::of_meta(&before);
    let after = f.metadata().map(|m| Stamp::of_meta(&m));
    Ok(Checked {
        digests: finish(hashers),
        recordable: after.is_ok_and(|a| a == stamp) && !stamp.racy(seen),
        stamp,
    })
}

/// One hasher per type of `algos` (duplicates once); an unknown type is
/// an error naming `path`.
pub(crate) fn hashers(path: &Path, algos: &[&str]) -> Result<Vec<(String, Hasher)>> {
    let mut out: Vec<(String, Hasher)> = Vec::new();
    for a in algos {
        if out.iter().any(|(x, _)| x == a) {
            continue;
        }
        let h = Hasher::new(a)
            .ok_or_else(|| Error::format(path.display(), format!("unknown checksum type '{a}'")))?;
        out.push((a.to_string(), h));
    }
    Ok(out)
}

/// The hex digests of `hashers`.
pub(crate) fn finish(hashers: Vec<(String, Hasher)>) -> Digests {
    hashers.into_iter().map(|(a, h)| (a, h.hex())).collect()
}

/// One line of the record, tab-separated: a check (the first 16 hex
/// digits of the sha256 of the rest of the line), then `dev ino size
/// mtime_ns ctime_ns type:hex[,type:hex...] name`.
fn format_line(name: &str, s: &Stamp, d: &Digests) -> String {
    let sums: Vec<String> = d.iter().map(|(a, h)| format!("{a}:{h}")).collect();
    let rest = format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{name}",
        s.dev,
        s.ino,
        s.size,
        s.mtime_ns,
        s.ctime_ns,
        sums.join(",")
    );
    format!("{}\t{rest}\n", line_check(&rest))
}

fn line_check(rest: &str) -> String {
    let mut h = Hasher::new("sha256").expect("sha256");
    h.update(rest.as_bytes());
    h.hex()[..16].to_string()
}

/// A line of [`format_line`]; None for one that does not parse or fails
/// its check (torn by a crash, two appends mixed on a network file system).
fn parse_line(line: &str) -> Option<(String, (Stamp, Digests))> {
    let (check, rest) = line.split_once('\t')?;
    if line_check(rest) != check {
        return None;
    }
    let mut f = rest.splitn(7, '\t');
    let stamp = Stamp {
        dev: f.next()?.parse().ok()?,
        ino: f.next()?.parse().ok()?,
        size: f.next()?.parse().ok()?,
        mtime_ns: f.next()?.parse().ok()?,
        ctime_ns: f.next()?.parse().ok()?,
    };
    let digests = f
        .next()?
        .split(',')
        .map(|s| {
            let (a, h) = s.split_once(':')?;
            let ok = Hasher::new(a).is_some()
                && !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
            ok.then(|| (a.to_string(), h.to_string()))
        })
        .collect::<Option<Digests>>()?;
    let name = f.next().filter(|n| !n.is_empty() && !n.contains('/'))?;
    Some((name.to_string(), (stamp, digests)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    /// A cache holding `name` with `bytes`, written an hour ago (so not
    /// racily new).
    fn cache_with(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        set_mtime(&p, SystemTime::now() - HOUR);
        p
    }

    fn set_mtime(p: &Path, t: SystemTime) {
        let f = std::fs::File::options().append(true).open(p).unwrap();
        f.set_modified(t).unwrap();
    }

    fn sha256(bytes: &[u8]) -> String {
        let mut h = Hasher::new("sha256").unwrap();
        h.update(bytes);
        h.hex()
    }

    /// The record with checksum `real` replaced by `fake` in every line
    /// (each line's check made anew): what a lookup then answers shows
    /// whether the record or the file spoke.
    fn fake_record(cache: &Path, real: &str, fake: &str) {
        let p = cache.join(SUMS_FILE);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(real), "{text}");
        let out: String = text
            .lines()
            .filter_map(parse_line)
            .map(|(name, (s, mut d))| {
                for h in d.values_mut() {
                    if h == real {
                        *h = fake.to_string();
                    }
                }
                format_line(&name, &s, &d)
            })
            .collect();
        std::fs::write(&p, out).unwrap();
    }

    /// The coarse clock that stamps ctime moves on (a tick is at most 10
    /// ms): a change after this has another ctime than one before.
    fn next_tick() {
        std::thread::sleep(Duration::from_millis(50));
    }

    /// A checksum verified once is taken from the record while the file's
    /// stat is the recorded one; a file touched, written in place with its
    /// mtime put back, or replaced is hashed again; a damaged line is no
    /// record.
    #[test]
    fn a_recorded_checksum_stands_only_for_the_file_as_recorded() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path();
        let name = "a-1-1.src.rpm";
        let p = cache_with(cache, name, b"first bytes");
        let real = sha256(b"first bytes");
        let fake = "f".repeat(64);
        let digest = |algo: &str| Sums::open(cache).digest(name, algo).unwrap().0;
        assert_eq!(digest("sha256"), real);
        fake_record(cache, &real, &fake);
        // The record speaks, not the file.
        assert_eq!(digest("sha256"), fake);
        // Another type than recorded: hashed (and kept beside it).
        let mut md5 = Hasher::new("md5").unwrap();
        md5.update(b"first bytes");
        assert_eq!(digest("md5"), md5.hex());
        assert_eq!(digest("sha256"), fake);
        // Touched (another mtime): hashed again.
        next_tick();
        set_mtime(&p, SystemTime::now() - 2 * HOUR);
        assert_eq!(digest("sha256"), real);
        // Written in place, same size, mtime put back: the ctime tells.
        fake_record(cache, &real, &fake);
        assert_eq!(digest("sha256"), fake);
        let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
        next_tick();
        std::fs::write(&p, b"other bytes").unwrap();
        set_mtime(&p, mtime);
        assert_eq!(digest("sha256"), sha256(b"other bytes"));
        // Replaced by another file (another inode) of the same times.
        let other = cache_with(cache, "new", b"third bytes");
        set_mtime(&other, mtime);
        std::fs::rename(&other, &p).unwrap();
        assert_eq!(digest("sha256"), sha256(b"third bytes"));
        // A line whose check fails (here: its digits changed by hand) is
        // no record.
        let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
        let third = sha256(b"third bytes");
        std::fs::write(cache.join(SUMS_FILE), text.replace(&third, &fake)).unwrap();
        assert_eq!(digest("sha256"), third);
        std::fs::write(cache.join(SUMS_FILE), "1\t2\tgarbage\n\u{0}").unwrap();
        assert_eq!(digest("sha256"), third);
    }

    /// Writes `bytes` over the file at `p` in place (same inode), then puts
    /// its mtime back: only its ctime tells.
    fn rewrite_keeping_mtime(p: &Path, bytes: &[u8]) {
        let mtime = std::fs::metadata(p).unwrap().modified().unwrap();
        next_tick();
        std::fs::write(p, bytes).unwrap();
        set_mtime(p, mtime);
    }

    /// A file hashed, then written in place with its mtime put back before
    /// the run records what it hashed: the old checksum is not recorded
    /// for the file's new stamp (only its ctime moved).
    #[test]
    fn a_change_between_hashing_and_recording_is_not_recorded() {
        let t = tempfile::tempdir().unwrap();
        let name = "a-1-1.src.rpm";
        let p = cache_with(t.path(), name, b"old bytes");
        let checked = hash_file(&p, &["sha256"]).unwrap();
        assert!(checked.recordable);
        rewrite_keeping_mtime(&p, b"new bytes");
        Sums::open(t.path()).learn(name, &checked);
        let (sum, _) = Sums::open(t.path()).digest(name, "sha256").unwrap();
        assert_eq!(sum, sha256(b"new bytes"));
    }

    /// A checksum of another type learnt for new bytes (written in place,
    /// mtime put back) does not take along the one recorded for the old
    /// bytes: each stands only for the exact stamp it was verified at.
    #[test]
    fn checksums_of_other_types_are_kept_only_for_the_same_stamp() {
        let t = tempfile::tempdir().unwrap();
        let name = "a-1-1.src.rpm";
        let p = cache_with(t.path(), name, b"old bytes");
        let digest = |algo: &str| Sums::open(t.path()).digest(name, algo).unwrap().0;
        assert_eq!(digest("sha256"), sha256(b"old bytes"));
        rewrite_keeping_mtime(&p, b"new bytes");
        // Not racily new: the mtime is an hour old, only the ctime is new.
        let mut md5 = Hasher::new("md5").unwrap();
        md5.update(b"new bytes");
        assert_eq!(digest("md5"), md5.hex());
        assert_eq!(digest("sha256"), sha256(b"new bytes"));
    }

    /// A file changed between its check and our own link (while the run
    /// read its headers), its mtime put back: the link does not carry the
    /// old checksum over to it.
    #[test]
    fn a_change_before_our_own_link_is_not_carried() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        let name = "a-1-1.src.rpm";
        let p = cache_with(&cache, name, b"old bytes");
        let sums = Sums::open(&cache);
        let (_, checked) = sums.digest(name, "sha256").unwrap();
        rewrite_keeping_mtime(&p, b"new bytes");
        next_tick();
        sums.carry(name, &checked, || {
            std::fs::hard_link(&p, t.path().join("x86_64")).unwrap()
        });
        let (sum, _) = Sums::open(&cache).digest(name, "sha256").unwrap();
        assert_eq!(sum, sha256(b"new bytes"));
    }

    /// A file written a moment ago is hashed but not recorded: a write in
    /// the same tick of the clock could leave its times as they are.
    #[test]
    fn a_racily_new_file_is_not_recorded() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("new.src.rpm"), b"x").unwrap();
        let sums = Sums::open(t.path());
        assert_eq!(
            sums.digest("new.src.rpm", "sha256").unwrap().0,
            sha256(b"x")
        );
        assert!(!t.path().join(SUMS_FILE).exists());
    }

    /// Our own hard link changes the file's ctime; the checksum found
    /// before it is carried over to the new ctime, at once, so that a run
    /// going on beside this one (another arch) takes it from the record. A
    /// link made by someone else is not carried: the file is hashed again.
    #[test]
    fn a_checksum_is_carried_over_our_own_link() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        let name = "a-1-1.src.rpm";
        let p = cache_with(&cache, name, b"bytes");
        let real = sha256(b"bytes");
        let fake = "0".repeat(64);
        Sums::open(&cache).digest(name, "sha256").unwrap();
        fake_record(&cache, &real, &fake);
        // Two arches' runs, both started before either links.
        let runs = [Sums::open(&cache), Sums::open(&cache)];
        for (run, arch) in runs.iter().zip(["x86_64", "aarch64"]) {
            let (sum, checked) = run.digest(name, "sha256").unwrap();
            assert_eq!(sum, fake, "{arch}: from the record");
            next_tick();
            run.carry(name, &checked, || {
                std::fs::hard_link(&p, t.path().join(arch)).unwrap()
            });
        }
        next_tick();
        std::fs::hard_link(&p, t.path().join("someone-else")).unwrap();
        assert_eq!(Sums::open(&cache).digest(name, "sha256").unwrap().0, real);
        // Nothing learnt, nothing written.
        let before = std::fs::read(cache.join(SUMS_FILE)).unwrap();
        Sums::open(&cache).digest(name, "sha256").unwrap();
        assert_eq!(std::fs::read(cache.join(SUMS_FILE)).unwrap(), before);
        // Compacting keeps the latest line of each file still there.
        cache_with(&cache, "b-1-1.src.rpm", b"b");
        Sums::open(&cache)
            .digest("b-1-1.src.rpm", "sha256")
            .unwrap();
        let sums = Sums::open(&cache);
        sums.compact().unwrap();
        let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(Sums::open(&cache).digest(name, "sha256").unwrap().0, real);
        std::fs::remove_file(&p).unwrap();
        sums.compact().unwrap();
        let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
        assert!(
            !text.contains(name) && text.contains("b-1-1.src.rpm"),
            "{text}"
        );
    }
}
