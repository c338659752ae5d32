//! The pool plus the dependencies one transaction's jobs name that the pool
//! does not know (libsolv interns them into the pool itself; here they get
//! ids after the pool's, so the pool stays shared and read-only).
//! Mirrors the parts of libsolv's `pool_str2id`/`pool_rel2id` and
//! `pool_addrelproviders` a job needs, and `pool_dep2str` for messages.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::deps::{compute_providers, DepAccess, DepInterner, DepNode, Prov};
use super::{PkgId, Pool};
use crate::evr::Evr;

/// The pool plus dependencies interned for one transaction's jobs (strings,
/// EVRs and nodes the pool does not know get ids after the pool's).
pub(crate) struct Overlay<'p> {
    pub pool: &'p Pool,
    strs: Vec<String>,
    str_map: FxHashMap<String, u32>,
    evrs: Vec<Evr>,
    evr_map: FxHashMap<Evr, u32>,
    nodes: Vec<DepNode>,
    node_map: FxHashMap<DepNode, u32>,
    wp: Vec<Vec<u32>>,
}

impl<'p> Overlay<'p> {
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
    pub(crate) fn dep_str(&self, dep: u32) -> String {
        self.dep_str_in(dep, None)
    }

    fn dep_str_in(&self, dep: u32, parent: Option<u8>) -> String {
        let evr_s = |e: u32| self.evr(e).to_string();
        // 1 and, 2 or, 3 with, 4 without: a same-op chain needs no parens.
        let bin = |op: u8, word: &str, a: u32, b: u32| {
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
        let sub = |d: u32| self.dep_str_in(d, Some(0));
        match self.node(dep) {
            DepNode::Simple { name, flags, evr } => {
                let n = self.sym_str(name);
                let op = match flags {
                    0 => return n.to_string(),
                    1 => ">",
                    2 => "=",
                    3 => ">=",
                    4 => "<",
                    6 => "<=",
                    _ => "<=>",
                };
                format!("{n} {op} {}", evr_s(evr))
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
    fn intern_str(&mut self, s: &str) -> u32 {
        if let Some(sym) = self.pool.sym(s) {
            return sym;
        }
        if let Some(&id) = self.str_map.get(s) {
            return id;
        }
        let id = self.pool.nsyms() + self.strs.len() as u32;
        self.strs.push(s.to_string());
        self.str_map.insert(s.to_string(), id);
        id
    }

    fn intern_evr(&mut self, evr: &Evr) -> u32 {
        if let Some(id) = self.pool.evr_id(evr) {
            return id;
        }
        if let Some(&id) = self.evr_map.get(evr) {
            return id;
        }
        let id = self.pool.nevrs() + self.evrs.len() as u32;
        self.evrs.push(evr.clone());
        self.evr_map.insert(evr.clone(), id);
        id
    }

    fn intern_node(&mut self, node: DepNode) -> u32 {
        if let Some(id) = self.pool.node_id(&node) {
            return id;
        }
        if let Some(&id) = self.node_map.get(&node) {
            return id;
        }
        let list = compute_providers(&*self, node);
        let id = self.pool.nnodes() + self.nodes.len() as u32;
        self.nodes.push(node);
        self.node_map.insert(node, id);
        self.wp.push(list);
        id
    }
}

impl DepAccess for Overlay<'_> {
    fn sym_str(&self, sym: u32) -> &str {
        let n = self.pool.nsyms();
        if sym < n {
            self.pool.str_of(sym)
        } else {
            &self.strs[(sym - n) as usize]
        }
    }

    fn evr(&self, id: u32) -> &Evr {
        let n = self.pool.nevrs();
        if id < n {
            &self.pool.evrs[id as usize]
        } else {
            &self.evrs[(id - n) as usize]
        }
    }

    fn node(&self, dep: u32) -> DepNode {
        let n = self.pool.nnodes();
        if dep < n {
            self.pool.nodes[dep as usize]
        } else {
            self.nodes[(dep - n) as usize]
        }
    }

    fn name_providers(&self, sym: u32) -> Cow<'_, [u32]> {
        let n = self.pool.nsyms();
        if sym < n {
            self.pool.name_providers(sym)
        } else {
            // Not in the pool: nothing provides it (paths included, as in
            // libsolv after `pool_addfileprovides`).
            Cow::Borrowed(&[])
        }
    }

    fn dep_providers(&self, dep: u32) -> Cow<'_, [u32]> {
        let n = self.pool.nnodes();
        if dep < n {
            self.pool.dep_providers(dep)
        } else {
            Cow::Borrowed(&self.wp[(dep - n) as usize])
        }
    }

    fn provides_of(&self, sid: u32) -> &[Prov] {
        self.pool.provides_of(sid)
    }

    fn owns_file(&self, sid: u32, sym: u32) -> bool {
        let path = self.sym_str(sym);
        self.pool
            .package(PkgId::from_sid(sid))
            .files
            .iter()
            .any(|f| f == path)
    }
}
