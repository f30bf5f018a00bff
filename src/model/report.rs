//! The report: everything a run concluded, in the shape of the JSON report
//! (`schemas/tool/report.schema.json`, version [`REPORT_SCHEMA_VERSION`]).
//!
//! Findings name a field and a kind, never the value of a detected
//! identifier: the report must not leak what it protects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Verdict;
use super::certification::{Provenance, Signature, WaiverOutcome};
use crate::catalog::{Area, Clause, Level};

/// Version of the JSON report format. Bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: &str = "4.3";

/// One run's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`] at the time of writing.
    pub schema_version: String,
    /// What produced the report.
    pub tool: Tool,
    /// The command that produced it.
    pub command: Command,
    /// When, RFC 3339 UTC; pinned by `SOURCE_DATE_EPOCH`.
    pub generated_at: String,
    /// The day the law was read on and the named lists used: dated law is
    /// judged on that day, whenever the run happens.
    pub law: super::Law,
    /// What was checked.
    pub inputs: Vec<InputSummary>,
    /// One verdict table per selected profile, in the order asked for.
    pub profiles: Vec<ProfileResult>,
    /// The requirements the profiles selected, in ID order.
    pub requirements: Vec<RequirementInfo>,
    /// Every non-passing result, in input order.
    pub findings: Vec<Finding>,
    /// Totals.
    pub summary: Summary,
    /// What each dataset audit of the run measured, in job order (empty
    /// when the run audited no dataset).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<super::DatasetSummary>,
    /// Each declaration's flows by profile and by pair of profiles, in job
    /// order (empty when the run judged no declaration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matrices: Vec<super::Matrix>,
    /// The waivers in force for the run and what each did; absent when the
    /// run had none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverOutcome>,
    /// Digests of what produced the verdicts (catalogue, profiles, schemas,
    /// inputs) and the target; present in signed reports and in `check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The Ed25519 signature over everything above, when signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// What kind of input a report read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// A JSON document of records.
    Json,
    /// One JSON record a line.
    Ndjson,
    /// A JSON-LD document of records.
    Jsonld,
    /// A CSV dataset.
    Csv,
    /// A TOML declaration.
    Toml,
    /// A live platform, over HTTP(S).
    Http,
    /// An Apache Parquet dataset (a file or a folder of files).
    Parquet,
}

impl InputFormat {
    /// The lower-case name, as in every report.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Json => "json",
            InputFormat::Ndjson => "ndjson",
            InputFormat::Jsonld => "jsonld",
            InputFormat::Csv => "csv",
            InputFormat::Toml => "toml",
            InputFormat::Http => "http",
            InputFormat::Parquet => "parquet",
        }
    }

    /// What `records` counts for this kind of input, singular and plural:
    /// a declaration's flows, a dataset's rows, a live audit's requests.
    pub fn unit(self) -> (&'static str, &'static str) {
        match self {
            InputFormat::Json | InputFormat::Ndjson | InputFormat::Jsonld => ("record", "records"),
            InputFormat::Csv | InputFormat::Parquet => ("row", "rows"),
            InputFormat::Toml => ("flow", "flows"),
            InputFormat::Http => ("request", "requests"),
        }
    }
}

impl std::fmt::Display for InputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The command that produced a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// Payload files (`cityconform validate`).
    Validate,
    /// A dataset (`cityconform dataset`).
    Dataset,
    /// A data-flow declaration (`cityconform flows`, `profiles matrix`).
    Flows,
    /// A live platform (`cityconform audit`).
    Audit,
    /// Everything `cityconform.toml` names (`cityconform check`).
    Check,
}

impl Command {
    /// The name as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Validate => "validate",
            Command::Dataset => "dataset",
            Command::Flows => "flows",
            Command::Audit => "audit",
            Command::Check => "check",
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The producing tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Always `cityconform`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Tool {
    /// This build of cityconform.
    pub fn current() -> Self {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// One input and how many subjects it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSummary {
    /// The path as found (relative paths stay relative).
    pub path: String,
    /// What kind of input; `http` for a live audit (the path is the base
    /// URL and `records` the requests sent).
    pub format: InputFormat,
    /// Records read, including those that were not JSON.
    pub records: u64,
}

/// A profile's verdict table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileResult {
    /// Profile ID.
    pub id: String,
    /// Profile title.
    pub title: String,
    /// True when no MUST requirement failed or errored.
    pub met: bool,
    /// One row per selected requirement, in ID order.
    pub results: Vec<RequirementResult>,
}

impl ProfileResult {
    /// Whether `results` meet their profile: no MUST requirement failed or
    /// errored. The one rule every command and every waiver applies.
    pub fn meets(results: &[RequirementResult]) -> bool {
        !results.iter().any(|r| r.verdict.fails_profile(r.level))
    }
}

/// One requirement's verdict under one profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementResult {
    /// Requirement ID.
    pub requirement: String,
    /// The level in force under this profile.
    pub level: Level,
    /// The verdict over all subjects.
    pub verdict: Verdict,
    /// Subjects per verdict.
    pub counts: Counts,
    /// The parameters in force under this profile, each reference to a
    /// named list (`@eu-adequacy`) replaced by the list's members.
    pub params: Map<String, Value>,
    /// The lists the parameters named, by parameter name (dotted inside a
    /// table parameter): `{"adequate": ["@eu-adequacy"]}`. Absent when no
    /// parameter names a list.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, Vec<String>>,
    /// Why the verdict is `skip` or `error`, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Findings of this requirement under this profile beyond the number
    /// kept (`--keep-findings`): counted, not listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_left_out: u64,
}

/// How many subjects got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Met.
    pub pass: u64,
    /// Broken, MUST.
    pub fail: u64,
    /// Broken, SHOULD or MAY.
    pub warn: u64,
    /// Not applicable.
    pub skip: u64,
    /// Could not be checked.
    pub error: u64,
    /// Broken, but covered by an active waiver.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Counts {
    /// Adds one subject with `verdict`.
    pub fn add(&mut self, verdict: Verdict) {
        *self.slot(verdict) += 1;
    }

    fn slot(&mut self, verdict: Verdict) -> &mut u64 {
        match verdict {
            Verdict::Pass => &mut self.pass,
            Verdict::Fail => &mut self.fail,
            Verdict::Warn => &mut self.warn,
            Verdict::Skip => &mut self.skip,
            Verdict::Error => &mut self.error,
            Verdict::Waived => &mut self.waived,
        }
    }

    /// The verdict these counts sum up to (see [`Verdict::severity`]).
    pub fn verdict(&self) -> Verdict {
        [
            (Verdict::Fail, self.fail),
            (Verdict::Error, self.error),
            (Verdict::Warn, self.warn),
            (Verdict::Waived, self.waived),
            (Verdict::Pass, self.pass),
        ]
        .into_iter()
        .find(|(_, n)| *n > 0)
        .map_or(Verdict::Skip, |(v, _)| v)
    }

    /// Subjects counted.
    pub fn total(&self) -> u64 {
        self.pass + self.fail + self.warn + self.skip + self.error + self.waived
    }
}

/// A requirement as the report cites it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequirementInfo {
    /// Stable ID.
    pub id: String,
    /// One line.
    pub title: String,
    /// The testable statement.
    pub statement: String,
    /// The concern.
    pub area: Area,
    /// The clauses it is read from (no `profile`), then the regional ones
    /// each profile adds, each with the profile that cites it.
    pub clauses: Vec<CitedClause>,
}

/// A clause as a report cites it: for the requirement as a whole, or for
/// one profile. A profile that adds no clause of its own cites the
/// requirement's (those without `profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitedClause {
    /// The profile citing it; absent for the requirement's own clauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The text: "GDPR", "PIPA", ...
    pub source: String,
    /// The clause within it.
    pub clause: String,
    /// Why it applies, when it is not obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl CitedClause {
    /// `clause` as `profile` cites it (`None`: the requirement's own).
    pub fn of(profile: Option<&str>, clause: &Clause) -> Self {
        CitedClause {
            profile: profile.map(str::to_owned),
            source: clause.source.clone(),
            clause: clause.clause.clone(),
            note: clause.note.clone(),
        }
    }
}

/// One non-passing result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Requirement ID.
    pub requirement: String,
    /// The verdict under each profile that selects the requirement with
    /// these parameters (another profile's parameters may give no finding).
    pub verdicts: std::collections::BTreeMap<String, Verdict>,
    /// Where.
    pub location: Location,
    /// What is wrong, in plain words, naming fields and kinds but never the
    /// value of a detected identifier.
    pub message: String,
    /// Structured detail (for example the identifier kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Value>,
    /// The regional clauses of each profile in `verdicts` that adds its
    /// own, with the profile: a finding speaks for its profiles only. A
    /// profile listed in `verdicts` without clauses here cites the
    /// requirement's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<CitedClause>,
    /// For each profile in `verdicts` that judged the subject as if it
    /// were its region's (a flow starting elsewhere), what it assumed:
    /// "read as if the flow started in EU; it starts in KR". A verdict
    /// so reached is hypothetical, and says so.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub readings: BTreeMap<String, String>,
    /// For each profile in `verdicts` that fails the finding because it
    /// forbids what a data standard requires of the field (an MDS trip's
    /// GPS points under `kr`), the conflict with both sides cited: the
    /// payload conforms to the standard, the rules disagree.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<crate::catalog::StandardConflict>,
    /// The ID of the waiver that covers this finding; its verdicts are then
    /// `waived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<String>,
}

/// Where a finding sits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, as the user named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line: of the finding's member when the record is in a
    /// JSON document (where a record may span many lines), else where the
    /// subject starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based position of the record in its file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// JSON pointer of the field within the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut wrote = false;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            wrote = true;
        }
        if let Some(line) = self.line {
            write!(f, "{}{line}", if wrote { ":" } else { "line " })?;
            wrote = true;
        }
        if let Some(pointer) = self.pointer.as_deref().filter(|p| !p.is_empty()) {
            write!(f, "{}{pointer}", if wrote { " " } else { "" })?;
        }
        Ok(())
    }
}

/// Totals over the whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Subjects read.
    pub subjects: u64,
    /// Subjects that could not be checked at all (not JSON, no schema).
    pub input_errors: u64,
    /// Findings listed.
    pub findings: u64,
    /// True when every selected profile is met and no waiver has expired.
    pub met: bool,
    /// Findings covered by an active waiver.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived: u64,
    /// Waivers past their expiry date: each fails the run.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub expired_waivers: u64,
    /// Findings counted but not listed, beyond the number kept per
    /// (profile, requirement); the counts stay exact.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_left_out: u64,
}

impl Report {
    /// The exit code this report calls for: bad input outranks "not met",
    /// because a verdict on unreadable input cannot be trusted.
    pub fn exit_code(&self) -> crate::ExitCode {
        if self.summary.input_errors > 0 {
            crate::ExitCode::BadInput
        } else if self.summary.met {
            crate::ExitCode::Met
        } else {
            crate::ExitCode::NotMet
        }
    }
}
