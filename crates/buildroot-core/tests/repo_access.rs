//! dnf's per-repo network options of `.repo` files, against the local HTTP
//! server (tests/http_support): `username`/`password` (basic auth on every
//! request of that repo, metadata and SRPMs; a 401 without them is one
//! line), and each repo's settings stay its own.

mod http_support;

use std::path::Path;

use buildroot_core::archful::refresh_cache;
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{
    load_repo, load_repos, parse_repofile_str, Filelists, LoadOptions, RepoSpec, Vars,
};
use http_support::Server;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/repos");

/// `user:s3cret`, as a basic `Authorization` header.
const USER_S3CRET: &str = "Basic dXNlcjpzM2NyZXQ=";

fn fast() {
    std::env::set_var("RPM_BUILDROOT_HTTP_BACKOFF", "0.01");
    std::env::set_var("RPM_BUILDROOT_HTTP_TIMEOUT", "2");
    std::env::set_var("RPM_BUILDROOT_HTTP_RETRIES", "1");
}

fn opts(cache: &Path) -> LoadOptions {
    LoadOptions {
        filelists: Filelists::Needed,
        cache_dir: Some(cache.to_path_buf()),
    }
}

/// The repos of a `.repo` text.
fn specs(text: &str) -> Vec<RepoSpec> {
    parse_repofile_str(text, "t.repo", &Vars::new("x86_64", "")).unwrap()
}

#[test]
fn basic_auth_reaches_every_download_of_the_repo() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    let spec = &specs(&format!(
        "[private-source]\nbaseurl={}/source\nusername=user\npassword=s3cret\n",
        server.base
    ))[0];
    let repo = load_repo(spec, &opts(&t.path().join("meta"))).unwrap();
    assert!(repo.spec.enabled && !repo.packages.is_empty());
    // The SRPMs come through the same layer, with the same credentials.
    let got = refresh_cache(&[repo], &["hello".into()], &t.path().join("srpms")).unwrap();
    assert_eq!(got.cached.len(), 1);
    let reqs = server.requests();
    assert!(
        reqs.iter().any(|r| r.path.ends_with(".src.rpm")),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .all(|r| r.authorization.as_deref() == Some(USER_S3CRET) && r.fault.is_none()),
        "{reqs:?}"
    );
}

#[test]
fn a_pool_read_back_from_the_cache_keeps_the_repo_access() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    let specs = specs(&format!(
        "[bin-auth]\nbaseurl={}/x86_64\nusername=user\npassword=s3cret\n",
        server.base
    ));
    for cached in [false, true] {
        let pool = Pool::load("x86_64", &specs, &opts(t.path())).unwrap();
        assert_eq!(pool.from_cache(), cached);
        // Macro packages are downloaded with what the pool says of their repo.
        let bash = pool.binaries_named("bash")[0];
        assert_eq!(pool.repo_access(bash), &specs[0].access);
        assert_eq!(pool.repo_access(bash).password, "s3cret");
    }
}

#[test]
fn without_the_credentials_a_401_is_one_line() {
    fast();
    let server = Server::start(ROOT.into());
    server.require_authorization(Some(USER_S3CRET));
    let t = tempfile::tempdir().unwrap();
    for creds in ["", "username=user\npassword=wrong\n"] {
        let spec = &specs(&format!(
            "[locked]\nbaseurl={}/source\n{creds}",
            server.base
        ))[0];
        let e = load_repo(spec, &opts(t.path())).unwrap_err().to_string();
        // Not retried: the same server gives the same answer.
        assert_eq!(
            e,
            format!("{}/source/repodata/repomd.xml: HTTP 401", server.base)
        );
    }
}

#[test]
fn credentials_stay_with_their_repo() {
    fast();
    let locked = Server::start(ROOT.into());
    locked.require_authorization(Some(USER_S3CRET));
    let open = Server::start(ROOT.into());
    let t = tempfile::tempdir().unwrap();
    let text = format!(
        "[locked-bin]\nbaseurl={}/x86_64\nusername=user\npassword=s3cret\n\
         [open-src]\nbaseurl={}/source\n",
        locked.base, open.base
    );
    let repos = load_repos(&specs(&text), &opts(t.path())).unwrap();
    assert_eq!(repos.len(), 2);
    assert!(!open.requests().is_empty());
    assert!(open.requests().iter().all(|r| r.authorization.is_none()));
    assert!(locked
        .requests()
        .iter()
        .all(|r| r.authorization.as_deref() == Some(USER_S3CRET)));
}
