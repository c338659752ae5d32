//! The streaming load: every repo's primary.xml cut into chunks, parsed on
//! the cores and handed to a [`RepoSink`] in file order while later chunks
//! are still being parsed, then the filelists.xml paths the sink needs
//! (fetched as soon as the load knows it will read them, `early_fetch.rs`).
//! Once a repo's primary.xml fails, the transfers and reads still under
//! way for it and the repos after it stop (`cancel.rs`) rather than being
//! waited for; the repos before it are read for their filelists.xml, whose
//! error, first in load order, is said instead.
//! What libdnf does when it fills libsolv's pool from the repos' metadata
//! (`repo_add_rpmmd` per file, repos in load order), spread over threads.

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use super::cancel::Cancel;
use super::download_slots;
use super::early_fetch::EarlyFilelists;
use super::rank::{self, Rank, Role};
use super::raw::{self, RawChunk};
use super::reserve::Reserved;
use super::{
    checked, chunks, decompress_context, is_primary_file, open_meta_fetched, primary,
    read_filelists_keys, Fetched, FileKey, Filelists, LoadOptions, Opened, OpenedRepos, RepoSink,
};
use crate::error::{Error, Result};

/// What a repo's primary reader sends to [`load_repos_into`](super::load_repos_into)'s consumer.
enum Msg {
    /// A parsed chunk of repo `.0`, with the paths its dependencies name
    /// (for [`Filelists::Needed`]).
    Chunk(usize, primary::Parsed, HashSet<String>),
    /// Repo `.0` is read: its number of chunks, the stream's read error,
    /// the checksum check, and the file's display name.
    Done(usize, (usize, Result<()>), Result<()>, String),
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

/// What [`load_repos_into`](super::load_repos_into)'s consumer knows of a repo being read.
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

/// [`load_repos_into`](super::load_repos_into) on repositories already
/// opened. An error comes with the index of the repo it is about (in
/// `opened`), so that a repo with `skip_if_unavailable` can be left out.
pub(super) fn load_opened_into(
    opened: &OpenedRepos,
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<(), (usize, Error)> {
    let opened = &opened.0;
    let needed = matches!(
        opts.filelists,
        Filelists::Needed | Filelists::NeededAnd(_) | Filelists::NeededWith(_)
    );
    let mut keep: HashSet<String> = match &opts.filelists {
        Filelists::NeededWith(paths) => paths.iter().cloned().collect(),
        _ => HashSet::new(),
    };
    let prefixes: &[String] = match &opts.filelists {
        Filelists::NeededAnd(p) => p,
        _ => &[],
    };
    let all = opts.filelists == Filelists::All;
    // Whether every repo's filelists.xml will be read (the load failing
    // aside): all of them, paths by prefix, or a path some dependency
    // named that primary.xml does not list (any repo may provide it).
    let read_filelists = |keep: &HashSet<String>| {
        opts.filelists != Filelists::PrimaryOnly
            && (all || !prefixes.is_empty() || !keep.is_empty())
    };
    // Which repos' chunks named such a path. A load that fails at repo `k`
    // decides whether to read the filelists.xml of the repos before it by
    // what the repos up to `k` asked alone: a later repo starts reading as
    // soon as `k` is done reading, so its chunks may or may not be parsed
    // before `k`'s failure is handled, and counting them made the error
    // said vary from run to run. dnf, loading `a` whole before `b`, never
    // sees what a later repo asks before an earlier one fails.
    let mut asked: Vec<bool> = opened.iter().map(|_| false).collect();
    let given = !keep.is_empty();
    let read_filelists_up_to = |asked: &[bool], k: usize| {
        opts.filelists != Filelists::PrimaryOnly
            && (all || !prefixes.is_empty() || given || asked[..=k].contains(&true))
    };
    // The first repo whose transfers stop once repo `k` has failed: `k`,
    // or the first repo when no filelists.xml will be read (what the repos
    // up to `k` asked, final by then): the filelists.xml a later repo's
    // chunks started early (they may be parsed before `k`'s failure is
    // handled) are then stopped too, where the load waited for them,
    // stalls and all, before it said `k`'s error.
    let stop_from = |asked: &[bool], k: usize| match read_filelists_up_to(asked, k) {
        true => k,
        false => 0,
    };
    // Fetched as soon as that is known, while the primaries still download
    // and parse (`early_fetch.rs`); read after them, in order, as before.
    let early_files = EarlyFilelists::new(opened);
    let times = sink.file_times();
    let mut failed: Option<(usize, Error)> = None;
    // A flag per repo, for its primary.xml and its early filelists.xml.
    // Once `failed` is set at repo `k`, the flags of `k` and the repos after
    // it are: their transfers stop, and their reads of a primary; none of
    // them would be used, and a stalled one would hold the error back by
    // its timeouts (`cancel.rs`). The filelists.xml of the repos before `k`
    // go on when the load reads them (`stop_from`): one of them that fails
    // is said before `k`'s error (below). A
    // load started again without a skipped repo has flags of its own.
    let cancels: Vec<Cancel> = opened.iter().map(|_| Cancel::new()).collect();
    let cancel_from = |k: usize| {
        cancels[k..].iter().for_each(Cancel::cancel);
        opened[k..].iter().for_each(Opened::stop_early);
    };
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
    // Each remote repo's primary.xml has its place in the load's slot
    // queue before any thread starts, in load order (`reserve.rs`): a
    // later repo's transfer cannot take the slot before an earlier
    // repo's first one has asked. The early filelists need none: their
    // errors are said only once every primary.xml is read. Nor does a
    // primary.xml fetched while the repos opened (`early_primary.rs`):
    // its transfer is under way or over, and a place held for it while
    // its thread waits for that answer would keep later primaries waiting.
    let reserved: Vec<Option<Reserved>> = opened
        .iter()
        .enumerate()
        .map(|(ri, o)| {
            if o.early.is_some() {
                return None;
            }
            let slots = o.remote_slots()?;
            Some(Reserved::new(slots, Rank::of(ri, Role::Primary)))
        })
        .collect();
    std::thread::scope(|scope| {
        // Owned here: should a spawn below fail, the places not handed to
        // a thread are withdrawn before the scope waits for its threads.
        let mut reserved = reserved;
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
                let mut p = primary::parse_fragment(&data, &origin, base, index == 0, times);
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
            let (cancel, cancel_from) = (&cancels[ri], &cancel_from);
            let reserved = reserved[ri].take();
            scope.spawn(move || {
                // Taken first: the turn passes on whatever happens next.
                let mut reading = turn.ticket(ri);
                // Served in load order, each repo's before its
                // filelists (`rank.rs`); its first transfer in the
                // place reserved for it, withdrawn once the file is
                // open if none took it (a cached copy, an error).
                // One fetched while the repos opened is its answer.
                let early = || {
                    let fetched = o.early.as_ref().and_then(|e| e.take());
                    open_meta_fetched(o, "primary", opts, fetched)
                };
                let primary = || {
                    rank::within(Rank::of(ri, Role::Primary), || match reserved {
                        Some(r) => r.within(early),
                        None => early(),
                    })
                };
                // Failed for good, its slot is kept until this repo's
                // and the later repos' transfers are cancelled: the
                // failure ends them (the load's error is this repo's or
                // an earlier one's; a skipped repo's load starts again).
                let failed_here = |m: &Result<_>| {
                    if m.is_err() {
                        cancel_from(ri);
                    }
                };
                let meta = download_slots::keeping_failed(|| cancel.within(primary), failed_here);
                let meta = meta.and_then(|m| {
                    m.ok_or_else(|| {
                        Error::format(
                            o.loc.display("repodata/repomd.xml"),
                            "no primary metadata listed",
                        )
                    })
                });
                // Downloads run at once; the reading waits for its turn.
                reading.wait();
                let (mut mf, display) = match meta {
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
                        // A load that failed reads no further.
                        !cancel.is_set()
                            && jobs
                                .send(Job {
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
                let _ = tx.send(Msg::Done(ri, read, mf.finish(), display));
            });
        }
        drop(jobs);
        drop(tx);
        if read_filelists(&keep) {
            early_files.start(scope, opened, opts, &cancels);
        }
        let mut st: Vec<Progress> = opened.iter().map(|_| Progress::default()).collect();
        let mut cur = 0;
        if let Some(o) = opened.first() {
            sink.repo(&o.spec);
        }
        for msg in rx {
            match msg {
                Msg::Chunk(ri, (i, p), paths) => {
                    asked[ri] |= !paths.is_empty();
                    // Not once the load has failed: none will be read.
                    if failed.is_none() {
                        keep.extend(paths);
                        if read_filelists(&keep) {
                            early_files.start(scope, opened, opts, &cancels);
                        }
                    }
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
                let (read, fin, display) = match r.done.take() {
                    None => break,
                    Some(Msg::Done(_, (_, read), fin, display)) => (read, fin, display),
                    Some(Msg::Failed(_, e)) => {
                        failed = Some((cur, e));
                        cancel_from(stop_from(&asked, cur));
                        break;
                    }
                    Some(Msg::Chunk(..)) => unreachable!("chunks are not kept in `done`"),
                };
                let res = read
                    .and_then(|()| r.parse_error.take().map_or(Ok(()), Err))
                    .and_then(|()| primary::check_root(r.saw_root, &display))
                    .map_err(|e| decompress_context(e, &display));
                match checked(res, fin) {
                    Err(e) => {
                        failed = Some((cur, e));
                        cancel_from(stop_from(&asked, cur));
                    }
                    Ok(()) => {
                        cur += 1;
                        if let Some(o) = opened.get(cur) {
                            sink.repo(&o.spec);
                        }
                    }
                }
            }
        }
    });
    if let Some((k, e)) = failed {
        // The repos before `k` were read whole but for their filelists.xml:
        // dnf, loading each repo whole before the next, says one of those
        // that fails rather than `k`'s error (filelists.xml are read after
        // every primary.xml here, so `k`'s came first). Whether the load
        // reads filelists.xml is what the repos up to `k` asked: every
        // chunk of theirs is in by now (`k`'s failure is handled once all
        // its chunks are), whatever a later repo's reader had sent.
        let earlier = read_filelists_up_to(&asked, k)
            .then(|| first_filelists_error(&opened[..k], opts, &early_files))
            .flatten();
        // The early fetches the failure stopped (`cancel_from`), and
        // those no longer read, end before the error is said, their temp
        // files removed (the tool exits on it); an answer had is kept for
        // a load started again without a skipped repo.
        opened.iter().for_each(Opened::stop_and_wait_early);
        return Err(earlier.unwrap_or((k, e)));
    }
    if !read_filelists(&keep) {
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
    // Every repo's answer, then the first error in load order: rayon's
    // collect into a `Result` gives whichever error a thread saved first.
    let found: Vec<Vec<(usize, String)>> = {
        let keys = sink.file_keys();
        let each: Vec<Result<_, (usize, Error)>> = keys
            .par_iter()
            .zip(opened.par_iter())
            .enumerate()
            .map(|(ri, (keys, o))| {
                let fetched = early_files.take(ri, o);
                rank::within(Rank::of(ri, Role::Filelists), || {
                    read_filelists_of(o, opts, keys, &wanted, fetched)
                })
                .map_err(|e| (ri, e))
            })
            .collect();
        each.into_iter().collect::<Result<_, _>>()?
    };
    for (ri, files) in found.into_iter().enumerate() {
        sink.add_files(ri, files);
    }
    Ok(())
}

/// The first of `before`'s filelists.xml (the repos before the one whose
/// primary.xml failed, all read) that fails, in load order, with its
/// repo's index: each is read whole (its checksum checked, nothing kept),
/// from its early fetch when one was made, as the load would have read
/// it. Stops at the first that fails, as dnf stops at the first repo.
fn first_filelists_error(
    before: &[Opened],
    opts: &LoadOptions,
    early: &EarlyFilelists,
) -> Option<(usize, Error)> {
    before.iter().enumerate().find_map(|(ri, o)| {
        let fetched = early.take(ri, o);
        let read = rank::within(Rank::of(ri, Role::Filelists), || {
            read_filelists_of(o, opts, &[], &|_| false, fetched)
        });
        read.err().map(|e| (ri, e))
    })
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
/// of their package in `keys`; `fetched`: the file's early fetch, if one
/// was made.
fn read_filelists_of(
    o: &Opened,
    opts: &LoadOptions,
    keys: &[FileKey<'_>],
    keep: &(dyn Fn(&str) -> bool + Sync),
    fetched: Option<Fetched>,
) -> Result<Vec<(usize, String)>> {
    let Some((mut mf, display)) = open_meta_fetched(o, "filelists", opts, fetched)? else {
        return Ok(Vec::new());
    };
    let res = read_filelists_keys(&mut mf.reader, &display, keys, keep);
    checked(res, mf.finish())
}

/// Every file path some dependency of a parsed chunk names (requires,
/// conflicts, obsoletes, weak deps; rich deps' leaves included) that only
/// filelists.xml lists: the paths of filelists.xml that must be kept.
/// Paths createrepo_c also puts into primary.xml are complete there, so
/// they make filelists.xml worth neither reading nor downloading (Fedora's
/// rawhide specs name two other paths among ≈290).
fn needed_paths_raw(c: &RawChunk) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut need = |path: &str| {
        if !is_primary_file(path) {
            out.insert(path.to_string());
        }
    };
    for p in &c.pkgs {
        for e in c.lists_from(p, raw::REQUIRES) {
            match e.dep {
                raw::RawDep::Rich(i) => c.rich[i as usize].for_each_leaf(&mut |leaf| {
                    if leaf.is_file() {
                        need(&leaf.name);
                    }
                }),
                raw::RawDep::Simple(i) => {
                    let name = c.local_str(c.nodes[i as usize].name);
                    if name.starts_with('/') {
                        need(name);
                    }
                }
            }
        }
    }
    out
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
