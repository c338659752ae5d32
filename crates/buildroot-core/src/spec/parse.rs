//! The spec's sections and preamble tags as rpm 4.18 reads them
//! (build/parseSpec.c `parseSpec`/`isPart`, build/parsePreamble.c
//! `parsePreamble`/`findPreambleTag`/`handlePreambleTag`/`addSource`,
//! build/parseReqs.c `parseRCPOT`): every section's lines go through the
//! reader (so definitions anywhere take effect), preamble tags of the main
//! package and of each `%package` are read, tags that rpm turns into macros
//! (`%name`, `%version`, `%SOURCE1`, ...) become macros, and a `BuildArch`
//! in the main preamble restarts the parse for the first build arch the
//! target can build (`noarch` is one), with `%_target_cpu` set to it, as
//! rpm does. Fedora rawhide's rpm is 4.20, so its declarative build
//! systems are read too (`BuildSystem:`, `BuildOption`; parseSpec.c
//! `checkBuildsystem`/`parseBuildsystem`).

use super::depfield::{deps_field_checked, parse_deps};
use super::expand::Engine;
use super::reader::{Fatal, Mode, Reader};
use super::rich::Context;
use super::section;
use super::table::{level, Entry};
use super::tagcheck;
use super::SpecEval;

/// The section keywords (rpm's `partList`).
const PARTS: &[(&str, Part)] = &[
    ("%package", Part::Package),
    ("%prep", Part::Prep),
    ("%generate_buildrequires", Part::GenerateBuildRequires),
    ("%conf", Part::Other),
    ("%build", Part::Other),
    ("%install", Part::Other),
    ("%check", Part::Other),
    ("%clean", Part::Other),
    ("%preun", Part::Script),
    ("%postun", Part::Script),
    ("%pretrans", Part::Script),
    ("%posttrans", Part::Script),
    ("%pre", Part::Script),
    ("%post", Part::Script),
    ("%files", Part::Files),
    ("%changelog", Part::Other),
    ("%description", Part::Description),
    ("%triggerpostun", Part::Script),
    ("%triggerprein", Part::Script),
    ("%triggerun", Part::Script),
    ("%triggerin", Part::Script),
    ("%trigger", Part::Script),
    ("%verifyscript", Part::Script),
    ("%sepolicy", Part::Other),
    ("%filetriggerin", Part::Script),
    ("%filetrigger", Part::Script),
    ("%filetriggerun", Part::Script),
    ("%filetriggerpostun", Part::Script),
    ("%transfiletriggerin", Part::Script),
    ("%transfiletrigger", Part::Script),
    ("%transfiletriggerun", Part::Script),
    ("%transfiletriggerpostun", Part::Script),
    ("%end", Part::Other),
    ("%patchlist", Part::PatchList),
    ("%sourcelist", Part::SourceList),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Package,
    Description,
    Files,
    Script,
    GenerateBuildRequires,
    SourceList,
    PatchList,
    Prep,
    Other,
}

/// rpm's `isPart`: a section keyword (any case) at the start of the line,
/// followed by the end or a space.
fn is_part(line: &[u8]) -> Option<Part> {
    for &(tok, part) in PARTS {
        let t = tok.as_bytes();
        if line.len() >= t.len()
            && line[..t.len()].eq_ignore_ascii_case(t)
            && line.get(t.len()).is_none_or(|c| c.is_ascii_whitespace())
        {
            return Some(part);
        }
    }
    None
}

/// How the lines after a section keyword are read.
fn mode_of(part: Part) -> Mode {
    match part {
        Part::Package => Mode::Preamble,
        Part::SourceList | Part::PatchList => Mode::List,
        _ => Mode::Body,
    }
}

/// The reading mode a section keyword line starts, if it is one.
pub(super) fn part_mode(line: &[u8]) -> Option<Mode> {
    is_part(line).map(mode_of)
}

/// Whether the parser does nothing with `line` (a line as handed out: no
/// trailing blanks, comments emptied) in `mode` but let it pass: any body
/// line but a section keyword; in a preamble a blank line, or a dependency
/// tag we do not keep (`Requires`, `Provides`, ...) whose value passes
/// rpm's checks; in `%sourcelist`/`%patchlist` a blank line.
pub(super) fn inert(line: &[u8], mode: Mode) -> bool {
    if is_part(line).is_some() {
        return false;
    }
    let blank = line.iter().all(|c| c.is_ascii_whitespace());
    match mode {
        Mode::Body => true,
        Mode::List => blank,
        Mode::Preamble => {
            blank
                || find_tag(line).is_some_and(|t| {
                    t.tag == Tag::Deps
                        && bad_qualifiers(t.token, t.qualifier).is_none()
                        && line.iter().position(|&c| c == b':').is_some_and(|colon| {
                            let field = line[colon + 1..].trim_ascii();
                            !field.is_empty() && deps_field_checked(&text(field), t.token).is_ok()
                        })
                })
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Name,
    Version,
    Release,
    Epoch,
    Text,
    Source,
    Patch,
    NoSource,
    ExcludeArch,
    ExclusiveArch,
    ExcludeOs,
    ExclusiveOs,
    Icon,
    Deps,
    BuildRequires,
    BuildConflicts,
    Prefixes,
    BuildRoot,
    BuildArch,
    DocDir,
    Single,
    BuildSystem,
    BuildOption,
}

/// rpm's `preambleList`: (token, tag, parse type, makes a macro). Order
/// matters: a token that extends another comes first. As rpm 4.20's (Fedora's):
/// the weak dependency tags take qualifiers (`Suggests(meta):`), which rpm 4.18
/// rejects as an unknown tag.
const TAGS: &[(&str, Tag, u8, bool)] = &[
    ("name", Tag::Name, 0, true),
    ("version", Tag::Version, 0, true),
    ("release", Tag::Release, 0, true),
    ("epoch", Tag::Epoch, 0, true),
    ("summary", Tag::Text, 1, true),
    ("license", Tag::Text, 0, true),
    ("sourcelicense", Tag::Text, 0, true),
    ("distribution", Tag::Text, 0, true),
    ("disturl", Tag::Text, 0, true),
    ("vendor", Tag::Text, 0, true),
    ("group", Tag::Text, 1, true),
    ("packager", Tag::Text, 0, true),
    ("url", Tag::Single, 0, true),
    ("vcs", Tag::Single, 0, true),
    ("source", Tag::Source, 0, false),
    ("patch", Tag::Patch, 0, false),
    ("nosource", Tag::NoSource, 0, false),
    ("nopatch", Tag::NoSource, 0, false),
    ("excludearch", Tag::ExcludeArch, 0, false),
    ("exclusivearch", Tag::ExclusiveArch, 0, false),
    ("excludeos", Tag::ExcludeOs, 0, false),
    ("exclusiveos", Tag::ExclusiveOs, 0, false),
    ("icon", Tag::Icon, 0, false),
    ("provides", Tag::Deps, 0, false),
    ("requires", Tag::Deps, 2, false),
    // rpm 4.20 takes qualifiers on weak dependencies too (`Suggests(meta):`).
    ("recommends", Tag::Deps, 2, false),
    ("suggests", Tag::Deps, 2, false),
    ("supplements", Tag::Deps, 2, false),
    ("enhances", Tag::Deps, 2, false),
    ("prereq", Tag::Deps, 2, false),
    ("conflicts", Tag::Deps, 0, false),
    ("obsoletes", Tag::Deps, 0, false),
    ("prefixes", Tag::Prefixes, 0, true),
    ("prefix", Tag::Prefixes, 0, true),
    ("buildroot", Tag::BuildRoot, 0, false),
    ("buildarchitectures", Tag::BuildArch, 0, false),
    ("buildarch", Tag::BuildArch, 0, false),
    ("buildconflicts", Tag::BuildConflicts, 0, false),
    ("buildoption", Tag::BuildOption, 2, false),
    ("buildprereq", Tag::BuildRequires, 0, false),
    ("buildrequires", Tag::BuildRequires, 0, false),
    ("buildsystem", Tag::BuildSystem, 0, true),
    ("autoreqprov", Tag::Text, 0, false),
    ("autoreq", Tag::Text, 0, false),
    ("autoprov", Tag::Text, 0, false),
    ("docdir", Tag::DocDir, 0, false),
    ("disttag", Tag::Single, 0, true),
    ("bugurl", Tag::Single, 0, true),
    ("translationurl", Tag::Text, 0, true),
    ("upstreamreleases", Tag::Text, 0, true),
    ("orderwithrequires", Tag::Deps, 2, false),
    ("removepathpostfixes", Tag::Text, 0, true),
    ("modularitylabel", Tag::Single, 0, true),
];

/// A preamble line's tag, as [`find_tag`] reads it.
struct FoundTag<'a> {
    tag: Tag,
    /// The macro the tag's value defines (`%name` for `Name:`), if any.
    makes_macro: Option<&'static str>,
    /// The tag's token in [`TAGS`], lowercase (`requires`).
    token: &'static str,
    /// What is inside `(...)`: `post` of `Requires(post):`, `de` of
    /// `Summary(de):`; empty without one.
    qualifier: &'a [u8],
}

/// rpm's `findPreambleTag`. As rpm reads it, the qualifier is one word:
/// blanks may surround it, not split it (`Requires(post, postun):` is an
/// unknown tag).
fn find_tag(line: &[u8]) -> Option<FoundTag<'_>> {
    // rpm's findPreambleTag skips leading blanks (` BuildRequires: x`).
    let line = line.trim_ascii_start();
    let (tok, tag, kind, is_macro) = *TAGS.iter().find(|(tok, ..)| {
        line.len() >= tok.len() && line[..tok.len()].eq_ignore_ascii_case(tok.as_bytes())
    })?;
    let mut s = &line[tok.len()..];
    let skip = |s: &mut &[u8]| {
        while s.first().is_some_and(|c| c.is_ascii_whitespace()) {
            *s = &s[1..];
        }
    };
    skip(&mut s);
    let mut qualifier: &[u8] = &[];
    match kind {
        0 => {
            if !matches!(tag, Tag::Source | Tag::Patch) && s.first() != Some(&b':') {
                return None;
            }
        }
        _ => {
            if s.first() != Some(&b':') {
                if s.first() != Some(&b'(') {
                    return None;
                }
                s = &s[1..];
                skip(&mut s);
                let end = s
                    .iter()
                    .position(|&c| c.is_ascii_whitespace() || c == b')')
                    .unwrap_or(s.len());
                qualifier = &s[..end];
                s = &s[end..];
                skip(&mut s);
                if s.first() != Some(&b')') {
                    return None;
                }
                s = &s[1..];
                skip(&mut s);
                if s.first() != Some(&b':') {
                    return None;
                }
            }
        }
    }
    Some(FoundTag {
        tag,
        makes_macro: is_macro.then_some(tok),
        token: tok,
        qualifier,
    })
}

/// rpm's `parseBits` with `installScriptBits` (rpm 4.20's), the check of a
/// dependency tag's qualifiers (not `PreReq`'s): a comma-separated list of
/// these names, or nothing. On a bad list, rpm's name of the tag, for the
/// message.
fn bad_qualifiers(tok: &str, qualifier: &[u8]) -> Option<&'static str> {
    const BITS: &[&str] = &[
        "interp",
        "meta",
        "preun",
        "pre",
        "postun",
        "post",
        "rpmlib",
        "verify",
        "pretrans",
        "posttrans",
        "preuntrans",
        "postuntrans",
    ];
    let name = match tok {
        "requires" => "Requirename",
        "recommends" => "Recommendname",
        "suggests" => "Suggestname",
        "supplements" => "Supplementname",
        "enhances" => "Enhancename",
        "orderwithrequires" => "Ordername",
        _ => return None,
    };
    let ok = qualifier.is_empty()
        || qualifier
            .split(|&c| c == b',')
            .all(|q| BITS.iter().any(|b| b.as_bytes() == q));
    (!ok).then_some(name)
}

/// Where the parse is.
pub(super) struct Spec {
    pub out: SpecEval,
    /// Package names (the main one first) and whether they have a %description.
    packages: Vec<(String, bool)>,
    sources: Vec<u32>,
    patches: Vec<u32>,
    autonum_source: i64,
    autonum_patch: i64,
    build_arch_seen: bool,
    /// Whether the spec has its own `%generate_buildrequires` section.
    own_generate_buildrequires: bool,
    pub recursing: bool,
    /// Set when a main-package BuildArch asks for a restart.
    pub restart_arch: Option<Vec<String>>,
}

impl Spec {
    pub fn new(recursing: bool) -> Spec {
        Spec {
            out: SpecEval::default(),
            packages: Vec::new(),
            sources: Vec::new(),
            patches: Vec::new(),
            autonum_source: -1,
            autonum_patch: -1,
            build_arch_seen: false,
            own_generate_buildrequires: false,
            recursing,
            restart_arch: None,
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses the whole spec. `Err` is a fatal error (rpm fails the spec).
pub(super) fn parse(spec: &mut Spec, rd: &mut Reader, eng: &mut Engine) -> Result<(), Fatal> {
    let mut part = Some(Part::Package);
    let mut first = true;
    let mut built = Vec::new();
    while let Some(p) = part {
        if matches!(p, Part::Prep | Part::Other | Part::GenerateBuildRequires) {
            section::read_simple(&text(&rd.line), &mut built)
                .map_err(|e| format!("line {}: {e}", rd.lineno))?;
        }
        part = match p {
            Part::Package => {
                let r = preamble(spec, rd, eng, first)?;
                first = false;
                if spec.restart_arch.is_some() {
                    return Ok(());
                }
                r
            }
            Part::Description | Part::Files | Part::Script => {
                check_package_of(spec, &rd.line, p, rd.lineno)?;
                body(rd, eng, p, |_| Ok(()))?
            }
            Part::GenerateBuildRequires => {
                spec.out.dynamic_build_requires = true;
                spec.own_generate_buildrequires = true;
                body(rd, eng, p, |_| Ok(()))?
            }
            Part::SourceList | Part::PatchList => {
                let patch = p == Part::PatchList;
                let mut lines = Vec::new();
                let next = body(rd, eng, p, |l| {
                    lines.push(l.to_vec());
                    Ok(())
                })?;
                for l in lines {
                    let l = l.trim_ascii();
                    if !l.is_empty() {
                        add_source(spec, eng, patch, None, &text(l), rd.lineno)?;
                    }
                }
                next
            }
            Part::Prep => {
                // rpm 4.20 rejects the old `%patchN` form at the start of a
                // line of %prep itself (not of a `%prep -a`/`-p` part).
                let part_of = text(&rd.line)
                    .split_whitespace()
                    .skip(1)
                    .any(|w| w.starts_with('-') && w.contains(['a', 'p']));
                super::prep::enter(eng);
                let next = body(rd, eng, p, |l| {
                    if !part_of
                        && l.starts_with(b"%patch")
                        && l.get(6).is_some_and(u8::is_ascii_digit)
                    {
                        return Err(format!(
                            "%patchN no longer exists in rpm 4.20 (%patch N or %patch -P N): {}",
                            text(l)
                        ));
                    }
                    Ok(())
                })?;
                super::prep::leave(eng);
                next
            }
            Part::Other => body(rd, eng, p, |_| Ok(()))?,
        };
    }
    for (name, has) in &spec.packages {
        if !has {
            return Err(format!("Package has no %description: {name}"));
        }
    }
    build_system_sections(spec, eng);
    Ok(())
}

/// The sections a build system may fill in (rpm 4.20's `sectList`: name,
/// and whether a build system must define it).
const BUILD_SYSTEM_SECTIONS: &[(&str, bool)] = &[
    ("prep", false),
    ("conf", false),
    ("generate_buildrequires", false),
    ("build", true),
    ("install", true),
    ("check", false),
    ("clean", false),
];

/// rpm 4.20's `checkBuildsystem`: `BuildSystem: NAME` needs the parametric
/// macros `%buildsystem_NAME_build` and `_install`; none of the section
/// macros at all is an unknown build system.
fn check_build_system(eng: &Engine, name: &str, lineno: usize) -> Result<(), Fatal> {
    let parametric = |section: &str| {
        eng.table
            .get(&format!("buildsystem_{name}_{section}"))
            .is_some_and(Entry::is_parametric)
    };
    let missing = BUILD_SYSTEM_SECTIONS
        .iter()
        .find(|(section, required)| *required && !parametric(section));
    if !BUILD_SYSTEM_SECTIONS.iter().any(|(s, _)| parametric(s)) {
        return Err(format!("line {lineno}: Unknown buildsystem: {name}"));
    }
    if let Some((section, _)) = missing {
        return Err(format!(
            "line {lineno}: Required parametric macro %buildsystem_{name}_{section} not defined for buildsystem {name}"
        ));
    }
    Ok(())
}

/// rpm 4.20's `parseBuildsystem`, as far as BuildRequires go: after the
/// parse, `%{?buildsystem}` (the `BuildSystem:` tag's macro, or a spec's own
/// definition) names the build system; a section the spec lacks is filled
/// from `%buildsystem_NAME_SECTION` (or `%buildsystem_default_SECTION`), and
/// a filled-in `%generate_buildrequires` makes the BuildRequires dynamic, as
/// the spec's own section would. The other sections are shell code of the
/// build and change no BuildRequires.
fn build_system_sections(spec: &mut Spec, eng: &mut Engine) {
    if spec.own_generate_buildrequires {
        return;
    }
    let Ok(name) = eng.expand(b"%{?buildsystem}") else {
        return;
    };
    let name = text(&name);
    if name.is_empty() {
        return;
    }
    let filled = [name.as_str(), "default"].iter().any(|prefix| {
        eng.table
            .get(&format!("buildsystem_{prefix}_generate_buildrequires"))
            .is_some_and(Entry::is_parametric)
    });
    if filled {
        spec.out.dynamic_build_requires = true;
    }
}

/// Reads the lines of a section body up to the next section.
fn body(
    rd: &mut Reader,
    eng: &mut Engine,
    part: Part,
    mut each: impl FnMut(&[u8]) -> Result<(), Fatal>,
) -> Result<Option<Part>, Fatal> {
    rd.mode = mode_of(part);
    loop {
        if !rd.read_line(eng)? {
            return Ok(None);
        }
        if let Some(p) = is_part(&rd.line) {
            return Ok(Some(p));
        }
        each(&rd.line)?;
    }
}

/// The package a section line is for (rpm's `-n` name or sub-name; its
/// options read as rpm's popt tables read them, `spec/section.rs`).
fn section_package(spec: &Spec, line: &[u8]) -> Result<String, String> {
    let line = text(line);
    let keyword = line
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let args = section::read(&keyword, &line)?;
    let main = spec
        .packages
        .first()
        .map(|p| p.0.clone())
        .unwrap_or_default();
    Ok(match (args.explicit, args.sub) {
        (Some(n), _) => n,
        (None, Some(s)) => format!("{main}-{s}"),
        (None, None) => main,
    })
}

fn check_package_of(spec: &mut Spec, line: &[u8], part: Part, lineno: usize) -> Result<(), Fatal> {
    let name = section_package(spec, line).map_err(|e| format!("line {lineno}: {e}"))?;
    match spec.packages.iter_mut().find(|p| p.0 == name) {
        Some(p) => {
            if part == Part::Description {
                p.1 = true;
            }
            Ok(())
        }
        None => Err(format!("line {lineno}: Package does not exist: {name}")),
    }
}

/// rpm's `parsePreamble` for the main package (`first`) or a `%package`.
fn preamble(
    spec: &mut Spec,
    rd: &mut Reader,
    eng: &mut Engine,
    first: bool,
) -> Result<Option<Part>, Fatal> {
    let pkg_index = spec.packages.len();
    if first {
        spec.packages.push((String::new(), false));
    } else {
        let words: Vec<String> = text(&rd.line)
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect();
        let name = match words.as_slice() {
            [n] => format!("{}-{n}", spec.packages[0].0),
            [flag, n] if flag == "-n" => n.clone(),
            _ => return Err(format!("Bad package specification: {}", text(&rd.line))),
        };
        if spec.packages.iter().any(|p| p.0 == name) {
            return Err(format!(
                "line {}: Package already exists: {name}",
                rd.lineno
            ));
        }
        spec.packages.push((name, false));
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
            .split(super::reader::is_c_space)
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
            spec.packages[pkg_index].0.as_str()
        };
        tagcheck::duplicate(&mut put, tok, qualifier.is_empty(), shown_name, lineno)?;
        match tag {
            Tag::Name => {
                single(&value)?;
                char_check(&value, ".-_+%{}", Some("_%"), lineno)?;
                if first {
                    spec.packages[0].0 = value.clone();
                    spec.out.name = value.clone();
                    eng.header_name_version.0 = value.clone();
                } else {
                    spec.packages[pkg_index].0 = value.clone();
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
    let name = spec.packages.last().map(|p| p.0.as_str()).unwrap_or("");
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

/// rpm's `rpmCharCheck`.
pub(super) fn char_check(
    field: &str,
    allowed: &str,
    first: Option<&str>,
    lineno: usize,
) -> Result<(), Fatal> {
    let bad = field.char_indices().find(|&(i, c)| {
        let ok = c.is_ascii_alphanumeric()
            || if i == 0 && first.is_some() {
                first.is_some_and(|f| f.contains(c))
            } else {
                allowed.contains(c)
            };
        !ok
    });
    if let Some((_, c)) = bad {
        return Err(format!("line {lineno}: Illegal char '{c}' in: {field}"));
    }
    if field.contains("..") {
        return Err(format!(
            "line {lineno}: Illegal sequence \"..\" in: {field}"
        ));
    }
    Ok(())
}

/// rpm's `addSource`: `%SOURCEn`, `%SOURCEURLn` (or `PATCH`), Lua's
/// `sources`/`patches`.
fn add_source(
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

/// popt's `poptParseArgvString`: words split on blanks, `"..."` and
/// `'...'` quoting (a quote left open runs to the end; inside quotes a `\`
/// escapes only the quote, elsewhere any character), empty words dropped;
/// a `\` at the very end is popt's "bad quoting".
pub(super) fn popt_split(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(q), '\\') => {
                let n = chars.next().ok_or("bad quoting")?;
                if n != q {
                    cur.push('\\');
                }
                cur.push(n);
            }
            (Some(_), c) => cur.push(c),
            (None, '"') | (None, '\'') => quote = Some(c),
            (None, '\\') => cur.push(chars.next().ok_or("bad quoting")?),
            (None, c) if super::reader::is_c_space(c) => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn parts_and_tags() {
        assert_eq!(is_part(b"%description -n foo"), Some(Part::Description));
        assert_eq!(is_part(b"%Files"), Some(Part::Files));
        assert_eq!(is_part(b"%prepx"), None);
        assert_eq!(is_part(b" %prep"), None);
        assert_eq!(
            find_tag(b"BuildRequires: x").map(|t| t.tag),
            Some(Tag::BuildRequires)
        );
        assert_eq!(find_tag(b"Source10: x").map(|t| t.tag), Some(Tag::Source));
        assert_eq!(
            find_tag(b"Requires(post): x").map(|t| t.tag),
            Some(Tag::Deps)
        );
        assert_eq!(
            find_tag(b"Suggests(meta): x").map(|t| t.tag),
            Some(Tag::Deps)
        );
        assert_eq!(
            find_tag(b"Requires( post ) : x").map(|t| t.qualifier),
            Some(&b"post"[..])
        );
        assert!(find_tag(b"Requires(post, postun): x").is_none());
        assert_eq!(bad_qualifiers("requires", b"post,postun"), None);
        assert_eq!(bad_qualifiers("requires", b""), None);
        assert_eq!(bad_qualifiers("suggests", b"preuntrans"), None);
        assert_eq!(bad_qualifiers("requires", b"post,"), Some("Requirename"));
        assert_eq!(bad_qualifiers("requires", b"PRE"), Some("Requirename"));
        assert_eq!(bad_qualifiers("orderwithrequires", b"x"), Some("Ordername"));
        assert_eq!(bad_qualifiers("prereq", b"x"), None);
        assert_eq!(
            find_tag(b"Summary(de): x").map(|t| t.makes_macro),
            Some(Some("summary"))
        );
        assert!(find_tag(b"BuildRequires(pre): x").is_none());
        assert!(find_tag(b"Foo: x").is_none());
    }

    #[test]
    fn prefixes_split_as_popt() {
        assert_eq!(popt_split("a 'b c' \"d\"").unwrap(), ["a", "b c", "d"]);
        // popt: an open quote runs to the end, empty words are dropped, a
        // backslash in quotes escapes only the quote, a final one fails.
        assert_eq!(popt_split("\"x86_64 b").unwrap(), ["x86_64 b"]);
        assert_eq!(popt_split("a '' \"\" b").unwrap(), ["a", "b"]);
        assert_eq!(popt_split(r#""a\"b\c" d\ e"#).unwrap(), [r#"a"b\c"#, "d e"]);
        assert!(popt_split("a\\").is_err());
        // C's isspace: a Unicode space (U+00A0, U+3000) is part of the word.
        assert_eq!(
            popt_split("noarch\u{a0}x\u{3000}y\x0bz").unwrap(),
            ["noarch\u{a0}x\u{3000}y", "z"]
        );
    }
}
