//! Checks on a whole dataset: direct identifiers (by role and by value),
//! k-anonymity, (α,k)-anonymity, l-diversity, t-closeness, coarsening of
//! quasi-identifier columns, and minimum counts of aggregate tables.
//!
//! A check reads the one-pass [`Scan`] and the threshold-free [`Metrics`];
//! it never sees a row. Its messages and evidence hold counts, shares and
//! column names, never a value: a value from a small class is exactly what
//! an anonymization audit must not repeat.

use crate::engine::params;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::dataset::descriptor::{Role, ValueType};
use crate::dataset::metrics::{self, Metrics};
use crate::dataset::scan::{ColumnScan, Scan};
use crate::detect::coarsening;
use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Confidence, Detectors, IdentifierKind};
use crate::engine::{Outcome, ParamError, Violation};
use crate::schema::Granularity;
use std::sync::Arc;

/// The check kinds this module implements, as named in the catalogue.
pub const KINDS: &[&str] = &[
    "dataset-direct-identifiers",
    "dataset-k-anonymity",
    "dataset-alpha-k",
    "dataset-l-diversity",
    "dataset-t-closeness",
    "dataset-coarsening",
    "dataset-aggregate-minimum",
];

/// Quasi-identifier combinations up to this size are tried when looking
/// for the most identifying one (5 columns give 25 combinations).
const MOST_IDENTIFYING_MAX_COLUMNS: usize = 3;

/// What a dataset check reads.
#[derive(Debug, Clone, Copy)]
pub struct DatasetView<'a> {
    /// The pass over the data.
    pub scan: &'a Scan,
    /// The metrics of its class table.
    pub metrics: &'a Metrics,
    /// The suppression sentinel the descriptor declares, if any.
    pub sentinel: Option<i64>,
}

/// A dataset check, built with its parameters.
#[derive(Debug)]
pub enum DatasetCheck {
    /// No direct identifier by role, none detectable by value.
    DirectIdentifiers {
        /// The compiled detectors.
        detectors: Detectors,
        /// The definitions they were compiled from, for the one pass.
        definitions: Arc<Definitions>,
        /// Their kinds.
        kinds: Vec<IdentifierKind>,
        /// Columns not scanned by value.
        ignore_columns: Vec<String>,
    },
    /// Every class has at least `k` records.
    KAnonymity {
        /// Minimum class size.
        k: u64,
    },
    /// k-anonymity, and no sensitive value above `alpha` of a class.
    AlphaK {
        /// Largest share of one sensitive value in a class.
        alpha: f64,
        /// Minimum class size.
        k: u64,
    },
    /// l-diversity: distinct, and optionally entropy and recursive (c,l).
    LDiversity {
        /// Fewest distinct sensitive values per class.
        l: u64,
        /// Entropy l: every class's entropy at least `ln entropy_l`.
        entropy_l: Option<f64>,
        /// Recursive (c,l): `r₁ < c·(r_l + … + r_m)` in every class.
        c: Option<f64>,
    },
    /// No class farther than `t` (EMD) from the whole table.
    TCloseness {
        /// Largest EMD.
        t: f64,
    },
    /// Quasi-identifier coordinates and timestamps are coarse enough.
    Coarsening {
        /// Most decimals of a coordinate.
        max_decimals: u32,
        /// The time bucket every timestamp falls on.
        granularity: Option<Granularity>,
    },
    /// Every count is at least `k` or the suppression sentinel.
    AggregateMinimum {
        /// Smallest count that may be published.
        k: i64,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentifierParams {
    detectors: Vec<String>,
    #[serde(default)]
    ignore_columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KParams {
    k: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlphaKParams {
    alpha: f64,
    k: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LParams {
    l: u64,
    entropy_l: Option<f64>,
    c: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TParams {
    t: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoarseningParams {
    max_decimals: u32,
    granularity: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateParams {
    k: i64,
}

fn at_least_one(name: &str, value: u64) -> Result<u64, String> {
    if value == 0 {
        Err(format!("`{name}` must be at least 1"))
    } else {
        Ok(value)
    }
}

fn share(name: &str, value: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("`{name}` must lie in [0, 1]"))
    }
}

impl DatasetCheck {
    /// Builds the check `kind` with `raw` parameters; bad parameters fail
    /// here, before any data is read.
    pub fn build(
        kind: &str,
        raw: &Map<String, Value>,
        definitions: &Arc<Definitions>,
    ) -> Result<Self, ParamError> {
        match kind {
            "dataset-direct-identifiers" => {
                let p: IdentifierParams = params(kind, raw)?;
                let kinds = definitions.kinds_named(&p.detectors)?;
                Ok(DatasetCheck::DirectIdentifiers {
                    detectors: Detectors::from_definitions(definitions, &kinds, Confidence::Medium)
                        .map_err(|e| ParamError::new(e.to_string()))?,
                    definitions: Arc::clone(definitions),
                    kinds,
                    ignore_columns: p.ignore_columns,
                })
            }
            "dataset-k-anonymity" => {
                let p: KParams = params(kind, raw)?;
                Ok(DatasetCheck::KAnonymity {
                    k: at_least_one("k", p.k)?,
                })
            }
            "dataset-alpha-k" => {
                let p: AlphaKParams = params(kind, raw)?;
                Ok(DatasetCheck::AlphaK {
                    alpha: share("alpha", p.alpha)?,
                    k: at_least_one("k", p.k)?,
                })
            }
            "dataset-l-diversity" => {
                let p: LParams = params(kind, raw)?;
                if p.entropy_l.is_some_and(|l| !(l >= 1.0 && l.is_finite())) {
                    return Err(ParamError::new("`entropy_l` must be at least 1"));
                }
                if p.c.is_some_and(|c| !(c > 0.0 && c.is_finite())) {
                    return Err(ParamError::new("`c` must be a positive number"));
                }
                Ok(DatasetCheck::LDiversity {
                    l: at_least_one("l", p.l)?,
                    entropy_l: p.entropy_l,
                    c: p.c,
                })
            }
            "dataset-t-closeness" => {
                let p: TParams = params(kind, raw)?;
                Ok(DatasetCheck::TCloseness {
                    t: share("t", p.t)?,
                })
            }
            "dataset-coarsening" => {
                let p: CoarseningParams = params(kind, raw)?;
                let granularity = p
                    .granularity
                    .as_deref()
                    .map(Granularity::parse)
                    .transpose()?;
                Ok(DatasetCheck::Coarsening {
                    max_decimals: p.max_decimals,
                    granularity,
                })
            }
            "dataset-aggregate-minimum" => {
                let p: AggregateParams = params(kind, raw)?;
                if p.k < 1 {
                    return Err(ParamError::new("`k` must be at least 1"));
                }
                Ok(DatasetCheck::AggregateMinimum { k: p.k })
            }
            other => Err(ParamError::new(format!("`{other}` is not a dataset check"))),
        }
    }

    /// The detector definitions this check was built with, if it scans
    /// for identifiers.
    pub(crate) fn definitions(&self) -> Option<&Arc<Definitions>> {
        match self {
            DatasetCheck::DirectIdentifiers { definitions, .. } => Some(definitions),
            _ => None,
        }
    }

    /// The identifier kinds this check scans cell by cell, if any.
    pub fn identifier_kinds(&self) -> &[IdentifierKind] {
        match self {
            DatasetCheck::DirectIdentifiers { kinds, .. } => kinds,
            _ => &[],
        }
    }

    /// Decides the check on one dataset.
    pub fn run(&self, view: DatasetView<'_>) -> Outcome {
        match self {
            DatasetCheck::DirectIdentifiers {
                detectors,
                kinds,
                ignore_columns,
                ..
            } => direct_identifiers(view.scan, detectors, kinds, ignore_columns),
            DatasetCheck::KAnonymity { k } => k_anonymity(view, *k),
            DatasetCheck::AlphaK { alpha, k } => alpha_k(view, *alpha, *k),
            DatasetCheck::LDiversity { l, entropy_l, c } => l_diversity(view, *l, *entropy_l, *c),
            DatasetCheck::TCloseness { t } => t_closeness(view, *t),
            DatasetCheck::Coarsening {
                max_decimals,
                granularity,
            } => coarsening(view.scan, *max_decimals, *granularity),
            DatasetCheck::AggregateMinimum { k } => aggregate_minimum(view, *k),
        }
    }
}

/// The pointer a column-level finding carries.
fn column_pointer(name: &str) -> String {
    if name.starts_with('/') {
        name.to_owned()
    } else {
        format!("/{}", name.replace('~', "~0").replace('/', "~1"))
    }
}

fn rows_word(n: u64) -> &'static str {
    if n == 1 { "row" } else { "rows" }
}

/// "1 class", "3 classes", "1 record", "3 records".
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn classes(n: u64) -> String {
    counted(n, "class", "classes")
}

fn records(n: u64) -> String {
    counted(n, "record", "records")
}

/// "2nd", "3rd", "11th".
fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_owned();
    }
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn direct_identifiers(
    scan: &Scan,
    detectors: &Detectors,
    kinds: &[IdentifierKind],
    ignore_columns: &[String],
) -> Outcome {
    let mut violations = Vec::new();
    for column in scan.with_role(Role::DirectIdentifier) {
        if column.present > 0 {
            violations.push(Violation {
                pointer: column_pointer(&column.column.name),
                message: format!(
                    "column `{}` is a direct identifier and holds a value in {} of {} {}; remove it or replace it with a pseudonym",
                    column.column.name,
                    column.present,
                    scan.rows,
                    rows_word(scan.rows)
                ),
                evidence: Some(json!({
                    "column": column.column.name,
                    "role": Role::DirectIdentifier.as_str(),
                    "rows": column.present,
                })),
            });
        }
    }
    for column in &scan.columns {
        let name = &column.column.name;
        if !ignore_columns.contains(name) {
            violations.extend(name_holds(column, detectors, kinds));
        }
        if column.column.role == Role::DirectIdentifier
            || column.column.role == Role::Count
            || ignore_columns.contains(name)
        {
            continue;
        }
        for (kind, rows) in detections_of(column, detectors, kinds) {
            violations.push(Violation {
                pointer: column_pointer(name),
                message: format!(
                    "column `{name}` holds {} in {rows} {}",
                    detectors.with_article(kind),
                    rows_word(rows)
                ),
                evidence: Some(json!({ "column": name, "kind": kind.as_str(), "rows": rows })),
            });
        }
    }
    Outcome::from_violations(violations)
}

/// A column whose name holds one of `kinds` (a CSV header cell or an
/// NDJSON member name that is an address or a number): the name travels
/// with the data as surely as a value. The name is already its
/// placeholder.
fn name_holds<'c>(
    column: &'c ColumnScan,
    detectors: &'c Detectors,
    kinds: &'c [IdentifierKind],
) -> impl Iterator<Item = Violation> + 'c {
    let name = &column.column.name;
    column
        .name_holds
        .iter()
        .filter(|kind| kinds.contains(kind))
        .map(move |kind| Violation {
            pointer: column_pointer(name),
            message: format!(
                "the name of column `{name}` holds {}; a column name is exchanged with the data",
                detectors.with_article(*kind)
            ),
            evidence: Some(json!({ "column": name, "kind": kind.as_str(), "in": "column name" })),
        })
}

/// Rows of `column` whose value holds each of `kinds`: from the distinct
/// values as written for interned columns, from the producer's counts for
/// the others and for columns a query engine interned as codes.
fn detections_of(
    column: &ColumnScan,
    detectors: &Detectors,
    kinds: &[IdentifierKind],
) -> Vec<(IdentifierKind, u64)> {
    let mut found: std::collections::BTreeMap<IdentifierKind, u64> = Default::default();
    match &column.values {
        Some(_) if !column.coded => {
            for (text, count) in column.written_texts() {
                for detection in detectors.scan_in(Some(&column.column.name), text) {
                    *found.entry(detection.kind).or_insert(0) += count;
                }
            }
        }
        _ => {
            for (kind, &rows) in &column.detections {
                if kinds.contains(kind) {
                    found.insert(*kind, rows);
                }
            }
        }
    }
    found.into_iter().collect()
}

fn no_quasi_identifiers(view: DatasetView<'_>) -> Option<Outcome> {
    view.scan
        .table
        .quasi_identifiers
        .is_empty()
        .then(|| Outcome::NotApplicable("the dataset has no quasi-identifier column".to_owned()))
}

fn no_sensitive(view: DatasetView<'_>) -> Option<Outcome> {
    view.scan
        .table
        .sensitive
        .is_empty()
        .then(|| Outcome::NotApplicable("the dataset has no sensitive column".to_owned()))
}

fn k_anonymity(view: DatasetView<'_>, k: u64) -> Outcome {
    if let Some(outcome) = no_quasi_identifiers(view) {
        return outcome;
    }
    let table = &view.scan.table;
    let found = view.metrics.k;
    if found >= k {
        return Outcome::Pass;
    }
    let below = metrics::below_k(table, k);
    let identifying = metrics::most_identifying(table, k, MOST_IDENTIFYING_MAX_COLUMNS);
    let mut message = format!(
        "k is {found}, below {k}: {} of {} hold fewer than {k} records, {} of {} ({}); suppressing those records would reach k = {k}",
        below.classes,
        classes(view.metrics.classes),
        below.records,
        records(table.rows),
        percent(below.records, table.rows)
    );
    if let Some(combination) = &identifying {
        message.push_str(&format!(
            "; most identifying: `{}` alone leaves {} in classes below {k}",
            combination.columns.join("` + `"),
            records(combination.records_below_k)
        ));
    }
    Outcome::Violations(vec![Violation {
        pointer: String::new(),
        message,
        evidence: Some(json!({
            "k": found,
            "required_k": k,
            "classes": view.metrics.classes,
            "classes_below_k": below.classes,
            "records_below_k": below.records,
            "share_below_k": ratio(below.records, table.rows),
            "suppress_to_reach_k": below.records,
            "most_identifying": identifying,
        })),
    }])
}

fn alpha_k(view: DatasetView<'_>, alpha: f64, k: u64) -> Outcome {
    if let Some(outcome) = no_quasi_identifiers(view).or_else(|| no_sensitive(view)) {
        return outcome;
    }
    let table = &view.scan.table;
    let found_alpha = view.metrics.alpha.unwrap_or(0.0);
    let mut violations = Vec::new();
    if view.metrics.k < k {
        let below = metrics::below_k(table, k);
        violations.push(Violation {
            pointer: String::new(),
            message: format!(
                "k is {}, below {k}: {} in {}",
                view.metrics.k,
                records(below.records),
                classes(below.classes)
            ),
            evidence: Some(
                json!({ "k": view.metrics.k, "required_k": k, "records_below_k": below.records }),
            ),
        });
    }
    if found_alpha > alpha {
        let over = metrics::above_alpha(table, alpha);
        violations.push(Violation {
            pointer: String::new(),
            message: format!(
                "alpha is {}, above {alpha}: in {} ({}, {}) one sensitive value exceeds that share{}",
                round(found_alpha),
                classes(over.classes),
                records(over.records),
                percent(over.records, table.rows),
                if table.sensitive.iter().any(|a| a.missing > 0) {
                    ", counting the records with no recorded value as holding it"
                } else {
                    ""
                }
            ),
            evidence: Some(json!({
                "alpha": found_alpha,
                "required_alpha": alpha,
                "classes_above_alpha": over.classes,
                "records_above_alpha": over.records,
            })),
        });
    }
    Outcome::from_violations(violations)
}

fn l_diversity(view: DatasetView<'_>, l: u64, entropy_l: Option<f64>, c: Option<f64>) -> Outcome {
    if let Some(outcome) = no_quasi_identifiers(view).or_else(|| no_sensitive(view)) {
        return outcome;
    }
    let table = &view.scan.table;
    let mut violations = Vec::new();
    let distinct = view.metrics.l_distinct.unwrap_or(0);
    if distinct < l {
        let below = metrics::below_l(table, l);
        violations.push(Violation {
            pointer: String::new(),
            message: format!(
                "distinct l is {distinct}, below {l}: {} ({}, {}) hold fewer than {l} distinct sensitive values",
                classes(below.classes),
                records(below.records),
                percent(below.records, table.rows)
            ),
            evidence: Some(json!({
                "l_distinct": distinct,
                "required_l": l,
                "classes_below_l": below.classes,
                "records_below_l": below.records,
            })),
        });
    }
    if let Some(required) = entropy_l {
        let below = metrics::below_entropy_l(table, required);
        if below.classes > 0 {
            violations.push(Violation {
                pointer: String::new(),
                message: format!(
                    "entropy l is {} (e^H = {}), below {required}: {} ({}) have entropy under ln {required}",
                    view.metrics.l_entropy.unwrap_or(0),
                    round(view.metrics.l_entropy_exact.unwrap_or(0.0)),
                    classes(below.classes),
                    records(below.records)
                ),
                evidence: Some(json!({
                    "l_entropy": view.metrics.l_entropy,
                    "l_entropy_exact": view.metrics.l_entropy_exact,
                    "required_entropy_l": required,
                    "classes_below": below.classes,
                    "records_below": below.records,
                })),
            });
        }
    }
    if let Some(c) = c
        && !metrics::recursive_holds(table, c, l)
    {
        let needed = metrics::recursive_c(table, l);
        let message = match needed {
            Some(needed) => format!(
                "recursive ({c},{l})-diversity does not hold: in some class the most frequent sensitive value reaches {c} times the counts from the {} most frequent on; c = {needed} would be needed",
                ordinal(l)
            ),
            None => format!(
                "recursive ({c},{l})-diversity does not hold: some class has fewer than {l} distinct sensitive values"
            ),
        };
        violations.push(Violation {
            pointer: String::new(),
            message,
            evidence: Some(json!({ "required_c": c, "l": l, "needed_c": needed })),
        });
    }
    Outcome::from_violations(violations)
}

fn t_closeness(view: DatasetView<'_>, t: f64) -> Outcome {
    if let Some(outcome) = no_quasi_identifiers(view).or_else(|| no_sensitive(view)) {
        return outcome;
    }
    let table = &view.scan.table;
    let found = view.metrics.t.unwrap_or(0.0);
    if found <= t + 1e-12 {
        return Outcome::Pass;
    }
    let over = metrics::above_t(table, t);
    Outcome::Violations(vec![Violation {
        pointer: String::new(),
        message: format!(
            "t is {}, above {t}: {} ({}, {}) are farther than {t} from the whole table's sensitive distribution",
            round(found),
            classes(over.classes),
            records(over.records),
            percent(over.records, table.rows)
        ),
        evidence: Some(json!({
            "t": found,
            "required_t": t,
            "classes_above_t": over.classes,
            "records_above_t": over.records,
        })),
    }])
}

/// Four decimals for messages (evidence keeps the full value).
fn round(x: f64) -> String {
    let text = format!("{x:.4}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_owned()
}

fn coarsening(scan: &Scan, max_decimals: u32, granularity: Option<Granularity>) -> Outcome {
    let mut violations = Vec::new();
    let mut applicable = false;
    for column in scan.with_role(Role::QuasiIdentifier) {
        let Some(values) = &column.values else {
            continue;
        };
        let name = &column.column.name;
        match column.column.value_type {
            ValueType::Coordinate => {
                applicable = true;
                let limit = column
                    .column
                    .max_decimals
                    .map_or(max_decimals, |own| own.min(max_decimals));
                let (mut finer, mut unreadable) = (0u64, 0u64);
                for (text, &count) in values.texts.iter().zip(&values.counts) {
                    if text.is_empty() {
                        continue;
                    }
                    match coordinate_decimals(text) {
                        Some(d) if d > limit => finer += count,
                        Some(_) => {}
                        None => unreadable += count,
                    }
                }
                if finer > 0 {
                    violations.push(Violation {
                        pointer: column_pointer(name),
                        message: format!(
                            "column `{name}` has coordinates with more than {limit} decimal places in {finer} {}",
                            rows_word(finer)
                        ),
                        evidence: Some(json!({ "column": name, "max_decimals": limit, "rows": finer })),
                    });
                }
                if unreadable > 0 {
                    violations.push(Violation::new(
                        column_pointer(name),
                        format!(
                            "column `{name}` holds no readable coordinate in {unreadable} {}, so its precision cannot be shown",
                            rows_word(unreadable)
                        ),
                    ));
                }
            }
            ValueType::Datetime => {
                applicable = true;
                let buckets: Vec<Granularity> = column
                    .column
                    .granularity
                    .into_iter()
                    .chain(granularity.filter(|g| Some(*g) != column.column.granularity))
                    .collect();
                if buckets.is_empty() {
                    continue;
                }
                let (mut off, mut unreadable) = (0u64, 0u64);
                for (text, &count) in values.texts.iter().zip(&values.counts) {
                    if text.is_empty() {
                        continue;
                    }
                    if chrono::DateTime::parse_from_rfc3339(text).is_err() {
                        unreadable += count;
                    } else if coarsening::off_bucket(text, &buckets).is_some() {
                        off += count;
                    }
                }
                let names: Vec<String> = buckets.iter().map(|b| b.to_iso()).collect();
                if off > 0 {
                    violations.push(Violation {
                        pointer: column_pointer(name),
                        message: format!(
                            "column `{name}` has timestamps off the {} boundaries in {off} {}",
                            names.join(" and "),
                            rows_word(off)
                        ),
                        evidence: Some(
                            json!({ "column": name, "granularity": names, "rows": off }),
                        ),
                    });
                }
                if unreadable > 0 {
                    violations.push(Violation::new(
                        column_pointer(name),
                        format!(
                            "column `{name}` holds no RFC 3339 date-time in {unreadable} {}, so its granularity cannot be shown",
                            rows_word(unreadable)
                        ),
                    ));
                }
            }
            ValueType::Categorical | ValueType::Numeric => {}
        }
    }
    if !applicable {
        return Outcome::NotApplicable(
            "the dataset has no coordinate or datetime quasi-identifier column".to_owned(),
        );
    }
    Outcome::from_violations(violations)
}

/// Decimals of a coordinate cell: a number, a GeoJSON geometry or array,
/// or numbers separated by commas, semicolons or spaces ("37.566,126.978").
fn coordinate_decimals(text: &str) -> Option<u32> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return match &value {
            Value::Number(n) => Some(coarsening::decimals(n)),
            Value::Object(_) | Value::Array(_) => coarsening::finest_coordinate(&value),
            _ => None,
        };
    }
    let mut finest = None;
    for part in text.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        let number: serde_json::Number = serde_json::from_str(part.trim()).ok()?;
        let d = coarsening::decimals(&number);
        finest = Some(finest.map_or(d, |f: u32| f.max(d)));
    }
    finest
}

fn aggregate_minimum(view: DatasetView<'_>, k: i64) -> Outcome {
    let columns: Vec<&ColumnScan> = view.scan.with_role(Role::Count).collect();
    if columns.is_empty() {
        return Outcome::NotApplicable("the dataset has no count column".to_owned());
    }
    let mut violations = Vec::new();
    for column in columns {
        let Some(values) = &column.values else {
            continue;
        };
        let name = &column.column.name;
        let (mut small, mut unreadable) = (0u64, 0u64);
        for (text, &count) in values.texts.iter().zip(&values.counts) {
            match text.trim().parse::<i64>() {
                Ok(n) if Some(n) == view.sentinel || n >= k => {}
                Ok(_) => small += count,
                Err(_) => unreadable += count,
            }
        }
        let sentinel = view
            .sentinel
            .map_or("no suppression sentinel is declared".to_owned(), |s| {
                format!("the suppression sentinel is {s}")
            });
        if small > 0 {
            violations.push(Violation {
                pointer: column_pointer(name),
                message: format!(
                    "column `{name}` publishes a count below {k} in {small} {}; {sentinel}",
                    rows_word(small)
                ),
                evidence: Some(
                    json!({ "column": name, "k": k, "sentinel": view.sentinel, "rows": small }),
                ),
            });
        }
        if unreadable > 0 {
            violations.push(Violation::new(
                column_pointer(name),
                format!(
                    "column `{name}` holds no whole number in {unreadable} {}",
                    rows_word(unreadable)
                ),
            ));
        }
    }
    Outcome::from_violations(violations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinate_cells_in_every_shape() {
        assert_eq!(coordinate_decimals("37.5665"), Some(4));
        assert_eq!(coordinate_decimals("37.566,126.97"), Some(3));
        assert_eq!(
            coordinate_decimals(r#"{"type":"Point","coordinates":[126.97,37.5]}"#),
            Some(2)
        );
        assert_eq!(coordinate_decimals("north"), None);
    }

    #[test]
    fn bad_parameters_fail_at_build() {
        let bad = |kind: &str, params: Value| {
            let Value::Object(map) = params else {
                panic!("object")
            };
            DatasetCheck::build(kind, &map, &Arc::new(Definitions::embedded().clone()))
                .expect_err("rejected")
                .to_string()
        };
        assert!(bad("dataset-k-anonymity", json!({"k": 0})).contains("at least 1"));
        assert!(bad("dataset-t-closeness", json!({"t": 1.5})).contains("[0, 1]"));
        assert!(bad("dataset-alpha-k", json!({"alpha": 0.5})).contains("missing field"));
        assert!(
            bad("dataset-direct-identifiers", json!({"detectors": ["dna"]}))
                .contains("unknown detector")
        );
    }
}
