//! A real OGC API - Features server audited as a city would: pygeoapi
//! (PyPI `pygeoapi`, pinned in `.ci/run`, installed in its own virtual
//! environment at `target/pygeoapi-venv`) serving a GeoJSON collection
//! written here, on 127.0.0.1 and a free port, over plain HTTP.
//!
//! `cityconform audit http://127.0.0.1:PORT`, with no target file and no
//! token, must find the OGC API from its landing page, decide the OGC
//! conformance requirements, follow the collection's `next` pages, fail
//! SEC-HTTPS-01 (plain HTTP) with SEC-HSTS-01 not applicable (RFC 6797
//! §7.2), fail SEC-PAGE-SIZE-01 (the server returns all 150 features for
//! `limit=100000`), and exit 0 or 1, never 2.
//!
//! Without pygeoapi (neither `CITYCONFORM_PYGEOAPI`, naming the `pygeoapi`
//! program, nor the virtual environment's) the test prints a note and
//! passes, except in CI (`CI` set), where a missing peer is a failure.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::common;

/// Features in the collection: more than `max_page_size` (100) of
/// baseline, so that an unbounded `limit` shows.
const FEATURES: usize = 150;

/// pygeoapi's program, or `None` (after a note) when it is not installed.
fn pygeoapi() -> Option<PathBuf> {
    common::peers::program(
        "pygeoapi",
        "CITYCONFORM_PYGEOAPI",
        "target/pygeoapi-venv/bin/pygeoapi",
    )
}

/// A free loopback port (bound, read, released: pygeoapi binds it next).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("local addr").port()
}

/// The collection: parking spots as GeoJSON features.
fn collection() -> Value {
    let features: Vec<Value> = (0..FEATURES)
        .map(|i| {
            json!({
                "type": "Feature",
                "id": format!("spot-{i}"),
                "geometry": { "type": "Point", "coordinates": [127.0276, 37.4979] },
                "properties": { "name": format!("Spot {i}"), "status": "free" }
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// pygeoapi's configuration: one GeoJSON collection, `spots`, pages of 10
/// by default and no cap on `limit` below the collection's size.
fn config(port: u16) -> String {
    format!(
        r#"server:
  bind:
    host: 127.0.0.1
    port: {port}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits:
    default_items: 10
    max_items: 1000
  map:
    url: https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png
    attribution: OpenStreetMap
logging:
  level: ERROR
metadata:
  identification:
    title: Parking
    description: Parking spots of a test city
    keywords: [parking]
    keywords_type: theme
    terms_of_service: https://example.org
    url: https://example.org
  license:
    name: CC-BY 4.0
    url: https://creativecommons.org/licenses/by/4.0/
  provider:
    name: Test city
    url: https://example.org
  contact:
    name: Test city
    position: Data office
    address: Town hall
    city: Test city
    stateorprovince: Test
    postalcode: '00000'
    country: Test
    phone: '+00 0000'
    fax: '+00 0000'
    email: data@example.org
    url: https://example.org
    hours: Always
    instructions: None
    role: pointOfContact
resources:
  spots:
    type: collection
    title: Parking spots
    description: Parking spots of a test city
    keywords: [parking]
    extents:
      spatial:
        bbox: [-180, -90, 180, 90]
        crs: http://www.opengis.net/def/crs/OGC/1.3/CRS84
    providers:
      - type: feature
        name: GeoJSON
        data: spots.geojson
        id_field: id
"#
    )
}

/// Writes the data and configuration into `dir`, generates the OpenAPI
/// document and starts `pygeoapi serve` there.
fn start(program: &Path, dir: &Path, port: u16) -> Child {
    std::fs::write(dir.join("spots.geojson"), collection().to_string()).expect("data written");
    std::fs::write(dir.join("config.yml"), config(port)).expect("configuration written");
    let env = [
        ("PYGEOAPI_CONFIG", dir.join("config.yml")),
        ("PYGEOAPI_OPENAPI", dir.join("openapi.yml")),
    ];
    let generated = Command::new(program)
        .args(["openapi", "generate"])
        .arg(dir.join("config.yml"))
        .arg("--output-file")
        .arg(dir.join("openapi.yml"))
        .envs(env.clone())
        .current_dir(dir)
        .output()
        .expect("pygeoapi runs");
    assert!(
        generated.status.success(),
        "pygeoapi openapi generate: {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    Command::new(program)
        .arg("serve")
        .envs(env)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pygeoapi serves")
}

/// Stops the server this test started, whatever the test's outcome.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_open_ogc_api_is_audited_from_its_url_alone() {
    let Some(program) = pygeoapi() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let _server = Server(start(&program, dir.path(), port));
    let har = dir.path().join("audit.har");
    let har_arg = har.display().to_string();
    let url = format!("http://127.0.0.1:{port}");
    let output = common::run(&[
        "audit", &url, "--wait", "60", "--format", "json", "-p", "baseline", "--record", &har_arg,
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        common::transcript(&output)
    );
    let report = common::json_report(&output);
    let verdict = |id: &str| -> String {
        report["profiles"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["requirement"] == id)
            .and_then(|r| r["verdict"].as_str())
            .unwrap_or("absent")
            .to_owned()
    };
    // The OGC conformance requirements are decided, not skipped or
    // unchecked: pygeoapi meets them.
    for id in [
        "OGC-LANDING-01",
        "OGC-CONFORMANCE-01",
        "OGC-COLLECTIONS-01",
        "OGC-ITEMS-01",
        "OGC-LIMIT-01",
    ] {
        assert_eq!(verdict(id), "pass", "{id}: {}", common::transcript(&output));
    }
    assert_eq!(verdict("SEC-HTTPS-01"), "fail");
    assert_eq!(verdict("SEC-HSTS-01"), "skip");
    assert_eq!(verdict("SEC-PAGE-SIZE-01"), "fail");
    // Nothing needed tenants or tokens: those requirements do not apply.
    assert_eq!(verdict("SEC-BOLA-01"), "skip");
    assert_eq!(verdict("SEC-BFLA-01"), "skip");
    // pygeoapi names its version in X-Powered-By.
    assert_eq!(verdict("SEC-BANNER-01"), "warn");
    // The collection's pages were followed through its `next` links.
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("HAR written"))
            .expect("HAR is JSON");
    let urls: Vec<&str> = recorded["log"]["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["request"]["url"].as_str())
        .collect();
    assert!(
        urls.iter()
            .any(|u| u.contains("/collections/spots/items") && u.contains("offset=10")),
        "no second page read: {urls:?}"
    );
    assert!(urls.iter().all(|u| u.starts_with(&url)), "{urls:?}");
}
