//! Tests of `--rpmspec` against real rpm: the host's `rpmspec` (rpm 4.18
//! on Debian, what CI has) and, with `RPM_ROOTS=DIR[:DIR...]`, the rpmspec
//! of each root made by `scripts/debian-rpm-root.sh` (rpm 4.20 of trixie,
//! 6.x of sid), run through `scripts/rpmspec-in-root.sh`. Without any rpm
//! the tests say "skipped".

use std::ffi::OsString;

use super::*;

#[path = "../../tests/spec_support/include_cases.rs"]
mod include_cases;

/// Whether rpmspec is missing here (said on stderr): the tests that run it
/// are then skipped.
fn no_rpmspec() -> bool {
    let missing = check_rpmspec().is_err();
    if missing {
        eprintln!("skipped: rpmspec is not installed");
    }
    missing
}

/// A target per arch with the built-in macros alone (no repos, files or
/// defines).
fn plain_targets(arches: &[&str]) -> Vec<ArchTarget> {
    arches
        .iter()
        .map(|arch| ArchTarget {
            arch: arch.to_string(),
            ctx: crate::spec::SpecContext::for_arch(arch),
            repo: None,
            user_files: Vec::new(),
            defines: Vec::new(),
            skipped_repos: Vec::new(),
        })
        .collect()
}

/// `NAME-1-1.src.rpm` in `dir` of a spec `text` and its `sources`, as the
/// SRPM cache lists it.
fn cached_srpm(
    dir: &Path,
    name: &str,
    text: &str,
    sources: Vec<srpm::SourceFile>,
) -> [CachedSrpm; 1] {
    let spec = srpm::SrpmSpec {
        name: name.into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "s".into(),
        spec_name: format!("{name}.spec"),
        spec_text: text.into(),
        sources,
        build_time: 1,
        ..Default::default()
    };
    let file = format!("{name}-1-1.src.rpm");
    let path = dir.join(&file);
    std::fs::write(&path, srpm::build_srpm(&spec).unwrap()).unwrap();
    [CachedSrpm {
        name: name.into(),
        file,
        path,
    }]
}

#[test]
fn answers_are_parsed_like_the_evaluator_spells_them() {
    let a = parse_answer(
        "R zlib-devel\nR rpmlib(CompressedFileNames) <= 3.0.4-1\nR gcc >= 12\nA x86_64\nX s390x\nR gcc >= 12\n",
    );
    assert_eq!(a.build_requires, ["gcc >= 12", "zlib-devel"]);
    assert_eq!(a.exclusive_arch, ["x86_64"]);
    assert_eq!(a.exclude_arch, ["s390x"]);
}

/// An rpm to ask: its `rpmspec` command and whether it reads section parts.
struct Rpm {
    name: String,
    rpmspec: Vec<OsString>,
    parts: bool,
}

/// The rpms to ask: the host's (when installed) and each of `RPM_ROOTS`.
fn rpms() -> Vec<Rpm> {
    let mut out = Vec::new();
    if check_rpmspec().is_ok() {
        out.push(Rpm {
            name: "host".into(),
            rpmspec: Vec::new(),
            parts: knows_parts(&RpmMacros::default()),
        });
    } else {
        eprintln!("skipped: rpmspec is not installed");
    }
    let roots = std::env::var("RPM_ROOTS").unwrap_or_default();
    if roots.is_empty() {
        eprintln!(
            "skipped: the rpm of other versions (set RPM_ROOTS=DIR[:DIR...], docs/testing.md)"
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/rpmspec-in-root.sh");
    for root in roots.split(':').filter(|r| !r.is_empty()) {
        assert!(
            Path::new(root).join("usr/bin/rpmspec").is_file(),
            "RPM_ROOTS: {root} has no usr/bin/rpmspec"
        );
        let rpmspec: Vec<OsString> = vec![script.clone().into(), root.into()];
        let mut macros = RpmMacros::default();
        macros.rpmspec = rpmspec.clone();
        out.push(Rpm {
            name: root.into(),
            rpmspec,
            parts: knows_parts(&macros),
        });
    }
    out
}

/// `rpm_reads` of `text` (with `files` beside it in `_sourcedir`) for
/// `arches`, by `rpm`.
fn read_by(rpm: &Rpm, text: &str, files: &[(&str, &str)], arches: &[&str]) -> ArchfulResult {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("dyn.spec");
    std::fs::write(&spec_path, text).unwrap();
    std::fs::create_dir_all(dir.path().join("SOURCES")).unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join("SOURCES").join(name), body).unwrap();
    }
    let targets = plain_targets(arches);
    let cached = CachedSrpm {
        name: "dyn".into(),
        file: "dyn-1-1.src.rpm".into(),
        path: dir.path().join("dyn-1-1.src.rpm"),
    };
    let runs: Vec<(&ArchTarget, RpmMacros)> = targets
        .iter()
        .map(|t| {
            let mut m = RpmMacros::of(t).unwrap();
            m.rpmspec = rpm.rpmspec.clone();
            (t, m)
        })
        .collect();
    rpm_reads(
        ArchfulResult::new(&cached),
        &spec_path,
        text,
        dir.path(),
        &runs,
        rpm.parts,
    )
}

/// Whether `rpm_reads` finds dynamic BuildRequires in `text` with each rpm
/// ([`rpms`]): `(rpm, answer)`.
fn dynamic_for(text: &str, files: &[(&str, &str)], arches: &[&str]) -> Vec<(String, bool)> {
    rpms()
        .iter()
        .map(|rpm| (rpm.name.clone(), dynamic_by(rpm, text, files, arches)))
        .collect()
}

/// Whether `rpm_reads` finds dynamic BuildRequires in `text` with `rpm`.
fn dynamic_by(rpm: &Rpm, text: &str, files: &[(&str, &str)], arches: &[&str]) -> bool {
    let res = read_by(rpm, text, files, arches);
    assert_eq!(res.verdict, Verdict::Rpmspec, "{}: {res:?}", rpm.name);
    assert_eq!(res.build_requires[arches[0]], ["gcc"], "{}", rpm.name);
    res.dynamic_build_requires
}

/// rpm decides dynamic BuildRequires from the sections it read: one in
/// a false `%if` or `%ifarch` does not count, nor does a `%changelog`
/// line that names the section.
#[test]
fn dynamic_build_requires_are_the_sections_rpm_read() {
    let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n%description\nd\n\
        %if 0\n%generate_buildrequires\necho never\n%endif\n\
        %prep\necho prep\n\
        %ifarch aarch64\n%generate_buildrequires\necho foo\n%endif\n\
        %build\n%files\n\
        %changelog\n* Mon Jan 01 2024 A <a@b.c> - 1-1\n- Use %generate_buildrequires\n";
    for rpm in rpms() {
        assert!(
            !dynamic_by(&rpm, text, &[], &["x86_64", "s390x"]),
            "{}",
            rpm.name
        );
        assert!(
            dynamic_by(&rpm, text, &[], &["x86_64", "aarch64"]),
            "{}",
            rpm.name
        );
    }
}

/// A section line counts however rpm came to read it: `%%` written,
/// printed by Lua, a macro's body; a line that only looks like one
/// (Lua printing `%%`, a `%global` whose body is the name, never used)
/// does not. rpm 4.18 and 6.1 (rpmbuild -bs) give these answers.
#[test]
fn dynamic_build_requires_however_the_section_line_is_made() {
    let spec = |global: &str, line: &str| {
        format!(
            "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
             BuildRequires: gcc\n{global}\n%description\nd\n%prep\necho prep\n\
             {line}\necho foo\n%build\necho build\n%files\n"
        )
    };
    let cases = [
        ("", "%%generate_buildrequires", true),
        ("", "%{lua: print(\"%generate_buildrequires\")}", true),
        ("", "%{lua: print(\"x\\n%generate_buildrequires\")}", true),
        ("", "%{expand:%%generate_buildrequires}", true),
        ("%global gbr %%generate_buildrequires", "%gbr", true),
        ("%define gbr %%generate_buildrequires", "%{?gbr}", true),
        ("", "%{lua: print(\"%%generate_buildrequires\")}", false),
        ("%global gbr %generate_buildrequires", "", false),
    ];
    for (global, line, dynamic) in cases {
        for (rpm, got) in dynamic_for(&spec(global, line), &[], &["x86_64"]) {
            assert_eq!(got, dynamic, "{rpm}: {global:?} {line:?}");
        }
    }
}

/// What rpm reads is the spec as it is: a spec asking whether
/// `%generate_buildrequires` is a macro gets rpm's answer (it is not).
#[test]
fn the_probe_cannot_be_seen_by_the_spec() {
    let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc%{?generate_buildrequires:-seen}\
        %{lua: if rpm.isdefined('generate_buildrequires') then print('-lua') end}\n\
        %description\nd\n%prep\n%generate_buildrequires\necho foo\n%build\n%files";
    // dynamic_for checks the BuildRequires are `gcc` alone.
    for (rpm, got) in dynamic_for(text, &[], &["x86_64", "s390x"]) {
        assert!(got, "{rpm}");
    }
}

/// rpm fails a spec whose last line asks for another (a `\` before its
/// newline): our section line must not let it pass, so it falls back
/// to the grep, as before.
#[test]
fn a_spec_rpm_fails_at_its_end_is_not_probed() {
    let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n%description\nd\n%build\necho a \\\n";
    for rpm in rpms() {
        let res = read_by(&rpm, text, &[], &["x86_64"]);
        let Verdict::GrepFallback { reason } = &res.verdict else {
            panic!("{}: {res:?}", rpm.name);
        };
        // rpm's own reason, not its closing "query of specfile TEMP-PATH
        // failed, can't parse" (the reason was that until the user audit).
        assert!(
            reason.contains(": error: line 10: "),
            "{}: {reason}",
            rpm.name
        );
        // Without the `\` rpm reads it.
        let read = read_by(&rpm, &text.replace(" \\\n", "\n"), &[], &["x86_64"]);
        assert_eq!(read.verdict, Verdict::Rpmspec, "{}", rpm.name);
    }
}

/// A section in an `%include`d file counts where rpm reads it; a noarch spec
/// is read for noarch, so a section under `%ifarch x86_64` is not one
/// rpmbuild records, whatever the target.
#[test]
fn dynamic_build_requires_of_included_files_and_noarch_specs() {
    let head = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n";
    let include =
        format!("{head}%description\nd\n%prep\n%include %{{_sourcedir}}/gen.inc\n%build\n%files\n");
    let gen = [(
        "gen.inc",
        "%ifarch aarch64\n%generate_buildrequires\necho foo\n%endif\n",
    )];
    for rpm in rpms() {
        assert!(
            !dynamic_by(&rpm, &include, &gen, &["x86_64"]),
            "{}",
            rpm.name
        );
        assert!(
            dynamic_by(&rpm, &include, &gen, &["aarch64"]),
            "{}",
            rpm.name
        );
    }
    let noarch = format!(
        "{head}BuildArch: noarch\n%description\nd\n%prep\n\
         %ifarch x86_64\n%generate_buildrequires\necho foo\n%endif\n%build\n%files\n"
    );
    for (rpm, got) in dynamic_for(&noarch, &[], &["x86_64"]) {
        assert!(!got, "{rpm}");
    }
}

/// The forms our appended section line cannot tell by itself, where
/// `rpmspec -P` of the spec as it is decides: a spec whose last line is the
/// section line (rpm makes no section of it; our line after it would), and
/// rpm 4.20's parts (`%generate_buildrequires -a`/`-p`), which make the
/// section when the spec has none of its own (ours would take them). Each
/// answer is `rpmbuild -bs`'s (`rpmlib(DynamicBuildRequires)` in the SRPM)
/// of rpm 4.18 (Debian bookworm's, the host's), 4.20.1 and 6.1.0 (Debian
/// trixie's and sid's roots), 2026-12-06: `(text after the preamble,
/// rpm 4.18's answer, rpm 4.20's and 6.1's)`, None where that rpm fails
/// the spec (it then falls back to the grep).
#[test]
fn dynamic_build_requires_of_parts_and_a_last_section_line() {
    let head = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n";
    let system = "%define buildsystem_demo_build() build %*\n\
        %define buildsystem_demo_install() install %*\n";
    let filling = "%define buildsystem_demo_generate_buildrequires() gen %*\n";
    let d = "%description\nd\n";
    let cases: Vec<(String, Option<bool>, Option<bool>)> = vec![
        // Parts: a section to rpm 4.18, parts to 4.20.
        (format!("{d}%prep\n%generate_buildrequires -a\necho x\n%build\n%files\n"), Some(true), Some(true)),
        (format!("{d}%prep\n%generate_buildrequires -p\necho x\n%build\n%files\n"), Some(true), Some(true)),
        (format!("{d}%prep\n%if 0\n%generate_buildrequires -a\necho x\n%endif\n%files\n"), Some(false), Some(false)),
        (format!("{d}%build\n%files\n%generate_buildrequires -a\n"), Some(false), Some(true)),
        (
            format!("{d}%prep\n%generate_buildrequires -a\necho x\n%files\n%generate_buildrequires\n"),
            None,
            Some(true),
        ),
        // The section line last, however written: no section.
        (format!("{d}%build\n%files\n%generate_buildrequires\n"), Some(false), Some(false)),
        (format!("{d}%build\n%files\n%generate_buildrequires"), Some(false), Some(false)),
        (format!("%global gbr %%generate_buildrequires\n{d}%files\n%gbr\n"), Some(false), Some(false)),
        (format!("{d}%files\n%{{lua: print('%generate_buildrequires')}}\n"), Some(false), Some(false)),
        // Any line after it makes it.
        (format!("{d}%build\n%files\n%generate_buildrequires\n\n"), Some(true), Some(true)),
        (format!("{d}%files\n%if 1\n%generate_buildrequires\n%endif\n"), Some(true), Some(true)),
        (format!("{d}%files\n%generate_buildrequires\n%{{?nothing}}\n"), Some(true), Some(true)),
        // A conditional's line made by a macro: emptied, not shown by -P,
        // but a line after the section.
        (format!("{d}%files\n%if 1\n%generate_buildrequires\n%{{expand:%%endif}}\n"), Some(true), Some(true)),
        (format!("{d}%prep\necho p\n%generate_buildrequires\n%{{expand:%%if 0\n%%endif}}\n"), Some(true), Some(true)),
        // The section line that ends %prep (rpm 4.18's -P leaves it out).
        (format!("{d}%prep\necho prep\n%generate_buildrequires\n"), Some(false), Some(false)),
        (format!("{d}%prep\n%setup -q -c -T\n%generate_buildrequires\n"), Some(false), Some(false)),
        (format!("{d}%prep\necho p\n%generate_buildrequires\n%{{?nothing}}\n"), Some(true), Some(true)),
        (format!("{d}%prep\necho p\n%{{expand:%%generate_buildrequires\necho x}}\n"), Some(true), Some(true)),
        // A last line spread over physical lines.
        (format!("{d}%files\n%{{expand:\n%%generate_buildrequires\n}}\n"), Some(true), Some(true)),
        (format!("{d}%files\n%{{expand:echo x\n%%generate_buildrequires}}\n"), Some(false), Some(false)),
        (format!("{d}%files\n%{{expand:echo x\n%%generate_buildrequires\\\n}}\n"), Some(false), Some(false)),
        // A build system fills in the section a spec lacks (rpm 4.18
        // knows no BuildSystem:).
        (format!("{system}{filling}BuildSystem: demo\n%prep\n{d}%files\n%generate_buildrequires\n"), None, Some(true)),
        (format!("{system}BuildSystem: demo\n%prep\n{d}%files\n%generate_buildrequires\n"), None, Some(false)),
        (format!("{system}BuildSystem: demo\n%prep\n{d}%generate_buildrequires -a\necho x\n%files\n"), None, Some(true)),
        (
            format!("{system}BuildSystem: demo\n%prep\n{d}%files\n%generate_buildrequires\n%if 0\n%endif\n"),
            None,
            Some(true),
        ),
    ];
    for rpm in rpms() {
        for (tail, old, new) in &cases {
            let text = format!("{head}{tail}");
            let want = if rpm.parts { new } else { old };
            let res = read_by(&rpm, &text, &[], &["x86_64"]);
            match want {
                Some(dynamic) => {
                    assert_eq!(res.verdict, Verdict::Rpmspec, "{}: {text}", rpm.name);
                    assert_eq!(res.dynamic_build_requires, *dynamic, "{}: {text}", rpm.name);
                }
                None => assert!(
                    matches!(res.verdict, Verdict::GrepFallback { .. }),
                    "{}: {text}: {res:?}",
                    rpm.name
                ),
            }
        }
        // Left: with rpm 4.18, a last line that hands out other lines
        // before the section line that ends `%prep` (they show where the
        // section line does not) stays the probe's (dynamic) where
        // rpmbuild 4.18 says static; 4.20 and 6.1 show the section line.
        let text =
            format!("{head}{d}%prep\necho p\n%{{expand:echo x\n%%generate_buildrequires}}\n");
        let res = read_by(&rpm, &text, &[], &["x86_64"]);
        assert_eq!(res.dynamic_build_requires, !rpm.parts, "{}", rpm.name);
    }
}

/// A part made by a macro of a file `%{load:}` reads, the section's name
/// nowhere in the spec's text, makes the section (rpm 4.20 and 6.1; rpm
/// 4.18 reads the line as the section's own): `rpmbuild -bs` of all three
/// says dynamic (2026-12-06).
#[test]
fn dynamic_build_requires_of_a_part_from_a_loaded_macro_file() {
    let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n%{load:%{_sourcedir}/parts.macros}\n%description\nd\n\
        %prep\n%gbr_part\necho x\n%build\n%files\n";
    let files = [("parts.macros", "%gbr_part %%generate_buildrequires -a\n")];
    for (rpm, got) in dynamic_for(text, &files, &["x86_64"]) {
        assert!(got, "{rpm}");
    }
}

/// A section line followed only by the `%include` of an empty file ends
/// the spec (rpm reads on into the file and hands out no line): no
/// section. Other files' lines make it (a blank, a conditional's lines,
/// which `rpmspec -P` does not show), as does a line after the
/// `%include`; an included file that ends in the section line at the end of
/// the spec makes none. `rpmbuild -bs` of rpm 4.18, 4.20.1 and 6.1.0
/// agree (2026-12-06). An `%include` whose file name is a macro
/// (`%{SOURCE1}`) is read the probe's way (a section).
#[test]
fn dynamic_build_requires_after_an_include() {
    use include_cases::{include_cases, INCLUDE_FILES};
    let head = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc\n%description\nd\n%files\n";
    let (files, cases) = (INCLUDE_FILES, include_cases(head));
    for rpm in rpms() {
        for (text, dynamic) in &cases {
            assert_eq!(
                dynamic_by(&rpm, text, &files, &["x86_64"]),
                *dynamic,
                "{}: {text}",
                rpm.name
            );
        }
    }
}

/// A spec rpm cannot read (it fails at its end: a `\` before its last
/// newline) falls back to the grep in both modes; its record has the same
/// shape either way: a `build_requires` entry per target arch, the lists
/// the evaluator read anyway (before, `--rpmspec`'s record had none).
#[test]
fn a_fallback_record_has_the_evaluators_per_arch_lists_either_way() {
    if no_rpmspec() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = "Name: tail\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        ExclusiveArch: x86_64 ppc64le\n\
        BuildRequires: gcc\n%ifarch x86_64\nBuildRequires: nasm\n%endif\n\
        %description\nd\n%build\necho a \\\n";
    let cached = cached_srpm(dir.path(), "tail", text, Vec::new());
    let targets = plain_targets(&["x86_64", "aarch64"]);
    let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
    let Verdict::GrepFallback { reason } = &by_rpm.verdict else {
        panic!("{by_rpm:?}");
    };
    assert!(reason.contains("error"), "{reason}");
    let evaluated = &crate::archful::identify(&cached, &targets).unwrap()[0];
    let arches: Vec<&str> = by_rpm.build_requires.keys().map(String::as_str).collect();
    assert_eq!(arches, ["aarch64", "x86_64"], "{by_rpm:?}");
    assert_eq!(by_rpm.build_requires, evaluated.build_requires);
    assert_eq!(by_rpm.build_requires["x86_64"], ["gcc", "nasm"]);
    assert_eq!(by_rpm.archful, evaluated.archful);
    // The rest of the record too, not rpm's partial reads (the review:
    // `not_buildable_on` was empty where the evaluator's said aarch64).
    assert_eq!(evaluated.not_buildable_on, ["aarch64"]);
    assert_eq!(by_rpm.not_buildable_on, evaluated.not_buildable_on);
    assert_eq!(
        by_rpm.dynamic_build_requires,
        evaluated.dynamic_build_requires
    );
}

/// A spec neither rpm nor the evaluator can read for every arch (here
/// an `%include` on aarch64 alone that leaves an `%if` open) falls back to the grep, and its
/// `not_buildable_on` is the evaluator's fallback record's (none), not rpm's
/// word on the arches it read before it failed: rpm reads the arches in
/// order, so it had judged x86_64 (excluded) and never aarch64, and the
/// record said x86_64 alone, as if aarch64 had been found buildable.
#[test]
fn a_spec_neither_reads_has_no_partial_not_buildable_on() {
    if no_rpmspec() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = "Name: half\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        ExcludeArch: x86_64\nBuildRequires: gcc\n\
        %ifarch aarch64\n%include %{_sourcedir}/half.inc\n%endif\n\
        %description\nd\n%build\n%files\n";
    // An %if it leaves open: rpm and the evaluator both fail there.
    let inc = srpm::SourceFile {
        name: "half.inc".into(),
        data: b"%if 1\nBuildRequires: make\n".to_vec(),
    };
    let cached = cached_srpm(dir.path(), "half", text, vec![inc]);
    let targets = plain_targets(&["x86_64", "aarch64"]);
    let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
    let evaluated = &crate::archful::identify(&cached, &targets).unwrap()[0];
    for res in [by_rpm, evaluated] {
        assert!(
            matches!(res.verdict, Verdict::GrepFallback { .. }),
            "{res:?}"
        );
    }
    assert!(evaluated.build_requires.is_empty(), "{evaluated:?}");
    assert_eq!(by_rpm.build_requires, evaluated.build_requires);
    assert_eq!(by_rpm.not_buildable_on, evaluated.not_buildable_on);
    assert_eq!(by_rpm.archful, evaluated.archful);
}

/// The repos' macro tree of one arch, in `dir/tree`: a base `macros` file
/// of a newer rpm's shape (rpm 4.20 and later define `%buildroot` while
/// parsing, so their file has none), a drop-in and the vendor file.
fn newer_rpm_tree(dir: &Path, arch: &str) -> crate::distmacros::RepoMacros {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("macros.d")).unwrap();
    std::fs::create_dir_all(tree.join("redhat")).unwrap();
    // `%x86_64` is rpm 4.19's: rpm 4.18's own base file has none.
    std::fs::write(
        tree.join("macros"),
        "%_newer_base_only %{?nothing}1\n%x86_64 x86_64 amd64 em64t\n",
    )
    .unwrap();
    std::fs::write(tree.join("macros.d/macros.dist"), "%dist_dep from-dropin\n").unwrap();
    std::fs::write(tree.join("redhat/macros"), "%vendor_dep from-vendor\n").unwrap();
    crate::distmacros::RepoMacros {
        arch: arch.into(),
        packages: vec!["rpm-6.0.0-1.noarch".into()],
        files: crate::distmacros::load_order(&tree, arch),
        tree,
        lua_dir: None,
        unmatched: Vec::new(),
        rpm_version: Some("6.0.0".into()),
    }
}

/// rpm reads a spec with its own base macro file, not the repos' rpm's:
/// rpm 4.18 given a newer rpm's file (no `%buildroot`) failed every spec
/// ("%{buildroot} couldn't be empty") and `--rpmspec` fell back to the
/// grep. The repos' drop-ins and vendor file are still read, and the
/// plain values of the repos' base file that rpm's own lacks (rpm 4.18
/// has no `%x86_64`: `%ifarch %{x86_64}` was false on x86_64); a
/// definition that expands macros is not taken.
#[test]
fn rpm_reads_with_its_own_base_file_and_the_repos_others() {
    let text = "Name: dyn\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        BuildRequires: gcc %{dist_dep} %{vendor_dep} base%{?_newer_base_only}\n\
        %ifarch %{x86_64}\nBuildRequires: x64-list\n%endif\n\
        %description\nd\n%build\nmake\n%files\n";
    for rpm in rpms() {
        let dir = tempfile::tempdir().unwrap();
        let spec_path = dir.path().join("dyn.spec");
        std::fs::write(&spec_path, text).unwrap();
        let mut targets = plain_targets(&["x86_64"]);
        targets[0].repo = Some(newer_rpm_tree(dir.path(), "x86_64"));
        let runs: Vec<(&ArchTarget, RpmMacros)> = targets
            .iter()
            .map(|t| {
                let mut m = RpmMacros::of(t).unwrap();
                m.rpmspec = rpm.rpmspec.clone();
                (t, m)
            })
            .collect();
        let cached = CachedSrpm {
            name: "dyn".into(),
            file: "dyn-1-1.src.rpm".into(),
            path: dir.path().join("dyn-1-1.src.rpm"),
        };
        let res = rpm_reads(
            ArchfulResult::new(&cached),
            &spec_path,
            text,
            dir.path(),
            &runs,
            rpm.parts,
        );
        assert_eq!(res.verdict, Verdict::Rpmspec, "{}: {res:?}", rpm.name);
        assert_eq!(
            res.build_requires["x86_64"],
            ["base", "from-dropin", "from-vendor", "gcc", "x64-list"],
            "{}",
            rpm.name
        );
    }
}

/// A spec that reads its SRPM's other files without an `%include` (a
/// macro file `%{load:}`ed, Lua's `io.open`, `%{exists:}`) is read by rpm
/// with those files beside it, as the evaluator reads it: only a spec
/// naming `%include` was unpacked, so rpm failed these and the grep
/// decided.
#[test]
fn rpm_gets_the_sources_a_spec_reads_without_an_include() {
    if no_rpmspec() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = "Name: reads\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        Source1: arch.macros\nSource2: deps.txt\n\
        %{load:%{SOURCE1}}\nBuildRequires: %{arch_dep}\n\
        %{lua: for l in io.open(rpm.expand('%{SOURCE2}')):lines() do \
        print('BuildRequires: ' .. l .. '\\n') end}\n\
        BuildRequires: exists-%{exists:%{SOURCE2}}\n\
        %description\nd\n%build\n%files\n";
    let sources = vec![
        srpm::SourceFile {
            name: "arch.macros".into(),
            data: b"%arch_dep dep-%{_target_cpu}\n".to_vec(),
        },
        srpm::SourceFile {
            name: "deps.txt".into(),
            data: b"from-lua\n".to_vec(),
        },
    ];
    let cached = cached_srpm(dir.path(), "reads", text, sources);
    let targets = plain_targets(&["x86_64", "aarch64"]);
    let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
    assert_eq!(by_rpm.verdict, Verdict::Rpmspec, "{by_rpm:?}");
    assert_eq!(
        by_rpm.build_requires["aarch64"],
        ["dep-aarch64", "exists-1", "from-lua"]
    );
    let evaluated = &crate::archful::identify(&cached, &targets).unwrap()[0];
    assert_eq!(by_rpm.build_requires, evaluated.build_requires);
    assert!(by_rpm.archful && evaluated.archful);
}

/// Lua in a `-p <lua>` scriptlet is compiled, not run, while rpm reads
/// the spec: a spec naming `io.open` and `posix.stat` there alone is given
/// to rpm without its sources (no unpack), and rpm reads it.
#[test]
fn a_lua_scriptlet_is_no_reason_to_unpack() {
    if no_rpmspec() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = "Name: luapost\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        Source1: state.txt\n%ifarch aarch64\nBuildRequires: arm-only\n%endif\n\
        %description\nd\n%post -p <lua>\n\
        if posix.stat('%{SOURCE1}') then assert(io.open('%{SOURCE1}')) end\n\
        %files\n";
    assert!(!may_read_sources(text));
    let sources = vec![srpm::SourceFile {
        name: "state.txt".into(),
        data: b"x\n".to_vec(),
    }];
    let cached = cached_srpm(dir.path(), "luapost", text, sources);
    let targets = plain_targets(&["x86_64", "aarch64"]);
    let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
    assert_eq!(by_rpm.verdict, Verdict::Rpmspec, "{by_rpm:?}");
    assert_eq!(by_rpm.build_requires["aarch64"], ["arm-only"]);
    let evaluated = &crate::archful::identify(&cached, &targets).unwrap()[0];
    assert_eq!(by_rpm.build_requires, evaluated.build_requires);
}

/// rpm runs the `lua` builtin under a name a macro puts together, and
/// Lua's `dofile` reads a file as `io.open` does (rpmspec 4.18 checked:
/// both answer from the source with it in `%{_sourcedir}`, without it
/// `n` and `none`): such a spec gets its sources, as `rpmbuild --rebuild`
/// gives them.
#[test]
fn lua_under_a_made_name_or_dofile_gets_the_sources() {
    if no_rpmspec() {
        return;
    }
    let head = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource1: vars.lua\n";
    let made = "%global l lua\nBuildRequires: opened-%{expand:%%{%{l}:\
        print(io.open(rpm.expand('%{SOURCE1}')) and 'y' or 'n')}}\n";
    let dofile = "BuildRequires: %{lua: \
        print(pcall(dofile, rpm.expand('%{SOURCE1}')) and got or 'none')}\n";
    for (name, body, want) in [
        ("made", made, "opened-y"),
        ("dofile", dofile, "from-dofile"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("Name: {name}\n{head}{body}%description\nd\n%files\n");
        assert!(may_read_sources(&text), "{text}");
        let sources = vec![srpm::SourceFile {
            name: "vars.lua".into(),
            data: b"got = 'from-dofile'\n".to_vec(),
        }];
        let cached = cached_srpm(dir.path(), name, &text, sources);
        let targets = plain_targets(&["x86_64"]);
        let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
        assert_eq!(by_rpm.verdict, Verdict::Rpmspec, "{by_rpm:?}");
        assert_eq!(by_rpm.build_requires["x86_64"], [want], "{name}");
    }
}

/// Lua reaches a source in other ways than opening it: a program it runs
/// (`io.popen`, `os.execute`, `rpm.execute`), a listing of
/// `%{_sourcedir}` (`posix.dir`, `posix.files`) and `require` of a module
/// there once `package.path` names it. rpmspec 4.18 (and 6.1) answers each
/// from the source with it in `%{_sourcedir}`, and otherwise without it:
/// such a spec gets its sources, as `rpmbuild --rebuild` gives them.
#[test]
fn lua_running_listing_or_requiring_gets_the_sources() {
    if no_rpmspec() {
        return;
    }
    let head = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource1: vars.lua\n";
    let popen = "BuildRequires: %{lua: local p = io.popen('cat ' .. \
        rpm.expand('%{SOURCE1}') .. ' 2>/dev/null'); \
        local l = p:read('l'); p:close(); print(l and 'popen-y' or 'popen-n')}\n";
    let execute = "BuildRequires: %{lua: \
        print(os.execute('test -f ' .. rpm.expand('%{SOURCE1}')) and 'exec-y' or 'exec-n')}\n";
    let dir = "BuildRequires: %{lua: local n = 'dir-n'; \
        for _, f in ipairs(posix.dir(rpm.expand('%{_sourcedir}')) or {}) do \
        if f == 'vars.lua' then n = 'dir-y' end end; print(n)}\n";
    let require = "BuildRequires: %{lua: \
        package.path = rpm.expand('%{_sourcedir}/?.lua;') .. package.path; \
        print(pcall(require, 'vars') and got or 'none')}\n";
    for (name, body, want) in [
        ("popen", popen, "popen-y"),
        ("execute", execute, "exec-y"),
        ("dir", dir, "dir-y"),
        ("require", require, "from-dofile"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let text = format!("Name: {name}\n{head}{body}%description\nd\n%files\n");
        let sources = vec![srpm::SourceFile {
            name: "vars.lua".into(),
            data: b"got = 'from-dofile'\n".to_vec(),
        }];
        let cached = cached_srpm(tmp.path(), name, &text, sources);
        let targets = plain_targets(&["x86_64"]);
        let by_rpm = &identify_rpmspec(&cached, &targets).unwrap()[0];
        assert_eq!(by_rpm.verdict, Verdict::Rpmspec, "{by_rpm:?}");
        assert_eq!(by_rpm.build_requires["x86_64"], [want], "{name}");
    }
}

#[test]
fn specs_that_may_read_a_source_are_told_by_their_text() {
    for text in [
        "%include %{SOURCE1}",
        "%{load:%{SOURCE1}}",
        "%{lua: io.open(x)}",
        "%global rd() %{lua: print(posix.stat(x))}",
        "%{?lua:rpm.load(x)}",
        // rpm 4.18 runs `%{lua print(1)}` too: the builtin's argument
        // after a blank, as after a colon (rpmspec checked).
        "BuildRequires: x%{lua print(io.open(rpm.expand('%{SOURCE1}')) and 'y' or 'n')}",
        "%{lua\tposix.stat(x)}",
        // The builtin under a name a macro makes (rpm 4.18 runs it).
        "%global l lua\nBuildRequires: %{expand:%%{%{l}:print(io.open(x))}}",
        "%{lua: dofile(rpm.expand('%{SOURCE1}'))}",
        "%{lua: local f = loadfile(x)}",
        // A program run, a listing of the sources, a module required
        // from them (rpmspec 4.18 and 6.1 checked).
        "%{lua: io.popen('cat ' .. rpm.expand('%{SOURCE1}'))}",
        "%{lua: os.execute(x)}",
        "%{lua: rpm.execute('test', '-f', x)}",
        "%{lua: rpm.spawn({'test', '-f', x})}",
        "%{lua: if posix.fork() == 0 then posix.exec('/bin/test', '-f', x) end}",
        "%{lua: posix.dir(rpm.expand('%{_sourcedir}'))}",
        "%{lua: for f in posix.files(x) do end}",
        "%{lua: rpm.glob(rpm.expand('%{_sourcedir}/*'))}",
        "%{lua: package.path = x .. package.path; require 'vars'}",
        "%{lua: package.cpath = x; require 'mod'}",
        "%post -p <lua>\nio.open(x)\n%{lua: print(1)}",
        "%if %{exists:%{SOURCE2}}",
        "icon : x.xpm",
        "Version: %(cat %{SOURCE9})",
        "%global v %(cat %{_sourcedir}/VERSION)",
    ] {
        assert!(may_read_sources(&format!("Name: a\n{text}\n")), "{text}");
    }
    for text in [
        "Source0: https://example.org/download/a.tar.gz",
        "%global d %(date)",
        "# the file exists upstream",
        "%install\ncp %{SOURCE1} %{buildroot}",
        // Lua rpm compiles and does not run while reading the spec.
        "%post -p <lua>\nif posix.access('%{SOURCE1}') then io.open('%{SOURCE1}') end",
        "%pretrans -p <lua>\nrpm.load(x)\n%files\n%{lua_version}",
        "%pretrans -p <lua>\nrpm.load(x)\n%files\n%{?luaver}%{lua_libdir}",
        "%post -p <lua>\nio.open(x)\n%changelog\n- evaluation of Lua_x, luac, mylua\n",
        // `<lua>` however far from `-p`; macros whose names begin with lua;
        // rpm's names are case-sensitive (`%{LUA:}` is no builtin).
        "%post -p\t<lua>\nio.open(x)\n%postun -p  <lua>\nposix.files(x)\n%{lua_requires}\nLUA",
    ] {
        assert!(!may_read_sources(&format!("Name: a\n{text}\n")), "{text}");
    }
}

/// The corpus effect of the `%(...)` rule ([`shell_sources`]): with
/// `SPEC_CORPUS=DIR` (a directory of specs, e.g. a `fedora-rpm-specs`
/// clone's `specs/`), prints each spec it unpacks that the rule before it
/// did not (`added`) and each the rule before unpacked that it does not
/// (`dropped`), the counts, and the time it takes (all specs, and the
/// slowest); run with `--ignored --nocapture`. The rule before: a `%(` on
/// a line with `SOURCE`, `sourcedir`, `%{S:` or `%S:` in it.
#[test]
#[ignore]
fn corpus_specs_unpacked_for_shell_expansions() {
    let Some(dir) = std::env::var_os("SPEC_CORPUS") else {
        return;
    };
    let rule_before = |text: &str| {
        names_an_opener(text)
            || text.lines().any(|l| {
                l.contains("%(")
                    && ["SOURCE", "sourcedir", "%{S:", "%S:"]
                        .iter()
                        .any(|w| l.contains(w))
            })
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "spec"))
        .collect();
    paths.sort();
    let (mut before, mut now, mut added, mut dropped) = (0, 0, 0, 0);
    let (mut spent, mut slowest) = (std::time::Duration::ZERO, (std::time::Duration::ZERO, None));
    for p in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        let start = std::time::Instant::now();
        std::hint::black_box(shell_sources::shell_may_read_source(&text));
        let took = start.elapsed();
        spent += took;
        if took > slowest.0 {
            slowest = (took, Some(p));
        }
        let (old, new) = (rule_before(&text), may_read_sources(&text));
        before += usize::from(old);
        now += usize::from(new);
        if new && !old {
            added += 1;
            println!("added {}", p.display());
        }
        if old && !new {
            dropped += 1;
            println!("dropped {}", p.display());
        }
    }
    println!(
        "specs {} unpacked before {before} now {now} added {added} dropped {dropped}",
        paths.len()
    );
    println!("shell rule: {spent:?} in all, slowest {slowest:?}");
}

/// A `%(...)` reaches a source through macros: one made of `%{SOURCE1}`,
/// `%{PATCH2}` or `%{sources}` (however many deep, defined before or
/// after, in a `%{expand:}` or `\`-continued body), its own text spread
/// over lines, or a macro with options running the shell on a source
/// given as its argument. Each rpm ([`rpms`]) answers from the source
/// with it in `%{_sourcedir}` and otherwise without it, with no error; so
/// such a spec gets its sources, as `rpmbuild --rebuild` gives them.
#[test]
fn a_shell_expansion_reaching_a_source_through_macros_gets_the_sources() {
    if no_rpmspec() {
        return;
    }
    let head = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        Source1: v.txt\nPatch2: p.txt\n";
    let or_none = "2>/dev/null | head -1 | grep . || echo none";
    let forms = [
        ("global", format!("%global s %{{SOURCE1}}\nBuildRequires: g-%(cat %s {or_none})\n"), "g-src"),
        (
            "deep",
            format!("%define t %{{?s}}\n%global s %{{PATCH2}}\nBuildRequires: t-%(cat %{{?t}} {or_none})\n"),
            "t-patch",
        ),
        (
            "expand",
            format!("%global f %{{expand:%{{?nil}}\n%{{P:2}}}}\nBuildRequires: e-%(f=\"%f\"; cat $f {or_none})\n"),
            "e-patch",
        ),
        (
            "continued",
            format!("%global g \\\n  %{{SOURCE1}}\nBuildRequires: c-%(f=\"%g\"; cat $f {or_none})\n"),
            "c-src",
        ),
        // rpm's list of all sources, quoted for the shell (`'/…/v.txt'`);
        // defined when used, as `%global` would expand it before rpm sets it.
        (
            "list",
            format!("%define l %{{sources}}\nBuildRequires: l-%(cat %l {or_none})\n"),
            "l-src",
        ),
        ("lines", format!("BuildRequires: m-%(cat \\\n  %{{SOURCE1}} {or_none})\n"), "m-src"),
        (
            "argument",
            format!("%define catf() %(cat %1 {or_none})\nBuildRequires: a-%{{catf %{{SOURCE1}}}}\n"),
            "a-src",
        ),
    ];
    let files = [("v.txt", "src\n"), ("p.txt", "patch\n")];
    for (name, body, want) in &forms {
        let text = format!("Name: {name}\n{head}{body}%description\nd\n%files\n");
        assert!(may_read_sources(&text), "{text}");
        let without = want.replace("src", "none").replace("patch", "none");
        for rpm in rpms() {
            let with = read_by(&rpm, &text, &files, &["x86_64"]);
            assert_eq!(
                with.build_requires["x86_64"],
                [*want],
                "{}: {name}",
                rpm.name
            );
            let alone = read_by(&rpm, &text, &[], &["x86_64"]);
            assert_eq!(
                alone.build_requires["x86_64"],
                [without.as_str()],
                "{}: {name}",
                rpm.name
            );
        }
        let tmp = tempfile::tempdir().unwrap();
        let sources = files
            .iter()
            .map(|(n, d)| srpm::SourceFile {
                name: (*n).into(),
                data: d.as_bytes().to_vec(),
            })
            .collect();
        let cached = cached_srpm(tmp.path(), name, &text, sources);
        let by_rpm = &identify_rpmspec(&cached, &plain_targets(&["x86_64"])).unwrap()[0];
        assert_eq!(by_rpm.verdict, Verdict::Rpmspec, "{by_rpm:?}");
        assert_eq!(by_rpm.build_requires["x86_64"], [*want], "{name}");
    }
}

/// A macro whose `%(...)` only prints its argument, a source's name, and
/// filters the text (kubernetes' `%{remove_environ_prefix %{SOURCE106}}`,
/// `echo -n %1|sed ...`) reads no source: each rpm answers the same with
/// the sources and without them, so such a spec is given rpm alone. So is a
/// macro made of a source printed by `basename`.
#[test]
fn a_shell_expansion_printing_a_source_name_leaves_the_sources() {
    if no_rpmspec() {
        return;
    }
    let head = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\n\
        Source1: environ-api\nPatch2: p.txt\n";
    let forms = [
        (
            "strip",
            "%define rp() %(echo -n %1|sed 's/.*environ-//g')\nBuildRequires: k-%{rp %{SOURCE1}}\n",
            "k-api",
        ),
        (
            "printf",
            "%define up() %(printf '%%s' \"%1\" | sed 's,.*/,,' | tr a-z A-Z)\nBuildRequires: %{up %{P:2}}\n",
            "P.TXT",
        ),
        (
            "base",
            "%global s %{SOURCE1}\nBuildRequires: b-%(basename %s)\n",
            "b-environ-api",
        ),
        // The source named on the line itself (x11-ssh-askpass installs
        // `%{SOURCE1}` as `%(basename %{SOURCE1})`).
        (
            "line",
            "BuildRequires: b%{?SOURCE1:1}-%(basename %{SOURCE1} | rev)\n",
            "b1-ipa-norivne",
        ),
        // Words ending in SOURCE name no source (llvm's and compiler-rt's
        // `%(echo %{optflags} -D_DEFAULT_SOURCE)`).
        (
            "flags",
            "%global f %(echo -D_DEFAULT_SOURCE | cut -c3-)\nBuildRequires: x%f\n",
            "x_DEFAULT_SOURCE",
        ),
    ];
    let files = [("environ-api", "src\n"), ("p.txt", "patch\n")];
    for (name, body, want) in &forms {
        let text = format!("Name: {name}\n{head}{body}%description\nd\n%files\n");
        assert!(!may_read_sources(&text), "{text}");
        for rpm in rpms() {
            for given in [&files[..], &[]] {
                let got = read_by(&rpm, &text, given, &["x86_64"]);
                assert_eq!(
                    got.build_requires["x86_64"],
                    [*want],
                    "{}: {name} with {} files",
                    rpm.name,
                    given.len()
                );
            }
        }
    }
}

/// `%(...)` texts the rule once took for printing a name or for naming no
/// source, each of which reads one (or lists `%{_sourcedir}`): each rpm
/// ([`rpms`]) answers `x-src` (`x-v`, `x-*.txt-v.txt`) with `v.txt` (and
/// a file `*.txt`) in `%{_sourcedir}` and otherwise without them, so such
/// a spec gets its sources.
#[test]
fn shell_expansions_reading_a_source_in_other_ways_get_the_sources() {
    if no_rpmspec() {
        return;
    }
    let forms = [
        (
            "sed-e-flag",
            "BuildRequires: x-%(echo %{SOURCE1} | sed 's/^/cat /e')",
        ),
        ("sed-e", "BuildRequires: x-%(echo cat %{SOURCE1} | sed e)"),
        (
            "sort-files0",
            "BuildRequires: x-%(printf %{SOURCE1} | sort --files0-from=-)",
        ),
        (
            "body-pipe",
            "%global p | xargs cat\nBuildRequires: x-%(echo %{SOURCE1} %p)",
        ),
        // `x-v` with the source, `x-*` without it.
        (
            "glob",
            "BuildRequires: x-%(basename %{_sourcedir}/*.txt .txt)",
        ),
        (
            "arguments",
            "%define rp() %(echo %*)\nBuildRequires: x-%{rp %{SOURCE1} | xargs cat}",
        ),
        (
            "expand-global",
            "%{expand:%%global s %%{SOURCE1}}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "inner-global",
            "%{?nil:%global s %{SOURCE1}}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "expand-ref",
            "%global s %{SOURCE1}\nBuildRequires: x-%(cat %{expand:%%{s}})",
        ),
        (
            "expand-source",
            "BuildRequires: x-%(cat %{expand:%%SOURCE1})",
        ),
        (
            "lua-define",
            "%{lua: rpm.define(\"s \" .. rpm.expand(\"%{SOURCE1}\"))}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "lua-built",
            "BuildRequires: x-%{lua: local s = rpm.expand(\"%{SOURCE1}\")\n\
             print(rpm.expand(\"%(cat \"..s..\")\"))}",
        ),
        (
            "topdir",
            "BuildRequires: x-%(find %{_topdir} -name v.txt | xargs cat)",
        ),
        (
            "lua-format",
            "%{lua: rpm.define(string.format(\"s %s\", rpm.expand(\"%{SOURCE1}\")))}\n\
             BuildRequires: x-%(cat %s)",
        ),
        (
            "lua-name",
            "%{lua: local n = \"s\"; rpm.define(n .. \" %{SOURCE1}\")}\nBuildRequires: x-%(cat %s)",
        ),
        // The shell lists `*.txt` (the file of that name and `v.txt`).
        (
            "pattern-source",
            "Source2: *.txt\nBuildRequires: x-%(echo %{SOURCE2} | sed 's,[^ ]*/,,g' | tr ' ' -)",
        ),
        (
            "global-percent",
            "%global s %%{SOURCE1}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "made-name",
            "%global n s\n%{expand:%%global %{n} %%{SOURCE1}}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "source-redefined",
            "%global SOURCE1 %{SOURCE1} | xargs cat\nBuildRequires: x-%(echo %{SOURCE1})",
        ),
        (
            "lua-body",
            "%global p x\n%{lua: macros.p = \"| xargs cat\"}\nBuildRequires: x-%(echo %{SOURCE1} %p)",
        ),
        (
            "define-builtin",
            "%{define:s %{SOURCE1}}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "global-builtin",
            "%{global:s %{SOURCE1}}\nBuildRequires: x-%(cat %s)",
        ),
        (
            "macrobody",
            "BuildRequires: x-%(cat %{expand:%{macrobody:_sourcedir}}/v.txt 2>/dev/null)",
        ),
        (
            "tag-redefined",
            "%global version 1 | xargs cat\nBuildRequires: x-%(echo %{SOURCE1} %{version})",
        ),
    ];
    let head = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource1: v.txt\n";
    for (name, body) in forms {
        let text = format!("Name: {name}\n{head}{body}\n%description\nd\n%files\n");
        assert!(may_read_sources(&text), "{text}");
        for rpm in rpms() {
            let files = [("v.txt", "src\n"), ("*.txt", "s2\n")];
            let n = if name == "pattern-source" { 2 } else { 1 };
            let with = read_by(&rpm, &text, &files[..n], &["x86_64"]);
            let alone = read_by(&rpm, &text, &[], &["x86_64"]);
            let want = match name {
                "glob" => "x-v",
                "pattern-source" => "x-*.txt-v.txt",
                _ => "x-src",
            };
            assert_eq!(
                with.build_requires["x86_64"],
                [want],
                "{}: {name}",
                rpm.name
            );
            assert_ne!(
                alone.build_requires.get("x86_64"),
                with.build_requires.get("x86_64"),
                "{}: {name}",
                rpm.name
            );
        }
    }
}
