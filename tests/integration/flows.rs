//! Data-flow declarations end to end: the verdict table and matrix of
//! every declaration fixture under every profile, profile diffs and
//! matrices, payloads checked against a declaration, list updates through
//! `--suites`, and every malformed declaration with its message and exit
//! code 2.

use serde_json::Value;

use crate::common::{self, json_report, root, run, transcript};

fn with_profiles<'a>(args: &[&'a str], profiles: &[&'a str]) -> Vec<&'a str> {
    let mut out = args.to_vec();
    for profile in profiles {
        out.extend(["-p", profile]);
    }
    out
}

/// Runs `args`, checks the exit code, snapshots the transcript.
fn check(name: &str, args: &[&str], expected: i32) -> std::process::Output {
    let output = run(args);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(expected), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    insta::assert_snapshot!(name, text);
    output
}

fn report_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/tool/report.schema.json"))
        .expect("report schema");
    let schema: Value = serde_json::from_str(&text).expect("report schema is JSON");
    jsonschema::options()
        .offline()
        .build(&schema)
        .expect("report schema compiles")
}

/// Whether flow `flow` meets `profile` according to the report's matrix.
fn flow_meets(report: &Value, flow: &str, profile: &str) -> bool {
    let row = report["matrices"][0]["flows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["flow"] == flow))
        .unwrap_or_else(|| panic!("flow {flow} in the matrix"));
    row["met"]
        .as_array()
        .and_then(|cells| cells.iter().find(|c| c["profile"] == profile))
        .and_then(|c| c["met"].as_bool())
        .unwrap_or_else(|| panic!("profile {profile} in the matrix"))
}

#[test]
fn every_declaration_fixture_has_its_verdicts_pinned() {
    insta::glob!("../../fixtures/flows", "*.{json,toml}", |path| {
        let path = common::relative(path);
        let args = with_profiles(
            &["flows", &path, "--max-findings", "100"],
            &common::bundled_profiles(),
        );
        let output = run(&args);
        let text = transcript(&output);
        assert!(matches!(output.status.code(), Some(0 | 1)), "{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn fixtures_pass_and_fail_where_the_regions_say() {
    // (fixture, flow, profiles met, profiles not met): the conflicts of
    // REFERENCES 3.3 made concrete, on a day India's DPDP Act is in force.
    let all = common::bundled_profiles();
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        (
            "air-quality-open-data.json",
            "air-quality-open-data",
            all.as_slice(),
            &[],
        ),
        (
            "mobility-analytics-university.json",
            "trips-to-university",
            &["baseline", "eu", "sg"],
            &["in", "kr"],
        ),
        (
            "national-id-consent.json",
            "parking-permit-applications",
            &["baseline", "eu", "in"],
            &["kr"],
        ),
        (
            "pseudonymized-statistics.json",
            "commute-statistics",
            &["baseline", "kr"],
            &["eu", "in", "sg"],
        ),
        (
            "pseudonymized-statistics.json",
            "commute-marketing",
            &["baseline"],
            &["kr", "eu"],
        ),
        (
            "transit-card-processor.json",
            "card-trips-to-processor",
            &["sg", "apec-cbpr"],
            &["kr", "eu"],
        ),
        (
            "offshore-backup.toml",
            "citizen-records-backup",
            &["baseline", "in"],
            &["eu", "kr", "sg", "cn"],
        ),
    ];
    for (fixture, flow, met, not_met) in cases {
        let path = format!("fixtures/flows/{fixture}");
        let args = with_profiles(
            &["flows", &path, "--as-of", "2027-06-01", "--format", "json"],
            &all,
        );
        let report = json_report(&run(&args));
        for profile in *met {
            assert!(
                flow_meets(&report, flow, profile),
                "{flow} should meet {profile}"
            );
        }
        for profile in *not_met {
            assert!(
                !flow_meets(&report, flow, profile),
                "{flow} should not meet {profile}"
            );
        }
    }
}

#[test]
fn every_finding_cites_a_requirement_with_its_clauses_and_a_line() {
    let args = with_profiles(
        &[
            "flows",
            "fixtures/flows/pseudonymized-statistics.json",
            "--format",
            "json",
        ],
        &common::bundled_profiles(),
    );
    let report = json_report(&run(&args));
    report_schema()
        .validate(&report)
        .unwrap_or_else(|e| panic!("the flows report matches its schema: {e}"));
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for finding in findings {
        let id = &finding["requirement"];
        let info = report["requirements"]
            .as_array()
            .and_then(|r| r.iter().find(|r| &r["id"] == id))
            .expect("the requirement is cited");
        assert!(!info["clauses"].as_array().expect("clauses").is_empty());
        assert!(finding["location"]["line"].as_u64().is_some(), "{finding}");
        assert!(
            finding["location"]["pointer"]
                .as_str()
                .is_some_and(|p| p.starts_with("/flows/"))
        );
    }
}

#[test]
fn flows_report_in_junit() {
    check(
        "flows_junit",
        &[
            "flows",
            "fixtures/flows/offshore-backup.toml",
            "-p",
            "in",
            "-p",
            "cn",
            "--format",
            "junit",
        ],
        1,
    );
}

#[test]
fn diff_kr_eu() {
    check(
        "diff_kr_eu",
        &["profiles", "diff", "kr", "eu", "--as-of", "2026-11-30"],
        0,
    );
}

#[test]
fn diff_in_sg() {
    check(
        "diff_in_sg",
        &["profiles", "diff", "in", "sg", "--as-of", "2026-11-30"],
        0,
    );
}

#[test]
fn diff_baseline_cn() {
    check(
        "diff_baseline_cn",
        &[
            "profiles",
            "diff",
            "baseline",
            "cn",
            "--as-of",
            "2026-11-30",
        ],
        0,
    );
}

#[test]
fn diff_of_a_profile_with_itself_is_empty() {
    check(
        "diff_self",
        &["profiles", "diff", "sg", "sg", "--as-of", "2026-11-30"],
        0,
    );
}

#[test]
fn diff_in_json_is_symmetric() {
    let forward = json_report(&run(&[
        "profiles",
        "diff",
        "eu",
        "in",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]));
    let backward = json_report(&run(&[
        "profiles",
        "diff",
        "in",
        "eu",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]));
    insta::assert_json_snapshot!("diff_eu_in_json", forward);
    let forward_entries = forward["entries"].as_array().expect("entries");
    let backward_entries = backward["entries"].as_array().expect("entries");
    assert_eq!(forward_entries.len(), backward_entries.len());
    for (f, b) in forward_entries.iter().zip(backward_entries) {
        assert_eq!(f["requirement"], b["requirement"]);
        assert_eq!(f["left"], b["right"]);
        assert_eq!(f["only_left"], b["only_right"]);
        assert_eq!(f["contradicts"], b["contradicts"]);
        let swapped = match f["kind"].as_str() {
            Some("only-left") => "only-right",
            Some("only-right") => "only-left",
            Some(other) => other,
            None => panic!("a kind"),
        };
        assert_eq!(b["kind"], swapped);
    }
    let citations = |diff: &Value| diff["citations"].as_array().cloned().expect("citations");
    for (f, b) in citations(&forward).iter().zip(&citations(&backward)) {
        assert_eq!(f["left"], b["right"]);
        assert_eq!(f["right"], b["left"]);
    }
    assert!(
        citations(&forward)
            .iter()
            .any(|c| c["right"].as_array().is_some_and(|a| !a.is_empty())),
        "the diff cites India's clauses"
    );
}

#[test]
fn diff_names_where_mds_requires_what_kr_and_eu_forbid() {
    let diff = json_report(&run(&[
        "profiles",
        "diff",
        "kr",
        "eu",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]));
    let conflicts = diff["standards"].as_array().expect("standards");
    let profiles: Vec<&str> = conflicts
        .iter()
        .filter_map(|c| c["profile"].as_str())
        .collect();
    assert_eq!(profiles, ["eu", "kr"], "{conflicts:?}");
    for c in conflicts {
        assert_eq!(c["standard"], "mds");
        assert_eq!(c["requirement"], "ANON-LOC-PRECISION-01");
        assert_eq!(c["needs"], "at least 6");
        assert_eq!(c["allows"], 3);
        let standard_source = c["standard_clause"]["source"].as_str().expect("source");
        assert!(standard_source.contains("2.0.0"), "{c}");
        assert!(
            c["schema"]
                .as_str()
                .is_some_and(|s| s.ends_with("trip.yaml")),
            "{c}"
        );
        let cited = c["profile_clauses"].as_array().expect("profile clauses");
        assert!(!cited.is_empty(), "the profile's side is cited: {c}");
    }
}

#[test]
fn matrix_of_four_regions_for_mobility_analytics() {
    check(
        "matrix_mobility",
        &[
            "profiles",
            "matrix",
            "--declaration",
            "fixtures/flows/mobility-analytics-university.json",
            "-p",
            "eu",
            "-p",
            "sg",
            "-p",
            "in",
            "-p",
            "kr",
            "--as-of",
            "2027-06-01",
        ],
        1,
    );
}

#[test]
fn matrix_in_json_names_what_blocks_each_pair() {
    let output = run(&[
        "profiles",
        "matrix",
        "-d",
        "fixtures/flows/offshore-backup.toml",
        "-p",
        "in",
        "-p",
        "eu",
        "-p",
        "cn",
        "--format",
        "json",
    ]);
    let report = json_report(&output);
    report_schema()
        .validate(&report)
        .unwrap_or_else(|e| panic!("the matrix report matches its schema: {e}"));
    insta::assert_json_snapshot!("matrix_backup_json", report["matrices"][0]);
}

#[test]
fn matrix_needs_two_profiles() {
    check(
        "matrix_one_profile",
        &[
            "profiles",
            "matrix",
            "-d",
            "fixtures/flows/offshore-backup.toml",
            "-p",
            "in",
        ],
        2,
    );
}

#[test]
fn payloads_against_their_declaration() {
    check(
        "validate_declaration",
        &[
            "validate",
            "fixtures/flows/payloads/covered.json",
            "fixtures/flows/payloads/uncovered.ndjson",
            "--declaration",
            "fixtures/flows/mobility-analytics-university.json",
            "-r",
            "FLOW-PAYLOAD-01",
        ],
        1,
    );
}

#[test]
fn a_record_with_an_undeclared_location_fails_its_flow() {
    check(
        "validate_undeclared_location",
        &[
            "validate",
            "fixtures/flows/payloads/trip-in-backup.json",
            "--declaration",
            "fixtures/flows/offshore-backup.toml",
            "-r",
            "FLOW-PAYLOAD-01",
        ],
        1,
    );
}

#[test]
fn covered_payloads_meet_baseline_with_their_declaration() {
    let output = run(&[
        "validate",
        "fixtures/flows/payloads/covered.json",
        "--declaration",
        "fixtures/flows/mobility-analytics-university.json",
        "--format",
        "json",
    ]);
    let report = json_report(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    let rows = report["profiles"][0]["results"]
        .as_array()
        .expect("results");
    let row = rows
        .iter()
        .find(|r| r["requirement"] == "FLOW-PAYLOAD-01")
        .expect("FLOW-PAYLOAD-01 is checked when a declaration is given");
    assert_eq!(row["verdict"], "pass");
}

#[test]
fn without_a_declaration_validate_does_not_plan_the_flow_check() {
    let report = json_report(&run(&[
        "validate",
        "fixtures/flows/payloads/covered.json",
        "--format",
        "json",
    ]));
    let rows = report["profiles"][0]["results"]
        .as_array()
        .expect("results");
    assert!(rows.iter().all(|r| r["requirement"] != "FLOW-PAYLOAD-01"));
}

#[test]
fn an_updated_list_changes_the_verdict_without_a_release() {
    let before = json_report(&run(&[
        "flows",
        "fixtures/flows/transit-card-processor.json",
        "-p",
        "kr",
        "--format",
        "json",
    ]));
    let after = json_report(&run(&[
        "flows",
        "fixtures/flows/transit-card-processor.json",
        "-p",
        "kr",
        "--suites",
        "fixtures/flows/suites-list-update",
        "--format",
        "json",
    ]));
    let xborder = |report: &Value| {
        report["profiles"][0]["results"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["requirement"] == "FLOW-XBORDER-01"))
            .map(|r| r["verdict"].clone())
            .expect("FLOW-XBORDER-01 row")
    };
    assert_eq!(xborder(&before), "fail");
    assert_eq!(xborder(&after), "pass");
}

#[test]
fn an_unknown_list_names_the_profile_file_and_line() {
    check(
        "unknown_list",
        &[
            "flows",
            "fixtures/flows/transit-card-processor.json",
            "--suites",
            "fixtures/flows/suites-bad-list",
            "-p",
            "city",
        ],
        2,
    );
}

#[test]
fn a_basis_mapped_to_two_concepts_names_the_list_file_and_line() {
    check(
        "vocabulary_conflict",
        &[
            "flows",
            "fixtures/flows/kr-bikeshare-pipa-consent.json",
            "--suites",
            "fixtures/flows/suites-bad-vocabulary",
            "-p",
            "eu",
        ],
        2,
    );
}

#[test]
fn a_concept_that_is_not_a_dpv_name_suggests_the_closest_one() {
    check(
        "vocabulary_bad_concept",
        &[
            "flows",
            "fixtures/flows/kr-bikeshare-pipa-consent.json",
            "--suites",
            "fixtures/flows/suites-bad-vocabulary-name",
            "-p",
            "eu",
        ],
        2,
    );
}

#[test]
fn every_malformed_declaration_is_reported_field_by_field() {
    insta::glob!("../../fixtures/flows/malformed", "*.*", |path| {
        let path = common::relative(path);
        let output = run(&["flows", &path, "-p", "kr"]);
        let text = transcript(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(output.stdout.is_empty(), "nothing half-written: {text}");
        assert!(text.contains(&path), "the message names the file: {text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn a_missing_declaration_and_an_unknown_profile_are_usage_errors() {
    check(
        "missing_declaration",
        &["flows", "fixtures/flows/nowhere.json"],
        2,
    );
    check(
        "flows_unknown_profile",
        &[
            "flows",
            "fixtures/flows/offshore-backup.toml",
            "-p",
            "atlantis",
        ],
        2,
    );
    check(
        "validate_flow_requirement_without_declaration",
        &[
            "validate",
            "fixtures/flows/payloads/covered.json",
            "-r",
            "FLOW-PAYLOAD-01",
        ],
        2,
    );
    check(
        "validate_missing_declaration",
        &[
            "validate",
            "fixtures/flows/payloads/covered.json",
            "--declaration",
            "fixtures/flows/malformed/incomplete.json",
        ],
        2,
    );
}
