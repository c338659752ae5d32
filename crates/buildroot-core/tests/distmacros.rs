//! The distribution's macro packages: found in the binary repos as the core
//! buildroot's packages that ship macro files, downloaded through the HTTP
//! cache once, extracted into a checksum-keyed cache, listed in rpm's load
//! order; broken packages are one-line errors that leave nothing behind.

mod fs_support;
mod http_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use buildroot_core::buildroot::DEFAULT_CORE;
use buildroot_core::distmacros::{cache_root, repo_macros, Found, RepoMacros};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, WriteOptions};
use buildroot_core::rpmmd::RepoSpec;
use buildroot_core::srpm::{build_rpm_with, read_header};
use fs_support::copy_tree;

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn core() -> Vec<String> {
    let mut v: Vec<String> = DEFAULT_CORE.iter().map(|s| s.to_string()).collect();
    v.push("fedora-release-eln".into());
    v
}

/// The HTTP metadata cache beside a cache directory.
fn meta(cache: &Path) -> PathBuf {
    cache.join(".metadata")
}

/// The one line `repo_macros` fails with on x86_64 with the core's names,
/// the repos' metadata and macros cached under `cache`.
/// The macros of the fixture's core buildroot, metadata and packages both
/// cached under `cache`.
fn core_macros(arch: &str, repos: &[RepoSpec], cache: &Path) -> buildroot_core::Result<Found> {
    repo_macros(arch, repos, &core(), &meta(cache), cache)
}

fn macros_error(repos: &[RepoSpec], cache: &Path) -> String {
    core_macros("x86_64", repos, cache).unwrap_err().to_string()
}

fn found(f: Found) -> RepoMacros {
    match f {
        Found::Macros(m) => m,
        Found::Nothing(why) => panic!("no macros: {why}"),
    }
}

fn rel(m: &RepoMacros) -> Vec<String> {
    m.files
        .iter()
        .map(|f| f.strip_prefix(&m.tree).unwrap().display().to_string())
        .collect()
}

const FIXTURE_PACKAGES: [&str; 3] = [
    "eln-rpm-config-11.0-1.eln150.noarch",
    "python-srpm-macros-3.13-1.eln150.noarch",
    "redhat-rpm-config-300-1.eln150.noarch",
];

#[test]
fn the_core_buildroot_macro_packages_of_the_fixture_repo() {
    let cache = tempfile::tempdir().unwrap();
    let repo = RepoSpec::new("bin", testdata().join("repos/aarch64").to_str().unwrap());
    let m = found(core_macros("aarch64", std::slice::from_ref(&repo), cache.path()).unwrap());
    assert_eq!(m.packages, FIXTURE_PACKAGES);
    // %{rpmversion} in that buildroot: its rpm package's version.
    assert_eq!(m.rpm_version.as_deref(), Some("4.20.0"));
    assert_eq!(
        rel(&m),
        [
            "macros.d/macros.eln",
            "macros.d/macros.eln-arches",
            "macros.d/macros.python-srpm",
            "redhat/macros"
        ]
    );
    let lua = m.lua_dir.as_ref().unwrap();
    assert!(lua.join("eln/dist.lua").is_file());
    let text = std::fs::read_to_string(m.tree.join("macros.d/macros.eln-arches")).unwrap();
    assert!(text.contains("%asm_arches x86_64"), "{text}");
    // python3-rpm-macros is in the repo but not in the core buildroot...
    assert!(!m
        .packages
        .iter()
        .any(|p| p.starts_with("python3-rpm-macros")));
    // ...unless asked for, as a BuildRequires would pull it in.
    let mut more = core();
    more.push("python3-rpm-macros".into());
    let m2 =
        found(repo_macros("aarch64", &[repo], &more, &meta(cache.path()), cache.path()).unwrap());
    assert!(m2
        .packages
        .iter()
        .any(|p| p.starts_with("python3-rpm-macros-3.13.0")));
    assert!(rel(&m2).contains(&"macros.d/macros.python3".to_string()));
    assert_ne!(m.tree, m2.tree, "one merged tree per set of packages");
}

#[test]
fn no_macro_package_is_a_reason_not_an_error() {
    let cache = tempfile::tempdir().unwrap();
    let repo = RepoSpec::new("bin", testdata().join("repos/x86_64").to_str().unwrap());
    // A buildroot of bash alone has no macro files.
    let f = repo_macros(
        "x86_64",
        std::slice::from_ref(&repo),
        &["bash".into()],
        &meta(cache.path()),
        cache.path(),
    )
    .unwrap();
    assert!(
        matches!(f, Found::Nothing(ref why) if why.contains("macro")),
        "{f:?}"
    );
    // A core nothing provides: no buildroot at all.
    let f = repo_macros(
        "x86_64",
        &[repo],
        &["no-such-package".into()],
        &meta(cache.path()),
        cache.path(),
    )
    .unwrap();
    assert!(matches!(f, Found::Nothing(_)), "{f:?}");
    // Nothing to install (`--core '' --release-package ''`): said so.
    let repo = RepoSpec::new("bin", testdata().join("repos/x86_64").to_str().unwrap());
    let f = repo_macros("x86_64", &[repo], &[], &meta(cache.path()), cache.path()).unwrap();
    match f {
        Found::Nothing(why) => assert_eq!(
            why,
            "the buildroot is empty (no core names, no release package)"
        ),
        f => panic!("{f:?}"),
    }
}

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
            let (status, body) = match std::fs::read(root.join(path.trim_start_matches('/'))) {
                Ok(b) => ("200 OK", b),
                Err(_) => ("404 Not Found", b"not found".to_vec()),
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

#[test]
fn over_http_each_package_is_downloaded_once() {
    let cache = tempfile::tempdir().unwrap();
    let (base, log) = serve(testdata().join("repos"));
    let repo = RepoSpec::new("web", &format!("{base}/x86_64/"));
    let m = found(core_macros("x86_64", std::slice::from_ref(&repo), cache.path()).unwrap());
    assert_eq!(m.packages, FIXTURE_PACKAGES);
    let rpms = |log: &[String]| log.iter().filter(|p| p.ends_with(".rpm")).count();
    let first = rpms(&log.lock().unwrap());
    assert!(first >= 3, "{:?}", log.lock().unwrap());
    // The downloads are not kept: the extracted files are all a run needs.
    let kept: Vec<_> = walkdir::WalkDir::new(cache.path().join(".metadata"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rpm"))
        .collect();
    assert!(kept.is_empty(), "{kept:?}");
    log.lock().unwrap().clear();
    let again = found(core_macros("x86_64", &[repo], cache.path()).unwrap());
    assert_eq!(again, m);
    let log = log.lock().unwrap();
    assert_eq!(rpms(&log), 0, "second run downloads no package: {log:?}");
    assert!(log.iter().all(|p| p.ends_with("repomd.xml")), "{log:?}");
}

/// Runs sharing one cache, all needing the same macro packages at once,
/// each get the whole of them: one run's removal of the downloaded package
/// once it has extracted it never fails another that found the download
/// in the cache a moment before, and none reads a half-extracted tree.
#[test]
fn runs_sharing_a_cache_extract_the_same_packages_at_once() {
    let (base, _log) = serve(testdata().join("repos"));
    let repo = RepoSpec::new("web", &format!("{base}/x86_64/"));
    for _ in 0..6 {
        let cache = tempfile::tempdir().unwrap();
        let start = std::sync::Barrier::new(6);
        let got: Vec<Result<RepoMacros, String>> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..6)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        core_macros("x86_64", std::slice::from_ref(&repo), cache.path())
                            .map(found)
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for m in &got {
            let m = m.as_ref().unwrap();
            assert_eq!(m.packages, FIXTURE_PACKAGES);
            assert_eq!(rel(m), rel(got[0].as_ref().unwrap()));
        }
    }
}

/// The fixture's x86_64 repo copied to `dir`, with eln-rpm-config's file
/// replaced by `corrupt(bytes)`; repodata rewritten when `rewrite`.
fn broken_repo(dir: &Path, rewrite: bool, corrupt: impl Fn(&mut Vec<u8>)) -> PathBuf {
    copy_tree(&testdata().join("repos/x86_64"), dir, false);
    let rpm = dir.join("Packages/eln-rpm-config-11.0-1.eln150.noarch.rpm");
    let mut bytes = std::fs::read(&rpm).unwrap();
    corrupt(&mut bytes);
    std::fs::write(&rpm, bytes).unwrap();
    if rewrite {
        let mut pkgs = Vec::new();
        for e in std::fs::read_dir(dir.join("Packages")).unwrap() {
            let p = e.unwrap().path();
            let mut h = read_header(&p).unwrap();
            h.location = format!("Packages/{}", p.file_name().unwrap().to_string_lossy());
            pkgs.push(h);
        }
        pkgs.sort_by(|a, b| a.location.cmp(&b.location));
        std::fs::remove_dir_all(dir.join("repodata")).unwrap();
        write_repodata(dir, &pkgs, &WriteOptions::default()).unwrap();
    }
    rpm
}

fn no_half_written_package(cache: &Path) {
    let pkg = cache_root(cache).join("pkg");
    let names: Vec<String> = std::fs::read_dir(&pkg)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(!names.iter().any(|n| n.starts_with(".tmp")), "{names:?}");
    for n in &names {
        let d = pkg.join(n);
        assert!(
            !d.join("macros.d/macros.eln").exists() || d.join("lua/eln/dist.lua").is_file(),
            "a complete eln-rpm-config directory or none"
        );
    }
}

#[test]
fn a_corrupt_macro_package_is_named_and_leaves_nothing() {
    let t = tempfile::tempdir().unwrap();
    // The payload damaged, the repodata made to match: the payload check finds it.
    let repo = t.path().join("repo");
    let rpm = broken_repo(&repo, true, |b| {
        let n = b.len();
        for x in &mut b[n - 200..n - 100] {
            *x ^= 0x5a;
        }
    });
    let cache = t.path().join("cache");
    let spec = RepoSpec::new("bin", repo.to_str().unwrap());
    let err = macros_error(std::slice::from_ref(&spec), &cache);
    assert!(
        err.starts_with("macro package eln-rpm-config-11.0-1.eln150.noarch (")
            && err.contains(&rpm.display().to_string())
            && !err.contains('\n'),
        "{err}"
    );
    no_half_written_package(&cache);
    // The file differs from the repodata's checksum.
    let repo2 = t.path().join("repo2");
    broken_repo(&repo2, false, |b| b.truncate(b.len() / 2));
    let spec = RepoSpec::new("bin", repo2.to_str().unwrap());
    let err = macros_error(&[spec], &cache);
    assert!(
        err.contains("eln-rpm-config-11.0-1.eln150.noarch") && err.contains("checksum mismatch"),
        "{err}"
    );
    no_half_written_package(&cache);
}

#[test]
fn a_failed_download_names_the_url() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("www");
    copy_tree(
        &testdata().join("repos/x86_64"),
        &root.join("x86_64"),
        false,
    );
    std::fs::remove_file(root.join("x86_64/Packages/eln-rpm-config-11.0-1.eln150.noarch.rpm"))
        .unwrap();
    let (base, _) = serve(root);
    let spec = RepoSpec::new("web", &format!("{base}/x86_64/"));
    let cache = t.path().join("cache");
    let err = macros_error(&[spec], &cache);
    assert!(
        err.contains(&format!(
            "{base}/x86_64/Packages/eln-rpm-config-11.0-1.eln150.noarch.rpm"
        )) && err.contains("404"),
        "{err}"
    );
    no_half_written_package(&cache);
}

#[test]
fn a_package_body_without_end_is_cut_at_its_size() {
    // More bytes than primary.xml's size cannot be the package: one line,
    // at once, nothing left (it was written until the disk filled).
    http_support::http_settings("0.05", "2", "3");
    let server = http_support::Server::start(testdata().join("repos"));
    let rpm = "eln-rpm-config-11.0-1.eln150.noarch.rpm";
    server.fault(rpm, http_support::Fault::Endless, None);
    let size = std::fs::metadata(testdata().join("repos/x86_64/Packages").join(rpm))
        .unwrap()
        .len();
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let spec = RepoSpec::new("web", &format!("{}/x86_64/", server.base));
    let err = macros_error(&[spec], &cache);
    assert!(
        err.contains(&format!(
            "more than the {size} bytes primary.xml gives as the package's size"
        )) && !err.contains('\n'),
        "{err}"
    );
    assert_eq!(server.requests_for(rpm).len(), 1);
    no_half_written_package(&cache);
}

/// A binary package with real file contents, written into `dir/Packages`.
fn package(
    dir: &Path,
    name: &str,
    arch: &str,
    requires: &[&str],
    files: &[(&str, &str)],
) -> Package {
    let p = Package {
        name: name.into(),
        arch: arch.into(),
        evr: Evr::new(0, "1", Some("1")),
        summary: name.into(),
        sourcerpm: format!("{name}-1-1.src.rpm"),
        requires: requires
            .iter()
            .map(|r| Requirement::from(buildroot_core::dep::Dep::parse(r).unwrap()))
            .collect(),
        files: files.iter().map(|(f, _)| f.to_string()).collect(),
        ..Default::default()
    };
    let contents: Vec<(&str, &[u8])> = files.iter().map(|(f, t)| (*f, t.as_bytes())).collect();
    let file = format!("{name}-1-1.{arch}.rpm");
    let path = dir.join("Packages").join(&file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, build_rpm_with(&p, "MIT", 1, &contents).unwrap()).unwrap();
    let mut h = read_header(&path).unwrap();
    h.location = format!("Packages/{file}");
    h
}

#[test]
fn rpm_base_macros_and_the_target_platform_file() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    let pkgs = vec![
        package(
            &repo,
            "rpm",
            "aarch64",
            &[],
            &[
                ("/usr/lib/rpm/macros", "%_usr /usr\n"),
                ("/usr/lib/rpm/rpmrc", "optflags: aarch64 -O2\n"),
                (
                    "/usr/lib/rpm/platform/aarch64-linux/macros",
                    "%_arch aarch64\n",
                ),
                (
                    "/usr/lib/rpm/platform/x86_64-linux/macros",
                    "%_arch x86_64\n",
                ),
                ("/usr/lib/rpm/fileattrs/elf.attr", "%__elf_provides x\n"),
            ],
        ),
        package(
            &repo,
            "redhat-rpm-config",
            "noarch",
            &["rpm"],
            &[
                ("/usr/lib/rpm/redhat/macros", "%_vendor redhat\n"),
                ("/usr/lib/rpm/redhat/brp-strip", "#!/bin/sh\n"),
                ("/usr/lib/rpm/macros.d/macros.dist", "%dist .x1\n"),
            ],
        ),
    ];
    write_repodata(&repo, &pkgs, &WriteOptions::default()).unwrap();
    let spec = RepoSpec::new("bin", repo.to_str().unwrap());
    let cache = t.path().join("cache");
    let m = found(
        repo_macros(
            "aarch64",
            &[spec],
            &["redhat-rpm-config".into()],
            &meta(&cache),
            &cache,
        )
        .unwrap(),
    );
    assert_eq!(
        m.packages,
        ["redhat-rpm-config-1-1.noarch", "rpm-1-1.aarch64"]
    );
    assert_eq!(
        rel(&m),
        [
            "macros",
            "macros.d/macros.dist",
            "platform/aarch64-linux/macros",
            "redhat/macros"
        ]
    );
    assert!(m.has_rpm_base());
    assert!(m.tree.join("rpmrc").is_file());
    // Only macro files are extracted.
    assert!(!m.tree.join("redhat/brp-strip").exists());
    assert!(!m.tree.join("fileattrs").exists());
}

#[test]
fn the_evaluator_gets_the_repos_macros_per_arch() {
    use buildroot_core::archful::MacroArgs;
    use buildroot_core::cli::RepoFileArgs;
    use buildroot_core::cli::{BinaryRepoArgs, CacheDirArgs, CoreArgs};
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    let pkgs = vec![
        package(
            &repo,
            "rpm",
            "noarch",
            &[],
            &[
                (
                    "/usr/lib/rpm/platform/aarch64-linux/macros",
                    "%marker from-aarch64-platform\n",
                ),
                (
                    "/usr/lib/rpm/platform/s390x-linux/macros",
                    "%marker from-s390x-platform\n",
                ),
            ],
        ),
        package(
            &repo,
            "redhat-rpm-config",
            "noarch",
            &["rpm"],
            &[(
                "/usr/lib/rpm/macros.d/macros.dist",
                "%dist .x1\n%fedora 99\n",
            )],
        ),
    ];
    write_repodata(&repo, &pkgs, &WriteOptions::default()).unwrap();
    let args = MacroArgs {
        binary: BinaryRepoArgs {
            repos: vec![format!("bin={}", repo.display())],
        },
        core: CoreArgs {
            core: Some(vec!["redhat-rpm-config".into()]),
            release_package: Some(String::new()),
        },
        ..Default::default()
    };
    let files = RepoFileArgs {
        releasever: Some("eln".into()),
        cache: CacheDirArgs {
            cache_dir: Some(t.path().join("metadata")),
        },
        ..Default::default()
    };
    let mut notes = Vec::new();
    let arches = ["aarch64".to_string(), "s390x".to_string()];
    let targets = args
        .targets(&arches, &files, &t.path().join("cache"), &mut |n| {
            notes.push(n)
        })
        .unwrap();
    assert_eq!(notes.len(), 2, "{notes:?}");
    let spec = "Name: x\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n\
                BuildRequires: %{marker}\n%if 0%{?rhel}\nBuildRequires: rhel-only\n%endif\n\
                %if 0%{?fedora}\nBuildRequires: fedora-%{fedora}\n%endif\n%description\nd\n";
    for (t, want) in targets
        .iter()
        .zip(["from-aarch64-platform", "from-s390x-platform"])
    {
        let ev = buildroot_core::spec::evaluate(spec, &t.ctx).unwrap();
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        assert_eq!(ev.release, "1.x1");
        let brs: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
        // The repo says %fedora, not %rhel: the built-in ELN macros are not there.
        assert_eq!(brs, [want, "fedora-99"], "{}", t.arch);
    }
}

/// LUA-DEPENDENT: eln-rpm-config's `%dist` runs `require "eln.dist"` from the
/// macro packages' `lua/` (`SpecContext::lua_dirs`). Until the evaluator runs
/// `%{lua:}`, this only checks that it reports the Lua problem.
#[test]
fn lua_dependent_dist_from_the_repos_lua_module() {
    use buildroot_core::archful::MacroArgs;
    use buildroot_core::cli::RepoFileArgs;
    use buildroot_core::cli::{BinaryRepoArgs, CacheDirArgs, CoreArgs};
    let t = tempfile::tempdir().unwrap();
    let args = MacroArgs {
        binary: BinaryRepoArgs {
            repos: vec![format!(
                "bin={}",
                testdata().join("repos/$basearch").display()
            )],
        },
        core: CoreArgs {
            release_package: Some(String::new()),
            ..Default::default()
        },
        ..Default::default()
    };
    let files = RepoFileArgs {
        releasever: Some("eln".into()),
        cache: CacheDirArgs {
            cache_dir: Some(t.path().join("metadata")),
        },
        ..Default::default()
    };
    let targets = args
        .targets(&["aarch64".into()], &files, t.path(), &mut |_| {})
        .unwrap();
    let spec =
        "Name: x\nVersion: 1\nRelease: 1%{?dist}\nSummary: s\nLicense: MIT\n%description\nd\n";
    let ev = buildroot_core::spec::evaluate(spec, &targets[0].ctx).unwrap();
    if ev.problems.iter().any(|p| p.contains("lua")) {
        eprintln!("LUA-DEPENDENT ASSERTIONS SKIPPED: the evaluator does not run %{{lua:}} yet");
        return;
    }
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert_eq!(ev.release, "1.eln150");
}

/// A macro package in rpm 6's v6 package format (testdata/rpm6, written by
/// rpm 6.1 through scripts/make-rpm6-fixture.sh): its macro file is found,
/// checked against the header's digest and extracted as a v4 package's.
#[test]
fn a_macro_package_in_rpm6_v6_format_is_extracted() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path().join("repo");
    std::fs::create_dir_all(repo.join("Packages")).unwrap();
    let file = "m6-macros-1-1.eln150.noarch.rpm";
    let rpm = repo.join("Packages").join(file);
    std::fs::copy(testdata().join("rpm6").join(file), &rpm).unwrap();
    let mut h = read_header(&rpm).unwrap();
    h.location = format!("Packages/{file}");
    write_repodata(&repo, &[h], &WriteOptions::default()).unwrap();
    let spec = RepoSpec::new("bin", repo.to_str().unwrap());
    let cache = t.path().join("cache");
    let m = found(
        repo_macros(
            "x86_64",
            &[spec],
            &["m6-macros".into()],
            &meta(&cache),
            &cache,
        )
        .unwrap(),
    );
    assert_eq!(m.packages, ["m6-macros-1-1.eln150.noarch"]);
    assert_eq!(rel(&m), ["macros.d/macros.m6"]);
    let text = std::fs::read_to_string(m.tree.join("macros.d/macros.m6")).unwrap();
    assert_eq!(text, "%m6_answer 42\n");
}

/// Another arch's repo (a URL without `$basearch`) is named as the reason,
/// in one short line, not as one problem per core package.
#[test]
fn a_repo_of_another_arch_is_the_reason_in_one_line() {
    let cache = tempfile::tempdir().unwrap();
    let repo = RepoSpec::new("bin", testdata().join("repos/x86_64").to_str().unwrap());
    let f = core_macros("aarch64", &[repo], cache.path()).unwrap();
    match f {
        Found::Nothing(why) => assert_eq!(
            why,
            "the binary repositories hold no package for aarch64 (a repo URL without $basearch?)"
        ),
        f => panic!("{f:?}"),
    }
}

/// A macro package the mirror that answered for the metadata cannot
/// deliver comes from the repo's next mirror, in the turns SRPMs take
/// (`a b`: a 404 is not retried on one mirror when there is another),
/// also when the pool comes from the pool cache.
#[test]
fn a_macro_package_a_mirror_lacks_comes_from_the_next() {
    http_support::http_settings("0.05", "2", "3");
    let t = tempfile::tempdir().unwrap();
    let www = t.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    for m in ["a", "b"] {
        std::os::unix::fs::symlink(testdata().join("repos/x86_64"), www.join(m)).unwrap();
    }
    let server = http_support::Server::start(www);
    let rpm = "Packages/eln-rpm-config-11.0-1.eln150.noarch.rpm";
    server.fault(&format!("/a/{rpm}"), http_support::Fault::Status(404), None);
    let mut spec = RepoSpec::new("web", &format!("{}/a/", server.base));
    spec.extra_baseurls = vec![format!("{}/b/", server.base)];
    let meta_dir = t.path().join("meta");
    for (run, cache) in ["fresh pool", "pool from the cache"]
        .iter()
        .zip(["c1", "c2"])
    {
        server.clear_log();
        let cache = t.path().join(cache);
        let m = repo_macros(
            "x86_64",
            std::slice::from_ref(&spec),
            &core(),
            &meta_dir,
            &cache,
        )
        .unwrap_or_else(|e| panic!("{run}: {e}"));
        assert_eq!(found(m).packages, FIXTURE_PACKAGES, "{run}");
        let asked: Vec<String> = server
            .requests_for(rpm)
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(asked, [format!("/a/{rpm}"), format!("/b/{rpm}")], "{run}");
        no_half_written_package(&cache);
    }
}

/// A local repo's mirrors (a multi-path `baseurl=`) are failed over too: a
/// macro package the first directory lacks comes from the next, as an
/// SRPM does (`copy_verified`), instead of an error naming the missing file.
#[test]
fn a_macro_package_a_local_mirror_lacks_comes_from_the_next() {
    let t = tempfile::tempdir().unwrap();
    let full = testdata().join("repos/x86_64");
    // Mirror a: the repodata, but not eln-rpm-config's package.
    let a = t.path().join("a");
    std::fs::create_dir_all(a.join("Packages")).unwrap();
    std::os::unix::fs::symlink(full.join("repodata"), a.join("repodata")).unwrap();
    let rpm = "eln-rpm-config-11.0-1.eln150.noarch.rpm";
    for e in std::fs::read_dir(full.join("Packages")).unwrap() {
        let e = e.unwrap();
        if e.file_name() != rpm {
            std::os::unix::fs::symlink(e.path(), a.join("Packages").join(e.file_name())).unwrap();
        }
    }
    let mut spec = RepoSpec::new("local", a.to_str().unwrap());
    spec.extra_baseurls = vec![full.to_str().unwrap().to_string()];
    let cache = t.path().join("cache");
    let m = core_macros("x86_64", std::slice::from_ref(&spec), &cache).unwrap();
    assert_eq!(found(m).packages, FIXTURE_PACKAGES);
}

/// A macro package the first mirror lacks and the next delivers, broken:
/// the error names the file that was read (the second mirror's), not the
/// first mirror's URL, which has no such file.
#[test]
fn a_broken_macro_package_is_named_by_the_mirror_it_came_from() {
    let t = tempfile::tempdir().unwrap();
    let b = t.path().join("b");
    let rpm_b = broken_repo(&b, true, |bytes| {
        let n = bytes.len();
        for x in &mut bytes[n - 200..n - 100] {
            *x ^= 0x5a;
        }
    });
    let a = t.path().join("a");
    copy_tree(&b, &a, false);
    let rpm_a = a.join(rpm_b.strip_prefix(&b).unwrap());
    std::fs::remove_file(&rpm_a).unwrap();
    let mut spec = RepoSpec::new("local", a.to_str().unwrap());
    spec.extra_baseurls = vec![b.to_str().unwrap().to_string()];
    let cache = t.path().join("cache");
    let err = macros_error(std::slice::from_ref(&spec), &cache);
    assert!(
        err.starts_with("macro package eln-rpm-config-11.0-1.eln150.noarch (")
            && err.contains(&rpm_b.display().to_string())
            && !err.contains(&rpm_a.display().to_string())
            && !err.contains('\n'),
        "{err}"
    );
    no_half_written_package(&cache);
}
