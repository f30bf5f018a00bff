//! One legal-basis vocabulary: the law-specific names of a legal basis
//! (`kr-pipa:A15-1-1`, `eu-gdpr:A6-1-a`) mapped to the DPV concept they
//! name (`dpv:Consent`). Profiles and declarations may use either; checks
//! compare concepts, so that a region does not reject a basis only
//! because its law calls it differently, and a requirement tied to a
//! concept (legitimate interest needs an assessment) applies whichever
//! name declared it. The declared name stays in findings, as the one a
//! citation speaks of.
//!
//! The mapping is data: the `legal-bases` list (`suites/lists/`), whose
//! `[[item]]` tables name a `concept` for their `values`. It is loaded,
//! overlaid and digested like every list; this module only reads it.

use std::collections::BTreeMap;

use super::TomlSource;
use super::lists::{List, Lists};
use crate::error::FileProblem;

/// The ID of the list that holds the vocabulary.
pub const LIST_ID: &str = "legal-bases";

/// Law-specific legal bases and the DPV concept each names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    concepts: BTreeMap<String, String>,
}

impl Vocabulary {
    /// The vocabulary the `legal-bases` list in force holds; empty without
    /// one (every basis is then its own concept).
    pub fn from_lists(lists: &Lists) -> Self {
        let concepts = lists
            .get(LIST_ID)
            .map(|list| {
                list.dated
                    .iter()
                    .filter_map(|item| item.concept.as_ref().map(|c| (item, c)))
                    .flat_map(|(item, concept)| {
                        item.values.iter().map(|v| (v.clone(), concept.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Vocabulary { concepts }
    }

    /// The concept `basis` names: its DPV concept when the vocabulary maps
    /// it, else `basis` itself (a DPV concept, or a basis no other law
    /// shares, such as PIPA's research exemption).
    pub fn concept<'a>(&'a self, basis: &'a str) -> &'a str {
        self.concepts.get(basis).map_or(basis, String::as_str)
    }

    /// Whether `a` and `b` name the same concept.
    pub fn same(&self, a: &str, b: &str) -> bool {
        self.concept(a) == self.concept(b)
    }

    /// Every name of the concept `basis` names, the concept first: the
    /// bases a declaration could write instead of `basis`.
    pub fn synonyms(&self, basis: &str) -> Vec<String> {
        let concept = self.concept(basis);
        let mut out = vec![concept.to_owned()];
        out.extend(
            self.concepts
                .iter()
                .filter(|(_, c)| c.as_str() == concept)
                .map(|(name, _)| name.clone()),
        );
        out
    }

    /// `bases` as concepts, in order, without repeats: what a profile's
    /// list of accepted bases stands for.
    pub fn concepts_of(&self, bases: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(bases.len());
        for basis in bases {
            let concept = self.concept(basis).to_owned();
            if !out.contains(&concept) {
                out.push(concept);
            }
        }
        out
    }
}

/// The pattern `schemas/tool/list.schema.json` gives a `concept`.
const CONCEPT_PATTERN: &str = "^dpv:[A-Z][A-Za-z]+$";

/// The DPV legal-basis concepts the bundled profiles name: what a
/// malformed `concept` is compared with to suggest one.
const KNOWN_CONCEPTS: &[&str] = &[
    "dpv:Consent",
    "dpv:Contract",
    "dpv:LegalObligation",
    "dpv:VitalInterest",
    "dpv:PublicInterest",
    "dpv:OfficialAuthorityOfController",
    "dpv:LegitimateInterest",
];

/// A `concept` that is not a DPV name, said plainly with the closest
/// known concept; `None` for any other schema violation.
pub(super) fn plain_concept(
    error: &jsonschema::ValidationError<'_>,
    problem: &FileProblem,
) -> Option<FileProblem> {
    let jsonschema::error::ValidationErrorKind::Pattern { pattern } = error.kind() else {
        return None;
    };
    if pattern != CONCEPT_PATTERN {
        return None;
    }
    let value = error.instance().as_str().unwrap_or_default().to_owned();
    Some(
        FileProblem {
            message: format!("`{value}` is not a DPV concept such as dpv:Consent"),
            ..problem.clone()
        }
        .with_help(format!(
            "write the concept as DPV names it, here probably `{}`; see docs/LAW.md for the vocabulary",
            closest_concept(&value)
        )),
    )
}

/// The known concept whose name shares the longest run of letters with
/// `value`, case ignored.
fn closest_concept(value: &str) -> &'static str {
    let wanted = value.trim_start_matches("dpv:").to_lowercase();
    let shared = |concept: &str| -> usize {
        let name = concept.trim_start_matches("dpv:").to_lowercase();
        (0..wanted.len())
            .flat_map(|start| (start + 1..=wanted.len()).map(move |end| (start, end)))
            .filter(|(start, end)| {
                wanted.is_char_boundary(*start)
                    && wanted.is_char_boundary(*end)
                    && name.contains(&wanted[*start..*end])
            })
            .map(|(start, end)| end - start)
            .max()
            .unwrap_or(0)
    };
    KNOWN_CONCEPTS
        .iter()
        .copied()
        .max_by_key(|concept| shared(concept))
        .unwrap_or(KNOWN_CONCEPTS[0])
}

/// Problems with a list's concepts that its schema cannot see: one name
/// mapped to two concepts would make a verdict depend on load order.
pub(super) fn conflicts(list: &List, source: &TomlSource) -> Vec<FileProblem> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, item) in list.dated.iter().enumerate() {
        let Some(concept) = item.concept.as_deref() else {
            continue;
        };
        for (j, value) in item.values.iter().enumerate() {
            match seen.get(value.as_str()) {
                Some(first) if *first != concept => problems.push(
                    source
                        .problem(
                            &format!("/item/{i}/values/{j}"),
                            format!("`{value}` is mapped to `{first}` and again to `{concept}`"),
                        )
                        .with_help("a legal basis names one DPV concept; keep one of the two"),
                ),
                _ => {
                    seen.insert(value, concept);
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded() -> Vocabulary {
        let lists = Lists::load(&[]).expect("the embedded lists load");
        Vocabulary::from_lists(&lists)
    }

    #[test]
    fn law_specific_bases_name_their_dpv_concept() {
        let v = embedded();
        assert_eq!(v.concept("kr-pipa:A15-1-1"), "dpv:Consent");
        assert_eq!(v.concept("eu-gdpr:A6-1-a"), "dpv:Consent");
        assert_eq!(v.concept("eu-gdpr:A6-1-f"), "dpv:LegitimateInterest");
        assert!(v.same("eu-gdpr:A6-1-c", "dpv:LegalObligation"));
    }

    #[test]
    fn a_basis_no_other_law_shares_is_its_own_concept() {
        let v = embedded();
        assert_eq!(v.concept("kr-pipa:A28-2"), "kr-pipa:A28-2");
        assert_eq!(v.concept("dpv:Consent"), "dpv:Consent");
    }

    #[test]
    fn synonyms_name_the_concept_first() {
        let v = embedded();
        assert_eq!(
            v.synonyms("kr-pipa:A15-1-1"),
            [
                "dpv:Consent",
                "eu-gdpr:A6-1-a",
                "in-dpdp:S6",
                "kr-pipa:A15-1-1"
            ]
        );
        assert_eq!(v.synonyms("kr-pipa:A28-2"), ["kr-pipa:A28-2"]);
    }

    #[test]
    fn a_misspelt_concept_is_matched_to_the_closest_one() {
        assert_eq!(closest_concept("consent"), "dpv:Consent");
        assert_eq!(
            closest_concept("legitimate-interests"),
            "dpv:LegitimateInterest"
        );
        assert_eq!(
            closest_concept("dpv:officialauthority"),
            "dpv:OfficialAuthorityOfController"
        );
    }

    #[test]
    fn concepts_of_drops_synonyms() {
        let v = embedded();
        let bases = ["dpv:Consent", "kr-pipa:A15-1-1", "kr-pipa:A28-2"].map(str::to_owned);
        assert_eq!(v.concepts_of(&bases), ["dpv:Consent", "kr-pipa:A28-2"]);
    }
}
