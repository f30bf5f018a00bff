//! What a live finding gives its reader to see the problem for themselves:
//! a `curl` command in its evidence, shown by every format, naming the
//! tenants' tokens by their variables; and `audit --record`, every
//! exchange as HAR 1.2 with no credential in it.
#![cfg(feature = "reference")]

use std::path::Path;

use cityconform::reference::{Fault, ReferenceOptions, RunningReference};
use serde_json::Value;

use crate::common;

struct Served {
    reference: RunningReference,
    _runtime: tokio::runtime::Runtime,
}

fn serve(faults: &[Fault]) -> Served {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls: true,
            faults: faults.to_vec(),
            ..ReferenceOptions::default()
        }))
        .expect("the reference platform starts on loopback");
    Served {
        reference,
        _runtime: runtime,
    }
}

/// The audit of a platform leaking another tenant's entity and caching
/// data, with every report written into `dir`.
fn audit(dir: &Path) -> (Served, std::process::Output) {
    let served = serve(&[Fault::CrossTenantRead, Fault::NoCacheControl]);
    served.reference.write_target(dir).expect("target written");
    let path = |name: &str| dir.join(name).to_str().expect("UTF-8").to_owned();
    let target = path("target.toml");
    let har = path("exchanges.har");
    let reports: Vec<String> = ["json", "markdown", "html", "sarif"]
        .iter()
        .map(|f| format!("{f}={}", path(&format!("report.{f}"))))
        .collect();
    let mut args = vec!["audit", "--target", &target, "-p", "kr", "--record", &har];
    for report in &reports {
        args.extend(["--report", report.as_str()]);
    }
    let output = common::run(&args);
    (served, output)
}

fn tokens(served: &Served) -> [String; 3] {
    let c = &served.reference.credentials;
    [c.tenant_a.clone(), c.tenant_b.clone(), c.operator.clone()]
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_live_finding_carries_a_curl_command_that_names_the_token_by_its_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (served, output) = audit(dir.path());
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report: Value = serde_json::from_str(&read(dir.path(), "report.json")).expect("JSON");
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    let mut as_tenant_a = Vec::new();
    for finding in findings {
        let command = finding["evidence"]["reproduce"]
            .as_str()
            .unwrap_or_else(|| panic!("no curl command in {finding}"));
        assert!(
            command.starts_with("curl ") || command.starts_with("for i in"),
            "{command}"
        );
        for token in tokens(&served) {
            assert!(!command.contains(&token), "a token in {command}");
        }
        if command.contains("\"$CITY_TOKEN_A\"") {
            as_tenant_a.push((finding.clone(), command.to_owned()));
        }
    }
    let (finding, command) = as_tenant_a
        .iter()
        .find(|(f, _)| f["requirement"] == "SEC-BOLA-01")
        .expect("the cross-tenant read is reproduced as tenant A");
    assert!(command.contains("--cacert \"$CITY_CA_CERT\""), "{command}");

    // The command, run, gets the answer the audit got.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{command} --output /dev/null --write-out '%{{http_code}}'"
        ))
        .env("CITY_TOKEN_A", &served.reference.credentials.tenant_a)
        .env("CITY_CA_CERT", dir.path().join("ca.pem"))
        .output()
        .expect("curl runs");
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        finding["evidence"]["status"].to_string(),
        "{command}: {}",
        String::from_utf8_lossy(&status.stderr)
    );

    // Every format shows it.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("reproduce: curl "), "{stdout}");
    assert!(stdout.contains("\"$CITY_TOKEN_A\""), "{stdout}");
    let markdown = read(dir.path(), "report.markdown");
    assert!(markdown.contains("```sh\n  curl "), "{markdown}");
    let html = read(dir.path(), "report.html");
    assert!(
        html.contains("<pre class=\"reproduce\">curl "),
        "the HTML shows the command"
    );
    let sarif: Value = serde_json::from_str(&read(dir.path(), "report.sarif")).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .all(|r| r["properties"]["evidence"]["reproduce"].is_string()),
        "every SARIF result carries the command"
    );
    for text in [&stdout.into_owned(), &markdown, &html] {
        for token in tokens(&served) {
            assert!(!text.contains(&token), "a token in a report");
        }
    }
}

#[test]
fn the_recorded_exchanges_are_har_1_2_without_a_credential() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (served, output) = audit(dir.path());
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let text = read(dir.path(), "exchanges.har");
    for token in tokens(&served) {
        assert!(!text.contains(&token), "a token in the HAR file");
    }
    let har: Value = serde_json::from_str(&text).expect("the HAR file is JSON");
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "cityconform");
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert!(entries.len() > 10, "{} entries", entries.len());
    let report: Value = serde_json::from_str(&read(dir.path(), "report.json")).expect("JSON");
    // Every request the audit sent is counted; the one TLS 1.1 probe of an
    // HTTPS target is a handshake, not an HTTP exchange, so it alone is
    // not recorded.
    let sent = report["inputs"][0]["records"]
        .as_u64()
        .expect("requests counted");
    assert_eq!(
        entries.len() as u64 + 1,
        sent,
        "one entry per HTTP request the audit sent"
    );
    for entry in entries {
        for member in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(!entry[member].is_null(), "{member} in {entry}");
        }
        assert!(entry["request"]["headers"].is_array());
        assert!(entry["response"]["status"].is_u64());
    }
    let redacted = entries.iter().any(|e| {
        e["request"]["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|h| h["name"] == "authorization" && h["value"] == "Bearer [redacted]")
    });
    assert!(
        redacted,
        "the credential header is kept, its value redacted"
    );
}
