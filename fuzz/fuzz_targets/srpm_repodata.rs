//! An SRPM's header details (`read_header`, as create-srpm-repos and
//! buildroot-generator read them) written as repodata with our writer give
//! well-formed XML that our rpm-md reader reads back; the regeneration path
//! (`rebuild_srpm`, what create-srpm-repos does without rpmbuild) never
//! panics, and what it builds reads back with the same name and EVR.
#![no_main]
use std::io::Read;
use std::path::Path;

use buildroot_core::package::Package;
use buildroot_core::repodata::{write_repodata, WriteOptions};
use buildroot_core::rpmmd::{read_filelists, read_primary, read_repomd, MetaFile};
use buildroot_core::srpm::{read_header, rebuild_srpm};
use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;

/// Whether XML 1.0 has no such character, not even as a reference.
fn not_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `xml` is well-formed XML 1.0: every character allowed, every tag
/// closed, every reference known and to an allowed character, every
/// attribute value unescapable.
fn check_xml(kind: &str, xml: &str) {
    if let Some(c) = xml.chars().find(|&c| not_xml(c)) {
        panic!("{kind}: character {:?} not allowed in XML 1.0", c);
    }
    let mut r = quick_xml::Reader::from_str(xml);
    r.config_mut().check_end_names = true;
    let mut depth = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                depth += 1;
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("{kind}: bad attribute: {err}"));
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap_or_else(|err| panic!("{kind}: bad attribute value: {err}"));
                }
            }
            Ok(Event::Empty(e)) => {
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|err| panic!("{kind}: bad attribute: {err}"));
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap_or_else(|err| panic!("{kind}: bad attribute value: {err}"));
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::GeneralRef(e)) => {
                if e.is_char_ref() {
                    match e.resolve_char_ref() {
                        Ok(Some(c)) if !not_xml(c) => {}
                        other => panic!("{kind}: bad character reference: {other:?}"),
                    }
                } else {
                    let name: &str = &e;
                    assert!(
                        matches!(name, "amp" | "lt" | "gt" | "quot" | "apos"),
                        "{kind}: unknown entity &{name};"
                    );
                }
            }
            Ok(_) => {}
            Err(err) => panic!("{kind}: not XML at {}: {err}", r.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "{kind}: unclosed elements");
}

/// Writes `p`'s repodata into `dir`, checks every file is XML, and reads
/// primary and filelists back: one package of the same name and EVR, with
/// as many files as the details list.
fn check_repodata(dir: &Path, p: &Package) {
    let _ = std::fs::remove_dir_all(dir.join("repodata"));
    write_repodata(dir, std::slice::from_ref(p), &WriteOptions::default())
        .expect("repodata written");
    let repomd = read_repomd(dir).expect("repomd.xml read back");
    let mut primary = None;
    let mut filelists = None;
    for rec in &repomd.records {
        let mut f = MetaFile::open(&dir.join(&rec.href), None).expect("metadata file");
        let mut xml = String::new();
        f.reader
            .read_to_string(&mut xml)
            .expect("metadata is UTF-8");
        check_xml(&rec.kind, &xml);
        match rec.kind.as_str() {
            "primary" => primary = Some(xml),
            "filelists" => filelists = Some(xml),
            _ => {}
        }
    }
    let mut pkgs = read_primary(primary.expect("primary").as_bytes(), "primary")
        .expect("primary.xml read back");
    assert_eq!(pkgs.len(), 1, "one package in primary.xml");
    assert_eq!(pkgs[0].name, p.name);
    assert_eq!(pkgs[0].evr, p.evr);
    read_filelists(
        filelists.expect("filelists").as_bytes(),
        "filelists",
        &mut pkgs,
        None,
    )
    .expect("filelists.xml read back");
}

/// A one-thread rayon pool: reading primary.xml and filelists.xml back
/// on more threads, parser threads' thread-locals outlive their join, and
/// libFuzzer's leak check flags them (a false leak; the `primary` target
/// does the same).
static ONE_THREAD: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let one = ONE_THREAD.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool")
    });
    one.install(|| run(data));
});

/// One input: the SRPM's repodata, then its regeneration's.
fn run(data: &[u8]) {
    let dir = std::env::temp_dir().join(format!("fuzz-srpm-repodata-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("x.src.rpm");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(p) = read_header(&path) else { return };
    check_repodata(&dir, &p);
    // Regenerated for another arch with the same BuildRequires and
    // BuildConflicts.
    let ev = buildroot_core::spec::SpecEval {
        build_requires: p.requires.iter().map(|r| r.dep.clone()).collect(),
        build_conflicts_text: p.conflicts.iter().map(|d| d.to_string()).collect(),
        ..Default::default()
    };
    let Ok(bytes) = rebuild_srpm(&path, &ev, "aarch64") else {
        return;
    };
    let _ = std::fs::remove_file(&path);
    let again = dir.join("y.src.rpm");
    std::fs::write(&again, &bytes).expect("regenerated SRPM written");
    let q = read_header(&again).expect("regenerated SRPM read back");
    assert_eq!(q.name, p.name);
    assert_eq!(q.evr, p.evr);
    check_repodata(&dir, &q);
    let _ = std::fs::remove_file(&again);
}
