//! dnf `.repo` files, read as libdnf's INI parser reads them ([`sections`]):
//! `[id]` sections of `key=value` lines, indented continuation lines, `#`/`;`
//! comments, and dnf's variables (`dnfvars.rs`, through [`Vars`]). Only what
//! a buildroot needs is kept (see [`RepoSpec`]);
//! `metalink=`/`mirrorlist=` are resolved when the repo is opened
//! (`mirrors.rs`); a `baseurl=` wins over them. `skip_if_unavailable=` is
//! acted on while loading (`skip.rs`). `[main]` is skipped, as dnf's repo
//! reader skips it in `.repo` files; a `dnf.conf`'s `[main]` ([`MainDefaults`],
//! `--dnf-conf`) gives every repo the defaults libdnf's `ConfigRepo` takes
//! from `ConfigMain` (its options that are `OptionChild`ren of the main ones).
//!
//! A value an option cannot take (`priority=high`, `enabled=maybe`) is
//! what dnf's config reader logs ("Invalid configuration value") and passes
//! over, the option keeping the value it had: so here too, with a warning
//! naming its file and line; so is a section whose id dnf does not take.
//! Only a `proxy=` that is not a proxy URL stays an error, for an enabled
//! repo that uses it: no download through it can work.
//!
//! This file reads a section's options into a [`RepoSpec`]; the INI reader
//! under it is `ini`, the `[main]` defaults `dnf_conf`.

mod dnf_conf;
mod ini;

use std::path::Path;

use super::{MirrorSource, RepoSpec, Vars};
use crate::error::{Error, Result};
use crate::rpmmd::http_settings::ParallelLine;
pub use dnf_conf::MainDefaults;
use ini::sections;

/// Parses a `.repo` file. Disabled sections are returned with `enabled = false`.
pub fn parse_repofile(path: &Path, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let text = ini::read_file(path)?;
    parse_repofile_str(&text, &path.display().to_string(), vars)
}

/// Parses `.repo` text; `origin` names it in errors. Each repo takes the
/// defaults of `vars.main` first, then its own options.
pub fn parse_repofile_str(text: &str, origin: &str, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let (repos, ignored) = parse_repofile_text(text, origin, vars)?;
    for said in ignored {
        super::skip::warn_once_as(said.kind, said.msg);
    }
    Ok(repos)
}

/// A line said while a `.repo` file is read, of its kind: `warning` (a
/// value or section passed over, as dnf passes it over), or a repo left
/// out ([`super::skip::REPO_SKIPPED`]). Reads as its text.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Said {
    kind: &'static str,
    msg: String,
}

impl Said {
    fn warning(msg: String) -> Said {
        Said {
            kind: "warning",
            msg,
        }
    }
}

impl std::ops::Deref for Said {
    type Target = str;

    fn deref(&self) -> &str {
        &self.msg
    }
}

impl PartialEq<&str> for Said {
    fn eq(&self, other: &&str) -> bool {
        self.msg == *other
    }
}

impl std::fmt::Debug for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.msg.fmt(f)
    }
}

/// The warning for a repo that asks for its repomd.xml's signature to be
/// checked (`repo_gpgcheck`, its own or `[main]`'s, the last line
/// counting): dnf then downloads `repodata/repomd.xml.asc` and checks it
/// against the repo's `gpgkey`, and fails the repo without one (dnf 4.14
/// asked a repo lacking it for repomd.xml twice and the signature 8
/// times). These tools check no OpenPGP signature: the repo is read on the
/// strength of TLS and a metalink's hashes alone, which the line says.
/// `kv` are the section's options (none for a `--repo ID=URL`, which has
/// `[main]`'s alone).
pub(super) fn unchecked_signature(
    kv: &[(String, String, usize)],
    vars: &Vars,
    origin: &str,
    id: &str,
) -> Option<String> {
    let own = kv.iter().rev().find(|(k, ..)| k == "repo_gpgcheck");
    let (file, (_, v, line)) = match own {
        Some(x) => (origin, x),
        None => {
            let main = vars.main.as_deref()?;
            let x = main
                .keys
                .iter()
                .rev()
                .find(|(k, ..)| k == "repo_gpgcheck")?;
            (main.origin.as_str(), x)
        }
    };
    parse_bool(&vars.substitute(v))?.then(|| {
        format!(
            "{file}:{line}: [{id}]: repo_gpgcheck={v} is not honoured: these tools check no \
             OpenPGP signature, so repomd.xml is read without repomd.xml.asc, which dnf would \
             require and check against gpgkey"
        )
    })
}

/// The repository types libdnf reads (`Repo::verify`): all rpm-md.
const REPO_TYPES: [&str; 6] = ["rpm-md", "rpm", "repomd", "rpmmd", "yum", "YUM"];

/// The line and the problem of a section's `type=` (its last, substituted)
/// that dnf does not read: libdnf's `Repo::verify` refuses any but
/// [`REPO_TYPES`], as written (`type=RPM` too), and dnf 4.14 runs it on
/// every repo it reads, enabled or not, and stops on the error (its
/// message says "skipping", but libdnf 0.69 raises an error dnf does not
/// catch there: `Error: Repository 'a' has unsupported type`). Fedora's
/// own files say `type=rpm`.
fn unsupported_type(kv: &[(String, String, usize)], vars: &Vars) -> Option<(usize, String)> {
    let (_, v, line) = kv.iter().rev().find(|(k, ..)| k == "type")?;
    let v = vars.substitute(v);
    let known = v.is_empty() || v == "None" || REPO_TYPES.contains(&v.as_str());
    (!known).then(|| {
        let msg = format!(
            "type={v} is not a repository type dnf reads ({}): dnf 4.14 stops on it, \
             the repo enabled or not",
            REPO_TYPES.join(", ")
        );
        (*line, msg)
    })
}

/// [`parse_repofile_str`], with the values passed over (one message each,
/// for the caller to warn about) instead of warned about.
fn parse_repofile_text(
    text: &str,
    origin: &str,
    vars: &Vars,
) -> Result<(Vec<RepoSpec>, Vec<Said>)> {
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for (id, lineno, kv) in sections(text, origin)? {
        if id == "main" {
            continue;
        }
        // dnf skips a section whose id (substituted) it does not take.
        let substituted = vars.substitute(&id);
        if super::repo_spec::invalid_id_char(&substituted).is_some() {
            ignored.push(Said::warning(format!(
                "{origin}:{lineno}: [{id}]: not a repo id dnf takes (letters, digits and -_.: \
                 only); the section is skipped, as dnf skips it"
            )));
            continue;
        }
        if let Some((line, why)) = unsupported_type(&kv, vars) {
            return Err(Error::at_line(origin, line, format!("[{id}]: {why}")));
        }
        out.push(repo_of_section(
            &id,
            lineno,
            &kv,
            origin,
            vars,
            &mut ignored,
        )?);
    }
    Ok((out, ignored))
}

/// Whether dnf passes over a bad value of `key` (logs it, keeps the value
/// before): every option but the proxy, whose URL is checked here because
/// no download through a bad one can work.
fn dnf_passes_over(key: &str) -> bool {
    key != "proxy"
}

/// The message of a value passed over.
fn passed_over(origin: &str, line: usize, section: &str, msg: &str) -> String {
    format!("{origin}:{line}: [{section}]: {msg}; ignored, as dnf ignores it")
}

/// The repo of one section: `vars.main`'s defaults, then its own options.
fn repo_of_section(
    id: &str,
    lineno: usize,
    kv: &[(String, String, usize)],
    origin: &str,
    vars: &Vars,
    ignored: &mut Vec<Said>,
) -> Result<RepoSpec> {
    // A value is reported on its own line; what the section lacks, on its header's.
    let err_at = |line: usize, msg: String| Error::at_line(origin, line, format!("[{id}]: {msg}"));
    let mut spec = RepoSpec::new(&vars.substitute(id), "");
    spec.origin = Some(origin.to_string());
    if let Some(main) = &vars.main {
        main.inherit(&mut spec, true)?;
    }
    // A bad proxy matters only to a repo that downloads: an enabled one;
    // so does a max_parallel_downloads librepo refuses.
    let mut bad_proxy = None;
    let mut too_many = None;
    for (k, v, line) in kv {
        let v = vars.substitute(v);
        if let "max_parallel_downloads" | "max_downloads_per_mirror" = k.as_str() {
            match spec.access.parallel.read(k, &v) {
                ParallelLine::Set => {}
                ParallelLine::PassedOver(m) => {
                    ignored.push(Said::warning(passed_over(origin, *line, id, &m)))
                }
                ParallelLine::TooMany(m) => too_many = Some(err_at(*line, m)),
            }
            continue;
        }
        match set_option(&mut spec, k, &v) {
            Some(Err(m)) if dnf_passes_over(k) => {
                ignored.push(Said::warning(passed_over(origin, *line, id, &m)))
            }
            Some(Err(m)) => bad_proxy = Some(err_at(*line, m)),
            _ => {}
        }
    }
    if let Some(main) = &vars.main {
        main.filter(&mut spec);
    }
    // librepo substitutes the URLs it is given once more (and those a
    // metalink or mirrorlist lists, with these).
    spec.url_vars = vars.url_vars();
    spec.baseurl = vars.url_substitute(&spec.baseurl);
    for u in &mut spec.extra_baseurls {
        *u = vars.url_substitute(u);
    }
    if let Some(MirrorSource::Metalink(u) | MirrorSource::Mirrorlist(u)) = &mut spec.mirrors {
        *u = vars.url_substitute(u);
    }
    let raw: Vec<&str> = kv
        .iter()
        .filter(|(k, ..)| matches!(k.as_str(), "baseurl" | "metalink" | "mirrorlist"))
        .map(|(_, v, _)| v.as_str())
        .collect();
    spec.unset_vars = vars.unset_in(&raw, &spec.urls());
    // dnf 4.14 fails a repo whose own max_parallel_downloads librepo
    // refuses when it loads it (its handle cannot be set up): an error,
    // or with skip_if_unavailable the repo left out, as below.
    let no_url = spec.baseurl.is_empty() && spec.mirrors.is_none();
    let unusable = match too_many {
        Some(e) => Some(e),
        None if no_url => Some(err_at(lineno, "no baseurl, metalink or mirrorlist".into())),
        None => None,
    };
    if let (Some(e), true) = (unusable, spec.enabled) {
        if !spec.skip_if_unavailable {
            return Err(e);
        }
        // dnf 4.14 reads such a repo, then fails it when it loads ("Cannot
        // find a valid baseurl for repo"), and with skip_if_unavailable
        // leaves it out ("Ignoring repositories") and goes on: so here,
        // with the warning of a repo left out (`skip.rs`).
        ignored.push(Said {
            kind: super::skip::REPO_SKIPPED,
            msg: format!("repo '{}' skipped (skip_if_unavailable=1): {e}", spec.id),
        });
        spec.enabled = false;
        spec.left_out_when_read = true;
    }
    // After that: a repo left out downloads nothing, so its proxy (or
    // main's) is never used (dnf 4.14 ignores such a repo whatever its
    // proxy says).
    let own_proxy = kv.iter().any(|(k, ..)| k == "proxy");
    if spec.enabled {
        match (bad_proxy, &vars.main) {
            (Some(e), _) => return Err(e),
            (None, Some(main)) if !own_proxy => main.check_proxy()?,
            _ => {}
        }
    }
    if spec.enabled {
        ignored.extend(unchecked_signature(kv, vars, origin, id).map(Said::warning));
    }
    // A disabled repo's options are never handed to librepo: only an
    // enabled one's are checked, as dnf checks them when it loads the repo.
    if spec.enabled {
        spec.access.check().map_err(|m| err_at(lineno, m))?;
    }
    // A repo's certificate files are read now, before any download, on
    // the line that names them; a disabled repo's are not (dnf neither).
    if spec.enabled {
        if let Err(e) = spec.access.check_tls_files() {
            let own = kv.iter().rev().find(|(k, ..)| k == e.key).map(|x| x.2);
            let msg = format!("{}={}", e.key, e.msg);
            return Err(match (own, &vars.main) {
                (Some(line), _) => err_at(line, msg),
                (None, Some(main)) if main.line_of(e.key).is_some() => main.error(e.key, msg),
                _ => err_at(lineno, msg),
            });
        }
    }
    Ok(spec)
}

/// Takes one option of a repo section (`None` returned: not one the tools
/// use, so ignored); an error is the problem with the value, for the caller
/// to place.
fn set_option(spec: &mut RepoSpec, k: &str, v: &str) -> Option<Result<(), String>> {
    // dnf's config reader takes `None` for an empty value.
    let v = if v == "None" {
        String::new()
    } else {
        v.to_string()
    };
    let bad = |what: &str| Some(Err(format!("{k}={v} is not {what}")));
    match k {
        "baseurl" => {
            // Several URLs are mirrors of one repo, tried in order.
            let mut urls = split_list(&v);
            spec.baseurl = urls.next().unwrap_or_default();
            spec.extra_baseurls = urls.collect();
        }
        "enabled" => match parse_bool(&v) {
            Some(b) => spec.enabled = b,
            None => return bad("a boolean"),
        },
        "skip_if_unavailable" => match parse_bool(&v) {
            Some(b) => spec.skip_if_unavailable = b,
            None => return bad("a boolean"),
        },
        "priority" => match libdnf_i32(&v) {
            Some(n) => spec.priority = n,
            None => return bad("a number"),
        },
        "cost" => match libdnf_i32(&v) {
            Some(n) => spec.cost = n,
            None => return bad("a number"),
        },
        // An empty one is none: libdnf hands librepo a metalink, else a
        // mirrorlist, only when its value is not empty (`Repo.cpp`), so
        // `metalink=` beside a baseurl leaves the baseurl alone.
        "metalink" | "mirrorlist" if v.is_empty() => {}
        "metalink" => spec.mirrors = Some(MirrorSource::Metalink(v)),
        "mirrorlist" if !matches!(spec.mirrors, Some(MirrorSource::Metalink(_))) => {
            spec.mirrors = Some(MirrorSource::Mirrorlist(v))
        }
        "exclude" | "excludepkgs" => append_list(&mut spec.exclude, &v),
        "includepkgs" => append_list(&mut spec.includepkgs, &v),
        "name" => spec.name = v,
        // Network options (`access.rs`); any other key is ignored.
        _ => return spec.access.set(k, &v),
    }
    Some(Ok(()))
}

/// dnf's booleans, any case.
pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// libdnf's whole numbers (`priority=`, `cost=`, read as a stream reads an
/// int): blanks, a sign, digits, and whatever follows them dropped (`5x`
/// is 5, `3.5` is 3). None without digits or out of range.
fn libdnf_i32(v: &str) -> Option<i32> {
    let v = v.trim_start();
    let sign = usize::from(v.starts_with(['-', '+']));
    let digits = v[sign..].len()
        - v[sign..]
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    v[..sign + digits].parse().ok()
}

/// A list option's items as libdnf's `OptionStringList::fromString` cuts
/// them: at spaces, commas and line breaks (of continuation lines), not at
/// tabs or other blanks (`exclude=a<TAB>b` is the one pattern `a<TAB>b`,
/// which matches no package: dnf 4.14 excludes nothing with it).
fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split([' ', ',', '\n'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A line of a list option libdnf appends to (`exclude`/`excludepkgs`,
/// `includepkgs`; its `optionTListAppend`): the line's items go after
/// those of the lines before (the two spellings of the excludes fill one
/// list), but an empty value (`None` too), or one whose first item is
/// empty (`excludepkgs=,a`, a value that starts on a continuation line),
/// empties the list first: `exclude=b` then `excludepkgs=,a` leaves `a`.
/// `OptionStringList::fromString` skips leading spaces before it cuts the
/// first item, so a value that starts with spaces (`excludepkgs=" a"`, a
/// variable that is empty) appends, and one of spaces alone has no item
/// and leaves the list as it was (dnf 4.14: `b` then `" a"` is `b a`).
pub(super) fn append_list(list: &mut Vec<String>, v: &str) {
    if v.is_empty() || v.trim_start_matches(' ').starts_with([',', '\n']) {
        list.clear();
    }
    list.extend(split_list(v));
}

#[cfg(test)]
mod tests;
