//! Streaming reader of `primary.xml`: one [`Package`] per `<package>`,
//! handed to a visitor as soon as it is complete. Never builds a tree.

use std::io::{BufRead, Read};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use super::xml::{attr, attrs, local, Ev, XmlReader};
use crate::dep::Dep;
use crate::error::{Error, Result};
use crate::evr::Evr;
use crate::package::{Package, Requirement};

/// Parses primary.xml, calling `visit` for every package.
pub fn read_primary_with<R: BufRead>(
    r: R,
    origin: &str,
    mut visit: impl FnMut(Package) -> Result<()>,
) -> Result<()> {
    let mut x = XmlReader::new(r, origin);
    let mut buf = Vec::new();
    let mut saw_root = false;
    loop {
        match x.next(&mut buf)? {
            Ev::Start(s, empty) => {
                let name = local(&s);
                match name.as_str() {
                    "metadata" => saw_root = true,
                    "package" if !empty => {
                        let p = read_package(&mut x, &mut buf)?;
                        visit(p)?;
                    }
                    _ if !empty => x.skip(&mut buf)?,
                    _ => {}
                }
            }
            Ev::End | Ev::Text(_) | Ev::Other => {}
            Ev::Eof => break,
        }
    }
    if !saw_root {
        return Err(x.err("not a primary.xml (no <metadata> element)"));
    }
    Ok(())
}

/// Parses primary.xml on several threads, packages in file order. The
/// calling thread reads (and decompresses) the stream and cuts it into
/// chunks that end at a `</package>`; worker threads parse the chunks. At
/// most a few chunks are in memory at once, so this stays streaming.
pub fn read_primary_parallel<R: BufRead>(r: R, origin: &str) -> Result<Vec<Package>> {
    read_primary_chunked(r, origin, 4 << 20)
}

/// [`read_primary_parallel`] with a given chunk size (bytes).
pub fn read_primary_chunked<R: BufRead>(
    mut r: R,
    origin: &str,
    chunk: usize,
) -> Result<Vec<Package>> {
    let threads = rayon::current_num_threads().clamp(1, 8);
    if threads == 1 {
        return read_primary(r, origin);
    }
    type Parsed = (usize, Result<(Vec<Package>, bool)>);
    let results: Mutex<Vec<Parsed>> = Mutex::new(Vec::new());
    let mut read_error = None;
    let (tx, rx) = sync_channel::<(usize, u64, Vec<u8>)>(threads);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        let tx = tx;
        for _ in 0..threads {
            let (rx, results) = (&rx, &results);
            scope.spawn(move || loop {
                let job = rx.lock().expect("chunk queue").recv();
                let Ok((i, base, data)) = job else { break };
                let parsed = parse_fragment(&data, origin, base, i == 0);
                results.lock().expect("results").push((i, parsed));
            });
        }
        let (mut carry, mut index, mut base) = (Vec::new(), 0usize, 0u64);
        loop {
            let mut buf = std::mem::take(&mut carry);
            let mut eof = false;
            while buf.len() < chunk {
                let avail = match r.fill_buf() {
                    Ok(a) => a,
                    Err(e) => {
                        read_error = Some(Error::format(
                            origin,
                            format!("cannot decompress or read: {e}"),
                        ));
                        return;
                    }
                };
                if avail.is_empty() {
                    eof = true;
                    break;
                }
                buf.extend_from_slice(avail);
                let n = avail.len();
                r.consume(n);
            }
            let cut = if eof {
                Some(buf.len())
            } else {
                rfind(&buf, b"</package>").map(|p| p + 10)
            };
            let Some(cut) = cut else {
                carry = buf; // no package end yet: read more
                continue;
            };
            carry = buf.split_off(cut);
            let len = buf.len() as u64;
            if !buf.is_empty() && tx.send((index, base, buf)).is_err() {
                return;
            }
            index += 1;
            base += len;
            if eof {
                return;
            }
        }
    });
    if let Some(e) = read_error {
        return Err(e);
    }
    let mut results = results.into_inner().expect("results");
    results.sort_by_key(|(i, _)| *i);
    let mut out = Vec::new();
    let mut saw_root = false;
    for (_, r) in results {
        let (pkgs, root) = r?;
        saw_root |= root;
        out.extend(pkgs);
    }
    if !saw_root {
        return Err(Error::format(
            origin,
            "not a primary.xml (no <metadata> element)",
        ));
    }
    Ok(out)
}

/// The last occurrence of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Parses the packages of one chunk of primary.xml; also says whether the
/// chunk opened `<metadata>`. Chunks after the first get a synthetic
/// `<metadata>` start so end tags stay checked.
fn parse_fragment(
    data: &[u8],
    origin: &str,
    base: u64,
    first: bool,
) -> Result<(Vec<Package>, bool)> {
    const OPEN: &[u8] = b"<metadata>";
    let prefix: &[u8] = if first { b"" } else { OPEN };
    let start = base.saturating_sub(prefix.len() as u64);
    let mut x = XmlReader::with_offset(prefix.chain(data), origin, start, true);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut saw_root = false;
    loop {
        match x.next(&mut buf)? {
            Ev::Start(s, empty) => match s.local_name().as_ref() {
                "metadata" => saw_root |= first,
                "package" if !empty => out.push(read_package(&mut x, &mut buf)?),
                _ if !empty => x.skip(&mut buf)?,
                _ => {}
            },
            Ev::End | Ev::Text(_) | Ev::Other => {}
            Ev::Eof => break,
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

fn read_package<R: BufRead>(x: &mut XmlReader<R>, buf: &mut Vec<u8>) -> Result<Package> {
    let mut p = Package::default();
    let mut list: Option<List> = None;
    let mut depth = 1usize;
    while depth > 0 {
        match x.next(buf)? {
            Ev::Start(s, empty) => {
                let name = s.local_name();
                match name.as_ref() {
                    "entry" => {
                        if let Some(l) = list {
                            add_entry(x, &s, l, &mut p)?;
                        }
                        if !empty {
                            x.skip(buf)?;
                        }
                    }
                    "name" if !empty => p.name = x.text(buf)?,
                    "arch" if !empty => p.arch = x.text(buf)?,
                    "version" => {
                        let epoch = attr(x, &s, "epoch")?;
                        let epoch = match epoch.as_deref().filter(|e| !e.is_empty()) {
                            None => 0,
                            Some(e) => e.parse().map_err(|_| x.err(format!("bad epoch '{e}'")))?,
                        };
                        let ver = attr(x, &s, "ver")?.unwrap_or_default();
                        let rel = attr(x, &s, "rel")?;
                        p.evr = Evr::new(epoch, ver, rel.as_deref());
                        if !empty {
                            x.skip(buf)?;
                        }
                    }
                    "checksum" if !empty => {
                        p.checksum = Some(x.text(buf)?.trim().to_string());
                    }
                    "summary" if !empty => p.summary = x.text(buf)?,
                    "location" => {
                        p.location = attr(x, &s, "href")?.unwrap_or_default();
                        if !empty {
                            x.skip(buf)?;
                        }
                    }
                    "size" => {
                        p.size = attr(x, &s, "package")?
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                        if !empty {
                            x.skip(buf)?;
                        }
                    }
                    "sourcerpm" if !empty => p.sourcerpm = x.text(buf)?,
                    "format" if !empty => depth += 1,
                    "provides" | "requires" | "conflicts" | "obsoletes" | "recommends"
                    | "suggests" | "supplements" | "enhances" => {
                        list = Some(match name.as_ref() {
                            "provides" => List::Provides,
                            "requires" => List::Requires,
                            "conflicts" => List::Conflicts,
                            "obsoletes" => List::Obsoletes,
                            "recommends" => List::Recommends,
                            "suggests" => List::Suggests,
                            "supplements" => List::Supplements,
                            _ => List::Enhances,
                        });
                        if !empty {
                            depth += 1;
                        } else {
                            list = None;
                        }
                    }
                    "file" if !empty => {
                        let f = x.text(buf)?;
                        p.files.push(f);
                    }
                    _ if !empty => x.skip(buf)?,
                    _ => {}
                }
            }
            Ev::End => {
                depth -= 1;
                list = None;
            }
            Ev::Text(_) | Ev::Other => {}
            Ev::Eof => return Err(x.err("unexpected end of file inside <package>")),
        }
    }
    if p.name.is_empty() || p.arch.is_empty() {
        return Err(x.err("package without name or arch"));
    }
    Ok(p)
}

fn add_entry<R: BufRead>(
    x: &XmlReader<R>,
    s: &quick_xml::events::BytesStart<'_>,
    list: List,
    p: &mut Package,
) -> Result<()> {
    let (mut name, mut flags, mut epoch, mut ver, mut rel, mut pre) =
        (None, None, None, None, None, false);
    attrs(x, s, |k, v| match k {
        "name" => name = Some(v.to_string()),
        "flags" => flags = Some(v.to_string()),
        "epoch" => epoch = Some(v.to_string()),
        "ver" => ver = Some(v.to_string()),
        "rel" => rel = Some(v.to_string()),
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
