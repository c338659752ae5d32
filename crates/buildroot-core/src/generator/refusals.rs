//! The runs buildroot-generator refuses (exit 2, one line) after loading
//! the repositories, rather than computing a buildroot nobody asked for:
//! sources listed but no source repository, a `--builds-only` source that
//! no source repository has (or binary, with `--from-binaries`), and a core buildroot that cannot be installed
//! (docs/semantics.md, "Failures").

use crate::buildroot::{self, Config};
use crate::error::Result;
use crate::pool::Pool;

use super::Request;

/// The enabled repository ids, for messages: "main, src".
fn repo_ids(req: &Request, pool: &Pool) -> String {
    // A repo skip_if_unavailable left out is named as such: "hold no
    // package" is then about the repos that were missing, not the arch.
    let skipped = skipped_repos(req, pool);
    let ids: Vec<String> = req
        .repos
        .specs(req.arch)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.enabled)
        .map(|s| match skipped.contains(&s.id) {
            false => s.id,
            true => format!("{} (skipped: unavailable)", s.id),
        })
        .collect();
    ids.join(", ")
}

/// The enabled repos the pool lacks: left out by `skip_if_unavailable=1`
/// (each said on stderr when it happened), sorted, each once.
pub(crate) fn skipped_repos(req: &Request, pool: &Pool) -> Vec<String> {
    let specs = req.repos.specs(req.arch).unwrap_or_default();
    crate::rpmmd::left_out(&specs, pool.loaded_repo_ids())
}

/// An input line that is no package name and holds a '/' (`../../x`, the
/// path of an SRPM whose name no repository has): its name would be a path
/// in the output directory (`errors/NAME-NoSource`), outside it for `../`.
/// rpm refuses a '/' in a Name, so no source package can have such a name.
/// (A control character, which would make a file name the system refuses
/// half-way through writing, is refused by the list reader, on its line.)
/// `names` are the lines as [`crate::pkglist::name_in`] took them,
/// in the same order.
pub(crate) fn check_names(req: &Request, lines: &[String], names: &[String]) -> Result<()> {
    let file = req.input_name();
    for (line, name) in lines.iter().zip(names) {
        if name.contains('/') {
            refuse!(
                "{file}: '{line}' is not a package name: no package name holds '/' (a spec or \
                 SRPM file is given as --spec/--srpm FILE)"
            );
        }
    }
    Ok(())
}

/// Sources are listed but no repository has a single source package (no
/// --source-repo given, say): every one would be a NoSource error and the
/// result the core buildroot alone, which is not what was asked. An empty
/// input is how the core alone is asked for. With --builds-only, sources
/// that are all given as files (or placeholders) need no source repository:
/// nothing else is built (`dnf builddep hello.spec` in a mock buildroot,
/// whose repos are binary ones).
pub(crate) fn check_sources_exist(
    req: &Request,
    pool: &Pool,
    input: &[String],
    cfg: &Config,
) -> Result<()> {
    let given = |n: &str| {
        pool.sources_named(n)
            .iter()
            .any(|&p| pool.is_command_line(p))
    };
    // Sources given as files (--srpm, --spec) do not count: they stand in
    // for the repos' ones, they do not make a source repository.
    if pool
        .ids()
        .any(|p| pool.is_source(p) && !pool.is_command_line(p))
        || input.iter().all(|n| cfg.placeholders.contains_key(n))
        || (req.builds_only()
            && input
                .iter()
                .all(|n| cfg.placeholders.contains_key(n) || given(n)))
    {
        return Ok(());
    }
    refuse!(
        "the repositories ({}) hold no source package: give --source-repo ID=URL (or a \
         --repofile with source repos); for the core buildroot alone, give an empty input",
        repo_ids(req, pool)
    )
}

/// `--builds-only` asks about the builds of the sources it is given: one
/// that no source repository has (nor a --srpm/--spec file, nor a
/// placeholder) has no build to answer for, and the answer would be the
/// core buildroot alone under exit 0. `dnf builddep NAME` of a package no
/// repo has fails likewise (an error, exit 1, nothing installed); here it
/// is bad input (exit 2), one line naming every such source. A fixed point
/// keeps such a source as NoSource (a compose source the repos lack is
/// part of its answer: `errors/NAME-NoSource`).
pub(crate) fn check_builds_known(
    req: &Request,
    pool: &Pool,
    input: &[String],
    cfg: &Config,
) -> Result<()> {
    if !req.builds_only() {
        return Ok(());
    }
    let unknown: Vec<&str> = input
        .iter()
        .filter(|n| pool.sources_named(n).is_empty() && !cfg.placeholders.contains_key(*n))
        .map(String::as_str)
        .collect();
    let (what, these) = match unknown.len() {
        0 => return Ok(()),
        1 => ("no source package of that name", "its"),
        _ => ("no source package of those names", "their"),
    };
    refuse!(
        "{}: {what} in the repositories ({}): --builds-only resolves the builds of sources \
         the source repositories hold (or give {these} spec or SRPM as --spec/--srpm FILE)",
        unknown.join(", "),
        repo_ids(req, pool)
    )
}

/// `--builds-only --from-binaries`: the input's lines name binaries whose
/// sources' builds are asked about; a name no repository has a binary of
/// has no build to answer for, as [`check_builds_known`]'s source (a fixed
/// point warns and goes on without it).
pub(crate) fn check_binaries_known(req: &Request, pool: &Pool, unknown: &[String]) -> Result<()> {
    if !req.builds_only() || unknown.is_empty() {
        return Ok(());
    }
    let what = match unknown.len() {
        1 => "no binary package of that name",
        _ => "no binary package of those names",
    };
    refuse!(
        "{}: {what} in the repositories ({}): --builds-only --from-binaries resolves the \
         builds of the sources of binaries the repositories hold",
        unknown.join(", "),
        repo_ids(req, pool)
    )
}

/// The core buildroot is part of every source's transaction: when it alone
/// cannot be installed, no source can, and the run's lists would be empty.
/// Bad input, then: repositories without a single binary package (a source
/// repo given as --repo, the binary repo's section disabled), a wrong --arch
/// (repos without its packages), core names of which none matches a package,
/// or a core that cannot be solved. Some core names missing (others
/// matching) stays a warning. Step 10's restricted run (--only-binaries) is
/// the exception: there "the allowed binaries cannot even install the core"
/// is the answer sought, and stays a warning. So is an empty input with no
/// core name matching: the repositories loaded and nothing asked of them (a
/// load alone, as scripts/bench.sh times it).
pub(crate) fn check_core_solved(
    req: &Request,
    pool: &Pool,
    input: &[String],
    br: &buildroot::Buildroot,
) -> Result<()> {
    if !req.only_binaries.is_empty() {
        return Ok(());
    }
    let arch = req.arch;
    let ids = repo_ids(req, pool);
    let core = &br.core;
    let any_binary = pool.ids().any(|p| pool.is_installable(p));
    let for_arch = pool
        .ids()
        .any(|p| pool.is_installable(p) && pool.arch_of(p) != "noarch");
    let none_matches = !core.names.is_empty() && core.missing.len() == core.names.len();
    if !any_binary || (!for_arch && (none_matches || !core.problems.is_empty())) {
        refuse!("--arch {arch}: the repositories ({ids}) hold no package for {arch}: the core buildroot cannot be installed");
    }
    if none_matches && !input.is_empty() {
        refuse!(
            "no core name matches a package in the repositories ({ids}): {}: nothing can be \
             installed (name the core with --core or --core-file)",
            core.names.join(", ")
        );
    }
    if core.problems.is_empty() {
        return Ok(());
    }
    refuse!(
        "the core buildroot cannot be solved on {arch} from the repositories ({ids}), so no \
         source can be: {}",
        crate::solver::first_problem(&core.problems)
    )
}
