//! The options of a section line, read as rpm's popt tables read them
//! (`parseDescription`, `parseFiles`, `parseScript`, `parseSimpleScript` in
//! build/): which package a `%description`, `%files` or script section is
//! for, and the lines rpm rejects (an unknown option, an option without its
//! value, a `-P` that is no number, two names, a trigger without ` -- `, a
//! second `%build` that does not append or prepend).

/// What a section line names: `-n NAME` (`explicit`) or a sub-name.
pub(super) struct SectionArgs {
    pub explicit: Option<String>,
    pub sub: Option<String>,
}

/// The options a section takes: those with a value, and flags.
fn table(keyword: &str) -> (&'static str, &'static str) {
    match keyword {
        "%description" => ("nl", ""),
        "%files" => ("nf", ""),
        _ => ("pnfP", "eq"),
    }
}

/// Reads `line` (its keyword first, lower-cased in `keyword`) as popt does
/// with that section's table. Trigger sections are read up to their ` -- `
/// (the trigger's conditions follow), as rpm cuts them.
pub(super) fn read(keyword: &str, line: &str) -> Result<SectionArgs, String> {
    let mut text = line;
    if keyword.contains("trigger") {
        let p = trigger_separator(line).ok_or_else(|| format!("triggers must have --: {line}"))?;
        if line[p + 2..].trim().is_empty() {
            return Err(format!("missing trigger condition: {line}"));
        }
        text = &line[..p];
    }
    let words = super::parse::popt_split(text)
        .map_err(|e| format!("Error parsing {keyword}: {e}: {line}"))?;
    let (with_value, flags) = table(keyword);
    let bad = |o: &str| format!("Bad option {o}: {line}");
    let mut explicit = None;
    let mut names = Vec::new();
    let mut k = 1;
    let mut options_done = false;
    while k < words.len() {
        let w = &words[k];
        k += 1;
        if options_done || w == "-" || !w.starts_with('-') {
            names.push(w.clone());
            continue;
        }
        if w == "--" {
            options_done = true;
            continue;
        }
        if w.starts_with("--") {
            return Err(bad(w));
        }
        // Short options, clustered; one taking a value takes the rest of
        // the word or the next word.
        for (j, c) in w.char_indices().skip(1) {
            if with_value.contains(c) {
                let rest = &w[j + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else if k < words.len() {
                    k += 1;
                    words[k - 1].clone()
                } else {
                    return Err(bad(&format!("-{c}")));
                };
                if c == 'P' && value.trim().parse::<i64>().is_err() {
                    return Err(bad(&format!("-{c}")));
                }
                let internal = value.starts_with('<') && value.ends_with('>');
                if c == 'p' && !(internal || value.starts_with('/')) {
                    return Err(format!("script program must begin with '/': {value}"));
                }
                if c == 'n' {
                    explicit = Some(value);
                }
                break;
            }
            if !flags.contains(c) {
                return Err(bad(&format!("-{c}")));
            }
        }
    }
    if names.len() > 1 {
        return Err(format!("Too many names: {line}"));
    }
    Ok(SectionArgs {
        explicit,
        sub: names.into_iter().next(),
    })
}

/// The build sections rpm reads with `parseSimpleScript`.
const SIMPLE: &[&str] = &[
    "%prep",
    "%conf",
    "%generate_buildrequires",
    "%build",
    "%install",
    "%check",
    "%clean",
];

/// rpm's `parseSimpleScript` on a build section line: only `-a`
/// (append) and `-p` (prepend), not both; without either, a section may
/// appear once (`seen`: the sections that did). Other lines pass.
pub(super) fn read_simple(line: &str, seen: &mut Vec<String>) -> Result<(), String> {
    let keyword = line
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !SIMPLE.contains(&keyword.as_str()) {
        return Ok(());
    }
    if !part_of(&keyword, line)? {
        if seen.contains(&keyword) {
            return Err(format!("second {keyword}"));
        }
        seen.push(keyword);
    }
    Ok(())
}

/// Whether a build section line (its keyword lower-cased in `keyword`)
/// is a part of the section (rpm 4.20's `-a` or `-p`) rather than the
/// section itself; an option rpm rejects is an error.
fn part_of(keyword: &str, line: &str) -> Result<bool, String> {
    let words =
        super::parse::popt_split(line).map_err(|e| format!("Error parsing script: {line}: {e}"))?;
    let (mut append, mut prepend) = (false, false);
    for w in words.iter().skip(1) {
        if w == "--" {
            break;
        }
        if w == "-" || !w.starts_with('-') {
            continue;
        }
        let bad = || format!("Bad {keyword} option {w}: unknown option");
        if w.starts_with("--") {
            return Err(bad());
        }
        for c in w.chars().skip(1) {
            match c {
                'a' => append = true,
                'p' => prepend = true,
                _ => return Err(bad()),
            }
        }
    }
    if append && prepend {
        return Err(format!("append and prepend specified: {line}"));
    }
    Ok(append || prepend)
}

/// What a line, as rpm hands it to the spec parser (expanded, as
/// `rpmspec -P` prints it), is to rpm >= 4.20 as far as
/// `%generate_buildrequires` goes: `Some(false)` the section's own line,
/// `Some(true)` a part of it (`-a`/`-p`), `None` another line. A section
/// line is the name at the very start of the line in any case, then a
/// blank or the end (rpm's `isPart`); one whose options rpm rejects is
/// read as the section's own (such a spec fails anyway).
pub(crate) fn generate_buildrequires_line(line: &str) -> Option<bool> {
    const NAME: &str = "%generate_buildrequires";
    let head = line.get(..NAME.len())?;
    let rest = &line[NAME.len()..];
    if !head.eq_ignore_ascii_case(NAME)
        || rest
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii_whitespace())
    {
        return None;
    }
    Some(part_of(NAME, line).unwrap_or(false))
}

/// Where a trigger line's ` -- ` is (a `--` with blanks on both sides).
fn trigger_separator(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    (1..b.len().saturating_sub(2)).find(|&i| {
        &b[i..i + 2] == b"--"
            && (b[i - 1] == b' ' || b[i - 1] == b'\t')
            && matches!(b[i + 2], b' ' | b'\t')
    })
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn section_lines_read_as_popt_reads_them() {
        let a = read("%files", "%files -n foo -f x.lang").unwrap();
        assert_eq!((a.explicit.as_deref(), a.sub), (Some("foo"), None));
        let a = read("%post", "%post -p /sbin/ldconfig libs").unwrap();
        assert_eq!(a.sub.as_deref(), Some("libs"));
        assert!(read("%triggerin", "%triggerin -n x -- a b c").is_ok());
        assert!(read("%filetriggerin", "%filetriggerin -P 2000 -- /usr").is_ok());
        assert!(read("%triggerun", "%triggerun other").is_err());
        assert!(read("%description", "%description -n").is_err());
        assert!(read("%files", "%files -x").is_err());
        assert!(read("%files", "%files a b").is_err());
        assert!(read("%post", "%post -P x").is_err());
        assert!(
            read("%description", "%description -nfoo")
                .unwrap()
                .explicit
                .as_deref()
                == Some("foo")
        );
        assert!(read("%pre", "%pre -p <lua>").is_ok());
        assert!(read("%pre", "%pre -p sh").is_err());
        let mut seen = Vec::new();
        assert!(super::read_simple("%build", &mut seen).is_ok());
        assert!(super::read_simple("%build -a", &mut seen).is_ok());
        assert!(super::read_simple("%build", &mut seen).is_err());
        assert!(super::read_simple("%prep -q", &mut seen).is_err());
        assert!(super::read_simple("%install -ap", &mut seen).is_err());
        assert!(super::read_simple("%changelog -x", &mut seen).is_ok());
    }

    #[test]
    fn generate_buildrequires_lines_and_parts() {
        use super::generate_buildrequires_line as gbr;
        assert_eq!(gbr("%generate_buildrequires"), Some(false));
        assert_eq!(gbr("%Generate_BuildRequires\n"), Some(false));
        assert_eq!(gbr("%generate_buildrequires -a"), Some(true));
        assert_eq!(gbr("%generate_buildrequires\t-p\n"), Some(true));
        assert_eq!(gbr("%generate_buildrequires -- -a"), Some(false));
        assert_eq!(gbr("%generate_buildrequires x"), Some(false));
        assert_eq!(gbr("%generate_buildrequiresx"), None);
        assert_eq!(gbr(" %generate_buildrequires"), None);
        assert_eq!(gbr("%%generate_buildrequires"), None);
        assert_eq!(gbr("%build -a"), None);
    }
}
