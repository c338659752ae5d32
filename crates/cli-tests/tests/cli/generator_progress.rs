//! Progress: the library's seam reports every layer and source; the tool
//! draws it only on a terminal (a pseudo-terminal from `script`), never into
//! a pipe or with -q; failed sources are summed up per kind on the last
//! line (on a terminal the only line about them, in a pipe after a line per
//! source).

use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use buildroot_core::buildroot::{self, Config, Progress, DEFAULT_CORE};
use buildroot_core::pool::Pool;
use buildroot_core::rpmmd::{Filelists, LoadOptions, RepoSpec};
use cli_tests::{bin, pty, root, std_cmd, Tool, FIXTURE_X86_64};

#[test]
fn the_seam_reports_every_layer_and_source() {
    let r = root();
    let specs = [
        RepoSpec::new("main", r.join("testdata/repos/x86_64").to_str().unwrap()),
        RepoSpec::new("src", r.join("testdata/repos/source").to_str().unwrap()),
    ];
    let opts = LoadOptions {
        filelists: Filelists::Needed,
        cache_dir: None,
    };
    let pool = Pool::load("x86_64", &specs, &opts).unwrap();
    let cfg = Config {
        core: DEFAULT_CORE.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let input = [
        "hello".to_string(),
        "broken".to_string(),
        "nosuch".to_string(),
    ];
    let seen = Mutex::new(Vec::new());
    let br = buildroot::run_with_progress(&pool, &input, &cfg, |p| seen.lock().unwrap().push(p))
        .unwrap();
    let seen: Vec<Progress> = seen.into_inner().unwrap();
    let last = *seen.last().unwrap();
    assert_eq!(last.queued, 0);
    assert_eq!(last.resolved, br.sources.len());
    assert_eq!(last.failed, br.failed().count());
    assert!(last.failed >= 2, "{last:?}");
    let layers = last.layer;
    assert!(layers >= 2, "{last:?}");
    for l in 0..layers {
        let of: Vec<&Progress> = seen.iter().filter(|p| p.layer == l).collect();
        assert_eq!(of[0].layer_done, 0, "layer {l} starts at 0");
        let queued = of[0].queued;
        // One report per source of the layer, each count once.
        let mut done: Vec<usize> = of[1..].iter().map(|p| p.layer_done).collect();
        done.sort();
        assert_eq!(done, (1..=queued).collect::<Vec<_>>(), "layer {l}");
    }
}

/// Runs the generator with stderr on a pseudo-terminal; returns what the
/// terminal showed (stdout goes to /dev/null). None without `script`.
fn on_terminal(extra: &str, input: &str) -> Option<String> {
    if !cli_tests::has_script() {
        return None;
    }
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in.txt");
    std::fs::write(&inp, input).unwrap();
    let typescript = t.path().join("typescript");
    let gen = bin(Tool::Generator).display();
    let cmd = format!(
        "{gen} --arch x86_64 --repo main=testdata/repos/x86_64 --source-repo src=testdata/repos/source {extra} {} > /dev/null",
        inp.display()
    );
    let out = pty::output_or_kill(
        pty::script(&cmd, &typescript)
            .current_dir(root())
            .env("COLUMNS", "120"),
        pty::DEADLINE,
        "buildroot-generator on a terminal",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned())
}

#[test]
fn a_terminal_shows_the_fixed_point_and_sums_up_failures() {
    let Some(shown) = on_terminal("", "hello\nwebfetch\nbroken\nnosuch\n") else {
        return;
    };
    // Every layer's bar is drawn as the layer starts, however soon it ends
    // (these end in milliseconds), then its summary line.
    assert!(shown.contains("layer 0: "), "{shown}");
    for n in (0..).take_while(|n| shown.contains(&format!("layer {n}: "))) {
        let bar = shown.find(&format!("layer {n} [")).expect(&shown);
        assert!(
            bar < shown.find(&format!("layer {n}: ")).unwrap(),
            "{shown}"
        );
    }
    assert!(shown.contains("sources resolved"), "{shown}");
    // Each layer's summary ends its line: the next text starts a new one.
    let end = "in all so far)";
    for (i, _) in shown.match_indices(end) {
        let after = &shown[i + end.len()..];
        assert!(
            after.starts_with("\r\n") || after.starts_with('\n'),
            "{after:?}"
        );
    }
    assert!(shown.contains("ETA"), "{shown}");
    // Failures: a few are shown with why, then the counts.
    assert!(
        shown.contains("broken: NoInstall: nothing provides"),
        "{shown}"
    );
    assert!(
        shown.contains("2 sources failed: 1 NoInstall, 1 NoSource (details above)"),
        "{shown}"
    );
}

#[test]
fn a_terminal_shows_the_first_ten_failures() {
    let input: String = (1..=12).map(|i| format!("nosuch{i:02}\n")).collect();
    let Some(shown) = on_terminal("", &input) else {
        return;
    };
    assert_eq!(
        shown.matches("no source package of that name").count(),
        10,
        "{shown}"
    );
    assert!(shown.contains("nosuch10: "), "{shown}");
    assert!(!shown.contains("nosuch11: "), "{shown}");
    assert!(
        shown.contains(
            "12 sources failed: 12 NoSource (the first 10 above; all with --output-dir DIR \
             (errors/) or --json)"
        ),
        "{shown}"
    );
}

#[test]
fn quiet_on_a_terminal_shows_nothing() {
    let Some(shown) = on_terminal("-q", "hello\nbroken\n") else {
        return;
    };
    assert!(!shown.contains("layer"), "{shown}");
    assert!(!shown.contains("warning"), "{shown}");
}

#[test]
fn a_pipe_gets_no_progress() {
    let out = std_cmd(Tool::Generator)
        .args(FIXTURE_X86_64)
        .stdin(std::fs::File::open(root().join("testdata/compose/sources.txt")).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("layer"), "{err}");
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    // Every line is a warning about one source (the details, for logs).
    assert!(
        err.lines()
            .all(|l| l.starts_with("buildroot-generator: warning: ")),
        "{err}"
    );
    assert!(err.contains("broken: NoInstall"), "{err}");
    // The counts last, as on a terminal (CI logs read the total there).
    assert_eq!(
        err.lines().last().unwrap(),
        "buildroot-generator: warning: 2 sources failed: 1 NoInstall, 1 BadDeps (details above)",
        "{err}"
    );
    assert_eq!(err.matches("sources failed").count(), 1, "{err}");
}

#[test]
fn a_pipe_with_output_dir_points_at_errors_and_quiet_says_nothing() {
    let t = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out = std_cmd(Tool::Generator)
            .args(FIXTURE_X86_64)
            .args(extra)
            .arg("testdata/compose/sources.txt")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let dir = t.path().join("out");
    let err = run(&["--output-dir", dir.to_str().unwrap()]);
    assert_eq!(
        err.lines().last().unwrap(),
        format!(
            "buildroot-generator: warning: 2 sources failed: 1 NoInstall, 1 BadDeps (details in {})",
            dir.join("errors").display()
        ),
        "{err}"
    );
    assert_eq!(run(&["-q"]), "");
}

#[test]
fn a_list_read_from_a_terminal_is_announced() {
    // Started without its input file at a shell, the tool would wait in
    // silence; it says what it reads and how to end it (not with -q). Typed
    // input (here piped into script's terminal, which sends Ctrl-D at its
    // end) is taken.
    if !cli_tests::has_script() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let typescript = t.path().join("typescript");
    let gen = bin(Tool::Generator).display();
    let note = "buildroot-generator: note: reading the list (one item per line) from the terminal; end it with Ctrl-D";
    for quiet in ["", "-q"] {
        let cmd = format!(
            "{gen} --arch x86_64 --repo main=testdata/repos/x86_64 --source-repo src=testdata/repos/source {quiet} --print source-nvrs"
        );
        let mut child = pty::script(&cmd, &typescript)
            .current_dir(root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // What the terminal shows, as it comes (script copies it to stdout).
        let mut out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = out.read(&mut buf) {
                let _ = tx.send(buf[..n].to_vec());
            }
        });
        // Typed only once the note is shown: the terminal echoes what is
        // typed, and an echo that came while the tool wrote the note would
        // land inside it. The deadline only ends a run whose note never
        // comes (the assertion below then shows what came instead).
        if quiet.is_empty() {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut seen = Vec::new();
            while !String::from_utf8_lossy(&seen).contains(note) {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(chunk) = rx.recv_timeout(left) else {
                    break;
                };
                seen.extend(chunk);
            }
        }
        child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
        let what = "buildroot-generator reading a terminal";
        assert!(pty::wait_or_kill(&mut child, pty::DEADLINE, what).success());
        reader.join().unwrap();
        let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
        assert_eq!(shown.contains(note), quiet.is_empty(), "{quiet}: {shown}");
        assert!(shown.contains("hello-2.12.1-1.eln150"), "{shown}");
    }
}

#[test]
fn a_dumb_terminal_loses_no_line() {
    // TERM=dumb (or none): indicatif draws no bar, and would drop the lines
    // meant to go above one; they go straight to stderr instead. A retry
    // during a download is such a line.
    if !cli_tests::has_script() {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let server = cli_tests::http_support::Server::start(root().join("testdata/repos"));
    server.fault(
        "x86_64/repodata/repomd.xml",
        cli_tests::http_support::Fault::Status(503),
        Some(1),
    );
    let typescript = t.path().join("typescript");
    let cmd = format!(
        "{} --arch x86_64 --repo main={base}/x86_64 --source-repo src={base}/source --cache-dir {} testdata/compose/sources.txt > /dev/null",
        bin(Tool::Generator).display(),
        t.path().join("cache").display(),
        base = server.base,
    );
    let out = pty::output_or_kill(
        pty::script(&cmd, &typescript)
            .current_dir(root())
            .env("TERM", "dumb")
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05"),
        pty::DEADLINE,
        "buildroot-generator on a dumb terminal",
    );
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(
        shown.contains("/x86_64/repodata/repomd.xml: HTTP 503; retrying in "),
        "{shown}"
    );
    assert!(!shown.contains('\x1b'), "{shown:?}");
}
