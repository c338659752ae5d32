//! `--why NAME`: the chain that brings a binary into the buildroot, e.g.
//! `nasm <- BuildRequires of libjpeg-turbo <- libjpeg-turbo built because
//! libjpeg-turbo-devel <- BuildRequires of hello (input)`. The shortest chain
//! is shown: the earliest layer whose transaction installs the binary.
//! [`why_all`] gives the chain of every binary of the buildroot at once
//! (each transaction's reasons computed once), for the output directory's
//! `buildroot-why.json` and the workflow's change report.

use std::collections::{BTreeMap, HashMap};

use super::{Buildroot, Origin, SourceRecord};
use crate::pool::PkgId;
use crate::solver::{Reason, Solution};

/// The chain for binary `name`, or None when it is not in the buildroot.
pub fn why(br: &Buildroot<'_>, name: &str) -> Option<String> {
    Why::new(br).why(name)
}

/// The chain of every binary name of the buildroot, as [`why_steps`] gives
/// it.
pub fn why_all(br: &Buildroot<'_>) -> BTreeMap<String, Vec<String>> {
    let mut w = Why::new(br);
    let mut out = BTreeMap::new();
    for name in br.binaries() {
        if let Some(c) = w.why(&name) {
            out.insert(name, c.split(" <- ").map(str::to_string).collect());
        }
    }
    out
}

/// Explanations with their intermediate results kept.
struct Why<'b, 'p> {
    br: &'b Buildroot<'p>,
    /// Per solution (by address): why each of its packages is there.
    reasons: HashMap<usize, Vec<(PkgId, Reason)>>,
    /// (source, binary) -> chain.
    chains: HashMap<(String, PkgId), String>,
    /// Binary name -> (the earliest source installing it, the binary).
    first: Option<HashMap<String, (usize, PkgId)>>,
}

impl<'b, 'p> Why<'b, 'p> {
    fn new(br: &'b Buildroot<'p>) -> Self {
        Why {
            br,
            reasons: HashMap::new(),
            chains: HashMap::new(),
            first: None,
        }
    }

    fn why(&mut self, name: &str) -> Option<String> {
        let br = self.br;
        let pool = br.pool;
        let named = |set: &[PkgId]| set.iter().copied().find(|&p| pool.name_of(p) == name);
        if let (Some(p), Some(sol)) = (named(&br.core.installed), br.core.solution.as_ref()) {
            return Some(format!(
                "{} (core buildroot)",
                self.in_transaction(sol, &br.core.names, p)
            ));
        }
        let first = self.first.get_or_insert_with(|| {
            // Sources in (layer, name) order: the first to install a name wins.
            let mut order: Vec<usize> = (0..br.sources.len()).collect();
            order.sort_by(|&a, &b| {
                let (ra, rb) = (&br.sources[a], &br.sources[b]);
                ra.layer.cmp(&rb.layer).then_with(|| ra.name.cmp(&rb.name))
            });
            let mut m: HashMap<String, (usize, PkgId)> = HashMap::new();
            for i in order {
                for &p in br.sources[i].installed.iter() {
                    m.entry(pool.name_of(p).to_string()).or_insert((i, p));
                }
            }
            m
        });
        let &(i, p) = first.get(name)?;
        Some(self.chain(&br.sources[i], p))
    }
}

/// [`why`] as its steps, binary first (for `--why --json`). No step holds
/// " <- ": package names have no blanks and dependency operators are
/// `<`, `<=`, ... followed by a blank.
pub fn why_steps(br: &Buildroot<'_>, name: &str) -> Option<Vec<String>> {
    why(br, name).map(|c| c.split(" <- ").map(str::to_string).collect())
}

impl Why<'_, '_> {
    /// Why `p` is in `rec`'s transaction, then why `rec` is in the run.
    fn chain(&mut self, rec: &SourceRecord, p: PkgId) -> String {
        let key = (rec.name.clone(), p);
        if let Some(c) = self.chains.get(&key) {
            return c.clone();
        }
        let br = self.br;
        let mut out = match &rec.solution {
            Some(sol) => self.in_transaction(sol, &rec.jobs, p),
            None => br.pool.name_of(p).to_string(),
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
                        let from_rec: Vec<PkgId> = parent
                            .installed
                            .iter()
                            .copied()
                            .filter(|&b| br.pool.source_name(b) == rec.name)
                            .collect();
                        let shortest = from_rec
                            .into_iter()
                            .map(|b| self.chain(parent, b))
                            .min_by_key(|c| (c.matches(" <- ").count(), c.clone()));
                        out.push_str(
                            &shortest.unwrap_or_else(|| br.pool.name_of(*binary).to_string()),
                        );
                    }
                    None => out.push_str(br.pool.name_of(*binary)),
                }
            }
        }
        self.chains.insert(key, out.clone());
        out
    }

    /// `p <- required by q <- ... <- BuildRequires of S` within one transaction;
    /// the caller appends the source.
    fn in_transaction(&mut self, sol: &Solution, jobs: &[String], p: PkgId) -> String {
        let br = self.br;
        let reasons = self
            .reasons
            .entry(sol as *const Solution as usize)
            .or_insert_with(|| sol.reasons(br.pool));
        let reason_of = |x: PkgId| {
            reasons
                .binary_search_by_key(&x, |(q, _)| *q)
                .ok()
                .map(|i| reasons[i].1.clone())
        };
        let core_len = br.core.names.len();
        let mut out = br.pool.name_of(p).to_string();
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
                    out.push_str(&format!(" <- required by {}", br.pool.name_of(by)));
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
}
