//! The support of the command-line tests of every rpm-buildroot tool
//! (`tests/cli/`): where the checkout is ([`root`]), the tools' binaries
//! ([`bin`], [`cmd`]) built fresh from the workspace's sources, a temp
//! directory that error messages are normalised against ([`TestContext`]),
//! the shared fixtures ([`fixture`], [`big_srpm_repo`] and the bytes a run
//! reads, [`bytes_read_by`]), and a deadline for runs on a
//! pseudo-terminal ([`pty`]).
//!
//! # Why the binaries are built here
//!
//! Cargo gives an integration test `CARGO_BIN_EXE_<name>` only for the bins
//! of its own package, and a tool crate cannot be a dependency of another
//! package (it has no library). Tests that ran another tool used to take
//! their own binary's path and swap the file name, so `cargo test -p
//! create-srpm-repos` after a change to buildroot-core ran an
//! identify-archful-srpms built from the old sources. Here, the first use of
//! a binary in a test process runs `cargo build --workspace --bins` (the
//! profile of the running test, the same cargo, config and environment) and
//! takes every tool's path from cargo's own JSON report, so cargo decides
//! freshness as it does for any build. `cargo test` no longer holds the
//! build-directory lock while tests run, so this works under it; when
//! nothing changed it costs cargo's up-to-date check (well under a second),
//! once per test process. The test `fresh_binaries` checks the result: every
//! tool's binary is newer than every source file of its crate and of
//! buildroot-core, and than the buildroot-core library cargo just built.
//!
//! The other design, a package whose own `[[bin]]`s are the tools (their
//! logic moved into libraries), was not taken: it would either give two
//! packages bins of the same name (cargo warns of colliding outputs) or move
//! every tool into one package, and the tests would not run the binaries
//! that `cargo build` and the scripts use.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use buildroot_core::srpm::{build_srpm, read_header, srpm_file_name, SourceFile, SrpmSpec};

#[path = "../../buildroot-core/tests/http_support/mod.rs"]
pub mod http_support;
pub mod pty;
#[path = "../../buildroot-core/tests/tls_support/mod.rs"]
pub mod tls_support;

/// The tools of the workspace: every package with a binary that users run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tool {
    /// `buildroot-generator`: the buildroot fixed point.
    Generator,
    /// `identify-archful-srpms`: archful sources and the SRPM cache.
    IdentifyArchful,
    /// `create-srpm-repos`: per-arch source repositories.
    CreateSrpmRepos,
    /// `workload-diff`: the ELN-Buildroot workload.
    WorkloadDiff,
    /// `compose-view`: content-resolver's view from its configs.
    ComposeView,
    /// `fetch-compose`: content-resolver's published lists.
    FetchCompose,
}

impl Tool {
    /// Every tool.
    pub const ALL: [Tool; 6] = [
        Tool::Generator,
        Tool::IdentifyArchful,
        Tool::CreateSrpmRepos,
        Tool::WorkloadDiff,
        Tool::ComposeView,
        Tool::FetchCompose,
    ];

    /// The binary's (and its package's) name.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Generator => "buildroot-generator",
            Tool::IdentifyArchful => "identify-archful-srpms",
            Tool::CreateSrpmRepos => "create-srpm-repos",
            Tool::WorkloadDiff => "workload-diff",
            Tool::ComposeView => "compose-view",
            Tool::FetchCompose => "fetch-compose",
        }
    }

    /// The tool's package directory, `crates/NAME`.
    pub fn crate_dir(self) -> PathBuf {
        root().join("crates").join(self.name())
    }
}

/// buildroot-generator's arguments for the fixture distribution on x86_64
/// (its binary and source repos), which most generator tests start from.
pub const FIXTURE_X86_64: [&str; 6] = [
    "--arch",
    "x86_64",
    "--repo",
    "main=testdata/repos/x86_64",
    "--source-repo",
    "src=testdata/repos/source",
];

/// The root of the checkout (the workspace), canonical.
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()
            .expect("the workspace root")
    })
}

/// A path under `testdata/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// What the one `cargo build` of this test process produced.
#[derive(Debug)]
pub struct Build {
    /// Binary name -> the executable cargo reported.
    pub binaries: BTreeMap<String, PathBuf>,
    /// The buildroot-core library files cargo reported (`.rlib`, `.rmeta`).
    pub core_library: Vec<PathBuf>,
    /// How many units cargo had to (re)build.
    pub rebuilt: usize,
    /// How long cargo took.
    pub took: Duration,
}

/// Builds the workspace's binaries once per test process (see the module
/// docs) and returns what cargo reported. Panics with cargo's output when
/// the build fails.
pub fn build() -> &'static Build {
    static BUILD: OnceLock<Build> = OnceLock::new();
    BUILD.get_or_init(run_cargo_build)
}

/// The cargo profile the running test was built with, from its path
/// (`<target>/<profile dir>/deps/<test>`): `debug` is `dev`.
fn profile() -> String {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "debug".into());
    match dir.as_str() {
        "debug" => "dev".into(),
        _ => dir,
    }
}

/// What cargo sets for the package under test (not for cargo itself).
const PACKAGE_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Prefixes of what cargo sets for the package under test.
const PACKAGE_ENV_PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_BIN_EXE_"];

/// The command the support builds the binaries with: `cargo build
/// --workspace --bins` in the running test's profile, JSON messages on
/// stdout, without the package variables cargo set for the test.
pub fn cargo_build_bins() -> std::process::Command {
    // `cargo test` runs tests with CARGO set to itself; else the PATH's.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = std::process::Command::new(&cargo);
    // Cargo describes the test's own package to it in the environment
    // (CARGO_MANIFEST_DIR, CARGO_PKG_*, ...). Build scripts that watch one of
    // those variables (ring watches CARGO_MANIFEST_DIR) would see a change
    // against a build from the shell and rebuild half the workspace, each
    // time either ran: the inner build gets the shell's view.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if PACKAGE_ENV.iter().any(|p| key == *p)
            || PACKAGE_ENV_PREFIXES.iter().any(|p| key.starts_with(p))
        {
            command.env_remove(key.as_ref());
        }
    }
    command
        .current_dir(root())
        .args([
            "build",
            "--workspace",
            "--bins",
            "--message-format=json-render-diagnostics",
            "--profile",
        ])
        .arg(profile());
    command
}

fn run_cargo_build() -> Build {
    let start = Instant::now();
    let out = cargo_build_bins()
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "cargo build --workspace --bins failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut build = Build {
        binaries: BTreeMap::new(),
        core_library: Vec::new(),
        rebuilt: 0,
        took,
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        if msg["fresh"] == false {
            build.rebuilt += 1;
        }
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        let kinds = msg["target"]["kind"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(exe) = msg["executable"].as_str() {
            if kinds.iter().any(|k| k == "bin") {
                build.binaries.insert(name.to_string(), PathBuf::from(exe));
            }
        } else if name == "buildroot_core" && kinds.iter().any(|k| k == "lib") {
            for f in msg["filenames"].as_array().into_iter().flatten() {
                build.core_library.extend(f.as_str().map(PathBuf::from));
            }
        }
    }
    for t in Tool::ALL {
        assert!(
            build.binaries.contains_key(t.name()),
            "cargo build reported no binary {}",
            t.name()
        );
    }
    build
}

/// The freshly built binary of `tool`.
pub fn bin(tool: Tool) -> &'static Path {
    &build().binaries[tool.name()]
}

/// `tool` as an `assert_cmd` command, run from the checkout's root (so the
/// fixtures are `testdata/...`), with the test's own [`cache_home`].
pub fn cmd(tool: Tool) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin(tool));
    c.current_dir(root()).env("XDG_CACHE_HOME", cache_home());
    c
}

/// `tool` as a std command (for what assert_cmd cannot do: a child to kill,
/// a stdout that is a file), run from the checkout's root, with the test's
/// own [`cache_home`].
pub fn std_cmd(tool: Tool) -> std::process::Command {
    let mut c = std::process::Command::new(bin(tool));
    c.current_dir(root()).env("XDG_CACHE_HOME", cache_home());
    c
}

/// The running test's cache home, which [`cmd`], [`std_cmd`] and
/// [`pty::script`] pass to the tools as `XDG_CACHE_HOME`: a run without
/// `--cache-dir` caches (a 127.0.0.1 server's metadata, pools) in a
/// directory of the test's own, removed when the test ends, and never in
/// the user's `~/.cache/rpm-buildroot` (where every run left a
/// `127.0.0.1_PORT_*` directory, and a later server on the same port could
/// find another test's files). libtest runs each test on a thread of its
/// own, so the directory is the thread's, removed when the thread ends.
pub fn cache_home() -> PathBuf {
    thread_local! {
        static CACHE_HOME: tempfile::TempDir = tempfile::Builder::new()
            .prefix("cli-tests-cache-")
            .tempdir()
            .expect("a temp dir for the test's cache");
    }
    CACHE_HOME.with(|d| d.path().to_path_buf())
}

/// The newest modification time of the files under `dir` (recursively).
pub fn newest_mtime(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                todo.push(p);
            } else if let Ok(m) = meta.modified() {
                if newest.as_ref().is_none_or(|(t, _)| m > *t) {
                    newest = Some((m, p));
                }
            }
        }
    }
    newest
}

/// A temp directory for one test, and the normalisation of what the tools
/// print about it: the directory becomes `[TMP]`, the checkout `[ROOT]`, so
/// a test can compare a whole message with a fixed string.
pub struct TestContext {
    dir: tempfile::TempDir,
    filters: Vec<(String, String)>,
}

impl Default for TestContext {
    fn default() -> Self {
        Self::new()
    }
}

impl TestContext {
    /// A new temp directory.
    pub fn new() -> TestContext {
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut filters = Vec::new();
        // The canonical form first: it is the longer one when they differ.
        if let Ok(c) = dir.path().canonicalize() {
            filters.push((c.display().to_string(), "[TMP]".to_string()));
        }
        filters.push((dir.path().display().to_string(), "[TMP]".to_string()));
        filters.push((root().display().to_string(), "[ROOT]".to_string()));
        TestContext { dir, filters }
    }

    /// The temp directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path in the temp directory.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Also replace `text` by `by` (a server's address, say).
    pub fn filter(&mut self, text: impl Into<String>, by: impl Into<String>) -> &mut Self {
        let text = text.into();
        let at = self
            .filters
            .iter()
            .position(|(t, _)| t.len() < text.len())
            .unwrap_or(self.filters.len());
        self.filters.insert(at, (text, by.into()));
        self
    }

    /// `text` with the temp directory, the checkout and the added filters replaced.
    pub fn normalize(&self, text: &str) -> String {
        let mut s = text.to_string();
        for (from, to) in &self.filters {
            if !from.is_empty() {
                s = s.replace(from.as_str(), to);
            }
        }
        s
    }

    /// The one line `out` printed on stderr, normalised; panics unless
    /// stderr is exactly one line.
    pub fn stderr_line(&self, out: &Output) -> String {
        one_line(&self.normalize(&String::from_utf8_lossy(&out.stderr)))
    }
}

/// The one line of `text` (without its newline); panics otherwise.
pub fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() == 1 && text.ends_with('\n'),
        "expected one line, got: {text:?}"
    );
    lines[0].to_string()
}

/// Runs `c` with `stdin` and checks the bad-input contract (DEVELOPERS.md):
/// exit code 2, no panic, nothing on stdout, one line on stderr. Returns
/// that line, normalised by `ctx`, for the caller to compare whole.
pub fn expect_error(ctx: &TestContext, mut c: assert_cmd::Command, stdin: &str) -> String {
    let out = c
        .write_stdin(stdin.to_string())
        .output()
        .expect("run the tool");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected exit 2; stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(out.stdout.is_empty(), "partial output on stdout: {err}");
    ctx.stderr_line(&out)
}

/// A tmpfs of a given size mounted for a test (a full disk on demand),
/// unmounted when dropped; None where mounting is not allowed (not root).
pub struct SmallDisk(PathBuf);

impl SmallDisk {
    /// Mounts a tmpfs of `size` (`mount -o size=`, e.g. `16k`) at `at`.
    pub fn mount(at: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A tool's output (stdout, a list file) as its lines.
pub fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every entry of `dir` (dot files included), by name, sorted: what a run
/// left in an output directory.
pub fn dir_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

/// The first entry of `dir` (in name order) whose name satisfies `wanted`.
pub fn file_named(dir: &Path, wanted: impl Fn(&str) -> bool) -> PathBuf {
    let name = dir_names(dir)
        .into_iter()
        .find(|n| wanted(n))
        .unwrap_or_else(|| panic!("no such file in {}", dir.display()));
    dir.join(name)
}

/// Creates `dir` (if needed) as an SRPM cache identify-archful-srpms made,
/// its marker written, for tests that put SRPMs into it themselves:
/// create-srpm-repos takes no other directory for its `--cache`.
pub fn srpm_cache_dir(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the SRPM cache");
    std::fs::write(dir.join(".identify-archful-srpms"), "").expect("mark the SRPM cache");
}

/// `len` bytes no compressor can shrink (xorshift64 from a fixed seed, the
/// same bytes every run): a source file that weighs in an SRPM as a real
/// tarball does.
pub fn incompressible_bytes(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The bytes of the tarball of [`big_srpm_repo`]'s SRPM: enough that a
/// run which reads the SRPM's payload (or hashes it) stands out from one
/// that does not, by the bytes it read ([`bytes_read_by`]).
pub const BIG_TARBALL_BYTES: usize = 8 << 20;

/// A source repo in `repo` of one SRPM, `big-1-1`, of `spec_text` and the
/// sources `big-1.tar.gz` ([`BIG_TARBALL_BYTES`] of
/// [`incompressible_bytes`]) and `more`, its file written an hour ago: old
/// enough for an SRPM cache to link it and record its checksum (a file
/// written in the last 2 s is copied, and its stamp not trusted). Returns
/// the SRPM's path.
pub fn big_srpm_repo(repo: &Path, spec_text: &str, more: Vec<SourceFile>) -> PathBuf {
    std::fs::create_dir_all(repo).unwrap();
    let mut sources = vec![SourceFile {
        name: "big-1.tar.gz".into(),
        data: incompressible_bytes(BIG_TARBALL_BYTES),
    }];
    sources.extend(more);
    let spec = SrpmSpec {
        name: "big".into(),
        version: "1".into(),
        release: "1".into(),
        license: "MIT".into(),
        summary: "big".into(),
        spec_name: "big.spec".into(),
        spec_text: spec_text.into(),
        sources,
        build_time: 1,
        ..Default::default()
    };
    let file = repo.join(srpm_file_name("big", "1", "1"));
    std::fs::write(&file, build_srpm(&spec).unwrap()).unwrap();
    let f = std::fs::File::options().append(true).open(&file).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let header = read_header(&file).unwrap();
    buildroot_core::repodata::write_repodata(repo, &[header], &Default::default()).unwrap();
    file
}

/// Runs `run` (its program, arguments and environment; the tests' cache
/// home, [`cache_home`], unless it sets another), its stdout into `stdout`
/// (a file); asserts it succeeded and returns the bytes it read: Linux's
/// `rchar` of the shell that waited for it (a reaped child's counts are
/// added to its parent's), which counts reads served from the page cache
/// too, as a block count would not.
pub fn bytes_read_by(run: &std::process::Command, stdout: &Path) -> u64 {
    let script = r#""$@" > "$0" || exit 1; sed -n 's/^rchar: //p' /proc/$$/io"#;
    let mut sh = std::process::Command::new("bash");
    sh.args(["-c", script])
        .arg(stdout)
        .arg(run.get_program())
        .args(run.get_args())
        .env("XDG_CACHE_HOME", cache_home());
    for (k, v) in run.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let out = sh.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The `*.src.rpm` file names in `dir`, sorted.
pub fn srpm_names(dir: &Path) -> Vec<String> {
    let mut v = dir_names(dir);
    v.retain(|f| f.ends_with(".src.rpm"));
    v
}

/// Every file under `dir` (relative path -> bytes), to compare a directory
/// before and after a run.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read the directory") {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).expect("read the file"));
            }
        }
    }
    out
}

/// Whether `script` (util-linux) is there to give a command a
/// pseudo-terminal; says "skipped" on stderr when it is not.
pub fn has_script() -> bool {
    let ok = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: no script(1) (util-linux) for a pseudo-terminal");
    }
    ok
}
