//! A built pool as bytes, and back: what the parsed-repo cache (`cache.rs`)
//! stores, as dnf keeps each repo's parsed metadata in libsolv's `.solv`
//! files (`repo_write`, `repo_add_solv`) so that a second run reads no XML.
//!
//! Every table is written as it is, in id order (the encoding: `code.rs`),
//! so the pool read back has the same ids (and so the same answers) as the
//! one written; the lookups by hash are rebuilt from the tables, and every
//! id, span and text range is checked before the pool is used. The bytes
//! carry no version or checksum of their own: the cache file's header does.

mod code;

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::deps::{DepNode, Prov};
use super::tables::{EvrTable, NodeTable, StrTable};
use super::{EvrId, Pool, SolvableId, Span, StrId, Text};
use crate::arch::ArchPolicy;
use code::{Code, Reader, Writer};

impl Pool {
    /// Writes the pool's bytes to `out`, in blocks ([`Pool::from_snapshot`]
    /// reads them back); the first error of `out`, if any.
    pub(super) fn write_snapshot(
        &self,
        out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut writer = Writer::new(out);
        let w = &mut writer;
        code::put_str(self.arch.target(), w);
        self.repos.put(w);
        self.data.put(w);
        self.cold.put(w);
        self.cold_text.put(w);
        self.files.put(w);
        self.file_text.put(w);
        self.raw_provs.put(w);
        self.pre.put(w);
        self.rich.put(w);
        self.rich_provs.put(w);
        self.strs.values().put(w);
        self.evrs.values().put(w);
        self.nodes.values().put(w);
        self.provs.put(w);
        self.deplist.put(w);
        self.name_wp.put(w);
        self.name_wp_data.put(w);
        self.dep_wp.put(w);
        self.dep_wp_data.put(w);
        self.sources_by_name.put(w);
        self.binaries_by_name.put(w);
        self.complex.put(w);
        self.obsoleters.put(w);
        writer.finish()
    }

    /// The pool of [`Pool::write_snapshot`]'s bytes; None when they do not
    /// hold one.
    pub(super) fn from_snapshot(bytes: &[u8]) -> Option<Pool> {
        let r = &mut Reader::new(bytes);
        let arch = ArchPolicy::new(&String::get(r)?).ok()?;
        let pool = Pool {
            arch,
            repos: Code::get(r)?,
            data: Code::get(r)?,
            cold: Code::get(r)?,
            cold_text: Code::get(r)?,
            files: Code::get(r)?,
            file_text: Code::get(r)?,
            raw_provs: Code::get(r)?,
            pre: Code::get(r)?,
            rich: Code::get(r)?,
            rich_provs: Code::get(r)?,
            strs: StrTable::from_values(Code::get(r)?),
            evrs: EvrTable::from_values(Code::get(r)?),
            nodes: NodeTable::from_values(Code::get(r)?),
            provs: Code::get(r)?,
            deplist: Code::get(r)?,
            name_wp: Code::get(r)?,
            name_wp_data: Code::get(r)?,
            dep_wp: Code::get(r)?,
            dep_wp_data: Code::get(r)?,
            file_cache: Mutex::default(),
            sources_by_name: Code::get(r)?,
            binaries_by_name: Code::get(r)?,
            complex: Code::get(r)?,
            obsoleters: Code::get(r)?,
            from_cache: true,
        };
        (r.is_empty() && pool.is_consistent()).then_some(pool)
    }

    /// Whether every id, span and text range of the pool is in range and
    /// its tables keep the invariants the builder gives them (a dependency's
    /// operands come before it, rich dependencies are listed in position
    /// order, only provider lists name the system solvable): bytes that pass
    /// the cache's checks but hold something else must not make a later
    /// lookup panic or recurse forever.
    fn is_consistent(&self) -> bool {
        let (nstr, nevr, ndep) = (self.strs.len(), self.evrs.len(), self.nodes.len());
        let (npkg, nprov, nlist) = (self.data.len(), self.provs.len(), self.deplist.len());
        let sym = |s: StrId| s.to_usize() < nstr;
        let evr = |e: EvrId| e.to_usize() < nevr;
        let package = |s: SolvableId| s.is_package() && s.package().to_usize() < npkg;
        let span = |s: Span, len: usize| s.start as usize + s.len as usize <= len;
        let text = |t: Text, arena: &str| {
            t.start.checked_add(t.len as usize).is_some_and(|end| {
                end <= arena.len() && arena.is_char_boundary(t.start) && arena.is_char_boundary(end)
            })
        };
        let prov = |p: &Prov| {
            sym(p.name)
                && match p.rich() {
                    Some(k) => k < self.rich_provs.len(),
                    None => p.flags.is_any() || evr(p.evr),
                }
        };
        // Operands are interned before the node that names them; only a
        // provide is rich by its flags.
        let node = |i: usize, n: &DepNode| match *n {
            DepNode::Simple {
                name,
                flags,
                evr: e,
            } => sym(name) && !flags.is_rich() && (flags.is_any() || evr(e)),
            DepNode::And(a, b)
            | DepNode::Or(a, b)
            | DepNode::With(a, b)
            | DepNode::Without(a, b)
            | DepNode::Cond(a, b)
            | DepNode::Unless(a, b) => [a, b].iter().all(|o| o.to_usize() < i),
            DepNode::CondElse(a, b, c) | DepNode::UnlessElse(a, b, c) => {
                [a, b, c].iter().all(|o| o.to_usize() < i)
            }
        };
        // Rich dependencies as read: ascending positions in `deplist`.
        let mut rich_at = vec![false; nlist];
        for (k, &(at, _)) in self.rich.iter().enumerate() {
            let ascending = k == 0 || self.rich[k - 1].0 < at;
            if !ascending || at as usize >= nlist {
                return false;
            }
            rich_at[at as usize] = true;
        }
        let data = self.data.iter().all(|d| {
            let lists = [
                d.requires,
                d.conflicts,
                d.obsoletes,
                d.recommends,
                d.suggests,
                d.supplements,
                d.enhances,
            ];
            sym(d.name)
                && sym(d.srcname)
                && sym(d.arch)
                && evr(d.evr)
                && (d.repo as usize) < self.repos.len()
                && span(d.provides, nprov)
                && lists.iter().all(|&s| span(s, nlist))
        });
        let ct = &self.cold_text;
        let cold = self.cold.len() == npkg
            && self.cold.iter().all(|c| {
                text(c.sourcerpm, ct)
                    && text(c.summary, ct)
                    && text(c.location, ct)
                    && c.checksum.is_none_or(|t| text(t, ct))
                    && span(c.files, self.files.len())
                    && c.raw_provides.is_none_or(|s| span(s, self.raw_provs.len()))
            });
        // A dependency that is no simple one is kept as read.
        let deplist = self.deplist.iter().enumerate().all(|(i, d)| {
            let nodes: &[DepNode] = &self.nodes;
            nodes
                .get(d.to_usize())
                .is_some_and(|n| rich_at[i] || matches!(n, DepNode::Simple { .. }))
        });
        // Dependencies' providers may include the system solvable (it
        // provides rpmlib()); names' providers are packages.
        let providers = |wp: &[Span], data: &[SolvableId], system: bool| {
            wp.iter().all(|&s| span(s, data.len()))
                && data
                    .iter()
                    .all(|&s| package(s) || system && s == SolvableId::SYSTEM)
        };
        let by_name = |m: &FxHashMap<StrId, Vec<SolvableId>>| {
            m.iter()
                .all(|(&k, v)| sym(k) && v.iter().all(|&s| package(s)))
        };
        data && cold
            && deplist
            && self.nodes.iter().enumerate().all(|(i, n)| node(i, n))
            && self.files.iter().all(|&t| text(t, &self.file_text))
            && self.raw_provs.iter().all(prov)
            && self.provs.iter().all(prov)
            && self.pre.len() >= nlist.div_ceil(64)
            && self.name_wp.len() == nstr
            && providers(&self.name_wp, &self.name_wp_data, false)
            && self.dep_wp.len() == ndep
            && providers(&self.dep_wp, &self.dep_wp_data, true)
            && self.complex.len() == ndep
            && by_name(&self.binaries_by_name)
            && by_name(&self.obsoleters)
            && self
                .sources_by_name
                .iter()
                .all(|(&k, v)| sym(k) && v.iter().all(|&p| p.to_usize() < npkg))
    }
}

#[cfg(test)]
mod tests {
    use super::super::DepId;
    use super::*;
    use crate::rpmmd::{load_repos, Filelists, LoadOptions, RepoSpec};

    /// The shipped fixture repos (binaries, weak dependencies, extras,
    /// sources) in one pool: rich dependencies, files, excluded packages.
    fn fixture_pool() -> Pool {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");
        let mut specs: Vec<RepoSpec> = ["x86_64", "weak/x86_64", "extras/x86_64", "source"]
            .iter()
            .map(|d| RepoSpec::new(d, &format!("{root}/{d}")))
            .collect();
        specs[2].exclude = vec!["*-devel".into()];
        let opts = LoadOptions {
            filelists: Filelists::All,
            cache_dir: None,
        };
        Pool::new("x86_64", load_repos(&specs, &opts).unwrap()).unwrap()
    }

    fn bytes_of(pool: &Pool) -> Vec<u8> {
        let mut out = Vec::new();
        pool.write_snapshot(&mut |b| {
            out.extend_from_slice(b);
            Ok(())
        })
        .unwrap();
        out
    }

    /// Read back, the pool writes the same bytes (every table survives,
    /// ids included), and its rebuilt lookups find every value's id.
    #[test]
    fn snapshot_reads_back_the_same_pool() {
        let pool = fixture_pool();
        let bytes = bytes_of(&pool);
        let back = Pool::from_snapshot(&bytes).expect("a whole snapshot");
        assert!(back.from_cache() && !pool.from_cache());
        assert_eq!(bytes_of(&back), bytes);
        assert!(!pool.rich.is_empty() && !pool.file_text.is_empty());
        for (i, s) in back.strs.iter().enumerate() {
            assert_eq!(back.strs.get(s), Some(StrId::from_usize(i)), "{s}");
        }
        for (i, e) in back.evrs.iter().enumerate() {
            assert_eq!(back.evrs.get(e), Some(EvrId::from_usize(i)), "{e}");
        }
        for (i, n) in back.nodes.iter().enumerate() {
            assert_eq!(back.nodes.get(n), Some(DepId::from_usize(i)), "{n:?}");
        }
        for id in pool.ids() {
            assert_eq!(back.package(id), pool.package(id));
        }
    }

    /// Bytes cut short or followed by more are no pool.
    #[test]
    fn partial_or_padded_snapshot_is_refused() {
        let bytes = bytes_of(&fixture_pool());
        for cut in [0, 1, 7, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            assert!(Pool::from_snapshot(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut more = bytes.clone();
        more.push(0);
        assert!(Pool::from_snapshot(&more).is_none());
    }

    /// Bytes of the right shape whose ids, spans or texts point outside
    /// their tables are no pool (a later lookup would panic).
    #[test]
    fn snapshot_out_of_range_is_refused() {
        let damage: [fn(&mut Pool); 10] = [
            |p| p.data[0].name = StrId::from_usize(1 << 30),
            |p| p.data[1].requires.len = u32::MAX,
            |p| p.cold[2].summary.start = p.cold_text.len(),
            |p| p.deplist[0] = DepId::from_usize(p.nodes.len()),
            |p| p.dep_wp_data[0] = SolvableId::of_index(p.data.len()),
            |p| {
                p.complex.pop();
            },
            // A dependency that names itself (a later lookup would recurse).
            |p| {
                let i = p
                    .nodes
                    .iter()
                    .position(|n| !matches!(n, DepNode::Simple { .. }));
                let i = i.expect("a rich dependency");
                let me = DepId::from_usize(i);
                p.nodes.values_mut()[i] = DepNode::Or(me, me);
            },
            |p| p.rich.swap(0, 1),
            |p| p.name_wp_data[0] = SolvableId::SYSTEM,
            |p| {
                // The middle of a multi-byte character.
                p.cold_text.push('é');
                p.cold[0].summary = Text {
                    start: p.cold_text.len() - 1,
                    len: 1,
                };
            },
        ];
        assert!(Pool::from_snapshot(&bytes_of(&fixture_pool())).is_some());
        for (i, f) in damage.iter().enumerate() {
            let mut pool = fixture_pool();
            f(&mut pool);
            assert!(
                Pool::from_snapshot(&bytes_of(&pool)).is_none(),
                "damage {i}"
            );
        }
    }

    /// The writer's first error is returned, and nothing is handed to it
    /// after that.
    #[test]
    fn write_error_is_returned() {
        let pool = fixture_pool();
        let mut calls = 0;
        let err = pool
            .write_snapshot(&mut |_| {
                calls += 1;
                Err(std::io::Error::other("disk full"))
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(calls, 1);
    }
}
