//! Whether rpm's own parse of a spec opened a `%generate_buildrequires`
//! section, for `identify-archful-srpms --rpmspec`: rpmbuild marks an SRPM
//! as having dynamic BuildRequires (`rpmlib(DynamicBuildRequires)`,
//! `packageSources` in rpm's build/pack) exactly when the parsed spec has
//! that section, so one inside a false `%if` does not count.
//!
//! `rpmspec -q` shows no trace of the section, and `rpmspec -P` of rpm 4.18
//! drops the section line that ends `%prep` (its `parsePrep` reads that line
//! with `STRIP_PARSED`). So the spec given to rpm gets a section line of our
//! own appended at its end ([`appended`]): rpm refuses a second section
//! (`parseSimpleScript`: "second %generate_buildrequires"), so that error
//! says rpm read one already, however its line came to be (the name
//! expanded as a macro, `%%generate_buildrequires`, a Lua `print`). Our line
//! comes after everything the spec says, so nothing in the spec can see it
//! (a probe defined as a macro was seen by `%{?generate_buildrequires:...}`).
//! The spec is then read again as it is, for its BuildRequires.
//!
//! rpm 4.20's `BuildSystem:` fills in the section after the parse when the
//! spec has none (`parseBuildsystem`, only if `%buildsystem_NAME_...` or
//! `%buildsystem_default_...` is a parametric macro); our section would take
//! its place, so a line before ours reports, on stderr, whether the build
//! system would have filled it in.
//!
//! What the appended lines cannot tell, `rpmspec -P` of the spec as it is
//! (the lines rpm handed to its parser, expanded) tells, where the spec's
//! text says it may matter:
//! - a section line that is the last line rpm reads makes no section (rpm's
//!   `parseLines` makes it when it reads a line after it), but our lines
//!   follow it, so rpm refuses ours ([`ends_in_section`]). rpm 4.18 drops
//!   the line that ends `%prep` from `-P`, so there the spec without its
//!   last line is printed too ([`ends_in_prep`], [`without_last`]); and a
//!   conditional's line (handed out emptied) does not show at all, so the
//!   spec with its last line written twice ([`doubled`]) tells whether that
//!   line is the section line: rpm refuses the copy as a second section
//!   only then;
//! - rpm 4.20's parts (`%generate_buildrequires -a`/`-p`) make the section
//!   after the parse when the spec has none of its own (rpm's
//!   `applyAppendPrepend`), and ours, there first, takes them
//!   ([`has_part`]).
//!
//! Which spec texts are asked ([`may_end_in_section`], [`may_have_parts`])
//! is decided from the text alone; where the answer depends on lines
//! `rpmspec -P` does not show (a conditional's, handed out emptied), the
//! refusal's answer stands.

use std::ops::RangeInclusive;

/// What the report of the build system's section starts with.
const TAG: &str = "rpm-buildroot-section-probe";

/// A spec with our section appended ([`appended`]).
pub(super) struct Probed {
    pub text: Vec<u8>,
    /// The line number of our section line, which rpm's refusal names.
    pub line: usize,
}

/// `text` (a spec's bytes) with our section appended: first a line whose
/// Lua reports (on stderr) whether a build system would fill in the
/// section, then our section line, written `%%` so that no macro of the
/// spec's can change it; each on a line of its own (a last line without a
/// newline is ended; one that now ends in a `\` gets an empty line after
/// it, which ends the continuation). None when the spec's last line asks
/// for another (an odd run of `\` before its newline): rpm fails such a
/// spec at its end ("unclosed macro or bad line continuation"), and a line
/// of ours would let it pass.
pub(super) fn appended(text: &[u8]) -> Option<Probed> {
    if text.ends_with(b"\n") && continued(&text[..text.len() - 1]) {
        return None;
    }
    let mut out = ended(text);
    out.extend_from_slice(
        format!(
            "%{{lua:pcall(function() \
             local b = rpm.expand('%{{?buildsystem}}') \
             for _, p in ipairs({{b, 'default'}}) do \
             local _, parametric = rpm.isdefined('buildsystem_' .. p .. '_generate_buildrequires') \
             if b ~= '' and parametric then rpm.expand('%{{warn:{TAG} build system}}') return end \
             end end)}}\n"
        )
        .as_bytes(),
    );
    // rpm numbers the physical lines of the file.
    let line = memchr::memchr_iter(b'\n', &out).count() + 1;
    out.extend_from_slice(b"%%generate_buildrequires\n");
    Some(Probed { text: out, line })
}

/// `text` with its last line ended: a newline added where it has none,
/// and an empty line after one that then ends in a `\\`, which ends the
/// continuation.
fn ended(text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
        if continued(text) {
            out.push(b'\n');
        }
    }
    out
}

/// The comment line [`marked`] appends.
const END: &str = "# rpm-buildroot: the spec ends here";

/// `text` (a spec's bytes) with a comment line of ours after its last
/// line, so that `rpmspec -P` shows where the spec's own lines end (a
/// build system's sections follow them; [`ends_in_section`]).
pub(super) fn marked(text: &[u8]) -> Vec<u8> {
    let mut out = ended(text);
    out.extend_from_slice(END.as_bytes());
    out.push(b'\n');
    out
}

/// A spec with its last line written twice ([`doubled`]).
pub(super) struct Doubled {
    pub text: Vec<u8>,
    /// The physical lines of the copy, by which rpm's refusal of a
    /// second section there is numbered.
    pub lines: RangeInclusive<usize>,
}

/// `text` (a spec's bytes) with a copy of its last line after it (the
/// physical lines rpm joins into one: an open `%{`, a `\` continuation):
/// when that line hands out the section line last, rpm reads the copy's
/// section line as a second section and refuses it; when it hands out a
/// conditional's line (`%{expand:%%endif}`, emptied, but a line after the
/// section), the copy is not refused. None where the copy would not stand
/// for the line: a last line that asks for another (rpm fails the spec), a
/// blank one, an `%include` (rpm reads on into the file).
pub(super) fn doubled(text: &[u8]) -> Option<Doubled> {
    if text.ends_with(b"\n") && continued(&text[..text.len() - 1]) {
        return None;
    }
    let mut out = ended(text);
    let (start, _) = crate::spec::last_joined_line(&out);
    let last = out[start..].to_vec();
    let word = String::from_utf8_lossy(&last);
    let word = word.split_whitespace().next().unwrap_or_default();
    if word.is_empty() || word == "%include" || continued(last.strip_suffix(b"\n")?) {
        return None;
    }
    let first = memchr::memchr_iter(b'\n', &out).count() + 1;
    out.extend_from_slice(&last);
    let lines = first..=first + memchr::memchr_iter(b'\n', &last).count() - 1;
    Some(Doubled { text: out, lines })
}

/// `text` without its last line (as [`doubled`] finds it), [`marked`]:
/// what `rpmspec -P` prints of it equals what it prints of the whole spec
/// marked when rpm handed out no line of the last that `-P` shows.
pub(super) fn without_last(text: &[u8]) -> Vec<u8> {
    let text = ended(text);
    let (start, _) = crate::spec::last_joined_line(&text);
    marked(&text[..start])
}

/// Whether `text` ends in an odd run of `\` (rpm's line reader takes a `\`
/// and the byte after it as a pair, so only an unpaired one continues).
fn continued(text: &[u8]) -> bool {
    text.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Whether a line of rpm's standard error is the probe's.
pub(super) fn is_probe(line: &str) -> bool {
    line.contains(TAG)
}

/// Whether rpm refused our section, at `line`, as a second one: the spec
/// opened one before it (rpm 4.18 says `error: line N: second
/// %generate_buildrequires`, 4.20 and 6.1 leave out the `%`; rpm runs in
/// the C locale, [`super::rpmargs::RpmMacros::command`]). The same words
/// on another line are not ours: a spec of two sections (rpm fails it as
/// it is), a spec's own `%{warn:...}`.
pub(super) fn second_section(stderr: &str, line: usize) -> bool {
    second_section_in(stderr, line..=line)
}

/// [`second_section`] at any of `lines` (those of a line of ours that
/// spans several, whose refusal rpm may number by any of them).
pub(super) fn second_section_in(stderr: &str, lines: RangeInclusive<usize>) -> bool {
    stderr.lines().any(|l| {
        let Some(rest) = l.strip_prefix("error: line ") else {
            return false;
        };
        let Some((n, rest)) = rest.split_once(": second ") else {
            return false;
        };
        n.parse().is_ok_and(|n: usize| lines.contains(&n))
            && rest
                .trim_end()
                .strip_prefix('%')
                .unwrap_or(rest.trim_end())
                .eq("generate_buildrequires")
    })
}

/// Whether the spec's `BuildSystem:` would have filled in the section.
pub(super) fn build_system_section(stderr: &str) -> bool {
    stderr.lines().any(is_probe)
}

/// Whether the last line of `text` (a spec's bytes) may be, or make, a
/// section line that rpm reads last, so that [`ends_in_section`] is worth
/// asking: a line with a macro in it (`%`, or the end of one spread over
/// lines), not blank and not a conditional's line (which rpm hands out
/// emptied, where `rpmspec -P` shows nothing: those are read the probe's
/// way, as a section). A last `%include` line is not handed out: rpm reads
/// on into the file, found by its base name through `source` (a name with
/// a macro in it, or a missing file, is read the probe's way), whose last
/// line is asked the same, or, when it is empty, the line before.
pub(super) fn may_end_in_section(text: &[u8], source: &dyn Fn(&str) -> Option<Vec<u8>>) -> bool {
    may_end(text, source, 8)
}

fn may_end(text: &[u8], source: &dyn Fn(&str) -> Option<Vec<u8>>, depth: usize) -> bool {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let (before, last) = match memchr::memrchr(b'\n', text) {
        Some(i) => (Some(&text[..i]), &text[i + 1..]),
        None => (None, text),
    };
    let last = String::from_utf8_lossy(last);
    let word = last.split_whitespace().next().unwrap_or_default();
    if word == "%include" {
        let path = last.trim_start()["%include".len()..].trim();
        let name = path.rsplit('/').next().unwrap_or_default();
        if depth == 0 || name.is_empty() || name.contains('%') {
            return false;
        }
        return match source(name) {
            Some(file) if file.is_empty() => before.is_some_and(|b| may_end(b, source, depth - 1)),
            Some(file) => may_end(&file, source, depth - 1),
            None => false,
        };
    }
    const CONDITIONALS: &[&str] = &[
        "%if",
        "%ifarch",
        "%ifnarch",
        "%ifos",
        "%ifnos",
        "%elif",
        "%elifarch",
        "%elifos",
        "%else",
        "%endif",
    ];
    !CONDITIONALS.contains(&word) && last.contains(['%', '}', ')', ']'])
}

/// Whether `text` (a spec's bytes) may have a part of the section: it
/// names the section (in any case), or includes a file that may, or loads
/// a macro file (`%{load:}`) whose macros may make a part's line.
pub(super) fn may_have_parts(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        &b"generate_buildrequires"[..],
        b"%include",
        b"%{load:",
        b"%load",
    ]
    .iter()
    .any(|w| memchr::memmem::find(&lower, w).is_some())
}

/// Whether the last line rpm read of a spec is the section's own line,
/// which then makes no section: any section line for an rpm without parts,
/// the one without `-a`/`-p` for one with them (`parts`). `parsed` is what
/// `rpmspec -P` printed of the spec [`marked`]: the line before our comment
/// is the spec's last (were the spec's last line the section line, our
/// comment is in that section's body, which rpm keeps as it is; where it
/// is not, our comment may be gone or fail the parse, and the answer is
/// no).
pub(super) fn ends_in_section(parsed: &str, parts: bool) -> bool {
    let mut last = None;
    for l in parsed.lines() {
        if l == END {
            return match last.and_then(crate::spec::generate_buildrequires_line) {
                Some(part) => !(parts && part),
                None => false,
            };
        }
        last = Some(l);
    }
    false
}

/// Whether the last section line `rpmspec -P` printed before our comment
/// in `parsed` (the spec [`marked`]) is `%prep`: rpm 4.18 leaves out the
/// line that ends `%prep` (its `parsePrep` reads it with `STRIP_PARSED`),
/// so the spec's last line may be the section line without showing.
pub(super) fn ends_in_prep(parsed: &str) -> bool {
    let mut prep = false;
    for l in parsed.lines() {
        if l == END {
            return prep;
        }
        if let Some(is_prep) = crate::spec::section_line_is_prep(l) {
            prep = is_prep;
        }
    }
    false
}

/// Whether rpm read a part of the section (`%generate_buildrequires -a` or
/// `-p`, rpm 4.20 and later) in a spec (`parsed`, what `rpmspec -P`
/// printed): rpm makes the section of its parts when the spec has none.
pub(super) fn has_part(parsed: &str) -> bool {
    parsed
        .lines()
        .any(|l| crate::spec::generate_buildrequires_line(l) == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_section_goes_on_a_line_of_its_own() {
        let ends = |t: &str| appended(t.as_bytes()).map(|p| String::from_utf8(p.text).unwrap());
        // The spec, then the build system's report, then our section.
        let starts = |t: &str, with: &str| {
            ends(t).is_some_and(|e| {
                e.starts_with(with)
                    && e[with.len()..].starts_with("%{lua:")
                    && e.ends_with("}\n%%generate_buildrequires\n")
            })
        };
        assert!(starts("%files\n", "%files\n"));
        assert!(starts("%files", "%files\n"));
        assert!(starts("a \\", "a \\\n\n"));
        assert!(starts("a \\\\\n", "a \\\\\n"));
        assert!(starts("", ""));
        let line = |t: &str| appended(t.as_bytes()).unwrap().line;
        assert_eq!(line(""), 2);
        assert_eq!(line("%files"), 3);
        assert_eq!(line("a\nb\n"), 4);
        assert_eq!(line("a \\"), 4);
        // rpm fails this spec at its end; our line would make it pass.
        assert_eq!(ends("a \\\n"), None);
        assert_eq!(ends("a \\\\\\\n"), None);
    }

    #[test]
    fn what_the_spec_text_says_may_matter() {
        let inc = |name: &str| match name {
            "empty.inc" => Some(Vec::new()),
            "cond.inc" => Some(b"%if 0\n%endif\n".to_vec()),
            "gen.inc" => Some(b"x\n%generate_buildrequires\n".to_vec()),
            _ => None,
        };
        let end = |t: &str| may_end_in_section(t.as_bytes(), &inc);
        assert!(end("%files\n%generate_buildrequires\n"));
        assert!(end("%files\n%generate_buildrequires"));
        assert!(end("%files\n%gbr\n"));
        assert!(end("%files\n%{expand:\n%%generate_buildrequires\n}\n"));
        assert!(!end("%generate_buildrequires\n\n"));
        assert!(!end("%generate_buildrequires\n%endif\n"));
        assert!(!end("%generate_buildrequires\n  %else # x\n"));
        assert!(!end("%changelog\n- Use generate_buildrequires\n"));
        assert!(!end(""));
        // rpm reads on into an included file.
        assert!(end(
            "%generate_buildrequires\n%include %{_sourcedir}/empty.inc\n"
        ));
        assert!(end("%files\n%include /x/gen.inc\n"));
        assert!(!end("%generate_buildrequires\n%include cond.inc\n"));
        assert!(!end("%generate_buildrequires\n%include %{SOURCE1}\n"));
        assert!(!end("%generate_buildrequires\n%include missing.inc\n"));
        assert!(!end("%include empty.inc\n"));
        let parts = |t: &str| may_have_parts(t.as_bytes());
        assert!(parts("%build\n%Generate_BuildRequires -a\n"));
        assert!(parts("%include x.inc\n"));
        assert!(!parts("%build -a\nmake\n"));
    }

    #[test]
    fn what_rpmspec_parse_says() {
        let end = |t: &str| String::from_utf8(marked(t.as_bytes())).unwrap();
        assert_eq!(end("a"), format!("a\n{END}\n"));
        assert_eq!(end("a \\"), format!("a \\\n\n{END}\n"));
        // What rpm printed of the marked spec, a build system's sections after it.
        let parsed = format!("Name: x\n%files\n%generate_buildrequires\n{END}\n%build\nmake\n");
        assert!(ends_in_section(&parsed, true));
        assert!(ends_in_section(&parsed, false));
        assert!(!ends_in_section(
            "Name: x\n%files\n%generate_buildrequires\n",
            true
        ));
        assert!(!ends_in_section(
            &format!("%generate_buildrequires\n\n{END}\n"),
            true
        ));
        assert!(!ends_in_section(
            &format!("%generate_buildrequires\necho\n{END}"),
            true
        ));
        // A part is one to rpm 4.20, the section to rpm 4.18.
        let part = format!("%files\n%generate_buildrequires -a\n{END}\n");
        assert!(!ends_in_section(&part, true));
        assert!(ends_in_section(&part, false));
        assert!(has_part(&part));
        assert!(has_part("%generate_buildrequires -p\necho\n%files\n"));
        assert!(!has_part("%generate_buildrequires\necho -a\n%build -a\n"));
    }

    #[test]
    fn the_last_line_twice_and_without_it() {
        let twice =
            |t: &str| doubled(t.as_bytes()).map(|d| (String::from_utf8(d.text).unwrap(), d.lines));
        assert_eq!(twice("a\n%gbr\n"), Some(("a\n%gbr\n%gbr\n".into(), 3..=3)));
        assert_eq!(twice("a\n%gbr"), Some(("a\n%gbr\n%gbr\n".into(), 3..=3)));
        // The physical lines rpm joins are copied together.
        assert_eq!(
            twice("a\n%{expand:\nx\n}\n"),
            Some(("a\n%{expand:\nx\n}\n%{expand:\nx\n}\n".into(), 5..=7))
        );
        assert_eq!(twice("a\n%include x.inc\n"), None);
        assert_eq!(twice("a \\\n"), None);
        assert_eq!(twice(""), None);
        let without = |t: &str| String::from_utf8(without_last(t.as_bytes())).unwrap();
        assert_eq!(without("a\n%gbr\n"), format!("a\n{END}\n"));
        assert_eq!(without("a\n%{expand:\nx\n}"), format!("a\n{END}\n"));
        // rpm 4.18's -P: the last section line shown before our comment.
        assert!(ends_in_prep(&format!("%prep\necho\n{END}\n")));
        assert!(!ends_in_prep(&format!("%prep\n%build\necho\n{END}\n")));
        assert!(!ends_in_prep("%prep\necho\n"));
    }

    #[test]
    fn rpm_messages_are_told_apart() {
        assert!(second_section(
            "error: line 17: second %generate_buildrequires\nerror: query failed\n",
            17
        ));
        assert!(second_section(
            "error: line 17: second generate_buildrequires\n",
            17
        ));
        assert!(!second_section("error: line 17: second %prep\n", 17));
        assert!(!second_section(
            "error: line 9: second %generate_buildrequires\n",
            17
        ));
        assert!(!second_section(
            "warning: second %generate_buildrequires\n",
            17
        ));
        assert!(!second_section(
            "error: line 17: second %%generate_buildrequires\n",
            17
        ));
        assert!(second_section_in(
            "error: line 6: second generate_buildrequires\n",
            5..=7
        ));
        assert!(!second_section_in(
            "error: line 8: second generate_buildrequires\n",
            5..=7
        ));
        assert!(build_system_section(&format!(
            "warning: {TAG} build system\n"
        )));
        assert!(!build_system_section("warning: something else\n"));
    }
}
