//! "Did you mean": the known name a mistyped one most likely meant, so
//! that an unknown profile, requirement, configuration key or waiver
//! names the fix instead of only listing what exists.

/// How similar a known name must be (normalised Damerau-Levenshtein, case
/// ignored, 1.0 the same) to be offered: `kor` for `kr`, `profile` for
/// `profiles`, `ANON-ID-VALUE-1` for `ANON-ID-VALUE-01`; not `eu` for
/// `sg`.
const LIKELY_TYPO: f64 = 0.6;
/// At most this many edits apart, whatever the length: requirement IDs
/// share their shape (`ANON-…-01`), which alone would make `ANON-NOPE-01`
/// look like `ANON-TCLOSE-01`.
const MAX_EDITS: usize = 2;

/// The one candidate equal to `wanted` but for letter case; `None` when
/// none is, or when several are (then the case decides, and the caller
/// must refuse).
pub fn same_but_case<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut found = candidates
        .into_iter()
        .filter(|candidate| candidate.eq_ignore_ascii_case(wanted));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The candidate closest to `wanted`, when close enough to be a likely
/// typo of it.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| {
            let edits = strsim::damerau_levenshtein(&wanted, &candidate.to_lowercase());
            edits <= MAX_EDITS.min(wanted.chars().count().max(2) / 2)
        })
        .map(|candidate| {
            let score = strsim::normalized_damerau_levenshtein(&wanted, &candidate.to_lowercase());
            (candidate, score)
        })
        .filter(|(_, score)| *score >= LIKELY_TYPO)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(candidate, _)| candidate)
}

/// `" did you mean `NAME`?"` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(wanted, candidates).map_or_else(String::new, |name| format!("did you mean `{name}`? "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILES: [&str; 5] = ["baseline", "eu", "in", "kr", "sg"];

    #[test]
    fn a_likely_typo_is_matched_and_a_different_name_is_not() {
        assert_eq!(closest("kor", PROFILES), Some("kr"));
        assert_eq!(closest("basline", PROFILES), Some("baseline"));
        assert_eq!(closest("atlantis", PROFILES), None);
        assert_eq!(
            closest("ANON-NOPE-01", ["ANON-TCLOSE-01", "ANON-KANON-01"]),
            None
        );
        assert_eq!(
            closest("ANON-ID-VALUE-1", ["ANON-ID-VALUE-01", "ANON-ID-FIELD-01"]),
            Some("ANON-ID-VALUE-01")
        );
        assert_eq!(
            closest("profile", ["profiles", "suites", "payloads"]),
            Some("profiles")
        );
    }

    #[test]
    fn case_decides_only_when_it_must() {
        assert_eq!(same_but_case("KR", PROFILES), Some("kr"));
        assert_eq!(same_but_case("kr", ["KR", "kr"]), None);
        assert_eq!(same_but_case("jp", PROFILES), None);
    }
}
