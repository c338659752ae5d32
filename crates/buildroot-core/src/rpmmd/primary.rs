//! Streaming reader of `primary.xml`: one [`Package`] per `<package>`,
//! handed to a visitor as soon as it is complete. Never builds a tree.
//!
//! The stream is cut into chunks that end at a `</package>`; each chunk is
//! tokenized in place by [`Scanner`] (zero-copy), on several threads when
//! there are several cores. At most a few chunks are in memory at once.

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use super::scan::{local, Scanner, Tok};
use crate::dep::Dep;
use crate::error::{Error, Result};
use crate::evr::Evr;
use crate::package::{Package, Requirement};

/// Chunk size for both paths; large enough that per-chunk costs vanish,
/// small enough to stay streaming.
pub(super) const CHUNK: usize = 4 << 20;

/// Parses primary.xml, calling `visit` for every package, in file order.
pub fn read_primary_with<R: BufRead>(
    r: R,
    origin: &str,
    mut visit: impl FnMut(Package) -> Result<()>,
) -> Result<()> {
    let mut saw_root = false;
    let mut chunks = Chunks::new(r, origin, CHUNK);
    while let Some((i, base, data)) = chunks.next_chunk()? {
        let (pkgs, root) = parse_fragment(&data, origin, base, i == 0)?;
        saw_root |= root;
        for p in pkgs {
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
    parse_chunks(r, origin, chunk, |i, parsed| {
        results.lock().expect("results").push((i, parsed));
    })?;
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    let total = results
        .iter()
        .map(|(_, r)| r.as_ref().map_or(0, |(p, _)| p.len()))
        .sum();
    let mut out = Vec::with_capacity(total);
    let mut saw_root = false;
    for (_, r) in results {
        let (pkgs, root) = r?;
        saw_root |= root;
        out.extend(pkgs);
    }
    check_root(saw_root, origin)?;
    Ok(out)
}

/// One parsed chunk: its index and its packages, or its parse error, with
/// whether it opened `<metadata>` (see [`check_root`]).
pub(super) type Parsed = (usize, Result<(Vec<Package>, bool)>);

/// Cuts the stream into chunks and parses them on several threads (the
/// calling thread reads and decompresses), calling `emit` on the parsing
/// thread for each chunk as soon as it is parsed, so in no particular
/// order. Returns the stream's read error, if any (parse errors go to
/// `emit`); after one, later chunks are not emitted.
pub(super) fn parse_chunks<R: BufRead>(
    r: R,
    origin: &str,
    chunk: usize,
    emit: impl Fn(usize, Result<(Vec<Package>, bool)>) + Sync,
) -> Result<()> {
    let threads = rayon::current_num_threads().clamp(1, 8);
    let mut chunks = Chunks::new(r, origin, chunk);
    if threads == 1 {
        while let Some((i, base, data)) = chunks.next_chunk()? {
            emit(i, parse_fragment(&data, origin, base, i == 0));
        }
        return Ok(());
    }
    let mut read_error = None;
    let (tx, rx) = sync_channel::<(usize, u64, Vec<u8>)>(threads);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        let tx = tx;
        for _ in 0..threads {
            let (rx, emit) = (&rx, &emit);
            scope.spawn(move || loop {
                let job = rx.lock().expect("chunk queue").recv();
                let Ok((i, base, data)) = job else { break };
                emit(i, parse_fragment(&data, origin, base, i == 0));
            });
        }
        loop {
            match chunks.next_chunk() {
                Ok(Some(job)) => {
                    if tx.send(job).is_err() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    read_error = Some(e);
                    return;
                }
            }
        }
    });
    match read_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

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

/// Cuts a stream into chunks of about `size` bytes that end just after a
/// `</package>` (the last one at end of file).
struct Chunks<'o, R> {
    r: R,
    origin: &'o str,
    size: usize,
    carry: Vec<u8>,
    index: usize,
    base: u64,
    done: bool,
}

impl<'o, R: BufRead> Chunks<'o, R> {
    fn new(r: R, origin: &'o str, size: usize) -> Self {
        Chunks {
            r,
            origin,
            size: size.max(1),
            carry: Vec::new(),
            index: 0,
            base: 0,
            done: false,
        }
    }

    /// The next (index, file offset, bytes), or None at the end.
    fn next_chunk(&mut self) -> Result<Option<(usize, u64, Vec<u8>)>> {
        const END: &[u8] = b"</package>";
        let mut want = self.size;
        // Sized up front: growing a multi-MB buffer by doubling copies it.
        let mut buf = Vec::with_capacity(want + (64 << 10));
        buf.append(&mut self.carry);
        loop {
            if self.done {
                if buf.is_empty() {
                    return Ok(None);
                }
                break;
            }
            // Only the newly read part (and a tag split across reads) can
            // hold a new package end.
            let searched = buf.len().saturating_sub(END.len() - 1);
            // Read straight into the chunk: a read this large bypasses the
            // reader's own buffer, so the bytes are not copied again.
            let mut filled = buf.len();
            buf.resize(want, 0);
            while filled < want {
                match self.r.read(&mut buf[filled..]) {
                    Ok(0) => {
                        self.done = true;
                        break;
                    }
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(Error::format(
                            self.origin,
                            format!("cannot decompress or read: {e}"),
                        ))
                    }
                }
            }
            buf.truncate(filled);
            if self.done {
                break;
            }
            match memchr::memmem::rfind(&buf[searched..], END) {
                Some(p) => {
                    self.carry = buf.split_off(searched + p + END.len());
                    break;
                }
                // No package end yet: read more into the same chunk.
                None => want = buf.len() + self.size,
            }
        }
        let (i, base) = (self.index, self.base);
        self.index += 1;
        self.base += buf.len() as u64;
        Ok(Some((i, base, buf)))
    }
}

/// Parses the packages of one chunk of primary.xml; also says whether the
/// chunk opened `<metadata>`. Chunks after the first start inside
/// `<metadata>`, so end tags stay checked.
fn parse_fragment(
    data: &[u8],
    origin: &str,
    base: u64,
    first: bool,
) -> Result<(Vec<Package>, bool)> {
    let open: &[&str] = if first { &[] } else { &["metadata"] };
    let mut x = Scanner::new(data, origin, base, open)?;
    // Packages are large; growing the vector by doubling would copy them.
    // Counting the `</package>` tags would cost a pass over the chunk, so
    // the capacity is a generous estimate (entries take over 1 KiB each in
    // real repos; untouched capacity costs only address space).
    let mut out = Vec::with_capacity(data.len() / 1024 + 16);
    let mut saw_root = false;
    loop {
        match x.next()? {
            Tok::Start { name, empty, .. } => match local(name) {
                "metadata" => saw_root |= first,
                "package" if !empty => out.push(read_package(&mut x)?),
                _ if !empty => x.skip()?,
                _ => {}
            },
            Tok::End | Tok::Text { .. } => {}
            Tok::Eof => break,
        }
    }
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

/// Which dependency list an `rpm:entry` goes to.
#[derive(Clone, Copy)]
enum List {
    Provides,
    Requires,
    Conflicts,
    Obsoletes,
    Recommends,
    Suggests,
    Supplements,
    Enhances,
}

/// The value of attribute `key` in `attrs`.
fn attr<'a>(x: &Scanner<'a>, attrs: &'a str, key: &str) -> Result<Option<Cow<'a, str>>> {
    let mut found = None;
    x.attrs(attrs, |k, v| {
        if k == key {
            found = Some(v);
        }
    })?;
    Ok(found)
}

fn read_package(x: &mut Scanner<'_>) -> Result<Package> {
    let mut p = Package::default();
    let mut list: Option<List> = None;
    let depth = x.depth();
    loop {
        match x.next()? {
            Tok::Start { name, attrs, empty } => match local(name) {
                "entry" => {
                    if let Some(l) = list {
                        add_entry(x, attrs, l, &mut p)?;
                    }
                    if !empty {
                        x.skip()?;
                    }
                }
                "name" if !empty => p.name = x.text()?,
                "arch" if !empty => p.arch = x.text()?,
                "version" => {
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
                    p.evr = Evr::new(epoch, ver.unwrap_or_default(), rel.as_deref());
                    if !empty {
                        x.skip()?;
                    }
                }
                "checksum" if !empty => p.checksum = Some(x.text()?.trim().to_string()),
                "summary" if !empty => p.summary = x.text()?,
                "location" => {
                    p.location = attr(x, attrs, "href")?.unwrap_or_default().into_owned();
                    if !empty {
                        x.skip()?;
                    }
                }
                "size" => {
                    p.size = attr(x, attrs, "package")?
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    if !empty {
                        x.skip()?;
                    }
                }
                "sourcerpm" if !empty => p.sourcerpm = x.text()?,
                "format" if !empty => {}
                l @ ("provides" | "requires" | "conflicts" | "obsoletes" | "recommends"
                | "suggests" | "supplements" | "enhances") => {
                    list = (!empty).then_some(match l {
                        "provides" => List::Provides,
                        "requires" => List::Requires,
                        "conflicts" => List::Conflicts,
                        "obsoletes" => List::Obsoletes,
                        "recommends" => List::Recommends,
                        "suggests" => List::Suggests,
                        "supplements" => List::Supplements,
                        _ => List::Enhances,
                    });
                }
                "file" if !empty => p.files.push(x.text()?),
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
    if p.name.is_empty() || p.arch.is_empty() {
        return Err(x.err("package without name or arch"));
    }
    Ok(p)
}

fn add_entry<'a>(x: &Scanner<'a>, attrs: &'a str, list: List, p: &mut Package) -> Result<()> {
    let (mut name, mut flags, mut epoch, mut ver, mut rel, mut pre) =
        (None, None, None, None, None, false);
    x.attrs(attrs, |k, v| match k {
        "name" => name = Some(v),
        "flags" => flags = Some(v),
        "epoch" => epoch = Some(v),
        "ver" => ver = Some(v),
        "rel" => rel = Some(v),
        "pre" => pre = v == "1" || v == "true",
        _ => {}
    })?;
    let name = name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| x.err("rpm:entry without a name"))?;
    let dep = Dep::from_rpmmd(
        &name,
        flags.as_deref(),
        epoch.as_deref(),
        ver.as_deref(),
        rel.as_deref(),
    )
    .map_err(|e| x.err(e))?;
    match list {
        List::Provides | List::Obsoletes => {
            let simple = match dep {
                Dep::Simple(sd) => sd,
                other => {
                    return Err(x.err(format!(
                        "rich dependency '{other}' is not allowed in provides/obsoletes"
                    )))
                }
            };
            if matches!(list, List::Provides) {
                p.provides.push(simple);
            } else {
                p.obsoletes.push(simple);
            }
        }
        List::Requires => p.requires.push(Requirement { dep, pre }),
        List::Conflicts => p.conflicts.push(dep),
        List::Recommends => p.recommends.push(dep),
        List::Suggests => p.suggests.push(dep),
        List::Supplements => p.supplements.push(dep),
        List::Enhances => p.enhances.push(dep),
    }
    Ok(())
}
