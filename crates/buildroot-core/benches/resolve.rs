//! Benchmark: the resolver on a synthetic Fedora-size pool (~70k packages in
//! two repos, ELN-like at priority 90 over a Rawhide-like one at 2090).
//! Prints a table: pool build time, then per-transaction time for typical
//! buildroots (the ~25 core names plus ~20 BuildRequires) and for the core
//! alone. `cargo bench -p buildroot-core --bench resolve`
//! (BENCH_PACKAGES sets the pool size, BENCH_SOURCES the number of sources).
//!
//! The pool is layered like a distribution: package i depends mostly on
//! "lower" packages (a power law, so a few base packages are required by
//! almost everything), through sonames, names, versioned names, pkgconfig
//! capabilities with alternatives, file paths and a few rich dependencies;
//! Recommends/Suggests point anywhere (libsolv walks them, which makes the
//! rule set much larger than the install set); 1 in 10 libraries has an i686
//! multilib twin.

use std::time::Instant;

use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::Package;
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{LoadedRepo, RepoSpec};
use buildroot_core::solver::{Job, Resolver};

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
    /// A "lower" index: power law towards 0.
    fn lower(&mut self, i: usize) -> usize {
        ((i as f64) * self.unit().powf(4.0)) as usize
    }
}

fn name(i: usize) -> String {
    let kind = [
        "lib", "", "python3-", "perl-", "rust-", "golang-", "ghc-", "texlive-",
    ][i % 8];
    let suffix = ["", "-libs", "-devel", "-common", "-tools"][(i / 8) % 5];
    format!("{kind}p{i}{suffix}")
}

fn is_lib(i: usize) -> bool {
    i.is_multiple_of(8)
}

fn package(rng: &mut Rng, i: usize, version: &str, n: usize) -> Package {
    let nm = name(i);
    let arch = if i % 5 == 1 { "noarch" } else { "x86_64" };
    let evr = Evr::new(0, version, Some("1.fc42"));
    let mut p = Package {
        sourcerpm: format!("src{}-{}.src.rpm", i / 3, evr.vr()),
        location: format!("Packages/{nm}-{}.{arch}.rpm", evr.vr()),
        name: nm.clone(),
        arch: arch.into(),
        evr: evr.clone(),
        ..Default::default()
    };
    if arch != "noarch" {
        p.provides.push(SimpleDep::versioned(
            format!("{nm}(x86-64)"),
            Cmp::Eq,
            evr.clone(),
        ));
    }
    if is_lib(i) {
        p.provides
            .push(SimpleDep::name(format!("libp{i}.so.1()(64bit)")));
        p.files.push(format!("/usr/lib64/libp{i}.so.1"));
    }
    if nm.ends_with("-devel") {
        p.provides.push(SimpleDep::versioned(
            format!("pkgconfig(p{i})"),
            Cmp::Eq,
            evr.clone(),
        ));
    }
    // Shared capabilities: several providers each.
    if i.is_multiple_of(7) {
        p.provides.push(SimpleDep::name(format!("cap{}", i / 21)));
    }
    if i.is_multiple_of(3) {
        p.files.push(format!("/usr/bin/p{i}"));
    }
    p.files.push(format!("/usr/share/doc/p{i}/README"));
    let nreq = rng.below(6);
    for _ in 0..nreq {
        let j = rng.lower(i);
        if j == i {
            continue;
        }
        let d = match rng.below(12) {
            0..=3 if is_lib(j) => Dep::name(format!("libp{j}.so.1()(64bit)")),
            0..=4 => Dep::name(name(j)),
            5 => Dep::Simple(SimpleDep::versioned(
                name(j),
                Cmp::Ge,
                Evr::parse("1.0").unwrap(),
            )),
            6 => Dep::name(format!("cap{}", j / 21)),
            7 if j.is_multiple_of(3) => Dep::name(format!("/usr/bin/p{j}")),
            8 => Dep::Or(vec![Dep::name(name(j)), Dep::name(name(rng.lower(i)))]),
            9 if rng.below(10) == 0 => Dep::If {
                then: Box::new(Dep::name(name(j))),
                cond: Box::new(Dep::name(name(rng.lower(i)))),
                otherwise: None,
            },
            _ => Dep::name(name(j)),
        };
        p.requires.push(d.into());
    }
    if rng.below(10) == 0 {
        p.recommends.push(Dep::name(name(rng.below(n))));
    }
    if rng.below(20) == 0 {
        p.suggests.push(Dep::name(name(rng.below(n))));
    }
    if rng.below(100) == 0 {
        p.conflicts.push(Dep::name(name(rng.below(n))));
    }
    if rng.below(100) == 0 {
        p.obsoletes.push(SimpleDep::versioned(
            format!("old-{nm}"),
            Cmp::Lt,
            Evr::parse("1").unwrap(),
        ));
    }
    p
}

fn synth(n: usize) -> Vec<LoadedRepo> {
    let mut rng = Rng(42);
    let n_rawhide = n * 5 / 7;
    let mut rawhide = Vec::with_capacity(n_rawhide + n_rawhide / 40);
    for i in 0..n_rawhide {
        rawhide.push(package(&mut rng, i, "2.0", n_rawhide));
        if is_lib(i) && i % 10 == 0 {
            // Multilib twin.
            let mut p = package(&mut Rng(i as u64), i, "2.0", n_rawhide);
            p.arch = "i686".into();
            p.provides
                .retain(|d| !d.name.contains("(64bit)") && !d.name.contains("x86-64"));
            p.provides.push(SimpleDep::name(format!("libp{i}.so.1")));
            p.location = p.location.replace("x86_64", "i686");
            rawhide.push(p);
        }
    }
    // ELN: an older build of a subset, preferred by priority.
    let mut eln = Vec::new();
    let mut i = 0;
    while eln.len() < n - rawhide.len() && i < n_rawhide {
        if rng.below(10) < 7 {
            eln.push(package(&mut rng, i, "1.9", n_rawhide));
        }
        i += 1;
    }
    let mut s1 = RepoSpec::new("eln", "");
    s1.priority = 90;
    let mut s2 = RepoSpec::new("rawhide", "");
    s2.priority = 2090;
    vec![
        LoadedRepo {
            spec: s1,
            packages: eln,
        },
        LoadedRepo {
            spec: s2,
            packages: rawhide,
        },
    ]
}

fn core_jobs() -> Vec<Job> {
    // ~25 base names, like bash coreutils gcc make rpm-build ...
    (0..25).map(|k| Job::Install(name(400 + k * 97))).collect()
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let med = v[v.len() / 2];
    let p90 = v[(v.len() * 9 / 10).min(v.len() - 1)];
    (med, p90, *v.last().unwrap_or(&0.0))
}

fn main() {
    let n: usize = std::env::var("BENCH_PACKAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(70_000);
    let nsrc: usize = std::env::var("BENCH_SOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let repos = synth(n);
    let npkgs: usize = repos.iter().map(|r| r.packages.len()).sum();
    let t = Instant::now();
    let pool = Pool::new("x86_64", repos).expect("pool");
    let pool_ms = t.elapsed().as_secs_f64() * 1e3;

    // As the fixed point runs it: one resolver, the core declared common.
    let mut resolver = Resolver::new(&pool);
    resolver.set_common_jobs(&core_jobs());
    let mut rng = Rng(7);
    let mut times = Vec::new();
    let mut sizes = Vec::new();
    let mut failed = 0;
    for _ in 0..nsrc {
        let mut jobs = core_jobs();
        for _ in 0..20 {
            let j = 200 + rng.lower(n * 5 / 7 - 200);
            jobs.push(Job::Provides(match rng.below(3) {
                0 if name(j).ends_with("-devel") => Dep::name(format!("pkgconfig(p{j})")),
                _ => Dep::name(name(j)),
            }));
        }
        let t = Instant::now();
        match resolver.resolve(&jobs) {
            Ok(s) => sizes.push(s.installed.len()),
            Err(_) => failed += 1,
        }
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut core_times = Vec::new();
    let mut core_size = 0;
    for _ in 0..10 {
        let t = Instant::now();
        if let Ok(s) = resolver.resolve(&core_jobs()) {
            core_size = s.installed.len();
        }
        core_times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (med, p90, max) = stats(times);
    let (cmed, cp90, cmax) = stats(core_times);
    let avg = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    println!("resolve benchmark ({npkgs} packages, x86_64)");
    println!(
        "{:<34} {:>10} {:>10} {:>10}",
        "what", "median ms", "p90 ms", "max ms"
    );
    println!(
        "{:<34} {:>10.1} {:>10} {:>10}",
        "Pool::new", pool_ms, "-", "-"
    );
    println!(
        "{:<34} {:>10.2} {:>10.2} {:>10.2}",
        format!("core alone ({core_size} pkgs)"),
        cmed,
        cp90,
        cmax
    );
    println!(
        "{:<34} {:>10.2} {:>10.2} {:>10.2}",
        format!("core + 20 BRs (avg {avg:.0} pkgs)"),
        med,
        p90,
        max
    );
    println!("({nsrc} transactions, {failed} unsolvable)");
}
