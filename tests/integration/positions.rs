//! Where findings in payload files are placed, and what identifier
//! detection reads: a finding in a pretty-printed JSON document names the
//! line of its member (in the JSON report and in SARIF), a long
//! single-line array places its last record, and numbers are scanned as
//! written, in payloads and in datasets.

use serde_json::{Value, json};

use crate::common::{json_report, run, transcript};

/// A conformant record from the fixtures.
fn record() -> Value {
    let text = std::fs::read_to_string(
        crate::common::root().join("fixtures/payloads/valid/air-quality-array.json"),
    )
    .expect("fixture");
    let records: Value = serde_json::from_str(&text).expect("fixture is JSON");
    records[0].clone()
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("`{needle}` is in the text"))
}

/// The findings of `requirement` as (pointer, line, record).
fn placed(report: &Value, requirement: &str) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == requirement)
        .map(|f| {
            let location = &f["location"];
            (
                location["pointer"].as_str().unwrap_or_default().to_owned(),
                location["line"].as_u64().unwrap_or(0),
                location["record"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn a_finding_in_pretty_printed_json_is_on_its_members_line() {
    let mut second = record();
    second["name"] = json!("call a.kim@example.org");
    second["pm25"] = json!("high");
    let text = serde_json::to_string_pretty(&json!([record(), second])).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pretty.json");
    std::fs::write(&path, &text).expect("write");
    let path = path.display().to_string();
    let name_line = line_of(&text, "a.kim@example.org");
    let pm25_line = line_of(&text, "\"high\"");

    let output = run(&["validate", &path, "-p", "baseline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = json_report(&output);
    assert_eq!(
        placed(&report, "ANON-ID-VALUE-01"),
        vec![("/name".to_owned(), name_line, 2)]
    );
    assert_eq!(
        placed(&report, "PAY-SCHEMA-01"),
        vec![("/pm25".to_owned(), pm25_line, 2)]
    );

    let output = run(&["validate", &path, "-p", "baseline", "--format", "sarif"]);
    let sarif = json_report(&output);
    let mut lines: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or_default().to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or(0),
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("ANON-ID-VALUE-01".to_owned(), name_line),
            ("PAY-SCHEMA-01".to_owned(), pm25_line)
        ]
    );
}

#[test]
fn a_finding_deep_in_a_record_of_one_line_stays_on_that_line() {
    let mut second = record();
    second["envelope"]["provenance"]["producer"] = json!("a.kim@example.org");
    let text = format!(
        "[\n{},\n{}\n]\n",
        serde_json::to_string(&record()).expect("JSON"),
        serde_json::to_string(&second).expect("JSON")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("compact.json");
    std::fs::write(&path, &text).expect("write");
    let output = run(&[
        "validate",
        &path.display().to_string(),
        "-p",
        "baseline",
        "--format",
        "json",
    ]);
    assert_eq!(
        placed(&json_report(&output), "ANON-ID-VALUE-01"),
        vec![("/envelope/provenance/producer".to_owned(), 3, 2)]
    );
}

/// 20,000 records on one line: each record's line used to be counted from
/// the start of the file, which took minutes; the last record is placed.
#[test]
fn a_long_single_line_array_places_its_last_record() {
    let count = 20_000;
    let mut records = vec![record(); count];
    records[count - 1]["name"] = json!("a.kim@example.org");
    let text = serde_json::to_string(&records).expect("JSON");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("one-line.json");
    std::fs::write(&path, &text).expect("write");
    let output = run(&[
        "validate",
        &path.display().to_string(),
        "-p",
        "baseline",
        "-r",
        "ANON-ID-VALUE-01",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = json_report(&output);
    assert_eq!(report["inputs"][0]["records"], count as u64);
    assert_eq!(
        placed(&report, "ANON-ID-VALUE-01"),
        vec![("/name".to_owned(), 1, count as u64)]
    );
}

/// An RRN or a phone number stored as a JSON number is found, in an
/// NDJSON line and in a JSON document alike.
#[test]
fn identifiers_written_as_numbers_are_found() {
    let mut with_rrn = record();
    with_rrn["reading"] = json!(9_001_011_234_568u64);
    let mut with_phone = record();
    with_phone["extra"] = json!({ "contacts": [1, 9_876_543_210u64, 2.5] });
    let dir = tempfile::tempdir().expect("temp dir");
    let ndjson = dir.path().join("numbers.ndjson");
    std::fs::write(
        &ndjson,
        format!(
            "{}\n{}\n",
            serde_json::to_string(&with_rrn).expect("JSON"),
            serde_json::to_string(&with_phone).expect("JSON")
        ),
    )
    .expect("write");
    let document = dir.path().join("numbers.json");
    std::fs::write(
        &document,
        serde_json::to_string_pretty(&json!([with_rrn, with_phone])).expect("JSON"),
    )
    .expect("write");
    for path in [&ndjson, &document] {
        let output = run(&[
            "validate",
            &path.display().to_string(),
            "-p",
            "baseline",
            "-r",
            "ANON-ID-VALUE-01",
            "--format",
            "json",
        ]);
        let report = json_report(&output);
        let found: Vec<(String, u64)> = placed(&report, "ANON-ID-VALUE-01")
            .into_iter()
            .map(|(pointer, _, record)| (pointer, record))
            .collect();
        assert_eq!(
            found,
            vec![
                ("/reading".to_owned(), 1),
                ("/extra/contacts/1".to_owned(), 2)
            ],
            "{}: {}",
            path.display(),
            transcript(&output)
        );
        let kinds: Vec<&Value> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| &f["evidence"]["identifier"])
            .collect();
        assert_eq!(kinds, vec!["kr-rrn", "phone-in"]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            !text.contains("9001011234568") && !text.contains("9876543210"),
            "a value is never shown"
        );
    }
}

/// A column typed numeric is interned by value (`0511304123456` is the
/// number 511304123456), but detection reads the cell as written, so the
/// leading zero of a resident or phone number is not lost.
#[test]
fn a_numeric_column_is_scanned_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let descriptor = dir.path().join("descriptor.toml");
    std::fs::write(
        &descriptor,
        "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n\
         [[column]]\nname = \"code\"\nrole = \"quasi-identifier\"\ntype = \"numeric\"\n\
         [[column]]\nname = \"reading\"\nrole = \"sensitive\"\ntype = \"numeric\"\n",
    )
    .expect("write");
    let data = dir.path().join("data.csv");
    let mut csv = String::from("zone,code,reading\n");
    for i in 0..6 {
        csv.push_str(&format!("z{},30,{}\n", i % 2, 10 + i));
    }
    csv.push_str("z0,0511304123456,12\nz1,30,01012345678\nz1,30.0,12\n");
    std::fs::write(&data, csv).expect("write");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "--descriptor",
        &descriptor.display().to_string(),
        "-p",
        "kr",
        "--format",
        "json",
    ]);
    let report = json_report(&output);
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| {
            let evidence = &f["evidence"];
            Some((
                evidence["column"].as_str()?.to_owned(),
                evidence["kind"].as_str()?.to_owned(),
            ))
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("code".to_owned(), "kr-rrn".to_owned()),
            ("reading".to_owned(), "phone-kr".to_owned())
        ],
        "{}",
        transcript(&output)
    );
}

/// An NDJSON dataset's members that no column describes are scanned for
/// identifiers in their numbers too.
#[test]
fn numbers_of_undescribed_dataset_members_are_scanned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let descriptor = dir.path().join("descriptor.toml");
    std::fs::write(
        &descriptor,
        "format = \"ndjson\"\n[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n",
    )
    .expect("write");
    let data = dir.path().join("data.ndjson");
    let mut lines = String::new();
    for i in 0..6 {
        lines.push_str(&format!("{{\"zone\": \"z{}\", \"note\": {}}}\n", i % 2, i));
    }
    lines.push_str("{\"zone\": \"z0\", \"note\": {\"n\": [9001011234568]}}\n");
    std::fs::write(&data, lines).expect("write");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "--descriptor",
        &descriptor.display().to_string(),
        "-p",
        "kr",
        "--format",
        "json",
    ]);
    let report = json_report(&output);
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["evidence"]["kind"] == "kr-rrn")
        .collect();
    assert_eq!(found.len(), 1, "{}", transcript(&output));
    assert_eq!(found[0]["evidence"]["column"], "note");
    assert_eq!(found[0]["evidence"]["rows"], 1);
}
