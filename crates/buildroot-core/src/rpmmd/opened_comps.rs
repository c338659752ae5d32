//! The comps of the repos a load has opened, taken from the same opened
//! repos as their packages: each repo's repomd.xml is read once per load,
//! and its group file is the one that repomd.xml lists, fetched and parsed
//! while the primaries load, its transfer in the load's slots. This is
//! libdnf's way (`Repo::Impl::fetch` hands librepo one repomd.xml and the
//! files it lists, group_gz among them, as one batch), where reading the
//! comps after the load opened each repo again: a second repomd.xml, which
//! a mirror that synced in between answers from another generation.

use std::collections::HashSet;

use super::cancel::Cancel;
use super::rank::{self, Rank, Role};
use super::{checked, open_meta, skip, Comps, LoadOptions, Opened, OpenedRepos, RepoSpec};
use crate::error::Result;

/// The comps of an opened repo: its `group_gz` record, else its `group`
/// record (as libdnf picks), or None when it lists neither.
pub(super) fn comps_of(o: &Opened, opts: &LoadOptions) -> Result<Option<Comps>> {
    let kind = if o.repomd.record("group_gz").is_some() {
        "group_gz"
    } else {
        "group"
    };
    let Some((mut mf, display)) = open_meta(o, kind, opts)? else {
        return Ok(None);
    };
    let res = Comps::parse(&mut mf.reader, &display);
    checked(res, mf.finish()).map(Some)
}

/// Runs `load` on `opened` (on this thread) while the comps of each of its
/// repos are fetched and parsed (a thread each), then gives `load`'s
/// answer and the comps of each of `specs`, in the order of `specs`, as
/// [`read_comps_all`](super::read_comps_all) gives them: None for a repo
/// `load` left out (dnf reads no comps of a repo it skipped), a disabled
/// one, or a later section of an id already given (dnf uses the first);
/// a repo with `skip_if_unavailable` whose comps cannot be had has none,
/// with a warning that says so (its groups left out, its packages kept:
/// `skip::warn_comps_left_out`). `load`'s error comes first; then the first failing
/// repo's, in the order of `specs`.
pub(crate) fn load_with_comps<T>(
    specs: &[RepoSpec],
    opened: &mut OpenedRepos,
    opts: &LoadOptions,
    load: impl FnOnce(&mut OpenedRepos) -> Result<T>,
) -> Result<(T, Vec<Option<Comps>>)> {
    // Clones share each repo's repomd.xml and tally: the comps are held to
    // the repomd.xml the packages come from.
    let each: Vec<Opened> = opened.0.clone();
    // Set when `load` fails: the comps are not wanted then, and are not
    // waited for (`cancel.rs`). A repo `load` skips leaves them be: the
    // other repos' comps are still wanted.
    let cancel = Cancel::new();
    let (loaded, got) = std::thread::scope(|scope| {
        // Nothing reads them before the load ends: their transfers wait
        // behind every file of the load (`rank.rs`).
        let threads: Vec<_> = each
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let rank = Rank::beside_load(i, Role::Comps);
                let cancel = &cancel;
                scope.spawn(move || cancel.within(|| rank::within(rank, || comps_of(o, opts))))
            })
            .collect();
        let loaded = load(opened);
        if loaded.is_err() {
            cancel.cancel();
        }
        // A thread that panicked: the panic goes on here.
        let got: Vec<Result<Option<Comps>>> = threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        (loaded, got)
    });
    let loaded = loaded?;
    let mut got: Vec<(&RepoSpec, Option<Result<Option<Comps>>>)> = each
        .iter()
        .map(|o| &o.configured)
        .zip(got.into_iter().map(Some))
        .collect();
    let kept: HashSet<&str> = opened.configured().map(|s| s.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let first = seen.insert(spec.id.as_str());
        let mine = got
            .iter_mut()
            .find(|(s, _)| s.id == spec.id)
            .filter(|_| first && spec.enabled && kept.contains(spec.id.as_str()))
            .and_then(|(_, r)| r.take());
        out.push(match mine {
            None => None,
            Some(Err(e)) if skip::skips(spec, &e, opts) => {
                skip::warn_comps_left_out(spec, &e);
                None
            }
            Some(r) => r?,
        });
    }
    Ok((loaded, out))
}
