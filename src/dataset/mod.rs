//! Dataset anonymization audits: a data extract (CSV or NDJSON) and the
//! roles of its columns (a descriptor, or a shared schema's governance
//! annotations) in; verdicts per profile on direct identifiers,
//! k-anonymity, (α,k)-anonymity, l-diversity, t-closeness, coarsening and
//! aggregate minimums out, as the one [`crate::model::Report`].
//!
//! The data is read once by a producer (the native scanner, [`scan`], or
//! the Parquet reader) into a mergeable [`Summary`]; judging works on it
//! alone: the equivalence-class table ([`table`]) and per-column distinct
//! values, so memory follows the number of distinct quasi-identifier
//! combinations, not the number of rows. The checks live in [`crate::dataset::checks`].

mod audit;
pub mod checks;
pub mod descriptor;
pub mod engines;
pub mod metrics;
pub mod number;
pub mod parquet;
pub mod scan;
pub mod summary;
pub mod table;

pub use audit::{AuditOptions, DatasetPlan, audit, judge, plan, summarise};
pub use descriptor::Descriptor;
pub use engines::Engine;
pub use summary::Summary;

/// Whether `path` is read as Parquet: a folder (of Parquet files), or a
/// file starting with the Parquet magic bytes.
pub fn is_parquet(path: &std::path::Path) -> crate::error::Result<bool> {
    Ok(path.is_dir() || (path.is_file() && parquet::is_parquet(path)?))
}
