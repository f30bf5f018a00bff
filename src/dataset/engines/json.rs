//! NDJSON on the query engines. DataFusion's JSON reader infers a type
//! per member over the whole file and reads numbers as numbers, objects as
//! structs; the native scanner reads each line as `serde_json` does and
//! takes a cell's text from that. So that both see the same cells, each
//! cell read by DataFusion is turned back into the `serde_json` value it
//! was (a struct as an object, a list as an array, a number as the same
//! `serde_json` number) and its text taken by the scanner's own
//! [`cell_text`]; the members no descriptor names are scanned as the
//! scanner scans them (strings and member names with the top-level member
//! as context, numbers with their innermost member), counted once a row
//! per column, members whose names hold the same kind of identifier
//! sharing one column (`[email]`).
//!
//! What the reader cannot give back: a member written without a fraction
//! on some lines and with one on others is read as a float throughout
//! (`10` then reads `10.0`), and a member written `null` inside a nested
//! object reads as absent. A member holding text on some lines and
//! numbers, or objects, on others cannot be read as one column: the run
//! stops (exit 2) naming the member, hidden as its placeholder when its
//! name holds an identifier.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use ::datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray, StructArray, UInt64Array};
use ::datafusion::arrow::datatypes::{
    DataType, FieldRef, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use ::datafusion::common::{DFSchema, DataFusionError, Result as DfResult};
use ::datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use ::datafusion::prelude::{ident, lit};
use serde_json::{Map, Value};

use super::udf::{Built, detection_field, detection_fields, literal};
use crate::dataset::scan::{cell_text, visit_strings};
use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Detectors, IdentifierKind};
use crate::detect::placeholder;
use crate::schema::PathSegment;

/// The name of the NDJSON text function.
pub const JSON_TEXT: &str = "cityconform_json_text";
/// The name of the NDJSON detection function.
pub const JSON_DETECT: &str = "cityconform_json_detect";

/// `cityconform_json_text(value, member…)`: the cell at the members'
/// path within `value`, as the native scanner's text of it.
pub(super) fn text_function() -> ScalarUDF {
    ScalarUDF::new_from_impl(JsonText {
        signature: Signature::variadic_any(Volatility::Immutable),
    })
}

/// `cityconform_json_detect(kinds, definitions, member, value, member,
/// value…)` (`definitions` as `cityconform_detect` takes it): per
/// row, whether any of the members holds something and, per kind, whether
/// any holds one (0 or 1 each), as the native scanner counts a column of
/// undescribed members.
pub(super) fn detect_function(definitions: Arc<Definitions>) -> ScalarUDF {
    ScalarUDF::new_from_impl(JsonDetect {
        signature: Signature::variadic_any(Volatility::Immutable),
        built: Built::new(definitions),
    })
}

/// A column of members no descriptor names, as the native scanner lists
/// it: one member by its name, or every member whose name holds the same
/// kind of identifier under that kind's placeholder.
#[derive(Debug)]
pub(super) struct Extra {
    /// The column's name in the report.
    pub name: String,
    /// The members counted in it.
    pub members: Vec<String>,
    /// The kinds of identifier its members' names hold.
    pub name_holds: Vec<IdentifierKind>,
}

/// The expression of a described column's text: its top-level member
/// with the rest of its path, or the empty text when the file has no such
/// member (or the path steps into arrays, which the scanner reads as
/// missing).
pub(super) fn text_expr(schema: &DFSchema, path: &[PathSegment], text_fn: &ScalarUDF) -> Expr {
    let keys: Option<Vec<&str>> = path
        .iter()
        .map(|s| match s {
            PathSegment::Key(k) => Some(k.as_str()),
            PathSegment::AnyIndex => None,
        })
        .collect();
    let Some((root, rest)) = keys.as_deref().and_then(<[&str]>::split_first) else {
        return lit("");
    };
    if !schema.fields().iter().any(|f| f.name() == root) {
        return lit("");
    }
    let mut args = vec![ident(*root)];
    args.extend(rest.iter().map(|k| lit(*k)));
    text_fn.call(args)
}

/// The columns of the top-level members that are no described column's
/// root, named and grouped as the native scanner does.
pub(super) fn extras(schema: &DFSchema, described_roots: &[&str]) -> Vec<Extra> {
    let mut names: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|n| !described_roots.contains(n))
        .collect();
    names.sort_unstable();
    let mut extras: BTreeMap<String, Extra> = BTreeMap::new();
    for member in names {
        let kinds = placeholder::kinds(member);
        let name = kinds
            .first()
            .map_or_else(|| member.to_owned(), |&k| placeholder::of_kind(k));
        let extra = extras.entry(name.clone()).or_insert_with(|| Extra {
            name,
            members: Vec::new(),
            name_holds: Vec::new(),
        });
        extra.members.push(member.to_owned());
        for kind in kinds {
            if !extra.name_holds.contains(&kind) {
                extra.name_holds.push(kind);
            }
        }
    }
    extras.into_values().collect()
}

/// The detection expression of `extra` for the comma-separated `kinds`
/// under `definitions` (a `udf::definitions_literal`).
pub(super) fn detect_expr(
    extra: &Extra,
    kinds: &str,
    definitions: &str,
    detect_fn: &ScalarUDF,
) -> Expr {
    let mut args = vec![lit(kinds.to_owned()), lit(definitions.to_owned())];
    for member in &extra.members {
        args.push(lit(member.clone()));
        args.push(ident(member.clone()));
    }
    detect_fn.call(args)
}

/// The `serde_json` value of row `row` of `array`, as the line held it.
fn value(array: &dyn Array, row: usize) -> DfResult<Value> {
    if array.data_type() == &DataType::Null || array.is_null(row) {
        return Ok(Value::Null);
    }
    let integer = |n: i64| Value::from(n);
    Ok(match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Int8 => integer(array.as_primitive::<Int8Type>().value(row).into()),
        DataType::Int16 => integer(array.as_primitive::<Int16Type>().value(row).into()),
        DataType::Int32 => integer(array.as_primitive::<Int32Type>().value(row).into()),
        DataType::Int64 => integer(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => integer(array.as_primitive::<UInt8Type>().value(row).into()),
        DataType::UInt16 => integer(array.as_primitive::<UInt16Type>().value(row).into()),
        DataType::UInt32 => integer(array.as_primitive::<UInt32Type>().value(row).into()),
        DataType::UInt64 => Value::from(array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float32 => float(array.as_primitive::<Float32Type>().value(row).into()),
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_owned()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_owned()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_owned()),
        DataType::Struct(fields) => {
            let parts = array.as_struct();
            let mut object = Map::new();
            for (field, child) in fields.iter().zip(parts.columns()) {
                if child.data_type() != &DataType::Null && !child.is_null(row) {
                    object.insert(field.name().clone(), value(child.as_ref(), row)?);
                }
            }
            Value::Object(object)
        }
        DataType::List(_) => items(&array.as_list::<i32>().value(row))?,
        DataType::LargeList(_) => items(&array.as_list::<i64>().value(row))?,
        other => {
            return Err(DataFusionError::Execution(format!(
                "{JSON_TEXT} cannot read a {other} member"
            )));
        }
    })
}

/// A JSON number as `serde_json` reads one with a fraction or exponent.
fn float(number: f64) -> Value {
    serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
}

fn items(list: &ArrayRef) -> DfResult<Value> {
    (0..list.len())
        .map(|i| value(list.as_ref(), i))
        .collect::<DfResult<Vec<_>>>()
        .map(Value::Array)
}

/// `cityconform_json_text`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonText {
    signature: Signature,
}

impl ScalarUDFImpl for JsonText {
    fn name(&self) -> &str {
        JSON_TEXT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let mut values = args.args.into_iter();
        let Some(value_arg) = values.next() else {
            return Err(DataFusionError::Execution(format!(
                "{JSON_TEXT} takes a value"
            )));
        };
        let path = values
            .map(|v| literal(&v, "a member name"))
            .collect::<DfResult<Vec<String>>>()?;
        let root = value_arg.into_array(rows)?;
        let mut texts: Vec<String> = Vec::with_capacity(rows);
        let at = nested(&root, &path);
        for row in 0..rows {
            let text = match &at {
                Some((array, parents)) if parents.iter().all(|p| !p.is_null(row)) => {
                    match value(array.as_ref(), row)? {
                        Value::Null => String::new(),
                        found => cell_text(Some(&found)).into_owned(),
                    }
                }
                _ => String::new(),
            };
            texts.push(text);
        }
        Ok(ColumnarValue::Array(Arc::new(StringArray::from(texts))))
    }
}

/// The array at `path` within `root` with the structs enclosing it, or
/// `None` when some step is no struct holding that member (the scanner
/// then reads the cell as missing).
fn nested(root: &ArrayRef, path: &[String]) -> Option<(ArrayRef, Vec<ArrayRef>)> {
    let mut at = root.clone();
    let mut parents = Vec::with_capacity(path.len());
    for member in path {
        let parent: &StructArray = at.as_struct_opt()?;
        let child = parent.column_by_name(member)?.clone();
        parents.push(at);
        at = child;
    }
    Some((at, parents))
}

/// `cityconform_json_detect`.
#[derive(Debug)]
struct JsonDetect {
    signature: Signature,
    built: Built,
}

impl PartialEq for JsonDetect {
    fn eq(&self, other: &Self) -> bool {
        self.built.same(&other.built)
    }
}

impl Eq for JsonDetect {}

impl Hash for JsonDetect {
    fn hash<H: Hasher>(&self, state: &mut H) {
        JSON_DETECT.hash(state);
    }
}

/// What one row's members of a column hold: any value, and each kind
/// found (each once).
fn row_findings(
    detectors: &Detectors,
    members: &[(String, ArrayRef)],
    row: usize,
) -> DfResult<(bool, Vec<IdentifierKind>)> {
    let mut present = false;
    let mut kinds: Vec<IdentifierKind> = Vec::new();
    for (member, array) in members {
        let found = value(array.as_ref(), row)?;
        let mut add = |kind: IdentifierKind| {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        };
        visit_numbers(&found, member, &mut |context, text| {
            if detectors.may_match(text) {
                for detection in detectors.scan_in(Some(context), text) {
                    present = true;
                    add(detection.kind);
                }
            }
        });
        visit_strings(&found, &mut |text, is_name| {
            present |= !is_name && !text.is_empty();
            for detection in detectors.scan_in(Some(member), text) {
                add(detection.kind);
            }
        });
    }
    Ok((present, kinds))
}

/// Every number within `value` as `serde_json` writes it, with the
/// innermost member holding it (a cell's context, as a column name is).
fn visit_numbers(value: &Value, context: &str, visit: &mut impl FnMut(&str, &str)) {
    match value {
        Value::Number(n) => visit(context, &n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| visit_numbers(v, context, visit)),
        Value::Object(map) => map.iter().for_each(|(k, v)| visit_numbers(v, k, visit)),
        _ => {}
    }
}

impl ScalarUDFImpl for JsonDetect {
    fn name(&self) -> &str {
        JSON_DETECT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Err(DataFusionError::Internal(format!(
            "{JSON_DETECT}'s type follows its kinds argument"
        )))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        detection_field(JSON_DETECT, &args, 0)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let [kinds, definitions, pairs @ ..] = args.args.as_slice() else {
            return Err(DataFusionError::Execution(format!(
                "{JSON_DETECT} takes kinds and definitions, then members and their values"
            )));
        };
        let (detectors, kinds) = self.built.detectors(
            &literal(definitions, "the definitions")?,
            &literal(kinds, "the kinds")?,
        )?;
        let members = pairs
            .chunks(2)
            .map(|pair| match pair {
                [member, value] => Ok((literal(member, "a member name")?, value.to_array(rows)?)),
                _ => Err(DataFusionError::Execution(format!(
                    "{JSON_DETECT} takes a value after each member name"
                ))),
            })
            .collect::<DfResult<Vec<_>>>()?;
        let mut present = vec![0u64; rows];
        let mut counts = vec![vec![0u64; rows]; kinds.len()];
        for row in 0..rows {
            let (any, found) = row_findings(&detectors, &members, row)?;
            present[row] = u64::from(any);
            for kind in found {
                if let Some(k) = kinds.iter().position(|&known| known == kind) {
                    counts[k][row] = 1;
                }
            }
        }
        let columns: Vec<ArrayRef> = std::iter::once(present)
            .chain(counts)
            .map(|c| Arc::new(UInt64Array::from(c)) as ArrayRef)
            .collect();
        let array = StructArray::try_new(detection_fields(kinds.len()), columns, None)?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}
