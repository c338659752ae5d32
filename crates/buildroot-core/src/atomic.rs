//! Crash-safe writes: every output file is written to a temporary path in
//! the same directory and renamed into place, and whole output directories
//! are built beside the target and swapped in, so a reader (or a killed run)
//! sees the old state or the new one, never half of each.
//!
//! A file path that is not a name for a regular file is written through,
//! not replaced: a device, a FIFO or a socket (`-o /dev/null`, a named
//! pipe), and `/proc/self/fd/N` or `/dev/stdout`, which name an open file
//! rather than a file name. A symlink to a regular file stays a symlink; the
//! file it points to is replaced.
//!
//! What an interrupted run was building does not stay: SIGINT, SIGTERM and
//! SIGHUP remove it (`on_signal`), and stages a SIGKILL left beside an output are
//! removed by the next run into it, while a live run's stage is left alone
//! (`stage_lock`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, OutputDirProblem, Result};

mod on_signal;
mod stage_lock;

pub(crate) use on_signal::{wait_if_interrupted, Registered};

/// A temp file in `dir` (tempfile's `.tmpXXXXXX` names, as downloads and
/// their checked copies use), made by `create` (given its path; an
/// `AlreadyExists` error tries another name) and registered with the
/// signal watcher as it is made: SIGINT, SIGTERM or SIGHUP removes it, however
/// close to its making the signal comes (`on_signal::register_made`).
/// The registration is the caller's to let go once the file is renamed
/// into place or removed.
pub(crate) fn temp_removed_on_signal<R>(
    dir: &Path,
    create: impl FnMut(&Path) -> std::io::Result<R>,
) -> std::io::Result<(tempfile::NamedTempFile<R>, Registered)> {
    registered_temp(dir, ".tmp", create)
}

/// [`temp_removed_on_signal`] of names starting with `prefix` (`.tmp`,
/// tempfile's, for downloads; `.tmp-` for the atomic writes).
fn registered_temp<R>(
    dir: &Path,
    prefix: &str,
    mut create: impl FnMut(&Path) -> std::io::Result<R>,
) -> std::io::Result<(tempfile::NamedTempFile<R>, Registered)> {
    let mut registered = None;
    let tmp = tempfile::Builder::new()
        .prefix(prefix)
        .make_in(dir, |path| {
            let (made, r) = on_signal::register_made(path, || create(path))?;
            registered = Some(r);
            Ok(made)
        })?;
    Ok((tmp, registered.expect("a temp file made is registered")))
}

use stage_lock::remove_stale;

/// Writes `bytes` to `path` atomically (temp file, fsync, rename).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file_with(path, |w| w.write_all(bytes))
}

/// Writes `path` atomically with a writer callback (or straight into it,
/// if it is not a name for a regular file: see the module's doc).
pub fn write_file_with(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match destination(path) {
        Destination::Through => write_through(path, f),
        Destination::Fd(fd) => write_to_fd(path, fd, f),
        Destination::Replace(real) => replace_file(path, &real, f),
    }
}

/// Where the bytes of a write to a path go.
#[derive(Debug, PartialEq)]
enum Destination {
    /// Into the existing file itself, opened for writing.
    Through,
    /// Into one of this process's open descriptors (`/dev/stdout`,
    /// `/dev/fd/N`, `/proc/self/fd/N`), through a duplicate as a shell's
    /// `>/dev/stdout` does: it shares the descriptor's offset and append
    /// mode, and reaches a socket, which cannot be opened by name (a systemd
    /// unit's stdout to the journal).
    Fd(i32),
    /// Into a new file renamed over this path (the end of the path's
    /// symlinks, so that they stay symlinks).
    Replace(PathBuf),
}

/// Follows `path`'s symlinks to decide where a write goes. A link found in
/// `/proc` (`/dev/stdout` -> `/proc/self/fd/1`) stands for an open file, a
/// pipe, a terminal or a file the shell opened, and renaming over the name
/// it leads to would write past the reader; a device, a FIFO or a socket
/// cannot be replaced by a file without breaking it.
fn destination(path: &Path) -> Destination {
    let mut cur = path.to_path_buf();
    // The kernel's limit of symlinks in one lookup; a loop ends there and the
    // rename reports nothing worse than replacing the last link.
    for _ in 0..40 {
        if !fs::symlink_metadata(&cur).is_ok_and(|m| m.is_symlink()) {
            break;
        }
        // Before reading the link: another process's may not be readable.
        if in_proc(&cur) {
            return own_fd(&cur).map_or(Destination::Through, Destination::Fd);
        }
        let Ok(target) = fs::read_link(&cur) else {
            break;
        };
        cur = parent_of(&cur).join(target);
    }
    match fs::metadata(&cur) {
        Ok(m) if !m.is_file() && !m.is_dir() => Destination::Through,
        _ => Destination::Replace(cur),
    }
}

/// Whether `link` lies in procfs (its directory resolves into `/proc`, as
/// `/dev/fd/1` does through `/dev/fd` -> `/proc/self/fd`).
fn in_proc(link: &Path) -> bool {
    fs::canonicalize(parent_of(link)).is_ok_and(|d| d.starts_with("/proc"))
}

/// The descriptor number `link` stands for, if it is one of this
/// process's (`/proc/self/fd/N`, also reached as `/dev/fd/N`).
fn own_fd(link: &Path) -> Option<i32> {
    let ours = fs::canonicalize("/proc/self/fd").ok()?;
    if fs::canonicalize(parent_of(link)).ok()? != ours {
        return None;
    }
    link.file_name()?.to_str()?.parse().ok()
}

/// Writes into a duplicate of this process's descriptor `fd`.
fn write_to_fd(
    path: &Path,
    fd: i32,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    use std::os::fd::FromRawFd;
    // SAFETY: fcntl checks `fd`; a new descriptor is owned by the File.
    let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if dup < 0 {
        return Err(Error::io(path, std::io::Error::last_os_error()));
    }
    // SAFETY: `dup` is a fresh descriptor nothing else owns.
    let file = unsafe { fs::File::from_raw_fd(dup) };
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| Error::io(path, e))
}

/// Writes into the existing file at `path`. Appending: through another
/// process's `/proc/PID/fd/N` that is the least harm to a file it writes,
/// and into a device, a FIFO or a socket it is the same as writing.
fn write_through(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let file = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| Error::io(path, e))
}

/// Writes a temp file beside `real` (the path with its symlinks followed) and
/// renames it over `real`; errors name `path`, the name the user gave.
fn replace_file(
    path: &Path,
    real: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let dir = parent_of(real);
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    // Registered as it is made: a signal finds it registered, or ends the
    // run before it exists (made first and registered after, a signal in
    // between left it until a later run's sweep). Let go only once
    // `write_temp` has renamed or removed it.
    let (tmp, registered) =
        registered_temp(&dir, ".tmp-", new_private_file).map_err(|e| Error::io(&dir, e))?;
    let written = write_temp(tmp, path, real, f);
    drop(registered);
    written
}

/// [`replace_file`]'s writing of `tmp` and its rename over `real`; `tmp`
/// is removed when either fails. After a signal, the rename waits for the
/// watcher to end the run instead: a signal during the rename finds the
/// temp file, which it removes, or the whole file in place.
fn write_temp(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    real: &Path,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        f(&mut w).map_err(|e| Error::io(path, e))?;
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    // Temp files are private (0600); outputs are ordinary files.
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(real)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    wait_if_interrupted();
    tmp.persist(real).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Creates the file `path`, which must not exist, for reading and writing,
/// mode 0600 (tempfile's own; [`replace_file`] gives the output its mode
/// before the rename).
fn new_private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

pub(crate) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Removes what killed runs left beside `target` (`remove_stale`), for a
/// run that finds `target` up to date and so builds no stage of its own
/// (whose creation would have swept them).
pub fn remove_stale_stages(target: &Path) {
    if let Some(name) = target.file_name() {
        remove_stale(&parent_of(target), &name.to_string_lossy());
    }
}

/// How a tool knows its own earlier output in a directory it replaces whole
/// ([`check_output_dir`]).
#[derive(Clone, Copy, Debug)]
pub enum EarlierOutput {
    /// Every output of the tool holds this file.
    Marker(&'static str),
    /// Every entry of an output, at any depth, is one the tool writes,
    /// which `ours` tells by its path in the output: `x86_64.txt`, a
    /// directory as `content-resolver/`, a file in it as
    /// `content-resolver/LIST.txt` (`tool` names the tool in the error).
    Names {
        /// The tool, for the error.
        tool: &'static str,
        /// Whether the tool writes an entry of that path.
        ours: fn(&str) -> bool,
    },
}

/// What a directory a tool is about to fill (and prune, or replace) holds:
/// None when it does not exist, else its metadata and its entries' names,
/// sorted. A path that exists and is no directory is refused. The first
/// step of every guard against a user's directory named by mistake
/// ([`check_output_dir`], the SRPM cache, create-srpm-repos' `--out`).
pub(crate) fn existing_entries(dir: &Path) -> Result<Option<(fs::Metadata, Vec<String>)>> {
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !meta.is_dir() {
        return Err(Error::OutputDir {
            path: dir.to_path_buf(),
            problem: OutputDirProblem::NotADirectory,
        });
    }
    let mut names = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        names.push(e.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(Some((meta, names)))
}

/// Checks that `dir` may be replaced by an output tree: it does not exist,
/// is empty, or is an earlier output. The whole directory is swapped, so
/// anything else in it would be lost; a user's directory named by mistake
/// is refused instead.
pub fn check_output_dir(dir: &Path, earlier: EarlierOutput) -> Result<()> {
    let Some((meta, names)) = existing_entries(dir)? else {
        return Ok(());
    };
    let refuse = |problem| {
        Err(Error::OutputDir {
            path: dir.to_path_buf(),
            problem,
        })
    };
    if let (Ok(real), Ok(cwd)) = (fs::canonicalize(dir), std::env::current_dir()) {
        if cwd.starts_with(&real) {
            return refuse(OutputDirProblem::HoldsWorkingDirectory);
        }
        if is_mount_point(&real, &meta) {
            return refuse(OutputDirProblem::MountPoint);
        }
    }
    match earlier {
        _ if names.is_empty() => Ok(()),
        EarlierOutput::Marker(marker) if dir.join(marker).is_file() => Ok(()),
        EarlierOutput::Marker(marker) => refuse(OutputDirProblem::NotAnEarlierOutput { marker }),
        EarlierOutput::Names { tool, ours } => match not_ours(dir, "", names, ours)? {
            None => Ok(()),
            Some(entry) => refuse(OutputDirProblem::HoldsOtherFiles { tool, entry }),
        },
    }
}

/// The first of `names` (the entries of `dir`, at `prefix` in the output)
/// that `ours` does not take, looking into the directories it takes: a
/// directory of the tool's own name may hold a user's files, lost when the
/// output is replaced whole.
fn not_ours(
    dir: &Path,
    prefix: &str,
    names: Vec<String>,
    ours: fn(&str) -> bool,
) -> Result<Option<String>> {
    for n in names {
        let path = dir.join(&n);
        let is_dir = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let rel = format!("{prefix}{n}");
        if !ours(&if is_dir {
            format!("{rel}/")
        } else {
            rel.clone()
        }) {
            return Ok(Some(rel));
        }
        if is_dir {
            let Some((_, inner)) = existing_entries(&path)? else {
                continue;
            };
            if let Some(entry) = not_ours(&path, &format!("{rel}/"), inner, ours)? {
                return Ok(Some(entry));
            }
        }
    }
    Ok(None)
}

/// Whether `dir` (canonical, of metadata `meta`) is a mount point: its
/// device differs from its parent's. rename(2) cannot move a mount point
/// (EBUSY), so a directory there cannot be swapped whole; said before the
/// work rather than after it. (A bind mount of the same file system is not
/// seen here; its swap fails with that EBUSY.)
fn is_mount_point(dir: &Path, meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    match dir.parent().map(fs::metadata) {
        Some(Ok(parent)) => parent.dev() != meta.dev(),
        _ => false,
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
    use std::os::unix::fs::FileTypeExt;

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
    fn symlink_to_a_file_stays_a_symlink() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir(t.path().join("real")).unwrap();
        fs::write(t.path().join("real/f"), "old").unwrap();
        let link = t.path().join("link");
        std::os::unix::fs::symlink("real/f", &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read(t.path().join("real/f")).unwrap(), b"new");
        // The temp file went beside the target, and is gone.
        assert_eq!(fs::read_dir(t.path().join("real")).unwrap().count(), 1);
        // A dangling link gets its target created.
        std::os::unix::fs::symlink("real/g", t.path().join("dangling")).unwrap();
        write_file(&t.path().join("dangling"), b"g").unwrap();
        assert_eq!(fs::read(t.path().join("real/g")).unwrap(), b"g");
    }

    #[test]
    fn fifo_is_written_through() {
        let t = tempfile::tempdir().unwrap();
        let fifo = t.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_file(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1, "temp file left");
    }

    #[test]
    fn destinations() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("f");
        assert_eq!(destination(&f), Destination::Replace(f.clone()));
        // /dev/stdout's shape: a link to an open file, whatever it is.
        let out = t.path().join("stdout");
        std::os::unix::fs::symlink("/proc/self/fd/1", &out).unwrap();
        assert_eq!(destination(&out), Destination::Fd(1));
        assert_eq!(destination(Path::new("/dev/fd/2")), Destination::Fd(2));
        // Another process's descriptor is opened by name.
        let mut child = std::process::Command::new("sleep")
            .arg("10")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let theirs = PathBuf::from(format!("/proc/{}/fd/0", child.id()));
        assert_eq!(destination(&theirs), Destination::Through);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(destination(Path::new("/dev/null")), Destination::Through);
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
