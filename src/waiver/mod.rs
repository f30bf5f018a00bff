//! Waivers: accepted, time-limited exceptions to a requirement. A waiver
//! names a requirement, optionally the subjects it covers (a glob over the
//! files findings point at), why the break is accepted, who accepted it and
//! the last day it holds.
//!
//! A run applies waivers while it counts ([`Waivers`], consulted by the
//! engine's tally): a covered break is counted `waived` for its subject,
//! its findings keep their place and message with the verdict `waived`.
//! [`apply`] does the same to a finished report made elsewhere. A waiver past
//! its expiry covers nothing and fails the run, so an exception cannot
//! outlive its approval silently; a waiver that covers nothing is reported,
//! so stale ones get cleaned up. The date compared with the expiry is the
//! report's own time, so a pinned `SOURCE_DATE_EPOCH` pins this too.
//!
//! Works on any report, whichever command produced it.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::catalog::Level;
use crate::error::{Error, Result};
use crate::model::{Finding, ProfileResult, Report, Verdict, WaiverOutcome, WaiverStatus};

/// One waiver, as the configuration declares it.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Stable ID: as written, or `REQUIREMENT#N` by position.
    pub id: String,
    /// The requirement it covers.
    pub requirement: String,
    /// The subjects it covers; every subject when absent.
    pub subject: Option<SubjectPattern>,
    /// Why the break is accepted.
    pub justification: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day it holds.
    pub expires: NaiveDate,
}

/// A glob over the file (or target) a finding points at.
#[derive(Debug, Clone)]
pub struct SubjectPattern {
    /// As the user wrote it (shown in reports).
    pub written: String,
    /// Compiled, relative to where findings' paths are relative to.
    pattern: glob::Pattern,
}

impl SubjectPattern {
    /// Compiles `written`, resolved against `base` (the folder the
    /// configuration sits in) unless it is a URI or absolute.
    pub fn new(written: &str, base: &std::path::Path) -> std::result::Result<Self, String> {
        let anchored = written.contains("://")
            || std::path::Path::new(written).is_absolute()
            || base.as_os_str().is_empty();
        let full = if anchored {
            written.to_owned()
        } else {
            format!(
                "{}/{written}",
                glob::Pattern::escape(&base.display().to_string().replace('\\', "/"))
            )
        };
        // Findings' paths are compared without a leading `./`, so the
        // pattern drops it too (a configuration named `./cityconform.toml`).
        let full = full.strip_prefix("./").unwrap_or(&full);
        let pattern = glob::Pattern::new(full)
            .map_err(|e| format!("`{written}` is not a valid glob: {}", e.msg))?;
        Ok(SubjectPattern {
            written: written.to_owned(),
            pattern,
        })
    }

    fn matches(&self, finding: &Finding) -> bool {
        self.matches_file(finding.location.file.as_deref())
    }

    /// Whether a break in `file` (a path or a target's request label) is
    /// covered.
    fn matches_file(&self, file: Option<&str>) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        file.is_some_and(|file| {
            let file = file.replace('\\', "/");
            let file = file.strip_prefix("./").unwrap_or(&file);
            self.pattern.matches_with(file, options)
        })
    }
}

/// The waivers of a run, judged on the report's day. The engine's tally
/// consults them as it counts, so a break a waiver covers is counted
/// `waived` for its subject from the start: exact counts, not inferred
/// afterwards from findings.
#[derive(Debug, Clone)]
pub struct Waivers {
    waivers: Vec<Waiver>,
    today: NaiveDate,
}

impl Waivers {
    /// `waivers` as they stand on the day of `generated_at` (RFC 3339).
    pub fn new(waivers: Vec<Waiver>, generated_at: &str) -> Result<Self> {
        Ok(Waivers {
            waivers,
            today: report_date(generated_at)?,
        })
    }

    /// Whether the run has any waiver at all.
    pub fn is_empty(&self) -> bool {
        self.waivers.is_empty()
    }

    /// The first waiver in force that covers a break of `requirement` in
    /// the subject at `file`. An expired waiver covers nothing.
    pub fn covering(&self, requirement: &str, file: Option<&str>) -> Option<&Waiver> {
        self.waivers.iter().find(|w| {
            w.requirement == requirement
                && self.today <= w.expires
                && w.subject.as_ref().is_none_or(|s| s.matches_file(file))
        })
    }

    /// What each waiver did, given how many findings each covered (by
    /// waiver ID).
    pub fn outcomes(
        &self,
        matched: &std::collections::BTreeMap<String, u64>,
    ) -> Vec<WaiverOutcome> {
        self.waivers
            .iter()
            .map(|waiver| {
                let expired = self.today > waiver.expires;
                let matched = if expired {
                    0
                } else {
                    matched.get(&waiver.id).copied().unwrap_or(0)
                };
                let status = match (expired, matched) {
                    (true, _) => WaiverStatus::Expired,
                    (false, 0) => WaiverStatus::Unmatched,
                    (false, _) => WaiverStatus::Active,
                };
                WaiverOutcome {
                    id: waiver.id.clone(),
                    requirement: waiver.requirement.clone(),
                    subject: waiver.subject.as_ref().map(|s| s.written.clone()),
                    justification: waiver.justification.clone(),
                    approved_by: waiver.approved_by.clone(),
                    expires: waiver.expires.format("%Y-%m-%d").to_string(),
                    status,
                    matched,
                }
            })
            .collect()
    }
}

/// Joins the waiver outcomes of several jobs of one run (the same waivers,
/// judged on the same day): the findings each covered add up.
pub fn join_outcomes(into: &mut Vec<WaiverOutcome>, more: Vec<WaiverOutcome>) {
    for outcome in more {
        match into.iter_mut().find(|o| o.id == outcome.id) {
            Some(known) => {
                known.matched += outcome.matched;
                if known.status == WaiverStatus::Unmatched && known.matched > 0 {
                    known.status = WaiverStatus::Active;
                }
            }
            None => into.push(outcome),
        }
    }
}

/// Applies `waivers` to a finished `report` made elsewhere (see the module
/// documentation). A run of this tool applies them while counting instead
/// ([`Waivers`]); this reads a finished report, where a subject's counts
/// can only be inferred from its findings.
pub fn apply(report: &mut Report, waivers: &[Waiver]) -> Result<()> {
    if waivers.is_empty() {
        return Ok(());
    }
    let today = report_date(&report.generated_at)?;
    let mut outcomes = Vec::with_capacity(waivers.len());
    for waiver in waivers {
        let expired = today > waiver.expires;
        let matched = if expired {
            0
        } else {
            cover_findings(&mut report.findings, waiver)
        };
        let status = match (expired, matched) {
            (true, _) => WaiverStatus::Expired,
            (false, 0) => WaiverStatus::Unmatched,
            (false, _) => WaiverStatus::Active,
        };
        outcomes.push(WaiverOutcome {
            id: waiver.id.clone(),
            requirement: waiver.requirement.clone(),
            subject: waiver.subject.as_ref().map(|s| s.written.clone()),
            justification: waiver.justification.clone(),
            approved_by: waiver.approved_by.clone(),
            expires: waiver.expires.format("%Y-%m-%d").to_string(),
            status,
            matched,
        });
    }
    report.waivers = outcomes;
    resum(report);
    Ok(())
}

/// The calendar day (UTC) of an RFC 3339 report time.
fn report_date(generated_at: &str) -> Result<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(generated_at)
        .map(|t| t.with_timezone(&chrono::Utc).date_naive())
        .map_err(|e| Error::Internal(format!("report time `{generated_at}` is not RFC 3339: {e}")))
}

/// Marks the findings `waiver` covers; returns how many. A finding already
/// covered by an earlier waiver stays with it; errors (checks that could
/// not run) are never waived: a waiver accepts a known break, not an
/// unknown state.
fn cover_findings(findings: &mut [Finding], waiver: &Waiver) -> u64 {
    let mut matched = 0;
    for finding in findings.iter_mut() {
        if finding.requirement != waiver.requirement
            || finding.waiver.is_some()
            || !waiver.subject.as_ref().is_none_or(|s| s.matches(finding))
        {
            continue;
        }
        let mut covered = false;
        for verdict in finding.verdicts.values_mut() {
            if matches!(verdict, Verdict::Fail | Verdict::Warn) {
                *verdict = Verdict::Waived;
                covered = true;
            }
        }
        if covered {
            finding.waiver = Some(waiver.id.clone());
            matched += 1;
        }
    }
    matched
}

/// Moves waived subjects out of the fail or warn counts, then sums
/// requirement verdicts, profile results and the summary again.
fn resum(report: &mut Report) {
    for profile in &mut report.profiles {
        for result in &mut profile.results {
            let of_requirement: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.requirement == result.requirement)
                .filter(|f| f.verdicts.contains_key(&profile.id))
                .collect();
            let waived: Vec<&&Finding> = of_requirement
                .iter()
                .filter(|f| f.verdicts.get(&profile.id) == Some(&Verdict::Waived))
                .collect();
            if waived.is_empty() {
                continue;
            }
            let broken = match result.level {
                Level::Must => &mut result.counts.fail,
                Level::Should | Level::May => &mut result.counts.warn,
            };
            let moved = if waived.len() == of_requirement.len() {
                *broken
            } else {
                (subjects(waived.iter().map(|f| **f)) as u64).min(*broken)
            };
            *broken -= moved;
            result.counts.waived += moved;
            result.verdict = result.counts.verdict();
        }
        profile.met = ProfileResult::meets(&profile.results);
    }
    let summary = &mut report.summary;
    summary.waived = report
        .findings
        .iter()
        .filter(|f| f.waiver.is_some())
        .count() as u64;
    summary.expired_waivers = report
        .waivers
        .iter()
        .filter(|w| w.status == WaiverStatus::Expired)
        .count() as u64;
    summary.met = report.profiles.iter().all(|p| p.met) && summary.expired_waivers == 0;
}

/// Distinct subjects among `findings`: a record is (file, record, line);
/// a finding that names no record is its own subject.
fn subjects<'f>(findings: impl Iterator<Item = &'f Finding>) -> usize {
    let mut seen = BTreeSet::new();
    let mut loose = 0;
    for finding in findings {
        let l = &finding.location;
        if l.file.is_none() && l.record.is_none() && l.line.is_none() {
            loose += 1;
        } else {
            seen.insert((l.file.clone(), l.record, l.line));
        }
    }
    seen.len() + loose
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::Location;

    fn finding(file: &str) -> Finding {
        Finding {
            requirement: "R".to_owned(),
            verdicts: BTreeMap::from([("p".to_owned(), Verdict::Fail)]),
            location: Location {
                file: Some(file.to_owned()),
                ..Location::default()
            },
            message: "m".to_owned(),
            evidence: None,
            clauses: Vec::new(),
            readings: BTreeMap::new(),
            conflicts: Vec::new(),
            waiver: None,
        }
    }

    use std::collections::BTreeMap;

    #[test]
    fn subjects_resolve_against_the_configuration_folder() {
        let cases = [
            ("", "legacy/*.json", "legacy/a.json", true),
            (".", "legacy/*.json", "./legacy/a.json", true),
            (".", "legacy/*.json", "legacy/a.json", true),
            ("repo", "legacy/*.json", "repo/legacy/a.json", true),
            ("repo", "legacy/*.json", "legacy/a.json", false),
            ("re[po]", "legacy/*.json", "re[po]/legacy/a.json", true),
            ("", "legacy/*.json", "legacy/deeper/a.json", false),
            ("", "legacy/**/*.json", "legacy/deeper/a.json", true),
            (
                "repo",
                "https://staging.example.org/*",
                "https://staging.example.org/v1",
                true,
            ),
        ];
        for (base, written, file, expected) in cases {
            let pattern = SubjectPattern::new(written, Path::new(base)).expect("valid glob");
            assert_eq!(
                pattern.matches(&finding(file)),
                expected,
                "{base} {written} {file}"
            );
        }
        assert!(SubjectPattern::new("a/[b", Path::new("")).is_err());
    }

    #[test]
    fn errors_are_never_waived_and_earlier_waivers_keep_their_findings() {
        let waiver = |id: &str| Waiver {
            id: id.to_owned(),
            requirement: "R".to_owned(),
            subject: None,
            justification: "j".to_owned(),
            approved_by: "a".to_owned(),
            expires: NaiveDate::from_ymd_opt(2030, 1, 1).expect("date"),
        };
        let mut findings = vec![finding("a.json"), finding("b.json")];
        findings[1].verdicts.insert("p".to_owned(), Verdict::Error);
        assert_eq!(cover_findings(&mut findings, &waiver("W1")), 1);
        assert_eq!(findings[0].waiver.as_deref(), Some("W1"));
        assert_eq!(findings[1].verdicts["p"], Verdict::Error);
        assert_eq!(findings[1].waiver, None);
        assert_eq!(
            cover_findings(&mut findings, &waiver("W2")),
            0,
            "W1 keeps its finding"
        );
    }
}
