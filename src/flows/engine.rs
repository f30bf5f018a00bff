//! Judging a declaration: the flow plan (each selected data-flow
//! requirement's check built once per distinct parameters, shared between
//! profiles), then every flow against every profile, summed by the one
//! tally, with the family's own extra: a matrix of flows by profile and by
//! pair of profiles.

use super::checks::{self, FlowCheck};
use crate::catalog::{Catalogue, Level};
use crate::dates::Day;
use crate::declaration::Declaration;
use crate::engine::{Locator, Outcome, Plan, Selection, Tally};
use crate::error::Result;
use crate::model::{
    Blocker, Command, InputFormat, InputSummary, Location, Matrix, MatrixRow, PairResult,
    ProfileCell, Report, Verdict,
};
use crate::waiver::Waivers;

/// The plan of a declaration run.
pub type FlowPlan = Plan<FlowCheck>;

/// The data-flow requirements of `profile_ids`, built with the
/// catalogue's lists (the same the report shows the parameters with).
/// Fails before any flow is judged when a profile, list or parameter is
/// wrong.
pub fn plan(catalogue: &Catalogue, profile_ids: &[String], as_of: Day) -> Result<FlowPlan> {
    let lists = catalogue.lists().on(as_of);
    let selection = Selection {
        profiles: profile_ids,
        only: &[],
        as_of,
    };
    Plan::build(
        catalogue,
        selection,
        "data-flow",
        Some("lists are in suites/lists/ (`@id`)"),
        |kind, params| {
            checks::KINDS
                .contains(&kind)
                .then(|| FlowCheck::build(kind, params, &lists))
        },
    )
}

/// Places findings at the declaration's fields: a flow's pointer below
/// `/flows/N`, with the line it stands on.
struct FlowLocator<'a>(&'a Declaration);

impl Locator for FlowLocator<'_> {
    fn place(&self, subject: &Location, pointer: &str) -> Location {
        let f = subject.record.unwrap_or(1).saturating_sub(1) as usize;
        flow_location(self.0, f, pointer)
    }
}

/// Judges every flow of `declaration` under `plan`: one verdict table per
/// profile (subjects are flows), findings located at the flow's fields,
/// and the matrix.
///
/// The plan's evaluation date (`--as-of`, else the day of the report
/// time) is the day certifications are judged valid on, as it is the day
/// the lists were taken in force on.
pub fn judge(
    plan: &FlowPlan,
    declaration: &Declaration,
    generated_at: String,
    waivers: Option<&Waivers>,
) -> Report {
    let today = Some(plan.law.as_of.clone());
    let locator = FlowLocator(declaration);
    let mut tally = Tally::new(plan, &locator).with_waivers(waivers);
    let mut rows = Vec::with_capacity(declaration.flows.len());
    for (f, flow) in declaration.flows.iter().enumerate() {
        let outcomes: Vec<Outcome> = plan
            .instances
            .iter()
            .map(|instance| instance.check.run_on(flow, declaration, today.as_deref()))
            .collect();
        rows.push(matrix_row(plan, declaration, f, blockers(plan, &outcomes)));
        tally.subject_all(&flow_location(declaration, f, ""), outcomes, false);
    }
    let format = if declaration.file.ends_with(".toml") {
        InputFormat::Toml
    } else {
        InputFormat::Json
    };
    let inputs = vec![InputSummary {
        path: declaration.file.clone(),
        format,
        records: declaration.flows.len() as u64,
    }];
    let mut report = tally.into_report(Command::Flows, generated_at, inputs);
    report.matrices.push(Matrix {
        declaration: declaration.file.clone(),
        profiles: plan.profiles.iter().map(|p| p.id.clone()).collect(),
        flows: rows,
    });
    report
}

/// Per profile, the MUST findings that keep one flow from meeting it.
fn blockers(plan: &FlowPlan, outcomes: &[Outcome]) -> Vec<Vec<Blocker>> {
    plan.profiles
        .iter()
        .map(|profile| {
            profile
                .entries
                .iter()
                .filter(|entry| {
                    outcome_verdict(&outcomes[entry.instance], entry.level)
                        .fails_profile(entry.level)
                })
                .flat_map(|entry| {
                    messages(&outcomes[entry.instance])
                        .into_iter()
                        .map(|message| Blocker {
                            profile: profile.id.clone(),
                            requirement: entry.requirement.clone(),
                            message,
                        })
                })
                .collect()
        })
        .collect()
}

/// What an outcome means for a requirement of `level`.
fn outcome_verdict(outcome: &Outcome, level: Level) -> Verdict {
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
