//! The shipped Fedora ELN configuration (configs/fedora-eln.conf and its
//! per-arch .repo files) parses, and expands to the expected repositories
//! per arch, offline. With CONTENT_RESOLVER_INPUT set to a checkout of
//! minimization/content-resolver-input, the .repo files' binary sections are
//! compared with what compose-view makes of configs/repository-fedora-eln.yaml.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use buildroot_core::content_resolver::{self, view::repo_specs};
use buildroot_core::rpmmd::{parse_repofile, RepoSpec, Vars};
use cli_tests::root;

const ARCHES: [&str; 4] = ["aarch64", "ppc64le", "s390x", "x86_64"];

fn repofile(arch: &str) -> Vec<RepoSpec> {
    let path = root().join(format!("configs/fedora-eln-{arch}.repo"));
    parse_repofile(&path, &Vars::new(arch, "rawhide")).expect("parse the .repo file")
}

#[test]
fn the_conf_file_is_what_the_workflow_reads() {
    let out = Command::new("bash")
        .current_dir(root())
        .args([
            "-c",
            "set -eu; . configs/fedora-eln.conf; echo \"$ARCHES|$VIEW|$COMPOSE_CONFIGS|$REPOFILE|$EXCLUDE_FILE|$WORKLOAD_LABELS|$PREFER_RELEASE\"",
        ])
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let f: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(f[0], "aarch64 ppc64le s390x x86_64");
    assert_eq!(f[1], "view-eln");
    assert_eq!(f[2], "content-resolver-input/configs");
    assert_eq!(f[3], "configs/fedora-eln-$basearch.repo");
    assert!(root().join(f[4]).is_file(), "{}", f[4]);
    assert_eq!(f[5], "eln-buildroot");
    assert_eq!(f[6], "eln[0-9]+");
    for a in ARCHES {
        assert!(root().join(f[3].replace("$basearch", a)).is_file());
    }
}

#[test]
fn repo_files_expand_per_arch() {
    let compose = "https://kojipkgs.fedoraproject.org/compose/eln/latest-Fedora-eln/compose";
    let variants: BTreeMap<&str, &[&str]> = [
        (
            "aarch64",
            &["BaseOS", "AppStream", "CRB", "HA", "NFV", "RT"][..],
        ),
        (
            "ppc64le",
            &["BaseOS", "AppStream", "CRB", "HA", "SAP", "SAPHANA"][..],
        ),
        ("s390x", &["BaseOS", "AppStream", "CRB", "HA", "SAP"][..]),
        (
            "x86_64",
            &[
                "BaseOS",
                "AppStream",
                "CRB",
                "HA",
                "NFV",
                "RT",
                "SAP",
                "SAPHANA",
            ][..],
        ),
    ]
    .into();
    for arch in ARCHES {
        let specs = repofile(arch);
        let binary: Vec<&RepoSpec> = specs
            .iter()
            .filter(|s| !s.id.ends_with("-source"))
            .collect();
        let ids: Vec<&str> = binary.iter().map(|s| s.id.as_str()).collect();
        let mut want: Vec<&str> = variants[arch].to_vec();
        want.extend(["buildroot", "Rawhide"]);
        assert_eq!(ids, want, "{arch}");
        for s in &specs {
            assert!(s.enabled, "{arch} {}", s.id);
            assert!(!s.baseurl.contains('$'), "{arch} {}: {}", s.id, s.baseurl);
        }
        let by_id = |id: &str| specs.iter().find(|s| s.id == id).unwrap();
        assert_eq!(
            by_id("BaseOS").baseurl,
            format!("{compose}/BaseOS/{arch}/os/")
        );
        assert_eq!(by_id("BaseOS").priority, 1);
        assert!(by_id("BaseOS")
            .exclude
            .contains(&"java-latest-openjdk*".to_string()));
        assert_eq!(
            by_id("buildroot").baseurl,
            format!("https://kojipkgs.fedoraproject.org/repos/eln-build/latest/{arch}/")
        );
        assert_eq!(by_id("buildroot").priority, 4);
        assert!(by_id("buildroot")
            .exclude
            .contains(&"rust-*-devel".to_string()));
        assert_eq!(
            by_id("Rawhide").baseurl,
            format!("https://kojipkgs.fedoraproject.org/compose/rawhide/latest-Fedora-Rawhide/compose/Everything/{arch}/os/")
        );
        assert_eq!(by_id("Rawhide").priority, 5);
        assert_eq!(by_id("Rawhide").exclude, by_id("buildroot").exclude);
        // Every binary variant of the compose has its source tree, behind the per-arch
        // SRPM repos (priority 1); Rawhide's sources too.
        for v in variants[arch] {
            let src = by_id(&format!("{v}-source"));
            assert!(src.baseurl.starts_with(compose) && src.baseurl.ends_with("/source/tree/"));
            assert!(src.priority > 1);
        }
        assert!(by_id("Rawhide-source")
            .baseurl
            .ends_with("/Everything/source/tree/"));
    }
}

#[test]
fn repo_files_match_content_resolver_input() {
    let Some(dir) = std::env::var_os("CONTENT_RESOLVER_INPUT") else {
        eprintln!(
            "skipped: set CONTENT_RESOLVER_INPUT to a minimization/content-resolver-input checkout"
        );
        return;
    };
    let loaded = content_resolver::load_dir(&PathBuf::from(dir).join("configs")).unwrap();
    let repo = &loaded.configs.repos["repository-fedora-eln"];
    for arch in ARCHES {
        let ours: Vec<(String, String, i32, Vec<String>)> = repofile(arch)
            .into_iter()
            .filter(|s| !s.id.ends_with("-source"))
            .map(|s| (s.id, s.baseurl, s.priority, s.exclude))
            .collect();
        let theirs: Vec<(String, String, i32, Vec<String>)> =
            repo_specs(repo, arch, &BTreeMap::new())
                .into_iter()
                .map(|s| (s.id, s.baseurl, s.priority, s.exclude))
                .collect();
        assert_eq!(ours, theirs, "{arch}");
    }
}
