//! Arguments of parametric macros: rpm's `rgetopt` (rpmio/rgetopt.c, which
//! runs glibc's `getopt`: options may follow arguments, `--` ends them, a
//! `name(-)` macro takes no options) and `splitQuoted`/`unsplitQuoted`
//! (rpmio/macro.c: words split on blanks, the ASCII unit separator quotes).

/// Options and remaining arguments of one call, in getopt's order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// (option letter, its value).
    pub opts: Vec<(u8, Option<Vec<u8>>)>,
    /// The arguments that are not options (getopt moves them behind the
    /// options; their order is kept).
    pub args: Vec<Vec<u8>>,
}

/// Parses `words` (the call's words, without the macro name) against the
/// getopt string `optstr`; `Err(c)` names an unknown option or one whose
/// value is missing, which rpm reports as "Unknown option c".
pub fn getopt(optstr: &[u8], words: &[Vec<u8>]) -> Result<Parsed, u8> {
    let mut out = Parsed::default();
    if optstr == b"-" {
        out.args = words.to_vec();
        return Ok(out);
    }
    let posix = optstr.first() == Some(&b'+');
    let spec = optstr.strip_prefix(b"+").unwrap_or(optstr);
    let wants = |c: u8| -> Option<u8> {
        if c == b':' {
            return None;
        }
        let at = spec.iter().position(|&x| x == c)?;
        match (spec.get(at + 1), spec.get(at + 2)) {
            (Some(b':'), Some(b':')) => Some(2),
            (Some(b':'), _) => Some(1),
            _ => Some(0),
        }
    };
    let mut k = 0;
    while k < words.len() {
        let w = &words[k];
        k += 1;
        if w.as_slice() == b"--" {
            out.args.extend(words[k..].iter().cloned());
            break;
        }
        if w.len() < 2 || w[0] != b'-' {
            if posix {
                out.args.push(w.clone());
                out.args.extend(words[k..].iter().cloned());
                break;
            }
            out.args.push(w.clone());
            continue;
        }
        let mut at = 1;
        while at < w.len() {
            let c = w[at];
            at += 1;
            match wants(c) {
                None => return Err(c),
                Some(0) => out.opts.push((c, None)),
                Some(kind) => {
                    if at < w.len() {
                        out.opts.push((c, Some(w[at..].to_vec())));
                    } else if kind == 2 {
                        out.opts.push((c, None));
                    } else if k < words.len() {
                        out.opts.push((c, Some(words[k].clone())));
                        k += 1;
                    } else {
                        return Err(c);
                    }
                    break;
                }
            }
        }
    }
    Ok(out)
}

pub const QUOTE: u8 = 0x1f;

/// Splits on any byte of `seps`, dropping empty words; text between two
/// unit separators is one word (possibly empty), the separators removed.
pub fn split_quoted(s: &[u8], seps: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut i = 0;
    loop {
        let end = i == s.len();
        if end || (!quoted && seps.contains(&s[i])) {
            if i > start {
                out.push(
                    s[start..i]
                        .iter()
                        .copied()
                        .filter(|&c| c != QUOTE)
                        .collect(),
                );
            }
            if end {
                break;
            }
            start = i + 1;
        } else if s[i] == QUOTE {
            quoted = !quoted;
        }
        i += 1;
    }
    out
}

/// Each word wrapped in unit separators, joined by `sep` (`%{quote:}`).
pub fn unsplit_quoted(words: &[Vec<u8>], sep: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.push(QUOTE);
        out.extend_from_slice(w);
        out.push(QUOTE);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<Vec<u8>> {
        s.split_whitespace()
            .map(|x| x.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn gnu_getopt_permutes() {
        let p = getopt(b"ab:", &w("x -a -b val y")).unwrap();
        assert_eq!(p.opts, vec![(b'a', None), (b'b', Some(b"val".to_vec()))]);
        assert_eq!(p.args, w("x y"));
        let p = getopt(b"ab:", &w("-abval")).unwrap();
        assert_eq!(p.opts, vec![(b'a', None), (b'b', Some(b"val".to_vec()))]);
        let p = getopt(b"a", &w("-- -a")).unwrap();
        assert_eq!((p.opts.len(), p.args), (0, w("-a")));
        let p = getopt(b"-", &w("-x")).unwrap();
        assert_eq!(p.args, w("-x"));
        assert_eq!(getopt(b"", &w("-x")), Err(b'x'));
        assert_eq!(getopt(b"b:", &w("-b")), Err(b'b'));
        let p = getopt(b"+a", &w("x -a")).unwrap();
        assert_eq!(p.args, w("x -a"));
    }

    #[test]
    fn quoting() {
        let q = unsplit_quoted(&w("a b"), b" ");
        assert_eq!(q, b"\x1fa\x1f \x1fb\x1f");
        assert_eq!(split_quoted(&q, b" \t"), w("a b"));
        assert_eq!(
            split_quoted(b"\x1fa b\x1f  c", b" "),
            vec![b"a b".to_vec(), b"c".to_vec()]
        );
        assert_eq!(split_quoted(b"\x1f\x1f", b" "), vec![Vec::<u8>::new()]);
    }
}
