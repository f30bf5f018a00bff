//! Schema resolution as a user meets it: added schema folders, a remote
//! base URI mapped to a local folder, fetching only when allowed (against a
//! real HTTP server on loopback), and the strict-format switch.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{self, run, transcript};

const REMOTE_POINT: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": { "Point": { "type": "object", "required": ["type", "coordinates"], "properties": { "type": { "const": "Point" } } } }
}"#;

/// A folder holding a `Bench` model whose location refers to `base` +
/// `geo.json`, and one record of it (valid when `valid`).
fn write_model(dir: &Path, base: &str, valid: bool) {
    let schema = format!(
        r#"{{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.org/models/Bench",
  "type": "object",
  "required": ["type", "location"],
  "properties": {{
    "type": {{ "const": "Bench" }},
    "contact": {{ "type": "string", "format": "email" }},
    "location": {{ "$ref": "{base}geo.json#/$defs/Point" }}
  }}
}}"#
    );
    std::fs::create_dir_all(dir.join("models")).expect("models dir");
    std::fs::write(dir.join("models/Bench.schema.json"), schema).expect("schema written");
    let location = if valid {
        r#"{"type": "Point", "coordinates": [1, 2]}"#
    } else {
        r#"{"type": "Line"}"#
    };
    let record =
        format!(r#"{{"type": "Bench", "contact": "not an address", "location": {location}}}"#);
    std::fs::write(dir.join("bench.json"), record).expect("record written");
}

fn validate_bench(dir: &Path, extra: &[&str]) -> std::process::Output {
    let models = dir.join("models");
    let record = dir.join("bench.json");
    let mut args = vec![
        "validate",
        record.to_str().expect("utf-8 path"),
        "--schema-dir",
        models.to_str().expect("utf-8 path"),
        "-r",
        "PAY-SCHEMA-01",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_mapped_base_uri_resolves_offline() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_model(dir.path(), "https://geo.example.org/schemas/", true);
    let vendored = dir.path().join("vendor");
    std::fs::create_dir_all(&vendored).expect("vendor dir");
    std::fs::write(vendored.join("geo.json"), REMOTE_POINT).expect("vendored schema");
    let mapping = format!("https://geo.example.org/schemas/={}", vendored.display());

    let unmapped = validate_bench(dir.path(), &[]);
    assert_eq!(unmapped.status.code(), Some(2), "{}", transcript(&unmapped));
    let message = String::from_utf8_lossy(&unmapped.stderr);
    assert!(
        message.contains("--map-uri") && message.contains("--allow-fetch"),
        "{message}"
    );

    let mapped = validate_bench(dir.path(), &["--map-uri", &mapping]);
    assert_eq!(mapped.status.code(), Some(0), "{}", transcript(&mapped));
}

#[test]
fn a_mapped_schema_still_decides_the_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_model(dir.path(), "https://geo.example.org/schemas/", false);
    let vendored = dir.path().join("vendor");
    std::fs::create_dir_all(&vendored).expect("vendor dir");
    std::fs::write(vendored.join("geo.json"), REMOTE_POINT).expect("vendored schema");
    let mapping = format!("https://geo.example.org/schemas/={}", vendored.display());
    let output = validate_bench(dir.path(), &["--map-uri", &mapping, "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = common::json_report(&output);
    let pointers: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["location"]["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/location/type") || pointers.contains(&"/location"),
        "{pointers:?}"
    );
}

/// Serves `body` to every GET on 127.0.0.1 and counts the requests; the
/// thread ends with the test process.
fn serve(body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/schema+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (format!("http://127.0.0.1:{port}/schemas/"), hits)
}

#[test]
fn nothing_is_fetched_unless_allowed() {
    let (base, hits) = serve(REMOTE_POINT);
    let dir = tempfile::tempdir().expect("temp dir");
    write_model(dir.path(), &base, true);

    let offline = validate_bench(dir.path(), &[]);
    assert_eq!(offline.status.code(), Some(2), "{}", transcript(&offline));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request may be sent without --allow-fetch"
    );

    let online = validate_bench(dir.path(), &["--allow-fetch"]);
    assert_eq!(online.status.code(), Some(0), "{}", transcript(&online));
    assert!(hits.load(Ordering::SeqCst) >= 1, "the schema was fetched");
}

#[test]
fn format_is_an_annotation_unless_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_model(dir.path(), "https://geo.example.org/schemas/", true);
    let vendored = dir.path().join("vendor");
    std::fs::create_dir_all(&vendored).expect("vendor dir");
    std::fs::write(vendored.join("geo.json"), REMOTE_POINT).expect("vendored schema");
    let mapping = format!("https://geo.example.org/schemas/={}", vendored.display());

    let lenient = validate_bench(dir.path(), &["--map-uri", &mapping]);
    assert_eq!(lenient.status.code(), Some(0), "{}", transcript(&lenient));
    let strict = validate_bench(dir.path(), &["--map-uri", &mapping, "--strict-formats"]);
    assert_eq!(strict.status.code(), Some(1), "{}", transcript(&strict));
    assert!(
        String::from_utf8_lossy(&strict.stdout).contains("/contact"),
        "{}",
        transcript(&strict)
    );
}

#[test]
fn draft_07_schemas_are_read_as_draft_07() {
    // In draft-07 `$ref` overrides its siblings, so the `maximum` beside it
    // is ignored; in 2020-12 it would apply.
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://example.org/models/Counter",
  "definitions": { "n": { "type": "integer" } },
  "type": "object",
  "properties": { "type": { "enum": ["Counter"] }, "count": { "$ref": "#/definitions/n", "maximum": 5 } }
}"##;
    std::fs::create_dir_all(dir.path().join("models")).expect("dir");
    std::fs::write(dir.path().join("models/Counter.schema.json"), schema).expect("schema");
    std::fs::write(
        dir.path().join("bench.json"),
        r#"{"type": "Counter", "count": 9}"#,
    )
    .expect("record");
    let output = validate_bench(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}
