//! Dataset anonymization audits: a data extract (CSV or NDJSON) and the
//! roles of its columns (a descriptor, or a shared schema's governance
//! annotations) in; verdicts per profile on direct identifiers,
//! k-anonymity, (α,k)-anonymity, l-diversity, t-closeness, coarsening and
//! aggregate minimums out, as the one [`crate::model::Report`].
//!
//! The data is read once ([`scan`]); everything after works on the
//! equivalence-class table ([`table`]) and per-column distinct values, so
//! memory follows the number of distinct quasi-identifier combinations,
//! not the number of rows. The checks live in [`crate::dataset::checks`].

mod audit;
pub mod checks;
pub mod descriptor;
pub mod metrics;
pub mod number;
pub mod scan;
pub mod table;

pub use audit::{AuditOptions, DatasetPlan, audit, plan};
pub use descriptor::Descriptor;
