//! The scalar functions the plans of the query-engine producers
//! call, registered by name wherever plans are made or run (this process,
//! a Ballista scheduler and its executors):
//!
//! - `cityconform_text(value, field…)`: a cell as the text the native
//!   scanner sees (a struct's field by its path, a null as the empty
//!   text, numbers, dates and booleans formatted as the Parquet producer
//!   formats them), so that grouping by it groups as the scanner interns;
//! - `cityconform_detect(text, member, kinds, definitions)`: the run's
//!   identifier detectors on a cell, as a struct of counts (`present`,
//!   then one field per kind of the comma-separated `kinds`, in that
//!   order);
//! - their NDJSON forms, `cityconform_json_text` and
//!   `cityconform_json_detect` (`engines::json`);
//! - `cityconform_code(text, key)`: a categorical quasi-identifier's
//!   text as its per-run column code (`engines::codes`).
//!
//! All take their parameters as literal arguments, so that an executor
//! that never saw the run's plan builds the same function from its name
//! alone. The detection functions' `definitions` is the empty text for the
//! embedded detector definitions, else the run's definition files as JSON
//! ([`definitions_literal`]): a cluster started with the embedded ones
//! then detects with the overlays of the run as well.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use ::datafusion::arrow::array::{Array, ArrayRef, AsArray, StructArray, UInt64Array};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use ::datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use ::datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use rustc_hash::FxHashMap;

use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Confidence, Detectors, IdentifierKind};

/// The name of the text function.
pub const TEXT: &str = "cityconform_text";
/// The name of the detection function.
pub const DETECT: &str = "cityconform_detect";
/// The field of a detection struct counting cells with a value.
pub const PRESENT: &str = "present";

/// The functions, detecting with `definitions` (the embedded ones on a
/// cluster): text and detection, their NDJSON forms (`engines::json`),
/// then the column code (`engines::codes`).
pub fn functions(definitions: Arc<Definitions>) -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(Text::new())),
        Arc::new(ScalarUDF::new_from_impl(Detect::new(definitions.clone()))),
        Arc::new(super::json::text_function()),
        Arc::new(super::json::detect_function(definitions)),
        Arc::new(super::codes::function()),
    ]
}

/// The functions with the embedded detector definitions: what the
/// cluster binaries register.
pub fn embedded_functions() -> Vec<Arc<ScalarUDF>> {
    functions(Arc::new(Definitions::embedded().clone()))
}

/// The field name of the `index`th kind in a detection struct.
pub fn kind_field(index: usize) -> String {
    format!("k{index}")
}

/// The text of a parameter passed as a literal.
pub(super) fn literal(value: &ColumnarValue, what: &str) -> DfResult<String> {
    match value {
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(text))
            | ScalarValue::LargeUtf8(Some(text))
            | ScalarValue::Utf8View(Some(text)),
        ) => Ok(text.clone()),
        _ => Err(DataFusionError::Execution(format!(
            "{what} must be a text literal"
        ))),
    }
}

/// `cityconform_text(value, field…)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Text {
    signature: Signature,
}

impl Text {
    fn new() -> Self {
        Text {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Text {
    fn name(&self) -> &str {
        TEXT
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
        let Some(value) = values.next() else {
            return Err(DataFusionError::Execution(format!("{TEXT} takes a value")));
        };
        let path = values
            .map(|v| literal(&v, "a field name"))
            .collect::<DfResult<Vec<String>>>()?;
        let array = value.into_array(rows)?;
        let texts = crate::dataset::parquet::texts(TEXT, "value", &array, &path)
            .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        Ok(ColumnarValue::Array(texts))
    }
}

/// The `definitions` argument of the detection functions for a run
/// detecting with `definitions`: empty for the embedded ones, else their
/// files as a JSON array of `[name, text]` pairs.
///
/// An error rather than an empty text if they cannot be written: the
/// empty text would make a cluster detect with the embedded definitions
/// instead of the run's.
pub fn definitions_literal(definitions: &Definitions) -> crate::error::Result<String> {
    if definitions.are_embedded() {
        return Ok(String::new());
    }
    serde_json::to_string(definitions.files()).map_err(|e| {
        crate::error::Error::Internal(format!("cannot write the detector definitions: {e}"))
    })
}

/// The most (definitions, kinds) pairs a function keeps detectors for.
const BUILT_AT_MOST: usize = 16;

/// Detectors built for each (definitions, kinds) met, shared by every
/// batch a detection function runs on.
#[derive(Debug)]
pub(super) struct Built {
    /// What an empty `definitions` argument means: the run's definitions
    /// in this process, the embedded ones on a cluster.
    definitions: Arc<Definitions>,
    by_kinds: Mutex<HashMap<(String, String), Arc<Detectors>>>,
}

impl Built {
    pub(super) fn new(definitions: Arc<Definitions>) -> Self {
        Built {
            definitions,
            by_kinds: Mutex::new(HashMap::new()),
        }
    }

    /// The detectors of the comma-separated `kinds` under `definitions`
    /// (a [`definitions_literal`]), built once.
    pub(super) fn detectors(
        &self,
        definitions: &str,
        kinds: &str,
    ) -> DfResult<(Arc<Detectors>, Vec<IdentifierKind>)> {
        let list = kind_list(kinds);
        let key = (definitions.to_owned(), kinds.to_owned());
        let mut built = self.by_kinds.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(detectors) = built.get(&key) {
            return Ok((detectors.clone(), list));
        }
        let parsed;
        let definitions = if definitions.is_empty() {
            self.definitions.as_ref()
        } else {
            parsed = parse_definitions(definitions)?;
            &parsed
        };
        let detectors = Arc::new(
            Detectors::from_definitions(definitions, &list, Confidence::Medium)
                .map_err(|e| DataFusionError::Execution(e.to_string()))?,
        );
        // A cluster's executor lives across runs, and each run with
        // other overlays brings other definitions: the cache is bounded,
        // emptied when full (a run in progress builds its few again).
        if built.len() >= BUILT_AT_MOST {
            built.clear();
        }
        built.insert(key, detectors.clone());
        Ok((detectors, list))
    }

    /// Whether two functions detect with the same definitions.
    pub(super) fn same(&self, other: &Built) -> bool {
        Arc::ptr_eq(&self.definitions, &other.definitions)
    }
}

/// `cityconform_detect(text, member, kinds, definitions)`.
#[derive(Debug)]
struct Detect {
    signature: Signature,
    built: Built,
}

impl Detect {
    fn new(definitions: Arc<Definitions>) -> Self {
        Detect {
            signature: Signature::any(4, Volatility::Immutable),
            built: Built::new(definitions),
        }
    }
}

/// Two detection functions are one when they detect with the same
/// definitions.
impl PartialEq for Detect {
    fn eq(&self, other: &Self) -> bool {
        self.built.same(&other.built)
    }
}

impl Eq for Detect {}

impl Hash for Detect {
    fn hash<H: Hasher>(&self, state: &mut H) {
        DETECT.hash(state);
    }
}

/// The definitions a [`definitions_literal`] that is not empty carries.
fn parse_definitions(literal: &str) -> DfResult<Definitions> {
    let files: Vec<(String, String)> = serde_json::from_str(literal).map_err(|e| {
        DataFusionError::Execution(format!("the detector definitions are not readable: {e}"))
    })?;
    Definitions::parse(&files).map_err(|e| DataFusionError::Execution(e.to_string()))
}

/// The kinds of a comma-separated list, in its order.
pub(super) fn kind_list(kinds: &str) -> Vec<IdentifierKind> {
    kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .map(IdentifierKind::named)
        .collect()
}

/// The struct field a detection function named `name` returns: one
/// count per kind its kinds argument (a text literal, argument number
/// `at`) lists.
pub(super) fn detection_field(name: &str, args: &ReturnFieldArgs, at: usize) -> DfResult<FieldRef> {
    let kinds = match args.scalar_arguments.get(at) {
        Some(Some(
            ScalarValue::Utf8(Some(kinds))
            | ScalarValue::LargeUtf8(Some(kinds))
            | ScalarValue::Utf8View(Some(kinds)),
        )) => kind_list(kinds).len(),
        _ => {
            return Err(DataFusionError::Plan(format!(
                "{name}'s kinds must be a text literal"
            )));
        }
    };
    Ok(Arc::new(Field::new(
        name,
        DataType::Struct(detection_fields(kinds)),
        false,
    )))
}

/// The struct a detection returns for `kinds` kinds.
pub(super) fn detection_fields(kinds: usize) -> Fields {
    std::iter::once(PRESENT.to_owned())
        .chain((0..kinds).map(kind_field))
        .map(|name| Field::new(name, DataType::UInt64, false))
        .collect()
}

impl ScalarUDFImpl for Detect {
    fn name(&self) -> &str {
        DETECT
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Err(DataFusionError::Internal(format!(
            "{DETECT}'s type follows its kinds argument"
        )))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        detection_field(DETECT, &args, 2)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let [text, member, kinds, definitions] = args.args.as_slice() else {
            return Err(DataFusionError::Execution(format!(
                "{DETECT} takes a text, a member name, kinds and definitions"
            )));
        };
        let member = literal(member, "the member name")?;
        let (detectors, kinds) = self.built.detectors(
            &literal(definitions, "the definitions")?,
            &literal(kinds, "the kinds")?,
        )?;
        let texts = cast(&text.to_array(rows)?, &DataType::Utf8)?;
        let texts = texts.as_string::<i32>();
        let mut present = vec![0u64; rows];
        // A kind's counts are made when the batch first finds it; the
        // kinds it never finds share one array of zeros.
        let mut counts: Vec<Option<Vec<u64>>> = vec![None; kinds.len()];
        let mut seen = Seen::default();
        for row in 0..rows {
            if texts.is_null(row) || texts.value(row).is_empty() {
                continue;
            }
            present[row] = 1;
            let text = texts.value(row);
            match seen.earlier(text) {
                Some(Earlier::Nothing) => continue,
                Some(Earlier::Found(first)) => {
                    for column in counts.iter_mut().flatten() {
                        column[row] = column[first];
                    }
                    continue;
                }
                None => {}
            }
            let mut found = false;
            for detection in detectors.scan_in(Some(&member), text) {
                if let Some(k) = kinds.iter().position(|&kind| kind == detection.kind) {
                    counts[k].get_or_insert_with(|| vec![0u64; rows])[row] += 1;
                    found = true;
                }
            }
            seen.remember(
                text,
                if found {
                    Earlier::Found(row)
                } else {
                    Earlier::Nothing
                },
            );
        }
        let zeros: ArrayRef = Arc::new(UInt64Array::from(vec![0u64; rows]));
        let columns: Vec<ArrayRef> =
            std::iter::once(Arc::new(UInt64Array::from(present)) as ArrayRef)
                .chain(counts.into_iter().map(|c| match c {
                    Some(c) => Arc::new(UInt64Array::from(c)) as ArrayRef,
                    None => Arc::clone(&zeros),
                }))
                .collect();
        let array = StructArray::try_new(detection_fields(kinds.len()), columns, None)?;
        Ok(ColumnarValue::Array(Arc::new(array)))
    }
}

/// What a text met earlier in the batch gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Earlier {
    /// No detection: its rows keep their zero counts.
    Nothing,
    /// Detections, counted on this row, to be copied.
    Found(usize),
}

/// The distinct texts of one batch and what each gave: a categorical
/// column repeats a few values over many rows, so a repeated text is
/// detected once. Bounded: past [`Seen::AT_MOST`] texts it takes no
/// more, and it stops looking once full without a single repeat (a
/// column of unique values).
#[derive(Default)]
struct Seen<'a> {
    texts: FxHashMap<&'a str, Earlier>,
    repeated: bool,
    off: bool,
}

impl<'a> Seen<'a> {
    const AT_MOST: usize = 4096;

    /// What `text` gave, if it was met earlier.
    fn earlier(&mut self, text: &str) -> Option<Earlier> {
        if self.off {
            return None;
        }
        let earlier = self.texts.get(text).copied();
        self.repeated |= earlier.is_some();
        earlier
    }

    /// Remembers what a new `text` gave, while there is room.
    fn remember(&mut self, text: &'a str, gave: Earlier) {
        if self.off {
            return;
        }
        if self.texts.len() < Self::AT_MOST {
            self.texts.insert(text, gave);
        } else if !self.repeated {
            self.off = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each run's definitions as a cluster would receive them: the
    /// embedded files and an overlay of its own.
    fn run_definitions(run: usize) -> String {
        let mut files = Definitions::embedded().files().to_vec();
        files.push((
            format!("run-{run}/detectors/code.toml"),
            format!(
                "[[detector]]\nkind = \"xx-code\"\ndescription = \"code\"\n[[detector.form]]\npattern = 'R{run}-[0-9]{{4}}'\nboundary = \"word\"\nconfidence = \"high\"\n"
            ),
        ));
        let definitions = Definitions::parse(&files).expect("the overlay parses");
        definitions_literal(&definitions).expect("the definitions are written")
    }

    #[test]
    fn a_batch_remembers_what_each_text_gave_within_its_bound() {
        let texts: Vec<String> = (0..Seen::AT_MOST + 10).map(|i| format!("v{i}")).collect();
        let mut seen = Seen::default();
        assert_eq!(seen.earlier("Gangnam-gu"), None);
        seen.remember("Gangnam-gu", Earlier::Nothing);
        seen.remember("kim@example.org", Earlier::Found(1));
        assert_eq!(seen.earlier("Gangnam-gu"), Some(Earlier::Nothing));
        assert_eq!(seen.earlier("kim@example.org"), Some(Earlier::Found(1)));
        for text in &texts {
            assert_eq!(seen.earlier(text), None, "{text} is new");
            seen.remember(text, Earlier::Nothing);
        }
        assert_eq!(seen.texts.len(), Seen::AT_MOST, "bounded");
        assert_eq!(
            seen.earlier("kim@example.org"),
            Some(Earlier::Found(1)),
            "kept"
        );

        let mut unique = Seen::default();
        for text in &texts {
            assert_eq!(unique.earlier(text), None);
            unique.remember(text, Earlier::Nothing);
        }
        assert!(unique.off, "a full memo without a repeat stops looking");
        assert_eq!(unique.earlier("v0"), None);
    }

    #[test]
    fn an_executor_detects_with_each_runs_definitions_and_keeps_a_bounded_cache() {
        let built = Built::new(Arc::new(Definitions::embedded().clone()));
        for run in 0..BUILT_AT_MOST + 4 {
            let (detectors, kinds) = built
                .detectors(&run_definitions(run), "xx-code")
                .expect("the detectors build");
            assert_eq!(kinds, vec![IdentifierKind::named("xx-code")]);
            let found = detectors.scan(&format!("ticket R{run}-1234"));
            assert_eq!(found.len(), 1, "run {run} detects with its own form");
            assert!(detectors.scan("ticket R999-1234").is_empty());
            let cached = built.by_kinds.lock().map(|b| b.len()).unwrap_or(0);
            assert!(cached <= BUILT_AT_MOST, "{cached} kept after run {run}");
        }
        let (embedded, _) = built.detectors("", "email").expect("the embedded build");
        assert_eq!(embedded.scan("kim@example.org").len(), 1);
    }
}
