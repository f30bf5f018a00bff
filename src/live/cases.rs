//! Declarative live cases (`suites/live/*.toml`, format
//! `schemas/tool/live.schema.json`): what to send and what to expect. Each
//! expectation names the requirement it decides. Regexes are compiled
//! here, once; a bad one is reported with its file and line.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;

use crate::catalog::TomlSource;
use crate::catalog::load;
use crate::error::{Error, FileProblem, Result};

/// How often a case runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Each {
    /// Once.
    #[default]
    Once,
    /// Once for every collection endpoint of the target.
    Endpoint,
}

/// What a case does on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probe {
    /// One request.
    #[default]
    Request,
    /// The request over plain HTTP, without credentials.
    PlainHttp,
    /// A handshake with certificate validation.
    Tls,
    /// A TLS 1.1-only handshake.
    LegacyTls,
    /// The request repeated until a status in `status_seen`.
    Burst,
}

/// Whose credentials a request carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum As {
    /// Tenant A.
    A,
    /// Tenant B.
    B,
    /// None.
    #[default]
    None,
    /// A token nobody issued.
    Invalid,
    /// An expired JWT.
    Expired,
    /// An unsigned JWT claiming tenant A.
    AlgNone,
}

/// The request template.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Method; for `{admin}` the target's.
    pub method: Option<String>,
    /// Path template.
    #[serde(default)]
    pub path: String,
    /// Query appended.
    pub query: Option<String>,
    /// Whose credentials.
    #[serde(default, rename = "as")]
    pub principal: As,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body.
    pub body: Option<String>,
    /// Body's content type.
    pub content_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectationFile {
    requirement: String,
    status: Option<Vec<u16>>,
    status_range: Option<[u16; 2]>,
    header: Option<String>,
    present: Option<bool>,
    equals: Option<String>,
    matches: Option<String>,
    not_matches: Option<String>,
    not_in: Option<Vec<String>>,
    max_age_at_least: Option<String>,
    #[serde(default)]
    body_matches: Vec<String>,
    #[serde(default)]
    body_not_matches: Vec<String>,
    records_at_most: Option<String>,
    #[serde(default)]
    properties_declared: bool,
    #[serde(default)]
    expires_in_future: bool,
    status_seen: Option<Vec<u16>>,
    #[serde(default)]
    https_enforced: bool,
    #[serde(default)]
    handshake_valid: bool,
    #[serde(default)]
    legacy_refused: bool,
    #[serde(default)]
    json_media_type: bool,
    #[serde(default)]
    personal_data_authenticated: bool,
    #[serde(default)]
    personal_data_only: bool,
    #[serde(default)]
    https_only: bool,
    #[serde(default)]
    links_rel: Vec<String>,
    #[serde(default)]
    conforms_to: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    feature_collection: bool,
    at_most: Option<u64>,
    #[serde(default)]
    next_when_more: bool,
    #[serde(default)]
    ld_context: bool,
    #[serde(default)]
    results_count: Option<String>,
    #[serde(default)]
    problem_type: Vec<String>,
    cors_closed: Option<Vec<String>>,
    cors_public: Option<Vec<String>>,
    #[serde(default)]
    same_entities: bool,
    #[serde(default)]
    offset_follows: bool,
    #[serde(default)]
    error_body: Vec<String>,
}

/// One condition on an answer.
#[derive(Debug, Clone)]
pub enum Condition {
    /// The status is one of these.
    Status(Vec<u16>),
    /// The status is within [low, high].
    StatusRange(u16, u16),
    /// The header is present (or absent).
    Present(String, bool),
    /// The header equals this, ignoring case.
    Equals(String, String),
    /// The header matches.
    Matches(String, Regex),
    /// The header, when present, does not match.
    NotMatches(String, Regex),
    /// The header, when present, is none of these.
    NotIn(String, Vec<String>),
    /// The header's max-age is at least the named parameter.
    MaxAgeAtLeast(String, String),
    /// The body matches.
    BodyMatches(Regex),
    /// The body does not match.
    BodyNotMatches(Regex),
    /// Unless refused, at most the named parameter's number of records.
    RecordsAtMost(String),
    /// Every record member is declared by its schema.
    PropertiesDeclared,
    /// `Expires:` in the body is in the future.
    ExpiresInFuture,
    /// One of the burst's answers had one of these statuses.
    StatusSeen(Vec<u16>),
    /// Plain HTTP refused or redirected to HTTPS.
    HttpsEnforced,
    /// HTTPS with a valid certificate.
    HandshakeValid,
    /// A TLS 1.1-only handshake refused.
    LegacyRefused,
    /// `Content-Type` is present, and a JSON body is labelled with a JSON
    /// media type (`application/json` or a `+json` suffix); RFC 8259 §11
    /// defines no charset parameter, so none is asked for.
    JsonMediaType,
    /// Records holding personal data (a field their schema marks as a
    /// direct or quasi-identifier, or sensitive, holding a value) are not
    /// served to a request without a credential.
    PersonalDataAuthenticated,
    /// The body's `links` hold a link of each relation; `a|b` is either.
    LinksRel(Vec<String>),
    /// The body's `conformsTo` lists each of these URIs.
    ConformsTo(Vec<String>),
    /// The body is a JSON object with each of these members.
    Members(Vec<String>),
    /// The body is a GeoJSON FeatureCollection with a `self` link, whose
    /// `numberReturned`, where given, is its number of features.
    FeatureCollection,
    /// The body holds at most this many records.
    AtMost(u64),
    /// A `next` link is given when `numberMatched` says more features
    /// were selected than returned.
    NextWhenMore,
    /// A JSON-LD answer carries its `@context`: as `application/ld+json`
    /// with `@context` in each entity, or as another JSON media type with a
    /// `Link` header of relation `http://www.w3.org/ns/json-ld#context`.
    LdContext,
    /// The named header holds a whole number at least the number of
    /// records in the body (a count of every match, not of the page).
    ResultsCount(String),
    /// The body is a problem details object (RFC 9457) whose `type` is
    /// one of these URIs.
    ProblemType(Vec<String>),
    /// The compared answer describes the same entities, in key-values
    /// form, as this answer does in a normalized form: the same IDs, and
    /// each entity equal once both are adapted to key-values.
    SameEntities,
    /// The compared answer (`limit=1&offset=1`) starts at this answer's
    /// second entity.
    OffsetFollows,
    /// The body is an NGSI-v2 error: a JSON object whose `error` is one
    /// of these names, with a `description` string.
    ErrorBody(Vec<String>),
    /// `Access-Control-Allow-Origin` is none of these (a wildcard, or the
    /// untrusted origin sent, reflected), unless the data is public (an
    /// open target, or no personal data served) and credentials are not
    /// allowed: then it does not apply, and [`Condition::CorsPublic`]
    /// decides. With `Access-Control-Allow-Credentials: true` it always
    /// fails.
    CorsClosed(Vec<String>),
    /// On public data, `Access-Control-Allow-Origin` reflects none of
    /// these (the untrusted origin sent); elsewhere it does not apply.
    CorsPublic(Vec<String>),
}

impl Condition {
    /// The requirement parameter this condition reads, if any.
    pub fn param(&self) -> Option<&str> {
        match self {
            Condition::MaxAgeAtLeast(_, p) | Condition::RecordsAtMost(p) => Some(p),
            _ => None,
        }
    }
}

/// An expectation: conditions that decide one requirement.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The requirement decided.
    pub requirement: String,
    /// Every condition must hold.
    pub conditions: Vec<Condition>,
    /// Decided only on an answer whose records hold personal data; on one
    /// that holds none the requirement does not apply, and on one whose
    /// records have no known schema it could not be checked.
    pub personal_data_only: bool,
    /// Decided only on an HTTPS target: over plain HTTP it does not apply
    /// (a header a server must send over secure transport only).
    pub https_only: bool,
}

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Stable ID.
    pub id: String,
    /// One line.
    pub title: String,
    /// How often.
    pub each: Each,
    /// What it does.
    pub probe: Probe,
    /// The request.
    pub request: RequestSpec,
    /// A second request, the first with its query replaced, whose answer
    /// the conditions compare with the first's.
    pub compare: Option<Compare>,
    /// Whether the body's records are payload subjects.
    pub records: bool,
    /// Whether the answer's `next` pages are read too (their records
    /// checked), within the request budget.
    pub follow_next: bool,
    /// The kind of API the case is for (`ogcapi-features`), or `None` for
    /// every kind: against another kind it does not apply.
    pub api: Option<String>,
    /// The expectations.
    pub expect: Vec<Expectation>,
    /// Where it is defined (file, line).
    pub origin: String,
    /// The file it is defined in, and its pointer there, for problems
    /// found when the plan is built.
    source: Arc<TomlSource>,
    pointer: String,
}

/// The second request of a case that compares two answers: the same
/// request with `query` in place of the case's query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    /// The query sent instead.
    pub query: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    id: String,
    title: String,
    #[serde(default)]
    each: Each,
    #[serde(default)]
    probe: Probe,
    #[serde(default)]
    request: RequestSpec,
    compare: Option<Compare>,
    #[serde(default)]
    records: bool,
    #[serde(default)]
    follow_next: bool,
    api: Option<String>,
    expect: Vec<ExpectationFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    case: Vec<CaseFile>,
}

/// The cases in force and the files that define them.
#[derive(Debug, Clone, Default)]
pub struct CaseSet {
    /// The cases, in load order; an overlay's case replaces the one with
    /// its ID.
    pub cases: Vec<Case>,
    /// Name and text of every file that defines a case in force, in load
    /// order: what a report's provenance digests, so that a relaxed case
    /// is visible to a verifier. A file whose every case an overlay
    /// replaced is not in force.
    pub files: Vec<(String, String)>,
}

/// The embedded cases, then each overlay folder's `live/*.toml` (a case
/// with the same ID replaces the embedded one).
pub fn load_cases(overlays: &[PathBuf]) -> Result<Vec<Case>> {
    Ok(load_case_set(overlays)?.cases)
}

/// As [`load_cases`], with the files the cases in force come from.
pub fn load_case_set(overlays: &[PathBuf]) -> Result<CaseSet> {
    let schema = load::tool_schema("live.schema.json")?;
    let mut files = load::embedded_files("live");
    for dir in overlays {
        files.extend(load::dir_files(dir, "live")?);
    }
    // Each case with the index of the file that defines it.
    let mut cases: Vec<(Case, usize)> = Vec::new();
    let mut problems = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let (parsed, source): (CasesFile, _) = load::parse_checked(file, &schema)?;
        let source = Arc::new(source);
        for (i, case) in parsed.case.into_iter().enumerate() {
            let pointer = format!("/case/{i}");
            let origin = match source.line_of(&pointer) {
                Some(line) => format!("{}:{line}", file.name),
                None => file.name.clone(),
            };
            match build_case(case, origin, Arc::clone(&source), pointer.clone()) {
                Ok(case) => {
                    cases.retain(|(c, _)| c.id != case.id);
                    cases.push((case, index));
                }
                Err((j, message)) => {
                    problems.push(source.problem(&format!("{pointer}/expect/{j}"), message));
                }
            }
        }
    }
    Error::unless_problems(problems)?;
    let mut in_force: Vec<usize> = cases.iter().map(|(_, index)| *index).collect();
    in_force.sort_unstable();
    in_force.dedup();
    Ok(CaseSet {
        cases: cases.into_iter().map(|(case, _)| case).collect(),
        files: files
            .into_iter()
            .enumerate()
            .filter(|(i, _)| in_force.binary_search(i).is_ok())
            .map(|(_, file)| (file.name, file.text))
            .collect(),
    })
}

fn build_case(
    case: CaseFile,
    origin: String,
    source: Arc<TomlSource>,
    pointer: String,
) -> std::result::Result<Case, (usize, String)> {
    let expect = case
        .expect
        .into_iter()
        .enumerate()
        .map(|(j, e)| build_expectation(e).map_err(|m| (j, m)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Case {
        id: case.id,
        title: case.title,
        each: case.each,
        probe: case.probe,
        request: case.request,
        compare: case.compare,
        records: case.records,
        follow_next: case.follow_next,
        api: case.api,
        expect,
        origin,
        source,
        pointer,
    })
}

fn regex(text: &str) -> std::result::Result<Regex, String> {
    Regex::new(text).map_err(|e| format!("invalid regex `{text}`: {e}"))
}

fn build_expectation(e: ExpectationFile) -> std::result::Result<Expectation, String> {
    let mut conditions = Vec::new();
    if let Some(status) = e.status {
        conditions.push(Condition::Status(status));
    }
    if let Some([low, high]) = e.status_range {
        conditions.push(Condition::StatusRange(low, high));
    }
    let header_conditions = e.present.is_some()
        || e.equals.is_some()
        || e.matches.is_some()
        || e.not_matches.is_some()
        || e.not_in.is_some()
        || e.max_age_at_least.is_some();
    match (&e.header, header_conditions) {
        (None, true) => return Err("header conditions need `header`".to_owned()),
        (Some(_), false) => {
            return Err("`header` needs a condition (present, equals, matches, ...)".to_owned());
        }
        _ => {}
    }
    if let Some(name) = e.header.map(|h| h.to_ascii_lowercase()) {
        if let Some(present) = e.present {
            conditions.push(Condition::Present(name.clone(), present));
        }
        if let Some(value) = e.equals {
            conditions.push(Condition::Equals(name.clone(), value));
        }
        if let Some(pattern) = e.matches {
            conditions.push(Condition::Matches(name.clone(), regex(&pattern)?));
        }
        if let Some(pattern) = e.not_matches {
            conditions.push(Condition::NotMatches(name.clone(), regex(&pattern)?));
        }
        if let Some(values) = e.not_in {
            conditions.push(Condition::NotIn(name.clone(), values));
        }
        if let Some(param) = e.max_age_at_least {
            conditions.push(Condition::MaxAgeAtLeast(name, param));
        }
    }
    for pattern in &e.body_matches {
        conditions.push(Condition::BodyMatches(regex(pattern)?));
    }
    for pattern in &e.body_not_matches {
        conditions.push(Condition::BodyNotMatches(regex(pattern)?));
    }
    if let Some(param) = e.records_at_most {
        conditions.push(Condition::RecordsAtMost(param));
    }
    if e.properties_declared {
        conditions.push(Condition::PropertiesDeclared);
    }
    if e.expires_in_future {
        conditions.push(Condition::ExpiresInFuture);
    }
    if let Some(statuses) = e.status_seen {
        conditions.push(Condition::StatusSeen(statuses));
    }
    if e.https_enforced {
        conditions.push(Condition::HttpsEnforced);
    }
    if e.handshake_valid {
        conditions.push(Condition::HandshakeValid);
    }
    if e.legacy_refused {
        conditions.push(Condition::LegacyRefused);
    }
    if e.json_media_type {
        conditions.push(Condition::JsonMediaType);
    }
    if e.personal_data_authenticated {
        conditions.push(Condition::PersonalDataAuthenticated);
    }
    if let Some(origins) = e.cors_closed {
        conditions.push(Condition::CorsClosed(origins));
    }
    if let Some(origins) = e.cors_public {
        conditions.push(Condition::CorsPublic(origins));
    }
    if !e.links_rel.is_empty() {
        conditions.push(Condition::LinksRel(e.links_rel));
    }
    if !e.conforms_to.is_empty() {
        conditions.push(Condition::ConformsTo(e.conforms_to));
    }
    if !e.members.is_empty() {
        conditions.push(Condition::Members(e.members));
    }
    if e.feature_collection {
        conditions.push(Condition::FeatureCollection);
    }
    if let Some(most) = e.at_most {
        conditions.push(Condition::AtMost(most));
    }
    if e.next_when_more {
        conditions.push(Condition::NextWhenMore);
    }
    if e.ld_context {
        conditions.push(Condition::LdContext);
    }
    if let Some(header) = e.results_count {
        conditions.push(Condition::ResultsCount(header.to_ascii_lowercase()));
    }
    if !e.problem_type.is_empty() {
        conditions.push(Condition::ProblemType(e.problem_type));
    }
    if e.same_entities {
        conditions.push(Condition::SameEntities);
    }
    if e.offset_follows {
        conditions.push(Condition::OffsetFollows);
    }
    if !e.error_body.is_empty() {
        conditions.push(Condition::ErrorBody(e.error_body));
    }
    if conditions.is_empty() {
        return Err("the expectation has no condition".to_owned());
    }
    Ok(Expectation {
        requirement: e.requirement,
        conditions,
        personal_data_only: e.personal_data_only,
        https_only: e.https_only,
    })
}

/// A problem with expectation `index` of a case found when the plan is
/// built (an unknown requirement, a missing parameter), at the requirement
/// it names.
pub(crate) fn case_problem(case: &Case, index: usize, message: String) -> FileProblem {
    case.source.problem(
        &format!("{}/expect/{index}/requirement", case.pointer),
        message,
    )
}
