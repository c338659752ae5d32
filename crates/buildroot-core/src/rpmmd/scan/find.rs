//! The byte searches every tag and every text of a scan runs: where a
//! start tag ends, where character data ends and whether it needs
//! decoding, where an attribute value ends. SSE2 on x86_64 (16 bytes a
//! step), plain loops and memchr elsewhere. No upstream counterpart: expat
//! and libxml2, which libsolv reads rpm-md through, have their own.

/// Where a start tag whose text begins at `b[from]` ends when that is
/// plain to see: the index of the first '>' if only '"' quotes come before
/// it, an even number of them (then none is open there, and that '>' ends
/// the tag). None otherwise, also when no '>' follows: the caller then
/// reads the tag byte by byte, minding quotes. Runs on every start tag.
#[inline]
pub(super) fn simple_tag_end(b: &[u8], from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    return sse2::simple_tag_end(b, from);
    #[cfg(not(target_arch = "x86_64"))]
    return simple_tag_end_bytes(b, from, false);
}

/// [`simple_tag_end`] one byte at a time, from `b[from]` on, with `odd`
/// telling whether an odd number of '"' came before `from`.
pub(super) fn simple_tag_end_bytes(b: &[u8], from: usize, mut odd: bool) -> Option<usize> {
    for (k, &c) in b.iter().enumerate().skip(from) {
        match c {
            b'>' => return (!odd).then_some(k),
            b'"' => odd = !odd,
            b'\'' => return None,
            _ => {}
        }
    }
    None
}

/// Where the element name that starts at `b[from]` ends, given that the
/// tag's inner text ends at `end`: at the first whitespace, or at `end`;
/// and whether a character no name may hold ('<', '=', '"', '\'', '&')
/// comes before that. Runs on every start tag.
#[inline]
pub(super) fn name_end(b: &[u8], from: usize, end: usize) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if let Some(found) = sse2::name_end(b, from, end) {
        return found;
    }
    name_end_bytes(b, from, end)
}

/// [`name_end`] one byte at a time.
pub(super) fn name_end_bytes(b: &[u8], from: usize, end: usize) -> (usize, bool) {
    let mut bad = false;
    for (k, &c) in b[from..end].iter().enumerate() {
        if c.is_ascii_whitespace() {
            return (from + k, bad);
        }
        bad |= matches!(c, b'<' | b'=' | b'"' | b'\'' | b'&');
    }
    (end, bad)
}

/// Where the character data from `b[from]` ends: the index of the next
/// '<', and whether the text before it is plain (no '&' nor '\r', so
/// [`Scanner::unescape`] would leave it as it is). None without a '<'.
/// Runs on every leaf element (names, checksums, summaries, the elements
/// skipped).
#[inline]
pub(super) fn text_end(b: &[u8], from: usize) -> Option<(usize, bool)> {
    find_stop(b, from, b'<', [b'&', b'\r', b'&', b'\r'])
}

/// The characters that make an attribute value need decoding (entities,
/// and the whitespace that attribute-value normalization turns into spaces).
pub(super) const ATTR_SPECIAL: [u8; 4] = [b'&', b'\t', b'\n', b'\r'];

/// The index of the first `stop` at or after `b[from]`, and whether none
/// of `special` comes before it. None without a `stop`.
#[inline]
pub(super) fn find_stop(
    b: &[u8],
    from: usize,
    stop: u8,
    special: [u8; 4],
) -> Option<(usize, bool)> {
    #[cfg(target_arch = "x86_64")]
    return sse2::find_stop(b, from, stop, special);
    #[cfg(not(target_arch = "x86_64"))]
    return find_stop_bytes(b, from, stop, special, true);
}

/// [`find_stop`] with memchr, from `b[from]` on, `plain` telling whether
/// no `special` came before `from`.
pub(super) fn find_stop_bytes(
    b: &[u8],
    from: usize,
    stop: u8,
    special: [u8; 4],
    plain: bool,
) -> Option<(usize, bool)> {
    let end = from + memchr::memchr(stop, &b[from..])?;
    let seen = b[from..end].iter().any(|c| special.contains(c));
    Some((end, plain && !seen))
}

/// [`simple_tag_end`] 16 bytes at a time: the first '>' and the quotes
/// before it come from one pass of vector compares, where a search for
/// '>' and a count of the quotes up to it took two passes and were a
/// tenth of the parse's instructions. SSE2 is part of every x86_64 CPU.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    pub(super) fn simple_tag_end(b: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        // The '"' of the blocks read so far, XORed: the parity of their
        // number is the parity of this mask's bits.
        let mut quotes = 0u32;
        while at + 16 <= b.len() {
            // SAFETY: SSE2 is in x86_64's baseline, and the 16 bytes
            // loaded (unaligned) are b[at..at + 16], inside `b`.
            let (gt, dq, sq) = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>());
                let mask = |c: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8)));
                (mask(b'>') as u32, mask(b'"') as u32, mask(b'\'') as u32)
            };
            if gt != 0 {
                // The bits of the bytes before the first '>'.
                let before = (gt & gt.wrapping_neg()) - 1;
                let odd = (quotes ^ (dq & before)).count_ones() % 2 == 1;
                return (sq & before == 0 && !odd).then(|| at + gt.trailing_zeros() as usize);
            }
            if sq != 0 {
                return None;
            }
            quotes ^= dq;
            at += 16;
        }
        super::simple_tag_end_bytes(b, at, quotes.count_ones() % 2 == 1)
    }

    /// [`super::name_end`] on the 16 bytes from `b[from]`: None when the
    /// name goes on past them (or they are past `b`'s end), for the byte
    /// loop. Names are short (`rpm:supplements` is 15 bytes): one compare
    /// of each character class replaces a loop of two tests a byte (that
    /// loop was a sixth of [`super::super::Scanner::next`]'s instructions).
    #[inline]
    pub(super) fn name_end(b: &[u8], from: usize, end: usize) -> Option<(usize, bool)> {
        let block = b.get(from..from + 16)?;
        // SAFETY: SSE2 is in x86_64's baseline, and the 16 bytes loaded
        // (unaligned) are `block`'s.
        let (ws, bad) = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
            // `u8::is_ascii_whitespace`: space, tab, LF, FF, CR.
            let ws = _mm_or_si128(
                _mm_or_si128(eq(b' '), eq(b'\t')),
                _mm_or_si128(_mm_or_si128(eq(b'\n'), eq(0x0c)), eq(b'\r')),
            );
            let bad = _mm_or_si128(
                _mm_or_si128(eq(b'<'), eq(b'=')),
                _mm_or_si128(_mm_or_si128(eq(b'"'), eq(b'\'')), eq(b'&')),
            );
            (_mm_movemask_epi8(ws) as u32, _mm_movemask_epi8(bad) as u32)
        };
        // The bytes from `end` on end the name too.
        let past = if end - from < 16 {
            !0u32 << (end - from)
        } else {
            0
        };
        let stop = (ws | past) & 0xffff;
        if stop == 0 {
            return None;
        }
        let k = stop.trailing_zeros();
        Some((from + k as usize, bad & ((1 << k) - 1) != 0))
    }

    /// [`super::find_stop`] 16 bytes at a time: one pass finds the stop
    /// and the special characters, where a byte loop over the first bytes,
    /// memchr past them, then memchr2 or a fold over the text took three
    /// (leaf texts and attribute values are short: a block or two).
    #[inline]
    pub(super) fn find_stop(
        b: &[u8],
        from: usize,
        stop: u8,
        special: [u8; 4],
    ) -> Option<(usize, bool)> {
        let mut at = from;
        let mut plain = true;
        while at + 16 <= b.len() {
            // SAFETY: SSE2 is in x86_64's baseline, and the 16 bytes
            // loaded (unaligned) are b[at..at + 16], inside `b`.
            let (found, seen) = unsafe {
                let v = _mm_loadu_si128(b.as_ptr().add(at).cast::<__m128i>());
                let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                let seen = _mm_or_si128(
                    _mm_or_si128(eq(special[0]), eq(special[1])),
                    _mm_or_si128(eq(special[2]), eq(special[3])),
                );
                (
                    _mm_movemask_epi8(eq(stop)) as u32,
                    _mm_movemask_epi8(seen) as u32,
                )
            };
            if found != 0 {
                let before = (found & found.wrapping_neg()) - 1;
                return Some((
                    at + found.trailing_zeros() as usize,
                    plain && seen & before == 0,
                ));
            }
            plain &= seen == 0;
            at += 16;
        }
        super::find_stop_bytes(b, at, stop, special, plain)
    }
}
