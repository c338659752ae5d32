//! What a buildroot run writes: dep-tracker's output directory layout, the
//! `buildroot-binary-relations` JSON content-resolver reads, and one JSON
//! document with everything for scripts. See docs/formats.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::workload::Relations;

use super::{Buildroot, SourceRecord};
use crate::atomic::StagedDir;
use crate::error::{Error, OutputDirProblem, Result};
use crate::pkglist::{sorted_unique, write_list};
use crate::pool::PkgId;

/// A run's report: what buildroot-generator's `--json` prints (every list
/// of the output directory, and the errors per source). Not to be confused
/// with content-resolver's buildroot config
/// ([`crate::workload::BuildrootConfigDocument`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BuildrootReport {
    /// The target arch of the run.
    pub arch: String,
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
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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

/// A content-resolver view id: `eln` and `view-eln` both give `view-eln`.
pub fn view_id(view: &str) -> String {
    if view.starts_with("view-") {
        view.to_string()
    } else {
        format!("view-{view}")
    }
}

impl Buildroot<'_> {
    /// Binary names this source needs beyond the core's binaries (`core`:
    /// [`Buildroot::core_binaries`], computed once for all sources).
    fn deps_binary(&self, rec: &SourceRecord, core: &BTreeSet<&str>) -> Vec<String> {
        sorted_unique(
            rec.installed
                .iter()
                .map(|&p| self.pool.name_of(p))
                .filter(|n| !core.contains(n)),
        )
    }

    /// Source names this source needs beyond the core's sources (`core`:
    /// [`Buildroot::core_sources`]).
    fn deps_source(&self, rec: &SourceRecord, core: &BTreeSet<&str>) -> Vec<String> {
        sorted_unique(
            rec.installed
                .iter()
                .map(|&p| self.pool.source_name(p))
                .filter(|n| !core.contains(n)),
        )
    }

    /// The run's report (buildroot-generator's `--json`).
    pub fn report(&self, arch: &str) -> BuildrootReport {
        let errors = self
            .failed()
            .map(|s| {
                (
                    s.name.clone(),
                    SourceErrors {
                        no_install: s.no_install.clone(),
                        bad_deps: s.bad_deps.clone(),
                        no_source: s.no_source(),
                    },
                )
            })
            .collect();
        BuildrootReport {
            arch: arch.to_string(),
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
        }
    }

    /// The relations document: for every binary of any source's transaction,
    /// the members of the same install sets that require, recommend or
    /// suggest it (unions over all transactions), and its source name.
    pub fn relations(&self, view: &str, arch: &str) -> Relations {
        let pool = self.pool;
        // Per package, the pool packages its requires/recommends/suggests name (computed once).
        let mut edges: FxHashMap<PkgId, [Vec<PkgId>; 3]> = FxHashMap::default();
        let mut rel: BTreeMap<PkgId, [BTreeSet<PkgId>; 3]> = BTreeMap::new();
        for rec in &self.sources {
            let set = &rec.installed;
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
                rel.entry(q).or_default();
                for (k, targets) in e.iter().enumerate() {
                    for t in targets {
                        if set.binary_search(t).is_ok() {
                            rel.entry(*t).or_default()[k].insert(q);
                        }
                    }
                }
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
        check_output_dir(dir)?;
        // `.` or `out/..` have no name of their own to swap: use the real path.
        let real = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let dir = real.as_path();
        let stage = StagedDir::new(dir)?;
        let (core_binaries, core_sources) = (self.core_binaries(), self.core_sources());
        let core_b: BTreeSet<&str> = core_binaries.iter().map(String::as_str).collect();
        let core_s: BTreeSet<&str> = core_sources.iter().map(String::as_str).collect();
        let list = |rel: &str, items: Vec<String>| {
            stage.write_with(rel, |mut w| write_list(&mut w, items))
        };
        // An empty tree still has both directories.
        for d in ["output", "errors"] {
            let p = stage.path().join(d);
            std::fs::create_dir_all(&p).map_err(|e| Error::io(dir.join(d), e))?;
        }
        for rec in &self.sources {
            if rec.bad_deps.is_empty() && !rec.no_source() {
                list(
                    &format!("output/{}-deps-binary", rec.name),
                    self.deps_binary(rec, &core_b),
                )?;
                list(
                    &format!("output/{}-deps-source", rec.name),
                    self.deps_source(rec, &core_s),
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
            &format!(
                "buildroot-package-relations--{}--{arch}.json",
                view_id(view)
            ),
            |w| relations.write_to(w),
        )?;
        let why =
            serde_json::to_string_pretty(&super::why_all(self)).expect("JSON of strings") + "\n";
        stage.write(WHY_FILE, why.as_bytes())?;
        stage.commit()
    }
}

/// Every buildroot binary's `--why` chain, as JSON (`{"name": [steps]}`).
pub const WHY_FILE: &str = "buildroot-why.json";

/// The file that marks a directory as a buildroot-generator output.
const OUTPUT_MARKER: &str = "buildroot-binary-package-names.txt";

/// Checks that `dir` may be replaced by an output tree: it does not exist,
/// is empty, or is an earlier output (holds `buildroot-binary-package-names.txt`).
/// The whole directory is swapped, so anything else in it would be lost; a
/// user's directory named by mistake is refused instead.
pub fn check_output_dir(dir: &Path) -> Result<()> {
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let refuse = |problem| {
        Err(Error::OutputDir {
            path: dir.to_path_buf(),
            problem,
        })
    };
    if !meta.is_dir() {
        return refuse(OutputDirProblem::NotADirectory);
    }
    if let (Ok(real), Ok(cwd)) = (std::fs::canonicalize(dir), std::env::current_dir()) {
        if cwd.starts_with(&real) {
            return refuse(OutputDirProblem::HoldsWorkingDirectory);
        }
    }
    if dir.join(OUTPUT_MARKER).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    if entries.next().is_some() {
        return refuse(OutputDirProblem::NotAnEarlierOutput {
            marker: OUTPUT_MARKER,
        });
    }
    Ok(())
}
