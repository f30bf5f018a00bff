//! The live audit: a running platform's data-exchange API checked over
//! HTTP(S) against the live requirements (`suites/catalogue/live.toml`,
//! decided by the declarative cases in `suites/live/`) and, on every data
//! answer, the payload requirements of the core.
//!
//! - [`target`]: the target description and its secrets.
//! - [`cases`]: the declarative cases.
//! - [`plan`]: what the selected profiles ask, built once.
//! - `http`: the client and its safety limits.
//! - `evaluate`: expectations decided on answers.
//! - `records`: a data answer's records, read one at a time.
//! - `personal`: whether an answer's records hold personal data.
//! - `paging`: the `next` page of a data answer.
//! - `documents`: links, conformance and counts an API's documents state.
//! - `discovery`: an OGC API's landing page and collections, an NGSI-LD
//!   broker's entity types.
//! - `ngsi`: conditions on NGSI-LD answers (context, count, problem
//!   details, two answers compared).
//! - `gbfs`: a GBFS feed read from its discovery file, judged file by file.
//! - `engine`: jobs, concurrency, deadline, and the report.
//! - [`reproduce`]: the `curl` command in every finding's evidence.
//! - `har`: every exchange written as HAR 1.2 (`audit --record`).

pub mod cases;
mod discovery;
mod documents;
mod engine;
mod evaluate;
mod gbfs;
mod har;
mod hide;
mod http;
mod ngsi;
mod paging;
mod personal;
pub mod plan;
mod records;
mod redact;
pub mod reproduce;
pub mod target;

pub use engine::{AuditOptions, audit};
pub use plan::{LIVE_KIND, LivePlan};
pub use redact::REDACTED;

use crate::error::{Error, Result};
use crate::schema::SchemaRegistry;

/// The check kinds live requirements may name: the cases' kind, and the
/// GBFS rules (`gbfs`), which read files no case can.
pub const KINDS: &[&str] = &[
    LIVE_KIND,
    "gbfs-discovery",
    "gbfs-schema",
    "gbfs-ttl",
    "gbfs-rental",
    "gbfs-vehicle-id",
];

/// Refuses a target whose endpoints name types without a shared schema,
/// before any request is sent.
pub fn check_target_types(target: &target::Target, registry: &SchemaRegistry) -> Result<()> {
    let unknown = engine::unknown_types(target, registry);
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<_> = unknown.into_iter().collect();
    Err(Error::Usage(format!(
        "{}: no shared schema for type {}\n  help: see `cityconform schemas`, or add one with --schema-dir",
        target.file,
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}
