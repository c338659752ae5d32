//! Every tool's `--help` examples, and README's, run as written: they are what
//! a release engineer copies first. They run in a scratch directory laid out as a
//! workflow run leaves it (`testdata/` linked in, the earlier steps' files
//! made from the fixtures), tools in workflow order, so an example may use
//! what an earlier one wrote. Examples that need the network or a real ELN
//! setup are listed in [`NOT_RUN`] with the reason.

use std::path::Path;
use std::process::Command;

use cli_tests::{bin, root, std_cmd, Tool};

/// Examples not run (a text they contain, and why).
const NOT_RUN: &[(&str, &str)] = &[
    ("--url https://", "needs the network"),
    (
        "--configs content-resolver-input/configs --view view-eln",
        "needs content-resolver-input's configs and the network",
    ),
    ("dnf repoquery", "runs dnf, not one of the tools"),
    (
        "../../last/",
        "run from a workflow run's directory (workload_diff_examples_run_in_a_run_directory)",
    ),
];

/// The tools, in workflow order.
const TOOLS: [Tool; 6] = [
    Tool::Generator,
    Tool::ComposeView,
    Tool::FetchCompose,
    Tool::IdentifyArchful,
    Tool::CreateSrpmRepos,
    Tool::WorkloadDiff,
];

/// The commands of the `Examples:` section of a `--help` text: comment
/// lines dropped, `\`-continued lines joined.
fn examples(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let section = help
        .lines()
        .skip_while(|l| l.trim_end() != "Examples:")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '));
    for line in section {
        let text = line.trim();
        if current.is_none() && (text.is_empty() || text.starts_with('#')) {
            continue;
        }
        let joined = match current.take() {
            Some(c) => format!("{c} {text}"),
            None => text.to_string(),
        };
        match joined.strip_suffix('\\') {
            Some(head) => current = Some(head.trim_end().to_string()),
            None => out.push(joined),
        }
    }
    out
}

/// Runs `c` and panics unless it succeeds.
fn must(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "setup {c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The generator on the fixture repos for `arch`, into `dir`.
fn generator_into(w: &Path, arch: &str, dir: &str) {
    must(
        std_cmd(Tool::Generator)
            .current_dir(w)
            .args(["--arch", arch, "--repofile", "eln.repo", "-q"])
            .args(["--output-dir", dir, "sources.txt"]),
    );
}

/// The files the examples take from earlier workflow steps or the user.
fn set_up(w: &Path) {
    let td = root().join("testdata");
    std::os::unix::fs::symlink(&td, w.join("testdata")).unwrap();
    std::fs::create_dir_all(w.join("content-resolver-input")).unwrap();
    std::os::unix::fs::symlink(
        td.join("content-resolver"),
        w.join("content-resolver-input/configs"),
    )
    .unwrap();
    for d in ["work", "compose", "last"] {
        std::fs::create_dir_all(w.join(d)).unwrap();
    }
    let copy = |from: &str, to: &str| std::fs::copy(w.join(from), w.join(to)).unwrap();
    copy("testdata/fixture.repo", "eln.repo");
    // A mock config's dnf.conf: [main] and the same repos.
    let repos = std::fs::read_to_string(w.join("eln.repo")).unwrap();
    std::fs::write(
        w.join("mock-dnf.conf"),
        format!("[main]\ninstall_weak_deps=0\nretries=20\n\n{repos}"),
    )
    .unwrap();
    copy("testdata/compose/sources.txt", "sources.txt");
    copy("testdata/compose/x86_64.txt", "compose/x86_64.txt");
    copy("testdata/compose/aarch64.txt", "compose/aarch64.txt");
    copy("testdata/compose/x86_64.txt", "compose.txt");
    copy("testdata/exclude.txt", "exclude.txt");
    for a in ["x86_64", "aarch64"] {
        generator_into(w, a, &format!("pass1/{a}"));
        generator_into(w, a, &format!("pass2/{a}"));
    }
    generator_into(w, "x86_64", "last/pass2/x86_64");
    copy("pass2/x86_64/buildroot-binary-package-names.txt", "br.txt");
    copy("br.txt", "workload-names.txt");
    let new_compose = std::fs::read_to_string(w.join("compose.txt")).unwrap()
        + &std::fs::read_to_string(w.join("br.txt")).unwrap();
    std::fs::write(w.join("new-compose.txt"), new_compose).unwrap();
    // A run's record of a repo it went on without (workload-diff --skipped-repos).
    std::fs::write(
        w.join("skipped-repos.txt"),
        "x86_64\tpass2\textras\tleft out: http://mirror/extras/repodata/repomd.xml: HTTP 404\n",
    )
    .unwrap();
    must(
        std_cmd(Tool::WorkloadDiff)
            .current_dir(w)
            .args([
                "--compose",
                "x86_64=compose.txt",
                "--buildroot",
                "x86_64=br.txt",
            ])
            .args(["-o", "last/eln-buildroot-workload.yaml"]),
    );
    copy("last/eln-buildroot-workload.yaml", "workload.yaml");
    copy("workload.yaml", "eln-buildroot-workload.yaml");
    // The packager's edited hello (a BuildRequires dropped), for --srpm.
    let hello = buildroot_core::srpm::SrpmSpec {
        name: "hello".into(),
        version: "2.12.1".into(),
        release: "2.eln150".into(),
        license: "MIT".into(),
        summary: "hello".into(),
        spec_name: "hello.spec".into(),
        spec_text: "Name: hello\nVersion: 2.12.1\nRelease: 2%{?dist}\nSummary: hello\n\
                    License: MIT\nBuildRequires: gcc make\n%description\nhello\n"
            .into(),
        build_requires: vec![
            buildroot_core::dep::Dep::name("gcc"),
            buildroot_core::dep::Dep::name("make"),
        ],
        host_arch: "x86_64".into(),
        build_time: 1,
        ..Default::default()
    };
    let bytes = buildroot_core::srpm::build_srpm(&hello).unwrap();
    std::fs::write(w.join("work/hello-2.12.1-2.eln150.src.rpm"), bytes).unwrap();
    std::fs::write(w.join("work/hello.spec"), &hello.spec_text).unwrap();
}

/// Whether `program` runs on this host.
fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

#[test]
fn help_examples_work_on_the_fixtures() {
    let t = tempfile::tempdir().unwrap();
    let w = t.path();
    set_up(w);
    let bin_dir = bin(Tool::Generator).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut skipped = Vec::new();
    for tool in TOOLS {
        let help = std_cmd(tool).arg("--help").output().unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        let commands = examples(&help);
        let mut ran = 0;
        for c in &commands {
            if let Some((_, why)) = NOT_RUN.iter().find(|(text, _)| c.contains(text)) {
                skipped.push(format!("{c}: {why}"));
                continue;
            }
            let missing = [("--rpmspec", "rpmspec"), ("| jq", "jq")]
                .into_iter()
                .find(|(text, program)| c.contains(text) && !have(program));
            if let Some((_, program)) = missing {
                skipped.push(format!("{c}: no {program} on this host"));
                continue;
            }
            let out = Command::new("bash")
                .args(["-o", "pipefail", "-c", c])
                .current_dir(w)
                .env("PATH", &path)
                .env("XDG_CACHE_HOME", w.join(".cache"))
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{} --help example failed ({}): {c}\n{}",
                tool.name(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
        assert!(
            ran > 0,
            "{}: no example ran of {commands:?}\n{help}",
            tool.name()
        );
    }
    eprintln!("not run:\n  {}", skipped.join("\n  "));
}

/// README's shell examples of the tools (its fenced `sh` blocks that call
/// `target/release/TOOL`): each command, with its `\`-continued lines and a
/// `for ... done` loop whole, and the comment lines written right under it
/// (the output README shows, when it shows one).
fn readme_examples(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_block = false;
    let mut block = Vec::new();
    let mut blocks = Vec::new();
    for line in readme.lines() {
        if in_block && line.trim_end() == "```" {
            in_block = false;
            blocks.push(std::mem::take(&mut block));
        } else if in_block {
            block.push(line);
        } else if line.trim_end() == "```sh" {
            in_block = true;
        }
    }
    for block in blocks
        .iter()
        .filter(|b| b.iter().any(|l| l.contains("target/release/")))
    {
        let (mut current, mut depth, mut after_command) = (String::new(), 0usize, false);
        for line in block {
            let text = line.trim();
            if current.is_empty() && (text.is_empty() || text.starts_with('#')) {
                match text.strip_prefix('#') {
                    Some(shown) if after_command => {
                        out.last_mut().unwrap().1.push(shown.trim().to_string())
                    }
                    _ => after_command = false,
                }
                continue;
            }
            current.push_str(line);
            current.push('\n');
            if text.starts_with("for ") && text.ends_with("do") {
                depth += 1;
            } else if text == "done" || text.starts_with("done ") {
                depth -= 1;
            }
            if depth == 0 && !text.ends_with('\\') {
                out.push((std::mem::take(&mut current), Vec::new()));
                after_command = true;
            }
        }
    }
    out
}

#[test]
fn readme_examples_work_on_the_fixtures() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = readme_examples(&readme);
    assert!(commands.len() >= 10, "README's examples: {commands:#?}");
    if !have("rpm2archive") {
        eprintln!("skipped: no rpm2archive on this host (README's hello.spec comes from it)");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let w = t.path();
    set_up(w);
    let bin_dir = format!("{}/", bin(Tool::Generator).parent().unwrap().display());
    let before = top_level(w);
    for (c, shown) in &commands {
        // The fixture's repos hold two of the four arches README's loop names.
        let c = c
            .replace("target/release/", &bin_dir)
            .replace("x86_64 aarch64 ppc64le s390x", "x86_64 aarch64");
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", &c])
            .current_dir(w)
            .env("XDG_CACHE_HOME", w.join(".cache"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "README example failed ({}): {c}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if !shown.is_empty() {
            let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(
                words(&String::from_utf8_lossy(&out.stdout)),
                words(&shown.join(" ")),
                "README shows another output for: {c}"
            );
        }
    }
    // README's examples run from the checkout's root: what they write goes
    // under work/, which git ignores (a hello.spec and an out/ were left in
    // the checkout, the spec over any of the user's own).
    assert_eq!(top_level(w), before, "README's examples wrote beside work/");
}

/// The entries of `dir` but `work/` and the cache (`.cache`): each file's
/// bytes, None for a directory or a link.
fn top_level(dir: &Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("work") && !p.ends_with(".cache"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let file = std::fs::symlink_metadata(&p).unwrap().is_file();
            (name, file.then(|| std::fs::read(&p).unwrap()))
        })
        .collect()
}

/// README's examples read files of the user's (a .repo file, a list of
/// sources, mock's dnf.conf) that the checkout does not have: a comment says
/// so before the first command naming each, in its shell blocks (the words
/// "files of yours" and the name). They were named as if they were there.
#[test]
fn readme_says_which_example_files_are_the_user_s() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut in_block = false;
    let mut comment = String::new();
    let mut said = std::collections::BTreeMap::new();
    for line in readme.lines() {
        match line.trim_end() {
            "```sh" => in_block = true,
            "```" => in_block = false,
            _ if !in_block => {}
            // The comments so far, in words: a sentence may span lines.
            l if l.trim_start().starts_with('#') => {
                comment.push(' ');
                comment.push_str(l.trim_start().trim_start_matches('#').trim());
            }
            l => {
                for name in ["eln.repo", "sources.txt", "mock-dnf.conf"] {
                    if l.contains(name) {
                        said.entry(name).or_insert_with(|| {
                            comment.contains(name) && comment.contains("files of yours")
                        });
                    }
                }
            }
        }
    }
    assert_eq!(said.len(), 3, "README's examples name them: {said:?}");
    assert!(
        said.values().all(|s| *s),
        "named as if they were there: {said:?}"
    );
}

#[test]
fn readme_examples_are_parsed_whole() {
    let readme = "x\n```sh\n# a\nprintf 'a\\n' | target/release/t --x \\\n    --y\n# out\n\n# b\nfor a in 1 2; do\n  target/release/t $a\ndone\n```\n```sh\nmake demo\n```\n";
    let got = readme_examples(readme);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        got[0].0,
        "printf 'a\\n' | target/release/t --x \\\n    --y\n"
    );
    assert_eq!(got[0].1, ["out"]);
    assert_eq!(got[1].0, "for a in 1 2; do\n  target/release/t $a\ndone\n");
    assert!(got[1].1.is_empty());
}

#[test]
fn examples_are_parsed_with_their_continuations() {
    let help = "About\n\nExamples:\n  # a comment\n  tool --a \\\n      --b x\n\n  other | \\\n      jq .\n\nExit codes:\n  0 ok\n";
    assert_eq!(examples(help), ["tool --a --b x", "other | jq ."]);
}

#[test]
fn tools_that_download_list_the_http_variables() {
    // workload-diff reads local files only.
    for tool in TOOLS.into_iter().filter(|t| *t != Tool::WorkloadDiff) {
        let help = std_cmd(tool).arg("--help").output().unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        for var in ["RETRIES", "BACKOFF", "MAX_WAIT", "TIMEOUT", "MINRATE"] {
            assert!(
                help.contains(&format!("RPM_BUILDROOT_HTTP_{var}")),
                "{} --help lacks RPM_BUILDROOT_HTTP_{var}",
                tool.name()
            );
        }
    }
}

/// Step numbers like `2, 10` or `5–7` / `5-7` as the steps they name.
fn step_numbers(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim().replace('–', "-");
        match part.split_once('-') {
            Some((a, b)) => out.extend(a.parse::<u32>().unwrap()..=b.parse::<u32>().unwrap()),
            None => out.push(part.parse().unwrap()),
        }
    }
    out
}

/// `scripts/buildroot-workflow.sh --help` numbers its stages with the
/// workflow's steps 1-10, as README's tools table does: every tool the help
/// names runs at steps README gives it.
#[test]
fn workflow_script_steps_match_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table: Vec<(String, Vec<u32>)> = readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let nums = cells.get(2)?;
            nums.starts_with(|c: char| c.is_ascii_digit())
                .then(|| (name.to_string(), step_numbers(nums)))
        })
        .collect();
    assert_eq!(table.len(), 6, "README's tools table: {table:?}");
    if !have("bash") {
        return;
    }
    let help = workflow_help();
    let mut seen = 0;
    for line in help.lines() {
        let Some(rest) = line.strip_prefix("  ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(nums), Some(tool)) = (words.next(), words.next()) else {
            continue;
        };
        if !nums.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let nums = step_numbers(nums);
        if let Some((_, want)) = table.iter().find(|(t, _)| t == tool) {
            assert!(
                nums.iter().all(|n| want.contains(n)),
                "{tool}: the script says steps {nums:?}, README {want:?}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 5, "tool lines in the script's --help:\n{help}");
}

/// `scripts/buildroot-workflow.sh --help`, which must succeed.
fn workflow_help() -> String {
    let out = Command::new("bash")
        .arg(root().join("scripts/buildroot-workflow.sh"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Every tool's `Exit codes:` section is laid out as written: `  N  text`
/// lines and their continuations indented under the text, none wrapped by
/// clap (which breaks lines past 100 columns).
#[test]
fn exit_codes_are_not_rewrapped() {
    for tool in TOOLS {
        let out = std_cmd(tool).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let section: Vec<&str> = help
            .lines()
            .skip_while(|l| *l != "Exit codes:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(
            !section.is_empty(),
            "{}: no Exit codes section",
            tool.name()
        );
        for l in section {
            let code = l.len() > 5
                && l.starts_with("  ")
                && l.as_bytes()[2].is_ascii_digit()
                && &l[3..5] == "  ";
            let more = l.starts_with("     ") && !l[5..].starts_with(' ');
            assert!(code || more, "{}: {l:?}", tool.name());
            assert!(l.len() <= 100, "{}: {l:?}", tool.name());
        }
    }
}

/// The workflow script's --help shows examples, as every tool's does, and
/// the configuration files they name are shipped.
#[test]
fn workflow_script_help_has_examples_of_shipped_configs() {
    if !have("bash") {
        return;
    }
    let help = workflow_help();
    let section: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Examples:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let commands: Vec<&str> = section
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("scripts/buildroot-workflow.sh "))
        .collect();
    assert!(commands.len() >= 2, "no examples in:\n{help}");
    assert!(commands.iter().any(|c| c.contains("--verify-only")));
    for c in commands {
        let mut words = c.split_whitespace();
        while let Some(w) = words.next() {
            if w == "--config" {
                let file = words.next().unwrap();
                assert!(root().join(file).is_file(), "{c}: {file} is not shipped");
            }
        }
    }
}

/// `scripts/demo.sh --help` (what a new user tries after `make demo`) shows
/// its usage and exits 0; an unknown argument is refused with the usage in
/// the one line.
#[test]
fn demo_script_has_help() {
    if !have("bash") {
        return;
    }
    let demo = root().join("scripts/demo.sh");
    let out = Command::new("bash")
        .arg(&demo)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("scripts/demo.sh [--work DIR] [--bin DIR]"),
        "{help}"
    );
    assert!(!help.contains("set -euo"), "{help}");
    let out = Command::new("bash")
        .arg(&demo)
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("'--bogus'") && err.contains("usage: scripts/demo.sh"),
        "{err}"
    );
}

/// workload-diff's examples say they run in a workflow run's directory:
/// they do, in one `scripts/demo.sh` made (its second run, `current/`, with
/// the first as `last/`), given the files the examples' comment says are
/// the user's own. They named `compose.txt`, `br.txt` and `workload.yaml`,
/// which no run holds, and wrote over the run's own workload.
#[test]
fn workload_diff_examples_run_in_a_run_directory() {
    if !have("bash") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let work = t.path().join("work");
    let bin_dir = bin(Tool::WorkloadDiff).parent().unwrap().to_path_buf();
    let demo = Command::new("bash")
        .arg(root().join("scripts/demo.sh"))
        .arg("--bin")
        .arg(&bin_dir)
        .arg("--work")
        .arg(&work)
        .env("XDG_CACHE_HOME", t.path().join("xdg"))
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let run = std::fs::canonicalize(work.join("current")).unwrap();
    let before = cli_tests::snapshot(&run);
    // The files of the user's that the examples' comment names; the previous
    // run is work/last/ as the workflow left it, ../../last/ from the run (a
    // last/ in the run, which the help named, is no directory a run has).
    std::fs::copy(root().join("testdata/exclude.txt"), run.join("exclude.txt")).unwrap();
    std::fs::write(run.join("skipped-repos.txt"), "").unwrap();
    std::fs::copy(run.join("compose/x86_64.txt"), run.join("new-compose.txt")).unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let help = std_cmd(Tool::WorkloadDiff).arg("--help").output().unwrap();
    let commands = examples(&String::from_utf8(help.stdout).unwrap());
    assert!(commands.len() >= 8, "{commands:?}");
    for c in &commands {
        if c.contains("| jq") && !have("jq") {
            continue;
        }
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", c])
            .current_dir(&run)
            .env("PATH", &path)
            .output()
            .unwrap();
        // verify exits 1 on the demo's run: it finds libxml2-devel, on purpose.
        let ok =
            out.status.success() || (c.contains("--format verify") && out.status.code() == Some(1));
        assert!(
            ok,
            "in a run directory ({}): {c}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The run's own files are as the workflow wrote them.
    let after = cli_tests::snapshot(&run);
    for (file, bytes) in &before {
        assert_eq!(after.get(file), Some(bytes), "{}", file.display());
    }
}

/// The command between backquotes that begins with `from` (its opening
/// backquote included) in `help`'s comment lines, read over their line breaks.
fn backquoted(help: &str, from: &str) -> String {
    let text: String = help
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ");
    let start = text.find(from).expect("the command in --help") + 1;
    text[start..start + text[start..].find('`').unwrap()].to_string()
}

/// The generator's --help says how to take the fixture's hello.spec out of
/// its SRPM for the --spec examples: that command works, and the spec it
/// gives runs the `--compare` example.
#[test]
fn the_help_says_how_to_get_the_fixtures_spec() {
    if !have("bash") || !have("rpm2archive") {
        eprintln!("skipped: no rpm2archive");
        return;
    }
    let help = std_cmd(Tool::Generator).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let command = &backquoted(&help, "`mkdir -p work && rpm2archive");
    let t = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("testdata"), t.path().join("testdata")).unwrap();
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", command])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{command}: {out:?}");
    let spec = std::fs::read_to_string(t.path().join("work/hello.spec")).unwrap();
    assert!(spec.contains("Name:           hello"), "{spec}");
    let out = std_cmd(Tool::Generator)
        .current_dir(t.path())
        .args(["--arch", "x86_64", "--repo", "main=testdata/repos/x86_64"])
        .args([
            "--source-repo",
            "src=testdata/repos/source",
            "--spec",
            "work/hello.spec",
        ])
        .args(["--compare", "-q", "--cache-dir"])
        .arg(t.path().join("cache"))
        .arg("testdata/compose/sources.txt")
        .output()
        .unwrap();
    // The repos' own spec changes nothing.
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
}

/// The --srpm example's file is one a packager can make from what --help says:
/// the fixture's SRPM unpacked whole, its spec's Release raised, and the
/// `rpmbuild -bs` command in backquotes writes the file the example names. The
/// example named a file nothing made, and said nothing of where it came from.
#[test]
fn the_help_says_how_to_make_the_srpm_example_s_file() {
    if !have("rpm2archive") || !have("rpmbuild") {
        eprintln!("skipped: no rpm2archive or rpmbuild");
        return;
    }
    let help = std_cmd(Tool::Generator).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    // As the help says: the spec's command without `./hello.spec`.
    let unpack = backquoted(&help, "`mkdir -p work && rpm2archive").replace(" ./hello.spec", "");
    let rpmbuild = backquoted(&help, "`rpmbuild -bs --define");
    let example = examples(&help)
        .into_iter()
        .find(|c| c.contains("--srpm "))
        .expect("an --srpm example");
    let t = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("testdata"), t.path().join("testdata")).unwrap();
    let sh = |c: &str| {
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", c])
            .current_dir(t.path())
            .env("XDG_CACHE_HOME", t.path().join(".cache"))
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin(Tool::Generator).parent().unwrap().display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .output()
            .unwrap();
        assert!(out.status.success(), "{c}: {out:?}");
    };
    sh(&unpack);
    sh("sed -i 's/^Release:\\( *\\)1\\./Release:\\12./' work/hello.spec");
    sh(&rpmbuild);
    sh(&example);
    // Run from the checkout's root, the recipe writes under work/ alone (it
    // left the spec, the tarball and the SRPM in the checkout).
    let mut top: Vec<_> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".cache")
        .collect();
    top.sort();
    assert_eq!(top, ["testdata", "work"]);
}

/// Every tool's --help says, after its exit codes, how an interrupted run
/// ends (130, 143, 129 and nothing half-written): the exit codes alone
/// listed 0, 1 and 2.
#[test]
fn every_help_says_how_an_interrupted_run_ends() {
    let paragraph = format!("\n\n{}\n\n", buildroot_core::cli::SIGNALS_HELP);
    for tool in TOOLS {
        let out = std_cmd(tool).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap() + "\n";
        let after = help.split("\nExit codes:\n").nth(1);
        assert!(
            after.is_some_and(|a| a.contains(&paragraph)),
            "{}:\n{help}",
            tool.name()
        );
    }
}
