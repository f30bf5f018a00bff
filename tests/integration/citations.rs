//! Clauses per profile: every finding, matrix blocker and report format
//! cites the clauses of the profiles it speaks for, never the union of
//! every selected profile's.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{self, json_report, run};

/// The Seoul transit-card operator of `fixtures/flows/README.md`, judged
/// under `kr`, `eu` and `in` once the DPDP Act is in force (India's
/// transfer rules before 2027-05-13 are the SPDI Rules', which accept a
/// contract): `in` alone rejects its contract basis.
fn transit(format: &str) -> std::process::Output {
    run(&[
        "flows",
        "fixtures/flows/kr-transit-sg-cloud.json",
        "-p",
        "kr",
        "-p",
        "eu",
        "-p",
        "in",
        "--as-of",
        "2027-06-01",
        "--format",
        format,
    ])
}

fn profiles_of(clauses: &Value) -> BTreeSet<String> {
    clauses
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["profile"].as_str().expect("a profile").to_owned())
        .collect()
}

fn sources_of(clauses: &Value) -> BTreeSet<String> {
    clauses
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["source"].as_str().expect("a source").to_owned())
        .collect()
}

#[test]
fn a_finding_failing_only_under_in_cites_only_in_clauses() {
    let output = transit("json");
    common::expect_exit(&output, 1);
    let report = json_report(&output);
    let findings = report["findings"].as_array().expect("findings");
    let only_in: Vec<&Value> = findings
        .iter()
        .filter(|f| f["requirement"] == "FLOW-LEGAL-BASIS-01")
        .collect();
    assert_eq!(only_in.len(), 3, "{only_in:?}");
    for finding in only_in {
        assert_eq!(finding["verdicts"], serde_json::json!({ "in": "fail" }));
        assert_eq!(
            profiles_of(&finding["clauses"]),
            BTreeSet::from(["in".to_owned()])
        );
        assert_eq!(
            sources_of(&finding["clauses"]),
            BTreeSet::from(["DPDP Act 2023".to_owned(), "IT Act 2000".to_owned()])
        );
    }
    // Every finding cites only the profiles it has a verdict for.
    for finding in findings {
        let verdicts: BTreeSet<String> = finding["verdicts"]
            .as_object()
            .expect("verdicts")
            .keys()
            .cloned()
            .collect();
        assert!(
            profiles_of(&finding["clauses"]).is_subset(&verdicts),
            "{finding}"
        );
    }
    let validator = common::report_validator();
    assert_eq!(common::schema_errors(&validator, &report), "");
}

#[test]
fn the_requirements_clauses_name_the_profile_that_adds_them() {
    let report = json_report(&transit("json"));
    let basis = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == "FLOW-LEGAL-BASIS-01")
        .expect("FLOW-LEGAL-BASIS-01");
    let clauses = basis["clauses"].as_array().expect("clauses");
    // The catalogue's own clauses carry no profile; every regional one does.
    assert!(clauses.iter().any(|c| c.get("profile").is_none()));
    for clause in clauses.iter().filter(|c| c["source"] == "DPDP Act 2023") {
        assert_eq!(clause["profile"], "in", "{clause}");
    }
    for clause in clauses.iter().filter(|c| c["source"] == "PIPA") {
        assert_eq!(clause["profile"], "kr", "{clause}");
    }
}

#[test]
fn each_matrix_blocker_cites_its_own_profile() {
    let report = json_report(&transit("json"));
    let mut seen = BTreeSet::new();
    for row in report["matrices"][0]["flows"].as_array().expect("flows") {
        for pair in row["pairs"].as_array().expect("pairs") {
            for blocker in pair["needed"].as_array().expect("needed") {
                let profile = blocker["profile"].as_str().expect("profile");
                let sources = sources_of(&blocker["clauses"]);
                // India's profile cites both of its regimes: the SPDI Rules
                // until 12 May 2027, the DPDP Act from the 13th.
                let expected: &[&str] = match profile {
                    "in" => &["DPDP Act 2023", "IT Act 2000"],
                    "eu" => &["GDPR"],
                    _ => continue,
                };
                let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
                assert_eq!(sources, expected, "{blocker}");
                seen.insert(profile.to_owned());
            }
        }
    }
    assert_eq!(seen, BTreeSet::from(["eu".to_owned(), "in".to_owned()]));
}

#[test]
fn the_text_report_cites_per_profile_under_findings_and_blockers() {
    let output = transit("text");
    let text = String::from_utf8_lossy(&output.stdout);
    let basis = text
        .split("  FAIL  FLOW-LEGAL-BASIS-01")
        .nth(1)
        .and_then(|rest| rest.split("\n  FAIL  ").next())
        .expect("the legal-basis findings");
    assert!(
        basis
            .contains("in cites: IT Act 2000 s. 43A; SPDI Rules 2011 r. 5; DPDP Act 2023 s.4, s.6"),
        "{basis}"
    );
    assert!(!basis.contains("GDPR"), "{basis}");
    assert!(!basis.contains("PIPA"), "{basis}");
    assert!(
        text.contains(
            "needs, for in FLOW-LEGAL-BASIS-01 (read as if the flow started in IN; it starts in KR): flow `trips-to-sg-storage`: legal basis `dpv:Contract` is not accepted here"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "\n        in cites: IT Act 2000 s. 43A; SPDI Rules 2011 r. 5; DPDP Act 2023 s.4, s.6; DPDP Act 2023 s.7\n"
        ),
        "{text}"
    );
}

#[test]
fn markdown_html_sarif_and_junit_cite_the_finding_profile_only() {
    // Each profile's clauses for a requirement are written out once, the
    // first time they come up (the pairs table, above the findings); later
    // mentions say "as above".
    let full = "in cites: IT Act 2000 s. 43A; SPDI Rules 2011 r. 5; DPDP Act 2023 s.4, s.6";
    let markdown = String::from_utf8_lossy(&transit("markdown").stdout).into_owned();
    assert_eq!(markdown.matches(full).count(), 1, "{markdown}");
    assert!(markdown.contains("  - in cites: as above"), "{markdown}");
    assert!(!markdown.contains("in cites: GDPR"), "{markdown}");
    let html = String::from_utf8_lossy(&transit("html").stdout).into_owned();
    assert_eq!(html.matches(full).count(), 1, "{html}");
    assert!(
        html.contains("<div class=\"cites\" data-profile=\"in\">in cites: as above"),
        "{html}"
    );
    let sarif: Value = serde_json::from_slice(&transit("sarif").stdout).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let basis: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "FLOW-LEGAL-BASIS-01")
        .collect();
    assert!(!basis.is_empty());
    for result in basis {
        let clauses = result["properties"]["clauses"]
            .as_object()
            .expect("clauses");
        assert_eq!(clauses.keys().collect::<Vec<_>>(), ["in"], "{result}");
    }
    let junit = String::from_utf8_lossy(&transit("junit").stdout).into_owned();
    assert!(
        junit
            .contains("in cites: IT Act 2000 s. 43A; SPDI Rules 2011 r. 5; DPDP Act 2023 s.4, s.6"),
        "{junit}"
    );
}
