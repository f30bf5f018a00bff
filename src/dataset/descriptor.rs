//! The dataset descriptor: what each column of a dataset is to privacy.
//!
//! A descriptor is a TOML file (format: `schemas/tool/dataset-descriptor.schema.json`)
//! checked against its schema before it is read, so that a mistake names its
//! file, line and field. When the records are of a shared-schema type, the
//! same information comes from the schema's `x-governance` annotations
//! instead ([`Descriptor::from_schema`]).

use std::path::Path;

use serde::Deserialize;

use crate::catalog::load::{SuiteText, parse_checked_with, plain_pattern, tool_schema};
use crate::error::{Error, FileProblem, Result};
use crate::schema::{CompiledSchema, Granularity, PathSegment, PrivacyRole};

/// What a column is to privacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Identifies a person on its own: must not be in the extract at all.
    DirectIdentifier,
    /// Identifies a person in combination: defines the equivalence classes.
    QuasiIdentifier,
    /// What must not be inferred about a person: l-diversity, t-closeness.
    Sensitive,
    /// Says nothing about a person (still scanned for identifiers).
    Insensitive,
    /// The count column of an aggregate table.
    Count,
}

impl Role {
    /// The kebab-case name, as in descriptors and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DirectIdentifier => "direct-identifier",
            Role::QuasiIdentifier => "quasi-identifier",
            Role::Sensitive => "sensitive",
            Role::Insensitive => "insensitive",
            Role::Count => "count",
        }
    }
}

impl From<Role> for crate::model::ColumnRole {
    fn from(role: Role) -> Self {
        use crate::model::ColumnRole;
        match role {
            Role::DirectIdentifier => ColumnRole::DirectIdentifier,
            Role::QuasiIdentifier => ColumnRole::QuasiIdentifier,
            Role::Sensitive => ColumnRole::Sensitive,
            Role::Insensitive => ColumnRole::Insensitive,
            Role::Count => ColumnRole::Count,
        }
    }
}

/// How the values of a column compare.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueType {
    /// As text: two values are equal when their text is.
    #[default]
    Categorical,
    /// As numbers: `30` and `30.0` are one value; order is numeric.
    Numeric,
    /// RFC 3339 timestamps, checked against time buckets.
    Datetime,
    /// A coordinate (a number, or a GeoJSON geometry), checked for decimals.
    Coordinate,
}

/// What a missing value (an empty cell, an absent or null member) of a
/// sensitive column stands for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    /// A value nobody recorded, which could be any: it adds no diversity
    /// (distinct, entropy and recursive l, and t, read the recorded values
    /// only), and alpha counts it as the class's most frequent value.
    /// Read this way, five records of which one says `hiv` and four say
    /// nothing are not diverse.
    #[default]
    Unknown,
    /// A sensitive value of its own ("none recorded" is the answer), as
    /// pyCANON reads it.
    Value,
}

/// The data format of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet (a file, or a folder of files).
    Parquet,
}

impl Format {
    /// `csv` or `ndjson`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
        }
    }

    /// The format a file extension stands for.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" => Some(Format::Csv),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" | "parq" => Some(Format::Parquet),
            _ => None,
        }
    }
}

impl From<Format> for crate::model::InputFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Csv => crate::model::InputFormat::Csv,
            Format::Ndjson => crate::model::InputFormat::Ndjson,
            Format::Parquet => crate::model::InputFormat::Parquet,
        }
    }
}

/// One described column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// CSV header, NDJSON member name, or NDJSON JSON pointer.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// How its values compare.
    pub value_type: ValueType,
    /// Column's own maximum coordinate decimals.
    pub max_decimals: Option<u32>,
    /// Column's own time bucket.
    pub granularity: Option<Granularity>,
    /// For sensitive columns: what a missing value stands for.
    pub missing: Missing,
    /// For NDJSON: where the value sits in a record.
    pub path: Vec<PathSegment>,
}

/// Every described column and how the data is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    /// Where the roles came from, for the report: a file or a schema URI.
    pub source: String,
    /// The format, when the descriptor fixes it.
    pub format: Option<Format>,
    /// The CSV delimiter.
    pub delimiter: u8,
    /// The suppression sentinel of an aggregate table.
    pub sentinel: Option<i64>,
    /// The columns, in descriptor order.
    pub columns: Vec<Column>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DescriptorFile {
    format: Option<Format>,
    delimiter: Option<String>,
    #[serde(default)]
    aggregate: Option<AggregateFile>,
    column: Vec<ColumnFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AggregateFile {
    sentinel: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    name: String,
    role: Role,
    #[serde(rename = "type", default)]
    value_type: Option<ValueType>,
    max_decimals: Option<u32>,
    granularity: Option<String>,
    missing: Option<Missing>,
}

impl Descriptor {
    /// No described column: the roles of a Parquet dataset come from its
    /// Arrow field metadata alone.
    pub fn parquet_metadata() -> Descriptor {
        Descriptor {
            source: "Parquet field metadata".to_owned(),
            format: Some(Format::Parquet),
            delimiter: b',',
            sentinel: None,
            columns: Vec::new(),
        }
    }

    /// Reads and checks the descriptor at `path`.
    pub fn load(path: &Path) -> Result<Descriptor> {
        let text = crate::files::read_to_string(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses descriptor `text`, named `name` in messages.
    pub fn parse(name: &str, text: &str) -> Result<Descriptor> {
        let schema = tool_schema("dataset-descriptor.schema.json")?;
        let file = SuiteText {
            name: name.to_owned(),
            text: text.to_owned(),
        };
        let (parsed, source): (DescriptorFile, _) =
            parse_checked_with(&file, &schema, plainly).map_err(with_descriptor_help)?;
        let mut problems = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        for (i, raw) in parsed.column.into_iter().enumerate() {
            let at = format!("/column/{i}");
            if columns.iter().any(|c| c.name == raw.name) {
                problems.push(
                    source
                        .problem(
                            &format!("{at}/name"),
                            format!("column `{}` is described twice", raw.name),
                        )
                        .with_help("describe each column once"),
                );
                continue;
            }
            let granularity = match raw.granularity.as_deref().map(Granularity::parse) {
                Some(Err(message)) => {
                    problems.push(source.problem(&format!("{at}/granularity"), message));
                    None
                }
                Some(Ok(g)) => Some(g),
                None => None,
            };
            if raw.max_decimals.is_some() && raw.value_type != Some(ValueType::Coordinate) {
                problems.push(source.problem(
                    &format!("{at}/max_decimals"),
                    "`max_decimals` applies to coordinate columns only",
                ));
            }
            if raw.granularity.is_some() && raw.value_type != Some(ValueType::Datetime) {
                problems.push(source.problem(
                    &format!("{at}/granularity"),
                    "`granularity` applies to datetime columns only",
                ));
            }
            if raw.missing.is_some() && raw.role != Role::Sensitive {
                problems.push(source.problem(
                    &format!("{at}/missing"),
                    "`missing` applies to sensitive columns only",
                ));
            }
            columns.push(Column {
                path: path_of(&raw.name),
                name: raw.name,
                role: raw.role,
                value_type: raw.value_type.unwrap_or_default(),
                max_decimals: raw.max_decimals,
                granularity,
                missing: raw.missing.unwrap_or_default(),
            });
        }
        if !problems.is_empty() {
            return Err(Error::Files(problems));
        }
        let delimiter = parsed
            .delimiter
            .as_deref()
            .and_then(|d| d.bytes().next())
            .unwrap_or(b',');
        Ok(Descriptor {
            source: name.to_owned(),
            format: parsed.format,
            delimiter,
            sentinel: parsed.aggregate.and_then(|a| a.sentinel),
            columns,
        })
    }

    /// Roles from a shared schema's governance annotations: each annotated
    /// field becomes a column named by its JSON pointer. A field with a time
    /// granularity is a datetime, one with a coordinate maximum a
    /// coordinate; other quasi-identifiers and sensitive fields compare as
    /// text. Fields inside arrays are not columns (a record would hold
    /// several values), so they are left out.
    pub fn from_schema(schema: &CompiledSchema) -> Result<Descriptor> {
        let mut columns = Vec::new();
        for field in &schema.fields {
            let Some(role) = field.role else { continue };
            if field
                .path
                .iter()
                .any(|s| matches!(s, PathSegment::AnyIndex))
            {
                continue;
            }
            let role = match role {
                PrivacyRole::DirectIdentifier => Role::DirectIdentifier,
                PrivacyRole::QuasiIdentifier => Role::QuasiIdentifier,
                PrivacyRole::Sensitive => Role::Sensitive,
                PrivacyRole::None => continue,
            };
            let value_type = if field.time_granularity.is_some() {
                ValueType::Datetime
            } else if field.max_coordinate_decimals.is_some() {
                ValueType::Coordinate
            } else {
                ValueType::Categorical
            };
            columns.push(Column {
                name: crate::schema::governance::pointer_pattern(&field.path),
                role,
                value_type,
                max_decimals: field.max_coordinate_decimals,
                granularity: field.time_granularity,
                missing: Missing::default(),
                path: field.path.clone(),
            });
        }
        if columns.is_empty() {
            return Err(FileProblem::new(
                &schema.uri,
                "the schema annotates no field with a privacy role, so it cannot describe a dataset",
            )
            .with_help("write a descriptor (--descriptor) that names each column's role")
            .into());
        }
        Ok(Descriptor {
            source: schema.uri.clone(),
            format: Some(Format::Ndjson),
            delimiter: b',',
            sentinel: None,
            columns,
        })
    }

    /// The columns with `role`, in descriptor order.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(move |c| c.role == role)
    }
}

/// A schema violation said in the descriptor's words: a column whose role
/// takes none of the settings of how values compare names the role and
/// the settings it sets, rather than the schema's `not` clause.
fn plainly(error: &jsonschema::ValidationError<'_>, problem: FileProblem) -> FileProblem {
    let jsonschema::error::ValidationErrorKind::Not { .. } = error.kind() else {
        return plain_pattern(error, problem);
    };
    let column = error.instance();
    let Some(role) = column.get("role").and_then(|r| r.as_str()) else {
        return problem;
    };
    let set: Vec<String> = ["type", "max_decimals", "granularity"]
        .into_iter()
        .filter(|key| column.get(key).is_some())
        .map(|key| format!("`{key}`"))
        .collect();
    FileProblem {
        message: format!(
            "role `{role}` takes no {}: only a quasi-identifier says how its values compare (a sensitive column may say its `type`); remove {}, or make the column a quasi-identifier",
            set.join(" or "),
            set.join(" and ")
        ),
        ..problem
    }
}

/// Format problems point at the descriptor's own format, not the suites'.
fn with_descriptor_help(error: Error) -> Error {
    const HELP: &str = "the descriptor format is schemas/tool/dataset-descriptor.schema.json: `[[column]]` tables with `name`, `role` and, for quasi-identifiers, `type`";
    match error {
        Error::Files(problems) => Error::Files(
            problems
                .into_iter()
                .map(|p| {
                    if p.line.is_some() || p.pointer.is_some() {
                        p.with_help(HELP)
                    } else {
                        p
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// Where an NDJSON column's value sits: a JSON pointer (`/a/b`) walks into
/// the record, anything else is a top-level member name.
fn path_of(name: &str) -> Vec<PathSegment> {
    match name.strip_prefix('/') {
        Some(pointer) => pointer
            .split('/')
            .map(|s| PathSegment::Key(s.replace("~1", "/").replace("~0", "~")))
            .collect(),
        None => vec![PathSegment::Key(name.to_owned())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of descriptor `text`, named `d.toml`, refused.
    fn refusal(text: &str) -> String {
        Descriptor::parse("d.toml", text)
            .expect_err("the descriptor is refused")
            .to_string()
    }

    #[test]
    fn a_descriptor_reads_roles_types_and_the_sentinel() {
        let text = r#"
delimiter = ";"
[aggregate]
sentinel = -1
[[column]]
name = "age"
role = "quasi-identifier"
type = "numeric"
[[column]]
name = "/start/time"
role = "quasi-identifier"
type = "datetime"
granularity = "PT15M"
[[column]]
name = "diagnosis"
role = "sensitive"
"#;
        let d = Descriptor::parse("d.toml", text).expect("valid descriptor");
        assert_eq!(d.delimiter, b';');
        assert_eq!(d.sentinel, Some(-1));
        assert_eq!(d.columns.len(), 3);
        assert_eq!(d.columns[0].value_type, ValueType::Numeric);
        assert_eq!(
            d.columns[1].path,
            vec![
                PathSegment::Key("start".into()),
                PathSegment::Key("time".into())
            ]
        );
        assert_eq!(d.columns[1].granularity.map(|g| g.seconds), Some(900));
        assert_eq!(d.columns[2].value_type, ValueType::Categorical);
    }

    #[test]
    fn a_quasi_identifier_without_type_names_its_line() {
        let text = "[[column]]\nname = \"age\"\nrole = \"quasi-identifier\"\n";
        let message = refusal(text);
        assert!(message.starts_with("d.toml:1:"), "{message}");
        assert!(message.contains("type"), "{message}");
    }

    /// A setting of how values compare on a column whose role takes
    /// none is named with the role, not as the schema's clause.
    #[test]
    fn a_type_on_an_insensitive_column_is_named_plainly() {
        let text = "[[column]]\nname = \"zone\"\nrole = \"insensitive\"\ntype = \"categorical\"\n";
        let message = refusal(text);
        assert!(message.starts_with("d.toml:1:"), "{message}");
        assert!(
            message.contains("role `insensitive` takes no `type`"),
            "{message}"
        );
        assert!(!message.contains("anyOf"), "{message}");
    }

    #[test]
    fn duplicate_columns_and_bad_granularity_are_both_reported() {
        let text = "[[column]]\nname = \"t\"\nrole = \"quasi-identifier\"\ntype = \"datetime\"\ngranularity = \"P1M\"\n[[column]]\nname = \"t\"\nrole = \"sensitive\"\n";
        let message = refusal(text);
        assert!(message.contains("d.toml:5"), "{message}");
        assert!(message.contains("described twice"), "{message}");
    }
}
