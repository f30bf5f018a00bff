//! The HTML report in a real browser: headless Chromium (Debian's
//! `chromium` package) loads pages written by the binary from a file, with
//! no network, and the tests read the DOM it built: the fixture
//! repository's check (and a screenshot saved under `target/`), a real
//! dataset audit (its k, l and t, against the JSON report of the same run)
//! and a real declaration judged by two profiles (its flow matrix). Without
//! Chromium the tests say so and pass, except in CI (`CI` set), where a
//! missing browser fails them.

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

/// The browser, or `None` (with a note) when it is missing outside CI;
/// in CI a missing browser fails the test.
fn browser_or_skip() -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("chromium is not installed; .ci/run installs Debian's `chromium` package");
        }
        println!(
            "note: chromium not found; skipping the browser test (apt-get install -y chromium)"
        );
    }
    browser
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
    let Some(browser) = browser_or_skip() else {
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
    assert_self_contained(&dom);
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

/// Nothing in the page is fetched or run: no script, no stylesheet link,
/// no remote source.
fn assert_self_contained(dom: &str) {
    assert!(
        !dom.contains("<script") && !dom.contains("<link") && !dom.contains("src=\"http"),
        "the page loads nothing from outside"
    );
}

/// Runs the binary with `args` plus `--report html=...` and `--report
/// json=...` into `dir`, expecting exit code `exit`; the page's path and
/// the JSON report of the same run.
fn html_and_json(dir: &Path, args: &[&str], exit: i32) -> (PathBuf, serde_json::Value) {
    let page = dir.join("report.html");
    let json = dir.join("report.json");
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    all.extend([
        "--quiet".to_owned(),
        "--report".to_owned(),
        format!("html={}", page.display()),
        "--report".to_owned(),
        format!("json={}", json.display()),
    ]);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = common::cityconform(&refs).output().expect("runs");
    assert_eq!(
        output.status.code(),
        Some(exit),
        "{}",
        common::transcript(&output)
    );
    let text = std::fs::read_to_string(&json).expect("the JSON report was written");
    let report = serde_json::from_str(&text).expect("the JSON report is JSON");
    (page, report)
}

/// A measure as the reports write it: at most four decimals, no trailing
/// zeros.
fn short(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[test]
fn a_dataset_audit_shows_k_l_and_t_in_the_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (page, report) = html_and_json(
        dir.path(),
        &[
            "dataset",
            "fixtures/datasets/fail-tclose.csv",
            "--descriptor",
            "fixtures/datasets/trips.toml",
            "-p",
            "kr",
            "-p",
            "eu",
        ],
        1,
    );
    let dom = run_chromium(&browser, &page, &["--dump-dom".to_owned()]);
    let measured = &report["datasets"][0];
    let integer = |name: &str| {
        measured[name]
            .as_u64()
            .unwrap_or_else(|| panic!("`{name}` in the JSON report"))
            .to_string()
    };
    let number = |name: &str| {
        short(
            measured[name]
                .as_f64()
                .unwrap_or_else(|| panic!("`{name}` in the JSON report")),
        )
    };
    let t = number("t");
    assert_ne!(t, "0", "the fixture has a class far from the whole table");
    for (key, name, value) in [
        ("k", "k", integer("k")),
        ("l-distinct", "l distinct", integer("l_distinct")),
        ("l-entropy", "l entropy", integer("l_entropy")),
        ("t", "t", t),
    ] {
        let row =
            format!(r#"<tr data-metric="{key}"><th>{name}</th><td class="num">{value}</td></tr>"#);
        assert!(
            dom.contains(&row),
            "the rendered page has no `{row}`:\n{dom}"
        );
    }
    for element in [
        r#"<section id="dataset" data-input="fixtures/datasets/fail-tclose.csv">"#,
        &format!(
            r#"<span id="dataset-rows" data-count="{}">"#,
            integer("rows")
        ),
        r#"<tr data-column="purpose" data-role="sensitive">"#,
        r#"<details id="passing">"#,
    ] {
        assert!(
            dom.contains(element),
            "the rendered page has no `{element}`:\n{dom}"
        );
    }
    assert_self_contained(&dom);
}

#[test]
fn a_flows_run_shows_its_matrix_in_the_browser() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (page, report) = html_and_json(
        dir.path(),
        &[
            "flows",
            "fixtures/flows/mobility-analytics-university.json",
            "-p",
            "kr",
            "-p",
            "eu",
        ],
        1,
    );
    let dom = run_chromium(&browser, &page, &["--dump-dom".to_owned()]);
    let flows = report["matrices"][0]["flows"]
        .as_array()
        .expect("a matrix in the JSON report");
    assert!(!flows.is_empty(), "the declaration has flows");
    for row in flows {
        let flow = row["flow"].as_str().expect("flow ID");
        assert!(
            dom.contains(&format!(r#"<tr data-flow="{flow}">"#)),
            "no row for flow `{flow}`:\n{dom}"
        );
        for cell in row["met"].as_array().expect("cells") {
            let profile = cell["profile"].as_str().expect("profile");
            let met = cell["met"].as_bool().expect("met");
            let shown = format!(r#"data-profile="{profile}" data-met="{met}""#);
            assert!(
                dom.contains(&shown),
                "flow `{flow}` under {profile} is not shown {met}:\n{dom}"
            );
        }
        for pair in row["pairs"].as_array().expect("pairs") {
            let (left, right) = (
                pair["left"].as_str().expect("left"),
                pair["right"].as_str().expect("right"),
            );
            let both = pair["both"].as_bool().expect("both");
            let shown =
                format!(r#"<tr data-flow="{flow}" data-pair="{left}+{right}" data-both="{both}">"#);
            assert!(dom.contains(&shown), "no `{shown}`:\n{dom}");
            for blocker in pair["needed"].as_array().expect("needed") {
                let requirement = blocker["requirement"].as_str().expect("requirement");
                let listed = format!(r#"<li data-requirement="{requirement}">"#);
                assert!(dom.contains(&listed), "no `{listed}`:\n{dom}");
            }
        }
    }
    // The mobility flow is met by eu and not by kr: the pair is blocked by
    // the transfer requirement, and its link leads to that requirement.
    for element in [
        r#"<td data-profile="kr" data-met="false"><span class="badge not-met">not met</span><br><span class="reading">read as if the flow started in KR; it starts in SG</span></td>"#,
        r#"<td data-profile="eu" data-met="true"><span class="badge met">met</span><br><span class="reading">read as if the flow started in EU; it starts in SG</span></td>"#,
        r#"data-pair="kr+eu" data-both="false""#,
        r##"<a href="#req-FLOW-XBORDER-01">"##,
        r#"<section class="requirement" id="req-FLOW-XBORDER-01" data-verdict="fail">"#,
    ] {
        assert!(
            dom.contains(element),
            "the rendered page has no `{element}`:\n{dom}"
        );
    }
    assert_self_contained(&dom);
}
