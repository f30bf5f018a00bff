//! Detector definitions as suite data: an overlay's `detectors/` changes
//! what a run finds, a mistake in one stops the run with its file and
//! line, and a report made with a changed detector fails `verify`.

use std::path::Path;
use std::process::Output;

use crate::common;

/// `passport` with India's letter-and-seven-digits form at medium
/// confidence, as a region that wants every such code reported would write
/// it (no Rust: the form and its boundary exist).
const EVERY_CODE_A_PASSPORT: &str = r#"[[detector]]
kind = "passport"
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
    assert_eq!(
        plain.status.code(),
        Some(0),
        "{}",
        common::transcript(&plain)
    );
    let overlay = overlay(dir.path(), EVERY_CODE_A_PASSPORT);
    let overlaid = validate(dir.path(), &["--suites", &overlay]);
    // Only the passport reading of `code` can fail the one requirement.
    assert_eq!(
        overlaid.status.code(),
        Some(1),
        "{}",
        common::transcript(&overlaid)
    );
}

#[test]
fn a_mistake_in_a_detector_file_names_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let broken = EVERY_CODE_A_PASSPORT.replace("boundary = \"code\"", "boundary = \"codes\"");
    let overlay = overlay(dir.path(), &broken);
    let output = validate(dir.path(), &["--suites", &overlay]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    let text = common::transcript(&output);
    assert!(text.contains("passport.toml:5"), "{text}");
}

#[test]
fn a_report_made_with_a_changed_detector_fails_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("record.json"), RECORD).expect("write record");
    let overlay = overlay(dir.path(), EVERY_CODE_A_PASSPORT);
    let keygen = run_in(dir.path(), &["keygen", "signer"]);
    assert_eq!(
        keygen.status.code(),
        Some(0),
        "{}",
        common::transcript(&keygen)
    );
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
    assert_eq!(
        signed.status.code(),
        Some(1),
        "{}",
        common::transcript(&signed)
    );
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "report.json", "--public-key", "signer.pub"];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
    };
    let untrusted = verify(&[]);
    assert_eq!(
        untrusted.status.code(),
        Some(1),
        "{}",
        common::transcript(&untrusted)
    );
    let text = common::transcript(&untrusted);
    assert!(text.contains("detectors/passport.toml"), "{text}");
    let trusted = verify(&["--suites", &overlay]);
    assert_eq!(
        trusted.status.code(),
        Some(0),
        "{}",
        common::transcript(&trusted)
    );
}
