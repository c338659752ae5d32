//! The `%include` cases of the dynamic-BuildRequires tests: one table for
//! the evaluator's (`tests/spec_eval.rs`, checked against `rpmbuild -bs`)
//! and for `--rpmspec`'s (`src/archful/rpmspec_tests.rs`, checked against
//! each rpmspec at hand), so that both read the same specs.

/// The included files, by name under `%{_sourcedir}`, and their text.
pub const INCLUDE_FILES: [(&str, &str); 4] = [
    ("empty.inc", ""),
    ("blank.inc", "\n"),
    ("cond.inc", "%if 0\n%endif\n"),
    ("gen.inc", "x\n%generate_buildrequires\n"),
];

/// Each spec (`head`: its preamble to `%files`) with whether rpm makes a
/// `%generate_buildrequires` section of it: not after the `%include` of an
/// empty file that ends the spec, nor of a section line that ends an
/// included file at the end of the spec; yes after a blank line or a
/// conditional in the file, or with a line after the `%include`.
pub fn include_cases(head: &str) -> Vec<(String, bool)> {
    let inc = |name: &str| format!("%include %{{_sourcedir}}/{name}\n");
    let section = "%generate_buildrequires\n";
    vec![
        (format!("{head}{section}{}", inc("empty.inc")), false),
        (format!("{head}{section}{}", inc("blank.inc")), true),
        (format!("{head}{section}{}", inc("cond.inc")), true),
        (format!("{head}{}", inc("gen.inc")), false),
        (format!("{head}{section}{}%build\n", inc("empty.inc")), true),
    ]
}
