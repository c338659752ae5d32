//! Opening one repository: its repomd.xml from the first of its mirrors
//! that answers (a metalink's or mirrorlist's, then the baseurls), held to
//! a metalink's checksums, and then its other metadata files, verified; what
//! libdnf's `Repo::Impl::fetch` has librepo do (`lr_handle_perform`). Every
//! transfer takes a slot of the load's [`DownloadSlots::for_metadata`], under
//! the repo's `max_parallel_downloads` and `max_downloads_per_mirror`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::early_primary::EarlyFile;
use super::{
    fetch, http, mirror_tally, mirrors, prune, turns, warn_once, DownloadSlots, Expected,
    HttpSettings, LoadOptions, Location, MetaFile, RepoSpec, Repomd, RepomdChecksum,
};
use crate::error::{Error, Result};

/// A repository whose repomd.xml has been read. A clone is the same
/// opened repo (its files held to the same repomd.xml, its transfers in the
/// same tally): what reads another of its files on another thread.
#[derive(Clone)]
pub(super) struct Opened {
    /// As configured, but `baseurl` is the mirror's that answered.
    pub(super) spec: RepoSpec,
    /// The repo as configured (`baseurl` empty for a metalink or mirrorlist).
    pub(super) configured: RepoSpec,
    pub(super) loc: Location,
    /// The repo's mirrors in the list's order, the files repomd.xml lists
    /// are asked of (`loc` among them).
    pub(super) mirrors: Vec<Location>,
    /// What those mirrors did over the repo's files: librepo downloads them
    /// in one go, whose mirror statistics and order all of them share; its
    /// transfers take the load's slots.
    tally: Arc<mirror_tally::MirrorTally>,
    pub(super) repomd: Repomd,
    /// Its primary.xml, fetched while a repo after it was slow to open
    /// (`early_primary.rs`), for the load to take over.
    pub(super) early: Option<Arc<EarlyFile>>,
    /// Its filelists.xml, fetched so when the load reads them from its
    /// start, for the load to take over (`early_fetch.rs`).
    pub(super) early_filelists: Option<Arc<EarlyFile>>,
}

impl Opened {
    /// The slots the repo's transfers take (its load's), when it has a
    /// remote mirror to take them for.
    pub(super) fn remote_slots(&self) -> Option<&Arc<DownloadSlots>> {
        let remote = self.mirrors.iter().any(|l| matches!(l, Location::Http(_)));
        self.tally.slots().filter(|_| remote)
    }

    /// Its early fetches (`early_primary.rs`).
    fn early_files(&self) -> impl Iterator<Item = &Arc<EarlyFile>> {
        self.early.iter().chain(&self.early_filelists)
    }

    /// Stops its early fetches, if under way: nothing will read them (a
    /// load that failed before it, a repo not loaded).
    pub(super) fn stop_early(&self) {
        self.early_files().for_each(|e| e.stop());
    }

    /// Stops its early fetches and waits for their threads to end, their
    /// temp files removed: for a load that returns without them (a pool
    /// the cache answers with).
    pub(super) fn stop_and_wait_early(&self) {
        self.early_files().for_each(|e| e.stop_and_wait());
    }
}

/// Opens `spec`'s repo; its transfers take `slots`, those of the load it
/// is part of ([`DownloadSlots::for_metadata`]), now and when its files
/// are fetched.
pub(super) fn open_repo(
    spec: &RepoSpec,
    opts: &LoadOptions,
    slots: &Arc<DownloadSlots>,
) -> Result<Opened> {
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
        Some(src) => match mirrors::fetch_mirrors(src, &spec.access, opts, slots) {
            Ok(list) => {
                let bases = mirrors::listed_mirrors(src, &list, spec, &configured)?;
                (bases, list.repomd_checksums, Some(src.url()))
            }
            // A bad RPM_BUILDROOT_HTTP_* value is the user's to fix; a
            // load that failed meanwhile wants nothing more (`cancel.rs`).
            Err(e @ (Error::Usage(_) | Error::Cancelled)) => return Err(e),
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
    // The mirrors in librepo's turns (`turns.rs`), repomd.xml a download of
    // its own (a tally of its own), under the load's caps.
    let tally = mirror_tally::MirrorTally::sharing(slots);
    let tried = turns::in_turns(&locs, &settings, Some(&tally), |i, s| {
        open_at(spec, &bases[i], opts, &want, s, slots).map(turns::Turn::asked)
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

/// Why the directory `d` is no repository. `--repo m=DIR/repodata`, one
/// level too deep, is the usual slip (createrepo_c's output named instead
/// of the directory it was run on): librepo looks for `repodata/repomd.xml`
/// under the URL given and nowhere else, so the parent is what to give.
fn not_a_repository(d: &Path) -> String {
    const NO_REPOMD: &str = "not an rpm-md repository (no repodata/repomd.xml)";
    if d.join("repomd.xml").is_file() {
        let parent = d
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        format!(
            "{NO_REPOMD}; it is a repodata/ directory itself: give the repository, its parent {}",
            parent.display()
        )
    } else {
        NO_REPOMD.to_string()
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
    slots: &Arc<DownloadSlots>,
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
                not_a_repository(d),
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
        tally: Arc::new(mirror_tally::MirrorTally::sharing(slots).of_repo(&spec.id)),
        loc,
        repomd,
        early: None,
        early_filelists: None,
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

/// Where a metadata file was put (its path, and the index of the mirror
/// that delivered it), or why it could not be had: [`fetch_meta`]'s answer.
pub(super) type Fetched = Result<(PathBuf, usize)>;

/// The expected checksum of a repomd.xml record, when it gives one.
fn expected_of(rec: &super::RepomdRecord) -> Option<Expected> {
    (!rec.checksum.is_empty()).then(|| Expected {
        algo: rec.checksum_type.clone(),
        hex: rec.checksum.clone(),
    })
}

/// Fetches the metadata file of `kind` (into the cache, or its place in a
/// local repo) without opening it; `None` when repomd.xml lists none. A
/// load that knows it will read a file later fetches it so while it reads
/// another ([`open_meta_fetched`] then opens it).
pub(super) fn fetch_meta(o: &Opened, kind: &str, opts: &LoadOptions) -> Option<Fetched> {
    let rec = o.repomd.record(kind)?;
    Some(fetch::local_file_from(
        &o.mirrors,
        &rec.href,
        opts.cache_dir.as_deref(),
        expected_of(rec).as_ref(),
        rec.size,
        &o.spec.access,
        &o.tally,
    ))
}

/// Whether [`fetch_meta`] of `kind` would download the file now: `o` has a
/// remote mirror, there is a cache to put it in, repomd.xml gives its
/// checksum, and the cache holds no copy of it by that name under any of
/// `o`'s mirrors (a look that reads and hashes nothing: one that does is
/// checked when it is opened).
pub(super) fn needs_download(o: &Opened, kind: &str, opts: &LoadOptions) -> bool {
    let (Some(rec), Some(cache)) = (o.repomd.record(kind), opts.cache_dir.as_deref()) else {
        return false;
    };
    let Some(e) = expected_of(rec) else {
        return false;
    };
    o.remote_slots().is_some() && !fetch::named_in_cache(&o.mirrors, &rec.href, cache, &e)
}

/// Opens the metadata file of `kind`, returning its reader and display name.
/// The reader verifies the file's checksum unless it was verified as it
/// arrived ([`fetch::checked_on_arrival`]): one hash pass per file.
pub(super) fn open_meta(
    o: &Opened,
    kind: &str,
    opts: &LoadOptions,
) -> Result<Option<(MetaFile, String)>> {
    open_meta_fetched(o, kind, opts, None)
}

/// [`open_meta`], with `fetched` ([`fetch_meta`]'s answer for the same
/// file, made earlier) in place of its fetch: its error is the file's, and
/// a copy gone from the cache meanwhile is fetched again.
pub(super) fn open_meta_fetched(
    o: &Opened,
    kind: &str,
    opts: &LoadOptions,
    fetched: Option<Fetched>,
) -> Result<Option<(MetaFile, String)>> {
    let Some(rec) = o.repomd.record(kind) else {
        return Ok(None);
    };
    let expected = expected_of(rec);
    let mut fetched = fetched;
    let fetch = || {
        fetched.take().unwrap_or_else(|| {
            fetch::local_file_from(
                &o.mirrors,
                &rec.href,
                opts.cache_dir.as_deref(),
                expected.as_ref(),
                rec.size,
                &o.spec.access,
                &o.tally,
            )
        })
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
pub(super) fn decompress_context(e: Error, display: &str) -> Error {
    match e {
        Error::Format { msg, .. } if msg.contains("malformed XML") && msg.contains("I/O") => {
            Error::format(display, format!("cannot decompress or read: {msg}"))
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
