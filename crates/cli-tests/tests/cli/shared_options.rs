//! The options several tools share are one definition each (the core's
//! `cli` groups, flattened into every tool that takes them): every tool's
//! `--help` gives such an option the same text, and the texts unified from
//! the tools' own earlier ones (`--repo`, `--core`, `--release-package`,
//! the input list) are pinned here.

use std::collections::BTreeMap;

use cli_tests::{cmd, expect_error, std_cmd, TestContext, Tool};

/// Each option's help text in `tool --help`, whitespace folded (the layout
/// differs between tools: a help on the option's line or under it, a
/// default on its own line or at the end), by its long name (`[INPUT]` for
/// the list).
fn option_texts(tool: Tool) -> BTreeMap<String, String> {
    let out = std_cmd(tool).arg("--help").output().unwrap();
    assert!(out.status.success(), "{} --help", tool.name());
    let help = String::from_utf8(out.stdout).unwrap();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_options = false;
    for line in help.lines() {
        if line == "Options:" || line == "Arguments:" {
            in_options = true;
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() {
            in_options = false;
            current = None;
        }
        if !in_options {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let head = line.trim_start();
        if (2..=6).contains(&indent) && (head.starts_with('-') || head.starts_with('[')) {
            let mut words = head.split_whitespace().peekable();
            let mut name = String::new();
            while let Some(w) = words.peek() {
                let w = w.trim_end_matches(',');
                if w.starts_with("--") || w.starts_with('[') {
                    name = w.to_string();
                } else if !(w.starts_with('-') || w.starts_with('<')) {
                    break;
                }
                words.next();
            }
            let rest: Vec<&str> = words.collect();
            texts.insert(name.clone(), rest.join(" "));
            current = Some(name);
        } else if let Some(name) = &current {
            let text = texts.get_mut(name).unwrap();
            for w in head.split_whitespace() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(w);
            }
        }
    }
    texts
}

/// Every option two tools both take reads the same in both, but those
/// each tool defines for itself on purpose: its `--arch` (one arch, or
/// several with another default), `--allow-empty` (which says what the
/// empty list does there), `--json`, `--print`, `--view`, `--out`/
/// `--output-dir` (each its own output), fetch-compose's and
/// workload-diff's `-q` (which name their own lines), and the version and
/// help flags.
#[test]
fn a_shared_option_reads_the_same_in_every_tool() {
    const OWN: &[&str] = &[
        "--arch",
        "--allow-empty",
        "--json",
        "--print",
        "--view",
        "--out",
        "--output-dir",
        "--help",
        "--version",
    ];
    let mut seen: BTreeMap<String, (Tool, String)> = BTreeMap::new();
    let mut shared = 0;
    for tool in Tool::ALL {
        for (name, text) in option_texts(tool) {
            let own_quiet =
                name == "--quiet" && matches!(tool, Tool::FetchCompose | Tool::WorkloadDiff);
            if OWN.contains(&name.as_str()) || own_quiet {
                continue;
            }
            match seen.get(&name) {
                Some((first, t)) => {
                    shared += 1;
                    assert_eq!(
                        &text,
                        t,
                        "{name}: {} and {} say it differently",
                        first.name(),
                        tool.name()
                    );
                }
                None => {
                    seen.insert(name, (tool, text));
                }
            }
        }
    }
    // --repo, --core, --release-package, --macro-package, --macros,
    // --define, ... : many options are shared, and checked.
    assert!(shared > 20, "{shared}");
}

/// The texts unified from each tool's own: `--repo` (the generator's and
/// the archful tools' spec-macro repos), `--core` and `--release-package`
/// (the generator's core, the archful tools' macro buildroot) and the
/// input list, the same in the three tools that take them.
#[test]
fn the_unified_texts_are_pinned() {
    let repo = "Binary repository: ID=URL (a directory, file:// or http(s)://; $basearch, each \
                --arch's own, and $releasever are replaced). ID is the text before the first '=' \
                when it holds no '/' (my:repo=URL), else the whole is a bare URL, its own id \
                (https://h/r?a=b). Its macro packages, and those of --repofile's enabled \
                sections, define the spec macros (see --no-repo-macros)";
    let core = "Core buildroot names, comma-separated (default: mock's build group; '' for none: \
                --release-package alone). buildroot-generator installs it before each build's \
                BuildRequires; specs are read with the macro files of the packages it installs \
                and of --macro-package, not with those of BuildRequires";
    let release = "Release package added to the core buildroot (\"\" for none) [default: \
                   fedora-release-eln]";
    let input = "A file of source names, one per line (\"-\" or nothing: stdin); NEVRAs, SRPM \
                 file names and name-version-release lines (buildroot-generator's *-nvrs lists) \
                 are taken as their names [default: -]";
    for tool in [
        Tool::Generator,
        Tool::IdentifyArchful,
        Tool::CreateSrpmRepos,
    ] {
        let texts = option_texts(tool);
        for (name, want) in [
            ("--repo", repo),
            ("--core", core),
            ("--release-package", release),
            ("[INPUT]", input),
        ] {
            assert_eq!(
                texts.get(name).map(String::as_str),
                Some(want),
                "{} {name}",
                tool.name()
            );
        }
    }
}

/// buildroot-generator's own `--core-file` and the shared `--core` (the
/// core's `CoreArgs`, flattened in) are one choice: refused together in
/// either order, in clap's words, before anything is read. The relation
/// names `--core` by its arg id across the flattened group, which a
/// renamed field would leave dangling (a panic in a debug build, nothing
/// at all in a release one). The archful tools take `--core` without a
/// `--core-file`, and refuse that flag.
#[test]
fn the_generators_core_file_is_refused_beside_the_shared_core() {
    let t = TestContext::new();
    let core = t.join("core.txt");
    std::fs::write(&core, "bash\n").unwrap();
    let core = core.to_str().unwrap();
    let (given, file) = ("'--core <CORE>'", "'--core-file <FILE>'");
    for (args, first, second) in [
        (["--core", "bash", "--core-file", core], given, file),
        (["--core-file", core, "--core", ""], file, given),
    ] {
        let mut c = cmd(Tool::Generator);
        c.args(["--arch", "x86_64", "--repofile", "testdata/fixture.repo"])
            .args(args);
        assert_eq!(
            expect_error(&t, c, "hello\n"),
            format!(
                "buildroot-generator: the argument {first} cannot be used with {second} \
                 (try '--help')"
            ),
            "{args:?}"
        );
    }
    for tool in [Tool::IdentifyArchful, Tool::CreateSrpmRepos] {
        let mut c = cmd(tool);
        c.args(["--core", "bash", "--core-file", core]);
        let line = expect_error(&t, c, "");
        assert!(
            line.ends_with(
                "unexpected argument '--core-file' found; tip: a similar argument \
                            exists: '--repofile' (try '--help')"
            ),
            "{}: {line}",
            tool.name()
        );
    }
}
