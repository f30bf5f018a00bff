//! Every renderer over the same canonical results (all pass, mixed,
//! errors, waived, empty): one snapshot per format and case, the SARIF
//! output checked against the official SARIF 2.1.0 schema, the JSON output
//! against the report's schema, JUnit parsed as XML, and no secret from
//! the evidence in any format.

use cityconform::model::Report;
use cityconform::report::{self, Format, TextOptions};

use crate::common::{self, canonical};

fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    report::render(report, format, TextOptions::default(), &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8 output")
}

fn snapshot_every_format(case: &str, report: &Report) {
    for format in Format::ALL {
        let name = format!("{case}_{}", format.as_str());
        insta::assert_snapshot!(name, render(report, format));
    }
}

#[test]
fn all_pass_in_every_format() {
    snapshot_every_format("all_pass", &canonical::all_pass());
}

#[test]
fn mixed_in_every_format() {
    snapshot_every_format("mixed", &canonical::mixed());
}

#[test]
fn errors_in_every_format() {
    snapshot_every_format("errors", &canonical::errors());
}

#[test]
fn waived_in_every_format() {
    snapshot_every_format("waived", &canonical::waived());
}

#[test]
fn empty_in_every_format() {
    snapshot_every_format("empty", &canonical::empty());
}

#[test]
fn sarif_is_valid_sarif_2_1_0_for_every_case() {
    let validator = common::sarif_validator();
    for (case, report) in canonical::all() {
        let sarif: serde_json::Value =
            serde_json::from_str(&render(&report, Format::Sarif)).expect("SARIF is JSON");
        let errors = common::schema_errors(&validator, &sarif);
        assert!(
            errors.is_empty(),
            "{case}: SARIF breaks the schema:\n{errors}"
        );
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), report.findings.len(), "{case}");
    }
}

#[test]
fn the_json_report_matches_its_schema_for_every_case() {
    let validator = common::report_validator();
    for (case, report) in canonical::all() {
        let json: serde_json::Value =
            serde_json::from_str(&render(&report, Format::Json)).expect("JSON");
        let errors = common::schema_errors(&validator, &json);
        assert!(
            errors.is_empty(),
            "{case}: JSON breaks its schema:\n{errors}"
        );
    }
}

#[test]
fn junit_is_well_formed_xml_for_every_case() {
    for (case, report) in canonical::all() {
        let xml = render(&report, Format::Junit);
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{case}: JUnit is not XML: {e}\n{xml}"));
        assert_eq!(doc.root_element().tag_name().name(), "testsuites", "{case}");
    }
}

#[test]
fn no_format_prints_a_secret_from_the_evidence() {
    let report = canonical::mixed();
    for format in Format::ALL {
        let text = render(&report, format);
        assert!(
            !text.contains("s3cr3t-t0ken"),
            "{} leaks the credential",
            format.as_str()
        );
    }
}

#[test]
fn waived_findings_are_marked_in_every_format() {
    let report = canonical::waived();
    let expectations: [(Format, &str); 6] = [
        (Format::Text, "(waived: W-1)"),
        (Format::Json, "\"waiver\": \"W-1\""),
        (Format::Junit, "waived: 1 of 4 subjects"),
        (Format::Sarif, "\"status\": \"accepted\""),
        (Format::Markdown, "(waived: `W-1`)"),
        (Format::Html, "waived by <code>W-1</code>"),
    ];
    for (format, marker) in expectations {
        let text = render(&report, format);
        assert!(
            text.contains(marker),
            "{}: no `{marker}` in\n{text}",
            format.as_str()
        );
    }
}

#[test]
fn an_expired_waiver_fails_the_run_in_every_format() {
    let report = canonical::waived();
    assert!(!report.summary.met);
    assert_eq!(report.summary.expired_waivers, 1);
    assert_eq!(report.exit_code(), cityconform::ExitCode::NotMet);
    let expectations: [(Format, &str); 6] = [
        (Format::Text, "1 waiver expired"),
        (Format::Json, "\"status\": \"expired\""),
        (Format::Junit, "expired-waiver"),
        (
            Format::Sarif,
            "W-2` for ANON-ID-VALUE-01 expired on 2023-06-30",
        ),
        (Format::Markdown, "**1 expired waiver**"),
        (Format::Html, "id=\"expired-warning\""),
    ];
    for (format, marker) in expectations {
        let text = render(&report, format);
        assert!(
            text.contains(marker),
            "{}: no `{marker}` in\n{text}",
            format.as_str()
        );
    }
}
