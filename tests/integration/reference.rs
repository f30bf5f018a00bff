//! The reference platform as a server: its OpenAPI document, `TRACE`
//! refused everywhere, idle connections closed within the bounds, token
//! files readable by their owner only. Spoken to over raw sockets on
//! loopback, so that nothing between the test and the server hides a
//! behaviour.
#![cfg(feature = "reference")]

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use cityconform::reference::{
    HANDSHAKE_TIMEOUT, HEADER_READ_TIMEOUT, OPENAPI_PATHS, ReferenceOptions, RunningReference,
};
use serde_json::Value;

/// The platform and the runtime it serves on (dropped in that order).
struct Served {
    reference: RunningReference,
    _runtime: tokio::runtime::Runtime,
}

fn serve(tls: bool) -> Served {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls,
            ..ReferenceOptions::default()
        }))
        .expect("the reference platform starts on loopback");
    Served {
        reference,
        _runtime: runtime,
    }
}

/// `host:port` of a base URL.
fn address(base_url: &str) -> String {
    base_url
        .split("://")
        .nth(1)
        .expect("a base URL has a scheme")
        .to_owned()
}

/// Sends one HTTP/1.1 request over a fresh connection and returns the
/// status and the body.
fn request(base_url: &str, method: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(address(base_url)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout set");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let text =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n");
    stream.write_all(text.as_bytes()).expect("request sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("answer read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}

/// How long the server takes to close `stream`, which sends nothing more;
/// `None` if it is still open after `patience`.
fn closed_within(mut stream: TcpStream, patience: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout set");
    let mut buffer = [0u8; 4096];
    while started.elapsed() < patience {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[test]
fn the_openapi_document_is_served_and_names_every_path_the_platform_serves() {
    let served = serve(false);
    let base = &served.reference.base_url;
    let (status, body) = request(base, "GET", "/openapi.json", None);
    assert_eq!(status, 200, "{body}");
    let document: Value = serde_json::from_str(&body).expect("the document is JSON");
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["servers"][0]["url"], base.as_str());
    let paths: BTreeSet<&str> = document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        paths,
        OPENAPI_PATHS.iter().copied().collect::<BTreeSet<_>>()
    );
    // Every documented path is one the platform routes (none is 404 to
    // its owner), and the documented types are the served ones.
    let token = served.reference.credentials.tenant_a.clone();
    let types =
        &document["paths"]["/ngsi-ld/v1/entities"]["get"]["parameters"][0]["schema"]["enum"];
    let types: Vec<&str> = types
        .as_array()
        .expect("an enum of types")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(types.len(), cityconform::reference::endpoints().len());
    for (t, path) in cityconform::reference::endpoints() {
        assert!(types.contains(&t.as_str()), "{t}");
        assert_eq!(request(base, "GET", &path, Some(&token)).0, 200, "{path}");
    }
    for path in [
        "/admin/tenants",
        "/.well-known/security.txt",
        "/openapi.json",
    ] {
        let (status, _) = request(base, "GET", path, Some(&token));
        assert_ne!(status, 404, "{path} is served");
    }
    // And the document `write_target` leaves is the served one.
    let dir = tempfile::tempdir().expect("temp dir");
    served.reference.write_target(dir.path()).expect("written");
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("openapi.json")).expect("openapi.json written"),
    )
    .expect("the written document is JSON");
    assert_eq!(written, document);
}

#[test]
fn trace_is_refused_on_every_path() {
    let served = serve(false);
    let base = &served.reference.base_url;
    let token = served.reference.credentials.tenant_a.clone();
    let mut paths: Vec<String> = OPENAPI_PATHS
        .iter()
        .map(|p| p.replace("{id}", "urn:ngsi-ld:ParkingSpot:x"))
        .collect();
    paths.extend(["/".to_owned(), "/no/such/path".to_owned()]);
    for path in &paths {
        for token in [None, Some(token.as_str())] {
            let (status, body) = request(base, "TRACE", path, token);
            assert_eq!(status, 405, "TRACE {path}: {body}");
        }
    }
}

#[cfg(unix)]
#[test]
fn token_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let served = serve(false);
    let dir = tempfile::tempdir().expect("temp dir");
    // A token file already there with wider permissions is narrowed too.
    std::fs::write(dir.path().join("tenant-a.token"), "old").expect("written");
    std::fs::set_permissions(
        dir.path().join("tenant-a.token"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    served.reference.write_target(dir.path()).expect("written");
    for name in ["tenant-a.token", "tenant-b.token"] {
        let path = dir.path().join(name);
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
        let token = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(token.len(), 64, "{name} holds the whole token and only it");
    }
}

/// Slack for a loaded machine on top of the server's bound.
const SLACK: Duration = Duration::from_secs(4);

#[test]
fn an_idle_connection_that_never_starts_the_tls_handshake_is_closed() {
    let served = serve(true);
    let stream = TcpStream::connect(address(&served.reference.base_url)).expect("connects");
    let closed = closed_within(stream, HANDSHAKE_TIMEOUT + SLACK);
    let closed = closed.expect("the server closes an idle connection");
    assert!(
        closed >= HANDSHAKE_TIMEOUT - Duration::from_millis(500),
        "{closed:?}"
    );
}

#[test]
fn an_idle_connection_that_sends_no_request_is_closed() {
    let served = serve(false);
    let stream = TcpStream::connect(address(&served.reference.base_url)).expect("connects");
    let closed = closed_within(stream, HEADER_READ_TIMEOUT + SLACK);
    assert!(closed.is_some(), "the server closes an idle connection");
}

#[test]
fn a_kept_alive_connection_left_idle_after_an_answer_is_closed() {
    let served = serve(false);
    let mut stream = TcpStream::connect(address(&served.reference.base_url)).expect("connects");
    stream
        .write_all(b"GET /openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("request sent");
    let closed = closed_within(stream, HEADER_READ_TIMEOUT + SLACK);
    assert!(
        closed.is_some(),
        "the server closes an idle kept-alive connection"
    );
}

#[test]
fn headers_sent_slowly_do_not_hold_a_connection_open() {
    let served = serve(false);
    let mut stream = TcpStream::connect(address(&served.reference.base_url)).expect("connects");
    stream
        .write_all(b"GET /openapi.json HTTP/1.1\r\n")
        .expect("part sent");
    let closed = closed_within(stream, HEADER_READ_TIMEOUT + SLACK);
    assert!(
        closed.is_some(),
        "the server closes a connection whose headers never end"
    );
}
