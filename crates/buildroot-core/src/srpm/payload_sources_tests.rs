//! The streaming reader answers as the whole payload read into a map did,
//! and keeps no big file.

use std::collections::HashMap;
use std::path::Path;

use super::payload_sources::*;
use crate::srpm::{build_srpm, read_payload_files, SourceFile, SrpmSpec};

/// The answers of the reader this one replaces: every in-payload file read
/// into a map by base name (a later one of a name replacing the earlier),
/// nothing for an unreadable payload.
fn whole_payload(path: &Path) -> HashMap<String, Vec<u8>> {
    read_payload_files(path)
        .map(|v| {
            v.into_iter()
                .filter(|f| f.in_payload)
                .map(|f| (f.base_name().to_string(), f.data))
                .collect()
        })
        .unwrap_or_default()
}

/// A bound under which most files are big: the fixtures' too.
const SMALL: usize = 64;

/// Every name of the payload (and some not), each asked first of a new
/// reader (keeping files up to the real bound, and up to [`SMALL`]) and
/// then of one that has read the payload, answer as [`whole_payload`]
/// does, by bytes and by size.
fn assert_same_answers(path: &Path, extra: &[&str]) {
    let want = whole_payload(path);
    let mut names: Vec<String> = read_payload_files(path)
        .map(|v| v.iter().map(|f| f.base_name().to_string()).collect())
        .unwrap_or_default();
    names.extend(extra.iter().map(|s| s.to_string()));
    names.extend(["".into(), "none.inc".into()]);
    for (first, bound) in names
        .iter()
        .flat_map(|n| [(n, SMALL_SOURCE_FILE), (n, SMALL)])
    {
        let r = PayloadSources::keeping_up_to(path, bound);
        assert_eq!(r.read(first), want.get(first).cloned(), "{path:?} {first}");
        for name in &names {
            assert_eq!(r.read(name), want.get(name).cloned(), "{path:?} {name}");
            let size = want.get(name).map(|d| d.len() as u64);
            assert_eq!(r.size(name), size, "{path:?} {name}");
        }
        assert!(r.bytes_kept() <= want.values().map(Vec::len).sum::<usize>());
    }
    let r = PayloadSources::new(path);
    for name in &names {
        let size = want.get(name).map(|d| d.len() as u64);
        assert_eq!(r.size(name), size, "{path:?} {name}");
    }
}

fn file(name: &str, data: Vec<u8>) -> SourceFile {
    SourceFile {
        name: name.into(),
        data,
    }
}

/// An SRPM of `t` with these sources and left-out (`NoSource:`) files.
fn write_srpm(path: &Path, sources: Vec<SourceFile>, left_out: &[&str]) {
    let s = SrpmSpec {
        name: "t".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "t".into(),
        spec_name: "t.spec".into(),
        spec_text: "Name: t\nVersion: 1\nRelease: 1\n".into(),
        sources,
        left_out: left_out.iter().map(|s| s.to_string()).collect(),
        left_out_sizes: vec![7; left_out.len()],
        no_source: if left_out.is_empty() { vec![] } else { vec![9] },
        build_time: 1,
        ..Default::default()
    };
    std::fs::write(path, build_srpm(&s).unwrap()).unwrap();
}

/// Bytes that do not repeat within a window gzip could use.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn the_fixture_srpms_answer_as_their_whole_payload() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/repos");
    let mut stack = vec![root];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".src.rpm") {
                assert_same_answers(&p, &[]);
                seen += 1;
            }
        }
    }
    assert!(seen >= 40, "{seen} fixture SRPMs");
}

/// Small and big files (by a bound of [`SMALL`]), one at the bound and
/// one over it by a byte, an empty one,
/// a `NoSource:` one, two of one base name in either order of size: the
/// answers are the whole payload's, and only the small files are kept.
#[test]
fn big_files_are_answered_and_not_kept() {
    let t = tempfile::tempdir().unwrap();
    let over = SMALL + 1;
    let cases: Vec<(&str, Vec<SourceFile>, &[&str])> = vec![
        (
            "mixed",
            vec![
                file("a.tar", noise(3 * SMALL, 1)),
                file("b.inc", b"BuildRequires: b\n".to_vec()),
                file("c.edge", noise(SMALL, 2)),
                file("d.over", noise(over, 3)),
                file("e.empty", Vec::new()),
            ],
            &["f.nosrc.tar"],
        ),
        (
            "dup-small-last",
            vec![
                file("x/same", noise(over, 4)),
                file("y/same", b"small\n".to_vec()),
            ],
            &[],
        ),
        (
            "dup-big-last",
            vec![
                file("x/same", b"small\n".to_vec()),
                file("y/same", noise(over, 5)),
            ],
            &[],
        ),
    ];
    for (name, sources, left_out) in cases {
        let path = t.path().join(format!("{name}.src.rpm"));
        write_srpm(&path, sources, left_out);
        assert_same_answers(&path, left_out);
        let whole = whole_payload(&path);
        let small: usize = whole.values().map(Vec::len).filter(|&n| n <= SMALL).sum();
        // The biggest file asked for first: answered, and not kept.
        let (big, data) = whole.iter().max_by_key(|(_, d)| d.len()).unwrap();
        let r = PayloadSources::keeping_up_to(&path, SMALL);
        assert_eq!(r.read(big).as_ref(), Some(data), "{name}");
        assert_eq!(r.bytes_kept(), small, "{name}");
        assert_eq!(r.readable(), Some(true));
    }
}

/// A truncated or corrupt payload answers nothing, as the whole read did.
#[test]
fn a_broken_payload_answers_nothing() {
    let t = tempfile::tempdir().unwrap();
    let good = t.path().join("good.src.rpm");
    let small = b"%global x 1\n".to_vec();
    write_srpm(
        &good,
        vec![
            file("a.tar", noise(256 << 10, 6)),
            file("z.inc", small.clone()),
        ],
        &[],
    );
    let bytes = std::fs::read(&good).unwrap();
    let cut = t.path().join("cut.src.rpm");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    // Past its first KB, the gzip stream turns to 0xff: an invalid block.
    let gzip = bytes.windows(3).position(|w| w == [0x1f, 0x8b, 8]).unwrap();
    let mut garbled = bytes.clone();
    garbled[gzip + 1024..].fill(0xff);
    let bad = t.path().join("bad.src.rpm");
    std::fs::write(&bad, &garbled).unwrap();
    assert_eq!(PayloadSources::new(&good).read("z.inc"), Some(small));
    for p in [&cut, &bad] {
        assert!(whole_payload(p).is_empty(), "{p:?}");
        let r = PayloadSources::new(p);
        assert_eq!(r.read("z.inc"), None, "{p:?}");
        assert_eq!(r.size("a.tar"), None, "{p:?}");
        assert_eq!(r.readable(), Some(false), "{p:?}");
        assert_same_answers(p, &["z.inc", "a.tar"]);
    }
    let missing = PayloadSources::new(&t.path().join("missing.src.rpm"));
    assert_eq!(missing.read("z.inc"), None);
    assert_eq!(missing.readable(), Some(false));
}

/// A question about a big file's size (`%{exists:}`, `posix.stat`) is
/// answered from the first pass; its bytes cost a pass each time they are
/// asked for, a small file's none after the first.
#[test]
fn a_big_file_is_read_again_only_for_its_bytes() {
    use std::sync::atomic::Ordering::Relaxed;
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("t.src.rpm");
    let big = noise(SMALL_SOURCE_FILE + 1, 7);
    write_srpm(
        &path,
        vec![file("a.tar", big.clone()), file("b.inc", b"x".to_vec())],
        &[],
    );
    let r = PayloadSources::new(&path);
    assert_eq!(r.readable(), None);
    assert_eq!(r.size("a.tar"), Some(big.len() as u64));
    assert_eq!(r.size("b.inc"), Some(1));
    assert_eq!(r.read("b.inc"), Some(b"x".to_vec()));
    assert_eq!(r.passes.load(Relaxed), 1);
    assert_eq!(r.read("a.tar"), Some(big.clone()));
    assert_eq!(r.read("a.tar"), Some(big.clone()));
    assert_eq!(r.passes.load(Relaxed), 3);
    // Asked first, a big file comes from the first pass itself.
    let r = PayloadSources::new(&path);
    assert_eq!(r.read("a.tar"), Some(big));
    assert_eq!(r.passes.load(Relaxed), 1);
    let spec = "Name: t\nVersion: 1\nRelease: 1\n".len();
    assert_eq!(r.bytes_kept(), spec + 1);
}

/// An SRPM cut short after the first pass: the big file's own pass fails,
/// its answer is none, and the reader no longer calls the payload readable
/// (the SRPM cache then keeps none of its answers).
#[test]
fn a_later_pass_that_fails_makes_the_payload_unreadable() {
    let t = tempfile::tempdir().unwrap();
    let path = t.path().join("t.src.rpm");
    let big = noise(3 * SMALL, 8);
    write_srpm(
        &path,
        vec![file("a.tar", big.clone()), file("b.inc", b"x".to_vec())],
        &[],
    );
    let r = PayloadSources::keeping_up_to(&path, SMALL);
    assert_eq!(r.size("a.tar"), Some(big.len() as u64));
    assert_eq!(r.readable(), Some(true));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 100]).unwrap();
    assert_eq!(r.read("b.inc"), Some(b"x".to_vec()));
    assert_eq!(r.readable(), Some(true));
    assert_eq!(r.read("a.tar"), None);
    assert_eq!(r.readable(), Some(false));
}
