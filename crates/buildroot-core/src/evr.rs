//! Epoch/version/release, rpm's version comparison, NEVRA and SRPM file names.
//!
//! [`rpmvercmp`] is a transcription of rpm's algorithm (rpmio/rpmvercmp.cc), so
//! `~` sorts before everything, `^` after the base version but before any
//! further segment, and separators only split segments. [`Evr`] keeps "no
//! release" apart from a release, because dependency matching ignores the
//! release when one side lacks it (see [`crate::dep`]).

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};

/// rpm's `rpmvercmp`: compares two version (or release) strings.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let is_sep = |c: u8| !(c.is_ascii_alphanumeric() || c == b'~' || c == b'^');
    loop {
        while i < a.len() && is_sep(a[i]) {
            i += 1;
        }
        while j < b.len() && is_sep(b[j]) {
            j += 1;
        }
        // Tilde: sorts before everything, even the end of the string.
        let at = |s: &[u8], k: usize, c: u8| k < s.len() && s[k] == c;
        if at(a, i, b'~') || at(b, j, b'~') {
            if !at(a, i, b'~') {
                return Ordering::Greater;
            }
            if !at(b, j, b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // Caret: sorts after the end of the string, before any other segment.
        if at(a, i, b'^') || at(b, j, b'^') {
            if i >= a.len() {
                return Ordering::Less;
            }
            if j >= b.len() {
                return Ordering::Greater;
            }
            if !at(a, i, b'^') {
                return Ordering::Greater;
            }
            if !at(b, j, b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let start = k;
            if numeric {
                while k < s.len() && s[k].is_ascii_digit() {
                    k += 1;
                }
            } else {
                while k < s.len() && s[k].is_ascii_alphabetic() {
                    k += 1;
                }
            }
            (start, k)
        };
        let (sa, ea) = take(a, i);
        let (sb, eb) = take(b, j);
        if sb == eb {
            // Segment types differ: a numeric segment beats an alphabetic one.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut x, mut y) = (&a[sa..ea], &b[sb..eb]);
        if numeric {
            while x.len() > 1 && x[0] == b'0' {
                x = &x[1..];
            }
            while y.len() > 1 && y[0] == b'0' {
                y = &y[1..];
            }
            // Strip all leading zeros (a run of only zeros compares as empty).
            if x.iter().all(|&c| c == b'0') {
                x = &[];
            }
            if y.iter().all(|&c| c == b'0') {
                y = &[];
            }
            match x.len().cmp(&y.len()) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        match x.cmp(y) {
            Ordering::Equal => {}
            o => return o,
        }
        i = ea;
        j = eb;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// An epoch:version-release triple. `release` is `None` when absent (as in
/// the requirement `foo >= 1.2`); packages always carry one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Evr {
    /// The epoch (0 when absent).
    pub epoch: u32,
    /// The version.
    pub version: String,
    /// The release; none for a bare `[E:]V` (matches any release).
    pub release: Option<String>,
}

impl Evr {
    /// Builds an EVR from parts; an empty release counts as missing.
    pub fn new(epoch: u32, version: impl Into<String>, release: Option<&str>) -> Evr {
        Evr {
            epoch,
            version: version.into(),
            release: release.filter(|r| !r.is_empty()).map(str::to_string),
        }
    }

    /// [`Evr::parse`], and also the EVRs of dependencies rpm's spec parser
    /// lets through though a part is empty (`1.0-`, `1:`, `-1`, and `0:`,
    /// `:`, `-` with nothing at all): the empty part is missing, as libsolv
    /// reads it (`1.0-` is `1.0`; `1:` prints back as `1:`, an empty
    /// version; an empty EVR is printed `0:` in a dependency,
    /// [`crate::dep::SimpleDep`]'s form).
    pub fn parse_dep(s: &str) -> Result<Evr> {
        Evr::parse(s).or_else(|e| {
            let t = s.trim();
            let (epoch, rest) = match t.split_once(':') {
                None => (0, t),
                Some((ep, rest)) if ep.bytes().all(|c| c.is_ascii_digit()) => {
                    let n = match ep {
                        "" => 0,
                        ep => ep.parse().map_err(|_| e)?,
                    };
                    (n, rest)
                }
                Some(_) => return Err(e),
            };
            let (v, r) = rest.rsplit_once('-').unwrap_or((rest, ""));
            let bad =
                |c: char| matches!(c, ':' | '(' | ')' | '-') || c.is_whitespace() || c.is_control();
            if v.contains(bad) || r.contains(bad) {
                return Err(Error::parse("EVR", t, "bad version or release"));
            }
            Ok(Evr::new(epoch, v, Some(r)))
        })
    }

    /// Parses `[epoch:]version[-release]`. The release is everything after the
    /// last `-`.
    pub fn parse(s: &str) -> Result<Evr> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::parse("EVR", s, "empty"));
        }
        let (epoch, rest) = match s.find(':') {
            Some(p) if s[..p].bytes().all(|c| c.is_ascii_digit()) => {
                let e = if p == 0 {
                    0
                } else {
                    s[..p]
                        .parse::<u32>()
                        .map_err(|e| Error::parse("EVR", s, format!("bad epoch: {e}")))?
                };
                (e, &s[p + 1..])
            }
            Some(_) => return Err(Error::parse("EVR", s, "epoch must be a number")),
            None => (0, s),
        };
        let (version, release) = match rest.rfind('-') {
            Some(p) => (&rest[..p], Some(&rest[p + 1..])),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(Error::parse("EVR", s, "empty version"));
        }
        // `1.0-2-` would print as `1.0-2` and read back differently.
        if release == Some("") {
            return Err(Error::parse("EVR", s, "empty release after '-'"));
        }
        // rpm allows neither ':' after the epoch nor blanks, control
        // characters or parentheses (which would end a rich dependency).
        let bad = |c: char| matches!(c, ':' | '(' | ')') || c.is_whitespace() || c.is_control();
        if version.contains(bad) || release.is_some_and(|r| r.contains(bad)) {
            return Err(Error::parse(
                "EVR",
                s,
                "invalid character in version or release",
            ));
        }
        Ok(Evr::new(epoch, version, release))
    }

    /// The release, or "" when there is none.
    pub fn release_str(&self) -> &str {
        self.release.as_deref().unwrap_or("")
    }

    /// `version-release` (no epoch): the form of `*-nvrs` lines.
    pub fn vr(&self) -> String {
        match &self.release {
            Some(r) => format!("{}-{}", self.version, r),
            None => self.version.clone(),
        }
    }

    /// Compares for "which is newer" (libsolv's COMPARE mode): epoch, version,
    /// then release, where a side with a release is newer than one without.
    pub fn cmp_newest(&self, other: &Evr) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            })
    }

    /// Compares for dependency matching (libsolv's MATCH_RELEASE mode):
    /// releases are compared only when both sides have one.
    pub fn cmp_match(&self, other: &Evr) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                _ => Ordering::Equal,
            })
    }
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_newest(other)
    }
}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Evr {
    /// `[E:]V[-R]`, epoch shown only when non-zero (as dnf prints it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

/// name, EVR and arch of one package.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nevra {
    /// The package name.
    pub name: String,
    /// Epoch, version and release.
    pub evr: Evr,
    /// The arch (`noarch`, `src`, ...).
    pub arch: String,
}

impl Nevra {
    /// Parses `name-[epoch:]version-release.arch` (e.g. `bash-0:5.2-1.fc40.x86_64`).
    pub fn parse(s: &str) -> Result<Nevra> {
        let s = s.trim();
        let dot = s
            .rfind('.')
            .ok_or_else(|| Error::parse("NEVRA", s, "no '.arch' suffix"))?;
        let (nevr, arch) = (&s[..dot], &s[dot + 1..]);
        let nvr = Nvr::parse(nevr)
            .map_err(|_| Error::parse("NEVRA", s, "expected name-version-release.arch"))?;
        if arch.is_empty() {
            return Err(Error::parse("NEVRA", s, "empty arch"));
        }
        Ok(Nevra {
            name: nvr.name,
            evr: nvr.evr,
            arch: arch.to_string(),
        })
    }
}

impl fmt::Display for Nevra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}.{}", self.name, self.evr, self.arch)
    }
}

/// name and EVR: `name-[epoch:]version-release`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nvr {
    /// The package name.
    pub name: String,
    /// Epoch, version and release.
    pub evr: Evr,
}

impl Nvr {
    /// Parses `name-[epoch:]version-release`; name may contain dashes.
    pub fn parse(s: &str) -> Result<Nvr> {
        let s = s.trim();
        let r = s
            .rfind('-')
            .ok_or_else(|| Error::parse("NVR", s, "expected name-version-release"))?;
        let v = s[..r]
            .rfind('-')
            .ok_or_else(|| Error::parse("NVR", s, "expected name-version-release"))?;
        let name = &s[..v];
        if name.is_empty() || s[v + 1..r].is_empty() || s[r + 1..].is_empty() {
            return Err(Error::parse("NVR", s, "expected name-version-release"));
        }
        Ok(Nvr {
            name: name.to_string(),
            evr: Evr::parse(&s[v + 1..])?,
        })
    }
}

impl fmt::Display for Nvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name, self.evr)
    }
}

/// Parses an SRPM file name (`foo-1.0-1.fc40.src.rpm`, also `.nosrc.rpm` or a
/// bare `foo-1.0-1.fc40`) into the source's name and EVR.
pub fn parse_srpm_filename(file: &str) -> Result<Nvr> {
    let base = file.rsplit('/').next().unwrap_or(file);
    let stem = base
        .strip_suffix(".src.rpm")
        .or_else(|| base.strip_suffix(".nosrc.rpm"))
        .unwrap_or(base);
    Nvr::parse(stem).map_err(|_| {
        Error::parse(
            "SRPM file name",
            file,
            "expected name-version-release.src.rpm",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vercmp_basics() {
        use Ordering::*;
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.10", "1.9", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.0.1", Less),
            ("1.0a", "1.0", Greater),
            ("1.0", "1.0.", Equal),
            ("1.01", "1.1", Equal),
            ("fc34", "fc35", Less),
            ("Z", "a", Less),
            ("1", "a", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn evr_parse_and_display() {
        let e = Evr::parse("1:2.3-4.fc40").unwrap();
        assert_eq!(
            (e.epoch, e.version.as_str(), e.release_str()),
            (1, "2.3", "4.fc40")
        );
        assert_eq!(e.to_string(), "1:2.3-4.fc40");
        assert_eq!(Evr::parse("2.0").unwrap().release, None);
        assert!(Evr::parse("x:1").is_err());
    }

    #[test]
    fn nevra_and_srpm_names() {
        let n = Nevra::parse("python3-libs-3.12.1-2.fc40.x86_64").unwrap();
        assert_eq!(n.name, "python3-libs");
        assert_eq!(n.evr.to_string(), "3.12.1-2.fc40");
        assert_eq!(n.arch, "x86_64");
        let s = parse_srpm_filename("foo-bar-1.0-1.fc40.src.rpm").unwrap();
        assert_eq!(s.name, "foo-bar");
    }
}
