//! The named validators a detector definition may call on a candidate that
//! its pattern found: check digits and the plausibility of what the digits
//! encode (a birth date, a century). A pattern alone cannot tell a resident
//! number from an epoch timestamp or a product code; these functions can,
//! often, and say how much the candidate should be trusted afterwards.
//!
//! Each validator is named in `suites/detectors/*.toml` (`validator =
//! "kr-rrn"`); the names are [`Validator::NAMES`]. A region adds a national
//! identifier without Rust when one of them fits its scheme.

use std::net::Ipv4Addr;

/// What a validator makes of a candidate it does not reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Check {
    /// How the candidate's confidence moves from its form's.
    pub step: Step,
    /// Whether a check digit that may legitimately fail matched (resident
    /// numbers only, whose digits after the gender digit are random since
    /// October 2020); `None` when the scheme has none or it must match.
    pub checksum: Option<bool>,
}

/// A move of confidence after validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The form's confidence stands.
    Keep,
    /// One level lower.
    Lower,
    /// Low, whatever the form: the digits read better as something else.
    Low,
}

impl Check {
    const PASS: Check = Check {
        step: Step::Keep,
        checksum: None,
    };
}

/// A validator a definition can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validator {
    /// Korean resident and alien registration numbers: a real birth date
    /// in the century the gender digit names, not in the future; the check
    /// digit lowers confidence when it fails, and a bare number that is
    /// also a valid EAN-13 product code is low.
    KrResident,
    /// Singapore NRIC and FIN: the check letter of the prefix's series.
    SgNric,
    /// Verhoeff's check digit (India's Aadhaar).
    Verhoeff,
    /// China's resident identity number: ISO 7064 MOD 11-2 check
    /// character and a real birth date.
    CnResident,
    /// Japan's individual number (My Number): its mod-11 check digit.
    JpMyNumber,
    /// A dotted quad that parses as an address other than unspecified and
    /// loopback; four small numbers (`1.2.3.4`, `12.2.1.0`) read as a
    /// version and are low.
    Ipv4,
    /// A run of hex digits holding both a letter and a digit (a bare MAC
    /// address, not a word or a decimal number).
    HexMixed,
    /// An IPv6 address anywhere in the text, parsed (the pattern only
    /// pre-filters): see `identifiers::find_ipv6`.
    Ipv6,
}

impl Validator {
    /// The names definitions use, with their validators.
    pub(crate) const NAMES: [(&'static str, Validator); 8] = [
        ("kr-rrn", Validator::KrResident),
        ("sg-nric", Validator::SgNric),
        ("verhoeff", Validator::Verhoeff),
        ("iso7064-mod11-2", Validator::CnResident),
        ("jp-my-number", Validator::JpMyNumber),
        ("ipv4", Validator::Ipv4),
        ("hex-mixed", Validator::HexMixed),
        ("ipv6", Validator::Ipv6),
    ];

    /// The validator named `name`, if any.
    pub(crate) fn named(name: &str) -> Option<Validator> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|&(_, validator)| validator)
    }

    /// `None` when `candidate` is not what the scheme allows.
    pub(crate) fn check(self, candidate: &str) -> Option<Check> {
        match self {
            Validator::KrResident => kr_resident(candidate),
            Validator::SgNric => sg_nric_valid(candidate).then_some(Check::PASS),
            Validator::Verhoeff => {
                with_ascii_digits(candidate, verhoeff_valid).then_some(Check::PASS)
            }
            Validator::CnResident => cn_resident_valid(candidate).then_some(Check::PASS),
            Validator::JpMyNumber => {
                with_ascii_digits(candidate, my_number_valid).then_some(Check::PASS)
            }
            Validator::Ipv4 => ipv4(candidate),
            Validator::HexMixed => hex_mixed(candidate).then_some(Check::PASS),
            // Decided over the whole text by the detectors.
            Validator::Ipv6 => Some(Check::PASS),
        }
    }
}

/// Most candidates hold no more digits than this: theirs are read onto
/// the stack, since a validator runs for every candidate a pattern finds.
const DIGITS_ON_STACK: usize = 24;

/// `f` of the ASCII digits of `text` ([`ascii_digits`]), without an
/// allocation when they are few.
fn with_ascii_digits<R>(text: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut digits = [0u8; DIGITS_ON_STACK];
    let mut count = 0;
    for byte in text.bytes().filter(u8::is_ascii_digit) {
        let Some(slot) = digits.get_mut(count) else {
            return f(&ascii_digits(text));
        };
        *slot = byte - b'0';
        count += 1;
    }
    f(&digits[..count])
}

/// The ASCII digits of `text`, in order, as values (separators dropped).
fn ascii_digits(text: &str) -> Vec<u8> {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

// --- Korean resident and alien registration numbers -----------------------

const RRN_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// `(11 - Σ dᵢ·wᵢ mod 11) mod 10` over the first twelve digits.
pub(crate) fn rrn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(RRN_WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    // `sum % 11` is below 11, so the result is a single digit.
    ((11 - sum % 11) % 10) as u8
}

fn kr_resident(candidate: &str) -> Option<Check> {
    with_ascii_digits(candidate, |digits| kr_resident_digits(candidate, digits))
}

/// [`kr_resident`] of `candidate`, whose digits are `digits`.
fn kr_resident_digits(candidate: &str, digits: &[u8]) -> Option<Check> {
    if digits.len() != 13 || !resident_birth_date_plausible(digits) {
        return None;
    }
    let valid = rrn_check_digit(digits) == digits[12];
    let bare = candidate.len() == 13;
    let step = if bare && (!valid || ean13_valid(digits)) {
        Step::Low
    } else if valid {
        Step::Keep
    } else {
        Step::Lower
    };
    Some(Check {
        step,
        checksum: Some(valid),
    })
}

/// Whether YYMMDD is a real day in the century the gender digit names
/// (1, 2, 5, 6: 1900s; 3, 4, 7, 8: 2000s) and not after today.
fn resident_birth_date_plausible(digits: &[u8]) -> bool {
    let century = match digits[6] {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => return false,
    };
    let year = century + i32::from(digits[0]) * 10 + i32::from(digits[1]);
    let month = u32::from(digits[2]) * 10 + u32::from(digits[3]);
    let day = u32::from(digits[4]) * 10 + u32::from(digits[5]);
    real_date_not_future(year, month, day)
}

fn real_date_not_future(year: i32, month: u32, day: u32) -> bool {
    match chrono::NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date <= today(),
        None => false,
    }
}

/// The day the process started, read once: asking the clock for every
/// candidate cost a few per cent of a scan, and a run that crosses midnight
/// loses nothing by one day.
fn today() -> chrono::NaiveDate {
    static TODAY: std::sync::OnceLock<chrono::NaiveDate> = std::sync::OnceLock::new();
    *TODAY.get_or_init(|| chrono::Utc::now().date_naive())
}

/// The EAN-13 check: weights 1 and 3 alternating, total a multiple of 10.
fn ean13_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    digits.len() == 13 && sum.is_multiple_of(10)
}

// --- Singapore NRIC / FIN --------------------------------------------------

const NRIC_WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];

fn sg_nric_valid(candidate: &str) -> bool {
    let Ok(mut bytes) = <[u8; 9]>::try_from(candidate.as_bytes()) else {
        return false;
    };
    bytes.make_ascii_uppercase();
    if !bytes[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (offset, letters): (u32, &[u8; 11]) = match bytes[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"KLJNPQRTUWX"),
        _ => return false,
    };
    let sum: u32 = bytes[1..8]
        .iter()
        .zip(NRIC_WEIGHTS)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    letters[((sum + offset) % 11) as usize] == bytes[8]
}

// --- Verhoeff ----------------------------------------------------------------

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Whether `digits` (check digit last) satisfy Verhoeff's dihedral check.
pub(crate) fn verhoeff_valid(digits: &[u8]) -> bool {
    let mut c = 0u8;
    for (i, &d) in digits.iter().rev().enumerate() {
        if d > 9 {
            return false;
        }
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[i % 8][usize::from(d)])];
    }
    !digits.is_empty() && c == 0
}

// --- China resident identity number -------------------------------------------

fn cn_resident_valid(candidate: &str) -> bool {
    let bytes = candidate.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut digits = [0u32; 17];
    for (digit, &byte) in digits.iter_mut().zip(bytes) {
        *digit = u32::from(byte - b'0');
    }
    let total = digits.iter().fold(0, |acc, &d| ((acc + d) * 2) % 11);
    let expected = b"0123456789X"[((12 - total) % 11) as usize];
    let date = |from: usize, len: usize| -> u32 {
        digits[from..from + len].iter().fold(0, |a, &d| a * 10 + d)
    };
    expected == bytes[17].to_ascii_uppercase()
        && i32::try_from(date(6, 4))
            .is_ok_and(|year| real_date_not_future(year, date(10, 2), date(12, 2)))
}

// --- Japan individual number -------------------------------------------------

/// The check digit over eleven digits: weights n+1 (n ≤ 6) and n−5 (n ≥ 7),
/// n counted from the right; 0 when the remainder is 0 or 1.
fn my_number_valid(digits: &[u8]) -> bool {
    if digits.len() != 12 {
        return false;
    }
    let sum: u32 = (1..=11)
        .map(|n: usize| {
            let weight = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(digits[11 - n]) * weight as u32
        })
        .sum();
    let remainder = sum % 11;
    let check = if remainder <= 1 { 0 } else { 11 - remainder };
    u32::from(digits[11]) == check
}

// --- addresses -----------------------------------------------------------------

fn ipv4(candidate: &str) -> Option<Check> {
    let address: Ipv4Addr = candidate.parse().ok()?;
    if address.is_unspecified() || address.is_loopback() {
        return None;
    }
    let version_like = address.octets().iter().all(|&o| o < 20);
    Some(Check {
        step: if version_like { Step::Low } else { Step::Keep },
        checksum: None,
    })
}

fn hex_mixed(candidate: &str) -> bool {
    let mut hex = candidate.bytes().filter(u8::is_ascii_hexdigit);
    hex.clone().any(|b| b.is_ascii_digit()) && hex.any(|b| b.is_ascii_alphabetic())
}

/// The current year, for messages and tests that need "not in the future".
#[cfg(test)]
pub(crate) fn this_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_numbers_need_a_real_date_in_the_gender_digits_century() {
        assert!(Validator::KrResident.check("850714-2038151").is_some());
        // 29 February 2001 does not exist; 2000 is a leap year.
        assert!(Validator::KrResident.check("010229-3000000").is_none());
        assert!(Validator::KrResident.check("000229-3000005").is_some());
        // Gender 3 in a year still to come is no one's.
        let next = (this_year() + 1) % 100;
        assert!(
            Validator::KrResident
                .check(&format!("{next:02}0101-3000000"))
                .is_none()
        );
        assert!(Validator::KrResident.check("850714-9038151").is_none());
    }

    #[test]
    fn resident_number_confidence_follows_form_checksum_and_ean() {
        let dashed_valid = Validator::KrResident.check("850714-2038151");
        assert_eq!(dashed_valid.map(|c| c.step), Some(Step::Keep));
        let dashed_invalid = Validator::KrResident.check("850714-2038154");
        assert_eq!(dashed_invalid.map(|c| c.step), Some(Step::Lower));
        assert_eq!(dashed_invalid.and_then(|c| c.checksum), Some(false));
        let bare_invalid = Validator::KrResident.check("8507142038154");
        assert_eq!(bare_invalid.map(|c| c.step), Some(Step::Low));
        assert!(ean13_valid(&ascii_digits("8801043081252")));
        assert!(!ean13_valid(&ascii_digits("8507142038151")));
    }

    #[test]
    fn singapore_nric_check_letters() {
        assert!(sg_nric_valid("S1234567D"));
        assert!(sg_nric_valid("s1234567d"));
        assert!(!sg_nric_valid("S1234567A"));
        assert!(sg_nric_valid("T1234567J"));
        assert!(sg_nric_valid("F1234567N"));
        assert!(sg_nric_valid("G1234567X"));
        assert!(!sg_nric_valid("E1234567N"));
    }

    #[test]
    fn verhoeff_known_values() {
        assert!(verhoeff_valid(&ascii_digits("2363")));
        assert!(!verhoeff_valid(&ascii_digits("2364")));
        assert!(verhoeff_valid(&ascii_digits("123451")));
        assert!(!verhoeff_valid(&[]));
    }

    #[test]
    fn chinese_resident_identity_number() {
        assert!(cn_resident_valid("11010519491231002X"));
        assert!(cn_resident_valid("11010519491231002x"));
        assert!(!cn_resident_valid("110105194912310021"));
        // A right check character cannot save 31 February.
        assert!(!cn_resident_valid("110105194902310021"));
    }

    #[test]
    fn japanese_individual_number() {
        assert!(my_number_valid(&ascii_digits("123456789018")));
        assert!(!my_number_valid(&ascii_digits("123456789012")));
    }

    #[test]
    fn small_dotted_quads_read_as_versions() {
        assert_eq!(
            Validator::Ipv4.check("1.2.3.4").map(|c| c.step),
            Some(Step::Low)
        );
        assert_eq!(
            Validator::Ipv4.check("192.0.2.1").map(|c| c.step),
            Some(Step::Keep)
        );
        assert!(Validator::Ipv4.check("127.0.0.1").is_none());
        assert!(Validator::Ipv4.check("256.1.1.1").is_none());
    }
}
