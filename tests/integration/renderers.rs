//! Every renderer over the same canonical results (all pass, mixed,
//! errors, waived, empty, a dataset audit, a flow matrix): one snapshot per
//! format and case, each format shown to carry the dataset's metrics and
//! the matrix's pairs, the SARIF
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
fn dataset_in_every_format() {
    snapshot_every_format("dataset", &canonical::dataset());
}

#[test]
fn flows_in_every_format() {
    snapshot_every_format("flows", &canonical::flows());
}

/// Asserts that `format` renders `report` with every one of `markers`.
fn assert_shows(report: &Report, format: Format, markers: &[&str]) {
    let text = render(report, format);
    for marker in markers {
        assert!(
            text.contains(marker),
            "{}: no `{marker}` in\n{text}",
            format.as_str()
        );
    }
}

#[test]
fn every_format_carries_the_dataset_metrics() {
    let report = canonical::dataset();
    let expectations: [(Format, &[&str]); 6] = [
        (
            Format::Text,
            &[
                "7 classes; k 4; alpha 0.5; l distinct 2; l entropy 2; recursive (c,l) (2,2); t 0.1875",
            ],
        ),
        (
            Format::Json,
            &["\"k\": 4", "\"t\": 0.1875", "\"l_distinct\": 2"],
        ),
        (
            Format::Junit,
            &[
                r#"<property name="dataset.k" value="4"/>"#,
                r#"<property name="dataset.l-distinct" value="2"/>"#,
                r#"<property name="dataset.t" value="0.1875"/>"#,
            ],
        ),
        (
            Format::Sarif,
            &["\"k\": 4", "\"t\": 0.1875", "\"l_distinct\": 2"],
        ),
        (
            Format::Markdown,
            &[
                "| k | 4 |",
                "| l distinct | 2 |",
                "| t | 0.1875 |",
                "| `purpose` | sensitive | categorical | 28 | 2 |",
            ],
        ),
        (
            Format::Html,
            &[
                r#"<tr data-metric="k"><th>k</th><td class="num">4</td></tr>"#,
                r#"<tr data-metric="l-distinct"><th>l distinct</th><td class="num">2</td></tr>"#,
                r#"<tr data-metric="t"><th>t</th><td class="num">0.1875</td></tr>"#,
                r#"<tr data-column="purpose" data-role="sensitive">"#,
            ],
        ),
    ];
    for (format, markers) in expectations {
        assert_shows(&report, format, markers);
    }
}

#[test]
fn every_format_carries_the_flow_matrix() {
    let report = canonical::flows();
    let expectations: [(Format, &[&str]); 6] = [
        (
            Format::Text,
            &[
                "eu + kr: not both",
                "eu + sg: both met",
                "needs, for kr FLOW-XBORDER-01",
            ],
        ),
        (
            Format::Json,
            &["\"both\": false", "\"requirement\": \"FLOW-XBORDER-01\""],
        ),
        (
            Format::Junit,
            &[
                "trips-to-university meets eu + kr",
                "flow `trips-to-university` does not meet both eu and kr",
            ],
        ),
        (
            Format::Sarif,
            &["\"both\": false", "\"requirement\": \"FLOW-XBORDER-01\""],
        ),
        (
            Format::Markdown,
            &[
                "| `trips-to-university` | met | **not met** | met |",
                "| `trips-to-university` | eu + kr | **no** | kr `FLOW-XBORDER-01`: ",
                "| `trips-to-university` | eu + sg | yes | – |",
            ],
        ),
        (
            Format::Html,
            &[
                r#"<td data-profile="kr" data-met="false"><span class="badge not-met">not met</span></td>"#,
                r#"data-pair="eu+kr" data-both="false""#,
                r#"data-pair="eu+sg" data-both="true""#,
                r##"<a href="#req-FLOW-XBORDER-01"><code>FLOW-XBORDER-01</code></a>"##,
            ],
        ),
    ];
    for (format, markers) in expectations {
        assert_shows(&report, format, markers);
    }
}

#[test]
fn a_clause_a_profile_repeats_is_cited_once() {
    let report = canonical::flows();
    // Cited in full once, the first time kr speaks (under its finding in
    // text, which comes before the matrix; under its first blocker in
    // HTML, whose matrix comes first), and "as above" after that.
    let text = render(&report, Format::Text);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("PIPA Art. 28-8(1)"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert_eq!(
        lines[0].matches("PIPA Art. 28-8(1)").count(),
        1,
        "{}",
        lines[0]
    );
    assert!(
        lines[0].trim_start().starts_with("kr cites: "),
        "{}",
        lines[0]
    );
    assert_eq!(text.matches("kr cites: as above").count(), 2, "{text}");
    let html = render(&report, Format::Html);
    assert_eq!(
        html.matches("PIPA Art. 28-8(1)").count(),
        2,
        "the requirement's sources, and the first blocker:\n{html}"
    );
    assert_eq!(html.matches("kr cites: as above").count(), 2, "{html}");
    let sarif = render(&report, Format::Sarif);
    assert_eq!(
        sarif.matches("\"PIPA Art. 28-8(1)\"").count(),
        2,
        "once in the rule's list, once in the finding's clauses under kr:\n{sarif}"
    );
}

#[test]
fn passing_and_skipped_requirements_are_listed_collapsed() {
    let report = canonical::flows();
    let html = render(&report, Format::Html);
    for marker in [
        r#"<details id="passing"><summary>Requirements passing (<span class="count" data-count="1">1</span>)</summary>"#,
        r#"<tr id="req-FLOW-LEGAL-BASIS-01" data-verdict="pass">"#,
        r#"<details id="skipped"><summary>Requirements that did not apply (<span class="count" data-count="1">1</span>)</summary>"#,
        r#"<tr id="req-FLOW-NATID-01" data-verdict="skip">"#,
    ] {
        assert!(html.contains(marker), "HTML: no `{marker}` in\n{html}");
    }
    assert!(!html.contains("<details open"), "collapsed");
    let markdown = render(&report, Format::Markdown);
    for marker in [
        "<details><summary>Requirements passing (1)</summary>",
        "| `FLOW-LEGAL-BASIS-01` | Every flow rests on a legal basis the region accepts | eu: MUST pass, kr: MUST pass, sg: MUST pass |",
        "<details><summary>Requirements that did not apply (1)</summary>",
        "| `FLOW-NATID-01` |",
    ] {
        assert!(
            markdown.contains(marker),
            "Markdown: no `{marker}` in\n{markdown}"
        );
    }
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
