//! Bounded memory: findings listed are capped per (profile, requirement)
//! (`--keep-findings`, default 1000), counts stay exact, and the report
//! says how many were left out.

use crate::common;

#[test]
fn a_large_file_keeps_the_cap_per_requirement_with_exact_counts() {
    const RECORDS: usize = 20_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let base: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("fixtures/payloads/invalid/id-email.json"))
            .expect("fixture"),
    )
    .expect("fixture is JSON");
    let line = serde_json::to_string(&base).expect("one line");
    let data = dir.path().join("many.ndjson");
    std::fs::write(&data, format!("{line}\n").repeat(RECORDS)).expect("data written");
    let data = data.display().to_string();
    let output = common::run(&[
        "validate",
        &data,
        "--format",
        "json",
        "--keep-findings",
        "10",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let mut left_out_total = 0;
    let mut failing = 0;
    for profile in report["profiles"].as_array().into_iter().flatten() {
        let id = profile["id"].as_str().unwrap_or("");
        for result in profile["results"].as_array().into_iter().flatten() {
            let requirement = result["requirement"].as_str().unwrap_or("");
            let listed = findings
                .iter()
                .filter(|f| f["requirement"] == requirement && f["verdicts"].get(id).is_some())
                .count() as u64;
            let failed = result["counts"]["fail"].as_u64().unwrap_or(0)
                + result["counts"]["warn"].as_u64().unwrap_or(0)
                + result["counts"]["error"].as_u64().unwrap_or(0);
            let left_out = result["findings_left_out"].as_u64().unwrap_or(0);
            assert!(listed <= 10, "{requirement}: {listed} listed");
            if failed > 0 {
                failing += 1;
                assert_eq!(failed, RECORDS as u64, "{requirement}: the count is exact");
                assert_eq!(listed, 10, "{requirement}: the cap is reached");
                assert!(
                    listed + left_out >= failed,
                    "{requirement}: {listed} listed and {left_out} left out of {failed}"
                );
            }
            left_out_total += left_out;
        }
    }
    assert!(failing > 0, "no requirement failed");
    assert!(left_out_total > 0);
    assert!(report["summary"]["findings_left_out"].as_u64().unwrap_or(0) > 0);
    assert_eq!(report["summary"]["findings"], findings.len() as u64);
    let errors = common::schema_errors(&common::report_validator(), &report);
    assert!(errors.is_empty(), "{errors}");
}

#[test]
fn the_text_report_says_findings_were_left_out() {
    let output = common::run(&[
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "fixtures/payloads/invalid/id-email.json",
        "--keep-findings",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("counted but not listed"),
        "{}",
        common::transcript(&output)
    );
}
