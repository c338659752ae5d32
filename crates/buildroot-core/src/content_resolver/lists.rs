//! content-resolver's list files for a view (`content_resolver/data_generation.py`
//! `_generate_view_lists`), so that a computed view reads like a downloaded
//! one.
//!
//! Per arch, `LIST--VIEW--ARCH.txt` for the runtime lists (a view computed
//! here has no buildroot part, so the `view-all-*` lists would be the same
//! and the `view-buildroot-*` ones empty; neither is written):
//!
//! | file | lines |
//! |---|---|
//! | `view-binary-package-list` | `name-[E:]V-R.arch` (placeholders `NAME-000-placeholder.placeholder`) |
//! | `view-binary-package-nevr-list` | `name-[E:]V-R` |
//! | `view-binary-package-name-list` | binary names |
//! | `view-source-package-list` | source RPM `name-V-R` |
//! | `view-source-package-name-list` | source names |
//!
//! and, when every arch of the view was computed, the same lists over all
//! arches as `LIST--VIEW.txt`. As content-resolver writes them: sorted,
//! one per line, no newline after the last line (an empty list is an empty
//! file). Our addition, in the same shape:
//! `view-unwanted-package-name-list--VIEW--ARCH.txt`, the binaries that an
//! unwanted list names (they are in the lists above too). And per arch the
//! placeholder JSON of content-resolver's earlier releases,
//! `view-placeholder-srpm-details--VIEW--ARCH.json`
//! (`{"SRPM": {"build_requires": [...]}}`, what buildroot-generator's
//! `--placeholders` reads).
//!
//! The directory is replaced as a whole: built beside its place and swapped
//! in, so that a failed or killed run leaves the earlier lists, and lists of
//! another run (an arch not computed this time) do not survive beside a new
//! union. Other views' lists are carried over into the new directory as
//! they were: content-resolver keeps every view's lists side by side, and
//! computing one view must not delete another. It must be new, empty, or
//! hold only such files ([`OUTPUT`]).

use std::collections::BTreeSet;
use std::path::Path;

use super::view::{ArchView, ViewResult};
use crate::atomic::{EarlierOutput, StagedDir};
use crate::error::{Error, Result};

/// The names [`write_lists`] writes start with one of these and `--`.
const LIST_NAMES: [&str; 7] = [
    "view-binary-package-list",
    "view-binary-package-nevr-list",
    "view-binary-package-name-list",
    "view-source-package-list",
    "view-source-package-name-list",
    "view-unwanted-package-name-list",
    "view-placeholder-srpm-details",
];

/// compose-view's output directory: only files [`write_lists`] writes.
pub const OUTPUT: EarlierOutput = EarlierOutput::Names {
    tool: "compose-view",
    ours: is_list_file,
};

/// Only what compose-view writes: content-resolver's own `view-all-*` and
/// `view-buildroot-*` lists mark a downloaded output, not ours to replace.
fn is_list_file(name: &str) -> bool {
    LIST_NAMES
        .iter()
        .any(|l| name.strip_prefix(l).is_some_and(|r| r.starts_with("--")))
}

/// The list files of one arch (or of all arches), in write order.
fn lists(av: &ArchView) -> Vec<(&'static str, BTreeSet<String>)> {
    vec![
        ("view-binary-package-list", av.binary_ids()),
        ("view-binary-package-nevr-list", av.binary_nevrs()),
        ("view-binary-package-name-list", av.binary_names()),
        ("view-source-package-list", av.source_nvrs()),
        ("view-source-package-name-list", av.source_names()),
        ("view-unwanted-package-name-list", av.unwanted_names()),
    ]
}

/// A list as content-resolver writes it.
pub fn list_text(items: &BTreeSet<String>) -> String {
    items
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces `dir` (new, empty or an earlier output: [`OUTPUT`]) by a
/// directory of the view's list files.
pub fn write_lists(dir: &Path, result: &ViewResult) -> Result<()> {
    let stage = StagedDir::replacing(dir, OUTPUT)?;
    let view = &result.view;
    let mut union: Vec<(&'static str, BTreeSet<String>)> = Vec::new();
    for av in &result.arches {
        for (i, (name, items)) in lists(av).into_iter().enumerate() {
            let file = format!("{name}--{view}--{}.txt", av.arch);
            stage.write(&file, list_text(&items).as_bytes())?;
            if union.len() <= i {
                union.push((name, BTreeSet::new()));
            }
            union[i].1.extend(items);
        }
        let details: serde_json::Map<String, serde_json::Value> = av
            .placeholder_srpms
            .iter()
            .map(|(name, br)| (name.clone(), serde_json::json!({ "build_requires": br })))
            .collect();
        let file = format!("view-placeholder-srpm-details--{view}--{}.json", av.arch);
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(details))
            .expect("JSON of strings")
            + "\n";
        stage.write(&file, text.as_bytes())?;
    }
    let computed: BTreeSet<&str> = result.arches.iter().map(|a| a.arch.as_str()).collect();
    if !result.arches.is_empty()
        && result
            .view_arches
            .iter()
            .all(|a| computed.contains(a.as_str()))
    {
        for (name, items) in union {
            stage.write(&format!("{name}--{view}.txt"), list_text(&items).as_bytes())?;
        }
    }
    carry_other_views(dir, stage.path(), view)?;
    stage.commit()
}

/// Whether list file `name` ([`is_list_file`]) is one of `view`'s:
/// `LIST--VIEW--ARCH.txt` (or `.json`), or the union `LIST--VIEW.txt`.
fn of_view(name: &str, view: &str) -> bool {
    let Some(rest) = name.split_once("--").map(|(_, r)| r) else {
        return false;
    };
    match rest.strip_prefix(view) {
        Some(".txt") => true,
        Some(r) => r
            .strip_prefix("--")
            .is_some_and(|arch| !arch.contains("--") && !arch.contains('/')),
        None => false,
    }
}

/// Links (or copies, across file systems) the list files of views other
/// than `view` from the directory `dir` being replaced into `stage`.
fn carry_other_views(dir: &Path, stage: &Path, view: &str) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for e in entries {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !is_list_file(&name) || of_view(&name, view) {
            continue;
        }
        let (from, to) = (e.path(), stage.join(&name));
        std::fs::hard_link(&from, &to)
            .or_else(|_| std::fs::copy(&from, &to).map(drop))
            .map_err(|e| Error::io(&from, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_output_names() {
        assert!(is_list_file(
            "view-binary-package-list--view-eln--x86_64.txt"
        ));
        assert!(is_list_file("view-source-package-name-list--view-eln.txt"));
        assert!(is_list_file(
            "view-placeholder-srpm-details--view-eln--x86_64.json"
        ));
        assert!(!is_list_file(
            "view-all-binary-package-name-list--view-eln.txt"
        ));
        assert!(!is_list_file("view-binary-package-list-old.txt"));
        assert!(!is_list_file("notes.txt"));
    }

    #[test]
    fn every_file_name_a_view_id_goes_into_fits_in_255_bytes() {
        use crate::content_resolver::config::{id_problem, MAX_VIEW_ID};
        use crate::workload::outdir::relations_file_name;
        use crate::workload::published::{list_file_name, ListKind, ViewLists};
        let refused = id_problem(&"v".repeat(MAX_VIEW_ID + 1)).unwrap();
        assert!(
            refused.contains(&format!(" {MAX_VIEW_ID} bytes")),
            "{refused}"
        );
        let mut longest = 0;
        // An id without the `view-` prefix, which some names add.
        for id in [
            "v".repeat(MAX_VIEW_ID),
            format!("view-{}", "v".repeat(MAX_VIEW_ID - 5)),
        ] {
            assert_eq!(id_problem(&id), None);
            for arch in crate::arch::known() {
                let mut names = vec![relations_file_name(&id, arch)];
                for lists in [ViewLists::Runtime, ViewLists::All] {
                    for kind in [ListKind::Binary, ListKind::Source] {
                        names.push(list_file_name(lists, kind, &id, arch));
                    }
                }
                for l in LIST_NAMES {
                    names.push(format!("{l}--{id}--{arch}.json"));
                }
                for n in names {
                    assert!(n.len() <= 255, "{} bytes: {n}", n.len());
                    longest = longest.max(n.len());
                }
            }
        }
        // The limit is no stricter than it must be.
        assert_eq!(longest, 255);
    }
}
