//! Which of a load's waiting transfers gets a free download slot first
//! (`slot_queue.rs`): the one dnf would have asked first. dnf 4 loads
//! its enabled repos one after the other, sorted by (priority, cost)
//! (`Base.fill_sack` over `RepoDict.iter_enabled`), and each repo's
//! files in one librepo download: its metalink or mirrorlist, then
//! repomd.xml, then the files repomd.xml lists (primary, filelists, the
//! comps, ...). Our load has every repo's files under way at once, so a
//! transfer carries a [`Rank`]: its repo's place in the load order, then
//! its file's role; among equal ranks, arrival decides, as before.
//!
//! The rank is a thread's, as its [`super::cancel::Cancel`] is: the
//! threads of a load set it ([`within`]) around what they fetch, and a
//! transfer takes it when it joins the queue. Transfers that never set one
//! (a batch of packages, a fetch-compose's lists) all have the same,
//! [`Rank::default`], and are served in arrival order.

use std::cell::Cell;

/// What a metadata file is for, in the order dnf's download of one repo
/// asks for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Role {
    /// Opening the repo: its metalink or mirrorlist, and repomd.xml.
    #[default]
    Repomd,
    Primary,
    Filelists,
    /// The comps (`group_gz`, `group`).
    Comps,
}

/// A transfer's place in the order dnf would have asked for it: smaller
/// first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Rank {
    /// Fetched beside a load rather than as part of it (the comps of
    /// `Pool::load_with_comps`, which nothing reads before the load
    /// ends): after every file of the load.
    beside: bool,
    /// The repo's place in the load order.
    repo: usize,
    role: Role,
}

impl Rank {
    /// The `role` file of the load's repo at `repo` (its index in load
    /// order).
    pub(super) const fn of(repo: usize, role: Role) -> Rank {
        Rank {
            beside: false,
            repo,
            role,
        }
    }

    /// The `role` file of the repo at `repo`, fetched beside a load: after
    /// every file of that load.
    pub(super) fn beside_load(repo: usize, role: Role) -> Rank {
        Rank {
            beside: true,
            repo,
            role,
        }
    }
}

thread_local! {
    /// The rank this thread's transfers take.
    static CURRENT: Cell<Rank> = const {
        Cell::new(Rank {
            beside: false,
            repo: 0,
            role: Role::Repomd,
        })
    };
}

/// Runs `f` with `rank` as this thread's (the previous one back after it,
/// however `f` ends).
pub(super) fn within<R>(rank: Rank, f: impl FnOnce() -> R) -> R {
    struct Restore(Rank);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(rank)));
    f()
}

/// This thread's rank.
pub(super) fn current() -> Rank {
    CURRENT.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repo's files in dnf's order, repos in load order, comps fetched
    /// beside a load after every file of it; a thread's rank only while
    /// `within` runs.
    #[test]
    fn ranks_follow_dnf_s_order() {
        let order = [
            Rank::of(0, Role::Repomd),
            Rank::of(0, Role::Primary),
            Rank::of(0, Role::Filelists),
            Rank::of(0, Role::Comps),
            Rank::of(1, Role::Repomd),
            Rank::of(1, Role::Primary),
            Rank::beside_load(0, Role::Comps),
            Rank::beside_load(1, Role::Comps),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert_eq!(current(), Rank::default());
        let got = within(order[5], || within(order[2], current));
        assert_eq!(got, order[2]);
        assert_eq!(current(), Rank::default());
    }
}
