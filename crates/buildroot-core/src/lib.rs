//! buildroot-core: everything the rpm-buildroot tools share.
//!
//! The tools (`compose-view`, `buildroot-generator`, `identify-archful-srpms`,
//! `create-srpm-repos`, `workload-diff`) are thin binaries over this library. Data flows one way:
//! repositories + a package list in, a package list (or document) out.
//!
//! Layers, bottom up:
//! - [`evr`]: epoch/version/release, rpmvercmp, NEVRA and SRPM file names.
//! - [`fnmatch`]: shell globs as fnmatch(3) matches them.
//! - [`dep`]: dependencies (versioned and rich/boolean) and rpm's range matching.
//! - [`package`]: one binary or source package as rpm-md describes it.
//! - [`rpmmd`]: reading rpm-md repositories (repomd.xml, primary, filelists; local/HTTP; `.repo` files).
//! - [`arch`]: which arches install on which, arch colours and scores (libsolv's policy).
//! - [`pool`]: the installable packages for one target arch, with provides/file indexes.
//! - [`solver`]: install sets as dnf (libsolv) computes them.
//! - [`srpm`], [`spec`]: reading/writing source RPMs and evaluating spec preambles.
//! - [`repodata`]: writing rpm-md repodata that dnf and createrepo_c read.
//! - [`pkglist`], [`workload`]: package lists and content-resolver documents.
//! - [`buildroot`], [`generator`]: the fixed point, and a buildroot-generator run around it.
//! - [`content_resolver`]: content-resolver's configs and the view it computes from them.
//! - [`atomic`]: crash-safe file and directory replacement.
//! - [`cli`]: the command-line options the tools share (clap `Args`).

#![warn(missing_docs)]

pub mod arch;
pub mod archful;
pub mod atomic;
pub mod buildroot;
mod cache_home;
pub mod cli;
pub mod content_resolver;
pub mod dep;
pub mod distmacros;
pub mod error;
pub mod evr;
pub mod fnmatch;
pub mod generator;
pub mod package;
pub mod pkglist;
pub mod pool;
pub mod repodata;
pub mod rpmmd;
pub mod solver;
pub mod spec;
pub mod srpm;
#[cfg(test)]
mod test_util;
pub mod workload;

pub use error::{Error, OutputDirProblem, Result};

/// `docs/resolver.md`, whose API example `cargo test --doc` compiles and runs.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/resolver.md")]
pub struct ResolverDocs;
