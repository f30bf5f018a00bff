//! Signing a report and verifying a signed one.
//!
//! The signed message is the canonical JSON of the signature block without
//! its `value`: algorithm, canonicalization, key ID, and the digest of each
//! top-level member of the report. A verifier recomputes the digests, so it
//! can say which member changed, and checks the signature over them.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::Serialize;
use serde_json::Value;

use super::digest::{canonical_json, sha256};
use super::keys::key_id;
use crate::error::{Error, Result};
use crate::model::{Provenance, Report, Signature};
use crate::report::{self, Format, TextOptions};

const ALGORITHM: &str = "ed25519";
const CANONICALIZATION: &str = "jcs";

/// The signature block as signed (everything but the value).
#[derive(Serialize)]
struct Signed<'a> {
    algorithm: &'a str,
    canonicalization: &'a str,
    key_id: &'a str,
    sections: &'a BTreeMap<String, String>,
}

/// Signs `report` with `key`, replacing any earlier signature.
pub fn sign(report: &mut Report, key: &SigningKey) -> Result<()> {
    report.signature = None;
    crate::report::redact_secrets(report);
    let sections = sections(report)?;
    let key_id = key_id(&key.verifying_key());
    let message = signed_message(&key_id, &sections)?;
    let value = BASE64.encode(key.sign(&message).to_bytes());
    report.signature = Some(Signature {
        algorithm: ALGORITHM.to_owned(),
        canonicalization: CANONICALIZATION.to_owned(),
        key_id,
        sections,
        value,
    });
    Ok(())
}

/// The bytes a signature with `key_id` over `sections` signs.
pub fn signed_message(key_id: &str, sections: &BTreeMap<String, String>) -> Result<Vec<u8>> {
    canonical_json(&Signed {
        algorithm: ALGORITHM,
        canonicalization: CANONICALIZATION,
        key_id,
        sections,
    })
}

/// Whether `signature` (base64) is `key`'s signature of `message`.
pub fn verify_message(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Ok(bytes) = BASE64.decode(signature) else {
        return false;
    };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify_strict(message, &signature).is_ok()
}

/// Digest of the canonical JSON of each top-level member but `signature`.
fn sections(report: &Report) -> Result<BTreeMap<String, String>> {
    let value = serde_json::to_value(report)
        .map_err(|e| Error::Internal(format!("serializing the report failed: {e}")))?;
    let Value::Object(members) = value else {
        return Err(Error::Internal("a report is not a JSON object".to_owned()));
    };
    members
        .iter()
        .filter(|(name, _)| name.as_str() != "signature")
        .map(|(name, member)| Ok((name.clone(), sha256(&canonical_json(member)?))))
        .collect()
}

/// One thing that does not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What was compared: `file`, `signature`, `key`, a member name such
    /// as `findings`, or `catalogue`, `profiles`, `lists`, `live_cases`,
    /// `schemas`.
    pub subject: String,
    /// What does not match, in plain words.
    pub message: String,
}

/// The outcome of verifying a report.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// Every mismatch found; empty when the report verifies.
    pub mismatches: Vec<Mismatch>,
    /// Observations that do not fail verification (another tool version).
    pub notes: Vec<String>,
    /// The signer's key ID, when the report carries a signature.
    pub key_id: Option<String>,
}

impl Verification {
    /// True when nothing failed to match.
    pub fn verified(&self) -> bool {
        self.mismatches.is_empty()
    }

    fn mismatch(&mut self, subject: &str, message: impl Into<String>) {
        self.mismatches.push(Mismatch {
            subject: subject.to_owned(),
            message: message.into(),
        });
    }
}

/// Verifies the bytes of a JSON report against `key`, and its provenance
/// against `trusted` (the digests of the suites and schemas the verifier
/// trusts; inputs and target are not compared).
pub fn verify(bytes: &[u8], key: &VerifyingKey, trusted: &Provenance) -> Verification {
    let mut outcome = Verification::default();
    let report: Report = match serde_json::from_slice(bytes) {
        Ok(report) => report,
        Err(e) => {
            outcome.mismatch(
                "file",
                format!("the file is not a cityconform JSON report ({e}): it was altered, or is another file"),
            );
            return outcome;
        }
    };
    compare_rendering(bytes, &report, &mut outcome);
    let Some(signature) = &report.signature else {
        outcome.mismatch(
            "signature",
            "the report is not signed; sign it with --sign-key",
        );
        return outcome;
    };
    outcome.key_id = Some(signature.key_id.clone());
    check_signature(&report, signature, key, &mut outcome);
    if report.tool.version != env!("CARGO_PKG_VERSION") {
        outcome.notes.push(format!(
            "the report was produced by cityconform {}; this is {}",
            report.tool.version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    match &report.provenance {
        Some(provenance) => compare_provenance(provenance, trusted, &mut outcome),
        None => outcome.mismatch(
            "provenance",
            "the report carries no provenance (digests of suites, schemas and inputs)",
        ),
    }
    outcome
}

/// The file must be exactly the tool's rendering of its content, so that a
/// change a canonical form would hide (whitespace, escapes) still fails.
fn compare_rendering(bytes: &[u8], report: &Report, outcome: &mut Verification) {
    let mut rendered = Vec::new();
    if report::render(report, Format::Json, TextOptions::default(), &mut rendered).is_err() {
        outcome.mismatch("file", "the report could not be rendered again");
        return;
    }
    if rendered != bytes {
        let at = rendered
            .iter()
            .zip(bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(rendered.len().min(bytes.len()));
        let line = bytes[..at.min(bytes.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        outcome.mismatch(
            "file",
            format!("the file differs from the report as cityconform writes it, from line {line}: it was edited after it was written"),
        );
    }
}

fn check_signature(
    report: &Report,
    signature: &Signature,
    key: &VerifyingKey,
    outcome: &mut Verification,
) {
    if signature.algorithm != ALGORITHM || signature.canonicalization != CANONICALIZATION {
        outcome.mismatch(
            "signature",
            format!(
                "unsupported signature `{}` over `{}`; this version verifies ed25519 over jcs",
                signature.algorithm, signature.canonicalization
            ),
        );
        return;
    }
    let given = key_id(key);
    if signature.key_id != given {
        outcome.mismatch(
            "key",
            format!(
                "the report says it was signed by key {}, but the public key given is {given}",
                signature.key_id
            ),
        );
    }
    match sections(report) {
        Ok(actual) => compare_sections(&signature.sections, &actual, outcome),
        Err(e) => outcome.mismatch("file", e.to_string()),
    }
    let message = match signed_message(&signature.key_id, &signature.sections) {
        Ok(message) => message,
        Err(e) => {
            outcome.mismatch("signature", e.to_string());
            return;
        }
    };
    if !verify_message(key, &message, &signature.value) {
        outcome.mismatch(
            "signature",
            "the signature does not match the signed digests: the signature block was altered, or another key signed it",
        );
    }
}

fn compare_sections(
    signed: &BTreeMap<String, String>,
    actual: &BTreeMap<String, String>,
    outcome: &mut Verification,
) {
    for (name, digest) in signed {
        match actual.get(name) {
            None => outcome.mismatch(name, format!("`{name}` was signed but is gone")),
            Some(now) if now != digest => {
                outcome.mismatch(name, format!("`{name}` differs from what was signed"))
            }
            Some(_) => {}
        }
    }
    for name in actual.keys().filter(|n| !signed.contains_key(*n)) {
        outcome.mismatch(name, format!("`{name}` was added after signing"));
    }
}

/// Compares the report's suite (catalogue, profile, list, live-case) and
/// schema digests with the trusted ones: a report made with a modified
/// catalogue, list or live case fails here even when its signature is
/// good. Profiles are compared one way, since a report names only the
/// profiles it selected; everything else both ways, since a file the
/// verifier trusts and the report lacks was replaced or removed.
fn compare_provenance(report: &Provenance, trusted: &Provenance, outcome: &mut Verification) {
    compare_digests(
        "catalogue",
        "catalogue file",
        &report.catalogue,
        &trusted.catalogue,
        true,
        outcome,
    );
    compare_digests(
        "profiles",
        "profile file",
        &report.profiles,
        &trusted.profiles,
        false,
        outcome,
    );
    compare_digests(
        "lists",
        "list file",
        &report.lists,
        &trusted.lists,
        true,
        outcome,
    );
    compare_digests(
        "live_cases",
        "live-case file",
        &report.live_cases,
        &trusted.live_cases,
        true,
        outcome,
    );
    compare_digests(
        "schemas",
        "schema",
        &report.schemas,
        &trusted.schemas,
        true,
        outcome,
    );
}

fn compare_digests(
    subject: &str,
    what: &str,
    report: &BTreeMap<String, String>,
    trusted: &BTreeMap<String, String>,
    both_ways: bool,
    outcome: &mut Verification,
) {
    for (name, digest) in report {
        match trusted.get(name) {
            None => outcome.mismatch(
                subject,
                format!("{what} `{name}` used by the report is not among the trusted ones"),
            ),
            Some(here) if here != digest => outcome.mismatch(
                subject,
                format!(
                    "{what} `{name}` differs from the trusted one (report {digest}, trusted {here})"
                ),
            ),
            Some(_) => {}
        }
    }
    if both_ways {
        for name in trusted.keys().filter(|n| !report.contains_key(*n)) {
            outcome.mismatch(
                subject,
                format!("trusted {what} `{name}` was not used by the report"),
            );
        }
    }
}
