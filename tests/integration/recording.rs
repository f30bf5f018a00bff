//! `audit --record`: a recording is safe to attach to a ticket. The
//! identifier values a server sends (a phone number and an e-mail address
//! in a body, a phone number in a `next` link) become their placeholders
//! in every string of the HAR file; `--record-raw` keeps them, with a
//! warning; the credential is in neither.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;

use serde_json::{Value, json};

use crate::common;
use crate::common::loopback;

const PHONE: &str = "010-2345-6789";
const EMAIL: &str = "kim.minji@example.org";
const NEXT_PHONE: &str = "010-3456-7890";
const TOKEN_A: &str = "recording-token-a-7Hq2x9";
const TOKEN_B: &str = "recording-token-b-3Kd8w1";

/// Answers every request with one ParkingSpot whose contact holds a phone
/// number and an e-mail address, a `next` link holding another phone
/// number, and the request's own `Authorization` echoed back.
fn contacts(mut stream: TcpStream, head: String) {
    let echoed = loopback::header(&head, "authorization:");
    let body = json!([{
        "id": "urn:ngsi-ld:ParkingSpot:r1",
        "type": "ParkingSpot",
        "status": "free",
        "contactPoint": { "telephone": PHONE, "email": EMAIL },
        "seenAuthorization": echoed,
    }])
    .to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nlink: </spots?cursor={NEXT_PHONE}>; rel=\"next\"\r\nx-echo: {echoed}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A target on `port` whose tenants' tokens are in files beside it.
fn target(dir: &Path, port: u16) -> String {
    std::fs::write(dir.join("a.token"), TOKEN_A).expect("token written");
    std::fs::write(dir.join("b.token"), TOKEN_B).expect("token written");
    let text = format!(
        "base_url = \"http://127.0.0.1:{port}\"\n\n[[endpoint]]\npath = \"/spots\"\ntype = \"ParkingSpot\"\n\n[auth]\nscheme = \"bearer\"\n\n[tenants.a]\ntoken_file = \"a.token\"\nresource = \"/spots/a\"\n\n[tenants.b]\ntoken_file = \"b.token\"\nresource = \"/spots/b\"\n"
    );
    let path = dir.join("target.toml");
    std::fs::write(&path, text).expect("target written");
    path.display().to_string()
}

/// Every string of `value`, member names included.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (name, v) in map {
                out.push(name.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

/// Audits the server on `port` recording to `name`, with `extra`
/// arguments; the recording's strings and the audit's output.
fn recorded(
    dir: &Path,
    port: u16,
    name: &str,
    extra: &[&str],
) -> (Vec<String>, std::process::Output) {
    let target = target(dir, port);
    let har = dir.join(name).display().to_string();
    let mut args = vec![
        "audit", "--target", &target, "-p", "baseline", "--record", &har,
    ];
    args.extend_from_slice(extra);
    let output = common::run(&args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::transcript(&output)
    );
    let text = std::fs::read_to_string(dir.join(name)).expect("HAR written");
    let har: Value = serde_json::from_str(&text).expect("the HAR file is JSON");
    assert_eq!(har["log"]["version"], "1.2");
    let mut found = Vec::new();
    strings(&har, &mut found);
    (found, output)
}

fn holds(strings: &[String], needle: &str) -> bool {
    strings.iter().any(|s| s.contains(needle))
}

#[test]
fn a_recording_hides_identifier_values_unless_raw_and_never_holds_a_credential() {
    let port = loopback::serve(contacts);
    let dir = tempfile::tempdir().expect("temp dir");

    let (safe, output) = recorded(dir.path(), port, "safe.har", &[]);
    for value in [PHONE, EMAIL, NEXT_PHONE, TOKEN_A, TOKEN_B] {
        assert!(!holds(&safe, value), "{value} in the default recording");
    }
    // The placeholders stand where the values were, and the recording is
    // still a recording: the requests and the server's host are there.
    for shown in ["[phone-kr]", "[email]", "Bearer [redacted]", "/spots"] {
        assert!(
            holds(&safe, shown),
            "{shown} missing from the default recording"
        );
    }
    assert!(holds(&safe, &format!("http://127.0.0.1:{port}/spots")));
    assert!(!String::from_utf8_lossy(&output.stderr).contains("--record-raw"));

    let (raw, output) = recorded(dir.path(), port, "raw.har", &["--record-raw"]);
    for value in [PHONE, EMAIL, NEXT_PHONE] {
        assert!(holds(&raw, value), "{value} missing from the raw recording");
    }
    for token in [TOKEN_A, TOKEN_B] {
        assert!(!holds(&raw, token), "a credential in the raw recording");
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: --record-raw"),
        "{}",
        common::transcript(&output)
    );
}

#[test]
fn record_raw_without_record_is_a_usage_error() {
    let output = common::run(&["audit", "http://127.0.0.1:9", "--record-raw"]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("--record"), "{text}");
}
