//! The live audit's memory is bounded by what it holds at once, whatever a
//! server sends: concurrency × body cap, plus a constant. A loopback server
//! answers every request with the largest body the target allows, a JSON
//! array of zeros (each one a record that breaks several requirements), so
//! that records, findings and answers waiting for their turn are all at
//! their most.
//!
//! Peak resident memory is measured exactly, as the kernel counts it
//! (`ru_maxrss`): this test runs the test binary again, as a process of its
//! own whose only child is the audit, and reads its children's usage.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::common;
use crate::common::loopback::serve;

/// The body cap of the target, and the size of every answer.
const BODY_CAP: usize = 4 * 1024 * 1024;
/// Requests the audit sends at once.
const CONCURRENCY: usize = 4;
/// What the audit may use besides the bodies it holds.
const CONSTANT_KIB: u64 = 256 * 1024;
/// Where the measured process finds its target.
const TARGET_VAR: &str = "CITYCONFORM_MEASURED_TARGET";
/// Where the measured process writes the audit's JSON report.
const REPORT_VAR: &str = "CITYCONFORM_MEASURED_REPORT";
/// Where the measured process writes the audit's peak memory, in KiB.
const PEAK_VAR: &str = "CITYCONFORM_MEASURED_PEAK";

/// `[0,0,…,0]`, one byte under `BODY_CAP`.
fn zeros() -> Vec<u8> {
    let mut body = Vec::with_capacity(BODY_CAP);
    body.push(b'[');
    body.extend(b"0,".repeat((BODY_CAP - 3) / 2));
    body.extend_from_slice(b"0]");
    body
}

fn target(dir: &Path, port: u16) -> String {
    let text = format!(
        r#"base_url = "http://127.0.0.1:{port}"
plain_http_url = "http://127.0.0.1:{port}"

[[endpoint]]
path = "/entities?type=ParkingSpot"
type = "ParkingSpot"

[auth]
scheme = "bearer"

[tenants.a]
token_env = "MEMORY_TOKEN_A"
resource = "/entities/urn:ngsi-ld:ParkingSpot:a-1"

[tenants.b]
token_env = "MEMORY_TOKEN_B"
resource = "/entities/urn:ngsi-ld:ParkingSpot:b-1"

[safety]
timeout_ms = 20000
deadline_s = 600
max_body_bytes = {BODY_CAP}
concurrency = {CONCURRENCY}
"#
    );
    let path = dir.join("target.toml");
    std::fs::write(&path, text).expect("target written");
    path.display().to_string()
}

#[test]
fn an_audit_of_maximal_findings_stays_within_its_memory_bound() {
    static BODY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let port = serve(|mut stream, _| {
        let body = BODY.get_or_init(zeros);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), port);
    let report = dir.path().join("report.json");
    let peak = dir.path().join("peak-kib");
    let measured = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "audit_memory::measured_audit",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(TARGET_VAR, &target)
        .env(REPORT_VAR, &report)
        .env(PEAK_VAR, &peak)
        .output()
        .expect("the test binary runs");
    let peak_kib: u64 = std::fs::read_to_string(&peak)
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no measurement: {}", common::transcript(&measured)));

    // The server did send maximal findings: the records were read and most
    // findings were left out of the report, counted.
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&report).unwrap_or_else(|e| panic!("no report ({e})")),
    )
    .expect("the report is JSON");
    let left_out = report["summary"]["findings_left_out"]
        .as_u64()
        .unwrap_or_default();
    assert!(left_out > 1_000_000, "findings left out: {left_out}");

    let bound_kib = (CONCURRENCY * BODY_CAP / 1024) as u64 + CONSTANT_KIB;
    assert!(
        peak_kib <= bound_kib,
        "peak resident memory {peak_kib} KiB is above the bound of {bound_kib} KiB"
    );
}

/// The audit of [`an_audit_of_maximal_findings_stays_within_its_memory_bound`],
/// run in a process of its own so that its children's peak memory is the
/// audit's alone.
#[test]
#[ignore = "run as a process of its own by an_audit_of_maximal_findings_stays_within_its_memory_bound"]
fn measured_audit() {
    let target =
        std::env::var(TARGET_VAR).expect("run by the memory-bound test, which names the target");
    let report =
        std::env::var(REPORT_VAR).expect("run by the memory-bound test, which names the report");
    let output = common::cityconform(&[
        "audit",
        "--target",
        &target,
        "-p",
        "kr",
        "--quiet",
        "--report",
        &format!("json={report}"),
    ])
    .env("MEMORY_TOKEN_A", "memory-test-token-a-4f1c9e")
    .env("MEMORY_TOKEN_B", "memory-test-token-b-8d27b0")
    .output()
    .expect("the binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::transcript(&output)
    );
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("the children's usage");
    let peak = std::env::var(PEAK_VAR).expect("run by the memory-bound test, which names the file");
    std::fs::write(peak, usage.max_rss().to_string()).expect("the peak written");
}
