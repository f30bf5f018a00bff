//! Exact numbers for numeric columns.
//!
//! A numeric column's values are interned by value, so that `30`, `30.0`
//! and `3e1` are one value. Going through `f64` would also merge values
//! that differ: every integer above 2^53 shares its float with a
//! neighbour, and `0.1` with `0.10000000000000001`. Two records that
//! differ in a quasi-identifier would then land in one class (k too high)
//! and two sensitive values would count as one (l and t wrong). A
//! [`Number`] is the decimal the cell writes, kept exactly: its sign, its
//! significant digits and a power of ten, compared and hashed as a value.

use std::cmp::Ordering;
use std::fmt;

/// Largest power of ten a cell may write. Beyond it a cell is no number
/// anyone means (and the exponent arithmetic stays far from overflow).
const MAX_EXPONENT: i64 = 1_000_000_000;

/// Plain notation (no exponent) while it needs at most this many zeros
/// beyond the significant digits; scientific notation after.
const PLAIN_ZEROS: i64 = 20;

/// A finite decimal number, exactly as written.
///
/// The value is `digits × 10^exponent`, `digits` read as a whole number;
/// `digits` has no leading or trailing zero (it is empty for zero, whose
/// sign is always positive), so each value has one representation and the
/// derived equality and hash are equality and hash of values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    digits: Box<str>,
    exponent: i64,
}

/// A cell that is not a decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

impl Number {
    /// Reads a decimal as written in a cell: an optional sign, digits with
    /// an optional decimal point (at least one digit), an optional exponent
    /// (`e` or `E`, an optional sign, digits). Surrounding blanks are
    /// ignored; `None` for a blank cell (a missing value).
    pub fn parse(text: &str) -> Result<Option<Number>, NotANumber> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let (negative, unsigned) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
            return Err(NotANumber);
        }
        let joined = format!("{whole}{fraction}");
        let significant = joined.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.is_empty() {
            return Ok(Some(Number::zero()));
        }
        let trailing = (significant.len() - trimmed.len()) as i64;
        let exponent = exponent - fraction.len() as i64 + trailing;
        let leading = exponent + trimmed.len() as i64 - 1;
        if leading.abs() > MAX_EXPONENT {
            return Err(NotANumber);
        }
        Ok(Some(Number {
            negative,
            digits: trimmed.into(),
            exponent,
        }))
    }

    fn zero() -> Number {
        Number {
            negative: false,
            digits: "".into(),
            exponent: 0,
        }
    }

    /// The power of ten of the first significant digit (0 for zero).
    fn leading_exponent(&self) -> i64 {
        if self.digits.is_empty() {
            0
        } else {
            self.exponent + self.digits.len() as i64 - 1
        }
    }

    /// Order of absolute values.
    fn cmp_magnitude(&self, other: &Number) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            // Same leading power: the digit strings compare as fractions
            // 0.d₁d₂…, which text order gives (no trailing zeros).
            (false, false) => self
                .leading_exponent()
                .cmp(&other.leading_exponent())
                .then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

/// An exponent's digits, with its sign; out of range is not a number.
fn parse_exponent(text: &str) -> Result<i64, NotANumber> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NotANumber);
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 12 {
        return Err(NotANumber);
    }
    let value: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| NotANumber)?
    };
    Ok(if negative { -value } else { value })
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The canonical text of the value: one text per value (`30` for `30.0`
/// and `3e1`), plain while it needs few zeros, scientific beyond.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let digits = &*self.digits;
        let leading = self.leading_exponent();
        if self.exponent >= 0 && self.exponent <= PLAIN_ZEROS {
            write!(f, "{digits}{}", "0".repeat(self.exponent as usize))
        } else if self.exponent < 0 && leading >= 0 {
            let point = (leading + 1) as usize;
            write!(f, "{}.{}", &digits[..point], &digits[point..])
        } else if leading < 0 && -leading <= PLAIN_ZEROS {
            write!(f, "0.{}{digits}", "0".repeat((-leading - 1) as usize))
        } else {
            let (first, rest) = digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            write!(f, "{first}{point}{rest}e{leading}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).expect("a number").expect("not blank")
    }

    #[test]
    fn one_value_however_it_is_written() {
        for same in ["30", "30.0", "+30", "3e1", "3.0E+1", "0030.000", "300e-1"] {
            assert_eq!(n(same), n("30"), "{same}");
            assert_eq!(n(same).to_string(), "30", "{same}");
        }
        for zero in ["0", "-0", "0.000", "0e999", ".0", "0."] {
            assert_eq!(n(zero), n("0"), "{zero}");
        }
    }

    #[test]
    fn values_a_float_merges_stay_apart() {
        // 2^53 + 1 has no float of its own: it rounds to 2^53.
        assert_ne!(n("9007199254740993"), n("9007199254740992"));
        assert!(n("9007199254740992") < n("9007199254740993"));
        assert_ne!(n("0.1"), n("0.10000000000000001"));
        assert!(n("0.1") < n("0.10000000000000001"));
        assert_eq!(n("9007199254740993").to_string(), "9007199254740993");
    }

    #[test]
    fn numeric_order() {
        let mut values: Vec<Number> = ["1e3", "-2", "0.5", "-10", "0", "99.9", "-0.25", "1000.1"]
            .iter()
            .map(|t| n(t))
            .collect();
        values.sort();
        let texts: Vec<String> = values.iter().map(Number::to_string).collect();
        assert_eq!(
            texts,
            ["-10", "-2", "-0.25", "0", "0.5", "99.9", "1000", "1000.1"]
        );
    }

    #[test]
    fn canonical_text_is_plain_until_it_needs_many_zeros() {
        assert_eq!(n("1.25").to_string(), "1.25");
        assert_eq!(n("-0.0012").to_string(), "-0.0012");
        assert_eq!(n("12e18").to_string(), "12000000000000000000");
        assert_eq!(n("1e400").to_string(), "1e400");
        assert_eq!(n("-2.5e-400").to_string(), "-2.5e-400");
    }

    #[test]
    fn blanks_are_missing_and_anything_else_is_refused() {
        assert_eq!(Number::parse("  "), Ok(None));
        for bad in [
            "thirty",
            "NaN",
            "inf",
            "1e",
            "e5",
            ".",
            "-",
            "1.2.3",
            "0x10",
            "1_000",
            "1e+",
            "1e9999999999999",
        ] {
            assert_eq!(Number::parse(bad), Err(NotANumber), "{bad}");
        }
    }
}
