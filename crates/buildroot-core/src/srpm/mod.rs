//! Reading and writing RPM files: the lead and headers checked as rpm
//! checks them (`verify.rs`), an SRPM's header as a [`Package`] (its
//! requires are the BuildRequires; `package.rs`, from the header's bytes),
//! the spec from its payload and building SRPMs and small binary RPMs
//! reproducibly (with the `rpm` crate).
//!
//! The `rpm` crate only builds binary packages; an SRPM is made by rewriting
//! the header (no SOURCERPM tag, SOURCEPACKAGE set), recomputing the digests
//! and marking the lead as a source package — what rpm and createrepo_c need
//! to treat it as `arch src`.

use std::io::Read;
use std::path::Path;

use rpm::{
    BuildConfig, CompressionType, Dependency, DependencyFlags, FileOptions, Header, HeaderEntry,
    IndexData, IndexTag, PackageBuilder, PackageMetadata, PackageReader,
};

use crate::dep::{Cmp, Dep, SimpleDep};
use crate::error::{Error, Result};
use crate::package::Package;
use crate::spec::SpecEval;

mod deps;
mod details;
mod info;
mod package;
mod payload_sources;
#[cfg(test)]
#[path = "payload_sources_tests.rs"]
mod payload_sources_tests;
mod raw;
mod rpmbuild_like;
mod tag_types;
mod tags;
mod verify;

pub use details::{file_mtime, header_text, repodata_details, spec_text, stamp_build_time};
pub use info::SrpmInfo;
pub use package::{
    read_evr, read_header, read_header_deferring_details, read_header_without_details,
};
pub use payload_sources::{PayloadSources, SMALL_SOURCE_FILE};
pub(crate) use raw::RawHeader;
use rpmbuild_like::{
    add_payload_size, mark_spec_file, no_payload_prefix_feature, only_self_provide,
    rpmlib_features, set_info, source_file_list,
};
use tags::*;
pub(crate) use verify::check_layout;

pub(crate) fn rpm_err(path: &Path, e: impl std::fmt::Display) -> Error {
    let msg = e.to_string();
    let msg = if msg.contains("magic") || msg.contains("Magic") {
        format!("not an RPM file ({msg})")
    } else if msg.contains("failed to fill whole buffer") || msg.contains("UnexpectedEof") {
        "truncated RPM file".to_string()
    } else {
        msg
    };
    Error::format(path.display(), msg.lines().next().unwrap_or("").to_string())
}

/// Converts our dependency into the rpm crate's.
fn to_rpm_dep(d: &Dep, pre: bool) -> Dependency {
    let mut dep = match d {
        Dep::Simple(SimpleDep {
            name,
            range: Some(r),
        }) => {
            let v = r.evr.to_string();
            match r.cmp {
                Cmp::Lt => Dependency::less(name.clone(), v),
                Cmp::Le => Dependency::less_eq(name.clone(), v),
                Cmp::Eq => Dependency::eq(name.clone(), v),
                Cmp::Ge => Dependency::greater_eq(name.clone(), v),
                Cmp::Gt => Dependency::greater(name.clone(), v),
                // rpm-md's alone (no spec writes them): rpm's sense bits
                // as libsolv's, both directions or none.
                Cmp::Ne => Dependency {
                    name: name.clone(),
                    flags: DependencyFlags::LESS | DependencyFlags::GREATER,
                    version: v,
                },
                Cmp::Unknown => Dependency {
                    name: name.clone(),
                    flags: DependencyFlags::ANY,
                    version: v,
                },
            }
        }
        Dep::Simple(SimpleDep { name, range: None }) => Dependency::any(name.clone()),
        rich => Dependency::any(rich.to_string()),
    };
    if pre {
        dep.flags |= DependencyFlags::SCRIPT_PRE;
    }
    dep
}

/// A dependency as rpm prints it (`N OP EVR`, or a rich one) as the
/// header entry rpmbuild writes: the EVR as written, a rich dependency as
/// its name.
fn rpm_dep_of_text(t: &str) -> Dependency {
    let parts: Vec<&str> = t.split(' ').collect();
    match parts[..] {
        [n, op, evr] if !t.starts_with('(') => {
            let (n, evr) = (n.to_string(), evr.to_string());
            match op {
                "<" => Dependency::less(n, evr),
                "<=" => Dependency::less_eq(n, evr),
                "=" => Dependency::eq(n, evr),
                ">=" => Dependency::greater_eq(n, evr),
                ">" => Dependency::greater(n, evr),
                _ => Dependency::any(t.to_string()),
            }
        }
        _ => Dependency::any(t.to_string()),
    }
}

/// The arches an RPM header limits its builds to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchLimits {
    /// `ExclusiveArch:` values (empty: no limit).
    pub exclusive_arch: Vec<String>,
    /// `ExcludeArch:` values.
    pub exclude_arch: Vec<String>,
    /// The header's arch: for an SRPM, the arch `rpmbuild -bs` ran for
    /// (its BuildRequires were evaluated for it).
    pub build_arch: String,
    /// Whether it requires `rpmlib(DynamicBuildRequires)`: rpmbuild adds it
    /// for a spec with `%generate_buildrequires`, whose BuildRequires the
    /// header holds only in part (the static ones).
    pub dynamic_build_requires: bool,
}

/// ExclusiveArch and ExcludeArch of an RPM header, the arch it was made
/// on, and whether its BuildRequires are generated at build time.
pub fn arch_limits(path: &Path) -> Result<ArchLimits> {
    check_layout(path)?;
    let md = PackageMetadata::open(path).map_err(|e| rpm_err(path, e))?;
    let get = |t| {
        md.header
            .get_entry_data_as_string_array(t)
            .map(|v| v.into_iter().map(str::to_string).collect())
            .unwrap_or_default()
    };
    Ok(ArchLimits {
        exclusive_arch: get(IndexTag::RPMTAG_EXCLUSIVEARCH),
        exclude_arch: get(IndexTag::RPMTAG_EXCLUDEARCH),
        build_arch: md.get_arch().map(str::to_string).unwrap_or_default(),
        dynamic_build_requires: get(IndexTag::RPMTAG_REQUIRENAME)
            .iter()
            .any(|n: &String| n == "rpmlib(DynamicBuildRequires)"),
    })
}

/// One file of an RPM's payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadFile {
    /// The path as stored, without a leading `./`.
    pub path: String,
    /// The file's contents (empty for a file without payload data).
    pub data: Vec<u8>,
    /// Whether rpm flags the file as the package's spec (`%{SPECFILE}`).
    pub is_spec: bool,
    /// Whether the payload has the file: a `.nosrc.rpm`'s header lists the
    /// sources `NoSource:` leaves out, which its payload lacks.
    pub in_payload: bool,
}

impl PayloadFile {
    /// The file's name: the last component of its path.
    pub fn base_name(&self) -> &str {
        payload_base_name(&self.path)
    }
}

/// The last component of a payload path: the name a spec finds the file
/// by in `%{_sourcedir}`.
pub(crate) fn payload_base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Every file of an RPM's payload.
pub fn read_payload_files(path: &Path) -> Result<Vec<PayloadFile>> {
    read_payload_where(path, |_, _| true)
}

/// The payload files for which `want(path, is_spec)` holds; the others are
/// skipped without being kept in memory (source tarballs can be large).
pub fn read_payload_where(
    path: &Path,
    want: impl Fn(&str, bool) -> bool,
) -> Result<Vec<PayloadFile>> {
    let mut out = Vec::new();
    for_each_payload_file(path, |name, is_spec, contents| {
        if !want(name, is_spec) {
            return Ok(());
        }
        let mut data = Vec::new();
        let in_payload = contents.is_some();
        if let Some(r) = contents {
            r.read_to_end(&mut data)
                .map_err(|e| broken_payload(path, rpm::Error::Io(e)))?;
        }
        out.push(PayloadFile {
            path: name.to_string(),
            data,
            is_spec,
            in_payload,
        });
        Ok(())
    })?;
    Ok(out)
}

/// Calls `each(path, is_spec, contents)` for every file of the payload in
/// its order, with the file's data as a reader (`None` for a file the
/// payload lacks), so a caller can write a file out without holding the
/// payload in memory. The first error, the payload's
/// ([`broken_payload`]) or `each`'s, ends the walk.
pub fn for_each_payload_file(
    path: &Path,
    mut each: impl FnMut(&str, bool, Option<&mut dyn Read>) -> Result<()>,
) -> Result<()> {
    let mut reader = package_reader(path)?;
    while let Some(mut f) = reader.next_file().map_err(|e| broken_payload(path, e))? {
        let name = f
            .metadata
            .path()
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        let is_spec = f.metadata.flags().contains(rpm::FileFlags::SPECFILE);
        let contents: Option<&mut dyn Read> = if f.has_payload() { Some(&mut f) } else { None };
        each(&name, is_spec, contents)?;
    }
    Ok(())
}

/// The error of the package at `path` whose payload cannot be read: the
/// lead and headers were checked, so what breaks now is the payload.
pub fn broken_payload(path: &Path, e: rpm::Error) -> Error {
    let msg = e.to_string();
    Error::format(
        path.display(),
        format!("broken payload ({})", msg.lines().next().unwrap_or("")),
    )
}

/// A streaming reader of the package at `path`. The rpm crate tells a
/// payload's compression by its magic bytes; an lzma ("lzma_alone")
/// stream, what rpm writes for `w*.lzdio` (older distributions used it),
/// has none, so the payload of a header naming `lzma` is decompressed here
/// and handed over as plain cpio. Any other compressor the crate does not
/// know is refused by name.
pub(crate) fn package_reader(path: &Path) -> Result<PackageReader> {
    use std::io::{BufReader, Seek, SeekFrom};
    let payload_at = check_layout(path)?;
    let md = PackageMetadata::open(path).map_err(|e| rpm_err(path, e))?;
    let compressor = md
        .header
        .get_entry_data_as_string(IndexTag::RPMTAG_PAYLOADCOMPRESSOR)
        .unwrap_or("gzip");
    match compressor {
        "gzip" | "bzip2" | "xz" | "zstd" | "" => {
            PackageReader::open(path).map_err(|e| rpm_err(path, e))
        }
        "lzma" => {
            let io = |e| Error::io(path, e);
            let mut f = std::fs::File::open(path).map_err(io)?;
            let mut head = vec![0u8; payload_at as usize];
            f.read_exact(&mut head).map_err(io)?;
            f.seek(SeekFrom::Start(payload_at)).map_err(io)?;
            // rpm's limit on an lzma decoder's memory (rpmio: 100 MiB): a
            // stream asking for more (its header names the dictionary size,
            // up to 4 GiB, allocated before anything is read) is refused.
            let stream = liblzma::stream::Stream::new_lzma_decoder(100 << 20).map_err(|e| {
                Error::format(path.display(), format!("cannot read lzma payload: {e}"))
            })?;
            let payload = liblzma::read::XzDecoder::new_stream(f, stream);
            let input = BufReader::new(std::io::Cursor::new(head).chain(payload));
            PackageReader::parse(input).map_err(|e| rpm_err(path, e))
        }
        other => Err(Error::format(
            path.display(),
            format!("payload compressed with {other}, which this tool cannot read"),
        )),
    }
}

/// The spec file of an SRPM, read by [`extract_spec`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecFile {
    /// The spec's file name (no directory).
    pub name: String,
    /// Its text. rpm reads a spec as bytes: one that is not UTF-8 (an old
    /// spec's Latin-1) is read a word at a time, each word that is not
    /// UTF-8 converted as createrepo_c converts such header strings
    /// ([`spec_text`]), so that a Latin-1 BuildRequires evaluates to the
    /// name createrepo_c lists for rpmbuild's SRPM.
    pub text: String,
    /// Its bytes as stored: what to hand to rpm, or write back.
    pub data: Vec<u8>,
}

/// The index of the spec among `files`: the file flagged SPECFILE, else
/// the first `*.spec`.
fn spec_index(files: &[PayloadFile]) -> Option<usize> {
    files
        .iter()
        .position(|f| f.is_spec)
        .or_else(|| files.iter().position(|f| f.path.ends_with(".spec")))
}

/// The spec file of an SRPM: the payload file flagged SPECFILE, else the
/// first `*.spec`.
pub fn extract_spec(path: &Path) -> Result<SpecFile> {
    let files = read_payload_where(path, |name, is_spec| is_spec || name.ends_with(".spec"))?;
    let pick = spec_index(&files).ok_or_else(|| Error::NoSpecFile {
        path: path.to_path_buf(),
    })?;
    let file = files.into_iter().nth(pick).expect("index from position");
    let name = file.base_name().to_string();
    let text = spec_text(&file.data);
    Ok(SpecFile {
        name,
        text,
        data: file.data,
    })
}

/// What goes into a source RPM.
#[derive(Clone, Debug, Default)]
pub struct SrpmSpec {
    /// The source package name.
    pub name: String,
    /// The epoch; `None`: no `Epoch:` tag (`Some(0)`, a written `Epoch: 0`,
    /// is kept as rpmbuild keeps it: an EPOCH entry and `N = 0:V-R`).
    pub epoch: Option<u32>,
    /// The version.
    pub version: String,
    /// The release.
    pub release: String,
    /// The `License:` tag.
    pub license: String,
    /// The `Summary:` tag.
    pub summary: String,
    /// The spec file's name and text.
    pub spec_name: String,
    /// The spec's text (see `spec_name`).
    pub spec_text: String,
    /// The spec's bytes when they are not `spec_text`'s (a spec that is not
    /// UTF-8, rebuilt as it was: [`SpecFile::data`]); `None`: `spec_text`.
    pub spec_bytes: Option<Vec<u8>>,
    /// Further payload files (sources, patches).
    pub sources: Vec<SourceFile>,
    /// The BuildRequires recorded in the header.
    pub build_requires: Vec<Dep>,
    /// The same as rpm writes them (`SpecEval::build_requires_text`: an
    /// EVR as written, a rich dependency as rpm rebuilds it), one per entry
    /// of `build_requires` and the rich ones libsolv cannot read, which
    /// `build_requires` lacks; empty: each as its parsed form prints.
    pub build_requires_text: Vec<String>,
    /// The BuildConflicts as rpm writes them (`SpecEval::build_conflicts_text`).
    pub build_conflicts_text: Vec<String>,
    /// Whether the spec has `%generate_buildrequires` (rpmbuild then adds
    /// `rpmlib(DynamicBuildRequires)`).
    pub dynamic_build_requires: bool,
    /// `ExclusiveArch:` values.
    pub exclusive_arch: Vec<String>,
    /// `ExcludeArch:` values.
    pub exclude_arch: Vec<String>,
    /// The arch recorded in the header (the "build host" arch).
    pub host_arch: String,
    /// Build time and file times (seconds since the epoch): reproducibility.
    pub build_time: u32,
    /// `NoSource:` numbers (an SRPM without those sources: `.nosrc.rpm`).
    pub no_source: Vec<u32>,
    /// `NoPatch:` numbers.
    pub no_patch: Vec<u32>,
    /// Sources and patches `NoSource:`/`NoPatch:` leave out (file names):
    /// listed in the header as `%ghost`, as rpmbuild lists them, not in
    /// the payload.
    pub left_out: Vec<String>,
    /// Their sizes, one per `left_out` entry (rpmbuild records the size of
    /// the file it saw); missing ones are 0.
    pub left_out_sizes: Vec<u64>,
    /// The header's descriptive tags (`%description`, `URL:`, ...,
    /// `%changelog`) as rpmbuild wrote them; `None`: the rpm crate's
    /// defaults (the summary as description, group `Unspecified`).
    pub info: Option<SrpmInfo>,
}

/// A source or patch file that goes into a source RPM ([`SrpmSpec::sources`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceFile {
    /// The file's name (no directory).
    pub name: String,
    /// Its contents.
    pub data: Vec<u8>,
}

/// The file name rpmbuild would give an SRPM: `name-version-release.src.rpm`.
pub fn srpm_file_name(name: &str, version: &str, release: &str) -> String {
    format!("{name}-{version}-{release}.src.rpm")
}

/// The main header's entries, without the region tag and SOURCERPM, ready to
/// be rebuilt with [`Header::from_entries`] (the header rewrite the rpm
/// crate's builder needs for SRPMs and for our own SOURCERPM values).
fn entries_without_sourcerpm(
    pkg: &rpm::Package,
) -> std::result::Result<Vec<HeaderEntry>, rpm::Error> {
    Ok(pkg
        .metadata
        .header
        .get_all_entries()?
        .into_iter()
        .filter(|(t, _)| ![TAG_HEADERIMMUTABLE, TAG_SOURCERPM].contains(t))
        .map(|(t, d)| HeaderEntry::new(t, d))
        .collect())
}

/// Builds a source RPM; the same input gives the same bytes.
pub fn build_srpm(s: &SrpmSpec) -> Result<Vec<u8>> {
    let err = |e: rpm::Error| {
        Error::format(
            format!("{}.src.rpm", s.name),
            format!("cannot build SRPM: {e}"),
        )
    };
    let host = if s.host_arch.is_empty() {
        "x86_64"
    } else {
        &s.host_arch
    };
    let mut b = PackageBuilder::new(&s.name, &s.version, &s.license, host, &s.summary);
    b.using_config(
        BuildConfig::default()
            .compression(CompressionType::Gzip)
            .source_date(s.build_time),
    );
    b.release(s.release.clone()).build_host("rpm-buildroot");
    // As rpmbuild: no EPOCH entry (and `N = V-R`, not `N = 0:V-R`) without one.
    if let Some(epoch) = s.epoch {
        b.epoch(epoch);
    }
    let spec = s.spec_bytes.as_deref().unwrap_or(s.spec_text.as_bytes());
    b.with_file_contents(
        spec.to_vec(),
        FileOptions::new(format!("./{}", s.spec_name)),
    )
    .map_err(err)?;
    for SourceFile { name, data } in &s.sources {
        b.with_file_contents(data.clone(), FileOptions::new(format!("./{name}")))
            .map_err(err)?;
    }
    for name in &s.left_out {
        // A regular file's mode, as rpmbuild lists it (its size is not
        // known here: the payload lacks the file).
        b.with_ghost(FileOptions::ghost(format!("./{name}")).permissions(0o644))
            .map_err(err)?;
    }
    let requires: Vec<Dependency> = if !s.build_requires_text.is_empty() {
        s.build_requires_text
            .iter()
            .map(|t| rpm_dep_of_text(t))
            .collect()
    } else {
        s.build_requires
            .iter()
            .map(|d| to_rpm_dep(d, false))
            .collect()
    };
    let conflicts: Vec<Dependency> = s
        .build_conflicts_text
        .iter()
        .map(|t| rpm_dep_of_text(t))
        .collect();
    for dep in rpmlib_features(&requires, &conflicts, s.dynamic_build_requires) {
        b.requires(dep);
    }
    for dep in requires {
        b.requires(dep);
    }
    for dep in conflicts {
        b.conflicts(dep);
    }
    let mut pkg = b.build().map_err(err)?;
    let mut entries = entries_without_sourcerpm(&pkg).map_err(err)?;
    only_self_provide(&mut entries, &s.name);
    no_payload_prefix_feature(&mut entries);
    mark_spec_file(&mut entries, &s.spec_name);
    source_file_list(&mut entries, &s.left_out, &s.left_out_sizes);
    if let Some(info) = &s.info {
        set_info(&mut entries, info);
    }
    entries.push(HeaderEntry::new(
        TAG_SOURCEPACKAGE,
        IndexData::Int32(vec![1]),
    ));
    if !s.exclusive_arch.is_empty() {
        entries.push(HeaderEntry::new(
            TAG_EXCLUSIVEARCH,
            IndexData::StringArray(s.exclusive_arch.clone()),
        ));
    }
    if !s.exclude_arch.is_empty() {
        entries.push(HeaderEntry::new(
            TAG_EXCLUDEARCH,
            IndexData::StringArray(s.exclude_arch.clone()),
        ));
    }
    for (tag, v) in [(TAG_NOSOURCE, &s.no_source), (TAG_NOPATCH, &s.no_patch)] {
        if !v.is_empty() {
            entries.push(HeaderEntry::new(tag, IndexData::Int32(v.clone())));
        }
    }
    pkg.metadata.header = Header::from_entries(entries, IndexTag::RPMTAG_HEADERIMMUTABLE);
    pkg.clear_signatures().map_err(err)?;
    add_payload_size(&mut pkg).map_err(err)?;
    let mut bytes = Vec::new();
    pkg.write(&mut bytes).map_err(err)?;
    // Lead type: 0 = binary, 1 = source (big-endian u16 at offset 6).
    bytes[6] = 0;
    bytes[7] = 1;
    Ok(bytes)
}

/// rpm's `RPMSENSE_EQUAL`: the flag of an SRPM's `N = EVR` provides.
const RPMSENSE_EQUAL: u32 = 8;

/// Rebuilds an SRPM with the BuildRequires and BuildConflicts of `ev` (the
/// spec evaluated for `host_arch`; each as rpm writes it, see
/// [`SrpmSpec::build_requires_text`]): same name, EVR, license, summary,
/// spec, sources and build time; the header records `host_arch` (the arch
/// the BuildRequires were evaluated for; `noarch` for a noarch spec), `ev`'s
/// ExclusiveArch and ExcludeArch and, as provides, the packages `ev` builds
/// for it, as `rpmbuild -bs --target` writes them.
pub fn rebuild_srpm(orig: &Path, ev: &SpecEval, host_arch: &str) -> Result<Vec<u8>> {
    let raw = RawHeader::read(orig)?;
    let md = PackageMetadata::open(orig).map_err(|e| rpm_err(orig, e))?;
    let s = |r: std::result::Result<&str, rpm::Error>| r.map(str::to_string).unwrap_or_default();
    let ints = |t| md.header.get_entry_data_as_u32_array(t).unwrap_or_default();
    // The sizes rpmbuild recorded for the files the payload lacks.
    let recorded: Vec<(String, u64)> = {
        let sizes = match raw.numbers(TAG_LONGFILESIZES) {
            v if !v.is_empty() => v,
            _ => raw.numbers(TAG_FILESIZES),
        };
        raw.strings(TAG_BASENAMES)
            .iter()
            .zip(sizes)
            .map(|(n, size)| (String::from_utf8_lossy(n).into_owned(), size))
            .collect()
    };
    let info = SrpmInfo::read(orig)?;
    // A noarch spec's SRPM is noarch, as rpmbuild records it on any target.
    let arch = if ev.noarch { "noarch" } else { host_arch };
    let mut spec = SrpmSpec {
        name: md.get_name().map_err(|e| rpm_err(orig, e))?.to_string(),
        epoch: md.get_epoch().ok(),
        version: s(md.get_version()),
        release: s(md.get_release()),
        license: raw.string(TAG_LICENSE).map(header_text).unwrap_or_default(),
        summary: raw.string(TAG_SUMMARY).map(header_text).unwrap_or_default(),
        info: Some(SrpmInfo {
            // rpmbuild's for this arch: `N = EVR` of each package built.
            provides: match &ev.built_packages {
                Some(built) => Some(
                    built
                        .iter()
                        .map(|(n, evr)| (n.clone(), RPMSENSE_EQUAL, evr.clone()))
                        .collect(),
                ),
                None => info.provides,
            },
            ..info
        }),
        build_requires: ev.build_requires.clone(),
        build_requires_text: ev.build_requires_text.clone(),
        build_conflicts_text: ev.build_conflicts_text.clone(),
        dynamic_build_requires: ev.dynamic_build_requires,
        // The spec's for this arch (`%ifarch`, arch macros), as rpmbuild
        // writes them, not the build host's.
        exclusive_arch: ev.exclusive_arch.clone(),
        exclude_arch: ev.exclude_arch.clone(),
        host_arch: arch.to_string(),
        build_time: md.get_build_time().unwrap_or(0) as u32,
        no_source: ints(IndexTag::RPMTAG_NOSOURCE),
        no_patch: ints(IndexTag::RPMTAG_NOPATCH),
        ..Default::default()
    };
    let files = read_payload_files(orig)?;
    let spec_at = spec_index(&files).ok_or_else(|| Error::NoSpecFile {
        path: orig.to_path_buf(),
    })?;
    for (i, file) in files.into_iter().enumerate() {
        let base = file.base_name().to_string();
        if i == spec_at {
            spec.spec_name = base;
            match String::from_utf8(file.data) {
                Ok(text) => spec.spec_text = text,
                Err(e) => {
                    spec.spec_text = spec_text(e.as_bytes());
                    spec.spec_bytes = Some(e.into_bytes());
                }
            }
        } else if file.in_payload {
            spec.sources.push(SourceFile {
                name: base,
                data: file.data,
            });
        } else {
            // A source `NoSource:` left out stays out (not an empty file),
            // listed as rpmbuild lists it.
            let size = recorded.iter().find(|(n, _)| *n == base).map_or(0, |r| r.1);
            spec.left_out.push(base);
            spec.left_out_sizes.push(size);
        }
    }
    build_srpm(&spec)
}

/// Builds a small binary RPM from a [`Package`] (files get tiny contents).
pub fn build_rpm(p: &Package, license: &str, build_time: u32) -> Result<Vec<u8>> {
    build_rpm_with(p, license, build_time, &[])
}

/// [`build_rpm`] where the files named in `contents` (paths of `p.files`)
/// get those contents, e.g. real macro files.
pub fn build_rpm_with(
    p: &Package,
    license: &str,
    build_time: u32,
    contents: &[(&str, &[u8])],
) -> Result<Vec<u8>> {
    let err = |e: rpm::Error| {
        Error::format(
            format!("{}.rpm", p.nevra()),
            format!("cannot build RPM: {e}"),
        )
    };
    let mut b = PackageBuilder::new(&p.name, &p.evr.version, license, &p.arch, &p.summary);
    b.using_config(
        BuildConfig::default()
            .compression(CompressionType::Gzip)
            .source_date(build_time),
    );
    b.release(p.evr.release_str().to_string())
        .epoch(p.evr.epoch)
        .build_host("rpm-buildroot");
    for f in &p.files {
        let data = match contents.iter().find(|(path, _)| path == f) {
            Some((_, data)) => data.to_vec(),
            None => format!("{}\n", p.name).into_bytes(),
        };
        b.with_file_contents(data, FileOptions::new(f.clone()))
            .map_err(err)?;
    }
    for d in &p.provides {
        b.provides(to_rpm_dep(&Dep::Simple(d.clone()), false));
    }
    for r in &p.requires {
        b.requires(to_rpm_dep(&r.dep, r.pre));
    }
    for d in &p.conflicts {
        b.conflicts(to_rpm_dep(d, false));
    }
    for d in &p.obsoletes {
        b.obsoletes(to_rpm_dep(&Dep::Simple(d.clone()), false));
    }
    for d in &p.recommends {
        b.recommends(to_rpm_dep(d, false));
    }
    for d in &p.suggests {
        b.suggests(to_rpm_dep(d, false));
    }
    for d in &p.supplements {
        b.supplements(to_rpm_dep(d, false));
    }
    for d in &p.enhances {
        b.enhances(to_rpm_dep(d, false));
    }
    let mut pkg = b.build().map_err(err)?;
    if !p.sourcerpm.is_empty() {
        let mut entries = entries_without_sourcerpm(&pkg).map_err(err)?;
        entries.push(HeaderEntry::new(
            TAG_SOURCERPM,
            IndexData::StringTag(p.sourcerpm.clone()),
        ));
        pkg.metadata.header = Header::from_entries(entries, IndexTag::RPMTAG_HEADERIMMUTABLE);
        pkg.clear_signatures().map_err(err)?;
    }
    let mut bytes = Vec::new();
    pkg.write(&mut bytes).map_err(err)?;
    Ok(bytes)
}
