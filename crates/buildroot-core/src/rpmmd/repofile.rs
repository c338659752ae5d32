//! dnf `.repo` files: `[id]` sections of `key=value` lines, indented
//! continuation lines, `#`/`;` comments, and `$basearch`/`$arch`/`$releasever`
//! substitution. Only what a buildroot needs is kept (see [`RepoSpec`]);
//! `metalink=`/`mirrorlist=` are resolved when the repo is opened
//! (`mirrors.rs`); a `baseurl=` wins over them. `skip_if_unavailable=` is
//! acted on while loading (`skip.rs`). `[main]` is skipped, as dnf's repo
//! reader skips it in `.repo` files (repo defaults live in `dnf.conf`).

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

/// Parses `.repo` text; `origin` names it in errors.
pub fn parse_repofile_str(text: &str, origin: &str, vars: &Vars) -> Result<Vec<RepoSpec>> {
    // A byte order mark would make the first line an invalid header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Sections in order, continuation lines folded into their values.
    let mut sections: Vec<Section> = Vec::new();
    let mut last_key: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let err = |msg: &str| Error::at_line(origin, lineno, msg);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with(|c: char| c.is_whitespace()) {
            // Continuation of the previous value (e.g. more baseurls).
            let (_, _, kv) = sections
                .last_mut()
                .ok_or_else(|| err("continuation line outside a section"))?;
            let k = last_key.ok_or_else(|| err("continuation line without a key"))?;
            kv[k].1.push(' ');
            kv[k].1.push_str(trimmed);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let id = rest
                .strip_suffix(']')
                .ok_or_else(|| err("section header without ']'"))?
                .trim();
            if id.is_empty() {
                return Err(err("empty section name"));
            }
            sections.push((id.to_string(), lineno, Vec::new()));
            last_key = None;
            continue;
        }
        let (k, v) = trimmed
            .split_once('=')
            .ok_or_else(|| err("expected 'key=value', a '[section]' or a comment"))?;
        let (_, _, kv) = sections
            .last_mut()
            .ok_or_else(|| err("'key=value' before the first [section]"))?;
        kv.push((k.trim().to_ascii_lowercase(), v.trim().to_string(), lineno));
        last_key = Some(kv.len() - 1);
    }
    let mut out = Vec::new();
    for (id, lineno, kv) in sections {
        if id == "main" {
            continue;
        }
        // A value is reported on its own line; what the section lacks, on its header's.
        let err_at =
            |line: usize, msg: String| Error::at_line(origin, line, format!("[{id}]: {msg}"));
        let id = vars.substitute(&id);
        let mut spec = RepoSpec::new(&id, "");
        spec.origin = Some(origin.to_string());
        for (k, v, line) in &kv {
            let err = |msg: String| err_at(*line, msg);
            let v = vars.substitute(v);
            match k.as_str() {
                "baseurl" => {
                    // Several URLs are mirrors of one repo, tried in order.
                    let mut urls = v
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .filter(|s| !s.is_empty())
                        .map(String::from);
                    spec.baseurl = urls.next().unwrap_or_default();
                    spec.extra_baseurls = urls.collect();
                }
                "enabled" => {
                    spec.enabled = parse_bool(&v)
                        .ok_or_else(|| err(format!("enabled={v} is not a boolean")))?
                }
                "skip_if_unavailable" => {
                    spec.skip_if_unavailable = parse_bool(&v)
                        .ok_or_else(|| err(format!("skip_if_unavailable={v} is not a boolean")))?
                }
                "priority" => {
                    spec.priority = v
                        .parse()
                        .map_err(|_| err(format!("priority={v} is not a number")))?
                }
                "cost" => {
                    spec.cost = v
                        .parse()
                        .map_err(|_| err(format!("cost={v} is not a number")))?
                }
                "metalink" => spec.mirrors = Some(MirrorSource::Metalink(v)),
                "mirrorlist" if !matches!(spec.mirrors, Some(MirrorSource::Metalink(_))) => {
                    spec.mirrors = Some(MirrorSource::Mirrorlist(v))
                }
                "exclude" | "excludepkgs" => spec.exclude.extend(split_list(&v)),
                "includepkgs" => spec.includepkgs.extend(split_list(&v)),
                "name" => spec.name = v,
                // Network options (`access.rs`); any other key is ignored.
                _ => {
                    if let Some(r) = spec.access.set(k, &v) {
                        r.map_err(err)?;
                    }
                }
            }
        }
        if spec.baseurl.is_empty() && spec.mirrors.is_none() && spec.enabled {
            return Err(err_at(lineno, "no baseurl, metalink or mirrorlist".into()));
        }
        spec.access.check().map_err(|m| err_at(lineno, m))?;
        // A repo's certificate files are read now, before any download, on
        // the line that names them; a disabled repo's are not (dnf neither).
        if spec.enabled {
            if let Err(e) = spec.access.tls_config() {
                let line = kv.iter().rev().find(|(k, ..)| k == e.key).map(|x| x.2);
                return Err(err_at(
                    line.unwrap_or(lineno),
                    format!("{}={}", e.key, e.msg),
                ));
            }
        }
        out.push(spec);
    }
    Ok(out)
}

/// dnf's booleans, any case.
pub(super) fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

fn split_list(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // A baseurl wins (the mirrors are kept but not used).
        assert_eq!(r[2].baseurl, "/local");
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
    fn a_bad_value_is_reported_on_its_own_line() {
        let vars = Vars::new("x86_64", "");
        let e = parse_repofile_str("[a]\nbaseurl=/x\npriority=abc\n", "t.repo", &vars).unwrap_err();
        assert_eq!(e.to_string(), "t.repo:3: [a]: priority=abc is not a number");
        let e = parse_repofile_str("[a]\nbaseurl=/x\nskip_if_unavailable=2\n", "t.repo", &vars)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.repo:3: [a]: skip_if_unavailable=2 is not a boolean"
        );
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
        let text = "[a]\nbaseurl=/x\n  /y\n\nenabled=maybe\n";
        let e = parse_repofile_str(text, "t.repo", &vars).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.repo:5: [a]: enabled=maybe is not a boolean"
        );
    }
}
