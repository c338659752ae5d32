//! The fixture distribution as a table: sources, their spec-level
//! BuildRequires (with the arch conditionals a real spec would have) and the
//! binary packages they build. Every scenario of `testdata/README.md` lives
//! here; keep the two in step.

/// A binary package built by a source.
pub struct Bin {
    pub name: &'static str,
    /// `true`: noarch; `false`: built per arch.
    pub noarch: bool,
    /// Only built for these arches (empty = every arch).
    pub only: &'static [&'static str],
    pub requires: &'static [&'static str],
    pub provides: &'static [&'static str],
    pub conflicts: &'static [&'static str],
    pub obsoletes: &'static [&'static str],
    pub recommends: &'static [&'static str],
    pub suggests: &'static [&'static str],
    pub supplements: &'static [&'static str],
    pub files: &'static [&'static str],
    /// Also shipped as i686 in the x86_64 repo (multilib), with these
    /// 32-bit provides instead of the 64-bit ones.
    pub multilib: &'static [&'static str],
    /// Files with real contents (path, text), e.g. macro files; they are
    /// files of the package besides `files`.
    pub contents: &'static [(&'static str, &'static str)],
}

pub const BIN: Bin = Bin {
    name: "",
    noarch: false,
    only: &[],
    requires: &[],
    provides: &[],
    conflicts: &[],
    obsoletes: &[],
    recommends: &[],
    suggests: &[],
    supplements: &[],
    files: &[],
    multilib: &[],
    contents: &[],
};

/// A source package.
pub struct Src {
    pub name: &'static str,
    pub version: &'static str,
    pub release: &'static str,
    /// BuildRequires on every arch.
    pub br: &'static [&'static str],
    /// BuildRequires inside `%ifarch x86_64` (the SRPM header, built on
    /// x86_64, carries them).
    pub br_x86_64: &'static [&'static str],
    /// BuildRequires inside `%ifnarch x86_64` (not in the x86_64-built header).
    pub br_not_x86_64: &'static [&'static str],
    /// Put an `%ifarch` block into `%files` only (not archful by evaluation).
    pub ifarch_in_files: bool,
    /// Preamble text using the distribution's macros, and the BuildRequires
    /// it gives on x86_64 (what the SRPM header holds).
    pub br_macro: &'static [(&'static str, &'static [&'static str])],
    pub bins: &'static [Bin],
}

pub const SRC: Src = Src {
    name: "",
    version: "1.0",
    release: "1.eln150",
    br: &[],
    br_x86_64: &[],
    br_not_x86_64: &[],
    ifarch_in_files: false,
    br_macro: &[],
    bins: &[],
};

const LIBC: &[&str] = &["libc.so.6()(64bit)"];

/// The distribution. Names and shapes follow Fedora; versions are small.
pub const DISTRO: &[Src] = &[
    // ---- the core buildroot (mock's build group) ----
    Src {
        name: "bash",
        version: "5.2.26",
        br: &["gcc", "make", "ncurses-devel"],
        bins: &[Bin {
            name: "bash",
            requires: LIBC,
            provides: &["/bin/sh"],
            files: &["/usr/bin/bash", "/usr/bin/sh"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "bzip2",
        version: "1.0.8",
        br: &["gcc", "make"],
        bins: &[
            Bin {
                name: "bzip2",
                requires: LIBC,
                files: &["/usr/bin/bzip2"],
                ..BIN
            },
            Bin {
                name: "bzip2-devel",
                requires: &["bzip2 = 1.0.8-1.eln150"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "coreutils",
        version: "9.5",
        br: &["gcc", "make", "perl"],
        bins: &[Bin {
            name: "coreutils",
            requires: LIBC,
            files: &["/usr/bin/ls", "/usr/bin/cp"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "cpio",
        version: "2.15",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "cpio",
            requires: LIBC,
            files: &["/usr/bin/cpio"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "diffutils",
        version: "3.10",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "diffutils",
            requires: LIBC,
            files: &["/usr/bin/diff"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "findutils",
        version: "4.10.0",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "findutils",
            requires: LIBC,
            files: &["/usr/bin/find"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "gawk",
        version: "5.3.0",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "gawk",
            requires: LIBC,
            provides: &["awk"],
            files: &["/usr/bin/gawk"],
            ..BIN
        }],
        ..SRC
    },
    // An alternative provider of awk the core never needs (dep-tracker listed such; we do not).
    Src {
        name: "mawk",
        version: "1.3.4",
        br: &["gcc"],
        bins: &[Bin {
            name: "mawk",
            requires: LIBC,
            provides: &["awk"],
            files: &["/usr/bin/mawk"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "glibc",
        version: "2.40",
        br: &["gcc", "make", "binutils >= 2.40", "python3"],
        bins: &[
            Bin {
                name: "glibc",
                provides: &["libc.so.6()(64bit)"],
                files: &["/usr/lib64/libc.so.6", "/usr/sbin/ldconfig"],
                multilib: &["libc.so.6"],
                ..BIN
            },
            Bin {
                name: "glibc-devel",
                requires: &["glibc = 2.40-1.eln150"],
                files: &["/usr/include/stdio.h"],
                multilib: &["glibc-devel(x86-32)"],
                ..BIN
            },
            Bin {
                name: "glibc-minimal-langpack",
                requires: &["glibc = 2.40-1.eln150"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "grep",
        version: "3.11",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "grep",
            requires: LIBC,
            files: &["/usr/bin/grep"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "gzip",
        version: "1.13",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "gzip",
            requires: LIBC,
            files: &["/usr/bin/gzip"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "texinfo",
        version: "7.1",
        br: &["gcc", "make", "perl"],
        bins: &[Bin {
            name: "info",
            requires: LIBC,
            files: &["/usr/bin/info"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "make",
        version: "4.4.1",
        br: &["gcc"],
        bins: &[Bin {
            name: "make",
            requires: LIBC,
            files: &["/usr/bin/make"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "patch",
        version: "2.7.6",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "patch",
            requires: LIBC,
            files: &["/usr/bin/patch"],
            ..BIN
        }],
        ..SRC
    },
    // The distribution's macro packages: redhat-rpm-config pulls them into every buildroot.
    Src {
        name: "redhat-rpm-config",
        version: "300",
        br: &["perl"],
        bins: &[Bin {
            name: "redhat-rpm-config",
            noarch: true,
            requires: &["rpm >= 4.19", "eln-rpm-config", "python-srpm-macros"],
            contents: &[(
                "/usr/lib/rpm/redhat/macros",
                include_str!("macros/redhat-macros"),
            )],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "eln-rpm-config",
        version: "11.0",
        bins: &[Bin {
            name: "eln-rpm-config",
            noarch: true,
            contents: &[
                (
                    "/usr/lib/rpm/macros.d/macros.eln",
                    include_str!("macros/macros.eln"),
                ),
                (
                    "/usr/lib/rpm/macros.d/macros.eln-arches",
                    include_str!("macros/macros.eln-arches"),
                ),
                (
                    "/usr/lib/rpm/lua/eln/dist.lua",
                    include_str!("macros/dist.lua"),
                ),
            ],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "python-rpm-macros",
        version: "3.13",
        bins: &[Bin {
            name: "python-srpm-macros",
            noarch: true,
            contents: &[(
                "/usr/lib/rpm/macros.d/macros.python-srpm",
                include_str!("macros/macros.python-srpm"),
            )],
            ..BIN
        }],
        ..SRC
    },
    // rpm-build needs /usr/bin/curl: curl and curl-minimal both have it (name order picks curl).
    Src {
        name: "rpm",
        version: "4.20.0",
        br: &["gcc", "make", "python3-devel", "zlib-devel"],
        bins: &[
            Bin {
                name: "rpm",
                requires: &["bash", "libc.so.6()(64bit)"],
                files: &["/usr/bin/rpm"],
                ..BIN
            },
            Bin {
                name: "rpm-build",
                requires: &["rpm = 4.20.0-1.eln150", "/usr/bin/curl", "patch", "bash"],
                files: &["/usr/bin/rpmbuild"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "sed",
        version: "4.9",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "sed",
            requires: LIBC,
            files: &["/usr/bin/sed"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "shadow-utils",
        version: "4.15.1",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "shadow-utils",
            requires: LIBC,
            files: &["/usr/sbin/useradd"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "tar",
        version: "1.35",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "tar",
            requires: LIBC,
            files: &["/usr/bin/tar"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "unzip",
        version: "6.0",
        br: &["gcc", "make", "bzip2-devel"],
        bins: &[Bin {
            name: "unzip",
            requires: LIBC,
            files: &["/usr/bin/unzip"],
            ..BIN
        }],
        ..SRC
    },
    // util-linux replaced util-linux-ng: Obsoletes + Provides.
    Src {
        name: "util-linux",
        version: "2.40",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "util-linux",
            requires: LIBC,
            provides: &["util-linux-ng = 2.40-1.eln150"],
            obsoletes: &["util-linux-ng < 2.20"],
            files: &["/usr/bin/mount"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "which",
        version: "2.21",
        br: &["gcc"],
        bins: &[Bin {
            name: "which",
            requires: LIBC,
            files: &["/usr/bin/which"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "xz",
        version: "5.6.2",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "xz",
            requires: LIBC,
            files: &["/usr/bin/xz"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "fedora-release",
        version: "42",
        release: "0.1",
        bins: &[
            Bin {
                name: "fedora-release-eln",
                noarch: true,
                files: &["/etc/fedora-release"],
                ..BIN
            },
            Bin {
                name: "fedora-release-common",
                noarch: true,
                files: &["/usr/lib/os-release"],
                ..BIN
            },
        ],
        ..SRC
    },
    // ---- the toolchain: gcc builds with gcc (a cycle) ----
    Src {
        name: "gcc",
        version: "14.2.1",
        br: &[
            "gcc",
            "make",
            "binutils >= 2.40",
            "glibc-devel",
            "zlib-devel",
        ],
        bins: &[
            Bin {
                name: "gcc",
                requires: &[
                    "cpp = 14.2.1-1.eln150",
                    "binutils >= 2.40",
                    "glibc-devel",
                    "libgcc",
                ],
                files: &["/usr/bin/gcc"],
                ..BIN
            },
            Bin {
                name: "cpp",
                requires: LIBC,
                files: &["/usr/bin/cpp"],
                ..BIN
            },
            Bin {
                name: "libgcc",
                provides: &["libgcc_s.so.1()(64bit)"],
                files: &["/usr/lib64/libgcc_s.so.1"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "binutils",
        version: "2.43",
        br: &["gcc", "make", "perl"],
        bins: &[Bin {
            name: "binutils",
            requires: LIBC,
            files: &["/usr/bin/ld", "/usr/bin/as"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "ncurses",
        version: "6.5",
        br: &["gcc", "make"],
        bins: &[
            Bin {
                name: "ncurses-libs",
                requires: LIBC,
                provides: &["libncursesw.so.6()(64bit)"],
                ..BIN
            },
            Bin {
                name: "ncurses-devel",
                requires: &["ncurses-libs = 6.5-1.eln150"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "zlib",
        version: "1.3.1",
        br: &["gcc", "make"],
        ifarch_in_files: true,
        bins: &[
            Bin {
                name: "zlib",
                requires: LIBC,
                provides: &["libz.so.1()(64bit)"],
                ..BIN
            },
            Bin {
                name: "zlib-devel",
                requires: &["zlib = 1.3.1-1.eln150"],
                files: &["/usr/include/zlib.h"],
                ..BIN
            },
        ],
        ..SRC
    },
    // ---- languages: python3 and libxml2 build-require each other (a cycle) ----
    Src {
        name: "python3",
        version: "3.13.0",
        br: &["gcc", "make", "libxml2-devel", "zlib-devel"],
        bins: &[
            Bin {
                name: "python3",
                requires: &["python3-libs = 3.13.0-1.eln150"],
                files: &["/usr/bin/python3"],
                ..BIN
            },
            Bin {
                name: "python3-libs",
                requires: LIBC,
                ..BIN
            },
            // A conditional: with rpm-build in the root (always, it is core), the macros come too.
            Bin {
                name: "python3-devel",
                requires: &[
                    "python3 = 3.13.0-1.eln150",
                    "(python3-rpm-macros if rpm-build)",
                ],
                files: &["/usr/include/python3.13/Python.h"],
                ..BIN
            },
            Bin {
                name: "python3-rpm-macros",
                noarch: true,
                contents: &[(
                    "/usr/lib/rpm/macros.d/macros.python3",
                    include_str!("macros/macros.python3"),
                )],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "libxml2",
        version: "2.12.8",
        br: &["gcc", "make", "python3-devel"],
        bins: &[
            Bin {
                name: "libxml2",
                requires: LIBC,
                ..BIN
            },
            Bin {
                name: "libxml2-devel",
                requires: &["libxml2 = 2.12.8-1.eln150"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "perl",
        version: "5.40.0",
        br: &["gcc", "make", "perl"],
        bins: &[
            Bin {
                name: "perl",
                requires: &["perl-libs = 5.40.0-1.eln150"],
                files: &["/usr/bin/perl"],
                ..BIN
            },
            Bin {
                name: "perl-libs",
                requires: LIBC,
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "python-setuptools",
        version: "69.2.0",
        br: &["python3-devel"],
        bins: &[Bin {
            name: "python3-setuptools",
            noarch: true,
            requires: &["python3"],
            provides: &["python3dist(setuptools) = 69.2.0"],
            ..BIN
        }],
        ..SRC
    },
    // ---- curl vs curl-minimal: two providers of /usr/bin/curl that conflict ----
    Src {
        name: "curl",
        version: "8.9.1",
        br: &["gcc", "make", "zlib-devel"],
        bins: &[
            Bin {
                name: "curl",
                requires: LIBC,
                conflicts: &["curl-minimal"],
                files: &["/usr/bin/curl"],
                ..BIN
            },
            Bin {
                name: "curl-minimal",
                requires: LIBC,
                conflicts: &["curl"],
                files: &["/usr/bin/curl"],
                ..BIN
            },
        ],
        ..SRC
    },
    // ---- x86_64-only assembler, wanted by an archful spec ----
    Src {
        name: "nasm",
        version: "2.16.03",
        br: &["gcc", "make"],
        bins: &[Bin {
            name: "nasm",
            only: &["x86_64"],
            requires: LIBC,
            files: &["/usr/bin/nasm"],
            ..BIN
        }],
        ..SRC
    },
    // Archful: `%ifarch x86_64 BuildRequires: nasm`, `%ifnarch x86_64 BuildRequires: zlib-devel`.
    Src {
        name: "libjpeg-turbo",
        version: "3.0.3",
        br: &["gcc", "make"],
        br_x86_64: &["nasm"],
        br_not_x86_64: &["zlib-devel"],
        bins: &[
            Bin {
                name: "libjpeg-turbo",
                requires: LIBC,
                ..BIN
            },
            Bin {
                name: "libjpeg-turbo-devel",
                requires: &["libjpeg-turbo = 3.0.3-1.eln150"],
                ..BIN
            },
        ],
        ..SRC
    },
    // ---- specs that need the distribution's macro packages ----
    // Archful only through the repo's %asm_arches (eln-rpm-config): nasm on x86_64.
    Src {
        name: "simdcodec",
        version: "0.4",
        br: &["gcc", "make"],
        br_macro: &[(
            "%ifarch %{asm_arches}\nBuildRequires:  nasm\n%endif",
            &["nasm"],
        )],
        bins: &[Bin {
            name: "simdcodec",
            requires: LIBC,
            files: &["/usr/bin/simdcodec"],
            ..BIN
        }],
        ..SRC
    },
    // A parametric Lua macro of python-srpm-macros in BuildRequires.
    Src {
        name: "python-fastjson",
        version: "2.1",
        br: &["python3-devel"],
        br_macro: &[(
            "BuildRequires:  %{py3_dist setuptools Fast_JSON.speedups}",
            &["python3dist(setuptools)", "python3dist(fast-json-speedups)"],
        )],
        bins: &[Bin {
            name: "python3-fastjson",
            noarch: true,
            requires: &["python3"],
            ..BIN
        }],
        ..SRC
    },
    // ---- sources with special BuildRequires ----
    // A rich BuildRequires, versioned, with an alternative.
    Src {
        name: "pyfoo",
        version: "1.2",
        br: &[
            "python3-devel",
            "(python3-setuptools >= 60 or python3-distutils-extra)",
        ],
        bins: &[Bin {
            name: "python3-pyfoo",
            noarch: true,
            requires: &["python3"],
            ..BIN
        }],
        ..SRC
    },
    // A BuildRequires only filelists can answer (no /etc, no bin/ in the path).
    Src {
        name: "docs-tool",
        version: "0.9",
        br: &["/usr/share/xml/docbook/catalog.xml", "util-linux-ng"],
        bins: &[Bin {
            name: "docs-tool",
            noarch: true,
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "docbook-style-xsl",
        version: "1.79.2",
        bins: &[Bin {
            name: "docbook-style-xsl",
            noarch: true,
            files: &["/usr/share/xml/docbook/catalog.xml"],
            ..BIN
        }],
        ..SRC
    },
    // Wants curl-minimal: its conflict with curl pushes rpm-build's /usr/bin/curl to curl-minimal.
    Src {
        name: "webfetch",
        version: "2.0",
        br: &["curl-minimal", "gcc"],
        bins: &[Bin {
            name: "webfetch",
            requires: &["/usr/bin/curl"],
            files: &["/usr/bin/webfetch"],
            ..BIN
        }],
        ..SRC
    },
    // Wants both curl and curl-minimal: cannot be solved (BadDeps).
    Src {
        name: "conflicted",
        version: "1.0",
        br: &["curl", "curl-minimal"],
        bins: &[Bin {
            name: "conflicted",
            noarch: true,
            ..BIN
        }],
        ..SRC
    },
    // Wants something nothing provides (NoInstall); its other BuildRequires still count.
    Src {
        name: "broken",
        version: "0.1",
        br: &["does-not-exist-devel", "perl"],
        bins: &[Bin {
            name: "broken",
            noarch: true,
            ..BIN
        }],
        ..SRC
    },
    // Wants a 32-bit soname: glibc.i686 and, in lock-step, glibc.x86_64 (no such thing on aarch64).
    Src {
        name: "compat-32",
        version: "1.0",
        br: &["libc.so.6", "gcc"],
        bins: &[Bin {
            name: "compat-32",
            only: &["x86_64"],
            files: &["/usr/lib/compat32/README"],
            ..BIN
        }],
        ..SRC
    },
    // A leaf application of the compose.
    Src {
        name: "hello",
        version: "2.12.1",
        br: &["gcc", "make", "libjpeg-turbo-devel"],
        bins: &[Bin {
            name: "hello",
            requires: &["libc.so.6()(64bit)", "python3-pyfoo"],
            recommends: &["hello-docs"],
            files: &["/usr/bin/hello"],
            ..BIN
        }],
        ..SRC
    },
];
