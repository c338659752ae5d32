//! An RPM file's two headers as bytes, read by tag: strings exactly as
//! stored (the rpm crate hands a header without an `ENCODING` tag back
//! with U+FFFD for each byte that is not UTF-8, where createrepo_c sees
//! the bytes), numbers of any width, the signature header's tags, and
//! where the main header lies in the file. Mirrors what createrepo_c gets
//! from rpm's `headerGet` and computes in `cr_get_header_byte_range`.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// One header: its index entries and the data they point into.
#[derive(Debug, Default)]
struct Section {
    /// (tag, type, offset, count) per index entry.
    index: Vec<(u32, u32, usize, usize)>,
    data: Vec<u8>,
}

impl Section {
    /// Reads a header structure at the start of `bytes`; its length.
    fn parse(bytes: &[u8]) -> Option<(Section, usize)> {
        let be = |at: usize| -> Option<u32> {
            Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let n = be(8)? as usize;
        let size = be(12)? as usize;
        let mut index = Vec::with_capacity(n);
        for i in 0..n {
            let e = 16 + i * 16;
            index.push((
                be(e)?,
                be(e + 4)?,
                be(e + 8)? as usize,
                be(e + 12)? as usize,
            ));
        }
        let start = 16 + n * 16;
        let data = bytes.get(start..start + size)?.to_vec();
        Some((Section { index, data }, start + size))
    }

    fn entry(&self, tag: u32) -> Option<(u32, &[u8], usize)> {
        self.index
            .iter()
            .find(|e| e.0 == tag)
            .and_then(|&(_, kind, off, count)| Some((kind, self.data.get(off..)?, count)))
    }

    /// The values of a string, string-array or i18n-string entry.
    fn strings(&self, tag: u32) -> Vec<&[u8]> {
        let Some((kind @ (6 | 8 | 9), mut rest, count)) = self.entry(tag) else {
            return Vec::new();
        };
        let count = if kind == 6 { 1 } else { count };
        let mut out = Vec::with_capacity(count.min(rest.len()));
        for _ in 0..count {
            // A count the data cannot hold (each string takes its NUL):
            // what is there, not a run of empty strings.
            if rest.is_empty() {
                break;
            }
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = rest.get(end + 1..).unwrap_or_default();
        }
        out
    }

    /// The values of an integer entry of any width.
    fn numbers(&self, tag: u32) -> Vec<u64> {
        let Some((kind, data, count)) = self.entry(tag) else {
            return Vec::new();
        };
        let width = match kind {
            2 => 1,
            3 => 2,
            4 => 4,
            5 => 8,
            _ => return Vec::new(),
        };
        data.chunks_exact(width)
            .take(count)
            .map(|c| c.iter().fold(0u64, |n, &b| n << 8 | u64::from(b)))
            .collect()
    }
}

/// The signature and main headers of an RPM file.
#[derive(Debug, Default)]
pub(crate) struct RawHeader {
    sig: Section,
    main: Section,
    /// Where the main header starts in the file (after the lead and the
    /// padded signature header): createrepo_c's `rpm:header-range start`.
    pub header_start: u64,
    /// Where it ends (the payload starts).
    pub header_end: u64,
}

impl RawHeader {
    /// Reads the headers of the RPM at `path` (layout checked first).
    pub(crate) fn read(path: &Path) -> Result<RawHeader> {
        let end = super::check_layout(path)?;
        let mut bytes = Vec::with_capacity(end as usize);
        std::fs::File::open(path)
            .and_then(|f| f.take(end).read_to_end(&mut bytes))
            .map_err(|e| Error::io(path, e))?;
        let bad = || Error::format(path.display(), "not a valid RPM file (truncated header)");
        let (sig, sig_len) = Section::parse(&bytes[96..]).ok_or_else(bad)?;
        let header_start = (96 + sig_len).div_ceil(8) * 8;
        let (main, _) =
            Section::parse(bytes.get(header_start..).ok_or_else(bad)?).ok_or_else(bad)?;
        Ok(RawHeader {
            sig,
            main,
            header_start: header_start as u64,
            header_end: end,
        })
    }

    /// A main-header string (an i18n string's first, the C locale's), as stored.
    pub(crate) fn string(&self, tag: u32) -> Option<&[u8]> {
        self.main.strings(tag).first().copied()
    }

    /// A main-header string array, as stored.
    pub(crate) fn strings(&self, tag: u32) -> Vec<&[u8]> {
        self.main.strings(tag)
    }

    /// A main-header integer array.
    pub(crate) fn numbers(&self, tag: u32) -> Vec<u64> {
        self.main.numbers(tag)
    }

    /// A main-header integer (the first of its array).
    pub(crate) fn number(&self, tag: u32) -> Option<u64> {
        self.main.numbers(tag).first().copied()
    }

    /// A main-header dependency list, `[name, flags, version]` tags: each
    /// entry's name and version as stored and its flags, for as long as
    /// all three arrays last (createrepo_c's loop; none if one is missing).
    pub(crate) fn deps(&self, [name, flags, version]: [u32; 3]) -> Vec<(&[u8], u64, &[u8])> {
        let names = self.main.strings(name);
        let flags = self.main.numbers(flags);
        let versions = self.main.strings(version);
        names
            .into_iter()
            .zip(flags)
            .zip(versions)
            .map(|((n, f), v)| (n, f, v))
            .collect()
    }

    /// Whether the main header has an entry of `tag`.
    pub(crate) fn has(&self, tag: u32) -> bool {
        self.main.entry(tag).is_some()
    }

    /// A signature-header integer.
    pub(crate) fn sig_number(&self, tag: u32) -> Option<u64> {
        self.sig.numbers(tag).first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever a damaged header says (here: each of the first 640 bytes
    /// of the main header, its index, in turn set to 0xff or 0x00),
    /// reading its details is an error or a value, never a panic.
    #[test]
    fn damaged_headers_never_panic() {
        let spec = super::super::SrpmSpec {
            name: "x".into(),
            version: "1".into(),
            release: "1".into(),
            spec_name: "x.spec".into(),
            spec_text: "Name: x\n".into(),
            left_out: vec!["gone.tar".into()],
            left_out_sizes: vec![7],
            ..Default::default()
        };
        let good = super::super::build_srpm(&spec).unwrap();
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("x.src.rpm");
        std::fs::write(&path, &good).unwrap();
        let start = RawHeader::read(&path).unwrap().header_start as usize;
        for at in start..(start + 640).min(good.len()) {
            for b in [0xff, 0x00] {
                let mut bad = good.clone();
                bad[at] = b;
                std::fs::write(&path, &bad).unwrap();
                if let Ok(raw) = RawHeader::read(&path) {
                    let _ = super::super::details::details_of(&raw, 0);
                }
            }
        }
    }
}
