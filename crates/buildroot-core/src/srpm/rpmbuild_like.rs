//! Header rewrites that make the rpm crate's package an SRPM as rpmbuild
//! writes it (rpm's `build/pack.c` and `build/files.c` decide what
//! rpmbuild records): the provides, the `rpmlib()` requirements, the
//! spec's flag, the file list, the descriptive tags and the payload size.

use rpm::{Dependency, DependencyFlags, Header, HeaderEntry, IndexData};

use super::info::SrpmInfo;
use super::tags::*;

/// Keeps, of the provides the rpm crate's builder writes, the package's own
/// `N = EVR` alone: rpmbuild gives an SRPM no `N(ISA)` provide (it has no
/// ISA), and createrepo_c would list it in primary.xml.
pub(super) fn only_self_provide(entries: &mut [HeaderEntry], name: &str) {
    retain_deps(entries, DEPS_PROVIDE, |n| n == name);
}

/// Drops the `rpmlib(PayloadFilesHavePrefix)` requirement the rpm crate's
/// builder writes into every package: rpmbuild adds it to binary packages
/// only (`build/files.c` skips it for a source package), and `rpm -qp
/// --requires` of rpmbuild's SRPM lists none.
pub(super) fn no_payload_prefix_feature(entries: &mut [HeaderEntry]) {
    retain_deps(entries, DEPS_REQUIRE, |n| {
        n != "rpmlib(PayloadFilesHavePrefix)"
    });
}

/// Keeps the dependencies of one kind (`tags`: its name, flags and version
/// arrays, as in `tags.rs`) whose name `keep` accepts.
fn retain_deps(entries: &mut [HeaderEntry], tags: [u32; 3], keep: impl Fn(&str) -> bool) {
    let keep: Vec<bool> = match entries.iter().find(|e| e.tag == tags[0]) {
        Some(HeaderEntry {
            data: IndexData::StringArray(names),
            ..
        }) => names.iter().map(|n| keep(n)).collect(),
        _ => return,
    };
    for e in entries.iter_mut() {
        if !tags.contains(&e.tag) {
            continue;
        }
        let mut k = keep.iter();
        match &mut e.data {
            IndexData::StringArray(v) => v.retain(|_| *k.next().unwrap_or(&true)),
            IndexData::Int32(v) => v.retain(|_| *k.next().unwrap_or(&true)),
            _ => {}
        }
    }
}

/// The `rpmlib()` requirements rpmbuild adds to an SRPM for what its
/// dependencies use (rpm's `finalizeDeps` and `packageSources`) beyond the
/// ones the rpm crate's builder adds itself (`CompressedFileNames`,
/// `FileDigests`, and `RichDependencies` for a name beginning with `(`, as
/// rpm tells a rich dependency): `TildeInVersions` and `CaretInVersions`
/// when a requires' or conflicts' version holds `~` or `^` (a rich one's
/// inner versions included, its names not), `DynamicBuildRequires` for a
/// spec with `%generate_buildrequires`, flagged `MISSINGOK` as rpm's
/// `rpmlibNeedsFeature` flags that one alone (an rpm without the feature
/// still installs the SRPM).
pub(super) fn rpmlib_features(
    requires: &[Dependency],
    conflicts: &[Dependency],
    dynamic: bool,
) -> Vec<Dependency> {
    let versions: Vec<&str> = requires
        .iter()
        .chain(conflicts)
        .flat_map(|d| {
            if d.name.starts_with('(') {
                rich_versions(&d.name)
            } else {
                vec![d.version.as_str()]
            }
        })
        .collect();
    let has = |c: char| versions.iter().any(|v| v.contains(c));
    let mut out = Vec::new();
    if has('~') {
        out.push(Dependency::rpmlib("TildeInVersions", "4.10.0-1"));
    }
    if has('^') {
        out.push(Dependency::rpmlib("CaretInVersions", "4.15.0-1"));
    }
    if dynamic {
        let mut d = Dependency::rpmlib("DynamicBuildRequires", "4.15.0-1");
        d.flags |= DependencyFlags::MISSINGOK;
        out.push(d);
    }
    out
}

/// The versions inside a rich dependency's text: each word after a
/// comparison operator, its closing parentheses cut (rpm's rich parser
/// hands those alone to the callback `finalizeDeps` uses).
fn rich_versions(text: &str) -> Vec<&str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| ["<", "<=", "=", "==", ">=", ">"].contains(&w[0]))
        .map(|w| w[1].trim_end_matches(')'))
        .collect()
}

/// Flags the spec SPECFILE, as rpmbuild does (the rpm crate's builder has
/// no such option): rpm, and [`super::extract_spec`], find the spec by that flag,
/// whatever its name (koji's test SRPMs have a `*._spec`).
pub(super) fn mark_spec_file(entries: &mut [HeaderEntry], spec_name: &str) {
    let at = entries.iter().find_map(|e| match &e.data {
        IndexData::StringArray(names) if e.tag == TAG_BASENAMES => {
            names.iter().position(|n| n == spec_name)
        }
        _ => None,
    });
    let Some(at) = at else {
        return;
    };
    for e in entries.iter_mut().filter(|e| e.tag == TAG_FILEFLAGS) {
        if let IndexData::Int32(flags) = &mut e.data {
            if let Some(f) = flags.get_mut(at) {
                *f |= rpm::FileFlags::SPECFILE.bits();
            }
        }
    }
}

/// An SRPM's file list as rpmbuild writes it: names without a directory
/// (the rpm crate files them under `/`; createrepo_c lists the paths as
/// written), and each left-out source's size as recorded when it was built
/// (the rpm crate gives a ghost size 0).
pub(super) fn source_file_list(entries: &mut [HeaderEntry], left_out: &[String], sizes: &[u64]) {
    let bases: Vec<String> = match entries.iter().find(|e| e.tag == TAG_BASENAMES) {
        Some(HeaderEntry {
            data: IndexData::StringArray(v),
            ..
        }) => v.clone(),
        _ => return,
    };
    let size_of = |i: usize| -> u64 {
        left_out
            .iter()
            .position(|n| *n == bases[i])
            .and_then(|k| sizes.get(k).copied())
            .unwrap_or(0)
    };
    let mut added = 0u64;
    for e in entries.iter_mut() {
        match (e.tag, &mut e.data) {
            (TAG_DIRNAMES, IndexData::StringArray(dirs)) => {
                for d in dirs.iter_mut() {
                    if d == "/" {
                        d.clear();
                    }
                }
            }
            (TAG_FILESIZES, IndexData::Int32(v)) => {
                for (i, size) in v.iter_mut().enumerate() {
                    let want = size_of(i);
                    if *size == 0 && want > 0 {
                        *size = u32::try_from(want).unwrap_or(u32::MAX);
                        added = added.saturating_add(want);
                    }
                }
            }
            (TAG_LONGFILESIZES, IndexData::Int64(v)) => {
                for (i, size) in v.iter_mut().enumerate() {
                    let want = size_of(i);
                    if *size == 0 && want > 0 {
                        *size = want;
                        added = added.saturating_add(want);
                    }
                }
            }
            _ => {}
        }
    }
    for e in entries.iter_mut() {
        match (e.tag, &mut e.data) {
            (TAG_SIZE, IndexData::Int32(v)) => {
                if let Some(t) = v.first_mut() {
                    *t = u32::try_from(u64::from(*t).saturating_add(added)).unwrap_or(u32::MAX);
                }
            }
            (TAG_LONGSIZE, IndexData::Int64(v)) => {
                if let Some(t) = v.first_mut() {
                    *t = t.saturating_add(added);
                }
            }
            _ => {}
        }
    }
}

/// Replaces the rpm crate's descriptive tags with `info`'s, written as
/// rpmbuild writes them (absent when empty, but the description and the
/// group); `info`'s provides, when it has a list, replace the SRPM's own
/// (an empty list: no provides at all, as rpmbuild writes for a spec
/// without `%files`).
pub(super) fn set_info(entries: &mut Vec<HeaderEntry>, info: &SrpmInfo) {
    let tags = [
        TAG_DESCRIPTION,
        TAG_URL,
        TAG_VENDOR,
        TAG_PACKAGER,
        TAG_GROUP,
        TAG_CHANGELOGTIME,
        TAG_CHANGELOGNAME,
        TAG_CHANGELOGTEXT,
        TAG_SOURCE,
        TAG_PATCH,
        TAG_BUILDARCHS,
    ];
    entries.retain(|e| !tags.contains(&e.tag));
    if info.provides.is_some() {
        let [names, flags, versions] = DEPS_PROVIDE;
        entries.retain(|e| ![names, flags, versions].contains(&e.tag));
    }
    if let Some(p) = info.provides.as_ref().filter(|p| !p.is_empty()) {
        let [names, flags, versions] = DEPS_PROVIDE;
        entries.push(HeaderEntry::new(
            names,
            IndexData::StringArray(p.iter().map(|d| d.0.clone()).collect()),
        ));
        entries.push(HeaderEntry::new(
            flags,
            IndexData::Int32(p.iter().map(|d| d.1).collect()),
        ));
        entries.push(HeaderEntry::new(
            versions,
            IndexData::StringArray(p.iter().map(|d| d.2.clone()).collect()),
        ));
    }
    let i18n = |s: &str| IndexData::I18NString(vec![s.to_string()]);
    entries.push(HeaderEntry::new(TAG_DESCRIPTION, i18n(&info.description)));
    let group = if info.group.is_empty() {
        "Unspecified"
    } else {
        &info.group
    };
    entries.push(HeaderEntry::new(TAG_GROUP, i18n(group)));
    for (tag, v) in [
        (TAG_SOURCE, &info.sources),
        (TAG_PATCH, &info.patches),
        (TAG_BUILDARCHS, &info.build_archs),
    ] {
        if !v.is_empty() {
            entries.push(HeaderEntry::new(tag, IndexData::StringArray(v.clone())));
        }
    }
    for (tag, v) in [
        (TAG_URL, &info.url),
        (TAG_VENDOR, &info.vendor),
        (TAG_PACKAGER, &info.packager),
    ] {
        if !v.is_empty() {
            entries.push(HeaderEntry::new(tag, IndexData::StringTag(v.clone())));
        }
    }
    if !info.changelog.is_empty() {
        let c = &info.changelog;
        entries.push(HeaderEntry::new(
            TAG_CHANGELOGTIME,
            IndexData::Int32(
                c.iter()
                    .map(|e| u32::try_from(e.date).unwrap_or(u32::MAX))
                    .collect(),
            ),
        ));
        entries.push(HeaderEntry::new(
            TAG_CHANGELOGNAME,
            IndexData::StringArray(c.iter().map(|e| e.author.clone()).collect()),
        ));
        entries.push(HeaderEntry::new(
            TAG_CHANGELOGTEXT,
            IndexData::StringArray(c.iter().map(|e| e.text.clone()).collect()),
        ));
    }
}

/// Records the uncompressed payload's size in the signature header, as
/// rpmbuild does (`PAYLOADSIZE`; createrepo_c's `size archive`): the rpm
/// crate writes it only into version 6 packages.
pub(super) fn add_payload_size(pkg: &mut rpm::Package) -> std::result::Result<(), rpm::Error> {
    // build_srpm compresses with gzip.
    let n = std::io::copy(
        &mut flate2::read::GzDecoder::new(&pkg.payload[..]),
        &mut std::io::sink(),
    )?;
    let mut entries: Vec<HeaderEntry> = pkg
        .metadata
        .signature
        .get_all_entries()?
        .into_iter()
        .filter(|(t, _)| *t != TAG_HEADERSIGNATURES && *t != SIGTAG_PAYLOADSIZE)
        .map(|(t, d)| HeaderEntry::new(t, d))
        .collect();
    entries.push(HeaderEntry::new(
        SIGTAG_PAYLOADSIZE,
        IndexData::Int32(vec![u32::try_from(n).unwrap_or(u32::MAX)]),
    ));
    pkg.metadata.signature =
        Header::from_entries(entries, rpm::IndexSignatureTag::HEADER_SIGNATURES);
    Ok(())
}

#[cfg(test)]
mod tests {
    /// rpmbuild looks for `~` and `^` in versions only: in a rich
    /// dependency, the words after its comparisons.
    #[test]
    fn a_rich_dependencys_versions_are_its_operands_not_its_names() {
        use super::{rich_versions, rpmlib_features, Dependency};
        assert_eq!(rich_versions("((a >= 1) with (a~b < 5~~))"), ["1", "5~~"]);
        let rich = |t: &str| Dependency::any(t.to_string());
        let names = |v: Vec<Dependency>| -> Vec<String> { v.into_iter().map(|d| d.name).collect() };
        // A `~` in a name needs no feature; one in a version does.
        assert!(rpmlib_features(&[rich("(a~b or c)")], &[], false).is_empty());
        assert_eq!(
            names(rpmlib_features(&[], &[rich("(a < 1~rc or b)")], false)),
            ["rpmlib(TildeInVersions)"]
        );
    }

    /// The sizes of left-out sources come from the original SRPM's header:
    /// absurd ones sum to the largest size, not an overflow.
    #[test]
    fn absurd_left_out_sizes_do_not_overflow() {
        let spec = super::super::SrpmSpec {
            name: "x".into(),
            version: "1".into(),
            release: "1".into(),
            spec_name: "x.spec".into(),
            spec_text: "Name: x\n".into(),
            left_out: vec!["a.tar".into(), "b.tar".into()],
            left_out_sizes: vec![u64::MAX, u64::MAX],
            ..Default::default()
        };
        super::super::build_srpm(&spec).unwrap();
    }
}
