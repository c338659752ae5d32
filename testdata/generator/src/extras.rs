//! The second repository of the fixture distribution ("extras", behind the
//! main repos as Rawhide is behind ELN) and the comps groups of both, for
//! the content-resolver configs of `testdata/content-resolver/`.
//!
//! - `hello` 2.13 is newer than main's 2.12.1: the repo priorities decide;
//! - `zsh` and `figlet` exist only here; `figlet-bad-fonts` is what the
//!   configs' shared `exclude` list (a YAML anchor) hides;
//! - main's comps has the groups `core`, `python-devel` (named "Python
//!   Development") and `web-tools` (whose default `lynx` exists nowhere);
//!   extras' comps adds `zsh` to `core` (dnf merges the groups of all repos).

use crate::distro::{Bin, Src, BIN, SRC};

const LIBC: &[&str] = &["libc.so.6()(64bit)"];

/// The extras repository's sources and binaries.
pub const EXTRAS: &[Src] = &[
    Src {
        name: "hello",
        version: "2.13",
        br: &["gcc", "make", "libjpeg-turbo-devel"],
        bins: &[Bin {
            name: "hello",
            requires: &["libc.so.6()(64bit)", "python3-pyfoo"],
            recommends: &["hello-docs"],
            files: &["/usr/bin/hello"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "zsh",
        version: "5.9",
        br: &["gcc", "make", "ncurses-devel"],
        bins: &[Bin {
            name: "zsh",
            requires: &["libc.so.6()(64bit)", "libncursesw.so.6()(64bit)"],
            files: &["/usr/bin/zsh"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "figlet",
        version: "2.2.5",
        br: &["gcc", "make"],
        bins: &[
            Bin {
                name: "figlet",
                requires: LIBC,
                files: &["/usr/bin/figlet"],
                ..BIN
            },
            Bin {
                name: "figlet-fonts",
                noarch: true,
                files: &["/usr/share/figlet/standard.flf"],
                ..BIN
            },
            Bin {
                name: "figlet-bad-fonts",
                noarch: true,
                files: &["/usr/share/figlet/bad.flf"],
                ..BIN
            },
        ],
        ..SRC
    },
];

/// comps of the main repos.
pub const MAIN_COMPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <description>The smallest useful system.</description>
    <default>true</default>
    <uservisible>false</uservisible>
    <display_order>1</display_order>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq type="mandatory">coreutils</packagereq>
      <packagereq type="mandatory">glibc-minimal-langpack</packagereq>
      <packagereq type="default">which</packagereq>
      <packagereq type="optional">unzip</packagereq>
    </packagelist>
  </group>
  <group>
    <id>python-devel</id>
    <name>Python Development</name>
    <description>Building Python software.</description>
    <display_order>20</display_order>
    <packagelist>
      <packagereq type="mandatory">python3-devel</packagereq>
      <packagereq type="default">python3-setuptools</packagereq>
      <packagereq type="optional">docs-tool</packagereq>
    </packagelist>
  </group>
  <group>
    <id>web-tools</id>
    <name>Web Tools</name>
    <description>Fetching things from the web.</description>
    <display_order>30</display_order>
    <packagelist>
      <packagereq type="mandatory">webfetch</packagereq>
      <packagereq type="default">curl-minimal</packagereq>
      <packagereq type="default">lynx</packagereq>
    </packagelist>
  </group>
</comps>
"#;

/// comps of the extras repos: one more package for `core`.
pub const EXTRAS_COMPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <description>The smallest useful system.</description>
    <display_order>1</display_order>
    <packagelist>
      <packagereq type="default">zsh</packagereq>
    </packagelist>
  </group>
</comps>
"#;
