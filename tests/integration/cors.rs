//! CORS on public data (WHATWG Fetch, §3.2.5 "CORS protocol and
//! credentials"): an open API on loopback that reflects any `Origin` back
//! warns under SEC-CORS-02 (a SHOULD) and leaves SEC-CORS-01 aside; the
//! same with `Access-Control-Allow-Credentials: true` fails SEC-CORS-01;
//! `*` on public data passes SEC-CORS-02, the one that decides there.

use std::io::Write;
use std::net::TcpStream;

use crate::common;
use crate::common::loopback;

/// How the server answers an `Origin`.
#[derive(Clone, Copy)]
enum Cors {
    Reflect,
    ReflectWithCredentials,
    Wildcard,
}

fn server(cors: Cors) -> u16 {
    match cors {
        Cors::Reflect => loopback::serve(|s, h| answer(s, &h, Cors::Reflect)),
        Cors::ReflectWithCredentials => {
            loopback::serve(|s, h| answer(s, &h, Cors::ReflectWithCredentials))
        }
        Cors::Wildcard => loopback::serve(|s, h| answer(s, &h, Cors::Wildcard)),
    }
}

/// Open air-quality readings, with the CORS headers `cors` asks for.
fn answer(mut stream: TcpStream, head: &str, cors: Cors) {
    let origin = loopback::header(head, "origin:");
    let allow = match cors {
        Cors::Wildcard => "access-control-allow-origin: *\r\n".to_owned(),
        _ if origin.is_empty() => String::new(),
        Cors::Reflect => format!("access-control-allow-origin: {origin}\r\nvary: Origin\r\n"),
        Cors::ReflectWithCredentials => format!(
            "access-control-allow-origin: {origin}\r\naccess-control-allow-credentials: true\r\nvary: Origin\r\n"
        ),
    };
    let body =
        r#"[{"id":"urn:ngsi-ld:AirQualityObserved:1","type":"AirQualityObserved","no2":21.5}]"#;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{allow}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// The verdicts of SEC-CORS-01 and SEC-CORS-02 of `audit URL`, and its
/// exit code.
fn audit(cors: Cors) -> (String, String, Option<i32>) {
    let url = format!("http://127.0.0.1:{}/air", server(cors));
    let output = common::run(&[
        "audit",
        &url,
        "--api",
        "generic",
        "-r",
        "SEC-CORS-01",
        "-r",
        "SEC-CORS-02",
        "--format",
        "json",
    ]);
    let report = common::json_report(&output);
    let verdict = |id: &str| {
        report["profiles"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["requirement"] == id)
            .and_then(|r| r["verdict"].as_str())
            .map_or_else(|| "absent".to_owned(), str::to_owned)
    };
    (
        verdict("SEC-CORS-01"),
        verdict("SEC-CORS-02"),
        output.status.code(),
    )
}

#[test]
fn a_reflected_origin_on_public_data_warns_and_fails_only_with_credentials() {
    assert_eq!(
        audit(Cors::Reflect),
        ("skip".to_owned(), "warn".to_owned(), Some(0))
    );
    assert_eq!(
        audit(Cors::ReflectWithCredentials),
        ("fail".to_owned(), "warn".to_owned(), Some(1))
    );
    assert_eq!(
        audit(Cors::Wildcard),
        ("skip".to_owned(), "pass".to_owned(), Some(0))
    );
}
