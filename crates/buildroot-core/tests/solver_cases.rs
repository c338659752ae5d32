//! The resolver against dnf's verified answers (conformance/scenarios.txt), in
//! memory: every transaction of `conformance/scenarios.txt` that carries an
//! expectation. (tests/solver_dnf.rs asks dnf itself about all of them.)

mod solver_support;

use buildroot_core::dep::Dep;
use buildroot_core::solver::{resolve, Job, Reason};
use solver_support::*;

fn scenarios() -> Vec<Scenario> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/scenarios.txt"
    );
    let text = std::fs::read_to_string(path).expect("read conformance/scenarios.txt");
    parse_scenarios(&text).expect("parse scenarios")
}

#[test]
fn section12_expectations_in_memory() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for sc in scenarios() {
        let pool = pool_in_memory(&sc);
        for tx in &sc.txs {
            let Some(want) = &tx.expect else { continue };
            checked += 1;
            let got = ours(&pool, &tx.jobs);
            if &got != want {
                failures.push(format!(
                    "{} (line {}): {:?}\n    want {}\n    got  {}",
                    sc.name, tx.line, tx.jobs, want, got
                ));
            }
        }
    }
    assert!(checked >= 60, "only {checked} expectations");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn scenario(name_prefix: &str) -> Scenario {
    scenarios()
        .into_iter()
        .find(|s| s.name.starts_with(name_prefix))
        .expect("scenario")
}

#[test]
fn problems_read_like_dnf() {
    let sc = scenario("12 ");
    let pool = pool_in_memory(&sc);
    let err = resolve(&pool, &[Job::Install("a".into())]).unwrap_err();
    assert!(
        err.problems
            .iter()
            .any(|l| l == "nothing provides foo > 1.0 needed by a-1-1.noarch"),
        "{:?}",
        err.problems
    );
    let sc = scenario("43 ");
    let pool = pool_in_memory(&sc);
    let err = resolve(&pool, &[Job::Install("a".into()), Job::Install("b".into())]).unwrap_err();
    assert!(
        err.problems
            .iter()
            .any(|l| l.starts_with("cannot install both libx-6.")),
        "{:?}",
        err.problems
    );
    let sc = scenario("38b");
    let pool = pool_in_memory(&sc);
    let err = resolve(&pool, &[Job::Install("a".into())]).unwrap_err();
    assert!(
        err.problems
            .iter()
            .any(|l| l == "package bb-1-1.noarch is filtered out by exclude filtering"),
        "{:?}",
        err.problems
    );
}

#[test]
fn every_independent_problem_is_reported() {
    // dnf: three problems, in this order and wording.
    let sc = scenario("90 ");
    let pool = pool_in_memory(&sc);
    let jobs: Vec<Job> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|&n| Job::Provides(Dep::name(n)))
        .collect();
    let err = resolve(&pool, &jobs).unwrap_err();
    assert_eq!(
        err.by_problem,
        vec![
            vec![
                "conflicting requests".to_string(),
                "nothing provides missing-one needed by a-1-1.noarch".to_string()
            ],
            vec![
                "conflicting requests".to_string(),
                "nothing provides missing-two needed by b-1-1.noarch".to_string()
            ],
            vec![
                "package c-1-1.noarch conflicts with d provided by d-1-1.noarch".to_string(),
                "conflicting requests".to_string()
            ],
        ]
    );
    // The flat list names every unmet requirement once.
    assert_eq!(err.problems.len(), 4, "{:?}", err.problems);
    assert!(err
        .dnf_text()
        .starts_with("Problem 1: conflicting requests\n  - nothing provides missing-one"));
    assert!(err
        .to_string()
        .contains("problem 3: package c-1-1.noarch conflicts with d"));
    // One problem: dnf's "Problem:" without a number.
    let err = resolve(&pool, &[Job::Provides(Dep::name("a"))]).unwrap_err();
    assert_eq!(err.by_problem.len(), 1);
    assert!(err.dnf_text().starts_with("Problem: conflicting requests"));
}

#[test]
fn unmatched_jobs_are_reported_and_the_rest_resolves() {
    let sc = scenario("61 ");
    let pool = pool_in_memory(&sc);
    let jobs = [
        Job::Provides(Dep::name("foo")),
        Job::Provides(Dep::name("bar")),
    ];
    let s = resolve(&pool, &jobs).unwrap();
    assert_eq!(s.unmatched, vec![0]);
    assert_eq!(s.installed.len(), 1);
    assert!(s.job_candidates[0].is_empty());
}

#[test]
fn explanations() {
    let sc = scenario("74 ");
    let pool = pool_in_memory(&sc);
    let s = resolve(&pool, &[Job::Install("a".into())]).unwrap();
    let name = |p| pool.name_of(p).to_string();
    let rb: Vec<(String, Vec<String>)> = s
        .required_by(&pool)
        .into_iter()
        .map(|(p, v)| (name(p), v.into_iter().map(name).collect()))
        .collect();
    assert!(
        rb.contains(&("c".to_string(), vec!["b1".to_string()])),
        "{rb:?}"
    );
    assert!(
        rb.contains(&("x2".to_string(), vec!["c".to_string()])),
        "{rb:?}"
    );
    assert!(rb.contains(&("a".to_string(), vec![])), "{rb:?}");
    let why: Vec<(String, Reason)> = s
        .reasons(&pool)
        .into_iter()
        .map(|(p, r)| (name(p), r))
        .collect();
    assert!(why.contains(&("a".to_string(), Reason::Job(0))), "{why:?}");
    let c = why.iter().find(|(n, _)| n == "c").unwrap();
    assert!(matches!(c.1, Reason::RequiredBy { job: 0, .. }), "{why:?}");
}

/// `Pool::restrict_binaries` (step 10's "compose and workload alone") takes
/// the pool mutably, so no resolver, and none of its cached rules, outlives
/// it: a resolver made afterwards sees the exclusion, also for a package a
/// resolver made before it had installed.
#[test]
fn a_restriction_reaches_every_later_resolver() {
    use buildroot_core::pool::Pool;
    use buildroot_core::rpmmd::{Filelists, LoadOptions, RepoSpec};
    use buildroot_core::solver::Resolver;
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos/x86_64");
    let opts = LoadOptions {
        filelists: Filelists::Needed,
        cache_dir: None,
    };
    let mut pool = Pool::load("x86_64", &[RepoSpec::new("main", repo)], &opts).unwrap();
    let jobs = [Job::Install("bash".into())];
    let names = |pool: &Pool, r: &Resolver| -> Option<Vec<String>> {
        let s = r.resolve(&jobs).ok()?;
        Some(
            s.installed
                .iter()
                .map(|&p| pool.name_of(p).to_string())
                .collect(),
        )
    };
    let before = names(&pool, &Resolver::new(&pool)).expect("bash installs");
    let dep = before
        .iter()
        .find(|n| *n != "bash")
        .expect("bash needs something")
        .clone();
    pool.restrict_binaries(|n| n != dep);
    let after = names(&pool, &Resolver::new(&pool));
    assert!(
        after.as_ref().is_none_or(|a| !a.contains(&dep)),
        "{dep} excluded but installed: {after:?}"
    );
    assert!(pool.binaries_named(&dep).is_empty(), "{dep} still offered");
}
