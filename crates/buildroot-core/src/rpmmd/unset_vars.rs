//! The hint for a repo whose URL keeps a variable no one set: CentOS
//! Stream's, RHEL's and EPEL's `.repo` files use `$stream`, `$contentdir`,
//! `$infra`, ..., which dnf takes from its vars files (`/etc/dnf/vars`,
//! `varsdir.rs`). These tools read none unless `--dnf-conf` names them, so
//! such a URL keeps a literal `$stream` and its download fails: the error
//! (or the warning of a repo left out) then names the variable and how to
//! give it. Nothing is said while the repo can be read: a URL may hold a
//! `$` of its own. dnf has no such message (its URL fails as written).
//!
//! A name counts when the `.repo` text refers to it unescaped (`$name`,
//! `${name}`; not `\$name`, not the name of a `${name:-word}` whose word
//! stood in), it starts with a letter or `_` (`$1` in a URL is more likely
//! the URL's own), and the URL after both substitutions (`dnfvars.rs`)
//! still holds that reference.

use crate::error::Error;

/// The names of the variables `raw` (a URL as written) refers to, unset
/// (`known` says no), whose reference is still in one of `urls` (the
/// URLs substituted), in their order in `raw`, once each.
pub(super) fn unset_names(raw: &str, urls: &[&str], known: &dyn Fn(&str) -> bool) -> Vec<String> {
    let c: Vec<char> = raw.chars().collect();
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            // dnf keeps the next character as written.
            '\\' => i += 2,
            '$' => {
                let braces = c.get(i + 1) == Some(&'{');
                let start = i + 1 + usize::from(braces);
                let end = start
                    + c[start.min(c.len())..]
                        .iter()
                        .take_while(|ch| ch.is_ascii_alphanumeric() || **ch == '_')
                        .count();
                let name: String = c[start.min(c.len())..end].iter().collect();
                // `$1`, `$9x`: dnf would take them for variables too, but a
                // URL's own `$` (a query string's `$1`) is likelier than a
                // vars file of such a name: no hint for them.
                if name.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
                    && !known(&name)
                    && !names.contains(&name)
                    && urls.iter().any(|u| holds_reference(u, &name))
                {
                    names.push(name);
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    names
}

/// Whether `url` holds `$name` (not the start of a longer name) or `${name}`.
fn holds_reference(url: &str, name: &str) -> bool {
    let plain = format!("${name}");
    url.contains(&format!("${{{name}}}"))
        || url.match_indices(&plain).any(|(at, _)| {
            !url[at + plain.len()..].starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
        })
}

/// `e`, a failure to read a repo whose URLs keep the variables `names`,
/// with the hint added to its message (the same kind of error: whether the
/// repo may be skipped does not change).
pub(super) fn explain(e: Error, names: &[String]) -> Error {
    if names.is_empty() {
        return e;
    }
    let hint = hint(names);
    match e {
        Error::Format { path, line, msg } => Error::Format {
            path,
            line,
            msg: format!("{msg}; {hint}"),
        },
        Error::Http { url, msg, status } => Error::Http {
            url,
            msg: format!("{msg}; {hint}"),
            status,
        },
        // Its own line is the last failure's, where the hint belongs.
        Error::MirrorsGivenUp {
            url,
            repo,
            mirrors,
            failures,
            last,
        } => Error::MirrorsGivenUp {
            url,
            repo,
            mirrors,
            failures,
            last: format!("{last}; {hint}"),
        },
        Error::Io { path, err } => {
            let msg = format!("{}; {hint}", crate::error::io_message(&err));
            Error::Io {
                path,
                err: std::io::Error::new(err.kind(), msg),
            }
        }
        other => other,
    }
}

/// What to say of `names`, unset variables of a URL. `$releasever_major`
/// and `$releasever_minor` come from `$releasever` (split at its first
/// '.'), so they are given by `--releasever`, not by a variable of their own.
fn hint(names: &[String]) -> String {
    let (release, others): (Vec<&String>, Vec<&String>) = names
        .iter()
        .partition(|n| matches!(n.as_str(), "releasever_major" | "releasever_minor"));
    let refs = |names: &[&String]| {
        let verb = if names.len() == 1 { "is" } else { "are" };
        let refs: Vec<String> = names.iter().map(|n| format!("${n}")).collect();
        format!("{} {verb} not set", refs.join(", "))
    };
    let mut parts = Vec::new();
    if !release.is_empty() {
        parts.push(format!(
            "{} (the release's parts before and after its first '.'): give --releasever \
             MAJOR.MINOR",
            refs(&release)
        ));
    }
    if !others.is_empty() {
        let env: Vec<String> = others
            .iter()
            .map(|n| format!("DNF_VAR_{n}=VALUE"))
            .collect();
        let file = match others.len() {
            1 => format!("a file '{}'", others[0]),
            _ => "files of those names".to_string(),
        };
        parts.push(format!(
            "{} (dnf reads such variables from /etc/dnf/vars): give {}, or varsdir=DIR in the \
             [main] of --dnf-conf, DIR holding {file}",
            refs(&others),
            env.join(", ")
        ));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str, url: &str) -> Vec<String> {
        let known = |n: &str| n == "basearch";
        unset_names(raw, &[url], &known)
    }

    #[test]
    fn only_unset_references_left_in_the_url_count() {
        let raw = "http://h/$contentdir/${stream}/$basearch/$stream";
        let url = "http://h/$contentdir/${stream}/x86_64/$stream";
        assert_eq!(names(raw, url), ["contentdir", "stream"]);
        // Escaped, or a default stood in: not a variable left unset.
        assert!(names(r"http://h/\$stream/", "http://h/$stream/").is_empty());
        assert!(names("http://h/${stream:-9}/", "http://h/9/").is_empty());
        // A '$' that starts no name.
        assert!(names("http://h/a$/$-/${}/", "http://h/a$/$-/${}/").is_empty());
        // An escaped backslash does not escape the '$'.
        assert_eq!(names(r"/a\\$infra/", r"/a\$infra/"), ["infra"]);
        // A name that starts with a digit: a URL's own `$`, most likely.
        assert!(names("http://h/x?sig=$1&p=$2b", "http://h/x?sig=$1&p=$2b").is_empty());
        assert_eq!(names("/$_x/$1/", "/$_x/$1/"), ["_x"]);
        // A name's reference in the URL is the whole name.
        assert!(names("/$stream/", "/$streamx/").is_empty());
    }

    #[test]
    fn the_error_names_the_variables_and_keeps_its_kind() {
        let e = Error::Http {
            url: "http://h/$stream/repodata/repomd.xml".into(),
            msg: "HTTP 404".into(),
            status: None,
        };
        let e = explain(e, &["stream".to_string()]);
        assert!(matches!(e, Error::Http { .. }));
        assert_eq!(
            e.to_string(),
            "http://h/$stream/repodata/repomd.xml: HTTP 404; $stream is not set (dnf reads \
             such variables from /etc/dnf/vars): give DNF_VAR_stream=VALUE, or varsdir=DIR in \
             the [main] of --dnf-conf, DIR holding a file 'stream'"
        );
        let e = Error::format("/r/$a/$b", "repository directory does not exist");
        let e = explain(e, &["a".to_string(), "b".to_string()]);
        assert_eq!(
            e.to_string(),
            "/r/$a/$b: repository directory does not exist; $a, $b are not set (dnf reads \
             such variables from /etc/dnf/vars): give DNF_VAR_a=VALUE, DNF_VAR_b=VALUE, or \
             varsdir=DIR in the [main] of --dnf-conf, DIR holding files of those names"
        );
        // The release's parts are given by --releasever, not by a variable.
        let e = Error::format(
            "/r/$releasever_minor/$s",
            "repository directory does not exist",
        );
        let e = explain(e, &["releasever_minor".to_string(), "s".to_string()]);
        assert_eq!(
            e.to_string(),
            "/r/$releasever_minor/$s: repository directory does not exist; $releasever_minor \
             is not set (the release's parts before and after its first '.'): give \
             --releasever MAJOR.MINOR; $s is not set (dnf reads such variables from \
             /etc/dnf/vars): give DNF_VAR_s=VALUE, or varsdir=DIR in the [main] of --dnf-conf, \
             DIR holding a file 's'"
        );
        // A file no mirror was asked for: the hint follows the last failure.
        let e = Error::MirrorsGivenUp {
            url: "http://h/$a/x.rpm".into(),
            repo: Some("r".into()),
            mirrors: 1,
            failures: 4,
            last: "http://h/$a/y.rpm: HTTP 404".into(),
        };
        let e = explain(e, &["a".to_string()]);
        assert!(matches!(e, Error::MirrorsGivenUp { .. }));
        assert!(
            e.to_string()
                .ends_with("the last failure: http://h/$a/y.rpm: HTTP 404; $a is not set (dnf reads such variables from /etc/dnf/vars): give DNF_VAR_a=VALUE, or varsdir=DIR in the [main] of --dnf-conf, DIR holding a file 'a'"),
            "{e}"
        );
        let e = Error::Usage("x".into());
        assert_eq!(explain(e, &["a".to_string()]).to_string(), "x");
    }
}
