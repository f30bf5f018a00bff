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
    /// Entropy l: the largest whole l with `H ≥ ln l` (within 1e-12) for
    /// the smallest class entropy `H` (natural log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l_entropy: Option<u64>,
    /// `e^H` itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l_entropy_exact: Option<f64>,
    /// Recursive (c, l) as Machanavajjhala et al. define it: l is distinct
    /// l, c the smallest whole number with `r₁ < c·(r_l + … + r_m)` in
    /// every class, counts sorted descending (absent when distinct l is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_c_l: Option<(u64, u64)>,
    /// Largest earth mover's distance between a class and the whole table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
    /// pyCANON's entropy l, `floor(e^H)`: 1 where `e^H` lands just under a
    /// whole number (two equally frequent values give 1.9999999999999998).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pycanon_l_entropy: Option<u64>,
    /// pyCANON's recursive (c, l), its counts sorted ascending (absent when
    /// distinct l is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pycanon_recursive_c_l: Option<(u64, u64)>,
}

/// One column of an audited dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSummary {
    /// Its name (CSV header or NDJSON member or pointer).
    pub name: String,
    /// Its privacy role.
    pub role: ColumnRole,
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

/// A column's privacy role, as the descriptor or schema gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnRole {
    /// Identifies a person on its own (a name, an ID number).
    DirectIdentifier,
    /// Identifies a person in combination (age band, location, time).
    QuasiIdentifier,
    /// What must not be linked to a person (a diagnosis, a purpose).
    Sensitive,
    /// Neither.
    Insensitive,
    /// An aggregate count.
    Count,
}

impl ColumnRole {
    /// The kebab-case name, as in descriptors and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::DirectIdentifier => "direct-identifier",
            ColumnRole::QuasiIdentifier => "quasi-identifier",
            ColumnRole::Sensitive => "sensitive",
            ColumnRole::Insensitive => "insensitive",
            ColumnRole::Count => "count",
        }
    }
}

impl std::fmt::Display for ColumnRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
