//! Crash-safe writes: every output file is written to a temporary path in
//! the same directory and renamed into place, and whole output directories
//! are built beside the target and swapped in, so a reader (or a killed run)
//! sees the old state or the new one, never half of each.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically (temp file, fsync, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_with(path, |w| w.write_all(bytes))
}

/// Writes `path` atomically with a writer callback.
pub fn write_file_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = parent_of(path);
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        f(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    // Temp files are private (0600); outputs are ordinary files.
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes what a killed run left beside `name`: half-built `.NAME.new-*`
/// directories and `.NAME.old-*` ones a swap did not get to delete.
fn remove_stale(parent: &Path, name: &str) {
    let (new, old) = (format!(".{name}.new-"), format!(".{name}.old-"));
    if let Ok(entries) = fs::read_dir(parent) {
        for e in entries.flatten() {
            let f = e.file_name().to_string_lossy().into_owned();
            if f.starts_with(&new) || f.starts_with(&old) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// A directory being built beside its final place; [`StagedDir::commit`]
/// swaps it in. Dropped without commit, it is removed.
pub struct StagedDir {
    target: PathBuf,
    tmp: Option<tempfile::TempDir>,
}

impl StagedDir {
    /// Starts building a replacement for `target` (created next to it).
    pub fn new(target: &Path) -> Result<StagedDir> {
        let parent = parent_of(target);
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale(&parent, &name);
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}.new-"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            tmp: Some(tmp),
        })
    }

    /// Where to write the new content.
    pub fn path(&self) -> &Path {
        self.tmp.as_ref().expect("staged dir").path()
    }

    /// Writes the file `rel` (a path inside the tree) with a writer
    /// callback, creating its directories. Plainly: no temp file, rename or
    /// fsync of its own, since nobody sees the tree before
    /// [`StagedDir::commit`], which makes all of it durable at once (one
    /// `fsync` per file cost 45 s for a 20k-source output directory; the
    /// commit's one `syncfs` a fraction of a second). Errors name the file
    /// at its final place.
    pub fn write_with(
        &self,
        rel: &str,
        f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = self.path().join(rel);
        let named = |e| Error::io(self.target.join(rel), e);
        if let Some(dir) = Path::new(rel)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            fs::create_dir_all(self.path().join(dir)).map_err(named)?;
        }
        let file = fs::File::create(&path).map_err(named)?;
        let mut w = std::io::BufWriter::new(file);
        f(&mut w).and_then(|()| w.flush()).map_err(named)
    }

    /// [`StagedDir::write_with`] of these bytes.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_with(rel, |w| w.write_all(bytes))
    }

    /// Replaces the target with the staged directory. Where the filesystem
    /// can (Linux `renameat2(RENAME_EXCHANGE)`), the two trees trade places
    /// in one step, so the target name always holds a complete tree even if
    /// the process is killed mid-way; the old tree, now at the staging name,
    /// is removed afterwards (or by the next run, if this one is killed).
    pub fn commit(mut self) -> Result<()> {
        // The tree's contents reach the disk before its name does, so that a
        // crash never leaves the new name on files that were not written out.
        sync_filesystem(self.path()).map_err(|e| Error::io(&self.target, e))?;
        let tmp = self.tmp.take().expect("staged dir").keep();
        // Temp dirs are private (0700); the result is an ordinary directory.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&tmp, e))?;
        let target = &self.target;
        if target.exists() {
            match exchange(&tmp, target) {
                Ok(()) => {
                    sync_dir(&parent_of(target));
                    return fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e));
                }
                Err(e) if exchange_unsupported(&e) => {}
                Err(e) => {
                    let _ = fs::remove_dir_all(&tmp);
                    return Err(Error::io(target, e));
                }
            }
        }
        swap_by_two_renames(&tmp, target)?;
        sync_dir(&parent_of(target));
        Ok(())
    }
}

/// Writes out every dirty page of the filesystem that holds `dir`: one
/// `syncfs(2)` instead of an `fsync` per file of a staged tree.
#[cfg(target_os = "linux")]
fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let d = fs::File::open(dir)?;
    // SAFETY: `d` is an open descriptor for the call's duration.
    match unsafe { libc::syncfs(d.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn sync_filesystem(_: &Path) -> std::io::Result<()> {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    Ok(())
}

/// Makes a rename in `dir` durable (best effort: the swap has happened,
/// and a filesystem that cannot fsync a directory keeps it anyway).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Atomically exchanges two paths (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them
    // relative to the working directory like rename(2).
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

/// Filesystems (or kernels) without RENAME_EXCHANGE answer EINVAL or ENOSYS.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS))
}

/// The portable swap: the old tree is renamed away, the new one renamed in,
/// then the old one removed. Between the two renames the target is missing;
/// only used where RENAME_EXCHANGE is not available.
fn swap_by_two_renames(tmp: &Path, target: &Path) -> Result<()> {
    let parent = parent_of(target);
    let old = if target.exists() {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = tempfile::Builder::new()
            .prefix(&format!(".{name}.old-"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?
            .keep();
        fs::remove_dir(&old).map_err(|e| Error::io(&old, e))?;
        fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
        Some(old)
    } else {
        None
    };
    if let Err(e) = fs::rename(tmp, target) {
        // Put the old tree back so the target is never missing for long.
        if let Some(old) = &old {
            let _ = fs::rename(old, target);
        }
        let _ = fs::remove_dir_all(tmp);
        return Err(Error::io(target, e));
    }
    if let Some(old) = old {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_dir_replacement() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("a/b.txt");
        write_file(&f, b"one").unwrap();
        write_file(&f, b"two").unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"two");
        let d = t.path().join("out");
        for round in ["1", "2"] {
            let s = StagedDir::new(&d).unwrap();
            fs::write(s.path().join("x"), round).unwrap();
            s.commit().unwrap();
            assert_eq!(fs::read_to_string(d.join("x")).unwrap(), round);
        }
        // An uncommitted stage leaves the target alone and cleans up.
        let s = StagedDir::new(&d).unwrap();
        fs::write(s.path().join("x"), "3").unwrap();
        drop(s);
        assert_eq!(fs::read_to_string(d.join("x")).unwrap(), "2");
        let leftovers: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn two_rename_fallback_replaces_too() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("x"), "old").unwrap();
        let new = t.path().join(".out.new-1");
        fs::create_dir(&new).unwrap();
        fs::write(new.join("x"), "new").unwrap();
        swap_by_two_renames(&new, &d).unwrap();
        assert_eq!(fs::read_to_string(d.join("x")).unwrap(), "new");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }
}
