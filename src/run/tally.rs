//! Summing outcomes: per-record outcomes of each check instance become
//! counts per (profile, requirement), findings with a verdict per profile,
//! and finally the report.

use std::collections::BTreeMap;

use super::plan::Plan;
use crate::checks::Outcome;
use crate::model::{
    Counts, Finding, InputSummary, Location, ProfileResult, REPORT_SCHEMA_VERSION, Report,
    RequirementResult, Summary, Tool, Verdict,
};

/// Running totals of one run.
#[derive(Debug)]
pub(crate) struct Tally<'p> {
    plan: &'p Plan,
    users: Vec<Vec<(usize, usize)>>,
    counts: Vec<Vec<Counts>>,
    reasons: Vec<Vec<Option<String>>>,
    findings: Vec<Finding>,
    subjects: u64,
    input_errors: u64,
}

impl<'p> Tally<'p> {
    pub(crate) fn new(plan: &'p Plan) -> Self {
        let counts = plan
            .profiles
            .iter()
            .map(|p| vec![Counts::default(); p.entries.len()])
            .collect();
        let reasons = plan
            .profiles
            .iter()
            .map(|p| vec![None; p.entries.len()])
            .collect();
        Tally {
            plan,
            users: plan.users(),
            counts,
            reasons,
            findings: Vec::new(),
            subjects: 0,
            input_errors: 0,
        }
    }

    /// Adds one subject's outcomes (one per plan instance, in order).
    /// `input_error` marks a subject that could not be checked at all.
    pub(crate) fn add(&mut self, location: &Location, outcomes: Vec<Outcome>, input_error: bool) {
        self.subjects += 1;
        if input_error {
            self.input_errors += 1;
        }
        let first = self.findings.len();
        for (instance, outcome) in outcomes.into_iter().enumerate() {
            self.add_outcome(instance, location, outcome);
        }
        merge_identical(&mut self.findings, first);
    }

    fn add_outcome(&mut self, instance: usize, location: &Location, outcome: Outcome) {
        let users = &self.users[instance];
        match outcome {
            Outcome::Pass => {
                for &(p, e) in users {
                    self.counts[p][e].add(Verdict::Pass);
                }
            }
            Outcome::NotApplicable(reason) => {
                for &(p, e) in users {
                    self.counts[p][e].add(Verdict::Skip);
                    self.reasons[p][e].get_or_insert_with(|| reason.clone());
                }
            }
            Outcome::Error(reason) => {
                let verdicts = self.verdicts_for(instance, |_| Verdict::Error);
                for &(p, e) in users {
                    self.counts[p][e].add(Verdict::Error);
                    self.reasons[p][e].get_or_insert_with(|| reason.clone());
                }
                self.push_finding(instance, verdicts, location.clone(), reason, None);
            }
            Outcome::Violations(violations) => {
                let verdicts = self.verdicts_for(instance, Verdict::for_violation);
                for &(p, e) in users {
                    self.counts[p][e].add(Verdict::for_violation(
                        self.plan.profiles[p].entries[e].level,
                    ));
                }
                for violation in violations {
                    let mut at = location.clone();
                    at.pointer = Some(violation.pointer);
                    self.push_finding(
                        instance,
                        verdicts.clone(),
                        at,
                        violation.message,
                        violation.evidence,
                    );
                }
            }
        }
    }

    fn verdicts_for(
        &self,
        instance: usize,
        verdict: impl Fn(crate::catalog::Level) -> Verdict,
    ) -> BTreeMap<String, Verdict> {
        self.users[instance]
            .iter()
            .map(|&(p, e)| {
                let profile = &self.plan.profiles[p];
                (profile.id.clone(), verdict(profile.entries[e].level))
            })
            .collect()
    }

    fn push_finding(
        &mut self,
        instance: usize,
        verdicts: BTreeMap<String, Verdict>,
        location: Location,
        message: String,
        evidence: Option<serde_json::Value>,
    ) {
        let requirement = self.plan.instances[instance].requirement.clone();
        self.findings.push(Finding {
            requirement,
            verdicts,
            location,
            message,
            evidence,
            waiver: None,
        });
    }

    /// The report these totals add up to.
    pub(crate) fn into_report(
        self,
        command: &str,
        generated_at: String,
        inputs: Vec<InputSummary>,
    ) -> Report {
        let mut profiles = Vec::new();
        for (p, profile) in self.plan.profiles.iter().enumerate() {
            let mut results = Vec::new();
            for (e, entry) in profile.entries.iter().enumerate() {
                let counts = self.counts[p][e];
                let verdict = counts.verdict();
                let reason = match verdict {
                    Verdict::Skip if counts.total() == 0 => {
                        Some("no subject was checked".to_owned())
                    }
                    Verdict::Skip | Verdict::Error => self.reasons[p][e].clone(),
                    _ => None,
                };
                results.push(RequirementResult {
                    requirement: entry.requirement.clone(),
                    level: entry.level,
                    verdict,
                    counts,
                    params: self.plan.instances[entry.instance].params.clone(),
                    reason,
                });
            }
            let met = ProfileResult::meets(&results);
            profiles.push(ProfileResult {
                id: profile.id.clone(),
                title: profile.title.clone(),
                met,
                results,
            });
        }
        let met = profiles.iter().all(|p| p.met);
        let summary = Summary {
            subjects: self.subjects,
            input_errors: self.input_errors,
            findings: self.findings.len() as u64,
            met,
            waived: 0,
            expired_waivers: 0,
        };
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_owned(),
            tool: Tool::current(),
            command: command.to_owned(),
            generated_at,
            inputs,
            profiles,
            requirements: self.plan.requirements.clone(),
            findings: self.findings,
            summary,
            dataset: None,
            matrix: None,
            waivers: Vec::new(),
            provenance: None,
            signature: None,
        }
    }
}

/// Profiles with different parameters for one requirement run it as
/// different instances; when those find the same thing in the same place,
/// the user sees one finding with every profile's verdict. Only the
/// findings from index `first` on (one record's) are compared.
pub(crate) fn merge_identical(findings: &mut Vec<Finding>, first: usize) {
    let mut i = first + 1;
    while i < findings.len() {
        let same = (first..i).find(|&j| {
            let (a, b) = (&findings[j], &findings[i]);
            a.requirement == b.requirement && a.location == b.location && a.message == b.message
        });
        match same {
            Some(j) => {
                let duplicate = findings.remove(i);
                findings[j].verdicts.extend(duplicate.verdicts);
            }
            None => i += 1,
        }
    }
}
