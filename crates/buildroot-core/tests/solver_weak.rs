//! The resolver with weak dependencies installed (`install_weak_deps=True`,
//! content-resolver's `include-weak-deps`) against its expectations
//! (`conformance/weak.txt`) and against dnf (`scripts/dnf-oracle.py` with
//! `install_weak_deps=True`; transactions on an installed system really
//! install their base `justdb` into an installroot, so every repo is written
//! with real .rpm files). The dnf half skips (with a message) when
//! /usr/bin/python3 cannot import dnf.

mod solver_support;

use solver_support::*;

fn scenarios() -> Vec<Scenario> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../conformance/weak.txt");
    let text = std::fs::read_to_string(path).expect("read conformance/weak.txt");
    parse_scenarios(&text).expect("parse scenarios")
}

/// Whether the scenario installs its bases without weak dependencies.
fn base_weak(sc: &Scenario) -> bool {
    !sc.name.contains("(base without weak deps)")
}

#[test]
fn weak_scenarios_meet_their_expectations() {
    let mut bad = Vec::new();
    let mut n = 0;
    for sc in scenarios() {
        let pool = pool_in_memory(&sc);
        for tx in &sc.txs {
            let Some(want) = &tx.expect else { continue };
            n += 1;
            let got = ours_tx_weak(&pool, tx.base.as_deref(), &tx.jobs, true, base_weak(&sc));
            if &got != want {
                bad.push(format!(
                    "{} (line {}): want {want}, got {got}",
                    sc.name, tx.line
                ));
            }
        }
    }
    assert!(n >= 15, "only {n} transactions with expectations");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn weak_scenarios_match_dnf() {
    if !dnf_available() {
        eprintln!("SKIP weak_scenarios_match_dnf: /usr/bin/python3 cannot import dnf (apt-get install python3-dnf)");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let scs = scenarios();
    let mut sets = Vec::new();
    let mut pools = Vec::new();
    for (i, sc) in scs.iter().enumerate() {
        let dirs = write_repos_with_rpms(sc, &tmp.path().join(format!("s{i}")));
        pools.push(pool_from_disk(sc, &dirs));
        sets.push(OracleSet {
            arch: sc.arch.clone(),
            repos: sc.repos.iter().map(|r| r.spec.clone()).zip(dirs).collect(),
            txs: sc.txs.iter().map(|t| t.jobs.clone()).collect(),
            bases: sc.txs.iter().map(|t| t.base.clone()).collect(),
            weak: true,
            base_weak: base_weak(sc),
        });
    }
    let answers = ask_dnf(&sets);
    let (mut total, mut differ, mut bad_expect) = (0, Vec::new(), Vec::new());
    for ((sc, pool), ans) in scs.iter().zip(&pools).zip(&answers) {
        for (tx, (dnf, err)) in sc.txs.iter().zip(ans) {
            total += 1;
            let got = ours_tx_weak(pool, tx.base.as_deref(), &tx.jobs, true, base_weak(sc));
            if &got != dnf {
                differ.push(format!(
                    "{} (line {}): dnf {dnf}{} / ours {got}",
                    sc.name,
                    tx.line,
                    err.as_deref()
                        .map(|e| format!(" [{}]", e.replace('\n', " / ")))
                        .unwrap_or_default()
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
        "weak dependencies: {total} transactions, {} differ from dnf",
        differ.len()
    );
    assert!(
        bad_expect.is_empty() && differ.is_empty(),
        "expectations disagree with dnf:\n{}\ndiffer from dnf:\n{}",
        bad_expect.join("\n"),
        differ.join("\n")
    );
}
