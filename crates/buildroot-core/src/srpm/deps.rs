//! A header's dependency lists as createrepo_c makes them
//! (`cr_package_from_header`'s loop over provides, conflicts, obsoletes,
//! requires and the weak kinds, parsehdr.c, built with the legacy weak
//! dependencies on, as Fedora's and Debian's are).
//!
//! Every decision is taken on the header's bytes, before any text is
//! converted ([`header_text`] happens only as the XML is written): two
//! requires that differ only in bytes the conversion drops are both
//! listed. What createrepo_c leaves out or moves, and so do we:
//! - a require named `rpmlib(...)`;
//! - a require of a primary file (`/usr/bin/x`) the package itself holds;
//! - a require spelled exactly as one of the package's provides (name,
//!   comparison and version);
//! - a require equal to the last kept one of its name (same comparison,
//!   version and `pre`): only the last is compared, so `a, a >= 1, a`
//!   keeps both `a`s;
//! - of the requires whose name starts `libc.so.6`, all but the highest
//!   (`libc.so.6(GLIBC_2.4)` over `(GLIBC_2.3)`, `(GLIBC_PRIVATE)` over
//!   `()`: [`libc_higher`]), which goes last;
//! - a dependency whose version has an epoch `strtol` cannot read (`x:1`;
//!   `-1:2` is listed);
//! - a require flagged `MISSINGOK` is a recommends (old SUSE packages);
//! - the old weak tags (1156-1161, `OLDSUGGESTS*`, `OLDENHANCES*`):
//!   suggests and enhances, or with the `STRONG` flag recommends and
//!   supplements, after the new tags' entries.
//!
//! `pre="1"` is a `PREREQ`, `SCRIPT_PRE` or `SCRIPT_POST` require. Each
//! version is kept as libsolv compares what createrepo_c lists of it
//! ([`createrepo_c_dep`], `rpmmd/entry_evr.rs`); the repodata writer lists
//! it as createrepo_c does.

use std::collections::{HashMap, HashSet};

use super::details::header_text;
use super::tags::*;
use super::RawHeader;
use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::{rpmvercmp, Evr};
use crate::package::Requirement;
use crate::rpmmd::{entry_evr, is_primary_file};

/// `RPMSENSE_STRONG`: an old weak dependency that is a strong one.
const SENSE_STRONG: u64 = 1 << 27;
/// `RPMSENSE_MISSINGOK`: an old SUSE require that is a recommends.
const SENSE_MISSINGOK: u64 = 1 << 19;
/// The require flags createrepo_c writes as `pre="1"`.
const SENSE_PRE: u64 = (1 << 6) | (1 << 9) | (1 << 10);

/// The dependency lists of one header.
#[derive(Default)]
pub(super) struct DepLists {
    pub provides: Vec<SimpleDep>,
    pub requires: Vec<Requirement>,
    pub conflicts: Vec<Dep>,
    pub obsoletes: Vec<SimpleDep>,
    pub recommends: Vec<Dep>,
    pub suggests: Vec<Dep>,
    pub supplements: Vec<Dep>,
    pub enhances: Vec<Dep>,
}

/// The comparison createrepo_c reads from a dependency's flags
/// (`cr_flag_to_str`): the low four bits, one of five values, else none.
fn comparison(flags: u64) -> Option<&'static str> {
    match flags & 0xf {
        2 => Some("LT"),
        4 => Some("GT"),
        8 => Some("EQ"),
        10 => Some("LE"),
        12 => Some("GE"),
        _ => None,
    }
}

/// createrepo_c's `cr_compare_dependency` of two `libc.so.6...` names:
/// whether `b` is higher than `a`. Each name is ranked by its first
/// parentheses, lowest first: none, `(` without `)`, `()`, text without a
/// digit (`(GLIBC_PRIVATE)`), then a version (from the first digit to the
/// `)`), versions compared by rpmvercmp. Names of one rank without a
/// version are equal (the kept one stays).
fn libc_higher(a: &str, b: &str) -> bool {
    /// The rank of a name, and its version for the last rank.
    fn rank(s: &str) -> (u8, &str) {
        let Some(open) = s.find('(') else {
            return (0, "");
        };
        let Some(close) = s[open..].find(')').map(|c| open + c) else {
            return (1, "");
        };
        let inner = &s[open + 1..close];
        if inner.is_empty() {
            return (2, "");
        }
        match inner.find(|c: char| c.is_ascii_digit()) {
            Some(d) => (4, &inner[d..]),
            None => (3, ""),
        }
    }
    match (rank(a), rank(b)) {
        ((4, x), (4, y)) => rpmvercmp(x, y).is_lt(),
        ((ra, _), (rb, _)) => ra < rb,
    }
}

/// One dependency as createrepo_c lists it; none when it leaves it out
/// for an epoch `strtol` does not read (`x:1`). The version is kept as
/// libsolv compares what createrepo_c lists of it (`rpmmd/entry_evr.rs`:
/// `1.0-1-2` is listed as `1.0` / `1-2` and compared as `1.0-1` / `2`; a
/// signed epoch, `-1:2`, is listed as one and is none to libsolv or rpm);
/// flags without a version are kept (`>=` and nothing: `flags="GE"`
/// alone). A rich dependency rpm wrote that our parser cannot read (`(a
/// or foo(bar )`) is kept as its text, which is what createrepo_c lists;
/// libsolv drops it as it reads the repo, and so does our pool
/// ([`crate::rpmmd::RawChunk::from_packages`]).
fn createrepo_c_dep(name: String, flags: u64, version: &[u8]) -> Option<Dep> {
    let (epoch, ver, rel) = entry_evr::createrepo_c_split(version)?;
    if name.starts_with('(') {
        return Some(Dep::parse_stored_rich(&name).unwrap_or(Dep::Simple(SimpleDep::name(name))));
    }
    let cmp = match comparison(flags) {
        Some("LT") => Cmp::Lt,
        Some("LE") => Cmp::Le,
        Some("EQ") => Cmp::Eq,
        Some("GE") => Cmp::Ge,
        Some("GT") => Cmp::Gt,
        _ => return Some(Dep::Simple(SimpleDep::name(name))),
    };
    // What libsolv gets: the attributes written, an empty one left out.
    let (epoch, ver, rel) = (header_text(epoch), header_text(ver), header_text(rel));
    fn written(a: &str) -> Option<&str> {
        (!a.is_empty()).then_some(a)
    }
    let (e, v, r) = entry_evr::libsolv_evr(written(&epoch), written(&ver), written(&rel));
    Some(Dep::Simple(SimpleDep {
        name,
        range: Some(Range {
            cmp,
            evr: Evr::new(e, v, r.as_deref()),
        }),
    }))
}

/// What a kept require is compared by: comparison, version as stored, `pre`.
type Kept<'a> = (Option<&'static str>, &'a [u8], bool);

/// A header's raw dependency entries: name, flags, version.
type RawDeps = Vec<(Vec<u8>, u64, Vec<u8>)>;

/// The dependency lists of a header as createrepo_c lists them.
pub(super) fn dep_lists(raw: &RawHeader) -> DepLists {
    let mut out = DepLists::default();
    let convert = |n: &[u8], flags: u64, v: &[u8]| -> Option<Dep> {
        let name = header_text(n);
        // A dependency without a name (only a damaged header has one)
        // names nothing: left out (libsolv would read `<rpm:entry
        // name=""/>` as a requirement nothing meets). Nor can rpm-md
        // list a name with a control character (rpmbuild refuses them):
        // XML cannot hold most, and `\x01` would be written as that empty
        // name.
        if name.is_empty() || name.chars().any(char::is_control) {
            return None;
        }
        createrepo_c_dep(name, flags, v)
    };
    // A rich provide or obsolete (rpmbuild makes none; a header can hold
    // one) is listed as its text, as createrepo_c lists it, and as
    // `Package` holds one read from rpm-md.
    let simple = |n: &[u8], d: Dep| match d {
        Dep::Simple(s) => s,
        _ => SimpleDep::name(header_text(n)),
    };
    let mut provided: HashSet<Vec<u8>> = HashSet::new();
    let spelled =
        |n: &[u8], f: u64, v: &[u8]| [n, comparison(f).unwrap_or("").as_bytes(), v].concat();
    let v3 = v3_provides(raw);
    let provides = match &v3 {
        Some(v3) => v3.iter().map(|(n, f, v)| (&n[..], *f, &v[..])).collect(),
        None => raw.deps(DEPS_PROVIDE),
    };
    for (n, f, v) in provides {
        if let Some(d) = convert(n, f, v).map(|d| simple(n, d)) {
            provided.insert(spelled(n, f, v));
            out.provides.push(d);
        }
    }
    for (n, f, v) in raw.deps(DEPS_CONFLICT) {
        out.conflicts.extend(convert(n, f, v));
    }
    for (n, f, v) in raw.deps(DEPS_OBSOLETE) {
        out.obsoletes.extend(convert(n, f, v).map(|d| simple(n, d)));
    }
    let own_files = own_files(raw);
    let mut last: HashMap<&[u8], Kept> = HashMap::new();
    let mut libc: Option<(&[u8], Requirement)> = None;
    for (n, f, v) in raw.deps(DEPS_REQUIRE) {
        if n.starts_with(b"rpmlib(")
            || (n.first() == Some(&b'/')
                && own_files.contains(n)
                && is_primary_file(&String::from_utf8_lossy(n)))
            || provided.contains(&spelled(n, f, v))
        {
            continue;
        }
        let pre = f & SENSE_PRE != 0;
        let key = (comparison(f), v, pre);
        if last.get(n) == Some(&key) {
            continue;
        }
        let Some(dep) = convert(n, f, v) else {
            continue;
        };
        if f & SENSE_MISSINGOK != 0 {
            out.recommends.push(dep);
            continue;
        }
        if n.starts_with(b"libc.so.6") {
            // Ranked on the bytes, as createrepo_c ranks them: a byte the
            // conversion drops still separates two numbers for rpmvercmp
            // (`2\xa09` is 2, 9), as U+FFFD does for ours.
            let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            if libc
                .as_ref()
                .is_none_or(|(kept, _)| libc_higher(&lossy(kept), &lossy(n)))
            {
                libc = Some((n, Requirement { dep, pre }));
            }
            continue;
        }
        out.requires.push(Requirement { dep, pre });
        last.insert(n, key);
    }
    out.requires.extend(libc.map(|(_, r)| r));
    for (tags, list) in [
        (DEPS_SUGGEST, &mut out.suggests),
        (DEPS_ENHANCE, &mut out.enhances),
        (DEPS_RECOMMEND, &mut out.recommends),
        (DEPS_SUPPLEMENT, &mut out.supplements),
    ] {
        for (n, f, v) in raw.deps(tags) {
            list.extend(convert(n, f, v));
        }
    }
    for (tags, suggest) in [(DEPS_OLDSUGGEST, true), (DEPS_OLDENHANCE, false)] {
        for (n, f, v) in raw.deps(tags) {
            let Some(d) = convert(n, f, v) else { continue };
            match (suggest, f & SENSE_STRONG != 0) {
                (true, false) => out.suggests.push(d),
                (true, true) => out.recommends.push(d),
                (false, false) => out.enhances.push(d),
                (false, true) => out.supplements.push(d),
            }
        }
    }
    out
}

/// The provides rpm gives a package of before rpm 3.0.4 as it reads it
/// (`applyRetrofits`, `providePackageNVR`): a binary package whose header
/// has no immutable region gets `N = [E:]V-R` unless rpm's search of its
/// provides finds that one ([`rpmds_find`]), and provides without versions
/// get empty ones. None for any other header. "Binary" is rpm's test at
/// that point: the header has a SOURCERPM, which rpm has just given
/// `(none)` to one with neither source tag that it types a binary package
/// ([`super::package::is_source`]).
fn v3_provides(raw: &RawHeader) -> Option<RawDeps> {
    let has_sourcerpm =
        raw.has(TAG_SOURCERPM) || (!raw.has(TAG_SOURCEPACKAGE) && !super::package::is_source(raw));
    if raw.has(TAG_HEADERIMMUTABLE) || !has_sourcerpm {
        return None;
    }
    let name = raw.string(TAG_NAME)?.to_vec();
    let mut evr = raw
        .number(TAG_EPOCH)
        .map(|e| format!("{e}:").into_bytes())
        .unwrap_or_default();
    evr.extend_from_slice(raw.string(TAG_VERSION)?);
    evr.push(b'-');
    evr.extend_from_slice(raw.string(TAG_RELEASE)?);
    let names = raw.strings(DEPS_PROVIDE[0]);
    let mut out: RawDeps = if raw.has(DEPS_PROVIDE[2]) {
        raw.deps(DEPS_PROVIDE)
            .into_iter()
            .map(|(n, f, v)| (n.to_vec(), f, v.to_vec()))
            .collect()
    } else {
        names.iter().map(|n| (n.to_vec(), 0, Vec::new())).collect()
    };
    let eq = 8;
    if !raw.has(DEPS_PROVIDE[2]) || !rpmds_find(&out, &name, eq, &evr) {
        out.push((name, eq, evr));
    }
    Some(out)
}

/// rpm's `rpmdsFind` of one provide in a header's list, as
/// `providePackageNVR` asks it: a binary search (the list taken as sorted,
/// which an old header's need not be, so an entry can be missed) by name,
/// then version, then the whole flags, each compared as rpm compares them.
fn rpmds_find(list: &[(Vec<u8>, u64, Vec<u8>)], name: &[u8], flags: u64, version: &[u8]) -> bool {
    let (mut l, mut u) = (0, list.len());
    while l < u {
        let i = (l + u) / 2;
        let (n, f, v) = &list[i];
        // strcmp on names and versions; flags subtracted as 32-bit numbers.
        let order = name
            .cmp(n)
            .then(version.cmp(v))
            .then_with(|| ((flags as u32).wrapping_sub(*f as u32) as i32).cmp(&0));
        match order {
            std::cmp::Ordering::Less => u = i,
            std::cmp::Ordering::Greater => l = i + 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The paths of the header's files, as stored, when createrepo_c has them
/// (directory names, indexes, base names, flags and modes all present; an
/// old-style list of whole names, OLDFILENAMES, is what rpm turns into the
/// first three as it reads a header without them).
fn own_files(raw: &RawHeader) -> HashSet<Vec<u8>> {
    let (dirs, index, bases) = (
        raw.strings(TAG_DIRNAMES),
        raw.numbers(TAG_DIRINDEXES),
        raw.strings(TAG_BASENAMES),
    );
    if raw.numbers(TAG_FILEFLAGS).is_empty() || raw.numbers(TAG_FILEMODES).is_empty() {
        return HashSet::new();
    }
    if dirs.is_empty() && index.is_empty() && bases.is_empty() {
        let old = raw.strings(TAG_OLDFILENAMES);
        return old.into_iter().map(<[u8]>::to_vec).collect();
    }
    if index.is_empty() || bases.is_empty() {
        return HashSet::new();
    }
    bases
        .iter()
        .zip(index)
        .filter_map(|(b, i)| Some([*dirs.get(i as usize)?, b].concat()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rich dependency with a blank after it is none libsolv reads: kept
    /// as its text (listed so, left out of the pool), as `(a or foo(bar)`.
    #[test]
    fn a_blank_after_a_rich_dependency_leaves_it_unread() {
        let d = createrepo_c_dep("(a or b) ".into(), 0, b"").unwrap();
        assert_eq!(d, Dep::Simple(SimpleDep::name("(a or b) ")));
        let d = createrepo_c_dep("(a or b)".into(), 0, b"").unwrap();
        assert!(d.is_rich(), "{d}");
    }

    #[test]
    fn epochs_createrepo_c_skips() {
        for good in ["1.0", "1:2", "01:2", ":2", "-1:2", " 3:4"] {
            assert!(
                createrepo_c_dep("a".into(), 12, good.as_bytes()).is_some(),
                "{good}"
            );
        }
        for bad in ["x:1", "1x:2", "-:1", " :1", "1.0-1:x"] {
            assert!(
                createrepo_c_dep("a".into(), 12, bad.as_bytes()).is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_v3_self_provide_is_looked_for_as_rpm_looks() {
        let dep = |n: &str, f: u64, v: &str| (n.as_bytes().to_vec(), f, v.as_bytes().to_vec());
        // Sorted: found wherever it is.
        let sorted = [dep("a", 0, ""), dep("p", 8, "1-1"), dep("z", 0, "")];
        assert!(rpmds_find(&sorted, b"p", 8, b"1-1"));
        // Not sorted: the search goes to `z` first, then looks only before
        // it, and misses `p` after it; rpm then adds a second `p = 1-1`.
        let unsorted = [dep("a", 0, ""), dep("z", 0, ""), dep("p", 8, "1-1")];
        assert!(!rpmds_find(&unsorted, b"p", 8, b"1-1"));
        // The whole flags count: EQUAL with another bit is another entry.
        assert!(!rpmds_find(
            &[dep("p", 8 | 1 << 15, "1-1")],
            b"p",
            8,
            b"1-1"
        ));
        assert!(!rpmds_find(&[], b"p", 8, b"1-1"));
    }

    #[test]
    fn the_highest_libc_require_is_createrepo_cs() {
        assert!(libc_higher("libc.so.6", "libc.so.6(GLIBC_2.0)"));
        assert!(libc_higher("libc.so.6(GLIBC_2.3)", "libc.so.6(GLIBC_2.4)"));
        assert!(libc_higher(
            "libc.so.6(GLIBC_2.3)",
            "libc.so.6(GLIBC_2.3.4)"
        ));
        assert!(!libc_higher(
            "libc.so.6(GLIBC_2.4)",
            "libc.so.6(GLIBC_2.3.4)"
        ));
        assert!(libc_higher(
            "libc.so.6()(64bit)",
            "libc.so.6(GLIBC_2.2.5)(64bit)"
        ));
        assert!(!libc_higher(
            "libc.so.6(GLIBC_2.2.5)(64bit)",
            "libc.so.6()(64bit)"
        ));
        assert!(!libc_higher("libc.so.6(GLIBC_2.4)", "libc.so.6(GLIBC_2.4)"));
        // Empty parentheses are lower than text without a digit, and that
        // is lower than a version; names without one are equal.
        assert!(libc_higher(
            "libc.so.6()(64bit)",
            "libc.so.6(GLIBC_PRIVATE)(64bit)"
        ));
        assert!(!libc_higher(
            "libc.so.6(GLIBC_PRIVATE)(64bit)",
            "libc.so.6()(64bit)"
        ));
        assert!(libc_higher("libc.so.6(X)", "libc.so.6(GLIBC_2.0)"));
        assert!(!libc_higher("libc.so.6(X)", "libc.so.6(Y)"));
        assert!(!libc_higher("libc.so.6(", "libc.so.6(x"));
        assert!(libc_higher("libc.so.6(", "libc.so.6()"));
        assert!(!libc_higher("libc.so.6", "libc.so.6x"));
    }
}
