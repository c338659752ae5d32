//! Which package arches install on which target arch, their colours and
//! scores, as libsolv's arch policy (`src/poolarch.c`, Fedora build) defines
//! them.
//!
//! A target arch has an ordered list of compatible arches, split into
//! classes: `x86_64:athlon:i686:i586:i486:i386` means six classes, each worse
//! than the one before. The *score* of an arch is what libsolv's policy
//! compares: `noarch` is 1, the first class is `0x10001`, every further class
//! adds `0x10000`; 0 means "not installable here". The *colour* says whether
//! an arch is 64-bit, 32-bit or both (noarch): packages of one name but
//! different colours may be installed side by side (multilib).

use crate::error::{Error, Result};

/// Colour of 32-bit arches.
pub const COLOR_32: u8 = 1;
/// Colour of 64-bit arches.
pub const COLOR_64: u8 = 2;
/// Colour of `noarch` (matches both).
pub const COLOR_ALL: u8 = 255;

/// The arch policies libsolv knows (Fedora build), target -> compatible arches.
/// `:` separates classes; `>` would keep the class but lower the score.
const POLICIES: &[(&str, &str)] = &[
    ("x86_64", "x86_64:athlon:i686:i586:i486:i386"),
    ("i686", "i686:i586:i486:i386"),
    ("i586", "i586:i486:i386"),
    ("i486", "i486:i386"),
    ("i386", "i386"),
    ("athlon", "athlon:i686:i586:i486:i386"),
    ("s390x", "s390x:s390"),
    ("s390", "s390"),
    ("ppc64", "ppc64:ppc"),
    ("ppc64le", "ppc64le"),
    ("ppc64p7", "ppc64p7:ppc64:ppc"),
    ("aarch64", "aarch64"),
    ("riscv64", "riscv64"),
    ("armv7hl", "armv7hl:armv6hl"),
    ("armv7hnl", "armv7hnl:armv7hl:armv6hl"),
    ("ia32e", "ia32e:x86_64:athlon:i686:i586:i486:i386"),
    ("amd64", "amd64:x86_64:athlon:i686:i586:i486:i386"),
];

/// Whether libsolv has an arch table for `target` (the tools reject other
/// arches as a likely typo).
pub fn is_known(target: &str) -> bool {
    POLICIES.iter().any(|(t, _)| *t == target)
}

/// Target arches with a table, for messages.
pub fn known() -> Vec<&'static str> {
    POLICIES.iter().map(|(t, _)| *t).collect()
}

/// The arch policy for one target arch.
#[derive(Clone, Debug)]
pub struct ArchPolicy {
    target: String,
    /// (arch, score) in policy order.
    scores: Vec<(String, u32)>,
}

impl ArchPolicy {
    /// The policy for `target` (e.g. `x86_64`). An arch libsolv has no table
    /// for is accepted as a single-arch policy (plus noarch), as libsolv does.
    pub fn new(target: &str) -> Result<ArchPolicy> {
        let target = target.trim();
        if target.is_empty() || target == "noarch" || target == "src" || target == "nosrc" {
            return Err(Error::Usage(format!(
                "'{target}' is not a target architecture (expected e.g. x86_64, aarch64, ppc64le, s390x)"
            )));
        }
        if !target
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            return Err(Error::Usage(format!(
                "'{target}' is not a valid architecture name"
            )));
        }
        let spec = POLICIES
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, s)| *s)
            .unwrap_or(target);
        let mut scores = Vec::new();
        let mut score: u32 = 0x10001;
        let mut first = true;
        let mut rest = spec;
        let mut sep = ':';
        loop {
            let end = rest.find([':', '>', '=']).unwrap_or(rest.len());
            let arch = &rest[..end];
            if !arch.is_empty() && !scores.iter().any(|(a, _)| a == arch) {
                if !first {
                    match sep {
                        ':' => score += 0x10000,
                        '>' => score += 1,
                        _ => {}
                    }
                }
                first = false;
                scores.push((arch.to_string(), score));
            }
            if end == rest.len() {
                break;
            }
            sep = rest[end..].chars().next().unwrap_or(':');
            rest = &rest[end + 1..];
        }
        Ok(ArchPolicy {
            target: target.to_string(),
            scores,
        })
    }

    /// The target arch this policy was made for.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// libsolv's arch score: 1 for noarch, 0 for arches that do not install
    /// here, otherwise `class << 16 | 1` (lower is better).
    pub fn score(&self, arch: &str) -> u32 {
        if arch == "noarch" {
            return 1;
        }
        self.scores
            .iter()
            .find(|(a, _)| a == arch)
            .map(|(_, s)| *s)
            .unwrap_or(0)
    }

    /// Whether packages of `arch` can be installed on this target.
    pub fn is_installable(&self, arch: &str) -> bool {
        self.score(arch) != 0
    }

    /// The compatible arches, best first (noarch not included).
    pub fn compatible(&self) -> impl Iterator<Item = &str> {
        self.scores.iter().map(|(a, _)| a.as_str())
    }
}

/// dnf's base arch of `arch` (`dnf.rpm.basearch`): what `$basearch` stands
/// for in repo URLs: `i386` for the x86 32-bit arches, `armhfp` for the
/// hard-float ARM ones, `arm` for the others, `ppc64` for its variants;
/// an arch dnf does not map is its own.
pub fn basearch(arch: &str) -> &str {
    match arch {
        "i386" | "i486" | "i586" | "i686" | "athlon" | "geode" => "i386",
        "amd64" | "ia32e" => "x86_64",
        "armv6hl" | "armv7hl" | "armv7hnl" | "armv8hl" => "armhfp",
        "armv5tejl" | "armv5tel" | "armv5tl" | "armv6l" | "armv7l" | "armv8l" => "arm",
        "ppc64iseries" | "ppc64p7" | "ppc64pseries" => "ppc64",
        "sh4a" => "sh4",
        "sparc64" | "sparc64v" | "sparcv8" | "sparcv9" | "sparcv9v" => "sparc",
        "e2kv4" | "e2kv5" | "e2kv6" => "e2k",
        a if a.starts_with("alpha") => "alpha",
        a => a,
    }
}

/// libsolv's `pool_arch2color`: noarch is every colour; an arch containing
/// "64" (or `s390x`) is 64-bit; anything else 32-bit.
pub fn color(arch: &str) -> u8 {
    if arch == "noarch" || arch == "all" || arch == "any" {
        COLOR_ALL
    } else if arch == "s390x" || arch.contains("64") {
        COLOR_64
    } else {
        COLOR_32
    }
}

/// libsolv's `pool_colormatch`: same arch, or overlapping colours.
pub fn colors_match(a: &str, b: &str) -> bool {
    a == b || color(a) & color(b) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_script_knows_the_arches_the_tools_know() {
        // scripts/buildroot-workflow.sh checks ARCHES against a copy of this
        // list before any step runs; the copy must not drift.
        let script = include_str!("../../../scripts/buildroot-workflow.sh");
        let line = script
            .lines()
            .find(|l| l.trim_start().starts_with("case \" x86_64 "))
            .expect("the script's arch list");
        let listed: std::collections::BTreeSet<&str> =
            line.split('"').nth(1).unwrap().split_whitespace().collect();
        let known: std::collections::BTreeSet<&str> = known().into_iter().collect();
        assert_eq!(listed, known);
    }

    #[test]
    fn base_arches_are_dnfs() {
        for (a, b) in [
            ("x86_64", "x86_64"),
            ("i686", "i386"),
            ("armv7hl", "armhfp"),
            ("armv7l", "arm"),
            ("ppc64p7", "ppc64"),
            ("ppc64le", "ppc64le"),
            ("s390x", "s390x"),
            ("aarch64", "aarch64"),
            ("alphaev6", "alpha"),
            ("riscv64", "riscv64"),
        ] {
            assert_eq!(basearch(a), b, "{a}");
        }
    }

    #[test]
    fn x86_64_classes() {
        let p = ArchPolicy::new("x86_64").unwrap();
        assert_eq!(p.score("noarch"), 1);
        assert_eq!(p.score("x86_64"), 0x10001);
        assert_eq!(p.score("athlon"), 0x20001);
        assert_eq!(p.score("i686"), 0x30001);
        assert_eq!(p.score("i386"), 0x60001);
        assert_eq!(p.score("aarch64"), 0);
        assert_eq!(p.score("src"), 0);
        assert_eq!(
            p.compatible().collect::<Vec<_>>(),
            ["x86_64", "athlon", "i686", "i586", "i486", "i386"]
        );
    }

    #[test]
    fn other_targets() {
        let p = ArchPolicy::new("s390x").unwrap();
        assert_eq!((p.score("s390x"), p.score("s390")), (0x10001, 0x20001));
        let p = ArchPolicy::new("aarch64").unwrap();
        assert!(
            p.is_installable("aarch64")
                && p.is_installable("noarch")
                && !p.is_installable("x86_64")
        );
        let p = ArchPolicy::new("ppc64le").unwrap();
        assert!(p.is_installable("ppc64le") && !p.is_installable("ppc64"));
        assert!(ArchPolicy::new("noarch").is_err());
        assert!(ArchPolicy::new("x86 64").is_err());
    }

    #[test]
    fn colors() {
        assert_eq!(color("x86_64"), COLOR_64);
        assert_eq!(color("i686"), COLOR_32);
        assert_eq!(color("s390x"), COLOR_64);
        assert_eq!(color("s390"), COLOR_32);
        assert_eq!(color("noarch"), COLOR_ALL);
        assert!(colors_match("noarch", "i686"));
        assert!(!colors_match("x86_64", "i686"));
        assert!(colors_match("ppc64le", "aarch64"));
    }
}
