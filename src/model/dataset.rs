//! What a dataset audit measured, whatever the profiles' thresholds: the
//! shape of the data and its anonymity metrics. Counts and shares only:
//! no value of the dataset ever appears here.

use serde::{Deserialize, Serialize};

/// The measured side of a `dataset` report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSummary {
    /// The dataset measured, as its input names it.
    pub input: String,
    /// Where the column roles came from: a descriptor file or a schema URI.
    pub roles_from: String,
    /// Rows read.
    pub rows: u64,
    /// Every column, described or found in the data.
    pub columns: Vec<ColumnSummary>,
    /// Equivalence classes over the quasi-identifiers.
    pub classes: u64,
    /// Smallest class size (k-anonymity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<u64>,
    /// Largest share of one sensitive value within a class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Fewest distinct sensitive values in a class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l_distinct: Option<u64>,
    /// Entropy l as pyCANON gives it: `floor(e^H)` for the smallest class
    /// entropy `H` (natural log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l_entropy: Option<u64>,
    /// `e^H` itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l_entropy_exact: Option<f64>,
    /// Recursive (c, l) as pyCANON gives it (absent when distinct l is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_c_l: Option<(u64, u64)>,
    /// Largest earth mover's distance between a class and the whole table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
}

/// One column of an audited dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSummary {
    /// Its name (CSV header or NDJSON member or pointer).
    pub name: String,
    /// Its privacy role.
    pub role: String,
    /// How its values compare, for the roles that have a type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    /// Whether the descriptor named it (false: found in the data only).
    pub described: bool,
    /// Rows with a value.
    pub present: u64,
    /// Distinct values, for quasi-identifier, sensitive and count columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distinct: Option<u64>,
}
