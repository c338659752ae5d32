//! The lead and header checks rpm makes before it reads a package
//! (`srpm/verify.rs`): every package of ours and rpmbuild's passes; each
//! damage rpm refuses is refused with a one-line error naming the file and
//! the problem; and, where rpm is installed, our verdict on many damaged
//! copies is rpm's (`rpm -qp` with digests and signatures off, as
//! createrepo_c reads packages).

use std::path::{Path, PathBuf};
use std::process::Command;

use buildroot_core::srpm::{build_srpm, read_evr, read_header, SrpmSpec};

fn fixture_rpms() -> Vec<PathBuf> {
    rpms_in(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata"))
}

/// Every `*.rpm` under `root`, recursively, sorted.
fn rpms_in(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rpm") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn srpm() -> Vec<u8> {
    build_srpm(&SrpmSpec {
        name: "x".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "x".into(),
        spec_name: "x.spec".into(),
        spec_text: "Name: x\n".into(),
        build_requires: vec![buildroot_core::dep::Dep::parse("gcc").unwrap()],
        host_arch: "x86_64".into(),
        build_time: 1_700_000_000,
        ..Default::default()
    })
    .unwrap()
}

/// Where things are in an RPM file's bytes.
struct Layout {
    /// Offset of the signature header's magic.
    sig: usize,
    sig_il: usize,
    /// Offset of its data.
    sig_data: usize,
    /// Offset of the main header's magic.
    main: usize,
    main_il: usize,
    main_data: usize,
}

impl Layout {
    /// Where the main header's region trailer is in `b` (its region
    /// entry, the first, gives the trailer's offset in the data).
    fn main_trailer(&self, b: &[u8]) -> usize {
        self.main_data + be(b, self.main + 16 + 8) as usize
    }

    /// The same for the signature header.
    fn sig_trailer(&self, b: &[u8]) -> usize {
        self.sig_data + be(b, self.sig + 16 + 8) as usize
    }
}

fn be(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn put(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

fn layout(b: &[u8]) -> Layout {
    let sig = 96;
    let sig_il = be(b, sig + 8) as usize;
    let sig_dl = be(b, sig + 12) as usize;
    let sig_data = sig + 16 + 16 * sig_il;
    let main = (sig_data + sig_dl).div_ceil(8) * 8;
    let main_il = be(b, main + 8) as usize;
    Layout {
        sig,
        sig_il,
        sig_data,
        main,
        main_il,
        main_data: main + 16 + 16 * main_il,
    }
}

/// rpm's verdict on the package at `path`, reading it as createrepo_c
/// does; `None` without rpm. `SRPM_VERIFY_RPM` names another rpm to ask
/// (a script running rpm 6's, say: docs/formats.md says where it differs).
fn rpm_accepts(path: &Path) -> Option<bool> {
    let rpm = std::env::var("SRPM_VERIFY_RPM").unwrap_or_else(|_| "rpm".into());
    let out = Command::new(rpm)
        .args(["-qp", "--nodigest", "--nosignature", "--qf", "%{NAME}\n"])
        .arg(path)
        .output()
        .ok()?;
    Some(out.status.success())
}

#[test]
fn every_fixture_package_passes() {
    let all = fixture_rpms();
    assert!(all.len() > 200, "{}", all.len());
    for p in &all {
        read_evr(p).unwrap_or_else(|e| panic!("{e}"));
    }
    // Third-party SRPMs, where a checkout has them (not committed).
    let real = Path::new("/tmp/real");
    if real.is_dir() {
        let all = rpms_in(real);
        for p in &all {
            let ours = read_evr(p).is_ok();
            if let Some(rpm) = rpm_accepts(p) {
                assert_eq!(ours, rpm, "{}: ours {ours}, rpm {rpm}", p.display());
            }
        }
        let n = all.len();
        eprintln!("{n} packages of /tmp/real agree with rpm");
    }
}

/// One damage: what it does to the file, and what our error says.
type Damage = (&'static str, fn(&mut Vec<u8>, &Layout), &'static str);

fn damages() -> Vec<Damage> {
    vec![
        ("lead magic", |b, _| b[0] = 0, "bad lead magic"),
        (
            "header version byte",
            |b, l| b[l.main + 3] = 2,
            "main header: bad magic",
        ),
        (
            "too many signature entries",
            |b, l| put(b, l.sig + 8, 33),
            "signature header: 33 entries",
        ),
        (
            "main region tag type",
            |b, l| put(b, l.main + 16 + 4, 6),
            "region tag 63 of type 6",
        ),
        (
            "main region offset",
            |b, l| put(b, l.main + 16 + 8, 0x7fff_fff0),
            "region trailer offset 2147483632 out of range",
        ),
        (
            "main trailer offset",
            |b, l| {
                let at = l.main_trailer(b);
                put(
                    b,
                    at + 8,
                    16u32.wrapping_neg().wrapping_mul(l.main_il as u32 + 1),
                );
            },
            "region trailer offset -",
        ),
        (
            "main trailer offset positive",
            |b, l| {
                let at = l.main_trailer(b);
                put(b, at + 8, 16);
            },
            "region trailer offset 16 out of range",
        ),
        (
            "main trailer tag",
            |b, l| {
                let at = l.main_trailer(b);
                put(b, at, 62);
            },
            "region trailer of tag 62",
        ),
        (
            "main trailer short of the index",
            |b, l| {
                let at = l.main_trailer(b);
                put(b, at + 8, (16 * (l.main_il as u32 - 1)).wrapping_neg());
            },
            "main header: region of",
        ),
        (
            "signature trailer tag",
            |b, l| {
                let at = l.sig_trailer(b);
                put(b, at, 1000);
            },
            "signature header: region trailer of tag 1000",
        ),
        (
            "entry type",
            |b, l| put(b, l.main + 32 + 4, 12),
            "unknown type",
        ),
        (
            "entry count 0",
            |b, l| put(b, l.main + 32 + 12, 0),
            "count out of range",
        ),
        (
            "entry tag below 100",
            |b, l| put(b, l.main + 32, 99),
            "tag below 100",
        ),
        (
            "name as an integer",
            |b, l| {
                let i = (1..l.main_il)
                    .find(|&i| be(b, l.main + 16 + 16 * i) == 1000)
                    .unwrap();
                put(b, l.main + 16 + 16 * i + 4, 7);
            },
            "type should be 6",
        ),
        (
            "entries out of order",
            |b, l| {
                let e = l.main + 32;
                let off = be(b, e + 16 + 8);
                put(b, e + 8, off + 64);
            },
            "overlaps the entry before",
        ),
        (
            "string without its NUL",
            |b, l| {
                // The last string entry's NUL, then everything up to the trailer.
                let i = (1..l.main_il)
                    .rev()
                    .find(|&i| be(b, l.main + 16 + 16 * i + 4) == 6)
                    .unwrap();
                let start = l.main_data + be(b, l.main + 16 + 16 * i + 8) as usize;
                let trailer = l.main_trailer(b);
                b[start..trailer].fill(b'a');
            },
            "data",
        ),
        (
            "a main header tag signatures own",
            |b, l| {
                let i = (1..l.main_il)
                    .find(|&i| be(b, l.main + 16 + 16 * i) == 1009)
                    .unwrap();
                put(b, l.main + 16 + 16 * i, 257);
                // SIGSIZE is int32 as SIZE is: only the merge refuses it.
            },
            "is in the main header too",
        ),
        (
            "truncated",
            |b, l| b.truncate(l.main_data + 10),
            "truncated",
        ),
        // 255 MiB of data claimed: refused before anything is allocated.
        (
            // The trailer says the region has no entries; 16 bytes more
            // of data make the sizes add up if its own entry is counted.
            // rpm cannot load such a region (hdrblobImport).
            "signature region of no entries",
            |b, l| {
                let trailer = l.sig_data + be(b, l.sig + 24) as usize;
                put(b, trailer + 8, 0);
                let dl = be(b, l.sig + 12);
                let end = l.sig_data + dl as usize;
                b.splice(end..end, [0; 16]);
                put(b, l.sig + 12, dl + 16);
            },
            "signature header: region of no entries",
        ),
        (
            "main data size",
            |b, l| put(b, l.main + 12, 0x0ff0_0000),
            "main header: truncated",
        ),
    ]
}

#[test]
fn damaged_headers_are_refused_as_rpm_refuses_them() {
    let t = tempfile::tempdir().unwrap();
    let good = srpm();
    let path = t.path().join("x.src.rpm");
    std::fs::write(&path, &good).unwrap();
    read_header(&path).unwrap();
    assert!(rpm_accepts(&path).unwrap_or(true));
    let l = layout(&good);
    assert!(l.sig_il > 1 && l.main_il > 10);
    for (what, damage, says) in damages() {
        let mut bad = good.clone();
        damage(&mut bad, &l);
        std::fs::write(&path, &bad).unwrap();
        let e = read_header(&path)
            .err()
            .unwrap_or_else(|| panic!("{what}: accepted"))
            .to_string();
        assert!(
            e.starts_with(&path.display().to_string()) && e.contains(says) && !e.contains('\n'),
            "{what}: {e}"
        );
        if let Some(rpm) = rpm_accepts(&path) {
            assert!(!rpm, "{what}: rpm accepts it");
        }
    }
}

/// The lead's other fields are not checked: rpm does not since 4.18.2
/// and 4.20 (what Fedora's koji and createrepo_c run; rpm 4.18.0 refused
/// a signature type other than 5 or a major version other than 3 or 4),
/// nor does the rpm crate. A package with such a lead is in their
/// repodata, and must be read.
#[test]
fn lead_fields_but_the_magic_are_not_checked() {
    let t = tempfile::tempdir().unwrap();
    let good = srpm();
    let path = t.path().join("x.src.rpm");
    for (what, at, v) in [
        ("major version 6", 4, 6u8),
        ("major version 2", 4, 2),
        ("minor version", 5, 9),
        ("type", 7, 0),
        ("signature type 4", 79, 4),
        ("signature type 0", 79, 0),
        ("arch and os", 9, 0xff),
    ] {
        let mut b = good.clone();
        b[at] = v;
        std::fs::write(&path, &b).unwrap();
        let p = read_header(&path).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(p.name, "x", "{what}");
    }
}

/// Tag numbers are unsigned, as rpm 4.20 and 6 read them: a tag of 2^31
/// or more is an unknown tag (rpm 4.18 read it as negative, below 100).
#[test]
fn tags_of_2_pow_31_or_more_are_unknown_tags() {
    let t = tempfile::tempdir().unwrap();
    let good = srpm();
    let path = t.path().join("x.src.rpm");
    let l = layout(&good);
    let at = (1..l.main_il)
        .map(|i| l.main + 16 + 16 * i)
        .find(|&e| be(&good, e) == 1007)
        .expect("a BUILDHOST entry");
    for tag in [0x8000_0000, 0x8000_03ef, u32::MAX] {
        let mut b = good.clone();
        put(&mut b, at, tag);
        std::fs::write(&path, &b).unwrap();
        let p = read_header(&path).unwrap_or_else(|e| panic!("{tag:#x}: {e}"));
        assert_eq!(p.name, "x");
    }
}

/// SRPMs signed by rpm 6.1's rpmsign (testdata/rpm6/signed: hello6.spec
/// built by rpmbuild -bs with `_rpmformat` 4 or 6, then `rpmsign --addsign`
/// with gpg keys): a v6 package with two OpenPGP signatures (tag 278, a
/// string array of 2) and the v6 reserved space (tag 999); a v6 package
/// with an RSA header signature too (`--rpmv4 --rpmv6`); a v4 package with
/// v3, v4 and v6 signatures (tags 1002, 268, 278) and the v4 reserved space
/// (tag 1008). rpm 4.18 and 6.1 read all three.
#[test]
fn packages_signed_by_rpm6_are_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/rpm6/signed");
    let sig_tags = |b: &[u8]| -> Vec<(u32, u32)> {
        let l = layout(b);
        (0..l.sig_il)
            .map(|i| (be(b, l.sig + 16 + 16 * i), be(b, l.sig + 28 + 16 * i)))
            .collect()
    };
    for (file, major, want) in [
        (
            "hello6-v6-two-openpgp.src.rpm",
            4,
            &[(273, 1), (278, 2), (279, 1), (999, 1)][..],
        ),
        (
            "hello6-v6-rsa-openpgp.src.rpm",
            4,
            &[(268, 326), (278, 1), (279, 1)][..],
        ),
        (
            "hello6-v4-pgp-rsa-openpgp.src.rpm",
            3,
            &[(268, 326), (278, 2), (1000, 1), (1002, 326), (1008, 2804)][..],
        ),
    ] {
        let path = dir.join(file);
        let b = std::fs::read(&path).unwrap();
        assert_eq!(b[4], major, "{file}");
        let tags = sig_tags(&b);
        for &(tag, count) in want {
            assert!(
                tags.iter()
                    .any(|&(t, c)| t == tag && (c == count || tag == 999)),
                "{file}: {tags:?}"
            );
        }
        let p = read_header(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.name.as_str(), p.arch.as_str()), ("hello6", "src"));
        if let Some(rpm) = rpm_accepts(&path) {
            assert!(rpm, "{file}: rpm refuses it");
        }
    }
}

/// Every byte of both headers' index, the first bytes of their data, the
/// main header's trailer and NULs, each set to a few values in turn, on a
/// package of ours and one of rpmbuild's: our verdict is rpm's. Slow (an
/// rpm run per copy): `cargo test --test srpm_verify -- --ignored`.
#[test]
#[ignore]
fn byte_patched_copies_agree_with_rpm() {
    let t = tempfile::tempdir().unwrap();
    let mut inputs = vec![srpm()];
    if let Some(p) = fixture_rpms()
        .into_iter()
        .find(|p| p.ends_with("bash-5.2.26-1.eln150.src.rpm"))
    {
        inputs.push(std::fs::read(p).unwrap());
    }
    // Where a checkout has them: an rpm v3 package (no regions) and an old
    // signed SRPM of rpm's test data.
    for real in [
        "/tmp/real/hist/rpm-software-management+rpm/9a575f56-foo.i386.rpm",
        "/tmp/real/hist/rpm-software-management+createrepo_c/d17d1f60-Cython-0.17.1-2.el7.src.rpm",
    ] {
        if let Ok(b) = std::fs::read(real) {
            inputs.push(b);
        }
    }
    let path = t.path().join("p.src.rpm");
    let (mut agree, mut refused) = (0, 0);
    let mut disagree = Vec::new();
    for good in &inputs {
        let l = layout(good);
        let trailer = l.main_data + be(good, l.main + 24) as usize;
        let mut spots: Vec<usize> = (l.sig..l.sig_data + 64).collect();
        spots.extend(l.main..l.main_data + 64);
        spots.extend(trailer..trailer + 16);
        // The strings' NULs (a string run into the next one).
        spots.extend((l.main_data..trailer).filter(|&i| good[i] == 0).take(100));
        for at in spots {
            for v in [0x00, 0xff, 0x80, good[at].wrapping_add(1), good[at] ^ 0x04] {
                if v == good[at] {
                    continue;
                }
                let mut bad = good.clone();
                bad[at] = v;
                std::fs::write(&path, &bad).unwrap();
                let Some(rpm) = rpm_accepts(&path) else {
                    return;
                };
                let ours = read_evr(&path);
                // A tag of 2^31 or more: rpm 4.18 reads it as negative,
                // below 100, and refuses it; rpm 4.20 and 6 and we read an
                // unknown tag.
                let index = |hdr: usize, il: usize| (hdr + 16..hdr + 16 + 16 * il).contains(&at);
                let tag_top = (index(l.sig, l.sig_il) && (at - l.sig).is_multiple_of(16))
                    || (index(l.main, l.main_il) && (at - l.main).is_multiple_of(16));
                if tag_top && v >= 0x80 && !rpm && ours.is_ok() {
                    continue;
                }
                if ours.is_ok() == rpm {
                    agree += 1;
                    refused += usize::from(!rpm);
                } else {
                    disagree.push(format!("byte {at} = {v:#x}: rpm {rpm}, ours {ours:?}"));
                }
            }
        }
    }
    eprintln!(
        "{agree} copies agree ({refused} refused by both), {} disagree",
        disagree.len()
    );
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
