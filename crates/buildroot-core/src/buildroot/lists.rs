//! The run's lists, as `--print`, `--json` and the output directory give
//! them: binaries and sources (names, NVRs), the core's, a source's record
//! and the failure counts of the summary. Sorted and unique, byte order.

use super::{Buildroot, SourceRecord};
use crate::pool::PkgId;

impl Buildroot<'_> {
    /// Every binary installed by any transaction (core included): ids, sorted, unique.
    pub fn binary_ids(&self) -> Vec<PkgId> {
        let mut mark = vec![false; self.pool.len()];
        let sets = std::iter::once(&self.core.installed[..])
            .chain(self.sources.iter().map(|s| &s.installed[..]));
        for p in sets.flatten() {
            mark[p.0 as usize] = true;
        }
        (0..self.pool.len() as u32)
            .map(PkgId)
            .filter(|p| mark[p.0 as usize])
            .collect()
    }

    /// Names of every binary (byte-sorted, unique).
    pub fn binaries(&self) -> Vec<String> {
        crate::pkglist::sorted_unique(
            self.binary_ids()
                .into_iter()
                .map(|p| self.pool.name_of(p).to_string()),
        )
    }

    /// `name-version-release` of every binary.
    pub fn binary_nvrs(&self) -> Vec<String> {
        crate::pkglist::sorted_unique(self.binary_ids().into_iter().map(|p| self.pool.nvr_of(p)))
    }

    /// Every source name of the run (NoSource ones included), and with
    /// [`Scope::Input`](super::Scope::Input) the sources of its binaries
    /// it did not build.
    pub fn source_names(&self) -> Vec<String> {
        let not_built = self.not_built.iter().map(|(n, _)| n);
        crate::pkglist::sorted_unique(
            self.sources
                .iter()
                .map(|s| &s.name)
                .chain(not_built)
                .cloned(),
        )
    }

    /// `name-version-release` of every chosen source package (and of those
    /// [`Buildroot::not_built`] names).
    pub fn source_nvrs(&self) -> Vec<String> {
        let not_built = self.not_built.iter().filter_map(|(_, p)| *p);
        crate::pkglist::sorted_unique(
            self.sources
                .iter()
                .filter_map(|s| s.srpm)
                .chain(not_built)
                .map(|p| self.pool.nvr_of(p)),
        )
    }

    /// Names of the core's binaries.
    pub fn core_binaries(&self) -> Vec<String> {
        crate::pkglist::sorted_unique(
            self.core
                .installed
                .iter()
                .map(|&p| self.pool.name_of(p).to_string()),
        )
    }

    /// Source names of the core's binaries.
    pub fn core_sources(&self) -> Vec<String> {
        crate::pkglist::sorted_unique(
            self.core
                .installed
                .iter()
                .map(|&p| self.pool.source_name(p).to_string()),
        )
    }

    /// The record of source `name`.
    pub fn source(&self, name: &str) -> Option<&SourceRecord> {
        self.source_index(name).map(|i| &self.sources[i])
    }

    /// The index in `sources` (sorted by name) of source `name`.
    pub fn source_index(&self, name: &str) -> Option<usize> {
        self.sources
            .binary_search_by(|s| s.name.as_str().cmp(name))
            .ok()
    }

    /// Sources with any error (NoInstall, BadDeps, NoSource).
    pub fn failed(&self) -> impl Iterator<Item = &SourceRecord> {
        self.sources.iter().filter(|s| s.has_errors())
    }

    /// How many failed sources have each kind of error, in the order the
    /// run's summary names them (a source with two kinds counts in both).
    pub fn failure_counts(&self) -> [(&'static str, usize); 3] {
        let count = |f: fn(&SourceRecord) -> bool| self.failed().filter(|s| f(s)).count();
        [
            ("NoInstall", count(|s| !s.no_install.is_empty())),
            ("BadDeps", count(|s| !s.bad_deps.is_empty())),
            ("NoSource", count(|s| s.no_source())),
        ]
    }
}
