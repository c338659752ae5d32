//! The `buildroot-binary-relations` JSON: for every binary package the
//! generator installed on one arch, which other members of the same install
//! sets require (recommend, suggest) it, and its source name. dep-tracker
//! wrote it per arch as `buildroot-package-relations--view-VIEW--ARCH.json`
//! and content-resolver's `dep_tracker` strategy read it.
//!
//! ```json
//! {"document_type": "buildroot-binary-relations", "version": "1",
//!  "data": {"view_id": "view-eln", "arch": "x86_64",
//!   "pkgs": {"gcc-11.2.1-1.eln112.x86_64": {"required_by": ["gcc-c++-11.2.1-1.eln112.x86_64"],
//!            "recommended_by": [], "suggested_by": [], "source_name": "gcc"}}}}
//! ```
//!
//! Keys are `name-[epoch:]version-release.arch` ([`relation_key`]). Maps and
//! lists are sorted sets here, so merging the relations of many resolutions
//! gives the same bytes whatever the order (dep-tracker's lists were in
//! merge order).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::null_as_default;
use crate::error::{Error, Result};
use crate::evr::Evr;

/// `document_type` of the relations JSON.
pub const RELATIONS_DOCUMENT: &str = "buildroot-binary-relations";
/// `version` of the relations JSON (a string, as dep-tracker wrote it).
pub const RELATIONS_VERSION: &str = "1";

/// The relations of one arch's buildroot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relations {
    /// The view the buildroot belongs to.
    pub view_id: String,
    /// The arch.
    pub arch: String,
    /// Package key ([`relation_key`]) -> its relations.
    #[serde(default, deserialize_with = "null_as_default")]
    pub pkgs: BTreeMap<String, PackageRelations>,
}

/// Who pulls one package in, within the same install sets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRelations {
    /// Keys of packages whose Requires one of this package's Provides satisfies.
    #[serde(default, deserialize_with = "null_as_default")]
    pub required_by: BTreeSet<String>,
    /// Likewise for Recommends.
    #[serde(default, deserialize_with = "null_as_default")]
    pub recommended_by: BTreeSet<String>,
    /// Likewise for Suggests.
    #[serde(default, deserialize_with = "null_as_default")]
    pub suggested_by: BTreeSet<String>,
    /// The package's source name.
    #[serde(default)]
    pub source_name: String,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    document_type: String,
    version: String,
    data: T,
}

/// The key of a package in `pkgs`: `name-[epoch:]version-release.arch`, the
/// epoch shown only when non-zero (as dnf's `pkg.evr` prints it).
pub fn relation_key(name: &str, evr: &Evr, arch: &str) -> String {
    format!("{name}-{evr}.{arch}")
}

impl Relations {
    /// Empty relations for `view_id` (e.g. `view-eln`) and `arch`.
    pub fn new(view_id: &str, arch: &str) -> Relations {
        Relations {
            view_id: view_id.to_string(),
            arch: arch.to_string(),
            pkgs: BTreeMap::new(),
        }
    }

    /// The entry of package `key`, created with `source_name` if new.
    pub fn entry(&mut self, key: &str, source_name: &str) -> &mut PackageRelations {
        let e = self.pkgs.entry(key.to_string()).or_default();
        if e.source_name.is_empty() {
            e.source_name = source_name.to_string();
        }
        e
    }

    /// Adds everything of `other` (same view and arch) to `self`: lists are
    /// unioned, a source name already set is kept.
    pub fn merge(&mut self, other: Relations) {
        for (key, rel) in other.pkgs {
            let e = self.entry(&key, &rel.source_name);
            e.required_by.extend(rel.required_by);
            e.recommended_by.extend(rel.recommended_by);
            e.suggested_by.extend(rel.suggested_by);
        }
    }

    /// The JSON text (two-space indented, keys sorted, trailing newline).
    pub fn to_json(&self) -> String {
        let env = Envelope {
            document_type: RELATIONS_DOCUMENT.to_string(),
            version: RELATIONS_VERSION.to_string(),
            data: self,
        };
        // Serializing maps with string keys and strings cannot fail.
        let mut s = serde_json::to_string_pretty(&env).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the JSON to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::atomic::write_file_with(path, |w| self.write_to(w))
    }

    /// Writes the JSON document to `w`.
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let env = Envelope {
            document_type: RELATIONS_DOCUMENT.to_string(),
            version: RELATIONS_VERSION.to_string(),
            data: self,
        };
        serde_json::to_writer_pretty(&mut *w, &env).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    }

    /// Parses relations JSON from a reader; `origin` names it in errors.
    pub fn from_reader(mut r: impl Read, origin: &str) -> Result<Relations> {
        // A slice parses several times faster than a reader, and lets a
        // failed typed parse be followed by a look at the header alone.
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)
            .map_err(|e| Error::format(origin, e.to_string()))?;
        Self::from_slice(&bytes, origin)
    }

    /// Parses relations JSON text.
    pub fn from_slice(bytes: &[u8], origin: &str) -> Result<Relations> {
        #[derive(Deserialize)]
        struct Raw {
            document_type: Option<String>,
            version: Option<serde_json::Value>,
            data: Option<Relations>,
        }
        #[derive(Deserialize)]
        struct Header {
            document_type: Option<serde_json::Value>,
        }
        let raw: Raw = match serde_json::from_slice(bytes) {
            Ok(raw) => raw,
            Err(e) => {
                // Another document (e.g. bg2's buildroot-source-relations)
                // deserves that answer, not a missing field deep inside.
                if let Ok(Header {
                    document_type: Some(d),
                }) = serde_json::from_slice::<Header>(bytes)
                {
                    if d.as_str() != Some(RELATIONS_DOCUMENT) {
                        let d = d
                            .as_str()
                            .map(|s| format!("'{s}'"))
                            .unwrap_or(d.to_string());
                        return Err(Error::format(
                            origin,
                            format!("document_type is {d}, expected '{RELATIONS_DOCUMENT}'"),
                        ));
                    }
                }
                return Err(Error::format(origin, format!("not relations JSON: {e}")));
            }
        };
        match raw.document_type.as_deref() {
            Some(RELATIONS_DOCUMENT) => {}
            Some(other) => {
                return Err(Error::format(
                    origin,
                    format!("document_type is '{other}', expected '{RELATIONS_DOCUMENT}'"),
                ))
            }
            None => {
                return Err(Error::format(
                    origin,
                    format!("no document_type (expected '{RELATIONS_DOCUMENT}')"),
                ))
            }
        }
        // dep-tracker wrote the string "1"; accept the number too.
        match &raw.version {
            Some(serde_json::Value::String(s)) if s == RELATIONS_VERSION => {}
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => {
                return Err(Error::format(
                    origin,
                    format!("unsupported version {v} (expected \"1\")"),
                ))
            }
            None => return Err(Error::format(origin, "no version (expected \"1\")")),
        }
        raw.data
            .ok_or_else(|| Error::format(origin, "no 'data' object"))
    }

    /// Reads a relations JSON file.
    pub fn read(path: &Path) -> Result<Relations> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader(f, &path.display().to_string())
    }
}
