//! Schema violations of a declaration said plainly: what a value should
//! look like (an upper-case ISO 3166-1 alpha-2 code such as KR, an ISO 8601
//! duration such as P1Y), never the schema's regular expression, and the
//! closest valid value when one can be told from what was written.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// The pattern of a country code (`$defs/Country`).
const COUNTRY_PATTERN: &str = "^[A-Z]{2}$";
/// The pattern of a duration (`$defs/Duration`).
const DURATION_PATTERN: &str =
    "^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$";
/// The pattern of a calendar day.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// The pattern of an ID (`$defs/Id`).
const ID_PATTERN: &str = "^[a-z0-9][a-z0-9._-]*$";

/// Country names (and common short forms) a declaration may spell out, by
/// their ISO 3166-1 alpha-2 code: the regions the profiles speak for and
/// their usual partners. A name not here gets the plain message alone.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("korea", "KR"),
    ("south korea", "KR"),
    ("republic of korea", "KR"),
    ("kor", "KR"),
    ("germany", "DE"),
    ("deu", "DE"),
    ("france", "FR"),
    ("ireland", "IE"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("italy", "IT"),
    ("spain", "ES"),
    ("singapore", "SG"),
    ("sgp", "SG"),
    ("india", "IN"),
    ("ind", "IN"),
    ("china", "CN"),
    ("chn", "CN"),
    ("hong kong", "HK"),
    ("japan", "JP"),
    ("jpn", "JP"),
    ("australia", "AU"),
    ("aus", "AU"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("gbr", "GB"),
    ("united states", "US"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("canada", "CA"),
    ("brazil", "BR"),
    ("malaysia", "MY"),
    ("indonesia", "ID"),
    ("thailand", "TH"),
    ("vietnam", "VN"),
    ("viet nam", "VN"),
    ("philippines", "PH"),
    ("switzerland", "CH"),
    ("new zealand", "NZ"),
];

/// The schema's complaint about `error`, said plainly; `None` when the
/// validator's own words are already plain. `fields` are the member names
/// the declaration format knows, for a misspelt one.
pub(super) fn message(error: &jsonschema::ValidationError<'_>, fields: &[&str]) -> Option<String> {
    let value = error.instance();
    let shown = shown(value);
    match error.kind() {
        ValidationErrorKind::Required { property } => Some(format!(
            "the field {} is missing; add it",
            self::shown(property)
        )),
        ValidationErrorKind::MinItems { limit } => {
            Some(format!("the list is empty; name at least {limit}"))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let unexpected = unexpected.first()?;
            let closest = closest_word(unexpected, fields).map(str::to_owned);
            Some(with_closest(
                format!("`{unexpected}` is not a field of the declaration format here"),
                closest,
            ))
        }
        ValidationErrorKind::Pattern { pattern } => {
            let text = value.as_str().unwrap_or_default();
            let (expected, closest) = match pattern.as_str() {
                COUNTRY_PATTERN => (
                    "an upper-case ISO 3166-1 alpha-2 country code such as KR",
                    closest_country(text),
                ),
                DURATION_PATTERN => (
                    "an ISO 8601 duration such as P1Y, P18M or P30D",
                    closest_duration(text),
                ),
                DATE_PATTERN => ("an ISO 8601 date such as 2026-01-31", closest_date(text)),
                ID_PATTERN => (
                    "an ID of lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit",
                    closest_id(text),
                ),
                _ => return None,
            };
            Some(with_closest(format!("{shown} is not {expected}"), closest))
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> = options
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if options.is_empty() {
                return None;
            }
            let closest = value
                .as_str()
                .and_then(|text| closest_word(text, &options))
                .map(str::to_owned);
            Some(with_closest(
                format!("{shown} is not one of {}", options.join(", ")),
                closest,
            ))
        }
        _ => None,
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}

fn with_closest(message: String, closest: Option<String>) -> String {
    match closest {
        Some(closest) => format!("{message}; did you mean `{closest}`?"),
        None => message,
    }
}

/// `kr` → `KR`, `Korea` → `KR`, `KOR` → `KR`.
fn closest_country(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.len() == 2 && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(trimmed.to_ascii_uppercase());
    }
    let lower = trimmed.to_lowercase();
    COUNTRY_NAMES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, code)| (*code).to_owned())
}

/// `5 years` → `P5Y`, `18 months` → `P18M`, `p1y` → `P1Y`, `1Y` → `P1Y`.
fn closest_duration(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase().replace(' ', "");
    let candidate = if upper.starts_with('P') {
        upper
    } else {
        format!("P{upper}")
    };
    if crate::dates::duration_seconds(&candidate).is_some() {
        return Some(candidate);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let [count, unit] = words.as_slice() else {
        return None;
    };
    let count: u32 = count.parse().ok()?;
    let unit = unit.to_lowercase();
    let letter = match unit.trim_end_matches('s') {
        "year" | "yr" => 'Y',
        "month" | "mo" => 'M',
        "week" | "wk" => 'W',
        "day" => 'D',
        _ => return None,
    };
    Some(format!("P{count}{letter}"))
}

/// `2026/01/31` or `2026.1.31` → `2026-01-31`.
fn closest_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let (year, month, day): (u32, u32, u32) =
        (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let candidate = format!("{year:04}-{month:02}-{day:02}");
    crate::dates::Day::parse(&candidate)
        .is_ok()
        .then_some(candidate)
}

/// `Trips To EU` → `trips-to-eu`.
fn closest_id(text: &str) -> Option<String> {
    let mut id = String::new();
    for c in text.trim().chars() {
        match c.to_ascii_lowercase() {
            c if c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c) => id.push(c),
            _ if !id.ends_with('-') => id.push('-'),
            _ => {}
        }
    }
    let id = id.trim_matches(|c| ".-_".contains(c)).to_owned();
    (!id.is_empty()).then_some(id)
}

/// The option fewest single-letter edits away from `text` (case
/// ignored), when it is close enough to be what was meant.
fn closest_word<'a>(text: &str, options: &[&'a str]) -> Option<&'a str> {
    let wanted = text.to_lowercase();
    options
        .iter()
        .map(|o| (edits(&wanted, &o.to_lowercase()), *o))
        .filter(|(d, o)| *d <= (o.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Levenshtein distance over characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Every member name the schema `schema` defines, once each.
pub(super) fn field_names(schema: &Value) -> Vec<&str> {
    fn walk<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    out.extend(properties.keys().map(String::as_str));
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    walk(schema, &mut names);
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_names_and_lower_case_codes_suggest_the_code() {
        assert_eq!(closest_country("Korea").as_deref(), Some("KR"));
        assert_eq!(closest_country("kr").as_deref(), Some("KR"));
        assert_eq!(closest_country("USA").as_deref(), Some("US"));
        assert_eq!(closest_country("Atlantis"), None);
    }

    #[test]
    fn durations_in_words_suggest_iso_8601() {
        assert_eq!(closest_duration("5 years").as_deref(), Some("P5Y"));
        assert_eq!(closest_duration("18 months").as_deref(), Some("P18M"));
        assert_eq!(closest_duration("p1y").as_deref(), Some("P1Y"));
        assert_eq!(closest_duration("1 day").as_deref(), Some("P1D"));
        assert_eq!(closest_duration("forever"), None);
    }

    #[test]
    fn dates_with_other_separators_suggest_iso_8601() {
        assert_eq!(closest_date("2026/1/31").as_deref(), Some("2026-01-31"));
        assert_eq!(closest_date("2026-02-30"), None);
        assert_eq!(closest_date("soon"), None);
    }

    #[test]
    fn a_misspelt_option_is_matched_and_a_far_one_is_not() {
        let states = ["identified", "pseudonymized", "anonymized"];
        assert_eq!(
            closest_word("pseudonymised", &states),
            Some("pseudonymized")
        );
        assert_eq!(closest_word("Anonymised", &states), Some("anonymized"));
        assert_eq!(closest_word("public", &states), None);
        assert_eq!(closest_id("Trips To EU").as_deref(), Some("trips-to-eu"));
    }
}
