//! An SRPM's payload files by base name, as a spec being read opens them
//! (`%include`, `%{load:}`, `%{exists:}`, Lua's `io.open`, `rpm.load`,
//! `posix.stat`): what rpm's `rpmInstallSource` unpacks into
//! `%{_sourcedir}` for `rpmbuild --rebuild`, answered without holding the
//! payload in memory.
//!
//! The first question streams the payload once ([`super::for_each_payload_file`])
//! and keeps the bytes of the files a spec plausibly reads whole, those of
//! at most [`SMALL_SOURCE_FILE`], and of the file asked for whatever its
//! size (handed out, not kept); of every bigger file only its name and
//! size are kept. A later question about a big file's bytes streams the
//! payload again for that file alone. An SRPM of a few GB of tarballs then
//! costs a spec that reads its 2 KB macro file about 1 MiB, not the
//! tarballs.
//!
//! The answers are those of the whole payload read into a map by base
//! name: a file the header lists and the payload lacks (`NoSource:`) is
//! none; of two files with one base name the later in the payload wins; an
//! unreadable payload (truncated, corrupt) answers none for every name.
//! One difference: each pass opens the file anew, so an SRPM replaced
//! between passes answers a big file from the new one (the SRPM cache
//! keeps no answer of a file whose stamp changed meanwhile, and none at
//! all when a later pass failed: [`PayloadSources::readable`]).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use super::payload_base_name as base_name;
use crate::error::Result;

/// The largest payload file whose bytes the first pass keeps. rpm reads an
/// `%include`d or `%{load:}`ed file whole, so the files a spec opens while
/// it is read are small text: Fedora's are macro files, lists of
/// sub-packages or arches and Lua helpers of a few KB. 1 MiB is far above
/// them and far below a tarball; a bigger file asked for is still
/// answered, from a pass of its own.
pub const SMALL_SOURCE_FILE: usize = 1 << 20;

/// The payload files of one SRPM, read on first use (see the module doc).
pub struct PayloadSources {
    path: PathBuf,
    /// The largest file kept: [`SMALL_SOURCE_FILE`] (smaller in tests).
    keep_up_to: usize,
    /// What the first pass kept; `None`: the payload could not be read.
    index: OnceLock<Option<Index>>,
    /// A later pass, for a big file's bytes, failed (the file was
    /// replaced or damaged meanwhile): its answer, none, is not the
    /// payload's, and [`Self::readable`] says so.
    later_failed: AtomicBool,
    /// The passes over the payload made (a test's view of the cost).
    #[cfg(test)]
    pub(super) passes: std::sync::atomic::AtomicUsize,
}

/// The in-payload files of one pass, by base name, the later of a name
/// replacing the earlier.
#[derive(Default)]
struct Index {
    /// The files of at most `keep_up_to` bytes: their bytes.
    small: HashMap<String, Vec<u8>>,
    /// The bigger ones: their sizes.
    big: HashMap<String, u64>,
}

impl PayloadSources {
    /// The payload of the SRPM at `path`, not read yet.
    pub fn new(path: &Path) -> PayloadSources {
        Self::keeping_up_to(path, SMALL_SOURCE_FILE)
    }

    /// [`Self::new`] keeping the files of at most `keep_up_to` bytes.
    pub(super) fn keeping_up_to(path: &Path, keep_up_to: usize) -> PayloadSources {
        PayloadSources {
            path: path.to_path_buf(),
            keep_up_to,
            index: OnceLock::new(),
            later_failed: AtomicBool::new(false),
            #[cfg(test)]
            passes: Default::default(),
        }
    }

    /// The bytes of the payload file of base name `name`; `None` when the
    /// payload has none of that name or cannot be read.
    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        let mut asked = None;
        let index = self
            .index
            .get_or_init(|| self.first_pass(Some(name), &mut asked).ok())
            .as_ref()?;
        if let Some(data) = index.small.get(name) {
            return Some(data.clone());
        }
        if !index.big.contains_key(name) {
            return None;
        }
        if asked.is_some() {
            return asked;
        }
        self.pass_for(name).unwrap_or_else(|_| {
            self.later_failed.store(true, Ordering::Relaxed);
            None
        })
    }

    /// The size of the payload file `name`, as [`Self::read`]'s answer's
    /// length, without reading a big file's bytes again.
    pub fn size(&self, name: &str) -> Option<u64> {
        let index = self.index.get_or_init(|| {
            let mut none = None;
            self.first_pass(None, &mut none).ok()
        });
        let index = index.as_ref()?;
        match index.small.get(name) {
            Some(data) => Some(data.len() as u64),
            None => index.big.get(name).copied(),
        }
    }

    /// Whether the payload was read (`Some(true)`), found unreadable by
    /// any pass (`Some(false)`), or not asked about yet (`None`).
    pub fn readable(&self) -> Option<bool> {
        let read = self.index.get()?.is_some();
        Some(read && !self.later_failed.load(Ordering::Relaxed))
    }

    /// The bytes the first pass keeps in memory (the small files').
    pub fn bytes_kept(&self) -> usize {
        self.index
            .get()
            .and_then(Option::as_ref)
            .map_or(0, |i| i.small.values().map(Vec::len).sum())
    }

    fn count_pass(&self) {
        #[cfg(test)]
        self.passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// One pass over the payload: the small files' bytes, the big ones'
    /// sizes, and into `asked` the bytes of the file `asked_for` when it is
    /// a big one. Every file's data is read through, as a whole read of the
    /// payload reads it, so a payload broken anywhere is unreadable.
    fn first_pass(&self, asked_for: Option<&str>, asked: &mut Option<Vec<u8>>) -> Result<Index> {
        self.count_pass();
        let path = &self.path;
        let io_err = |e| super::broken_payload(path, rpm::Error::Io(e));
        let mut index = Index::default();
        super::for_each_payload_file(path, |name, _, contents| {
            // A source `NoSource:` leaves out is listed, not there: opening
            // it fails, as it does for rpm.
            let Some(r) = contents else {
                return Ok(());
            };
            let base = base_name(name);
            let mut head = Vec::new();
            r.take(self.keep_up_to as u64 + 1)
                .read_to_end(&mut head)
                .map_err(io_err)?;
            if head.len() <= self.keep_up_to {
                index.big.remove(base);
                index.small.insert(base.to_string(), head);
                if asked_for == Some(base) {
                    *asked = None;
                }
                return Ok(());
            }
            let size = if asked_for == Some(base) {
                r.read_to_end(&mut head).map_err(io_err)?;
                let size = head.len() as u64;
                *asked = Some(head);
                size
            } else {
                head.len() as u64 + std::io::copy(r, &mut std::io::sink()).map_err(io_err)?
            };
            index.small.remove(base);
            index.big.insert(base.to_string(), size);
            Ok(())
        })?;
        Ok(index)
    }

    /// A pass for the bytes of the (big) file `name` alone: the last
    /// in-payload file of that base name.
    fn pass_for(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.count_pass();
        let path = &self.path;
        let mut found = None;
        super::for_each_payload_file(path, |file, _, contents| {
            if let (Some(r), true) = (contents, base_name(file) == name) {
                let mut data = Vec::new();
                r.read_to_end(&mut data)
                    .map_err(|e| super::broken_payload(path, rpm::Error::Io(e)))?;
                found = Some(data);
            }
            Ok(())
        })?;
        Ok(found)
    }
}
