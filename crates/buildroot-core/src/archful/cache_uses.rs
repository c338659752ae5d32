//! When a run last used each SRPM of the cache, so that a refresh does not
//! delete the SRPMs another run listed or read a moment ago. A refresh
//! (`cache::refresh_cache`) deletes the SRPMs of the sources it does not
//! list; a release engineer who runs identify-archful-srpms by hand with a
//! short list between (or beside) a run with the long list and its
//! create-srpm-repos would otherwise leave that create-srpm-repos without
//! them. So the SRPM of a source no run lists goes only once no run has
//! listed or read it for a while ([`Retention`]); the SRPMs of a listed
//! source other than the one chosen (older or newer EVRs) still go at once,
//! as create-srpm-repos takes the newest file of a name.
//!
//! The SRPMs' own modification times cannot say this: they are primary.xml's
//! `<time file>`, on purpose. So the cache keeps a record, [`USES_FILE`]:
//! a JSON map of SRPM file name to the last time (seconds since the epoch)
//! a run listed it (identify-archful-srpms, before it fetches) or read it
//! (create-srpm-repos). dnf has no counterpart: it keeps downloaded
//! packages until `dnf clean` (or deletes them after a transaction without
//! `keepcache`), never by age; our metadata cache judges its files by age
//! (`rpmmd::prune`), which is the model here.
//!
//! Every update reads the record, changes it and writes it atomically
//! (temp file and rename), holding the download lock of the record's name
//! (`rpmmd::DownloadLock`), so two runs updating it at once keep each
//! other's entries. A record that is missing or cannot be read (a cache of
//! an earlier version, a damaged file) loses nothing but time: an SRPM
//! without an entry counts as used now, so it is kept a whole period
//! longer, never deleted sooner.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::cache::is_srpm_file;
use crate::atomic;
use crate::error::{Error, Result};
use crate::evr::parse_srpm_filename;
use crate::rpmmd::{DownloadLock, LockTask};

/// The record of uses in an SRPM cache.
pub const USES_FILE: &str = ".srpm-uses";

/// How long the SRPM of a source no run lists stays in the cache after a
/// run last listed or read it, unless `--keep-unlisted` says otherwise:
/// three days. The workflow runs several times a day and a release
/// engineer's runs by hand follow each other within hours, so an SRPM one
/// of them still needs was used well within it; three days also spans a
/// weekend without runs, after which a short list run by hand does not
/// empty the cache the next nightly run would otherwise download again. An
/// SRPM no list names any more stays that long, no longer.
pub const DEFAULT_KEEP_UNLISTED: Duration = Duration::from_secs(72 * 3600);

/// How long a refresh keeps the SRPMs of sources it does not list, and the
/// clock that judges it (a test sets it; a run takes the system's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// An SRPM of no listed source is deleted once no run has listed or
    /// read it for this long (zero: at once, as before the record).
    pub keep_unlisted: Duration,
    /// The clock: `None`, the system's, read at each step (a run: its
    /// deleting comes after its fetching, which may take hours on a cold
    /// cache, and other runs record uses meanwhile); a fixed time (a test).
    pub now: Option<SystemTime>,
}

impl Retention {
    /// `keep_unlisted`, judged by the system clock at each step.
    pub fn from_now(keep_unlisted: Duration) -> Retention {
        Retention {
            keep_unlisted,
            now: None,
        }
    }

    /// The time now, by this retention's clock.
    pub fn now(&self) -> SystemTime {
        self.now.unwrap_or_else(SystemTime::now)
    }
}

impl Default for Retention {
    fn default() -> Retention {
        Retention::from_now(DEFAULT_KEEP_UNLISTED)
    }
}

/// The record as written: `{"version": 1, "last_used": {FILE: SECONDS}}`.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Record {
    version: u32,
    last_used: BTreeMap<String, u64>,
}

fn seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Records that a run lists or reads `files` of `cache` now. A later time
/// already recorded stays (another machine's clock may be ahead of ours),
/// and the other entries are left as they are: a run whose clock is behind
/// must not make every other run's uses look older.
pub fn record_use<'a>(
    cache: &Path,
    files: impl IntoIterator<Item = &'a str>,
    now: SystemTime,
) -> Result<()> {
    let now = seconds(now);
    update(cache, LockTask::Update, LOCK_WAIT, |uses| {
        for f in files {
            let t = uses.entry(f.to_string()).or_insert(now);
            *t = (*t).max(now);
        }
        Ok(())
    })
}

/// Deletes the SRPMs of `cache` that a refresh listing `names` and keeping
/// the files `keep` does not need: one of a listed name at once, any other
/// once no run has used it for `r.keep_unlisted`. Call it holding the cache
/// exclusively (`CacheHold::exclusive_now`): no run is between recording
/// its uses and reading its SRPMs then.
pub(super) fn remove_unused(
    cache: &Path,
    keep: &BTreeSet<&str>,
    names: &BTreeSet<String>,
    r: &Retention,
) -> Result<()> {
    remove_unused_within(cache, keep, names, r, LOCK_WAIT)
}

/// [`remove_unused`], waiting at most `limit` for the record's lock; after
/// that it deletes nothing (a run stopped while it rewrites the record
/// holds it: judging by the record without the lock could undo, or be
/// undone by, that run's write, and not deleting costs only space).
fn remove_unused_within(
    cache: &Path,
    keep: &BTreeSet<&str>,
    names: &BTreeSet<String>,
    r: &Retention,
    limit: Duration,
) -> Result<()> {
    // The time of the deleting, not of the run's start: uses recorded
    // while this run fetched are not in the future.
    let now = seconds(r.now());
    update(cache, LockTask::Prune, limit, |uses| {
        // A time later than now (a clock set back, another machine's
        // clock ahead) is taken as now, so no entry keeps a file for good.
        for t in uses.values_mut() {
            *t = (*t).min(now);
        }
        let mut present = BTreeSet::new();
        for e in std::fs::read_dir(cache).map_err(|e| Error::io(cache, e))? {
            let e = e.map_err(|e| Error::io(cache, e))?;
            let f = e.file_name().to_string_lossy().into_owned();
            if !is_srpm_file(&f) || keep.contains(f.as_str()) {
                continue;
            }
            let listed = parse_srpm_filename(&f).is_ok_and(|nvr| names.contains(&nvr.name));
            // No entry: an SRPM the record does not know yet (an earlier
            // version's cache, a damaged record) starts its period now.
            let used = *uses.entry(f.clone()).or_insert(now);
            if listed || now.saturating_sub(used) >= r.keep_unlisted.as_secs() {
                // Gone already: where no flock can be had, two runs may
                // delete at once.
                match std::fs::remove_file(e.path()) {
                    Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io(e.path(), err))
                    }
                    _ => {}
                }
                continue;
            }
            present.insert(f);
        }
        // Entries of files no longer there go: a file that comes back has
        // no entry, which counts as used now.
        uses.retain(|f, _| present.contains(f) || keep.contains(f.as_str()));
        Ok(())
    })
}

/// How long an update waits for another run's: as long as a download
/// waits (`rpmmd::DownloadLock`).
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Reads the record of `cache` (holding its lock, waiting at most `limit`
/// for it), lets `change` change the map, and writes it back atomically.
/// A missing or unreadable record is an empty one. Given up on, the lock
/// is gone without: as before the lock for [`LockTask::Update`] (a use
/// lost costs time, never files), not at all for [`LockTask::Prune`].
fn update(
    cache: &Path,
    task: LockTask,
    limit: Duration,
    change: impl FnOnce(&mut BTreeMap<String, u64>) -> Result<()>,
) -> Result<()> {
    let path = cache.join(USES_FILE);
    let one_at_a_time =
        DownloadLock::take_for_within(&path, &path.display().to_string(), task, limit);
    if one_at_a_time.gave_up() && task == LockTask::Prune {
        return Ok(());
    }
    let mut record: Record = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    change(&mut record.last_used)?;
    record.version = 1;
    let mut text = serde_json::to_string_pretty(&record).expect("a map of strings to numbers");
    text.push('\n');
    atomic::write_file(&path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archful::cache::refresh_cache_with;
    use crate::package::Package;
    use crate::rpmmd::{LoadedRepo, RepoSpec};
    use crate::srpm;

    const HOUR: Duration = Duration::from_secs(3600);

    /// The record's entries: file name -> seconds.
    fn read_uses(cache: &Path) -> BTreeMap<String, u64> {
        let b = std::fs::read(cache.join(USES_FILE)).unwrap();
        serde_json::from_slice::<Record>(&b).unwrap().last_used
    }

    /// A repo of one SRPM per name (version 1, release 1).
    fn repo(dir: &Path, names: &[&str]) -> LoadedRepo {
        std::fs::create_dir_all(dir).unwrap();
        let packages: Vec<Package> = names
            .iter()
            .map(|n| {
                let s = srpm::SrpmSpec {
                    name: n.to_string(),
                    version: "1".into(),
                    release: "1".into(),
                    license: "MIT".into(),
                    summary: n.to_string(),
                    spec_name: format!("{n}.spec"),
                    spec_text: format!("Name: {n}\nVersion: 1\nRelease: 1\n"),
                    build_time: 1,
                    ..Default::default()
                };
                let p = dir.join(srpm::srpm_file_name(n, "1", "1"));
                std::fs::write(&p, srpm::build_srpm(&s).unwrap()).unwrap();
                srpm::read_header(&p).unwrap()
            })
            .collect();
        LoadedRepo {
            spec: RepoSpec::new("src", &dir.display().to_string()),
            packages,
        }
    }

    fn srpms(cache: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(cache)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| is_srpm_file(f))
            .collect();
        v.sort();
        v
    }

    /// A refresh at `now` (three days' retention) listing `names`.
    fn refresh(r: &LoadedRepo, cache: &Path, names: &[&str], now: SystemTime) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let keep = Retention {
            keep_unlisted: DEFAULT_KEEP_UNLISTED,
            now: Some(now),
        };
        let got = refresh_cache_with(std::slice::from_ref(r), &names, cache, &keep).unwrap();
        assert_eq!(got.cached.len(), names.len());
    }

    /// A run by hand with a short list right after one with the full list
    /// (and before that list's create-srpm-repos) deletes none of the full
    /// list's SRPMs; once no run has listed or read one for three days,
    /// the next refresh deletes it. Reading (create-srpm-repos) counts as
    /// a use as listing does.
    #[test]
    fn a_shorter_list_keeps_the_srpms_another_run_used_lately() {
        let t = tempfile::tempdir().unwrap();
        let r = repo(&t.path().join("repo"), &["a", "b", "c"]);
        let cache = t.path().join("cache");
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        refresh(&r, &cache, &["a", "b", "c"], t0);
        refresh(&r, &cache, &["a"], t0 + HOUR);
        assert_eq!(
            srpms(&cache),
            ["a-1-1.src.rpm", "b-1-1.src.rpm", "c-1-1.src.rpm"]
        );
        // create-srpm-repos read c a day later.
        record_use(&cache, ["c-1-1.src.rpm"], t0 + 24 * HOUR).unwrap();
        // Three days after the full list: b was last used then, c later.
        refresh(&r, &cache, &["a"], t0 + 72 * HOUR);
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm", "c-1-1.src.rpm"]);
        refresh(&r, &cache, &["a"], t0 + 96 * HOUR - Duration::from_secs(1));
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm", "c-1-1.src.rpm"]);
        refresh(&r, &cache, &["a"], t0 + 96 * HOUR);
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm"]);
        // The deleted files' entries went with them.
        let uses = read_uses(&cache);
        assert_eq!(uses.keys().collect::<Vec<_>>(), ["a-1-1.src.rpm"]);
        assert_eq!(uses["a-1-1.src.rpm"], seconds(t0 + 96 * HOUR));
    }

    /// A record that is missing (a cache of an earlier version) or
    /// damaged deletes nothing more: every SRPM it does not know counts
    /// as used now, and the record written is whole again. A time ahead
    /// of the clock counts as now, so no entry keeps a file for good.
    #[test]
    fn a_missing_or_damaged_record_deletes_nothing_sooner() {
        let t = tempfile::tempdir().unwrap();
        let r = repo(&t.path().join("repo"), &["a", "b"]);
        let cache = t.path().join("cache");
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        refresh(&r, &cache, &["a", "b"], t0);
        let later = t0 + 1000 * HOUR;
        for damage in [
            None,
            Some("{\"version\": 1, \"last_used\": {\"b-1-1.sr"),
            Some("\u{0}\u{1}"),
        ] {
            match damage {
                None => std::fs::remove_file(cache.join(USES_FILE)).unwrap(),
                Some(text) => std::fs::write(cache.join(USES_FILE), text).unwrap(),
            }
            refresh(&r, &cache, &["a"], later);
            assert_eq!(
                srpms(&cache),
                ["a-1-1.src.rpm", "b-1-1.src.rpm"],
                "{damage:?}"
            );
            assert_eq!(read_uses(&cache)["b-1-1.src.rpm"], seconds(later));
        }
        // An entry from the future (a clock set back) is now.
        record_use(&cache, ["b-1-1.src.rpm"], later + 10_000 * HOUR).unwrap();
        refresh(&r, &cache, &["a"], later + HOUR);
        assert_eq!(read_uses(&cache)["b-1-1.src.rpm"], seconds(later + HOUR));
        refresh(&r, &cache, &["a"], later + 73 * HOUR);
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm"]);
    }

    /// A run whose clock is behind (another machine sharing the cache over
    /// NFS) records its own uses: the later times others recorded stay, so
    /// their SRPMs are not deleted sooner.
    #[test]
    fn a_run_with_a_slower_clock_does_not_age_others_uses() {
        let t = tempfile::tempdir().unwrap();
        let r = repo(&t.path().join("repo"), &["a", "b", "c"]);
        let cache = t.path().join("cache");
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        refresh(&r, &cache, &["a", "b", "c"], t0);
        // create-srpm-repos read c ten hours later; then a run whose
        // clock is an hour behind lists a (and, racing, c too).
        record_use(&cache, ["c-1-1.src.rpm"], t0 + 10 * HOUR).unwrap();
        record_use(&cache, ["a-1-1.src.rpm", "c-1-1.src.rpm"], t0 + 9 * HOUR).unwrap();
        assert_eq!(read_uses(&cache)["c-1-1.src.rpm"], seconds(t0 + 10 * HOUR));
        // 81.5 h after t0: b (last used at t0) goes, c (71.5 h ago) stays.
        refresh(&r, &cache, &["a"], t0 + 81 * HOUR + HOUR / 2);
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm", "c-1-1.src.rpm"]);
    }

    /// A run judges by the clock when it deletes, not when it started:
    /// a use another run recorded while this one fetched (hours, on a cold
    /// cache) keeps its time instead of being set back to this run's start.
    #[test]
    fn a_refresh_judges_by_the_clock_when_it_deletes() {
        let t = tempfile::tempdir().unwrap();
        let r = repo(&t.path().join("repo"), &["a", "c"]);
        let cache = t.path().join("cache");
        let run = Retention::from_now(DEFAULT_KEEP_UNLISTED);
        let names = ["a".to_string(), "c".to_string()];
        refresh_cache_with(std::slice::from_ref(&r), &names, &cache, &run).unwrap();
        // The clock goes on (records are in seconds) while "this run"
        // fetches; another run reads c meanwhile.
        std::thread::sleep(Duration::from_millis(1100));
        let read = SystemTime::now();
        record_use(&cache, ["c-1-1.src.rpm"], read).unwrap();
        refresh_cache_with(std::slice::from_ref(&r), &names[..1], &cache, &run).unwrap();
        assert_eq!(read_uses(&cache)["c-1-1.src.rpm"], seconds(read));
    }

    /// A refresh that cannot have the record's lock (another run holds it
    /// for the whole wait: stopped while it rewrites the record) deletes
    /// nothing and leaves the record as it is.
    #[test]
    fn a_refresh_locked_out_of_the_record_deletes_nothing() {
        let t = tempfile::tempdir().unwrap();
        let r = repo(&t.path().join("repo"), &["a", "b"]);
        let cache = t.path().join("cache");
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        refresh(&r, &cache, &["a", "b"], t0);
        let record = std::fs::read(cache.join(USES_FILE)).unwrap();
        let path = cache.join(USES_FILE);
        let other_run = DownloadLock::take_for(&path, "the other run", LockTask::Update);
        let late = Retention {
            keep_unlisted: Duration::ZERO,
            now: Some(t0 + 100 * HOUR),
        };
        let keep = BTreeSet::from(["a-1-1.src.rpm"]);
        let names = BTreeSet::from(["a".to_string()]);
        remove_unused_within(&cache, &keep, &names, &late, Duration::from_millis(100)).unwrap();
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm", "b-1-1.src.rpm"]);
        assert_eq!(std::fs::read(cache.join(USES_FILE)).unwrap(), record);
        drop(other_run);
        remove_unused_within(&cache, &keep, &names, &late, Duration::from_millis(100)).unwrap();
        assert_eq!(srpms(&cache), ["a-1-1.src.rpm"]);
    }

    /// Runs (threads here: each takes the lock anew, as runs do) recording
    /// their uses at once keep each other's entries.
    #[test]
    fn concurrent_uses_are_all_recorded() {
        let t = tempfile::tempdir().unwrap();
        let cache = t.path();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        std::thread::scope(|s| {
            for i in 0..8 {
                s.spawn(move || {
                    for j in 0..20 {
                        let f = format!("p{i}-{j}-1.src.rpm");
                        record_use(cache, [f.as_str()], now).unwrap();
                    }
                });
            }
        });
        assert_eq!(read_uses(cache).len(), 160);
    }
}
