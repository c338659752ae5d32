//! An SRPM header's descriptive tags (`%description`, `URL:`, ...,
//! `%changelog`), read from one SRPM to be written into the SRPM that
//! regenerates it.

use std::path::Path;

use super::tags::*;
use super::RawHeader;
use crate::error::Result;
use crate::package::ChangelogEntry;

/// An SRPM header's descriptive tags, carried into a regenerated SRPM so
/// that its repodata (and `rpm -qpi`) say what the original's did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SrpmInfo {
    /// `%description` (written even when empty, as rpmbuild does).
    pub description: String,
    /// `URL:` (empty: no tag).
    pub url: String,
    /// `Vendor:` (empty: no tag).
    pub vendor: String,
    /// `Packager:` (empty: no tag).
    pub packager: String,
    /// `Group:` (empty: `Unspecified`).
    pub group: String,
    /// Changelog entries as the header stores them: newest first, times as
    /// written.
    pub changelog: Vec<ChangelogEntry>,
}

impl SrpmInfo {
    /// The descriptive tags of the RPM at `path`. Text that is not UTF-8
    /// (an old package's Latin-1) is decoded as Latin-1: a regenerated
    /// header is UTF-8, as its `ENCODING` tag says.
    pub fn read(path: &Path) -> Result<SrpmInfo> {
        let raw = RawHeader::read(path)?;
        let text = |tag| raw.string(tag).map(latin1_text).unwrap_or_default();
        let times = raw.numbers(TAG_CHANGELOGTIME);
        let names = raw.strings(TAG_CHANGELOGNAME);
        let texts = raw.strings(TAG_CHANGELOGTEXT);
        Ok(SrpmInfo {
            description: text(TAG_DESCRIPTION),
            url: text(TAG_URL),
            vendor: text(TAG_VENDOR),
            packager: text(TAG_PACKAGER),
            group: text(TAG_GROUP),
            changelog: (0..times.len().min(names.len()).min(texts.len()))
                .map(|i| ChangelogEntry {
                    author: latin1_text(names[i]),
                    date: times[i],
                    text: latin1_text(texts[i]),
                })
                .collect(),
        })
    }
}

/// Header text as UTF-8: as it is when it is UTF-8, else read as CP1252
/// (Latin-1 with printable characters for 0x80–0x9F, where Latin-1 has C1
/// controls: what such bytes in an old spec meant; the five bytes CP1252
/// leaves undefined are dropped).
pub(crate) fn latin1_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().filter_map(|&b| cp1252(b)).collect(),
    }
}

/// The character of a CP1252 byte.
fn cp1252(b: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
        0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
        0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
    ];
    match b {
        0x80..=0x9f => match HIGH[usize::from(b - 0x80)] {
            0 => None,
            c => char::from_u32(u32::from(c)),
        },
        b => Some(char::from(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_utf8_is_read_as_cp1252() {
        assert_eq!(latin1_text("déjà".as_bytes()), "déjà");
        assert_eq!(latin1_text(b"d\xe9j\xe0 \xa9 \x85 \x80\x81"), "déjà © … €");
    }
}
