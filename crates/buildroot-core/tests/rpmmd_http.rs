//! HTTP repositories: served from 127.0.0.1, cached by checksum, errors name the URL.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use buildroot_core::rpmmd::{load_repo, sha256_file, Filelists, LoadOptions, RepoSpec};

/// A tiny HTTP/1.1 file server; records every requested path.
fn serve(root: PathBuf) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            log2.lock().unwrap().push(path.clone());
            let (status, body) = if path.starts_with("/error500/") {
                ("500 Internal Server Error", Vec::new())
            } else {
                match std::fs::read(root.join(path.trim_start_matches('/'))) {
                    Ok(b) => ("200 OK", b),
                    Err(_) => ("404 Not Found", b"not found".to_vec()),
                }
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (format!("http://{addr}"), log)
}

fn write_repo(dir: &Path) {
    let rd = dir.join("repodata");
    std::fs::create_dir_all(&rd).unwrap();
    let primary = r#"<?xml version="1.0"?><metadata xmlns:rpm="x" packages="1"><package type="rpm"><name>foo</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><location href="foo-1-1.noarch.rpm"/><format><rpm:sourcerpm>foo-1-1.src.rpm</rpm:sourcerpm></format></package></metadata>"#;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(primary.as_bytes()).unwrap();
    std::fs::write(rd.join("p.xml.gz"), e.finish().unwrap()).unwrap();
    let sum = sha256_file(&rd.join("p.xml.gz")).unwrap();
    std::fs::write(
        rd.join("repomd.xml"),
        format!(r#"<repomd><data type="primary"><checksum type="sha256">{sum}</checksum><location href="repodata/p.xml.gz"/></data></repomd>"#),
    )
    .unwrap();
}

fn opts(cache: &Path) -> LoadOptions {
    LoadOptions {
        filelists: Filelists::Needed,
        cache_dir: Some(cache.to_path_buf()),
    }
}

#[test]
fn second_load_fetches_only_repomd() {
    let root = tempfile::tempdir().unwrap();
    write_repo(&root.path().join("repo"));
    let cache = tempfile::tempdir().unwrap();
    let (base, log) = serve(root.path().to_path_buf());
    let spec = RepoSpec::new("web", &format!("{base}/repo/"));
    let r = load_repo(&spec, &opts(cache.path())).unwrap();
    assert_eq!(r.packages[0].name, "foo");
    assert_eq!(
        *log.lock().unwrap(),
        vec!["/repo/repodata/repomd.xml", "/repo/repodata/p.xml.gz"]
    );
    log.lock().unwrap().clear();
    let r = load_repo(&spec, &opts(cache.path())).unwrap();
    assert_eq!(r.packages.len(), 1);
    assert_eq!(*log.lock().unwrap(), vec!["/repo/repodata/repomd.xml"]);
}

#[test]
fn http_errors_name_the_url() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (base, _log) = serve(root.path().to_path_buf());
    let e = load_repo(
        &RepoSpec::new("web", &format!("{base}/missing")),
        &opts(cache.path()),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(e, format!("{base}/missing/repodata/repomd.xml: HTTP 404"));
    let e = load_repo(
        &RepoSpec::new("web", &format!("{base}/error500")),
        &opts(cache.path()),
    )
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("HTTP 500"), "{e}");
    // Nothing listens on this port once the listener is dropped.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = load_repo(
        &RepoSpec::new("web", &format!("http://127.0.0.1:{port}/x")),
        &opts(cache.path()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with(&format!("http://127.0.0.1:{port}/x/repodata/repomd.xml: ")),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

/// A server that sends a 4 kB body in 8 pieces, `gap` apart, or (with
/// `stall_after`) stops after that many pieces and holds the connection.
fn trickle(gap: std::time::Duration, stall_after: Option<usize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n"
            );
            for i in 0..8 {
                if stall_after == Some(i) {
                    break;
                }
                let _ = stream.write_all(&[b'x'; 512]);
                let _ = stream.flush();
                std::thread::sleep(gap);
            }
            held.push(stream);
        }
    });
    format!("http://{addr}/file")
}

#[test]
fn slow_downloads_finish_and_stalled_ones_fail() {
    use buildroot_core::rpmmd::download_with_stall_limit;
    use std::time::{Duration, Instant};
    let t = tempfile::tempdir().unwrap();
    // 8 pieces 300 ms apart: 2.4 s in all, longer than the 1 s stall limit,
    // but never a second without data.
    let dest = t.path().join("slow");
    let url = trickle(Duration::from_millis(300), None);
    download_with_stall_limit(&url, &dest, Duration::from_secs(1)).unwrap();
    assert_eq!(std::fs::read(&dest).unwrap().len(), 4096);
    // Two pieces, then silence: fails after about the limit, naming the URL.
    let dest = t.path().join("stalled");
    let url = trickle(Duration::from_millis(50), Some(2));
    let start = Instant::now();
    let err = download_with_stall_limit(&url, &dest, Duration::from_secs(1))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&url) && err.contains("stalled") && err.contains("1024 bytes"),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(!dest.exists());
}

#[test]
fn metalink_and_mirrorlist_skip_dead_and_stale_mirrors() {
    use buildroot_core::rpmmd::MirrorSource;
    let root = tempfile::tempdir().unwrap();
    write_repo(&root.path().join("good"));
    write_repo(&root.path().join("stale"));
    // A stale mirror: older repomd.xml than the metalink announces.
    let stale = root.path().join("stale/repodata/repomd.xml");
    let mut text = std::fs::read_to_string(&stale).unwrap();
    text.push_str("<!-- yesterday -->\n");
    std::fs::write(&stale, text).unwrap();
    let sum = sha256_file(&root.path().join("good/repodata/repomd.xml")).unwrap();
    let (base, log) = serve(root.path().to_path_buf());
    let url = |m: &str| format!("{base}/{m}/repodata/repomd.xml");
    std::fs::write(
        root.path().join("metalink.xml"),
        format!(
            r#"<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>
<url protocol="http" preference="100">{}</url>
<url protocol="http" preference="99">{}</url>
<url protocol="http" preference="98">{}</url>
</resources></file></files></metalink>"#,
            url("missing"),
            url("stale"),
            url("good")
        ),
    )
    .unwrap();
    std::fs::write(
        root.path().join("mirrors.txt"),
        format!("# mirrors\n{base}/missing\n{base}/good/\n"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    for src in [
        MirrorSource::Metalink(format!("{base}/metalink.xml")),
        MirrorSource::Mirrorlist(format!("{base}/mirrors.txt")),
    ] {
        let mut spec = RepoSpec::new("fedora", "");
        spec.mirrors = Some(src.clone());
        let r = load_repo(&spec, &opts(cache.path())).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        assert_eq!(r.spec.baseurl, format!("{base}/good/"), "{src:?}");
        assert_eq!(r.packages.len(), 1);
    }
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .any(|p| p == "/stale/repodata/repomd.xml"));
    // Every mirror stale or dead: one error naming the metalink.
    std::fs::write(
        root.path().join("dead.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources><url protocol="http">{}</url></resources></file></files></metalink>"#,
            url("stale")
        ),
    )
    .unwrap();
    let mut spec = RepoSpec::new("fedora", "");
    spec.mirrors = Some(MirrorSource::Metalink(format!("{base}/dead.xml")));
    let e = load_repo(&spec, &opts(cache.path()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("dead.xml") && e.contains("stale mirror"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
}
