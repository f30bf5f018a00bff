//! What a hostile server says cannot subvert the report: credentials it
//! echoes (as a member name, in encoded forms, as the OAuth2 Basic
//! credential) are removed from every format, control characters it sends
//! reach no output, and a target that would leak a credential by its own
//! shape (a password in a URL, a token short enough to match anything) is
//! refused before any request. Servers run on loopback.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Output;
use std::sync::Mutex;

use crate::common;
use crate::common::loopback::{header, serve};

/// Tenant A's token: a `/` and a `~` so that its JSON pointer form
/// (`~1`, `~0`) differs from it.
const TOKEN_A: &str = "leak/test~token-a-77c1";
const TOKEN_B: &str = "leak-test-token-b-19e4";

const FORMATS: &[&str] = &["text", "json", "junit", "sarif", "markdown", "html"];

fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Writes a target for `base` into `dir`; `auth` is the `[auth]` table's
/// body, `a_extra` extra lines for tenant A.
fn target(dir: &Path, base: &str, auth: &str, tenant_extra: &str) -> String {
    let text = format!(
        r#"base_url = "{base}"
plain_http_url = "{base}"

[[endpoint]]
path = "/entities?type=ParkingSpot"
type = "ParkingSpot"

[auth]
{auth}

[tenants.a]
token_env = "LEAK_TOKEN_A"
resource = "/entities/urn:ngsi-ld:ParkingSpot:a-1"
{tenant_extra}

[tenants.b]
token_env = "LEAK_TOKEN_B"
resource = "/entities/urn:ngsi-ld:ParkingSpot:b-1"
{tenant_extra}

[safety]
timeout_ms = 800
deadline_s = 20
max_body_bytes = 65536
concurrency = 2
"#
    );
    let path = dir.join("target.toml");
    std::fs::write(&path, text).expect("target written");
    path.display().to_string()
}

/// Audits `target` writing every format beside it; answers the output
/// and each format's text.
fn audit_all(dir: &Path, target: &str, token_a: &str, extra: &[&str]) -> (Output, Vec<String>) {
    let mut args: Vec<String> = ["audit", "--target", target, "--format", "text", "-p", "kr"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for format in FORMATS {
        args.push("--report".to_owned());
        args.push(format!(
            "{format}={}",
            dir.join(format!("r.{format}")).display()
        ));
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = common::cityconform(&args)
        .env("LEAK_TOKEN_A", token_a)
        .env("LEAK_TOKEN_B", TOKEN_B)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    let mut texts = vec![
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ];
    for format in FORMATS {
        let path = dir.join(format!("r.{format}"));
        texts.push(std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{format} report missing: {e}\n{}",
                common::transcript(&output)
            )
        }));
    }
    (output, texts)
}

/// Fails naming the format if any text contains `needle`.
fn assert_absent(texts: &[String], needle: &str, what: &str) {
    let names = ["stdout", "stderr"].iter().chain(FORMATS);
    for (name, text) in names.zip(texts) {
        assert!(!text.contains(needle), "{what} reached the {name} output");
    }
}

/// The schema, a value scan that points at the member it flags, and an
/// exchange check.
const SCHEMA: &[&str] = &[
    "-r",
    "PAY-SCHEMA-01",
    "-r",
    "ANON-ID-VALUE-01",
    "-r",
    "SEC-AUTHN-01",
];

#[test]
fn a_token_echoed_as_a_member_name_is_redacted_from_every_format() {
    let port = serve(|mut stream, head| {
        let token = header(&head, "authorization:")
            .trim_start_matches("Bearer ")
            .to_owned();
        let token = serde_json::to_string(&token).expect("string");
        let body = format!(
            "[{{\"id\": \"urn:ngsi-ld:ParkingSpot:x\", \"type\": \"ParkingSpot\", {token}: \"jo@example.org\", \"echo\": {{{token}: {token}}}}}]"
        );
        respond(&mut stream, "200 OK", &body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        "scheme = \"bearer\"",
        "",
    );
    let (output, texts) = audit_all(dir.path(), &target, TOKEN_A, SCHEMA);
    let json: serde_json::Value = serde_json::from_str(&texts[3]).expect("json report");
    assert!(
        json["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "the hostile answer gave no finding: {}",
        common::transcript(&output)
    );
    let pointers: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["location"]["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/[redacted]"),
        "the member is pointed at, redacted: {pointers:?}"
    );
    for form in [
        TOKEN_A,
        "leak~1test~0token-a-77c1",
        "leak%2Ftest~token-a-77c1",
        TOKEN_B,
    ] {
        assert_absent(&texts, form, "a form of the token");
    }
}

/// The `Authorization` a token request carried, for the server to echo.
static BASIC_SEEN: Mutex<String> = Mutex::new(String::new());

#[test]
fn the_oauth2_basic_credential_is_redacted_when_echoed() {
    let port = serve(|mut stream, head| {
        let authorization = header(&head, "authorization:");
        if head.starts_with("POST /oauth/token ") {
            if let Ok(mut seen) = BASIC_SEEN.lock() {
                seen.clone_from(&authorization);
            }
            let who = if authorization.len().is_multiple_of(2) {
                "a"
            } else {
                "b"
            };
            respond(
                &mut stream,
                "200 OK",
                &format!(
                    "{{\"access_token\":\"issued-token-{who}-{}\"}}",
                    authorization.len()
                ),
            );
            return;
        }
        let seen = BASIC_SEEN.lock().map(|s| s.clone()).unwrap_or_default();
        let body = format!("{{\"error\": \"denied\", \"echo\": \"{seen}\", \"{seen}\": 1}}");
        respond(&mut stream, "401 Unauthorized", &body);
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        "scheme = \"oauth2-client-credentials\"\ntoken_url = \"/oauth/token\"",
        "client_id = \"tenant-x\"",
    );
    let (output, texts) = audit_all(dir.path(), &target, TOKEN_A, SCHEMA);
    let seen = BASIC_SEEN.lock().map(|s| s.clone()).unwrap_or_default();
    let basic = seen.trim_start_matches("Basic ");
    assert!(
        basic.len() > 20,
        "the server saw no Basic credential: {}",
        common::transcript(&output)
    );
    assert!(
        texts[3].contains("[redacted]"),
        "the echo is in the report, redacted"
    );
    assert_absent(&texts, basic, "the Basic credential");
    assert_absent(&texts, basic.trim_end_matches('='), "the Basic credential");
}

/// Runs an audit of a target that must be refused before any request.
fn refused(target: &str, token_a: &str) -> Output {
    common::cityconform(&["audit", "--target", target, "--format", "json"])
        .env("LEAK_TOKEN_A", token_a)
        .env("LEAK_TOKEN_B", TOKEN_B)
        .output()
        .expect("the binary runs")
}

#[test]
fn a_token_shorter_than_eight_characters_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(dir.path(), "http://127.0.0.1:9", "scheme = \"bearer\"", "");
    let output = refused(&target, "e");
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("target.toml:12"), "{stderr}");
    assert!(stderr.contains("fewer than 8 characters"), "{stderr}");
}

#[test]
fn a_password_in_the_base_url_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(
        dir.path(),
        "http://auditor:hunter2-pw@127.0.0.1:9",
        "scheme = \"bearer\"",
        "",
    );
    let output = refused(&target, TOKEN_A);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        common::transcript(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("target.toml:1"), "{stderr}");
    assert!(stderr.contains("user name or password"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("hunter2-pw"),
        "the password was printed"
    );
}

/// Whether `c` is a control character no output may carry (newline and
/// tab aside, and carriage return, which line endings use).
fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t' | '\r')
}

#[test]
fn control_characters_from_a_server_reach_no_output() {
    let port = serve(|mut stream, _| {
        let body = "[{\"id\": \"urn:ngsi-ld:ParkingSpot:x\", \"type\": \"ParkingSpot\", \"\\u001b[2J\\u001b[31mALL CHECKS PASSED\\u009b0m\\u0007\": \"jo@example.org\", \"name\": {\"type\": \"Property\", \"value\": 7, \"\\u009b31m\": \"\\u001b[31mred\\u0007 jo@example.org\"}}]";
        // A raw C1 CSI byte in a header (obs-text, which HTTP allows).
        let mut head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\nServer: evil",
            body.len()
        )
        .into_bytes();
        head.extend_from_slice(b"\x9b31m\r\n\r\n");
        let _ = stream.write_all(&head);
        let _ = stream.write_all(body.as_bytes());
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = target(
        dir.path(),
        &format!("http://127.0.0.1:{port}"),
        "scheme = \"bearer\"",
        "",
    );
    let (output, texts) = audit_all(dir.path(), &target, TOKEN_A, SCHEMA);
    let json: serde_json::Value = serde_json::from_str(&texts[3]).expect("json report");
    assert!(
        json["findings"].as_array().is_some_and(|f| !f.is_empty()),
        "the hostile answer gave no finding: {}",
        common::transcript(&output)
    );
    assert!(
        texts[3].contains("ALL CHECKS PASSED"),
        "the key is reported, escaped: {}",
        json["findings"]
    );
    let names = ["stdout", "stderr"].iter().chain(FORMATS);
    for (name, text) in names.zip(&texts) {
        if let Some(c) = text.chars().find(|&c| forbidden(c)) {
            panic!(
                "{name} output carries control character U+{:04X}",
                u32::from(c)
            );
        }
    }
    // JSON escapes C0 itself; C1 must not be there even escaped as raw.
    assert!(
        !texts[3].contains("\\u001b"),
        "an escape reached the JSON report"
    );
}
