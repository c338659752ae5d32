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
use super::scan::{Scanner, Tok};
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
        let (chunk, root) = parse_fragment(&data, origin, base, i == 0, true)?;
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
        |i, base, data| parse_fragment(data, origin, base, i == 0, true),
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
/// `<metadata>`, so end tags stay checked. With `times`, each package's
/// `<time file>` is read ([`RawPkg::time_file`]); without, that element
/// is passed over as before it was read: only packages handed out as
/// [`Package`]s keep it, and reading it for the pool (which keeps none)
/// cost its load 2.5% of its instructions (`Scanner::attr` checks every
/// attribute of the element).
pub(super) fn parse_fragment(
    data: &[u8],
    origin: &str,
    base: u64,
    first: bool,
    times: bool,
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
                // A `<package pkgid="...">` adds to the package of that
                // checksum in libsolv (as filelists.xml's do); with no such
                // package before it, libsolv drops it. Dropped (adding to
                // one is not done: createrepo_c writes no such attribute).
                Tag::Package if !empty && has_pkgid(&x, attrs)? => x.skip()?,
                Tag::Package if !empty => read_package(&mut x, &mut out, &mut seen, times)?,
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

/// Whether a `<package>` has a `pkgid` attribute (looked for only when its
/// attributes hold the word, by a byte loop: this runs for every package,
/// whose attributes are ` type="rpm"`).
fn has_pkgid(x: &Scanner<'_>, attrs: &str) -> Result<bool> {
    let word = attrs.as_bytes().windows(5).any(|w| w == b"pkgid");
    Ok(word && x.attr(attrs, "pkgid")?.is_some())
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
    Time,
    Format,
    Sourcerpm,
    /// A dependency list, by its [`RawPkg::lists`] index.
    List(usize),
    Entry,
    File,
    Other,
}

/// What element `name` is, by its name as written: libsolv's reader
/// (`solv_xmlparser`) compares names with their prefix, so `rpm:provides`
/// is a list and `provides`, `x:provides` or `rpm:name` are elements it
/// skips, with all they hold. By length first: a match on strings
/// compares arm by arm, and this runs for every element.
fn tag(name: &str) -> Tag {
    use super::raw::*;
    let n = name.as_bytes();
    // Most elements are dependency entries: one compare, and a branch
    // that is mostly taken, before the jump on the length (whose target
    // changes with every element, which predictors miss often).
    if n == b"rpm:entry" {
        return Tag::Entry;
    }
    match n.len() {
        4 => match n {
            b"name" => Tag::Name,
            b"arch" => Tag::Arch,
            b"size" => Tag::Size,
            b"file" => Tag::File,
            b"time" => Tag::Time,
            _ => Tag::Other,
        },
        6 if n == b"format" => Tag::Format,
        7 => match n {
            b"version" => Tag::Version,
            b"summary" => Tag::Summary,
            b"package" => Tag::Package,
            _ => Tag::Other,
        },
        8 => match n {
            b"checksum" => Tag::Checksum,
            b"location" => Tag::Location,
            b"metadata" => Tag::Metadata,
            _ => Tag::Other,
        },
        12 => match n {
            b"rpm:provides" => Tag::List(PROVIDES),
            b"rpm:requires" => Tag::List(REQUIRES),
            b"rpm:suggests" => Tag::List(SUGGESTS),
            b"rpm:enhances" => Tag::List(ENHANCES),
            _ => Tag::Other,
        },
        13 => match n {
            b"rpm:conflicts" => Tag::List(CONFLICTS),
            b"rpm:obsoletes" => Tag::List(OBSOLETES),
            b"rpm:sourcerpm" => Tag::Sourcerpm,
            _ => Tag::Other,
        },
        14 if n == b"rpm:recommends" => Tag::List(RECOMMENDS),
        15 if n == b"rpm:supplements" => Tag::List(SUPPLEMENTS),
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
    times: bool,
) -> Result<()> {
    let mut p = RawPkg::default();
    let mut list: Option<usize> = None;
    // The lists begun so far (bit k: list k).
    let mut lists_seen = 0u8;
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
                // A list holds entries only: anything else in it is skipped
                // (libsolv knows no other element there).
                _ if list.is_some() && !empty => x.skip()?,
                _ if list.is_some() => {}
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
                    // Compared as libsolv compares what it joins of them
                    // (`entry_evr.rs`): an epoch that is no number
                    // (`epoch="x"`) is part of the version, `x:1`.
                    let (epoch, ver, rel) = super::entry_evr::libsolv_evr(
                        epoch.as_deref(),
                        ver.as_deref(),
                        rel.as_deref(),
                    );
                    evr = Some(c.intern_evr(epoch, &ver, rel.as_deref()));
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
                Tag::Time if times => {
                    // A value that is no number is none, as a bad size.
                    p.time_file = x
                        .attr(attrs, "file")?
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    if !empty {
                        x.skip()?;
                    }
                }
                Tag::Sourcerpm if !empty => p.sourcerpm = text(x, c)?,
                Tag::Format if !empty => {}
                Tag::List(l) => {
                    // libsolv starts a list afresh at each of its elements
                    // (`<rpm:provides/>` too): the last one is the list.
                    if lists_seen & (1 << l) != 0 {
                        drop_list(c, estart, l as u8);
                    }
                    lists_seen |= 1 << l;
                    list = (!empty).then_some(l);
                }
                Tag::File if !empty => {
                    let mut t = text(x, c)?;
                    if !c.str(t).starts_with('/') {
                        t = c.push_text(&absolute(c.str(t)));
                    }
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
    // No `<arch>` is noarch, as libsolv makes it; an empty one is an arch
    // no target installs (the package stays, never a provider). No
    // `<name>` is the empty name, as `<name/>` is: libsolv keeps such a
    // package, and its provides count (only its self-provide differs).
    let arch = parch.unwrap_or_else(|| c.intern("noarch"));
    let name = pname.unwrap_or_else(|| c.intern(""));
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

/// A `<file>` path that does not start with `/` as libsolv lists it: in
/// the root directory (`a/b` is `/a/b`; libsolv joins a directory that is
/// not absolute to `/`). createrepo_c writes absolute paths only.
pub(super) fn absolute(path: &str) -> String {
    format!("/{path}")
}

/// Drops the entries of list `l` read so far for the package whose entries
/// start at `estart`.
fn drop_list(c: &mut RawChunk, estart: usize, l: u8) {
    let mut kept = 0;
    for i in 0..c.entry_lists.len() {
        if c.entry_lists[i] != l {
            c.entries[estart + kept] = c.entries[estart + i];
            c.entry_lists[kept] = c.entry_lists[i];
            kept += 1;
        }
    }
    c.entries.truncate(estart + kept);
    c.entry_lists.truncate(kept);
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
    let mut kind = None;
    x.attrs(attrs, |k, v| match k {
        "name" => name = Some(v),
        "flags" => flags = Some(v),
        "epoch" => epoch = Some(v),
        "ver" => ver = Some(v),
        "rel" => rel = Some(v),
        // libsolv (`adddep`) looks at the first character only.
        "pre" => pre = v.starts_with('1'),
        "kind" => kind = Some(v),
        _ => {}
    })?;
    // libsolv's `adddep` skips an entry without a name; `name=""` is a
    // dependency on the empty name, which nothing provides.
    let Some(mut name) = name else {
        return Ok(None);
    };
    // A `kind` other than `package` (SUSE's patches and patterns) is the
    // name's prefix, `patch:foo`; such a name is never rich.
    let kind = kind.filter(|k| k != "package");
    if let Some(k) = &kind {
        name = format!("{k}:{name}").into();
    }
    // As libsolv's `adddep`: no flags and a parenthesis is a rich dependency.
    if flags.is_none() && kind.is_none() && name.starts_with('(') {
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
            // Any text: libsolv keeps flags it does not know (`""`, `XX`)
            // as a relation nothing meets, not refusing the repo.
            let cmp = Cmp::from_rpmmd(&f);
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
