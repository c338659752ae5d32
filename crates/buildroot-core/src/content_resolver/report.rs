//! What compose-view prints of a view and of a configs directory: the
//! config id a `--view` name stands for, the `--print` lists (the union of
//! the computed arches), the `--json` document, the environments' and
//! workloads' problems as one line each, and `--check`'s summary; and
//! compose-view's error lines: a library error with the option it is
//! about ([`error_line`]), the refusals of an id given twice to
//! `--repo-override` ([`overrides`]) and of a `--configs` directory of no
//! config ([`check_configs_found`]). content-resolver shows the same facts on its web pages
//! (`content_resolver/page_generator.py`); these are our own lines and
//! documents (docs/formats.md, docs/compose-view.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Loaded, ViewResult};
use crate::buildroot::view_id;
use crate::error::{Error, Result};

/// The lists `--print` names.
// No doc comments on the variants: clap would show them in `--help`, which
// has always listed the values bare.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewList {
    Binaries,
    BinaryIds,
    BinaryNvrs,
    Sources,
    SourceNvrs,
    Unwanted,
}

/// A library error as compose-view's line: the option that gave the
/// value named (`--view`, `--arch`, `--repo-override`, `--output-dir`).
pub fn error_line(e: &Error) -> String {
    match e {
        Error::UnknownView { .. } => format!("--view {e}"),
        Error::ArchNotInView { .. } => format!("--arch {e}"),
        Error::UnknownRepo { .. } => format!("--repo-override {e}"),
        Error::OutputDir { path, problem } => {
            format!("{}: --output-dir {problem}", path.display())
        }
        _ => e.to_string(),
    }
}

/// `--repo-override ID=URL` pairs as the request's map; an id given twice
/// is refused (which URL was meant?).
pub fn overrides(pairs: &[(String, String)]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for (id, url) in pairs {
        if map.insert(id.clone(), url.clone()).is_some() {
            return Err(Error::Usage(format!("--repo-override {id} given twice")));
        }
    }
    Ok(map)
}

/// Refuses a `--configs` directory of no `*.yaml` file (the checkout above
/// `configs/`, say): it must not pass `--check`, nor look like a config set
/// without the view.
pub fn check_configs_found(loaded: &Loaded, dir: &Path) -> Result<()> {
    match loaded.files {
        0 => Err(Error::Usage(format!(
            "{}: no *.yaml files (--configs names content-resolver's configs directory)",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// The config id `view` names: `view` itself when a config has that id,
/// else `view-VIEW` when one has that (fetch-compose's rule, [`view_id`]:
/// `eln` means `view-eln`); otherwise `view`, for the "no such view" error.
pub fn config_view_id<V>(views: &BTreeMap<String, V>, view: &str) -> String {
    if !views.contains_key(view) {
        let id = view_id(view);
        if views.contains_key(&id) {
            return id;
        }
    }
    view.to_string()
}

impl ViewResult {
    /// The `list` of every computed arch, as one sorted set.
    pub fn list(&self, list: ViewList) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for av in &self.arches {
            all.extend(match list {
                ViewList::Binaries => av.binary_names(),
                ViewList::BinaryIds => av.binary_ids(),
                ViewList::BinaryNvrs => av.binary_nevrs(),
                ViewList::Sources => av.source_names(),
                ViewList::SourceNvrs => av.source_nvrs(),
                ViewList::Unwanted => av.unwanted_names(),
            });
        }
        all
    }

    /// The environments' and workloads' problems, one line each
    /// (`ARCH: environment ID: ...`, `ARCH: workload ID (on ENV): ...`).
    pub fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for av in &self.arches {
            let a = &av.arch;
            for e in &av.envs {
                for m in &e.missing {
                    lines.push(format!("{a}: environment {}: not available: {m}", e.id));
                }
                for m in &e.warnings {
                    lines.push(format!("{a}: environment {}: {m}", e.id));
                }
                if let Some(err) = &e.error {
                    lines.push(format!(
                        "{a}: environment {} failed: {}",
                        e.id,
                        err.replace('\n', " ")
                    ));
                }
            }
            for w in &av.workloads {
                for m in &w.warnings {
                    lines.push(format!("{a}: workload {} (on {}): {m}", w.id, w.env));
                }
                for m in &w.errors {
                    lines.push(format!(
                        "{a}: workload {} (on {}) failed: {}",
                        w.id,
                        w.env,
                        m.replace('\n', " ")
                    ));
                }
            }
        }
        lines
    }

    /// The `--json` document: every list of every arch, with the
    /// environments' and workloads' outcomes.
    pub fn to_json(&self) -> serde_json::Value {
        let arches: Vec<serde_json::Value> = self
            .arches
            .iter()
            .map(|av| {
                serde_json::json!({
                    "arch": av.arch,
                    "binaries": av.binary_names(),
                    "binary_ids": av.binary_ids(),
                    "binary_nvrs": av.binary_nevrs(),
                    "sources": av.source_names(),
                    "source_nvrs": av.source_nvrs(),
                    "unwanted": av.packages.values().filter(|p| !p.unwanted_in.is_empty()).map(|p| {
                        serde_json::json!({"name": p.name, "id": p.id, "lists": p.unwanted_in})
                    }).collect::<Vec<_>>(),
                    "placeholders": av.packages.values().filter(|p| p.placeholder).map(|p| p.name.clone()).collect::<Vec<_>>(),
                    "environments": av.envs.iter().map(|e| serde_json::json!({
                        "id": e.id, "succeeded": e.error.is_none(), "packages": e.packages,
                        "missing": e.missing, "warnings": e.warnings, "error": e.error,
                    })).collect::<Vec<_>>(),
                    "workloads": av.workloads.iter().map(|w| serde_json::json!({
                        "id": w.id, "environment": w.env, "succeeded": w.succeeded, "added": w.added,
                        "errors": w.errors, "warnings": w.warnings,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        serde_json::json!({"view": self.view, "view_arches": self.view_arches, "arches": arches})
    }
}

impl Loaded {
    /// `--check --json`'s document: the files, the bad ones, the warnings
    /// and how many documents of each kind loaded.
    pub fn summary_json(&self) -> serde_json::Value {
        let c = &self.configs;
        serde_json::json!({
            "files": self.files,
            "bad": self.bad.iter().map(|b| serde_json::json!({
                "file": b.path.display().to_string(), "error": b.msg,
            })).collect::<Vec<_>>(),
            "warnings": self.warnings,
            "documents": {
                "repositories": c.repos.len(), "environments": c.envs.len(),
                "workloads": c.workloads.len(), "labels": c.labels.len(),
                "views": c.views.len(), "unwanted": c.unwanteds.len(),
                "buildroots": c.buildroots.len(), "relations": c.relations.len(),
            },
        })
    }

    /// `--check`'s line of a directory that loads: `N files load (1
    /// repository, 2 environments, ...)`.
    pub fn summary_line(&self) -> String {
        let c = &self.configs;
        // "1 repository", not "1 repositories": a count reads as a sentence.
        let counts: Vec<String> = [
            (c.repos.len(), "repository", "repositories"),
            (c.envs.len(), "environment", "environments"),
            (c.workloads.len(), "workload", "workloads"),
            (c.labels.len(), "label", "labels"),
            (c.views.len(), "view", "views"),
            (c.unwanteds.len(), "unwanted list", "unwanted lists"),
            (c.buildroots.len(), "buildroot", "buildroots"),
            (
                c.relations.len(),
                "relations document",
                "relations documents",
            ),
        ]
        .iter()
        .map(|&(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect();
        let files = match self.files {
            1 => "1 file loads".to_string(),
            n => format!("{n} files load"),
        };
        format!("{files} ({})", counts.join(", "))
    }

    /// The bad files' lines and the count that ends them (`--check`).
    pub fn bad_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.bad.iter().map(|b| b.to_string()).collect();
        lines.push(format!(
            "{} of {} files would not load",
            self.bad.len(),
            self.files
        ));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// compose-view's lines name the option a library error is about; an
    /// id overridden twice and a directory without configs are refused.
    #[test]
    fn errors_name_the_option_and_inputs_are_checked() {
        let e = Error::UnknownRepo { id: "bin".into() };
        assert_eq!(
            error_line(&e),
            "--repo-override bin=...: no repository document has a repo 'bin'"
        );
        let e = Error::UnknownView {
            view: "view-x".into(),
            known: vec!["view-eln".into()],
        };
        assert!(
            error_line(&e).starts_with("--view view-x: no such view"),
            "{}",
            error_line(&e)
        );
        assert_eq!(error_line(&Error::Usage("as is".into())), "as is");
        let pair = |id: &str, url: &str| (id.to_string(), url.to_string());
        let map = overrides(&[pair("a", "/a"), pair("b", "/b")]).unwrap();
        assert_eq!(map.get("b").map(String::as_str), Some("/b"));
        let e = overrides(&[pair("a", "/a"), pair("a", "/b")]).unwrap_err();
        assert_eq!(e.to_string(), "--repo-override a given twice");
        let none = Loaded::default();
        let e = check_configs_found(&none, Path::new("checkout")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "checkout: no *.yaml files (--configs names content-resolver's configs directory)"
        );
        let one = Loaded {
            files: 1,
            ..Default::default()
        };
        assert!(check_configs_found(&one, Path::new("configs")).is_ok());
    }
}
