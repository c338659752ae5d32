//! Streaming reader of `filelists.xml`: adds file paths to packages already
//! read from primary.xml, optionally keeping only paths that some
//! dependency names (Fedora's filelists are several hundred MB unpacked).
//! What libsolv's rpm-md reader (`repo_rpmmd.c`) adds from this file, read
//! in one pass (packages matched by pkgid, else by name, arch and EVR) and
//! spread over the cores by cutting the stream into chunks (`chunks.rs`)
//! that the zero-copy scanner (`scan.rs`) reads.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::BufRead;
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::chunks::{parse_chunks, CHUNK};
use super::scan::{local, Scanner, Tok};
use crate::error::{Error, Result};
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
    keep: &(dyn Fn(&str) -> bool + Sync),
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
/// file order. The file is cut into chunks parsed on several threads (a
/// Fedora filelists.xml is ≈600 MB and 7M paths); `keep` sees each path
/// before anything is allocated for it, so it should reject cheaply.
pub fn read_filelists_keys<R: BufRead>(
    r: R,
    origin: &str,
    keys: &[FileKey<'_>],
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Vec<(usize, String)>> {
    read_filelists_chunked(r, origin, keys, keep, CHUNK)
}

/// [`read_filelists_keys`] with a given chunk size (bytes).
pub fn read_filelists_chunked<R: BufRead>(
    r: R,
    origin: &str,
    keys: &[FileKey<'_>],
    keep: &(dyn Fn(&str) -> bool + Sync),
    chunk: usize,
) -> Result<Vec<(usize, String)>> {
    let index = KeyIndex::new(keys);
    let parsed: Mutex<Vec<(usize, Result<Chunk>)>> = Mutex::new(Vec::new());
    parse_chunks(
        r,
        origin,
        chunk,
        |i, base, data| parse_fragment(data, origin, base, i == 0, &index, keep),
        |i, chunk| parsed.lock().expect("parsed chunks").push((i, chunk)),
    )?;
    let mut parsed = parsed.into_inner().expect("parsed chunks");
    parsed.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::new();
    let mut saw_root = false;
    for (_, chunk) in parsed {
        let chunk = chunk?;
        saw_root |= chunk.saw_root;
        out.extend(chunk.found);
    }
    if !saw_root {
        return Err(Error::format(
            origin,
            "not a filelists.xml (no <filelists> element)",
        ));
    }
    Ok(out)
}

/// The packages of primary.xml by the keys filelists.xml names them with.
struct KeyIndex<'k> {
    by_id: FxHashMap<&'k str, usize>,
    by_nevra: FxHashMap<(&'k str, &'k str, String), usize>,
}

impl<'k> KeyIndex<'k> {
    fn new(keys: &[FileKey<'k>]) -> Self {
        let mut by_id = FxHashMap::default();
        let mut by_nevra = FxHashMap::default();
        for (i, p) in keys.iter().enumerate() {
            if let Some(c) = p.checksum {
                by_id.insert(c, i);
            }
            by_nevra.insert((p.name, p.arch, p.evr.to_string()), i);
        }
        KeyIndex { by_id, by_nevra }
    }
}

/// What one chunk of filelists.xml gave.
struct Chunk {
    found: Vec<(usize, String)>,
    saw_root: bool,
}

/// Reads one chunk: a package is matched by its `pkgid`, else by name,
/// arch and the EVR of its `<version>`; its `<file>` texts that `keep`
/// accepts (and that primary.xml does not already list) are returned.
/// Chunks after the first start inside `<filelists>`, so end tags stay
/// checked.
fn parse_fragment(
    data: &[u8],
    origin: &str,
    base: u64,
    first: bool,
    index: &KeyIndex<'_>,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Result<Chunk> {
    let open: &[&str] = if first { &[] } else { &["filelists"] };
    let mut x = Scanner::new(data, origin, base, open)?;
    let mut out = Chunk {
        found: Vec::new(),
        saw_root: false,
    };
    // The package being read and how deep its element is (files outside
    // any package belong to none, wherever the chunks were cut).
    let mut cur: Option<usize> = None;
    let mut depth = usize::MAX;
    let mut pending: Option<(Cow<'_, str>, Cow<'_, str>)> = None; // name, arch until <version>
    let mut path = String::new();
    loop {
        // Most of the file is `<file>` lines: read without the token path.
        if let Some((_, text)) = x.leaf("file") {
            out.found.extend(kept(cur, text, keep));
            continue;
        }
        match x.next()? {
            // The root must be <filelists>: an element beside it would be
            // skipped past the end of the chunk.
            Tok::Start { name, empty, .. }
                if x.depth() == usize::from(!empty) && local(name) != "filelists" =>
            {
                return Err(x.err(format!("not a filelists.xml (root element <{name}>)")));
            }
            Tok::Start { name, attrs, empty } => match local(name) {
                "filelists" => out.saw_root = true,
                "package" => {
                    let id = x.attr(attrs, "pkgid")?.unwrap_or_default();
                    cur = index.by_id.get(id.as_ref()).copied();
                    pending = match cur {
                        None => Some((
                            x.attr(attrs, "name")?.unwrap_or_default(),
                            x.attr(attrs, "arch")?.unwrap_or_default(),
                        )),
                        Some(_) => None,
                    };
                    depth = x.depth();
                    if empty {
                        (cur, pending, depth) = (None, None, usize::MAX);
                    }
                }
                "version" => {
                    if let Some((n, a)) = pending.take() {
                        // As primary's `<version>` is read.
                        let (epoch, ver, rel) = (
                            x.attr(attrs, "epoch")?,
                            x.attr(attrs, "ver")?,
                            x.attr(attrs, "rel")?,
                        );
                        let (e, v, r) = super::entry_evr::libsolv_evr(
                            epoch.as_deref(),
                            ver.as_deref(),
                            rel.as_deref(),
                        );
                        let evr = Evr::new(e, v, r.as_deref());
                        cur = index
                            .by_nevra
                            .get(&(n.as_ref(), a.as_ref(), evr.to_string()))
                            .copied();
                    }
                    if !empty {
                        x.skip()?;
                    }
                }
                "file" if !empty => {
                    path.clear();
                    x.text_into(&mut path)?;
                    out.found.extend(kept(cur, &path, keep));
                }
                _ if !empty => x.skip()?,
                _ => {}
            },
            Tok::End if x.depth() < depth => (cur, pending, depth) = (None, None, usize::MAX),
            Tok::End | Tok::Text { .. } => {}
            // Chunks end after a </package>: anything but the root still
            // open here is cut short (a missing end tag, a truncated file).
            Tok::Eof if x.depth() > 1 => {
                let open = x.innermost().unwrap_or_default();
                return Err(x.err(format!("unexpected end of file inside <{open}>")));
            }
            Tok::Eof => return Ok(out),
        }
    }
}

/// A `<file>` of package `cur` (if any) that `keep` accepts and that
/// primary.xml does not list already (createrepo_c's subset), with its
/// package.
fn kept(
    cur: Option<usize>,
    path: &str,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> Option<(usize, String)> {
    let i = cur?;
    if !path.starts_with('/') {
        // As primary's (`primary::absolute`): libsolv reads both alike.
        let path = super::primary::absolute(path);
        return (keep(&path) && !is_primary_file(&path)).then_some((i, path));
    }
    (keep(path) && !is_primary_file(path)).then(|| (i, path.to_string()))
}
