//! Small specs of our own, one per syntax class the Fedora corpus uses,
//! each evaluated by us and by the host's rpmspec (4.18, when installed;
//! or `SPEC_SNIPPETS_RPMSPEC`, `spec_support`) for the same
//! arch with ELN's macros: the BuildRequires must be the same, and a spec
//! rpm rejects must be one we report a problem for.

mod spec_support;

use buildroot_core::spec::{archful_with, NoSources, SpecContext};
use spec_support::{ours, rpmspec_answer, rpmspec_command, spec, SNIPPETS};

#[test]
fn snippets_agree_with_rpmspec() {
    assert!(SNIPPETS.len() >= 130, "{}", SNIPPETS.len());
    // SPEC_SNIPPETS_OUT=DIR writes them out as specs (sNNN.spec), for
    // `make spec-corpus SPECS=DIR RPM_ROOT=...`: the same snippets against
    // a newer rpm, with Fedora's macro set (docs/archful.md).
    if let Some(dir) = std::env::var_os("SPEC_SNIPPETS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, (_, body, _)) in SNIPPETS.iter().enumerate() {
            let path = std::path::Path::new(&dir).join(format!("s{:03}.spec", i + 1));
            std::fs::write(path, spec(body)).unwrap();
        }
    }
    // Every snippet evaluates without a panic, rpm or not.
    for (what, body, arch) in SNIPPETS {
        let _ = ours(&spec(body), arch).map_err(|e| format!("{what}: {e}"));
    }
    let Some(rpmspec) = rpmspec_command() else {
        eprintln!("skipped: rpmspec is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut bad = Vec::new();
    let mut both_parse = 0;
    for (i, (what, body, arch)) in SNIPPETS.iter().enumerate() {
        let text = spec(body);
        let theirs = rpmspec_answer(&rpmspec, dir.path(), &format!("s{i}.spec"), &text, arch);
        match (ours(&text, arch), theirs) {
            (Ok(a), Ok(b)) if a == b => both_parse += 1,
            (Err(_), Err(_)) => {}
            (a, b) => bad.push(format!("{what} ({arch}):\n  ours {a:?}\n  rpm  {b:?}")),
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
    // Most snippets are specs rpm accepts: the failure classes are few.
    assert!(both_parse >= 105, "only {both_parse} parsed by both");
}

/// One evaluation standing for all four arches gives what evaluating each
/// arch on its own gives, for every snippet.
#[test]
fn snippets_shared_evaluation_equals_separate() {
    let arches = ["x86_64", "aarch64", "ppc64le", "s390x"];
    let shared = SpecContext::for_arch("x86_64");
    let mut separate = SpecContext::for_arch("x86_64");
    separate.share_evaluations = false;
    for (what, body, _) in SNIPPETS {
        let text = spec(body);
        let a = archful_with(&text, &arches, &shared, &NoSources);
        let b = archful_with(&text, &arches, &separate, &NoSources);
        match (a, b) {
            (Ok(mut a), Ok(mut b)) => {
                assert_eq!(b.evaluations, 4, "{what}");
                a.evaluations = 0;
                b.evaluations = 0;
                assert_eq!(a, b, "{what}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!("{what}: {a:?} / {b:?}"),
        }
    }
}
