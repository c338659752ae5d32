//! What kept connections must not change (docs/formats.md section 9,
//! "Kept connections"): a stall on a kept connection fails with the same
//! line as on a new one; a new connection that dies before an answer still
//! costs a try (only a kept one is made again for free);
//! a kept https connection the server closed costs no try either; a body
//! abandoned half-read, or followed by bytes nobody asked for, never hands
//! its connection to the next request; HTTP/1.0 keeps a connection only
//! when it says so; an answer that fails the try (a 404, a 3xx without a
//! `Location`) is retried on a new connection; a repo's `Authorization` never goes to another host,
//! nor to another repo's request, on a kept connection; a connection made
//! without certificate checks is never lent to a repo that checks; more
//! settings sets than agents kept all download; parallel downloads whose
//! kept connections all died go on without waiting.

mod keep_alive;

use std::time::{Duration, Instant};

use buildroot_core::rpmmd::HttpSettings;
use keep_alive::{
    body, fails, fetch_all, names, serve_and_fetch, settings, tls_file, Framing, KeepAlive, Mode,
};

/// The connections that carried `path`'s requests, in order.
fn carried(server: &KeepAlive, path: &str) -> Vec<usize> {
    let asked = server.requests();
    asked
        .iter()
        .filter(|(_, p)| p == path)
        .map(|(c, _)| *c)
        .collect()
}

/// The second file stalls on the kept connection: with no retries it fails
/// at the repo's timeout with the stall's line, as on a new connection.
#[test]
fn a_stall_on_a_kept_connection_fails_with_the_stall_line() {
    let server = KeepAlive::start(Mode::StallSecond);
    let t = tempfile::tempdir().unwrap();
    let s = HttpSettings {
        timeout: Duration::from_secs(1),
        ..settings(0, Duration::ZERO)
    };
    fetch_all(&server.base, "f", &names(1, "sl"), t.path(), &s);
    let start = Instant::now();
    let line = fails(&server, "sl1.rpm", &s);
    let took = start.elapsed();
    let url = format!("{}/f/sl1.rpm", server.base);
    assert!(
        line.starts_with(&format!("{url}: stalled: less than ")),
        "{line}"
    );
    assert!(line.ends_with("(one attempt: no retries)"), "{line}");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert_eq!(server.accepted(), 1);
}

/// A kept connection the server closes under the next request is made
/// again at once on a new one (no other is kept); that new one closing too is a
/// failed try like any: with no retries the file fails, after exactly two
/// requests; with one retry, after a backoff, two tries on new connections.
#[test]
fn a_new_connection_that_dies_unanswered_costs_a_try() {
    let server = serve_and_fetch(Mode::OnlyFirst, 1, "o");
    let line = fails(&server, "o1.rpm", &settings(0, Duration::ZERO));
    assert!(line.ends_with("(one attempt: no retries)"), "{line}");
    let conns = carried(&server, "/f/o1.rpm");
    assert_eq!(conns.len(), 2, "{:?}", server.requests());
    assert_eq!(conns[0], 0, "{:?}", server.requests());
    assert_ne!(conns[1], 0, "{:?}", server.requests());
    let start = Instant::now();
    let line = fails(&server, "o2.rpm", &settings(1, Duration::from_millis(1500)));
    let took = start.elapsed();
    assert!(line.ends_with("(gave up after 2 attempts)"), "{line}");
    assert!(took >= Duration::from_millis(1400), "{took:?}");
    assert_eq!(carried(&server, "/f/o2.rpm").len(), 2);
}

/// Over https, a kept connection the server closes as the next request
/// comes (a FIN or a reset under TLS) costs no try either.
#[test]
fn a_kept_https_connection_the_server_closed_costs_no_try() {
    for reset in [false, true] {
        let server = KeepAlive::start_with(Mode::CloseSecond { reset }, true, Duration::ZERO);
        let t = tempfile::tempdir().unwrap();
        let mut s = settings(0, Duration::ZERO);
        s.access.sslcacert = Some(tls_file("ca.pem"));
        fetch_all(&server.base, "f", &names(6, "h"), t.path(), &s);
        assert!(server.requests().len() > 6, "reset {reset}");
    }
}

/// Chunked bodies keep their connection; one abandoned half-read (over a
/// size limit) does not: the next request connects anew and gets its file.
#[test]
fn an_abandoned_body_does_not_give_its_connection_back() {
    let server = KeepAlive::start(Mode::Chunked);
    let t = tempfile::tempdir().unwrap();
    let s = settings(0, Duration::ZERO);
    fetch_all(&server.base, "f", &names(2, "ch"), t.path(), &s);
    assert_eq!(server.accepted(), 1);
    let limited = HttpSettings {
        max_len: Some((100, "the test allows")),
        ..s.clone()
    };
    let line = fails(&server, "big.rpm", &limited);
    assert!(line.contains("more than the 100 bytes"), "{line}");
    fetch_all(&server.base, "f", &names(2, "after"), t.path(), &s);
    let after = carried(&server, "/f/after0.rpm");
    assert_ne!(
        after,
        carried(&server, "/f/big.rpm"),
        "{:?}",
        server.requests()
    );
}

/// An answer that fails the try (a 404, a 3xx without a `Location` or
/// with two different ones, a 304: librepo retries each at once, 4 tries) leaves its connection: each
/// try connects anew, for the chance of another node of a load-balanced
/// mirror. A 3xx without a `Location` kept it (ureq pools an answer
/// without a body before it is read, and the watcher kept any 3xx).
#[test]
fn an_answer_that_fails_the_try_is_retried_on_a_new_connection() {
    for head in [
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\n\r\n",
        "HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n",
    ] {
        let server = KeepAlive::start(Mode::Head(head));
        let line = fails(&server, "nl.rpm", &settings(5, Duration::ZERO));
        assert!(line.ends_with("(gave up after 4 attempts)"), "{line}");
        assert_eq!(carried(&server, "/f/nl.rpm"), [0, 1, 2, 3], "{head}");
    }
}

/// Bytes after a body (a whole forged answer), at once or a moment later,
/// are never read as the next request's answer: every file has its bytes,
/// each on a connection of its own.
#[test]
fn bytes_after_a_body_are_never_the_next_answer() {
    for delay in [Duration::ZERO, Duration::from_millis(100)] {
        let server = KeepAlive::start(Mode::Excess { delay });
        let t = tempfile::tempdir().unwrap();
        for name in names(3, "x") {
            fetch_all(
                &server.base,
                "f",
                &[name],
                t.path(),
                &settings(0, Duration::ZERO),
            );
            std::thread::sleep(delay * 3);
        }
        assert_eq!(server.accepted(), 3, "{delay:?}: {:?}", server.requests());
    }
}

/// An HTTP/1.0 answer keeps its connection only with `Connection:
/// keep-alive`, whatever the server does with it.
#[test]
fn http_1_0_keeps_a_connection_only_when_it_says_so() {
    for (keep, want) in [(false, 3), (true, 1)] {
        let server = serve_and_fetch(Mode::Http10 { keep }, 3, "ten");
        assert_eq!(server.accepted(), want, "keep-alive {keep}");
    }
}

/// A repo's credentials go to its own host only: not to the host its
/// redirects lead to, though both connections are kept, and not with
/// another repo's requests on the kept connection to its host.
/// The same whether the redirect's body is empty or a note read to keep
/// its connection (`redirect_body.rs`).
#[test]
fn authorization_stays_with_its_host_and_repo_on_kept_connections() {
    let with_note: fn(String) -> Mode = |to| Mode::RedirectBody(to, Framing::Length, 300);
    authorization_stays_with_its_host_through(Mode::Redirect);
    authorization_stays_with_its_host_through(with_note);
}

fn authorization_stays_with_its_host_through(redirect: fn(String) -> Mode) {
    let target = KeepAlive::start(Mode::Keep);
    let redirector = KeepAlive::start(redirect(target.base.clone()));
    let t = tempfile::tempdir().unwrap();
    let mut with = settings(0, Duration::ZERO);
    with.access.username = "u".into();
    with.access.password = "p".into();
    fetch_all(&redirector.base, "r", &names(4, "a"), t.path(), &with);
    // Another repo without credentials, on the same kept connection.
    fetch_all(
        &redirector.base,
        "r",
        &names(2, "b"),
        t.path(),
        &settings(0, Duration::ZERO),
    );
    assert_eq!((redirector.accepted(), target.accepted()), (1, 1));
    for (path, auth) in redirector.authorizations() {
        let want = path.starts_with("/r/a").then(|| "Basic dTpw".to_string());
        assert_eq!(auth, want, "{path}");
    }
    for (path, auth) in target.authorizations() {
        assert_eq!(auth, None, "{path}");
    }
}

/// A connection made without certificate checks (`sslverify=0`) is never
/// lent to a repo that checks: that one fails on the server's certificate
/// (the test CA is not among the built-in roots), one with the CA gets the
/// file, and the unchecked repo still reuses its own.
#[test]
fn a_connection_made_without_checks_is_not_lent_to_a_repo_that_checks() {
    let server = KeepAlive::start_with(Mode::Keep, true, Duration::ZERO);
    let t = tempfile::tempdir().unwrap();
    let mut unchecked = settings(0, Duration::ZERO);
    unchecked.access.sslverify = false;
    fetch_all(&server.base, "f", &names(1, "u"), t.path(), &unchecked);
    let line = fails(&server, "checked.rpm", &settings(0, Duration::ZERO));
    assert!(line.contains("certificate"), "{line}");
    assert!(carried(&server, "/f/checked.rpm").is_empty());
    let mut with_ca = settings(0, Duration::ZERO);
    with_ca.access.sslcacert = Some(tls_file("ca.pem"));
    fetch_all(&server.base, "f", &names(1, "ca"), t.path(), &with_ca);
    fetch_all(&server.base, "f", &names(1, "u2"), t.path(), &unchecked);
    assert_eq!(
        carried(&server, "/f/u20.rpm"),
        carried(&server, "/f/u0.rpm")
    );
}

/// 40 settings sets (timeouts), more than the agents kept, downloading at
/// once from 4 threads: every file comes, whichever agent was let go.
#[test]
fn more_settings_sets_than_agents_kept_all_download() {
    let server = KeepAlive::start(Mode::Keep);
    let t = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for k in 0..4u64 {
            let (server, t) = (&server, &t);
            scope.spawn(move || {
                for round in 0..3 {
                    for n in 0..10u64 {
                        let mut s = settings(0, Duration::ZERO);
                        s.timeout = Duration::from_secs(10 + 10 * k + n);
                        let name = format!("s{k}-{n}-{round}.rpm");
                        fetch_all(&server.base, "f", &[name], t.path(), &s);
                    }
                }
            });
        }
    });
    assert_eq!(server.requests().len(), 120);
    let want = body("/f/s0-0-0.rpm");
    assert_eq!(std::fs::read(t.path().join("s0-0-0.rpm")).unwrap(), want);
}

/// Three downloads at once from a server that closes every kept
/// connection under its next request: each such request is made again on
/// a new connection, none waits for another, none fails though none may
/// be retried, and none waits the 20 s backoff.
#[test]
fn parallel_downloads_whose_kept_connections_all_died_go_on() {
    let server = KeepAlive::start(Mode::CloseSecond { reset: false });
    let t = tempfile::tempdir().unwrap();
    let s = settings(0, Duration::from_secs(20));
    let start = Instant::now();
    std::thread::scope(|scope| {
        for k in 0..3 {
            let (server, t, s) = (&server, &t, &s);
            scope.spawn(move || {
                let names = names(8, &format!("ps{k}-"));
                fetch_all(&server.base, "f", &names, t.path(), s)
            });
        }
    });
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(server.requests().len() > 24, "{:?}", server.requests());
}
