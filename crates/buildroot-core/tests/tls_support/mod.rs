//! A TLS server on 127.0.0.1 for tests, before the HTTP server or the
//! proxy of `http_support` (the crate root's `http_support` module): the
//! test CA's server certificate (tests/tls/), optionally demanding a
//! client certificate that CA signed. As an `https://` proxy it takes
//! plain requests and `CONNECT` tunnels. Shared by buildroot-core's
//! tests/repo_tls.rs and cli-tests (`#[path]`-included); it uses std,
//! rustls (the one ureq builds) and `http_support`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::http_support::{self, Server};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A file of tests/tls (the test CA, the server's and the client's
/// certificates and keys).
pub fn tls_file(name: &str) -> PathBuf {
    // From buildroot-core's tests and cli-tests' alike.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../buildroot-core/tests/tls")
        .join(name)
}

/// An HTTPS front on 127.0.0.1 for a plain [`Server`]: each connection's
/// request is passed on and the answer sent back (the server closes every
/// connection after one answer). Before a proxy ([`TlsFront::start_before`]),
/// it is an `https://` proxy: a plain request is passed on so, and a
/// `CONNECT`'s tunnel carries the bytes both ways until either side closes.
pub struct TlsFront {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// Requests read (handshakes that succeeded).
    pub handshakes: Arc<AtomicUsize>,
    /// TCP connections accepted, handshakes that failed included.
    pub connections: Arc<AtomicUsize>,
    /// The name each successful handshake's client asked for (SNI), in
    /// order; `None` when it sent none (as for an IP address).
    pub server_names: Arc<Mutex<Vec<Option<String>>>>,
}

impl TlsFront {
    /// With `client_ca`, only clients with a certificate that CA signed.
    pub fn start(backend: &Server, client_ca: bool) -> TlsFront {
        Self::start_with(backend, client_ca, true)
    }

    /// A front that ends every connection with a TCP close and no TLS
    /// close_notify (a server process that died, or a forged FIN): a
    /// body with a length is whole all the same, one without cannot be
    /// told from a cut one.
    pub fn start_without_close_notify(backend: &Server) -> TlsFront {
        Self::start_with(backend, false, false)
    }

    pub fn start_with(backend: &Server, client_ca: bool, close_notify: bool) -> TlsFront {
        Self::start_before(&backend.base, client_ca, close_notify)
    }

    /// A front for whatever listens at `backend` (`http://HOST:PORT`): a
    /// proxy taking one plain request per connection, say.
    pub fn start_before(backend: &str, client_ca: bool, close_notify: bool) -> TlsFront {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(tls_file("server.pem"))
                .unwrap()
                .map(|c| c.unwrap())
                .collect();
        let key = PrivateKeyDer::from_pem_file(tls_file("server.key")).unwrap();
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if client_ca {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_file(tls_file("ca.pem")).unwrap())
                .unwrap();
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = Arc::new(builder.with_single_cert(certs, key).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let backend = backend.trim_start_matches("http://").to_string();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let server_names = Arc::new(Mutex::new(Vec::new()));
        let (count, accepted) = (handshakes.clone(), connections.clone());
        let names = server_names.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                accepted.fetch_add(1, Ordering::SeqCst);
                let (config, backend) = (config.clone(), backend.clone());
                let (count, names) = (count.clone(), names.clone());
                std::thread::spawn(move || {
                    pass_on(tcp, config, &backend, (&count, &names), close_notify)
                });
            }
        });
        TlsFront {
            base,
            handshakes,
            connections,
            server_names,
        }
    }
}

fn pass_on(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    backend: &str,
    (n, names): (&AtomicUsize, &Mutex<Vec<Option<String>>>),
    close_notify: bool,
) {
    let conn = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // The request head (a GET has no body); reading it completes the handshake.
    let mut head = Vec::new();
    let whole = {
        let mut r = BufReader::new(&mut tls);
        loop {
            let mut line = Vec::new();
            if r.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                break false;
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" {
                break true;
            }
        }
    };
    if !whole {
        // A client refused (its certificate, under TLS 1.3 after its side
        // of the handshake): the alert goes out, then what the client
        // still sends is read until it closes, as a server that shuts its
        // side down does; closing at once over its unread request would
        // reset the connection, and the client could lose the alert.
        let _ = tls.flush();
        let _ = tls.sock.shutdown(std::net::Shutdown::Write);
        let _ = tls
            .sock
            .set_read_timeout(Some(std::time::Duration::from_secs(30)));
        let _ = std::io::copy(&mut tls.sock, &mut std::io::sink());
        return;
    }
    n.fetch_add(1, Ordering::SeqCst);
    let name = tls.conn.server_name().map(str::to_string);
    names.lock().unwrap().push(name);
    let mut plain = TcpStream::connect(backend).unwrap();
    plain.write_all(&head).unwrap();
    if head.starts_with(b"CONNECT ") {
        pump(&mut tls, plain);
        tls.conn.send_close_notify();
        let _ = tls.flush();
        let _ = tls.sock.shutdown(std::net::Shutdown::Write);
        return;
    }
    let mut answer = Vec::new();
    let cut = plain.read_to_end(&mut answer).is_err();
    let _ = tls.write_all(&answer);
    if cut {
        // The backend reset: so does the front, under its TLS (no
        // close_notify), as a server that drops the connection does.
        let _ = tls.flush();
        std::thread::sleep(std::time::Duration::from_millis(50));
        http_support::reset(&tls.sock);
        return;
    }
    if close_notify {
        tls.conn.send_close_notify();
    }
    let _ = tls.flush();
    let _ = tls.sock.shutdown(std::net::Shutdown::Write);
}

/// The bytes of a tunnel both ways, the backend proxy's answer to the
/// `CONNECT` first, until either side closes. One thread, as a rustls
/// stream cannot be read and written from two, waiting on both sockets at
/// once (poll(2)): bytes pass as soon as they come, however loaded the
/// machine, with no tick to wait out per chunk.
fn pump(tls: &mut rustls::StreamOwned<rustls::ServerConnection, TcpStream>, mut plain: TcpStream) {
    use std::os::fd::AsRawFd;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // What rustls has decrypted already goes first: poll(2) sees only
        // what the socket still holds.
        loop {
            match tls.conn.reader().read(&mut buf) {
                // The client's close_notify.
                Ok(0) => return,
                Ok(n) if plain.write_all(&buf[..n]).is_err() => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => return,
            }
        }
        let mut fds = [tls.sock.as_raw_fd(), plain.as_raw_fd()].map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // SAFETY: poll(2) on two descriptors owned here, `fds` sized 2.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            match std::io::Error::last_os_error().kind() {
                std::io::ErrorKind::Interrupted => continue,
                _ => return,
            }
        }
        // Readable (or closed, or failed: the read says which) now, so
        // one read does not block.
        if fds[0].revents != 0 {
            match tls.conn.read_tls(&mut tls.sock) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            // An alert or a key update may want an answer.
            if tls.conn.process_new_packets().is_err() || tls.flush().is_err() {
                return;
            }
        }
        if fds[1].revents != 0 {
            match plain.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) if tls.write_all(&buf[..n]).and_then(|_| tls.flush()).is_err() => return,
                Ok(_) => {}
            }
        }
    }
}
