//! Jobs: one unit of work of one family. A job is the same value whether
//! it comes from a command's flags or from a section of `cityconform.toml`,
//! so every option exists in both or in neither.

use std::path::PathBuf;

/// One unit of work; each produces a report over the run's profiles.
#[derive(Debug, Clone)]
pub enum Job {
    /// Payload files through the record pipeline (`validate`, `[payloads]`).
    Payloads(PayloadsJob),
    /// A dataset's anonymity audit (`dataset`, `[[datasets]]`).
    Dataset(DatasetJob),
    /// A data-flow declaration (`flows`, `[[declarations]]`).
    Declaration(DeclarationJob),
    /// A live platform over HTTP (`audit`, `demo`, `[target]`).
    Target(TargetJob),
}

impl Job {
    /// The config section this job comes from, as a JSON pointer; empty
    /// for a job made from flags.
    pub fn pointer(&self) -> &str {
        match self {
            Job::Payloads(job) => &job.pointer,
            Job::Dataset(job) => &job.pointer,
            Job::Declaration(job) => &job.pointer,
            Job::Target(job) => &job.pointer,
        }
    }

    /// What kind of job, as the config names its section.
    pub fn section(&self) -> &'static str {
        match self {
            Job::Payloads(_) => "payloads",
            Job::Dataset(_) => "datasets",
            Job::Declaration(_) => "declarations",
            Job::Target(_) => "target",
        }
    }

    /// The requirement IDs the job is narrowed to; empty for all.
    pub fn requirements(&self) -> &[String] {
        match self {
            Job::Payloads(job) => &job.requirements,
            Job::Dataset(job) => &job.requirements,
            Job::Declaration(_) => &[],
            Job::Target(job) => &job.requirements,
        }
    }

    /// The files the job reads, for provenance and for refusing a report
    /// path that would overwrite one.
    pub fn inputs(&self) -> Vec<PathBuf> {
        match self {
            Job::Payloads(job) => job.files.iter().chain(&job.declaration).cloned().collect(),
            Job::Dataset(job) => {
                let mut inputs = vec![job.data.clone()];
                if let Roles::Descriptor(path) = &job.roles {
                    inputs.push(path.clone());
                }
                inputs
            }
            Job::Declaration(job) => vec![job.path.clone()],
            Job::Target(job) => match &job.target {
                TargetRef::File(path) => std::iter::once(path.clone())
                    .chain(job.ca_cert.clone())
                    .chain(crate::live::target::token_files(path))
                    .collect(),
                TargetRef::Url(_) => job.ca_cert.iter().cloned().collect(),
            },
        }
    }
}

impl Job {
    /// The files the job reads to know how to read its inputs (a dataset's
    /// descriptor, the declaration records are checked against, the target
    /// description): a signed report names them, since its verdicts rest
    /// on them.
    pub fn read_besides(&self) -> Vec<PathBuf> {
        match self {
            Job::Payloads(job) => job.declaration.iter().cloned().collect(),
            Job::Dataset(job) => match &job.roles {
                Roles::Descriptor(path) => vec![path.clone()],
                Roles::Schema(_) => Vec::new(),
            },
            Job::Declaration(_) => Vec::new(),
            Job::Target(job) => match &job.target {
                TargetRef::File(path) => vec![path.clone()],
                TargetRef::Url(_) => Vec::new(),
            },
        }
    }
}

/// Payload files.
#[derive(Debug, Clone, Default)]
pub struct PayloadsJob {
    /// Files and folders (folders are searched recursively).
    pub files: Vec<PathBuf>,
    /// A schema (URI, entity type or file) forced on every record.
    pub schema: Option<String>,
    /// Only these requirements.
    pub requirements: Vec<String>,
    /// The data-flow declaration the records are exchanged under.
    pub declaration: Option<PathBuf>,
    /// The records' representation (`--representation`), or `Auto`.
    pub representation: crate::payload::pipeline::Declared,
    /// The config section (`/payloads`), or empty.
    pub pointer: String,
}

/// Where a dataset's column roles come from.
#[derive(Debug, Clone)]
pub enum Roles {
    /// A descriptor file.
    Descriptor(PathBuf),
    /// A shared schema's governance annotations: the one named (entity
    /// type, URI or file), or the one the first NDJSON record's `type`
    /// names.
    Schema(Option<String>),
}

/// A dataset.
#[derive(Debug, Clone)]
pub struct DatasetJob {
    /// The data file.
    pub data: PathBuf,
    /// Its column roles.
    pub roles: Roles,
    /// Only these requirements.
    pub requirements: Vec<String>,
    /// The config section (`/datasets/N`), or empty.
    pub pointer: String,
    /// The engine that summarises it (the native producers by default).
    pub engine: crate::dataset::Engine,
}

/// A data-flow declaration.
#[derive(Debug, Clone)]
pub struct DeclarationJob {
    /// The declaration file.
    pub path: PathBuf,
    /// The config section (`/declarations/N`), or empty.
    pub pointer: String,
}

/// A live platform.
#[derive(Debug, Clone)]
pub struct TargetJob {
    /// A base URL, or a target file.
    pub target: TargetRef,
    /// A CA certificate (PEM) to trust besides the system's.
    pub ca_cert: Option<PathBuf>,
    /// Only these requirements.
    pub requirements: Vec<String>,
    /// The config section (`/target`), or empty.
    pub pointer: String,
    /// How long to wait for the platform to accept connections.
    pub wait: Option<std::time::Duration>,
    /// Write every HTTP exchange, redacted, to this file as HAR 1.2.
    pub record: Option<PathBuf>,
    /// Keep that recording as sent (`--record-raw`): identifier values
    /// are not replaced by their placeholders.
    pub record_raw: bool,
    /// The kind of API a URL alone is audited as (a target file says its
    /// own); `None`: found from the landing page.
    pub api: Option<crate::live::target::ApiKind>,
    /// The evaluation time a GBFS feed's freshness is judged at
    /// (`audit --now`); `None`: the report's time.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where the live platform is described.
#[derive(Debug, Clone)]
pub enum TargetRef {
    /// A base URL: a public API, audited without credentials.
    Url(String),
    /// A target file.
    File(PathBuf),
}
