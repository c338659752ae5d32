//! Hashing a cached SRPM: every checksum type a run needs in one read of
//! the file (createrepo_c's `--checksum` and primary.xml's type may
//! differ), and whether the result may be recorded (the file's stamp the
//! same before and after, and not racily new).

use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

use super::stamp::{Checked, Digests, Stamp};
use crate::error::{Error, Result};
use crate::rpmmd::Hasher;

/// Hashes the file at `path` with every type of `algos` in one read. The
/// result is recordable when the file's stamp was the same before and
/// after, and its mtime not racily new.
pub(crate) fn hash_file(path: &Path, algos: &[&str]) -> Result<Checked> {
    let seen = SystemTime::now();
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let before = f.metadata().map_err(|e| Error::io(path, e))?;
    let mut hashers = hashers(path, algos)?;
    feed(&mut f, path, &mut hashers, |_| Ok(()))?;
    let stamp = Stamp::of_meta(&before);
    let after = f.metadata().map(|m| Stamp::of_meta(&m));
    Ok(Checked {
        digests: finish(hashers),
        recordable: after.is_ok_and(|a| a == stamp) && !stamp.racy(seen),
        stamp,
    })
}

/// Reads `from` (the file at `path`) to its end in 1 MiB chunks: each
/// chunk updates every hasher, then goes to `sink` (a copy's write).
pub(crate) fn feed(
    from: &mut impl Read,
    path: &Path,
    hashers: &mut [(String, Hasher)],
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = from.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        for (_, h) in hashers.iter_mut() {
            h.update(&buf[..n]);
        }
        sink(&buf[..n])?;
    }
}

/// One hasher per type of `algos` (duplicates once); an unknown type is
/// an error naming `path`.
pub(crate) fn hashers(path: &Path, algos: &[&str]) -> Result<Vec<(String, Hasher)>> {
    let mut out: Vec<(String, Hasher)> = Vec::new();
    for a in algos {
        if out.iter().any(|(x, _)| x == a) {
            continue;
        }
        let h = Hasher::new(a)
            .ok_or_else(|| Error::format(path.display(), format!("unknown checksum type '{a}'")))?;
        out.push((a.to_string(), h));
    }
    Ok(out)
}

/// The hex digests of `hashers`.
pub(crate) fn finish(hashers: Vec<(String, Hasher)>) -> Digests {
    hashers.into_iter().map(|(a, h)| (a, h.hex())).collect()
}
