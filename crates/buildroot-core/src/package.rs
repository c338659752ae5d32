//! One package as rpm-md describes it (binary, or source with arch `src`).
//!
//! This is the owned form that writers consume and `load_repo` callers
//! get. The [`crate::pool`] interns packages straight from the parser's
//! compact chunks and rebuilds a `Package` only on request
//! ([`crate::pool::Pool::package`]).

use crate::dep::{Dep, SimpleDep};
use crate::evr::{Evr, Nevra};

/// A requirement and whether it is a pre-requirement (`pre="1"` in rpm-md).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The dependency.
    pub dep: Dep,
    /// Needed before the package's scriptlets run.
    pub pre: bool,
}

impl From<Dep> for Requirement {
    fn from(dep: Dep) -> Self {
        Requirement { dep, pre: false }
    }
}

/// A package: identity, relations, files and where it lives in its repo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Package {
    /// The package name.
    pub name: String,
    /// The arch (`src` for source packages).
    pub arch: String,
    /// Epoch, version and release.
    pub evr: Evr,
    /// `rpm:sourcerpm` (e.g. `foo-1.0-1.fc40.src.rpm`); empty for source packages.
    pub sourcerpm: String,
    /// The one-line summary.
    pub summary: String,
    /// What the package provides (its own name-EVR included). A rich
    /// provide (rpm-md can list one; rpmbuild makes none) is held as its
    /// text, unversioned: `(x and y)`.
    pub provides: Vec<SimpleDep>,
    /// For source packages these are the BuildRequires.
    pub requires: Vec<Requirement>,
    /// Packages it cannot be installed with.
    pub conflicts: Vec<Dep>,
    /// Packages it replaces (a rich one held as its text, as provides).
    pub obsoletes: Vec<SimpleDep>,
    /// Weak requirements dnf installs by default.
    pub recommends: Vec<Dep>,
    /// Weak hints dnf does not install by default.
    pub suggests: Vec<Dep>,
    /// Reverse weak requirements.
    pub supplements: Vec<Dep>,
    /// Reverse weak hints.
    pub enhances: Vec<Dep>,
    /// Files: primary's subset, plus filelists' paths when those were loaded.
    pub files: Vec<String>,
    /// `location href`, relative to the repo root.
    pub location: String,
    /// Checksum of the package file, hex, when known: of the type primary.xml
    /// names (sha256 on Fedora), which its length tells
    /// ([`crate::rpmmd::Expected::of_package`]; the parser keeps none that
    /// is of another length than its type's).
    pub checksum: Option<String>,
    /// Size of the package file in bytes, when known.
    pub size: u64,
    /// The package file's modification time as primary.xml's `<time
    /// file>` gives it (seconds since the epoch): a downloaded SRPM's
    /// mtime when its server sends no `Last-Modified`. 0 when unknown (a
    /// package read from a pool, or from its file: `details` has that).
    pub time_file: u64,
    /// What rpm-md says of the package beyond identity and relations, for
    /// packages read from their RPM file ([`crate::srpm::read_header`]);
    /// `None` elsewhere (writers then leave those elements empty). Boxed:
    /// the pool and the resolver never need it.
    pub details: Option<Box<PackageDetails>>,
}

/// The rest of a package's rpm-md entry, as createrepo_c takes it from the
/// RPM header (`cr_package_from_header`): text already as createrepo_c
/// writes it (see [`crate::srpm::header_text`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageDetails {
    /// `%description`.
    pub description: String,
    /// `URL:`.
    pub url: String,
    /// `License:`.
    pub license: String,
    /// `Vendor:`.
    pub vendor: String,
    /// `Group:` (rpm writes `Unspecified` without one).
    pub group: String,
    /// The host that built the package.
    pub buildhost: String,
    /// `Packager:`.
    pub packager: String,
    /// The package file's modification time (createrepo_c's `time file`).
    pub time_file: u64,
    /// The header's build time.
    pub time_build: u64,
    /// The sum of the file sizes the header lists.
    pub size_installed: u64,
    /// The uncompressed payload's size.
    pub size_archive: u64,
    /// Where the main header lies in the file: (start, end) in bytes.
    pub header_range: (u64, u64),
    /// Every file the header lists, in its order (an SRPM's have no
    /// directory: `foo.spec`).
    pub files: Vec<FileEntry>,
    /// The newest changelog entries, oldest first (createrepo_c's order).
    pub changelogs: Vec<ChangelogEntry>,
}

/// A file of a package's file list (filelists.xml's `<file>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// The path.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
}

/// The `type` of a listed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file, symlink or device (no `type` attribute).
    File,
    /// A directory (`type="dir"`).
    Dir,
    /// Listed but not in the payload (`%ghost`, `type="ghost"`).
    Ghost,
}

/// One changelog entry (other.xml's `<changelog>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangelogEntry {
    /// Author line (trailing spaces removed, as createrepo_c does).
    pub author: String,
    /// Seconds since the epoch.
    pub date: u64,
    /// The entry's text.
    pub text: String,
}

impl Package {
    /// Whether this is a source package (`src` or `nosrc`).
    pub fn is_source(&self) -> bool {
        self.arch == "src" || self.arch == "nosrc"
    }

    /// The source package name: from `sourcerpm`, or the own name for sources.
    pub fn source_name(&self) -> &str {
        if self.is_source() {
            return &self.name;
        }
        source_name_of(&self.sourcerpm).unwrap_or(&self.name)
    }

    /// `name-[E:]V-R.arch`.
    pub fn nevra(&self) -> Nevra {
        Nevra {
            name: self.name.clone(),
            evr: self.evr.clone(),
            arch: self.arch.clone(),
        }
    }

    /// `name-V-R` (no epoch, no arch): the form of `*-nvrs` lists.
    pub fn nvr(&self) -> String {
        format!("{}-{}", self.name, self.evr.vr())
    }
}

/// The name part of a `sourcerpm` file name without allocating.
pub fn source_name_of(sourcerpm: &str) -> Option<&str> {
    let stem = sourcerpm
        .strip_suffix(".src.rpm")
        .or_else(|| sourcerpm.strip_suffix(".nosrc.rpm"))
        .unwrap_or(sourcerpm);
    let r = stem.rfind('-')?;
    let v = stem[..r].rfind('-')?;
    (v > 0).then(|| &stem[..v])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names() {
        assert_eq!(source_name_of("glibc-2.39-1.fc40.src.rpm"), Some("glibc"));
        assert_eq!(
            source_name_of("python-foo-bar-1-1.src.rpm"),
            Some("python-foo-bar")
        );
        assert_eq!(source_name_of("bad.src.rpm"), None);
    }
}
