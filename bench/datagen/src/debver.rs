//! Debian version relations carried into rpm: dpkg's version order
//! (`verrevcmp` of dpkg's `lib/dpkg/version.c`, written from its documented
//! rules) and the rewriting of a relation's bound so that, on the versions
//! present in the data, the rpm relation is met by exactly the packages
//! that meet the Debian one.
//!
//! The readable mapping of versions (`evr` in `debian.rs`) mostly keeps the
//! order, but not always: dpkg and rpm disagree on separators and on what
//! sorts before the end of a string, so idioms such as `<< 1:2.39.5-.`
//! ("below the next revision") or `<< 2.17.1.1-2~deb12u1.~` would become
//! rpm requirements nothing meets. For each versioned atom the set of
//! present versions (packages of that name and versioned provides of it)
//! that dpkg accepts is computed, and the atom is rewritten to a bound on
//! those versions in rpm's order (`<=` the largest, `>=` the smallest, `=`),
//! or to an `or` of `=` atoms when rpm's order splits the set.

use std::cmp::Ordering;
use std::collections::HashMap;

use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;

/// dpkg's character weight in the non-digit parts: '~' below the end of
/// the string, letters below every other character.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

/// dpkg's comparison of two upstream versions or two revisions.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let at = |s: &[u8], k: usize| s.get(k).copied();
    let digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(at(a, i))) || (j < b.len() && !digit(at(b, j))) {
            let (x, y) = (weight(at(a, i)), weight(at(b, j)));
            if x != y {
                return x.cmp(&y);
            }
            i += 1;
            j += 1;
        }
        while at(a, i) == Some(b'0') {
            i += 1;
        }
        while at(b, j) == Some(b'0') {
            j += 1;
        }
        let mut first = Ordering::Equal;
        while digit(at(a, i)) && digit(at(b, j)) {
            if first == Ordering::Equal {
                first = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit(at(a, i)) {
            return Ordering::Greater;
        }
        if digit(at(b, j)) {
            return Ordering::Less;
        }
        if first != Ordering::Equal {
            return first;
        }
    }
    Ordering::Equal
}

/// (epoch, upstream, revision) of a Debian version.
fn split(v: &str) -> (u64, &str, &str) {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()) => {
            (e.parse().unwrap_or(0), r)
        }
        _ => (0, v),
    };
    match rest.rsplit_once('-') {
        Some((u, r)) => (epoch, u, r),
        None => (epoch, rest, ""),
    }
}

/// dpkg's order of two versions.
pub fn deb_cmp(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = split(a);
    let (eb, ub, rb) = split(b);
    ea.cmp(&eb)
        .then_with(|| verrevcmp(ua, ub))
        .then_with(|| verrevcmp(ra, rb))
}

/// Whether `x op bound` holds.
fn holds(o: Ordering, cmp: Cmp) -> bool {
    match cmp {
        Cmp::Lt => o == Ordering::Less,
        Cmp::Le => o != Ordering::Greater,
        Cmp::Eq => o == Ordering::Equal,
        Cmp::Ge => o != Ordering::Less,
        Cmp::Gt => o == Ordering::Greater,
        Cmp::Ne => o != Ordering::Equal,
        // rpm-md's unknown flags: no version meets them.
        Cmp::Unknown => false,
    }
}

/// The versions present for each name: packages of that name and
/// versioned (`=`) provides of it, as Debian version strings.
#[derive(Default)]
pub struct Present {
    by_name: HashMap<String, Vec<String>>,
}

impl Present {
    pub fn add(&mut self, name: &str, version: &str) {
        let v = self.by_name.entry(name.to_string()).or_default();
        if !v.iter().any(|x| x == version) {
            v.push(version.to_string());
        }
    }

    /// The rpm atom for Debian's `name (op bound)`, `evr` being the readable
    /// version mapping.
    pub fn atom(&self, name: &str, cmp: Cmp, bound: &str, evr: impl Fn(&str) -> Evr) -> Dep {
        let plain = Dep::Simple(SimpleDep::versioned(name, cmp, evr(bound)));
        let Some(present) = self.by_name.get(name) else {
            return plain;
        };
        let b = evr(bound);
        let deb: Vec<&String> = present
            .iter()
            .filter(|x| holds(deb_cmp(x, bound), cmp))
            .collect();
        let rpm: Vec<&String> = present
            .iter()
            .filter(|x| holds(evr(x).cmp_match(&b), cmp))
            .collect();
        if deb == rpm {
            return plain;
        }
        // In rpm's order: the accepted versions must be a prefix (<, <=),
        // a suffix (>, >=) or one version (=) of what is present.
        let mut sorted: Vec<(Evr, bool)> =
            present.iter().map(|x| (evr(x), deb.contains(&x))).collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let ok = |v: &(Evr, bool)| v.1;
        let versioned = |c: Cmp, e: &Evr| Dep::Simple(SimpleDep::versioned(name, c, e.clone()));
        let first_no = sorted.iter().position(|v| !ok(v)).unwrap_or(sorted.len());
        let last_no = sorted.iter().rposition(|v| !ok(v));
        match cmp {
            Cmp::Lt | Cmp::Le if sorted[first_no..].iter().all(|v| !ok(v)) => {
                return match first_no {
                    0 => versioned(Cmp::Lt, &sorted[0].0),
                    k => versioned(Cmp::Le, &sorted[k - 1].0),
                };
            }
            Cmp::Gt | Cmp::Ge if last_no.is_none_or(|k| sorted[..k].iter().all(|v| !ok(v))) => {
                return match last_no {
                    None => versioned(Cmp::Ge, &sorted[0].0),
                    Some(k) if k + 1 < sorted.len() => versioned(Cmp::Ge, &sorted[k + 1].0),
                    Some(k) => versioned(Cmp::Gt, &sorted[k].0),
                };
            }
            _ => {}
        }
        let mut alts: Vec<Dep> = Vec::new();
        for (e, yes) in &sorted {
            let d = versioned(Cmp::Eq, e);
            if *yes && !alts.contains(&d) {
                alts.push(d);
            }
        }
        match alts.len() {
            0 => plain,
            1 => alts.pop().unwrap_or(plain),
            _ => Dep::Or(alts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_order() {
        let lt = |a: &str, b: &str| deb_cmp(a, b) == Ordering::Less;
        assert!(lt("1.0~rc1", "1.0"));
        assert!(lt("1.0", "1.0+b1"));
        assert!(lt("1:2.39.5-0+deb12u3", "1:2.39.5-."));
        assert!(lt("2.17.1.1-2~deb12u1", "2.17.1.1-2~deb12u1.~"));
        assert!(lt("2.36", "2.36-9"));
        assert!(lt("1:0.1", "2:0.0"));
        assert!(lt("1.0a", "1.0b"));
        assert!(lt("1.0a", "1.0."));
        assert!(lt("1.4-5-1", "1.4-5-2"));
        assert_eq!(deb_cmp("1.0-0", "1.0"), Ordering::Equal);
        assert_eq!(deb_cmp("01.0", "1.0"), Ordering::Equal);
    }

    #[test]
    fn bounds_keep_their_meaning() {
        let evr = |v: &str| crate::debian::evr(v);
        let mut p = Present::default();
        p.add("git-man", "1:2.39.5-0+deb12u3");
        // "below the next revision": met by the present git-man.
        let d = p.atom("git-man", Cmp::Lt, "1:2.39.5-.", evr);
        assert_eq!(d.to_string(), "git-man <= 1:2.39.5-0+deb12u3");
        // A bound both orders agree on stays as written.
        let d = p.atom("git-man", Cmp::Ge, "1:2.39", evr);
        assert_eq!(d.to_string(), "git-man >= 1:2.39-0");
        // Nothing present meets it in Debian either: still unmet in rpm.
        let d = p.atom("git-man", Cmp::Gt, "1:2.40", evr);
        assert_eq!(d.to_string(), "git-man > 1:2.40-0");
        // Unknown names keep the readable bound.
        let d = p.atom("nosuch", Cmp::Lt, "1-.", evr);
        assert_eq!(d.to_string(), "nosuch < 1-.");
    }
}
