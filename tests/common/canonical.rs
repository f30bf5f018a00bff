//! The canonical results every renderer is snapshotted over: all pass,
//! mixed, errors, waived (active, expired and unmatched waivers applied by
//! the library), and an empty run. Built by hand so that each shows one
//! thing clearly and never changes with the fixtures.

use std::collections::BTreeMap;

use cityconform::catalog::{Area, Clause, Level};
use cityconform::model::{
    Counts, Finding, InputSummary, Location, ProfileResult, REPORT_SCHEMA_VERSION, Report,
    RequirementInfo, RequirementResult, Summary, Tool, Verdict,
};
use cityconform::waiver::{SubjectPattern, Waiver};
use serde_json::{Map, json};

/// The pinned report time of every canonical report.
pub const TIME: &str = "2023-11-14T22:13:20Z";

/// (name, report) for every canonical case.
pub fn all() -> Vec<(&'static str, Report)> {
    vec![
        ("all_pass", all_pass()),
        ("mixed", mixed()),
        ("errors", errors()),
        ("waived", waived()),
        ("empty", empty()),
    ]
}

fn requirements() -> Vec<RequirementInfo> {
    vec![
        RequirementInfo {
            id: "ANON-ID-VALUE-01".to_owned(),
            title: "No direct identifier is detectable in values".to_owned(),
            statement: "No string value contains a recognisable identifier.".to_owned(),
            area: Area::Anonymization,
            clauses: vec![Clause {
                source: "GDPR".to_owned(),
                clause: "Art. 4(1)".to_owned(),
                note: None,
            }],
        },
        RequirementInfo {
            id: "ANON-LOC-PRECISION-01".to_owned(),
            title: "Quasi-identifying coordinates are coarsened".to_owned(),
            statement: "Coordinates keep at most the profile's decimals.".to_owned(),
            area: Area::Anonymization,
            clauses: vec![Clause {
                source: "PIPA".to_owned(),
                clause: "Art. 28-2".to_owned(),
                note: Some("pseudonymised data <for research & statistics>".to_owned()),
            }],
        },
        RequirementInfo {
            id: "PAY-SCHEMA-01".to_owned(),
            title: "Records are valid against their shared schema".to_owned(),
            statement: "Each record is valid against the schema its `type` names.".to_owned(),
            area: Area::Interoperability,
            clauses: vec![Clause {
                source: "ETSI GS CIM 009".to_owned(),
                clause: "5.2".to_owned(),
                note: None,
            }],
        },
    ]
}

fn counts(pass: u64, fail: u64, warn: u64, skip: u64, error: u64) -> Counts {
    Counts {
        pass,
        fail,
        warn,
        skip,
        error,
        waived: 0,
    }
}

fn row(requirement: &str, level: Level, counts: Counts) -> RequirementResult {
    RequirementResult {
        requirement: requirement.to_owned(),
        level,
        verdict: counts.verdict(),
        counts,
        params: Map::new(),
        lists: std::collections::BTreeMap::new(),
        reason: (counts.total() == counts.skip && counts.skip > 0)
            .then(|| "no annotated coordinates".to_owned()),
    }
}

fn profile(id: &str, title: &str, results: Vec<RequirementResult>) -> ProfileResult {
    let met = !results
        .iter()
        .any(|r| r.level == Level::Must && matches!(r.verdict, Verdict::Fail | Verdict::Error));
    ProfileResult {
        id: id.to_owned(),
        title: title.to_owned(),
        met,
        results,
    }
}

fn inputs() -> Vec<InputSummary> {
    vec![
        InputSummary {
            path: "payloads/trips.ndjson".to_owned(),
            format: "ndjson".to_owned(),
            records: 3,
        },
        InputSummary {
            path: "payloads/legacy/air.json".to_owned(),
            format: "json".to_owned(),
            records: 1,
        },
    ]
}

fn report(
    profiles: Vec<ProfileResult>,
    findings: Vec<Finding>,
    subjects: u64,
    input_errors: u64,
) -> Report {
    let met = profiles.iter().all(|p| p.met);
    Report {
        dataset: None,
        matrix: None,
        schema_version: REPORT_SCHEMA_VERSION.to_owned(),
        tool: Tool {
            name: "cityconform".to_owned(),
            version: "0.0.0-test".to_owned(),
        },
        command: cityconform::model::Command::Check,
        generated_at: TIME.to_owned(),
        inputs: inputs(),
        profiles,
        requirements: requirements(),
        summary: Summary {
            subjects,
            input_errors,
            findings: findings.len() as u64,
            met,
            waived: 0,
            expired_waivers: 0,
        },
        findings,
        waivers: Vec::new(),
        provenance: None,
        signature: None,
    }
}

fn finding(
    requirement: &str,
    verdicts: &[(&str, Verdict)],
    file: &str,
    line: u64,
    pointer: &str,
    message: &str,
) -> Finding {
    Finding {
        requirement: requirement.to_owned(),
        verdicts: verdicts
            .iter()
            .map(|(p, v)| ((*p).to_owned(), *v))
            .collect::<BTreeMap<_, _>>(),
        location: Location {
            file: Some(file.to_owned()),
            line: Some(line),
            record: Some(line),
            pointer: Some(pointer.to_owned()),
        },
        message: message.to_owned(),
        evidence: None,
        waiver: None,
    }
}

/// Every requirement passes under both profiles.
pub fn all_pass() -> Report {
    let rows = || {
        vec![
            row("ANON-ID-VALUE-01", Level::Must, counts(4, 0, 0, 0, 0)),
            row(
                "ANON-LOC-PRECISION-01",
                Level::Should,
                counts(1, 0, 0, 3, 0),
            ),
            row("PAY-SCHEMA-01", Level::Must, counts(4, 0, 0, 0, 0)),
        ]
    };
    report(
        vec![
            profile("baseline", "Baseline (common core)", rows()),
            profile("kr", "Republic of Korea (PIPA)", rows()),
        ],
        Vec::new(),
        4,
        0,
    )
}

/// A MUST failing everywhere, a coordinate rule that warns under baseline
/// and fails under kr, one schema violation; evidence with a secret that
/// every renderer must redact or leave out.
pub fn mixed() -> Report {
    let mut e_mail = finding(
        "ANON-ID-VALUE-01",
        &[("baseline", Verdict::Fail), ("kr", Verdict::Fail)],
        "payloads/trips.ndjson",
        2,
        "/description",
        "`/description` contains an e-mail address",
    );
    e_mail.evidence = Some(json!({
        "identifier": "email",
        "request": { "headers": { "Authorization": "Bearer s3cr3t-t0ken" } }
    }));
    let precision = finding(
        "ANON-LOC-PRECISION-01",
        &[("baseline", Verdict::Warn), ("kr", Verdict::Fail)],
        "payloads/legacy/air.json",
        1,
        "/location",
        "coordinates in `/location` have 6 decimal places; at most 3 allowed | <b>",
    );
    let schema = finding(
        "PAY-SCHEMA-01",
        &[("baseline", Verdict::Fail), ("kr", Verdict::Fail)],
        "payloads/trips.ndjson",
        3,
        "/speed",
        "-3 is less than the minimum of 0",
    );
    report(
        vec![
            profile(
                "baseline",
                "Baseline (common core)",
                vec![
                    row("ANON-ID-VALUE-01", Level::Must, counts(3, 1, 0, 0, 0)),
                    row(
                        "ANON-LOC-PRECISION-01",
                        Level::Should,
                        counts(0, 0, 1, 3, 0),
                    ),
                    row("PAY-SCHEMA-01", Level::Must, counts(3, 1, 0, 0, 0)),
                ],
            ),
            profile(
                "kr",
                "Republic of Korea (PIPA)",
                vec![
                    row("ANON-ID-VALUE-01", Level::Must, counts(3, 1, 0, 0, 0)),
                    row("ANON-LOC-PRECISION-01", Level::Must, counts(0, 1, 0, 3, 0)),
                    row("PAY-SCHEMA-01", Level::Must, counts(3, 1, 0, 0, 0)),
                ],
            ),
        ],
        vec![e_mail, precision, schema],
        4,
        0,
    )
}

/// One record that is not JSON: the schema check errors, the others skip.
pub fn errors() -> Report {
    let mut broken = finding(
        "PAY-SCHEMA-01",
        &[("baseline", Verdict::Error)],
        "payloads/trips.ndjson",
        2,
        "",
        "not JSON: expected value at column 1",
    );
    broken.location.pointer = None;
    let mut result = row("PAY-SCHEMA-01", Level::Must, counts(3, 0, 0, 0, 1));
    result.reason = Some("not JSON: expected value at column 1".to_owned());
    report(
        vec![profile(
            "baseline",
            "Baseline (common core)",
            vec![
                row("ANON-ID-VALUE-01", Level::Must, counts(3, 0, 0, 1, 0)),
                result,
            ],
        )],
        vec![broken],
        4,
        1,
    )
}

/// [`mixed`] under three waivers: one covering the legacy coordinates
/// (active), one for the e-mail that ran out (expired), one for a feed
/// that is gone (unmatched).
pub fn waived() -> Report {
    let mut report = mixed();
    let base = std::path::Path::new("");
    let waiver = |id: &str, requirement: &str, subject: &str, expires: &str| Waiver {
        id: id.to_owned(),
        requirement: requirement.to_owned(),
        subject: Some(SubjectPattern::new(subject, base).expect("valid glob")),
        justification: format!("accepted for {id}"),
        approved_by: "Data protection officer".to_owned(),
        expires: chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").expect("date"),
    };
    cityconform::waiver::apply(
        &mut report,
        &[
            waiver(
                "W-1",
                "ANON-LOC-PRECISION-01",
                "payloads/legacy/*.json",
                "2030-06-30",
            ),
            waiver("W-2", "ANON-ID-VALUE-01", "payloads/*.ndjson", "2023-06-30"),
            waiver("W-3", "PAY-SCHEMA-01", "payloads/retired/**", "2030-06-30"),
        ],
    )
    .expect("waivers apply");
    report
}

/// A run with nothing in it: renderers must still produce valid documents.
pub fn empty() -> Report {
    let mut report = report(Vec::new(), Vec::new(), 0, 0);
    report.inputs.clear();
    report.requirements.clear();
    report
}
