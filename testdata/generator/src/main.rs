//! Writes the fixture distribution: `testdata-gen DIR` creates
//! `DIR/repos/{x86_64,aarch64,source}` and the second repository
//! `DIR/repos/extras/{x86_64,aarch64,source}` (real .rpm and .src.rpm files
//! with repodata and comps written by buildroot-core), the weak-dependency
//! repository `DIR/repos/weak/{x86_64,aarch64}` and
//! `DIR/compose/*.txt`. Regenerating gives identical bytes.

mod distro;
mod extras;
mod weak;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use buildroot_core::dep::{Dep, SimpleDep};
use buildroot_core::evr::Evr;
use buildroot_core::package::{Package, Requirement};
use buildroot_core::repodata::{write_repodata, write_repodata_with_comps, WriteOptions};
use buildroot_core::srpm::{
    build_rpm_with, build_srpm, read_header, srpm_file_name, SourceFile, SrpmSpec,
};

use distro::{Bin, Src, DISTRO};

/// Every file time and build time in the fixtures (reproducibility).
const BUILD_TIME: u32 = 1_730_000_000;
const ARCHES: &[&str] = &["x86_64", "aarch64"];

/// The compose the workflow demo starts from (binary names; x86_64 adds compat-32).
const COMPOSE: &[&str] = &[
    "bash",
    "broken",
    "conflicted",
    "coreutils",
    "curl",
    "docs-tool",
    "glibc",
    "glibc-minimal-langpack",
    "hello",
    "libjpeg-turbo",
    "perl",
    "perl-libs",
    "python3",
    "python3-libs",
    "python3-pyfoo",
    "webfetch",
    "zlib",
];

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("testdata"));
    generate(&out)
}

/// Generates the whole fixture tree under `out`.
pub fn generate(out: &Path) -> Result<()> {
    let repos = out.join("repos");
    for arch in ARCHES {
        write_binary_repo(&repos.join(arch), arch, DISTRO, extras::MAIN_COMPS)?;
        write_binary_repo(
            &repos.join("extras").join(arch),
            arch,
            extras::EXTRAS,
            extras::EXTRAS_COMPS,
        )?;
    }
    for arch in ARCHES {
        write_binary_repo(
            &repos.join("weak").join(arch),
            arch,
            weak::WEAK,
            weak::WEAK_COMPS,
        )?;
    }
    write_source_repo(&repos.join("source"), DISTRO)?;
    write_source_repo(&repos.join("extras").join("source"), extras::EXTRAS)?;
    write_compose(&out.join("compose"))?;
    Ok(())
}

fn parse_dep(s: &str) -> Result<Dep> {
    Dep::parse(s).with_context(|| format!("fixture dependency '{s}'"))
}

fn simple(s: &str) -> Result<SimpleDep> {
    parse_dep(s)?
        .as_simple()
        .cloned()
        .with_context(|| format!("'{s}' must be a simple dependency"))
}

/// The binary package `bin` of `src` for `arch`, before the rpm crate adds its own provides.
fn binary(src: &Src, bin: &Bin, arch: &str, multilib: bool) -> Result<Package> {
    let evr = Evr::new(0, src.version, Some(src.release));
    let mut p = Package {
        name: bin.name.to_string(),
        arch: arch.to_string(),
        sourcerpm: srpm_file_name(src.name, src.version, src.release),
        summary: format!("The {} package", bin.name),
        evr,
        ..Default::default()
    };
    if multilib {
        for prov in bin.multilib {
            p.provides.push(simple(prov)?);
        }
        p.files = bin
            .files
            .iter()
            .map(|f| f.replace("/usr/lib64/", "/usr/lib/"))
            .filter(|f| !f.contains("bin/"))
            .collect();
    } else {
        for prov in bin.provides {
            p.provides.push(simple(prov)?);
        }
        p.files = bin.files.iter().map(|f| f.to_string()).collect();
        p.files
            .extend(bin.contents.iter().map(|(f, _)| f.to_string()));
    }
    for r in bin.requires {
        p.requires.push(Requirement::from(parse_dep(r)?));
    }
    for c in bin.conflicts {
        p.conflicts.push(parse_dep(c)?);
    }
    for o in bin.obsoletes {
        p.obsoletes.push(simple(o)?);
    }
    for r in bin.recommends {
        p.recommends.push(parse_dep(r)?);
    }
    for r in bin.suggests {
        p.suggests.push(parse_dep(r)?);
    }
    for r in bin.supplements {
        p.supplements.push(parse_dep(r)?);
    }
    Ok(p)
}

/// Builds the rpm file, writes it under `dir/Packages/`, and returns the package as its header says.
fn write_rpm(dir: &Path, p: &Package, contents: &[(&str, &str)]) -> Result<Package> {
    let file = format!("{}-{}.{}.rpm", p.name, p.evr.vr(), p.arch);
    let path = dir.join("Packages").join(&file);
    std::fs::create_dir_all(path.parent().unwrap())?;
    let contents: Vec<(&str, &[u8])> = contents.iter().map(|(f, t)| (*f, t.as_bytes())).collect();
    std::fs::write(&path, build_rpm_with(p, "MIT", BUILD_TIME, &contents)?)?;
    let mut got = fixed_time(read_header(&path)?);
    got.location = format!("Packages/{file}");
    Ok(got)
}

/// The package with the build time as its file time: the fixture's bytes
/// must not depend on when it was generated (createrepo_c takes the
/// file's mtime, which a checkout sets anyway).
fn fixed_time(mut p: Package) -> Package {
    if let Some(d) = p.details.as_deref_mut() {
        d.time_file = d.time_build;
    }
    p
}

fn write_binary_repo(dir: &Path, arch: &str, table: &[Src], comps: &str) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let mut pkgs = Vec::new();
    for src in table {
        for bin in src.bins {
            if !bin.only.is_empty() && !bin.only.contains(&arch) {
                continue;
            }
            let a = if bin.noarch { "noarch" } else { arch };
            pkgs.push(write_rpm(dir, &binary(src, bin, a, false)?, bin.contents)?);
            if arch == "x86_64" && !bin.multilib.is_empty() {
                pkgs.push(write_rpm(dir, &binary(src, bin, "i686", true)?, &[])?);
            }
        }
    }
    write_repodata_with_comps(dir, &pkgs, &WriteOptions::default(), Some(comps))?;
    Ok(())
}

/// The spec text of a source, with the arch conditionals a packager would write.
pub fn spec_text(src: &Src) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "Name:           {}\nVersion:        {}\nRelease:        {}\nSummary:        The {} source package\nLicense:        MIT\nURL:            https://example.org/{}\nSource0:        {}-{}.tar.gz\n\n",
        src.name, src.version, src.release, src.name, src.name, src.name, src.version
    );
    if src.bins.iter().all(|b| b.noarch) {
        s.push_str("BuildArch:      noarch\n");
    }
    for br in src.br {
        let _ = writeln!(s, "BuildRequires:  {br}");
    }
    for (text, _) in src.br_macro {
        let _ = writeln!(s, "{text}");
    }
    if !src.br_x86_64.is_empty() {
        let _ = writeln!(
            s,
            "%ifarch x86_64\nBuildRequires:  {}\n%endif",
            src.br_x86_64.join(" ")
        );
    }
    if !src.br_not_x86_64.is_empty() {
        let _ = writeln!(
            s,
            "%ifnarch x86_64\nBuildRequires:  {}\n%endif",
            src.br_not_x86_64.join(", ")
        );
    }
    let _ = write!(
        s,
        "\n%description\nThe {} source package of the rpm-buildroot fixture distribution.\n\n",
        src.name
    );
    let sub = |b: &Bin| -> String {
        match b.name.strip_prefix(&format!("{}-", src.name)) {
            Some(suffix) => suffix.to_string(),
            None => format!("-n {}", b.name),
        }
    };
    for b in src.bins.iter().filter(|b| b.name != src.name) {
        let _ = write!(
            s,
            "%package {}\nSummary:        The {} package\n",
            sub(b),
            b.name
        );
        for r in b.requires {
            let _ = writeln!(s, "Requires:       {r}");
        }
        let _ = write!(s, "\n%description {}\nThe {} package.\n\n", sub(b), b.name);
    }
    s.push_str("%prep\n%autosetup\n\n%build\n%make_build\n\n%install\n%make_install\n\n");
    for b in src.bins {
        if b.name == src.name {
            s.push_str("%files\n");
        } else {
            let _ = writeln!(s, "%files {}", sub(b));
        }
        for f in b.files.iter().chain(b.contents.iter().map(|(f, _)| f)) {
            let _ = writeln!(s, "{f}");
        }
        if src.ifarch_in_files && b.name == src.name {
            s.push_str("%ifarch x86_64\n/usr/lib64/libz-x86_64-extras.so\n%endif\n");
        }
        s.push('\n');
    }
    s.push_str("%changelog\n* Sat Oct 26 2024 rpm-buildroot fixtures <fixtures@example.org> - 1.0-1\n- Fixture.\n");
    s
}

fn write_source_repo(dir: &Path, table: &[Src]) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut pkgs = Vec::new();
    for src in table {
        // The header holds the BuildRequires as evaluated on x86_64, like rpmbuild -bs there.
        let mut brs = Vec::new();
        let from_macros = src.br_macro.iter().flat_map(|(_, deps)| deps.iter());
        for b in src.br.iter().chain(src.br_x86_64).chain(from_macros) {
            brs.push(parse_dep(b)?);
        }
        let spec = SrpmSpec {
            name: src.name.into(),
            version: src.version.into(),
            release: src.release.into(),
            license: "MIT".into(),
            summary: format!("The {} source package", src.name),
            spec_name: format!("{}.spec", src.name),
            spec_text: spec_text(src),
            sources: vec![SourceFile {
                name: format!("{}-{}.tar.gz", src.name, src.version),
                data: format!("fixture sources of {}\n", src.name).into_bytes(),
            }],
            build_requires: brs,
            host_arch: "x86_64".into(),
            build_time: BUILD_TIME,
            ..Default::default()
        };
        let file = srpm_file_name(src.name, src.version, src.release);
        let path = dir.join(&file);
        std::fs::write(&path, build_srpm(&spec)?)?;
        pkgs.push(fixed_time(read_header(&path)?));
    }
    write_repodata(dir, &pkgs, &WriteOptions::default())?;
    Ok(())
}

fn write_compose(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let source_of = |bin: &str| {
        DISTRO
            .iter()
            .find(|s| s.bins.iter().any(|b| b.name == bin))
            .map(|s| s.name)
    };
    let mut sources = std::collections::BTreeSet::new();
    for arch in ARCHES {
        let mut names: Vec<&str> = COMPOSE.to_vec();
        if *arch == "x86_64" {
            names.push("compat-32");
        }
        names.sort_unstable();
        sources.extend(names.iter().filter_map(|n| source_of(n)));
        std::fs::write(dir.join(format!("{arch}.txt")), names.join("\n") + "\n")?;
    }
    let list: Vec<&str> = sources.into_iter().collect();
    std::fs::write(dir.join("sources.txt"), list.join("\n") + "\n")?;
    Ok(())
}
