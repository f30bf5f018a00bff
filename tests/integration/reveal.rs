//! Nothing of the data revealed by a name: member names and CSV headers
//! that hold identifiers are flagged like values and shown as the
//! placeholder of their kind (`[phone-kr]`) in every report format and in
//! every location; error messages about the data name positions and
//! kinds, never a cell; a header of a hundred thousand columns is read in
//! linear time and described in a bounded message.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{json_report, root, run, transcript};

const FORMATS: [&str; 6] = ["text", "json", "junit", "sarif", "markdown", "html"];

/// Writes `text` to `name` in `dir` and answers its path as an argument.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("test input written");
    path.display().to_string()
}

/// Writes `text` as `name` in `dir` and audits it with the trips
/// descriptor under `kr`.
fn dataset_against_trips(dir: &Path, name: &str, text: &str) -> Output {
    let input = write(dir, name, text);
    run(&[
        "dataset",
        &input,
        "-d",
        "fixtures/datasets/trips.toml",
        "-p",
        "kr",
    ])
}

/// Every finding of a JSON report as (requirement, pointer, evidence).
fn findings(report: &Value) -> Vec<(String, String, Value)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["requirement"].as_str().unwrap_or_default().to_owned(),
                f["location"]["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["evidence"].clone(),
            )
        })
        .collect()
}

fn assert_hidden(text: &str, secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows `{secret}`:\n{text}");
    }
}

#[test]
fn an_object_key_holding_a_phone_number_is_flagged_and_shown_as_its_kind_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = write(
        dir.path(),
        "contacts.json",
        r#"{"contacts":{"010-2345-6789":"kim@example.org"}}"#,
    );
    for format in FORMATS {
        let output = run(&["validate", &input, "-p", "kr", "--format", format]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_hidden(
            &transcript(&output),
            &["010-2345-6789", "kim@example.org"],
            format,
        );
        assert!(
            stdout.contains("/contacts/[phone-kr]"),
            "{format}: the pointer names the key by its kind:\n{stdout}"
        );
    }
    let report = json_report(&run(&["validate", &input, "-p", "kr", "--format", "json"]));
    let identifiers: Vec<(String, String)> = findings(&report)
        .into_iter()
        .filter(|(requirement, _, _)| requirement == "ANON-ID-VALUE-01")
        .map(|(_, pointer, evidence)| {
            (
                pointer,
                evidence["identifier"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        identifiers.contains(&("/contacts/[phone-kr]".to_owned(), "phone-kr".to_owned())),
        "the key itself is flagged: {identifiers:?}"
    );
    assert!(
        identifiers.contains(&("/contacts/[phone-kr]".to_owned(), "email".to_owned())),
        "the value is flagged at the hidden pointer: {identifiers:?}"
    );
}

#[test]
fn ndjson_member_names_holding_identifiers_are_one_flagged_column_shown_as_its_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(root().join("fixtures/datasets/trips-pass.ndjson"))
        .expect("fixture");
    let mut ndjson = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut record: Value = serde_json::from_str(line).expect("fixture line is JSON");
        // Two people's addresses as member names, on alternate rows.
        let key = if i % 2 == 0 {
            "lee.jiwoo@example.com"
        } else {
            "park.minji@example.com"
        };
        record[key] = Value::from("seen");
        ndjson.push_str(&format!("{record}\n"));
    }
    let input = write(dir.path(), "trips.ndjson", &ndjson);
    let secrets = ["lee.jiwoo", "park.minji"];
    for format in FORMATS {
        let output = run(&["dataset", &input, "-p", "kr", "--format", format]);
        assert_hidden(&transcript(&output), &secrets, format);
    }
    let report = json_report(&run(&["dataset", &input, "-p", "kr", "--format", "json"]));
    let columns: Vec<&Value> = report["datasets"][0]["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["name"] == "[email]")
        .collect();
    assert_eq!(columns.len(), 1, "one column for both names: {report:#}");
    assert_eq!(columns[0]["present"], 24, "every row has one of them");
    assert!(
        findings(&report)
            .iter()
            .any(|(requirement, pointer, evidence)| {
                requirement == "ANON-DS-ID-01"
                    && pointer == "/[email]"
                    && evidence["in"] == "column name"
            }),
        "the name is flagged: {:#}",
        report["findings"]
    );
}

#[test]
fn a_csv_header_holding_an_address_is_flagged_and_shown_as_its_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text =
        std::fs::read_to_string(root().join("fixtures/datasets/pass-all.csv")).expect("fixture");
    let mut csv = String::new();
    for (i, line) in text.lines().enumerate() {
        let extra = if i == 0 { "kim@example.org" } else { "yes" };
        csv.push_str(&format!("{line},{extra}\n"));
    }
    let input = write(dir.path(), "trips.csv", &csv);
    let args = [
        "dataset",
        &input,
        "-d",
        "fixtures/datasets/trips.toml",
        "-p",
        "kr",
        "--format",
        "json",
    ];
    let output = run(&args);
    assert_hidden(&transcript(&output), &["kim@example.org"], "json");
    let report = json_report(&output);
    assert!(
        findings(&report)
            .iter()
            .any(|(r, pointer, _)| r == "ANON-DS-ID-01" && pointer == "/[email]"),
        "{:#}",
        report["findings"]
    );
}

#[test]
fn a_csv_without_its_header_row_is_described_without_its_cells() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dataset_against_trips(
        dir.path(),
        "no-header.csv",
        "9001011234568,010-4321-8765,Kim Jiwoo\n8802022345671,010-9876-5432,Lee Minho\n",
    );
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_hidden(
        &text,
        &["9001011234568", "010-4321-8765", "Kim Jiwoo"],
        "stderr",
    );
    assert!(text.contains("lacks its header"), "{text}");
    assert!(text.contains("3 fields are not shown"), "{text}");
}

#[test]
fn a_duplicate_header_is_named_by_its_positions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dataset_against_trips(
        dir.path(),
        "twice.csv",
        "kim@example.org,fare,kim@example.org\nx,1,y\n",
    );
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_hidden(&text, &["kim@example.org"], "stderr");
    assert!(text.contains("header fields 1 and 3"), "{text}");
    assert!(text.contains("an e-mail address"), "{text}");
}

#[test]
fn an_unknown_record_type_is_not_repeated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = write(
        dir.path(),
        "typed.json",
        r#"{"id":"urn:x:1","type":"Kim Jiwoo"}"#,
    );
    for format in FORMATS {
        let output = run(&["validate", &input, "-p", "kr", "--format", format]);
        let text = transcript(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert_hidden(&text, &["Kim Jiwoo"], format);
    }
}

/// A CSV header of `columns` names, `c0` to `c{columns - 1}`.
fn wide_header(columns: usize) -> String {
    (0..columns)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_repeated_name_in_a_header_of_100000_columns_is_named_by_its_positions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let header = wide_header(100_000);
    // The repeated name comes last, so every name is compared.
    let output = dataset_against_trips(dir.path(), "wide.csv", &format!("{header},c99999\n"));
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("header fields 100000 and 100001"), "{text}");
}

#[test]
fn a_descriptor_that_does_not_match_a_wide_header_gets_a_bounded_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let header = wide_header(100_000);
    let row = vec!["1"; 100_000].join(",");
    let output = dataset_against_trips(dir.path(), "wide.csv", &format!("{header}\n{row}\n"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("and 99980 more"), "{stderr}");
    assert!(stderr.len() < 2_000, "{} bytes of message", stderr.len());
}

#[test]
fn a_dataset_whose_first_record_names_an_unknown_type_is_refused_without_repeating_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = write(
        dir.path(),
        "people.ndjson",
        "\n{\"type\":\"Kim Jiwoo\",\"age\":40}\n",
    );
    let output = run(&["dataset", &input, "-p", "kr"]);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert_hidden(&text, &["Kim Jiwoo"], "stderr");
    assert!(
        text.contains("people.ndjson:2"),
        "the line is named: {text}"
    );
}
