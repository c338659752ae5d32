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
use crate::error::{Error, Result};

/// Why a repo's comps could not be had. The two are told apart as dnf 4
/// tells them: a file that cannot be downloaded whole and right (after
/// the mirrors' turns; a checksum that does not match; a local repo's
/// file missing) fails the repo's librepo batch and so the repo's load,
/// where one that downloads but does not parse is only libcomps' error.
enum Failed {
    /// Not had, or not the file repomd.xml lists.
    Download(Error),
    /// Had, but not comps that can be read.
    Parse(Error),
}

/// A repo's comps, or why they could not be had.
type Got = std::result::Result<Option<Comps>, Failed>;

/// The comps of an opened repo: its `group_gz` record, else its `group`
/// record (as libdnf picks), or None when it lists neither.
fn comps_of(o: &Opened, opts: &LoadOptions) -> Got {
    let kind = if o.repomd.record("group_gz").is_some() {
        "group_gz"
    } else {
        "group"
    };
    let Some((mut mf, display)) = open_meta(o, kind, opts).map_err(Failed::Download)? else {
        return Ok(None);
    };
    let res = Comps::parse(&mut mf.reader, &display);
    let fin = mf.finish();
    let not_listed = matches!(fin, Err(Error::Checksum { .. }));
    match checked(res, fin) {
        Ok(c) => Ok(Some(c)),
        Err(e) if not_listed => Err(Failed::Download(e)),
        Err(e) => Err(Failed::Parse(e)),
    }
}

/// [`comps_of`], either failure as its error (comps read alone: `read_comps_all`).
pub(super) fn comps_of_repo(o: &Opened, opts: &LoadOptions) -> Result<Option<Comps>> {
    comps_of(o, opts).map_err(|(Failed::Download(e) | Failed::Parse(e))| e)
}

/// Runs `load` on `opened` (on this thread) while the comps of each of its
/// repos are fetched and parsed (a thread each), then gives `load`'s
/// answer and the comps of each of `specs`, in the order of `specs`, as
/// [`read_comps_all`](super::read_comps_all) gives them: None for a repo
/// `load` left out (dnf reads no comps of a repo it skipped), a disabled
/// one, or a later section of an id already given (dnf uses the first).
/// A repo with `skip_if_unavailable` whose comps cannot be downloaded is
/// left out whole, as dnf 4 leaves it out (its comps are in the librepo
/// batch of its metadata: `Repo::Impl::lrHandleInitBase` lists group_gz):
/// said as any repo skipped (`skip::warn_skipped`), removed from `opened`
/// and `load` run again without it (its packages read once more from the
/// cache, a rare path). One whose comps download but do not parse keeps
/// its packages, its groups left out, with a warning that says so
/// (`skip::warn_comps_left_out`; dnf 4's "Failed to add groups file").
/// `load`'s error comes first; then the first failing repo's, in the
/// order of `specs`.
pub(crate) fn load_with_comps<T>(
    specs: &[RepoSpec],
    opened: &mut OpenedRepos,
    opts: &LoadOptions,
    mut load: impl FnMut(&mut OpenedRepos) -> Result<T>,
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
        let got: Vec<Got> = threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        (loaded, got)
    });
    let mut loaded = loaded?;
    // The repos whose comps download failed and that may be skipped: out
    // whole, and the pool made again without them.
    let kept: HashSet<&str> = opened.configured().map(|s| s.id.as_str()).collect();
    let mut gone: Vec<String> = Vec::new();
    for (o, g) in each.iter().zip(&got) {
        if let Err(Failed::Download(e)) = g {
            let id = o.configured.id.as_str();
            if kept.contains(id) && !gone.iter().any(|g| g == id) && skip::skips(&o.spec, e, opts) {
                skip::warn_skipped(&o.spec, e);
                gone.push(id.to_string());
            }
        }
    }
    if !gone.is_empty() {
        opened.0.retain(|o| !gone.contains(&o.configured.id));
        loaded = load(opened)?;
    }
    let mut got: Vec<(&RepoSpec, Option<Got>)> = each
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
            Some(Ok(c)) => c,
            Some(Err(Failed::Parse(e))) if skip::skips(spec, &e, opts) => {
                skip::warn_comps_left_out(spec, &e);
                None
            }
            Some(Err(Failed::Download(e) | Failed::Parse(e))) => return Err(e),
        });
    }
    Ok((loaded, out))
}
