//! Invariants, checked on generated input with quickcheck: no input makes
//! the payload engine panic or lose a record, and the JSON report
//! round-trips through its serialized form.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::OnceLock;

use cityconform::catalog::{Area, Catalogue, Level};
use cityconform::engine::{NoProgress, Selection};
use cityconform::model::{
    CitedClause, ColumnSummary, Counts, DatasetSummary, Finding, InputSummary, Location,
    ProfileResult, Report, RequirementInfo, RequirementResult, Summary, Tool, Verdict,
};
use cityconform::payload::{PayloadPlan as Plan, ValidateOptions, validate};
use cityconform::schema::{SchemaOptions, SchemaRegistry};
use quickcheck::{Arbitrary, Gen, TestResult};
use serde_json::{Map, Value, json};

use crate::common::vacuity::{Reached, check};

struct Setup {
    registry: SchemaRegistry,
    plan: Plan,
}

/// The registry and a plan over every payload requirement of three
/// profiles, built once for all cases.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let catalogue = Catalogue::embedded().expect("embedded catalogue loads");
        let registry =
            SchemaRegistry::load(&SchemaOptions::default()).expect("bundled schemas load");
        let profiles = ["baseline", "kr", "eu"].map(str::to_owned);
        let selection = Selection {
            profiles: &profiles,
            only: &[],
            as_of: cityconform::dates::Day::parse("2023-11-14").expect("a date"),
        };
        let plan = cityconform::payload::plan(&catalogue, &registry, selection, None)
            .expect("plan builds");
        Setup { registry, plan }
    })
}

/// Validates `lines` written as an NDJSON file; the report, or the error.
fn validate_lines(lines: &[Vec<u8>]) -> Result<Report, cityconform::Error> {
    let mut file = tempfile::Builder::new()
        .suffix(".ndjson")
        .tempfile()
        .expect("temp file");
    for line in lines {
        file.write_all(line).expect("write");
        file.write_all(b"\n").expect("write");
    }
    file.flush().expect("flush");
    let setup = setup();
    let options = ValidateOptions {
        paths: vec![file.path().to_path_buf()],
        ..ValidateOptions::default()
    };
    validate(&setup.plan, &setup.registry, &options, &NoProgress)
}

/// Every record is counted once under every requirement of every profile.
fn every_record_counted(report: &Report, records: u64) -> bool {
    report.summary.subjects == records
        && report
            .profiles
            .iter()
            .all(|p| p.results.iter().all(|r| r.counts.total() == records))
}

/// A JSON value shaped like a city record often enough to reach deep into
/// the checks: a known `type`, GeoJSON-ish locations, timestamps, an
/// envelope, and arbitrary values everywhere else.
#[derive(Debug, Clone)]
struct RecordLike(Value);

const TYPES: [&str; 7] = [
    "AirQualityObserved",
    "TrafficFlowObserved",
    "ParkingSpot",
    "TransitVehiclePosition",
    "MobilityTrip",
    "EnergyMeterReading",
    "Nope",
];
const KEYS: [&str; 12] = [
    "location",
    "startLocation",
    "endLocation",
    "startTime",
    "endTime",
    "dateObserved",
    "envelope",
    "description",
    "customerAccount",
    "pm25",
    "status",
    "coordinates",
];

fn arbitrary_value(g: &mut Gen, depth: usize) -> Value {
    let choice = u8::arbitrary(g) % if depth == 0 { 5 } else { 8 };
    match choice {
        0 => Value::Null,
        1 => Value::Bool(bool::arbitrary(g)),
        2 => json!(i64::arbitrary(g)),
        3 => {
            let f = f64::arbitrary(g);
            serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
        4 => Value::String(interesting_string(g)),
        5 => Value::Array(
            (0..usize::arbitrary(g) % 4)
                .map(|_| arbitrary_value(g, depth - 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..usize::arbitrary(g) % 5 {
                let key = if bool::arbitrary(g) {
                    (*g.choose(&KEYS).unwrap_or(&"k")).to_owned()
                } else {
                    String::arbitrary(g)
                };
                map.insert(key, arbitrary_value(g, depth - 1));
            }
            if bool::arbitrary(g) {
                map.insert("type".to_owned(), json!("Point"));
                map.insert(
                    "coordinates".to_owned(),
                    json!([f64::arbitrary(g) % 180.0, f64::arbitrary(g) % 90.0]),
                );
            }
            Value::Object(map)
        }
    }
}

fn interesting_string(g: &mut Gen) -> String {
    let samples = [
        "2025-03-04T08:15:00+09:00",
        "2025-03-04T08:07:31.5Z",
        "urn:ngsi-ld:X:1",
        "a@example.org",
        "900101-1234568",
        "+82 10-1234-5678",
        "12가3456",
        "M123A4567",
        "192.0.2.1",
        "fe80::1",
        "00:1A:2B:3C:4D:5E",
        "P30D",
        "KR",
    ];
    if bool::arbitrary(g) {
        (*g.choose(&samples).unwrap_or(&"")).to_owned()
    } else {
        String::arbitrary(g)
    }
}

impl Arbitrary for RecordLike {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut value = arbitrary_value(g, 3);
        if let Value::Object(map) = &mut value
            && bool::arbitrary(g)
        {
            map.insert(
                "type".to_owned(),
                json!(g.choose(&TYPES).unwrap_or(&"Nope")),
            );
        }
        RecordLike(value)
    }
}

#[test]
fn arbitrary_json_records_never_panic_and_are_all_counted() {
    static REACHED: Reached = Reached::new();
    fn property(records: Vec<RecordLike>) -> TestResult {
        if records.is_empty() {
            return TestResult::discard();
        }
        let lines: Vec<Vec<u8>> = records
            .iter()
            .map(|r| serde_json::to_vec(&r.0).expect("serializes"))
            .collect();
        match validate_lines(&lines) {
            Ok(report) => {
                REACHED.hit();
                TestResult::from_bool(every_record_counted(&report, lines.len() as u64))
            }
            Err(e) => TestResult::error(format!("validate failed: {e}")),
        }
    }
    check(150, &REACHED, property as fn(Vec<RecordLike>) -> TestResult);
}

#[test]
fn arbitrary_bytes_never_panic_and_every_line_is_accounted_for() {
    static REACHED: Reached = Reached::new();
    fn property(lines: Vec<Vec<u8>>) -> TestResult {
        // Lines are what NDJSON splits on; blank ones are not records.
        let lines: Vec<Vec<u8>> = lines
            .into_iter()
            .map(|l| l.into_iter().filter(|&b| b != b'\n').collect::<Vec<u8>>())
            .filter(|l: &Vec<u8>| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        if lines.is_empty() {
            return TestResult::discard();
        }
        match validate_lines(&lines) {
            Ok(report) => {
                REACHED.hit();
                TestResult::from_bool(every_record_counted(&report, lines.len() as u64))
            }
            Err(e) => TestResult::error(format!("validate failed: {e}")),
        }
    }
    check(150, &REACHED, property as fn(Vec<Vec<u8>>) -> TestResult);
}

/// A report with arbitrary content, for the round trip.
#[derive(Debug, Clone)]
struct AnyReport(Report);

fn any_verdict(g: &mut Gen) -> Verdict {
    *g.choose(&[
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Skip,
        Verdict::Error,
        Verdict::Waived,
    ])
    .unwrap_or(&Verdict::Pass)
}

fn any_level(g: &mut Gen) -> Level {
    *g.choose(&[Level::Must, Level::Should, Level::May])
        .unwrap_or(&Level::Must)
}

fn any_counts(g: &mut Gen) -> Counts {
    Counts {
        pass: u64::arbitrary(g),
        fail: u64::arbitrary(g),
        warn: u64::arbitrary(g),
        skip: u64::arbitrary(g),
        error: u64::arbitrary(g),
        waived: u64::arbitrary(g),
    }
}

fn any_params(g: &mut Gen) -> Map<String, Value> {
    (0..usize::arbitrary(g) % 3)
        .map(|_| (String::arbitrary(g), json!(i64::arbitrary(g))))
        .collect()
}

fn any_finding(g: &mut Gen) -> Finding {
    let verdicts: BTreeMap<String, Verdict> = (0..1 + usize::arbitrary(g) % 3)
        .map(|_| (String::arbitrary(g), any_verdict(g)))
        .collect();
    Finding {
        requirement: String::arbitrary(g),
        verdicts,
        location: Location {
            file: Option::arbitrary(g),
            line: Option::arbitrary(g),
            record: Option::arbitrary(g),
            pointer: Option::arbitrary(g),
        },
        message: String::arbitrary(g),
        evidence: bool::arbitrary(g).then(
            || json!({ "identifier": String::arbitrary(g), "checksum_valid": bool::arbitrary(g) }),
        ),
        clauses: Vec::new(),
        readings: BTreeMap::new(),
        conflicts: Vec::new(),
        waiver: Option::arbitrary(g),
    }
}

impl Arbitrary for AnyReport {
    fn arbitrary(g: &mut Gen) -> Self {
        let profiles = (0..usize::arbitrary(g) % 3)
            .map(|_| ProfileResult {
                id: String::arbitrary(g),
                title: String::arbitrary(g),
                met: bool::arbitrary(g),
                results: (0..usize::arbitrary(g) % 4)
                    .map(|_| RequirementResult {
                        requirement: String::arbitrary(g),
                        level: any_level(g),
                        verdict: any_verdict(g),
                        counts: any_counts(g),
                        params: any_params(g),
                        lists: std::collections::BTreeMap::arbitrary(g),
                        reason: Option::arbitrary(g),
                        findings_left_out: u64::arbitrary(g),
                    })
                    .collect(),
            })
            .collect();
        let requirements = (0..usize::arbitrary(g) % 3)
            .map(|_| RequirementInfo {
                id: String::arbitrary(g),
                title: String::arbitrary(g),
                statement: String::arbitrary(g),
                area: *g
                    .choose(&[
                        Area::Cybersecurity,
                        Area::DataFlow,
                        Area::Anonymization,
                        Area::Interoperability,
                    ])
                    .unwrap_or(&Area::DataFlow),
                clauses: vec![CitedClause {
                    profile: Option::arbitrary(g),
                    source: String::arbitrary(g),
                    clause: String::arbitrary(g),
                    note: Option::arbitrary(g),
                }],
            })
            .collect();
        AnyReport(Report {
            schema_version: "1.0".to_owned(),
            tool: Tool::current(),
            command: *g
                .choose(&[
                    cityconform::model::Command::Validate,
                    cityconform::model::Command::Dataset,
                    cityconform::model::Command::Check,
                ])
                .expect("non-empty"),
            generated_at: String::arbitrary(g),
            law: cityconform::model::Law::new(
                String::arbitrary(g),
                vec![cityconform::model::ListUsed {
                    id: String::arbitrary(g),
                    title: String::arbitrary(g),
                    source: String::arbitrary(g),
                    as_of: Option::arbitrary(g),
                    warnings: Vec::arbitrary(g),
                }],
            ),
            inputs: vec![InputSummary {
                path: String::arbitrary(g),
                format: cityconform::model::InputFormat::Ndjson,
                records: u64::arbitrary(g),
            }],
            profiles,
            requirements,
            findings: (0..usize::arbitrary(g) % 5)
                .map(|_| any_finding(g))
                .collect(),
            summary: Summary {
                subjects: u64::arbitrary(g),
                input_errors: u64::arbitrary(g),
                findings: u64::arbitrary(g),
                met: bool::arbitrary(g),
                waived: u64::arbitrary(g),
                expired_waivers: u64::arbitrary(g),
                findings_left_out: u64::arbitrary(g),
            },
            matrices: Vec::new(),
            datasets: bool::arbitrary(g)
                .then(|| any_dataset_summary(g))
                .into_iter()
                .collect(),
            waivers: Vec::new(),
            provenance: None,
            signature: None,
        })
    }
}

/// A dataset summary; reals are multiples of 1/8 so that they print and
/// parse back exactly.
fn any_dataset_summary(g: &mut Gen) -> DatasetSummary {
    let eighth = |g: &mut Gen| f64::from(u8::arbitrary(g) % 9) / 8.0;
    let optional = |g: &mut Gen| bool::arbitrary(g).then(|| u64::arbitrary(g));
    DatasetSummary {
        input: String::arbitrary(g),
        roles_from: String::arbitrary(g),
        rows: u64::arbitrary(g),
        columns: (0..usize::arbitrary(g) % 4)
            .map(|_| ColumnSummary {
                name: String::arbitrary(g),
                role: cityconform::model::ColumnRole::QuasiIdentifier,
                value_type: bool::arbitrary(g).then(|| "numeric".to_owned()),
                described: bool::arbitrary(g),
                present: u64::arbitrary(g),
                distinct: optional(g),
            })
            .collect(),
        classes: u64::arbitrary(g),
        k: optional(g),
        alpha: bool::arbitrary(g).then(|| eighth(g)),
        l_distinct: optional(g),
        l_entropy: optional(g),
        l_entropy_exact: bool::arbitrary(g).then(|| 1.0 + eighth(g)),
        recursive_c_l: bool::arbitrary(g).then(|| (u64::arbitrary(g), u64::arbitrary(g))),
        t: bool::arbitrary(g).then(|| eighth(g)),
        pycanon_l_entropy: optional(g),
        pycanon_recursive_c_l: bool::arbitrary(g).then(|| (u64::arbitrary(g), u64::arbitrary(g))),
    }
}

#[test]
fn the_json_report_round_trips() {
    static REACHED: Reached = Reached::new();
    fn property(report: AnyReport) -> bool {
        REACHED.hit();
        let text = serde_json::to_string(&report.0).expect("serializes");
        let back: Report = serde_json::from_str(&text).expect("deserializes");
        back == report.0
    }
    check(300, &REACHED, property as fn(AnyReport) -> bool);
}

#[test]
fn a_real_report_round_trips_too() {
    let lines = vec![br#"{"type":"ParkingSpot","id":"urn:ngsi-ld:ParkingSpot:1","description":"call 010-1234-5678"}"#.to_vec()];
    let report = validate_lines(&lines).expect("validates");
    assert!(!report.findings.is_empty(), "the record has findings");
    let back: Report = serde_json::from_str(&serde_json::to_string(&report).expect("serializes"))
        .expect("deserializes");
    assert_eq!(back, report);
}
