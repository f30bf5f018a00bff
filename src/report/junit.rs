//! JUnit XML for CI systems, written with `quick-junit` (the crate
//! cargo-nextest uses). One test suite per profile, one test case per
//! requirement: a failed MUST is a failure, an errored check an error, a
//! requirement that applied to nothing is skipped, and a broken SHOULD
//! passes with its warnings in `system-out`. An empty run still yields a
//! valid document. A declaration report over two or more profiles adds one
//! suite of pairs: a case per flow and pair of profiles.

use std::io::Write;

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use crate::model::{Finding, ProfileResult, Report, RequirementResult, Verdict};

/// Findings written into one test case before the rest are summarised.
const MAX_LISTED: usize = 500;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut junit = Junit::new("cityconform");
    for profile in &report.profiles {
        junit.add_test_suite(suite(report, profile));
    }
    if let Some(pairs) = report.matrix.as_ref().and_then(super::matrix::junit_suite) {
        junit.add_test_suite(pairs);
    }
    junit.serialize(&mut *out).map_err(std::io::Error::other)?;
    writeln!(out)
}

fn suite(report: &Report, profile: &ProfileResult) -> TestSuite {
    let mut suite = TestSuite::new(format!("{} ({})", profile.id, profile.title));
    for result in &profile.results {
        suite.add_test_case(case(report, profile, result));
    }
    suite
}

fn case(report: &Report, profile: &ProfileResult, result: &RequirementResult) -> TestCase {
    let title = report
        .requirements
        .iter()
        .find(|r| r.id == result.requirement)
        .map_or("", |r| r.title.as_str());
    let findings = findings_for(report, &profile.id, &result.requirement);
    let counts = result.counts;
    let status = match result.verdict {
        Verdict::Pass | Verdict::Warn => TestCaseStatus::success(),
        Verdict::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(result.reason.clone().unwrap_or_default());
            status
        }
        Verdict::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!(
                "{} of {} subjects fail ({})",
                counts.fail,
                counts.total(),
                result.level.as_str()
            ));
            status.set_type(result.requirement.clone());
            status.set_description(describe(&findings));
            status
        }
        Verdict::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(
                result
                    .reason
                    .clone()
                    .unwrap_or_else(|| "the check could not run".to_owned()),
            );
            status.set_description(describe(&findings));
            status
        }
    };
    let mut case = TestCase::new(format!("{} {title}", result.requirement), status);
    case.set_classname(format!("cityconform.{}", profile.id));
    case.set_assertions(usize::try_from(counts.total()).unwrap_or(usize::MAX));
    if result.verdict == Verdict::Warn {
        case.set_system_out(format!(
            "warning: {} of {} subjects break this {} requirement\n{}",
            counts.warn,
            counts.total(),
            result.level.as_str(),
            describe(&findings)
        ));
    }
    case
}

fn findings_for<'r>(report: &'r Report, profile: &str, requirement: &str) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.requirement == requirement && f.verdicts.contains_key(profile))
        .collect()
}

fn describe(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in findings.iter().take(MAX_LISTED) {
        text.push_str(&format!("{}: {}\n", finding.location, finding.message));
    }
    if findings.len() > MAX_LISTED {
        text.push_str(&format!(
            "... and {} more (see the JSON report)\n",
            findings.len() - MAX_LISTED
        ));
    }
    text
}
