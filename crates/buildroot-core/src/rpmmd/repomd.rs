//! `repodata/repomd.xml`: where a repository's metadata files are and their
//! checksums.

use std::io::BufRead;

use super::xml::{attr, local, Ev, XmlReader};
use crate::error::{Error, Result};

/// One `<data type="...">` record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepomdRecord {
    /// The record type (`primary`, `filelists`, `group`, ...).
    pub kind: String,
    /// The file, relative to the repository's root.
    pub href: String,
    /// The checksum type (`sha256`, ...).
    pub checksum_type: String,
    /// The file's checksum, hex.
    pub checksum: String,
    /// The file's size in bytes, when recorded.
    pub size: Option<u64>,
}

/// The parsed repomd.xml.
#[derive(Clone, Debug, Default)]
pub struct Repomd {
    /// The repository revision (`<revision>`).
    pub revision: String,
    /// Every `<data>` record, in document order.
    pub records: Vec<RepomdRecord>,
}

impl Repomd {
    /// Parses repomd.xml from `r`; `origin` names the file in errors.
    pub fn parse<R: BufRead>(r: R, origin: &str) -> Result<Repomd> {
        let mut x = XmlReader::new(r, origin);
        let mut buf = Vec::new();
        let mut md = Repomd::default();
        let mut cur: Option<RepomdRecord> = None;
        let mut saw_root = false;
        loop {
            match x.next(&mut buf)? {
                Ev::Start(s, empty) => {
                    let name = local(&s);
                    match name.as_str() {
                        "repomd" => saw_root = true,
                        "data" => {
                            cur = Some(RepomdRecord {
                                kind: attr(&x, &s, "type")?.unwrap_or_default(),
                                ..Default::default()
                            })
                        }
                        "location" => {
                            if let Some(c) = cur.as_mut() {
                                c.href = attr(&x, &s, "href")?.unwrap_or_default();
                            }
                            if !empty {
                                x.skip(&mut buf)?;
                            }
                        }
                        "checksum" if !empty => {
                            let t = attr(&x, &s, "type")?.unwrap_or_default();
                            let v = x.text(&mut buf)?;
                            if let Some(c) = cur.as_mut() {
                                c.checksum_type = t;
                                c.checksum = v.trim().to_string();
                            }
                        }
                        "size" if !empty => {
                            let v = x.text(&mut buf)?;
                            if let Some(c) = cur.as_mut() {
                                c.size = v.trim().parse().ok();
                            }
                        }
                        "revision" if !empty => md.revision = x.text(&mut buf)?.trim().to_string(),
                        _ if !empty && name != "data" => x.skip(&mut buf)?,
                        _ => {}
                    }
                }
                Ev::End => {
                    if let Some(c) = cur.take() {
                        md.records.push(c);
                    }
                }
                Ev::Text(_) | Ev::Other => {}
                Ev::Eof => break,
            }
        }
        if !saw_root {
            return Err(Error::format(
                origin,
                "not a repomd.xml (no <repomd> element)",
            ));
        }
        Ok(md)
    }

    /// The record of one metadata type (`primary`, `filelists`, ...).
    pub fn record(&self, kind: &str) -> Option<&RepomdRecord> {
        self.records.iter().find(|r| r.kind == kind)
    }
}
