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
        // Open <repomd> and <data> elements: a file cut off between two
        // elements is well-formed so far and only this tells it is short
        // (a body that ended early without a Content-Length to betray it).
        let mut open = 0usize;
        loop {
            match x.next(&mut buf)? {
                Ev::Start(s, empty) => {
                    let name = local(&s);
                    if !empty && matches!(name.as_str(), "repomd" | "data") {
                        open += 1;
                    }
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
                    open = open.saturating_sub(1);
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
        if open > 0 {
            return Err(Error::format(
                origin,
                "truncated: the file ends before </repomd> (an interrupted download or a damaged file)",
            ));
        }
        Ok(md)
    }

    /// The record of one metadata type (`primary`, `filelists`, ...).
    pub fn record(&self, kind: &str) -> Option<&RepomdRecord> {
        self.records.iter().find(|r| r.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo">
  <revision>7</revision>
  <data type="primary">
    <checksum type="sha256">aa</checksum>
    <location href="repodata/p.xml.zst"/>
    <size>10</size>
  </data>
  <data type="filelists">
    <checksum type="sha256">bb</checksum>
    <location href="repodata/f.xml.zst"/>
  </data>
</repomd>
"#;

    #[test]
    fn a_whole_file_gives_every_record() {
        let md = Repomd::parse(WHOLE.as_bytes(), "r").unwrap();
        assert_eq!(md.revision, "7");
        let kinds: Vec<&str> = md.records.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["primary", "filelists"]);
        assert_eq!(md.record("primary").unwrap().size, Some(10));
    }

    /// A repomd.xml as createrepo_c writes it with `--zck` and tags (Fedora's
    /// shape): the `primary` record is the one read, whatever comes first;
    /// the zchunk records, `<header-checksum>` and `<tags>` are passed over.
    #[test]
    fn zchunk_records_and_tags_leave_primary_as_it_is() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1733436000</revision>
  <tags>
    <content>binary-x86_64</content>
    <repo>fedora</repo>
    <distro cpeid="cpe:/o:fedoraproject:fedora:41">Fedora 41</distro>
  </tags>
  <data type="primary_zck">
    <checksum type="sha256">cc</checksum>
    <open-checksum type="sha256">dd</open-checksum>
    <header-checksum type="sha256">ee</header-checksum>
    <location href="repodata/cc-primary.xml.zck"/>
    <size>1475</size>
    <open-size>3255</open-size>
    <header-size>368</header-size>
  </data>
  <data type="primary">
    <checksum type="sha256">aa</checksum>
    <open-checksum type="sha256">bb</open-checksum>
    <location href="repodata/aa-primary.xml.gz"/>
    <size>829</size>
  </data>
</repomd>
"#;
        let md = Repomd::parse(text.as_bytes(), "r").unwrap();
        assert_eq!(md.revision, "1733436000");
        let p = md.record("primary").unwrap();
        assert_eq!(
            (p.href.as_str(), p.checksum.as_str(), p.size),
            ("repodata/aa-primary.xml.gz", "aa", Some(829))
        );
        assert_eq!(md.record("primary_zck").unwrap().size, Some(1475));
    }

    /// A download cut off between two elements is well-formed as far as it
    /// goes; it must not pass for a repo without the records it lost.
    #[test]
    fn a_file_cut_off_anywhere_is_an_error() {
        let end = WHOLE.find("</repomd>").unwrap();
        for cut in [
            WHOLE.find("<data type=\"filelists\">").unwrap(),
            WHOLE.find("  <data type=\"filelists\">").unwrap() - 1,
            end,
            end - 1,
        ] {
            let e = Repomd::parse(&WHOLE.as_bytes()[..cut], "r").unwrap_err();
            assert!(e.to_string().starts_with("r: "), "cut at {cut}: {e}");
        }
        let e = Repomd::parse(&WHOLE.as_bytes()[..end], "r").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }
}
