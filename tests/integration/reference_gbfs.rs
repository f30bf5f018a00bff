//! The reference platform as a GBFS v3.0 feed (`--api gbfs`): its discovery
//! file lists every feed on its own origin, every file was last updated at
//! the clock the audit is pinned to, it meets every requirement with no
//! credential, and each of its GBFS faults fails exactly the requirement it
//! names.

#![cfg(feature = "reference")]

use std::collections::BTreeSet;

use cityconform::reference::{Fault, ReferenceApi, ReferenceOptions};
use serde_json::Value;

use crate::common;
use crate::common::faults;

/// The GBFS reference over TLS, its clock at the tests' pinned report
/// time, so that the audit judges it at the time it was written.
fn options() -> ReferenceOptions {
    let seconds: i64 = common::PINNED_EPOCH
        .parse()
        .expect("the pinned time is seconds");
    ReferenceOptions {
        tls: true,
        api: ReferenceApi::Gbfs,
        clock: chrono::DateTime::from_timestamp(seconds, 0),
        ..ReferenceOptions::default()
    }
}

/// Every skip of a feed is expected: it has no tenant, credential or
/// envelope, and the shared models do not describe its files.
fn any_skip(_: &Value) -> bool {
    true
}

/// The verdict of every GBFS requirement under the first profile.
fn gbfs_verdicts(report: &Value) -> Vec<(String, String)> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["requirement"].as_str()?, r["verdict"].as_str()?)))
        .filter(|(id, _)| id.starts_with("GBFS-"))
        .map(|(id, v)| (id.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn the_gbfs_reference_meets_every_requirement_with_no_credential() {
    let feed = faults::start(&options());
    let dir = tempfile::tempdir().expect("temp dir");
    let output = feed.audit(dir.path(), &["-p", "baseline", "-p", "kr", "-p", "eu"]);
    let target = std::fs::read_to_string(dir.path().join("target.toml")).expect("target read");
    assert!(target.contains("api = \"gbfs\""), "{target}");
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
    let gbfs = gbfs_verdicts(&report);
    assert_eq!(gbfs.len(), 5, "{gbfs:?}");
    assert!(gbfs.iter().all(|(_, v)| v == "pass"), "{gbfs:?}");
    // The discovery file and the five feeds it lists, each read from the
    // platform's own origin and judged: none left unchecked.
    let discovery = report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["requirement"] == "GBFS-DISCOVERY-01")
        .map(|r| r["counts"].clone())
        .unwrap_or_default();
    assert_eq!(discovery["pass"], 6, "{discovery}");
    assert_eq!(discovery["error"], 0, "{discovery}");
}

#[test]
fn each_gbfs_fault_fails_exactly_its_requirement() {
    faults::each_fails_exactly_its_requirements(
        &options(),
        Fault::GBFS,
        &["-p", "baseline"],
        any_skip,
    );
}

#[test]
fn demo_api_gbfs_passes_under_the_default_profiles_and_fails_on_a_fault() {
    let clean = common::run(&["demo", "--api", "gbfs"]);
    let text = common::expect_exit(&clean, 0);
    assert!(text.contains("PASS     MUST    GBFS-TTL-01"), "{text}");
    let faulty = common::run(&["demo", "--api", "gbfs", "--fault", "gbfs-stale"]);
    let text = common::expect_exit(&faulty, 1);
    assert!(text.contains("FAIL     MUST    GBFS-TTL-01"), "{text}");
    let misplaced = common::run(&["demo", "--api", "ngsi-ld", "--fault", "gbfs-stale"]);
    let text = common::expect_exit(&misplaced, 2);
    assert!(text.contains("add --api gbfs"), "{text}");
}

/// The feed's files are read before the burst, so the audit never waits
/// out the reference's rate-limit window that the burst fills: in the
/// recording, every feed file is answered before the first `429`. The
/// burst still decides SEC-RATE-LIMIT-01, met by the clean reference and
/// failed without a rate limit.
#[test]
fn the_gbfs_feed_is_read_before_the_burst_and_the_burst_still_judges_the_rate_limit() {
    let feed = faults::start(&options());
    let dir = tempfile::tempdir().expect("temp dir");
    let har = dir.path().join("run.har");
    let har_arg = har.to_str().expect("temp paths are UTF-8");
    let output = feed.audit(dir.path(), &["-p", "baseline", "--record", har_arg]);
    common::expect_exit(&output, 0);
    let report = common::json_report(&output);
    assert_eq!(common::verdict(&report, "SEC-RATE-LIMIT-01"), "pass");
    let recording: Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("the recording is written"))
            .expect("the recording is JSON");
    let answers: Vec<(String, i64)> = recording["log"]["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["request"]["url"].as_str()?.to_owned(),
                e["response"]["status"].as_i64()?,
            ))
        })
        .collect();
    let first_limited = answers
        .iter()
        .position(|(_, status)| *status == 429)
        .expect("the burst fills the rate-limit window");
    let feed_files: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, (url, _))| url.ends_with(".json") && !url.ends_with("/gbfs.json"))
        .map(|(i, _)| i)
        .collect();
    assert!(!feed_files.is_empty(), "{answers:?}");
    assert!(
        feed_files.iter().all(|&i| i < first_limited),
        "a feed file was read after the burst: {answers:?}"
    );

    let unlimited = faults::start(&ReferenceOptions {
        faults: vec![Fault::NoRateLimit],
        ..options()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let output = unlimited.audit(dir.path(), &["-p", "baseline"]);
    common::expect_exit(&output, 1);
    let report = common::json_report(&output);
    assert_eq!(common::verdict(&report, "SEC-RATE-LIMIT-01"), "fail");
    assert_eq!(common::verdict(&report, "GBFS-SCHEMA-01"), "pass");
}
