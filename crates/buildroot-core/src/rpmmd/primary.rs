//! Streaming reader of `primary.xml`: one [`Package`] per `<package>`,
//! handed to a visitor as soon as it is complete. Never builds a tree.
//!
//! The stream is cut into chunks that end at a `</package>`; each chunk is
//! tokenized in place by [`Scanner`] (zero-copy), on several threads when
//! there are several cores, into a [`RawChunk`] that also holds the chunk's
//! distinct strings, EVRs and dependencies (an `rpm:entry` whose attributes
//! recur in the chunk is looked up by its text, not parsed again). At most
//! a few chunks are in memory at once, and their buffers are reused.

use std::io::BufRead;
use std::sync::Mutex;

use hashbrown::HashTable;

use super::chunks::{parse_chunks, Chunks, CHUNK};
use super::compress::check_package_checksum;
use super::raw::{RawChunk, RawEntry, RawPkg, RawText, ENHANCES, PROVIDES};
use super::scan::{local, Scanner, Tok};
use crate::dep::{Cmp, Dep};
use crate::error::{Error, Result};
use crate::package::Package;

/// Parses primary.xml, calling `visit` for every package, in file order.
pub fn read_primary_with<R: BufRead>(
    r: R,
    origin: &str,
    mut visit: impl FnMut(Package) -> Result<()>,
) -> Result<()> {
    let mut saw_root = false;
    let mut chunks = Chunks::new(r, origin, CHUNK);
    while let Some((i, base, data)) = chunks.next_chunk()? {
        let (chunk, root) = parse_fragment(&data, origin, base, i == 0)?;
        saw_root |= root;
        for p in chunk.to_packages() {
            visit(p)?;
        }
    }
    check_root(saw_root, origin)
}

/// Parses primary.xml on several threads, packages in file order. The
/// calling thread reads (and decompresses) the stream and cuts it into
/// chunks; worker threads parse the chunks.
pub fn read_primary_parallel<R: BufRead>(r: R, origin: &str) -> Result<Vec<Package>> {
    read_primary_chunked(r, origin, CHUNK)
}

/// [`read_primary_parallel`] with a given chunk size (bytes).
pub fn read_primary_chunked<R: BufRead>(r: R, origin: &str, chunk: usize) -> Result<Vec<Package>> {
    let results: Mutex<Vec<Parsed>> = Mutex::new(Vec::new());
    parse_chunks(
        r,
        origin,
        chunk,
        |i, base, data| parse_fragment(data, origin, base, i == 0),
        |i, parsed| results.lock().expect("results").push((i, parsed)),
    )?;
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    let total = results
        .iter()
        .map(|(_, r)| r.as_ref().map_or(0, |(p, _)| p.len()))
        .sum();
    let mut out = Vec::with_capacity(total);
    let mut saw_root = false;
    for (_, r) in results {
        let (chunk, root) = r?;
        saw_root |= root;
        out.extend(chunk.to_packages());
    }
    check_root(saw_root, origin)?;
    Ok(out)
}

/// The error for a primary.xml without its `<metadata>` root.
pub(super) fn check_root(saw_root: bool, origin: &str) -> Result<()> {
    if saw_root {
        Ok(())
    } else {
        Err(Error::format(
            origin,
            "not a primary.xml (no <metadata> element)",
        ))
    }
}

/// One parsed chunk: its index and its packages, or its parse error, with
/// whether it opened `<metadata>` (see [`check_root`]).
pub(super) type Parsed = (usize, Result<(RawChunk, bool)>);

/// Parses the packages of one chunk of primary.xml; also says whether the
/// chunk opened `<metadata>`. Chunks after the first start inside
/// `<metadata>`, so end tags stay checked.
pub(super) fn parse_fragment(
    data: &[u8],
    origin: &str,
    base: u64,
    first: bool,
) -> Result<(RawChunk, bool)> {
    let open: &[&str] = if first { &[] } else { &["metadata"] };
    let mut x = Scanner::new(data, origin, base, open)?;
    // Sized from the chunk (the strings are at most its bytes; entries
    // take over 1 KiB per package in real repos, ≈80 bytes per entry).
    let mut out = RawChunk {
        text: String::with_capacity(data.len() / 2),
        pkgs: Vec::with_capacity(data.len() / 1024 + 16),
        entries: Vec::with_capacity(data.len() / 64 + 16),
        ..Default::default()
    };
    out.reserve_distinct(data.len() / 512, data.len() / 1024, data.len() / 512);
    let mut saw_root = false;
    let mut seen = SeenEntries::with_capacity(data.len() / 400);
    loop {
        match x.next()? {
            Tok::Start { name, attrs, empty } => match tag(name) {
                Tag::Metadata => {
                    saw_root |= first;
                    // What the file says it holds: the pool sizes its
                    // tables from it (a hint only; never checked).
                    // A hint: a bad value (or attribute) is no error.
                    out.declared = x
                        .attr(attrs, "packages")
                        .ok()
                        .flatten()
                        .and_then(|v| v.parse().ok());
                }
                Tag::Package if !empty => read_package(&mut x, &mut out, &mut seen)?,
                _ if !empty => x.skip()?,
                _ => {}
            },
            Tok::End | Tok::Text { .. } => {}
            Tok::Eof => break,
        }
    }
    out.seal();
    Ok((out, saw_root))
}

/// Parses primary.xml into a vector of packages.
pub fn read_primary<R: BufRead>(r: R, origin: &str) -> Result<Vec<Package>> {
    let mut out = Vec::new();
    read_primary_with(r, origin, |p| {
        out.push(p);
        Ok(())
    })?;
    Ok(out)
}

/// The elements of primary.xml the parser reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Metadata,
    Package,
    Name,
    Arch,
    Version,
    Checksum,
    Summary,
    Location,
    Size,
    Format,
    Sourcerpm,
    /// A dependency list, by its [`RawPkg::lists`] index.
    List(usize),
    Entry,
    File,
    Other,
}

/// What element `name` (namespace prefix and all) is. By length first: a
/// match on strings compares arm by arm, and this runs for every element.
fn tag(name: &str) -> Tag {
    let n = name.strip_prefix("rpm:").unwrap_or(name).as_bytes();
    match kind_of(n) {
        // A second prefix (`rpm:x:entry`): the local name is after the last.
        Tag::Other if n.contains(&b':') => kind_of(local(name).as_bytes()),
        t => t,
    }
}

/// What element of local name `n` is.
fn kind_of(n: &[u8]) -> Tag {
    use super::raw::*;
    match n.len() {
        4 => match n {
            b"name" => Tag::Name,
            b"arch" => Tag::Arch,
            b"size" => Tag::Size,
            b"file" => Tag::File,
            _ => Tag::Other,
        },
        5 if n == b"entry" => Tag::Entry,
        6 if n == b"format" => Tag::Format,
        7 => match n {
            b"version" => Tag::Version,
            b"summary" => Tag::Summary,
            b"package" => Tag::Package,
            _ => Tag::Other,
        },
        8 => match n {
            b"provides" => Tag::List(PROVIDES),
            b"requires" => Tag::List(REQUIRES),
            b"suggests" => Tag::List(SUGGESTS),
            b"enhances" => Tag::List(ENHANCES),
            b"checksum" => Tag::Checksum,
            b"location" => Tag::Location,
            b"metadata" => Tag::Metadata,
            _ => Tag::Other,
        },
        9 => match n {
            b"conflicts" => Tag::List(CONFLICTS),
            b"obsoletes" => Tag::List(OBSOLETES),
            b"sourcerpm" => Tag::Sourcerpm,
            _ => Tag::Other,
        },
        10 if n == b"recommends" => Tag::List(RECOMMENDS),
        11 if n == b"supplements" => Tag::List(SUPPLEMENTS),
        _ => Tag::Other,
    }
}

/// The entries of a chunk by their attributes as written: most
/// dependencies recur within a chunk, and a recurring one is neither parsed
/// nor interned again.
type SeenEntries<'a> = HashTable<(&'a str, RawEntry)>;

fn read_package<'a>(
    x: &mut Scanner<'a>,
    c: &mut RawChunk,
    seen: &mut SeenEntries<'a>,
) -> Result<()> {
    let mut p = RawPkg::default();
    let mut list: Option<usize> = None;
    // Entries arrive list by list, in the file's list order: they are
    // laid out in `RawPkg::lists` order at the end (a stable sort).
    let estart = c.entries.len();
    c.entry_lists.clear();
    let fstart = c.files.len() as u32;
    let depth = x.depth();
    let text = |x: &mut Scanner<'_>, c: &mut RawChunk| -> Result<_> {
        let start = c.text.len();
        x.text_into(&mut c.text)?;
        Ok(c.text_since(start))
    };
    let interned = |x: &mut Scanner<'_>, c: &mut RawChunk| -> Result<_> {
        let start = c.text.len();
        x.text_into(&mut c.text)?;
        Ok(Some(c.intern_since(start)))
    };
    let (mut pname, mut parch, mut evr) = (None, None, None);
    loop {
        match x.next_tag()? {
            Tok::Start { name, attrs, empty } => match tag(name) {
                Tag::Entry => {
                    if let Some(l) = list {
                        if let Some(e) = entry(x, attrs, c, seen)? {
                            c.entries.push(e);
                            c.entry_lists.push(l as u8);
                        }
                    }
                    if !empty {
                        x.skip()?;
                    }
                }
                Tag::Name if !empty => pname = interned(x, c)?,
                Tag::Arch if !empty => parch = interned(x, c)?,
                Tag::Version => {
                    let (mut epoch, mut ver, mut rel) = (None, None, None);
                    x.attrs(attrs, |k, v| match k {
                        "epoch" => epoch = Some(v),
                        "ver" => ver = Some(v),
                        "rel" => rel = Some(v),
                        _ => {}
                    })?;
                    let epoch = match epoch.as_deref().filter(|e| !e.is_empty()) {
                        None => 0,
                        Some(e) => e.parse().map_err(|_| x.err(format!("bad epoch '{e}'")))?,
                    };
                    evr = Some(c.intern_evr(
                        epoch,
                        ver.as_deref().unwrap_or_default(),
                        rel.as_deref(),
                    ));
                    if !empty {
                        x.skip()?;
                    }
                }
                Tag::Checksum if !empty => {
                    let algo = x.attr(attrs, "type")?;
                    // Decoded into the chunk's text, then trimmed in place.
                    let t = text(x, c)?;
                    let s = c.str(t);
                    let lead = s.len() - s.trim_start().len();
                    let kept = s.trim();
                    check_package_checksum(algo.as_deref(), kept).map_err(|e| x.err(e))?;
                    p.checksum = Some(RawText {
                        start: t.start + lead as u32,
                        len: kept.len() as u32,
                    });
                }
                Tag::Summary if !empty => p.summary = text(x, c)?,
                Tag::Location => {
                    p.location = c.push_text(&x.attr(attrs, "href")?.unwrap_or_default());
                    if !empty {
                        x.skip()?;
                    }
                }
                Tag::Size => {
                    p.size = x
                        .attr(attrs, "package")?
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    if !empty {
                        x.skip()?;
                    }
                }
                Tag::Sourcerpm if !empty => p.sourcerpm = text(x, c)?,
                Tag::Format if !empty => {}
                Tag::List(l) => list = (!empty).then_some(l),
                Tag::File if !empty => {
                    let t = text(x, c)?;
                    c.files.push(t);
                }
                _ if !empty => x.skip()?,
                _ => {}
            },
            Tok::End => {
                list = None;
                if x.depth() < depth {
                    break;
                }
            }
            Tok::Text { .. } => {}
            Tok::Eof => return Err(x.err("unexpected end of file inside <package>")),
        }
    }
    let (Some(name), Some(arch)) = (pname, parch) else {
        return Err(x.err("package without name or arch"));
    };
    if c.local_str(name).is_empty() || c.local_str(arch).is_empty() {
        return Err(x.err("package without name or arch"));
    }
    (p.name, p.arch) = (name, arch);
    p.evr = evr.unwrap_or_else(|| c.intern_evr(0, "", None));
    c.set_srcname(&mut p);
    let tags = &c.entry_lists;
    if tags.windows(2).any(|w| w[0] > w[1]) {
        let mut idx: Vec<usize> = (0..tags.len()).collect();
        idx.sort_by_key(|&i| tags[i]);
        let sorted: Vec<RawEntry> = idx.iter().map(|&i| c.entries[estart + i]).collect();
        c.entries[estart..].copy_from_slice(&sorted);
        c.entry_lists.sort();
    }
    let mut at = 0;
    for k in PROVIDES..=ENHANCES {
        p.lists[k] = (estart + at) as u32;
        while at < c.entry_lists.len() && c.entry_lists[at] as usize == k {
            at += 1;
        }
    }
    p.lists[ENHANCES + 1] = c.entries.len() as u32;
    p.files = (fstart, c.files.len() as u32);
    c.pkgs.push(p);
    Ok(())
}

/// The entry of an `rpm:entry` with attributes `attrs`; none for a rich
/// dependency that cannot be read.
fn entry<'a>(
    x: &Scanner<'a>,
    attrs: &'a str,
    c: &mut RawChunk,
    seen: &mut SeenEntries<'a>,
) -> Result<Option<RawEntry>> {
    let hash = super::raw::str_hash(attrs);
    if let Some(&(_, e)) = seen.find(hash, |(a, _)| *a == attrs) {
        return Ok(Some(e));
    }
    let e = read_entry(x, attrs, c)?;
    if let Some(e) = e {
        seen.insert_unique(hash, (attrs, e), |(a, _)| super::raw::str_hash(a));
    }
    Ok(e)
}

fn read_entry<'a>(x: &Scanner<'a>, attrs: &'a str, c: &mut RawChunk) -> Result<Option<RawEntry>> {
    let (mut name, mut flags, mut epoch, mut ver, mut rel, mut pre) =
        (None, None, None, None, None, false);
    x.attrs(attrs, |k, v| match k {
        "name" => name = Some(v),
        "flags" => flags = Some(v),
        "epoch" => epoch = Some(v),
        "ver" => ver = Some(v),
        "rel" => rel = Some(v),
        // libsolv (`adddep`) looks at the first character only.
        "pre" => pre = v.starts_with('1'),
        _ => {}
    })?;
    let name = name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| x.err("rpm:entry without a name"))?;
    // As libsolv's `adddep`: no flags and a parenthesis is a rich dependency.
    let flags = flags.filter(|f| !f.is_empty());
    if flags.is_none() && name.starts_with('(') {
        // libsolv's repo_rpmmd drops an entry its rich parser cannot read
        // (createrepo_c lists `(a or foo(bar)` as rpm wrote it), from
        // whichever list it is in, and reads on.
        // In provides and obsoletes too: libsolv keeps a rich provide under
        // its leftmost name (`pool/build.rs`), and matches a rich obsolete
        // against package names (`pool_match_nevr`).
        return Ok(match Dep::parse_stored_rich(&name) {
            Ok(dep) => Some(c.rich_entry(dep, pre)),
            Err(_) => None,
        });
    }
    let range = match flags {
        None => None,
        Some(f) => {
            let cmp = Cmp::from_rpmmd(&f).ok_or_else(|| {
                x.err(Error::parse(
                    "dependency flags",
                    &*f,
                    "expected LT, LE, EQ, GE or GT",
                ))
            })?;
            // As libsolv joins the three and splits them again to compare
            // (`entry_evr.rs`): createrepo_c's `1.0` / `1-2` is `1.0-1` /
            // `2`, a signed epoch (`-1`) part of version and release.
            let (epoch, ver, rel) =
                super::entry_evr::libsolv_evr(epoch.as_deref(), ver.as_deref(), rel.as_deref());
            Some((cmp, epoch, ver, rel))
        }
    };
    let range = range
        .as_ref()
        .map(|(cmp, e, v, r)| (*cmp, *e, v.as_ref(), r.as_deref()));
    Ok(Some(c.simple_entry(&name, range, pre)))
}
