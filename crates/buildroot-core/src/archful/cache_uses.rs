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
    /// The time of this run.
    pub now: SystemTime,
}

impl Retention {
    /// `keep_unlisted`, judged by the system clock now.
    pub fn from_now(keep_unlisted: Duration) -> Retention {
        Retention {
            keep_unlisted,
            now: SystemTime::now(),
        }
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

/// Records that a run lists or reads `files` of `cache` now.
pub fn record_use<'a>(
    cache: &Path,
    files: impl IntoIterator<Item = &'a str>,
    now: SystemTime,
) -> Result<()> {
    let now = seconds(now);
    update(cache, now, |uses| {
        for f in files {
            uses.insert(f.to_string(), now);
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
    let now = seconds(r.now);
    update(cache, now, |uses| {
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

/// Reads the record of `cache` (holding its lock), lets `change` change
/// the map, and writes it back atomically. A missing or unreadable record
/// is an empty one; a time later than `now` (a clock set back, another
/// machine's clock) is taken as `now`, so no entry keeps a file for good.
fn update(
    cache: &Path,
    now: u64,
    change: impl FnOnce(&mut BTreeMap<String, u64>) -> Result<()>,
) -> Result<()> {
    let path = cache.join(USES_FILE);
    let _one_at_a_time =
        DownloadLock::take_for(&path, &path.display().to_string(), LockTask::Update);
    let mut record: Record = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    for t in record.last_used.values_mut() {
        *t = (*t).min(now);
    }
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
            now,
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
