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

use std::path::Path;

use super::{MirrorSource, RepoSpec, Vars};
use crate::error::{Error, Result};

/// One `[id]` section: its id, line number and `key=value` pairs (each with
/// its line number).
type Section = (String, usize, Vec<(String, String, usize)>);

/// Parses a `.repo` file. Disabled sections are returned with `enabled = false`.
pub fn parse_repofile(path: &Path, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_repofile_str(&text, &path.display().to_string(), vars)
}

/// Parses `.repo` text; `origin` names it in errors. Each repo takes the
/// defaults of `vars.main` first, then its own options.
pub fn parse_repofile_str(text: &str, origin: &str, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let (repos, ignored) = parse_repofile_text(text, origin, vars)?;
    for msg in ignored {
        super::skip::warn_once(msg);
    }
    Ok(repos)
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
) -> Result<(Vec<RepoSpec>, Vec<String>)> {
    let mut out = Vec::new();
    let mut ignored = Vec::new();
    for (id, lineno, kv) in sections(text, origin)? {
        if id == "main" {
            continue;
        }
        // dnf skips a section whose id (substituted) it does not take.
        let substituted = vars.substitute(&id);
        if !substituted
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(&c))
        {
            ignored.push(format!(
                "{origin}:{lineno}: [{id}]: not a repo id dnf takes (letters, digits and -_.: \
                 only); the section is skipped, as dnf skips it"
            ));
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

/// The sections of `.repo` or `dnf.conf` text as libdnf's INI parser
/// (`IniParser::next`, `ConfigParser`) reads them, in the order they first
/// appear:
/// - a comment is a line starting with `#` or `;` (in its first column);
///   it and an empty line end a value; a line of blanks continues it;
/// - an indented line continues the value before it (after a comment or an
///   empty line there is none: an error, as libdnf's "illegal continuation
///   line", which makes dnf skip the file);
/// - a header may be indented and followed by a comment; a section named
///   again is the same section, and a key given again keeps its place with
///   the last value;
/// - keys keep their case (`Priority` is no option of dnf's); a value loses
///   trailing blanks and one pair of quotes around it.
fn sections(text: &str, origin: &str) -> Result<Vec<Section>> {
    let blank = |c: char| c == ' ' || c == '\t' || c == '\r';
    // A byte order mark would make the first line an invalid header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    // The section lines go to, and the key whose value is open.
    let mut current: Option<usize> = None;
    let mut open_key: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let lineno = i + 1;
        let err = |msg: &str| Error::at_line(origin, lineno, msg);
        if line.is_empty() || line.starts_with(['#', ';']) {
            open_key = None;
            continue;
        }
        let Some(start) = line.find(|c: char| !blank(c)) else {
            // Blanks only: part of an open value (as a line break).
            if let (Some(s), Some(k)) = (current, open_key) {
                sections[s].2[k].1.push('\n');
            }
            continue;
        };
        let body = line[start..].trim_end_matches(blank);
        if start == 0 || body.starts_with('[') {
            open_key = None;
        }
        if let Some(rest) = body.strip_prefix('[') {
            let close = rest
                .find(']')
                .ok_or_else(|| err("section header without ']'"))?;
            let id = &rest[..close];
            if id.is_empty() {
                return Err(err("empty section name"));
            }
            // libdnf looks at what follows up to, not including, the
            // line's last non-blank byte: `[a] x` passes, `[a] xy` does not.
            let after = &rest.as_bytes()[close + 1..];
            let checked = &after[..after.len().saturating_sub(1)];
            for &c in checked {
                match c {
                    b'#' | b';' => break,
                    b' ' | b'\t' | b'\r' => {}
                    _ => return Err(err("text after the section header")),
                }
            }
            current = Some(match sections.iter().position(|(seen, ..)| seen == id) {
                Some(at) => at,
                None => {
                    sections.push((id.to_string(), lineno, Vec::new()));
                    sections.len() - 1
                }
            });
            continue;
        }
        // A mock .cfg is Python: what dnf reads is the text of its
        // config_opts['dnf.conf'].
        let mock = || {
            if body.starts_with("config_opts") || body.starts_with("include(") {
                " (a mock .cfg is Python: give the text of its config_opts['dnf.conf'] as a file)"
            } else {
                ""
            }
        };
        let Some(s) = current else {
            return Err(err(&format!(
                "'key=value' before the first [section]{}",
                mock()
            )));
        };
        let kv = &mut sections[s].2;
        if start > 0 {
            // Continuation of the open value (e.g. more baseurls).
            let k = open_key.ok_or_else(|| {
                err("indented line with no value to continue (after a comment or an empty line, dnf skips the whole file)")
            })?;
            kv[k].1.push('\n');
            kv[k].1.push_str(body);
            continue;
        }
        let (k, v) = body.split_once('=').ok_or_else(|| {
            err(&format!(
                "expected 'key=value', a '[section]' or a comment{}",
                mock()
            ))
        })?;
        let k = k.trim_end_matches([' ', '\t']);
        if k.is_empty() {
            return Err(err("'=' without a key"));
        }
        let entry = (
            k.to_string(),
            v.trim_start_matches([' ', '\t']).to_string(),
            lineno,
        );
        let at = match kv.iter().position(|(seen, ..)| *seen == entry.0) {
            Some(at) => {
                kv[at] = entry;
                at
            }
            None => {
                kv.push(entry);
                kv.len() - 1
            }
        };
        open_key = Some(at);
    }
    for (_, _, kv) in &mut sections {
        for (_, v, _) in kv.iter_mut() {
            *v = trim_value(v);
        }
    }
    Ok(sections)
}

/// A value as libdnf's parser ends it: trailing line breaks dropped, then
/// one pair of matching quotes (`"..."` or `'...'`) around it.
fn trim_value(v: &str) -> String {
    let v = v.trim_end_matches('\n');
    let quoted = v.len() > 1
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')));
    if quoted {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

/// The repo of one section: `vars.main`'s defaults, then its own options.
fn repo_of_section(
    id: &str,
    lineno: usize,
    kv: &[(String, String, usize)],
    origin: &str,
    vars: &Vars,
    ignored: &mut Vec<String>,
) -> Result<RepoSpec> {
    // A value is reported on its own line; what the section lacks, on its header's.
    let err_at = |line: usize, msg: String| Error::at_line(origin, line, format!("[{id}]: {msg}"));
    let mut spec = RepoSpec::new(&vars.substitute(id), "");
    spec.origin = Some(origin.to_string());
    if let Some(main) = &vars.main {
        main.inherit(&mut spec, true)?;
    }
    // A bad proxy matters only to a repo that downloads: an enabled one.
    let mut bad_proxy = None;
    for (k, v, line) in kv {
        let v = vars.substitute(v);
        match set_option(&mut spec, k, &v) {
            Some(Err(m)) if dnf_passes_over(k) => ignored.push(passed_over(origin, *line, id, &m)),
            Some(Err(m)) => bad_proxy = Some(err_at(*line, m)),
            _ => {}
        }
    }
    let own_proxy = kv.iter().any(|(k, ..)| k == "proxy");
    if spec.enabled {
        match (bad_proxy, &vars.main) {
            (Some(e), _) => return Err(e),
            (None, Some(main)) if !own_proxy => main.check_proxy()?,
            _ => {}
        }
    }
    if let Some(main) = &vars.main {
        main.filter(&mut spec);
    }
    if spec.enabled {
        ignored.extend(unchecked_signature(kv, vars, origin, id));
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
    if spec.baseurl.is_empty() && spec.mirrors.is_none() && spec.enabled {
        return Err(err_at(lineno, "no baseurl, metalink or mirrorlist".into()));
    }
    // A disabled repo's options are never handed to librepo: only an
    // enabled one's are checked, as dnf checks them when it loads the repo.
    if spec.enabled {
        spec.access.check().map_err(|m| err_at(lineno, m))?;
    }
    // A repo's certificate files are read now, before any download, on
    // the line that names them; a disabled repo's are not (dnf neither).
    if spec.enabled {
        if let Err(e) = spec.access.tls_config() {
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
            let mut urls = v
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(String::from);
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
        "metalink" => spec.mirrors = Some(MirrorSource::Metalink(v)),
        "mirrorlist" if !matches!(spec.mirrors, Some(MirrorSource::Metalink(_))) => {
            spec.mirrors = Some(MirrorSource::Mirrorlist(v))
        }
        "exclude" | "excludepkgs" => spec.exclude.extend(split_list(&v)),
        "includepkgs" => spec.includepkgs.extend(split_list(&v)),
        "name" => spec.name = v,
        // Network options (`access.rs`); any other key is ignored.
        _ => return spec.access.set(k, &v),
    }
    Some(Ok(()))
}

/// The `[main]` section of a `dnf.conf` (`--dnf-conf`), as dnf applies it
/// to the repos:
/// - the options libdnf's repos inherit from the main configuration
///   (`ConfigRepo`'s `OptionChild`ren: the network options the tools use,
///   `skip_if_unavailable`, `enabled`), unless a repo sets its own;
/// - `excludepkgs` and `includepkgs`, added to each repo's own lists (dnf
///   filters the whole sack with them: a repo keeps what matches main's
///   includes or its own), unless `disable_excludes` turns them off;
/// - `disable_excludes`: `all`, `main`, or repo ids whose own lists are off.
///
/// Values are taken as written: dnf 4 substitutes no `$basearch` in its main
/// configuration. Other main options are ignored: dnf's own
/// (`install_weak_deps`, `best`, `reposdir`, ...: the tools model mock's
/// buildroot, not the host's dnf), and the repo options the tools ignore in
/// `.repo` files too (`ip_resolve`, `throttle`, `proxy_ssl*`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MainDefaults {
    origin: String,
    /// Inherited options, with their lines.
    keys: Vec<(String, String, usize)>,
    excludes: Vec<String>,
    includes: Vec<String>,
    disable_excludes: Vec<String>,
    /// The values passed over, as dnf does (one message each).
    ignored: Vec<String>,
    /// A `proxy=` that is not a proxy URL, with its line: an error for the
    /// enabled repos that inherit it.
    bad_proxy: Option<(usize, String)>,
}

/// The `[main]` options a repo inherits (libdnf's `OptionChild` options of
/// `ConfigRepo` that the tools use).
fn is_inherited(key: &str) -> bool {
    matches!(
        key,
        "enabled"
            | "skip_if_unavailable"
            | "username"
            | "password"
            | "proxy"
            | "proxy_username"
            | "proxy_password"
            | "sslverify"
            | "sslcacert"
            | "sslclientcert"
            | "sslclientkey"
            | "timeout"
            | "minrate"
            | "retries"
            | "repo_gpgcheck"
    )
}

impl MainDefaults {
    /// Reads a `dnf.conf` file's `[main]` (its repo sections are read as a
    /// `.repo` file's, [`parse_repofile`]).
    /// Values an option cannot take are warned about and passed over.
    pub fn read(path: &Path) -> Result<MainDefaults> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let main = MainDefaults::parse(&text, &path.display().to_string())?;
        for msg in &main.ignored {
            super::skip::warn_once(msg.clone());
        }
        Ok(main)
    }

    /// [`MainDefaults::read`] of text; `origin` names it in errors. Every
    /// value is checked here, once: one an option cannot take is left out
    /// (and kept in `ignored`), as dnf passes it over.
    pub fn parse(text: &str, origin: &str) -> Result<MainDefaults> {
        let mut main = MainDefaults {
            origin: origin.to_string(),
            ..MainDefaults::default()
        };
        for (id, _, kv) in sections(text, origin)? {
            if id != "main" {
                continue;
            }
            for (k, v, line) in kv {
                match k.as_str() {
                    "exclude" | "excludepkgs" => main.excludes.extend(split_list(&v)),
                    "includepkgs" => main.includes.extend(split_list(&v)),
                    "disable_excludes" | "disableexcludes" => {
                        main.disable_excludes.extend(split_list(&v))
                    }
                    k if is_inherited(k) => {
                        let mut probe = RepoSpec::new("main", "");
                        match set_option(&mut probe, k, &v) {
                            Some(Err(m)) if dnf_passes_over(k) => {
                                main.ignored.push(passed_over(origin, line, "main", &m))
                            }
                            // Only an error for the enabled repos that take it.
                            Some(Err(m)) => main.bad_proxy = Some((line, m)),
                            _ => main.keys.push((k.to_string(), v, line)),
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(main)
    }

    /// Gives `spec` the inherited options (before its own; `enabled` only
    /// to a repo of a section: a `--repo ID=URL` is always enabled).
    fn inherit(&self, spec: &mut RepoSpec, section: bool) -> Result<()> {
        for (k, v, line) in &self.keys {
            if k == "enabled" && !section {
                continue;
            }
            if let Some(Err(m)) = set_option(spec, k, v) {
                return Err(Error::at_line(&self.origin, *line, format!("[main]: {m}")));
            }
        }
        Ok(())
    }

    /// Adds main's excludes and includes to `spec`'s own (after its own
    /// options), as `disable_excludes` allows.
    fn filter(&self, spec: &mut RepoSpec) {
        let off = |what: &str| self.disable_excludes.iter().any(|d| d == what);
        if off("all") || off(&spec.id) {
            spec.exclude.clear();
            spec.includepkgs.clear();
        }
        if !off("all") && !off("main") {
            spec.exclude.extend(self.excludes.iter().cloned());
            spec.includepkgs.extend(self.includes.iter().cloned());
        }
    }

    /// The error of a bad `proxy=` of main, for an enabled repo that
    /// inherits it.
    fn check_proxy(&self) -> Result<()> {
        match &self.bad_proxy {
            Some((line, m)) => Err(Error::at_line(&self.origin, *line, format!("[main]: {m}"))),
            None => Ok(()),
        }
    }

    /// What main gives a `--repo ID=URL` (no section of its own): the
    /// inherited options, checked as a section's are, and the filters.
    pub(super) fn apply_to_cli_repo(&self, spec: &mut RepoSpec) -> Result<()> {
        self.check_proxy()?;
        self.inherit(spec, false)?;
        if let Err(m) = spec.access.check() {
            return Err(self.error("proxy_username", m));
        }
        if let Err(e) = spec.access.tls_config() {
            return Err(self.error(e.key, format!("{}={}", e.key, e.msg)));
        }
        self.filter(spec);
        Ok(())
    }

    /// The line of `[main]` that sets `key`, if it does.
    fn line_of(&self, key: &str) -> Option<usize> {
        self.keys.iter().rev().find(|(k, ..)| k == key).map(|x| x.2)
    }

    /// An error about `key`, on the line that sets it.
    fn error(&self, key: &str, msg: String) -> Error {
        Error::at_line(
            &self.origin,
            self.line_of(key).unwrap_or(1),
            format!("[main]: {msg}"),
        )
    }
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

fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_sections_continuations_and_vars() {
        let text = "[main]\ncachedir=/x\n\n# comment\n[eln-$basearch]\nname=ELN\nbaseurl=https://a.example/$releasever/$basearch/\n  https://b.example/\npriority=90\nexclude=foo*, bar\n\n[eln-source]\nbaseurl=file:///srv/src\nenabled=0\n";
        let vars = Vars::new("x86_64", "eln");
        let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].id, "eln-x86_64");
        assert_eq!(r[0].baseurl, "https://a.example/eln/x86_64/");
        assert_eq!(r[0].extra_baseurls, ["https://b.example/"]);
        assert_eq!(r[0].priority, 90);
        assert_eq!(r[0].exclude, vec!["foo*", "bar"]);
        assert!(!r[1].enabled);
        // dnf's default; [main] sets nothing for the repos.
        assert!(!r[0].skip_if_unavailable);
        let r = parse_repofile_str(
            "[main]\nskip_if_unavailable=1\n[a]\nbaseurl=/a\n[b]\nbaseurl=/b\nskip_if_unavailable=On\n",
            "t.repo",
            &vars,
        )
        .unwrap();
        assert!(!r[0].skip_if_unavailable && r[1].skip_if_unavailable);
    }

    #[test]
    fn arch_includepkgs_cost_and_excludepkgs() {
        let text = "[bin]\nbaseurl=/repos/$arch/${basearch}\nincludepkgs=bash glibc*\nexcludepkgs=glibc-devel\ncost=500\n[off]\nenabled=false\nbaseurl=/nowhere\n";
        let vars = Vars::new("aarch64", "");
        let r = parse_repofile_str(text, "t.repo", &vars).unwrap();
        assert_eq!(r[0].baseurl, "/repos/aarch64/aarch64");
        assert_eq!(r[0].includepkgs, vec!["bash", "glibc*"]);
        assert_eq!(r[0].exclude, vec!["glibc-devel"]);
        assert_eq!(r[0].cost, 500);
        assert_eq!(r[0].priority, 99);
        assert!(r[0].enabled && !r[1].enabled);
        // A mock config is not a dnf.conf; the message says what to give.
        let e = parse_repofile_str(
            "config_opts['root'] = 'x'\n",
            "eln.cfg",
            &Vars::new("x86_64", ""),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("eln.cfg:1: 'key=value' before the first [section]"),
            "{e}"
        );
        assert!(e.contains("config_opts['dnf.conf']"), "{e}");
        // $basearch is dnf's base arch, $arch the arch itself.
        let r = parse_repofile_str(text, "t.repo", &Vars::new("i686", "")).unwrap();
        assert_eq!(r[0].baseurl, "/repos/i686/i386");
    }

    #[test]
    fn urls_are_substituted_once_more_as_librepo_does() {
        // An escaped variable is kept by the configuration reader, then
        // substituted by librepo in the URLs it downloads from (not in
        // other values).
        let text = "[a]\nbaseurl=/r/\\$basearch/\nmetalink=https://m/?arch=\\${basearch}\n\
                    exclude=x-\\$basearch\n";
        let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("s390x", "")).unwrap();
        assert_eq!(r[0].baseurl, "/r/s390x/");
        assert_eq!(
            r[0].mirrors,
            Some(MirrorSource::Metalink("https://m/?arch=s390x".into()))
        );
        assert_eq!(r[0].exclude, ["x-$basearch"]);
    }

    #[test]
    fn metalink_and_mirrorlist_sections() {
        let text =
            "[fedora]\nmetalink=https://mirrors.example/metalink?repo=rawhide&arch=$basearch\n\
                    [updates]\nmirrorlist=https://mirrors.example/mirrorlist?arch=$basearch\n\
                    [both]\nbaseurl=/local\nmetalink=https://m/ml\n";
        let r = parse_repofile_str(text, "t.repo", &Vars::new("s390x", "")).unwrap();
        assert_eq!(
            r[0].mirrors,
            Some(MirrorSource::Metalink(
                "https://mirrors.example/metalink?repo=rawhide&arch=s390x".into()
            ))
        );
        assert!(r[0].baseurl.is_empty());
        assert!(matches!(r[1].mirrors, Some(MirrorSource::Mirrorlist(_))));
        // Both kept: the list's mirrors come first when the repo is opened.
        assert_eq!(r[2].baseurl, "/local");
    }

    /// Fedora's own files, as the fedora-repos package ships them: a
    /// metalink with `$releasever` and `$basearch` in its query, a
    /// commented-out baseurl, and options the tools pass over without a
    /// word (`countme`, `gpgkey`, `type=rpm`, `repo_gpgcheck`, ...).
    #[test]
    fn fedoras_own_repo_files_are_read_as_dnf_reads_them() {
        let text = "[fedora]\nname=Fedora $releasever - $basearch\n\
            #baseurl=http://download.example/pub/fedora/linux/releases/$releasever/Everything/$basearch/os/\n\
            metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch\n\
            enabled=1\ncountme=1\nmetadata_expire=7d\nrepo_gpgcheck=0\ntype=rpm\ngpgcheck=1\n\
            gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch\n\
            skip_if_unavailable=False\n\n\
            [fedora-debuginfo]\nname=Fedora $releasever - $basearch - Debug\n\
            metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-debug-$releasever&arch=$basearch\n\
            enabled=0\ntype=rpm\nskip_if_unavailable=False\n";
        let (r, ignored) =
            parse_repofile_text(text, "fedora.repo", &Vars::new("aarch64", "41")).unwrap();
        assert!(ignored.is_empty(), "{ignored:?}");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].name, "Fedora 41 - aarch64");
        assert_eq!(
            r[0].mirrors,
            Some(MirrorSource::Metalink(
                "https://mirrors.fedoraproject.org/metalink?repo=fedora-41&arch=aarch64".into()
            ))
        );
        assert!(r[0].baseurl.is_empty() && r[0].enabled && !r[0].skip_if_unavailable);
        assert!(!r[1].enabled);
        // repo_gpgcheck=1 on an enabled repo (its own, or [main]'s) is
        // warned about, as its signature goes unchecked; off, or on a
        // disabled repo, nothing.
        let text = "[a]\nbaseurl=/x\nrepo_gpgcheck=1\n[b]\nbaseurl=/y\nrepo_gpgcheck=1\n\
                    enabled=0\n[c]\nbaseurl=/z\nrepo_gpgcheck=0\n";
        let (_, ignored) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
        assert_eq!(
            ignored,
            [
                "t.repo:3: [a]: repo_gpgcheck=1 is not honoured: these tools check no OpenPGP \
              signature, so repomd.xml is read without repomd.xml.asc, which dnf would require \
              and check against gpgkey"
            ]
        );
        let main = MainDefaults::parse("[main]\nrepo_gpgcheck=True\n", "dnf.conf").unwrap();
        let vars = Vars::new("x86_64", "").with_main(main);
        let text = "[a]\nbaseurl=/x\n[c]\nbaseurl=/z\nrepo_gpgcheck=0\n";
        let (_, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
        assert_eq!(ignored.len(), 1, "{ignored:?}");
        assert!(
            ignored[0].starts_with("dnf.conf:2: [a]: repo_gpgcheck=True is not honoured"),
            "{ignored:?}"
        );
        // A type libdnf does not read (they are compared as written): an
        // error on its line, the repo enabled or not, as dnf 4.14 stops.
        // As dnf 4.14's read_all_repos took them (probed): blanks around
        // the value go, and `Type=` is another (unknown) option.
        for t in [
            "type=rpm-md",
            "type=yum",
            "type=YUM",
            "type=",
            "type=rpm-md  ",
            "type=  yum",
        ]
        .into_iter()
        .chain(["Type=debian", "TYPE=debian", "type=None"])
        {
            let text = format!("[a]\nbaseurl=/x\n{t}\n");
            let (r, ignored) =
                parse_repofile_text(&text, "t.repo", &Vars::new("x86_64", "")).unwrap();
            assert_eq!((r.len(), ignored.len()), (1, 0), "{t}");
        }
        // Substituted, and compared whole (no comment after a value).
        for (t, says) in [
            ("type = RPM-MD", "type=RPM-MD"),
            ("type=$basearch", "type=x86_64"),
            ("type=rpm-md #c", "type=rpm-md #c"),
        ] {
            let text = format!("[a]\nbaseurl=/x\nenabled=0\n{t}\n");
            let e = parse_repofile_text(&text, "t.repo", &Vars::new("x86_64", "")).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("t.repo:4: [a]: {says} is not")),
                "{e}"
            );
        }
        let text = "[b]\nbaseurl=/y\n[a]\nbaseurl=/x\nenabled=0\ntype=RPM\n";
        let e = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.repo:6: [a]: type=RPM is not a repository type dnf reads (rpm-md, rpm, repomd, \
             rpmmd, yum, YUM): dnf 4.14 stops on it, the repo enabled or not"
        );
    }

    #[test]
    fn broken_section_names_file_and_line() {
        let e = parse_repofile_str(
            "[ok]\nbaseurl=/x\n[broken\n",
            "t.repo",
            &Vars::new("x86_64", ""),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "t.repo:3: section header without ']'");
        let e =
            parse_repofile_str("[x]\nenabled=1\n", "t.repo", &Vars::new("x86_64", "")).unwrap_err();
        assert!(e.to_string().contains("no baseurl"), "{e}");
    }

    #[test]
    fn a_bad_value_is_passed_over_as_dnf_does() {
        let vars = Vars::new("x86_64", "");
        // dnf 4.14 logs "Invalid configuration value" and keeps the value
        // before: the default, or main's.
        let text = "[a]\nbaseurl=/x\n  /y\npriority=high\ncost=abc\nenabled=maybe\n\
                    skip_if_unavailable=2\ntimeout=abc\nretries=x\n";
        let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
        assert_eq!((r[0].priority, r[0].cost), (99, 1000));
        assert!(r[0].enabled && !r[0].skip_if_unavailable);
        assert_eq!(r[0].access.pace, Default::default());
        assert_eq!(
            ignored,
            [
                "t.repo:4: [a]: priority=high is not a number; ignored, as dnf ignores it",
                "t.repo:5: [a]: cost=abc is not a number; ignored, as dnf ignores it",
                "t.repo:6: [a]: enabled=maybe is not a boolean; ignored, as dnf ignores it",
                "t.repo:7: [a]: skip_if_unavailable=2 is not a boolean; ignored, as dnf ignores it",
                "t.repo:8: [a]: timeout=abc is not a number of seconds; ignored, as dnf ignores it",
                "t.repo:9: [a]: retries=x is not a whole number; ignored, as dnf ignores it",
            ]
        );
        let main =
            MainDefaults::parse("[main]\ntimeout=60\nsslverify=maybe\n", "dnf.conf").unwrap();
        assert_eq!(
            main.ignored,
            ["dnf.conf:3: [main]: sslverify=maybe is not a boolean; ignored, as dnf ignores it"]
        );
        let vars = vars.with_main(main);
        let (r, _) = parse_repofile_text("[a]\nbaseurl=/x\ntimeout=x\n", "t.repo", &vars).unwrap();
        assert_eq!(r[0].access.pace.timeout, Some(Duration::from_secs(60)));
        assert!(r[0].access.sslverify);
    }

    #[test]
    fn lines_as_libdnfs_ini_parser_reads_them() {
        // dnf 4.14 on this file: a (baseurl "/x" with its quotes, as the
        // value spans two lines; /y), priority 5 (`Priority` is no
        // option), cost 3 (the second [a] is the same section), exclude
        // a; b; c (an indented header); name without its blanks.
        let text = "[a] # comment\nbaseurl=\"/x\"\n  /y\n#c\npriority=5\nPriority=7\nexclude=a\n\
                    Exclude=b\n[b]\nbaseurl='/b'\n[a]\ncost=3\n  [c]\nbaseurl=/c\nname = spaced \n";
        let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(
            (r[0].baseurl.as_str(), r[0].extra_baseurls.clone()),
            ("\"/x\"", vec!["/y".to_string()])
        );
        assert_eq!(
            (r[0].priority, r[0].cost, r[0].exclude.clone()),
            (5, 3, vec!["a".to_string()])
        );
        assert_eq!(r[1].baseurl, "/b");
        assert_eq!(r[2].name, "spaced");
        // An indented line after a comment continues nothing: dnf skips
        // the file; a header with text after it is refused too.
        let e = |t: &str| {
            parse_repofile_text(t, "t.repo", &Vars::new("x86_64", ""))
                .unwrap_err()
                .to_string()
        };
        assert!(
            e("[a]\nbaseurl=/x\n#c\n  /y\n").starts_with("t.repo:4: indented line with no value")
        );
        assert_eq!(e("[a] xy\n"), "t.repo:1: text after the section header");
        // (libdnf does not look at the last character: `[a] x` is [a].)
        let (r, _) =
            parse_repofile_text("[a] x\nbaseurl=/x\n", "t.repo", &Vars::new("x86_64", "")).unwrap();
        assert_eq!(r[0].id, "a");
        // Ids dnf does not take: skipped with a warning, the rest read.
        let text = "[ a ]\nbaseurl=/x\n[a$nope]\nbaseurl=/y\n[copr:h:o:p]\nbaseurl=/z\n";
        let (r, ignored) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
        assert_eq!(
            r.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["copr:h:o:p"]
        );
        assert_eq!(ignored.len(), 2, "{ignored:?}");
        assert!(
            ignored[0].starts_with("t.repo:1: [ a ]: not a repo id"),
            "{ignored:?}"
        );
        assert_eq!(e("[a]\n=x\n"), "t.repo:2: '=' without a key");
        // [main] twice is one [main]: its last proxy= and excludepkgs= count.
        let main = MainDefaults::parse(
            "[main]\nproxy=ftp://p\nexcludepkgs=a\n[main]\nproxy=\nexcludepkgs=b\n",
            "d",
        )
        .unwrap();
        assert_eq!(
            (main.bad_proxy.is_none(), main.excludes.clone()),
            (true, vec!["b".to_string()])
        );
    }

    #[test]
    fn numbers_and_repeated_keys_as_libdnf_reads_them() {
        let vars = Vars::new("x86_64", "");
        // A key given again: the last line counts (dnf 4.14: priority 99,
        // excludepkgs b and c).
        let text = "[t]\nbaseurl=/x\npriority=5\npriority=high\nexclude=a\nexclude=b\n\
                    excludepkgs=c\n[u]\nbaseurl=/y\npriority=5x\ncost=3.5\n[v]\nbaseurl=/z\n\
                    priority= +7\ncost=-3\n";
        let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
        assert_eq!(
            (r[0].priority, r[0].exclude.clone()),
            (99, vec!["b".into(), "c".into()])
        );
        assert_eq!(ignored.len(), 1, "{ignored:?}");
        assert!(
            ignored[0].starts_with("t.repo:4: [t]: priority=high"),
            "{ignored:?}"
        );
        assert_eq!((r[1].priority, r[1].cost), (5, 3));
        assert_eq!((r[2].priority, r[2].cost), (7, -3));
        for bad in ["x", "-", "99999999999", ""] {
            assert_eq!(libdnf_i32(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bad_proxy_is_an_error_on_its_own_line() {
        let vars = Vars::new("x86_64", "");
        let e = parse_repofile_str("[a]\nbaseurl=/x\nproxy=ftp://p\n", "t.repo", &vars)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.repo:3: [a]: proxy=ftp://p is not a proxy URL"),
            "{e}"
        );
        let e =
            parse_repofile_str("[a]\nbaseurl=/x\nproxy_username=u\n", "t.repo", &vars).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.repo:1: [a]: proxy_username is set but not proxy_password"
        );
        let off = "[a]\nbaseurl=/x\nproxy_username=u\nenabled=0\n";
        assert!(parse_repofile_str(off, "t.repo", &vars).is_ok());
        // Only for the enabled repos that take it (dnf checks none).
        let r = parse_repofile_str(
            "[a]\nbaseurl=/x\nproxy=ftp://p\nenabled=0\n",
            "t.repo",
            &vars,
        );
        assert!(!r.unwrap()[0].enabled);
        let main = MainDefaults::parse("[main]\nproxy=ftp://p\n", "dnf.conf").unwrap();
        let vars = vars.with_main(main);
        let e = parse_repofile_str("[a]\nbaseurl=/x\n", "t.repo", &vars).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("dnf.conf:2: [main]: proxy=ftp://p"),
            "{e}"
        );
        let e = RepoSpec::parse_cli("c=/c", &vars).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("dnf.conf:2: [main]: proxy=ftp://p"),
            "{e}"
        );
        let ok = "[a]\nbaseurl=/x\nproxy=\n[b]\nbaseurl=/y\nenabled=0\n";
        assert_eq!(parse_repofile_str(ok, "t.repo", &vars).unwrap().len(), 2);
    }

    /// A mock-style dnf.conf: `[main]` and a repo of its own.
    const DNF_CONF: &str = "[main]\nkeepcache=1\nretries=20\ninstall_weak_deps=0\nbest=1\n\
        reposdir=/dev/null\nproxy=http://proxy.example:3128\nskip_if_unavailable=True\n\
        excludepkgs=*-debuginfo\n\n[local]\nbaseurl=https://kojipkgs.example/repos/$basearch/\n\
        retries=3\nexclude=foo\n";

    #[test]
    fn a_dnf_conf_main_gives_every_repo_its_defaults() {
        let main = MainDefaults::parse(DNF_CONF, "dnf.conf").unwrap();
        let vars = Vars::new("aarch64", "eln").with_main(main);
        // Its own section: main's defaults, then its own options.
        let r = parse_repofile_str(DNF_CONF, "dnf.conf", &vars).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].baseurl, "https://kojipkgs.example/repos/aarch64/");
        assert_eq!(r[0].access.pace.retries, Some(3));
        assert_eq!(
            r[0].access.proxy.as_deref(),
            Some("http://proxy.example:3128")
        );
        assert!(r[0].skip_if_unavailable);
        assert_eq!(r[0].exclude, ["foo", "*-debuginfo"]);
        // Another file's repo, and a --repo: the same defaults.
        let r = parse_repofile_str("[b]\nbaseurl=/b\nproxy=\n", "b.repo", &vars).unwrap();
        assert_eq!(r[0].access.pace.retries, Some(20));
        assert_eq!(r[0].access.proxy, None, "a repo's empty proxy= wins");
        let cli = RepoSpec::parse_cli("c=/c", &vars).unwrap();
        assert_eq!(cli.access.pace.retries, Some(20));
        assert_eq!(cli.exclude, ["*-debuginfo"]);
        // Without --dnf-conf, [main] sets nothing.
        let r = parse_repofile_str(DNF_CONF, "dnf.conf", &Vars::new("aarch64", "")).unwrap();
        assert_eq!(r[0].access.pace.retries, Some(3));
        assert_eq!(r[0].access.proxy, None);
        assert_eq!(r[0].exclude, ["foo"]);
    }

    #[test]
    fn a_dnf_conf_main_filters_and_enables_as_dnf() {
        let parse = |main: &str, repos: &str| {
            let main = MainDefaults::parse(main, "dnf.conf").unwrap();
            let vars = Vars::new("x86_64", "eln").with_main(main);
            parse_repofile_str(repos, "t.repo", &vars).unwrap()
        };
        let repos = "[a]\nbaseurl=/a\nincludepkgs=zlib*\nexclude=zlib-devel\n\
                     [b]\nbaseurl=/b\n[c]\nbaseurl=/c\nenabled=1\n";
        // A repo keeps what matches main's includes or its own.
        let r = parse(
            "[main]\nincludepkgs=bash\nexcludepkgs=foo\nenabled=0\n",
            repos,
        );
        assert_eq!(r[0].includepkgs, ["zlib*", "bash"]);
        assert_eq!(r[0].exclude, ["zlib-devel", "foo"]);
        assert_eq!(r[1].includepkgs, ["bash"]);
        // [main]'s enabled=0 disables the repos that do not enable themselves.
        assert_eq!(
            r.iter().map(|r| r.enabled).collect::<Vec<_>>(),
            [false, false, true]
        );
        // disable_excludes: main's lists, a repo's own, or all.
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=main\n", repos);
        assert_eq!(
            (r[0].exclude.as_slice(), r[1].exclude.len()),
            (&["zlib-devel".to_string()][..], 0)
        );
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=a\n", repos);
        assert_eq!(
            (r[0].exclude.as_slice(), r[0].includepkgs.len()),
            (&["foo".to_string()][..], 0)
        );
        let r = parse("[main]\nexcludepkgs=foo\ndisable_excludes=all\n", repos);
        assert!(r
            .iter()
            .all(|r| r.exclude.is_empty() && r.includepkgs.is_empty()));
        // Values are taken as written (dnf 4 substitutes no variables in [main]);
        // `None` is empty, as dnf reads it.
        let r = parse(
            "[main]\nproxy=http://proxy-$basearch.example:3128\nexcludepkgs=foo-$basearch\n",
            "[a]\nbaseurl=/$basearch\n[b]\nbaseurl=/b\nproxy=None\n",
        );
        assert_eq!(
            r[0].access.proxy.as_deref(),
            Some("http://proxy-$basearch.example:3128")
        );
        assert_eq!(r[0].exclude, ["foo-$basearch"]);
        assert_eq!(r[0].baseurl, "/x86_64");
        assert_eq!(r[1].access.proxy, None);
    }

    #[test]
    fn a_dnf_conf_main_that_cannot_be_read_is_one_line() {
        // proxy_username without proxy_password is checked per repo: a
        // repo may give the password (libdnf checks the inherited values).
        let main = MainDefaults::parse("[main]\n\nproxy_username=u\n", "dnf.conf").unwrap();
        let vars = Vars::new("x86_64", "").with_main(main);
        let r = parse_repofile_str("[b]\nbaseurl=/b\nproxy_password=p\n", "b.repo", &vars);
        assert_eq!(r.unwrap()[0].access.proxy_username, "u");
        assert_eq!(
            RepoSpec::parse_cli("c=/c", &vars).unwrap_err().to_string(),
            "dnf.conf:3: [main]: proxy_username is set but not proxy_password"
        );
        let missing = "[main]\nsslcacert=/nonexistent/ca.pem\n";
        let vars =
            Vars::new("x86_64", "").with_main(MainDefaults::parse(missing, "dnf.conf").unwrap());
        let e = RepoSpec::parse_cli("c=/c", &vars).unwrap_err().to_string();
        assert!(e.starts_with("dnf.conf:2: [main]: sslcacert="), "{e}");
    }
}
