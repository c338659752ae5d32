//! The workload diff's inputs named by path, read and handed to the
//! computations of [`super::diff`], [`super::changes`] and
//! [`super::verify`]: what `workload-diff` does once its options are checked.
//!
//! [`ArchPaths`] says where one arch's files are: the compose list, the
//! buildroot list, the generator output directories. The lists are read
//! once, into [`Lists`] (a list given as `-` is stdin, which a second read
//! would find empty), in the order the tool always has (per arch: the
//! compose, then the buildroot or its directory; the exclude lists last), so
//! the first bad file named stays the same; the change report then reads
//! only the directories.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::changes::{ArchInputs, Changes};
use super::diff::WorkloadDiff;
use super::documents::{BuildrootConfigDocument, WorkloadDocument};
use super::outdir::BuildrootDir;
use super::verify;
use crate::error::Result;
use crate::pkglist::{read_set, Names};

/// Where one arch's inputs are. Lists are paths as [`read_set`] takes them
/// (`-`: stdin); their NEVRA lines are reduced to names.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArchPaths<'a> {
    /// The compose's binary names.
    pub compose: &'a str,
    /// The buildroot's binary names, when given as a list (it wins over
    /// `dir` for the diff).
    pub buildroot: Option<&'a str>,
    /// The current run's generator output directory (pass 2).
    pub dir: Option<&'a Path>,
    /// The previous run's generator output directory (the change report).
    pub previous_dir: Option<&'a Path>,
}

/// The lists of a diff, each read once: per arch the compose's and the
/// buildroot's binary names, and the union of the exclude lists.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    /// Arch -> the compose's binary names.
    pub compose: BTreeMap<String, BTreeSet<String>>,
    /// Arch -> the buildroot's binary names (arches without one absent).
    pub buildroot: BTreeMap<String, BTreeSet<String>>,
    /// Names never put into the workload.
    pub exclude: BTreeSet<String>,
}

/// Reads every arch's compose and buildroot (the list, else the directory's
/// binary names) and the exclude lists. An arch with neither buildroot has
/// none here, which [`Lists::diff`] reports.
///
/// `empty_compose(arch, path)` is called as soon as a compose that lists
/// nothing is read: most likely a failed fetch of the compose, which puts
/// the whole buildroot into the workload. A compose can be empty on purpose
/// (a new arch, a test), so it is the caller's warning, not an error.
pub fn read_lists(
    arches: &BTreeMap<&str, ArchPaths<'_>>,
    exclude: &[String],
    empty_compose: &mut dyn FnMut(&str, &str),
) -> Result<Lists> {
    let mut lists = Lists::default();
    for (arch, paths) in arches {
        let names = read_set(paths.compose, Names::Reduce)?;
        if names.is_empty() {
            empty_compose(arch, paths.compose);
        }
        lists.compose.insert(arch.to_string(), names);
        // The directory is read only when no list is given: with both, a
        // broken directory does not fail the diff.
        let names = match (paths.buildroot, paths.dir) {
            (Some(list), _) => read_set(list, Names::Reduce)?,
            (None, Some(dir)) => BuildrootDir::read_for(dir, arch)?.binary_names(),
            (None, None) => continue,
        };
        lists.buildroot.insert(arch.to_string(), names);
    }
    for file in exclude {
        // Names as written: they are matched against names, never reduced
        // from NEVRAs.
        lists.exclude.extend(read_set(file, Names::Verbatim)?);
    }
    Ok(lists)
}

impl Lists {
    /// The buildroot minus the compose, per arch ([`WorkloadDiff::compute`]).
    pub fn diff(&self) -> Result<WorkloadDiff> {
        WorkloadDiff::compute(&self.compose, &self.buildroot, &self.exclude)
    }
}

/// Reads what the change report needs per arch besides `lists` (the current
/// directory and its why file, the previous directory), and compares
/// `current` with `previous` (the previous workload and where it came from;
/// None: a first run, everything is new).
pub fn read_changes(
    current: &WorkloadDocument,
    previous: Option<(&WorkloadDocument, &str)>,
    arches: &BTreeMap<&str, ArchPaths<'_>>,
    lists: &Lists,
) -> Result<Changes> {
    let mut dirs = BTreeMap::new();
    let mut whys = BTreeMap::new();
    let mut previous_dirs = BTreeMap::new();
    for (arch, paths) in arches {
        if let Some(path) = paths.dir {
            let dir = BuildrootDir::read_for(path, arch)?;
            if let Some(why) = dir.read_why()? {
                whys.insert(*arch, why);
            }
            dirs.insert(*arch, dir);
        }
        if let Some(path) = paths.previous_dir {
            previous_dirs.insert(*arch, BuildrootDir::read_for(path, arch)?);
        }
    }
    let inputs: BTreeMap<String, ArchInputs> = lists
        .compose
        .iter()
        .map(|(arch, compose)| {
            let arch = arch.as_str();
            let inputs = ArchInputs {
                compose,
                current: dirs.get(arch),
                why: whys.get(arch),
                previous: previous_dirs.get(arch),
            };
            (arch.to_string(), inputs)
        })
        .collect();
    Ok(Changes::compute(current, previous, &inputs, &lists.exclude))
}

/// Step 10's allowed binaries on `arch` ([`verify::allowed`]) from the
/// workload YAML at `workload` and the compose list at `compose`.
pub fn read_allowed(compose: &str, workload: &Path, arch: &str) -> Result<BTreeSet<String>> {
    let workload = WorkloadDocument::read(workload)?;
    let names = read_set(compose, Names::Reduce)?;
    Ok(verify::allowed(&names, &workload, arch))
}

/// The buildroot document ([`BuildrootConfigDocument::from_dirs`]) of one
/// generator output directory per arch.
pub fn read_buildroot_document(
    maintainer: &str,
    view_id: &str,
    dirs: &BTreeMap<&str, &Path>,
) -> Result<BuildrootConfigDocument> {
    let mut read = BTreeMap::new();
    for (arch, dir) in dirs {
        read.insert(arch.to_string(), BuildrootDir::read_for(dir, arch)?);
    }
    Ok(BuildrootConfigDocument::from_dirs(
        maintainer, view_id, &read,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buildroot::WHY_FILE;
    use crate::workload::outdir::{BINARY_NAMES, CORE_BINARIES, CORE_SOURCES};
    use crate::workload::WorkloadMeta;

    fn write(path: &Path, text: &str) -> String {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// A generator output directory: `hello` needs `deps`.
    fn outdir(dir: &Path, binaries: &str, deps: &str) {
        write(&dir.join(CORE_BINARIES), "bash\n");
        write(&dir.join(CORE_SOURCES), "bash\n");
        write(&dir.join(BINARY_NAMES), binaries);
        write(&dir.join("output/hello-deps-binary"), deps);
    }

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_lists_take_a_list_before_a_directory_and_say_when_a_compose_is_empty() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let compose = write(&d.join("c.txt"), "bash-5.2-1.eln150.x86_64\n");
        let empty = write(&d.join("empty.txt"), "# nothing\n");
        let list = write(&d.join("br.txt"), "bash\ngcc\nmake\n");
        let exclude = [
            write(&d.join("ex1.txt"), "make\n"),
            write(&d.join("ex2.txt"), "nothing-else\n"),
        ];
        let pass2 = d.join("pass2");
        outdir(&pass2, "bash\ncmake\n", "cmake\n");
        let missing = d.join("no-such-dir");
        let arches = BTreeMap::from([
            (
                "aarch64",
                ArchPaths {
                    compose: &empty,
                    dir: Some(&pass2),
                    ..Default::default()
                },
            ),
            (
                "x86_64",
                ArchPaths {
                    compose: &compose,
                    buildroot: Some(&list),
                    // Not read: the list wins.
                    dir: Some(&missing),
                    ..Default::default()
                },
            ),
        ]);
        let mut said = Vec::new();
        let lists = read_lists(&arches, &exclude, &mut |arch, path| {
            said.push(format!("{arch} {path}"))
        })
        .unwrap();
        let diff = lists.diff().unwrap();
        assert_eq!(said, [format!("aarch64 {empty}")]);
        let w = diff.workload(&WorkloadMeta::default());
        assert_eq!(names(&w.arch_packages["aarch64"]), ["bash", "cmake"]);
        assert_eq!(names(&w.arch_packages["x86_64"]), ["gcc"]);
    }

    #[test]
    fn changes_take_the_why_chain_from_the_directory_and_the_previous_dir() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let compose = write(&d.join("c.txt"), "bash\nmake\n");
        outdir(&d.join("cur"), "bash\ncmake\n", "cmake\n");
        write(
            &d.join("cur").join(WHY_FILE),
            r#"{"cmake": ["cmake", "BuildRequires 'cmake' of hello"]}"#,
        );
        outdir(&d.join("prev"), "bash\nautoconf\n", "autoconf\n");
        let cur = d.join("cur");
        let prev = d.join("prev");
        let arches = BTreeMap::from([(
            "x86_64",
            ArchPaths {
                compose: &compose,
                dir: Some(&cur),
                previous_dir: Some(&prev),
                ..Default::default()
            },
        )]);
        let mut now = WorkloadDocument::default();
        now.packages.insert("cmake".into());
        let mut before = WorkloadDocument::default();
        before.packages.extend(["autoconf".into(), "make".into()]);
        let lists = read_lists(&arches, &[], &mut |_, _| {}).unwrap();
        let ch = read_changes(&now, Some((&before, "prev.yaml")), &arches, &lists).unwrap();
        let x86 = &ch.arches["x86_64"];
        assert_eq!(
            x86.entered[0].why,
            ["cmake", "BuildRequires 'cmake' of hello"]
        );
        assert_eq!(names(&x86.entered[0].needed_by), ["hello"]);
        let because: Vec<_> = x86.left.iter().map(|l| &l.because).collect();
        assert_eq!(
            because,
            [
                &crate::workload::changes::LeftBecause::NotNeeded {
                    needed_before_by: ["hello".to_string()].into()
                },
                &crate::workload::changes::LeftBecause::InCompose,
            ]
        );
        // A broken why file fails the report rather than dropping chains.
        write(&d.join("cur").join(WHY_FILE), "[]");
        let e = read_changes(&now, None, &arches, &lists).unwrap_err();
        assert!(e.to_string().contains(": not a why file ("), "{e}");
    }

    #[test]
    fn allowed_reads_the_workload_and_the_compose() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let compose = write(&d.join("c.txt"), "bash\n");
        let w = write(
            &d.join("w.yaml"),
            "document: feedback-pipeline-workload\nversion: 1\ndata:\n  name: W\n  \
             description: d\n  maintainer: m\n  labels: [x]\n  packages: [gcc]\n  \
             arch_packages:\n    x86_64: [nasm]\n",
        );
        let a = read_allowed(&compose, Path::new(&w), "x86_64").unwrap();
        assert_eq!(names(&a), ["bash", "gcc", "nasm"]);
    }
}
