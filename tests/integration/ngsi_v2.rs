//! NGSI-v2 brokers as a live API kind (`api = "ngsi-v2"`), against a
//! broker on loopback written for the test: an honest one passes every
//! NGSI-v2 requirement, and each broken behaviour fails exactly its own.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;

use serde_json::{Value, json};

use crate::common;
use crate::common::loopback;

/// What the broker gets wrong, if anything.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Broken {
    Nothing,
    /// Errors as `{"message": ...}`.
    Errors,
    /// `options=count` answers no `Fiware-Total-Count`.
    Count,
    /// `options=keyValues` is ignored.
    KeyValues,
    /// `Fiware-Service` opens any service, whoever's token comes with it.
    Service,
}

const TOKENS: [(&str, &str); 2] = [
    ("token-of-city-a-0001", "city-a"),
    ("token-of-city-b-0002", "city-b"),
];

fn broker(broken: Broken) -> u16 {
    match broken {
        Broken::Nothing => loopback::serve(|s, h| answer(s, &h, Broken::Nothing)),
        Broken::Errors => loopback::serve(|s, h| answer(s, &h, Broken::Errors)),
        Broken::Count => loopback::serve(|s, h| answer(s, &h, Broken::Count)),
        Broken::KeyValues => loopback::serve(|s, h| answer(s, &h, Broken::KeyValues)),
        Broken::Service => loopback::serve(|s, h| answer(s, &h, Broken::Service)),
    }
}

/// A normalized ParkingSpot of `tenant`, number `n`.
fn entity(tenant: &str, n: usize) -> Value {
    json!({
        "id": format!("urn:ngsi-ld:ParkingSpot:{tenant}-{n}"),
        "type": "ParkingSpot",
        "status": { "type": "Text", "value": if n.is_multiple_of(2) { "free" } else { "occupied" }, "metadata": {} },
        "location": { "type": "geo:json", "value": { "type": "Point", "coordinates": [127.0, 37.5] }, "metadata": {} },
    })
}

fn key_values(entity: &Value) -> Value {
    let mut simple = serde_json::Map::new();
    for (name, value) in entity.as_object().into_iter().flatten() {
        let plain = match name.as_str() {
            "id" | "type" => value.clone(),
            _ => value["value"].clone(),
        };
        simple.insert(name.clone(), plain);
    }
    Value::Object(simple)
}

fn error(broken: Broken, status: u16, name: &str) -> (u16, Value, Option<usize>) {
    let body = if broken == Broken::Errors {
        json!({ "message": name })
    } else {
        json!({ "error": name, "description": "refused by the test broker" })
    };
    (status, body, None)
}

fn answer(mut stream: TcpStream, head: &str, broken: Broken) {
    let (status, body, count) = route(head, broken);
    let body = body.to_string();
    let count = count.map_or(String::new(), |n| format!("fiware-total-count: {n}\r\n"));
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\n{count}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn route(head: &str, broken: Broken) -> (u16, Value, Option<usize>) {
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let token = loopback::header(head, "authorization:");
    let Some((_, own)) = TOKENS.iter().find(|(t, _)| token == format!("Bearer {t}")) else {
        return error(broken, 401, "Unauthorized");
    };
    let service = loopback::header(head, "fiware-service:");
    let tenant = match service.as_str() {
        "" => *own,
        named if named == *own => *own,
        named if broken == Broken::Service => TOKENS
            .iter()
            .map(|(_, t)| *t)
            .find(|t| *t == named)
            .unwrap_or(own),
        _ => return error(broken, 403, "Forbidden"),
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: BTreeMap<&str, &str> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let all: Vec<Value> = (1..=3).map(|n| entity(tenant, n)).collect();
    if path == "/v2/types" {
        return (
            200,
            json!([{ "type": "ParkingSpot", "attrs": {}, "count": 3 }]),
            None,
        );
    }
    if let Some(id) = path.strip_prefix("/v2/entities/") {
        return match all.iter().find(|e| e["id"] == id) {
            Some(e) => (200, e.clone(), None),
            None => error(broken, 404, "NotFound"),
        };
    }
    if path != "/v2/entities" {
        return error(broken, 404, "NotFound");
    }
    let number = |name: &str, default: usize| {
        params
            .get(name)
            .map_or(Some(default), |v| v.parse::<usize>().ok())
    };
    let (Some(limit), Some(offset)) = (number("limit", 20), number("offset", 0)) else {
        return error(broken, 400, "BadRequest");
    };
    let options = params.get("options").copied().unwrap_or("");
    let simple = options.contains("keyValues") && broken != Broken::KeyValues;
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| if simple { key_values(e) } else { e.clone() })
        .collect();
    let count = (options.contains("count") && broken != Broken::Count).then_some(all.len());
    (200, Value::Array(page), count)
}

fn target(dir: &Path, port: u16) {
    for (token, tenant) in TOKENS {
        std::fs::write(dir.join(format!("{tenant}.token")), token).expect("token written");
    }
    let mut text = format!(
        "base_url = \"http://127.0.0.1:{port}\"\napi = \"ngsi-v2\"\n\n[auth]\nscheme = \"bearer\"\n"
    );
    for (key, tenant) in [("a", "city-a"), ("b", "city-b")] {
        text.push_str(&format!(
            "\n[tenants.{key}]\ntoken_file = \"{tenant}.token\"\ntenant = \"{tenant}\"\nresource = \"/v2/entities/urn:ngsi-ld:ParkingSpot:{tenant}-1\"\n"
        ));
    }
    std::fs::write(dir.join("target.toml"), text).expect("target written");
}

/// The verdict of every NGSI-v2 requirement in the first profile.
fn ngsi_v2_verdicts(report: &Value) -> BTreeMap<String, String> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["requirement"].as_str()?, r["verdict"].as_str()?)))
        .filter(|(id, _)| id.starts_with("NGSIV2-") || *id == "SEC-BOLA-01")
        .map(|(id, v)| (id.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn each_broken_behaviour_of_an_ngsi_v2_broker_fails_its_requirement() {
    for (broken, failing) in [
        (Broken::Nothing, ""),
        (Broken::Errors, "NGSIV2-ERRORS-01"),
        (Broken::Count, "NGSIV2-PAGING-01"),
        (Broken::KeyValues, "NGSIV2-KEYVALUES-01"),
        (Broken::Service, "NGSIV2-TENANT-01"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        target(dir.path(), broker(broken));
        let path = dir.path().join("target.toml");
        let output = common::run(&[
            "audit",
            "--target",
            path.to_str().expect("temp paths are UTF-8"),
            "-p",
            "baseline",
            "--format",
            "json",
        ]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            common::transcript(&output)
        );
        let verdicts = ngsi_v2_verdicts(&common::json_report(&output));
        let expected: BTreeMap<String, String> = [
            "NGSIV2-ERRORS-01",
            "NGSIV2-KEYVALUES-01",
            "NGSIV2-PAGING-01",
            "NGSIV2-TENANT-01",
            "SEC-BOLA-01",
        ]
        .iter()
        .map(|id| {
            let verdict = if *id == failing { "fail" } else { "pass" };
            ((*id).to_owned(), verdict.to_owned())
        })
        .collect();
        assert_eq!(
            verdicts,
            expected,
            "{broken:?}:\n{}",
            common::transcript(&output)
        );
    }
}

#[test]
fn audit_url_detects_an_ngsi_v2_broker_and_says_so() {
    let port = broker(Broken::Nothing);
    let url = format!("http://127.0.0.1:{port}");
    let output = common::run(&["audit", &url, "-p", "baseline", "--format", "json"]);
    let text = common::transcript(&output);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{text}");
    // Without a token the broker answers 401 with an NGSI-v2 error object.
    assert!(
        text.contains("audited as ngsi-v2: /v2/entities answers as an NGSI-v2 broker"),
        "{text}"
    );
    let report = common::json_report(&output);
    let reason = report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["requirement"] == "NGSIV2-ERRORS-01")
        .and_then(|r| r["reason"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(!reason.contains("not an ngsi-v2 API"), "{text}");
}
