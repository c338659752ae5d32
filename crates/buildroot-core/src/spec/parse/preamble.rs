//! One package's preamble as rpm 4.18/4.20 reads it (build/parsePreamble.c
//! `parsePreamble`/`handlePreambleTag`/`addSource`): each tag's value
//! checked as rpm checks it, kept where it matters for BuildRequires
//! (`BuildRequires`, `BuildConflicts`, `BuildArch`, `ExclusiveArch`, ...)
//! and made a macro where rpm makes one (`%name`, `%SOURCE1`, ...); then
//! the build directories rpm 4.20 defines once the main preamble is read.
//! Separate from the section loop in [`super`], which only hands it the
//! preamble's lines, and from the tag table in [`super::tags`]: this is
//! what each tag does.

use super::super::depfield::{deps_field_checked, parse_deps};
use super::super::expand::Engine;
use super::super::reader::{Fatal, Mode, Reader};
use super::super::rich::Context;
use super::super::table::{level, Entry};
use super::super::tagcheck;
use super::tags::{bad_qualifiers, find_tag, FoundTag, Tag};
use super::{
    char_check, check_build_system, is_part, popt_split, text, Package, Part, Spec,
    BUILD_SYSTEM_SECTIONS,
};

/// rpm's `parsePreamble` for the main package (`first`) or a `%package`.
pub(super) fn preamble(
    spec: &mut Spec,
    rd: &mut Reader,
    eng: &mut Engine,
    first: bool,
) -> Result<Option<Part>, Fatal> {
    let pkg_index = spec.packages.len();
    if first {
        spec.packages.push(Package::default());
    } else {
        let words: Vec<String> = text(&rd.line)
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect();
        let name = match words.as_slice() {
            [n] => format!("{}-{n}", spec.packages[0].name),
            [flag, n] if flag == "-n" => n.clone(),
            _ => return Err(format!("Bad package specification: {}", text(&rd.line))),
        };
        if spec.packages.iter().any(|p| p.name == name) {
            return Err(format!(
                "line {}: Package already exists: {name}",
                rd.lineno
            ));
        }
        spec.packages.push(Package::named(name));
    }
    let mut seen_summary = false;
    let mut seen = (false, false, false, false);
    // The single-valued header tags this package's header holds: a
    // subpackage's has its name from `%package`.
    let mut put: Vec<&str> = if first { Vec::new() } else { vec!["Name"] };
    rd.mode = Mode::Preamble;
    loop {
        if !rd.read_line(eng)? {
            break;
        }
        if let Some(p) = is_part(&rd.line) {
            finish_preamble(spec, first, seen_summary, seen)?;
            if first {
                build_dirs(eng);
            }
            return Ok(Some(p));
        }
        let line = rd.line.clone();
        if line.iter().all(|c| c.is_ascii_whitespace()) {
            continue;
        }
        let Some(FoundTag {
            tag,
            makes_macro: mac,
            token: tok,
            qualifier,
        }) = find_tag(&line)
        else {
            return Err(format!("line {}: Unknown tag: {}", rd.lineno, text(&line)));
        };
        let colon = line
            .iter()
            .position(|&c| c == b':')
            .ok_or_else(|| format!("line {}: Malformed tag: {}", rd.lineno, text(&line)))?;
        let field = line[colon + 1..].trim_ascii();
        if field.is_empty() {
            return Err(format!("line {}: Empty tag: {}", rd.lineno, text(&line)));
        }
        let value = text(field);
        let multi = value
            .split(super::super::reader::is_c_space)
            .filter(|w| !w.is_empty())
            .nth(1)
            .is_some();
        let single = |what: &str| -> Result<(), Fatal> {
            if multi {
                Err(format!(
                    "line {}: Tag takes single token only: {what}",
                    rd.lineno
                ))
            } else {
                Ok(())
            }
        };
        let lineno = rd.lineno;
        if tok == "disturl" {
            // rpm 6.1 knows the tag but has no case for it.
            return Err(format!("line {lineno}: Internal error: Bogus tag 1123"));
        }
        let shown_name = if tag == Tag::Name {
            value.as_str()
        } else {
            spec.packages[pkg_index].name.as_str()
        };
        tagcheck::duplicate(&mut put, tok, qualifier.is_empty(), shown_name, lineno)?;
        match tag {
            Tag::Name => {
                single(&value)?;
                char_check(&value, ".-_+%{}", Some("_%"), lineno)?;
                if first {
                    spec.packages[0].name = value.clone();
                    spec.out.name = value.clone();
                    eng.header_name_version.0 = value.clone();
                } else {
                    spec.packages[pkg_index].name = value.clone();
                }
                seen.0 = true;
            }
            Tag::Version | Tag::Release => {
                single(&value)?;
                char_check(&value, "._+%{}~^", None, lineno)?;
                if first {
                    if tag == Tag::Version {
                        spec.out.version = value.clone();
                        eng.header_name_version.1 = value.clone();
                        seen.1 = true;
                    } else {
                        spec.out.release = value.clone();
                        seen.2 = true;
                    }
                } else if tag == Tag::Version {
                    spec.packages[pkg_index].version = Some(value.clone());
                } else {
                    spec.packages[pkg_index].release = Some(value.clone());
                }
            }
            Tag::Epoch => {
                single(&value)?;
                let n: u32 = value.parse().map_err(|_| {
                    format!(
                        "line {lineno}: Epoch field must be an unsigned number: {}",
                        text(&line)
                    )
                })?;
                if first {
                    spec.out.epoch = Some(n);
                } else {
                    spec.packages[pkg_index].epoch = Some(n);
                }
            }
            Tag::Text | Tag::BuildRoot => {
                let lower = text(&line[..colon]).to_ascii_lowercase();
                if lower.starts_with("summary") {
                    seen_summary = true;
                }
                if lower.starts_with("license") && first {
                    seen.3 = true;
                }
            }
            Tag::Single => single(&value)?,
            Tag::BuildSystem => {
                single(&value)?;
                char_check(&value, ".-_+%{}", Some("_%"), lineno)?;
                check_build_system(eng, &value, lineno)?;
            }
            Tag::BuildOption => {
                // rpm 4.20's `addBuildOption`: `BuildOption(SECTION):`, the
                // section one a build system fills (`conf` when none given).
                let head = text(&line[..colon]);
                let section = head
                    .find('(')
                    .and_then(|open| head[open + 1..].split(')').next())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("conf");
                if !BUILD_SYSTEM_SECTIONS.iter().any(|(s, _)| *s == section) {
                    return Err(format!(
                        "line {lineno}: Unknown build option section: {}",
                        text(&line)
                    ));
                }
            }
            Tag::Source | Tag::Patch => {
                // rpm's `parseTagNumber`: the number ends at the colon or the
                // first blank, so `Source 1:` has none (it is autonumbered).
                let num_text = text(&line[if tag == Tag::Source { 6 } else { 5 }..colon]);
                let num = num_text.split([' ', '\t']).next().unwrap_or_default();
                let num = if num.is_empty() {
                    None
                } else {
                    let digits = num.bytes().all(|c| c.is_ascii_digit());
                    Some(num.parse::<u32>().ok().filter(|_| digits).ok_or_else(|| {
                        format!(
                            "line {lineno}: Bad {} number: {}",
                            if tag == Tag::Source {
                                "source"
                            } else {
                                "patch"
                            },
                            text(&line)
                        )
                    })?)
                };
                add_source(spec, eng, tag == Tag::Patch, num, &value, lineno)?;
            }
            Tag::NoSource => {
                let patch = tok == "nopatch";
                let list = if patch { &spec.patches } else { &spec.sources };
                tagcheck::no_source(list, patch, &value, lineno)?;
            }
            Tag::Icon => {
                single(&value)?;
                tagcheck::icon(eng, &value, lineno)?;
            }
            Tag::ExcludeArch | Tag::ExclusiveArch | Tag::ExcludeOs | Tag::ExclusiveOs => {
                let words = popt_split(&value)
                    .map_err(|e| format!("line {lineno}: Error parsing tag field: {e}"))?;
                match tag {
                    Tag::ExcludeArch => spec.out.exclude_arch.extend(words),
                    Tag::ExclusiveArch => spec.out.exclusive_arch.extend(words),
                    _ => {}
                }
            }
            Tag::Prefixes => {
                // popt's words, as for ExclusiveArch (C blanks, quotes).
                let words = popt_split(&value)
                    .map_err(|e| format!("line {lineno}: Error parsing tag field: {e}"))?;
                for p in &words {
                    if p.len() > 1 && p.ends_with('/') {
                        return Err(format!(
                            "line {lineno}: Prefixes must not end with \"/\": {}",
                            text(&line)
                        ));
                    }
                }
            }
            Tag::DocDir => {
                single(&value)?;
                if !value.starts_with('/') {
                    return Err(format!(
                        "line {lineno}: Docdir must begin with '/': {}",
                        text(&line)
                    ));
                }
                eng.table.pop("_docdir");
                eng.table
                    .push("_docdir", Entry::new(&value, None, level::SPEC));
            }
            Tag::Deps => {
                // Only rpm's own checks: these are not kept.
                if let Some(name) = bad_qualifiers(tok, qualifier) {
                    return Err(format!(
                        "line {lineno}: Bad {name}: qualifiers: {}",
                        text(&line)
                    ));
                }
                deps_field_checked(&value, tok)
                    .map_err(|m| format!("line {lineno}: {m}: {}", text(&line)))?;
            }
            Tag::BuildRequires | Tag::BuildConflicts => {
                let deps = parse_deps(&value, Context::of_tag(tok), lineno, &text(&line))?;
                let out = &mut spec.out;
                let (parsed, texts) = if tag == Tag::BuildConflicts {
                    (&mut out.build_conflicts, &mut out.build_conflicts_text)
                } else {
                    (&mut out.build_requires, &mut out.build_requires_text)
                };
                for (d, written) in deps {
                    // A text once, as rpm merges a dependency equal to one
                    // it has in name, flags and EVR text: `x >= 1` and `x >=
                    // 0:1` are two (rpmspec prints both, the SRPM holds
                    // both) though they mean the same, and are one parsed.
                    // One without a parsed form (see `parse_deps`) is only
                    // printed and written into the header.
                    if !texts.contains(&written) {
                        texts.push(written);
                    }
                    if let Some(d) = d {
                        if !parsed.contains(&d) {
                            parsed.push(d);
                        }
                    }
                }
            }
            Tag::BuildArch => {
                let names = popt_split(&value).map_err(|_| {
                    format!(
                        "line {lineno}: Bad BuildArchitecture format: {}",
                        text(&line)
                    )
                })?;
                if first {
                    if spec.build_arch_seen {
                        return Err(format!(
                            "line {lineno}: Duplicate BuildArch entry: {}",
                            text(&line)
                        ));
                    }
                    spec.build_arch_seen = true;
                    spec.out.build_arch = names.clone();
                    if !names.is_empty() && !spec.recursing {
                        spec.restart_arch = Some(names);
                        return Ok(None);
                    }
                } else if names != ["noarch"] {
                    return Err(format!(
                        "line {lineno}: Only noarch subpackages are supported: {}",
                        text(&line)
                    ));
                } else {
                    // A subpackage's header gets `Arch` for each one.
                    tagcheck::duplicate(&mut put, "arch", true, shown_name, lineno)?;
                }
            }
        }
        if let Some(m) = mac {
            eng.table.push(m, Entry::new(&value, None, level::SPEC));
            if first {
                eng.table.push(
                    &m.to_ascii_uppercase(),
                    Entry::new(&value, None, level::SPEC),
                );
            }
        }
    }
    finish_preamble(spec, first, seen_summary, seen)?;
    if first {
        build_dirs(eng);
    }
    Ok(None)
}

/// rpm 4.20, once the main package's preamble is read: the build directory
/// `%{_top_builddir}/NAME-VERSION-build` (`^` and `~` made `_`) becomes
/// `%builddir` and `%_builddir`, with `%specpartsdir` and `%buildroot`
/// (`BUILDROOT`) in it, all literal at spec level, and `%_buildrootdir` the
/// directory of `%buildroot` (rpmspec has no `--buildroot`; the `BuildRoot`
/// tag is ignored).
fn build_dirs(eng: &mut Engine) {
    let name = eng
        .expand(b"%{NAME}-%{VERSION}-build")
        .unwrap_or_default()
        .iter()
        .map(|&c| if c == b'^' || c == b'~' { b'_' } else { c })
        .collect::<Vec<u8>>();
    let mut dir = eng.expand(b"%{_top_builddir}/").unwrap_or_default();
    dir.extend_from_slice(&name);
    let dir = text(&dir);
    // rpm's path cleaning, as far as these paths need it: no doubled `/`.
    let clean = |p: String| {
        let mut out = String::with_capacity(p.len());
        for c in p.chars() {
            if !(c == '/' && out.ends_with('/')) {
                out.push(c);
            }
        }
        out
    };
    for m in ["_builddir", "builddir"] {
        eng.table.push(m, Entry::literal(&dir, level::SPEC));
    }
    let parts = clean(format!("{dir}/SPECPARTS"));
    eng.table
        .push("specpartsdir", Entry::literal(&parts, level::SPEC));
    let root = clean(format!("{dir}/BUILDROOT"));
    eng.table
        .push("buildroot", Entry::literal(&root, level::SPEC));
    eng.table.push(
        "_buildrootdir",
        Entry::new("%{dirname:%{buildroot}}", None, level::GLOBAL),
    );
}

fn finish_preamble(
    spec: &Spec,
    first: bool,
    summary: bool,
    seen: (bool, bool, bool, bool),
) -> Result<(), Fatal> {
    let name = spec.packages.last().map(|p| p.name.as_str()).unwrap_or("");
    let nvr = if first { "(main package)" } else { name };
    let mut missing = Vec::new();
    if first {
        for (ok, tag) in [
            (seen.0, "Name"),
            (seen.1, "Version"),
            (seen.2, "Release"),
            (summary, "Summary"),
            (seen.3, "License"),
        ] {
            if !ok {
                missing.push(tag);
            }
        }
    } else if !summary {
        missing.push("Summary");
    }
    if let Some(t) = missing.first() {
        return Err(format!("{t} field must be present in package: {nvr}"));
    }
    Ok(())
}

/// rpm's `addSource`: `%SOURCEn`, `%SOURCEURLn` (or `PATCH`), Lua's
/// `sources`/`patches`.
pub(super) fn add_source(
    spec: &mut Spec,
    eng: &mut Engine,
    patch: bool,
    num: Option<u32>,
    value: &str,
    lineno: usize,
) -> Result<(), Fatal> {
    let (autonum, list) = if patch {
        (&mut spec.autonum_patch, &mut spec.patches)
    } else {
        (&mut spec.autonum_source, &mut spec.sources)
    };
    let num = match num {
        None => {
            *autonum += 1;
            *autonum as u32
        }
        Some(n) => {
            // rpm compares (and names the macros) as a C `int`.
            if i64::from(n as i32) > *autonum {
                *autonum = i64::from(n as i32);
            }
            n
        }
    };
    let what = if patch { "patch" } else { "source" };
    if list.contains(&num) {
        return Err(format!(
            "line {lineno}: {what} {num} defined multiple times"
        ));
    }
    list.push(num);
    let base = match value.rfind('/') {
        Some(p) => {
            let tail = &value[p..];
            match tail.rfind('=') {
                Some(q) => &tail[q + 1..],
                None => &tail[1..],
            }
        }
        None => value,
    };
    let sourcedir = eng.expand(b"%{_sourcedir}").unwrap_or_default();
    let path = format!("{}/{base}", text(&sourcedir));
    let up = if patch { "PATCH" } else { "SOURCE" };
    let shown = num as i32;
    eng.table.push(
        &format!("{up}{shown}"),
        Entry::new(&path, None, level::SPEC),
    );
    eng.table.push(
        &format!("{up}URL{shown}"),
        Entry::new(value, None, level::SPEC),
    );
    eng.add_lua_source(patch, num, &path);
    Ok(())
}
