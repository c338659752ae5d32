//! The weak-dependency repository (`repos/weak/{x86_64,aarch64}`, binaries
//! only, used next to the main repos by `conformance/compose-view/weak`):
//! what dnf installs with `install_weak_deps=True` (content-resolver's
//! `include-weak-deps`) and what it leaves out.
//!
//! - `editor` Requires `editor-common` and Recommends: `editor-spell` (which
//!   Recommends `hunspell-en` in turn), `spellchecker` (provided by both
//!   `hunspell` and `aspell`: the policy chooses one), `editor-legacy`
//!   (which conflicts with `editor-common`: dropped), the rich
//!   `(editor-wayland if wayland-session)` and `(editor-x11 if
//!   xorg-session)` (only the first condition is ever installed), and
//!   `editor-extra`, which nothing provides; it Suggests `editor-docs`
//!   (never installed for that);
//! - `editor-langpack-de` Supplements `editor`; `editor-gnome` Supplements
//!   the rich `(editor and gnome-shell)`;
//! - `wayland-session` Recommends `desktop-extras`; `gnome-shell` Requires
//!   `wayland-session`; `gnome-shell-l10n` Supplements `gnome-shell`: an
//!   environment without weak dependencies leaves both out, and dnf then
//!   keeps them out of a workload with weak dependencies on top of it too
//!   (`exclude_from_weak_autodetect`), though `viewer` Recommends
//!   `desktop-extras`.

use crate::distro::{Bin, Src, BIN, SRC};

/// The weak-dependency repository's packages.
pub const WEAK: &[Src] = &[
    Src {
        name: "editor",
        version: "1.0",
        bins: &[
            Bin {
                name: "editor",
                requires: &["editor-common"],
                recommends: &[
                    "editor-spell",
                    "spellchecker",
                    "editor-legacy",
                    "(editor-wayland if wayland-session)",
                    "(editor-x11 if xorg-session)",
                    "editor-extra",
                ],
                suggests: &["editor-docs"],
                files: &["/usr/bin/editor"],
                ..BIN
            },
            Bin {
                name: "editor-common",
                noarch: true,
                files: &["/usr/share/editor/common"],
                ..BIN
            },
            Bin {
                name: "editor-spell",
                noarch: true,
                recommends: &["hunspell-en"],
                ..BIN
            },
            Bin {
                name: "editor-legacy",
                noarch: true,
                conflicts: &["editor-common"],
                ..BIN
            },
            Bin {
                name: "editor-wayland",
                noarch: true,
                ..BIN
            },
            Bin {
                name: "editor-x11",
                noarch: true,
                ..BIN
            },
            Bin {
                name: "editor-docs",
                noarch: true,
                ..BIN
            },
            Bin {
                name: "editor-langpack-de",
                noarch: true,
                supplements: &["editor"],
                ..BIN
            },
            Bin {
                name: "editor-gnome",
                noarch: true,
                supplements: &["(editor and gnome-shell)"],
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "hunspell",
        version: "1.7.2",
        bins: &[
            Bin {
                name: "hunspell",
                provides: &["spellchecker"],
                files: &["/usr/bin/hunspell"],
                ..BIN
            },
            Bin {
                name: "hunspell-en",
                noarch: true,
                ..BIN
            },
        ],
        ..SRC
    },
    Src {
        name: "aspell",
        version: "0.60.8",
        bins: &[Bin {
            name: "aspell",
            provides: &["spellchecker"],
            files: &["/usr/bin/aspell"],
            ..BIN
        }],
        ..SRC
    },
    Src {
        name: "desktop",
        version: "47",
        bins: &[
            Bin {
                name: "wayland-session",
                noarch: true,
                recommends: &["desktop-extras"],
                ..BIN
            },
            Bin {
                name: "xorg-session",
                noarch: true,
                ..BIN
            },
            Bin {
                name: "gnome-shell",
                requires: &["wayland-session"],
                files: &["/usr/bin/gnome-shell"],
                ..BIN
            },
            Bin {
                name: "gnome-shell-l10n",
                noarch: true,
                supplements: &["gnome-shell"],
                ..BIN
            },
            Bin {
                name: "desktop-extras",
                noarch: true,
                ..BIN
            },
            Bin {
                name: "viewer",
                recommends: &["desktop-extras"],
                files: &["/usr/bin/viewer"],
                ..BIN
            },
        ],
        ..SRC
    },
];

/// comps of the weak repository: one group whose package brings weak
/// dependencies.
pub const WEAK_COMPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>editing</id>
    <name>Editing</name>
    <description>An editor and its helpers.</description>
    <default>false</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">editor</packagereq>
    </packagelist>
  </group>
</comps>
"#;
