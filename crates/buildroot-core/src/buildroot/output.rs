//! What a buildroot run writes: dep-tracker's output directory layout, the
//! `buildroot-binary-relations` JSON content-resolver reads, and one JSON
//! document with everything for scripts. See docs/formats.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::workload::Relations;

use super::{Buildroot, Scope, SourceRecord};
use crate::atomic::{self, EarlierOutput, StagedDir};
use crate::error::{Error, Result};
use crate::pkglist::write_list;
use crate::pool::PkgId;

/// A run's report: what buildroot-generator's `--json` prints (every list
/// of the output directory, and the errors per source). Not to be confused
/// with content-resolver's buildroot config
/// ([`crate::workload::BuildrootConfigDocument`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BuildrootReport {
    /// The target arch of the run.
    pub arch: String,
    /// How far the run went: only `"builds-only"` is written (the input's
    /// builds alone); absent, the document is a fixed point's, as every
    /// document was before `--builds-only`.
    #[serde(default, skip_serializing_if = "Scope::is_fixed_point")]
    pub scope: Scope,
    /// Names of every binary installed by any transaction (byte-sorted).
    pub binaries: Vec<String>,
    /// Every source name of the run, NoSource ones included.
    pub sources: Vec<String>,
    /// `name-version-release` of every binary.
    pub binary_nvrs: Vec<String>,
    /// `name-version-release` of every chosen source package.
    pub source_nvrs: Vec<String>,
    /// The core buildroot resolved alone.
    pub core: CoreReport,
    /// Source name -> its errors, for the sources that have any.
    pub errors: BTreeMap<String, SourceErrors>,
    /// The ids of the repos `skip_if_unavailable=1` left out of the run
    /// (their metadata could not be had), sorted; absent when none, so a
    /// whole run's document is as it was before the key existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_repos: Vec<String>,
    /// The names of the `--only-binaries` lists that no repository holds
    /// a binary package of (a compose list naming what the repos lack),
    /// sorted; absent when none (and without `--only-binaries`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_binaries_unknown: Vec<String>,
}

/// The core buildroot's part of a [`BuildrootReport`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CoreReport {
    /// The core names asked for (`dnf install NAME` each).
    pub names: Vec<String>,
    /// Core names no package matches.
    pub missing: Vec<String>,
    /// Problem lines if the core alone cannot be solved.
    pub problems: Vec<String>,
    /// Names of the core's binaries.
    pub binaries: Vec<String>,
    /// Source names of the core's binaries.
    pub sources: Vec<String>,
}

/// One source's errors in a [`BuildrootReport`] (dep-tracker's `errors/`
/// files); an empty kind is left out of the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceErrors {
    /// BuildRequires that matched nothing (NoInstall).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub no_install: Vec<String>,
    /// Problem lines of a transaction that could not be solved (BadDeps).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub bad_deps: Vec<String>,
    /// No source package of that name (NoSource).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub no_source: bool,
}

impl SourceErrors {
    /// The errors as buildroot-generator's warning lines say them, one
    /// line each: NoSource, each NoInstall, BadDeps.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.no_source {
            out.push("no source package of that name".to_string());
        }
        out.extend(
            self.no_install
                .iter()
                .map(|r| format!("NoInstall: nothing provides '{r}'")),
        );
        if !self.bad_deps.is_empty() {
            out.push(format!("BadDeps: {}", self.bad_deps.join("; ")));
        }
        out
    }
}

impl SourceRecord {
    /// Its errors, as the report holds them.
    pub fn errors(&self) -> SourceErrors {
        SourceErrors {
            no_install: self.no_install.clone(),
            bad_deps: self.bad_deps.clone(),
            no_source: self.no_source(),
        }
    }
}

/// A content-resolver view id: `eln` and `view-eln` both give `view-eln`.
pub fn view_id(view: &str) -> String {
    if view.starts_with("view-") {
        view.to_string()
    } else {
        format!("view-{view}")
    }
}

impl Buildroot<'_> {
    /// The run's report (buildroot-generator's `--json`).
    pub fn report(&self, arch: &str) -> BuildrootReport {
        let errors = self
            .failed()
            .map(|s| (s.name.clone(), s.errors()))
            .collect();
        BuildrootReport {
            arch: arch.to_string(),
            scope: self.scope,
            binaries: self.binaries(),
            sources: self.source_names(),
            binary_nvrs: self.binary_nvrs(),
            source_nvrs: self.source_nvrs(),
            core: CoreReport {
                names: self.core.names.clone(),
                missing: self.core.missing.clone(),
                problems: self.core.problems.clone(),
                binaries: self.core_binaries(),
                sources: self.core_sources(),
            },
            errors,
            skipped_repos: Vec::new(),
            only_binaries_unknown: Vec::new(),
        }
    }

    /// The relations document: for every binary of any source's transaction,
    /// the members of the same install sets that require, recommend or
    /// suggest it (unions over all transactions), and its source name.
    pub fn relations(&self, view: &str, arch: &str) -> Relations {
        let pool = self.pool;
        // Per package, the pool packages its requires/recommends/suggests name (computed once).
        let mut edges: FxHashMap<PkgId, [Vec<PkgId>; 3]> = FxHashMap::default();
        // (target, kind, member) pairs found so far, and in a list to sort:
        // a union over 20k transactions that mostly repeat the same pairs.
        let mut seen: FxHashSet<(PkgId, u8, PkgId)> = FxHashSet::default();
        let mut pairs: Vec<(PkgId, u8, PkgId)> = Vec::new();
        let mut members: BTreeSet<PkgId> = BTreeSet::new();
        // Set membership by stamp: `stamp[p] == round` while p's set is looked at.
        let mut stamp = vec![0u32; pool.len()];
        // Sources whose transactions are the same share their install set.
        let mut done: FxHashSet<*const PkgId> = FxHashSet::default();
        let sets = self.sources.iter().map(|r| &r.installed);
        let sets = sets.filter(|set| done.insert(set.as_ptr()));
        for (round, set) in (1u32..).zip(sets) {
            for &q in set.iter() {
                stamp[q.to_usize()] = round;
            }
            members.extend(set.iter().copied());
            for &q in set.iter() {
                let e = edges.entry(q).or_insert_with(|| {
                    let p = pool.package(q);
                    let provs = |deps: &mut dyn Iterator<Item = &crate::dep::Dep>| {
                        let mut v: Vec<PkgId> = deps
                            .flat_map(|d| pool.whatprovides(d))
                            .filter(|&x| x != q)
                            .collect();
                        v.sort_unstable();
                        v.dedup();
                        v
                    };
                    [
                        provs(&mut p.requires.iter().map(|r| &r.dep)),
                        provs(&mut p.recommends.iter()),
                        provs(&mut p.suggests.iter()),
                    ]
                });
                for (k, targets) in (0u8..).zip(e.iter()) {
                    for &t in targets {
                        if stamp[t.to_usize()] == round && seen.insert((t, k, q)) {
                            pairs.push((t, k, q));
                        }
                    }
                }
            }
        }
        drop(seen);
        pairs.sort_unstable();
        let mut rel: BTreeMap<PkgId, [Vec<PkgId>; 3]> = members
            .into_iter()
            .map(|p| (p, Default::default()))
            .collect();
        for (t, k, q) in pairs {
            if let Some(r) = rel.get_mut(&t) {
                r[k as usize].push(q);
            }
        }
        let mut out = Relations::new(&view_id(view), arch);
        for (p, [req, rec, sug]) in &rel {
            let e = out.entry(&pool.nevra_string(*p), pool.source_name(*p));
            e.required_by
                .extend(req.iter().map(|q| pool.nevra_string(*q)));
            e.recommended_by
                .extend(rec.iter().map(|q| pool.nevra_string(*q)));
            e.suggested_by
                .extend(sug.iter().map(|q| pool.nevra_string(*q)));
        }
        out
    }

    /// Writes dep-tracker's output directory layout into `dir`, atomically:
    /// the whole tree is built beside `dir` and swapped in. `dir` must be new,
    /// empty or an earlier output ([`check_output_dir`]).
    pub fn write_output_dir(&self, dir: &Path, view: &str, arch: &str) -> Result<()> {
        let stage = StagedDir::replacing(dir, OUTPUT)?;
        let dir = stage.target();
        let (core_binaries, core_sources) = (self.core_binaries(), self.core_sources());
        let binary_names = NameOrder::new(
            self.pool.ids().map(|p| self.pool.name_of(p)),
            &core_binaries,
        );
        let source_names = NameOrder::new(
            self.pool.ids().map(|p| self.pool.source_name(p)),
            &core_sources,
        );
        let list = |rel: &str, items: Vec<String>| {
            stage.write_with(rel, |mut w| write_list(&mut w, items))
        };
        // 40k lists of a few hundred names: written as they are (sorted
        // already), without a String per name.
        let names = |rel: &str, items: Vec<&str>| {
            stage.write_with(rel, |w| items.iter().try_for_each(|n| writeln!(w, "{n}")))
        };
        // An empty tree still has both directories.
        for d in ["output", "errors"] {
            let p = stage.path().join(d);
            std::fs::create_dir(&p).map_err(|e| Error::io(dir.join(d), e))?;
        }
        for rec in &self.sources {
            if rec.bad_deps.is_empty() && !rec.no_source() {
                names(
                    &format!("output/{}-deps-binary", rec.name),
                    binary_names.beyond_core(&rec.installed),
                )?;
                names(
                    &format!("output/{}-deps-source", rec.name),
                    source_names.beyond_core(&rec.installed),
                )?;
            }
            if !rec.no_install.is_empty() {
                let text: String = rec
                    .no_install
                    .iter()
                    .map(|r| format!("{}: {r}\n", rec.name))
                    .collect();
                stage.write(&format!("errors/{}-NoInstall", rec.name), text.as_bytes())?;
            }
            if !rec.bad_deps.is_empty() {
                let text = format!(
                    "===============================\nERROR: {}\n{}\n",
                    rec.name,
                    rec.bad_deps.join("\n")
                );
                stage.write(&format!("errors/{}-BadDeps", rec.name), text.as_bytes())?;
            }
            if rec.no_source() {
                let text = format!(
                    "{}: no source package of that name in the source repositories\n",
                    rec.name
                );
                stage.write(&format!("errors/{}-NoSource", rec.name), text.as_bytes())?;
            }
        }
        list("CoreBuildRootBinaries", core_binaries.clone())?;
        list("CoreBuildRootSources", core_sources.clone())?;
        list("buildroot-binary-package-names.txt", self.binaries())?;
        list("buildroot-source-package-names.txt", self.source_names())?;
        list("buildroot-binary-package-nvrs.txt", self.binary_nvrs())?;
        list("buildroot-source-package-nvrs.txt", self.source_nvrs())?;
        let relations = self.relations(view, arch);
        stage.write_with(
            &crate::workload::outdir::relations_file_name(view, arch),
            |w| relations.write_to(w),
        )?;
        let why =
            serde_json::to_string_pretty(&super::why_all(self)).expect("JSON of strings") + "\n";
        stage.write(WHY_FILE, why.as_bytes())?;
        if !self.scope.is_fixed_point() {
            stage.write(BUILDS_ONLY_FILE, BUILDS_ONLY_TEXT.as_bytes())?;
        }
        stage.commit()
    }
}

/// One name per pool package (its binary or its source name) in byte
/// order, for the 40k per-source lists of an output directory: each is a
/// few hundred names, and sorting ranks instead of strings, with the core's
/// names marked once, takes the string comparisons out of the loop.
struct NameOrder<'p> {
    /// Per package id: the name's rank among all names (equal names, equal
    /// ranks), or None for a core name.
    rank: Vec<Option<u32>>,
    /// The names by rank.
    names: Vec<&'p str>,
}

impl<'p> NameOrder<'p> {
    fn new(of_id: impl Iterator<Item = &'p str>, core: &[String]) -> Self {
        let of_id: Vec<&str> = of_id.collect();
        let mut names = of_id.clone();
        names.sort_unstable();
        names.dedup();
        let core: BTreeSet<&str> = core.iter().map(String::as_str).collect();
        let rank = of_id
            .iter()
            .map(|n| {
                let r = names.binary_search(n).expect("every name is listed");
                (!core.contains(n)).then_some(r as u32)
            })
            .collect();
        NameOrder { rank, names }
    }

    /// The names of `set`'s packages that are not core names, sorted (byte
    /// order, as [`crate::pkglist::sorted_unique`]) and unique.
    fn beyond_core(&self, set: &[PkgId]) -> Vec<&'p str> {
        let mut ranks: Vec<u32> = set.iter().filter_map(|p| self.rank[p.to_usize()]).collect();
        ranks.sort_unstable();
        ranks.dedup();
        ranks.into_iter().map(|r| self.names[r as usize]).collect()
    }
}

/// Every buildroot binary's `--why` chain, as JSON (`{"name": [steps]}`).
pub const WHY_FILE: &str = "buildroot-why.json";

/// Marks an output directory of [`Scope::Input`] (`--builds-only`): its
/// lists are the input's builds alone, not a buildroot, so the readers of
/// a fixed point's directory ([`crate::workload::BuildrootDir`]) refuse it.
/// A fixed point's directory has no such file (nor had any before it).
pub const BUILDS_ONLY_FILE: &str = "builds-only.txt";

/// What [`BUILDS_ONLY_FILE`] says to a person who opens it.
const BUILDS_ONLY_TEXT: &str = "buildroot-generator --builds-only: the input's builds alone \
    (core buildroot included), not the buildroot's fixed point\n";

/// A buildroot-generator output always holds the binary names list.
const OUTPUT: EarlierOutput = EarlierOutput::Marker("buildroot-binary-package-names.txt");

/// Checks that `dir` may be replaced by an output tree
/// ([`crate::atomic::check_output_dir`]): it does not exist, is empty, or is
/// an earlier output (holds `buildroot-binary-package-names.txt`).
pub fn check_output_dir(dir: &Path) -> Result<()> {
    atomic::check_output_dir(dir, OUTPUT)
}
