//! One source repository per arch: every listed source's SRPM from the
//! cache, hard-linked when its BuildRequires are the same on every arch,
//! regenerated with the BuildRequires evaluated for this arch when it is
//! archful; then repodata. Re-running on unchanged input changes nothing.

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use super::cache::cache_index;
use crate::atomic;
use crate::error::{Error, Result};
use crate::repodata::{write_repodata, WriteOptions};
use crate::spec::{self, SpecContext};
use crate::srpm;

/// What [`create_srpm_repo`] did.
#[derive(Clone, Debug, Default)]
pub struct RepoReport {
    pub linked: Vec<String>,
    pub regenerated: Vec<String>,
    /// Listed names with no SRPM in the cache.
    pub missing: Vec<String>,
    pub removed: Vec<String>,
}

/// How archful SRPMs are regenerated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regenerate {
    /// With the rpm crate (no root, no rpmbuild).
    RpmCrate,
    /// With `rpmbuild -bs --target ARCH`.
    Rpmbuild,
}

/// Builds (or updates) the source repo `out` for `arch`.
pub fn create_srpm_repo(
    arch: &str,
    cache: &Path,
    archful: &BTreeSet<String>,
    names: &[String],
    out: &Path,
    base: &SpecContext,
    how: Regenerate,
) -> Result<RepoReport> {
    let index = cache_index(cache)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    remove_debris(out);
    let mut report = RepoReport::default();
    let wanted: BTreeSet<&String> = names.iter().collect();
    let chosen: Vec<_> = wanted
        .iter()
        .filter_map(|n| match index.get(*n) {
            Some(c) => Some(c.clone()),
            None => {
                report.missing.push((*n).clone());
                None
            }
        })
        .collect();
    let results: Vec<(String, bool)> = chosen
        .par_iter()
        .map(|c| {
            let dest = out.join(&c.file);
            if archful.contains(&c.name) {
                let bytes = regenerate(&c.path, arch, base, how)?;
                if std::fs::read(&dest).ok().as_deref() != Some(bytes.as_slice()) {
                    atomic::write_file(&dest, &bytes)?;
                }
                Ok((c.name.clone(), true))
            } else {
                link_or_copy(&c.path, &dest)?;
                Ok((c.name.clone(), false))
            }
        })
        .collect::<Result<_>>()?;
    for (name, regen) in results {
        if regen {
            report.regenerated.push(name);
        } else {
            report.linked.push(name);
        }
    }
    let pkgs: Vec<_> = chosen
        .par_iter()
        .map(|c| srpm::read_header(&out.join(&c.file)))
        .collect::<Result<_>>()?;
    write_repodata(out, &pkgs, &WriteOptions::default())?;
    // Only now that the new repodata is in place: a run killed before this
    // point leaves extra files, never repodata that lists missing ones.
    // Remove SRPMs not listed (and older EVRs of listed names).
    let keep: BTreeSet<&str> = chosen.iter().map(|c| c.file.as_str()).collect();
    for e in std::fs::read_dir(out).map_err(|e| Error::io(out, e))? {
        let e = e.map_err(|e| Error::io(out, e))?;
        let f = e.file_name().to_string_lossy().into_owned();
        if f.ends_with(".src.rpm") && !keep.contains(f.as_str()) {
            std::fs::remove_file(e.path()).map_err(|err| Error::io(e.path(), err))?;
            report.removed.push(f);
        }
    }
    Ok(report)
}

/// Removes temporary files a killed run left in `out` (`.tmp-*`).
fn remove_debris(out: &Path) {
    if let Ok(entries) = std::fs::read_dir(out) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".tmp-") && e.path().is_file() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Hard-links `src` to `dest` (copies across filesystems); leaves an
/// identical `dest` alone.
fn link_or_copy(src: &Path, dest: &Path) -> Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::metadata(src), std::fs::metadata(dest)) {
        use std::os::unix::fs::MetadataExt;
        if a.ino() == b.ino() && a.dev() == b.dev() {
            return Ok(());
        }
        if a.len() == b.len() && std::fs::read(src).ok() == std::fs::read(dest).ok() {
            return Ok(());
        }
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dest.with_file_name(format!(".tmp-link-{name}"));
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(src, &tmp).is_err() {
        std::fs::copy(src, &tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::rename(&tmp, dest).map_err(|e| Error::io(dest, e))
}

/// The SRPM `orig` regenerated for `arch`.
fn regenerate(orig: &Path, arch: &str, base: &SpecContext, how: Regenerate) -> Result<Vec<u8>> {
    let (_, text) = srpm::extract_spec(orig)?;
    let mut ctx = base.clone();
    ctx.arch = arch.to_string();
    match how {
        Regenerate::RpmCrate => {
            let ev = spec::evaluate(&text, &ctx)
                .map_err(|e| Error::format(orig.display(), format!("spec: {e}")))?;
            srpm::rebuild_srpm(orig, &ev.build_requires, arch)
        }
        Regenerate::Rpmbuild => rpmbuild(orig, arch, &ctx),
    }
}

/// `rpmbuild -bs --target ARCH` in a private topdir.
fn rpmbuild(orig: &Path, arch: &str, ctx: &SpecContext) -> Result<Vec<u8>> {
    let top = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let (sources, specs) = (top.path().join("SOURCES"), top.path().join("SPECS"));
    for d in [&sources, &specs] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let mut spec_path = None;
    for (name, data, is_spec) in srpm::read_payload(orig)? {
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let p = if is_spec || (spec_path.is_none() && base.ends_with(".spec")) {
            let p = specs.join(&base);
            spec_path = Some(p.clone());
            p
        } else {
            sources.join(&base)
        };
        std::fs::write(&p, data).map_err(|e| Error::io(&p, e))?;
    }
    let spec_path =
        spec_path.ok_or_else(|| Error::format(orig.display(), "no spec file in the payload"))?;
    let mut cmd = std::process::Command::new("rpmbuild");
    cmd.arg("-bs").arg("--target").arg(arch);
    cmd.arg("--define")
        .arg(format!("_topdir {}", top.path().display()));
    for (k, v) in &ctx.macros {
        cmd.arg("--define").arg(format!("{k} {v}"));
    }
    let out = cmd.arg(&spec_path).output().map_err(|e| {
        Error::Usage(format!(
            "rpmbuild: cannot run it ({e}); install rpm-build or drop --rpmbuild"
        ))
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(Error::format(
            orig.display(),
            format!("rpmbuild -bs failed: {}", err.lines().last().unwrap_or("")),
        ));
    }
    let srpms = top.path().join("SRPMS");
    let built = std::fs::read_dir(&srpms)
        .map_err(|e| Error::io(&srpms, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".src.rpm"))
        .ok_or_else(|| Error::format(orig.display(), "rpmbuild -bs produced no SRPM"))?;
    std::fs::read(&built).map_err(|e| Error::io(&built, e))
}
