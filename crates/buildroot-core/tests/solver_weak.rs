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
    assert_expectations(&scenarios(), 15, |sc, pool, tx| {
        ours_tx_weak(pool, tx.base.as_deref(), &tx.jobs, true, base_weak(sc))
    });
}

#[test]
fn weak_scenarios_match_dnf() {
    if skip_without_dnf("weak_scenarios_match_dnf") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let scs = scenarios();
    let (pools, sets) = pools_and_oracle_sets(&scs, tmp.path(), |_, sc| (true, base_weak(sc)));
    let answers = ask_dnf(&sets);
    assert_same_as_dnf(
        "weak dependencies",
        &scs,
        &pools,
        &answers,
        |sc, pool, tx| ours_tx_weak(pool, tx.base.as_deref(), &tx.jobs, true, base_weak(sc)),
    );
}
