//! content-resolver (the Feedback Pipeline) for one view: its configuration
//! documents and what it computes from them.
//!
//! - [`yaml`]: YAML values as PyYAML loads them for content-resolver.
//! - [`config`]: the documents (repositories, environments, workloads,
//!   labels, views, unwanted lists, buildroots), read and checked as
//!   `content_resolver/config_manager.py` does.
//!
//! `docs/compose-view.md` describes the semantics and where we differ.

pub mod config;
pub mod yaml;

pub use config::{load_dir, Configs, Loaded};
