//! Whether `NO_PROXY` lets a URL's host go around the proxy, by curl's
//! rules (curl 7.88's `Curl_check_noproxy` in `lib/noproxy.c`, 8.x's
//! `proxy_check_noproxy` in `lib/proxy.c`): librepo sets no
//! `CURLOPT_NOPROXY`, so curl reads `no_proxy`, else `NO_PROXY`, from the
//! environment and applies it to every proxy, the repo's own too.
//!
//! ureq's own list matches differently, and a proxy user's list is written
//! for curl: `example.com` there is the domain and every host under it
//! (ureq: that one host), `.example.com` is the domain too (ureq: the
//! hosts under it only), an IP entry may be a network (`10.0.0.0/8`), an
//! IPv6 one is written without brackets (`::1`, which ureq never matched
//! against `[::1]`), and `*` is a wildcard only as the whole value
//! (`*.example.com` or `10.*` match nothing in curl, where ureq takes them
//! as patterns). So the decision is taken here, and ureq is given no list.

/// Whether `host` (a URL's host; an IPv6 address with or without its
/// brackets) is exempted from the proxy by `list`, a `NO_PROXY` value.
pub(super) fn bypasses(host: &str, list: &str) -> bool {
    if host.is_empty() || list.is_empty() {
        return false;
    }
    // Only the whole value: `localhost,*` is a list with a `*` entry,
    // which matches no host.
    if list == "*" {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ip: Option<std::net::IpAddr> = bare.parse().ok();
    // A trailing dot is the same name (`mirror.example.`).
    let name = host.strip_suffix('.').unwrap_or(host);
    // Entries are separated by commas and blanks (curl 7.88 takes
    // `a b` as two entries; 8.x stops at the blank). An IPv6 host is
    // matched as an address, networks and all, as 8.x does (7.88 took it
    // for a name: `::1` matched, `fe80::/16` did not).
    list.split([',', ' ', '\t'])
        .filter(|t| !t.is_empty())
        .any(|token| match ip {
            Some(ip) => ip_matches(ip, token),
            None => name_matches(name, token),
        })
}

/// `example.com` (or `.example.com`, `example.com.`) matches the name
/// itself and any name ending in `.example.com`, in any case.
fn name_matches(name: &str, token: &str) -> bool {
    let token = token.strip_suffix('.').unwrap_or(token);
    let token = token.strip_prefix('.').unwrap_or(token);
    let (name, token) = (name.as_bytes(), token.as_bytes());
    if token.len() == name.len() {
        return name.eq_ignore_ascii_case(token);
    }
    if token.len() > name.len() {
        return false;
    }
    let at = name.len() - token.len();
    name[at - 1] == b'.' && name[at..].eq_ignore_ascii_case(token)
}

/// An address entry, `ADDRESS` or `ADDRESS/BITS` (a network: the first
/// BITS bits compared; none, or 0, compares the whole address, as curl's
/// `Curl_cidr4_match`/`Curl_cidr6_match` do).
fn ip_matches(ip: std::net::IpAddr, token: &str) -> bool {
    let (addr, bits) = match token.split_once('/') {
        // curl reads the bits with `atoi`: what does not parse is 0.
        Some((a, b)) => (a, b.parse::<u32>().unwrap_or(0)),
        None => (token, 0),
    };
    let Ok(net) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let (a, n, width) = match (ip, net) {
        (std::net::IpAddr::V4(a), std::net::IpAddr::V4(n)) => {
            (u32::from(a) as u128, u32::from(n) as u128, 32)
        }
        (std::net::IpAddr::V6(a), std::net::IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128),
        _ => return false,
    };
    if bits > width {
        return false;
    }
    let bits = if bits == 0 { width } else { bits };
    let shift = width - bits;
    (a >> shift) == (n >> shift)
}

#[cfg(test)]
mod tests {
    use super::bypasses;

    /// Each case as curl 7.88.1 took it (`no_proxy=LIST curl -x
    /// http://127.0.0.1:P URL`: through the proxy, or around it).
    #[test]
    fn entries_match_as_curls() {
        for (list, host, around) in [
            ("example.invalid", "www.example.invalid", true),
            ("example.invalid", "example.invalid", true),
            ("example.invalid", "nonexample.invalid", false),
            (".example.invalid", "example.invalid", true),
            (".example.invalid", "a.b.example.invalid", true),
            ("*.example.invalid", "www.example.invalid", false),
            ("10.*", "10.255.255.1", false),
            ("10.0.0.0/8", "10.255.255.1", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("::1", "[::1]", true),
            ("::1", "::1", true),
            ("localhost,*", "www.example.invalid", false),
            ("*", "www.example.invalid", true),
            ("www.example.invalid:80", "www.example.invalid", false),
            ("foo www.example.invalid", "www.example.invalid", true),
            ("www.example.invalid.", "www.example.invalid", true),
            ("WWW.Example.invalid", "www.example.invalid.", true),
            ("localhost, 127.0.0.1", "127.0.0.1", true),
            ("", "localhost", false),
            ("127.0.0.1", "localhost", false),
        ] {
            assert_eq!(bypasses(host, list), around, "{list:?} for {host}");
        }
    }

    /// An IPv6 network, as curl 8.x matches it (`cidr6_match`); 7.88
    /// compared an IPv6 host as a name, so only `::1` for `[::1]`.
    #[test]
    fn ipv6_networks_match_as_curl_8s() {
        assert!(bypasses("[fe80::1]", "fe80::/16"));
        assert!(!bypasses("[fe81::1]", "fe80::/16"));
        assert!(bypasses("[2001:db8::5]", "2001:db8::/32"));
    }
}
