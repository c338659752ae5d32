//! Package specs as dnf reads them (libdnf `nevra.cpp`, `hy-subject.cpp`):
//! the NEVRA forms a string can be split into (globs: `crate::fnmatch`).
//!
//! `dnf install SPEC` tries the forms NEVRA, NA, NAME, NEVR, NEV in that
//! order and uses the first that matches some package; repo `exclude=`
//! patterns are specs of the same kind.

use rustc_hash::FxHashMap;

use crate::evr::Evr;
use crate::fnmatch::{glob_match, is_glob};

/// The forms of a package spec, most specific first (`HY_FORMS_MOST_SPEC`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `name-[epoch:]version-release.arch`
    Nevra,
    /// `name.arch`
    Na,
    /// `name`
    Name,
    /// `name-[epoch:]version-release`
    Nevr,
    /// `name-[epoch:]version`
    Nev,
}

/// The forms in the order `dnf install` tries them.
pub const FORMS_MOST_SPECIFIC: [Form; 5] =
    [Form::Nevra, Form::Na, Form::Name, Form::Nevr, Form::Nev];

/// A spec split in one form; absent parts match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecParts {
    /// The name (may be a glob).
    pub name: String,
    /// The epoch.
    pub epoch: Option<u32>,
    /// The version.
    pub version: Option<String>,
    /// The release.
    pub release: Option<String>,
    /// The arch.
    pub arch: Option<String>,
}

impl SpecParts {
    /// Only a name was given (dnf then adds obsoleters of the matches).
    pub fn has_just_name(&self) -> bool {
        self.epoch.is_none()
            && self.version.is_none()
            && self.release.is_none()
            && self.arch.is_none()
    }

    /// Whether a package of this name, EVR and arch matches (globs allowed in
    /// every part, as libdnf filters).
    pub fn matches_parts(&self, name: &str, evr: &Evr, arch: &str) -> bool {
        let part = |pat: &str, val: &str| {
            if is_glob(pat) {
                glob_match(pat, val)
            } else {
                pat == val
            }
        };
        if self.name != "*" && !part(&self.name, name) {
            return false;
        }
        if let Some(e) = self.epoch {
            if e != evr.epoch {
                return false;
            }
        }
        // A version or release without glob characters is compared as rpm
        // compares them (libdnf's filterVersion/filterRelease: `1.00` is
        // `1.0`), a glob as text.
        let vr_part = |pat: &str, val: &str| {
            if is_glob(pat) {
                glob_match(pat, val)
            } else {
                crate::evr::rpmvercmp(pat, val).is_eq()
            }
        };
        if let Some(v) = &self.version {
            if v != "*" && !vr_part(v, &evr.version) {
                return false;
            }
        }
        if let Some(r) = &self.release {
            if r != "*" && !vr_part(r, evr.release_str()) {
                return false;
            }
        }
        if let Some(a) = &self.arch {
            if a != "*" && !part(a, arch) {
                return false;
            }
        }
        true
    }
}

fn name_ok(s: &str) -> bool {
    !s.is_empty() && !s.contains([':', '(', '/', '=', '<', '>', ' '])
}

fn ver_ok(s: &str) -> bool {
    name_ok(s) && !s.contains('-')
}

fn arch_ok(s: &str) -> bool {
    ver_ok(s) && !s.contains('.')
}

/// `[E:]V` with E digits and V a version.
fn split_ev(s: &str) -> Option<(Option<u32>, String)> {
    match s.find(':') {
        None => ver_ok(s).then(|| (None, s.to_string())),
        Some(p) => {
            let (e, v) = (&s[..p], &s[p + 1..]);
            if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) || !ver_ok(v) {
                return None;
            }
            Some((Some(e.parse().ok()?), v.to_string()))
        }
    }
}

/// Splits `spec` in `form` (libdnf's NEVRA regexes).
pub fn parse_form(spec: &str, form: Form) -> Option<SpecParts> {
    match form {
        Form::Name => name_ok(spec).then(|| SpecParts {
            name: spec.to_string(),
            ..Default::default()
        }),
        Form::Na => {
            let dot = spec.rfind('.')?;
            let (n, a) = (&spec[..dot], &spec[dot + 1..]);
            (name_ok(n) && arch_ok(a)).then(|| SpecParts {
                name: n.to_string(),
                arch: Some(a.to_string()),
                ..Default::default()
            })
        }
        Form::Nev => {
            let dash = spec.rfind('-')?;
            let (n, ev) = (&spec[..dash], &spec[dash + 1..]);
            let (epoch, version) = split_ev(ev)?;
            name_ok(n).then(|| SpecParts {
                name: n.to_string(),
                epoch,
                version: Some(version),
                ..Default::default()
            })
        }
        Form::Nevr | Form::Nevra => {
            let (nevr, arch) = if form == Form::Nevra {
                let dot = spec.rfind('.')?;
                let a = &spec[dot + 1..];
                if !arch_ok(a) {
                    return None;
                }
                (&spec[..dot], Some(a.to_string()))
            } else {
                (spec, None)
            };
            let r = nevr.rfind('-')?;
            let rel = &nevr[r + 1..];
            if !ver_ok(rel) {
                return None;
            }
            let v = nevr[..r].rfind('-')?;
            let (n, ev) = (&nevr[..v], &nevr[v + 1..r]);
            let (epoch, version) = split_ev(ev)?;
            name_ok(n).then(|| SpecParts {
                name: n.to_string(),
                epoch,
                version: Some(version),
                release: Some(rel.to_string()),
                arch,
            })
        }
    }
}

/// libdnf's `filterSubject` over the NEVRA forms: the first form of
/// `pattern` (most specific first) for which `select` finds anything, with
/// what it found; None when no form does.
pub fn first_form_selecting<T>(
    pattern: &str,
    mut select: impl FnMut(&SpecParts) -> Vec<T>,
) -> Option<(SpecParts, Vec<T>)> {
    FORMS_MOST_SPECIFIC.into_iter().find_map(|form| {
        let parts = parse_form(pattern, form)?;
        let found = select(&parts);
        (!found.is_empty()).then_some((parts, found))
    })
}

/// The packages dnf chooses excludes and includes among: the whole sack
/// when `_setup_excludes_includes` runs (every repo, sources too), as
/// (name, EVR, arch).
pub struct Sack<'a> {
    pkgs: Vec<(&'a str, &'a Evr, &'a str)>,
    by_name: FxHashMap<&'a str, Vec<usize>>,
}

impl<'a> Sack<'a> {
    /// The sack of `pkgs`; [`Sack::best_query`] answers indexes into it.
    pub fn new(pkgs: Vec<(&'a str, &'a Evr, &'a str)>) -> Sack<'a> {
        let mut by_name: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (i, p) in pkgs.iter().enumerate() {
            by_name.entry(p.0).or_default().push(i);
        }
        Sack { pkgs, by_name }
    }

    /// What `pattern` selects, as dnf's `Subject(pattern).get_best_query(sack,
    /// with_nevra=True, with_provides=False, with_filenames=False)` (libdnf
    /// `Query::filterSubject`): the first NEVRA form (most specific first)
    /// that selects any package of the sack, all it selects; when no form
    /// does, the pattern as a glob on the whole `name-version-release.arch`
    /// (`name-epoch:version-release.arch` when the pattern holds a `:`, `0:`
    /// for no epoch; libdnf's `filterNevra`), so `nasm-*.x86_64` excludes
    /// nasm though no form reads it so. Sorted indexes.
    pub fn best_query(&self, pattern: &str) -> Vec<usize> {
        let by_form = first_form_selecting(pattern, |parts| {
            let hit = |&i: &usize| {
                let (n, evr, a) = self.pkgs[i];
                parts.matches_parts(n, evr, a)
            };
            if is_glob(&parts.name) {
                (0..self.pkgs.len()).filter(hit).collect()
            } else {
                let same_name = self.by_name.get(parts.name.as_str());
                same_name.map_or(Vec::new(), |ids| ids.iter().copied().filter(hit).collect())
            }
        });
        if let Some((_, found)) = by_form {
            return found;
        }
        let Some(mut glob) = NevraGlob::new(pattern) else {
            return Vec::new();
        };
        (0..self.pkgs.len())
            .filter(|&i| {
                let (n, evr, a) = self.pkgs[i];
                glob.matches(n, evr, a)
            })
            .collect()
    }
}

/// A pattern as libdnf's `filterNevra` matches it against a package's whole
/// `name-version-release.arch` (the last resort of `filterSubject`, for
/// excludes and for `dnf install` alike): the epoch is spelled out, `0:`
/// included, only when the pattern holds a `:`.
pub struct NevraGlob<'p> {
    pattern: &'p str,
    with_epoch: bool,
    /// The text matched last (a buffer reused for every package).
    text: String,
}

impl<'p> NevraGlob<'p> {
    /// The matcher of `pattern`; None for what cannot be a NEVRA (a rich
    /// dependency, a path or a comparison: `filterNevra` skips them).
    pub fn new(pattern: &'p str) -> Option<NevraGlob<'p>> {
        if pattern.contains(['(', '/', '=', '<', '>', ' ']) {
            return None;
        }
        Some(NevraGlob {
            pattern,
            with_epoch: pattern.contains(':'),
            text: String::new(),
        })
    }

    /// Whether the package's NEVRA text matches the pattern (a glob, or
    /// the same text).
    pub fn matches(&mut self, name: &str, evr: &Evr, arch: &str) -> bool {
        use std::fmt::Write;
        let text = &mut self.text;
        text.clear();
        text.push_str(name);
        text.push('-');
        if self.with_epoch {
            let _ = write!(text, "{}:", evr.epoch);
        }
        text.push_str(&evr.version);
        text.push('-');
        text.push_str(evr.release_str());
        text.push('.');
        text.push_str(arch);
        glob_match(self.pattern, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_query_takes_the_first_form_that_selects_anything() {
        let evr = |s: &str| Evr::parse(s).unwrap();
        let (a, b, c, d) = (evr("2.16-1.el"), evr("1.0-1"), evr("1:3-2"), evr("1.0-1"));
        let sack = Sack::new(vec![
            ("nasm", &a, "x86_64"),
            ("foo", &b, "noarch"),
            ("foo-1.0", &c, "noarch"),
            ("nasm", &d, "src"),
        ]);
        // No form reads `nasm-*.x86_64` as nasm's: the whole-NEVRA glob does.
        assert_eq!(sack.best_query("nasm-*.x86_64"), [0]);
        assert_eq!(sack.best_query("nasm-[0-9]*"), [0, 3]);
        assert_eq!(sack.best_query("nasm*el*"), [0]);
        // With a ':' the epoch is spelled out, 0 included.
        assert_eq!(sack.best_query("nasm-0:2*.x86_64"), [0]);
        assert_eq!(sack.best_query("foo-1.0-1*.noarch"), [1]);
        // NAME comes before NEV: a package named `foo-1.0` hides foo 1.0.
        assert_eq!(sack.best_query("foo-1.0"), [2]);
        assert_eq!(sack.best_query("foo"), [1]);
        assert_eq!(sack.best_query("nasm"), [0, 3]);
        assert_eq!(sack.best_query("nasm.src"), [3]);
        assert_eq!(sack.best_query("nosuch*"), Vec::<usize>::new());
    }

    #[test]
    fn forms() {
        let p = parse_form("foo-bar-1:2.0-3.fc40.x86_64", Form::Nevra).unwrap();
        assert_eq!(p.name, "foo-bar");
        assert_eq!(p.epoch, Some(1));
        assert_eq!(p.version.as_deref(), Some("2.0"));
        assert_eq!(p.release.as_deref(), Some("3.fc40"));
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert!(parse_form("foo", Form::Nevra).is_none());
        let p = parse_form("foo.i686", Form::Na).unwrap();
        assert_eq!((p.name.as_str(), p.arch.as_deref()), ("foo", Some("i686")));
        assert!(parse_form("foo >= 2", Form::Name).is_none());
        assert!(parse_form("(a or b)", Form::Name).is_none());
        assert!(parse_form("/usr/bin/x", Form::Name).is_none());
        let p = parse_form("foo-1.0", Form::Nev).unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("foo", Some("1.0"))
        );
        assert!(!parse_form("foo-1.0-1", Form::Nevr).unwrap().has_just_name());
        assert!(parse_form("foo", Form::Name).unwrap().has_just_name());
    }
}
