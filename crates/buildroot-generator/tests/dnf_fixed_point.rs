//! The whole fixed point against dnf: a seeded random distribution of 360
//! sources (versioned, rich and file dependencies, conflicts, several
//! providers per capability) is run through buildroot-core and through the
//! same algorithm driven by dnf's Python API (scripts/dnf-buildroot.py).
//! Set FIXED_POINT_SEED to reproduce a failure. The input's builds alone
//! (`Scope::Input`, `--builds-only`) are checked the same way.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use buildroot_core::buildroot::{self, Config, Scope};
use buildroot_core::dep::Dep;
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::pool::Pool;
use buildroot_core::repodata::{write_repodata, WriteOptions};
use buildroot_core::rpmmd::{load_repos, Filelists, LoadOptions, RepoSpec};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

const SOURCES: usize = 360;

/// A random dependency on something the distribution has (or, rarely, not).
fn random_dep(rng: &mut Rng, bins: &[(String, usize)]) -> String {
    let (name, src) = &bins[rng.below(bins.len())];
    match rng.below(10) {
        0 => format!("cap{} >= {}", src % 40, 1 + rng.below(3)),
        1 => format!("cap{}", src % 40),
        2 => format!("/usr/share/{name}/data"),
        3 => {
            let (other, _) = &bins[rng.below(bins.len())];
            format!("({name} or {other})")
        }
        4 if rng.chance(10) => format!("missing-{}", rng.below(1000)),
        _ => name.clone(),
    }
}

fn distribution(seed: u64) -> (Vec<Package>, Vec<Package>, Vec<String>) {
    let mut rng = Rng(seed.wrapping_mul(2).wrapping_add(1));
    // Binary names first so dependencies can point anywhere.
    let mut bins: Vec<(String, usize)> = Vec::new();
    for s in 0..SOURCES {
        for k in 0..(1 + rng.below(3)) {
            bins.push((format!("s{s}-b{k}"), s));
        }
    }
    let mut binaries = Vec::new();
    for (name, s) in &bins {
        let evr = Evr::new(0, format!("{}.0", 1 + rng.below(3)), Some("1"));
        let mut p = Package {
            name: name.clone(),
            arch: if rng.chance(20) {
                "noarch".into()
            } else {
                "x86_64".into()
            },
            sourcerpm: format!("s{s}-1.0-1.src.rpm"),
            location: format!("{name}.rpm"),
            evr: evr.clone(),
            ..Default::default()
        };
        // Capabilities shared by several packages, with versions.
        if rng.chance(30) {
            p.provides.push(
                Dep::parse(&format!("cap{} = {}", s % 40, evr.version))
                    .unwrap()
                    .as_simple()
                    .unwrap()
                    .clone(),
            );
        }
        p.files.push(format!("/usr/share/{name}/data"));
        for _ in 0..rng.below(3) {
            let d = random_dep(&mut rng, &bins);
            if !d.contains("missing") {
                p.requires.push(Requirement::from(Dep::parse(&d).unwrap()));
            }
        }
        if rng.chance(3) {
            let (other, _) = &bins[rng.below(bins.len())];
            if other != name {
                p.conflicts.push(Dep::name(other.clone()));
            }
        }
        binaries.push(p);
    }
    let mut sources = Vec::new();
    for s in 0..SOURCES {
        let mut p = Package {
            name: format!("s{s}"),
            arch: "src".into(),
            evr: Evr::new(0, "1.0", Some("1")),
            location: format!("s{s}-1.0-1.src.rpm"),
            ..Default::default()
        };
        for _ in 0..(1 + rng.below(4)) {
            p.requires.push(Requirement::from(
                Dep::parse(&random_dep(&mut rng, &bins)).unwrap(),
            ));
        }
        sources.push(p);
    }
    let input: Vec<String> = (0..40)
        .map(|_| format!("s{}", rng.below(SOURCES)))
        .collect();
    (binaries, sources, input)
}

#[test]
fn fixed_point_equals_dnf() {
    same_as_dnf(Scope::FixedPoint);
}

/// The input's builds alone: the same transactions, nothing queued; the
/// sources listed are the input's and those of every binary installed.
#[test]
fn builds_only_equals_dnf() {
    same_as_dnf(Scope::Input);
}

fn same_as_dnf(scope: Scope) {
    let probe = Command::new("/usr/bin/python3")
        .args(["-c", "import dnf"])
        .output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        eprintln!("skipped: /usr/bin/python3 cannot import dnf");
        return;
    }
    let seeds: Vec<u64> = match std::env::var("FIXED_POINT_SEED") {
        Ok(s) => vec![s.parse().expect("FIXED_POINT_SEED must be a number")],
        Err(_) => vec![7, 20261125],
    };
    for seed in seeds {
        let t = tempfile::tempdir().unwrap();
        let (bins, srcs, input) = distribution(seed);
        write_repodata(&t.path().join("bin"), &bins, &WriteOptions::default()).unwrap();
        write_repodata(&t.path().join("src"), &srcs, &WriteOptions::default()).unwrap();
        let input_file = t.path().join("input.txt");
        std::fs::write(&input_file, input.join("\n") + "\n").unwrap();
        let core = ["s0-b0", "s1-b0", "s2-b0"];

        let specs = [
            RepoSpec::new("bin", t.path().join("bin").to_str().unwrap()),
            RepoSpec::new("src", t.path().join("src").to_str().unwrap()),
        ];
        let repos = load_repos(
            &specs,
            &LoadOptions {
                filelists: Filelists::Needed,
                cache_dir: None,
            },
        )
        .unwrap();
        let pool = Pool::new("x86_64", repos).unwrap();
        let cfg = Config {
            core: core.iter().map(|s| s.to_string()).collect(),
            scope,
            ..Default::default()
        };
        let br = buildroot::run(&pool, &input, &cfg).unwrap();
        let mut our_errors: BTreeMap<String, &str> = BTreeMap::new();
        for s in br.failed() {
            let kind = if s.no_source() {
                "NoSource"
            } else if !s.bad_deps.is_empty() {
                "BadDeps"
            } else {
                "NoInstall"
            };
            our_errors.insert(s.name.clone(), kind);
        }

        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/dnf-buildroot.py");
        let out = Command::new("/usr/bin/python3")
            .arg(&script)
            .args(["--arch", "x86_64", "--core", &core.join(",")])
            .args((scope == Scope::Input).then_some("--builds-only"))
            .arg(format!("--repo=bin={}", t.path().join("bin").display()))
            .arg(format!("--repo=src={}", t.path().join("src").display()))
            .arg(&input_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "dnf-buildroot.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dnf: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let list = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        // The issue asks for equality with dnf over at least 300 sources:
        // 40 input sources reach 328 (seed 7) and 337 (seed 20261125).
        if scope == Scope::Input {
            // Only the input is built; what it installs reaches further.
            let distinct: std::collections::BTreeSet<&String> = input.iter().collect();
            assert_eq!(br.sources.len(), distinct.len(), "seed {seed}");
            assert!(
                br.source_names().len() > distinct.len(),
                "seed {seed}: {:?}",
                br.source_names()
            );
        }
        assert!(
            scope == Scope::Input || br.source_names().len() >= 300,
            "seed {seed}: the run reaches only {} sources (at least 300 wanted)",
            br.source_names().len()
        );
        assert_eq!(
            br.binaries(),
            list(&dnf["binaries"]),
            "seed {seed}: binaries differ from dnf"
        );
        assert_eq!(
            br.source_names(),
            list(&dnf["sources"]),
            "seed {seed}: sources differ from dnf"
        );
        let dnf_errors: BTreeMap<String, &str> = dnf["errors"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "(core)")
            .map(|(k, v)| (k.clone(), v.as_str().unwrap()))
            .collect();
        assert_eq!(
            our_errors, dnf_errors,
            "seed {seed}: errors differ from dnf"
        );
        eprintln!(
            "seed {seed} ({scope:?}): {} sources, {} binaries: same as dnf",
            br.source_names().len(),
            br.binaries().len()
        );
    }
}
