//! Reports over the payload fixtures: text, JSON and JUnit snapshots of one
//! mixed run, a snapshot of each fixture's findings, the JSON report checked
//! against its own schema, and several reports from one run.

use serde_json::{Value, json};

use crate::common::{json_report, relative, root, run, transcript};

const PROFILES: [&str; 6] = [
    "--profile",
    "baseline",
    "--profile",
    "kr",
    "--profile",
    "eu",
];

fn validate(paths: &[&str], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["validate"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&PROFILES);
    args.extend_from_slice(extra);
    run(&args)
}

fn report_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/tool/report.schema.json"))
        .expect("report schema");
    let schema: Value = serde_json::from_str(&text).expect("report schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("report schema compiles")
}

fn assert_valid_report(report: &Value) {
    let validator = report_schema();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{}: {}", e.instance_path().as_str(), e))
        .collect();
    assert!(
        errors.is_empty(),
        "the JSON report breaks its schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn valid_fixtures_meet_every_profile() {
    let output = validate(&["fixtures/payloads/valid"], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    insta::assert_snapshot!("valid_text", transcript(&output));
}

#[test]
fn mixed_run_text_report() {
    let output = validate(&["fixtures/payloads/invalid"], &["--max-findings", "3"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    insta::assert_snapshot!("invalid_text", transcript(&output));
}

#[test]
fn mixed_run_json_report_matches_its_schema() {
    let output = validate(&["fixtures/payloads/invalid"], &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report = json_report(&output);
    assert_valid_report(&report);
    insta::assert_json_snapshot!("invalid_json", report, {".tool.version" => "[version]"});
}

#[test]
fn mixed_run_junit_report() {
    let output = validate(&["fixtures/payloads/invalid"], &["--format", "junit"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("invalid_junit", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn every_payload_fixture_has_its_verdicts_pinned() {
    insta::glob!(
        "../../fixtures/payloads",
        "**/*.{json,jsonld,ndjson}",
        |path| {
            let name = relative(path);
            let output = validate(&[name.as_str()], &["--format", "json"]);
            let report = json_report(&output);
            assert_valid_report(&report);
            insta::assert_json_snapshot!(verdict_digest(&report, output.status.code()));
        }
    );
}

/// What a fixture's snapshot pins: the exit code, each profile's verdicts
/// on the requirements that did not pass, and every finding.
fn verdict_digest(report: &Value, exit: Option<i32>) -> Value {
    let profiles: Vec<Value> = report["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let not_passing: serde_json::Map<String, Value> = p["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["verdict"] != "pass")
                .map(|r| {
                    (
                        r["requirement"].as_str().unwrap_or("").to_owned(),
                        r["verdict"].clone(),
                    )
                })
                .collect();
            json!({ "profile": p["id"], "met": p["met"], "not_passing": not_passing })
        })
        .collect();
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| json!({ "requirement": f["requirement"], "verdicts": f["verdicts"], "at": f["location"], "message": f["message"] }))
        .collect();
    json!({ "exit": exit, "profiles": profiles, "findings": findings })
}

#[test]
fn one_run_writes_several_reports_that_agree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json_path = dir.path().join("report.json");
    let junit_path = dir.path().join("report.xml");
    let text_path = dir.path().join("report.txt");
    let output = validate(
        &["fixtures/payloads/invalid"],
        &[
            "--quiet",
            "--report",
            &format!("json={}", json_path.display()),
            "--report",
            &format!("junit={}", junit_path.display()),
            "--report",
            &format!("text={}", text_path.display()),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "--quiet prints nothing");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
            .expect("JSON");
    assert_valid_report(&report);
    let junit = std::fs::read_to_string(&junit_path).expect("junit written");
    let failing_cases: usize = report["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["results"].as_array().into_iter().flatten())
        .filter(|r| r["verdict"] == "fail")
        .count();
    assert_eq!(junit.matches("<failure").count(), failing_cases, "{junit}");
    let text = std::fs::read_to_string(&text_path).expect("text written");
    let findings = report["summary"]["findings"].as_u64().expect("count");
    assert!(text.contains(&format!("; {findings} findings")), "{text}");
}

#[test]
fn reports_are_byte_identical_when_the_time_is_pinned() {
    let first = validate(&["fixtures/payloads"], &["--format", "json"]);
    let second = validate(&["fixtures/payloads"], &["--format", "json"]);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(json_report(&first)["generated_at"], "2023-11-14T22:13:20Z");
}

#[test]
fn no_report_prints_a_detected_identifier() {
    let output = validate(&["fixtures/payloads/invalid"], &["--format", "json"]);
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    for file in std::fs::read_dir(root().join("fixtures/payloads/invalid")).expect("fixtures") {
        let path = file.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.starts_with("id-") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("fixture");
        for secret in planted_identifiers(&text) {
            assert!(
                !report.contains(&secret),
                "{name}: the report repeats `{secret}`"
            );
        }
    }
}

/// The identifier-looking values planted in an `id-*` fixture: tokens of
/// its string values with an `@` or at least six digits, and whole
/// space-free strings with at least four digits (plates, addresses), leaving
/// out entity URNs and timestamps, which the report may name.
fn planted_identifiers(text: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(text).expect("fixture is JSON");
    let mut strings = Vec::new();
    collect_strings(&value, &mut strings);
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    let mut out = Vec::new();
    for s in strings
        .iter()
        .filter(|s| !s.starts_with("urn:") && !looks_like_time(s))
    {
        if !s.contains(' ') && digits(s) >= 4 {
            out.push(s.clone());
        }
        for token in s.split_whitespace() {
            let token = token.trim_matches(|c: char| ",;()\"'".contains(c));
            if token.contains('@') || digits(token) >= 6 {
                out.push(token.to_owned());
            }
        }
    }
    out
}

fn looks_like_time(s: &str) -> bool {
    s.len() >= 10 && s.as_bytes()[4] == b'-' && s[..4].chars().all(|c| c.is_ascii_digit())
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
