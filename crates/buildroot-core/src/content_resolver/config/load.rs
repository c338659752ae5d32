//! Reading a configs directory as content-resolver's
//! `ConfigManager.get_configs` does: every `*.yaml` document (step 1), the
//! `buildroot-binary-relations` JSON files
//! (`_load_json_data_buildroot_pkg_relations`, step 1.5), then the
//! cross-checks between documents that drop bad views (step 2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::documents::{
    load_buildroot, load_env, load_label, load_repo_v2, load_unwanted, load_view, load_workload,
};
use super::{BadFile, Configs, Cx, Loaded, RelationsConfig, ViewKind, ALLOWED_ARCHES, R};
use crate::content_resolver::yaml::Value;

/// Document types content-resolver knows (both prefixes).
const KINDS: [&str; 9] = [
    "buildroot",
    "compose-view",
    "environment",
    "label",
    "repository",
    "unwanted",
    "view",
    "view-addon",
    "workload",
];

/// Reads every `*.yaml` (and `buildroot-binary-relations` `*.json`) file of
/// `dir`, then checks the references between documents. Only an unreadable
/// directory is an error; bad files are listed in [`Loaded::bad`].
pub fn load_dir(dir: &Path) -> crate::Result<Loaded> {
    let rd = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut names: Vec<String> = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| crate::Error::io(dir, e))?;
        if let Some(n) = entry.file_name().to_str() {
            names.push(n.to_string());
        }
    }
    names.sort();
    let mut out = Loaded::default();
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    for name in &names {
        let path = dir.join(name);
        if name.ends_with(".yaml") {
            out.files += 1;
            let id = name.split(".yaml").next().unwrap_or_default().to_string();
            let mut cx = Cx {
                path: &path,
                warnings: &mut out.warnings,
            };
            match load_yaml(&mut cx, &id, &mut out.configs) {
                Ok(Some(kind)) => {
                    let key = format!("{kind}:{id}");
                    if let Some(prev) = origin.insert(key, path.clone()) {
                        out.bad.push(BadFile {
                            path: path.clone(),
                            msg: format!(
                                "document id '{id}' is also {}'s (content-resolver keeps only one of them)",
                                prev.display()
                            ),
                        });
                    }
                }
                Ok(None) => {}
                Err(msg) => out.bad.push(BadFile { path, msg }),
            }
        } else if name.ends_with(".json") {
            out.files += 1;
            let id = name.split(".json").next().unwrap_or_default().to_string();
            if let Err(msg) = load_json(&path, &id, &mut out.configs) {
                out.bad.push(BadFile { path, msg });
            }
        }
    }
    cross_check(dir, &mut out);
    out.bad.sort();
    Ok(out)
}

/// Loads one YAML document into `configs`; the kind it was stored as
/// (`None` for a document content-resolver reads and ignores).
fn load_yaml(cx: &mut Cx, id: &str, configs: &mut Configs) -> R<Option<&'static str>> {
    let text = std::fs::read(cx.path).map_err(|e| e.to_string())?;
    let text = String::from_utf8(text).map_err(|_| "not UTF-8 text".to_string())?;
    let doc = Value::parse(&text, "").map_err(|e| {
        let s = e.to_string();
        format!("not valid YAML: {}", s.trim_start_matches(": "))
    })?;
    if !matches!(doc, Value::Map(_)) {
        return Err(format!(
            "the document is {}, not a map with 'document', 'version' and 'data'",
            doc.kind()
        ));
    }
    let (Some(kind), Some(version)) = (doc.get("document"), doc.get("version")) else {
        return Err("no 'document' and/or 'version' field".into());
    };
    let kind_s = kind.py_str();
    let short = kind_s
        .strip_prefix("feedback-pipeline-")
        .or_else(|| kind_s.strip_prefix("content-resolver-"))
        .filter(|k| KINDS.contains(k));
    let Some(short) = short else {
        return Err(format!("unknown document type: {kind_s}"));
    };
    let version_is = |n: i128| match version {
        Value::Int(i) => *i == n,
        Value::Bool(b) => i128::from(*b) == n,
        Value::Float(f) => *f == n as f64,
        _ => false,
    };
    Ok(Some(match short {
        "repository" => {
            if version_is(1) {
                return Err("repository version 1 is not supported by content-resolver (it aborts on it); migrate to version 2".into());
            }
            if !version_is(2) {
                cx.warn(format!(
                    "repository version {} is ignored (content-resolver reads version 2 only)",
                    version.py_str()
                ));
                return Ok(None);
            }
            let r = load_repo_v2(cx, id, &doc)?;
            configs.repos.insert(id.into(), r);
            "repository"
        }
        "environment" => {
            let e = load_env(cx, id, &doc)?;
            configs.envs.insert(id.into(), e);
            "environment"
        }
        "workload" => {
            let w = load_workload(cx, id, &doc)?;
            configs.workloads.insert(id.into(), w);
            "workload"
        }
        "label" => {
            let l = load_label(id, &doc)?;
            configs.labels.insert(id.into(), l);
            "label"
        }
        "view" | "compose-view" => {
            let v = load_view(cx, id, &doc, false)?;
            configs.views.insert(id.into(), v);
            "view"
        }
        "view-addon" => {
            let v = load_view(cx, id, &doc, true)?;
            configs.views.insert(id.into(), v);
            "view"
        }
        "unwanted" => {
            let u = load_unwanted(cx, id, &doc)?;
            configs.unwanteds.insert(id.into(), u);
            "unwanted"
        }
        "buildroot" => {
            let b = load_buildroot(cx, id, &doc)?;
            configs.buildroots.insert(id.into(), b);
            "buildroot"
        }
        _ => unreachable!("KINDS lists every type"),
    }))
}

fn load_json(path: &Path, id: &str, configs: &mut Configs) -> R<()> {
    let text = std::fs::read(path).map_err(|e| e.to_string())?;
    let v: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("not valid JSON ({e})"))?;
    let (Some(kind), Some(_)) = (v.get("document_type"), v.get("version")) else {
        return Err("no 'document_type' and/or 'version' field".into());
    };
    if kind.as_str() != Some("buildroot-binary-relations") {
        return Ok(());
    }
    let d = v
        .get("data")
        .ok_or("the mandatory field 'data' is missing")?;
    let field = |k: &str| {
        d.get(k)
            .ok_or_else(|| format!("the mandatory field 'data.{k}' is missing"))
    };
    let view_id = field("view_id")?;
    let arch = field("arch")?;
    let arch = arch.as_str().unwrap_or_default().to_string();
    if !ALLOWED_ARCHES.contains(&arch.as_str()) {
        return Err(format!("lists an unsupported architecture: {arch}"));
    }
    let pkgs = field("pkgs")?;
    configs.relations.insert(
        id.into(),
        RelationsConfig {
            id: id.into(),
            view_id: view_id
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| view_id.to_string()),
            arch,
            packages: pkgs.as_object().map_or(0, |m| m.len()),
        },
    );
    Ok(())
}

/// The checks content-resolver makes after loading (views naming a missing
/// repository or base view are dropped there), plus the references it
/// would crash on (an environment naming a missing repository); then the
/// arches of every view as content-resolver computes them.
fn cross_check(dir: &Path, out: &mut Loaded) {
    let file_of = |id: &str| dir.join(format!("{id}.yaml"));
    let c = &mut out.configs;
    let mut bad: Vec<BadFile> = Vec::new();
    for e in c.envs.values() {
        if let Some(r) = e.repositories.iter().find(|r| !c.repos.contains_key(*r)) {
            bad.push(BadFile {
                path: file_of(&e.id),
                msg: format!("'repositories' names '{r}', which is not a repository document"),
            });
        }
    }
    let mut drop: Vec<String> = Vec::new();
    for v in c.views.values() {
        // Only compose views are checked (an add-on view's repository only
        // selects workloads: a missing one selects none).
        if v.kind == ViewKind::Compose && !c.repos.contains_key(&v.repository) {
            bad.push(BadFile {
                path: file_of(&v.id),
                msg: format!(
                    "view references '{}', which is not a repository document",
                    v.repository
                ),
            });
            drop.push(v.id.clone());
        }
    }
    for id in &drop {
        c.views.remove(id);
    }
    drop.clear();
    for v in c.views.values() {
        if let ViewKind::Addon { base_view_id } = &v.kind {
            let msg = match c.views.get(base_view_id) {
                None => format!("add-on view's base_view_id '{base_view_id}' is not a view"),
                Some(b) if b.kind != ViewKind::Compose => format!(
                    "add-on view's base_view_id '{base_view_id}' is an add-on view (not supported)"
                ),
                Some(_) => continue,
            };
            bad.push(BadFile {
                path: file_of(&v.id),
                msg,
            });
            drop.push(v.id.clone());
        }
    }
    for id in &drop {
        c.views.remove(id);
    }
    // Compose views: their arches that their repository has.
    let repo_arches: BTreeMap<String, Vec<String>> = c
        .repos
        .iter()
        .map(|(id, r)| (id.clone(), r.architectures.clone()))
        .collect();
    for v in c.views.values_mut() {
        if v.kind == ViewKind::Compose {
            let have = &repo_arches[&v.repository];
            let mut a: Vec<String> = v
                .architectures
                .iter()
                .filter(|a| have.contains(a))
                .cloned()
                .collect();
            a.sort();
            a.dedup();
            v.architectures = a;
        }
    }
    let base_arches: BTreeMap<String, Vec<String>> = c
        .views
        .iter()
        .map(|(id, v)| (id.clone(), v.architectures.clone()))
        .collect();
    for v in c.views.values_mut() {
        if let ViewKind::Addon { base_view_id } = &v.kind {
            let have = &base_arches[base_view_id];
            v.architectures.retain(|a| have.contains(a));
            v.architectures.sort();
        }
    }
    out.bad.extend(bad);
}
