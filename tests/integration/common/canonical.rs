//! The canonical results every renderer is snapshotted over: all pass,
//! mixed, errors, waived (active, expired and unmatched waivers applied by
//! the library), an empty run, a dataset audit (with its measured summary)
//! and a declaration judged by three profiles (with its flow matrix). Built
//! by hand so that each shows one thing clearly and never changes with the
//! fixtures.

use std::collections::BTreeMap;

use cityconform::catalog::{Area, Clause, Level};
use cityconform::model::{
    Blocker, CitedClause, ColumnSummary, Command, Counts, DatasetSummary, Finding, InputSummary,
    Location, Matrix, MatrixRow, PairResult, ProfileCell, ProfileResult, REPORT_SCHEMA_VERSION,
    Report, RequirementInfo, RequirementResult, Summary, Tool, Verdict,
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
        ("dataset", dataset()),
        ("flows", flows()),
    ]
}

fn requirements() -> Vec<RequirementInfo> {
    vec![
        RequirementInfo {
            id: "ANON-ID-VALUE-01".to_owned(),
            title: "No direct identifier is detectable in values".to_owned(),
            statement: "No string value contains a recognisable identifier.".to_owned(),
            area: Area::Anonymization,
            clauses: vec![CitedClause {
                profile: None,
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
            clauses: vec![CitedClause {
                profile: None,
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
            clauses: vec![CitedClause {
                profile: None,
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
        findings_left_out: 0,
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
            format: cityconform::model::InputFormat::Ndjson,
            records: 3,
        },
        InputSummary {
            path: "payloads/legacy/air.json".to_owned(),
            format: cityconform::model::InputFormat::Json,
            records: 1,
        },
    ]
}

/// The law of every canonical report: read on the report's day, with one
/// list in date and one past its profile's `max_age`, so that every format
/// shows the notice and a warning.
fn law() -> cityconform::model::Law {
    let list = |id: &str, as_of: &str, warning: Option<&str>| cityconform::model::ListUsed {
        id: id.to_owned(),
        title: format!("The {id} list"),
        source: "A decision".to_owned(),
        as_of: Some(as_of.to_owned()),
        warnings: warning.into_iter().map(str::to_owned).collect(),
    };
    cityconform::model::Law::new(
        "2023-11-14".to_owned(),
        vec![
            list("eea", "2023-06-01", None),
            list(
                "eu-adequacy",
                "2021-01-01",
                Some(
                    "list `eu-adequacy` was last checked against its source on 2021-01-01, 1047 days before 2023-11-14: older than the `max_age` (P1Y) of profile `eu`; check it and update its `as_of`",
                ),
            ),
        ],
    )
}

fn report(
    profiles: Vec<ProfileResult>,
    findings: Vec<Finding>,
    subjects: u64,
    input_errors: u64,
) -> Report {
    let met = profiles.iter().all(|p| p.met);
    Report {
        datasets: Vec::new(),
        matrices: Vec::new(),
        schema_version: REPORT_SCHEMA_VERSION.to_owned(),
        tool: Tool {
            name: "cityconform".to_owned(),
            version: "0.0.0-test".to_owned(),
        },
        command: cityconform::model::Command::Check,
        generated_at: TIME.to_owned(),
        law: law(),
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
            findings_left_out: 0,
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
        clauses: Vec::new(),
        readings: BTreeMap::new(),
        conflicts: Vec::new(),
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

fn clause(source: &str, clause: &str, note: Option<&str>) -> Clause {
    Clause {
        source: source.to_owned(),
        clause: clause.to_owned(),
        note: note.map(str::to_owned),
    }
}

fn info(id: &str, title: &str, area: Area, clauses: Vec<Clause>) -> RequirementInfo {
    RequirementInfo {
        id: id.to_owned(),
        title: title.to_owned(),
        statement: format!("{title}."),
        area,
        clauses: clauses.iter().map(|c| CitedClause::of(None, c)).collect(),
    }
}

fn column(
    name: &str,
    role: &str,
    value_type: Option<&str>,
    described: bool,
    distinct: Option<u64>,
) -> ColumnSummary {
    ColumnSummary {
        name: name.to_owned(),
        role: serde_json::from_value(serde_json::Value::from(role)).expect("a column role"),
        value_type: value_type.map(str::to_owned),
        described,
        present: 28,
        distinct,
    }
}

/// A dataset audit under baseline and kr: k is 4, which baseline accepts
/// and kr (k 5) does not; l-diversity and t-closeness pass; there is no
/// count column, so the aggregate minimum does not apply. The summary has
/// every metric (entropy l just under 2, as pyCANON computes it for two
/// equally frequent values) and a column whose name needs escaping in
/// Markdown and HTML.
pub fn dataset() -> Report {
    let mut kanon = finding(
        "ANON-KANON-01",
        &[("kr", Verdict::Fail)],
        "datasets/trips.csv",
        0,
        "",
        "k is 4, below 5: 1 of 7 classes hold fewer than 5 records, 4 of 28 records (14.3%); most identifying: `start_time` alone",
    );
    kanon.location.line = None;
    kanon.location.record = None;
    kanon.location.pointer = None;
    let rows = |k_level: Level, k: Counts| {
        vec![
            row("ANON-AGG-MIN-01", Level::Must, counts(0, 0, 0, 1, 0)),
            row("ANON-KANON-01", k_level, k),
            row("ANON-LDIV-01", Level::Should, counts(1, 0, 0, 0, 0)),
            row("ANON-TCLOSE-01", Level::Should, counts(1, 0, 0, 0, 0)),
        ]
    };
    let mut baseline = rows(Level::Should, counts(1, 0, 0, 0, 0));
    baseline[0].reason = Some("the dataset has no count column".to_owned());
    let mut kr = rows(Level::Must, counts(0, 1, 0, 0, 0));
    kr[0].reason = Some("the dataset has no count column".to_owned());
    let mut report = report(
        vec![
            profile("baseline", "Baseline (common core)", baseline),
            profile("kr", "Republic of Korea (PIPA)", kr),
        ],
        vec![kanon],
        1,
        0,
    );
    report.command = Command::Dataset;
    report.inputs = vec![InputSummary {
        path: "datasets/trips.csv".to_owned(),
        format: cityconform::model::InputFormat::Csv,
        records: 28,
    }];
    report.requirements = vec![
        info(
            "ANON-AGG-MIN-01",
            "Published counts are at least the minimum cell size",
            Area::Anonymization,
            vec![clause("MDS", "Provider data: small counts", None)],
        ),
        info(
            "ANON-KANON-01",
            "The dataset is k-anonymous over its quasi-identifiers",
            Area::Anonymization,
            vec![
                clause("Sweeney 2002", "k-anonymity", None),
                clause("PIPA", "Art. 28-2", Some("pseudonymised data")),
            ],
        ),
        info(
            "ANON-LDIV-01",
            "Each class holds several sensitive values",
            Area::Anonymization,
            vec![clause("Machanavajjhala et al. 2007", "l-diversity", None)],
        ),
        info(
            "ANON-TCLOSE-01",
            "Each class's sensitive values follow the whole table's",
            Area::Anonymization,
            vec![clause("Li et al. 2007", "t-closeness", None)],
        ),
    ];
    report.datasets.push(DatasetSummary {
        input: "datasets/trips-2024q1.csv".to_owned(),
        roles_from: "datasets/trips.toml".to_owned(),
        rows: 28,
        columns: vec![
            column(
                "start_time",
                "quasi-identifier",
                Some("datetime"),
                true,
                Some(3),
            ),
            column(
                "start_lat",
                "quasi-identifier",
                Some("coordinate"),
                true,
                Some(3),
            ),
            column(
                "age_band",
                "quasi-identifier",
                Some("categorical"),
                true,
                Some(4),
            ),
            column("purpose", "sensitive", Some("categorical"), true, Some(2)),
            column("fare <EUR>|net", "insensitive", None, true, None),
            column("trip_id", "insensitive", None, false, None),
        ],
        classes: 7,
        k: Some(4),
        alpha: Some(0.5),
        l_distinct: Some(2),
        l_entropy: Some(2),
        l_entropy_exact: Some(1.999_999_999_999_999_8),
        recursive_c_l: Some((2, 2)),
        t: Some(0.187_5),
        pycanon_l_entropy: Some(1),
        pycanon_recursive_c_l: Some((2, 2)),
    });
    report
}

/// One declaration with two flows judged by eu, kr and sg: the trips to a
/// university abroad meet eu and sg but not kr (its transfer mechanism is
/// not one PIPA recognises), the open air-quality feed (no personal data,
/// so no data-flow requirement applies to it) meets all three;
/// so the matrix has a pair that is met and pairs blocked by kr, and the
/// cross-border requirement cites a clause both the catalogue and a profile
/// name, which every format cites once.
pub fn flows() -> Report {
    let declaration = "declarations/city.json";
    let blocker_message = "flow `trips-to-university`: recipient `tu-research` (DE) relies on contract `eu-scc`, not recognised here; recognised: contract-necessity";
    let mut transfer = finding(
        "FLOW-XBORDER-01",
        &[("kr", Verdict::Fail)],
        declaration,
        30,
        "/flows/0/recipients/0/transfer/instrument",
        blocker_message,
    );
    transfer.location.record = Some(1);
    let rows = |xborder: RequirementResult| {
        vec![
            row("FLOW-LEGAL-BASIS-01", Level::Must, counts(1, 0, 0, 1, 0)),
            {
                let mut natid = row("FLOW-NATID-01", Level::Must, counts(0, 0, 0, 2, 0));
                natid.reason = Some("the flow carries no national identifier".to_owned());
                natid
            },
            xborder,
        ]
    };
    let skipped_abroad = || {
        let mut r = row("FLOW-XBORDER-01", Level::Must, counts(0, 0, 0, 2, 0));
        r.reason = Some("no recipient is outside the region".to_owned());
        r
    };
    let kr_xborder = row("FLOW-XBORDER-01", Level::Must, counts(0, 1, 0, 1, 0));
    let sg_xborder = row("FLOW-XBORDER-01", Level::Must, counts(1, 0, 0, 1, 0));
    let mut report = report(
        vec![
            profile("eu", "European Union (GDPR)", rows(skipped_abroad())),
            profile("kr", "Republic of Korea (PIPA)", rows(kr_xborder)),
            profile("sg", "Singapore (PDPA 2012, PDPR 2021)", rows(sg_xborder)),
        ],
        vec![transfer],
        2,
        0,
    );
    report.command = Command::Flows;
    report.inputs = vec![InputSummary {
        path: declaration.to_owned(),
        format: cityconform::model::InputFormat::Json,
        records: 2,
    }];
    report.requirements = vec![
        info(
            "FLOW-LEGAL-BASIS-01",
            "Every flow rests on a legal basis the region accepts",
            Area::DataFlow,
            vec![
                clause("GDPR", "Art. 6(1)", None),
                clause("PIPA", "Art. 15(1)", None),
            ],
        ),
        info(
            "FLOW-NATID-01",
            "National identifiers travel only where a statute allows",
            Area::DataFlow,
            vec![clause("PIPA", "Art. 24-2", None)],
        ),
        info(
            "FLOW-XBORDER-01",
            "Every cross-border recipient rests on a permitted transfer mechanism",
            Area::DataFlow,
            vec![
                clause("GDPR", "Art. 44-46", None),
                clause("PIPA", "Art. 28-8(1)", None),
                clause("PIPA", "Art. 28-8(1)", Some("the five routes, as notified")),
                clause("PDPA", "s.26", None),
            ],
        ),
    ];
    let location = |line: u64, record: u64, pointer: &str| Location {
        file: Some(declaration.to_owned()),
        line: Some(line),
        record: Some(record),
        pointer: Some(pointer.to_owned()),
    };
    let profiles = ["eu", "kr", "sg"];
    let kr_blocker = Blocker {
        profile: "kr".to_owned(),
        requirement: "FLOW-XBORDER-01".to_owned(),
        message: blocker_message.to_owned(),
        clauses: Vec::new(),
        reading: None,
    };
    let row = |flow: &str, at: Location, unmet: &[&str], blockers: &[Blocker]| {
        let met = profiles
            .iter()
            .map(|p| ProfileCell {
                profile: (*p).to_owned(),
                met: !unmet.contains(p),
                reading: None,
            })
            .collect();
        let mut pairs = Vec::new();
        for (a, left) in profiles.iter().enumerate() {
            for right in &profiles[a + 1..] {
                let needed: Vec<Blocker> = blockers
                    .iter()
                    .filter(|b| b.profile == *left || b.profile == *right)
                    .cloned()
                    .collect();
                pairs.push(PairResult {
                    left: (*left).to_owned(),
                    right: (*right).to_owned(),
                    both: needed.is_empty(),
                    needed,
                });
            }
        }
        MatrixRow {
            flow: flow.to_owned(),
            location: at,
            met,
            pairs,
        }
    };
    report.matrices.push(Matrix {
        declaration: "declarations/data-flows.json".to_owned(),
        profiles: profiles.iter().map(|p| (*p).to_owned()).collect(),
        standards: Vec::new(),
        flows: vec![
            row(
                "trips-to-university",
                location(12, 1, "/flows/0"),
                &["kr"],
                &[kr_blocker],
            ),
            row("open-air-quality", location(41, 2, "/flows/1"), &[], &[]),
        ],
    });
    report
}
