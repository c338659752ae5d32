//! Base64 (RFC 4648, with padding) behind Lua's `rpm.b64encode` and
//! `rpm.b64decode` (rpm's rpmio/base64.c): decoding skips blanks and line
//! breaks; any other byte outside the alphabet makes it fail (Lua's nil).

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
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' | b' ' | b'\t' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        assert_eq!(encode(b"hello"), b"aGVsbG8=");
        assert_eq!(decode(b"aGVsbG8=").unwrap(), b"hello");
        assert!(decode(b"a?").is_none());
    }
}
