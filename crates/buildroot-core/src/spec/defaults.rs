//! The built-in macro layer, used first (real macro files loaded later win):
//! the few macros of rpm's own macro file that specs lean on (`%with`,
//! `%defined`, `%bcond`, ...), written in rpm's macro-file syntax;
//! rpm's and redhat-rpm-config's arch lists, path macros, the per-arch
//! facts of rpm's platform files (`%_arch`, `%_lib`, `%_isa`, ...) and the
//! distribution macros of ELN (`%rhel`, `%eln`, `%dist`).

/// The distribution macros of Fedora ELN (RHEL-shaped, no `%fedora`).
pub const ELN_MACROS: &[(&str, &str)] = &[
    ("rhel", "11"),
    ("el11", "1"),
    ("eln", "150"),
    ("dist", ".eln150"),
];

/// `%{rpmversion}` when the buildroot's rpm is not known: the rpm whose
/// answers the evaluator is checked against (tests/spec_recorded).
pub const RPM_VERSION: &str = "6.1.0";

/// rpm behaviour every spec relies on, as a macro file of our own.
pub(super) const RPM_BASICS: &str = r#"
%nil %{!?nil}
%_usr /usr
%_var /var
%_rpmconfigdir /usr/lib/rpm
%_topdir %{getenv:HOME}/rpmbuild
%_sourcedir %{_topdir}/SOURCES
%_specdir %{_topdir}/SPECS
%_builddir %{_topdir}/BUILD
%_buildshell /bin/sh
%__rpmuncompress %{_rpmconfigdir}/rpmuncompress
%_defaultdocdir %{_datadir}/doc
%_defaultlicensedir %{_datadir}/licenses
%_datarootdir %{_prefix}/share
%_initddir %{_sysconfdir}/rc.d/init.d
%_rundir /run
%_vendor redhat
# 1 when the macro named by the argument exists, else 0 (and the reverse).
%defined() %{expand:%%{?%1:1}%%{!?%1:0}}
%undefined() %{expand:%%{?%1:0}%%{!?%1:1}}
# --with NAME defines _with_NAME, --without NAME _without_NAME; a bcond
# with default DEFAULT turns those into with_NAME.
%bcond() %[(%2) ? "%{expand:%%{!?_without_%1:%%global with_%1 1}}" : "%{expand:%%{?_with_%1:%%global with_%1 1}}"]
%bcond_with() %bcond %1 0
%bcond_without() %bcond %1 1
%with() %{expand:%%{?with_%1:1}%%{!?with_%1:0}}
%without() %{expand:%%{?with_%1:0}%%{!?with_%1:1}}
"#;

/// Arch lists from rpm's and redhat-rpm-config's macro files.
pub(super) const ARCH_LISTS: &[(&str, &str)] = &[
    ("ix86", "i386 i486 i586 i686 pentium3 pentium4 athlon geode"),
    ("x86_64", "x86_64 amd64 em64t"),
    ("arm", "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl armv8l armv8hl armv8hnl armv8hcnl"),
    ("arm32", "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl armv8l armv8hl armv8hnl armv8hcnl"),
    ("arm64", "aarch64"),
    ("aarch64", "aarch64"),
    ("power64", "ppc64 ppc64p7 ppc64le"),
    ("s390x", "s390x"),
    ("mips", "mips mipsel mipsr6 mipsr6el mips64 mips64el mips64r6 mips64r6el"),
    ("riscv", "riscv64"),
    ("riscv64", "riscv64"),
    ("valgrind_arches", "%{ix86} x86_64 ppc ppc64 ppc64le armv7l armv7hl armv7hnl aarch64 %{mips} s390x riscv64"),
    ("java_arches", "aarch64 ppc64le s390x x86_64"),
    ("golang_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le s390x riscv64"),
    ("golang_arches_future", "%{golang_arches}"),
    ("go_arches", "%{golang_arches}"),
    ("nodejs_arches", "%{ix86} x86_64 %{arm} aarch64 %{power64} s390x riscv64"),
    ("ldc_arches", "%{ix86} x86_64 %{arm} aarch64"),
    ("ghc_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le s390x riscv64"),
    ("ghc_arches_with_ghci", "%{ghc_arches}"),
    ("mono_arches", "%{ix86} x86_64 sparc sparcv9 ia64 %{arm} aarch64 alpha s390x ppc ppc64 ppc64le"),
    ("fpc_arches", "%{ix86} x86_64 %{arm} aarch64 ppc64le"),
    ("rust_arches", "x86_64 %{ix86} armv7hl aarch64 ppc64 ppc64le riscv64 s390x"),
    ("openblas_arches", "x86_64 %{ix86} armv7hl %{power64} aarch64 s390x riscv64"),
    ("qt5_qtwebengine_arches", "%{ix86} x86_64 %{arm} aarch64 mips mipsel mips64el"),
];

/// Well-known path and tool macros.
pub(super) const PATHS: &[(&str, &str)] = &[
    ("_prefix", "/usr"),
    ("_exec_prefix", "/usr"),
    ("_bindir", "/usr/bin"),
    ("_sbindir", "/usr/sbin"),
    ("_libexecdir", "/usr/libexec"),
    ("_datadir", "/usr/share"),
    ("_sysconfdir", "/etc"),
    ("_includedir", "/usr/include"),
    ("_mandir", "/usr/share/man"),
    ("_docdir", "/usr/share/doc"),
    ("_infodir", "/usr/share/info"),
    ("_localstatedir", "/var"),
    ("_sharedstatedir", "/var/lib"),
    ("_unitdir", "/usr/lib/systemd/system"),
    ("_rpmconfigdir", "/usr/lib/rpm"),
    ("_rpmmacrodir", "/usr/lib/rpm/macros.d"),
    ("python3_pkgversion", "3"),
    ("python3_version", "3.13"),
    ("__python3", "/usr/bin/python3"),
];

/// What rpm's platform files say about a target arch (`rpm --target ARCH
/// --eval`): `%_arch` is the arch family (`i686` -> `i386`, `armv7hl` ->
/// `arm`), `%_target_cpu` the arch itself.
pub(super) struct ArchFacts {
    pub arch: &'static str,
    pub lib: &'static str,
    pub isa_bits: &'static str,
    pub isa_name: String,
}

impl ArchFacts {
    /// The macros rpm's platform file of the arch defines that depend on it.
    pub fn macros(&self, target: &str) -> Vec<(&'static str, String)> {
        let family = if self.arch.is_empty() {
            target
        } else {
            self.arch
        };
        vec![
            ("_arch", family.to_string()),
            ("_build_arch", family.to_string()),
            ("_lib", self.lib.to_string()),
            ("_libdir", format!("%{{_prefix}}/{}", self.lib)),
            ("__isa_name", self.isa_name.clone()),
            ("__isa_bits", self.isa_bits.to_string()),
            ("__isa", format!("{}-{}", self.isa_name, self.isa_bits)),
            ("_isa", self.isa()),
            (
                "_target_platform",
                "%{_target_cpu}-%{_vendor}-%{_target_os}".to_string(),
            ),
        ]
    }
}

impl ArchFacts {
    pub fn of(target: &str) -> ArchFacts {
        let (arch, lib, isa_bits, isa_name) = match target {
            "x86_64" | "amd64" | "ia32e" => ("x86_64", "lib64", "64", "x86"),
            "aarch64" => ("aarch64", "lib64", "64", "aarch"),
            "ppc64le" => ("ppc64le", "lib64", "64", "ppc"),
            "ppc64" | "ppc64p7" => ("ppc64", "lib64", "64", "ppc"),
            "s390x" => ("s390x", "lib64", "64", "s390"),
            "s390" => ("s390", "lib", "32", "s390"),
            "riscv64" => ("riscv64", "lib64", "64", "riscv"),
            a if a.starts_with('i') && a.ends_with("86") || a == "athlon" => {
                ("i386", "lib", "32", "x86")
            }
            a if a.starts_with("arm") => ("arm", "lib", "32", ""),
            _ => ("", "lib64", "64", ""),
        };
        ArchFacts {
            arch,
            lib,
            isa_bits,
            // rpm names 32-bit arm ISAs after the arch itself: `(armv7hl-32)`.
            isa_name: if isa_name.is_empty() {
                target.to_string()
            } else {
                isa_name.to_string()
            },
        }
    }

    /// `%_isa`: `(x86-64)`.
    pub fn isa(&self) -> String {
        format!("({}-{})", self.isa_name, self.isa_bits)
    }
}
