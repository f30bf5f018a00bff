//! Links and special files among the inputs: a link to a payload file or
//! folder is followed (a loop is refused, naming the link), and a FIFO
//! named where a file is read (a configuration, declaration, descriptor,
//! target, report to verify, suite file) is refused at once instead of
//! blocking the run forever.
#![cfg(unix)]

use std::path::Path;
use std::time::Duration;

use crate::common::{self, transcript};

/// Longest any run here may take: each refusal is immediate.
const WATCHDOG: Duration = Duration::from_secs(30);

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut command = common::cityconform(args);
    command.current_dir(dir);
    common::watchdog::run(command, WATCHDOG)
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A folder of links (one to a failing payload, one to a folder of them)
/// gives the same verdicts and findings as the files it links to.
#[test]
fn links_to_payload_files_and_folders_are_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let invalid = common::root().join("fixtures/payloads/invalid");
    let linked = dir.path().join("payloads");
    std::fs::create_dir(&linked).expect("mkdir");
    std::os::unix::fs::symlink(&invalid, linked.join("invalid")).expect("folder link");
    std::os::unix::fs::symlink(invalid.join("id-email.json"), linked.join("contact.json"))
        .expect("file link");
    let through_links = run_in(dir.path(), &["validate", "payloads", "--format", "json"]);
    let direct = common::run(&[
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "fixtures/payloads/invalid",
        "--format",
        "json",
    ]);
    common::expect_exit(&through_links, direct.status.code().expect("exit code"));
    let (linked, direct) = (
        common::json_report(&through_links),
        common::json_report(&direct),
    );
    assert_eq!(linked["profiles"], direct["profiles"]);
    assert_eq!(
        linked["findings"].as_array().map(Vec::len),
        direct["findings"].as_array().map(Vec::len)
    );
    assert!(
        linked["summary"]["subjects"].as_u64() > Some(1),
        "{}",
        linked["summary"]
    );
}

#[test]
fn a_link_loop_among_the_payloads_is_refused_naming_the_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let payloads = dir.path().join("payloads");
    std::fs::create_dir(&payloads).expect("mkdir");
    std::fs::copy(
        common::root().join("fixtures/payloads/valid/mobility-trip.json"),
        payloads.join("trip.json"),
    )
    .expect("copy");
    std::os::unix::fs::symlink("..", payloads.join("up")).expect("loop link");
    let output = run_in(dir.path(), &["validate", "payloads"]);
    let text = common::expect_exit(&output, 2);
    common::path_filters(&[(dir.path(), "[dir]")])
        .bind(|| insta::assert_snapshot!("link_loop_refused", text));
}

/// Every place that reads a file the user named refuses a FIFO with its
/// kind, exit 2, instead of waiting on it.
#[test]
fn a_fifo_where_a_file_is_read_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["named.json", "named.toml"] {
        mkfifo(&dir.path().join(name));
    }
    let suites = dir.path().join("overlay/profiles");
    std::fs::create_dir_all(&suites).expect("mkdir");
    mkfifo(&suites.join("city.toml"));
    let trip = common::root().join("fixtures/payloads/valid/mobility-trip.json");
    let trip = trip.to_str().expect("utf-8");
    let dataset = common::root().join("fixtures/datasets/empty.csv");
    let dataset = dataset.to_str().expect("utf-8");
    let runs: [(&str, Vec<&str>); 7] = [
        ("check", vec!["check", "-c", "named.toml"]),
        ("flows", vec!["flows", "named.json"]),
        ("dataset", vec!["dataset", dataset, "-d", "named.toml"]),
        ("audit", vec!["audit", "--target", "named.toml"]),
        (
            "verify",
            vec!["verify", "named.json", "--public-key", "named.toml"],
        ),
        ("validate", vec!["validate", "named.json"]),
        ("suites", vec!["validate", trip, "--suites", "overlay"]),
    ];
    for (name, args) in runs {
        let output = run_in(dir.path(), &args);
        let text = transcript(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {text}");
        assert!(
            text.contains("FIFO") || text.contains("no payload files"),
            "{name} names the FIFO: {text}"
        );
    }
}
