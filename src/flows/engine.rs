//! Judging a declaration: the flow plan (each selected data-flow
//! requirement's check built once per distinct parameters, shared between
//! profiles), then every flow against every profile, summed into the one
//! result model with a matrix of flows by profile and by pair of profiles.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::checks::{self, FlowCheck};
use super::declaration::Declaration;
use super::lists::Lists;
use crate::catalog::{Catalogue, Level};
use crate::checks::Outcome;
use crate::error::{Error, Result};
use crate::model::{
    Blocker, Counts, Finding, InputSummary, Location, Matrix, MatrixRow, PairResult, ProfileCell,
    ProfileResult, REPORT_SCHEMA_VERSION, Report, RequirementInfo, RequirementResult, Summary,
    Tool, Verdict,
};
use crate::run::plan::{requirement_infos, select_entries};

/// One built flow check, shared by every profile whose parameters match.
#[derive(Debug)]
struct Instance {
    requirement: String,
    params: Map<String, Value>,
    check: FlowCheck,
}

/// A profile's selected data-flow requirements.
#[derive(Debug)]
struct ProfilePlan {
    id: String,
    title: String,
    entries: Vec<(String, Level, usize)>,
}

/// What a declaration run checks.
#[derive(Debug)]
pub struct FlowPlan {
    instances: Vec<Instance>,
    profiles: Vec<ProfilePlan>,
    requirements: Vec<RequirementInfo>,
}

impl FlowPlan {
    /// The data-flow requirements of `profile_ids`, built. Fails before any
    /// flow is judged when a profile, list or parameter is wrong.
    pub fn build(catalogue: &Catalogue, lists: &Lists, profile_ids: &[String]) -> Result<Self> {
        if profile_ids.is_empty() {
            return Err(Error::Usage("no profile selected".to_owned()));
        }
        let resolved = profile_ids
            .iter()
            .map(|id| catalogue.resolve(id))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = FlowPlan {
            instances: Vec::new(),
            profiles: Vec::new(),
            requirements: Vec::new(),
        };
        let mut problems = Vec::new();
        let entries = select_entries(
            catalogue,
            &resolved,
            &[],
            Some("lists are in suites/lists/ (`@id`)"),
            &mut problems,
            |selection, kind| {
                checks::KINDS.contains(&kind).then(|| {
                    plan.instance_for(&selection.id, kind, &selection.params, lists)
                        .map(|i| (selection.id.clone(), selection.level, i))
                })
            },
        )?;
        plan.profiles = resolved
            .iter()
            .zip(entries)
            .map(|(profile, entries)| ProfilePlan {
                id: profile.id.clone(),
                title: profile.title.clone(),
                entries,
            })
            .collect();
        Error::unless_problems(problems)?;
        if plan.instances.is_empty() {
            return Err(Error::Usage(
                "the selected profiles include no data-flow requirement; nothing to check"
                    .to_owned(),
            ));
        }
        plan.requirements = requirement_infos(
            catalogue,
            &resolved,
            plan.instances.iter().map(|i| i.requirement.as_str()),
        )?;
        Ok(plan)
    }

    fn instance_for(
        &mut self,
        requirement: &str,
        kind: &str,
        params: &Map<String, Value>,
        lists: &Lists,
    ) -> std::result::Result<usize, String> {
        if let Some(i) = self
            .instances
            .iter()
            .position(|x| x.requirement == requirement && &x.params == params)
        {
            return Ok(i);
        }
        let check = FlowCheck::build(kind, params, lists)?;
        self.instances.push(Instance {
            requirement: requirement.to_owned(),
            params: params.clone(),
            check,
        });
        Ok(self.instances.len() - 1)
    }
}

/// Judges every flow of `declaration` under `plan`: one verdict table per
/// profile (subjects are flows), findings located at the flow's fields,
/// and the matrix.
///
/// The report date (`generated_at`, pinned by `SOURCE_DATE_EPOCH`) is the
/// day certifications are judged valid on.
pub fn judge(plan: &FlowPlan, declaration: &Declaration, generated_at: String) -> Report {
    let today = report_day(&generated_at);
    let mut tally = Tally::new(plan, declaration);
    for (f, flow) in declaration.flows.iter().enumerate() {
        let outcomes: Vec<Outcome> = plan
            .instances
            .iter()
            .map(|instance| instance.check.run_on(flow, declaration, today.as_deref()))
            .collect();
        tally.add_flow(f, &outcomes);
    }
    tally.into_report(generated_at)
}

/// Running totals of one declaration run.
struct Tally<'a> {
    plan: &'a FlowPlan,
    declaration: &'a Declaration,
    counts: Vec<Vec<Counts>>,
    reasons: Vec<Vec<Option<String>>>,
    findings: Vec<Finding>,
    rows: Vec<MatrixRow>,
}

impl<'a> Tally<'a> {
    fn new(plan: &'a FlowPlan, declaration: &'a Declaration) -> Self {
        Tally {
            plan,
            declaration,
            counts: plan
                .profiles
                .iter()
                .map(|p| vec![Counts::default(); p.entries.len()])
                .collect(),
            reasons: plan
                .profiles
                .iter()
                .map(|p| vec![None; p.entries.len()])
                .collect(),
            findings: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Adds flow `f`'s outcomes (one per plan instance): counts, findings,
    /// and its matrix row with what blocks each profile.
    fn add_flow(&mut self, f: usize, outcomes: &[Outcome]) {
        let first = self.findings.len();
        let mut blockers: Vec<Vec<Blocker>> = vec![Vec::new(); self.plan.profiles.len()];
        for (p, profile) in self.plan.profiles.iter().enumerate() {
            for (e, (requirement, level, instance)) in profile.entries.iter().enumerate() {
                let outcome = &outcomes[*instance];
                let verdict = verdict_of(outcome, *level);
                self.counts[p][e].add(verdict);
                if let Outcome::NotApplicable(reason) | Outcome::Error(reason) = outcome {
                    self.reasons[p][e].get_or_insert_with(|| reason.clone());
                }
                if verdict.fails_profile(*level) {
                    blockers[p].extend(messages(outcome).into_iter().map(|message| Blocker {
                        profile: profile.id.clone(),
                        requirement: requirement.clone(),
                        message,
                    }));
                }
                push_findings(
                    &mut self.findings,
                    self.declaration,
                    f,
                    requirement,
                    &profile.id,
                    verdict,
                    outcome,
                );
            }
        }
        merge_identical(&mut self.findings, first);
        self.rows
            .push(matrix_row(self.plan, self.declaration, f, blockers));
    }

    fn into_report(self, generated_at: String) -> Report {
        into_report(
            self.plan,
            self.declaration,
            self.counts,
            self.reasons,
            self.findings,
            self.rows,
            generated_at,
        )
    }
}

/// The `YYYY-MM-DD` day of an RFC 3339 time, if it has one.
fn report_day(generated_at: &str) -> Option<String> {
    let day = generated_at.get(..10)?;
    let shape = day.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    shape.then(|| day.to_owned())
}

/// What an outcome means for a requirement of `level`.
fn verdict_of(outcome: &Outcome, level: Level) -> Verdict {
    match outcome {
        Outcome::Pass => Verdict::Pass,
        Outcome::NotApplicable(_) => Verdict::Skip,
        Outcome::Error(_) => Verdict::Error,
        Outcome::Violations(_) => Verdict::for_violation(level),
    }
}

fn messages(outcome: &Outcome) -> Vec<String> {
    match outcome {
        Outcome::Violations(violations) => violations.iter().map(|v| v.message.clone()).collect(),
        Outcome::Error(reason) => vec![reason.clone()],
        _ => Vec::new(),
    }
}

fn flow_location(declaration: &Declaration, f: usize, pointer: &str) -> Location {
    let pointer = format!("/flows/{f}{pointer}");
    Location {
        file: Some(declaration.file.clone()),
        line: declaration.line_of(&pointer).map(|l| l as u64),
        record: Some(f as u64 + 1),
        pointer: Some(pointer),
    }
}

fn push_findings(
    findings: &mut Vec<Finding>,
    declaration: &Declaration,
    f: usize,
    requirement: &str,
    profile: &str,
    verdict: Verdict,
    outcome: &Outcome,
) {
    let verdicts = BTreeMap::from([(profile.to_owned(), verdict)]);
    match outcome {
        Outcome::Violations(violations) => {
            for violation in violations {
                findings.push(Finding {
                    waiver: None,
                    requirement: requirement.to_owned(),
                    verdicts: verdicts.clone(),
                    location: flow_location(declaration, f, &violation.pointer),
                    message: violation.message.clone(),
                    evidence: violation.evidence.clone(),
                });
            }
        }
        Outcome::Error(reason) => findings.push(Finding {
            waiver: None,
            requirement: requirement.to_owned(),
            verdicts,
            location: flow_location(declaration, f, ""),
            message: reason.clone(),
            evidence: None,
        }),
        _ => {}
    }
}

/// The same finding under several profiles becomes one finding with each
/// profile's verdict. Only findings from index `first` on are compared.
fn merge_identical(findings: &mut Vec<Finding>, first: usize) {
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

fn matrix_row(
    plan: &FlowPlan,
    declaration: &Declaration,
    f: usize,
    blockers: Vec<Vec<Blocker>>,
) -> MatrixRow {
    let met: Vec<ProfileCell> = plan
        .profiles
        .iter()
        .zip(&blockers)
        .map(|(p, b)| ProfileCell {
            profile: p.id.clone(),
            met: b.is_empty(),
        })
        .collect();
    let mut pairs = Vec::new();
    for a in 0..plan.profiles.len() {
        for b in a + 1..plan.profiles.len() {
            let needed: Vec<Blocker> = blockers[a].iter().chain(&blockers[b]).cloned().collect();
            pairs.push(PairResult {
                left: plan.profiles[a].id.clone(),
                right: plan.profiles[b].id.clone(),
                both: needed.is_empty(),
                needed,
            });
        }
    }
    MatrixRow {
        flow: declaration.flows[f].id.clone(),
        location: flow_location(declaration, f, ""),
        met,
        pairs,
    }
}

fn into_report(
    plan: &FlowPlan,
    declaration: &Declaration,
    counts: Vec<Vec<Counts>>,
    reasons: Vec<Vec<Option<String>>>,
    findings: Vec<Finding>,
    rows: Vec<MatrixRow>,
    generated_at: String,
) -> Report {
    let mut profiles = Vec::new();
    for (p, profile) in plan.profiles.iter().enumerate() {
        let results: Vec<RequirementResult> = profile
            .entries
            .iter()
            .enumerate()
            .map(|(e, (requirement, level, instance))| {
                let c = counts[p][e];
                let verdict = c.verdict();
                RequirementResult {
                    requirement: requirement.clone(),
                    level: *level,
                    verdict,
                    counts: c,
                    params: plan.instances[*instance].params.clone(),
                    reason: match verdict {
                        Verdict::Skip | Verdict::Error => reasons[p][e].clone(),
                        _ => None,
                    },
                }
            })
            .collect();
        let met = ProfileResult::meets(&results);
        profiles.push(ProfileResult {
            id: profile.id.clone(),
            title: profile.title.clone(),
            met,
            results,
        });
    }
    let met = profiles.iter().all(|p| p.met);
    let format = if declaration.file.ends_with(".toml") {
        "toml"
    } else {
        "json"
    };
    Report {
        provenance: None,
        signature: None,
        waivers: Vec::new(),
        dataset: None,
        schema_version: REPORT_SCHEMA_VERSION.to_owned(),
        tool: Tool::current(),
        command: "flows".to_owned(),
        generated_at,
        inputs: vec![InputSummary {
            path: declaration.file.clone(),
            format: format.to_owned(),
            records: declaration.flows.len() as u64,
        }],
        summary: Summary {
            expired_waivers: 0,
            waived: 0,
            subjects: declaration.flows.len() as u64,
            input_errors: 0,
            findings: findings.len() as u64,
            met,
        },
        profiles,
        requirements: plan.requirements.clone(),
        findings,
        matrix: Some(Matrix {
            profiles: plan.profiles.iter().map(|p| p.id.clone()).collect(),
            flows: rows,
        }),
    }
}
