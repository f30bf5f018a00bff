//! A `--suites` folder that redefines a bundled profile: refused unless it
//! says `replaces`, and then reported in every format with what changed,
//! so a weaker `kr` never passes as the bundled one. The README's own
//! example builds on `kr` under a new ID instead.

use std::path::Path;

use crate::common::{self, expect_exit, json_report, run};

/// The README's example as it once stood: a `kr` built on `baseline`.
const KR_ON_BASELINE: &str = "id = \"kr\"\ntitle = \"Republic of Korea (PIPA), city of Busan reading\"\ndescription = \"Trips coarsened to about 1 km.\"\nextends = \"baseline\"\njurisdictions = [\"KR\"]\n\n[requirements.ANON-LOC-PRECISION-01]\nlevel = \"MUST\"\nparams = { max_decimals = 2 }\n";

/// A folder with `profiles/NAME.toml` holding `text`.
fn overlay(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(dir.path().join("profiles")).expect("profiles folder");
    std::fs::write(dir.path().join(format!("profiles/{name}.toml")), text).expect("profile");
    dir
}

/// The k = 4 extract under `profile`, with the overlay `suites`.
fn audit_k4(suites: &Path, profile: &str, format: &str) -> std::process::Output {
    run(&[
        "dataset",
        "fixtures/datasets/fail-kanon.csv",
        "-d",
        "fixtures/datasets/trips.toml",
        "--suites",
        suites.to_str().expect("utf-8 path"),
        "--profile",
        profile,
        "--format",
        format,
    ])
}

#[test]
fn a_profile_taking_a_bundled_id_without_replaces_is_refused() {
    let suites = overlay("kr", KR_ON_BASELINE);
    let output = audit_k4(suites.path(), "kr", "text");
    let text = expect_exit(&output, 2);
    common::path_filters(&[(suites.path(), "[suites]")]).bind(|| {
        insta::assert_snapshot!("replaced_profile_refused", text);
    });
}

#[test]
fn a_replaced_profile_is_reported_with_what_changed_level_by_level() {
    let suites = overlay("kr", &format!("replaces = \"kr\"\n{KR_ON_BASELINE}"));
    // The k = 4 extract fails the bundled kr (MUST k 5) ...
    expect_exit(
        &run(&[
            "dataset",
            "fixtures/datasets/fail-kanon.csv",
            "-d",
            "fixtures/datasets/trips.toml",
            "--profile",
            "kr",
        ]),
        1,
    );
    // ... and meets the replacement (SHOULD k 3), which says so.
    let output = audit_k4(suites.path(), "kr", "text");
    let text = expect_exit(&output, 0);
    let warning: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("is not the one first defined"))
        .collect();
    assert_eq!(warning.len(), 1, "{text}");
    for change in [
        "ANON-KANON-01: SHOULD (was MUST), k = 3 (was 5);",
        "ANON-LOC-PRECISION-01: max_decimals = 2 (was 3);",
        "FLOW-PSEUDO-01: dropped (was MUST);",
    ] {
        assert!(
            warning[0].contains(change),
            "{change} missing from {}",
            warning[0]
        );
    }
    common::path_filters(&[(suites.path(), "[suites]")]).bind(|| {
        insta::assert_snapshot!("replaced_profile_warning", warning[0]);
    });
    let report = json_report(&audit_k4(suites.path(), "kr", "json"));
    let replaced = &report["law"]["replaced"][0];
    assert_eq!(replaced["profile"], "kr");
    assert!(
        replaced["changes"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c == "FLOW-PSEUDO-01: dropped (was MUST)")),
        "{replaced}"
    );
    let errors = common::schema_errors(&common::report_validator(), &report);
    assert!(errors.is_empty(), "{errors}");
}

#[test]
fn the_readme_example_builds_on_kr_and_keeps_its_verdict() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let start = readme
        .find("# my-suites/profiles/kr-busan.toml\n")
        .expect("the README's profile example");
    let block = &readme[start..];
    let example = &block[..block.find("```").expect("end of the example")];
    let suites = overlay("kr-busan", example);
    let output = audit_k4(suites.path(), "kr-busan", "text");
    let text = expect_exit(&output, 1);
    assert!(!text.contains("is not the one first defined"), "{text}");
}
