//! The record's rule on real files: what makes a recorded checksum stand
//! for a file, and what makes the file be hashed again.

use std::time::{Duration, SystemTime};

use super::*;
use crate::rpmmd::{sha256_hex, Hasher};

const HOUR: Duration = Duration::from_secs(3600);

/// `name` cached as "old build" and recorded, then replaced by rename with
/// "rebuild" (`aged`: an hour old, so that its hash is recordable), as an
/// older version's refetch did it, with no line of its own. Its path.
fn recorded_then_replaced(cache: &Path, name: &str, aged: bool) -> PathBuf {
    let p = cache_with(cache, name, b"old build");
    Sums::open(cache).digest(name, "sha256").unwrap();
    let tmp = cache.join("tmp");
    std::fs::write(&tmp, b"rebuild").unwrap();
    if aged {
        set_mtime(&tmp, SystemTime::now() - HOUR);
    }
    std::fs::rename(&tmp, &p).unwrap();
    p
}

/// An empty cache directory (`cache` in a temporary directory, which lives
/// as long as the returned guard).
fn cache_dir() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    (t, cache)
}

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
    let real = sha256_hex(b"first bytes");
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
    assert_eq!(digest("sha256"), sha256_hex(b"other bytes"));
    // Replaced by another file (another inode) of the same times.
    let other = cache_with(cache, "new", b"third bytes");
    set_mtime(&other, mtime);
    std::fs::rename(&other, &p).unwrap();
    assert_eq!(digest("sha256"), sha256_hex(b"third bytes"));
    // A line whose check fails (here: its digits changed by hand) is
    // no record.
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    let third = sha256_hex(b"third bytes");
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
    assert_eq!(sum, sha256_hex(b"new bytes"));
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
    assert_eq!(digest("sha256"), sha256_hex(b"old bytes"));
    rewrite_keeping_mtime(&p, b"new bytes");
    // Not racily new: the mtime is an hour old, only the ctime is new.
    let mut md5 = Hasher::new("md5").unwrap();
    md5.update(b"new bytes");
    assert_eq!(digest("md5"), md5.hex());
    assert_eq!(digest("sha256"), sha256_hex(b"new bytes"));
}

/// A file changed between its check and our own link (while the run
/// read its headers), its mtime put back: the link does not carry the
/// old checksum over to it.
#[test]
fn a_change_before_our_own_link_is_not_carried() {
    let (t, cache) = cache_dir();
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
    assert_eq!(sum, sha256_hex(b"new bytes"));
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
        sha256_hex(b"x")
    );
    assert!(!t.path().join(SUMS_FILE).exists());
}

/// Our own hard link changes the file's ctime; the checksum found
/// before it is carried over to the new ctime, at once, so that a run
/// going on beside this one (another arch) takes it from the record. A
/// link made by someone else is not carried: the file is hashed again.
#[test]
fn a_checksum_is_carried_over_our_own_link() {
    let (t, cache) = cache_dir();
    let name = "a-1-1.src.rpm";
    let p = cache_with(&cache, name, b"bytes");
    let real = sha256_hex(b"bytes");
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
    assert_eq!(text.lines().count(), 3, "the version line and two: {text}");
    assert!(text.starts_with(VERSION_LINE), "{text}");
    assert_eq!(Sums::open(&cache).digest(name, "sha256").unwrap().0, real);
    std::fs::remove_file(&p).unwrap();
    sums.compact().unwrap();
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert!(
        !text.contains(name) && text.contains("b-1-1.src.rpm"),
        "{text}"
    );
    // A line another run appends while the compaction looks at the files
    // (runs that append take no lock) is kept, not renamed away.
    cache_with(&cache, "c-1-1.src.rpm", b"c");
    Sums::open(&cache)
        .digest("c-1-1.src.rpm", "sha256")
        .unwrap();
    std::fs::remove_file(cache.join("c-1-1.src.rpm")).unwrap();
    cache_with(&cache, "d-1-1.src.rpm", b"d");
    next_tick();
    let other = cache.clone();
    super::BEFORE_REREAD.with(|h| {
        h.set(Some(Box::new(move || {
            Sums::open(&other)
                .digest("d-1-1.src.rpm", "sha256")
                .unwrap();
        })))
    });
    sums.compact().unwrap();
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert!(
        !text.contains("c-1-1") && text.contains("d-1-1.src.rpm"),
        "{text}"
    );
}

/// A line appended in the moment between the rewrite's last read of the
/// record and its rename is not lost: the append, by another run whose
/// appender was opened on the file the rename replaces, waits for the
/// rewrite (the record's lock) and then goes into the new file. Without
/// the lock it went into the replaced file: a lost refetch line made the
/// next create-srpm-repos refuse a cache that was right.
#[test]
fn an_append_while_the_record_is_renamed_is_kept() {
    use std::sync::{mpsc, Arc, Barrier};
    let (_t, cache) = cache_dir();
    for n in ["a", "b", "c", "gone"] {
        cache_with(&cache, &format!("{n}-1-1.src.rpm"), n.as_bytes());
    }
    let sums = Sums::open(&cache);
    sums.digest("a-1-1.src.rpm", "sha256").unwrap();
    sums.digest("gone-1-1.src.rpm", "sha256").unwrap();
    // A line the rewrite leaves out, so that it rewrites.
    std::fs::remove_file(cache.join("gone-1-1.src.rpm")).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let (said, heard) = mpsc::channel::<&str>();
    let other = {
        let (cache, barrier) = (cache.clone(), barrier.clone());
        std::thread::spawn(move || {
            // Another run: its appender opened before the rewrite.
            let run = Sums::open(&cache);
            run.digest("c-1-1.src.rpm", "sha256").unwrap();
            barrier.wait();
            let waits = said.clone();
            super::record_lock::ON_WAIT
                .with(|h| h.set(Some(Box::new(move || waits.send("waits").unwrap()))));
            barrier.wait();
            run.digest("b-1-1.src.rpm", "sha256").unwrap();
            let _ = said.send("appended");
        })
    };
    // Its appender is open before the rewrite starts.
    barrier.wait();
    let wait_for_other = barrier.clone();
    super::BEFORE_RENAME.with(|h| {
        h.set(Some(Box::new(move || {
            wait_for_other.wait();
            // Its append is under way: it waits for the rename (with the
            // lock), or it is written into the file being replaced.
            heard.recv().unwrap();
        })))
    });
    sums.compact().unwrap();
    other.join().unwrap();
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert!(text.starts_with(VERSION_LINE), "{text}");
    for n in ["a-1-1", "b-1-1", "c-1-1"] {
        assert!(text.contains(&format!("\t{n}.src.rpm\n")), "{n}: {text}");
    }
    assert!(!text.contains("gone"), "{text}");
}

/// What identify-archful-srpms puts under a name supersedes the line of
/// the file it replaced, even where its own line cannot be recorded (a
/// racily new file, no checksum type we compute): create-srpm-repos then
/// compares with what the fetch verified, or with nothing, never with the
/// replaced file's checksum (a legitimate refetch was refused).
#[test]
fn a_refetch_supersedes_the_replaced_files_line() {
    let (_t, cache) = cache_dir();
    let name = "a-1-1.src.rpm";
    let p = cache_with(&cache, name, b"old build");
    let sums = Sums::open(&cache);
    sums.digest(name, "sha256").unwrap();
    sums.compact().unwrap();
    for (new, verified) in [
        (
            &b"rebuild"[..],
            [("sha256".to_string(), sha256_hex(b"rebuild"))].into(),
        ),
        (&b"rebuild, no checksum"[..], Digests::new()),
    ] {
        // The refetch: a new file, renamed in, too new to be recorded.
        let tmp = cache.join("tmp");
        std::fs::write(&tmp, new).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        let checked = Checked {
            digests: verified,
            stamp: Stamp::of(&p).unwrap(),
            recordable: false,
        };
        Sums::open(&cache).placed(name, &checked);
        let reader = Sums::open(&cache);
        let got = reader.digest_unchanged(name, "sha256").unwrap().unwrap();
        assert_eq!(got.0, sha256_hex(new));
        // Bytes copied over it after that are still refused.
        std::fs::write(&p, b"copied over").unwrap();
        let e = Sums::open(&cache).digest_unchanged(name, "sha256");
        if checked.digests.is_empty() {
            // Nothing verified to compare with: taken, as a file never
            // recorded is.
            assert!(e.is_ok());
        } else {
            let e = e.unwrap_err().to_string();
            assert!(
                e.contains("its bytes changed after they were checked"),
                "{e}"
            );
        }
        std::fs::write(&p, b"old build").unwrap();
        set_mtime(&p, SystemTime::now() - HOUR);
        let s = Sums::open(&cache);
        s.digest(name, "sha256").unwrap();
        s.compact().unwrap();
    }
}

/// A record an older version rewrote (no version line) may hold the line
/// of a file that version fetched again without a line of its own: it is
/// taken for its checksums, never for create-srpm-repos' refusal; the
/// rewrite of this version (identify-archful-srpms) adds the version line,
/// and then a copy over the file is refused again.
#[test]
fn an_older_versions_record_refuses_no_refetch() {
    let (_t, cache) = cache_dir();
    let name = "a-1-1.src.rpm";
    // The older version's refetch: replaced by rename, no line of its own.
    let p = recorded_then_replaced(&cache, name, false);
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert!(!text.starts_with("#"), "{text}");
    let got = Sums::open(&cache).digest_unchanged(name, "sha256").unwrap();
    assert_eq!(got.unwrap().0, sha256_hex(b"rebuild"));
    // This version's rewrite: the version line; the new file's line (the
    // reader above hashed it: recordable once old enough) is kept.
    set_mtime(&p, SystemTime::now() - HOUR);
    Sums::open(&cache).digest_unchanged(name, "sha256").unwrap();
    Sums::open(&cache).compact().unwrap();
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert!(text.starts_with(VERSION_LINE), "{text}");
    std::fs::write(&p, b"copied over").unwrap();
    let e = Sums::open(&cache)
        .digest_unchanged(name, "sha256")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("its bytes changed after they were checked"),
        "{e}"
    );
}

/// A run that read the record before identify-archful-srpms rewrote it
/// takes the new file for what it says, as a run that opens the record
/// afterwards does: a line the rewrite left out (of a file replaced
/// since: an older version's refetch, a line of no checksums) is no
/// longer compared with. It was kept from the replaced file, and the new
/// file's version line then made it count for create-srpm-repos' refusal:
/// a legitimate refetch refused by one run and taken by the next.
#[test]
fn a_rewrite_read_since_leaves_no_line_of_the_replaced_record() {
    let (_t, cache) = cache_dir();
    let name = "a-1-1.src.rpm";
    // An older version's refetch: replaced by rename, no line of its own.
    recorded_then_replaced(&cache, name, true);
    // create-srpm-repos opens the record (no version line: no refusal) ...
    let reader = Sums::open(&cache);
    // ... and identify-archful-srpms (of another list: it hashes nothing)
    // rewrites it meanwhile, leaving the old file's line out.
    Sums::open(&cache).compact().unwrap();
    let text = std::fs::read_to_string(cache.join(SUMS_FILE)).unwrap();
    assert_eq!(text, VERSION_LINE, "the replaced file's line is left out");
    // (A fresh run's hash would be recorded, and read by the other.)
    let got = reader.digest_unchanged(name, "sha256");
    assert_eq!(
        got.map(|g| g.map(|(h, _)| h)).map_err(|e| e.to_string()),
        Ok(Some(sha256_hex(b"rebuild"))),
        "the run that read the record before its rewrite"
    );
    let fresh = Sums::open(&cache).digest_unchanged(name, "sha256");
    assert_eq!(fresh.unwrap().unwrap().0, sha256_hex(b"rebuild"));
}

/// A record whose last line is torn (a run that hit a full disk in the
/// middle of its append, a crash) takes the next line whole: appended to
/// the torn one, it was none, and where it was a refetch's line the next
/// create-srpm-repos compared with the replaced file's line and refused a
/// legitimate refetch.
#[test]
fn a_line_appended_after_a_torn_one_counts() {
    let (_t, cache) = cache_dir();
    let name = "a-1-1.src.rpm";
    let p = cache_with(&cache, name, b"old build");
    Sums::open(&cache).digest(name, "sha256").unwrap();
    Sums::open(&cache).compact().unwrap();
    // Half a line, as a write cut short leaves it.
    let torn = format_line("b-1-1.src.rpm", &Stamp::of(&p).unwrap(), &Digests::new());
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(cache.join(SUMS_FILE))
        .unwrap();
    f.write_all(&torn.as_bytes()[..20]).unwrap();
    drop(f);
    // identify-archful-srpms' refetch of a rebuild, too new to be recorded.
    let tmp = cache.join("tmp");
    std::fs::write(&tmp, b"rebuild").unwrap();
    std::fs::rename(&tmp, &p).unwrap();
    let checked = Checked {
        digests: [("sha256".to_string(), sha256_hex(b"rebuild"))].into(),
        stamp: Stamp::of(&p).unwrap(),
        recordable: false,
    };
    Sums::open(&cache).placed(name, &checked);
    let got = Sums::open(&cache).digest_unchanged(name, "sha256");
    assert_eq!(
        got.map(|g| g.map(|(h, _)| h)).map_err(|e| e.to_string()),
        Ok(Some(sha256_hex(b"rebuild")))
    );
}
