//! The version of a versioned `<rpm:entry>`: how createrepo_c splits a
//! header's dependency version into the attributes `epoch`, `ver` and
//! `rel` (`cr_str_to_evr`, misc.c), and the one version libsolv compares
//! for them: it joins the three back into `epoch:ver-rel`
//! (`makeevr_parts`, repo_rpmmd.c) and splits that string its own way each
//! time it compares (`pool_evrcmp_str`, evr.c): the epoch is leading
//! digits before a `:`, the release what follows the *last* `-`.
//!
//! The two splits agree on every version rpmbuild writes. They differ on
//! what it refuses but a header can hold: `1.0-1-2` is listed as `1.0` /
//! `1-2` and compared as `1.0-1` / `2`; a signed epoch `-1:2` (`strtol`
//! reads it, so createrepo_c lists `epoch="-1" ver="2"`) is no epoch to
//! libsolv, whose split is version `` and release `1:2` (rpm's own
//! `parseEVR` splits it so too). A dependency's [`Evr`] holds libsolv's
//! split, so that the pool compares as dnf does; the repodata writer gets
//! createrepo_c's attributes back from the joined text ([`rpmmd_attrs`]).
//!
//! One thing our [`Evr`] cannot hold: an epoch of digits past `u32`
//! (`99999999999:1`). Such a version is kept whole as version (and
//! release), so it is listed as createrepo_c lists it, and compared as a
//! version, where libsolv compares an epoch: it still beats any version
//! without an epoch, but loses to one with an epoch, which libsolv's wins.

use std::borrow::Cow;

use crate::evr::Evr;

/// createrepo_c's attributes of a dependency's version `v` (a header's
/// bytes: the split comes before any text is converted, and each part is
/// converted on its own): epoch, version and release, an empty one not
/// written; none when `v` has an epoch `strtol` does not read up to the
/// `:` (`x:1`, ` :1`), for which createrepo_c leaves the dependency out.
/// `1:2` is `1`, `2`; `2` is `0`, `2` (the epoch is written); an empty `v`
/// has no attributes.
pub(crate) fn createrepo_c_split(v: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    if v.is_empty() {
        return Some((b"", b"", b""));
    }
    let (epoch, rest) = match v.iter().position(|&b| b == b':') {
        Some(at) if strtol_reads_all(&v[..at]) => (&v[..at], &v[at + 1..]),
        Some(_) => return None,
        None => (&b""[..], v),
    };
    let epoch = if epoch.is_empty() { b"0" } else { epoch };
    let (ver, rel) = match rest.iter().position(|&b| b == b'-') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    Some((epoch, ver, rel))
}

/// Whether C's `strtol(s, &end, 10)` ends at the end of `s`: blanks, a
/// sign, at least one digit; or `s` is empty (no number, `end` is `s`).
fn strtol_reads_all(s: &[u8]) -> bool {
    let t = match s.iter().position(|b| !matches!(b, b' ' | b'\t'..=b'\r')) {
        Some(at) => &s[at..],
        None => &b""[..],
    };
    let t = t.strip_prefix(b"-").or(t.strip_prefix(b"+")).unwrap_or(t);
    s.is_empty() || (!t.is_empty() && t.iter().all(u8::is_ascii_digit))
}

/// An epoch of digits as its number (`""` is 0); none for another text or
/// one past `u32`.
fn epoch_number(e: &str) -> Option<u32> {
    let mut n: u32 = 0;
    for b in e.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(n)
}

/// The EVR libsolv compares for an entry's `epoch`, `ver` and `rel`
/// (each as given, or absent): as parts, borrowed when they need no work
/// (a numeric epoch, no `-` in version or release: every repo rpm and
/// createrepo_c make).
pub(crate) fn libsolv_evr<'a>(
    epoch: Option<&'a str>,
    ver: Option<&'a str>,
    rel: Option<&'a str>,
) -> (u32, Cow<'a, str>, Option<Cow<'a, str>>) {
    // Byte loops: these texts are a few bytes long, and every package's
    // `<version>` comes through here (a `str` search sets up more).
    let no_dash = |s: &str| !s.bytes().any(|b| b == b'-');
    if ver.is_none_or(no_dash) && rel.is_none_or(no_dash) {
        if let Some(n) = epoch.map_or(Some(0), epoch_number) {
            return (n, Cow::Borrowed(ver.unwrap_or("")), rel.map(Cow::Borrowed));
        }
    }
    // makeevr_parts: an epoch of "" or "0" is left out, unless the version
    // starts with digits and a `:` (which would read as an epoch).
    let mut joined = String::new();
    let epoch = epoch.filter(|e| !e.is_empty() && *e != "0");
    let ver = ver.unwrap_or("");
    let looks_epoch = |v: &str| {
        let d = v.bytes().take_while(u8::is_ascii_digit).count();
        d > 0 && v.as_bytes().get(d) == Some(&b':')
    };
    match epoch {
        Some(e) => joined.push_str(e),
        None if looks_epoch(ver) => joined.push('0'),
        None => {}
    }
    if !joined.is_empty() {
        joined.push(':');
    }
    joined.push_str(ver);
    if let Some(r) = rel {
        joined.push('-');
        joined.push_str(r);
    }
    let evr = libsolv_split(&joined);
    (
        evr.epoch,
        Cow::Owned(evr.version),
        evr.release.map(Cow::Owned),
    )
}

/// `pool_evrcmp_str`'s split of a joined version: an epoch of leading
/// digits before a `:` (one past `u32` stays in the version), the release
/// after the last `-` (an empty one is none, as libsolv matches it).
fn libsolv_split(s: &str) -> Evr {
    let d = s.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = match s.as_bytes().get(d) {
        Some(b':') if d > 0 => match s[..d].parse() {
            Ok(n) => (n, &s[d + 1..]),
            Err(_) => (0, s),
        },
        _ => (0, s),
    };
    match rest.rsplit_once('-') {
        Some((v, r)) => Evr::new(epoch, v, Some(r)),
        None => Evr::new(epoch, rest, None),
    }
}

/// The `epoch`, `ver` and `rel` createrepo_c writes for the dependency
/// version `e` holds (empty: not written): the split of its text
/// (`[E:]V[-R]`), a text whose epoch `strtol` does not read (not from a
/// header: createrepo_c would have left the dependency out) written as
/// libsolv reads it back, `ver` alone.
pub(crate) fn rpmmd_attrs(e: &Evr) -> (String, String, String) {
    let text = if e.epoch == 0 && e.version.is_empty() && e.release.is_none() {
        String::new()
    } else {
        // An epoch 0 is written when the version would read as one
        // (`0:12:3`, kept as version `12:3`); not for digits past `u32`,
        // which are the epoch of a version kept whole (above).
        let d = e.version.bytes().take_while(u8::is_ascii_digit).count();
        let reads_as_epoch = d > 0
            && e.version.as_bytes().get(d) == Some(&b':')
            && e.version[..d].parse::<u32>().is_ok();
        let mut t = match e.epoch {
            0 if reads_as_epoch => "0:".to_string(),
            0 => String::new(),
            n => format!("{n}:"),
        };
        t.push_str(&e.version);
        if let Some(r) = &e.release {
            t.push('-');
            t.push_str(r);
        }
        t
    };
    // Split at ASCII bytes, the parts are UTF-8 as the text is.
    let text_of = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match createrepo_c_split(text.as_bytes()) {
        Some((ep, v, r)) => (text_of(ep), text_of(v), text_of(r)),
        None => (String::new(), text, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evr(e: Option<&str>, v: Option<&str>, r: Option<&str>) -> String {
        let (e, v, r) = libsolv_evr(e, v, r);
        format!("{e}|{v}|{}", r.as_deref().unwrap_or("<none>"))
    }

    /// libsolv's reading of the attributes createrepo_c writes, as checked
    /// with rpmmd2solv and testsolv: `dashes >= 1.0-1-2` (epoch 0, ver
    /// `1.0`, rel `1-2`) is not met by `dashes = 1.0-5` (version `1.0-1`
    /// is newer), `negep >= -1:2` (epoch `-1`, ver `2`) is met by
    /// `negep = 1.0-1` (version `` is older).
    #[test]
    fn attributes_read_as_libsolv_compares_them() {
        assert_eq!(evr(Some("0"), Some("1.0"), Some("1-2")), "0|1.0-1|2");
        assert_eq!(evr(Some("-1"), Some("2"), None), "0||1:2");
        assert_eq!(evr(Some("-1"), Some("2"), Some("3")), "0|-1:2|3");
        assert_eq!(evr(Some("+2"), Some("3"), None), "0|+2:3|<none>");
        assert_eq!(evr(Some(" 1"), Some("3"), None), "0| 1:3|<none>");
        assert_eq!(evr(Some("1:2"), Some("3"), None), "1|2:3|<none>");
        assert_eq!(evr(None, Some("1-2"), None), "0|1|2");
        assert_eq!(
            evr(Some("99999999999"), Some("1"), Some("2")),
            "0|99999999999:1|2"
        );
        // As they are: a numeric epoch, no `-` (every ordinary entry).
        assert_eq!(evr(Some("3"), Some("1.0"), Some("2")), "3|1.0|2");
        assert_eq!(evr(None, Some("12:3"), None), "0|12:3|<none>");
        assert_eq!(evr(Some("0"), Some("12:3"), None), "0|12:3|<none>");
        assert_eq!(evr(Some(""), None, None), "0||<none>");
    }

    #[test]
    fn createrepo_c_splits_at_the_first_colon_and_dash() {
        let split = |v: &str| {
            let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
            createrepo_c_split(v.as_bytes()).map(|(e, v, r)| [text(e), text(v), text(r)])
        };
        assert_eq!(split("1.0-1-2").unwrap(), ["0", "1.0", "1-2"]);
        assert_eq!(split("-1:2").unwrap(), ["-1", "2", ""]);
        assert_eq!(split(":2").unwrap(), ["0", "2", ""]);
        assert_eq!(split("\x0b1:2").unwrap(), ["\x0b1", "2", ""]);
        assert_eq!(split("1:").unwrap(), ["1", "", ""]);
        assert_eq!(split("").unwrap(), ["", "", ""]);
        for bad in ["x:1", " :1", "-:1", "1 :1", "1x:2", "\u{a0}1:2"] {
            assert_eq!(split(bad), None, "{bad}");
        }
    }

    /// What createrepo_c lists for a header's version is what we write
    /// for the EVR we keep of it.
    #[test]
    fn written_attributes_are_createrepo_cs_split_of_the_header_text() {
        for text in [
            "1.0-1-2",
            "-1:2",
            "-1:2-3",
            "+2:3",
            " 1:2",
            "2",
            "3:1.0-2",
            "1:",
            "",
            ":2",
            "1-",
            "99999999999:1-2",
            "0:12:3",
        ] {
            let (e, v, r) = createrepo_c_split(text.as_bytes()).unwrap();
            let text_of = |b: &'static [u8]| std::str::from_utf8(b).unwrap();
            let (e, v, r) = (text_of(e), text_of(v), text_of(r));
            let none = |s: &'static str| (!s.is_empty()).then_some(s);
            let (ep, ver, rel) = libsolv_evr(none(e), none(v), none(r));
            let kept = Evr::new(ep, ver, rel.as_deref());
            let want = (e.to_string(), v.to_string(), r.to_string());
            assert_eq!(rpmmd_attrs(&kept), want, "{text}");
        }
    }
}
