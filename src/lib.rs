//! cityconform: a conformance harness for smart-city data exchange.
//!
//! The library is layered, and no module reaches a layer above it
//! (`ARCHITECTURE.md` has the table, and a test holds the code to it):
//!
//! - core: the one result model ([`model`]), the requirement catalogue with
//!   its regional profiles and named lists ([`catalog`]), the shared JSON
//!   Schemas ([`schema`]), data-flow declarations ([`declaration`]) and the
//!   value detectors ([`detect`]);
//! - the [`engine`]: plan, outcome, tally;
//! - the families, each owning its subjects and checks: payload records
//!   ([`payload`]), datasets ([`dataset`]), data flows ([`flows`]) and the
//!   live audit of a running platform ([`live`]);
//! - the one table of check kinds ([`families`]);
//! - consumers of the model: renderers ([`report`]), waivers ([`waiver`]),
//!   provenance digests and signatures ([`attest`]);
//! - the harness: the suites of a run loaded once, with the digests of
//!   their files ([`suites`]), jobs from flags or from a repository's
//!   `cityconform.toml` ([`config`]) run by one [`harness::Harness`], and
//!   the embedded reference platform ([`mod@reference`], behind the default
//!   `reference` feature).
//!
//! The library starts no async runtime: the live audit is an `async fn`
//! awaited on the caller's runtime, and the reference platform serves on
//! it. Synchronous callers (the harness, the binary) build one with
//! [`harness::runtime`].
//!
//! The library never prints: output goes to writers handed in by the caller,
//! and progress goes through [`engine::Progress`]. The `cityconform` binary is a
//! thin layer that parses arguments, calls in here and maps the outcome to an
//! exit code ([`ExitCode`]).

#![warn(clippy::print_stdout, clippy::print_stderr)]

// Core: the result model, the catalogue with profiles and lists, the
// schema registry, declarations, detectors. Imports nothing above it.
pub mod catalog;
pub mod dates;
pub mod declaration;
pub mod detect;
mod embedded;
pub mod error;
pub mod files;
mod hex;
mod json_text;
pub mod model;
pub mod outcome;
pub mod schema;
pub mod suggest;
#[cfg(test)]
mod vacuity;
// The engine: plan, outcome, tally.
pub mod engine;
// Families: each owns a kind of subject, its checks and its kinds.
pub mod dataset;
pub mod flows;
pub mod live;
pub mod payload;
// The one table of check kinds.
pub mod families;
// Consumers of the model: renderers, waivers, provenance and signatures.
pub mod attest;
pub mod report;
pub mod waiver;
// The harness: the suites, configuration, jobs, and the embedded
// reference platform.
pub mod config;
pub mod harness;
#[cfg(feature = "reference")]
pub mod reference;
pub mod suites;

pub use error::Error;

/// The exit codes of the `cityconform` binary: one table, documented once.
///
/// "Not met" (1) is never confused with "could not run" (2, 3): a CI
/// pipeline can fail the build on 1 and page a human on 2 or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Every selected profile is met: no MUST requirement failed or errored.
    Met = 0,
    /// At least one selected profile is not met.
    NotMet = 1,
    /// Bad input or usage: a file, record, schema, suite or argument that
    /// could not be used. Reports are still written when the run completed.
    BadInput = 2,
    /// A fault inside cityconform itself.
    Internal = 3,
}

impl ExitCode {
    /// The process exit status.
    pub fn code(self) -> i32 {
        self as i32
    }
}
