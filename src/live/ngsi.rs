//! Conditions on the answers of NGSI-LD (ETSI GS CIM 009) and NGSI-v2
//! brokers: the JSON-LD `@context` an answer carries, the count of
//! matching entities, problem details (NGSI-LD) or error objects (NGSI-v2)
//! on errors, and the comparison of two answers (the normalized and the
//! key-values form of the same query, or two pages).
//! Messages name entities by position, never by their IDs: an ID is data.

use std::collections::BTreeMap;

use serde_json::Value;

use super::evaluate::unreadable_body;
use super::http::Exchange;
use super::records;
use crate::engine::{Outcome, Violation};
use crate::payload::pipeline::{self, Representation};

/// The link relation naming a JSON-LD context (JSON-LD 1.1 §6.1, used by
/// the NGSI-LD HTTP binding for answers in `application/json`).
pub(crate) const LD_CONTEXT_REL: &str = "http://www.w3.org/ns/json-ld#context";

fn violation(message: String) -> Outcome {
    Outcome::Violations(vec![Violation::new("", message)])
}

/// A 2xx answer, or the violation that it was not.
fn answered(x: &Exchange, what: &str) -> Result<(), Outcome> {
    if (200..300).contains(&x.status) {
        Ok(())
    } else {
        Err(violation(format!(
            "{what} answered {}; expected 200",
            x.status
        )))
    }
}

/// The media type of the answer, lower case, without parameters.
fn media_type(x: &Exchange) -> Option<String> {
    let value = x.header("content-type")?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// The records of a body, as they arrived.
fn entities(x: &Exchange) -> Result<Vec<Value>, Outcome> {
    let mut found = Vec::new();
    records::each_record(&x.body, |record| found.push(record))
        .map_err(|reason| Outcome::Error(unreadable_body(x, reason)))?;
    Ok(found)
}

/// Whether any `Link` header holds a link of relation
/// [`LD_CONTEXT_REL`] (RFC 8288 §3: `<uri>; rel="..."`, links separated
/// by commas, a relation list separated by spaces).
fn has_context_link(x: &Exchange) -> bool {
    x.headers
        .iter()
        .filter(|(name, _)| name == "link")
        .flat_map(|(_, value)| value.split(','))
        .any(|link| {
            link.trim_start().starts_with('<')
                && link.split(';').skip(1).any(|param| {
                    let Some((name, value)) = param.split_once('=') else {
                        return false;
                    };
                    name.trim().eq_ignore_ascii_case("rel")
                        && value
                            .trim()
                            .trim_matches('"')
                            .split_ascii_whitespace()
                            .any(|rel| rel == LD_CONTEXT_REL)
                })
        })
}

/// The answer carries its `@context`: in each entity of an
/// `application/ld+json` body, or in a JSON-LD `Link` header beside
/// another JSON media type.
pub(crate) fn ld_context(x: &Exchange) -> Outcome {
    if let Err(outcome) = answered(x, "the request") {
        return outcome;
    }
    let Some(media) = media_type(x) else {
        return violation("no Content-Type header".to_owned());
    };
    if media == "application/ld+json" {
        let found = match entities(x) {
            Ok(found) => found,
            Err(outcome) => return outcome,
        };
        let bare: Vec<String> = found
            .iter()
            .enumerate()
            .filter(|(_, e)| e.get("@context").is_none())
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        return if bare.is_empty() {
            Outcome::Pass
        } else {
            violation(format!(
                "the answer is application/ld+json, but entity {} carries no `@context`",
                bare.join(", ")
            ))
        };
    }
    if has_context_link(x) {
        Outcome::Pass
    } else {
        violation(format!(
            "the answer is `{media}` without a Link header of relation {LD_CONTEXT_REL}; the entities' terms cannot be expanded"
        ))
    }
}

/// `header` holds a whole number, at least the number of records in the
/// body: the count of every matching entity, not of the page.
pub(crate) fn results_count(x: &Exchange, header: &str) -> Outcome {
    if let Err(outcome) = answered(x, "the request") {
        return outcome;
    }
    let Some(value) = x.header(header) else {
        return violation(format!(
            "no `{header}` header although the count was asked for"
        ));
    };
    let Ok(count) = value.trim().parse::<u64>() else {
        return violation(format!("`{header}` is not a whole number"));
    };
    let returned = match records::shape(&x.body) {
        Ok(shape) => shape.count() as u64,
        Err(reason) => return Outcome::Error(unreadable_body(x, reason)),
    };
    if count < returned {
        return violation(format!(
            "`{header}` is {count}, fewer than the {returned} entities returned"
        ));
    }
    Outcome::Pass
}

/// The body is a problem details object whose `type` is one of `wanted`.
pub(crate) fn problem_type(x: &Exchange, wanted: &[String]) -> Outcome {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&x.body) else {
        return violation(format!(
            "the error body is not a problem details object (a JSON object with `type`); expected `type` {}",
            wanted.join(" or ")
        ));
    };
    match body.get("type").and_then(Value::as_str) {
        Some(found) if wanted.iter().any(|w| w == found) => Outcome::Pass,
        Some(_) => violation(format!(
            "the problem details' `type` is another URI; expected {}",
            wanted.join(" or ")
        )),
        None => violation(format!(
            "the error body has no `type` URI; expected {}",
            wanted.join(" or ")
        )),
    }
}

/// The body is an NGSI-v2 error object: `error` one of `wanted`, and a
/// `description` string (FIWARE NGSI v2, "Error Responses").
pub(crate) fn error_body(x: &Exchange, wanted: &[String]) -> Outcome {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&x.body) else {
        return violation(format!(
            "the error body is not a JSON object with `error` and `description`; expected `error` {}",
            wanted.join(" or ")
        ));
    };
    let error = body.get("error").and_then(Value::as_str);
    let described = body.get("description").is_some_and(Value::is_string);
    match error {
        Some(found) if wanted.iter().any(|w| w == found) && described => Outcome::Pass,
        Some(found) if wanted.iter().any(|w| w == found) => {
            violation("the error body has no `description` string".to_owned())
        }
        _ => violation(format!(
            "the error body's `error` is not {}",
            wanted.join(" or ")
        )),
    }
}

/// The compared answer, 2xx, or why the comparison cannot be made.
fn compared<'a>(x: &'a Exchange, what: &str) -> Result<&'a Exchange, Outcome> {
    let Some(other) = x.compared.as_deref() else {
        return Err(Outcome::Error(format!("not checked: {what} was not sent")));
    };
    answered(other, what)?;
    Ok(other)
}

/// Each entity adapted to key-values, by ID, with the form it arrived in;
/// an entity without an ID string is left out (its position is named).
struct Adapted {
    by_id: BTreeMap<String, (usize, Value)>,
    forms: Vec<Representation>,
    without_id: Vec<usize>,
}

/// `found` adapted from the form `declared` (an endpoint's
/// `representation`, or `Auto`: told from each entity); an entity the form
/// cannot read leaves the comparison "could not be checked".
fn adapt_all(found: Vec<Value>, declared: pipeline::Declared) -> Result<Adapted, Outcome> {
    let mut adapted = Adapted {
        by_id: BTreeMap::new(),
        forms: Vec::new(),
        without_id: Vec::new(),
    };
    for (i, entity) in found.into_iter().enumerate() {
        let id = entity.get("id").and_then(Value::as_str).map(str::to_owned);
        let one = pipeline::adapt(entity, declared)
            .map_err(|why| Outcome::Error(format!("not checked: entity {}: {why}", i + 1)))?;
        adapted.forms.push(one.representation);
        let mut value = one.value;
        if let Some(map) = value.as_object_mut() {
            map.remove("@context");
        }
        match id {
            Some(id) => {
                adapted.by_id.insert(id, (i + 1, value));
            }
            None => adapted.without_id.push(i + 1),
        }
    }
    Ok(adapted)
}

/// A member name as a message may show it: plain names only, as a name
/// may be data.
fn shown(name: &str) -> String {
    let plain = name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '@'))
        && name.chars().filter(char::is_ascii_digit).count() <= 3;
    if plain {
        format!("`{name}`")
    } else {
        "a member whose name is not shown".to_owned()
    }
}

/// The members two adapted entities disagree on.
fn differing(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["the whole entity".to_owned()];
    };
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .map(|n| shown(n))
        .collect()
}

/// The key-values answer describes the entities of the normalized answer:
/// the first answer is in a normalized form, the compared one in
/// key-values, with the same IDs, and each entity equal once adapted. The
/// first answer is read in the form its endpoint declares (`declared`):
/// entities that contradict the declaration leave the comparison "could
/// not be checked", as they leave the record checks; the key-values
/// answer is always told from its content, as it must be key-values.
pub(crate) fn same_entities(x: &Exchange, declared: pipeline::Declared) -> Outcome {
    if let Err(outcome) = answered(x, "the request") {
        return outcome;
    }
    let other = match compared(x, "the key-values request") {
        Ok(other) => other,
        Err(outcome) => return outcome,
    };
    let (normal, simple) = match (
        entities(x).and_then(|found| adapt_all(found, declared)),
        entities(other).and_then(|found| adapt_all(found, pipeline::Declared::Auto)),
    ) {
        (Ok(normal), Ok(simple)) => (normal, simple),
        (Err(outcome), _) | (_, Err(outcome)) => return outcome,
    };
    if normal.forms.is_empty() && simple.forms.is_empty() {
        return Outcome::NotApplicable("the query matched no entity to compare".to_owned());
    }
    let mut problems = Vec::new();
    if let Some(form) = normal
        .forms
        .iter()
        .find(|f| **f == Representation::KeyValues)
    {
        problems.push(format!(
            "the answer without options=keyValues is in {form} form, not normalized"
        ));
    }
    if let Some(form) = simple
        .forms
        .iter()
        .find(|f| **f != Representation::KeyValues)
    {
        problems.push(format!(
            "the answer to options=keyValues is in {form} form, not key-values"
        ));
    }
    for i in normal.without_id.iter().chain(&simple.without_id) {
        problems.push(format!("entity {i} has no `id`"));
    }
    for (id, (i, value)) in &normal.by_id {
        match simple.by_id.get(id) {
            None => problems.push(format!(
                "entity {i} of the normalized answer is not in the key-values answer"
            )),
            Some((_, other)) => {
                let names = differing(value, other);
                if !names.is_empty() {
                    problems.push(format!(
                        "entity {i} differs between the two forms in {}",
                        names.join(", ")
                    ));
                }
            }
        }
    }
    for (id, (i, _)) in &simple.by_id {
        if !normal.by_id.contains_key(id) {
            problems.push(format!(
                "entity {i} of the key-values answer is not in the normalized answer"
            ));
        }
    }
    Outcome::from_violations(
        problems
            .into_iter()
            .map(|m| Violation::new("", m))
            .collect(),
    )
}

/// The IDs of a body's entities, in order.
fn ids(x: &Exchange) -> Result<Vec<Option<String>>, Outcome> {
    Ok(entities(x)?
        .iter()
        .map(|e| e.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect())
}

/// The compared page (`limit=1&offset=1`) starts at this answer's second
/// entity (`limit=2`).
pub(crate) fn offset_follows(x: &Exchange) -> Outcome {
    if let Err(outcome) = answered(x, "the request") {
        return outcome;
    }
    let other = match compared(x, "the request with offset=1") {
        Ok(other) => other,
        Err(outcome) => return outcome,
    };
    let (first, shifted) = match (ids(x), ids(other)) {
        (Ok(first), Ok(shifted)) => (first, shifted),
        (Err(outcome), _) | (_, Err(outcome)) => return outcome,
    };
    if first.len() < 2 {
        return Outcome::NotApplicable(
            "fewer than two entities matched, so an offset cannot be told from none".to_owned(),
        );
    }
    match (&first[1], shifted.first()) {
        (Some(second), Some(Some(start))) if second == start => Outcome::Pass,
        (_, None) => violation("with offset=1 the answer holds no entity, although two matched".to_owned()),
        _ => violation(
            "with offset=1 the first entity is not the second entity of the same query without an offset".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
            next_pages: Vec::new(),
            compared: None,
        }
    }

    #[test]
    fn the_context_comes_from_the_link_header_or_the_body() {
        let link = format!(
            "<https://example.org/ctx.jsonld>; rel=\"{LD_CONTEXT_REL}\"; type=\"application/ld+json\""
        );
        let json = [("content-type", "application/json")];
        assert!(matches!(
            ld_context(&exchange(&json, "[]")),
            Outcome::Violations(_)
        ));
        let linked = [
            ("content-type", "application/json"),
            ("link", link.as_str()),
        ];
        assert_eq!(ld_context(&exchange(&linked, "[]")), Outcome::Pass);
        let ld = [("content-type", "application/ld+json")];
        assert_eq!(
            ld_context(&exchange(&ld, r#"[{"id":"x","@context":"c"}]"#)),
            Outcome::Pass
        );
        assert!(matches!(
            ld_context(&exchange(&ld, r#"[{"id":"x"}]"#)),
            Outcome::Violations(_)
        ));
        let other = [
            ("content-type", "application/json"),
            ("link", "<https://x>; rel=\"next\""),
        ];
        assert!(matches!(
            ld_context(&exchange(&other, "[]")),
            Outcome::Violations(_)
        ));
    }

    #[test]
    fn a_count_below_the_page_fails() {
        let body = r#"[{"id":"a"},{"id":"b"}]"#;
        let x = |count: &str| exchange(&[("ngsild-results-count", count)], body);
        assert_eq!(
            results_count(&x("7"), "ngsild-results-count"),
            Outcome::Pass
        );
        assert!(matches!(
            results_count(&x("1"), "ngsild-results-count"),
            Outcome::Violations(_)
        ));
        assert!(matches!(
            results_count(&x("many"), "ngsild-results-count"),
            Outcome::Violations(_)
        ));
        assert!(matches!(
            results_count(&exchange(&[], body), "ngsild-results-count"),
            Outcome::Violations(_)
        ));
    }

    #[test]
    fn normalized_and_key_values_forms_are_compared_once_adapted() {
        let normalized = r#"[{"id":"urn:a","type":"T","n":{"type":"Property","value":3}}]"#;
        let mut x = exchange(&[], normalized);
        x.compared = Some(Box::new(exchange(
            &[],
            r#"[{"id":"urn:a","type":"T","n":3}]"#,
        )));
        assert_eq!(same_entities(&x, pipeline::Declared::Auto), Outcome::Pass);
        x.compared = Some(Box::new(exchange(
            &[],
            r#"[{"id":"urn:a","type":"T","n":4}]"#,
        )));
        let Outcome::Violations(found) = same_entities(&x, pipeline::Declared::Auto) else {
            panic!("a changed value is a violation");
        };
        assert!(found[0].message.contains("`n`"), "{found:?}");
        // A server that ignores options=keyValues answers normalized twice.
        x.compared = Some(Box::new(exchange(&[], normalized)));
        assert!(matches!(
            same_entities(&x, pipeline::Declared::Auto),
            Outcome::Violations(_)
        ));
    }

    #[test]
    fn the_first_answer_is_read_in_the_declared_form() {
        let concise = r#"[{"@context":"c","id":"urn:a","type":"T","n":3,"m":{"value":4}}]"#;
        let mut x = exchange(&[], concise);
        x.compared = Some(Box::new(exchange(
            &[],
            r#"[{"id":"urn:a","type":"T","n":3,"m":4}]"#,
        )));
        let normalized = pipeline::Declared::Is(Representation::NgsiLdNormalized);
        let concise_form = pipeline::Declared::Is(Representation::NgsiLdConcise);
        // Concise entities declared normalized: could not be checked.
        let Outcome::Error(reason) = same_entities(&x, normalized) else {
            panic!("a contradicted declaration is never met");
        };
        assert!(reason.contains("entity 1"), "{reason}");
        assert!(!reason.contains("urn:a"), "{reason}");
        // Declared as they are, they are compared as detection compares them.
        assert_eq!(same_entities(&x, concise_form), Outcome::Pass);
        assert_eq!(same_entities(&x, pipeline::Declared::Auto), Outcome::Pass);
    }

    #[test]
    fn the_offset_page_starts_at_the_second_entity() {
        let mut x = exchange(&[], r#"[{"id":"a"},{"id":"b"}]"#);
        x.compared = Some(Box::new(exchange(&[], r#"[{"id":"b"}]"#)));
        assert_eq!(offset_follows(&x), Outcome::Pass);
        x.compared = Some(Box::new(exchange(&[], r#"[{"id":"a"}]"#)));
        assert!(matches!(offset_follows(&x), Outcome::Violations(_)));
    }

    #[test]
    fn problem_details_are_told_by_their_type() {
        let wanted = vec!["https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound".to_owned()];
        let good = exchange(
            &[],
            r#"{"type":"https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound","title":"x"}"#,
        );
        assert_eq!(problem_type(&good, &wanted), Outcome::Pass);
        let plain = exchange(&[], r#"{"error":"NotFound","message":"x"}"#);
        assert!(matches!(
            problem_type(&plain, &wanted),
            Outcome::Violations(_)
        ));
    }
}
