//! The resolver on installed systems and with comps group packages,
//! against its expectations (`conformance/installed.txt`) and against dnf:
//! every transaction's repos are written with real .rpm files, dnf installs
//! the base jobs (`justdb`) into an installroot and resolves the rest on
//! it (scripts/dnf-oracle.py); our `resolve_on` must add the same packages.
//! The dnf half skips (with a message) when /usr/bin/python3 cannot import
//! dnf.

mod solver_support;

use solver_support::*;

fn scenarios() -> Vec<Scenario> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/installed.txt"
    );
    let text = std::fs::read_to_string(path).expect("read conformance/installed.txt");
    parse_scenarios(&text).expect("parse scenarios")
}

#[test]
fn installed_scenarios_meet_their_expectations() {
    assert_expectations(&scenarios(), 21, |_, pool, tx| {
        ours_tx(pool, tx.base.as_deref(), &tx.jobs)
    });
}

#[test]
fn installed_scenarios_match_dnf() {
    if skip_without_dnf("installed_scenarios_match_dnf") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    // RESOLVER_KEEP=DIR keeps the repos and the oracle input there.
    let root = std::env::var("RESOLVER_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or(tmp.path().to_path_buf());
    let scs = scenarios();
    let (pools, sets) = pools_and_oracle_sets(&scs, &root, |_, _| (false, false));
    let answers = ask_dnf(&sets);
    assert_same_as_dnf(
        "installed systems",
        &scs,
        &pools,
        &answers,
        |_, pool, tx| ours_tx(pool, tx.base.as_deref(), &tx.jobs),
    );
}
