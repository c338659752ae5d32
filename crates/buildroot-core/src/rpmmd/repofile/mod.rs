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
        let e = err_at(lineno, "no baseurl, metalink or mirrorlist".into());
        if !spec.skip_if_unavailable {
            return Err(e);
        }
        // dnf 4.14 reads such a repo, then fails it when it loads ("Cannot
        // find a valid baseurl for repo"), and with skip_if_unavailable
        // leaves it out ("Ignoring repositories") and goes on: so here,
        // with the warning of a repo left out (`skip.rs`).
        ignored.push(format!(
            "repo '{}' skipped (skip_if_unavailable=1): {e}",
            spec.id
        ));
        spec.enabled = false;
    }
    if spec.enabled {
        ignored.extend(unchecked_signature(kv, vars, origin, id));
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
        "exclude" | "excludepkgs" => spec.exclude.extend(split_list(&v)),
        "includepkgs" => spec.includepkgs.extend(split_list(&v)),
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
        // An empty one is none, as libdnf takes it (dnf 4.14 read the
        // baseurl, or the mirrorlist, of these).
        let text = "[a]\nbaseurl=/x\nmetalink=\n[b]\nmirrorlist=https://l/\nmetalink=None\n\
                    [c]\nmetalink=\nmirrorlist=https://l/\n";
        let r = parse_repofile_str(text, "t.repo", &Vars::new("s390x", "")).unwrap();
        assert_eq!((r[0].baseurl.as_str(), &r[0].mirrors), ("/x", &None));
        for r in &r[1..] {
            assert_eq!(
                r.mirrors,
                Some(MirrorSource::Mirrorlist("https://l/".into()))
            );
        }
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

    /// dnf 4.14 reads a file whose comment is Latin-1 (probed), and stops
    /// on such bytes in a value: here an error on that line.
    #[test]
    fn bytes_not_utf8_are_read_in_comments_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.repo");
        let vars = Vars::new("x86_64", "");
        std::fs::write(&path, b"# caf\xe9\n[a]\n;\xff\nbaseurl=/x\n").unwrap();
        let r = parse_repofile(&path, &vars).unwrap();
        assert_eq!(r[0].baseurl, "/x");
        std::fs::write(&path, b"# caf\xe9\n[a]\nbaseurl=/x\nname=caf\xe9\n").unwrap();
        let e = parse_repofile(&path, &vars).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}:4: not UTF-8 text (dnf reads such bytes in a comment line only)",
                path.display()
            )
        );
        std::fs::write(&path, b"[main]\n# \xe9\nretries=4\n").unwrap();
        assert_eq!(MainDefaults::read(&path).unwrap().keys.len(), 1);
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

    /// dnf 4.14 fails an enabled repo without a URL when it loads it, and
    /// with skip_if_unavailable (its own or main's) leaves it out and goes
    /// on ("Ignoring repositories: b"): a warning here, the repo disabled,
    /// the file's other repos read.
    #[test]
    fn a_repo_without_url_is_skipped_when_it_may_be() {
        let vars = Vars::new("x86_64", "");
        let text = "[a]\nbaseurl=/x\n[b]\nname=B\n#baseurl=/y\nskip_if_unavailable=1\n\
                    repo_gpgcheck=1\n[c]\nbaseurl=/z\n";
        let (r, ignored) = parse_repofile_text(text, "t.repo", &vars).unwrap();
        assert_eq!(
            r.iter()
                .map(|r| (r.id.as_str(), r.enabled))
                .collect::<Vec<_>>(),
            [("a", true), ("b", false), ("c", true)]
        );
        assert_eq!(
            ignored,
            [
                "repo 'b' skipped (skip_if_unavailable=1): t.repo:3: [b]: no baseurl, metalink \
              or mirrorlist"
            ]
        );
        let main = MainDefaults::parse("[main]\nskip_if_unavailable=True\n", "dnf.conf").unwrap();
        let (r, _) =
            parse_repofile_text("[b]\nname=B\n", "t.repo", &vars.clone().with_main(main)).unwrap();
        assert!(!r[0].enabled);
        // Without it, an error on the section's line, as before.
        let e = parse_repofile_text("[b]\nskip_if_unavailable=0\n", "t.repo", &vars).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.repo:1: [b]: no baseurl, metalink or mirrorlist"
        );
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

    /// dnf 4.14 (probed): lists are cut at spaces, commas and line breaks
    /// only; a tab or another blank stays inside an item.
    #[test]
    fn lists_are_cut_where_libdnf_cuts_them() {
        let text = "[a]\nbaseurl=/x\t/y, /z\n  /w\nexclude=a\tb,c d\nincludepkgs=e\u{a0}f\n";
        let (r, _) = parse_repofile_text(text, "t.repo", &Vars::new("x86_64", "")).unwrap();
        assert_eq!(r[0].baseurl, "/x\t/y");
        assert_eq!(r[0].extra_baseurls, ["/z", "/w"]);
        assert_eq!(r[0].exclude, ["a\tb", "c", "d"]);
        assert_eq!(r[0].includepkgs, ["e\u{a0}f"]);
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
}
