//! Answers at the edges of HTTP, taken as librepo's curl takes them: a
//! redirect to a URL that does not parse, several `Location` headers, a
//! 1xx before the answer (with headers, or followed by a close), a 206 for
//! another range, a whole 200 to a resumed request. librepo retries every curl error it does not take as
//! fatal at once, up to 4 tries of the file (`check_transfer_statuses`);
//! so do the tools, where they waited the backoff or tried once
//! (`docs/formats.md` section 9).

mod http_support;

use std::path::Path;
use std::time::{Duration, Instant};

use buildroot_core::rpmmd::{download_verified, HttpSettings};
use http_support::{Fault, Server};

/// Settings whose backoff is long and whose retries are many, so that a
/// failure retried at once, 4 times at most, shows in the time and the
/// request count (one retried after the backoff: 6 requests over 10 s).
fn slow_backoff() -> HttpSettings {
    HttpSettings {
        retries: 5,
        backoff: Duration::from_secs(2),
        max_wait: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        ..HttpSettings::default()
    }
}

/// A server whose root holds the file `f` (`hello`) and `g` (`other`).
fn server() -> (tempfile::TempDir, Server) {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("f"), b"hello").unwrap();
    std::fs::write(root.path().join("g"), b"other").unwrap();
    let server = Server::start(root.path().to_path_buf());
    (root, server)
}

/// Downloads `/f` into `dir` with `s`: the error's line, if it failed, and
/// how long it took.
fn fetch(server: &Server, dir: &Path, s: &HttpSettings) -> (Result<String, String>, Duration) {
    let start = Instant::now();
    let dest = dir.join("f");
    let got = download_verified(&format!("{}/f", server.base), &dest, None, s)
        .map(|()| String::from_utf8_lossy(&std::fs::read(&dest).unwrap()).into_owned())
        .map_err(|e| e.to_string());
    (got, start.elapsed())
}

/// A `Location` curl cannot parse (a bracket left open, a port past
/// 65535) is curl's "URL using bad/illegal format" (`CURLE_URL_MALFORMAT`),
/// which librepo does not take as fatal: 4 tries, at once. It was tried
/// once. Once only, the next try has the file.
#[test]
fn a_location_that_is_no_url_is_retried_at_once() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    for prefix in ["http://[::1", "http://127.0.0.1:99999"] {
        server.clear_log();
        server.fault("/f", Fault::Redirect(prefix.into()), None);
        let (got, took) = fetch(&server, dir.path(), &slow_backoff());
        assert_eq!(
            got,
            Err(format!(
                "{}/f: redirected to {prefix}/f: not a valid URL (gave up after 4 attempts)",
                server.base
            ))
        );
        assert_eq!(server.requests_for("/f").len(), 4, "{prefix}");
        // Bounded loosely (a loaded machine): one backoff is 2 s.
        assert!(took < Duration::from_millis(1900), "{prefix}: {took:?}");
        server.clear_faults();
    }
    server.clear_log();
    server.fault("/f", Fault::Redirect("http://[::1".into()), Some(1));
    let (got, _) = fetch(&server, dir.path(), &slow_backoff());
    assert_eq!(got.as_deref(), Ok("hello"));
    assert_eq!(server.requests_for("/f").len(), 2);
}

/// Two different `Location` headers: curl (since 8.17) fails the answer,
/// "Multiple Location headers" (`CURLE_WEIRD_SERVER_REPLY`), which
/// librepo retries at once, 4 tries; the same one twice is followed, and
/// an empty one is passed over for the next (curl ignores it). We
/// followed the first, empty or not.
#[test]
fn several_location_headers_are_taken_as_curl_takes_them() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    let answer = |locations: &[&str]| {
        let headers: String = locations
            .iter()
            .map(|l| format!("Location: {l}\r\n"))
            .collect();
        Fault::Raw(format!(
            "HTTP/1.1 302 Found\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
        ))
    };
    server.fault("/f", answer(&["/g", "/f2"]), None);
    let (got, took) = fetch(&server, dir.path(), &slow_backoff());
    assert_eq!(
        got,
        Err(format!(
            "{}/f: HTTP 302 with 2 different Location headers (gave up after 4 attempts)",
            server.base
        ))
    );
    assert_eq!(server.requests_for("/f").len(), 4);
    assert!(server.requests_for("/g").is_empty());
    assert!(took < Duration::from_millis(1900), "{took:?}");
    for same in [&["/g", "/g"][..], &["", "/g"], &[" ", "/g", "/g"]] {
        server.clear_faults();
        server.clear_log();
        server.fault("/f", answer(same), None);
        let (got, _) = fetch(&server, dir.path(), &slow_backoff());
        assert_eq!(got.as_deref(), Ok("other"), "{same:?}");
        assert_eq!(server.requests_for("/g").len(), 1, "{same:?}");
    }
}

/// A 100 (or 103) with headers of its own is read past to the answer after
/// it, as curl reads it.
#[test]
fn a_1xx_with_headers_is_read_past() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    for informational in [
        "100 Continue\r\nX-Note: before",
        "103 Early Hints\r\nLink: </g>; rel=preload",
    ] {
        server.clear_faults();
        server.clear_log();
        server.fault(
            "/f",
            Fault::Raw(format!(
                "HTTP/1.1 {informational}\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\
                 Connection: close\r\n\r\nhello"
            )),
            None,
        );
        let (got, _) = fetch(&server, dir.path(), &slow_backoff());
        assert_eq!(got.as_deref(), Ok("hello"), "{informational}");
        assert_eq!(server.requests_for("/f").len(), 1);
    }
}

/// A 1xx and then the connection closed, no answer after it: curl's
/// "Empty reply from server" (`CURLE_GOT_NOTHING`), which librepo retries
/// at once, 4 tries. It waited the backoff, on `RPM_BUILDROOT_HTTP_RETRIES`'
/// count.
#[test]
fn a_1xx_then_a_close_is_retried_at_once() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    for (informational, code) in [
        ("100 Continue", 100),
        ("103 Early Hints\r\nLink: </g>", 103),
    ] {
        server.clear_faults();
        server.clear_log();
        let raw = format!("HTTP/1.1 {informational}\r\n\r\n");
        empty_reply_retried_at_once(&server, dir.path(), &raw, code);
    }
}

/// Asserts that `/f` answered `raw` each time fails as curl's "Empty reply
/// from server" after a 1xx of `code`: 4 tries, none waiting the backoff.
fn empty_reply_retried_at_once(server: &Server, dir: &Path, raw: &str, code: u16) {
    server.fault("/f", Fault::Raw(raw.into()), None);
    let (got, took) = fetch(server, dir, &slow_backoff());
    assert_eq!(
        got,
        Err(format!(
            "{}/f: the server closed the connection after an informational answer \
             (HTTP {code}), before the answer (gave up after 4 attempts)",
            server.base
        )),
        "{raw:?}"
    );
    assert_eq!(server.requests_for("/f").len(), 4, "{raw:?}");
    assert!(took < Duration::from_millis(1900), "{raw:?}: {took:?}");
}

/// A 1xx, then the start of the answer's status line, then a close: curl
/// has not counted the answer yet (a header line counts once whole; curl
/// 7.88 leaves the part out, newer curl counts it with the 1xx and deducts
/// it), so it is "Empty reply from server" too, retried at once. It was
/// taken as a close before an answer, retried after the backoff. A whole
/// status line is an answer begun: a close in its headers keeps the
/// backoff, as any cut answer.
#[test]
fn a_1xx_then_part_of_a_status_line_then_a_close_is_retried_at_once() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2";
    empty_reply_retried_at_once(&server, dir.path(), raw, 100);
    server.clear_faults();
    server.clear_log();
    server.fault(
        "/f",
        Fault::Raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le".into()),
        Some(1),
    );
    let (got, took) = fetch(&server, dir.path(), &slow_backoff());
    assert_eq!(got.as_deref(), Ok("hello"));
    assert_eq!(server.requests_for("/f").len(), 2);
    assert!(took >= Duration::from_millis(1900), "{took:?}");
}

/// A 4000-byte file cut short on the first request (retried after the
/// backoff, with `Range`), then `answer` to the resumed request: the
/// download starts again at once from byte 0 and gets the file, in the
/// cut's backoff (2 s) and no second one (4 s, uncapped).
fn cut_then_restarted_at_once(answer: impl FnOnce(&[u8]) -> String) {
    let (root, server) = server();
    let body: Vec<u8> = (0..4000u32).map(|i| b'a' + (i % 26) as u8).collect();
    std::fs::write(root.path().join("f"), &body).unwrap();
    let dir = tempfile::tempdir().unwrap();
    server.fault("/f", Fault::ShortBody, Some(1));
    server.fault("/f", Fault::Raw(answer(&body)), Some(1));
    let s = HttpSettings {
        max_wait: Duration::from_secs(60),
        ..slow_backoff()
    };
    let (got, took) = fetch(&server, dir.path(), &s);
    assert_eq!(got.map(|g| g.into_bytes()), Ok(body));
    let reqs = server.requests_for("/f");
    let ranges: Vec<Option<&str>> = reqs.iter().map(|r| r.range.as_deref()).collect();
    assert_eq!(ranges, [None, Some("bytes=2000-"), None]);
    assert!(took >= Duration::from_millis(1900), "{took:?}");
    assert!(took < Duration::from_millis(5000), "{took:?}");
}

/// A resumed download answered with a 206 for another range: curl's
/// "HTTP server doesn't seem to support byte ranges. Cannot resume."
/// (`CURLE_RANGE_ERROR`), which librepo retries at once from where the
/// download began. Here: a body cut short (retried after the backoff, with
/// `Range`), then the 206 for bytes from 0, then the file from byte 0, at
/// once. The second retry waited a backoff of its own.
#[test]
fn a_206_for_another_range_starts_again_at_once() {
    cut_then_restarted_at_once(|_| {
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-4/4000\r\n\
         Content-Length: 5\r\nConnection: close\r\n\r\nabcde"
            .into()
    });
}

/// A resumed download answered with the whole file (a 200 without
/// `Content-Range`: a node that ignores ranges, or our `If-Range` telling
/// the file changed): curl fails it, "Cannot resume" (`CURLE_RANGE_ERROR`),
/// and librepo spends a try on it and starts again from where the download
/// began. So do the tools, at once, from byte 0: a cut (retried after the
/// backoff, with `Range`), the 200 (one try), the file. The 200's body was
/// taken in the same try.
#[test]
fn a_whole_answer_to_a_resumed_request_costs_a_try() {
    cut_then_restarted_at_once(|body| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: 4000\r\nConnection: close\r\n\r\n{}",
            String::from_utf8(body.to_vec()).unwrap()
        )
    });
}

/// The watcher reads past the 1xx answers before the answer and nothing
/// else: a head that comes a byte at a time is read past the same, and a
/// body that begins as a 1xx answer does (sized, chunked, ended by the
/// close, in one read or in many) is the file, byte for byte.
#[test]
fn only_the_1xx_answers_before_the_answer_are_read_past() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    server.fault(
        "/f",
        Fault::Trickle(
            "HTTP/1.1 100 Continue\r\nX-Note: a\r\n\r\nHTTP/1.1 103 Early Hints\r\n\
             Link: </g>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                .into(),
        ),
        None,
    );
    let (got, _) = fetch(&server, dir.path(), &slow_backoff());
    assert_eq!(got.as_deref(), Ok("hello"));
    let look = "HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 103 Early\r\n\r\n";
    let framings = [
        (
            format!("Content-Length: {}\r\n", look.len()),
            look.to_string(),
        ),
        (
            "Transfer-Encoding: chunked\r\n".to_string(),
            format!("{:x}\r\n{look}\r\n0\r\n\r\n", look.len()),
        ),
        (String::new(), look.to_string()),
    ];
    for (framing, body) in framings {
        let answer = format!("HTTP/1.1 200 OK\r\n{framing}Connection: close\r\n\r\n{body}");
        let after_100 = format!("HTTP/1.1 100 Continue\r\n\r\n{answer}");
        for fault in [
            Fault::Raw(answer.clone()),
            Fault::Raw(after_100.clone()),
            Fault::Trickle(answer.clone()),
            Fault::Trickle(after_100),
        ] {
            server.clear_faults();
            server.fault("/f", fault.clone(), None);
            let (got, _) = fetch(&server, dir.path(), &slow_backoff());
            assert_eq!(got.as_deref(), Ok(look), "{fault:?}");
        }
    }
}

/// A 101 nobody asked for is the final answer, not a 1xx to read past: a
/// status that is not 2xx, retried at once, 4 tries.
#[test]
fn a_101_is_an_answer() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    server.fault(
        "/f",
        Fault::Raw(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n\
             HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                .into(),
        ),
        None,
    );
    let (got, took) = fetch(&server, dir.path(), &slow_backoff());
    assert_eq!(
        got,
        Err(format!(
            "{}/f: HTTP 101 (gave up after 4 attempts)",
            server.base
        ))
    );
    assert_eq!(server.requests_for("/f").len(), 4);
    assert!(took < Duration::from_millis(1900), "{took:?}");
}

/// A `Location` is sent as curl sends it where ureq's parser allows, and
/// percent-encoded where it does not: a `"` in the query (ureq refuses
/// it there, curl sends it as it is) becomes `%22`, and a space in the
/// query becomes `+` (curl's `urlencode_str`; `%20` before the `?`). The
/// `"` failed every try as "not a valid URL" where curl had the file.
#[test]
fn a_location_query_is_encoded_as_curl_encodes_it() {
    let (_root, server) = server();
    let dir = tempfile::tempdir().unwrap();
    let redirect = |location: &str| {
        Fault::Raw(format!(
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        ))
    };
    let other =
        Fault::Raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nother".into());
    for (location, sent) in [
        ("/g?x=\"y\"", "/g?x=%22y%22"),
        ("/g?x=a b", "/g?x=a+b"),
        ("/a b/g?x=\"a b\"", "/a%20b/g?x=%22a+b%22"),
        // Not ASCII (UTF-8 here): percent-encoded, as curl sends it. It
        // was taken for no Location at all (ureq gives such a header
        // value as bytes only).
        ("/\u{fc}ber?\u{e9}", "/%C3%BCber?%C3%A9"),
    ] {
        server.clear_faults();
        server.clear_log();
        server.fault("/f", redirect(location), None);
        server.fault(sent, other.clone(), None);
        let (got, _) = fetch(&server, dir.path(), &slow_backoff());
        assert_eq!(got.as_deref(), Ok("other"), "{location}");
        let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/f", sent], "{location}");
    }
}
