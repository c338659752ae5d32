//! The specs of the SRPM cache's SRPMs, kept in [`SPECS_DIR`] so that a
//! warm identify-archful-srpms decompresses no payload. rpmbuild writes an
//! SRPM's cpio in name order, so the spec (`name.spec`) comes after the
//! tarballs (`name-1.0.tar.gz`) in a compressed stream that cannot be
//! skipped: finding it cost nearly every byte of the SRPM, on every run.
//!
//! An entry holds what the evaluator takes from an SRPM, in place of what
//! rpm's `rpmInstallSource` unpacks for `rpmbuild --rebuild` (the spec into
//! `%{_specdir}`, the sources into `%{_sourcedir}`): the spec's file name
//! and bytes (`srpm::extract_spec`), and the answer to each source file the
//! spec looked up (`%include`, `%{load:}`, `%{exists:}`, Lua's `io.open`:
//! the file's bytes, or that the payload has none of that name). A lookup
//! the entry does not answer (other macros, another spec path) reads the
//! payload, as before, and the entry is rewritten with the answer added.
//! Of a file over [`MAX_KEPT_FILE`] (a tarball the spec asked about) only
//! its size is kept, which answers `%{exists:}`, `posix.stat` and
//! `posix.access` (rpm's `stat`/`access` of the unpacked file); its bytes,
//! asked for, are read from the payload on each run.
//!
//! An entry is keyed by a checksum of the SRPM's bytes, the one the record
//! of verified checksums (`cache_sums`) holds for the file as it is now
//! (its stat stamp): it stands for those bytes and no others, whatever the
//! file is called, and a file the record does not vouch for (hashed by no
//! run yet, changed since) is read as before. One is written only when the
//! file still has that stamp after everything was read from it. Each entry
//! carries its key and a sha256 of its body: a truncated, damaged or
//! foreign file is no entry, and is rewritten. Entries are written to a
//! temp file renamed into place, not synced (a crash leaves at worst one
//! that fails its check), so runs reading them meanwhile see the old entry
//! or the new one. Entries of SRPMs no longer in the cache go when the
//! cache's SRPMs are pruned ([`prune`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::cache::{is_srpm_file, CACHE_MARKER};
use super::cache_sums::{Digests, Stamp, Sums};
use crate::error::Result;
use crate::rpmmd::{is_our_temp_name, sha256_hex, sweep_stale_temps};
use crate::spec::SourceFiles;
use crate::srpm;

/// The directory of spec entries in an SRPM cache: one file per SRPM,
/// named by its key (`sha256-HEX`).
pub const SPECS_DIR: &str = ".srpm-specs";

/// The first line of every entry: the format and its version. Version 2
/// added `size` records; an entry of another version is no entry (the
/// spec is extracted again and the entry rewritten), as the pool cache
/// treats a file of another `MAGIC`.
const MAGIC: &[u8] = b"rpm-buildroot .srpm-specs 2\n";

/// The checksum types an entry may be keyed by, the first the record holds
/// winning. sha1 and md5 are left out: a collision would hand one SRPM
/// another's spec (such SRPMs are read as before).
const KEY_ALGOS: [&str; 4] = ["sha256", "sha512", "sha384", "sha224"];

/// What an entry knows of one source file name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// The file's bytes (`file` record).
    File(Vec<u8>),
    /// The payload has no file of that name (`absent`).
    Absent,
    /// The size of a file over [`MAX_KEPT_FILE`], whose bytes are not kept
    /// (`size`): enough for `%{exists:}`, `posix.stat`, `posix.access`.
    Size(u64),
}

/// A source file lookup's answers, by file name.
type Answers = BTreeMap<String, Answer>;

/// The largest file an entry keeps the bytes of. The files a spec reads
/// (`%include`d fragments, `%{load:}` macro files, Lua's data) are a few
/// KB; one bigger is a tarball the spec only asked about (`%{exists:}`,
/// `posix.stat`), whose bytes would make the entry as big as the SRPM
/// and be copied in memory on every run. Such a lookup is answered from
/// the payload on each run, as before entries existed; its size is kept
/// ([`Answer::Size`]). The bound is the payload reader's: what it keeps in
/// memory, an entry keeps on disk.
const MAX_KEPT_FILE: usize = srpm::SMALL_SOURCE_FILE;

/// Whether an entry can keep these bytes (or this absence) as the answer
/// about `name`: a name its record line can hold, and not bigger than
/// [`MAX_KEPT_FILE`].
fn keepable(name: &str, answer: &Option<Vec<u8>>) -> bool {
    plain(name) && answer.as_ref().is_none_or(|d| d.len() <= MAX_KEPT_FILE)
}

/// The answer an entry keeps for a lookup that found `read`.
fn answer_of(read: Option<Vec<u8>>) -> Answer {
    read.map_or(Answer::Absent, Answer::File)
}

/// The spec entries of one SRPM cache, with its record of checksums.
pub(super) struct SpecCache {
    cache: PathBuf,
    sums: Sums,
}

/// What an entry is keyed by: the SRPM's stamp the checksum is recorded
/// for, and the entry's name.
#[derive(Clone)]
struct Key {
    stamp: Stamp,
    name: String,
}

impl SpecCache {
    /// The entries of `cache`; `None` unless it is a marked SRPM cache
    /// (nothing is written into another directory of SRPMs).
    pub(super) fn open(cache: &Path) -> Option<SpecCache> {
        cache.join(CACHE_MARKER).is_file().then(|| SpecCache {
            cache: cache.to_path_buf(),
            sums: Sums::open(cache),
        })
    }

    /// The key of the SRPM at `path` as it is now; `None` when the record
    /// vouches for no checksum of it (nothing is hashed for it here).
    fn key(&self, path: &Path) -> Option<Key> {
        let name = path.file_name()?.to_str()?;
        let stamp = Stamp::of(path).ok()?;
        let digests = self.sums.recorded(name, &stamp)?;
        Some(Key {
            stamp,
            name: key_of(&digests)?,
        })
    }

    /// The entry `key` names, when it is whole and of that key.
    fn read(&self, key: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.cache.join(SPECS_DIR).join(key)).ok()?;
        decode(key, &bytes)
    }

    /// Writes entry `key` (temp file and rename); a failure leaves no file
    /// and costs the next run a payload read, nothing else.
    fn write(&self, key: &str, entry: &Entry) {
        let Some(bytes) = encode(key, entry) else {
            return;
        };
        let dir = self.cache.join(SPECS_DIR);
        if std::fs::create_dir(&dir).is_err() && !dir.is_dir() {
            return;
        }
        let Ok((mut tmp, registered)) =
            crate::atomic::temp_removed_on_signal(&dir, crate::rpmmd::new_file_0644)
        else {
            return;
        };
        if tmp.write_all(&bytes).is_ok() {
            crate::atomic::wait_if_interrupted();
            // A failed rename drops the temp file, which removes it.
            let _ = tmp.persist(dir.join(key));
        }
        drop(registered);
    }
}

/// The entry name of a file with these checksums.
fn key_of(d: &Digests) -> Option<String> {
    KEY_ALGOS
        .iter()
        .find_map(|a| d.get(*a).map(|h| format!("{a}-{h}")))
}

/// What an entry holds.
struct Entry {
    spec_name: String,
    data: Vec<u8>,
    answers: Answers,
}

/// Whether `name` can be a field of an entry's record line.
fn plain(name: &str) -> bool {
    !name.is_empty() && !name.contains(['\t', '\n', '/'])
}

/// An entry's bytes: [`MAGIC`], the key, the sha256 of the body, each on a
/// line; then the body, records of a line `KIND<TAB>LENGTH<TAB>NAME` and
/// LENGTH bytes and a newline: `spec` first, then `file` (a source file the
/// spec read), `absent` (one it looked up and the payload lacks; length
/// 0) or `size` (a file over [`MAX_KEPT_FILE`] it asked the size of; the
/// size in decimal digits) in name order. `None` when the spec's name
/// cannot be written so; an answer whose name cannot is left out (looked
/// up in the payload again).
fn encode(key: &str, e: &Entry) -> Option<Vec<u8>> {
    if !plain(&e.spec_name) {
        return None;
    }
    let mut body = Vec::new();
    let mut push = |kind: &str, name: &str, data: &[u8]| {
        body.extend_from_slice(format!("{kind}\t{}\t{name}\n", data.len()).as_bytes());
        body.extend_from_slice(data);
        body.push(b'\n');
    };
    push("spec", &e.spec_name, &e.data);
    for (name, answer) in e.answers.iter().filter(|(n, _)| plain(n)) {
        match answer {
            Answer::File(data) => push("file", name, data),
            Answer::Absent => push("absent", name, &[]),
            Answer::Size(size) => push("size", name, size.to_string().as_bytes()),
        }
    }
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(format!("{key}\n{}\n", sha256_hex(&body)).as_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

/// The first line of `bytes` (without its newline) and what follows.
fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = bytes.iter().position(|&b| b == b'\n')?;
    Some((&bytes[..i], &bytes[i + 1..]))
}

/// The entry of [`encode`]'s `bytes`; `None` for anything else: another
/// format or version, another key (a file copied or renamed from another
/// entry), a body that fails its check (truncated, damaged), a record that
/// does not parse.
fn decode(key: &str, bytes: &[u8]) -> Option<Entry> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (k, rest) = split_line(rest)?;
    let (check, body) = split_line(rest)?;
    if k != key.as_bytes() || check != sha256_hex(body).as_bytes() {
        return None;
    }
    let mut at = body;
    let mut spec: Option<(String, Vec<u8>)> = None;
    let mut answers = Answers::new();
    while !at.is_empty() {
        let (head, rest) = split_line(at)?;
        let mut f = std::str::from_utf8(head).ok()?.splitn(3, '\t');
        let (kind, len, name) = (f.next()?, f.next()?.parse::<usize>().ok()?, f.next()?);
        if !plain(name) || rest.len() <= len || rest[len] != b'\n' {
            return None;
        }
        let data = rest[..len].to_vec();
        at = &rest[len + 1..];
        match kind {
            "spec" if spec.is_none() => spec = Some((name.to_string(), data)),
            "file" if spec.is_some() => {
                answers.insert(name.to_string(), Answer::File(data));
            }
            "absent" if spec.is_some() && len == 0 => {
                answers.insert(name.to_string(), Answer::Absent);
            }
            "size" if spec.is_some() => {
                answers.insert(name.to_string(), Answer::Size(big_size(&data)?));
            }
            _ => return None,
        }
    }
    let (spec_name, data) = spec?;
    Some(Entry {
        spec_name,
        data,
        answers,
    })
}

/// The size a `size` record's bytes give: decimal digits alone, of a file
/// over [`MAX_KEPT_FILE`] (an entry keeps a smaller one's bytes, so a
/// smaller size is no record [`encode`] writes).
fn big_size(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let size: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    (size > MAX_KEPT_FILE as u64).then_some(size)
}

/// An SRPM's spec, from its entry or its payload, and the source files
/// its evaluation reads ([`EntrySources`]). [`SrpmSpec::keep`] writes
/// what was learnt.
pub(super) struct SrpmSpec<'a> {
    /// The spec's file name (`srpm::SpecFile::name`).
    pub(super) name: String,
    /// Its text (`srpm::SpecFile::text`).
    pub(super) text: String,
    /// Its source files, for the evaluation.
    pub(super) sources: EntrySources,
    data: Vec<u8>,
    path: PathBuf,
    entry: Option<(&'a SpecCache, Key)>,
    /// Read from the payload: there was no entry to take.
    fresh: bool,
}

/// The spec of the SRPM at `path`: its entry in `cache` when there is one
/// for the file's bytes as they are now, else extracted from its payload.
pub(super) fn spec_of<'a>(cache: Option<&'a SpecCache>, path: &Path) -> Result<SrpmSpec<'a>> {
    let entry = cache.and_then(|c| Some((c, c.key(path)?)));
    let found = entry.as_ref().and_then(|(c, k)| c.read(&k.name));
    let (e, fresh) = match found {
        Some(e) => (e, false),
        None => {
            let s = srpm::extract_spec(path)?;
            let e = Entry {
                spec_name: s.name,
                data: s.data,
                answers: Answers::new(),
            };
            (e, true)
        }
    };
    Ok(SrpmSpec {
        text: srpm::spec_text(&e.data),
        sources: EntrySources {
            spec_name: e.spec_name.clone(),
            answers: e.answers,
            learnt: Mutex::new(Answers::new()),
            payload: srpm::PayloadSources::new(path),
        },
        name: e.spec_name,
        data: e.data,
        path: path.to_path_buf(),
        entry,
        fresh,
    })
}

impl SrpmSpec<'_> {
    /// Writes the SRPM's entry when this run read something of it from the
    /// payload (the spec, or a source file the entry did not answer), the
    /// payload could be read, and the file is still the one the key was
    /// taken of (its stamp unchanged: not replaced or written meanwhile).
    pub(super) fn keep(self) {
        let Some((cache, key)) = self.entry else {
            return;
        };
        let EntrySources {
            mut answers,
            learnt,
            payload,
            ..
        } = self.sources;
        let learnt = learnt.into_inner().expect("answers lock");
        let unreadable = payload.readable() == Some(false);
        if unreadable || (!self.fresh && learnt.is_empty()) {
            return;
        }
        if !Stamp::of(&self.path).is_ok_and(|now| now == key.stamp) {
            return;
        }
        answers.extend(learnt);
        let entry = Entry {
            spec_name: self.name,
            data: self.data,
            answers,
        };
        cache.write(&key.name, &entry);
    }
}

/// An SRPM's source files as its entry answers them; a lookup it does not
/// answer reads the payload (streamed on first use, the small files kept:
/// [`srpm::PayloadSources`], as `spec::SrpmSources` reads it), and is kept
/// for the entry (a big file's size alone).
pub(super) struct EntrySources {
    spec_name: String,
    answers: Answers,
    learnt: Mutex<Answers>,
    payload: srpm::PayloadSources,
}

impl EntrySources {
    /// The entry's or this run's answer about `name`, if there is one.
    fn known<'a>(&'a self, learnt: &'a Answers, name: &str) -> Option<&'a Answer> {
        self.answers.get(name).or_else(|| learnt.get(name))
    }
}

impl SourceFiles for EntrySources {
    fn read(&self, name: &str) -> Option<Vec<u8>> {
        let mut learnt = self.learnt.lock().expect("answers lock");
        match self.known(&learnt, name) {
            Some(Answer::File(data)) => return Some(data.clone()),
            Some(Answer::Absent) => return None,
            // A big file's bytes are not kept: read from the payload.
            Some(Answer::Size(_)) | None => {}
        }
        let answer = self.payload.read(name);
        // Only what the entry can keep: an answer it cannot (a tarball, a
        // name a line cannot hold) would have the entry rewritten on every
        // run, unchanged; it is taken from the payload again instead.
        if keepable(name, &answer) {
            learnt.insert(name.to_string(), answer_of(answer.clone()));
        }
        answer
    }

    /// A file's size: a big one's from the payload, without its bytes, and
    /// kept as a size alone, so a warm run answers `%{exists:}` of a
    /// tarball without reading the payload; an answer the entry can keep
    /// whole is read and kept as [`Self::read`] keeps it.
    fn size(&self, name: &str) -> Option<u64> {
        let mut learnt = self.learnt.lock().expect("answers lock");
        match self.known(&learnt, name) {
            Some(Answer::File(data)) => return Some(data.len() as u64),
            Some(Answer::Absent) => return None,
            Some(Answer::Size(size)) => return Some(*size),
            None => {}
        }
        match self.payload.size(name) {
            Some(size) if size > MAX_KEPT_FILE as u64 => {
                if plain(name) {
                    learnt.insert(name.to_string(), Answer::Size(size));
                }
                Some(size)
            }
            _ => {
                drop(learnt);
                self.read(name).map(|d| d.len() as u64)
            }
        }
    }

    fn spec_in_specdir(&self) -> Option<String> {
        Some(self.spec_name.clone())
    }
}

/// Deletes the entries of `cache` that belong to no SRPM in it now (their
/// key is no checksum the record holds for a cached file as it is), and
/// killed runs' temp files there. Called where SRPMs are deleted, while no
/// other run uses the cache (`CacheHold::exclusive_now`): no run is
/// writing an entry of an SRPM it just fetched. A cached SRPM the record
/// does not vouch for loses its entry: a payload read later, never a
/// wrong spec.
pub(super) fn prune(cache: &Path, sums: &Sums) {
    let dir = cache.join(SPECS_DIR);
    let (Ok(entries), Ok(files)) = (std::fs::read_dir(&dir), std::fs::read_dir(cache)) else {
        return;
    };
    let mut live = BTreeSet::new();
    for f in files {
        let Ok(f) = f else {
            // A listing cut short would take live entries for dead ones.
            return;
        };
        let name = f.file_name().to_string_lossy().into_owned();
        if !is_srpm_file(&name) {
            continue;
        }
        let Ok(stamp) = Stamp::of(&f.path()) else {
            continue;
        };
        if let Some(d) = sums.recorded(&name, &stamp) {
            live.extend(
                KEY_ALGOS
                    .iter()
                    .filter_map(|a| d.get(*a).map(|h| format!("{a}-{h}"))),
            );
        }
    }
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !live.contains(&name) && !is_our_temp_name(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    sweep_stale_temps(&dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            spec_name: "bar.spec".into(),
            data: b"Name: bar\n%include %{SOURCE1}\n".to_vec(),
            answers: [
                (
                    "bar.inc".to_string(),
                    Answer::File(b"Version: 1\n".to_vec()),
                ),
                ("gone.lua".to_string(), Answer::Absent),
                (
                    "bar-1.tar".to_string(),
                    Answer::Size(MAX_KEPT_FILE as u64 + 1),
                ),
            ]
            .into(),
        }
    }

    /// The SRPM name the tests' cache holds.
    const SRPM_NAME: &str = "bar-1-1.src.rpm";

    /// A directory marked as an SRPM cache, and the path of
    /// [`SRPM_NAME`] in it (not written yet).
    fn marked_cache() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(CACHE_MARKER), "").unwrap();
        let path = t.path().join(SRPM_NAME);
        (t, path)
    }

    /// The spec's BuildRequires for x86_64, evaluated with its SRPM's
    /// sources (as the entry or the payload answers), space-separated.
    fn build_requires(s: &SrpmSpec) -> String {
        let ctx = crate::spec::SpecContext::for_arch("x86_64");
        let ev = crate::spec::evaluate_with(&s.text, &ctx, &s.sources).unwrap();
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        let brs: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
        brs.join(" ")
    }

    /// Writes an SRPM of `bar` whose spec ends in `tail` to `path`, an
    /// hour old (old enough for its checksum to be recorded).
    fn write_srpm(path: &Path, tail: &str) {
        write_srpm_with(path, tail, Vec::new());
    }

    /// [`write_srpm`] with these source files in its payload.
    fn write_srpm_with(path: &Path, tail: &str, sources: Vec<srpm::SourceFile>) {
        let s = srpm::SrpmSpec {
            name: "bar".into(),
            version: "1".into(),
            release: "1".into(),
            license: "MIT".into(),
            summary: "bar".into(),
            spec_name: "bar.spec".into(),
            spec_text: format!("Name: bar\nVersion: 1\nRelease: 1\n{tail}\n"),
            sources,
            build_time: 1,
            ..Default::default()
        };
        let tmp = path.with_extension("new");
        std::fs::write(&tmp, srpm::build_srpm(&s).unwrap()).unwrap();
        let f = std::fs::File::options().append(true).open(&tmp).unwrap();
        f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
            .unwrap();
        std::fs::rename(&tmp, path).unwrap();
    }

    /// Records the checksum of cache file `name` as a run that hashed it.
    fn record(cache: &Path, name: &str) {
        let checked = super::super::cache_sums::hash_file(&cache.join(name), &["sha256"]).unwrap();
        assert!(Sums::open(cache).learn(name, &checked));
    }

    /// An entry is taken only for the bytes it came from: another build
    /// put under the same name is extracted (the record does not vouch for
    /// it yet, or vouches for other bytes), and once the old build is gone
    /// its entry goes with it.
    #[test]
    fn an_entry_serves_only_the_srpm_it_came_from() {
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        write_srpm(&path, "# one");
        // Not vouched for: extracted, and no entry written.
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh && s.entry.is_none());
        s.keep();
        assert!(!cache.join(SPECS_DIR).exists());
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh && s.text.ends_with("# one\n"));
        s.keep();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(!s.fresh && s.text.ends_with("# one\n") && s.name == "bar.spec");
        // Another build renamed over it: its own spec, recorded or not.
        write_srpm(&path, "# two");
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh && s.text.ends_with("# two\n"));
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh && s.text.ends_with("# two\n"));
        s.keep();
        assert_eq!(std::fs::read_dir(cache.join(SPECS_DIR)).unwrap().count(), 2);
        prune(cache, &Sums::open(cache));
        let left: Vec<_> = std::fs::read_dir(cache.join(SPECS_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let sum = crate::rpmmd::sha256_file(&path).unwrap();
        assert_eq!(left, [std::ffi::OsString::from(format!("sha256-{sum}"))]);
    }

    /// What an entry cannot keep, the bytes of a file over
    /// [`MAX_KEPT_FILE`] (a tarball the spec asked about; its size is kept)
    /// or a name no line can hold (`%{exists:/}` looks up ""), is answered
    /// from the payload on every run, as it was before entries: the entry
    /// stays small, and a warm run that asked for nothing else leaves it as
    /// it was instead of rewriting it unchanged.
    #[test]
    fn an_entry_keeps_no_tarball_and_is_not_rewritten_for_one() {
        use std::os::unix::fs::MetadataExt;
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        let tarball: Vec<u8> = (0..=MAX_KEPT_FILE).map(|i| (i % 251) as u8).collect();
        let inc = b"BuildRequires: foo\n".to_vec();
        let file = |name: &str, data: &[u8]| srpm::SourceFile {
            name: name.into(),
            data: data.to_vec(),
        };
        write_srpm_with(
            &path,
            "%include %{SOURCE1}",
            vec![file("bar-1.tar", &tarball), file("bar.inc", &inc)],
        );
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let ask = |s: &SrpmSpec| {
            // Sizes first (`%{exists:}`): the tarball's is not kept either.
            assert_eq!(s.sources.size("bar-1.tar"), Some(tarball.len() as u64));
            assert_eq!(s.sources.size("bar.inc"), Some(inc.len() as u64));
            assert_eq!(s.sources.read("bar-1.tar").as_ref(), Some(&tarball));
            assert_eq!(s.sources.read("bar.inc").as_ref(), Some(&inc));
            assert_eq!(s.sources.read(""), None);
            assert_eq!(s.sources.read("gone.lua"), None);
        };
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh);
        ask(&s);
        s.keep();
        let dir = cache.join(SPECS_DIR);
        let entry: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        let entry = entry.into_iter().next().unwrap().unwrap().path();
        let kept = std::fs::metadata(&entry).unwrap();
        assert!(kept.len() < 4096, "entry of {} bytes", kept.len());
        let back = decode(
            &entry.file_name().unwrap().to_string_lossy(),
            &std::fs::read(&entry).unwrap(),
        )
        .unwrap();
        let want: Answers = [
            ("bar-1.tar".to_string(), Answer::Size(tarball.len() as u64)),
            ("bar.inc".to_string(), Answer::File(inc.clone())),
            ("gone.lua".to_string(), Answer::Absent),
        ]
        .into();
        assert_eq!(back.answers, want);
        // Warm: the same answers, the tarball's from the payload again,
        // and the entry is not written again.
        for _ in 0..2 {
            let s = spec_of(Some(&specs), &path).unwrap();
            assert!(!s.fresh);
            ask(&s);
            s.keep();
            assert_eq!(std::fs::metadata(&entry).unwrap().ino(), kept.ino());
        }
    }

    /// Every way a spec reads its SRPM's files goes through the entry: a
    /// spec using each (`%include`, `%{load:}`, `%{exists:}`, `Icon:`,
    /// Lua's `io.open`, `io.lines`, `rpm.open`, `posix.stat`,
    /// `posix.access`, on files there and not) evaluates warm, from its
    /// entry alone (the payload not read), as it did cold.
    #[test]
    fn every_lookup_of_a_spec_is_answered_by_its_entry() {
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        let lua = |code: &str| format!("BuildRequires: %{{lua: {code}}}\n");
        let src = |n: u32| format!("rpm.expand('%{{SOURCE{n}}}')");
        let mut tail = String::from("Summary: bar\nLicense: MIT\nIcon: icon.gif\n");
        for (n, f) in ["a.inc", "b.macros", "c", "d", "e", "f", "g"]
            .iter()
            .enumerate()
        {
            tail += &format!("Source{}: {f}\n", n + 1);
        }
        tail += "%include %{SOURCE1}\n%{load:%{SOURCE2}}\nBuildRequires: %{from_load}\n";
        tail += "BuildRequires: e%{exists:%{SOURCE3}}%{exists:%{_sourcedir}/nope}\n";
        tail += &lua(&format!("local f = io.open({}) print(f:read('l'))", src(4)));
        tail += &lua(&format!("for l in io.lines({}) do print(l) end", src(5)));
        tail += &lua(&format!("print(rpm.open({}):read())", src(6)));
        tail += &lua(&format!(
            "print(string.format('s%d', posix.stat({}, 'size')))",
            src(7)
        ));
        tail += &lua("print(posix.access(rpm.expand('%{_sourcedir}/no')) and 'y' or 'n')");
        tail += &lua("print(io.open(rpm.expand('%{_sourcedir}/none')) and 'y' or 'm')");
        tail += "%description\nbar";
        let file = |name: &str, data: &str| srpm::SourceFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        };
        let files = vec![
            file("a.inc", "BuildRequires: from-include\n"),
            file("b.macros", "%from_load from-load\n"),
            file("c", ""),
            file("d", "io-open\n"),
            file("e", "io-lines"),
            file("f", "rpm-open"),
            file("g", "12345"),
            file("icon.gif", "GIF89a"),
        ];
        write_srpm_with(&path, &tail, files);
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        let cold = build_requires(&s);
        let want = "from-include from-load e10 io-open io-lines rpm-open s5 n m";
        assert_eq!(cold, want);
        s.keep();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert_eq!(build_requires(&s), cold);
        assert!(
            !s.fresh && s.sources.payload.readable().is_none(),
            "payload read"
        );
    }

    /// A spec asking only whether its tarball is there, or how big it is
    /// (`%{exists:}`, `posix.stat`, `posix.access`), is answered warm by the
    /// size its entry keeps, as cold, without the payload being read; the
    /// entry does not hold the tarball's bytes.
    #[test]
    fn a_tarballs_size_is_answered_warm_without_the_payload() {
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        let size = MAX_KEPT_FILE + 7;
        let tarball: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
        let mut tail = String::from("Summary: bar\nLicense: MIT\nSource0: bar-1.tar\n");
        tail += "%if %{exists:%{SOURCE0}}\nBuildRequires: has-tarball\n%endif\n";
        tail += "BuildRequires: %{lua: print(string.format('s%d', \
                 posix.stat(rpm.expand('%{SOURCE0}'), 'size')))}\n";
        tail += "BuildRequires: %{lua: print(posix.access(rpm.expand('%{SOURCE0}')) \
                 and 'a' or 'n')}\n";
        tail += "%description\nbar";
        let files = vec![srpm::SourceFile {
            name: "bar-1.tar".into(),
            data: tarball,
        }];
        write_srpm_with(&path, &tail, files);
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        let cold = build_requires(&s);
        assert_eq!(cold, format!("has-tarball s{size} a"));
        s.keep();
        let entry = std::fs::read_dir(cache.join(SPECS_DIR))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert!(std::fs::metadata(&entry).unwrap().len() < 4096);
        for _ in 0..2 {
            let s = spec_of(Some(&specs), &path).unwrap();
            assert_eq!(build_requires(&s), cold);
            assert!(
                !s.fresh && s.sources.payload.readable().is_none(),
                "payload read"
            );
            s.keep();
        }
    }

    /// What a warm run answers is what the payload answers, whatever the
    /// cold run asked: the bytes of a tarball whose size alone the entry
    /// keeps (another arch's or macro's branch reads them) come from the
    /// payload whole, and leave the entry as it was; a file of exactly
    /// [`MAX_KEPT_FILE`] is a small one, its bytes kept when its size is
    /// asked, and answered warm without the payload.
    #[test]
    fn a_warm_run_answers_as_the_payload_at_the_bound_and_past_it() {
        use std::os::unix::fs::MetadataExt;
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        let noise =
            |n: usize, k: usize| -> Vec<u8> { (0..n).map(|i| (i * k % 251) as u8).collect() };
        let (tarball, edge) = (noise(MAX_KEPT_FILE + 1, 7), noise(MAX_KEPT_FILE, 3));
        let files = vec![
            srpm::SourceFile {
                name: "bar-1.tar".into(),
                data: tarball.clone(),
            },
            srpm::SourceFile {
                name: "edge.dat".into(),
                data: edge.clone(),
            },
        ];
        write_srpm_with(
            &path,
            "Summary: bar\nLicense: MIT\n%description\nbar",
            files,
        );
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert_eq!(s.sources.size("bar-1.tar"), Some(tarball.len() as u64));
        assert_eq!(s.sources.size("edge.dat"), Some(edge.len() as u64));
        s.keep();
        let entry_path = cache.join(SPECS_DIR).join(specs.key(&path).unwrap().name);
        let back = decode(
            &specs.key(&path).unwrap().name,
            &std::fs::read(&entry_path).unwrap(),
        );
        let want: Answers = [
            ("bar-1.tar".to_string(), Answer::Size(tarball.len() as u64)),
            ("edge.dat".to_string(), Answer::File(edge.clone())),
        ]
        .into();
        assert_eq!(back.unwrap().answers, want);
        let ino = std::fs::metadata(&entry_path).unwrap().ino();
        // Warm: the edge file's bytes from the entry, no payload read.
        let s = spec_of(Some(&specs), &path).unwrap();
        assert_eq!(s.sources.read("edge.dat"), Some(edge));
        assert!(s.sources.payload.readable().is_none(), "payload read");
        // The tarball's bytes, asked for now: the payload's, in full.
        assert_eq!(s.sources.read("bar-1.tar"), Some(tarball.clone()));
        assert_eq!(s.sources.size("bar-1.tar"), Some(tarball.len() as u64));
        s.keep();
        assert_eq!(
            std::fs::metadata(&entry_path).unwrap().ino(),
            ino,
            "rewritten"
        );
    }

    /// An entry an earlier version wrote (`.srpm-specs 1`, no `size`
    /// records) is no entry: the spec is extracted again and the entry
    /// rewritten in this version, so no run takes an old entry's missing
    /// size answer for an unanswered lookup or the reverse.
    #[test]
    fn an_entry_of_an_earlier_version_is_rewritten() {
        let (t, path) = marked_cache();
        let (cache, name) = (t.path(), SRPM_NAME);
        write_srpm(&path, "# now");
        record(cache, name);
        let specs = SpecCache::open(cache).unwrap();
        let key = specs.key(&path).unwrap().name;
        // What version 1 wrote: the same body, its own first line.
        let mut old = entry();
        old.answers.retain(|_, a| !matches!(a, Answer::Size(_)));
        let v2 = encode(&key, &old).unwrap();
        let v1 = [
            b"rpm-buildroot .srpm-specs 1\n".as_slice(),
            &v2[MAGIC.len()..],
        ]
        .concat();
        assert!(decode(&key, &v1).is_none());
        std::fs::create_dir(cache.join(SPECS_DIR)).unwrap();
        std::fs::write(cache.join(SPECS_DIR).join(&key), &v1).unwrap();
        let s = spec_of(Some(&specs), &path).unwrap();
        assert!(s.fresh && s.text.ends_with("# now\n"));
        s.keep();
        let now = std::fs::read(cache.join(SPECS_DIR).join(&key)).unwrap();
        assert!(now.starts_with(MAGIC));
        let back = decode(&key, &now).unwrap();
        assert!(back.answers.is_empty() && back.data.ends_with(b"# now\n"));
    }

    /// An entry reads back as written; anything short of it, or of
    /// another key, or changed in one byte, is no entry.
    #[test]
    fn an_entry_is_whole_and_of_its_key_or_none() {
        let key = format!("sha256-{}", "a".repeat(64));
        let bytes = encode(&key, &entry()).unwrap();
        let back = decode(&key, &bytes).unwrap();
        assert_eq!(back.spec_name, "bar.spec");
        assert_eq!(back.data, entry().data);
        assert_eq!(back.answers, entry().answers);
        for cut in 0..bytes.len() {
            assert!(decode(&key, &bytes[..cut]).is_none(), "cut at {cut}");
        }
        let other = format!("sha256-{}", "b".repeat(64));
        assert!(decode(&other, &bytes).is_none());
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert!(decode(&key, &bad).is_none(), "byte {i} changed");
        }
        // A name a line cannot hold: the answer is left out, the spec's
        // makes no entry.
        let mut odd = entry();
        odd.answers.insert("a\tb".into(), Answer::Absent);
        let back = decode(&key, &encode(&key, &odd).unwrap()).unwrap();
        assert_eq!(back.answers, entry().answers);
        odd.spec_name = "x\n.spec".into();
        assert!(encode(&key, &odd).is_none());
        // A size record holds decimal digits of a size over MAX_KEPT_FILE
        // (a smaller file's bytes are kept instead).
        let cases = [
            "2000000", "", "+2000000", " 2000000", "2000000x", "12", "1048576",
        ];
        for (i, size) in cases.into_iter().enumerate() {
            let mut e = entry();
            e.answers.clear();
            let mut bytes = encode(&key, &e).unwrap();
            let body_at = MAGIC.len() + key.len() + 1 + 64 + 1;
            let mut body = bytes.split_off(body_at);
            body.extend_from_slice(format!("size\t{}\tbig.tar\n{size}\n", size.len()).as_bytes());
            bytes.truncate(MAGIC.len() + key.len() + 1);
            bytes.extend_from_slice(format!("{}\n", sha256_hex(&body)).as_bytes());
            bytes.extend_from_slice(&body);
            let back = decode(&key, &bytes).map(|e| e.answers);
            let want = (i == 0).then(|| [("big.tar".into(), Answer::Size(2_000_000))].into());
            assert_eq!(back, want, "size {size:?}");
        }
    }
}
