//! Getting a macro package's files: the package is copied from a local repo
//! or downloaded through the repos' HTTP cache, from the first of the
//! repo's mirrors that has it, in the turns librepo takes for a package
//! (`rpmmd::package_file_from`: dnf downloads the buildroot's packages
//! through librepo's `lr_download_packages`, which fails a package over to
//! the repo's next mirror), its checksum checked against
//! the repo's, and its macro files and Lua modules ([`is_macro_path`]) read
//! from the payload with the `rpm` crate into `CACHE/.macros/pkg/<checksum>/`
//! (paths relative to `/usr/lib/rpm`). A directory is built under a temp
//! name and renamed into place, so it is complete or absent; the next run
//! reuses it without downloading (the directory is named by the repo's
//! checksum, sha256 on Fedora). The download is deleted once extracted; runs
//! sharing a cache that need the same package at once each read it through
//! a copy of their own ([`hold`]). Symlinks to another macro file of the
//! same package are stored as copies; others are left out.
//!
//! The packages' directories are merged into `CACHE/.macros/tree/<key>/`
//! (the key: a sha256 over the packages' checksums), the directory that
//! plays `/usr/lib/rpm` for the evaluator and for rpm.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rpm::FileType;
use sha2::{Digest, Sha256};

use super::is_macro_path;
use crate::error::{Error, Result};
use crate::pool::{PkgId, Pool};
use crate::rpmmd::{
    checksum_type, file_digest, package_file_from, sha256_file, Expected, LoadOptions, Location,
    MirrorTally,
};
use crate::srpm::{package_reader, rpm_err};

/// The directory of extracted macro files in a tool's cache directory.
pub const CACHE_DIR: &str = ".macros";

/// Where extracted macro files live under a tool's cache directory.
pub fn cache_root(cache: &Path) -> PathBuf {
    cache.join(CACHE_DIR)
}

/// The directory holding package `id`'s macro files, extracted now unless
/// a previous run did. The package comes from the first of its repo's
/// mirrors that can deliver it, in the turns SRPMs take (`tally`: what
/// those mirrors did over the run's other macro packages of the repo).
/// Errors name the package and its URL: the first mirror's when no
/// mirror delivers it, else the one that did.
pub(super) fn extracted(
    pool: &Pool,
    id: PkgId,
    root: &Path,
    opts: &LoadOptions,
    tally: Option<&MirrorTally>,
) -> Result<PathBuf> {
    let p = pool.package(id);
    let locs = pool
        .repo_mirrors(id)
        .map(Location::parse)
        .collect::<Result<Vec<_>>>()?;
    let url = locs[0].display(&p.location);
    let what = format!("macro package {} ({url})", pool.nevra_string(id));
    let bad = |e: Error| Error::format(&what, strip_path(&e.to_string(), &url));
    // The repo's checksum names the directory, so a later run finds it
    // without fetching the package.
    let known = p
        .checksum
        .as_deref()
        .and_then(|c| Some((c, checksum_type(c)?)));
    let pkgs = root.join("pkg");
    let done = || {
        known
            .map(|(sum, _)| pkgs.join(sum.to_ascii_lowercase()))
            .filter(|dir| dir.is_dir())
    };
    if let Some(dir) = done() {
        return Ok(dir);
    }
    // A fresh download is checked (and fetched again on a mismatch) by
    // local_file; a cached copy is checked below.
    let expected = known.map(|(sum, algo)| Expected {
        algo: algo.to_string(),
        hex: sum.to_ascii_lowercase(),
    });
    let mut gone = 0;
    let (file, from, held) = loop {
        let (file, from) = package_file_from(
            &locs,
            &p.location,
            opts.cache_dir.as_deref(),
            expected.as_ref(),
            (p.size > 0).then_some(p.size),
            pool.repo_access(id),
            tally,
        )
        .map_err(bad)?;
        if !matches!(locs[from], Location::Http(_)) {
            break (file, from, None);
        }
        match hold(&file) {
            Ok(held) => break (file, from, Some(held)),
            // Another run sharing the cache found the same download, has
            // extracted it and removed it since: its directory serves.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && gone < 2 => {
                if let Some(dir) = done() {
                    return Ok(dir);
                }
                gone += 1;
            }
            // No room for a copy (a full disk): the shared name, as the
            // cache cannot hold a second one.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => break (file, from, None),
            Err(e) => return Err(bad(Error::io(&file, e))),
        }
    };
    // Read through this run's own copy: the shared name may go any moment.
    let read = held.as_deref().unwrap_or(&file);
    // From here on the errors are about the file read: named by the
    // mirror that delivered it, not the first one, which may lack it.
    let url = locs[from].display(&p.location);
    let what = format!("macro package {} ({url})", pool.nevra_string(id));
    let bad = |e: Error| Error::format(&what, strip_path(&e.to_string(), &url));
    let downloaded = matches!(locs[from], Location::Http(_));
    let forget = || {
        if downloaded {
            let _ = std::fs::remove_file(&file);
        }
    };
    let actual = match known {
        Some((sum, algo)) => {
            let actual = file_digest(read, algo).map_err(bad)?;
            if !actual.eq_ignore_ascii_case(sum) {
                forget();
                return Err(Error::format(
                    &what,
                    format!(
                        "checksum mismatch: the repository says {algo} {sum}, the file has {actual}"
                    ),
                ));
            }
            sum.to_ascii_lowercase()
        }
        None => sha256_file(read).map_err(bad)?,
    };
    let dest = pkgs.join(&actual);
    if !dest.is_dir() {
        std::fs::create_dir_all(&pkgs).map_err(|e| Error::io(&pkgs, e))?;
        remove_stale_temps(&pkgs);
        let tmp = temp_dir(&pkgs)?;
        write_macro_files(read, tmp.path()).map_err(|e| {
            forget();
            bad(e)
        })?;
        publish(tmp, &dest)?;
    }
    // The extracted files are all later runs need.
    forget();
    Ok(dest)
}

/// A copy, this run's own, of the package `file` downloaded into the
/// shared HTTP cache, made beside it under a download's temp name (removed
/// when dropped, or swept an hour after a killed run). Runs sharing a cache
/// may all find one download there; each removes the shared name once it
/// has extracted the package, so without its own copy a run could find the
/// file gone between checking it and reading it. A copy rather than a hard
/// link: a link shares the download's modification time, which reuse
/// refreshes only where this run may write the file; in a cache shared by
/// several users, the link to another user's copy downloaded over an hour
/// ago looks like a killed run's temp file, and a concurrent run's sweep
/// removes it mid-read. And a copy needs no filesystem support for links.
/// Macro packages are small.
/// `NotFound`: the shared file is gone already.
fn hold(file: &Path) -> std::io::Result<tempfile::TempPath> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut src = std::fs::File::open(file)?;
    let mut own = tempfile::NamedTempFile::new_in(dir)?;
    std::io::copy(&mut src, own.as_file_mut())?;
    Ok(own.into_temp_path())
}

/// An error's message without the URL or (cache) path it starts with.
fn strip_path(msg: &str, url: &str) -> String {
    match msg.split_once(": ") {
        Some((head, rest)) if head.starts_with('/') || head == url => rest.to_string(),
        _ => msg.to_string(),
    }
}

/// Whether an extracted package directory holds any file.
pub(super) fn has_files(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.file_type().is_file())
}

fn temp_dir(parent: &Path) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))
}

/// Removes temp directories a killed run left (older than an hour, so a
/// concurrent run's are kept).
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old && e.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Renames the finished `tmp` to `dest`; when another run got there first,
/// its (identical) directory stays.
fn publish(tmp: tempfile::TempDir, dest: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let path = tmp.keep();
    let res = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .and_then(|()| std::fs::rename(&path, dest));
    match res {
        Ok(()) => Ok(()),
        Err(_) if dest.is_dir() => {
            let _ = std::fs::remove_dir_all(&path);
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&path);
            Err(Error::io(dest, e))
        }
    }
}

/// Writes the macro files of the RPM at `rpm_path` under `out`.
fn write_macro_files(rpm_path: &Path, out: &Path) -> Result<()> {
    let mut reader = package_reader(rpm_path)?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    while let Some(mut f) = reader.next_file().map_err(|e| rpm_err(rpm_path, e))? {
        let path = f.metadata.path().to_string_lossy().into_owned();
        let path = format!("/{}", path.trim_start_matches("./").trim_start_matches('/'));
        if !is_macro_path(&path) {
            continue;
        }
        match f.metadata.file_type() {
            FileType::Regular if f.has_payload() => {
                let mut data = Vec::new();
                f.read_to_end(&mut data).map_err(|e| rpm_err(rpm_path, e))?;
                if !digest_matches(f.metadata.digest(), &data) {
                    return Err(Error::format(
                        rpm_path.display(),
                        format!("corrupt payload: {path} does not match its digest in the header"),
                    ));
                }
                files.insert(path, data);
            }
            FileType::SymbolicLink => {
                if let Some(to) = f.metadata.linkto() {
                    links.push((path, to.to_string()));
                }
            }
            _ => {}
        }
    }
    let targets: BTreeMap<String, String> = links.iter().cloned().collect();
    for (path, _) in &links {
        if let Some(data) = follow(path, &targets, &files) {
            let data = data.clone();
            files.insert(path.clone(), data);
        }
    }
    for (path, data) in &files {
        let rel = path.strip_prefix("/usr/lib/rpm/").expect("is_macro_path");
        let dest = out.join(rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut f = std::fs::File::create(&dest).map_err(|e| Error::io(&dest, e))?;
        f.write_all(data)
            .and_then(|()| f.sync_all())
            .map_err(|e| Error::io(&dest, e))?;
    }
    Ok(())
}

/// Whether `data` has the header's digest (sha256 and md5 are checked:
/// what rpm writes; a digest of another kind is taken as matching).
fn digest_matches(digest: Option<&rpm::FileDigest<'_>>, data: &[u8]) -> bool {
    use md5::Md5;
    let Some(d) = digest else {
        return true;
    };
    let actual = match d.algorithm() {
        rpm::DigestAlgorithm::Sha2_256 => hex::encode(Sha256::digest(data)),
        rpm::DigestAlgorithm::Md5 => hex::encode(Md5::digest(data)),
        _ => return true,
    };
    actual.eq_ignore_ascii_case(d.as_hex())
}

/// The contents a symlink at `path` leads to, through at most 8 links, when
/// it ends at a regular macro file of the same package.
fn follow<'a>(
    path: &str,
    links: &BTreeMap<String, String>,
    files: &'a BTreeMap<String, Vec<u8>>,
) -> Option<&'a Vec<u8>> {
    let mut cur = path.to_string();
    for _ in 0..8 {
        let to = links.get(&cur)?;
        let joined = if to.starts_with('/') {
            to.clone()
        } else {
            let dir = cur.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            format!("{dir}/{to}")
        };
        cur = normalize(&joined)?;
        if let Some(data) = files.get(&cur) {
            return Some(data);
        }
    }
    None
}

/// `/a/./b/../c` -> `/a/c`; `None` when `..` climbs above `/`.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The directory merging the package directories `dirs` (the first package
/// giving a path wins; rpm would not install two packages whose files
/// differ at one path), built once per set of packages.
pub(super) fn merged_tree(dirs: &[&Path], root: &Path) -> Result<PathBuf> {
    let mut key = Sha256::new();
    for d in dirs {
        key.update(d.file_name().unwrap_or_default().as_encoded_bytes());
        key.update(b"\n");
    }
    let trees = root.join("tree");
    let dest = trees.join(hex::encode(key.finalize()));
    if dest.is_dir() {
        return Ok(dest);
    }
    std::fs::create_dir_all(&trees).map_err(|e| Error::io(&trees, e))?;
    remove_stale_temps(&trees);
    let tmp = temp_dir(&trees)?;
    for d in dirs {
        for e in walkdir::WalkDir::new(d).sort_by_file_name() {
            let e = e.map_err(|e| Error::format(d.display(), e.to_string()))?;
            if !e.file_type().is_file() {
                continue;
            }
            let rel = e.path().strip_prefix(d).expect("under d");
            let to = tmp.path().join(rel);
            if to.exists() {
                continue;
            }
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            if std::fs::hard_link(e.path(), &to).is_err() {
                std::fs::copy(e.path(), &to).map_err(|err| Error::io(&to, err))?;
            }
        }
    }
    publish(tmp, &dest)?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A macro package whose payload is lzma (rpm's `w*.lzdio`,
    /// no magic bytes) is read as any other.
    #[test]
    fn an_lzma_payload_is_read() {
        let Ok(_) = std::process::Command::new("rpmbuild")
            .arg("--version")
            .output()
        else {
            eprintln!("skipped: rpmbuild is not installed");
            return;
        };
        let t = tempfile::tempdir().unwrap();
        let spec = t.path().join("m.spec");
        std::fs::write(
            &spec,
            "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n\
             %description\nd\n%install\nmkdir -p %{buildroot}/usr/lib/rpm/macros.d\n\
             echo '%%m_macro 1' > %{buildroot}/usr/lib/rpm/macros.d/macros.m\n\
             %files\n/usr/lib/rpm/macros.d/macros.m\n",
        )
        .unwrap();
        let out = std::process::Command::new("rpmbuild")
            .arg("-bb")
            .arg("--define")
            .arg(format!("_topdir {}", t.path().display()))
            .args(["--define", "_binary_payload w2.lzdio"])
            .arg(&spec)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rpm = t.path().join("RPMS/noarch/m-1-1.noarch.rpm");
        let dest = t.path().join("out");
        std::fs::create_dir_all(&dest).unwrap();
        write_macro_files(&rpm, &dest).unwrap();
        let got = std::fs::read(dest.join("macros.d/macros.m")).unwrap();
        assert_eq!(got, b"%m_macro 1\n");
    }

    #[test]
    fn symlinks_resolve_within_the_package() {
        let mut files = BTreeMap::new();
        files.insert(
            "/usr/lib/rpm/macros.d/macros.a".to_string(),
            b"%a 1\n".to_vec(),
        );
        let mut links = BTreeMap::new();
        links.insert(
            "/usr/lib/rpm/macros.d/macros.b".to_string(),
            "macros.a".to_string(),
        );
        links.insert(
            "/usr/lib/rpm/macros.d/macros.c".to_string(),
            "/usr/lib/rpm/macros.d/../macros.d/macros.b".to_string(),
        );
        links.insert(
            "/usr/lib/rpm/macros.d/macros.d".to_string(),
            "../../../../../../etc/passwd".to_string(),
        );
        assert_eq!(
            follow("/usr/lib/rpm/macros.d/macros.c", &links, &files).unwrap(),
            b"%a 1\n"
        );
        assert!(follow("/usr/lib/rpm/macros.d/macros.d", &links, &files).is_none());
        assert_eq!(normalize("/a/./b/../c").unwrap(), "/a/c");
        assert!(normalize("/a/../..").is_none());
    }

    /// This run's own copy of a download is not taken for a killed run's
    /// leftover by a concurrent run's sweep of the cache directory (temp
    /// names older than an hour), however old the shared file's time is
    /// (another user's download of yesterday, which this run cannot touch).
    #[test]
    fn a_held_package_survives_a_sweep_whatever_its_age() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m-1-1.noarch.rpm");
        std::fs::write(&file, b"package").unwrap();
        let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(day_ago)
            .unwrap();
        let held = hold(&file).unwrap();
        crate::rpmmd::sweep_stale_temps(dir.path());
        assert_eq!(std::fs::read(&held).unwrap(), b"package");
        // The shared name may go: what this run holds stays readable.
        std::fs::remove_file(&file).unwrap();
        assert_eq!(std::fs::read(&held).unwrap(), b"package");
        let path = held.to_path_buf();
        drop(held);
        assert!(!path.exists());
    }
}
