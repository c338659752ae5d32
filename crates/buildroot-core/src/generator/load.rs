//! The pool a run reads and the sources it asks about: the repos loaded
//! with the files given as sources (`Pool::load_with_command_line`, as
//! dnf's `builddep` adds an SRPM on its command line to the sack), the
//! `--only-binaries` restriction (step 10), and the input's lines taken as
//! source names (or, `--from-binaries`, as binaries whose sources they are).

use crate::package::Package;
use crate::pkglist::name_in;
use crate::pool::Pool;
use crate::rpmmd::LoadOptions;

use super::what_if::{self, Given};
use super::{refusals, Request};
use crate::error::Result;

/// The pool of the repos (and the given files), restricted to the
/// `--only-binaries` names when given; and those names that no repository
/// holds a binary of, sorted. Placeholders aside, in no repo by design:
/// the `--placeholders` sources and the binaries content-resolver's lists
/// mark as a placeholder's.
pub fn load_pool(req: &Request, srpms: &[Package]) -> Result<(Pool, Vec<String>)> {
    let specs = req.repos.specs(req.arch)?;
    let opts = LoadOptions::cached_in(req.repos.cache_dir()?);
    let mut pool = Pool::load_with_command_line(req.arch, &specs, &opts, srpms)?;
    let mut unknown = Vec::new();
    if !req.only_binaries.is_empty() {
        let allowed = crate::pkglist::read_allowed(
            req.only_binaries,
            |n| !pool.binaries_named(n).is_empty(),
            |n| req.config.placeholders.contains_key(n),
        )?;
        // Asked before the restriction, which disables what is not kept.
        unknown = allowed.unknown;
        pool.restrict_binaries(|n| allowed.names.contains(n));
    }
    Ok((pool, unknown))
}

/// The source names the run asks about. Names, NEVRAs, SRPM file names and
/// the tools' own `*-nvrs` lines are all accepted, matched against the
/// loaded repos; with `--from-binaries` each line is a binary, replaced by
/// its source (one no repository has is left out, with a warning said
/// whatever `-q` says: an input line left out). `--builds-only` adds the
/// given files' sources: they are what the builds are asked about.
pub(super) fn sources(
    req: &Request,
    pool: &Pool,
    given: &[Given],
    lines: &[String],
    say: &dyn Fn(&str, String),
) -> Result<Vec<String>> {
    let mut input: Vec<String> = if req.from_binaries {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        for line in lines {
            let b = name_in(line, |n| !pool.binaries_named(n).is_empty());
            match pool.source_of_binary(&b) {
                Some(src) => out.push(src.to_string()),
                None => unknown.push(b),
            }
        }
        refusals::check_binaries_known(req, pool, &unknown)?;
        for b in unknown {
            say(
                "warning",
                format!("no binary package named '{b}' in the repositories"),
            );
        }
        out
    } else {
        let placeholders = &req.config.placeholders;
        let known = |n: &str| !pool.sources_named(n).is_empty() || placeholders.contains_key(n);
        let names: Vec<String> = lines
            .iter()
            .map(|l| match known(l) {
                true => l.clone(),
                false => what_if::named_by_path(given, l)
                    .map_or_else(|| name_in(l, known), str::to_string),
            })
            .collect();
        refusals::check_names(req, lines, &names)?;
        names
    };
    if req.builds_only() {
        for g in given {
            if !input.contains(&g.package.name) {
                input.push(g.package.name.clone());
            }
        }
    }
    Ok(input)
}
