//! The command-line tests of every rpm-buildroot tool, in one test binary
//! over one support library (`cli_tests`, src/lib.rs): it builds the
//! workspace's binaries once per run, so no test runs a stale tool
//! (docs/testing.md). One module per tool or concern.

mod archful_workflow;
mod bad_input;
mod cache_dirs;
mod compose_view;
mod compose_view_conformance;
mod crash_safety;
mod create_srpm_repos_failed_runs;
mod fedora_eln_config;
mod fetch_compose;
mod fresh_binaries;
mod generator_builds_only;
mod generator_http_faults;
mod generator_progress;
mod generator_testdata;
mod generator_what_if;
mod help_examples;
mod identify_archful;
mod identify_repo_macros;
mod interrupted_downloads;
mod parallel_downloads;
mod prefer_release;
mod real_srpms;
mod refusals;
mod regenerated_header;
mod repofile_options;
mod shared_options;
mod srpm_cache_sums;
mod srpm_spec_cache;
mod workflow_http_faults;
mod workload_diff;
