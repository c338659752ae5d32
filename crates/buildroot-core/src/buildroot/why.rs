//! `--why NAME`: the chain that brings a binary into the buildroot, e.g.
//! `nasm <- BuildRequires of libjpeg-turbo <- libjpeg-turbo built because
//! libjpeg-turbo-devel <- BuildRequires of hello (input)`. The shortest chain
//! is shown: the earliest layer whose transaction installs the binary.

use super::{Buildroot, Origin, SourceRecord};
use crate::pool::PkgId;
use crate::solver::{Reason, Solution};

/// The chain for binary `name`, or None when it is not in the buildroot.
pub fn why(br: &Buildroot<'_>, name: &str) -> Option<String> {
    let pool = br.pool;
    let named = |set: &[PkgId]| set.iter().copied().find(|&p| pool.package(p).name == name);
    if let (Some(p), Some(sol)) = (named(&br.core.installed), br.core.solution.as_ref()) {
        return Some(format!(
            "{} (core buildroot)",
            in_transaction(br, sol, &br.core.names, p)
        ));
    }
    let rec = br
        .sources
        .iter()
        .filter(|r| named(&r.installed).is_some())
        .min_by(|a, b| a.layer.cmp(&b.layer).then_with(|| a.name.cmp(&b.name)))?;
    Some(chain(br, rec, named(&rec.installed)?))
}

/// [`why`] as its steps, binary first (for `--why --json`). No step holds
/// " <- ": package names have no blanks and dependency operators are
/// `<`, `<=`, ... followed by a blank.
pub fn why_steps(br: &Buildroot<'_>, name: &str) -> Option<Vec<String>> {
    why(br, name).map(|c| c.split(" <- ").map(str::to_string).collect())
}

/// Why `p` is in `rec`'s transaction, then why `rec` is in the run.
fn chain(br: &Buildroot<'_>, rec: &SourceRecord, p: PkgId) -> String {
    let mut out = match &rec.solution {
        Some(sol) => in_transaction(br, sol, &rec.jobs, p),
        None => br.pool.package(p).name.clone(),
    };
    out.push_str(&format!(" of {}", rec.name));
    match &rec.origin {
        Origin::Input => out.push_str(" (input)"),
        Origin::Core => out.push_str(" (a source of the core buildroot)"),
        Origin::Placeholder => out.push_str(" (a placeholder)"),
        Origin::Needed { by, binary } => {
            out.push_str(&format!(" <- {} built because ", rec.name));
            match br.source(by) {
                Some(parent) => {
                    // Of the parent's binaries from this source, explain the most direct one.
                    let shortest = parent
                        .installed
                        .iter()
                        .filter(|&&b| br.pool.package(b).source_name() == rec.name)
                        .map(|&b| chain(br, parent, b))
                        .min_by_key(|c| (c.matches(" <- ").count(), c.clone()));
                    out.push_str(
                        &shortest.unwrap_or_else(|| br.pool.package(*binary).name.clone()),
                    );
                }
                None => out.push_str(&br.pool.package(*binary).name),
            }
        }
    }
    out
}

/// `p <- required by q <- ... <- BuildRequires of S` within one transaction;
/// the caller appends the source.
fn in_transaction(br: &Buildroot<'_>, sol: &Solution, jobs: &[String], p: PkgId) -> String {
    let reasons: Vec<(PkgId, Reason)> = sol.reasons(br.pool);
    let reason_of = |x: PkgId| {
        reasons
            .iter()
            .find(|(q, _)| *q == x)
            .map(|(_, r)| r.clone())
    };
    let core_len = br.core.names.len();
    let mut out = br.pool.package(p).name.clone();
    let mut cur = p;
    for _ in 0..reasons.len() + 1 {
        match reason_of(cur) {
            Some(Reason::Job(j)) => {
                let text = jobs.get(j).cloned().unwrap_or_default();
                if j < core_len {
                    out.push_str(&format!(" <- core name {text}"));
                } else {
                    out.push_str(&format!(" <- BuildRequires '{text}'"));
                }
                return out;
            }
            Some(Reason::RequiredBy { by, .. }) => {
                out.push_str(&format!(" <- required by {}", br.pool.package(by).name));
                cur = by;
            }
            _ => {
                out.push_str(" <- installed to satisfy the transaction");
                return out;
            }
        }
    }
    out
}
