//! `metalink=` and `mirrorlist=` in dnf `.repo` files (what Fedora's own
//! repo files use instead of `baseurl=`): the list is fetched, turned into
//! candidate base URLs in the list's order, and each is tried in turn. A metalink
//! also names the checksums of the current repomd.xml (and of the recent
//! ones, its `mm0:alternates`); a mirror whose repomd.xml matches none of
//! them is stale and skipped, as librepo does (`lr_get_best_checksum`: of
//! each `<verification>`, only its strongest hash counts). A mirrorlist's
//! lines are taken as librepo's `lr_mirrorlist_parse_file` takes them.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::access::RepoAccess;
use super::compress::Hasher;
use super::download_slots::{Caps, DownloadSlots, InLine};
use super::fetch::{self, Location};
use super::http::{self, HttpSettings};
use super::xml::{attr, local, Ev, XmlReader};
use super::{dnfvars, LoadOptions, RepoSpec};
use crate::error::{Error, Result};

/// Where a repository's mirrors are listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MirrorSource {
    /// A metalink document (`metalink=`).
    Metalink(String),
    /// A plain list of base URLs, one per line (`mirrorlist=`).
    Mirrorlist(String),
}

impl MirrorSource {
    /// The metalink's or mirrorlist's URL.
    pub fn url(&self) -> &str {
        match self {
            MirrorSource::Metalink(u) | MirrorSource::Mirrorlist(u) => u,
        }
    }
}

/// Mirrors to try, best first, and the repomd.xml checksums a current one has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mirrors {
    /// Base URLs of the repository, best first.
    pub baseurls: Vec<String>,
    /// The strongest checksum of each of a metalink's `<verification>`s
    /// (the current repomd.xml's, then its alternates'); empty for a
    /// mirrorlist (nothing to check against).
    pub repomd_checksums: Vec<RepomdChecksum>,
}

/// A checksum a metalink gives for the current repomd.xml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepomdChecksum {
    /// The algorithm (`sha256`, `md5`, ...), lowered, as librepo reads it.
    pub algo: String,
    /// The digest exactly as the metalink writes it: librepo keeps the
    /// text of `<hash>` and compares it with `strcmp` to the lower-case
    /// hex it computes, so digits in upper case, or spaces around them,
    /// match no download (dnf fails every mirror; MirrorManager writes
    /// lower case).
    pub hex: String,
}

/// Why `repomd` (a repomd.xml's bytes, as downloaded: the bytes that are
/// then parsed, so a file replaced on disk meanwhile cannot pass the check
/// for another) matches none of a metalink's checksums `want`; `None` when
/// one matches, or when there are none we can compute (types we cannot
/// compute are passed over, as librepo does). A hash that would match but
/// for its case or the spaces around it is named: the mirror is then not
/// stale, the metalink is what dnf too refuses.
pub(super) fn repomd_mismatch(repomd: &[u8], want: &[RepomdChecksum]) -> Option<String> {
    let mut computed = Vec::new();
    for c in want {
        let Some(mut h) = Hasher::new(&c.algo) else {
            continue;
        };
        h.update(repomd);
        let got = h.hex();
        if got == c.hex {
            return None;
        }
        computed.push((c, got));
    }
    if computed.is_empty() {
        return None;
    }
    let near = computed
        .iter()
        .find(|(c, got)| c.hex.trim().eq_ignore_ascii_case(got));
    Some(match near {
        Some((c, got)) => format!(
            "does not match the metalink's {} {:?}, only the same digits {}: the download \
             has {got}, and hashes are compared as written, as dnf compares them (it \
             fails this mirror too)",
            c.algo,
            c.hex,
            if c.hex.trim() == c.hex {
                "in lower case"
            } else {
                "without the spaces around them"
            }
        ),
        None => STALE.to_string(),
    })
}

/// [`repomd_mismatch`]'s reason for a repomd.xml that matches no hash at
/// all: a mirror not synced yet, which another request may find synced
/// (a node of a load-balanced mirror).
const STALE: &str = "does not match the metalink's checksums (a stale mirror)";

/// How strong a hash type is, as librepo ranks them (md5 weakest, sha512
/// strongest); `None` for a type librepo does not know, which it never
/// picks. `algo` is lowercase.
fn strength(algo: &str) -> Option<u8> {
    ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]
        .iter()
        .position(|a| *a == algo || (algo == "sha" && *a == "sha1"))
        .map(|i| i as u8)
}

/// Keeps the strongest checksum of `group` (one `<verification>`), if any
/// is of a known type: a weaker hash that matches while the strongest does
/// not is no match, as librepo compares the strongest only.
fn keep_strongest(group: &mut Vec<RepomdChecksum>, out: &mut Vec<RepomdChecksum>) {
    let best = group
        .drain(..)
        .filter_map(|c| strength(&c.algo).map(|s| (s, c)))
        // The first of equals, as librepo keeps it.
        .fold(None::<(u8, RepomdChecksum)>, |best, (s, c)| match best {
            Some((b, _)) if b >= s => best,
            _ => Some((s, c)),
        });
    out.extend(best.map(|(_, c)| c));
}

/// Reads a metalink: the `<url>` resources of its `repomd.xml` file (http,
/// https, ftp and file), in document order, with `repodata/repomd.xml` cut
/// off when they end in it, and the
/// strongest hash of
/// each `<verification>` (types in lowercase, as librepo reads them in any
/// case; digests as written).
pub fn parse_metalink<R: BufRead>(r: R, origin: &str) -> Result<Mirrors> {
    let mut x = XmlReader::new(r, origin);
    let mut buf = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    let mut out = Mirrors::default();
    let mut saw_root = false;
    // The hashes of the `<verification>` being read.
    let mut group: Vec<RepomdChecksum> = Vec::new();
    // Inside `<file name="repomd.xml">`: the only file librepo reads of a
    // repo's metalink (`<file>`s do not nest).
    let mut in_repomd = false;
    loop {
        match x.next(&mut buf)? {
            Ev::Start(s, empty) => match local(&s).as_str() {
                "metalink" => saw_root = true,
                "file" => {
                    keep_strongest(&mut group, &mut out.repomd_checksums);
                    in_repomd = attr(&x, &s, "name")?.as_deref() == Some("repomd.xml");
                }
                _ if !in_repomd => {}
                "verification" => keep_strongest(&mut group, &mut out.repomd_checksums),
                // The text as written (see `RepomdChecksum::hex`).
                "hash" if !empty => {
                    let algo = attr(&x, &s, "type")?.unwrap_or_default();
                    let algo = algo.trim().to_ascii_lowercase();
                    let hex = x.text(&mut buf)?;
                    if !algo.is_empty() && !hex.is_empty() {
                        group.push(RepomdChecksum { algo, hex });
                    }
                }
                // In document order: librepo keeps a `<url>`'s `preference`
                // but never sorts by it (only its fastestmirror option,
                // which dnf leaves off, reorders); dnf 4.14 asked a mirror
                // of preference 1 listed first before one of 100 after it.
                // MirrorManager lists them best first anyway.
                "url" if !empty => {
                    let text = x.text(&mut buf)?;
                    let url = text.trim();
                    let usable = ["http://", "https://", "ftp://", "file://"]
                        .iter()
                        .any(|p| url.starts_with(p));
                    // A URL without the suffix is a base URL as it is, as
                    // librepo takes it.
                    let base = url.strip_suffix("repodata/repomd.xml").unwrap_or(url);
                    if usable {
                        urls.push(base.to_string());
                    }
                }
                _ => {}
            },
            Ev::Eof => break,
            _ => {}
        }
    }
    keep_strongest(&mut group, &mut out.repomd_checksums);
    if !saw_root {
        return Err(Error::format(
            origin,
            "not a metalink (no <metalink> element)",
        ));
    }
    out.baseurls = urls;
    if out.baseurls.is_empty() {
        return Err(Error::format(
            origin,
            "the metalink lists no repomd.xml URL",
        ));
    }
    Ok(out)
}

/// Reads a mirrorlist: one base URL per line, `#` comments and blank lines
/// ignored. As librepo, only a line that holds `://` or starts with `/` is
/// a mirror: anything else (an HTML error page a server answered with 200,
/// a captive portal's) is passed over, instead of being tried as a local
/// directory of that name.
pub fn parse_mirrorlist(text: &str, origin: &str) -> Result<Mirrors> {
    let baseurls: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && (l.contains("://") || l.starts_with('/')))
        .map(|l| {
            if l.ends_with('/') {
                l.to_string()
            } else {
                format!("{l}/")
            }
        })
        .collect();
    if baseurls.is_empty() {
        return Err(Error::format(
            origin,
            "the mirrorlist lists no URL (no line holds :// or starts with /)",
        ));
    }
    Ok(Mirrors {
        baseurls,
        repomd_checksums: Vec::new(),
    })
}

/// Fetches and reads a metalink or mirrorlist (a local path or `file://`
/// is read in place; HTTP lists are downloaded afresh into the cache, the
/// way the repo's other files are: librepo fetches them with its handle).
pub(super) fn fetch_mirrors(
    src: &MirrorSource,
    access: &RepoAccess,
    opts: &LoadOptions,
    slots: &Arc<DownloadSlots>,
) -> Result<Mirrors> {
    let url = src.url();
    let text = if url.starts_with("http://") || url.starts_with("https://") {
        let cache = opts.cache_dir.as_deref().ok_or_else(|| Error::NoCacheDir {
            url: url.to_string(),
        })?;
        let dest = cache.join("mirrors").join(fetch::cache_dir_name(url));
        let s = HttpSettings::for_repo(access)?;
        let mut f = fetch_list(url, &dest, &s, slots)?;
        // From the download itself: another run may rename its own over `dest`.
        let mut text = Vec::new();
        f.read_to_end(&mut text).map_err(|e| Error::io(&dest, e))?;
        text
    } else {
        let path = match url.strip_prefix("file://") {
            // curl decodes a file:// URL's escapes too.
            Some(rest) => PathBuf::from(fetch::file_url_path(url, rest)?),
            None => PathBuf::from(url),
        };
        std::fs::read(&path).map_err(|e| Error::io(&path, e))?
    };
    match src {
        // The XML reader names bytes that are not UTF-8 by their offset.
        MirrorSource::Metalink(_) => parse_metalink(&text[..], url),
        // Lines are bytes to librepo: one that is not UTF-8 is no URL.
        MirrorSource::Mirrorlist(_) => {
            let lines = parse_mirrorlist(&String::from_utf8_lossy(&text), url);
            if !url.contains("metalink") {
                return lines;
            }
            // libdnf's yum compatibility: a mirrorlist= whose URL says
            // "metalink" is handed to librepo as a metalink too (yum told
            // them apart by their content), and the mirrors of both are
            // used, held to the metalink's checksums; either one's failure
            // is passed over while the other gives mirrors.
            match (lines, parse_metalink(&text[..], url)) {
                (Ok(mut lines), Ok(ml)) => {
                    lines.baseurls.extend(ml.baseurls);
                    lines.repomd_checksums = ml.repomd_checksums;
                    Ok(lines)
                }
                (Err(_), Ok(ml)) => Ok(ml),
                (lines, Err(_)) => lines,
            }
        }
    }
}

/// How many rounds of its tries librepo makes to fetch a metalink or a
/// mirrorlist (`lr_yum_download_url_retry(3, ...)` in its handle.c): a
/// busy MirrorManager gets more than one round.
const LIST_ROUNDS: u32 = 3;

/// Downloads the metalink or mirrorlist `url` to `dest`, in up to
/// [`LIST_ROUNDS`] rounds of the usual tries, without a wait between the
/// rounds; dnf 4.14 asked a metalink that answered 404 twelve times. An
/// error of ours (the cache) ends it at once.
///
/// librepo waits for nothing here and reads no `Retry-After`; dnf 4.14's
/// twelve requests to a metalink answering 503 (with `Retry-After: 30` or
/// without) still spread over 7 to 20 s, gaps of 0.2 to 5 s its transfer
/// loop makes. Ours keep the backoff (1, 2, 4 s: 21 s over the rounds by
/// default), as long as dnf's slowest, so a MirrorManager that is busy for
/// a moment gets no less time than dnf gives it; the `Retry-After` is
/// passed over as dnf passes it over: honoured, capped at 30 s, it made
/// 270 s of waits where dnf gives up in 20.
/// Each round's download takes a slot of the load's metadata transfers
/// (`slots`), the list's server counted as a mirror.
fn fetch_list(
    url: &str,
    dest: &Path,
    s: &HttpSettings,
    slots: &Arc<DownloadSlots>,
) -> Result<std::fs::File> {
    let s = &HttpSettings {
        no_retry_after: true,
        ..s.clone()
    };
    let mut round = 1;
    // The list's place among the waiting transfers, kept over its rounds
    // as over a retry's backoff (the last round's slot given back as the
    // next joins the queue); librepo's rounds are downloads of their own,
    // but in dnf nothing else waits beside a repo's list.
    let mut line = InLine::default();
    loop {
        slots.one(&mut line, url, Caps::of(s))?;
        let got = http::download_open(url, dest, s);
        match got {
            Err(Error::Http { .. }) if round < LIST_ROUNDS => round += 1,
            Err(Error::Http { url, msg, status }) if round > 1 => {
                return Err(Error::Http {
                    url,
                    msg: format!(
                        "{msg}, in each of {round} rounds, as dnf fetches a list of mirrors"
                    ),
                    status,
                })
            }
            r => return r,
        }
    }
}

/// The mirrors `list` (fetched from `src`) gives, substituted with the
/// repo's variables as librepo substitutes them, those we cannot reach
/// (ftp) passed over as librepo passes over the ones it cannot use
/// (rsync), then the repo's `configured` baseurls (those we cannot reach
/// passed over too, unless no mirror is left). Every one is tried
/// until one answers with a current repomd.xml: libdnf leaves librepo's
/// mirror tries unlimited (right after a push, the best-ranked mirrors
/// of a metalink are often all stale).
pub(super) fn listed_mirrors(
    src: &MirrorSource,
    list: &Mirrors,
    spec: &RepoSpec,
    configured: &[String],
) -> Result<Vec<String>> {
    let lookup = |k: &str| spec.url_vars.get(k).cloned();
    let listed: Vec<String> = list
        .baseurls
        .iter()
        .map(|u| dnfvars::url_substitute(u, &lookup))
        .collect();
    let mut bases: Vec<String> = listed
        .iter()
        .filter(|u| Location::parse(u).is_ok())
        .cloned()
        .collect();
    if bases.is_empty() && configured.is_empty() {
        return Err(Error::format(
            src.url(),
            format!(
                "lists no mirror these tools can reach (http, https, file); the first is {}",
                listed[0]
            ),
        ));
    }
    // `configured` keeps a baseurl we cannot reach only when it has no
    // other (its error is then the repo's); beside listed mirrors that we
    // can reach, it is passed over as a listed ftp mirror is.
    let none_listed = bases.is_empty();
    bases.extend(
        configured
            .iter()
            .filter(|u| none_listed || Location::parse(u).is_ok())
            .cloned(),
    );
    Ok(bases)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A metalink's rounds keep its place among the waiting transfers:
    /// under `max_parallel_downloads=1`, a transfer that came while the
    /// first round was waiting starts after the last round, not between
    /// two rounds (each round took a new ticket, behind it: it started
    /// after the first request). One attempt a round, so no backoff lends
    /// the slot meanwhile.
    #[test]
    fn a_list_s_rounds_keep_their_place() {
        use std::sync::atomic::Ordering;
        let reply = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        let (port, asked) = super::super::http::test_server::answering(reply, true);
        let url = format!("http://127.0.0.1:{port}/metalink");
        let slots = Arc::new(DownloadSlots::new(1, 3));
        let t = tempfile::tempdir().unwrap();
        let s = HttpSettings {
            retries: 0,
            ..HttpSettings::default()
        };
        let wait_for = |what: &str, n: usize| {
            let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while slots.waiting_now() != n {
                assert!(std::time::Instant::now() < until, "never: {what}");
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        };
        let mut held = InLine::default();
        slots.one(&mut held, "http://held/", Caps::of(&s)).unwrap();
        let seen = std::thread::scope(|scope| {
            let list = scope.spawn(|| fetch_list(&url, &t.path().join("m"), &s, &slots));
            wait_for("the list waits", 1);
            let later = scope.spawn(|| {
                let mut line = InLine::default();
                slots.one(&mut line, "http://other/", Caps::of(&s)).unwrap();
                asked.load(Ordering::SeqCst)
            });
            wait_for("the later transfer waits", 2);
            drop(held);
            assert!(list.join().unwrap().is_err());
            later.join().unwrap()
        });
        assert_eq!(
            seen,
            u64::from(LIST_ROUNDS),
            "requests before the later transfer"
        );
    }

    #[test]
    fn metalink_mirrors_in_document_order_with_hashes() {
        let text = r#"<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>1733011200</mm0:timestamp>
   <size>4512</size>
   <verification>
    <hash type="md5">0123</hash>
    <hash type="sha256">ABCD</hash>
   </verification>
   <resources maxconnections="1">
    <url protocol="rsync" type="rsync" location="US" preference="100">rsync://m1/os/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="DE" preference="99">https://m2/os/repodata/repomd.xml</url>
    <url protocol="https" type="https" location="US" preference="100">https://m3/os/repodata/repomd.xml</url>
    <url protocol="http" type="http" location="US" preference="99">http://m4/os/repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>"#;
        let m = parse_metalink(text.as_bytes(), "ml").unwrap();
        // As written, whatever their preference (librepo does not sort).
        assert_eq!(
            m.baseurls,
            ["https://m2/os/", "https://m3/os/", "http://m4/os/"]
        );
        // The strongest hash only: a matching md5 does not make up for a
        // sha256 that does not match. Digits as written (see below).
        assert_eq!(
            m.repomd_checksums,
            [RepomdChecksum {
                algo: "sha256".into(),
                hex: "ABCD".into()
            }]
        );
        let e = parse_metalink("<html/>".as_bytes(), "ml").unwrap_err();
        assert!(e.to_string().contains("not a metalink"), "{e}");
    }

    #[test]
    fn the_strongest_hash_of_each_verification_counts_types_in_any_case() {
        let text = r#"<metalink xmlns:mm0="http://fedorahosted.org/mirrormanager"><files>
  <file name="repomd.xml">
   <verification><hash type="MD5">aa</hash><hash type="SHA512">BB</hash><hash type="sha256">cc</hash></verification>
   <mm0:alternates>
    <mm0:alternate><verification><hash type="sha1">dd</hash><hash type="md5">ee</hash></verification></mm0:alternate>
    <mm0:alternate><verification><hash type="sha3-256">ff</hash></verification></mm0:alternate>
    <mm0:alternate><verification><hash type="sha">11</hash><hash type="sha3-256">22</hash></verification></mm0:alternate>
   </mm0:alternates>
   <resources><url>https://m/os/repodata/repomd.xml</url></resources>
  </file></files></metalink>"#;
        let m = parse_metalink(text.as_bytes(), "ml").unwrap();
        let sums: Vec<(&str, &str)> = m
            .repomd_checksums
            .iter()
            .map(|c| (c.algo.as_str(), c.hex.as_str()))
            .collect();
        // An alternate of types librepo does not know checks nothing.
        assert_eq!(sums, [("sha512", "BB"), ("sha1", "dd"), ("sha", "11")]);
    }

    #[test]
    fn only_the_repomd_file_counts_and_a_url_without_the_suffix_is_a_base() {
        let text = r#"<metalink><files>
  <file name="other.iso"><verification><hash type="sha256">aa</hash></verification>
   <resources><url>https://iso/x.iso</url></resources></file>
  <file name="repomd.xml"><verification><hash type="sha256">bb</hash></verification>
   <resources><url>https://m/os/repodata/repomd.xml</url><url>https://n/os/</url></resources></file>
  </files></metalink>"#;
        let m = parse_metalink(text.as_bytes(), "ml").unwrap();
        assert_eq!(m.baseurls, ["https://m/os/", "https://n/os/"]);
        assert_eq!(m.repomd_checksums.len(), 1);
        assert_eq!(m.repomd_checksums[0].hex, "bb");
    }

    #[test]
    fn mirrorlist_lines() {
        let m = parse_mirrorlist("# mirrors\nhttp://a/os\n\nhttps://b/os/\n", "ml").unwrap();
        assert_eq!(m.baseurls, ["http://a/os/", "https://b/os/"]);
        assert!(parse_mirrorlist("# none\n", "ml").is_err());
        // Only URLs and absolute paths are mirrors, as librepo takes them.
        let page = "<html>\n<body>Service Unavailable</body>\n</html>\n";
        let e = parse_mirrorlist(page, "ml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ml: the mirrorlist lists no URL (no line holds :// or starts with /)"
        );
        let m = parse_mirrorlist("oops\n  # indented\n/srv/os\nfile:///srv/b\n", "ml").unwrap();
        assert_eq!(m.baseurls, ["/srv/os/", "file:///srv/b/"]);
    }

    #[test]
    fn repomd_checked_against_the_types_we_compute() {
        let sum = |algo: &str, hex: &str| RepomdChecksum {
            algo: algo.into(),
            hex: hex.into(),
        };
        let good = crate::rpmmd::sha256_hex(b"x");
        let odd = sum("sha3-256", "00");
        let matches =
            |bytes: &[u8], want: &[RepomdChecksum]| repomd_mismatch(bytes, want).is_none();
        assert!(matches(b"x", &[]));
        assert!(matches(b"x", std::slice::from_ref(&odd)));
        assert!(matches(b"x", &[odd.clone(), sum("sha256", &good)]));
        assert!(!matches(b"x", &[odd, sum("sha256", "00")]));
        assert!(!matches(b"y", &[sum("sha256", &good)]));
    }

    /// librepo compares a metalink's hash as written (`strcmp` with the
    /// lower-case hex it computes): upper-case digits, or spaces around
    /// them, match no download, as dnf 4.14 fails such a metalink on every
    /// mirror; the message says that this is why.
    #[test]
    fn metalink_hashes_are_compared_as_written() {
        let text = |hash: &str| {
            format!(
                r#"<metalink><files><file name="repomd.xml"><verification><hash type="SHA256">{hash}</hash></verification>
                <resources><url>https://m/os/repodata/repomd.xml</url></resources></file></files></metalink>"#
            )
        };
        let good = crate::rpmmd::sha256_hex(b"x");
        let upper = good.to_ascii_uppercase();
        let spaced = format!("\n  {good}\n");
        let want = |hash: &str| {
            parse_metalink(text(hash).as_bytes(), "ml")
                .unwrap()
                .repomd_checksums
        };
        assert_eq!(want(&upper)[0].hex, upper);
        assert_eq!(want(&spaced)[0].hex, spaced);
        assert_eq!(repomd_mismatch(b"x", &want(&good)), None);
        assert_eq!(
            repomd_mismatch(b"x", &want(&upper)).unwrap(),
            format!(
                "does not match the metalink's sha256 \"{upper}\", only the same digits in lower \
                 case: the download has {good}, and hashes are compared as written, as dnf \
                 compares them (it fails this mirror too)"
            )
        );
        let e = repomd_mismatch(b"x", &want(&spaced)).unwrap();
        assert!(e.contains("without the spaces around them"), "{e}");
        assert_eq!(
            repomd_mismatch(b"y", &want(&upper)).unwrap(),
            "does not match the metalink's checksums (a stale mirror)"
        );
    }
}
