//! `bench-datagen DIR`: a Fedora-scale synthetic distribution for the
//! benchmarks (`make bench-data`): for x86_64, aarch64, ppc64le and s390x a
//! binary repo (~70k packages, a quarter noarch) and a source repo (25k
//! sources; 4% archful, so the four source repos differ), plus a compose.
//! Deterministic (seeded), zstd-compressed repodata, no package files.
//!
//! Shape, chosen to look like Fedora rather than like noise: sources are
//! layered, and dependencies point to lower layers with a power law, so a
//! few base libraries are required by almost everything and the closure of
//! a compose is a few thousand sources; binaries are `pN` (files in
//! /usr/bin), `pN-libs` (a soname), `pN-devel` (pkgconfig, headers only in
//! filelists), `pN-tools`, `pN-doc` (noarch); BuildRequires name -devel
//! packages, pkgconfig() capabilities, file paths and some rich
//! alternatives; 2% of capabilities have two providers. The core buildroot
//! names of buildroot-generator's default list exist, so it resolves.

mod debian;
mod debver;
mod filelists;

use std::io::BufReader;
use std::path::Path;

use anyhow::Result;
use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, Compression, WriteOptions};
use rayon::prelude::*;

const ARCHES: &[&str] = &["x86_64", "aarch64", "ppc64le", "s390x"];
/// buildroot-generator's default core, its release package, and two bases
/// every source builds with: all must exist for the default core to resolve.
fn core() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = buildroot_core::buildroot::DEFAULT_CORE.to_vec();
    v.extend(["fedora-release-eln", "gcc", "glibc"]);
    v
}

static CORE: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(core);

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// An index below `n`, power-law skewed towards 0.
    fn lower(&mut self, n: usize) -> usize {
        ((n as f64) * self.unit().powf(3.0)) as usize
    }
}

/// Which binaries source `i` builds (bit set: main, libs, devel, tools, doc).
fn kinds(i: usize) -> [bool; 5] {
    let h = (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
    [
        true,
        !h.is_multiple_of(3),
        !h.is_multiple_of(3),
        h.is_multiple_of(7),
        h.is_multiple_of(5),
    ]
}

fn src_name(i: usize) -> String {
    if i < CORE.len() {
        CORE[i].to_string()
    } else {
        format!("p{i}")
    }
}

fn evr(i: usize) -> Evr {
    Evr::new(
        0,
        format!("{}.{}", 1 + i % 9, i % 13),
        Some(&format!("{}.fc42", 1 + i % 4)),
    )
}

/// A dependency on something of source `j` (which must exist).
fn dep_on(rng: &mut Rng, j: usize) -> Dep {
    let k = kinds(j);
    let base = src_name(j);
    match rng.below(10) {
        0..=4 if k[1] => Dep::name(format!("lib{base}.so.1()(64bit)")),
        5 if j >= CORE.len() => Dep::name(format!("/usr/bin/{base}")),
        6 => Dep::Simple(SimpleDep::versioned(
            base,
            Cmp::Ge,
            Evr::new(0, "1.0", None),
        )),
        _ => Dep::name(base),
    }
}

/// A BuildRequires on source `j`'s development files.
fn br_on(rng: &mut Rng, j: usize) -> Dep {
    let k = kinds(j);
    let base = src_name(j);
    if !k[2] {
        return Dep::name(base);
    }
    match rng.below(10) {
        0..=3 => Dep::name(format!("{base}-devel")),
        4..=6 => Dep::name(format!("pkgconfig({base})")),
        7 => Dep::name(format!("/usr/include/{base}.h")),
        _ => Dep::parse(&format!("({base}-devel or {base}-compat-devel)")).expect("valid rich dep"),
    }
}

fn binaries(i: usize, arch: &str) -> Vec<Package> {
    let mut rng = Rng(i as u64 * 7919 + 17);
    let k = kinds(i);
    let base = src_name(i);
    let e = evr(i);
    let mk = |name: String, noarch: bool| Package {
        arch: if noarch { "noarch".into() } else { arch.into() },
        sourcerpm: format!("{base}-{}.src.rpm", e.vr()),
        location: format!("Packages/{name}-{}.rpm", e.vr()),
        summary: format!("The {name} package"),
        size: 100_000,
        name,
        evr: e.clone(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let libs_dep = Dep::Simple(SimpleDep::versioned(
        format!("{base}-libs"),
        Cmp::Eq,
        e.clone(),
    ));
    let mut main = mk(base.clone(), i % 4 == 3 && !k[1]);
    main.files = vec![
        format!("/usr/bin/{base}"),
        format!("/usr/share/{base}/data"),
    ];
    if k[1] {
        main.requires.push(libs_dep.clone().into());
    }
    if i > 0 {
        for _ in 0..(1 + rng.below(5)) {
            let j = rng.lower(i);
            main.requires.push(Requirement::from(dep_on(&mut rng, j)));
        }
    }
    if rng.chance(0.1) && i > 1 {
        main.recommends.push(Dep::name(src_name(rng.lower(i))));
    }
    if i < CORE.len() {
        // Core sources depend only on glibc-ish bases to keep the core small.
        main.requires
            .retain(|r| r.dep.leaves().iter().all(|l| !l.name.starts_with('/')));
    }
    out.push(main);
    if k[1] {
        let mut libs = mk(format!("{base}-libs"), false);
        libs.provides
            .push(SimpleDep::name(format!("lib{base}.so.1()(64bit)")));
        libs.files.push(format!("/usr/lib64/lib{base}.so.1"));
        if i > 0 {
            for _ in 0..rng.below(4) {
                let j = rng.lower(i);
                if kinds(j)[1] {
                    libs.requires.push(Requirement::from(Dep::name(format!(
                        "lib{}.so.1()(64bit)",
                        src_name(j)
                    ))));
                }
            }
        }
        out.push(libs);
    }
    if k[2] {
        let mut devel = mk(format!("{base}-devel"), false);
        devel.provides.push(SimpleDep::versioned(
            format!("pkgconfig({base})"),
            Cmp::Eq,
            Evr::new(0, e.version.clone(), None),
        ));
        devel.files = vec![
            format!("/usr/include/{base}.h"),
            format!("/usr/lib64/pkgconfig/{base}.pc"),
        ];
        devel.requires.push(libs_dep.into());
        if i > 0 {
            for _ in 0..rng.below(3) {
                let j = rng.lower(i);
                if kinds(j)[2] {
                    devel.requires.push(Requirement::from(Dep::name(format!(
                        "pkgconfig({})",
                        src_name(j)
                    ))));
                }
            }
        }
        // 2% of -devel packages have a compat alternative (two providers).
        if i % 50 == 7 {
            let mut compat = mk(format!("{base}-compat-devel"), false);
            compat.provides.push(SimpleDep::versioned(
                format!("pkgconfig({base})"),
                Cmp::Eq,
                Evr::new(0, "0.9", None),
            ));
            compat.conflicts.push(Dep::name(format!("{base}-devel")));
            out.push(compat);
        }
        out.push(devel);
    }
    if k[3] {
        let mut tools = mk(format!("{base}-tools"), false);
        tools
            .requires
            .push(Requirement::from(Dep::name(base.clone())));
        tools.files.push(format!("/usr/bin/{base}-tool"));
        out.push(tools);
    }
    if k[4] {
        out.push(mk(format!("{base}-doc"), true));
    }
    out
}

fn source(i: usize, arch: &str) -> Package {
    let mut rng = Rng(i as u64 * 104_729 + 5);
    let base = src_name(i);
    let e = evr(i);
    let mut p = Package {
        name: base.clone(),
        arch: "src".into(),
        location: format!("{base}-{}.src.rpm", e.vr()),
        evr: e,
        ..Default::default()
    };
    let gcc = CORE
        .iter()
        .position(|c| *c == "gcc")
        .expect("gcc in core list");
    if i > 0 {
        p.requires.push(Requirement::from(Dep::name(src_name(gcc))));
        p.requires.push(Requirement::from(Dep::name("make")));
        for _ in 0..(2 + rng.below(10)) {
            let j = rng.lower(i);
            let d = br_on(&mut rng, j);
            if !p.requires.iter().any(|r| r.dep == d) {
                p.requires.push(Requirement::from(d));
            }
        }
        // Archful sources: one BuildRequires only on x86_64, another only on s390x.
        if i % 25 == 11 {
            let j = rng.lower(i);
            match arch {
                "x86_64" => p.requires.push(Requirement::from(br_on(&mut rng, j))),
                "s390x" => p.requires.push(Requirement::from(Dep::name(src_name(j)))),
                _ => {}
            }
        }
    }
    p
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--filelists") {
        // bench-datagen --filelists BINARY-REPO OUT CONTENTS.gz...
        return filelists::main(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--debian") {
        // bench-datagen --debian DIR-WITH-Packages-ARCH-AND-Sources OUT
        let (Some(lists), Some(out)) = (args.get(1), args.get(2)) else {
            anyhow::bail!("usage: bench-datagen --debian LISTS-DIR OUT-DIR");
        };
        let lists = Path::new(lists);
        let open = |name: String| -> Result<Box<dyn std::io::BufRead>> {
            let p = lists.join(&name);
            let f = std::fs::File::open(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            Ok(Box::new(BufReader::with_capacity(1 << 20, f)))
        };
        return debian::convert(
            &|arch| open(format!("Packages-{arch}")),
            &|| open("Sources".into()),
            Path::new(out),
        );
    }
    let out = args.first().cloned().unwrap_or_else(|| "bench-data".into());
    let out = Path::new(&out);
    let n: usize = std::env::var("BENCH_SOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25_000);
    let opts = WriteOptions {
        compression: Compression::Zstd,
        timestamp: 1_730_000_000,
    };
    ARCHES.par_iter().try_for_each(|arch| -> Result<()> {
        let bins: Vec<Package> = (0..n)
            .into_par_iter()
            .flat_map_iter(|i| binaries(i, arch))
            .collect();
        write_repodata(&out.join("repos").join(arch), &bins, &opts)?;
        let srcs: Vec<Package> = (0..n).map(|i| source(i, arch)).collect();
        write_repodata(
            &out.join("repos").join(format!("source-{arch}")),
            &srcs,
            &opts,
        )?;
        // The compose: 5000 popular binaries (power law over sources).
        let mut rng = Rng(42);
        let mut names = std::collections::BTreeSet::new();
        let mut sources = std::collections::BTreeSet::new();
        while names.len() < 5000.min(n) {
            let i = ((n as f64) * rng.unit().powf(1.6)) as usize;
            names.insert(src_name(i));
            sources.insert(src_name(i));
        }
        let dir = out.join("compose");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("{arch}.txt")),
            names.into_iter().collect::<Vec<_>>().join("\n") + "\n",
        )?;
        if *arch == "x86_64" {
            std::fs::write(
                dir.join("sources.txt"),
                sources.into_iter().collect::<Vec<_>>().join("\n") + "\n",
            )?;
        }
        eprintln!("{arch}: {} binaries, {n} sources", bins.len());
        Ok(())
    })?;
    Ok(())
}
