//! The HTML report in a real browser: headless Chromium (Debian's
//! `chromium` package) loads the page of the fixture repository's check
//! from a file, with no network, and the test reads the DOM it built and
//! saves a screenshot under `target/`. Without Chromium the test says so
//! and passes, except in CI (`CI` set), where a missing browser fails it.

#![allow(clippy::print_stdout, reason = "the test says why it skips")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Runs Chromium on `page` with `extra` flags; its stdout. Killed after a
/// minute so a hung browser fails the test instead of stalling the suite.
fn run_chromium(browser: &Path, page: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The HTML report of the fixture repository, written to a temp folder.
fn html_report(dir: &Path) -> PathBuf {
    let page = dir.join("report.html");
    let config = common::root().join("fixtures/check/cityconform.toml");
    let output = common::cityconform(&[
        "check",
        "--config",
        config.to_str().expect("utf-8"),
        "--quiet",
        "--report",
        &format!("html={}", page.display()),
    ])
    .output()
    .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    page
}

#[test]
fn the_html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed; .ci/run installs Debian's `chromium` package");
        }
        println!(
            "note: chromium not found; skipping the browser test (apt-get install -y chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = html_report(dir.path());
    let dom = run_chromium(&browser, &page, &["--dump-dom".to_owned()]);
    for element in [
        r#"<h1 id="result" data-met="false">"#,
        r#"<svg id="chart""#,
        r#"<table id="profiles">"#,
        r#"id="count-findings" data-count="2""#,
        r#"id="count-waived" data-count="1""#,
        r#"id="expired-warning""#,
        r#"<section id="waivers">"#,
        r#"<tr data-status="expired">"#,
    ] {
        assert!(
            dom.contains(element),
            "the rendered page has no `{element}`:\n{dom}"
        );
    }
    let failing = dom.find(r#"id="req-ANON-ID-VALUE-01" data-verdict="fail""#);
    let waived = dom.find(r#"id="req-ANON-LOC-PRECISION-01" data-verdict="waived""#);
    assert!(
        matches!((failing, waived), (Some(f), Some(w)) if f < w),
        "failing requirements come first"
    );
    assert!(
        !dom.contains("<script") && !dom.contains("<link") && !dom.contains("src=\"http"),
        "the page loads nothing from outside"
    );
    // Kept after the run (under the target folder) for a person to look at.
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &browser,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,1600".to_owned(),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot was saved");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real PNG"
    );
}
