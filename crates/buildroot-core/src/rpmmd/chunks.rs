//! Cuts an rpm-md document (primary.xml, filelists.xml) into chunks that
//! end just after a `</package>`, so that the chunks can be parsed on
//! several threads while the stream is still being read and decompressed.
//! libsolv reads these files in one pass on one thread; the chunks are how
//! we spread the same pass over the cores without changing its result
//! (chunks are handed back in file order).
//!
//! The cut is made at the text `</package>`, so two shapes rpm-md never has
//! fail when the file spans several chunks, with an error rather than a
//! misreading: that text inside a comment, CDATA section or processing
//! instruction (the chunk ends inside it), and a root element with a
//! namespace prefix (the chunks after the first expect it unprefixed).

use std::io::BufRead;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Chunk size; large enough that per-chunk costs vanish, small enough that
/// a chunk and its tables stay in the caches while it is parsed and
/// interned (on the Debian bench data 1 MiB loads ≈12% faster than 4 MiB,
/// with ≈10% less CPU; 256 KiB-2 MiB are alike).
pub(super) const CHUNK: usize = 1 << 20;

/// The most text a chunk may reach while it looks for a package's end. A
/// package rpm wrote is far smaller (rpm caps a header's data at 256 MiB;
/// Fedora's largest filelists entries are a few MiB), and the parsed chunk
/// addresses its text with `u32` offsets (an EVR's version length with 31
/// bits: `pool::tables::EvrKey`), so a longer one is refused, not misread.
pub(super) const MAX_PACKAGE: usize = 1 << 30;

/// Cuts the stream into chunks and parses them with `parse` (index, file
/// offset, bytes) on several threads (the calling thread reads and
/// decompresses), calling `emit` on the parsing thread for each chunk as
/// soon as it is parsed, so in no particular order. Returns the stream's
/// read error, if any (parse errors are `parse`'s to report through its
/// result); after one, later chunks are not emitted.
pub(super) fn parse_chunks<R: BufRead, T>(
    r: R,
    origin: &str,
    chunk: usize,
    parse: impl Fn(usize, u64, &[u8]) -> T + Sync,
    emit: impl Fn(usize, T) + Sync,
) -> Result<()> {
    let threads = rayon::current_num_threads().clamp(1, 8);
    let spare = Spare::default();
    if threads == 1 {
        return read_chunks(r, origin, chunk, &spare, |i, base, data| {
            emit(i, parse(i, base, &data));
            spare.put(data);
            true
        })
        .1;
    }
    let mut read = Ok(());
    let (tx, rx) = sync_channel::<(usize, u64, Vec<u8>)>(threads);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (rx, parse, emit, spare) = (&rx, &parse, &emit, &spare);
            scope.spawn(move || loop {
                let job = rx.lock().expect("chunk queue").recv();
                let Ok((i, base, data)) = job else { break };
                let parsed = parse(i, base, &data);
                spare.put(data);
                emit(i, parsed);
            });
        }
        read = read_chunks(r, origin, chunk, &spare, |i, base, data| {
            tx.send((i, base, data)).is_ok()
        })
        .1;
        drop(tx);
    });
    read
}

/// Chunk buffers given back after parsing, for the reader to fill again:
/// fresh multi-MB buffers cost a page fault per 4 KiB.
#[derive(Default)]
pub(super) struct Spare(Mutex<Vec<Vec<u8>>>);

impl Spare {
    pub(super) fn put(&self, buf: Vec<u8>) {
        self.0.lock().expect("spare buffers").push(buf);
    }

    fn take(&self) -> Option<Vec<u8>> {
        self.0.lock().expect("spare buffers").pop()
    }
}

/// Cuts a stream into chunks of about `chunk` bytes that end after a
/// `</package>` and hands each to `send` (index, file offset, bytes) until
/// it returns false; buffers come from `spare` when it has some. Returns
/// how many chunks were handed over, and the stream's read error if any.
pub(super) fn read_chunks<R: BufRead>(
    r: R,
    origin: &str,
    chunk: usize,
    spare: &Spare,
    mut send: impl FnMut(usize, u64, Vec<u8>) -> bool,
) -> (usize, Result<()>) {
    let mut chunks = Chunks::new(r, origin, chunk);
    loop {
        chunks.spare = spare.take();
        match chunks.next_chunk() {
            Ok(Some((i, base, data))) => {
                if !send(i, base, data) {
                    return (i, Ok(()));
                }
            }
            Ok(None) => return (chunks.index, Ok(())),
            Err(e) => return (chunks.index, Err(e)),
        }
    }
}

/// Cuts a stream into chunks of about `size` bytes that end just after a
/// `</package>` (the last one at end of file).
pub(super) struct Chunks<'o, R> {
    r: R,
    origin: &'o str,
    size: usize,
    /// [`MAX_PACKAGE`], smaller in tests.
    max: usize,
    carry: Vec<u8>,
    index: usize,
    base: u64,
    done: bool,
    /// A buffer to reuse for the next chunk.
    spare: Option<Vec<u8>>,
}

impl<'o, R: BufRead> Chunks<'o, R> {
    pub(super) fn new(r: R, origin: &'o str, size: usize) -> Self {
        Chunks {
            r,
            origin,
            size: size.max(1),
            max: MAX_PACKAGE,
            carry: Vec::new(),
            index: 0,
            base: 0,
            done: false,
            spare: None,
        }
    }

    /// The next (index, file offset, bytes), or None at the end.
    pub(super) fn next_chunk(&mut self) -> Result<Option<(usize, u64, Vec<u8>)>> {
        const END: &[u8] = b"</package>";
        let mut want = self.size;
        // Sized up front: growing a multi-MB buffer by doubling copies it.
        // A reused buffer keeps its length: its old bytes are overwritten,
        // never read, and are not zeroed again.
        let mut buf = self
            .spare
            .take()
            .unwrap_or_else(|| Vec::with_capacity(want + (64 << 10)));
        let carry = std::mem::take(&mut self.carry);
        let mut filled = carry.len();
        if buf.len() < filled {
            buf.resize(filled, 0);
        }
        buf[..filled].copy_from_slice(&carry);
        loop {
            if self.done {
                if filled == 0 {
                    return Ok(None);
                }
                break;
            }
            // Only the newly read part (and a tag split across reads) can
            // hold a new package end.
            let searched = filled.saturating_sub(END.len() - 1);
            // Read straight into the chunk: a read this large bypasses the
            // reader's own buffer, so the bytes are not copied again.
            if buf.len() < want {
                buf.resize(want, 0);
            }
            while filled < want {
                match self.r.read(&mut buf[filled..want]) {
                    Ok(0) => {
                        self.done = true;
                        break;
                    }
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        return Err(Error::format(
                            self.origin,
                            format!("cannot decompress or read: {e}"),
                        ))
                    }
                }
            }
            if self.done {
                break;
            }
            match last_end(&buf[searched..filled]) {
                Some(p) => {
                    let end = searched + p;
                    self.carry = buf[end..filled].to_vec();
                    filled = end;
                    break;
                }
                // No package end yet: read more into the same chunk.
                None if filled < self.max => want = filled + self.size,
                None => {
                    return Err(Error::format(
                        self.origin,
                        format!(
                            "no </package> in {} MiB from byte {}: a package larger than rpm \
                             writes (a header holds at most 256 MiB), refused",
                            self.max >> 20,
                            self.base
                        ),
                    ))
                }
            }
        }
        buf.truncate(filled);
        let (i, base) = (self.index, self.base);
        self.index += 1;
        self.base += buf.len() as u64;
        Ok(Some((i, base, buf)))
    }
}

/// Where the last `</package>` of `hay` ends. A package ends every few KiB:
/// the forward search (vectorized) in the tail usually finds it before the
/// reverse one (byte by byte) has to look through the whole chunk.
fn last_end(hay: &[u8]) -> Option<usize> {
    const END: &[u8] = b"</package>";
    let tail = hay.len().saturating_sub(64 << 10);
    let mut last = None;
    let mut at = tail;
    while let Some(p) = memchr::memmem::find(&hay[at..], END) {
        at += p + END.len();
        last = Some(at);
    }
    last.or_else(|| {
        memchr::memmem::rfind(&hay[..(tail + END.len() - 1).min(hay.len())], END)
            .map(|p| p + END.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_end_finds_the_last_package_end_near_or_far() {
        assert_eq!(last_end(b"<package></package>x"), Some(19));
        assert_eq!(last_end(b"</package></package>"), Some(20));
        assert_eq!(last_end(b"<package>"), None);
        // One end far before the tail the forward search looks at, and one
        // straddling the tail's start.
        let mut far = b"</package>".to_vec();
        far.resize(200 << 10, b' ');
        assert_eq!(last_end(&far), Some(10));
        let at = far.len() - (64 << 10) - 3;
        far[at..at + 10].copy_from_slice(b"</package>");
        assert_eq!(last_end(&far), Some(at + 10));
    }

    #[test]
    fn chunks_end_after_a_package_and_cover_the_stream() {
        let xml: String = (0..50)
            .map(|i| format!("<package>{i}</package>\n"))
            .collect();
        for size in [1, 30, 1000] {
            let mut c = Chunks::new(xml.as_bytes(), "t", size);
            let (mut all, mut ends): (Vec<u8>, Vec<bool>) = (Vec::new(), Vec::new());
            while let Some((i, base, data)) = c.next_chunk().unwrap() {
                assert_eq!((i, base as usize), (ends.len(), all.len()), "size {size}");
                all.extend(&data);
                ends.push(data.ends_with(b"</package>"));
            }
            assert_eq!(all, xml.as_bytes(), "size {size}");
            // Every chunk but the rest after the last package ends one.
            assert!(ends[..ends.len() - 1].iter().all(|&e| e), "size {size}");
            assert!(ends.len() > 1 || size == 1000, "size {size}");
        }
    }

    #[test]
    fn a_package_past_the_limit_is_refused() {
        // A package end within the limit is found however many reads it
        // takes; past it the chunk stops growing with one error naming
        // where the package began, instead of text the parser's u32
        // offsets would wrap around.
        let big = format!("<package>{}</package>", "x".repeat(5 << 20));
        let mut c = Chunks::new(big.as_bytes(), "t.xml", 1000);
        c.max = 6 << 20;
        assert_eq!(c.next_chunk().unwrap().unwrap().2.len(), big.len());
        let mut c = Chunks::new(big.as_bytes(), "t.xml", 1000);
        c.max = 2 << 20;
        let e = c.next_chunk().unwrap_err().to_string();
        assert!(
            e.contains("t.xml") && e.contains("no </package> in 2 MiB from byte 0"),
            "{e}"
        );
    }
}
