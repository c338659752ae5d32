//! The whole workflow (`scripts/buildroot-workflow.sh`, every step, 2 to
//! 10) with everything it fetches served by a 127.0.0.1 server that
//! misbehaves as real mirrors do (tests/http_support in buildroot-core):
//! content-resolver's lists (step 2), a mirrorlist of two mirrors for
//! each binary repo and a metalink of two for the source repo (their
//! repomd.xml, primary, filelists), the SRPMs step 4 caches and the macro
//! packages steps 4-7 read. Each fault kind once on each kind of URL
//! publishes what the same run on local files publishes; a fault forever
//! ends the run with exit 2, the URL and the problem named on stderr, the
//! run kept as `failed/` and `current/` untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use cli_tests::http_support::{Fault, Server};
use cli_tests::{bin, root, snapshot, Tool};

const ARCHES: [&str; 2] = ["x86_64", "aarch64"];

/// The workflow's configuration: the same bytes for every run (it is
/// published as `workflow.conf`); the repos and the compose's URL come from
/// the environment.
const CONFIG: &str = r#"ARCHES="x86_64 aarch64"
REPOFILE="$FLAKY_REPOFILE"
COMPOSE_URL="$FLAKY_COMPOSE_URL"
RELEASE_PACKAGE="fedora-release-eln"
EXCLUDE_FILE="testdata/exclude.txt"
WORKLOAD_NAME="ELN Buildroot Workload"
WORKLOAD_MAINTAINER="rpm-buildroot"
WORKLOAD_LABELS="eln-buildroot"
"#;

/// The files the server serves: `m1/` and `m2/`, two mirrors of the
/// fixture's repos; `cr/`, content-resolver's published lists of the
/// fixture's compose; a mirrorlist per arch and a metalink of the source
/// repo, each listing `m1` then `m2`. Also writes `http.repo` (those
/// lists), `local.repo` (the fixture's directories) and `flaky.conf`.
struct Setup {
    server: Server,
    dir: PathBuf,
}

fn setup(t: &Path) -> Setup {
    let www = t.join("www");
    let cr = www.join("cr");
    std::fs::create_dir_all(&cr).unwrap();
    let repos = root().join("testdata/repos");
    for m in ["m1", "m2"] {
        std::os::unix::fs::symlink(&repos, www.join(m)).unwrap();
    }
    // The extras repo of x86_64 alone: aarch64's is gone (404).
    std::fs::create_dir(www.join("extras-x")).unwrap();
    std::os::unix::fs::symlink(repos.join("extras/x86_64"), www.join("extras-x/x86_64")).unwrap();
    // As content-resolver publishes them: sorted, once each, no final newline.
    let names = |f: &str| {
        let text = std::fs::read_to_string(root().join("testdata/compose").join(f)).unwrap();
        let mut v: Vec<_> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        v.sort();
        v.dedup();
        v.join("\n")
    };
    for a in ARCHES {
        let list =
            |kind: &str| cr.join(format!("view-{kind}-package-name-list--view-eln--{a}.txt"));
        std::fs::write(list("binary"), names(&format!("{a}.txt"))).unwrap();
        std::fs::write(list("source"), names("sources.txt")).unwrap();
    }
    let server = Server::start(www.clone());
    let base = &server.base;
    // The binary repos: a mirrorlist per arch; the source repo: a metalink.
    for a in ARCHES {
        std::fs::write(
            www.join(format!("mirrorlist-{a}.txt")),
            format!("{base}/m1/{a}/\n{base}/m2/{a}/\n"),
        )
        .unwrap();
    }
    let repomd = repos.join("source/repodata/repomd.xml");
    let sum = buildroot_core::rpmmd::file_digest(&repomd, "sha256").unwrap();
    let urls: String = ["m1", "m2"]
        .iter()
        .map(|m| format!("<url>{base}/{m}/source/repodata/repomd.xml</url>"))
        .collect();
    std::fs::write(
        www.join("metalink-source.xml"),
        format!(
            r#"<metalink><files><file name="repomd.xml"><verification><hash type="sha256">{sum}</hash></verification><resources>{urls}</resources></file></files></metalink>"#
        ),
    )
    .unwrap();
    let section = |id: &str, how: &str| format!("[{id}]\nname={id}\n{how}\npriority=10\n\n");
    std::fs::write(
        t.join("http.repo"),
        section(
            "fixture",
            &format!("mirrorlist={base}/mirrorlist-$basearch.txt"),
        ) + &section(
            "fixture-source",
            &format!("metalink={base}/metalink-source.xml"),
        ),
    )
    .unwrap();
    let file = |rel: &str| format!("baseurl=file://{}", repos.join(rel).display());
    std::fs::write(
        t.join("local.repo"),
        section("fixture", &file("$basearch")) + &section("fixture-source", &file("source")),
    )
    .unwrap();
    std::fs::write(t.join("flaky.conf"), CONFIG).unwrap();
    Setup {
        server,
        dir: t.to_path_buf(),
    }
}

impl Setup {
    /// The workflow as a user runs it, into `work`, over the server
    /// (`http`) or the fixture's directories; a cache of its own per
    /// `work`, and the fault tests' short backoff and timeout.
    fn run(&self, work: &Path, http: bool) -> Output {
        if http {
            self.run_with(work, "http.repo")
        } else {
            self.run_with(work, "local.repo")
        }
    }

    /// The workflow with the `.repo` file `repofile` of the setup's
    /// directory; the compose from the server unless it is `local.repo`.
    fn run_with(&self, work: &Path, repofile: &str) -> Output {
        self.run_config(work, repofile, "flaky.conf")
    }

    /// [`Self::run_with`] with the configuration file `config` of the
    /// setup's directory.
    fn run_config(&self, work: &Path, repofile: &str, config: &str) -> Output {
        let compose = if repofile == "local.repo" {
            self.dir.join("www/cr").display().to_string()
        } else {
            format!("{}/cr", self.server.base)
        };
        std::process::Command::new(root().join("scripts/buildroot-workflow.sh"))
            .arg("--bin")
            .arg(bin(Tool::Generator).parent().unwrap())
            .arg("--config")
            .arg(self.dir.join(config))
            .arg("--work")
            .arg(work)
            .current_dir(root())
            .env("XDG_CACHE_HOME", work.with_extension("xdg"))
            .env("FLAKY_REPOFILE", self.dir.join(repofile))
            .env("FLAKY_COMPOSE_URL", compose)
            .env("RPM_BUILDROOT_HTTP_BACKOFF", "0.05")
            .env("RPM_BUILDROOT_HTTP_TIMEOUT", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

/// What a run published (`WORK/current/`), each file's bytes, with the
/// run's own directory (`WORK/runs/ID`, in the `.repo` files that point
/// into it) written as `WORK/runs/ID`.
fn published(work: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let id = std::fs::read_link(work.join("current")).unwrap();
    let id = id.file_name().unwrap().to_str().unwrap().to_string();
    let mut files = snapshot(&work.join("current"));
    for bytes in files.values_mut() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let own = format!("{}/runs/{id}/", work.display());
            *bytes = text.replace(&own, "WORK/runs/ID/").into_bytes();
        }
    }
    files
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The kinds of URL the workflow fetches, each as the path suffixes of
/// some of its URLs (a suffix matches both mirrors: a fault once meets the
/// mirror asked first).
fn url_kinds() -> Vec<(&'static str, Vec<String>)> {
    let repodata = |repo: &str, kind: &str| {
        let dir = root().join("testdata/repos").join(repo).join("repodata");
        let name = cli_tests::dir_names(&dir)
            .into_iter()
            .find(|f| f.ends_with(&format!("-{kind}.xml.gz")))
            .unwrap();
        format!("/{repo}/repodata/{name}")
    };
    let list =
        |kind: &str, a: &str| format!("/cr/view-{kind}-package-name-list--view-eln--{a}.txt");
    vec![
        (
            "content-resolver list",
            vec![list("source", "x86_64"), list("binary", "aarch64")],
        ),
        ("metalink", vec!["/metalink-source.xml".into()]),
        (
            "mirrorlist",
            vec![
                "/mirrorlist-x86_64.txt".into(),
                "/mirrorlist-aarch64.txt".into(),
            ],
        ),
        (
            "repomd.xml",
            vec![
                "/x86_64/repodata/repomd.xml".into(),
                "/source/repodata/repomd.xml".into(),
            ],
        ),
        (
            "primary.xml.gz",
            vec![
                repodata("aarch64", "primary"),
                repodata("source", "primary"),
            ],
        ),
        (
            "filelists.xml.gz",
            vec![
                repodata("x86_64", "filelists"),
                repodata("source", "filelists"),
            ],
        ),
        (
            "SRPM (step 4)",
            vec![
                "/source/libjpeg-turbo-3.0.3-1.eln150.src.rpm".into(),
                "/source/zlib-1.3.1-1.eln150.src.rpm".into(),
            ],
        ),
        (
            "macro package (steps 4-7)",
            vec![
                "/x86_64/Packages/redhat-rpm-config-300-1.eln150.noarch.rpm".into(),
                "/aarch64/Packages/rpm-4.20.0-1.eln150.aarch64.rpm".into(),
            ],
        ),
    ]
}

/// The faults of real mirrors, each met once. A 404 is a mirror's answer
/// (one not synced yet): not for a URL that no other mirror serves.
fn faults(mirrored: bool) -> Vec<Fault> {
    let mut v = vec![
        Fault::Status(503),
        Fault::Status(500),
        Fault::ResetMidBody,
        Fault::Stall,
        Fault::ShortBody,
    ];
    if mirrored {
        v.push(Fault::Status(404));
    }
    v
}

#[test]
fn each_fault_once_on_each_kind_of_url_publishes_what_local_files_do() {
    let t = tempfile::tempdir().unwrap();
    // Every (fault, kind of URL) pair, in as few runs as there are URLs
    // given per kind: a run puts one fault on each of a kind's URLs (two
    // on the same URL, one after the other, for a kind of one URL).
    let mut runs: Vec<Vec<(String, Fault, Option<usize>)>> = Vec::new();
    // A kind's faults are rotated by its index, so that the stalls (1 s
    // each, one step after the other) are spread over the runs.
    for (k, (kind, urls)) in url_kinds().into_iter().enumerate() {
        let mirrored = !matches!(kind, "content-resolver list" | "metalink" | "mirrorlist");
        let per_run = 2;
        let faults = faults(mirrored);
        let n = faults.len();
        for (i, fault) in faults.into_iter().enumerate() {
            let i = (i + k) % n;
            let (r, slot) = (i / per_run, i % per_run);
            if runs.len() <= r {
                runs.push(Vec::new());
            }
            let url = urls[slot % urls.len()].clone();
            runs[r].push((url, fault, Some(1)));
        }
    }
    // The first mirror failing some files for good (a mirror mid-sync, a
    // node gone): the second serves them, also to the later steps.
    let primary = cli_tests::file_named(&root().join("testdata/repos/x86_64/repodata"), |f| {
        f.ends_with("-primary.xml.gz")
    });
    let primary = format!(
        "/m1/x86_64/repodata/{}",
        primary.file_name().unwrap().to_str().unwrap()
    );
    for (url, fault) in [
        (
            "/m1/source/bash-5.2.26-1.eln150.src.rpm",
            Fault::Status(404),
        ),
        (
            "/m1/source/gcc-14.2.1-1.eln150.src.rpm",
            Fault::ResetMidBody,
        ),
        (
            "/m1/x86_64/Packages/python-srpm-macros-3.13-1.eln150.noarch.rpm",
            Fault::Status(503),
        ),
        ("/m1/aarch64/repodata/repomd.xml", Fault::Status(503)),
        (&primary, Fault::ShortBody),
    ] {
        runs[0].push((url.to_string(), fault, None));
    }
    // The runs at once, each with a server of its own (its faults are
    // its own), beside the run on local files: most of their time is
    // the stalls' timeouts.
    let dir = |name: &str| {
        let d = t.path().join(name);
        std::fs::create_dir(&d).unwrap();
        d
    };
    std::thread::scope(|scope| {
        let local = scope.spawn(|| {
            let d = dir("local");
            let work = d.join("work");
            let out = setup(&d).run(&work, false);
            assert!(out.status.success(), "{}", stderr(&out));
            published(&work)
        });
        let https: Vec<_> = runs
            .iter()
            .enumerate()
            .map(|(r, faults)| {
                let d = dir(&format!("http-{r}"));
                scope.spawn(move || (faults, run_with_faults(&d, r, faults)))
            })
            .collect();
        let want = local.join().unwrap();
        for (r, h) in https.into_iter().enumerate() {
            let (faults, got) = h.join().unwrap();
            assert_eq!(
                got.keys().collect::<Vec<_>>(),
                want.keys().collect::<Vec<_>>(),
                "run {r}: {faults:?}"
            );
            for (path, bytes) in &want {
                assert!(
                    got[path] == *bytes,
                    "run {r}: {} differs ({faults:?})",
                    path.display()
                );
            }
        }
    });
}

/// Run `r` of [`each_fault_once_on_each_kind_of_url_publishes_what_local_files_do`]:
/// the workflow over a server of its own in `d` with `faults` (each
/// `times` times; `None`: forever), which must all be met; what it
/// published, as [`published`] reads it.
fn run_with_faults(
    d: &Path,
    r: usize,
    faults: &[(String, Fault, Option<usize>)],
) -> BTreeMap<PathBuf, Vec<u8>> {
    let s = setup(d);
    for (url, fault, times) in faults {
        s.server.fault(url, fault.clone(), *times);
    }
    let work = d.join("work");
    let start = std::time::Instant::now();
    let out = s.run(&work, true);
    let err = stderr(&out);
    assert!(out.status.success(), "run {r} {faults:?}: {err}");
    // Each fault was met: once, or at least once (forever).
    let log = s.server.requests();
    for (url, fault, times) in faults {
        let f = format!("{fault:?}");
        let met = |u: &str| {
            log.iter()
                .filter(|q| q.path.ends_with(u) && q.fault.as_deref() == Some(&f))
                .count()
        };
        match times {
            Some(_) => {
                let given = faults
                    .iter()
                    .filter(|g| g.0 == *url && format!("{:?}", g.1) == f)
                    .count();
                assert_eq!(met(url), given, "run {r}: {url} {f}: {log:#?}");
            }
            // A repo's metadata is asked of its mirrors in the list's
            // order, so the first mirror's fault is met. A package batch
            // sorts its mirrors as they do (librepo's adaptive sorting,
            // `mirror_tally.rs`): once the first mirror failed a file, the
            // second may be asked first for the next ones, so a package the
            // first mirror fails for good may never be asked of it.
            None if url.ends_with(".rpm") => {}
            None => assert!(met(url) > 0, "run {r}: {url} {f} not met: {log:#?}"),
        }
    }
    eprintln!("run {r}: {} faults in {:?}", faults.len(), start.elapsed());
    published(&work)
}

/// A fault forever: where the workflow stops and what the one line naming
/// the URL says.
struct Forever {
    url: &'static str,
    fault: Fault,
    step: &'static str,
    /// The arches a per-arch step fails for (none: a step run once). The
    /// first of them to fail stops the others, so the line naming the URL
    /// is said by those that had failed by then (one or several, in ARCHES
    /// order), and the step's line names them and the arches stopped.
    arches: &'static [&'static str],
    /// The line naming the URL: who says it (the tool, after the arches'
    /// prefix) and the problem.
    said_by: &'static str,
    problem: &'static str,
}

/// Whether `naming` (the line naming the URL) and `step_line` (the step's)
/// agree with a per-arch step failing for some of `arches`: the line said
/// by a non-empty subsequence of them (in ARCHES order), the step failed
/// for that subsequence, and any arch it stopped is one of the others (in
/// ARCHES order).
fn per_arch_failure(case: &Forever, naming: &str, step_line: &str) -> bool {
    let Some((who, said)) = naming.split_once(": ") else {
        return false;
    };
    let failed: Vec<&str> = who.split(' ').collect();
    let in_order = |names: &[&str], from: &[&str]| {
        let mut rest = ARCHES.iter().filter(|a| from.contains(a));
        names.iter().all(|n| rest.any(|a| a == n))
    };
    if failed.is_empty() || !in_order(&failed, case.arches) || !said.starts_with(case.said_by) {
        return false;
    }
    let prefix = format!("buildroot-workflow: {} failed for: {who}", case.step);
    let Some(tail) = step_line.strip_prefix(&prefix) else {
        return false;
    };
    let others: Vec<&str> = ARCHES
        .iter()
        .copied()
        .filter(|a| !failed.contains(a))
        .collect();
    match tail
        .strip_prefix(" (stopped: ")
        .and_then(|t| t.strip_suffix(')'))
    {
        None => tail.is_empty(),
        Some(stopped) => {
            let stopped: Vec<&str> = stopped.split(' ').collect();
            in_order(&stopped, &others)
        }
    }
}

#[test]
fn a_fault_forever_fails_the_run_naming_the_url_and_keeps_current() {
    let t = tempfile::tempdir().unwrap();
    let s = setup(t.path());
    let work = t.path().join("work");
    let out = s.run(&work, true);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = snapshot(&work.join("current"));
    let cases = [
        Forever {
            url: "/cr/view-binary-package-name-list--view-eln--aarch64.txt",
            fault: Fault::Stall,
            step: "step 2 (fetch-compose) failed",
            arches: &[],
            said_by: "fetch-compose: ",
            problem: ": stalled: less than 1000 bytes/s for 1 s after 150 bytes (RPM_BUILDROOT_HTTP_TIMEOUT and RPM_BUILDROOT_HTTP_MINRATE set the limits) (gave up after 4 attempts)",
        },
        Forever {
            url: "/mirrorlist-x86_64.txt",
            fault: Fault::Status(500),
            step: "step 3 (buildroot-generator pass 1)",
            arches: &["x86_64"],
            said_by: "buildroot-generator: ",
            problem: ": HTTP 500 (gave up after 4 attempts), in each of 3 rounds",
        },
        // The source repo: every arch fails alike, said once (by those
        // that failed before the first failure stopped the others).
        Forever {
            url: "/metalink-source.xml",
            fault: Fault::ShortBody,
            step: "step 3 (buildroot-generator pass 1)",
            arches: &ARCHES,
            said_by: "buildroot-generator: ",
            problem: ": the server closed the connection after ",
        },
        // Both mirrors of the metalink.
        Forever {
            url: "/source/repodata/repomd.xml",
            fault: Fault::Status(404),
            step: "step 3 (buildroot-generator pass 1)",
            arches: &ARCHES,
            said_by: "buildroot-generator: ",
            problem: "/m2/source/repodata/repomd.xml: HTTP 404",
        },
        Forever {
            url: "/source/libjpeg-turbo-3.0.3-1.eln150.src.rpm",
            fault: Fault::ResetMidBody,
            step: "step 4 (identify-archful-srpms) failed",
            arches: &[],
            said_by: "identify-archful-srpms: ",
            problem: ": connection reset by peer after ",
        },
        Forever {
            url: "/aarch64/Packages/rpm-4.20.0-1.eln150.aarch64.rpm",
            fault: Fault::Status(503),
            step: "step 4 (identify-archful-srpms) failed",
            arches: &[],
            said_by: "identify-archful-srpms: ",
            problem: ": HTTP 503",
        },
    ];
    for case in cases {
        let url = case.url;
        s.server.clear_faults();
        s.server.fault(url, case.fault.clone(), None);
        // Cold caches, so that what the last run cached is fetched again.
        let _ = std::fs::remove_dir_all(work.join("srpm-cache"));
        let _ = std::fs::remove_dir_all(work.with_extension("xdg"));
        let out = s.run(&work, true);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(out.stdout.is_empty(), "{url}");
        // One line names the URL and the problem; the workflow's own lines
        // after it name the step and where the run is kept.
        let naming: Vec<_> = err.lines().filter(|l| l.contains(url)).collect();
        assert_eq!(naming.len(), 1, "{url}: {err}");
        assert!(naming[0].contains(case.problem), "{url}: {err}");
        let tail: Vec<_> = err.lines().rev().take(3).collect();
        assert_eq!(tail[2], naming[0], "{url}: {err}");
        if case.arches.is_empty() {
            assert!(naming[0].starts_with(case.said_by), "{url}: {err}");
            assert_eq!(
                tail[1],
                format!("buildroot-workflow: {}", case.step),
                "{url}: {err}"
            );
        } else {
            assert!(per_arch_failure(&case, naming[0], tail[1]), "{url}: {err}");
        }
        let kept = format!(
            "buildroot-workflow: run failed; its output is kept in {}/failed/",
            work.display()
        );
        assert!(tail[0].starts_with(&kept), "{url}: {err}");
        // current/ is as it was; the run is failed/, with the line in
        // error.txt and no half-written file.
        assert!(
            snapshot(&work.join("current")) == before,
            "{url}: current/ changed"
        );
        let failed = snapshot(&work.join("failed"));
        let error = String::from_utf8_lossy(&failed[Path::new("error.txt")]);
        assert!(error.lines().any(|l| l == naming[0]), "{url}: {error}");
        let temps: Vec<_> = failed
            .keys()
            .filter(|p| {
                p.iter().any(|c| {
                    c.to_str().unwrap().starts_with(".tmp") || c.to_str().unwrap().contains(".new")
                })
            })
            .collect();
        assert!(temps.is_empty(), "{url}: {temps:?}");
    }
}

/// A repo with `skip_if_unavailable=1` gone for one arch (aarch64's extras
/// answers 404): the run goes on without it, as dnf goes on ("Ignoring
/// repositories"), and is published; each step that left it out says so
/// on the workflow's stderr (the tools run quiet, which dropped the line).
/// The published run records it (`skipped-repos.txt`, step 10's in
/// `verify/`; none in a whole run), changes.md and the last lines say so,
/// and the next run's changes.md says the previous one lacked it.
/// Gone after pass 1: the later steps say so, pass 1 does not.
#[test]
fn a_repo_skipped_on_one_arch_is_said_by_every_step_that_skipped_it() {
    let t = tempfile::tempdir().unwrap();
    let s = setup(t.path());
    let base = &s.server.base;
    let http = std::fs::read_to_string(t.path().join("http.repo")).unwrap();
    std::fs::write(
        t.path().join("skip.repo"),
        format!(
            "{http}[extras]\nname=extras\nbaseurl={base}/extras-x/$basearch\npriority=20\n\
             skip_if_unavailable=1\n"
        ),
    )
    .unwrap();
    let work = t.path().join("work");
    let out = s.run_with(&work, "skip.repo");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(work.join("current/eln-buildroot-workload.yaml").is_file());
    let said = format!(
        "warning: repo 'extras' skipped (skip_if_unavailable=1): \
         {base}/extras-x/aarch64/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)"
    );
    let by = |who: &str| {
        err.lines()
            .filter(|l| *l == format!("{who}: {said}"))
            .count()
    };
    // Pass 1, pass 2 and step 10; steps 4 and 5-7.
    assert_eq!(by("aarch64: buildroot-generator"), 3, "{err}");
    assert_eq!(by("aarch64: create-srpm-repos"), 1, "{err}");
    assert_eq!(by("identify-archful-srpms"), 1, "{err}");
    // Recorded in the run: an arch, a step, the repo, what happened.
    let why = format!("left out: {base}/extras-x/aarch64/repodata/repomd.xml: HTTP 404 (gave up after 4 attempts)");
    let record = |f: &str| std::fs::read_to_string(work.join("current").join(f)).unwrap();
    assert_eq!(
        record("skipped-repos.txt"),
        format!(
            "-\tarchful\textras\t{why}\naarch64\tpass1\textras\t{why}\n\
             aarch64\tpass2\textras\t{why}\naarch64\trepos\textras\t{why}\n"
        )
    );
    assert_eq!(
        record("verify/skipped-repos.txt"),
        format!("aarch64\tverify\textras\t{why}\n")
    );
    let changes = record("changes.md");
    let section = "\n\n## Repositories left out\n\nThis run was computed without the repositories \
                   below (`skip_if_unavailable=1`, unavailable;\n`skipped-repos.txt` says for \
                   which arch and step, and why): what only they hold is missing\nfrom that \
                   run, and shows above as leaving, or entering once they are back.\n\n\
                   - `extras` (archful, aarch64 pass1, aarch64 pass2, aarch64 repos)\n\n";
    assert!(changes.ends_with(section), "{changes}");
    // changes.json carries the record too, for a script that reads only it.
    let json = |w: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(w.join("current/changes.json")).unwrap())
            .unwrap()
    };
    let j = json(&work);
    let reason = why.strip_prefix("left out: ").unwrap();
    let places: Vec<(&str, &str)> = j["skipped_repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(
                (&s["repo"], &s["left_out"], &s["reason"]),
                (&"extras".into(), &"repo".into(), &reason.into())
            );
            (
                s["arch"].as_str().unwrap_or("-"),
                s["step"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("-", "archful"),
            ("aarch64", "pass1"),
            ("aarch64", "pass2"),
            ("aarch64", "repos")
        ]
    );
    assert!(j.get("previous_skipped_repos").is_none(), "{j}");
    // The last lines say so: the record, then step 10's.
    let last: Vec<_> = err.lines().rev().take(2).collect();
    let cur = work.join("current");
    assert_eq!(
        last[1],
        format!(
            "buildroot-workflow: warning: this run was computed without repos that \
             skip_if_unavailable=1 left out: extras (archful, aarch64 pass1, aarch64 pass2, \
             aarch64 repos); {}/skipped-repos.txt says why",
            cur.display()
        )
    );
    assert_eq!(
        last[0],
        format!(
            "buildroot-workflow: warning: step 10 (verify) ran without repos that \
             skip_if_unavailable=1 left out: extras (aarch64 verify); \
             {}/verify/skipped-repos.txt says why",
            cur.display()
        )
    );
    assert_eq!(
        err.lines().filter(|l| l.contains("warning: ")).count(),
        7,
        "{err}"
    );

    // The next run, whole: no record, and its changes.md says the
    // previous run was computed without the repo, pointing at the copy of
    // that run's record it keeps (`previous/`: the run is pruned later).
    let record = std::fs::read(work.join("current/skipped-repos.txt")).unwrap();
    let out = s.run(&work, true);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("warning: "), "{err}");
    assert!(!work.join("current/skipped-repos.txt").exists());
    assert!(!work.join("current/verify/skipped-repos.txt").exists());
    let changes = std::fs::read_to_string(work.join("current/changes.md")).unwrap();
    assert!(
        changes.ends_with(&section.replace("This run", "The previous run").replace(
            "\n`skipped-repos.txt`",
            "\nits `skipped-repos.txt` (a copy: `previous/skipped-repos.txt`)"
        )),
        "{changes}"
    );
    assert_eq!(
        std::fs::read(work.join("current/previous/skipped-repos.txt")).unwrap(),
        record
    );
    let j = json(&work);
    assert!(j.get("skipped_repos").is_none(), "{j}");
    assert_eq!(
        j["previous_skipped_repos"].as_array().unwrap().len(),
        4,
        "{j}"
    );

    // Gone mid-run: aarch64's extras answers pass 1 (its one request),
    // then 503 for good. Pass 1 read it, the later steps say they did not.
    std::fs::write(
        t.path().join("skip.repo"),
        format!(
            "{http}[extras]\nname=extras\nbaseurl={base}/extras/$basearch\npriority=20\n\
             skip_if_unavailable=1\n"
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        root().join("testdata/repos/extras"),
        t.path().join("www/extras"),
    )
    .unwrap();
    let repomd = "/extras/aarch64/repodata/repomd.xml";
    s.server.fault_after(repomd, 1, Fault::Status(503), None);
    let work = t.path().join("work-mid");
    let out = s.run_with(&work, "skip.repo");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let said = format!(
        "warning: repo 'extras' skipped (skip_if_unavailable=1): \
         {base}{repomd}: HTTP 503 (gave up after 4 attempts)"
    );
    let steps: Vec<_> = err
        .lines()
        .filter(|l| l.starts_with("== ") || l.ends_with(&said))
        // A step by its number and first word; a skip's line by who said it.
        .map(|l| match l.split_once(": warning: ") {
            Some((who, _)) => who.to_string(),
            None => l.split(' ').take(3).collect::<Vec<_>>().join(" "),
        })
        .collect();
    let want = [
        "== 2 fetch-compose",
        "== 3 buildroot-generator",
        "== 4 identify-archful-srpms",
        "identify-archful-srpms",
        "== 5-7 create-srpm-repos",
        "aarch64: create-srpm-repos",
        "== 7 buildroot-generator",
        "aarch64: buildroot-generator",
        "== 8 workload-diff",
        "== 10 verify:",
        "aarch64: buildroot-generator",
        "== done. Results",
    ];
    assert_eq!(steps, want, "{err}");
    let why = format!("left out: {base}{repomd}: HTTP 503 (gave up after 4 attempts)");
    assert_eq!(
        std::fs::read_to_string(work.join("current/skipped-repos.txt")).unwrap(),
        format!(
            "-\tarchful\textras\t{why}\naarch64\tpass2\textras\t{why}\n\
             aarch64\trepos\textras\t{why}\n"
        )
    );
}

/// Every tool of a run shares one metadata cache: the generators' (steps
/// 3, 7 and 10, `XDG_CACHE_HOME` here), which the archful tools (steps
/// 4-7) default to as well. So a repo file, the binary repos' and the
/// source repo's alike, is downloaded once per run, whatever the arches
/// and the tools that load it: the arches' tools run at once, and one that
/// finds another's download of the file under way waits for it and reads
/// that copy (`download_lock.rs`; 20 rounds of 4 generators at once on one
/// fresh cache asked for it once a round). Before, the archful tools kept
/// their own copy in the SRPM cache's `.metadata/`, and each file was
/// downloaded twice a run. repomd.xml and the lists of mirrors are fetched
/// by every tool's run (each reads its own). A second run downloads none
/// of them again.
#[test]
fn each_repo_file_is_downloaded_once_per_run() {
    let t = tempfile::tempdir().unwrap();
    let s = setup(t.path());
    let work = t.path().join("work");
    // The files of `log` under repodata/ but repomd.xml, each with how many
    // times it was asked for (of either mirror).
    let counts = |log: &[cli_tests::http_support::Request]| {
        let mut n: BTreeMap<String, usize> = BTreeMap::new();
        for r in log {
            let Some((_, path)) = r.path.split_once("/m1/").or(r.path.split_once("/m2/")) else {
                continue;
            };
            if path.contains("/repodata/") && !path.ends_with("/repomd.xml") {
                *n.entry(path.to_string()).or_default() += 1;
            }
        }
        n
    };
    let out = s.run(&work, true);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = counts(&s.server.requests());
    let dir = root().join("testdata/repos/source/repodata");
    for kind in ["primary", "filelists"] {
        let name = cli_tests::dir_names(&dir)
            .into_iter()
            .find(|f| f.ends_with(&format!("-{kind}.xml.gz")))
            .unwrap();
        assert!(
            first.contains_key(&format!("source/repodata/{name}")),
            "{first:#?}"
        );
    }
    for a in ARCHES {
        assert!(
            first
                .keys()
                .any(|f| f.starts_with(&format!("{a}/repodata/"))),
            "{a}: {first:#?}"
        );
    }
    let twice: Vec<_> = first.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "once per run: {twice:#?}");
    // Nothing in the SRPM cache but SRPMs and their records: no metadata.
    assert!(!work.join("srpm-cache/.metadata").exists());
    s.server.clear_log();
    let out = s.run(&work, true);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = counts(&s.server.requests());
    assert!(again.is_empty(), "the second run: {again:#?}");
}

/// With one arch in ARCHES, identify-archful-srpms' note that nothing can
/// be archful (it names its `--arch`, which the workflow's user never
/// gave) is shown worded for the workflow: ARCHES, in the config.
#[test]
fn one_arch_s_note_names_arches_not_the_tool_s_option() {
    let t = tempfile::tempdir().unwrap();
    let s = setup(t.path());
    let one = CONFIG.replace("ARCHES=\"x86_64 aarch64\"", "ARCHES=\"x86_64\"");
    assert_ne!(one, CONFIG);
    std::fs::write(t.path().join("one-arch.conf"), one).unwrap();
    let out = s.run_config(&t.path().join("work"), "local.repo", "one-arch.conf");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let want = "   ARCHES names one arch (x86_64): no source can be archful (BuildRequires that \
                differ between arches); name two or more arches in ARCHES (the config) to find \
                them";
    assert!(err.lines().any(|l| l == want), "{err}");
    assert!(!err.contains("--arch"), "{err}");
    // The note is not a warning: archful/warnings.txt does not hold it.
    let warnings = t.path().join("work/current/archful/warnings.txt");
    let warnings = std::fs::read_to_string(warnings).unwrap();
    assert!(!warnings.contains("one arch"), "{warnings}");
}
