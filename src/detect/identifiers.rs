//! Value-based detection of direct identifiers: e-mail addresses, phone
//! numbers (Korea, India, Singapore, Indonesia), Korean resident registration
//! numbers and vehicle plates, passport numbers, IP and MAC addresses found
//! inside the string values of exchanged records.
//!
//! This module owns the patterns and their validation, nothing else: which
//! fields are scanned, and what a finding means for a requirement, belong to
//! the payload check. A [`Detection`] names the kind of identifier and never
//! carries the matched text, so that a report built from it can say *what*
//! was found without repeating the personal data it is warning about.
//!
//! Detection is built for volume: every string of every record passes
//! through [`Detectors::scan`]. The patterns are compiled once in
//! [`Detectors::new`]; a scan first rejects strings that cannot hold any
//! identifier (too few of the characters every identifier needs, or an ISO
//! 8601 timestamp), then runs one [`RegexSet`] pass, and only then validates
//! the few candidates that a pattern alone cannot decide (RRN dates and check
//! digits, IP addresses).
//!
//! The `regex` crate has no look-around, so "whole token" is spelled with
//! boundary groups that consume the neighbouring character; candidates are
//! walked from the end of each core rather than of each match, so that one
//! boundary character can serve two neighbouring candidates.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use regex::{Regex, RegexSet};

/// A kind of direct identifier that can be recognised from its format.
///
/// The serde names (and [`IdentifierKind::as_str`]) are the names used in the
/// catalogue's `detectors` parameter and in report evidence.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifierKind {
    /// An e-mail address.
    Email,
    /// A Korean mobile or landline number, domestic or `+82`.
    PhoneKr,
    /// An Indian mobile number, bare or with `+91`, `91` or `0`.
    PhoneIn,
    /// A Singapore number with `+65`, or a bare 8-digit value on its own.
    PhoneSg,
    /// An Indonesian mobile number with `+62`, `62` or `0`.
    PhoneId,
    /// A Korean resident (or alien) registration number.
    KrRrn,
    /// A Korean vehicle registration plate.
    KrPlate,
    /// A Korean, Indian or Singapore passport number.
    Passport,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A MAC (EUI-48) address.
    Mac,
}

impl IdentifierKind {
    /// Every kind, in the order detections are reported.
    pub const ALL: [IdentifierKind; 11] = [
        IdentifierKind::Email,
        IdentifierKind::PhoneKr,
        IdentifierKind::PhoneIn,
        IdentifierKind::PhoneSg,
        IdentifierKind::PhoneId,
        IdentifierKind::KrRrn,
        IdentifierKind::KrPlate,
        IdentifierKind::Passport,
        IdentifierKind::Ipv4,
        IdentifierKind::Ipv6,
        IdentifierKind::Mac,
    ];

    /// The name used in catalogues and reports (the same as the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Email => "email",
            IdentifierKind::PhoneKr => "phone-kr",
            IdentifierKind::PhoneIn => "phone-in",
            IdentifierKind::PhoneSg => "phone-sg",
            IdentifierKind::PhoneId => "phone-id",
            IdentifierKind::KrRrn => "kr-rrn",
            IdentifierKind::KrPlate => "kr-plate",
            IdentifierKind::Passport => "passport",
            IdentifierKind::Ipv4 => "ipv4",
            IdentifierKind::Ipv6 => "ipv6",
            IdentifierKind::Mac => "mac",
        }
    }

    /// Plain words for messages, so that a report can say what it found
    /// without showing it.
    pub fn describe(self) -> &'static str {
        match self {
            IdentifierKind::Email => "e-mail address",
            IdentifierKind::PhoneKr => "Korean phone number",
            IdentifierKind::PhoneIn => "Indian phone number",
            IdentifierKind::PhoneSg => "Singapore phone number",
            IdentifierKind::PhoneId => "Indonesian phone number",
            IdentifierKind::KrRrn => "Korean resident registration number",
            IdentifierKind::KrPlate => "Korean vehicle plate number",
            IdentifierKind::Passport => "passport number",
            IdentifierKind::Ipv4 => "IPv4 address",
            IdentifierKind::Ipv6 => "IPv6 address",
            IdentifierKind::Mac => "MAC address",
        }
    }

    /// [`IdentifierKind::describe`] with its indefinite article, for messages.
    pub fn with_article(self) -> String {
        let noun = self.describe();
        // Every noun here that starts with a vowel letter also starts with
        // a vowel sound ("an e-mail", "an IPv4", "an Indian").
        let article = if noun.starts_with(|c: char| "aeiouAEIOU".contains(c)) {
            "an"
        } else {
            "a"
        };
        format!("{article} {noun}")
    }

    /// The kinds `names` name, or which name is unknown and what is known:
    /// the `detectors` parameter of the checks that use them.
    pub fn parse_all(names: &[String]) -> Result<Vec<Self>, String> {
        names
            .iter()
            .map(|name| {
                IdentifierKind::parse(name).ok_or_else(|| {
                    let known: Vec<_> = IdentifierKind::ALL.iter().map(|k| k.as_str()).collect();
                    format!(
                        "unknown detector `{name}`; known detectors: {}",
                        known.join(", ")
                    )
                })
            })
            .collect()
    }

    /// The kind named `name` (as in [`IdentifierKind::as_str`]), if any.
    pub fn parse(name: &str) -> Option<Self> {
        IdentifierKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One kind of identifier found in a string. Deliberately holds no part of
/// the string: whoever reports it cannot leak the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// What was found.
    pub kind: IdentifierKind,
    /// For [`IdentifierKind::KrRrn`] only: whether a found number satisfies
    /// the check digit. `Some(false)` is still a finding, because numbers
    /// issued since October 2020 carry random digits after the gender digit.
    pub checksum_valid: Option<bool>,
}

impl Detection {
    fn of(kind: IdentifierKind) -> Self {
        Detection {
            kind,
            checksum_valid: None,
        }
    }

    fn resident_number(checksum_valid: bool) -> Self {
        Detection {
            kind: IdentifierKind::KrRrn,
            checksum_valid: Some(checksum_valid),
        }
    }
}

/// The selected detectors, compiled once and shared by every scan.
#[derive(Debug)]
pub struct Detectors {
    /// The selected kinds, sorted and without repeats; pattern `i` of
    /// `candidates` belongs to `kinds[i]`, so set matches come out in kind
    /// order.
    kinds: Vec<IdentifierKind>,
    /// One pattern per selected kind, run in a single pass over the text.
    candidates: RegexSet,
    /// The RRN pattern again, to walk its candidates (present when selected).
    resident_numbers: Option<Regex>,
    /// The IPv4 pattern again, to parse its candidates (present when selected).
    ipv4_addresses: Option<Regex>,
}

impl Detectors {
    /// Compiles the patterns of `kinds` (repeats are ignored; an empty slice
    /// gives detectors that find nothing).
    pub fn new(kinds: &[IdentifierKind]) -> Self {
        Self::compile(kinds)
            .expect("identifier patterns are constants, each compiled by a unit test")
    }

    fn compile(kinds: &[IdentifierKind]) -> Result<Self, regex::Error> {
        let mut kinds = kinds.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        let candidates = RegexSet::new(kinds.iter().map(|&kind| pattern(kind)))?;
        let compile_if_selected = |kind: IdentifierKind| -> Result<Option<Regex>, regex::Error> {
            kinds
                .contains(&kind)
                .then(|| Regex::new(&pattern(kind)))
                .transpose()
        };
        Ok(Detectors {
            resident_numbers: compile_if_selected(IdentifierKind::KrRrn)?,
            ipv4_addresses: compile_if_selected(IdentifierKind::Ipv4)?,
            candidates,
            kinds,
        })
    }

    /// Every selected kind found in `text`, at most one detection per kind,
    /// in kind order. Never returns any part of `text`.
    pub fn scan(&self, text: &str) -> Vec<Detection> {
        if self.kinds.is_empty() || !may_hold_identifier(text) {
            return Vec::new();
        }
        self.scan_candidates(text)
    }

    /// The regex part of [`Detectors::scan`], without the shortcuts. A
    /// yes/no pass comes first because it costs half of finding which
    /// patterns matched, and most strings that reach it match none.
    fn scan_candidates(&self, text: &str) -> Vec<Detection> {
        if !self.candidates.is_match(text) {
            return Vec::new();
        }
        self.candidates
            .matches(text)
            .iter()
            .filter_map(|index| self.confirm(self.kinds[index], text))
            .collect()
    }

    /// Turns a pattern hit into a detection, after the validation that a
    /// pattern cannot express; `None` when no candidate survives it.
    fn confirm(&self, kind: IdentifierKind, text: &str) -> Option<Detection> {
        match kind {
            IdentifierKind::KrRrn => self
                .resident_numbers
                .as_ref()
                .and_then(|re| find_resident_number(re, text)),
            IdentifierKind::Ipv4 => self
                .ipv4_addresses
                .as_ref()
                .filter(|re| contains_ipv4(re, text))
                .map(|_| Detection::of(kind)),
            IdentifierKind::Ipv6 => contains_ipv6(text).then(|| Detection::of(kind)),
            _ => Some(Detection::of(kind)),
        }
    }
}

/// Whether a 13-digit Korean resident registration number, written bare or
/// with a dash after the sixth digit, satisfies its check digit. Anything
/// else (other lengths, other separators, non-ASCII digits) is `false`.
///
/// The check digit is `(11 - Σ dᵢ·wᵢ mod 11) mod 10` over the first twelve
/// digits with weights 2–9, 2–5.
pub fn rrn_checksum_valid(digits13: &str) -> bool {
    match resident_number_digits(digits13) {
        Some(digits) => expected_check_digit(&digits) == digits[12],
        None => false,
    }
}

/// The 13 digit values of `text` if it is `dddddddddddd` or `dddddd-ddddddd`.
fn resident_number_digits(text: &str) -> Option<[u8; 13]> {
    let bytes = text.as_bytes();
    let digit_bytes: Vec<u8> = match bytes.len() {
        13 => bytes.to_vec(),
        14 if bytes[6] == b'-' => bytes
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 6)
            .map(|(_, &b)| b)
            .collect(),
        _ => return None,
    };
    let mut digits = [0u8; 13];
    for (slot, byte) in digits.iter_mut().zip(digit_bytes) {
        if !byte.is_ascii_digit() {
            return None;
        }
        *slot = byte - b'0';
    }
    Some(digits)
}

const RRN_WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

fn expected_check_digit(digits: &[u8; 13]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(RRN_WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    // `sum % 11` is below 11, so the result is a single digit.
    ((11 - sum % 11) % 10) as u8
}

/// Shortest string any detector can report: a compressed IPv6 address such
/// as `::2`.
const MIN_IDENTIFIER_LEN: usize = 3;

/// Fewest digits in any digit-based identifier: an IPv4 address (`1.1.1.1`).
/// Plates have at least 5, passports 7, phones 8, RRNs 13.
const MIN_DIGITS: usize = 4;

/// A MAC address has five separators; a full IPv6 address without `::` has
/// at least six colons.
const MIN_SEPARATORS: usize = 5;

/// Cheap pre-filter for the common case, so that most strings never reach a
/// regex: true unless `text` provably cannot hold an identifier.
///
/// Every pattern needs one of: an `@` (e-mail), four ASCII digits (phones,
/// RRN, plates, passports, IPv4), `::` or five colons (IPv6, MAC), five
/// dashes (MAC). ISO 8601 timestamps, the most common strings with many
/// digits, are ruled out by their shape.
fn may_hold_identifier(text: &str) -> bool {
    text.len() >= MIN_IDENTIFIER_LEN && has_identifier_ingredients(text) && !is_iso_timestamp(text)
}

/// One pass that stops as soon as an ingredient is present; most strings are
/// words and go through it without taking a branch.
fn has_identifier_ingredients(text: &str) -> bool {
    let (mut digits, mut colons, mut dashes) = (0, 0, 0);
    let mut previous = 0;
    for &byte in text.as_bytes() {
        let enough = match byte {
            b'@' => true,
            b'0'..=b'9' => {
                digits += 1;
                digits >= MIN_DIGITS
            }
            b':' => {
                colons += 1;
                colons >= MIN_SEPARATORS || previous == b':'
            }
            b'-' => {
                dashes += 1;
                dashes >= MIN_SEPARATORS
            }
            _ => false,
        };
        if enough {
            return true;
        }
        previous = byte;
    }
    false
}

/// Whether `text` is exactly an ISO 8601 date or date-time
/// (`2024-05-01`, `2024-05-01T10:15`, `…:00`, `….123456789`, `Z`, `+09:00`).
///
/// No detector can match such a string whatever its digits: its digit groups
/// are too short for a phone or RRN, the fraction follows a decimal point, and
/// its colons are too few for IPv6 or MAC. A property test checks this
/// against the full scan.
fn is_iso_timestamp(text: &str) -> bool {
    let Some(rest) = strip_shape(text.as_bytes(), b"dddd-dd-dd") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(mut rest) = strip_shape(rest, b"Tdd:dd") else {
        return false;
    };
    if let Some(after_seconds) = strip_shape(rest, b":dd") {
        rest = after_seconds;
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', offset @ ..] => strip_shape(offset, b"dd:dd").is_some_and(<[u8]>::is_empty),
        _ => false,
    }
}

/// `bytes` after a prefix of the given shape, where `d` stands for any ASCII
/// digit and every other byte for itself.
fn strip_shape<'b>(bytes: &'b [u8], shape: &[u8]) -> Option<&'b [u8]> {
    let (head, rest) = bytes.split_at_checked(shape.len())?;
    let fits = head.iter().zip(shape).all(|(&byte, &want)| {
        if want == b'd' {
            byte.is_ascii_digit()
        } else {
            byte == want
        }
    });
    fits.then_some(rest)
}

/// Start of a number: not after a digit, nor after a decimal point that
/// follows a digit (so `0.0212345678` is one number, not a phone).
const NUMBER_START: &str = r"(?:^|[^0-9.]|[^0-9]\.)";
/// End of a number: no digit follows, nor a decimal point with a digit
/// after it (a full stop ending a sentence is fine).
const NUMBER_END: &str = r"(?:$|[^0-9.]|\.$|\.[^0-9])";
/// Edges of an alphanumeric token (plates).
const WORD_START: &str = r"(?:^|[^0-9A-Za-z])";
const WORD_END: &str = r"(?:$|[^0-9A-Za-z])";
/// Edges of a document-number token: a hyphen or underscore joins, so the
/// first group of an upper-case UUID (`A1234567-…`) is not a passport.
const CODE_START: &str = r"(?:^|[^0-9A-Za-z_-])";
const CODE_END: &str = r"(?:$|[^0-9A-Za-z_-])";

/// Korean mobile (`01x`), landline (`02`, `0[3-6][1-5]`), and the same with
/// `+82` in place of the trunk `0`, then 3–4 and 4 digits.
///
/// Dashes may be dropped one at a time (`010-12345678`), but dots and spaces
/// must separate both groups: a single dot is a decimal point, and
/// `…T10:15:02.1234567Z` (seconds `02`, a 7-digit fraction) is a timestamp,
/// not the Seoul number `02.1234 567…`.
const PHONE_KR: &str = concat!(
    r"(?:01[016789]|0(?:2|[3-6][1-5])|\+82[-. ]?(?:1[016789]|2|[3-6][1-5]))",
    r"(?:-?[0-9]{3,4}-?|\.[0-9]{3,4}\.| [0-9]{3,4} )[0-9]{4}",
);
/// Indian mobile: optional `+91`/`91`/`0`, then ten digits from 6–9, written
/// whole, 5+5 or 3+3+4.
const PHONE_IN: &str = concat!(
    r"(?:\+91[ -]?|91[ -]?|0)?",
    r"(?:[6-9][0-9]{4}[ -]?[0-9]{5}|[6-9][0-9]{2}[ -][0-9]{3}[ -][0-9]{4})",
);
/// Singapore with `+65`; the bare form is in [`PHONE_SG_WHOLE_VALUE`].
const PHONE_SG: &str = r"\+65[ -]?[689][0-9]{3}[ -]?[0-9]{4}";
/// A bare Singapore number is only taken when it is the whole value: eight
/// digits inside a sentence are as likely a count or a reference.
const PHONE_SG_WHOLE_VALUE: &str = r"^\s*[689][0-9]{3} ?[0-9]{4}\s*$";
/// Indonesian mobile: prefix, `8[1-9]`, then 6–10 digits, each optionally
/// after one space or dash (`+62 812-3456-7890`).
const PHONE_ID: &str = r"(?:\+62[ -]?|62[ -]?|0)8[1-9](?:[ -]?[0-9]){6,10}";
/// YYMMDD with a plausible month and day, optional dash, gender digit 1–8
/// (9 and 0 mark births in the 1800s: no living holder), six more digits.
const KR_RRN: &str = r"[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-?[1-8][0-9]{6}";
/// Private (`12가3456`, `123가3456`) and regional/commercial
/// (`서울12가3456`) plates, unspaced: a particle may follow (`12가3456을`).
const KR_PLATE_UNSPACED: &str = r"[0-9]{2,3}[가-힣][0-9]{4}|[가-힣]{2}[0-9]{1,2}[가-힣][0-9]{4}";
/// The same with a space after the syllable: then a following syllable means
/// prose (`12명 2024년`), not a plate.
const KR_PLATE_SPACED: &str = r"[0-9]{2,3}[가-힣] [0-9]{4}|[가-힣]{2}[0-9]{1,2}[가-힣] [0-9]{4}";
const KR_PLATE_SPACED_END: &str = r"(?:$|[^0-9A-Za-z가-힣])";
/// Korean old (`M12345678`) and current (`M123A4567`), Indian (`A1234567`),
/// Singapore (`E1234567A`); upper case only.
const PASSPORT: &str =
    r"[MSRGD][0-9]{8}|M[0-9]{3}[A-Z][0-9]{4}|[A-PR-WY][1-9][0-9]{6}|[EK][0-9]{7}[A-Z]";
const IPV4_DOTTED_QUAD: &str = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}";
/// Pre-filter only: a compressed address (`::`) or seven groups in a row (a
/// full address, or six groups and a dotted quad); the address itself is
/// found and parsed by [`contains_ipv6`]. Times such as `10:15:00` have too
/// few groups to pass.
const IPV6_CANDIDATE: &str = r"::|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){6}";
/// Six hex pairs, all separated by colons or all by dashes, as a token of
/// their own (a seventh pair or an IPv6 group next to them disqualifies).
const MAC_COLONS: &str =
    r"(?:^|[^0-9A-Za-z:])[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}(?:$|[^0-9A-Za-z:])";
const MAC_DASHES: &str =
    r"(?:^|[^0-9A-Za-z-])[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}(?:$|[^0-9A-Za-z-])";
/// `local@domain.tld`, the top-level domain alphabetic and not running on
/// into a longer word.
const EMAIL: &str =
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:$|[^A-Za-z0-9])";

/// The pattern for `kind`. Where candidates need validation (RRN, IPv4),
/// capture group 1 is the candidate without its boundary characters.
fn pattern(kind: IdentifierKind) -> String {
    match kind {
        IdentifierKind::Email => EMAIL.to_owned(),
        IdentifierKind::PhoneKr => number_token(PHONE_KR),
        IdentifierKind::PhoneIn => number_token(PHONE_IN),
        IdentifierKind::PhoneSg => format!("{}|{PHONE_SG_WHOLE_VALUE}", number_token(PHONE_SG)),
        IdentifierKind::PhoneId => number_token(PHONE_ID),
        IdentifierKind::KrRrn => number_token(KR_RRN),
        IdentifierKind::KrPlate => format!(
            "{WORD_START}(?:{KR_PLATE_UNSPACED}){WORD_END}|{WORD_START}(?:{KR_PLATE_SPACED}){KR_PLATE_SPACED_END}"
        ),
        IdentifierKind::Passport => format!("{CODE_START}(?:{PASSPORT}){CODE_END}"),
        IdentifierKind::Ipv4 => number_token(IPV4_DOTTED_QUAD),
        IdentifierKind::Ipv6 => IPV6_CANDIDATE.to_owned(),
        IdentifierKind::Mac => format!("{MAC_COLONS}|{MAC_DASHES}"),
    }
}

/// `core` as a whole number: captured in group 1, not glued to other digits.
fn number_token(core: &str) -> String {
    format!("{NUMBER_START}({core}){NUMBER_END}")
}

/// The group-1 cores of every match of `regex` in `text`, left to right.
///
/// `find_iter` would resume after the trailing boundary character, so a
/// rejected candidate would hide a valid neighbour that needs that same
/// character as its leading boundary (`300.1.1.1 10.0.0.1`). Resuming at the
/// end of the core lets the boundary serve both.
#[derive(Debug)]
struct CoreMatches<'r, 't> {
    regex: &'r Regex,
    text: &'t str,
    from: usize,
}

fn core_matches<'r, 't>(regex: &'r Regex, text: &'t str) -> CoreMatches<'r, 't> {
    CoreMatches {
        regex,
        text,
        from: 0,
    }
}

impl<'t> Iterator for CoreMatches<'_, 't> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        if self.from > self.text.len() {
            return None;
        }
        let core = self.regex.captures_at(self.text, self.from)?.get(1)?;
        if core.end() <= self.from {
            // Cannot happen with non-empty cores; stop rather than loop.
            self.from = self.text.len() + 1;
            return None;
        }
        self.from = core.end();
        Some(core.as_str())
    }
}

/// The RRN detection for `text`: checksum valid if any candidate with a
/// plausible birth date satisfies it, invalid if candidates exist but none
/// does, `None` if no candidate has a plausible birth date.
fn find_resident_number(regex: &Regex, text: &str) -> Option<Detection> {
    let mut found = None;
    for candidate in core_matches(regex, text).filter(|c| has_plausible_birth_date(c)) {
        let valid = rrn_checksum_valid(candidate);
        found = Some(Detection::resident_number(valid));
        if valid {
            break;
        }
    }
    found
}

/// Whether the YYMMDD prefix names a real day of some year. The pattern has
/// already bounded month and day; this rejects 30 February and 31 April.
fn has_plausible_birth_date(candidate: &str) -> bool {
    let Some(date) = candidate.get(..6) else {
        return false;
    };
    let (Ok(month), Ok(day)) = (date[2..4].parse::<u8>(), date[4..6].parse::<u8>()) else {
        return false;
    };
    (1..=days_in_month(month)).contains(&day)
}

/// Longest month length; February counts 29 because the century, hence leap
/// years, is only known from the gender digit.
fn days_in_month(month: u8) -> u8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    }
}

/// Whether some dotted-quad candidate is a valid address other than the
/// unspecified `0.0.0.0` and loopback `127.x.x.x`, which identify no one.
fn contains_ipv4(regex: &Regex, text: &str) -> bool {
    core_matches(regex, text)
        .filter_map(|candidate| candidate.parse::<Ipv4Addr>().ok())
        .any(|address| !address.is_unspecified() && !address.is_loopback())
}

fn is_ipv6_char(byte: u8) -> bool {
    byte.is_ascii_hexdigit() || byte == b':' || byte == b'.'
}

/// Whether `text` holds an IPv6 address as a token of its own or after a
/// colon (as in `urn:ngsi-ld:Device:2001:db8::17`).
///
/// Scans maximal runs of hex digits, colons and dots; a run glued to a
/// following letter (`g`–`z`) is part of a word and skipped.
fn contains_ipv6(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        if !is_ipv6_char(bytes[position]) {
            position += 1;
            continue;
        }
        let start = position;
        while position < bytes.len() && is_ipv6_char(bytes[position]) {
            position += 1;
        }
        let glued_after = bytes.get(position).is_some_and(u8::is_ascii_alphanumeric);
        let glued_before = start > 0 && bytes[start - 1].is_ascii_alphanumeric();
        // The run is ASCII, so these byte offsets are character boundaries.
        if !glued_after && run_holds_ipv6(&text[start..position], glued_before) {
            return true;
        }
    }
    false
}

/// Tries the whole run (unless it continues a word) and every part of it
/// that follows a colon, which is where a URN puts an address.
fn run_holds_ipv6(run: &str, glued_before: bool) -> bool {
    let run = run.trim_end_matches('.');
    let after_colons = run.match_indices(':').map(|(i, _)| &run[i + 1..]);
    let whole = (!glued_before).then_some(run);
    whole
        .into_iter()
        .chain(after_colons)
        .any(is_identifying_ipv6)
}

/// A parsable address with at least two colons that names a host: the
/// unspecified `::` and loopback `::1` identify no one.
fn is_identifying_ipv6(candidate: &str) -> bool {
    candidate.bytes().filter(|&b| b == b':').count() >= 2
        && candidate
            .parse::<Ipv6Addr>()
            .is_ok_and(|address| !address.is_unspecified() && !address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vacuity::{Reached, check};
    use quickcheck::{Arbitrary, Gen, TestResult};
    use serde::Deserialize;
    use serde::de::value::{Error as ValueError, StrDeserializer};
    use std::sync::OnceLock;

    use IdentifierKind::*;

    /// Compiled once for the whole test run, as the payload check does.
    fn all() -> &'static Detectors {
        static ALL: OnceLock<Detectors> = OnceLock::new();
        ALL.get_or_init(|| Detectors::new(&IdentifierKind::ALL))
    }

    fn kinds_in(text: &str) -> Vec<IdentifierKind> {
        all().scan(text).into_iter().map(|d| d.kind).collect()
    }

    fn detects(kind: IdentifierKind, text: &str) -> bool {
        kinds_in(text).contains(&kind)
    }

    fn rrn_detection(text: &str) -> Option<Detection> {
        all().scan(text).into_iter().find(|d| d.kind == KrRrn)
    }

    // --- names and construction -------------------------------------------

    #[test]
    fn every_pattern_compiles_alone_and_together() {
        for kind in IdentifierKind::ALL {
            assert!(
                Regex::new(&pattern(kind)).is_ok(),
                "{kind}: pattern does not compile"
            );
            assert!(
                Detectors::compile(&[kind]).is_ok(),
                "{kind}: detectors do not compile"
            );
        }
        assert!(Detectors::compile(&IdentifierKind::ALL).is_ok());
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for kind in IdentifierKind::ALL {
            assert_eq!(IdentifierKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
            let from_serde =
                IdentifierKind::deserialize(StrDeserializer::<ValueError>::new(kind.as_str()));
            assert_eq!(from_serde.ok(), Some(kind), "serde name of {kind:?}");
        }
        assert_eq!(IdentifierKind::parse("phone"), None);
        assert_eq!(IdentifierKind::parse("Email"), None);
    }

    #[test]
    fn all_is_sorted_and_descriptions_are_distinct_words() {
        assert!(IdentifierKind::ALL.windows(2).all(|w| w[0] < w[1]));
        let mut descriptions: Vec<_> = IdentifierKind::ALL.iter().map(|k| k.describe()).collect();
        descriptions.sort_unstable();
        descriptions.dedup();
        assert_eq!(descriptions.len(), IdentifierKind::ALL.len());
        assert_eq!(KrRrn.describe(), "Korean resident registration number");
    }

    #[test]
    fn no_kinds_find_nothing_and_repeats_are_ignored() {
        assert!(
            Detectors::new(&[])
                .scan("station.keeper@example.org")
                .is_empty()
        );
        let twice = Detectors::new(&[Email, Email, Mac]);
        assert_eq!(
            twice.scan("station.keeper@example.org"),
            vec![Detection::of(Email)]
        );
    }

    #[test]
    fn only_selected_kinds_are_reported() {
        let email_only = Detectors::new(&[Email]);
        assert!(email_only.scan("call 010-2345-6789").is_empty());
        assert!(email_only.scan("holder 850714-2038151").is_empty());
        let rrn_only = Detectors::new(&[KrRrn]);
        assert_eq!(
            rrn_only.scan("holder 850714-2038151"),
            vec![Detection::resident_number(true)]
        );
    }

    #[test]
    fn one_detection_per_kind_in_kind_order() {
        let text = "mail a@example.org or b@example.org, MAC 3C:5A:B4:12:9F:E0, call 010-2345-6789 / 02-123-4567";
        assert_eq!(kinds_in(text), vec![Email, PhoneKr, Mac]);
    }

    // --- positives and negatives per kind ---------------------------------

    fn assert_found(kind: IdentifierKind, examples: &[&str]) {
        for text in examples {
            assert!(
                detects(kind, text),
                "{kind} not found in {text:?} (found {:?})",
                kinds_in(text)
            );
        }
    }

    fn assert_not_found(kind: IdentifierKind, examples: &[&str]) {
        for text in examples {
            assert!(!detects(kind, text), "{kind} wrongly found in {text:?}");
        }
    }

    #[test]
    fn email() {
        assert_found(
            Email,
            &[
                "Report a faulty sensor to station.keeper@example.org",
                "a@b.cd",
                "<first.last+city@mail.example.co.kr>.",
                "contact:ops_team@example.org;",
            ],
        );
        assert_not_found(
            Email,
            &[
                "@handle",
                "user@localhost",
                "a@b.c",
                "x@example.org2",
                "pm2.5@",
            ],
        );
    }

    #[test]
    fn korean_phone() {
        assert_found(
            PhoneKr,
            &[
                "Station caretaker on call: 010-2345-6789",
                "01023456789",
                "011.234.5678",
                "tel 02-123-4567",
                "031 1234 5678",
                "+82 10-2345-6789",
                "+82-2-123-4567",
                "010-23456789",
                "(+821023456789)",
            ],
        );
        assert_not_found(
            PhoneKr,
            &[
                "1010-2345-67890",
                "0.0212345678",
                "010-2345-678",
                "07-123-4567",
                "+83 10-2345-6789",
                "02-123-45678",
                "02.49890097",
                "02 1234-5678",
                "observed at 2024-05-01T10:15:02.1234567Z by the roadside unit",
            ],
        );
    }

    #[test]
    fn indian_phone() {
        assert_found(
            PhoneIn,
            &[
                "For site access call +91 98765 43210",
                "+919876543210",
                "91-9876543210",
                "09876543210",
                "9876543210",
                "ph: 987 654 3210.",
            ],
        );
        assert_not_found(
            PhoneIn,
            &[
                "98765432101",
                "19876543210x",
                "5876543210",
                "987654321",
                "1.9876543210",
            ],
        );
    }

    #[test]
    fn singapore_phone() {
        assert_found(
            PhoneSg,
            &[
                "Detector maintenance hotline +65 9123 4567",
                "+6561234567",
                "+65-8123-4567",
                "91234567",
                "6123 4567",
                " 81234567 ",
            ],
        );
        assert_not_found(
            PhoneSg,
            &[
                "call 91234567",
                "71234567",
                "+65 7123 4567",
                "912345678",
                "+65 9123 45678",
            ],
        );
    }

    #[test]
    fn indonesian_phone() {
        assert_found(
            PhoneId,
            &[
                "Duty controller reachable at +62 812-3456-7890",
                "+6281234567890",
                "6281234567",
                "0812 3456 789",
                "08123456789",
            ],
        );
        assert_not_found(
            PhoneId,
            &[
                "0801234567",
                "081234",
                "+62 812-3456-78901234",
                "1081234567890123",
            ],
        );
    }

    #[test]
    fn korean_resident_number() {
        assert_found(
            KrRrn,
            &[
                "Resident permit space, holder 850714-2038151",
                "8507142038151",
                "no.850714-2038151.",
                "(850714-5038151)",
            ],
        );
        assert_not_found(
            KrRrn,
            &[
                "851314-2038151",
                "850732-2038151",
                "850230-2038151",
                "850714-9038151",
                "850714-0038151",
                "1850714-2038151",
                "850714-20381512",
                "850714--2038151",
                "0.8507142038151",
            ],
        );
    }

    #[test]
    fn korean_plate() {
        assert_found(
            KrPlate,
            &[
                "12가3456",
                "123가 4567",
                "서울12가3456",
                "plate: 12가3456.",
                "차량 12가3456이 주차",
            ],
        );
        assert_not_found(
            KrPlate,
            &[
                "112가34567",
                "A12가3456",
                "12가345",
                "12명 2024년",
                "1가3456",
            ],
        );
    }

    #[test]
    fn passport() {
        assert_found(
            Passport,
            &[
                "Airport transfer booked against passport M123A4567",
                "M12345678",
                "passport: S87654321.",
                "A1234567",
                "Y1234567",
                "E1234567N",
            ],
        );
        assert_not_found(
            Passport,
            &[
                "m12345678",
                "XM12345678",
                "Q1234567",
                "Z1234567",
                "A0234567",
                "A1234567-8D2B-4C7A-9E11-2B3C4D5E6F70",
                "M123456789",
            ],
        );
    }

    #[test]
    fn ipv4() {
        assert_found(
            Ipv4,
            &[
                "urn:ngsi-ld:Device:192.0.2.17",
                "192.0.2.1",
                "from 10.1.2.3:8080",
                "300.1.1.1 10.0.0.1",
            ],
        );
        assert_not_found(
            Ipv4,
            &[
                "1.2.3.4.5",
                "256.1.1.1",
                "192.168.001.1",
                "version 1.2.3",
                "127.0.0.1",
                "0.0.0.0",
            ],
        );
    }

    #[test]
    fn ipv6() {
        assert_found(
            Ipv6,
            &[
                "2001:db8::17",
                "urn:ngsi-ld:Device:2001:db8::17",
                "[2001:db8:0:0:1:0:0:1]:443",
                "fe80::1%eth0",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334.",
                "::ffff:192.0.2.1",
            ],
        );
        assert_not_found(
            Ipv6,
            &[
                "10:00:00",
                "2024-05-01T10:15:00+09:00",
                "::1",
                "::",
                "3C:5A:B4:12:9F:E0",
                "std::fmt::Display",
                "2001:db8::17g",
            ],
        );
    }

    #[test]
    fn mac() {
        assert_found(
            Mac,
            &[
                "obu-3C:5A:B4:12:9F:E0",
                "3c-5a-b4-12-9f-e0",
                "AA-BB-CC-DD-EE-FF",
                "mac=00:1a:2b:3c:4d:5e;",
            ],
        );
        assert_not_found(
            Mac,
            &[
                "3C:5A:B4:12:9F",
                "3C:5A-B4:12:9F:E0",
                "3C:5A:B4:12:9F:E0:77",
                "3C:5A:B4:12:9F:G0",
            ],
        );
    }

    #[test]
    fn ordinary_city_values_are_not_identifiers() {
        let ordinary = [
            "2024-05-01T10:15:00+09:00",
            "2024-05-01T10:15:00Z",
            "2024-05-01T10:15:00.123+05:30",
            "urn:ngsi-ld:AirQualityObserved:Seoul-Jongno-001",
            "urn:ngsi-ld:Device:seoul-parking-sensor-a-12",
            "126.9780",
            "37.5665",
            "-6.1862",
            "42",
            "1550",
            "560068",
            "GQ",
            "KWH",
            "KR",
            "KR-11",
            "ID-JK",
            "P30D",
            "P1Y",
            "3f1c5a9e-8d2b-4c7a-9e11-2b3c4d5e6f70",
            "3F1C5A9E-8D2B-4C7A-9E11-2B3C4D5E6F70",
            "CARD-7Q2K-4MZR-9XWD",
            "pseud-w10-7f3a9c",
            "kr-pipa:A15-1-1",
            "dpv:PublicInterest",
            "Gangnam-daero A-12",
            "bus-0417",
            "corridor-1-am-17",
            "Bus 417",
            "10:00:00",
            "https://smartdatamodels.org/context.jsonld",
            "",
        ];
        for text in ordinary {
            assert_eq!(kinds_in(text), vec![], "{text:?}");
        }
    }

    /// Found by `property_shortcuts_hide_no_detection`: seconds `02` followed
    /// by a 7- or 8-digit fraction (as .NET writes them) read as the Seoul
    /// number `02.4989 0097` while separators could be mixed.
    #[test]
    fn regression_seconds_02_with_a_long_fraction_is_not_a_seoul_number() {
        let timestamp = "9348-10-67T78:91:02.49890097";
        assert_eq!(all().scan_candidates(timestamp), vec![]);
        assert_eq!(kinds_in(&format!("seen {timestamp} twice")), vec![]);
        assert_eq!(kinds_in("seen 2024-05-01T10:15:02.1234567Z twice"), vec![]);
    }

    #[test]
    fn iso_timestamps_are_recognised_by_shape() {
        for text in [
            "2024-05-01",
            "2024-05-01T10:15",
            "2024-05-01T10:15:00Z",
            "2024-05-01T10:15:00+09:00",
            "2024-05-01T10:15:00.123456789-03:30",
        ] {
            assert!(is_iso_timestamp(text), "{text:?}");
        }
        for text in [
            "2024-05-01T10:15:00.1234567890Z",
            "2024-05-01T10:15:00+0900",
            "2024-05-01 10:15:00",
            "2024-05-01T10:15:00Z ",
            "2024-5-01",
            "2024-05-01T",
            "",
        ] {
            assert!(!is_iso_timestamp(text), "{text:?}");
        }
    }

    #[test]
    fn strings_without_ingredients_are_skipped() {
        assert!(!may_hold_identifier("Mitte urban background station"));
        assert!(!may_hold_identifier(
            "urn:ngsi-ld:AirQualityObserved:Seoul-Jongno-001"
        ));
        assert!(!may_hold_identifier("2024-05-01T10:15:00+09:00"));
        assert!(may_hold_identifier("::2"));
        assert!(may_hold_identifier("AA-BB-CC-DD-EE-FF"));
        assert!(may_hold_identifier("a@b.cd"));
        assert!(may_hold_identifier("1.1.1.1"));
    }

    // --- resident registration numbers and their check digit --------------

    #[test]
    fn known_valid_resident_number_is_found_with_a_valid_checksum() {
        assert_eq!(
            rrn_detection("holder 850714-2038151"),
            Some(Detection::resident_number(true))
        );
        assert_eq!(
            rrn_detection("8507142038151"),
            Some(Detection::resident_number(true))
        );
    }

    #[test]
    fn wrong_check_digit_is_still_found() {
        assert_eq!(
            rrn_detection("holder 850714-2038154"),
            Some(Detection::resident_number(false))
        );
    }

    #[test]
    fn one_valid_number_among_invalid_ones_reports_valid() {
        let text = "850714-2038154 and 850714-2038151";
        assert_eq!(rrn_detection(text), Some(Detection::resident_number(true)));
    }

    #[test]
    fn only_resident_numbers_carry_a_checksum() {
        for detection in all().scan("a@example.org 850714-2038151 010-2345-6789") {
            assert_eq!(detection.checksum_valid.is_some(), detection.kind == KrRrn);
        }
    }

    #[test]
    fn checksum_of_valid_numbers() {
        assert!(rrn_checksum_valid("850714-2038151"));
        assert!(rrn_checksum_valid("8507142038151"));
        // All-zero weights sum 0: check digit (11 - 0) mod 10 = 1.
        assert!(rrn_checksum_valid("000000-0000001"));
        // Weighted sum 12 ≡ 1 (mod 11): check digit (11 - 1) mod 10 = 0.
        assert!(rrn_checksum_valid("040000-0000000"));
    }

    #[test]
    fn checksum_of_invalid_or_malformed_input() {
        assert!(!rrn_checksum_valid("850714-2038154"));
        assert!(!rrn_checksum_valid("8507142038154"));
        assert!(!rrn_checksum_valid("85071-42038151"));
        assert!(!rrn_checksum_valid("850714 2038151"));
        assert!(!rrn_checksum_valid("850714-203815"));
        assert!(!rrn_checksum_valid("850714-20381511"));
        assert!(!rrn_checksum_valid("85O714-2038151"));
        assert!(!rrn_checksum_valid("８50714-2038151"));
        assert!(!rrn_checksum_valid(""));
    }

    // --- properties --------------------------------------------------------

    /// A resident number's parts: a real birth date, a gender digit 1–8 and
    /// five serial digits; the sixth digit after the gender is the check.
    #[derive(Debug, Clone)]
    struct ResidentNumber {
        birth: String,
        gender: u8,
        serial: [u8; 5],
    }

    fn digit(g: &mut Gen) -> u8 {
        u8::arbitrary(g) % 10
    }

    impl Arbitrary for ResidentNumber {
        fn arbitrary(g: &mut Gen) -> Self {
            const MONTH_DAYS: [u8; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let year = u8::arbitrary(g) % 100;
            let month = usize::arbitrary(g) % 12;
            let day = 1 + u8::arbitrary(g) % MONTH_DAYS[month];
            ResidentNumber {
                birth: format!("{year:02}{:02}{day:02}", month + 1),
                gender: 1 + u8::arbitrary(g) % 8,
                serial: [digit(g), digit(g), digit(g), digit(g), digit(g)],
            }
        }
    }

    impl ResidentNumber {
        fn first_twelve(&self) -> String {
            let serial: String = self.serial.iter().map(|d| char::from(b'0' + d)).collect();
            format!("{}{}{serial}", self.birth, self.gender)
        }

        /// Computed here from the definition, independently of the module.
        fn check_digit(&self) -> u8 {
            let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
            let sum: u32 = self
                .first_twelve()
                .bytes()
                .zip(weights)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            ((11 - sum % 11) % 10) as u8
        }

        /// The number ending in `check`: bare, dashed, and each inside a sentence.
        fn written_with(&self, check: u8) -> Vec<String> {
            let bare = format!("{}{check}", self.first_twelve());
            let dashed = format!("{}-{}", &bare[..6], &bare[6..]);
            let in_sentences = [&bare, &dashed].map(|n| format!("resident no. {n} on file"));
            [bare.clone(), dashed.clone()]
                .into_iter()
                .chain(in_sentences)
                .collect()
        }
    }

    fn each_found_as(numbers: Vec<String>, expected: Detection) -> bool {
        numbers.iter().all(|n| rrn_detection(n) == Some(expected))
    }

    #[test]
    fn property_correct_check_digit_is_found_valid() {
        static REACHED: Reached = Reached::new();
        fn property(number: ResidentNumber) -> bool {
            REACHED.hit();
            each_found_as(
                number.written_with(number.check_digit()),
                Detection::resident_number(true),
            )
        }
        check(100, &REACHED, property as fn(ResidentNumber) -> bool);
    }

    #[test]
    fn property_wrong_check_digit_is_found_invalid() {
        static REACHED: Reached = Reached::new();
        fn property(number: ResidentNumber, other: u8) -> TestResult {
            let other = other % 10;
            if other == number.check_digit() {
                return TestResult::discard();
            }
            REACHED.hit();
            TestResult::from_bool(each_found_as(
                number.written_with(other),
                Detection::resident_number(false),
            ))
        }
        check(
            100,
            &REACHED,
            property as fn(ResidentNumber, u8) -> TestResult,
        );
    }

    /// Text drawn from the characters identifiers are made of, with
    /// identifier-shaped pieces (random digits and hex in the shapes of
    /// the kinds) among the loose characters, so that scans reach the
    /// validation paths and not only the pre-filter: loose characters
    /// alone almost never form an identifier.
    #[derive(Debug, Clone)]
    struct IdentifierishText(String);

    /// Shapes of identifiers: `#` is any digit, `h` any hex digit.
    const SHAPES: [&str; 14] = [
        "x#@ex.org",
        "010-####-####",
        "+82 2-###-####",
        "+91 9#### #####",
        "+65 9### ####",
        "+62 812-####-####",
        "##가####",
        "M########",
        "E#######N",
        "10.#.#.#",
        "###.#.##.#",
        "2001:db8::#",
        "fe80::h%eth0",
        "hh:hh:hh:hh:hh:hh",
    ];

    fn shaped(g: &mut Gen, shape: &str) -> String {
        let hex: Vec<char> = "0123456789abcdefABCDEF".chars().collect();
        shape
            .chars()
            .map(|c| match c {
                '#' => char::from(b'0' + digit(g)),
                'h' => g.choose(&hex).copied().unwrap_or('0'),
                other => other,
            })
            .collect()
    }

    impl Arbitrary for IdentifierishText {
        fn arbitrary(g: &mut Gen) -> Self {
            let alphabet: Vec<char> = "0123456789012345-.:@+ aAfFgMEK가힣\u{0}é𝟘"
                .chars()
                .collect();
            let mut text = String::new();
            for _ in 0..1 + usize::arbitrary(g) % 4 {
                let loose = usize::arbitrary(g) % 12;
                text.extend((0..loose).filter_map(|_| g.choose(&alphabet).copied()));
                if bool::arbitrary(g) {
                    text.push(' ');
                }
                match u8::arbitrary(g) % 3 {
                    0 => {}
                    1 => {
                        let number = ResidentNumber::arbitrary(g);
                        let written = number.written_with(digit(g));
                        text += g.choose(&written).map_or("", String::as_str);
                    }
                    _ => {
                        let shape = g.choose(&SHAPES).copied().unwrap_or("");
                        text += &shaped(g, shape);
                    }
                }
            }
            IdentifierishText(text)
        }
    }

    fn scan_is_well_formed(text: &str) -> bool {
        let detections = all().scan(text);
        let one_per_kind_in_order = detections.windows(2).all(|w| w[0].kind < w[1].kind);
        let checksum_only_for_rrn = detections
            .iter()
            .all(|d| d.checksum_valid.is_some() == (d.kind == KrRrn));
        one_per_kind_in_order && checksum_only_for_rrn
    }

    /// A string of ISO 8601 shape with arbitrary digits (not a real date).
    #[derive(Debug, Clone)]
    struct TimestampShaped(String);

    fn digits(g: &mut Gen, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + digit(g))).collect()
    }

    impl Arbitrary for TimestampShaped {
        fn arbitrary(g: &mut Gen) -> Self {
            let mut text = format!("{}-{}-{}", digits(g, 4), digits(g, 2), digits(g, 2));
            if bool::arbitrary(g) {
                text += &format!("T{}:{}", digits(g, 2), digits(g, 2));
                if bool::arbitrary(g) {
                    text += &format!(":{}", digits(g, 2));
                    if bool::arbitrary(g) {
                        let len = 1 + usize::from(digit(g)) % 9;
                        text += &format!(".{}", digits(g, len));
                    }
                }
                match u8::arbitrary(g) % 3 {
                    0 => {}
                    1 => text.push('Z'),
                    _ => text += &format!("+{}:{}", digits(g, 2), digits(g, 2)),
                }
            }
            TimestampShaped(text)
        }
    }

    /// The pre-filter and the timestamp shortcut may only skip strings the
    /// patterns would not have matched anyway.
    fn shortcuts_hide_nothing(text: &str) -> bool {
        all().scan(text) == all().scan_candidates(text)
    }

    #[test]
    fn property_shortcuts_hide_no_detection() {
        static ANY: Reached = Reached::new();
        static IDENTIFIER_LIKE: Reached = Reached::new();
        static TIMESTAMPS: Reached = Reached::new();
        fn on_any_string(text: String) -> bool {
            ANY.hit();
            shortcuts_hide_nothing(&text)
        }
        fn on_identifier_like_text(text: IdentifierishText) -> bool {
            // Counted when there is a detection the shortcuts could hide.
            if !all().scan_candidates(&text.0).is_empty() {
                IDENTIFIER_LIKE.hit();
            }
            shortcuts_hide_nothing(&text.0)
        }
        fn on_timestamps(text: TimestampShaped) -> bool {
            TIMESTAMPS.hit();
            shortcuts_hide_nothing(&text.0)
        }
        check(100, &ANY, on_any_string as fn(String) -> bool);
        check(
            100,
            &IDENTIFIER_LIKE,
            on_identifier_like_text as fn(IdentifierishText) -> bool,
        );
        check(
            100,
            &TIMESTAMPS,
            on_timestamps as fn(TimestampShaped) -> bool,
        );
    }

    #[test]
    fn property_scan_never_panics_on_any_string() {
        static REACHED: Reached = Reached::new();
        fn property(text: String) -> bool {
            REACHED.hit();
            scan_is_well_formed(&text)
        }
        check(100, &REACHED, property as fn(String) -> bool);
    }

    #[test]
    fn property_scan_never_panics_on_identifier_like_text() {
        // Counted when there is a detection to be well formed.
        static REACHED: Reached = Reached::new();
        fn property(text: IdentifierishText) -> bool {
            if !all().scan(&text.0).is_empty() {
                REACHED.hit();
            }
            scan_is_well_formed(&text.0)
        }
        check(100, &REACHED, property as fn(IdentifierishText) -> bool);
    }
}
