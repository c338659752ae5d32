//! Checks an RPM file's lead and both header structures as rpm (4.18.2 to
//! 6.1: `lib/header.c` is the same in all of them; 4.18.0 also checked the
//! lead's type and version, and read tags as signed) does before it hands a
//! package's header to anyone (`rpmReadPackageFile`, what
//! `rpm -qp` and createrepo_c call): `rpmLeadRead` (the magic); `hdrblobRead` and
//! `hdrblobInit` for the signature header and the main header, with their
//! `hdrblobVerifyRegion` (the region tag and its trailer) and
//! `hdrblobVerifyInfo` (each entry's tag, type, count, alignment and data);
//! `hdrblobImport`'s check that the entries account for the data exactly;
//! and `headerMergeLegacySigs`' checks of the signature tags it copies into
//! the main header. What rpm refuses is refused here, each problem on one
//! line. Digests and signatures are not checked: createrepo_c turns those
//! checks off (`_RPMVSF_NODIGESTS | _RPMVSF_NOSIGNATURES`), so a package
//! with a stale digest is in its repodata, and must be in ours.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::tag_types::tag_type;
use super::tags::{TAG_HEADERIMAGE, TAG_HEADERIMMUTABLE, TAG_HEADERSIGNATURES};
use crate::error::{Error, Result};

/// The lead's size.
pub(crate) const LEAD_SIZE: u64 = 96;
/// rpm's header magic, version byte and four reserved bytes: all compared.
const HEADER_MAGIC: [u8; 8] = [0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
/// The region tag's type (binary) and count (one index entry's size).
const REGION_TYPE: u32 = 7;
const REGION_COUNT: u32 = 16;
/// `HEADER_DATA_MAX`: counts, offsets and lengths must fit in 28 bits.
const DATA_MAX: u32 = 0x0fff_ffff;
/// `HEADER_ARRAY_MAX`: the most values a non-binary entry may have.
const ARRAY_MAX: u32 = 0x000f_ffff;
/// `headerMaxbytes`: a header blob must be smaller.
const BLOB_MAX: u64 = 256 << 20;

/// Bytes per value of each type (strings: -1, counted to their NULs).
const TYPE_SIZE: [i64; 10] = [0, 1, 1, 2, 4, 8, -1, 1, -1, -1];

/// One index entry as stored (rpm reads the offset as signed; the tag as
/// unsigned since 4.20, as signed before: a tag of 2^31 or more, below 100
/// to rpm 4.18, is an unknown tag to the rpm Fedora runs).
#[derive(Clone, Copy, Debug)]
struct Entry {
    pub tag: u32,
    pub kind: u32,
    pub offset: u32,
    pub count: u32,
}

impl Entry {
    fn read(b: &[u8]) -> Entry {
        Entry {
            tag: be32(b, 0),
            kind: be32(b, 4),
            offset: be32(b, 8),
            count: be32(b, 12),
        }
    }
}

/// The big-endian `u32` at `at` of `b` (which holds it: callers read
/// within sizes already checked).
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads and checks the lead and both headers of the RPM at `path`, as
/// rpm does; returns where the payload starts.
pub(crate) fn check_layout(path: &Path) -> Result<u64> {
    let bad = |msg: String| Error::format(path.display(), format!("not a valid RPM file ({msg})"));
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut lead = [0u8; LEAD_SIZE as usize];
    f.read_exact(&mut lead)
        .map_err(|_| bad("shorter than an RPM lead".into()))?;
    check_lead(&lead).map_err(bad)?;
    let sig = read_blob(&mut f, TAG_HEADERSIGNATURES)
        .map_err(|m| bad(format!("signature header: {m}")))?;
    // The signature header is padded to 8 bytes; rpm reads the padding.
    let sig_len = 8 + sig.len;
    let pad = (8 - sig_len % 8) % 8;
    let mut padding = vec![0u8; pad as usize];
    f.read_exact(&mut padding)
        .map_err(|_| bad("signature header: truncated padding".into()))?;
    let main =
        read_blob(&mut f, TAG_HEADERIMMUTABLE).map_err(|m| bad(format!("main header: {m}")))?;
    check_merge(&main, &sig).map_err(|m| bad(format!("signature header: {m}")))?;
    Ok(LEAD_SIZE + sig_len + pad + 8 + main.len)
}

/// `rpmLeadCheck`: the magic alone. rpm 4.18.0 also wanted signature type
/// 5 and major version 3 or 4; rpm 4.18.2, 4.20 and 6 (what Fedora's koji
/// and createrepo_c run) and the rpm crate look at nothing else.
fn check_lead(lead: &[u8]) -> std::result::Result<(), String> {
    if lead[..4] != [0xed, 0xab, 0xee, 0xdb] {
        return Err("bad lead magic".into());
    }
    Ok(())
}

/// A header read and checked: its index and data, and how many of its
/// entries its region holds (the rest are "dribble" entries).
struct Blob {
    /// Its size after the magic: entry count, data size, index, data.
    len: u64,
    entries: Vec<Entry>,
    /// Entries of the region, its own entry included (all: no region).
    region_entries: usize,
}

impl Blob {
    /// The entry rpm finds for `tag` once the header is loaded: a dribble
    /// entry replaces the region's entries of its tag.
    fn find(&self, tag: u32) -> Option<&Entry> {
        let (region, dribbles) = self.entries.split_at(self.region_entries);
        dribbles.iter().chain(region).find(|e| e.tag == tag)
    }
}

/// `hdrblobRead` after its magic: the sizes checked before anything is
/// allocated (`hdrblobVerifyLengths`), then the blob read and checked.
/// Nothing is allocated for a size the file cannot hold (rpm allocates
/// first, up to 256 MiB, then finds the file too short).
fn read_blob(f: &mut (impl Read + Seek), region_tag: u32) -> std::result::Result<Blob, String> {
    let mut head = [0u8; 16];
    f.read_exact(&mut head)
        .map_err(|_| "truncated".to_string())?;
    if head[..8] != HEADER_MAGIC {
        return Err("bad magic".into());
    }
    let (il, dl) = (be32(&head, 8), be32(&head, 12));
    let (il_max, dl_max) = if region_tag == TAG_HEADERSIGNATURES {
        (32, 64 << 20)
    } else {
        (0xffff, DATA_MAX)
    };
    if il > il_max {
        return Err(format!("{il} entries, more than {il_max}"));
    }
    if dl > dl_max {
        return Err(format!("{dl} bytes of data, more than {dl_max}"));
    }
    let len = 8 + 16 * u64::from(il) + u64::from(dl);
    if len >= BLOB_MAX {
        return Err(format!("{len} bytes, {BLOB_MAX} or more"));
    }
    let here = f.stream_position().map_err(|e| e.to_string())?;
    let end = f.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    f.seek(SeekFrom::Start(here)).map_err(|e| e.to_string())?;
    if end - here < len - 8 {
        return Err("truncated".into());
    }
    let mut bytes = head[8..].to_vec();
    bytes.resize(len as usize, 0);
    f.read_exact(&mut bytes[8..])
        .map_err(|_| "truncated".to_string())?;
    verify_blob(&bytes, region_tag)
}

/// `hdrblobInit`'s checks of a whole blob (after the magic): the region
/// (`hdrblobVerifyRegion`; a package's main header must be one region
/// exactly), every other entry (`hdrblobVerifyInfo`), and the data size
/// the entries add up to (`hdrblobImport`).
fn verify_blob(bytes: &[u8], region_tag: u32) -> std::result::Result<Blob, String> {
    let il = be32(bytes, 0) as usize;
    let dl = be32(bytes, 4);
    let entries: Vec<Entry> = bytes[8..8 + 16 * il]
        .chunks_exact(16)
        .map(Entry::read)
        .collect();
    let data = &bytes[8 + 16 * il..];
    let region = verify_region(&entries, data, region_tag)?;
    // What `hdrblobImport` loads as the region: a region entry of offset
    // 0 spans the whole index.
    let region_entries = match region {
        Some(r) if entries[0].offset != 0 => r.entries,
        _ => il,
    };
    // `hdrblobImport` cannot load a region of no entries, not even its
    // own (its trailer offset 0, its entry's not).
    if region.is_some() && region_entries == 0 {
        return Err("region of no entries".into());
    }
    if region_tag == TAG_HEADERIMMUTABLE {
        if let Some(r) = region {
            if r.entries != il || r.data != dl {
                return Err(format!(
                    "region of {} entries and {} bytes, the header {il} and {dl}",
                    r.entries, r.data
                ));
            }
        }
    }
    verify_entries(&entries, data, region)?;
    verify_import(&entries, data, region, region_entries)?;
    Ok(Blob {
        len: bytes.len() as u64,
        entries,
        region_entries,
    })
}

/// The region a header's first entry opens: how many entries and bytes
/// of data it spans (its trailer included).
#[derive(Clone, Copy)]
struct Region {
    tag: u32,
    entries: usize,
    data: u32,
}

/// `hdrblobVerifyRegion`: `None` for a header without a region (a v3
/// package's), else the region its first entry and trailer describe.
fn verify_region(
    entries: &[Entry],
    data: &[u8],
    region_tag: u32,
) -> std::result::Result<Option<Region>, String> {
    let Some(first) = entries.first() else {
        return Err("no entries".into());
    };
    if first.tag != region_tag {
        return Ok(None);
    }
    if first.kind != REGION_TYPE || first.count != REGION_COUNT {
        return Err(format!(
            "region tag {region_tag} of type {} and count {} (want type 7, count 16)",
            first.kind, first.count
        ));
    }
    let dl = data.len() as u64;
    let end = u64::from(first.offset) + u64::from(REGION_COUNT);
    if end > dl {
        return Err(format!(
            "region trailer offset {} out of range (data is {dl} bytes)",
            first.offset as i32
        ));
    }
    let at = first.offset as usize;
    let mut trailer = Entry::read(&data[at..at + 16]);
    // Some old packages name HEADERIMAGE in the signature region's trailer.
    if region_tag == TAG_HEADERSIGNATURES && trailer.tag == TAG_HEADERIMAGE {
        trailer.tag = TAG_HEADERSIGNATURES;
    }
    let back = (trailer.offset as i32).wrapping_neg();
    if trailer.tag != region_tag || trailer.kind != REGION_TYPE || trailer.count != REGION_COUNT {
        return Err(format!(
            "region trailer of tag {} type {} count {} (want tag {region_tag}, type 7, count 16)",
            trailer.tag, trailer.kind, trailer.count
        ));
    }
    if back < 0 || back % 16 != 0 || back / 16 > entries.len() as i32 {
        return Err(format!(
            "region trailer offset {} out of range ({} entries)",
            trailer.offset as i32,
            entries.len()
        ));
    }
    Ok(Some(Region {
        tag: region_tag,
        entries: (back / 16) as usize,
        data: end as u32,
    }))
}

/// The bytes the value of an entry takes at `at` in `data`
/// (`dataLength`), `None` if they do not fit or the type has no values.
fn data_length(kind: u32, count: u32, data: &[u8], at: usize) -> Option<u64> {
    let rest = data.get(at..)?;
    match kind {
        6..=9 if kind != 7 => {
            if kind == 6 && count != 1 {
                return None;
            }
            let mut len = 0usize;
            for _ in 0..count {
                len += rest[len..].iter().position(|&b| b == 0)? + 1;
            }
            Some(len as u64)
        }
        0..=7 => {
            let len = TYPE_SIZE[kind as usize] as u64 * u64::from(count);
            (len <= rest.len() as u64).then_some(len)
        }
        _ => None,
    }
}

/// `hdrblobVerifyInfo`: every entry but the region's has a tag of 100 or
/// more, a known type, a count of 1 to the data size (at most 2^20 values
/// but for binary data), an offset aligned for its type inside the data,
/// values that fit, do not overlap the entry before nor the region's
/// trailer, and, in a main header with a region, the type rpm gives the
/// tag (string types may stand for each other).
fn verify_entries(
    entries: &[Entry],
    data: &[u8],
    region: Option<Region>,
) -> std::result::Result<(), String> {
    let dl = data.len() as u64;
    let skip = usize::from(region.is_some());
    let typechk = region.is_some_and(|r| r.tag == TAG_HEADERIMMUTABLE);
    let mut end = 0u64;
    for (i, e) in entries.iter().enumerate().skip(skip) {
        let offset = e.offset as i32;
        let bad = |what: &str| {
            format!(
                "entry {i} (tag {} type {} offset {offset} count {}): {what}",
                e.tag, e.kind, e.count
            )
        };
        if offset < 0 {
            return Err(bad("offset out of range"));
        }
        if end > offset as u64 {
            return Err(bad("overlaps the entry before"));
        }
        if e.tag < 100 {
            return Err(bad("tag below 100"));
        }
        if e.kind > 9 {
            return Err(bad("unknown type"));
        }
        if e.count < 1 || u64::from(e.count) > dl {
            return Err(bad("count out of range"));
        }
        let align = match e.kind {
            3 => 2,
            4 => 4,
            5 => 8,
            _ => 1,
        };
        if e.offset % align != 0 {
            return Err(bad("misaligned"));
        }
        if u64::from(e.offset) > dl {
            return Err(bad("offset out of range"));
        }
        if e.kind != REGION_TYPE && e.count > ARRAY_MAX {
            return Err(bad("too many values"));
        }
        if typechk {
            if let Some(want) = tag_type(e.tag) {
                let string = |t: u32| matches!(t, 6 | 8 | 9);
                if want != e.kind && !(string(want) && string(e.kind)) {
                    return Err(bad(&format!("type should be {want}")));
                }
            }
        }
        let len = match data_length(e.kind, e.count, data, e.offset as usize) {
            Some(len) if len > 0 => len,
            _ => return Err(bad("data does not fit")),
        };
        end = u64::from(e.offset) + len;
        if let Some(r) = region {
            let rdl = u64::from(r.data);
            if end > rdl - u64::from(REGION_COUNT) && u64::from(e.offset) < rdl {
                return Err(bad("data overlaps the region trailer"));
            }
        }
    }
    Ok(())
}

/// `hdrblobImport`'s check (through `regionSwab`): the entries' data, laid
/// end to end in index order each aligned for its type, plus the region
/// trailer, is the header's data size exactly.
fn verify_import(
    entries: &[Entry],
    data: &[u8],
    region: Option<Region>,
    region_entries: usize,
) -> std::result::Result<(), String> {
    let dl = data.len() as u64;
    let swab = |list: &[Entry], mut total: u64| -> Option<u64> {
        for e in list {
            let size = *TYPE_SIZE.get(e.kind as usize)?;
            if e.count & !DATA_MAX != 0 || e.offset & !DATA_MAX != 0 {
                return None;
            }
            if size > 1 && e.offset % size as u32 != 0 || u64::from(e.offset) >= dl {
                return None;
            }
            let len = data_length(e.kind, e.count, data, e.offset as usize)?;
            if len > u64::from(DATA_MAX) {
                return None;
            }
            if size > 1 {
                total = total.next_multiple_of(size as u64);
            }
            total += len;
        }
        Some(total)
    };
    let total = match region {
        None => swab(entries, 0),
        Some(_) => {
            let ril = region_entries;
            let inside = entries.get(1..ril).unwrap_or_default();
            swab(inside, 0)
                .and_then(|t| swab(&entries[ril..], t))
                .map(|t| t + u64::from(REGION_COUNT))
        }
    };
    match total {
        Some(t) if t == dl => Ok(()),
        Some(t) => Err(format!("entries account for {t} bytes of data, not {dl}")),
        None => Err("an entry's data cannot be loaded".into()),
    }
}

/// The signature tags rpm copies into the main header
/// (`headerMergeLegacySigs`): signature tag, main-header tag, the count it
/// must have (0: any), and whether the main header may have the tag itself
/// when the signature header does not.
const MERGED: [(u32, u32, u32, bool); 15] = [
    (1000, 257, 1, false),  // SIZE → SIGSIZE
    (1002, 259, 0, false),  // PGP → SIGPGP
    (1004, 261, 16, false), // MD5 → SIGMD5
    (1005, 262, 0, false),  // GPG → SIGGPG
    (1007, 1046, 1, true),  // PAYLOADSIZE → ARCHIVESIZE
    (274, 5090, 0, true),   // FILESIGNATURES
    (275, 5091, 1, true),   // FILESIGNATURELENGTH
    (276, 276, 0, false),   // VERITYSIGNATURES
    (277, 277, 1, false),   // VERITYSIGNATUREALGO
    (269, 269, 1, false),   // SHA1
    (273, 273, 1, false),   // SHA256
    (267, 267, 0, false),   // DSA
    (268, 268, 0, false),   // RSA
    (270, 270, 1, false),   // LONGSIZE
    (271, 271, 1, false),   // LONGARCHIVESIZE
];

/// `headerMergeLegacySigs`' checks: the main header has none of the tags
/// the signature header's are copied to (but the few both may carry), and
/// each signature tag copied has the main-header tag's type and its count.
fn check_merge(main: &Blob, sig: &Blob) -> std::result::Result<(), String> {
    for &(stag, xtag, _, quirk) in &MERGED {
        if main.find(xtag).is_some() && !(quirk && sig.find(stag).is_none()) {
            return Err(format!("tag {stag} is in the main header too (as {xtag})"));
        }
    }
    for &(stag, xtag, count, _) in &MERGED {
        let Some(e) = sig.find(stag) else { continue };
        let want = tag_type(xtag).unwrap_or(0);
        if e.kind != want || e.count < 1 || e.count > 16 << 20 || count != 0 && e.count != count {
            return Err(format!(
                "tag {stag} of type {} and count {} (want type {want}{})",
                e.kind,
                e.count,
                if count != 0 {
                    format!(", count {count}")
                } else {
                    String::new()
                }
            ));
        }
    }
    Ok(())
}
