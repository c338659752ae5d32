//! The resolver against dnf itself: every transaction of
//! `conformance/scenarios.txt` is written as real repodata, asked of dnf
//! (scripts/dnf-oracle.py, one python process) and of our resolver (pool
//! loaded back through the rpm-md reader); answers must be identical, and
//! dnf must agree with the expectations written in the file.
//! Skips (with a message) only when /usr/bin/python3 cannot import dnf.

mod solver_support;

use solver_support::*;

/// conformance/scenarios.txt, or the file named by RESOLVER_SCENARIOS.
fn scenarios() -> Vec<Scenario> {
    let default = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/scenarios.txt"
    )
    .to_string();
    let path = std::env::var("RESOLVER_SCENARIOS").unwrap_or(default);
    let text = std::fs::read_to_string(&path).expect("read the scenario file");
    parse_scenarios(&text).expect("parse scenarios")
}

#[test]
fn conformance_scenarios_match_dnf() {
    // RESOLVER_TRACE=1 prints our decisions (docs/resolver.md).
    buildroot_core::cli::init_trace();
    if skip_without_dnf("conformance_scenarios_match_dnf") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    // RESOLVER_KEEP=DIR keeps the repos and the oracle input there (debugging).
    let root = std::env::var("RESOLVER_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or(tmp.path().to_path_buf());
    let scs = scenarios();
    let mut sets = Vec::new();
    let mut pools = Vec::new();
    for (i, sc) in scs.iter().enumerate() {
        let dirs = write_repos(sc, &root.join(format!("s{i}")));
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
    let mut total = 0;
    let mut differ = Vec::new();
    let mut bad_expect = Vec::new();
    let (mut problems_total, mut problems_same) = (0, 0);
    let mut problems_differ: Vec<String> = Vec::new();
    for ((sc, pool), ans) in scs.iter().zip(&pools).zip(&answers) {
        for (tx, (dnf, err)) in sc.txs.iter().zip(ans) {
            total += 1;
            let got = ours(pool, &tx.jobs);
            if &got != dnf {
                differ.push(format!(
                    "{} (line {}): {:?}\n    dnf  {}{}\n    ours {}",
                    sc.name,
                    tx.line,
                    tx.jobs,
                    dnf,
                    err.as_deref()
                        .map(|e| format!(" [{}]", e.replace('\n', " / ")))
                        .unwrap_or_default(),
                    got
                ));
            }
            if let Some(e) = err {
                // Every problem dnf reports, with dnf's lines.
                problems_total += 1;
                let theirs = problem_text(e);
                match ours_problems(pool, &tx.jobs) {
                    Some(mine) if mine == theirs => problems_same += 1,
                    mine => problems_differ.push(format!(
                        "{} (line {}):\n    dnf  {}\n    ours {}",
                        sc.name,
                        tx.line,
                        theirs.replace('\n', " / "),
                        mine.unwrap_or_default().replace('\n', " / ")
                    )),
                }
            }
            if let Some(want) = &tx.expect {
                if want != dnf {
                    bad_expect.push(format!(
                        "{} (line {}): file says {}, dnf says {}",
                        sc.name, tx.line, want, dnf
                    ));
                }
            }
        }
    }
    eprintln!(
        "conformance: {total} transactions, {} differ from dnf",
        differ.len()
    );
    eprintln!("conformance: {problems_same}/{problems_total} problem reports identical to dnf's");
    assert!(
        problems_differ.is_empty(),
        "problem reports differ from dnf's:\n{}",
        problems_differ.join("\n")
    );
    assert!(
        bad_expect.is_empty() && differ.is_empty(),
        "expectations disagree with dnf:\n{}\n{} of {total} differ from dnf:\n{}",
        bad_expect.join("\n"),
        differ.len(),
        differ.join("\n")
    );
}
