//! NGSI-LD brokers as a live API kind (`api = "ngsi-ld"`): the reference
//! platform speaking NGSI-LD meets every requirement, each of its NGSI-LD
//! faults fails exactly the requirement it names, a normalized MobilityTrip
//! with fine coordinates fails the `kr` coarsening through the
//! representation adapter, and a public broker's tenant isolation is
//! decided through the `NGSILD-Tenant` header alone.

#[cfg(feature = "reference")]
use std::collections::BTreeSet;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;

#[cfg(feature = "reference")]
use cityconform::reference::{Fault, ReferenceApi, ReferenceOptions};
use serde_json::{Value, json};

use crate::common;
#[cfg(feature = "reference")]
use crate::common::faults;
use crate::common::loopback;
use crate::common::verdict;

/// The NGSI-LD reference over TLS.
#[cfg(feature = "reference")]
fn options() -> ReferenceOptions {
    ReferenceOptions {
        tls: true,
        api: ReferenceApi::NgsiLd,
        ..ReferenceOptions::default()
    }
}

/// Audits the target in `dir` with `extra` arguments, as JSON.
fn audit(dir: &Path, extra: &[&str]) -> std::process::Output {
    let target = dir.join("target.toml");
    let target = target.to_str().expect("temp paths are UTF-8");
    let mut args = vec!["audit", "--target", target, "--format", "json"];
    args.extend_from_slice(extra);
    common::run(&args)
}

/// Whether a skipped result is one of a requirement that does not apply
/// to a broker: one of another kind of API, or cityconform's envelope,
/// which a broker has not adopted.
#[cfg(feature = "reference")]
fn other_api(result: &Value) -> bool {
    result["reason"].as_str().is_some_and(|r| {
        r.starts_with("the target is not an ")
            || r.contains("not a GBFS feed")
            || r.starts_with("the platform has not adopted")
    })
}

#[cfg(feature = "reference")]
#[test]
fn the_ngsi_ld_reference_meets_every_requirement() {
    let broker = faults::start(&options());
    let dir = tempfile::tempdir().expect("temp dir");
    let output = broker.audit(dir.path(), &["-p", "baseline", "-p", "kr", "-p", "eu"]);
    let target = std::fs::read_to_string(dir.path().join("target.toml")).expect("target read");
    assert!(target.contains("api = \"ngsi-ld\""), "{target}");
    assert!(
        !target.contains("[entities]"),
        "types are discovered: {target}"
    );
    let report = common::json_report(&output);
    assert_eq!(
        faults::not_passing(&report, other_api),
        BTreeSet::new(),
        "{}",
        common::transcript(&output)
    );
    common::expect_exit(&output, 0);
    for requirement in [
        "NGSILD-CONTEXT-01",
        "NGSILD-KEYVALUES-01",
        "NGSILD-PAGING-01",
        "NGSILD-ERRORS-01",
        "NGSILD-TENANT-01",
        "PAY-SCHEMA-01",
    ] {
        assert_eq!(verdict(&report, requirement), "pass", "{requirement}");
    }
}

#[cfg(feature = "reference")]
#[test]
fn each_ngsi_ld_fault_fails_exactly_its_requirement() {
    let mut broken: Vec<Fault> = Fault::NGSI_LD.to_vec();
    // Normalized records reach the coarsening checks through the adapter.
    broken.push(Fault::FineCoordinates);
    faults::each_fails_exactly_its_requirements(&options(), &broken, &["-p", "kr"], other_api);
}

#[cfg(feature = "reference")]
#[test]
fn demo_api_ngsi_ld_passes_and_fails_on_a_fault() {
    let clean = common::run(&["demo", "--api", "ngsi-ld", "-p", "kr", "--format", "json"]);
    common::expect_exit(&clean, 0);
    let faulty = common::run(&[
        "demo",
        "--api",
        "ngsi-ld",
        "--fault",
        "plain-errors",
        "-p",
        "kr",
    ]);
    let text = common::expect_exit(&faulty, 1);
    assert!(text.contains("FAIL     MUST    NGSILD-ERRORS-01"), "{text}");
    let misplaced = common::run(&["demo", "--fault", "plain-errors"]);
    let text = common::expect_exit(&misplaced, 2);
    assert!(text.contains("add --api ngsi-ld"), "{text}");
}

/// A public NGSI-LD broker on loopback holding one ParkingSpot per tenant,
/// chosen by `NGSILD-Tenant`; a `leaky` one serves either tenant's entity
/// whatever the header says.
fn public_broker(leaky: bool) -> u16 {
    if leaky {
        loopback::serve(|stream, head| answer(stream, &head, true))
    } else {
        loopback::serve(|stream, head| answer(stream, &head, false))
    }
}

fn answer(mut stream: TcpStream, head: &str, leaky: bool) {
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let tenant = loopback::header(head, "ngsild-tenant:");
    let owner = |id: &str| match id {
        "urn:ngsi-ld:ParkingSpot:a1" => Some("city-a"),
        "urn:ngsi-ld:ParkingSpot:b1" => Some("city-b"),
        _ => None,
    };
    let entity_path = target.strip_prefix("/ngsi-ld/v1/entities/");
    let (status, body) = match entity_path.map(|id| (id, owner(id))) {
        Some((id, Some(owner))) if leaky || owner == tenant => (200, entity(id)),
        _ if target.starts_with("/ngsi-ld/v1/types") => {
            (200, json!({ "type": "EntityTypeList", "typeList": [] }))
        }
        _ => (
            404,
            json!({ "type": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound", "title": "Not Found" }),
        ),
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A normalized ParkingSpot.
fn entity(id: &str) -> Value {
    json!({
        "id": id,
        "type": "ParkingSpot",
        "status": { "type": "Property", "value": "free" },
        "location": { "type": "GeoProperty", "value": { "type": "Point", "coordinates": [127.0, 37.5] } },
    })
}

/// A target for the public broker on `port`: no credential, two tenants
/// named by header, each with its entity.
fn public_target(dir: &Path, port: u16) {
    let text = format!(
        "base_url = \"http://127.0.0.1:{port}\"\napi = \"ngsi-ld\"\nauth = \"none\"\n\n[tenants.a]\ntenant = \"city-a\"\nresource = \"/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:a1\"\n\n[tenants.b]\ntenant = \"city-b\"\nresource = \"/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:b1\"\n"
    );
    std::fs::write(dir.join("target.toml"), text).expect("target written");
}

#[test]
fn a_public_brokers_tenants_are_kept_apart_by_the_header() {
    for (leaky, expected) in [(false, "pass"), (true, "fail")] {
        let dir = tempfile::tempdir().expect("temp dir");
        public_target(dir.path(), public_broker(leaky));
        let output = audit(dir.path(), &["-p", "baseline"]);
        let report = common::json_report(&output);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            common::transcript(&output)
        );
        assert_eq!(
            verdict(&report, "SEC-BOLA-01"),
            expected,
            "leaky {leaky}:\n{}",
            common::transcript(&output)
        );
        // No credential to tie a caller to a tenant, none asked for.
        assert_eq!(verdict(&report, "NGSILD-TENANT-01"), "skip");
        assert_ne!(verdict(&report, "SEC-AUTHN-01"), "fail");
    }
}

#[test]
fn a_tenant_header_on_an_api_without_one_is_refused_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = "base_url = \"http://127.0.0.1:9\"\nauth = \"none\"\n\n[[endpoint]]\npath = \"/parking\"\n\n[tenants.a]\ntenant = \"city-a\"\nresource = \"/parking/1\"\n\n[tenants.b]\ntenant = \"city-b\"\nresource = \"/parking/2\"\n";
    std::fs::write(dir.path().join("target.toml"), text).expect("target written");
    let output = audit(dir.path(), &[]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("chooses no tenant by header"), "{text}");
    assert!(text.contains("target.toml:"), "{text}");
}

/// (requirement, verdict, reason) of every NGSILD-* result under the
/// first profile.
#[cfg(feature = "reference")]
fn ngsi_ld_results(report: &Value) -> Vec<(String, String, String)> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["requirement"]
                .as_str()
                .is_some_and(|id| id.starts_with("NGSILD-"))
        })
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (text("requirement"), text("verdict"), text("reason"))
        })
        .collect()
}

#[cfg(feature = "reference")]
#[test]
fn audit_url_detects_the_reference_broker_and_api_overrides_it() {
    let broker = faults::start(&ReferenceOptions {
        tls: false,
        ..options()
    });
    let url = broker.reference.base_url.clone();
    let output = common::run(&["audit", &url, "-p", "baseline", "--format", "json"]);
    let text = common::transcript(&output);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{text}");
    // Without a token the broker answers a problem of an NGSI-LD type.
    assert!(
        text.contains("audited as ngsi-ld: /ngsi-ld/v1/types answers as an NGSI-LD broker"),
        "{text}"
    );
    let results = ngsi_ld_results(&common::json_report(&output));
    assert_eq!(results.len(), 5, "{text}");
    assert!(
        results
            .iter()
            .all(|(_, _, reason)| !reason.contains("not an ngsi-ld API")),
        "{results:?}"
    );

    let output = common::run(&[
        "audit", &url, "--api", "generic", "-p", "baseline", "--format", "json",
    ]);
    let text = common::transcript(&output);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("audited as"), "--api chose: {text}");
    let results = ngsi_ld_results(&common::json_report(&output));
    assert!(
        results
            .iter()
            .all(|(_, verdict, reason)| verdict == "skip" && reason.contains("not an ngsi-ld API")),
        "{results:?}"
    );
}

/// A public NGSI-LD broker holding the MobilityTrip of
/// `fixtures/payloads/representations/` in `form`, answering key-values on
/// `options=keyValues`, with its context in a `Link` header.
fn trips(mut stream: TcpStream, head: &str, form: &str) {
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let read = |form: &str| -> Value {
        let path = common::root().join(format!(
            "fixtures/payloads/representations/mobility-trip-{form}.json"
        ));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default()
    };
    let (status, body) = if target.starts_with("/ngsi-ld/v1/types") {
        (
            200,
            json!({ "type": "EntityTypeList", "typeList": ["MobilityTrip"] }),
        )
    } else if target.starts_with("/ngsi-ld/v1/entities?") && !target.contains("limit=-1") {
        let offset = target.contains("offset=1");
        let form = if target.contains("options=keyValues") {
            "key-values"
        } else {
            form
        };
        (
            200,
            if offset {
                json!([])
            } else {
                json!([read(form)])
            },
        )
    } else if target.contains("limit=-1") {
        (
            400,
            json!({ "type": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData", "title": "Bad Request" }),
        )
    } else {
        (
            404,
            json!({ "type": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound", "title": "Not Found" }),
        )
    };
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nlink: <https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"\r\nngsild-results-count: 1\r\nx-content-type-options: nosniff\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn normalized_trips(stream: TcpStream, head: String) {
    trips(stream, &head, "ngsi-ld-normalized");
}

fn concise_trips(stream: TcpStream, head: String) {
    trips(stream, &head, "ngsi-ld-concise");
}

/// (requirement, verdict) of every result under `kr` of the trips broker
/// on `port`, its endpoint declaring `representation` (or not), and the
/// exit code.
fn declared_verdicts(
    port: u16,
    representation: Option<&str>,
) -> (Option<i32>, Vec<(String, String)>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let declared = representation.map_or(String::new(), |r| format!("representation = \"{r}\"\n"));
    let text = format!(
        "base_url = \"http://127.0.0.1:{port}\"\napi = \"ngsi-ld\"\nauth = \"none\"\n\n[[endpoint]]\npath = \"/ngsi-ld/v1/entities?type=MobilityTrip\"\ntype = \"MobilityTrip\"\n{declared}"
    );
    std::fs::write(dir.path().join("target.toml"), text).expect("target written");
    let output = audit(dir.path(), &["-p", "kr"]);
    let report = common::json_report(&output);
    let verdicts = report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (text("requirement"), text("verdict"))
        })
        .collect();
    (output.status.code(), verdicts)
}

fn verdict_of<'a>(verdicts: &'a [(String, String)], requirement: &str) -> &'a str {
    verdicts
        .iter()
        .find(|(r, _)| r == requirement)
        .map_or("absent", |(_, v)| v.as_str())
}

/// The NGSI audit reads an endpoint's records in the form it declares: a
/// correct declaration gives the verdicts detection gives, and concise
/// entities declared normalized leave the record requirements and the
/// normalized/key-values comparison "could not be checked", never met.
#[test]
fn an_ngsi_ld_endpoint_is_read_in_its_declared_representation() {
    let normalized = loopback::serve(normalized_trips);
    let detected = declared_verdicts(normalized, None);
    assert_eq!(detected.0, Some(1), "{detected:?}");
    assert_eq!(verdict_of(&detected.1, "ANON-LOC-PRECISION-01"), "fail");
    assert_eq!(verdict_of(&detected.1, "NGSILD-KEYVALUES-01"), "pass");
    assert_eq!(
        declared_verdicts(normalized, Some("ngsi-ld-normalized")),
        detected
    );

    let concise = loopback::serve(concise_trips);
    let detected = declared_verdicts(concise, None);
    assert_eq!(verdict_of(&detected.1, "ANON-LOC-PRECISION-01"), "fail");
    assert_eq!(verdict_of(&detected.1, "NGSILD-KEYVALUES-01"), "pass");
    assert_eq!(
        declared_verdicts(concise, Some("ngsi-ld-concise")),
        detected
    );
    let (code, contradicted) = declared_verdicts(concise, Some("ngsi-ld-normalized"));
    assert_eq!(code, Some(1), "{contradicted:?}");
    for requirement in [
        "PAY-SCHEMA-01",
        "ANON-LOC-PRECISION-01",
        "ANON-TIME-GRANULARITY-01",
        "NGSILD-KEYVALUES-01",
    ] {
        assert_eq!(
            verdict_of(&contradicted, requirement),
            "error",
            "{requirement}: {contradicted:?}"
        );
    }
}
