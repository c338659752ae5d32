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
