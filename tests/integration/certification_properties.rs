//! Properties of signing and rendering over arbitrary reports: a signed
//! report always verifies; flipping any byte of the signed message, or of
//! the signed report file, always fails verification; and every renderer
//! reports the same counts of findings and waived findings (JUnit: the
//! same failing, erroring and skipped requirements).

#![allow(
    clippy::print_stderr,
    reason = "a failing property says what disagreed"
)]

use std::collections::BTreeMap;

use cityconform::attest;
use cityconform::catalog::{Area, Level};
use cityconform::model::{
    Counts, Finding, Location, Provenance, Report, RequirementInfo, RequirementResult, Verdict,
    WaiverStatus,
};
use cityconform::report::{self, Format, TextOptions};
use cityconform::waiver::{SubjectPattern, Waiver};
use ed25519_dalek::SigningKey;
use quickcheck::{Arbitrary, Gen, TestResult};

use crate::common;
use crate::common::vacuity::{Reached, check};

const PROFILES: [&str; 3] = ["baseline", "kr", "eu"];
const REQUIREMENTS: [&str; 3] = ["ANON-ID-VALUE-01", "ANON-LOC-PRECISION-01", "PAY-SCHEMA-01"];
const FILES: [&str; 3] = ["a.json", "legacy/b.json", "c d.ndjson"];

/// A coherent report before any waiver: counts agree with findings,
/// arbitrary text everywhere a user's data can reach.
#[derive(Debug, Clone)]
struct UnwaivedReport(Report);

/// An [`UnwaivedReport`] with up to two waivers applied by the library.
#[derive(Debug, Clone)]
struct AnyReport(Report);

fn pick<T: Copy>(g: &mut Gen, items: &[T]) -> T {
    *g.choose(items).expect("non-empty")
}

impl Arbitrary for UnwaivedReport {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut report = common::canonical::all_pass();
        let profiles: Vec<&str> = PROFILES[..1 + usize::arbitrary(g) % 3].to_vec();
        let levels: Vec<Level> = REQUIREMENTS
            .iter()
            .map(|_| pick(g, &[Level::Must, Level::Should, Level::May]))
            .collect();
        // One finding a subject (a distinct record), as the engine reports;
        // a broken MUST fails, a broken SHOULD or MAY warns.
        let findings: Vec<Finding> = (0..usize::arbitrary(g) % 6)
            .map(|i| {
                let r = usize::arbitrary(g) % REQUIREMENTS.len();
                let broken = if u8::arbitrary(g) % 4 == 0 {
                    Verdict::Error
                } else {
                    Verdict::for_violation(levels[r])
                };
                Finding {
                    requirement: REQUIREMENTS[r].to_owned(),
                    verdicts: profiles.iter().map(|p| ((*p).to_owned(), broken)).collect(),
                    location: Location {
                        file: Some(pick(g, &FILES).to_owned()),
                        line: Some(i as u64 + 1),
                        record: Some(i as u64 + 1),
                        pointer: Some(format!("/{}", String::arbitrary(g))),
                    },
                    message: String::arbitrary(g),
                    evidence: None,
                    clauses: Vec::new(),
                    readings: BTreeMap::new(),
                    conflicts: Vec::new(),
                    waiver: None,
                }
            })
            .collect();
        report.profiles = profiles
            .iter()
            .map(|id| profile_for(id, &levels, &findings))
            .collect();
        report.requirements = REQUIREMENTS
            .iter()
            .map(|id| RequirementInfo {
                id: (*id).to_owned(),
                title: String::arbitrary(g),
                statement: String::arbitrary(g),
                area: Area::Anonymization,
                clauses: Vec::new(),
            })
            .collect();
        report.command = *g
            .choose(&[
                cityconform::model::Command::Validate,
                cityconform::model::Command::Dataset,
                cityconform::model::Command::Flows,
                cityconform::model::Command::Audit,
                cityconform::model::Command::Check,
            ])
            .expect("non-empty");
        report.summary.findings = findings.len() as u64;
        report.summary.met = report.profiles.iter().all(|p| p.met);
        report.findings = findings;
        report.provenance = Some(Provenance {
            catalogue: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"c"))]),
            profiles: BTreeMap::new(),
            lists: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"l"))]),
            live_cases: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"v"))]),
            schemas: BTreeMap::from([("s.json".to_owned(), attest::sha256(b"s"))]),
            inputs: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"i"))]),
            target: Option::arbitrary(g),
        });
        UnwaivedReport(report)
    }
}

impl Arbitrary for AnyReport {
    fn arbitrary(g: &mut Gen) -> Self {
        let mut report = UnwaivedReport::arbitrary(g).0;
        let waivers: Vec<Waiver> = (0..usize::arbitrary(g) % 3)
            .map(|i| Waiver {
                id: format!("W-{i}"),
                requirement: pick(g, &REQUIREMENTS).to_owned(),
                subject: bool::arbitrary(g).then(|| {
                    SubjectPattern::new(pick(g, &["*.json", "legacy/*", "**"]), "".as_ref())
                        .expect("glob")
                }),
                justification: String::arbitrary(g),
                approved_by: String::arbitrary(g),
                expires: pick(
                    g,
                    &[
                        chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("date"),
                        chrono::NaiveDate::from_ymd_opt(2099, 1, 1).expect("date"),
                    ],
                ),
            })
            .collect();
        cityconform::waiver::apply(&mut report, &waivers).expect("waivers apply");
        report.provenance = Some(Provenance {
            catalogue: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"c"))]),
            profiles: BTreeMap::new(),
            lists: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"l"))]),
            live_cases: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"v"))]),
            schemas: BTreeMap::from([("s.json".to_owned(), attest::sha256(b"s"))]),
            inputs: BTreeMap::from([(String::arbitrary(g), attest::sha256(b"i"))]),
            target: Option::arbitrary(g),
        });
        AnyReport(report)
    }
}

/// A profile whose counts agree with `findings` (one subject a finding).
fn profile_for(
    id: &str,
    levels: &[Level],
    findings: &[Finding],
) -> cityconform::model::ProfileResult {
    let results: Vec<RequirementResult> = REQUIREMENTS
        .iter()
        .zip(levels)
        .map(|(requirement, level)| {
            let mut counts = Counts {
                pass: 2,
                ..Counts::default()
            };
            for f in findings.iter().filter(|f| f.requirement == *requirement) {
                counts.add(f.verdicts[id]);
            }
            RequirementResult {
                requirement: (*requirement).to_owned(),
                level: *level,
                verdict: counts.verdict(),
                counts,
                params: serde_json::Map::new(),
                lists: BTreeMap::new(),
                reason: None,
                findings_left_out: 0,
            }
        })
        .collect();
    let met = !results
        .iter()
        .any(|r| r.level == Level::Must && matches!(r.verdict, Verdict::Fail | Verdict::Error));
    cityconform::model::ProfileResult {
        id: id.to_owned(),
        title: format!("{id} profile"),
        met,
        results,
    }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    report::render(report, format, TextOptions::default(), &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn a_signed_report_always_verifies() {
    static REACHED: Reached = Reached::new();
    fn property(report: AnyReport, seed: u8) -> bool {
        REACHED.hit();
        let mut report = report.0;
        let key = key(seed);
        attest::sign(&mut report, &key).expect("signs");
        let bytes = render(&report, Format::Json).into_bytes();
        let trusted = report.provenance.clone().expect("provenance");
        let outcome = attest::verify(&bytes, &key.verifying_key(), &trusted);
        outcome.verified() || {
            eprintln!("{:?}", outcome.mismatches);
            false
        }
    }
    check(100, &REACHED, property as fn(AnyReport, u8) -> bool);
}

#[test]
fn flipping_any_byte_of_the_signed_message_fails() {
    static REACHED: Reached = Reached::new();
    fn property(report: AnyReport, position: usize, mask: u8) -> TestResult {
        if mask == 0 {
            return TestResult::discard();
        }
        REACHED.hit();
        let mut report = report.0;
        let key = key(7);
        attest::sign(&mut report, &key).expect("signs");
        let signature = report.signature.expect("signed");
        let mut message =
            attest::signed_message(&signature.key_id, &signature.sections).expect("message");
        assert!(attest::verify_message(
            &key.verifying_key(),
            &message,
            &signature.value
        ));
        let at = position % message.len();
        message[at] ^= mask;
        TestResult::from_bool(!attest::verify_message(
            &key.verifying_key(),
            &message,
            &signature.value,
        ))
    }
    check(
        300,
        &REACHED,
        property as fn(AnyReport, usize, u8) -> TestResult,
    );
}

#[test]
fn flipping_any_byte_of_a_signed_report_file_fails_verification() {
    static REACHED: Reached = Reached::new();
    fn property(report: AnyReport, position: usize, mask: u8) -> TestResult {
        if mask == 0 {
            return TestResult::discard();
        }
        REACHED.hit();
        let mut report = report.0;
        let key = key(9);
        attest::sign(&mut report, &key).expect("signs");
        let trusted = report.provenance.clone().expect("provenance");
        let mut bytes = render(&report, Format::Json).into_bytes();
        let at = position % bytes.len();
        bytes[at] ^= mask;
        TestResult::from_bool(!attest::verify(&bytes, &key.verifying_key(), &trusted).verified())
    }
    check(
        300,
        &REACHED,
        property as fn(AnyReport, usize, u8) -> TestResult,
    );
}

/// (findings, waived findings) as each format states them.
fn stated_counts(report: &Report, format: Format) -> (u64, u64) {
    let text = render(report, format);
    match format {
        Format::Json => {
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            let waived = v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f.get("waiver").is_some())
                .count() as u64;
            (v["summary"]["findings"].as_u64().expect("count"), waived)
        }
        Format::Sarif => {
            let v: serde_json::Value = serde_json::from_str(&text).expect("SARIF");
            let results = v["runs"][0]["results"].as_array().expect("results");
            let waived = results
                .iter()
                .filter(|r| r.get("suppressions").is_some())
                .count() as u64;
            (results.len() as u64, waived)
        }
        Format::Text => last_match(
            &text,
            r"(?m)^Result: .*; (\d+) findings?(?: \((\d+) waived\))?$",
        ),
        Format::Markdown => {
            last_match(&text, r"(?m)^\*\*(\d+) findings?\*\*(?: \((\d+) waived\))?")
        }
        Format::Html => {
            let findings = last_match(&text, r#"id="count-findings" data-count="(\d+)""#).0;
            // The waived count is shown only when there are waived findings.
            let waived = if text.contains(r#"id="count-waived""#) {
                last_match(&text, r#"id="count-waived" data-count="(\d+)""#).0
            } else {
                0
            };
            (findings, waived)
        }
        Format::Github => last_match(
            &text,
            r"(?m)^::notice title=cityconform::.*; (\d+) findings?(?: \((\d+) waived\))?$",
        ),
        Format::Junit | Format::Gitlab => (u64::MAX, u64::MAX),
    }
}

/// The annotations (GitHub) and issues (GitLab) a report gives: one per
/// finding that failed, errored or warned somewhere.
fn annotated_counts(report: &Report) -> (usize, usize, usize) {
    let expected = report
        .findings
        .iter()
        .filter(|f| {
            f.verdicts
                .values()
                .any(|v| matches!(v, Verdict::Fail | Verdict::Error | Verdict::Warn))
        })
        .count();
    let github = render(report, Format::Github)
        .lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .count();
    let gitlab: serde_json::Value =
        serde_json::from_str(&render(report, Format::Gitlab)).expect("GitLab JSON");
    let gitlab = gitlab.as_array().map_or(usize::MAX, Vec::len);
    (expected, github, gitlab)
}

fn last_match(text: &str, pattern: &str) -> (u64, u64) {
    let regex = regex::Regex::new(pattern).expect("regex");
    let Some(captures) = regex.captures_iter(text).last() else {
        return (u64::MAX, u64::MAX);
    };
    let number = |i: usize| {
        captures
            .get(i)
            .map_or(0, |m| m.as_str().parse().unwrap_or(u64::MAX))
    };
    (number(1), number(2))
}

/// (failures, errors, skipped) test cases in a JUnit document.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    let doc = roxmltree::Document::parse(xml).expect("JUnit is XML");
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    (count("failure"), count("error"), count("skipped"))
}

#[test]
fn every_renderer_reports_the_same_counts() {
    static REACHED: Reached = Reached::new();
    fn property(report: AnyReport) -> bool {
        REACHED.hit();
        let report = report.0;
        let findings = report.findings.len() as u64;
        let waived = report
            .findings
            .iter()
            .filter(|f| f.waiver.is_some())
            .count() as u64;
        let (expected, github, gitlab) = annotated_counts(&report);
        if (github, gitlab) != (expected, expected) {
            eprintln!(
                "GitHub gives {github} annotations, GitLab {gitlab} issues, for {expected} findings to fix"
            );
            return false;
        }
        for format in Format::ALL
            .into_iter()
            .filter(|f| !matches!(f, Format::Junit | Format::Gitlab))
        {
            let stated = stated_counts(&report, format);
            if stated != (findings, waived) {
                eprintln!(
                    "{} states {stated:?}, the report holds ({findings}, {waived})",
                    format.as_str()
                );
                return false;
            }
        }
        let rows = report.profiles.iter().flat_map(|p| &p.results);
        let with = |v: &[Verdict]| rows.clone().filter(|r| v.contains(&r.verdict)).count();
        let expired = report
            .waivers
            .iter()
            .filter(|w| w.status == WaiverStatus::Expired)
            .count();
        let expected = (
            with(&[Verdict::Fail]) + expired,
            with(&[Verdict::Error]),
            with(&[Verdict::Skip, Verdict::Waived]),
        );
        let stated = junit_counts(&render(&report, Format::Junit));
        if stated != expected {
            eprintln!("JUnit states {stated:?}, the report holds {expected:?}");
            return false;
        }
        true
    }
    check(150, &REACHED, property as fn(AnyReport) -> bool);
}

#[test]
fn waiving_every_requirement_meets_every_profile_unless_a_must_check_errored() {
    static REACHED: Reached = Reached::new();
    fn property(report: UnwaivedReport) -> bool {
        let mut report = report.0;
        REACHED.hit();
        let must_errored = report
            .profiles
            .iter()
            .flat_map(|p| &p.results)
            .any(|r| r.level == Level::Must && r.counts.error > 0);
        let waivers: Vec<Waiver> = REQUIREMENTS
            .iter()
            .map(|id| Waiver {
                id: format!("all-{id}"),
                requirement: (*id).to_owned(),
                subject: None,
                justification: "j".to_owned(),
                approved_by: "a".to_owned(),
                expires: chrono::NaiveDate::from_ymd_opt(2099, 12, 31).expect("date"),
            })
            .collect();
        cityconform::waiver::apply(&mut report, &waivers).expect("applies");
        let no_fail_left = report
            .profiles
            .iter()
            .flat_map(|p| &p.results)
            .all(|r| r.counts.fail == 0 && r.counts.warn == 0);
        let every_break_waived = report.findings.iter().all(|f| {
            f.verdicts
                .values()
                .all(|v| matches!(v, Verdict::Waived | Verdict::Error))
        });
        let holds = no_fail_left && every_break_waived && report.summary.met != must_errored;
        if !holds {
            eprintln!(
                "fail/warn left: {}, all waived: {every_break_waived}, met: {}, a MUST errored: {must_errored}\n{}",
                !no_fail_left,
                report.summary.met,
                serde_json::to_string_pretty(&report.profiles).unwrap_or_default()
            );
        }
        holds
    }
    check(200, &REACHED, property as fn(UnwaivedReport) -> bool);
}
