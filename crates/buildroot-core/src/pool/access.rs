//! The pool's public accessors: a package read back from the compact
//! tables as it was read ([`Pool::package`], and single fields such as
//! [`Pool::name_of`]: libsolv's `solvable_lookup_str`,
//! `solvable_lookup_location`, `solvable_lookup_sourcepkg` and
//! `solvable_lookup_deparray` in solvable.c), the repo a package came from,
//! and the queries the tools make: sources and binaries by name (dnf's
//! name queries) and [`Pool::whatprovides`] (libsolv's `pool_whatprovides`).

use super::{
    DepAccess, DepInterner, DepNode, EvrId, Overlay, PkgId, Pool, Prov, RelFlags, Span, StrId,
};
use crate::arch::ArchPolicy;
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::Evr;
use crate::package::{Package, Requirement};
use crate::rpmmd::RepoAccess;

impl Pool {
    /// Whether [`Pool::load`] read this pool from the cache instead of the
    /// repos' metadata.
    pub fn from_cache(&self) -> bool {
        self.from_cache
    }

    /// The arch policy this pool was built for.
    pub fn arch(&self) -> &ArchPolicy {
        &self.arch
    }

    /// Number of packages (binaries and sources, excluded ones included).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the pool has no packages.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Every package id, in pool order.
    pub fn ids(&self) -> impl Iterator<Item = PkgId> + '_ {
        (0..self.data.len()).map(PkgId::from_usize)
    }

    /// The package with this id, as it was read (rebuilt from the pool's
    /// compact tables: prefer [`Pool::name_of`], [`Pool::evr_of`],
    /// [`Pool::files`] and friends for single fields).
    pub fn package(&self, id: PkgId) -> Package {
        let (d, c) = (&self.data[id.to_usize()], &self.cold[id.to_usize()]);
        let ct = &self.cold_text;
        let provides = match c.raw_provides {
            Some(span) => &self.raw_provs[span.range()],
            None => &self.provs[d.provides.range()],
        };
        let deps = |span: Span| -> Vec<Dep> { span.range().map(|i| self.dep_at(i)).collect() };
        Package {
            name: self.name_of(id).to_string(),
            arch: self.arch_of(id).to_string(),
            evr: self.evr_of(id).clone(),
            sourcerpm: c.sourcerpm.get(ct).to_string(),
            summary: c.summary.get(ct).to_string(),
            provides: provides.iter().map(|p| self.simple_of_prov(p)).collect(),
            requires: self.requires(id),
            conflicts: deps(d.conflicts),
            obsoletes: d
                .obsoletes
                .range()
                .map(|i| simple_or_text(self.dep_at(i)))
                .collect(),
            recommends: deps(d.recommends),
            suggests: deps(d.suggests),
            supplements: deps(d.supplements),
            enhances: deps(d.enhances),
            files: self.files(id).map(str::to_string).collect(),
            location: c.location.get(ct).to_string(),
            checksum: c.checksum.map(|x| x.get(ct).to_string()),
            size: c.size,
            // The pool keeps no file times (a repo's packages from
            // `rpmmd::load_repos` have them).
            time_file: 0,
            details: None,
        }
    }

    /// A package's requires (a source's BuildRequires), as read.
    pub fn requires(&self, id: PkgId) -> Vec<Requirement> {
        self.data[id.to_usize()]
            .requires
            .range()
            .map(|i| Requirement {
                dep: self.dep_at(i),
                pre: self.pre[i / 64] & (1 << (i % 64)) != 0,
            })
            .collect()
    }

    /// The dependency at position `i` of `deplist`, as it was read.
    fn dep_at(&self, i: usize) -> Dep {
        if let Ok(k) = self.rich.binary_search_by_key(&(i as u32), |(at, _)| *at) {
            return self.rich[k].1.clone();
        }
        match self.nodes[self.deplist[i].to_usize()] {
            DepNode::Simple { name, flags, evr } => Dep::Simple(self.simple_dep(name, flags, evr)),
            _ => unreachable!("rich dependencies are kept as read"),
        }
    }

    fn simple_of_prov(&self, p: &Prov) -> SimpleDep {
        match p.rich() {
            Some(k) => simple_or_text(self.rich_provs[k].clone()),
            None => self.simple_dep(p.name, p.flags, p.evr),
        }
    }

    fn simple_dep(&self, name: StrId, flags: RelFlags, evr: EvrId) -> SimpleDep {
        SimpleDep {
            name: self.str_of(name).to_string(),
            range: cmp_of_flags(flags).map(|cmp| Range {
                cmp,
                evr: self.evrs[evr.to_usize()].clone(),
            }),
        }
    }

    /// A package's name.
    pub fn name_of(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].name)
    }

    /// A package's arch (`src` or `nosrc` for sources).
    pub fn arch_of(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].arch)
    }

    /// A package's epoch, version and release.
    pub fn evr_of(&self, id: PkgId) -> &Evr {
        &self.evrs[self.data[id.to_usize()].evr.to_usize()]
    }

    /// `name-V-R` (no epoch, no arch) of a package ([`Package::nvr`]).
    pub fn nvr_of(&self, id: PkgId) -> String {
        format!("{}-{}", self.name_of(id), self.evr_of(id).vr())
    }

    /// Whether the package is a source package.
    pub fn is_source(&self, id: PkgId) -> bool {
        self.data[id.to_usize()].source
    }

    /// A package's source name ([`Package::source_name`]).
    pub fn source_name(&self, id: PkgId) -> &str {
        self.str_of(self.data[id.to_usize()].srcname)
    }

    /// A package's `rpm:sourcerpm` (empty for sources).
    pub fn sourcerpm(&self, id: PkgId) -> &str {
        self.cold[id.to_usize()].sourcerpm.get(&self.cold_text)
    }

    /// A package's `location href`, relative to its repo's root.
    pub fn location(&self, id: PkgId) -> &str {
        self.cold[id.to_usize()].location.get(&self.cold_text)
    }

    /// A package's file checksum, when known.
    pub fn checksum(&self, id: PkgId) -> Option<&str> {
        self.cold[id.to_usize()]
            .checksum
            .map(|c| c.get(&self.cold_text))
    }

    /// A package's files: primary's, then those of filelists.xml loaded.
    pub fn files(&self, id: PkgId) -> impl Iterator<Item = &str> + '_ {
        self.files[self.cold[id.to_usize()].files.range()]
            .iter()
            .map(|f| f.get(&self.file_text))
    }

    /// The ids of the repos the pool was loaded from, in load order (a repo
    /// left out by `skip_if_unavailable` is not among them).
    pub fn loaded_repo_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.repos.iter().map(|r| r.id.as_str())
    }

    /// The id of the repo (`RepoSpec::id`) a package came from
    /// ([`COMMAND_LINE_REPO`](super::COMMAND_LINE_REPO) for a package given as a file).
    pub fn repo_id(&self, id: PkgId) -> &str {
        &self.repos[self.data[id.to_usize()].repo as usize].id
    }

    /// Whether the package was given as a file
    /// ([`Pool::load_with_command_line`]).
    pub fn is_command_line(&self, id: PkgId) -> bool {
        self.repos[self.data[id.to_usize()].repo as usize].command_line
    }

    /// Excludes every binary package whose name `keep` refuses, as an
    /// `includepkgs=` list of those names on every repo would (sources stay):
    /// step 10's "the compose and the workload alone". Rules computed from
    /// the pool before the restriction cannot survive it: they live in a
    /// `Resolver`, which borrows the pool for as long as it exists, and this
    /// takes the pool mutably.
    pub fn restrict_binaries(&mut self, keep: impl Fn(&str) -> bool) {
        for d in self.data.iter_mut() {
            if !d.source && !keep(&self.strs[d.name.to_usize()]) {
                d.disabled = true;
            }
        }
    }

    /// The base URL of the repo a package came from (the mirror used, for
    /// metalink and mirrorlist repos): its `location` is relative to it.
    pub fn repo_baseurl(&self, id: PkgId) -> &str {
        &self.repos[self.data[id.to_usize()].repo as usize].baseurl
    }

    /// The base URLs of the repo a package came from, in the order its
    /// files are sought: the repo's mirrors (a metalink's, a mirrorlist's,
    /// a multi-URL `baseurl=`) in the list's order, as librepo asks them,
    /// as the repo was loaded this run; [`Pool::repo_baseurl`] alone when
    /// it has no list (packages given as files).
    pub fn repo_mirrors(&self, id: PkgId) -> impl Iterator<Item = &str> + '_ {
        let r = &self.repos[self.data[id.to_usize()].repo as usize];
        match r.mirrors.is_empty() {
            true => std::slice::from_ref(&r.baseurl),
            false => &r.mirrors[..],
        }
        .iter()
        .map(String::as_str)
    }

    /// How the files of the repo a package came from are downloaded.
    pub fn repo_access(&self, id: PkgId) -> &RepoAccess {
        &self.repos[self.data[id.to_usize()].repo as usize].access
    }

    /// Whether the package was excluded (`exclude=` / `includepkgs=`).
    pub fn is_excluded(&self, id: PkgId) -> bool {
        self.data[id.to_usize()].disabled
    }

    /// Whether the package can be installed (a binary that is not excluded).
    pub fn is_installable(&self, id: PkgId) -> bool {
        let d = &self.data[id.to_usize()];
        !d.source && !d.disabled && d.score != 0
    }

    /// Source packages named `name` (excludes applied), best first: one
    /// given as a file, then highest repo priority, then highest EVR.
    pub fn sources_named(&self, name: &str) -> Vec<PkgId> {
        self.sym(name)
            .and_then(|s| self.sources_by_name.get(&s))
            .cloned()
            .unwrap_or_default()
    }

    /// The source package name of the first installable binary named
    /// `name` (what `--from-binaries` maps a binary to, and what a binary's
    /// name given as a source is pointed at).
    pub fn source_of_binary(&self, name: &str) -> Option<&str> {
        self.binaries_named(name)
            .first()
            .map(|&p| self.source_name(p))
    }

    /// Installable binary packages named `name`, in pool order.
    pub fn binaries_named(&self, name: &str) -> Vec<PkgId> {
        let Some(sym) = self.sym(name) else {
            return Vec::new();
        };
        self.name_providers(sym)
            .iter()
            .map(|&s| s.package())
            .filter(|&p| {
                let d = &self.data[p.to_usize()];
                d.name == sym && !d.disabled
            })
            .collect()
    }

    /// Installable packages whose provides (or files) satisfy `dep`, in pool
    /// order; rich dependencies give libsolv's loose provider set.
    pub fn whatprovides(&self, dep: &Dep) -> Vec<PkgId> {
        let mut ov = Overlay::new(self);
        let id = ov.intern_dep(dep);
        ov.dep_providers(id)
            .iter()
            .filter(|&&s| s.is_package())
            .map(|&s| s.package())
            .filter(|&p| !self.data[p.to_usize()].disabled)
            .collect()
    }

    /// `name-[E:]V-R.arch` of a package.
    pub fn nevra_string(&self, id: PkgId) -> String {
        crate::evr::Nevra {
            name: self.name_of(id).to_string(),
            evr: self.evr_of(id).clone(),
            arch: self.arch_of(id).to_string(),
        }
        .to_string()
    }
}

/// A provide or obsolete as [`Package`] holds it: a rich one as its text.
fn simple_or_text(d: Dep) -> SimpleDep {
    match d {
        Dep::Simple(s) => s,
        rich => SimpleDep::name(rich.to_string()),
    }
}

/// The comparison of relation flags (those of an rpm-md operator).
fn cmp_of_flags(f: RelFlags) -> Option<Cmp> {
    Cmp::ALL.into_iter().find(|&c| RelFlags::of_cmp(c) == f)
}
