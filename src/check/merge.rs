//! Merging the reports of several jobs into one: the same profiles, each
//! with the union of its requirement rows (rows for the same requirement
//! from two jobs add their counts), the union of requirements cited, every
//! input and finding in job order, and the totals summed again.

use crate::catalog::Level;
use crate::error::{Error, Result};
use crate::model::{ProfileResult, REPORT_SCHEMA_VERSION, Report, Summary, Tool, Verdict};

/// One report standing for all of `reports` (in job order).
pub(super) fn merge(reports: Vec<Report>, command: &str, generated_at: &str) -> Result<Report> {
    let mut reports = reports.into_iter();
    let Some(mut merged) = reports.next() else {
        return Err(Error::Usage(
            "the configuration names nothing to check".to_owned(),
        ));
    };
    for report in reports {
        absorb(&mut merged, report)?;
    }
    merged.schema_version = REPORT_SCHEMA_VERSION.to_owned();
    merged.tool = Tool::current();
    merged.command = command.to_owned();
    merged.generated_at = generated_at.to_owned();
    for profile in &mut merged.profiles {
        profile
            .results
            .sort_by(|a, b| a.requirement.cmp(&b.requirement));
        profile.met = is_met(profile);
    }
    merged.requirements.sort_by(|a, b| a.id.cmp(&b.id));
    merged.summary = Summary {
        subjects: merged.summary.subjects,
        input_errors: merged.summary.input_errors,
        findings: merged.findings.len() as u64,
        met: merged.profiles.iter().all(|p| p.met),
        waived: 0,
        expired_waivers: 0,
    };
    Ok(merged)
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
    into.summary.subjects += report.summary.subjects;
    into.summary.input_errors += report.summary.input_errors;
    Ok(())
}

fn is_met(profile: &ProfileResult) -> bool {
    !profile
        .results
        .iter()
        .any(|r| r.level == Level::Must && matches!(r.verdict, Verdict::Fail | Verdict::Error))
}
