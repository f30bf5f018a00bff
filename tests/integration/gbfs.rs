//! GBFS feeds audited as a city would: MobilityData's fixtures
//! (`fixtures/gbfs/`, v3.0 and v2.3) served as static files by Python's
//! `http.server` on 127.0.0.1 and a port it chose, with each `gbfs.json`'s
//! feed URLs rewritten to that server. `cityconform audit URL/gbfs.json`
//! finds the GBFS discovery file from the URL, reads every feed it lists,
//! and decides the GBFS requirements: the unchanged feed passes with the
//! clock at its `last_updated`; a broken file fails naming its URL and
//! pointer; a stale feed fails; a vehicle in a rental, or a vehicle ID that
//! is a device address, fails the privacy rules without the value shown.
//!
//! Without `python3` (or the program `CITYCONFORM_PYTHON` names) the tests
//! print a note and pass, except in CI (`CI` set), where it is a failure.
#![allow(
    clippy::print_stderr,
    reason = "a skipped peer test says why on stderr"
)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::common;

/// The GBFS requirements, each selected with `-r`.
const GBFS: [&str; 5] = [
    "GBFS-DISCOVERY-01",
    "GBFS-SCHEMA-01",
    "GBFS-TTL-01",
    "GBFS-PRIVACY-01",
    "GBFS-PRIVACY-02",
];

/// The `last_updated` every v3.0 fixture the discovery file lists shares.
const V30_UPDATED: &str = "2019-07-04T13:33:03Z";

/// The one `last_updated` the v2.3 files are given (their published times
/// differ by years), in POSIX seconds as v2.3 writes it.
const V23_UPDATED: i64 = 1_606_858_558;

/// Python, or `None` (after a note) when there is none.
fn python() -> Option<PathBuf> {
    let program = std::env::var_os("CITYCONFORM_PYTHON")
        .map_or_else(|| PathBuf::from("python3"), PathBuf::from);
    let works = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is not installed; CI runs these tests with it"
        );
        eprintln!("note: python3 not found (set CITYCONFORM_PYTHON); test skipped");
        return None;
    }
    Some(program)
}

/// A static file server on loopback, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `python3 -m http.server` on 127.0.0.1 and a port it chooses, read
    /// from the line it prints when it listens.
    fn start(python: &Path) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = Command::new(python)
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out)
                .read_line(&mut line)
                .expect("server says where it listens");
        }
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in `{line}`"));
        Server { child, port, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// Writes the fixtures of `version` below `version/`, each feed at
    /// `{name}.json`, the discovery file's URLs pointing there; `edit`
    /// may change any file first (by feed name, `gbfs` for the discovery
    /// file).
    fn publish(&self, version: &str, edit: impl Fn(&str, &mut Value)) {
        let source = common::root()
            .join("fixtures/gbfs")
            .join(format!("v{version}"));
        let target = self.dir.path().join(version);
        std::fs::create_dir_all(&target).expect("folder");
        for entry in std::fs::read_dir(&source).expect("fixtures") {
            let path = entry.expect("entry").path();
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("fixture read");
            let mut document: Value = serde_json::from_str(&text).expect("fixture is JSON");
            if name == "gbfs" {
                self.rewrite_feeds(version, &mut document);
            }
            edit(&name, &mut document);
            let pretty = serde_json::to_string_pretty(&document).expect("JSON");
            std::fs::write(target.join(format!("{name}.json")), pretty).expect("written");
        }
    }

    /// Every feed URL of a discovery file (v3.0 `data.feeds`, v2.3
    /// `data.<language>.feeds`) rewritten to this server.
    fn rewrite_feeds(&self, version: &str, document: &mut Value) {
        let port = self.port;
        let rewrite = |feeds: &mut Value| {
            for feed in feeds.as_array_mut().into_iter().flatten() {
                let name = feed["name"].as_str().unwrap_or_default().to_owned();
                feed["url"] = json!(format!("http://127.0.0.1:{port}/{version}/{name}.json"));
            }
        };
        if let Some(feeds) = document.pointer_mut("/data/feeds") {
            rewrite(feeds);
        } else if let Some(languages) = document["data"].as_object_mut() {
            for language in languages.values_mut() {
                rewrite(&mut language["feeds"]);
            }
        }
    }
}

/// `audit URL -r GBFS-…` with `extra` arguments.
fn audit(url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", url, "--wait", "10"];
    for id in GBFS {
        args.extend(["-r", id]);
    }
    args.extend(extra);
    common::run(&args)
}

/// The verdict of every GBFS requirement under baseline.
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["requirement"]
                .as_str()
                .is_some_and(|id| id.starts_with("GBFS-"))
        })
        .map(|r| {
            (
                r["requirement"].as_str().unwrap_or_default().to_owned(),
                r["verdict"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn all(verdict: &str) -> BTreeMap<String, String> {
    GBFS.iter()
        .map(|id| ((*id).to_owned(), verdict.to_owned()))
        .collect()
}

/// The findings of `requirement`, as (file, pointer, message).
fn findings(report: &Value, requirement: &str) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["requirement"] == requirement)
        .map(|f| {
            (
                f["location"]["file"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["location"]["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_v30_feed_passes_with_the_clock_at_its_last_update() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    server.publish("3.0", |_, _| {});
    let url = server.url("3.0/gbfs.json");
    let output = audit(&url, &["--now", V30_UPDATED, "--format", "json"]);
    let text = common::expect_exit(&output, 0);
    let report = common::json_report(&output);
    assert_eq!(verdicts(&report), all("pass"), "{text}");
    // The discovery file and the eight feeds it lists, each one request.
    assert_eq!(report["inputs"][0]["records"], 9, "{text}");

    // Under the whole of baseline the shared-model requirements do not
    // apply to the feed's files, and nothing is left unchecked.
    let output = common::run(&["audit", &url, "--now", V30_UPDATED, "--format", "json"]);
    let text = common::transcript(&output);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{text}");
    let report = common::json_report(&output);
    assert_eq!(verdicts(&report), all("pass"), "{text}");
    let results = report["profiles"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let verdict = |id: &str| {
        results
            .iter()
            .find(|r| r["requirement"] == id)
            .and_then(|r| r["verdict"].as_str())
            .unwrap_or("absent")
            .to_owned()
    };
    for id in [
        "PAY-SCHEMA-01",
        "SEC-AUTHN-01",
        "SEC-PROPERTY-01",
        "OGC-ITEMS-01",
    ] {
        assert_eq!(verdict(id), "skip", "{id}: {text}");
    }
    assert!(
        results.iter().all(|r| r["verdict"] != "error"),
        "a requirement left unchecked: {text}"
    );
}

#[test]
fn a_v23_feed_passes() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    server.publish("2.3", |_, document| {
        document["last_updated"] = json!(V23_UPDATED);
    });
    let now = V23_UPDATED.to_string();
    let output = audit(
        &server.url("2.3/gbfs.json"),
        &["--api", "gbfs", "--now", &now, "--format", "json"],
    );
    let text = common::expect_exit(&output, 0);
    assert_eq!(
        verdicts(&common::json_report(&output)),
        all("pass"),
        "{text}"
    );
}

#[test]
fn a_broken_file_fails_naming_its_url_and_pointer() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    server.publish("3.0", |name, document| {
        if name == "vehicle_status" {
            document["data"]["vehicles"][1]["lat"] = json!("north");
        }
    });
    let url = server.url("3.0/gbfs.json");
    let output = audit(&url, &["--now", V30_UPDATED, "--format", "json"]);
    let text = common::expect_exit(&output, 1);
    let report = common::json_report(&output);
    let mut expected = all("pass");
    expected.insert("GBFS-SCHEMA-01".to_owned(), "fail".to_owned());
    assert_eq!(verdicts(&report), expected, "{text}");
    let found = findings(&report, "GBFS-SCHEMA-01");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, server.url("3.0/vehicle_status.json"));
    assert_eq!(found[0].1, "/data/vehicles/1/lat");

    let output = audit(&url, &["--now", V30_UPDATED]);
    let text = common::expect_exit(&output, 1);
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    settings.add_filter(r"\d+(\.\d+)?\s?(ms|s)\b", "[duration]");
    settings.bind(|| insta::assert_snapshot!("gbfs_broken_file", text));
}

#[test]
fn a_stale_feed_fails() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    server.publish("3.0", |_, _| {});
    // No --now: the report's time, pinned by SOURCE_DATE_EPOCH to 2023,
    // years after the feed's last update with a ttl of a minute or hour.
    let output = audit(&server.url("3.0/gbfs.json"), &["--format", "json"]);
    let text = common::expect_exit(&output, 1);
    let report = common::json_report(&output);
    let mut expected = all("pass");
    expected.insert("GBFS-TTL-01".to_owned(), "fail".to_owned());
    assert_eq!(verdicts(&report), expected, "{text}");
    let found = findings(&report, "GBFS-TTL-01");
    assert_eq!(found.len(), 9, "every file is stale: {found:?}");
    assert!(
        found
            .iter()
            .all(|(_, pointer, message)| pointer == "/last_updated"
                && message.starts_with("stale: last updated 2019-07-04T13:33:03Z"))
    );

    // A time that is neither RFC 3339 nor seconds is refused.
    let output = audit(&server.url("3.0/gbfs.json"), &["--now", "yesterday"]);
    let text = common::expect_exit(&output, 2);
    assert!(text.contains("--now"), "{text}");
}

#[test]
fn a_rented_vehicle_and_a_device_address_as_id_fail_without_the_value() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    let mac = "00:1A:2B:3C:4D:5E";
    server.publish("3.0", |name, document| {
        if name == "vehicle_status" {
            document["data"]["vehicles"][0]["vehicle_id"] = json!(mac);
            document["data"]["vehicles"][2]["rental_state"] = json!("on_trip");
        }
    });
    let output = audit(
        &server.url("3.0/gbfs.json"),
        &["--now", V30_UPDATED, "--format", "json"],
    );
    let text = common::expect_exit(&output, 1);
    assert!(!text.contains(mac), "the vehicle ID is shown: {text}");
    let report = common::json_report(&output);
    let rented = findings(&report, "GBFS-PRIVACY-01");
    assert_eq!(rented.len(), 1, "{text}");
    assert_eq!(rented[0].1, "/data/vehicles/2/rental_state");
    let ids = findings(&report, "GBFS-PRIVACY-02");
    assert_eq!(ids.len(), 1, "{text}");
    assert_eq!(ids[0].1, "/data/vehicles/0/vehicle_id");
    assert!(ids[0].2.contains("MAC address"), "{}", ids[0].2);
}
