//! What a line or a query names, given the names the repositories hold:
//! the forms dnf takes a package spec in (libdnf's hy-subject.cpp:
//! `HY_FORM_NEVRA`, `HY_FORM_NA`, `HY_FORM_NAME`, `HY_FORM_NEVR`,
//! `HY_FORM_NEV`; dnf's `dnf.subject.Subject` over it), plus an SRPM file
//! name and the tools' own `*-nvrs` lines. A form is taken only when its
//! name is known, so a plain name is never cut short.
//!
//! Separate from reading lists ([`super`]): a list is read without the
//! repositories; these need them, and `--why` asks them of one query.

use super::{digit_version, reduce_parts, split_nvr, KNOWN_ARCHES};
use crate::error::{Error, Result};

/// The package name `item` stands for, given which names exist (`known`):
/// the item itself when it is a name, else the name of its NEVRA or SRPM file
/// name ([`reduce`](super::reduce)), else the name of a bare `name-version-release` (the
/// tools' own `*-nvrs` lists) or of a `name.arch` when that name exists. A line nothing explains
/// comes back unchanged, for the caller to report.
///
/// Checking against real names keeps plain names safe: `java-1.8.0-openjdk`
/// is a package, so it is never cut to `java`.
pub fn name_in(item: &str, known: impl Fn(&str) -> bool) -> String {
    name_and_version_in(item, known).0
}

/// What [`name_in`] takes `item` as, with the version the item gave:
/// `[epoch:]version-release` as written (an NVR from a `*-nvrs` list has no
/// epoch even when the package has one, so a caller comparing versions
/// needs to know whether one was given); None when the item is a name.
pub fn name_and_version_in(item: &str, known: impl Fn(&str) -> bool) -> (String, Option<String>) {
    let s = parts_in(item, known, false);
    (s.name, s.version)
}

/// A package named by a query, as [`subject_in`] takes it apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The package name ([`name_in`]'s answer).
    pub name: String,
    /// `[epoch:]version[-release]` as written; None when none was given.
    pub version: Option<String>,
    /// The arch the query gave (a NEVRA's, a `name.arch`'s, `src` for an
    /// SRPM file name); None when none was given.
    pub arch: Option<String>,
}

/// What a query for one package (`--why`) names, as dnf takes a package
/// spec: [`name_and_version_in`]'s forms with the arch they give, and
/// dnf's `name-[epoch:]version` (its NEV form, `nasm-2.16.03`), which a
/// list line never is (it would take `lib3ds-1` for lib3ds when that is
/// known). A NEV is tried last, as dnf tries it last.
pub fn subject_in(item: &str, known: impl Fn(&str) -> bool) -> Subject {
    parts_in(item, known, true)
}

fn parts_in(item: &str, known: impl Fn(&str) -> bool, nev: bool) -> Subject {
    let only_name = |name: &str| Subject {
        name: name.to_string(),
        version: None,
        arch: None,
    };
    if known(item) {
        return only_name(item);
    }
    if let Some((name, evr, arch)) = reduce_parts(item) {
        if known(&name) {
            // The version as written: the item between the name and the
            // arch or file name suffix (`Evr`'s Display drops a `0:`).
            // An SRPM file name may come with a directory: the name starts
            // the last path component, not the item.
            let base = item.rsplit('/').next().unwrap_or(item);
            let rest = base
                .strip_prefix(name.as_str())
                .and_then(|r| r.strip_prefix('-'));
            let written = rest
                .and_then(|rest| {
                    rest.find(&evr.vr())
                        .map(|at| rest[..at + evr.vr().len()].to_string())
                })
                .unwrap_or_else(|| evr.to_string());
            return Subject {
                name,
                version: Some(written),
                arch: Some(arch),
            };
        }
    }
    if let Some((name, version)) = split_nvr(item).filter(|(name, _)| known(name)) {
        return Subject {
            version: Some(version.to_string()),
            ..only_name(name)
        };
    }
    // dnf's `name.arch` (its NA form), as packagers type it.
    if let Some((name, arch)) = item.rsplit_once('.') {
        if KNOWN_ARCHES.contains(&arch) && arch != "placeholder" && known(name) {
            return Subject {
                arch: Some(arch.to_string()),
                ..only_name(name)
            };
        }
    }
    // A NEVRA whose version or release does not start with a digit (the
    // list heuristic's condition, for names holding `-1`): texlive's
    // `texlive-amsmath-11:svn63514-85.eln150.noarch`, taken when its name is
    // known and `name.arch` was not (dnf tries NEVRA forms first, by match).
    if let Some((stem, arch)) = item.strip_suffix(".rpm").unwrap_or(item).rsplit_once('.') {
        if KNOWN_ARCHES.contains(&arch) && arch != "placeholder" {
            if let Ok(n) = crate::evr::Nevra::parse(&format!("{stem}.{arch}")) {
                if known(&n.name) {
                    let version = stem[n.name.len() + 1..].to_string();
                    return Subject {
                        version: Some(version),
                        arch: Some(arch.to_string()),
                        ..only_name(&n.name)
                    };
                }
            }
        }
    }
    // dnf's `name-[epoch:]version` (NEV).
    if let Some((name, version)) = item.rsplit_once('-').filter(|_| nev) {
        let epoch_ok = version
            .split_once(':')
            .is_none_or(|(e, _)| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()));
        if digit_version(version) && epoch_ok && known(name) {
            return Subject {
                version: Some(version.to_string()),
                ..only_name(name)
            };
        }
    }
    only_name(item)
}

/// The names a list's lines stand for ([`name_in`] against `known`), for a
/// step that deletes what its list does not name (the SRPM cache, a source
/// repo): a list with lines of which none names anything known is refused
/// rather than taken as "keep nothing" (a binary list, a list of another
/// distribution, a file that is not a list). `list` is the list's path
/// (`-`: stdin), `what` says what a line should name (`a source package of
/// the repositories`), `kept` says what is left as it was.
pub fn names_in_list(
    list: &str,
    lines: &[String],
    known: impl Fn(&str) -> bool,
    what: &str,
    kept: &str,
) -> Result<Vec<String>> {
    let names: Vec<String> = lines.iter().map(|l| name_in(l, &known)).collect();
    match names.first() {
        Some(first) if !names.iter().any(|n| known(n)) => {
            let list = if list == "-" { "<stdin>" } else { list };
            let said = match names.len() {
                1 => format!("its one line, '{first}', does not name {what}"),
                n => format!("none of its {n} lines names {what} (the first: '{first}')"),
            };
            Err(Error::format(list, format!("{said}; {kept}")))
        }
        _ => Ok(names),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_that_names_nothing_known_is_refused() {
        let known = |n: &str| ["bash", "java-1.8.0-openjdk"].contains(&n);
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The tools' own `*-nvrs` lines and NEVRAs name their packages.
        let got = names_in_list(
            "l",
            &lines(&["bash-5.2.26-1.eln150", "java-1.8.0-openjdk", "nope"]),
            known,
            "a source",
            "kept",
        );
        assert_eq!(got.unwrap(), ["bash", "java-1.8.0-openjdk", "nope"]);
        let e = names_in_list("-", &lines(&["nope-1-1", "zzz"]), known, "a source", "kept");
        assert_eq!(
            e.unwrap_err().to_string(),
            "<stdin>: none of its 2 lines names a source (the first: 'nope-1-1'); kept"
        );
        // An empty list is the caller's to allow or refuse.
        assert!(names_in_list("l", &[], known, "a source", "kept")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn name_in_takes_names_nevras_and_bare_nvrs_that_exist() {
        let known =
            |n: &str| ["libjpeg-turbo", "java-1.8.0-openjdk", "hello", "foo-1"].contains(&n);
        for (line, want) in [
            ("hello", "hello"),
            ("java-1.8.0-openjdk", "java-1.8.0-openjdk"),
            ("libjpeg-turbo-3.0.3-1.eln150", "libjpeg-turbo"),
            ("libjpeg-turbo-1:3.0.3-1.eln150", "libjpeg-turbo"),
            ("hello-0:2.12.1-1.eln150.src", "hello"),
            ("hello-2.12.1-1.eln150.src.rpm", "hello"),
            ("foo-1", "foo-1"),
            // dnf's name.arch.
            ("hello.x86_64", "hello"),
            ("hello.src", "hello"),
            ("java-1.8.0-openjdk.noarch", "java-1.8.0-openjdk"),
            ("hello.weird", "hello.weird"),
            // A NEVRA whose version is not a digit's (texlive's svn ones).
            ("hello-11:svn63514-85.eln150.noarch", "hello"),
            (
                "nosuch-11:svn63514-85.eln150.noarch",
                "nosuch-11:svn63514-85.eln150.noarch",
            ),
            ("nosuch.x86_64", "nosuch.x86_64"),
            // Unknown names and non-versions stay as given, for the caller to report.
            ("nosuch-1.0-1", "nosuch-1.0-1"),
            ("hello-world-x", "hello-world-x"),
        ] {
            assert_eq!(name_in(line, known), want, "{line}");
        }
    }

    #[test]
    fn name_and_version_in_keeps_the_version_as_written() {
        let known = |n: &str| ["nasm", "hello", "java-1.8.0-openjdk"].contains(&n);
        for (line, name, version) in [
            ("nasm", "nasm", None),
            ("java-1.8.0-openjdk", "java-1.8.0-openjdk", None),
            (
                "nasm-2.16.03-1.eln150.x86_64",
                "nasm",
                Some("2.16.03-1.eln150"),
            ),
            (
                "nasm-0:2.16.03-1.eln150.x86_64",
                "nasm",
                Some("0:2.16.03-1.eln150"),
            ),
            (
                "nasm-2.16.03-1.eln150.x86_64.rpm",
                "nasm",
                Some("2.16.03-1.eln150"),
            ),
            (
                "hello-1:2.12.1-1.eln150.src.rpm",
                "hello",
                Some("1:2.12.1-1.eln150"),
            ),
            ("nasm-2.16.03-1.eln150", "nasm", Some("2.16.03-1.eln150")),
            (
                "nasm-3:2.16.03-1.eln150",
                "nasm",
                Some("3:2.16.03-1.eln150"),
            ),
            ("nosuch-1.0-1", "nosuch-1.0-1", None),
            // An SRPM path: the name starts its last component (a
            // multi-byte directory name once cut a char in two: a panic).
            (
                "abcdé/hello-2.12.1-1.eln150.src.rpm",
                "hello",
                Some("2.12.1-1.eln150"),
            ),
            (
                "x/hello-2.12.1-1.eln150.src.rpm",
                "hello",
                Some("2.12.1-1.eln150"),
            ),
        ] {
            assert_eq!(
                name_and_version_in(line, known),
                (name.to_string(), version.map(str::to_string)),
                "{line}"
            );
        }
    }

    #[test]
    fn subject_in_gives_the_arch_and_takes_a_name_version() {
        let known = |n: &str| ["nasm", "glibc", "lib3ds-1"].contains(&n);
        let subject = |name: &str, version: Option<&str>, arch: Option<&str>| Subject {
            name: name.into(),
            version: version.map(str::to_string),
            arch: arch.map(str::to_string),
        };
        for (line, want) in [
            ("nasm", subject("nasm", None, None)),
            (
                "glibc-2.40-1.eln150.i686",
                subject("glibc", Some("2.40-1.eln150"), Some("i686")),
            ),
            ("glibc.i686", subject("glibc", None, Some("i686"))),
            (
                "nasm-2.16.03-1.eln150.src.rpm",
                subject("nasm", Some("2.16.03-1.eln150"), Some("src")),
            ),
            (
                "nasm-2.16.03-1.eln150",
                subject("nasm", Some("2.16.03-1.eln150"), None),
            ),
            // dnf's NEV form: a version without its release.
            ("nasm-2.16.03", subject("nasm", Some("2.16.03"), None)),
            ("nasm-1:2.16.03", subject("nasm", Some("1:2.16.03"), None)),
            // A known name wins, as dnf tries NAME before NEV.
            ("lib3ds-1", subject("lib3ds-1", None, None)),
            // Not a version, not a known name, not an epoch.
            ("nasm-devel", subject("nasm-devel", None, None)),
            ("nosuch-1.0", subject("nosuch-1.0", None, None)),
            ("nasm-x:1", subject("nasm-x:1", None, None)),
        ] {
            assert_eq!(subject_in(line, known), want, "{line}");
        }
        // A list line is never a NEV: `name_in` keeps it.
        assert_eq!(name_in("nasm-2.16.03", known), "nasm-2.16.03");
    }
}
