//! The directories of a Fedora build root, for `%{load:DIR}` and Lua's
//! `rpm.load`: rpm opens a directory as a file (`fopen` succeeds), reads
//! no line of it and loads nothing, so loading one succeeds where a
//! missing file fails. Which paths are directories is not asked of this
//! machine but decided as for the builder rpmbuild runs on (a mock chroot
//! of koji's, where rpmbuild runs from `/`: mock enters the chroot by
//! `chdir` and `chroot` and names no other directory, so a relative path
//! is taken from `/`):
//!
//! - the directories the `filesystem` package makes, for a 64-bit arch
//!   (all of ELN's), and its symlinks ([`LINKS`]: `/bin`, `/lib64`,
//!   `/usr/tmp`, ...; `/usr/sbin` and `/usr/local/sbin` to `bin`, as on a
//!   merged-sbin system), followed as the kernel follows them (`/lib64/..`
//!   is `/usr`). Its `%ghost` ones count too: its `%pretrans` makes them
//!   in a fresh root (`/var/run`, `/usr/lib/debug/usr/bin`), except
//!   `/var/lock`, whose `/run/lock` no package makes; `/proc` and `/sys`,
//!   which mock mounts;
//! - those of the `rpm` and `redhat-rpm-config` packages every build root
//!   has (`/usr/lib/rpm`, `macros.d`, `lua`, `platform`, `fileattrs`,
//!   `redhat`, `/etc/rpm`, the database's `/usr/lib/sysimage/rpm`);
//! - mock's build tree: `/builddir` (its `$HOME`) and `/builddir/build`
//!   (its `%_topdir`) with `RPMS`, `SPECS`, `SRPMS`, `SOURCES`, `BUILD`,
//!   `BUILDROOT` and `originals` (mockbuild's `_setup_build_dirs`).
//!
//! Packages a spec build-requires add more; a spec names its own files, and
//! this list is what it might name by mistake.

/// Each directory without its leading `/`, sorted (binary search).
const DIRS: &[&str] = &[
    "afs",
    "boot",
    "builddir",
    "builddir/build",
    "builddir/build/BUILD",
    "builddir/build/BUILDROOT",
    "builddir/build/RPMS",
    "builddir/build/SOURCES",
    "builddir/build/SPECS",
    "builddir/build/SRPMS",
    "builddir/build/originals",
    "dev",
    "etc",
    "etc/X11",
    "etc/X11/applnk",
    "etc/X11/fontpath.d",
    "etc/X11/xinit",
    "etc/X11/xinit/xinitrc.d",
    "etc/X11/xinit/xinput.d",
    "etc/bash_completion.d",
    "etc/default",
    "etc/keys",
    "etc/keys/ima",
    "etc/opt",
    "etc/pki",
    "etc/pm",
    "etc/pm/config.d",
    "etc/pm/power.d",
    "etc/pm/sleep.d",
    "etc/rpm",
    "etc/rwtab.d",
    "etc/skel",
    "etc/statetab.d",
    "etc/sysconfig",
    "etc/xdg",
    "etc/xdg/autostart",
    "home",
    "media",
    "mnt",
    "opt",
    "proc",
    "root",
    "run",
    "srv",
    "sys",
    "tmp",
    "usr",
    "usr/bin",
    "usr/games",
    "usr/include",
    "usr/lib",
    "usr/lib/debug",
    "usr/lib/debug/.dwz",
    "usr/lib/debug/usr",
    "usr/lib/debug/usr/bin",
    "usr/lib/debug/usr/lib",
    "usr/lib/debug/usr/lib64",
    "usr/lib/games",
    "usr/lib/locale",
    "usr/lib/modules",
    "usr/lib/rpm",
    "usr/lib/rpm/fileattrs",
    "usr/lib/rpm/lua",
    "usr/lib/rpm/macros.d",
    "usr/lib/rpm/platform",
    "usr/lib/rpm/redhat",
    "usr/lib/sysimage",
    "usr/lib/sysimage/rpm",
    "usr/lib/systemd",
    "usr/lib/systemd/system",
    "usr/lib/systemd/user",
    "usr/lib/sysusers.d",
    "usr/lib/tmpfiles.d",
    "usr/lib64",
    "usr/lib64/X11",
    "usr/lib64/bpf",
    "usr/lib64/games",
    "usr/lib64/pm-utils",
    "usr/lib64/pm-utils/module.d",
    "usr/lib64/pm-utils/power.d",
    "usr/lib64/pm-utils/sleep.d",
    "usr/libexec",
    "usr/local",
    "usr/local/bin",
    "usr/local/etc",
    "usr/local/games",
    "usr/local/include",
    "usr/local/lib",
    "usr/local/lib64",
    "usr/local/lib64/bpf",
    "usr/local/libexec",
    "usr/local/share",
    "usr/local/share/applications",
    "usr/local/share/info",
    "usr/local/share/man",
    "usr/local/share/man/man1",
    "usr/local/share/man/man1x",
    "usr/local/share/man/man2",
    "usr/local/share/man/man2x",
    "usr/local/share/man/man3",
    "usr/local/share/man/man3x",
    "usr/local/share/man/man4",
    "usr/local/share/man/man4x",
    "usr/local/share/man/man5",
    "usr/local/share/man/man5x",
    "usr/local/share/man/man6",
    "usr/local/share/man/man6x",
    "usr/local/share/man/man7",
    "usr/local/share/man/man7x",
    "usr/local/share/man/man8",
    "usr/local/share/man/man8x",
    "usr/local/share/man/man9",
    "usr/local/share/man/man9x",
    "usr/local/share/man/mann",
    "usr/local/src",
    "usr/share",
    "usr/share/X11",
    "usr/share/X11/fonts",
    "usr/share/aclocal",
    "usr/share/appdata",
    "usr/share/applications",
    "usr/share/augeas",
    "usr/share/augeas/lenses",
    "usr/share/backgrounds",
    "usr/share/bash-completion",
    "usr/share/bash-completion/completions",
    "usr/share/bash-completion/helpers",
    "usr/share/desktop-directories",
    "usr/share/dict",
    "usr/share/doc",
    "usr/share/empty",
    "usr/share/fish",
    "usr/share/fish/vendor_completions.d",
    "usr/share/games",
    "usr/share/gnome",
    "usr/share/help",
    "usr/share/icons",
    "usr/share/idl",
    "usr/share/info",
    "usr/share/licenses",
    "usr/share/locale",
    "usr/share/man",
    "usr/share/man/man0p",
    "usr/share/man/man1",
    "usr/share/man/man1p",
    "usr/share/man/man1x",
    "usr/share/man/man2",
    "usr/share/man/man2x",
    "usr/share/man/man3",
    "usr/share/man/man3p",
    "usr/share/man/man3x",
    "usr/share/man/man4",
    "usr/share/man/man4x",
    "usr/share/man/man5",
    "usr/share/man/man5x",
    "usr/share/man/man6",
    "usr/share/man/man6x",
    "usr/share/man/man7",
    "usr/share/man/man7x",
    "usr/share/man/man8",
    "usr/share/man/man8x",
    "usr/share/man/man9",
    "usr/share/man/man9x",
    "usr/share/man/mann",
    "usr/share/metainfo",
    "usr/share/mime-info",
    "usr/share/misc",
    "usr/share/modulefiles",
    "usr/share/omf",
    "usr/share/pixmaps",
    "usr/share/sounds",
    "usr/share/themes",
    "usr/share/wayland-sessions",
    "usr/share/xsessions",
    "usr/share/zsh",
    "usr/share/zsh/site-functions",
    "usr/src",
    "usr/src/debug",
    "usr/src/kernels",
    "var",
    "var/adm",
    "var/cache",
    "var/cache/bpf",
    "var/db",
    "var/empty",
    "var/ftp",
    "var/games",
    "var/lib",
    "var/lib/games",
    "var/lib/misc",
    "var/lib/rpm-state",
    "var/local",
    "var/log",
    "var/nis",
    "var/opt",
    "var/preserve",
    "var/spool",
    "var/spool/lpd",
    "var/spool/mail",
    "var/tmp",
    "var/yp",
];

/// The symlinks among them, each with its target as `ln -s` was given it
/// (relative to the link's directory): the `filesystem` package's, and
/// those its `%pretrans` makes.
const LINKS: &[(&str, &str)] = &[
    ("bin", "usr/bin"),
    ("lib", "usr/lib"),
    ("lib64", "usr/lib64"),
    ("sbin", "usr/sbin"),
    ("usr/lib/debug/bin", "usr/bin"),
    ("usr/lib/debug/lib", "usr/lib"),
    ("usr/lib/debug/lib64", "usr/lib64"),
    ("usr/lib/debug/sbin", "usr/sbin"),
    ("usr/lib/debug/usr/.dwz", "../.dwz"),
    ("usr/lib/debug/usr/sbin", "bin"),
    ("usr/local/sbin", "bin"),
    ("usr/sbin", "bin"),
    ("usr/tmp", "../var/tmp"),
    ("var/lock", "../run/lock"),
    ("var/mail", "spool/mail"),
    ("var/run", "../run"),
];

/// Whether `path` is a directory on the builder (see the module's doc):
/// each name is looked up where the kernel's walk has got to, a symlink
/// replaced by its target there, so that a later `..` leaves the target.
pub(super) fn is_builder_dir(path: &str) -> bool {
    if path.is_empty() {
        return false; // ENOENT
    }
    // The names still to walk, last first; `at`: where the walk is.
    let mut todo: Vec<&str> = path.rsplit('/').collect();
    let mut at: Vec<&str> = Vec::new();
    // The kernel's limit on symlinks followed in one lookup (ELOOP).
    let mut links = 40;
    while let Some(c) = todo.pop() {
        match c {
            "" | "." => {}
            ".." => {
                at.pop();
            }
            c => {
                at.push(c);
                let here = at.join("/");
                if let Some(&(_, target)) = LINKS.iter().find(|(l, _)| *l == here) {
                    links -= 1;
                    if links == 0 {
                        return false;
                    }
                    at.pop();
                    todo.extend(target.rsplit('/'));
                } else if DIRS.binary_search(&here.as_str()).is_err() {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_each_parent_is_in_it() {
        assert!(DIRS.windows(2).all(|w| w[0] < w[1]));
        for d in DIRS {
            if let Some((parent, _)) = d.rsplit_once('/') {
                assert!(DIRS.contains(&parent), "{d}");
            }
        }
    }

    #[test]
    fn each_link_is_no_directory_and_its_directory_is_one() {
        for (link, _) in LINKS {
            assert!(DIRS.binary_search(link).is_err(), "{link}");
            if let Some((parent, _)) = link.rsplit_once('/') {
                assert!(is_builder_dir(&format!("/{parent}")), "{link}");
            }
        }
    }

    #[test]
    fn directories_of_a_build_root() {
        for d in [
            "/",
            "/usr/",
            "/usr/share/doc",
            "/var/tmp",
            "/lib64/..",
            "/etc/rpm",
            "/usr/lib/rpm/redhat",
            "/builddir/build/SOURCES",
            "/usr/share/man/man3p",
            ".",
            "../..",
            // Through the symlinks, then `..` from where they lead.
            "/lib64/../lib/rpm",
            "/usr/tmp/../log",
            "/var/mail/../lpd",
            "/var/run",
            "/usr/lib/debug/usr/bin",
            "/usr/lib/debug/bin/",
            // Relative to mock's working directory, `/`.
            "usr/lib/rpm",
            "./builddir/build/SPECS",
        ] {
            assert!(is_builder_dir(d), "{d}");
        }
        for d in [
            "",
            "/nonexistent",
            "/nonexistent/..",
            "/root/rpmbuild",
            "x",
            "/usr/share/doc/x",
            "/bin/../builddir",
            "/usr/sbin/../sbin/x",
            "/var/lock",
            "SPECS",
        ] {
            assert!(!is_builder_dir(d), "{d}");
        }
    }
}
