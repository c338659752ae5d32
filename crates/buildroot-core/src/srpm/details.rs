//! A package's rpm-md details from its header, as createrepo_c takes them
//! (`cr_package_from_header`, parsehdr.c) and writes their text
//! (`cr_xmlNewTextChild` and `cr_latin1_to_utf8`, xml_dump.c): the strings
//! that are not UTF-8 (old packages' Latin-1) converted its way.

use std::path::Path;

use super::tags::*;
use super::RawHeader;
use crate::error::{Error, Result};
use crate::package::{ChangelogEntry, FileEntry, FileKind, PackageDetails};

/// How many changelog entries createrepo_c keeps by default
/// (`--changelog-limit`): the newest.
pub const CHANGELOG_LIMIT: usize = 10;

/// A header string as createrepo_c writes it: UTF-8 as it is; anything
/// else taken as Latin-1, where createrepo_c drops the C0 controls other
/// than tab, LF and CR, and the bytes 0x80–0xBF too (taking them for
/// CP1252 that cannot be told apart), and converts the rest.
pub fn header_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes
            .iter()
            .filter(|&&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
            .filter(|&&b| !(0x80..0xc0).contains(&b))
            .map(|&b| char::from(b))
            .collect(),
    }
}

/// A spec's text: as it is when it is UTF-8, else each word (up to and
/// with its blank) that is not converted by [`header_text`]. rpmbuild
/// stores a spec's values as header strings, bytes as they are, and
/// createrepo_c converts each string that is not UTF-8: a Latin-1
/// `BuildRequires: caf\xe9` is `café` to both. (A rich dependency that
/// mixes UTF-8 and Latin-1 words is one string to createrepo_c, converted
/// whole.)
pub fn spec_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes
            .split_inclusive(u8::is_ascii_whitespace)
            .map(header_text)
            .collect(),
    }
}

/// The details of the RPM at `path` for repodata: its headers, and the
/// file's modification time (createrepo_c's `time file`).
pub fn repodata_details(path: &Path) -> Result<PackageDetails> {
    Ok(details_of(&RawHeader::read(path)?, file_mtime(path)?))
}

/// The file's modification time in seconds since the epoch.
pub fn file_mtime(path: &Path) -> Result<u64> {
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| Error::io(path, e))?;
    Ok(mtime
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0))
}

/// Sets the modification time of the RPM at `path` to its build time: a
/// file this tool writes then has the same `time file` in repodata from
/// run to run (a regenerated SRPM keeps its original's build time), as
/// rpmbuild clamps its files' times to `SOURCE_DATE_EPOCH`. Without a
/// build time the file keeps the time it has.
pub fn stamp_build_time(path: &Path) -> Result<()> {
    let Some(t) = RawHeader::read(path)?.number(TAG_BUILDTIME) else {
        return Ok(());
    };
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(t);
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(when))
        .map_err(|e| Error::io(path, e))
}

/// [`repodata_details`] of headers already read.
pub(crate) fn details_of(raw: &RawHeader, time_file: u64) -> PackageDetails {
    let text = |tag| raw.string(tag).map(header_text).unwrap_or_default();
    PackageDetails {
        description: text(TAG_DESCRIPTION),
        url: text(TAG_URL),
        license: text(TAG_LICENSE),
        vendor: text(TAG_VENDOR),
        group: text(TAG_GROUP),
        buildhost: text(TAG_BUILDHOST),
        packager: text(TAG_PACKAGER),
        time_file,
        time_build: raw.number(TAG_BUILDTIME).unwrap_or(0),
        size_installed: raw
            .number(TAG_LONGSIZE)
            .or_else(|| raw.number(TAG_SIZE))
            .unwrap_or(0),
        // rpm merges the signature header's payload size into the main
        // header as it reads a package; older packages carry it there.
        size_archive: raw
            .sig_number(SIGTAG_LONGARCHIVESIZE)
            .or_else(|| raw.sig_number(SIGTAG_PAYLOADSIZE))
            .or_else(|| raw.number(SIGTAG_LONGARCHIVESIZE))
            .or_else(|| raw.number(TAG_ARCHIVESIZE))
            .unwrap_or(0),
        header_range: (raw.header_start, raw.header_end),
        files: files(raw),
        changelogs: changelogs(raw, CHANGELOG_LIMIT),
    }
}

/// The header's file list: directory + base name, typed as createrepo_c
/// types it (a directory by its mode, else a ghost by its flag).
pub(super) fn files(raw: &RawHeader) -> Vec<FileEntry> {
    let modes = raw.numbers(TAG_FILEMODES);
    let flags = raw.numbers(TAG_FILEFLAGS);
    let kind = |i: usize| {
        let mode = modes.get(i).copied().unwrap_or(0);
        if mode & 0o170000 == 0o040000 {
            FileKind::Dir
        } else if flags.get(i).copied().unwrap_or(0) & u64::from(FILEFLAG_GHOST) != 0 {
            FileKind::Ghost
        } else {
            FileKind::File
        }
    };
    let bases = raw.strings(TAG_BASENAMES);
    if bases.is_empty() {
        // A header from before rpm 4 lists whole paths (rpm converts them
        // as it reads the package).
        return raw
            .strings(TAG_OLDFILENAMES)
            .iter()
            .enumerate()
            .map(|(i, p)| FileEntry {
                path: header_text(p),
                kind: kind(i),
            })
            .collect();
    }
    let dirs = raw.strings(TAG_DIRNAMES);
    let index = raw.numbers(TAG_DIRINDEXES);
    bases
        .iter()
        .enumerate()
        .map(|(i, base)| {
            let dir = index
                .get(i)
                .and_then(|&d| dirs.get(d as usize))
                .copied()
                .unwrap_or_default();
            let mut path = dir.to_vec();
            path.extend_from_slice(base);
            FileEntry {
                path: header_text(&path),
                kind: kind(i),
            }
        })
        .collect()
}

/// The newest `limit` changelog entries, oldest first; of entries with the
/// same time, the newer ones are moved a second later each, and authors
/// lose trailing spaces, as createrepo_c does (what dnf shows then agrees
/// with a createrepo_c repo's).
fn changelogs(raw: &RawHeader, limit: usize) -> Vec<ChangelogEntry> {
    let times = raw.numbers(TAG_CHANGELOGTIME);
    let names = raw.strings(TAG_CHANGELOGNAME);
    let texts = raw.strings(TAG_CHANGELOGTEXT);
    let n = times.len().min(names.len()).min(texts.len()).min(limit);
    // Header order is newest first.
    let mut newest_first: Vec<ChangelogEntry> = (0..n)
        .map(|i| {
            // Trailing spaces go before the text is converted; createrepo_c
            // never strips the first byte.
            let name = names[i];
            let keep = name
                .iter()
                .rposition(|&b| b != b' ')
                .map_or(name.len().min(1), |p| p + 1);
            ChangelogEntry {
                author: header_text(&name[..keep]),
                date: times[i],
                text: header_text(texts[i]),
            }
        })
        .collect();
    spread_equal_times(&mut newest_first);
    newest_first.reverse();
    newest_first
}

/// A run of equal times in `newest_first`: each entry before (newer than)
/// the last of the run gets one more second than the one after it. The
/// times are the header's, of any width: one at the very end of u64 stays
/// there rather than overflow.
fn spread_equal_times(newest_first: &mut [ChangelogEntry]) {
    let mut last = 0u64;
    for i in 0..newest_first.len() {
        let t = newest_first[i].date;
        if i > 0 && t == last {
            let mut bumped = t;
            for e in newest_first[..i].iter_mut().rev() {
                if e.date != bumped {
                    break;
                }
                e.date = e.date.saturating_add(1);
                bumped = bumped.saturating_add(1);
            }
        } else {
            last = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_changelog_times_are_spread_and_never_overflow() {
        let entries = |dates: &[u64]| -> Vec<ChangelogEntry> {
            dates
                .iter()
                .map(|&date| ChangelogEntry {
                    author: String::new(),
                    date,
                    text: String::new(),
                })
                .collect()
        };
        let dates = |e: &[ChangelogEntry]| e.iter().map(|c| c.date).collect::<Vec<_>>();
        // createrepo_c: three entries of one time become t+2, t+1, t.
        let mut e = entries(&[5, 5, 5, 3]);
        spread_equal_times(&mut e);
        assert_eq!(dates(&e), [7, 6, 5, 3]);
        // A damaged header's 64-bit times at the very end: no panic.
        let mut e = entries(&[u64::MAX, u64::MAX, u64::MAX]);
        spread_equal_times(&mut e);
        assert_eq!(dates(&e), [u64::MAX; 3]);
    }

    #[test]
    fn text_is_utf8_or_latin1_as_createrepo_c_converts_it() {
        assert_eq!(header_text("café ©".as_bytes()), "café ©");
        // UTF-8 is kept byte for byte: 4-byte characters, U+FFFD itself,
        // C0 controls (createrepo_c converts only what is not UTF-8).
        for s in [
            "𝄞 😀 \u{10ffff}",
            "\u{fffd}x\u{fffd}",
            "a\u{1}b\u{7f}\u{85}",
        ] {
            assert_eq!(header_text(s.as_bytes()).as_bytes(), s.as_bytes());
            assert_eq!(spec_text(s.as_bytes()).as_bytes(), s.as_bytes());
        }
        // é ï kept; © ° (0xa9, 0xb0) and the C1 control 0x85 dropped; a C0
        // control dropped, tab and newline kept.
        assert_eq!(
            header_text(b"d\xe9scr na\xefve \xa9\xb0\x85\x01\tx\n"),
            "déscr naïve \tx\n"
        );
        // A spec: word by word.
        assert_eq!(
            spec_text(
                &[
                    "é\n".as_bytes(),
                    b"BuildRequires: caf\xe9\nx\xa9y \xc3\xa9t\n\xc3\xa9\n"
                ]
                .concat()
            ),
            "é\nBuildRequires: café\nxy ét\né\n"
        );
    }
}
