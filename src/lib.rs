//! cityconform: a conformance harness for smart-city data exchange.
//!
//! The library owns everything a run needs: the requirement catalogue and its
//! regional profiles ([`catalog`]), the shared JSON Schemas ([`schema`]), the
//! subjects being checked ([`subject`]), datasets ([`dataset`]), data-flow
//! declarations ([`flows`]), the checks themselves ([`checks`]), the engine
//! that runs a plan over subjects ([`run`]), the one result model
//! ([`model`]) and its renderers ([`report`]); the live audit of a running
//! platform ([`live`]) and the embedded reference platform it is shown on
//! ([`mod@reference`]); for certification and CI, a repository's
//! `cityconform.toml` ([`config`]) run as one pass ([`check`]), waivers
//! ([`waiver`]), and provenance digests and signatures ([`attest`]).
//!
//! The library never prints: output goes to writers handed in by the caller,
//! and progress goes through [`run::Progress`]. The `cityconform` binary is a
//! thin layer that parses arguments, calls in here and maps the outcome to an
//! exit code ([`ExitCode`]).

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod attest;
pub mod catalog;
pub mod check;
pub mod checks;
pub mod config;
pub mod dataset;
mod embedded;
pub mod error;
pub mod flows;
pub mod live;
pub mod model;
pub mod reference;
pub mod report;
pub mod run;
pub mod schema;
pub mod subject;
#[cfg(test)]
mod vacuity;
pub mod waiver;

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
