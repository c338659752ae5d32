//! The repos a workflow run went on without: its `skipped-repos.txt`
//! (docs/formats.md section 11a), read for the change report, which says
//! them in `changes.md` and carries them in `changes.json` (packages only
//! such a repo holds show as leaving, or entering once it is back).
//!
//! No upstream counterpart: dnf says `Ignoring repositories: ID` on stderr
//! (`Base.fill_sack`) and records nothing; the workflow keeps these lines so
//! the run's reader sees them the next day.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// What was left out of a step: the whole repo, or only its groups (its
/// packages kept: comps downloaded but unreadable; before a failed comps
/// download left the repo out whole, such a download too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftOut {
    /// The repo: none of its packages were read (`left out: ...`).
    Repo,
    /// Its groups only (`groups left out, packages kept: ...`).
    Groups,
}

impl LeftOut {
    /// The file's words before the reason.
    fn lead(self) -> &'static str {
        match self {
            LeftOut::Repo => "left out: ",
            LeftOut::Groups => "groups left out, packages kept: ",
        }
    }
}

/// One line of `skipped-repos.txt`: a repo one step of one arch went on
/// without. Field order is the file's, so the derived order is its sort.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedRepo {
    /// The arch, or None (`-` in the file) for a step run once for every
    /// arch (compose-view's step 2, identify-archful-srpms' step 4).
    pub arch: Option<String>,
    /// The run's directory the step wrote (`compose`, `pass1`, `archful`,
    /// `repos`, `pass2`; `verify`, `verify/compose` for step 10).
    pub step: String,
    /// The repo id.
    pub repo: String,
    /// What was left out.
    pub left_out: LeftOut,
    /// The tool's reason (the failing URL and what it said).
    pub reason: String,
}

/// Reads a `skipped-repos.txt`: its lines sorted and each once, as the
/// workflow writes them (blank lines passed over). A line that is not
/// `ARCH<TAB>STEP<TAB>REPO<TAB>WHAT` is an error naming the file and line.
pub fn read(path: &Path) -> Result<Vec<SkippedRepo>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, &path.display().to_string())
}

/// [`read`] of text already read; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Vec<SkippedRepo>> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |msg: &str| Error::at_line(origin, i + 1, msg);
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let [arch, step, repo, what] = fields[..] else {
            return Err(bad(
                "not ARCH<TAB>STEP<TAB>REPO<TAB>WHAT (a skipped-repos.txt line)",
            ));
        };
        if [arch, step, repo].iter().any(|f| f.is_empty()) {
            return Err(bad("an empty ARCH, STEP or REPO field"));
        }
        let Some((left_out, reason)) = [LeftOut::Repo, LeftOut::Groups]
            .into_iter()
            .find_map(|l| what.strip_prefix(l.lead()).map(|r| (l, r)))
        else {
            return Err(bad(
                "WHAT is neither 'left out: ...' nor 'groups left out, packages kept: ...'",
            ));
        };
        out.insert(SkippedRepo {
            arch: (arch != "-").then(|| arch.to_string()),
            step: step.to_string(),
            repo: repo.to_string(),
            left_out,
            reason: reason.to_string(),
        });
    }
    Ok(out.into_iter().collect())
}

/// Each repo once, in the order it first comes, with where it was left
/// out (`ARCH STEP`, or `STEP` for a step of every arch), each place once:
/// `extras (archful, aarch64 pass1)`. The workflow's last lines say the
/// same of the file.
pub fn where_left_out(skipped: &[SkippedRepo]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for s in skipped {
        let place = match &s.arch {
            Some(a) => format!("{a} {}", s.step),
            None => s.step.clone(),
        };
        match out.iter_mut().find(|(r, _)| *r == s.repo) {
            Some((_, places)) if places.contains(&place) => {}
            Some((_, places)) => places.push(place),
            None => out.push((s.repo.clone(), vec![place])),
        }
    }
    out
}

/// `changes.md`'s section on the repos a run was computed without; `who`
/// says which run (`This run`, `The previous run`) and `record` where its
/// `skipped-repos.txt` is (beside `changes.md`; the previous run's is in
/// that run's directory, not this one's). Repos left out whole and repos
/// whose groups alone were left out (their packages kept) are said apart:
/// the second lack nothing but their groups. Empty when none.
pub fn markdown_section(skipped: &[SkippedRepo], who: &str, record: &str) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let (whole, groups): (Vec<SkippedRepo>, Vec<SkippedRepo>) = skipped
        .iter()
        .cloned()
        .partition(|s| s.left_out == LeftOut::Repo);
    let mut s = String::from("## Repositories left out\n\n");
    let list = |s: &mut String, which: &[SkippedRepo], lead: String| {
        if which.is_empty() {
            return;
        }
        s.push_str(&lead);
        for (repo, places) in where_left_out(which) {
            let _ = writeln!(s, "- `{repo}` ({})", places.join(", "));
        }
        s.push('\n');
    };
    list(
        &mut s,
        &whole,
        format!(
            "{who} was computed without the repositories below \
             (`skip_if_unavailable=1`, unavailable;\n{record} says for which arch and \
             step, and why): what only they hold is missing\nfrom that run, and shows above as \
             leaving, or entering once they are back.\n\n"
        ),
    );
    list(
        &mut s,
        &groups,
        format!(
            "{who} was computed with the packages of the repositories below but without their \
             groups\n(`skip_if_unavailable=1`: their comps could not be read; {record} says for \
             which\narch and step, and why): what those groups name may be missing from that \
             run.\n\n"
        ),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_sorted_and_said_per_repo() {
        let text = "aarch64\tpass1\textras\tleft out: u: HTTP 404\n\
                    -\tarchful\textras\tleft out: u: HTTP 404\n\
                    -\tcompose\tcomps\tgroups left out, packages kept: c: HTTP 404\n\
                    aarch64\tpass1\textras\tleft out: u: HTTP 404\n\n";
        let s = parse(text, "f").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].arch, None);
        assert_eq!(s[0].step, "archful");
        assert_eq!(s[1].left_out, LeftOut::Groups);
        assert_eq!(s[1].reason, "c: HTTP 404");
        assert_eq!(s[2].arch.as_deref(), Some("aarch64"));
        let places = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            where_left_out(&s),
            [
                ("extras".to_string(), places(&["archful", "aarch64 pass1"])),
                ("comps".to_string(), places(&["compose"])),
            ]
        );
        let md = markdown_section(&s, "This run", "`skipped-repos.txt`");
        // A repo whose groups alone were left out is said apart: its
        // packages were read (the user audit: it was "computed without").
        assert!(
            md.contains(
                "from that run, and shows above as leaving, or entering once they are \
                         back.\n\n- `extras` (archful, aarch64 pass1)\n\nThis run was computed \
                         with the packages of the repositories below but without their groups\n"
            ),
            "{md}"
        );
        assert!(md.ends_with("run.\n\n- `comps` (compose)\n\n"), "{md}");
        let groups_only = markdown_section(&s[1..2], "This run", "`skipped-repos.txt`");
        assert!(
            groups_only
                .starts_with("## Repositories left out\n\nThis run was computed with the packages"),
            "{groups_only}"
        );
        assert_eq!(markdown_section(&[], "This run", "`skipped-repos.txt`"), "");
    }

    #[test]
    fn a_line_of_another_shape_is_an_error_naming_it() {
        for text in [
            "x86_64\tpass1\textras\n",
            "x86_64\tpass1\textras\tgone\n",
            "x86_64\t\textras\tleft out: x\n",
        ] {
            let e = parse(&format!("\n{text}"), "run/skipped-repos.txt").unwrap_err();
            assert!(
                e.to_string().starts_with("run/skipped-repos.txt:2: "),
                "{e}"
            );
        }
    }
}
