//! The `posix` module of the spec evaluator's Lua: the part of rpm's own
//! `posix` (rpmio/lposix.c, registered by `rpmluaNew`) that answers
//! questions, none of the part that acts (`exec`, `fork`, `setenv`,
//! `mkdir`, ... are absent, so calling them is Lua's "attempt to call a
//! nil value").
//!
//! - `getenv([name])` (lposix's `Pgetenv`): the process's environment (all
//!   of it as a table without a name).
//! - `access(path[, mode])` (`Paccess`): `0.0` (a float, as lposix pushes
//!   it) when `path` is a source file or an absolute path of the host that
//!   exists (as `%{exists:}`) and the build user may do what the mode asks
//!   (`build_user_access`), else nil, `"PATH: MESSAGE"` and the errno
//!   (`2.0`, ENOENT; `13.0`, EACCES); the mode's letters are checked (`rwxf`
//!   and blanks).
//! - `stat(path[, field])` (`Pstat`, which calls `lstat`): the same files
//!   as `access`. A source file (the spec's payload, by base name) is a
//!   regular file of mode `rw-r--r--` (`0100644`) with its real size and
//!   zeros for the rest (inode, device, owner, times: what an unpacked
//!   SRPM has there is the builder's business); an absolute host path gets
//!   its real `lstat`. Every number is a Lua float, as lposix pushes
//!   them (`lua_pushnumber`). A missing file gives `nil, "PATH: MESSAGE",
//!   ERRNO`; a field name outside lposix's list is Lua's argument error.
//! - `uname([format])` (`Puname`): `%s %n %r %v` are the host's (what
//!   `%(uname -srv)` and `uname -n` give in the `%(...)` sandbox, which
//!   runs on the same kernel), but `%m` is the machine of the *target*
//!   arch: koji builds each arch on a builder of that arch, whose `uname
//!   -m` is what rpm reads there (`x86_64`, `aarch64`, `ppc64le`, `s390x`;
//!   `i686` for the x86 arches, `armv7l` for `armv7hl`). An evaluation
//!   that reads `%m` stops standing for the other targets (it depends on
//!   the target, which no macro lookup records).

use std::sync::OnceLock;

use mlua::{Lua, MultiValue, Value as LV};

use super::lua::EngineSlot;
use super::luaerror::{arg_error, function};
use super::Host;

/// lposix's `Sstat`: the fields of a stat table, in its order.
const FIELDS: [&str; 12] = [
    "mode", "ino", "dev", "nlink", "uid", "gid", "size", "atime", "mtime", "ctime", "type", "_mode",
];

/// What `lstat` tells of a file (lposix's `struct mystat`).
#[derive(Debug, Default)]
struct Stat {
    mode: u32,
    ino: u64,
    dev: u64,
    nlink: u64,
    uid: u32,
    gid: u32,
    size: u64,
    atime: i64,
    mtime: i64,
    ctime: i64,
}

impl Stat {
    /// lposix's `Fstat` for field `i` of [`FIELDS`].
    fn field(&self, lua: &Lua, i: usize) -> mlua::Result<LV> {
        let n = |v: f64| Ok(LV::Number(v));
        match i {
            0 => Ok(LV::String(lua.create_string(mode_string(self.mode))?)),
            1 => n(self.ino as f64),
            2 => n(self.dev as f64),
            3 => n(self.nlink as f64),
            4 => n(f64::from(self.uid)),
            5 => n(f64::from(self.gid)),
            6 => n(self.size as f64),
            7 => n(self.atime as f64),
            8 => n(self.mtime as f64),
            9 => n(self.ctime as f64),
            10 => Ok(LV::String(lua.create_string(file_type(self.mode))?)),
            _ => n(f64::from(self.mode)),
        }
    }
}

/// lposix's `filetype`.
fn file_type(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFREG => "regular",
        libc::S_IFLNK => "link",
        libc::S_IFDIR => "directory",
        libc::S_IFCHR => "character device",
        libc::S_IFBLK => "block device",
        libc::S_IFIFO => "fifo",
        libc::S_IFSOCK => "socket",
        _ => "?",
    }
}

/// modemuncher.c's `modechopper`: `rwxr-xr-x`, set-user/group-ID shown as
/// `s`/`S` in the execute places (the sticky bit is not shown).
fn mode_string(mode: u32) -> String {
    let mut s: Vec<u8> = (0..9)
        .map(|k| {
            if mode & (0o400 >> k) != 0 {
                b"rwx"[k % 3]
            } else {
                b'-'
            }
        })
        .collect();
    if mode & 0o4000 != 0 {
        s[2] = if mode & 0o100 != 0 { b's' } else { b'S' };
    }
    if mode & 0o2000 != 0 {
        s[5] = if mode & 0o010 != 0 { b's' } else { b'S' };
    }
    String::from_utf8(s).expect("ASCII")
}

/// `strerror(errno)`.
fn strerror(errno: i32) -> String {
    crate::error::io_message(&std::io::Error::from_raw_os_error(errno))
}

/// `access(2)` of `path` for the permissions `want` (`0o4` read, `0o2`
/// write, `0o1` execute; 0: existence), as the build user would be
/// answered: `Err(errno)` as access sets it.
///
/// The build user is the unprivileged user rpmbuild runs as (mock's
/// `mockbuild`; a packager running rpmspec by hand is one too), never
/// root: it owns the spec's sources (`rw-r--r--`, as `posix.stat` shows
/// them: readable and writable, not executable) and nothing of the system,
/// so a host path (a stand-in for the build root's file, as for
/// `%{exists:}`) grants what its mode grants others (`/usr/bin/sh` may be
/// run, `/usr/bin` not written to, `/tmp` written to). Search permission on
/// the path's directories is not checked (a build root's are all open).
fn build_user_access(host: &Host, path: &str, want: u32) -> Result<(), i32> {
    let machine_file = matches!(path, "/proc/meminfo" | "/proc/cpuinfo");
    if !machine_file && host.file_size(path).is_some() {
        return if want & 0o1 != 0 {
            Err(libc::EACCES)
        } else {
            Ok(())
        };
    }
    if !path.starts_with('/') {
        return Err(libc::ENOENT);
    }
    use std::os::unix::fs::MetadataExt;
    // access(2) follows symbolic links.
    let m = std::fs::metadata(path).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
    if want & !(m.mode() & 0o7) != 0 {
        return Err(libc::EACCES);
    }
    Ok(())
}

/// The file `path` names for `posix.stat`, or the errno of its absence.
fn stat_of(host: &Host, path: &str) -> Result<Stat, i32> {
    let machine_file = matches!(path, "/proc/meminfo" | "/proc/cpuinfo");
    if !machine_file {
        if let Some(size) = host.file_size(path) {
            return Ok(Stat {
                mode: libc::S_IFREG | 0o644,
                nlink: 1,
                size,
                ..Stat::default()
            });
        }
    }
    if !path.starts_with('/') {
        return Err(libc::ENOENT);
    }
    use std::os::unix::fs::MetadataExt;
    let m =
        std::fs::symlink_metadata(path).map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))?;
    Ok(Stat {
        mode: m.mode(),
        ino: m.ino(),
        dev: m.dev(),
        nlink: m.nlink(),
        uid: m.uid(),
        gid: m.gid(),
        size: m.size(),
        atime: m.atime(),
        mtime: m.mtime(),
        ctime: m.ctime(),
    })
}

/// `posix.stat(path[, field])`: lposix's `Pstat` and `doselection`.
fn stat(lua: &Lua, host: &Host, path: &str, rest: &MultiValue) -> mlua::Result<MultiValue> {
    let st = match stat_of(host, path) {
        Ok(st) => st,
        Err(errno) => {
            // lposix's `pusherror`.
            let msg = lua.create_string(format!("{path}: {}", strerror(errno)))?;
            return Ok(MultiValue::from_iter([
                LV::Nil,
                LV::String(msg),
                LV::Number(f64::from(errno)),
            ]));
        }
    };
    let Some(sel) = rest.front() else {
        let t = lua.create_table()?;
        for (i, name) in FIELDS.iter().enumerate() {
            t.set(*name, st.field(lua, i)?)?;
        }
        return Ok(MultiValue::from_iter([LV::Table(t)]));
    };
    // Lua's `luaL_checkoption`: a string (or number) naming a field.
    let name = match sel {
        LV::String(s) => s.to_string_lossy(),
        LV::Integer(i) => i.to_string(),
        LV::Number(n) => n.to_string(),
        other => {
            return Err(arg_error(
                2,
                format!("string expected, got {}", other.type_name()),
            ))
        }
    };
    match FIELDS.iter().position(|f| *f == name) {
        Some(i) => Ok(MultiValue::from_iter([st.field(lua, i)?])),
        None => Err(arg_error(2, format!("invalid option '{name}'"))),
    }
}

/// The host's `uname(2)`: sysname, nodename, release, version.
fn host_uname() -> &'static [String; 4] {
    static UNAME: OnceLock<[String; 4]> = OnceLock::new();
    UNAME.get_or_init(|| {
        // SAFETY: uname(2) fills the zeroed struct it is given; each field
        // is a NUL-terminated array.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut u) } != 0 {
            return Default::default();
        }
        let text = |f: &[libc::c_char]| {
            let bytes: Vec<u8> = f
                .iter()
                .take_while(|&&c| c != 0)
                .map(|&c| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        [
            text(&u.sysname),
            text(&u.nodename),
            text(&u.release),
            text(&u.version),
        ]
    })
}

/// What `uname -m` says on a builder of rpm arch `arch`.
fn machine_of(arch: &str) -> &str {
    match arch {
        "i386" | "i486" | "i586" | "i686" | "athlon" | "geode" | "pentium3" | "pentium4" => "i686",
        "armv7hl" | "armv7hnl" | "armv7l" => "armv7l",
        "armv6hl" | "armv6l" => "armv6l",
        a => a,
    }
}

/// `posix.uname(format)` (lposix's `Puname`) for a builder of `arch`, and
/// whether `%m` was read.
fn uname(format: &[u8], arch: &str) -> Result<(Vec<u8>, bool), String> {
    let [sys, node, release, version] = host_uname();
    let mut out = Vec::new();
    let mut machine = false;
    let mut it = format.iter();
    while let Some(&c) = it.next() {
        if c != b'%' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some(b'%') => out.push(b'%'),
            Some(b'm') => {
                machine = true;
                out.extend_from_slice(machine_of(arch).as_bytes());
            }
            Some(b'n') => out.extend_from_slice(node.as_bytes()),
            Some(b'r') => out.extend_from_slice(release.as_bytes()),
            Some(b's') => out.extend_from_slice(sys.as_bytes()),
            Some(b'v') => out.extend_from_slice(version.as_bytes()),
            // lposix's `badoption` (a trailing `%` reads the final NUL).
            other => {
                let c = other.map_or("<\\0>".to_string(), |&c| (c as char).to_string());
                return Err(format!("unknown format option `{c}'"));
            }
        }
    }
    Ok((out, machine))
}

/// Sets the global `posix` of `lua`; `engine` is the engine its functions
/// answer for.
pub(super) fn install(lua: &Lua, engine: EngineSlot) -> mlua::Result<()> {
    let posix = lua.create_table()?;
    posix.set(
        "getenv",
        lua.create_function(|lua, args: MultiValue| {
            // lposix's `Pgetenv`: no argument at all is the whole
            // environment as a table.
            if args.is_empty() {
                let t = lua.create_table()?;
                for (k, v) in std::env::vars_os() {
                    t.set(
                        lua.create_string(k.as_encoded_bytes())?,
                        lua.create_string(v.as_encoded_bytes())?,
                    )?;
                }
                return Ok(LV::Table(t));
            }
            let k: String = lua
                .unpack(args.into_iter().next().unwrap_or(LV::Nil))
                .map_err(|e| mlua::Error::BadArgument {
                    to: None,
                    pos: 1,
                    name: None,
                    cause: super::luaerror::arc(e),
                })?;
            Ok(match std::env::var(k) {
                Ok(v) => LV::String(lua.create_string(v)?),
                Err(_) => LV::Nil,
            })
        })?,
    )?;
    let slot = engine.clone();
    posix.set(
        "access",
        function(lua, move |lua, (s, mode): (String, Option<String>)| {
            // lposix's `Paccess` takes the mode's letters `rwxf` and blanks.
            if let Some(c) = mode
                .as_deref()
                .and_then(|m| m.chars().find(|c| !" rwxf".contains(*c)))
            {
                return Err(arg_error(2, format!("unknown mode option `{c}'")));
            }
            let want = mode
                .as_deref()
                .unwrap_or("")
                .chars()
                .fold(0, |m, c| match c {
                    'r' => m | 0o4,
                    'w' => m | 0o2,
                    'x' => m | 0o1,
                    _ => m,
                });
            // lposix's `pushresult`: 0 as a Lua float, or `pusherror`'s
            // nil, message and errno.
            let errno = match build_user_access(slot.get()?.host, &s, want) {
                Ok(()) => return Ok(MultiValue::from_iter([LV::Number(0.0)])),
                Err(errno) => errno,
            };
            let msg = lua.create_string(format!("{s}: {}", strerror(errno)))?;
            Ok(MultiValue::from_iter([
                LV::Nil,
                LV::String(msg),
                LV::Number(f64::from(errno)),
            ]))
        })?,
    )?;
    let slot = engine.clone();
    posix.set(
        "stat",
        function(lua, move |lua, (path, rest): (mlua::String, MultiValue)| {
            let path = path.to_string_lossy();
            stat(lua, slot.get()?.host, &path, &rest)
        })?,
    )?;
    posix.set(
        "uname",
        lua.create_function(move |lua, format: Option<mlua::String>| {
            let format = format.map_or(b"%s %n %r %v %m".to_vec(), |f| f.as_bytes().to_vec());
            let eng = engine.get()?;
            let (text, machine) = uname(&format, eng.host.arch).map_err(|e| arg_error(2, e))?;
            if machine {
                eng.give_up();
            }
            lua.create_string(text)
        })?,
    )?;
    lua.globals().set("posix", posix)
}

#[cfg(test)]
mod tests {
    use super::super::{archful, evaluate, evaluate_with, SourceFiles, SpecContext};
    use super::*;

    const HEAD: &str = "Name: t\nVersion: 1\nRelease: 1\nSummary: t\nLicense: MIT\n";

    struct OneFile;

    impl SourceFiles for OneFile {
        fn read(&self, name: &str) -> Option<Vec<u8>> {
            (name == "macros.python-srpm").then(|| b"%pyver 3.14\n".to_vec())
        }
    }

    fn eval_on(body: &str, arch: &str, files: &dyn SourceFiles) -> (Vec<String>, Vec<String>) {
        let text = format!("{HEAD}{body}\n%description\nt\n");
        let ev = evaluate_with(&text, &SpecContext::for_arch(arch), files).unwrap();
        let brs = ev.build_requires.iter().map(|d| d.to_string()).collect();
        (brs, ev.problems)
    }

    /// A `posix.stat` of a missing file is nil, and the spec
    /// is decided (rpmspec: `gcc`).
    #[test]
    fn stat_of_a_missing_file_is_nil() {
        let text = format!(
            "{HEAD}%{{lua: if posix.stat(\"/proc/nonexistent\") then rpm.define(\"x 1\") end}}\nBuildRequires: gcc\n%description\nt\n"
        );
        let ev = evaluate(&text, &SpecContext::for_arch("x86_64")).unwrap();
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        assert_eq!(ev.build_requires[0].to_string(), "gcc");
        // lposix's error triple, errno a float as lposix pushes it.
        let (brs, problems) = eval_on(
            "BuildRequires: %{lua: local r, e, n = posix.stat('/proc/nonexistent/x') print(tostring(r) .. '|' .. e:gsub(' ', '_') .. '|' .. n)}",
            "x86_64",
            &OneFile,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            brs,
            ["nil|/proc/nonexistent/x:_No_such_file_or_directory|2.0"]
        );
    }

    /// A tarball only asked about (`%{exists:}`, `posix.stat`,
    /// `posix.access`) is answered by its size: its bytes are not read (an
    /// SRPM's would be streamed out of its payload whole).
    #[test]
    fn asking_about_a_tarball_does_not_read_it() {
        struct Tarball(std::sync::atomic::AtomicUsize);
        impl SourceFiles for Tarball {
            fn read(&self, name: &str) -> Option<Vec<u8>> {
                self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                (name == "t-1.tar.gz").then(|| vec![0; 12345])
            }
            fn size(&self, name: &str) -> Option<u64> {
                (name == "t-1.tar.gz").then_some(12345)
            }
        }
        let files = Tarball(Default::default());
        let (brs, problems) = eval_on(
            "Source0: t-1.tar.gz\nBuildRequires: e%{exists:%{SOURCE0}}%{exists:%{_sourcedir}/no}\nBuildRequires: %{lua: local s = posix.stat(rpm.expand('%{SOURCE0}')) print('s' .. s.size .. '-' .. tostring(posix.access(rpm.expand('%{SOURCE0}'), 'r')))}",
            "x86_64",
            &files,
        );
        assert!(problems.is_empty(), "{problems:?}");
        // lposix pushes numbers as floats.
        assert_eq!(brs, ["e10", "s12345.0-0.0"]);
        assert_eq!(files.0.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    /// python-rpm-macros.spec: a source found by `posix.stat` is loaded.
    #[test]
    fn stat_of_a_source_and_of_host_paths() {
        let (brs, problems) = eval_on(
            "Source102: macros.python-srpm\n%{lua:\nif posix.stat(rpm.expand('%{SOURCE102}')) then\n  rpm.load(rpm.expand('%{SOURCE102}'))\nend}\nBuildRequires: python%{pyver}",
            "x86_64",
            &OneFile,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["python3.14"]);
        let (brs, problems) = eval_on(
            "BuildRequires: %{lua: local t = posix.stat('/s/macros.python-srpm') print(t.type .. '-' .. t.mode .. '-' .. t.size .. '-' .. posix.stat('/x/macros.python-srpm', 'size'))}",
            "x86_64",
            &OneFile,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["regular-rw-r--r---12.0-12.0"]);
        // A host directory: its real lstat; an unknown field is an error.
        let (brs, problems) = eval_on(
            "BuildRequires: %{lua: local t = posix.stat('/') print(posix.stat('/', 'type') .. '-' .. t.type .. '-' .. math.type(t.ino))}",
            "x86_64",
            &OneFile,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["directory-directory-float"]);
        let (_, problems) = eval_on("%{lua: posix.stat('/', 'bogus')}", "x86_64", &OneFile);
        assert!(
            problems[0].contains("invalid option 'bogus'"),
            "{problems:?}"
        );
    }

    /// `posix.access` answers as access(2) answers the unprivileged build
    /// user: its own source files may be read and written but not run; of
    /// the system, what the mode grants others (root, or rpmspec in a
    /// read-only sandbox, would be answered otherwise for `/`).
    #[test]
    fn access_is_the_build_users() {
        let probe = |path: &str, mode: &str| {
            let body = format!(
                "BuildRequires: %{{lua: local a, b, c = posix.access('{path}', '{mode}') local s = (tostring(a) .. '|' .. tostring(b) .. '|' .. tostring(c)):gsub(' ', '_') print(s)}}"
            );
            let (brs, problems) = eval_on(&body, "x86_64", &OneFile);
            assert!(problems.is_empty(), "{problems:?}");
            brs.join(" ")
        };
        let denied = |p: &str| format!("nil|{p}:_Permission_denied|13.0");
        assert_eq!(probe("/s/macros.python-srpm", "rw"), "0.0|nil|nil");
        assert_eq!(
            probe("/s/macros.python-srpm", "x"),
            denied("/s/macros.python-srpm")
        );
        assert_eq!(probe("/", "w"), denied("/"));
        assert_eq!(probe("/", "rx"), "0.0|nil|nil");
        assert_eq!(probe("/proc/meminfo", "r"), "0.0|nil|nil");
        assert_eq!(probe("/proc/meminfo", "w"), denied("/proc/meminfo"));
        assert_eq!(
            probe("/proc/nonexistent", "w"),
            "nil|/proc/nonexistent:_No_such_file_or_directory|2.0"
        );
    }

    #[test]
    fn modes_read_as_lposix_writes_them() {
        assert_eq!(mode_string(0o100644), "rw-r--r--");
        assert_eq!(mode_string(0o40755), "rwxr-xr-x");
        assert_eq!(mode_string(0o4755), "rwsr-xr-x");
        assert_eq!(mode_string(0o2644), "rw-r-Sr--");
        assert_eq!(mode_string(0o1777), "rwxrwxrwx");
        assert_eq!(file_type(libc::S_IFLNK | 0o777), "link");
    }

    /// libkcapi's `posix.uname('%r')` in an
    /// `%if` (rpmspec here: `new-kernel-tools`).
    #[test]
    fn uname_release_is_the_hosts() {
        let body = "%if %{lua: print(rpm.vercmp(posix.uname('%r'), '3.19'))} >= 0\nBuildRequires: new-kernel-tools\n%else\nBuildRequires: old-kernel-tools\n%endif";
        let (brs, problems) = eval_on(body, "s390x", &OneFile);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(brs, ["new-kernel-tools"]);
        let release = host_uname()[2].clone();
        let (brs, _) = eval_on(
            "BuildRequires: k-%{lua: print(posix.uname('%r'))}",
            "aarch64",
            &OneFile,
        );
        assert_eq!(brs, [format!("k-{release}")]);
        let u = uname(b"%s|%%|%r", "x86_64").unwrap();
        assert_eq!(u, (format!("Linux|%|{release}").into_bytes(), false));
        assert!(uname(b"%x", "x86_64").unwrap_err().contains("option `x'"));
        assert!(uname(b"a%", "x86_64").is_err());
    }

    /// `%m` is the target's machine, and a spec reading it is archful when
    /// evaluated once for all arches too.
    #[test]
    fn uname_machine_is_the_targets() {
        for (arch, m) in [
            ("aarch64", "aarch64"),
            ("i686", "i686"),
            ("armv7hl", "armv7l"),
        ] {
            let (brs, problems) = eval_on(
                "BuildRequires: m-%{lua: print(posix.uname('%m'))}",
                arch,
                &OneFile,
            );
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(brs, [format!("m-{m}")]);
        }
        let text = format!(
            "{HEAD}%if \"%{{lua: print(posix.uname('%m'))}}\" == \"s390x\"\nBuildRequires: z\n%endif\nBuildRequires: m-%{{lua: print(posix.uname('%m'))}}\n%description\nt\n"
        );
        let arches = ["x86_64", "aarch64", "ppc64le", "s390x"];
        let mut separate = SpecContext::for_arch("x86_64");
        separate.share_evaluations = false;
        let shared = archful(&text, &arches, &SpecContext::for_arch("x86_64")).unwrap();
        let each = archful(&text, &arches, &separate).unwrap();
        assert!(shared.archful);
        assert_eq!(shared.build_requires, each.build_requires);
        assert_eq!(shared.build_requires["s390x"], ["m-s390x", "z"]);
    }
}
