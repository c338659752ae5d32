//! The parsed form of a chunk of primary.xml: one text buffer and
//! fixed-size records, no allocation per package or dependency. The pool
//! interns straight from it; owned [`Package`] values are built from it
//! only for callers that ask for them ([`RawChunk::to_packages`]).

use crate::dep::{Cmp, Dep, Range, SimpleDep};
use crate::evr::Evr;
use crate::package::{Package, Requirement};

/// A string in [`RawChunk::text`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RawText {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// The dependency lists of a package, in [`RawPkg::lists`] order.
pub(crate) const PROVIDES: usize = 0;
pub(crate) const REQUIRES: usize = 1;
pub(crate) const CONFLICTS: usize = 2;
pub(crate) const OBSOLETES: usize = 3;
pub(crate) const RECOMMENDS: usize = 4;
pub(crate) const SUGGESTS: usize = 5;
pub(crate) const SUPPLEMENTS: usize = 6;
pub(crate) const ENHANCES: usize = 7;

/// One package of a chunk.
#[derive(Clone, Debug, Default)]
pub struct RawPkg {
    pub(crate) name: RawText,
    pub(crate) arch: RawText,
    pub(crate) epoch: u32,
    pub(crate) ver: RawText,
    /// None when absent or empty (as [`Evr::new`]).
    pub(crate) rel: Option<RawText>,
    pub(crate) sourcerpm: RawText,
    pub(crate) summary: RawText,
    pub(crate) location: RawText,
    pub(crate) checksum: Option<RawText>,
    pub(crate) size: u64,
    /// List `k`'s entries are `entries[lists[k]..lists[k + 1]]`.
    pub(crate) lists: [u32; ENHANCES + 2],
    /// Its files: `files[files.0..files.1]`.
    pub(crate) files: (u32, u32),
}

/// The version range of a simple dependency.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawRange {
    pub cmp: Cmp,
    pub epoch: u32,
    pub ver: RawText,
    /// None when absent or empty (as [`Evr::new`]).
    pub rel: Option<RawText>,
}

/// One `rpm:entry`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawEntry {
    /// The name (for a rich dependency its whole text).
    pub name: RawText,
    pub range: Option<RawRange>,
    pub pre: bool,
    /// A rich dependency: its index in [`RawChunk::rich`].
    pub rich: Option<u32>,
}

/// The packages of one chunk of primary.xml.
#[derive(Clone, Debug, Default)]
pub struct RawChunk {
    pub(crate) text: String,
    pub(crate) pkgs: Vec<RawPkg>,
    pub(crate) entries: Vec<RawEntry>,
    pub(crate) files: Vec<RawText>,
    /// Rich dependencies, parsed.
    pub(crate) rich: Vec<Dep>,
    /// The parser's scratch: the list of each entry of the package being
    /// read.
    pub(crate) entry_lists: Vec<u8>,
}

impl RawChunk {
    /// Number of packages.
    pub fn len(&self) -> usize {
        self.pkgs.len()
    }

    /// Whether the chunk has no packages.
    pub fn is_empty(&self) -> bool {
        self.pkgs.is_empty()
    }

    /// Appends `s` to the text buffer.
    pub(crate) fn push_text(&mut self, s: &str) -> RawText {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        RawText {
            start,
            len: s.len() as u32,
        }
    }

    /// The text since `start` (after appending to `text` directly).
    pub(crate) fn text_since(&self, start: usize) -> RawText {
        RawText {
            start: start as u32,
            len: (self.text.len() - start) as u32,
        }
    }

    /// The text of a [`RawText`].
    #[inline]
    pub(crate) fn str(&self, t: RawText) -> &str {
        &self.text[t.start as usize..(t.start + t.len) as usize]
    }

    /// List `k` of package `p`.
    #[inline]
    pub(crate) fn list(&self, p: &RawPkg, k: usize) -> &[RawEntry] {
        &self.entries[p.lists[k] as usize..p.lists[k + 1] as usize]
    }

    /// Lists `k` to the last ([`ENHANCES`]) of package `p`, as one slice.
    #[inline]
    pub(crate) fn lists_from(&self, p: &RawPkg, k: usize) -> &[RawEntry] {
        &self.entries[p.lists[k] as usize..p.lists[ENHANCES + 1] as usize]
    }

    /// The files of package `p`.
    pub(crate) fn files_of(&self, p: &RawPkg) -> impl Iterator<Item = &str> + '_ {
        self.files[p.files.0 as usize..p.files.1 as usize]
            .iter()
            .map(|&f| self.str(f))
    }

    /// A package's EVR.
    pub(crate) fn evr(&self, p: &RawPkg) -> Evr {
        Evr {
            epoch: p.epoch,
            version: self.str(p.ver).to_string(),
            release: p.rel.map(|r| self.str(r).to_string()),
        }
    }

    /// An entry's EVR (of its range).
    pub(crate) fn range_evr(&self, r: &RawRange) -> Evr {
        Evr {
            epoch: r.epoch,
            version: self.str(r.ver).to_string(),
            release: r.rel.map(|x| self.str(x).to_string()),
        }
    }

    /// A simple entry as a [`SimpleDep`].
    fn simple(&self, e: &RawEntry) -> SimpleDep {
        SimpleDep {
            name: self.str(e.name).to_string(),
            range: e.range.map(|r| Range {
                cmp: r.cmp,
                evr: self.range_evr(&r),
            }),
        }
    }

    /// An entry as a [`Dep`].
    pub(crate) fn dep(&self, e: &RawEntry) -> Dep {
        match e.rich {
            Some(i) => self.rich[i as usize].clone(),
            None => Dep::Simple(self.simple(e)),
        }
    }

    /// The chunk's packages as owned values.
    pub fn to_packages(&self) -> Vec<Package> {
        self.pkgs
            .iter()
            .map(|p| {
                let deps = |k| self.list(p, k).iter().map(|e| self.dep(e)).collect();
                let simple = |k| self.list(p, k).iter().map(|e| self.simple(e)).collect();
                Package {
                    name: self.str(p.name).to_string(),
                    arch: self.str(p.arch).to_string(),
                    evr: self.evr(p),
                    sourcerpm: self.str(p.sourcerpm).to_string(),
                    summary: self.str(p.summary).to_string(),
                    provides: simple(PROVIDES),
                    requires: self
                        .list(p, REQUIRES)
                        .iter()
                        .map(|e| Requirement {
                            dep: self.dep(e),
                            pre: e.pre,
                        })
                        .collect(),
                    conflicts: deps(CONFLICTS),
                    obsoletes: simple(OBSOLETES),
                    recommends: deps(RECOMMENDS),
                    suggests: deps(SUGGESTS),
                    supplements: deps(SUPPLEMENTS),
                    enhances: deps(ENHANCES),
                    files: self.files_of(p).map(str::to_string).collect(),
                    location: self.str(p.location).to_string(),
                    checksum: p.checksum.map(|c| self.str(c).to_string()),
                    size: p.size,
                }
            })
            .collect()
    }

    /// The chunk form of owned packages (for pools built from them).
    pub fn from_packages(pkgs: &[Package]) -> RawChunk {
        let mut c = RawChunk::default();
        for p in pkgs {
            let mut r = RawPkg {
                name: c.push_text(&p.name),
                arch: c.push_text(&p.arch),
                epoch: p.evr.epoch,
                ver: c.push_text(&p.evr.version),
                rel: p.evr.release.as_deref().map(|x| c.push_text(x)),
                sourcerpm: c.push_text(&p.sourcerpm),
                summary: c.push_text(&p.summary),
                location: c.push_text(&p.location),
                checksum: p.checksum.as_deref().map(|x| c.push_text(x)),
                size: p.size,
                ..Default::default()
            };
            let simple = |c: &mut RawChunk, d: &SimpleDep, pre: bool| {
                let name = c.push_text(&d.name);
                let range = d.range.as_ref().map(|r| RawRange {
                    cmp: r.cmp,
                    epoch: r.evr.epoch,
                    ver: c.push_text(&r.evr.version),
                    rel: r.evr.release.as_deref().map(|x| c.push_text(x)),
                });
                c.entries.push(RawEntry {
                    name,
                    range,
                    pre,
                    rich: None,
                });
            };
            let dep = |c: &mut RawChunk, d: &Dep, pre: bool| match d {
                Dep::Simple(s) => simple(c, s, pre),
                rich => {
                    let name = c.push_text("");
                    c.entries.push(RawEntry {
                        name,
                        range: None,
                        pre,
                        rich: Some(c.rich.len() as u32),
                    });
                    c.rich.push(rich.clone());
                }
            };
            r.lists[PROVIDES] = c.entries.len() as u32;
            p.provides.iter().for_each(|d| simple(&mut c, d, false));
            r.lists[REQUIRES] = c.entries.len() as u32;
            p.requires.iter().for_each(|d| dep(&mut c, &d.dep, d.pre));
            r.lists[CONFLICTS] = c.entries.len() as u32;
            p.conflicts.iter().for_each(|d| dep(&mut c, d, false));
            r.lists[OBSOLETES] = c.entries.len() as u32;
            p.obsoletes.iter().for_each(|d| simple(&mut c, d, false));
            r.lists[RECOMMENDS] = c.entries.len() as u32;
            for (k, l) in [&p.recommends, &p.suggests, &p.supplements, &p.enhances]
                .into_iter()
                .enumerate()
            {
                l.iter().for_each(|d| dep(&mut c, d, false));
                r.lists[RECOMMENDS + 1 + k] = c.entries.len() as u32;
            }
            let fstart = c.files.len() as u32;
            for f in &p.files {
                let t = c.push_text(f);
                c.files.push(t);
            }
            r.files = (fstart, c.files.len() as u32);
            c.pkgs.push(r);
        }
        c
    }
}
