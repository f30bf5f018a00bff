//! Deciding expectations on answers: each condition of a case against what
//! the server answered, with the requirement's parameters in force. Only
//! header names, statuses and patterns go into messages, never bodies: a
//! body may hold the personal data the audit protects.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::cases::{Condition, Expectation};
use super::documents;
use super::http::{Answer, Exchange};
use super::ngsi;
use super::personal::{self, Personal};
use super::records::{self, Shape};
use crate::engine::{Outcome, Violation};
use crate::payload::pipeline::{self, SchemaChoice};

/// What conditions may need besides the answer.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// Declared top-level members of each entity type's schema.
    pub declared: &'a BTreeMap<String, BTreeSet<String>>,
    /// The entity type of the endpoint asked, if any.
    pub endpoint_type: Option<&'a str>,
    /// Whether the base URL is HTTPS.
    pub https: bool,
    /// Whether the target is a public API (`auth = "none"`): its
    /// requests carry no credential.
    pub open: bool,
    /// How the answered records find their schema.
    pub schemas: &'a SchemaChoice,
    /// Whether the target is a GBFS feed, whose files are public by
    /// design and described by the GBFS schemas, not the shared models.
    pub gbfs: bool,
    /// The form the endpoint's records are declared in (`representation`
    /// in the target), or `Auto`: told from each record.
    pub representation: pipeline::Declared,
}

/// Why an expectation about personal data or declared members does not
/// apply to a GBFS feed's answer.
const GBFS_PUBLIC: &str = "a GBFS feed is published for any consumer: its privacy is decided by GBFS-PRIVACY-01 and GBFS-PRIVACY-02, its members by the GBFS schemas (GBFS-SCHEMA-01)";

/// The outcome of the expectations `expect` (all for one requirement) on
/// `answer`, with `params` in force.
pub(crate) fn decide(
    expect: &[&Expectation],
    answer: &Answer,
    params: &Map<String, Value>,
    context: &Context<'_>,
) -> Outcome {
    let mut outcomes = Vec::new();
    for expectation in expect {
        if expectation.https_only && !context.https {
            outcomes.push(Outcome::NotApplicable(
                "the API is served over plain HTTP, where this header must not be sent (RFC 6797 §7.2); SEC-HTTPS-01 decides plain HTTP".to_owned(),
            ));
            continue;
        }
        if context.gbfs
            && (expectation.personal_data_only
                || expectation.conditions.iter().any(|c| {
                    matches!(
                        c,
                        Condition::PropertiesDeclared | Condition::PersonalDataAuthenticated
                    )
                }))
        {
            outcomes.push(Outcome::NotApplicable(GBFS_PUBLIC.to_owned()));
            continue;
        }
        if expectation.personal_data_only
            && let Some(outcome) = unless_personal(answer, context)
        {
            outcomes.push(outcome);
            continue;
        }
        for condition in &expectation.conditions {
            outcomes.push(condition_outcome(condition, answer, params, context));
        }
    }
    combine(outcomes)
}

/// For an expectation about personal data: `None` when the answer serves
/// personal data (the expectation is decided), else why it does not apply
/// (no personal data) or could not be checked (records of no known
/// schema). An answer that is no exchange is left to the conditions.
fn unless_personal(answer: &Answer, context: &Context<'_>) -> Option<Outcome> {
    let Answer::Exchange(x) = answer else {
        return None;
    };
    if let Some(reason) = personal::served_nothing(x.status) {
        return Some(Outcome::NotApplicable(reason));
    }
    match personal::personal(&x.body, context.schemas, context.endpoint_type, context.representation) {
        Personal::Yes { .. } => None,
        Personal::No => Some(Outcome::NotApplicable(
            "the answer serves no personal data: no field its schema marks as identifying or sensitive holds a value".to_owned(),
        )),
        Personal::Unknown(reason) => Some(Outcome::Error(unreadable_body(x, reason))),
    }
}

/// The `Access-Control-Allow-Origin` of `x` when it is one of `origins`
/// (a wildcard or the untrusted origin sent, reflected).
fn allowed_origin<'a>(x: &'a Exchange, origins: &[String]) -> Option<&'a str> {
    x.header("access-control-allow-origin")
        .map(str::trim)
        .filter(|v| origins.iter().any(|o| o == v))
}

/// Whether `x` lets a browser send credentials to any origin it allows
/// (`Access-Control-Allow-Credentials: true`, the only value the Fetch
/// standard defines, §3.2.3).
fn allows_credentials(x: &Exchange) -> bool {
    x.header("access-control-allow-credentials")
        .is_some_and(|v| v.trim() == "true")
}

/// Whether the answer is public data: the target is open (`auth =
/// "none"`), a GBFS feed, or the answer serves no personal data. Records
/// of no known schema are not taken for public.
fn public_data(x: &Exchange, context: &Context<'_>) -> bool {
    context.open
        || context.gbfs
        || matches!(
            personal::personal(
                &x.body,
                context.schemas,
                context.endpoint_type,
                context.representation
            ),
            Personal::No
        )
}

/// SEC-CORS-01: an untrusted origin allowed with credentials fails
/// anywhere (Fetch, §3.2.5 "CORS protocol and credentials": the answer
/// is then exposed with the user's cookies or authentication); allowed
/// without credentials it fails on personal or authenticated data, and on
/// public data it is left to SEC-CORS-02.
fn cors_closed(x: &Exchange, origins: &[String], context: &Context<'_>) -> Outcome {
    let Some(allowed) = allowed_origin(x, origins) else {
        return Outcome::Pass;
    };
    if allows_credentials(x) {
        return violation(format!(
            "Access-Control-Allow-Origin: {allowed} with Access-Control-Allow-Credentials: true: any site may read this answer with its visitors' credentials"
        ));
    }
    if public_data(x, context) {
        return Outcome::NotApplicable(
            "public data served without credentials allowed; SEC-CORS-02 decides a reflected origin".to_owned(),
        );
    }
    violation(format!(
        "Access-Control-Allow-Origin: {allowed} on an answer with personal or authenticated data"
    ))
}

/// SEC-CORS-02: on public data, an untrusted origin is not reflected; a
/// wildcard is how the Fetch standard shares a public resource (§3.2.5:
/// never with credentials), and passes.
fn cors_public(x: &Exchange, origins: &[String], context: &Context<'_>) -> Outcome {
    if !public_data(x, context) {
        return Outcome::NotApplicable(
            "the answer serves personal or authenticated data; SEC-CORS-01 decides".to_owned(),
        );
    }
    match allowed_origin(x, origins) {
        None => Outcome::Pass,
        Some(allowed) => violation(format!(
            "Access-Control-Allow-Origin: {allowed}: the untrusted origin sent is reflected; public data is shared with `*`, and a reflected origin is one credential header away from SEC-CORS-01"
        )),
    }
}

/// Personal data served to a request without a credential fails; an
/// authenticated target's own cases decide its authentication.
fn personal_data_authenticated(x: &Exchange, context: &Context<'_>) -> Outcome {
    if !context.open {
        return Outcome::NotApplicable(
            "the request carried a credential; the authentication cases decide".to_owned(),
        );
    }
    if let Some(reason) = personal::served_nothing(x.status) {
        return Outcome::NotApplicable(reason);
    }
    match personal::personal(&x.body, context.schemas, context.endpoint_type, context.representation) {
        Personal::Yes {
            record,
            pointer,
            role,
        } => Outcome::Violations(vec![Violation::new(
            "",
            format!(
                "personal data is served without authentication: record {record} holds `{pointer}`, which its schema marks as {}",
                personal::role_words(role)
            ),
        )]),
        Personal::No => Outcome::NotApplicable(
            "a public API serving no personal data: no field its schema marks as identifying or sensitive holds a value".to_owned(),
        ),
        Personal::Unknown(reason) => Outcome::Error(unreadable_body(x, reason)),
    }
}

/// A 2xx answer the document conditions read; else why they cannot.
fn document(x: &Exchange) -> Result<(), Outcome> {
    if (200..300).contains(&x.status) {
        Ok(())
    } else {
        Err(violation(format!("answered {}; expected 200", x.status)))
    }
}

fn links_rel(x: &Exchange, wanted: &[String]) -> Outcome {
    if let Err(outcome) = document(x) {
        return outcome;
    }
    let Some(links) = documents::links(&x.body) else {
        return violation("the body is not a JSON object with a `links` array".to_owned());
    };
    all_present(
        wanted,
        |rel| documents::has_rel(&links, rel),
        "no link of relation",
    )
}

/// A violation naming each of `wanted` that `has` does not hold, after
/// `what`; a pass when none is missing.
fn all_present(wanted: &[String], has: impl Fn(&str) -> bool, what: &str) -> Outcome {
    let missing: Vec<&str> = wanted
        .iter()
        .map(String::as_str)
        .filter(|w| !has(w))
        .collect();
    check(missing.is_empty(), || {
        format!("{what} {}", missing.join(", "))
    })
}

fn conforms_to(x: &Exchange, wanted: &[String]) -> Outcome {
    if let Err(outcome) = document(x) {
        return outcome;
    }
    let Some(declared) = documents::conforms_to(&x.body) else {
        return violation("the body has no `conformsTo` list of URIs".to_owned());
    };
    all_present(
        wanted,
        |uri| declared.iter().any(|d| d == uri),
        "`conformsTo` does not declare",
    )
}

fn members(x: &Exchange, wanted: &[String]) -> Outcome {
    if let Err(outcome) = document(x) {
        return outcome;
    }
    let Some(present) = documents::members(&x.body) else {
        return violation("the body is not a JSON object".to_owned());
    };
    all_present(wanted, |m| present.iter().any(|p| p == m), "no member")
}

/// A GeoJSON FeatureCollection with a `self` link, whose `numberReturned`,
/// where given, counts its features.
fn feature_collection(x: &Exchange) -> Outcome {
    if let Err(outcome) = document(x) {
        return outcome;
    }
    let features = match records::shape(&x.body) {
        Ok(Shape::Features(count)) => count,
        Ok(_) => {
            return violation(
                "the body is not a GeoJSON FeatureCollection (`type` FeatureCollection, `features` an array)"
                    .to_owned(),
            );
        }
        Err(reason) => return Outcome::Error(unreadable_body(x, reason)),
    };
    let mut problems = Vec::new();
    if !documents::links(&x.body).is_some_and(|links| documents::has_rel(&links, "self")) {
        problems.push("no link of relation self".to_owned());
    }
    match documents::counts(&x.body) {
        Some(counts) => {
            if let Some(returned) = counts.number_returned
                && returned != features as u64
            {
                problems.push(format!(
                    "`numberReturned` is {returned}, but {features} features were returned"
                ));
            }
        }
        None => {
            problems.push("`numberReturned` or `numberMatched` is not a whole number".to_owned())
        }
    }
    Outcome::from_violations(
        problems
            .into_iter()
            .map(|m| Violation::new("", m))
            .collect(),
    )
}

/// A `next` link when `numberMatched` says more features were selected
/// than this page returned.
fn next_when_more(x: &Exchange) -> Outcome {
    if let Err(outcome) = document(x) {
        return outcome;
    }
    let returned = match records::shape(&x.body) {
        Ok(shape) => shape.count() as u64,
        Err(reason) => return Outcome::Error(unreadable_body(x, reason)),
    };
    let Some(matched) = documents::counts(&x.body).and_then(|c| c.number_matched) else {
        return Outcome::NotApplicable(
            "the answer does not say how many features were selected (`numberMatched`)".to_owned(),
        );
    };
    if matched <= returned {
        return Outcome::NotApplicable(format!("all {matched} selected features were returned"));
    }
    let has_next =
        documents::links(&x.body).is_some_and(|links| documents::has_rel(&links, "next"));
    check(has_next, || {
        format!("{matched} features selected, {returned} returned, and no link of relation next")
    })
}

/// `Content-Type` is present and, on a JSON body, a JSON media type:
/// `application/json` (RFC 8259 §11) or a structured syntax suffix
/// `+json` (RFC 6839 §3.1, as `application/geo+json`). RFC 8259 §11
/// defines no `charset` parameter, so none is asked for.
fn json_media_type(x: &Exchange) -> Outcome {
    let Some(found) = x.header("content-type") else {
        return if x.body.is_empty() {
            Outcome::NotApplicable("the answer has no body".to_owned())
        } else {
            violation("no `content-type` header on an answer with a body".to_owned())
        };
    };
    let essence = found
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json_type = essence == "application/json"
        || essence
            .split_once('/')
            .is_some_and(|(kind, sub)| !kind.is_empty() && sub.ends_with("+json"));
    let body_is_json =
        !x.body.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(&x.body).is_ok();
    check(!body_is_json || is_json_type, || {
        format!(
            "`content-type: {found}` labels a JSON body; expected application/json or a +json media type (RFC 8259 §11, RFC 6839 §3.1)"
        )
    })
}

/// Violations outrank errors, which outrank passes; all skipped is skipped.
pub(crate) fn combine(outcomes: Vec<Outcome>) -> Outcome {
    let mut violations = Vec::new();
    let mut error = None;
    let mut skip = None;
    let mut passed = false;
    for outcome in outcomes {
        match outcome {
            Outcome::Violations(mut v) => violations.append(&mut v),
            Outcome::Error(reason) => {
                error.get_or_insert(reason);
            }
            Outcome::NotApplicable(reason) => {
                skip.get_or_insert(reason);
            }
            Outcome::Pass => passed = true,
        }
    }
    if !violations.is_empty() {
        Outcome::Violations(violations)
    } else if let Some(reason) = error {
        Outcome::Error(reason)
    } else if passed {
        Outcome::Pass
    } else {
        Outcome::NotApplicable(skip.unwrap_or_else(|| "nothing to check".to_owned()))
    }
}

fn violation(message: String) -> Outcome {
    Outcome::Violations(vec![Violation::new("", message)])
}

fn check(ok: bool, message: impl FnOnce() -> String) -> Outcome {
    if ok {
        Outcome::Pass
    } else {
        violation(message())
    }
}

fn condition_outcome(
    condition: &Condition,
    answer: &Answer,
    params: &Map<String, Value>,
    context: &Context<'_>,
) -> Outcome {
    if !context.https {
        match condition {
            Condition::HandshakeValid => {
                return violation("the API is served over plain HTTP, without TLS".to_owned());
            }
            Condition::HttpsEnforced => {
                return violation("the API's base URL is plain http://".to_owned());
            }
            _ => {}
        }
    }
    match (answer, condition) {
        (Answer::Skipped(reason), _) => Outcome::NotApplicable(reason.clone()),
        (Answer::Failed(reason) | Answer::Unsent(reason), _) => Outcome::Error(reason.clone()),
        (Answer::Refused, Condition::HttpsEnforced) => Outcome::Pass,
        (Answer::Refused, _) => Outcome::Error("the connection was refused".to_owned()),
        (Answer::CertificateRejected(reason), Condition::HandshakeValid) => violation(format!(
            "the server's certificate does not validate: {reason}"
        )),
        (Answer::CertificateRejected(reason), _) => Outcome::Error(format!(
            "not checked: the server's certificate does not validate ({reason})"
        )),
        (Answer::Legacy(accepted), Condition::LegacyRefused) => check(!accepted, || {
            "the server agreed to a TLS 1.1 handshake".to_owned()
        }),
        (
            Answer::Burst {
                statuses,
                sent,
                planned,
                stopped,
            },
            Condition::StatusSeen(wanted),
        ) => {
            if statuses.iter().any(|s| wanted.contains(s)) {
                Outcome::Pass
            } else if let Some(reason) = stopped {
                // Too few requests went out to say the platform does not
                // throttle them.
                Outcome::Error(format!(
                    "could not be checked: the burst stopped after {sent} of {planned} requests, \
                     too few to judge ({reason})"
                ))
            } else {
                violation(format!(
                    "{sent} requests in a burst, and none was answered {}",
                    list(wanted)
                ))
            }
        }
        (Answer::Exchange(x), condition) => on_exchange(condition, x, params, context),
        _ => Outcome::Error("this condition does not fit this probe".to_owned()),
    }
}

fn list(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

fn param(params: &Map<String, Value>, name: &str) -> Option<f64> {
    params.get(name).and_then(Value::as_f64)
}

fn on_exchange(
    condition: &Condition,
    x: &Exchange,
    params: &Map<String, Value>,
    context: &Context<'_>,
) -> Outcome {
    let status = x.status;
    match condition {
        Condition::Status(wanted) => check(wanted.contains(&status), || {
            format!("answered {status}; expected {}", list(wanted))
        }),
        Condition::StatusRange(low, high) => check((*low..=*high).contains(&status), || {
            format!("answered {status}; expected {low} to {high}")
        }),
        Condition::Present(name, want) => check(x.header(name).is_some() == *want, || {
            if *want {
                format!("no `{name}` header")
            } else {
                format!("a `{name}` header is present")
            }
        }),
        Condition::Equals(name, value) => match x.header(name) {
            Some(found) => check(found.trim().eq_ignore_ascii_case(value), || {
                format!("`{name}` is `{found}`; expected `{value}`")
            }),
            None => violation(format!("no `{name}` header")),
        },
        Condition::Matches(name, pattern) => match x.header(name) {
            Some(found) => check(pattern.is_match(found), || {
                format!("`{name}: {found}` does not match `{pattern}`")
            }),
            None => violation(format!("no `{name}` header")),
        },
        Condition::NotMatches(name, pattern) => match x.header(name) {
            Some(found) => check(!pattern.is_match(found), || {
                format!("`{name}: {found}` matches `{pattern}`")
            }),
            None => Outcome::Pass,
        },
        Condition::NotIn(name, values) => match x.header(name) {
            Some(found) => check(
                !values.iter().any(|v| v.eq_ignore_ascii_case(found.trim())),
                || format!("`{name}` is `{found}`"),
            ),
            None => Outcome::Pass,
        },
        Condition::MaxAgeAtLeast(name, p) => {
            let Some(minimum) = param(params, p) else {
                return Outcome::Error(format!("parameter `{p}` is not a number"));
            };
            match x.header(name) {
                Some(found) => match max_age(found) {
                    Some(age) => check(age as f64 >= minimum, || {
                        format!("`{name}` max-age is {age}; at least {minimum} is required")
                    }),
                    None => violation(format!("`{name}: {found}` has no max-age")),
                },
                None => violation(format!("no `{name}` header")),
            }
        }
        Condition::BodyMatches(pattern) => {
            check(pattern.is_match(&String::from_utf8_lossy(&x.body)), || {
                format!("the body does not match `{pattern}`")
            })
        }
        Condition::BodyNotMatches(pattern) => {
            check(!pattern.is_match(&String::from_utf8_lossy(&x.body)), || {
                format!("the body matches `{pattern}` (internals: stack trace, SQL or file path)")
            })
        }
        Condition::RecordsAtMost(p) => {
            let Some(maximum) = param(params, p) else {
                return Outcome::Error(format!("parameter `{p}` is not a number"));
            };
            if (400..500).contains(&status) {
                return Outcome::Pass;
            }
            match records::shape(&x.body) {
                Ok(shape) => check(shape.count() as f64 <= maximum, || {
                    format!(
                        "answered {status} with {} records; at most {maximum} are allowed per page",
                        shape.count()
                    )
                }),
                Err(reason) => Outcome::Error(unreadable_body(x, reason)),
            }
        }
        Condition::PropertiesDeclared => declared_only(x, context),
        Condition::ExpiresInFuture => expires_in_future(&x.body),
        Condition::HttpsEnforced => {
            let location = x.header("location").unwrap_or("");
            let redirected = matches!(status, 301 | 308)
                && location.to_ascii_lowercase().starts_with("https://");
            check(redirected, || {
                if (200..300).contains(&status) {
                    format!("plain HTTP answered {status} with content")
                } else {
                    format!("plain HTTP answered {status}, not a 301 or 308 redirect to https://")
                }
            })
        }
        Condition::HandshakeValid => check(context.https, || {
            "the API is served over plain HTTP, without TLS".to_owned()
        }),
        Condition::LinksRel(wanted) => links_rel(x, wanted),
        Condition::ConformsTo(wanted) => conforms_to(x, wanted),
        Condition::Members(wanted) => members(x, wanted),
        Condition::FeatureCollection => feature_collection(x),
        Condition::AtMost(most) => match records::shape(&x.body) {
            Ok(shape) => check(shape.count() as u64 <= *most, || {
                format!(
                    "{} records answered; at most {most} were asked for",
                    shape.count()
                )
            }),
            Err(reason) => Outcome::Error(unreadable_body(x, reason)),
        },
        Condition::NextWhenMore => next_when_more(x),
        Condition::LdContext => ngsi::ld_context(x),
        Condition::ResultsCount(header) => ngsi::results_count(x, header),
        Condition::ProblemType(wanted) => ngsi::problem_type(x, wanted),
        Condition::SameEntities => ngsi::same_entities(x, context.representation),
        Condition::OffsetFollows => ngsi::offset_follows(x),
        Condition::ErrorBody(wanted) => ngsi::error_body(x, wanted),
        Condition::JsonMediaType => json_media_type(x),
        Condition::PersonalDataAuthenticated => personal_data_authenticated(x, context),
        Condition::CorsClosed(origins) => cors_closed(x, origins, context),
        Condition::CorsPublic(origins) => cors_public(x, origins, context),
        Condition::LegacyRefused | Condition::StatusSeen(_) => {
            Outcome::Error("this condition does not fit this probe".to_owned())
        }
    }
}

/// The `max-age` directive of an HSTS or Cache-Control value.
fn max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|part| {
        let (key, number) = part.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| number.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

/// Why an answer's body holds no records; the reason names the answer's
/// `Content-Encoding`, if it has one (a compressed body is not JSON to the
/// audit, which asks for none).
pub(crate) fn unreadable_body(x: &Exchange, reason: String) -> String {
    match x.header("content-encoding") {
        Some(encoding) => format!("{reason} (Content-Encoding: {})", encoding.trim()),
        None => reason,
    }
}

fn declared_only(x: &Exchange, context: &Context<'_>) -> Outcome {
    if !(200..300).contains(&x.status) {
        return Outcome::NotApplicable(format!("answered {}", x.status));
    }
    let mut violations = Vec::new();
    let mut unknown_type = None;
    let mut index = 0;
    let shape = records::each_record(&x.body, |record| {
        let i = index;
        index += 1;
        if unknown_type.is_some() {
            return;
        }
        let adapted = match pipeline::adapt(record, context.representation) {
            Ok(adapted) => adapted,
            Err(why) => {
                unknown_type = Some(format!("not checked: {why}"));
                return;
            }
        };
        let Some(map) = adapted.value.as_object() else {
            return;
        };
        let own_type = map.get("type").and_then(Value::as_str);
        let entity_type = own_type.or(context.endpoint_type);
        let Some(declared) = entity_type.and_then(|t| context.declared.get(t)) else {
            // The record's own `type` is data and is not repeated; the
            // endpoint's comes from the target file and is named.
            unknown_type = Some(match (own_type, entity_type) {
                (Some(_), _) => "no shared schema for the record's `type` (its value names no known entity type)".to_owned(),
                (None, Some(declared)) => format!("no shared schema for the declared type `{declared}`"),
                (None, None) => "the record has no `type` member and its endpoint declares none".to_owned(),
            });
            return;
        };
        for key in map.keys() {
            if key != "envelope" && !declared.contains(key) {
                let pointer = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
                violations.push((
                    i,
                    adapted.original_pointer(&pointer),
                    key.clone(),
                    entity_type.unwrap_or("").to_owned(),
                ));
            }
        }
    });
    let shape = match shape {
        Ok(shape) => shape,
        Err(reason) => return Outcome::Error(unreadable_body(x, reason)),
    };
    if let Some(reason) = unknown_type {
        return Outcome::Error(reason);
    }
    Outcome::from_violations(
        violations
            .into_iter()
            .map(|(i, pointer, key, entity_type)| {
                let prefix = match shape {
                    Shape::Array(_) => format!("/{i}"),
                    Shape::Features(_) => format!("/features/{i}"),
                    Shape::Object => String::new(),
                };
                Violation::new(
                    format!("{prefix}{pointer}"),
                    format!("`{key}` is not declared by the `{entity_type}` schema"),
                )
            })
            .collect(),
    )
}

fn expires_in_future(body: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(body);
    let value = text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("expires")
            .then(|| value.trim().to_owned())
    });
    match value {
        None => violation("no `Expires` field".to_owned()),
        Some(value) => match chrono::DateTime::parse_from_rfc3339(&value) {
            Ok(when) => check(when > chrono::Utc::now(), || {
                format!("`Expires: {value}` is in the past")
            }),
            Err(_) => violation(format!("`Expires: {value}` is not an RFC 3339 time")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vacuity::{Reached, check};

    #[test]
    fn max_age_is_read_from_either_header() {
        assert_eq!(
            max_age("max-age=63072000; includeSubDomains"),
            Some(63_072_000)
        );
        assert_eq!(max_age("no-store, max-age=0"), None);
        assert_eq!(max_age("includeSubDomains"), None);
        assert_eq!(max_age("Max-Age=\"10\""), Some(10));
    }

    /// Whatever a server answers, every condition decides without
    /// panicking.
    #[test]
    fn any_answer_is_decided() {
        static REACHED: Reached = Reached::new();
        fn property(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> bool {
            REACHED.hit();
            let x = Exchange {
                status,
                headers: headers
                    .into_iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v))
                    .chain([("content-type".to_owned(), "x".to_owned())])
                    .collect(),
                body,
                next_pages: Vec::new(),
                compared: None,
            };
            let declared = BTreeMap::new();
            let schemas = SchemaChoice::ByType {
                schemas: BTreeMap::new(),
                hint: "",
                untyped_hint: "",
            };
            let context = Context {
                declared: &declared,
                endpoint_type: Some("ParkingSpot"),
                https: true,
                open: true,
                gbfs: false,
                schemas: &schemas,
                representation: pipeline::Declared::Auto,
            };
            let mut params = Map::new();
            params.insert("n".to_owned(), serde_json::json!(3));
            let re = || regex::Regex::new("a+").expect("regex");
            let conditions = vec![
                Condition::Status(vec![200]),
                Condition::StatusRange(400, 499),
                Condition::Present("content-type".to_owned(), true),
                Condition::Equals("content-type".to_owned(), "x".to_owned()),
                Condition::Matches("content-type".to_owned(), re()),
                Condition::NotMatches("server".to_owned(), re()),
                Condition::NotIn("server".to_owned(), vec!["*".to_owned()]),
                Condition::MaxAgeAtLeast("content-type".to_owned(), "n".to_owned()),
                Condition::BodyMatches(re()),
                Condition::BodyNotMatches(re()),
                Condition::RecordsAtMost("n".to_owned()),
                Condition::PropertiesDeclared,
                Condition::ExpiresInFuture,
                Condition::HttpsEnforced,
                Condition::HandshakeValid,
                Condition::JsonMediaType,
                Condition::PersonalDataAuthenticated,
            ];
            let answer = Answer::Exchange(x);
            conditions.iter().all(|c| {
                let e = Expectation {
                    requirement: "R-1".to_owned(),
                    conditions: vec![c.clone()],
                    personal_data_only: true,
                    https_only: false,
                };
                let _ = decide(&[&e], &answer, &params, &context);
                true
            })
        }
        check(
            100,
            &REACHED,
            property as fn(u16, Vec<(String, String)>, Vec<u8>) -> bool,
        );
    }

    #[test]
    fn violations_outrank_errors() {
        let v = violation("x".to_owned());
        let out = combine(vec![
            Outcome::Error("e".to_owned()),
            v.clone(),
            Outcome::Pass,
        ]);
        assert_eq!(out, v);
        let out = combine(vec![Outcome::NotApplicable("s".to_owned())]);
        assert_eq!(out, Outcome::NotApplicable("s".to_owned()));
    }
}
