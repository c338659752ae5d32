//! Writing rpm-md repodata (repomd.xml, primary, filelists, other, and a
//! comps file as the `group`/`group_gz` records) that dnf and createrepo_c
//! read, from [`Package`] values.
//!
//! Output is deterministic: packages are sorted by (name, arch, EVR,
//! location), timestamps come from [`WriteOptions`], gzip headers carry no
//! time, file names are checksum-prefixed like createrepo_c's. The new
//! `repodata/` is built beside the old one and swapped in atomically; when
//! the result would be byte-identical, nothing on disk changes.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::atomic::StagedDir;
use crate::dep::{Dep, SimpleDep};
use crate::error::{Error, Result};
use crate::package::{FileKind, Package, PackageDetails};
use crate::rpmmd::entry_evr;
use crate::rpmmd::{checksum_type, is_primary_file};

/// Compression of the written metadata files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    #[default]
    /// `.gz` (createrepo_c's default for primary and filelists).
    Gzip,
    /// `.zst`.
    Zstd,
}

impl Compression {
    fn ext(self) -> &'static str {
        match self {
            Compression::Gzip => "gz",
            Compression::Zstd => "zst",
        }
    }

    fn compress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        match self {
            Compression::Gzip => {
                let mut e = flate2::GzBuilder::new()
                    .mtime(0)
                    .write(Vec::new(), flate2::Compression::new(6));
                e.write_all(data)?;
                e.finish()
            }
            Compression::Zstd => zstd::encode_all(data, 10),
        }
    }
}

/// How repodata is written.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// How the metadata files are compressed.
    pub compression: Compression,
    /// repomd `<revision>` and `<timestamp>` values (deterministic; default 0).
    pub timestamp: u64,
}

/// Writes `repo_dir/repodata/` for `packages` (their `location` hrefs are
/// relative to `repo_dir`).
pub fn write_repodata(repo_dir: &Path, packages: &[Package], opts: &WriteOptions) -> Result<()> {
    write_repodata_with_comps(repo_dir, packages, opts, None)
}

/// [`write_repodata`] with a comps (groups) file, recorded as createrepo_c's
/// `-g` records it: `group` (the XML as is) and `group_gz` (compressed).
pub fn write_repodata_with_comps(
    repo_dir: &Path,
    packages: &[Package],
    opts: &WriteOptions,
    comps: Option<&str>,
) -> Result<()> {
    let mut pkgs: Vec<&Package> = packages.iter().collect();
    pkgs.sort_by(|a, b| {
        (&a.name, &a.arch)
            .cmp(&(&b.name, &b.arch))
            .then_with(|| a.evr.cmp(&b.evr))
            .then_with(|| a.location.cmp(&b.location))
    });
    let ids: Vec<String> = pkgs.iter().map(|p| pkgid(p)).collect();
    let files = [
        ("primary", primary_xml(&pkgs, &ids)),
        ("filelists", filelists_xml(&pkgs, &ids)),
        ("other", other_xml(&pkgs, &ids)),
    ];
    let mut blobs = Vec::new();
    let mut repomd = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n",
    );
    let _ = writeln!(repomd, "  <revision>{}</revision>", opts.timestamp);
    for (kind, xml) in files {
        let open_sum = hex::encode(Sha256::digest(xml.as_bytes()));
        let packed = opts.compression.compress(xml.as_bytes()).map_err(|e| {
            Error::format(repo_dir.display(), format!("cannot compress {kind}: {e}"))
        })?;
        let sum = hex::encode(Sha256::digest(&packed));
        let name = format!("{sum}-{kind}.xml.{}", opts.compression.ext());
        let _ = write!(
            repomd,
            "  <data type=\"{kind}\">\n    <checksum type=\"sha256\">{sum}</checksum>\n    <open-checksum type=\"sha256\">{open_sum}</open-checksum>\n    <location href=\"repodata/{name}\"/>\n    <timestamp>{ts}</timestamp>\n    <size>{size}</size>\n    <open-size>{open_size}</open-size>\n  </data>\n",
            ts = opts.timestamp,
            size = packed.len(),
            open_size = xml.len(),
        );
        blobs.push((name, packed));
    }
    if let Some(xml) = comps {
        let open_sum = hex::encode(Sha256::digest(xml.as_bytes()));
        let gz = Compression::Gzip.compress(xml.as_bytes()).map_err(|e| {
            Error::format(repo_dir.display(), format!("cannot compress comps: {e}"))
        })?;
        let gz_sum = hex::encode(Sha256::digest(&gz));
        let plain = format!("{open_sum}-comps.xml");
        let packed = format!("{gz_sum}-comps.xml.gz");
        let _ = write!(
            repomd,
            "  <data type=\"group\">\n    <checksum type=\"sha256\">{open_sum}</checksum>\n    <location href=\"repodata/{plain}\"/>\n    <timestamp>{ts}</timestamp>\n    <size>{size}</size>\n  </data>\n  <data type=\"group_gz\">\n    <checksum type=\"sha256\">{gz_sum}</checksum>\n    <open-checksum type=\"sha256\">{open_sum}</open-checksum>\n    <location href=\"repodata/{packed}\"/>\n    <timestamp>{ts}</timestamp>\n    <size>{gz_size}</size>\n    <open-size>{size}</open-size>\n  </data>\n",
            ts = opts.timestamp,
            size = xml.len(),
            gz_size = gz.len(),
        );
        blobs.push((plain, xml.as_bytes().to_vec()));
        blobs.push((packed, gz));
    }
    repomd.push_str("</repomd>\n");

    let target = repo_dir.join("repodata");
    if std::fs::read(target.join("repomd.xml")).ok().as_deref() == Some(repomd.as_bytes())
        && blobs.iter().all(|(n, _)| target.join(n).is_file())
    {
        // Up to date: a run killed after its swap, while it removed the old
        // tree, may have left that tree beside this one.
        crate::atomic::remove_stale_stages(&target);
        return Ok(());
    }
    let stage = StagedDir::new(&target)?;
    for (name, data) in &blobs {
        let p = stage.path().join(name);
        std::fs::write(&p, data).map_err(|e| Error::io(&p, e))?;
    }
    let p = stage.path().join("repomd.xml");
    std::fs::write(&p, repomd.as_bytes()).map_err(|e| Error::io(&p, e))?;
    stage.commit()
}

/// The package's checksum, or a stable stand-in (a sha256) for packages
/// without a file or with no checksum dnf could read: libsolv refuses a
/// repo whose checksum is not the hex of a type it knows.
fn pkgid(p: &Package) -> String {
    match &p.checksum {
        Some(c) if checksum_type(c).is_some() => c.clone(),
        _ => hex::encode(Sha256::digest(
            format!("{}|{}", p.nevra(), p.location).as_bytes(),
        )),
    }
}

/// XML-escapes text as libxml2 (which createrepo_c writes with) does:
/// `&`, `<`, `>`, and a CR as a reference (a parser would turn a raw CR LF
/// into LF).
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    escape(s, false)
}

/// XML-escapes an attribute value as libxml2 does: also `"`, and tab and
/// LF as references (a parser turns raw ones into spaces).
fn esc_attr(s: &str) -> std::borrow::Cow<'_, str> {
    escape(s, true)
}

/// Whether XML 1.0 has no such character, not even as a reference: the C0
/// controls but tab, LF and CR, and U+FFFE and U+FFFF.
fn not_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// [`esc`] and [`esc_attr`]. A character XML cannot hold is left out: a
/// header text that is UTF-8 keeps its controls (an ESC of a colour code
/// in a changelog), and written as it is it makes the file not XML, which
/// dnf refuses for the whole repo. createrepo_c leaves such a package out
/// of the repo instead (`cr_Package_contains_forbidden_control_chars`);
/// losing a package from a buildroot's repo costs more than a character of
/// its text.
fn escape(s: &str, attr: bool) -> std::borrow::Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '\r')
            || (attr && matches!(c, '"' | '\t' | '\n'))
            || not_xml(c)
    };
    if !s.contains(special) {
        return s.into();
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\r' => o.push_str("&#13;"),
            '"' if attr => o.push_str("&quot;"),
            '\t' if attr => o.push_str("&#9;"),
            '\n' if attr => o.push_str("&#10;"),
            c if not_xml(c) => {}
            c => o.push(c),
        }
    }
    o.into()
}

fn version_attrs(out: &mut String, p: &Package) {
    let _ = write!(
        out,
        "epoch=\"{}\" ver=\"{}\" rel=\"{}\"",
        p.evr.epoch,
        esc_attr(&p.evr.version),
        esc_attr(p.evr.release_str())
    );
}

fn simple_entry(out: &mut String, d: &SimpleDep, pre: bool) {
    let _ = write!(out, "      <rpm:entry name=\"{}\"", esc_attr(&d.name));
    if let Some(r) = &d.range {
        let _ = write!(out, " flags=\"{}\"", r.cmp.rpmmd());
        // As createrepo_c writes what it split of the header's text
        // (`rpmmd/entry_evr.rs`): `1.0-1-2` as `1.0` / `1-2`, a signed
        // epoch (`-1:2`) as one, an empty part not at all.
        let (epoch, ver, rel) = entry_evr::rpmmd_attrs(&r.evr);
        for (attr, v) in [("epoch", epoch), ("ver", ver), ("rel", rel)] {
            if !v.is_empty() {
                let _ = write!(out, " {attr}=\"{}\"", esc_attr(&v));
            }
        }
    }
    if pre {
        out.push_str(" pre=\"1\"");
    }
    out.push_str("/>\n");
}

fn dep_entry(out: &mut String, d: &Dep, pre: bool) {
    match d {
        Dep::Simple(s) => simple_entry(out, s, pre),
        rich => {
            let _ = write!(
                out,
                "      <rpm:entry name=\"{}\"",
                esc_attr(&rich.to_string())
            );
            if pre {
                out.push_str(" pre=\"1\"");
            }
            out.push_str("/>\n");
        }
    }
}

fn dep_list<'a, T: 'a>(
    out: &mut String,
    tag: &str,
    items: impl IntoIterator<Item = &'a T>,
    mut f: impl FnMut(&mut String, &T),
) {
    let mut it = items.into_iter().peekable();
    if it.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "    <rpm:{tag}>");
    for d in it {
        f(out, d);
    }
    let _ = writeln!(out, "    </rpm:{tag}>");
}

fn primary_xml(pkgs: &[&Package], ids: &[String]) -> String {
    let mut o = String::with_capacity(pkgs.len() * 1024);
    let _ = writeln!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"{}\">",
        pkgs.len()
    );
    for (p, id) in pkgs.iter().zip(ids) {
        let _ = write!(
            o,
            "<package type=\"rpm\">\n  <name>{}</name>\n  <arch>{}</arch>\n  <version ",
            esc(&p.name),
            esc(&p.arch)
        );
        version_attrs(&mut o, p);
        let none = PackageDetails::default();
        let d = p.details.as_deref().unwrap_or(&none);
        // Without details (a package not read from its file): the summary
        // stands in for the description, and rpm's default group.
        let description = if p.details.is_some() {
            &d.description
        } else {
            &p.summary
        };
        let group = if p.details.is_some() {
            d.group.as_str()
        } else {
            "Unspecified"
        };
        let _ = write!(
            o,
            "/>\n  <checksum type=\"{algo}\" pkgid=\"YES\">{id}</checksum>\n  <summary>{}</summary>\n  <description>{}</description>\n  <packager>{}</packager>\n  <url>{}</url>\n  <time file=\"{}\" build=\"{}\"/>\n  <size package=\"{}\" installed=\"{}\" archive=\"{}\"/>\n  <location href=\"{}\"/>\n  <format>\n    <rpm:license>{}</rpm:license>\n    <rpm:vendor>{}</rpm:vendor>\n    <rpm:group>{}</rpm:group>\n    <rpm:buildhost>{}</rpm:buildhost>\n",
            esc(&p.summary),
            esc(description),
            esc(&d.packager),
            esc(&d.url),
            d.time_file,
            d.time_build,
            p.size,
            d.size_installed,
            d.size_archive,
            esc_attr(&p.location),
            esc(&d.license),
            esc(&d.vendor),
            esc(group),
            esc(&d.buildhost),
            // What pkgid gives always has a type (sha256 for a stand-in).
            algo = checksum_type(id).unwrap_or("sha256"),
        );
        if p.sourcerpm.is_empty() {
            // As libxml2 writes createrepo_c's empty text element.
            o.push_str("    <rpm:sourcerpm></rpm:sourcerpm>\n");
        } else {
            let _ = writeln!(
                o,
                "    <rpm:sourcerpm>{}</rpm:sourcerpm>",
                esc(&p.sourcerpm)
            );
        }
        let _ = writeln!(
            o,
            "    <rpm:header-range start=\"{}\" end=\"{}\"/>",
            d.header_range.0, d.header_range.1
        );
        dep_list(&mut o, "provides", &p.provides, |o, d| {
            simple_entry(o, d, false)
        });
        dep_list(&mut o, "requires", &p.requires, |o, r| {
            dep_entry(o, &r.dep, r.pre)
        });
        dep_list(&mut o, "conflicts", &p.conflicts, |o, d| {
            dep_entry(o, d, false)
        });
        dep_list(&mut o, "obsoletes", &p.obsoletes, |o, d| {
            simple_entry(o, d, false)
        });
        dep_list(&mut o, "suggests", &p.suggests, |o, d| {
            dep_entry(o, d, false)
        });
        dep_list(&mut o, "enhances", &p.enhances, |o, d| {
            dep_entry(o, d, false)
        });
        dep_list(&mut o, "recommends", &p.recommends, |o, d| {
            dep_entry(o, d, false)
        });
        dep_list(&mut o, "supplements", &p.supplements, |o, d| {
            dep_entry(o, d, false)
        });
        file_list(&mut o, "    ", p, true);
        o.push_str("  </format>\n</package>\n");
    }
    o.push_str("</metadata>\n");
    o
}

fn filelists_xml(pkgs: &[&Package], ids: &[String]) -> String {
    per_package_xml("filelists", "filelists", pkgs, ids, |o, p| {
        file_list(o, "  ", p, false)
    })
}

fn other_xml(pkgs: &[&Package], ids: &[String]) -> String {
    per_package_xml("otherdata", "other", pkgs, ids, |o, p| {
        for c in p.details.iter().flat_map(|d| &d.changelogs) {
            let _ = writeln!(
                o,
                "  <changelog author=\"{}\" date=\"{}\">{}</changelog>",
                esc_attr(&c.author),
                c.date,
                esc(&c.text)
            );
        }
    })
}

/// A package's `<file>` elements (`primary`: only the paths createrepo_c
/// puts in primary.xml): its details' typed list when it has details, else
/// its paths.
fn file_list(o: &mut String, indent: &str, p: &Package, primary: bool) {
    let Some(d) = &p.details else {
        for f in p.files.iter().filter(|f| !primary || is_primary_file(f)) {
            let _ = writeln!(o, "{indent}<file>{}</file>", esc(f));
        }
        return;
    };
    for f in d
        .files
        .iter()
        .filter(|f| !primary || is_primary_file(&f.path))
    {
        let kind = match f.kind {
            FileKind::File => "",
            FileKind::Dir => " type=\"dir\"",
            FileKind::Ghost => " type=\"ghost\"",
        };
        let _ = writeln!(o, "{indent}<file{kind}>{}</file>", esc(&f.path));
    }
}

/// filelists.xml and other.xml: a `<package pkgid name arch>` with its
/// `<version>` per package, then what `body` writes of it.
fn per_package_xml(
    root: &str,
    ns: &str,
    pkgs: &[&Package],
    ids: &[String],
    body: impl Fn(&mut String, &Package),
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"http://linux.duke.edu/metadata/{ns}\" packages=\"{}\">",
        pkgs.len()
    );
    for (p, id) in pkgs.iter().zip(ids) {
        let _ = write!(
            o,
            "<package pkgid=\"{id}\" name=\"{}\" arch=\"{}\">\n  <version ",
            esc_attr(&p.name),
            esc_attr(&p.arch)
        );
        version_attrs(&mut o, p);
        o.push_str("/>\n");
        body(&mut o, p);
        o.push_str("</package>\n");
    }
    let _ = writeln!(o, "</{root}>");
    o
}
