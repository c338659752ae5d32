//! One line of the checksum record ([`super::SUMS_FILE`]): the stamp,
//! checksums and name of a file, with a check of its own so that a line
//! torn by a crash or mixed with another run's append reads as none.

use super::stamp::{Digests, Stamp};
use crate::rpmmd::{sha256_hex, Hasher};

/// One line of the record, tab-separated: a check (the first 16 hex
/// digits of the sha256 of the rest of the line), then `dev ino size
/// mtime_ns ctime_ns type:hex[,type:hex...] name` (the checksums may be
/// none: an empty field).
pub(super) fn format_line(name: &str, s: &Stamp, d: &Digests) -> String {
    let sums: Vec<String> = d.iter().map(|(a, h)| format!("{a}:{h}")).collect();
    let rest = format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{name}",
        s.dev,
        s.ino,
        s.size,
        s.mtime_ns,
        s.ctime_ns,
        sums.join(",")
    );
    format!("{}\t{rest}\n", line_check(&rest))
}

fn line_check(rest: &str) -> String {
    sha256_hex(rest.as_bytes())[..16].to_string()
}

/// A line of [`format_line`]; None for one that does not parse or fails
/// its check (torn by a crash, two appends mixed on a network file system).
pub(super) fn parse_line(line: &str) -> Option<(String, (Stamp, Digests))> {
    let (check, rest) = line.split_once('\t')?;
    if line_check(rest) != check {
        return None;
    }
    let mut f = rest.splitn(7, '\t');
    let stamp = Stamp {
        dev: f.next()?.parse().ok()?,
        ino: f.next()?.parse().ok()?,
        size: f.next()?.parse().ok()?,
        mtime_ns: f.next()?.parse().ok()?,
        ctime_ns: f.next()?.parse().ok()?,
    };
    // Empty: a line of no stamp for a file whose repository gave no
    // checksum type we compute (`Sums::placed`).
    let digests = f
        .next()?
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (a, h) = s.split_once(':')?;
            let ok = Hasher::new(a).is_some()
                && !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
            ok.then(|| (a.to_string(), h.to_string()))
        })
        .collect::<Option<Digests>>()?;
    let name = f.next().filter(|n| !n.is_empty() && !n.contains('/'))?;
    Some((name.to_string(), (stamp, digests)))
}
