//! Base64 (RFC 4648, with padding) behind Lua's `rpm.b64encode` and
//! `rpm.b64decode` (rpm's rpmio/base64.c): decoding skips control bytes,
//! blanks and bytes past ASCII, wants whole groups of 4 characters (`=`
//! among them), and fails (Lua's nil) on any other byte outside the
//! alphabet.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(super) fn encode(d: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.len() * 4 / 3 + 4);
    for c in d.chunks(3) {
        let v = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(B64[((v >> (18 - 6 * k)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
    }
    out
}

pub(super) fn decode(s: &[u8]) -> Option<Vec<u8>> {
    // rpm's `rpmBase64Decode` on a C string (up to a NUL): a byte that is
    // no printable ASCII (a C `char` of 32 or less, which the high bytes
    // are) is skipped as white space; `=` counts as a character but adds
    // no bits; the characters must be a whole number of groups of 4.
    let s = s.split(|&c| c == 0).next().unwrap_or_default();
    let mut bits = 0u32;
    let mut n = 0;
    let mut count = 0usize;
    let mut out = Vec::new();
    for &c in s {
        if c <= b' ' || c >= 0x80 {
            continue;
        }
        count += 1;
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    count.is_multiple_of(4).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(encode(b"hello"), b"aGVsbG8=");
        assert_eq!(decode(b"aGVsbG8=").unwrap(), b"hello");
        assert!(decode(b"a?").is_none());
        // As rpm's: whole groups of 4 (`=` counted), control and high
        // bytes skipped, a NUL ends the text.
        assert!(decode(b"aGk").is_none());
        assert!(decode(b"aGk=x").is_none());
        assert_eq!(decode(b" aG\x01k\xe9= ").unwrap(), b"hi");
        assert_eq!(decode(b"aGk=\0zz").unwrap(), b"hi");
    }
}
