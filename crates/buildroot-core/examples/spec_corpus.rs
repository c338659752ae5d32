//! The evaluator over a directory of spec files (the corpus test behind
//! `make spec-corpus`, scripts/spec-corpus.sh): every spec for every arch,
//! in parallel, one JSON line per spec on stdout:
//! `{"spec": NAME, "arches": {ARCH: [BuildRequires...]}, "problems": [...],
//!   "archful": bool, "dynamic": bool}`, and the wall time on stderr.
//!
//! cargo run --release --example spec_corpus -- --specs DIR [--arch A]...
//!     [--macros FILE]... [--define 'N V']... [--lua-dir DIR]
//!     [--platform-dir DIR] [--only FILE-OF-NAMES] [--no-share]
//!     [--no-dist-defaults] [--header]
//!
//! `--header` adds `"header": {ARCH: "NAME|EPOCH|VERSION|RELEASE|EXCLUSIVEARCH|EXCLUDEARCH"}`,
//! each arch evaluated on its own, in the form of `rpmspec -q --srpm --qf
//! '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|[%{EXCLUSIVEARCH} ]|[%{EXCLUDEARCH} ]'`
//! (an SRPM's name and EVR, and what keeps an arch from building it).
//!
//! `--no-share` evaluates every arch on its own (no evaluation standing for
//! all arches), to check that sharing changes nothing. `--no-dist-defaults`
//! leaves out the built-in ELN macros (`%rhel`, `%dist`, ...), for a run with
//! another distribution's `--define`s (`fedora 43`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use buildroot_core::spec::{archful_with, evaluate_with, DirSources, NamedSpec, SpecContext};
use rayon::prelude::*;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut specs = None;
    let mut arches: Vec<String> = Vec::new();
    let mut ctx = SpecContext::for_arch("x86_64");
    let mut only: Option<std::collections::HashSet<String>> = None;
    let mut header = false;
    while let Some(a) = args.next() {
        let mut val = || {
            args.next().unwrap_or_else(|| {
                eprintln!("spec_corpus: {a} needs a value");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--specs" => specs = Some(PathBuf::from(val())),
            "--arch" => arches.push(val()),
            "--macros" => {
                let f = PathBuf::from(val());
                if let Err(e) = ctx.load_macros_file(&f) {
                    eprintln!("spec_corpus: {e}");
                    std::process::exit(2);
                }
            }
            "--define" => ctx.define(&val()).expect("NAME VALUE"),
            "--lua-dir" => ctx.lua_dirs.push(PathBuf::from(val())),
            "--platform-dir" => ctx.platform_dir = Some(PathBuf::from(val())),
            "--no-share" => ctx.share_evaluations = false,
            "--no-dist-defaults" => ctx.dist_defaults = false,
            "--header" => header = true,
            "--only" => {
                let text = std::fs::read_to_string(val()).expect("--only file");
                only = Some(text.lines().map(str::to_string).collect());
            }
            other => {
                eprintln!("spec_corpus: unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let Some(dir) = specs else {
        eprintln!("spec_corpus: --specs DIR is required");
        std::process::exit(2);
    };
    if arches.is_empty() {
        arches = ["x86_64", "aarch64", "ppc64le", "s390x"]
            .map(String::from)
            .to_vec();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("spec directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "spec"))
        .collect();
    if let Some(names) = &only {
        files.retain(|p| {
            p.file_name()
                .is_some_and(|f| names.contains(f.to_string_lossy().as_ref()))
        });
    }
    files.sort();
    let arch_refs: Vec<&str> = arches.iter().map(String::as_str).collect();
    let sources = DirSources(dir.clone());
    let start = Instant::now();
    let lines: Vec<String> = files
        .par_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read(p).unwrap_or_default();
            let text = String::from_utf8_lossy(&data);
            let t0 = Instant::now();
            let named = NamedSpec {
                path: p.display().to_string(),
                sources: &sources,
            };
            let rep = archful_with(&text, &arch_refs, &ctx, &named);
            let took = t0.elapsed().as_secs_f64();
            if took > 1.0 {
                eprintln!("spec_corpus: slow: {name} {took:.1} s");
            }
            let mut head = serde_json::Map::new();
            if header {
                for a in &arches {
                    let mut c = ctx.clone();
                    c.arch = a.clone();
                    let line = match evaluate_with(&text, &c, &named) {
                        Ok(ev) if ev.problems.is_empty() => format!(
                            "{}|{}|{}|{}|{}|{}",
                            ev.name,
                            ev.epoch.map_or("(none)".into(), |e| e.to_string()),
                            ev.version,
                            ev.release,
                            ev.exclusive_arch
                                .iter()
                                .map(|x| format!("{x} "))
                                .collect::<String>(),
                            ev.exclude_arch
                                .iter()
                                .map(|x| format!("{x} "))
                                .collect::<String>(),
                        ),
                        _ => "undecided".into(),
                    };
                    head.insert(a.clone(), line.into());
                }
            }
            let doc = match rep {
                Ok(r) => serde_json::json!({
                    "spec": name,
                    "arches": r.build_requires,
                    "problems": r.problems,
                    "archful": r.archful,
                    "dynamic": r.dynamic_build_requires,
                    "ms": (took * 1000.0).round() as u64,
                    "evaluations": r.evaluations,
                }),
                Err(e) => serde_json::json!({
                    "spec": name, "arches": {}, "problems": [e.to_string()],
                    "archful": false, "dynamic": false,
                }),
            };
            let mut doc = doc;
            if header {
                doc["header"] = head.into();
            }
            doc.to_string()
        })
        .collect();
    let secs = start.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    eprintln!(
        "spec_corpus: {} specs x {} arches in {secs:.2} s ({} threads)",
        files.len(),
        arches.len(),
        rayon::current_num_threads()
    );
}
