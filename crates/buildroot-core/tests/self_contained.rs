//! The project's docs and comments cite only what a clone has: no path into
//! the reference material its authors had beside it.

use std::path::Path;

#[test]
fn nothing_cites_the_reference_material() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let needle = concat!("shared", "/reference");
    let mut hits = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !matches!(
                    name.as_str(),
                    "target" | ".git" | "work" | "bench-data" | "corpus" | "artifacts"
                ) {
                    stack.push(p);
                }
                continue;
            }
            let text_like = ["rs", "md", "sh", "py", "toml", "conf", "txt", "yml"]
                .iter()
                .any(|x| name.ends_with(&format!(".{x}")))
                || name == "Makefile"
                || name == "run";
            // DEVELOPERS.md is the team's working guide, not project documentation: it
            // points its readers at material beside the checkout on purpose.
            if text_like && name != "DEVELOPERS.md" {
                if let Ok(text) = std::fs::read_to_string(&p) {
                    if text.contains(needle) {
                        hits.push(p.strip_prefix(&root).unwrap().display().to_string());
                    }
                }
            }
        }
    }
    assert!(hits.is_empty(), "cite docs/ instead: {hits:?}");
}

/// The numbered sections of docs/formats.md (`## 9a. ...`), in order.
fn formats_sections(text: &str) -> Vec<String> {
    let heading = regex::Regex::new(r"^## ([0-9]+[a-z]?)\. ").unwrap();
    text.lines()
        .filter_map(|l| heading.captures(l).map(|c| c[1].to_string()))
        .collect()
}

/// Every file a user or a developer reads for a citation: the docs, README and the sources.
fn citing_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut stack = vec![root.join("docs"), root.join("crates"), root.join("scripts")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                if e.file_name() != "target" {
                    stack.push(p);
                }
            } else if p
                .extension()
                .is_some_and(|x| x == "md" || x == "rs" || x == "sh" || x == "py")
            {
                files.push(p);
            }
        }
    }
    files
}

/// "formats.md section 9a" (or "§9a", "formats.md 10a") names a section formats.md has, and
/// formats.md's own "section N" too: a renumbered section leaves no reader looking for a
/// number that is gone.
#[test]
fn every_formats_section_cited_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let formats = std::fs::read_to_string(root.join("docs/formats.md")).unwrap();
    let sections = formats_sections(&formats);
    assert!(sections.len() > 20, "{sections:?}");
    // Elsewhere a citation names the file; formats.md cites its own sections bare. Text may
    // wrap between the words, and Markdown puts the file name in backticks.
    let elsewhere = regex::Regex::new(
        r"formats\.md`?,?\s+(?:section\s+|§\s?)?([0-9]+[a-z]?)\b|formats\.md\s+§([0-9]+[a-z]?)",
    )
    .unwrap();
    let own = regex::Regex::new(r"\bsections?\s+([0-9]+[a-z]?)\b").unwrap();
    let mut bad = Vec::new();
    for p in citing_files(&root) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let is_formats = p.ends_with("docs/formats.md");
        let re = if is_formats { &own } else { &elsewhere };
        for c in re.captures_iter(&text) {
            let n = c.get(1).or_else(|| c.get(2)).unwrap().as_str();
            if !sections.iter().any(|s| s == n) {
                let line = text[..c.get(0).unwrap().start()].lines().count();
                bad.push(format!("{}:{line}: {}", p.display(), &c[0]));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "no such section of docs/formats.md: {bad:#?}"
    );
}

/// formats.md's contents line lists every numbered section, in order, so a reader told
/// "section 9a" finds it from the top of a long file.
#[test]
fn formats_contents_lists_every_section() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let formats = std::fs::read_to_string(root.join("docs/formats.md")).unwrap();
    let start = formats
        .find("\nSections: ")
        .expect("docs/formats.md has a 'Sections: ' contents paragraph");
    let para = &formats[start + 1..];
    let para = &para[..para.find("\n\n").unwrap_or(para.len())];
    let entry = regex::Regex::new(r"(?:^Sections:|;)\s+([0-9]+[a-z]?)\s").unwrap();
    let listed: Vec<String> = entry
        .captures_iter(para)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(
        listed,
        formats_sections(&formats),
        "the contents paragraph: {para}"
    );
}
