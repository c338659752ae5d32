//! The command line that gives `rpmspec`/`rpmbuild` the macros of one
//! target ([`ArchTarget`]), so rpm and the evaluator read a spec alike.
//!
//! With the distribution's macro packages: `RPM_CONFIGDIR` is their merged
//! directory (rpm 4.18 sets Lua's `package.path` to `CONFIGDIR/lua/?.lua`,
//! so `require` finds their modules), `--rcfile` and `--macros` name the
//! files in rpm's load order ([`crate::distmacros::load_order`]); rpm's own
//! base macro file is the host rpm's (it belongs to the binary that reads
//! it), the platform file and rpmrc the repos', or the host's when the
//! repos do not carry them. `--rcfile` and `--macros` must come before any
//! option that makes rpm read its configuration (`--target`, `--define`,
//! `--load`), or rpm reads the default files first. Without macro packages:
//! the host's rpm configuration and the built-in ELN macros as `--define`s.
//! Then `--macros` files as `--load` (after the macro path, so they win) and
//! `--define`s; `--with`/`--without` as the definitions rpm's popt aliases
//! make (`_with_X --with-X`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::options::ArchTarget;
use crate::distmacros::{load_order, platform_file, VENDOR};
use crate::error::{Error, Result};
use crate::spec::ELN_MACROS;

/// The host rpm's configuration directory (`%{_rpmconfigdir}`).
fn host_confdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        Command::new("rpm")
            .args(["--eval", "%{_rpmconfigdir}"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| s.starts_with('/'))
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/lib/rpm"))
    })
}

/// Options and environment for one rpm run.
#[derive(Clone, Debug, Default)]
pub(super) struct RpmMacros {
    env: Vec<(String, OsString)>,
    /// Options that must precede every other.
    first: Vec<OsString>,
    /// Options that follow the command's own.
    last: Vec<OsString>,
    /// The `rpmspec` to run instead of the one on `PATH`, a command and
    /// its first arguments (the tests' rpm of another version, in a root).
    pub rpmspec: Vec<OsString>,
}

impl RpmMacros {
    /// The invocation for `t`.
    pub fn of(t: &ArchTarget) -> Result<RpmMacros> {
        let mut m = RpmMacros::default();
        let define = |m: &mut RpmMacros, d: String| {
            m.last.push("--define".into());
            m.last.push(d.into());
        };
        match &t.repo {
            Some(r) => {
                let host = host_confdir();
                // rpm runs at `/` ([`RpmMacros::command`]): the tree's
                // paths as the tool has them may be relative (`--cache c`).
                let tree = &absolute(&r.tree);
                let first_of = |one: PathBuf, other: PathBuf| {
                    if one.is_file() {
                        Some(one)
                    } else {
                        other.is_file().then_some(other)
                    }
                };
                let base = tree.join("macros");
                let platform = platform_file(tree, &t.arch);
                let vendor = tree.join(VENDOR).join("macros");
                let dropins = load_order(tree, &t.arch)
                    .into_iter()
                    .filter(|f| ![&base, &platform, &vendor].contains(&f));
                let mut path: Vec<PathBuf> = Vec::new();
                // rpm's base file goes with the binary that reads it: the
                // host rpm's own, the repos' rpm's only where the host has
                // none. A newer rpm's file leaves out what its parser now
                // sets itself (rpm 4.20 and later define `%buildroot` while
                // parsing), which an older rpm cannot do without: rpm 4.18
                // given rawhide's file fails every spec ("%{buildroot}
                // couldn't be empty"), and rpmbuild -bs with it.
                let host_base = host.join("macros");
                path.extend(first_of(host_base.clone(), base.clone()));
                path.extend(dropins);
                path.extend(first_of(platform.clone(), platform_file(host, &t.arch)));
                path.extend(vendor.is_file().then_some(vendor.clone()));
                // What the repos' base file defines and the host's lacks
                // (an older host rpm has no `%x86_64`): its plain values,
                // as if read right after the host's file.
                if host_base.is_file() && base.is_file() {
                    for d in super::basegap::plain_gap(&host_base, &base, &path[1..]) {
                        define(&mut m, d);
                    }
                }
                let rc = tree.join("rpmrc");
                let rc = if rc.is_file() { rc } else { host.join("rpmrc") };
                for p in path.iter().chain([&rc, tree]) {
                    if p.to_string_lossy().contains(':') {
                        return Err(Error::PathWithColon { path: p.clone() });
                    }
                }
                let joined: Vec<String> = path.iter().map(|p| p.display().to_string()).collect();
                m.env.push(("RPM_CONFIGDIR".into(), tree.clone().into()));
                m.first.extend(["--rcfile".into(), rc.into()]);
                m.first.extend(["--macros".into(), joined.join(":").into()]);
            }
            None if t.ctx.dist_defaults => {
                for (k, v) in ELN_MACROS {
                    define(&mut m, format!("{k} {v}"));
                }
            }
            None => {}
        }
        for f in &t.user_files {
            m.last.push("--load".into());
            m.last.push(absolute(f).into());
        }
        for d in &t.defines {
            define(&mut m, d.trim().trim_start_matches('%').to_string());
        }
        for w in &t.ctx.with {
            define(&mut m, format!("_with_{w} --with-{w}"));
        }
        for w in &t.ctx.without {
            define(&mut m, format!("_without_{w} --without-{w}"));
        }
        Ok(m)
    }

    /// `program` with the environment and the leading options; the caller
    /// adds its own, then [`RpmMacros::finish`]. rpm runs in the C locale:
    /// its messages are read (`--rpmspec` tells a spec's
    /// `%generate_buildrequires` by rpm's "second %generate_buildrequires",
    /// which rpm's translations turn into e.g. "Zweites ...") and the
    /// evaluator's `%(...)` runs in it too. rpm runs at `/`, as mock runs
    /// rpmbuild in koji's buildroot: a relative path a spec opens (`%include
    /// x.inc`) is looked up there, whatever directory the tool was started
    /// in (it was the tool's: a file of that name there was read).
    pub fn command(&self, program: &str) -> Command {
        let mut c = match self.rpmspec.split_first() {
            Some((cmd, args)) if program == "rpmspec" => {
                let mut c = Command::new(cmd);
                c.args(args);
                c
            }
            _ => Command::new(program),
        };
        c.env("LC_ALL", "C").current_dir("/");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.args(&self.first);
        c
    }

    /// Adds the trailing options (`--load`, `--define`).
    pub fn finish<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        c.args(&self.last)
    }
}

/// `p` made absolute against the tool's working directory (rpm runs
/// elsewhere, [`RpmMacros::command`]).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the user's locale, rpm's messages are its untranslated
    /// ones (LC_ALL wins over LANG and LC_MESSAGES; gettext ignores
    /// LANGUAGE in the C locale).
    #[test]
    fn rpm_runs_in_the_c_locale() {
        let c = RpmMacros::default().command("rpmspec");
        let lc_all = c
            .get_envs()
            .find(|(k, _)| *k == "LC_ALL")
            .and_then(|(_, v)| v);
        assert_eq!(lc_all, Some(std::ffi::OsStr::new("C")));
    }

    /// rpm runs at `/`, whatever directory the tool was started in, and
    /// the paths it is given are absolute (a relative `--macros` file, a
    /// relative `--cache`'s macro tree).
    #[test]
    fn rpm_runs_at_the_root_with_absolute_paths() {
        let c = RpmMacros::default().command("rpmspec");
        assert_eq!(c.get_current_dir(), Some(Path::new("/")));
        let t = ArchTarget {
            arch: "x86_64".into(),
            ctx: crate::spec::SpecContext::for_arch("x86_64"),
            repo: None,
            user_files: vec![PathBuf::from("mine/macros.local")],
            defines: Vec::new(),
            skipped_repos: Vec::new(),
        };
        let m = RpmMacros::of(&t).unwrap();
        let load = m.last.iter().skip_while(|a| *a != "--load").nth(1).unwrap();
        let want = std::env::current_dir().unwrap().join("mine/macros.local");
        assert_eq!(Path::new(load), want);
    }
}
