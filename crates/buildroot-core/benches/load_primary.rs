//! Benchmark: loading a Fedora-size primary.xml (70k packages), against the
//! floor of only decompressing the same file. `cargo bench --bench load_primary`
//! (set BENCH_PACKAGES to change the size, or BENCH_REPO=DIR to measure an
//! existing rpm-md repo such as `bench-data/repos/x86_64`).

use std::io::Read;
use std::time::Instant;

use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, Compression, WriteOptions};
use buildroot_core::rpmmd::{load_repo, Filelists, LoadOptions, RepoSpec};

/// A deterministic pseudo-random generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Packages shaped like Fedora's: ~10 provides, ~15 requires, a few files.
fn synth(n: usize) -> Vec<Package> {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    (0..n)
        .map(|i| {
            let name = format!(
                "pkg{i}-{}",
                ["libs", "devel", "tools", "common", "doc"][i % 5]
            );
            let evr = Evr::new(
                0,
                format!("{}.{}.{}", rng.below(20), rng.below(50), rng.below(9)),
                Some(&format!("{}.fc42", rng.below(9) + 1)),
            );
            let mut p = Package {
                sourcerpm: format!("pkg{}-{}.src.rpm", i / 3, evr.vr()),
                location: format!("Packages/p/{name}-{}.x86_64.rpm", evr.vr()),
                summary: "A synthetic package for benchmarking the metadata reader".into(),
                name: name.clone(),
                arch: if i % 4 == 0 {
                    "noarch".into()
                } else {
                    "x86_64".into()
                },
                evr: evr.clone(),
                size: 123456,
                ..Default::default()
            };
            p.provides
                .push(SimpleDep::versioned(&name, Cmp::Eq, evr.clone()));
            p.provides.push(SimpleDep::versioned(
                format!("{name}(x86-64)"),
                Cmp::Eq,
                evr,
            ));
            for k in 0..(rng.below(12) as usize) {
                p.provides
                    .push(SimpleDep::name(format!("lib{i}_{k}.so.{}()(64bit)", k % 3)));
            }
            for _ in 0..(5 + rng.below(20)) {
                let t = rng.below(n as u64);
                let d = if rng.below(4) == 0 {
                    Dep::Simple(SimpleDep::versioned(
                        format!("pkg{t}-libs"),
                        Cmp::Ge,
                        Evr::new(0, "1.2", None),
                    ))
                } else {
                    Dep::name(format!("lib{t}_0.so.0()(64bit)"))
                };
                p.requires.push(Requirement {
                    dep: d,
                    pre: rng.below(10) == 0,
                });
            }
            p.files.push(format!("/usr/bin/{name}"));
            p.files.push(format!("/usr/share/doc/{name}/README"));
            p
        })
        .collect()
}

fn main() {
    let n: usize = std::env::var("BENCH_PACKAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(70_000);
    let tmp = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let dir = match std::env::var_os("BENCH_REPO") {
        Some(d) => std::path::PathBuf::from(d),
        None => {
            write_repodata(
                tmp.path(),
                &synth(n),
                &WriteOptions {
                    compression: Compression::Zstd,
                    timestamp: 0,
                },
            )
            .unwrap();
            tmp.path().to_path_buf()
        }
    };
    let write_s = t.elapsed().as_secs_f64();
    let primary = std::fs::read_dir(dir.join("repodata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("primary.xml.zst"))
        .unwrap();

    let mut floor = f64::MAX;
    let mut xml_bytes = 0usize;
    for _ in 0..3 {
        let t = Instant::now();
        let mut d =
            zstd::stream::read::Decoder::new(std::fs::File::open(&primary).unwrap()).unwrap();
        let mut buf = vec![0u8; 1 << 16];
        xml_bytes = 0;
        loop {
            let k = d.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            xml_bytes += k;
        }
        floor = floor.min(t.elapsed().as_secs_f64());
    }
    let spec = RepoSpec::new("bench", dir.to_str().unwrap());
    let mut load = f64::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = load_repo(
            &spec,
            &LoadOptions {
                filelists: Filelists::PrimaryOnly,
                cache_dir: None,
            },
        )
        .unwrap();
        load = load.min(t.elapsed().as_secs_f64());
        count = r.packages.len();
    }
    // One thread, from memory: the parser's own speed.
    let mut xml = Vec::new();
    zstd::stream::read::Decoder::new(std::fs::File::open(&primary).unwrap())
        .unwrap()
        .read_to_end(&mut xml)
        .unwrap();
    let mut one = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        buildroot_core::rpmmd::read_primary(&xml[..], "primary.xml").unwrap();
        one = one.min(t.elapsed().as_secs_f64());
    }
    let mb = xml_bytes as f64 / 1e6;
    println!("load_primary: {count} packages, primary.xml {mb:.0} MB unpacked (written in {write_s:.1} s)");
    println!("| what | seconds | MB/s |");
    println!("|---|---|---|");
    println!(
        "| read floor (zstd decode only) | {floor:.3} | {:.0} |",
        mb / floor
    );
    println!(
        "| load_repo (parse into packages) | {load:.3} | {:.0} |",
        mb / load
    );
    println!(
        "| parse only, one thread, from memory | {one:.3} | {:.0} |",
        mb / one
    );
    println!("| ratio to floor | {:.1}x | |", load / floor);
}
