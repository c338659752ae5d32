//! What one create-srpm-repos run changed in its output directory, so a
//! failed run (full disk, a bad SRPM found half-way) can take it back:
//! SRPMs it added are removed, SRPMs it replaced are restored from a
//! hard-linked backup, and a directory it created is removed whole.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The changes of one run in `dir` (shared by the parallel workers).
pub(super) struct Journal {
    dir: PathBuf,
    created_dir: bool,
    /// (file, backup of its previous contents if it existed).
    changes: Mutex<Vec<(PathBuf, Option<PathBuf>)>>,
}

impl Journal {
    /// Starts a run in `dir`, creating it if needed.
    pub fn open(dir: &Path) -> Result<Journal> {
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            created_dir,
            changes: Mutex::new(Vec::new()),
        })
    }

    /// Call before `dest` is replaced or created: keeps its old contents.
    pub fn before_write(&self, dest: &Path) -> Result<()> {
        let backup = if dest.exists() {
            let name = dest.file_name().unwrap_or_default().to_string_lossy();
            let b = dest.with_file_name(format!(".tmp-prev-{name}"));
            let _ = std::fs::remove_file(&b);
            std::fs::hard_link(dest, &b).map_err(|e| Error::io(&b, e))?;
            Some(b)
        } else {
            None
        };
        self.changes
            .lock()
            .expect("journal lock")
            .push((dest.to_path_buf(), backup));
        Ok(())
    }

    /// The run succeeded: drops the backups.
    pub fn commit(self) {
        for (_, backup) in self.changes.into_inner().expect("journal lock") {
            if let Some(b) = backup {
                let _ = std::fs::remove_file(b);
            }
        }
    }

    /// The run failed: puts the directory back as it was (best effort;
    /// the error that made the run fail is the one to report).
    pub fn roll_back(self) {
        if self.created_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
            return;
        }
        for (dest, backup) in self.changes.into_inner().expect("journal lock") {
            match backup {
                Some(b) => {
                    let _ = std::fs::rename(&b, &dest);
                }
                None => {
                    let _ = std::fs::remove_file(&dest);
                }
            }
        }
        super::repos::remove_debris(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(j: &Journal, p: &Path, text: &str) {
        j.before_write(p).unwrap();
        crate::atomic::write_file(p, text.as_bytes()).unwrap();
    }

    #[test]
    fn roll_back_restores_replaced_and_removes_added_files() {
        let t = tempfile::tempdir().unwrap();
        let (old, new) = (t.path().join("a.src.rpm"), t.path().join("b.src.rpm"));
        std::fs::write(&old, "old").unwrap();
        let j = Journal::open(t.path()).unwrap();
        replace(&j, &old, "changed");
        replace(&j, &new, "added");
        j.roll_back();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    #[test]
    fn commit_keeps_the_changes_and_drops_backups() {
        let t = tempfile::tempdir().unwrap();
        let old = t.path().join("a.src.rpm");
        std::fs::write(&old, "old").unwrap();
        let j = Journal::open(t.path()).unwrap();
        replace(&j, &old, "changed");
        j.commit();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "changed");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    }

    #[test]
    fn roll_back_removes_a_directory_it_created() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("new");
        let j = Journal::open(&dir).unwrap();
        replace(&j, &dir.join("a.src.rpm"), "x");
        j.roll_back();
        assert!(!dir.exists());
    }
}
