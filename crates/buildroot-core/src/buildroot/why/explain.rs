//! [`explain`]: the whole answer to `--why QUERY`, for a query that is not
//! simply a binary name of the buildroot. The query is read as dnf reads a
//! package argument (`dnf.subject.Subject`: a NEVRA, an NVR, `name.arch`,
//! an SRPM file name; [`subject_in`]), the chain comes from [`super`], and
//! what is not a binary of the buildroot gets one line saying what it is:
//! another version or arch, a source package of the run, a package a
//! failed build wanted, a capability and who provides it (as
//! `dnf repoquery --whatprovides` lists them), or nothing, with the names
//! closest to it (dnf's "No match for argument" has no such guess).
//!
//! Separate from the chain search because none of it walks a transaction:
//! it is all about the query and the pool.

use super::{chain_steps, split, Buildroot, Why};
use crate::dep::Dep;
use crate::evr::{rpmvercmp, Evr};
use crate::pkglist::subject_in;
use crate::pool::PkgId;

/// What `--why QUERY` answers: the chain when the query names a binary of
/// the buildroot, else one line saying what the query is instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhyAnswer {
    /// The name the query was taken as: a NEVRA, an SRPM file name or an NVR
    /// is reduced to its name as input lines are ([`crate::pkglist::name_and_version_in`]);
    /// anything else is kept as given.
    pub name: String,
    /// The buildroot's package of that name, `name-[E:]V-R.arch`.
    pub package: Option<String>,
    /// Its chain as steps, binary first ([`why_steps`](super::why_steps)).
    pub chain: Option<Vec<String>>,
    /// The chain as `--why` prints it: the steps joined by ` <- `, but with
    /// every package written `NAME.ARCH` when the query gave an arch
    /// (`glibc.i686`, a NEVRA) or the buildroot holds the name for more
    /// than one arch (multilib), so that the line says which package each
    /// step is. The steps above keep the names, as `buildroot-why.json`
    /// does (`package` says which one the chain is about).
    pub line: Option<String>,
    /// One line for the reader: why there is no chain, or that the
    /// buildroot's package is another version than the one asked about.
    pub note: Option<String>,
    /// For a binary not in the buildroot: the failed transactions whose
    /// problem lines name one of its packages (source name order).
    pub failed_builds: Vec<FailedBuild>,
}

/// A failed source's transaction that wanted a package: its problem lines
/// name it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FailedBuild {
    /// The source whose build failed.
    pub source: String,
    /// Its error class (`BadDeps`).
    pub error: String,
    /// The first of its problem lines that names the package.
    pub problem: String,
}

/// The failed (BadDeps) sources whose problem lines name a package called
/// `name` (of `arch`, when one is given), as a whole word in its NEVRA form
/// (`package nvml-1.4.2-2.oe1.x86_64 requires ...`, `... needed by X`,
/// `cannot install both X and Y`).
fn failed_builds_wanting(br: &Buildroot<'_>, name: &str, arch: Option<&str>) -> Vec<FailedBuild> {
    let pool = br.pool;
    let nevras: Vec<String> = pool
        .binaries_named(name)
        .iter()
        .filter(|&&p| arch.is_none_or(|a| pool.arch_of(p) == a))
        .map(|&p| pool.nevra_string(p))
        .collect();
    if nevras.is_empty() {
        return Vec::new();
    }
    let names_it = |line: &str| {
        line.split_whitespace()
            .map(|w| w.trim_end_matches([',', ';', ':']))
            .any(|w| nevras.iter().any(|n| n == w))
    };
    br.sources
        .iter()
        .filter_map(|s| {
            let problem = s.bad_deps.iter().find(|l| names_it(l))?;
            Some(FailedBuild {
                source: s.name.clone(),
                error: "BadDeps".to_string(),
                problem: problem.clone(),
            })
        })
        .collect()
}

/// The sources whose BuildRequires `name` (a plain or versioned one, as
/// the spec writes it: `lzma-devel`, `binutils >= 99`) matched nothing
/// (NoInstall): a packager who reads `afflib: NoInstall: nothing provides
/// 'lzma-devel'` and asks `--why lzma-devel` is told which builds wanted it,
/// not only that no repository has it.
fn no_install_wanting(br: &Buildroot<'_>, name: &str) -> Vec<FailedBuild> {
    br.sources
        .iter()
        .filter_map(|s| {
            let dep = s.no_install.iter().find(|d| {
                Dep::parse(d)
                    .ok()
                    .and_then(|d| d.as_simple().map(|s| s.name == name))
                    .unwrap_or(false)
            })?;
            Some(FailedBuild {
                source: s.name.clone(),
                error: "NoInstall".to_string(),
                problem: format!("nothing provides '{dep}'"),
            })
        })
        .collect()
}

/// `failed`'s sources as the end of a sentence: "the build of X wanted it
/// but failed (ERROR: PROBLEM)", with the first one's problem. A source
/// listed twice (a BadDeps and a NoInstall of the name: `failed` is in
/// source order) is one build.
fn wanted_by(failed: &[FailedBuild]) -> Option<String> {
    let first = failed.first()?;
    let mut sources: Vec<&str> = failed.iter().map(|f| f.source.as_str()).collect();
    sources.dedup();
    let builds = if sources.len() == 1 {
        "build"
    } else {
        "builds"
    };
    Some(format!(
        "the {builds} of {} wanted it but failed ({}: {})",
        sources.join(", "),
        first.error,
        first.problem
    ))
}

/// Answers `--why QUERY`. A packager asks about what they have at hand: a
/// name, a NEVRA from a compose list, an NVR from a `*-nvrs` list or a build
/// log, a source name, a capability from a BuildRequires. Each is answered
/// for what it is, rather than "not in the buildroot" for anything that is
/// not a binary name.
///
/// An arch in the query (a NEVRA, `name.arch`) selects that arch's package:
/// a multilib buildroot may hold `glibc.i686` for one build and
/// `glibc.x86_64` for all. A package of that arch the repositories hold and
/// the buildroot does not is "not in the buildroot", as any other binary;
/// an arch the repositories have no such package of (a NEVRA from another
/// arch's list) is answered as another version is: the buildroot's package
/// of that name, and a note.
pub fn explain(br: &Buildroot<'_>, query: &str) -> WhyAnswer {
    let pool = br.pool;
    let known = |n: &str| !pool.binaries_named(n).is_empty() || !pool.sources_named(n).is_empty();
    let subject = subject_in(query, known);
    let (name, version) = (subject.name, subject.version);
    // A source's arch is the source_shaped case below, not a binary's.
    let asked_arch = subject.arch.filter(|a| a != "src" && a != "nosrc");
    let arch = pool.arch().target();
    let mut answer = WhyAnswer {
        name: name.clone(),
        package: None,
        chain: None,
        line: None,
        note: None,
        failed_builds: Vec::new(),
    };
    // An SRPM file name or a `.src` NEVRA asks about the source package,
    // even when a binary has its name.
    let source_shaped = [".src.rpm", ".nosrc.rpm", ".src", ".nosrc"]
        .iter()
        .any(|s| query.ends_with(s))
        && name != query;
    // The repositories hold a package of the name and the asked arch: a
    // question about that package, not about the name.
    let arch_held = asked_arch.as_deref().filter(|&a| {
        pool.binaries_named(&name)
            .iter()
            .any(|&p| pool.arch_of(p) == a)
    });
    if !source_shaped {
        let mut w = Why::new(br);
        // An unambiguous name asked without an arch keeps its plain line.
        w.by_arch = asked_arch.is_some() || w.arches_of(&name).len() > 1;
        let of_arch = |p: PkgId| arch_held.is_none_or(|a| pool.arch_of(p) == a);
        // A version in the query picks the buildroot's package of that
        // version when it has one: two transactions can install two
        // versions of a name (a BuildRequires `foo < 2` beside a plain
        // `foo`), and "the buildroot has foo-1, not foo-2" with foo-1's
        // chain would be false about foo-2, which is in it.
        let of_version = |p: PkgId| {
            version
                .as_deref()
                .is_none_or(|v| version_differs(br, p, v) == Some(false))
        };
        let exact = w
            .packages_named(&name)
            .into_iter()
            .any(|p| of_arch(p) && of_version(p));
        let found = if exact {
            w.why_of(&name, &|p| of_arch(p) && of_version(p))
        } else {
            w.why_of(&name, &of_arch)
        };
        if let Some((p, chain)) = found {
            answer.package = Some(pool.nevra_string(p));
            answer.chain = Some(chain_steps(&chain.plain));
            answer.line = Some(chain.shown.unwrap_or(chain.plain));
            answer.note = other_package(br, p, &name, version.as_deref(), asked_arch.as_deref());
            return answer;
        }
    }
    let in_br = br.binary_ids();
    let is_binary = !source_shaped && !pool.binaries_named(&name).is_empty();
    let as_source = source_clause(br, &in_br, &name);
    // How the query is quoted: with its arch when that chose the package.
    let asked = match arch_held {
        Some(a) => format!("{name}.{a}"),
        None => name.clone(),
    };
    let note = match (is_binary, as_source) {
        (true, source) => {
            let mut failed = failed_builds_wanting(br, &name, arch_held);
            failed.extend(no_install_wanting(br, &name));
            failed.sort_by(|a, b| a.source.cmp(&b.source));
            answer.failed_builds = failed;
            let mut note = match wanted_by(&answer.failed_builds) {
                None => format!(
                    "'{asked}' is in the repositories but not in the {arch} buildroot: no build \
                     of the run needs it"
                ),
                Some(wanted) => format!("'{asked}' is not in the {arch} buildroot: {wanted}"),
            };
            // Another arch's package of the name is in it.
            if let Some((p, _)) = arch_held.and_then(|_| Why::new(br).why(&name, None)) {
                let other = pool.arch_of(p);
                note.push_str(&format!(
                    "; {} is: see --why {name}.{other}",
                    pool.nevra_string(p)
                ));
            }
            if let Some(s) = source.filter(|_| br.source(&name).is_some()) {
                note.push_str(&format!("; the source package {name} {s}"));
            }
            note
        }
        (false, Some(s)) if br.source(&name).is_some_and(|r| r.no_source()) => {
            format!("'{name}' is not a binary package; it {s}")
        }
        (false, Some(s)) if source_shaped => format!("'{query}' is a source package: {name} {s}"),
        (false, Some(s)) => format!("'{name}' is a source package, not a binary one; it {s}"),
        // A binary's name with a source's suffix: not the capability case.
        (false, None) if source_shaped => {
            format!("'{query}' names a source package {name}, which no repository holds")
        }
        (false, None) => capability_note(br, &in_br, &name),
    };
    // Not a binary of the repositories (a capability, a name nothing
    // provides, a source-only name on this arch): the builds that wanted it
    // as a BuildRequires nothing provides (an SRPM file name asks about
    // the source package: not about this).
    let note = match is_binary || source_shaped {
        true => note,
        false => {
            answer.failed_builds = no_install_wanting(br, &name);
            match wanted_by(&answer.failed_builds) {
                Some(wanted) => format!("{note}; {wanted}"),
                None => note,
            }
        }
    };
    answer.note = Some(note);
    answer
}

/// Whether package `p` is another version than `v` (`[E:]V[-R]` of a
/// query); None when `v` does not parse.
fn version_differs(br: &Buildroot<'_>, p: PkgId, v: &str) -> Option<bool> {
    let asked = Evr::parse(v).ok()?;
    let has = br.pool.evr_of(p);
    // An NVR from a `*-nvrs` list carries no epoch whatever the package's:
    // only a written epoch is compared; a version without its release
    // (dnf's `name-version`) compares the version only.
    let epoch_differs = v.contains(':') && asked.epoch != has.epoch;
    let release_differs =
        asked.release.is_some() && !rpmvercmp(asked.release_str(), has.release_str()).is_eq();
    Some(epoch_differs || release_differs || !rpmvercmp(&asked.version, &has.version).is_eq())
}

/// The note when the buildroot's package `p` is not the version `v` or
/// the arch the query gave; None when it is (or the query gave neither).
fn other_package(
    br: &Buildroot<'_>,
    p: PkgId,
    name: &str,
    v: Option<&str>,
    arch: Option<&str>,
) -> Option<String> {
    let pool = br.pool;
    let version_differs = match v {
        Some(v) => version_differs(br, p, v)?,
        None => false,
    };
    let arch_differs = arch.is_some_and(|a| a != pool.arch_of(p));
    if !version_differs && !arch_differs {
        return None;
    }
    let mut asked = name.to_string();
    if let Some(v) = v {
        asked.push_str(&format!("-{v}"));
    }
    if let Some(a) = arch.filter(|_| arch_differs) {
        asked.push_str(&format!(".{a}"));
    }
    Some(format!(
        "the {} buildroot has {}, not {asked}: the chain is that package's",
        pool.arch().target(),
        pool.nevra_string(p)
    ))
}

/// What source package `name` is to the run, as the end of a sentence
/// ("is a source of the run; its binaries in ..."); None when no
/// repository or run has a source of that name.
fn source_clause(br: &Buildroot<'_>, in_br: &[PkgId], name: &str) -> Option<String> {
    let pool = br.pool;
    let arch = pool.arch().target();
    // A run of the input's builds alone lists the sources of their
    // binaries without building them.
    let not_built = br.not_built.binary_search_by(|(n, _)| n.as_str().cmp(name));
    let Some(rec) = br.source(name) else {
        if not_built.is_ok() {
            let of_name = in_br.iter().filter(|&&p| pool.source_name(p) == name);
            let first = of_name.map(|&p| pool.name_of(p)).min().unwrap_or(name);
            return Some(format!(
                "is the source of binaries of the {arch} buildroot, not one of its builds (the \
                 run builds its input only): see --why {first}"
            ));
        }
        return (!pool.sources_named(name).is_empty())
            .then(|| format!("is not a source of the {arch} buildroot's run"));
    };
    if rec.no_source() {
        return Some(
            "is named as a source of the run, but no repository holds a source package of that \
             name (NoSource)"
                .into(),
        );
    }
    let mut built: Vec<&str> = in_br
        .iter()
        .filter(|&&p| pool.source_name(p) == name)
        .map(|&p| pool.name_of(p))
        .collect();
    built.sort_unstable();
    built.dedup();
    Some(match built.first() {
        Some(first) => format!(
            "is a source of the run; its binaries in the {arch} buildroot: {}: see --why {first}",
            built.join(", ")
        ),
        None => {
            format!("is a source of the run, but none of its binaries is in the {arch} buildroot")
        }
    })
}

/// The note for a query that names no package: a capability (a soname, a
/// file, a virtual provide) and who provides it, or nothing at all.
fn capability_note(br: &Buildroot<'_>, in_br: &[PkgId], name: &str) -> String {
    let pool = br.pool;
    let arch = pool.arch().target();
    // Read as dnf reads a capability on its command line, not as rpm reads
    // a spec's: `foo>=1` is one name to dnf, `foo =< 1` nothing.
    let providers = split::dnf_reldep(name)
        .map(|d| pool.whatprovides(&d))
        .unwrap_or_default();
    let names = |ps: &[PkgId]| {
        let mut v: Vec<&str> = ps.iter().map(|&p| pool.name_of(p)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let inside: Vec<PkgId> = providers
        .iter()
        .copied()
        .filter(|p| in_br.binary_search(p).is_ok())
        .collect();
    if !inside.is_empty() {
        let see = see_why(br, in_br, &inside);
        let inside = names(&inside);
        let which = if inside.len() == 1 {
            "which is"
        } else {
            "which are"
        };
        format!(
            "'{name}' is not a package name; provided by {}, {which} in the {arch} buildroot: \
             see --why {see}",
            inside.join(", ")
        )
    } else if !providers.is_empty() {
        format!(
            "'{name}' is not a package name; provided by {}, not in the {arch} buildroot",
            names(&providers).join(", ")
        )
    } else {
        // An operator glued to the name, which dnf takes as part of it:
        // the spaced form when something provides that.
        let spaced = split::spaced(name)
            .filter(|s| split::dnf_reldep(s).is_some_and(|d| !pool.whatprovides(&d).is_empty()));
        let guess = match (spaced, similar_names(pool, name).as_slice()) {
            (Some(s), _) => format!(
                " (did you mean '{s}'? dnf reads an operator with no space before it as part \
                 of the name)"
            ),
            (None, []) => String::new(),
            (None, names) => format!(" (did you mean {}?)", names.join(", ")),
        };
        format!(
            "'{name}' is in no repository: no binary or source package of that name, and \
             nothing provides it{guess}"
        )
    }
}

/// The `--why` query that answers about a provider of a capability: of
/// `providers` (packages of the buildroot), one of the first name in byte
/// order. Its name alone when `--why NAME` answers about that very package;
/// else `NAME.ARCH`, or its NEVRA when the buildroot holds two versions of
/// that arch. A multilib buildroot has the core's `glibc.x86_64` and, for a
/// 32-bit build, `glibc.i686`, which alone provides `libc.so.6`: `--why
/// glibc` would give the x86_64 package's chain, not the provider's.
fn see_why(br: &Buildroot<'_>, in_br: &[PkgId], providers: &[PkgId]) -> String {
    let pool = br.pool;
    let Some(first) = providers.iter().map(|&p| pool.name_of(p)).min() else {
        return String::new();
    };
    let of_first: Vec<PkgId> = providers
        .iter()
        .copied()
        .filter(|&p| pool.name_of(p) == first)
        .collect();
    let answered = Why::new(br).why(first, None).map(|(p, _)| p);
    if answered.is_some_and(|p| of_first.contains(&p)) {
        return first.to_string();
    }
    let p = of_first[0];
    let arch = pool.arch_of(p);
    let same_arch = in_br
        .iter()
        .filter(|&&q| pool.name_of(q) == first && pool.arch_of(q) == arch)
        .count();
    match same_arch {
        1 => format!("{first}.{arch}"),
        _ => pool.nevra_string(p),
    }
}

/// The package names of the repos closest to a name that matched nothing
/// (a typo, another case): the same name in another case, else those one
/// or two edits away (one for names of up to 4 bytes), at most three, in
/// byte order. A one-off question, so every name is looked at.
fn similar_names<'p>(pool: &'p crate::pool::Pool, name: &str) -> Vec<&'p str> {
    let lower = name.to_ascii_lowercase();
    let most = if name.len() <= 4 { 1 } else { 2 };
    let mut all: Vec<&str> = pool.ids().map(|p| pool.name_of(p)).collect();
    all.sort_unstable();
    all.dedup();
    let same_case: Vec<&str> = all
        .iter()
        .copied()
        .filter(|n| n.to_ascii_lowercase() == lower)
        .collect();
    if !same_case.is_empty() {
        return same_case.into_iter().take(3).collect();
    }
    let mut close: Vec<(usize, &str)> = all
        .into_iter()
        .filter(|n| n.len().abs_diff(name.len()) <= most)
        .filter_map(|n| edits_within(&lower, &n.to_ascii_lowercase(), most).map(|d| (d, n)))
        .collect();
    close.sort_unstable();
    close.into_iter().take(3).map(|(_, n)| n).collect()
}

/// The edit distance (insertions, deletions, substitutions) of `a` and `b`
/// when it is at most `most`.
fn edits_within(a: &str, b: &str, most: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > most) {
            return None;
        }
        prev = cur;
    }
    Some(prev[b.len()]).filter(|&d| d <= most)
}

#[cfg(test)]
mod edit_tests {
    use super::edits_within;

    #[test]
    fn edits_are_counted_up_to_the_bound() {
        assert_eq!(edits_within("zlb", "zlib", 1), Some(1));
        assert_eq!(edits_within("nasm-devl", "yasm-devel", 2), Some(2));
        assert_eq!(edits_within("nasm-devl", "yasm-devel", 1), None);
        assert_eq!(edits_within("gcc", "gcc", 1), Some(0));
        assert_eq!(edits_within("abc", "xyz", 2), None);
        assert_eq!(edits_within("", "ab", 2), Some(2));
    }
}
