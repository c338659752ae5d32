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
//! record is carried over to the new ctime ([`Sums::carry`]) when device,
//! inode, size and mtime are still those checked. Links made by anyone
//! else (removing an old repo with `rm -rf`) make the next run hash the
//! file once more, never trust it.
//!
//! The record is one text file, read once per run and written (temp file
//! and rename, under the lock `cache_uses` takes for its record) only when
//! the run learnt something, keeping other runs' entries.

use std::collections::BTreeMap;
use std::io::Read;
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
    /// The stamp of the file at `path` (its symlinks followed).
    pub(crate) fn of(path: &Path) -> std::io::Result<Stamp> {
        std::fs::metadata(path).map(|m| Stamp::of_meta(&m))
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

/// The checksums of one SRPM cache: its record, and what this run learns.
#[derive(Debug)]
pub(crate) struct Sums {
    cache: PathBuf,
    known: BTreeMap<String, (Stamp, Digests)>,
    learnt: Mutex<BTreeMap<String, (Stamp, Digests)>>,
}

impl Sums {
    /// The record of `cache` (empty when it is missing or unreadable;
    /// lines that do not parse are left out).
    pub(crate) fn open(cache: &Path) -> Sums {
        let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap_or_default();
        Sums {
            cache: cache.to_path_buf(),
            known: parse(&text),
            learnt: Mutex::new(BTreeMap::new()),
        }
    }

    /// The recorded `algo` checksum of cache file `name` if the record's
    /// stamp is the file's now; else the file is hashed and, unless that
    /// was not recordable ([`hash_file`]), learnt.
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
        if checked.recordable {
            self.learn(name, &checked);
        }
        Ok((hex, checked))
    }

    /// The recorded `algo` checksum of `name` for a file at `stamp`.
    fn lookup(&self, name: &str, stamp: &Stamp, algo: &str) -> Option<String> {
        let learnt = self.learnt.lock().expect("sums lock");
        let (s, d) = learnt.get(name).or_else(|| self.known.get(name))?;
        (s == stamp).then(|| d.get(algo).cloned()).flatten()
    }

    /// Records `checked` for cache file `name` (checksums the run wrote the
    /// file with, or hashed it for), carried over to its stamp now if only
    /// our own link or rename changed it since ([`Stamp::same_bytes`]).
    pub(crate) fn learn(&self, name: &str, checked: &Checked) {
        if !checked.recordable {
            return;
        }
        let Ok(now) = Stamp::of(&self.cache.join(name)) else {
            return;
        };
        if !now.same_bytes(&checked.stamp) {
            return;
        }
        let mut learnt = self.learnt.lock().expect("sums lock");
        let mut digests = checked.digests.clone();
        // Checksums of other types recorded for the same bytes stay.
        if let Some((s, d)) = learnt.get(name).or_else(|| self.known.get(name)) {
            if s.same_bytes(&checked.stamp) {
                for (a, h) in d {
                    digests.entry(a.clone()).or_insert_with(|| h.clone());
                }
            }
        }
        if self.known.get(name) == Some(&(now, digests.clone())) {
            learnt.remove(name);
            return;
        }
        learnt.insert(name.to_string(), (now, digests));
    }

    /// [`Sums::learn`] after this run linked cache file `name` somewhere
    /// (its ctime changed): the checksums it found at `checked` stay
    /// recorded for the file's new ctime.
    pub(crate) fn carry(&self, name: &str, checked: &Checked) {
        self.learn(name, checked)
    }

    /// Writes what the run learnt into the record, keeping the entries
    /// other runs wrote meanwhile and dropping those of files no longer in
    /// the cache. Nothing is written when nothing was learnt. Best effort
    /// for a reader: a cache this run may only read stays as it is.
    pub(crate) fn save(&self) -> Result<()> {
        let learnt = std::mem::take(&mut *self.learnt.lock().expect("sums lock"));
        if learnt.is_empty() {
            return Ok(());
        }
        let path = self.cache.join(SUMS_FILE);
        let _one_at_a_time = DownloadLock::take_for_within(
            &path,
            &path.display().to_string(),
            LockTask::Update,
            Duration::from_secs(120),
        );
        let mut all = parse(&std::fs::read_to_string(&path).unwrap_or_default());
        all.extend(learnt);
        all.retain(|name, _| self.cache.join(name).is_file());
        atomic::write_file(&path, format(&all).as_bytes())
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

/// The record's text: one line per file, tab-separated: `dev ino size
/// mtime_ns ctime_ns type:hex[,type:hex...] name` (the name last: it is
/// the one field that could hold anything).
fn format(all: &BTreeMap<String, (Stamp, Digests)>) -> String {
    let mut o =
        String::from("# identify-archful-srpms: verified checksums of this cache's SRPMs\n");
    for (name, (s, d)) in all {
        let sums: Vec<String> = d.iter().map(|(a, h)| format!("{a}:{h}")).collect();
        o.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{name}\n",
            s.dev,
            s.ino,
            s.size,
            s.mtime_ns,
            s.ctime_ns,
            sums.join(",")
        ));
    }
    o
}

fn parse(text: &str) -> BTreeMap<String, (Stamp, Digests)> {
    let line = |l: &str| -> Option<(String, (Stamp, Digests))> {
        let mut f = l.splitn(7, '\t');
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
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(line)
        .collect()
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

    /// The record with every checksum of `name` replaced by `fake`: what
    /// a lookup then answers shows whether the record or the file spoke.
    fn fake_record(cache: &Path, real: &str, fake: &str) {
        let p = cache.join(SUMS_FILE);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(real), "{text}");
        std::fs::write(&p, text.replace(real, fake)).unwrap();
    }

    /// The coarse clock that stamps ctime moves on (a tick is at most 10
    /// ms): a change after this has another ctime than one before.
    fn next_tick() {
        std::thread::sleep(Duration::from_millis(50));
    }

    /// A checksum verified once is taken from the record while the file's
    /// stat is the recorded one; a file touched, written in place with its
    /// mtime put back, or replaced is hashed again; a damaged record is no
    /// record.
    #[test]
    fn a_recorded_checksum_stands_only_for_the_file_as_recorded() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path();
        let name = "a-1-1.src.rpm";
        let p = cache_with(cache, name, b"first bytes");
        let real = sha256(b"first bytes");
        let fake = "f".repeat(64);
        let sums = Sums::open(cache);
        assert_eq!(sums.digest(name, "sha256").unwrap().0, real);
        sums.save().unwrap();
        fake_record(cache, &real, &fake);
        // The record speaks, not the file.
        assert_eq!(Sums::open(cache).digest(name, "sha256").unwrap().0, fake);
        // Another type than recorded: hashed.
        let sums = Sums::open(cache);
        let mut md5 = Hasher::new("md5").unwrap();
        md5.update(b"first bytes");
        assert_eq!(sums.digest(name, "md5").unwrap().0, md5.hex());
        // Touched (another mtime): hashed again.
        next_tick();
        set_mtime(&p, SystemTime::now() - 2 * HOUR);
        assert_eq!(Sums::open(cache).digest(name, "sha256").unwrap().0, real);
        // Written in place, same size, mtime put back: the ctime tells.
        let sums = Sums::open(cache);
        sums.digest(name, "sha256").unwrap();
        sums.save().unwrap();
        fake_record(cache, &real, &fake);
        assert_eq!(Sums::open(cache).digest(name, "sha256").unwrap().0, fake);
        let mtime = std::fs::metadata(&p).unwrap().modified().unwrap();
        next_tick();
        std::fs::write(&p, b"other bytes").unwrap();
        set_mtime(&p, mtime);
        assert_eq!(
            Sums::open(cache).digest(name, "sha256").unwrap().0,
            sha256(b"other bytes")
        );
        // Replaced by another file (another inode) of the same times.
        let sums = Sums::open(cache);
        sums.digest(name, "sha256").unwrap();
        sums.save().unwrap();
        let other = cache_with(cache, "new", b"third bytes");
        set_mtime(&other, mtime);
        std::fs::rename(&other, &p).unwrap();
        assert_eq!(
            Sums::open(cache).digest(name, "sha256").unwrap().0,
            sha256(b"third bytes")
        );
        // A record that does not parse is none.
        std::fs::write(cache.join(SUMS_FILE), "1\t2\tgarbage\n\u{0}").unwrap();
        assert_eq!(
            Sums::open(cache).digest(name, "sha256").unwrap().0,
            sha256(b"third bytes")
        );
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
        sums.save().unwrap();
        assert!(!t.path().join(SUMS_FILE).exists());
    }

    /// Our own hard link changes the file's ctime; the checksum found
    /// before it is carried over to the new ctime, so the next run (the
    /// next arch) takes it from the record. A link made by someone else
    /// is not carried: the file is hashed again.
    #[test]
    fn a_checksum_is_carried_over_our_own_link() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path().join("cache");
        std::fs::create_dir_all(&cache).unwrap();
        let name = "a-1-1.src.rpm";
        let p = cache_with(&cache, name, b"bytes");
        let real = sha256(b"bytes");
        let fake = "0".repeat(64);
        let sums = Sums::open(&cache);
        sums.digest(name, "sha256").unwrap();
        sums.save().unwrap();
        fake_record(&cache, &real, &fake);
        for arch in ["x86_64", "aarch64"] {
            let sums = Sums::open(&cache);
            let (sum, checked) = sums.digest(name, "sha256").unwrap();
            assert_eq!(sum, fake, "{arch}: from the record");
            next_tick();
            std::fs::hard_link(&p, t.path().join(arch)).unwrap();
            sums.carry(name, &checked);
            sums.save().unwrap();
        }
        next_tick();
        std::fs::hard_link(&p, t.path().join("someone-else")).unwrap();
        let sums = Sums::open(&cache);
        assert_eq!(sums.digest(name, "sha256").unwrap().0, real);
        sums.save().unwrap();
        // Nothing learnt, nothing written: an unchanged record stays.
        let before = std::fs::read(cache.join(SUMS_FILE)).unwrap();
        let sums = Sums::open(&cache);
        sums.digest(name, "sha256").unwrap();
        sums.save().unwrap();
        assert_eq!(std::fs::read(cache.join(SUMS_FILE)).unwrap(), before);
        // Entries of files no longer in the cache go at the next write.
        std::fs::remove_file(&p).unwrap();
        cache_with(&cache, "b-1-1.src.rpm", b"b");
        let sums = Sums::open(&cache);
        sums.digest("b-1-1.src.rpm", "sha256").unwrap();
        sums.save().unwrap();
        let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
        assert!(
            !text.contains(name) && text.contains("b-1-1.src.rpm"),
            "{text}"
        );
    }
}
