//! The live audit against hostile servers written here, on loopback: a
//! server that never answers, one that trickles its body, one that closes
//! the connection, one that sends garbage, one that declares 10 GB, one
//! that redirects to another origin, one that echoes credentials, and a
//! TLS server the client does not trust. Each must give `error` or `fail`
//! verdicts with reasons, never a hang or a crash; every run is bounded by
//! a watchdog that kills the binary.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[cfg(feature = "reference")]
use cityconform::reference::{ReferenceOptions, RunningReference};
use serde_json::Value;

use crate::common;
use crate::common::loopback::{read_request, serve};

/// The token tenant A presents; it must never reach a report.
const TOKEN_A: &str = "hostile-test-token-a-5b0e1d";
const TOKEN_B: &str = "hostile-test-token-b-93c2aa";
/// Longest any audit here may run before the watchdog kills it.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Writes a target for `base` into `dir`, tokens from the environment.
fn target(dir: &Path, base: &str, extra: &str) -> String {
    let text = format!(
        r#"base_url = "{base}"
plain_http_url = "{base}"
envelope = true

[[endpoint]]
path = "/entities?type=ParkingSpot"
type = "ParkingSpot"

[auth]
scheme = "bearer"

[tenants.a]
token_env = "HOSTILE_TOKEN_A"
resource = "/entities/urn:ngsi-ld:ParkingSpot:a-1"

[tenants.b]
token_env = "HOSTILE_TOKEN_B"
resource = "/entities/urn:ngsi-ld:ParkingSpot:b-1"

[safety]
timeout_ms = 800
deadline_s = 30
max_body_bytes = 65536
concurrency = 4
{extra}"#
    );
    let path = dir.join("target.toml");
    std::fs::write(&path, text).expect("target written");
    path.display().to_string()
}

/// Runs `audit` with a watchdog; panics if it outlives [`WATCHDOG`].
fn audit(target: &str, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "--target", target, "--format", "json", "-p", "kr"];
    args.extend_from_slice(extra);
    let mut command = common::cityconform(&args);
    command
        .env("HOSTILE_TOKEN_A", TOKEN_A)
        .env("HOSTILE_TOKEN_B", TOKEN_B);
    common::watchdog::run(command, WATCHDOG)
}

/// The verdict of `requirement` under the first profile.
fn verdict(report: &Value, requirement: &str) -> (String, String) {
    let result = report["profiles"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["requirement"] == requirement))
        .cloned()
        .unwrap_or(Value::Null);
    (
        result["verdict"].as_str().unwrap_or("absent").to_owned(),
        result["reason"].as_str().unwrap_or("").to_owned(),
    )
}

fn assert_no_token(output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(TOKEN_A) && !text.contains(TOKEN_B),
            "a token leaked"
        );
    }
}

const FEW: &[&str] = &[
    "-r",
    "PAY-SCHEMA-01",
    "-r",
    "SEC-NOSNIFF-01",
    "-r",
    "SEC-BOLA-01",
];

#[test]
fn a_server_that_never_answers_gives_errors_not_a_hang() {
    let port = serve(|stream, _| {
        std::thread::sleep(Duration::from_secs(20));
        drop(stream);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-NOSNIFF-01");
    assert_eq!(v, "error");
    assert!(
        reason.contains("within 800 ms") || reason.contains("timed out"),
        "{reason}"
    );
    assert_eq!(output.status.code(), Some(1));
    assert_no_token(&output);
}

#[test]
fn a_slow_body_is_cut_off_at_the_timeout() {
    let port = serve(|mut stream, _| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 100000\r\n\r\n[",
        );
        for _ in 0..200 {
            std::thread::sleep(Duration::from_millis(100));
            if stream.write_all(b" ").is_err() {
                return;
            }
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    assert_eq!(verdict(&report, "SEC-NOSNIFF-01").0, "error");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_closed_connection_is_an_error_with_its_reason() {
    let port = serve(|stream, _| drop(stream));
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-BOLA-01");
    assert_eq!(v, "error");
    assert!(reason.contains("failed"), "{reason}");
}

#[test]
fn invalid_json_is_an_error_on_the_schema_requirement() {
    let port = serve(|mut stream, _| {
        let body = b"{\"id\": \"urn:ngsi-ld:ParkingSpot:a-1\", \"type\": ";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "PAY-SCHEMA-01");
    assert_eq!(v, "error");
    assert!(reason.contains("not JSON"), "{reason}");
    assert_eq!(verdict(&report, "SEC-NOSNIFF-01").0, "pass");
}

/// A server that sends `head`, then spaces for ten seconds or until the
/// client hangs up: a body far larger than any cap.
fn serve_endless_body(head: &'static [u8]) -> u16 {
    serve(move |mut stream, _| {
        let _ = stream.write_all(head);
        let chunk = vec![b' '; 64 * 1024];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) && stream.write_all(&chunk).is_ok() {}
    })
}

#[test]
fn a_ten_gigabyte_body_is_not_read() {
    let port = serve_endless_body(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 10737418240\r\n\r\n[",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-NOSNIFF-01");
    assert_eq!(v, "error");
    assert!(reason.contains("10737418240 bytes"), "{reason}");
}

#[test]
fn an_undeclared_endless_body_stops_at_the_cap() {
    let port = serve_endless_body(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n[",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-NOSNIFF-01");
    assert_eq!(v, "error");
    assert!(reason.contains("65536-byte cap"), "{reason}");
}

static SEEN_BY_OTHER: Mutex<Vec<String>> = Mutex::new(Vec::new());
static SEEN_BY_FIRST: Mutex<Vec<String>> = Mutex::new(Vec::new());
static OTHER_PORT: Mutex<u16> = Mutex::new(0);

#[test]
fn a_redirect_to_another_origin_is_not_followed_and_gets_no_credential() {
    let other = serve(|mut stream, head| {
        if let Ok(mut seen) = SEEN_BY_OTHER.lock() {
            seen.push(head);
        }
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]");
    });
    if let Ok(mut port) = OTHER_PORT.lock() {
        *port = other;
    }
    let first = serve(|mut stream, head| {
        if let Ok(mut seen) = SEEN_BY_FIRST.lock() {
            seen.push(head);
        }
        let port = OTHER_PORT.lock().map(|p| *p).unwrap_or(0);
        let _ = write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/collect\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{first}"), "");
    let output = audit(&target, &[]);
    assert_no_token(&output);
    let first_seen = SEEN_BY_FIRST
        .lock()
        .map(|s| s.join("\n"))
        .unwrap_or_default();
    assert!(
        first_seen.contains(TOKEN_A),
        "the first origin saw tenant A's token, so the test can tell"
    );
    let other_seen = SEEN_BY_OTHER.lock().map(|s| s.clone()).unwrap_or_default();
    assert!(
        other_seen
            .iter()
            .all(|h| !h.contains(TOKEN_A) && !h.contains(TOKEN_B)),
        "the other origin saw a credential"
    );
    assert!(
        other_seen.is_empty(),
        "the redirect to another origin was followed"
    );
}

#[test]
fn an_echoed_credential_is_redacted_from_the_report() {
    let port = serve(|mut stream, head| {
        let auth = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .unwrap_or("")
            .to_owned();
        let body = format!("{{\"error\": \"bad\", \"echo\": \"{auth}\"}}");
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: {auth}\r\nX-Powered-By: 1.0 {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, &[]);
    assert_no_token(&output);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Bearer [redacted]"),
        "the echoed header is in the evidence, redacted"
    );
}

#[cfg(feature = "reference")]
fn reference_target_without_ca(dir: &Path, reference: &RunningReference) -> String {
    let path = reference.write_target(dir).expect("target written");
    let text = std::fs::read_to_string(&path).expect("target");
    std::fs::write(&path, text.replace("ca_cert = \"ca.pem\"\n", "")).expect("target rewritten");
    path.display().to_string()
}

#[cfg(feature = "reference")]
#[test]
fn an_untrusted_certificate_fails_tls_and_sends_nothing_else() {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls: true,
            ..ReferenceOptions::default()
        }))
        .expect("reference starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let target = reference_target_without_ca(dir.path(), &reference);
    let output = audit(&target, &[]);
    let report = common::json_report(&output);
    let (v, _) = verdict(&report, "SEC-TLS-01");
    assert_eq!(v, "fail", "{}", common::transcript(&output));
    let (v, reason) = verdict(&report, "SEC-BOLA-01");
    assert_eq!(v, "error");
    assert!(reason.contains("certificate"), "{reason}");
    assert_eq!(output.status.code(), Some(1));

    let ca = dir.path().join("ca.pem");
    let output = audit(&target, &["--ca-cert", ca.to_str().expect("UTF-8 path")]);
    let report = common::json_report(&output);
    assert_eq!(verdict(&report, "SEC-TLS-01").0, "pass");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::transcript(&output)
    );
}

#[test]
fn an_api_key_scheme_sends_the_key_in_its_header() {
    let port = serve(|mut stream, head| {
        let authorized = head
            .lines()
            .any(|l| l.eq_ignore_ascii_case(&format!("x-city-key: {TOKEN_A}")));
        let status = if authorized {
            "200 OK"
        } else {
            "401 Unauthorized"
        };
        let body = "{}";
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!("http://127.0.0.1:{port}");
    let target = target(dir.path(), &base, "");
    let text = std::fs::read_to_string(&target).expect("target");
    std::fs::write(
        &target,
        text.replace(
            "scheme = \"bearer\"",
            "scheme = \"api-key\"\nheader = \"X-City-Key\"",
        ),
    )
    .expect("target rewritten");
    let output = audit(&target, &["-r", "SEC-AUTHN-01", "-r", "SEC-BOLA-01"]);
    let report = common::json_report(&output);
    // Without the key, or with a forged one: 401. With tenant A's key, its
    // own object: 200, so the key went in the header named.
    assert_eq!(verdict(&report, "SEC-AUTHN-01").0, "pass");
    let counts = report["profiles"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["requirement"] == "SEC-BOLA-01"))
        .map(|r| r["counts"].clone())
        .unwrap_or(Value::Null);
    assert_eq!(counts["pass"], 1, "{}", common::transcript(&output));
    assert_no_token(&output);
}

#[test]
fn a_reset_connection_is_an_error_with_its_reason() {
    let port = serve(|stream, _| {
        // SO_LINGER 0: closing sends a reset instead of a clean FIN.
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        else {
            return;
        };
        let _guard = runtime.enter();
        if stream.set_nonblocking(true).is_ok()
            && let Ok(stream) = tokio::net::TcpStream::from_std(stream)
        {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-NOSNIFF-01");
    assert_eq!(v, "error");
    assert!(reason.contains("failed"), "{reason}");
    assert_eq!(output.status.code(), Some(1));
}

/// The access token the OAuth2 test server issues for tenant A.
const ACCESS_A: &str = "issued-access-token-for-a-71f0";

#[test]
fn oauth2_client_credentials_are_exchanged_for_a_bearer_token() {
    let port = serve(|mut stream, head| {
        let header = |name: &str| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with(name))
                .map(|l| l[name.len()..].trim().to_owned())
                .unwrap_or_default()
        };
        let authorization = header("authorization:");
        let (status, body) = if head.starts_with("POST /oauth/token ") {
            // HTTP Basic of `tenant-a:` + TOKEN_A, and likewise for b.
            let expected_a = "Basic dGVuYW50LWE6aG9zdGlsZS10ZXN0LXRva2VuLWEtNWIwZTFk";
            if authorization == expected_a {
                (
                    "200 OK",
                    format!("{{\"access_token\":\"{ACCESS_A}\",\"token_type\":\"Bearer\"}}"),
                )
            } else if authorization.starts_with("Basic ") {
                (
                    "200 OK",
                    "{\"access_token\":\"issued-access-token-for-b-0c3d\"}".to_owned(),
                )
            } else {
                ("401 Unauthorized", "{}".to_owned())
            }
        } else if authorization == format!("Bearer {ACCESS_A}") {
            ("200 OK", "{}".to_owned())
        } else {
            ("401 Unauthorized", "{}".to_owned())
        };
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!("http://127.0.0.1:{port}");
    let target = target(dir.path(), &base, "");
    let text = std::fs::read_to_string(&target)
        .expect("target")
        .replace(
            "scheme = \"bearer\"",
            "scheme = \"oauth2-client-credentials\"\ntoken_url = \"/oauth/token\"",
        )
        .replace("[tenants.a]\n", "[tenants.a]\nclient_id = \"tenant-a\"\n")
        .replace("[tenants.b]\n", "[tenants.b]\nclient_id = \"tenant-b\"\n")
        // The token exchange is not what this test times: on a loaded
        // machine 800 ms can pass before the server's thread answers.
        .replace("timeout_ms = 800", "timeout_ms = 10000");
    std::fs::write(&target, text).expect("target rewritten");
    let output = audit(&target, &["-r", "SEC-AUTHN-01", "-r", "SEC-BOLA-01"]);
    assert!(
        output.status.code() != Some(2),
        "the audit did not start: {}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    assert_eq!(verdict(&report, "SEC-AUTHN-01").0, "pass");
    let counts = report["profiles"][0]["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["requirement"] == "SEC-BOLA-01"))
        .map(|r| r["counts"].clone())
        .unwrap_or(Value::Null);
    assert_eq!(counts["pass"], 1, "{}", common::transcript(&output));
    assert_no_token(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(ACCESS_A), "an access token leaked");
}

#[test]
fn the_total_deadline_ends_an_audit_of_a_silent_server() {
    let port = serve(|stream, _| {
        std::thread::sleep(Duration::from_secs(20));
        drop(stream);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let text = std::fs::read_to_string(&target)
        .expect("target")
        .replace("timeout_ms = 800", "timeout_ms = 15000")
        .replace("deadline_s = 30", "deadline_s = 1");
    std::fs::write(&target, text).expect("target rewritten");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-NOSNIFF-01");
    assert_eq!(v, "error");
    assert!(reason.contains("deadline"), "{reason}");
}

/// Every result of the first profile, as (requirement, verdict, reason).
fn results(report: &Value) -> Vec<(String, String, String)> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["requirement"].as_str().unwrap_or("?").to_owned(),
                r["verdict"].as_str().unwrap_or("?").to_owned(),
                r["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("local addr").port()
}

#[test]
fn an_unreachable_target_is_one_error_naming_its_url() {
    let port = closed_port();
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!("http://127.0.0.1:{port}");
    let target = target(dir.path(), &base, "");
    let output = audit(&target, &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let results = results(&report);
    assert!(!results.is_empty());
    let reasons: std::collections::BTreeSet<&str> =
        results.iter().map(|(_, _, r)| r.as_str()).collect();
    assert!(
        results.iter().all(|(_, v, _)| v == "error"),
        "every requirement is unchecked: {results:?}"
    );
    assert_eq!(reasons.len(), 1, "one reason for all: {reasons:?}");
    let reason = reasons.iter().next().copied().unwrap_or("");
    assert!(reason.contains(&base), "{reason}");
    assert!(reason.contains("refused"), "{reason}");
    assert_eq!(report["inputs"][0]["records"], 0, "no request was sent");
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert!(
        findings <= results.len(),
        "one finding a requirement at most, not one per case: {findings}"
    );
}

#[test]
fn wait_gives_a_platform_time_to_come_up() {
    let port = closed_port();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) else {
            return;
        };
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                let _ = read_request(&mut stream);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            });
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, &["-r", "SEC-NOSNIFF-01", "--wait", "30"]);
    let report = common::json_report(&output);
    assert_eq!(
        verdict(&report, "SEC-NOSNIFF-01").0,
        "pass",
        "{}",
        common::transcript(&output)
    );
}

/// The verdicts of the payload requirements (schema, envelope,
/// anonymization) in the report.
fn payload_verdicts(report: &Value) -> Vec<(String, String, String)> {
    results(report)
        .into_iter()
        .filter(|(r, _, _)| r.starts_with("PAY-") || r.starts_with("ANON-"))
        .collect()
}

/// Against `answer` to every request, the payload requirements are all
/// `error` (could not be checked), never met, and the audit exits 1.
fn payload_unchecked(answer: fn(TcpStream, String)) {
    let port = serve(answer);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, &[]);
    let report = common::json_report(&output);
    let payload = payload_verdicts(&report);
    assert!(
        payload.iter().any(|(r, _, _)| r == "PAY-ENVELOPE-01")
            && payload.iter().any(|(r, _, _)| r.starts_with("ANON-")),
        "{payload:?}"
    );
    for (requirement, verdict, reason) in &payload {
        assert_eq!(verdict, "error", "{requirement}: {reason}");
    }
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
}

#[test]
fn all_5xx_data_answers_leave_the_payload_requirements_unchecked() {
    payload_unchecked(|mut stream, _| {
        let body = b"{\"error\": \"Internal Server Error\"}";
        let _ = write!(
            stream,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
}

#[test]
fn unparseable_data_answers_leave_the_payload_requirements_unchecked() {
    payload_unchecked(|mut stream, _| {
        let body = b"<html>maintenance</html>";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
}

#[test]
fn an_unparseable_answer_names_its_content_encoding() {
    let port = serve(|mut stream, _| {
        let body: &[u8] = &[0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Encoding: gzip\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, FEW);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "PAY-SCHEMA-01");
    assert_eq!(v, "error");
    assert!(reason.contains("Content-Encoding: gzip"), "{reason}");
    assert!(
        report["findings"]
            .to_string()
            .contains("\"content-encoding\":\"gzip\""),
        "the evidence shows the encoding"
    );
}

/// A platform that answers every request 429 with `Retry-After: 1`: no
/// requirement reads the throttling as its answer; each is unchecked, and
/// the burst, which looks for 429, passes.
#[test]
fn a_throttling_platform_leaves_requirements_unchecked_not_failed() {
    let port = serve(|mut stream, _| {
        let body = b"{\"error\": \"Too Many Requests\"}";
        let _ = write!(
            stream,
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(
        &target,
        &[
            "-r",
            "SEC-BOLA-01",
            "-r",
            "SEC-AUTHN-01",
            "-r",
            "SEC-RATE-LIMIT-01",
        ],
    );
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-BOLA-01");
    assert_eq!(v, "error", "{}", common::transcript(&output));
    assert!(reason.contains("throttled"), "{reason}");
    assert_eq!(verdict(&report, "SEC-RATE-LIMIT-01").0, "pass");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_burst_cut_short_by_the_budget_is_unchecked_not_failed() {
    let port = serve(|mut stream, _| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        "request_budget = 20\n",
    );
    let output = audit(&target, &["-r", "SEC-RATE-LIMIT-01"]);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-RATE-LIMIT-01");
    assert_eq!(v, "error", "{}", common::transcript(&output));
    assert!(reason.contains("after 20 of"), "{reason}");
    assert!(reason.contains("too few"), "{reason}");
    assert_eq!(report["inputs"][0]["records"], 20);
    assert_eq!(output.status.code(), Some(1));
}

static BURST_SERVED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[test]
fn a_burst_ended_by_a_transport_error_is_unchecked_not_failed() {
    let port = serve(|mut stream, head| {
        if head.is_empty() {
            return;
        }
        if BURST_SERVED.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 5 {
            drop(stream);
            return;
        }
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, &["-r", "SEC-RATE-LIMIT-01"]);
    let report = common::json_report(&output);
    let (v, reason) = verdict(&report, "SEC-RATE-LIMIT-01");
    assert_eq!(v, "error", "{}", common::transcript(&output));
    assert!(reason.contains("after 6 of"), "{reason}");
}

static REDIRECT_SEEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Each redirect hop is a request on the wire: the report counts every
/// request the platform received, and the budget stops the hops.
#[test]
fn redirect_hops_count_as_requests() {
    let port = serve(|mut stream, head| {
        if head.is_empty() {
            return;
        }
        REDIRECT_SEEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = head.split_whitespace().nth(1).unwrap_or("/");
        if path.starts_with("/final") {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            );
        } else {
            let _ = stream.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
    let output = audit(&target, &["-r", "SEC-NOSNIFF-01", "-r", "SEC-BOLA-01"]);
    let report = common::json_report(&output);
    let seen = REDIRECT_SEEN.load(std::sync::atomic::Ordering::SeqCst);
    assert!(seen > 0);
    assert_eq!(
        report["inputs"][0]["records"],
        seen,
        "{}",
        common::transcript(&output)
    );
}

/// Safety values the target schema took without bounds once: each is
/// refused with the file, its line and the field (exit 2), before any
/// request, never a panic or a silent error.
#[test]
fn safety_values_out_of_bounds_are_refused_with_their_line() {
    let port = serve(|mut stream, _| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        );
    });
    for (field, value) in [
        ("deadline_s", "9223372036854775807"),
        ("rate_limit", "1e-300"),
        ("rate_limit", "nan"),
        ("rate_limit", "inf"),
        ("timeout_ms", "9223372036854775807"),
        ("request_budget", "9223372036854775807"),
        ("max_body_bytes", "9223372036854775807"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = target(dir.path(), &format!("http://127.0.0.1:{port}"), "");
        let text = std::fs::read_to_string(&target).expect("target");
        let text = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{field} =")))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&target, format!("{text}\n{field} = {value}\n")).expect("rewritten");
        let line = text.lines().count() + 1;
        let output = audit(
            &target,
            &["-r", "SEC-NOSNIFF-01", "-r", "SEC-RATE-LIMIT-01"],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{field} = {value}: {}",
            common::transcript(&output)
        );
        assert!(
            stderr.contains(&format!("target.toml:{line}")) && stderr.contains(field),
            "{field} = {value}: {stderr}"
        );
    }
}
