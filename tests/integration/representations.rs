//! Records in NGSI-LD normalized and concise, NGSI-v2 normalized and
//! key-values form: the same MobilityTrip (6-decimal start, unbucketed
//! start time) fails the `kr` coarsening checks in every form, each
//! finding pointed into the record as written; a record whose form cannot
//! be told, or that does not match the declared form, is "could not be
//! checked", never met.

use std::io::Write;

use crate::common;

const FORMS: &[&str] = &[
    "key-values",
    "ngsi-ld-normalized",
    "ngsi-ld-concise",
    "ngsi-v2-normalized",
];

const COARSENING: &[&str] = &[
    "-r",
    "ANON-LOC-PRECISION-01",
    "-r",
    "ANON-TIME-GRANULARITY-01",
];

fn fixture(form: &str) -> String {
    format!("fixtures/payloads/representations/mobility-trip-{form}.json")
}

#[test]
fn a_trip_fails_the_kr_coarsening_checks_in_every_form() {
    for form in FORMS {
        let path = fixture(form);
        let mut args = vec!["validate", path.as_str(), "--profile", "kr"];
        args.extend(COARSENING);
        let output = common::run(&args);
        insta::assert_snapshot!(
            format!("coarsening_{}", form.replace('-', "_")),
            common::transcript(&output)
        );
        assert_eq!(output.status.code(), Some(1), "{form}");
    }
}

#[test]
fn every_form_of_the_trip_gets_the_same_verdicts_under_kr_and_baseline() {
    for profile in ["kr", "baseline"] {
        let verdicts: Vec<serde_json::Value> = FORMS
            .iter()
            .map(|form| {
                let path = fixture(form);
                let output = common::run(&[
                    "validate",
                    path.as_str(),
                    "--profile",
                    profile,
                    "--format",
                    "json",
                ]);
                let report = common::json_report(&output);
                report["profiles"][0]["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| serde_json::json!([r["requirement"], r["verdict"], r["counts"]]))
                    .collect()
            })
            .collect();
        assert!(
            verdicts.iter().all(|v| *v == verdicts[0]),
            "{profile}: {verdicts:#?}"
        );
        assert!(
            verdicts[0].as_array().is_some_and(|a| !a.is_empty()),
            "{profile}: no verdicts"
        );
    }
}

#[test]
fn a_normalized_trip_read_as_key_values_could_not_be_checked() {
    let path = fixture("ngsi-ld-normalized");
    let mut args = vec![
        "validate",
        path.as_str(),
        "--profile",
        "kr",
        "--representation",
        "key-values",
    ];
    args.extend(COARSENING);
    let output = common::run(&args);
    insta::assert_snapshot!(common::transcript(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Result: MET"), "{text}");
}

#[test]
fn a_record_whose_form_cannot_be_told_is_not_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mixed.json");
    let mut file = std::fs::File::create(&path).expect("create");
    // NGSI-v2 attribute objects beside a bare value.
    let record = serde_json::json!({
        "id": "urn:ngsi-ld:MobilityTrip:mixed",
        "type": "MobilityTrip",
        "startTime": {"type": "DateTime", "value": "2025-03-04T08:07:31+09:00"},
        "endTime": "2025-03-04T08:45:00+09:00",
        "startLocation": {"type": "geo:json", "value": {"type": "Point", "coordinates": [126.978123, 37.566481]}},
        "endLocation": {"type": "Point", "coordinates": [127.028, 37.498]}
    });
    write!(file, "{record}").expect("write");
    let shown = path.to_string_lossy().into_owned();
    let mut args = vec!["validate", shown.as_str(), "--profile", "kr"];
    args.extend(COARSENING);
    let output = common::run(&args);
    let settings = common::path_filters(&[(dir.path(), "[dir]")]);
    settings.bind(|| insta::assert_snapshot!(common::transcript(&output)));
    assert_ne!(output.status.code(), Some(0));
    // The record's identifier is data and never shown.
    assert!(!String::from_utf8_lossy(&output.stdout).contains("MobilityTrip:mixed"));
}

#[test]
fn an_unknown_representation_name_is_a_usage_error() {
    let path = fixture("key-values");
    let output = common::run(&["validate", path.as_str(), "--representation", "normalized"]);
    insta::assert_snapshot!(common::transcript(&output));
    assert_eq!(output.status.code(), Some(2));
}

/// Serves the NGSI-LD normalized trip, as an array, for every request.
fn normalized_trips(mut stream: std::net::TcpStream, _head: String) {
    let path = common::root().join(fixture("ngsi-ld-normalized"));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
            .unwrap_or_default();
    let body = serde_json::json!([record]).to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/ld+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The live audit's record checks share the pipeline: an NGSI-LD
/// normalized answer fails the coarsening checks, pointed into the answer.
#[test]
fn a_live_answer_in_ngsi_ld_normalized_form_fails_the_coarsening_checks() {
    let port = common::loopback::serve(normalized_trips);
    let url = format!("http://127.0.0.1:{port}/trips");
    let mut args = vec!["audit", url.as_str(), "-p", "kr", "--format", "json"];
    args.extend(COARSENING);
    let output = common::run(&args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let mut pointers: Vec<(String, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["requirement"].as_str().unwrap_or("").to_owned(),
                f["location"]["pointer"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    pointers.sort();
    insta::assert_debug_snapshot!(pointers);
}

/// `representation` in the `[payloads]` section of `cityconform.toml` is
/// what `--representation` is to `validate`.
#[test]
fn a_configuration_may_declare_the_representation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = common::root().join(fixture("ngsi-ld-normalized"));
    std::fs::copy(&source, dir.path().join("trip.json")).expect("fixture copied");
    let run = |representation: &str| {
        std::fs::write(
            dir.path().join("cityconform.toml"),
            format!(
                "profiles = [\"kr\"]\n[payloads]\npaths = [\"trip.json\"]\nrepresentation = \"{representation}\"\nrequirements = [\"ANON-LOC-PRECISION-01\"]\n"
            ),
        )
        .expect("configuration written");
        let output = common::cityconform(&["check", "--format", "json"])
            .current_dir(dir.path())
            .output()
            .expect("the cityconform binary runs");
        let report = common::json_report(&output);
        (
            output.status.code(),
            report["profiles"][0]["results"][0]["verdict"].clone(),
        )
    };
    assert_eq!(
        run("ngsi-ld-normalized"),
        (Some(1), serde_json::json!("fail"))
    );
    assert_eq!(run("key-values"), (Some(1), serde_json::json!("error")));
}

/// Serves the key-values trip, as an array, for every request.
fn key_values_trips(mut stream: std::net::TcpStream, _head: String) {
    let path = common::root().join(fixture("key-values"));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
            .unwrap_or_default();
    let body = serde_json::json!([record]).to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body_len}\r\nConnection: close\r\n\r\n{body}",
        body_len = body.len()
    );
}

/// A target on `port` whose one endpoint declares `representation`.
fn declaring_target(dir: &std::path::Path, port: u16, representation: &str) -> String {
    let path = dir.join("target.toml");
    std::fs::write(
        &path,
        format!(
            "base_url = \"http://127.0.0.1:{port}\"\nauth = \"none\"\n\n[[endpoint]]\npath = \"/trips\"\nrepresentation = \"{representation}\"\n"
        ),
    )
    .expect("target written");
    path.display().to_string()
}

/// An endpoint's declared representation overrides detection: key-values
/// trips declared NGSI-LD normalized still fail the coarsening (the
/// adapter reads their bare values), declared GeoJSON they cannot be read,
/// and the coarsening and schema requirements are "could not be checked",
/// never met.
#[test]
fn a_representation_an_endpoint_declares_overrides_detection_and_never_passes_unread() {
    let port = common::loopback::serve(key_values_trips);
    let dir = tempfile::tempdir().expect("temp dir");
    let verdicts = |representation: &str| {
        let target = declaring_target(dir.path(), port, representation);
        let mut args = vec![
            "audit",
            "--target",
            target.as_str(),
            "-p",
            "kr",
            "-r",
            "PAY-SCHEMA-01",
            "--format",
            "json",
        ];
        args.extend(COARSENING);
        let output = common::run(&args);
        let report = common::json_report(&output);
        let verdicts: Vec<(String, String)> = report["profiles"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["requirement"].as_str().unwrap_or("").to_owned(),
                    r["verdict"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        (output.status.code(), verdicts)
    };
    let (code, found) = verdicts("geojson");
    assert_eq!(code, Some(1), "{found:?}");
    assert_eq!(
        found,
        [
            ("ANON-LOC-PRECISION-01", "error"),
            ("ANON-TIME-GRANULARITY-01", "error"),
            ("PAY-SCHEMA-01", "error"),
        ]
        .map(|(r, v)| (r.to_owned(), v.to_owned()))
        .to_vec()
    );
    let (code, found) = verdicts("key-values");
    assert_eq!(code, Some(1), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(r, v)| r == "ANON-LOC-PRECISION-01" && v == "fail"),
        "{found:?}"
    );
}

/// Every representation name there is, and the other spelling.
const NAMES: &[&str] = &[
    "auto",
    "key-values",
    "ngsi-ld-normalized",
    "ngsi-ld-concise",
    "ngsi-v2-normalized",
    "geojson",
    "geojson-feature",
];

/// The list of names a refusal gives: the text after `use one of`.
fn names_offered(text: &str) -> String {
    text.split("use one of ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default()
        .to_owned()
}

/// A target and `validate` refuse an unknown name with the same list of
/// names, the target with its line.
#[test]
fn an_unknown_representation_in_a_target_is_refused_with_the_names_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = declaring_target(dir.path(), 9, "normalized");
    let output = common::run(&["audit", "--target", target.as_str()]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("target.toml:"), "{text}");
    for name in NAMES {
        assert!(text.contains(name), "{name}: {text}");
    }
    let path = fixture("key-values");
    let validate = common::run(&["validate", path.as_str(), "--representation", "normalized"]);
    let refused = common::expect_exit(&validate, 2);
    assert_eq!(names_offered(&text), names_offered(&refused));
    assert!(!names_offered(&text).is_empty(), "{text}");
}

/// `validate --representation` and a target's `representation` take the
/// same names, `geojson-feature` as another spelling of `geojson`, and
/// `validate --help` lists them all.
#[test]
fn validate_and_a_target_take_the_same_representation_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spot: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("fixtures/payloads/valid/parking-spot.json"))
            .expect("fixture read"),
    )
    .expect("fixture parsed");
    let mut properties = spot.clone();
    let geometry = properties
        .as_object_mut()
        .and_then(|p| p.remove("location"))
        .expect("a location");
    let feature = serde_json::json!({
        "type": "FeatureCollection",
        "features": [{ "type": "Feature", "id": spot["id"], "geometry": geometry, "properties": properties }],
    });
    let path = dir.path().join("spots.geojson.json");
    std::fs::write(&path, feature.to_string()).expect("feature written");
    let path = path.to_string_lossy().into_owned();
    let verdicts = |name: &str| {
        let output = common::run(&[
            "validate",
            path.as_str(),
            "-p",
            "baseline",
            "--representation",
            name,
            "--format",
            "json",
        ]);
        let report = common::json_report(&output);
        let results: Vec<serde_json::Value> = report["profiles"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| serde_json::json!([r["requirement"], r["verdict"]]))
            .collect();
        (output.status.code(), results)
    };
    let geojson = verdicts("geojson");
    assert_eq!(geojson.0, Some(0), "{geojson:?}");
    assert!(
        geojson
            .1
            .iter()
            .any(|r| r == &serde_json::json!(["PAY-SCHEMA-01", "pass"])),
        "{geojson:?}"
    );
    assert_eq!(verdicts("geojson-feature"), geojson);
    assert_eq!(verdicts("auto"), geojson);

    for name in NAMES {
        let target = declaring_target(dir.path(), 9, name);
        let output = common::run(&["audit", "--target", target.as_str(), "--wait", "0"]);
        // Read, then unreachable: not refused as a bad file.
        assert_ne!(
            output.status.code(),
            Some(2),
            "{name}: {}",
            common::transcript(&output)
        );
    }
    let help = common::run(&["validate", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout).replace('\n', " ");
    for name in NAMES {
        assert!(help.contains(name), "{name}: {help}");
    }
}
