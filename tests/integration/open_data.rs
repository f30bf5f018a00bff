//! Open data audited as open: `cityconform audit URL` and `auth = "none"`
//! against a public API written here, on loopback (plain HTTP, no
//! credentials, no tenants). The requirements that need tenants,
//! credentials or an admin operation do not apply, each with its reason;
//! personal data served without authentication fails SEC-AUTHN-01; the
//! envelope is asked for only of a platform that adopted it; a JSON body
//! needs a JSON media type and no charset (RFC 8259 §11); HSTS does not
//! apply over plain HTTP (RFC 6797 §7.2); and a GeoJSON FeatureCollection
//! counts its features as records.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::common;
use crate::common::loopback::serve;

/// A record of `fixtures/payloads/valid/NAME`, without its envelope.
fn fixture_record(name: &str) -> Value {
    let path = common::root().join("fixtures/payloads/valid").join(name);
    let text = std::fs::read_to_string(&path).expect("fixture read");
    let mut record: Value = serde_json::from_str(&text).expect("fixture is JSON");
    if let Some(map) = record.as_object_mut() {
        map.remove("envelope");
    }
    record
}

/// `count` parking spots as GeoJSON features: the location is the
/// geometry, the other attributes the properties; the type comes from the
/// endpoint when `typed` is false. The second feature has a member its
/// schema does not declare, the third a geometry that is no geometry.
fn features(count: usize, typed: bool) -> Value {
    let spot = fixture_record("parking-spot.json");
    let mut properties = spot.as_object().cloned().unwrap_or_default();
    let geometry = properties.remove("location").unwrap_or(Value::Null);
    properties.remove("id");
    if !typed {
        properties.remove("type");
    }
    let features: Vec<Value> = (0..count)
        .map(|i| {
            let mut feature = json!({
                "type": "Feature",
                "id": format!("urn:ngsi-ld:ParkingSpot:open-{i}"),
                "geometry": geometry,
                "properties": properties,
            });
            match i {
                1 => feature["properties"]["internalNote"] = json!("kept inside"),
                2 => feature["geometry"]["coordinates"] = json!("here"),
                _ => {}
            }
            feature
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features, "numberReturned": count })
}

/// The public API: `/parking` (open, non-personal), `/trips` (personal),
/// `/text` (JSON labelled text/plain), `/features` and `/untyped-features`
/// (250 GeoJSON features whatever the limit), else 404. No request is
/// ever authenticated; nothing is cached or rate limited.
fn public_api(mut stream: TcpStream, head: String) {
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let (status, media_type, body) = match path {
        "/paged" => ("200 OK", "application/geo+json", paged(query)),
        "/parking" => (
            "200 OK",
            "application/json",
            json!([fixture_record("parking-spot.json")]),
        ),
        "/trips" => (
            "200 OK",
            "application/json",
            json!([fixture_record("mobility-trip.json")]),
        ),
        "/text" => (
            "200 OK",
            "text/plain",
            json!([fixture_record("parking-spot.json")]),
        ),
        "/features" => ("200 OK", "application/geo+json", features(250, true)),
        "/untyped-features" => ("200 OK", "application/geo+json", features(3, false)),
        _ => (
            "404 Not Found",
            "application/json",
            json!({ "error": "not found" }),
        ),
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {media_type}\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Page `page=N` (1 to 3) of a paged collection: each page three features
/// (the third with a geometry that is no geometry) and a `next` link; the
/// third page's leaves the origin (never followed).
fn paged(query: &str) -> Value {
    let page: usize = query
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut collection = features(3, true);
    let next = if page < 3 {
        format!("/paged?page={}", page + 1)
    } else {
        "http://elsewhere.example/paged?page=4".to_owned()
    };
    collection["links"] =
        json!([{ "rel": "self", "href": "/paged" }, { "rel": "next", "href": next }]);
    collection
}

/// An OGC API - Features server that gets each conformance case wrong:
/// its landing page has no conformance link, its conformance declaration
/// leaves out GeoJSON, its collections document has no links, and its
/// items ignore `limit`, miscount `numberReturned` and give no `next`
/// link although more features were selected.
fn broken_ogc_api(mut stream: TcpStream, head: String) {
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/");
    let (status, body) = match path {
        "/" => (
            "200 OK",
            json!({ "links": [
                { "rel": "service-desc", "href": "/api" },
                { "rel": "data", "href": "/collections" },
            ] }),
        ),
        "/conformance" => (
            "200 OK",
            json!({ "conformsTo": ["http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"] }),
        ),
        "/collections" => (
            "200 OK",
            json!({ "collections": [{ "id": "spots" }, { "id": "../admin" }] }),
        ),
        "/collections/spots/items" => {
            let mut collection = features(5, true);
            collection["numberReturned"] = json!(4);
            collection["numberMatched"] = json!(50);
            collection["links"] = json!([{ "rel": "alternate", "href": "/x" }]);
            ("200 OK", collection)
        }
        _ => ("404 Not Found", json!({ "error": "not found" })),
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// `audit ARGS --format json -p baseline`, with the exit code checked to
/// be a verdict (0 or 1), never a refusal (2).
fn audit(args: &[&str]) -> (Output, Value) {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.extend(["--format", "json", "-p", "baseline"]);
    let output = common::run(&all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    (output, report)
}

/// Each requirement of the first profile: its verdict and, unless it
/// passed, the reason or the first finding's message.
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let results = report["profiles"][0]["results"].as_array().cloned();
    for result in results.into_iter().flatten() {
        let id = result["requirement"].as_str().unwrap_or("?").to_owned();
        let verdict = result["verdict"].as_str().unwrap_or("?").to_owned();
        let why = result["reason"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| first_message(report, &id));
        let shown = match (verdict.as_str(), why) {
            ("pass", _) | (_, None) => verdict,
            (_, Some(why)) => format!("{verdict}: {why}"),
        };
        out.insert(id, shown);
    }
    out
}

/// The message of the first finding of `requirement`.
fn first_message(report: &Value, requirement: &str) -> Option<String> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["requirement"] == requirement)
        .and_then(|f| f["message"].as_str())
        .map(str::to_owned)
}

fn port_filter() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings
}

#[test]
fn a_url_alone_audits_a_public_api_without_invented_parts() {
    let port = serve(public_api);
    let (_, report) = audit(&[&format!("http://127.0.0.1:{port}/parking")]);
    let verdicts = verdicts(&report);
    port_filter().bind(|| insta::assert_debug_snapshot!("open_parking", verdicts));
}

#[test]
fn personal_data_served_without_authentication_fails() {
    let port = serve(public_api);
    let (output, report) = audit(&[&format!("http://127.0.0.1:{port}/trips")]);
    assert_eq!(output.status.code(), Some(1));
    let verdicts = verdicts(&report);
    let authn = &verdicts["SEC-AUTHN-01"];
    assert!(
        authn.starts_with("fail: personal data is served without authentication"),
        "{authn}"
    );
    assert!(verdicts["SEC-CACHE-01"].starts_with("fail"), "{verdicts:?}");
}

#[test]
fn json_labelled_as_text_fails_the_content_type() {
    let port = serve(public_api);
    let (_, report) = audit(&[
        &format!("http://127.0.0.1:{port}/text"),
        "-r",
        "SEC-CONTENT-TYPE-01",
    ]);
    let verdicts = verdicts(&report);
    let verdict = &verdicts["SEC-CONTENT-TYPE-01"];
    assert!(
        verdict.starts_with("fail: `content-type: text/plain`"),
        "{verdict}"
    );
}

/// Writes a target file for the public API's `/parking` into `dir`, with
/// `top` among its top-level keys and `endpoint` in its endpoint; its path.
fn open_target(dir: &Path, port: u16, top: &str, endpoint: &str) -> String {
    let target = dir.join("target.toml");
    std::fs::write(
        &target,
        format!(
            "base_url = \"http://127.0.0.1:{port}\"\nauth = \"none\"\n{top}\n[[endpoint]]\npath = \"/parking\"\n{endpoint}"
        ),
    )
    .expect("target written");
    target.display().to_string()
}

/// A target file saying `auth = "none"` is the same public API: no
/// tenants, tokens or admin operation are asked for.
#[test]
fn auth_none_in_a_target_file_is_an_open_api() {
    let port = serve(public_api);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = open_target(dir.path(), port, "", "type = \"ParkingSpot\"\n");
    let (_, report) = audit(&["--target", &target]);
    let from_file = verdicts(&report);
    let (_, report) = audit(&[&format!("http://127.0.0.1:{port}/parking")]);
    assert_eq!(from_file, verdicts(&report));
}

/// The envelope is asked for only of a platform that adopted it.
#[test]
fn the_envelope_is_asked_for_only_where_adopted() {
    let port = serve(public_api);
    let dir = tempfile::tempdir().expect("temp dir");
    let target = open_target(dir.path(), port, "envelope = true\n", "");
    let (_, report) = audit(&["--target", &target, "-r", "PAY-ENVELOPE-01"]);
    let verdict = &verdicts(&report)["PAY-ENVELOPE-01"];
    assert!(verdict.starts_with("fail"), "{verdict}");
}

/// A profile may say its platforms adopted the envelope (`adopted` on
/// PAY-ENVELOPE-01): then a platform's target need not.
#[test]
fn a_profile_may_say_the_envelope_was_adopted() {
    let port = serve(public_api);
    let suites = tempfile::tempdir().expect("temp dir");
    let profiles = suites.path().join("profiles");
    std::fs::create_dir_all(&profiles).expect("profiles folder");
    std::fs::write(
        profiles.join("envelope-adopters.toml"),
        "id = \"envelope-adopters\"\ntitle = \"Platforms that adopted the envelope\"\ndescription = \"Baseline, with the data-exchange envelope adopted.\"\nextends = \"baseline\"\njurisdictions = []\n\n[requirements.PAY-ENVELOPE-01]\nparams = { member = \"envelope\", adopted = true }\n",
    )
    .expect("profile written");
    let suites_arg = suites.path().display().to_string();
    let output = common::run(&[
        "audit",
        &format!("http://127.0.0.1:{port}/parking"),
        "--suites",
        &suites_arg,
        "-p",
        "envelope-adopters",
        "-p",
        "baseline",
        "-r",
        "PAY-ENVELOPE-01",
        "--format",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let verdict_under = |profile: usize| {
        report["profiles"][profile]["results"][0]["verdict"]
            .as_str()
            .unwrap_or("?")
            .to_owned()
    };
    assert_eq!(report["profiles"][0]["id"], "envelope-adopters");
    assert_eq!(verdict_under(0), "fail");
    assert_eq!(verdict_under(1), "skip");
}

#[test]
fn an_open_target_with_tenants_or_a_bad_url_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("target.toml");
    std::fs::write(
        &target,
        "base_url = \"http://127.0.0.1:9\"\nauth = \"none\"\n\n[[endpoint]]\npath = \"/parking\"\n\n[tenants.a]\ntoken_env = \"X\"\nresource = \"/a\"\n\n[tenants.b]\ntoken_env = \"Y\"\nresource = \"/b\"\n",
    )
    .expect("target written");
    let target = target.display().to_string();
    let refused = common::run(&["audit", "--target", &target]);
    let user_pw = common::run(&["audit", "http://someone:s3cret-pass@127.0.0.1:9/x"]);
    let not_http = common::run(&["audit", "ftp://127.0.0.1/x"]);
    let neither = common::run(&["audit"]);
    let both = common::run(&["audit", "http://127.0.0.1:9/x", "--target", &target]);
    for output in [&refused, &user_pw, &not_http, &neither, &both] {
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            common::transcript(output)
        );
        assert!(output.stdout.is_empty(), "nothing half-written");
    }
    assert!(!common::transcript(&user_pw).contains("s3cret-pass"));
    let transcripts = [&refused, &user_pw, &not_http]
        .map(|o| common::transcript(o).replace(&target, "[TARGET]"))
        .join("\n---\n");
    insta::assert_snapshot!("open_refusals", transcripts);
}

/// `[target] url`, which `init`'s template and the configuration schema
/// offer, is accepted by `check` and audits the API as open.
#[test]
fn check_accepts_a_target_url() {
    let port = serve(public_api);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("cityconform.toml"),
        format!("[target]\nurl = \"http://127.0.0.1:{port}/parking\"\n"),
    )
    .expect("configuration written");
    let output = run_check(dir.path());
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    assert!(
        verdicts(&report)["SEC-BOLA-01"].starts_with("skip: the target declares no tenants"),
        "{:?}",
        verdicts(&report)
    );
    std::fs::write(
        dir.path().join("cityconform.toml"),
        "[target]\nurl = \"http://someone:s3cret-pass@127.0.0.1:9/\"\n",
    )
    .expect("configuration written");
    let refused = run_check(dir.path());
    assert_eq!(refused.status.code(), Some(2));
    let transcript = common::transcript(&refused);
    assert!(transcript.contains("cityconform.toml:2"), "{transcript}");
    assert!(!transcript.contains("s3cret-pass"), "{transcript}");
}

fn run_check(dir: &Path) -> Output {
    common::cityconform(&["check", "--format", "json"])
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// A FeatureCollection counts its features: 250 features for
/// `limit=100000` is more than `max_page_size`.
#[test]
fn a_feature_collection_larger_than_the_page_size_fails() {
    let port = serve(public_api);
    let (_, report) = audit(&[
        &format!("http://127.0.0.1:{port}/features"),
        "-r",
        "SEC-PAGE-SIZE-01",
        "-r",
        "PAY-SCHEMA-01",
        "-r",
        "SEC-PROPERTY-01",
    ]);
    let verdicts = verdicts(&report);
    // Findings point into the features as they arrived: the geometry, a
    // member of the properties.
    let places: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {} record {} {}",
                f["requirement"].as_str().unwrap_or("?"),
                f["location"]["file"].as_str().unwrap_or("?"),
                f["location"]["record"],
                f["location"]["pointer"].as_str().unwrap_or("")
            )
        })
        .collect();
    port_filter().bind(|| insta::assert_debug_snapshot!("open_features", (verdicts, places)));
}

/// `next` links are followed, on the API's origin only, and the records
/// of every page are checked.
#[test]
fn next_pages_are_followed_on_the_origin() {
    let port = serve(public_api);
    let (_, report) = audit(&[
        &format!("http://127.0.0.1:{port}/paged?page=1"),
        "-r",
        "PAY-SCHEMA-01",
    ]);
    let places: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["requirement"] == "PAY-SCHEMA-01")
        .map(|f| {
            format!(
                "{} record {} {}",
                f["location"]["file"].as_str().unwrap_or("?"),
                f["location"]["record"],
                f["location"]["pointer"].as_str().unwrap_or("")
            )
        })
        .collect();
    // The third feature of each page has a geometry that is no geometry;
    // pages 2 and 3 were read through `next` links.
    assert_eq!(
        places,
        vec![
            "GET /paged?page=1 record 3 /geometry",
            "GET /paged?page=2 record 3 /geometry",
            "GET /paged?page=3 record 3 /geometry",
        ]
    );
    let checked = report["inputs"][0]["records"].as_u64().unwrap_or(0);
    let without_paging = common::run(&[
        "audit",
        &format!("http://127.0.0.1:{port}/parking"),
        "-r",
        "PAY-SCHEMA-01",
        "--format",
        "json",
    ]);
    let unpaged = common::json_report(&without_paging)["inputs"][0]["records"]
        .as_u64()
        .unwrap_or(0);
    // Two more requests (pages 2 and 3), and none to the other origin,
    // which would have counted too.
    assert_eq!(checked, unpaged + 2);
}

/// Each OGC API - Features requirement fails on the server that gets its
/// case wrong, found from the landing page alone; a collection whose ID
/// would change the path is not audited.
#[test]
fn a_non_conformant_ogc_api_fails_each_ogc_requirement() {
    let port = serve(broken_ogc_api);
    let (output, report) = audit(&[&format!("http://127.0.0.1:{port}/")]);
    assert_eq!(output.status.code(), Some(1));
    let verdicts: BTreeMap<String, String> = verdicts(&report)
        .into_iter()
        .filter(|(id, _)| id.starts_with("OGC-"))
        .collect();
    let requested: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["location"]["file"].as_str())
        .filter(|file| file.contains("/collections/"))
        .map(str::to_owned)
        .collect();
    assert!(
        requested
            .iter()
            .all(|file| file.contains("/collections/spots/items")),
        "{requested:?}"
    );
    port_filter().bind(|| insta::assert_debug_snapshot!("broken_ogc", verdicts));
}

/// Features whose type neither they nor their endpoint name could not be
/// checked against a schema, and say why; never a pass, never the
/// collection's own type.
#[test]
fn untyped_features_are_not_checked_and_say_why() {
    let port = serve(public_api);
    let (output, report) = audit(&[
        &format!("http://127.0.0.1:{port}/untyped-features"),
        "-r",
        "PAY-SCHEMA-01",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let verdict = &verdicts(&report)["PAY-SCHEMA-01"];
    assert!(
        verdict.starts_with("error: the record has no `type` member"),
        "{verdict}"
    );
    assert!(!verdict.contains("FeatureCollection"), "{verdict}");
}

/// A schema requiring `spotCapacity`, which the ParkingSpot fixture lacks.
const STRICT_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://city.example/schemas/strict-parking",
  "type": "object",
  "required": ["spotCapacity"]
}"#;

/// `schema = ...` on an endpoint judges its records by that schema alone:
/// a file beside the target, an entity type, or a reference that names
/// nothing (exit 2, naming the endpoint).
#[test]
fn an_endpoint_schema_judges_its_records() {
    let port = serve(public_api);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("strict.json"), STRICT_SCHEMA).expect("schema written");
    let target = open_target(dir.path(), port, "", "schema = \"strict.json\"\n");
    let (_, report) = audit(&["--target", &target, "-r", "PAY-SCHEMA-01"]);
    let verdict = &verdicts(&report)["PAY-SCHEMA-01"];
    assert!(
        verdict.starts_with("fail") && verdict.contains("spotCapacity"),
        "{verdict}"
    );

    let target = open_target(dir.path(), port, "", "schema = \"ParkingSpot\"\n");
    let (_, report) = audit(&["--target", &target, "-r", "PAY-SCHEMA-01"]);
    assert_eq!(verdicts(&report)["PAY-SCHEMA-01"], "pass");

    let target = open_target(dir.path(), port, "", "schema = \"NoSuchModel\"\n");
    let output = common::run(&["audit", "--target", &target, "-r", "PAY-SCHEMA-01"]);
    let text = common::expect_exit(&output, 2);
    assert!(
        text.contains("endpoint `/parking`") && text.contains("NoSuchModel"),
        "{text}"
    );
}

/// `--map-uri` on `audit`, as on `validate`: an endpoint's schema named by
/// URI is read from the folder the prefix is mapped to, and without the
/// mapping the audit stops before any request, naming the endpoint.
#[test]
fn an_endpoint_schema_uri_is_read_through_map_uri() {
    let port = serve(public_api);
    let dir = tempfile::tempdir().expect("temp dir");
    let schemas = dir.path().join("schemas");
    std::fs::create_dir_all(&schemas).expect("folder");
    std::fs::write(schemas.join("strict-parking"), STRICT_SCHEMA).expect("schema written");
    let target = open_target(
        dir.path(),
        port,
        "",
        "schema = \"https://city.example/schemas/strict-parking\"\n",
    );
    let mapping = format!("https://city.example/schemas/={}", schemas.display());
    let (_, report) = audit(&[
        "--target",
        &target,
        "-r",
        "PAY-SCHEMA-01",
        "--map-uri",
        &mapping,
    ]);
    let verdict = &verdicts(&report)["PAY-SCHEMA-01"];
    assert!(
        verdict.starts_with("fail") && verdict.contains("spotCapacity"),
        "{verdict}"
    );
    let output = common::run(&["audit", "--target", &target, "-r", "PAY-SCHEMA-01"]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("endpoint `/parking`"), "{text}");
}

/// `--schema-dir` on `audit`, as on `validate`: a user schema that replaces
/// a bundled one (same `$id`, or same type), or another user schema of the
/// same type, is a warning naming both files.
#[test]
fn a_replaced_schema_is_a_warning_naming_both_files() {
    let bundled = common::root().join("schemas/models/ParkingSpot.schema.json");
    let same_id = std::fs::read_to_string(&bundled).expect("bundled schema");
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("a");
    let second = dir.path().join("b");
    std::fs::create_dir_all(&first).expect("folder");
    std::fs::create_dir_all(&second).expect("folder");
    std::fs::write(first.join("parking.json"), same_id).expect("written");
    let other = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://city.example/schemas/parking", "type": "object", "properties": {"type": {"const": "ParkingSpot"}}}"#;
    std::fs::write(second.join("parking.json"), other).expect("written");
    let first_arg = first.display().to_string();
    let second_arg = second.display().to_string();

    let output = common::run(&[
        "validate",
        "fixtures/payloads/valid/parking-spot.json",
        "--schema-dir",
        &first_arg,
    ]);
    let text = common::transcript(&output);
    assert!(
        text.contains(&format!(
            "warning: schema `{}` replaces the bundled `schemas/models/ParkingSpot.schema.json`",
            first.join("parking.json").display()
        )),
        "{text}"
    );

    let port = serve(public_api);
    let url = format!("http://127.0.0.1:{port}/parking");
    let output = common::run(&[
        "audit",
        &url,
        "-r",
        "PAY-SCHEMA-01",
        "--schema-dir",
        &first_arg,
        "--schema-dir",
        &second_arg,
    ]);
    let text = common::transcript(&output);
    // The bundled schema's replacement is named on `audit` as on `validate`.
    assert!(
        text.contains(&format!(
            "warning: schema `{}` replaces the bundled `schemas/models/ParkingSpot.schema.json`",
            first.join("parking.json").display()
        )),
        "{text}"
    );
    let warning = text
        .lines()
        .find(|l| l.contains("as the schema of type `ParkingSpot`"))
        .unwrap_or_else(|| panic!("no warning for the type: {text}"));
    assert!(warning.contains("replaces the user schema"), "{warning}");
    for file in [first.join("parking.json"), second.join("parking.json")] {
        assert!(warning.contains(&file.display().to_string()), "{warning}");
    }
    // Either schema of the type accepts the record.
    assert_eq!(output.status.code(), Some(0), "{text}");

    let output = common::run(&["validate", "fixtures/payloads/valid/parking-spot.json"]);
    assert!(!common::transcript(&output).contains("warning: schema"));
}

/// An OGC API whose one collection is named by a phone number, and whose
/// items break the limit case: the finding's location, message and
/// evidence show the collection as `[phone-kr]`, never the number.
fn ogc_api_with_an_identifier_as_collection(mut stream: TcpStream, head: String) {
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/");
    let (status, body) = match path {
        "/" => (
            "200 OK",
            json!({ "links": [
                { "rel": "service-desc", "href": "/api" },
                { "rel": "conformance", "href": "/conformance" },
                { "rel": "data", "href": "/collections" },
            ] }),
        ),
        "/collections" => (
            "200 OK",
            json!({ "links": [], "collections": [{ "id": "010-2345-6789" }] }),
        ),
        "/collections/010-2345-6789/items" => {
            let mut collection = features(5, true);
            collection["numberReturned"] = json!(5);
            ("200 OK", collection)
        }
        _ => ("404 Not Found", json!({ "error": "not found" })),
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn a_collection_named_by_an_identifier_is_shown_as_its_placeholder() {
    let port = serve(ogc_api_with_an_identifier_as_collection);
    let (output, report) = audit(&[&format!("http://127.0.0.1:{port}/")]);
    let json = String::from_utf8_lossy(&output.stdout);
    assert!(!json.contains("010-2345-6789"), "{json}");
    let located: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["location"]["file"].as_str())
        .filter(|file| file.contains("/collections/"))
        .collect();
    assert!(
        located
            .iter()
            .any(|f| f.contains("/collections/[phone-kr]/items")),
        "{located:?}"
    );
    let text = common::run(&[
        "audit",
        &format!("http://127.0.0.1:{port}/"),
        "-p",
        "baseline",
    ]);
    assert!(!String::from_utf8_lossy(&text.stdout).contains("010-2345-6789"));
}
