//! Equivalence classes and sensitive values read exactly: numbers interned
//! by their exact value (integers beyond 2^53 and decimals a float cannot
//! tell apart stay apart), a missing sensitive value that adds no
//! diversity unless the descriptor says it is a value of its own, and the
//! textbook entropy l and recursive (c, l) published beside pyCANON's
//! readings.

use serde_json::Value;

use crate::common::{json_report, report_validator, run, schema_errors, transcript, verdict};

/// Audits `csv` described by `descriptor` under `profile`, and returns
/// the exit code and the JSON report (checked against its schema).
fn audit(csv: &str, descriptor: &str, profile: &str) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("extract.csv");
    let desc = dir.path().join("extract.toml");
    std::fs::write(&data, csv).expect("data written");
    std::fs::write(&desc, descriptor).expect("descriptor written");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "-d",
        &desc.display().to_string(),
        "-p",
        profile,
        "--format",
        "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        transcript(&output)
    );
    let report = json_report(&output);
    let errors = schema_errors(&report_validator(), &report);
    assert!(errors.is_empty(), "{errors}");
    (output.status.code(), report)
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

/// A descriptor: `quasi` quasi-identifiers of `quasi_type`, then `s`, a
/// sensitive column of `sensitive_type` with the extra `sensitive_line`.
fn descriptor(quasi: &[&str], quasi_type: &str, sensitive_type: &str, extra: &str) -> String {
    let mut text = String::new();
    for name in quasi {
        text.push_str(&format!(
            "[[column]]\nname = \"{name}\"\nrole = \"quasi-identifier\"\ntype = \"{quasi_type}\"\n"
        ));
    }
    text.push_str(&format!(
        "[[column]]\nname = \"s\"\nrole = \"sensitive\"\ntype = \"{sensitive_type}\"\n{extra}"
    ));
    text
}

#[test]
fn integers_beyond_two_to_the_53_are_distinct_quasi_identifier_values() {
    // Three meters read 2^53 and three read 2^53 + 1 (one float): true k is
    // 3, below kr's 5, which a float key hid by merging the two classes.
    let mut csv = String::from("meter,s\n");
    for (meter, purpose) in [
        ("9007199254740992", "commute"),
        ("9007199254740992", "leisure"),
        ("9007199254740992.0", "shopping"),
        ("9007199254740993", "commute"),
        ("9007199254740993", "leisure"),
        ("9.007199254740993e15", "shopping"),
    ] {
        csv.push_str(&format!("{meter},{purpose}\n"));
    }
    let (exit, report) = audit(
        &csv,
        &descriptor(&["meter"], "numeric", "categorical", ""),
        "kr",
    );
    let summary = &report["datasets"][0];
    assert_eq!(summary["k"], 3, "{summary}");
    assert_eq!(summary["classes"], 2, "{summary}");
    assert_eq!(summary["columns"][0]["distinct"], 2, "{summary}");
    assert_eq!(verdict(&report, "ANON-KANON-01"), "fail");
    assert_eq!(exit, Some(1));
}

#[test]
fn numbers_a_float_merges_are_distinct_sensitive_values() {
    // Zone a holds only 2^53, zone b only 2^53 + 1; as floats both zones
    // hold one and the same value and t was 0.
    let mut csv = String::from("zone,s\n");
    for _ in 0..5 {
        csv.push_str("a,9007199254740992\nb,9007199254740993\n");
    }
    let (_, report) = audit(
        &csv,
        &descriptor(&["zone"], "categorical", "numeric", ""),
        "eu",
    );
    let summary = &report["datasets"][0];
    assert!(close(&summary["t"], 0.5), "{summary}");
    assert_eq!(summary["columns"][1]["distinct"], 2, "{summary}");
    assert_eq!(verdict(&report, "ANON-TCLOSE-01"), "warn");

    // Decimals too: 0.1 and 0.10000000000000001 are one float, two values.
    let mut csv = String::from("zone,s\n");
    for _ in 0..5 {
        csv.push_str("a,0.1\nb,0.10000000000000001\n");
    }
    let (_, report) = audit(
        &csv,
        &descriptor(&["zone"], "categorical", "numeric", ""),
        "eu",
    );
    assert!(close(&report["datasets"][0]["t"], 0.5), "{report}");
}

#[test]
fn a_number_written_two_ways_is_still_one_value() {
    let csv = "age,s\n30,commute\n30.0,leisure\n3e1,shopping\n+30,work\n030,school\n";
    let (_, report) = audit(
        csv,
        &descriptor(&["age"], "numeric", "categorical", ""),
        "kr",
    );
    let summary = &report["datasets"][0];
    assert_eq!(
        (summary["k"].as_u64(), summary["classes"].as_u64()),
        (Some(5), Some(1))
    );
}

/// Three classes of six: each holds one recorded diagnosis twice and four
/// empty cells. Read as values, the empty cells make every class look
/// diverse and close to a table that is two-thirds empty.
const HIV: &str = "zone,s\n\
a,hiv\na,hiv\na,\na,\na,\na,\n\
b,flu\nb,flu\nb,\nb,\nb,\nb,\n\
c,cold\nc,cold\nc,\nc,\nc,\nc,\n";

#[test]
fn a_missing_sensitive_value_adds_no_diversity() {
    let (_, report) = audit(
        HIV,
        &descriptor(&["zone"], "categorical", "categorical", ""),
        "kr",
    );
    let summary = &report["datasets"][0];
    assert_eq!(summary["k"], 6, "{summary}");
    assert_eq!(summary["l_distinct"], 1, "{summary}");
    assert_eq!(summary["l_entropy"], 1, "{summary}");
    assert!(close(&summary["alpha"], 1.0), "{summary}");
    // The class is all hiv among recorded values; the table a third hiv.
    assert!(close(&summary["t"], 2.0 / 3.0), "{summary}");
    assert_eq!(verdict(&report, "ANON-KANON-01"), "pass");
    for requirement in ["ANON-ALPHAK-01", "ANON-LDIV-01", "ANON-TCLOSE-01"] {
        assert_eq!(verdict(&report, requirement), "warn", "{requirement}");
    }
    let alpha = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["requirement"] == "ANON-ALPHAK-01")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default();
    assert!(alpha.contains("no recorded value"), "{alpha}");
}

#[test]
fn the_descriptor_can_read_a_missing_sensitive_value_as_a_value() {
    let described = descriptor(
        &["zone"],
        "categorical",
        "categorical",
        "missing = \"value\"\n",
    );
    let (_, report) = audit(HIV, &described, "kr");
    let summary = &report["datasets"][0];
    assert_eq!(summary["l_distinct"], 2, "{summary}");
    assert!(close(&summary["alpha"], 4.0 / 6.0), "{summary}");
    assert!(close(&summary["t"], 2.0 / 9.0), "{summary}");
    for requirement in ["ANON-ALPHAK-01", "ANON-LDIV-01", "ANON-TCLOSE-01"] {
        assert_eq!(verdict(&report, requirement), "pass", "{requirement}");
    }
}

#[test]
fn a_class_with_no_recorded_sensitive_value_is_neither_diverse_nor_close() {
    let csv = "zone,s\na,flu\na,cold\na,hiv\nb,\nb,\nb,\n";
    let (_, report) = audit(
        csv,
        &descriptor(&["zone"], "categorical", "categorical", ""),
        "kr",
    );
    let summary = &report["datasets"][0];
    assert_eq!(summary["l_distinct"], 0, "{summary}");
    assert_eq!(summary["l_entropy"], 0, "{summary}");
    assert!(close(&summary["l_entropy_exact"], 0.0), "{summary}");
    assert!(close(&summary["alpha"], 1.0), "{summary}");
    assert!(close(&summary["t"], 1.0), "{summary}");
}

#[test]
fn a_missing_number_read_as_a_value_sorts_last_as_numpy_puts_nan() {
    // Zone a: {1, missing}; zone b: {2, 2}. With the missing value after
    // the numbers the ordered distance is 0.25 for both classes; before
    // them it would be 0.375.
    let csv = "zone,s\na,1\na,\nb,2\nb,2\n";
    let described = descriptor(&["zone"], "categorical", "numeric", "missing = \"value\"\n");
    let (_, report) = audit(csv, &described, "kr");
    assert!(close(&report["datasets"][0]["t"], 0.25), "{report}");
}

#[test]
fn missing_is_refused_on_a_column_that_is_not_sensitive() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("extract.csv");
    let desc = dir.path().join("extract.toml");
    std::fs::write(&data, "zone,s\na,flu\n").expect("data written");
    let text = "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\nmissing = \"value\"\n";
    std::fs::write(&desc, text).expect("descriptor written");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "-d",
        &desc.display().to_string(),
        "-p",
        "kr",
    ]);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("extract.toml:5"), "{text}");
}

#[test]
fn a_balanced_class_has_entropy_l_two_in_every_format() {
    // Two classes of two equally frequent values: H = ln 2, whose e^H is
    // 1.9999999999999998 in floating point.
    let csv = "zone,s\na,flu\na,cold\na,flu\na,cold\nb,hiv\nb,flu\nb,hiv\nb,flu\n";
    let described = descriptor(&["zone"], "categorical", "categorical", "");
    let (_, report) = audit(csv, &described, "eu");
    let summary = &report["datasets"][0];
    assert_eq!(summary["l_entropy"], 2, "{summary}");
    assert_eq!(summary["pycanon_l_entropy"], 1, "{summary}");

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("balanced.csv");
    let desc = dir.path().join("balanced.toml");
    std::fs::write(&data, csv).expect("data written");
    std::fs::write(&desc, described).expect("descriptor written");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "-d",
        &desc.display().to_string(),
        "-p",
        "eu",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("l entropy 2;"), "{text}");
}

#[test]
fn recursive_c_l_is_the_textbook_reading_the_finding_uses() {
    // One class holds 12 commutes and 2 of leisure, the other 7 and 7:
    // distinct l 2, as kr asks. Textbook c: 12 / 2 + 1 = 7. pyCANON's
    // ascending reading gives floor(2 / 12 + 1) = 1 for the first class and
    // floor(7 / 7 + 1) = 2 for the second.
    let mut csv = String::from("zone,s\n");
    for (zone, value, n) in [
        ("a", "commute", 12),
        ("a", "leisure", 2),
        ("b", "commute", 7),
        ("b", "leisure", 7),
    ] {
        for _ in 0..n {
            csv.push_str(&format!("{zone},{value}\n"));
        }
    }
    let (_, report) = audit(
        &csv,
        &descriptor(&["zone"], "categorical", "categorical", ""),
        "kr",
    );
    let summary = &report["datasets"][0];
    assert_eq!(
        summary["recursive_c_l"],
        serde_json::json!([7, 2]),
        "{summary}"
    );
    assert_eq!(
        summary["pycanon_recursive_c_l"],
        serde_json::json!([2, 2]),
        "{summary}"
    );
    let needed: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["evidence"].get("needed_c"))
        .collect();
    assert_eq!(needed, [&Value::from(7)], "{report}");
}
