//! Streaming reader of `filelists.xml`: adds file paths to packages already
//! read from primary.xml, optionally keeping only paths that some
//! dependency names (Fedora's filelists are several hundred MB unpacked).

use std::collections::HashSet;
use std::io::BufRead;

use rustc_hash::FxHashMap;

use super::xml::{attr, local, Ev, XmlReader};
use crate::error::Result;
use crate::evr::Evr;
use crate::package::Package;

/// createrepo_c's rule for files listed in primary.xml too (`cr_is_primary`).
pub fn is_primary_file(path: &str) -> bool {
    path.starts_with("/etc/") || path == "/usr/lib/sendmail" || path.contains("bin/")
}

/// Reads filelists.xml and appends paths to the matching packages (matched
/// by pkgid, else by name/arch/EVR). `keep` filters paths when given.
pub fn read_filelists<R: BufRead>(
    r: R,
    origin: &str,
    packages: &mut [Package],
    keep: Option<&HashSet<String>>,
) -> Result<()> {
    read_filelists_where(r, origin, packages, &|p: &str| {
        keep.is_none_or(|k| k.contains(p))
    })
}

/// [`read_filelists`] keeping the paths for which `keep` holds.
pub fn read_filelists_where<R: BufRead>(
    r: R,
    origin: &str,
    packages: &mut [Package],
    keep: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let keys: Vec<FileKey<'_>> = packages.iter().map(FileKey::of).collect();
    let found = read_filelists_keys(r, origin, &keys, keep)?;
    for (i, path) in found {
        packages[i].files.push(path);
    }
    Ok(())
}

/// What identifies a package to filelists.xml: its `pkgid` (the package
/// checksum), else name, arch and EVR.
#[derive(Clone, Copy, Debug)]
pub struct FileKey<'a> {
    /// The package checksum, when known.
    pub checksum: Option<&'a str>,
    /// The package name.
    pub name: &'a str,
    /// The package arch.
    pub arch: &'a str,
    /// The package EVR.
    pub evr: &'a Evr,
}

impl<'a> FileKey<'a> {
    /// The key of a parsed package.
    pub fn of(p: &'a Package) -> FileKey<'a> {
        FileKey {
            checksum: p.checksum.as_deref(),
            name: &p.name,
            arch: &p.arch,
            evr: &p.evr,
        }
    }
}

/// Reads filelists.xml and returns the kept paths (those `keep` accepts,
/// minus primary's subset) with the index in `keys` of their package, in
/// file order.
pub fn read_filelists_keys<R: BufRead>(
    r: R,
    origin: &str,
    keys: &[FileKey<'_>],
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<(usize, String)>> {
    let mut out = Vec::new();
    let mut by_id: FxHashMap<&str, usize> = FxHashMap::default();
    let mut by_nevra: FxHashMap<(&str, &str, String), usize> = FxHashMap::default();
    for (i, p) in keys.iter().enumerate() {
        if let Some(c) = p.checksum {
            by_id.insert(c, i);
        }
        by_nevra.insert((p.name, p.arch, p.evr.to_string()), i);
    }
    let mut x = XmlReader::new(r, origin);
    let mut buf = Vec::new();
    let mut cur: Option<usize> = None;
    let mut pending: Option<(String, String)> = None; // name, arch until <version>
    let mut saw_root = false;
    loop {
        match x.next(&mut buf)? {
            Ev::Start(s, empty) => match local(&s).as_str() {
                "filelists" => saw_root = true,
                "package" => {
                    let id = attr(&x, &s, "pkgid")?.unwrap_or_default();
                    cur = by_id.get(id.as_str()).copied();
                    pending = if cur.is_none() {
                        Some((
                            attr(&x, &s, "name")?.unwrap_or_default(),
                            attr(&x, &s, "arch")?.unwrap_or_default(),
                        ))
                    } else {
                        None
                    };
                    if empty {
                        cur = None;
                    }
                }
                "version" => {
                    if let Some((n, a)) = pending.take() {
                        let epoch = attr(&x, &s, "epoch")?
                            .and_then(|e| e.parse().ok())
                            .unwrap_or(0);
                        let evr = crate::evr::Evr::new(
                            epoch,
                            attr(&x, &s, "ver")?.unwrap_or_default(),
                            attr(&x, &s, "rel")?.as_deref(),
                        );
                        cur = by_nevra
                            .get(&(n.as_str(), a.as_str(), evr.to_string()))
                            .copied();
                    }
                    if !empty {
                        x.skip(&mut buf)?;
                    }
                }
                "file" if !empty => {
                    let path = x.text(&mut buf)?;
                    if let Some(i) = cur {
                        // Paths createrepo_c puts into primary are already there.
                        if keep(&path) && !is_primary_file(&path) {
                            out.push((i, path));
                        }
                    }
                }
                _ if !empty => x.skip(&mut buf)?,
                _ => {}
            },
            Ev::End => {}
            Ev::Text(_) | Ev::Other => {}
            Ev::Eof => break,
        }
    }
    if !saw_root {
        return Err(x.err("not a filelists.xml (no <filelists> element)"));
    }
    Ok(out)
}
