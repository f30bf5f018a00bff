//! The live audit against the embedded reference platform, over real HTTPS
//! on loopback: the conformant platform meets every requirement, and each
//! fault fails exactly the requirements it names. All but the bad-target
//! checks serve the platform, so they need the `reference` feature.

#[cfg(feature = "reference")]
use std::collections::BTreeSet;
#[cfg(feature = "reference")]
use std::path::Path;

#[cfg(feature = "reference")]
use cityconform::reference::{Fault, ReferenceOptions, RunningReference};
#[cfg(feature = "reference")]
use serde_json::Value;

use crate::common;

/// The reference platform with the runtime it serves on; the platform is
/// dropped (stopped) before its runtime.
#[cfg(feature = "reference")]
struct Platform {
    reference: RunningReference,
    _runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "reference")]
impl std::ops::Deref for Platform {
    type Target = RunningReference;

    fn deref(&self) -> &RunningReference {
        &self.reference
    }
}

#[cfg(feature = "reference")]
fn start(faults: &[Fault], tls: bool) -> Platform {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls,
            faults: faults.to_vec(),
            ..ReferenceOptions::default()
        }))
        .expect("the reference platform starts on loopback");
    Platform {
        reference,
        _runtime: runtime,
    }
}

/// Runs `audit` on the target in `dir` with `extra` arguments.
#[cfg(feature = "reference")]
fn audit(dir: &Path, extra: &[&str]) -> std::process::Output {
    let target = dir.join("target.toml");
    let target = target.to_str().expect("temp paths are UTF-8");
    let mut args = vec!["audit", "--target", target];
    args.extend_from_slice(extra);
    common::run(&args)
}

/// Whether `result` is a requirement of another kind of API (OGC API -
/// Features, GBFS), which does not apply to the reference's generic API.
#[cfg(feature = "reference")]
fn for_another_api(result: &Value) -> bool {
    result["verdict"] == "skip"
        && result["reason"].as_str().is_some_and(|r| {
            r.starts_with("the target is not an ") || r.starts_with("the target is not a GBFS feed")
        })
}

/// (requirement, verdict) of every result that is not a pass, per profile.
#[cfg(feature = "reference")]
fn not_passing(report: &Value) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for profile in report["profiles"].as_array().into_iter().flatten() {
        for result in profile["results"].as_array().into_iter().flatten() {
            let verdict = result["verdict"].as_str().unwrap_or("?");
            if verdict != "pass" && !for_another_api(result) {
                out.insert((
                    profile["id"].as_str().unwrap_or("?").to_owned(),
                    result["requirement"].as_str().unwrap_or("?").to_owned(),
                    verdict.to_owned(),
                ));
            }
        }
    }
    out
}

#[cfg(feature = "reference")]
fn live_requirements(report: &Value) -> BTreeSet<String> {
    report["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .filter(|id| id.starts_with("SEC-"))
        .map(str::to_owned)
        .collect()
}

#[cfg(feature = "reference")]
#[test]
fn the_conformant_reference_meets_every_requirement_of_every_profile() {
    let reference = start(&[], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let output = audit(
        dir.path(),
        &["-p", "baseline", "-p", "kr", "-p", "eu", "--format", "json"],
    );
    let report = common::json_report(&output);
    assert_eq!(
        not_passing(&report),
        BTreeSet::new(),
        "{}",
        common::transcript(&output)
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(live_requirements(&report).len(), 19);
    assert_eq!(report["command"], "audit");
    assert_eq!(report["inputs"][0]["format"], "http");
}

#[cfg(feature = "reference")]
#[test]
fn every_fault_fails_exactly_its_requirements() {
    let mut table = String::new();
    for &fault in Fault::ALL {
        let reference = start(&[fault], true);
        let dir = tempfile::tempdir().expect("temp dir");
        reference.write_target(dir.path()).expect("target written");
        let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
        let report = common::json_report(&output);
        let broken = not_passing(&report);
        let named: BTreeSet<&str> = broken.iter().map(|(_, r, _)| r.as_str()).collect();
        let expected: BTreeSet<&str> = fault.breaks().iter().copied().collect();
        assert_eq!(
            named,
            expected,
            "fault {fault}:\n{}",
            common::transcript(&output)
        );
        let must_broken = broken.iter().any(|(_, _, v)| v == "fail");
        assert_eq!(output.status.code(), Some(if must_broken { 1 } else { 0 }));
        for (_, requirement, verdict) in &broken {
            table.push_str(&format!(
                "{:<18} {requirement:<24} {verdict}\n",
                fault.name()
            ));
        }
    }
    insta::assert_snapshot!("fault_verdicts", table);
}

#[cfg(feature = "reference")]
#[test]
fn no_credential_appears_in_any_report_or_output() {
    let reference = start(&[Fault::StackTraces, Fault::NoAuth], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let json_path = dir.path().join("report.json");
    let junit_path = dir.path().join("report.xml");
    let text_path = dir.path().join("report.txt");
    let output = audit(
        dir.path(),
        &[
            "-p",
            "kr",
            "--report",
            &format!("json={}", json_path.display()),
            "--report",
            &format!("junit={}", junit_path.display()),
            "--report",
            &format!("text={}", text_path.display()),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let mut everything = String::from_utf8_lossy(&output.stdout).into_owned();
    everything.push_str(&String::from_utf8_lossy(&output.stderr));
    for path in [&json_path, &junit_path, &text_path] {
        everything.push_str(&std::fs::read_to_string(path).expect("report written"));
    }
    let credentials = &reference.credentials;
    for token in [
        &credentials.tenant_a,
        &credentials.tenant_b,
        &credentials.operator,
    ] {
        assert!(!everything.contains(token.as_str()), "a token leaked");
    }
    // The evidence says whose credential was sent, without it.
    assert!(everything.contains("authorization: [redacted]"));
}

#[cfg(feature = "reference")]
#[test]
fn the_json_report_of_an_audit_follows_its_schema() {
    let reference = start(&[Fault::NoHsts, Fault::Identifiers], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let output = audit(dir.path(), &["-p", "kr", "-p", "eu", "--format", "json"]);
    let report = common::json_report(&output);
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("schemas/tool/report.schema.json"))
            .expect("report schema"),
    )
    .expect("report schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // An identifier finding names the field and kind, never the address.
    let text = report.to_string();
    assert!(text.contains("\"identifier\":\"email\""));
    assert!(!text.contains("citizen.kim@example.org"));
}

#[cfg(feature = "reference")]
#[test]
fn read_only_mode_sends_no_unsafe_method() {
    let reference = start(&[Fault::Error500], true);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = reference.write_target(dir.path()).expect("target written");
    let text = std::fs::read_to_string(&target).expect("target");
    std::fs::write(
        &target,
        text.replace("read_only = false", "read_only = true"),
    )
    .expect("target rewritten");
    let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
    let report = common::json_report(&output);
    // The 500 on malformed JSON is behind a POST, which read-only mode
    // does not send: the fault goes unseen, the GET cases still decide.
    let bad_input = report["profiles"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["requirement"] == "SEC-BAD-INPUT-01"))
        .cloned()
        .expect("SEC-BAD-INPUT-01 is in the report");
    assert_eq!(bad_input["verdict"], "pass");
    assert_eq!(bad_input["counts"]["skip"], 12);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::transcript(&output)
    );
}

#[cfg(feature = "reference")]
#[test]
fn the_request_budget_is_never_exceeded() {
    let reference = start(&[], true);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = reference.write_target(dir.path()).expect("target written");
    let mut text = std::fs::read_to_string(&target).expect("target");
    text.push_str("request_budget = 10\n");
    std::fs::write(&target, text).expect("target rewritten");
    let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
    let report = common::json_report(&output);
    let sent = report["inputs"][0]["records"]
        .as_u64()
        .expect("requests counted");
    assert!(sent <= 10, "{sent} requests sent on a budget of 10");
    assert!(
        report
            .to_string()
            .contains("the request budget (10) ran out")
    );
}

/// A MUST that could not be checked is never met: with a budget of one
/// request, the requirements no request reached are `error`, name the
/// budget, and the audit exits 1.
#[cfg(feature = "reference")]
#[test]
fn a_spent_budget_leaves_musts_unchecked_and_the_audit_not_met() {
    let reference = start(&[], true);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = reference.write_target(dir.path()).expect("target written");
    let mut text = std::fs::read_to_string(&target).expect("target");
    text.push_str("request_budget = 1\n");
    std::fs::write(&target, text).expect("target rewritten");
    let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    assert_eq!(report["summary"]["met"], false);
    let results = report["profiles"][0]["results"]
        .as_array()
        .expect("results");
    let unchecked: Vec<&str> = results
        .iter()
        .filter(|r| r["level"] == "MUST" && r["verdict"] == "error")
        .filter(|r| {
            r["reason"].as_str().is_some_and(|reason| {
                reason.contains("could not be checked: the request budget (1) ran out")
            })
        })
        .filter_map(|r| r["requirement"].as_str())
        .collect();
    assert!(
        unchecked.len() >= 5,
        "expected the MUSTs no request reached to be errors naming the budget, got {unchecked:?}"
    );
    let met_anyway: Vec<&str> = results
        .iter()
        .filter(|r| r["level"] == "MUST" && r["verdict"] == "skip" && !for_another_api(r))
        .filter_map(|r| r["requirement"].as_str())
        .collect();
    assert!(
        met_anyway.is_empty(),
        "MUSTs skipped instead of unchecked: {met_anyway:?}"
    );
}

#[cfg(feature = "reference")]
#[test]
fn a_plain_http_platform_fails_the_transport_requirements() {
    let reference = start(&[], false);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
    let report = common::json_report(&output);
    let named: BTreeSet<String> = not_passing(&report)
        .into_iter()
        .map(|(_, r, v)| format!("{r} {v}"))
        .collect();
    insta::assert_debug_snapshot!("plain_http_platform", named);
}

#[cfg(feature = "reference")]
#[test]
fn the_demo_meets_every_profile_and_says_so() {
    let output = common::run(&["demo", "--format", "json"]);
    let report = common::json_report(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::transcript(&output)
    );
    let profiles: Vec<&str> = report["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(profiles, ["baseline", "kr", "eu"]);
    assert_eq!(report["summary"]["met"], true);
}

#[cfg(feature = "reference")]
#[test]
fn the_demo_with_a_fault_exits_1() {
    let output = common::run(&["demo", "--fault", "cross-tenant-read", "-p", "kr"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("FAIL     MUST    SEC-BOLA-01"), "{stdout}");
}

#[cfg(feature = "reference")]
#[test]
fn an_unknown_fault_is_a_usage_error() {
    let output = common::run(&["demo", "--fault", "no-such-fault"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown fault `no-such-fault`"));
}

#[test]
fn bad_targets_are_refused_with_file_and_line() {
    insta::glob!("../../fixtures/targets", "*.toml", |path| {
        let relative = common::relative(path);
        let output = common::cityconform(&["audit", "--target", &relative])
            .env("CITYCONFORM_TEST_TOKEN", "test-token-never-shown")
            .env_remove("CITYCONFORM_TEST_UNSET_A")
            .env_remove("CITYCONFORM_TEST_UNSET_B")
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(2));
        let transcript = common::transcript(&output);
        assert!(!transcript.contains("plain-secret-in-file"));
        assert!(!transcript.contains("test-token-never-shown"));
        insta::assert_snapshot!("bad_target", transcript);
    });
}

#[cfg(feature = "reference")]
#[test]
fn serve_reference_writes_a_target_that_audit_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("ref");
    let (mut server, printed) = serve_reference(&out);
    let output = audit(&out, &["-p", "kr"]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        printed.contains("reference platform on https://127.0.0.1:"),
        "{printed}"
    );
    for token in ["tenant-a.token", "tenant-b.token"] {
        let token = std::fs::read_to_string(out.join(token)).expect("token file");
        assert!(!printed.contains(token.trim()), "a token was printed");
    }
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::transcript(&output)
    );
}

/// Starts `serve-reference --tls --write-target out` and waits until it
/// serves; returns the process and what it printed.
#[cfg(feature = "reference")]
fn serve_reference(out: &Path) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let out_arg = out.to_str().expect("UTF-8 path");
    let mut server = common::cityconform(&["serve-reference", "--tls", "--write-target", out_arg])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-reference starts");
    let mut lines = Vec::new();
    if let Some(stdout) = server.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let last = line.starts_with("press Ctrl-C");
            lines.push(line);
            if last {
                break;
            }
        }
    }
    (server, lines.join("\n"))
}

#[cfg(feature = "reference")]
#[test]
fn check_audits_the_target_file_its_configuration_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut server, _) = serve_reference(&dir.path().join("ref"));
    std::fs::write(
        dir.path().join("cityconform.toml"),
        "profiles = [\"kr\"]\n\n[target]\nfile = \"ref/target.toml\"\n",
    )
    .expect("config written");
    let output = common::cityconform(&["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("check runs");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let rows: Vec<&str> = report["profiles"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["verdict"] == "pass")
        .filter_map(|r| r["requirement"].as_str())
        .collect();
    for requirement in [
        "SEC-AUTHN-01",
        "SEC-BOLA-01",
        "SEC-HSTS-01",
        "PAY-ENVELOPE-01",
    ] {
        assert!(
            rows.contains(&requirement),
            "{requirement} passes: {rows:?}"
        );
    }
}

/// The platform's own rate limiter is no answer to another requirement:
/// a second audit right after the first, inside the platform's rate
/// window, waits out its `Retry-After` and meets kr as the first did.
#[cfg(feature = "reference")]
#[test]
fn two_audits_back_to_back_both_meet_kr() {
    let reference = start(&[], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    for run in ["first", "second"] {
        let output = audit(dir.path(), &["-p", "kr", "--format", "json"]);
        let report = common::json_report(&output);
        assert_eq!(
            not_passing(&report),
            BTreeSet::new(),
            "{run} audit: {}",
            common::transcript(&output)
        );
        assert_eq!(output.status.code(), Some(0), "{run} audit");
    }
}

/// Every request on the wire is counted: the TLS handshake's request and
/// the TLS 1.1 probe are two.
#[cfg(feature = "reference")]
#[test]
fn the_tls_1_1_probe_is_a_request_of_the_budget() {
    let reference = start(&[], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let output = audit(dir.path(), &["-r", "SEC-TLS-01", "--format", "json"]);
    let report = common::json_report(&output);
    assert_eq!(
        report["inputs"][0]["records"],
        2,
        "{}",
        common::transcript(&output)
    );
}

/// A cross-tenant read names who read what: the principal and the object.
#[cfg(feature = "reference")]
#[test]
fn a_bola_finding_names_the_principal_and_the_object() {
    let reference = start(&[Fault::CrossTenantRead], true);
    let dir = tempfile::tempdir().expect("temp dir");
    reference.write_target(dir.path()).expect("target written");
    let output = audit(
        dir.path(),
        &["-p", "kr", "-r", "SEC-BOLA-01", "--format", "json"],
    );
    let report = common::json_report(&output);
    let finding = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["requirement"] == "SEC-BOLA-01")
        .cloned()
        .expect("a BOLA finding");
    assert_eq!(
        finding["evidence"]["principal"],
        "tenant a",
        "{}",
        common::transcript(&output)
    );
    let request = finding["evidence"]["request"].as_str().unwrap_or("");
    assert!(
        request.contains(":b-") || request.contains("tenant-b"),
        "{request}"
    );
}
