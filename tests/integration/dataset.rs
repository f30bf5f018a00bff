//! `cityconform dataset`: the verdicts and metrics of every dataset fixture
//! under baseline, kr and eu (snapshots), the text report, the JSON report
//! against its schema, every bad input (exit 2, a message naming the file,
//! line or column, no report written), and that no report repeats a value
//! of the data.

use serde_json::{Value, json};

use crate::common::{self, json_report, root, run, transcript};

const PROFILES: [&str; 6] = ["-p", "baseline", "-p", "kr", "-p", "eu"];

/// (fixture, descriptor or none for schema roles, expected exit code).
const FIXTURES: &[(&str, Option<&str>, i32)] = &[
    ("pass-all.csv", Some("trips.toml"), 0),
    ("pass-all.csv", Some("trips-numeric-fare.toml"), 0),
    ("fail-kanon.csv", Some("trips.toml"), 1),
    ("fail-ldiv.csv", Some("trips.toml"), 1),
    ("fail-tclose.csv", Some("trips.toml"), 1),
    ("fail-coarsen.csv", Some("trips.toml"), 1),
    ("fail-identifiers.csv", Some("trips-identifiers.toml"), 1),
    ("one-row.csv", Some("trips.toml"), 1),
    ("identical-rows.csv", Some("trips.toml"), 1),
    ("aggregate-pass.csv", Some("aggregate.toml"), 0),
    ("aggregate-fail.csv", Some("aggregate.toml"), 1),
    ("trips-pass.ndjson", None, 0),
    ("trips-fail.ndjson", None, 1),
];

fn dataset_args(fixture: &str, descriptor: Option<&str>) -> Vec<String> {
    let mut args = vec!["dataset".to_owned(), format!("fixtures/datasets/{fixture}")];
    if let Some(d) = descriptor {
        args.push("--descriptor".to_owned());
        args.push(format!("fixtures/datasets/{d}"));
    }
    args
}

fn run_dataset(fixture: &str, descriptor: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut args = dataset_args(fixture, descriptor);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

/// The verdict table, the measured metrics and the findings, without the
/// parts every report shares (tool version, requirement texts).
fn digest(report: &Value, exit: Option<i32>) -> Value {
    let verdicts: serde_json::Map<String, Value> = report["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let rows: serde_json::Map<String, Value> = p["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    (
                        r["requirement"].as_str().unwrap_or_default().to_owned(),
                        json!(format!(
                            "{} {}",
                            r["level"].as_str().unwrap_or_default(),
                            r["verdict"].as_str().unwrap_or_default()
                        )),
                    )
                })
                .collect();
            (
                p["id"].as_str().unwrap_or_default().to_owned(),
                json!({ "met": p["met"], "results": rows }),
            )
        })
        .collect();
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            json!({
                "requirement": f["requirement"],
                "verdicts": f["verdicts"],
                "pointer": f["location"]["pointer"],
                "message": f["message"],
                "evidence": f["evidence"],
            })
        })
        .collect();
    json!({
        "exit": exit,
        "dataset": report["datasets"][0],
        "profiles": verdicts,
        "findings": findings,
    })
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

#[test]
fn every_dataset_fixture_has_its_verdicts_pinned() {
    let schema = report_schema();
    for &(fixture, descriptor, expected) in FIXTURES {
        let mut extra = PROFILES.to_vec();
        extra.extend(["--format", "json"]);
        let output = run_dataset(fixture, descriptor, &extra);
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{fixture}: {}",
            transcript(&output)
        );
        let report = json_report(&output);
        let errors: Vec<String> = schema
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
        let name = format!(
            "{}{}",
            fixture,
            descriptor.map_or(String::new(), |d| format!("+{d}"))
        );
        insta::assert_json_snapshot!(name, digest(&report, output.status.code()));
    }
}

#[test]
fn every_dataset_fixture_is_in_the_table() {
    let listed: Vec<&str> = FIXTURES.iter().map(|f| f.0).collect();
    let errors: Vec<&str> = ERRORS.iter().map(|e| e.1).collect();
    for entry in std::fs::read_dir(root().join("fixtures/datasets")).expect("fixtures") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".csv") || name.ends_with(".ndjson") {
            assert!(
                listed.contains(&name.as_ref()) || errors.contains(&name.as_ref()),
                "fixture {name} has no expected outcome"
            );
        }
    }
}

#[test]
fn text_report_of_a_k_anonymity_failure() {
    let mut extra = PROFILES.to_vec();
    extra.extend(["--max-findings", "5"]);
    let output = run_dataset("fail-kanon.csv", Some("trips.toml"), &extra);
    insta::assert_snapshot!("fail_kanon_text", transcript(&output));
}

/// (snapshot name, fixture, descriptor): inputs that cannot be audited.
const ERRORS: &[(&str, &str, Option<&str>)] = &[
    ("empty_file", "empty.csv", Some("trips.toml")),
    ("header_only", "header-only.csv", Some("trips.toml")),
    ("missing_column", "missing-column.csv", Some("trips.toml")),
    ("ragged_row", "ragged.csv", Some("trips.toml")),
    (
        "non_numeric",
        "non-numeric.csv",
        Some("trips-numeric-fare.toml"),
    ),
    (
        "bad_descriptor",
        "pass-all.csv",
        Some("bad-descriptor.toml"),
    ),
    (
        "type_on_insensitive",
        "pass-all.csv",
        Some("type-on-insensitive.toml"),
    ),
    ("no_roles_for_csv", "pass-all.csv", None),
    ("missing_dataset", "absent.csv", Some("trips.toml")),
];

#[test]
fn bad_input_exits_2_names_the_place_and_writes_no_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let filters = common::path_filters(&[(dir.path(), "[TMP]")]);
    for &(name, fixture, descriptor) in ERRORS {
        let report = dir.path().join(format!("{name}.json"));
        let report_arg = format!("json={}", report.display());
        let output = run_dataset(fixture, descriptor, &["-p", "kr", "--report", &report_arg]);
        let text = transcript(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {text}");
        assert!(!text.contains("panicked"), "{name}: {text}");
        assert!(!report.exists(), "{name}: a report was written");
        filters.bind(|| insta::assert_snapshot!(format!("error_{name}"), text));
    }
}

#[test]
fn a_profile_without_dataset_requirements_is_a_usage_error() {
    let output = run(&[
        "dataset",
        "fixtures/datasets/pass-all.csv",
        "-d",
        "fixtures/datasets/trips.toml",
        "-r",
        "PAY-SCHEMA-01",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no dataset requirement"));
}

#[test]
fn validate_ignores_dataset_requirements() {
    let output = run(&[
        "validate",
        "fixtures/payloads/valid",
        "-p",
        "kr",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let report = json_report(&output);
    let ids: Vec<&str> = report["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.iter().all(|id| !id.starts_with("ANON-KANON")),
        "{ids:?}"
    );
}

/// Every cell of a fixture that could single a person out (at least four
/// characters, so that counts and short codes are not mistaken for leaks).
fn cells(fixture: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(root().join("fixtures/datasets").join(fixture)).expect("fixture");
    let mut out = Vec::new();
    if fixture.ends_with(".ndjson") {
        for line in text.lines() {
            let value: Value = serde_json::from_str(line).expect("fixture line");
            collect_scalars(&value, &mut out);
        }
    } else {
        for line in text.lines().skip(1) {
            out.extend(line.split(',').map(str::to_owned));
        }
    }
    out.retain(|c| c.len() >= 4 && !matches!(c.as_str(), "Point" | "MobilityTrip" | "metro"));
    out.sort();
    out.dedup();
    out
}

fn collect_scalars(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_scalars(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_scalars(v, out)),
        _ => {}
    }
}

#[test]
fn no_report_repeats_a_value_of_the_data() {
    for &(fixture, descriptor, _) in FIXTURES {
        let values = cells(fixture);
        assert!(!values.is_empty(), "{fixture} has cells");
        for format in ["json", "text", "junit", "sarif", "markdown", "html"] {
            let mut extra = PROFILES.to_vec();
            extra.extend(["--format", format]);
            let output = run_dataset(fixture, descriptor, &extra);
            let out = String::from_utf8_lossy(&output.stdout);
            for value in &values {
                assert!(
                    !out.contains(value.as_str()),
                    "{fixture} ({format}) repeats the value `{value}`"
                );
            }
        }
    }
}

#[test]
fn row_order_does_not_change_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text =
        std::fs::read_to_string(root().join("fixtures/datasets/fail-tclose.csv")).expect("fixture");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let reversed = dir.path().join("fail-tclose.csv");
    std::fs::write(&reversed, format!("{header}\n{}\n", lines.join("\n"))).expect("write");
    let args = |path: &str| {
        let mut a = vec![
            "dataset".to_owned(),
            path.to_owned(),
            "-d".to_owned(),
            "fixtures/datasets/trips.toml".to_owned(),
            "--format".to_owned(),
            "json".to_owned(),
        ];
        a.extend(PROFILES.iter().map(|s| (*s).to_owned()));
        a
    };
    let digest_of = |path: &str| {
        let a = args(path);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let output = run(&refs);
        let mut report = json_report(&output);
        // The one thing that differs: which file the summary names.
        report["datasets"][0]["input"] = serde_json::Value::Null;
        digest(&report, output.status.code())
    };
    assert_eq!(
        digest_of("fixtures/datasets/fail-tclose.csv"),
        digest_of(&reversed.display().to_string())
    );
}

#[test]
fn roles_from_a_named_schema_match_roles_from_the_records_type() {
    let by_type = run_dataset("trips-fail.ndjson", None, &["-p", "kr", "--format", "json"]);
    let named = run_dataset(
        "trips-fail.ndjson",
        None,
        &["--schema", "MobilityTrip", "-p", "kr", "--format", "json"],
    );
    assert_eq!(named.status.code(), Some(1), "{}", transcript(&named));
    assert_eq!(
        digest(&json_report(&by_type), by_type.status.code()),
        digest(&json_report(&named), named.status.code())
    );
}

#[test]
fn a_schema_without_privacy_roles_cannot_describe_a_dataset() {
    let output = run_dataset(
        "trips-pass.ndjson",
        None,
        &["--schema", "AirQualityObserved", "-p", "kr"],
    );
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("--descriptor"), "{text}");
}

/// A column name is the data's own text: a control sequence in a header
/// (here ESC, a C1 CSI and BEL) reaches no report format as raw bytes.
#[test]
fn control_characters_in_a_header_reach_no_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text =
        std::fs::read_to_string(root().join("fixtures/datasets/pass-all.csv")).expect("fixture");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let mut csv = format!("{header},note\u{1b}[31m\u{9b}2J\u{7}\n");
    for line in lines {
        csv.push_str(&format!("{line},x\n"));
    }
    let data = dir.path().join("evil.csv");
    std::fs::write(&data, csv).expect("dataset written");
    let data = data.display().to_string();
    for format in ["text", "json", "markdown", "html"] {
        let output = run(&[
            "dataset",
            &data,
            "-d",
            "fixtures/datasets/trips.toml",
            "-p",
            "kr",
            "--format",
            format,
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("note"),
            "{format}: the column is listed: {}",
            transcript(&output)
        );
        assert!(
            !stdout.contains(['\u{1b}', '\u{9b}', '\u{7}']),
            "{format}: a control character of the header reached the report"
        );
    }
}
