//! What a run reads and checks before the repositories are loaded: the
//! core buildroot's names (mock's build group by default, as dep-tracker
//! took `config_opts['chroot_setup_cmd']`), the output directory (failing
//! before the work, not after it), and the input list.

use std::path::Path;

use crate::buildroot::{check_output_dir, DEFAULT_CORE};
use crate::error::{Error, OutputDirProblem, Result};
use crate::pkglist::{read_input_list, read_list, Names};

/// The core buildroot's names.
#[derive(Clone, Debug, Default)]
pub struct CoreNames {
    /// The names, the release package last when it was added.
    pub names: Vec<String>,
    /// Whether the last name is `--release-package`'s default (not given,
    /// and not a name the core already has).
    pub release_by_default: bool,
    /// A warning for a `--core-file` that lists no names: what a failed
    /// step before writes, said as an empty input is, rather than a
    /// buildroot without bash, make or rpm-build.
    pub warning: Option<String>,
}

/// The core names: `core` (`--core`, comma-separated values), else those
/// `core_file` lists, else [`DEFAULT_CORE`]; with `release` (`""`: none)
/// added when it is not among them. `release_given`: the release package
/// was named, not the default.
pub fn core_names(
    core: Option<&[String]>,
    core_file: Option<&str>,
    release: &str,
    release_given: bool,
) -> Result<CoreNames> {
    let mut names: Vec<String> = match (core, core_file) {
        (Some(c), _) => c
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        (None, Some(f)) => read_list(f, Names::Verbatim)?,
        (None, None) => DEFAULT_CORE.iter().map(|s| s.to_string()).collect(),
    };
    crate::cli::check_core_list(core)?;
    let mut warning = None;
    if let (None, Some(f), true) = (core, core_file, names.is_empty()) {
        let what = match release {
            "" => "empty".to_string(),
            r => format!("{r} alone"),
        };
        warning = Some(format!(
            "--core-file {f} lists no names, so the core buildroot is {what} (--core '' asks \
             for that on purpose)"
        ));
    }
    let mut release_by_default = false;
    if !release.is_empty() && !names.iter().any(|c| c == release) {
        names.push(release.to_string());
        release_by_default = !release_given;
    }
    Ok(CoreNames {
        names,
        release_by_default,
        warning,
    })
}

/// The library's error line, with the option that gave the value named.
pub fn output_dir_error(e: Error) -> Error {
    match e {
        Error::OutputDir { path, problem } => {
            let example = match problem {
                OutputDirProblem::HoldsWorkingDirectory => " (e.g. --output-dir ../out)",
                _ => "",
            };
            Error::Usage(format!(
                "{}: --output-dir {problem}{example}",
                path.display()
            ))
        }
        e => e,
    }
}

/// Makes `dir`'s parent and checks that `dir` can be written as an output
/// directory, before the work rather than after it.
pub fn prepare_output_dir(dir: &Path) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| {
        Error::Usage(format!(
            "--output-dir {}: cannot create {}: {e}",
            dir.display(),
            parent.display()
        ))
    })?;
    check_output_dir(dir).map_err(output_dir_error)?;
    crate::atomic::check_writable(dir, "--output-dir")
}

/// The input's lines (`-`: stdin). A spec or RPM file given as the input,
/// which lists source names, is refused: it is given as `--spec`/`--srpm`.
pub fn read_input(input: &str) -> Result<Vec<String>> {
    let path = Path::new(input);
    if input != "-" && path.is_file() && path.extension().is_some_and(|e| e == "spec" || e == "rpm")
    {
        return Err(Error::Usage(format!(
            "{input}: a spec or RPM file as the input, which lists source names: give it as \
             --spec/--srpm FILE (and its name as the input)"
        )));
    }
    read_input_list(input, Names::Verbatim)
}
