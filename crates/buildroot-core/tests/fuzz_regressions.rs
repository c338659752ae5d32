//! Inputs the fuzzers found (make fuzz) that once crashed or exhausted memory.

use std::path::Path;
use std::time::Duration;

/// The CPU time the calling thread has used. The bounds on work below are
/// on it, not on the wall clock: on a loaded 2-core machine the YAML case's
/// 3.6 s of CPU took 18.5 s of wall time (a load of 13), near its bound of
/// 30 s, while a thread's own CPU time does not grow with the load.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill in.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(name)
}

#[test]
fn srpm_header_entry_outside_its_data_is_an_error() {
    // The rpm crate indexed past the header's data and panicked on this file.
    let e = buildroot_core::srpm::read_header(&file("srpm_header_offset.bin"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a valid RPM file"), "{e}");
    assert!(buildroot_core::srpm::extract_spec(&file("srpm_header_offset.bin")).is_err());
}

#[test]
fn spec_expansion_is_bounded() {
    // A macro chain that doubles at every level once ran out of memory.
    let text =
        String::from_utf8_lossy(&std::fs::read(file("spec_expansion.spec")).unwrap()).into_owned();
    let _ = buildroot_core::spec::evaluate(
        &text,
        &buildroot_core::spec::SpecContext::for_arch("x86_64"),
    );
    let bomb = "Name: x\n%define a0 xx\n".to_string()
        + &(1..40)
            .map(|i| format!("%define a{i} %{{a{}}}%{{a{}}}\n", i - 1, i - 1))
            .collect::<String>()
        + "BuildRequires: %{a39}\n";
    let ev = buildroot_core::spec::evaluate(
        &bomb,
        &buildroot_core::spec::SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    assert!(
        ev.problems.iter().any(|p| p.contains("too large")),
        "{:?}",
        ev.problems
    );
}

/// fuzz/artifacts/dep/crash-dd1bc963…: `x = (a-2-` parsed with version
/// `(a-2` and no release, which prints as `x = (a-2` and reads back as
/// version `(a`, release `2`. That stays an error; an empty release alone
/// (`1.0-`, which rpm's spec parser lets through) is read as none, and
/// what it prints reads back the same.
#[test]
fn dep_with_empty_release_is_rejected() {
    use buildroot_core::dep::Dep;
    let e = Dep::parse("\u{14}\u{0}-\u{c}=(fLLL-2-")
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad version"), "{e}");
    assert!(Dep::parse("foo = 1-2-").is_err());
    // rpm 6.1 (and 4.20) take `0:`, `:`, `-` and `0:-` too (`a >= 0:`
    // answered as is): an empty EVR, printed `0:`.
    for s in [
        "foo = 1.0-",
        "foo = 1.0-2",
        "foo >= 1:",
        "foo >= -1",
        "foo >= 0:",
        "foo >= :",
        "foo >= -",
        "foo >= 0:-",
        "(foo >= : or bar)",
        // A name rpm's and libsolv's rich parsers end at a blank with a `(`
        // still open: it prints back the same, but for the last operand
        // of a group (`(a or foo(bar )`, printed `(a or foo(bar)`).
        "(foo(bar or baz)",
        "(c(d >= 1 if e)",
        "(a or b(c >= 1)",
    ] {
        let d = Dep::parse(s).unwrap();
        assert_eq!(Dep::parse(&d.to_string()).unwrap(), d, "{s}");
    }
    assert_eq!(Dep::parse("foo = 1.0-").unwrap().to_string(), "foo = 1.0");
    assert_eq!(Dep::parse("foo >= -").unwrap().to_string(), "foo >= 0:");
    assert!(Dep::parse("(a or foo(bar )").is_err());
}

/// fuzz/artifacts/srpm_header/crash-357905e5…: an entry whose count claims
/// far more values than its header holds made the rpm crate allocate ~29 GB.
#[test]
fn srpm_header_entry_count_beyond_its_data_is_an_error() {
    let path = file("srpm-header-huge-count.rpm");
    for r in [
        buildroot_core::srpm::read_header(&path).map(|_| ()),
        buildroot_core::srpm::extract_spec(&path).map(|_| ()),
    ] {
        let e = r.unwrap_err().to_string();
        assert!(e.contains("not a valid RPM file"), "{e}");
    }
}

/// fuzz/artifacts/dep/crash-f17314b1…: in `(a or b > (2 )` the version
/// `(2` was accepted and printed as `b > (2)`, which does not parse back.
/// Parentheses are not allowed in versions (rpmbuild rejects them too).
#[test]
fn dep_version_with_parenthesis_is_rejected() {
    use buildroot_core::dep::Dep;
    assert!(Dep::parse("(a or b > (2 )").is_err());
    assert!(Dep::parse("b > 2)").is_err());
    let d = Dep::parse("(a or b > 2)").unwrap();
    assert_eq!(Dep::parse(&d.to_string()).unwrap(), d);
}

/// fuzz/artifacts/dep/crash-99b6e696… (fuzz8 session): `<==>=<<…<>` is
/// libsolv's "every version", read as the bare name; a name with an
/// unbalanced `(` (`\v(ab`: a vertical tab is no blank) then printed as
/// `(… else \v(ab)`, which reads back otherwise. Refused as the same name
/// without an operator is, where the group's `)` follows.
#[test]
fn dep_unbalanced_name_with_every_version_is_rejected() {
    use buildroot_core::dep::Dep;
    let input = "(a if b else\u{c}\u{b}(ab <==>=<<<<<<<<<<<<<<<<<<<<<<<<<<<<> 7d)";
    assert!(Dep::parse(input).is_err());
    assert!(Dep::parse("(a or x(b <=> 1)").is_err());
    for ok in ["(x(b <=> 1 or a)", "(a or x <=> 1)"] {
        let d = Dep::parse(ok).unwrap();
        assert_eq!(Dep::parse(&d.to_string()).unwrap(), d, "{ok}");
    }
}

/// fuzz/artifacts/srpm_header/oom-2d281967…: a cpio entry whose name size
/// claims 2 GB. The rpm crate (0.30) allocates that much zeroed memory
/// before checking the size against its 4096-byte limit; calloc maps it
/// lazily, so a real run only sees the error (libFuzzer's malloc limit
/// counts it). The file must be rejected with a one-line error.
#[test]
fn srpm_cpio_entry_with_huge_name_is_an_error() {
    let path = file("srpm-cpio-huge-name.rpm");
    let e = buildroot_core::srpm::extract_spec(&path)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with(&path.display().to_string()), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

/// fuzz target `yaml`: a config error that quotes a value of the document
/// (here the document type, a quoted string with a line break) printed as
/// two lines. A bad config file's error is one line: control characters
/// are escaped.
#[test]
fn config_error_quoting_a_multiline_value_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d0.yaml"),
        "document: \"feedback-pipeline-x\\nsecond line\"\nversion: 1\n",
    )
    .unwrap();
    let loaded = buildroot_core::content_resolver::load_dir(dir.path()).unwrap();
    assert_eq!(loaded.bad.len(), 1);
    let line = loaded.bad[0].to_string();
    assert!(
        line.ends_with("d0.yaml: unknown document type: feedback-pipeline-x\\nsecond line"),
        "{line}"
    );
    // The message itself keeps the value as it is (JSON output escapes it).
    assert!(loaded.bad[0].msg.contains("x\nsecond"));
}

/// fuzz target `comps`: `type="a&#10;b"` on a `<packagereq>` gave an error
/// of two lines (the message quotes the value, and the character reference
/// is a line break). Errors escape control characters now, whichever
/// reader quotes the value (a dependency). A comps type libcomps does not
/// know is no error any more: it is libcomps' unknown type, never
/// installed (`rpmmd/comps.rs`).
#[test]
fn xml_error_quoting_a_line_break_is_one_line() {
    use buildroot_core::rpmmd::{read_primary, Comps, PackageType};
    let comps = "<comps><group><id>g</id><packagelist>\
                 <packagereq type=\"a&#10;b\">x</packagereq></packagelist></group></comps>";
    let c = Comps::parse(comps.as_bytes(), "c.xml").unwrap();
    assert_eq!(c.groups[0].packages[0].kind, PackageType::Unknown);
    let primary = "<metadata packages=\"1\"><package type=\"rpm\"><name>a</name>\
                   <arch>noarch</arch><version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>\
                   <rpm:requires><rpm:entry name=\"r\" flags=\"1&#10;2\"/></rpm:requires>\
                   </format></package></metadata>";
    // Flags libsolv does not know no longer refuse the repo (so quote
    // nothing): a relation no version meets, as libsolv keeps it.
    let p = read_primary(primary.as_bytes(), "p.xml").unwrap();
    let r = p[0].requires[0]
        .dep
        .as_simple()
        .and_then(|d| d.range.as_ref());
    assert_eq!(r.map(|r| r.cmp), Some(buildroot_core::dep::Cmp::Unknown));
    let e = buildroot_core::dep::Dep::parse("a\nb (")
        .unwrap_err()
        .to_string();
    assert!(!e.contains('\n') && e.contains("a\\nb"), "{e}");
}

/// Found while writing the `dnfvars` target (its binary took 28 s on this
/// shape, 3 KB): `${a:X` with a mode dnf does not know has its word read
/// to find its end, then the word is read again from the `X`; nested 32
/// deep, the innermost text was read tens of thousands of times. The work of one
/// substitution is now bounded (then nothing more is substituted, as for
/// an expression cut short).
#[test]
fn dnfvars_unknown_modes_nested_deep_are_bounded() {
    let vars = buildroot_core::rpmmd::Vars::new("x86_64", "eln");
    let text = "${a:X".repeat(32) + &"Y".repeat(100_000) + &"}".repeat(32);
    let start = thread_cpu();
    let out = vars.substitute(&text);
    let cpu = thread_cpu() - start;
    assert!(cpu < Duration::from_secs(30), "{cpu:?} of CPU");
    assert_eq!(out.len(), text.len());
    // Valid text substitutes as before.
    assert_eq!(
        vars.substitute("$basearch/${nope:-${arch}}/${x:Xy}/\\$x"),
        "x86_64/x86_64/${x:Xy}/$x"
    );
}

/// The work bound counts what is read: a long value of many plain
/// `${name:-word}` words, one after another (no nesting), is substituted
/// to its end, as dnf substitutes it.
#[test]
fn dnfvars_many_words_in_a_row_are_all_substituted() {
    let vars = buildroot_core::rpmmd::Vars::new("x86_64", "eln");
    let text = "${nope:-b}/".repeat(2_000);
    assert_eq!(vars.substitute(&text), "b/".repeat(2_000));
    let text = "${arch:+a}".repeat(5_000) + "$basearch";
    assert_eq!(vars.substitute(&text), "a".repeat(5_000) + "x86_64");
}

/// Found reading the YAML map visitor while the `yaml` target ran slowly
/// (inputs of 4 KB cannot show it): a repeated key is looked for in every
/// key before it, so a map of 20,000 keys (240 KB) took a minute in that
/// target's binary and 40,000 four times that. Keys of the kinds a Python
/// dict hashes are looked up in an index now.
#[test]
fn yaml_map_with_many_keys_loads_in_linear_time() {
    use buildroot_core::content_resolver::yaml::Value;
    let mut text: String = (0..60_000).map(|i| format!("k{i}: {i}\n")).collect();
    text += &(0..30_000).map(|i| format!("{i}: x\n")).collect::<String>();
    text += "k7: last\n7: again\n";
    let start = thread_cpu();
    let v = Value::parse(&text, "keys.yaml").unwrap();
    let cpu = thread_cpu() - start;
    assert!(cpu < Duration::from_secs(30), "{cpu:?} of CPU");
    let Value::Map(m) = &v else { panic!() };
    assert_eq!(m.len(), 90_000);
    // A repeated key keeps its first place and its last value.
    assert_eq!(m[7], (Value::Str("k7".into()), Value::Str("last".into())));
    let seven: Vec<_> = m.iter().filter(|(k, _)| *k == Value::Int(7)).collect();
    assert_eq!(seven, [&(Value::Int(7), Value::Str("again".into()))]);
}

/// The duplicate-anchor check (PyYAML's composer refuses a second anchor of
/// one name) looked each anchor up in every anchor before it: a document
/// of 49,000 anchored values (serde-saphyr allows 50,000) took 18 s of
/// CPU in a debug build. A set now.
#[test]
fn yaml_many_anchors_load_in_linear_time() {
    use buildroot_core::content_resolver::yaml::Value;
    let text: String = (0..49_000).map(|i| format!("k{i}: &a{i} {i}\n")).collect();
    let start = thread_cpu();
    let v = Value::parse(&text, "anchors.yaml").unwrap();
    let cpu = thread_cpu() - start;
    // About 1 s in a debug build with the set, 18 s with the list.
    assert!(cpu < Duration::from_secs(10), "{cpu:?} of CPU");
    let Value::Map(m) = &v else { panic!() };
    assert_eq!(m.len(), 49_000);
    // A repeated one is still refused, at its line.
    let e = Value::parse(&(text + "x: &a7 7\n"), "anchors.yaml").unwrap_err();
    assert!(
        e.to_string()
            .contains("line 49001: found duplicate anchor 'a7'"),
        "{e}"
    );
}

/// The error the header checks give a damaged file rpm refuses, in one line.
fn refused_as_rpm_refuses_it(name: &str, says: &str) {
    let e = buildroot_core::srpm::read_header(&file(name))
        .unwrap_err()
        .to_string();
    assert!(e.contains(says) && !e.contains('\n'), "{e}");
}

/// An SRPM of ours whose one BuildRequires is named `dep` (bytes the rpm
/// crate would not write: patched into the header in place of a
/// placeholder as long), with the main-header entries of each tag `from`
/// renamed to `to`: a header rpm still accepts. Read back.
fn srpm_with(
    dep: &[u8],
    renames: &[(u32, u32)],
) -> buildroot_core::Result<buildroot_core::package::Package> {
    let placeholder = "#".repeat(dep.len());
    let mut b = buildroot_core::srpm::build_srpm(&buildroot_core::srpm::SrpmSpec {
        name: "x".into(),
        version: "1".into(),
        release: "1".into(),
        spec_name: "x.spec".into(),
        spec_text: "Name: x\n".into(),
        build_requires: vec![buildroot_core::dep::Dep::parse("gcc").unwrap()],
        build_requires_text: vec![placeholder.clone()],
        ..Default::default()
    })
    .unwrap();
    let be = |b: &[u8], at: usize| u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    let main = (96 + 16 + 16 * be(&b, 104) + be(&b, 108)).div_ceil(8) * 8;
    if !dep.is_empty() {
        let needle = [placeholder.as_bytes(), b"\0"].concat();
        let at = main
            + b[main..]
                .windows(needle.len())
                .position(|w| w == needle)
                .unwrap();
        b[at..at + dep.len()].copy_from_slice(dep);
    }
    for &(from, to) in renames {
        for i in 0..be(&b, main + 8) {
            let at = main + 16 + 16 * i;
            if be(&b, at) == from as usize {
                b[at..at + 4].copy_from_slice(&to.to_be_bytes());
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.src.rpm");
    std::fs::write(&path, &b).unwrap();
    buildroot_core::srpm::read_header(&path)
}

/// srpm_repodata: a header whose damage hides both its SOURCEPACKAGE tag
/// and its ARCH was read as a binary package of arch "", and its repodata
/// (`<arch></arch>`) was refused whole by our rpm-md reader. rpm refuses
/// that file ("region trailer: BAD"), and so do we now; a header rpm
/// accepts without either tag (renamed to tags rpm does not know, with
/// DIRNAMES, by which the rpm crate also tells an SRPM) is an error too.
#[test]
fn srpm_header_without_arch_is_an_error() {
    refused_as_rpm_refuses_it("srpm-repodata-no-arch.rpm", "main header: region trailer");
    assert_eq!(srpm_with(b"gcc", &[]).unwrap().arch, "src");
    let e = srpm_with(b"gcc", &[(1022, 5999), (1106, 5998), (1118, 5997)])
        .unwrap_err()
        .to_string();
    assert!(e.contains("no package arch") && !e.contains('\n'), "{e}");
}

/// srpm_repodata: a damaged header with a dependency of an empty name: its
/// repodata's `<rpm:entry name=""/>` made our rpm-md reader refuse the
/// whole repo. rpm refuses that file ("region trailer: BAD"), and so do we
/// now; in a header rpm accepts such a dependency names nothing and is
/// left out.
#[test]
fn srpm_dependency_without_a_name_is_left_out() {
    refused_as_rpm_refuses_it("srpm-repodata-empty-dep.rpm", "main header: region trailer");
    let p = srpm_with(b"", &[]).unwrap();
    assert!(p.requires.is_empty(), "{:?}", p.requires);
}

/// srpm_repodata: a damaged header whose name holds a control character
/// (`test-\x12`): the repodata, which cannot hold it, named another
/// package (`test-`). Such a header is an error, in one line.
#[test]
fn srpm_name_with_a_control_character_is_an_error() {
    let e = buildroot_core::srpm::read_header(&file("srpm-repodata-control-name.rpm"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("control character in the package name"), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

/// srpm_repodata: a damaged header with a BuildRequires named `\x01`: XML
/// cannot hold the character, so the repodata said `<rpm:entry name=""/>`
/// and our rpm-md reader refused the whole repo. rpm refuses that file
/// ("region trailer: BAD"), and so do we now; in a header rpm accepts such
/// a dependency is left out.
#[test]
fn srpm_dependency_with_a_control_character_is_left_out() {
    refused_as_rpm_refuses_it(
        "srpm-repodata-control-dep.rpm",
        "main header: region trailer",
    );
    let p = srpm_with(b"\x01", &[]).unwrap();
    assert!(p.requires.is_empty(), "{:?}", p.requires);
}

/// Every private-use character U+E000..U+F8FF spelled as a `\u` escape's
/// hex digits ("e000"), after `filler` bytes of a comment, with a BOM
/// past the first character; `free` left unspelled.
fn private_use_spelled_after(filler: usize, free: Option<char>) -> String {
    let mut text = String::from("a: x\u{feff}y\n# ");
    text.push_str(&"z".repeat(filler));
    text.push_str("\nb: \"");
    for c in '\u{e000}'..='\u{f8ff}' {
        if Some(c) != free {
            text.push_str(&format!("\\u{:04x}", u32::from(c)));
        }
    }
    text.push_str("\"\n");
    text
}

/// A BOM past the first character is read through a private-use stand-in
/// the text neither holds nor spells. It was looked for one candidate at a
/// time, each with three scans of the whole text: a text spelling every
/// candidate at its end (26 KB of escapes after 4 MB of comment) took
/// 6,400 × 3 scans of it, tens of seconds of CPU. One pass now.
#[test]
fn yaml_bom_stand_in_is_found_in_linear_time() {
    use buildroot_core::content_resolver::yaml::Value;
    let text = private_use_spelled_after(4 << 20, None);
    let start = thread_cpu();
    let e = Value::parse(&text, "spelled.yaml").unwrap_err().to_string();
    let cpu = thread_cpu() - start;
    assert!(cpu < Duration::from_secs(2), "{cpu:?} of CPU");
    assert!(e.starts_with("spelled.yaml: ") && !e.contains('\n'), "{e}");
    assert!(e.contains("private-use"), "{e}");
    // With one candidate left, that one is the stand-in: the BOM comes back.
    let text = private_use_spelled_after(1000, Some('\u{f8ff}'));
    let start = thread_cpu();
    let v = Value::parse(&text, "spelled.yaml").unwrap();
    let cpu = thread_cpu() - start;
    assert!(cpu < Duration::from_secs(10), "{cpu:?} of CPU");
    let Value::Map(m) = &v else { panic!("{v:?}") };
    assert_eq!(m[0].1, Value::Str("x\u{feff}y".into()));
    let Value::Str(b) = &m[1].1 else {
        panic!("{v:?}")
    };
    assert_eq!(b.chars().count(), 6399);
    assert!(!b.contains('\u{feff}') && !b.contains('\u{f8ff}'));
}

/// The other ways a text rules candidates out, each in one pass: the
/// characters themselves, and their tag `%`-escapes (any case; here in a
/// comment, which rules them out as well), with many
/// BOMs past the first character (each read back as itself).
#[test]
fn yaml_many_boms_and_private_use_characters_are_linear() {
    use buildroot_core::content_resolver::yaml::Value;
    let held: String = ('\u{e000}'..='\u{f8fe}').collect();
    let percent: String = ('\u{e000}'..'\u{e100}')
        .map(|c| {
            let mut b = [0; 4];
            let s: String = c
                .encode_utf8(&mut b)
                .bytes()
                .map(|x| format!("%{x:02X}"))
                .collect();
            s
        })
        .collect();
    let boms = "\u{feff}x".repeat(200_000);
    let text = format!("a: \"{held}\"\nb: c # {percent}\nd: {boms}\n");
    let start = thread_cpu();
    let v = Value::parse(&text, "held.yaml").unwrap();
    let cpu = thread_cpu() - start;
    assert!(cpu < Duration::from_secs(20), "{cpu:?} of CPU");
    let Value::Map(m) = &v else { panic!("{v:?}") };
    assert_eq!(m[0].1, Value::Str(held.clone()));
    assert_eq!(m[2].1, Value::Str(boms));
    // Every one held, and a BOM: refused in one line.
    let e = Value::parse(&format!("a: \"{held}\u{f8ff}\"\nb: \u{feff}\n"), "all.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("private-use") && !e.contains('\n'), "{e}");
}
