//! content-resolver's formats and the workload diff (workflow step 6).
//!
//! What the ELN Buildroot Generator Workflow publishes is read by
//! content-resolver (Python, PyYAML, YAML 1.1), so every document here is
//! written to be read back unchanged by it: sorted keys and lists, strings
//! that YAML 1.1 would turn into booleans, numbers or nulls (`yes`, `on`,
//! `1.0`, `null`) quoted, no anchors, no flow style except `[]`/`{}`.
//!
//! - [`documents`]: the `feedback-pipeline-workload` and
//!   `feedback-pipeline-buildroot` YAML documents.
//! - [`relations`]: the `buildroot-binary-relations` JSON the generator
//!   writes next to its lists.
//! - [`placeholders`]: content-resolver's placeholder-SRPM JSON (sources
//!   that exist only as a list of build requirements).
//! - [`outdir`]: the buildroot-generator output directory (read side, and
//!   the file names both sides use).
//! - [`published`]: content-resolver's published view lists (the compose).
//! - [`fetch_run`]: fetch-compose's run, those lists into the workflow's
//!   compose directory.
//! - [`diff`]: buildroot vs compose per arch, and the workload it gives.
//! - [`verify`]: step 10's checks (what compose + workload cannot build,
//!   which buildroot binaries the new compose lacks).
//! - [`verify_report`]: step 10's report per arch, its text and its files.
//! - [`changes`]: what entered and left the workload since the previous run.
//! - [`skipped_repos`]: the repos a run went on without (`skipped-repos.txt`),
//!   which the change report carries.
//! - [`inputs`]: the inputs of the above named by path, read (what
//!   `workload-diff` calls once its options are checked).
//! - [`request`]: one `workload-diff` document or step-10 input set, from
//!   the inputs by arch (what the tool calls).
//!
//! `docs/formats.md` describes every format with examples.

pub mod changes;
pub mod diff;
pub mod documents;
pub mod fetch_run;
pub mod inputs;
pub mod outdir;
pub mod placeholders;
pub mod published;
pub mod relations;
pub mod request;
pub mod skipped_repos;
pub mod verify;
pub mod verify_report;

pub use diff::{ArchDiff, WorkloadDiff, WorkloadMeta};
pub use documents::{
    BuildrootConfigDocument, SourceRequires, WorkloadDocument, CONTENT_RESOLVER_ARCHES,
};
pub use outdir::{BuildrootDir, ErrorKind};
pub use placeholders::{PlaceholderSource, Placeholders};
pub use relations::{PackageRelations, Relations};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, Result};

/// Serializes `value` as a YAML document in the style content-resolver's
/// own configs use: `---` first, two-space indentation, list items indented
/// under their key, no folded/literal blocks (descriptions stay one line).
pub(crate) fn to_yaml<T: Serialize>(value: &T) -> Result<String> {
    let mut opts = serde_saphyr::SerializerOptions::default();
    opts.indent_step = 2;
    opts.compact_list_indent = false;
    opts.prefer_block_scalars = false;
    let body = serde_saphyr::to_string_with_options(value, opts)
        .map_err(|e| Error::format("<yaml output>", one_line(&e.to_string())))?;
    Ok(format!("---\n{body}"))
}

/// Parses a YAML document; `origin` names the input in errors.
///
/// The default budget of serde-saphyr (250k nodes) is sized for config files;
/// a Fedora-scale buildroot document has millions of nodes, so the limits are
/// raised to what a real document needs while keeping the depth limit.
pub(crate) fn from_yaml<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_reader_input_bytes = Some(4 << 30);
    budget.max_events = 200_000_000;
    budget.max_nodes = 100_000_000;
    budget.max_total_scalar_bytes = 4 << 30;
    let mut opts = serde_saphyr::Options::default();
    opts.budget = Some(budget);
    opts.with_snippet = false;
    serde_saphyr::from_str_with_options(text, opts)
        .map_err(|e| Error::format(origin, yaml_problem(&e)))
}

/// The `document`/`version`/`data` envelope of every content-resolver YAML document.
#[derive(Serialize, Deserialize)]
pub(crate) struct Envelope<T> {
    pub document: String,
    pub version: u32,
    pub data: T,
}

/// Parses a document of one of the types `names` (content-resolver accepts
/// both the `feedback-pipeline-` and `content-resolver-` prefixes), version 1.
/// When the typed parse fails, the header is looked at alone, so a wrong
/// document is reported as such rather than as a field it happens to lack.
pub(crate) fn parse_document<T: DeserializeOwned>(
    text: &str,
    origin: &str,
    names: &[&str],
) -> Result<T> {
    match from_yaml::<Envelope<T>>(text, origin) {
        Ok(env) => {
            if !names.contains(&env.document.as_str()) {
                return Err(Error::format(
                    origin,
                    format!("document is \"{}\", expected '{}'", env.document, names[0]),
                ));
            }
            if env.version != 1 {
                return Err(Error::format(
                    origin,
                    format!("unsupported version {} (expected 1)", env.version),
                ));
            }
            Ok(env.data)
        }
        Err(e) => {
            check_header(text, origin, names)?;
            Err(e)
        }
    }
}

/// Checks the header of a YAML document: `document` one of `names` and `version: 1`.
fn check_header(text: &str, origin: &str, names: &[&str]) -> Result<()> {
    // Loosely typed, so a wrong document is reported as such rather than as
    // whatever field of the expected type it happens to lack.
    #[derive(Deserialize)]
    struct Header {
        document: Option<serde_json::Value>,
        version: Option<serde_json::Value>,
    }
    let header: Header = from_yaml(text, origin)?;
    match header.document.as_ref().map(|d| d.as_str()) {
        Some(Some(d)) if names.contains(&d) => {}
        Some(_) => {
            let d = header.document.map(|d| d.to_string()).unwrap_or_default();
            return Err(Error::format(
                origin,
                format!("document is {d}, expected '{}'", names[0]),
            ));
        }
        None => {
            return Err(Error::format(
                origin,
                format!("no 'document' key (expected '{}')", names[0]),
            ))
        }
    }
    match header.version {
        Some(v) if v.as_u64() == Some(1) => Ok(()),
        Some(v) => Err(Error::format(
            origin,
            format!("unsupported version {v} (expected 1)"),
        )),
        None => Err(Error::format(origin, "no 'version' key (expected 1)")),
    }
}

/// Error texts from parsers can span lines; the tools print one line.
/// A YAML parser error as the one line users read: serde-saphyr's own
/// text speaks to Rust programmers ("use from_str_multiple or ...", "use
/// `Option<String>`"), its user formatter says what is wrong; a second
/// document, the likeliest such slip in a config file, is named by its line.
pub(crate) fn yaml_problem(e: &serde_saphyr::Error) -> String {
    if let serde_saphyr::Error::MultipleDocuments { location, .. } = e {
        return format!(
            "more than one YAML document (a second one at line {})",
            location.line()
        );
    }
    one_line(&e.render_with_formatter(&serde_saphyr::UserMessageFormatter))
}

pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Deserializes a missing or `null` value (`packages:` with nothing after
/// it, as dep-tracker wrote empty lists) as the type's default.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Like [`null_as_default`] for the values of a map (`aarch64:` with no list).
pub(crate) fn null_values_as_default<'de, D, K, V>(
    d: D,
) -> std::result::Result<std::collections::BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de> + Default,
{
    let m = Option::<std::collections::BTreeMap<K, Option<V>>>::deserialize(d)?;
    Ok(m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}
