//! Retention limits the laws do not set: every profile's limit is its own
//! choice, a SHOULD whose message names the value as that choice, never a
//! MUST citing an article without a number.

use cityconform::catalog::{Catalogue, Level};

use crate::common::{self, json_report, run};

#[test]
fn every_profile_holds_its_retention_limit_as_a_should() {
    let catalogue = Catalogue::embedded().expect("embedded catalogue");
    for id in common::bundled_profiles() {
        let profile = catalogue.resolve(id).expect("profile resolves");
        if let Some(selection) = profile.selection("FLOW-RETENTION-01") {
            assert_eq!(selection.level, Level::Should, "profile {id}");
        }
    }
}

#[test]
fn a_retention_longer_than_the_chosen_limit_warns_and_names_the_choice() {
    let text = std::fs::read_to_string(
        common::root().join("fixtures/flows/kr-bikeshare-pipa-consent.json"),
    )
    .expect("fixture");
    let longer = text.replace("\"retention\": \"P1Y\"", "\"retention\": \"P10Y\"");
    assert_ne!(text, longer);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bike-share-ten-years.json");
    std::fs::write(&path, longer).expect("write");
    let path = path.display().to_string();
    for profile in ["eu", "kr", "sg", "in"] {
        let output = run(&[
            "flows",
            &path,
            "-p",
            profile,
            "--as-of",
            "2026-01-01",
            "--format",
            "json",
        ]);
        let report = json_report(&output);
        let finding = common::finding(&report, "FLOW-RETENTION-01")
            .unwrap_or_else(|| panic!("{profile}: a retention finding"));
        assert_eq!(finding["verdicts"][profile], "warn", "{profile}: {finding}");
        let message = finding["message"].as_str().expect("message");
        assert!(
            message.contains(
                "longer than P5Y, the limit this profile chooses (the texts it cites set no period)"
            ),
            "{profile}: {message}"
        );
    }
}
