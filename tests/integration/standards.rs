//! Data standards against profiles: a payload that conforms to a standard
//! and fails a profile only because the profile forbids what the standard
//! requires is reported as that conflict, both sides cited, by `validate`
//! (text and JSON) and by the matrix's JSON; the standard files are
//! digested in the signed provenance, so a report made with a changed
//! standard fails `verify`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{self, json_report, run, transcript};

const SCHEMA: &str = "fixtures/standards/mds/schema/trip.schema.json";
const TRIP: &str = "fixtures/standards/mds/trip-gps.json";
const AS_OF: &str = "2026-11-30";

fn validate_trip(profiles: &[&str], format: &str) -> Output {
    let mut args = vec![
        "validate",
        TRIP,
        "--schema",
        SCHEMA,
        "--requirement",
        "ANON-LOC-PRECISION-01",
        "--as-of",
        AS_OF,
        "--format",
        format,
    ];
    for profile in profiles {
        args.extend(["-p", profile]);
    }
    run(&args)
}

#[test]
fn an_mds_trip_at_gps_precision_fails_kr_as_a_conflict_of_standard_and_profile() {
    let output = validate_trip(&["kr"], "text");
    let text = common::expect_exit(&output, 1);
    insta::assert_snapshot!("mds_trip_under_kr", text);

    let report = json_report(&validate_trip(&["kr"], "json"));
    let errors = common::schema_errors(&common::report_validator(), &report);
    assert!(errors.is_empty(), "{errors}");
    assert_eq!(report["schema_version"], "4.3");
    let findings = report["findings"].as_array().expect("findings");
    let pointers: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["location"]["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/end_location", "/start_location"], "{report}");
    for finding in findings {
        assert_eq!(finding["verdicts"]["kr"], "fail");
        let conflicts = finding["conflicts"].as_array().expect("a conflict");
        assert_eq!(conflicts.len(), 1, "{finding}");
        let c = &conflicts[0];
        assert_eq!(c["standard"], "mds");
        assert_eq!(c["profile"], "kr");
        assert_eq!(c["needs"], "at least 6");
        assert_eq!(c["allows"], 3);
        let standard = c["standard_clause"]["source"].as_str().expect("source");
        assert!(standard.contains("Mobility Data Specification") && standard.contains("2.0.0"));
        assert!(
            c["standard_clause"]["clause"]
                .as_str()
                .is_some_and(|k| k.contains("Trips")),
            "{c}"
        );
        let cited = c["profile_clauses"].as_array().expect("the profile's side");
        assert!(
            cited
                .iter()
                .any(|k| k["source"].as_str().is_some_and(|s| s.contains("PIPC"))),
            "{c}"
        );
    }
}

#[test]
fn html_markdown_and_sarif_carry_the_conflict_too() {
    let html = common::expect_exit(&validate_trip(&["kr"], "html"), 1);
    assert!(
        html.contains(r#"class="conflict" data-profile="kr" data-standard="mds""#),
        "{html}"
    );
    let markdown = common::expect_exit(&validate_trip(&["kr"], "markdown"), 1);
    assert!(
        markdown.contains("conflict between the standard mds and the profile kr"),
        "{markdown}"
    );
    let sarif = json_report(&validate_trip(&["kr"], "sarif"));
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .all(|r| r["properties"]["conflicts"][0]["standard"] == "mds"),
        "{sarif}"
    );
}

#[test]
fn a_profile_allowing_gps_precision_passes_the_trip_with_no_conflict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profiles = dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).expect("mkdir");
    std::fs::write(
        profiles.join("gps.toml"),
        "id = \"gps\"\ntitle = \"GPS trips\"\ndescription = \"kr with trips at GPS precision\"\nextends = \"kr\"\n[requirements.ANON-LOC-PRECISION-01]\nparams = { max_decimals = 6 }\n",
    )
    .expect("write profile");
    let suites = dir.path().display().to_string();
    let output = run(&[
        "validate",
        TRIP,
        "--schema",
        SCHEMA,
        "--requirement",
        "ANON-LOC-PRECISION-01",
        "--as-of",
        AS_OF,
        "--suites",
        &suites,
        "-p",
        "gps",
        "--format",
        "json",
    ]);
    common::expect_exit(&output, 0);
    let report = json_report(&output);
    assert_eq!(report["findings"], serde_json::json!([]), "{report}");
}

#[test]
fn the_matrix_in_json_carries_the_standards_conflicts() {
    let output = run(&[
        "profiles",
        "matrix",
        "--declaration",
        "fixtures/flows/kr-hub-eu-research.json",
        "-p",
        "kr",
        "-p",
        "eu",
        "-p",
        "sg",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        transcript(&output)
    );
    let report = json_report(&output);
    let errors = common::schema_errors(&common::report_validator(), &report);
    assert!(errors.is_empty(), "{errors}");
    let standards = &report["matrices"][0]["standards"];
    insta::assert_json_snapshot!("matrix_standards_kr_eu_sg", standards);
    let profiles: Vec<&str> = standards
        .as_array()
        .expect("standards")
        .iter()
        .filter_map(|c| c["profile"].as_str())
        .collect();
    // sg keeps the baseline's four decimals, which MDS contradicts too.
    assert_eq!(profiles, ["kr", "eu", "sg"], "{standards}");
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::cityconform(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

#[test]
fn a_report_made_with_a_changed_standard_fails_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundled = std::fs::read_to_string(common::root().join("suites/standards/mds.toml"))
        .expect("the bundled standard");
    let relaxed = bundled.replacen("at_least = 6", "at_least = 3", 1);
    assert_ne!(relaxed, bundled, "the bound is written as at_least = 6");
    std::fs::create_dir_all(dir.path().join("overlay/standards")).expect("mkdir");
    std::fs::write(dir.path().join("overlay/standards/mds.toml"), relaxed).expect("write");
    let declaration = common::root().join("fixtures/flows/kr-hub-eu-research.json");
    std::fs::copy(&declaration, dir.path().join("declaration.json")).expect("copy");
    common::expect_exit(&run_in(dir.path(), &["keygen", "signer"]), 0);
    let signed = run_in(
        dir.path(),
        &[
            "flows",
            "declaration.json",
            "-p",
            "kr",
            "-p",
            "eu",
            "--as-of",
            AS_OF,
            "--suites",
            "overlay",
            "--sign-key",
            "signer.key",
            "--report",
            "json=report.json",
            "--quiet",
        ],
    );
    assert!(
        matches!(signed.status.code(), Some(0 | 1)),
        "{}",
        transcript(&signed)
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("the report"),
    )
    .expect("JSON");
    let catalogue = report["provenance"]["catalogue"]
        .as_object()
        .expect("catalogue digests");
    assert!(
        catalogue
            .keys()
            .any(|name| name.ends_with("standards/mds.toml") && name.contains("overlay")),
        "{catalogue:?}"
    );
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "report.json", "--public-key", "signer.pub"];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };
    let untrusted = verify(&[]);
    let text = common::expect_exit(&untrusted, 1);
    insta::assert_snapshot!("verify_changed_standard", text);
    assert!(text.contains("overlay/standards/mds.toml"), "{text}");
    common::expect_exit(&verify(&["--suites", "overlay"]), 0);
}
