//! Archful SRPMs (workflow steps 3-4): which sources have BuildRequires that
//! differ per arch, an SRPM cache, and per-arch source repos in which those
//! SRPMs are regenerated with the BuildRequires evaluated for that arch.

mod cache;
mod journal;
mod repos;
mod rpmbuild;

pub use cache::{cache_index, identify, refresh_cache, ArchfulResult, CachedSrpm, Verdict};
pub use repos::{create_srpm_repo, Regenerate, RepoReport};

/// The arches the workflow targets by default.
pub const DEFAULT_ARCHES: &[&str] = &["aarch64", "ppc64le", "s390x", "x86_64"];
