//! The evaluator against rpm releases the host does not have. Every snippet
//! of `spec_support` (`SNIPPETS` and `NEWER`) was run through the rpmspec of
//! Debian's rpm 4.20.1 and 6.1 (roots made by `scripts/debian-rpm-root.sh`),
//! with ELN's defines and nothing but rpm's own macro files, and the answer
//! kept in `tests/spec_recorded/rpm-VERSION.txt`: CI has neither rpm, so
//! these files are how `make test` checks that we still answer as they do.
//! `scripts/record-spec-snippets.sh ROOT...` records them (again).
//!
//! A line: `what TAB arch TAB ok (TAB dependency)*` or `what TAB arch TAB
//! error` (rpm's message is not kept: it names a temporary file).

mod spec_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use spec_support::{ours, rpm_version, rpmspec_answer, spec, NEWER, SNIPPETS};

const RECORDED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spec_recorded");

/// Where we answer otherwise than a recorded rpm, on purpose: (rpm version
/// prefix, snippet, why). A departure that stops departing fails the test,
/// so the list stays true.
const DEPARTURES: &[(&str, &str, &str)] = &[
    (
        "4.",
        "lua strings end at a NUL",
        "rpm 6.1 cuts each value print writes at a NUL, rpm 4.20 what one print call wrote; \
         we follow rawhide's rpm 6",
    ),
    (
        "",
        "subpackage name fails",
        "a duplicate header tag: rpmspec prints rpm's error and still answers, rpmbuild fails; \
         we leave the spec undecided, as for a subpackage without Summary",
    ),
    ("", "second url fails", "a duplicate header tag (as above)"),
    (
        "",
        "second subpackage buildarch fails",
        "a duplicate header tag, Arch (as above)",
    ),
    (
        "",
        "second version fails",
        "a duplicate header tag (as above)",
    ),
    (
        "6.",
        "autopatch sees the patches",
        "rpm 6.1 rejects %autosetup without a Source0 (its %setup finds no source 0; rpm 4.20 \
         only logs it). We reject it too with rpm's own macro files, whose %autosetup calls our \
         %setup (spec/prep.rs); the built-in macro set these snippets use has no %autosetup",
    ),
    (
        "4.",
        "lua rpm.undefine of a built-in or an illegal name fails",
        "rpm 4.20's rpm.undefine pops any name; rpm 6.1 checks it as %undefine does; we follow \
         rawhide's rpm 6",
    ),
    (
        "4.",
        "lua io and rpm argument checks as rpm's",
        "rpm 4.20 still has rpm.redirect2null (refused outside a child); rpm 6.1 says it is gone; \
         we follow rawhide's rpm 6",
    ),
    (
        "4.",
        "literal macro modifier",
        "rpm 6.1's <l>; we follow rawhide's rpm 6",
    ),
    (
        "4.",
        "one-shot macro modifier",
        "rpm 6.1's <o>; we follow rawhide's rpm 6",
    ),
    (
        "4.",
        "one-shot of a quoted global",
        "rpm 6.1's <o>; we follow rawhide's rpm 6",
    ),
    (
        "4.",
        "lua rpm.glob of nothing with other flags",
        "rpm 6 gives the flags string back, rpm 4.20 a table of the pattern; we follow rpm 6",
    ),
    (
        "4.",
        "lua rpm.glob of nothing",
        "rpm 6 gives the pattern string back, rpm 4.20 a table of it; we follow rawhide's rpm 6",
    ),
];

fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    SNIPPETS.iter().chain(NEWER)
}

/// An answer as a file line keeps it.
fn line(what: &str, arch: &str, answer: &Result<Vec<String>, String>) -> String {
    match answer {
        Ok(deps) => [what, arch, "ok"]
            .into_iter()
            .chain(deps.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\t"),
        Err(_) => format!("{what}\t{arch}\terror"),
    }
}

/// `SPEC_SNIPPETS_RECORD="CMD ARGS"`: ask that rpmspec about every snippet
/// and write its answers to `rpm-VERSION.txt` (a temporary file renamed).
fn record(cmd: &str) -> PathBuf {
    let cmd: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
    let version = rpm_version(&cmd);
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("# rpmspec {version}: scripts/record-spec-snippets.sh\n");
    for (i, (what, body, arch)) in all().enumerate() {
        let answer = rpmspec_answer(&cmd, dir.path(), &format!("s{i}.spec"), &spec(body), arch);
        text += &line(what, arch, &answer);
        text.push('\n');
    }
    let path = Path::new(RECORDED).join(format!("rpm-{version}.txt"));
    let tmp = path.with_extension("txt.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    eprintln!("recorded {}", path.display());
    path
}

#[test]
fn snippet_names_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for (what, body, _) in all() {
        assert!(seen.insert(*what), "two snippets are called {what:?}");
        assert!(!what.contains('\t') && !body.is_empty(), "{what:?}");
    }
}

#[test]
fn snippets_agree_with_recorded_rpm() {
    if let Ok(cmd) = std::env::var("SPEC_SNIPPETS_RECORD") {
        record(&cmd);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(RECORDED)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let mut bad = Vec::new();
    for file in &files {
        let version = file.file_stem().unwrap().to_string_lossy();
        let version = version.trim_start_matches("rpm-");
        let text = std::fs::read_to_string(file).unwrap();
        let mut recorded: BTreeMap<&str, &str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| (l.split('\t').next().unwrap(), l))
            .collect();
        for (what, body, arch) in all() {
            let Some(theirs) = recorded.remove(what) else {
                bad.push(format!(
                    "rpm {version} has no answer for {what:?}: record it"
                ));
                continue;
            };
            let ours = line(what, arch, &ours(&spec(body), arch));
            let departure = DEPARTURES
                .iter()
                .find(|(v, w, _)| version.starts_with(v) && w == what);
            match departure {
                None if ours != theirs => bad.push(format!(
                    "rpm {version}:\n  ours {ours:?}\n  rpm  {theirs:?}"
                )),
                Some((_, _, why)) if ours == theirs => {
                    bad.push(format!("rpm {version}: {what:?} no longer departs ({why})"))
                }
                _ => {}
            }
        }
        for what in recorded.keys() {
            bad.push(format!(
                "rpm {version} answers {what:?}, which is no snippet"
            ));
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
}
