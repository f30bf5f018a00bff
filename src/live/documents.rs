//! What an API's JSON documents say about themselves: their links (by
//! relation), the conformance classes they declare, their members, and a
//! feature collection's counts. Each is read with typed partial views
//! (every other member skipped, never built), so a large page costs no
//! more than its links and counts.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// A link: its relation and target.
#[derive(Debug, Deserialize)]
pub(crate) struct Link {
    pub rel: Option<String>,
    pub href: Option<String>,
}

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    links: Vec<Link>,
}

/// The body's top-level `links`, or `None` when the body is not a JSON
/// object with an array of links there (no `links` member is no links).
pub(crate) fn links(body: &[u8]) -> Option<Vec<Link>> {
    serde_json::from_slice::<Links>(body).ok().map(|l| l.links)
}

#[derive(Deserialize)]
struct Conformance {
    #[serde(rename = "conformsTo")]
    conforms_to: Vec<String>,
}

/// The body's `conformsTo` list, or `None` when it has none.
pub(crate) fn conforms_to(body: &[u8]) -> Option<Vec<String>> {
    serde_json::from_slice::<Conformance>(body)
        .ok()
        .map(|c| c.conforms_to)
}

/// The body's top-level member names, or `None` when it is no JSON object.
pub(crate) fn members(body: &[u8]) -> Option<Vec<String>> {
    serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(body)
        .ok()
        .map(|m| m.into_keys().collect())
}

/// A feature collection's counts as it states them.
#[derive(Debug, Deserialize)]
pub(crate) struct Counts {
    #[serde(rename = "numberReturned")]
    pub number_returned: Option<u64>,
    #[serde(rename = "numberMatched")]
    pub number_matched: Option<u64>,
}

/// The body's `numberReturned` and `numberMatched`, or `None` when the
/// body is no JSON object or either is not a whole number.
pub(crate) fn counts(body: &[u8]) -> Option<Counts> {
    serde_json::from_slice::<Counts>(body).ok()
}

/// Whether `links` hold a link whose relation is one of `wanted`
/// (`a|b`).
pub(crate) fn has_rel(links: &[Link], wanted: &str) -> bool {
    wanted
        .split('|')
        .any(|rel| links.iter().any(|l| l.rel.as_deref() == Some(rel)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_read_for_what_they_declare() {
        let body = br#"{"links": [{"rel": "self", "href": "/"}, {"rel": "data", "href": "/collections"}], "conformsTo": ["a", "b"], "numberReturned": 2, "features": [1, 2]}"#;
        let found = links(body).expect("links");
        assert!(has_rel(&found, "data"));
        assert!(has_rel(&found, "service-desc|self"));
        assert!(!has_rel(&found, "conformance"));
        assert_eq!(
            conforms_to(body),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            members(body),
            Some(vec![
                "conformsTo".to_owned(),
                "features".to_owned(),
                "links".to_owned(),
                "numberReturned".to_owned()
            ])
        );
        let counts = counts(body).expect("counts");
        assert_eq!(counts.number_returned, Some(2));
        assert_eq!(counts.number_matched, None);
        assert!(members(b"[1]").is_none());
        assert!(links(br#"{"links": 3}"#).is_none());
        assert_eq!(links(b"{}").map(|l| l.len()), Some(0));
    }
}
