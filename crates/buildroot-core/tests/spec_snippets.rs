//! Small specs of our own, one per syntax class the Fedora corpus uses,
//! each evaluated by us and by rpmspec 4.18 (when installed) for the same
//! arch with ELN's macros: the BuildRequires must be the same, and a spec
//! rpm rejects must be one we report a problem for.

use std::process::Command;

use buildroot_core::spec::{archful_with, evaluate, NoSources, SpecContext, ELN_MACROS};

const HEAD: &str = "Name: snip\nVersion: 1.2\nRelease: 3%{?dist}\nSummary: s\nLicense: MIT\n";

/// (what it tests, preamble text after the head, arch)
const SNIPPETS: &[(&str, &str, &str)] = &[
    ("multi-line %{?a:...}", "%global a 1\nBuildRequires: %{?a:one \\\n two}", "x86_64"),
    ("multi-line braces without backslash", "%global a 1\n%{?a:\nBuildRequires: nested\n}", "x86_64"),
    ("nested conditional macros", "%global a 1\n%global b 2\nBuildRequires: x%{?a:%{?b:-ab}}", "x86_64"),
    ("negated nested", "%global a 1\nBuildRequires: x%{!?a:-no}%{?a:%{!?b:-nob}}", "x86_64"),
    ("expand of a multi-line body", "%global brs %{expand:\nBuildRequires: e1\nBuildRequires: e2\n}\n%{brs}", "x86_64"),
    ("expand of escaped macros", "%global n 3\nBuildRequires: %{expand:%%{?n:n%%{n}}}", "x86_64"),
    ("defined and undefined", "BuildRequires: d%{defined rhel} u%{undefined fedora} d%{defined nosuch}", "x86_64"),
    ("with/without of bcond_with", "%bcond_with foo\nBuildRequires: w%{with foo} wo%{without foo}", "x86_64"),
    ("bcond_without", "%bcond_without bar\nBuildRequires: w%{with bar} wo%{without bar}", "x86_64"),
    ("bcond with expression default", "%bcond baz %{defined rhel}\nBuildRequires: w%{with baz}", "x86_64"),
    ("bcond false expression", "%bcond baz %[0%{?fedora} > 30]\nBuildRequires: w%{with baz}", "x86_64"),
    ("global with backslash continuation", "%global list a \\\n  b \\\n  c\nBuildRequires: %{list}", "x86_64"),
    ("define used later", "%define v 2\n%define n pkg%{v}\nBuildRequires: %{n}", "x86_64"),
    ("define is lazy, global is eager", "%define lazy %{x}\n%global eager %{x}\n%global x late\nBuildRequires: l-%{lazy} e-%{eager}", "x86_64"),
    ("if inside a global body", "%global brs %{expand:\n%if 0%{?rhel}\nBuildRequires: inrhel\n%endif\n}\n%{brs}", "x86_64"),
    ("if inside a global body, false", "%global brs %{expand:\n%if 0%{?fedora}\nBuildRequires: infedora\n%endif\nBuildRequires: always\n}\n%{brs}", "x86_64"),
    ("ifarch inside an expand", "%{expand:\n%ifarch x86_64\nBuildRequires: x86only\n%endif\n}", "x86_64"),
    ("ifarch inside an expand, other arch", "%{expand:\n%ifarch x86_64\nBuildRequires: x86only\n%endif\n}", "s390x"),
    ("lua print", "BuildRequires: %{lua: print('from-lua')}", "x86_64"),
    ("lua multi-line", "BuildRequires: %{lua:\nlocal t = {'a', 'b'}\nprint(table.concat(t, '-'))\n}", "x86_64"),
    ("lua rpm.expand", "BuildRequires: %{lua: print(rpm.expand('r%{rhel}'))}", "x86_64"),
    ("lua rpm.define", "%{lua: rpm.define('fromlua ok')}\nBuildRequires: %{fromlua}", "x86_64"),
    ("lua rpm.isdefined", "BuildRequires: %{lua: print(rpm.isdefined('rhel') and 'def' or 'undef')}", "x86_64"),
    ("lua macros table read", "BuildRequires: %{lua: print(macros.rhel)}x", "x86_64"),
    ("lua macros table assign", "%{lua: macros.assigned = 'yes'}\nBuildRequires: %{assigned}", "x86_64"),
    ("lua rpm.vercmp", "BuildRequires: v%{lua: print(rpm.vercmp('1.10', '1.9'))}", "x86_64"),
    ("lua returns a value", "BuildRequires: %{lua: return 'ret'}", "x86_64"),
    ("lua opt and arg", "%define lp(a:) %{lua: print((opt.a or 'none') .. '-' .. (arg[1] or 'noarg'))}\nBuildRequires: %lp -a x y", "x86_64"),
    ("lua arch condition", "BuildRequires: %{lua: if rpm.expand('%{_target_cpu}') == 'aarch64' then print('arm') else print('notarm') end}", "aarch64"),
    ("lua emits tags", "%{lua: print('BuildRequires: luatag\\n')}", "x86_64"),
    ("shell expansion", "BuildRequires: %(echo fromshell)", "x86_64"),
    ("shell expansion with macro", "%global w word\nBuildRequires: %(echo %{w}-sh)", "x86_64"),
    ("shell trailing newlines trimmed", "BuildRequires: a%(printf 'b\\n\\n')c", "x86_64"),
    ("parametric, rest of line", "%define p() pre-%1-%2\nBuildRequires: %p a b", "x86_64"),
    ("parametric in braces", "%define p() pre-%1\nBuildRequires: %{p a} other", "x86_64"),
    ("parametric with colon argument", "%define p() [%1][%#]\nBuildRequires: x%{p:a b}", "x86_64"),
    ("parametric option with value", "%define p(v:) %{-v*}\nBuildRequires: %p -v val", "x86_64"),
    ("parametric flag test", "%define p(f) %{-f:flag}%{!-f:noflag}\nBuildRequires: %p -f\nBuildRequires: %p", "x86_64"),
    ("parametric %* and %**", "%define p(f) [%*][%**]\nBuildRequires: %{p -f a b}", "x86_64"),
    ("parametric nested call hides outer args", "%define in() in%#\n%define out() %{in}-%1\nBuildRequires: %out a", "x86_64"),
    ("parametric called through %{?name}", "%define p() q%#\nBuildRequires: %{?p}", "x86_64"),
    ("unknown option fails", "%define p(a) x\nBuildRequires: %p -z", "x86_64"),
    ("S and P shorthands", "Source1: http://example.com/one.tar.gz\nBuildRequires: %{basename:%{S:1}}", "x86_64"),
    ("SOURCE macro path", "Source0: https://example.com/a/b/c-1.tar.gz#/renamed.tgz\nBuildRequires: %{basename:%{SOURCE0}}", "x86_64"),
    ("getenv", "BuildRequires: x%{getenv:NO_SUCH_VARIABLE_HERE}y", "x86_64"),
    ("shrink", "BuildRequires: %{shrink:   a    b   }", "x86_64"),
    ("quote keeps words together", "%define p() [%1]\nBuildRequires: %p %{quote:a b}", "x86_64"),
    ("basename and dirname", "BuildRequires: %{basename:/a/b/c} %{dirname:/a/b/c}", "x86_64"),
    ("suffix", "BuildRequires: s-%{suffix:file.tar.gz}", "x86_64"),
    ("expr builtin", "BuildRequires: n%{expr:2*21}", "x86_64"),
    ("expression expansion", "BuildRequires: n%[1 + 2 * 3]", "x86_64"),
    ("expression ternary", "BuildRequires: %[0%{?rhel} ? \"el\" : \"fc\"]", "x86_64"),
    ("expression versions", "%if v\"1.10\" > v\"1.9\"\nBuildRequires: newer\n%endif", "x86_64"),
    ("expression string compare", "%if \"%{_target_cpu}\" == \"ppc64le\"\nBuildRequires: power\n%endif", "ppc64le"),
    ("expression logical returns operand", "BuildRequires: n%[0 || 7]", "x86_64"),
    ("if with defined function", "%if %{defined eln}\nBuildRequires: eln\n%endif", "x86_64"),
    ("if with parens and not", "%if !(0%{?fedora} || 0%{?rhel} < 9)\nBuildRequires: new-el\n%endif", "x86_64"),
    ("elif chain", "%if 0%{?fedora}\nBuildRequires: f\n%elif 0%{?rhel} >= 11\nBuildRequires: el11\n%elif 0%{?rhel}\nBuildRequires: el\n%else\nBuildRequires: other\n%endif", "x86_64"),
    ("elif not expanded after a taken branch", "%if 1\nBuildRequires: first\n%elif %{nosuch_unexpandable}\nBuildRequires: second\n%endif", "x86_64"),
    ("elifarch", "%ifarch s390x\nBuildRequires: z\n%elifarch ppc64le aarch64\nBuildRequires: pa\n%else\nBuildRequires: x\n%endif", "aarch64"),
    ("elifos", "%ifos darwin\nBuildRequires: mac\n%elifos linux\nBuildRequires: lin\n%endif", "x86_64"),
    ("ifnarch with list macro", "%ifnarch %{ix86} x86_64\nBuildRequires: notx86\n%endif", "s390x"),
    ("ifarch with commas", "%ifarch x86_64,aarch64\nBuildRequires: comma\n%endif", "aarch64"),
    ("false branch is not expanded", "%if 0\n%global defined_in_false 1\n%endif\nBuildRequires: x%{?defined_in_false:-bad}", "x86_64"),
    ("define in a comment line runs", "#%global fromcomment yes\nBuildRequires: c-%{?fromcomment}", "x86_64"),
    ("undefine pops one definition", "%define st a\n%define st b\n%undefine st\nBuildRequires: %{st}", "x86_64"),
    ("undefined macro stays literal and fails as a dep", "BuildRequires: %{nosuch_macro}", "x86_64"),
    ("undefined macro in a value", "BuildRequires: x-%{?nosuch}y", "x86_64"),
    ("percent escape", "%global pct 100%%\nBuildRequires: x%{pct}", "x86_64"),
    ("tags define macros", "BuildRequires: %{name}-devel = %{version}", "x86_64"),
    ("uppercase tag macros", "BuildRequires: %{NAME}x", "x86_64"),
    ("subpackage summary macro", "%package sub\nSummary: subsum\nBuildRequires: %{summary}-x\n%description sub\nd", "x86_64"),
    ("subpackage -n", "%package -n other\nSummary: o\nBuildRequires: fromother\n%description -n other\nd", "x86_64"),
    ("duplicate BuildRequires collapse", "BuildRequires: a a\nBuildRequires: a", "x86_64"),
    ("versioned deps with ==", "BuildRequires: foo == 1.0, bar =< 2, baz => 3", "x86_64"),
    ("rich dependency", "BuildRequires: (foo >= 1.0 with foo < 2.0)", "x86_64"),
    ("rich or", "BuildRequires: (a or b or c)", "x86_64"),
    ("rich if else", "BuildRequires: (a if b else c)", "x86_64"),
    ("BuildPrereq counts", "BuildPrereq: oldstyle", "x86_64"),
    ("BuildConflicts are not requirements", "BuildConflicts: bad\nBuildRequires: good", "x86_64"),
    ("commas and tabs", "BuildRequires:\ta,\tb ,c", "x86_64"),
    ("tag case does not matter", "buildrequires: lower\nBUILDREQUIRES: upper", "x86_64"),
    ("BuildArch noarch re-parses with noarch", "BuildArch: noarch\n%ifarch x86_64\nBuildRequires: x86\n%else\nBuildRequires: notx86\n%endif", "x86_64"),
    ("BuildArch noarch, target_cpu", "BuildArch: noarch\nBuildRequires: cpu-%{_target_cpu}", "aarch64"),
    ("globals before BuildArch survive the re-parse", "%{!?once:%global once 1}\n%global counter %{?counter}x\nBuildArch: noarch\nBuildRequires: c%{counter}", "x86_64"),
    ("target_cpu and _arch", "BuildRequires: %{_target_cpu}-%{_arch}", "ppc64le"),
    ("isa", "BuildRequires: foo%{?_isa}", "s390x"),
    ("lib dir per arch", "BuildRequires: %{_lib}", "aarch64"),
    ("dnl comment", "%dnl a comment\nBuildRequires: afterdnl", "x86_64"),
    ("trailing whitespace and comment lines", "BuildRequires: a   \n   # comment\n\nBuildRequires: b", "x86_64"),
    ("sections other than preamble", "BuildRequires: a\n%description\nd\n%prep\n%global inprep 1\n%build\nmake\n%package late\nSummary: l\nBuildRequires: late-%{?inprep}\n%description late\nl", "x86_64"),
    ("generate_buildrequires does not hide static ones", "BuildRequires: static\n%description\nd\n%generate_buildrequires\necho dyn", "x86_64"),
    ("changelog expands too", "BuildRequires: a\n%description\nd\n%changelog\n* Mon Jan 01 2024 A <a@b> - 1\n- %{name} change", "x86_64"),
    ("unclosed macro fails", "BuildRequires: %{expand:oops", "x86_64"),
    ("unknown tag fails", "Frobnicate: yes\nBuildRequires: x", "x86_64"),
    ("dependency qualifiers", "Requires(post,postun): a\nRequires( pre ) : b\nOrderWithRequires(): c\nPreReq(any): d\nBuildRequires: x", "x86_64"),
    ("qualifiers split by a blank fail", "Requires(post, postun): a\nBuildRequires: x", "x86_64"),
    ("unknown qualifier fails", "Requires(bogus): a\nBuildRequires: x", "x86_64"),
    ("qualifier list ending in a comma fails", "OrderWithRequires(post,): a\nBuildRequires: x", "x86_64"),
    ("empty tag fails", "BuildRequires:\nBuildRequires: x", "x86_64"),
    ("dependency must start with a word", "BuildRequires: -bad", "x86_64"),
    ("version required after operator", "BuildRequires: foo >=", "x86_64"),
    ("error builtin fails", "%{error:stop here}\nBuildRequires: x", "x86_64"),
    ("bad if expression fails", "%if foo == bar\nBuildRequires: x\n%endif", "x86_64"),
    ("empty define body fails", "%define empty\nBuildRequires: x", "x86_64"),
    ("macro recursion fails", "%define r %{r}\nBuildRequires: %{r}", "x86_64"),
    ("lua error fails", "%{lua: error('boom')}\nBuildRequires: x", "x86_64"),
    ("lua syntax error fails", "%{lua: if then}\nBuildRequires: x", "x86_64"),
    ("name: arg passes one argument", "%define c() %#:%1\nBuildRequires: x%{c:one two}", "x86_64"),
    ("macro body in braces", "%define braced {a\nb}\nBuildRequires: %{braced}", "x86_64"),
    ("global expanding a parametric call", "%define p() v%1\n%global g %{p 7}\nBuildRequires: %{g}", "x86_64"),
    ("expand inside if condition", "%global cond 1\n%if %{expand:%%{?cond}}\nBuildRequires: yes\n%endif", "x86_64"),
    ("verbose", "BuildRequires: v%{verbose}", "x86_64"),
    ("macrobody", "%define mb %{x}y\nBuildRequires: %{macrobody:mb}", "x86_64"),
    ("shescape", "%global q %{shescape:it's}\nBuildRequires: %(echo %{q})", "x86_64"),
    ("lua in if condition", "%if %{lua: print(1)}\nBuildRequires: luacond\n%endif", "x86_64"),
    ("with from --with style macro", "%global _with_feat --with-feat\n%bcond_with feat\nBuildRequires: f%{with feat}", "x86_64"),
    ("without overrides default", "%global _without_feat --without-feat\n%bcond_without feat\nBuildRequires: f%{with feat}", "x86_64"),
    ("ExclusiveArch does not stop the query", "ExclusiveArch: s390x\nBuildRequires: x", "x86_64"),
    ("Epoch in versioned dep", "Epoch: 2\nBuildRequires: self = %{epoch}:%{version}", "x86_64"),
    ("Source autonumbering", "Source: a.tar\nSource: b.tar\nBuildRequires: %{basename:%{SOURCE1}}", "x86_64"),
    ("patch macros", "Patch3: fix.patch\nBuildRequires: %{basename:%{P:3}}", "x86_64"),
    ("tilde and caret versions", "BuildRequires: foo >= 1.0~rc1, bar >= 2^git", "x86_64"),
    ("file dependency", "BuildRequires: /usr/bin/python3", "x86_64"),
    ("parenthesised name", "BuildRequires: pkgconfig(glib-2.0) perl(Foo::Bar) >= 1", "x86_64"),
    ("multiple lines from one expansion", "%global two BuildRequires: one\\\nBuildRequires: two\n%{two}", "x86_64"),
    ("if 0 with else and nested if", "%if 0\n%if 1\nBuildRequires: never\n%endif\n%else\nBuildRequires: else\n%endif", "x86_64"),
    ("else after else fails", "%if 1\n%else\n%else\n%endif\nBuildRequires: x", "x86_64"),
    ("lua string functions", "BuildRequires: %{lua: print(string.upper('up') .. ('%d'):format(5))}", "x86_64"),
    ("lua splitargs", "BuildRequires: %{lua: print(#rpm.splitargs('a b  c'))}x", "x86_64"),
    ("lua ver object", "BuildRequires: %{lua: local v = rpm.ver('1:2.3-4') print(v.e .. v.v .. v.r)}", "x86_64"),
    ("lua patch numbers", "Patch7: a.patch\nPatch2: b.patch\nBuildRequires: %{lua: print(table.concat(patch_nums, '-'))}n", "x86_64"),
    ("autopatch sees the patches", "Patch1: a.patch\nBuildRequires: x\n%description\nd\n%prep\n%autosetup -p1", "x86_64"),
    ("lua sources table", "Source0: x.tar\nBuildRequires: %{lua: print(#sources)}n", "x86_64"),
    ("lua calls a parametric macro", "%define pm() <%1>\nBuildRequires: %{lua: print(macros.pm({'q'}))}", "x86_64"),
    ("lua io.popen", "BuildRequires: %{lua: local f = io.popen('echo popened; echo two') print(f:read('*l')) f:close()}", "x86_64"),
    ("lua io.read of the empty standard input", "BuildRequires: r-%{lua: print(io.read())}", "x86_64"),
    ("lua posix.stat of a missing file", "BuildRequires: s-%{lua: print(posix.stat('/nonexistent') == nil and 'missing' or 'found')}", "x86_64"),
    ("lua posix.uname release in an if", "%if %{lua: print(rpm.vercmp(posix.uname('%r'), '3.0'))} >= 0\nBuildRequires: newkernel\n%endif", "s390x"),
    ("lua pcall keeps going", "BuildRequires: %{lua: local ok = pcall(error, 'x') print(ok and 'no' or 'caught')}", "x86_64"),
];

fn spec(body: &str) -> String {
    format!("{HEAD}{body}\n%description\nd\n")
}

fn ours(text: &str, arch: &str) -> Result<Vec<String>, String> {
    let ev = evaluate(text, &SpecContext::for_arch(arch)).map_err(|e| e.to_string())?;
    if let Some(p) = ev.problems.first() {
        return Err(p.clone());
    }
    let mut v: Vec<String> = ev.build_requires.iter().map(|d| d.to_string()).collect();
    v.sort();
    v.dedup();
    Ok(v)
}

#[test]
fn snippets_agree_with_rpmspec() {
    assert!(SNIPPETS.len() >= 130, "{}", SNIPPETS.len());
    // SPEC_SNIPPETS_OUT=DIR writes them out as specs (sNNN.spec), for
    // `make spec-corpus SPECS=DIR RPM_ROOT=...`: the same snippets against
    // a newer rpm, with Fedora's macro set (docs/archful.md).
    if let Some(dir) = std::env::var_os("SPEC_SNIPPETS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, (_, body, _)) in SNIPPETS.iter().enumerate() {
            let path = std::path::Path::new(&dir).join(format!("s{:03}.spec", i + 1));
            std::fs::write(path, spec(body)).unwrap();
        }
    }
    // Every snippet evaluates without a panic, rpm or not.
    for (what, body, arch) in SNIPPETS {
        let _ = ours(&spec(body), arch).map_err(|e| format!("{what}: {e}"));
    }
    if Command::new("rpmspec").arg("--version").output().is_err() {
        eprintln!("skipped: rpmspec is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut bad = Vec::new();
    let mut both_parse = 0;
    for (i, (what, body, arch)) in SNIPPETS.iter().enumerate() {
        let text = spec(body);
        let path = dir.path().join(format!("s{i}.spec"));
        std::fs::write(&path, &text).unwrap();
        let mut cmd = Command::new("rpmspec");
        cmd.args(["-q", "--buildrequires", "--target", arch]);
        for (k, v) in ELN_MACROS {
            cmd.arg("--define").arg(format!("{k} {v}"));
        }
        let out = cmd.arg(&path).output().unwrap();
        let theirs: Result<Vec<String>, String> = if out.status.success() {
            let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            v.sort();
            v.dedup();
            Ok(v)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        };
        match (ours(&text, arch), theirs) {
            (Ok(a), Ok(b)) if a == b => both_parse += 1,
            (Err(_), Err(_)) => {}
            (a, b) => bad.push(format!("{what} ({arch}):\n  ours {a:?}\n  rpm  {b:?}")),
        }
    }
    assert!(bad.is_empty(), "{} differ:\n{}", bad.len(), bad.join("\n"));
    // Most snippets are specs rpm accepts: the failure classes are few.
    assert!(both_parse >= 105, "only {both_parse} parsed by both");
}

/// One evaluation standing for all four arches gives what evaluating each
/// arch on its own gives, for every snippet.
#[test]
fn snippets_shared_evaluation_equals_separate() {
    let arches = ["x86_64", "aarch64", "ppc64le", "s390x"];
    let shared = SpecContext::for_arch("x86_64");
    let mut separate = SpecContext::for_arch("x86_64");
    separate.share_evaluations = false;
    for (what, body, _) in SNIPPETS {
        let text = spec(body);
        let a = archful_with(&text, &arches, &shared, &NoSources);
        let b = archful_with(&text, &arches, &separate, &NoSources);
        match (a, b) {
            (Ok(mut a), Ok(mut b)) => {
                assert_eq!(b.evaluations, 4, "{what}");
                a.evaluations = 0;
                b.evaluations = 0;
                assert_eq!(a, b, "{what}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
            (a, b) => panic!("{what}: {a:?} / {b:?}"),
        }
    }
}

/// `%setup` and `%patch`, which rpm 4.20 and later define while `%prep` is
/// read (so a commented `# %setup -a 1` runs too): what they reject, as rpm
/// 6.1 does (checked against the sid root's rpmspec, each the same; rpm
/// 4.18 on the host reads `%prep` its own way, so these are not asked of
/// it). rpm 4.20 logs a missing source or patch number and goes on; rpm
/// 6.1 fails (dyninst, glob2, neovim, cross-binutils in the corpus).
#[test]
fn prep_setup_and_patch_as_rpm_6_1() {
    let decl = "Source0: a.tar\nSource1: b.tar\nPatch1: p.patch\nBuildRequires: x\n%description\nd\n%prep\n";
    // (what, %prep lines, the problem expected, or None: BuildRequires `x`)
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "clustered options",
            "%setup -qn foo-%{version} -a 1\n%patch -p1 -b.orig 1",
            None,
        ),
        (
            "-P and -- numbers",
            "%setup -q\n%patch -P1 -p1\n%patch -P 01\n%patch -p1 -- 1",
            None,
        ),
        (
            "%setup outside %prep stays text",
            "%setup -q\n%build\n%setup -a 9",
            None,
        ),
        (
            "commented %setup runs",
            "%setup -q\n# %setup -q -T -D -a 2",
            Some("No source number 2"),
        ),
        (
            "commented %patch runs",
            "%setup -q\n#%patch 0 -p0",
            Some("No patch number 0"),
        ),
        (
            "-P naming a missing patch",
            "%patch -P1 -P 2",
            Some("No patch number 2"),
        ),
        (
            "bad -a value",
            "%setup -q -a foo",
            Some("Bad arg to %setup: foo"),
        ),
        (
            "unknown %setup option",
            "%setup -q -z",
            Some("Bad %setup option -z: unknown option"),
        ),
        (
            "long option",
            "%setup --quiet",
            Some("Bad %setup option --quiet: unknown option"),
        ),
        (
            "-b without a value",
            "%setup -q -b",
            Some("Bad %setup option -b: missing argument"),
        ),
        (
            "%patch without a number",
            "%patch -p1",
            Some("Patch number not specified: patch -p1"),
        ),
        (
            "non-numeric patch",
            "%patch -P x",
            Some("Invalid patch number x: patch -P x"),
        ),
        (
            "unknown %patch option",
            "%patch -P 1 -q",
            Some("unknown option: -q: patch -P 1 -q"),
        ),
        (
            "non-numeric -F",
            "%patch -p1 -F 2x 1",
            Some("invalid numeric value: 2x"),
        ),
    ];
    for (what, prep, want) in cases {
        let text = format!("{HEAD}{decl}{prep}\n");
        let ev = evaluate(&text, &SpecContext::for_arch("x86_64")).unwrap();
        match want {
            None => assert!(ev.problems.is_empty(), "{what}: {:?}", ev.problems),
            Some(m) => assert!(
                ev.problems.first().is_some_and(|p| p.contains(m)),
                "{what}: {:?}",
                ev.problems
            ),
        }
    }
    // Without Source0, a plain %setup fails (rpm 6.1; rpm 4.20 goes on); -T skips it.
    let ev = evaluate(
        &format!("{HEAD}BuildRequires: x\n%description\nd\n%prep\n%setup -q\n"),
        &SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    assert_eq!(ev.problems, ["line 10: No source number 0"]);
    let ev = evaluate(
        &format!("{HEAD}BuildRequires: x\n%description\nd\n%prep\n%setup -q -T -c\n"),
        &SpecContext::for_arch("x86_64"),
    )
    .unwrap();
    assert!(ev.problems.is_empty(), "{:?}", ev.problems);
}
