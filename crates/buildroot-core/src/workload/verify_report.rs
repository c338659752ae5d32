//! Step 10's report (`workload-diff --format verify`): per arch, what the
//! restricted run could not build that pass 2 could
//! ([`super::verify::new_failures`]) and which pass-2 binaries the new
//! compose lacks ([`super::verify::missing`]), as the text the workflow
//! prints and as `ARCH/new-failures.txt` and `ARCH/missing.txt` under an
//! output directory (the workflow's `verify/`).
//!
//! Each check runs only when its input is given (the restricted run's
//! directory, the new compose's list), and writes its file whenever it ran,
//! empty when it found nothing. The wording and the file names are
//! contracts: the workflow scripts (`scripts/demo.sh`, `scripts/e2e-test.sh`)
//! and the CLI tests read them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use super::outdir::BuildrootDir;
use super::verify;
use crate::error::{Error, Result};
use crate::pkglist::{read_set, Names};

/// `ARCH/new-failures.txt`: the restricted run's new problems, one a line.
pub const NEW_FAILURES_FILE: &str = "new-failures.txt";
/// `ARCH/missing.txt`: the buildroot binaries the new compose lacks.
pub const MISSING_FILE: &str = "missing.txt";

/// Where one arch's step-10 inputs are.
#[derive(Clone, Copy, Debug)]
pub struct VerifyPaths<'a> {
    /// Pass 2's generator output directory.
    pub pass2: &'a Path,
    /// The restricted run's generator output directory.
    pub run: Option<&'a Path>,
    /// The new compose's binary names (a list; `-`: stdin).
    pub new_compose: Option<&'a str>,
}

/// What step 10 found on one arch; None for a check that did not run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchFindings {
    /// `SRC: problem` lines of the restricted run that pass 2 did not have.
    pub new_failures: Option<Vec<String>>,
    /// Pass 2's binaries the new compose lacks.
    pub missing: Option<BTreeSet<String>>,
}

/// The whole report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The text, every arch in order.
    pub text: String,
    /// Whether any arch has a new failure or a missing binary (the tool
    /// exits 1 then).
    pub found: bool,
}

impl ArchFindings {
    /// Compares pass 2 with the restricted run and with the new compose.
    pub fn compute(
        pass2: &BuildrootDir,
        run: Option<&BuildrootDir>,
        new_compose: Option<&BTreeSet<String>>,
    ) -> ArchFindings {
        ArchFindings {
            new_failures: run.map(|run| verify::new_failures(pass2, run)),
            missing: new_compose.map(|names| verify::missing(pass2, names)),
        }
    }

    /// Reads the inputs `paths` names for `arch` (pass 2, the run, the new
    /// compose, in that order) and compares them.
    pub fn read(arch: &str, paths: &VerifyPaths<'_>) -> Result<ArchFindings> {
        let pass2 = BuildrootDir::read_for(paths.pass2, arch)?;
        let run = paths
            .run
            .map(|d| BuildrootDir::read_for(d, arch))
            .transpose()?;
        let new_compose = match paths.new_compose {
            Some(list) => Some(read_set(list, Names::Reduce)?),
            None => None,
        };
        Ok(ArchFindings::compute(
            &pass2,
            run.as_ref(),
            new_compose.as_ref(),
        ))
    }

    /// Whether anything was found.
    pub fn found(&self) -> bool {
        self.new_failures.as_ref().is_some_and(|f| !f.is_empty())
            || self.missing.as_ref().is_some_and(|m| !m.is_empty())
    }

    /// Writes the file of every check that ran into `dir` (created).
    pub fn write_files(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if let Some(failures) = &self.new_failures {
            // As computed: sorted by source, which a sort of the lines is not
            // (`a-b: x` sorts before `a: y`).
            let text: String = failures.iter().map(|l| format!("{l}\n")).collect();
            crate::atomic::write_file(&dir.join(NEW_FAILURES_FILE), text.as_bytes())?;
        }
        if let Some(missing) = &self.missing {
            crate::pkglist::write_list_file(&dir.join(MISSING_FILE), missing)?;
        }
        Ok(())
    }

    /// Appends the report of `arch` to `out`; `files` is the directory the
    /// files were written to, named after a finding so the reader can find
    /// its list.
    pub fn write_text(&self, arch: &str, files: Option<&Path>, out: &mut String) {
        let shown = |name: &str| match files {
            Some(d) => format!(" ({})", d.join(name).display()),
            None => String::new(),
        };
        if let Some(failures) = &self.new_failures {
            if failures.is_empty() {
                let _ = writeln!(
                    out,
                    "verify {arch}: every source builds from compose + workload as in pass 2"
                );
            } else {
                let _ = writeln!(
                    out,
                    "verify {arch}: these sources cannot be built from compose + workload{}:",
                    shown(NEW_FAILURES_FILE)
                );
                for l in failures {
                    let _ = writeln!(out, "  {l}");
                }
            }
        }
        if let Some(missing) = &self.missing {
            if missing.is_empty() {
                let _ = writeln!(
                    out,
                    "verify {arch}: the new compose has every buildroot binary"
                );
            } else {
                let what = match missing.len() {
                    1 => "buildroot binary is",
                    _ => "buildroot binaries are",
                };
                let _ = writeln!(
                    out,
                    "verify {arch}: {} {what} missing from the new compose{}:",
                    missing.len(),
                    shown(MISSING_FILE)
                );
                for n in missing {
                    let _ = writeln!(out, "  {n}");
                }
            }
        }
    }
}

/// Checks every arch of `arches` in order; with `out_dir`, writes each
/// arch's files to `out_dir/ARCH/` as soon as it is checked.
pub fn verify_report(
    arches: &BTreeMap<&str, VerifyPaths<'_>>,
    out_dir: Option<&Path>,
) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    for (arch, paths) in arches {
        let findings = ArchFindings::read(arch, paths)?;
        let files = out_dir.map(|d| d.join(arch));
        if let Some(d) = &files {
            findings.write_files(d)?;
        }
        findings.write_text(arch, files.as_deref(), &mut report.text);
        report.found |= findings.found();
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::workload::outdir::{ErrorKind, BINARY_NAMES, CORE_BINARIES, CORE_SOURCES};

    fn dir(errors: &[(&str, &str)], binaries: &[&str]) -> BuildrootDir {
        let mut d = BuildrootDir {
            binary_names: Some(binaries.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        for (src, text) in errors {
            d.errors
                .entry(src.to_string())
                .or_default()
                .insert(ErrorKind::NoInstall, text.to_string());
        }
        d
    }

    fn names(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_text_names_each_finding_and_its_file() {
        let pass2 = dir(&[("old", "old: gone-devel\n")], &["bash", "gcc", "patch"]);
        let run = dir(
            &[("old", "old: gone-devel\n"), ("hello", "hello: gcc\n")],
            &[],
        );
        let new_compose = names(&["bash", "gcc"]);
        let f = ArchFindings::compute(&pass2, Some(&run), Some(&new_compose));
        assert!(f.found());
        let mut text = String::new();
        f.write_text("x86_64", Some(Path::new("verify/x86_64")), &mut text);
        assert_eq!(
            text,
            "verify x86_64: these sources cannot be built from compose + workload \
             (verify/x86_64/new-failures.txt):\n  hello: gcc\n\
             verify x86_64: 1 buildroot binary is missing from the new compose \
             (verify/x86_64/missing.txt):\n  patch\n"
        );
        // Without an output directory no file is named; two are "binaries".
        let f = ArchFindings::compute(&pass2, None, Some(&names(&["bash"])));
        let mut text = String::new();
        f.write_text("aarch64", None, &mut text);
        assert_eq!(
            text,
            "verify aarch64: 2 buildroot binaries are missing from the new compose:\n  gcc\n  patch\n"
        );
    }

    #[test]
    fn nothing_found_is_said_per_check_that_ran() {
        let pass2 = dir(&[], &["bash"]);
        let f = ArchFindings::compute(&pass2, Some(&pass2), Some(&names(&["bash"])));
        assert!(!f.found());
        let mut text = String::new();
        f.write_text("s390x", Some(Path::new("v/s390x")), &mut text);
        assert_eq!(
            text,
            "verify s390x: every source builds from compose + workload as in pass 2\n\
             verify s390x: the new compose has every buildroot binary\n"
        );
        let f = ArchFindings::compute(&pass2, None, None);
        let mut text = String::new();
        f.write_text("s390x", None, &mut text);
        assert_eq!((text.as_str(), f.found()), ("", false));
    }

    /// A generator output directory on disk with `errors/NAME-NoInstall` files.
    fn outdir(root: &Path, rel: &str, binaries: &str, errors: &[(&str, &str)]) -> PathBuf {
        let d = root.join(rel);
        std::fs::create_dir_all(d.join("errors")).unwrap();
        std::fs::write(d.join(CORE_BINARIES), "bash\n").unwrap();
        std::fs::write(d.join(CORE_SOURCES), "bash\n").unwrap();
        std::fs::write(d.join(BINARY_NAMES), binaries).unwrap();
        for (src, text) in errors {
            std::fs::write(d.join(format!("errors/{src}-NoInstall")), text).unwrap();
        }
        d
    }

    #[test]
    fn the_report_writes_each_arch_files_under_the_output_directory() {
        let t = tempfile::tempdir().unwrap();
        let pass2 = outdir(t.path(), "pass2", "bash\nmake\n", &[]);
        // Sources `a` and `a-b`: the file keeps the source order, which a
        // sort of the lines would not (`a-b: ...` < `a: ...`).
        let run = outdir(
            t.path(),
            "run",
            "bash\n",
            &[("a", "a: x-devel\n"), ("a-b", "a-b: y-devel\n")],
        );
        let new_compose = t.path().join("new.txt");
        std::fs::write(&new_compose, "bash\nmake\n").unwrap();
        let new_compose = new_compose.to_str().unwrap();
        let arches = BTreeMap::from([
            (
                "aarch64",
                VerifyPaths {
                    pass2: &pass2,
                    run: None,
                    new_compose: Some(new_compose),
                },
            ),
            (
                "x86_64",
                VerifyPaths {
                    pass2: &pass2,
                    run: Some(&run),
                    new_compose: None,
                },
            ),
        ]);
        let out = t.path().join("verify");
        let report = verify_report(&arches, Some(&out)).unwrap();
        assert!(report.found);
        let x86 = out.join("x86_64");
        assert_eq!(
            report.text,
            format!(
                "verify aarch64: the new compose has every buildroot binary\n\
                 verify x86_64: these sources cannot be built from compose + workload ({}):\n  \
                 a: x-devel\n  a-b: y-devel\n",
                x86.join(NEW_FAILURES_FILE).display()
            )
        );
        let read = |p: PathBuf| std::fs::read_to_string(p).unwrap();
        assert_eq!(read(out.join("aarch64").join(MISSING_FILE)), "");
        assert!(!out.join("aarch64").join(NEW_FAILURES_FILE).exists());
        assert_eq!(
            read(x86.join(NEW_FAILURES_FILE)),
            "a: x-devel\na-b: y-devel\n"
        );
        assert!(!x86.join(MISSING_FILE).exists());
    }

    #[test]
    fn an_output_directory_that_cannot_be_made_is_an_error_with_its_path() {
        let t = tempfile::tempdir().unwrap();
        let pass2 = outdir(t.path(), "pass2", "bash\n", &[]);
        let file = t.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        let arches = BTreeMap::from([(
            "x86_64",
            VerifyPaths {
                pass2: &pass2,
                run: Some(&pass2),
                new_compose: None,
            },
        )]);
        let e = verify_report(&arches, Some(&file)).unwrap_err();
        assert!(
            matches!(&e, Error::Io { path, .. } if *path == file.join("x86_64")),
            "{e:?}"
        );
    }
}
