//! content-resolver (the Feedback Pipeline) for one view: its configuration
//! documents and what it computes from them.
//!
//! - [`yaml`]: YAML values as PyYAML loads them for content-resolver
//!   (read in two passes, `yaml_scan` and `yaml_construct`, after
//!   `yaml_breaks` has made NEL, LS and PS line breaks and `yaml_tokens`
//!   has read the text between tokens as PyYAML does;
//!   `yaml_pairs`: its `!!omap` and `!!pairs`).
//! - [`config`]: the documents (repositories, environments, workloads,
//!   labels, views, unwanted lists, buildroots), read and checked as
//!   `content_resolver/config_manager.py` does.
//! - [`view`]: a view per arch, computed as `content_resolver/analyzer.py`
//!   does (environments, workloads on them, the union, unwanted marks).
//! - [`lists`]: content-resolver's list files of the view.
//! - [`report`]: what compose-view prints of a view and of a configs
//!   directory (lists, `--json`, problems, `--check`'s summary).
//!
//! `docs/compose-view.md` describes the semantics and where we differ.

pub mod config;
pub mod lists;
pub mod report;
pub mod view;
pub mod yaml;
pub mod yaml11;
mod yaml_breaks;
mod yaml_construct;
mod yaml_pairs;
mod yaml_scan;
mod yaml_separators;
mod yaml_tokens;

pub use config::{load_dir, Configs, Loaded};
pub use report::{config_view_id, ViewList};
pub use view::{compute, ArchView, Request, ViewPackage, ViewResult};
