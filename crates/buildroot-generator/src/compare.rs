//! `--compare`'s output (docs/formats.md 10b): the comparison itself is
//! the library's (`buildroot::compare`); this prints it.

use std::io::Write;

use anyhow::Result;
use buildroot_core::buildroot::compare::Report;

/// Prints `report`: with `json` the document; else the `list`'s
/// `-NAME`/`+NAME` lines on `out`, sorted by NAME; through `say` each
/// given package's own change and the counts (notes, which `-q` hides);
/// through `answer` the failures that appear or go: they are why the exit
/// code is 1, or what the change mends, so `-q` keeps them as it keeps
/// `--why`'s answer.
pub fn print(
    report: &Report,
    out: &mut impl Write,
    list: &str,
    json: bool,
    say: &dyn Fn(&str, String),
    answer: &dyn Fn(&str, String),
) -> Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
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
            say("note", format!("--compare: {name}'s own build {why}"));
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
        say("note", format!("--compare: {name}'s own build: {what}"));
    }
    for (src, e) in &report.errors.entered {
        for line in e.lines() {
            answer("warning", format!("--compare: {src} now fails: {line}"));
        }
    }
    for (src, e) in &report.errors.left {
        for line in e.lines() {
            answer("note", format!("--compare: {src} fixed: {line}"));
        }
    }
    let c = report.list(list);
    let (before, after) = report.lengths.get(list).copied().unwrap_or_default();
    say(
        "note",
        format!(
            "--compare: {before} {} without the given files, {after} with them ({} in, {} out)",
            list.replace('_', " "),
            c.entered.len(),
            c.left.len()
        ),
    );
    let mut lines: Vec<(&String, char)> = c.left.iter().map(|n| (n, '-')).collect();
    lines.extend(c.entered.iter().map(|n| (n, '+')));
    // Sorted by name, not by line (write_list would put every + first).
    lines.sort();
    for (name, sign) in lines {
        writeln!(out, "{sign}{name}")?;
    }
    out.flush()?;
    Ok(())
}
