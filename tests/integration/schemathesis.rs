//! A second opinion on the reference platform from an independent peer:
//! Schemathesis (PyPI `schemathesis`, pinned in `.ci/run`, installed in its
//! own virtual environment at `target/schemathesis-venv`) fuzzes the API
//! from the OpenAPI document the platform serves, over HTTPS on loopback.
//! The conformant platform must give it nothing to report; one platform
//! with the `no-auth`, `error-500` and `any-method` faults at once must be
//! caught by the matching checks (`ignored_auth`, `not_a_server_error`,
//! `unsupported_method`).
//!
//! The run is bounded: few examples per operation, one worker, a fixed
//! seed, a rate under the platform's limit, and a hard timeout.
//!
//! Without Schemathesis (neither `CITYCONFORM_SCHEMATHESIS`, naming the
//! `st` program, nor the virtual environment's) the test prints a note and
//! passes, except in CI (`CI` set), where a missing peer is a failure.
#![cfg(feature = "reference")]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// The longest a Schemathesis run may take.
const HARD_TIMEOUT: Duration = Duration::from_secs(120);

/// The checks run, named as the pinned version names them.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,ignored_auth,unsupported_method";

/// Schemathesis's `st`, or `None` (after a note) when it is not installed.
fn schemathesis() -> Option<PathBuf> {
    common::peers::program(
        "Schemathesis",
        "CITYCONFORM_SCHEMATHESIS",
        "target/schemathesis-venv/bin/st",
    )
}

/// `serve-reference --tls --write-target out` with `faults`, once it
/// serves; the process and the base URL.
fn serve_reference(out: &Path, faults: &[&str]) -> (Child, String) {
    let out_arg = out.to_str().expect("UTF-8 path");
    let mut args = vec!["serve-reference", "--tls", "--write-target", out_arg];
    for fault in faults {
        args.extend(["--fault", fault]);
    }
    let mut server = common::cityconform(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve-reference starts");
    let mut base = None;
    if let Some(stdout) = server.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("reference platform on ") {
                base = Some(url.trim().to_owned());
            }
            if line.starts_with("press Ctrl-C") {
                break;
            }
        }
    }
    let base = base.expect("serve-reference names its URL");
    (server, base)
}

/// Runs Schemathesis against the platform served from `dir`; its exit
/// code and output. Killed at [`HARD_TIMEOUT`].
fn run_schemathesis(st: &Path, dir: &Path, base: &str) -> (Option<i32>, String) {
    let token = std::fs::read_to_string(dir.join("tenant-a.token")).expect("token written");
    let mut child = Command::new(st)
        .args(["run", &format!("{base}/openapi.json")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", "10", "--seed", "1", "--workers", "1"])
        // Every check on every case: a first failure (say, of ignored_auth)
        // does not hide the next (of not_a_server_error) on one operation.
        .arg("--continue-on-failure")
        // 50 requests in 10 s: half the platform's limit.
        .args(["--rate-limit", "5/s", "--request-timeout", "10"])
        .arg("--tls-verify")
        .arg(dir.join("ca.pem"))
        .arg("--header")
        .arg(format!("Authorization: Bearer {}", token.trim()))
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Schemathesis starts");
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if started.elapsed() > HARD_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = reader.join().unwrap_or_default();
    let status =
        status.unwrap_or_else(|| panic!("Schemathesis ran over {HARD_TIMEOUT:?}:\n{output}"));
    (status.code(), output)
}

#[test]
fn schemathesis_finds_nothing_on_the_conformant_reference() {
    let Some(st) = schemathesis() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut server, base) = serve_reference(dir.path(), &[]);
    let (code, output) = run_schemathesis(&st, dir.path(), &base);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("passed"), "{output}");
    assert!(!output.contains("FAILURES"), "{output}");
}

#[test]
fn schemathesis_finds_the_faults_of_a_faulty_reference() {
    let Some(st) = schemathesis() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let faults = ["no-auth", "error-500", "any-method"];
    let (mut server, base) = serve_reference(dir.path(), &faults);
    let (code, output) = run_schemathesis(&st, dir.path(), &base);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, Some(1), "{output}");
    // ST401: ignored_auth (no-auth); ST101: not_a_server_error
    // (error-500); ST204: unsupported_method (any-method).
    for (code, fault) in [
        ("ST401", "no-auth"),
        ("ST101", "error-500"),
        ("ST204", "any-method"),
    ] {
        assert!(
            output.contains(code),
            "{fault} is found ({code}):\n{output}"
        );
    }
}
