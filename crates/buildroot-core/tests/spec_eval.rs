//! The spec evaluator on real-world preamble shapes: expected BuildRequires
//! per arch, and (when rpmspec is installed) the same question asked of rpm.

use std::process::Command;

#[path = "spec_support/include_cases.rs"]
mod include_cases;
mod oracle_support;

use buildroot_core::spec::{archful, evaluate, grep_archful, SpecContext, ELN_MACROS};

const HEAD: &str = "Name: t\nVersion: 1.0\nRelease: 1%{?dist}\nSummary: t\nLicense: MIT\n";
const TAIL: &str = "\n%description\nt\n";

/// (snippet, arch, expected BuildRequires in spec order, also check with rpmspec)
const CASES: &[(&str, &str, &str, bool)] = &[
    ("BuildRequires: gcc", "x86_64", "gcc", true),
    // rpm 4.19's string built-ins (Fedora's rpm is 4.20; rpm 4.18 lacks them).
    ("%global commit c7c3643760caea4b\nBuildRequires: git%{sub %{commit} 1 7}", "x86_64", "gitc7c3643", false),
    ("BuildRequires: %{gsub foo-bar-baz - _} %{len:four}x", "x86_64", "foo_bar_baz|4x", false),
    ("BuildRequires: %{upper:up}-%{lower:LOW}-%{reverse:ab}-%{rep a 3}", "x86_64", "UP-low-ba-aaa", false),
    // rpm 4.20's %getncpus takes `total`, `proc` or `thread` (rpm 4.18: no argument); its
    // %_smp_build_ncpus calls it so. The count depends on the machine, never below 1.
    ("%global n %{getncpus:proc}\nBuildRequires: %[%{n} >= 1 ? \"p\" : \"none\"]", "x86_64", "p", false),
    ("%global _smp_tasksize_thread 0x100\nBuildRequires: t%[%{getncpus thread} >= 1]-%[%{getncpus total} == %{getncpus}]", "x86_64", "t1-1", false),
    // rpm 6.0's %{span:...} (its argument expanded once, across lines) and %{xdg:...}
    // (checked against rpm 6.1: the same, but for $HOME).
    ("%global x %{span:\n  a\n  b\n}\nBuildRequires: x%{len:%{x}}y", "x86_64", "x9y", false),
    ("%define body %{span:\nBuildRequires: one\nBuildRequires: two\n}\n%{body}\n%global v 3\nBuildRequires: %{span:p%{v}}", "x86_64", "one|two|p3", false),
    ("BuildRequires: x%[%{len:%{xdg:state}} > 0]", "x86_64", "x1", false),
    // rpm 6.1's modifiers: `<l>` a literal body (a %global one is not expanded either),
    // `<o>` expanded on first use and kept (undefining it once re-arms it); checked
    // against rpm 6.1.
    ("%global mymacro 1.2.3\n%define aa %mymacro\n%define bb<l> %mymacro\n%global cc<l> some%%thing\nBuildRequires: a%{aa} b%{len:%{bb}} c%{len:%{cc}} m%{len:%{macrobody:bb}}x", "x86_64", "a1.2.3|b8|c11|m8x", false),
    ("%global n 1\n%define once<o> v%{n}\n%global first %{once}\n%global n 2\nBuildRequires: %{first} %{once} %{n}\n%undefine once\nBuildRequires: r%{once}\n%define e<> x\nBuildRequires: %{e}", "x86_64", "v1|2|rv2|x", false),
    // Leaving a macro call drops every definition of its level (rpm's freeArgs), the
    // literal a one-shot's use pushed there too; rpm 4.20 and 6.1 give these (rpm 4.18
    // popped only the top definition: `b-1`).
    ("%define once<o> %{lua: n = (n or 0) + 1; print(n)}\n%define m() %{once}-%{once}\nBuildRequires: a-%{m}\nBuildRequires: b-%{once}\n%define inner() %{expand:%%define sc<o> %%{lua: k = (k or 0) + 1; print(k)}}%{sc}-%{sc}\nBuildRequires: c-%{inner}\nBuildRequires: d-%{?sc}\nBuildRequires: e-%{inner}", "x86_64", "a-1-1|b-1|c-1-1|d-|e-2-2", false),
    ("%define m() %{expand:%%define x 1}%{expand:%%define x 2}%{x}\nBuildRequires: a-%{m}\nBuildRequires: b-%{?x}", "x86_64", "a-2|b-", false),
    // %(...) runs in bash as on Fedora (rpm's /bin/sh), so bash expansions work.
    ("%global n %(t=\"F23\";echo ${t,,})\nBuildRequires: %{n}-x", "x86_64", "f23-x", false),
    ("BuildRequires: %(c=abcdefghij; echo ${c:0:7}) %(tr - . <<< 2-5-4)", "x86_64", "abcdefg|2.5.4", false),
    // rpm 4.20's qualifiers on weak dependencies (authselect's `Suggests(meta):`; rpm 4.18
    // rejects them as unknown tags) and its `preuntrans`, `postuntrans` (4.18 lacks them).
    ("Suggests(meta): sssd\nRecommends(pre): a\nSupplements(post): b\nEnhances (preun): c\nBuildRequires: gcc", "x86_64", "gcc", false),
    ("Requires(preuntrans,postuntrans): a\nBuildRequires: gcc", "x86_64", "gcc", false),
    ("BuildRequires: gcc make, cmake >= 3.20", "x86_64", "gcc|make|cmake >= 3.20", true),
    ("BuildRequires: (python3-foo or python3-bar)", "x86_64", "(python3-foo or python3-bar)", true),
    // As rpm prints them: an EVR as written (its zero epoch kept), a rich dependency as written.
    ("BuildRequires: perl-interpreter >= 0:5.010, make=>4", "x86_64", "perl-interpreter >= 0:5.010|make=>4", true),
    ("BuildRequires: ((adobe-afdko >= 4.0.1) with (adobe-afdko < 5~~))", "x86_64", "((adobe-afdko >= 4.0.1) with (adobe-afdko < 5~~))", true),
    ("BuildRequires: pkgconfig(glib-2.0) >= 2.56, perl(Test::More)", "x86_64", "pkgconfig(glib-2.0) >= 2.56|perl(Test::More)", true),
    ("%ifarch x86_64\nBuildRequires: nasm\n%endif", "x86_64", "nasm", true),
    ("%ifarch x86_64\nBuildRequires: nasm\n%endif", "aarch64", "", true),
    ("%ifnarch s390x\nBuildRequires: valgrind-devel\n%endif", "s390x", "", true),
    ("%ifnarch s390x\nBuildRequires: valgrind-devel\n%endif", "ppc64le", "valgrind-devel", true),
    ("%ifarch %{ix86} x86_64\nBuildRequires: nasm\n%else\nBuildRequires: yasm\n%endif", "i686", "nasm", true),
    ("%ifarch %{ix86} x86_64\nBuildRequires: nasm\n%else\nBuildRequires: yasm\n%endif", "aarch64", "yasm", true),
    ("%ifarch %{power64}\nBuildRequires: libpfm\n%endif", "ppc64le", "libpfm", true),
    ("%ifarch %{arm64}\nBuildRequires: arm-tool\n%endif", "aarch64", "arm-tool", false),
    ("%ifarch %{valgrind_arches}\nBuildRequires: valgrind-devel\n%endif", "s390x", "valgrind-devel", false),
    ("%ifarch %{java_arches}\nBuildRequires: java-devel\n%endif", "i686", "", false),
    ("%if 0%{?fedora}\nBuildRequires: fedora-only\n%endif\nBuildRequires: always", "x86_64", "always", true),
    ("%if 0%{?rhel} >= 10\nBuildRequires: rhel-new\n%else\nBuildRequires: rhel-old\n%endif", "x86_64", "rhel-new", false),
    ("%if 0%{?rhel} && 0%{?rhel} < 10\nBuildRequires: el9\n%endif", "x86_64", "", false),
    ("%if 0%{?fedora} || 0%{?rhel} > 9\nBuildRequires: modern\n%endif", "x86_64", "modern", false),
    ("%if %{defined rhel}\nBuildRequires: x\n%endif", "x86_64", "x", true),
    ("%bcond_without tests\n%if %{with tests}\nBuildRequires: pytest\n%endif", "x86_64", "pytest", true),
    ("%bcond_with docs\n%if %{with docs}\nBuildRequires: sphinx\n%endif", "x86_64", "", true),
    ("%bcond tests 1\n%if %{with tests}\nBuildRequires: pytest\n%endif", "x86_64", "pytest", true),
    ("%bcond tests 0\n%if %{without tests}\nBuildRequires: no-tests\n%endif", "x86_64", "no-tests", true),
    ("%bcond_without check\nBuildRequires: %{?with_check:check-dep}", "x86_64", "check-dep", true),
    ("%global py python3\nBuildRequires: %{py}-devel", "x86_64", "python3-devel", true),
    ("%define ver 2.0\nBuildRequires: foo >= %{ver}", "x86_64", "foo >= 2.0", true),
    ("%{!?foo:%global foo bar}\nBuildRequires: %{foo}", "x86_64", "bar", true),
    ("%global foo baz\n%{!?foo:%global foo bar}\nBuildRequires: %{foo}", "x86_64", "baz", true),
    ("BuildRequires: %{?nonexistent}real", "x86_64", "real", true),
    ("BuildRequires: python%{python3_pkgversion}-setuptools", "x86_64", "python3-setuptools", false),
    ("%if \"%{_arch}\" == \"x86_64\"\nBuildRequires: amd64-only\n%endif", "x86_64", "amd64-only", true),
    ("%if \"%{_arch}\" == \"x86_64\"\nBuildRequires: amd64-only\n%endif", "aarch64", "", true),
    ("%if %{__isa_bits} == 64\nBuildRequires: lib64-thing\n%endif", "x86_64", "lib64-thing", true),
    ("%ifarch x86_64\n%if 0%{?rhel}\nBuildRequires: nested\n%endif\n%endif", "x86_64", "nested", false),
    ("%ifarch aarch64\nBuildRequires: a\n%elifarch x86_64\nBuildRequires: b\n%else\nBuildRequires: c\n%endif", "x86_64", "b", true),
    ("%ifarch aarch64\nBuildRequires: a\n%elifarch x86_64\nBuildRequires: b\n%else\nBuildRequires: c\n%endif", "s390x", "c", true),
    ("%if 0\nBuildRequires: a\n%elif 1\nBuildRequires: b\n%endif", "x86_64", "b", true),
    ("%ifos linux\nBuildRequires: linux-dep\n%endif", "x86_64", "linux-dep", true),
    ("%ifnos linux\nBuildRequires: other-os\n%endif", "x86_64", "", true),
    ("BuildRequires: gcc\n%package devel\nSummary: d\nBuildRequires: devel-only\n%description devel\nd", "x86_64", "gcc|devel-only", true),
    ("BuildRequires: gcc\n%files\n%ifarch x86_64\n/usr/lib64/x\n%endif", "aarch64", "gcc", true),
    ("BuildRequires: glibc-devel%{?_isa}", "x86_64", "glibc-devel(x86-64)", true),
    ("%global major 3\n%global minor 12\nBuildRequires: python%{major}.%{minor}", "x86_64", "python3.12", true),
    ("%global x %%{name}\nBuildRequires: %{expand:%{x}}-devel", "x86_64", "t-devel", true),
    ("BuildRequires: %[1 + 2]-thing", "x86_64", "3-thing", true),
    ("BuildConflicts: badthing\nBuildRequires: good", "x86_64", "good", true),
    ("BuildRequires: %{shrink:  a   b }", "x86_64", "a|b", true),
    // Nested conditionals three levels deep, with %elif inside.
    ("%ifarch x86_64\n%if 0%{?rhel}\n%if %{__isa_bits} == 64\nBuildRequires: deep\n%else\nBuildRequires: shallow\n%endif\n%endif\n%endif", "x86_64", "deep", true),
    ("%ifarch x86_64\n%if 0%{?rhel}\n%if %{__isa_bits} == 32\nBuildRequires: deep\n%else\nBuildRequires: shallow\n%endif\n%endif\n%endif", "x86_64", "shallow", true),
    ("%ifarch x86_64\n%if 0%{?rhel}\n%if %{__isa_bits} == 64\nBuildRequires: deep\n%endif\n%endif\n%endif", "aarch64", "", true),
    ("%if 0%{?rhel}\n%ifarch s390x\n%if 0%{?fedora}\nBuildRequires: a\n%elif 0%{?eln}\nBuildRequires: b\n%endif\n%endif\n%endif", "s390x", "b", true),
    // %undefine, of a spec's macro and of a default.
    ("%global foo 1\n%undefine foo\nBuildRequires: x%{?foo:-foo}", "x86_64", "x", true),
    ("%undefine dist\nBuildRequires: x%{?dist}", "x86_64", "x", true),
    // Arch macros (Debian's rpm lacks redhat-rpm-config's %x86_64 and %s390x).
    ("%ifarch %{arm}\nBuildRequires: arm-dep\n%endif", "armv7hl", "arm-dep", true),
    ("%ifarch %{arm}\nBuildRequires: arm-dep\n%endif", "aarch64", "", true),
    ("%ifarch %{x86_64}\nBuildRequires: x-dep\n%endif", "x86_64", "x-dep", false),
    ("%ifarch %{s390x}\nBuildRequires: z-dep\n%endif", "s390x", "z-dep", false),
    ("%ifarch %{s390x}\nBuildRequires: z-dep\n%endif", "ppc64le", "", true),
    ("BuildRequires: cpu-%{_target_cpu}", "i686", "cpu-i686", true),
    ("BuildRequires: arch-%{_arch}", "i686", "arch-i386", true),
    ("BuildRequires: arch-%{_arch}", "armv7hl", "arch-arm", true),
    ("BuildRequires: lib%{__isa_name}", "aarch64", "libaarch", true),
    ("BuildRequires: foo%{_isa}", "armv7hl", "foo(armv7hl-32)", true),
    ("BuildRequires: foo%{_isa}", "ppc64le", "foo(ppc-64)", true),
    // ELN's own macro.
    ("BuildRequires: eln%{eln}", "x86_64", "eln150", true),
    ("%if 0%{?eln}\nBuildRequires: eln-only\n%endif", "x86_64", "eln-only", true),
    // Parentheses in %if expressions.
    ("%if (0%{?rhel} >= 10 || 0%{?fedora}) && !0%{?flatpak}\nBuildRequires: paren\n%endif", "x86_64", "paren", true),
    ("%if !(0%{?fedora} > 40)\nBuildRequires: notfedora\n%endif", "x86_64", "notfedora", true),
    ("%if ((1 + 2) * 3 == 9)\nBuildRequires: arith\n%endif", "x86_64", "arith", true),
    // %bcond with %{?fedora} comparisons.
    ("%bcond docs %[0%{?fedora} >= 40]\nBuildRequires: %{?with_docs:sphinx}%{!?with_docs:nodocs}", "x86_64", "nodocs", true),
    ("%bcond tests %{undefined rhel}\nBuildRequires: %{?with_tests:pytest}%{!?with_tests:notests}", "x86_64", "notests", true),
    ("%bcond x 0%{?rhel}\nBuildRequires: %{?with_x:x}%{!?with_x:nox}", "x86_64", "x", true),
    ("%if 0%{?fedora} >= 38 || 0%{?rhel} >= 10\n%bcond_without modern\n%else\n%bcond_with modern\n%endif\n%if %{with modern}\nBuildRequires: modern\n%endif", "x86_64", "modern", true),
    ("%if 0%{?fedora} < 41 && 0%{?fedora}\n%bcond_without old\n%endif\nBuildRequires: %{?with_old:old}%{!?with_old:new}", "x86_64", "new", true),
    // Parametric macros.
    ("%define pyreq() python3-%1\nBuildRequires: %pyreq foo", "x86_64", "python3-foo", true),
    ("%define dep() %{1}-devel\nBuildRequires: %{dep zlib}", "x86_64", "zlib-devel", true),
    ("%define n() n%#-%0-%*\nBuildRequires: %n a b c", "x86_64", "n3-n-a|b|c", true),
    ("%define n() n%#\nBuildRequires: %{n}", "x86_64", "n0", true),
    ("%define n() x%{?2:-two}%{!?2:-none}\nBuildRequires: %n a", "x86_64", "x-none", true),
    ("%define o(ab:) o%{-a:A}%{-b*}%{?-b:B}-%1\nBuildRequires: %o -a -b val arg", "x86_64", "oAvalB-arg", true),
    ("%define o(b:) o%{!-b:none}\nBuildRequires: %o x", "x86_64", "onone", true),
    ("%define o(a) o%{-a}-%1-%**\nBuildRequires: %{o -a arg}", "x86_64", "o-a-arg--a|arg", true),
    ("%define o(a) o%{-a}-%1\nBuildRequires: %o arg -a", "x86_64", "o-a-arg", true),
    ("%global g() g-%{?1:one}\nBuildRequires: %g foo", "x86_64", "g-", true),
    ("%define v 3\n%define p() p%1\nBuildRequires: %p %{v}", "x86_64", "p3", true),
    ("%define p() p%1\nBuildRequires: %{p a} other", "x86_64", "pa|other", true),
    ("%define p() p-%1\n%define q() %{p %1}q\nBuildRequires: %q z", "x86_64", "p-zq", true),
    ("%define p() p%1\nBuildRequires: %{p:arg}", "x86_64", "parg", true),
    // `%{name:arg}` passes one argument, spaces and all (rpm 4.18: `%{p:a b}` has %# 1).
    ("%define p() %1-devel\nBuildRequires: %{p:zlib ncurses}", "x86_64", "zlib|ncurses-devel", true),
    // Equal but written differently: rpm keeps (and prints) both; the same text once.
    ("BuildRequires: x >= 1, x >= 0:1, x >= 1", "x86_64", "x >= 1|x >= 0:1", true),
];

fn spec(snippet: &str) -> String {
    format!("{HEAD}{snippet}{TAIL}")
}

fn brs(snippet: &str, arch: &str) -> Vec<String> {
    let ev = evaluate(&spec(snippet), &SpecContext::for_arch(arch)).unwrap();
    // The texts parse to the dependencies (two texts may be one, `x >= 1`
    // and `x >= 0:1`), and texts of rich dependencies libsolv cannot read
    // have none.
    let mut parsed: Vec<buildroot_core::dep::Dep> = Vec::new();
    for t in &ev.build_requires_text {
        match buildroot_core::dep::Dep::parse(t) {
            Ok(d) if !parsed.contains(&d) => parsed.push(d),
            Ok(_) => {}
            Err(e) => assert!(t.starts_with('('), "{t}: {e}"),
        }
    }
    assert_eq!(parsed, ev.build_requires);
    ev.build_requires_text
}

#[test]
fn snippets_give_expected_build_requires() {
    assert!(CASES.len() >= 85, "{}", CASES.len());
    for (snippet, arch, want, _) in CASES {
        let want: Vec<String> = want
            .split('|')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(brs(snippet, arch), want, "{arch}: {snippet}");
    }
}

#[test]
fn rpmspec_agrees() {
    if Command::new("rpmspec").arg("--version").output().is_err() {
        eprintln!("skipped: rpmspec is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (i, (snippet, arch, _, check)) in CASES.iter().enumerate() {
        if !check {
            continue;
        }
        let path = dir.path().join(format!("s{i}.spec"));
        std::fs::write(&path, spec(snippet)).unwrap();
        let mut cmd = Command::new("rpmspec");
        cmd.args(["-q", "--buildrequires", "--target", arch]);
        for (k, v) in ELN_MACROS {
            cmd.arg("--define").arg(format!("{k} {v}"));
        }
        let out = cmd.arg(&path).output().unwrap();
        assert!(
            out.status.success(),
            "rpmspec failed on {snippet:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let mut ours = brs(snippet, arch);
        theirs.sort();
        ours.sort();
        assert_eq!(ours, theirs, "{arch}: {snippet}");
        checked += 1;
    }
    assert!(checked >= 75, "{checked}");
}

#[test]
fn lua_shell_and_rejected_specs() {
    let ctx = SpecContext::for_arch("x86_64");
    let ev = evaluate(
        &spec("BuildRequires: %{lua: print('x')}y\nBuildRequires: %(echo hi)z"),
        &ctx,
    )
    .unwrap();
    if buildroot_core::spec::sandbox_unavailable().is_none() {
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        let got: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, ["xy", "hiz"]);
    } else {
        assert!(ev.problems[0].contains("no sandbox"), "{:?}", ev.problems);
    }
    let ev = evaluate(&spec("BuildRequires: n%{getncpus:all}"), &ctx).unwrap();
    assert!(
        ev.problems[0].contains("invalid argument: all"),
        "{:?}",
        ev.problems
    );
    // rpm 6.1's modifier errors, as rpm words them.
    for (def, msg) in [
        ("%define bad<x> v", "Macro %bad has illegal modifier x"),
        (
            "%define p(a)<l> v",
            "Macro %p has modifiers incompatible with parametric macros",
        ),
        ("%define p<lo> v", "Macro %p has incompatible modifiers"),
        ("%define p<l v", "Macro %p has unterminated modifiers"),
    ] {
        let ev = evaluate(&spec(&format!("{def}\nBuildRequires: a")), &ctx).unwrap();
        assert!(ev.problems[0].contains(msg), "{def}: {:?}", ev.problems);
    }
    // rpm 6.0's %{xdg:} knows four directories (rpm: "xdg: invalid argument: nope").
    let ev = evaluate(&spec("BuildRequires: %{xdg:nope}"), &ctx).unwrap();
    assert!(
        ev.problems[0].contains("xdg: invalid argument: nope"),
        "{:?}",
        ev.problems
    );
    // rpm 4.20 rejects %patchN in %prep (4.18 warned); `%patch N`, `-P N`,
    // an indented or a commented line pass.
    let prep = |lines: &str| {
        let decl =
            "Source0: a.tar\nPatch0: p0\nPatch1: p1\nPatch2: p2\nPatch3: p3\nBuildRequires: a";
        let text = format!("{}%prep\n%setup -q\n{lines}\n", spec(decl));
        evaluate(&text, &ctx).unwrap().problems
    };
    let problems = prep("%patch 1 -p1\n%patch0 -p1");
    assert!(
        problems[0].contains("%patchN") && problems[0].contains("%patch0 -p1"),
        "{problems:?}"
    );
    assert_eq!(
        prep("%patch 1 -p1\n%patch -P0 -p1\n #%patch2\n  %patch3"),
        Vec::<String>::new()
    );
    assert_eq!(prep("%patch -P0\n%prep -a\n%patch0"), Vec::<String>::new());
    // rpm's expression language rejects a bare word, so rpm rejects the spec.
    let ev = evaluate(
        &spec("%if %{undefined_macro} > 1\nBuildRequires: x\n%endif"),
        &ctx,
    )
    .unwrap();
    assert!(
        ev.problems[0].contains("bad %if condition"),
        "{:?}",
        ev.problems
    );
    let ev = evaluate(
        &format!(
            "{}%generate_buildrequires\n%pyproject_buildrequires\n",
            spec("BuildRequires: a")
        ),
        &ctx,
    )
    .unwrap();
    assert!(ev.dynamic_build_requires);
    assert!(evaluate(&spec("%if 1\nBuildRequires: a\n"), &ctx).is_err());
    assert!(evaluate(&spec("%endif\n"), &ctx).is_err());
    assert!(evaluate(&spec("%else\n"), &ctx).is_err());
    // rpm's message for a qualifier it does not know.
    let ev = evaluate(&spec("Requires(bogus): a\nBuildRequires: x"), &ctx).unwrap();
    assert_eq!(
        ev.problems,
        ["line 6: Bad Requirename: qualifiers: Requires(bogus): a"]
    );
}

/// rpm 4.20's build directories (Fedora's rpm; rpm 4.18 defines `%buildroot`
/// in its macro file instead): `%_builddir` is undefined while the main
/// preamble is read, then the spec's own directory under the old one.
/// (rpm 4.20.1 and 6.1 print these paths for this spec with `_topdir /top`;
/// the repeated directory is one dependency.)
#[test]
fn build_directories_of_rpm_4_20() {
    let mut ctx = SpecContext::for_arch("x86_64");
    ctx.define("_topdir /top").unwrap();
    let text = "Name: t\nVersion: 1.0~rc1\nRelease: 1\nSummary: t\nLicense: MIT\n\
        %global early x%{?_builddir}-%{?builddir}\n\
        BuildRequires: early%{early} br%{?buildroot:yes}\n%description\nt\n\
        %package sub\nSummary: s\nBuildRequires: %{buildroot} %{_buildrootdir}\n\
        BuildRequires: %{_builddir} %{specpartsdir} %{_top_builddir}\n%description sub\ns\n";
    let ev = evaluate(text, &ctx).unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    let dir = "/top/BUILD/t-1.0_rc1-build";
    assert_eq!(
        ev.build_requires_text,
        [
            "earlyx-".to_string(),
            "br".into(),
            format!("{dir}/BUILDROOT"),
            dir.into(),
            format!("{dir}/SPECPARTS"),
            "/top/BUILD".into(),
        ]
    );
}

#[test]
fn archful_by_evaluation_not_by_grep() {
    let arches = ["aarch64", "ppc64le", "s390x", "x86_64"];
    let base = SpecContext::for_arch("x86_64");
    let real = spec("BuildRequires: gcc\n%ifarch x86_64\nBuildRequires: nasm\n%endif");
    let r = archful(&real, &arches, &base).unwrap();
    assert!(r.archful);
    assert_eq!(r.build_requires["x86_64"], vec!["gcc", "nasm"]);
    assert_eq!(r.build_requires["s390x"], vec!["gcc"]);
    let files_only = spec("BuildRequires: gcc\n%files\n%ifarch x86_64\n/usr/lib64/x\n%endif");
    assert!(grep_archful(&files_only), "dep-tracker's grep flags it");
    assert!(
        !archful(&files_only, &arches, &base).unwrap().archful,
        "evaluation does not"
    );
    assert!(!grep_archful("%if 1\n%ifarchx\n"));
    assert!(grep_archful("  %ifnarch\ts390x\n"));
}

/// A rich BuildRequires libsolv cannot read, on one arch only, makes the
/// spec archful though it resolves nothing: arches compare as rpm prints
/// them (so the evaluator and `--rpmspec` decide alike), and each arch's
/// regenerated SRPM then holds what `rpmbuild -bs --target` writes.
#[test]
fn an_unreadable_rich_build_requirement_on_one_arch_is_archful() {
    let arches = ["aarch64", "x86_64"];
    let text = spec("BuildRequires: gcc\n%ifarch x86_64\nBuildRequires: (a or foo(bar )\n%endif");
    let r = archful(&text, &arches, &SpecContext::for_arch("x86_64")).unwrap();
    assert!(r.archful);
    assert_eq!(r.build_requires["x86_64"], ["(a or foo(bar)", "gcc"]);
    assert_eq!(r.build_requires["aarch64"], ["gcc"]);
    for arch in arches {
        let ev = evaluate(&text, &SpecContext::for_arch(arch)).unwrap();
        assert_eq!(
            ev.build_requires,
            [buildroot_core::dep::Dep::parse("gcc").unwrap()]
        );
    }
}

#[test]
fn name_version_and_tags() {
    let text = "Name: foo\nEpoch: 2\nVersion: 1.%{minor}\nRelease: 3%{?dist}\nSummary: s\nLicense: MIT\nExclusiveArch: x86_64 aarch64\nExcludeArch: %{ix86}\n%description\nd\n";
    let mut ctx = SpecContext::for_arch("x86_64");
    ctx.define("minor 5").unwrap();
    let ev = evaluate(text, &ctx).unwrap();
    assert_eq!(
        (
            ev.name.as_str(),
            ev.epoch,
            ev.version.as_str(),
            ev.release.as_str()
        ),
        ("foo", Some(2), "1.5", "3.eln150")
    );
    assert_eq!(ev.exclusive_arch, vec!["x86_64", "aarch64"]);
    assert!(ev.exclude_arch.contains(&"i686".to_string()));
}

#[test]
fn macros_file_option() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("macros.site");
    std::fs::write(
        &file,
        "# site macros\n%site_dep site-devel\n%sitereq() site-%1\n%sitebrs() BuildRequires: site-%1 \\\nBuildRequires: site-%1-tools\nnot a definition: ignored\n%fedora 42\n",
    )
    .unwrap();
    let mut ctx = SpecContext::for_arch("x86_64");
    ctx.load_macros_file(&file).unwrap();
    let text = spec(
        "BuildRequires: %{site_dep} %sitereq b\n%sitebrs a\n%if 0%{?fedora} >= 42\nBuildRequires: f42\n%endif",
    );
    let ev = evaluate(&text, &ctx).unwrap();
    let got: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        got,
        ["site-devel", "site-b", "site-a", "site-a-tools", "f42"]
    );
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    std::fs::write(&file, "%ok 1\n%empty\n").unwrap();
    let err = SpecContext::for_arch("x86_64")
        .load_macros_file(&file)
        .unwrap_err();
    assert!(err.to_string().contains("macros.site:2"), "{err}");
    assert!(err.to_string().contains("empty body"), "{err}");
}

#[test]
fn unknown_macro_options_are_reported() {
    let ctx = SpecContext::for_arch("x86_64");
    let ev = evaluate(
        &spec("%define o(a) o-%1\nBuildRequires: %o -x arg, kept"),
        &ctx,
    )
    .unwrap();
    assert!(
        ev.problems.iter().any(|p| p.contains("Unknown option x")),
        "{:?}",
        ev.problems
    );
    let ev = evaluate(
        &spec("BuildRequires: %{py3_dist setuptools} pkgconfig(zlib)"),
        &ctx,
    )
    .unwrap();
    assert!(ev.problems[0].contains("py3_dist"), "{:?}", ev.problems);
    let ev = evaluate(&spec("%bcond docs %[ 1 +\nBuildRequires: x"), &ctx).unwrap();
    assert!(!ev.problems.is_empty());
}

#[test]
fn for_arch_defaults() {
    let ev = evaluate(
        &spec("BuildRequires: r%{rhel} e%{eln} el%{el11} d%{dist} %{?fedora:fedora}"),
        &SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    let got: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
    assert_eq!(got, ["r11", "e150", "el1", "d.eln150"]);
}

/// With rpm's own base macro file loaded, the built-in layer adds nothing:
/// an arch list of a package the buildroot lacks stays undefined, as in rpm
/// (rpmspec leaves `%{qt5_qtwebengine_arches}` unexpanded and `%ifarch`
/// never matches); without it the built-in lists stand in.
#[test]
fn rpm_base_file_replaces_the_built_in_layer() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("macros");
    // What marks rpm's own file: it defines both of these.
    std::fs::write(
        &file,
        "%_rpmconfigdir %{getconfdir}\n%__spec_prep_template #!/bin/sh\n%ix86 i386 i686\n%with() %{expand:%%{?with_%1:1}%%{!?with_%1:0}}\n",
    )
    .unwrap();
    let text = spec("%ifarch %{qt5_qtwebengine_arches}\nBuildRequires: webengine\n%endif\nBuildRequires: %{?java_arches:java}%{?ix86:ix86}%{with x}");
    let brs = |ctx: &SpecContext| -> Vec<String> {
        let ev = evaluate(&text, ctx).unwrap();
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        ev.build_requires.iter().map(|d| d.to_string()).collect()
    };
    let mut ctx = SpecContext::for_arch("x86_64");
    assert_eq!(brs(&ctx), ["webengine", "javaix860"]);
    ctx.load_macros_file(&file).unwrap();
    assert_eq!(brs(&ctx), ["ix860"]);
    // Another file named `macros` (redhat/macros) is not rpm's.
    let other = dir.path().join("redhat-macros");
    std::fs::write(&other, "%_rpmconfigdir /usr/lib/rpm\n").unwrap();
    let mut ctx = SpecContext::for_arch("x86_64");
    ctx.load_macros_file(&other).unwrap();
    assert_eq!(brs(&ctx), ["webengine", "javaix860"]);
}

/// rpm 4.20's `BuildSystem:` (28 Fedora rawhide specs, all `pyproject`):
/// the build system's macros must exist, and a `%generate_buildrequires`
/// it fills in makes the BuildRequires dynamic. (rpm 4.18, the rpmspec on
/// Debian, rejects the tag, so these have expected values only.)
#[test]
fn build_system_tag() {
    let ctx = SpecContext::for_arch("x86_64");
    let system = "%define buildsystem_demo_conf() conf %*\n\
                  %define buildsystem_demo_build() build %*\n\
                  %define buildsystem_demo_install() install %*\n";
    let generating = "%define buildsystem_demo_generate_buildrequires() gen %*\n";

    let ev = evaluate(
        &spec(&format!(
            "{system}{generating}BuildSystem: demo\nBuildOption(generate_buildrequires): -x all\n\
             BuildOption: --flag\nBuildRequires: static-dep"
        )),
        &ctx,
    )
    .unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert!(ev.dynamic_build_requires);
    let got: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
    assert_eq!(got, ["static-dep"]);

    // No %generate_buildrequires to fill in: the BuildRequires are static.
    let ev = evaluate(
        &spec(&format!("{system}BuildSystem: demo\nBuildRequires: a")),
        &ctx,
    )
    .unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert!(!ev.dynamic_build_requires);

    // The default section macro fills in too.
    let ev = evaluate(
        &spec(&format!(
            "{system}%define buildsystem_default_generate_buildrequires() d\nBuildSystem: demo"
        )),
        &ctx,
    )
    .unwrap();
    assert!(ev.dynamic_build_requires);

    // What rpm 4.20 rejects.
    let problem = |snippet: &str| {
        let ev = evaluate(&spec(snippet), &ctx).unwrap();
        ev.problems.join("; ")
    };
    assert!(
        problem("BuildSystem: pyproject").contains("line 6: Unknown buildsystem: pyproject"),
        "{}",
        problem("BuildSystem: pyproject")
    );
    let partial = "%define buildsystem_half_build() b\nBuildSystem: half";
    assert!(
        problem(partial).contains(
            "Required parametric macro %buildsystem_half_install not defined for buildsystem half"
        ),
        "{}",
        problem(partial)
    );
    assert!(problem(&format!("{system}BuildSystem: demo other")).contains("single token"));
    assert!(
        problem(&format!("{system}BuildSystem: demo\nBuildOption(files): x"))
            .contains("Unknown build option section")
    );
}

/// A one-shot that outlives its call (a %global over it, then %undefine)
/// holds one target's expansion: one evaluation cannot stand for the
/// others (rpm 6.1 gives d-ARCH on each arch).
#[test]
fn a_one_shot_outliving_its_call_is_not_shared_across_arches() {
    let text = spec(
        "%define inner() %{expand:%%define sc<o> %%{_target_cpu}}%{global sc G}i\n\
         BuildRequires: c-%{inner}\n%undefine sc\nBuildRequires: d-%{?sc}",
    );
    let arches = ["x86_64", "aarch64", "ppc64le", "s390x"];
    let r = archful(&text, &arches, &SpecContext::for_arch("x86_64")).unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    for a in arches {
        assert_eq!(r.build_requires[a], ["c-i", &format!("d-{a}")], "{a}");
    }
    assert!(r.archful);
}

#[test]
fn rpmversion_is_the_buildroots_rpm() {
    // Without a buildroot: the rpm the evaluator is checked against.
    assert_eq!(
        brs("BuildRequires: rpm-%{rpmversion}", "x86_64"),
        ["rpm-6.1.0"]
    );
    // With one (its rpm package's version, set by the macro packages' run),
    // per arch: a spec that compares it is archful when the arches' rpms
    // answer differently.
    let text = spec(
        "%if v\"%{rpmversion}\" >= v\"4.20\"\nBuildRequires: new\n%else\nBuildRequires: old\n%endif",
    );
    // One context cloned per arch, as the tools make them: the evaluation
    // shared between arches must see that rpmversion differs.
    let proto = SpecContext::for_arch("noarch");
    let (mut new, mut old) = (proto.clone(), proto);
    (new.arch, new.rpm_version) = ("x86_64".into(), Some("4.20.0".into()));
    (old.arch, old.rpm_version) = ("s390x".into(), Some("4.19.1".into()));
    let r = buildroot_core::spec::archful_targets(
        &text,
        &[&new, &old],
        &buildroot_core::spec::NoSources,
    )
    .unwrap();
    assert_eq!(r.build_requires["x86_64"], ["new"]);
    assert_eq!(r.build_requires["s390x"], ["old"]);
    assert!(r.archful);
    // rpm before 4.19 has no such macro; its body and arguments are rpm's.
    let mut el9 = SpecContext::for_arch("x86_64");
    el9.rpm_version = Some("4.16.1.3".into());
    let ev = evaluate(&spec("BuildRequires: v%{?rpmversion:set}"), &el9).unwrap();
    assert_eq!(ev.build_requires_text, ["v"]);
    assert_eq!(
        brs("BuildRequires: m%{macrobody rpmversion}", "x86_64"),
        ["m<builtin>"]
    );
    let ev = evaluate(
        &spec("BuildRequires: r%{rpmversion:x}"),
        &SpecContext::for_arch("x86_64"),
    );
    let failed = ev.map_or(true, |e| !e.problems.is_empty());
    assert!(failed, "%rpmversion: unexpected argument");
}

/// `snippet`'s spec evaluated for x86_64 as `/x/SPECS/t.spec`, its sources
/// the files of `dir`.
fn eval_beside(dir: &std::path::Path, snippet: &str) -> buildroot_core::spec::SpecEval {
    use buildroot_core::spec::{evaluate_with, DirSources, NamedSpec};
    let sources = DirSources(dir.to_path_buf());
    let named = NamedSpec {
        path: "/x/SPECS/t.spec".into(),
        sources: &sources,
    };
    evaluate_with(&spec(snippet), &SpecContext::for_arch("x86_64"), &named).unwrap()
}

/// rpm 6.1 reads `Icon:` from the sources (empty, GIF or XPM), defines
/// `%{__file_name}` as the spec's path, and resolves nothing for an
/// `(a else b)` (libsolv's ELSE relation at the top has no provider).
#[test]
fn icon_file_name_and_else_as_rpm_6() {
    use buildroot_core::spec::evaluate_with;
    let ctx = SpecContext::for_arch("x86_64");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("logo.gif"), b"GIF89a....").unwrap();
    std::fs::write(dir.path().join("logo.xpm"), b"/* XPM */\nstatic").unwrap();
    std::fs::write(dir.path().join("empty.png"), b"").unwrap();
    std::fs::write(dir.path().join("logo.png"), b"\x89PNG").unwrap();
    let run = |body: &str| {
        let ev = eval_beside(dir.path(), body);
        match ev.problems.first() {
            Some(p) => Err(p.clone()),
            None => Ok(ev.build_requires_text.join("|")),
        }
    };
    for icon in ["logo.gif", "logo.xpm", "empty.png"] {
        assert_eq!(
            run(&format!("Icon: {icon}\nBuildRequires: x")),
            Ok("x".into()),
            "{icon}"
        );
    }
    let e = run("Icon: logo.png\nBuildRequires: x").unwrap_err();
    assert!(e.contains("Unknown icon type: logo.png"), "{e}");
    let e = run("Icon: nosuch.gif\nBuildRequires: x").unwrap_err();
    assert!(e.contains("Unable to open icon"), "{e}");
    assert_eq!(
        run("BuildRequires: f-%{__file_name} l%{__file_lineno}"),
        Ok("f-/x/SPECS/t.spec|l6".into())
    );
    // Without a path, the macro is undefined.
    let ev = evaluate(&spec("BuildRequires: f%{?__file_name:set}"), &ctx).unwrap();
    assert_eq!(ev.build_requires_text, ["f"]);
    // An SRPM's spec is read from %{_specdir}, as `rpmbuild --rebuild`
    // (rpm 6.1) puts it there (its payload is read only for a source).
    let mut ctx_top = SpecContext::for_arch("x86_64");
    ctx_top.define("_topdir /b/build").unwrap();
    let srpm = buildroot_core::spec::SrpmSources::new(
        std::path::Path::new("/nonexistent.src.rpm"),
        "t.spec",
    );
    let ev = evaluate_with(&spec("BuildRequires: f%{__file_name}"), &ctx_top, &srpm).unwrap();
    assert_eq!(ev.build_requires_text, ["f/b/build/SPECS/t.spec"]);

    let ev = evaluate(&spec("BuildRequires: (a else b), c(d, e >= 1:"), &ctx).unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert_eq!(ev.build_requires_text, ["(a else b)", "c(d", "e >= 1:"]);
    let names: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
    assert_eq!(names, ["(a else b)", "c(d", "e >= 1:"]);
    assert!(ev.build_requires.iter().all(|d| !d.is_rich()));
}

/// rpm's `loadMacroFile` takes every definition it can and fails the load
/// when one was rejected (an empty body, a built-in's name, an unterminated
/// body); Lua's `rpm.load` answers 1 then, as a float (checked against rpm
/// 6.1 with generated macro files).
#[test]
fn load_of_a_file_with_a_bad_definition_fails() {
    use buildroot_core::spec::{evaluate_with, DirSources};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.macros"), "%m1 one\n%m2 two\n").unwrap();
    std::fs::write(dir.path().join("empty.macros"), "%m1\n%m2 two\n").unwrap();
    std::fs::write(
        dir.path().join("builtin.macros"),
        "%m1 one\n%define m2 two\n",
    )
    .unwrap();
    let sources = DirSources(dir.path().to_path_buf());
    let ctx = SpecContext::for_arch("x86_64");
    let run = |body: &str| {
        let ev = evaluate_with(&spec(body), &ctx, &sources).unwrap();
        match ev.problems.first() {
            Some(p) => Err(p.clone()),
            None => Ok(ev.build_requires_text.join("|")),
        }
    };
    assert_eq!(
        run("%{load:/x/good.macros}\nBuildRequires: a%{m1}-%{m2}"),
        Ok("aone-two".into())
    );
    for bad in ["empty", "builtin"] {
        let e = run(&format!("%{{load:/x/{bad}.macros}}\nBuildRequires: a")).unwrap_err();
        assert!(e.contains("failed to load macro file"), "{bad}: {e}");
        assert_eq!(
            run(&format!(
                "BuildRequires: r%{{lua: print(rpm.load('/x/{bad}.macros'))}}-%{{?m1}}-%{{?m2}}"
            )),
            Ok(if bad == "empty" {
                "r1.0--two"
            } else {
                "r1.0-one-"
            }
            .into()),
            "{bad}"
        );
    }
    assert_eq!(
        run("BuildRequires: r%{lua: print(rpm.load('/x/good.macros'))}"),
        Ok("r0.0".into())
    );
}

/// rpm 6's `pushOFI`/`popOFI`: an `%include`d file is read with
/// `%{__file_name}` its own path (and `%{__file_lineno}` its own lines),
/// the spec's again after it (checked against rpm 6.1: `%include
/// %{__file_name}.inc` printing `j3-ln.spec.inc`, then `e10-ln.spec`).
#[test]
fn file_name_inside_an_include_is_the_included_file() {
    use buildroot_core::spec::{evaluate_with, DirSources, NamedSpec};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("part.inc"),
        "BuildRequires: i%{__file_lineno}-%{__file_name}\n\nBuildRequires: j%{__file_lineno}\n",
    )
    .unwrap();
    let sources = DirSources(dir.path().to_path_buf());
    let named = NamedSpec {
        path: "/x/SPECS/t.spec".into(),
        sources: &sources,
    };
    let ctx = SpecContext::for_arch("x86_64");
    let ev = evaluate_with(
        &spec("%include /x/part.inc\nBuildRequires: e%{__file_lineno}-%{__file_name}"),
        &ctx,
        &named,
    )
    .unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert_eq!(
        ev.build_requires_text,
        ["i1-/x/part.inc", "j3", "e7-/x/SPECS/t.spec"]
    );
}

/// A relative path a spec opens is taken from rpm's working directory,
/// `/` where mock runs rpmbuild, which holds none of the spec's files: a
/// relative `%include`, `%{load:}`, `%{exists:}` or Lua `io.open` finds
/// nothing even where a source has that name (rpm 4.18, 4.20.1 and 6.1
/// all fail `%include x.inc` when run elsewhere than beside it; the
/// evaluator read the source of that base name).
#[test]
fn a_relative_path_is_no_source_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("part.inc"), "BuildRequires: inc\n").unwrap();
    std::fs::write(dir.path().join("part.macros"), "%dep loaded\n").unwrap();
    let run = |body: &str| {
        let ev = eval_beside(dir.path(), body);
        (ev.problems.first().cloned(), ev.build_requires_text)
    };
    let (problem, _) = run("%include part.inc");
    assert!(problem.is_some_and(|p| p.contains("part.inc")));
    let (problem, _) = run("%{load:part.macros}");
    assert!(problem.is_some_and(|p| p.contains("failed to load macro file part.macros")));
    let (problem, brs) =
        run("BuildRequires: e%{exists:part.inc} l%{lua: print(io.open('part.inc') == nil)}");
    assert_eq!((problem, brs), (None, vec!["e0".into(), "ltrue".into()]));
    // The same files by an absolute path are the spec's sources.
    let (problem, brs) = run("%include /x/part.inc\n%{load:/x/part.macros}\nBuildRequires: %{dep}");
    assert_eq!((problem, brs), (None, vec!["inc".into(), "loaded".into()]));
}

/// `(a or foo(bar )`: rpm takes it and prints (and records) `(a or
/// foo(bar)`, which libsolv cannot read back, so dnf drops it from the
/// SRPM's requirements: printed, but no dependency to resolve. A
/// BuildConflicts of it is dropped the same way.
#[test]
fn a_rich_dependency_libsolv_cannot_read_is_printed_not_resolved() {
    let s = "BuildRequires: (a or foo(bar ), c\nBuildRequires: (a or foo(bar )\nBuildConflicts: (e or foo(bar )";
    let ev = evaluate(&spec(s), &SpecContext::for_arch("x86_64")).unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
    assert_eq!(ev.build_requires_text, ["(a or foo(bar)", "c"]);
    assert_eq!(
        ev.build_requires,
        [buildroot_core::dep::Dep::parse("c").unwrap()]
    );
    assert!(ev.build_conflicts.is_empty());
}

/// A Lua table's `pairs()` order follows its string keys' hashes, which
/// stock Lua 5.4 seeds from the time and addresses of the state (as in
/// rpm, where the order changes run to run). Our Lua is built with a fixed
/// seed (`.cargo/config.toml`), so a spec whose BuildRequires come out of
/// such a loop reads the same every time: the tools' output stays
/// deterministic.
#[test]
fn a_lua_pairs_loop_gives_the_same_order_every_time() {
    let loop_ = "%{lua: local t = {} for i = 1, 40 do t['br' .. i] = true end \
                 for k in pairs(t) do print('BuildRequires: ' .. k .. '\\n') end}";
    let first = brs(loop_, "x86_64");
    assert_eq!(first.len(), 40);
    for _ in 0..20 {
        assert_eq!(
            brs(loop_, "x86_64"),
            first,
            "Lua built with a time seed: run cargo from the checkout, then \
             `cargo clean -p mlua-sys` (see .cargo/config.toml)"
        );
    }
}

/// The packages a spec builds for an arch (those with `%files`, in spec
/// order, a subpackage's own Epoch, Version or Release over the main
/// package's), which rpmbuild lists as the SRPM's provides, and whether the
/// main package is noarch (the SRPM's arch then, on every target).
#[test]
fn built_packages_and_noarch_are_per_arch() {
    let text = "Name: p\nEpoch: 2\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n\
        %description\nd\n%package sub\nSummary: s\nVersion: 3.1\n%description sub\nd\n\
        %ifarch x86_64\n%package x86\nSummary: x\nRelease: 7\n%description x86\nd\n%files x86\n%endif\n\
        %package -n nofiles\nSummary: n\n%description -n nofiles\nd\n\
        %package -n other\nSummary: o\nEpoch: 0\n%description -n other\nd\n\
        %files -n other\n%files sub\n%files\n";
    let built = |text: &str, arch: &str| {
        let ev = evaluate(text, &SpecContext::for_arch(arch)).unwrap();
        assert!(ev.problems.is_empty(), "{:?}", ev.problems);
        (ev.built_packages.unwrap(), ev.noarch)
    };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(n, e)| (n.to_string(), e.to_string()))
            .collect()
    };
    let aarch64 = [("p", "2:1.0-1"), ("p-sub", "2:3.1-1"), ("other", "0:1.0-1")];
    assert_eq!(built(text, "aarch64"), (pairs(&aarch64), false));
    let x86 = [
        ("p", "2:1.0-1"),
        ("p-sub", "2:3.1-1"),
        ("p-x86", "2:1.0-7"),
        ("other", "0:1.0-1"),
    ];
    assert_eq!(built(text, "x86_64"), (pairs(&x86), false));
    let noarch = text.replace("License: MIT\n", "License: MIT\nBuildArch: noarch\n");
    assert_eq!(built(&noarch, "s390x"), (pairs(&aarch64), true));
}

/// An `%include` line is no line rpm's `readLine` hands out: it reads on
/// into the file. So a section line followed only by the `%include` of an
/// empty file ends the spec and makes no section, where a blank line or a
/// conditional in the file, or a line after the `%include`, makes one; a
/// section line that ends an included file at the end of the spec makes
/// none. rpmbuild 4.18 (the host's, asked when installed), 4.20.1 and 6.1.0
/// (2026-12-06) agree.
#[test]
fn dynamic_build_requires_after_an_include() {
    use buildroot_core::spec::{evaluate_with, DirSources};
    use include_cases::{include_cases, INCLUDE_FILES};
    let files: Vec<(&str, &[u8])> = INCLUDE_FILES
        .iter()
        .map(|(name, body)| (*name, body.as_bytes()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in &files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let sources = DirSources(dir.path().to_path_buf());
    let cases = include_cases(&format!(
        "{HEAD}BuildRequires: gcc\n%description\nd\n%files\n"
    ));
    let ctx = SpecContext::for_arch("x86_64");
    for (text, dynamic) in &cases {
        let ev = evaluate_with(text, &ctx, &sources).unwrap();
        assert!(ev.problems.is_empty(), "{text}: {:?}", ev.problems);
        assert_eq!(ev.dynamic_build_requires, *dynamic, "{text}");
        if let Some(rpm) = rpmbuild_dynamic_with(text, &files) {
            assert_eq!(rpm, *dynamic, "rpmbuild on {text}");
        }
    }
}

/// rpm 4.20's parts of the section (`%generate_buildrequires -a`/`-p`)
/// make it when the spec has none of its own, even a part whose line ends
/// the spec (rpm keeps its empty text); a build system fills in the section
/// a spec lacks, also when the spec's last line is the section line (which
/// makes none). The answers are `rpmbuild -bs`'s of rpm 4.20.1 and 6.1.0
/// (Debian trixie's and sid's roots, 2026-12-06); where rpm 4.18 (which
/// reads a part's line as the section's own, and knows no `BuildSystem:`)
/// agrees, the host's rpmbuild is asked too.
#[test]
fn dynamic_build_requires_of_section_parts() {
    let system = "%define buildsystem_demo_build() build %*\n\
        %define buildsystem_demo_install() install %*\n";
    let filling = "%define buildsystem_demo_generate_buildrequires() gen %*\n";
    let d = "%description\nd\n";
    // (text after the preamble, dynamic, rpm 4.18 says the same)
    let cases = [
        (
            format!("{d}%prep\n%generate_buildrequires -a\necho x\n%build\n%files\n"),
            true,
            true,
        ),
        (
            format!("{d}%prep\n%generate_buildrequires -p\necho x\n%files\n"),
            true,
            true,
        ),
        (
            format!("{d}%prep\n%if 0\n%generate_buildrequires -a\n%endif\n%files\n"),
            false,
            true,
        ),
        (
            format!("{d}%build\n%files\n%generate_buildrequires -a\n"),
            true,
            false,
        ),
        (
            format!("{d}%build\n%files\n%generate_buildrequires -p"),
            true,
            false,
        ),
        (
            format!(
                "{d}%prep\n%generate_buildrequires -a\necho x\n%files\n%generate_buildrequires\n"
            ),
            true,
            false,
        ),
        (
            format!(
                "{system}{filling}BuildSystem: demo\n%prep\n{d}%files\n%generate_buildrequires\n"
            ),
            true,
            false,
        ),
        (
            format!("{system}BuildSystem: demo\n%prep\n{d}%files\n%generate_buildrequires\n"),
            false,
            false,
        ),
        (
            format!(
                "{system}BuildSystem: demo\n%prep\n{d}%generate_buildrequires -a\necho x\n%files\n"
            ),
            true,
            false,
        ),
    ];
    let ctx = SpecContext::for_arch("x86_64");
    for (tail, dynamic, same_on_4_18) in &cases {
        let text = format!("{HEAD}BuildRequires: gcc\n{tail}");
        let ev = evaluate(&text, &ctx).unwrap();
        assert!(ev.problems.is_empty(), "{text}: {:?}", ev.problems);
        assert_eq!(ev.dynamic_build_requires, *dynamic, "{text}");
        if *same_on_4_18 {
            if let Some(rpm) = rpmbuild_dynamic(&text) {
                assert_eq!(rpm, *dynamic, "rpmbuild on {text}");
            }
        }
    }
}

/// Whether `rpmbuild -bs` (when installed) gives the SRPM of `text`
/// `rpmlib(DynamicBuildRequires)`.
fn rpmbuild_dynamic(text: &str) -> Option<bool> {
    rpmbuild_dynamic_with(text, &[])
}

/// [`rpmbuild_dynamic`] with `sources` in `%{_sourcedir}`.
fn rpmbuild_dynamic_with(text: &str, sources: &[(&str, &[u8])]) -> Option<bool> {
    let dir = tempfile::tempdir().unwrap();
    let srpm = oracle_support::rpmbuild_srpm(dir.path(), text.as_bytes(), sources, &[])?;
    let req = Command::new("rpm")
        .args(["-qp", "--requires"])
        .arg(srpm)
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&req.stdout).contains("rpmlib(DynamicBuildRequires)"))
}

/// A `%generate_buildrequires` section is a line that reads so once
/// expanded, however it came to be (`%%`, Lua's print, a macro's body),
/// and only if rpm reads a line after it: one that ends the spec makes no
/// section. The answers are rpmbuild's, 4.18 and 6.1 alike (asked of the
/// host's rpmbuild when it is installed).
#[test]
fn dynamic_build_requires_however_the_section_line_is_made() {
    let text = |global: &str, line: &str| {
        format!(
            "{HEAD}BuildRequires: gcc\n{global}\n%description\nd\n%prep\necho prep\n\
             {line}\necho foo\n%build\necho build\n%files\n"
        )
    };
    let cases = [
        (text("", "%%generate_buildrequires"), true),
        (text("", "%{lua: print(\"%generate_buildrequires\")}"), true),
        (
            text("", "%{lua: print(\"x\\n%generate_buildrequires\")}"),
            true,
        ),
        (text("%global gbr %%generate_buildrequires", "%gbr"), true),
        (
            text("%define gbr %%generate_buildrequires", "%{?gbr}"),
            true,
        ),
        (
            text("", "%{lua: print(\"%%generate_buildrequires\")}"),
            false,
        ),
        (text("%global gbr %generate_buildrequires", ""), false),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n"),
            false,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%generate_buildrequires\n%files\n"),
            true,
        ),
        // Any line rpm's readLine hands out after the section line makes
        // it: a conditional's line (handed out emptied), a line of a false
        // branch, a comment, blanks; a last line without a newline too.
        (
            format!("{HEAD}%description\nd\n%files\n%if 1\n%generate_buildrequires\n%endif\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n%if 0\nx\n%endif\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n%if 0\n%else\n%endif"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n# c\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\n  \t\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires\necho"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%generate_buildrequires"),
            false,
        ),
        // A conditional's line made by a macro counts; the section line
        // that ends %prep, or the last a macro hands out, makes none.
        (
            format!("{HEAD}%description\nd\n%files\n%if 1\n%generate_buildrequires\n%{{expand:%%endif}}\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%prep\necho p\n%generate_buildrequires\n"),
            false,
        ),
        (
            format!("{HEAD}%description\nd\n%prep\necho p\n%{{expand:echo x\n%%generate_buildrequires}}\n"),
            false,
        ),
        (
            format!("{HEAD}%description\nd\n%prep\necho p\n%{{expand:%%generate_buildrequires\necho x}}\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%{{expand:\n%%generate_buildrequires\n}}\n"),
            true,
        ),
        (
            format!("{HEAD}%description\nd\n%files\n%if 0\n%generate_buildrequires\n%endif\n"),
            false,
        ),
    ];
    let ctx = SpecContext::for_arch("x86_64");
    for (text, dynamic) in &cases {
        let ev = evaluate(text, &ctx).unwrap();
        assert!(ev.problems.is_empty(), "{text}: {:?}", ev.problems);
        assert_eq!(ev.dynamic_build_requires, *dynamic, "{text}");
        if let Some(rpm) = rpmbuild_dynamic(text) {
            assert_eq!(rpm, *dynamic, "rpmbuild on {text}");
        }
    }
}
