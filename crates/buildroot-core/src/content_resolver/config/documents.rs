//! One loader per content-resolver document type, as `config_manager.py`'s
//! `_load_config_repo_v2`, `_load_config_env`, `_load_config_workload`,
//! `_load_config_label`, `_load_config_compose_view` (and `_addon_view`),
//! `_load_config_unwanted` and `_load_config_buildroot` read them: the
//! mandatory fields, the keys content-resolver rejects, the defaults.

use std::collections::BTreeMap;

use super::fields::{
    arch_map, data, data_with_keys, groups, list, opt_list, options, py_iter, strings, text,
    unhashable,
};
use super::{
    ArchFilter, BuildrootConfig, Cx, EnvConfig, LabelConfig, PlaceholderRpm, PlaceholderSrpm,
    RepoConfig, RepoEntry, UnwantedConfig, ViewConfig, ViewKind, WorkloadConfig, ALLOWED_ARCHES, R,
    UNWANTED_KEYS, WORKLOAD_KEYS,
};
use crate::content_resolver::yaml::Value;

pub(super) fn load_repo_v2(cx: &mut Cx, id: &str, doc: &Value) -> R<RepoConfig> {
    let d = data(doc)?;
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let source = match d.get("source") {
        Some(s @ Value::Map(_)) => s,
        Some(other) => return Err(format!("'source' is {}, not a map", other.kind())),
        None => return Err("the mandatory field 'source' is missing".into()),
    };
    let releasever = text(source, "releasever")
        .map_err(|_| "the mandatory field 'source.releasever' is missing".to_string())?;
    let arches_v = source
        .get("architectures")
        .ok_or("the mandatory field 'source.architectures' is missing")?;
    let mut architectures = Vec::new();
    for arch in strings(cx, arches_v, "'source.architectures'")? {
        if ALLOWED_ARCHES.contains(&arch.as_str()) {
            architectures.push(arch);
        } else {
            cx.warn(format!("lists an unsupported architecture: {arch}"));
        }
    }
    let repos_v = match source.get("repos") {
        Some(Value::Map(m)) => m,
        Some(other) => return Err(format!("'source.repos' is {}, not a map", other.kind())),
        None => return Err("the mandatory field 'source.repos' is missing".into()),
    };
    let mut repos = Vec::new();
    for (k, r) in repos_v {
        let rid = k.py_str();
        if !matches!(r, Value::Map(_)) {
            return Err(format!("repo '{rid}' is {}, not a map", r.kind()));
        }
        let baseurl = match r.get("baseurl") {
            Some(Value::Seq(items)) => items.iter().map(Value::py_str).collect(),
            Some(v @ Value::Str(_)) => vec![v.py_str()],
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': baseurl is {}, not a URL",
                    other.kind()
                ))
            }
            None => return Err(format!("repo '{rid}' doesn't list baseurl")),
        };
        if baseurl.is_empty() {
            return Err(format!("repo '{rid}' has an empty baseurl list"));
        }
        let priority = match r.get("priority") {
            None => 100,
            Some(Value::Int(i)) => i32::try_from(*i)
                .map_err(|_| format!("repo '{rid}': priority {i} is out of range"))?,
            Some(Value::Str(s)) if s.trim().parse::<i32>().is_ok() => {
                s.trim().parse().expect("checked")
            }
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': priority {} is not a number",
                    other.py_str()
                ))
            }
        };
        let exclude = match r.get("exclude") {
            None | Some(Value::Null) => Vec::new(),
            // dnf splits a text option value on commas and white space.
            Some(Value::Str(s)) => s
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            Some(Value::Seq(items)) => items.iter().map(Value::py_str).collect(),
            Some(other) => {
                return Err(format!(
                    "repo '{rid}': exclude is {}, not a list",
                    other.kind()
                ))
            }
        };
        let opt_text = |key: &str| r.get(key).filter(|v| v.truthy()).map(Value::py_str);
        repos.push(RepoEntry {
            name: r
                .get("name")
                .map(Value::py_str)
                .unwrap_or_else(|| rid.clone()),
            baseurl,
            priority,
            exclude,
            limit_arches: r.get("limit_arches").and_then(ArchFilter::from_value),
            koji_api_url: opt_text("koji_api_url"),
            koji_files_url: opt_text("koji_files_url"),
            id: rid,
        });
    }
    let composeinfo = source
        .get("composeinfo")
        .filter(|v| v.truthy())
        .map(Value::py_str);
    let base_buildroot_override = match source.get("base_buildroot_override") {
        Some(v) => strings(cx, v, "'source.base_buildroot_override'")?,
        None => Vec::new(),
    };
    Ok(RepoConfig {
        id: id.into(),
        name,
        description,
        maintainer,
        releasever,
        architectures,
        repos,
        composeinfo,
        base_buildroot_override,
    })
}

pub(super) fn load_env(cx: &mut Cx, id: &str, doc: &Value) -> R<EnvConfig> {
    let d = data(doc)?;
    Ok(EnvConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
        repositories: list(cx, d, "repositories")?,
        packages: list(cx, d, "packages")?,
        labels: list(cx, d, "labels")?,
        arch_packages: arch_map(cx, d, "arch_packages", false)?,
        options: options(d, false)?,
        groups: groups(cx, d)?,
    })
}

pub(super) fn load_workload(cx: &mut Cx, id: &str, doc: &Value) -> R<WorkloadConfig> {
    let d = data_with_keys(doc, id, &WORKLOAD_KEYS)?;
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let labels = list(cx, d, "labels")?;
    // `packages` may be missing or empty (null).
    let packages = match d.get("packages") {
        None | Some(Value::Null) | Some(Value::Bool(_)) | Some(Value::Int(_)) => Vec::new(),
        Some(v) => strings(cx, v, "'packages'")?,
    };
    let (placeholder_rpms, placeholder_srpms) = placeholders(d)?;
    Ok(WorkloadConfig {
        id: id.into(),
        name,
        description,
        maintainer,
        labels,
        packages,
        arch_packages: arch_map(cx, d, "arch_packages", true)?,
        options: options(d, true)?,
        groups: groups(cx, d)?,
        placeholder_rpms,
        placeholder_srpms,
    })
}

/// `package_placeholders` (a list of SRPMs with their RPMs; any other shape
/// is ignored, as content-resolver ignores it). What makes content-resolver's
/// loader fail is an error: a `null` or a number as `rpms` (its loop over
/// them), an entry that is not a map, and a list or map where it hashes the
/// value: `srpm_name` and `rpm_name` are dict keys there, the `limit_arches`
/// of an RPM it reads go into a set (with the SRPM's, when that has some).
fn placeholders(d: &Value) -> R<(Vec<PlaceholderRpm>, Vec<PlaceholderSrpm>)> {
    let mut rpms: Vec<PlaceholderRpm> = Vec::new();
    let mut srpms: Vec<PlaceholderSrpm> = Vec::new();
    let Some(Value::Seq(list)) = d.get("package_placeholders") else {
        return Ok((rpms, srpms));
    };
    let name_list = |v: Option<&Value>, what: &str| -> R<Vec<String>> {
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Seq(items)) => Ok(items.iter().map(Value::py_str).collect()),
            Some(Value::Str(s)) => Ok(s.chars().map(|c| c.to_string()).collect()),
            Some(other) => Err(format!(
                "placeholder {what} is {}, not a list",
                other.kind()
            )),
        }
    };
    for srpm in list {
        if !matches!(srpm, Value::Map(_)) {
            return Err(format!(
                "a package_placeholders entry is {}, not a map",
                srpm.kind()
            ));
        }
        let srpm_name = srpm
            .get("srpm_name")
            .ok_or("a package_placeholders entry has no 'srpm_name'")?;
        if !srpm_name.truthy() {
            continue;
        }
        unhashable(srpm_name, "srpm_name")?;
        let srpm_name = srpm_name.py_str();
        let srpm_limit = srpm.get("limit_arches");
        let limit = name_list(srpm_limit, "limit_arches")?;
        let mut all_rpm_arches: Vec<String> = Vec::new();
        let rpm_list = match srpm.get("rpms") {
            None => Vec::new(),
            Some(Value::Seq(items)) => items.clone(),
            // Python loops over an empty string or map without a step.
            Some(v @ (Value::Str(_) | Value::Map(_))) if !v.truthy() => Vec::new(),
            Some(other) => return Err(format!("placeholder rpms is {}, not a list", other.kind())),
        };
        for rpm in &rpm_list {
            if !matches!(rpm, Value::Map(_)) {
                return Err(format!("a placeholder rpm is {}, not a map", rpm.kind()));
            }
            let Some(rpm_name) = rpm.get("rpm_name").filter(|v| v.truthy()) else {
                continue;
            };
            unhashable(rpm_name, "rpm_name")?;
            // The RPM's arches as content-resolver takes them: its own
            // list meets the SRPM's when both are truthy; a falsy one gives
            // way to the SRPM's; without SRPM arches its own go into a set
            // (`set.update`). What Python cannot iterate there (null, a
            // number, true) fails its loader, and so does an unhashable item.
            let srpm_has = srpm_limit.is_some_and(Value::truthy);
            // The SRPM's arches go into a set too, for every RPM it has.
            if let Some(items) = srpm_limit.filter(|_| srpm_has).and_then(py_iter) {
                for item in &items {
                    unhashable(item, "limit_arches item")?;
                }
            }
            let rpm_limit = match rpm.get("limit_arches") {
                Some(v) if v.truthy() || !srpm_has => {
                    let items = py_iter(v).ok_or_else(|| {
                        format!("placeholder rpm limit_arches is {}, not a list", v.kind())
                    })?;
                    for item in &items {
                        unhashable(item, "limit_arches item")?;
                    }
                    let mut names: Vec<String> = items.iter().map(Value::py_str).collect();
                    if srpm_has {
                        names.retain(|a| limit.contains(a));
                    }
                    names
                }
                _ if srpm_has => limit.clone(),
                _ => Vec::new(),
            };
            for a in &rpm_limit {
                if !all_rpm_arches.contains(a) {
                    all_rpm_arches.push(a.clone());
                }
            }
            let p = PlaceholderRpm {
                name: rpm_name.py_str(),
                description: rpm
                    .get("description")
                    .map(Value::py_str)
                    .unwrap_or_else(|| "Description not provided.".into()),
                requires: name_list(rpm.get("dependencies"), "dependencies")?,
                limit_arches: rpm_limit,
                srpm: srpm_name.clone(),
            };
            match rpms.iter_mut().find(|x| x.name == p.name) {
                Some(slot) => *slot = p,
                None => rpms.push(p),
            }
        }
        let s = PlaceholderSrpm {
            name: srpm_name.clone(),
            buildrequires: name_list(srpm.get("build_dependencies"), "build_dependencies")?,
            limit_arches: if limit.is_empty() {
                all_rpm_arches
            } else {
                limit
            },
        };
        match srpms.iter_mut().find(|x| x.name == s.name) {
            Some(slot) => *slot = s,
            None => srpms.push(s),
        }
    }
    Ok((rpms, srpms))
}

pub(super) fn load_label(id: &str, doc: &Value) -> R<LabelConfig> {
    let d = data(doc)?;
    Ok(LabelConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
    })
}

pub(super) fn load_view(cx: &mut Cx, id: &str, doc: &Value, addon: bool) -> R<ViewConfig> {
    let d = data(doc)?;
    let name = text(d, "name")?;
    let description = text(d, "description")?;
    let maintainer = text(d, "maintainer")?;
    let labels = list(cx, d, "labels")?;
    let (kind, repository) = if addon {
        let base = text(d, "base_view_id")?;
        (
            ViewKind::Addon { base_view_id: base },
            text(d, "repository")?,
        )
    } else {
        (ViewKind::Compose, text(d, "repository")?)
    };
    let buildroot_strategy = match d.get("buildroot_strategy").map(Value::py_str) {
        Some(s) if !addon && (s == "none" || s == "root_logs") => s,
        _ => "none".into(),
    };
    // Compose views: an empty list means every allowed arch. Add-on views:
    // their own list (empty: every arch) is cut to the base view's later.
    let mut architectures = if addon {
        Vec::new()
    } else {
        opt_list(cx, d, "architectures")?
    };
    if architectures.is_empty() {
        architectures = ALLOWED_ARCHES.iter().map(|a| a.to_string()).collect();
    }
    Ok(ViewConfig {
        id: id.into(),
        kind,
        name,
        description,
        maintainer,
        labels,
        repository,
        buildroot_strategy,
        architectures,
        unwanted_packages: opt_list(cx, d, "unwanted_packages")?,
        unwanted_arch_packages: arch_map(cx, d, "unwanted_arch_packages", false)?,
        unwanted_source_packages: opt_list(cx, d, "unwanted_source_packages")?,
    })
}

pub(super) fn load_unwanted(cx: &mut Cx, id: &str, doc: &Value) -> R<UnwantedConfig> {
    let d = data_with_keys(doc, id, &UNWANTED_KEYS)?;
    Ok(UnwantedConfig {
        id: id.into(),
        name: text(d, "name")?,
        description: text(d, "description")?,
        maintainer: text(d, "maintainer")?,
        labels: list(cx, d, "labels")?,
        unwanted_packages: opt_list(cx, d, "unwanted_packages")?,
        unwanted_arch_packages: arch_map(cx, d, "unwanted_arch_packages", false)?,
        unwanted_source_packages: opt_list(cx, d, "unwanted_source_packages")?,
        unwanted_arch_source_packages: arch_map(cx, d, "unwanted_arch_source_packages", false)?,
    })
}

pub(super) fn load_buildroot(cx: &mut Cx, id: &str, doc: &Value) -> R<BuildrootConfig> {
    let d = data(doc)?;
    let maintainer = text(d, "maintainer")?;
    let view_id = text(d, "view_id")?;
    let base_buildroot = arch_map(cx, d, "base_buildroot", true)?;
    let mut source_packages: BTreeMap<String, BTreeMap<String, Vec<String>>> = ALLOWED_ARCHES
        .iter()
        .map(|a| (a.to_string(), BTreeMap::new()))
        .collect();
    if let Some(sp) = d.get("source_packages") {
        let Value::Map(m) = sp else {
            return Err(format!("'source_packages' is {}, not a map", sp.kind()));
        };
        for (k, srpms) in m {
            let arch = k.py_str();
            if !ALLOWED_ARCHES.contains(&arch.as_str()) {
                cx.warn(format!(
                    "'source_packages' lists an unsupported architecture: {arch}"
                ));
                continue;
            }
            let Value::Map(srpms) = srpms else {
                continue;
            };
            for (s, sd) in srpms {
                let mut requires = Vec::new();
                if let Some(r) = sd.get("requires") {
                    match r {
                        Value::Seq(items) => requires = items.iter().map(Value::py_str).collect(),
                        Value::Null => {
                            cx.warn(format!(
                                "'source_packages.{arch}.{}.requires' is empty",
                                s.py_str()
                            ));
                            continue;
                        }
                        other => requires = strings(cx, other, "'requires'")?,
                    }
                } else if !matches!(sd, Value::Map(_)) {
                    return Err(format!(
                        "'source_packages.{arch}.{}' is {}, not a map",
                        s.py_str(),
                        sd.kind()
                    ));
                }
                source_packages
                    .get_mut(&arch)
                    .expect("allowed arch")
                    .insert(s.py_str(), requires);
            }
        }
    }
    Ok(BuildrootConfig {
        id: id.into(),
        maintainer,
        view_id,
        base_buildroot,
        source_packages,
    })
}
