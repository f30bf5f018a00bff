//! The dataset plan (which dataset requirements the selected profiles ask
//! for, each check built once per distinct parameters) and the audit that
//! runs it: one pass over the data, the metrics once, every check on them,
//! and the report.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::descriptor::{Descriptor, Role, ValueType};
use super::metrics::Metrics;
use super::scan::{Scan, scan};
use crate::catalog::Catalogue;
use crate::checks::Outcome;
use crate::checks::dataset::{DatasetCheck, DatasetView, KINDS};
use crate::checks::identifiers::{Detectors, IdentifierKind};
use crate::error::{Error, Result};
use crate::model::{
    ColumnSummary, Counts, DatasetSummary, Finding, InputSummary, Location, ProfileResult,
    REPORT_SCHEMA_VERSION, Report, RequirementInfo, RequirementResult, Summary, Tool, Verdict,
};
use crate::run::plan::{Entry, ProfilePlan, profile_plans, requirement_infos, select_entries};
use crate::run::{Progress, tally::merge_identical};

/// One built dataset check, shared by every profile whose parameters match.
#[derive(Debug)]
pub struct DatasetInstance {
    /// The requirement it decides.
    pub requirement: String,
    /// The parameters it was built with.
    pub params: Map<String, Value>,
    /// The check.
    pub check: DatasetCheck,
}

/// Everything a dataset audit checks.
#[derive(Debug)]
pub struct DatasetPlan {
    /// The distinct checks.
    pub instances: Vec<DatasetInstance>,
    /// One per selected profile, in the order asked for.
    pub profiles: Vec<ProfilePlan>,
    /// The requirements cited, with every profile's regional clauses.
    pub requirements: Vec<RequirementInfo>,
}

impl DatasetPlan {
    /// Builds the dataset plan for `profile_ids`, optionally narrowed to
    /// `only`. Fails before any data is read on a wrong profile,
    /// requirement or parameter.
    pub fn build(catalogue: &Catalogue, profile_ids: &[String], only: &[String]) -> Result<Self> {
        if profile_ids.is_empty() {
            return Err(Error::Usage("no profile selected".to_owned()));
        }
        for id in only {
            catalogue.requirement(id)?;
        }
        let resolved = profile_ids
            .iter()
            .map(|id| catalogue.resolve(id))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = DatasetPlan {
            instances: Vec::new(),
            profiles: Vec::new(),
            requirements: Vec::new(),
        };
        let mut problems = Vec::new();
        let entries = select_entries(
            catalogue,
            &resolved,
            only,
            None,
            &mut problems,
            |selection, kind| {
                // Kinds decided by another command (`validate`, ...) are skipped.
                KINDS.contains(&kind).then(|| {
                    plan.instance_for(&selection.id, kind, &selection.params)
                        .map(|instance| Entry {
                            requirement: selection.id.clone(),
                            level: selection.level,
                            instance,
                        })
                })
            },
        )?;
        plan.profiles = profile_plans(&resolved, entries);
        Error::unless_problems(problems)?;
        if plan.instances.is_empty() {
            return Err(Error::Usage(
                "the selected profiles and requirements include no dataset requirement; nothing to check".to_owned(),
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
    ) -> std::result::Result<usize, String> {
        if let Some(i) = self
            .instances
            .iter()
            .position(|x| x.requirement == requirement && &x.params == params)
        {
            return Ok(i);
        }
        let check = DatasetCheck::build(kind, params)?;
        self.instances.push(DatasetInstance {
            requirement: requirement.to_owned(),
            params: params.clone(),
            check,
        });
        Ok(self.instances.len() - 1)
    }

    /// Every identifier kind some check scans for, for the one pass.
    fn identifier_kinds(&self) -> Vec<IdentifierKind> {
        let mut kinds: Vec<IdentifierKind> = self
            .instances
            .iter()
            .flat_map(|i| i.check.identifier_kinds().iter().copied())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

/// What to audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The dataset.
    pub path: PathBuf,
    /// The report time, RFC 3339.
    pub generated_at: String,
}

/// Audits one dataset: reads it once, computes the metrics once, runs every
/// check of `plan` on them and sums the outcomes into a report.
pub fn audit(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    options: &AuditOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let detectors = Detectors::new(&plan.identifier_kinds());
    let scan = scan(&options.path, descriptor, &detectors, progress)?;
    let metrics = Metrics::compute(&scan.table);
    let view = DatasetView {
        scan: &scan,
        metrics: &metrics,
        sentinel: descriptor.sentinel,
    };
    let outcomes: Vec<Outcome> = plan.instances.iter().map(|i| i.check.run(view)).collect();
    Ok(assemble(
        plan, outcomes, &scan, &metrics, descriptor, options,
    ))
}

fn assemble(
    plan: &DatasetPlan,
    outcomes: Vec<Outcome>,
    scan: &Scan,
    metrics: &Metrics,
    descriptor: &Descriptor,
    options: &AuditOptions,
) -> Report {
    let file = scan.path.clone();
    let mut findings = Vec::new();
    let mut profiles = Vec::new();
    for profile in &plan.profiles {
        let mut results = Vec::new();
        for entry in &profile.entries {
            let outcome = &outcomes[entry.instance];
            let mut counts = Counts::default();
            let (verdict, reason) = match outcome {
                Outcome::Pass => (Verdict::Pass, None),
                Outcome::NotApplicable(reason) => (Verdict::Skip, Some(reason.clone())),
                Outcome::Error(reason) => (Verdict::Error, Some(reason.clone())),
                Outcome::Violations(_) => (Verdict::for_violation(entry.level), None),
            };
            counts.add(verdict);
            results.push(RequirementResult {
                requirement: entry.requirement.clone(),
                level: entry.level,
                verdict,
                counts,
                params: plan.instances[entry.instance].params.clone(),
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
    for (instance, outcome) in outcomes.into_iter().enumerate() {
        let verdicts: BTreeMap<String, Verdict> = plan
            .profiles
            .iter()
            .flat_map(|p| {
                p.entries
                    .iter()
                    .filter(|e| e.instance == instance)
                    .map(|e| (p.id.clone(), Verdict::for_violation(e.level)))
            })
            .collect();
        let requirement = plan.instances[instance].requirement.clone();
        let located = |pointer: String| Location {
            file: Some(file.clone()),
            line: None,
            record: None,
            pointer: Some(pointer),
        };
        match outcome {
            Outcome::Violations(violations) => {
                for violation in violations {
                    findings.push(Finding {
                        waiver: None,
                        requirement: requirement.clone(),
                        verdicts: verdicts.clone(),
                        location: located(violation.pointer),
                        message: violation.message,
                        evidence: violation.evidence,
                    });
                }
            }
            Outcome::Error(reason) => findings.push(Finding {
                waiver: None,
                requirement: requirement.clone(),
                verdicts: verdicts
                    .keys()
                    .map(|p| (p.clone(), Verdict::Error))
                    .collect(),
                location: located(String::new()),
                message: reason,
                evidence: None,
            }),
            Outcome::Pass | Outcome::NotApplicable(_) => {}
        }
    }
    // Profiles with different thresholds run one requirement as several
    // instances; the same finding from each is shown once.
    findings.sort_by(|a, b| a.requirement.cmp(&b.requirement));
    merge_identical(&mut findings, 0);
    let met = profiles.iter().all(|p| p.met);
    Report {
        provenance: None,
        signature: None,
        waivers: Vec::new(),
        matrix: None,
        schema_version: REPORT_SCHEMA_VERSION.to_owned(),
        tool: Tool::current(),
        command: "dataset".to_owned(),
        generated_at: options.generated_at.clone(),
        inputs: vec![InputSummary {
            path: file,
            format: scan.format.as_str().to_owned(),
            records: scan.rows,
        }],
        profiles,
        requirements: plan.requirements.clone(),
        summary: Summary {
            expired_waivers: 0,
            waived: 0,
            subjects: 1,
            input_errors: 0,
            findings: findings.len() as u64,
            met,
        },
        findings,
        dataset: Some(summary(scan, metrics, descriptor)),
    }
}

fn summary(scan: &Scan, metrics: &Metrics, descriptor: &Descriptor) -> DatasetSummary {
    let has_quasi = !scan.table.quasi_identifiers.is_empty();
    DatasetSummary {
        roles_from: descriptor.source.clone(),
        rows: scan.rows,
        columns: scan
            .columns
            .iter()
            .map(|c| ColumnSummary {
                name: c.column.name.clone(),
                role: c.column.role.as_str().to_owned(),
                value_type: matches!(c.column.role, Role::QuasiIdentifier | Role::Sensitive)
                    .then(|| type_name(c.column.value_type).to_owned()),
                described: c.described,
                present: c.present,
                distinct: c.values.as_ref().map(|v| v.len() as u64),
            })
            .collect(),
        classes: metrics.classes,
        k: has_quasi.then_some(metrics.k),
        alpha: metrics.alpha.filter(|_| has_quasi),
        l_distinct: metrics.l_distinct.filter(|_| has_quasi),
        l_entropy: metrics.l_entropy.filter(|_| has_quasi),
        l_entropy_exact: metrics.l_entropy_exact.filter(|_| has_quasi),
        recursive_c_l: metrics.recursive_c_l.filter(|_| has_quasi),
        t: metrics.t.filter(|_| has_quasi),
    }
}

fn type_name(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::Categorical => "categorical",
        ValueType::Numeric => "numeric",
        ValueType::Datetime => "datetime",
        ValueType::Coordinate => "coordinate",
    }
}
