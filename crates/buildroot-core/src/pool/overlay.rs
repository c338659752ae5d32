//! The pool plus the dependencies one transaction's jobs name that the pool
//! does not know (libsolv interns them into the pool itself; here they get
//! ids after the pool's, so the pool stays shared and read-only).
//! Mirrors the parts of libsolv's `pool_str2id`/`pool_rel2id` and
//! `pool_addrelproviders` a job needs, and `pool_dep2str` for messages.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::deps::{compute_providers, DepAccess, DepInterner, DepNode, Prov};
use super::id::{DepId, EvrId, SolvableId, StrId};
use super::Pool;
use crate::evr::Evr;

/// The pool plus dependencies interned for one transaction's jobs (strings,
/// EVRs and nodes the pool does not know get ids after the pool's).
pub(crate) struct Overlay<'p> {
    /// The pool the ids below its table sizes refer to.
    pub pool: &'p Pool,
    strs: Vec<String>,
    str_map: FxHashMap<String, StrId>,
    evrs: Vec<Evr>,
    evr_map: FxHashMap<Evr, EvrId>,
    nodes: Vec<DepNode>,
    node_map: FxHashMap<DepNode, DepId>,
    wp: Vec<Vec<SolvableId>>,
}

impl<'p> Overlay<'p> {
    /// An overlay over `pool` with nothing interned yet.
    pub(crate) fn new(pool: &'p Pool) -> Overlay<'p> {
        Overlay {
            pool,
            strs: Vec::new(),
            str_map: FxHashMap::default(),
            evrs: Vec::new(),
            evr_map: FxHashMap::default(),
            nodes: Vec::new(),
            node_map: FxHashMap::default(),
            wp: Vec::new(),
        }
    }

    /// A dependency as text (for problem messages), as libsolv's
    /// `pool_dep2str` writes it: a rich dependency in parentheses, except a
    /// chain of the same `and`/`or`/`with`/`without` inside it.
    pub(crate) fn dep_str(&self, dep: DepId) -> String {
        self.dep_str_in(dep, None)
    }

    fn dep_str_in(&self, dep: DepId, parent: Option<u8>) -> String {
        let evr_s = |e: EvrId| self.evr(e).to_string();
        // 1 and, 2 or, 3 with, 4 without: a same-op chain needs no parens.
        let bin = |op: u8, word: &str, a: DepId, b: DepId| {
            let inner = format!(
                "{} {word} {}",
                self.dep_str_in(a, Some(op)),
                self.dep_str_in(b, Some(op))
            );
            if parent == Some(op) {
                inner
            } else {
                format!("({inner})")
            }
        };
        let sub = |d: DepId| self.dep_str_in(d, Some(0));
        match self.node(dep) {
            DepNode::Simple { name, flags, evr } => {
                let n = self.sym_str(name);
                if flags.is_any() {
                    return n.to_string();
                }
                format!("{n} {} {}", flags.comparator_str(), evr_s(evr))
            }
            DepNode::And(a, b) => bin(1, "and", a, b),
            DepNode::Or(a, b) => bin(2, "or", a, b),
            DepNode::With(a, b) => bin(3, "with", a, b),
            DepNode::Without(a, b) => bin(4, "without", a, b),
            DepNode::Cond(a, b) => format!("({} if {})", sub(a), sub(b)),
            DepNode::CondElse(a, b, c) => {
                format!("({} if {} else {})", sub(a), sub(b), sub(c))
            }
            DepNode::Unless(a, b) => format!("({} unless {})", sub(a), sub(b)),
            DepNode::UnlessElse(a, b, c) => {
                format!("({} unless {} else {})", sub(a), sub(b), sub(c))
            }
        }
    }
}

impl DepInterner for Overlay<'_> {
    fn intern_str(&mut self, s: &str) -> StrId {
        if let Some(sym) = self.pool.sym(s) {
            return sym;
        }
        if let Some(&id) = self.str_map.get(s) {
            return id;
        }
        let id = StrId::from_usize(self.pool.nsyms() + self.strs.len());
        self.strs.push(s.to_string());
        self.str_map.insert(s.to_string(), id);
        id
    }

    fn intern_evr(&mut self, evr: &Evr) -> EvrId {
        if let Some(id) = self.pool.evr_id(evr) {
            return id;
        }
        if let Some(&id) = self.evr_map.get(evr) {
            return id;
        }
        let id = EvrId::from_usize(self.pool.nevrs() + self.evrs.len());
        self.evrs.push(evr.clone());
        self.evr_map.insert(evr.clone(), id);
        id
    }

    fn intern_node(&mut self, node: DepNode) -> DepId {
        if let Some(id) = self.pool.node_id(&node) {
            return id;
        }
        if let Some(&id) = self.node_map.get(&node) {
            return id;
        }
        let list = compute_providers(&*self, node);
        let id = DepId::from_usize(self.pool.nnodes() + self.nodes.len());
        self.nodes.push(node);
        self.node_map.insert(node, id);
        self.wp.push(list);
        id
    }
}

impl DepAccess for Overlay<'_> {
    fn sym_str(&self, sym: StrId) -> &str {
        let n = self.pool.nsyms();
        if sym.to_usize() < n {
            self.pool.str_of(sym)
        } else {
            &self.strs[sym.to_usize() - n]
        }
    }

    fn evr(&self, id: EvrId) -> &Evr {
        let n = self.pool.nevrs();
        if id.to_usize() < n {
            &self.pool.evrs[id.to_usize()]
        } else {
            &self.evrs[id.to_usize() - n]
        }
    }

    fn node(&self, dep: DepId) -> DepNode {
        let n = self.pool.nnodes();
        if dep.to_usize() < n {
            self.pool.nodes[dep.to_usize()]
        } else {
            self.nodes[dep.to_usize() - n]
        }
    }

    fn name_providers(&self, sym: StrId) -> Cow<'_, [SolvableId]> {
        let n = self.pool.nsyms();
        if sym.to_usize() < n {
            self.pool.name_providers(sym)
        } else {
            // Not in the pool: nothing provides it (paths included, as in
            // libsolv after `pool_addfileprovides`).
            Cow::Borrowed(&[])
        }
    }

    fn dep_providers(&self, dep: DepId) -> Cow<'_, [SolvableId]> {
        let n = self.pool.nnodes();
        if dep.to_usize() < n {
            self.pool.dep_providers(dep)
        } else {
            Cow::Borrowed(&self.wp[dep.to_usize() - n])
        }
    }

    fn provides_of(&self, sid: SolvableId) -> &[Prov] {
        self.pool.provides_of(sid)
    }

    fn owns_file(&self, sid: SolvableId, path: StrId) -> bool {
        let path = self.sym_str(path);
        self.pool
            .package(sid.package())
            .files
            .iter()
            .any(|f| f == path)
    }
}
