//! dnf's `skip_if_unavailable`: a repo whose metadata cannot be had (the
//! network fails after the retries, the server answers an error, a local
//! repo directory is missing, the metadata is damaged or unreadable) is left
//! out of the run with one warning, instead of failing it, when its `.repo`
//! section says `skip_if_unavailable=1`; as dnf's `fill_sack` disables such
//! a repo and goes on. Without it (dnf's default) the run fails as before.
//! A repo that cannot be opened is dropped before the load
//! (`open_repos`); one whose primary or filelists fail while the pool is
//! being built is dropped and the load starts again without it
//! ([`load_opened_skipping`]).
//!
//! The warning goes to a process-wide handler ([`set_warning_handler`]),
//! as downloads report to one observer: the load happens deep inside the
//! tools (a pool for the macro packages, a view's repos), and a tool that
//! draws progress or was asked to be quiet decides where the line goes.
//! Without a handler it is printed on stderr as `PROGRAM: warning: ...`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::{load_opened_into, LoadOptions, OpenedRepos, RepoSink, RepoSpec};
use crate::error::{Error, Result};

/// Receives the warnings of repository loading (a repo left out) and the
/// notes of its downloads (a wait for another run's), one line each: the
/// kind (`warning`, `note`, or [`REPO_SKIPPED`]), then the message. A
/// handler prints the kind as [`kind_label`] gives it.
pub type WarningHandler = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// The kind of the warning that a repo is left out of the run under
/// `skip_if_unavailable=1` (`repo 'ID' skipped (skip_if_unavailable=1):
/// ...`), or its groups alone (`repo 'ID': its groups left out, its
/// packages kept (skip_if_unavailable=1): ...`): printed as `warning`, like
/// any warning, and kept under `-q` (`cli::quiet_repo_notes`), which tells
/// it by this kind rather than by the line's words (the workflow's record
/// of skipped repos reads the printed line, which stays the same).
pub const REPO_SKIPPED: &str = "repo-skipped";

/// How a warning of `kind` is printed: `PROGRAM: LABEL: MESSAGE`, a repo
/// left out as any `warning`.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        REPO_SKIPPED => "warning",
        other => other,
    }
}

static HANDLER: RwLock<Option<WarningHandler>> = RwLock::new(None);

/// Sets (or with `None` clears, back to stderr) where the warnings of
/// repository loading go.
pub fn set_warning_handler(h: Option<WarningHandler>) {
    *HANDLER.write().unwrap_or_else(|e| e.into_inner()) = h;
}

/// Whether `e`, met while obtaining `spec`'s metadata, leaves the repo out
/// of the run instead of failing it. Only the repo's own problems do: a
/// bad setting of ours (`Usage`) or a cache directory that cannot be
/// written (a file in its place, a full disk: an I/O error on a path under
/// `opts.cache_dir`) is the run's mistake, and skipping would quietly
/// shrink every repo that allows it; dnf has no such case to skip.
pub(super) fn skips(spec: &RepoSpec, e: &Error, opts: &LoadOptions) -> bool {
    let ours = match (e, &opts.cache_dir) {
        (Error::Io { path, .. }, Some(cache)) => path.starts_with(cache),
        _ => false,
    };
    spec.skip_if_unavailable
        && !ours
        && matches!(
            e,
            Error::Io { .. }
                | Error::Format { .. }
                | Error::Checksum { .. }
                | Error::Http { .. }
                | Error::MirrorsGivenUp { .. }
        )
}

/// The ids of the enabled repos of `specs` that are not among `loaded`,
/// and of those left out as their `.repo` section was read: those
/// `skip_if_unavailable=1` left out (each was warned about when it
/// happened), sorted and each once. What a tool's `--json` names as
/// `skipped_repos` (dnf's `Base.fill_sack` disables such a repo and says
/// `Ignoring repositories: ID`), so a script sees its answer lacks them.
pub fn left_out<'a>(specs: &[RepoSpec], loaded: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let loaded: HashSet<&str> = loaded.into_iter().collect();
    let mut ids: Vec<String> = specs
        .iter()
        .filter(|s| (s.enabled && !loaded.contains(s.id.as_str())) || s.left_out_when_read)
        .map(|s| s.id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Set while [`without_warnings`] runs.
static SILENT: AtomicBool = AtomicBool::new(false);

/// Runs `f` without the warnings of repository loading, for a load whose
/// repos a later load of the run reads again and warns about (a spec's
/// macro packages, then the run's own pool): they are not counted as said.
pub fn without_warnings<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SILENT.store(self.0, Ordering::SeqCst);
        }
    }
    let _restore = Restore(SILENT.swap(true, Ordering::SeqCst));
    f()
}

/// Reports that `spec` is left out because of `e`. A repo loaded twice in
/// one process (a pool and its comps, two tools' loads) is reported once.
pub(super) fn warn_skipped(spec: &RepoSpec, e: &Error) {
    warn_once_as(
        REPO_SKIPPED,
        format!(
            "repo '{}' skipped (skip_if_unavailable=1): {}",
            spec.id,
            about(spec, e)
        ),
    );
}

/// `e` on one line, for a warning that names `spec` already: without the
/// repo's label it may start with.
fn about(spec: &RepoSpec, e: &Error) -> String {
    let e = e.to_string();
    let label = spec.label();
    one_line(e.strip_prefix(label.as_str()).unwrap_or(&e))
}

/// Reports that `spec`'s comps, downloaded, could not be read while its
/// packages were loaded: its groups are left out, its packages kept. Not
/// "skipped": the repo's packages are in the run (dnf 4 says "Failed to
/// add groups file for repository" and keeps the repo, `Base.read_comps`).
/// Comps that cannot be downloaded skip the repo whole, as in dnf 4, whose
/// librepo batch of the repo's metadata holds them (`opened_comps.rs`).
pub(super) fn warn_comps_left_out(spec: &RepoSpec, e: &Error) {
    warn_once_as(
        REPO_SKIPPED,
        format!(
            "repo '{}': its groups left out, its packages kept (skip_if_unavailable=1): {}",
            spec.id,
            about(spec, e)
        ),
    );
}

/// Says a warning about the repos once per process (a run loads its repos
/// once per arch), through the handler the tool set, unless silenced.
pub(crate) fn warn_once(msg: String) {
    warn_once_as("warning", msg);
}

/// Says `msg`, of `kind`, once per process, through [`say`], whatever a
/// [`without_warnings`] section says. For what only this moment shows (a
/// lock given up on after a wait: the SRPM cache's record lock), which no
/// later load says again, so that a quiet section around it would lose it
/// for good. `--quiet` (the tool's handler) still drops it.
pub(crate) fn say_once(kind: &str, msg: String) {
    static SAID: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    {
        let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
        if !said.get_or_insert_with(HashSet::new).insert(msg.clone()) {
            return;
        }
    }
    say(kind, &msg);
}

/// The lines said through the tool's handler from now on, `KIND: MSG`
/// each, for unit tests. The handler is process-wide: every test that
/// looks at it shares this one (installed once, kept), and keeps the lines
/// naming what it made (its own URL or directory), as tests run in
/// parallel.
#[cfg(test)]
pub(crate) fn captured() -> std::sync::Arc<Mutex<Vec<String>>> {
    static LINES: std::sync::OnceLock<std::sync::Arc<Mutex<Vec<String>>>> =
        std::sync::OnceLock::new();
    LINES
        .get_or_init(|| {
            let lines = std::sync::Arc::new(Mutex::new(Vec::new()));
            let l2 = lines.clone();
            set_warning_handler(Some(std::sync::Arc::new(move |kind: &str, m: &str| {
                l2.lock().unwrap().push(format!("{kind}: {m}"))
            })));
            lines
        })
        .clone()
}

/// [`warn_once`] of `kind` ([`REPO_SKIPPED`] or `warning`).
pub(crate) fn warn_once_as(kind: &str, msg: String) {
    static SAID: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    if SILENT.load(Ordering::SeqCst) {
        return;
    }
    {
        let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
        if !said.get_or_insert_with(HashSet::new).insert(msg.clone()) {
            return;
        }
    }
    say(kind, &msg);
}

/// Says `msg`, of `kind` (`warning`, `note`), through the handler the tool
/// set (above its progress bars; nowhere under `--quiet`), else on stderr
/// as `PROGRAM: KIND: MSG`. Never silenced by [`without_warnings`]: a line
/// about this moment (a wait) is not said again by a later load.
pub(crate) fn say(kind: &str, msg: &str) {
    let h = HANDLER.read().unwrap_or_else(|e| e.into_inner()).clone();
    match h {
        Some(h) => h(kind, msg),
        None => {
            let prog = crate::cli::program_name();
            let kind = kind_label(kind);
            crate::diag!("{prog}: {kind}: {msg}");
        }
    }
}

/// [`load_opened_into`], leaving out each repo with `skip_if_unavailable`
/// whose primary or filelists cannot be had or read: it is warned about and
/// removed from `opened`, `sink` is restarted and the load begins again
/// without it (the repos before it are parsed again, from the cache: a
/// rare path, and the pool's ids must not keep the failed repo's strings).
/// True when a repo was left out here.
pub(crate) fn load_opened_skipping(
    opened: &mut OpenedRepos,
    opts: &LoadOptions,
    sink: &mut dyn RepoSink,
) -> Result<bool> {
    let mut skipped = false;
    loop {
        match load_opened_into(opened, opts, sink) {
            Ok(()) => return Ok(skipped),
            Err((i, e)) if skips(&opened.0[i].spec, &e, opts) => {
                warn_skipped(&opened.0[i].spec, &e);
                opened.0.remove(i);
                sink.restart();
                skipped = true;
            }
            Err((_, e)) => return Err(e),
        }
    }
}

/// Errors are one line already; a server's text inside one may not be.
fn one_line(s: &str) -> String {
    s.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_out_is_the_enabled_repos_not_loaded_sorted_and_once() {
        let spec = |id: &str, enabled: bool| RepoSpec {
            enabled,
            ..RepoSpec::new(id, "/nowhere")
        };
        let specs = [
            spec("zeta", true),
            spec("main", true),
            spec("off", false),
            spec("alpha", true),
            spec("zeta", true),
        ];
        assert_eq!(left_out(&specs, ["main"]), ["alpha", "zeta"]);
        // A section without a usable URL, left out when its file was read
        // (disabled then): still a repo the run went on without.
        let unusable = RepoSpec {
            enabled: false,
            left_out_when_read: true,
            ..RepoSpec::new("nourl", "")
        };
        assert_eq!(left_out(&[unusable], ["main"]), ["nourl"]);
        assert!(left_out(&specs, ["main", "alpha", "zeta"]).is_empty());
    }
}
