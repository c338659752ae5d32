//! The preamble's tag table and the reading of a tag off a line, as rpm
//! 4.20 does it (build/parsePreamble.c `preambleList`/`findPreambleTag`,
//! and its `parseBits` for the qualifiers of dependency tags).
//! Separate from the preamble's handling of each tag ([`mod@super::preamble`])
//! because the reader's look-ahead ([`super::inert`]) needs only this part:
//! which tag a line carries, not what it does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
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
pub(super) struct FoundTag<'a> {
    pub(super) tag: Tag,
    /// The macro the tag's value defines (`%name` for `Name:`), if any.
    pub(super) makes_macro: Option<&'static str>,
    /// The tag's token in [`TAGS`], lowercase (`requires`).
    pub(super) token: &'static str,
    /// What is inside `(...)`: `post` of `Requires(post):`, `de` of
    /// `Summary(de):`; empty without one.
    pub(super) qualifier: &'a [u8],
}

/// rpm's `findPreambleTag`. As rpm reads it, the qualifier is one word:
/// blanks may surround it, not split it (`Requires(post, postun):` is an
/// unknown tag).
pub(super) fn find_tag(line: &[u8]) -> Option<FoundTag<'_>> {
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
pub(super) fn bad_qualifiers(tok: &str, qualifier: &[u8]) -> Option<&'static str> {
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
