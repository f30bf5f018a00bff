//! The one result model every check family produces and every renderer
//! consumes: verdicts per requirement and profile, findings with their
//! location and evidence, and the report that carries them. Serializable
//! and versioned: the JSON report is this model, written out.

mod certification;
mod dataset;
mod law;
mod matrix;
mod report;
mod verdict;

pub use certification::{Provenance, Signature, WaiverOutcome, WaiverStatus};
pub use dataset::{ColumnRole, ColumnSummary, DatasetSummary};
pub use law::{Law, ListUsed};
pub use matrix::{Blocker, Matrix, MatrixRow, PairResult, ProfileCell};
pub use report::{
    CitedClause, Command, Counts, Finding, InputFormat, InputSummary, Location, ProfileResult,
    REPORT_SCHEMA_VERSION, Report, RequirementInfo, RequirementResult, Summary, Tool,
};
pub use verdict::Verdict;
