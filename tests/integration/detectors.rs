//! Detector definitions as suite data: an overlay's `detectors/` changes
//! what a run finds or adds a kind of identifier, a mistake in one stops
//! the run with its file and line, and a report made with a changed
//! detector fails `verify`.

use std::path::Path;
use std::process::Output;

use crate::common;

/// `passport` with India's letter-and-seven-digits form at medium
/// confidence, as a region that wants every such code reported would write
/// it (no Rust: the form and its boundary exist).
const EVERY_CODE_A_PASSPORT: &str = r#"[[detector]]
kind = "passport"
description = "passport number"
[[detector.form]]
pattern = '[A-PR-WY][1-9][0-9]{6}'
boundary = "code"
confidence = "medium"
"#;

const RECORD: &str = r#"{"id": "urn:ngsi-ld:Ticket:1", "type": "Ticket", "code": "A1234567"}"#;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::cityconform(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn overlay(dir: &Path, text: &str) -> String {
    let overlay = dir.join("overlay");
    std::fs::create_dir_all(overlay.join("detectors")).expect("mkdir");
    std::fs::write(overlay.join("detectors/passport.toml"), text).expect("write overlay");
    overlay.display().to_string()
}

fn validate(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "validate",
        "record.json",
        "-p",
        "baseline",
        "--requirement",
        "ANON-ID-VALUE-01",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
fn an_overlay_detector_changes_what_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let plain = validate(dir.path(), &[]);
    common::expect_exit(&plain, 0);
    let overlay = overlay(dir.path(), EVERY_CODE_A_PASSPORT);
    let overlaid = validate(dir.path(), &["--suites", &overlay]);
    // Only the passport reading of `code` can fail the one requirement.
    common::expect_exit(&overlaid, 1);
}

#[test]
fn a_mistake_in_a_detector_file_names_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let broken = EVERY_CODE_A_PASSPORT.replace("boundary = \"code\"", "boundary = \"codes\"");
    let overlay = overlay(dir.path(), &broken);
    let output = validate(dir.path(), &["--suites", &overlay]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("passport.toml:6"), "{text}");
}

#[test]
fn a_report_made_with_a_changed_detector_fails_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let overlay = overlay(dir.path(), EVERY_CODE_A_PASSPORT);
    let keygen = run_in(dir.path(), &["keygen", "signer"]);
    common::expect_exit(&keygen, 0);
    let signed = validate(
        dir.path(),
        &[
            "--suites",
            &overlay,
            "--sign-key",
            "signer.key",
            "--report",
            "json=report.json",
        ],
    );
    common::expect_exit(&signed, 1);
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "report.json", "--public-key", "signer.pub"];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };
    let untrusted = verify(&[]);
    let text = common::expect_exit(&untrusted, 1);
    assert!(text.contains("detectors/passport.toml"), "{text}");
    let trusted = verify(&["--suites", &overlay]);
    common::expect_exit(&trusted, 0);
}

/// Malaysia's identity card number (MyKad: birth date, place code, serial
/// and gender digit, `YYMMDD-PB-###G`), a kind no embedded definition has,
/// added by a region as data: its definition, and a profile whose
/// identifier requirement selects it.
const MYKAD_DETECTOR: &str = r#"[[detector]]
kind = "my-mykad"
description = "Malaysian identity card number (MyKad)"
members = ["mykad", "ic_number"]
[[detector.form]]
pattern = '[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9]{2}-[0-9]{4}'
boundary = "token"
confidence = "medium"
"#;

const MALAYSIA_PROFILE: &str = r#"id = "my"
title = "Malaysia (example)"
description = "The baseline, with MyKad numbers among the identifiers no record may carry."
extends = "baseline"
jurisdictions = ["MY"]

[requirements.ANON-ID-VALUE-01]
params = { detectors = ["email", "my-mykad"] }
"#;

fn malaysia_overlay(dir: &Path, profile: &str) -> String {
    let overlay = dir.join("malaysia");
    std::fs::create_dir_all(overlay.join("detectors")).expect("mkdir");
    std::fs::create_dir_all(overlay.join("profiles")).expect("mkdir");
    std::fs::write(overlay.join("detectors/my.toml"), MYKAD_DETECTOR).expect("write detector");
    std::fs::write(overlay.join("profiles/my.toml"), profile).expect("write profile");
    overlay.display().to_string()
}

#[test]
fn a_region_adds_a_kind_of_identifier_without_rust() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("record.json"),
        r#"{"id": "urn:ngsi-ld:Permit:7", "type": "Permit", "holder": "850714-10-5123"}"#,
    )
    .expect("write record");
    let overlay = malaysia_overlay(dir.path(), MALAYSIA_PROFILE);
    let run = |profile: &str| {
        run_in(
            dir.path(),
            &[
                "validate",
                "record.json",
                "-p",
                profile,
                "--requirement",
                "ANON-ID-VALUE-01",
                "--suites",
                &overlay,
                "--format",
                "json",
            ],
        )
    };
    let baseline = run("baseline");
    common::expect_exit(&baseline, 0);
    let malaysia = run("my");
    common::expect_exit(&malaysia, 1);
    let text = String::from_utf8_lossy(&malaysia.stdout);
    assert!(
        text.contains("`/holder` contains a Malaysian identity card number (MyKad)"),
        "{text}"
    );
    assert!(text.contains(r#""identifier": "my-mykad""#), "{text}");
    assert!(!text.contains("850714"), "the value is never shown: {text}");
}

#[test]
fn a_profile_naming_a_kind_nobody_defines_is_refused_with_the_kinds_that_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let overlay = malaysia_overlay(
        dir.path(),
        &MALAYSIA_PROFILE.replace("\"my-mykad\"]", "\"my-mycad\"]"),
    );
    let output = validate(dir.path(), &["--suites", &overlay, "-p", "my"]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("unknown detector `my-mycad`"), "{text}");
    assert!(text.contains("my-mykad"), "{text}");
}

#[test]
fn a_name_holding_a_kind_a_region_added_is_shown_as_its_placeholder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("record.json"),
        r#"{"id": "urn:ngsi-ld:Permit:7", "type": "Permit", "holders": {"850714-10-5123": "on file"}}"#,
    )
    .expect("write record");
    let overlay = malaysia_overlay(dir.path(), MALAYSIA_PROFILE);
    let output = run_in(
        dir.path(),
        &[
            "validate",
            "record.json",
            "-p",
            "my",
            "--requirement",
            "ANON-ID-VALUE-01",
            "--suites",
            &overlay,
        ],
    );
    let text = common::expect_exit(&output, 1);
    assert!(text.contains("/holders/[my-mykad]"), "{text}");
    assert!(!text.contains("850714"), "the name is never shown: {text}");
}
