//! The reference platform as an open OGC API - Features server
//! (`--api ogcapi-features`): it meets every requirement with no credential,
//! found from its landing page, and each of its OGC faults fails exactly the
//! requirement it names.

#![cfg(feature = "reference")]

use std::collections::BTreeSet;

use cityconform::reference::{Fault, ReferenceApi, ReferenceOptions};
use serde_json::Value;

use crate::common;
use crate::common::faults;

/// The OGC reference over TLS.
fn options() -> ReferenceOptions {
    ReferenceOptions {
        tls: true,
        api: ReferenceApi::OgcApiFeatures,
        ..ReferenceOptions::default()
    }
}

/// Every skip of an open API is expected: it has no tenant, credential or
/// envelope.
fn any_skip(_: &Value) -> bool {
    true
}

fn verdicts(report: &Value, prefix: &str) -> Vec<(String, String)> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["requirement"].as_str()?, r["verdict"].as_str()?)))
        .filter(|(id, _)| id.starts_with(prefix))
        .map(|(id, v)| (id.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn the_ogc_reference_meets_every_ogc_requirement_with_no_credential() {
    let server = faults::start(&options());
    let dir = tempfile::tempdir().expect("temp dir");
    let output = server.audit(dir.path(), &["-p", "kr"]);
    let target = std::fs::read_to_string(dir.path().join("target.toml")).expect("target read");
    assert!(target.contains("auth = \"none\""), "{target}");
    assert!(!target.contains("token"), "{target}");
    let report = common::json_report(&output);
    assert_eq!(
        faults::not_passing(&report, any_skip),
        BTreeSet::new(),
        "{}",
        common::transcript(&output)
    );
    common::expect_exit(&output, 0);
    let ogc = verdicts(&report, "OGC-");
    assert_eq!(ogc.len(), 5, "{ogc:?}");
    assert!(ogc.iter().all(|(_, v)| v == "pass"), "{ogc:?}");
    assert_eq!(verdicts(&report, "PAY-SCHEMA-01")[0].1, "pass");
}

#[test]
fn each_ogc_fault_fails_exactly_its_requirement() {
    faults::each_fails_exactly_its_requirements(&options(), Fault::OGC, &["-p", "kr"], any_skip);
}

#[test]
fn demo_api_ogcapi_features_passes_and_fails_on_a_fault() {
    let clean = common::run(&["demo", "--api", "ogcapi-features", "-p", "baseline"]);
    common::expect_exit(&clean, 0);
    let faulty = common::run(&[
        "demo",
        "--api",
        "ogcapi-features",
        "--fault",
        "limit-ignored",
        "-p",
        "baseline",
    ]);
    let text = common::expect_exit(&faulty, 1);
    assert!(text.contains("FAIL     MUST    OGC-LIMIT-01"), "{text}");
    let misplaced = common::run(&["demo", "--api", "ngsi-ld", "--fault", "limit-ignored"]);
    let text = common::expect_exit(&misplaced, 2);
    assert!(text.contains("add --api ogcapi-features"), "{text}");
}
