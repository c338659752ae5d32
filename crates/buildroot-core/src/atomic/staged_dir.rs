//! An output directory built beside its final place and swapped in whole
//! ([`StagedDir`]): Linux `renameat2(RENAME_EXCHANGE)` where the file system
//! has it, else two renames with the old tree put back on failure. What
//! killed runs left beside it is swept (`stage_lock`), a live run's stage
//! never. No single upstream function (createrepo_c builds `.repodata/` and
//! renames it over `repodata/` the same way).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::output_dir::{check_output_dir, EarlierOutput};
use super::stage_lock::{self, remove_stale};
use super::{on_signal, parent_of};
use crate::error::{Error, Result};

/// Removes what killed runs left beside `target` (`remove_stale`), for a
/// run that finds `target` up to date and so builds no stage of its own
/// (whose creation would have swept them).
pub fn remove_stale_stages(target: &Path) {
    if let Some(name) = target.file_name() {
        remove_stale(&parent_of(target), &name.to_string_lossy());
    }
}

/// A directory being built beside its final place; [`StagedDir::commit`]
/// swaps it in. Dropped without commit, it is removed.
pub struct StagedDir {
    target: PathBuf,
    tmp: Option<tempfile::TempDir>,
    /// The stage's lock: a concurrent run's sweep leaves it alone.
    _lock: Option<fs::File>,
    /// Removed on SIGINT/SIGTERM/SIGHUP from its making until the swap, and after
    /// it the old tree the swap put at its name. Declared after `tmp`, so
    /// a stage dropped uncommitted is removed before it is let go.
    registered: on_signal::Registered,
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
        let (tmp, lock, registered) = stage_lock::create_locked(&parent, &name)?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            tmp: Some(tmp),
            _lock: lock,
            registered,
        })
    }

    /// Starts replacing the output directory `dir` whole, once
    /// [`check_output_dir`] allows it. The stage is built beside the real
    /// path: `.` or `out/..` have no name of their own to swap.
    pub fn replacing(dir: &Path, earlier: EarlierOutput) -> Result<StagedDir> {
        check_output_dir(dir, earlier)?;
        let real = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        StagedDir::new(&real)
    }

    /// The directory the stage replaces.
    pub fn target(&self) -> &Path {
        &self.target
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
        // Interrupted: the stage is being removed; add nothing to it.
        on_signal::wait_if_interrupted();
        let path = self.path().join(rel);
        let named = |e| Error::io(self.target.join(rel), e);
        // The directories below the stage, one by one: never the stage
        // itself, which a signal's cleanup may have removed meanwhile (it
        // must not come back, half-built, after the process is gone).
        let mut dir = self.path().to_path_buf();
        let parents: Vec<_> = Path::new(rel)
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .collect();
        for c in parents {
            dir.push(c);
            match fs::create_dir(&dir) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(named(e)),
                _ => {}
            }
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
    /// The stage stays registered with the signal watcher through the swap
    /// and that removal; the swap itself is made under the watcher's lock
    /// (`on_signal::Registered::rename`), so a signal finds the new tree
    /// at the stage's name or whole at the target's, never half-moved.
    pub fn commit(mut self) -> Result<()> {
        // The tree's contents reach the disk before its name does, so that a
        // crash never leaves the new name on files that were not written out.
        sync_filesystem(self.path()).map_err(|e| Error::io(&self.target, e))?;
        let tmp = self.tmp.take().expect("staged dir").keep();
        let registered = Some(&self.registered);
        // Temp dirs are private (0700); the result is an ordinary directory.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io(&tmp, e))?;
        let target = &self.target;
        if target.exists() {
            match moved_in(registered, || exchange(&tmp, target)) {
                Ok(()) => {
                    sync_dir(&parent_of(target));
                    // The old tree; a concurrent run's sweep may be removing
                    // it too, and what is left the next run removes.
                    let _ = fs::remove_dir_all(&tmp);
                    return Ok(());
                }
                Err(e) if exchange_unsupported(&e) => {}
                Err(e) => {
                    let _ = fs::remove_dir_all(&tmp);
                    return Err(Error::io(target, e));
                }
            }
        }
        swap_by_two_renames(&tmp, target, registered)?;
        sync_dir(&parent_of(target));
        Ok(())
    }
}

/// Moves a stage into place with `rename`: under the signal watcher's lock
/// when it is `registered` with it (`on_signal::Registered::rename`).
fn moved_in<T>(registered: Option<&on_signal::Registered>, rename: impl FnOnce() -> T) -> T {
    match registered {
        Some(r) => r.rename(rename),
        None => rename(),
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
/// only used where RENAME_EXCHANGE is not available. `registered`: the
/// stage's registration with the signal watcher, if it has one; see
/// [`swap_aside`].
fn swap_by_two_renames(
    tmp: &Path,
    target: &Path,
    registered: Option<&on_signal::Registered>,
) -> Result<()> {
    let (old, old_registered) = swap_aside(tmp, target, registered);
    match old {
        Ok(Some(old)) => {
            let removed = fs::remove_dir_all(&old.path);
            if removed.is_err() {
                // The watcher may be removing it too: the signal ends the
                // run, not this error.
                on_signal::wait_if_interrupted();
            }
            drop(old_registered);
            removed.map_err(|e| Error::io(&old.path, e))
        }
        Ok(None) => Ok(()),
        Err(e) => {
            let _ = fs::remove_dir_all(tmp);
            Err(e)
        }
    }
}

/// The two renames of [`swap_by_two_renames`], in one hold of the signal
/// watcher's lock when the stage is `registered` with it, so that a signal
/// never ends the run between them; the old tree they leave beside the
/// target is registered in that hold too (the registration returned), so
/// that a signal before its removal removes it as well.
fn swap_aside(
    tmp: &Path,
    target: &Path,
    registered: Option<&on_signal::Registered>,
) -> (Result<Option<Aside>>, Option<on_signal::Registered>) {
    let swap = || {
        let old = if target.exists() {
            Some(move_aside(target)?)
        } else {
            None
        };
        move_in(tmp, target, old)
    };
    let aside = |old: &Result<Option<Aside>>| match old {
        Ok(Some(a)) => Some(a.path.clone()),
        _ => None,
    };
    match registered {
        Some(r) => r.rename_leaving(swap, aside),
        None => (swap(), None),
    }
}

/// The old tree of a two-rename swap, at a `.NAME.old-*` name until the new
/// tree is in. The name is the one a killed swap leaves, which sweeps
/// remove; this tree's lock keeps a concurrent run's sweep from removing it
/// before it is put back (if the new tree cannot be moved in) or removed.
struct Aside {
    path: PathBuf,
    _lock: Option<fs::File>,
}

/// Renames `target` to a new `.NAME.old-*` name beside it, locked first so
/// that it is never there unlocked. The name is made by the rename itself,
/// not by an empty directory made and removed first: a sweep could lock
/// that one and then remove the name, the old tree by then.
fn move_aside(target: &Path) -> Result<Aside> {
    let parent = parent_of(target);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock = stage_lock::lock_in_place(target);
    let (_, path) = tempfile::Builder::new()
        .prefix(&format!(".{name}.old-"))
        .make_in(&parent, |p| fs::rename(target, p))
        .map_err(|e| Error::io(target, e))?
        .keep()
        .map_err(|e| Error::io(target, e.error))?;
    Ok(Aside { path, _lock: lock })
}

/// The second rename: `tmp` to `target`; if it fails, the old tree is put
/// back. The old tree, once the new one is in, is the caller's to remove.
fn move_in(tmp: &Path, target: &Path, old: Option<Aside>) -> Result<Option<Aside>> {
    if let Err(e) = fs::rename(tmp, target) {
        // Put the old tree back so the target is never missing for long.
        if let Some(old) = &old {
            let _ = fs::rename(&old.path, target);
        }
        return Err(Error::io(target, e));
    }
    Ok(old)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic::write_file;

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
    fn stale_stages_are_swept_but_not_a_live_one() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        // What a killed run leaves (no process holds its lock).
        fs::create_dir_all(t.path().join(".out.new-killed/x")).unwrap();
        fs::create_dir(t.path().join(".out.old-killed")).unwrap();
        fs::create_dir(t.path().join(".other.new-killed")).unwrap();
        let live = StagedDir::new(&d).unwrap();
        let s = StagedDir::new(&d).unwrap();
        assert!(live.path().is_dir(), "a live run's stage was removed");
        let mut left: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with("-killed"))
            .collect();
        left.sort();
        assert_eq!(left, [".other.new-killed"], "another output's is its own");
        s.commit().unwrap();
        drop(live);
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 2);
    }

    #[test]
    fn concurrent_runs_never_sweep_a_live_stage() {
        // Each new stage sweeps its output's stale ones; two runs into the
        // same output must never take each other's stage, however their
        // creation, locking and sweeping interleave.
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        let run = || {
            for i in 0..400 {
                let s = StagedDir::new(&d).unwrap();
                s.write("x", b"x")
                    .unwrap_or_else(|e| panic!("round {i}: {e}"));
            }
        };
        std::thread::scope(|sc| {
            sc.spawn(run);
            sc.spawn(run);
            sc.spawn(|| {
                for _ in 0..2000 {
                    remove_stale_stages(&d);
                }
            });
        });
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
        swap_by_two_renames(&new, &d, None).unwrap();
        assert_eq!(fs::read_to_string(d.join("x")).unwrap(), "new");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }

    /// The old tree a two-rename swap moves aside is registered with the
    /// signal watcher in the hold of its lock that moves it, and let go once
    /// removed: a signal right after the swap removes it too (it was left to
    /// the next run's sweep). Nothing is registered when there was no old
    /// tree.
    #[test]
    fn the_old_tree_of_a_two_rename_swap_is_registered_as_it_is_moved_aside() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("x"), "old").unwrap();
        let s = StagedDir::new(&d).unwrap();
        s.write("x", b"new").unwrap();
        let stage = s.path().to_path_buf();
        let (old, left) = swap_aside(&stage, &d, Some(&s.registered));
        let old = old.unwrap().expect("the old tree, moved aside");
        assert_eq!(fs::read_to_string(old.path.join("x")).unwrap(), "old");
        assert_eq!(fs::read_to_string(d.join("x")).unwrap(), "new");
        assert!(
            on_signal::is_registered(&old.path),
            "the old tree at {} is not registered",
            old.path.display()
        );
        fs::remove_dir_all(&old.path).unwrap();
        drop(left);
        assert!(!on_signal::is_registered(&old.path), "let go once removed");
        drop(s);
        // A first swap: no old tree, nothing more registered.
        let d2 = t.path().join("first");
        let s = StagedDir::new(&d2).unwrap();
        let stage = s.path().to_path_buf();
        let (old, left) = swap_aside(&stage, &d2, Some(&s.registered));
        assert!(old.unwrap().is_none() && left.is_none());
        assert!(d2.is_dir());
    }

    #[test]
    fn two_rename_fallback_puts_back_an_old_tree_a_sweep_came_upon() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        fs::create_dir(&d).unwrap();
        fs::write(d.join("x"), "old").unwrap();
        let old = move_aside(&d).unwrap();
        assert!(!d.exists());
        // A concurrent run's sweep between the two renames leaves it alone.
        remove_stale_stages(&d);
        assert_eq!(fs::read_to_string(old.path.join("x")).unwrap(), "old");
        // The new tree cannot be moved in: the old one is put back.
        let gone = t.path().join(".out.new-gone");
        assert!(move_in(&gone, &d, Some(old)).is_err());
        assert_eq!(fs::read_to_string(d.join("x")).unwrap(), "old");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }
}
