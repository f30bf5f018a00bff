//! Making a report evidence: digests of everything that produced it
//! ([`provenance`]), Ed25519 keys ([`keys`]), signing a report and
//! verifying a signed one ([`sign`], [`verify`]).
//!
//! A signature covers the whole report through the RFC 8785 canonical JSON
//! of each of its top-level members, so it does not depend on whitespace or
//! member order; verification additionally requires the file to be exactly
//! the tool's own rendering of its content, so that *any* changed byte of a
//! signed report fails. Verification also compares the report's provenance
//! with the suites (catalogue, profiles, lists, live cases) and schemas the
//! verifier trusts, so a report produced with a modified catalogue, a
//! modified list or a relaxed live case is caught even when its signature
//! is good.

mod digest;
pub mod keys;
mod signature;

pub use digest::{
    SuiteDigests, canonical_json, file_digest, provenance, sha256, trusted_provenance,
};
pub use signature::{Mismatch, Verification, sign, signed_message, verify, verify_message};
