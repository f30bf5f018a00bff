//! Per-run column codes: what the values of a categorical
//! quasi-identifier travel as on a Ballista cluster (an embedded
//! DataFusion session, whose counts stay in the auditor's process, keeps
//! the texts: `fusion::Coding`).
//!
//! Judging needs nothing of such a value but equality: it makes the
//! classes, and no check reads its text once the engine has counted the
//! column's identifier detections (which it does on the text, where the
//! data is). So the class query groups the column by
//! `cityconform_code(text, key)`, a keyed hash of the text, and only the
//! codes cross the network (Ballista's shuffle between executors, and the
//! grouped counts coming back) and reach the summary.
//!
//! Each column gets its own key, drawn from the operating system at the
//! start of the run and never written: the same value has different
//! codes in two columns and in two runs, and a summary kept after the run
//! cannot be tested against guessed values. The hash is SipHash-1-3 with a
//! 128-bit output: two distinct values of one column share a code with a
//! probability near n²/2¹²⁹ for n distinct values (about 10⁻²¹ for a
//! billion), which would merge two classes.
//!
//! The other interned columns keep their text: numbers are normalised and
//! ranked from it, timestamps and coordinates judged for their precision,
//! and sensitive values ordered by it (that order sets the order of the
//! floating-point sums of entropy and t, so that every engine reports the
//! same digits).

use std::hash::Hasher;
use std::sync::Arc;

use ::datafusion::arrow::array::{Array, AsArray, FixedSizeBinaryArray, FixedSizeBinaryBuilder};
use ::datafusion::arrow::compute::cast;
use ::datafusion::arrow::datatypes::DataType;
use ::datafusion::common::{DataFusionError, Result as DfResult};
use ::datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use siphasher::sip128::{Hasher128, SipHasher13};

use super::udf::literal;
use crate::dataset::descriptor::{Column, Role, ValueType};
use crate::error::{Error, Result};
use crate::hex::lower_hex;

/// The name of the code function.
pub const CODE: &str = "cityconform_code";

/// Bytes of a code.
const CODE_BYTES: i32 = 16;

/// Whether the engines carry `column` as codes: a categorical
/// quasi-identifier.
pub(super) fn is_coded(column: &Column) -> bool {
    column.role == Role::QuasiIdentifier && column.value_type == ValueType::Categorical
}

/// A new key for one column of one run, as the function's literal
/// argument: 128 bits from the operating system, in hexadecimal.
pub(super) fn new_key() -> Result<String> {
    let mut key = [0u8; 16];
    getrandom::fill(&mut key)
        .map_err(|e| Error::Internal(format!("cannot draw a key for the column codes: {e}")))?;
    Ok(lower_hex(&key))
}

/// The text a code is interned as in the summary: its bytes in
/// hexadecimal. A null code (a cell without a value) is the empty text,
/// the missing value.
pub(super) fn code_texts(array: &dyn Array) -> Option<Vec<String>> {
    let codes: &FixedSizeBinaryArray = array.as_fixed_size_binary_opt()?;
    Some(
        (0..codes.len())
            .map(|row| {
                if codes.is_null(row) {
                    String::new()
                } else {
                    lower_hex(codes.value(row))
                }
            })
            .collect(),
    )
}

/// The two halves of a key literal.
fn parse_key(text: &str) -> DfResult<(u64, u64)> {
    let invalid = || DataFusionError::Execution(format!("{CODE}'s key must be 32 hex digits"));
    if text.len() != 32 || !text.is_ascii() {
        return Err(invalid());
    }
    let (high, low) = text.split_at(16);
    let half = |t: &str| u64::from_str_radix(t, 16).map_err(|_| invalid());
    Ok((half(high)?, half(low)?))
}

/// The code of a non-empty text under a key.
fn code((k0, k1): (u64, u64), text: &str) -> [u8; 16] {
    let mut hasher = SipHasher13::new_with_keys(k0, k1);
    hasher.write(text.as_bytes());
    hasher.finish128().as_bytes()
}

/// The code function, registered with the others wherever plans are made
/// or run.
pub fn function() -> ScalarUDF {
    ScalarUDF::new_from_impl(Code {
        signature: Signature::any(2, Volatility::Immutable),
    })
}

/// `cityconform_code(text, key)`: 16 bytes per text, null for a cell
/// without a value (null or empty), so that it stays the missing value.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Code {
    signature: Signature,
}

impl ScalarUDFImpl for Code {
    fn name(&self) -> &str {
        CODE
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::FixedSizeBinary(CODE_BYTES))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let [text, key] = args.args.as_slice() else {
            return Err(DataFusionError::Execution(format!(
                "{CODE} takes a text and a key"
            )));
        };
        let key = parse_key(&literal(key, "the key")?)?;
        let texts = cast(&text.to_array(rows)?, &DataType::Utf8)?;
        let texts = texts.as_string::<i32>();
        let mut codes = FixedSizeBinaryBuilder::with_capacity(rows, CODE_BYTES);
        for row in 0..rows {
            if texts.is_null(row) || texts.value(row).is_empty() {
                codes.append_null();
            } else {
                codes.append_value(code(key, texts.value(row)))?;
            }
        }
        Ok(ColumnarValue::Array(Arc::new(codes.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_the_halves_it_was_written_from() {
        let key = new_key().expect("the system gives random bytes");
        assert_eq!(key.len(), 32);
        let (high, low) = parse_key(&key).expect("a drawn key parses");
        assert_eq!(format!("{high:016x}{low:016x}"), key);
        assert!(parse_key("00").is_err());
        assert!(parse_key(&"g".repeat(32)).is_err());
        assert!(parse_key(&"é".repeat(16)).is_err(), "not 32 ASCII digits");
    }

    #[test]
    fn codes_are_equal_for_equal_texts_only_and_depend_on_the_key() {
        let (a, b) = ((1, 2), (1, 3));
        assert_eq!(code(a, "Gangnam-gu"), code(a, "Gangnam-gu"));
        assert_ne!(code(a, "Gangnam-gu"), code(a, "Gangnam-gu "));
        assert_ne!(code(a, "Gangnam-gu"), code(b, "Gangnam-gu"));
    }
}
