//! dnf's variables in `.repo` and `dnf.conf` values, in two passes as dnf
//! makes them:
//! - [`substitute`], the configuration reader's (libdnf 0.72+
//!   `ConfigParser::substitute_expression`, the same rules as dnf5) on
//!   every value: `$name` and `${name}`, `${name:-word}` (word when name is
//!   unset or empty), `${name:+word}` (word when it is set and not empty),
//!   words substituted in turn; `\` keeps the next character as it is. A
//!   variable dnf does not know is left as written, and so is an expression
//!   that is cut short: dnf substitutes nothing from there to the end.
//! - [`url_substitute`], librepo's (`lr_url_substitute`, given the same
//!   variables) on the URLs it downloads from, once more: `$name` and
//!   `${name}` only, so `\$basearch` in a baseurl still ends as the arch.
//!
//! Which variables exist (`$releasever_major` included) is the caller's.

/// How deep `${a:-${b:-...}}` words nest before dnf stops substituting.
const MAX_DEPTH: usize = 32;

/// `text` with its variables replaced; `lookup` gives a variable's value
/// (None: unknown).
pub(super) fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = text.chars().collect();
    expression(&chars, lookup, 0).0.into_iter().collect()
}

/// librepo's pass over a URL: `$name` or `${name}` of a known variable
/// replaced by its value (a name of ASCII letters and digits, with `_`
/// only between them); anything else kept as written.
pub(super) fn url_substitute(url: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let c: Vec<char> = url.chars().collect();
    let mut out = String::with_capacity(url.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] != '$' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let braces = c.get(i + 1) == Some(&'{');
        let start = i + 1 + usize::from(braces);
        let mut end = start;
        while end < c.len()
            && (c[end].is_ascii_alphanumeric()
                || (c[end] == '_' && c.get(end + 1).is_some_and(|n| n.is_ascii_alphanumeric())))
        {
            end += 1;
        }
        if end > start && (!braces || c.get(end) == Some(&'}')) {
            let name: String = c[start..end].iter().collect();
            if let Some(v) = lookup(&name) {
                out.push_str(&v);
                i = end + usize::from(braces);
                continue;
            }
        }
        out.extend(&c[i..end.min(c.len())]);
        i = end;
    }
    out
}

/// Substitutes `text`; at `depth` > 0 (a `:-`/`:+` word) it stops at an
/// unmatched `}`. Returns the text and how many characters of the input
/// it read; a word without its `}` is given back unchanged, all of it read.
fn expression(
    text: &[char],
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> (Vec<char>, usize) {
    if depth > MAX_DEPTH {
        return (text.to_vec(), text.len());
    }
    let mut res = text.to_vec();
    // Characters of the input read so far (res changes length as it is
    // substituted).
    let mut scanned = 0;
    let mut pos = 0;
    while pos < res.len() {
        if res[pos] == '}' && depth > 0 {
            res.truncate(pos);
            return (res, scanned);
        }
        if res[pos] == '\\' {
            if pos + 1 >= res.len() {
                break;
            }
            res.remove(pos);
            scanned += 2;
            pos += 1;
            continue;
        }
        if res[pos] != '$' {
            scanned += 1;
            pos += 1;
            continue;
        }
        let mut at = pos + 1;
        if at >= res.len() {
            break;
        }
        let braces = res[at] == '{';
        if braces {
            at += 1;
            if at >= res.len() {
                break;
            }
        }
        let name_end = at
            + res[at..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .count();
        let name: String = res[at..name_end].iter().collect();
        let val = lookup(&name);
        let (subst, end) = if !braces {
            (val, name_end)
        } else {
            match res.get(name_end) {
                None => break,
                Some('}') => (val, name_end + 1),
                Some(':') => {
                    let (Some(&mode), Some(word_at)) = (res.get(name_end + 1), Some(name_end + 2))
                    else {
                        break;
                    };
                    if word_at >= res.len() {
                        break;
                    }
                    let (word, read) = expression(&res[word_at..], lookup, depth + 1);
                    let after_word = word_at + read;
                    if after_word >= res.len() {
                        break;
                    }
                    if res[after_word] != '}' {
                        // Not closed here: left as written, read past.
                        scanned += after_word - pos;
                        pos = after_word;
                        continue;
                    }
                    let set = val.as_deref().is_some_and(|v| !v.is_empty());
                    let word: String = word.into_iter().collect();
                    let subst = match mode {
                        '-' if set => val,
                        '-' => Some(word),
                        '+' if set => Some(word),
                        '+' => Some(String::new()),
                        _ => {
                            // Not an expansion dnf knows: go on after the ':'.
                            pos = name_end + 1;
                            continue;
                        }
                    };
                    (subst, after_word + 1)
                }
                Some(_) => {
                    // `${name` followed by something else: left as written.
                    pos = name_end;
                    continue;
                }
            }
        };
        scanned += end - pos;
        match subst {
            None => pos = end,
            Some(s) => {
                let s: Vec<char> = s.chars().collect();
                res.splice(pos..end, s.iter().copied());
                pos += s.len();
            }
        }
    }
    if depth > 0 {
        // A word without its closing '}': nothing of it is substituted.
        return (text.to_vec(), text.len());
    }
    (res, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subst(text: &str) -> String {
        let vars = |k: &str| match k {
            "basearch" => Some("x86_64".to_string()),
            "releasever" => Some("10.1".to_string()),
            "releasever_major" => Some("10".to_string()),
            "releasever_minor" => Some("1".to_string()),
            "empty" => Some(String::new()),
            _ => None,
        };
        substitute(text, &vars)
    }

    #[test]
    fn plain_and_braced_names() {
        assert_eq!(subst("/$releasever/${basearch}/os"), "/10.1/x86_64/os");
        // A name runs as far as letters, digits and '_' go.
        assert_eq!(subst("$basearchive $basearch-x"), "$basearchive x86_64-x");
        assert_eq!(
            subst("$unknown ${unknown} $ $/"),
            "$unknown ${unknown} $ $/"
        );
        assert_eq!(
            subst("epel-$releasever_major.$releasever_minor"),
            "epel-10.1"
        );
    }

    #[test]
    fn default_and_alternate_words() {
        assert_eq!(
            subst("epel-$releasever_major${releasever_minor:+.$releasever_minor}"),
            "epel-10.1"
        );
        assert_eq!(
            subst("${empty:-fallback} ${unknown:-a${basearch}b}"),
            "fallback ax86_64b"
        );
        assert_eq!(
            subst("${basearch:-other} [${empty:+x}] [${basearch:+x}]"),
            "x86_64 [] [x]"
        );
        // Nested words.
        assert_eq!(subst("${unknown:-${empty:-${basearch}}}"), "x86_64");
    }

    #[test]
    fn any_text_of_its_characters_substitutes_without_panic() {
        // Seeded xorshift over the characters the rules turn on.
        let alphabet: Vec<char> = "${}:-+\\ab_9.é".chars().collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(x % 24) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            // Short names are set (to a value with a '$', never read again).
            let vars = |k: &str| (!k.is_empty() && k.len() <= 2).then(|| "[$a]".to_string());
            let out = substitute(&text, &vars);
            if !text.contains(['$', '\\']) {
                assert_eq!(out, text);
            }
            assert!(!out.contains("[[$a]]"), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn librepos_pass_over_urls() {
        let vars = |k: &str| match k {
            "basearch" => Some("x86_64".to_string()),
            "a_b" => Some("AB".to_string()),
            _ => None,
        };
        let u = |t: &str| url_substitute(t, &vars);
        assert_eq!(u("/$basearch/${basearch}/os"), "/x86_64/x86_64/os");
        // Names as librepo reads them: '_' only between letters and digits.
        assert_eq!(u("$a_b $a_b_ ${a_b}"), "AB AB_ AB");
        assert_eq!(
            u("$basearchive ${basearch ${basearch:-x} $ ${"),
            "$basearchive ${basearch ${basearch:-x} $ ${"
        );
        // What the first pass left of an escape is substituted here.
        assert_eq!(u(&subst(r"/\$basearch/")), "/x86_64/");
    }

    #[test]
    fn escapes_and_expressions_cut_short() {
        assert_eq!(subst(r"\$basearch $basearch\"), "$basearch x86_64\\");
        // Not closed: dnf substitutes nothing from there on.
        assert_eq!(
            subst("$basearch ${unknown:-x $basearch"),
            "x86_64 ${unknown:-x $basearch"
        );
        assert_eq!(subst("$basearch ${basearch"), "x86_64 ${basearch");
        // Another character after the name, another mode: left as written.
        assert_eq!(subst("${basearch-x} $basearch"), "${basearch-x} x86_64");
        assert_eq!(subst("${basearch:=x} $basearch"), "${basearch:=x} x86_64");
        // A value is not substituted again.
        let vars = |k: &str| (k == "a").then(|| "$a".to_string());
        assert_eq!(substitute("$a$a", &vars), "$a$a");
    }
}
