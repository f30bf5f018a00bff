//! Dates the law is read on: the evaluation date of a run (`--as-of`), the
//! calendar dates lists and declarations carry, and ISO 8601 durations
//! (a retention limit, how old a list may be).
//!
//! A run judges dated law (an adequacy recognition in force from a given
//! day, a certification valid until another) on one day, its evaluation
//! date, so that the same inputs judged on the same day give the same
//! verdicts whenever the run happens. Durations here need an order, not a
//! calendar, so a year counts 365 days and a month 30.

use chrono::NaiveDate;

/// A calendar day, `YYYY-MM-DD`: the evaluation date of a run, or a date a
/// list or declaration carries. Ordered as days are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

impl Day {
    /// Parses `YYYY-MM-DD`; the error says, in plain words, what a date
    /// looks like (it is shown as it is to the person who typed it).
    pub fn parse(text: &str) -> Result<Self, String> {
        let shaped = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let day = shaped
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten();
        day.map(Day).ok_or_else(|| {
            format!("`{text}` is not an ISO 8601 date such as 2026-01-31 (year, month, day)")
        })
    }

    /// The day of an RFC 3339 time (`2026-01-31T10:00:00Z` is 2026-01-31),
    /// in the time's own offset, as written.
    pub fn of_time(rfc3339: &str) -> Result<Self, String> {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| Day(t.date_naive()))
            .map_err(|_| format!("`{rfc3339}` is not an RFC 3339 time"))
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is
    /// later).
    pub fn days_since(self, earlier: Day) -> i64 {
        (self.0 - earlier.0).num_days()
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Seconds in an ISO 8601 duration (`P1Y2M3W4DT5H6M7S`), counting a year
/// as 365 days and a month as 30: a retention limit or a list's maximum
/// age needs an order, not a calendar. `None` when the text is not such a
/// duration.
pub fn duration_seconds(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, time),
        Some(_) => return None,
        None => (rest, ""),
    };
    let date_units: &[(char, u64)] = &[
        ('Y', 365 * 86_400),
        ('M', 30 * 86_400),
        ('W', 7 * 86_400),
        ('D', 86_400),
    ];
    let time_units: &[(char, u64)] = &[('H', 3600), ('M', 60), ('S', 1)];
    let total = sum_units(date, date_units)?.checked_add(sum_units(time, time_units)?)?;
    (!(date.is_empty() && time.is_empty())).then_some(total)
}

fn sum_units(text: &str, units: &[(char, u64)]) -> Option<u64> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut next_unit = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let offset = units[next_unit..].iter().position(|(u, _)| *u == c)?;
        let factor = units[next_unit + offset].1;
        next_unit += offset + 1;
        if number.is_empty() {
            return None;
        }
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(factor)?)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_only_real_calendar_dates_and_print_back() {
        let day = Day::parse("2025-09-16").expect("a date");
        assert_eq!(day.to_string(), "2025-09-16");
        for bad in [
            "2025-02-30",
            "2025-9-16",
            "16/09/2025",
            "2025-09-16T00:00:00Z",
            "",
        ] {
            let err = Day::parse(bad).expect_err(bad);
            assert!(err.contains("such as 2026-01-31"), "{err}");
        }
        assert!(Day::parse("2025-09-15").expect("date") < day);
        assert_eq!(day.days_since(Day::parse("2025-09-01").expect("date")), 15);
    }

    #[test]
    fn the_day_of_a_time_is_the_day_it_is_written_in() {
        assert_eq!(
            Day::of_time("2023-11-14T22:13:20Z").map(|d| d.to_string()),
            Ok("2023-11-14".to_owned())
        );
        assert!(Day::of_time("yesterday").is_err());
    }

    #[test]
    fn durations_order_periods() {
        assert_eq!(duration_seconds("P1Y"), Some(365 * 86_400));
        assert_eq!(duration_seconds("P18M"), Some(18 * 30 * 86_400));
        assert!(duration_seconds("P5Y") > duration_seconds("P4Y11M"));
        assert_eq!(duration_seconds("P90D"), Some(90 * 86_400));
        assert_eq!(duration_seconds("P1DT12H"), Some(86_400 + 12 * 3600));
        assert_eq!(duration_seconds("P1M1Y"), None, "units out of order");
        assert_eq!(duration_seconds("PT"), None);
        assert_eq!(duration_seconds("P"), None);
        assert_eq!(duration_seconds("1Y"), None);
        assert_eq!(duration_seconds("P1Q"), None);
        assert_eq!(duration_seconds("P99999999999999999999Y"), None);
    }
}
