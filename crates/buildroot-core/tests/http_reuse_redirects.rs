//! Redirects keep their connections as curl keeps them (docs/formats.md
//! section 9, "Kept connections"): a followed 3xx's small body is read and
//! dropped so that the redirector's connection carries the next request;
//! one too big, without framing, or that stops coming, closes its
//! connection and is followed all the same; a redirect
//! chain that fails (too many hops, a target not followed) still keeps the
//! connection whose answer was read whole, for the next try; the new
//! connection a request is made again on, after a kept one died under it,
//! is kept for the requests after it; a request whose kept connections all
//! die gives up after curl's 5 such retries, as a failed try.
//!
//! The servers are `keep_alive`'s, which count the connections they accept.

mod keep_alive;

use std::time::{Duration, Instant};

use buildroot_core::rpmmd::{download_verified, HttpSettings};
use keep_alive::{
    fails, fetch_all, names, serve_and_fetch, settings, tls_file, Framing, KeepAlive, Mode,
};

/// The connections of `server`'s requests, each once, in order.
fn connections(server: &KeepAlive) -> Vec<usize> {
    let mut conns: Vec<usize> = server.requests().iter().map(|(c, _)| *c).collect();
    conns.dedup();
    conns
}

/// 10 files through a redirector whose 302s carry a small HTML note
/// (download.fedoraproject.org's do), framed by `Content-Length` or
/// chunked: one connection to the redirector, one to the mirror. Each
/// redirect closed its connection when its body was left unread.
#[test]
fn a_followed_redirects_small_body_is_read_and_its_connection_kept() {
    for framing in [Framing::Length, Framing::Chunked] {
        let target = KeepAlive::start(Mode::Keep);
        let redirector = KeepAlive::start(Mode::RedirectBody(target.base.clone(), framing, 300));
        let t = tempfile::tempdir().unwrap();
        let s = settings(0, Duration::ZERO);
        fetch_all(&redirector.base, "r", &names(10, "rb"), t.path(), &s);
        assert_eq!(redirector.requests().len(), 10, "{framing:?}");
        assert_eq!(
            (redirector.accepted(), target.accepted()),
            (1, 1),
            "{framing:?}: {:?}",
            redirector.requests()
        );
    }
}

/// A redirect body over the 64 KiB read (announced, or chunked), or one
/// that would end only with the connection (which the server leaves
/// open), closes its connection at once: every file still comes, each
/// redirect on a connection of its own, and none waits for the open one.
#[test]
fn a_redirect_body_too_big_or_unframed_closes_its_connection() {
    for (framing, len) in [
        (Framing::Length, 70_000),
        (Framing::Chunked, 70_000),
        (Framing::Unframed, 300),
    ] {
        let target = KeepAlive::start(Mode::Keep);
        let redirector = KeepAlive::start(Mode::RedirectBody(target.base.clone(), framing, len));
        let t = tempfile::tempdir().unwrap();
        let start = Instant::now();
        fetch_all(
            &redirector.base,
            "r",
            &names(4, "big"),
            t.path(),
            &settings(0, Duration::ZERO),
        );
        let took = start.elapsed();
        assert!(took < Duration::from_secs(5), "{framing:?} {len}: {took:?}");
        assert_eq!(redirector.accepted(), 4, "{framing:?} {len}");
        assert_eq!(target.accepted(), 1, "{framing:?} {len}");
    }
}

/// A redirect body that stops coming (a tenth sent, the connection held)
/// is left once the repo's `timeout` has passed: the redirect is still
/// followed, its connection closed, and every file
/// comes.
#[test]
fn a_redirect_body_that_stops_coming_is_left_and_followed() {
    let target = KeepAlive::start(Mode::Keep);
    let redirector = KeepAlive::start(Mode::RedirectBody(target.base.clone(), Framing::Short, 300));
    let t = tempfile::tempdir().unwrap();
    let s = HttpSettings {
        timeout: Duration::from_secs(1),
        ..settings(0, Duration::ZERO)
    };
    let start = Instant::now();
    fetch_all(&redirector.base, "r", &names(2, "sh"), t.path(), &s);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
    assert_eq!(redirector.accepted(), 2);
    assert_eq!(target.accepted(), 1);
}

/// A redirect body that stops coming is left once the repo's `timeout`
/// has passed since its reading began, not after a read's own limit
/// (twice the timeout): a redirector that sends a tenth of its note and
/// holds the connection costs each file one timeout, as curl's low-speed
/// limit (`timeout`) would cut that transfer, not two.
#[test]
fn a_redirect_body_that_stops_coming_is_left_at_the_timeout() {
    let target = KeepAlive::start(Mode::Keep);
    let redirector = KeepAlive::start(Mode::RedirectBody(target.base.clone(), Framing::Short, 300));
    let t = tempfile::tempdir().unwrap();
    let s = HttpSettings {
        timeout: Duration::from_secs(3),
        ..settings(0, Duration::ZERO)
    };
    let start = Instant::now();
    fetch_all(&redirector.base, "r", &names(1, "at"), t.path(), &s);
    let took = start.elapsed();
    // One timeout (3 s) and the rest; a read's limit would be 6 s.
    assert!(took >= Duration::from_secs(3), "{took:?}");
    assert!(took < Duration::from_millis(5500), "{took:?}");
}

/// Bytes after a redirect's body (its `Content-Length` short of what the
/// server sent: here a whole forged answer) are never read as the next
/// request's answer: each redirect's connection closes, and every file is
/// the mirror's.
#[test]
fn bytes_after_a_redirects_body_are_never_the_next_answer() {
    let target = KeepAlive::start(Mode::Keep);
    let head = format!(
        "HTTP/1.1 302 Found\r\nLocation: {}/f/ex.rpm\r\nContent-Length: 5\r\n\r\nmoved{}",
        target.base,
        std::str::from_utf8(keep_alive::FORGED).unwrap()
    );
    let redirector = KeepAlive::start(Mode::Head(Box::leak(head.into_boxed_str())));
    for k in 0..3 {
        let t = tempfile::tempdir().unwrap();
        let url = format!("{}/r/ex.rpm", redirector.base);
        let dest = t.path().join("ex.rpm");
        download_verified(&url, &dest, None, &settings(0, Duration::ZERO))
            .unwrap_or_else(|e| panic!("{k}: {e}"));
        assert_eq!(std::fs::read(&dest).unwrap(), keep_alive::body("/f/ex.rpm"));
    }
    assert_eq!(connections(&redirector), [0, 1, 2]);
    assert_eq!(target.accepted(), 1);
}

/// A redirect chain that fails (more than 6 hops, a target that is not
/// http(s), one that is not a valid URL) is a failed try, retried at once
/// 4 times in all, as before; each 302 was read whole (small bodies
/// included), so its connection is kept as curl keeps it (the follow
/// fails after the transfer is done) and the next try reuses it: one
/// connection for all. A 3xx without a `Location` is an error answer
/// still: each try connects anew.
#[test]
fn a_failed_redirect_chain_keeps_its_read_connection_for_the_next_try() {
    for (location, says) in [
        ("/f/loop", "more than 6 redirects"),
        ("ftp://mirror.example/x", "followed to http(s) only"),
        ("http://127.0.0.1:99999/x", "not a valid URL"),
    ] {
        for note in ["", "<html>moved</html>"] {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: {}\r\n\r\n{note}",
                note.len()
            );
            let server = KeepAlive::start(Mode::Head(Box::leak(head.into_boxed_str())));
            let line = fails(&server, "chain.rpm", &settings(5, Duration::ZERO));
            assert!(line.contains(says), "{line}");
            assert!(line.ends_with("(gave up after 4 attempts)"), "{line}");
            assert_eq!(connections(&server), [0], "{location} {note:?}");
        }
    }
    let head = "HTTP/1.1 302 Found\r\nContent-Length: 5\r\n\r\nmoved";
    let server = KeepAlive::start(Mode::Head(head));
    let line = fails(&server, "nl.rpm", &settings(5, Duration::ZERO));
    assert!(line.ends_with("(gave up after 4 attempts)"), "{line}");
    assert_eq!(connections(&server), [0, 1, 2, 3]);
}

/// The new connection a request is made again on, after its kept one
/// died under it, is kept: the files after it go on it (before, it was
/// the retry's own and closed, and the next file connected again).
#[test]
fn the_new_connection_of_a_request_made_again_is_kept() {
    let server = serve_and_fetch(Mode::CloseFirstSecond, 6, "fr");
    assert_eq!(server.requests().len(), 7);
    assert_eq!(connections(&server), [0, 1], "{:?}", server.requests());
}

/// Six kept connections that all die under their next request: a
/// download takes them one after the other, as curl takes its cached
/// ones, and after curl's 5 such retries (6 requests) gives up the try,
/// "the connection died" (with no retries, the download fails); a retry
/// then connects anew and gets the file.
#[test]
fn a_request_whose_kept_connections_all_die_gives_up_after_five() {
    for retries in [0, 1] {
        let server = KeepAlive::start_with(
            Mode::CloseSecond { reset: false },
            false,
            Duration::from_secs(1),
        );
        let t = tempfile::tempdir().unwrap();
        let s = HttpSettings {
            parallel_downloads: 6,
            ..settings(retries, Duration::ZERO)
        };
        // Six at once: six connections, each kept after its one answer
        // (each new connection waits a second, so all six are asked for
        // before any is answered, however loaded the machine).
        std::thread::scope(|scope| {
            for name in names(6, "six") {
                let (server, t, s) = (&server, &t, &s);
                scope.spawn(move || fetch_all(&server.base, "f", &[name], t.path(), s));
            }
        });
        assert_eq!(server.accepted(), 6);
        let url = format!("{}/f/last.rpm", server.base);
        let got = download_verified(&url, &t.path().join("last.rpm"), None, &s);
        let tried = server
            .requests()
            .iter()
            .filter(|(_, p)| p == "/f/last.rpm")
            .count();
        match retries {
            0 => {
                let line = got.unwrap_err().to_string();
                assert!(line.contains("died"), "{line}");
                assert!(line.ends_with("(one attempt: no retries)"), "{line}");
                assert_eq!(tried, 6);
            }
            _ => {
                got.unwrap();
                assert_eq!(tried, 7);
            }
        }
    }
}

/// The measure of docs/benchmark.md: 500 files, 3 at once, through a
/// redirector whose every 302 carries a 250-byte HTML note and says
/// keep-alive, to a keep-alive mirror, both over http or https, each new
/// connection waiting 0 or 20 ms first (a far server's round trips):
/// connections to each, and seconds. `cargo test -p buildroot-core --test
/// http_reuse_redirects -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_500_redirected_files() {
    for (tls, ms) in [(false, 0), (false, 20), (true, 20)] {
        let latency = Duration::from_millis(ms);
        let target = KeepAlive::start_with(Mode::Keep, tls, latency);
        let redirector = KeepAlive::start_with(
            Mode::RedirectBody(target.base.clone(), Framing::Length, 250),
            tls,
            latency,
        );
        let t = tempfile::tempdir().unwrap();
        let mut s = settings(0, Duration::ZERO);
        s.access.sslcacert = Some(tls_file("ca.pem"));
        let start = Instant::now();
        std::thread::scope(|scope| {
            for k in 0..3 {
                let (redirector, t, s) = (&redirector, &t, &s);
                let n = if k == 0 { 168 } else { 166 };
                scope.spawn(move || {
                    let names = names(n, &format!("m{k}-"));
                    fetch_all(&redirector.base, "r", &names, t.path(), s)
                });
            }
        });
        let took = start.elapsed();
        assert_eq!(target.requests().len(), 500);
        println!(
            "500 redirected files over {}, 3 at once, {ms} ms per new connection: {:.2} s, \
             {} connections to the redirector, {} to the mirror",
            if tls { "https" } else { "http" },
            took.as_secs_f64(),
            redirector.accepted(),
            target.accepted()
        );
    }
}
