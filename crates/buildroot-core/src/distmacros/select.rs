//! Which packages are the macro packages: those of the core buildroot's
//! install set (as dnf installs mock's build group plus the release package
//! into an empty root, so the version, repo priority and arch are the ones
//! dnf would pick) that ship rpm macro files or Lua modules.
//!
//! Fedora's repos carry filelists.xml, which names every file; primary.xml
//! names only `/etc/*` and `*bin/*` paths, none of rpm's macro files. For a
//! repo without file lists, packages named like macro packages
//! (`redhat-rpm-config`, `*-srpm-macros`, `*-rpm-macros`, `*-release*`,
//! `rpm`) are taken too; those that turn out to ship no macro file are
//! dropped after extraction.

use crate::fnmatch::glob_match;
use crate::pool::{PkgId, Pool};
use crate::solver::{first_problem, resolve, Job};

/// Path prefixes under which rpm finds macro files, Lua modules and its
/// rpmrc (the file-list filter that finds macro packages).
pub const MACRO_PREFIXES: &[&str] = &[
    "/usr/lib/rpm/macros",
    "/usr/lib/rpm/platform/",
    "/usr/lib/rpm/redhat/macros",
    "/usr/lib/rpm/lua/",
    "/usr/lib/rpm/rpmrc",
];

/// Names of packages that usually ship macro files.
const NAME_PATTERNS: &[&str] = &[
    "rpm",
    "redhat-rpm-config",
    "*-rpm-config",
    "*-release",
    "*-release-*",
    "*-srpm-macros",
    "*-rpm-macros",
];

/// Whether `path` (absolute, as installed) is a file rpm reads as a macro
/// file, a Lua module, or rpm's rpmrc: `/usr/lib/rpm/macros`,
/// `macros.d/macros.*`, `platform/*/macros`, `redhat/macros`, `lua/**`,
/// `rpmrc`.
pub fn is_macro_path(path: &str) -> bool {
    let Some(rel) = path.strip_prefix("/usr/lib/rpm/") else {
        return false;
    };
    if rel
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return false;
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["macros"] | ["rpmrc"] => true,
        ["macros.d", f] => f.starts_with("macros."),
        ["platform", _, "macros"] => true,
        [v, "macros"] => *v == super::VENDOR,
        ["lua", ..] => parts.len() >= 2,
        _ => false,
    }
}

/// What the buildroot that installing `install` gives holds for spec
/// evaluation.
pub(super) struct BuildrootMacros {
    /// Its macro packages, sorted by name.
    pub ids: Vec<PkgId>,
    /// The names of `install` that match no package.
    pub unmatched: Vec<String>,
    /// The version of its `rpm` package (rpm's `%{rpmversion}`), if it has one.
    pub rpm_version: Option<String>,
}

/// The macro packages of the buildroot that installing `install` gives;
/// or why there are none (one line).
pub(super) fn macro_packages(pool: &Pool, install: &[String]) -> Result<BuildrootMacros, String> {
    if install.is_empty() {
        // `--core '' --release-package ''`: said as what it is, not as
        // "none of  is in the binary repositories".
        return Err("the buildroot is empty (no core names, no release package)".into());
    }
    let jobs: Vec<Job> = install.iter().map(|n| Job::Install(n.clone())).collect();
    let arch = pool.arch().target();
    let solution = resolve(pool, &jobs).map_err(|u| {
        // One line a person reads: the usual cause named (a repo of
        // another arch: no `$basearch` in its URL), else the first problem.
        let for_arch = pool
            .ids()
            .any(|p| pool.is_installable(p) && pool.arch_of(p) != "noarch");
        if !for_arch {
            return format!(
                "the binary repositories hold no package for {arch} (a repo URL without $basearch?)"
            );
        }
        format!(
            "the {arch} buildroot ({}) cannot be installed from the binary repositories: {}",
            install.join(" "),
            first_problem(&u.problems)
        )
    })?;
    if solution.installed.is_empty() {
        return Err(format!(
            "none of {} is in the binary repositories for {arch}",
            install.join(" "),
        ));
    }
    let unmatched = solution
        .unmatched
        .iter()
        .map(|&i| install[i].clone())
        .collect();
    let rpm_version = solution
        .installed
        .iter()
        .find(|&&id| pool.name_of(id) == "rpm")
        .map(|&id| pool.evr_of(id).version.to_string());
    let mut ids: Vec<PkgId> = solution
        .installed
        .into_iter()
        .filter(|&id| {
            pool.files(id).any(is_macro_path)
                || NAME_PATTERNS
                    .iter()
                    .any(|g| glob_match(g, pool.name_of(id)))
        })
        .collect();
    ids.sort_by(|a, b| pool.name_of(*a).cmp(pool.name_of(*b)));
    Ok(BuildrootMacros {
        ids,
        unmatched,
        rpm_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_paths_are_those_rpm_reads() {
        for p in [
            "/usr/lib/rpm/macros",
            "/usr/lib/rpm/macros.d/macros.python-srpm",
            "/usr/lib/rpm/platform/aarch64-linux/macros",
            "/usr/lib/rpm/redhat/macros",
            "/usr/lib/rpm/lua/fedora/common.lua",
            "/usr/lib/rpm/rpmrc",
        ] {
            assert!(is_macro_path(p), "{p}");
        }
        for p in [
            "/usr/lib/rpm/macros.d/README",
            "/usr/lib/rpm/redhat/brp-strip",
            "/usr/lib/rpm/platform/aarch64-linux",
            "/usr/lib/rpm/macros.d/../../../etc/passwd",
            "/usr/lib/rpm/fileattrs/python.attr",
            "/usr/lib/rpm/lua",
            "/etc/rpm/macros.dist",
        ] {
            assert!(!is_macro_path(p), "{p}");
        }
    }
}
