//! fetch-compose's run: the compose (binary and source names per arch) of a
//! content-resolver view, from its published lists ([`super::published`]),
//! written as the directory the workflow's `COMPOSE_DIR` names (dep-tracker's
//! `run.sh` step 1 downloaded the same files into its own layout).
//!
//! The binary gives a [`FetchRequest`] to [`run`] and prints the lines it
//! says; the checks of the values, the fetch, the atomic replacement of the
//! output directory and which lines are said (`-q`, a terminal) are here.

use std::path::Path;

use super::published::{fetch_composes, list_file_name, ListKind, ViewLists};
use crate::atomic::{check_output_dir, EarlierOutput, StagedDir};
use crate::error::{Error, Result};
use crate::pkglist::write_list;

/// What fetch-compose is asked for.
#[derive(Clone, Copy, Debug)]
pub struct FetchRequest<'a> {
    /// content-resolver's output: an `http(s)://` base URL, `file://` or a
    /// directory (`--url`).
    pub url: &'a str,
    /// The view (`--view`; an id without `view-` gets it).
    pub view: &'a str,
    /// The arches, in the order given (`--arch`).
    pub arches: &'a [String],
    /// The view's workloads, or those and content-resolver's buildroot.
    pub lists: ViewLists,
    /// The directory replaced by the lists (`--out`).
    pub out: &'a Path,
    /// `--cache-dir` as given (None: the user's cache, `cli::cache_dir`).
    pub cache_dir: Option<&'a Path>,
}

/// What one arch's lists held, for the summary a terminal shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedArch {
    /// The arch.
    pub arch: String,
    /// How many binary names its list held.
    pub binaries: usize,
    /// How many source names its list held.
    pub sources: usize,
}

impl FetchedArch {
    /// `ARCH: N binary and M source names`.
    pub fn summary(&self) -> String {
        format!(
            "{}: {} binary and {} source names",
            self.arch, self.binaries, self.sources
        )
    }
}

/// What an earlier output holds: `ARCH.txt` and `sources-ARCH.txt` files,
/// and `content-resolver/` of the NEVRA lists alone (one of other files, a
/// `COMPOSE_DIR` made by hand with the placeholder details the workflow
/// reads there, is no earlier output of ours: replaced whole, its files
/// were lost).
const OUTPUT: EarlierOutput = EarlierOutput::Names {
    tool: "fetch-compose",
    ours: |path| match path.split_once('/') {
        None => {
            let arch = path.strip_suffix(".txt").unwrap_or_default();
            crate::arch::is_known(arch.strip_prefix("sources-").unwrap_or(arch))
        }
        Some((NEVRA_DIR, "")) => true,
        Some((NEVRA_DIR, list)) => {
            [
                "view-binary-package-list--",
                "view-all-binary-package-list--",
            ]
            .iter()
            .any(|p| list.starts_with(p))
                && list.ends_with(".txt")
                && !list.contains('/')
        }
        Some(_) => false,
    },
};

/// Where the NEVRA lists go, under content-resolver's own names: the
/// place compose-view's output has them, which the workflow's step 10
/// reads.
const NEVRA_DIR: &str = "content-resolver";

/// The library's line, with the option that named the output directory.
fn out_option(e: Error) -> Error {
    match e {
        Error::OutputDir { path, problem } => {
            Error::Usage(format!("{}: --out {problem}", path.display()))
        }
        e => e,
    }
}

/// Checks the request's values, fetches every arch's lists, then replaces
/// `req.out` with them whole (written beside it and swapped in: a failure
/// leaves it as it was, and no list of an earlier run stays beside these).
/// `warn` gets each warning (an empty binary list); the arches' counts are
/// returned in the request's order.
pub fn fetch_compose_dir(
    req: &FetchRequest,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<FetchedArch>> {
    crate::cli::check_view(req.view)?;
    for a in req.arches {
        crate::cli::check_arch(a)?;
    }
    crate::pkglist::not_stdout(
        "--out",
        Some(req.out),
        "a directory",
        "ARCH.txt and sources-ARCH.txt go there",
    )?;
    check_output_dir(req.out, OUTPUT).map_err(out_option)?;
    let cache = crate::cli::cache_dir(req.cache_dir)?;
    // Everything is fetched before anything is written: a failure leaves
    // OUT as it was. The arches' lists at once (RPM_BUILDROOT_HTTP_PARALLEL).
    let fetched = fetch_composes(req.url, req.view, req.arches, req.lists, &cache)?;
    let got: Vec<_> = req.arches.iter().zip(fetched).collect();
    for (a, c) in &got {
        if c.binaries.is_empty() {
            let name = list_file_name(req.lists, ListKind::Binary, req.view, a);
            warn(format!("{name} is empty"));
        }
    }
    let stage = StagedDir::replacing(req.out, OUTPUT).map_err(out_option)?;
    let mut counts = Vec::new();
    for (a, c) in &got {
        stage.write_with(&format!("{a}.txt"), |mut w| {
            write_list(&mut w, c.binaries.iter().cloned())
        })?;
        stage.write_with(&format!("sources-{a}.txt"), |mut w| {
            write_list(&mut w, c.sources.iter().cloned())
        })?;
        if let Some(nevras) = &c.nevras {
            let name = list_file_name(req.lists, ListKind::Nevra, req.view, a);
            stage.write_with(&format!("{NEVRA_DIR}/{name}"), |mut w| {
                write_list(&mut w, nevras.iter().cloned())
            })?;
        }
        counts.push(FetchedArch {
            arch: a.to_string(),
            binaries: c.binaries.len(),
            sources: c.sources.len(),
        });
    }
    stage.commit()?;
    Ok(counts)
}

/// fetch-compose's run: `--out` checked writable first (said before any
/// list is fetched or another value checked, naming the option), then
/// [`fetch_compose_dir`]. `say(kind, line)` gets each warning as it comes
/// (kind `warning`: an empty binary list) unless `quiet`, then, with
/// `summary` (stderr is a terminal) and not `quiet`, each arch's counts
/// (kind `""`: [`FetchedArch::summary`]), for stderr.
pub fn run(
    req: &FetchRequest,
    quiet: bool,
    summary: bool,
    say: &mut dyn FnMut(&str, &str),
) -> Result<()> {
    crate::atomic::check_writable(req.out, "--out")?;
    let fetched = fetch_compose_dir(req, &mut |w| {
        if !quiet {
            say("warning", &w);
        }
    })?;
    if summary && !quiet {
        for arch in &fetched {
            say("", &arch.summary());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A directory of content-resolver's lists becomes the compose layout
    /// (sorted, unique); an empty binary list is a warning; an earlier
    /// output of other files is refused, naming --out, and left as it was.
    #[test]
    fn lists_become_the_compose_directory() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("cr");
        let list = |kind, arch| src.join(list_file_name(ViewLists::Runtime, kind, "eln", arch));
        write(&list(ListKind::Binary, "x86_64"), "b\na\nb");
        write(&list(ListKind::Source, "x86_64"), "s");
        write(&list(ListKind::Binary, "aarch64"), "");
        write(&list(ListKind::Source, "aarch64"), "");
        let out = t.path().join("out");
        let arches = ["x86_64".to_string(), "aarch64".to_string()];
        let req = FetchRequest {
            url: src.to_str().unwrap(),
            view: "eln",
            arches: &arches,
            lists: ViewLists::Runtime,
            out: &out,
            cache_dir: Some(&t.path().join("cache")),
        };
        let mut warnings = Vec::new();
        let got = fetch_compose_dir(&req, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("x86_64.txt")).unwrap(),
            "a\nb\n"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("sources-x86_64.txt")).unwrap(),
            "s\n"
        );
        // The counts are the published lists' lines, as fetched.
        assert_eq!(got[0].summary(), "x86_64: 3 binary and 1 source names");
        assert_eq!(
            warnings,
            ["view-binary-package-name-list--view-eln--aarch64.txt is empty"]
        );
        let mine = t.path().join("mine");
        write(&mine.join("notes.md"), "mine");
        let e = fetch_compose_dir(&FetchRequest { out: &mine, ..req }, &mut |_| {}).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("{}: --out ", mine.display())),
            "{e}"
        );
        assert!(mine.join("notes.md").exists());
    }

    /// The run as fetch-compose makes it: an unwritable `--out` is said
    /// before a bad `--view` (nothing is fetched); `-q` drops the warning
    /// and the summary; the summary only when asked for (a terminal),
    /// after the warnings.
    #[test]
    fn run_says_warnings_and_the_summary_as_asked() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("cr");
        for (kind, text) in [(ListKind::Binary, ""), (ListKind::Source, "s\n")] {
            let name = list_file_name(ViewLists::Runtime, kind, "eln", "x86_64");
            write(&src.join(name), text);
        }
        let arches = ["x86_64".to_string()];
        let req = FetchRequest {
            url: src.to_str().unwrap(),
            view: "eln",
            arches: &arches,
            lists: ViewLists::Runtime,
            out: &t.path().join("out"),
            cache_dir: Some(&t.path().join("cache")),
        };
        let said = |quiet, summary| {
            let mut lines = Vec::new();
            run(&req, quiet, summary, &mut |k, m| {
                lines.push(format!("{k}|{m}"))
            })
            .unwrap();
            lines
        };
        let warning = "warning|view-binary-package-name-list--view-eln--x86_64.txt is empty";
        assert_eq!(said(false, false), [warning]);
        assert_eq!(
            said(false, true),
            [warning, "|x86_64: 0 binary and 1 source names"]
        );
        assert!(said(true, true).is_empty());
        assert_eq!(
            std::fs::read_to_string(t.path().join("out/sources-x86_64.txt")).unwrap(),
            "s\n"
        );
        let file = t.path().join("file");
        write(&file, "");
        let bad = FetchRequest {
            view: "bad/",
            out: &file.join("out"),
            ..req
        };
        let e = run(&bad, false, false, &mut |_, _| panic!("nothing said")).unwrap_err();
        assert!(e.to_string().starts_with("--out "), "{e}");
    }
}
