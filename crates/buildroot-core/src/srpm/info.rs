//! An SRPM header's descriptive tags (`%description`, `URL:`, ...,
//! `%changelog`) and the names of its sources, patches and `BuildArch:`
//! values and its provides, read from one SRPM to be written into the SRPM that regenerates
//! it (what rpmbuild's `packageSources` and `parsePreamble` record).

use std::path::Path;

use super::details::header_text;
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
    /// `Source:` file names (SOURCE; the payload holds the files).
    pub sources: Vec<String>,
    /// `Patch:` file names (PATCH).
    pub patches: Vec<String>,
    /// `BuildArch:` values (BUILDARCHS; rpmbuild records them in a source
    /// header, e.g. `noarch`).
    pub build_archs: Vec<String>,
    /// The provides as (name, flags, version): rpmbuild records `N = EVR`
    /// of each package it builds, none for a spec without `%files`. `None`
    /// (a header without provides, as old rpms wrote SRPMs): the SRPM's own
    /// alone. A regenerated SRPM gets the evaluated arch's instead, when
    /// known ([`crate::spec::SpecEval::built_packages`]).
    pub provides: Option<Vec<(String, u32, String)>>,
}

impl SrpmInfo {
    /// The descriptive tags of the RPM at `path`. Text that is not UTF-8
    /// (an old package's Latin-1) is converted as createrepo_c converts it
    /// ([`header_text`]): the regenerated header is UTF-8, as its
    /// `ENCODING` tag says, and its repodata then says what createrepo_c
    /// says of the original, byte for byte (a CP1252 reading would give
    /// `©` or `…` where createrepo_c has nothing).
    pub fn read(path: &Path) -> Result<SrpmInfo> {
        let raw = RawHeader::read(path)?;
        let text = |tag| raw.string(tag).map(header_text).unwrap_or_default();
        let times = raw.numbers(TAG_CHANGELOGTIME);
        let names = raw.strings(TAG_CHANGELOGNAME);
        let texts = raw.strings(TAG_CHANGELOGTEXT);
        let strings = |tag| raw.strings(tag).into_iter().map(header_text).collect();
        Ok(SrpmInfo {
            description: text(TAG_DESCRIPTION),
            url: text(TAG_URL),
            vendor: text(TAG_VENDOR),
            packager: text(TAG_PACKAGER),
            group: text(TAG_GROUP),
            changelog: (0..times.len().min(names.len()).min(texts.len()))
                .map(|i| ChangelogEntry {
                    author: header_text(names[i]),
                    date: times[i],
                    text: header_text(texts[i]),
                })
                .collect(),
            sources: strings(TAG_SOURCE),
            patches: strings(TAG_PATCH),
            build_archs: strings(TAG_BUILDARCHS),
            provides: {
                let [names, flags, versions] = DEPS_PROVIDE;
                let (flags, versions) = (raw.numbers(flags), raw.strings(versions));
                let list: Vec<(String, u32, String)> = raw
                    .strings(names)
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let flag = flags.get(i).map_or(0, |&f| f as u32);
                        let version = versions.get(i).map_or(String::new(), |v| header_text(v));
                        (header_text(n), flag, version)
                    })
                    .collect();
                (!list.is_empty()).then_some(list)
            },
        })
    }
}
