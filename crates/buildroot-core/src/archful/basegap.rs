//! The plain values of the distribution rpm's base macro file that the
//! host rpm's base file lacks, for `--rpmspec`/`--rpmbuild`
//! ([`super::rpmargs`]), which give rpm its own base file.
//!
//! rpm reads its base file (`%{_rpmconfigdir}/macros`, rpm's
//! `rpmInitMacros` over the macro path) before the distribution's drop-ins,
//! platform file and vendor file. Each rpm release adds definitions there:
//! rpm 4.19 `%x86_64` (the arch list `%ifarch %{x86_64}` and
//! `ExclusiveArch: %{x86_64}` name), rpm 6.0 `%e2k`, `%_sysusersdir`. An
//! older host rpm reading its own file leaves them undefined, so a spec of
//! a newer distribution silently took other branches (box64, fex-emu,
//! svt-av1 and pmbootstrap in Fedora). The distribution's definitions of
//! such names are given back, but only plain ones (no `%` in the body, one
//! line, no arguments): a body that expands other macros may call what the
//! host rpm cannot (rpm 6's `%_smp_build_ncpus` runs `%{getncpus proc}`,
//! which rpm 4.18 rejects, failing every spec that expands it), and a
//! missing arch list or path is what changes answers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `NAME BODY` for each plain definition of `dist_base` whose name neither
/// `host_base` nor any of `others` (the files rpm loads after it) defines,
/// in `dist_base`'s order; given as `--define`s they act as if loaded from
/// a file right after the host's base file. A file that cannot be read
/// gives or hides nothing (rpm reports it).
pub(super) fn plain_gap(host_base: &Path, dist_base: &Path, others: &[PathBuf]) -> Vec<String> {
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    // Every `%NAME` opening a line counts as defined there, continuation
    // lines too: taking one too many only leaves a definition out, while
    // one missed would be overridden by ours.
    let mut known: HashSet<String> = HashSet::new();
    for p in std::iter::once(host_base).chain(others.iter().map(PathBuf::as_path)) {
        known.extend(
            read(p)
                .lines()
                .filter_map(|l| name_of(l).map(|(n, _)| n.to_string())),
        );
    }
    definitions(&read(dist_base))
        .into_iter()
        .filter(|(name, _)| !known.contains(name))
        .filter_map(|(name, body)| body.map(|b| format!("{name} {b}")))
        .collect()
}

/// The definitions of a macro file's text, as rpm's file reader takes them
/// (a line starting with `%NAME`; a body goes on while a line ends in `\`
/// or a brace is open): the name, and the body when it is plain (one line,
/// no `%`, no arguments).
fn definitions(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut continued = false;
    let mut depth: i64 = 0;
    for line in text.lines() {
        let inside = continued || depth > 0;
        continued = line.ends_with('\\');
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        if inside {
            continue;
        }
        depth = depth.max(0);
        let Some((name, after)) = name_of(line) else {
            continue;
        };
        let body = after.trim();
        let plain = after.starts_with([' ', '\t'])
            && !body.is_empty()
            && !continued
            && !body.contains(['%', '{', '}', '\\']);
        out.push((name.to_string(), plain.then(|| body.to_string())));
    }
    out
}

/// The macro name a line starting with `%NAME` defines, and the rest.
fn name_of(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('%')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some((name, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_definitions_are_told_from_the_others() {
        let text = "# c\n%x86_64\tx86_64 amd64 em64t\n%_smp_build_ncpus %{getncpus proc}\n\
            %__spec_pre\\\n%notadef after\\\nend\n%f(a) x\n%e2k e2k\n%g %{expand:\n%notadef2 y\n}\n\
            %_sysusersdir /usr/lib/sysusers.d\n";
        let got = definitions(text);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "x86_64",
                "_smp_build_ncpus",
                "__spec_pre",
                "f",
                "e2k",
                "g",
                "_sysusersdir"
            ]
        );
        let plain: Vec<&str> = got.iter().filter_map(|(_, b)| b.as_deref()).collect();
        assert_eq!(plain, ["x86_64 amd64 em64t", "e2k", "/usr/lib/sysusers.d"]);
    }

    /// Only what neither the host's base file nor a later file defines.
    #[test]
    fn the_gap_leaves_out_what_rpm_reads_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let w = |n: &str, t: &str| {
            let p = dir.path().join(n);
            std::fs::write(&p, t).unwrap();
            p
        };
        let host = w("host", "%ix86 i386 i686\n%_iconsdir /host/icons\n");
        let dist = w(
            "dist",
            "%ix86 i386\n%x86_64 x86_64 amd64\n%_iconsdir /dist/icons\n%_sysusersdir /s\n",
        );
        let dropin = w("macros.systemd", "%_sysusersdir /from/dropin\n");
        assert_eq!(plain_gap(&host, &dist, &[dropin]), ["x86_64 x86_64 amd64"]);
        assert!(plain_gap(&host, &dir.path().join("none"), &[]).is_empty());
    }
}
