//! Shared helpers of the resolver tests: the scenario text format of
//! `conformance/*.txt`, building pools from scenarios (in memory or through
//! written repodata), running our resolver, and asking dnf via
//! `scripts/dnf-oracle.py`.
//!
//! Scenario format (one file holds many; `#` starts a comment):
//!
//! ```text
//! == 01 a name                      start of a scenario
//! arch x86_64                       optional (default x86_64)
//! repo main priority=90 cost=1000 exclude=bb*,cc includepkgs=...
//! a-1-1.noarch | R: cap, foo >= 2 | Rec: zz
//! bb-1-1.noarch | P: cap | F: /usr/bin/bb
//! ? install a ; provides (b if c) => a-1-1.noarch bb-1-1.noarch
//! ? install bb => unmatched=0 | error
//! ? on [install a] install bb => bb-1-1.noarch
//! ? group bb => bb-1-1.noarch
//! ```
//! Package keys: R requires, P provides, C conflicts, O obsoletes, Rec, Sug,
//! Sup, Enh, F files (a rich provide or obsolete is allowed, as rpm-md can
//! list one). Expectations after `=>`: NEVRAs, or `error`, optionally
//! preceded by `unmatched=I,J |`. A transaction without `=>` is only compared
//! with dnf. `on [JOBS]` first installs what JOBS resolve to into an empty
//! root (dnf: a `justdb` transaction into an installroot), then resolves the
//! transaction's jobs on that installed system; the expectation lists the
//! packages it adds. `group NAME` is one package of a comps group as
//! `dnf group install` takes it.

#![allow(dead_code)]

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use buildroot_core::dep::{Dep, SimpleDep};
use buildroot_core::evr::Nevra;
use buildroot_core::package::Package;
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{LoadedRepo, RepoSpec};
use buildroot_core::solver::{resolve, Job, Resolver, Solution, Unsolvable};

/// One repo of a scenario.
#[derive(Clone, Debug)]
pub struct ScRepo {
    pub spec: RepoSpec,
    pub packages: Vec<Package>,
}

/// A transaction and what it should give.
#[derive(Clone, Debug)]
pub struct Tx {
    /// `on [JOBS]`: the jobs whose install set is installed first.
    pub base: Option<Vec<Job>>,
    pub jobs: Vec<Job>,
    pub expect: Option<Outcome>,
    pub line: usize,
}

/// What a transaction gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub unmatched: Vec<usize>,
    /// None: unsolvable.
    pub installed: Option<Vec<String>>,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.unmatched.is_empty() {
            let u: Vec<String> = self.unmatched.iter().map(|i| i.to_string()).collect();
            write!(f, "unmatched={} | ", u.join(","))?;
        }
        match &self.installed {
            None => f.write_str("error"),
            Some(v) => f.write_str(&v.join(" ")),
        }
    }
}

/// A named repo set with transactions.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub arch: String,
    pub repos: Vec<ScRepo>,
    pub txs: Vec<Tx>,
}

fn job_from(s: &str) -> Result<Job, String> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("install ") {
        return Ok(Job::Install(rest.trim().to_string()));
    }
    if let Some(rest) = s.strip_prefix("provides ") {
        return Dep::parse(rest.trim())
            .map(Job::Provides)
            .map_err(|e| e.to_string());
    }
    if let Some(rest) = s.strip_prefix("group ") {
        return Ok(Job::GroupPackage {
            name: rest.trim().to_string(),
            basearch_only: false,
        });
    }
    Err(format!(
        "job must start with 'install', 'provides' or 'group': {s}"
    ))
}

/// A job as the scenario format writes it.
pub fn job_text(j: &Job) -> String {
    match j {
        Job::Install(x) => format!("install {x}"),
        Job::Provides(d) => format!("provides {d}"),
        Job::GroupPackage { name, .. } => format!("group {name}"),
    }
}

/// The text of a job as the oracle takes it.
pub fn job_json(j: &Job) -> serde_json::Value {
    match j {
        Job::Install(s) => serde_json::json!({ "install": s }),
        Job::Provides(d) => serde_json::json!({ "provides": d.to_string() }),
        Job::GroupPackage {
            name,
            basearch_only,
        } => serde_json::json!({ "group": name, "basearch_only": basearch_only }),
    }
}

fn parse_outcome(s: &str) -> Result<Outcome, String> {
    let mut unmatched = Vec::new();
    let mut rest = s.trim();
    if let Some(r) = rest.strip_prefix("unmatched=") {
        let (list, after) = match r.find('|') {
            Some(p) => (&r[..p], r[p + 1..].trim()),
            None => (r, ""),
        };
        for x in list.trim().split(',') {
            unmatched.push(x.trim().parse::<usize>().map_err(|e| format!("{x}: {e}"))?);
        }
        rest = after;
    }
    let installed = if rest == "error" {
        None
    } else {
        let mut v: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
        v.sort();
        Some(v)
    };
    Ok(Outcome {
        unmatched,
        installed,
    })
}

fn parse_package(line: &str) -> Result<Package, String> {
    let mut parts = line.split('|');
    let head = parts.next().unwrap_or("").trim();
    let n = Nevra::parse(head).map_err(|e| e.to_string())?;
    let mut p = Package {
        name: n.name.clone(),
        arch: n.arch.clone(),
        evr: n.evr.clone(),
        sourcerpm: format!("{}-{}.src.rpm", n.name, n.evr.vr()),
        location: format!("{}.rpm", head),
        ..Default::default()
    };
    if p.is_source() {
        p.sourcerpm.clear();
    }
    for part in parts {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| format!("expected KEY: deps in '{part}'"))?;
        let items: Vec<&str> = v
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .collect();
        for it in items {
            let dep = || Dep::parse(it).map_err(|e| e.to_string());
            // A rich provide or obsolete is held as its text (`Package`).
            let simple_or_rich = || match dep()? {
                Dep::Simple(s) => Ok::<_, String>(s),
                rich => Ok(SimpleDep::name(rich.to_string())),
            };
            match k.trim() {
                "R" => p.requires.push(dep()?.into()),
                "P" => p.provides.push(simple_or_rich()?),
                "C" => p.conflicts.push(dep()?),
                "O" => p.obsoletes.push(simple_or_rich()?),
                "Rec" => p.recommends.push(dep()?),
                "Sug" => p.suggests.push(dep()?),
                "Sup" => p.supplements.push(dep()?),
                "Enh" => p.enhances.push(dep()?),
                "F" => p.files.push(it.to_string()),
                other => return Err(format!("unknown key '{other}'")),
            }
        }
    }
    Ok(p)
}

/// Parses a scenario file.
pub fn parse_scenarios(text: &str) -> Result<Vec<Scenario>, String> {
    let mut out: Vec<Scenario> = Vec::new();
    for (ln, raw) in text.lines().enumerate() {
        let line = match raw.find(" #") {
            Some(p) => &raw[..p],
            None => raw,
        }
        .trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: String| format!("line {}: {m}", ln + 1);
        if let Some(name) = line.strip_prefix("==") {
            out.push(Scenario {
                name: name.trim().to_string(),
                arch: "x86_64".into(),
                repos: Vec::new(),
                txs: Vec::new(),
            });
            continue;
        }
        let sc = out
            .last_mut()
            .ok_or_else(|| err("text before the first '==' header".into()))?;
        if let Some(a) = line.strip_prefix("arch ") {
            sc.arch = a.trim().to_string();
        } else if let Some(r) = line.strip_prefix("repo ") {
            let mut it = r.split_whitespace();
            let id = it.next().ok_or_else(|| err("repo needs an id".into()))?;
            let mut spec = RepoSpec::new(id, "");
            for kv in it {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| err(format!("bad repo option {kv}")))?;
                match k {
                    "priority" => {
                        spec.priority = v.parse().map_err(|_| err(format!("bad priority {v}")))?
                    }
                    "cost" => spec.cost = v.parse().map_err(|_| err(format!("bad cost {v}")))?,
                    "exclude" => spec.exclude = v.split(',').map(str::to_string).collect(),
                    "includepkgs" => spec.includepkgs = v.split(',').map(str::to_string).collect(),
                    _ => return Err(err(format!("unknown repo option {k}"))),
                }
            }
            sc.repos.push(ScRepo {
                spec,
                packages: Vec::new(),
            });
        } else if let Some(t) = line.strip_prefix('?') {
            let (jobs, expect) = match t.find("=>") {
                Some(p) => (&t[..p], Some(parse_outcome(&t[p + 2..]).map_err(err)?)),
                None => (t, None),
            };
            let mut base = None;
            let mut jobs = jobs.trim();
            if let Some(rest) = jobs.strip_prefix("on [") {
                let (b, after) = rest
                    .split_once(']')
                    .ok_or_else(|| err("'on [' without ']'".into()))?;
                base = Some(
                    b.split(';')
                        .map(job_from)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(err)?,
                );
                jobs = after;
            }
            let jobs = jobs
                .split(';')
                .map(job_from)
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            sc.txs.push(Tx {
                base,
                jobs,
                expect,
                line: ln + 1,
            });
        } else {
            if sc.repos.is_empty() {
                sc.repos.push(ScRepo {
                    spec: RepoSpec::new("main", ""),
                    packages: Vec::new(),
                });
            }
            let p = parse_package(line).map_err(err)?;
            if let Some(r) = sc.repos.last_mut() {
                r.packages.push(p);
            }
        }
    }
    Ok(out)
}

/// Packages in the order the repodata writer (and so dnf) sees them.
pub fn repodata_order(pkgs: &[Package]) -> Vec<Package> {
    let mut v = pkgs.to_vec();
    v.sort_by(|a, b| {
        (&a.name, &a.arch)
            .cmp(&(&b.name, &b.arch))
            .then_with(|| a.evr.cmp(&b.evr))
            .then_with(|| a.location.cmp(&b.location))
    });
    v
}

/// A pool straight from the scenario (packages in repodata order).
pub fn pool_in_memory(sc: &Scenario) -> Pool {
    let repos = sc
        .repos
        .iter()
        .map(|r| LoadedRepo {
            spec: r.spec.clone(),
            packages: repodata_order(&r.packages),
        })
        .collect();
    Pool::new(&sc.arch, repos).expect("pool")
}

/// Writes the scenario's repos under `dir` with a real `.rpm` file for every
/// package (what an installing transaction needs); their directories.
pub fn write_repos_with_rpms(sc: &Scenario, dir: &Path) -> Vec<PathBuf> {
    use buildroot_core::repodata::{write_repodata, WriteOptions};
    use buildroot_core::srpm::{build_rpm, read_header};
    sc.repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let d = dir.join(format!("r{i}-{}", r.spec.id));
            std::fs::create_dir_all(d.join("Packages")).expect("mkdir");
            let pkgs: Vec<Package> = r
                .packages
                .iter()
                .map(|p| {
                    let file = format!("{}-{}.{}.rpm", p.name, p.evr.vr(), p.arch);
                    let path = d.join("Packages").join(&file);
                    let mut p = p.clone();
                    if p.sourcerpm.is_empty() {
                        p.sourcerpm = format!("{}-{}.src.rpm", p.name, p.evr.vr());
                    }
                    std::fs::write(
                        &path,
                        build_rpm(&p, "MIT", 1_700_000_000).expect("build rpm"),
                    )
                    .expect("write rpm");
                    let mut got = read_header(&path).expect("read rpm");
                    got.location = format!("Packages/{file}");
                    got
                })
                .collect();
            write_repodata(&d, &pkgs, &WriteOptions::default()).expect("write repodata");
            d
        })
        .collect()
}

/// Writes the scenario's repos under `dir` and returns their directories.
pub fn write_repos(sc: &Scenario, dir: &Path) -> Vec<PathBuf> {
    use buildroot_core::repodata::{write_repodata, WriteOptions};
    sc.repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let d = dir.join(format!("r{i}-{}", r.spec.id));
            std::fs::create_dir_all(&d).expect("mkdir");
            write_repodata(&d, &r.packages, &WriteOptions::default()).expect("write repodata");
            d
        })
        .collect()
}

/// A pool loaded back from written repodata (what the tools do).
pub fn pool_from_disk(sc: &Scenario, dirs: &[PathBuf]) -> Pool {
    use buildroot_core::rpmmd::{Filelists, LoadOptions};
    let specs: Vec<RepoSpec> = sc
        .repos
        .iter()
        .zip(dirs)
        .map(|(r, d)| {
            let mut s = r.spec.clone();
            s.baseurl = d.display().to_string();
            s
        })
        .collect();
    let opts = LoadOptions {
        filelists: Filelists::All,
        cache_dir: None,
    };
    // The streaming load the tools use (chunks interned while parsing).
    Pool::load(&sc.arch, &specs, &opts).expect("load repos")
}

/// Our answer for one transaction; with `base`, on the system its install
/// set makes (an unsolvable base is an error).
pub fn ours_tx(pool: &Pool, base: Option<&[Job]>, jobs: &[Job]) -> Outcome {
    ours_tx_weak(pool, base, jobs, false, false)
}

/// [`ours_tx`] with dnf's `install_weak_deps` for the transaction (`weak`)
/// and for the base (`base_weak`).
pub fn ours_tx_weak(
    pool: &Pool,
    base: Option<&[Job]>,
    jobs: &[Job],
    weak: bool,
    base_weak: bool,
) -> Outcome {
    let resolver = |w: bool| {
        let mut r = Resolver::new(pool);
        r.set_install_weak_deps(w);
        r
    };
    let Some(base) = base else {
        return outcome(pool, resolver(weak).resolve(jobs));
    };
    let installed = match resolver(base_weak).resolve(base) {
        Ok(s) => s.installed,
        Err(_) => {
            return Outcome {
                unmatched: Vec::new(),
                installed: None,
            }
        }
    };
    outcome(pool, resolver(weak).resolve_on(&installed, jobs))
}

fn outcome(pool: &Pool, r: Result<Solution, Unsolvable>) -> Outcome {
    match r {
        Ok(s) => {
            let mut v: Vec<String> = s.installed.iter().map(|&p| pool.nevra_string(p)).collect();
            v.sort();
            Outcome {
                unmatched: s.unmatched,
                installed: Some(v),
            }
        }
        Err(u) => Outcome {
            unmatched: u.unmatched,
            installed: None,
        },
    }
}

/// Our answer for one transaction.
pub fn ours(pool: &Pool, jobs: &[Job]) -> Outcome {
    match resolve(pool, jobs) {
        Ok(s) => {
            let mut v: Vec<String> = s.installed.iter().map(|&p| pool.nevra_string(p)).collect();
            v.sort();
            Outcome {
                unmatched: s.unmatched,
                installed: Some(v),
            }
        }
        Err(u) => Outcome {
            unmatched: u.unmatched,
            installed: None,
        },
    }
}

/// Our problem report for an unsolvable transaction in dnf's layout (see
/// [`problem_text`]), or None when it solves.
pub fn ours_problems(pool: &Pool, jobs: &[Job]) -> Option<String> {
    resolve(pool, jobs)
        .err()
        .map(|u| problem_text(&u.dnf_text()))
}

/// A problem report reduced for comparison: dnf's `DepsolveError` text and
/// ours, lines trimmed, empty lines dropped.
pub fn problem_text(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether dnf can be asked (Debian's python3 with python3-dnf).
pub fn dnf_available() -> bool {
    Command::new("/usr/bin/python3")
        .args(["-c", "import dnf"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Whether the dnf half of test `test` must be skipped (dnf's Python
/// bindings missing); says so on stderr.
pub fn skip_without_dnf(test: &str) -> bool {
    let skip = !dnf_available();
    if skip {
        eprintln!("SKIP {test}: /usr/bin/python3 cannot import dnf (apt-get install python3-dnf)");
    }
    skip
}

/// One repo set for the oracle.
pub struct OracleSet {
    pub arch: String,
    pub repos: Vec<(RepoSpec, PathBuf)>,
    pub txs: Vec<Vec<Job>>,
    /// Per transaction (when not empty): the jobs installed first.
    pub bases: Vec<Option<Vec<Job>>>,
    /// dnf's `install_weak_deps` for the transactions (`weak`) and for
    /// installing their bases (`base_weak`).
    pub weak: bool,
    pub base_weak: bool,
}

/// Jobs as one line (`a ; b`), for messages.
pub fn jobs_line(jobs: &[Job]) -> String {
    jobs.iter()
        .map(|j| j.to_string())
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// dnf's problem report as a ` [...]` suffix on one line (empty without one).
pub fn dnf_error_suffix(err: Option<&str>) -> String {
    err.map(|e| format!(" [{}]", e.replace('\n', " / ")))
        .unwrap_or_default()
}

/// Checks our answer (`ours(scenario, pool, tx)`, each scenario's pool
/// built in memory) against every transaction's expectation in the file;
/// at least `min` transactions must carry one.
pub fn assert_expectations(
    scs: &[Scenario],
    min: usize,
    ours: impl Fn(&Scenario, &Pool, &Tx) -> Outcome,
) {
    let mut bad = Vec::new();
    let mut n = 0;
    for sc in scs {
        let pool = pool_in_memory(sc);
        for tx in &sc.txs {
            let Some(want) = &tx.expect else { continue };
            n += 1;
            let got = ours(sc, &pool, tx);
            if &got != want {
                bad.push(format!(
                    "{} (line {}): want {want}, got {got}",
                    sc.name, tx.line
                ));
            }
        }
    }
    assert!(n >= min, "only {n} transactions with expectations");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Writes every scenario's repos with real .rpm files under `root/s<i>`
/// (transactions with a base need them: dnf installs the base `justdb`),
/// loads each as the tools do, and makes its oracle set; `weak(i, sc)` gives
/// dnf's `install_weak_deps` for the transactions and for their bases.
pub fn pools_and_oracle_sets(
    scs: &[Scenario],
    root: &Path,
    weak: impl Fn(usize, &Scenario) -> (bool, bool),
) -> (Vec<Pool>, Vec<OracleSet>) {
    let mut pools = Vec::new();
    let mut sets = Vec::new();
    for (i, sc) in scs.iter().enumerate() {
        let dirs = write_repos_with_rpms(sc, &root.join(format!("s{i}")));
        pools.push(pool_from_disk(sc, &dirs));
        let (weak, base_weak) = weak(i, sc);
        sets.push(OracleSet {
            arch: sc.arch.clone(),
            repos: sc.repos.iter().map(|r| r.spec.clone()).zip(dirs).collect(),
            txs: sc.txs.iter().map(|t| t.jobs.clone()).collect(),
            bases: sc.txs.iter().map(|t| t.base.clone()).collect(),
            weak,
            base_weak,
        });
    }
    (pools, sets)
}

/// Compares our answer (`ours(scenario, pool, tx)`) with dnf's for every
/// transaction, and dnf's with the scenario file's expectations; panics
/// naming every difference. `what` names the file in the summary line.
pub fn assert_same_as_dnf(
    what: &str,
    scs: &[Scenario],
    pools: &[Pool],
    answers: &[Vec<(Outcome, Option<String>)>],
    ours: impl Fn(&Scenario, &Pool, &Tx) -> Outcome,
) {
    let (mut total, mut differ, mut bad_expect) = (0, Vec::new(), Vec::new());
    for ((sc, pool), ans) in scs.iter().zip(pools).zip(answers) {
        for (tx, (dnf, err)) in sc.txs.iter().zip(ans) {
            total += 1;
            let got = ours(sc, pool, tx);
            if &got != dnf {
                differ.push(format!(
                    "{} (line {}): dnf {dnf}{} / ours {got}",
                    sc.name,
                    tx.line,
                    dnf_error_suffix(err.as_deref())
                ));
            }
            if let Some(want) = &tx.expect {
                if want != dnf {
                    bad_expect.push(format!(
                        "{} (line {}): file says {want}, dnf says {dnf}",
                        sc.name, tx.line
                    ));
                }
            }
        }
    }
    eprintln!(
        "{what}: {total} transactions, {} differ from dnf",
        differ.len()
    );
    assert!(
        bad_expect.is_empty() && differ.is_empty(),
        "expectations disagree with dnf:\n{}\ndiffer from dnf:\n{}",
        bad_expect.join("\n"),
        differ.join("\n")
    );
}

/// With `RESOLVER_DUMP=DIR`, saves the scenario with just this transaction
/// as `DIR/<name>.txt`, for debugging a difference.
pub fn dump_transaction(sc: &Scenario, tx: &Tx, name: &str) {
    if let Ok(dir) = std::env::var("RESOLVER_DUMP") {
        let mut one = sc.clone();
        one.txs = vec![tx.clone()];
        std::fs::write(format!("{dir}/{name}.txt"), to_text(&one)).expect("dump");
    }
}

/// Asks dnf about every set in one python process.
pub fn ask_dnf(sets: &[OracleSet]) -> Vec<Vec<(Outcome, Option<String>)>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/dnf-oracle.py");
    let input = serde_json::json!({
        "sets": sets.iter().map(|s| serde_json::json!({
            "arch": s.arch,
            "weak": s.weak,
            "base_weak": s.base_weak,
            "repos": s.repos.iter().map(|(spec, path)| serde_json::json!({
                "id": spec.id, "path": path.display().to_string(), "priority": spec.priority,
                "cost": spec.cost, "exclude": spec.exclude, "includepkgs": spec.includepkgs,
            })).collect::<Vec<_>>(),
            "transactions": s.txs.iter().enumerate().map(|(i, jobs)| {
                let jobs: Vec<serde_json::Value> = jobs.iter().map(job_json).collect();
                match s.bases.get(i).and_then(|b| b.as_ref()) {
                    Some(b) => serde_json::json!({
                        "installed_by": b.iter().map(job_json).collect::<Vec<_>>(),
                        "jobs": jobs,
                    }),
                    None => serde_json::json!(jobs),
                }
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    });
    if let Ok(dir) = std::env::var("RESOLVER_KEEP") {
        let _ = std::fs::write(Path::new(&dir).join("oracle-input.json"), input.to_string());
    }
    let mut child = Command::new("/usr/bin/python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dnf oracle");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(input.to_string().as_bytes())
            .expect("write oracle input");
    }
    let out = child.wait_with_output().expect("oracle output");
    assert!(
        out.status.success(),
        "dnf oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("oracle JSON");
    v["sets"]
        .as_array()
        .expect("sets")
        .iter()
        .map(|s| {
            s["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| {
                    let unmatched = r["unmatched"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_u64())
                                .map(|x| x as usize)
                                .collect()
                        })
                        .unwrap_or_default();
                    let err = r["error"].as_str().map(str::to_string);
                    let installed = if err.is_some() {
                        None
                    } else {
                        let mut v: Vec<String> = r["installed"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str())
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        v.sort();
                        Some(v)
                    };
                    (
                        Outcome {
                            unmatched,
                            installed,
                        },
                        err,
                    )
                })
                .collect()
        })
        .collect()
}

/// The scenario in the text format (to save a failing random case).
pub fn to_text(sc: &Scenario) -> String {
    let mut s = format!("== {}\narch {}\n", sc.name, sc.arch);
    for r in &sc.repos {
        s.push_str(&format!(
            "repo {} priority={} cost={}",
            r.spec.id, r.spec.priority, r.spec.cost
        ));
        if !r.spec.exclude.is_empty() {
            s.push_str(&format!(" exclude={}", r.spec.exclude.join(",")));
        }
        if !r.spec.includepkgs.is_empty() {
            s.push_str(&format!(" includepkgs={}", r.spec.includepkgs.join(",")));
        }
        s.push('\n');
        for p in &r.packages {
            s.push_str(&p.nevra().to_string());
            let mut key = |k: &str, v: Vec<String>| {
                if !v.is_empty() {
                    s.push_str(&format!(" | {k}: {}", v.join(", ")));
                }
            };
            key("R", p.requires.iter().map(|d| d.dep.to_string()).collect());
            key("P", p.provides.iter().map(|d| d.to_string()).collect());
            key("C", p.conflicts.iter().map(|d| d.to_string()).collect());
            key("O", p.obsoletes.iter().map(|d| d.to_string()).collect());
            key("Rec", p.recommends.iter().map(|d| d.to_string()).collect());
            key("Sug", p.suggests.iter().map(|d| d.to_string()).collect());
            key("Sup", p.supplements.iter().map(|d| d.to_string()).collect());
            key("Enh", p.enhances.iter().map(|d| d.to_string()).collect());
            key("F", p.files.clone());
            s.push('\n');
        }
    }
    for t in &sc.txs {
        let jobs: Vec<String> = t.jobs.iter().map(job_text).collect();
        match &t.base {
            Some(b) => {
                let b: Vec<String> = b.iter().map(job_text).collect();
                s.push_str(&format!("? on [{}] {}\n", b.join(" ; "), jobs.join(" ; ")));
            }
            None => s.push_str(&format!("? {}\n", jobs.join(" ; "))),
        }
    }
    s
}
