//! Archful SRPMs (workflow steps 3-4): which sources have BuildRequires that
//! differ per arch, an SRPM cache, and per-arch source repos in which those
//! SRPMs are regenerated with the BuildRequires evaluated for that arch.
//! Specs are read with each arch's own macros ([`MacroArgs`]): by the
//! built-in evaluator, or by rpm itself (`rpmspec`, `rpmbuild`).

mod basegap;
mod cache;
mod cache_fetch;
mod cache_hold;
mod cache_sums;
mod cache_uses;
mod choose;
pub mod identify_run;
mod journal;
mod missing_srpms;
mod options;
mod repos;
pub mod repos_run;
mod rpmargs;
mod rpmbuild;
mod rpmspec;
mod section_probe;
mod shell_sources;
mod spec_cache;
mod spec_source;

pub use cache::{
    cache_index, cache_index_preferring, check_cache, check_cache_to_read, claim_cache, identify,
    refresh_cache, refresh_cache_preferring, refresh_cache_with, unused_earlier_metadata,
    ArchfulResult, CacheRefresh, CachedSrpm, Verdict, CACHE_MARKER, EARLIER_METADATA,
};
pub use cache_hold::CacheHold;
pub use cache_sums::SUMS_FILE;
pub use cache_uses::{record_use, Retention, DEFAULT_KEEP_UNLISTED, USES_FILE};
pub use options::{ArchTarget, KeepUnlistedArgs, MacroArgs};
pub use repos::{create_srpm_repo, KeptSrpm, Regenerate, RepoReport, SrpmRepoRequest, REPO_MARKER};
pub use rpmspec::{check_rpmspec, identify_rpmspec};
pub use spec_cache::SPECS_DIR;
pub use spec_source::{read_spec, spec_source, SpecSource};

/// The arches the workflow targets by default.
pub const DEFAULT_ARCHES: &[&str] = &["aarch64", "ppc64le", "s390x", "x86_64"];
