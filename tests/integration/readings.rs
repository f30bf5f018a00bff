//! Hypothetical readings and explanations: a profile judging a flow that
//! starts outside its region says, in every format, that it read the flow
//! as if it started inside; a failing flow says what would make it pass;
//! a malformed declaration is told plainly, with the closest valid value.

use serde_json::Value;

use crate::common::{self, json_report, run};

/// The Seoul transit-card operator (`fixtures/flows/README.md`) under
/// `kr` (its own region) and `eu` (read as if it started in the EU).
fn transit(format: &str) -> String {
    let output = run(&[
        "flows",
        "fixtures/flows/kr-transit-sg-cloud.json",
        "-p",
        "kr",
        "-p",
        "eu",
        "--as-of",
        "2026-01-01",
        "--format",
        format,
    ]);
    common::expect_exit(&output, 1);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const READING: &str = "read as if the flow started in EU; it starts in KR";

#[test]
fn a_flow_from_korea_judged_under_eu_is_labelled_in_json() {
    let report: Value = serde_json::from_str(&transit("json")).expect("JSON");
    let row = &report["matrices"][0]["flows"][0];
    assert_eq!(row["flow"], "trips-to-sg-storage");
    let cells = row["met"].as_array().expect("cells");
    assert_eq!(cells[0]["profile"], "kr");
    assert!(
        cells[0].get("reading").is_none(),
        "kr reads its own flow: {row}"
    );
    assert_eq!(cells[1]["profile"], "eu");
    assert_eq!(cells[1]["reading"], READING);
    let eu_findings: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["verdicts"].get("eu").is_some())
        .collect();
    assert!(!eu_findings.is_empty());
    for finding in eu_findings {
        assert_eq!(finding["readings"]["eu"], READING, "{finding}");
        assert!(finding["readings"].get("kr").is_none(), "{finding}");
    }
    for blocker in row["pairs"][0]["needed"].as_array().expect("needed") {
        match blocker["profile"].as_str() {
            Some("eu") => assert_eq!(blocker["reading"], READING),
            _ => assert!(blocker.get("reading").is_none(), "{blocker}"),
        }
    }
    let validator = common::report_validator();
    assert_eq!(common::schema_errors(&validator, &report), "");
}

#[test]
fn every_format_says_the_reading_is_hypothetical() {
    for format in ["text", "markdown", "html", "sarif", "junit"] {
        let out = transit(format);
        assert!(out.contains(READING), "{format}: {out}");
    }
    let text = transit("text");
    assert!(
        text.contains(&format!("  trips-to-sg-storage under eu: {READING}\n")),
        "{text}"
    );
    assert!(!text.contains("under kr: read as if"), "{text}");
}

#[test]
fn a_flow_inside_the_region_is_not_labelled() {
    let report = common::flows_json(
        "fixtures/flows/kr-hub-eu-research.json",
        &["kr"],
        "2026-01-01",
    );
    let text = report.to_string();
    assert!(!text.contains("read as if"), "{text}");
}

#[test]
fn a_failing_transfer_says_which_mechanisms_would_make_it_pass() {
    let report: Value = serde_json::from_str(&transit("json")).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    let partner = findings
        .iter()
        .find(|f| {
            f["requirement"] == "FLOW-XBORDER-01"
                && f["verdicts"].get("kr").is_some()
                && f["location"]["pointer"] == "/flows/2/recipients/0/transfer/instrument"
        })
        .expect("the partner flow fails kr");
    let message = partner["message"].as_str().expect("message");
    // A controller in Singapore: contract necessity (processors only) is
    // not offered; separate consent and Korea's certifications are.
    assert!(message.contains("It would pass with"), "{message}");
    assert!(message.contains("`transfer.separateConsent`"), "{message}");
    assert!(message.contains("`transfer.certification`"), "{message}");
    assert!(
        !message.contains("a contract under contract-necessity"),
        "{message}"
    );
    let ways = partner["evidence"]["would_pass_with"]
        .as_array()
        .expect("ways");
    assert_eq!(ways.len(), 3, "{ways:?}");
    // Under eu, Singapore has no adequacy decision: adequacy is not offered.
    let eu = findings
        .iter()
        .find(|f| f["requirement"] == "FLOW-XBORDER-01" && f["verdicts"].get("eu").is_some())
        .expect("an eu transfer finding");
    let message = eu["message"].as_str().expect("message");
    // The contract derogation is no contract for repeated transfers: it is
    // offered for an occasional one only (GDPR Recital 111).
    assert!(
        message.contains("a contract under bcr or eu-scc in `transfer.instrument`"),
        "{message}"
    );
    assert!(
        message.contains("for an occasional transfer only, contract-necessity"),
        "{message}"
    );
    assert!(!message.contains("adequacy ("), "{message}");
}

/// Under `cn`, the security assessment is a regulator's approval and the
/// necessity exemptions are exemptions: neither is offered as a contract.
#[test]
fn an_approval_and_an_exemption_are_not_offered_as_contracts() {
    let output = run(&[
        "flows",
        "fixtures/flows/cn-shenzhen-car-park-hk.json",
        "-p",
        "cn",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == "FLOW-XBORDER-01")
        .filter_map(|f| f["message"].as_str())
        .filter(|m| m.contains("It would pass with"))
        .collect();
    assert!(!messages.is_empty(), "{report}");
    for message in messages {
        assert!(
            !message.contains("contract under cac-security-assessment"),
            "{message}"
        );
        assert!(!message.contains("or hr-management in"), "{message}");
        assert!(
            message.contains("a regulator's approval (cac-security-assessment)"),
            "{message}"
        );
    }
}

#[test]
fn adequacy_is_offered_only_where_a_decision_covers_the_flow_on_the_day() {
    // The resident records to Ireland under kr: the EU recognition excludes
    // resident registration numbers, so adequacy is not a way out.
    let report = common::flows_json(
        "fixtures/flows/kr-hub-eu-research.json",
        &["kr"],
        "2026-01-01",
    );
    let finding =
        common::finding(&report, "FLOW-XBORDER-01").expect("the resident records fail kr");
    let message = finding["message"].as_str().expect("message");
    assert!(message.contains("It would pass with"), "{message}");
    assert!(!message.contains("adequacy (IE"), "{message}");
}

#[test]
fn a_rejected_legal_basis_names_the_field_and_what_consent_needs() {
    let report = common::flows_json(
        "fixtures/flows/kr-transit-sg-cloud.json",
        &["in"],
        "2027-06-01",
    );
    let finding =
        common::finding(&report, "FLOW-LEGAL-BASIS-01").expect("in rejects the contract basis");
    let message = finding["message"].as_str().expect("message");
    assert!(
        message.contains("It would pass on one of these in `legalBasis` (on consent, with `consent.mechanism = \"opt-in\"`"),
        "{message}"
    );
}

#[test]
fn malformed_declarations_are_told_plainly_with_the_closest_value() {
    let output = run(&["flows", "fixtures/flows/malformed/incomplete.json"]);
    let err = common::expect_exit(&output, 2);
    for expected in [
        "`Korea` is not an upper-case ISO 3166-1 alpha-2 country code such as KR; did you mean `KR`?",
        "`5 years` is not an ISO 8601 duration such as P1Y, P18M or P30D; did you mean `P5Y`?",
        "`pseudonymised` is not one of identified, pseudonymized, anonymized; did you mean `pseudonymized`?",
        "`purpose` is not a field of the declaration format here; did you mean `purposes`?",
        "the field `legalBasis` is missing; add it",
        "the list is empty; name at least 1",
    ] {
        assert!(err.contains(expected), "{expected}\n{err}");
    }
    assert!(!err.contains("^[A-Z]"), "no schema regex: {err}");
    assert!(!err.contains("^P("), "no schema regex: {err}");
}

/// The flows (by pointer index) that fail FLOW-LEGAL-BASIS-01 under each
/// of `profiles` for the district app that gives a basis per region.
fn basis_failures(profiles: &[&str]) -> Vec<(String, Vec<usize>)> {
    let mut args = vec![
        "flows",
        "fixtures/flows/kr-district-basis-per-region.json",
        "--as-of",
        "2027-06-01",
        "--format",
        "json",
    ];
    for p in profiles {
        args.extend(["-p", p]);
    }
    let report = json_report(&run(&args));
    let findings = report["findings"].as_array().expect("findings").clone();
    profiles
        .iter()
        .map(|p| {
            let flows = findings
                .iter()
                .filter(|f| {
                    f["requirement"] == "FLOW-LEGAL-BASIS-01" && f["verdicts"][*p] == "fail"
                })
                .map(|f| {
                    let pointer = f["location"]["pointer"].as_str().expect("pointer");
                    pointer
                        .split('/')
                        .nth(2)
                        .and_then(|n| n.parse().ok())
                        .expect("index")
                })
                .collect();
            ((*p).to_owned(), flows)
        })
        .collect()
}

#[test]
fn each_profile_judges_the_basis_given_for_its_region() {
    let failures = basis_failures(&["kr", "in", "eu"]);
    assert_eq!(
        failures,
        [
            // PIPA Art. 15(1)1: consent; both flows name it for kr.
            ("kr".to_owned(), vec![]),
            // DPDP has no contract basis (s. 4, s. 7); the second flow's
            // `*` gives India consent.
            ("in".to_owned(), vec![0]),
            // The first flow names no basis for the EU and no `*`.
            ("eu".to_owned(), vec![0]),
        ]
    );
    let output = run(&[
        "flows",
        "fixtures/flows/kr-district-basis-per-region.json",
        "-p",
        "eu",
        "--as-of",
        "2026-01-01",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("flow `notices-consent-and-contract` gives no legal basis for this region; add one under `legalBasis` keyed by this profile's ID, or under `*` for every region"),
        "{text}"
    );
}

#[test]
fn profiles_sharing_a_check_still_read_their_own_basis() {
    // baseline and apec-cbpr select FLOW-LEGAL-BASIS-01 with the same
    // parameters: one check, shared. Each still reads its own entry.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(
        common::root().join("fixtures/flows/kr-district-basis-per-region.json"),
    )
    .expect("fixture");
    let text = text.replace(
        r#"{ "kr": "kr-pipa:A15-1-1", "in": "dpv:Contract" }"#,
        r#"{ "baseline": "dpv:Consent" }"#,
    );
    let path = dir.path().join("shared.json");
    std::fs::write(&path, text).expect("write");
    let path = path.display().to_string();
    let report = common::flows_json(&path, &["baseline", "apec-cbpr"], "2026-01-01");
    let basis: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == "FLOW-LEGAL-BASIS-01")
        .collect();
    assert_eq!(basis.len(), 1, "{basis:?}");
    assert_eq!(
        basis[0]["verdicts"],
        serde_json::json!({ "apec-cbpr": "fail" })
    );
    let results = |id: &str| {
        report["profiles"]
            .as_array()
            .expect("profiles")
            .iter()
            .find(|p| p["id"] == id)
            .and_then(|p| p["results"].as_array())
            .and_then(|r| r.iter().find(|r| r["requirement"] == "FLOW-LEGAL-BASIS-01"))
            .map(|r| r["counts"].clone())
            .expect("a row")
    };
    assert_eq!(results("baseline")["pass"], 2);
    assert_eq!(results("apec-cbpr")["fail"], 1);
    assert_eq!(results("apec-cbpr")["pass"], 1);
}
