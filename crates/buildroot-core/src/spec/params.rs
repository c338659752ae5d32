//! Arguments of parametric macros (`%define name(opts) body`): the call's
//! words split getopt-style (GNU getopt: options may follow arguments, `--`
//! ends them) into the bindings rpm gives the body: `%0` the name, `%1`..
//! the arguments, `%*` the arguments, `%**` every word, `%#` the count,
//! `%{-f}` / `%{-f*}` an option with its value / the value alone.

/// Whether a macro name is one of the per-call bindings above.
pub(super) fn is_binding(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '*' | '#' | '-'))
}

/// The bindings of a call of `name` (options `opts`, as in `name(opts)`)
/// with the already expanded `words`; an error names an unknown option or
/// a missing option value.
pub(super) fn bind(
    name: &str,
    opts: &str,
    words: &[String],
) -> Result<Vec<(String, String)>, String> {
    let mut flags: Vec<(String, String)> = Vec::new();
    let mut positional: Vec<&str> = Vec::new();
    // `name(-)`: no option processing (rpm >= 4.17).
    let parse_options = opts != "-";
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_str();
        k += 1;
        if !parse_options || !w.starts_with('-') || w.len() == 1 {
            positional.push(w);
            continue;
        }
        if w == "--" {
            positional.extend(words[k..].iter().map(String::as_str));
            break;
        }
        let letters: Vec<char> = w[1..].chars().collect();
        for (at, &f) in letters.iter().enumerate() {
            let Some(spec_at) = opts.find(f).filter(|_| f != ':') else {
                return Err(format!("unknown option -{f} in %{name}({opts})"));
            };
            if opts[spec_at + 1..].starts_with(':') {
                let rest: String = letters[at + 1..].iter().collect();
                let value = if !rest.is_empty() {
                    rest
                } else if k < words.len() {
                    k += 1;
                    words[k - 1].clone()
                } else {
                    return Err(format!("option -{f} of %{name}({opts}) needs a value"));
                };
                set(&mut flags, format!("-{f}"), format!("-{f} {value}"));
                set(&mut flags, format!("-{f}*"), value);
                break;
            }
            set(&mut flags, format!("-{f}"), format!("-{f}"));
            set(&mut flags, format!("-{f}*"), String::new());
        }
    }
    let mut out = vec![
        ("0".to_string(), name.to_string()),
        ("#".to_string(), positional.len().to_string()),
        ("*".to_string(), positional.join(" ")),
        ("**".to_string(), words.join(" ")),
    ];
    out.extend(
        positional
            .iter()
            .enumerate()
            .map(|(i, w)| ((i + 1).to_string(), w.to_string())),
    );
    out.extend(flags);
    Ok(out)
}

/// Sets `key` in a small list (the last occurrence of an option wins).
fn set(list: &mut Vec<(String, String)>, key: String, value: String) {
    list.retain(|(k, _)| *k != key);
    list.push((key, value));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn get<'a>(b: &'a [(String, String)], k: &str) -> Option<&'a str> {
        b.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn options_and_arguments() {
        let b = bind("o", "ab:", &words("x -a -b val y")).unwrap();
        assert_eq!(get(&b, "#"), Some("2"));
        assert_eq!(get(&b, "*"), Some("x y"));
        assert_eq!(get(&b, "**"), Some("x -a -b val y"));
        assert_eq!(get(&b, "1"), Some("x"));
        assert_eq!(get(&b, "2"), Some("y"));
        assert_eq!(get(&b, "-a"), Some("-a"));
        assert_eq!(get(&b, "-b"), Some("-b val"));
        assert_eq!(get(&b, "-b*"), Some("val"));
        let b = bind("o", "ab:", &words("-abval")).unwrap();
        assert_eq!(get(&b, "-b*"), Some("val"));
        assert_eq!(get(&b, "#"), Some("0"));
        let b = bind("o", "a", &words("-- -a")).unwrap();
        assert_eq!((get(&b, "1"), get(&b, "-a")), (Some("-a"), None));
        let b = bind("o", "-", &words("-x")).unwrap();
        assert_eq!(get(&b, "1"), Some("-x"));
    }

    #[test]
    fn bad_options_are_errors() {
        assert!(bind("o", "", &words("-x")).unwrap_err().contains("-x"));
        assert!(bind("o", "b:", &words("-b"))
            .unwrap_err()
            .contains("needs a value"));
    }
}
