//! content-resolver's published view lists, as the workflow's compose
//! input (dep-tracker's `run.sh` step 1 downloaded the same files).
//!
//! content-resolver (`data_generation.py`, `_generate_view_lists`) writes,
//! for every view and arch, plain-text lists into its output directory
//! (published at e.g. `https://tiny.distro.builders/`), named
//! `LIST--VIEW--ARCH.txt`: one item per line, sorted, without a final
//! newline. The two the compose needs:
//!
//! - `view-binary-package-name-list`: binary package names of the view's
//!   workloads (placeholders' binary names included);
//! - `view-source-package-name-list`: their source package names (bare
//!   names, dnf's `source_name`; a placeholder's own source name).
//!
//! And one more when it is there: `view-binary-package-list`, the same
//! binaries as NEVRAs, where content-resolver's analyzer gives a
//! placeholder (a package not built yet, in no repository by design) the
//! version `000-placeholder` and the arch `placeholder`. The name lists
//! alone cannot tell a placeholder's binary whose name is not its source's
//! from a name the repos lost; step 10 reads these marks
//! (`pkglist::read_allowed`). An output without it (an older one, a
//! directory of name lists) is no error: the marks are then unknown.
//!
//! The `view-all-` variants also hold what content-resolver itself found
//! the buildroot needs. Files come through the same HTTP cache as
//! repository metadata ([`crate::rpmmd::fetch_to_cache`]), fetched afresh on
//! every call; a directory (or `file://`) is read in place. The lists of
//! several arches ([`fetch_composes`]) are downloaded at once, as many as
//! `RPM_BUILDROOT_HTTP_PARALLEL` allows (and its `_PER_MIRROR`: they come
//! from one server), as dnf downloads a batch under `max_parallel_downloads`.

use std::path::Path;

use crate::buildroot::view_id;
use crate::error::{Error, Result};
use crate::pkglist::{read_list_from, Names};
use crate::rpmmd::{at_once, fetch_to_cache, HttpSettings, Location};

/// Which of a view's lists are the compose (fetch-compose's `--lists`,
/// whose possible values these are; the doc comments are their help).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewLists {
    /// view-*: the packages of the view's workloads (the compose).
    #[default]
    Runtime,
    /// view-all-*: those and what content-resolver found their buildroot needs.
    All,
}

/// Binary or source names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// Binary package names.
    Binary,
    /// Source package names.
    Source,
    /// Binary NEVRAs (`view-binary-package-list`, placeholders marked).
    Nevra,
}

/// The file name content-resolver publishes a list of `view` on `arch` under,
/// e.g. `view-binary-package-name-list--view-eln--x86_64.txt` (a view given
/// without its `view-` prefix gets it).
pub fn list_file_name(lists: ViewLists, kind: ListKind, view: &str, arch: &str) -> String {
    let prefix = match lists {
        ViewLists::Runtime => "view",
        ViewLists::All => "view-all",
    };
    let kind = match kind {
        ListKind::Binary => "binary-package-name",
        ListKind::Source => "source-package-name",
        ListKind::Nevra => "binary-package",
    };
    format!("{prefix}-{kind}-list--{}--{arch}.txt", view_id(view))
}

/// One arch's compose: binary and source names, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComposeLists {
    /// Binary package names, in file order.
    pub binaries: Vec<String>,
    /// Source package names, in file order.
    pub sources: Vec<String>,
    /// The binaries' NEVRAs, placeholders marked, in file order; `None`
    /// when the output has no such list.
    pub nevras: Option<Vec<String>>,
}

/// Fetches the binary and source name lists of `view` on `arch` from
/// `base` (an `http(s)://` URL, `file://` or a directory). HTTP files go
/// through `cache`. Errors name the URL or file; a missing list says which
/// view and arch were asked for.
pub fn fetch_compose(
    base: &str,
    view: &str,
    arch: &str,
    lists: ViewLists,
    cache: &Path,
) -> Result<ComposeLists> {
    let mut got = fetch_composes(base, view, &[arch.to_string()], lists, cache)?;
    Ok(got.pop().unwrap_or_default())
}

/// [`fetch_compose`] of each of `arches`, in their order. Over HTTP their
/// lists are downloaded at once, at most `RPM_BUILDROOT_HTTP_PARALLEL` (and
/// `_PER_MIRROR`) together (3 by default; they were fetched one after the
/// other); a directory's are read one after the other. The error is the
/// first failing list's in the arches' order (binary, source, then the
/// NEVRAs), as one after the other: no list after a failure is started. A
/// missing NEVRA list (HTTP 404, no such file) is none, not an error.
pub fn fetch_composes(
    base: &str,
    view: &str,
    arches: &[String],
    lists: ViewLists,
    cache: &Path,
) -> Result<Vec<ComposeLists>> {
    let loc = Location::parse(base)?;
    // A mistyped local directory is that, not a view missing from it.
    let at_a_time = match &loc {
        Location::Dir(d) if !d.is_dir() => {
            return Err(Error::format(
                d.display(),
                "no such directory (a content-resolver output directory or an http(s):// URL)",
            ));
        }
        Location::Dir(_) => 1,
        Location::Http(_) => {
            let s = HttpSettings::from_env()?;
            s.parallel_downloads.min(s.downloads_per_mirror)
        }
    };
    let items: Vec<(&str, ListKind)> = arches
        .iter()
        .flat_map(|a| {
            [
                (a.as_str(), ListKind::Binary),
                (a.as_str(), ListKind::Source),
                (a.as_str(), ListKind::Nevra),
            ]
        })
        .collect();
    let fetch = |&(arch, kind): &(&str, ListKind)| -> Result<Option<Vec<String>>> {
        let name = list_file_name(lists, kind, view, arch);
        let display = loc.display(&name);
        let optional = kind == ListKind::Nevra;
        let missing = || {
            format!(
                "content-resolver publishes no such list (is view '{}' built for {arch}?)",
                view_id(view)
            )
        };
        let path = match &loc {
            Location::Dir(d) => {
                let p = d.join(&name);
                if !p.is_file() && optional {
                    return Ok(None);
                }
                if !p.is_file() {
                    // compose-view's output directory holds the view's lists
                    // only: its view-all-* lists are content-resolver's alone.
                    let runtime = list_file_name(ViewLists::Runtime, kind, view, arch);
                    if matches!(lists, ViewLists::All) && d.join(runtime).is_file() {
                        return Err(Error::format(
                            &display,
                            "no view-all-* lists here, only the view's own (compose-view writes \
                             no view-all-* lists: use --lists runtime)",
                        ));
                    }
                    return Err(Error::format(&display, missing()));
                }
                p
            }
            Location::Http(_) => match fetch_to_cache(&loc, &name, cache) {
                Err(Error::Http { status, .. }) if optional && status == Some(404) => {
                    return Ok(None)
                }
                Err(Error::Http { url, msg, status }) if status == Some(404) => {
                    return Err(Error::Http {
                        url,
                        msg: format!("{msg}: {}", missing()),
                        status,
                    })
                }
                got => got?,
            },
        };
        let f = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        read_list_from(f, &display, Names::Verbatim).map(Some)
    };
    let mut got = at_once(&items, at_a_time, fetch)?.into_iter();
    let mut out = Vec::with_capacity(arches.len());
    while let (Some(binaries), Some(sources), Some(nevras)) = (got.next(), got.next(), got.next()) {
        out.push(ComposeLists {
            binaries: binaries.unwrap_or_default(),
            sources: sources.unwrap_or_default(),
            nevras,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_content_resolvers() {
        assert_eq!(
            list_file_name(ViewLists::Runtime, ListKind::Binary, "view-eln", "x86_64"),
            "view-binary-package-name-list--view-eln--x86_64.txt"
        );
        assert_eq!(
            list_file_name(ViewLists::All, ListKind::Source, "eln", "s390x"),
            "view-all-source-package-name-list--view-eln--s390x.txt"
        );
        assert_eq!(
            list_file_name(ViewLists::Runtime, ListKind::Nevra, "eln", "x86_64"),
            "view-binary-package-list--view-eln--x86_64.txt"
        );
    }

    #[test]
    fn a_directory_is_read_in_place() {
        let d = tempfile::tempdir().unwrap();
        // As content-resolver writes them: sorted, no final newline.
        std::fs::write(
            d.path()
                .join("view-binary-package-name-list--view-eln--x86_64.txt"),
            "bash\nglibc",
        )
        .unwrap();
        std::fs::write(
            d.path()
                .join("view-source-package-name-list--view-eln--x86_64.txt"),
            "bash\nglibc",
        )
        .unwrap();
        let c = d.path().join("cache");
        let base = d.path().to_str().unwrap();
        let got = fetch_compose(base, "view-eln", "x86_64", ViewLists::Runtime, &c).unwrap();
        assert_eq!(got.binaries, ["bash", "glibc"]);
        assert_eq!(got.sources, ["bash", "glibc"]);
        assert_eq!(got.nevras, None, "no NEVRA list: none, no error");
        assert!(!c.exists(), "nothing is cached for a directory");
        // The NEVRA list, placeholders marked, when the output has one.
        std::fs::write(
            d.path()
                .join("view-binary-package-list--view-eln--x86_64.txt"),
            "bash-5.2-1.x86_64\nnewthing-libs-000-placeholder.placeholder",
        )
        .unwrap();
        let got = fetch_compose(base, "view-eln", "x86_64", ViewLists::Runtime, &c).unwrap();
        assert_eq!(
            got.nevras.unwrap(),
            [
                "bash-5.2-1.x86_64",
                "newthing-libs-000-placeholder.placeholder"
            ]
        );
        let e = fetch_compose(base, "view-eln", "aarch64", ViewLists::Runtime, &c)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("view-binary-package-name-list--view-eln--aarch64.txt: content-resolver publishes no such list"),
            "{e}"
        );
        // compose-view's output holds no view-all-* lists: --lists all on it
        // says so, not that the view is not built for the arch.
        let e = fetch_compose(base, "view-eln", "x86_64", ViewLists::All, &c)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "view-all-binary-package-name-list--view-eln--x86_64.txt: no view-all-* lists here"
            ) && e.contains("use --lists runtime"),
            "{e}"
        );
    }
}
