//! Real Debian metadata as an rpm-md distribution: the Packages indices of
//! amd64, arm64, ppc64el and s390x and the Sources index (fetched by
//! scripts/bench-data.sh with a private apt configuration) become binary
//! repos, per-arch source repos and a compose.
//!
//! Mapping: `epoch:upstream-revision` -> epoch, version, release (`0` when
//! there is no revision); `Architecture: all` -> noarch; Depends and
//! Pre-Depends (pre) -> requires, `a | b` -> `(a or b)`; `<<`/`>>` -> `<`/`>`,
//! each versioned atom rewritten so that the versions present in the data
//! that dpkg accepts are exactly those rpm accepts (`debver.rs`: `<< 1:2.39.5-.`
//! becomes `<= 1:2.39.5-0+deb12u3`, not a requirement nothing meets);
//! `:any`/`:native` dropped (a foreign arch's name kept qualified: nothing
//! provides it), `[arch]` lists with wildcards (`linux-any`); Provides (with `(= v)`); unversioned Conflicts ->
//! conflicts (Breaks and versioned Conflicts are dropped: Debian ignores
//! unversioned virtual provides there, rpm would not); Replaces of a package
//! it also conflicts with -> obsoletes;
//! Recommends/Suggests/Enhances carried. Build-Depends(-Arch, -Indep) with
//! `[arch]`/`[!arch]` qualifiers become per-arch BuildRequires (the archful
//! part); atoms restricted to a build profile (`<nocheck>`) are dropped,
//! `<!nocheck>` kept. Fedora's core buildroot names are added as provides
//! of their Debian counterparts so buildroot-generator's default core
//! resolves (see CORE_MAP).

use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result};
use buildroot_core::dep::{Cmp, Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, Compression, WriteOptions};

use crate::debver::Present;

/// (Debian arch, rpm arch).
pub const ARCHES: &[(&str, &str)] = &[
    ("amd64", "x86_64"),
    ("arm64", "aarch64"),
    ("ppc64el", "ppc64le"),
    ("s390x", "s390x"),
];

/// Fedora core names -> the Debian package that plays the part.
const CORE_MAP: &[(&str, &str)] = &[
    ("glibc-minimal-langpack", "libc6"),
    ("redhat-rpm-config", "dpkg-dev"),
    ("rpm-build", "build-essential"),
    ("shadow-utils", "passwd"),
    ("which", "debianutils"),
    ("xz", "xz-utils"),
    ("fedora-release-eln", "base-files"),
    ("info", "info"),
];

/// Reads deb822 stanzas (field -> value, continuation lines joined).
fn stanzas(r: impl BufRead, mut f: impl FnMut(&[(String, String)]) -> Result<()>) -> Result<()> {
    let mut cur: Vec<(String, String)> = Vec::new();
    for line in r.lines() {
        let line = line?;
        if line.is_empty() {
            if !cur.is_empty() {
                f(&cur)?;
                cur.clear();
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = cur.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.push((k.to_string(), v.trim().to_string()));
        }
    }
    if !cur.is_empty() {
        f(&cur)?;
    }
    Ok(())
}

fn field<'a>(s: &'a [(String, String)], k: &str) -> Option<&'a str> {
    s.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str())
}

/// A Debian version as an rpm EVR.
pub fn evr(v: &str) -> Evr {
    // Debian sorts `2.0.0+~2.0.1` after `2.0.0` ('+' is a character there),
    // rpm before it ('+' is a separator, so '~' comes first): drop that '~'.
    let v = v.replace("+~", "+");
    let v = v.as_str();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
        _ => (0, v),
    };
    // rpm versions cannot hold '-' (the NVR separator), Debian upstream
    // versions can (`1.4-5-2`): '_' is a separator to rpmvercmp as well.
    match rest.rsplit_once('-') {
        Some((ver, rel)) => Evr::new(epoch, ver.replace('-', "_"), Some(rel)),
        None => Evr::new(epoch, rest, Some("0")),
    }
}

/// Whether a Debian architecture (or wildcard: `any`, `linux-any`,
/// `any-amd64`, `kfreebsd-any`, ...) matches `deb_arch` (all our arches run
/// Linux).
fn arch_matches(pat: &str, deb_arch: &str) -> bool {
    match pat.split_once('-') {
        _ if pat == "any" || pat == deb_arch => true,
        Some((os, cpu)) => matches!(os, "linux" | "any") && (cpu == "any" || cpu == deb_arch),
        None => false,
    }
}

/// One relation atom as Debian writes it: a name and maybe `(op version)`.
struct DebAtom {
    name: String,
    rel: Option<(Cmp, String)>,
}

/// One relation atom (`name[:q] [(op ver)] [arches] <profiles>`) for `arch`;
/// None when it does not apply to this arch/profile.
fn atom(s: &str, deb_arch: &str) -> Option<DebAtom> {
    let mut s = s.trim().to_string();
    // The version part first: its `<<` must not be taken for a profile.
    let mut ver_part = None;
    if let Some(open) = s.find('(') {
        let close = s[open..].find(')').map(|c| open + c)?;
        ver_part = Some(s[open + 1..close].trim().to_string());
        s.replace_range(open..=close, "");
    }
    // Profiles: keep `<!x>` (inactive profile negated), drop `<x>`.
    while let Some(start) = s.find('<') {
        let end = s[start..].find('>').map(|e| start + e)?;
        let inner = s[start + 1..end].to_string();
        if inner.split_whitespace().any(|p| !p.starts_with('!')) {
            return None;
        }
        s.replace_range(start..=end, "");
    }
    if let Some(start) = s.find('[') {
        let end = s[start..].find(']').map(|e| start + e)?;
        let arches: Vec<&str> = s[start + 1..end].split_whitespace().collect();
        let negated = arches.iter().all(|a| a.starts_with('!'));
        let hit = arches
            .iter()
            .any(|a| arch_matches(a.trim_start_matches('!'), deb_arch));
        if negated == hit {
            return None;
        }
        s.replace_range(start..=end, "");
    }
    // `:any`/`:native` (or this arch) qualify a package of this arch; a
    // foreign arch's package does not exist here: its name is kept
    // qualified, so nothing provides it (and a conflict with it is void).
    let full = s.trim();
    let name = match full.split_once(':') {
        Some((n, q)) if !matches!(q.trim(), "any" | "native") && q.trim() != deb_arch => {
            format!("{}:{}", n.trim(), q.trim())
        }
        Some((n, _)) => n.trim().to_string(),
        None => full.to_string(),
    };
    if name.is_empty() || name.starts_with(':') {
        return None;
    }
    let rel = ver_part.as_deref().and_then(|v| {
        let (op, ver) = v.split_at(v.find(|c: char| !"<>=".contains(c)).unwrap_or(v.len()));
        let cmp = match op {
            "<<" | "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            "=" => Cmp::Eq,
            ">=" => Cmp::Ge,
            ">>" | ">" => Cmp::Gt,
            _ => return None,
        };
        Some((cmp, ver.trim().to_string()))
    });
    Some(DebAtom { name, rel })
}

impl DebAtom {
    /// As an rpm dependency: with `present`, a versioned atom is rewritten
    /// so that the same present versions meet it (see `debver`); without,
    /// the version is only mapped (for Provides).
    fn dep(&self, present: Option<&Present>) -> Dep {
        match (&self.rel, present) {
            (None, _) => Dep::Simple(SimpleDep::name(self.name.clone())),
            (Some((c, v)), Some(p)) => p.atom(&self.name, *c, v, evr),
            // Debian: no revision is revision 0, so `>> 2.36` is met by
            // 2.36-9 (rpm would ignore a missing release and call them equal).
            (Some((c, v)), None) => {
                Dep::Simple(SimpleDep::versioned(self.name.clone(), *c, evr(v)))
            }
        }
    }
}

/// A relation field (`a | b, c (>= 1)`) as dependencies for `arch`.
fn relations(v: Option<&str>, deb_arch: &str, present: Option<&Present>) -> Vec<Dep> {
    let Some(v) = v else { return Vec::new() };
    v.split(',')
        .filter_map(|group| {
            let alts: Vec<Dep> = group
                .split('|')
                .filter_map(|a| atom(a, deb_arch))
                .map(|a| a.dep(present))
                .collect();
            match alts.len() {
                0 => None,
                1 => alts.into_iter().next(),
                _ => Some(Dep::Or(flatten_or(alts))),
            }
        })
        .collect()
}

/// `a | (b or c)` (an atom rewritten to an `or`) as one flat `or`.
fn flatten_or(alts: Vec<Dep>) -> Vec<Dep> {
    alts.into_iter()
        .flat_map(|d| match d {
            Dep::Or(v) => v,
            d => vec![d],
        })
        .collect()
}

fn simple(deps: Vec<Dep>) -> Vec<SimpleDep> {
    deps.into_iter()
        .flat_map(|d| d.leaves().into_iter().cloned().collect::<Vec<_>>())
        .collect()
}

fn binary(
    s: &[(String, String)],
    deb_arch: &str,
    rpm_arch: &str,
    present: &Present,
) -> Option<Package> {
    let name = field(s, "Package")?.to_string();
    let version = field(s, "Version")?;
    let arch = field(s, "Architecture")?;
    let e = evr(version);
    let (src, src_ver) = match field(s, "Source") {
        Some(src) => match src.split_once('(') {
            Some((n, v)) => (
                n.trim().to_string(),
                v.trim_end_matches(')').trim().to_string(),
            ),
            None => (src.trim().to_string(), version.to_string()),
        },
        None => (name.clone(), version.to_string()),
    };
    let mut p = Package {
        arch: if arch == "all" {
            "noarch".into()
        } else {
            rpm_arch.into()
        },
        sourcerpm: format!("{src}-{}.src.rpm", evr(&src_ver).vr()),
        location: format!("pool/{name}_{version}_{arch}.deb"),
        summary: field(s, "Description")
            .unwrap_or("")
            .chars()
            .take(80)
            .collect(),
        size: field(s, "Size").and_then(|v| v.parse().ok()).unwrap_or(0),
        name: name.clone(),
        evr: e,
        ..Default::default()
    };
    p.provides = simple(relations(field(s, "Provides"), deb_arch, None));
    for (k, pre) in [("Pre-Depends", true), ("Depends", false)] {
        for d in relations(field(s, k), deb_arch, Some(present)) {
            p.requires.push(Requirement { dep: d, pre });
        }
    }
    // Only unversioned Conflicts: Debian's versioned Breaks/Conflicts ignore
    // unversioned virtual provides, rpm's do not, so they would wrongly fire
    // (perl-base Breaks perl-modules << 5.36 hits perl-modules-5.36's provide).
    let conflicts: Vec<Dep> = relations(field(s, "Conflicts"), deb_arch, None)
        .into_iter()
        .filter(|d| d.as_simple().is_some_and(|sd| sd.range.is_none()))
        .collect();
    let conflicted: BTreeSet<String> = conflicts
        .iter()
        .flat_map(|d| d.leaves().into_iter().map(|l| l.name.clone()))
        .collect();
    p.obsoletes = simple(relations(field(s, "Replaces"), deb_arch, None))
        .into_iter()
        .filter(|o| conflicted.contains(&o.name) && o.name != name)
        .collect();
    p.conflicts = conflicts;
    p.recommends = relations(field(s, "Recommends"), deb_arch, Some(present));
    p.suggests = relations(field(s, "Suggests"), deb_arch, Some(present));
    p.enhances = relations(field(s, "Enhances"), deb_arch, Some(present));
    for (fedora, debian) in CORE_MAP {
        if name == *debian && name != *fedora {
            p.provides.push(SimpleDep::name(*fedora));
        }
    }
    Some(p)
}

fn source(s: &[(String, String)], deb_arch: &str, present: &Present) -> Option<Package> {
    let name = field(s, "Package")?.to_string();
    let version = field(s, "Version")?;
    let e = evr(version);
    let mut p = Package {
        arch: "src".into(),
        location: format!("{name}-{}.src.rpm", e.vr()),
        name,
        evr: e,
        ..Default::default()
    };
    for k in ["Build-Depends", "Build-Depends-Arch", "Build-Depends-Indep"] {
        for d in relations(field(s, k), deb_arch, Some(present)) {
            let r = Requirement::from(d);
            if !p.requires.contains(&r) {
                p.requires.push(r);
            }
        }
    }
    Some(p)
}

/// Converts `packages` (per Debian arch: a reader of its Packages index) and
/// `sources` (the Sources index, read once per arch) into `out`.
pub fn convert(
    packages: &dyn Fn(&str) -> Result<Box<dyn BufRead>>,
    sources: &dyn Fn() -> Result<Box<dyn BufRead>>,
    out: &Path,
) -> Result<()> {
    let opts = WriteOptions {
        compression: Compression::Zstd,
        timestamp: 1_730_000_000,
    };
    let mut compose_sources = BTreeSet::new();
    for (deb, rpm) in ARCHES {
        let mut stz: Vec<Vec<(String, String)>> = Vec::new();
        stanzas(packages(deb)?, |s| {
            stz.push(s.to_vec());
            Ok(())
        })
        .with_context(|| format!("reading the {deb} Packages index"))?;
        // The versions present, for version relations to keep their meaning.
        let mut present = Present::default();
        for s in &stz {
            if let (Some(n), Some(v)) = (field(s, "Package"), field(s, "Version")) {
                present.add(n, v);
            }
            for a in field(s, "Provides")
                .into_iter()
                .flat_map(|v| v.split(','))
                .filter_map(|a| atom(a, deb))
            {
                if let Some((Cmp::Eq, v)) = &a.rel {
                    present.add(&a.name, v);
                }
            }
        }
        let mut bins = Vec::new();
        let mut compose = BTreeSet::new();
        let mut k = 0usize;
        for s in &stz {
            if let Some(p) = binary(s, deb, rpm, &present) {
                // The compose: the base system plus every 15th optional package.
                let prio = field(s, "Priority").unwrap_or("optional");
                k += 1;
                if matches!(prio, "required" | "important" | "standard") || k.is_multiple_of(15) {
                    compose.insert(p.name.clone());
                    compose_sources.insert(p.source_name().to_string());
                }
                bins.push(p);
            }
        }
        drop(stz);
        write_repodata(&out.join("repos").join(rpm), &bins, &opts)?;
        let mut srcs = Vec::new();
        stanzas(sources()?, |s| {
            if let Some(p) = source(s, deb, &present) {
                srcs.push(p);
            }
            Ok(())
        })
        .context("reading the Sources index")?;
        write_repodata(
            &out.join("repos").join(format!("source-{rpm}")),
            &srcs,
            &opts,
        )?;
        let dir = out.join("compose");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join(format!("{rpm}.txt")),
            compose.into_iter().collect::<Vec<_>>().join("\n") + "\n",
        )?;
        eprintln!(
            "{rpm}: {} binaries, {} sources (Debian bookworm)",
            bins.len(),
            srcs.len()
        );
    }
    std::fs::write(
        out.join("compose/sources.txt"),
        compose_sources.into_iter().collect::<Vec<_>>().join("\n") + "\n",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_map_to_rpm() {
        let d = relations(Some("libc6 (>= 2.34), foo | bar (<< 2:1.0-1), baz:any, x [amd64], y [!amd64], z <!nocheck>, w <nocheck>"), "amd64", None);
        let text: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            text,
            vec!["libc6 >= 2.34-0", "(foo or bar < 2:1.0-1)", "baz", "x", "z"]
        );
        let d = relations(
            Some("x [linux-any], y [!linux-any], z [any-amd64], w [kfreebsd-any], v:i386, u:s390x"),
            "s390x",
            None,
        );
        assert_eq!(
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            vec!["x", "v:i386", "u"]
        );
        let d = relations(Some("x [amd64], y [!amd64]"), "s390x", None);
        assert_eq!(
            d.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            vec!["y"]
        );
        assert_eq!(evr("1:2.3-4+b1").to_string(), "1:2.3-4+b1");
        assert_eq!(evr("2.3").release.as_deref(), Some("0"));
        // An upstream '-' must not leak into the NVR (abind 1.4-5-2).
        assert_eq!(evr("1.4-5-2").to_string(), "1.4_5-2");
        assert_eq!(evr("2.0.0+~2.0.1-5").to_string(), "2.0.0+2.0.1-5");
    }
}
