//! Merging the reports of several jobs into one: the same profiles, each
//! with the union of its requirement rows (rows for the same requirement
//! from two jobs add their counts), the union of requirements cited, every
//! input and finding in job order, and the totals summed again.

use crate::error::{Error, Result};
use crate::model::{
    Command, ProfileResult, REPORT_SCHEMA_VERSION, Report, Summary, Tool, WaiverStatus,
};

/// One report standing for all of `reports` (in job order), listing at
/// most `keep` findings per (profile, requirement) over all of them.
pub(super) fn merge(
    reports: Vec<Report>,
    command: Command,
    generated_at: &str,
    keep: usize,
) -> Result<Report> {
    let mut reports = reports.into_iter();
    let Some(mut merged) = reports.next() else {
        return Err(Error::Usage(
            "the configuration names nothing to check".to_owned(),
        ));
    };
    for report in reports {
        merged.law.absorb(report.law.clone());
        absorb(&mut merged, report)?;
    }
    merged.schema_version = REPORT_SCHEMA_VERSION.to_owned();
    merged.tool = Tool::current();
    merged.command = command;
    merged.generated_at = generated_at.to_owned();
    for profile in &mut merged.profiles {
        profile
            .results
            .sort_by(|a, b| a.requirement.cmp(&b.requirement));
        profile.met = ProfileResult::meets(&profile.results);
    }
    merged.requirements.sort_by(|a, b| a.id.cmp(&b.id));
    let expired_waivers = merged
        .waivers
        .iter()
        .filter(|w| w.status == WaiverStatus::Expired)
        .count() as u64;
    let dropped = cap(&mut merged, keep);
    merged.summary = Summary {
        subjects: merged.summary.subjects,
        input_errors: merged.summary.input_errors,
        findings: merged.findings.len() as u64,
        met: merged.profiles.iter().all(|p| p.met) && expired_waivers == 0,
        waived: merged
            .findings
            .iter()
            .filter(|f| f.waiver.is_some())
            .count() as u64,
        expired_waivers,
        findings_left_out: merged.summary.findings_left_out + dropped,
    };
    Ok(merged)
}

/// Keeps the first `keep` findings of each (profile, requirement), in job
/// order, as each job's tally did: a finding stays for the profiles with
/// room and is counted as left out for the others. Answers how many
/// findings were left out for every profile.
fn cap(report: &mut Report, keep: usize) -> u64 {
    let mut kept: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    let mut left_out: std::collections::HashMap<(String, String), u64> =
        std::collections::HashMap::new();
    let mut dropped = 0;
    report.findings.retain_mut(|finding| {
        finding.verdicts.retain(|profile, _| {
            let key = (profile.clone(), finding.requirement.clone());
            let n = kept.entry(key.clone()).or_insert(0);
            if *n < keep {
                *n += 1;
                true
            } else {
                *left_out.entry(key).or_insert(0) += 1;
                false
            }
        });
        let keep_it = !finding.verdicts.is_empty();
        if !keep_it {
            dropped += 1;
        }
        keep_it
    });
    for profile in &mut report.profiles {
        for row in &mut profile.results {
            let key = (profile.id.clone(), row.requirement.clone());
            row.findings_left_out += left_out.get(&key).copied().unwrap_or(0);
        }
    }
    dropped
}

fn absorb(into: &mut Report, report: Report) -> Result<()> {
    into.inputs.extend(report.inputs);
    for profile in report.profiles {
        let Some(target) = into.profiles.iter_mut().find(|p| p.id == profile.id) else {
            return Err(Error::Internal(format!(
                "a job reported profile `{}` that the others did not",
                profile.id
            )));
        };
        for result in profile.results {
            match target
                .results
                .iter_mut()
                .find(|r| r.requirement == result.requirement)
            {
                Some(row) => {
                    let c = &mut row.counts;
                    c.pass += result.counts.pass;
                    c.fail += result.counts.fail;
                    c.warn += result.counts.warn;
                    c.skip += result.counts.skip;
                    c.error += result.counts.error;
                    c.waived += result.counts.waived;
                    row.verdict = row.counts.verdict();
                    row.findings_left_out += result.findings_left_out;
                    if row.reason.is_none() {
                        row.reason = result.reason;
                    }
                }
                None => target.results.push(result),
            }
        }
    }
    for requirement in report.requirements {
        if !into.requirements.iter().any(|r| r.id == requirement.id) {
            into.requirements.push(requirement);
        }
    }
    into.findings.extend(report.findings);
    crate::waiver::join_outcomes(&mut into.waivers, report.waivers);
    // Every job's dataset summary and flow matrix, each named by its input.
    into.datasets.extend(report.datasets);
    into.matrices.extend(report.matrices);
    into.summary.subjects += report.summary.subjects;
    into.summary.input_errors += report.summary.input_errors;
    into.summary.findings_left_out += report.summary.findings_left_out;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Map;

    use super::*;
    use crate::catalog::{Area, Level};
    use crate::model::{
        Counts, Finding, InputFormat, InputSummary, Location, RequirementInfo, RequirementResult,
        Verdict,
    };

    fn report(input: &str, requirement: &str, counts: Counts, findings: usize) -> Report {
        let result = RequirementResult {
            requirement: requirement.to_owned(),
            level: Level::Must,
            verdict: counts.verdict(),
            counts,
            params: Map::new(),
            lists: BTreeMap::new(),
            reason: None,
            findings_left_out: 0,
        };
        Report {
            datasets: Vec::new(),
            matrices: Vec::new(),
            schema_version: REPORT_SCHEMA_VERSION.to_owned(),
            tool: Tool::current(),
            command: Command::Validate,
            generated_at: "t".to_owned(),
            law: crate::model::Law::new("2023-11-14".to_owned(), Vec::new()),
            inputs: vec![InputSummary {
                path: input.to_owned(),
                format: InputFormat::Json,
                records: counts.total(),
            }],
            profiles: vec![ProfileResult {
                id: "kr".to_owned(),
                title: "Korea".to_owned(),
                met: counts.fail == 0,
                results: vec![result],
            }],
            requirements: vec![RequirementInfo {
                id: requirement.to_owned(),
                title: String::new(),
                statement: String::new(),
                area: Area::Anonymization,
                clauses: Vec::new(),
            }],
            findings: (0..findings)
                .map(|i| Finding {
                    requirement: requirement.to_owned(),
                    verdicts: BTreeMap::from([("kr".to_owned(), Verdict::Fail)]),
                    location: Location {
                        file: Some(input.to_owned()),
                        record: Some(i as u64 + 1),
                        ..Location::default()
                    },
                    message: "m".to_owned(),
                    evidence: None,
                    clauses: Vec::new(),
                    readings: BTreeMap::new(),
                    conflicts: Vec::new(),
                    waiver: None,
                })
                .collect(),
            summary: Summary {
                subjects: counts.total(),
                input_errors: 0,
                findings: findings as u64,
                met: counts.fail == 0,
                waived: 0,
                expired_waivers: 0,
                findings_left_out: 0,
            },
            waivers: Vec::new(),
            provenance: None,
            signature: None,
        }
    }

    fn counts(pass: u64, fail: u64) -> Counts {
        Counts {
            pass,
            fail,
            ..Counts::default()
        }
    }

    #[test]
    fn rows_of_one_requirement_add_up_and_others_are_united() {
        let merged = merge(
            vec![
                report("a.json", "R-B", counts(3, 0), 0),
                report("b.csv", "R-B", counts(1, 2), 2),
                report("c.toml", "R-A", counts(1, 0), 0),
            ],
            Command::Check,
            "2023-11-14T22:13:20Z",
            usize::MAX,
        )
        .expect("merges");
        let kr = &merged.profiles[0];
        let rows: Vec<(&str, Counts, Verdict)> = kr
            .results
            .iter()
            .map(|r| (r.requirement.as_str(), r.counts, r.verdict))
            .collect();
        assert_eq!(
            rows,
            [
                ("R-A", counts(1, 0), Verdict::Pass),
                ("R-B", counts(4, 2), Verdict::Fail)
            ]
        );
        assert!(!kr.met);
        assert_eq!(merged.inputs.len(), 3);
        assert_eq!(merged.requirements.len(), 2);
        assert_eq!(merged.summary.subjects, 7);
        assert_eq!(merged.summary.findings, 2);
        assert!(!merged.summary.met);
        assert_eq!(merged.command, Command::Check);
    }

    #[test]
    fn merged_findings_keep_the_cap_per_requirement_and_count_the_rest() {
        let merged = merge(
            vec![
                report("a.json", "R-B", counts(0, 3), 3),
                report("b.json", "R-B", counts(0, 4), 4),
            ],
            Command::Check,
            "t",
            5,
        )
        .expect("merges");
        assert_eq!(merged.findings.len(), 5);
        assert_eq!(merged.summary.findings, 5);
        assert_eq!(merged.summary.findings_left_out, 2);
        let row = &merged.profiles[0].results[0];
        assert_eq!(row.counts.fail, 7, "the counts stay exact");
        assert_eq!(row.findings_left_out, 2);
    }

    #[test]
    fn no_reports_is_nothing_to_check_and_a_stray_profile_is_a_fault() {
        assert!(merge(Vec::new(), Command::Check, "t", 1).is_err());
        let mut other = report("b", "R", counts(1, 0), 0);
        other.profiles[0].id = "eu".to_owned();
        let result = merge(
            vec![report("a", "R", counts(1, 0), 0), other],
            Command::Check,
            "t",
            1,
        );
        assert!(matches!(result, Err(Error::Internal(_))));
    }
}
