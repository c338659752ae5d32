//! A repository as configured ([`RepoSpec`]: a command-line `ID=URL` or a
//! `.repo` section, with the options of libdnf's `ConfigRepo` we read) and
//! how a load goes ([`LoadOptions`], [`Filelists`]), and what it gives
//! ([`LoadedRepo`]).

use std::path::PathBuf;

use super::{filelists, repofile, skip, MirrorSource, RepoAccess, Vars};
use crate::error::{Error, Result};
use crate::package::Package;

/// One repository as configured (command line `ID=URL` or a `.repo` section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The repo id (`[id]` or `ID=`).
    pub id: String,
    /// The display name (`name=`; the id when absent).
    pub name: String,
    /// The URL or directory the repository is read from.
    pub baseurl: String,
    /// More URLs of a multi-URL `baseurl=`, tried in order when one fails.
    /// In a loaded repo: the mirrors other than the one that answered, in
    /// the list's order ([`RepoSpec::answered_at`] says where that one
    /// stands), where its packages (SRPMs) are sought.
    pub extra_baseurls: Vec<String>,
    /// In a loaded repo: where `baseurl`, the mirror that answered, stands
    /// in the repo's list of mirrors (0 as configured). Its packages are
    /// asked of the mirrors in the list's order ([`RepoSpec::package_mirrors`]).
    pub answered_at: usize,
    /// `metalink=`/`mirrorlist=`: its mirrors are tried before the baseurls.
    pub mirrors: Option<MirrorSource>,
    /// dnf priority: lower wins; default 99.
    pub priority: i32,
    /// dnf cost: lower wins among equal priorities; default 1000.
    pub cost: i32,
    /// Package name globs excluded (`exclude=` / `excludepkgs=`).
    pub exclude: Vec<String>,
    /// When non-empty, only package names matching one of these globs.
    pub includepkgs: Vec<String>,
    /// `enabled=`: disabled repositories are not loaded.
    pub enabled: bool,
    /// `skip_if_unavailable=`: when the metadata cannot be had, the repo
    /// is left out with a warning instead of failing the load (`skip.rs`).
    pub skip_if_unavailable: bool,
    /// How its downloads are made (credentials; `access.rs`).
    pub access: RepoAccess,
    /// The `.repo` file it was read from (None: given on the command line),
    /// for messages.
    pub origin: Option<String>,
    /// The variables dnf hands librepo for this repo ([`Vars::url_vars`]):
    /// librepo substitutes them in the URLs a metalink or mirrorlist lists.
    pub url_vars: std::collections::BTreeMap<String, String>,
    /// Variables its URLs refer to that no one set (`$stream` without a
    /// vars file or `DNF_VAR_stream`): named when the repo cannot be read
    /// (`unset_vars.rs`).
    pub unset_vars: Vec<String>,
    /// Left out as its `.repo` section was read (`skip_if_unavailable=1`
    /// and no usable URL: dnf fails it when it loads, and goes on): it is
    /// disabled, and still one of the repos a run went on without
    /// ([`super::left_out`]).
    pub left_out_when_read: bool,
}

impl RepoSpec {
    /// The repo's mirrors in the order its packages are asked of them: the
    /// list's order (a metalink's, a mirrorlist's, the baseurls), whichever
    /// mirror answered repomd.xml, as librepo asks them (dnf 4.14, whose
    /// first mirror failed repomd.xml, downloaded the package from it all
    /// the same); as configured, `baseurl` then `extra_baseurls`.
    pub fn package_mirrors(&self) -> Vec<String> {
        let at = self.answered_at.min(self.extra_baseurls.len());
        let (before, after) = self.extra_baseurls.split_at(at);
        before
            .iter()
            .chain(std::iter::once(&self.baseurl))
            .chain(after)
            .cloned()
            .collect()
    }

    /// A repo with dnf's defaults (priority 99, cost 1000, enabled).
    pub fn new(id: &str, baseurl: &str) -> RepoSpec {
        RepoSpec {
            id: id.to_string(),
            name: id.to_string(),
            baseurl: baseurl.to_string(),
            extra_baseurls: Vec::new(),
            answered_at: 0,
            mirrors: None,
            priority: 99,
            cost: 1000,
            exclude: Vec::new(),
            includepkgs: Vec::new(),
            enabled: true,
            skip_if_unavailable: false,
            access: RepoAccess::default(),
            origin: None,
            url_vars: Default::default(),
            unset_vars: Vec::new(),
            left_out_when_read: false,
        }
    }

    /// What the pool cache hashes of it (its file's name and key): every
    /// field but `unset_vars`, which only a message uses and which the
    /// substituted URLs already account for, so that a spec differing only
    /// there shares its pool.
    pub(crate) fn pool_identity(&self) -> String {
        let mut spec = self.clone();
        spec.unset_vars = Vec::new();
        format!("{spec:?}")
    }

    /// Its URLs: the baseurls, and its metalink's or mirrorlist's.
    pub(super) fn urls(&self) -> Vec<&str> {
        let mut urls: Vec<&str> = std::iter::once(&self.baseurl)
            .chain(&self.extra_baseurls)
            .map(String::as_str)
            .collect();
        if let Some(MirrorSource::Metalink(u) | MirrorSource::Mirrorlist(u)) = &self.mirrors {
            urls.push(u);
        }
        urls
    }

    /// How messages name the repo before a path of it: `repo 'ID' (FILE): `
    /// for a `.repo` section; nothing for a command-line `ID=URL`, where the
    /// path is what the user typed beside the id.
    pub fn label(&self) -> String {
        match &self.origin {
            Some(file) => format!("repo '{}' ({file}): ", self.id),
            None => String::new(),
        }
    }

    /// Parses a command-line `ID=URL` (a bare URL gets its own text as id).
    /// `$basearch`/`$arch`/`$releasever` are substituted from `vars`.
    ///
    /// An `=` is in both forms (a query string, `https://h/r?a=b`), so the
    /// text before the first `=` tells them apart: with a `/` it is the
    /// start of a URL or a path, and the whole is a bare URL; without one it
    /// is an id. A repo id holds no `/` (dnf takes letters, digits and
    /// `-_.:`), while a URL has `/` after its scheme, before any query, and
    /// a directory given with an `=` in it is written with its `/` (`./a=b`).
    /// A `:` no longer makes a bare URL: dnf takes it in ids (`my:repo`).
    pub fn parse_cli(s: &str, vars: &Vars) -> Result<RepoSpec> {
        let s = s.trim();
        let (id, url) = match s.split_once('=') {
            Some((id, url)) if !id.contains('/') => (id.trim(), url.trim()),
            _ => (s, s),
        };
        if id.is_empty() || url.is_empty() {
            return Err(Error::Usage(format!("'{s}': expected ID=URL")));
        }
        // dnf refuses such an id on its command line too (`--repofrompath`:
        // "Invalid repository id"); taken, it would name the repo in every
        // message and record with a space or a shell character in it. A bare
        // URL is its own id, not typed as one: not checked.
        if id != s {
            if let Some((at, c)) = invalid_id_char(id) {
                return Err(Error::Usage(format!(
                    "'{s}': '{id}' is not a repo id dnf takes: '{c}' at position {} \
                     (letters, digits and -_.: only)",
                    at + 1
                )));
            }
        }
        let mut spec = RepoSpec::new(id, &vars.url_substitute(&vars.substitute(url)));
        spec.url_vars = vars.url_vars();
        spec.unset_vars = vars.unset_in(&[url], &[&spec.baseurl]);
        if let Some(main) = &vars.main {
            main.apply_to_cli_repo(&mut spec)?;
            // libdnf's repo_gpgcheck is inherited by every repo, one of the
            // command line too: said as for a section.
            if let Some(msg) = repofile::unchecked_signature(&[], vars, "", id) {
                skip::warn_once(msg);
            }
        }
        Ok(spec)
    }
}

/// The first character of `id` that dnf does not take in a repo id (it
/// takes ASCII letters, digits and `-_.:`; `dnf.repo.repo_id_invalid`), with
/// its character index.
pub(crate) fn invalid_id_char(id: &str) -> Option<(usize, char)> {
    id.chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-_.:".contains(*c)))
}

/// Which filelists.xml paths to load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Filelists {
    /// Primary's file subset only.
    PrimaryOnly,
    /// Every path (memory-hungry on Fedora: hundreds of MB).
    All,
    /// Only paths that some dependency of the loaded repos names (what a
    /// resolver can ever ask about). The default.
    #[default]
    Needed,
    /// [`Filelists::Needed`] plus every path starting with one of these
    /// prefixes (e.g. rpm's macro directories, to find macro packages).
    NeededAnd(Vec<String>),
    /// [`Filelists::Needed`] plus these paths (those that packages added to
    /// the pool after the repos require: the command line's).
    NeededWith(Vec<String>),
}

impl Filelists {
    /// Whether a load reads every repo's filelists.xml whatever its
    /// primaries name (the load failing aside): all of them, paths by
    /// prefix, or paths given. [`Filelists::Needed`] knows only once a
    /// dependency names a path primary.xml lacks.
    pub(crate) fn read_from_start(&self) -> bool {
        match self {
            Filelists::All => true,
            Filelists::NeededAnd(p) | Filelists::NeededWith(p) => !p.is_empty(),
            Filelists::PrimaryOnly | Filelists::Needed => false,
        }
    }

    /// [`Filelists::Needed`] plus the paths that `packages` require and
    /// primary.xml's file subset does not hold (packages that join a pool
    /// after its repos' dependencies were read: the command line's). Other
    /// settings stay as they are.
    pub(crate) fn and_paths(self, packages: &[Package]) -> Filelists {
        let mut paths = Vec::new();
        for r in packages.iter().flat_map(|p| &p.requires) {
            r.dep.for_each_leaf(&mut |d| {
                if d.is_file() && !filelists::is_primary_file(&d.name) && !paths.contains(&d.name) {
                    paths.push(d.name.clone());
                }
            });
        }
        match self {
            Filelists::Needed if !paths.is_empty() => Filelists::NeededWith(paths),
            other => other,
        }
    }
}

/// How repositories are loaded.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Which file lists to read.
    pub filelists: Filelists,
    /// Where HTTP repositories are cached (required for them).
    pub cache_dir: Option<PathBuf>,
}

impl LoadOptions {
    /// The default file lists ([`Filelists::Needed`]) with `cache_dir` as
    /// the cache: what a buildroot run loads.
    pub fn cached_in(cache_dir: impl Into<PathBuf>) -> LoadOptions {
        LoadOptions {
            filelists: Filelists::Needed,
            cache_dir: Some(cache_dir.into()),
        }
    }
}

/// A repository's packages as loaded.
#[derive(Clone, Debug)]
pub struct LoadedRepo {
    /// How it was configured.
    pub spec: RepoSpec,
    /// Its packages, in primary.xml's order.
    pub packages: Vec<Package>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dep::Dep;
    use crate::package::Requirement;

    #[test]
    fn command_line_paths_are_exact_and_not_primarys() {
        let requires = ["/usr/bin/nasm", "gcc", "(/usr/lib/compat32/README or foo)"]
            .iter()
            .map(|d| Requirement {
                dep: Dep::parse(d).unwrap(),
                pre: false,
            })
            .collect();
        let p = Package {
            requires,
            ..Default::default()
        };
        // /usr/bin/... is in primary.xml's file subset already.
        assert_eq!(
            Filelists::Needed.and_paths(std::slice::from_ref(&p)),
            Filelists::NeededWith(vec!["/usr/lib/compat32/README".into()])
        );
        assert_eq!(
            Filelists::All.and_paths(std::slice::from_ref(&p)),
            Filelists::All
        );
        let none = Package::default();
        assert_eq!(Filelists::Needed.and_paths(&[none]), Filelists::Needed);
    }
}
