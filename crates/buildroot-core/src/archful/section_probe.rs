//! Whether rpm's own parse of a spec opened a `%generate_buildrequires`
//! section, for `identify-archful-srpms --rpmspec`: rpmbuild marks an SRPM
//! as having dynamic BuildRequires (`rpmlib(DynamicBuildRequires)`,
//! `packageSources` in rpm's build/pack) exactly when the parsed spec has
//! that section, so one inside a false `%if` does not count.
//!
//! `rpmspec -q` shows no trace of the section, and `rpmspec -P` of rpm 4.18
//! drops the section line that ends `%prep` (its `parsePrep` reads that line
//! with `STRIP_PARSED`), which is where the section usually is. So the query
//! itself carries a probe: `%generate_buildrequires` is defined as a macro
//! that prints where it was expanded on stderr (`%{warn:}` with rpm's
//! `%{__file_name}` and `%{__file_lineno}`) and expands to the section line
//! unchanged. rpm expands a spec line only while the `%if`s around it are
//! true, and a section line only while it reads it (a `BuildSystem:`'s
//! generated sections included), so a probe line is a section rpm read.
//! Since the macro is also expanded in a line that only mentions the section
//! (`- Use %generate_buildrequires` in `%changelog`), which rpm does not
//! take for a section line, a probe naming a line where the name follows
//! plain text is not counted.

use std::path::Path;

/// What the probe prints before `FILE:LINE`.
const TAG: &str = "rpm-buildroot-section-probe ";

/// The `--define` that installs the probe.
pub(super) fn define() -> String {
    format!(
        "generate_buildrequires %{{warn:{TAG}%{{?__file_name}}:%{{?__file_lineno}}}}%%generate_buildrequires"
    )
}

/// Whether a line of rpm's standard error is the probe's.
pub(super) fn is_probe(line: &str) -> bool {
    line.contains(TAG)
}

/// Whether the probes in `stderr` show that rpm read a
/// `%generate_buildrequires` section; `spec_path` is the spec as given to rpm
/// and `text` its text (other files a probe names, `%include`d ones, are
/// read from disk).
pub(super) fn opened_section(stderr: &str, spec_path: &Path, text: &str) -> bool {
    stderr.lines().filter_map(probe_place).any(|(file, line)| {
        let shown = if Path::new(file) == spec_path {
            Some(text.to_string())
        } else {
            std::fs::read(file)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        // A file rpm wrote and removed (`BuildSystem:`'s sections) or a
        // line number beyond the text: rpm read the section line.
        match shown
            .as_deref()
            .and_then(|t| t.lines().nth(line.wrapping_sub(1)))
        {
            Some(l) => may_open_section(l),
            None => true,
        }
    })
}

/// `(FILE, LINE)` of a probe line.
fn probe_place(line: &str) -> Option<(&str, usize)> {
    let rest = &line[line.find(TAG)? + TAG.len()..];
    let (file, number) = rest.trim_end().rsplit_once(':')?;
    Some((file, number.parse().unwrap_or(0)))
}

/// Whether a spec line can expand to a line that starts with
/// `%generate_buildrequires`: nothing but blanks before the name, or a line
/// that starts with a macro (`%{?with_x:%generate_buildrequires}`: what it
/// expands to cannot be told from here, so it counts). An escaped mention,
/// `%%generate_buildrequires`, does not call the probe.
fn may_open_section(line: &str) -> bool {
    const NAME: &str = "%generate_buildrequires";
    let mentions: Vec<usize> = line
        .match_indices(NAME)
        .map(|(i, _)| i)
        .filter(|&i| {
            let escaped = line[..i].bytes().rev().take_while(|&b| b == b'%').count() % 2 == 1;
            let whole = !line[i + NAME.len()..]
                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            !escaped && whole
        })
        .collect();
    mentions.is_empty()
        || mentions.iter().any(|&i| {
            let before = line[..i].trim_start();
            before.is_empty() || before.starts_with('%')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_counts_where_the_line_can_be_a_section_line() {
        let spec = Path::new("/t/x.spec");
        let text = "Name: x\n%generate_buildrequires\n- Use %generate_buildrequires\n  %{?with_x:%generate_buildrequires}\n";
        let probe = |n: usize| format!("warning: {TAG}/t/x.spec:{n}\n");
        assert!(opened_section(&probe(2), spec, text));
        assert!(!opened_section(&probe(3), spec, text));
        assert!(opened_section(&probe(4), spec, text));
        assert!(!opened_section("warning: something else\n", spec, text));
        // A file that no longer exists (rpm's generated BuildSystem sections).
        assert!(opened_section(
            &format!("warning: {TAG}/nonexistent/buildsys.tmp:1\n"),
            spec,
            text
        ));
        assert!(may_open_section("  %generate_buildrequires -p"));
        assert!(!may_open_section(
            "- Use %{name}'s %generate_buildrequires, %%generate_buildrequires"
        ));
    }
}
