//! An RPM header read into a [`Package`]: name, EVR, arch, dependencies and
//! files as createrepo_c takes them (`cr_package_from_header`, parsehdr.c:
//! rpm's `headerGet` strings as stored) and writes them
//! (`cr_xmlNewProp`/`cr_xmlNewTextChild`: a string that is not UTF-8
//! converted from Latin-1 its way, [`header_text`]). The rpm crate would
//! hand such a string back with U+FFFD for each bad byte, or, in a header
//! whose `ENCODING` tag says `utf-8`, not at all (the whole dependency
//! list lost): its header parse only checks that rpm can read the header.

use std::path::Path;

use rpm::PackageMetadata;

use super::deps;
use super::details::{self, header_text};
use super::tags::*;
use super::{rpm_err, RawHeader};
use crate::error::{Error, Result};
use crate::evr::Evr;
use crate::package::{Package, PackageDetails};

/// Reads an RPM or SRPM header (payload untouched) into a [`Package`].
/// For a source package, `arch` is `src` and requires are the BuildRequires
/// without `rpmlib(...)` entries. `location` is the file name; `checksum` the
/// file's sha256; `details` what createrepo_c lists of it.
pub fn read_header(path: &Path) -> Result<Package> {
    let (mut p, raw) = read_package(path, None)?;
    p.details = Some(Box::new(details::details_of(
        &raw,
        details::file_mtime(path)?,
    )));
    Ok(p)
}

/// [`read_header`] without the details (the file list, changelog and
/// descriptive text repodata alone needs).
pub fn read_header_without_details(path: &Path) -> Result<Package> {
    read_package(path, None).map(|(p, _)| p)
}

/// [`read_header_without_details`], and a function that gives its details
/// for a file of the same bytes whose modification time is `time_file`
/// (a hard link or copy of it), without reading the headers again.
/// `sha256`: the file's checksum when the caller knows it already (the
/// SRPM cache's record of verified checksums); else the file is hashed.
pub fn read_header_deferring_details(
    path: &Path,
    sha256: Option<String>,
) -> Result<(Package, impl FnOnce(u64) -> PackageDetails)> {
    let (p, raw) = read_package(path, sha256)?;
    Ok((p, move |time_file| details::details_of(&raw, time_file)))
}

/// The epoch, version and release in an RPM header (file names carry no
/// epoch); cheaper than [`read_header`], which also hashes the file.
pub fn read_evr(path: &Path) -> Result<Evr> {
    Ok(evr_of(&RawHeader::read(path)?))
}

fn evr_of(raw: &RawHeader) -> Evr {
    let text = |tag| raw.string(tag).map(header_text).unwrap_or_default();
    Evr::new(
        raw.number(TAG_EPOCH).unwrap_or(0) as u32,
        text(TAG_VERSION),
        Some(text(TAG_RELEASE).as_str()),
    )
}

/// The package of [`read_header_without_details`], and its raw headers;
/// its checksum `sha256` when given, else the file's, hashed.
fn read_package(path: &Path, sha256: Option<String>) -> Result<(Package, RawHeader)> {
    // The layout checked (as rpm checks it, its errors first), and the
    // header's bytes read, once: `RawHeader::read` checks the layout itself
    // (a second check read every header twice more).
    let checked = match path.exists() {
        true => Some(RawHeader::read(path)?),
        false => None,
    };
    PackageMetadata::open(path).map_err(|e| {
        if let rpm::Error::Io(io) = &e {
            if io.kind() == std::io::ErrorKind::NotFound {
                return Error::io(path, std::io::Error::new(io.kind(), "no such file"));
            }
        }
        rpm_err(path, e)
    })?;
    let raw = match checked {
        Some(raw) => raw,
        None => RawHeader::read(path)?,
    };
    let is_source = is_source(&raw);
    let text = |tag| raw.string(tag).map(header_text).unwrap_or_default();
    let name = text(TAG_NAME);
    let evr = evr_of(&raw);
    let deps = deps::dep_lists(&raw);
    let files = if is_source {
        Vec::new()
    } else {
        details::files(&raw).into_iter().map(|f| f.path).collect()
    };
    let arch = if is_source {
        "src".into()
    } else {
        text(TAG_ARCH)
    };
    // A package without a name or an arch is of no use in repodata (read
    // back, nothing can ask for it by name, or it installs on no arch),
    // and only a damaged header is one: it is refused here.
    if name.is_empty() || arch.is_empty() {
        let what = if name.is_empty() { "name" } else { "arch" };
        return Err(Error::format(
            path.display(),
            format!("damaged RPM header: no package {what}"),
        ));
    }
    // Nor one whose name, arch, version or release holds a control
    // character (rpmbuild refuses them; only a damaged header has one):
    // XML cannot hold most of them, so the repodata would name another
    // package than the file (createrepo_c leaves such a package out).
    for (what, v) in [
        ("name", name.as_str()),
        ("arch", arch.as_str()),
        ("version", evr.version.as_str()),
        ("release", evr.release_str()),
    ] {
        if v.chars().any(char::is_control) {
            return Err(Error::format(
                path.display(),
                format!("damaged RPM header: control character in the package {what}"),
            ));
        }
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let p = Package {
        arch,
        sourcerpm: match is_source {
            true => String::new(),
            // What rpm gives a binary header without either source tag.
            false if !raw.has(TAG_SOURCERPM) && !raw.has(TAG_SOURCEPACKAGE) => "(none)".into(),
            false => text(TAG_SOURCERPM),
        },
        summary: text(TAG_SUMMARY),
        // An SRPM's own `N = EVR` (rpmbuild writes it): createrepo_c lists it.
        provides: deps.provides,
        requires: deps.requires,
        conflicts: deps.conflicts,
        obsoletes: deps.obsoletes,
        recommends: deps.recommends,
        suggests: deps.suggests,
        supplements: deps.supplements,
        enhances: deps.enhances,
        files,
        location: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        checksum: Some(match sha256 {
            Some(sum) => sum,
            None => crate::rpmmd::sha256_file(path)?,
        }),
        size,
        name,
        evr,
        time_file: 0,
        details: None,
    };
    Ok((p, raw))
}

/// Whether createrepo_c lists the header as a source package's (`src`), as
/// rpm 4.18 hands it over (`applyRetrofits`): by its SOURCEPACKAGE number
/// (createrepo_c's test), else not when it names a SOURCERPM; with neither
/// tag (old packages), rpm guesses: a source package's files are all in
/// one directory with an empty name. An old-style file list (OLDFILENAMES,
/// whole names) is turned into directories first, all in that empty one
/// when its first name is not absolute (rpm's shortcut for source
/// packages); otherwise the binary package gets the SOURCERPM `(none)`.
pub(super) fn is_source(raw: &RawHeader) -> bool {
    if raw.has(TAG_SOURCEPACKAGE) {
        return raw.number(TAG_SOURCEPACKAGE).unwrap_or(0) != 0;
    }
    if raw.has(TAG_SOURCERPM) {
        return false;
    }
    if raw.has(TAG_DIRNAMES) {
        let dirs = raw.strings(TAG_DIRNAMES);
        return dirs.len() == 1 && dirs[0].is_empty();
    }
    raw.strings(TAG_OLDFILENAMES)
        .first()
        .is_some_and(|f| !f.starts_with(b"/"))
}
