//! comps: a repository's package groups (the `group_gz` or `group` record of
//! repomd.xml), as dnf 4 reads them for `dnf group install` (libcomps
//! 0.1.19 underneath `dnf.comps.Comps`; libcomps parses with expat).
//!
//! - [`Comps::parse`] reads `<group>` elements: id, untranslated name (a
//!   `<name>` without `xml:lang`), display order, and the `<packagereq>`
//!   list (type `mandatory` when not given, as libcomps defaults it, and a
//!   type it does not know read as one dnf installs under no option;
//!   `requires`; `basearchonly` when it says `true`, as libcomps reads it).
//!   Text is kept as libcomps keeps it (`text_of`: blanks on the text's
//!   line stay, line breaks go), `<display_order>` is read as its `strtol`
//!   reads it (`display_order`). Categories and environments are skipped.
//! - [`Comps::merge`] adds a later repository's comps (or a later group of
//!   an id within one file) as libcomps' union does
//!   (`comps_docgroup_union`): a group already known takes the later name
//!   (when it has one) and display order, and its package list gets the
//!   later types (see the merge for which entry each replaces).
//! - [`Comps::group_by_pattern`] is dnf's `group_by_pattern`: an exact id
//!   or name first, else a case-insensitive glob over ids and names; among
//!   several, the lowest display order wins.
//!
//! The document is first held to expat's well-formedness checks
//! ([`super::comps_expat`]): what expat refuses, libcomps refuses whole.
//!
//! dnf 4.14 asks libcomps to filter packages by `arch=` attributes but
//! throws the filtered copy away (`Base.read_comps`), so those attributes
//! change nothing, here as there. What we refuse where libcomps reads on,
//! and why: docs/formats.md section 8.

use std::collections::HashSet;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::xml::{attrs_as, Ev, XmlReader};
use crate::error::{Error, Result};

/// The type of a group package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageType {
    /// Installed with the group.
    Mandatory,
    /// Installed with the group unless excluded.
    Default,
    /// Installed only when asked for.
    Optional,
    /// Installed when the package it `requires` is.
    Conditional,
    /// A `type` libcomps does not know (`Mandatory`, a typo): in none of
    /// the lists dnf reads, so never installed; libcomps warns and reads
    /// on.
    Unknown,
}

/// One `<packagereq>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPackage {
    /// The package name.
    pub name: String,
    /// Its type in the group.
    pub kind: PackageType,
    /// Conditional packages: installed when this is.
    pub requires: Option<String>,
    /// Only the base arch's package, not the multilib one.
    pub basearchonly: bool,
}

/// One `<group>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The group id.
    pub id: String,
    /// The untranslated `<name>`.
    pub name: String,
    /// The `<display_order>`, if any.
    pub display_order: Option<i64>,
    /// The `<packagereq>` entries, in document order.
    pub packages: Vec<GroupPackage>,
}

impl Group {
    /// The names `dnf group install GROUP` installs with package types
    /// mandatory and default, in document order.
    pub fn mandatory_and_default(&self) -> Vec<&GroupPackage> {
        self.packages
            .iter()
            .filter(|p| matches!(p.kind, PackageType::Mandatory | PackageType::Default))
            .collect()
    }
}

/// The groups of one or more repositories.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comps {
    /// Every group, in document order.
    pub groups: Vec<Group>,
}

impl Comps {
    /// Parses a comps XML document; `origin` names it in errors.
    pub fn parse<R: BufRead>(mut r: R, origin: &str) -> Result<Comps> {
        // Read whole: expat's checks first (`comps_expat`), then the groups.
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)
            .map_err(|e| Error::format(origin, format!("cannot read: {e}")))?;
        let bytes = super::comps_expat::as_utf8(bytes, origin)?;
        let declared = super::comps_expat::check(&bytes, origin)?;
        let mut x = XmlReader::new(&bytes[..], origin).with_declared(declared);
        let mut buf = Vec::new();
        let mut out = Comps::default();
        let mut saw_root = false;
        let mut depth = 0usize;
        loop {
            match x.next(&mut buf)? {
                Ev::Start(s, empty) => {
                    let name = name_of(&s);
                    if depth == 0 {
                        // expat refuses a second root, and libcomps
                        // the whole file with it.
                        if saw_root {
                            return Err(x.err(format!("a second root element <{name}>")));
                        }
                        if name != "comps" {
                            return Err(Error::format(
                                origin,
                                format!("not a comps file (root element <{name}>)"),
                            ));
                        }
                        saw_root = true;
                        if !empty {
                            depth = 1;
                        }
                        continue;
                    }
                    if empty {
                        continue;
                    }
                    if name == "group" {
                        out.groups.push(parse_group(&mut x, &mut buf)?);
                    } else {
                        x.skip(&mut buf)?;
                    }
                }
                Ev::End => depth = depth.saturating_sub(1),
                Ev::Text(t)
                    if depth == 0 && !t.trim_matches([' ', '\t', '\n', '\r']).is_empty() =>
                {
                    return Err(x.err("text outside the <comps> element"));
                }
                // A file cut short: expat refuses it.
                Ev::Eof if depth > 0 => return Err(x.err("unexpected end of file in <comps>")),
                Ev::Eof => break,
                _ => {}
            }
        }
        if !saw_root {
            return Err(Error::format(
                origin,
                "not a comps file (no <comps> element)",
            ));
        }
        Ok(out)
    }

    /// Adds `later`'s groups (libcomps' union).
    pub fn merge(&mut self, later: Comps) {
        for g in later.groups {
            match self.groups.iter_mut().find(|o| o.id == g.id) {
                None => self.groups.push(g),
                Some(o) => {
                    // A later group without <name> keeps the earlier's.
                    if !g.name.is_empty() {
                        o.name = g.name;
                    }
                    if g.display_order.is_some() {
                        o.display_order = g.display_order;
                    }
                    // libcomps' `comps_docgroup_union`: a package of a
                    // name the earlier group has takes the place of its
                    // first such entry, once (a second one of that name
                    // is dropped: the entry it looks for by identity is
                    // gone); any other is appended, repeats and all.
                    let earlier: HashSet<String> =
                        o.packages.iter().map(|q| q.name.clone()).collect();
                    let mut replaced = HashSet::new();
                    for p in g.packages {
                        if !earlier.contains(&p.name) {
                            o.packages.push(p);
                        } else if replaced.insert(p.name.clone()) {
                            if let Some(q) = o.packages.iter_mut().find(|q| q.name == p.name) {
                                *q = p;
                            }
                        }
                    }
                }
            }
        }
    }

    /// dnf's `group_by_pattern(pattern)`.
    pub fn group_by_pattern(&self, pattern: &str) -> Option<&Group> {
        let exact: Vec<&Group> = self
            .groups
            .iter()
            .filter(|g| g.id == pattern || (!g.name.is_empty() && g.name == pattern))
            .collect();
        let mut found = if exact.is_empty() {
            let pat = pattern.to_lowercase();
            self.groups
                .iter()
                .filter(|g| {
                    crate::fnmatch::glob_match(&pat, &g.id.to_lowercase())
                        || (!g.name.is_empty()
                            && crate::fnmatch::glob_match(&pat, &g.name.to_lowercase()))
                })
                .collect()
        } else {
            exact
        };
        found.sort_by_key(|g| (g.display_order.unwrap_or(i64::MAX), g.id.clone()));
        found.into_iter().next()
    }
}

/// An element's name as expat gives it to libcomps, prefix and all
/// (`<x:id>` is no `<id>`: libcomps asks for no namespace processing).
fn name_of(s: &BytesStart<'_>) -> String {
    s.name().as_ref().to_string()
}

/// The value of the attribute named `key`, prefix and all (`foo:type` is
/// no `type` to libcomps).
fn attr_named<R: BufRead>(
    x: &XmlReader<R>,
    s: &BytesStart<'_>,
    key: &str,
) -> Result<Option<String>> {
    let mut found = None;
    attrs_as(x, s, false, |k, v| {
        if k == key {
            found = Some(v.to_string());
        }
    })?;
    Ok(found)
}

fn parse_group<R: BufRead>(x: &mut XmlReader<R>, buf: &mut Vec<u8>) -> Result<Group> {
    let mut g = Group {
        id: String::new(),
        name: String::new(),
        display_order: None,
        packages: Vec::new(),
    };
    loop {
        match x.next(buf)? {
            Ev::Start(s, empty) => {
                let name = name_of(&s);
                let translated = is_translation(x, &s)?;
                if empty {
                    continue;
                }
                // libcomps keeps an element's text as written, blanks and
                // all, and blanks only as no text; a later element of a
                // kind replaces an earlier one.
                match name.as_str() {
                    "id" => g.id = text_of(x, buf)?.unwrap_or_default(),
                    "name" if !translated => g.name = text_of(x, buf)?.unwrap_or_default(),
                    "display_order" => {
                        let text = text_of(x, buf)?.unwrap_or_default();
                        g.display_order = display_order(&text, g.display_order);
                    }
                    "packagelist" => parse_packagelist(x, buf, &mut g.packages)?,
                    _ => x.skip(buf)?,
                }
            }
            Ev::End => break,
            Ev::Eof => return Err(x.err("unexpected end of file in <group>")),
            _ => {}
        }
    }
    if g.id.is_empty() {
        return Err(x.err("a <group> without <id>"));
    }
    Ok(g)
}

/// Whether an element is a translation: libcomps takes `xml:lang` alone
/// (a `<name lang="de">` is the untranslated name to it).
fn is_translation<R: BufRead>(x: &XmlReader<R>, s: &BytesStart<'_>) -> Result<bool> {
    for a in s.attributes().with_checks(false) {
        let a = a.map_err(|e| x.err(format!("bad attribute: {e}")))?;
        if a.key.as_ref() == "xml:lang" {
            return Ok(true);
        }
    }
    Ok(false)
}

/// An element's text as libcomps keeps it, or none ("content missing").
/// libcomps reads XML with expat, which hands text over in pieces (a line
/// at a time, each line break alone, each entity or character reference
/// alone, a CDATA section's lines), and skips every piece of C blanks only:
/// so line breaks and the blanks around the text on their own lines go
/// (`<id>\n  core\n</id>` is `core`, `a\n b` is `a b`), blanks on the
/// text's own line stay (` core` is ` core`), and so does nothing else.
fn text_of<R: BufRead>(x: &mut XmlReader<R>, buf: &mut Vec<u8>) -> Result<Option<String>> {
    let blank = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c');
    let mut out = String::new();
    let mut depth = 1usize;
    while depth > 0 {
        match x.next(buf)? {
            // Our reader gives each reference and CDATA section as a piece
            // of its own, as expat does.
            Ev::Text(t) if depth == 1 => {
                for piece in t.split(['\n', '\r']) {
                    if !piece.chars().all(blank) {
                        out.push_str(piece);
                    }
                }
            }
            // libcomps keeps the text after an element's last child only
            // (`a<b>x</b>c` is `c`, `a<b/>` no text).
            Ev::Start(_, empty) => {
                if depth == 1 {
                    out.clear();
                }
                if !empty {
                    depth += 1;
                }
            }
            Ev::End => depth -= 1,
            Ev::Eof => return Err(x.err("unexpected end of file")),
            _ => {}
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A `<display_order>` as libcomps 0.1.19 reads it, given the group's
/// order so far: C's `strtol` (blanks, a sign, decimal digits; saturated
/// at the `long` range) cut to an `int`. Text without a leading number
/// sets 0 when there is no order yet, else leaves it (`5` then `x` is 5,
/// `x` alone 0). Empty or blank text, on which libcomps crashes, is no
/// order here.
fn display_order(text: &str, before: Option<i64>) -> Option<i64> {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if t.is_empty() {
        return before;
    }
    let (negative, digits) = match t.as_bytes()[0] {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = &digits[..digits.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return Some(before.unwrap_or(0));
    }
    // Saturated as strtol saturates (i64: `long` on dnf's 64-bit arches).
    let value = digits.bytes().fold(0i128, |v, d| {
        (v * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1)
    });
    let value = if negative { -value } else { value };
    let long = value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    // libcomps stores an `int`: the low 32 bits.
    Some(i64::from(long as i32))
}

fn parse_packagelist<R: BufRead>(
    x: &mut XmlReader<R>,
    buf: &mut Vec<u8>,
    out: &mut Vec<GroupPackage>,
) -> Result<()> {
    loop {
        match x.next(buf)? {
            Ev::Start(s, empty) => {
                if name_of(&s) != "packagereq" {
                    if !empty {
                        x.skip(buf)?;
                    }
                    continue;
                }
                let kind = match attr_named(x, &s, "type")?.as_deref() {
                    None | Some("mandatory") => PackageType::Mandatory,
                    Some("default") => PackageType::Default,
                    Some("optional") => PackageType::Optional,
                    Some("conditional") => PackageType::Conditional,
                    Some(_) => PackageType::Unknown,
                };
                let requires = attr_named(x, &s, "requires")?.filter(|r| !r.is_empty());
                // libcomps 0.1.19 takes `true` alone (`True`, `1`: unset).
                let basearchonly = attr_named(x, &s, "basearchonly")?.is_some_and(|v| v == "true");
                // A name-less `<packagereq>` libcomps keeps (and dnf's
                // group install then fails on) is left out.
                let name = if empty { None } else { text_of(x, buf)? };
                if let Some(name) = name {
                    out.push(GroupPackage {
                        name,
                        kind,
                        requires,
                        basearchonly,
                    });
                }
            }
            Ev::End => return Ok(()),
            Ev::Eof => return Err(x.err("unexpected end of file in <packagelist>")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <name xml:lang="de">Kern</name>
    <description>Smallest possible installation</description>
    <display_order>10</display_order>
    <packagelist>
      <packagereq>notype</packagereq>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq type="default" arch="aarch64">onlyarm</packagereq>
      <packagereq type="optional">extra</packagereq>
      <packagereq type="conditional" requires="x">cond</packagereq>
    </packagelist>
  </group>
  <category><id>c</id><grouplist><groupid>core</groupid></grouplist></category>
</comps>
"#;

    const B: &str = r#"<comps>
  <group>
    <id>core</id>
    <name>Core B</name>
    <packagelist>
      <packagereq type="default">extra</packagereq>
      <packagereq type="default">later</packagereq>
    </packagelist>
  </group>
  <group><id>web-server</id><name>Web Server</name><display_order>5</display_order></group>
  <group><id>web-tools</id><name>Web Tools</name><display_order>3</display_order></group>
</comps>
"#;

    #[test]
    fn groups_types_and_untranslated_names() {
        let c = Comps::parse(A.as_bytes(), "a.xml").unwrap();
        assert_eq!(c.groups.len(), 1);
        let g = &c.groups[0];
        assert_eq!((g.id.as_str(), g.name.as_str()), ("core", "Core"));
        let md: Vec<&str> = g
            .mandatory_and_default()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        // The arch attribute changes nothing (dnf 4.14 drops libcomps' filtered copy).
        assert_eq!(md, ["notype", "bash", "onlyarm"]);
        assert_eq!(g.packages[4].requires.as_deref(), Some("x"));
    }

    #[test]
    fn merge_is_libcomps_union() {
        let mut c = Comps::parse(A.as_bytes(), "a.xml").unwrap();
        c.merge(Comps::parse(B.as_bytes(), "b.xml").unwrap());
        let g = c.group_by_pattern("core").unwrap();
        assert_eq!(g.name, "Core B");
        assert_eq!(g.display_order, Some(10));
        let md: Vec<&str> = g
            .mandatory_and_default()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(md, ["notype", "bash", "onlyarm", "extra", "later"]);
    }

    #[test]
    fn patterns_exact_then_glob_by_display_order() {
        let mut c = Comps::parse(A.as_bytes(), "a.xml").unwrap();
        c.merge(Comps::parse(B.as_bytes(), "b.xml").unwrap());
        assert_eq!(c.group_by_pattern("Web Server").unwrap().id, "web-server");
        assert_eq!(c.group_by_pattern("web-*").unwrap().id, "web-tools");
        assert_eq!(c.group_by_pattern("WEB-S*").unwrap().id, "web-server");
        assert!(c.group_by_pattern("web").is_none());
    }

    /// libcomps 0.1.19 (python3-libcomps, probed): a type it does not know
    /// is its PACKAGE_TYPE_UNKNOWN, in none of the lists dnf installs from,
    /// the rest of the file read; `basearchonly` is set by `true` alone; a
    /// union keeps the earlier name when the later group has none, and a
    /// later unknown type replaces an earlier one.
    #[test]
    fn odd_packagereqs_and_unions_as_libcomps_reads_them() {
        let text = r#"<comps><group><id>g</id><name>G</name><packagelist>
            <packagereq type="Mandatory">cap</packagereq>
            <packagereq type="weird">w</packagereq>
            <packagereq>m</packagereq>
            <packagereq basearchonly="true">b1</packagereq>
            <packagereq basearchonly="True">b2</packagereq>
            <packagereq basearchonly="1">b3</packagereq>
            </packagelist></group></comps>"#;
        let mut c = Comps::parse(text.as_bytes(), "a.xml").unwrap();
        let g = &c.groups[0];
        assert_eq!(g.packages[0].kind, PackageType::Unknown);
        let installed: Vec<(&str, bool)> = g
            .mandatory_and_default()
            .iter()
            .map(|p| (p.name.as_str(), p.basearchonly))
            .collect();
        assert_eq!(
            installed,
            [("m", false), ("b1", true), ("b2", false), ("b3", false)]
        );
        let later = r#"<comps><group><id>g</id><packagelist>
            <packagereq type="bogus">m</packagereq></packagelist></group></comps>"#;
        c.merge(Comps::parse(later.as_bytes(), "b.xml").unwrap());
        let g = &c.groups[0];
        assert_eq!(g.name, "G");
        assert_eq!(g.packages[2].kind, PackageType::Unknown);
    }

    /// Found by the edge cases against libcomps 0.1.19: an element's text
    /// is what follows its last child (`a<b>x</b>c` is `c`; we joined
    /// `ac`); a prefixed name (`foo:type`, `<x:id>`) is not the name
    /// libcomps asks for (we took its local part); an entity the internal
    /// subset declares, or one expat skips for an external DTD, gives no
    /// text (we refused the file).
    #[test]
    fn edges_are_read_as_libcomps_reads_them() {
        let names =
            |g: &Group| -> Vec<String> { g.packages.iter().map(|p| p.name.clone()).collect() };
        let g = one_group(
            "<id>g</id><x:id xmlns:x='u'>y</x:id><packagelist><packagereq>a<b>x</b>c</packagereq>\
             <packagereq>a<b/></packagereq><packagereq foo:type=\"optional\">d</packagereq>\
             </packagelist>",
        );
        assert_eq!(g.id, "g");
        assert_eq!(names(&g), ["c", "d"]);
        assert_eq!(g.packages[1].kind, PackageType::Mandatory);
        for head in [
            "<!DOCTYPE comps [<!ENTITY e \"ity\">]>",
            "<!DOCTYPE comps PUBLIC \"-//Red Hat, Inc.//DTD Comps info//EN\" \"comps.dtd\">",
        ] {
            let text = format!(
                "{head}<comps><group><id>g&e;</id><packagelist><packagereq>&e;b</packagereq>\
                 </packagelist></group></comps>"
            );
            let c = Comps::parse(text.as_bytes(), "a.xml").unwrap();
            assert_eq!(
                (c.groups[0].id.as_str(), names(&c.groups[0])),
                ("g", vec!["b".to_string()])
            );
        }
        // The declared encoding is not read: the bytes are UTF-8.
        let text = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><comps><group><id>café</id>\
                    </group></comps>";
        assert_eq!(
            Comps::parse(text.as_bytes(), "a.xml").unwrap().groups[0].id,
            "café"
        );
    }

    /// libcomps 0.1.19 (`fromxml_f`, as dnf reads a repo's comps) reads a
    /// UTF-16 document, with a byte order mark or without one (expat tells
    /// it from the first `<`), whatever its declaration says; both were
    /// refused here as "not UTF-8".
    #[test]
    fn a_utf16_document_is_read_as_libcomps_reads_it() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<comps><group><id>caf\u{e9}\
                    </id><name>N</name><packagelist><packagereq>p</packagereq></packagelist>\
                    </group></comps>\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [&[0xff, 0xfe][..], &le].concat(),
            [&[0xfe, 0xff][..], &be].concat(),
            le.clone(),
            be.clone(),
        ] {
            let c = Comps::parse(&bytes[..], "a.xml").unwrap();
            assert_eq!(c.groups[0].id, "caf\u{e9}");
            assert_eq!(c.groups[0].packages[0].name, "p");
        }
        // An odd byte, or a lone surrogate: refused, as expat refuses them.
        assert!(Comps::parse(&[&[0xff, 0xfe][..], &le, &[0x3c]].concat()[..], "a.xml").is_err());
        let mut lone = [&[0xff, 0xfe][..], &le].concat();
        lone.extend_from_slice(&[0x00, 0xd8]);
        assert!(Comps::parse(&lone[..], "a.xml").is_err());
    }

    /// libcomps 0.1.19 (`fromxml_f`, python3-libcomps on Debian 12)
    /// refuses a UTF-32 document in either byte order, with a byte order
    /// mark or without one, whatever its declaration says ("Fatal parser
    /// error": expat reads UTF-8 and UTF-16 only); refused here too, named.
    #[test]
    fn a_utf32_document_is_refused_as_libcomps_refuses_it() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-32\"?>\n<comps><group><id>g</id>\
                    </group></comps>\n";
        let le: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        let be: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        for bytes in [
            [&[0xff, 0xfe, 0, 0][..], &le].concat(),
            [&[0, 0, 0xfe, 0xff][..], &be].concat(),
            le.clone(),
            be.clone(),
        ] {
            let e = Comps::parse(&bytes[..], "c.xml").unwrap_err().to_string();
            assert!(e.starts_with("c.xml: "), "{e}");
            assert!(e.contains("UTF-32"), "{e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    fn one_group(body: &str) -> Group {
        let text = format!("<comps><group>{body}</group></comps>");
        let mut c = Comps::parse(text.as_bytes(), "a.xml").unwrap();
        assert_eq!(c.groups.len(), 1);
        c.groups.remove(0)
    }

    /// libcomps 0.1.19 (python3-libcomps, probed): expat's pieces of text,
    /// those of blanks only skipped (the text was trimmed here, so
    /// `<id> core</id>` found a group dnf does not find by `core`).
    #[test]
    fn text_is_kept_as_libcomps_keeps_it() {
        let g = one_group(
            "<id> core</id><name>\n  Core  \n</name><packagelist>\
             <packagereq>\n        bash\n      </packagereq>\
             <packagereq>a \n b</packagereq><packagereq>a&#32;b</packagereq>\
             <packagereq> &lt; </packagereq><packagereq>\n &#32; \n</packagereq>\
             <packagereq><![CDATA[x\ny]]></packagereq></packagelist>",
        );
        assert_eq!(g.id, " core");
        assert_eq!(g.name, "  Core  ");
        let names: Vec<&str> = g.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["        bash", "a  b", "ab", "<", "xy"]);
        // Blanks only are no id.
        let e = Comps::parse(
            "<comps><group><id>\n </id></group></comps>".as_bytes(),
            "a.xml",
        );
        assert!(e.unwrap_err().to_string().contains("without <id>"));
    }

    /// libcomps reads `<display_order>` with `strtol` into an `int`; text
    /// without a leading number sets 0 once, and leaves an earlier order.
    #[test]
    fn display_order_is_libcomps_number() {
        for (orders, want) in [
            (&["5x"][..], Some(5)),
            (&["x"], Some(0)),
            (&["\n 12\n"], Some(12)),
            (&["+8"], Some(8)),
            (&["0x10"], Some(0)),
            (&["2147483648"], Some(-2147483648)),
            (&["4294967296"], Some(0)),
            (&["99999999999999999999"], Some(-1)),
            (&["-2147483649"], Some(2147483647)),
            (&["5", "x"], Some(5)),
            (&["x", "7"], Some(7)),
            (&["5", "-x"], Some(5)),
            (&["3", "0"], Some(0)),
        ] {
            let body: String = orders
                .iter()
                .map(|o| format!("<display_order>{o}</display_order>"))
                .collect();
            assert_eq!(
                one_group(&format!("<id>g</id>{body}")).display_order,
                want,
                "{orders:?}"
            );
        }
    }

    /// Only `xml:lang` makes a translation; `lang="de"` names the group.
    #[test]
    fn a_name_without_xml_lang_is_the_untranslated_name() {
        let g = one_group(r#"<id>g</id><name xml:lang="de">T</name><name lang="de">L</name>"#);
        assert_eq!(g.name, "L");
        let c = Comps {
            groups: vec![one_group("<id>g</id>")],
        };
        assert!(c.group_by_pattern("").is_none());
    }

    /// libcomps' union of two groups' packages: a name the earlier group
    /// has is replaced at its first entry by the later's first entry of
    /// that name, a later one of it dropped; other names are appended,
    /// repeats and all.
    #[test]
    fn package_lists_are_joined_as_libcomps_joins_them() {
        let group = |reqs: &[(&str, &str)]| {
            let reqs: String = reqs
                .iter()
                .map(|(n, t)| format!(r#"<packagereq type="{t}">{n}</packagereq>"#))
                .collect();
            format!("<group><id>g</id><packagelist>{reqs}</packagelist></group>")
        };
        let joined = |docs: &[String]| {
            let mut c = Comps::default();
            for d in docs {
                c.merge(Comps::parse(format!("<comps>{d}</comps>").as_bytes(), "a.xml").unwrap());
            }
            let g = &c.groups[0];
            g.packages
                .iter()
                .map(|p| format!("{}:{:?}", p.name, p.kind))
                .collect::<Vec<_>>()
        };
        let docs = [
            group(&[("a", "mandatory"), ("b", "mandatory")]),
            group(&[("b", "default"), ("a", "optional"), ("b", "optional")]),
        ];
        assert_eq!(joined(&docs), ["a:Optional", "b:Default"]);
        let docs = [
            group(&[("a", "mandatory")]),
            group(&[("b", "default"), ("b", "optional"), ("b", "bogus")]),
        ];
        assert_eq!(
            joined(&docs),
            ["a:Mandatory", "b:Default", "b:Optional", "b:Unknown"]
        );
        // Two groups of one id in one file are joined the same way.
        let docs = [group(&[("b", "bogus")]) + &group(&[("b", "default"), ("b", "optional")])];
        assert_eq!(joined(&docs), ["b:Default"]);
    }

    /// What expat refuses, libcomps refuses whole.
    #[test]
    fn a_file_expat_refuses_is_refused() {
        for text in [
            "<comps><group><id>a</id></group></comps><comps/>",
            "<comps><group><id>a</id></group></comps>trailing",
            "<comps><group><id>a</id></group>",
        ] {
            assert!(Comps::parse(text.as_bytes(), "a.xml").is_err(), "{text}");
        }
    }

    #[test]
    fn bad_files_are_one_line_errors() {
        let e = Comps::parse("<repomd/>".as_bytes(), "x.xml")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "x.xml: not a comps file (root element <repomd>)");
        let e = Comps::parse("<comps><group><id>x</id>".as_bytes(), "y.xml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("y.xml: "), "{e}");
    }
}
