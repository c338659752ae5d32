//! The pool as the solver reads it, inside the crate: symbols, EVRs and
//! dependencies by id (libsolv's `pool_str2id`, `pool_id2str` and
//! `pool_id2evr` in poolid.c), provider lists (`pool_whatprovides_ptr` in
//! pool.h), complex dependencies (`pool_is_complex_dep` in cplxdeps.h), the
//! owners of a path no dependency names (what dnf's file selector finds),
//! and [`DepAccess`] for the pool.

use std::borrow::Cow;
use std::sync::Arc;

use super::{
    DepAccess, DepId, DepNode, EvrId, PkgData, PkgId, Pool, Prov, SolvableId, Span, StrId,
};
use crate::evr::Evr;

impl Pool {
    /// The symbol of a package's source name ([`Package::source_name`]).
    pub(crate) fn source_sym(&self, id: PkgId) -> StrId {
        self.data[id.to_usize()].srcname
    }

    /// The symbol of a string, if the pool knows it.
    pub(crate) fn sym(&self, s: &str) -> Option<StrId> {
        self.strs.get(s)
    }

    /// Number of interned strings.
    pub(crate) fn nsyms(&self) -> usize {
        self.strs.len()
    }

    /// Number of interned EVRs.
    pub(crate) fn nevrs(&self) -> usize {
        self.evrs.len()
    }

    /// Number of interned dependencies.
    pub(crate) fn nnodes(&self) -> usize {
        self.nodes.len()
    }

    /// The id of an EVR, if the pool knows it.
    pub(crate) fn evr_id(&self, evr: &Evr) -> Option<EvrId> {
        self.evrs.get(evr)
    }

    /// The id of a dependency, if the pool knows it.
    pub(crate) fn node_id(&self, node: &DepNode) -> Option<DepId> {
        self.nodes.get(node)
    }

    /// Every binary named `sym`, excluded and wrong-arch too.
    pub(crate) fn all_binaries_named(&self, sym: StrId) -> &[SolvableId] {
        self.binaries_by_name
            .get(&sym)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The text of a pool string.
    pub(crate) fn str_of(&self, sym: StrId) -> &str {
        &self.strs[sym.to_usize()]
    }

    /// Data of solvable `sid` (a package).
    #[inline]
    pub(crate) fn sd(&self, sid: SolvableId) -> &PkgData {
        &self.data[sid.package().to_usize()]
    }

    /// Providers of a pool dependency.
    #[inline]
    pub(crate) fn dep_list(&self, dep: DepId) -> &[SolvableId] {
        &self.dep_wp_data[self.dep_wp[dep.to_usize()].range()]
    }

    /// Providers of a pool name symbol.
    #[inline]
    pub(crate) fn name_list(&self, sym: StrId) -> &[SolvableId] {
        &self.name_wp_data[self.name_wp[sym.to_usize()].range()]
    }

    /// Whether a pool dependency becomes CNF rules (and, if, unless, or
    /// over those).
    #[inline]
    pub(crate) fn dep_is_complex(&self, dep: DepId) -> bool {
        self.complex[dep.to_usize()]
    }

    /// Binaries with an Obsoletes naming `sym` (ascending).
    pub(crate) fn obsoleters_of_name(&self, sym: StrId) -> &[SolvableId] {
        self.obsoleters
            .get(&sym)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// A dependency list of a package (a [`PkgData`] span).
    pub(crate) fn deps_of(&self, span: Span) -> &[DepId] {
        &self.deplist[span.range()]
    }

    /// Installable-arch binaries (excluded ones too) whose file list holds
    /// `path`: a file selector's search (cached).
    pub(crate) fn file_owners(&self, path: &str) -> Arc<[SolvableId]> {
        if let Ok(cache) = self.file_cache.lock() {
            if let Some(l) = cache.get(path) {
                return l.clone();
            }
        }
        let mut out = Vec::new();
        for (i, d) in self.data.iter().enumerate() {
            if !d.source && d.score != 0 && self.files(PkgId::from_usize(i)).any(|f| f == path) {
                out.push(SolvableId::of_index(i));
            }
        }
        let l: Arc<[SolvableId]> = out.into();
        if let Ok(mut cache) = self.file_cache.lock() {
            cache.insert(path.to_string(), l.clone());
        }
        l
    }
}

impl DepAccess for Pool {
    fn sym_str(&self, sym: StrId) -> &str {
        &self.strs[sym.to_usize()]
    }

    fn evr(&self, id: EvrId) -> &Evr {
        &self.evrs[id.to_usize()]
    }

    fn node(&self, dep: DepId) -> DepNode {
        self.nodes[dep.to_usize()]
    }

    fn name_providers(&self, sym: StrId) -> Cow<'_, [SolvableId]> {
        Cow::Borrowed(self.name_list(sym))
    }

    fn dep_providers(&self, dep: DepId) -> Cow<'_, [SolvableId]> {
        Cow::Borrowed(self.dep_list(dep))
    }

    fn provides_of(&self, sid: SolvableId) -> &[Prov] {
        &self.provs[self.sd(sid).provides.range()]
    }

    fn owns_file(&self, sid: SolvableId, path: StrId) -> bool {
        let path = &self.strs[path.to_usize()];
        self.files(sid.package()).any(|f| f == &**path)
    }
}
