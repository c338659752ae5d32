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
//!
//! This file is the section loop; which tag a preamble line carries is in
//! `tags`, what each tag does in `preamble`.

mod preamble;
mod tags;

use super::depfield::deps_field_checked;
use super::expand::Engine;
use super::reader::{Fatal, Mode, Reader};
use super::section;
use super::table::Entry;
use super::SpecEval;
use preamble::{add_source, preamble};
use tags::{bad_qualifiers, find_tag, Tag};

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

/// Whether a line as rpm hands it out (as `rpmspec -P` prints it) is a
/// section line (rpm's `isPart`), and if so whether it is `%prep`.
pub(crate) fn section_line_is_prep(line: &str) -> Option<bool> {
    is_part(line.as_bytes()).map(|p| p == Part::Prep)
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

/// One package of the spec, as rpm's `Package` holds what the SRPM needs
/// of it.
#[derive(Default)]
pub(super) struct Package {
    pub name: String,
    pub has_description: bool,
    /// It has a `%files` section: rpmbuild builds it, and the SRPM provides
    /// it (`finalizeSourceHeader`).
    pub has_files: bool,
    /// A subpackage's own `Epoch:`, `Version:`, `Release:` (expanded); the
    /// ones it lacks are the main package's (`copyInheritedTags`).
    pub epoch: Option<u32>,
    pub version: Option<String>,
    pub release: Option<String>,
}

impl Package {
    pub fn named(name: String) -> Package {
        Package {
            name,
            ..Default::default()
        }
    }
}

/// Where the parse is.
pub(super) struct Spec {
    pub out: SpecEval,
    /// The packages, the main one first.
    packages: Vec<Package>,
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
                // rpm's parseLines makes the section only once readLine
                // hands it a line after the section line (any line: a
                // blank, a comment, an `%endif`, the next section's): one
                // that ends the spec is no section (rpm 4.18 and 6.1 write
                // no `rpmlib(DynamicBuildRequires)` for it). A part (`-a`,
                // `-p`) is kept even when empty, and rpm 4.20 makes the
                // section of the parts after the parse.
                let part = super::generate_buildrequires_line(&text(&rd.line)) == Some(true);
                let before = rd.handed_out;
                let next = body(rd, eng, p, |_| Ok(()))?;
                if part || rd.handed_out > before {
                    spec.out.dynamic_build_requires = true;
                    spec.own_generate_buildrequires = true;
                }
                next
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
    for p in &spec.packages {
        if !p.has_description {
            return Err(format!("Package has no %description: {}", p.name));
        }
    }
    build_system_sections(spec, eng);
    spec.out.built_packages = Some(built_packages(spec));
    Ok(())
}

/// rpm's `finalizeSourceHeader`: each package with a `%files` section, in
/// spec order, with its `[E:]V-R` (`rpmdsThis`), a subpackage's missing
/// Epoch, Version and Release taken from the main package.
fn built_packages(spec: &Spec) -> Vec<(String, String)> {
    let out = &spec.out;
    spec.packages
        .iter()
        .filter(|p| p.has_files)
        .map(|p| {
            let epoch = p.epoch.or(out.epoch);
            let version = p.version.as_deref().unwrap_or(&out.version);
            let release = p.release.as_deref().unwrap_or(&out.release);
            let evr = match epoch {
                Some(e) => format!("{e}:{version}-{release}"),
                None => format!("{version}-{release}"),
            };
            (p.name.clone(), evr)
        })
        .collect()
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
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Ok(match (args.explicit, args.sub) {
        (Some(n), _) => n,
        (None, Some(s)) => format!("{main}-{s}"),
        (None, None) => main,
    })
}

fn check_package_of(spec: &mut Spec, line: &[u8], part: Part, lineno: usize) -> Result<(), Fatal> {
    let name = section_package(spec, line).map_err(|e| format!("line {lineno}: {e}"))?;
    match spec.packages.iter_mut().find(|p| p.name == name) {
        Some(p) => {
            match part {
                Part::Description => p.has_description = true,
                Part::Files => p.has_files = true,
                _ => {}
            }
            Ok(())
        }
        None => Err(format!("line {lineno}: Package does not exist: {name}")),
    }
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
