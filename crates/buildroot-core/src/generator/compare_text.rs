//! `--compare`'s text (docs/formats.md 10b; the `--json` document is the
//! [`compare::Report`] itself): what is said on stderr, each given
//! package's own change, the failures that appear or go, the counts; and
//! the `-NAME`/`+NAME` lines of the list on stdout, sorted by NAME. A
//! packager's what-if; dnf has no such comparison (one would run `dnf
//! builddep` twice and diff the transactions).

use crate::buildroot::compare;

/// How a line of [`CompareText::said`] weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// A note, which `-q` hides.
    Note,
    /// Part of the answer (why the exit code is 1, or what the change
    /// mends): `-q` keeps it, as it keeps `--why`'s answer.
    Answer,
}

/// The text of a comparison.
#[derive(Clone, Debug, Default)]
pub struct CompareText {
    /// Lines for stderr, in order: weight, kind (`note`, `warning`), line.
    pub said: Vec<(Weight, &'static str, String)>,
    /// Lines for stdout: `-NAME` and `+NAME`.
    pub lines: Vec<String>,
}

/// `report`'s text for the list with this `--json` key.
pub fn compare_text(report: &compare::Report, list: &str) -> CompareText {
    let mut said = Vec::new();
    let mut note = |msg: String| said.push((Weight::Note, "note", msg));
    for (name, c) in &report.own {
        if !report.reached.contains(name) {
            continue; // "changed nothing", said already
        }
        if report
            .errors
            .entered
            .get(name)
            .is_some_and(|e| !e.bad_deps.is_empty())
        {
            let why = "cannot be installed any more (BadDeps below)";
            note(format!("--compare: {name}'s own build {why}"));
            continue;
        }
        let mut signs: Vec<(&String, char)> = c.left.iter().map(|n| (n, '-')).collect();
        signs.extend(c.entered.iter().map(|n| (n, '+')));
        signs.sort();
        let what = match signs.is_empty() {
            true => "unchanged".to_string(),
            false => signs
                .iter()
                .map(|(n, s)| format!("{s}{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        };
        note(format!("--compare: {name}'s own build: {what}"));
    }
    for (src, e) in &report.errors.entered {
        for line in e.lines() {
            let msg = format!("--compare: {src} now fails: {line}");
            said.push((Weight::Answer, "warning", msg));
        }
    }
    for (src, e) in &report.errors.left {
        for line in e.lines() {
            said.push((
                Weight::Answer,
                "note",
                format!("--compare: {src} fixed: {line}"),
            ));
        }
    }
    let c = report.list(list);
    let (before, after) = report.lengths.get(list).copied().unwrap_or_default();
    said.push((
        Weight::Note,
        "note",
        format!(
            "--compare: {before} {} without the given files, {after} with them ({} in, {} out)",
            list.replace('_', " "),
            c.entered.len(),
            c.left.len()
        ),
    ));
    let mut signs: Vec<(&String, char)> = c.left.iter().map(|n| (n, '-')).collect();
    signs.extend(c.entered.iter().map(|n| (n, '+')));
    // Sorted by name, not by line (write_list would put every + first).
    signs.sort();
    let lines = signs
        .into_iter()
        .map(|(name, sign)| format!("{sign}{name}"))
        .collect();
    CompareText { said, lines }
}
