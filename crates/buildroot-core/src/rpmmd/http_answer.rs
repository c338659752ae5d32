//! What a finished attempt says, read as librepo and curl read it: a
//! failure classified (retried or not, at once or after the backoff:
//! [`retryable`], [`same_answer`]; a timeout, which moves a mirror down its
//! list: [`timed_out`]) and worded on one line ([`describe`], and the
//! proxy's own failures), and the answer's headers that steer the next try
//! (`Retry-After`, `Content-Range`). The download loop that acts on them is
//! `http/attempts.rs`, the request that reads them `http/request.rs`.

use std::time::{Duration, SystemTime};

use crate::error::{io_message, Error};

/// Whether `e` is a download that timed out: no connection or no answer
/// within the timeout, or a transfer that stalled below the minimum rate,
/// where a redirect led too. These are what curl reports as
/// `CURLE_OPERATION_TIMEDOUT`, the one failure librepo takes as serious
/// enough to move a mirror that never delivered down its list (`mirror_tally.rs`).
pub(super) fn timed_out(e: &Error) -> bool {
    let Error::Http { msg, .. } = e else {
        return false;
    };
    let mut cause = msg.as_str();
    while let Some(rest) = cause.strip_prefix("redirected to ") {
        match rest.split_once(": ") {
            Some((_, after)) => cause = after,
            None => break,
        }
    }
    cause.starts_with("timed out") || cause.starts_with("stalled: ")
}

/// A ureq error as one line.
pub(super) fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("connection failed: {}", io_message(io)),
        ureq::Error::Timeout(t) => format!("timed out ({t:?})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectProxyFailed(m) => match proxy_status(m) {
            Some(code) => format!("the proxy answered HTTP {code}"),
            None => format!("the proxy failed: {m}"),
        },
        other => other.to_string(),
    }
    .lines()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Failures a wait does not mend, retried at once as librepo retries them
/// (it retries everything at once): a name the resolver does not know
/// ([`name_unknown`]), a TLS failure (curl's "SSL connect error" or a
/// certificate that does not verify; dnf 4.14 made 4 handshakes with a
/// plain-HTTP server behind an `https://` baseurl), a proxy that refuses
/// the tunnel with a 4xx (curl's "CONNECT tunnel failed", a receive
/// error to librepo). A load-balanced name can still lead to another
/// node that answers otherwise.
pub(super) fn same_answer(e: &ureq::Error) -> bool {
    name_unknown(e) || is_tls_failure(e) || proxy_refused(e)
}

/// rustls reports a failed handshake or a bad certificate as an I/O error
/// of kind `InvalidData` (a plain TCP socket never does).
pub(super) fn is_tls_failure(e: &ureq::Error) -> bool {
    matches!(e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData)
}

/// A proxy that answered the tunnel's `CONNECT` with a 4xx (407: no or
/// wrong credentials; 403: not allowed).
fn proxy_refused(e: &ureq::Error) -> bool {
    matches!(e, ureq::Error::ConnectProxyFailed(m)
        if proxy_status(m).is_some_and(|c| (400..500).contains(&c)))
}

/// A name lookup that the resolver answered: the name has no address
/// (glibc's `EAI_NONAME`, `EAI_NODATA`, or an empty answer). librepo
/// retries curl's "couldn't resolve host" as any other failure, at once;
/// the backoff is for a server that is overloaded, and a resolver that
/// answered gives the same answer a second later, so these retries do not
/// wait: a machine without network fails in a moment instead of 7 s per
/// repo. A lookup that could not be answered ("Temporary failure in name
/// resolution", `EAI_AGAIN`) may pass, and keeps the backoff.
fn name_unknown(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(io) => {
            let m = io.to_string();
            m.starts_with("failed to lookup address")
                && (m.contains("Name or service not known")
                    || m.contains("No address associated with hostname"))
        }
        _ => false,
    }
}

/// Network failures that are tried again: any failure to connect, to
/// speak TLS or to get an answer, as librepo retries every such curl
/// error; URL and redirect errors are not.
pub(super) fn retryable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::ConnectProxyFailed(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Protocol(_)
    )
}

/// When `e` is a failed name lookup of a request through `proxy`, and the
/// only name looked up here was the proxy's (a proxy that resolves the
/// target itself: HTTP, HTTPS, `socks4a`, `socks5h`; or a target given by
/// address), the message that says so. Such a failure is not retried:
/// librepo takes curl's `COULDNT_RESOLVE_PROXY` as fatal.
pub(super) fn proxy_lookup_failure(
    proxy: &ureq::Proxy,
    url: &str,
    e: &ureq::Error,
) -> Option<String> {
    let detail = match e {
        ureq::Error::HostNotFound => "no address".to_string(),
        ureq::Error::Io(io) if io.to_string().starts_with("failed to lookup address") => {
            io.to_string()
        }
        _ => return None,
    };
    let uri: ureq::http::Uri = url.parse().ok()?;
    let target_is_address = uri.host().is_some_and(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok()
    });
    let only_the_proxys = !proxy.resolve_target() || target_is_address;
    (only_the_proxys && !proxy.is_no_proxy(&uri)).then(|| {
        format!(
            "the proxy's host name {} cannot be resolved: {detail}",
            proxy.host()
        )
    })
}

/// The status of a proxy's refused `CONNECT`, from ureq's message
/// ("proxy server responded 407/...").
fn proxy_status(msg: &str) -> Option<u16> {
    let rest = msg.strip_prefix("proxy server responded ")?;
    rest.split('/').next()?.trim().parse().ok()
}

/// `bytes START-END/TOTAL` -> (START, TOTAL if known).
pub(super) fn content_range(v: &str) -> Option<(u64, Option<u64>)> {
    let rest = v.strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, _) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

/// A `Retry-After` value: delay seconds, or an HTTP date (IMF-fixdate, RFC
/// 850 or asctime) from which the wait until then is taken (zero if past).
pub fn retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = http_date(v)?;
    let now = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs((at - now).max(0) as u64))
}

/// A `Last-Modified` value (an HTTP date) as a time; `None` when it is not
/// one, or is before 1970.
pub fn http_time(v: &str) -> Option<SystemTime> {
    let secs = u64::try_from(http_date(v.trim())?).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Seconds since the epoch of an HTTP date.
fn http_date(v: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let words: Vec<&str> = v.split([' ', ',', '-']).filter(|w| !w.is_empty()).collect();
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT; RFC 850: Sunday, 06-Nov-94 08:49:37 GMT;
    // asctime: Sun Nov  6 08:49:37 1994.
    let (day, month, year, time) = match words.as_slice() {
        [_, d, m, y, t, "GMT"] => (*d, *m, *y, *t),
        [_, m, d, t, y] => (*d, *m, *y, *t),
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let mut year: i64 = year.parse().ok()?;
    if year < 100 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let day: i64 = day.parse().ok()?;
    let hms: Vec<i64> = time
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [h, mi, s] = hms[..] else { return None };
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}
