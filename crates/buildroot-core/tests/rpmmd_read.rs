//! rpm-md reading: codecs, checksums, filelists, errors that name the file.

use std::io::Write;
use std::path::Path;

use buildroot_core::dep::{Dep, SimpleDep};
use buildroot_core::rpmmd::{load_repo, sha256_file, Filelists, LoadOptions, RepoSpec};

const PRIMARY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>foo</name><arch>x86_64</arch><version epoch="1" ver="2.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</checksum>
  <summary>Foo &amp; bar</summary>
  <location href="Packages/f/foo-2.0-3.fc40.x86_64.rpm"/>
  <size package="1234" installed="1" archive="1"/>
  <format>
    <rpm:sourcerpm>foo-2.0-3.fc40.src.rpm</rpm:sourcerpm>
    <rpm:provides><rpm:entry name="foo" flags="EQ" epoch="1" ver="2.0" rel="3.fc40"/><rpm:entry name="libfoo.so.1()(64bit)"/></rpm:provides>
    <rpm:requires><rpm:entry name="bar" flags="GE" epoch="0" ver="1.2"/><rpm:entry name="/bin/sh" pre="1"/><rpm:entry name="(baz or qux &gt;= 2)"/></rpm:requires>
    <rpm:conflicts><rpm:entry name="oldfoo" flags="LT" ver="1"/></rpm:conflicts>
    <rpm:obsoletes><rpm:entry name="foo-legacy"/></rpm:obsoletes>
    <rpm:recommends><rpm:entry name="foo-doc"/></rpm:recommends>
    <rpm:suggests><rpm:entry name="foo-extras" flags="GE" ver="2"/></rpm:suggests>
    <rpm:supplements><rpm:entry name="(foo-base and langpacks-de)"/></rpm:supplements>
    <rpm:enhances><rpm:entry name="bar"/></rpm:enhances>
    <file>/usr/bin/foo</file>
  </format>
</package>
<package type="rpm">
  <name>foo</name><arch>src</arch><version epoch="0" ver="2.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</checksum>
  <location href="foo-2.0-3.fc40.src.rpm"/>
  <format><rpm:sourcerpm/><rpm:requires><rpm:entry name="gcc"/><rpm:entry name="/usr/share/data/x"/></rpm:requires></format>
</package>
</metadata>"#;

const FILELISTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" name="foo" arch="x86_64"><version epoch="1" ver="2.0" rel="3.fc40"/>
  <file>/usr/bin/foo</file><file>/usr/share/data/x</file><file>/usr/share/doc/foo/README</file></package>
<package pkgid="bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" name="foo" arch="src"><version epoch="0" ver="2.0" rel="3.fc40"/></package>
</filelists>"#;

fn compress(codec: &str, data: &[u8]) -> Vec<u8> {
    match codec {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "zst" => zstd::encode_all(data, 3).unwrap(),
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        _ => data.to_vec(),
    }
}

/// Writes a repo with the given codec; returns the repo dir.
fn write_repo(dir: &Path, codec: &str, primary: &[u8], filelists: &[u8]) {
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    let ext = if codec.is_empty() {
        String::new()
    } else {
        format!(".{codec}")
    };
    let mut data = String::new();
    for (kind, body) in [("primary", primary), ("filelists", filelists)] {
        let name = format!("{kind}.xml{ext}");
        std::fs::write(rd.join(&name), compress(codec, body)).unwrap();
        let sum = sha256_file(&rd.join(&name)).unwrap();
        data.push_str(&format!(
            "<data type=\"{kind}\"><checksum type=\"sha256\">{sum}</checksum><location href=\"repodata/{name}\"/></data>\n"
        ));
    }
    std::fs::write(
        rd.join("repomd.xml"),
        format!("<?xml version=\"1.0\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>1</revision>\n{data}</repomd>\n"),
    )
    .unwrap();
}

fn load(
    dir: &Path,
    filelists: Filelists,
) -> buildroot_core::Result<buildroot_core::rpmmd::LoadedRepo> {
    let spec = RepoSpec::new("t", dir.to_str().unwrap());
    let opts = LoadOptions {
        filelists,
        cache_dir: None,
    };
    let r = load_repo(&spec, &opts);
    // The streaming load into a pool reads the same and fails the same way.
    let p = buildroot_core::pool::Pool::load("x86_64", &[spec], &opts);
    match (&r, &p) {
        (Ok(r), Ok(p)) => {
            assert_eq!(p.len(), r.packages.len());
            for (i, id) in p.ids().enumerate() {
                assert_eq!(&p.package(id), &r.packages[i]);
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("load_repo and Pool::load disagree: {r:?} / {:?}", p.is_ok()),
    }
    r
}

#[test]
fn reads_every_codec_and_field() {
    for codec in ["", "gz", "zst", "xz", "bz2"] {
        let t = tempfile::tempdir().unwrap();
        write_repo(t.path(), codec, PRIMARY.as_bytes(), FILELISTS.as_bytes());
        let repo = load(t.path(), Filelists::Needed).unwrap();
        assert_eq!(repo.packages.len(), 2, "{codec}");
        let foo = &repo.packages[0];
        assert_eq!(foo.nevra().to_string(), "foo-1:2.0-3.fc40.x86_64");
        assert_eq!(foo.summary, "Foo & bar");
        assert_eq!(foo.source_name(), "foo");
        assert_eq!(foo.provides.len(), 2);
        assert_eq!(foo.requires[0].dep.to_string(), "bar >= 1.2");
        assert!(foo.requires[1].pre);
        assert_eq!(
            foo.requires[2].dep,
            Dep::parse("(baz or qux >= 2)").unwrap()
        );
        assert_eq!(foo.conflicts[0].to_string(), "oldfoo < 1");
        assert_eq!(foo.obsoletes[0].name, "foo-legacy");
        assert_eq!(foo.recommends[0].to_string(), "foo-doc");
        assert_eq!(foo.suggests[0].to_string(), "foo-extras >= 2");
        assert_eq!(
            foo.supplements[0],
            Dep::parse("(foo-base and langpacks-de)").unwrap()
        );
        assert_eq!(foo.enhances[0].to_string(), "bar");
        assert_eq!(foo.location, "Packages/f/foo-2.0-3.fc40.x86_64.rpm");
        assert_eq!(foo.size, 1234);
        // Needed filelists: only the path the source's BuildRequires names.
        assert_eq!(foo.files, vec!["/usr/bin/foo", "/usr/share/data/x"]);
        let src = &repo.packages[1];
        assert!(src.is_source());
        assert_eq!(src.requires.len(), 2);
    }
}

#[test]
fn filelists_modes() {
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "gz", PRIMARY.as_bytes(), FILELISTS.as_bytes());
    assert_eq!(
        load(t.path(), Filelists::All).unwrap().packages[0]
            .files
            .len(),
        3
    );
    assert_eq!(
        load(t.path(), Filelists::PrimaryOnly).unwrap().packages[0]
            .files
            .len(),
        1
    );
}

#[test]
fn checksum_mismatch_names_file_and_sums() {
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "gz", PRIMARY.as_bytes(), FILELISTS.as_bytes());
    let p = t.path().join("repodata/primary.xml.gz");
    std::fs::write(&p, compress("gz", PRIMARY.replace("Foo", "Fox").as_bytes())).unwrap();
    let e = load(t.path(), Filelists::Needed).unwrap_err().to_string();
    assert!(
        e.contains("primary.xml.gz: checksum mismatch: repomd.xml says sha256"),
        "{e}"
    );
}

/// Checksum digits are compared as written, as librepo compares them
/// (`strcmp`): an upper-case `<checksum>` fails, as it fails dnf, and the
/// line says why (createrepo_c writes lower case).
#[test]
fn an_upper_case_checksum_fails_as_in_dnf_and_says_why() {
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "gz", PRIMARY.as_bytes(), FILELISTS.as_bytes());
    let repomd = t.path().join("repodata/repomd.xml");
    let sum = sha256_file(&t.path().join("repodata/primary.xml.gz")).unwrap();
    let text = std::fs::read_to_string(&repomd).unwrap();
    std::fs::write(&repomd, text.replace(&sum, &sum.to_ascii_uppercase())).unwrap();
    let e = load(t.path(), Filelists::Needed).unwrap_err().to_string();
    assert!(
        e.ends_with(&format!(
            "primary.xml.gz: checksum mismatch: repomd.xml says sha256 {}, file has {sum} \
             (the same digits in upper case: checksums are compared as written, as dnf \
             compares them, and createrepo_c writes lower case)",
            sum.to_ascii_uppercase()
        )),
        "{e}"
    );
}

#[test]
fn truncated_archives_and_bad_xml_are_one_line_errors() {
    for codec in ["gz", "zst", "xz", "bz2"] {
        let t = tempfile::tempdir().unwrap();
        write_repo(t.path(), codec, PRIMARY.as_bytes(), FILELISTS.as_bytes());
        let p = t.path().join(format!("repodata/primary.xml.{codec}"));
        let full = std::fs::read(&p).unwrap();
        std::fs::write(&p, &full[..full.len() / 2]).unwrap();
        let e = load(t.path(), Filelists::PrimaryOnly)
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("primary.xml.{codec}")), "{codec}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
    let t = tempfile::tempdir().unwrap();
    write_repo(
        t.path(),
        "",
        b"<metadata><package><name>x</nam></package></metadata>",
        FILELISTS.as_bytes(),
    );
    let e = load(t.path(), Filelists::PrimaryOnly)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("primary.xml") && e.contains("malformed XML"),
        "{e}"
    );
}

#[test]
fn missing_files_are_named() {
    let t = tempfile::tempdir().unwrap();
    let e = load(&t.path().join("nope"), Filelists::Needed)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("nope: repository directory does not exist"),
        "{e}"
    );
    let e = load(t.path(), Filelists::Needed).unwrap_err().to_string();
    assert!(e.contains("not an rpm-md repository"), "{e}");
    write_repo(t.path(), "gz", PRIMARY.as_bytes(), FILELISTS.as_bytes());
    std::fs::remove_file(t.path().join("repodata/primary.xml.gz")).unwrap();
    let e = load(t.path(), Filelists::Needed).unwrap_err().to_string();
    assert!(
        e.contains("primary.xml.gz: listed in repomd.xml but missing"),
        "{e}"
    );
}

#[test]
fn parallel_chunked_parse_equals_sequential() {
    use buildroot_core::rpmmd::{read_primary, read_primary_chunked};
    let body: String = (0..500)
        .map(|i| {
            PRIMARY
                .split("<package type=\"rpm\">")
                .nth(1)
                .unwrap()
                .split("</package>")
                .next()
                .unwrap()
                .replace("<name>foo</name>", &format!("<name>foo{i}</name>"))
        })
        .map(|p| format!("<package type=\"rpm\">{p}</package>\n"))
        .collect();
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<metadata xmlns:rpm=\"x\" packages=\"500\">\n{body}</metadata>\n"
    );
    let seq = read_primary(xml.as_bytes(), "t").unwrap();
    for chunk in [100, 4096, 1 << 20] {
        let par = read_primary_chunked(xml.as_bytes(), "t", chunk).unwrap();
        assert_eq!(par, seq, "chunk {chunk}");
    }
    assert_eq!(seq.len(), 500);
    // A bad end tag in a later chunk is still caught, with the file offset.
    let bad = xml.replace("<name>foo400</name>", "<name>foo400</nam>");
    let e = read_primary_chunked(bad.as_bytes(), "t", 4096)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("t: malformed XML at byte"), "{e}");
}

/// A chunk keeps each distinct dependency once and looks recurring
/// `rpm:entry` attributes up by their text: what is read must not depend on
/// that (pre flags, attribute order, lists, rich dependencies, entities).
#[test]
fn recurring_entries_read_as_written() {
    use buildroot_core::rpmmd::read_primary;
    let pkg = |name: &str, lists: &str| {
        format!(
            "<package type=\"rpm\"><name>{name}</name><arch>noarch</arch>\
             <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>{lists}</format></package>\n"
        )
    };
    let same = "<rpm:entry name=\"bar\" flags=\"GE\" epoch=\"0\" ver=\"1.2\"/>";
    let reordered = "<rpm:entry ver=\"1.2\" flags=\"GE\" name=\"bar\" epoch=\"0\"/>";
    let pre = "<rpm:entry name=\"bar\" flags=\"GE\" epoch=\"0\" ver=\"1.2\" pre=\"1\"/>";
    let rich = "<rpm:entry name=\"(a &gt;= 1 or b)\"/>";
    let body = [
        pkg("p1", &format!("<rpm:requires>{same}{rich}</rpm:requires>")),
        pkg(
            "p2",
            &format!(
                "<rpm:requires>{pre}{same}</rpm:requires><rpm:conflicts>{same}</rpm:conflicts>"
            ),
        ),
        pkg(
            "p3",
            &format!(
                "<rpm:requires>{reordered}</rpm:requires><rpm:recommends>{rich}</rpm:recommends>"
            ),
        ),
    ]
    .concat();
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"3\">{body}</metadata>");
    let pkgs = read_primary(xml.as_bytes(), "t").unwrap();
    let bar = Dep::parse("bar >= 1.2").unwrap();
    let r = |i: usize| -> Vec<(String, bool)> {
        pkgs[i]
            .requires
            .iter()
            .map(|q| (q.dep.to_string(), q.pre))
            .collect()
    };
    assert_eq!(
        r(0),
        vec![
            ("bar >= 1.2".into(), false),
            ("(a >= 1 or b)".into(), false)
        ]
    );
    assert_eq!(
        r(1),
        vec![("bar >= 1.2".into(), true), ("bar >= 1.2".into(), false)]
    );
    assert_eq!(pkgs[1].conflicts, vec![bar.clone()]);
    assert_eq!(pkgs[2].requires[0].dep, bar);
    assert_eq!(pkgs[2].recommends[0].to_string(), "(a >= 1 or b)");
    // A rich dependency first read in requires is a provide, as its text,
    // in provides.
    let rich_provide = xml.replace(
        "<rpm:recommends>",
        &format!("<rpm:provides>{rich}</rpm:provides><rpm:recommends>"),
    );
    let pkgs2 = read_primary(rich_provide.as_bytes(), "t").unwrap();
    assert_eq!(pkgs2[2].provides, [SimpleDep::name("(a >= 1 or b)")]);
    // The declared package count is a hint: a bad one is no error.
    for attrs in ["packages=\"many\"", "packages=3"] {
        let odd = xml.replace("packages=\"3\"", attrs);
        assert_eq!(read_primary(odd.as_bytes(), "t").unwrap(), pkgs, "{attrs}");
    }
}

#[test]
fn package_checksums_are_read_as_libsolv_reads_them() {
    use buildroot_core::rpmmd::read_primary;
    let (h40, h64) = ("a".repeat(40), "b".repeat(64));
    let read = |sums: &[&str]| {
        let body: String = sums
            .iter()
            .enumerate()
            .map(|(i, sum)| {
                format!(
                    "<package type=\"rpm\"><name>p{i}</name><arch>noarch</arch>\
                     <version epoch=\"0\" ver=\"1\" rel=\"1\"/>{sum}</package>\n"
                )
            })
            .collect();
        let xml = format!("<metadata xmlns:rpm=\"x\">{body}</metadata>");
        read_primary(xml.as_bytes(), "t")
    };
    let pkgs = read(&[
        &format!("<checksum type=\"sha\" pkgid=\"YES\">{h40}</checksum>"),
        &format!("<checksum type=\"SHA256\"> {h64}\n</checksum>"),
    ])
    .unwrap();
    let sums: Vec<_> = pkgs.iter().map(|p| p.checksum.as_deref()).collect();
    assert_eq!(sums, [Some(h40.as_str()), Some(&h64)], "{sums:?}");
    // What fails libsolv's reader, and so dnf's load of the repo: a type
    // it cannot read (64 hex digits of sha3-256 are no sha256), a hex not
    // of its type's length, no type at all.
    for (sum, want) in [
        (
            format!("<checksum type=\"sha3-256\">{h64}</checksum>"),
            "t: unknown package checksum type 'sha3-256' (at byte ",
        ),
        (
            format!("<checksum type=\"sha256\">{h40}</checksum>"),
            "t: invalid sha256 package checksum 'aaaa",
        ),
        (
            format!("<checksum type=\"sha256\">{}</checksum>", "g".repeat(64)),
            "t: invalid sha256 package checksum 'gggg",
        ),
        (
            format!("<checksum>{h64}</checksum>"),
            "t: package checksum without a type (at byte ",
        ),
    ] {
        let e = read(&[&sum]).unwrap_err().to_string();
        assert!(e.starts_with(want), "{sum}: {e}");
    }
}

/// Loading interns each chunk's values on the parsing threads against the
/// pool's tables while it is built; the pool must be the one built from the
/// same packages in one go, also when the repo spans many chunks and
/// declares a wrong package count.
#[test]
fn pool_load_equals_pool_from_packages() {
    use buildroot_core::pool::Pool;
    use buildroot_core::rpmmd::load_repos;
    let mut body = String::new();
    for i in 0..6000 {
        let dep = i % 97;
        body.push_str(&format!(
            "<package type=\"rpm\"><name>p{i}</name><arch>x86_64</arch>\
             <version epoch=\"{e}\" ver=\"1.{v}\" rel=\"{r}\"/><location href=\"p{i}.rpm\"/>\
             <format><rpm:sourcerpm>s{s}-1.{v}-1.src.rpm</rpm:sourcerpm>\
             <rpm:provides><rpm:entry name=\"cap{dep}\" flags=\"EQ\" epoch=\"0\" ver=\"{dep}\"/>\
             <rpm:entry name=\"cap{dep}\" flags=\"EQ\" epoch=\"0\" ver=\"{dep}\"/></rpm:provides>\
             <rpm:requires><rpm:entry name=\"cap{d2}\" flags=\"GE\" epoch=\"0\" ver=\"{d2}\"/>\
             <rpm:entry name=\"(cap{dep} or p{j})\"/><rpm:entry name=\"/usr/bin/t{dep}\"/></rpm:requires>\
             </format></package>\n",
            e = i % 3,
            v = i % 13,
            r = i % 7,
            s = i / 4,
            d2 = (i * 7) % 101,
            j = (i * 31) % 6000,
        ));
    }
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"17\">{body}</metadata>");
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "zst", xml.as_bytes(), FILELISTS.as_bytes());
    let spec = RepoSpec::new("r", t.path().to_str().unwrap());
    let opts = LoadOptions::default();
    let loaded = Pool::load("x86_64", std::slice::from_ref(&spec), &opts).unwrap();
    let built = Pool::new("x86_64", load_repos(&[spec], &opts).unwrap()).unwrap();
    assert_eq!(loaded.len(), 6000);
    assert!(xml.len() > 2 << 20, "several chunks: {} bytes", xml.len());
    for i in 0..loaded.len() {
        let id = buildroot_core::pool::PkgId::from_usize(i);
        assert_eq!(loaded.package(id), built.package(id), "package {i}");
    }
    for dep in [
        "cap5 = 5",
        "cap5 > 4",
        "p17",
        "(cap3 or p9)",
        "/usr/bin/t5",
        "nothing",
    ] {
        let d = Dep::parse(dep).unwrap();
        assert_eq!(loaded.whatprovides(&d), built.whatprovides(&d), "{dep}");
    }
    assert_eq!(loaded.binaries_named("p42"), built.binaries_named("p42"));
}

#[test]
fn filelists_are_left_unread_when_primary_lists_every_named_path() {
    // Only primary's subset of paths named (/bin/sh, /usr/bin/...): the
    // filelists need not exist, as dnf5 never opens them then.
    let only_primary_paths = PRIMARY.replace("/usr/share/data/x", "/usr/bin/foo");
    let t = tempfile::tempdir().unwrap();
    write_repo(
        t.path(),
        "gz",
        only_primary_paths.as_bytes(),
        FILELISTS.as_bytes(),
    );
    std::fs::remove_file(t.path().join("repodata/filelists.xml.gz")).unwrap();
    let repo = load(t.path(), Filelists::Needed).unwrap();
    assert_eq!(repo.packages[0].files, vec!["/usr/bin/foo"]);
    // A path outside it: the filelists are read, and must be there.
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "gz", PRIMARY.as_bytes(), FILELISTS.as_bytes());
    std::fs::remove_file(t.path().join("repodata/filelists.xml.gz")).unwrap();
    let e = load(t.path(), Filelists::Needed).unwrap_err().to_string();
    assert!(
        e.contains("filelists.xml.gz: listed in repomd.xml but missing"),
        "{e}"
    );
}

/// A filelists.xml of `n` packages (every third matched by name, arch and
/// EVR rather than pkgid) with entities, CDATA, directories and files of
/// primary's subset; the keys of its packages.
fn many_filelists(n: usize) -> (String, Vec<(String, String, buildroot_core::evr::Evr)>) {
    let mut xml = format!(
        "<?xml version=\"1.0\"?>\n<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"{n}\">\n"
    );
    let mut keys = Vec::new();
    for i in 0..n {
        let id = if i % 3 == 0 {
            "unknown".to_string()
        } else {
            format!("id{i}")
        };
        xml.push_str(&format!(
            "<package pkgid=\"{id}\" name=\"p{i}\" arch=\"x86_64\">\n  <version epoch=\"{}\" ver=\"1.{i}\" rel=\"1\"/>\n  \
             <file>/usr/share/p{i}/a</file>\n  <file type=\"dir\">/usr/share/p{i}</file>\n  \
             <file>/usr/share/p{i}/b&amp;c</file>\n  <file><![CDATA[/usr/share/p{i}/<d>]]></file>\n  \
             <file>/usr/bin/p{i}</file>\n</package>\n",
            i % 2
        ));
        keys.push((
            format!("id{i}"),
            format!("p{i}"),
            buildroot_core::evr::Evr::new((i % 2) as u32, format!("1.{i}"), Some("1")),
        ));
    }
    xml.push_str("</filelists>\n");
    (xml, keys)
}

#[test]
fn chunked_filelists_equal_one_chunk() {
    use buildroot_core::rpmmd::{read_filelists_chunked, FileKey};
    let (xml, owned) = many_filelists(300);
    let keys: Vec<FileKey> = owned
        .iter()
        .map(|(id, name, evr)| FileKey {
            checksum: Some(id),
            name,
            arch: "x86_64",
            evr,
        })
        .collect();
    let keep = |p: &str| !p.ends_with("/a");
    let whole = read_filelists_chunked(xml.as_bytes(), "t", &keys, &keep, 1 << 20).unwrap();
    // Decoded, directories kept, primary's subset and unwanted paths left out.
    assert_eq!(
        &whole[..3],
        &[
            (0, "/usr/share/p0".to_string()),
            (0, "/usr/share/p0/b&c".to_string()),
            (0, "/usr/share/p0/<d>".to_string())
        ]
    );
    assert_eq!(whole.len(), 900);
    for chunk in [1, 100, 4096] {
        let got = read_filelists_chunked(xml.as_bytes(), "t", &keys, &keep, chunk).unwrap();
        assert_eq!(got, whole, "chunk {chunk}");
    }
    // A malformed package late in the file: the same message, at the same
    // byte, however the file was cut.
    let bad = xml.replace("<file>/usr/bin/p250</file>", "<file>/usr/bin/p250</fil>");
    let want = read_filelists_chunked(bad.as_bytes(), "t", &keys, &keep, 1 << 20)
        .unwrap_err()
        .to_string();
    assert!(
        want.contains("malformed XML at byte") && want.contains("</fil>"),
        "{want}"
    );
    for chunk in [1, 100, 4096] {
        let e = read_filelists_chunked(bad.as_bytes(), "t", &keys, &keep, chunk).unwrap_err();
        assert_eq!(e.to_string(), want, "chunk {chunk}");
    }
    // A package whose end tag is missing: found whether or not the next
    // package starts in another chunk.
    let unclosed = xml.replace(
        "<file>/usr/bin/p250</file>\n</package>",
        "<file>/usr/bin/p250</file>\n",
    );
    for chunk in [1, 100, 4096, 1 << 20] {
        let e = read_filelists_chunked(unclosed.as_bytes(), "t", &keys, &keep, chunk)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("malformed XML") || e.contains("end of file inside <package>"),
            "chunk {chunk}: {e}"
        );
    }
    // Not a filelists.xml, however long.
    let primary = format!("<metadata>{}</metadata>", "<package></package>".repeat(100));
    for chunk in [1, 1 << 20] {
        let e = read_filelists_chunked(primary.as_bytes(), "t", &keys, &keep, chunk)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "t: not a filelists.xml (root element <metadata>) (at byte 10)"
        );
    }
    let e = read_filelists_chunked(&b"<?xml version=\"1.0\"?>\n"[..], "t", &keys, &keep, 100)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "t: not a filelists.xml (no <filelists> element)");
}

/// A primary.xml of one x86_64 package, `p-1-1`, whose requires are
/// `entries` (`<rpm:entry .../>` elements).
fn one_package_requiring(entries: &str) -> String {
    format!(
        "<metadata xmlns:rpm=\"x\" packages=\"1\"><package type=\"rpm\"><name>p</name>\
         <arch>x86_64</arch><version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>\
         <rpm:requires>{entries}</rpm:requires></format></package></metadata>"
    )
}

/// A rich requirement libsolv's rich parser cannot read (createrepo_c lists
/// `(a or foo(bar)` as rpm wrote it for `(a or foo(bar )`) is dropped, as
/// libsolv's repo_rpmmd drops it: the package reads with its other
/// requirements. So it is in a list of what a package is. So is one
/// followed by a blank, `(a or b) `: libsolv reads nothing after the
/// closing parenthesis (rpmmd2solv drops it).
#[test]
fn an_unreadable_rich_requirement_is_dropped_as_libsolv_drops_it() {
    use buildroot_core::rpmmd::read_primary;
    let entry = "<rpm:entry name=\"(a or foo(bar)\"/><rpm:entry name=\"c\"/>\
                 <rpm:entry name=\"(a or b) \"/>";
    let xml = format!(
        "<metadata xmlns:rpm=\"x\" packages=\"1\"><package type=\"rpm\"><name>p</name>\
         <arch>src</arch><version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>\
         <rpm:requires>{entry}</rpm:requires><rpm:recommends>{entry}</rpm:recommends>\
         </format></package></metadata>"
    );
    let pkgs = read_primary(xml.as_bytes(), "t").unwrap();
    let reqs: Vec<String> = pkgs[0].requires.iter().map(|q| q.dep.to_string()).collect();
    assert_eq!(reqs, ["c"]);
    assert_eq!(pkgs[0].recommends, [Dep::parse("c").unwrap()]);
    let provides = xml.replace("rpm:recommends", "rpm:provides");
    let pkgs = read_primary(provides.as_bytes(), "t").unwrap();
    assert_eq!(
        pkgs[0].provides,
        [Dep::parse("c").unwrap().as_simple().unwrap().clone()]
    );
}

/// Rich forms rpm refuses but libsolv reads (a chained `if`, `without` or
/// `else`, the `<=>` operator) are requirements as libsolv reads them,
/// not dropped (checked with rpmmd2solv: `a IF (b IF c)`, `a - b - c`,
/// `a <=> b`, `a IF b ELSE (c ELSE d)`).
#[test]
fn rich_forms_only_libsolv_reads_are_kept() {
    use buildroot_core::rpmmd::read_primary;
    let entries: String = [
        "(a if b if c)",
        "(a without b without c)",
        "(a &lt;=&gt; b)",
        "(a if b else c else d)",
    ]
    .iter()
    .map(|n| format!("<rpm:entry name=\"{n}\"/>"))
    .collect();
    let pkgs = read_primary(one_package_requiring(&entries).as_bytes(), "t").unwrap();
    let reqs: Vec<Dep> = pkgs[0].requires.iter().map(|q| q.dep.clone()).collect();
    let p = |s: &str| Dep::parse(s).unwrap();
    assert_eq!(
        reqs,
        [
            p("(a if (b if c))"),
            p("(a without (b without c))"),
            p("a"),
            p("(a if b else (c else d))")
        ]
    );
}

/// `pre` marks a requirement as libsolv's repo_rpmmd marks it: when the
/// attribute's value begins with `1` (createrepo_c writes `pre="1"`), so
/// `pre="true"` or `pre="0"` is no pre-requirement.
#[test]
fn pre_is_read_as_libsolv_reads_it() {
    use buildroot_core::rpmmd::read_primary;
    let entries: String = ["1", "10", "true", "0", ""]
        .iter()
        .enumerate()
        .map(|(i, v)| format!("<rpm:entry name=\"r{i}\" pre=\"{v}\"/>"))
        .collect();
    let pkgs = read_primary(one_package_requiring(&entries).as_bytes(), "t").unwrap();
    let pre: Vec<bool> = pkgs[0].requires.iter().map(|r| r.pre).collect();
    assert_eq!(pre, [true, true, false, false, false]);
}

/// A rich provide or obsolete (`<rpm:entry name="(x and y)"/>` in
/// provides): the repo is read, as libsolv reads it. The package holds it
/// as its text; the pool lists the provide under its leftmost name, where
/// it meets unversioned requirements only (checked with rpmmd2solv and
/// testsolv: `x` is met by it, `x >= 1`, `y`, `z >= 1` and `w` are not); a
/// rich form that reads as a simple dependency, `(v >= 2)`, is one. The
/// pool cache gives back the same pool.
#[test]
fn rich_provides_and_obsoletes_are_read_as_libsolv_reads_them() {
    use buildroot_core::pool::{PkgId, Pool};
    let pkg = |name: &str, lists: &str| {
        format!(
            "<package type=\"rpm\"><name>{name}</name><arch>noarch</arch>\
             <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>{lists}</format></package>\n"
        )
    };
    let e = |n: &str| format!("<rpm:entry name=\"{n}\"/>");
    let body = [
        pkg(
            "A",
            &format!(
                "<rpm:provides>{}{}{}</rpm:provides>",
                e("(x and y)"),
                e("(x and y)"),
                e("(v &gt;= 2)")
            ),
        ),
        pkg(
            "B",
            &format!(
                "<rpm:requires>{}</rpm:requires><rpm:provides>{}</rpm:provides>",
                e("(z &gt;= 2 or w)"),
                e("(z &gt;= 2 or w)")
            ),
        ),
        pkg(
            "O",
            &format!("<rpm:obsoletes>{}</rpm:obsoletes>", e("(p or q)")),
        ),
        pkg("p", ""),
    ]
    .concat();
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"4\">{body}</metadata>");
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "", xml.as_bytes(), FILELISTS.as_bytes());
    let repo = load(t.path(), Filelists::PrimaryOnly).unwrap();
    let texts = |l: &[SimpleDep]| l.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    let p = &repo.packages;
    assert_eq!(texts(&p[0].provides), ["(x and y)", "(x and y)", "v >= 2"]);
    assert_eq!(texts(&p[1].provides), ["(z >= 2 or w)"]);
    assert_eq!(texts(&p[2].obsoletes), ["(p or q)"]);
    let spec = RepoSpec::new("t", t.path().to_str().unwrap());
    let cache = t.path().join("cache");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        ..LoadOptions::cached_in(&cache)
    };
    let parsed = Pool::load("x86_64", std::slice::from_ref(&spec), &opts).unwrap();
    let cached = Pool::load("x86_64", std::slice::from_ref(&spec), &opts).unwrap();
    assert!(!parsed.from_cache() && cached.from_cache());
    let built = Pool::new("x86_64", vec![repo.clone()]).unwrap();
    let names = |pool: &Pool, dep: &str| -> Vec<String> {
        let ids = pool.whatprovides(&Dep::parse(dep).unwrap());
        ids.iter().map(|&i| pool.name_of(i).to_string()).collect()
    };
    for pool in [&parsed, &cached, &built] {
        for (i, want) in p.iter().enumerate() {
            assert_eq!(&pool.package(PkgId::from_usize(i)), want);
        }
        assert_eq!(names(pool, "x"), ["A"]);
        assert_eq!(names(pool, "z"), ["B"]);
        assert_eq!(names(pool, "v >= 3"), ["A"]);
        for none in ["x >= 1", "x = 1-1", "y", "z >= 1", "w"] {
            assert_eq!(names(pool, none), [""; 0], "{none}");
        }
        // Whatprovides of the rich dependency itself: its operands'.
        assert_eq!(names(pool, "(z or x)"), ["A", "B"]);
    }
}

/// Blanks inside a stored rich dependency are spaces only, as libsolv's
/// `pool_parserpmrichdep` takes them: a tab, line feed or carriage return
/// (written as a character reference: the XML parser makes a literal one
/// in an attribute a space) is part of a name, so `(c<TAB>or d)` reads
/// nothing and is dropped, `(e<TAB>or<TAB>f)` is the simple name
/// `e<TAB>or<TAB>f`, and `(m or n<TAB>)` names `n<TAB>`; an operator must
/// be followed by a space (`(k or(l))` is dropped). All checked with
/// rpmmd2solv.
#[test]
fn rich_dependency_blanks_are_spaces_as_libsolv_reads_them() {
    use buildroot_core::rpmmd::read_primary;
    let entries: String = [
        "(a\tor b)",
        "(c&#9;or d)",
        "(e&#9;or&#9;f)",
        "(g or&#10;h)",
        "(i\nor j)",
        "(k or(l))",
        "(m or n&#9;)",
        "(o&#13;or p)",
        "plain&#9;x",
    ]
    .iter()
    .map(|n| format!("<rpm:entry name=\"{n}\"/>"))
    .collect();
    let pkgs = read_primary(one_package_requiring(&entries).as_bytes(), "t").unwrap();
    let reqs: Vec<Dep> = pkgs[0].requires.iter().map(|q| q.dep.clone()).collect();
    let or = |a: &str, b: &str| Dep::Or(vec![Dep::name(a), Dep::name(b)]);
    assert_eq!(
        reqs,
        [
            or("a", "b"),
            Dep::name("e\tor\tf"),
            or("i", "j"),
            or("m", "n\t"),
            Dep::name("plain\tx"),
        ]
    );
}

/// Odd but well-formed primary.xml, read as libsolv's repo_rpmmd reads it
/// (each checked with rpmmd2solv): elements by their names as written
/// (`rpm:provides`, `rpm:entry`; `provides`, `x:requires`, `rpm:name` are
/// skipped with what they hold), a list holds entries only, a list given
/// twice is its last one (an empty one too), an entry without a name is
/// skipped and `name=""` names the empty name, `kind="patch"` prefixes the
/// name, a package without `<arch>` is noarch, a file path not starting
/// with `/` is in `/` (in filelists.xml too), and an epoch that is no
/// number is part of the version (filelists.xml's too). A `<package>`
/// with a `pkgid` attribute is dropped (libsolv adds it to the package of
/// that checksum, and there is none). Flags other than the five
/// comparisons: `flags_libsolv_does_not_know_are_kept_as_libsolv_keeps_them`.
#[test]
fn odd_primary_constructs_are_read_as_libsolv_reads_them() {
    let v = "<version epoch=\"0\" ver=\"1\" rel=\"1\"/>";
    let body = [
        format!(
            "<package type=\"rpm\"><name>a</name><arch>noarch</arch>{v}<format>\
             <provides><rpm:entry name=\"no1\"/></provides>\
             <rpm:provides><entry name=\"no2\"/><rpm:entry name=\"p1\"/><name>no3</name>\
             <rpm:requires><rpm:entry name=\"no4\"/></rpm:requires></rpm:provides>\
             <x:requires xmlns:x=\"y\"><x:entry name=\"no5\"/></x:requires><rpm:name>no6</rpm:name>\
             <rpm:requires><rpm:entry flags=\"GE\" ver=\"1\"/><rpm:entry name=\"\"/>\
             <rpm:entry name=\"k\" kind=\"patch\"/><rpm:entry name=\"(q or r)\" kind=\"package\"/>\
             </rpm:requires>\
             <rpm:conflicts><rpm:entry name=\"c1\"/></rpm:conflicts><rpm:conflicts/>\
             <rpm:obsoletes><rpm:entry name=\"o1\"/></rpm:obsoletes>\
             <rpm:obsoletes><rpm:entry name=\"o2\"/></rpm:obsoletes>\
             <file>relative/x</file><file>noslash</file><file>/usr/bin/a</file>\
             </format></package>\n"
        ),
        "<package type=\"rpm\"><name>b</name><version epoch=\"x\" ver=\"1\" rel=\"1\"/></package>\n"
            .to_string(),
        format!("<package type=\"rpm\" pkgid=\"ab\"><name>c</name><arch>noarch</arch>{v}</package>"),
    ]
    .concat();
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"2\">{body}</metadata>");
    let filelists = "<filelists packages=\"2\">\
        <package pkgid=\"none\" name=\"a\" arch=\"noarch\"><version epoch=\"0\" ver=\"1\" rel=\"1\"/>\
        <file>rel/y</file></package>\
        <package pkgid=\"none\" name=\"b\" arch=\"noarch\"><version epoch=\"x\" ver=\"1\" rel=\"1\"/>\
        <file>/usr/b</file></package></filelists>";
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "", xml.as_bytes(), filelists.as_bytes());
    let all = load(t.path(), Filelists::All).unwrap().packages;
    assert_eq!(all[0].files.last().map(String::as_str), Some("/rel/y"));
    assert_eq!(all[1].files, ["/usr/b"]);
    let p = load(t.path(), Filelists::PrimaryOnly).unwrap().packages;
    assert_eq!(p.len(), 2);
    let texts = |l: &[SimpleDep]| l.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!((p[0].name.as_str(), p[0].arch.as_str()), ("a", "noarch"));
    assert_eq!(texts(&p[0].provides), ["p1"]);
    let reqs: Vec<String> = p[0].requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(reqs, ["", "patch:k", "(q or r)"]);
    assert!(p[0].conflicts.is_empty());
    assert_eq!(texts(&p[0].obsoletes), ["o2"]);
    assert_eq!(p[0].files, ["/relative/x", "/noslash", "/usr/bin/a"]);
    assert_eq!(p[1].arch, "noarch");
    assert_eq!(p[1].evr.to_string(), "x:1-1");
    assert_eq!((p[1].evr.epoch, p[1].evr.version.as_str()), (0, "x:1"));
}

/// rpm-md flags other than the five comparisons do not refuse the repo:
/// libsolv's `adddep` keeps `NE` as the relation `<>` and any other text
/// (`""`, `XX`) as a relation with no comparison bits (`!`), which no
/// version meets. So a provide `x ! 1` meets `x` but not `x >= 1`, a
/// requirement, conflict or obsolete `P1 ! 1` nothing, and `n <> 1`
/// meets `n = 2`, not `n = 1`. Each checked with rpmmd2solv and testsolv.
#[test]
fn flags_libsolv_does_not_know_are_kept_as_libsolv_keeps_them() {
    use buildroot_core::pool::Pool;
    let e =
        |n: &str, f: &str, v: &str| format!("<rpm:entry name=\"{n}\" flags=\"{f}\" ver=\"{v}\"/>");
    let pkg = |name: &str, lists: String| {
        format!(
            "<package type=\"rpm\"><name>{name}</name><arch>noarch</arch>\
             <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format>{lists}</format></package>\n"
        )
    };
    let body = [
        pkg(
            "P1",
            format!(
                "<rpm:provides>{}{}{}</rpm:provides>",
                e("x", "", "1"),
                e("u", "XX", "1"),
                e("n", "NE", "1")
            ),
        ),
        pkg(
            "C1",
            format!(
                "<rpm:requires>{}{}</rpm:requires><rpm:conflicts>{}</rpm:conflicts>",
                e("P1", "", "1"),
                e("P1", "NE", "2"),
                e("P1", "XX", "1")
            ),
        ),
        pkg(
            "C2",
            format!(
                "<rpm:requires><rpm:entry name=\"P1\"/></rpm:requires>\
                 <rpm:conflicts>{}</rpm:conflicts><rpm:obsoletes>{}</rpm:obsoletes>",
                e("P1", "", "1"),
                e("P1", "XX", "1")
            ),
        ),
    ]
    .concat();
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"3\">{body}</metadata>");
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "", xml.as_bytes(), FILELISTS.as_bytes());
    let repo = load(t.path(), Filelists::PrimaryOnly).unwrap();
    let p = &repo.packages;
    let texts = |l: &[SimpleDep]| l.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    // As libsolv's dumpsolv prints them.
    assert_eq!(texts(&p[0].provides), ["x ! 1", "u ! 1", "n <> 1"]);
    let reqs: Vec<String> = p[1].requires.iter().map(|r| r.dep.to_string()).collect();
    assert_eq!(reqs, ["P1 ! 1", "P1 <> 2"]);
    let spec = RepoSpec::new("t", t.path().to_str().unwrap());
    let cache = t.path().join("cache");
    let opts = LoadOptions {
        filelists: Filelists::PrimaryOnly,
        ..LoadOptions::cached_in(&cache)
    };
    let parsed = Pool::load("x86_64", std::slice::from_ref(&spec), &opts).unwrap();
    let cached = Pool::load("x86_64", std::slice::from_ref(&spec), &opts).unwrap();
    assert!(cached.from_cache());
    let built = Pool::new("x86_64", vec![repo.clone()]).unwrap();
    for pool in [&parsed, &cached, &built] {
        let names = |dep: &Dep| -> Vec<String> {
            let ids = pool.whatprovides(dep);
            ids.iter().map(|&i| pool.name_of(i).to_string()).collect()
        };
        let parse = |d: &str| Dep::parse(d).unwrap();
        assert_eq!(names(&parse("x")), ["P1"]);
        assert_eq!(names(&parse("u")), ["P1"]);
        assert_eq!(names(&parse("n = 2")), ["P1"]);
        for none in ["x >= 1", "u = 1", "n = 1"] {
            assert_eq!(names(&parse(none)), [""; 0], "{none}");
        }
        // `P1 ! 1` nothing meets, though P1 is there; `P1 <> 2` P1 does.
        assert_eq!(names(&p[1].requires[0].dep), [""; 0]);
        assert_eq!(names(&p[1].requires[1].dep), ["P1"]);
        assert_eq!(names(&p[1].conflicts[0]), [""; 0]);
        assert_eq!(
            &pool.package(buildroot_core::pool::PkgId::from_usize(0)),
            &p[0]
        );
        assert_eq!(
            &pool.package(buildroot_core::pool::PkgId::from_usize(1)),
            &p[1]
        );
        // The solver and its problem text, as testsolv gives them: C2's
        // conflict and obsolete on P1 match nothing.
        use buildroot_core::solver::{resolve, Job};
        let err = resolve(pool, &[Job::Install("C1".into())]).unwrap_err();
        let want = "nothing provides P1 ! 1 needed by C1-1-1.noarch";
        assert!(err.problems.iter().any(|l| l == want), "{:?}", err.problems);
        let got = resolve(pool, &[Job::Install("C2".into())]).unwrap();
        let mut names: Vec<String> = got
            .installed
            .iter()
            .map(|&i| pool.package(i).name)
            .collect();
        names.sort();
        assert_eq!(names, ["C2", "P1"]);
    }
}

/// A package without `<name>`, with an empty one, or with an empty
/// `<arch>` does not refuse the repo: libsolv keeps each (testsolv: a
/// requirement on a provide of the first two installs it; the third has
/// an arch no target installs, so its provides meet nothing).
#[test]
fn packages_without_name_or_arch_are_kept_as_libsolv_keeps_them() {
    use buildroot_core::pool::Pool;
    let pkg = |head: &str, prov: &str| {
        format!(
            "<package type=\"rpm\">{head}<version epoch=\"0\" ver=\"1\" rel=\"1\"/>\
             <format><rpm:provides><rpm:entry name=\"{prov}\"/></rpm:provides></format></package>\n"
        )
    };
    let body = [
        pkg("<arch>noarch</arch>", "nn"),
        pkg("<name></name><arch>noarch</arch>", "en"),
        pkg("<name>EA</name><arch></arch>", "ea"),
    ]
    .concat();
    let xml = format!("<metadata xmlns:rpm=\"x\" packages=\"3\">{body}</metadata>");
    let t = tempfile::tempdir().unwrap();
    write_repo(t.path(), "", xml.as_bytes(), FILELISTS.as_bytes());
    let repo = load(t.path(), Filelists::PrimaryOnly).unwrap();
    let na: Vec<(&str, &str)> = repo
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.arch.as_str()))
        .collect();
    assert_eq!(na, [("", "noarch"), ("", "noarch"), ("EA", "")]);
    let pool = Pool::new("x86_64", vec![repo]).unwrap();
    let names = |dep: &str| -> Vec<String> {
        let ids = pool.whatprovides(&Dep::parse(dep).unwrap());
        ids.iter().map(|&i| pool.name_of(i).to_string()).collect()
    };
    assert_eq!(names("nn"), [""]);
    assert_eq!(names("en"), [""]);
    assert_eq!(names("ea"), [""; 0]);
}
