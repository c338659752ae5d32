//! The two YAML documents the workflow publishes for content-resolver:
//!
//! - `feedback-pipeline-workload` ([`WorkloadDocument`]): the ELN-Buildroot
//!   workload, i.e. the binaries the buildroot needs that the compose does not
//!   ship, common ones under `packages` and the rest per arch under
//!   `arch_packages` (dep-tracker's `eln-buildroot-workload.yaml`).
//! - `feedback-pipeline-buildroot` ([`BuildrootConfigDocument`]): the core
//!   buildroot per arch and every source's extra build dependencies per arch
//!   (dep-tracker's `buildroot-eln.yaml`).
//!
//! What is written carries exactly the keys content-resolver's config loader
//! (`ConfigManager._load_config_workload` and `_load_config_buildroot`)
//! reads, with the types it expects; docs/formats.md states them. Its
//! workload loader rejects any other key, so dep-tracker's `experimental`
//! and `repositories` are not written (nor its buildroot document's
//! `failed_buildroot`, which content-resolver never read).
//!
//! Lists are sets here ([`BTreeSet`]), so what is written is sorted and
//! unique whatever order the caller built it in. Readers accept what
//! dep-tracker wrote too: `aarch64:` or `packages:` with nothing after them
//! (YAML null) read as empty lists, and keys these types do not model
//! (`experimental`, `options`, `groups`, `package_placeholders`, ...) are
//! ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::outdir::BuildrootDir;
use super::{null_as_default, null_values_as_default, parse_document, to_yaml, Envelope};
use crate::content_resolver::yaml::Value;
use crate::error::{Error, Result};

/// The document names content-resolver accepts for a workload (the first is what we write).
pub const WORKLOAD_DOCUMENT: [&str; 2] =
    ["feedback-pipeline-workload", "content-resolver-workload"];
/// The document names content-resolver accepts for a buildroot (the first is what we write).
pub const BUILDROOT_DOCUMENT: [&str; 2] =
    ["feedback-pipeline-buildroot", "content-resolver-buildroot"];

/// The arches content-resolver reads in `arch_packages`, `base_buildroot`,
/// `source_packages` and the relations JSON's `arch` (its `allowed_arches`);
/// it skips others with a warning (and refuses a relations JSON of another).
pub const CONTENT_RESOLVER_ARCHES: [&str; 4] = ["aarch64", "ppc64le", "s390x", "x86_64"];

/// A `feedback-pipeline-workload` document (its `data`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadDocument {
    /// The workload's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Who maintains it.
    pub maintainer: String,
    #[serde(default, deserialize_with = "null_as_default")]
    /// Its labels (the views that include it).
    pub labels: BTreeSet<String>,
    /// Names to install on every arch.
    #[serde(default, deserialize_with = "null_as_default")]
    pub packages: BTreeSet<String>,
    /// Names to install on one arch only; every arch of the run is a key,
    /// with an empty list where nothing is arch-specific.
    #[serde(default, deserialize_with = "null_values_as_default")]
    pub arch_packages: BTreeMap<String, BTreeSet<String>>,
}

impl WorkloadDocument {
    /// The YAML text (with `document: feedback-pipeline-workload`, `version: 1`).
    pub fn to_yaml(&self) -> Result<String> {
        to_yaml(&Envelope {
            document: WORKLOAD_DOCUMENT[0].to_string(),
            version: 1,
            data: self,
        })
    }

    /// Parses a workload document; `origin` names the input in errors.
    /// Package names are read as content-resolver reads them (see
    /// `pyyaml_names`), and each must be a name: one word.
    pub fn from_yaml(text: &str, origin: &str) -> Result<WorkloadDocument> {
        let mut doc: WorkloadDocument = parse_document(text, origin, &WORKLOAD_DOCUMENT)?;
        pyyaml_names(&mut doc, text, origin)?;
        for (key, names) in std::iter::once(("packages".to_string(), &doc.packages)).chain(
            doc.arch_packages
                .iter()
                .map(|(a, n)| (format!("arch_packages: {a}"), n)),
        ) {
            if let Some(bad) = names
                .iter()
                .find(|n| n.is_empty() || n.contains(char::is_whitespace))
            {
                return Err(Error::format(
                    origin,
                    format!("{key}: '{bad}' is not a package name"),
                ));
            }
        }
        Ok(doc)
    }

    /// Reads a workload document from a file (`-`: stdin, as every list).
    pub fn read(path: &Path) -> Result<WorkloadDocument> {
        if path.as_os_str() == "-" {
            crate::pkglist::note_if_terminal("the workload (YAML)");
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
                .map_err(|e| Error::io("<stdin>", e))?;
            return Self::from_yaml(&text, "<stdin>");
        }
        let text = read_text(path)?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Writes the document to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::atomic::write_file(path, self.to_yaml()?.as_bytes())
    }

    /// Every name the workload installs on `arch`.
    pub fn names_for(&self, arch: &str) -> BTreeSet<String> {
        let mut all = self.packages.clone();
        if let Some(extra) = self.arch_packages.get(arch) {
            all.extend(extra.iter().cloned());
        }
        all
    }
}

/// Replaces the package names of `doc` by what content-resolver reads:
/// PyYAML loads YAML 1.1 (an unquoted `yes` is a boolean, `010` the octal
/// number 8) and content-resolver takes `str()` of it (`True`, `8`). A
/// hand-edited workload then gives the same names to step 10 here as to
/// content-resolver, and as compose-view reads the configs.
fn pyyaml_names(doc: &mut WorkloadDocument, text: &str, origin: &str) -> Result<()> {
    let value = Value::parse(text, origin)?;
    let Some(data) = value.get("data") else {
        return Ok(());
    };
    let names = |v: &Value| -> BTreeSet<String> {
        match v {
            Value::Seq(items) => items.iter().map(Value::py_str).collect(),
            _ => BTreeSet::new(),
        }
    };
    if let Some(p) = data.get("packages") {
        doc.packages = names(p);
    }
    if let Some(Value::Map(per_arch)) = data.get("arch_packages") {
        doc.arch_packages = per_arch
            .iter()
            .map(|(arch, list)| (arch.py_str(), names(list)))
            .collect();
    }
    Ok(())
}

/// A `feedback-pipeline-buildroot` document (its `data`): the buildroot
/// config content-resolver loads (`_load_config_buildroot`). Not to be
/// confused with buildroot-generator's `--json` report
/// ([`crate::buildroot::BuildrootReport`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildrootConfigDocument {
    /// Who maintains the document (content-resolver shows it).
    pub maintainer: String,
    /// The view whose buildroot this is (`view_id` in content-resolver).
    pub view_id: String,
    /// Arch -> binary names of the core buildroot.
    #[serde(default, deserialize_with = "null_values_as_default")]
    pub base_buildroot: BTreeMap<String, BTreeSet<String>>,
    /// Arch -> source name -> the binaries its build needs beyond the core names.
    #[serde(default, deserialize_with = "null_values_as_default")]
    pub source_packages: BTreeMap<String, BTreeMap<String, SourceRequires>>,
}

/// One source's entry under `source_packages`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRequires {
    /// The binary names the source's build needs beyond the core buildroot.
    #[serde(default, deserialize_with = "null_as_default")]
    pub requires: BTreeSet<String>,
}

impl BuildrootConfigDocument {
    /// Builds the document from one generator output directory per arch:
    /// `base_buildroot` from `CoreBuildRootBinaries`, `source_packages` from
    /// every `output/*-deps-binary`. Every arch is a key of both maps.
    /// `view_id` as the generator writes it ([`crate::buildroot::view_id`]:
    /// `eln` is `view-eln`), so one run's documents name one view.
    pub fn from_dirs(
        maintainer: &str,
        view_id: &str,
        dirs: &BTreeMap<String, BuildrootDir>,
    ) -> BuildrootConfigDocument {
        let mut doc = BuildrootConfigDocument {
            maintainer: maintainer.to_string(),
            view_id: crate::buildroot::view_id(view_id),
            ..Default::default()
        };
        for (arch, dir) in dirs {
            doc.base_buildroot
                .insert(arch.clone(), dir.core_binaries.clone());
            let sources = dir
                .deps_binary
                .iter()
                .map(|(src, names)| {
                    (
                        src.clone(),
                        SourceRequires {
                            requires: names.clone(),
                        },
                    )
                })
                .collect();
            doc.source_packages.insert(arch.clone(), sources);
        }
        doc
    }

    /// The YAML text (with `document: feedback-pipeline-buildroot`, `version: 1`).
    pub fn to_yaml(&self) -> Result<String> {
        to_yaml(&Envelope {
            document: BUILDROOT_DOCUMENT[0].to_string(),
            version: 1,
            data: self,
        })
    }

    /// Parses a buildroot document; `origin` names the input in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<BuildrootConfigDocument> {
        parse_document(text, origin, &BUILDROOT_DOCUMENT)
    }

    /// Reads a buildroot document from a file.
    pub fn read(path: &Path) -> Result<BuildrootConfigDocument> {
        let text = read_text(path)?;
        Self::from_yaml(&text, &path.display().to_string())
    }

    /// Writes the document to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::atomic::write_file(path, self.to_yaml()?.as_bytes())
    }

    /// The whole buildroot of `arch` as content-resolver's legacy
    /// `dep_tracker` strategy took it: the base buildroot and every
    /// source's requires.
    pub fn binaries_for(&self, arch: &str) -> BTreeSet<String> {
        let mut all = self.base_buildroot.get(arch).cloned().unwrap_or_default();
        if let Some(sources) = self.source_packages.get(arch) {
            for s in sources.values() {
                all.extend(s.requires.iter().cloned());
            }
        }
        all
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}
