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
//! its place, so the line after ours reports, on stderr, whether the build
//! system would have filled it in.

/// What the report of the build system's section starts with.
const TAG: &str = "rpm-buildroot-section-probe";

/// A spec with our section appended ([`appended`]).
pub(super) struct Probed {
    pub text: Vec<u8>,
    /// The line number of our section line, which rpm's refusal names.
    pub line: usize,
}

/// `text` (a spec's bytes) with our section appended: on a line of its own
/// (a last line without a newline is ended; one that now ends in a `\`
/// gets an empty line after it, which ends the continuation), written `%%`
/// so that no macro of the spec's can change it; its body reports a build
/// system's section. None when the spec's last line asks for another
/// (an odd run of `\` before its newline): rpm fails such a spec at its
/// end ("unclosed macro or bad line continuation"), and a line of ours
/// would let it pass.
pub(super) fn appended(text: &[u8]) -> Option<Probed> {
    if text.ends_with(b"\n") && continued(&text[..text.len() - 1]) {
        return None;
    }
    let mut out = text.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
        if continued(text) {
            out.push(b'\n');
        }
    }
    // rpm numbers the physical lines of the file.
    let line = memchr::memchr_iter(b'\n', &out).count() + 1;
    out.extend_from_slice(
        format!(
            "%%generate_buildrequires\n\
             %{{lua:pcall(function() \
             local b = rpm.expand('%{{?buildsystem}}') \
             for _, p in ipairs({{b, 'default'}}) do \
             local _, parametric = rpm.isdefined('buildsystem_' .. p .. '_generate_buildrequires') \
             if b ~= '' and parametric then rpm.expand('%{{warn:{TAG} build system}}') return end \
             end end)}}\n"
        )
        .as_bytes(),
    );
    Some(Probed { text: out, line })
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
    let prefix = format!("error: line {line}: second ");
    stderr.lines().any(|l| {
        l.strip_prefix(&prefix).is_some_and(|rest| {
            rest.trim_end()
                .strip_prefix('%')
                .unwrap_or(rest.trim_end())
                .eq("generate_buildrequires")
        })
    })
}

/// Whether the spec's `BuildSystem:` would have filled in the section.
pub(super) fn build_system_section(stderr: &str) -> bool {
    stderr.lines().any(is_probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_section_goes_on_a_line_of_its_own() {
        let ends = |t: &str| appended(t.as_bytes()).map(|p| String::from_utf8(p.text).unwrap());
        let starts = |t: &str, with: &str| ends(t).is_some_and(|e| e.starts_with(with));
        assert!(starts("%files\n", "%files\n%%generate_buildrequires\n"));
        assert!(starts("%files", "%files\n%%generate_buildrequires\n"));
        assert!(starts("a \\", "a \\\n\n%%generate_buildrequires\n"));
        assert!(starts("a \\\\\n", "a \\\\\n%%generate_buildrequires\n"));
        assert!(starts("", "%%generate_buildrequires\n"));
        let line = |t: &str| appended(t.as_bytes()).unwrap().line;
        assert_eq!(line(""), 1);
        assert_eq!(line("%files"), 2);
        assert_eq!(line("a\nb\n"), 3);
        assert_eq!(line("a \\"), 3);
        // rpm fails this spec at its end; our line would make it pass.
        assert_eq!(ends("a \\\n"), None);
        assert_eq!(ends("a \\\\\\\n"), None);
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
        assert!(build_system_section(&format!(
            "warning: {TAG} build system\n"
        )));
        assert!(!build_system_section("warning: something else\n"));
    }
}
