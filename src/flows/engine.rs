//! Judging a declaration: the flow plan (each selected data-flow
//! requirement's check built once per distinct parameters, shared between
//! profiles), then every flow against every profile, summed by the one
//! tally, with the family's own extra: a matrix of flows by profile and by
//! pair of profiles.

use super::checks::{self, FlowCheck};
use crate::catalog::{Catalogue, Level};
use crate::dates::Day;
use crate::declaration::{Declaration, Flow};
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
    let regions = regions(plan);
    let mut rows = Vec::with_capacity(declaration.flows.len());
    for (f, flow) in declaration.flows.iter().enumerate() {
        let readings: Vec<Option<String>> = regions.iter().map(|r| reading(r, flow)).collect();
        let location = flow_location(declaration, f, "");
        if flow.per_region() {
            // Each profile judges the flow with its own region's basis, so
            // a check shared between profiles runs once per profile.
            let outcomes: Vec<Vec<Outcome>> = plan
                .profiles
                .iter()
                .map(|profile| {
                    let own = flow.for_profile(&profile.id);
                    profile
                        .entries
                        .iter()
                        .map(|e| {
                            plan.instances[e.instance].check.run_on(
                                &own,
                                declaration,
                                today.as_deref(),
                            )
                        })
                        .collect()
                })
                .collect();
            let table: Vec<Vec<&Outcome>> = outcomes.iter().map(|o| o.iter().collect()).collect();
            rows.push(matrix_row(
                plan,
                declaration,
                f,
                blockers(plan, &table, &readings),
                &readings,
            ));
            tally.subject_per_profile(&location, outcomes);
        } else {
            let outcomes: Vec<Outcome> = plan
                .instances
                .iter()
                .map(|instance| instance.check.run_on(flow, declaration, today.as_deref()))
                .collect();
            let table: Vec<Vec<&Outcome>> = plan
                .profiles
                .iter()
                .map(|p| p.entries.iter().map(|e| &outcomes[e.instance]).collect())
                .collect();
            rows.push(matrix_row(
                plan,
                declaration,
                f,
                blockers(plan, &table, &readings),
                &readings,
            ));
            tally.subject_all(&location, outcomes, false);
        }
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
    label_readings(&mut report, plan, declaration, &regions);
    report.matrices.push(Matrix {
        declaration: declaration.file.clone(),
        profiles: plan.profiles.iter().map(|p| p.id.clone()).collect(),
        standards: plan.conflicts.clone(),
        flows: rows,
    });
    report
}

/// The region a profile reads flows as their own: the countries of its
/// transfer rule (`domestic`) and the name it goes by (its
/// jurisdictions). `None` for a profile that is no region's reading (no
/// transfer rule, or one whose region is the flow's own country).
struct Region<'p> {
    countries: &'p [String],
    name: String,
}

fn regions(plan: &FlowPlan) -> Vec<Option<Region<'_>>> {
    plan.profiles
        .iter()
        .map(|profile| {
            let countries = profile.entries.iter().find_map(|entry| {
                match &plan.instances[entry.instance].check {
                    FlowCheck::Transfer(rule) if !rule.domestic.is_empty() => {
                        Some(rule.domestic.as_slice())
                    }
                    _ => None,
                }
            })?;
            let name = if profile.jurisdictions.is_empty() {
                profile.id.clone()
            } else {
                profile.jurisdictions.join(", ")
            };
            Some(Region { countries, name })
        })
        .collect()
}

/// What a profile assumes when `flow` starts outside its region: it
/// judges the flow as if it started inside, and the verdict says so.
fn reading(region: &Option<Region<'_>>, flow: &Flow) -> Option<String> {
    let region = region.as_ref()?;
    let source = flow.source_jurisdiction.as_str();
    (!region.countries.iter().any(|c| c == source)).then(|| {
        format!(
            "read as if the flow started in {}; it starts in {source}",
            region.name
        )
    })
}

/// Every finding of a flow read hypothetically by one of its profiles
/// names that reading, in every format.
fn label_readings(
    report: &mut Report,
    plan: &FlowPlan,
    declaration: &Declaration,
    regions: &[Option<Region<'_>>],
) {
    for finding in &mut report.findings {
        let Some(flow) = finding
            .location
            .record
            .and_then(|r| declaration.flows.get(r.saturating_sub(1) as usize))
        else {
            continue;
        };
        for (profile, region) in plan.profiles.iter().zip(regions) {
            if !finding.verdicts.contains_key(&profile.id) {
                continue;
            }
            if let Some(text) = reading(region, flow) {
                finding.readings.insert(profile.id.clone(), text);
            }
        }
    }
}

/// Per profile, the MUST findings that keep one flow from meeting it;
/// `outcomes` holds each profile's outcome per entry.
fn blockers(
    plan: &FlowPlan,
    outcomes: &[Vec<&Outcome>],
    readings: &[Option<String>],
) -> Vec<Vec<Blocker>> {
    plan.profiles
        .iter()
        .zip(outcomes)
        .zip(readings)
        .map(|((profile, outcomes), reading)| {
            profile
                .entries
                .iter()
                .zip(outcomes)
                .filter(|(entry, outcome)| {
                    outcome_verdict(outcome, entry.level).fails_profile(entry.level)
                })
                .flat_map(|(entry, outcome)| {
                    messages(outcome).into_iter().map(|message| Blocker {
                        profile: profile.id.clone(),
                        requirement: entry.requirement.clone(),
                        message,
                        clauses: entry.clauses.clone(),
                        reading: reading.clone(),
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
    readings: &[Option<String>],
) -> MatrixRow {
    let met: Vec<ProfileCell> = plan
        .profiles
        .iter()
        .zip(&blockers)
        .zip(readings)
        .map(|((p, b), reading)| ProfileCell {
            profile: p.id.clone(),
            met: b.is_empty(),
            reading: reading.clone(),
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
