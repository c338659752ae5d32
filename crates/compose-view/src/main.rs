//! compose-view: workflow step 2 (temporary skeleton).
use std::path::PathBuf;
use std::process::ExitCode;
fn main() -> ExitCode {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap());
    let l = buildroot_core::content_resolver::load_dir(&dir).unwrap();
    for w in &l.warnings {
        eprintln!("warning: {w}");
    }
    for b in &l.bad {
        println!("{b}");
    }
    if std::env::var_os("DUMP").is_some() {
        dump(&l);
    }
    eprintln!(
        "{} files, {} bad; {} repos {} envs {} workloads {} views {} unwanted",
        l.files,
        l.bad.len(),
        l.configs.repos.len(),
        l.configs.envs.len(),
        l.configs.workloads.len(),
        l.configs.views.len(),
        l.configs.unwanteds.len()
    );
    if l.bad.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
#[allow(dead_code)]
fn dump(l: &buildroot_core::content_resolver::Loaded) {
    let mut out = serde_json::Map::new();
    for (id, w) in &l.configs.workloads {
        out.insert(id.clone(), serde_json::json!({"packages": w.packages, "labels": w.labels, "arch": w.arch_packages, "weak": w.options.include_weak_deps, "ph": w.placeholder_rpms.iter().map(|p| (p.name.clone(), p.requires.clone(), p.limit_arches.clone())).collect::<Vec<_>>()}));
    }
    for (id, w) in &l.configs.unwanteds {
        out.insert(id.clone(), serde_json::json!({"u": w.unwanted_packages, "labels": w.labels, "s": w.unwanted_source_packages, "a": w.unwanted_arch_packages}));
    }
    for (id, r) in &l.configs.repos {
        out.insert(
            id.clone(),
            serde_json::json!(r
                .repos
                .iter()
                .map(|e| (e.id.clone(), e.priority, e.exclude.clone()))
                .collect::<Vec<_>>()),
        );
    }
    println!("{}", serde_json::Value::Object(out));
}
