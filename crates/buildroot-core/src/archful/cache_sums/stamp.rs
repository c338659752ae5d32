//! What a record of the SRPM cache's checksums is keyed by and holds: a
//! file's `stat` ([`Stamp`], the device, inode, size, mtime and ctime the
//! module's rule compares) and the checksums a run found for it
//! ([`Checked`]), with the racily-clean margin ([`RACY`]) that decides when
//! a checksum may be recorded (git's rule for its index).

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How much older than the moment it was looked at a file's mtime must be
/// for its checksum to be recorded: more than the coarsest clock a file
/// system stamps with (ext4 and XFS take the kernel's coarse clock, a few
/// milliseconds; ext3, FAT and some network file systems whole seconds).
pub(crate) const RACY: Duration = Duration::from_secs(2);

/// What a record is keyed by: the file's `stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(super) dev: u64,
    pub(super) ino: u64,
    pub(super) size: u64,
    pub(super) mtime_ns: i128,
    pub(super) ctime_ns: i128,
}

impl Stamp {
    /// No file's stamp (device and inode 0): the stamp of a line that
    /// vouches for no file, only says what bytes were put under its name.
    pub(crate) const NONE: Stamp = Stamp {
        dev: 0,
        ino: 0,
        size: 0,
        mtime_ns: 0,
        ctime_ns: 0,
    };

    /// The stamp of the file at `path` (its symlinks followed), taken
    /// from the opened file: on NFS an open revalidates the attributes
    /// (close-to-open), where a bare `stat` may answer from the client's
    /// attribute cache while a read that follows sees the new bytes.
    pub(crate) fn of(path: &Path) -> std::io::Result<Stamp> {
        std::fs::File::open(path)?
            .metadata()
            .map(|m| Stamp::of_meta(&m))
    }

    pub(crate) fn of_meta(m: &std::fs::Metadata) -> Stamp {
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        }
    }

    /// Whether the file holds the bytes it held at `self` as far as our
    /// own links can tell: only its ctime (and link count) may differ.
    pub(crate) fn same_bytes(&self, o: &Stamp) -> bool {
        (self.dev, self.ino, self.size, self.mtime_ns) == (o.dev, o.ino, o.size, o.mtime_ns)
    }

    /// Whether the file was written so shortly before `seen` (when this
    /// stamp was taken) that a later write could keep its times ([`RACY`]).
    pub(super) fn racy(&self, seen: SystemTime) -> bool {
        let seen = seen
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        self.mtime_ns > seen - RACY.as_nanos() as i128
    }
}

/// Checksums (type -> hex) of a file's bytes.
pub(crate) type Digests = BTreeMap<String, String>;

/// A file's checksums as a run found them.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    /// The checksums known of the bytes seen at `stamp`.
    pub(crate) digests: Digests,
    /// The file's stamp when they were taken or found.
    pub(crate) stamp: Stamp,
    /// Whether they may be recorded for that stamp (found in the record,
    /// or computed from a file that was not racily new).
    pub(crate) recordable: bool,
}
