//! rpm's checks of single preamble tags that need the spec's state, kept
//! out of `parse`: `addIcon` (the icon file), `parseNoSource` (`NoSource:`
//! and `NoPatch:` numbers) and `checkForDuplicates` (a single-valued header
//! tag given twice in one package), each as rpm 6.1's `build/parsePreamble`
//! does it.

use super::expand::Engine;
use super::reader::Fatal;

/// The tags rpm puts into a package's header as one string (or number),
/// whose second value makes a duplicate entry: (token, rpm's name of it).
/// `Summary` and `Group` are translatable: a second one only warns.
const SINGLE_VALUED: &[(&str, &str)] = &[
    ("name", "Name"),
    ("version", "Version"),
    ("release", "Release"),
    ("epoch", "Epoch"),
    ("license", "License"),
    ("distribution", "Distribution"),
    ("vendor", "Vendor"),
    ("packager", "Packager"),
    ("url", "Url"),
    ("vcs", "Vcs"),
    ("disttag", "Disttag"),
    ("bugurl", "Bugurl"),
    ("translationurl", "Translationurl"),
    ("upstreamreleases", "Upstreamreleases"),
    ("modularitylabel", "Modularitylabel"),
    // A subpackage's `BuildArch: noarch` (no preamble tag's token).
    ("arch", "Arch"),
];

/// rpm's `checkForDuplicates`, run when the spec is finalized (rpmspec
/// prints the error and still answers; rpmbuild fails): `put` holds the
/// single-valued tags the package's header has (a subpackage's starts with
/// `Name`, from `%package`); `token` is the tag's, `plain` whether it has
/// no qualifier (a language), `package` the name rpm's message shows.
pub(super) fn duplicate(
    put: &mut Vec<&'static str>,
    token: &str,
    plain: bool,
    package: &str,
    lineno: usize,
) -> Result<(), Fatal> {
    let Some(shown) = SINGLE_VALUED
        .iter()
        .find(|(t, _)| *t == token && plain)
        .map(|(_, shown)| *shown)
    else {
        return Ok(());
    };
    if put.contains(&shown) {
        return Err(format!(
            "line {lineno}: Duplicate {shown} entries in package: {package}"
        ));
    }
    put.push(shown);
    Ok(())
}

/// rpm's `parseNoSource`: the field, from its first word, must be one
/// unsigned number (`0 1`, `+0` are a bad number), of a source (`patch`:
/// a patch) declared before, `declared`.
pub(super) fn no_source(
    declared: &[u32],
    patch: bool,
    value: &str,
    lineno: usize,
) -> Result<(), Fatal> {
    let f = value.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
    let num = f
        .bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| f.parse::<u32>().ok())
        .flatten()
        .ok_or_else(|| format!("line {lineno}: Bad number: {f}"))?;
    if !declared.contains(&num) {
        let what = if patch { "nopatch" } else { "nosource" };
        return Err(format!("line {lineno}: Bad {what} number: {num}"));
    }
    Ok(())
}

/// rpm's `addIcon`: the file `%{_sourcedir}/FILE` must be readable (a
/// source of the spec) and empty, a GIF or an XPM.
pub(super) fn icon(eng: &mut Engine, file: &str, lineno: usize) -> Result<(), Fatal> {
    let sourcedir = eng.expand(b"%{_sourcedir}").unwrap_or_default();
    let path = format!("{}/{file}", String::from_utf8_lossy(&sourcedir));
    let Some(data) = eng.host.read_file(&path) else {
        return Err(format!(
            "line {lineno}: Unable to open icon {path}: No such file or directory"
        ));
    };
    if data.is_empty() || data.starts_with(b"GIF") || data.starts_with(b"/* XPM") {
        Ok(())
    } else {
        Err(format!("line {lineno}: Unknown icon type: {file}"))
    }
}
