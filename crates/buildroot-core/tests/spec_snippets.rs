//! Small specs of our own, one per syntax class the Fedora corpus uses,
//! each evaluated by us and by the host's rpmspec (4.18, when installed;
//! or `SPEC_SNIPPETS_RPMSPEC`, `spec_support`) for the same
//! arch with ELN's macros: the BuildRequires must be the same, and a spec
//! rpm rejects must be one we report a problem for.

mod spec_support;

use buildroot_core::spec::{archful_with, evaluate, NoSources, SpecContext};
use spec_support::{ours, rpmspec_answer, rpmspec_command, spec, HEAD, SNIPPETS};

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

/// `%setup` and `%patch`, which rpm 4.20 and later define while `%prep` is
/// read (so a commented `# %setup -a 1` runs too): what they reject, as rpm
/// 6.1 does (checked against the sid root's rpmspec, each the same; rpm
/// 4.18 on the host reads `%prep` its own way, so these are not asked of
/// it). rpm 4.20 logs a missing source or patch number and goes on; rpm
/// 6.1 fails (dyninst, glob2, neovim, cross-binutils in the corpus).
#[test]
fn prep_setup_and_patch_as_rpm_6_1() {
    let decl = "Source0: a.tar\nSource1: b.tar\nPatch1: p.patch\nBuildRequires: x\n%description\nd\n%prep\n";
    // (what, %prep lines, the problem expected, or None: BuildRequires `x`)
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "clustered options",
            "%setup -qn foo-%{version} -a 1\n%patch -p1 -b.orig 1",
            None,
        ),
        (
            "-P and -- numbers",
            "%setup -q\n%patch -P1 -p1\n%patch -P 01\n%patch -p1 -- 1",
            None,
        ),
        (
            "%setup outside %prep stays text",
            "%setup -q\n%build\n%setup -a 9",
            None,
        ),
        (
            "commented %setup runs",
            "%setup -q\n# %setup -q -T -D -a 2",
            Some("No source number 2"),
        ),
        (
            "commented %patch runs",
            "%setup -q\n#%patch 0 -p0",
            Some("No patch number 0"),
        ),
        (
            "-P naming a missing patch",
            "%patch -P1 -P 2",
            Some("No patch number 2"),
        ),
        (
            "bad -a value",
            "%setup -q -a foo",
            Some("Bad arg to %setup: foo"),
        ),
        (
            "unknown %setup option",
            "%setup -q -z",
            Some("Bad %setup option -z: unknown option"),
        ),
        (
            "long option",
            "%setup --quiet",
            Some("Bad %setup option --quiet: unknown option"),
        ),
        (
            "-b without a value",
            "%setup -q -b",
            Some("Bad %setup option -b: missing argument"),
        ),
        (
            "%patch without a number",
            "%patch -p1",
            Some("Patch number not specified: patch -p1"),
        ),
        (
            "non-numeric patch",
            "%patch -P x",
            Some("Invalid patch number x: patch -P x"),
        ),
        (
            "unknown %patch option",
            "%patch -P 1 -q",
            Some("unknown option: -q: patch -P 1 -q"),
        ),
        (
            "non-numeric -F",
            "%patch -p1 -F 2x 1",
            Some("invalid numeric value: 2x"),
        ),
    ];
    for (what, prep, want) in cases {
        let text = format!("{HEAD}{decl}{prep}\n");
        let ev = evaluate(&text, &SpecContext::for_arch("x86_64")).unwrap();
        match want {
            None => assert!(ev.problems.is_empty(), "{what}: {:?}", ev.problems),
            Some(m) => assert!(
                ev.problems.first().is_some_and(|p| p.contains(m)),
                "{what}: {:?}",
                ev.problems
            ),
        }
    }
    // Without Source0, a plain %setup fails (rpm 6.1; rpm 4.20 goes on); -T skips it.
    let ev = evaluate(
        &format!("{HEAD}BuildRequires: x\n%description\nd\n%prep\n%setup -q\n"),
        &SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    assert_eq!(ev.problems, ["line 10: No source number 0"]);
    let ev = evaluate(
        &format!("{HEAD}BuildRequires: x\n%description\nd\n%prep\n%setup -q -T -c\n"),
        &SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
}
