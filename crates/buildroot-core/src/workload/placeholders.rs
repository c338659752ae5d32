//! content-resolver's placeholder-SRPM JSON
//! (`view-placeholder-srpm-details--VIEW--ARCH.json`): sources that workloads
//! declare but no repository has yet, each with the build requirements it
//! will have. The generator resolves them like real sources.
//!
//! ```json
//! {"newthing": {"build_requires": ["gcc", "make"]}}
//! ```
//!
//! Keys other than `build_requires` are ignored (content-resolver's format
//! has grown over time); a missing or `null` `build_requires` is empty.
//! Requirement order is kept as written (duplicates dropped): it is the
//! order the requirements would be given to the solver.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read};

use serde::Deserialize;

use super::null_as_default;
use crate::error::{Error, Result};

/// The placeholder sources of one view and arch, by source name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// Source name -> its placeholder.
    pub sources: BTreeMap<String, PlaceholderSource>,
}

/// One placeholder source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct PlaceholderSource {
    /// What its build needs (names or capability strings, as in BuildRequires).
    #[serde(default, deserialize_with = "null_as_default")]
    pub build_requires: Vec<String>,
}

impl Placeholders {
    /// Parses the JSON from a reader; `origin` names it in errors.
    pub fn from_reader(r: impl Read, origin: &str) -> Result<Placeholders> {
        let mut bytes = Vec::new();
        BufReader::new(r)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(origin, e))?;
        // serde_json takes a byte order mark for a stray character.
        let raw: BTreeMap<String, PlaceholderSource> =
            serde_json::from_slice(crate::pkglist::strip_bom(&bytes)).map_err(|e| {
                Error::format(
                    origin,
                    format!(
                        "not a placeholder JSON ({{\"NAME\": {{\"build_requires\": [...]}}}}): {e}"
                    ),
                )
            })?;
        let mut sources = BTreeMap::new();
        for (name, mut src) in raw {
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(Error::format(
                    origin,
                    format!("'{name}' is not a source package name"),
                ));
            }
            let mut seen = BTreeSet::new();
            src.build_requires = src
                .build_requires
                .into_iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty() && seen.insert(r.clone()))
                .collect();
            sources.insert(name, src);
        }
        Ok(Placeholders { sources })
    }

    /// Parses JSON text.
    pub fn from_json(text: &str, origin: &str) -> Result<Placeholders> {
        Self::from_reader(text.as_bytes(), origin)
    }

    /// Reads a file (`-` = stdin).
    pub fn read(path: &str) -> Result<Placeholders> {
        if path == "-" {
            crate::pkglist::note_if_terminal("the placeholders (JSON)");
            return Self::from_reader(std::io::stdin().lock(), "<stdin>");
        }
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader(f, path)
    }

    /// Source names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }
}
