//! The reference platform as an open OGC API - Features server
//! (`--api ogcapi-features`): it meets every requirement with no credential,
//! found from its landing page, and each of its OGC faults fails exactly the
//! requirement it names.

#![cfg(feature = "reference")]

use std::collections::BTreeSet;
use std::path::Path;

use cityconform::reference::{Fault, ReferenceApi, ReferenceOptions, RunningReference};
use serde_json::Value;

use crate::common;

/// The OGC reference with the runtime it serves on; the platform is
/// dropped (stopped) before its runtime.
struct Server {
    reference: RunningReference,
    _runtime: tokio::runtime::Runtime,
}

fn start(faults: &[Fault]) -> Server {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls: true,
            faults: faults.to_vec(),
            api: ReferenceApi::OgcApiFeatures,
            ..ReferenceOptions::default()
        }))
        .expect("the reference OGC API starts on loopback");
    Server {
        reference,
        _runtime: runtime,
    }
}

fn audit(dir: &Path) -> std::process::Output {
    let target = dir.join("target.toml");
    let target = target.to_str().expect("temp paths are UTF-8");
    common::run(&["audit", "--target", target, "-p", "kr", "--format", "json"])
}

/// (requirement, verdict) of every result that neither passes nor does
/// not apply to an open API.
fn not_passing(report: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for profile in report["profiles"].as_array().into_iter().flatten() {
        for result in profile["results"].as_array().into_iter().flatten() {
            let verdict = result["verdict"].as_str().unwrap_or("?");
            if verdict != "pass" && verdict != "skip" {
                out.insert((
                    result["requirement"].as_str().unwrap_or("?").to_owned(),
                    verdict.to_owned(),
                ));
            }
        }
    }
    out
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
    let server = start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    server
        .reference
        .write_target(dir.path())
        .expect("target written");
    let target = std::fs::read_to_string(dir.path().join("target.toml")).expect("target read");
    assert!(target.contains("auth = \"none\""), "{target}");
    assert!(!target.contains("token"), "{target}");
    let output = audit(dir.path());
    let report = common::json_report(&output);
    assert_eq!(
        not_passing(&report),
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
    for &fault in Fault::OGC {
        let server = start(&[fault]);
        let dir = tempfile::tempdir().expect("temp dir");
        server
            .reference
            .write_target(dir.path())
            .expect("target written");
        let output = audit(dir.path());
        let report = common::json_report(&output);
        let expected: BTreeSet<(String, String)> = fault
            .breaks()
            .iter()
            .map(|r| ((*r).to_owned(), "fail".to_owned()))
            .collect();
        assert_eq!(
            not_passing(&report),
            expected,
            "fault {fault}:\n{}",
            common::transcript(&output)
        );
        common::expect_exit(&output, 1);
    }
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
