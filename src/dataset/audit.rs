//! The dataset plan (which dataset requirements the selected profiles ask
//! for, each check built once per distinct parameters) and the audit that
//! runs it: one pass over the data, the metrics once, every check on them,
//! and the report.

use std::path::PathBuf;

use super::checks::{DatasetCheck, DatasetView, KINDS};
use super::descriptor::{Descriptor, Role, ValueType};
use super::metrics::Metrics;
use super::scan::{self, Scan};
use super::summary::Summary;
use crate::catalog::Catalogue;
use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Confidence, Detectors, IdentifierKind};
use crate::engine::{Outcome, Plain, Plan, Progress, Selection, Tally};
use crate::error::Result;
use crate::model::{ColumnSummary, Command, DatasetSummary, InputSummary, Location, Report};
use std::sync::Arc;

/// The plan of a dataset audit.
pub type DatasetPlan = Plan<DatasetCheck>;

/// Builds the dataset plan for `selection`. Fails before any data is read
/// on a wrong profile, requirement or parameter.
pub fn plan(catalogue: &Catalogue, selection: Selection<'_>) -> Result<DatasetPlan> {
    let definitions = Arc::new(Definitions::from_catalogue(catalogue)?);
    Plan::build(catalogue, selection, "dataset", None, |kind, params| {
        KINDS
            .contains(&kind)
            .then(|| DatasetCheck::build(kind, params, &definitions))
    })
}

/// The detector definitions the plan's checks were built with (the
/// embedded ones when no check scans for identifiers).
pub(super) fn definitions(plan: &DatasetPlan) -> Arc<Definitions> {
    plan.instances
        .iter()
        .find_map(|i| i.check.definitions())
        .cloned()
        .unwrap_or_else(|| Arc::new(Definitions::embedded().clone()))
}

/// Every identifier kind some check of `plan` scans for, for the one pass.
pub(super) fn identifier_kinds(plan: &DatasetPlan) -> Vec<IdentifierKind> {
    let mut kinds: Vec<IdentifierKind> = plan
        .instances
        .iter()
        .flat_map(|i| i.check.identifier_kinds().iter().copied())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// What to audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The dataset.
    pub path: PathBuf,
    /// The report time, RFC 3339.
    pub generated_at: String,
    /// The run's waivers, applied while counting.
    pub waivers: Option<std::sync::Arc<crate::waiver::Waivers>>,
}

/// Audits one dataset: summarises it in one pass ([`summarise`]) and
/// judges the summary ([`judge`]).
pub fn audit(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    options: &AuditOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let detectors = detectors(plan)?;
    let summary = scan::summarise(&options.path, descriptor, &detectors, progress)?;
    judge(plan, descriptor, summary, options)
}

/// The detectors of every identifier kind some check of `plan` scans
/// for: what a producer needs to summarise a dataset for `plan`.
pub fn detectors(plan: &DatasetPlan) -> Result<Detectors> {
    Detectors::from_definitions(
        &definitions(plan),
        &identifier_kinds(plan),
        Confidence::Medium,
    )
    .map_err(|e| crate::error::Error::Internal(e.to_string()))
}

/// Summarises the dataset at `path` for `plan` (one producer's pass).
pub fn summarise(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    path: &std::path::Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    scan::summarise(path, descriptor, &detectors(plan)?, progress)
}

/// Judges a summary: the metrics once, every check of `plan` on them,
/// the outcomes summed into a report. Whatever produced the summary, and
/// however it was split and merged, the same summary gives the same
/// report.
pub fn judge(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    summary: Summary,
    options: &AuditOptions,
) -> Result<Report> {
    let scan = summary.finish()?;
    let metrics = Metrics::compute(&scan.table);
    let view = DatasetView {
        scan: &scan,
        metrics: &metrics,
        sentinel: descriptor.sentinel,
    };
    // On every core: with a class for nearly every row, the checks that
    // walk every class (t-closeness, diversity) are a large part of judging.
    let outcomes: Vec<Outcome> = {
        use rayon::prelude::*;
        plan.instances
            .par_iter()
            .map(|i| i.check.run(view))
            .collect()
    };
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
    let location = Location {
        file: Some(file.clone()),
        ..Location::default()
    };
    // The dataset is one subject; its findings are listed by requirement.
    let mut outcomes: Vec<(usize, Outcome)> = outcomes.into_iter().enumerate().collect();
    outcomes.sort_by(|(a, _), (b, _)| {
        plan.instances[*a]
            .requirement
            .cmp(&plan.instances[*b].requirement)
    });
    let mut tally = Tally::new(plan, &Plain).with_waivers(options.waivers.as_deref());
    tally.subject(&location, outcomes, None, false);
    let mut report = tally.into_report(
        Command::Dataset,
        options.generated_at.clone(),
        vec![InputSummary {
            path: file,
            format: scan.format.into(),
            records: scan.rows,
        }],
    );
    report.datasets.push(summary(scan, metrics, descriptor));
    report
}

fn summary(scan: &Scan, metrics: &Metrics, descriptor: &Descriptor) -> DatasetSummary {
    let has_quasi = !scan.table.quasi_identifiers.is_empty();
    DatasetSummary {
        input: scan.path.clone(),
        roles_from: descriptor.source.clone(),
        rows: scan.rows,
        columns: scan
            .columns
            .iter()
            .map(|c| ColumnSummary {
                // A column name is the data's own text (a CSV header, an
                // NDJSON key): no control character of it reaches a report.
                name: crate::engine::tally::escape_controls(&c.column.name, false),
                role: c.column.role.into(),
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
        pycanon_l_entropy: metrics.pycanon_l_entropy.filter(|_| has_quasi),
        pycanon_recursive_c_l: metrics.pycanon_recursive_c_l.filter(|_| has_quasi),
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
