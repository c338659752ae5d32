//! Regression test on real RPM metadata: the buildroot fixed point over
//! every source of openEuler 20.03 LTS x86_64 (2,030 SRPMs, 14,515
//! binaries) must stay what dnf computes. dnf's answer was recorded once
//! with `scripts/dnf-buildroot.py` into `testdata/openeuler/expected.txt`
//! (the command is in its header); running dnf over 2,029 sources takes
//! minutes, our fixed point a second.
//!
//! The data lives outside the repository: `$RPM_BUILDROOT_SHARED_DATA`
//! (default `../shared/data` relative to the repository root) holds
//! `openeuler-20.03-x86_64/{bin,src}`. Skipped when it is absent.
//!
//! The input's builds alone (`Scope::Input`, `--builds-only`) are checked
//! against the fixed point's records: the same transactions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use buildroot_core::buildroot::{run, Buildroot, Config, Scope};
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{Filelists, LoadOptions, RepoSpec};

/// openEuler's core buildroot (its README; names differ from Fedora's).
const CORE: &str = "bash bzip2 coreutils cpio diffutils findutils gawk glibc grep gzip info make \
                    patch openEuler-rpm-config rpm-build sed shadow tar unzip util-linux which xz \
                    openEuler-release";

fn data_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::var_os("RPM_BUILDROOT_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data"))
        .join("openeuler-20.03-x86_64")
}

struct Expected {
    binaries: Vec<String>,
    sources: Vec<String>,
    errors: BTreeMap<String, String>,
}

fn expected() -> Expected {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/openeuler/expected.txt"
    );
    let text = std::fs::read_to_string(path).expect("testdata/openeuler/expected.txt");
    let mut e = Expected {
        binaries: Vec::new(),
        sources: Vec::new(),
        errors: BTreeMap::new(),
    };
    for line in text.lines() {
        let mut w = line.split_whitespace();
        match (w.next(), w.next(), w.next()) {
            (Some("binary"), Some(n), None) => e.binaries.push(n.to_string()),
            (Some("source"), Some(n), None) => e.sources.push(n.to_string()),
            (Some("error"), Some(n), Some(k)) => {
                e.errors.insert(n.to_string(), k.to_string());
            }
            _ => {}
        }
    }
    e
}

/// Names in one list and not the other, for a readable failure.
fn diff(ours: &[String], dnf: &[String]) -> String {
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter()
            .filter(|x| b.binary_search(x).is_err())
            .cloned()
            .collect()
    };
    format!(
        "only ours: {:?}; only dnf's: {:?}",
        only(ours, dnf),
        only(dnf, ours)
    )
}

#[test]
fn openeuler_fixed_point_is_dnfs() {
    let dir = data_dir();
    if !dir.join("bin/repodata/repomd.xml").exists() {
        eprintln!(
            "SKIP openeuler_fixed_point_is_dnfs: {} not found (set RPM_BUILDROOT_SHARED_DATA)",
            dir.display()
        );
        return;
    }
    let specs = vec![
        RepoSpec::new("bin", &dir.join("bin").to_string_lossy()),
        RepoSpec::new("src", &dir.join("src").to_string_lossy()),
    ];
    // Parsed, then read back from the pool cache: both must be dnf's.
    let cache = tempfile::tempdir().unwrap();
    let opts = LoadOptions {
        filelists: Filelists::Needed,
        cache_dir: Some(cache.path().to_path_buf()),
    };
    for cached in [false, true] {
        let pool = Pool::load("x86_64", &specs, &opts).expect("load openEuler repos");
        assert_eq!(pool.from_cache(), cached);
        check(&pool);
    }
}

/// The fixed point over every source of `pool` is dnf's.
fn check(pool: &Pool) {
    // Every source name of the source repo is the input.
    let mut input: Vec<String> = pool
        .ids()
        .filter(|&p| pool.is_source(p))
        .map(|p| pool.name_of(p).to_string())
        .collect();
    input.sort();
    input.dedup();
    let cfg = Config {
        core: CORE.split_whitespace().map(str::to_string).collect(),
        ..Default::default()
    };
    let br = run(pool, &input, &cfg).expect("fixed point");
    let want = expected();
    let binaries = br.binaries();
    let sources = br.source_names();
    assert!(
        binaries == want.binaries,
        "{}",
        diff(&binaries, &want.binaries)
    );
    assert!(sources == want.sources, "{}", diff(&sources, &want.sources));
    let errors: BTreeMap<String, String> = br
        .failed()
        .map(|s| {
            let kind = if !s.bad_deps.is_empty() {
                "BadDeps"
            } else if !s.no_install.is_empty() {
                "NoInstall"
            } else {
                "NoSource"
            };
            (s.name.clone(), kind.to_string())
        })
        .collect();
    assert_eq!(errors, want.errors, "failed sources differ from dnf's");
    builds_only_is_the_first_layer(pool, &input, &cfg, &br);
}

/// `Scope::Input` resolves each input source as the fixed point does: over
/// every source, the same binaries, sources and install sets, and the
/// names without a source package listed, not NoSource errors; one source
/// alone, that source's record of the fixed point.
fn builds_only_is_the_first_layer(pool: &Pool, input: &[String], cfg: &Config, fp: &Buildroot) {
    let cfg = Config {
        scope: Scope::Input,
        ..cfg.clone()
    };
    let only = run(pool, input, &cfg).expect("builds only");
    assert_eq!(only.binaries(), fp.binaries());
    assert_eq!(only.source_names(), fp.source_names());
    assert_eq!(only.source_nvrs(), fp.source_nvrs());
    assert_eq!(only.sources.len(), input.len());
    let no_source: Vec<&String> = fp
        .failed()
        .filter(|s| s.no_source())
        .map(|s| &s.name)
        .collect();
    let not_built: Vec<&String> = only.not_built.iter().map(|(n, _)| n).collect();
    assert_eq!(not_built, no_source);
    for rec in &only.sources {
        let theirs = fp.source(&rec.name).expect("in the fixed point");
        assert_eq!(rec.installed, theirs.installed, "{}", rec.name);
        assert_eq!(rec.errors(), theirs.errors(), "{}", rec.name);
    }
    for name in input.iter().step_by(400) {
        let one = run(pool, std::slice::from_ref(name), &cfg).expect("one build");
        assert_eq!(one.sources.len(), 1, "{name}");
        let theirs = fp.source(name).expect("in the fixed point");
        assert_eq!(one.sources[0].installed, theirs.installed, "{name}");
        let mut want: Vec<String> = one.core_binaries();
        want.extend(
            theirs
                .installed
                .iter()
                .map(|&p| pool.name_of(p).to_string()),
        );
        want.sort();
        want.dedup();
        assert_eq!(one.binaries(), want, "{name}");
    }
}
