//! The distribution-sized filelists scenario (`bench-datagen --filelists`):
//! Fedora's filelists.xml is ≈600 MB per arch unpacked, and a few
//! BuildRequires name paths outside createrepo_c's primary subset (not under
//! /etc/, no `bin/`, not /usr/lib/sendmail), so the generator must read it.
//! The converted Debian repos carry empty file lists; this writes, beside
//! them:
//!
//! - `OUT/NAME/` (NAME: the binary repo's directory name): the repo's
//!   primary.xml (hard-linked) and a filelists.xml whose packages (same
//!   pkgid, name, arch, version, order) list their files from Debian's
//!   `Contents-ARCH.gz` and `Contents-all.gz`, in createrepo_c's form
//!   (`<file>/path</file>` after `<version/>`; primary.xml stays as it is,
//!   without createrepo_c's primary subset of those paths: no dependency of
//!   the Debian data names one);
//! - `OUT/source/`: a source repo of [`SOURCES`], whose BuildRequires name
//!   such paths (as Fedora specs do: `BuildRequires: /usr/share/X11/rgb.txt`);
//! - `OUT/sources.txt` (their names), `OUT/paths.txt` (each path and the
//!   packages owning it, for the bench's output check) and `OUT/stats.txt`.
//!
//! A Contents line is `path<spaces>section/pkg[,section/pkg...]`, the path
//! without its leading `/` (it may hold spaces: the package list is the last
//! word).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use buildroot_core::dep::Dep;
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, Compression, WriteOptions};
use sha2::{Digest, Sha256};

/// The scenario's sources: name and the file paths they BuildRequire (next
/// to gcc and make), each in Debian bookworm. The first two are
/// BuildRequires of Fedora rawhide specs (Debian: x11-common, xmlto);
/// Fedora's SELinux policy modules BuildRequire
/// /usr/share/selinux/devel/policyhelp, which Debian lacks: the Makefile
/// beside it, which those builds run, stands in (selinux-policy-dev, not in
/// the compose's buildroot otherwise: the file dependency adds it).
pub const SOURCES: &[(&str, &[&str])] = &[
    ("filedep-rgb", &["/usr/share/X11/rgb.txt"]),
    ("filedep-xmlto", &["/usr/share/xmlto/format/fo/pdf"]),
    ("filedep-selinux", &["/usr/share/selinux/devel/Makefile"]),
];

/// repomd.xml and metadata timestamps, as the other bench repos.
const TIMESTAMP: u64 = 1_730_000_000;

/// A repomd.xml `<data type="KIND">` record: its text and location href.
fn record<'a>(repomd: &'a str, kind: &str) -> Option<(&'a str, &'a str)> {
    let start = repomd.find(&format!("<data type=\"{kind}\""))?;
    let end = start + repomd[start..].find("</data>")? + "</data>".len();
    let block = &repomd[start..end];
    let href = block.split("href=\"").nth(1)?.split('"').next()?;
    Some((block, href))
}

/// A metadata file's text (`.zst`, `.gz` or plain).
fn read_meta(path: &Path) -> Result<String> {
    let f = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    let mut r: Box<dyn Read> = match path.extension().and_then(|e| e.to_str()) {
        Some("zst") => Box::new(zstd::Decoder::new(f)?),
        Some("gz") => Box::new(flate2::read::MultiGzDecoder::new(f)),
        _ => Box::new(f),
    };
    let mut s = String::new();
    r.read_to_string(&mut s)
        .with_context(|| path.display().to_string())?;
    Ok(s)
}

/// A Contents index (`.gz` or plain) as a reader.
pub fn open_contents(path: &Path) -> Result<Box<dyn BufRead>> {
    let f = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("gz") => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(f),
        )),
        _ => Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
    })
}

/// The value of attribute `name` in the start tag `tag`, unescaped.
fn attr(tag: &str, name: &str) -> Option<String> {
    let i = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let v = tag[i..].split('"').next()?;
    Some(
        v.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// The files of each package name, from Contents indices.
#[derive(Default)]
pub struct Files {
    index: HashMap<String, usize>,
    /// Per package name: its paths, each ending in '\n'.
    paths: Vec<String>,
    /// Paths whose owners are recorded (every owner, in Contents order).
    wanted: BTreeMap<String, Vec<String>>,
}

impl Files {
    /// Collects the files of packages named in `names`, and the owners of
    /// the `wanted` paths.
    pub fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        wanted: impl IntoIterator<Item = &'a str>,
    ) -> Files {
        let mut f = Files::default();
        for n in names {
            let next = f.index.len();
            f.index.entry(n.to_string()).or_insert(next);
        }
        f.paths = vec![String::new(); f.index.len()];
        f.wanted = wanted
            .into_iter()
            .map(|p| (p.to_string(), Vec::new()))
            .collect();
        f
    }

    /// Reads one Contents index.
    pub fn read_contents(&mut self, mut r: impl BufRead) -> Result<()> {
        let mut raw = Vec::new();
        let mut lineno = 0usize;
        loop {
            raw.clear();
            if r.read_until(b'\n', &mut raw)? == 0 {
                return Ok(());
            }
            lineno += 1;
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let Some(split) = line.rfind([' ', '\t']) else {
                bail!("Contents line {lineno}: no package list: '{line}'");
            };
            let path = line[..split].trim_end().trim_start_matches('/');
            let owners = &line[split + 1..];
            let full = format!("/{path}");
            let mut wanted = self.wanted.get_mut(&full);
            for pkg in owners.split(',') {
                let name = pkg.rsplit('/').next().unwrap_or(pkg);
                if let Some(&i) = self.index.get(name) {
                    let p = &mut self.paths[i];
                    p.push_str(&full);
                    p.push('\n');
                    if let Some(w) = wanted.as_deref_mut() {
                        w.push(name.to_string());
                    }
                }
            }
        }
    }

    /// The paths of package `name` (each ending in '\n').
    pub fn of(&self, name: &str) -> &str {
        self.index.get(name).map_or("", |&i| &self.paths[i])
    }
}

/// Package names in a filelists.xml, in order.
fn package_names(xml: &str) -> Vec<String> {
    xml.match_indices("<package ")
        .filter_map(|(i, _)| {
            let tag = &xml[i..i + xml[i..].find('>')?];
            attr(tag, "name")
        })
        .collect()
}

/// Writes `xml` (a filelists.xml) with each package's files from `files`
/// inserted after its `<version .../>`; returns how many `<file>` it wrote.
fn fill(xml: &str, files: &Files, out: &mut impl Write) -> Result<u64> {
    let mut rest = xml;
    let mut count = 0;
    while let Some(i) = rest.find("<package ") {
        let find = |from: usize, pat: &str| {
            rest[from..]
                .find(pat)
                .map(|k| from + k)
                .with_context(|| format!("filelists.xml: no '{pat}' after a <package"))
        };
        let tag_end = find(i, ">")?;
        let name =
            attr(&rest[i..tag_end], "name").context("filelists.xml: <package> without name")?;
        let v_end = find(find(tag_end, "<version")?, "/>")? + 2;
        let line_end = v_end + usize::from(rest[v_end..].starts_with('\n'));
        out.write_all(&rest.as_bytes()[..line_end])?;
        if line_end == v_end {
            out.write_all(b"\n")?;
        }
        let mut buf = String::new();
        for p in files.of(&name).lines() {
            buf.clear();
            buf.push_str("  <file>");
            for c in p.chars() {
                match c {
                    '&' => buf.push_str("&amp;"),
                    '<' => buf.push_str("&lt;"),
                    c => buf.push(c),
                }
            }
            buf.push_str("</file>\n");
            out.write_all(buf.as_bytes())?;
            count += 1;
        }
        rest = &rest[line_end..];
    }
    out.write_all(rest.as_bytes())?;
    Ok(count)
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    sha: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hashing<W>(inner: W) -> Hashing<W> {
    Hashing {
        inner,
        sha: Sha256::new(),
        len: 0,
    }
}

/// The scenario's source packages.
fn sources() -> Vec<Package> {
    SOURCES
        .iter()
        .map(|(name, paths)| {
            let evr = Evr::new(0, "1.0", Some("1"));
            let mut p = Package {
                name: name.to_string(),
                arch: "src".into(),
                location: format!("{name}-{}.src.rpm", evr.vr()),
                evr,
                ..Default::default()
            };
            for d in ["gcc", "make"].iter().chain(paths.iter()) {
                p.requires.push(Requirement::from(Dep::name(*d)));
            }
            p
        })
        .collect()
}

/// What [`convert`] wrote.
#[derive(Debug)]
pub struct Stats {
    /// Packages in the filelists.xml.
    pub packages: usize,
    /// `<file>` entries in it.
    pub files: u64,
    /// Its size unpacked.
    pub open_size: u64,
    /// Its size packed (zstd).
    pub size: u64,
}

/// Writes the scenario for binary repo `repo` into `out` (see the module
/// documentation), with the files of `contents` (readers of Contents
/// indices). zstd `level` compresses the filelists.
pub fn convert(
    repo: &Path,
    contents: Vec<Box<dyn BufRead>>,
    out: &Path,
    level: i32,
) -> Result<Stats> {
    let repomd_path = repo.join("repodata/repomd.xml");
    let repomd =
        std::fs::read_to_string(&repomd_path).with_context(|| repomd_path.display().to_string())?;
    let (primary_rec, primary_href) =
        record(&repomd, "primary").context("repomd.xml: no primary record")?;
    let (_, skel_href) = record(&repomd, "filelists").context("repomd.xml: no filelists record")?;
    let skeleton = read_meta(&repo.join(skel_href))?;
    let names = package_names(&skeleton);
    let paths: Vec<&str> = SOURCES
        .iter()
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    let mut files = Files::new(names.iter().map(String::as_str), paths.iter().copied());
    for r in contents {
        files.read_contents(r)?;
    }
    for (path, owners) in &files.wanted {
        if owners.is_empty() {
            bail!("{path}: no package of {} owns it", repo.display());
        }
        if buildroot_core::rpmmd::is_primary_file(path) {
            bail!("{path}: listed in primary.xml too, so it would not need filelists");
        }
    }

    let repo_name = repo
        .canonicalize()?
        .file_name()
        .context("the binary repo has no directory name")?
        .to_string_lossy()
        .into_owned();
    let dir = out.join(&repo_name).join("repodata");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let primary_name = Path::new(primary_href)
        .file_name()
        .context("primary href")?;
    let (src, dst) = (repo.join(primary_href), dir.join(primary_name));
    if std::fs::hard_link(&src, &dst).is_err() {
        std::fs::copy(&src, &dst).with_context(|| src.display().to_string())?;
    }

    let part = dir.join("filelists.xml.zst.part");
    let file = std::fs::File::create(&part)?;
    let mut packed = hashing(BufWriter::with_capacity(1 << 20, file));
    let mut enc = zstd::Encoder::new(&mut packed, level)?;
    let (open_sum, open_size, count) = {
        let mut open = hashing(BufWriter::with_capacity(1 << 20, &mut enc));
        let count = fill(&skeleton, &files, &mut open)?;
        open.flush()?;
        (hex::encode(open.sha.finalize()), open.len, count)
    };
    enc.finish()?;
    packed.flush()?;
    let (sum, size) = (hex::encode(packed.sha.finalize()), packed.len);
    let name = format!("{sum}-filelists.xml.zst");
    std::fs::rename(&part, dir.join(&name))?;

    let mut md = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n",
    );
    let _ = writeln!(md, "  <revision>{TIMESTAMP}</revision>\n  {primary_rec}");
    let _ = write!(
        md,
        "  <data type=\"filelists\">\n    <checksum type=\"sha256\">{sum}</checksum>\n    <open-checksum type=\"sha256\">{open_sum}</open-checksum>\n    <location href=\"repodata/{name}\"/>\n    <timestamp>{TIMESTAMP}</timestamp>\n    <size>{size}</size>\n    <open-size>{open_size}</open-size>\n  </data>\n</repomd>\n",
    );
    std::fs::write(dir.join("repomd.xml"), md)?;

    let opts = WriteOptions {
        compression: Compression::Zstd,
        timestamp: TIMESTAMP,
    };
    write_repodata(&out.join("source"), &sources(), &opts)?;
    let list: String = SOURCES.iter().map(|(n, _)| format!("{n}\n")).collect();
    std::fs::write(out.join("sources.txt"), list)?;
    let owners: String = files
        .wanted
        .iter()
        .map(|(p, o)| format!("{p} {}\n", o.join(" ")))
        .collect();
    std::fs::write(out.join("paths.txt"), owners)?;
    let stats = Stats {
        packages: names.len(),
        files: count,
        open_size,
        size,
    };
    std::fs::write(
        out.join("stats.txt"),
        format!(
            "repo={repo_name} packages={} files={} open_size={open_size} size={size}\n",
            stats.packages, stats.files
        ),
    )?;
    Ok(stats)
}

/// `bench-datagen --filelists REPO OUT CONTENTS...`.
pub fn main(args: &[String]) -> Result<()> {
    let (Some(repo), Some(out), contents) = (args.first(), args.get(1), &args[2.min(args.len())..])
    else {
        bail!("usage: bench-datagen --filelists BINARY-REPO OUT-DIR CONTENTS.gz...");
    };
    if contents.is_empty() {
        bail!("usage: bench-datagen --filelists BINARY-REPO OUT-DIR CONTENTS.gz...");
    }
    let readers = contents
        .iter()
        .map(|c| open_contents(&PathBuf::from(c)))
        .collect::<Result<Vec<_>>>()?;
    let level = std::env::var("BENCH_ZSTD_LEVEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let s = convert(Path::new(repo), readers, Path::new(out), level)?;
    eprintln!(
        "filelists: {} packages, {} files, {} MB unpacked, {} MB zst",
        s.packages,
        s.files,
        s.open_size / 1_000_000,
        s.size / 1_000_000
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use buildroot_core::rpmmd::{load_repo, Filelists, LoadOptions, RepoSpec};

    fn bin(name: &str, arch: &str) -> Package {
        Package {
            name: name.into(),
            arch: arch.into(),
            evr: Evr::new(0, "1.0", Some("1")),
            location: format!("pool/{name}.deb"),
            sourcerpm: format!("{name}-1.0-1.src.rpm"),
            ..Default::default()
        }
    }

    #[test]
    fn contents_become_filelists() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("x86_64");
        let opts = WriteOptions {
            compression: Compression::Zstd,
            timestamp: 1,
        };
        let pkgs = [
            bin("x11-common", "noarch"),
            bin("xmlto", "x86_64"),
            bin("a&b", "x86_64"),
            bin("empty", "x86_64"),
            bin("selinux-policy-dev", "noarch"),
        ];
        write_repodata(&repo, &pkgs, &opts).unwrap();
        let amd64 = "usr/bin/xmlto                          text/xmlto\n\
                     usr/share/man/man1/xmlto.1.gz          text/xmlto\n\
                     usr/share/xmlto/format/fo/pdf          text/xmlto\n\
                     usr/share/my file <1>&.txt             misc/a&b,non-free/misc/notours\n";
        let all = "usr/share/X11/rgb.txt                    x11/x11-common,text/xmlto\n\
                   usr/share/selinux/devel/Makefile         admin/selinux-policy-dev\n";
        let readers: Vec<Box<dyn BufRead>> = vec![
            Box::new(std::io::Cursor::new(amd64)),
            Box::new(std::io::Cursor::new(all)),
        ];
        let out = tmp.path().join("filelists");
        let s = convert(&repo, readers, &out, 3).unwrap();
        assert_eq!((s.packages, s.files), (5, 7));
        let dir = out.join("x86_64/repodata");
        let md = std::fs::read_to_string(dir.join("repomd.xml")).unwrap();
        let (_, href) = record(&md, "filelists").unwrap();
        let xml = read_meta(&out.join("x86_64").join(href)).unwrap();
        // createrepo_c's form: the files after <version/>, the primary subset too.
        assert!(xml.contains(
            " name=\"xmlto\" arch=\"x86_64\">\n  <version epoch=\"0\" ver=\"1.0\" rel=\"1\"/>\n  <file>/usr/bin/xmlto</file>\n  <file>/usr/share/man/man1/xmlto.1.gz</file>\n"
        ));
        assert!(xml.contains("  <file>/usr/share/my file &lt;1>&amp;.txt</file>\n"));

        // The tool reads it back: same packages, their files.
        let opts = LoadOptions {
            filelists: Filelists::All,
            cache_dir: None,
        };
        let spec = RepoSpec::new("fl", out.join("x86_64").to_str().unwrap());
        let loaded = load_repo(&spec, &opts).unwrap();
        let files: BTreeMap<&str, Vec<&str>> = loaded
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.files.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(files["x11-common"], ["/usr/share/X11/rgb.txt"]);
        assert_eq!(
            files["xmlto"],
            // (the loader takes primary.xml's subset, /usr/bin/xmlto, from primary.xml)
            [
                "/usr/share/man/man1/xmlto.1.gz",
                "/usr/share/xmlto/format/fo/pdf",
                "/usr/share/X11/rgb.txt"
            ]
        );
        assert_eq!(files["a&b"], ["/usr/share/my file <1>&.txt"]);
        assert!(files["empty"].is_empty());

        // The primary is the binary repo's own file.
        let orig = std::fs::read_to_string(repo.join("repodata/repomd.xml")).unwrap();
        assert_eq!(record(&md, "primary"), record(&orig, "primary"));
        assert!(record(&md, "other").is_none());

        let paths = std::fs::read_to_string(out.join("paths.txt")).unwrap();
        assert_eq!(
            paths,
            "/usr/share/X11/rgb.txt x11-common xmlto\n\
             /usr/share/selinux/devel/Makefile selinux-policy-dev\n\
             /usr/share/xmlto/format/fo/pdf xmlto\n"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("sources.txt")).unwrap(),
            "filedep-rgb\nfiledep-xmlto\nfiledep-selinux\n"
        );
        let src = load_repo(
            &RepoSpec::new("src", out.join("source").to_str().unwrap()),
            &LoadOptions::default(),
        )
        .unwrap();
        let rgb = src
            .packages
            .iter()
            .find(|p| p.name == "filedep-rgb")
            .unwrap();
        let brs: Vec<String> = rgb.requires.iter().map(|r| r.dep.to_string()).collect();
        assert_eq!(brs, ["gcc", "make", "/usr/share/X11/rgb.txt"]);

        // A path no package owns is an error, not a scenario that loads nothing.
        let readers: Vec<Box<dyn BufRead>> = vec![Box::new(std::io::Cursor::new(all))];
        let e = convert(&repo, readers, &tmp.path().join("bad"), 3).unwrap_err();
        assert!(
            e.to_string().contains("/usr/share/xmlto/format/fo/pdf"),
            "{e}"
        );
    }
}
