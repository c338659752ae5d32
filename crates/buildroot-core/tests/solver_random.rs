//! Randomized differential test: seeded random repos (hundreds of packages
//! with versioned, rich and file dependencies, conflicts, obsoletes, weak
//! dependencies, several providers per capability, several versions per
//! name, i686 next to x86_64, repo priorities and excludes) and hundreds of
//! transactions, asked of dnf (one oracle process) and of our resolver.
//!
//! Every disagreement fails the test unless docs/resolver.md lists it as a
//! known difference (a line `known-difference: seed=S set=N tx=T`).
//! Environment: RESOLVER_SEED (default fixed), RESOLVER_SETS (5),
//! RESOLVER_TXS per set (110), RESOLVER_PKGS per set (300).

mod solver_support;

use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::Package;
use buildroot_core::pool::PkgId;
use buildroot_core::rpmmd::RepoSpec;
use buildroot_core::solver::{resolve, resolve_on, Job, Resolver, Solution, Unsolvable};
use solver_support::*;

/// splitmix64: small, seedable, good enough for test data.
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
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

const VERSIONS: &[&str] = &["1", "1.5", "2", "2.1", "10", "1.0~rc1", "1.0"];

/// The EVRs of a world: its packages' versions and releases, how often a
/// package has an epoch, the versions its dependencies name (a name's and
/// a capability's) and its capabilities' provided versions.
struct Evrs {
    versions: &'static [&'static str],
    releases: &'static [&'static str],
    epoch_percent: u64,
    epochs: &'static [u32],
    dep_evrs: &'static [&'static str],
    cap_evrs: &'static [&'static str],
}

/// The default worlds' EVRs: plain versions, releases 1 and 2.
const PLAIN_EVRS: Evrs = Evrs {
    versions: VERSIONS,
    releases: &["1", "2"],
    epoch_percent: 5,
    epochs: &[1],
    dep_evrs: VERSIONS,
    cap_evrs: &["1", "2", "3"],
};

/// EVRs as Fedora's metadata writes them (`random_evr_shapes_match_dnf`):
/// `^` and `~`, letters, leading zeros and separators that compare as
/// rpm's vercmp compares them; dist-tagged and dotted releases; epochs 1
/// and 2; dependencies naming an epoch (`0:` too), a release (`= 1.5-1`:
/// libsolv then compares releases, else not) or both.
const FEDORA_EVRS: Evrs = Evrs {
    versions: &[
        "1",
        "1.5",
        "2",
        "1.0~rc1",
        "1.0^git1",
        "1.0",
        "1.0.1",
        "1.0a",
        "1.0_1",
        "01.5",
        "1.05",
        "1.0~rc1^post",
        "2.0^",
        "1.0+b",
    ],
    releases: &[
        "1", "2", "1.fc40", "1.el9", "0.1.rc1", "10", "1.fc40.1", "2.fc40",
    ],
    epoch_percent: 15,
    epochs: &[1, 2],
    dep_evrs: &[
        "1",
        "1.5",
        "2",
        "1.0~rc1",
        "1.0^git1",
        "1.0",
        "1.5-1",
        "1.5-2",
        "1:1.5",
        "0:1.5",
        "1:1.0-1.fc40",
        "2-1",
        "1.0-1.fc40",
        "2:0",
        "1.05-10",
        "1.0^git1-1",
        "01.5",
    ],
    cap_evrs: &["1", "2", "3", "1-1", "1:2", "2-2.fc40", "1.0^git1"],
};

struct World {
    names: Vec<String>,
    caps: Vec<String>,
    files: Vec<String>,
    evrs: &'static Evrs,
}

fn world_with(r: &mut Rng, npkgs: usize, evrs: &'static Evrs) -> World {
    let prefixes = [
        "lib",
        "py3-",
        "perl-",
        "Z",
        "x",
        "tool",
        "python3.12-",
        "python3-",
    ];
    let names = (0..npkgs / 2)
        .map(|i| format!("{}{}", prefixes[r.below(prefixes.len())], i))
        .collect();
    let caps = (0..npkgs / 4)
        .map(|i| {
            if r.chance(20) {
                format!("libc{i}.so.1()(64bit)")
            } else {
                format!("cap{i}")
            }
        })
        .collect();
    let files = (0..npkgs / 8)
        .map(|i| {
            if r.chance(50) {
                format!("/usr/bin/f{i}")
            } else {
                format!("/usr/share/d{i}/data")
            }
        })
        .collect();
    World {
        names,
        caps,
        files,
        evrs,
    }
}

fn simple(r: &mut Rng, w: &World) -> SimpleDep {
    let cmps = [Cmp::Ge, Cmp::Lt, Cmp::Eq, Cmp::Gt, Cmp::Le];
    match r.below(10) {
        0..=3 => {
            let n = r.pick(&w.names).clone();
            if r.chance(30) {
                SimpleDep::versioned(
                    n,
                    *r.pick(&cmps),
                    Evr::parse(r.pick::<&str>(w.evrs.dep_evrs)).unwrap(),
                )
            } else {
                SimpleDep::name(n)
            }
        }
        4..=7 => {
            let c = r.pick(&w.caps).clone();
            if r.chance(30) {
                let v = *r.pick::<&str>(w.evrs.cap_evrs);
                SimpleDep::versioned(c, *r.pick(&cmps), Evr::parse(v).unwrap())
            } else {
                SimpleDep::name(c)
            }
        }
        _ => SimpleDep::name(r.pick(&w.files).clone()),
    }
}

fn rich(r: &mut Rng, w: &World, conflict: bool, depth: usize) -> Dep {
    let leaf = |r: &mut Rng| {
        if depth > 0 && r.chance(25) {
            rich(r, w, conflict, depth - 1)
        } else {
            Dep::Simple(simple(r, w))
        }
    };
    let a = leaf(r);
    let b = leaf(r);
    match r.below(if conflict { 4 } else { 6 }) {
        0 => Dep::And(vec![a, b]),
        1 => Dep::Or(vec![a, b]),
        2 => Dep::With(vec![Dep::Simple(simple(r, w)), Dep::Simple(simple(r, w))]),
        3 if conflict => Dep::Unless {
            then: Box::new(a),
            cond: Box::new(b),
            otherwise: None,
        },
        3 => Dep::If {
            then: Box::new(a),
            cond: Box::new(b),
            otherwise: None,
        },
        4 => Dep::If {
            then: Box::new(a),
            cond: Box::new(b),
            otherwise: Some(Box::new(leaf(r))),
        },
        _ => Dep::Or(vec![a, b, leaf(r)]),
    }
}

fn dep(r: &mut Rng, w: &World, conflict: bool) -> Dep {
    if r.chance(12) {
        rich(r, w, conflict, 1)
    } else {
        Dep::Simple(simple(r, w))
    }
}

/// A random package; `weak` makes weak dependencies frequent (the weak
/// dependency test), drawing the same random numbers either way.
fn package(r: &mut Rng, w: &World, arch_choices: &[&str], weak: bool) -> Package {
    let name = r.pick(&w.names).clone();
    let version = r.pick::<&str>(w.evrs.versions).to_string();
    let release = r.pick::<&str>(w.evrs.releases).to_string();
    let epoch = if r.chance(w.evrs.epoch_percent) {
        // One epoch to choose from draws nothing (the default worlds'
        // random numbers stay those they always drew).
        match w.evrs.epochs {
            [one] => *one,
            many => *r.pick(many),
        }
    } else {
        0
    };
    let arch = r.pick(arch_choices).to_string();
    let evr = Evr::new(epoch, version, Some(&release));
    let mut p = Package {
        sourcerpm: format!("{}-{}.src.rpm", name, evr.vr()),
        location: format!("{}-{}.{}.rpm", name, evr, arch),
        name,
        arch,
        evr,
        ..Default::default()
    };
    for _ in 0..r.below(3) {
        let c = r.pick(&w.caps).clone();
        p.provides.push(if r.chance(40) {
            SimpleDep::versioned(
                c,
                Cmp::Eq,
                Evr::parse(r.pick::<&str>(w.evrs.cap_evrs)).unwrap(),
            )
        } else {
            SimpleDep::name(c)
        });
    }
    if r.chance(2) {
        p.provides.push(SimpleDep::name("installonlypkg(kernel)"));
    }
    for _ in 0..r.below(4) {
        p.requires.push(dep(r, w, false).into());
    }
    if r.chance(6) {
        p.conflicts.push(dep(r, w, true));
    }
    if r.chance(4) {
        p.obsoletes.push(SimpleDep::versioned(
            r.pick(&w.names).clone(),
            Cmp::Lt,
            Evr::parse(r.pick::<&str>(w.evrs.dep_evrs)).unwrap(),
        ));
    }
    if r.chance(if weak { 40 } else { 8 }) {
        p.recommends.push(dep(r, w, false));
    }
    if r.chance(5) {
        p.suggests.push(dep(r, w, false));
    }
    if r.chance(if weak { 15 } else { 4 }) {
        p.supplements.push(if weak && r.chance(20) {
            rich(r, w, false, 0)
        } else {
            Dep::Simple(simple(r, w))
        });
    }
    if weak && r.chance(15) {
        p.recommends.push(dep(r, w, false));
    }
    if r.chance(2) {
        p.enhances.push(Dep::Simple(simple(r, w)));
    }
    if r.chance(5) {
        // A file nobody requires (found by a file selector only).
        p.files
            .push(format!("/usr/lib/unindexed/f{}", r.below(w.files.len())));
    }
    if r.chance(20) {
        for _ in 0..1 + r.below(2) {
            let f = r.pick(&w.files).clone();
            if !p.files.contains(&f) {
                p.files.push(f);
            }
        }
    }
    p
}

fn scenario(seed: u64, npkgs: usize, ntx: usize) -> Scenario {
    scenario_with(seed, npkgs, ntx, false)
}

fn scenario_with(seed: u64, npkgs: usize, ntx: usize, weak: bool) -> Scenario {
    scenario_of(seed, npkgs, ntx, weak, &PLAIN_EVRS)
}

fn scenario_of(seed: u64, npkgs: usize, ntx: usize, weak: bool, evrs: &'static Evrs) -> Scenario {
    let mut r = Rng(seed);
    let w = world_with(&mut r, npkgs, evrs);
    let nrepos = 1 + r.below(3);
    let arch_choices = ["x86_64", "x86_64", "x86_64", "noarch", "noarch", "i686"];
    let mut repos = Vec::new();
    for i in 0..nrepos {
        let mut spec = RepoSpec::new(&format!("repo{i}"), "");
        spec.priority = *r.pick(&[90, 99, 99, 2090]);
        spec.cost = *r.pick(&[1000, 1000, 500]);
        if r.chance(15) {
            spec.exclude.push(format!("{}*", r.pick(&w.names)));
        }
        let mut pkgs: Vec<Package> = Vec::new();
        for _ in 0..npkgs / nrepos {
            let p = package(&mut r, &w, &arch_choices, weak);
            if !pkgs.iter().any(|q| q.location == p.location) {
                pkgs.push(p);
            }
        }
        repos.push(ScRepo {
            spec,
            packages: pkgs,
        });
    }
    let mut txs = Vec::new();
    for _ in 0..ntx {
        let mut jobs = Vec::new();
        for _ in 0..1 + r.below(4) {
            jobs.push(match r.below(100) {
                0..=34 => Job::Install(r.pick(&w.names).clone()),
                35..=39 => Job::Install(format!(
                    "{}.{}",
                    r.pick(&w.names),
                    r.pick(&["i686", "noarch", "x86_64"])
                )),
                40..=42 => Job::Install(format!(
                    "{}-{}",
                    r.pick(&w.names),
                    r.pick::<&str>(w.evrs.versions)
                )),
                43..=44 => Job::Install(r.pick(&w.files).clone()),
                45..=46 => Job::Install(r.pick(&w.caps).clone()),
                47 => Job::Install(format!("{}*", &r.pick(&w.names)[..2])),
                48..=50 => Job::Provides(Dep::name(format!(
                    "/usr/lib/unindexed/f{}",
                    r.below(w.files.len())
                ))),
                _ => Job::Provides(dep(&mut r, &w, false)),
            });
        }
        txs.push(Tx {
            base: None,
            jobs,
            expect: None,
            line: 0,
        });
    }
    Scenario {
        name: format!("random seed {seed}"),
        arch: "x86_64".into(),
        repos,
        txs,
    }
}

fn env_num(k: &str, default: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn known_differences() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/resolver.md");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("known-difference:")
                .map(|x| x.trim().to_string())
        })
        .collect()
}

#[test]
fn random_repos_match_dnf() {
    let seed = env_num("RESOLVER_SEED", 20261125);
    let nsets = env_num("RESOLVER_SETS", 5);
    let ntx = env_num("RESOLVER_TXS", 110) as usize;
    let npkgs = env_num("RESOLVER_PKGS", 300) as usize;
    random_repos_against_dnf(
        "random_repos_match_dnf",
        &PLAIN_EVRS,
        seed,
        nsets,
        ntx,
        npkgs,
    );
}

/// The same with the EVRs of Fedora's metadata ([`FEDORA_EVRS`]):
/// `RESOLVER_EVR_SEED` (default fixed), `RESOLVER_EVR_SETS` (2),
/// `RESOLVER_EVR_TXS` (80), `RESOLVER_EVR_PKGS` (250).
#[test]
fn random_evr_shapes_match_dnf() {
    let seed = env_num("RESOLVER_EVR_SEED", 20261207);
    let nsets = env_num("RESOLVER_EVR_SETS", 2);
    let ntx = env_num("RESOLVER_EVR_TXS", 80) as usize;
    let npkgs = env_num("RESOLVER_EVR_PKGS", 250) as usize;
    random_repos_against_dnf(
        "random_evr_shapes_match_dnf",
        &FEDORA_EVRS,
        seed,
        nsets,
        ntx,
        npkgs,
    );
}

/// `nsets` random repo sets of `evrs` from `seed`, their transactions
/// asked of dnf and of us; fails on a difference docs/resolver.md does not
/// list.
fn random_repos_against_dnf(
    test: &str,
    evrs: &'static Evrs,
    seed: u64,
    nsets: u64,
    ntx: usize,
    npkgs: usize,
) {
    // RESOLVER_TRACE=1 prints our decisions (docs/resolver.md).
    buildroot_core::cli::init_trace();
    if skip_without_dnf(test) {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let scs: Vec<Scenario> = (0..nsets)
        .map(|i| scenario_of(seed.wrapping_add(i), npkgs, ntx, false, evrs))
        .collect();
    let mut sets = Vec::new();
    let mut pools = Vec::new();
    for (i, sc) in scs.iter().enumerate() {
        let dirs = write_repos(sc, &tmp.path().join(format!("s{i}")));
        pools.push(pool_from_disk(sc, &dirs));
        sets.push(OracleSet {
            arch: sc.arch.clone(),
            repos: sc.repos.iter().map(|r| r.spec.clone()).zip(dirs).collect(),
            txs: sc.txs.iter().map(|t| t.jobs.clone()).collect(),
            bases: Vec::new(),
            weak: false,
            base_weak: false,
        });
    }
    let answers = ask_dnf(&sets);
    let known = known_differences();
    let (mut total, mut same, mut errors) = (0, 0, 0);
    let (mut same_problems, mut same_problem_lines) = (0, 0);
    let mut problems_differ: Vec<String> = Vec::new();
    let mut differ = Vec::new();
    for (si, ((sc, pool), ans)) in scs.iter().zip(&pools).zip(&answers).enumerate() {
        for (ti, (tx, (dnf, err))) in sc.txs.iter().zip(ans).enumerate() {
            total += 1;
            if err.is_some() {
                errors += 1;
            }
            let got = ours(pool, &tx.jobs);
            if let Some(e) = err {
                // Problem reports must name the same problems with the same
                // lines as dnf's; the order of lines inside a problem may
                // differ (docs/resolver.md, known differences).
                let theirs = problem_text(e);
                let mine = ours_problems(pool, &tx.jobs).unwrap_or_default();
                let key = format!("seed={} set={si} tx={ti}", seed.wrapping_add(si as u64));
                if mine == theirs {
                    same_problems += 1;
                } else {
                    if same_lines(&mine, &theirs) {
                        same_problem_lines += 1;
                    } else {
                        problems_differ.push(key.clone());
                    }
                    if std::env::var_os("RESOLVER_SHOW_PROBLEMS").is_some() {
                        eprintln!(
                            "problems differ, {key}:\n  dnf:  {}\n  ours: {}",
                            theirs.replace('\n', " / "),
                            mine.replace('\n', " / ")
                        );
                    }
                }
            }
            if &got == dnf {
                same += 1;
                continue;
            }
            let key = format!("seed={} set={si} tx={ti}", seed.wrapping_add(si as u64));
            dump_transaction(
                sc,
                tx,
                &format!("seed{}-set{si}-tx{ti}", seed.wrapping_add(si as u64)),
            );
            if known.contains(&key) {
                continue;
            }
            differ.push(format!(
                "{key}: {}\n    dnf  {}{}\n    ours {}",
                jobs_line(&tx.jobs),
                dnf,
                dnf_error_suffix(err.as_deref()),
                got
            ));
        }
    }
    eprintln!(
        "random: seed {seed}, {nsets} sets x {npkgs} packages, {total} transactions ({errors} unsolvable per dnf): \
         {same} identical ({:.2}%); problem reports identical to dnf's: {same_problems}/{errors}, \
         same lines in another order: {same_problem_lines}",
        100.0 * same as f64 / total as f64
    );
    assert!(
        problems_differ.is_empty(),
        "seed {seed}: problem reports name other problems than dnf's (RESOLVER_SHOW_PROBLEMS=1 shows them): {}",
        problems_differ.join(", ")
    );
    assert!(
        differ.is_empty(),
        "seed {seed}: {} of {total} transactions differ from dnf (rerun with RESOLVER_SEED={seed}):\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// The same problem lines, in any order (libsolv orders a rule's several
/// reasons by raw ids, which only partly follow ours).
fn same_lines(a: &str, b: &str) -> bool {
    let mut x: Vec<&str> = a.lines().collect();
    let mut y: Vec<&str> = b.lines().collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// Everything a transaction answers, for comparing two ways of solving it.
fn full_answer(r: Result<Solution, Unsolvable>) -> String {
    match r {
        Ok(s) => format!(
            "ok {:?} unmatched {:?} candidates {:?}",
            s.installed, s.unmatched, s.job_candidates
        ),
        Err(u) => format!("error {:?} unmatched {:?}", u.by_problem, u.unmatched),
    }
}

/// The speed-ups of a long-lived [`Resolver`] (rules kept across
/// transactions, bases for a common prefix and for frequent jobs, reused
/// workspaces, several threads) must not change any answer: every random
/// transaction, with and without a common prefix and on the system the
/// previous one installs, is solved by a fresh `resolve`/`resolve_on` and by
/// one shared resolver, and everything is compared
/// (install set, unmatched jobs, candidates, problem lines). No dnf needed.
#[test]
fn shared_resolver_matches_fresh_resolve() {
    let seed = env_num("RESOLVER_SEED", 20261125) ^ 0x5eed;
    let nsets = env_num("RESOLVER_SETS", 5) + 3;
    let ntx = env_num("RESOLVER_TXS", 110) as usize;
    let npkgs = env_num("RESOLVER_PKGS", 300) as usize;
    let mut compared = 0;
    for i in 0..nsets {
        let sc = scenario(seed.wrapping_add(i), npkgs, ntx);
        let pool = pool_in_memory(&sc);
        // A "core": the jobs of the first transaction; bases for the first
        // job of a few others.
        let prefix: Vec<Job> = sc.txs[0].jobs.clone();
        let mut resolver = Resolver::new(&pool);
        resolver.set_common_jobs(&prefix);
        for tx in sc.txs.iter().skip(1).take(6) {
            resolver.add_base(&tx.jobs[..1]);
        }
        // Each transaction with and without the prefix, and on the system
        // the previous transaction installs (no base applies there).
        let mut work: Vec<(Vec<PkgId>, Vec<Job>)> = Vec::new();
        let mut system: Vec<PkgId> = Vec::new();
        for tx in &sc.txs {
            let mut with = prefix.clone();
            with.extend(tx.jobs.iter().cloned());
            work.push((Vec::new(), with));
            work.push((Vec::new(), tx.jobs.clone()));
            if !system.is_empty() {
                work.push((system.clone(), tx.jobs.clone()));
            }
            if let Ok(s) = resolve(&pool, &tx.jobs) {
                system = s.installed;
            }
        }
        let resolver = &resolver;
        let pool = &pool;
        // Two threads share the resolver (and its workspaces).
        let halves: Vec<Vec<(String, String, String)>> = std::thread::scope(|s| {
            let hs: Vec<_> = work
                .chunks(work.len().div_ceil(2))
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|(installed, jobs)| {
                                let txt = jobs
                                    .iter()
                                    .map(|j| j.to_string())
                                    .collect::<Vec<_>>()
                                    .join(" ; ");
                                let txt = format!("{txt} (on {} installed)", installed.len());
                                (
                                    txt,
                                    full_answer(resolve_on(pool, installed, jobs)),
                                    full_answer(resolver.resolve_on(installed, jobs)),
                                )
                            })
                            .collect()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        for (txt, fresh, shared) in halves.into_iter().flatten() {
            compared += 1;
            assert_eq!(
                fresh,
                shared,
                "seed {} set {i}: a shared resolver answers differently for {txt}",
                seed.wrapping_add(i)
            );
        }
    }
    eprintln!("shared resolver: {compared} transactions identical to fresh resolves");
}

/// Makes a random scenario's packages installable by rpm: one .rpm file
/// name per repo (packages differing only in epoch share it: the later is
/// dropped), and no path owned by two packages of different names or by an
/// install-only package (rpm refuses file conflicts; dnf does not see
/// them).
fn installable_rpms(sc: &mut Scenario) {
    let mut owner: std::collections::HashMap<String, String> = Default::default();
    for repo in &mut sc.repos {
        let mut seen = std::collections::HashSet::new();
        repo.packages
            .retain(|p| seen.insert(format!("{}-{}.{}", p.name, p.evr.vr(), p.arch)));
        for p in &mut repo.packages {
            let installonly = p
                .provides
                .iter()
                .any(|d| d.to_string().starts_with("installonlypkg("));
            let name = p.name.clone();
            p.files.retain(|f| {
                !installonly && owner.entry(f.clone()).or_insert_with(|| name.clone()) == &name
            });
        }
    }
}

/// Weak dependencies (dnf's `install_weak_deps=True`, content-resolver's
/// `include-weak-deps`): random repos where Recommends and Supplements are
/// frequent (plain and rich), transactions into an empty root and on the
/// system an earlier transaction installed (the base installed with weak
/// dependencies in even sets, without them in odd sets, as an environment
/// without `include-weak-deps` under a workload with it), asked of dnf
/// (real .rpm files, a real rpmdb for the installed systems) and of our
/// resolver with weak dependencies on.
///
/// Every disagreement fails the test unless docs/resolver.md lists it
/// (`known-difference: weak seed=S set=N tx=T`). Environment:
/// RESOLVER_WEAK_SEED, RESOLVER_WEAK_SETS (4), RESOLVER_WEAK_TXS (75 into
/// an empty root per set), RESOLVER_WEAK_ONTXS (25 on an installed system
/// per set), RESOLVER_WEAK_PKGS (200); RESOLVER_WEAK_OFF=1 asks the same
/// transactions with weak dependencies off everywhere (for comparison).
#[test]
fn random_weak_deps_match_dnf() {
    buildroot_core::cli::init_trace();
    if skip_without_dnf("random_weak_deps_match_dnf") {
        return;
    }
    let seed = env_num("RESOLVER_WEAK_SEED", 20261204);
    let nsets = env_num("RESOLVER_WEAK_SETS", 4);
    let ntx = env_num("RESOLVER_WEAK_TXS", 75) as usize;
    let non = env_num("RESOLVER_WEAK_ONTXS", 25) as usize;
    let npkgs = env_num("RESOLVER_WEAK_PKGS", 200) as usize;
    let on = std::env::var_os("RESOLVER_WEAK_OFF").is_none();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut scs = Vec::new();
    for i in 0..nsets {
        let mut sc = scenario_with(seed.wrapping_add(i), npkgs, ntx + non, true);
        // The last `non` transactions run on the system the transaction
        // before them installs (its jobs as the base).
        for t in ntx..sc.txs.len() {
            let base = sc.txs[t - non].jobs.clone();
            sc.txs[t].base = Some(base);
        }
        installable_rpms(&mut sc);
        scs.push(sc);
    }
    let (pools, sets) = pools_and_oracle_sets(&scs, tmp.path(), |i, _| (on, on && i % 2 == 0));
    let answers = ask_dnf(&sets);
    let known = known_differences();
    let (mut total, mut same, mut errors, mut on_total, mut on_same) = (0, 0, 0, 0, 0);
    let (mut more, mut fewer) = (0usize, 0usize);
    let mut differ = Vec::new();
    for (si, ((sc, pool), ans)) in scs.iter().zip(&pools).zip(&answers).enumerate() {
        let base_weak = on && si % 2 == 0;
        for (ti, (tx, (dnf, err))) in sc.txs.iter().zip(ans).enumerate() {
            total += 1;
            if tx.base.is_some() {
                on_total += 1;
            }
            if err.is_some() {
                errors += 1;
            }
            // What weak dependencies add, for the report.
            let strong = ours_tx(pool, tx.base.as_deref(), &tx.jobs);
            let got = ours_tx_weak(pool, tx.base.as_deref(), &tx.jobs, on, base_weak);
            if let (Some(a), Some(b)) = (&strong.installed, &got.installed) {
                if b.len() > a.len() {
                    more += 1;
                } else if b.len() < a.len() {
                    fewer += 1;
                }
            }
            if &got == dnf {
                same += 1;
                if tx.base.is_some() {
                    on_same += 1;
                }
                continue;
            }
            let key = format!(
                "weak seed={} set={si} tx={ti}",
                seed.wrapping_add(si as u64)
            );
            let name = format!("weak-seed{}-set{si}-tx{ti}", seed.wrapping_add(si as u64));
            dump_transaction(sc, tx, &name);
            if known.contains(&key) {
                continue;
            }
            differ.push(format!(
                "{key}{}: {}\n    dnf  {}{}\n    ours {}",
                tx.base
                    .as_ref()
                    .map(|b| format!(" (on [{}], base weak {base_weak})", jobs_line(b)))
                    .unwrap_or_default(),
                jobs_line(&tx.jobs),
                dnf,
                dnf_error_suffix(err.as_deref()),
                got
            ));
        }
    }
    eprintln!(
        "random weak deps{}: seed {seed}, {nsets} sets x {npkgs} packages, {total} transactions \
         ({on_total} on an installed system, {errors} unsolvable per dnf): {same} identical to dnf \
         ({:.2}%; on an installed system {on_same}/{on_total}); weak dependencies added packages \
         in {more}, removed some (a different choice) in {fewer}",
        if on { "" } else { " OFF" },
        100.0 * same as f64 / total as f64
    );
    assert!(
        differ.is_empty(),
        "seed {seed}: {} of {total} weak-dependency transactions differ from dnf (rerun with RESOLVER_WEAK_SEED={seed}):\n{}",
        differ.len(),
        differ.join("\n")
    );
}
