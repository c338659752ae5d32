//! Files for tests: copies of fixture trees that a test may change.

use std::path::Path;

/// Copies a directory tree; with `times`, each file keeps its modification
/// time (a mirror with the same files).
pub fn copy_tree(from: &Path, to: &Path, times: bool) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            continue;
        }
        std::fs::copy(e.path(), &dest).unwrap();
        if times {
            let f = std::fs::File::options().append(true).open(&dest).unwrap();
            f.set_modified(e.metadata().unwrap().modified().unwrap())
                .unwrap();
        }
    }
}
