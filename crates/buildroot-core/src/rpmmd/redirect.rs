//! HTTP redirects as librepo's curl follows them: at most
//! [`MAX_REDIRECTS`] hops (any 3xx answer with a `Location`), the
//! `Location` picked from the headers as curl's `http_header_l` picks it
//! ([`location`]), a relative one
//! resolved against the URL that answered (spaces and other bytes a URL
//! cannot hold percent-encoded as curl encodes them, a space in the query
//! as `+`), one curl's parser
//! refuses told apart ([`is_valid`], `Curl_http_follow`), and a repo's credentials sent
//! only to the scheme, host and port they were configured for (curl's rule
//! without `CURLOPT_UNRESTRICTED_AUTH`). ureq keeps them on another port of
//! the same host, so the downloader follows redirects itself (`http/request.rs`).

/// How many redirects one request follows (librepo sets curl's
/// `CURLOPT_MAXREDIRS` to 6).
pub(super) const MAX_REDIRECTS: usize = 6;

/// Whether an HTTP status is a redirect that is followed: every 3xx, as
/// curl follows the `Location` of any of them (a `300 Multiple Choices`
/// that names one is followed too, a `304` as well; one without a
/// `Location`, or with an empty one, is the final answer: not 2xx, a failed
/// attempt, retried as a 404 is, `http/request.rs`).
pub(super) fn is_followed(status: u16) -> bool {
    (300..400).contains(&status)
}

/// `scheme://host:port` of `url`, lowercased, the default port filled in:
/// what must match for credentials to be sent.
pub(super) fn origin(url: &str) -> Option<(String, String, u16)> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(match scheme.as_str() {
        "https" => 443,
        _ => 80,
    });
    Some((scheme, host, port))
}

/// The URL a `Location` names, relative to `base` (RFC 3986 section 5.2,
/// without a base query's subtleties: none of ours has one). None when
/// `base` is not an absolute URL.
pub(super) fn resolve(base: &str, location: &str) -> Option<String> {
    let location = encoded(location.trim());
    let location = location.as_str();
    if location.is_empty() {
        return None; // curl does not follow an empty Location either
    }
    let (scheme, rest) = base.split_once("://")?;
    if let Some((s, _)) = location.split_once("://") {
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Some(location.to_string());
        }
    }
    if let Some(net) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{net}"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let joined = if location.starts_with('/') {
        location.to_string()
    } else if location.starts_with('?') {
        format!("{path}{location}")
    } else {
        format!(
            "{}{location}",
            &path[..path.rfind('/').map_or(0, |i| i + 1)]
        )
    };
    Some(format!(
        "{scheme}://{authority}{}",
        remove_dot_segments(&joined)
    ))
}

/// A `Location` header's value as text: ureq hands a value with bytes past
/// ASCII over as bytes only, which curl follows all the same; they are
/// percent-encoded here, as [`resolve`] encodes them, and as curl sends them.
pub(super) fn header_text(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value {
        match b {
            0x80.. => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}

/// The `Location` an answer names, as curl picks it from the answer's
/// headers (`http_header_l`): an empty one, or an exact repeat of the one
/// taken, is passed over; `Err` with how many different ones there are
/// when there are several (curl fails the answer since 8.17, "Multiple
/// Location headers"; before, it took the first). `Ok(None)`: none.
pub(super) fn location<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Option<&'a str>, usize> {
    let mut seen: Vec<&str> = Vec::new();
    for v in values.into_iter().map(str::trim) {
        if !v.is_empty() && !seen.contains(&v) {
            seen.push(v);
        }
    }
    match seen.len() {
        0 => Ok(None),
        1 => Ok(Some(seen[0])),
        n => Err(n),
    }
}

/// Whether `url` (a redirect's target, resolved) is one curl's URL parser
/// takes: a scheme, a host that is not empty (an IPv6 address in whole
/// brackets), and a port, if any, of digits up to 65535. curl fails a
/// redirect to anything else as "URL using bad/illegal format"
/// (`CURLE_URL_MALFORMAT`), before any request (`Curl_http_follow`).
pub(super) fn is_valid(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, after)) if addr.parse::<std::net::Ipv6Addr>().is_ok() => {
                match after.strip_prefix(':') {
                    Some(port) => (addr, Some(port)),
                    None if after.is_empty() => (addr, None),
                    None => return false,
                }
            }
            _ => return false,
        },
        None => match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    let port_ok = port.is_none_or(|p| {
        p.is_empty() || (p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
    });
    !host.is_empty() && port_ok && url.parse::<ureq::http::Uri>().is_ok()
}

/// `location` as curl sends a `Location` it follows (`urlencode_str`):
/// controls, non-ASCII bytes and spaces percent-encoded, but a space in
/// the query, which is `+`; the rest as it is. Where ureq's URI parser
/// refuses what curl sends as it is, percent-encoded (a server decodes
/// `%3C` as `<` all the same): `<`, `>` and a backtick, and a `"` in the
/// query.
fn encoded(location: &str) -> String {
    let mut out = String::with_capacity(location.len());
    let mut query = false;
    for b in location.bytes() {
        match b {
            b' ' if query => out.push('+'),
            b'<' | b'>' | b'`' => out.push_str(&format!("%{b:02X}")),
            b'"' if query => out.push_str("%22"),
            0x21..=0x7e => {
                query |= b == b'?';
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// RFC 3986's `remove_dot_segments` on a path (its query left alone).
fn remove_dot_segments(path: &str) -> String {
    let (path, query) = match path.find(['?', '#']) {
        Some(i) => path.split_at(i),
        None => (path, ""),
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("{}{query}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_as_rfc_3986_says() {
        let base = "http://h:8080/repo/x86_64/repodata/repomd.xml";
        for (loc, want) in [
            (
                "https://m.example/a/repomd.xml",
                "https://m.example/a/repomd.xml",
            ),
            ("//m.example/b", "http://m.example/b"),
            ("/mirror/repomd.xml", "http://h:8080/mirror/repomd.xml"),
            ("other.xml", "http://h:8080/repo/x86_64/repodata/other.xml"),
            (
                "../../source/repodata/repomd.xml",
                "http://h:8080/repo/source/repodata/repomd.xml",
            ),
            (
                "./a/./b/../c?x=1",
                "http://h:8080/repo/x86_64/repodata/a/c?x=1",
            ),
            (
                "?token=1",
                "http://h:8080/repo/x86_64/repodata/repomd.xml?token=1",
            ),
        ] {
            assert_eq!(resolve(base, loc).as_deref(), Some(want), "{loc}");
        }
        assert_eq!(resolve("http://h", "x").as_deref(), Some("http://h/x"));
        assert_eq!(
            resolve(base, "/a b/ü").as_deref(),
            Some("http://h:8080/a%20b/%C3%BC")
        );
        assert_eq!(resolve(base, " "), None);
        // Taken by curl, refused by ureq's parser unless encoded.
        let odd = resolve(base, "/a<b>`c|d\"{e}").unwrap();
        assert_eq!(odd, "http://h:8080/a%3Cb%3E%60c|d\"{e}");
        assert!(is_valid(&odd));
        // In the query: a space is '+', a '"' encoded too (ureq refuses it there).
        let query = resolve(base, "/a b?x=\"a b\"<`>").unwrap();
        assert_eq!(query, "http://h:8080/a%20b?x=%22a+b%22%3C%60%3E");
        assert!(is_valid(&query));
        assert_eq!(resolve(base, "?a b").unwrap(), format!("{base}?a+b"));
    }

    #[test]
    fn urls_curl_cannot_parse_are_told_apart() {
        for ok in [
            "http://h/a",
            "https://h:8443/a?x#y",
            "http://[::1]:80/a",
            "http://[::1]/",
            "http://u:p@h:/a",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "http://[::1/a",
            "http://[zz]/a",
            "http://h:99999/a",
            "http://h:8x/a",
            "http:///a",
            "http://",
            "nothing",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn the_location_is_picked_as_curl_picks_it() {
        assert_eq!(location([]), Ok(None));
        assert_eq!(location(["", " "]), Ok(None));
        assert_eq!(location(["", "/a"]), Ok(Some("/a")));
        assert_eq!(location(["/a", "/a ", ""]), Ok(Some("/a")));
        assert_eq!(location(["/a", "/b"]), Err(2));
        let utf8 = header_text("/\u{fc}ber".as_bytes());
        assert_eq!(utf8, "/%C3%BCber");
        assert_eq!(header_text(b"/\xfcber"), "/%FCber");
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let o = |u| origin(u).unwrap();
        assert_eq!(o("http://H.example/a"), o("http://h.example:80/b"));
        assert_eq!(o("https://h/a"), o("https://h:443/b"));
        assert_ne!(o("http://h:8080/a"), o("http://h:8081/a"));
        assert_ne!(o("http://h/a"), o("https://h/a"));
        assert_ne!(o("http://h/a"), o("http://g/a"));
    }
}
