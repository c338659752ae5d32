//! Unit tests of the pool: built from packages (`build.rs`) and read back
//! (`access.rs`).

use super::*;
use crate::dep::SimpleDep;
use crate::evr::Evr;
use crate::rpmmd::RepoSpec;

pub(crate) fn pkg(name: &str, evr: &str, arch: &str) -> Package {
    Package {
        name: name.into(),
        arch: arch.into(),
        evr: Evr::parse(evr).unwrap(),
        ..Default::default()
    }
}

fn repo(id: &str, pkgs: Vec<Package>) -> LoadedRepo {
    LoadedRepo {
        spec: RepoSpec::new(id, ""),
        packages: pkgs,
    }
}

/// A rich dependency no parser reads, which an SRPM read from its
/// header keeps as its text (createrepo_c lists it so), is left out
/// of the pool as libsolv leaves it out: no requirement at all.
#[test]
fn an_unreadable_rich_dependency_is_no_requirement() {
    let mut s = pkg("a", "1-1", "src");
    s.requires.push(Dep::name("(a or foo(bar)").into());
    s.requires.push(Dep::name("gcc").into());
    // Nor a provide (of a binary package, a source one provides
    // nothing): libsolv drops it from any list.
    let mut b = pkg("b", "1-1", "noarch");
    b.provides.push(SimpleDep::name("(x or y(z)"));
    let p = Pool::new("x86_64", vec![repo("r", vec![s, b])]).unwrap();
    let req: Vec<String> = p
        .requires(PkgId(0))
        .iter()
        .map(|r| r.dep.to_string())
        .collect();
    assert_eq!(req, ["gcc"]);
    assert_eq!(p.whatprovides(&Dep::name("(x or y(z)")), []);
}

/// Versions createrepo_c lists for what rpmbuild refuses but a header
/// holds are compared as libsolv compares them (checked with
/// rpmmd2solv and testsolv on this XML): it joins `1.0` / `1-2` to
/// `1.0-1-2` and splits it at the last `-` (version `1.0-1`, newer
/// than `1.0`: not met by `dashes = 1.0-5`), and the signed epoch
/// `-1:2` is no epoch (version ``, release `1:2`: met by 1.0-1).
#[test]
fn odd_entry_versions_compare_as_libsolv_compares_them() {
    let entry = |name: &str, attrs: &str| {
        format!(
            "<package type=\"rpm\"><name>{name}</name><arch>noarch</arch>\
             <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format><rpm:requires>\
             <rpm:entry name=\"{name}\" flags=\"GE\" {attrs}/></rpm:requires></format>\
             </package>"
        )
    };
    let xml = format!(
        "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
         xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">{}{}</metadata>",
        entry("dashes", "epoch=\"0\" ver=\"1.0\" rel=\"1-2\""),
        entry("negep", "epoch=\"-1\" ver=\"2\""),
    );
    // An epoch past our u32 (createrepo_c lists what a header holds)
    // is compared as part of the version, not a reason to refuse.
    let huge = entry("huge", "epoch=\"99999999999\" ver=\"1\"");
    let read = crate::rpmmd::read_primary(
        xml.replace("</metadata>", &(huge + "</metadata>"))
            .as_bytes(),
        "r",
    );
    assert_eq!(
        read.unwrap()[2].requires[0].dep.to_string(),
        "huge >= 99999999999:1"
    );
    let mut pkgs = crate::rpmmd::read_primary(xml.as_bytes(), "r").unwrap();
    for p in &mut pkgs {
        p.name = format!("req-{}", p.name);
    }
    pkgs.push(pkg("dashes", "1.0-5", "noarch"));
    pkgs.push(pkg("negep", "1.0-1", "noarch"));
    let p = Pool::new("x86_64", vec![repo("r", pkgs)]).unwrap();
    let met = |i: u32| -> Vec<String> {
        let req = &p.requires(PkgId(i))[0].dep;
        p.whatprovides(req)
            .iter()
            .map(|&q| p.nevra_string(q))
            .collect()
    };
    assert_eq!(met(0), Vec::<String>::new());
    assert_eq!(met(1), ["negep-1.0-1.noarch"]);
}

/// A versioned entry without a version (`foo >=`, createrepo_c's
/// `flags="GE"` alone) compares as libsolv's `<NULL>` (testsolv on
/// this XML: not met by `foo-A-1`, met by `bar-a-1`).
#[test]
fn a_comparison_without_a_version_is_libsolvs_null() {
    let xml = "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
         xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"2\">\
         <package type=\"rpm\"><name>req</name><arch>noarch</arch>\
         <version epoch=\"0\" ver=\"1\" rel=\"1\"/><format><rpm:requires>\
         <rpm:entry name=\"foo\" flags=\"GE\"/><rpm:entry name=\"bar\" flags=\"GE\"/>\
         </rpm:requires></format></package></metadata>";
    let mut pkgs = crate::rpmmd::read_primary(xml.as_bytes(), "r").unwrap();
    pkgs.push(pkg("foo", "A-1", "noarch"));
    pkgs.push(pkg("bar", "a-1", "noarch"));
    let p = Pool::new("x86_64", vec![repo("r", pkgs)]).unwrap();
    let met: Vec<Vec<String>> = p
        .requires(PkgId(0))
        .iter()
        .map(|r| {
            let ids = p.whatprovides(&r.dep);
            ids.iter().map(|&q| p.nevra_string(q)).collect()
        })
        .collect();
    assert_eq!(met, [vec![], vec!["bar-a-1.noarch".to_string()]]);
}

#[test]
fn arches_sources_and_self_provides() {
    let mut a = pkg("a", "1-1", "x86_64");
    a.provides.push(SimpleDep::name("cap"));
    let mut s = pkg("a", "1-1", "src");
    s.requires.push(Dep::name("gcc").into());
    let p = Pool::new(
        "x86_64",
        vec![repo(
            "r",
            vec![
                a,
                pkg("b", "1-1", "aarch64"),
                pkg("c", "1-1", "i686"),
                s,
                pkg("d", "2-1", "noarch"),
            ],
        )],
    )
    .unwrap();
    assert_eq!(p.len(), 5);
    assert!(
        !p.is_installable(PkgId(1)),
        "aarch64 does not install on x86_64"
    );
    assert_eq!(p.binaries_named("a"), vec![PkgId(0)]);
    assert!(p.binaries_named("b").is_empty());
    assert_eq!(p.source_of_binary("a"), Some(p.source_name(PkgId(0))));
    assert_eq!(p.source_of_binary("b"), None);
    assert_eq!(p.sources_named("a"), vec![PkgId(3)]);
    assert_eq!(p.whatprovides(&Dep::name("cap")), vec![PkgId(0)]);
    assert_eq!(
        p.whatprovides(&Dep::parse("a = 1-1").unwrap()),
        vec![PkgId(0)]
    );
    assert_eq!(
        p.whatprovides(&Dep::parse("d > 1").unwrap()),
        vec![PkgId(4)]
    );
    assert!(p.whatprovides(&Dep::parse("gcc").unwrap()).is_empty());
}

#[test]
fn excludes_and_files() {
    let mut bb = pkg("bb", "1-1", "noarch");
    bb.files.push("/usr/share/x/data".into());
    let mut zz = pkg("zz", "1-1", "noarch");
    zz.files.push("/usr/bin/zz".into());
    zz.files.push("/usr/share/zz/unused".into());
    let mut user = pkg("user", "1-1", "noarch");
    user.requires.push(Dep::name("/usr/bin/zz").into());
    user.requires.push(Dep::name("/usr/share/x/data").into());
    let mut r = repo("r", vec![bb, zz, user]);
    r.spec.exclude.push("b*".into());
    let p = Pool::new("x86_64", vec![r]).unwrap();
    assert!(p.is_excluded(PkgId(0)));
    assert!(p.binaries_named("bb").is_empty());
    assert!(p.whatprovides(&Dep::name("/usr/share/x/data")).is_empty());
    assert_eq!(p.whatprovides(&Dep::name("/usr/bin/zz")), vec![PkgId(1)]);
    // Paths no dependency names have no file providers (libsolv).
    assert!(p
        .whatprovides(&Dep::name("/usr/share/zz/unused"))
        .is_empty());
}

#[test]
fn pool_is_shared_across_threads() {
    fn assert_sync<T: Send + Sync>() {}
    assert_sync::<Pool>();
}

#[test]
fn sources_best_first() {
    let mut r1 = repo(
        "rawhide",
        vec![pkg("s", "1.10-1", "src"), pkg("s", "1.9-1", "src")],
    );
    r1.spec.priority = 2090;
    let mut r2 = repo("eln", vec![pkg("s", "1.0-1", "src")]);
    r2.spec.priority = 90;
    let p = Pool::new("x86_64", vec![r1, r2]).unwrap();
    // Repos load in (priority, cost) order: eln first.
    assert_eq!(p.sources_named("s"), vec![PkgId(0), PkgId(1), PkgId(2)]);
    assert_eq!(p.evr_of(PkgId(1)).version, "1.10");
}
