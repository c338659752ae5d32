//! The buildroot-generator output directory: the file names (shared with the
//! generator, which writes them) and a reader ([`BuildrootDir::read`]; the
//! why file, large and read by the change report alone, on demand with
//! [`BuildrootDir::read_why`]).
//!
//! ```text
//! DIR/CoreBuildRootBinaries                  core install set, binary names
//! DIR/CoreBuildRootSources                   their source names
//! DIR/output/NAME-deps-binary                binaries source NAME needs beyond the core names
//! DIR/output/NAME-deps-source                their source names (minus the core's sources)
//! DIR/errors/NAME-NoInstall                  `NAME: <BuildRequires>` per requirement nothing matched
//! DIR/errors/NAME-BadDeps                    the solver's problem text
//! DIR/errors/NAME-NoSource                   a queued name with no source package
//! DIR/buildroot-binary-package-names.txt     every binary name of the buildroot
//! DIR/buildroot-source-package-names.txt     every source name of the buildroot
//! DIR/buildroot-binary-package-nvrs.txt      name-version-release of those binaries
//! DIR/buildroot-source-package-nvrs.txt      name-version-release of those sources
//! DIR/buildroot-package-relations--view-VIEW--ARCH.json   see [`super::relations`]
//! DIR/buildroot-why.json                     every binary's `--why` chain ([`WHY_FILE`])
//! DIR/builds-only.txt                        only from `--builds-only` ([`BUILDS_ONLY_FILE`])
//! ```
//!
//! A `--builds-only` directory is the input's builds alone, not a
//! buildroot: [`BuildrootDir::read`] refuses it, as every reader here
//! takes the directory for the buildroot's fixed point.
//!
//! Lists hold one item per line (see [`crate::pkglist`]); the reader takes
//! them as sets, so duplicates (dep-tracker appended to these files) do not
//! matter. Dot files (an atomic writer's temporaries) are skipped; any other
//! file in `output/` or `errors/` that does not follow the naming is an
//! error, so a layout mismatch between writer and reader is caught rather
//! than silently dropping sources.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::buildroot::{BUILDS_ONLY_FILE, WHY_FILE};
use crate::error::{Error, Result};
use crate::pkglist::{read_list_from, Names};

/// The why file's content: binary name -> its `--why` chain, binary first.
pub type WhyChains = BTreeMap<String, Vec<String>>;

/// `DIR/CoreBuildRootBinaries`.
pub const CORE_BINARIES: &str = "CoreBuildRootBinaries";
/// `DIR/CoreBuildRootSources`.
pub const CORE_SOURCES: &str = "CoreBuildRootSources";
/// `DIR/output/`.
pub const OUTPUT_DIR: &str = "output";
/// `DIR/errors/`.
pub const ERRORS_DIR: &str = "errors";
/// Suffix of `output/NAME-deps-binary`.
pub const DEPS_BINARY_SUFFIX: &str = "-deps-binary";
/// Suffix of `output/NAME-deps-source`.
pub const DEPS_SOURCE_SUFFIX: &str = "-deps-source";
/// `DIR/buildroot-binary-package-names.txt`.
pub const BINARY_NAMES: &str = "buildroot-binary-package-names.txt";
/// `DIR/buildroot-source-package-names.txt`.
pub const SOURCE_NAMES: &str = "buildroot-source-package-names.txt";
/// `DIR/buildroot-binary-package-nvrs.txt`.
pub const BINARY_NVRS: &str = "buildroot-binary-package-nvrs.txt";
/// `DIR/buildroot-source-package-nvrs.txt`.
pub const SOURCE_NVRS: &str = "buildroot-source-package-nvrs.txt";
/// Prefix of the relations JSON file name.
pub const RELATIONS_PREFIX: &str = "buildroot-package-relations--";

/// What went wrong for one source (the suffix of its file in `errors/`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// A BuildRequires nothing matches (the others still resolved).
    NoInstall,
    /// The transaction could not be solved; the source contributes nothing.
    BadDeps,
    /// A queued name has no source package.
    NoSource,
    /// A kind this reader does not know (a newer generator); still a failure.
    Other(String),
}

impl ErrorKind {
    /// The file-name suffix word (`NoInstall`, ...).
    pub fn as_str(&self) -> &str {
        match self {
            ErrorKind::NoInstall => "NoInstall",
            ErrorKind::BadDeps => "BadDeps",
            ErrorKind::NoSource => "NoSource",
            ErrorKind::Other(s) => s,
        }
    }

    fn from_word(w: &str) -> ErrorKind {
        match w {
            "NoInstall" => ErrorKind::NoInstall,
            "BadDeps" => ErrorKind::BadDeps,
            "NoSource" => ErrorKind::NoSource,
            other => ErrorKind::Other(other.to_string()),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `errors/NAME-KIND` for source `name`.
pub fn error_file_name(name: &str, kind: &ErrorKind) -> String {
    format!("{name}-{kind}")
}

/// `buildroot-package-relations--view-VIEW--ARCH.json`; a view id without the
/// `view-` prefix gets it (`eln` and `view-eln` name the same file). The
/// generator names its file so, and readers find the arch in it
/// ([`relations_file_arch`]).
pub fn relations_file_name(view_id: &str, arch: &str) -> String {
    format!(
        "{RELATIONS_PREFIX}{}--{arch}.json",
        crate::buildroot::view_id(view_id)
    )
}

/// The arch a [`relations_file_name`] names (what follows its last `--`).
pub fn relations_file_arch(file_name: &str) -> Option<&str> {
    let stem = file_name
        .strip_prefix(RELATIONS_PREFIX)?
        .strip_suffix(".json")?;
    stem.rsplit_once("--").map(|(_, arch)| arch)
}

/// One buildroot-generator output directory, read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildrootDir {
    /// The directory read.
    pub path: PathBuf,
    /// `CoreBuildRootBinaries`.
    pub core_binaries: BTreeSet<String>,
    /// `CoreBuildRootSources`.
    pub core_sources: BTreeSet<String>,
    /// `output/NAME-deps-binary`, by source name.
    pub deps_binary: BTreeMap<String, BTreeSet<String>>,
    /// `output/NAME-deps-source`, by source name.
    pub deps_source: BTreeMap<String, BTreeSet<String>>,
    /// `errors/NAME-KIND`: source name -> kind -> the file's text.
    pub errors: BTreeMap<String, BTreeMap<ErrorKind, String>>,
    /// `buildroot-binary-package-names.txt`, when present.
    pub binary_names: Option<BTreeSet<String>>,
    /// `buildroot-source-package-names.txt`, when present.
    pub source_names: Option<BTreeSet<String>>,
    /// `buildroot-binary-package-nvrs.txt`, when present.
    pub binary_nvrs: Option<BTreeSet<String>>,
    /// `buildroot-source-package-nvrs.txt`, when present.
    pub source_nvrs: Option<BTreeSet<String>>,
    /// The relations JSON files found (normally one), sorted; read them with
    /// [`super::Relations::read`] (they are large, so not read here).
    pub relations_files: Vec<PathBuf>,
}

impl BuildrootDir {
    /// Reads the directory. `CoreBuildRootBinaries` and `CoreBuildRootSources`
    /// must exist (the generator always writes them, empty if the core failed);
    /// everything else is optional. A `--builds-only` output (it holds
    /// [`BUILDS_ONLY_FILE`]) is refused: its lists are some builds', not the
    /// buildroot's.
    pub fn read(path: &Path) -> Result<BuildrootDir> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if !meta.is_dir() {
            return Err(Error::format(
                path.display(),
                "not a directory (expected a buildroot-generator output directory)",
            ));
        }
        if path.join(BUILDS_ONLY_FILE).exists() {
            return Err(Error::format(
                path.display(),
                format!(
                    "a buildroot-generator --builds-only output (it holds {BUILDS_ONLY_FILE}): \
                     the input's builds alone, not a buildroot; give the directory of a run \
                     without --builds-only"
                ),
            ));
        }
        let mut dir = BuildrootDir {
            path: path.to_path_buf(),
            core_binaries: read_required(path, CORE_BINARIES)?,
            core_sources: read_required(path, CORE_SOURCES)?,
            binary_names: read_optional(&path.join(BINARY_NAMES))?,
            source_names: read_optional(&path.join(SOURCE_NAMES))?,
            binary_nvrs: read_optional(&path.join(BINARY_NVRS))?,
            source_nvrs: read_optional(&path.join(SOURCE_NVRS))?,
            ..Default::default()
        };
        for (file, name) in list_dir(&path.join(OUTPUT_DIR))? {
            if let Some(src) = source_of(&name, DEPS_BINARY_SUFFIX) {
                dir.deps_binary.insert(src.to_string(), read_set(&file)?);
            } else if let Some(src) = source_of(&name, DEPS_SOURCE_SUFFIX) {
                dir.deps_source.insert(src.to_string(), read_set(&file)?);
            } else {
                return Err(Error::format(
                    file.display(),
                    format!("unexpected file in {OUTPUT_DIR}/ (expected NAME{DEPS_BINARY_SUFFIX} or NAME{DEPS_SOURCE_SUFFIX})"),
                ));
            }
        }
        for (file, name) in list_dir(&path.join(ERRORS_DIR))? {
            let Some((src, word)) = name.rsplit_once('-').filter(|(s, w)| {
                !s.is_empty() && !w.is_empty() && w.bytes().all(|c| c.is_ascii_alphabetic())
            }) else {
                return Err(Error::format(
                    file.display(),
                    format!("unexpected file in {ERRORS_DIR}/ (expected NAME-NoInstall, NAME-BadDeps or NAME-NoSource)"),
                ));
            };
            let text = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            dir.errors.entry(src.to_string()).or_default().insert(
                ErrorKind::from_word(word),
                String::from_utf8_lossy(&text).into_owned(),
            );
        }
        let entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(RELATIONS_PREFIX) && name.ends_with(".json") {
                dir.relations_files.push(entry.path());
            }
        }
        dir.relations_files.sort();
        Ok(dir)
    }

    /// [`BuildrootDir::read`] for `arch`: a directory whose relations file
    /// names another arch (`...--aarch64.json` given as x86_64's) is refused,
    /// as its data would be published under the wrong arch. A directory
    /// without one (an older generator, dep-tracker) is taken as it is.
    pub fn read_for(path: &Path, arch: &str) -> Result<BuildrootDir> {
        let dir = BuildrootDir::read(path)?;
        let arch_of =
            |f: &PathBuf| relations_file_arch(f.file_name()?.to_str()?).map(str::to_string);
        let theirs: Vec<String> = dir.relations_files.iter().filter_map(arch_of).collect();
        if !theirs.is_empty() && !theirs.iter().any(|a| a == arch) {
            return Err(Error::format(
                path.display(),
                format!(
                    "given for {arch}, but it is a buildroot-generator output for {} (its \
                     {RELATIONS_PREFIX}…--{}.json)",
                    theirs.join(", "),
                    theirs[0]
                ),
            ));
        }
        Ok(dir)
    }

    /// Every binary name of the buildroot: `buildroot-binary-package-names.txt`
    /// when present, else the core binaries and every `deps-binary` list (what
    /// dep-tracker's run.sh put into that file).
    pub fn binary_names(&self) -> BTreeSet<String> {
        if let Some(names) = &self.binary_names {
            return names.clone();
        }
        let mut all = self.core_binaries.clone();
        for names in self.deps_binary.values() {
            all.extend(names.iter().cloned());
        }
        all
    }

    /// The sources with any error file (dep-tracker's `failed_buildroot`).
    pub fn failed_sources(&self) -> BTreeSet<String> {
        self.errors.keys().cloned().collect()
    }

    /// The directory's [`WHY_FILE`], when it holds one (older generators,
    /// and a directory from dep-tracker, have none; the report then gives
    /// no chains rather than failing). A why file that is not the JSON map
    /// the generator writes is an error: a chain silently missing would
    /// read as "no reason known".
    pub fn read_why(&self) -> Result<Option<WhyChains>> {
        let file = self.path.join(WHY_FILE);
        if !file.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::format(file.display(), format!("not a why file ({e})")))
    }

    /// The BuildRequires strings of `errors/NAME-NoInstall` (lines `NAME: REQ`).
    pub fn no_install(&self, source: &str) -> Vec<String> {
        let Some(text) = self
            .errors
            .get(source)
            .and_then(|k| k.get(&ErrorKind::NoInstall))
        else {
            return Vec::new();
        };
        let prefix = format!("{source}: ");
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.strip_prefix(&prefix).unwrap_or(l).to_string())
            .collect()
    }
}

/// `NAME` of `NAMEsuffix`, if non-empty.
fn source_of<'a>(file: &'a str, suffix: &str) -> Option<&'a str> {
    file.strip_suffix(suffix).filter(|s| !s.is_empty())
}

fn read_set(file: &Path) -> Result<BTreeSet<String>> {
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    Ok(
        read_list_from(f, &file.display().to_string(), Names::Verbatim)?
            .into_iter()
            .collect(),
    )
}

fn read_required(dir: &Path, name: &str) -> Result<BTreeSet<String>> {
    let file = dir.join(name);
    if !file.exists() {
        return Err(Error::format(
            file.display(),
            "missing (not a buildroot-generator output directory?)",
        ));
    }
    read_set(&file)
}

fn read_optional(file: &Path) -> Result<Option<BTreeSet<String>>> {
    if !file.exists() {
        return Ok(None);
    }
    read_set(file).map(Some)
}

/// Regular, non-dot files of `dir` (file path, file name), sorted; a missing
/// directory is empty.
fn list_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        out.push((entry.path(), name));
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with_why(why: Option<&str>) -> (tempfile::TempDir, BuildrootDir) {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(CORE_BINARIES), "bash\n").unwrap();
        std::fs::write(t.path().join(CORE_SOURCES), "bash\n").unwrap();
        if let Some(text) = why {
            std::fs::write(t.path().join(WHY_FILE), text).unwrap();
        }
        let d = BuildrootDir::read(t.path()).unwrap();
        (t, d)
    }

    #[test]
    fn the_why_file_is_read_on_demand() {
        let (_t, d) = dir_with_why(Some(r#"{"gcc": ["gcc", "BuildRequires 'gcc' of hello"]}"#));
        let why = d.read_why().unwrap().unwrap();
        assert_eq!(why["gcc"], ["gcc", "BuildRequires 'gcc' of hello"]);
        // No why file (an older generator, dep-tracker): no chains, no error.
        let (_t, d) = dir_with_why(None);
        assert_eq!(d.read_why().unwrap(), None);
    }

    #[test]
    fn a_directory_of_another_arch_is_refused() {
        let (t, _) = dir_with_why(None);
        // No relations file (dep-tracker, an older generator): taken.
        assert!(BuildrootDir::read_for(t.path(), "x86_64").is_ok());
        let rel = relations_file_name("view-eln", "aarch64");
        std::fs::write(t.path().join(&rel), "{}").unwrap();
        assert!(BuildrootDir::read_for(t.path(), "aarch64").is_ok());
        let e = BuildrootDir::read_for(t.path(), "x86_64").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: given for x86_64, but it is a buildroot-generator output for aarch64 (its \
                 buildroot-package-relations--…--aarch64.json)",
                t.path().display()
            )
        );
    }

    #[test]
    fn a_why_file_that_is_not_the_generators_json_is_an_error() {
        let (t, d) = dir_with_why(Some(r#"{"gcc": 3}"#));
        let e = d.read_why().unwrap_err();
        let file = t.path().join(WHY_FILE);
        assert!(
            matches!(&e, Error::Format { path, line: None, .. } if *path == file.display().to_string()),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "{}: not a why file (invalid type: integer `3`, expected a sequence at line 1 \
                 column 9)",
                file.display()
            )
        );
    }
}
