//! JUnit XML for CI systems, written with `quick-junit` (the crate
//! cargo-nextest uses). One test suite per profile, one test case per
//! requirement: a failed MUST is a failure, an errored check an error, a
//! requirement that applied to nothing is skipped, and a broken SHOULD
//! passes with its warnings in `system-out`. An empty run still yields a
//! valid document. A dataset report gives each profile's suite the measured
//! figures as properties; a declaration report over two or more profiles
//! adds one suite of pairs: a case per flow and pair of profiles.

use std::io::Write;

use quick_junit::{
    NonSuccessKind, Property, Report as JunitDocument, TestCase, TestCaseStatus, TestSuite,
};

use super::{DatasetView, FindingView, MatrixView, ProfileView, Renderer, View};
use crate::model::{RequirementResult, Verdict, WaiverStatus};

/// Findings written into one test case before the rest are summarised.
const MAX_LISTED: usize = 500;

/// The JUnit renderer.
pub(super) struct Junit;

impl Renderer for Junit {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let mut junit = JunitDocument::new("cityconform");
        for profile in &view.profiles {
            junit.add_test_suite(suite(view, profile));
        }
        if !view.waivers.is_empty() {
            junit.add_test_suite(waiver_suite(view));
        }
        for pairs in view.matrices.iter().filter_map(|m| pair_suite(view, m)) {
            junit.add_test_suite(pairs);
        }
        junit.serialize(&mut *out).map_err(std::io::Error::other)?;
        writeln!(out)
    }
}

fn suite(view: &View<'_>, profile: &ProfileView<'_>) -> TestSuite {
    let mut suite = TestSuite::new(xml_text(&format!("{} ({})", profile.id, profile.title)));
    suite.add_properties(law_properties(view));
    // One dataset keeps the plain `dataset.` keys; several are numbered.
    let several = view.datasets.len() > 1;
    for (i, dataset) in view.datasets.iter().enumerate() {
        let prefix = if several {
            format!("dataset.{}", i + 1)
        } else {
            "dataset".to_owned()
        };
        suite.add_properties(dataset_properties(dataset, &prefix));
    }
    for result in profile.results {
        suite.add_test_case(case(view, profile, result));
    }
    suite
}

fn case(view: &View<'_>, profile: &ProfileView<'_>, result: &RequirementResult) -> TestCase {
    let title = view.title(&result.requirement);
    let findings = view.findings_under(&result.requirement, profile.id);
    let cited = cited_under(view, profile.id, &result.requirement);
    let reading = reading_under(&findings, profile.id);
    let describe = |findings: &[&FindingView<'_>], left_out: u64| {
        format!("{reading}{cited}{}", describe(findings, left_out))
    };
    let counts = result.counts;
    let status = match result.verdict {
        Verdict::Pass | Verdict::Warn => TestCaseStatus::success(),
        Verdict::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(xml_text(result.reason.as_deref().unwrap_or_default()));
            status
        }
        Verdict::Waived => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(xml_text(&format!(
                "waived: {} of {} subjects break this {} requirement under an active waiver",
                counts.waived,
                counts.total(),
                result.level.as_str()
            )));
            status.set_description(xml_text(&describe(&findings, result.findings_left_out)));
            status
        }
        Verdict::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(xml_text(&format!(
                "{} of {} subjects fail ({})",
                counts.fail,
                counts.total(),
                result.level.as_str()
            )));
            status.set_type(xml_text(&result.requirement));
            status.set_description(xml_text(&describe(&findings, result.findings_left_out)));
            status
        }
        Verdict::Error => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(xml_text(
                result
                    .reason
                    .as_deref()
                    .unwrap_or("the check could not run"),
            ));
            status.set_description(xml_text(&describe(&findings, result.findings_left_out)));
            status
        }
    };
    let mut case = TestCase::new(xml_text(&format!("{} {title}", result.requirement)), status);
    case.set_classname(xml_text(&format!("cityconform.{}", profile.id)));
    case.set_assertions(usize::try_from(counts.total()).unwrap_or(usize::MAX));
    if result.verdict == Verdict::Warn {
        case.set_system_out(xml_text(&format!(
            "warning: {} of {} subjects break this {} requirement\n{}",
            counts.warn,
            counts.total(),
            result.level.as_str(),
            describe(&findings, result.findings_left_out)
        )));
    }
    case
}

/// What a dataset audit measured, as suite properties (`dataset.rows`,
/// `dataset.k`, ...; `prefix` is `dataset`, or `dataset.N` when the run
/// audited several): the context each profile's verdicts were reached in.
/// The day the law was read on, the notice naming the lists used, and
/// each warning about a list's age.
fn law_properties(view: &View<'_>) -> Vec<Property> {
    let mut properties = vec![
        Property::new("law.as_of", view.law.as_of.clone()),
        Property::new("law.notice", xml_text(&view.law.notice)),
    ];
    properties.extend(
        view.law
            .warnings()
            .enumerate()
            .map(|(i, w)| Property::new(format!("law.warning.{}", i + 1), xml_text(&w))),
    );
    properties
}

fn dataset_properties(dataset: &DatasetView<'_>, prefix: &str) -> Vec<Property> {
    let mut properties = vec![
        Property::new(format!("{prefix}.roles_from"), xml_text(dataset.roles_from)),
        Property::new(format!("{prefix}.rows"), dataset.rows.to_string()),
        Property::new(format!("{prefix}.classes"), dataset.classes.to_string()),
    ];
    if prefix != "dataset" {
        properties.insert(
            0,
            Property::new(format!("{prefix}.input"), xml_text(dataset.input)),
        );
    }
    properties.extend(
        dataset
            .metrics
            .iter()
            .map(|m| Property::new(format!("{prefix}.{}", m.key), m.value.clone())),
    );
    properties
}

/// One test case per waiver: an expired waiver fails the run, so it is a
/// failure here too; an unmatched one passes with a note.
fn waiver_suite(view: &View<'_>) -> TestSuite {
    let mut suite = TestSuite::new("waivers");
    for waiver in view.waivers {
        let status = match waiver.status {
            WaiverStatus::Expired => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(xml_text(&format!(
                    "waiver `{}` for {} expired on {}; renew its approval or fix the findings",
                    waiver.id, waiver.requirement, waiver.expires
                )));
                status.set_type("expired-waiver");
                status
            }
            WaiverStatus::Active | WaiverStatus::Unmatched => TestCaseStatus::success(),
        };
        let mut case = TestCase::new(
            xml_text(&format!("{} {}", waiver.id, waiver.requirement)),
            status,
        );
        case.set_classname("cityconform.waivers");
        let note = match waiver.status {
            WaiverStatus::Active => format!(
                "covers {} finding{} until {} (approved by {}): {}",
                waiver.matched,
                if waiver.matched == 1 { "" } else { "s" },
                waiver.expires,
                waiver.approved_by,
                waiver.justification
            ),
            WaiverStatus::Unmatched => {
                "covers no finding: remove it, or check its requirement and subject".to_owned()
            }
            WaiverStatus::Expired => String::new(),
        };
        if !note.is_empty() {
            case.set_system_out(xml_text(&note));
        }
        suite.add_test_case(case);
    }
    suite
}

/// The pairs of profiles of a flow matrix: one case per flow and pair,
/// failing when the flow does not meet both, with the MUST findings in the
/// way. `None` for fewer than two profiles, where there is no pair.
fn pair_suite(view: &View<'_>, matrix: &MatrixView<'_>) -> Option<TestSuite> {
    if !matrix.has_pairs() {
        return None;
    }
    let mut suite = TestSuite::new("pairs of profiles");
    for row in matrix.flows {
        for pair in &row.pairs {
            let status = if pair.both {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(xml_text(&format!(
                    "flow `{}` does not meet both {} and {}",
                    row.flow, pair.left, pair.right
                )));
                let needed: Vec<String> = pair
                    .needed
                    .iter()
                    .map(|b| {
                        let cited = view.blocker_citations(b);
                        let cited = if cited.is_empty() {
                            String::new()
                        } else {
                            format!(" ({} cites: {cited})", b.profile)
                        };
                        let reading = b
                            .reading
                            .as_ref()
                            .map_or_else(String::new, |r| format!(" ({r})"));
                        format!(
                            "{} {}{reading}: {}{cited}",
                            b.profile, b.requirement, b.message
                        )
                    })
                    .collect();
                status.set_description(xml_text(&needed.join("\n")));
                status
            };
            let mut case = TestCase::new(
                xml_text(&format!(
                    "{} meets {} + {}",
                    row.flow, pair.left, pair.right
                )),
                status,
            );
            case.set_classname("cityconform.pairs");
            suite.add_test_case(case);
        }
    }
    Some(suite)
}

/// What `profile` assumed for the flows it read as if they were its
/// region's, each reading once, a line each.
fn reading_under(findings: &[&FindingView<'_>], profile: &str) -> String {
    let mut readings: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.readings.get(profile).map(String::as_str))
        .collect();
    readings.sort_unstable();
    readings.dedup();
    readings
        .iter()
        .map(|r| format!("{profile}: {r}\n"))
        .collect()
}

/// "kr cites: PIPA Art. 28-8(1)\n" for a declaration report: the clauses
/// this profile reads the requirement from, and no other region's.
fn cited_under(view: &View<'_>, profile: &str, requirement: &str) -> String {
    if view.matrices.is_empty() {
        return String::new();
    }
    view.citations_of(requirement, |p| p == profile)
        .into_iter()
        .map(|(p, c)| format!("{p} cites: {}\n", super::cite_line(&c)))
        .collect()
}

/// The first findings of a case, and how many more there are: listed in
/// the JSON report, or counted only (`left_out`, beyond `--keep-findings`).
fn describe(findings: &[&FindingView<'_>], left_out: u64) -> String {
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
    if left_out > 0 {
        text.push_str(&format!(
            "... and {left_out} more counted but not listed (--keep-findings); the counts are exact\n"
        ));
    }
    text
}

/// `text` with every character XML 1.0 forbids (most control characters,
/// lone surrogates' stand-ins, U+FFFE, U+FFFF) replaced by U+FFFD, so that
/// whatever a record or a name holds, the document stays well-formed.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => c,
            _ => '\u{FFFD}',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::xml_text;

    /// Regression: a message holding U+FFFE (found by the renderer-counts
    /// property) made the JUnit document unparseable.
    #[test]
    fn characters_xml_forbids_are_replaced_and_the_rest_kept() {
        assert_eq!(
            xml_text("a\u{fffe}b\u{1}c\td\u{10000}"),
            "a\u{fffd}b\u{fffd}c\td\u{10000}"
        );
    }
}
